//! The Acme example: every metric of the set computes on its data, and the trends go the
//! way the generator built them (examples/generate_acme.rs).

use crate::util::compile;
use chrono::{Months, NaiveDate};
use std::path::Path;
use yardstick::check::Checked;
use yardstick::check::ir::Grain;
use yardstick::compute;
use yardstick::plan::Request;
use yardstick::results::{ResultRow, RowStatus};

const AS_OF: &str = "2025-12-31";

fn acme() -> Checked {
    let (checked, diags, _) = compile(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/acme"));
    checked.unwrap_or_else(|| panic!("{:?}", diags.iter().map(|d| &d.message).collect::<Vec<_>>()))
}

fn rows(checked: &Checked, metrics: &[&str]) -> Vec<ResultRow> {
    let metrics: Vec<String> = metrics.iter().map(|m| m.to_string()).collect();
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

/// (metric, direction the generator built in, months after rollout the comparison starts)
const TRENDS: &[(&str, Trend, u32)] = &[
    // The example: the four quarters right after rollout.
    ("security_downtime_hours", Trend::Down, 0),
    // The rest once the ISMS has matured, in the second year after rollout.
    ("security_disruptions", Trend::Down, 12),
    ("mttd_hours", Trend::Down, 12),
    ("mttr_hours", Trend::Down, 12),
    ("major_incident_share", Trend::Down, 12),
    // The detection paradox: better monitoring finds more incidents.
    ("security_incidents", Trend::Up, 12),
    ("critical_control_coverage", Trend::Up, 12),
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
    let metrics: Vec<String> = all.iter().map(|m| m.to_string()).collect();
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
    let metrics: Vec<String> = checked.set.metrics.iter().map(|m| m.id.0.clone()).collect();
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
