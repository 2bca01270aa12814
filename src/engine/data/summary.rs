//! `check --data`: every bound source read at every site, and what was found besides
//! errors (rows read, comment lines, deprecated codes, rows without a time).

use super::*;

/// What `check --data` found besides errors.
#[derive(Debug, Default)]
pub struct DataSummary {
    /// Rows read per (site, source).
    pub rows: BTreeMap<(String, String), usize>,
    /// Lines skipped as comments, over every file.
    pub comments: usize,
    /// Rows whose time column is empty, so metrics timed by it leave them out:
    /// (site, source, column) to (rows, metrics).
    pub untimed: BTreeMap<(String, String, String), (usize, Vec<String>)>,
    /// Deprecated codes read as their replacement: (site, source, column) to rows.
    pub deprecated: BTreeMap<(String, String, String), usize>,
    /// Rows an event metric's time column dates before the project's start, so that they
    /// count in the first period as left out: (site, source, column) to (rows, where).
    pub early: BTreeMap<(String, String, String), (usize, String)>,
}

/// What `check --data` reads the data against besides its rules.
pub struct Expected<'a> {
    /// Per (source, column) that places rows in periods, the metrics it times: its empty
    /// cells are reported as rows those metrics leave out.
    pub timed: &'a BTreeMap<(String, String), Vec<String>>,
    /// The (source, column) pairs that time event metrics, and the project's start: a
    /// row dated earlier counts in no period (N0701).
    pub events: &'a BTreeSet<(String, String)>,
    pub start: NaiveDate,
}

impl DataSummary {
    /// What `check --data` says besides errors, as warnings: rows left out for unmapped
    /// codes, deprecated codes read as their replacement, rows without a time column.
    pub fn warnings(&self, report: &DataReport) -> Vec<Diagnostic> {
        let mut found = report.warnings.clone();
        for ((site, source, column, code), e) in &report.excluded_codes {
            let message = format!(
                "{} row(s) of `{source}` at site `{site}` left out: code `{code}` in column `{column}` is not mapped: {}",
                e.rows, e.located
            );
            let map = format!(
                "map `{code}` in sites/{site}.yaml to count these rows; until then every metric over `{source}` leaves them out"
            );
            let help = e.hint.as_ref().map_or(map.clone(), |h| with_hint(h, &map));
            found.push(Diagnostic::warning(codes::W0701, message).help(help));
        }
        for ((site, source, column), n) in &self.deprecated {
            let message = format!(
                "{n} row(s) of `{source}` at site `{site}` hold a deprecated code in `{column}`, read as its replacement"
            );
            found.push(Diagnostic::warning(codes::W0702, message).help("export the current term, or map the old code"));
        }
        for ((site, source, column), (n, metrics)) in &self.untimed {
            let metrics: Vec<String> = metrics.iter().map(|m| format!("`{m}`")).collect();
            let message = format!(
                "{n} row(s) of `{source}` at site `{site}` have no `{column}` and are left out of {}",
                metrics.join(", ")
            );
            found.push(Diagnostic::warning(codes::W0703, message).help(format!("fill `{column}` in the export")));
        }
        for ((site, source, column), (n, located)) in &self.early {
            let message = format!(
                "{n} row(s) of `{source}` at site `{site}` are dated by `{column}` before the project's start, counted in the first period as left out (`before_start`): {located}"
            );
            found.push(Diagnostic::note(codes::N0701, message).help(
                "nothing to fix for history older than the project; an earlier `start` in yardstick.yaml makes them count in their own periods",
            ));
        }
        found
    }
}

/// Reads every bound source at every site, as `check --data` does: all parse errors,
/// unmapped codes and broken data rules (as of `as_of`) are reported, per site, source and
/// column.
pub fn check_all(inputs: &Inputs, expected: &Expected, as_of: NaiveDate, report: &mut DataReport) -> DataSummary {
    // Sites side by side, each reading its sources in turn; reported in site order.
    let files = report.files.clone();
    let bound = inputs.bound_sources();
    let per_site = on_threads(inputs.sites, |site| {
        let mut own = DataReport { files: files.clone(), ..DataReport::default() };
        let mut summary = DataSummary::default();
        let mut read = BTreeMap::new();
        for &source_name in &bound {
            let source = &inputs.sources[source_name];
            let Some(t) = read_site_table(inputs, source, site, as_of, &mut own) else { continue };
            summary.rows.insert((site.id.to_string(), source_name.to_string()), t.frame.height());
            summary.comments += t.lines.comments;
            for (column, n) in &t.deprecated {
                summary.deprecated.insert((site.id.to_string(), source_name.to_string(), column.clone()), *n);
            }
            for ((s, column), metrics) in expected.timed {
                let nulls = t.frame.column(column).map_or(0, |c| c.null_count());
                if *s == source_name && nulls > 0 {
                    let key = (site.id.to_string(), source_name.to_string(), column.to_string());
                    summary.untimed.insert(key, (nulls, metrics.clone()));
                }
            }
            for (_, column) in expected.events.iter().filter(|(s, _)| s == source_name) {
                let rows = early(&t, column, site.timezone, expected.start);
                if !rows.is_empty() {
                    let located = rules::located(&t.path, &rows, &t.lines);
                    let key = (site.id.to_string(), source_name.to_string(), column.to_string());
                    summary.early.insert(key, (rows.len(), located));
                }
            }
            read.insert(source_name, t);
        }
        if let Err(e) = site_joins(inputs, site, &read, as_of, &mut own) {
            let message = format!("cannot check the joins at site `{}`: {e}", site.id);
            own.errors.push(Diagnostic::error(codes::E0802, message));
        }
        (own, summary)
    });
    let mut summary = DataSummary::default();
    for (own, site) in per_site {
        report.merge(own);
        summary.rows.extend(site.rows);
        summary.comments += site.comments;
        summary.untimed.extend(site.untimed);
        summary.deprecated.extend(site.deprecated);
        summary.early.extend(site.early);
    }
    summary
}

/// The join misses of every join between two sources read at `site`, reported by each
/// join's `on_missing`.
fn site_joins(
    inputs: &Inputs,
    site: &Site,
    read: &BTreeMap<&str, SiteTable>,
    as_of: NaiveDate,
    report: &mut DataReport,
) -> PolarsResult<()> {
    for &source_name in read.keys() {
        let source = &inputs.sources[source_name];
        for join in source.joins.iter().filter(|j| j.source != source_name) {
            let (Some(left), Some(right)) = (read.get(source_name), read.get(join.source.as_str())) else { continue };
            let target = &inputs.sources[&join.source];
            let missed = joins::misses((left, source), (right, target), join, site.timezone, as_of)?;
            joins::report_misses(left, source, join, &missed, as_of, report);
        }
    }
    Ok(())
}
