//! What a user sees, pinned: the output and exit code of every command on every fixture,
//! snapshotted with insta-cmd. A refactor that changes a byte of it fails here; a
//! deliberate change is reviewed in the snapshot's diff.

use insta_cmd::{assert_cmd_snapshot, get_cargo_bin};
use std::path::Path;
use std::process::Command;

const AS_OF: &str = "2025-12-31";

/// The command `yardstick args…`, run from `cwd` (the repository's root unless a test
/// says otherwise: every path below is relative to it), with colour off.
fn yardstick(cwd: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(get_cargo_bin("yardstick"));
    // Today is fixed: the default `as_of` is the day before it.
    command.args(args).current_dir(cwd).env("NO_COLOR", "1").env("YARDSTICK_TODAY", TODAY);
    command
}

/// Snapshots `yardstick args…` run in the repository's root under `name`, with `dir` (a
/// temporary folder) written `[TMP]`.
fn pin(name: &str, args: &[&str], dir: Option<&Path>) {
    pin_in(Path::new(env!("CARGO_MANIFEST_DIR")), name, args, dir);
}

/// The day the pinned commands run on.
const TODAY: &str = "2026-12-07";

/// [`pin`] run in `cwd`. What changes from run to run is filtered: the default `as_of`
/// (the day before [`TODAY`]), the time a build took, the repository's place.
fn pin_in(cwd: &Path, name: &str, args: &[&str], dir: Option<&Path>) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_suffix(name);
    settings.set_prepend_module_to_snapshot(false);
    if let Some(dir) = dir {
        settings.add_filter(&regex::escape(&dir.display().to_string()), "[TMP]");
    }
    settings.add_filter(&regex::escape(env!("CARGO_MANIFEST_DIR")), "[REPO]");
    let yesterday = chrono::NaiveDate::parse_from_str(TODAY, "%Y-%m-%d").unwrap().pred_opt().unwrap();
    settings.add_filter(&yesterday.to_string(), "[YESTERDAY]");
    settings.add_filter(r" in \d+(\.\d+)? m?s\b", " in [TIME]");
    settings.bind(|| assert_cmd_snapshot!("commands", yardstick(cwd, args)));
}

/// A few valid rows of every source of the engine fixture at both sites.
pub const ENGINE_DATA: &[(&str, &str)] = &[
    (
        "a/incidents.csv",
        "incident_id,detected_at,contained_at,severity,cost_eur,asset_id\ni1,2024-02-10T08:00:00Z,2024-02-10T20:00:00Z,SEV2,1200,A1\ni2,2024-08-16T09:00:00Z,2024-08-17T09:00:00Z,SEV1,300,A2\ni3,2025-11-02T12:00:00Z,,SEV3,,\n",
    ),
    (
        "b/incidents.csv",
        "incident_id,detected_at,contained_at,severity,cost_eur,asset_id\nj1,2024-03-01T10:00:00Z,2024-03-01T16:00:00Z,P1,50,B1\nj2,2025-05-05T05:00:00Z,2025-05-06T05:00:00Z,P3,80,B1\n",
    ),
    (
        "a/downtime.csv",
        "event_id,started_at,duration_min,cause,line\nd1,2024-03-03T03:00:00Z,120,cyber,L1\nd2,2025-10-10T10:00:00Z,45,equipment,L2\n",
    ),
    (
        "b/downtime.csv",
        "event_id,started_at,duration_min,cause,line\ne1,2024-05-05T05:00:00Z,60,CYB,L1\ne2,2025-02-02T02:00:00Z,30,CFG,L1\n",
    ),
    ("a/risks.csv", "risk_id,opened_on,closed_on,rating\nr1,2023-12-01,2024-09-30,4\nr2,2025-01-15,,2\n"),
    ("b/risks.csv", "risk_id,opened_on,closed_on,rating\ns1,2024-02-01,,5\n"),
    (
        "a/assets.csv",
        "asset_id,snapshot_on,critical,logging\nA1,2024-01-01,true,false\nA2,2024-01-01,false,true\nA1,2025-01-01,true,true\n",
    ),
    ("b/assets.csv", "asset_id,snapshot_on,critical,logging\nB1,2024-01-01,true,true\n"),
];

/// The engine fixture with a few rows of data at both sites, in a temporary folder.
pub fn engine_with_data() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    crate::util::copy_dir(&crate::util::fixture("engine"), dir.path());
    for (path, text) in ENGINE_DATA {
        let path = dir.path().join("project/data").join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

const ENGINE: &str = "tests/fixtures/engine/project";
/// The engine fixture with data, relative to [`engine_with_data`]'s folder.
const DATA: &str = "project";
const SPEC: &str = "tests/fixtures/spec/project";
const ACME: &str = "examples/acme";

#[test]
fn check_on_every_fixture() {
    pin("check-spec-project", &["check", "-p", SPEC], None);
    pin("check-spec-set", &["check", "-p", "tests/fixtures/spec/set"], None);
    pin("check-engine-no-data", &["check", "-p", ENGINE, "--data"], None);
    let engine = engine_with_data();
    pin_in(engine.path(), "check-engine-data", &["check", "-p", DATA, "--data"], None);
    pin("check-acme-data", &["check", "-p", ACME, "--data"], None);
    pin("check-shipped-set", &["check", "-p", "metrics"], None);
    pin("check-missing-folder", &["check", "-p", "tests/fixtures/nowhere"], None);
}

#[test]
fn metrics_lists_and_filters() {
    pin("metrics-acme", &["metrics", "-p", ACME], None);
    pin("metrics-acme-leadership", &["metrics", "-p", ACME, "--tag", "leadership"], None);
    pin("metrics-unknown-tag", &["metrics", "-p", ACME, "--tag", "nosuchtag"], None);
    pin("metrics-engine", &["metrics", "-p", ENGINE], None);
}

#[test]
fn query_in_every_format_and_error() {
    let data = engine_with_data();
    let engine = |name: &str, extra: &[&str]| {
        let mut args = vec!["query", "-p", DATA, "--as-of", AS_OF];
        args.extend_from_slice(extra);
        pin_in(data.path(), name, &args, None);
    };
    engine("query-engine-table", &["incidents", "security_downtime_hours", "major_share"]);
    engine("query-engine-csv", &["mttr_hours", "p90_cost", "cost_stats", "--format", "csv"]);
    engine("query-engine-json", &["open_risks", "--format", "json"]);
    engine("query-engine-by", &["downtime_by_line", "hours_per_incident", "--format", "csv"]);
    engine("query-engine-pooled-year", &["logging_coverage", "--site", "all", "--grain", "year"]);
    engine("query-engine-one-site", &["critical_incidents", "--site", "b"]);
    engine("query-unknown-metric", &["incidnts"]);
    engine("query-unknown-site", &["incidents", "--site", "z"]);
    pin("query-acme-tag", &["query", "-p", ACME, "--as-of", AS_OF, "--tag", "leadership", "--format", "csv"], None);
    pin("query-bad-date", &["query", "-p", ENGINE, "--as-of", "2025-13-01", "incidents"], None);
}

/// `explain` of every engine fixture metric: its meaning, lineage and the neutral plan.
#[test]
fn explain_every_engine_metric_and_a_code() {
    let metrics = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/engine/set/metrics"))
        .unwrap()
        .map(|e| e.unwrap().path().file_stem().unwrap().to_string_lossy().into_owned());
    let mut metrics: Vec<String> = metrics.collect();
    metrics.sort();
    for metric in &metrics {
        pin(&format!("explain-{metric}"), &["explain", metric, "-p", ENGINE, "--as-of", AS_OF], None);
    }
    pin("explain-code", &["explain", "E0304"], None);
    // A whole float is printed as the language writes it (`7.0`), so it reads back as a float.
    let float = ["explain", "aged_high_vulnerability_share", "-p", ACME, "--as-of", AS_OF];
    pin("explain-whole-float", &float, None);
    pin("explain-unknown", &["explain", "nosuchmetric", "-p", ENGINE], None);
}

#[test]
fn build_writes_and_says_so() {
    let out = tempfile::tempdir().unwrap();
    let path = out.path().join("out");
    let path = path.to_str().unwrap();
    let data = engine_with_data();
    pin_in(data.path(), "build-engine", &["build", "-p", DATA, "--as-of", AS_OF, "--out", path], Some(out.path()));
    pin_in(
        data.path(),
        "build-engine-again",
        &["build", "-p", DATA, "--as-of", AS_OF, "--out", path],
        Some(out.path()),
    );
    pin("build-engine-no-data", &["build", "-p", ENGINE, "--as-of", AS_OF, "--out", path], Some(out.path()));
    pin(
        "build-acme-fail-on",
        &["build", "-p", ACME, "--as-of", AS_OF, "--out", path, "--fail-on", "red"],
        Some(out.path()),
    );
    insta::assert_snapshot!("acme-outputs", output_hashes(&out.path().join("out")));
    pin_in(
        data.path(),
        "build-quiet",
        &["build", "-p", DATA, "--as-of", AS_OF, "--out", path, "--quiet"],
        Some(out.path()),
    );
    pin("build-set-alone", &["build", "-p", "metrics", "--as-of", AS_OF, "--out", path], Some(out.path()));
}

#[test]
fn diff_fetch_init_and_usage_errors() {
    pin("diff-not-a-revision", &["diff", "no-such-revision", "-p", ENGINE, "--as-of", AS_OF], None);
    pin("fetch-without-git", &["fetch", "-p", ENGINE], None);
    let dir = tempfile::tempdir().unwrap();
    let new = dir.path().join("new");
    let new = new.to_str().unwrap();
    pin("init", &["init", new, "--set", "tests/fixtures/spec/set", "--sites", "x,y"], Some(dir.path()));
    pin("init-again", &["init", new, "--set", "tests/fixtures/spec/set", "--sites", "x,y"], Some(dir.path()));
    pin("usage-no-command", &[], None);
    pin("usage-unknown-flag", &["check", "--nope"], None);
}

/// Every file a build wrote with the hash of its bytes, the time of the build written as
/// `[BUILT]` first (and, in the manifest, the hashes of reports, which print that time,
/// and the commit checked out): a refactor that changes no number, status or report byte
/// keeps them.
fn output_hashes(dir: &Path) -> String {
    let built = regex::Regex::new(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ").unwrap();
    let git = regex::Regex::new(r#""commit": "[0-9a-f]+",\s+"dirty": (true|false)"#).unwrap();
    let report = regex::Regex::new(r#"("file": "[^"]+\.(md|html)",\s+"bytes": \d+,\s+"hash": )"[^"]+""#).unwrap();
    // The front page names the commit and the manifest's hash, which hold the build's time.
    let front = regex::Regex::new(
        r"at commit [0-9a-f]+( \(with changes not committed\))?|blake3 hash is <code>blake3:[0-9a-f]+",
    )
    .unwrap();
    let mut files: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let mut out = String::new();
    for file in files {
        let bytes = std::fs::read(&file).unwrap();
        let bytes = match String::from_utf8(bytes) {
            Ok(text) => {
                let text = built.replace_all(&text, "[BUILT]");
                let text = git.replace_all(&text, "[COMMIT]");
                let text = front.replace_all(&text, "[FRONT]");
                report.replace_all(&text, "$1[BUILT]").into_owned().into_bytes()
            }
            Err(e) => e.into_bytes(),
        };
        let name = file.file_name().unwrap().to_string_lossy();
        out += &format!("{name} {}\n", blake3::hash(&bytes).to_hex());
    }
    out
}
