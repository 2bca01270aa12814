//! Change control (SPEC section 11): `check --base REV` in a git repository holding the
//! definition set and a project, with one change committed after the base.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A git repository with the shipped set in `metrics/` and the Acme project in `acme/`,
/// committed once; the author is set through `GIT_*` variables (CI has no identity).
struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    fn new() -> Repo {
        let dir = tempfile::tempdir().unwrap();
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        crate::util::copy_dir(&root.join("metrics"), &dir.path().join("metrics"));
        crate::util::copy_dir(&root.join("examples/acme"), &dir.path().join("acme"));
        // The set's version as these tests reason about it, whatever the shipped one is.
        crate::util::write_set_version(&dir.path().join("metrics/set.yaml"), "3.1.0");
        let project = dir.path().join("acme/yardstick.yaml");
        let text = fs::read_to_string(&project).unwrap().replace("../../metrics", "../metrics");
        fs::write(project, text).unwrap();
        let repo = Repo { dir };
        repo.git(&["init", "-q", "-b", "main"]);
        repo.commit("the set and the project");
        repo
    }

    fn path(&self, file: &str) -> PathBuf {
        self.dir.path().join(file)
    }

    fn git(&self, args: &[&str]) -> String {
        git(self.dir.path(), args)
    }

    fn commit(&self, message: &str) {
        commit(self.dir.path(), message);
    }

    /// Replaces `find` in `file` (`with`), and commits.
    fn change(&self, edits: &[(&str, &str, &str)]) {
        for (file, find, with) in edits {
            let path = self.path(file);
            let text = fs::read_to_string(&path).unwrap();
            assert!(text.contains(find), "{file} lacks {find:?}");
            fs::write(&path, text.replacen(find, with, 1)).unwrap();
        }
        self.commit("a change");
    }

    /// `check -p acme --base HEAD~1`: exit status and standard error, the repository's
    /// temporary folder written `[repo]`.
    fn check_base(&self) -> (i32, String, String) {
        let out = Command::new(env!("CARGO_BIN_EXE_yardstick"))
            .args(["check", "-p", self.path("acme").to_str().unwrap(), "--base", "HEAD~1"])
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let root = self.dir.path().display().to_string();
        let text = |b: Vec<u8>| String::from_utf8(b).unwrap().replace(&root, "[repo]");
        (out.status.code().unwrap(), text(out.stdout), text(out.stderr))
    }
}

/// `git ARGS` in `dir`, with an identity set through `GIT_*` variables; its output.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

pub fn commit(dir: &Path, message: &str) {
    git(dir, &["add", "-A"]);
    git(dir, &["-c", "commit.gpgsign=false", "commit", "-q", "-m", message]);
}

const DOWNTIME: &str = "metrics/metrics/outcome/security_downtime_hours.yaml";
const PER_1000: &str = "metrics/metrics/outcome/security_downtime_per_1000_hours.yaml";
const SET: &str = "metrics/set.yaml";

#[test]
fn a_changed_where_without_new_versions_fails_at_the_version_lines() {
    let repo = Repo::new();
    repo.change(&[(DOWNTIME, "where: cause in", "where: production.criticality == criticality.low and cause in")]);
    let (code, _, err) = repo.check_base();
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("[E0901]") && err.contains("[E0903]"), "{err}");
    insta::assert_snapshot!("base_changed_where", crate::util::without_pitfalls(&err));
}

#[test]
fn a_changed_where_with_new_versions_passes() {
    let repo = Repo::new();
    crate::util::bump_version(&repo.path(DOWNTIME));
    // Derived from it: its values move too.
    crate::util::bump_version(&repo.path("metrics/metrics/outcome/hours_per_disruption.yaml"));
    crate::util::bump_version(&repo.path("metrics/metrics/outcome/security_downtime_per_1000_hours.yaml"));
    repo.change(&[
        (DOWNTIME, "where: cause in", "where: production.criticality == criticality.low and cause in"),
        (SET, "version: 3.1.0", "version: 3.2.0"),
    ]);
    let (code, out, err) = repo.check_base();
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("ok: every change since HEAD~1 has the versions it needs"), "{out}");
}

#[test]
fn a_title_or_a_plants_mapping_needs_no_new_version() {
    let repo = Repo::new();
    repo.change(&[
        (DOWNTIME, "title: Security-related downtime on critical lines", "title: Downtime from security causes"),
        ("acme/sites/brno.yaml", "\"PROCES\": process_issue", "\"PROCES\": unknown"),
    ]);
    let (code, out, err) = repo.check_base();
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("has the versions it needs"), "{out}");
}

#[test]
fn a_term_moved_into_a_group_needs_the_vocabularys_version_and_the_sets() {
    let repo = Repo::new();
    repo.change(&[("metrics/vocab/root_cause.yaml", "security_related: [", "security_related: [process_issue, ")]);
    let (code, _, err) = repo.check_base();
    assert_eq!(code, 1, "{err}");
    // The vocabulary, every metric over the group, and the set.
    assert!(err.contains("[E0902] Error: vocabulary `root_cause` changed"), "{err}");
    assert!(err.contains("metric `security_downtime_hours` changed meaning since HEAD~1"), "{err}");
    assert!(err.contains("[E0903]"), "{err}");
    insta::assert_snapshot!("base_group_change", crate::util::without_pitfalls(&err));
}

#[test]
fn a_removed_metric_needs_a_major_version() {
    let repo = Repo::new();
    fs::remove_file(repo.path("metrics/metrics/outcome/audit_fire_drills.yaml")).unwrap();
    repo.change(&[(SET, "version: 3.1.0", "version: 3.2.0")]);
    let (code, _, err) = repo.check_base();
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("version 3.2.0, but since HEAD~1 (version 3.1.0) metric `audit_fire_drills` removed"),
        "{err}"
    );
    assert!(err.contains("at least 4.0.0"), "{err}");
}

#[test]
fn a_removed_metric_that_a_report_still_names_is_an_error_at_the_mention() {
    let repo = Repo::new();
    fs::remove_file(repo.path("metrics/metrics/outcome/audit_fire_drills.yaml")).unwrap();
    fs::create_dir_all(repo.path("acme/reports")).unwrap();
    fs::write(
        repo.path("acme/reports/drills.md.j2"),
        "# Audit drills\n\n{% for m in metrics if m.id == \"audit_fire_drills\" %}{{ m.title }}{% endfor %}\n",
    )
    .unwrap();
    repo.change(&[(SET, "version: 3.1.0", "version: 4.0.0"), ("acme/yardstick.yaml", "<4\"", "<5\"")]);
    let (code, _, err) = repo.check_base();
    assert_eq!(code, 1, "{err}");
    // The major version is there; the mention is what fails.
    assert!(!err.contains("[E0903]"), "{err}");
    insta::assert_snapshot!("base_removed_metric_still_named", crate::util::without_pitfalls(&err));
}

#[test]
fn a_renamed_report_template_is_read_at_the_base_as_it_was_there() {
    let repo = Repo::new();
    fs::create_dir_all(repo.path("acme/reports")).unwrap();
    fs::write(repo.path("acme/reports/drills.md.j2"), "# Drills\n").unwrap();
    repo.change(&[("acme/yardstick.yaml", "reports:\n", "reports:\n  - {template: drills, out: \"drills.md\"}\n")]);
    fs::rename(repo.path("acme/reports/drills.md.j2"), repo.path("acme/reports/exercises.md.j2")).unwrap();
    repo.change(&[("acme/yardstick.yaml", "template: drills", "template: exercises")]);
    // At HEAD~1 the project names `drills`, which HEAD~1 holds (the working tree does not).
    let (code, out, err) = repo.check_base();
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("has the versions it needs"), "{out}");
}

impl Repo {
    /// `diff HEAD~1 -p acme --as-of 2025-12-31 --format json`, parsed.
    fn diff(&self) -> serde_json::Value {
        serde_json::from_str(&self.diff_as("json")).unwrap()
    }

    /// `diff HEAD~1 -p acme --as-of 2025-12-31 --format FORMAT`: what it prints.
    fn diff_as(&self, format: &str) -> String {
        let out = Command::new(env!("CARGO_BIN_EXE_yardstick"))
            .args(["diff", "HEAD~1", "-p", self.path("acme").to_str().unwrap(), "--as-of", "2025-12-31"])
            .args(["--format", format])
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }
}

/// The entry of metric `id` in a diff.
pub fn metric<'a>(diff: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    diff["metrics"].as_array().unwrap().iter().find(|m| m["id"] == id).unwrap_or_else(|| panic!("no {id} in {diff:#}"))
}

/// The moved rows of a metric: (site, period, before, after).
pub fn moved(m: &serde_json::Value) -> Vec<(String, String, f64, f64)> {
    let rows = m["moves"]["rows"].as_array().cloned().unwrap_or_default();
    rows.iter()
        .map(|r| {
            let n = |k: &str| r[k].as_f64().unwrap_or(f64::NAN);
            (
                r["site"].as_str().unwrap().to_string(),
                r["period"].as_str().unwrap().to_string(),
                n("before"),
                n("after"),
            )
        })
        .collect()
}

#[test]
fn diff_classes_a_where_a_title_and_a_mapping_and_shows_what_moves() {
    let repo = Repo::new();
    repo.change(&[
        (DOWNTIME, "where: cause in", "where: production.criticality == criticality.low and cause in"),
        (
            "metrics/metrics/risk/containment_hours_significant.yaml",
            "title: Time to contain significant",
            "title: Time to contain serious",
        ),
        // Brno's local code for configuration errors read as an unknown cause instead.
        ("acme/sites/brno.yaml", "\"KONFIG\": configuration_error", "\"KONFIG\": unknown"),
    ]);
    let diff = repo.diff();
    // No line is of low criticality: every covered value drops to zero.
    let downtime = metric(&diff, "security_downtime_hours");
    assert_eq!(downtime["class"], "breaking");
    let rows = moved(downtime);
    assert!(!rows.is_empty() && rows.iter().all(|r| r.3 == 0.0 && r.2 > 0.0), "{rows:?}");
    assert!(downtime["fields"].as_array().unwrap().iter().any(|f| f[0] == "where"), "{downtime:#}");
    // Derived from it (downtime per disruption): breaking too, and down to zero with it,
    // or to no value at Brno where the mapping below leaves a quarter no disruption.
    let per_disruption = metric(&diff, "hours_per_disruption");
    assert_eq!(per_disruption["class"], "breaking");
    let rows = moved(per_disruption);
    let emptied = |r: &(String, String, f64, f64)| r.3 == 0.0 || (r.0 == "brno" && r.3.is_nan());
    assert!(!rows.is_empty() && rows.iter().all(|r| r.2 > 0.0 && emptied(r)), "{rows:?}");
    // A title: cosmetic, nothing moves.
    let containment = metric(&diff, "containment_hours_significant");
    assert_eq!(containment["class"], "cosmetic");
    assert!(moved(containment).is_empty());
    // The mapping: its definition is the same, but Brno's security disruptions drop by
    // the stops coded KONFIG (configuration errors are security related; unknown is not).
    let mapping = &diff["mappings"][0];
    assert_eq!(mapping["name"], "brno (root_cause)");
    let disruptions = metric(&diff, "security_disruptions");
    // Its definition did not change, but its values move: breaking, and said why.
    assert_eq!(disruptions["class"], "breaking");
    assert!(disruptions["fields"].as_array().unwrap().iter().any(|f| f[0] == "values"), "{disruptions:#}");
    // Stops whose latest revision is KONFIG, started in the quarter, on a critical line
    // (Brno's L4 is not one).
    let brno = fs::read_to_string(repo.path("acme/data/brno/downtime.csv")).unwrap();
    let mut latest: std::collections::BTreeMap<&str, (&str, &str, &str)> = std::collections::BTreeMap::new();
    for l in brno.lines().skip(1).filter(|l| l.split(',').nth(4) != Some("L4")) {
        let cells: Vec<&str> = l.split(',').collect();
        let (id, recorded, started, cause) = (cells[0], cells[1], cells[2], cells[5]);
        if latest.get(id).is_none_or(|old| recorded > old.0) {
            latest.insert(id, (recorded, started, cause));
        }
    }
    let konfig_2025_q4 = latest
        .values()
        .filter(|(_, started, cause)| *cause == "KONFIG" && ("2025-10".."2026-01").contains(&&started[..7]))
        .count();
    let q4 = moved(disruptions).into_iter().find(|r| r.0 == "brno" && r.1 == "2025-Q4");
    if konfig_2025_q4 > 0 {
        let (_, _, before, after) = q4.expect("Brno 2025-Q4 moves");
        // At most every such KONFIG stop of the quarter.
        assert!(before - after > 0.0 && before - after <= konfig_2025_q4 as f64, "{before} -> {after}");
    }
    assert!(moved(disruptions).iter().all(|r| r.0 == "brno" || r.0 == "all"), "only Brno and the pooled row move");
}

#[test]
fn diff_names_a_target_change_a_new_metric_and_a_renamed_one() {
    let repo = Repo::new();
    let old = repo.path("metrics/metrics/outcome/audit_fire_drills.yaml");
    let text = fs::read_to_string(&old).unwrap();
    fs::remove_file(&old).unwrap();
    fs::write(
        repo.path("metrics/metrics/outcome/audit_escalations.yaml"),
        text.replace("metric: audit_fire_drills", "metric: audit_escalations"),
    )
    .unwrap();
    repo.change(&[
        (PER_1000, "target: {change: -30%", "target: {change: -80%"),
        ("metrics/metrics/activity/restore_hours.yaml", "grain: quarter", "grain: month"),
    ]);
    let diff = repo.diff();
    // Months are not quarters: nothing to line up, said so.
    let restore = metric(&diff, "restore_hours");
    assert_eq!(restore["class"], "breaking");
    assert_eq!(restore["not_comparable"], "its grain changed (quarter → month): its periods are not the same");
    let downtime = metric(&diff, "security_downtime_per_1000_hours");
    assert_eq!(downtime["class"], "criteria");
    // Statuses move, values do not.
    let rows = downtime["moves"]["rows"].as_array().unwrap();
    assert!(
        !rows.is_empty() && rows.iter().all(|r| r["before"] == r["after"] && r["status_before"] != r["status_after"]),
        "{downtime:#}"
    );
    // No period's value moved, so the summary names no largest move.
    assert_eq!(downtime["moves"]["periods_changed"], 0, "{downtime:#}");
    assert_eq!(downtime["moves"]["statuses_flipped"], rows.len(), "{downtime:#}");
    let md = repo.diff_as("md");
    let line =
        md.lines().find(|l| l.starts_with("| `security_downtime_per_1000_hours` |")).unwrap_or_else(|| panic!("{md}"));
    let cells: Vec<&str> = line.split('|').map(str::trim).collect();
    // | metric | change | versions | periods moved | largest move | statuses flipped |
    assert_eq!((cells[2], cells[4], cells[5]), ("criteria", "0", ""), "{line}");
    assert_eq!(cells[6], rows.len().to_string(), "{line}");
    // The target as YAML writes it, not as the program holds it.
    let by = fs::read_to_string(repo.path(PER_1000)).unwrap();
    let by = by.lines().find_map(|l| l.split("by: ").nth(1)).map(|b| b.trim_end_matches('}').to_string());
    let target = |change: &str| match &by {
        Some(by) => format!("{{change: {change}, by: {by}}}"),
        None => format!("{{change: {change}}}"),
    };
    assert!(md.contains(&format!("- `target`: `{}` → `{}`", target("-30%"), target("-80%"))), "{md}");
    // A table cut short says how much of it is shown.
    assert!(rows.len() > 12, "{downtime:#}");
    assert!(md.contains(&format!("(12 of {} shown)", rows.len())), "{md}");
    assert_eq!(metric(&diff, "audit_fire_drills")["class"], "removed");
    assert_eq!(metric(&diff, "audit_escalations")["class"], "added");
}

#[test]
fn diff_shows_a_term_moved_into_a_group_raising_the_metrics_over_it() {
    let repo = Repo::new();
    repo.change(&[("metrics/vocab/root_cause.yaml", "security_related: [", "security_related: [process_issue, ")]);
    let diff = repo.diff();
    let vocab = &diff["vocabularies"][0];
    assert_eq!(vocab["name"], "root_cause");
    assert!(vocab["details"][0].as_str().unwrap().starts_with("group `security_related`: "), "{vocab:#}");
    assert!(vocab["metrics"].as_array().unwrap().iter().any(|m| m == "security_disruptions"), "{vocab:#}");
    // Process issues now count as security disruptions: never fewer, more where there
    // were any.
    let disruptions = metric(&diff, "security_disruptions");
    assert_eq!(disruptions["class"], "breaking");
    let rows = moved(disruptions);
    assert!(!rows.is_empty() && rows.iter().all(|r| r.3 > r.2), "{rows:?}");
}

#[test]
fn diff_names_a_changed_column_type_and_the_metrics_it_reaches() {
    let repo = Repo::new();
    repo.change(&[("metrics/sources/audit_prep.yaml", "late_artifacts: {type: int", "late_artifacts: {type: float")]);
    let diff = repo.diff();
    let source = &diff["sources"][0];
    assert_eq!(source["name"], "audit_prep");
    assert!(source["details"][0].as_str().unwrap().starts_with("column `late_artifacts`: int → float"), "{source:#}");
    // The metric reading it is breaking by definition; on today's data, nothing moves.
    let late = metric(&diff, "late_or_missing_artifact_share");
    assert_eq!(late["class"], "breaking");
    assert!(moved(late).is_empty());
}

#[test]
fn a_base_revision_without_the_definitions_finds_every_metric_added() {
    // The set and the project arrive in the second commit: against the first, everything
    // is new, which needs no version, and the diff lists every metric as added.
    let repo = Repo::new();
    repo.git(&["rm", "-q", "-r", "metrics", "acme"]);
    repo.commit("not yet");
    repo.git(&["-c", "commit.gpgsign=false", "revert", "--no-edit", "HEAD"]);
    let (code, out, err) = repo.check_base();
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(
            "ok: the definitions did not exist at HEAD~1: every metric, vocabulary and source is new; nothing needs a version [N0901]"
        ),
        "{out}"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_yardstick"))
        .args([
            "diff",
            "HEAD~1",
            "-p",
            repo.path("acme").to_str().unwrap(),
            "--as-of",
            "2025-12-31",
            "--format",
            "json",
        ])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let diff: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let metrics = diff["metrics"].as_array().unwrap();
    assert_eq!(metrics.len(), 67);
    assert!(metrics.iter().all(|m| m["class"] == "added"), "{diff:#}");
    assert_eq!(diff["sources"].as_array().unwrap().len(), 19);
}

#[test]
fn a_base_revision_written_for_an_earlier_yardstick_is_said_to_be_one() {
    // Before set 1.2.0 an inventory declared no `snapshot:`: such a revision does not read
    // under today's rules, and the error says so and what to do.
    let repo = Repo::new();
    repo.change(&[("metrics/sources/assets.yaml", "snapshot: snapshot_on\n", "")]);
    repo.git(&["-c", "commit.gpgsign=false", "revert", "--no-edit", "HEAD"]);
    let (code, _, err) = repo.check_base();
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("error: the definitions at HEAD~1 do not check with this yardstick (the errors above)"),
        "{err}"
    );
    assert!(err.contains("compare from a later revision that checks"), "{err}");
}

#[test]
fn a_removed_metric_named_in_a_template_of_a_subfolder_is_found_too() {
    // A partial the reports include, in a subfolder of the set's reports/.
    let repo = Repo::new();
    fs::remove_file(repo.path("metrics/metrics/outcome/audit_fire_drills.yaml")).unwrap();
    fs::create_dir_all(repo.path("metrics/reports/partials")).unwrap();
    fs::write(
        repo.path("metrics/reports/partials/drills.md.j2"),
        "{% for m in metrics if m.id == 'audit_fire_drills' %}{{ m.title }}{% endfor %}\n",
    )
    .unwrap();
    repo.change(&[(SET, "version: 3.1.0", "version: 4.0.0"), ("acme/yardstick.yaml", "<4\"", "<5\"")]);
    let (code, _, err) = repo.check_base();
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("[E0904] Error: metric `audit_fire_drills` was removed since HEAD~1"), "{err}");
    assert!(err.contains("reports/partials/drills.md.j2"), "{err}");
}

#[test]
fn a_change_that_touches_no_definition_says_no_metric_differs() {
    let repo = Repo::new();
    repo.change(&[("acme/README.md", "# ", "# Notes: ")]);
    let md = repo.diff_as("md");
    assert!(md.contains("0 breaking, 0 criteria, 0 cosmetic, 0 added, 0 removed metric(s)"), "{md}");
    assert!(md.contains("No metric differs.") && !md.contains("| metric |"), "{md}");
}
