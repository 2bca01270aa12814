//! `yardstick query`: one metric per site and period, as a table, CSV or JSON.

use crate::check::ir::Grain;
use crate::diag::{Sources, render_all};
use crate::engine::results::{ResultRow, header, number};
use crate::engine::{Request, compute};
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
    let Some(checked) = checked else {
        eprint!("{}", render_all(diags.iter(), &sources, color));
        return ExitCode::from(1);
    };
    let metrics = [args.metric.to_string()];
    let request = Request { metrics: &metrics, as_of: args.as_of, grain: args.grain };
    let results = match compute(&checked, &request) {
        Ok(r) => r,
        Err(errors) => {
            eprint!("{}", render_all(errors.iter(), &sources, color));
            return ExitCode::from(1);
        }
    };
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
    print!("{text}");
    ExitCode::SUCCESS
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

pub fn json(rows: &[&ResultRow]) -> String {
    let num = |v: Option<f64>| v.map_or(serde_json::Value::Null, |v| serde_json::json!(v));
    let items: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
            let mut o = serde_json::Map::new();
            o.insert("metric".into(), r.metric.clone().into());
            o.insert("version".into(), r.version.into());
            o.insert("site".into(), r.site.clone().into());
            for (d, v) in &r.dims {
                o.insert(d.clone(), v.clone().map_or(serde_json::Value::Null, Into::into));
            }
            o.insert("period".into(), r.period.clone().into());
            o.insert("period_start".into(), r.period_start.to_string().into());
            o.insert("period_end".into(), r.period_end.to_string().into());
            o.insert("partial".into(), r.partial.into());
            o.insert("value".into(), num(r.value));
            o.insert("n".into(), r.n.map_or(serde_json::Value::Null, Into::into));
            o.insert("excluded".into(), r.excluded.into());
            o.insert("baseline".into(), num(r.baseline));
            o.insert("delta".into(), num(r.delta));
            o.insert("delta_pct".into(), num(r.delta_pct));
            o.insert("target".into(), num(r.target));
            o.insert("status".into(), r.status.map_or(serde_json::Value::Null, |s| s.as_str().into()));
            o.insert("coverage".into(), r.coverage.into());
            o.insert("collection".into(), r.collection.into());
            o.insert("fingerprint".into(), r.fingerprint.clone().into());
            serde_json::Value::Object(o)
        })
        .collect();
    serde_json::to_string_pretty(&items).expect("JSON values serialize") + "\n"
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
            let mut c = vec![r.site.clone()];
            c.extend(r.dims.iter().map(|(_, v)| v.clone().unwrap_or_else(|| "(null)".into())));
            let mut note = Vec::new();
            if r.partial {
                note.push("partial");
            }
            if r.coverage != "covered" {
                note.push("not covered");
            }
            if r.collection != "automated" {
                note.push(r.collection);
            }
            c.extend([
                r.period.clone(),
                number(round(r.value)),
                r.n.map_or_else(String::new, |n| n.to_string()),
                number(round(r.baseline)),
                number(round(r.delta)),
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
