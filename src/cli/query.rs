//! `yardstick query`: one metric per site and period, as a table, CSV or JSON.

use crate::check::ir::{Collection, Grain};
use crate::diag::{Sources, codes, render_all};
use crate::plan::Request;
use crate::results::{ResultRow, RowCoverage, header, number};
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
    pub metric: &'a str,
    pub project: &'a Path,
    pub site: Option<&'a str>,
    pub grain: Option<Grain>,
    pub as_of: NaiveDate,
    pub format: Format,
}

pub fn run(args: &Args, color: bool) -> ExitCode {
    let mut sources = Sources::default();
    let (checked, diags) = crate::compile(args.project, &mut sources);
    // The notes on unbound sources concern other metrics; the results say which of these
    // are not collected.
    let shown: Vec<_> = diags.iter().filter(|d| d.code != codes::N0610).collect();
    if !shown.is_empty() {
        eprint!("{}", render_all(shown.into_iter(), &sources, color));
    }
    let Some(checked) = checked else {
        return ExitCode::from(1);
    };
    let metrics = [args.metric.to_string()];
    let request = Request { metrics: &metrics, as_of: args.as_of, grain: args.grain };
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
    if let Some(site) = args.site
        && !results.rows.iter().any(|r| r.site == site)
    {
        let known: Vec<&str> =
            checked.project.iter().flat_map(|p| p.sites.iter().map(|s| s.id.as_str())).chain(["all"]).collect();
        eprintln!("error: no site `{site}` in this project; sites: {}", known.join(", "));
        return ExitCode::from(2);
    }
    let rows: Vec<&ResultRow> = results.rows.iter().filter(|r| args.site.is_none_or(|s| r.site == s)).collect();
    let dims: Vec<String> = rows.first().map(|r| r.dims.iter().map(|(d, _)| d.clone()).collect()).unwrap_or_default();
    let text = match args.format {
        Format::Csv => csv(&dims, &rows),
        Format::Json => json(&rows),
        Format::Table => table(&dims, &rows),
    };
    super::emit(&text)
}

fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

pub fn csv(dims: &[String], rows: &[&ResultRow]) -> String {
    let mut out = header(dims).iter().map(|h| csv_cell(h)).collect::<Vec<_>>().join(",") + "\n";
    for r in rows {
        out += &(r.cells().iter().map(|c| csv_cell(c)).collect::<Vec<_>>().join(",") + "\n");
    }
    out
}

/// The rows as a JSON array of objects with the results table's columns.
pub fn json(rows: &[&ResultRow]) -> String {
    serde_json::to_string_pretty(rows).expect("result rows serialize") + "\n"
}

/// A readable table for a terminal: the columns a person reads first.
pub fn table(dims: &[String], rows: &[&ResultRow]) -> String {
    let mut head: Vec<String> = vec!["site".into()];
    head.extend(dims.iter().cloned());
    head.extend(["period", "value", "n", "baseline", "delta", "delta %", "status", "note"].map(String::from));
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
            c.extend([
                r.period.clone(),
                number(round(r.value)),
                r.n.map_or_else(String::new, |n| n.to_string()),
                number(round(r.baseline)),
                match r.points {
                    true => r.delta.map_or_else(String::new, |d| format!("{:+.1} pp", d * 100.0)),
                    false => number(round(r.delta)),
                },
                pct(r.delta_pct),
                r.status.map_or("", |s| s.as_str()).to_string(),
                note.join(", "),
            ]);
            c
        })
        .collect();
    let widths: Vec<usize> = (0..head.len())
        .map(|i| body.iter().map(|r| r[i].chars().count()).chain([head[i].len()]).max().unwrap_or(0))
        .collect();
    let line = |cells: &[String]| {
        cells.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect::<Vec<_>>().join("  ").trim_end().to_string()
            + "\n"
    };
    let mut out = line(&head);
    out += &line(&widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>());
    for r in &body {
        out += &line(r);
    }
    out
}
