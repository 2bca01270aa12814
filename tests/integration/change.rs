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
        let project = dir.path().join("acme/yardstick.yaml");
        let text = fs::read_to_string(&project).unwrap().replace("../../metrics", "../metrics");
        fs::write(project, text).unwrap();
        let repo = Repo { dir };
        repo.git(&["init", "-q"]);
        repo.commit("the set and the project");
        repo
    }

    fn path(&self, file: &str) -> PathBuf {
        self.dir.path().join(file)
    }

    fn git(&self, args: &[&str]) {
        let out = Command::new("git")
            .args(args)
            .current_dir(self.dir.path())
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }

    fn commit(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["-c", "commit.gpgsign=false", "commit", "-q", "-m", message]);
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

const DOWNTIME: &str = "metrics/metrics/outcome/security_downtime_hours.yaml";
const SET: &str = "metrics/set.yaml";

#[test]
fn a_changed_where_without_new_versions_fails_at_the_version_lines() {
    let repo = Repo::new();
    repo.change(&[(DOWNTIME, "where: cause in", "where: asset.criticality == criticality.high and cause in")]);
    let (code, _, err) = repo.check_base();
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("[E0901]") && err.contains("[E0903]"), "{err}");
    insta::assert_snapshot!("base_changed_where", err);
}

#[test]
fn a_changed_where_with_new_versions_passes() {
    let repo = Repo::new();
    repo.change(&[
        (DOWNTIME, "where: cause in", "where: asset.criticality == criticality.high and cause in"),
        (DOWNTIME, "version: 1", "version: 2"),
        // Derived from it: its values move too.
        ("metrics/metrics/outcome/hours_per_disruption.yaml", "version: 1", "version: 2"),
        (SET, "version: 1.2.0", "version: 1.3.0"),
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
    insta::assert_snapshot!("base_group_change", err);
}

#[test]
fn a_removed_metric_needs_a_major_version() {
    let repo = Repo::new();
    fs::remove_file(repo.path("metrics/metrics/outcome/audit_fire_drills.yaml")).unwrap();
    repo.change(&[(SET, "version: 1.2.0", "version: 1.3.0")]);
    let (code, _, err) = repo.check_base();
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("version 1.3.0, but since HEAD~1 (version 1.2.0) metrics were removed (`audit_fire_drills`)"),
        "{err}"
    );
    assert!(err.contains("at least 2.0.0"), "{err}");
}
