//! The trend of counts since rollout (issue #25, item 4): a log-linear Poisson model
//! `log E[y] = log(exposure) + a + b·t`, fitted by iteratively reweighted least squares,
//! with overdispersion `φ = max(1, Pearson χ² / (m - 2))` and the interval
//! `exp(b ± t(m-2)·sqrt(φ·var b)) - 1` of the change per unit of `t` (a year).

use super::Interval;
use statrs::distribution::{ContinuousCDF, StudentsT};

/// The fewest periods a trend is fitted on.
pub const MIN_PERIODS: usize = 4;

/// A fitted trend: the relative change per unit of time, its interval, and the
/// overdispersion the interval was widened by.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Trend {
    /// `exp(b) - 1`: +0.10 is a rise of 10% per year.
    pub per_year: f64,
    pub interval: Interval,
    pub dispersion: f64,
}

/// The trend of `counts` over `exposures` at `times` (in years), at `confidence`; `None`
/// with fewer than [`MIN_PERIODS`] periods, no event at all, one time only, an exposure
/// that is not positive, a negative count, or a confidence outside (0, 1).
pub fn poisson_trend(counts: &[f64], exposures: &[f64], times: &[f64], confidence: f64) -> Option<Trend> {
    let m = counts.len();
    let valid = m >= MIN_PERIODS
        && exposures.len() == m
        && times.len() == m
        && counts.iter().all(|y| y.is_finite() && *y >= 0.0)
        && exposures.iter().all(|e| e.is_finite() && *e > 0.0)
        && counts.iter().sum::<f64>() > 0.0
        && times.iter().any(|t| *t != times[0])
        && confidence > 0.0
        && confidence < 1.0;
    if !valid {
        return None;
    }
    let (a, b, var_b) = fit(counts, exposures, times)?;
    let pearson: f64 = (0..m)
        .map(|i| {
            let mu = exposures[i] * (a + b * times[i]).exp();
            (counts[i] - mu).powi(2) / mu
        })
        .sum();
    let dispersion = (pearson / (m - 2) as f64).max(1.0);
    let t = StudentsT::new(0.0, 1.0, (m - 2) as f64).ok()?.inverse_cdf(1.0 - (1.0 - confidence) / 2.0);
    let half = t * (dispersion * var_b).sqrt();
    Some(Trend {
        per_year: b.exp() - 1.0,
        interval: Interval { lower: (b - half).exp() - 1.0, upper: (b + half).exp() - 1.0 },
        dispersion,
    })
}

/// The maximum-likelihood `a`, `b` and the model variance of `b`, by iteratively
/// reweighted least squares; `None` when it does not converge (a rate running to zero).
fn fit(counts: &[f64], exposures: &[f64], times: &[f64]) -> Option<(f64, f64, f64)> {
    let total: f64 = counts.iter().sum();
    let (mut a, mut b) = ((total / exposures.iter().sum::<f64>()).ln(), 0.0);
    for _ in 0..100 {
        let (mut s0, mut s1, mut s2, mut z0, mut z1) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for i in 0..counts.len() {
            let eta = a + b * times[i];
            let mu = exposures[i] * eta.exp();
            let z = eta + (counts[i] - mu) / mu;
            s0 += mu;
            s1 += mu * times[i];
            s2 += mu * times[i] * times[i];
            z0 += mu * z;
            z1 += mu * z * times[i];
        }
        let det = s0 * s2 - s1 * s1;
        if !(det.is_finite() && det > 0.0) {
            return None;
        }
        let (next_a, next_b) = ((s2 * z0 - s1 * z1) / det, (s0 * z1 - s1 * z0) / det);
        let done = (next_a - a).abs() < 1e-12 && (next_b - b).abs() < 1e-12;
        (a, b) = (next_a, next_b);
        if done {
            return Some((a, b, s0 / det));
        }
    }
    None
}

/// The Theil-Sen slope of `values` at `times` (the median of the slopes between every two
/// periods at different times) with Sen's distribution-free interval at `confidence`:
/// with N slopes and `C = z · sqrt(Var S)`, `Var S = n(n-1)(2n+5)/18` (Kendall's S, no
/// correction for ties), the slopes of rank `round((N - C) / 2)` and
/// `round((N + C) / 2) + 1` in increasing order, clamped to the slopes there are. Used for
/// shares (points per year) and the log of medians. `None` with fewer than
/// [`MIN_PERIODS`] periods, one time only, a value that is not finite, or a confidence
/// outside (0, 1).
pub fn theil_sen(values: &[f64], times: &[f64], confidence: f64) -> Option<(f64, Interval)> {
    let n = values.len();
    let valid = n >= MIN_PERIODS
        && times.len() == n
        && values.iter().chain(times).all(|v| v.is_finite())
        && confidence > 0.0
        && confidence < 1.0;
    if !valid {
        return None;
    }
    let mut slopes: Vec<f64> = (0..n)
        .flat_map(|i| (i + 1..n).map(move |j| (i, j)))
        .filter(|&(i, j)| times[j] != times[i])
        .map(|(i, j)| (values[j] - values[i]) / (times[j] - times[i]))
        .collect();
    if slopes.is_empty() {
        return None;
    }
    slopes.sort_by(f64::total_cmp);
    let count = slopes.len();
    let median = if count % 2 == 1 { slopes[count / 2] } else { (slopes[count / 2 - 1] + slopes[count / 2]) / 2.0 };
    let nf = n as f64;
    let z = super::z(confidence)?;
    let c = z * (nf * (nf - 1.0) * (2.0 * nf + 5.0) / 18.0).sqrt();
    // Ranks are 1-based; the slope of rank r is slopes[r - 1].
    let rank = |r: f64| (r.round() as usize).clamp(1, count) - 1;
    let lower = slopes[rank((count as f64 - c) / 2.0)];
    let upper = slopes[rank((count as f64 + c) / 2.0 + 1.0)];
    Some((median, Interval { lower, upper }))
}
