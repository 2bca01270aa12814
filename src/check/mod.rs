//! Checking: resolves every name, checks every type and rule of docs/definition-set.md, docs/project.md and docs/semantics.md, and
//! produces the IR (`ir`) that later stages use without looking at YAML again.

pub(crate) mod dialect;
mod expr;
pub mod fingerprint;
pub mod lineage;
pub mod lint;
pub mod messages;
mod metric;
mod project;
mod refs;
mod set;

use crate::diag::{Diagnostic, Diagnostics, FileId, Sources, Span, codes, did_you_mean};
use crate::ir;
use crate::load::{Spanned, Workspace};
use crate::syntax::{Expr, ScalarMap, parse_expr};
use chrono::NaiveDate;

/// A checked workspace: the definition set, and the project when there is one.
#[derive(Debug)]
pub struct Checked {
    pub set: ir::DefinitionSet,
    pub project: Option<ir::Project>,
    /// Every metric's fingerprints, computed once here (docs/manifest.md).
    pub prints: fingerprint::Prints,
    /// The project hash, when there is a project (docs/manifest.md).
    pub project_hash: Option<String>,
}

impl Checked {
    fn new(set: ir::DefinitionSet, project: Option<ir::Project>) -> Checked {
        let prints = fingerprint::prints(&set);
        let project_hash = project.as_ref().map(fingerprint::project_hash);
        Checked { set, project, prints, project_hash }
    }
}

/// Checks what `load` read. Returns the IR only when there is no error; the diagnostics
/// hold every error and warning found.
pub fn check(workspace: &Workspace, sources: &Sources) -> (Option<Checked>, Diagnostics) {
    let (set_docs, project_docs) = match workspace {
        Workspace::Set(set) => (set.as_ref(), None),
        Workspace::Project(p) => (&p.set, Some(p.as_ref())),
    };
    let mut cx = Cx { sources, diags: Diagnostics::default(), unreadable: &set_docs.unreadable };
    let set = set::check_set(&mut cx, set_docs);
    let project = match (project_docs, &set) {
        (Some(p), Some(set)) => project::check_project(&mut cx, p, set),
        _ => None,
    };
    let diags = cx.diags;
    if diags.has_errors() {
        return (None, diags);
    }
    match (set, project_docs.is_some(), project) {
        (Some(set), false, _) => (Some(Checked::new(set, None)), diags),
        (Some(set), true, Some(project)) => (Some(Checked::new(set, Some(project))), diags),
        _ => (None, diags),
    }
}

/// What every check needs: the file texts and somewhere to put problems.
pub(crate) struct Cx<'a> {
    pub sources: &'a Sources,
    pub diags: Diagnostics,
    /// Names of files that could not be read (already reported): references to them are
    /// not reported again.
    pub unreadable: &'a [String],
}

impl Cx<'_> {
    pub fn error(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    /// Whether `name` is defined in a file that could not be read.
    pub fn is_unreadable(&self, name: &str) -> bool {
        self.unreadable.iter().any(|u| u == name)
    }

    /// Parses an expression written in a YAML scalar; a syntax error is reported.
    pub fn parse(&mut self, file: FileId, text: &Spanned<String>) -> Option<Expr> {
        let start = text.referenced.span().byte_offset().unwrap_or(0) as usize;
        let map = ScalarMap::align(file, self.sources.text(file), start, &text.value);
        match parse_expr(&text.value, &map) {
            Ok(e) => Some(e),
            Err(d) => {
                self.error(*d);
                None
            }
        }
    }

    /// A value from a fixed list of words (grain, layer, ...), with a suggestion when off.
    pub fn choice<T: Copy>(
        &mut self,
        file: FileId,
        value: &Spanned<String>,
        what: &str,
        choices: &[(&str, T)],
    ) -> Option<T> {
        if let Some((_, v)) = choices.iter().find(|(name, _)| *name == value.value) {
            return Some(*v);
        }
        let names: Vec<&str> = choices.iter().map(|(n, _)| *n).collect();
        let help = did_you_mean(&value.value, names.iter().copied())
            .unwrap_or_else(|| format!("{what} is one of: {}", names.join(", ")));
        self.error(
            Diagnostic::error(codes::E0107, format!("`{}` is not a valid {what}", value.value))
                .at(crate::load::span_of(file, value))
                .label(format!("expected one of: {}", names.join(", ")))
                .help(help),
        );
        None
    }

    /// An ISO 8601 date such as `2024-01-01`.
    pub fn date(&mut self, file: FileId, value: &Spanned<String>, what: &str) -> Option<NaiveDate> {
        match crate::calendar::parse_day(&value.value) {
            Some(d) => Some(d),
            None => {
                self.error(
                    Diagnostic::error(codes::E0108, format!("`{}` is not a valid date for {what}", value.value))
                        .at(crate::load::span_of(file, value))
                        .label("expected a date")
                        .help("write dates as YYYY-MM-DD, for example 2024-01-01"),
                );
                None
            }
        }
    }

    pub fn span(&self, file: FileId, value: &Spanned<impl Sized>) -> Span {
        crate::load::span_of(file, value)
    }

    pub fn missing(&mut self, at: Span, owner: &str, key: &str, help: &str) {
        self.error(
            Diagnostic::error(codes::E0106, format!("{owner} is missing required key `{key}`"))
                .at(at)
                .label(format!("`{key}` is required here"))
                .help(help.to_string()),
        );
    }
}

/// How a metric's rows fall into periods, in words (`explain`, the catalog).
pub fn time_in_words(t: &ir::TimeSemantics) -> String {
    use ir::TimeSemantics;
    match t {
        TimeSemantics::Event { column } => {
            format!("event: a row counts in the period that holds `{column}`; rows without it are left out")
        }
        TimeSemantics::Open { from, close } => format!(
            "open: a row counts in each period at whose end it is open (`{from}` before the end{})",
            close.as_ref().map_or(String::new(), |c| format!(", `{c}` empty or not before it"))
        ),
        TimeSemantics::Snapshot { column } => format!("snapshot: the rows of the latest `{column}` inside each period"),
    }
}
