//! `yardstick explain METRIC`: what a metric means, in words, where its numbers come from,
//! and the query that computes them.

use crate::check::Checked;
use crate::check::ir::{Direction, Grain, Metric, MetricBody, TExpr, TExprKind, Target, TimeSemantics};
use crate::diag::{Sources, render_all};
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

pub fn run(metric: &str, project: &Path, color: bool) -> ExitCode {
    let mut sources = Sources::default();
    let (checked, diags) = crate::compile(project, &mut sources);
    let Some(checked) = checked else {
        eprint!("{}", render_all(diags.iter(), &sources, color));
        return ExitCode::from(1);
    };
    let Some(m) = checked.set.metric(metric) else {
        let help = crate::diag::did_you_mean(metric, checked.set.metrics.iter().map(|m| m.id.0.as_str()))
            .unwrap_or_else(|| "`yardstick check` counts the set's metrics; metrics/README.md lists them".into());
        eprintln!("error: no metric `{metric}` in the definition set\n  help: {help}");
        return ExitCode::from(2);
    };
    let mut out = describe(&checked, m);
    if checked.project.is_some() {
        match crate::engine::plan_text(&checked, m, chrono::Utc::now().date_naive()) {
            Ok(plan) => {
                out.push_str("\nQuery plan (Polars, per site and period)\n");
                for line in plan.lines() {
                    let _ = writeln!(out, "  {line}");
                }
            }
            Err(d) => {
                eprint!("{}", render_all([d.as_ref()], &sources, color));
                return ExitCode::from(1);
            }
        }
    }
    print!("{out}");
    ExitCode::SUCCESS
}

/// The metric's resolved meaning and lineage in plain words.
pub fn describe(c: &Checked, m: &Metric) -> String {
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(w, "{} (version {}): {}", m.id, m.version, m.title);
    if let Some(d) = &m.description {
        let _ = writeln!(w, "  {d}");
    }
    let grain = match m.grain {
        Grain::Month => "month",
        Grain::Quarter => "quarter",
        Grain::Year => "year",
    };
    let direction = match m.direction {
        Direction::HigherIsBetter => "higher is better",
        Direction::LowerIsBetter => "lower is better",
        Direction::Neutral => "neutral",
    };
    let _ = writeln!(w, "  {:?} layer; unit {}; {direction}; computed per site and {grain}.", m.layer, m.unit);
    if let Some(need) = &m.information_need {
        let _ = writeln!(w, "  Answers: {need}");
    }
    let _ = writeln!(w, "\nMeaning");
    let mut exprs: Vec<&TExpr> = Vec::new();
    match &m.body {
        MetricBody::Base(b) => {
            let source = &c.set.sources[&b.source];
            let _ = writeln!(
                w,
                "  source:  {}{}",
                b.source,
                source.title.as_ref().map_or(String::new(), |t| format!(" ({t})"))
            );
            let time = match &b.time {
                TimeSemantics::Event { column } => {
                    format!("event: a row counts in the period that holds `{column}`; rows without it are left out")
                }
                TimeSemantics::Open { from, close } => format!(
                    "open: a row counts in each period at whose end it is open (`{from}` before the end{})",
                    close.as_ref().map_or(String::new(), |c| format!(", `{c}` empty or not before it"))
                ),
                TimeSemantics::Snapshot { column } => {
                    format!("snapshot: the rows of the latest `{column}` inside each period")
                }
            };
            let _ = writeln!(w, "  time:    {time}");
            if let Some(f) = &b.filter {
                let _ = writeln!(w, "  where:   {f}");
                exprs.push(f);
            }
            let _ = writeln!(w, "  value:   {}", b.value);
            exprs.push(&b.value);
            if !b.by.is_empty() {
                let _ = writeln!(w, "  by:      {}", b.by.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(", "));
            }
        }
        MetricBody::Derived { value, inputs } => {
            let _ = writeln!(w, "  derived: {value}");
            let _ = writeln!(
                w,
                "  from:    {} (same site and period)",
                inputs.iter().map(|i| i.0.as_str()).collect::<Vec<_>>().join(", ")
            );
            exprs.push(value);
        }
    }
    // Groups expanded: a change of membership changes the numbers.
    let mut groups = BTreeSet::new();
    let mut vocabs = BTreeSet::new();
    let mut columns = BTreeSet::new();
    for e in &exprs {
        e.walk(&mut |x| match &x.kind {
            TExprKind::TermSet { vocab, group, terms } => {
                groups.insert(format!("{vocab}.{group} = {}", terms.join(", ")));
                vocabs.insert(vocab.clone());
            }
            TExprKind::Term { vocab, .. } => {
                vocabs.insert(vocab.clone());
            }
            TExprKind::Column(col) => {
                columns.insert(col.to_string());
            }
            _ => {}
        });
    }
    for g in &groups {
        let _ = writeln!(w, "           {g}");
    }
    match &m.target {
        Some(Target::Change { change, by }) => {
            let _ = writeln!(
                w,
                "  target:  {:+}% against the baseline{}",
                change * 100.0,
                by.map_or(String::new(), |d| format!(" by {d}"))
            );
        }
        Some(Target::Value { value, by }) => {
            let _ = writeln!(w, "  target:  {value}{}", by.map_or(String::new(), |d| format!(" by {d}")));
        }
        None => {}
    }
    for t in &m.thresholds {
        let _ = writeln!(w, "  {:?}:   when {}", t.status, t.condition);
    }
    if !m.thresholds.is_empty() {
        let _ = writeln!(w, "  Red:     otherwise");
    }
    let _ = writeln!(w, "\nLineage");
    let _ = writeln!(w, "  definition:   {}", m.path.display());
    if let MetricBody::Base(b) = &m.body {
        let mut files = Vec::new();
        let mut sources = vec![b.source.clone()];
        let source = &c.set.sources[&b.source];
        sources.extend(b.joins_used().iter().filter_map(|j| source.join(j)).map(|j| j.source.clone()));
        for s in &sources {
            if let Some(binding) = c.project.as_ref().and_then(|p| p.bindings.get(s)) {
                files.push(format!("{} ({s})", binding.file));
            } else {
                files.push(format!("{s} (not bound)"));
            }
        }
        let _ = writeln!(w, "  files:        {}", files.join(", "));
    }
    if !columns.is_empty() {
        let _ = writeln!(w, "  columns:      {}", columns.into_iter().collect::<Vec<_>>().join(", "));
    }
    if !vocabs.is_empty() {
        let listed: Vec<String> =
            vocabs.iter().map(|v| format!("{v} (version {})", c.set.vocabularies[v].version)).collect();
        let _ = writeln!(w, "  vocabularies: {}", listed.join(", "));
    }
    if !m.references.is_empty() {
        let refs: Vec<String> = m.references.iter().map(|r| r.to_string()).collect();
        let _ = writeln!(w, "  references:   {}", refs.join(", "));
    }
    if let Some(cv) = &m.caveats {
        let _ = writeln!(w, "  caveats:      {cv}");
    }
    out
}
