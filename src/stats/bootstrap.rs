//! Bootstrap intervals of means (issue #25): deterministic, so that the same inputs give
//! byte-identical results. The generator is PCG64 (`rand_pcg`, its output fixed by its
//! specification), seeded by the FNV-1a hash of what
//! identifies the row (metric, site, dimension values, period); [`RESAMPLES`] resamples,
//! each value drawn at index ⌊u·n / 2^64⌋ from the generator's next 64 bits u; quantiles
//! are the order statistics of rank ⌈(B + 1)·p⌉ (clamped to 1..B).

use super::Interval;
use rand_core::{Rng, SeedableRng};
use rand_pcg::Pcg64;
use std::hash::Hasher;

/// How many resamples every bootstrap interval draws.
pub const RESAMPLES: usize = 999;

/// The fewest values a mean is bootstrapped from.
pub const MIN_VALUES: usize = 10;

/// The seed of a row's resamples: the FNV-1a hash of its identifying parts, each followed
/// by a 0xff byte (which no UTF-8 text holds) so that parts cannot run together.
pub fn seed(parts: &[&str]) -> u64 {
    let mut h = fnv::FnvHasher::default();
    for p in parts {
        h.write(p.as_bytes());
        h.write_u8(0xff);
    }
    h.finish()
}

/// The mean and standard error of `values`.
fn mean_se(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

/// The order statistic of rank ⌈(B + 1)·p⌉ of `sorted` (not empty); the product is
/// rounded to nine decimals first, so that 1000 × 0.025 is rank 25, not 26.
fn at(sorted: &[f64], p: f64) -> f64 {
    let product = ((sorted.len() as f64 + 1.0) * p * 1e9).round() / 1e9;
    sorted[(product.ceil() as usize).clamp(1, sorted.len().max(1)) - 1]
}

/// The mean and standard error of `values` resampled with replacement into `buffer`.
fn resampled(values: &[f64], buffer: &mut Vec<f64>, rng: &mut Pcg64) -> (f64, f64) {
    buffer.clear();
    // An index from the top bits of 64 random ones times n (Lemire's mapping, without the
    // rejection step: its bias, n / 2^64, is nothing beside 999 resamples).
    let n = values.len() as u128;
    buffer.extend((0..values.len()).map(|_| values[((u128::from(rng.next_u64()) * n) >> 64) as usize]));
    mean_se(buffer)
}

/// The bootstrap-t interval of the mean of `values` at `confidence`: with t* = (m* - m) /
/// se* over the resamples, [m - t*(1 - a)·se, m - t*(a)·se], a = (1 - confidence) / 2.
/// `None` with fewer than [`MIN_VALUES`] values, values that do not vary, a value that is
/// not finite, or a confidence outside (0, 1).
pub fn mean(values: &[f64], confidence: f64, seed: u64) -> Option<Interval> {
    let a = super::tail(confidence)?;
    if values.len() < MIN_VALUES || values.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let (m, se) = mean_se(values);
    if se <= 0.0 {
        return None;
    }
    let mut rng = Pcg64::seed_from_u64(seed);
    let mut buffer = Vec::with_capacity(values.len());
    let mut t: Vec<f64> = (0..RESAMPLES)
        .map(|_| {
            let (m_star, se_star) = resampled(values, &mut buffer, &mut rng);
            // A resample of one repeated value has no spread: its t is unbounded.
            if se_star > 0.0 { (m_star - m) / se_star } else { (m_star - m).signum() * f64::INFINITY }
        })
        .filter(|t| !t.is_nan())
        .collect();
    if t.is_empty() {
        return None;
    }
    t.sort_by(f64::total_cmp);
    let interval = Interval { lower: m - at(&t, 1.0 - a) * se, upper: m - at(&t, a) * se };
    (interval.lower.is_finite() && interval.upper.is_finite()).then_some(interval)
}

/// The percentile bootstrap interval of the ratio of the mean of `values` to that of
/// `values0` (the period against its baseline), each resampled on its own. `None` with
/// fewer than [`MIN_VALUES`] values on a side, a mean that is not positive, or a value
/// that is not finite.
pub fn mean_ratio(values: &[f64], values0: &[f64], confidence: f64, seed: u64) -> Option<Interval> {
    let a = super::tail(confidence)?;
    let ok = |v: &[f64]| v.len() >= MIN_VALUES && v.iter().all(|x| x.is_finite()) && mean_se(v).0 > 0.0;
    if !(ok(values) && ok(values0)) {
        return None;
    }
    let mut rng = Pcg64::seed_from_u64(seed);
    let mut buffer = Vec::with_capacity(values.len().max(values0.len()));
    let mut ratios: Vec<f64> = (0..RESAMPLES)
        .map(|_| resampled(values, &mut buffer, &mut rng).0 / resampled(values0, &mut buffer, &mut rng).0)
        .filter(|r| r.is_finite())
        .collect();
    if ratios.len() < RESAMPLES / 2 || ratios.is_empty() {
        return None;
    }
    ratios.sort_by(f64::total_cmp);
    Some(Interval { lower: at(&ratios, a), upper: at(&ratios, 1.0 - a) })
}
