//! `yardstick diff BASE [HEAD]`: what a change of the definitions means and what it does
//! to the project's numbers, as a pull-request comment (Markdown) or JSON.

use crate::change::{DiffError, DiffRequest};
use crate::diag::render_all;
use chrono::NaiveDate;
use std::path::Path;
use std::process::ExitCode;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Md,
    Json,
}

pub struct Args<'a> {
    pub base: &'a str,
    pub head: Option<&'a str>,
    pub project: &'a Path,
    pub as_of: Option<NaiveDate>,
    pub format: Format,
}

pub fn run(args: &Args, color: bool) -> ExitCode {
    // The project as it stands: its sites give the day both sides are computed as of.
    let mut sources = crate::diag::Sources::default();
    let worktree = crate::compile(args.project, &mut sources);
    let as_of = match super::as_of(args.as_of, worktree.0.as_ref(), color) {
        Ok(day) => day,
        Err(code) => return code,
    };
    let request = DiffRequest { project: args.project, base: args.base, head: args.head, as_of };
    let found = match crate::change::diff_revisions(&request, worktree, sources) {
        Ok(found) => found,
        Err(e) => {
            if let DiffError::DoesNotCheck { diagnostics, sources, .. }
            | DiffError::WorkTreeDoesNotCheck { diagnostics, sources } = &e
            {
                eprint!("{}", render_all(diagnostics.iter(), sources, color));
            }
            eprintln!("error: {e}");
            return ExitCode::from(if e.is_usage() { 2 } else { 1 });
        }
    };
    let text = match args.format {
        Format::Md => crate::report::diff::markdown(&found),
        Format::Json => serde_json::to_string_pretty(&found).expect("a diff serializes") + "\n",
    };
    super::emit(&text)
}
