//! `yardstick query`: one metric per site and period, as a table, CSV or JSON.

use crate::diag::render_all;
use crate::ir::{Collection, Grain, MetricId, SiteRef};
use crate::plan::Request;
use crate::results::{ResultRow, RowCoverage, number};
use chrono::NaiveDate;
use std::path::Path;
use std::process::ExitCode;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Csv,
    Json,
}

pub struct Args<'a> {
    pub metrics: &'a [String],
    pub tag: Option<&'a str>,
    pub project: &'a Path,
    pub site: Option<&'a str>,
    pub grain: Option<Grain>,
    pub as_of: Option<NaiveDate>,
    /// Judge the period holding `as_of` on its days so far.
    pub to_date: bool,
    pub format: Format,
}

pub fn run(args: &Args, color: bool) -> ExitCode {
    let (checked, sources) = super::compile_for_metrics(args.project, color);
    let Some(checked) = checked else {
        return ExitCode::from(1);
    };
    let Some(metrics) = requested(&checked.set, args) else { return ExitCode::from(2) };
    let as_of = match super::as_of(args.as_of, Some(&checked), color) {
        Ok(day) => day,
        Err(code) => return code,
    };
    // Judged to date, the run ends with the last whole month.
    let computed_to = if args.to_date { crate::plan::to_date_as_of(as_of) } else { as_of };
    let request = Request { metrics: &metrics, as_of: computed_to, grain: args.grain, to_date: args.to_date };
    let results = match crate::compute(&checked, &request) {
        Ok(r) => r,
        Err(errors) => {
            eprint!("{}", render_all(errors.iter(), &sources, color));
            return ExitCode::from(1);
        }
    };
    if !results.warnings.is_empty() {
        eprint!("{}", render_all(results.warnings.iter(), &sources, color));
    }
    if args.to_date {
        eprintln!("note: {}", to_date_note(&results.rows, computed_to));
    }
    if checked.set.metrics.iter().any(|m| m.local) {
        // Never passed off as the shared set's numbers alone.
        eprintln!("note: {}", checked.set.describe());
    }
    if let Some(site) = args.site
        && !results.rows.iter().any(|r| r.site == site)
    {
        let known: Vec<&str> =
            checked.project.iter().flat_map(|p| p.sites.iter().map(|s| s.id.as_str())).chain([SiteRef::ALL]).collect();
        eprintln!("error: no site `{site}` in this project; sites: {}", known.join(", "));
        return ExitCode::from(2);
    }
    // In the order asked for, each metric's rows together.
    let of = |m: &MetricId| -> Vec<&ResultRow> {
        results.rows.iter().filter(|r| r.metric == *m && args.site.is_none_or(|s| r.site == s)).collect()
    };
    let rows: Vec<&ResultRow> = metrics.iter().flat_map(&of).collect();
    let dims = crate::results::dimensions(rows.iter().map(|r| &r.dims));
    let trends = |m: &MetricId| trend_lines(&results.trends, m, args.site);
    let text = match args.format {
        Format::Csv => crate::results::to_csv(&rows),
        Format::Json => json(&rows),
        Format::Table if metrics.len() == 1 => table(&dims, &rows) + &trends(&metrics[0]),
        Format::Table => {
            let each = metrics.iter().map(|m| {
                let rows = of(m);
                let dims: Vec<String> =
                    rows.first().map(|r| r.dims.iter().map(|(d, _)| d.clone()).collect()).unwrap_or_default();
                format!("{m}\n{}{}", table(&dims, &rows), trends(m))
            });
            each.collect::<Vec<_>>().join("\n")
        }
    };
    super::emit(&text)
}

/// What `--to-date` judged: the periods holding `as_of`, each with its days so far.
fn to_date_note(rows: &[ResultRow], as_of: NaiveDate) -> String {
    let mut periods: Vec<(&str, i64)> = rows
        .iter()
        .filter(|r| r.partial && r.period_end == as_of)
        .map(|r| (r.period.as_str(), (r.period_end - r.period_start).num_days() + 1))
        .collect();
    periods.sort_unstable();
    periods.dedup();
    if periods.is_empty() {
        return format!("--to-date judged nothing more: {as_of}, the last whole month's end, ends its period");
    }
    let each: Vec<String> = periods.iter().map(|(p, days)| format!("{p} to date ({days} days, to {as_of})")).collect();
    format!(
        "{} judged on its whole months so far, each baseline's counts and sums scaled to them; where the data does not cover those days it stays pending",
        each.join(", ")
    )
}

/// The metrics asked for: the ids given, then those with the tag (once each); `None`
/// (said) when the tag names no metric.
fn requested(set: &crate::ir::DefinitionSet, args: &Args) -> Option<Vec<MetricId>> {
    let mut metrics: Vec<MetricId> = Vec::new();
    for m in args.metrics {
        if !metrics.iter().any(|x| x.as_str() == m) {
            metrics.push(MetricId(m.clone()));
        }
    }
    if let Some(tag) = args.tag {
        let tagged: Vec<&str> =
            set.in_order().into_iter().filter(|m| m.tags.iter().any(|t| t == tag)).map(|m| m.id.as_str()).collect();
        if tagged.is_empty() {
            super::no_such_tag(set, tag);
            return None;
        }
        for m in tagged {
            if !metrics.iter().any(|x| x.as_str() == m) {
                metrics.push(MetricId(m.to_string()));
            }
        }
    }
    Some(metrics)
}

/// Under a metric's table, its trends since rollout (at `site` only, when given), one
/// line each; nothing for a metric without a trend method.
fn trend_lines(trends: &[crate::results::trend::TrendRow], m: &MetricId, site: Option<&str>) -> String {
    let lines: Vec<String> = trends
        .iter()
        .filter(|t| t.metric == *m && site.is_none_or(|s| t.site == s))
        .map(|t| format!("  {}: {}\n", t.at(), t.describe()))
        .collect();
    if lines.is_empty() { String::new() } else { format!("\ntrend since rollout\n{}", lines.concat()) }
}

/// The rows as a JSON array of objects with the results table's columns.
pub fn json(rows: &[&ResultRow]) -> String {
    serde_json::to_string_pretty(rows).expect("result rows serialize") + "\n"
}

/// A readable table for a terminal: the columns a person reads first.
pub fn table(dims: &[String], rows: &[&ResultRow]) -> String {
    let mut head: Vec<String> = vec!["site".into()];
    head.extend(dims.iter().cloned());
    let columns = ["period", "value", "interval", "n", "baseline", "delta", "delta %", "change", "status", "note"];
    head.extend(columns.map(String::from));
    let pct = |v: Option<f64>| v.map_or_else(String::new, |v| format!("{:+.1}%", v * 100.0));
    let round = |v: Option<f64>| v.map(|v| (v * 1000.0).round() / 1000.0);
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let mut c = vec![r.site.to_string()];
            c.extend(r.dims.iter().map(|(_, v)| v.clone().unwrap_or_else(|| "(null)".into())));
            let mut note = Vec::new();
            if r.partial {
                note.push("partial");
            }
            match r.coverage {
                RowCoverage::Covered => {}
                RowCoverage::NotCovered => note.push("not covered"),
                RowCoverage::NotCollected => note.push("not collected"),
            }
            if r.collection != Collection::Automated {
                note.push(r.collection.as_str());
            }
            if let Some(why) = &r.status_note {
                note.push(why);
            }
            // An approximate interval (a stock's) reads `~[l, u]`.
            let approximate = if r.approximate { "~" } else { "" };
            let interval = match (round(r.lower), round(r.upper)) {
                (Some(l), Some(u)) => format!("{approximate}[{}, {}]", number(Some(l)), number(Some(u))),
                _ => String::new(),
            };
            c.extend([
                r.period.clone(),
                number(round(r.value)),
                interval,
                r.n.map_or_else(String::new, |n| n.to_string()),
                number(round(r.baseline)),
                match r.points {
                    true => r.delta.map_or_else(String::new, |d| format!("{:+.1} pp", d * 100.0)),
                    false => number(round(r.delta)),
                },
                pct(r.delta_pct),
                r.change.map_or("", |c| c.as_str()).to_string(),
                r.status.map_or("", |s| s.as_str()).to_string(),
                note.join(", "),
            ]);
            c
        })
        .collect();
    super::aligned(&head, &body)
}
