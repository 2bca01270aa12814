//! The command line as a user runs it: output and exit status.

use crate::util::{copy_dir, fixture};
use std::process::Command;

fn yardstick(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_yardstick"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (out.status.code().unwrap(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn check_passes_on_the_example_project_with_a_summary() {
    let (code, out, err) = yardstick(&["check", "-p", "examples/acme"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("ok: project acme-isms: "), "{out}");
    assert!(out.contains("3 sites"), "{out}");
}

#[test]
fn check_passes_on_a_definition_set_alone() {
    let (code, out, err) = yardstick(&["check", "-p", "metrics"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("ok: definition set iso27001-benefits "), "{out}");
}

#[test]
fn check_defaults_to_the_current_folder() {
    let out = Command::new(env!("CARGO_BIN_EXE_yardstick"))
        .arg("check")
        .current_dir(fixture("spec/project"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn definition_errors_exit_1_and_name_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("spec"), dir.path());
    let metric = dir.path().join("set/metrics/outcome/production_hours.yaml");
    let text = std::fs::read_to_string(&metric).unwrap().replace("sum(duration_min)", "sum(duration_mn)");
    std::fs::write(&metric, text).unwrap();
    let project = dir.path().join("project");
    let (code, out, err) = yardstick(&["check", "-p", project.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(out.is_empty(), "{out}");
    // `value: sum(duration_mn) / 60` is line 10; the column name starts at column 12.
    assert!(err.contains("production_hours.yaml:10:12"), "{err}");
    assert!(err.contains("did you mean `duration_min`?"), "{err}");
    assert!(err.contains("1 error found"), "{err}");
}

#[test]
fn a_folder_without_project_or_set_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = yardstick(&["check", "-p", dir.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("neither a project (yardstick.yaml) nor a definition set (set.yaml)"), "{err}");
}

#[test]
fn wrong_usage_exits_2() {
    let (code, _, err) = yardstick(&["check", "--no-such-flag"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, _) = yardstick(&["frobnicate"]);
    assert_eq!(code, 2);
}
