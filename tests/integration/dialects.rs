//! A plant's own CSV dialect (SPEC section 7): Brno's exports rewritten the way a local
//! Excel writes them (semicolons, decimal commas, Windows-1250, `tak`/`nie`, `N/A`,
//! `dd.mm.yyyy` dates and `dd.mm.yyyy HH:MM` datetimes), described under the site, give
//! the numbers of the same rows exported plainly; Lyon and Porto stay plain UTF-8.

use std::fs;
use std::path::{Path, PathBuf};

const SITE_DIALECT: &str = r#"{csv: {delimiter: ";", decimal: ",", encoding: windows-1250, "true": [tak], "false": [nie], "null": ["N/A"]}, date_format: "%d.%m.%Y", datetime_format: "%d.%m.%Y %H:%M"}"#;

/// A copy of the Acme example reading the shipped definition set, with Brno's exports
/// `plain` (UTF-8, as generated) or in its own dialect. In both, Brno's datetimes are cut
/// to the minute (the dialect writes none) and its code for an unknown cause is Czech.
fn acme(dialect: bool) -> tempfile::TempDir {
    let dir = crate::util::acme_copy();
    let project = dir.path().join("yardstick.yaml");
    let mut text = fs::read_to_string(&project).unwrap();
    let mappings = dir.path().join("sites/brno.yaml");
    let czech = fs::read_to_string(&mappings).unwrap().replace("\"NEZNAMO\"", "\"NEZNÁMO\"");
    fs::write(&mappings, czech).unwrap();
    let mut own = String::from("    sources:\n");
    for file in csv_files(&dir.path().join("data/brno")) {
        let plain = fs::read_to_string(&file).unwrap().replace(",NEZNAMO,", ",NEZNÁMO,");
        let plain = cells_map(&plain, ',', ',', to_the_minute);
        if dialect {
            let local = cells_map(&plain, ',', ';', polish);
            let (bytes, _, unmappable) = encoding_rs::WINDOWS_1250.encode(&local);
            assert!(!unmappable);
            fs::write(&file, bytes).unwrap();
            let source = file.file_stem().unwrap().to_str().unwrap();
            own.push_str(&format!("      {source}: {SITE_DIALECT}\n"));
        } else {
            fs::write(&file, plain).unwrap();
        }
    }
    if dialect {
        text = text.replace("    mappings: sites/brno.yaml\n", &format!("    mappings: sites/brno.yaml\n{own}"));
    }
    fs::write(&project, text).unwrap();
    dir
}

fn csv_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    files
}

/// Every cell of a simple CSV (no quotes in the generated exports) through `f`, written
/// with `to` between cells and quoted when it holds `to`.
fn cells_map(text: &str, from: char, to: char, f: fn(&str) -> String) -> String {
    let mut lines = text.lines();
    let mut out = lines.next().unwrap().replace(from, &to.to_string()) + "\n";
    for line in lines {
        let cells: Vec<String> =
            line.split(from).map(f).map(|c| if c.contains(to) { format!("\"{c}\"") } else { c }).collect();
        out += &(cells.join(&to.to_string()) + "\n");
    }
    out
}

/// `2022-01-05T09:22:41Z` as `2022-01-05T09:22:00Z`; any other cell as it is.
fn to_the_minute(cell: &str) -> String {
    let b = cell.as_bytes();
    if b.len() == 20 && b[10] == b'T' && b[19] == b'Z' { format!("{}00Z", &cell[..17]) } else { cell.to_string() }
}

/// A cell as the Polish export writes it: datetimes in Brno's wall-clock time, which the
/// dialect, without an offset, is read as.
fn polish(cell: &str) -> String {
    let b = cell.as_bytes();
    let iso_date = |s: &str| s.len() == 10 && s.as_bytes()[4] == b'-' && s.as_bytes()[7] == b'-';
    match cell {
        "" => "N/A".into(),
        "true" => "tak".into(),
        "false" => "nie".into(),
        _ if b.len() == 20 && b[10] == b'T' && iso_date(&cell[..10]) => {
            use chrono::TimeZone as _;
            let utc = chrono::NaiveDateTime::parse_from_str(cell, "%Y-%m-%dT%H:%M:%SZ").unwrap();
            chrono_tz::Europe::Prague.from_utc_datetime(&utc).format("%d.%m.%Y %H:%M").to_string()
        }
        _ if iso_date(cell) => format!("{}.{}.{}", &cell[8..10], &cell[5..7], &cell[..4]),
        _ if cell.parse::<f64>().is_ok() && cell.contains('.') => cell.replace('.', ","),
        _ => cell.to_string(),
    }
}

fn yardstick(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let project = ["-p", dir.to_str().unwrap()];
    crate::util::yardstick(&[args, &project[..]].concat())
}

#[test]
fn a_sites_own_dialect_gives_the_numbers_of_the_plain_export_of_the_same_rows() {
    let (plain, local) = (acme(false), acme(true));
    let written = fs::read(local.path().join("data/brno/downtime.csv")).unwrap();
    assert!(written.starts_with(b"event_id;recorded_at;started_at;duration_min"), "semicolons");
    assert!(written.windows(8).any(|w| w == b"NEZN\xC1MO;"), "Windows-1250 `Á`");
    let assets = fs::read_to_string(local.path().join("data/brno/assets.csv")).unwrap();
    assert!(assets.contains(";tak;") && assets.contains(";nie;") && assets.contains(".2022;"), "{assets:.300}");
    for dir in [&plain, &local] {
        let (code, out, err) = yardstick(dir.path(), &["check", "--data"]);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("every value parsed"), "{out}");
    }
    let (_, listing, _) = yardstick(plain.path(), &["metrics"]);
    let ids: Vec<&str> = listing.lines().skip(4).filter_map(|l| l.split_whitespace().next()).collect();
    assert!(ids.len() >= 40, "{listing}");
    let mut args = vec!["query"];
    args.extend(&ids);
    args.extend(["--as-of", "2025-12-31", "--format", "csv", "--site", "brno"]);
    let (code, from_plain, err) = yardstick(plain.path(), &args);
    assert_eq!(code, 0, "{err}");
    let (code, from_local, err) = yardstick(local.path(), &args);
    assert_eq!(code, 0, "{err}");
    assert!(from_plain.lines().count() > 900, "{from_plain:.500}");
    // Polars' parallel float sums may differ in the last bits from run to run.
    assert_eq!(crate::util::to_nine_decimals(&from_plain), crate::util::to_nine_decimals(&from_local));
}

#[test]
fn a_value_outside_the_dialect_names_the_binding_to_describe_it_in() {
    let local = acme(true);
    let file = local.path().join("data/brno/incident_costs.csv");
    let text = encoding_rs::WINDOWS_1250.decode(&fs::read(&file).unwrap()).0.into_owned();
    // The first row's `booked_on` written the ISO way, as another tool would.
    let line = text.lines().nth(1).unwrap().to_string();
    let mut cells: Vec<String> = line.split(';').map(String::from).collect();
    let (d, m, y) = (&cells[2][..2], &cells[2][3..5], &cells[2][6..]);
    let iso = format!("{y}-{m}-{d}");
    cells[2] = iso.clone();
    fs::write(&file, text.replacen(&line, &cells.join(";"), 1)).unwrap();
    let (code, _, err) = yardstick(local.path(), &["check", "--data"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(&format!("row 1 (line 2), column `booked_on`: `{iso}` is not a date written `%d.%m.%Y`")),
        "{err}"
    );
    assert!(err.contains("the binding `sites.brno.sources.incident_costs` in yardstick.yaml"), "{err}");
}

/// `text` (a simple CSV) as NDJSON, every value a string, empty cells null.
fn ndjson(text: &str) -> String {
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let mut out = String::new();
    for line in lines {
        let fields: Vec<String> = header
            .iter()
            .zip(line.split(','))
            .map(|(k, v)| if v.is_empty() { format!("\"{k}\":null") } else { format!("\"{k}\":\"{v}\"") })
            .collect();
        out += &format!("{{{}}}\n", fields.join(","));
    }
    out
}

#[test]
fn a_site_exporting_ndjson_does_not_inherit_the_projects_csv_options() {
    let dir = acme(false);
    let project = dir.path().join("yardstick.yaml");
    let text = fs::read_to_string(&project).unwrap();
    let args =
        ["query", "containment_hours_significant", "security_incidents", "--as-of", "2025-12-31", "--format", "csv"];
    let (code, before, err) = yardstick(dir.path(), &args);
    assert_eq!(code, 0, "{err}");
    let lyon = dir.path().join("data/lyon");
    fs::write(lyon.join("incidents.ndjson"), ndjson(&fs::read_to_string(lyon.join("incidents.csv")).unwrap())).unwrap();
    fs::remove_file(lyon.join("incidents.csv")).unwrap();
    let text = text
        .replace(
            "  incidents: {file: \"data/{site}/incidents.csv\"}",
            "  incidents: {file: \"data/{site}/incidents.csv\", csv: {delimiter: \",\", \"null\": [\"-\"]}}",
        )
        .replace(
            "    rollout: 2023-01-01\n",
            "    rollout: 2023-01-01\n    sources: {incidents: {file: \"data/lyon/incidents.ndjson\"}}\n",
        );
    fs::write(&project, text).unwrap();
    let (code, after, err) = yardstick(dir.path(), &args);
    assert_eq!(code, 0, "{err}");
    assert_eq!(before, after);
}
