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
    use yardstick::publish::{GitCli, GitState, Vcs};
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

/// A small project (the engine fixture, two sites, one incident each) in a temporary
/// folder: `dir/project` beside its set `dir/set`.
pub fn tiny_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&crate::util::fixture("engine"), dir.path());
    for (site, severity) in [("a", "SEV1"), ("b", "P1")] {
        let data = dir.path().join("project/data").join(site);
        fs::create_dir_all(&data).unwrap();
        let incident = format!("I1,2024-02-01T10:00:00Z,2024-02-01T12:00:00Z,{severity},100,A1\n");
        fs::write(data.join("incidents.csv"), crate::engine::INCIDENTS.to_string() + &incident).unwrap();
        fs::write(data.join("downtime.csv"), crate::engine::DOWNTIME).unwrap();
        fs::write(data.join("risks.csv"), crate::engine::RISKS).unwrap();
        fs::write(data.join("assets.csv"), crate::engine::ASSETS.to_string() + "A1,2024-01-01,true,true\n").unwrap();
    }
    dir
}

/// Binds the incidents of every site of the tiny `project` to `data/{site}/FILE`, whose
/// name says its format.
pub fn bind_incidents(project: &Path, file: &str) {
    let yaml = project.join("yardstick.yaml");
    let bound = format!("incidents: {{file: \"data/{{site}}/{file}\"}}");
    let text = fs::read_to_string(&yaml).unwrap().replace("incidents: {file: \"data/{site}/incidents.csv\"}", &bound);
    fs::write(&yaml, text).unwrap();
}

/// `yardstick build` of `project` into `out` as of 2024-12-31: exit status and stderr.
fn build_into(project: &Path, out: &Path) -> (i32, String) {
    let (code, _, err) = crate::util::yardstick(&[
        "build",
        "-p",
        project.to_str().unwrap(),
        "--as-of",
        "2024-12-31",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    (code, err)
}

#[test]
fn an_out_folder_above_the_project_is_refused_though_it_holds_a_manifest() {
    let dir = tiny_project();
    let project = dir.path().join("project");
    // Someone kept the last manifest as evidence in the folder above the project.
    let (code, err) = build_into(&project, &project.join("out"));
    assert_eq!(code, 0, "{err}");
    fs::copy(project.join("out/manifest.json"), dir.path().join("manifest.json")).unwrap();
    let (code, err) = build_into(&project, dir.path());
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("holds") && err.contains("name a folder of its own"), "{err}");
    assert!(project.join("yardstick.yaml").is_file() && dir.path().join("set/set.yaml").is_file());
}

#[test]
fn an_out_folder_holding_a_git_repository_or_foreign_files_is_refused() {
    let dir = tiny_project();
    let project = dir.path().join("project");
    let elsewhere = tempfile::tempdir().unwrap();
    git_in(elsewhere.path(), &["init", "-q"]);
    let (code, err) = build_into(&project, elsewhere.path());
    assert_eq!(code, 1, "{err}");
    assert!(err.contains(".git"), "{err}");
    assert!(elsewhere.path().join(".git/HEAD").is_file());
    // A repository in a subfolder of a marked output is kept too.
    let marked = tempfile::tempdir().unwrap();
    let (code, err) = build_into(&project, &marked.path().join("out"));
    assert_eq!(code, 0, "{err}");
    fs::create_dir(marked.path().join("out/sub")).unwrap();
    git_in(&marked.path().join("out/sub"), &["init", "-q"]);
    let (code, err) = build_into(&project, &marked.path().join("out"));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("git repository") && err.contains("sub/.git"), "{err}");
    assert!(marked.path().join("out/sub/.git/HEAD").is_file());
    // A manifest and other files than those it lists: not an output.
    let other = tempfile::tempdir().unwrap();
    let (code, err) = build_into(&project, &other.path().join("out"));
    assert_eq!(code, 0, "{err}");
    fs::remove_file(other.path().join("out").join(yardstick::publish::MARKER)).unwrap();
    fs::write(other.path().join("out/thesis.docx"), "mine").unwrap();
    let (code, err) = build_into(&project, &other.path().join("out"));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("is not a build's output folder"), "{err}");
    assert!(other.path().join("out/thesis.docx").is_file());
}

#[test]
fn an_output_written_before_the_marker_is_replaced_when_its_files_are_its_manifests() {
    let dir = tiny_project();
    let project = dir.path().join("project");
    let out = project.join("out");
    let (code, err) = build_into(&project, &out);
    assert_eq!(code, 0, "{err}");
    fs::remove_file(out.join(yardstick::publish::MARKER)).unwrap();
    let (code, err) = build_into(&project, &out);
    assert_eq!(code, 0, "{err}");
    assert!(out.join(yardstick::publish::MARKER).is_file(), "the replaced output is marked");
    // A listed output edited by hand no longer matches its hash: not replaced.
    fs::remove_file(out.join(yardstick::publish::MARKER)).unwrap();
    fs::write(out.join("results.csv"), "edited\n").unwrap();
    let (code, err) = build_into(&project, &out);
    assert_eq!(code, 1, "{err}");
    assert_eq!(fs::read_to_string(out.join("results.csv")).unwrap(), "edited\n");
}

#[test]
fn an_out_link_is_refused_and_its_target_kept() {
    let dir = tiny_project();
    let project = dir.path().join("project");
    let target = tempfile::tempdir().unwrap();
    fs::write(target.path().join("keep.txt"), "keep").unwrap();
    std::os::unix::fs::symlink(target.path(), project.join("out")).unwrap();
    let (code, err) = build_into(&project, &project.join("out"));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("symbolic link"), "{err}");
    assert!(target.path().join("keep.txt").is_file());
}

#[test]
fn what_killed_builds_left_is_cleaned_and_a_running_builds_staging_is_not() {
    let dir = tiny_project();
    let project = dir.path().join("project");
    let (code, err) = build_into(&project, &project.join("out"));
    assert_eq!(code, 0, "{err}");
    // A process that has ended: a child we waited for. Its start time is whatever; the
    // process is gone.
    let child = Command::new("true").spawn().unwrap();
    let dead = child.id();
    let mut child = child;
    child.wait().unwrap();
    let killed = project.join(format!(".out.tmp-{dead}-1-1"));
    fs::create_dir(&killed).unwrap();
    fs::write(killed.join(yardstick::publish::MARKER), "").unwrap();
    fs::write(killed.join("results.csv"), "half\n").unwrap();
    let killed_empty = project.join(format!(".out.tmp-{dead}-1-2"));
    fs::create_dir(&killed_empty).unwrap();
    // This test's own process runs: whatever its staging holds stays.
    let me = std::process::id();
    let stat = fs::read_to_string(format!("/proc/{me}/stat")).unwrap();
    let start = stat.rsplit_once(')').unwrap().1.split_whitespace().nth(19).unwrap().to_string();
    let running = project.join(format!(".out.tmp-{me}-{start}-3"));
    fs::create_dir(&running).unwrap();
    // A folder of that name that is not yardstick's (no marker, not empty) stays too.
    let foreign = project.join(format!(".out.tmp-{dead}-1-4"));
    fs::create_dir(&foreign).unwrap();
    fs::write(foreign.join("notes.txt"), "mine").unwrap();
    let (code, err) = build_into(&project, &project.join("out"));
    assert_eq!(code, 0, "{err}");
    assert!(!killed.exists() && !killed_empty.exists());
    assert!(running.exists() && foreign.join("notes.txt").is_file());
    assert!(project.join("out/results.csv").is_file());
}

#[test]
fn an_output_set_aside_by_a_build_killed_between_its_two_moves_is_put_back_then_replaced() {
    let dir = tiny_project();
    let project = dir.path().join("project");
    let out = project.join("out");
    let (code, err) = build_into(&project, &out);
    assert_eq!(code, 0, "{err}");
    // Where the system cannot swap two folders in one step, a build moves the output
    // aside first; one killed right then left this.
    fs::rename(&out, project.join(".out.old-999999999-1-1")).unwrap();
    let (code, err) = build_into(&project, &out);
    assert_eq!(code, 0, "{err}");
    assert!(out.join("manifest.json").is_file());
    let left: Vec<_> = fs::read_dir(&project)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".old-") || n.contains(".tmp-"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

const SECRET: &str = "TOPSECRET-4242: a file of the CI machine";

/// A file outside every root yardstick reads, holding [`SECRET`].
fn secret_file() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("passwd");
    fs::write(&file, format!("{SECRET}\nvocabulary: cause\n")).unwrap();
    (dir, file)
}

/// yardstick with `args`, the cache in `cache`: exit status, and stdout with stderr.
fn run_with_cache(args: &[&str], cache: &Path) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_yardstick"))
        .args(args)
        .env("NO_COLOR", "1")
        .env("YARDSTICK_CACHE", cache)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap(), text)
}

fn with_reports(project: &Path, template: &str, text: &str) {
    let yaml = project.join("yardstick.yaml");
    let doc = fs::read_to_string(&yaml).unwrap() + "reports:\n  - {template: catalog, out: \"catalog.md\"}\n";
    fs::write(&yaml, doc).unwrap();
    fs::create_dir_all(project.join("reports")).unwrap();
    if !text.is_empty() {
        fs::write(project.join("reports").join(template), text).unwrap();
    }
}

#[test]
fn a_template_linked_out_of_the_project_is_refused_and_its_target_never_reaches_a_report() {
    let (_secret_dir, secret) = secret_file();
    let dir = tiny_project();
    let project = dir.path().join("project");
    with_reports(&project, "", "");
    std::os::unix::fs::symlink(&secret, project.join("reports/catalog.md.j2")).unwrap();
    let (code, err) = build_into(&project, &project.join("out"));
    assert_ne!(code, 0, "{err}");
    assert!(err.contains("symbolic link"), "{err}");
    assert!(!err.contains(SECRET), "{err}");
    assert!(!project.join("out").exists());
}

#[test]
fn an_include_through_a_linked_folder_is_refused() {
    let (secret_dir, _) = secret_file();
    let dir = tiny_project();
    let project = dir.path().join("project");
    with_reports(&project, "catalog.md.j2", "# Catalog\n{% include \"inc/passwd\" %}\n");
    std::os::unix::fs::symlink(secret_dir.path(), project.join("reports/inc")).unwrap();
    let (code, err) = build_into(&project, &project.join("out"));
    assert_ne!(code, 0, "{err}");
    assert!(err.contains("symbolic link") && !err.contains(SECRET), "{err}");
    assert!(!project.join("out").exists());
}

#[test]
fn a_vocabulary_linked_out_of_the_set_is_refused_without_echoing_its_text() {
    let (_secret_dir, secret) = secret_file();
    let dir = tiny_project();
    let vocab = dir.path().join("set/vocab/cause.yaml");
    fs::remove_file(&vocab).unwrap();
    std::os::unix::fs::symlink(&secret, &vocab).unwrap();
    let (code, text) = run_with_cache(&["check", "-p", dir.path().join("project").to_str().unwrap()], dir.path());
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("cause.yaml") && text.contains("symbolic link"), "{text}");
    assert!(!text.contains(SECRET), "{text}");
}

#[test]
fn a_definition_set_folder_that_is_itself_a_link_is_read() {
    // The root may be a link (a set mounted elsewhere); only links out of it are refused.
    let dir = tiny_project();
    let elsewhere = tempfile::tempdir().unwrap();
    fs::rename(dir.path().join("set"), elsewhere.path().join("set")).unwrap();
    std::os::unix::fs::symlink(elsewhere.path().join("set"), dir.path().join("set")).unwrap();
    let (code, text) = run_with_cache(&["check", "-p", dir.path().join("project").to_str().unwrap()], dir.path());
    assert_eq!(code, 0, "{text}");
}

/// A repository holding the engine fixture's set, with `extra` committed too, and the tiny
/// project pinning it at `main` with `path`.
fn pinned_with(extra: impl Fn(&Path), path: &str) -> tempfile::TempDir {
    let dir = tiny_project();
    let repo = dir.path().join("repo");
    fs::create_dir_all(&repo).unwrap();
    fs::rename(dir.path().join("set"), repo.join("set")).unwrap();
    extra(&repo);
    git_in(&repo, &["init", "-q", "-b", "main"]);
    git_in(&repo, &["add", "."]);
    git_in(&repo, &["commit", "-q", "-m", "set"]);
    let yaml = dir.path().join("project/yardstick.yaml");
    let pin = format!("definitions: {{git: \"file://{}\", rev: main, path: {path}}}", repo.display());
    fs::write(&yaml, fs::read_to_string(&yaml).unwrap().replace("definitions: ../set", &pin)).unwrap();
    dir
}

#[test]
fn a_pinned_set_holding_a_committed_link_is_refused() {
    let (_secret_dir, secret) = secret_file();
    let dir = pinned_with(
        |repo| {
            fs::create_dir_all(repo.join("set/reports")).unwrap();
            std::os::unix::fs::symlink(&secret, repo.join("set/reports/catalog.md.j2")).unwrap();
        },
        "set",
    );
    let project = dir.path().join("project");
    let (code, text) = run_with_cache(&["check", "-p", project.to_str().unwrap()], &dir.path().join("cache"));
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("symbolic link") && text.contains("set/reports/catalog.md.j2"), "{text}");
    assert!(!text.contains(SECRET), "{text}");
}

#[test]
fn a_pinned_sets_path_committed_as_a_link_out_of_the_clone_is_refused() {
    let outside = tempfile::tempdir().unwrap();
    copy_dir(&crate::util::fixture("engine").join("set"), outside.path());
    let dir = pinned_with(|repo| std::os::unix::fs::symlink(outside.path(), repo.join("linked")).unwrap(), "linked");
    let project = dir.path().join("project");
    let (code, text) = run_with_cache(&["check", "-p", project.to_str().unwrap()], &dir.path().join("cache"));
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("symbolic link") && text.contains("`linked`"), "{text}");
}

#[test]
fn a_pinned_set_without_links_is_read() {
    let dir = pinned_with(|_| {}, "set");
    let project = dir.path().join("project");
    let (code, text) = run_with_cache(&["check", "-p", project.to_str().unwrap()], &dir.path().join("cache"));
    assert_eq!(code, 0, "{text}");
}

/// The tiny project with `site a`'s incidents export replaced by `text`; `build`'s exit
/// status and what it said.
fn build_with_incidents(text: &[u8]) -> (i32, String) {
    let dir = tiny_project();
    let project = dir.path().join("project");
    fs::write(project.join("data/a/incidents.csv"), text).unwrap();
    build_into(&project, &project.join("out"))
}

#[test]
fn a_non_ascii_character_in_a_datetime_is_an_error_naming_the_row() {
    let row = "I1,2024-02-01T10:0é+01:00,2024-02-01T12:00:00Z,SEV1,100,A1\n";
    let (code, err) = build_with_incidents((crate::engine::INCIDENTS.to_string() + row).as_bytes());
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("detected_at") && err.contains("2024-02-01T10:0é+01:00"), "{err}");
}

/// The tiny project reading site a's incidents from `file` (named by its format), with
/// `bytes` in it: `check --data`'s exit status and what it said.
fn check_export(file: &str, bytes: &[u8]) -> (i32, String) {
    let dir = tiny_project();
    let project = dir.path().join("project");
    bind_incidents(&project, file);
    fs::write(project.join("data/a").join(file), bytes).unwrap();
    fs::write(project.join("data/b").join(file), bytes).unwrap();
    let (code, out, err) = crate::util::yardstick(&["check", "--data", "-p", project.to_str().unwrap()]);
    (code, out + &err)
}

#[test]
fn bit_flipped_parquet_files_are_errors_naming_the_file_never_a_crash() {
    // Each made a Polars decoder panic, or abort the process (an unchecked slice past the
    // file's end), before the footer was checked and the decoders guarded.
    let folder = crate::util::fixture("hostile").join("parquet");
    let mut files: Vec<_> = fs::read_dir(folder).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    assert!(files.len() >= 10);
    for file in files {
        let (code, text) = check_export("incidents.parquet", &fs::read(&file).unwrap());
        assert_eq!(code, 1, "{}: {text}", file.display());
        assert!(text.contains("incidents.parquet"), "{}: {text}", file.display());
        assert!(!text.contains("panicked") && !text.contains("internal error"), "{}: {text}", file.display());
    }
}

#[test]
fn an_ndjson_value_nested_five_thousand_deep_is_an_error_not_a_stack_overflow() {
    let deep = format!("{{\"incident_id\": {}1{}}}\n", "[".repeat(5000), "]".repeat(5000));
    let (code, text) = check_export("incidents.ndjson", deep.as_bytes());
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("line 1 nests values more than 64 deep"), "{text}");
}

/// The tiny project building one report from `template`: exit status, stderr, and how
/// long it took.
fn build_report(template: &str) -> (i32, String, std::time::Duration) {
    let dir = tiny_project();
    let project = dir.path().join("project");
    with_reports(&project, "catalog.md.j2", template);
    let started = std::time::Instant::now();
    let (code, err) = build_into(&project, &project.join("out"));
    (code, err, started.elapsed())
}

#[test]
fn templates_that_loop_or_build_strings_without_end_stop_with_an_error() {
    for bomb in [
        "{% for a in range(100000) %}{% for b in range(100000) %}{{ a }}{% endfor %}{% endfor %}",
        "{% for i in range(1000) %}{{ \"x\" * 100000000 }}{% endfor %}",
        "{% set s = \"x\" * 100000000 %}{% set t = s ~ s ~ s ~ s ~ s ~ s ~ s ~ s %}{{ t | length }}",
        "{% set ns = namespace(s=\"xxxxxxxx\") %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
    ] {
        let (code, err, took) = build_report(bomb);
        assert_eq!(code, 1, "{bomb}: {err}");
        assert!(err.contains("report `catalog`") && err.contains("fuel"), "{bomb}: {err}");
        assert_eq!(err.matches("catalog.md.j2").count(), 1, "where, said once: {err}");
        // Bounded: a debug build stops each in seconds, not minutes or gigabytes.
        assert!(took.as_secs() < 60, "{bomb}: {took:?}");
    }
}

#[test]
fn a_hundred_thousand_badges_fill_in_one_pass() {
    // Filling each badge's mark went over the whole page once per badge (80 s at 100k).
    let (code, err, took) = build_report("{% for i in range(100000) %}{{ badge(\"green\") }} {% endfor %}");
    assert_eq!(code, 0, "{err}");
    assert!(took.as_secs() < 30, "{took:?}");
}

#[test]
fn a_short_csv_row_is_an_error_naming_its_line_and_a_long_one_says_so_in_our_words() {
    let header = crate::engine::INCIDENTS;
    let (code, err) =
        build_with_incidents(format!("{header}I1,2024-02-01T10:00:00Z,2024-02-01T12:00:00Z\n").as_bytes());
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("line 2 has 3 of the header's 6 fields"), "{err}");
    let long = format!("{header}I1,2024-02-01T10:00:00Z,2024-02-01T12:00:00Z,SEV1,100,A1,extra\n");
    let (code, err) = build_with_incidents(long.as_bytes());
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("line 2 has 7 fields where the header has 6"), "{err}");
    assert!(!err.contains("truncate_ragged_lines"), "{err}");
}

#[test]
fn a_float_literal_beyond_f64_and_an_unbounded_column_bound_are_check_errors() {
    let dir = tiny_project();
    let metric = dir.path().join("set/metrics/p90_cost.yaml");
    let text = fs::read_to_string(&metric).unwrap();
    let huge = format!("1{}.0", "0".repeat(400));
    fs::write(&metric, format!("{text}\nwhere: cost_eur < {huge}\n")).unwrap();
    let (code, text) = run_with_cache(&["check", "-p", dir.path().join("project").to_str().unwrap()], dir.path());
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("[E0202]") && text.contains("1.8e308"), "{text}");
}

#[test]
fn two_reports_writing_one_file_or_an_empty_out_are_check_errors() {
    for (reports, said) in [
        (
            "  - {template: catalog, out: \"catalog.md\"}\n  - {template: catalog, out: \"catalog.html\"}\n",
            "another report's",
        ),
        ("  - {template: catalog, out: \"\"}\n", "names no file"),
        ("  - {template: catalog, out: \".md\"}\n", "names no file"),
        ("  - {template: catalog, out: \".hidden.md\"}\n", "hidden file"),
        ("  - {template: catalog, out: \"../catalog.md\"}\n", "leads out of the output folder"),
    ] {
        let dir = tiny_project();
        let project = dir.path().join("project");
        fs::create_dir_all(project.join("reports")).unwrap();
        fs::write(project.join("reports/catalog.md.j2"), "# Catalog\n").unwrap();
        let yaml = project.join("yardstick.yaml");
        fs::write(&yaml, fs::read_to_string(&yaml).unwrap() + "reports:\n" + reports).unwrap();
        let (code, text) = run_with_cache(&["check", "-p", project.to_str().unwrap()], dir.path());
        assert_eq!(code, 1, "{reports}: {text}");
        assert!(text.contains("[E0623]") && text.contains(said), "{reports}: {text}");
    }
}

#[test]
fn text_starting_like_a_formula_is_neutralised_in_results_csv_and_kept_in_parquet() {
    let dir = tiny_project();
    let project = dir.path().join("project");
    // A site id cannot start with `=`; a `by` value can: downtime by line.
    let row = "D1,2024-02-01T10:00:00Z,30,cyber,=HYPERLINK(\"http://x\")\nD2,2024-02-02T10:00:00Z,15,cyber,-L2\n";
    fs::write(project.join("data/a/downtime.csv"), crate::engine::DOWNTIME.to_string() + row).unwrap();
    let (code, err) = build_into(&project, &project.join("out"));
    assert_eq!(code, 0, "{err}");
    let csv = fs::read_to_string(project.join("out/results.csv")).unwrap();
    assert!(csv.contains("\"'=HYPERLINK(\"\"http://x\"\")\""), "{csv}");
    assert!(csv.contains(",'-L2,"), "{csv}");
    assert!(!csv.lines().any(|l| l.split(',').any(|c| c.starts_with('='))), "{csv}");
    // Numbers are never touched: a negative change stays a number.
    assert!(!csv.contains("'-0") && !csv.contains("'-1"), "{csv}");
    // Parquet is typed: its text is the plant's, as written.
    let parquet = fs::read(project.join("out/results.parquet")).unwrap();
    let holds = |needle: &[u8]| parquet.windows(needle.len()).any(|w| w == needle);
    assert!(holds(b"=HYPERLINK(\"http://x\")") && !holds(b"'=HYPERLINK"));
}

#[test]
fn a_containment_before_its_detection_is_a_data_error_naming_the_row() {
    // mttr_hours is the mean of hours_between(detected_at, contained_at): this row would
    // give -2 hours and pull the mean down, judged better.
    let row = "I1,2024-02-01T12:00:00Z,2024-02-01T10:00:00Z,SEV1,100,A1\n";
    let (code, err) = build_with_incidents((crate::engine::INCIDENTS.to_string() + row).as_bytes());
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("[E0709]") && err.contains("row 1 (line 2)"), "{err}");
    assert!(err.contains("`contained_at` comes before `detected_at`"), "{err}");
}

#[test]
fn a_byte_order_mark_does_not_shift_the_columns_of_the_first_line() {
    let dir = tiny_project();
    let metric = dir.path().join("set/metrics/p90_cost.yaml");
    let text = fs::read_to_string(&metric).unwrap().replacen("metric: p90_cost", "metric: p90-cost", 1);
    fs::write(&metric, format!("\u{FEFF}{text}")).unwrap();
    let (code, text) = run_with_cache(&["check", "-p", dir.path().join("project").to_str().unwrap()], dir.path());
    assert_eq!(code, 1, "{text}");
    // The id starts at the 9th character of line 1, after `metric: ` (1:10 with the mark).
    assert!(text.contains("[E0501]") && text.contains("p90_cost.yaml:1:9 "), "{text}");
}
