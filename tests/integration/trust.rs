//! Data trust for the scheduled build (issue 27): every input that would change a number
//! in silence is an error or a visible note, never a quietly different number.

use crate::timezones::{INCIDENTS, project};
use crate::util::{Edit, yardstick_on};

/// A reader of the cells of CSV `out` by its header: `cell(line, "value")`.
fn columns(out: &str) -> impl Fn(&str, &str) -> String {
    let header: Vec<String> = out.lines().next().unwrap_or_default().split(',').map(String::from).collect();
    move |line, name| {
        let i = header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"));
        line.split(',').nth(i).unwrap_or_default().to_string()
    }
}

/// The project binding incidents alone.
fn incidents_only() -> Edit {
    Edit::Replace {
        file: "project/yardstick.yaml",
        find: "  downtime: {file: \"data/{site}/downtime.csv\"}\n  risks: {file: \"data/{site}/risks.csv\"}\n  assets: {file: \"data/{site}/assets.csv\"}\n",
        with: "",
    }
}

#[test]
fn a_day_that_has_not_ended_at_some_site_is_refused_and_the_default_is_the_last_ended_day() {
    let row = "i1,2026-12-01T10:00:00Z,,SEV3,,\n";
    let dir = project(
        &[("a/incidents.csv", &format!("{INCIDENTS}{row}")), ("b/incidents.csv", INCIDENTS)],
        &[incidents_only()],
    );
    let p = dir.path().join("project");
    let p = p.to_str().unwrap();
    // On 7 December the 7th is still under way: the whole year would be judged complete.
    let (code, out, err) = yardstick_on("2026-12-07", &["query", "incidents", "-p", p, "--as-of", "2026-12-31"]);
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty(), "{out}");
    assert!(
        err.contains("[E0804] Error: --as-of 2026-12-31 has not ended yet at site `a`: it is 2026-12-07 there"),
        "{err}"
    );
    assert!(err.contains("give a day up to 2026-12-06"), "{err}");
    let (code, _, err) = yardstick_on("2026-12-07", &["query", "incidents", "-p", p, "--as-of", "2026-12-07"]);
    assert_eq!(code, 2, "today itself has not ended: {err}");
    let (code, _, err) = yardstick_on("2026-12-07", &["build", "-p", p, "--as-of", "2027-01-01", "--quiet"]);
    assert_eq!(code, 2, "{err}");
    assert!(!dir.path().join("project/out").exists(), "nothing written");
    // Without --as-of: the 6th, the last day ended everywhere; its quarter is still partial.
    let (code, out, err) = yardstick_on("2026-12-07", &["query", "incidents", "-p", p, "--format", "csv"]);
    assert_eq!(code, 0, "{err}");
    let last = out.lines().find(|l| l.starts_with("incidents,1,a,2026-Q4,")).unwrap_or_else(|| panic!("{out}"));
    assert!(last.contains(",2026-10-01,2026-12-06,true,1,"), "the quarter runs to the 6th, partial, 1 case: {last}");
    let (code, _, err) = yardstick_on("07.12.2026", &["query", "incidents", "-p", p]);
    assert_eq!(code, 2);
    assert!(err.contains("YARDSTICK_TODAY=`07.12.2026` is not a day"), "{err}");
}

/// The project's `incidents` binding with `options` (YAML flow-mapping entries).
fn incidents_written(options: &'static str) -> Edit {
    Edit::Replace {
        file: "project/yardstick.yaml",
        find: "incidents: {file: \"data/{site}/incidents.csv\"}",
        with: options,
    }
}

/// `check --data --verbose` of the project in `dir`: exit status and standard error.
fn check_data(dir: &tempfile::TempDir) -> (i32, String) {
    let p = dir.path().join("project");
    let (code, _, err) = yardstick_on("2026-12-07", &["check", "--data", "--verbose", "-p", p.to_str().unwrap()]);
    (code, err)
}

#[test]
fn a_year_of_two_digits_under_a_four_digit_pattern_is_an_error_naming_the_row() {
    // `17.07.25 06:10` under `%d.%m.%Y %H:%M` would be 17 July of the year 25: the row
    // would fall out of every period without a word.
    let header = INCIDENTS.replace(',', ";");
    let a = format!("{header}i1;17.07.2025 06:10;;SEV3;;\ni2;17.07.25 06:10;;SEV3;;\n");
    let b = format!("{header}j1;31.11.2025 08:00;;P3;;\n");
    let dir = project(
        &[("a/incidents.csv", &a), ("b/incidents.csv", &b)],
        &[
            incidents_only(),
            incidents_written(
                r#"incidents: {file: "data/{site}/incidents.csv", csv: {delimiter: ";"}, datetime_format: "%d.%m.%Y %H:%M"}"#,
            ),
        ],
    );
    let (code, err) = check_data(&dir);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("row 2 (line 3), column `detected_at`: `17.07.25 06:10` is not a datetime written `%d.%m.%Y %H:%M` with its year written in full (`17.07.25 06:10` would be in the year 25)"),
        "{err}"
    );
    // A day that does not exist is said to be one, not a format mismatch.
    assert!(err.contains("`31.11.2025 08:00` is not a day that exists: November 2025 has 30 days"), "{err}");
}

#[test]
fn utf8_under_a_single_byte_encoding_is_named_with_the_fix_and_a_byte_order_mark_is_no_part_of_a_name() {
    let windows_1252 =
        incidents_written(r#"incidents: {file: "data/{site}/incidents.csv", csv: {encoding: windows-1252}}"#);
    // Saved as UTF-8 by a tool that does not ask: `Störung` would read as `StÃ¶rung`.
    let a = format!("{INCIDENTS}i1,2025-07-17T06:10:00Z,,SEV3,,St\u{f6}rung\n");
    // Excel's "CSV UTF-8" starts with a byte-order mark, and is ASCII here.
    let b = format!("\u{feff}{INCIDENTS}j1,2025-07-17T06:10:00Z,,P3,,\n");
    let dir = project(&[("a/incidents.csv", &a), ("b/incidents.csv", &b)], &[incidents_only(), windows_1252]);
    let (code, err) = check_data(&dir);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("incidents.csv: it is UTF-8 text, not windows-1252: `Störung` would read as `StÃ¶rung`"),
        "{err}"
    );
    assert!(err.contains("remove it (UTF-8 is the default)"), "{err}");
    // Site b's mark is not read into the first column's name: no missing `incident_id`.
    assert!(!err.contains("incident_id"), "{err}");
    assert_eq!(err.matches("[E0704]").count(), 1, "{err}");
    // Excel's "Unicode text" (UTF-16 with its mark) is named too, under the default UTF-8.
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(INCIDENTS.encode_utf16().flat_map(|u| u.to_le_bytes()));
    std::fs::write(dir.path().join("project/data/a/incidents.csv"), utf16).unwrap();
    let plain = dir.path().join("project/yardstick.yaml");
    let text = std::fs::read_to_string(&plain).unwrap().replace(", csv: {encoding: windows-1252}", "");
    std::fs::write(&plain, text).unwrap();
    let (code, err) = check_data(&dir);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("it is UTF-16LE text (Excel's \"Unicode text\"), read here as UTF-8"), "{err}");
    assert!(err.contains("save it from Excel as \"CSV UTF-8\""), "{err}");
}

/// The engine project with incidents and assets only, one incident at site `a` naming an
/// asset that is in no snapshot (`A9`), one with no asset at all; the join written `join`
/// when given.
fn with_a_join_miss(join: Option<&'static str>) -> tempfile::TempDir {
    let a = format!(
        "{INCIDENTS}i1,2025-02-10T08:00:00Z,,SEV2,,A1\ni2,2025-02-11T08:00:00Z,,SEV2,,A9\ni3,2025-02-12T08:00:00Z,,SEV2,,\n"
    );
    let b = format!("{INCIDENTS}j1,2025-02-10T08:00:00Z,,P1,,B1\n");
    let assets = "asset_id,snapshot_on,critical,logging\n";
    let mut all = vec![Edit::Replace {
        file: "project/yardstick.yaml",
        find: "  downtime: {file: \"data/{site}/downtime.csv\"}\n  risks: {file: \"data/{site}/risks.csv\"}\n",
        with: "",
    }];
    all.extend(join.map(|with| Edit::Replace {
        file: "set/sources/incidents.yaml",
        find: "asset: {source: assets, on: asset_id}",
        with,
    }));
    project(
        &[
            ("a/incidents.csv", &a),
            ("b/incidents.csv", &b),
            ("a/assets.csv", &format!("{assets}A1,2024-01-01,true,false\n")),
            ("b/assets.csv", &format!("{assets}B1,2024-01-01,true,true\n")),
        ],
        &all,
    )
}

#[test]
fn a_join_key_without_a_partner_is_an_error_unless_the_join_says_otherwise() {
    let dir = with_a_join_miss(None);
    let p = dir.path().join("project");
    let p = p.to_str().unwrap();
    let query = ["query", "critical_incidents", "-p", p, "--as-of", "2025-03-31", "--format", "csv"];
    let said = "1 row of `incidents` at site `a` joins `asset` on `asset_id` to no row of `assets` known as of 2025-03-31: `A9`";
    let (code, out, err) = yardstick_on("2026-12-07", &query);
    assert_eq!(code, 1, "{err}");
    assert!(out.is_empty());
    assert!(err.contains(&format!("[E0710] Error: {said} (")), "{err}");
    assert!(err.contains("data/a/incidents.csv, row 2 (line 3))"), "{err}");
    // `check --data` names it too; the incident without an asset is no miss.
    let (code, err) = check_data(&dir);
    assert_eq!(code, 1, "{err}");
    assert_eq!(err.matches("[E0710]").count(), 1, "{err}");

    // `exclude`: left out, counted in the row of its period, and said.
    let dir = with_a_join_miss(Some("asset: {source: assets, on: asset_id, on_missing: exclude}"));
    let p = dir.path().join("project");
    let query = ["query", "critical_incidents", "-p", p.to_str().unwrap(), "--as-of", "2025-03-31", "--format", "csv"];
    let (code, out, err) = yardstick_on("2026-12-07", &query);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains(&format!("[W0706] Warning: {said} (")), "{err}");
    assert!(err.contains("left out of the metrics that read `asset`"), "{err}");
    let cell = columns(&out);
    let q1 = out.lines().find(|l| l.starts_with("critical_incidents,1,a,2025-Q1,")).unwrap();
    // A1 is critical: one incident counted, one left out.
    assert_eq!(
        (cell(q1, "value"), cell(q1, "excluded"), cell(q1, "excluded_reasons")),
        ("1".into(), "1".into(), "join_miss=1".into())
    );
    let pooled = out.lines().find(|l| l.starts_with("critical_incidents,1,all,2025-Q1,")).unwrap();
    assert_eq!(cell(pooled, "excluded_reasons"), "join_miss=1");
    let excluding = cell(q1, "fingerprint");
    // Only of those: `incidents` does not read `asset` and counts all three, whether it is
    // computed alone or beside `critical_incidents`.
    for metrics in [&["incidents"][..], &["incidents", "critical_incidents"]] {
        let mut args = vec!["query"];
        args.extend(metrics);
        args.extend(["-p", p.to_str().unwrap(), "--as-of", "2025-03-31", "--format", "csv"]);
        let (code, out, err) = yardstick_on("2026-12-07", &args);
        assert_eq!(code, 0, "{err}");
        let a = out.lines().find(|l| l.starts_with("incidents,1,a,2025-Q1,")).unwrap();
        assert_eq!((cell(a, "value"), cell(a, "excluded")), ("3".into(), "0".into()), "{metrics:?}: {a}");
    }

    // `keep`: kept with an empty asset (not critical, so not counted), and said.
    let dir = with_a_join_miss(Some("asset: {source: assets, on: asset_id, on_missing: keep}"));
    let p = dir.path().join("project");
    let query = ["query", "critical_incidents", "-p", p.to_str().unwrap(), "--as-of", "2025-03-31", "--format", "csv"];
    let (code, out, err) = yardstick_on("2026-12-07", &query);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("kept, with the columns of `asset` empty"), "{err}");
    let q1 = out.lines().find(|l| l.starts_with("critical_incidents,1,a,2025-Q1,")).unwrap();
    assert_eq!((cell(q1, "value"), cell(q1, "excluded")), ("1".into(), "0".into()));
    // What a miss does is part of the metric's meaning: its fingerprint tells them apart.
    assert_ne!(cell(q1, "fingerprint"), excluding);
}

#[test]
fn an_export_with_no_rows_is_no_data_unless_its_binding_says_there_was_nothing_to_report() {
    let a = format!("{INCIDENTS}i1,2025-02-10T08:00:00Z,,SEV2,,\n");
    let dir = project(&[("a/incidents.csv", &a), ("b/incidents.csv", INCIDENTS)], &[incidents_only()]);
    let p = dir.path().join("project");
    let query = ["query", "incidents", "-p", p.to_str().unwrap(), "--as-of", "2025-03-31", "--format", "csv"];
    let (code, out, err) = yardstick_on("2026-12-07", &query);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("holds no rows: the metrics over `incidents` have no value at site `b` (`no_data`), never a zero"),
        "{err}"
    );
    let cell = columns(&out);
    let b = out.lines().find(|l| l.starts_with("incidents,1,b,2025-Q1,")).unwrap();
    assert_eq!((cell(b, "value"), cell(b, "status")), (String::new(), "no_data".to_string()), "{b}");
    assert_eq!(cell(b, "status_note"), "the site's export of `incidents` holds no rows");
    // The pooled row pools site a alone, and says so.
    let pooled = out.lines().find(|l| l.starts_with("incidents,1,all,2025-Q1,")).unwrap();
    assert_eq!(cell(pooled, "value"), "1", "{pooled}");
    assert_eq!(cell(pooled, "status_note"), "pooled without b (no rows in its export of `incidents`)");

    // Said in the binding: a site with nothing to report counts zero, without a warning.
    let dir = project(
        &[("a/incidents.csv", &a), ("b/incidents.csv", INCIDENTS)],
        &[
            incidents_only(),
            incidents_written(r#"incidents: {file: "data/{site}/incidents.csv", empty: none_to_report}"#),
        ],
    );
    let p = dir.path().join("project");
    let query = ["query", "incidents", "-p", p.to_str().unwrap(), "--as-of", "2025-03-31", "--format", "csv"];
    let (code, out, err) = yardstick_on("2026-12-07", &query);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("W0705"), "{err}");
    let b = out.lines().find(|l| l.starts_with("incidents,1,b,2025-Q1,")).unwrap();
    assert_eq!(cell(b, "value"), "0", "{b}");
}

#[test]
fn a_binding_reads_the_exports_own_headers_as_the_schemas_columns() {
    // A German export: `Erkannt_am` is `detected_at`, for this site only.
    let german = "incident_id,Erkannt_am,contained_at,severity,cost_eur,asset_id\ni1,2025-02-10T08:00:00Z,,SEV2,,\n";
    let b = format!("{INCIDENTS}j1,2025-02-10T08:00:00Z,,P1,,\n");
    let site_a = Edit::Replace {
        file: "project/yardstick.yaml",
        find: "a: {rollout: 2024-07-01, timezone: Europe/Berlin}",
        with: "a: {rollout: 2024-07-01, timezone: Europe/Berlin, sources: {incidents: {columns: {detected_at: Erkannt_am}}}}",
    };
    let dir = project(&[("a/incidents.csv", german), ("b/incidents.csv", &b)], &[incidents_only(), site_a]);
    let p = dir.path().join("project");
    let query = ["query", "incidents", "-p", p.to_str().unwrap(), "--as-of", "2025-03-31", "--format", "csv"];
    let (code, out, err) = yardstick_on("2026-12-07", &query);
    assert_eq!(code, 0, "{err}");
    for site in ["a", "b"] {
        let row = out.lines().find(|l| l.starts_with(&format!("incidents,1,{site},2025-Q1,"))).unwrap();
        assert!(row.contains(",false,1,"), "one incident at {site}: {row}");
    }
    // Without the rename, the column is missing; a rename of a column the source lacks
    // is an error in yardstick.yaml.
    let yaml = dir.path().join("project/yardstick.yaml");
    let text = std::fs::read_to_string(&yaml).unwrap();
    std::fs::write(&yaml, text.replace("{detected_at: Erkannt_am}", "{detected_on: Erkannt_am}")).unwrap();
    let (code, _, err) = yardstick_on("2026-12-07", &query);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("`columns:` renames `detected_on`, which is no column of `incidents`"), "{err}");
    assert!(err.contains("did you mean `detected_at`?"), "{err}");
    // Nor may it read a column from another column's own name.
    let text = std::fs::read_to_string(&yaml).unwrap();
    std::fs::write(&yaml, text.replace("{detected_on: Erkannt_am}", "{detected_at: contained_at}")).unwrap();
    let (code, _, err) = yardstick_on("2026-12-07", &query);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(
            "reads `detected_at` of `incidents` from the header `contained_at`, which is a column of `incidents` itself"
        ),
        "{err}"
    );
}

#[test]
fn rows_dated_before_the_projects_start_are_counted_and_named() {
    // The project starts on 1 January 2024; an incident of December 2023 counts nowhere.
    let a = format!("{INCIDENTS}i0,2023-12-15T08:00:00Z,,SEV2,,\ni1,2024-02-10T08:00:00Z,,SEV2,,\n");
    let b = format!("{INCIDENTS}j1,2024-02-10T08:00:00Z,,P1,,\n");
    let dir = project(&[("a/incidents.csv", &a), ("b/incidents.csv", &b)], &[incidents_only()]);
    let (code, err) = check_data(&dir);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("[N0701] Note: 1 row(s) of `incidents` at site `a` are dated by `detected_at` before the project's start, counted in the first period as left out (`before_start`)"),
        "{err}"
    );
    assert!(err.contains("data/a/incidents.csv, row 1 (line 2)"), "{err}");
    let p = dir.path().join("project");
    let query = ["query", "incidents", "-p", p.to_str().unwrap(), "--as-of", "2025-03-31", "--format", "csv"];
    let (code, out, err) = yardstick_on("2026-12-07", &query);
    assert_eq!(code, 0, "{err}");
    // Counted in the first period's row, beside the one incident it has.
    let first = out.lines().find(|l| l.starts_with("incidents,1,a,2024-Q1,")).unwrap();
    assert!(first.contains(",false,1,1,before_start=1,"), "{first}");
    let later = out.lines().find(|l| l.starts_with("incidents,1,a,2024-Q2,")).unwrap();
    assert!(later.contains(",0,0,,"), "{later}");
}

#[test]
fn sources_no_site_exports_are_said_once_and_notes_are_counted_in_one_line() {
    let a = format!("{INCIDENTS}i1,2025-02-10T08:00:00Z,,SEV2,,\n");
    let dir = project(&[("a/incidents.csv", &a), ("b/incidents.csv", &a)], &[incidents_only()]);
    let p = dir.path().join("project");
    let p = p.to_str().unwrap();
    // Three sources unbound: three notes, counted in one line; --verbose shows each.
    let (code, _, err) = yardstick_on("2026-12-07", &["check", "-p", p]);
    assert_eq!(code, 0, "{err}");
    let notes: Vec<&str> = err.lines().filter(|l| l.contains("Note") || l.starts_with("note:")).collect();
    let folded = "note: 3 notes, nothing to fix (N0610 ×3); `--verbose` shows each, `yardstick explain N0610` says what it means";
    assert_eq!(notes, [folded], "{err}");
    let (_, _, err) = yardstick_on("2026-12-07", &["check", "-p", p, "--verbose"]);
    assert_eq!(err.matches("[N0610] Note: source `").count(), 3, "{err}");
    // Said once in yardstick.yaml: no note at all, and their metrics are not collected.
    let yaml = dir.path().join("project/yardstick.yaml");
    let text = std::fs::read_to_string(&yaml).unwrap();
    let said = "sources:\n  downtime: none\n  risks: none\n  assets: none\n";
    std::fs::write(&yaml, text.replace("sources:\n", said)).unwrap();
    let (code, _, err) = yardstick_on("2026-12-07", &["check", "-p", p]);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("N0610") && !err.contains("note:"), "{err}");
    let (code, out, err) =
        yardstick_on("2026-12-07", &["query", "open_risks", "-p", p, "--as-of", "2025-03-31", "--format", "csv"]);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("N0610"), "{err}");
    let a = out.lines().find(|l| l.starts_with("open_risks,1,a,2025-Q1,")).unwrap();
    assert!(a.contains(",not_collected,"), "{a}");
}

#[test]
fn a_strict_build_fails_on_a_data_note_after_writing_everything() {
    let a = format!("{INCIDENTS}i1,2025-02-10T08:00:00Z,,SEV2,,\n");
    let dir = project(&[("a/incidents.csv", &a), ("b/incidents.csv", &a)], &[incidents_only()]);
    let p = dir.path().join("project");
    let p = p.to_str().unwrap();
    let build = ["build", "-p", p, "--as-of", "2025-03-31", "--quiet", "--strict"];
    let (code, _, err) = yardstick_on("2026-12-07", &build);
    assert_eq!(code, 0, "clean data: {err}");
    // An empty export at b: written, and exit 3 naming the note.
    std::fs::write(dir.path().join("project/data/b/incidents.csv"), INCIDENTS).unwrap();
    let (code, _, err) = yardstick_on("2026-12-07", &build);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("error: --strict: the data has notes (W0705); everything was written"), "{err}");
    assert!(dir.path().join("project/out/results.csv").is_file());
    // Without --strict the same build succeeds.
    let (code, _, err) = yardstick_on("2026-12-07", &build[..build.len() - 1]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn a_project_of_one_site_is_counted_as_one_site() {
    let one = Edit::Replace {
        file: "project/yardstick.yaml",
        find: "  b: {rollout: 2024-07-01, mappings: sites/b.yaml}\n",
        with: "",
    };
    let dir = project(&[], &[one]);
    let p = dir.path().join("project");
    let (code, out, err) = yardstick_on("2026-12-07", &["check", "-p", p.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains(", 1 site (definition set"), "{out}");
}

#[test]
fn a_renamed_column_comes_from_its_own_header_only_and_a_header_names_a_column_once() {
    // `Schweregrad` is read as `severity`: a file that also has `severity` is ambiguous,
    // and one without `Schweregrad` lacks the column, whatever else it has.
    let header = "incident_id,detected_at,contained_at,Schweregrad,cost_eur,asset_id";
    let both = format!("{header},severity\ni1,2025-02-10T08:00:00Z,,SEV1,,,SEV4\n");
    let rename = Edit::Replace {
        file: "project/yardstick.yaml",
        find: "incidents: {file: \"data/{site}/incidents.csv\"}",
        with: "incidents: {file: \"data/{site}/incidents.csv\", columns: {severity: Schweregrad}}",
    };
    let dir = project(&[("a/incidents.csv", &both), ("b/incidents.csv", &both)], &[incidents_only(), rename]);
    let (code, err) = check_data(&dir);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(
            "has both `Schweregrad`, which its binding reads as `severity` of `incidents`, and a column `severity`"
        ),
        "{err}"
    );
    let wrong = format!("{}\ni1,2025-02-10T08:00:00Z,,SEV1,,\n", INCIDENTS.trim_end());
    std::fs::write(dir.path().join("project/data/a/incidents.csv"), &wrong).unwrap();
    std::fs::write(dir.path().join("project/data/b/incidents.csv"), &wrong).unwrap();
    let (code, err) = check_data(&dir);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("column `severity` (read from the header `Schweregrad`, as its binding's `columns:` says) of source `incidents` is missing"), "{err}");
    // A header that names a column twice is refused, not read half.
    let dir = project(
        &[
            (
                "a/incidents.csv",
                &format!("{}\ni1,2025-02-10T08:00:00Z,,SEV1,,,SEV4\n", INCIDENTS.trim_end().to_string() + ",severity"),
            ),
            ("b/incidents.csv", INCIDENTS),
        ],
        &[incidents_only()],
    );
    let (code, err) = check_data(&dir);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("its header names the column `severity` twice"), "{err}");
}

#[test]
fn an_empty_export_has_no_baseline_either() {
    let a = format!("{INCIDENTS}i1,2024-02-10T08:00:00Z,,SEV2,,\n");
    let dir = project(&[("a/incidents.csv", &a), ("b/incidents.csv", INCIDENTS)], &[incidents_only()]);
    let p = dir.path().join("project");
    let query = ["query", "incidents", "-p", p.to_str().unwrap(), "--as-of", "2025-03-31", "--format", "json"];
    let (code, out, err) = yardstick_on("2026-12-07", &query);
    assert_eq!(code, 0, "{err}");
    let rows: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    let b: Vec<&serde_json::Value> = rows.iter().filter(|r| r["site"] == "b").collect();
    assert!(!b.is_empty());
    assert!(b.iter().all(|r| r["value"].is_null() && r["baseline"].is_null() && r["status"] == "no_data"), "{b:?}");
}

#[test]
fn a_derived_metric_counts_the_rows_left_out_of_its_parts() {
    // One incident at a left out for its code (unmapped: exclude): `incidents` leaves it
    // out, and so does `hours_per_incident`, which divides by it.
    let a = format!("{INCIDENTS}i1,2025-02-10T08:00:00Z,,SEV2,,\ni2,2025-02-11T08:00:00Z,,SEVX,,\n");
    let b = format!("{INCIDENTS}j1,2025-02-10T08:00:00Z,,P1,,\n");
    let downtime = "event_id,started_at,duration_min,cause,line\nd1,2025-02-10T09:00:00Z,120,cyber,L1\n";
    let edits = [
        Edit::Replace {
            file: "project/yardstick.yaml",
            find: "  risks: {file: \"data/{site}/risks.csv\"}\n  assets: {file: \"data/{site}/assets.csv\"}\n",
            with: "",
        },
        Edit::Replace {
            file: "project/yardstick.yaml",
            find: "start: 2024-01-01",
            with: "start: 2024-01-01\nunmapped: exclude",
        },
    ];
    let files = [
        ("a/incidents.csv", a.as_str()),
        ("b/incidents.csv", &b),
        ("a/downtime.csv", downtime),
        ("b/downtime.csv", downtime),
    ];
    let dir = project(&files, &edits);
    let p = dir.path().join("project");
    let query = ["query", "hours_per_incident", "-p", p.to_str().unwrap(), "--as-of", "2025-03-31", "--format", "json"];
    let (code, out, err) = yardstick_on("2026-12-07", &query);
    assert_eq!(code, 0, "{err}");
    let rows: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    let a = rows.iter().find(|r| r["site"] == "a" && r["period"] == "2025-Q1").unwrap();
    assert_eq!(
        (&a["excluded"], &a["excluded_reasons"]),
        (&serde_json::json!(1), &serde_json::json!("unmapped=1")),
        "{a}"
    );
    let b = rows.iter().find(|r| r["site"] == "b" && r["period"] == "2025-Q1").unwrap();
    assert_eq!(b["excluded"], 0, "{b}");
}

#[test]
fn a_short_year_is_refused_without_a_pattern_too_and_on_the_command_line() {
    // ISO dates without a pattern: `25-07-17` would be 17 July of the year 25.
    let risks = "risk_id,opened_on,closed_on,rating\nr1,25-07-17,,4\n";
    let incidents = format!("{INCIDENTS}i1,25-07-17T06:10:00,,SEV3,,\n");
    let edit = Edit::Replace {
        file: "project/yardstick.yaml",
        find: "  downtime: {file: \"data/{site}/downtime.csv\"}\n",
        with: "",
    };
    let assets = Edit::Replace {
        file: "project/yardstick.yaml",
        find: "  assets: {file: \"data/{site}/assets.csv\"}\n",
        with: "",
    };
    let files = [
        ("a/risks.csv", risks),
        ("b/risks.csv", risks),
        ("a/incidents.csv", &incidents),
        ("b/incidents.csv", &incidents),
    ];
    let dir = project(&files, &[edit, assets]);
    let (code, err) = check_data(&dir);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(
            "`25-07-17` is not a date (YYYY-MM-DD) with its year written in full (`25-07-17` would be in the year 25)"
        ),
        "{err}"
    );
    assert!(err.contains("`25-07-17T06:10:00` is not a datetime"), "{err}");
    let p = dir.path().join("project");
    let (code, _, err) =
        yardstick_on("2026-12-07", &["query", "incidents", "-p", p.to_str().unwrap(), "--as-of", "25-12-31"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("`25-12-31` is not a date; write YYYY-MM-DD"), "{err}");
}

#[test]
fn the_example_builds_strict() {
    // Acme's exports hold restore tests older than its start (history, counted as
    // `before_start`), and nothing wrong: a scheduled build with --strict passes.
    let dir = crate::util::acme_copy();
    let p = dir.path().to_str().unwrap();
    let (code, _, err) =
        yardstick_on("2026-12-07", &["build", "-p", p, "--as-of", "2025-12-31", "--quiet", "--strict"]);
    assert_eq!(code, 0, "{err}");
    // The manifest names the rules its values were computed by.
    let manifest = std::fs::read_to_string(dir.path().join("out/manifest.json")).unwrap();
    assert!(manifest.contains("\"value_rules\": \"values-2\""), "{manifest}");
}
