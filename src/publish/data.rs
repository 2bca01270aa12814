//! `check --data`: every bound file at every site read and checked against the data
//! rules, then every metric computed on what was read, so that a baseline too thin to
//! compare against is said before a build relies on it.

use crate::check::Checked;
use crate::diag::{Diagnostic, codes};
use crate::engine::data::{DataReport, Expected, FileCache, check_all};
use crate::ir::{DefinitionSet, SiteRef};
use crate::results::{Results, RowStatus};
use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet};

/// What checking the data found.
#[derive(Debug, Default)]
pub struct DataCheck {
    /// What reading found that does not stop the data being used: values read but not as
    /// written, rows left out for codes not mapped.
    pub warnings: Vec<Diagnostic>,
    /// What makes the data unusable: files missing, values that do not parse.
    pub errors: Vec<Diagnostic>,
    /// Why computing on the data read failed (when it read cleanly).
    pub failed: Vec<Diagnostic>,
    /// W1009: baselines that rest on fewer than five rows.
    pub thin: Vec<Diagnostic>,
    /// Rows and files read, comment lines skipped, rows left out for codes not mapped.
    pub rows: usize,
    pub files: usize,
    pub comments: usize,
    pub excluded: usize,
}

/// Reads every bound file at every site as of the end of `as_of` and computes every
/// metric on it (the files read once).
pub fn check_data(checked: &Checked, project: &crate::ir::Project, as_of: NaiveDate) -> DataCheck {
    let files = FileCache::default();
    let mut report = DataReport { files: Some(files.clone()), ..Default::default() };
    let inputs = crate::plan::Inputs::new(project, &checked.set);
    let (timed, events) = timed(&checked.set);
    let expected = Expected { timed: &timed, events: &events, start: project.start };
    let summary = check_all(&inputs, &expected, as_of, &mut report);
    let mut check = DataCheck {
        warnings: summary.warnings(&report),
        rows: summary.rows.values().sum(),
        files: summary.rows.len(),
        comments: summary.comments,
        excluded: report.excluded_codes.values().map(|e| e.rows).sum(),
        ..Default::default()
    };
    if !report.errors.is_empty() {
        check.errors = report.errors;
        return check;
    }
    let metrics = checked.set.ids();
    let request = crate::plan::Request { metrics: &metrics, as_of, grain: None, to_date: false };
    match crate::compute_on(checked, &request, &crate::engine::Polars::reading_from(files)) {
        Ok(results) => check.thin = thin_baselines(&checked.set, &results),
        Err(errors) => check.failed = errors,
    }
    check
}

/// The columns that place rows in periods, per (source, column), with the metrics they
/// time, and those that time event metrics. A column the schema declares nullable is
/// empty by design (an exception not closed yet): its empty rows are not events yet, and
/// there is nothing to fill.
type Timed = BTreeMap<(String, String), Vec<String>>;
fn timed(set: &DefinitionSet) -> (Timed, BTreeSet<(String, String)>) {
    let mut timed: Timed = BTreeMap::new();
    let mut events = BTreeSet::new();
    for m in &set.metrics {
        if let crate::ir::MetricBody::Base(b) = &m.body {
            let column = b.time.column();
            if let crate::ir::TimeSemantics::Event { .. } = &b.time {
                events.insert((b.source.clone(), column.to_string()));
            }
            let nullable = set.sources.get(&b.source).and_then(|s| s.column(column)).is_some_and(|c| c.nullable);
            if !nullable {
                timed.entry((b.source.clone(), column.to_string())).or_default().push(m.id.to_string());
            }
        }
    }
    (timed, events)
}

/// W1009 (`check --data`): a baseline that rests on fewer than five rows at a site: one
/// event more or less moves it by a fifth or more. Counted over the baseline periods of
/// the computed `results` (every dimension value together).
pub fn thin_baselines(set: &DefinitionSet, results: &Results) -> Vec<Diagnostic> {
    let mut rows: std::collections::BTreeMap<(&str, String), u64> = std::collections::BTreeMap::new();
    for r in results.rows.iter().filter(|r| r.status == Some(RowStatus::Baseline) && r.site != SiteRef::All) {
        if let Some(n) = r.n {
            *rows.entry((r.metric.as_str(), r.site.to_string())).or_default() += n;
        }
    }
    let mut found = Vec::new();
    for ((id, site), n) in rows.into_iter().filter(|(_, n)| *n < 5) {
        let Some(m) = set.metric(id) else { continue };
        if m.allow.iter().any(|a| codes::W1009 == a.code.as_str()) {
            continue;
        }
        let d = Diagnostic::warning(
            codes::W1009,
            format!("the baseline of `{id}` at site `{site}` rests on {n} row{}", if n == 1 { "" } else { "s" }),
        )
        .label("a baseline of fewer than five rows")
        .help(format!(
            "one row more or less moves it by a fifth or more: widen the baseline window, compute at a coarser grain, or read its changes as noise; {}",
            crate::check::lint::exempt_help(codes::W1009)
        ));
        found.push(match m.at {
            Some(span) => d.at(span),
            None => d,
        });
    }
    found
}
