//! Site time zones when reading exports (SPEC sections 4 and 8): an offset-less datetime
//! is wall-clock time at its site, one with an offset is that instant; a time in the
//! spring DST gap moves forward and is warned about, an ambiguous autumn time is the
//! earlier instant. What is checked is the UTC instant stored for each value.

use crate::util::{Edit, apply, compile, copy_dir, fixture};
use chrono::NaiveDate;
use polars::prelude::*;
use std::path::Path;
use yardstick::engine::data::{DataReport, read_site_table};

pub(crate) const INCIDENTS: &str = "incident_id,detected_at,contained_at,severity,cost_eur,asset_id\n";

const A_IN_BERLIN: Edit = Edit::Replace {
    file: "project/yardstick.yaml",
    find: "a: {rollout: 2024-07-01}",
    with: "a: {rollout: 2024-07-01, timezone: Europe/Berlin}",
};

/// The engine fixture with site `a` in Berlin, `b` in UTC, and the given files.
pub(crate) fn project(files: &[(&str, &str)], edits: &[Edit]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("engine"), dir.path());
    apply(dir.path(), &A_IN_BERLIN);
    for edit in edits {
        apply(dir.path(), edit);
    }
    for (path, text) in files {
        let path = dir.path().join("project/data").join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

/// The instants stored for `column` of `source` at `site`, as `YYYY-MM-DDTHH:MM:SSZ`, and
/// what reading reported.
fn instants(dir: &Path, source: &str, site: &str, column: &str) -> (Vec<Option<String>>, DataReport) {
    let (checked, diags, _) = compile(&dir.join("project"));
    let checked = checked.unwrap_or_else(|| panic!("{:?}", diags.iter().map(|d| &d.message).collect::<Vec<_>>()));
    let project = checked.project.as_ref().unwrap();
    let site = project.sites.iter().find(|s| s.id == site).unwrap();
    let as_of = NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
    let mut report = DataReport::default();
    let schema = &checked.set.sources[source];
    let table = read_site_table(&yardstick::plan::Inputs::new(project, &checked.set), schema, site, as_of, &mut report);
    let table = table.unwrap_or_else(|| panic!("{:?}", report.errors));
    let stored = table.frame.column(column).unwrap();
    assert_eq!(stored.dtype(), &DataType::Datetime(TimeUnit::Milliseconds, None));
    let ms = stored.to_physical_repr();
    let shown = ms.i64().unwrap().iter().map(|v| {
        v.map(|ms| chrono::DateTime::from_timestamp_millis(ms).unwrap().format("%Y-%m-%dT%H:%M:%SZ").to_string())
    });
    (shown.collect(), report)
}

fn utc(s: &str) -> Option<String> {
    Some(s.to_string())
}

#[test]
fn an_offset_less_datetime_is_wall_clock_time_at_its_site() {
    // Berlin is UTC+2 in April: 00:30 on 1 April there is 22:30 UTC on 31 March, in Q1 by
    // a UTC clock and in Q2 by the site's.
    let rows =
        format!("{INCIDENTS}i1,2025-04-01T00:30:00,,SEV1,,\ni2,2025-04-01 00:30,,SEV1,,\ni3,2025-01-15,,SEV1,,\n");
    let dir = project(&[("a/incidents.csv", &rows), ("b/incidents.csv", &rows)], &[]);
    let (berlin, report) = instants(dir.path(), "incidents", "a", "detected_at");
    assert!(report.errors.is_empty() && report.warnings.is_empty(), "{report:?}");
    // A bare date is the site's midnight (UTC+1 in January).
    assert_eq!(berlin, [utc("2025-03-31T22:30:00Z"), utc("2025-03-31T22:30:00Z"), utc("2025-01-14T23:00:00Z")]);
    // Site b has no `timezone`: UTC.
    let (b, _) = instants(dir.path(), "incidents", "b", "detected_at");
    assert_eq!(b, [utc("2025-04-01T00:30:00Z"), utc("2025-04-01T00:30:00Z"), utc("2025-01-15T00:00:00Z")]);
}

#[test]
fn an_explicit_offset_is_kept_at_a_site_in_another_zone() {
    let rows = format!(
        "{INCIDENTS}i1,2025-04-01T00:30:00+05:00,2025-04-01T00:30:00Z,SEV1,,\ni2,2025-07-01T09:00:00-04:00,2025-07-01T13:00:00.500Z,SEV1,,\n"
    );
    let dir = project(&[("a/incidents.csv", &rows)], &[]);
    let (detected, _) = instants(dir.path(), "incidents", "a", "detected_at");
    assert_eq!(detected, [utc("2025-03-31T19:30:00Z"), utc("2025-07-01T13:00:00Z")]);
    let (contained, _) = instants(dir.path(), "incidents", "a", "contained_at");
    assert_eq!(contained, [utc("2025-04-01T00:30:00Z"), utc("2025-07-01T13:00:00Z")]);
}

#[test]
fn a_time_in_the_spring_gap_moves_forward_with_one_warning_per_column() {
    // On 30 March 2025 Berlin's clocks jump from 02:00 to 03:00: 02:30 and 02:05 never
    // happen there. They are read as 03:30 and 03:05 CEST (01:30 and 01:05 UTC).
    let rows = format!(
        "{INCIDENTS}i1,2025-03-30T02:30:00,,SEV1,,\ni2,2025-03-30T01:59:00,,SEV1,,\ni3,2025-03-30T02:05:00,2025-03-30T02:10:00,SEV1,,\n"
    );
    let dir = project(&[("a/incidents.csv", &rows)], &[]);
    let (detected, report) = instants(dir.path(), "incidents", "a", "detected_at");
    assert_eq!(detected, [utc("2025-03-30T01:30:00Z"), utc("2025-03-30T00:59:00Z"), utc("2025-03-30T01:05:00Z")]);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let codes: Vec<&str> = report.warnings.iter().map(|w| w.code.as_str()).collect();
    assert_eq!(codes, ["W0704", "W0704"], "one for detected_at, one for contained_at");
    let message = &report.warnings[0].message;
    for part in [
        "data/a/incidents.csv, rows 1 and 3 (lines 2 and 4), column `detected_at`: 2 local times",
        "Europe/Berlin",
        "`2025-03-30T02:30:00`, `2025-03-30T02:05:00`",
    ] {
        assert!(message.contains(part), "{part:?} missing from {message}");
    }
    assert!(report.warnings[1].message.contains("row 3 (line 4), column `contained_at`: 1 local time "));
}

#[test]
fn an_ambiguous_autumn_time_is_the_earlier_instant() {
    // On 26 October 2025 Berlin's clocks go back from 03:00 to 02:00: 02:30 happens at
    // 00:30 UTC (summer time) and again at 01:30 UTC; the first is taken, without warning.
    let rows = format!("{INCIDENTS}i1,2025-10-26T02:30:00,2025-10-26T03:30:00,SEV1,,\n");
    let dir = project(&[("a/incidents.csv", &rows)], &[]);
    let (detected, report) = instants(dir.path(), "incidents", "a", "detected_at");
    assert_eq!(detected, [utc("2025-10-26T00:30:00Z")]);
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    let (contained, _) = instants(dir.path(), "incidents", "a", "contained_at");
    assert_eq!(contained, [utc("2025-10-26T02:30:00Z")], "03:30 is after the change: UTC+1");
}

/// A one-row downtime export in Parquet, its `started_at` stored as a datetime in `zone`
/// (none: wall-clock time).
fn downtime_parquet(dir: &Path, site: &str, started_ms: i64, zone: Option<polars::prelude::TimeZone>) {
    let started =
        Series::new("started_at".into(), [started_ms]).cast(&DataType::Datetime(TimeUnit::Milliseconds, zone)).unwrap();
    let mut frame = DataFrame::new(
        1,
        vec![
            Column::new("event_id".into(), ["E1"]),
            started.into_column(),
            Column::new("duration_min".into(), [30.0]),
            Column::new("cause".into(), ["cyber"]),
            Column::new("line".into(), ["L1"]),
        ],
    )
    .unwrap();
    let path = dir.join(format!("project/data/{site}/downtime.parquet"));
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    ParquetWriter::new(std::fs::File::create(path).unwrap()).finish(&mut frame).unwrap();
}

#[test]
fn parquet_datetimes_without_a_zone_are_wall_clock_and_with_one_are_instants() {
    let parquet = Edit::Replace {
        file: "project/yardstick.yaml",
        find: "data/{site}/downtime.csv",
        with: "data/{site}/downtime.parquet",
    };
    let dir = project(&[], &[parquet]);
    // 2025-04-01T00:30:00 as milliseconds since the epoch.
    let half_past = 1_743_467_400_000;
    downtime_parquet(dir.path(), "a", half_past, None);
    let (wall, _) = instants(dir.path(), "downtime", "a", "started_at");
    assert_eq!(wall, [utc("2025-03-31T22:30:00Z")]);
    downtime_parquet(dir.path(), "a", half_past, Some(polars::prelude::TimeZone::UTC));
    let (instant, _) = instants(dir.path(), "downtime", "a", "started_at");
    assert_eq!(instant, [utc("2025-04-01T00:30:00Z")]);
}

#[test]
fn check_data_warns_about_the_gap_and_passes() {
    let rows = format!("{INCIDENTS}i1,2025-03-30T02:30:00,,SEV1,,\n");
    let dir = project(&[], &[]);
    let data = dir.path().join("project/data");
    for site in ["a", "b"] {
        std::fs::create_dir_all(data.join(site)).unwrap();
        for (file, text) in [
            ("incidents.csv", INCIDENTS),
            ("downtime.csv", "event_id,started_at,duration_min,cause,line\n"),
            ("risks.csv", "risk_id,opened_on,closed_on,rating\n"),
            ("assets.csv", "asset_id,snapshot_on,critical,logging\n"),
        ] {
            std::fs::write(data.join(site).join(file), text).unwrap();
        }
    }
    std::fs::write(data.join("a/incidents.csv"), rows).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_yardstick"))
        .args(["check", "--data", "-p", dir.path().join("project").to_str().unwrap()])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("[W0704] Warning"), "{err}");
    assert!(err.contains("row 1 (line 2), column `detected_at`: 1 local time in the spring DST gap"), "{err}");
}

/// The rows of the metrics `ids` computed as of 31 December 2025 on the project in `dir`.
fn rows_as_of_new_year(dir: &Path, ids: &[&str]) -> Vec<yardstick::results::ResultRow> {
    let (checked, diags, _) = compile(&dir.join("project"));
    let checked = checked.unwrap_or_else(|| panic!("{:?}", diags.iter().map(|d| &d.message).collect::<Vec<_>>()));
    let metrics: Vec<yardstick::ir::MetricId> = ids.iter().map(|m| yardstick::ir::MetricId(m.to_string())).collect();
    let as_of = NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
    let request = yardstick::plan::Request { metrics: &metrics, as_of, grain: None, to_date: false };
    yardstick::compute(&checked, &request).unwrap_or_else(|e| panic!("{:?}", e[0].message)).rows
}

/// A monthly metric `open_hours` over incidents whose value is `value`.
fn open_hours(value: &str) -> Edit {
    let text = format!(
        "metric: open_hours\nversion: 1\ntitle: open_hours\nlayer: risk\nunit: hours\ndirection: neutral\n\
         grain: month\nsource: incidents\ntime: {{event: detected_at}}\nvalue: {value}\n"
    );
    Edit::Write { file: "set/metrics/open_hours.yaml", text: Box::leak(text.into_boxed_str()) }
}

/// The value of `rows` at `site` in December 2025.
fn december(rows: &[yardstick::results::ResultRow], site: &str) -> Option<f64> {
    rows.iter().find(|r| r.site == site && r.period == "2025-12").and_then(|r| r.value)
}

#[test]
fn as_of_in_a_duration_is_the_end_of_its_day_at_the_site() {
    // A case still open counts until the end of `as_of` at the row's site, the instant the
    // results are as of. In Berlin, 31 December 2025 ends at 23:00 UTC; in UTC at midnight.
    let open = "i1,2025-12-30T12:00:00Z,,SEV3,,\n";
    let dir = project(
        &[("a/incidents.csv", &format!("{INCIDENTS}{open}")), ("b/incidents.csv", &format!("{INCIDENTS}{open}"))],
        &[open_hours("mean(hours_between(detected_at, coalesce(contained_at, as_of)))")],
    );
    let rows = rows_as_of_new_year(dir.path(), &["open_hours"]);
    assert_eq!(december(&rows, "a"), Some(35.0), "Berlin");
    assert_eq!(december(&rows, "b"), Some(36.0), "UTC");
    // Opened on the day itself and still open: hours, never a negative time.
    let same_day = "i2,2025-12-31T09:00:00Z,,SEV3,,\n";
    std::fs::write(dir.path().join("project/data/b/incidents.csv"), format!("{INCIDENTS}{open}{same_day}")).unwrap();
    let rows = rows_as_of_new_year(dir.path(), &["open_hours"]);
    assert_eq!(december(&rows, "b"), Some((36.0 + 15.0) / 2.0), "UTC, with a case opened at 09:00 on the day");
}

#[test]
fn as_of_inside_if_is_the_end_of_its_day_at_the_site_too() {
    // The same open case, its end written with `if` instead of `coalesce`: in Berlin the
    // day ends at 23:00 UTC (35 hours after 12:00 UTC the day before), in UTC at midnight.
    let open = "i1,2025-12-30T12:00:00Z,,SEV3,,\n";
    let closed = "i2,2025-12-30T12:00:00Z,2025-12-30T14:00:00Z,SEV3,,\n";
    let dir = project(
        &[
            ("a/incidents.csv", &format!("{INCIDENTS}{open}")),
            ("b/incidents.csv", &format!("{INCIDENTS}{open}{closed}")),
        ],
        &[open_hours("mean(hours_between(detected_at, if(contained_at is null, as_of, contained_at)))")],
    );
    let rows = rows_as_of_new_year(dir.path(), &["open_hours"]);
    assert_eq!(december(&rows, "a"), Some(35.0), "Berlin: 12:00 UTC on the 30th to 23:00 UTC on the 31st");
    assert_eq!(december(&rows, "b"), Some((36.0 + 2.0) / 2.0), "UTC: 36 hours open, 2 hours for the closed case");
}

#[test]
fn as_of_through_a_coalesce_of_dates_is_the_end_of_its_day_as_when_written_alone() {
    // A risk opened on 1 December and still open as of the 31st has been open until the
    // end of the 31st: 31 days, whether `as_of` is written alone or as a fallback.
    let metric = |id: &str, end: &str| Edit::Write {
        file: if id == "alone" { "set/metrics/alone.yaml" } else { "set/metrics/fallback.yaml" },
        text: Box::leak(
            format!(
                "metric: {id}\nversion: 1\ntitle: {id}\nlayer: risk\nunit: days\ndirection: neutral\n\
                 grain: month\nsource: risks\ntime: {{event: opened_on}}\nwhere: closed_on is null\n\
                 value: max(days_between(opened_on, {end}))\n"
            )
            .into_boxed_str(),
        ),
    };
    let risks = "risk_id,opened_on,closed_on,rating\nr1,2025-12-01,,4\n";
    let dir = project(
        &[("a/risks.csv", risks), ("b/risks.csv", risks)],
        &[metric("alone", "as_of"), metric("fallback", "coalesce(closed_on, as_of)")],
    );
    let rows = rows_as_of_new_year(dir.path(), &["alone", "fallback"]);
    for (metric, site) in [("alone", "a"), ("fallback", "a"), ("alone", "b"), ("fallback", "b")] {
        let value =
            rows.iter().find(|r| r.metric == metric && r.site == site && r.period == "2025-12").and_then(|r| r.value);
        assert_eq!(value, Some(31.0), "{metric} at {site}");
    }
}
