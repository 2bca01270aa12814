//! Data trust for the scheduled build (issue 27): every input that would change a number
//! in silence is an error or a visible note, never a quietly different number.

use crate::util::{Edit, apply, copy_dir, fixture, yardstick_on};

const INCIDENTS: &str = "incident_id,detected_at,contained_at,severity,cost_eur,asset_id\n";

/// The engine fixture with site `a` in Berlin (`b` keeps UTC) and the given data files.
fn project(files: &[(&str, &str)], edits: &[Edit]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("engine"), dir.path());
    apply(
        dir.path(),
        &Edit::Replace {
            file: "project/yardstick.yaml",
            find: "a: {rollout: 2024-07-01}",
            with: "a: {rollout: 2024-07-01, timezone: Europe/Berlin}",
        },
    );
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
    assert!(err.contains("--as-of 2026-12-31 has not ended yet at site `a`: it is 2026-12-07 there"), "{err}");
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

/// `check --data` of the project in `dir`: exit status and standard error.
fn check_data(dir: &tempfile::TempDir) -> (i32, String) {
    let p = dir.path().join("project");
    let (code, _, err) = yardstick_on("2026-12-07", &["check", "--data", "-p", p.to_str().unwrap()]);
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
        err.contains("row 2 (line 3), column `detected_at`: `17.07.25 06:10` is not a datetime written `%d.%m.%Y %H:%M` with its year in four digits (`17.07.25 06:10` would be in the year 25)"),
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
