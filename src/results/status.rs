//! A value judged against its baseline, target and thresholds (docs/semantics.md).

use super::{ResultRow, RowCoverage, RowStatus};
use crate::calendar::{Period, midnight_ms};
use crate::ir::{Builtin, Collection, Direction, Metric, SiteRef, TExprKind, Target, ThresholdInput};
use crate::plan::post::{self, Env, Post, V};
use chrono::NaiveDate;

/// The metric's value from its slots; `period` is `None` for a baseline.
pub fn value_of(post: &Post, slots: &[V], period: Option<&Period>, as_of: NaiveDate) -> Option<f64> {
    post::eval(post, &SlotEnv { slots, period, as_of }).num()
}

/// Where a row stands before its value is judged.
#[derive(Clone, Copy, Debug, Default)]
pub struct Standing {
    /// The period is not whole: it holds `as_of`, or the data covers only part of it.
    pub partial: bool,
    /// The period ends before the site's rollout (for the pooled row: before the rollout
    /// of a site in it).
    pub before_rollout: bool,
}

/// A result row of `m` with baseline, delta, target and status filled in; covered and
/// automated until the caller says otherwise. A share (unit `%`) moves in percentage
/// points: its delta is the difference of the shares, it has no relative delta, and a
/// `change:` target adds points to the baseline.
pub fn judge(
    m: &Metric,
    site: &SiteRef,
    period: &Period,
    value: Option<f64>,
    baseline: Option<f64>,
    standing: Standing,
) -> ResultRow {
    let points = m.unit == "%";
    let delta = value.zip(baseline).map(|(v, b)| v - b);
    let delta_pct = delta.zip(baseline).and_then(|(d, b)| (b != 0.0 && !points).then_some(d / b));
    let target = match m.target {
        Some(Target::Value { value, .. }) => Some(value),
        Some(Target::Change { change, .. }) if points => baseline.map(|b| b + change),
        Some(Target::Change { change, .. }) => baseline.map(|b| b * (1.0 + change)),
        None => None,
    };
    let partial = period.partial || standing.partial;
    let status = match value {
        None => Some(RowStatus::NoData),
        Some(_) if standing.before_rollout => Some(RowStatus::Baseline),
        Some(_) if partial => Some(RowStatus::Pending),
        Some(_) if baseline.is_none() && needs_baseline(m) => None,
        Some(v) => status(m, v, baseline, target),
    };
    ResultRow {
        metric: m.id.clone(),
        version: m.version,
        site: site.clone(),
        dims: Vec::new(),
        period: period.label.clone(),
        period_start: period.start,
        period_end: period.end,
        partial,
        value,
        lower: None,
        upper: None,
        points,
        n: None,
        excluded: 0,
        baseline,
        delta,
        delta_pct,
        target,
        status,
        coverage: RowCoverage::Covered,
        collection: Collection::Automated,
        fingerprint: String::new(),
    }
}

/// Whether the metric's decision criteria read the baseline: its thresholds when it has
/// some (a threshold on `baseline`, or on a `change:` target), else a `change:` target.
fn needs_baseline(m: &Metric) -> bool {
    let change = matches!(m.target, Some(Target::Change { .. }));
    if m.thresholds.is_empty() {
        return change;
    }
    let mut reads = false;
    for t in &m.thresholds {
        t.condition.walk(&mut |e| match &e.kind {
            TExprKind::ThresholdValue(ThresholdInput::Baseline) => reads = true,
            TExprKind::ThresholdValue(ThresholdInput::Target) => reads |= change,
            _ => {}
        });
    }
    reads
}

/// The first threshold that holds (green, then amber), else red; without thresholds, green
/// when the target is met, else red; no status without either.
fn status(m: &Metric, v: f64, baseline: Option<f64>, target: Option<f64>) -> Option<RowStatus> {
    if !m.thresholds.is_empty() {
        let env = ThresholdEnv { value: v, baseline, target };
        let holds = |t: &&crate::ir::Threshold| post::eval(&post::post_only(&t.condition), &env) == V::Bool(true);
        return Some(m.thresholds.iter().find(holds).map_or(RowStatus::Red, |t| t.status.into()));
    }
    target.map(|t| {
        let met = match m.direction {
            Direction::LowerIsBetter => v <= t,
            Direction::HigherIsBetter => v >= t,
            Direction::Neutral => v == t,
        };
        if met { RowStatus::Green } else { RowStatus::Red }
    })
}

struct SlotEnv<'a> {
    slots: &'a [V],
    period: Option<&'a Period>,
    as_of: NaiveDate,
}

impl Env for SlotEnv<'_> {
    fn slot(&self, i: usize) -> V {
        self.slots.get(i).copied().unwrap_or(V::Null)
    }
    fn builtin(&self, b: Builtin) -> V {
        let day = match b {
            Builtin::AsOf => Some(self.as_of),
            Builtin::PeriodStart => self.period.map(|p| p.start),
            Builtin::PeriodEnd => self.period.map(|p| p.end),
        };
        day.map_or(V::Null, |d| V::Num(midnight_ms(d) as f64))
    }
}

struct ThresholdEnv {
    value: f64,
    baseline: Option<f64>,
    target: Option<f64>,
}

impl Env for ThresholdEnv {
    fn input(&self, i: ThresholdInput) -> V {
        match i {
            ThresholdInput::Value => V::Num(self.value),
            ThresholdInput::Baseline => self.baseline.map_or(V::Null, V::Num),
            ThresholdInput::Target => self.target.map_or(V::Null, V::Num),
        }
    }
}
