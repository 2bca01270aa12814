//! Change control (docs/commands.md, `check --base` and `diff`): what changed in the definitions since a base
//! revision, and whether their versions say so. A metric whose fingerprint moved needs a
//! new `version`; a vocabulary whose terms, groups or deprecated codes changed, too; and
//! the set's semantic version must move as its changes require: at least a minor bump
//! for a change that can move numbers, a major one for a metric, vocabulary or source
//! removed; and a removed metric must not be named by a report template any more.

pub mod diff;

use crate::check::Checked;
use crate::diag::{Diagnostic, Sources, codes};
use crate::ir::{MetricId, Vocabulary};
use crate::load::{AtRevision, RevisionError};
use crate::results::Results;
use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::path::Path;

/// The files at the revision `rev` named on the command line (docs/commands.md, `check --base` and `diff`): a
/// revision of the repository holding the definition set (`head`'s, as the working tree
/// names it). For a set pinned in git, a tag of the set's repository names the set at that
/// revision (`diff v1.1.0 v1.2.0` previews an upgrade); then a revision of the project's
/// own repository, whose yardstick.yaml pins the set as it was then; then any other
/// revision of the set's repository.
pub fn revision(head: Option<&Checked>, project: &Path, rev: &str) -> Result<AtRevision, RevisionError> {
    let set_root = head.map_or(project, |c| c.set.root.as_path());
    let pinned = head.and_then(|c| c.project.as_ref()).is_some_and(|p| p.pinned.is_some());
    if pinned
        && !crate::load::remote::is_tag(set_root, rev)
        && let Ok(at) = AtRevision::open(project, rev)
    {
        return Ok(at);
    }
    AtRevision::open(set_root, rev).map_err(|e| match head.and_then(|c| c.project.as_ref()?.pinned.as_ref()) {
        Some(pin) => RevisionError::NotInPinnedSet { rev: rev.to_string(), url: crate::load::remote::shown(&pin.url) },
        None => e,
    })
}

/// Why the versions since a revision could not be judged.
#[derive(Debug, thiserror::Error)]
pub enum VersionsError {
    #[error(transparent)]
    Revision(#[from] RevisionError),
    /// The definitions at the revision do not check: their errors, rendered from `sources`.
    #[error("{}", does_not_check(rev))]
    DoesNotCheck { rev: String, diagnostics: Vec<Diagnostic>, sources: Sources },
}

/// Why definitions at `rev` that do not check cannot be compared, and what to do.
fn does_not_check(rev: &str) -> String {
    format!(
        "the definitions at {rev} do not check with this yardstick (the errors above), so they cannot be compared; a revision written for an earlier yardstick (the shipped set before 1.2.0, say, whose inventories declare no `snapshot:`) does not read under today's rules: compare from a later revision that checks"
    )
}

/// `check --base REV`: the definitions at `rev` compiled and compared with `head` (the
/// project in `project`, its files in `sources`); every version the changes demand and
/// `head` lacks.
pub fn versions_since(
    head: &Checked,
    project: &Path,
    rev: &str,
    sources: &mut Sources,
) -> Result<Vec<Diagnostic>, VersionsError> {
    let at = revision(Some(head), project, rev)?;
    if absent_at(&at, head, project) {
        // Nothing to compare with: everything is new, and a new thing needs no version.
        let message = format!("the definitions did not exist at {rev}: every metric, vocabulary and source is new");
        return Ok(vec![Diagnostic::note(codes::N0901, message)]);
    }
    let mut base_sources = Sources::default();
    let (base, diags) = crate::compile_from(&at, project, &mut base_sources);
    let Some(base) = base else {
        let diagnostics = diags.0.into_iter().filter(Diagnostic::is_error).collect();
        return Err(VersionsError::DoesNotCheck { rev: rev.to_string(), diagnostics, sources: base_sources });
    };
    Ok(versions(&base, head, rev, at.holds(project), sources))
}

/// What `diff` compares: the definitions at `base` and at `head` (the working tree when
/// none), both computed on the project's data as of the end of `as_of`.
pub struct DiffRequest<'a> {
    pub project: &'a Path,
    pub base: &'a str,
    pub head: Option<&'a str>,
    pub as_of: NaiveDate,
}

/// Why a diff could not be made.
#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    #[error(transparent)]
    Revision(#[from] RevisionError),
    /// The definitions at a revision do not check: their errors, rendered from `sources`.
    #[error("{}", does_not_check(rev))]
    DoesNotCheck { rev: String, diagnostics: Vec<Diagnostic>, sources: Sources },
    #[error("the working tree does not check")]
    WorkTreeDoesNotCheck { diagnostics: Vec<Diagnostic>, sources: Sources },
    #[error("diff computes both sides on a project's data: pass the project with -p")]
    NeedsProject,
    #[error("the head side does not compute on today's data: {reason}")]
    HeadDoesNotCompute { reason: String },
}

impl DiffError {
    /// Whether the command was used wrongly (a revision that names nothing, no project),
    /// not the definitions or data at fault.
    pub fn is_usage(&self) -> bool {
        match self {
            DiffError::Revision(e) => e.is_unknown_revision(),
            DiffError::NeedsProject => true,
            DiffError::DoesNotCheck { .. }
            | DiffError::WorkTreeDoesNotCheck { .. }
            | DiffError::HeadDoesNotCompute { .. } => false,
        }
    }
}

/// What a change of the definitions from `base` to `head` means and does to the
/// project's numbers, per site and period.
/// `worktree` is the project compiled as it stands, with its diagnostics and sources.
pub fn diff_revisions(
    request: &DiffRequest,
    (worktree, diags): (Option<Checked>, crate::diag::Diagnostics),
    sources: Sources,
) -> Result<diff::Diff, DiffError> {
    // The repository holding the definitions: found from the set the project names now.
    let base = match worktree.as_ref() {
        Some(now) => {
            let at = revision(Some(now), request.project, request.base)?;
            let absent = absent_at(&at, now, request.project);
            if absent { None } else { Some(compile_at(&at, request.project, request.base)?) }
        }
        None => Some(at_revision(None, request.project, request.base)?),
    };
    let head = match request.head {
        Some(rev) => at_revision(worktree.as_ref(), request.project, rev)?,
        None => worktree.ok_or_else(|| DiffError::WorkTreeDoesNotCheck {
            diagnostics: diags.0.into_iter().filter(Diagnostic::is_error).collect(),
            sources,
        })?,
    };
    let names = (request.base, request.head.unwrap_or("working tree"));
    let Some(base) = base else {
        // A base without the definitions: every metric is added, none compared.
        if head.project.is_none() {
            return Err(DiffError::NeedsProject);
        }
        return Ok(diff::all_added(&head, names));
    };
    if base.project.is_none() || head.project.is_none() {
        return Err(DiffError::NeedsProject);
    }
    let mut found = diff::definitions(&base, &head, names);
    // Both sides from one read of today's data.
    let engine = crate::engine::Polars::keeping_files();
    let compute = |side: &Checked, metrics: &[MetricId]| {
        crate::compute_on(
            side,
            &crate::plan::Request { metrics, as_of: request.as_of, grain: None, to_date: false },
            &engine,
        )
    };
    let after = compute(&head, &head.set.ids()).map_err(|e| DiffError::HeadDoesNotCompute {
        reason: e.first().map_or_else(|| "no reason given".into(), |d| d.message.clone()),
    })?;
    // The base side metric by metric only when it cannot compute whole (a schema changed
    // with it), so that one metric not comparable does not hide the others.
    let base_ids = base.set.ids();
    let whole = compute(&base, &base_ids);
    let each: BTreeMap<String, Result<Results, Vec<Diagnostic>>> = match &whole {
        Ok(_) => BTreeMap::new(),
        Err(_) => base_ids.iter().map(|id| (id.to_string(), compute(&base, std::slice::from_ref(id)))).collect(),
    };
    let before: BTreeMap<String, Result<&Results, &[Diagnostic]>> = base_ids
        .into_iter()
        .map(|id| {
            let side = match &whole {
                Ok(all) => Ok(all),
                Err(_) => each[id.as_str()].as_ref().map_err(Vec::as_slice),
            };
            (id.to_string(), side)
        })
        .collect();
    diff::compare_values(&mut found, &before, &after);
    Ok(found)
}

/// Whether the definitions of `head` did not exist at the revision `at`: the project's
/// yardstick.yaml (for a project), or the set's set.yaml where the repository holds the
/// set, is not there.
fn absent_at(at: &AtRevision, head: &Checked, project: &Path) -> bool {
    use crate::load::Files;
    let missing = |marker: std::path::PathBuf| at.holds(&marker) && !at.is_file(&marker);
    let project_missing = head.project.is_some() && missing(project.join("yardstick.yaml"));
    project_missing || missing(head.set.root.join("set.yaml"))
}

/// The project with its definitions as they were at `rev`.
fn at_revision(worktree: Option<&Checked>, project: &Path, rev: &str) -> Result<Checked, DiffError> {
    compile_at(&revision(worktree, project, rev)?, project, rev)
}

/// The project compiled from the revision `at` (named `rev`).
fn compile_at(at: &AtRevision, project: &Path, rev: &str) -> Result<Checked, DiffError> {
    let mut sources = Sources::default();
    let (checked, diags) = crate::compile_from(at, project, &mut sources);
    checked.ok_or_else(|| DiffError::DoesNotCheck {
        rev: rev.to_string(),
        diagnostics: diags.0.into_iter().filter(Diagnostic::is_error).collect(),
        sources,
    })
}

/// Every version the changes since `rev` (compiled as `base`) demand and `head` lacks;
/// the project's own metrics are judged only when `rev` holds the project (`covers`).
pub fn versions(base: &Checked, head: &Checked, rev: &str, covers: bool, sources: &mut Sources) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    let (before, after) = (&base.prints.fingerprints, &head.prints.fingerprints);
    let mut breaking = Vec::new();
    for m in head.set.metrics.iter().filter(|m| covers || !m.local) {
        let Some(old) = base.set.metric(m.id.as_str()) else { continue };
        if before.get(&m.id) == after.get(&m.id) {
            continue;
        }
        if !m.local {
            breaking.push(format!("metric `{}`", m.id));
        }
        if m.version <= old.version {
            let d = Diagnostic::error(
                codes::E0901,
                format!("metric `{}` changed meaning since {rev}, but its version is still {}", m.id, m.version),
            )
            .label("raise the version")
            .help(format!(
                "its numbers or statuses can change (its fingerprint moved): write `version: {}` so that results and reports tell the two apart",
                old.version + 1
            ));
            found.push(at(d, m.version_at));
        }
    }
    for (name, v) in &head.set.vocabularies {
        let Some(old) = base.set.vocabularies.get(name) else { continue };
        if same_meaning(old, v) {
            continue;
        }
        breaking.push(format!("vocabulary `{name}`"));
        if v.version <= old.version {
            let d = Diagnostic::error(
                codes::E0902,
                format!("vocabulary `{name}` changed its terms, groups or deprecated codes since {rev}, but its version is still {}", v.version),
            )
            .label("raise the version")
            .help(format!("write `version: {}`; every metric over it moves with it", old.version + 1));
            found.push(at(d, v.version_at));
        }
    }
    let removed_ids: Vec<&str> = base
        .set
        .metrics
        .iter()
        .filter(|m| (covers || !m.local) && head.set.metric(m.id.as_str()).is_none())
        .map(|m| m.id.as_str())
        .collect();
    found.extend(still_named(head, &removed_ids, rev, sources));
    // What the set removed: the project's own metrics stay out of its semver.
    let mut removed: Vec<String> = base
        .set
        .metrics
        .iter()
        .filter(|m| !m.local && head.set.metric(m.id.as_str()).is_none())
        .map(|m| format!("metric `{}`", m.id))
        .collect();
    let vocabularies = base.set.vocabularies.keys().filter(|v| !head.set.vocabularies.contains_key(*v));
    removed.extend(vocabularies.map(|v| format!("vocabulary `{v}`")));
    let schemas = base.set.sources.keys().filter(|s| !head.set.sources.contains_key(*s));
    removed.extend(schemas.map(|s| format!("source `{s}`")));
    found.extend(set_version(base, head, rev, &breaking, &removed));
    found
}

/// The report templates (the set's and the project's) that still name a removed metric:
/// one error at each first mention, so no report silently loses a section.
fn still_named(head: &Checked, removed: &[&str], rev: &str, sources: &mut Sources) -> Vec<Diagnostic> {
    let project = head.project.as_ref().map(|p| p.root.as_path());
    let mut templates: Vec<(std::path::PathBuf, crate::load::TemplateFolder)> = Vec::new();
    for folder in crate::load::template_folders(project, &head.set.root) {
        let mut files = Vec::new();
        templates_under(&folder.dir, TEMPLATE_DEPTH, &mut files);
        templates.extend(files.into_iter().map(|p| (p, folder.clone())));
    }
    templates.sort_by(|a, b| a.0.cmp(&b.0));
    let mut found = Vec::new();
    for (path, folder) in templates {
        let Ok(text) = folder.read(&path) else { continue };
        let mentions: Vec<(usize, &str)> = removed
            .iter()
            .filter_map(|id| ['"', '\''].iter().find_map(|q| text.find(&format!("{q}{id}{q}")).map(|at| (at + 1, *id))))
            .collect();
        if mentions.is_empty() {
            continue;
        }
        let file = sources.add(&path, text);
        for (at, id) in mentions {
            found.push(
                Diagnostic::error(
                    codes::E0904,
                    format!("metric `{id}` was removed since {rev}, but this report template still names it"),
                )
                .at(crate::diag::Span::new(file, at, at + id.len()))
                .label("no such metric any more")
                .help("replace or remove the mention before removing the metric, or keep the metric"),
            );
        }
    }
    found
}

/// How deep into a template folder's subfolders (partials, macros) templates are looked for.
const TEMPLATE_DEPTH: usize = 8;

/// The `.j2` files in `dir` and its subfolders, `depth` levels down; symbolic links are not
/// followed (a template outside its folder is never read).
fn templates_under(dir: &Path, depth: usize, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let (path, Ok(kind)) = (entry.path(), entry.file_type()) else { continue };
        if kind.is_dir() && depth > 0 {
            templates_under(&path, depth - 1, out);
        } else if kind.is_file() && path.extension().is_some_and(|e| e == "j2") {
            out.push(path);
        }
    }
}

/// The set's version against what its changes need.
fn set_version(
    base: &Checked,
    head: &Checked,
    rev: &str,
    breaking: &[String],
    removed: &[String],
) -> Option<Diagnostic> {
    let (old, new) = (&base.set.version, &head.set.version);
    let (needed, why) = if !removed.is_empty() {
        (semver::Version::new(old.major + 1, 0, 0), format!("{} removed", removed.join(", ")))
    } else if !breaking.is_empty() {
        (semver::Version::new(old.major, old.minor + 1, 0), format!("{} changed meaning", breaking.join(", ")))
    } else {
        return None;
    };
    if *new >= needed {
        return None;
    }
    let d = Diagnostic::error(
        codes::E0903,
        format!("definition set `{}` is version {new}, but since {rev} (version {old}) {why}", head.set.name),
    )
    .label(format!("at least {needed}"))
    .help(if removed.is_empty() {
        "a change that can move numbers needs at least a minor version, so that projects can pin the set with `requires`"
    } else {
        "removing a metric, a vocabulary or a source breaks the projects and reports that use it: it needs a major version"
    });
    Some(at(d, head.set.version_at))
}

/// Whether two versions of a vocabulary read every code alike: the same terms in the same
/// order, the same groups and deprecated codes (labels and definitions aside).
fn same_meaning(a: &Vocabulary, b: &Vocabulary) -> bool {
    // The order of an unordered vocabulary's terms means nothing.
    let codes = |v: &Vocabulary| {
        let mut codes: Vec<String> = v.terms.iter().map(|t| t.code.clone()).collect();
        if !v.ordered {
            codes.sort();
        }
        codes
    };
    codes(a) == codes(b) && a.ordered == b.ordered && a.groups == b.groups && a.deprecated == b.deprecated
}

fn at(d: Diagnostic, span: Option<crate::diag::Span>) -> Diagnostic {
    match span {
        Some(span) => d.at(span),
        None => d,
    }
}
