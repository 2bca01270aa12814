//! The Acme example: every metric of the set computes on its data, and the trends go the
//! way the generator built them (examples/generate_acme.rs).

use crate::util::compile;
use chrono::{Months, NaiveDate};
use std::path::Path;
use yardstick::check::Checked;
use yardstick::compute;
use yardstick::ir::{Grain, MetricId};
use yardstick::plan::Request;
use yardstick::results::{ResultRow, RowStatus};

const AS_OF: &str = "2025-12-31";

fn acme() -> Checked {
    let (checked, diags, _) = compile(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/acme"));
    checked.unwrap_or_else(|| panic!("{:?}", diags.iter().map(|d| &d.message).collect::<Vec<_>>()))
}

fn rows(checked: &Checked, metrics: &[&str]) -> Vec<ResultRow> {
    let metrics: Vec<MetricId> = metrics.iter().map(|m| MetricId(m.to_string())).collect();
    let request =
        Request { metrics: &metrics, as_of: NaiveDate::parse_from_str(AS_OF, "%Y-%m-%d").unwrap(), grain: None };
    compute(checked, &request).unwrap_or_else(|e| panic!("{:?}", e.iter().map(|d| &d.message).collect::<Vec<_>>())).rows
}

#[test]
fn every_metric_of_the_set_computes_on_the_example() {
    let checked = acme();
    let all: Vec<&str> = checked.set.metrics.iter().map(|m| m.id.0.as_str()).collect();
    let rows = rows(&checked, &all);
    for m in &all {
        let with_value = rows.iter().filter(|r| r.metric == *m && r.value.is_some()).count();
        assert!(with_value > 0, "{m} has no value anywhere");
    }
}

/// The mean of a metric's values at a site over `periods` periods starting `offset` months
/// after the site's rollout, and the site's baseline.
fn after_rollout(
    checked: &Checked,
    rows: &[ResultRow],
    metric: &str,
    site: &str,
    offset: u32,
    months: u32,
) -> (f64, f64) {
    let rollout = checked.project.as_ref().unwrap().sites.iter().find(|s| s.id == site).unwrap().rollout.unwrap();
    let from = rollout + Months::new(offset);
    let to = from + Months::new(months);
    let values: Vec<&ResultRow> = rows
        .iter()
        .filter(|r| r.metric == metric && r.site == site && r.period_start >= from && r.period_start < to)
        .collect();
    assert!(!values.is_empty(), "{metric} at {site}: no periods after rollout");
    let present: Vec<f64> = values.iter().filter_map(|r| r.value).collect();
    let mean = present.iter().sum::<f64>() / present.len() as f64;
    (mean, values[0].baseline.unwrap_or_else(|| panic!("{metric} at {site} has no baseline")))
}

/// (metric, direction the generator built in, months after rollout the comparison starts):
/// the second year after rollout, once the ISMS has matured and the validation lag of the
/// outcomes has passed.
const TRENDS: &[(&str, Trend, u32)] = &[
    ("security_downtime_per_1000_hours", Trend::Down, 12),
    ("security_disruptions", Trend::Down, 12),
    ("mttd_hours", Trend::Down, 12),
    ("mttr_hours", Trend::Down, 12),
    ("major_incident_share", Trend::Down, 12),
    // The detection paradox: better monitoring finds more incidents, and finds them itself.
    ("security_incidents", Trend::Up, 12),
    ("internally_detected_share", Trend::Up, 12),
    ("critical_control_coverage", Trend::Up, 12),
    ("systems_with_timely_access", Trend::Up, 12),
    ("restore_test_coverage", Trend::Up, 12),
    ("timely_deprovisioning", Trend::Up, 12),
    ("deprovisioning_hours", Trend::Down, 12),
    ("unaccountable_accounts", Trend::Down, 12),
    ("patch_timeliness", Trend::Up, 12),
    ("information_handling_capas", Trend::Down, 12),
    ("audit_prep_hours", Trend::Down, 12),
    ("training_completion", Trend::Up, 12),
];

#[derive(Clone, Copy, Debug, PartialEq)]
enum Trend {
    Up,
    Down,
}

#[test]
fn trends_after_rollout_go_the_way_the_generator_built_them_at_every_plant() {
    let checked = acme();
    let metrics: Vec<&str> = TRENDS.iter().map(|t| t.0).collect();
    let rows = rows(&checked, &metrics);
    let mut wrong = Vec::new();
    for (metric, trend, offset) in TRENDS {
        for site in ["lyon", "brno", "porto"] {
            let (after, baseline) = after_rollout(&checked, &rows, metric, site, *offset, 12);
            let ok = match trend {
                Trend::Down => after < baseline,
                Trend::Up => after > baseline,
            };
            if !ok {
                wrong.push(format!(
                    "{metric} at {site}: {after:.3} after rollout vs baseline {baseline:.3}, expected {trend:?}"
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The values of one metric at one site at a grain, by period start.
fn by_period(checked: &Checked, metric: &str, site: &str, grain: Grain) -> Vec<(NaiveDate, Option<f64>)> {
    let metrics = [MetricId(metric.to_string())];
    let as_of = NaiveDate::parse_from_str(AS_OF, "%Y-%m-%d").unwrap();
    let request = Request { metrics: &metrics, as_of, grain: Some(grain) };
    let rows = compute(checked, &request).unwrap_or_else(|e| panic!("{:?}", e[0].message)).rows;
    rows.iter().filter(|r| r.site == site).map(|r| (r.period_start, r.value)).collect()
}

/// The mean of the values in `[from, to)`; every period there has a value.
fn mean_between(values: &[(NaiveDate, Option<f64>)], from: NaiveDate, to: NaiveDate) -> f64 {
    let inside: Vec<f64> = values
        .iter()
        .filter(|(start, _)| *start >= from && *start < to)
        .map(|(start, v)| v.unwrap_or_else(|| panic!("no value in the period starting {start}")))
        .collect();
    assert!(!inside.is_empty(), "no period from {from} to {to}");
    inside.iter().sum::<f64>() / inside.len() as f64
}

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

#[test]
fn lyons_expansion_raises_raw_downtime_while_downtime_per_production_hour_falls() {
    // The generator adds a fourth critical line on 15 March 2023, on three shifts (more
    // than half again the production hours), and outcomes start to improve two quarters after the January 2023 rollout.
    // In the four quarters after the expansion the raw hours stay above the 2022 baseline,
    // the hours per 1,000 production hours fall below it.
    let checked = acme();
    let (from, to) = (day("2023-04-01"), day("2024-04-01"));
    let hours = by_period(&checked, "production_hours", "lyon", Grain::Quarter);
    let (before, after) = (mean_between(&hours, day("2022-01-01"), day("2023-01-01")), mean_between(&hours, from, to));
    assert!(after > before * 1.25, "production hours {before:.0} a quarter in 2022, {after:.0} after the expansion");
    let raw = by_period(&checked, "security_downtime_hours", "lyon", Grain::Quarter);
    let normalised = by_period(&checked, "security_downtime_per_1000_hours", "lyon", Grain::Quarter);
    let (raw_before, raw_after) =
        (mean_between(&raw, day("2022-01-01"), day("2023-01-01")), mean_between(&raw, from, to));
    let (per_before, per_after) =
        (mean_between(&normalised, day("2022-01-01"), day("2023-01-01")), mean_between(&normalised, from, to));
    assert!(raw_after > raw_before, "raw downtime {raw_before:.1} h before, {raw_after:.1} h after the expansion");
    assert!(
        per_after < per_before * 0.9,
        "downtime per 1,000 h {per_before:.1} before, {per_after:.1} after the expansion"
    );
}

#[test]
fn brnos_vendor_upgrade_cuts_security_stops_in_one_step_the_other_plants_do_not_take() {
    // Until 1 February 2024 Brno's historian interfaces add 20 configuration-error stops per
    // 1,000 production hours to the 20 every plant has; the ISMS has hardly started to move
    // outcomes there (its lag ends in January 2024). Three months either side of the upgrade:
    let checked = acme();
    let (before, upgrade, after) = (day("2023-11-01"), day("2024-02-01"), day("2024-05-01"));
    let step = |site: &str| {
        let stops = by_period(&checked, "security_disruptions", site, Grain::Month);
        mean_between(&stops, upgrade, after) / mean_between(&stops, before, upgrade)
    };
    let brno = step("brno");
    assert!(brno < 0.7, "Brno's security stops after the upgrade are {brno:.2} of those before");
    for site in ["lyon", "porto"] {
        let other = step(site);
        assert!(other > 0.85, "{site}'s security stops moved by {other:.2} in the same months, with no upgrade");
    }
}

#[test]
fn outcomes_move_only_after_the_validation_lag_at_every_plant() {
    // The generator moves outcomes from the seventh month after rollout on, to a third of
    // the baseline rate once mature. In the first two quarters after rollout, downtime per
    // production hour has not fallen by more than the noise of a plant's quarter (30%) from
    // the same quarters a year before; from the sixth quarter on it is under half the
    // baseline.
    let checked = acme();
    for site in ["lyon", "brno", "porto"] {
        let rollout = checked.project.as_ref().unwrap().sites.iter().find(|s| s.id == site).unwrap().rollout.unwrap();
        let values = by_period(&checked, "security_downtime_per_1000_hours", site, Grain::Quarter);
        let early = mean_between(&values, rollout, rollout + Months::new(6));
        let year_before = mean_between(&values, rollout - Months::new(12), rollout - Months::new(6));
        assert!(
            early > year_before * 0.7,
            "{site}: {early:.1} in the first two quarters after rollout, {year_before:.1} a year before"
        );
        let baseline = acme_baseline(&checked, "security_downtime_per_1000_hours", site);
        let late = mean_between(&values, rollout + Months::new(15), (rollout + Months::new(27)).min(day("2026-01-01")));
        assert!(
            late < baseline * 0.5,
            "{site}: {late:.1} from the sixth quarter after rollout, baseline {baseline:.1}"
        );
    }
}

fn acme_baseline(checked: &Checked, metric: &str, site: &str) -> f64 {
    let rows = rows(checked, &[metric]);
    rows.iter().find(|r| r.site == site).and_then(|r| r.baseline).unwrap()
}

#[test]
fn portos_ransomware_stop_lies_in_its_baseline_and_check_says_so() {
    let checked = acme();
    let rows = rows(&checked, &["security_downtime_hours"]);
    let q4 = rows.iter().find(|r| r.site == "porto" && r.period == "2023-Q4").unwrap();
    // The 31-hour stop of 9 October 2023 is in the quarter, whose rows lie in the baseline.
    assert!(q4.value.unwrap() >= 31.0, "Porto 2023-Q4: {:?}", q4.value);
    assert_eq!(q4.status, Some(RowStatus::Baseline));
    let lints = yardstick::check::lint::pitfalls(&checked.set, checked.project.as_ref());
    let w1006: Vec<_> = lints.iter().filter(|d| d.code == yardstick::diag::codes::W1006).collect();
    assert_eq!(w1006.len(), 1, "{:?}", lints.iter().map(|d| &d.message).collect::<Vec<_>>());
    assert!(w1006[0].message.contains("porto") && w1006[0].message.contains("2023-10-09"), "{}", w1006[0].message);
}

#[test]
fn porto_downtime_is_manual_and_uncovered_before_july_2022() {
    let checked = acme();
    let rows = rows(&checked, &["security_downtime_hours"]);
    let row = |period: &str| rows.iter().find(|r| r.site == "porto" && r.period == period).unwrap();
    assert_eq!(row("2022-Q1").value, None);
    assert_eq!(row("2022-Q1").coverage, "not_covered");
    assert!(row("2022-Q3").value.is_some());
    assert_eq!(row("2022-Q3").collection, "manual");
}

#[test]
fn the_committed_data_is_what_the_seeded_generator_writes() {
    // cargo builds examples next to the test binaries (target/debug/examples).
    let exe = std::env::current_exe().unwrap();
    let generator = exe.parent().unwrap().parent().unwrap().join("examples").join("generate-acme");
    assert!(generator.is_file(), "{} not built", generator.display());
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("data");
    let status = std::process::Command::new(&generator)
        .args(["--years", "4", "--scale", "1", "--out", out.to_str().unwrap()])
        .status()
        .unwrap();
    assert!(status.success());
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/acme/data");
    for site in ["lyon", "brno", "porto"] {
        for entry in std::fs::read_dir(committed.join(site)).unwrap() {
            let name = entry.unwrap().file_name();
            let want = std::fs::read(committed.join(site).join(&name)).unwrap();
            let got = std::fs::read(out.join(site).join(&name)).unwrap();
            assert!(want == got, "{site}/{} differs from the generator's output", name.to_string_lossy());
        }
    }
}

#[test]
fn no_period_before_a_rollout_and_no_partial_period_is_judged() {
    let checked = acme();
    let all: Vec<&str> = checked.set.metrics.iter().map(|m| m.id.0.as_str()).collect();
    let metrics: Vec<MetricId> = all.iter().map(|m| MetricId(m.to_string())).collect();
    // As of a day inside a quarter, so that the last quarter is partial.
    let request = Request { metrics: &metrics, as_of: NaiveDate::from_ymd_opt(2025, 11, 20).unwrap(), grain: None };
    let rows = compute(&checked, &request).unwrap_or_else(|e| panic!("{:?}", e[0].message)).rows;
    let sites = &checked.project.as_ref().unwrap().sites;
    let last_rollout = sites.iter().filter_map(|s| s.rollout).max().unwrap();
    let judged = |r: &&ResultRow| matches!(r.status, Some(RowStatus::Green | RowStatus::Amber | RowStatus::Red));
    for r in rows.iter().filter(judged) {
        assert!(!r.partial, "{} at {} judged in partial {}", r.metric.0, r.site, r.period);
        // A period is judged once it ends on or after the rollout (every site's, pooled).
        let rollout = match sites.iter().find(|s| r.site == s.id.as_str()) {
            Some(s) => s.rollout.unwrap(),
            None => last_rollout,
        };
        assert!(r.period_end >= rollout, "{} at {} judged in {}, before the rollout", r.metric.0, r.site, r.period);
    }
    // Both kinds of rows not judged are there.
    assert!(rows.iter().any(|r| r.status == Some(RowStatus::Baseline)));
    assert!(rows.iter().any(|r| r.status == Some(RowStatus::Pending)));
}

#[test]
fn a_back_end_keeping_files_reads_each_export_once_and_computes_the_same() {
    let checked = acme();
    let metrics = checked.set.ids();
    let as_of = NaiveDate::parse_from_str(AS_OF, "%Y-%m-%d").unwrap();
    let request = |grain| Request { metrics: &metrics, as_of, grain };
    let engine = yardstick::engine::Polars::keeping_files();
    let first = yardstick::compute_on(&checked, &request(None), &engine).unwrap();
    // Every (site, source) export the project binds, each kept once.
    let exports = first.inputs.len();
    assert!(exports > 0);
    assert_eq!(engine.files_kept(), exports);
    // Another grain reads nothing new, and gives what a fresh read gives.
    let again = yardstick::compute_on(&checked, &request(Some(Grain::Year)), &engine).unwrap();
    assert_eq!(engine.files_kept(), exports);
    let fresh = compute(&checked, &request(Some(Grain::Year))).unwrap();
    let values = |r: &yardstick::results::Results| {
        r.rows.iter().map(|r| (r.metric.0.clone(), r.site.to_string(), r.period.clone(), r.value)).collect::<Vec<_>>()
    };
    let (kept, anew) = (values(&again), values(&fresh));
    assert_eq!(kept.len(), anew.len());
    for (a, b) in kept.iter().zip(&anew) {
        assert_eq!((&a.0, &a.1, &a.2), (&b.0, &b.1, &b.2));
        let close = match (a.3, b.3) {
            (Some(x), Some(y)) => (x - y).abs() <= 1e-9 * x.abs().max(1.0),
            (x, y) => x == y,
        };
        assert!(close, "{a:?} vs {b:?}");
    }
}
