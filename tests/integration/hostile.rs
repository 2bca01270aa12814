//! Hostile and broken inputs (issue 22's probe): nothing they hold may make yardstick
//! lose data, read outside its roots, run a command it did not choose, panic or hang.

use crate::util::copy_dir;
use std::fs;
use std::path::Path;
use std::process::Command;

/// `git ARGS` in `dir` with a throwaway identity; its standard output.
pub fn git_in(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn a_repositorys_own_config_runs_no_command_when_the_build_asks_git_for_its_state() {
    use yardstick::build::{GitCli, GitState, Vcs};
    let dir = tempfile::tempdir().unwrap();
    let set = dir.path().join("metrics");
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("metrics"), &set);
    git_in(dir.path(), &["init", "-q"]);
    fs::write(dir.path().join(".gitattributes"), "*.yaml filter=evil\n").unwrap();
    git_in(dir.path(), &["add", "."]);
    git_in(dir.path(), &["commit", "-q", "-m", "set"]);
    // What a project handed over with its .git could carry: each writes a file when run.
    let ran = dir.path().join("ran");
    let shell = |what: &str| format!("sh -c 'echo {what} >> {}'", ran.display());
    for (key, value) in [
        ("core.fsmonitor", shell("fsmonitor")),
        ("filter.evil.clean", shell("clean")),
        ("filter.evil.process", shell("process")),
        ("core.pager", shell("pager")),
    ] {
        git_in(dir.path(), &["config", key, &value]);
    }
    let hooks = dir.path().join(".git/hooks");
    fs::write(hooks.join("post-index-change"), format!("#!/bin/sh\n{}\n", shell("hook"))).unwrap();
    // A changed file makes git want to refresh the index and to clean the file again.
    let file = set.join("set.yaml");
    fs::write(&file, fs::read_to_string(&file).unwrap() + "\n").unwrap();
    let index = fs::metadata(dir.path().join(".git/index")).unwrap().modified().unwrap();
    let state = GitCli.state(&set);
    assert!(matches!(state, GitState::Commit { dirty: true, .. }), "{state:?}");
    assert!(!ran.exists(), "git ran a configured command: {}", fs::read_to_string(&ran).unwrap());
    // No index lock taken, no index rewritten.
    assert_eq!(fs::metadata(dir.path().join(".git/index")).unwrap().modified().unwrap(), index);
}
