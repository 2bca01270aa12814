//! The command line as a user runs it: output and exit status.

use crate::util::{copy_dir, fixture};
use std::process::Command;

fn yardstick(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_yardstick"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (out.status.code().unwrap(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn check_passes_on_the_example_project_with_a_summary() {
    let (code, out, err) = yardstick(&["check", "-p", "examples/acme"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("ok: project acme-isms: "), "{out}");
    assert!(out.contains("3 sites"), "{out}");
}

#[test]
fn check_passes_on_a_definition_set_alone() {
    let (code, out, err) = yardstick(&["check", "-p", "metrics"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("ok: definition set iso27001-benefits "), "{out}");
}

#[test]
fn check_defaults_to_the_current_folder() {
    let out = Command::new(env!("CARGO_BIN_EXE_yardstick"))
        .arg("check")
        .current_dir(fixture("spec/project"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn definition_errors_exit_1_and_name_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("spec"), dir.path());
    let metric = dir.path().join("set/metrics/outcome/production_hours.yaml");
    let text = std::fs::read_to_string(&metric).unwrap().replace("sum(duration_min)", "sum(duration_mn)");
    std::fs::write(&metric, text).unwrap();
    let project = dir.path().join("project");
    let (code, out, err) = yardstick(&["check", "-p", project.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(out.is_empty(), "{out}");
    // `value: sum(duration_mn) / 60` is line 10; the column name starts at column 12.
    assert!(err.contains("production_hours.yaml:10:12"), "{err}");
    assert!(err.contains("did you mean `duration_min`?"), "{err}");
    assert!(err.contains("1 error found"), "{err}");
}

#[test]
fn a_folder_without_project_or_set_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = yardstick(&["check", "-p", dir.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("neither a project (yardstick.yaml) nor a definition set (set.yaml)"), "{err}");
}

#[test]
fn wrong_usage_exits_2() {
    let (code, _, err) = yardstick(&["check", "--no-such-flag"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, _) = yardstick(&["frobnicate"]);
    assert_eq!(code, 2);
}

/// The engine fixture with one incident per site, in a temporary folder.
fn engine_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("engine"), dir.path());
    let data = dir.path().join("project/data");
    for (site, row) in [("a", "i1,2024-01-15T10:00:00Z,,SEV1,,"), ("b", "j1,2024-02-15T10:00:00Z,,P2,,")] {
        std::fs::create_dir_all(data.join(site)).unwrap();
        let text = format!("incident_id,detected_at,contained_at,severity,cost_eur,asset_id\n{row}\n");
        std::fs::write(data.join(site).join("incidents.csv"), text).unwrap();
        for (file, header) in [
            ("downtime.csv", "event_id,started_at,duration_min,cause,line"),
            ("risks.csv", "risk_id,opened_on,closed_on,rating"),
            ("assets.csv", "asset_id,snapshot_on,critical,logging"),
        ] {
            std::fs::write(data.join(site).join(file), format!("{header}\n")).unwrap();
        }
    }
    dir
}

#[test]
fn query_prints_csv_with_the_columns_of_the_results_table() {
    let dir = engine_project();
    let project = dir.path().join("project");
    let (code, out, err) =
        yardstick(&["query", "incidents", "-p", project.to_str().unwrap(), "--as-of", "2024-03-31", "--format", "csv"]);
    assert_eq!(code, 0, "{err}");
    let mut lines = out.lines();
    assert_eq!(
        lines.next(),
        Some(
            "metric,version,site,period,period_start,period_end,partial,value,lower,upper,approximate,n,excluded,excluded_reasons,baseline,delta,delta_pct,change,change_lower,change_upper,sustained,target,status,status_note,window_value,window_lower,window_upper,window_change,window_status,window_note,coverage,collection,fingerprint"
        )
    );
    // One row per site and the pooled row, for the single quarter (whole: as of its last
    // day): 1, 1 and 2, each with Garwood's 90% interval: for one event, from -ln(0.95)
    // to the 95% quantile of the gamma law of shape 2 (4.7439).
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let values: Vec<(&str, &str)> = rows.iter().map(|c| (c[2], c[7])).collect();
    assert_eq!(values, [("a", "1"), ("b", "1"), ("all", "2")]);
    let (lower, upper): (f64, f64) = (rows[0][8].parse().unwrap(), rows[0][9].parse().unwrap());
    assert!((lower - 0.95_f64.ln().abs()).abs() < 1e-9 && (upper - 4.7439).abs() < 1e-4, "{lower} {upper}");
}

#[test]
fn query_of_an_unknown_metric_or_site_is_refused() {
    let dir = engine_project();
    let project = dir.path().join("project");
    let p = project.to_str().unwrap();
    let (code, _, err) = yardstick(&["query", "incidnets", "-p", p, "--as-of", "2024-03-31"]);
    assert_eq!(code, 1);
    assert!(err.contains("did you mean `incidents`?"), "{err}");
    let (code, _, err) = yardstick(&["query", "incidents", "-p", p, "--as-of", "2024-03-31", "--site", "zz"]);
    assert_eq!(code, 2);
    assert!(err.contains("no site `zz`"), "{err}");
    let (code, _, _) = yardstick(&["query", "incidents", "-p", p, "--as-of", "31/03/2024"]);
    assert_eq!(code, 2);
    // A year the calendar cannot hold is wrong usage, not a crash.
    let (code, _, err) = yardstick(&["query", "incidents", "-p", p, "--as-of", "+262142-12-31"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("is not a date"), "{err}");
}

#[test]
fn check_data_reports_a_value_that_does_not_parse_and_exits_1() {
    let dir = engine_project();
    let project = dir.path().join("project");
    std::fs::write(project.join("data/a/risks.csv"), "risk_id,opened_on,closed_on,rating\nr1,2024-01-01,,high\n")
        .unwrap();
    let (code, out, err) = yardstick(&["check", "--data", "-p", project.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(err.contains("risks.csv, row 1 (line 2), column `rating`: `high` is not a whole number"), "{err}");
}

#[test]
fn explain_shows_meaning_lineage_and_plan() {
    let dir = engine_project();
    let project = dir.path().join("project");
    let (code, out, err) = yardstick(&["explain", "security_downtime_hours", "-p", project.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    // The group is expanded to the terms it stands for.
    assert!(out.contains("cause.security = cyber, config"), "{out}");
    assert!(out.contains("event: a row counts in the period that holds `started_at`"), "{out}");
    assert!(out.contains("data/{site}/downtime.csv (downtime)"), "{out}");
    assert!(out.contains("Query plan"), "{out}");
}

#[test]
fn check_data_notes_untimed_rows_and_deprecated_codes() {
    let dir = engine_project();
    let project = dir.path().join("project");
    std::fs::write(
        project.join("data/a/incidents.csv"),
        "incident_id,detected_at,contained_at,severity,cost_eur,asset_id\ni1,,,SEV1,,\ni2,2024-01-02T00:00:00Z,,SEV0,,\n",
    )
    .unwrap();
    let check = || yardstick(&["check", "--data", "-p", project.to_str().unwrap()]);
    // The fixture declares `detected_at` nullable: empty by design, so nothing to fill.
    let (code, _, err) = check();
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("have no `detected_at`"), "{err}");
    assert!(err.contains("1 row(s) of `incidents` at site `a` hold a deprecated code in `severity`"), "{err}");
    // Declared as always there, an empty one is a gap in the export.
    let schema = dir.path().join("set/sources/incidents.yaml");
    let text = std::fs::read_to_string(&schema).unwrap();
    std::fs::write(&schema, text.replace("detected_at: {type: datetime, nullable: true}", "detected_at: datetime"))
        .unwrap();
    let (code, _, err) = check();
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("1 row(s) of `incidents` at site `a` have no `detected_at` and are left out of `cost_stats`, `critical_incidents`, `incidents`"),
        "{err}"
    );
}

#[test]
fn a_reader_that_stops_early_is_not_an_error() {
    use std::io::Read;
    // Four rows a month for four years as JSON: far more than a pipe holds.
    let mut child = Command::new(env!("CARGO_BIN_EXE_yardstick"))
        .args(["query", "security_downtime_hours", "-p", "examples/acme", "--as-of", "2025-12-31"])
        .args(["--grain", "month", "--format", "json"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut head = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut head).unwrap();
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    // Nothing but the count of the set's pitfall warnings.
    assert!(err.lines().all(|l| l.contains("measurement pitfall warning")), "{err}");
}

#[test]
fn explain_shows_the_neutral_plan_and_the_polars_plan_only_when_asked() {
    let dir = engine_project();
    let project = dir.path().join("project");
    let p = project.to_str().unwrap();
    let (code, out, err) = yardstick(&["explain", "security_downtime_hours", "-p", p]);
    assert_eq!(code, 0, "{err}");
    // The rules a back end follows, in words: the period range from the project's start,
    // the grouping, the aggregate and the baseline windows (6 months before July 2024).
    assert!(out.contains("periods:    quarter 2024-Q1 .. "), "{out}");
    assert!(out.contains("group by:   site, period; and all sites pooled: period"), "{out}");
    assert!(out.contains("aggregate:  #0 = sum(duration_min)"), "{out}");
    assert!(out.contains("a 2024-01-01 .. 2024-06-30, b 2024-01-01 .. 2024-06-30"), "{out}");
    assert!(!out.contains("Polars plan"), "{out}");
    // Per site, what feeds it: the window, the sources' collection, b's mapped codes.
    let sites =
        out.split("\nSites\n").nth(1).and_then(|s| s.split("\nQuery plan").next()).unwrap_or_else(|| panic!("{out}"));
    assert!(
        sites.contains("  b: rollout 2024-07-01\n    baseline window: 2024-01-01 to 2024-06-30 (6.0 months of data)"),
        "{sites}"
    );
    assert!(sites.contains("    downtime: manual"), "{sites}");
    assert!(sites.contains("    cause mapped: CFG -> config, CYB -> cyber, EQP -> equipment"), "{sites}");
    let (code, out, err) = yardstick(&["explain", "security_downtime_hours", "-p", p, "--plan"]);
    assert_eq!(code, 0, "{err}");
    let polars = out.split("Polars plan").nth(1).unwrap_or_else(|| panic!("{out}"));
    assert!(polars.contains("AGGREGATE"), "{polars}");
}

#[test]
fn explain_prints_what_a_diagnostic_code_means() {
    let mut summaries = Vec::new();
    for code in ["E0612", "E0613", "E0614", "E0506", "E0510", "E0511", "w0501", "n0610"] {
        let (status, out, err) = yardstick(&["explain", code]);
        assert_eq!(status, 0, "{err}");
        let first = out.lines().next().unwrap_or_default().to_string();
        assert!(first.starts_with(&code.to_uppercase()), "{out}");
        assert!(out.lines().count() >= 3, "a meaning and what to do: {out}");
        summaries.push(first.split_once(": ").map(|(_, s)| s.to_string()).unwrap());
    }
    let distinct: std::collections::BTreeSet<&String> = summaries.iter().collect();
    assert_eq!(distinct.len(), summaries.len(), "one meaning per code: {summaries:#?}");
    let (_, out, _) = yardstick(&["explain", "N0610"]);
    assert!(out.starts_with("N0610 (note): "), "{out}");
    let (status, _, err) = yardstick(&["explain", "E9999"]);
    assert_eq!(status, 2);
    assert!(err.contains("no diagnostic code `E9999`"), "{err}");
}

#[test]
fn query_takes_several_metrics_or_a_tag() {
    let args = ["-p", "examples/acme", "--as-of", "2025-12-31", "--site", "all"];
    // Every leadership metric of the set, each under its own heading, in the set's order.
    let (code, out, err) = yardstick(&[&["query", "--tag", "leadership"][..], &args].concat());
    assert_eq!(code, 0, "{err}");
    let (checked, _, _) = crate::util::compile(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/acme"));
    let set = checked.unwrap().set;
    // `order:` first, then the others in file order.
    let listed = |m: &&yardstick::ir::Metric| set.order.iter().position(|o| *o == m.id).unwrap_or(usize::MAX);
    let mut in_order: Vec<&yardstick::ir::Metric> = set.metrics.iter().collect();
    in_order.sort_by_key(listed);
    let leadership: Vec<&str> =
        in_order.iter().filter(|m| m.tags.iter().any(|t| t == "leadership")).map(|m| m.id.0.as_str()).collect();
    assert!(leadership.len() > 1);
    let headings: Vec<&str> = out.lines().filter(|l| leadership.contains(l)).collect();
    assert_eq!(headings, leadership);
    // Two ids in CSV: one header, the rows of the first metric, then the second's.
    let (code, out, err) = yardstick(
        &[&["query", "containment_hours_significant", "security_incidents", "--format", "csv"][..], &args].concat(),
    );
    assert_eq!(code, 0, "{err}");
    let metrics: Vec<&str> = out.lines().skip(1).map(|l| l.split(',').next().unwrap()).collect();
    let switch = metrics.iter().position(|m| *m == "security_incidents").unwrap();
    assert!(switch > 0 && metrics[..switch].iter().all(|m| *m == "containment_hours_significant"));
    assert!(metrics[switch..].iter().all(|m| *m == "security_incidents"));
    // A tag no metric has is wrong usage.
    let (code, _, err) = yardstick(&["query", "--tag", "nope", "-p", "examples/acme"]);
    assert_eq!(code, 2);
    assert!(err.contains("no metric is tagged `nope`; the set's tags: ") && err.contains("leadership"), "{err}");
}

#[test]
fn csv_of_metrics_with_and_without_by_shares_one_header() {
    let dir = engine_project();
    let project = dir.path().join("project");
    let downtime = "event_id,started_at,duration_min,cause,line\ne1,2024-01-10T08:00:00Z,90,cyber,L1\n";
    std::fs::write(project.join("data/a/downtime.csv"), downtime).unwrap();
    let p = project.to_str().unwrap();
    let args =
        ["query", "downtime_by_line", "incidents", "-p", p, "--as-of", "2024-03-31", "--format", "csv", "--site", "a"];
    let (code, out, err) = yardstick(&args);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<Vec<&str>> = out.lines().map(|l| l.split(',').collect()).collect();
    assert_eq!(lines[0][..5], ["metric", "version", "site", "line", "period"]);
    // Every line has the header's width; `incidents` has no line.
    assert!(lines.iter().all(|l| l.len() == lines[0].len()), "{out}");
    let by_line = lines.iter().find(|l| l[0] == "downtime_by_line").unwrap();
    let incidents = lines.iter().find(|l| l[0] == "incidents").unwrap();
    assert_eq!((by_line[3], incidents[3], incidents[4]), ("L1", "", "2024-Q1"));
}
