//! `yardstick build` (SPEC sections 10 to 12): results files and the manifest written whole
//! or not at all, `--fail-on`, fingerprints that move exactly with a metric's meaning,
//! the project hash, and input hashes.

use crate::util::{Edit, apply, copy_dir, fixture, yardstick};
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;

/// A copy of the Acme example and of the shipped definition set beside it.
fn acme() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    copy_dir(&root.join("examples/acme"), &dir.path().join("acme"));
    copy_dir(&root.join("metrics"), &dir.path().join("metrics"));
    let project = dir.path().join("acme/yardstick.yaml");
    let text = fs::read_to_string(&project).unwrap().replace("../../metrics", "../metrics");
    fs::write(project, text).unwrap();
    dir
}

/// The staging and set-aside folders a build left in `dir`.
fn leftovers(dir: &Path) -> Vec<String> {
    let names = fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned());
    names.filter(|n| n.contains(".tmp-") || n.contains(".old-")).collect()
}

/// Every file of a folder, by name, with its bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), fs::read(&p).unwrap()))
        .collect()
}

#[test]
fn the_acme_results_at_a_fixed_as_of() {
    let dir = acme();
    let p = dir.path().join("acme");
    let (code, _, err) = yardstick(&["build", "-p", p.to_str().unwrap(), "--as-of", "2025-12-31", "--quiet"]);
    assert_eq!(code, 0, "{err}");
    let out = files(&p.join("out"));
    for file in ["manifest.json", "results.csv", "results.parquet", "leadership-2025-Q4.md", "catalog.html"] {
        assert!(out.contains_key(file), "{file}");
    }
    let csv = String::from_utf8(out["results.csv"].clone()).unwrap();
    // The README's example: security downtime at Lyon, 2025-Q4, the same row in query.
    let (_, query, _) = yardstick(&[
        "query",
        "security_downtime_hours",
        "-p",
        p.to_str().unwrap(),
        "--as-of",
        "2025-12-31",
        "--format",
        "csv",
        "--site",
        "lyon",
    ]);
    let row = query.lines().find(|l| l.contains(",lyon,2025-Q4,")).unwrap();
    // The build's table has a column for every `by` dimension in the set, empty for a
    // metric without it; `query` of that metric alone has none of them.
    let columns = |line: &str| line.split(',').map(String::from).collect::<Vec<_>>();
    let (all, own) = (columns(csv.lines().next().unwrap()), columns(query.lines().next().unwrap()));
    let dimensions: Vec<usize> = (0..all.len()).filter(|i| !own.contains(&all[*i])).collect();
    // In the order of the metrics (by id) that first split by each.
    assert_eq!(
        dimensions.iter().map(|i| all[*i].as_str()).collect::<Vec<_>>(),
        ["kind", "cost_type", "detected_by", "asset_class", "domain"]
    );
    let without_dimensions = |line: &str| {
        let cells = columns(line);
        (0..cells.len()).filter(|i| !dimensions.contains(i)).map(|i| cells[i].clone()).collect::<Vec<_>>().join(",")
    };
    assert!(csv.lines().any(|l| without_dimensions(l) == row), "{row}");
    assert!(err.is_empty() || !err.contains("built"), "--quiet prints no summary: {err}");
    insta::assert_snapshot!("acme_results_2025_12_31", crate::util::to_nine_decimals(&csv));
}

#[test]
fn a_build_that_fails_on_bad_data_leaves_the_previous_output_byte_for_byte() {
    let dir = acme();
    let p = dir.path().join("acme");
    let args = ["build", "-p", p.to_str().unwrap(), "--as-of", "2025-12-31"];
    let (code, _, err) = yardstick(&args);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("built 67 metrics"), "{err}");
    let before = files(&p.join("out"));
    let downtime = p.join("data/lyon/downtime.csv");
    let text = fs::read_to_string(&downtime).unwrap();
    fs::write(&downtime, text.replacen(",120,", ",12O,", 1)).unwrap();
    let (code, _, err) = yardstick(&args);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("`12O` is not a number") && err.contains("nothing was written"), "{err}");
    assert_eq!(files(&p.join("out")), before);
    // Nothing of the failed build is left beside it either.
    let left = leftovers(&p);
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn build_refuses_to_replace_a_folder_that_is_not_a_build_output() {
    let dir = acme();
    let p = dir.path().join("acme");
    let (code, _, err) = yardstick(&["build", "-p", p.to_str().unwrap(), "--out", p.join("data").to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("is not a build's output folder"), "{err}");
    assert!(p.join("data/lyon/incidents.csv").is_file());
}

#[test]
fn two_builds_into_one_folder_never_mix_their_files() {
    let dir = acme();
    let p = dir.path().join("acme");
    let out = dir.path().join("shared-out");
    let run = |as_of: &'static str| {
        let (p, out) = (p.clone(), out.clone());
        std::thread::spawn(move || {
            let args =
                ["build", "-p", p.to_str().unwrap(), "--as-of", as_of, "--out", out.to_str().unwrap(), "--quiet"];
            yardstick(&args).0
        })
    };
    let (a, b) = (run("2025-06-30"), run("2025-12-31"));
    assert_eq!((a.join().unwrap(), b.join().unwrap()), (0, 0));
    // Whichever finished last, its three files belong together.
    let manifest = fs::read_to_string(out.join("manifest.json")).unwrap();
    let csv = fs::read_to_string(out.join("results.csv")).unwrap();
    let as_of = if manifest.contains("\"as_of\": \"2025-06-30\"") { "2025-Q2" } else { "2025-Q4" };
    let last = csv.lines().rfind(|l| l.starts_with("security_downtime_hours,") && l.contains(",lyon,")).unwrap();
    assert!(last.contains(as_of), "{last} in a build whose manifest says {as_of}");
    let hash = |f: &str| format!("blake3:{}", blake3::hash(&fs::read(out.join(f)).unwrap()).to_hex());
    assert!(manifest.contains(&hash("results.csv")) && manifest.contains(&hash("results.parquet")));
}

/// The engine fixture with `incidents` tagged `leadership`, red above 2 a quarter, and
/// site a's incidents as given (site b has none).
fn judged(incidents: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("engine"), dir.path());
    let metric = dir.path().join("set/metrics/incidents.yaml");
    let text = fs::read_to_string(&metric).unwrap();
    fs::write(metric, text + "tags: [leadership]\nthresholds: {green: value <= 1, amber: value <= 2}\n").unwrap();
    let headers = [
        ("downtime.csv", "event_id,started_at,duration_min,cause,line\n"),
        ("assets.csv", "asset_id,snapshot_on,critical,logging\n"),
        ("incidents.csv", "incident_id,detected_at,contained_at,severity,cost_eur,asset_id\n"),
        ("risks.csv", "risk_id,opened_on,closed_on,rating\n"),
    ];
    for site in ["a", "b"] {
        let data = dir.path().join("project/data").join(site);
        fs::create_dir_all(&data).unwrap();
        for (file, header) in headers {
            let rows = if site == "a" && file == "incidents.csv" { incidents } else { "" };
            fs::write(data.join(file), format!("{header}{rows}")).unwrap();
        }
    }
    dir
}

/// Nine incidents in 2024-Q3: even the lower end of their 90% interval (the gamma quantile
/// of shape 9 at 5%, 4.70) is above both thresholds, so the quarter is red on evidence.
const NINE_IN_Q3: &str = "i1,2024-07-02T10:00:00Z,,SEV3,,\ni2,2024-07-12T10:00:00Z,,SEV3,,\n\
    i3,2024-07-22T10:00:00Z,,SEV3,,\ni4,2024-08-02T10:00:00Z,,SEV3,,\ni5,2024-08-12T10:00:00Z,,SEV3,,\n\
    i6,2024-08-22T10:00:00Z,,SEV3,,\ni7,2024-09-02T10:00:00Z,,SEV3,,\ni8,2024-09-12T10:00:00Z,,SEV3,,\n\
    i9,2024-09-22T10:00:00Z,,SEV3,,\n";
const THREE_IN_OCTOBER: &str =
    "i1,2024-10-02T10:00:00Z,,SEV3,,\ni2,2024-10-03T10:00:00Z,,SEV3,,\ni3,2024-10-04T10:00:00Z,,SEV3,,\n";

#[test]
fn fail_on_red_exits_3_on_a_red_leadership_metric_after_writing_everything() {
    let dir = judged(NINE_IN_Q3);
    let p = dir.path().join("project");
    let (code, _, err) =
        yardstick(&["build", "-p", p.to_str().unwrap(), "--as-of", "2024-10-15", "--fail-on", "red", "--quiet"]);
    assert_eq!(code, 3, "{err}");
    // Nine incidents at a in 2024-Q3, the latest whole quarter; the pooled row too.
    assert!(err.contains("failing: incidents at a, 2024-Q3: red"), "{err}");
    assert!(err.contains("failing: incidents at all, 2024-Q3: red"), "{err}");
    assert!(!err.contains("at b,"), "{err}");
    assert!(p.join("out/manifest.json").is_file() && p.join("out/results.csv").is_file());
    let (code, _, err) =
        yardstick(&["build", "-p", p.to_str().unwrap(), "--as-of", "2024-10-15", "--fail-on", "amber", "--quiet"]);
    assert_eq!(code, 3, "{err}");
}

#[test]
fn fail_on_red_passes_when_only_a_pending_period_looks_red() {
    // Three incidents in October: 2024-Q4 is partial as of 20 October (pending), and the
    // latest whole quarter, Q3, has none (unclear: no event is no proof of a rate under 1).
    let dir = judged(THREE_IN_OCTOBER);
    let p = dir.path().join("project");
    let (code, _, err) =
        yardstick(&["build", "-p", p.to_str().unwrap(), "--as-of", "2024-10-20", "--fail-on", "red", "--quiet"]);
    assert_eq!(code, 0, "{err}");
    let csv = fs::read_to_string(p.join("out/results.csv")).unwrap();
    assert!(
        csv.lines().any(|l| {
            let c: Vec<&str> = l.split(',').collect();
            // value, then lower, upper and approximate, then n: 3 incidents from 3 rows.
            l.starts_with("incidents,1,a,2024-Q4,") && c[7] == "3" && c[11] == "3" && l.contains(",pending,")
        }),
        "{csv}"
    );
}

/// Fingerprints of the shipped set after `edits` (file under metrics/, find, replace).
fn prints_after(edits: &[(&str, &str, &str)]) -> BTreeMap<String, String> {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("metrics"), dir.path());
    for (file, find, with) in edits {
        apply(dir.path(), &Edit::Replace { file: leak(file), find: leak(find), with: leak(with) });
    }
    let (checked, diags, _) = crate::util::compile(dir.path());
    let checked = checked.unwrap_or_else(|| panic!("{diags:?}"));
    checked.prints.fingerprints.into_iter().map(|(id, f)| (id.0, f)).collect()
}

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_string().into_boxed_str())
}

const DOWNTIME: &str = "metrics/outcome/security_downtime_hours.yaml";

/// The metrics whose fingerprints differ.
fn moved(a: &BTreeMap<String, String>, b: &BTreeMap<String, String>) -> Vec<String> {
    a.iter().filter(|(id, f)| b.get(*id) != Some(f)).map(|(id, _)| id.clone()).collect()
}

#[test]
fn a_fingerprint_ignores_words_and_formatting() {
    let base = prints_after(&[]);
    assert_eq!(base, prints_after(&[]), "stable from run to run");
    for edit in [
        (DOWNTIME, "title: Security-related downtime on critical lines", "title: Downtime from security causes"),
        (DOWNTIME, "description: \"Line-hours of", "description: \"All line-hours of"),
        (DOWNTIME, "owner: OT security lead", "owner: CISO"),
        (DOWNTIME, "Cause coding depends", "The coding of causes depends"),
        (DOWNTIME, ", iso27004:2016/7.3]", "]"),
        (DOWNTIME, "time: {event: started_at}", "time:\n  event: started_at"),
        (DOWNTIME, "value: sum(duration_min) / 60", "value: sum( duration_min )/60"),
        (DOWNTIME, "layer: outcome\ntype: impact", "type: impact\nlayer: outcome"),
    ] {
        assert_eq!(moved(&base, &prints_after(&[edit])), Vec::<String>::new(), "{edit:?}");
    }
}

#[test]
fn a_fingerprint_moves_with_the_meaning_and_only_that_metrics() {
    let base = prints_after(&[]);
    let only = |edits: &[(&str, &str, &str)]| moved(&base, &prints_after(edits));
    // `hours_per_disruption` and `security_downtime_per_1000_hours` are derived from
    // `security_downtime_hours`: they move too.
    let downtime: Vec<String> = ["hours_per_disruption", "security_downtime_hours", "security_downtime_per_1000_hours"]
        .map(String::from)
        .to_vec();
    assert_eq!(only(&[(DOWNTIME, "value: sum(duration_min) / 60", "value: sum(duration_min) / 30")]), downtime);
    assert_eq!(
        only(&[(DOWNTIME, "where: cause in", "where: production.criticality == criticality.low and cause in")]),
        downtime
    );
    // A target or thresholds decide its own statuses only: the derived metric keeps its
    // print.
    let target = only(&[(DOWNTIME, "direction: neutral", "direction: lower_is_better\ntarget: {change: -30%}")]);
    assert_eq!(target, ["security_downtime_hours"]);
    let thresholds = only(&[(DOWNTIME, "tags: [leadership]", "thresholds: {green: value <= 1}\ntags: [leadership]")]);
    assert_eq!(thresholds, ["security_downtime_hours"]);
    // What decides its evidence moves its own print only: a window, a minimum, an exposure.
    for (find, with) in
        [("window: 4", "window: 8"), ("window: 4", "window: 4\nmin_n: 20"), ("exposure: production_hours\n", "")]
    {
        let moved = only(&[(DOWNTIME, find, with)]);
        assert_eq!(moved, ["security_downtime_hours"], "{with}");
    }
    // A column type it reads, and the membership of a group it uses, move every metric
    // that reads them.
    let duration =
        only(&[("sources/downtime.yaml", "duration_min: {type: float, min: 0,", "duration_min: {type: int, min: 0,")]);
    let has = |moved: &[String], id: &str| moved.iter().any(|m| m == id);
    assert!(
        has(&duration, "security_downtime_hours") && !has(&duration, "containment_hours_significant"),
        "{duration:?}"
    );
    let group = only(&[("vocab/root_cause.yaml", "security_related: [", "security_related: [process_issue, ")]);
    assert!(has(&group, "security_downtime_hours"), "{group:?}");
    assert!(!has(&group, "audit_prep_hours_per_audit"), "{group:?}");
    // Reading a source as a revision history, or as it stands, reads other rows.
    let history = only(&[("sources/incidents.yaml", "history: {recorded_at: recorded_at, deleted: withdrawn}\n", "")]);
    assert!(has(&history, "significant_incidents") && !has(&history, "production_hours"), "{history:?}");
    // A class's control set moves the metrics that judge systems by it, and no other.
    let controls = only(&[(
        "vocab/asset_class.yaml",
        "office: {label: Office, definition: \"Any office IT system: mail, file shares, collaboration, end-user devices.\", attributes: {controls_required: [key]}}",
        "office: {label: Office, definition: \"Any office IT system: mail, file shares, collaboration, end-user devices.\", attributes: {controls_required: [key, hardening]}}",
    )]);
    assert!(has(&controls, "critical_control_coverage") && !has(&controls, "ot_zone_coverage"), "{controls:?}");
}

#[test]
fn a_derived_metrics_fingerprint_moves_with_its_parts() {
    let base = prints_after(&[]);
    let part = "metrics/outcome/significant_incident_cost.yaml";
    let text = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("metrics").join(part)).unwrap();
    let value = text.lines().find(|l| l.starts_with("value: ")).unwrap().to_string();
    let after = prints_after(&[(part, &value, &format!("{value} * 2"))]);
    let mut expected = vec!["cost_per_significant_incident".to_string(), "significant_incident_cost".to_string()];
    expected.sort();
    assert_eq!(moved(&base, &after), expected);
}

#[test]
fn a_site_mapping_changes_the_project_hash_and_no_fingerprint() {
    let dir = acme();
    let p = dir.path().join("acme");
    let compile = || {
        let (checked, diags, _) = crate::util::compile(&p);
        let checked = checked.unwrap_or_else(|| panic!("{diags:?}"));
        (checked.project_hash.clone().unwrap(), checked.prints.fingerprints)
    };
    let (hash, prints) = compile();
    assert_eq!(compile().0, hash, "stable from run to run");
    let mappings = p.join("sites/brno.yaml");
    let text = fs::read_to_string(&mappings).unwrap();
    fs::write(&mappings, text.replace("\"PROCES\": process_issue", "\"PROCES\": unknown")).unwrap();
    let (after, after_prints) = compile();
    assert_ne!(after, hash);
    assert_eq!(after_prints, prints);
}

#[test]
fn the_manifest_hashes_every_input_and_a_changed_file_changes_its_hash() {
    let dir = acme();
    let p = dir.path().join("acme");
    let build = || {
        let (code, _, err) = yardstick(&["build", "-p", p.to_str().unwrap(), "--as-of", "2025-12-31", "--quiet"]);
        assert_eq!(code, 0, "{err}");
        let manifest: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(p.join("out/manifest.json")).unwrap()).unwrap();
        manifest
    };
    let before = build();
    let inputs = before["inputs"].as_array().unwrap();
    assert_eq!(inputs.len(), 57, "19 sources at 3 sites");
    let lyon_downtime = |m: &serde_json::Value| {
        m["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["site"] == "lyon" && i["source"] == "downtime")
            .unwrap()
            .clone()
    };
    let entry = lyon_downtime(&before);
    let file = p.join("data/lyon/downtime.csv");
    let bytes = fs::read(&file).unwrap();
    assert_eq!(entry["path"], "data/lyon/downtime.csv");
    assert_eq!(entry["bytes"], bytes.len());
    assert_eq!(entry["rows"], bytes.iter().filter(|b| **b == b'\n').count() - 1);
    assert_eq!(entry["hash"], format!("blake3:{}", blake3::hash(&bytes).to_hex()).as_str());
    assert_eq!(before["definition_set"]["path"], "../metrics");
    assert_eq!(before["definition_set"]["git"]["note"], "the definition set is not in a git repository");
    // One more stop at Lyon: only that file's entry changes.
    let extra = "lyon-DT-999999,2025-12-30T11:00:00Z,2025-12-30T10:00:00Z,5,L1,unknown,,,false\n";
    fs::write(&file, [bytes.as_slice(), extra.as_bytes()].concat()).unwrap();
    let after = build();
    assert_ne!(lyon_downtime(&after)["hash"], entry["hash"]);
    let others = |m: &serde_json::Value| {
        m["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| !(i["site"] == "lyon" && i["source"] == "downtime"))
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(others(&after), others(&before));
    assert_eq!(after["project"]["hash"], before["project"]["hash"]);
}

#[test]
fn the_sets_commit_and_whether_its_folder_differs_from_it() {
    use yardstick::publish::{GitCli, GitState, Vcs};
    let dir = tempfile::tempdir().unwrap();
    let set = dir.path().join("metrics");
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("metrics"), &set);
    fs::write(dir.path().join("notes.txt"), "outside the set\n").unwrap();
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"])
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(
        GitCli.state(&set),
        GitState::Untracked { note: "the definition set is not in a git repository".into() }
    );
    git(&["init", "-q"]);
    git(&["add", "metrics"]);
    git(&["commit", "-q", "-m", "set"]);
    let commit = git(&["rev-parse", "HEAD"]).trim().to_string();
    // A file outside the set's folder, not committed, does not make the set dirty.
    assert_eq!(GitCli.state(&set), GitState::Commit { commit: commit.clone(), dirty: false });
    fs::write(set.join("vocab/new.yaml"), "vocabulary: new\n").unwrap();
    assert_eq!(GitCli.state(&set), GitState::Commit { commit, dirty: true });
}

#[test]
fn a_build_that_fails_while_writing_leaves_the_previous_output_byte_for_byte() {
    let dir = acme();
    let p = dir.path().join("acme");
    let args = ["build", "-p", p.to_str().unwrap(), "--as-of", "2025-12-31", "--quiet"];
    let (code, _, err) = yardstick(&args);
    assert_eq!(code, 0, "{err}");
    let before = files(&p.join("out"));
    // The results files are written; then a report template fails.
    fs::create_dir_all(p.join("reports")).unwrap();
    fs::write(p.join("reports/catalog.md.j2"), "{{ metrics[0].title }}{{ 1 / 0 }}").unwrap();
    let (code, _, err) = yardstick(&args);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("report `catalog`") && err.contains("the previous output, if any, is as it was"), "{err}");
    assert_eq!(files(&p.join("out")), before);
    let left = leftovers(&p);
    assert!(left.is_empty(), "{left:?}");
}

/// Two builds of the same inputs write byte-identical results and trends (issue #25): the
/// bootstrap resamples are seeded by each row, nothing depends on the clock but the
/// manifest's `built_at`.
#[test]
fn two_builds_of_the_same_inputs_write_the_same_bytes() {
    let dir = crate::util::acme_copy();
    let build = |out: &str| {
        let out = dir.path().join(out);
        let args = [
            "build",
            "-p",
            dir.path().to_str().unwrap(),
            "--as-of",
            "2025-12-31",
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ];
        assert_eq!(yardstick(&args).0, 0);
        out
    };
    let (first, second) = (build("first"), build("second"));
    for file in ["results.csv", "results.parquet", "trends.csv", "trends.parquet"] {
        assert!(fs::read(first.join(file)).unwrap() == fs::read(second.join(file)).unwrap(), "{file} differs");
    }
}

#[test]
fn results_and_output_hashes_are_the_same_to_the_last_bit_whatever_the_thread_count() {
    let dir = acme();
    let p = dir.path().join("acme");
    let built = |threads: &str, out: &str| {
        let status = Command::new(env!("CARGO_BIN_EXE_yardstick"))
            .args(["build", "-p", p.to_str().unwrap(), "--as-of", "2025-12-31", "--quiet", "--out"])
            .arg(dir.path().join(out))
            .env("POLARS_MAX_THREADS", threads)
            // The reports name when they were built.
            .env("SOURCE_DATE_EPOCH", "1767225600")
            .env("NO_COLOR", "1")
            .status()
            .unwrap();
        assert!(status.success());
        files(&dir.path().join(out))
    };
    let (one, four) = (built("1", "one"), built("4", "four"));
    // Every sum of decimals (downtime hours, costs) to its last digit.
    assert!(one["results.csv"] == four["results.csv"], "results.csv differs between 1 and 4 threads");
    let hashes = |files: &BTreeMap<String, Vec<u8>>| {
        let manifest: serde_json::Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
        let outputs = manifest["outputs"].as_array().unwrap().clone();
        outputs.iter().map(|o| (o["file"].to_string(), o["hash"].to_string())).collect::<Vec<_>>()
    };
    assert!(!hashes(&one).is_empty());
    assert_eq!(hashes(&one), hashes(&four));
    let manifest = String::from_utf8(one["manifest.json"].clone()).unwrap();
    assert!(manifest.contains(r#""built_at": "2026-01-01T00:00:00Z""#), "{manifest}");
}

#[test]
fn a_source_date_epoch_that_is_not_a_time_is_refused_and_nothing_is_written() {
    let dir = acme();
    let p = dir.path().join("acme");
    let out = Command::new(env!("CARGO_BIN_EXE_yardstick"))
        .args(["build", "-p", p.to_str().unwrap(), "--as-of", "2025-12-31", "--quiet"])
        .env("SOURCE_DATE_EPOCH", "yesterday")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_ne!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("SOURCE_DATE_EPOCH is `yesterday`, not a time"), "{err}");
    assert!(!p.join("out").exists());
}
