//! yardstick: a metrics-as-code compiler for information-security governance.
//!
//! Each stage uses only the stages before it (the layering table in
//! `tests/integration/layout.rs` holds the code to it):
//!
//! ```text
//! YAML files --load---> file structs        (load: every value keeps its file:line:column)
//!            --parse--> expression ASTs     (syntax: the pest grammar in grammar/expr.pest)
//!            --check--> the IR              (check -> ir: names, vocabulary terms, types, time)
//!            --plan---> a neutral plan      (plan: the rules of docs/semantics.md, no query engine;
//!                                            calendar: months, quarters, fiscal years, windows)
//!            --run----> aggregate tables    (engine: the Polars back end; it reads the plan only)
//!            --------> the results table    (results: zero-fill, baselines, derived metrics, statuses)
//!            --------> what a change does   (change: versions since a revision, values per site and period)
//!            --------> the audit evidence   (manifest: inputs, fingerprints, outputs, hashed)
//!            --------> reports              (report: minijinja templates, Markdown and HTML, SVG charts)
//!            --------> the output folder    (publish: everything written whole or not at all; init)
//! ```
//!
//! [`compile`] chains load, parse and check; [`compute`] plan, run and results. The
//! command line (`cli`) parses a command's arguments, calls one library function and
//! renders what it returns; each stage reports problems as [`diag::Diagnostic`]s or typed
//! errors, and only the command line prints them.
//!
//! ## Where is
//!
//! | what | where |
//! |---|---|
//! | the grammar of expressions | `grammar/expr.pest`, `src/syntax/parser.rs` |
//! | how names, calls and operators are checked and typed | `src/check/expr/names.rs`, `src/check/expr/calls.rs`, `src/check/expr/operators.rs` |
//! | what W1003 checks (each measurement pitfall has its file) | `src/check/lint/lone_incident_count.rs` |
//! | every diagnostic code, its meaning and help | `src/diag/codes.rs` |
//! | a metric's fingerprint | `src/check/fingerprint.rs` |
//! | how a baseline window is found | `src/calendar.rs` |
//! | what the plan tells a back end about a join | `src/plan/mod.rs` (`JoinPlan`) |
//! | what a back end reads, and how | `src/plan/inputs.rs` |
//! | how a date cell is parsed | `src/engine/data/dates.rs`, `src/engine/data/instants.rs` |
//! | how a cell is parsed by its column's type, and a code mapped | `src/engine/data/columns.rs` |
//! | why a file cannot be read, by kind | `src/engine/data/error.rs` |
//! | the data rules (`check --data`) | `src/engine/data/rules.rs`, `src/engine/data/summary.rs`, `src/publish/data.rs` |
//! | how a typed expression becomes a Polars expression | `src/engine/lower.rs` |
//! | where zero-fill and baselines are applied | `src/results/assemble.rs` |
//! | where statuses are decided | `src/results/status.rs` |
//! | what a definition change does to the numbers | `src/change/diff.rs` |
//! | the pull-request comment `diff` writes | `src/report/diff.rs` |
//! | what `explain` says of a metric | `src/report/explain.rs`, `src/plan/explain.rs` |
//! | what a report template is given | `src/report/context.rs` |
//! | how the output folder is replaced in one step | `src/publish/swap.rs` |
//! | every call of `git` | `src/load/git.rs` |

#![forbid(unsafe_code)]
// Functions stay short enough to read at once (clippy.toml sets the limit: 80 lines).
#![warn(clippy::too_many_lines)]

pub mod calendar;
pub mod census;
pub mod change;
pub mod check;
pub mod cli;
pub mod diag;
pub mod engine;
pub mod ir;
pub mod load;
pub mod manifest;
pub mod plan;
pub mod publish;
pub mod report;
pub mod results;
pub mod sql;
pub mod stats;
pub mod syntax;

use diag::{Diagnostic, Diagnostics, Sources};
use plan::Backend;
use std::path::Path;

/// Loads and checks the project (or definition set) in `dir`: the first three stages.
/// The IR comes back only when there were no errors; `sources` keeps every file read so
/// the diagnostics can be rendered.
pub fn compile(dir: &Path, sources: &mut Sources) -> (Option<check::Checked>, Diagnostics) {
    compile_from(&load::WorkTree, dir, sources)
}

/// [`compile`] reading the definitions through `files`: the working tree, or a git
/// revision of the repository that holds them.
pub fn compile_from(
    files: &dyn load::Files,
    dir: &Path,
    sources: &mut Sources,
) -> (Option<check::Checked>, Diagnostics) {
    let mut diags = Diagnostics::default();
    let Some(workspace) = load::load_project_from(files, dir, sources, &mut diags) else {
        return (None, diags);
    };
    let (checked, more) = check::check(&workspace, sources);
    diags.extend(more.0);
    if diags.has_errors() {
        return (None, diags);
    }
    // Measuring the wrong thing is worth saying only of definitions that check.
    if let Some(c) = &checked {
        diags.extend(check::lint::pitfalls(&c.set, c.project.as_ref()));
    }
    (checked, diags)
}

/// Plans the requested metrics, computes their aggregates with the Polars back end and
/// assembles the results: the stages after [`compile`].
pub fn compute(checked: &check::Checked, request: &plan::Request) -> Result<results::Results, Vec<Diagnostic>> {
    compute_on(checked, request, &engine::Polars::default())
}

/// [`compute`] on `backend`: one that keeps the files it read
/// ([`engine::Polars::keeping_files`]) serves several computations over the same exports.
pub fn compute_on(
    checked: &check::Checked,
    request: &plan::Request,
    backend: &dyn Backend,
) -> Result<results::Results, Vec<Diagnostic>> {
    let plan = plan::plan(checked, request)?;
    let computed = backend.aggregate(&plan)?;
    let mut results = results::assemble(&plan, computed.tables);
    // What reading the data found, then what the results found.
    results.warnings.splice(0..0, computed.warnings);
    results.inputs = computed.inputs;
    for row in &mut results.rows {
        row.fingerprint = checked.prints.fingerprints.get(&row.metric).cloned().unwrap_or_default();
    }
    Ok(results)
}
