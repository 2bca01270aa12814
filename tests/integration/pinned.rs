//! Definition sets shared across sites through git (SPEC section 7): a plant's project in
//! its own repository pins the governance team's set with `definitions: {git, rev}`.

use crate::change::{commit, git, metric, moved};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const DOWNTIME: &str = "metrics/metrics/outcome/security_downtime_hours.yaml";

/// The governance team's repository (the shipped set in `metrics/`, tagged v3.1.0, then a
/// changed `where` tagged v3.2.0), and a plant's repository holding the Acme project
/// pinned to `rev`; a cache folder of their own.
struct Plant {
    dir: tempfile::TempDir,
}

impl Plant {
    fn new(rev: &str) -> Plant {
        let plant = Plant { dir: tempfile::tempdir().unwrap() };
        let (set, project) = (plant.set(), plant.project());
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        crate::util::copy_dir(&root.join("metrics"), &set.join("metrics"));
        crate::util::write_set_version(&set.join("metrics/set.yaml"), "3.1.0");
        git(&set, &["init", "-q", "-b", "main"]);
        commit(&set, "the set");
        git(&set, &["tag", "v3.1.0"]);
        crate::util::bump_version(&set.join(DOWNTIME));
        crate::util::bump_version(&set.join("metrics/metrics/outcome/hours_per_disruption.yaml"));
        crate::util::bump_version(&set.join("metrics/metrics/outcome/security_downtime_per_1000_hours.yaml"));
        for (file, find, with) in [
            (DOWNTIME, "where: cause in", "where: production.criticality == criticality.low and cause in"),
            ("metrics/set.yaml", "version: 3.1.0", "version: 3.2.0"),
        ] {
            edit(&set.join(file), find, with);
        }
        commit(&set, "security downtime on high-criticality lines only");
        git(&set, &["tag", "v3.2.0"]);
        crate::util::copy_dir(&root.join("examples/acme"), &project);
        let _ = fs::remove_dir_all(project.join("out"));
        let pin = format!("definitions: {{git: \"file://{}\", rev: {rev}, path: metrics}}", set.display());
        edit(&project.join("yardstick.yaml"), "definitions: ../../metrics", &pin);
        git(&project, &["init", "-q", "-b", "main"]);
        commit(&project, "the plant's project");
        plant
    }

    fn set(&self) -> PathBuf {
        self.dir.path().join("set")
    }

    fn project(&self) -> PathBuf {
        self.dir.path().join("plant")
    }

    /// yardstick run inside the plant's project: exit status, output and error, the
    /// temporary folder written `[tmp]`.
    fn run(&self, args: &[&str]) -> (i32, String, String) {
        self.run_with_cache(&self.dir.path().join("cache"), args)
    }

    /// [`Plant::run`] with yardstick's cache in `cache`.
    fn run_with_cache(&self, cache: &Path, args: &[&str]) -> (i32, String, String) {
        let out = Command::new(env!("CARGO_BIN_EXE_yardstick"))
            .args(args)
            .current_dir(self.project())
            .env("NO_COLOR", "1")
            .env("YARDSTICK_CACHE", cache)
            .output()
            .unwrap();
        let tmp = self.dir.path().display().to_string();
        let text = |b: Vec<u8>| String::from_utf8(b).unwrap().replace(&tmp, "[tmp]");
        (out.status.code().unwrap(), text(out.stdout), text(out.stderr))
    }

    fn diff(&self, revs: &[&str]) -> serde_json::Value {
        let mut args = vec!["diff"];
        args.extend(revs);
        args.extend(["--as-of", "2025-12-31", "--format", "json"]);
        let (code, out, err) = self.run(&args);
        assert_eq!(code, 0, "{err}");
        serde_json::from_str(&out).unwrap()
    }
}

fn edit(path: &Path, find: &str, with: &str) {
    let text = fs::read_to_string(path).unwrap();
    assert!(text.contains(find), "{} lacks {find:?}", path.display());
    fs::write(path, text.replacen(find, with, 1)).unwrap();
}

#[test]
fn a_plant_pinned_to_a_tag_builds_records_the_commit_and_previews_the_upgrade() {
    let plant = Plant::new("v3.1.0");
    let (code, _, err) = plant.run(&["build", "--as-of", "2025-12-31", "--quiet"]);
    assert_eq!(code, 0, "{err}");
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(plant.project().join("out/manifest.json")).unwrap()).unwrap();
    let set = &manifest["definition_set"];
    let tagged = git(&plant.set(), &["rev-parse", "v3.1.0"]);
    assert_eq!(set["git"]["commit"], tagged.trim(), "{set:#}");
    assert_eq!(set["git"]["dirty"], false);
    assert_eq!(set["version"], "3.1.0");
    assert_eq!(set["pinned"]["url"], format!("file://{}", plant.set().display()));
    assert_eq!(set["pinned"]["rev"], "v3.1.0");
    assert_eq!(set["pinned"]["path"], "metrics");

    // What upgrading to v3.2.0 does to this plant's numbers: security downtime now counts
    // lines of low criticality, which no line is, so every value drops to 0.
    let diff = plant.diff(&["v3.1.0", "v3.2.0"]);
    let downtime = metric(&diff, "security_downtime_hours");
    assert_eq!(downtime["class"], "breaking");
    let (before, after) = (downtime["versions"][0].as_u64().unwrap(), downtime["versions"][1].as_u64().unwrap());
    assert_eq!(after, before + 1);
    let rows = moved(downtime);
    assert!(!rows.is_empty() && rows.iter().all(|r| r.2 > 0.0 && r.3 == 0.0), "{rows:?}");
    assert_eq!(metric(&diff, "hours_per_disruption")["class"], "breaking");
    // The pinned set, like the working tree, is v3.1.0: the same preview against it.
    let against_pin = plant.diff(&["v3.2.0"]);
    let back = moved(metric(&against_pin, "security_downtime_hours"));
    assert!(back.len() == rows.len() && back.iter().all(|r| r.2 == 0.0 && r.3 > 0.0), "{back:?}");

    // Fetched once, the set is read offline: the governance repository may be gone.
    fs::rename(plant.set(), plant.dir.path().join("moved")).unwrap();
    let (code, out, err) = plant.run(&["check"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("(definition set iso27001-benefits 3.1.0)"), "{out}");
    // A refresh that cannot reach it fails and keeps the copy that works.
    let (code, _, err) = plant.run(&["fetch"]);
    assert_eq!(code, 1);
    assert!(err.contains("error: cannot fetch the definition set: cannot clone file://[tmp]/set"), "{err}");
    assert_eq!(plant.run(&["check"]).0, 0);
}

#[test]
fn a_mapping_edit_in_the_plants_repository_moves_values_and_needs_no_version() {
    let plant = Plant::new("v3.1.0");
    // Brno reads its local code KONFIG as an unknown cause instead of a configuration error.
    edit(&plant.project().join("sites/brno.yaml"), "\"KONFIG\": configuration_error", "\"KONFIG\": unknown");
    commit(&plant.project(), "KONFIG is not known to be a configuration error");
    // HEAD~1 names no tag of the set: it is the plant's own revision.
    let (code, out, err) = plant.run(&["check", "--base", "HEAD~1"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("ok: every change since HEAD~1 has the versions it needs"), "{out}");
    let diff = plant.diff(&["HEAD~1"]);
    assert_eq!(diff["mappings"][0]["name"], "brno (root_cause)");
    let disruptions = metric(&diff, "security_disruptions");
    assert_eq!(disruptions["class"], "breaking");
    let rows = moved(disruptions);
    // Configuration errors are security related, unknown causes are not: only Brno (and
    // the pooled row) loses disruptions.
    assert!(!rows.is_empty() && rows.iter().all(|r| (r.0 == "brno" || r.0 == "all") && r.3 < r.2), "{rows:?}");
    // No metric of the set changed: every version stays.
    assert!(diff["metrics"].as_array().unwrap().iter().all(|m| m["versions"][0] == m["versions"][1]), "{diff:#}");
}

#[test]
fn a_cache_inside_the_plants_repository_is_read_as_it_is_at_a_base_revision() {
    // The cache of pinned sets kept in the project's repository, ignored by git: a
    // revision of the repository has no cache, and the pinned set is read from disk.
    let plant = Plant::new("v3.1.0");
    let cache = plant.project().join(".yardstick-cache");
    fs::write(plant.project().join(".gitignore"), ".yardstick-cache/\n").unwrap();
    commit(&plant.project(), "the cache is not the plant's");
    let (code, _, err) = plant.run_with_cache(&cache, &["check"]);
    assert_eq!(code, 0, "{err}");
    edit(&plant.project().join("sites/brno.yaml"), "\"KONFIG\": configuration_error", "\"KONFIG\": unknown");
    commit(&plant.project(), "KONFIG is not known to be a configuration error");
    let (code, out, err) = plant.run_with_cache(&cache, &["check", "--base", "HEAD~1"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("ok: every change since HEAD~1 has the versions it needs"), "{out}");
}

#[test]
fn a_plant_raising_its_pin_sees_the_sets_change_in_its_own_pull_request() {
    let plant = Plant::new("v3.1.0");
    edit(&plant.project().join("yardstick.yaml"), "rev: v3.1.0", "rev: v3.2.0");
    commit(&plant.project(), "the set's v3.2.0");
    let (code, out, err) = plant.run(&["check", "--base", "HEAD~1"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("(definition set iso27001-benefits 3.2.0)"), "{out}");
    let diff = plant.diff(&["HEAD~1"]);
    assert_eq!(metric(&diff, "security_downtime_hours")["class"], "breaking");
    assert!(diff["mappings"].as_array().unwrap().is_empty());
}

#[test]
fn a_branch_pin_is_read_from_the_cache_until_fetch_refreshes_it() {
    let plant = Plant::new("main");
    let (code, out, err) = plant.run(&["check"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("iso27001-benefits 3.2.0"), "{out}");
    edit(&plant.set().join("metrics/set.yaml"), "version: 3.2.0", "version: 3.2.1");
    commit(&plant.set(), "a patch");
    // Offline: the copy fetched first.
    assert!(plant.run(&["check"]).1.contains("iso27001-benefits 3.2.0"));
    let (code, out, err) = plant.run(&["fetch"]);
    assert_eq!(code, 0, "{err}");
    let head = git(&plant.set(), &["rev-parse", "main"]);
    assert!(err.contains(&format!("at main (commit {})", &head[..12])), "{err}");
    assert!(out.contains("iso27001-benefits 3.2.1"), "{out}");
}

#[test]
fn a_pin_that_cannot_be_fetched_is_an_error_at_the_definitions_line() {
    let plant = Plant::new("v9.9.9");
    let (code, _, err) = plant.run(&["check"]);
    assert_eq!(code, 1, "{err}");
    insta::assert_snapshot!("pin_without_such_tag", err);
}
