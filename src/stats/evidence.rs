//! Judging a criterion on an interval instead of a point (issue #25; docs/semantics.md,
//! "Statuses from evidence"). A criterion "meets b" is *established* when the estimate
//! meets b and the interval lies wholly on the good side of b', *refuted* when the
//! interval lies wholly on the failing side of b, and *open* otherwise; b' is b for
//! criteria on the value itself, and for criteria against the baseline the less demanding
//! of b and "no change" (an improvement target needs a change `better` as well as an
//! estimate beyond the target).

use super::Interval;

/// Which way a criterion's scale is good.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Good {
    /// Lower is better.
    Below,
    /// Higher is better.
    Above,
    /// Neither: only the whole interval meeting the criterion establishes it.
    Neither,
}

/// What an interval shows of a criterion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Established,
    Refuted,
    Open,
}

/// The change against the baseline an interval of the ratio (or difference) shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    Better,
    Worse,
    Unclear,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Better => "better",
            Change::Worse => "worse",
            Change::Unclear => "unclear",
        }
    }
}

/// The change an interval of the ratio to the baseline (or the difference from it)
/// shows: `better` or `worse` when it lies wholly on that side of `no_change` (1 for a
/// ratio, 0 for a difference), else `unclear`; `None` for a scale that is neither better
/// up nor down.
pub fn change(interval: Interval, no_change: f64, good: Good) -> Option<Change> {
    let (below, above) = (interval.below(no_change), interval.above(no_change));
    match good {
        Good::Below if below => Some(Change::Better),
        Good::Below if above => Some(Change::Worse),
        Good::Above if above => Some(Change::Better),
        Good::Above if below => Some(Change::Worse),
        Good::Below | Good::Above => Some(Change::Unclear),
        Good::Neither => None,
    }
}

/// How a criterion is judged: on the value's own interval, or against the baseline on the
/// interval of the ratio (or difference), whose "no change" is `no_change`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scale {
    Value,
    Baseline { no_change: f64 },
}

/// The verdict on a criterion `meets` (a test of a point on the judging scale, monotone
/// in it) from the `estimate` and its `interval` on that scale. `guarded` asks the whole
/// interval to meet the criterion even against the baseline (`judgement: {green:
/// guarded}`).
pub fn verdict(
    meets: impl Fn(f64) -> bool,
    estimate: f64,
    interval: Interval,
    scale: Scale,
    good: Good,
    guarded: bool,
) -> Verdict {
    let whole = meets(interval.lower) && meets(interval.upper);
    let beyond_no_change = match (scale, good) {
        (_, _) if guarded => false,
        (Scale::Value, _) | (_, Good::Neither) => false,
        (Scale::Baseline { no_change }, Good::Below) => interval.below(no_change),
        (Scale::Baseline { no_change }, Good::Above) => interval.above(no_change),
    };
    if meets(estimate) && (whole || beyond_no_change) {
        Verdict::Established
    } else if !meets(interval.lower) && !meets(interval.upper) && !meets(estimate) {
        Verdict::Refuted
    } else {
        Verdict::Open
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn interval(lower: f64, upper: f64) -> Interval {
        Interval { lower, upper }
    }

    #[test]
    fn an_improvement_target_needs_an_estimate_beyond_it_and_a_change_better() {
        let target = |r: f64| r <= 0.7;
        let judge =
            |e, lo, hi| verdict(target, e, interval(lo, hi), Scale::Baseline { no_change: 1.0 }, Good::Below, false);
        // Beyond the target, and surely better than the baseline: established, though the
        // interval reaches past the target.
        assert_eq!(judge(0.6, 0.4, 0.9), Verdict::Established);
        // Beyond the target, but the interval reaches "no change": open.
        assert_eq!(judge(0.6, 0.3, 1.2), Verdict::Open);
        // Better, but not beyond the target: open.
        assert_eq!(judge(0.8, 0.6, 0.95), Verdict::Open);
        // The whole interval short of the target: refuted, though better than the baseline.
        assert_eq!(judge(0.85, 0.75, 0.95), Verdict::Refuted);
    }

    #[test]
    fn a_criterion_less_demanding_than_no_change_is_established_by_the_whole_interval() {
        // amber: value <= baseline × 1.1, on the ratio.
        let amber = |r: f64| r <= 1.1;
        let judge =
            |e, lo, hi| verdict(amber, e, interval(lo, hi), Scale::Baseline { no_change: 1.0 }, Good::Below, false);
        assert_eq!(judge(1.0, 0.9, 1.08), Verdict::Established);
        assert_eq!(judge(1.0, 0.9, 1.3), Verdict::Open);
        assert_eq!(judge(1.5, 1.2, 1.9), Verdict::Refuted);
    }

    #[test]
    fn a_criterion_on_the_value_needs_the_whole_interval_and_guarded_green_too() {
        let share = |p: f64| p >= 0.95;
        let value = |e, lo, hi| verdict(share, e, interval(lo, hi), Scale::Value, Good::Above, false);
        assert_eq!(value(0.97, 0.955, 0.99), Verdict::Established);
        assert_eq!(value(0.97, 0.90, 0.99), Verdict::Open);
        assert_eq!(value(0.90, 0.85, 0.94), Verdict::Refuted);
        let target = |r: f64| r <= 0.7;
        let guarded = verdict(target, 0.6, interval(0.4, 0.9), Scale::Baseline { no_change: 1.0 }, Good::Below, true);
        assert_eq!(guarded, Verdict::Open);
    }

    #[test]
    fn the_change_is_better_or_worse_only_when_the_interval_is_wholly_on_one_side() {
        let ratio = Good::Below;
        assert_eq!(change(interval(0.4, 0.9), 1.0, ratio), Some(Change::Better));
        assert_eq!(change(interval(1.1, 2.0), 1.0, ratio), Some(Change::Worse));
        assert_eq!(change(interval(0.4, 1.2), 1.0, ratio), Some(Change::Unclear));
        // A share difference in points, higher is better.
        assert_eq!(change(interval(0.02, 0.1), 0.0, Good::Above), Some(Change::Better));
        assert_eq!(change(interval(0.02, 0.1), 0.0, Good::Neither), None);
    }
}
