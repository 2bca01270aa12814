//! Publishing: what yardstick writes for people and machines. The scheduled build
//! (docs/commands.md, docs/manifest.md): every metric of the project computed in one run,
//! written with the reports and the audit manifest into the output folder, whole or not at
//! all. The files are written into a temporary folder beside the target and moved into
//! place under a lock at the end, so that a failed build leaves the previous output as it
//! was and two builds into one folder never mix their files. Also `check --data`
//! ([`check_data`]) and a new project's files ([`init`]).

mod data;
mod error;
mod init;
mod swap;

pub use data::{DataCheck, check_data, thin_baselines};
pub use error::WriteError;
pub use init::{InitError, InitRequest, Initialized, init};

pub use crate::load::git::{GitCli, GitState, Vcs};
pub use crate::manifest::Manifest;
pub use swap::MARKER;

use crate::check::Checked;
use crate::engine::Cells;
use crate::report::Computed;
use crate::results::{Cell, ResultRow, RowStatus};
use chrono::NaiveDate;
use std::fs;
use std::path::{Path, PathBuf};

/// What a build wrote.
#[derive(Debug)]
pub struct Built {
    pub out: PathBuf,
    pub files: Vec<String>,
    pub manifest: Manifest,
}

/// Why a build wrote nothing (the previous output, if any, stays as it was).
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("build needs a project (a folder with yardstick.yaml), not a definition set alone")]
    NeedsProject,
    /// The metrics could not be computed on the data: the diagnostics say why.
    #[error("the metrics could not be computed")]
    Compute(Vec<crate::diag::Diagnostic>),
    /// The results, computed, could not be written; `warnings` are what computing found.
    #[error("{error}")]
    Write { error: WriteError, warnings: Vec<crate::diag::Diagnostic> },
}

/// A whole build: every metric of the project as of the end of `as_of`, at its own grain
/// and at every grain a report asks for (each export read once), written with the
/// reports and the manifest into `out` (default: out/ in the project), whole or not at
/// all. `progress` hears each stage as it starts. The results come back with what was
/// written.
pub fn build(
    checked: &Checked,
    as_of: NaiveDate,
    out: Option<&Path>,
    progress: &dyn Fn(&str),
) -> Result<(Built, crate::results::Results), BuildError> {
    let project = checked.project.as_ref().ok_or(BuildError::NeedsProject)?;
    let metrics = checked.set.ids();
    progress(&format!("reading the data and computing {} metrics", metrics.len()));
    let engine = crate::engine::Polars::keeping_files();
    let compute = |c: Computed| {
        let as_of = if c.to_date { crate::plan::to_date_as_of(as_of) } else { as_of };
        let request = crate::plan::Request { metrics: &metrics, as_of, grain: c.grain, to_date: c.to_date };
        crate::compute_on(checked, &request, &engine).map_err(BuildError::Compute)
    };
    let results = compute(Computed::OWN)?;
    // Reports at another grain, or judged to date, compute their metrics again, from the
    // files read.
    let mut by_grain = std::collections::BTreeMap::new();
    for c in crate::report::computed(checked).into_iter().filter(|c| *c != Computed::OWN) {
        let grain = c.grain.map_or("each metric's", |g| g.as_str());
        let to_date = if c.to_date { ", to date" } else { "" };
        progress(&format!("computing at {grain} grain{to_date} for the reports"));
        by_grain.insert(c, compute(c)?);
    }
    progress("writing the results, the reports and the manifest");
    let out: PathBuf = out.map_or_else(|| project.root.join("out"), Path::to_path_buf);
    let reports = |manifest: &Manifest| {
        let mut all: std::collections::BTreeMap<_, _> = by_grain.iter().map(|(g, r)| (*g, r)).collect();
        all.insert(Computed::OWN, &results);
        crate::report::render(&crate::report::Input { checked, results: &all, as_of }, manifest)
    };
    match write(checked, &results, as_of, &out, &GitCli, &reports) {
        Ok(built) => Ok((built, results)),
        Err(error) => Err(BuildError::Write { error, warnings: results.warnings }),
    }
}

pub use crate::manifest::{MANIFEST, RESULTS_CSV, RESULTS_PARQUET, TABLES, TRENDS_CSV, TRENDS_PARQUET};

/// Writes the results of every metric and the manifest into `out`, replacing a previous
/// build's output there as one step.
/// `reports` renders the reports from the manifest (which then lists them as outputs).
pub fn write(
    checked: &Checked,
    results: &crate::results::Results,
    as_of: NaiveDate,
    out: &Path,
    vcs: &dyn Vcs,
    reports: &Reports,
) -> Result<Built, WriteError> {
    let mut protected = vec![checked.set.root.as_path()];
    protected.extend(checked.project.as_ref().map(|p| p.root.as_path()));
    swap::refuse(out, &protected)?;
    let parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    fs::create_dir_all(parent).map_err(WriteError::io("create", parent))?;
    let name = out.file_name().and_then(|n| n.to_str()).unwrap_or("out");
    let staging = swap::staging_for(parent, name);
    let written = stage(checked, results, as_of, &staging, vcs, reports).and_then(|manifest| {
        swap::swap(parent, name, &staging, out)?;
        let tables = TABLES;
        let mut files: Vec<String> = tables.map(String::from).to_vec();
        files.extend(manifest.outputs.iter().skip(tables.len()).map(|o| o.file.clone()));
        files.push(MANIFEST.to_string());
        files.push(crate::report::front::FRONT_PAGE.to_string());
        Ok(Built { out: out.to_path_buf(), files, manifest })
    });
    if written.is_err() {
        let _ = fs::remove_dir_all(&staging);
    }
    written
}

/// Renders the reports of a build from its manifest.
pub type Reports<'a> = dyn Fn(&Manifest) -> Result<Vec<crate::report::Rendered>, crate::report::RenderError> + 'a;

/// Writes every file into `staging`, the manifest last (it names the others' hashes).
fn stage(
    checked: &Checked,
    results: &crate::results::Results,
    as_of: NaiveDate,
    staging: &Path,
    vcs: &dyn Vcs,
    reports: &Reports,
) -> Result<Manifest, WriteError> {
    fs::create_dir(staging).map_err(WriteError::io("create", staging))?;
    swap::mark(staging)?;
    let rows: Vec<&ResultRow> = results.rows.iter().collect();
    let csv = crate::results::to_csv(&rows);
    let write = |file: &str, bytes: &[u8]| {
        fs::write(staging.join(file), bytes).map_err(WriteError::io("write", staging.join(file)))
    };
    write(RESULTS_CSV, csv.as_bytes())?;
    let (head, body) = crate::results::table(&rows);
    let types = crate::results::column_types(&crate::results::dimensions(rows.iter().map(|r| &r.dims)));
    let columns = head.iter().enumerate().map(|(i, name)| (name.as_str(), column(&body, i, &types[i]))).collect();
    crate::engine::write_parquet(columns, body.len(), &staging.join(RESULTS_PARQUET))?;
    let (head, body) = crate::results::trend::table(&results.trends);
    write(TRENDS_CSV, crate::results::csv(&head, body.clone()).as_bytes())?;
    let dims = crate::results::dimensions(results.trends.iter().map(|r| &r.dims));
    let types = crate::results::trend::column_types(&dims);
    let columns = head.iter().enumerate().map(|(i, name)| (name.as_str(), column(&body, i, &types[i]))).collect();
    crate::engine::write_parquet(columns, body.len(), &staging.join(TRENDS_PARQUET))?;
    let outputs = TABLES.map(|f| staging.join(f));
    let mut manifest = Manifest::new(checked, results, as_of, &outputs, vcs)?;
    let mut written = Vec::new();
    for report in reports(&manifest)? {
        let inside = Path::new(&report.file).components().all(|c| matches!(c, std::path::Component::Normal(_)));
        if !inside {
            return Err(WriteError::ReportOutside(report.file));
        }
        let path = staging.join(&report.file);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(WriteError::io("create", dir))?;
        }
        write(&report.file, report.text.as_bytes())?;
        written.push(path);
    }
    manifest.add_outputs(staging, &written)?;
    let json = serde_json::to_string_pretty(&manifest).map_err(WriteError::Json)? + "\n";
    write(MANIFEST, json.as_bytes())?;
    // The front page names the manifest's hash: written after it, and not in it.
    let manifest_hash = crate::check::fingerprint::hash(json.as_bytes());
    let front = crate::report::front::front_page(checked, &manifest, &manifest_hash, &results.warnings);
    write(crate::report::front::FRONT_PAGE, front.as_bytes())?;
    Ok(manifest)
}

/// The `i`th column of a table, typed as `typed` (its column's type, whatever the rows
/// hold: a table without rows keeps its types).
fn column<'r>(body: &[Vec<Cell<'r>>], i: usize, typed: &Cell) -> Cells<'r> {
    let cells = body.iter().map(|row| &row[i]);
    match typed {
        Cell::Number(_) => Cells::Number(cells.map(|c| if let Cell::Number(v) = c { *v } else { None }).collect()),
        Cell::Count(_) => Cells::Count(cells.map(|c| if let Cell::Count(v) = c { *v } else { None }).collect()),
        Cell::Flag(_) => Cells::Flag(cells.map(|c| if let Cell::Flag(v) = c { Some(*v) } else { None }).collect()),
        Cell::Day(_) => Cells::Day(cells.map(|c| if let Cell::Day(d) = c { Some(*d) } else { None }).collect()),
        _ => Cells::Text(
            cells
                .map(|c| match c {
                    Cell::Text(t) => Some(*t),
                    Cell::MaybeText(t) => *t,
                    _ => None,
                })
                .collect(),
        ),
    }
}

/// A leadership metric at or past a status in its latest whole period.
#[derive(Debug, PartialEq, Eq)]
pub struct Failing {
    pub metric: String,
    pub site: String,
    /// The row's `by` values, `name=value`.
    pub dims: Vec<String>,
    pub period: String,
    pub status: RowStatus,
}

/// The leadership metrics (tag `leadership`) whose latest whole period, at their own
/// grain, has `at_least` (red, or amber and red) at any site or `all`. Pending,
/// baseline, no-data, not-collected and unjudged rows never count.
pub fn failing(checked: &Checked, rows: &[ResultRow], at_least: RowStatus) -> Vec<Failing> {
    let counts = |s: RowStatus| match at_least {
        RowStatus::Amber => matches!(s, RowStatus::Amber | RowStatus::Red),
        _ => s == RowStatus::Red,
    };
    let mut found = Vec::new();
    for m in checked.set.metrics.iter().filter(|m| m.tags.iter().any(|t| t == "leadership")) {
        let own: Vec<&ResultRow> = rows.iter().filter(|r| r.metric == m.id && !r.partial).collect();
        let Some(latest) = own.iter().map(|r| r.period_end).max() else { continue };
        for r in own.iter().filter(|r| r.period_end == latest) {
            if let Some(status) = r.status.filter(|s| counts(*s)) {
                found.push(Failing {
                    metric: m.id.to_string(),
                    site: r.site.to_string(),
                    dims: r.dims.iter().map(|(d, v)| format!("{d}={}", v.as_deref().unwrap_or("(null)"))).collect(),
                    period: r.period.clone(),
                    status,
                });
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_column_without_rows_is_written_with_its_type() {
        assert!(matches!(column(&[], 0, &Cell::Number(None)), Cells::Number(v) if v.is_empty()));
        assert!(matches!(column(&[], 0, &Cell::Count(None)), Cells::Count(v) if v.is_empty()));
        // A first row with nothing in it does not make the column text.
        let body = vec![vec![Cell::Number(None)], vec![Cell::Number(Some(2.5))]];
        assert!(matches!(column(&body, 0, &Cell::Number(None)), Cells::Number(v) if v == [None, Some(2.5)]));
    }
}
