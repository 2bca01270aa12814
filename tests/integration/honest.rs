//! Results that never claim more than the data shows (SPEC section 8): coverage that ends,
//! partly covered periods, baselines clipped to what is covered, the pooled baseline,
//! statuses `baseline`, `pending` and none, percentage points, snapshot periods without a
//! snapshot. Every expected number is worked out from the rows in `engine.rs`.

use crate::engine::{A_INCIDENTS, ASSETS, B_INCIDENTS, files, incidents, run, run_at};
use crate::util::Edit;
use yardstick::ir::Grain;
use yardstick::results::RowStatus;

const SITE_A: &str = "a: {rollout: 2024-07-01}";

/// `incidents` with a target, so that every period can be judged.
const TARGET_ONE: Edit = Edit::Replace {
    file: "set/metrics/incidents.yaml",
    find: "value: count()",
    with: "value: count()\ntarget: {value: 1}",
};

#[test]
fn coverage_that_starts_late_and_ends_gives_partial_periods_and_no_value_after() {
    let coverage = Edit::Replace {
        file: "project/yardstick.yaml",
        find: SITE_A,
        with: "a: {rollout: 2024-07-01, coverage: {incidents: {from: 2024-02-01, to: 2024-08-10}}}",
    };
    let data = incidents(A_INCIDENTS, B_INCIDENTS);
    let r = run("incidents", "2024-12-31", &files(&data), &[coverage, TARGET_ONE]).unwrap();
    // a's data runs from 1 February to 10 August: Q1 holds i2 only (i1 is from 15 January),
    // Q3 holds i3 but not i4 (16 August), Q4 has no data at a.
    let q1 = r.row("a", "2024-Q1");
    assert_eq!((q1.value, q1.partial), (Some(1.0), true));
    // Before the July rollout the status is `baseline`, even in a partial period.
    assert_eq!(q1.status, Some(RowStatus::Baseline));
    assert_eq!(r.row("a", "2024-Q2").status, Some(RowStatus::Baseline));
    let q3 = r.row("a", "2024-Q3");
    assert_eq!((q3.value, q3.partial, q3.status), (Some(1.0), true, Some(RowStatus::Pending)));
    let q4 = r.row("a", "2024-Q4");
    assert_eq!((q4.value, q4.coverage.as_str(), q4.status), (None, "not_covered", Some(RowStatus::NoData)));
    // b is covered whole and judged: no incident after Q1 is under the target of 1, but a
    // quarter of no event is no evidence of a rate under 1 (its interval reaches -ln 0.05
    // = 3.0): unclear, not green.
    let b = r.row("b", "2024-Q3");
    assert_eq!((b.value, b.status), (Some(0.0), Some(RowStatus::Unclear)));
    assert_eq!(b.status_note.as_deref(), Some("the target is open"));
    // The pooled row is partial while a site in it is; in Q4 it holds b alone, whole.
    assert_eq!(r.row("all", "2024-Q3").status, Some(RowStatus::Pending));
    let all_q4 = r.row("all", "2024-Q4");
    assert_eq!((all_q4.value, all_q4.partial, all_q4.status), (Some(0.0), false, Some(RowStatus::Unclear)));
    // Baselines: a's window (January to June) clipped to February to June holds i2, a
    // flow scaled to a quarter by the 5 covered months: 1 * 3 / 5. b's 6 months hold j1:
    // 1 * 3 / 6. The pooled baseline adds the sites' own scaled flows.
    let baseline = |site| r.row(site, "2024-Q3").baseline.unwrap();
    assert!((baseline("a") - 0.6).abs() < 1e-12, "{}", baseline("a"));
    assert_eq!(baseline("b"), 0.5);
    assert!((baseline("all") - 1.1).abs() < 1e-12, "{}", baseline("all"));
    // In Q4 the pooled row holds b alone, and so does its baseline.
    assert_eq!(r.row("all", "2024-Q4").baseline, Some(0.5));
    // Five covered months: a warning naming the site and the clipped window.
    let short: Vec<&String> = r.warnings.iter().filter(|w| w.contains("site `a`")).collect();
    assert_eq!(short.len(), 1, "{:?}", r.warnings);
    assert!(short[0].contains("5.0 months of data (2024-02-01 to 2024-06-30)"), "{}", short[0]);
}

#[test]
fn a_baseline_window_before_the_start_is_clipped_and_scaled_by_what_is_left() {
    let early = Edit::Replace { file: "project/yardstick.yaml", find: SITE_A, with: "a: {rollout: 2024-04-01}" };
    let data = incidents(A_INCIDENTS, B_INCIDENTS);
    let r = run("incidents", "2024-06-30", &files(&data), &[early]).unwrap();
    // a's window is October 2023 to March 2024; the project starts in January, so 3
    // months remain, holding i1 and i2: 2 * 3 / 3 (not 2 * 3 / 6).
    assert_eq!(r.row("a", "2024-Q2").baseline, Some(2.0));
    // Q1 ends before the April rollout; Q2 is judged (no criteria: no status).
    assert_eq!(r.row("a", "2024-Q1").status, Some(RowStatus::Baseline));
    assert_eq!(r.row("a", "2024-Q2").status, None);
}

#[test]
fn the_first_period_is_partial_when_the_start_is_not_its_first_day() {
    let fiscal = Edit::Replace {
        file: "project/yardstick.yaml",
        find: "start: 2024-01-01",
        with: "start: 2024-01-01\ncalendar: {fiscal_year_start: 4}",
    };
    let data = incidents(A_INCIDENTS, B_INCIDENTS);
    let r = run_at("incidents", "2025-03-31", Some(Grain::Year), &files(&data), &[fiscal, TARGET_ONE]).unwrap();
    // FY2024 runs from April 2023 to March 2024; the project starts in January: three
    // months of it, holding i1 and i2 at a. It is partial and before the rollout.
    let fy2024 = r.row("a", "FY2024");
    assert_eq!((fy2024.value, fy2024.partial, fy2024.status), (Some(2.0), true, Some(RowStatus::Baseline)));
    // FY2025 (April 2024 to March 2025) is whole as of its last day, and holds i3 and i4
    // at a: 2 is more than the target of 1, but two events could come from a rate under 1
    // (the interval's lower end is the gamma quantile 0.36): judged, and unclear.
    let fy2025 = r.row("a", "FY2025");
    assert_eq!((fy2025.value, fy2025.partial, fy2025.status), (Some(2.0), false, Some(RowStatus::Unclear)));
}

#[test]
fn criteria_that_need_a_missing_baseline_give_no_status_never_red() {
    let change = Edit::Replace {
        file: "set/metrics/incidents.yaml",
        find: "value: count()",
        with: "value: count()\ntarget: {change: -50%}",
    };
    let late = Edit::Replace {
        file: "project/yardstick.yaml",
        find: "b: {rollout: 2024-07-01, mappings: sites/b.yaml}",
        with: "b: {rollout: 2024-07-01, mappings: sites/b.yaml, coverage: {incidents: {from: 2024-07-01}}}",
    };
    let data = incidents(A_INCIDENTS, B_INCIDENTS);
    let r = run("incidents", "2024-09-30", &files(&data), &[change, late]).unwrap();
    // b's data starts with its rollout: its baseline window holds no covered month, so
    // it has no baseline and its change target cannot be set.
    let b = r.row("b", "2024-Q3");
    assert_eq!((b.value, b.baseline, b.target, b.status), (Some(0.0), None, None, None));
    // a's baseline is 2 * 3 / 6 = 1, its target 0.5; Q3 holds i3 and i4, twice the
    // baseline, but 2 events against 2 cannot refute a halving: judged, and unclear.
    let a = r.row("a", "2024-Q3");
    assert_eq!((a.baseline, a.target, a.status), (Some(1.0), Some(0.5), Some(RowStatus::Unclear)));
    // The pooled row has no baseline while a site in it has none.
    let all = r.row("all", "2024-Q3");
    assert_eq!((all.baseline, all.status), (None, None));
}

#[test]
fn a_share_moves_in_percentage_points() {
    let percent = Edit::Replace {
        file: "set/metrics/major_share.yaml",
        find: "unit: n",
        with: "unit: \"%\"\ntarget: {change: -10%}",
    };
    let data = incidents(A_INCIDENTS, B_INCIDENTS);
    let r = run("major_share", "2024-09-30", &files(&data), &[percent]).unwrap();
    // a's baseline window (January to June) holds i1 (SEV3) and i2 (SEV1): half are
    // major. Q3 holds i3 (SEV2) and i4 (SEV1): all are. The share rose by 50 points, a
    // change target of -10% is 10 points under the baseline: 0.4.
    let q3 = r.row("a", "2024-Q3");
    assert_eq!((q3.value, q3.baseline, q3.delta, q3.delta_pct), (Some(1.0), Some(0.5), Some(0.5), None));
    assert!((q3.target.unwrap() - 0.4).abs() < 1e-12, "{:?}", q3.target);
    // Two incidents are too few to judge a share by (fewer than 10).
    assert_eq!(q3.status, Some(RowStatus::Insufficient));
}

#[test]
fn a_snapshot_period_without_a_snapshot_has_no_value() {
    let count = Edit::Write {
        file: "set/metrics/critical_assets.yaml",
        text: crate::test_metric!(
            "critical_assets",
            "source: assets\ntime: {snapshot: snapshot_on}\nwhere: critical\nvalue: count()\n"
        ),
    };
    // Snapshots at the end of Q1 (two critical assets), in May (one) and at the end of Q2
    // (none critical), and Q4; none in Q3. Q2's latest snapshot is June's, whatever
    // `where` keeps of it.
    let a = format!(
        "{ASSETS}A1,2024-03-31,true,true\nA2,2024-03-31,true,false\nA9,2024-05-31,true,true\nA3,2024-06-30,false,true\nA1,2024-12-31,true,true\n"
    );
    let data = [("a/assets.csv", a), ("b/assets.csv", ASSETS.to_string())];
    let r = run("critical_assets", "2024-12-31", &files(&data), &[count]).unwrap();
    assert_eq!(r.value("a", "2024-Q1"), Some(2.0));
    assert_eq!(r.value("a", "2024-Q2"), Some(0.0), "a snapshot with no critical asset counts 0");
    let q3 = r.row("a", "2024-Q3");
    assert_eq!((q3.value, q3.status), (None, Some(RowStatus::NoData)), "not a zero: nothing was counted");
    assert_eq!(r.value("a", "2024-Q4"), Some(1.0));
    // b has no snapshot at all: no value anywhere; the pooled row has a's.
    assert_eq!(r.value("b", "2024-Q1"), None);
    assert_eq!((r.value("all", "2024-Q2"), r.value("all", "2024-Q3")), (Some(0.0), None));
}

/// The Acme example binding 5 of the set's 19 sources, with `edit` applied to its
/// yardstick.yaml; exit status, standard output and standard error of `args`.
fn partial_acme(edit: impl Fn(&str) -> String, remove: &[&str], args: &[&str]) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let acme = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/acme");
    crate::util::copy_dir(&acme, dir.path());
    let project = dir.path().join("yardstick.yaml");
    let text = std::fs::read_to_string(&project).unwrap().replace("../../metrics", "");
    let metrics = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("metrics");
    let text = text.replacen("definitions: ", &format!("definitions: {}", metrics.display()), 1);
    let (head, _) = text.split_once("sources:\n").unwrap();
    let kept = ["incidents", "downtime", "production", "assets", "audit_prep"];
    let bindings: String = kept.iter().map(|s| format!("  {s}: {{file: \"data/{{site}}/{s}.csv\"}}\n")).collect();
    std::fs::write(&project, edit(&format!("{head}sources:\n{bindings}"))).unwrap();
    for file in remove {
        std::fs::remove_file(dir.path().join(file)).unwrap();
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_yardstick"))
        .args(args)
        .args(["-p", dir.path().to_str().unwrap()])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let text = |b: Vec<u8>| String::from_utf8(b).unwrap();
    (out.status.code().unwrap(), text(out.stdout), text(out.stderr))
}

#[test]
fn a_project_binding_5_of_19_sources_checks_with_one_note_per_unbound_source() {
    let (code, _, err) = partial_acme(|t| t.to_string(), &[], &["check", "--data"]);
    assert_eq!(code, 0, "{err}");
    // 19 sources, 5 bound: 14 notes, counted in one line, no error.
    assert!(err.contains("note: 14 notes, nothing to fix (N0610 ×14);"), "{err}");
    assert!(!err.contains("Error"), "{err}");
    // One per source with --verbose.
    let (code, _, err) = partial_acme(|t| t.to_string(), &[], &["check", "--data", "--verbose"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(err.matches("[N0610] Note").count(), 14, "{err}");
    assert!(
        err.contains("source `capas` is not bound: metric `information_handling_deviation_share` is not collected"),
        "{err}"
    );
    assert!(!err.contains("Error"), "{err}");
}

#[test]
fn metrics_over_an_unbound_source_are_not_collected_never_zero() {
    // `information_handling_deviation_share` reads capas; `restore_hours` reads
    // restore_tests: neither is bound.
    for metric in ["information_handling_deviation_share", "restore_hours"] {
        let args = ["query", metric, "--format", "json", "--as-of", "2025-12-31", "--verbose"];
        let (code, out, err) = partial_acme(|t| t.to_string(), &[], &args);
        assert_eq!(code, 0, "{err}");
        let rows: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
        assert!(!rows.is_empty(), "{metric} has rows");
        assert!(
            rows.iter()
                .all(|r| r["value"].is_null() && r["coverage"] == "not_collected" && r["status"] == "not_collected"),
            "{metric}: {rows:?}"
        );
        assert!(err.contains(&format!("`{metric}` is not collected in this project")), "{err}");
    }
}

#[test]
fn a_site_without_an_export_says_none_and_a_missing_file_is_still_an_error() {
    let none = |t: &str| {
        t.replace("    coverage:\n      downtime:", "    sources: {downtime: none}\n    coverage:\n      downtime:")
    };
    let args = ["query", "security_downtime_hours", "--format", "json", "--as-of", "2025-12-31"];
    let (code, out, err) = partial_acme(none, &["data/porto/downtime.csv"], &args);
    assert_eq!(code, 0, "{err}");
    let rows: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    let at = |site: &'static str| rows.iter().filter(move |r| r["site"] == site);
    // No value, no count and no baseline: nothing there is a zero.
    let nothing = |r: &serde_json::Value| ["value", "n", "baseline", "delta"].iter().all(|c| r[*c].is_null());
    assert!(at("porto").all(|r| r["coverage"] == "not_collected" && nothing(r)), "{out}");
    assert!(at("lyon").any(|r| r["value"].as_f64().is_some_and(|v| v > 0.0)));
    // Without `none`, the same missing file is an error: a typo is not "not collected".
    let (code, _, err) = partial_acme(|t| t.to_string(), &["data/porto/downtime.csv"], &args);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("E0703"), "{err}");
}

#[test]
fn a_metric_joining_an_unbound_source_is_not_collected_at_any_site() {
    let unbind = Edit::Replace {
        file: "project/yardstick.yaml",
        find: "  assets: {file: \"data/{site}/assets.csv\"}\n",
        with: "",
    };
    let data = incidents(A_INCIDENTS, B_INCIDENTS);
    let r = run("critical_incidents", "2024-09-30", &files(&data), &[unbind]).unwrap();
    // It reads incidents, which are bound, but joins assets, which are not.
    assert!(!r.rows.is_empty());
    for row in &r.rows {
        assert_eq!(
            (row.value, row.coverage.as_str(), row.status),
            (None, "not_collected", Some(RowStatus::NotCollected))
        );
    }
    assert!(r.warnings.iter().any(|w| w.contains("`critical_incidents` is not collected")), "{:?}", r.warnings);
}

#[test]
fn thresholds_on_the_value_judge_without_a_baseline_even_beside_a_change_target() {
    let criteria = Edit::Replace {
        file: "set/metrics/incidents.yaml",
        find: "value: count()",
        with: "value: count()\ntarget: {change: -50%}\nthresholds: {green: value <= 5}",
    };
    let late = Edit::Replace {
        file: "project/yardstick.yaml",
        find: "b: {rollout: 2024-07-01, mappings: sites/b.yaml}",
        with: "b: {rollout: 2024-07-01, mappings: sites/b.yaml, coverage: {incidents: {from: 2024-07-01}}}",
    };
    let data = incidents(A_INCIDENTS, B_INCIDENTS);
    let r = run("incidents", "2024-09-30", &files(&data), &[criteria, late]).unwrap();
    // b has no baseline, but its thresholds read only the value: 0 incidents, whose
    // interval [0, 3.0] lies under 5: green.
    let b = r.row("b", "2024-Q3");
    assert_eq!((b.baseline, b.target, b.status), (None, None, Some(RowStatus::Green)));
}

#[test]
fn a_site_without_a_joined_export_is_not_collected_and_not_pooled() {
    let none = Edit::Replace {
        file: "project/yardstick.yaml",
        find: "b: {rollout: 2024-07-01, mappings: sites/b.yaml}",
        with: "b: {rollout: 2024-07-01, mappings: sites/b.yaml, sources: {assets: none}}",
    };
    // At a, A1 is critical and A2 is not: i1 (A1) counts in Q1, i2 (A2) does not.
    let mut data: Vec<(&str, String)> = incidents(A_INCIDENTS, B_INCIDENTS).into();
    data.push(("a/assets.csv", format!("{ASSETS}A1,2024-01-01,true,true\nA2,2024-01-01,false,true\n")));
    // i3's asset ZZ is in no snapshot: kept, as an incident without an asset.
    let keep = Edit::Replace {
        file: "set/sources/incidents.yaml",
        find: "asset: {source: assets, on: asset_id}",
        with: "asset: {source: assets, on: asset_id, on_missing: keep}",
    };
    let r = run("critical_incidents", "2024-09-30", &files(&data), &[none, keep]).unwrap();
    assert_eq!(r.value("a", "2024-Q1"), Some(1.0));
    let b = r.row("b", "2024-Q1");
    assert_eq!((b.value, b.coverage.as_str(), b.status), (None, "not_collected", Some(RowStatus::NotCollected)));
    // The pooled row holds a alone, and so does its baseline: 1 in a's window, 1 * 3 / 6.
    assert_eq!(r.value("all", "2024-Q1"), Some(1.0));
    assert_eq!(r.row("all", "2024-Q3").baseline, Some(0.5));
}

#[test]
fn a_snapshot_baseline_window_without_a_snapshot_gives_no_baseline() {
    let count = Edit::Write {
        file: "set/metrics/critical_assets.yaml",
        text: crate::test_metric!(
            "critical_assets",
            "source: assets\ntime: {snapshot: snapshot_on}\nvalue: count(critical)\n"
        ),
    };
    // a's window is January to June; its inventory starts in July. b's has a May snapshot.
    let a = format!("{ASSETS}A1,2024-07-31,true,true\n");
    let b = format!("{ASSETS}B1,2024-05-31,true,true\nB2,2024-05-31,true,true\nB1,2024-07-31,true,true\n");
    let data = [("a/assets.csv", a), ("b/assets.csv", b)];
    let r = run("critical_assets", "2024-09-30", &files(&data), &[count]).unwrap();
    assert_eq!(r.row("a", "2024-Q3").baseline, None, "not a zero: no snapshot was taken");
    assert_eq!(r.row("b", "2024-Q3").baseline, Some(2.0));
    assert_eq!(r.row("all", "2024-Q3").baseline, None, "a site in it has none");
}

#[test]
fn a_baseline_window_not_over_yet_holds_the_months_so_far() {
    let later = Edit::Replace { file: "project/yardstick.yaml", find: SITE_A, with: "a: {rollout: 2024-10-01}" };
    let data = incidents(A_INCIDENTS, B_INCIDENTS);
    let r = run("incidents", "2024-08-15", &files(&data), &[later]).unwrap();
    // a's window is April to September; as of 15 August it holds April to July and 15 of
    // August's 31 days, and i3 (1 July; i4 comes the next day): 1 * 3 / (4 + 15 / 31).
    let baseline = r.row("a", "2024-Q3").baseline.unwrap();
    assert!((baseline - 3.0 / (4.0 + 15.0 / 31.0)).abs() < 1e-12, "{baseline}");
}

#[test]
fn a_derived_metric_whose_parts_pool_different_sites_has_no_pooled_value() {
    let none = Edit::Replace {
        file: "project/yardstick.yaml",
        find: "b: {rollout: 2024-07-01, mappings: sites/b.yaml}",
        with: "b: {rollout: 2024-07-01, mappings: sites/b.yaml, sources: {downtime: none}}",
    };
    let mut data: Vec<(&str, String)> = incidents(A_INCIDENTS, B_INCIDENTS).into();
    data.push(("a/downtime.csv", format!("{}{}", crate::engine::DOWNTIME, crate::engine::A_DOWNTIME)));
    let r = run("hours_per_incident", "2024-06-30", &files(&data), &[none]).unwrap();
    // a, Q1: 2 h of security downtime over 2 incidents.
    assert_eq!(r.value("a", "2024-Q1"), Some(1.0));
    assert_eq!(r.row("b", "2024-Q1").coverage.as_str(), "not_collected");
    // Pooled, the hours would be a's alone and the incidents a's and b's: no value.
    let all = r.row("all", "2024-Q1");
    assert_eq!((all.value, all.baseline), (None, None));
}

#[test]
fn an_open_metric_counts_what_was_open_when_its_export_ended() {
    let ends = Edit::Replace {
        file: "project/yardstick.yaml",
        find: SITE_A,
        with: "a: {rollout: 2024-07-01, coverage: {risks: {to: 2024-05-15}}}",
    };
    let risks = format!(
        "{}r1,2024-01-10,2024-05-01,20\nr2,2024-03-31,,16\nr3,2024-02-01,2024-03-15,20\nr4,2024-04-01,2024-06-30,15\nr6,2024-08-20,,20\n",
        crate::engine::RISKS
    );
    let data = [("a/risks.csv", risks), ("b/risks.csv", crate::engine::RISKS.to_string())];
    let r = run("open_risks", "2024-09-30", &files(&data), &[ends]).unwrap();
    // End of Q1: r1 and r2 (r3 closed in March).
    assert_eq!(r.value("a", "2024-Q1"), Some(2.0));
    // The export ends on 15 May: r1 closed before, r2 and r4 were open then. r4's close
    // on 30 June was not in the export as it stood.
    let q2 = r.row("a", "2024-Q2");
    assert_eq!((q2.value, q2.partial, q2.status), (Some(2.0), true, Some(RowStatus::Baseline)));
    // After the export ends: no value (r6, opened in August, is not in it).
    assert_eq!(r.value("a", "2024-Q3"), None);
}

#[test]
fn metrics_lists_what_the_bound_data_can_compute_and_what_it_lacks() {
    let none = |t: &str| {
        t.replace("    coverage:\n      downtime:", "    sources: {downtime: none}\n    coverage:\n      downtime:")
    };
    let (code, out, err) = partial_acme(none, &[], &["metrics"]);
    assert_eq!(code, 0, "{err}");
    let line = |metric: &str| {
        let found = out.lines().find(|l| l.split_whitespace().next() == Some(metric));
        found.unwrap_or_else(|| panic!("no line for {metric} in\n{out}")).to_string()
    };
    assert!(line("information_handling_deviation_share").ends_with("not collected: needs capas"));
    assert!(line("restore_hours").ends_with("not collected: needs restore_tests"));
    assert!(line("containment_hours_significant").ends_with("computable"));
    assert!(line("security_downtime_hours").ends_with("computable, not at porto (no downtime)"));
    // The set it lists, then every metric of the set on its line, once.
    assert!(out.starts_with("definition set iso27001-benefits "), "{out}");
    assert_eq!(out.lines().count(), 4 + 67, "{out}");
}

#[test]
fn a_source_no_site_exports_leaves_its_metrics_not_collected() {
    let nowhere = |t: &str| t.replace("    rollout: ", "    sources: {audit_prep: none}\n    rollout: ");
    let (code, out, err) = partial_acme(nowhere, &[], &["metrics"]);
    assert_eq!(code, 0, "{err}");
    let line = out.lines().find(|l| l.starts_with("audit_prep_hours_per_audit ")).unwrap_or_else(|| panic!("{out}"));
    assert!(line.ends_with("not collected: no site exports audit_prep"), "{line}");
    let (code, out, err) = partial_acme(nowhere, &[], &["explain", "information_handling_deviation_share"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("    capas: not bound in this project (not collected)"), "{out}");
}
