//! A value judged against its baseline, target and thresholds (docs/semantics.md,
//! "Statuses from evidence"): on its interval where a method gives one, else on the value.

use super::{ResultRow, RowCoverage, RowStatus};
use crate::calendar::{Period, midnight_ms};
use crate::ir::{
    Builtin, Collection, Direction, Green, Judgement, Metric, SiteRef, TExpr, TExprKind, Target, ThresholdInput,
};
use crate::plan::post::{self, Env, Post, V};
use crate::stats::{self, Good, Interval, Scale, Verdict};
use chrono::NaiveDate;

/// The metric's value from its slots; `period` is `None` for a baseline.
pub fn value_of(post: &Post, slots: &[V], period: Option<&Period>, as_of: NaiveDate) -> Option<f64> {
    post::eval(post, &SlotEnv { slots, period, as_of }).num()
}

/// Where a row stands before its value is judged.
#[derive(Clone, Copy, Debug, Default)]
pub struct Standing {
    /// The data covers only part of the period (the period holding `as_of` says so itself).
    pub partial: bool,
    /// The period ends before the site's rollout (for the pooled row: before the rollout
    /// of a site in it).
    pub before_rollout: bool,
    /// The period holds `as_of` and is judged on its days so far, against a baseline
    /// scaled to them (docs/semantics.md, "To date"): not pending, though partial.
    pub to_date: bool,
}

/// What the data says of how sure a value is (docs/semantics.md, "Intervals"); empty
/// where no method gives an interval yet, and the value is judged as a point.
#[derive(Clone, Debug, Default)]
pub struct Evidence {
    /// The interval of the value.
    pub interval: Option<Interval>,
    /// The interval rests on a model of a stock (docs/semantics.md, "Stocks"), not on
    /// the sampling of events.
    pub approximate: bool,
    /// The interval of the value's ratio to its baseline (of its difference from it, in
    /// proportion points, for a share).
    pub against_baseline: Option<Interval>,
    /// Why there are too few cases to judge, when there are.
    pub too_few: Option<String>,
    /// What the status note adds (a baseline too small for one period to show `better`).
    pub caution: Option<String>,
    /// How the interval was found, when the note must say it whatever the criteria read
    /// (open cases censored, clustered events widened).
    pub remark: Option<String>,
}

/// A result row of `m` with baseline, delta, target, change and status filled in; covered
/// and automated until the caller says otherwise. A share (unit `%`) moves in percentage
/// points: its delta is the difference of the shares, it has no relative delta, and a
/// `change:` target adds points to the baseline.
#[allow(clippy::too_many_arguments)]
pub fn judge(
    m: &Metric,
    site: &SiteRef,
    period: &Period,
    value: Option<f64>,
    baseline: Option<f64>,
    standing: Standing,
    evidence: &Evidence,
    judgement: Judgement,
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
    let pending = (period.partial && !standing.to_date) || standing.partial;
    let judged = value.is_some() && !standing.before_rollout && !pending;
    let no_change = if points { 0.0 } else { 1.0 };
    // Too few cases judge no change either.
    let against = evidence.against_baseline.filter(|_| judged && evidence.too_few.is_none());
    let change = against.and_then(|i| stats::change(i, no_change, good(m.direction)));
    let (status, note) = match value {
        None => (Some(RowStatus::NoData), None),
        Some(_) if standing.before_rollout => (Some(RowStatus::Baseline), None),
        Some(_) if pending => (Some(RowStatus::Pending), None),
        Some(_) if baseline.is_none() && needs_baseline(m) => (None, None),
        Some(_) if m.target.is_none() && m.thresholds.is_empty() => (None, None),
        // What the evidence remarks (cases still open) matters most when there are few.
        Some(_) if evidence.too_few.is_some() => {
            let note = [evidence.too_few.clone(), evidence.remark.clone()].into_iter().flatten().collect::<Vec<_>>();
            (Some(RowStatus::Insufficient), Some(note.join("; ")))
        }
        Some(v) if evidence.interval.is_none() => (status(m, v, baseline, target), None),
        Some(v) => {
            let (status, note) = from_evidence(m, &Judging { value: v, baseline, target, points, evidence, judgement });
            // The caution is about `better`: it matters where the criteria read the baseline.
            let caution = evidence.caution.clone().filter(|_| needs_baseline(m));
            let note = [note, caution, evidence.remark.clone()].into_iter().flatten().collect::<Vec<_>>();
            (status, (!note.is_empty()).then(|| note.join("; ")))
        }
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
        lower: evidence.interval.map(|i| i.lower),
        upper: evidence.interval.map(|i| i.upper),
        approximate: evidence.approximate && evidence.interval.is_some(),
        points,
        n: None,
        excluded: 0,
        excluded_reasons: String::new(),
        baseline,
        delta,
        delta_pct,
        change,
        change_lower: against.map(|i| i.lower),
        change_upper: against.map(|i| i.upper),
        sustained: false,
        target,
        status,
        status_note: note,
        window: None,
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
    m.thresholds.iter().any(|t| reads_baseline(&t.condition, change))
}

/// The first threshold that holds (green, then amber), else red; without thresholds, green
/// when the target is met, else red; no status without either.
fn status(m: &Metric, v: f64, baseline: Option<f64>, target: Option<f64>) -> Option<RowStatus> {
    if !m.thresholds.is_empty() {
        let env = ThresholdEnv { value: v, baseline, target };
        let holds = |t: &&crate::ir::Threshold| post::eval(&post::post_only(&t.condition), &env) == V::Bool(true);
        return Some(m.thresholds.iter().find(holds).map_or(RowStatus::Red, |t| t.status.into()));
    }
    target.map(|t| if met(m.direction, v, t) { RowStatus::Green } else { RowStatus::Red })
}

/// Which way the metric's values are good.
fn good(direction: Direction) -> Good {
    match direction {
        Direction::LowerIsBetter => Good::Below,
        Direction::HigherIsBetter => Good::Above,
        Direction::Neutral => Good::Neither,
    }
}

/// A row's value and what it is judged with.
struct Judging<'a> {
    value: f64,
    baseline: Option<f64>,
    target: Option<f64>,
    points: bool,
    evidence: &'a Evidence,
    judgement: Judgement,
}

/// One decision criterion: a threshold's condition, or the target.
struct Criterion<'a> {
    /// As the note names it: `green`, `amber`, `the target`.
    name: &'static str,
    /// A threshold's condition; `None` for the target.
    condition: Option<&'a TExpr>,
    /// Established, it makes the row green (the target, the green threshold); else amber.
    greens: bool,
    /// Judged on the value against its baseline, not on the value alone.
    against_baseline: bool,
    /// Green only when the whole interval meets it.
    guarded: bool,
}

/// The status from evidence, and the note that says what is open: with thresholds, green
/// when the green one is established, amber when the amber one is, red when every one is
/// refuted; without, green when the target is established, red when it is refuted;
/// `unclear` otherwise.
fn from_evidence<'m>(m: &'m Metric, row: &Judging) -> (Option<RowStatus>, Option<String>) {
    let change = matches!(m.target, Some(Target::Change { .. }));
    let guarded = row.judgement.green == Green::Guarded;
    let criteria: Vec<Criterion> = if m.thresholds.is_empty() {
        let Some(_) = row.target else { return (None, None) };
        vec![Criterion { name: "the target", condition: None, greens: true, against_baseline: change, guarded }]
    } else {
        let criterion = |t: &'m crate::ir::Threshold| {
            let greens = t.status == crate::ir::Status::Green;
            Criterion {
                name: if greens { "green" } else { "amber" },
                condition: Some(&t.condition),
                greens,
                against_baseline: reads_baseline(&t.condition, change),
                guarded: guarded && greens,
            }
        };
        m.thresholds.iter().map(criterion).collect()
    };
    let verdicts: Vec<(&Criterion, Verdict)> = criteria.iter().map(|c| (c, verdict(m, c, row))).collect();
    let of = |greens: bool| verdicts.iter().find(|(c, _)| c.greens == greens).map(|(_, v)| *v);
    let (green, amber) = (of(true), of(false));
    if green == Some(Verdict::Established) {
        (Some(RowStatus::Green), None)
    } else if amber == Some(Verdict::Established) {
        (Some(RowStatus::Amber), (green == Some(Verdict::Open)).then(|| "green is still open".to_string()))
    } else if verdicts.iter().all(|(_, v)| *v == Verdict::Refuted) {
        (Some(RowStatus::Red), None)
    } else {
        let open: Vec<&str> = verdicts.iter().filter(|(_, v)| *v == Verdict::Open).map(|(c, _)| c.name).collect();
        let note = match open.as_slice() {
            [] => None,
            [one] => Some(format!("{one} is open")),
            many => Some(format!("{} are open", many.join(" and "))),
        };
        (Some(RowStatus::Unclear), note)
    }
}

/// Whether a threshold's condition reads the baseline (or, with a `change:` target, the
/// target).
fn reads_baseline(condition: &TExpr, change_target: bool) -> bool {
    let mut reads = false;
    condition.walk(&mut |e| match &e.kind {
        TExprKind::ThresholdValue(ThresholdInput::Baseline) => reads = true,
        TExprKind::ThresholdValue(ThresholdInput::Target) => reads |= change_target,
        _ => {}
    });
    reads
}

/// What the row's intervals show of one criterion: against the baseline on the interval of
/// the ratio (or difference) where the row has one and a baseline above zero (a ratio to
/// nothing says nothing), else on the value's own interval.
fn verdict(m: &Metric, c: &Criterion, row: &Judging) -> Verdict {
    let meets = |x: f64| match c.condition {
        Some(condition) => {
            let env = ThresholdEnv { value: x, baseline: row.baseline, target: row.target };
            post::eval(&post::post_only(condition), &env) == V::Bool(true)
        }
        None => row.target.is_some_and(|t| met(m.direction, x, t)),
    };
    let good = good(m.direction);
    let relative = row.baseline.zip(row.evidence.against_baseline).filter(|(b, _)| row.points || *b > 0.0);
    // Against a baseline above 0 without an interval of the ratio (a sample too small, a
    // duration of 0), the baseline's own error is unknown: nothing is settled.
    let ratio_unknown = relative.is_none() && row.baseline.is_some_and(|b| row.points || b > 0.0);
    if c.against_baseline && ratio_unknown {
        return Verdict::Open;
    }
    match relative {
        Some((b, interval)) if c.against_baseline => {
            let (to_value, estimate, no_change): (Box<dyn Fn(f64) -> f64>, f64, f64) = match row.points {
                true => (Box::new(move |d| b + d), row.value - b, 0.0),
                false => (Box::new(move |r| b * r), row.value / b, 1.0),
            };
            stats::verdict(|x| meets(to_value(x)), estimate, interval, Scale::Baseline { no_change }, good, c.guarded)
        }
        _ => match row.evidence.interval {
            Some(interval) => stats::verdict(meets, row.value, interval, Scale::Value, good, c.guarded),
            None => Verdict::Open,
        },
    }
}

/// Whether `v` meets the target `t` in the metric's direction.
fn met(direction: Direction, v: f64, t: f64) -> bool {
    match direction {
        Direction::LowerIsBetter => v <= t,
        Direction::HigherIsBetter => v >= t,
        Direction::Neutral => v == t,
    }
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
