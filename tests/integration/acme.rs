//! The Acme example: every metric of the set computes on its data, and the trends go the
//! way the generator built them (examples/generate_acme.rs).

use crate::util::compile;
use chrono::{Datelike, Months, NaiveDate};
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
    let request = Request {
        metrics: &metrics,
        as_of: NaiveDate::parse_from_str(AS_OF, "%Y-%m-%d").unwrap(),
        grain: None,
        to_date: false,
    };
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
/// the second year after rollout, once the ISMS processes have matured. Only what the
/// generator moves a lot is here: the outcomes move modestly (a quarter), and a plant's year
/// is no proof of them (the story tests below read them over the rollout).
const TRENDS: &[(&str, Trend, u32)] = &[
    // The detection paradox: better monitoring finds more incidents, and finds them itself.
    ("security_incidents", Trend::Up, 12),
    ("internally_detected_share", Trend::Up, 12),
    ("critical_control_coverage", Trend::Up, 12),
    ("systems_with_timely_access", Trend::Up, 12),
    ("restore_test_coverage", Trend::Up, 12),
    ("timely_deprovisioning", Trend::Up, 12),
    ("deprovisioning_hours", Trend::Down, 12),
    ("unaccountable_account_share", Trend::Down, 12),
    ("patch_timeliness", Trend::Up, 12),
    ("training_completion", Trend::Up, 12),
    ("remote_access_mfa", Trend::Up, 12),
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
    let request = Request { metrics: &metrics, as_of, grain: Some(grain), to_date: false };
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
fn lyons_expansion_raises_production_and_raw_downtime_which_the_normalised_metric_takes_out() {
    // The generator adds a fourth critical line on 15 March 2023, on three shifts: more
    // than half again the production hours. Raw security downtime grows with the exposure;
    // per 1,000 production hours it grows by that much less.
    let checked = acme();
    let (from, to) = (day("2023-04-01"), day("2024-04-01"));
    let hours = by_period(&checked, "production_hours", "lyon", Grain::Quarter);
    let (before, after) = (mean_between(&hours, day("2022-01-01"), day("2023-01-01")), mean_between(&hours, from, to));
    assert!(after > before * 1.25, "production hours {before:.0} a quarter in 2022, {after:.0} after the expansion");
    let raw = by_period(&checked, "security_downtime_hours", "lyon", Grain::Year);
    let normalised = by_period(&checked, "security_downtime_per_1000_hours", "lyon", Grain::Year);
    let grew = |v: &[(NaiveDate, Option<f64>)]| {
        mean_between(v, day("2024-01-01"), day("2025-01-01")) / mean_between(v, day("2022-01-01"), day("2023-01-01"))
    };
    let (raw_growth, per_hour_growth) = (grew(&raw), grew(&normalised));
    assert!(
        per_hour_growth < raw_growth / 1.25,
        "raw downtime x{raw_growth:.2} from 2022 to 2024, per 1,000 production hours x{per_hour_growth:.2}"
    );
}

#[test]
fn brnos_vendor_upgrade_ends_its_historian_interface_stops() {
    // Until 1 February 2024 Brno's historian interfaces stop its lines with configuration
    // errors (0.3 a 1,000 production hours, about four a year); after the upgrade only an
    // ordinary security stop can still land on the historian (about 1% of them).
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/acme/data/brno");
    let historian = latest(&csv(&data.join("assets.csv")), "asset_id")
        .into_iter()
        .find(|a| a["asset_class"] == "historian")
        .unwrap()["asset_id"]
        .clone();
    let stops = latest(&csv(&data.join("downtime.csv")), "event_id");
    let interface = |from: &str, to: &str| {
        stops
            .iter()
            .filter(|s| {
                s["asset_id"] == historian
                    && s["cause"] == "KONFIG"
                    && s["started_at"].as_str() >= from
                    && s["started_at"].as_str() < to
            })
            .count()
    };
    let (before, after) = (interface("2023-02-01", "2024-02-01"), interface("2024-02-01", "2025-02-01"));
    assert!(
        before >= 2 && after < before,
        "historian configuration-error stops: {before} in the year before the upgrade, {after} after"
    );
}

fn acme_baseline(checked: &Checked, metric: &str, site: &str) -> f64 {
    let rows = rows(checked, &[metric]);
    rows.iter().find(|r| r.site == site).and_then(|r| r.baseline).unwrap()
}

#[test]
fn portos_ransomware_stop_lies_in_its_baseline_and_the_site_says_why_it_keeps_it() {
    let checked = acme();
    let rows = rows(&checked, &["security_downtime_hours"]);
    let q4 = rows.iter().find(|r| r.site == "porto" && r.period == "2023-Q4").unwrap();
    // The 31-hour stop of 9 October 2023 is in the quarter, whose rows lie in the baseline.
    assert!(q4.value.unwrap() >= 31.0, "Porto 2023-Q4: {:?}", q4.value);
    assert_eq!(q4.status, Some(RowStatus::Baseline));
    assert!(acme_baseline(&checked, "security_downtime_hours", "porto") >= 31.0 / 4.0);
    // W1006 finds it; Porto's allow, with its reason, answers it.
    let project = checked.project.as_ref().unwrap();
    let porto = project.sites.iter().find(|s| s.id == "porto").unwrap();
    assert!(porto.allow.iter().any(|a| a.code == "W1006" && a.reason.contains("ransomware")));
    let lints = yardstick::check::lint::pitfalls(&checked.set, Some(project));
    assert!(lints.iter().all(|d| d.code != yardstick::diag::codes::W1006), "allowed");
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
    let request = Request {
        metrics: &metrics,
        as_of: NaiveDate::from_ymd_opt(2025, 11, 20).unwrap(),
        grain: None,
        to_date: false,
    };
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
    let request = |grain| Request { metrics: &metrics, as_of, grain, to_date: false };
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

// The story's figures, computed from the exports without yardstick: the ranges
// examples/acme/README.md states, with why they were chosen.

type Row = std::collections::BTreeMap<String, String>;

/// A plant's export: one map per row (Acme's exports quote nothing).
fn csv(path: &Path) -> Vec<Row> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    lines.map(|l| header.iter().map(|h| h.to_string()).zip(l.split(',').map(str::to_string)).collect()).collect()
}

/// Each key's latest row (by `recorded_at` in a revision history, `snapshot_on` in a
/// snapshot source), less the withdrawn.
fn latest(rows: &[Row], key: &str) -> Vec<Row> {
    let mut by_key: std::collections::BTreeMap<String, Row> = std::collections::BTreeMap::new();
    for r in rows {
        let when = |r: &Row| r.get("recorded_at").or(r.get("snapshot_on")).cloned().unwrap_or_default();
        let newer = by_key.get(&r[key]).is_none_or(|old| when(r) > when(old));
        if newer {
            by_key.insert(r[key].clone(), r.clone());
        }
    }
    by_key.into_values().filter(|r| r.get("withdrawn").is_none_or(|w| w != "true")).collect()
}

fn export(site: &str, file: &str) -> Vec<Row> {
    csv(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/acme/data").join(site).join(file))
}

const SITES: [(&str, &str); 3] = [("lyon", "2023-01-01"), ("brno", "2023-07-01"), ("porto", "2024-01-01")];
const SECURITY_CAUSES: [&str; 6] =
    ["cyber_event", "unauthorized_change", "configuration_error", "CYB", "NEOPR-ZMENA", "KONFIG"];

/// The calendar years a plant's downtime covers whole (Porto logs from July 2022).
fn whole_years(site: &str) -> std::ops::RangeInclusive<i32> {
    if site == "porto" { 2023..=2025 } else { 2022..=2025 }
}

#[test]
fn security_stops_are_a_handful_to_a_few_dozen_per_plant_and_year() {
    for (site, _) in SITES {
        let stops = latest(&export(site, "downtime.csv"), "event_id");
        for year in whole_years(site) {
            let n = stops
                .iter()
                .filter(|s| {
                    SECURITY_CAUSES.contains(&s["cause"].as_str()) && s["started_at"].starts_with(&year.to_string())
                })
                .count();
            assert!((2..=40).contains(&n), "{site} {year}: {n} security stops");
        }
    }
}

#[test]
fn sev1_incidents_are_none_to_six_per_plant_and_year_and_ot_a_minority() {
    for (site, _) in SITES {
        let incidents = latest(&export(site, "incidents.csv"), "incident_id");
        for year in 2022..=2025 {
            let n = incidents
                .iter()
                .filter(|i| {
                    ["SEV1", "P1"].contains(&i["severity"].as_str()) && i["detected_at"].starts_with(&year.to_string())
                })
                .count();
            assert!(n <= 6, "{site} {year}: {n} SEV1 incidents");
        }
        let ot = incidents.iter().filter(|i| i["domain"] == "ot").count() as f64 / incidents.len() as f64;
        assert!(ot <= 0.4, "{site}: {:.0}% of incidents are OT", ot * 100.0);
    }
}

#[test]
fn critical_systems_are_at_most_a_quarter_of_the_inventory() {
    for (site, _) in SITES {
        let assets = export(site, "assets.csv");
        let snapshots: std::collections::BTreeSet<&str> = assets.iter().map(|a| a["snapshot_on"].as_str()).collect();
        for day in snapshots {
            let at: Vec<&Row> = assets.iter().filter(|a| a["snapshot_on"] == day).collect();
            let critical = at.iter().filter(|a| a["criticality"] == "critical").count() as f64 / at.len() as f64;
            assert!(critical <= 0.25, "{site} {day}: {:.0}% critical", critical * 100.0);
        }
    }
}

#[test]
fn the_trained_population_turns_over_by_5_to_25_percent_a_year() {
    for (site, _) in SITES {
        let register = export(site, "training.csv");
        let people = |day: &str| -> std::collections::BTreeSet<String> {
            register.iter().filter(|r| r["snapshot_on"] == day).map(|r| r["person_id"].clone()).collect()
        };
        for (then, now) in [("2022-12-31", "2023-12-31"), ("2023-12-31", "2024-12-31"), ("2024-12-31", "2025-12-31")] {
            let (before, after) = (people(then), people(now));
            let new = after.difference(&before).count() as f64 / after.len() as f64;
            assert!((0.05..=0.25).contains(&new), "{site} {now}: {:.0}% of the people are new", new * 100.0);
        }
    }
}

#[test]
fn the_risk_registers_are_plausible() {
    // At every review: at most a quarter of the risks critical, and some low ones.
    for (site, _) in SITES {
        let register = export(site, "risk_register.csv");
        let reviews: std::collections::BTreeSet<&str> = register.iter().map(|r| r["snapshot_on"].as_str()).collect();
        for day in reviews {
            let at: Vec<&Row> = register.iter().filter(|r| r["snapshot_on"] == day).collect();
            let count = |rating: &str| at.iter().filter(|r| r["residual_rating"] == rating).count();
            assert!(
                count("critical") * 4 <= at.len() && count("low") > 0,
                "{site} {day}: {} critical, {} low of {}",
                count("critical"),
                count("low"),
                at.len()
            );
        }
    }
}

/// Months from `from` to `to` (both first days of months or any day in them).
fn months_between(from: &str, to: &str) -> i32 {
    let (a, b) = (day(&from[..10]), day(&to[..10]));
    (b.year() - a.year()) * 12 + b.month() as i32 - a.month() as i32
}

#[test]
fn the_isms_arrives_in_order_at_every_plant() {
    // Scope (rollout), risk assessment under new criteria (two months), Statement of
    // Applicability (three), ISMS certification (twelve).
    for (site, rollout) in SITES {
        for audit in export(site, "audit_prep.csv").iter().filter(|a| a["kind"] == "certification") {
            assert!(
                months_between(rollout, &audit["audit_date"]) >= 12,
                "{site}: certification on {}",
                audit["audit_date"]
            );
        }
        for e in export(site, "control_exceptions.csv")
            .iter()
            .filter(|e| ["soa_deviation", "patch_exception"].contains(&e["kind"].as_str()))
        {
            assert!(
                months_between(rollout, &e["opened_on"]) >= 3,
                "{site}: {} before the SoA, on {}",
                e["kind"],
                e["opened_on"]
            );
        }
        for r in export(site, "risk_register.csv").iter().filter(|r| r["criteria_version"] == "v2") {
            assert!(months_between(rollout, &r["snapshot_on"]) >= 2, "{site}: criteria v2 on {}", r["snapshot_on"]);
        }
    }
}

#[test]
fn security_downtime_per_production_hour_is_10_to_50_percent_lower_two_years_after_rollout() {
    // The year before rollout against the second year after it. Porto's baseline holds the
    // 31-hour ransomware stop (the W1006 it allows): without it, Porto's change is in the
    // same range; with it, far larger, which is why the baseline pitfall matters.
    for (site, rollout) in SITES {
        let stops = latest(&export(site, "downtime.csv"), "event_id");
        let production = export(site, "production.csv");
        let critical: std::collections::BTreeSet<&str> =
            production.iter().filter(|p| p["criticality"] == "critical").map(|p| p["line"].as_str()).collect();
        let rate = |from: i32, to: i32, skip_ransomware: bool| {
            let inside = |t: &str| (from..to).contains(&months_between(rollout, t));
            let lost: f64 = stops
                .iter()
                .filter(|s| SECURITY_CAUSES.contains(&s["cause"].as_str()) && critical.contains(s["line"].as_str()))
                .filter(|s| inside(&s["started_at"]) && !(skip_ransomware && s["duration_min"] == "1860"))
                .map(|s| s["duration_min"].parse::<f64>().unwrap() / 60.0)
                .sum();
            let hours: f64 = production
                .iter()
                .filter(|p| p["criticality"] == "critical" && inside(&p["month"]))
                .map(|p| p["production_hours"].parse::<f64>().unwrap())
                .sum();
            lost / hours
        };
        let change = rate(12, 24, true) / rate(-12, 0, true) - 1.0;
        assert!((-0.5..=-0.1).contains(&change), "{site}: {:+.0}% two years after rollout", change * 100.0);
        if site == "porto" {
            let with_it = rate(12, 24, false) / rate(-12, 0, false) - 1.0;
            assert!(with_it < -0.5, "Porto with the ransomware stop in its baseline: {:+.0}%", with_it * 100.0);
        }
    }
}

#[test]
fn the_isms_effect_shows_in_the_trend_since_rollout_not_in_every_quarter() {
    let checked = acme();
    let metrics = [MetricId("security_downtime_per_1000_hours".into()), MetricId("security_disruptions".into())];
    let as_of = NaiveDate::parse_from_str(AS_OF, "%Y-%m-%d").unwrap();
    let results = compute(&checked, &Request { metrics: &metrics, as_of, grain: None, to_date: false }).unwrap();
    // The stops per production hour, all plants pooled, fall over the years since rollout.
    let pooled = results
        .trends
        .iter()
        .find(|t| t.metric.0 == "security_disruptions" && t.site == yardstick::ir::SiteRef::All)
        .expect("a pooled trend");
    assert!(pooled.per_year.is_some_and(|x| x < 0.0), "{}", pooled.describe());
    // Yet some quarter after the outcomes matured (18 months after rollout) is no better
    // than its plant's baseline.
    let worse_somewhere = SITES.iter().any(|(site, rollout)| {
        let from = day(rollout) + Months::new(18);
        results.rows.iter().any(|r| {
            r.metric.0 == "security_downtime_per_1000_hours"
                && r.site == *site
                && r.period_start >= from
                && !r.partial
                && r.value.zip(r.baseline).is_some_and(|(v, b)| v >= b)
        })
    });
    assert!(worse_somewhere, "every quarter after maturity is better than the baseline everywhere");
}
