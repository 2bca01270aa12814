//! How long the engine takes to compute 30 metrics in one run, against a hand-written
//! Polars program computing the same numbers (issue: no more than 1.2 times as long).
//!
//! Run with `cargo bench --bench engine` (release build). It generates the Acme project at
//! 3 sites x 5 years, with about a million rows in its largest source (`downtime`), in a
//! temporary folder; then, turn about, times `yardstick::compute` on the 30
//! metrics below (what `query` and `build` call: reading the exports included) and the
//! hand-written program in `hand.rs` (reading included), and checks that both give the
//! same value and baseline in every row before printing the times.
//!
//! A `build` row times what `yardstick build` adds for the same metrics: the results
//! written as CSV and Parquet with the manifest (input hashes included), into a fresh
//! output folder each run.
//!
//! `--scale N` (default 125) and `--runs N` (default 5) change the size and the number of
//! timed runs of each; `--only engine` or `--only hand` runs one side alone (for a
//! profiler), and `--project DIR` keeps the generated project in DIR for later runs.

#[path = "../acme_project.rs"]
mod acme_project;
mod hand;

use chrono::NaiveDate;
use std::time::{Duration, Instant};
use yardstick::compute;
use yardstick::diag::Sources;
use yardstick::plan::Request;
use yardstick::results::Results;

/// The 30 metrics: every time semantics, joins, derived metrics and every aggregate the
/// definition set uses, over 14 of its 18 sources.
pub const METRICS: [&str; 30] = [
    // month grain
    "requalification_exceptions",
    "patch_timeliness",
    "timely_deprovisioning",
    "deprovisioning_hours",
    "control_failures",
    "repeated_control_failures",
    "open_control_exceptions",
    // quarter grain
    "policy_reviews_on_time",
    "training_completion",
    "training_score",
    "audit_fire_drills",
    "audit_prep_hours",
    "late_or_missing_artifacts",
    "information_handling_capas",
    "third_party_disruptions",
    "security_incidents",
    "major_incident_share",
    "mttd_hours",
    "mttr_hours",
    "security_disruptions",
    "security_downtime_hours",
    "hours_per_disruption",
    "production_hours",
    "restore_test_success",
    "restore_hours",
    "significant_incident_cost",
    "cost_per_significant_incident",
    "high_risks",
    "high_risks_treated",
    "critical_control_coverage",
];

const YEARS: i32 = 5;

fn main() {
    let mut scale = 125usize;
    let mut runs = 5usize;
    let mut only = None;
    let mut keep = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--scale" => scale = args.next().and_then(|v| v.parse().ok()).expect("--scale takes a whole number"),
            "--runs" => runs = args.next().and_then(|v| v.parse().ok()).expect("--runs takes a whole number"),
            "--only" => only = Some(args.next().expect("--only takes engine or hand")),
            "--project" => keep = Some(std::path::PathBuf::from(args.next().expect("--project takes a folder"))),
            // `cargo bench` passes `--bench`; filters do not apply to this one benchmark.
            _ => {}
        }
    }
    let as_of = NaiveDate::from_ymd_opt(2021 + YEARS, 12, 31).expect("a date");

    let temporary = tempfile::tempdir().expect("temporary folder");
    let dir = keep.unwrap_or_else(|| temporary.path().to_path_buf());
    let started = Instant::now();
    if !dir.join("data").is_dir() {
        acme_project::write(&dir, YEARS, scale);
    }
    let downtime_rows = acme_project::downtime_rows(&dir);
    println!(
        "generated 3 sites x {YEARS} years at scale {scale}: {downtime_rows} rows in `downtime`, the largest source ({:.1} s)",
        started.elapsed().as_secs_f64()
    );

    let mut sources = Sources::default();
    let (checked, diags) = yardstick::compile(&dir, &mut sources);
    assert!(!diags.has_errors(), "the generated project must check: {:?}", diags.iter().next());
    let checked = checked.expect("checked");
    let metrics: Vec<yardstick::ir::MetricId> =
        METRICS.iter().map(|m| yardstick::ir::MetricId(m.to_string())).collect();
    let request = Request { metrics: &metrics, as_of, grain: None, to_date: false };

    let mut engine_times = Vec::new();
    let mut hand_times = Vec::new();
    let mut last = None;
    let run_engine = || {
        let start = Instant::now();
        let results = compute(&checked, &request).unwrap_or_else(|e| panic!("engine failed: {:?}", e.first()));
        (results, start.elapsed())
    };
    let run_hand = || {
        let start = Instant::now();
        let numbers = hand::compute(&dir, as_of).expect("the hand-written program runs");
        (numbers, start.elapsed())
    };
    match only.as_deref() {
        Some("engine") => {
            let times: Vec<Duration> = (0..runs).map(|_| run_engine().1).collect();
            println!("yardstick engine alone: {:.0?}", times);
            return;
        }
        Some("hand") => {
            let times: Vec<Duration> = (0..runs).map(|_| run_hand().1).collect();
            println!("hand-written Polars alone: {:.0?}", times);
            return;
        }
        Some(other) => panic!("--only takes engine or hand, not {other}"),
        None => {}
    }
    for _ in 0..runs {
        let (results, engine) = run_engine();
        engine_times.push(engine);
        let (numbers, hand) = run_hand();
        hand_times.push(hand);
        last = Some((results, numbers));
    }
    let (results, numbers) = last.expect("at least one run");
    let compared = same_numbers(&results, &numbers);
    let mut build_times: Vec<Duration> = (0..runs)
        .map(|run| {
            let start = Instant::now();
            let (results, _) = run_engine();
            let out = temporary.path().join(format!("out-{run}"));
            let no_reports = |_: &yardstick::publish::Manifest| Ok(Vec::new());
            yardstick::publish::write(&checked, &results, as_of, &out, &yardstick::publish::GitCli, &no_reports)
                .expect("build writes");
            start.elapsed()
        })
        .collect();
    build_times.sort();
    let build = build_times[runs / 2];

    engine_times.sort();
    hand_times.sort();
    let (engine, hand) = (engine_times[runs / 2], hand_times[runs / 2]);
    println!("both give the same value and baseline in all {compared} result rows of the 30 metrics");
    println!("yardstick engine:     median {:>7.0} ms  (fastest {:.0} ms)", ms(engine), ms(engine_times[0]));
    println!("hand-written Polars:  median {:>7.0} ms  (fastest {:.0} ms)", ms(hand), ms(hand_times[0]));
    println!("ratio: {:.2} (target: at most 1.20)", engine.as_secs_f64() / hand.as_secs_f64());
    println!(
        "yardstick build:      median {:>7.0} ms  (fastest {:.0} ms; compute, then results.csv, results.parquet, manifest.json): {:.2} x hand-written",
        ms(build),
        ms(build_times[0]),
        build.as_secs_f64() / hand.as_secs_f64()
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Asserts that every row of the 30 metrics has the hand-written program's value and
/// baseline; returns how many rows were compared.
fn same_numbers(results: &Results, hand: &hand::Numbers) -> usize {
    let close = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * a.abs().max(1.0),
        _ => false,
    };
    let mut compared = 0;
    for row in &results.rows {
        let expected = hand.value(&row.metric.0, row.site.as_str(), row.period_start);
        assert!(
            close(row.value, expected),
            "{} at {} in {}: engine {:?}, hand-written {:?}",
            row.metric,
            row.site,
            row.period,
            row.value,
            expected
        );
        let expected = hand.baseline_in(&row.metric.0, row.site.as_str(), row.period_start);
        assert!(
            close(row.baseline, expected),
            "baseline of {} at {}: engine {:?}, hand-written {:?}",
            row.metric,
            row.site,
            row.baseline,
            expected
        );
        compared += 1;
    }
    let metrics: std::collections::BTreeSet<&str> = results.rows.iter().map(|r| r.metric.0.as_str()).collect();
    assert_eq!(metrics.len(), METRICS.len(), "every metric has rows");
    compared
}
