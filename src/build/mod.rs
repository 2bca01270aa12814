//! The scheduled build (SPEC sections 10 and 12): every metric of the project computed in
//! one run, written with the audit manifest into the output folder, whole or not at all.
//! The files are written into a temporary folder beside the target and moved into place
//! under a lock at the end, so that a failed build leaves the previous output as it was
//! and two builds into one folder never mix their files.

mod git;
mod manifest;

pub use git::{GitCli, GitState, Vcs};
pub use manifest::Manifest;

use crate::check::Checked;
use crate::results::{ResultRow, RowStatus};
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

/// The files of one build, in the order they are written.
pub const RESULTS_CSV: &str = "results.csv";
pub const RESULTS_PARQUET: &str = "results.parquet";
pub const MANIFEST: &str = "manifest.json";

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
) -> Result<Built, String> {
    refuse_foreign(checked, out)?;
    let parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    let name = out.file_name().and_then(|n| n.to_str()).unwrap_or("out");
    let stamp = format!("{}-{}", std::process::id(), chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default());
    let staging = parent.join(format!(".{name}.tmp-{stamp}"));
    let written = stage(checked, results, as_of, &staging, vcs, reports).and_then(|manifest| {
        swap(parent, name, &staging, out, &stamp)?;
        let mut files = vec![RESULTS_CSV.to_string(), RESULTS_PARQUET.to_string()];
        files.extend(manifest.outputs.iter().skip(2).map(|o| o.file.clone()));
        files.push(MANIFEST.to_string());
        Ok(Built { out: out.to_path_buf(), files, manifest })
    });
    if written.is_err() {
        let _ = fs::remove_dir_all(&staging);
    }
    written
}

/// `out` may be replaced only when it is a previous build's output (it holds a
/// manifest), or new, or empty: never the project itself or a folder of other files.
fn refuse_foreign(checked: &Checked, out: &Path) -> Result<(), String> {
    let is_project =
        checked.project.as_ref().is_some_and(|p| same(&p.root, out)) || out.join("yardstick.yaml").exists();
    let foreign = match fs::read_dir(out) {
        Ok(mut entries) => entries.next().is_some() && !is_build_output(out),
        Err(_) => out.exists(),
    };
    if is_project || foreign {
        return Err(format!(
            "{} is not a build's output folder (it holds no {MANIFEST}); build replaces its --out folder whole, so name a new or previous output folder",
            out.display()
        ));
    }
    Ok(())
}

/// Whether `dir` holds a manifest that yardstick wrote.
fn is_build_output(dir: &Path) -> bool {
    let Ok(text) = fs::read_to_string(dir.join(MANIFEST)) else { return false };
    serde_json::from_str::<serde_json::Value>(&text).is_ok_and(|m| m["tool"]["name"] == "yardstick")
}

fn same(a: &Path, b: &Path) -> bool {
    match (fs::canonicalize(a), fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Renders the reports of a build from its manifest.
pub type Reports<'a> = dyn Fn(&Manifest) -> Result<Vec<crate::report::Rendered>, String> + 'a;

/// Writes every file into `staging`, the manifest last (it names the others' hashes).
fn stage(
    checked: &Checked,
    results: &crate::results::Results,
    as_of: NaiveDate,
    staging: &Path,
    vcs: &dyn Vcs,
    reports: &Reports,
) -> Result<Manifest, String> {
    fs::create_dir(staging).map_err(|e| format!("cannot create {}: {e}", staging.display()))?;
    let rows: Vec<&ResultRow> = results.rows.iter().collect();
    let csv = crate::results::to_csv(&rows);
    let write = |file: &str, bytes: &[u8]| {
        fs::write(staging.join(file), bytes).map_err(|e| format!("cannot write {}: {e}", staging.join(file).display()))
    };
    write(RESULTS_CSV, csv.as_bytes())?;
    let (head, body) = crate::results::table(&rows);
    crate::engine::write_parquet(&head, &body, &staging.join(RESULTS_PARQUET))?;
    let outputs = [RESULTS_CSV, RESULTS_PARQUET].map(|f| staging.join(f));
    let mut manifest = Manifest::new(checked, results, as_of, &outputs, vcs)?;
    let mut written = Vec::new();
    for report in reports(&manifest)? {
        let inside = Path::new(&report.file).components().all(|c| matches!(c, std::path::Component::Normal(_)));
        if !inside {
            return Err(format!("report file `{}` would be written outside the output folder", report.file));
        }
        let path = staging.join(&report.file);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        write(&report.file, report.text.as_bytes())?;
        written.push(path);
    }
    manifest.add_outputs(staging, &written)?;
    let json = serde_json::to_string_pretty(&manifest).map_err(|e| format!("cannot write the manifest: {e}"))? + "\n";
    write(MANIFEST, json.as_bytes())?;
    Ok(manifest)
}

/// Moves `staging` to `out`, the previous output aside and then away, under a lock that
/// concurrent builds into the same folder share.
fn swap(parent: &Path, name: &str, staging: &Path, out: &Path, stamp: &str) -> Result<(), String> {
    let lock_path = parent.join(format!(".{name}.lock"));
    let lock = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| format!("cannot lock {}: {e}", lock_path.display()))?;
    lock.lock().map_err(|e| format!("cannot lock {}: {e}", lock_path.display()))?;
    restore_interrupted(parent, name, out);
    let previous = parent.join(format!(".{name}.old-{stamp}"));
    let had_previous = out.exists();
    if had_previous {
        fs::rename(out, &previous).map_err(|e| format!("cannot move the previous {} aside: {e}", out.display()))?;
    }
    if let Err(e) = fs::rename(staging, out) {
        let kept = match had_previous && fs::rename(&previous, out).is_err() {
            true => format!("; the previous output is in {}", previous.display()),
            false => String::new(),
        };
        return Err(format!("cannot move the new output to {}: {e}{kept}", out.display()));
    }
    if had_previous {
        let _ = fs::remove_dir_all(&previous);
    }
    // The lock file stays: removing it would let a third build lock another file.
    drop(lock);
    Ok(())
}

/// A build stopped between moving the previous output aside and moving the new one in
/// leaves no `out` and a `.out.old-*` folder: that output is put back (under the lock).
fn restore_interrupted(parent: &Path, name: &str, out: &Path) {
    if out.exists() {
        return;
    }
    let prefix = format!(".{name}.old-");
    let Ok(entries) = fs::read_dir(parent) else { return };
    let mut old: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(&prefix)))
        .collect();
    old.sort();
    if let Some(latest) = old.last() {
        let _ = fs::rename(latest, out);
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
                    metric: m.id.0.clone(),
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
