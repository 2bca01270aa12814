//! `yardstick diff BASE [HEAD]`: what a change of the definitions means and what it does
//! to the project's numbers, as a pull-request comment (Markdown) or JSON.

use crate::change::diff::{self, Diff};
use crate::check::Checked;
use crate::diag::{Sources, render_all};
use crate::plan::Request;
use crate::results::Results;
use chrono::NaiveDate;
use std::collections::BTreeMap;
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
    pub as_of: NaiveDate,
    pub format: Format,
}

pub fn run(args: &Args, color: bool) -> ExitCode {
    let mut sources = Sources::default();
    let (worktree, diags) = crate::compile(args.project, &mut sources);
    // The repository holding the definitions: found from the set the project names now.
    let base = at_revision(worktree.as_ref(), args.project, args.base, color);
    let head = match args.head {
        Some(rev) => at_revision(worktree.as_ref(), args.project, rev, color),
        None => worktree.ok_or_else(|| {
            eprint!("{}", render_all(diags.iter().filter(|d| d.is_error()), &sources, color));
            "the working tree does not check".to_string()
        }),
    };
    let (base, head) = match (base, head) {
        (Ok(b), Ok(h)) => (b, h),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("error: {e}");
            return ExitCode::from(if e.contains("not a revision") || e.contains("not in a git") { 2 } else { 1 });
        }
    };
    if base.project.is_none() || head.project.is_none() {
        eprintln!("error: diff computes both sides on a project's data: pass the project with -p");
        return ExitCode::from(2);
    }
    let mut found: Diff = diff::definitions(&base, &head, (args.base, args.head.unwrap_or("working tree")));
    // Both sides from one read of today's data.
    let engine = crate::engine::Polars::keeping_files();
    let after = match compute(&head, &ids(&head), args.as_of, &engine) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: the head side does not compute on today's data: {e}");
            return ExitCode::from(1);
        }
    };
    // The base side metric by metric only when it cannot compute whole (a schema changed
    // with it), so that one metric not comparable does not hide the others.
    let base_ids = ids(&base);
    let whole = compute(&base, &base_ids, args.as_of, &engine);
    let each: BTreeMap<String, Result<Results, String>> = match &whole {
        Ok(_) => BTreeMap::new(),
        Err(_) => {
            let one = |id: &String| compute(&base, std::slice::from_ref(id), args.as_of, &engine);
            base_ids.iter().map(|id| (id.clone(), one(id))).collect()
        }
    };
    let before: BTreeMap<String, Result<&Results, String>> = base_ids
        .into_iter()
        .map(|id| {
            let side = match &whole {
                Ok(all) => Ok(all),
                Err(_) => each[&id].as_ref().map_err(Clone::clone),
            };
            (id, side)
        })
        .collect();
    diff::compare_values(&mut found, &before, &after);
    let text = match args.format {
        Format::Md => diff::markdown(&found),
        Format::Json => serde_json::to_string_pretty(&found).expect("a diff serializes") + "\n",
    };
    super::emit(&text)
}

/// The project with its definitions as they were at `rev`.
fn at_revision(worktree: Option<&Checked>, project: &Path, rev: &str, color: bool) -> Result<Checked, String> {
    let at = crate::change::revision(worktree, project, rev)?;
    let mut sources = Sources::default();
    let (checked, diags) = crate::compile_from(&at, project, &mut sources);
    checked.ok_or_else(|| {
        eprint!("{}", render_all(diags.iter().filter(|d| d.is_error()), &sources, color));
        format!("the definitions at {rev} do not check")
    })
}

fn ids(side: &Checked) -> Vec<String> {
    side.set.metrics.iter().map(|m| m.id.0.clone()).collect()
}

/// Metrics of a side, computed in one run on `engine` (which keeps the files it read).
fn compute(
    side: &Checked,
    metrics: &[String],
    as_of: NaiveDate,
    engine: &crate::engine::Polars,
) -> Result<Results, String> {
    crate::compute_on(side, &Request { metrics, as_of, grain: None }, engine).map_err(|e| first(&e))
}

fn first(errors: &[crate::diag::Diagnostic]) -> String {
    errors.first().map_or_else(|| "no reason given".into(), |d| d.message.clone())
}
