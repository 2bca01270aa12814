//! Pitfall lints (the measurement pitfalls of an ISMS, the seed's section 8): definitions and projects that check and compute,
//! but measure the wrong thing or compare against a baseline that cannot bear it. Each is
//! a warning with its own code. A metric is exempt from one of the metric lints only by
//! `allow: [{code: W1004, reason: "..."}]`; the site lints (the baseline window) concern
//! a site, not a metric, and are answered in the project.

use crate::calendar::baseline_window;
use crate::diag::{Diagnostic, Span, codes};
use crate::ir::{
    Collection, ColumnRef, ColumnType, DefinitionSet, Direction, Layer, Metric, MetricBody, Project, Source, TExpr,
    TExprKind,
};
use chrono::{Months, NaiveDate};
use std::collections::BTreeSet;

/// The lints a metric can be exempt from, with `allow:`.
pub const LINTS: &[&str] = &[codes::W1001, codes::W1002, codes::W1003, codes::W1004, codes::W1005, codes::W1009];

/// Whether a diagnostic code is a pitfall lint's (W10xx).
pub fn is_pitfall(code: &str) -> bool {
    code.starts_with("W10")
}

/// The tag whose metrics the leadership reads, where an incident count needs companions.
const LEADERSHIP: &str = "leadership";

/// Every pitfall of the set's metrics (those they are not exempt from) and, with a
/// project, of its sites' baseline windows.
pub fn pitfalls(set: &DefinitionSet, project: Option<&Project>) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for m in &set.metrics {
        let lints = [
            outcome_over_evidence(set, m),
            gameable_count(m),
            lone_incident_count(set, m),
            no_criteria(m),
            uncaveated_manual(set, project, m),
        ];
        let exempt = |d: &Diagnostic| m.allow.iter().any(|a| a.code == d.code);
        found.extend(lints.into_iter().flatten().filter(|d| !exempt(d)));
    }
    if let Some(project) = project {
        found.extend(baseline_windows(project));
    }
    found
}

fn at(d: Diagnostic, span: Option<Span>) -> Diagnostic {
    match span {
        Some(span) => d.at(span),
        None => d,
    }
}

pub(crate) fn exempt_help(code: &str) -> String {
    format!("if it does not apply here, say why in the metric: `allow: [{{code: {code}, reason: \"...\"}}]`")
}

/// W1001: an outcome metric over a source of activity evidence.
fn outcome_over_evidence(set: &DefinitionSet, m: &Metric) -> Option<Diagnostic> {
    if m.layer != Layer::Outcome {
        return None;
    }
    let evidence: Vec<&str> = set.sources_read(&m.id.0).into_iter().filter(|s| set.sources[*s].evidence).collect();
    let source = evidence.first()?;
    let d = Diagnostic::warning(
        codes::W1001,
        format!("outcome metric `{}` counts activity evidence (source `{source}` records documents, trainings or reviews)", m.id),
    )
    .label("an outcome measured by activity")
    .help(format!(
        "an outcome is what happened (incidents, downtime, losses); evidence of activity is an activity metric (`layer: activity`), or measure the outcome it should change; {}",
        exempt_help(codes::W1001)
    ));
    Some(at(d, m.at))
}

/// Whether `e` is a plain count or sum (added up, scaled), not a share or a ratio.
fn raw_count(e: &TExpr) -> bool {
    match &e.kind {
        TExprKind::Aggregate { func, .. } => {
            matches!(func, crate::ir::AggFn::Count | crate::ir::AggFn::Sum | crate::ir::AggFn::CountDistinct)
        }
        TExprKind::Binary { op, lhs, rhs } => {
            use crate::syntax::BinOp;
            match op {
                BinOp::Add | BinOp::Sub => raw_count(lhs) || raw_count(rhs),
                // Scaled by a constant (minutes to hours), still a count.
                BinOp::Mul | BinOp::Div => raw_count(lhs) && matches!(rhs.kind, TExprKind::Literal(_)),
                _ => false,
            }
        }
        _ => false,
    }
}

/// W1002: a higher-is-better count of activity, which rewards doing more of it.
fn gameable_count(m: &Metric) -> Option<Diagnostic> {
    let MetricBody::Base(b) = &m.body else { return None };
    if m.layer != Layer::Activity || m.direction != Direction::HigherIsBetter || m.unit == "%" || !raw_count(&b.value) {
        return None;
    }
    let d = Diagnostic::warning(
        codes::W1002,
        format!(
            "`{}` rewards a larger count of activity (`{}`): it can rise without anything getting safer",
            m.id, b.value
        ),
    )
    .label("higher is better, by count")
    .help(format!(
        "measure coverage instead: the share of what should be done that was done (`share(...)`, unit `%`); {}",
        exempt_help(codes::W1002)
    ));
    Some(at(d, m.at))
}

/// The vocabulary a column of `source` (or of a source it joins) is typed by, if any.
fn vocabulary_of<'a>(set: &'a DefinitionSet, source: &'a Source, c: &ColumnRef) -> Option<&'a str> {
    let owner = match &c.join {
        None => source,
        Some(j) => set.sources.get(&source.join(j)?.source)?,
    };
    match &owner.column(&c.column)?.ty {
        ColumnType::Vocab(v) => Some(v),
        ColumnType::List(inner) => match inner.as_ref() {
            ColumnType::Vocab(v) => Some(v),
            _ => None,
        },
        _ => None,
    }
}

/// The vocabularies of the columns an expression reads.
fn vocabularies_read<'a>(set: &'a DefinitionSet, source: &'a Source, e: &TExpr, out: &mut BTreeSet<&'a str>) {
    e.walk(&mut |x| {
        if let TExprKind::Column(c) = &x.kind {
            out.extend(vocabulary_of(set, source, c));
        }
    });
}

/// W1003: a leadership incident count without a severity and a detection-source view of
/// the same source in the same tag: a rise may be better detection, not more incidents.
fn lone_incident_count(set: &DefinitionSet, m: &Metric) -> Option<Diagnostic> {
    let MetricBody::Base(b) = &m.body else { return None };
    let is_count = matches!(&b.value.kind, TExprKind::Aggregate { func: crate::ir::AggFn::Count, .. });
    let source = set.sources.get(&b.source)?;
    let typed_by =
        |s: &Source, f: &dyn Fn(&str) -> bool| s.columns.iter().any(|c| matches!(&c.ty, ColumnType::Vocab(v) if f(v)));
    let severity = |v: &str| v.contains("severity");
    let detection = |v: &str| v.starts_with("detection");
    if !m.tags.iter().any(|t| t == LEADERSHIP) || !is_count || !typed_by(source, &severity) {
        return None;
    }
    // What the leadership metrics over the same source read, this one included.
    let mut read = BTreeSet::new();
    for peer in set.metrics.iter().filter(|p| p.tags.iter().any(|t| t == LEADERSHIP)) {
        if let MetricBody::Base(pb) = &peer.body
            && pb.source == b.source
        {
            pb.filter.iter().chain([&pb.value]).for_each(|e| vocabularies_read(set, source, e, &mut read));
            read.extend(pb.by.iter().filter_map(|c| vocabulary_of(set, source, c)));
        }
    }
    let mut missing = Vec::new();
    if !read.iter().any(|v| severity(v)) {
        missing.push("severity");
    }
    if !read.iter().any(|v| detection(v)) {
        missing.push("detection source");
    }
    if missing.is_empty() {
        return None;
    }
    let how = if typed_by(source, &detection) {
        String::new()
    } else {
        format!(" (source `{}` has no column typed by a `detection...` vocabulary yet)", b.source)
    };
    let d = Diagnostic::warning(
        codes::W1003,
        format!(
            "leadership incident count `{}` has no {} companion in the `{LEADERSHIP}` tag{how}",
            m.id,
            missing.join(" and no ")
        ),
    )
    .label("a count the leadership reads alone")
    .help(format!(
        "incident counts rise when detection improves: tag `{LEADERSHIP}` a metric of the same source by severity and one by detection source (`by: [...]` or `where`), so a rise can be read; {}",
        exempt_help(codes::W1003)
    ));
    Some(at(d, m.at))
}

/// W1004: a metric with a direction but nothing to judge it by.
fn no_criteria(m: &Metric) -> Option<Diagnostic> {
    if m.direction == Direction::Neutral || m.target.is_some() || !m.thresholds.is_empty() {
        return None;
    }
    let d = Diagnostic::warning(
        codes::W1004,
        format!("`{}` says which way is better but gives no decision criteria (no `target`, no `thresholds`)", m.id),
    )
    .label("no target, no thresholds")
    .help(format!(
        "ISO/IEC 27004 asks what value calls for action: give a `target` or `thresholds`, or make it `direction: neutral` if it only informs; {}",
        exempt_help(codes::W1004)
    ));
    Some(at(d, m.at))
}

/// W1005: a metric over data collected by hand (in the set or at a site), without caveats.
fn uncaveated_manual(set: &DefinitionSet, project: Option<&Project>, m: &Metric) -> Option<Diagnostic> {
    if m.caveats.as_ref().is_some_and(|c| !c.trim().is_empty()) {
        return None;
    }
    let by_hand = |c: Option<Collection>| matches!(c, Some(Collection::Manual | Collection::Mixed));
    let sources = set.sources_read(&m.id.0);
    let manual = sources.iter().find(|s| {
        by_hand(Some(set.sources[**s].collection))
            || project.is_some_and(|p| {
                p.sites.iter().any(|site| {
                    by_hand(p.binding(s, site).and_then(|b| b.collection))
                        || by_hand(site.coverage.get(**s).and_then(|c| c.collection))
                })
            })
    })?;
    let d = Diagnostic::warning(
        codes::W1005,
        format!("`{}` reads `{manual}`, collected by hand (at least at one site), but says nothing of it in `caveats`", m.id),
    )
    .label("no caveats")
    .help(format!(
        "manual collection is late, partial and uneven between sites: say how in `caveats`, which reports show beside the numbers; {}",
        exempt_help(codes::W1005)
    ));
    Some(at(d, m.at))
}

/// W1006 to W1008: each site's baseline window against the context and the coverage.
fn baseline_windows(project: &Project) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for site in &project.sites {
        let Some(w) = baseline_window(&project.baseline, site.rollout) else { continue };
        let from = w.from.max(project.start);
        for e in project.context.iter().filter(|e| e.kind == "major_incident") {
            if e.site.as_ref().is_none_or(|s| *s == site.id) && (from..=w.to).contains(&e.date) {
                let d = Diagnostic::warning(
                    codes::W1006,
                    format!("the major incident of {} lies in the baseline window of site `{}` ({from} to {})", e.date, site.id, w.to),
                )
                .label("inside the baseline")
                .help("its baseline is inflated by it, so every improvement after rollout looks larger: choose another window (`baseline: {from: ..., to: ...}`), or read that site's changes with this in mind");
                found.push(at(d, e.at));
            }
        }
        if from.checked_add_months(Months::new(6)).is_some_and(|six| six > w.to + chrono::Days::new(1)) {
            let d = Diagnostic::warning(
                codes::W1007,
                format!("the baseline window of site `{}` ({from} to {}) is shorter than six months", site.id, w.to),
            )
            .label("a short baseline")
            .help("a few months carry their season and their accidents: a baseline of six to twelve months (`baseline: {months_before_rollout: 12}`), starting on or after `start`");
            found.push(at(d, site.at));
        }
        for (source, c) in &site.coverage {
            if project.binding(source, site).is_none() {
                continue;
            }
            let starts_late = c.from.is_some_and(|f: NaiveDate| f > from);
            let ends_early = c.to.is_some_and(|t| t < w.to);
            if starts_late || ends_early {
                let covered = format!(
                    "{} to {}",
                    c.from.map_or("…".into(), |d| d.to_string()),
                    c.to.map_or("…".into(), |d| d.to_string())
                );
                let d = Diagnostic::warning(
                    codes::W1008,
                    format!(
                        "the baseline window of site `{}` ({from} to {}) reaches past its `{source}` data ({covered})",
                        site.id, w.to
                    ),
                )
                .label("baseline partly without data")
                .help("the baseline of the metrics over this source rests on part of the window only: move the window inside the coverage, or read those baselines as partial");
                found.push(at(d, site.at));
            }
        }
    }
    found
}
