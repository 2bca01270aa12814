//! The statistics under the evidence statuses (issue #25), checked exactly: coverage and
//! error rates are sums over every outcome of the Poisson or binomial law, computed here
//! from the probability functions written out (logarithms of factorials summed), not by
//! simulation, so they are the same on every run.

use yardstick::results::RowStatus;
use yardstick::stats;

const CONFIDENCE: f64 = 0.90;

/// ln k!, summed.
fn ln_factorial(k: u64) -> f64 {
    (2..=k).map(|i| (i as f64).ln()).sum()
}

fn poisson(k: u64, lambda: f64) -> f64 {
    (k as f64 * lambda.ln() - lambda - ln_factorial(k)).exp()
}

fn binomial(x: u64, n: u64, p: f64) -> f64 {
    let ln_choose = ln_factorial(n) - ln_factorial(x) - ln_factorial(n - x);
    let ln = ln_choose
        + if x > 0 { x as f64 * p.ln() } else { 0.0 }
        + if x < n { (n - x) as f64 * (1.0 - p).ln() } else { 0.0 };
    ln.exp()
}

/// The outcomes of a Poisson law with mean `lambda` that carry all but a negligible mass.
fn poisson_support(lambda: f64) -> std::ops::RangeInclusive<u64> {
    0..=(lambda + 12.0 * lambda.sqrt() + 30.0) as u64
}

#[test]
fn intervals_agree_with_their_closed_forms() {
    // No event: Garwood's upper limit is -ln(0.05) at 90%; one event: the lower is -ln(0.95).
    let none = stats::count(0, CONFIDENCE).unwrap();
    assert_eq!(none.lower, 0.0);
    assert!((none.upper - 0.05_f64.ln().abs()).abs() < 1e-9, "{none:?}");
    assert!((stats::count(1, CONFIDENCE).unwrap().lower - 0.95_f64.ln().abs()).abs() < 1e-9);
    // 0 of 10 at 95%: Clopper-Pearson's upper limit is 1 - 0.025^(1/10).
    let cp = stats::clopper_pearson(0, 10, 0.95).unwrap();
    assert!((cp.upper - (1.0 - 0.025_f64.powf(0.1))).abs() < 1e-9, "{cp:?}");
    // 0 of 10 at 90%: Wilson's interval is [0, z^2 / (n + z^2)], z = 1.6449 (the centre
    // and the half width are equal).
    let z2 = 1.644_853_626_951_472_f64.powi(2);
    let w = stats::share(0, 10, CONFIDENCE).unwrap();
    assert!(w.lower.abs() < 1e-12 && (w.upper - z2 / (10.0 + z2)).abs() < 1e-9, "{w:?}");
    // Newcombe (1998), example (a): 56/70 against 48/80 at 95% is 0.0524 to 0.3339.
    let d = stats::share_difference(56, 70, 48, 80, 0.95).unwrap();
    assert!((d.lower - 0.0524).abs() < 5e-5 && (d.upper - 0.3339).abs() < 5e-5, "{d:?}");
    // Zero cells: no difference seen, an interval around it inside [-1, 1].
    let zero = stats::share_difference(0, 10, 0, 10, CONFIDENCE).unwrap();
    assert!(zero.contains(0.0) && zero.lower > -1.0 && zero.upper < 1.0, "{zero:?}");
    let all = stats::share_difference(10, 10, 0, 10, CONFIDENCE).unwrap();
    assert!(all.above(0.0) && all.upper <= 1.0, "{all:?}");
}

#[test]
fn inputs_outside_the_domain_give_no_interval_never_a_panic() {
    assert!(stats::count(3, 1.0).is_none() && stats::count(3, 0.0).is_none() && stats::count(3, f64::NAN).is_none());
    assert!(stats::clopper_pearson(11, 10, CONFIDENCE).is_none() && stats::clopper_pearson(0, 0, CONFIDENCE).is_none());
    assert!(stats::share(0, 0, CONFIDENCE).is_none() && stats::share(3, 2, CONFIDENCE).is_none());
    assert!(stats::share_difference(1, 0, 1, 2, CONFIDENCE).is_none());
    assert!(stats::rate_ratio(0, 1.0, 0, 4.0, CONFIDENCE).is_none(), "no event on either side");
    assert!(
        stats::rate_ratio(3, 0.0, 4, 4.0, CONFIDENCE).is_none()
            && stats::rate_ratio(3, 1.0, 4, -1.0, CONFIDENCE).is_none()
    );
}

/// Garwood's interval is exact: it covers the mean at least as often as promised, at every
/// mean (not only on average).
#[test]
fn count_intervals_cover_the_mean_at_least_as_often_as_promised() {
    for lambda in [0.5, 2.0, 3.0, 5.0, 10.0, 20.0, 50.0] {
        let coverage: f64 = poisson_support(lambda)
            .filter(|k| stats::count(*k, CONFIDENCE).unwrap().contains(lambda))
            .map(|k| poisson(k, lambda))
            .sum();
        assert!(coverage >= CONFIDENCE - 1e-9, "λ = {lambda}: {coverage:.4}");
    }
}

/// Clopper-Pearson's interval is exact too, at every proportion of the grid.
#[test]
fn exact_share_intervals_cover_at_every_point() {
    for n in [10, 30, 100] {
        for p in [0.05, 0.2, 0.5, 0.8, 0.95] {
            let coverage: f64 = (0..=n)
                .filter(|x| stats::clopper_pearson(*x, n, CONFIDENCE).unwrap().contains(p))
                .map(|x| binomial(x, n, p))
                .sum();
            assert!(coverage >= CONFIDENCE - 1e-9, "n = {n}, p = {p}: {coverage:.4}");
        }
    }
}

#[test]
fn share_intervals_cover_the_proportion_on_the_grid() {
    let mut all = Vec::new();
    for n in [10, 30, 100, 1000] {
        for p in [0.05, 0.2, 0.5, 0.8, 0.95] {
            let coverage: f64 = (0..=n)
                .filter(|x| stats::share(*x, n, CONFIDENCE).unwrap().contains(p))
                .map(|x| binomial(x, n, p))
                .sum();
            assert!(coverage >= CONFIDENCE - 0.04, "n = {n}, p = {p}: {coverage:.4}");
            all.push(coverage);
        }
    }
    let mean = all.iter().sum::<f64>() / all.len() as f64;
    assert!(mean >= CONFIDENCE - 0.02, "mean coverage {mean:.4}");
}

/// For a quarter with `per_quarter` expected events at baseline, changed by `factor` after
/// the rollout, against a baseline of `quarters` quarters: how often the ratio's interval
/// says better (wholly below 1) and worse (wholly above 1).
fn verdicts(per_quarter: f64, factor: f64, quarters: f64) -> (f64, f64) {
    let (lambda, lambda0) = (per_quarter * factor, per_quarter * quarters);
    let (mut better, mut worse) = (0.0, 0.0);
    for k in poisson_support(lambda) {
        for k0 in poisson_support(lambda0) {
            let Some(r) = stats::rate_ratio(k, 1.0, k0, quarters, CONFIDENCE) else { continue };
            let p = poisson(k, lambda) * poisson(k0, lambda0);
            if r.below(1.0) {
                better += p;
            } else if r.above(1.0) {
                worse += p;
            }
        }
    }
    (better, worse)
}

#[test]
fn an_unchanged_process_is_called_better_or_worse_by_chance_alone_at_most_five_percent_each() {
    for (per_quarter, quarters) in [(5.0, 4.0), (25.0, 4.0), (5.0, 2.0), (10.0, 1.0)] {
        let (better, worse) = verdicts(per_quarter, 1.0, quarters);
        let at = format!("{per_quarter} a quarter, {quarters} baseline quarters");
        assert!(better <= (1.0 - CONFIDENCE) / 2.0 + 1e-9, "{at}: better {better:.4}");
        assert!(worse <= (1.0 - CONFIDENCE) / 2.0 + 1e-9, "{at}: worse {worse:.4}");
    }
}

#[test]
fn a_real_change_is_seen_in_a_quarter_at_forty_events() {
    let (better, _) = verdicts(40.0, 0.5, 4.0);
    assert!(better >= 0.85, "halved: better in {better:.4}");
    let (_, worse) = verdicts(40.0, 1.5, 4.0);
    assert!(worse >= 0.70, "raised by half: worse in {worse:.4}");
}

/// What a count metric with `target: {change: -30%}` (no thresholds) is judged over its
/// judged periods: the chance of each status and change.
#[derive(Clone, Copy, Debug, Default)]
struct Operating {
    green: f64,
    red: f64,
    better: f64,
    worse: f64,
    green_and_better: f64,
    red_and_worse: f64,
}

/// The operating characteristics of the status rules (docs/semantics.md, "Statuses from
/// evidence") for a count: `per_quarter` events expected a quarter at baseline, times
/// `factor` after the rollout, judged over `window` quarters against a twelve-month
/// baseline, summed exactly over every outcome of the period (or window) and baseline
/// counts. As the results stage does, a baseline of no event is judged on the value's own
/// interval (the target is 0), and no event in either is `insufficient`.
fn operating(per_quarter: f64, factor: f64, window: f64) -> Operating {
    let (lambda, lambda0) = (per_quarter * factor * window, per_quarter * 4.0);
    let mut o = Operating::default();
    let target = |r: f64| r <= 0.7;
    for k in poisson_support(lambda) {
        for k0 in poisson_support(lambda0) {
            let p = poisson(k, lambda) * poisson(k0, lambda0);
            if k == 0 && k0 == 0 {
                continue;
            }
            let ratio = stats::rate_ratio(k, window, k0, 4.0, CONFIDENCE).unwrap();
            let verdict = if k0 == 0 {
                let value = stats::count(k, CONFIDENCE).unwrap();
                let value = stats::Interval { lower: value.lower / window, upper: value.upper / window };
                stats::verdict(|v| v <= 0.0, k as f64 / window, value, stats::Scale::Value, stats::Good::Below, false)
            } else {
                let estimate = (k as f64 / window) / (k0 as f64 / 4.0);
                let scale = stats::Scale::Baseline { no_change: 1.0 };
                stats::verdict(target, estimate, ratio, scale, stats::Good::Below, false)
            };
            let change = stats::change(ratio, 1.0, stats::Good::Below).unwrap();
            let (green, red) = (verdict == stats::Verdict::Established, verdict == stats::Verdict::Refuted);
            let (better, worse) = (change == stats::Change::Better, change == stats::Change::Worse);
            o.green += p * f64::from(u8::from(green));
            o.red += p * f64::from(u8::from(red));
            o.better += p * f64::from(u8::from(better));
            o.worse += p * f64::from(u8::from(worse));
            o.green_and_better += p * f64::from(u8::from(green && better));
            o.red_and_worse += p * f64::from(u8::from(red && worse));
        }
    }
    o
}

/// The scenarios of issue #25 with their bounds: (events a quarter at baseline, factor
/// after rollout, quarters judged together, what is bounded, the bound).
const SCENARIOS: &[(f64, f64, f64, &str, f64)] = &[
    (5.0, 1.0, 1.0, "unchanged", 0.10),
    (25.0, 1.0, 1.0, "unchanged", 0.10),
    (5.0, 1.0, 4.0, "unchanged", 0.10),
    (25.0, 1.0, 4.0, "unchanged", 0.10),
    (40.0, 0.5, 1.0, "green and better", 0.85),
    (40.0, 1.5, 1.0, "red and worse", 0.70),
    (10.0, 0.5, 4.0, "green and better", 0.70),
    (25.0, 1.5, 4.0, "red and worse", 0.85),
];

/// Checks a scenario against its bound: an unchanged process is `green`, `better` and
/// `worse` each at most the bound; a real change is seen at least as often as the bound.
fn holds(o: &Operating, what: &str, bound: f64) -> bool {
    match what {
        "unchanged" => o.green <= bound && o.better <= bound && o.worse <= bound,
        "green and better" => o.green_and_better >= bound,
        _ => o.red_and_worse >= bound,
    }
}

/// The table docs/semantics.md shows: every scenario, its figures, its bound.
fn operating_table() -> String {
    let pct = |x: f64| format!("{:.1}%", 100.0 * x);
    let mut out = String::from(
        "| events a quarter at baseline | after the rollout | judged on | green | red | better | worse | bound |\n\
         |---|---|---|---|---|---|---|---|\n",
    );
    for &(per_quarter, factor, window, what, bound) in SCENARIOS {
        let o = operating(per_quarter, factor, window);
        let after = match factor {
            1.0 => "unchanged".to_string(),
            0.5 => "halved".to_string(),
            _ => "raised by half".to_string(),
        };
        let on = if window == 1.0 { "a quarter" } else { "a rolling year" };
        let bound = match what {
            "unchanged" => format!("green, better, worse each ≤ {}", pct(bound)),
            _ => format!("{what} ≥ {}", pct(bound)),
        };
        let cells = [pct(o.green), pct(o.red), pct(o.better), pct(o.worse)].join(" | ");
        out += &format!("| {per_quarter} | {after} | {on} | {cells} | {bound} |\n");
    }
    out
}

#[test]
fn the_status_rules_meet_the_operating_characteristics_of_issue_25() {
    for &(per_quarter, factor, window, what, bound) in SCENARIOS {
        let o = operating(per_quarter, factor, window);
        let at = format!("{per_quarter} a quarter, ×{factor}, over {window} quarter(s)");
        assert!(holds(&o, what, bound), "{at}: {what} against {bound}: {o:?}");
    }
}

/// docs/semantics.md shows the figures this harness computes, between its markers; write
/// them again with `YARDSTICK_WRITE_DOCS=1 cargo test --test integration operating`.
#[test]
fn the_operating_characteristics_in_the_docs_are_the_harness() {
    crate::util::semantics_table("operating characteristics", &operating_table());
}

/// Clopper-Pearson's limits for `x` of `n` found by bisection on the binomial law summed
/// here, independently of the beta quantiles the library uses: the lower limit is the p
/// at which P(X >= x) is the tail, the upper the p at which P(X <= x) is.
fn clopper_pearson_by_bisection(x: u64, n: u64, tail: f64) -> (f64, f64) {
    let at_most = |p: f64| (0..=x).map(|i| binomial(i, n, p)).sum::<f64>();
    let solve = |f: &dyn Fn(f64) -> f64| {
        // f rises with p from below 0 to above 0.
        let (mut lo, mut hi) = (0.0_f64, 1.0_f64);
        for _ in 0..200 {
            let mid = (lo + hi) / 2.0;
            if f(mid) < 0.0 { lo = mid } else { hi = mid }
        }
        (lo + hi) / 2.0
    };
    let lower = if x == 0 { 0.0 } else { solve(&|p| (1.0 - at_most(p) + binomial(x, n, p)) - tail) };
    let upper = if x == n { 1.0 } else { solve(&|p| tail - at_most(p)) };
    (lower, upper)
}

/// docs/semantics.md's worked example: a count with `target: {change: -30%}` against a
/// twelve-month baseline of 24 events (6 a quarter), quarters of 1, 4, 6 and 14 events.
/// The ratio's interval comes from Clopper-Pearson on k / (k + 24), p / (1 - p) times the
/// 4 quarters of the window; each line of the table is computed here and must be in the
/// docs.
#[test]
fn the_worked_example_of_statuses_from_evidence() {
    let doc =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/semantics.md")).unwrap();
    let expected = [
        ("A", 1, "better", "established", "green"),
        ("B", 4, "unclear", "open", "unclear"),
        ("C", 6, "unclear", "open", "unclear"),
        ("D", 14, "worse", "refuted", "red"),
    ];
    let mut lines = Vec::new();
    for (quarter, k, change, verdict, status) in expected {
        let (lo, hi) = clopper_pearson_by_bisection(k, k + 24, 0.05);
        let ratio = |p: f64| p / (1.0 - p) * 4.0;
        let interval = stats::rate_ratio(k, 1.0, 24, 4.0, CONFIDENCE).unwrap();
        assert!(
            (interval.lower - ratio(lo)).abs() < 1e-6 && (interval.upper - ratio(hi)).abs() < 1e-6,
            "{quarter}: {interval:?}"
        );
        let estimate = k as f64 / 6.0;
        let scale = stats::Scale::Baseline { no_change: 1.0 };
        let judged = stats::verdict(|r| r <= 0.7, estimate, interval, scale, stats::Good::Below, false);
        let seen = stats::change(interval, 1.0, stats::Good::Below).unwrap();
        assert_eq!((seen.as_str(), format!("{judged:?}").to_lowercase()), (change, verdict.to_string()), "{quarter}");
        let line = format!(
            "| {quarter} | {k} | {estimate:.2} | {:.2} to {:.2} | `{change}` | {verdict} | `{status}` |",
            ratio(lo),
            ratio(hi)
        );
        lines.push(line);
    }
    let table = lines.join("\n");
    assert!(doc.contains(&table), "docs/semantics.md lacks\n{table}");
}

/// Counts that follow the model exactly give back its slope and no overdispersion.
#[test]
fn a_trend_fitted_on_counts_that_follow_the_model_recovers_its_slope() {
    let times: Vec<f64> = (0..8).map(|i| f64::from(i) * 0.25).collect();
    let counts: Vec<f64> = times.iter().map(|t| 10.0 * 0.8_f64.powf(*t)).collect();
    let trend = stats::poisson_trend(&counts, &[1.0; 8], &times, CONFIDENCE).unwrap();
    assert!((trend.per_year + 0.2).abs() < 1e-9, "{trend:?}");
    assert_eq!(trend.dispersion, 1.0);
    assert!(trend.interval.contains(-0.2));
}

/// Six quarters of 5 events: no trend, and the interval exp(±t(4)·sqrt(var b)) - 1 with
/// var b = 1 / (5 · Σ (t - t̄)²) = 1 / (5 · 1.09375), t(4) at 95% = 2.131847.
#[test]
fn a_flat_series_has_no_trend_and_the_interval_the_model_gives() {
    let times: Vec<f64> = (0..6).map(|i| f64::from(i) * 0.25).collect();
    let trend = stats::poisson_trend(&[5.0; 6], &[1.0; 6], &times, CONFIDENCE).unwrap();
    assert!(trend.per_year.abs() < 1e-12, "{trend:?}");
    let half = 2.131_847 * (1.0 / (5.0 * 1.093_75_f64)).sqrt();
    assert!((trend.interval.lower - ((-half).exp() - 1.0)).abs() < 1e-5, "{trend:?}");
    assert!((trend.interval.upper - (half.exp() - 1.0)).abs() < 1e-5, "{trend:?}");
}

/// Counts that swing more than a Poisson process would widen the interval by the
/// estimated overdispersion.
#[test]
fn clustered_counts_widen_the_trend_interval() {
    let times: Vec<f64> = (0..6).map(|i| f64::from(i) * 0.25).collect();
    let steady = stats::poisson_trend(&[10.0; 6], &[1.0; 6], &times, CONFIDENCE).unwrap();
    let swinging = stats::poisson_trend(&[0.0, 20.0, 0.0, 20.0, 0.0, 20.0], &[1.0; 6], &times, CONFIDENCE).unwrap();
    assert!(swinging.dispersion > 5.0, "{swinging:?}");
    let width = |t: &stats::Trend| t.interval.upper.ln_1p() - t.interval.lower.ln_1p();
    assert!(width(&swinging) > 2.0 * width(&steady), "{steady:?} {swinging:?}");
}

#[test]
fn no_trend_is_fitted_on_too_little() {
    let t4 = [0.0, 0.25, 0.5, 0.75];
    assert!(stats::poisson_trend(&[1.0, 2.0, 3.0], &[1.0; 3], &t4[..3], CONFIDENCE).is_none(), "three periods");
    assert!(stats::poisson_trend(&[0.0; 4], &[1.0; 4], &t4, CONFIDENCE).is_none(), "no event");
    assert!(stats::poisson_trend(&[1.0; 4], &[1.0; 4], &[0.5; 4], CONFIDENCE).is_none(), "one time");
    assert!(stats::poisson_trend(&[1.0; 4], &[1.0, 0.0, 1.0, 1.0], &t4, CONFIDENCE).is_none(), "no exposure");
    assert!(stats::poisson_trend(&[1.0; 4], &[1.0; 4], &t4, 1.0).is_none(), "confidence 1");
    // Events only in the first period: the fitted rate runs to zero; no number, or a finite one.
    let vanishing = stats::poisson_trend(&[10.0, 0.0, 0.0, 0.0], &[1.0; 4], &t4, CONFIDENCE);
    assert!(vanishing.is_none_or(|t| t.per_year.is_finite() && t.interval.lower.is_finite()), "{vanishing:?}");
}

#[test]
fn theil_sen_finds_the_slope_of_a_line_and_ignores_one_wild_value() {
    let times: Vec<f64> = (0..10).map(f64::from).collect();
    let line: Vec<f64> = times.iter().map(|t| 2.0 + 3.0 * t).collect();
    let (slope, interval) = stats::theil_sen(&line, &times, CONFIDENCE).unwrap();
    assert_eq!((slope, interval.lower, interval.upper), (3.0, 3.0, 3.0));
    // One wild value touches 9 of the 45 slopes; the median stays 3.
    let mut wild = line.clone();
    wild[4] = 100.0;
    assert_eq!(stats::theil_sen(&wild, &times, CONFIDENCE).unwrap().0, 3.0);
}

/// Sen's interval for n = 10 at 90%: N = 45 slopes, Var S = 10·9·25/18 = 125,
/// C = 1.644854·sqrt(125) = 18.39, so the slopes of rank round(13.30) = 13 and
/// round(31.70) + 1 = 33 in increasing order.
#[test]
fn sens_interval_takes_the_slopes_of_the_ranks_kendalls_s_gives() {
    let times: Vec<f64> = (0..10).map(f64::from).collect();
    let values = [3.0, 1.0, 4.0, 1.5, 5.0, 9.0, 2.6, 6.5, 3.5, 8.9];
    let mut slopes = Vec::new();
    for i in 0..10 {
        for j in i + 1..10 {
            slopes.push((values[j] - values[i]) / (times[j] - times[i]));
        }
    }
    slopes.sort_by(f64::total_cmp);
    let (_, interval) = stats::theil_sen(&values, &times, CONFIDENCE).unwrap();
    assert_eq!((interval.lower, interval.upper), (slopes[12], slopes[32]));
}

/// 2, 8, 2, 8: mean 5, squares 36, so 36 / 5 / 3 = 2.4: clustered. A steady series
/// is not.
#[test]
fn dispersion_says_how_much_more_counts_swing_than_chance() {
    assert!((stats::dispersion(&[2, 8, 2, 8]).unwrap() - 2.4).abs() < 1e-12);
    assert_eq!(stats::dispersion(&[5, 5, 5, 5]), Some(0.0));
    assert_eq!(stats::dispersion(&[0, 0, 0]), None);
    assert_eq!(stats::dispersion(&[4]), None);
}

/// The rows of a count metric carry Garwood's interval at the project's confidence: site
/// `b` has no incident in 2024-Q1, so its interval is [0, -ln((1 - C) / 2)]; `a` has two
/// (the gamma quantiles of shape 2 and 3). `judgement: {confidence: 0.95}` widens them.
#[test]
fn count_rows_carry_their_interval_at_the_projects_confidence() {
    use crate::util::Edit;
    let two = "i1,2024-01-15T10:00:00Z,,SEV3,,\ni2,2024-02-20T10:00:00Z,,SEV1,,\n";
    let f = crate::engine::incidents(two, "");
    let at = |edits: &[Edit]| crate::engine::run("incidents", "2024-03-31", &crate::engine::files(&f), edits).unwrap();
    let default = at(&[]);
    let none = default.row("b", "2024-Q1");
    assert_eq!((none.value, none.lower), (Some(0.0), Some(0.0)));
    assert!((none.upper.unwrap() - 0.05_f64.ln().abs()).abs() < 1e-9, "{none:?}");
    let a = default.row("a", "2024-Q1");
    // Shape 2 at 5% and shape 3 at 95%: 0.35536 and 6.29579.
    assert!((a.lower.unwrap() - 0.355_362).abs() < 1e-5 && (a.upper.unwrap() - 6.295_794).abs() < 1e-5, "{a:?}");
    let wider = at(&[Edit::Replace {
        file: "project/yardstick.yaml",
        find: "start: 2024-01-01",
        with: "start: 2024-01-01\njudgement: {confidence: 0.95}",
    }]);
    let none = wider.row("b", "2024-Q1");
    assert!((none.upper.unwrap() - 0.025_f64.ln().abs()).abs() < 1e-9, "{none:?}");
}

/// A share row carries Wilson's interval: one major incident of two at site `a` in
/// 2024-Q1 is 1/2, with the interval centre ± z·sqrt(x(n-x)/n + z²/4) / (n + z²).
#[test]
fn share_rows_carry_wilsons_interval() {
    let two = "i1,2024-01-15T10:00:00Z,,SEV3,,\ni2,2024-02-20T10:00:00Z,,SEV1,,\n";
    let f = crate::engine::incidents(two, "");
    let run = crate::engine::run("major_share", "2024-03-31", &crate::engine::files(&f), &[]).unwrap();
    let row = run.row("a", "2024-Q1");
    assert_eq!((row.value, row.n), (Some(0.5), Some(2)));
    let z = 1.644_853_626_951_472_f64;
    let half = z * (0.5 + z * z / 4.0).sqrt() / (2.0 + z * z);
    let (lower, upper) = (row.lower.unwrap(), row.upper.unwrap());
    assert!((lower - (0.5 - half)).abs() < 1e-9 && (upper - (0.5 + half)).abs() < 1e-9, "{row:?}");
}

/// Eight incidents at site `a` in its baseline window (January to June 2024, two quarters:
/// 4 a quarter), none in 2024-Q3 and one in 2024-Q4; site `b` has none at all.
const EIGHT_THEN_ONE: &str = "\
i1,2024-01-10T10:00:00Z,,SEV3,,\ni2,2024-01-25T10:00:00Z,,SEV3,,\ni3,2024-02-10T10:00:00Z,,SEV3,,\n\
i4,2024-02-25T10:00:00Z,,SEV3,,\ni5,2024-03-10T10:00:00Z,,SEV3,,\ni6,2024-04-10T10:00:00Z,,SEV3,,\n\
i7,2024-05-10T10:00:00Z,,SEV3,,\ni8,2024-06-10T10:00:00Z,,SEV3,,\ni9,2024-11-10T10:00:00Z,,SEV3,,\n";

/// `window: 2` judges two quarters together: one event in 2024-Q3 and Q4 against eight in
/// the two baseline quarters is a ratio of (1 / 2) / (8 / 2) = 0.125, whose interval is
/// p / (1 - p) from Clopper-Pearson on 1 of 9 (equal exposures). Its upper end is under
/// 1 (better) but above 0.7: green on evidence, unclear when green is guarded. The quarter
/// alone (1 event against 4 a quarter: p / (1 - p) × 2) is unclear; the window ending in
/// Q3 reaches into the baseline. Site `b`, with no event anywhere, is insufficient.
#[test]
fn a_window_pools_its_periods_and_is_judged_as_one() {
    use crate::util::Edit;
    let criteria = || Edit::Replace {
        file: "set/metrics/incidents.yaml",
        find: "value: count()",
        with: "value: count()\ntarget: {change: -30%}\nwindow: 2",
    };
    let f = crate::engine::incidents(EIGHT_THEN_ONE, "");
    let at = |edits: &[Edit]| crate::engine::run("incidents", "2024-12-31", &crate::engine::files(&f), edits).unwrap();
    let run = at(&[criteria()]);
    let (lo, hi) = clopper_pearson_by_bisection(1, 9, 0.05);
    let ratio = |p: f64| p / (1.0 - p);
    assert!(ratio(hi) > 0.7 && ratio(hi) < 1.0, "{}", ratio(hi));
    let q4 = run.row("a", "2024-Q4");
    let window = q4.window.as_ref().unwrap();
    assert_eq!((window.value, window.status), (Some(0.5), Some(RowStatus::Green)));
    assert_eq!(window.change, Some(stats::Change::Better));
    // The window's own interval is Garwood's for one event, per quarter.
    let one = stats::count(1, CONFIDENCE).unwrap();
    assert!(
        (window.lower.unwrap() - one.lower / 2.0).abs() < 1e-12
            && (window.upper.unwrap() - one.upper / 2.0).abs() < 1e-12
    );
    // The quarter alone: the ratio's upper end is p / (1 - p) × 2 for 1 of 9, over 1.
    assert!(ratio(hi) * 2.0 > 1.0);
    assert_eq!((q4.change, q4.status), (Some(stats::Change::Unclear), Some(RowStatus::Unclear)));
    let (change_lower, change_upper) = (q4.change_lower.unwrap(), q4.change_upper.unwrap());
    assert!((change_lower - ratio(lo) * 2.0).abs() < 1e-6 && (change_upper - ratio(hi) * 2.0).abs() < 1e-6, "{q4:?}");
    let q3 = run.row("a", "2024-Q3").window.as_ref().unwrap();
    assert_eq!(q3.status, Some(RowStatus::Baseline));
    // No window ends in the first quarter: it would reach before the data.
    assert_eq!(run.row("a", "2024-Q1").window, None);
    let b = run.row("b", "2024-Q4");
    assert_eq!(b.status, Some(RowStatus::Insufficient));
    assert_eq!(b.status_note.as_deref(), Some("no event in the period nor in the baseline: nothing to judge"));
    let guarded = Edit::Replace {
        file: "project/yardstick.yaml",
        find: "start: 2024-01-01",
        with: "start: 2024-01-01\njudgement: {green: guarded}",
    };
    let run = at(&[criteria(), guarded]);
    let window = run.row("a", "2024-Q4").window.clone().unwrap();
    assert_eq!((window.status, window.note.as_deref()), (Some(RowStatus::Unclear), Some("the target is open")));
}

/// `min_n` replaces the aggregate's minimum: a share of two incidents is too few by
/// default (10), and judged with `min_n: 2`.
#[test]
fn min_n_sets_the_fewest_cases_a_period_is_judged_on() {
    use crate::util::Edit;
    let two = "i1,2024-01-15T10:00:00Z,,SEV3,,\ni2,2024-02-20T10:00:00Z,,SEV1,,\ni3,2024-07-15T10:00:00Z,,SEV1,,\ni4,2024-08-20T10:00:00Z,,SEV1,,\n";
    let f = crate::engine::incidents(two, "");
    let criteria = |with| Edit::Replace { file: "set/metrics/major_share.yaml", find: "unit: n", with };
    let at =
        |edits: &[Edit]| crate::engine::run("major_share", "2024-12-31", &crate::engine::files(&f), edits).unwrap();
    let q3 = at(&[criteria("unit: n\nthresholds: {green: value <= 0.2}")]).row("a", "2024-Q3").clone();
    assert_eq!((q3.value, q3.status), (Some(1.0), Some(RowStatus::Insufficient)));
    assert_eq!(q3.status_note.as_deref(), Some("2 case(s): fewer than 10, too few to judge"));
    // Two major incidents of two: Wilson's lower end, z² / (2 + z²) = 0.575, is above 0.2.
    let q3 = at(&[criteria("unit: n\nthresholds: {green: value <= 0.2}\nmin_n: 2")]).row("a", "2024-Q3").clone();
    assert_eq!(q3.status, Some(RowStatus::Red));
}

/// Sites at different levels with the same slope: the pooled fit, one intercept per site,
/// gives the slope back; each site alone gives it too; no overdispersion.
#[test]
fn the_pooled_count_trend_has_one_intercept_per_site() {
    let times: Vec<f64> = (0..8).map(|i| i as f64 / 4.0).collect();
    let site = |level: f64| stats::Series {
        counts: times.iter().map(|t| level * (0.8_f64.ln() * t).exp()).collect(),
        exposures: vec![1.0; 8],
        times: times.clone(),
    };
    let (low, high) = (site(5.0), site(40.0));
    let pooled = stats::poisson_trend_sites(&[low.clone(), high.clone()], CONFIDENCE).unwrap();
    assert!((pooled.per_year - -0.2).abs() < 1e-9 && pooled.dispersion == 1.0, "{pooled:?}");
    let alone = stats::poisson_trend(&high.counts, &high.exposures, &high.times, CONFIDENCE).unwrap();
    assert!((alone.per_year - -0.2).abs() < 1e-9, "{alone:?}");
    // One slope across sites is narrower than either site's own.
    let own = stats::poisson_trend(&low.counts, &low.exposures, &low.times, CONFIDENCE).unwrap();
    assert!(pooled.interval.upper - pooled.interval.lower < own.interval.upper - own.interval.lower);
}

/// The trend a run writes for a count: site `a`'s six judged quarters (2024-Q3 to 2025-Q4)
/// with 6, 5, 4, 4, 2 and 2 incidents, fitted with the days of each quarter as exposure.
/// The slope is found here again by bisection on the score Σ t (y - μ(b)), each μ the
/// events shared in proportion to days · exp(b·t), t the quarter's first day in years.
#[test]
fn a_runs_count_trend_is_the_maximum_likelihood_slope_since_rollout() {
    let quarters = [
        ("2024-07-01", 6),
        ("2024-10-01", 5),
        ("2025-01-01", 4),
        ("2025-04-01", 4),
        ("2025-07-01", 2),
        ("2025-10-01", 2),
    ];
    let mut data = String::new();
    for (start, k) in quarters {
        for i in 0..k {
            data += &format!("q{start}-{i},{start}T1{i}:00:00Z,,SEV3,,\n");
        }
    }
    let f = crate::engine::incidents(&data, "");
    let run = crate::engine::run("incidents", "2025-12-31", &crate::engine::files(&f), &[]).unwrap();
    let trend = run.trends.iter().find(|t| t.site == "a").unwrap();
    assert_eq!(
        (trend.periods, trend.first_period.as_deref(), trend.last_period.as_deref()),
        (6, Some("2024-Q3"), Some("2025-Q4"))
    );
    let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let ends = ["2024-09-30", "2024-12-31", "2025-03-31", "2025-06-30", "2025-09-30", "2025-12-31"];
    let epoch = day("2000-01-01");
    let t: Vec<f64> = quarters.iter().map(|(s, _)| (day(s) - epoch).num_days() as f64 / 365.25).collect();
    let days: Vec<f64> =
        quarters.iter().zip(ends).map(|((s, _), e)| ((day(e) - day(s)).num_days() + 1) as f64).collect();
    let y: Vec<f64> = quarters.iter().map(|(_, k)| *k as f64).collect();
    let score = |b: f64| {
        let w: Vec<f64> = days.iter().zip(&t).map(|(d, t)| d * (b * t).exp()).collect();
        let total: f64 = w.iter().sum();
        (0..6).map(|i| t[i] * (y[i] - 23.0 * w[i] / total)).sum::<f64>()
    };
    let (mut lo, mut hi) = (-5.0_f64, 5.0_f64);
    for _ in 0..200 {
        let mid = (lo + hi) / 2.0;
        // The score falls as b rises.
        if score(mid) > 0.0 { lo = mid } else { hi = mid }
    }
    let b = (lo + hi) / 2.0;
    assert!((trend.per_year.unwrap() - (b.exp() - 1.0)).abs() < 1e-6, "{trend:?} against b = {b}");
    assert!(trend.lower.unwrap() < trend.per_year.unwrap() && trend.per_year.unwrap() < trend.upper.unwrap());
    // Site b has no incident at all: no trend, and the note says why.
    let b_trend = run.trends.iter().find(|t| t.site == "b").unwrap();
    assert_eq!(
        (b_trend.per_year, b_trend.note.as_deref()),
        (None, Some("no trend can be fitted: no event, or no value that varies"))
    );
}

/// The ranks of the order statistics around a quantile, worked out from the binomial law:
/// for a median of 5 values at 0.90, P(B ≤ 0) = 1/32 ≤ 0.05 < P(B ≤ 1) = 6/32 gives l = 1,
/// and P(B ≤ 3) = 26/32 < 0.95 ≤ P(B ≤ 4) = 31/32 gives u = 5: the whole sample, covering
/// 30/32. Four values are too few (1/16 > 0.05); a 90th percentile needs 29 (0.9^29 =
/// 0.047, 0.9^28 = 0.052).
#[test]
fn order_statistics_bound_a_quantile_at_the_ranks_the_binomial_law_gives() {
    let (l, u, coverage) = stats::order_statistics(5, 0.5, CONFIDENCE).unwrap();
    assert_eq!((l, u), (1, 5));
    assert!((coverage - 30.0 / 32.0).abs() < 1e-12, "{coverage}");
    assert_eq!(stats::order_statistics(4, 0.5, CONFIDENCE), None);
    assert!(stats::order_statistics(29, 0.9, CONFIDENCE).is_some());
    assert_eq!(stats::order_statistics(28, 0.9, CONFIDENCE), None);
    // The fewest values, from the two tails in closed form: 0.5^n ≤ 0.05 and 0.9^n ≤ 0.05.
    assert_eq!(stats::fewest_for_quantile(0.5, CONFIDENCE), Some(5));
    assert_eq!(stats::fewest_for_quantile(0.9, CONFIDENCE), Some(29));
    let sorted = [10.0, 20.0, 30.0, 40.0, 50.0];
    assert_eq!(stats::quantile(&sorted, 0.5, CONFIDENCE), Some(stats::Interval { lower: 10.0, upper: 50.0 }));
}

/// The coverage of a median's interval does not depend on the distribution (the values
/// are continuous): it is P(l ≤ B < u), at least the confidence for every n of the grid
/// (5 to 200), summed here from the binomial law.
#[test]
fn median_intervals_cover_at_every_size_of_the_grid() {
    for n in 5..=200u64 {
        let (l, u, _) = stats::order_statistics(n as usize, 0.5, CONFIDENCE).unwrap();
        let coverage: f64 = (l as u64..u as u64).map(|b| binomial(b, n, 0.5)).sum();
        assert!(coverage >= CONFIDENCE - 1e-9, "n = {n}: {coverage:.4}");
    }
}

/// Price and Bonett's ratio of medians: a sample against itself is centred on 1 and
/// symmetric in logarithms; a sample ten times larger is surely larger.
#[test]
fn the_ratio_of_medians_is_centred_on_their_ratio() {
    let a: Vec<f64> = (1..=21).map(f64::from).collect();
    let same = stats::quantile_ratio(&a, 11.0, &a, 11.0, 0.5, CONFIDENCE).unwrap();
    assert!((same.lower * same.upper - 1.0).abs() < 1e-12 && same.contains(1.0), "{same:?}");
    let larger: Vec<f64> = a.iter().map(|x| x * 10.0).collect();
    let ratio = stats::quantile_ratio(&larger, 110.0, &a, 11.0, 0.5, CONFIDENCE).unwrap();
    assert!(ratio.above(1.0) && ratio.contains(10.0), "{ratio:?}");
    // A value of zero has no logarithm: no ratio.
    let zeros = [0.0; 21];
    assert_eq!(stats::quantile_ratio(&zeros, 0.0, &a, 11.0, 0.5, CONFIDENCE), None);
}

/// A median's row carries the order statistics around it: five costs at site `a` in
/// 2024-Q3 (10 to 50) give the median 30 and, at ranks 1 and 5, the interval [10, 50],
/// wholly under the green threshold of 60. Site `b`'s four are too few (five at least).
#[test]
fn median_rows_carry_the_order_statistics_around_them() {
    use crate::util::Edit;
    let metric = Edit::Write {
        file: "set/metrics/median_cost.yaml",
        text: crate::test_metric!(
            "median_cost",
            "source: incidents\ntime: {event: detected_at}\nvalue: median(cost_eur)\nthresholds: {green: value <= 60}\n"
        ),
    };
    let a = "i1,2024-07-02T10:00:00Z,,SEV3,30,\ni2,2024-07-03T10:00:00Z,,SEV3,10,\ni3,2024-08-02T10:00:00Z,,SEV3,50,\n\
             i4,2024-08-03T10:00:00Z,,SEV3,20,\ni5,2024-09-02T10:00:00Z,,SEV3,40,\n";
    let b = "j1,2024-07-02T10:00:00Z,,P3,10,\nj2,2024-07-03T10:00:00Z,,P3,20,\nj3,2024-08-02T10:00:00Z,,P3,30,\n\
             j4,2024-08-03T10:00:00Z,,P3,40,\n";
    let f = crate::engine::incidents(a, b);
    let run = crate::engine::run("median_cost", "2024-09-30", &crate::engine::files(&f), &[metric]).unwrap();
    let row = run.row("a", "2024-Q3");
    assert_eq!(
        (row.value, row.lower, row.upper, row.status),
        (Some(30.0), Some(10.0), Some(50.0), Some(RowStatus::Green))
    );
    let b = run.row("b", "2024-Q3");
    assert_eq!(
        (b.status, b.status_note.as_deref()),
        (Some(RowStatus::Insufficient), Some("4 value(s): fewer than 5, too few to judge"))
    );
}

/// The coverage of the intervals on the grid docs/semantics.md states, summed exactly:
/// counts (Garwood) at λ in {2, 3, 5, 10, 20, 50}, shares (Wilson) at n in {10, 30, 100,
/// 1000} and p in {0.05, 0.2, 0.5, 0.8, 0.95}, medians at every n from 5 to 200; every
/// point at least 0.86 and each grid's mean at least 0.88. Write the table again with
/// `YARDSTICK_WRITE_DOCS=1 cargo test --test integration coverage_grid`.
#[test]
fn the_coverage_grid_in_the_docs_is_the_exact_coverage() {
    let counts: Vec<(String, f64)> = [2.0, 3.0, 5.0, 10.0, 20.0, 50.0]
        .iter()
        .map(|&lambda| {
            let c = poisson_support(lambda)
                .filter(|k| stats::count(*k, CONFIDENCE).unwrap().contains(lambda))
                .map(|k| poisson(k, lambda))
                .sum();
            (format!("λ = {lambda}"), c)
        })
        .collect();
    let mut shares = Vec::new();
    for n in [10u64, 30, 100, 1000] {
        for p in [0.05, 0.2, 0.5, 0.8, 0.95] {
            let c = (0..=n)
                .filter(|x| stats::share(*x, n, CONFIDENCE).unwrap().contains(p))
                .map(|x| binomial(x, n, p))
                .sum();
            shares.push((format!("n = {n}, p = {p}"), c));
        }
    }
    let medians: Vec<(String, f64)> = (5..=200u64)
        .map(|n| {
            let (l, u, _) = stats::order_statistics(n as usize, 0.5, CONFIDENCE).unwrap();
            (format!("n = {n}"), (l as u64..u as u64).map(|b| binomial(b, n, 0.5)).sum())
        })
        .collect();
    let mut table = String::from("| interval | grid | lowest | at | mean |\n|---|---|---|---|---|\n");
    for (name, grid, points) in [
        ("counts, Garwood", "λ in {2, 3, 5, 10, 20, 50}", &counts),
        ("shares, Wilson", "n in {10, 30, 100, 1000} × p in {0.05, 0.2, 0.5, 0.8, 0.95}", &shares),
        ("medians, order statistics", "n from 5 to 200", &medians),
    ] {
        let (at, lowest) = points.iter().min_by(|a, b| a.1.total_cmp(&b.1)).unwrap();
        let mean = points.iter().map(|p| p.1).sum::<f64>() / points.len() as f64;
        assert!(*lowest >= CONFIDENCE - 0.04 && mean >= CONFIDENCE - 0.02, "{name}: {lowest} at {at}, mean {mean}");
        table += &format!("| {name} | {grid} | {:.1}% | {at} | {:.1}% |\n", lowest * 100.0, mean * 100.0);
    }
    crate::util::semantics_table("coverage", &table);
}

/// A mean's bootstrap-t interval: the same inputs give the same interval (the resamples
/// are seeded), and on 1 to 20 it lies near Student's interval, 10.5 ± t(19, 0.95) ×
/// sqrt(35 / 20) = 10.5 ± 2.29, since those values are symmetric.
#[test]
fn a_means_bootstrap_interval_is_seeded_and_near_students_on_symmetric_values() {
    let values: Vec<f64> = (1..=20).map(f64::from).collect();
    let seed = stats::bootstrap::seed(&["mttr_hours", "lyon", "2025-Q1"]);
    let once = stats::bootstrap::mean(&values, CONFIDENCE, seed).unwrap();
    assert_eq!(Some(once), stats::bootstrap::mean(&values, CONFIDENCE, seed));
    let half = 1.729_132_811_521_367 * (35.0_f64 / 20.0).sqrt();
    assert!((once.lower - (10.5 - half)).abs() < 0.5 && (once.upper - (10.5 + half)).abs() < 0.5, "{once:?}");
    // Parts cannot run together: ("ab", "c") and ("a", "bc") seed differently.
    assert_ne!(stats::bootstrap::seed(&["ab", "c"]), stats::bootstrap::seed(&["a", "bc"]));
    // Nine values are too few; ten that do not vary have no spread to resample.
    assert_eq!(stats::bootstrap::mean(&values[..9], CONFIDENCE, seed), None);
    assert_eq!(stats::bootstrap::mean(&[3.0; 10], CONFIDENCE, seed), None);
    let ratio = stats::bootstrap::mean_ratio(&values, &values, CONFIDENCE, seed).unwrap();
    assert!(ratio.contains(1.0), "{ratio:?}");
}

/// The simulated coverage of a mean's bootstrap-t interval, reported in docs/semantics.md
/// (means have no exact coverage to check against; it is reported, not failed, below
/// 0.80): 200 samples of exponential durations at each n, drawn by a seeded generator.
/// Write the table again with `YARDSTICK_WRITE_DOCS=1 cargo test --test integration mean_coverage`.
#[test]
fn the_mean_coverage_in_the_docs_is_the_simulation() {
    use rand::SeedableRng;
    use rand_distr::{Distribution, Exp};
    let mut rng = rand_pcg::Pcg64::seed_from_u64(25);
    let exp = Exp::new(1.0).unwrap();
    let mut table = String::from("| n | samples | covered |\n|---|---|---|\n");
    for n in [10, 30, 100] {
        let covered = (0..200)
            .filter(|i| {
                let values: Vec<f64> = (0..n).map(|_| exp.sample(&mut rng)).collect();
                let seed = stats::bootstrap::seed(&["coverage", &n.to_string(), &i.to_string()]);
                stats::bootstrap::mean(&values, CONFIDENCE, seed).is_some_and(|iv| iv.contains(1.0))
            })
            .count();
        let share = covered as f64 / 200.0;
        assert!(share >= 0.80, "n = {n}: {share}");
        table += &format!("| {n} | 200 | {:.1}% |\n", share * 100.0);
    }
    crate::util::semantics_table("mean coverage", &table);
}

/// A site that does not export the metric's source has windows that are not collected
/// either, never `no_data`.
#[test]
fn a_window_at_a_site_without_the_export_is_not_collected() {
    use crate::util::Edit;
    let window = Edit::Replace {
        file: "set/metrics/incidents.yaml",
        find: "value: count()",
        with: "value: count()\ntarget: {change: -30%}\nwindow: 2",
    };
    let none = Edit::Replace {
        file: "project/yardstick.yaml",
        find: "b: {rollout: 2024-07-01, mappings: sites/b.yaml}",
        with: "b: {rollout: 2024-07-01, mappings: sites/b.yaml, sources: {incidents: none}}",
    };
    let f = crate::engine::incidents(EIGHT_THEN_ONE, "");
    let run = crate::engine::run("incidents", "2024-12-31", &crate::engine::files(&f), &[window, none]).unwrap();
    let b = run.row("b", "2024-Q4");
    assert_eq!(b.status, Some(RowStatus::NotCollected));
    assert_eq!(b.window.as_ref().and_then(|w| w.status), Some(RowStatus::NotCollected));
}

/// A sum of amounts over Poisson events whose amounts are all 1 is a count: Fay and
/// Feuer's interval is then Garwood's, and the F-gamma ratio the conditional test.
#[test]
fn compound_intervals_are_the_count_intervals_when_every_amount_is_one() {
    let ones = |k: u64| stats::Compound { sum: k as f64, squares: k as f64, max: 1.0, events: k };
    for k in [1, 4, 17, 60] {
        let (c, g) = (stats::compound(ones(k), CONFIDENCE).unwrap(), stats::count(k, CONFIDENCE).unwrap());
        assert!((c.lower - g.lower).abs() < 1e-9 && (c.upper - g.upper).abs() < 1e-9, "{k}: {c:?} {g:?}");
        for k0 in [1, 8, 30] {
            let c = stats::compound_ratio(ones(k), 1.0, ones(k0), 2.0, CONFIDENCE).unwrap();
            let r = stats::rate_ratio(k, 1.0, k0, 2.0, CONFIDENCE).unwrap();
            assert!((c.lower - r.lower).abs() < 1e-9 && (c.upper - r.upper).abs() < 1e-9, "{k} {k0}: {c:?} {r:?}");
        }
    }
    // Events whose amounts are all 0 (stops logged at 0 minutes) take the other side's
    // largest amount for their one more event: an interval, never a panic.
    let zeros = stats::Compound { sum: 0.0, squares: 0.0, max: 0.0, events: 3 };
    let r = stats::compound_ratio(zeros, 1.0, ones(4), 1.0, CONFIDENCE).unwrap();
    assert!(r.lower == 0.0 && r.upper.is_finite() && r.upper > 0.0, "{r:?}");
    let r = stats::compound_ratio(ones(4), 1.0, zeros, 1.0, CONFIDENCE).unwrap();
    assert!(r.lower > 0.0 && r.upper == f64::INFINITY, "{r:?}");
    // Amounts too large to square in a float: nothing to judge, never a panic.
    let huge = stats::Compound { sum: 1e300, squares: f64::INFINITY, max: 1e200, events: 2 };
    assert_eq!(stats::compound_ratio(huge, 1.0, ones(4), 1.0, CONFIDENCE), None);
    assert_eq!(stats::compound(huge, CONFIDENCE), None);
    // No event on either side: nothing to compare; a negative amount: no sum of amounts.
    assert_eq!(stats::compound_ratio(ones(0), 1.0, ones(0), 1.0, CONFIDENCE), None);
    assert_eq!(stats::compound(stats::Compound { sum: -1.0, squares: 1.0, max: 1.0, events: 1 }, CONFIDENCE), None);
}

/// The coverage of a sum's interval, simulated on the grid of issue #25 (sums of 10 to 200
/// events on average, exponential and lognormal amounts; 2000 samples a point, a seeded
/// generator): no point more than 4 points under the level, the grid's mean at most 2.
/// So is the coverage of the F-gamma ratio of two periods of the same process (the true
/// ratio 1). Write the table again with
/// `YARDSTICK_WRITE_DOCS=1 cargo test --test integration sum_coverage`.
#[test]
fn the_sum_coverage_in_the_docs_is_the_simulation() {
    use rand::SeedableRng;
    use rand_distr::{Distribution, Exp, LogNormal, Poisson};
    let mut rng = rand_pcg::Pcg64::seed_from_u64(2525);
    const SAMPLES: usize = 2000;
    let mut table = String::from("| events (mean) | amounts | sum covered | ratio covered |\n|---|---|---|---|\n");
    let (mut all, mut lowest) = (Vec::new(), 1.0_f64);
    for lambda in [10.0, 20.0, 50.0, 100.0, 200.0] {
        for (name, mean) in [("exponential (1)", 1.0), ("lognormal (0, 1)", 0.5_f64.exp())] {
            let draw = |rng: &mut rand_pcg::Pcg64| -> f64 {
                match name.starts_with("exp") {
                    true => Exp::new(1.0).unwrap().sample(rng),
                    false => LogNormal::new(0.0, 1.0).unwrap().sample(rng),
                }
            };
            let sample = |rng: &mut rand_pcg::Pcg64| {
                let n = Poisson::new(lambda).unwrap().sample(rng) as u64;
                let amounts: Vec<f64> = (0..n).map(|_| draw(rng)).collect();
                stats::Compound {
                    sum: amounts.iter().sum(),
                    squares: amounts.iter().map(|a| a * a).sum(),
                    max: amounts.iter().copied().fold(0.0, f64::max),
                    events: n,
                }
            };
            let (mut sums, mut ratios) = (0, 0);
            for _ in 0..SAMPLES {
                let (c, c0) = (sample(&mut rng), sample(&mut rng));
                sums += stats::compound(c, CONFIDENCE).is_some_and(|i| i.contains(lambda * mean)) as usize;
                ratios += stats::compound_ratio(c, 1.0, c0, 1.0, CONFIDENCE).is_some_and(|i| i.contains(1.0)) as usize;
            }
            let (sums, ratios) = (sums as f64 / SAMPLES as f64, ratios as f64 / SAMPLES as f64);
            all.extend([sums, ratios]);
            lowest = lowest.min(sums).min(ratios);
            table += &format!("| {lambda} | {name} | {:.1}% | {:.1}% |\n", sums * 100.0, ratios * 100.0);
        }
    }
    let mean = all.iter().sum::<f64>() / all.len() as f64;
    assert!(lowest >= CONFIDENCE - 0.04, "a point covers {lowest}:\n{table}");
    assert!(mean >= CONFIDENCE - 0.02, "the grid covers {mean} on average:\n{table}");
    crate::util::semantics_table("sum coverage", &table);
}

/// A sum's row carries Fay and Feuer's interval (scaled as the value: minutes over 60),
/// and against its baseline the F-gamma interval of the ratio, both computed here from
/// their formulas with chi-square and F quantiles: 10 security stops at site `a` in its
/// baseline half-year (30, 60, ..., 300 minutes) and 12 in 2024-Q3 (20, 40, ..., 240).
/// Eleven in 2024-Q4 are `insufficient` under `min_n: 12`.
#[test]
fn sum_rows_carry_fay_and_feuers_interval_and_the_f_gamma_ratio() {
    use statrs::distribution::{ChiSquared, ContinuousCDF, FisherSnedecor};
    let mut csv = String::from(crate::engine::DOWNTIME);
    let months = ["01", "02", "03", "04", "05", "06"];
    for i in 1..=10 {
        csv += &format!("b{i},2024-{}-0{}T08:00:00Z,{},cyber,L1\n", months[i % 6], 1 + i / 6, 30 * i);
    }
    for i in 1..=12 {
        csv += &format!("q{i},2024-08-{:02}T08:00:00Z,{},config,L1\n", i, 20 * i);
    }
    for i in 1..=11 {
        csv += &format!("r{i},2024-11-{:02}T08:00:00Z,{},config,L1\n", i, 20 * i);
    }
    let data = [("a/downtime.csv", csv), ("b/downtime.csv", crate::engine::DOWNTIME.to_string())];
    let min_n = crate::util::Edit::Replace {
        file: "set/metrics/security_downtime_hours.yaml",
        find: "value: sum(duration_min) / 60",
        with: "value: sum(duration_min) / 60\ntarget: {change: -30%}\nmin_n: 12",
    };
    let run =
        crate::engine::run("security_downtime_hours", "2024-12-31", &crate::engine::files(&data), &[min_n]).unwrap();
    let q3 = run.row("a", "2024-Q3");
    let amounts: Vec<f64> = (1..=12).map(|i| 20.0 * i as f64).collect();
    let (y, v, w) = (amounts.iter().sum::<f64>(), amounts.iter().map(|a| a * a).sum::<f64>(), 240.0);
    let chi = |df: f64, p: f64| ChiSquared::new(df).unwrap().inverse_cdf(p);
    let lower = v / (2.0 * y) * chi(2.0 * y * y / v, 0.05) / 60.0;
    let upper = (v + w * w) / (2.0 * (y + w)) * chi(2.0 * (y + w).powi(2) / (v + w * w), 0.95) / 60.0;
    assert_eq!(q3.value, Some(y / 60.0));
    assert!((q3.lower.unwrap() - lower).abs() < 1e-6 && (q3.upper.unwrap() - upper).abs() < 1e-6, "{q3:?}");
    // Against the baseline: 10 stops over two quarters.
    let base: Vec<f64> = (1..=10).map(|i| 30.0 * i as f64).collect();
    let (y0, v0, w0) = (base.iter().sum::<f64>(), base.iter().map(|a| a * a).sum::<f64>(), 300.0);
    let f = |d1: f64, d2: f64, p: f64| FisherSnedecor::new(d1, d2).unwrap().inverse_cdf(p);
    let (a1, a0) = (y * y / v, (y0 + w0).powi(2) / (v0 + w0 * w0));
    let lower = y / (y0 + w0) * f(2.0 * a1, 2.0 * a0, 0.05) * 2.0;
    let (a1, a0) = ((y + w).powi(2) / (v + w * w), y0 * y0 / v0);
    let upper = (y + w) / y0 * f(2.0 * a1, 2.0 * a0, 0.95) * 2.0;
    let (l, u) = (q3.change_lower.unwrap(), q3.change_upper.unwrap());
    assert!((l - lower).abs() < 1e-6 && (u - upper).abs() < 1e-6, "{l} {u} against {lower} {upper}");
    assert_eq!(run.row("a", "2024-Q4").status, Some(RowStatus::Insufficient));
}

/// Counts whose events cluster get wider intervals: φ times Garwood's on k / φ events,
/// the same as Garwood's at φ = 1; the conditional test the same way.
#[test]
fn clustered_counts_widen_their_intervals_by_the_dispersion() {
    use statrs::distribution::{ContinuousCDF, Gamma};
    let q = |shape: f64, p: f64| Gamma::new(shape, 1.0).unwrap().inverse_cdf(p);
    assert_eq!(stats::count_dispersed(7, 1.0, CONFIDENCE), stats::count(7, CONFIDENCE));
    let wide = stats::count_dispersed(40, 4.0, CONFIDENCE).unwrap();
    assert!((wide.lower - 4.0 * q(10.0, 0.05)).abs() < 1e-9 && (wide.upper - 4.0 * q(11.0, 0.95)).abs() < 1e-9);
    // About √4 = 2 times as wide as Garwood's on 40 events.
    let narrow = stats::count(40, CONFIDENCE).unwrap();
    let ratio = (wide.upper - wide.lower) / (narrow.upper - narrow.lower);
    assert!((1.8..2.3).contains(&ratio), "{ratio}");
    assert_eq!(
        stats::rate_ratio_dispersed(5, 1.0, 9, 2.0, 1.0, CONFIDENCE),
        stats::rate_ratio(5, 1.0, 9, 2.0, CONFIDENCE)
    );
    let (r, w) = (
        stats::rate_ratio(20, 1.0, 40, 2.0, CONFIDENCE).unwrap(),
        stats::rate_ratio_dispersed(20, 1.0, 40, 2.0, 3.0, CONFIDENCE).unwrap(),
    );
    assert!(w.lower < r.lower && w.upper > r.upper, "{r:?} {w:?}");
    assert_eq!(stats::count_dispersed(3, 0.5, CONFIDENCE), None);
}

/// Twelve incidents at site `a`, all in January 2024, and none in the other five months of
/// its baseline window: monthly counts of 12, 0, 0, 0, 0, 0 swing far more than a Poisson
/// process's (dispersion Σ(y - 2)² / 2 / 5 = 12), so the count of 2024-Q3 (3 incidents) gets
/// φ times Garwood's interval on 3 / φ events, and the row says why.
#[test]
fn a_count_whose_baseline_events_cluster_is_judged_on_wider_intervals() {
    use statrs::distribution::{ContinuousCDF, Gamma};
    let mut csv = String::new();
    for i in 1..=12 {
        csv += &format!("j{i},2024-01-{:02}T10:00:00Z,,SEV3,,\n", i + 1);
    }
    for i in 1..=3 {
        csv += &format!("q{i},2024-08-{:02}T10:00:00Z,,SEV3,,\n", i + 1);
    }
    let f = crate::engine::incidents(&csv, "");
    let run = crate::engine::run("incidents", "2024-09-30", &crate::engine::files(&f), &[]).unwrap();
    let phi = (10.0_f64.powi(2) + 5.0 * 4.0) / 2.0 / 5.0;
    let q = |shape: f64, p: f64| Gamma::new(shape, 1.0).unwrap().inverse_cdf(p);
    let row = run.row("a", "2024-Q3");
    let (lower, upper) = (phi * q(3.0 / phi, 0.05), phi * q(3.0 / phi + 1.0, 0.95));
    assert!((row.lower.unwrap() - lower).abs() < 1e-9 && (row.upper.unwrap() - upper).abs() < 1e-9, "{row:?}");
    assert!(
        run.warnings.iter().any(|w| w.contains("cluster") && w.contains("`a`: 12.00 over 6 months")),
        "{:?}",
        run.warnings
    );
}

/// `exposure: all_stops` judges security stops per stop of any cause instead of per month:
/// at site `a`, 4 security stops of 10 in the baseline half-year (two quarters) and 4 of
/// 20 in 2024-Q3. Per month that is twice the baseline's rate (4 against 2 a quarter); per
/// stop it is half (0.2 against 0.4): the interval of the ratio is Clopper-Pearson on 4 of
/// 8, p / (1 - p) times the exposures' ratio 10 / 20.
#[test]
fn an_exposure_metric_judges_a_count_per_its_flow() {
    use crate::util::Edit;
    use statrs::distribution::{Beta, ContinuousCDF};
    let all_stops = Edit::Write {
        file: "set/metrics/all_stops.yaml",
        text: "metric: all_stops\nversion: 1\ntitle: all stops\nlayer: outcome\nunit: n\ndirection: neutral\n\
               grain: quarter\nsource: downtime\ntime: {event: started_at}\nvalue: count()\n",
    };
    let security_stops = Edit::Write {
        file: "set/metrics/security_stops.yaml",
        text: "metric: security_stops\nversion: 1\ntitle: security stops\nlayer: outcome\nunit: n\n\
               direction: lower_is_better\ngrain: quarter\nsource: downtime\ntime: {event: started_at}\n\
               where: cause in cause.security\nvalue: count()\ntarget: {change: -30%}\nexposure: all_stops\n",
    };
    let mut csv = String::from(crate::engine::DOWNTIME);
    for i in 0..10 {
        let cause = if i < 4 { "cyber" } else { "equipment" };
        csv += &format!("b{i},2024-0{}-10T08:00:00Z,30,{cause},L1\n", 1 + i % 6);
    }
    for i in 0..20 {
        let cause = if i < 4 { "config" } else { "equipment" };
        csv += &format!("q{i},2024-08-{:02}T08:00:00Z,30,{cause},L1\n", 1 + i);
    }
    let data = [("a/downtime.csv", csv), ("b/downtime.csv", crate::engine::DOWNTIME.to_string())];
    let per_stop =
        crate::engine::run("security_stops", "2024-09-30", &crate::engine::files(&data), &[all_stops, security_stops])
            .unwrap();
    let row = per_stop.row("a", "2024-Q3");
    assert_eq!((row.value, row.baseline), (Some(4.0), Some(2.0)));
    let odds = |p: f64| p / (1.0 - p) * 10.0 / 20.0;
    let (lower, upper) =
        (odds(Beta::new(4.0, 5.0).unwrap().inverse_cdf(0.05)), odds(Beta::new(5.0, 4.0).unwrap().inverse_cdf(0.95)));
    let (l, u) = (row.change_lower.unwrap(), row.change_upper.unwrap());
    assert!((l - lower).abs() < 1e-9 && (u - upper).abs() < 1e-9, "{l} {u} against {lower} {upper}");
    // Only the requested metric's rows come out, though its exposure was computed.
    assert!(per_stop.rows.iter().all(|r| r.metric.as_str() == "security_stops"));
}

/// A stock (the risks open at a period's end) gets Garwood's interval of its count,
/// marked approximate; against its baseline (the register at the window's end, one
/// count), the conditional test with equal exposures. Site `a` has two high risks open at
/// the end of 2024-Q3 and one at the end of its baseline window (30 June).
#[test]
fn a_stock_gets_an_approximate_interval_of_its_count() {
    use statrs::distribution::{Beta, ContinuousCDF, Gamma};
    let risks = format!("{}r1,2024-01-10,2024-05-01,20\nr2,2024-03-31,,16\nr7,2024-07-01,,18\n", crate::engine::RISKS);
    let empty = crate::engine::RISKS.to_string();
    let run = crate::engine::run("open_risks", "2024-09-30", &[("a/risks.csv", &risks), ("b/risks.csv", &empty)], &[])
        .unwrap();
    let row = run.row("a", "2024-Q3");
    assert_eq!((row.value, row.baseline, row.approximate), (Some(2.0), Some(1.0), true));
    let q = |shape: f64, p: f64| Gamma::new(shape, 1.0).unwrap().inverse_cdf(p);
    assert!((row.lower.unwrap() - q(2.0, 0.05)).abs() < 1e-9 && (row.upper.unwrap() - q(3.0, 0.95)).abs() < 1e-9);
    let odds = |p: f64| p / (1.0 - p);
    let (l, u) =
        (odds(Beta::new(2.0, 2.0).unwrap().inverse_cdf(0.05)), odds(Beta::new(3.0, 1.0).unwrap().inverse_cdf(0.95)));
    assert!((row.change_lower.unwrap() - l).abs() < 1e-9 && (row.change_upper.unwrap() - u).abs() < 1e-9, "{row:?}");
    // An event count's interval is not approximate.
    let f = crate::engine::incidents("i1,2024-01-15T10:00:00Z,,SEV3,,\n", "");
    let events = crate::engine::run("incidents", "2024-03-31", &crate::engine::files(&f), &[]).unwrap();
    assert!(events.row("a", "2024-Q1").lower.is_some() && !events.row("a", "2024-Q1").approximate);
}

/// Durations still running at `as_of` are censored, not ended: five incidents of 2024-Q3 at
/// site `a` contained after 10, 20 and 30 hours, and two still open as of 30 September, for 12
/// and 6 hours so far. The value counts the open ones as ended (the median of 6, 10, 12,
/// 20, 30 is 12); the Kaplan-Meier survival falls to 0.75 at 10 hours (one of the four
/// still at risk after the 6-hour one is censored) and to 0.375 at 20 (one of two after
/// the 12-hour one): the median is 20, and Brookmeyer and Crowley's interval runs from 10
/// (S within z·se of 0.5: 0.75 ≤ 0.5 + 1.645 × 0.2165) to 30 (where S falls to 0).
#[test]
fn open_cases_are_censored_in_a_kaplan_meier_median() {
    use crate::util::Edit;
    let open_hours = Edit::Write {
        file: "set/metrics/open_hours.yaml",
        text: "metric: open_hours\nversion: 1\ntitle: hours to contain\nlayer: risk\nunit: hours\n\
               direction: lower_is_better\ngrain: quarter\nsource: incidents\ntime: {event: detected_at}\n\
               value: median(hours_between(detected_at, coalesce(contained_at, as_of)))\n\
               target: {value: 24}\n",
    };
    let csv = "i1,2024-09-01T00:00:00Z,2024-09-01T10:00:00Z,SEV3,,\ni2,2024-09-02T00:00:00Z,2024-09-02T20:00:00Z,SEV3,,\n\
               i3,2024-09-03T00:00:00Z,2024-09-04T06:00:00Z,SEV3,,\ni4,2024-09-30T12:00:00Z,,SEV3,,\n\
               i5,2024-09-30T18:00:00Z,,SEV3,,\n";
    let f = crate::engine::incidents(csv, "");
    let run = crate::engine::run("open_hours", "2024-09-30", &crate::engine::files(&f), &[open_hours]).unwrap();
    let row = run.row("a", "2024-Q3");
    assert_eq!(row.value, Some(12.0));
    let (lower, upper) = (row.lower.unwrap(), row.upper.unwrap());
    assert!((lower - 10.0).abs() < 1e-9 && (upper - 30.0).abs() < 1e-9, "{row:?}");
    // 24 hours lies inside [10, 30]: the target is open, and the note says why the
    // interval is not around the value.
    assert_eq!(row.status, Some(RowStatus::Unclear));
    let note = row.status_note.as_deref().unwrap_or_default();
    assert!(note.contains("2 case(s) still open at as_of: the Kaplan-Meier median is 20"), "{note}");
    let s =
        stats::kaplan_meier(&[(6.0, false), (10.0, true), (12.0, false), (20.0, true), (30.0, true)], 0.5, CONFIDENCE);
    assert_eq!(s.map(|(m, _)| m), Some(20.0));
    // Without an ended duration there is no estimate; with only ended ones it is the
    // plain quantile's first crossing.
    assert_eq!(stats::kaplan_meier(&[(5.0, false), (7.0, false)], 0.5, CONFIDENCE), None);
    assert_eq!(stats::kaplan_meier(&[(1.0, true), (2.0, true), (3.0, true)], 0.5, CONFIDENCE).map(|k| k.0), Some(2.0));
}

/// A derived metric whose parts share their events (hours per stop: a sum of durations
/// over a count of the same stops) is judged by the delta method on the parts' joint
/// covariance: its simulated coverage of the true hours per stop, on Poisson numbers of
/// stops with exponential and lognormal durations (1000 samples a point, a seeded
/// generator), reported in docs/semantics.md and failed below 0.80 as a mean's is.
/// Write the table again with
/// `YARDSTICK_WRITE_DOCS=1 cargo test --test integration derived_coverage`.
#[test]
fn the_derived_coverage_in_the_docs_is_the_simulation() {
    use rand::SeedableRng;
    use rand_distr::{Distribution, Exp, LogNormal, Poisson};
    let mut rng = rand_pcg::Pcg64::seed_from_u64(2526);
    const SAMPLES: usize = 1000;
    let mut table = String::from("| stops (mean) | durations | covered |\n|---|---|---|\n");
    let ratio = |v: &[f64]| (v[1] > 0.0).then(|| v[0] / v[1]);
    for lambda in [10.0, 30.0, 100.0] {
        for (name, mean) in [("exponential (1)", 1.0), ("lognormal (0, 1)", 0.5_f64.exp())] {
            let mut covered = 0;
            for _ in 0..SAMPLES {
                let n = Poisson::new(lambda).unwrap().sample(&mut rng) as usize;
                let x: Vec<f64> = (0..n)
                    .map(|_| match name.starts_with("exp") {
                        true => Exp::new(1.0).unwrap().sample(&mut rng),
                        false => LogNormal::new(0.0, 1.0).unwrap().sample(&mut rng),
                    })
                    .collect();
                let (y, squares, k) = (x.iter().sum::<f64>(), x.iter().map(|a| a * a).sum::<f64>(), n as f64);
                // Parts (hours, stops): var Σx², var N, cov Σx (each stop counts once).
                let cov = [squares, y, y, k];
                let judged = stats::delta_variance(&ratio, &[y, k], &cov)
                    .and_then(|(v, var)| stats::delta_interval(v, var, n as u64, CONFIDENCE));
                covered += usize::from(judged.is_some_and(|i| i.contains(mean)));
            }
            let share = covered as f64 / SAMPLES as f64;
            assert!(share >= 0.80, "{lambda} {name}: {share}");
            table += &format!("| {lambda} | {name} | {:.1}% |\n", share * 100.0);
        }
    }
    crate::util::semantics_table("derived coverage", &table);
}

/// Hours per stop at site `a`: 12 security stops in 2024-Q3 of 20, 40, ..., 240 minutes,
/// over the count of the same stops. The delta method's variance of a sum over a count of
/// the same events is that of their mean, taken as a sample's, (Σx² - N·x̄²) / (N - 1) / N,
/// so the interval is x̄·exp(±t·se / x̄) with Student's t of N - 1 degrees of freedom.
#[test]
fn a_derived_ratio_of_parts_over_the_same_events_gets_the_delta_interval() {
    use crate::util::Edit;
    let stops = Edit::Write {
        file: "set/metrics/security_stops.yaml",
        text: "metric: security_stops\nversion: 1\ntitle: security stops\nlayer: outcome\nunit: n\n\
               direction: lower_is_better\ngrain: quarter\nsource: downtime\ntime: {event: started_at}\n\
               where: cause in cause.security\nvalue: count()\n",
    };
    let per_stop = Edit::Write {
        file: "set/metrics/hours_per_stop.yaml",
        text: "metric: hours_per_stop\nversion: 1\ntitle: hours per stop\nlayer: outcome\nunit: hours\n\
               direction: lower_is_better\ngrain: quarter\nvalue: security_downtime_hours / security_stops\n",
    };
    let mut csv = String::from(crate::engine::DOWNTIME);
    for i in 1..=12 {
        csv += &format!("q{i},2024-08-{i:02}T08:00:00Z,{},config,L1\n", 20 * i);
    }
    let data = [("a/downtime.csv", csv), ("b/downtime.csv", crate::engine::DOWNTIME.to_string())];
    let run =
        crate::engine::run("hours_per_stop", "2024-09-30", &crate::engine::files(&data), &[stops, per_stop]).unwrap();
    let row = run.row("a", "2024-Q3");
    let hours: Vec<f64> = (1..=12).map(|i| 20.0 * i as f64 / 60.0).collect();
    let n = hours.len() as f64;
    let mean = hours.iter().sum::<f64>() / n;
    // The sample's variance of the mean, and Student's t of 11 degrees of freedom at 95%.
    let se = ((hours.iter().map(|h| h * h).sum::<f64>() - n * mean * mean) / (n - 1.0) / n).sqrt();
    let t = 1.795_884_818_704_043_f64;
    let (lower, upper) = (mean * (-t * se / mean).exp(), mean * (t * se / mean).exp());
    assert!((row.value.unwrap() - mean).abs() < 1e-9, "{row:?}");
    assert!((row.lower.unwrap() - lower).abs() < 1e-6 && (row.upper.unwrap() - upper).abs() < 1e-6, "{row:?}");
    // Over a count of some of the rows only (`count(cond)`), the parts share only part of
    // their events: no interval, judged on the value.
    let some = Edit::Write {
        file: "set/metrics/security_stops.yaml",
        text: "metric: security_stops\nversion: 1\ntitle: security stops\nlayer: outcome\nunit: n\n\
               direction: lower_is_better\ngrain: quarter\nsource: downtime\ntime: {event: started_at}\n\
               where: cause in cause.security\nvalue: count(line == \"L1\")\n",
    };
    let per_stop = Edit::Write {
        file: "set/metrics/hours_per_stop.yaml",
        text: "metric: hours_per_stop\nversion: 1\ntitle: hours per stop\nlayer: outcome\nunit: hours\n\
               direction: lower_is_better\ngrain: quarter\nvalue: security_downtime_hours / security_stops\n",
    };
    let run =
        crate::engine::run("hours_per_stop", "2024-09-30", &crate::engine::files(&data), &[some, per_stop]).unwrap();
    assert_eq!(run.row("a", "2024-Q3").lower, None);
}

/// A share's quarter without a case has no value but does not void its window: at site
/// `a`, no incident in 2024-Q3 and 12 in Q4 (3 of them SEV1); the window of the two is
/// the 3 of 12 of Q4 alone, with Wilson's interval on them.
#[test]
fn a_share_window_pools_past_a_quarter_without_a_case() {
    use crate::util::Edit;
    let window = Edit::Replace {
        file: "set/metrics/major_share.yaml",
        find: "grain: quarter",
        with: "grain: quarter\nwindow: 2",
    };
    let mut csv = String::new();
    for i in 0..12 {
        let severity = if i < 3 { "SEV1" } else { "SEV3" };
        csv += &format!("q{i},2024-11-{:02}T10:00:00Z,,{severity},,\n", i + 1);
    }
    let f = crate::engine::incidents(&csv, "");
    let run = crate::engine::run("major_share", "2024-12-31", &crate::engine::files(&f), &[window]).unwrap();
    assert_eq!(run.row("a", "2024-Q3").value, None);
    let w = run.row("a", "2024-Q4").window.clone().unwrap();
    let wilson = stats::share(3, 12, CONFIDENCE).unwrap();
    assert_eq!((w.value, w.lower, w.upper), (Some(0.25), Some(wilson.lower), Some(wilson.upper)));
}

/// Judged to date (docs/semantics.md, "To date"): as of 15 November, 2024-Q4 has run 1.5
/// of its 3 months, half the quarter. Site `a`'s baseline, 8 events in 6 months (4 a
/// quarter), is scaled to that half: 2, and a `-30%` target to 1.4. Its one event of 10
/// November is judged against it: the baseline window is 4 such half quarters, so the
/// ratio's interval is p / (1 - p) × 4 from Clopper-Pearson on 1 of 9. A share is not
/// scaled. Not judged to date, the quarter is pending against the whole quarter's 4; and
/// as of a quarter's last day, judging to date changes nothing.
#[test]
fn a_period_judged_to_date_meets_its_baseline_scaled_to_the_days_so_far() {
    use crate::util::Edit;
    let target = || Edit::Replace {
        file: "set/metrics/incidents.yaml",
        find: "value: count()",
        with: "value: count()\ntarget: {change: -30%}",
    };
    let f = crate::engine::incidents(EIGHT_THEN_ONE, "");
    let at = |as_of: &str, metric: &str, to_date: bool| {
        let edits = [target()];
        crate::engine::run_with(metric, as_of, (None, to_date), &crate::engine::files(&f), &edits).unwrap()
    };
    let so_far = at("2024-11-15", "incidents", true);
    let q4 = so_far.row("a", "2024-Q4");
    assert!(q4.partial, "the quarter is not over: {q4:?}");
    assert_eq!(q4.value, Some(1.0));
    assert!((q4.baseline.unwrap() - 2.0).abs() < 1e-9 && (q4.target.unwrap() - 1.4).abs() < 1e-9, "{q4:?}");
    let (lo, hi) = clopper_pearson_by_bisection(1, 9, 0.05);
    let ratio = |p: f64| p / (1.0 - p) * 4.0;
    let (change_lower, change_upper) = (q4.change_lower.unwrap(), q4.change_upper.unwrap());
    assert!((change_lower - ratio(lo)).abs() < 1e-6 && (change_upper - ratio(hi)).abs() < 1e-6, "{q4:?}");
    assert!(ratio(hi) > 1.0, "the interval reaches past no change");
    assert_eq!((q4.change, q4.status), (Some(stats::Change::Unclear), Some(RowStatus::Unclear)));
    // Not to date: pending, against the whole quarter's baseline.
    let pending = at("2024-11-15", "incidents", false);
    let q4 = pending.row("a", "2024-Q4");
    assert_eq!((q4.status, q4.baseline, q4.change), (Some(RowStatus::Pending), Some(4.0), None));
    // A share's baseline is a share of the window's cases, whatever its length.
    let share = |to_date| at("2024-11-15", "major_share", to_date).row("a", "2024-Q4").baseline;
    assert_eq!(share(true), share(false));
    assert!(share(true).is_some());
    // A whole period is the same whether judged to date or not.
    let (whole, plain) = (at("2024-12-31", "incidents", true), at("2024-12-31", "incidents", false));
    assert_eq!(whole.rows, plain.rows);
}
