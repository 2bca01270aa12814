//! The data rules of SPEC section 4 through the command line: a repeated key (per site, and
//! per snapshot), a float that is not finite, a number out of its bounds. Each makes both
//! `check --data` and `query` exit 1 with an error naming file, rows, column and value;
//! a bad row dated after `--as-of` breaks no replay (section 8).

use crate::util::{Edit, apply, copy_dir, fixture};
use std::path::Path;
use std::process::Command;

const DOWNTIME: &str = "event_id,started_at,duration_min,cause,line\n";
const ASSETS: &str = "asset_id,snapshot_on,critical,logging\n";
const INCIDENTS: &str = "incident_id,detected_at,contained_at,severity,cost_eur,asset_id\n";
const RISKS: &str = "risk_id,opened_on,closed_on,rating\n";

/// The engine fixture with an empty export of every source at both sites, then `files`
/// (`site/file.csv`, text) and `edits`.
fn project(files: &[(&str, String)], edits: &[Edit]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("engine"), dir.path());
    for edit in edits {
        apply(dir.path(), edit);
    }
    let data = dir.path().join("project/data");
    for site in ["a", "b"] {
        std::fs::create_dir_all(data.join(site)).unwrap();
        for (file, header) in
            [("downtime.csv", DOWNTIME), ("assets.csv", ASSETS), ("incidents.csv", INCIDENTS), ("risks.csv", RISKS)]
        {
            std::fs::write(data.join(site).join(file), header).unwrap();
        }
    }
    for (path, text) in files {
        std::fs::write(data.join(path), text).unwrap();
    }
    dir
}

/// Exit status and standard error of yardstick run on the project.
fn yardstick(dir: &Path, args: &[&str]) -> (i32, String) {
    let project = dir.join("project");
    let out = Command::new(env!("CARGO_BIN_EXE_yardstick"))
        .args(args)
        .args(["-p", project.to_str().unwrap()])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (out.status.code().unwrap(), String::from_utf8(out.stderr).unwrap())
}

/// `check --data` and `query METRIC --as-of AS_OF` both fail, each saying every `part`.
fn both_fail(dir: &Path, metric: &str, as_of: &str, parts: &[&str]) {
    for args in [vec!["check", "--data"], vec!["query", metric, "--as-of", as_of]] {
        let (code, err) = yardstick(dir, &args);
        assert_eq!(code, 1, "{args:?}: {err}");
        for part in parts {
            assert!(err.contains(part), "{args:?}: {part:?} missing from\n{err}");
        }
    }
}

fn downtime(rows: &str) -> (&'static str, String) {
    ("a/downtime.csv", format!("{DOWNTIME}{rows}"))
}

const SEVEN_EVENTS: &str = "\
E11,2024-01-03T08:00:00Z,30,cyber,L1
E12,2024-01-04T08:00:00Z,20,config,L1
E17,2024-01-05T08:00:00Z,45,cyber,L2
E13,2024-01-06T08:00:00Z,10,equipment,L1
E14,2024-01-07T08:00:00Z,15,cyber,L2
E15,2024-01-08T08:00:00Z,25,cyber,L1
E17,2024-01-09T08:00:00Z,45,cyber,L2
";

#[test]
fn a_repeated_key_is_an_error_naming_its_rows() {
    let dir = project(&[downtime(SEVEN_EVENTS)], &[]);
    // Rows 3 and 7 hold E17; the header is line 1.
    let message = "data/a/downtime.csv, rows 3 and 7 (lines 4 and 8), column `event_id`: `E17` appears 2 times; \
                   the key is unique per site";
    both_fail(dir.path(), "security_downtime_hours", "2024-03-31", &["[E0706]", message]);
}

#[test]
fn the_same_key_at_two_sites_is_no_error() {
    let row = "E1,2024-01-03T08:00:00Z,30,cyber,L1\n";
    let b = ("b/downtime.csv", format!("{DOWNTIME}{row}"));
    let dir = project(&[downtime(row), b], &[]);
    let (code, err) = yardstick(dir.path(), &["check", "--data"]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn many_rows_of_one_key_are_named_up_to_five_and_counted() {
    let rows: String = (1..=8).map(|d| format!("E1,2024-01-0{d}T08:00:00Z,30,cyber,L1\n")).collect();
    let dir = project(&[downtime(&rows)], &[]);
    let message =
        "rows 1, 2, 3, 4 and 5 (lines 2, 3, 4, 5 and 6) and 3 more rows, column `event_id`: `E1` appears 8 times";
    both_fail(dir.path(), "security_downtime_hours", "2024-03-31", &[message]);
}

#[test]
fn a_snapshot_source_has_its_key_once_per_snapshot() {
    // A1 is listed twice in the snapshot of 31 March; A2 once in each snapshot, which is
    // what a snapshot source holds.
    let assets = "\
A1,2024-03-31,true,true
A2,2024-03-31,true,false
A2,2024-06-30,true,true
A1,2024-03-31,true,false
";
    let dir = project(&[("a/assets.csv", format!("{ASSETS}{assets}"))], &[]);
    let message = "data/a/assets.csv, rows 1 and 4 (lines 2 and 5), column `asset_id`: `A1` appears 2 times \
                   in the snapshot of 2024-03-31; the key is unique per site and snapshot";
    both_fail(dir.path(), "logging_coverage", "2024-06-30", &[message]);
    let (_, err) = yardstick(dir.path(), &["check", "--data"]);
    assert!(!err.contains("`A2`"), "{err}");
}

#[test]
fn one_row_per_key_in_each_snapshot_passes() {
    let assets = "A1,2024-03-31,true,true\nA1,2024-06-30,true,false\nA2,2024-06-30,false,false\n";
    let dir = project(&[("a/assets.csv", format!("{ASSETS}{assets}"))], &[]);
    let (code, err) = yardstick(dir.path(), &["check", "--data"]);
    assert_eq!(code, 0, "{err}");
    let (code, err) = yardstick(dir.path(), &["query", "logging_coverage", "--as-of", "2024-06-30"]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn nan_in_a_float_column_is_an_error() {
    let rows = "E1,2024-01-03T08:00:00Z,30,cyber,L1\nE2,2024-01-04T08:00:00Z,NaN,cyber,L1\n";
    let dir = project(&[downtime(rows)], &[]);
    let message = "data/a/downtime.csv, row 2 (line 3), column `duration_min`: `NaN` is not a finite number";
    both_fail(dir.path(), "security_downtime_hours", "2024-03-31", &["[E0707]", message]);
}

#[test]
fn infinities_in_a_float_column_are_errors() {
    let rows = "E1,2024-01-03T08:00:00Z,inf,cyber,L1\nE2,2024-01-04T08:00:00Z,-inf,cyber,L1\n";
    let dir = project(&[downtime(rows)], &[]);
    let message = "data/a/downtime.csv, rows 1 and 2 (lines 2 and 3), column `duration_min`: `inf`, `-inf` are not \
                   finite numbers";
    both_fail(dir.path(), "security_downtime_hours", "2024-03-31", &[message]);
}

#[test]
fn infinity_read_by_our_parser_is_an_error_too() {
    // Cells with spaces around them make Polars give up on the typed read, so the column
    // goes through our parser, which trims them.
    let rows = "E1,2024-01-03T08:00:00Z, 30 ,cyber,L1\nE2,2024-01-04T08:00:00Z, -Infinity ,cyber,L1\n";
    let dir = project(&[downtime(rows)], &[]);
    let message = "data/a/downtime.csv, row 2 (line 3), column `duration_min`: `-inf` is not a finite number";
    both_fail(dir.path(), "security_downtime_hours", "2024-03-31", &[message]);
}

#[test]
fn a_column_that_does_not_parse_is_reported_once_not_judged_again() {
    let rows = "E1,2024-01-03T08:00:00Z,Infinity,cyber,L1\nE2,2024-01-04T08:00:00Z,x1,cyber,L1\n";
    let dir = project(&[downtime(rows)], &[]);
    let (code, err) = yardstick(dir.path(), &["check", "--data"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("row 2 (line 3), column `duration_min`: `x1` is not a number"), "{err}");
    assert!(!err.contains("E0707"), "{err}");
}

#[test]
fn nan_stored_in_parquet_is_an_error() {
    use polars::prelude::*;
    let dir = project(
        &[],
        &[Edit::Replace {
            file: "project/yardstick.yaml",
            find: "data/{site}/downtime.csv",
            with: "data/{site}/downtime.parquet",
        }],
    );
    for (site, minutes) in [("a", f64::NAN), ("b", 12.0)] {
        let started = Series::new("started_at".into(), [1_704_268_800_000i64])
            .cast(&DataType::Datetime(TimeUnit::Milliseconds, None))
            .unwrap();
        let mut frame = DataFrame::new(
            1,
            vec![
                Column::new("event_id".into(), ["E1"]),
                started.into_column(),
                Column::new("duration_min".into(), [minutes]),
                Column::new("cause".into(), ["cyber"]),
                Column::new("line".into(), ["L1"]),
            ],
        )
        .unwrap();
        let path = dir.path().join(format!("project/data/{site}/downtime.parquet"));
        ParquetWriter::new(std::fs::File::create(path).unwrap()).finish(&mut frame).unwrap();
    }
    let message = "data/a/downtime.parquet, row 1, column `duration_min`: `NaN` is not a finite number";
    both_fail(dir.path(), "security_downtime_hours", "2024-03-31", &[message]);
}

const DURATION_FROM_ZERO: Edit = Edit::Replace {
    file: "set/sources/downtime.yaml",
    find: "duration_min: float",
    with: "duration_min: {type: float, min: 0, max: 1440}",
};

#[test]
fn a_value_below_its_minimum_is_an_error() {
    let rows = "E1,2024-01-03T08:00:00Z,30,cyber,L1\nE2,2024-01-04T08:00:00Z,-45,cyber,L1\n";
    let dir = project(&[downtime(rows)], &[DURATION_FROM_ZERO]);
    let message = "data/a/downtime.csv, row 2 (line 3), column `duration_min`: `-45` is below the minimum, 0";
    both_fail(dir.path(), "security_downtime_hours", "2024-03-31", &["[E0708]", message]);
}

#[test]
fn a_value_above_its_maximum_is_an_error_and_bounds_are_included() {
    let rows = "E1,2024-01-03T08:00:00Z,0,cyber,L1\nE2,2024-01-04T08:00:00Z,1440,cyber,L1\nE3,2024-01-05T08:00:00Z,1441.5,cyber,L1\n";
    let dir = project(&[downtime(rows)], &[DURATION_FROM_ZERO]);
    let message = "data/a/downtime.csv, row 3 (line 4), column `duration_min`: `1441.5` is above the maximum, 1440";
    both_fail(dir.path(), "security_downtime_hours", "2024-03-31", &[message]);
    let (_, err) = yardstick(dir.path(), &["check", "--data"]);
    assert_eq!(err.matches("[E0708]").count(), 1, "{err}");
}

#[test]
fn an_int_column_keeps_its_bounds() {
    let edit =
        Edit::Replace { file: "set/sources/risks.yaml", find: "rating: int", with: "rating: {type: int, max: 25}" };
    let dir = project(&[("a/risks.csv", format!("{RISKS}r1,2024-01-10,,30\nr2,2024-01-11,,25\n"))], &[edit]);
    let message = "data/a/risks.csv, row 1 (line 2), column `rating`: `30` is above the maximum, 25";
    both_fail(dir.path(), "open_risks", "2024-03-31", &[message]);
}

#[test]
fn a_bad_row_dated_after_as_of_breaks_no_replay() {
    // E1 repeats on 2 April, -5 minutes and NaN come later still: as of 31 March none of
    // them had been recorded, so the replay of that day computes as it did then.
    let rows = "\
E1,2024-03-10T08:00:00Z,30,cyber,L1
E1,2024-04-02T08:00:00Z,30,cyber,L1
E2,2024-04-03T08:00:00Z,-5,cyber,L1
E3,2024-04-04T08:00:00Z,NaN,cyber,L1
";
    let dir = project(&[downtime(rows)], &[DURATION_FROM_ZERO]);
    let (code, err) = yardstick(dir.path(), &["query", "security_downtime_hours", "--as-of", "2024-03-31"]);
    assert_eq!(code, 0, "{err}");
    // As of 2 April the repeated key was known, the rest not yet.
    let (code, err) = yardstick(dir.path(), &["query", "security_downtime_hours", "--as-of", "2024-04-02"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("`E1` appears 2 times"), "{err}");
    assert!(!err.contains("E0707") && !err.contains("E0708"), "{err}");
}

#[test]
fn what_is_visible_as_of_a_day_depends_on_the_site_time_zone() {
    // At a Berlin site (UTC+2 in summer), 2024-06-30T23:30 local is 21:30 UTC, before the
    // end of 30 June there; 2024-07-01T00:30 local is 22:30 UTC on 30 June, yet already
    // 1 July at the site, so not visible as of 30 June.
    let edit = Edit::Replace {
        file: "project/yardstick.yaml",
        find: "a: {rollout: 2024-07-01}",
        with: "a: {rollout: 2024-07-01, timezone: Europe/Berlin}",
    };
    let late = "E1,2024-06-10T08:00:00,30,cyber,L1\nE1,2024-07-01T00:30:00,30,cyber,L1\n";
    let dir = project(&[downtime(late)], std::slice::from_ref(&edit));
    let (code, err) = yardstick(dir.path(), &["query", "security_downtime_hours", "--as-of", "2024-06-30"]);
    assert_eq!(code, 0, "{err}");
    let in_time = "E1,2024-06-10T08:00:00,30,cyber,L1\nE1,2024-06-30T23:30:00,30,cyber,L1\n";
    let dir = project(&[downtime(in_time)], &[edit]);
    let (code, err) = yardstick(dir.path(), &["query", "security_downtime_hours", "--as-of", "2024-06-30"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("`E1` appears 2 times"), "{err}");
}

#[test]
fn a_snapshot_taken_after_as_of_is_not_judged() {
    // The snapshot of 30 June repeats A1, but as of 31 March it had not been taken.
    let assets = "A1,2024-03-31,true,true\nA1,2024-06-30,true,false\nA1,2024-06-30,true,true\n";
    let dir = project(&[("a/assets.csv", format!("{ASSETS}{assets}"))], &[]);
    let (code, err) = yardstick(dir.path(), &["query", "logging_coverage", "--as-of", "2024-03-31"]);
    assert_eq!(code, 0, "{err}");
    let (code, err) = yardstick(dir.path(), &["query", "logging_coverage", "--as-of", "2024-06-30"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains(
        "rows 2 and 3 (lines 3 and 4), column `asset_id`: `A1` appears 2 times in the snapshot of 2024-06-30"
    ));
}

#[test]
fn a_header_typo_is_a_missing_column_with_the_close_name() {
    let typo = ("a/downtime.csv", "event_id,started_at,duration_mins,cause,line\n".to_string());
    let dir = project(&[typo], &[]);
    let (code, err) = yardstick(dir.path(), &["check", "--data"]);
    assert_eq!(code, 1, "{err}");
    for part in [
        "[E0705]",
        "column `duration_min` of source `downtime` is missing",
        "did you mean `duration_mins`? (a header typo?); the file has: event_id, started_at, duration_mins, cause, line",
    ] {
        assert!(err.contains(part), "{part:?} missing from\n{err}");
    }
}

#[test]
fn rows_left_out_for_unmapped_codes_are_said_plainly() {
    let exclude = Edit::Replace {
        file: "project/yardstick.yaml",
        find: "start: 2024-01-01",
        with: "start: 2024-01-01\nunmapped: exclude",
    };
    let rows = "u1,2024-01-05T00:00:00Z,,P1,,\nu2,2024-01-06T00:00:00Z,,Prio 1,,\nu3,2024-01-07T00:00:00Z,,Prio 1,,\n";
    let b = ("b/incidents.csv", format!("{INCIDENTS}{rows}"));
    let dir = project(&[b], &[exclude]);
    let project = dir.path().join("project");
    let out = Command::new(env!("CARGO_BIN_EXE_yardstick"))
        .args(["check", "--data", "-p", project.to_str().unwrap()])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let (stdout, stderr) = (String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap());
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    // How many, where, which code; and the last line does not claim every code mapped.
    assert!(
        stderr
            .contains("2 row(s) of `incidents` at site `b` left out: code `Prio 1` in column `severity` is not mapped"),
        "{stderr}"
    );
    assert!(stderr.contains("b/incidents.csv, rows 2 and 3 (lines 3 and 4)"), "{stderr}");
    assert!(stdout.contains("every value parsed, 2 rows left out for codes not mapped (W0701 above)"), "{stdout}");
}

/// `check --data`'s standard error on the project, its temporary folder written `[project]`.
fn check_data_said(dir: &Path) -> (i32, String) {
    let (code, err) = yardstick(dir, &["check", "--data"]);
    let root = dir.join("project").display().to_string();
    (code, err.replace(&root, "[project]"))
}

#[test]
fn data_errors_name_rows_a_close_code_the_header_typo_and_the_other_delimiter() {
    // Site a exports downtime with semicolons; site b misspells a header and writes `p1`
    // where its mapping has `P1`, and `Prio 1` that no mapping has.
    let semicolons = ("a/downtime.csv", "event_id;started_at;duration_min;cause;line\n".to_string());
    let typo = ("b/downtime.csv", "event_id,started_at,duration_mins,cause,line\n".to_string());
    let rows = "u1,2024-01-05T00:00:00Z,,p1,,\nu2,2024-01-06T00:00:00Z,,Prio 1,,\nu3,2024-01-07T00:00:00Z,,p1,,\n";
    let incidents = ("b/incidents.csv", format!("{INCIDENTS}{rows}"));
    let dir = project(&[semicolons, typo, incidents], &[]);
    let (code, err) = check_data_said(dir.path());
    assert_eq!(code, 1, "{err}");
    // One error for the file with another delimiter, not one per declared column.
    assert_eq!(err.matches("[E0705]").count(), 2, "{err}");
    insta::assert_snapshot!("data_errors", crate::util::without_pitfalls(&err));
}

#[test]
fn rows_left_out_under_exclude_are_warned_about_with_rows_and_a_close_code() {
    let exclude = Edit::Replace {
        file: "project/yardstick.yaml",
        find: "start: 2024-01-01",
        with: "start: 2024-01-01\nunmapped: exclude",
    };
    let rows = "u1,2024-01-05T00:00:00Z,,p1,,\nu2,2024-01-06T00:00:00Z,,Prio 1,,\nu3,2024-01-07T00:00:00Z,,p1,,\n";
    let dir = project(&[("b/incidents.csv", format!("{INCIDENTS}{rows}"))], &[exclude]);
    let (code, err) = check_data_said(dir.path());
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!("data_exclusions", crate::util::without_pitfalls(&err));
}

#[test]
fn blank_lines_in_a_csv_are_not_rows_and_lines_are_still_named_right() {
    // Lines 2, 4 and 5 are blank (the last as a spreadsheet writes it); line 6 is bad.
    let rows = "\nd1,2024-01-05T00:00:00Z,5,CYB,L1\n\n,,,,\nd2,2024-01-06T00:00:00Z,x,CYB,L1\n\n";
    let dir = project(&[("a/downtime.csv", format!("{DOWNTIME}{rows}"))], &[]);
    let (code, err) = yardstick(dir.path(), &["check", "--data"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("a/downtime.csv, row 2 (line 6), column `duration_min`: `x` is not a number"), "{err}");
    assert!(!err.contains("W0703"), "blank lines are not rows without a time: {err}");
}
