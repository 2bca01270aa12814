//! The statistics the evidence statuses will rest on (issue #25): closed-form confidence
//! intervals for the aggregates an ISMS produces, and for their change against a
//! baseline. Distribution functions come from `statrs`; nothing here is a hand-written
//! special function. Every interval is two-sided at `confidence` (strictly between 0 and
//! 1). The exact methods (Garwood, Clopper-Pearson and the rate ratio built on it) err on
//! each side at most `(1 - confidence) / 2`; the score methods (Wilson, Newcombe) hold
//! their level on average, not at every point. A function returns `None` for inputs
//! outside its domain (no cases, more successes than cases, an exposure that is not
//! positive, a confidence outside (0, 1)): no input makes it panic.
//!
//! | aggregate | the value | the value against its baseline |
//! |---|---|---|
//! | count, rate per exposure | [`count`]: Garwood (exact Poisson) | [`rate_ratio`]: Clopper-Pearson on k/(k+K), the conditional test of two Poisson rates |
//! | share | [`share`]: Wilson score | [`share_difference`]: Newcombe's hybrid score interval, in points |
//! | sum of durations | [`compound`]: Fay and Feuer's gamma interval | [`compound_ratio`]: the F-gamma interval of the ratio |
//!
//! and trends since rollout: of counts, [`poisson_trend`]; of shares and medians,
//! [`theil_sen`]; how much counts cluster, [`dispersion`]; and what an interval shows of a
//! criterion, [`verdict`], and of the change against the baseline, [`change`].

pub mod bootstrap;
mod evidence;
mod trend;

pub use evidence::{Change, Good, Scale, Verdict, change, verdict};
pub use trend::{MIN_PERIODS, Series, Trend, poisson_trend, poisson_trend_sites, theil_sen};

use statrs::distribution::{Beta, ContinuousCDF, Gamma, Normal};

/// A two-sided interval; `upper` may be infinite (a ratio over a baseline of no events).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Interval {
    pub lower: f64,
    pub upper: f64,
}

impl Interval {
    pub fn contains(&self, x: f64) -> bool {
        self.lower <= x && x <= self.upper
    }

    /// Whether the whole interval lies below `x`.
    pub fn below(&self, x: f64) -> bool {
        self.upper < x
    }

    /// Whether the whole interval lies above `x`.
    pub fn above(&self, x: f64) -> bool {
        self.lower > x
    }
}

/// The probability each side of an interval at `confidence` may err; `None` for a
/// confidence outside (0, 1).
fn tail(confidence: f64) -> Option<f64> {
    (confidence > 0.0 && confidence < 1.0).then(|| (1.0 - confidence) / 2.0)
}

/// The `p` quantile of the gamma distribution with `shape` and rate 1.
fn gamma_quantile(shape: f64, p: f64) -> f64 {
    Gamma::new(shape, 1.0).expect("a positive shape").inverse_cdf(p)
}

/// The `p` quantile of the beta distribution.
fn beta_quantile(a: f64, b: f64, p: f64) -> f64 {
    Beta::new(a, b).expect("positive shapes").inverse_cdf(p)
}

/// Garwood's exact interval of a Poisson mean from `k` events: the gamma quantiles of
/// shape k (lower; 0 for no event) and k + 1 (upper). Divide by an exposure for a rate.
pub fn count(k: u64, confidence: f64) -> Option<Interval> {
    count_dispersed(k, 1.0, confidence)
}

/// Garwood's interval of a count whose events cluster, with variance `phi` times its mean
/// (φ ≥ 1, [`dispersion`]): k events hold the evidence of k / φ independent ones (the
/// quasi-Poisson practice, Laney's u' chart), so the interval is φ times Garwood's on
/// k / φ, as wide as Garwood's times √φ for many events. `None` for φ below 1.
pub fn count_dispersed(k: u64, phi: f64, confidence: f64) -> Option<Interval> {
    let a = tail(confidence).filter(|_| phi >= 1.0 && phi.is_finite())?;
    let k = k as f64 / phi;
    let lower = if k == 0.0 { 0.0 } else { phi * gamma_quantile(k, a) };
    Some(Interval { lower, upper: phi * gamma_quantile(k + 1.0, 1.0 - a) })
}

/// Clopper-Pearson's exact interval of a binomial proportion from `x` of `n`.
pub fn clopper_pearson(x: u64, n: u64, confidence: f64) -> Option<Interval> {
    clopper_pearson_real(x as f64, n as f64, confidence)
}

/// [`clopper_pearson`] on `x` of `n` that need not be whole (events counted at a weight).
fn clopper_pearson_real(x: f64, n: f64, confidence: f64) -> Option<Interval> {
    let a = tail(confidence).filter(|_| n > 0.0 && x <= n)?;
    let lower = if x == 0.0 { 0.0 } else { beta_quantile(x, n - x + 1.0, a) };
    let upper = if x == n { 1.0 } else { beta_quantile(x + 1.0, n - x, 1.0 - a) };
    Some(Interval { lower, upper })
}

/// The interval of the ratio of two Poisson rates, `k` events over exposure `t` against
/// `k0` events over exposure `t0` (the period against its baseline), from the conditional
/// test: given k + k0 events, k is binomial with p = t / (t + t0) when the rates are
/// equal. `None` when neither side holds an event (there is nothing to compare), or an
/// exposure is not positive.
pub fn rate_ratio(k: u64, t: f64, k0: u64, t0: f64, confidence: f64) -> Option<Interval> {
    rate_ratio_dispersed(k, t, k0, t0, 1.0, confidence)
}

/// [`rate_ratio`] for counts whose events cluster with dispersion `phi` (φ ≥ 1): the
/// conditional test on k / φ of (k + k0) / φ events, as [`count_dispersed`].
pub fn rate_ratio_dispersed(k: u64, t: f64, k0: u64, t0: f64, phi: f64, confidence: f64) -> Option<Interval> {
    let positive = |x: f64| x.is_finite() && x > 0.0;
    if !(positive(t) && positive(t0) && phi >= 1.0 && phi.is_finite()) {
        return None;
    }
    let p = clopper_pearson_real(k as f64 / phi, (k + k0) as f64 / phi, confidence)?;
    let ratio = |p: f64| if p >= 1.0 { f64::INFINITY } else { p / (1.0 - p) * t0 / t };
    Some(Interval { lower: ratio(p.lower), upper: ratio(p.upper) })
}

/// The two-sided standard normal quantile at `confidence`.
fn z(confidence: f64) -> Option<f64> {
    Some(Normal::new(0.0, 1.0).expect("the standard normal").inverse_cdf(1.0 - tail(confidence)?))
}

/// Wilson's score interval of a proportion from `x` of `n`.
pub fn share(x: u64, n: u64, confidence: f64) -> Option<Interval> {
    if n == 0 || x > n {
        return None;
    }
    let (x, n, z) = (x as f64, n as f64, z(confidence)?);
    let z2 = z * z;
    let centre = (x + z2 / 2.0) / (n + z2);
    let half = z * (x * (n - x) / n + z2 / 4.0).sqrt() / (n + z2);
    Some(Interval { lower: (centre - half).max(0.0), upper: (centre + half).min(1.0) })
}

/// Newcombe's hybrid score interval (his method 10) of the difference of two proportions,
/// `x1` of `n1` less `x2` of `n2`, from their Wilson intervals: in proportion points
/// (multiply by 100 for percentage points).
pub fn share_difference(x1: u64, n1: u64, x2: u64, n2: u64, confidence: f64) -> Option<Interval> {
    let (w1, w2) = (share(x1, n1, confidence)?, share(x2, n2, confidence)?);
    let (p1, p2) = (x1 as f64 / n1 as f64, x2 as f64 / n2 as f64);
    let d = p1 - p2;
    Some(Interval {
        lower: d - ((p1 - w1.lower).powi(2) + (w2.upper - p2).powi(2)).sqrt(),
        upper: d + ((w1.upper - p1).powi(2) + (p2 - w2.lower).powi(2)).sqrt(),
    })
}

/// How much more counts swing than a Poisson process would (Laney's practice, issue #25):
/// the index of dispersion of `counts` (monthly counts of a baseline, say), the sample
/// variance over the mean, `Σ (y - ȳ)² / ȳ / (m - 1)`. Above 1.5 the counts cluster, and
/// the results widen their intervals ([`count_dispersed`]). `None` for fewer than two
/// counts or no event.
pub fn dispersion(counts: &[u64]) -> Option<f64> {
    let m = counts.len();
    let total: u64 = counts.iter().sum();
    if m < 2 || total == 0 {
        return None;
    }
    let mean = total as f64 / m as f64;
    let squares: f64 = counts.iter().map(|y| (*y as f64 - mean).powi(2)).sum();
    Some(squares / mean / (m - 1) as f64)
}

/// The 1-based ranks `(l, u)` of the order statistics that bound the `q` quantile of a
/// continuous distribution from `n` values at `confidence`, exact: with B binomial (n, q),
/// l is the largest rank with P(B ≤ l - 1) ≤ (1 - confidence) / 2 and u the smallest with
/// P(B ≤ u - 1) ≥ 1 - (1 - confidence) / 2, so that [X(l), X(u)] covers the quantile with
/// probability P(l ≤ B < u), at least `confidence`; that coverage is the third element.
/// `None` when n is too small for such ranks (fewer than 5 values for a median at 0.90,
/// 29 for a 90th percentile).
pub fn order_statistics(n: usize, q: f64, confidence: f64) -> Option<(usize, usize, f64)> {
    if n < fewest_for_quantile(q, confidence)? {
        return None;
    }
    let a = tail(confidence).filter(|_| n > 0 && q > 0.0 && q < 1.0)?;
    let b = statrs::distribution::Binomial::new(q, n as u64).ok()?;
    use statrs::distribution::DiscreteCDF;
    // P(B ≤ j - 1) for rank j.
    let below = |j: usize| if j == 0 { 0.0 } else { b.cdf(j as u64 - 1) };
    let l = (1..=n).take_while(|j| below(*j) <= a).last()?;
    let u = (l..=n).find(|j| below(*j) >= 1.0 - a)?;
    Some((l, u, below(u) - below(l)))
}

/// The fewest values [`order_statistics`] finds ranks for: both tails of the binomial law
/// must be able to fall under (1 - confidence) / 2, (1 - q)^n ≤ a and q^n ≤ a.
pub fn fewest_for_quantile(q: f64, confidence: f64) -> Option<usize> {
    let a = tail(confidence).filter(|_| q > 0.0 && q < 1.0)?;
    let fewest = |p: f64| (a.ln() / p.ln()).ceil().max(1.0) as usize;
    Some(fewest(q).max(fewest(1.0 - q)))
}

/// The distribution-free interval of the `q` quantile from `sorted` values (ascending),
/// between the order statistics [`order_statistics`] names.
pub fn quantile(sorted: &[f64], q: f64, confidence: f64) -> Option<Interval> {
    let (l, u, _) = order_statistics(sorted.len(), q, confidence)?;
    Some(Interval { lower: sorted[l - 1], upper: sorted[u - 1] })
}

/// The interval of the ratio of two `q` quantiles, `estimate` from `sorted` against
/// `estimate0` from `sorted0` (the period against its baseline), after Price and Bonett
/// (2002): each log quantile's variance from its order-statistic interval,
/// `((ln X(u) - ln X(l)) / (2 z*))²` with z* the normal quantile of that interval's own
/// coverage, and `exp(ln(estimate / estimate0) ± z·sqrt(v + v0))`. `None` when a sample is
/// too small, or a value it reads is not positive (a ratio of durations needs them above 0).
pub fn quantile_ratio(
    sorted: &[f64],
    estimate: f64,
    sorted0: &[f64],
    estimate0: f64,
    q: f64,
    confidence: f64,
) -> Option<Interval> {
    let normal = Normal::new(0.0, 1.0).ok()?;
    let variance = |sorted: &[f64]| -> Option<f64> {
        let (l, u, coverage) = order_statistics(sorted.len(), q, confidence)?;
        let (lo, hi) = (sorted[l - 1], sorted[u - 1]);
        if lo <= 0.0 || hi <= 0.0 {
            return None;
        }
        let z = normal.inverse_cdf(1.0 - (1.0 - coverage) / 2.0);
        Some(((hi.ln() - lo.ln()) / (2.0 * z)).powi(2))
    };
    if !(estimate > 0.0 && estimate0 > 0.0) {
        return None;
    }
    let half = z(confidence)? * (variance(sorted)? + variance(sorted0)?).sqrt();
    let centre = (estimate / estimate0).ln();
    Some(Interval { lower: (centre - half).exp(), upper: (centre + half).exp() })
}

/// What a sum of amounts over events (hours of downtime, say: a compound Poisson process)
/// rests on: the sum of the amounts, the sum of their squares, the largest, and how many
/// events there were. Sufficient for [`compound`] and [`compound_ratio`]: every back end
/// computes them beside the sum.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Compound {
    pub sum: f64,
    pub squares: f64,
    pub max: f64,
    pub events: u64,
}

impl Compound {
    /// A count as a sum of amounts of 1.
    pub fn of_count(events: u64) -> Compound {
        let k = events as f64;
        Compound { sum: k, squares: k, max: if events > 0 { 1.0 } else { 0.0 }, events }
    }

    /// Two samples taken together (periods of a window, sites of the pooled row).
    pub fn and(self, other: Compound) -> Compound {
        Compound {
            sum: self.sum + other.sum,
            squares: self.squares + other.squares,
            max: self.max.max(other.max),
            events: self.events + other.events,
        }
    }
}

/// The `p` quantile of a gamma law matched to the mean `y` and variance `v` of a sum
/// (shape y² / v, scale v / y).
fn matched_gamma(y: f64, v: f64, p: f64) -> f64 {
    v / y * gamma_quantile(y * y / v, p)
}

/// Fay and Feuer's (1997) gamma interval of the mean of a sum of amounts over Poisson
/// events: the gamma law with the sum's mean y and variance v (the sum of squares) below;
/// above, the same with one more event of the largest amount w (y + w, v + w²), as
/// Garwood's interval takes k + 1 for its upper end, which it is when every amount is 1.
/// `None` without an event, with an amount that is negative, or a confidence outside (0, 1).
pub fn compound(c: Compound, confidence: f64) -> Option<Interval> {
    let a = tail(confidence)?;
    if c.events == 0 || c.max.is_nan() || c.max <= 0.0 || c.sum < 0.0 || !c.squares.is_finite() {
        return None;
    }
    let lower = if c.sum > 0.0 { matched_gamma(c.sum, c.squares, a) } else { 0.0 };
    let upper = matched_gamma(c.sum + c.max, c.squares + c.max * c.max, 1.0 - a);
    Some(Interval { lower, upper })
}

/// The F-gamma interval (Fay 1999) of the ratio of two such means, `c` over exposure `t`
/// against `c0` over `t0` (the period against its baseline): the ratio of the two matched
/// gamma laws is a scaled F (a beta odds); below, the period's law against the baseline's
/// with one more event, above the other way round. With every amount 1 it is the
/// conditional test of two Poisson rates ([`rate_ratio`]). A side without an amount above
/// 0 takes the other's largest amount for its one more event. `None` when neither side holds an
/// amount above 0, an exposure is not positive, or an amount is negative.
pub fn compound_ratio(c: Compound, t: f64, c0: Compound, t0: f64, confidence: f64) -> Option<Interval> {
    let a = tail(confidence)?;
    let positive = |x: f64| x.is_finite() && x > 0.0;
    let w = c.max.max(c0.max);
    let nothing = !(c.sum > 0.0 || c0.sum > 0.0);
    let finite = [c.sum, c.squares, c0.sum, c0.squares].iter().all(|x| x.is_finite());
    if nothing || !finite || !(positive(t) && positive(t0) && positive(w)) || c.sum < 0.0 || c0.sum < 0.0 {
        return None;
    }
    // A side without an amount above 0 takes the other's largest for its one more event.
    let w1 = if c.max > 0.0 { c.max } else { w };
    let w0 = if c0.max > 0.0 { c0.max } else { w };
    // A sum's matched gamma law: its shape and scale (mean / shape), with one more event.
    let law = |y: f64, v: f64| (y * y / v, v / y);
    let more = |c: Compound, w: f64| law(c.sum + w, c.squares + w * w);
    // The ratio of two gamma laws (shapes s1, s0; scales k1, k0): k1 / k0 times B / (1 - B),
    // B beta (s1, s0).
    let ratio = |(s1, k1): (f64, f64), (s0, k0): (f64, f64), p: f64| {
        let b = beta_quantile(s1, s0, p);
        if b >= 1.0 { f64::INFINITY } else { k1 / k0 * b / (1.0 - b) * t0 / t }
    };
    let lower = match c.sum > 0.0 {
        true => ratio(law(c.sum, c.squares), more(c0, w0), a),
        false => 0.0,
    };
    let upper = match c0.sum > 0.0 {
        true => ratio(more(c, w1), law(c0.sum, c0.squares), 1.0 - a),
        false => f64::INFINITY,
    };
    Some(Interval { lower, upper })
}

/// The Kaplan-Meier estimate of the `q` quantile of durations some of which are still
/// running (censored), with Brookmeyer and Crowley's (1982) interval: `times` ascending,
/// each with whether it ended (`true`) or is censored (`false`). The quantile is the
/// first time the survival S(t) falls to 1 - q or below; the interval is the times whose
/// S(t) is within z of 1 - q by Greenwood's standard error, from the first event time with
/// S(t) ≤ 1 - q + z·se(t) to the first with S(t) < 1 - q - z·se(t) (infinite when S never
/// falls that low: too many cases still open). `None` when no duration ended, or S never
/// falls to 1 - q (the quantile is beyond the longest ended duration).
pub fn kaplan_meier(times: &[(f64, bool)], q: f64, confidence: f64) -> Option<(f64, Interval)> {
    let z = z(confidence)?;
    if !(q > 0.0 && q < 1.0 && times.iter().any(|(_, ended)| *ended)) {
        return None;
    }
    let target = 1.0 - q;
    let (mut s, mut greenwood, mut at_risk) = (1.0_f64, 0.0_f64, times.len() as f64);
    let (mut estimate, mut lower, mut upper) = (None, None, None);
    let mut i = 0;
    while i < times.len() {
        let t = times[i].0;
        // Every duration of this time: the ones that ended before the censored ones.
        let (mut ended, mut all) = (0.0, 0.0);
        while i < times.len() && times[i].0 == t {
            ended += f64::from(u8::from(times[i].1));
            all += 1.0;
            i += 1;
        }
        if ended > 0.0 {
            s *= 1.0 - ended / at_risk;
            if at_risk > ended {
                greenwood += ended / (at_risk * (at_risk - ended));
            }
            let se = if s > 0.0 { s * greenwood.sqrt() } else { 0.0 };
            if estimate.is_none() && s <= target {
                estimate = Some(t);
            }
            if lower.is_none() && s <= target + z * se {
                lower = Some(t);
            }
            if upper.is_none() && s < target - z * se {
                upper = Some(t);
            }
        }
        at_risk -= all;
    }
    let estimate = estimate?;
    Some((estimate, Interval { lower: lower.unwrap_or(estimate), upper: upper.unwrap_or(f64::INFINITY) }))
}

/// The interval of the ratio of two positive estimates from their own intervals at
/// `confidence`, each read as a normal interval of the logarithm (its variance
/// `((ln U - ln L) / 2z)²`): `exp(ln(e / e0) ± z·sqrt(v + v0))`, as Price and Bonett read
/// order statistics ([`quantile_ratio`]). `None` when an estimate or an end is not
/// positive and finite.
pub fn ratio_of_estimates(e: f64, i: Interval, e0: f64, i0: Interval, confidence: f64) -> Option<Interval> {
    let z = z(confidence)?;
    let ok = |x: f64| x.is_finite() && x > 0.0;
    if ![e, e0, i.lower, i.upper, i0.lower, i0.upper].into_iter().all(ok) {
        return None;
    }
    let variance = |i: Interval| ((i.upper.ln() - i.lower.ln()) / (2.0 * z)).powi(2);
    let half = z * (variance(i) + variance(i0)).sqrt();
    let centre = (e / e0).ln();
    Some(Interval { lower: (centre - half).exp(), upper: (centre + half).exp() })
}

/// The value of `f` at `values` (the parts of a derived metric) and its variance by the
/// delta method, from the parts' covariance `cov` (row-major, k × k): the gradient by
/// central differences, then g'·Σ·g. `None` when `f` is not finite at `values` or nearby,
/// or the variance is negative.
pub fn delta_variance(f: &dyn Fn(&[f64]) -> Option<f64>, values: &[f64], cov: &[f64]) -> Option<(f64, f64)> {
    let k = values.len();
    if cov.len() != k * k {
        return None;
    }
    let at = f(values).filter(|v| v.is_finite())?;
    let mut gradient = Vec::with_capacity(k);
    for j in 0..k {
        let h = 1e-6 * values[j].abs().max(1.0);
        let (mut up, mut down) = (values.to_vec(), values.to_vec());
        up[j] += h;
        down[j] -= h;
        gradient.push((f(&up)? - f(&down)?) / (2.0 * h));
    }
    let pairs = (0..k).flat_map(|j| (0..k).map(move |l| (j, l)));
    let variance: f64 = pairs.map(|(j, l)| gradient[j] * gradient[l] * cov[j * k + l]).sum();
    (variance >= 0.0 && variance.is_finite()).then_some((at, variance))
}

/// The interval of a value with `variance` (the delta method's) over `events` events:
/// the variance taken as a sample's (times n / (n - 1)) and the quantile Student's t of
/// n - 1 degrees of freedom, as for a mean; for a positive value the interval of its
/// logarithm, `value·exp(±t·se / value)` (a ratio's natural scale), else `value ± t·se`.
/// `None` below 2 events.
pub fn delta_interval(value: f64, variance: f64, events: u64, confidence: f64) -> Option<Interval> {
    if events < 2 {
        return None;
    }
    let n = events as f64;
    let t = statrs::distribution::StudentsT::new(0.0, 1.0, n - 1.0).ok()?.inverse_cdf(1.0 - tail(confidence)?);
    let (z, se) = (t, (variance * n / (n - 1.0)).sqrt());
    Some(match value > 0.0 {
        true => Interval { lower: value * (-z * se / value).exp(), upper: value * (z * se / value).exp() },
        false => Interval { lower: value - z * se, upper: value + z * se },
    })
}

/// The interval of the ratio of two positive values with their delta-method variances
/// over `events` and `events0` events (independent: a period and its baseline), each
/// variance taken as a sample's as in [`delta_interval`]:
/// `exp(ln(v / v0) ± t·sqrt(var/v² + var0/v0²))`, t Student's of the fewer events less 1
/// degrees of freedom. `None` below 2 events on a side.
pub fn delta_ratio(
    (value, variance, events): (f64, f64, u64),
    (value0, variance0, events0): (f64, f64, u64),
    confidence: f64,
) -> Option<Interval> {
    if !(value > 0.0 && value0 > 0.0) || events.min(events0) < 2 {
        return None;
    }
    let sample = |var: f64, n: u64| var * n as f64 / (n as f64 - 1.0);
    let df = events.min(events0) as f64 - 1.0;
    let t = statrs::distribution::StudentsT::new(0.0, 1.0, df).ok()?.inverse_cdf(1.0 - tail(confidence)?);
    let relative = sample(variance, events) / (value * value) + sample(variance0, events0) / (value0 * value0);
    let half = t * relative.sqrt();
    let centre = (value / value0).ln();
    Some(Interval { lower: (centre - half).exp(), upper: (centre + half).exp() })
}
