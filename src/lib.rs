//! yardstick: a metrics-as-code compiler for information-security governance.
//!
//! ```text
//! YAML files --load--> spec structs        (spec: every value keeps its file:line:column)
//!            --parse-> expression ASTs     (syntax: pest grammar in grammar/expr.pest)
//!            --check-> typed, resolved IR  (check: names, vocabulary terms, types, time)
//!            --plan--> neutral plan        (plan: SPEC section 8's rules, no query engine)
//!            --run---> aggregate tables    (engine: the Polars back end, one collect_all)
//!            --------> results table       (results: zero-fill, baselines, statuses)
//! ```
//!
//! [`compile`] chains the first three stages; [`compute`] the next three. Rendering
//! reports is the stage still to come (SPEC section 9). Each stage reports problems as
//! [`diag::Diagnostic`]s; only the CLI renders them.

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
    let fingerprints = check::fingerprint::fingerprints(&checked.set);
    for row in &mut results.rows {
        row.fingerprint = fingerprints.get(&row.metric).cloned().unwrap_or_default();
    }
    Ok(results)
}
