//! Measurement traps the rows of a count show, flagged rather than hidden
//! (docs/semantics.md, "Traps"): a baseline year unusually bad against the data before it
//! (regression to the mean), and quarterly counts that swing with the season.

use super::{ResultRow, RowCoverage};
use crate::diag::{Diagnostic, codes};
use crate::ir::{AggFn, Direction, Grain, SiteRef};
use crate::plan::BasePlan;
use chrono::Datelike;
use statrs::distribution::{ContinuousCDF, FisherSnedecor};

/// The fewest months before the baseline window its rate is compared with.
const MONTHS_BEFORE: f64 = 6.0;

/// Quarterly counts whose quarters of the year differ with a chance below this are seasonal.
const SEASONAL: f64 = 0.01;

/// The fewest years of whole quarters a season is looked for in.
const SEASON_YEARS: usize = 2;

/// The warnings of one count metric's rows (of every site, in site and period order).
pub fn traps(base: &BasePlan, rows: &[ResultRow], confidence: f64) -> Vec<Diagnostic> {
    let m = base.metric;
    if m.body.judged_aggregate() != Some(AggFn::Count) || !m.body.is_event() {
        return Vec::new();
    }
    let own: Vec<&ResultRow> = rows.iter().filter(|r| r.metric == m.id && r.dims.is_empty()).collect();
    let sites: Vec<&[&ResultRow]> =
        own.chunk_by(|a, b| a.site == b.site).filter(|g| g[0].site != SiteRef::All).collect();
    let mut out = Vec::new();
    let bad: Vec<String> = sites.iter().filter_map(|rows| regression(base, rows, confidence)).collect();
    if !bad.is_empty() {
        out.push(
            Diagnostic::warning(
                codes::W0803,
                format!(
                    "the baseline of `{}` is worse than the data before it at {}: part of any improvement after the rollout may be regression to the mean",
                    m.id,
                    bad.join("; ")
                ),
            )
            .help("an unusually bad year tends to be followed by a better one with or without the ISMS: choose a baseline window of ordinary years (`baseline: {from: ..., to: ...}`), or read the changes at these sites with this in mind"),
        );
    }
    let seasonal: Vec<String> = match (m.grain, m.window) {
        (Grain::Quarter, None) => sites.iter().filter_map(|rows| season(rows)).collect(),
        _ => Vec::new(),
    };
    if !seasonal.is_empty() {
        out.push(
            Diagnostic::warning(
                codes::W0804,
                format!("the quarterly counts of `{}` swing with the season at {}", m.id, seasonal.join("; ")),
            )
            .help("a quarter then differs from the baseline's average quarter by its season alone: add `window: 4` to judge a rolling year beside each quarter"),
        );
    }
    out
}

/// Whole covered rows with a value.
fn whole(r: &ResultRow) -> bool {
    r.value.is_some() && !r.partial && r.coverage == RowCoverage::Covered
}

/// `site: 4.2 a month against 2.1 before (ratio 1.3 to 3.1)` when the site's baseline
/// window holds significantly more events a month than the whole periods before it (fewer,
/// for a metric where higher is better).
fn regression(base: &BasePlan, rows: &[&ResultRow], confidence: f64) -> Option<String> {
    let SiteRef::Site(site) = &rows[0].site else { return None };
    let window = base.window(site.as_str())?;
    let scaled = rows.iter().find_map(|r| r.baseline)?;
    let months = window.months();
    let events = (scaled * months / f64::from(base.grain.months())).round() as u64;
    let before: Vec<&&ResultRow> = rows.iter().filter(|r| whole(r) && r.period_end < window.from).collect();
    let months_before: f64 =
        before.iter().map(|r| crate::calendar::Window { from: r.period_start, to: r.period_end }.months()).sum();
    if months_before < MONTHS_BEFORE {
        return None;
    }
    let events_before = before.iter().filter_map(|r| r.value).sum::<f64>().round() as u64;
    let ratio = crate::stats::rate_ratio(events, months, events_before, months_before, confidence)?;
    let worse = match base.metric.direction {
        Direction::LowerIsBetter => ratio.above(1.0),
        Direction::HigherIsBetter => ratio.below(1.0),
        Direction::Neutral => false,
    };
    worse.then(|| {
        format!(
            "`{site}` ({:.1} a month against {:.1} in the {months_before:.0} months before; ratio {:.2} to {:.2})",
            events as f64 / months,
            events_before as f64 / months_before,
            ratio.lower,
            ratio.upper
        )
    })
}

/// `site (4 years)` when the site's whole quarters, over the calendar years that have all
/// four, differ by quarter of the year more than chance allows: a two-way analysis of
/// variance of the square roots of the counts (which steadies a Poisson count's spread),
/// years as blocks (a level that moves from year to year, as after a rollout, is not a
/// season) and the quarters' residual spread as the yardstick (clustered counts swing
/// more and need more to be called seasonal): F on 3 and 3(y - 1) degrees of freedom,
/// below [`SEASONAL`].
fn season(rows: &[&ResultRow]) -> Option<String> {
    let SiteRef::Site(site) = &rows[0].site else { return None };
    let mut years: std::collections::BTreeMap<i32, [Option<f64>; 4]> = std::collections::BTreeMap::new();
    for r in rows.iter().filter(|r| whole(r)) {
        years.entry(r.period_start.year()).or_default()[(r.period_start.month0() / 3) as usize] = r.value;
    }
    let table: Vec<[f64; 4]> =
        (years.values()).filter_map(|&[a, b, c, d]| Some([a?.sqrt(), b?.sqrt(), c?.sqrt(), d?.sqrt()])).collect();
    let y = table.len();
    if y < SEASON_YEARS {
        return None;
    }
    let grand = table.iter().flatten().sum::<f64>() / (4 * y) as f64;
    let quarter = |q: usize| table.iter().map(|r| r[q]).sum::<f64>() / y as f64;
    let year = |r: &[f64; 4]| r.iter().sum::<f64>() / 4.0;
    let between = y as f64 * (0..4).map(|q| (quarter(q) - grand).powi(2)).sum::<f64>();
    let residual: f64 =
        table.iter().map(|r| (0..4).map(|q| (r[q] - quarter(q) - year(r) + grand).powi(2)).sum::<f64>()).sum();
    let (df1, df2) = (3.0, 3.0 * (y as f64 - 1.0));
    if residual <= 0.0 {
        return None;
    }
    let f = (between / df1) / (residual / df2);
    let p = 1.0 - FisherSnedecor::new(df1, df2).ok()?.cdf(f);
    (p < SEASONAL).then(|| format!("`{site}` ({y} years of quarters)"))
}
