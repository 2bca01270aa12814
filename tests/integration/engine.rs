//! The engine on small hand-made datasets. Every expected number is worked out in the
//! test from the rows written next to it.

use crate::util::{Edit, apply, compile, copy_dir, fixture};
use chrono::NaiveDate;
use std::fs;
use yardstick::compute;
use yardstick::ir::Grain;
use yardstick::plan::Request;
use yardstick::results::{ResultRow, RowStatus};

pub(crate) const INCIDENTS: &str = "incident_id,detected_at,contained_at,severity,cost_eur,asset_id\n";
pub(crate) const DOWNTIME: &str = "event_id,started_at,duration_min,cause,line\n";
pub(crate) const RISKS: &str = "risk_id,opened_on,closed_on,rating\n";
pub(crate) const ASSETS: &str = "asset_id,snapshot_on,critical,logging\n";

/// A metric file for a test: its id and what follows `grain: quarter` (the rest is the
/// same for every such metric and changes no number).
#[macro_export]
macro_rules! test_metric {
    ($id:literal, $body:literal) => {
        concat!(
            "metric: ",
            $id,
            "\nversion: 1\ntitle: t\nlayer: outcome\nunit: n\ndirection: lower_is_better\ngrain: quarter\n",
            $body
        )
    };
}

/// A project from the engine fixture with the given data files (`site/file.csv`) and
/// edits, computed as of `as_of`.
pub(crate) struct Run {
    _dir: tempfile::TempDir,
    pub(crate) rows: Vec<ResultRow>,
    /// What the run warned about, as messages.
    pub(crate) warnings: Vec<String>,
    pub(crate) trends: Vec<yardstick::results::trend::TrendRow>,
}

pub(crate) fn run(
    metric: &str,
    as_of: &str,
    files: &[(&str, impl AsRef<[u8]>)],
    edits: &[Edit],
) -> Result<Run, Vec<String>> {
    run_at(metric, as_of, None, files, edits)
}

pub(crate) fn run_at(
    metric: &str,
    as_of: &str,
    grain: Option<Grain>,
    files: &[(&str, impl AsRef<[u8]>)],
    edits: &[Edit],
) -> Result<Run, Vec<String>> {
    run_with(metric, as_of, (grain, false), files, edits)
}

/// [`run_at`], the period holding `as_of` judged to date when `computed.1` says so.
pub(crate) fn run_with(
    metric: &str,
    as_of: &str,
    (grain, to_date): (Option<Grain>, bool),
    files: &[(&str, impl AsRef<[u8]>)],
    edits: &[Edit],
) -> Result<Run, Vec<String>> {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("engine"), dir.path());
    for edit in edits {
        apply(dir.path(), edit);
    }
    for (path, text) in files {
        let path = dir.path().join("project/data").join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    // A header alone, in these tests, is a site with nothing to report: counts of zero.
    let yaml = dir.path().join("project/yardstick.yaml");
    let text = fs::read_to_string(&yaml).unwrap().replace(".csv\"}", ".csv\", empty: none_to_report}");
    fs::write(&yaml, text).unwrap();
    let (checked, diags, _) = compile(&dir.path().join("project"));
    let checked = checked.unwrap_or_else(|| panic!("{:?}", diags.iter().map(|d| &d.message).collect::<Vec<_>>()));
    let metrics = [yardstick::ir::MetricId(metric.to_string())];
    let as_of = NaiveDate::parse_from_str(as_of, "%Y-%m-%d").unwrap();
    let request = Request { metrics: &metrics, as_of, grain, to_date };
    match compute(&checked, &request) {
        Ok(r) => {
            let warnings = r.warnings.into_iter().map(|d| d.message).collect();
            Ok(Run { _dir: dir, rows: r.rows, warnings, trends: r.trends })
        }
        Err(errors) => Err(errors.into_iter().map(|d| d.message).collect()),
    }
}

impl Run {
    pub(crate) fn row(&self, site: &str, period: &str) -> &ResultRow {
        self.rows
            .iter()
            .find(|r| r.site == site && r.period == period && r.dims.is_empty())
            .unwrap_or_else(|| panic!("no row for {site} {period}"))
    }

    pub(crate) fn value(&self, site: &str, period: &str) -> Option<f64> {
        self.row(site, period).value
    }
}

pub(crate) fn approx(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-9)
}

/// Rows for both sites; `b` uses its local codes (P1..P4).
pub(crate) fn incidents(a: &str, b: &str) -> [(&'static str, String); 2] {
    [("a/incidents.csv", format!("{INCIDENTS}{a}")), ("b/incidents.csv", format!("{INCIDENTS}{b}"))]
}

pub(crate) fn files<'a>(f: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    f.iter().map(|(p, t)| (*p, t.as_str())).collect()
}

pub(crate) const A_INCIDENTS: &str = "\
i1,2024-01-15T10:00:00Z,2024-01-15T14:30:00Z,SEV3,100,A1
i2,2024-02-20T10:00:00Z,2024-02-21T10:00:00Z,SEV1,200,A2
i3,2024-07-01T00:00:00Z,,SEV2,,ZZ
i4,2024-08-16T09:00:00Z,,SEV1,,
i5,,,SEV4,50,
";
// 2024-03-01T00:00+02:00 is 2024-02-29T22:00 UTC: still Q1.
pub(crate) const B_INCIDENTS: &str = "j1,2024-03-01T00:00:00+02:00,,P3,,\n";

#[test]
fn event_counts_zero_fill_the_partial_period_and_ignore_rows_after_as_of() {
    let data = incidents(A_INCIDENTS, B_INCIDENTS);
    let r = run("incidents", "2024-08-15", &files(&data), &[]).unwrap();
    // a: i1 and i2 in Q1; nothing in Q2 (a count is 0, not missing); i3 in Q3. i4 is
    // after as_of and i5 has no detection time: neither counts.
    assert_eq!(
        (r.value("a", "2024-Q1"), r.value("a", "2024-Q2"), r.value("a", "2024-Q3")),
        (Some(2.0), Some(0.0), Some(1.0))
    );
    assert_eq!(r.row("a", "2024-Q2").n, Some(0));
    assert!(r.row("a", "2024-Q3").partial && !r.row("a", "2024-Q2").partial);
    assert_eq!(r.row("a", "2024-Q3").period_end, NaiveDate::from_ymd_opt(2024, 8, 15).unwrap());
    assert_eq!(r.value("b", "2024-Q1"), Some(1.0));
    // The pooled row adds the rows of both sites.
    assert_eq!((r.value("all", "2024-Q1"), r.value("all", "2024-Q3")), (Some(3.0), Some(1.0)));
    // Baseline: the 6 months before the July rollout hold 2 incidents at a, a flow scaled
    // to one quarter: 2 * 3 / 6 = 1. At b: 1 * 0.5; pooled: 3 * 0.5.
    assert_eq!(r.row("a", "2024-Q3").baseline, Some(1.0));
    assert_eq!(r.row("b", "2024-Q3").baseline, Some(0.5));
    assert_eq!(r.row("all", "2024-Q3").baseline, Some(1.5));
    assert_eq!(r.row("a", "2024-Q3").delta, Some(0.0));
    assert_eq!(r.row("b", "2024-Q1").delta_pct, Some(1.0), "(1 - 0.5) / 0.5");
}

#[test]
fn a_quarter_is_whole_as_of_its_last_day_and_partial_the_day_before() {
    let data = incidents(A_INCIDENTS, B_INCIDENTS);
    let whole = run("incidents", "2024-03-31", &files(&data), &[]).unwrap();
    let q1 = whole.row("a", "2024-Q1");
    assert!(!q1.partial, "as of 31 March, Q1 is over");
    assert_eq!(q1.period_end, NaiveDate::from_ymd_opt(2024, 3, 31).unwrap());
    let partial = run("incidents", "2024-03-30", &files(&data), &[]).unwrap();
    let q1 = partial.row("a", "2024-Q1");
    assert!(q1.partial);
    assert_eq!(q1.period_end, NaiveDate::from_ymd_opt(2024, 3, 30).unwrap());
}

#[test]
fn a_containment_after_as_of_was_not_known_yet() {
    let data = incidents(A_INCIDENTS, B_INCIDENTS);
    // As of 20 February, i2 (detected that morning) was not contained yet: its containment
    // on the 21st is unknown, so only i1 (10:00 to 14:30, 4.5 hours) has a time to
    // contain. Knowing the 21st would have given (4.5 + 24) / 2 = 14.25.
    let r = run("mttr_hours", "2024-02-20", &files(&data), &[]).unwrap();
    assert_eq!(r.value("a", "2024-Q1"), Some(4.5));
    // A day later both are known.
    let r = run("mttr_hours", "2024-02-21", &files(&data), &[]).unwrap();
    assert_eq!(r.value("a", "2024-Q1"), Some(14.25));
}

#[test]
fn a_build_as_of_a_past_date_gives_the_figures_of_that_date() {
    let data = incidents(A_INCIDENTS, B_INCIDENTS);
    let r = run("incidents", "2024-02-01", &files(&data), &[]).unwrap();
    // Only i1 happened by 1 February; Q1 is the partial period and the last one.
    assert_eq!(r.value("a", "2024-Q1"), Some(1.0));
    assert!(r.rows.iter().all(|row| row.period == "2024-Q1"));
}

#[test]
fn share_compares_ordered_terms_and_has_no_value_without_rows() {
    let data = incidents(A_INCIDENTS, B_INCIDENTS);
    let r = run("major_share", "2024-08-15", &files(&data), &[]).unwrap();
    // severity >= SEV2 holds for SEV1 and SEV2: i2 of {i1, i2} in Q1, i3 of {i3} in Q3.
    assert_eq!(r.value("a", "2024-Q1"), Some(0.5));
    assert_eq!(r.value("a", "2024-Q3"), Some(1.0));
    // No incidents in Q2: 0 of 0 is no value, not 0%.
    assert_eq!(r.value("a", "2024-Q2"), None);
    assert_eq!(r.row("a", "2024-Q2").status, Some(RowStatus::NoData));
    // b's local code P3 is SEV3: not major.
    assert_eq!(r.value("b", "2024-Q1"), Some(0.0));
}

#[test]
fn mean_skips_nulls_and_has_no_value_for_an_empty_period() {
    let data = incidents(A_INCIDENTS, B_INCIDENTS);
    let r = run("mttr_hours", "2024-08-15", &files(&data), &[]).unwrap();
    // i1: 10:00 to 14:30 is 4.5 h; i2: one day, 24 h. Mean 14.25. i3 has no containment.
    assert!(approx(r.value("a", "2024-Q1"), 14.25));
    assert_eq!(r.value("a", "2024-Q2"), None);
    assert_eq!(r.value("a", "2024-Q3"), None);
}

#[test]
fn percentile_interpolates_linearly_between_closest_ranks() {
    let a = "\
k1,2024-01-05T00:00:00Z,,SEV4,1000,
k2,2024-01-06T00:00:00Z,,SEV4,100,
k3,2024-01-07T00:00:00Z,,SEV4,400,
k4,2024-01-08T00:00:00Z,,SEV4,,
k5,2024-01-09T00:00:00Z,,SEV4,200,
";
    let data = incidents(a, "");
    let r = run("p90_cost", "2024-03-31", &files(&data), &[]).unwrap();
    // Sorted costs (the null skipped): 100, 200, 400, 1000. Rank 0.9 * 3 = 2.7 lies 70%
    // of the way from 400 to 1000: 400 + 0.7 * 600 = 820, as numpy's default.
    assert!(approx(r.value("a", "2024-Q1"), 820.0));
}

#[test]
fn min_max_median_and_count_distinct() {
    let a = "\
k1,2024-01-05T00:00:00Z,,SEV4,1000,A1
k2,2024-01-06T00:00:00Z,,SEV4,100,A1
k3,2024-01-07T00:00:00Z,,SEV4,400,A2
";
    let data = incidents(a, "");
    let r = run("cost_stats", "2024-03-31", &files(&data), &[]).unwrap();
    // max - min + median * 0 + count_distinct * 0 = 1000 - 100.
    assert!(approx(r.value("a", "2024-Q1"), 900.0));
}

#[test]
fn deprecated_codes_read_as_their_replacement() {
    let data = incidents("d1,2024-01-05T00:00:00Z,,SEV0,,\n", "");
    let r = run("major_share", "2024-03-31", &files(&data), &[]).unwrap();
    // SEV0 was replaced by SEV1, which is major.
    assert_eq!(r.value("a", "2024-Q1"), Some(1.0));
}

#[test]
fn an_unmapped_code_is_an_error_naming_code_site_source_column_and_rows() {
    let data = incidents("", "u1,2024-01-05T00:00:00Z,,Prio 1,,\nu2,2024-01-06T00:00:00Z,,Prio 1,,\n");
    let errors = run("incidents", "2024-03-31", &files(&data), &[]).err().unwrap();
    let message = errors.join("\n");
    for part in ["`Prio 1`", "`severity`", "`incidents`", "site `b`", "b/incidents.csv, rows 1 and 2 (lines 2 and 3)"] {
        assert!(message.contains(part), "{part} missing from {message}");
    }
}

#[test]
fn an_unmapped_code_that_differs_in_case_from_a_mapped_one_says_so() {
    let data = incidents(
        "",
        "u1,2024-01-05T00:00:00Z,,p1,,
",
    );
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("engine"), dir.path());
    let data_dir = dir.path().join("project/data");
    for (path, text) in &data {
        let path = data_dir.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_yardstick"))
        .args(["query", "incidents", "--as-of", "2024-03-31", "-p"])
        .arg(dir.path().join("project"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "{err}");
    // b maps P1 to SEV1; `p1` is not mapped.
    assert!(err.contains("Help: `P1` is mapped, and codes are case-sensitive; map it in"), "{err}");
}

#[test]
fn with_unmapped_exclude_the_rows_are_left_out_and_counted() {
    let data = incidents("", "u1,2024-01-05T00:00:00Z,,Prio 1,,\nu2,2024-01-06T00:00:00Z,,P1,,\n");
    let exclude = Edit::Replace {
        file: "project/yardstick.yaml",
        find: "start: 2024-01-01",
        with: "start: 2024-01-01\nunmapped: exclude",
    };
    let r = run("incidents", "2024-03-31", &files(&data), &[exclude]).unwrap();
    // u1's code is unknown: left out of the count, and counted as excluded.
    assert_eq!(r.value("b", "2024-Q1"), Some(1.0));
    assert_eq!(r.row("b", "2024-Q1").excluded, 1);
}

#[test]
fn a_value_that_does_not_parse_names_file_row_column_and_value() {
    let data = incidents("x1,yesterday,,SEV1,,\n", "");
    let errors = run("incidents", "2024-03-31", &files(&data), &[]).err().unwrap();
    let message = errors.join("\n");
    for part in ["a/incidents.csv", "row 1 (line 2)", "`detected_at`", "`yesterday`"] {
        assert!(message.contains(part), "{part} missing from {message}");
    }
}

#[test]
fn open_items_count_when_open_at_the_end_of_each_period() {
    let risks = format!(
        "{RISKS}\
r1,2024-01-10,2024-05-01,20
r2,2024-03-31,,16
r3,2024-02-01,2024-03-15,20
r4,2024-04-01,2024-06-30,15
r5,2024-01-01,,5
r6,2024-08-20,,20
r7,2024-07-01,2024-09-01,18
"
    );
    let empty = RISKS.to_string();
    let r = run("open_risks", "2024-08-15", &[("a/risks.csv", &risks), ("b/risks.csv", &empty)], &[]).unwrap();
    // End of Q1 (31 March): r1 and r2 (opened on the last day). r3 closed in March; r5
    // is rated below 15.
    assert_eq!(r.value("a", "2024-Q1"), Some(2.0));
    // End of Q2: r2 only; r1 closed in May and r4 on 30 June, the last day.
    assert_eq!(r.value("a", "2024-Q2"), Some(1.0));
    // As of 15 August: r2, and r7, whose closing is after as_of; r6 opens later.
    assert_eq!(r.value("a", "2024-Q3"), Some(2.0));
    // The baseline is the stock at the end of the window (30 June), not scaled: r2.
    assert_eq!(r.row("a", "2024-Q3").baseline, Some(1.0));
}

#[test]
fn snapshots_use_the_latest_snapshot_in_each_period() {
    let assets = format!(
        "{ASSETS}\
A1,2024-01-31,true,false
A2,2024-01-31,true,true
A1,2024-03-31,true,true
A2,2024-03-31,true,true
A3,2024-03-31,false,false
"
    );
    let empty = ASSETS.to_string();
    let r = run("logging_coverage", "2024-06-30", &[("a/assets.csv", &assets), ("b/assets.csv", &empty)], &[]).unwrap();
    // Q1: the 31 March snapshot; both critical assets log. (January's had A1 without.)
    assert_eq!(r.value("a", "2024-Q1"), Some(1.0));
    // Q2 has no snapshot: no value.
    assert_eq!(r.value("a", "2024-Q2"), None);
}

#[test]
fn joins_leave_rows_with_a_missing_key_without_joined_values() {
    let assets = format!("{ASSETS}A1,2024-01-31,true,true\nA2,2024-01-31,false,true\n");
    let data = incidents(
        "n1,2024-01-05T00:00:00Z,,SEV4,,A1\nn2,2024-01-06T00:00:00Z,,SEV4,,ZZ\nn3,2024-01-07T00:00:00Z,,SEV4,,\nn4,2024-01-08T00:00:00Z,,SEV4,,A2\n",
        "",
    );
    let empty = ASSETS.to_string();
    let mut f = files(&data);
    f.extend([("a/assets.csv", assets.as_str()), ("b/assets.csv", empty.as_str())]);
    // ZZ is in no snapshot: a join miss, an error unless the join keeps such rows.
    let Err(errors) = run("critical_incidents", "2024-03-31", &f, &[]) else { panic!("a join miss computed") };
    assert!(
        errors[0].contains("joins `asset` on `asset_id` to no row of `assets` known as of 2024-03-31: `ZZ`"),
        "{errors:?}"
    );
    let keep = Edit::Replace {
        file: "set/sources/incidents.yaml",
        find: "asset: {source: assets, on: asset_id}",
        with: "asset: {source: assets, on: asset_id, on_missing: keep}",
    };
    let r = run("critical_incidents", "2024-03-31", &f, &[keep]).unwrap();
    // n1's asset is critical; ZZ is not in the inventory and n3 has no asset, so
    // `asset.critical` is null for them and the row is dropped; A2 is not critical.
    assert_eq!(r.value("a", "2024-Q1"), Some(1.0));
}

pub(crate) const A_DOWNTIME: &str = "\
e1,2024-01-10T08:00:00Z,90,cyber,L1
e2,2024-02-10T08:00:00Z,60,equipment,L2
e3,2024-03-10T08:00:00Z,30,config,L1
";

#[test]
fn derived_metrics_combine_their_inputs_per_site_and_period() {
    let mut data: Vec<(&str, String)> = incidents(A_INCIDENTS, B_INCIDENTS).into();
    data.push(("a/downtime.csv", format!("{DOWNTIME}{A_DOWNTIME}")));
    data.push(("b/downtime.csv", DOWNTIME.to_string()));
    let r = run("hours_per_incident", "2024-06-30", &files(&data), &[]).unwrap();
    // a, Q1: security downtime is e1 + e3 = 120 min = 2 h, over 2 incidents: 1 h each.
    assert_eq!(r.value("a", "2024-Q1"), Some(1.0));
    // Q2: 0 h over 0 incidents: a zero denominator gives no value.
    assert_eq!(r.value("a", "2024-Q2"), None);
    // b, Q1: 0 h over 1 incident.
    assert_eq!(r.value("b", "2024-Q1"), Some(0.0));
    // Baselines combine the parts' baselines: (2 h * 3/6) / (2 * 3/6) = 1.
    assert_eq!(r.row("a", "2024-Q2").baseline, Some(1.0));
    // Downtime is collected by hand: the derived value carries the caveat.
    assert_eq!(r.row("a", "2024-Q1").collection, "manual");
}

#[test]
fn extra_dimensions_zero_fill_per_value_seen() {
    let data = [("a/downtime.csv", format!("{DOWNTIME}{A_DOWNTIME}")), ("b/downtime.csv", DOWNTIME.to_string())];
    let r = run("downtime_by_line", "2024-06-30", &files(&data), &[]).unwrap();
    let v = |line: &str, period: &str| {
        r.rows
            .iter()
            .find(|x| x.site == "a" && x.period == period && x.dims[0].1.as_deref() == Some(line))
            .and_then(|x| x.value)
    };
    assert_eq!((v("L1", "2024-Q1"), v("L2", "2024-Q1")), (Some(120.0), Some(60.0)));
    assert_eq!((v("L1", "2024-Q2"), v("L2", "2024-Q2")), (Some(0.0), Some(0.0)));
}

/// A flow of security downtime per line, and its share of all downtime per line.
const BY_LINE: [Edit; 2] = [
    Edit::Write {
        file: "set/metrics/security_by_line.yaml",
        text: test_metric!(
            "security_by_line",
            "source: downtime\ntime: {event: started_at}\nwhere: cause in cause.security\nvalue: sum(duration_min)\nby: [line]\n"
        ),
    },
    Edit::Write {
        file: "set/metrics/security_share_by_line.yaml",
        text: test_metric!("security_share_by_line", "value: security_by_line / downtime_by_line\n"),
    },
];

#[test]
fn derived_metrics_over_by_combine_their_parts_per_dimension_value() {
    let data = [("a/downtime.csv", format!("{DOWNTIME}{A_DOWNTIME}")), ("b/downtime.csv", DOWNTIME.to_string())];
    let r = run("security_share_by_line", "2024-06-30", &files(&data), &BY_LINE).unwrap();
    let row = |site: &str, line: &str, period: &str| {
        r.rows
            .iter()
            .find(|x| x.site == site && x.period == period && x.dims == [("line".to_string(), Some(line.to_string()))])
            .unwrap_or_else(|| panic!("no row for {site} {line} {period}"))
    };
    // Q1 at a: line L1 lost 90 min (cyber) + 30 min (config), all of it security-related;
    // L2 lost 60 min to equipment, none security-related (no L2 row in the part: 0).
    assert_eq!(row("a", "L1", "2024-Q1").value, Some(1.0));
    assert_eq!(row("a", "L2", "2024-Q1").value, Some(0.0));
    // Q2: no downtime on either line, 0 of 0 has no value.
    assert_eq!(row("a", "L1", "2024-Q2").value, None);
    // Baselines (January to June, scaled to a quarter) combine per line too:
    // L1 (120 * 3/6) / (120 * 3/6) = 1; L2 0 / (60 * 3/6) = 0.
    assert_eq!(row("a", "L1", "2024-Q2").baseline, Some(1.0));
    assert_eq!(row("a", "L2", "2024-Q2").baseline, Some(0.0));
    // The pooled row holds a's lines; b had no downtime and so no line.
    assert_eq!(row("all", "L2", "2024-Q1").value, Some(0.0));
    assert!(r.rows.iter().all(|x| x.site != "b"), "b has no line values");
    assert!(r.rows.iter().all(|x| x.dims.len() == 1));
}

#[test]
fn a_part_without_by_gives_its_site_value_to_every_dimension_value() {
    let per_incident = Edit::Write {
        file: "set/metrics/security_minutes_per_incident.yaml",
        text: test_metric!("security_minutes_per_incident", "value: security_by_line / incidents\n"),
    };
    let mut data: Vec<(&str, String)> = incidents(A_INCIDENTS, B_INCIDENTS).into();
    data.push(("a/downtime.csv", format!("{DOWNTIME}{A_DOWNTIME}")));
    data.push(("b/downtime.csv", DOWNTIME.to_string()));
    let [by_line, _] = BY_LINE;
    let r = run("security_minutes_per_incident", "2024-06-30", &files(&data), &[by_line, per_incident]).unwrap();
    let value = |line: &str, period: &str| {
        let dims = [("line".to_string(), Some(line.to_string()))];
        r.rows.iter().find(|x| x.site == "a" && x.period == period && x.dims == dims).and_then(|x| x.value)
    };
    // Q1 at a: 120 security minutes on L1 over a's 2 incidents (i1, i2). L2 never had
    // security downtime, so the part with `by` has no L2 and neither has this metric.
    assert_eq!(value("L1", "2024-Q1"), Some(60.0));
    assert!(r.rows.iter().all(|x| x.dims[0].1.as_deref() == Some("L1")));
    // Q2: no incident, no value.
    assert_eq!(value("L1", "2024-Q2"), None);
}

#[test]
fn periods_before_coverage_have_no_value_never_zero() {
    let b = "f1,2024-02-10T08:00:00Z,60,CYB,L1\nf2,2024-05-10T08:00:00Z,30,CFG,L1\n";
    let data = [("a/downtime.csv", format!("{DOWNTIME}{A_DOWNTIME}")), ("b/downtime.csv", format!("{DOWNTIME}{b}"))];
    let coverage = Edit::Replace {
        file: "project/yardstick.yaml",
        find: "b: {rollout: 2024-07-01, mappings: sites/b.yaml}",
        with: "b: {rollout: 2024-07-01, mappings: sites/b.yaml, coverage: {downtime: {from: 2024-04-01}}}",
    };
    let r = run("security_downtime_hours", "2024-06-30", &files(&data), &[coverage]).unwrap();
    // b's downtime is only collected from April: Q1 has no value, and f1 is not pooled.
    assert_eq!(r.value("b", "2024-Q1"), None);
    assert_eq!(r.row("b", "2024-Q1").coverage, "not_covered");
    assert_eq!(r.value("b", "2024-Q2"), Some(0.5));
    // Pooled Q1: a's 2 h only.
    assert_eq!(r.value("all", "2024-Q1"), Some(2.0));
}

#[test]
fn fiscal_years_are_named_by_the_year_they_end_in() {
    let data = incidents("y1,2024-03-31T12:00:00Z,,SEV4,,\ny2,2024-04-01T12:00:00Z,,SEV4,,\n", "");
    let april = Edit::Replace {
        file: "project/yardstick.yaml",
        find: "start: 2024-01-01",
        with: "start: 2024-01-01\ncalendar: {fiscal_year_start: 4}",
    };
    let r = run_at("incidents", "2024-06-30", Some(Grain::Year), &files(&data), &[april]).unwrap();
    // FY2024 ran April 2023 to March 2024; FY2025 from April 2024.
    assert_eq!((r.value("a", "FY2024"), r.value("a", "FY2025")), (Some(1.0), Some(1.0)));
}

#[test]
fn a_join_picks_the_snapshot_in_force_at_the_rows_time() {
    // A1 is critical in the January snapshot and no longer in April's; the export lists
    // April first. n0 (5 January) is older than every snapshot and takes the first, n1
    // (15 February) January's, n2 (10 May) April's: n0 and n1 count, n2 does not, and
    // April's reclassification does not restate the first quarter.
    let assets = format!("{ASSETS}A1,2024-04-30,false,true\nA1,2024-01-31,true,true\n");
    let empty = ASSETS.to_string();
    let rows =
        "n0,2024-01-05T00:00:00Z,,SEV4,,A1\nn1,2024-02-15T00:00:00Z,,SEV4,,A1\nn2,2024-05-10T00:00:00Z,,SEV4,,A1\n";
    let data = incidents(rows, "");
    let mut f = files(&data);
    f.extend([("a/assets.csv", assets.as_str()), ("b/assets.csv", empty.as_str())]);
    let r = run("critical_incidents", "2024-06-30", &f, &[]).unwrap();
    assert_eq!((r.value("a", "2024-Q1"), r.value("a", "2024-Q2")), (Some(2.0), Some(0.0)));
    // As of 9 May, before n2, the same first quarter.
    let r = run("critical_incidents", "2024-05-09", &f, &[]).unwrap();
    assert_eq!(r.value("a", "2024-Q1"), Some(2.0));
}

#[test]
fn numbers_and_booleans_read_alike_whether_polars_or_our_parser_reads_the_file() {
    // Site a's file is clean, so Polars reads it typed; site b's has a number padded with
    // spaces and a boolean in capitals, which send it through our parser. Both count the
    // same: downtime in January at a is 30 + 15 (written 1.5e1) = 45 minutes of security
    // causes, 0.75 hours; at b the same rows, padded, give the same 0.75 hours.
    let a = "d1,2024-01-10T08:00:00Z,30,cyber,L1\nd2,2024-01-11T08:00:00Z,1.5e1,config,L1\n";
    let b = "e1,2024-01-10T08:00:00Z, 30 ,cyber,L1\ne2,2024-01-11T08:00:00Z,1.5e1,config,L1\n";
    let data = [("a/downtime.csv", format!("{DOWNTIME}{a}")), ("b/downtime.csv", format!("{DOWNTIME}{b}"))];
    let r = run_at("security_downtime_hours", "2024-01-31", Some(Grain::Month), &files(&data), &[]).unwrap();
    assert!(approx(r.value("a", "2024-01"), 0.75), "{:?}", r.value("a", "2024-01"));
    assert!(approx(r.value("b", "2024-01"), 0.75), "{:?}", r.value("b", "2024-01"));

    // Booleans: `TRUE` and ` false ` read as true and false; 1 of the 2 critical assets logs.
    let assets = |rows: &str| format!("{ASSETS}{rows}");
    let data = [
        ("a/assets.csv", assets("A1,2024-01-31,TRUE,true\nA2,2024-01-31, true ,false\n")),
        ("b/assets.csv", assets("B1,2024-01-31,true,false\nB2,2024-01-31,true,true\n")),
    ];
    let r = run_at("logging_coverage", "2024-01-31", Some(Grain::Month), &files(&data), &[]).unwrap();
    assert!(approx(r.value("a", "2024-01"), 0.5), "{:?}", r.value("a", "2024-01"));
    assert!(approx(r.value("b", "2024-01"), 0.5), "{:?}", r.value("b", "2024-01"));

    // A number that is not one still names its row, though Polars saw the file first.
    let data = [
        ("a/downtime.csv", format!("{DOWNTIME}{a}d3,2024-01-12T08:00:00Z,1.5.0,cyber,L1\n")),
        ("b/downtime.csv", DOWNTIME.to_string()),
    ];
    let errors = run("security_downtime_hours", "2024-01-31", &files(&data), &[]).err().unwrap().join("\n");
    assert!(errors.contains("row 3 (line 4)"), "{errors}");
}

#[test]
fn parquet_and_ndjson_exports_count_as_csv_does() {
    use polars::prelude::*;
    // A_INCIDENTS and B_INCIDENTS as an exporter stores them in Parquet: typed columns,
    // times as instants (b's 2024-03-01T00:00+02:00 is 2024-02-29T22:00 UTC), no value as null.
    let ms = |t: &str| t.parse::<chrono::DateTime<chrono::Utc>>().unwrap().timestamp_millis();
    let times = |ts: &[Option<&str>]| ts.iter().map(|t| t.map(ms)).collect::<Vec<_>>();
    let table = |ids: &[&str],
                 detected: &[Option<&str>],
                 contained: &[Option<&str>],
                 severity: &[&str],
                 cost: &[Option<f64>],
                 asset: &[Option<&str>]| {
        let datetime = DataType::Datetime(TimeUnit::Milliseconds, None);
        let mut df = DataFrame::new(
            ids.len(),
            vec![
                Column::new("incident_id".into(), ids),
                Series::new("detected_at".into(), times(detected)).cast(&datetime).unwrap().into_column(),
                Series::new("contained_at".into(), times(contained)).cast(&datetime).unwrap().into_column(),
                Column::new("severity".into(), severity),
                Column::new("cost_eur".into(), cost),
                Column::new("asset_id".into(), asset),
            ],
        )
        .unwrap();
        let mut bytes = Vec::new();
        ParquetWriter::new(&mut bytes).finish(&mut df).unwrap();
        bytes
    };
    let a = table(
        &["i1", "i2", "i3", "i4", "i5"],
        &[
            Some("2024-01-15T10:00:00Z"),
            Some("2024-02-20T10:00:00Z"),
            Some("2024-07-01T00:00:00Z"),
            Some("2024-08-16T09:00:00Z"),
            None,
        ],
        &[Some("2024-01-15T14:30:00Z"), Some("2024-02-21T10:00:00Z"), None, None, None],
        &["SEV3", "SEV1", "SEV2", "SEV1", "SEV4"],
        &[Some(100.0), Some(200.0), None, None, Some(50.0)],
        &[Some("A1"), Some("A2"), Some("ZZ"), None, None],
    );
    let b = table(&["j1"], &[Some("2024-02-29T22:00:00Z")], &[None], &["P3"], &[None], &[None]);
    let parquet = || Edit::Replace {
        file: "project/yardstick.yaml",
        find: "data/{site}/incidents.csv",
        with: "data/{site}/incidents.parquet",
    };
    let data = [("a/incidents.parquet", a), ("b/incidents.parquet", b)];

    // The same rows as NDJSON, times written as in the CSV files.
    let a_json = r#"{"incident_id":"i1","detected_at":"2024-01-15T10:00:00Z","contained_at":"2024-01-15T14:30:00Z","severity":"SEV3","cost_eur":100,"asset_id":"A1"}
{"incident_id":"i2","detected_at":"2024-02-20T10:00:00Z","contained_at":"2024-02-21T10:00:00Z","severity":"SEV1","cost_eur":200,"asset_id":"A2"}
{"incident_id":"i3","detected_at":"2024-07-01T00:00:00Z","contained_at":null,"severity":"SEV2","cost_eur":null,"asset_id":"ZZ"}
{"incident_id":"i4","detected_at":"2024-08-16T09:00:00Z","contained_at":null,"severity":"SEV1","cost_eur":null,"asset_id":null}
{"incident_id":"i5","detected_at":null,"contained_at":null,"severity":"SEV4","cost_eur":50,"asset_id":null}
"#;
    let b_json = r#"{"incident_id":"j1","detected_at":"2024-03-01T00:00:00+02:00","contained_at":null,"severity":"P3","cost_eur":null,"asset_id":null}
"#;
    let ndjson = || Edit::Replace {
        file: "project/yardstick.yaml",
        find: "data/{site}/incidents.csv",
        with: "data/{site}/incidents.ndjson",
    };
    let json_data = [("a/incidents.ndjson", a_json), ("b/incidents.ndjson", b_json)];

    for (format, r) in [
        ("parquet", run("incidents", "2024-08-15", &data, &[parquet()])),
        ("ndjson", run("incidents", "2024-08-15", &json_data, &[ndjson()])),
    ] {
        let r = r.unwrap_or_else(|e| panic!("{format}: {e:?}"));
        // As from the CSV files: i1 and i2 in Q1, none in Q2, i3 in Q3 (i4 is after as_of,
        // i5 has no time); b's j1 in Q1; pooled 3 in Q1.
        let a_values = (r.value("a", "2024-Q1"), r.value("a", "2024-Q2"), r.value("a", "2024-Q3"));
        assert_eq!(a_values, (Some(2.0), Some(0.0), Some(1.0)), "{format}");
        assert_eq!((r.value("b", "2024-Q1"), r.value("all", "2024-Q1")), (Some(1.0), Some(3.0)), "{format}");
    }
    for (format, r) in [
        ("parquet", run("mttr_hours", "2024-08-15", &data, &[parquet()])),
        ("ndjson", run("mttr_hours", "2024-08-15", &json_data, &[ndjson()])),
    ] {
        // i1 took 4.5 h to contain and i2 24 h: 14.25 h on average.
        let r = r.unwrap_or_else(|e| panic!("{format}: {e:?}"));
        assert!(approx(r.value("a", "2024-Q1"), 14.25), "{format}: {:?}", r.value("a", "2024-Q1"));
    }
}

/// Site `a` keeps its clocks in Berlin.
const BERLIN: Edit = Edit::Replace {
    file: "project/yardstick.yaml",
    find: "a: {rollout: 2024-07-01}",
    with: "a: {rollout: 2024-07-01, timezone: Europe/Berlin}",
};

#[test]
fn a_wall_clock_time_falls_in_the_period_of_its_local_date() {
    // i1: 00:30 on 1 April, Berlin wall-clock time (22:30 UTC on 31 March): Q2 at the
    // site. i2: 01:00 on 1 April at +03:00 is 22:00 UTC on 31 March, midnight in Berlin
    // (CEST, +2): Q2 at the site too.
    let a = "i1,2024-04-01T00:30:00,,SEV3,,\ni2,2024-04-01T01:00:00+03:00,,SEV3,,\n";
    let data = incidents(a, "");
    let r = run("incidents", "2024-06-30", &files(&data), &[BERLIN]).unwrap();
    assert_eq!((r.value("a", "2024-Q1"), r.value("a", "2024-Q2")), (Some(0.0), Some(2.0)));
    // At a UTC site, i2 is on 31 March: Q1.
    let r = run("incidents", "2024-06-30", &files(&data), &[]).unwrap();
    assert_eq!((r.value("a", "2024-Q1"), r.value("a", "2024-Q2")), (Some(1.0), Some(1.0)));
}

#[test]
fn a_containment_across_the_spring_change_lasts_its_real_length() {
    // 31 March 2024 in Berlin: 02:00 CET became 03:00 CEST. Detected at 01:30 (00:30 UTC),
    // contained at 03:30 (01:30 UTC): one hour, though the clock moved two.
    let a = "i1,2024-03-31T01:30:00,2024-03-31T03:30:00,SEV3,,\n";
    let data = incidents(a, "");
    let r = run("mttr_hours", "2024-06-30", &files(&data), &[BERLIN]).unwrap();
    assert_eq!(r.value("a", "2024-Q1"), Some(1.0));
}

#[test]
fn a_planned_date_after_as_of_is_read_as_it_is() {
    let edits = [
        Edit::Replace {
            file: "set/sources/risks.yaml",
            find: "  rating: int\n",
            with: "  rating: int\n  review_on: {type: date, nullable: true, planned: true}\n  reviewed_on: {type: date, nullable: true}\n",
        },
        Edit::Write {
            file: "set/metrics/reviews_ahead.yaml",
            text: test_metric!(
                "reviews_ahead",
                "source: risks\ntime: {open: opened_on, close: closed_on}\nvalue: count(review_on > as_of)\n"
            ),
        },
        Edit::Write {
            file: "set/metrics/reviews_done.yaml",
            text: test_metric!(
                "reviews_done",
                "source: risks\ntime: {open: opened_on, close: closed_on}\nvalue: count(reviewed_on is not null)\n"
            ),
        },
    ];
    // r1 is due for review on 15 June and was reviewed on 16 June; as of 31 May the review
    // is ahead (planned, known in advance) and not yet done (a record of the future).
    let risks = "risk_id,opened_on,closed_on,rating,review_on,reviewed_on\nr1,2024-01-10,,20,2024-06-15,2024-06-16\n";
    let empty = "risk_id,opened_on,closed_on,rating,review_on,reviewed_on\n";
    let data = [("a/risks.csv", risks), ("b/risks.csv", empty)];
    let ahead = run("reviews_ahead", "2024-05-31", &data, &edits).unwrap();
    assert_eq!(ahead.value("a", "2024-Q2"), Some(1.0));
    let done = run("reviews_done", "2024-05-31", &data, &edits).unwrap();
    assert_eq!(done.value("a", "2024-Q2"), Some(0.0));
    // As of 30 June both happened.
    let done = run("reviews_done", "2024-06-30", &data, &edits).unwrap();
    assert_eq!(done.value("a", "2024-Q2"), Some(1.0));
}

#[test]
fn a_replay_gives_the_numbers_of_the_export_as_it_stood_that_day() {
    // The export as it stood on 20 February: i1 contained, i2 detected that morning and
    // not contained yet; i3 and i4 not there yet; i5 has no detection time.
    let then = "\
i1,2024-01-15T10:00:00Z,2024-01-15T14:30:00Z,SEV3,100,A1
i2,2024-02-20T10:00:00Z,,SEV1,200,A2
i5,,,SEV4,50,
";
    for metric in ["incidents", "mttr_hours", "major_share", "cost_stats"] {
        let replay = run(metric, "2024-02-20", &files(&incidents(A_INCIDENTS, B_INCIDENTS)), &[]).unwrap();
        let that_day = run(metric, "2024-02-20", &files(&incidents(then, "")), &[]).unwrap();
        let a =
            |r: &Run| r.rows.iter().filter(|x| x.site == "a").map(|x| (x.period.clone(), x.value)).collect::<Vec<_>>();
        assert_eq!(a(&replay), a(&that_day), "{metric}");
    }
}

#[test]
fn a_period_end_counts_as_its_local_midnight_in_durations() {
    let edit = Edit::Write {
        file: "set/metrics/aged_risks.yaml",
        text: test_metric!(
            "aged_risks",
            "source: risks\ntime: {open: opened_on, close: closed_on}\nvalue: count(days_between(opened_on, period_end) > 90)\n"
        ),
    };
    // Opened on 1 January, open on 31 March: midnight to midnight in Berlin is exactly 90
    // days (summer time starts later that night), so the risk is not yet aged.
    let risks = format!("{RISKS}r1,2024-01-01,,20\n");
    let data = [("a/risks.csv", risks.as_str()), ("b/risks.csv", RISKS)];
    let r = run("aged_risks", "2024-06-30", &data, &[edit, BERLIN]).unwrap();
    assert_eq!(r.value("a", "2024-Q1"), Some(0.0));
    assert_eq!(r.value("a", "2024-Q2"), Some(1.0));
}

#[test]
fn an_open_item_joins_the_snapshot_in_force_at_each_periods_end() {
    let edits = [
        Edit::Replace {
            file: "set/sources/risks.yaml",
            find: "  rating: int\n",
            with: "  rating: int\n  asset_id: string\njoins:\n  asset: {source: assets, on: asset_id}\n",
        },
        Edit::Write {
            file: "set/metrics/open_critical_risks.yaml",
            text: test_metric!(
                "open_critical_risks",
                "source: risks\ntime: {open: opened_on, close: closed_on}\nwhere: asset.critical\nvalue: count()\n"
            ),
        },
    ];
    // r1, opened in January and still open, is on A1: critical in January's snapshot, no
    // longer in April's. At the end of Q1 it is a critical risk; at the end of Q2 not.
    let risks = "risk_id,opened_on,closed_on,rating,asset_id\nr1,2024-01-10,,20,A1\n";
    let none = "risk_id,opened_on,closed_on,rating,asset_id\n";
    let assets = format!("{ASSETS}A1,2024-04-30,false,true\nA1,2024-01-31,true,true\n");
    let data = [("a/risks.csv", risks), ("b/risks.csv", none), ("a/assets.csv", &assets), ("b/assets.csv", ASSETS)];
    let r = run("open_critical_risks", "2024-06-30", &data, &edits).unwrap();
    assert_eq!((r.value("a", "2024-Q1"), r.value("a", "2024-Q2")), (Some(1.0), Some(0.0)));
}
