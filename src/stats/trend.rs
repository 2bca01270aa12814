//! The trend of counts since rollout (issue #25, item 4): a log-linear Poisson model
//! `log E[y] = log(exposure) + a + b·t` (one `a` per site when sites are pooled), its
//! maximum-likelihood fit, overdispersion `φ = max(1, Pearson χ² / (m - p))` and the
//! interval `exp(b ± t(m-p)·sqrt(φ·var b)) - 1` of the change per unit of `t` (a year);
//! and Theil-Sen slopes with Sen's interval for shares and medians.

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

/// One site's series of counts: the events of each period, its exposure (positive) and its
/// time in years.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Series {
    pub counts: Vec<f64>,
    pub exposures: Vec<f64>,
    pub times: Vec<f64>,
}

/// The trend of `counts` over `exposures` at `times` (in years), at `confidence`; `None`
/// with fewer than [`MIN_PERIODS`] periods, no event at all, one time only, an exposure
/// that is not positive, a negative count, or a confidence outside (0, 1).
pub fn poisson_trend(counts: &[f64], exposures: &[f64], times: &[f64], confidence: f64) -> Option<Trend> {
    let series = Series { counts: counts.to_vec(), exposures: exposures.to_vec(), times: times.to_vec() };
    poisson_trend_sites(&[series], confidence)
}

/// The trend of several sites' counts with one intercept per site and one slope
/// (`log E[y] = log(exposure) + a_site + b·t`): the pooled trend. Each intercept is
/// profiled out (for a given b it is the log of the site's events over its exposure
/// weighted by `exp(b·t)`), b is found by Newton's method on its profile score, and its
/// variance is the inverse of the profile information, as the full model's Fisher
/// information gives it. A site without an event adds nothing and is left out.
/// Overdispersion is `φ = max(1, Pearson χ² / (m - p))` with p = sites + 1, and the
/// interval `exp(b ± t(m - p)·sqrt(φ·var b)) - 1`. `None` with fewer than
/// [`MIN_PERIODS`] periods or fewer than two degrees of freedom, no event, no time that
/// differs within a site, an invalid value, or a confidence outside (0, 1).
pub fn poisson_trend_sites(sites: &[Series], confidence: f64) -> Option<Trend> {
    let valid = |s: &Series| {
        let m = s.counts.len();
        s.exposures.len() == m
            && s.times.len() == m
            && s.counts.iter().all(|y| y.is_finite() && *y >= 0.0)
            && s.exposures.iter().all(|e| e.is_finite() && *e > 0.0)
            && s.times.iter().all(|t| t.is_finite())
    };
    if !(sites.iter().all(valid) && confidence > 0.0 && confidence < 1.0) {
        return None;
    }
    let sites: Vec<&Series> = sites.iter().filter(|s| s.counts.iter().sum::<f64>() > 0.0).collect();
    let m: usize = sites.iter().map(|s| s.counts.len()).sum();
    let parameters = sites.len() + 1;
    let varies = sites.iter().any(|s| s.times.iter().any(|t| *t != s.times[0]));
    if sites.is_empty() || m < MIN_PERIODS || m < parameters + 2 || !varies {
        return None;
    }
    let (b, information) = profile_fit(&sites)?;
    let pearson: f64 = sites
        .iter()
        .map(|s| {
            let fitted = fitted(s, b);
            s.counts.iter().zip(&fitted).map(|(y, mu)| (y - mu).powi(2) / mu).sum::<f64>()
        })
        .sum();
    let df = (m - parameters) as f64;
    let dispersion = (pearson / df).max(1.0);
    let t = StudentsT::new(0.0, 1.0, df).ok()?.inverse_cdf(1.0 - (1.0 - confidence) / 2.0);
    let half = t * (dispersion / information).sqrt();
    Some(Trend {
        per_year: b.exp() - 1.0,
        interval: Interval { lower: (b - half).exp() - 1.0, upper: (b + half).exp() - 1.0 },
        dispersion,
    })
}

/// A site's fitted means at slope `b`, its intercept profiled out: its events shared in
/// proportion to `exposure · exp(b·t)`.
fn fitted(s: &Series, b: f64) -> Vec<f64> {
    let weights: Vec<f64> = s.exposures.iter().zip(&s.times).map(|(e, t)| e * (b * t).exp()).collect();
    let (events, total): (f64, f64) = (s.counts.iter().sum(), weights.iter().sum());
    weights.iter().map(|w| events * w / total).collect()
}

/// The slope's maximum-likelihood estimate and its profile information, by Newton's
/// method on the profile score `Σ t (y - μ)`; `None` when it does not converge (a rate
/// running to zero).
fn profile_fit(sites: &[&Series]) -> Option<(f64, f64)> {
    let mut b = 0.0;
    for _ in 0..100 {
        let (mut score, mut information) = (0.0, 0.0);
        for s in sites {
            let mu = fitted(s, b);
            let events: f64 = s.counts.iter().sum();
            let (mut mt, mut mtt) = (0.0, 0.0);
            for ((mu, t), y) in mu.iter().zip(&s.times).zip(&s.counts) {
                score += t * (y - mu);
                mt += mu * t;
                mtt += mu * t * t;
            }
            information += mtt - mt * mt / events;
        }
        if !(information.is_finite() && information > 0.0) {
            return None;
        }
        let step = score / information;
        b += step;
        if !b.is_finite() {
            return None;
        }
        if step.abs() < 1e-12 {
            return Some((b, information));
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
