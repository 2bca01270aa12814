//! `yardstick explain METRIC`, as text: what a metric means in words, where its numbers
//! come from (its lineage and, per site, what feeds it), and the plan that computes it, as
//! of a day; the back end's own plan when asked for.

use crate::check::Checked;
use crate::ir::{AggFn, Direction, Grain, Metric, MetricBody, Target};
use crate::plan::Request;
use crate::results::trend::TrendRow;
use chrono::NaiveDate;
use std::fmt::Write as _;

/// The explanation of `m`: its meaning and lineage, and with a project its sites and its
/// query plan as of the end of `as_of` (with the Polars plan when `polars`).
pub fn metric(
    checked: &Checked,
    m: &Metric,
    polars: bool,
    as_of: NaiveDate,
    trends: Trends,
) -> Result<String, Vec<crate::diag::Diagnostic>> {
    let mut out = describe(checked, m);
    if checked.project.is_some() {
        out.push_str(&plan_section(checked, m, polars, as_of)?);
        out.push_str(&trend_section(m, as_of, trends));
    }
    Ok(out)
}

/// The metric's trends since rollout, computed from the project's data; or the number of
/// data errors that kept them from being computed.
pub type Trends<'a> = Result<&'a [TrendRow], usize>;

/// Each site's trend since rollout, and the pooled one, in words.
fn trend_section(m: &Metric, as_of: NaiveDate, trends: Trends) -> String {
    let mut out = format!("\nTrend since rollout (as of {as_of})\n");
    if crate::results::trend::Method::of(m).is_none() {
        out.push_str(
            "  none yet for this aggregate (trends are fitted for event counts, shares, medians and percentiles)\n",
        );
        return out;
    }
    let rows = match trends {
        Ok(rows) => rows,
        Err(errors) => {
            let _ = writeln!(out, "  not computed: {errors} data error(s); `yardstick check --data` shows them");
            return out;
        }
    };
    for t in rows.iter().filter(|t| t.metric == m.id) {
        let _ = writeln!(out, "  {}: {}", t.at(), t.describe());
    }
    out
}

/// The metric's plan in words, and the Polars plan when asked for.
fn plan_section(
    checked: &Checked,
    m: &Metric,
    polars: bool,
    as_of: NaiveDate,
) -> Result<String, Vec<crate::diag::Diagnostic>> {
    let ids = [m.id.clone()];
    let plan = crate::plan::plan(checked, &Request { metrics: &ids, as_of, grain: None, to_date: false })?;
    let mut out = sites_section(checked, m, &plan);
    let _ = write!(out, "\nQuery plan (per site and period, as of {as_of})\n");
    let text =
        match (plan.bases.iter().find(|b| b.metric.id == m.id), plan.derived.iter().find(|d| d.metric.id == m.id)) {
            (Some(b), _) => plan.describe_base(b),
            (None, Some(d)) => plan.describe_derived(d),
            (None, None) => match plan.not_collected.get(&m.id) {
                Some(not) => format!("not collected in this project: {} under `sources:`\n", not.why()),
                None => String::new(),
            },
        };
    indent(&mut out, &text);
    if let Some(b) = plan.bases.iter().find(|b| b.metric.id == m.id).filter(|_| polars) {
        out.push_str("\nPolars plan (per site and period)\n");
        indent(&mut out, &crate::engine::describe(&plan, b)?);
    }
    Ok(out)
}

/// Per site, what feeds the metric there: rollout, baseline window (clipped to what the
/// data covers), coverage and collection of the sources it reads, the local codes mapped
/// onto its vocabularies, and the sources the site does not export.
fn sites_section(c: &Checked, m: &Metric, plan: &crate::plan::Plan) -> String {
    let Some(project) = &c.project else { return String::new() };
    let lineage = m.lineage(&c.set);
    let read = c.set.sources_read(m.id.as_str());
    let base = plan.bases.iter().find(|b| b.metric.id == m.id);
    let mut out = String::from("\nSites\n");
    for site in &project.sites {
        let rollout = site.rollout.map_or_else(|| "no rollout date".to_string(), |r| format!("rollout {r}"));
        let zone = if site.timezone == chrono_tz::Tz::UTC { String::new() } else { format!(", {}", site.timezone) };
        let _ = writeln!(out, "  {}: {rollout}{zone}", site.id);
        if let Some(w) = base.and_then(|b| b.window(&site.id)) {
            let _ = writeln!(out, "    baseline window: {} to {} ({:.1} months of data)", w.from, w.to, w.months());
        } else if base.is_some() {
            let _ = writeln!(out, "    baseline window: none (no rollout, or no data in it)");
        }
        for source in &read {
            if !project.is_bound(source) {
                let _ = writeln!(out, "    {source}: not bound in this project (not collected)");
                continue;
            }
            if site.absent.contains(*source) {
                let _ = writeln!(out, "    {source}: not exported here (not collected)");
                continue;
            }
            let cov = site.coverage.get(*source);
            let from = cov.and_then(|c| c.from).map(|f| format!(" from {f}")).unwrap_or_default();
            let to = cov.and_then(|c| c.to).map(|t| format!(" to {t}")).unwrap_or_default();
            let collection = plan.collection(source, site);
            let own = match site.bindings.get(*source) {
                Some(b) => format!(", its own export {}", b.file.replace("{site}", &site.id)),
                None => String::new(),
            };
            let _ = writeln!(out, "    {source}: {}{from}{to}{own}", collection.as_str());
        }
        for vocab in &lineage.vocabularies {
            if let Some(codes) = site.mappings.get(vocab).filter(|m| !m.is_empty()) {
                let listed: Vec<String> = codes.iter().map(|(local, term)| format!("{local} -> {term}")).collect();
                let _ = writeln!(out, "    {vocab} mapped: {}", listed.join(", "));
            }
        }
    }
    out
}

fn indent(out: &mut String, text: &str) {
    for line in text.lines() {
        let _ = writeln!(out, "  {line}");
    }
}

/// The metric's resolved meaning and lineage in plain words.
fn describe(c: &Checked, m: &Metric) -> String {
    let mut out = String::new();
    heading(&mut out, m);
    let _ = writeln!(out, "\nMeaning");
    meaning(&mut out, c, m);
    criteria(&mut out, m);
    evidence(&mut out, c, m);
    let _ = writeln!(out, "\nLineage");
    lineage(&mut out, c, m);
    out
}

fn heading(w: &mut String, m: &Metric) {
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
}

/// Source, time, `where`, `value` and `by`, or what a derived metric combines; then the
/// groups it uses, expanded.
fn meaning(w: &mut String, c: &Checked, m: &Metric) {
    match &m.body {
        MetricBody::Base(b) => {
            let title = c.set.sources[&b.source].title.as_ref();
            let _ = writeln!(w, "  source:  {}{}", b.source, title.map_or(String::new(), |t| format!(" ({t})")));
            let _ = writeln!(w, "  time:    {}", crate::check::time_in_words(&b.time));
            if let Some(f) = &b.filter {
                let _ = writeln!(w, "  where:   {f}");
            }
            let _ = writeln!(w, "  value:   {}", b.value);
            if !b.by.is_empty() {
                let _ = writeln!(w, "  by:      {}", b.by.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(", "));
            }
        }
        MetricBody::Derived { value, inputs } => {
            let _ = writeln!(w, "  derived: {value}");
            let inputs: Vec<&str> = inputs.iter().map(|i| i.0.as_str()).collect();
            let _ = writeln!(w, "  from:    {} (same site and period)", inputs.join(", "));
        }
    }
    for line in m.expansions(&c.set) {
        let _ = writeln!(w, "           {line}");
    }
}

/// Target and thresholds.
fn criteria(w: &mut String, m: &Metric) {
    let by = |d: &Option<chrono::NaiveDate>| d.map_or(String::new(), |d| format!(" by {d}"));
    match &m.target {
        Some(Target::Change { change, by: d }) => {
            let _ = writeln!(w, "  target:  {:+}% against the baseline{}", change * 100.0, by(d));
        }
        Some(Target::Value { value, by: d }) => {
            let _ = writeln!(w, "  target:  {value}{}", by(d));
        }
        None => {}
    }
    for t in &m.thresholds {
        let _ = writeln!(w, "  {:?}:   when {}", t.status, t.condition);
    }
    if !m.thresholds.is_empty() {
        let _ = writeln!(w, "  Red:     otherwise");
    }
}

/// How sure the metric's values are, and how they are judged (docs/semantics.md).
fn evidence(w: &mut String, c: &Checked, m: &Metric) {
    let confidence = c.project.as_ref().map_or(crate::ir::Judgement::DEFAULT_CONFIDENCE, |p| p.judgement.confidence);
    let _ = writeln!(w, "\nEvidence (at {}%)", (confidence * 1000.0).round() / 10.0);
    let stock = match m.body.judged_stock() {
        Some(AggFn::Count) => Some((
            "approximate: Garwood's interval of the count (the items open at a time are Poisson when they arrive as events do)",
            "approximate: the ratio to the baseline's count, the conditional test of two Poisson counts",
        )),
        _ => None,
    };
    let (interval, against) = match m.body.judged_aggregate() {
        _ if stock.is_some() => stock.unwrap_or_default(),
        _ if c.set.shared_event_parts(m).is_some() => (
            "the delta method on its parts' joint covariance (they share their events), Student's t",
            "the ratio to the baseline's, the delta method on both",
        ),
        Some(AggFn::Count) => (
            "Garwood's exact Poisson interval of the count",
            "the ratio of rates, Clopper-Pearson on k / (k + K) (the conditional test of two Poisson rates)",
        ),
        Some(AggFn::Share) => ("Wilson's score interval", "the difference in points, Newcombe's hybrid score interval"),
        Some(AggFn::Median | AggFn::Percentile) => (
            "distribution-free, between the order statistics the binomial law gives",
            "the ratio to the baseline's, after Price and Bonett",
        ),
        Some(AggFn::Sum) => (
            "Fay and Feuer's gamma interval of a sum of amounts over Poisson events",
            "the ratio of rates, the F-gamma interval (Fay 1999)",
        ),
        Some(AggFn::Mean) => {
            ("bootstrap-t, 999 resamples seeded by the row", "the ratio to the baseline's mean, percentile bootstrap")
        }
        _ => ("none yet for this aggregate", "none yet: statuses judge the value alone"),
    };
    let _ = writeln!(w, "  interval:  {interval}");
    let _ = writeln!(w, "  change:    {against}");
    let trend = match crate::results::trend::Method::of(m) {
        Some(crate::results::trend::Method::Poisson) => {
            "log-linear Poisson model on the judged periods (pooled: one intercept per site)"
        }
        Some(crate::results::trend::Method::SharePoints) => "Theil-Sen, in points a year, with Sen's interval",
        Some(crate::results::trend::Method::LogTheilSen) => "Theil-Sen on the logarithm, with Sen's interval",
        None => "none yet for this aggregate",
    };
    let _ = writeln!(w, "  trend:     {trend}");
    if let Some(n) = m.window {
        let _ = writeln!(w, "  window:    the trailing {n} periods are judged together too");
    }
    if let Some(n) = m.min_n {
        let _ = writeln!(w, "  min_n:     a period is judged on {n} cases or more");
    }
    if let Some(e) = &m.exposure {
        let _ = writeln!(w, "  exposure:  its rate is judged per `{e}`, not per month covered");
    }
}

fn lineage(w: &mut String, c: &Checked, m: &Metric) {
    let l = m.lineage(&c.set);
    let _ = writeln!(w, "  definition:   {}", m.path.display());
    if matches!(m.body, MetricBody::Base(_)) {
        let files: Vec<String> = l
            .sources
            .iter()
            .map(|s| match c.project.as_ref().map(|p| (p.bindings.get(s), p.is_bound(s))) {
                Some((Some(binding), _)) => format!("{} ({s})", binding.file),
                Some((None, true)) => format!("{s} (bound per site)"),
                _ => format!("{s} (not bound)"),
            })
            .collect();
        let _ = writeln!(w, "  files:        {}", files.join(", "));
    }
    if !l.columns.is_empty() {
        let _ = writeln!(w, "  columns:      {}", l.columns.into_iter().collect::<Vec<_>>().join(", "));
    }
    if !l.vocabularies.is_empty() {
        let listed: Vec<String> =
            l.vocabularies.iter().map(|v| format!("{v} (version {})", c.set.vocabularies[v].version)).collect();
        let _ = writeln!(w, "  vocabularies: {}", listed.join(", "));
    }
    if !m.references.is_empty() {
        let refs: Vec<String> = m.references.iter().map(|r| r.to_string()).collect();
        let _ = writeln!(w, "  references:   {}", refs.join(", "));
    }
    if let Some(cv) = &m.caveats {
        let _ = writeln!(w, "  caveats:      {cv}");
    }
}
