//! The answer first (issue #28): a report's at-a-glance table, one row per metric in the
//! set's order at the site the report is about (`all` for a report of several sites),
//! and the sentences under it: what improved with evidence, what worsened, what cannot
//! be judged yet and why, and which context events may explain a change.

use super::context::{EventInfo, MetricInfo, Row};
use super::words::Words;
use crate::ir::Direction;
use crate::results::{RowStatus, trend::TrendRow};
use crate::stats::Change;
use serde::Serialize;

/// The table and its sentences.
#[derive(Serialize)]
pub struct Glance {
    /// The site the table shows: the report's site, the project's one site, or `all`.
    pub at: String,
    pub rows: Vec<GlanceRow>,
    /// Metrics better than their baseline with evidence, each with where and by how much.
    pub improved: Vec<Mention>,
    /// Metrics worse than their baseline with evidence.
    pub worsened: Vec<Mention>,
    /// Metrics the table cannot judge at its site, each with why.
    pub unknown: Vec<Mention>,
    /// The context events of the report's period and the year before it at its sites:
    /// what may explain a change besides the ISMS.
    pub events: Vec<String>,
}

/// One metric's line of the table, its cells written out.
#[derive(Serialize)]
pub struct GlanceRow {
    pub id: String,
    pub title: String,
    /// The metric's tags: a template showing some metrics shows their lines alone.
    pub tags: Vec<String>,
    /// The set's `order:` names it (every metric when the set has no `order:`): a report
    /// of every metric shows these first, and the others only when red or worse.
    pub headline: bool,
    /// Worse than its baseline, with evidence.
    pub worse: bool,
    /// The period the value is of (the latest whole one up to the report's).
    pub period: String,
    /// The value in its unit, with its interval where there is one.
    pub value: String,
    /// Against the baseline: the change and what its interval shows.
    pub change: String,
    /// The target, and how far the value is from it.
    pub target: String,
    /// The trend since rollout a year, and what its interval shows.
    pub trend: String,
    pub status: Option<String>,
    /// The values of the periods so far, oldest first (none: no value).
    pub recent: Vec<Option<f64>>,
}

/// A metric named in a sentence, with where and what.
#[derive(Serialize)]
pub struct Mention {
    pub id: String,
    pub title: String,
    /// `at brno (-73.7%), porto (-100.0%)`, or why it cannot be judged.
    pub detail: String,
}

/// The sparkline's periods: the last three years of quarters.
const RECENT: usize = 12;

/// The glance at `at` over `metrics` (in the report's order), with the trend rows of the
/// report's results and the report's `events`.
pub fn build<'t>(
    at: &str,
    metrics: &[MetricInfo],
    trend: &dyn Fn(&str, &str) -> Option<&'t TrendRow>,
    headline: &dyn Fn(&str) -> bool,
    events: &[EventInfo],
    period: Option<(chrono::NaiveDate, chrono::NaiveDate)>,
    w: &Words,
) -> Glance {
    let mut glance = Glance {
        at: at.to_string(),
        rows: Vec::new(),
        improved: Vec::new(),
        worsened: Vec::new(),
        unknown: Vec::new(),
        events: Vec::new(),
    };
    for m in metrics {
        if !m.breakdown.is_empty() {
            glance.rows.push(divided(m, at, headline(m.id), w));
            continue;
        }
        let Some(r) = m.latest.get(at) else { continue };
        let trend = trend(m.id, at);
        // The whole periods up to the one the table shows (a period judged to date is not
        // whole: its counts would read as a fall).
        let shown = |row: &Row| !row.partial && row.period_end <= r.period_end;
        let recent = (m.series.iter().find(|s| s.site == at))
            .map(|s| s.rows.iter().filter(|row| shown(row)).map(|row| row.value).collect::<Vec<_>>())
            .unwrap_or_default();
        let recent = recent[recent.len().saturating_sub(RECENT)..].to_vec();
        glance.rows.push(GlanceRow {
            id: m.id.to_string(),
            title: m.title.to_string(),
            tags: m.tags.to_vec(),
            headline: headline(m.id),
            worse: r.change == Some(Change::Worse),
            period: r.period.clone(),
            value: value(r, m.unit, w),
            change: change(r, m.unit, w),
            target: target(r, m.unit, m.direction, w),
            trend: trend.map(|t| trend_text(t, m.direction, w)).unwrap_or_default(),
            status: r.status.map(|s| s.as_str().to_string()),
            recent,
        });
        let changed = |c: Change| {
            let sites: Vec<String> = (m.latest.iter())
                .filter(|(_, r)| r.change == Some(c))
                .map(|(site, r)| {
                    let delta = w.delta(r.delta, r.delta_pct, m.unit);
                    w.say("glance.site_change", &[("site", &w.site(site)), ("delta", &delta)])
                })
                .collect();
            (!sites.is_empty()).then(|| mention(m, w.say("glance.at", &[("sites", &sites.join(", "))])))
        };
        glance.improved.extend(changed(Change::Better));
        glance.worsened.extend(changed(Change::Worse));
        glance.unknown.extend(unjudged(m, r, at, w).map(|why| mention(m, why)));
    }
    // Without a period (a report without a grain), every event may explain a change.
    let within =
        |d: chrono::NaiveDate| period.is_none_or(|(start, end)| start - chrono::Duration::days(365) <= d && d <= end);
    glance.events = (events.iter())
        .filter(|e| within(e.date))
        .map(|e| {
            let (day, site, kind) = (w.day(e.date), w.site(e.site), e.kind.replace('_', " "));
            w.say("glance.event", &[("date", &day), ("site", &site), ("kind", &kind)])
        })
        .collect();
    glance
}

fn mention(m: &MetricInfo, detail: String) -> Mention {
    Mention { id: m.id.to_string(), title: m.title.to_string(), detail }
}

/// A metric with `by` in one line: its values are shown in its breakdown.
fn divided(m: &MetricInfo, at: &str, headline: bool, w: &Words) -> GlanceRow {
    let parts = m.breakdown.iter().find(|b| b.site == at);
    let judged = &m.judged;
    GlanceRow {
        id: m.id.to_string(),
        title: m.title.to_string(),
        tags: m.tags.to_vec(),
        headline,
        worse: judged.worse > 0,
        period: parts.map(|b| b.period.clone()).unwrap_or_default(),
        value: parts.map_or(String::new(), |b| {
            w.say("glance.values_by", &[("n", &b.parts.len().to_string()), ("by", &m.formula.by.join(", "))])
        }),
        change: if judged.rows > 0 {
            let (better, worse, rows) = (judged.better.to_string(), judged.worse.to_string(), judged.rows.to_string());
            w.say("glance.judged_parts", &[("better", &better), ("worse", &worse), ("rows", &rows)])
        } else {
            String::new()
        },
        target: String::new(),
        trend: String::new(),
        status: None,
        recent: Vec::new(),
    }
}

/// The value with its interval: `0.66 (0.41 to 0.98)`.
fn value(r: &Row, unit: &str, w: &Words) -> String {
    let v = w.number(r.value, Some(unit));
    match (r.value, r.lower, r.upper) {
        (Some(x), Some(l), Some(u)) if l.is_finite() && u.is_finite() => {
            let (l, u) = (w.number(Some(l), Some(unit)), w.number(Some(u), Some(unit)));
            // With open cases the interval surrounds the Kaplan-Meier estimate, not the
            // value (docs/semantics.md, "Open cases"): said so, not set beside it as its own.
            let around = r.lower.zip(r.upper).is_some_and(|(lo, hi)| lo <= x && x <= hi);
            let key = if around { "glance.interval" } else { "glance.open_cases" };
            w.say(key, &[("value", &v), ("lower", &l), ("upper", &u)])
        }
        _ => v,
    }
}

/// The change against the baseline and what its evidence shows: `-70.7%, better`.
fn change(r: &Row, unit: &str, w: &Words) -> String {
    let d = w.delta(r.delta, r.delta_pct, unit);
    match (d.is_empty(), r.change) {
        (true, _) => String::new(),
        (false, Some(c)) => {
            w.say("glance.change", &[("delta", &d), ("change", &w.say(&format!("change.{}", c.as_str()), &[]))])
        }
        (false, None) => d,
    }
}

/// The target and the distance to it: `1.59, met` or `0.9, 0.32 to go`.
fn target(r: &Row, unit: &str, direction: &Direction, w: &Words) -> String {
    let (Some(t), Some(v)) = (r.target, r.value) else {
        return r.target.map_or(String::new(), |t| w.number(Some(t), Some(unit)));
    };
    let shown = w.number(Some(t), Some(unit));
    let gap = match direction {
        Direction::LowerIsBetter => v - t,
        Direction::HigherIsBetter => t - v,
        Direction::Neutral => return shown,
    };
    if gap <= 0.0 {
        return w.say("glance.target_met", &[("target", &shown)]);
    }
    let far = match unit {
        "%" => w.points(gap * 100.0, false),
        _ => w.number(Some(gap), Some(unit)),
    };
    w.say("glance.target_gap", &[("target", &shown), ("gap", &far)])
}

/// The trend since rollout a year and what it shows: `-12.1% a year, improving`.
fn trend_text(t: &TrendRow, direction: &Direction, w: &Words) -> String {
    let (Some(p), Some(l), Some(u)) = (t.per_year, t.lower, t.upper) else { return w.say("glance.no_trend", &[]) };
    let size = match t.method.scale() {
        "points" => w.points(p * 100.0, true),
        _ => w.percent(p * 100.0, true),
    };
    let moving = if u < 0.0 {
        Some(false)
    } else if l > 0.0 {
        Some(true)
    } else {
        None
    };
    let words = match (moving, direction) {
        (None, _) => "glance.trend_unclear",
        (Some(true), Direction::HigherIsBetter) | (Some(false), Direction::LowerIsBetter) => "glance.improving",
        (Some(false), Direction::HigherIsBetter) | (Some(true), Direction::LowerIsBetter) => "glance.worsening",
        (Some(true), Direction::Neutral) => "glance.rising",
        (Some(false), Direction::Neutral) => "glance.falling",
    };
    w.say("glance.trend", &[("size", &size), ("words", &w.say(words, &[]))])
}

/// Why the row at `at` is not judged, in words; none when it is judged.
fn unjudged(m: &MetricInfo, r: &Row, at: &str, w: &Words) -> Option<String> {
    let missing: Vec<&str> = (m.latest.iter())
        .filter(|(site, r)| site.as_str() != at && r.status == Some(RowStatus::NotCollected))
        .map(|(site, _)| site.as_str())
        .collect();
    let note = r.status_note.as_ref().map(|n| format!(" ({n})")).unwrap_or_default();
    let note = [("note", note.as_str())];
    let why = match r.status? {
        RowStatus::Green | RowStatus::Amber | RowStatus::Red => None,
        RowStatus::Unclear => Some(w.say("glance.chance", &note)),
        RowStatus::Insufficient => Some(r.status_note.clone().unwrap_or_else(|| w.say("glance.too_few", &[]))),
        RowStatus::NoData => Some(w.say("glance.no_data", &[("period", &r.period), note[0]])),
        RowStatus::Pending => Some(w.say("glance.not_over", &note)),
        RowStatus::Baseline => Some(w.say("glance.before_rollout", &note)),
        RowStatus::NotCollected => Some(w.say("glance.not_collected_at", &[("sites", &w.site(at)), note[0]])),
    };
    let elsewhere = (!missing.is_empty())
        .then(|| w.say("glance.not_collected_at", &[("sites", &missing.join(", ")), ("note", "")]));
    let said: Vec<String> = why.into_iter().chain(elsewhere).collect();
    (!said.is_empty()).then(|| said.join("; "))
}
