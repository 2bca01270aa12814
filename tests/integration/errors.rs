//! The library's typed errors, reached through the library functions the command line
//! calls, and the one line each says (inline snapshots: the line is the test).

use crate::util::{compile, fixture};
use yardstick::publish::{BuildError, InitError, InitRequest, WriteError};

fn spec_set() -> yardstick::check::Checked {
    compile(&fixture("spec/set")).0.expect("the spec set checks")
}

fn init_error(sites: &[&str], sources: &[&str]) -> InitError {
    let dir = tempfile::tempdir().unwrap();
    let sites: Vec<String> = sites.iter().map(ToString::to_string).collect();
    let sources: Vec<String> = sources.iter().map(ToString::to_string).collect();
    let set = fixture("spec/set");
    let request = InitRequest { dir: dir.path(), set: &set, sites: &sites, sources: &sources };
    yardstick::publish::init(&spec_set().set, &request).expect_err("init refuses")
}

#[test]
fn init_says_which_site_id_cannot_be() {
    let e = init_error(&["lyon", "all"], &[]);
    assert!(matches!(e, InitError::BadSite(_)) && e.is_usage());
    insta::assert_snapshot!(e, @"`all` cannot be a site id: use letters, digits, `_` and `-` (it names the site's data folder), and not `all`");
    insta::assert_snapshot!(init_error(&["lyon", "lyon"], &[]), @"site `lyon` is named twice in --sites");
    insta::assert_snapshot!(init_error(&[" "], &[]), @"name the sites: --sites lodz,lyon");
}

#[test]
fn init_names_the_sources_of_the_set_for_a_source_it_lacks() {
    let e = init_error(&["lyon"], &["incident"]);
    insta::assert_snapshot!(e, @"no source `incident` in definition set spec-examples; did you mean `incidents`? (its sources: assets, downtime, incidents)");
}

#[test]
fn a_build_of_a_set_alone_needs_a_project() {
    let out = tempfile::tempdir().unwrap();
    let e = yardstick::publish::build(&spec_set(), chrono::NaiveDate::MIN, Some(out.path()), &|_| {})
        .expect_err("no project");
    assert!(matches!(e, BuildError::NeedsProject));
    insta::assert_snapshot!(e, @"build needs a project (a folder with yardstick.yaml), not a definition set alone");
}

#[test]
fn an_out_folder_that_is_a_file_is_refused_before_anything_is_written() {
    let (checked, _, _) = compile(&fixture("spec/project"));
    let checked = checked.expect("the spec project checks");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("out");
    std::fs::write(&file, "not a folder").unwrap();
    let results = yardstick::results::Results::default();
    let no_reports = |_: &yardstick::manifest::Manifest| Ok(Vec::new());
    let as_of = chrono::NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
    let e = yardstick::publish::write(&checked, &results, as_of, &file, &yardstick::publish::GitCli, &no_reports)
        .expect_err("a file is no output folder");
    assert!(matches!(e, WriteError::OutIsFile(_)));
    let said = e.to_string().replace(&dir.path().display().to_string(), "[tmp]");
    insta::assert_snapshot!(said, @"--out [tmp]/out is a file, not a folder; name a new or previous output folder");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "not a folder", "the file is as it was");
}

/// A revision that names nothing is the user's to fix (exit 2); git failing to run is not.
#[test]
fn a_revision_error_says_whether_the_revision_or_git_is_at_fault() {
    use yardstick::load::RevisionError;
    use yardstick::load::git::GitError;
    let dir = std::path::PathBuf::from("/plant");
    let unknown = RevisionError::NotARevision { rev: "v9".into(), root: dir.clone() };
    assert!(unknown.is_unknown_revision());
    insta::assert_snapshot!(unknown, @"`v9` is not a revision of the repository at /plant");
    let outside =
        RevisionError::NotInRepository { dir: dir.clone(), source: GitError::Refused("not a git repository".into()) };
    assert!(outside.is_unknown_revision());
    let no_git = std::io::Error::new(std::io::ErrorKind::NotFound, "no such program");
    let not_run = RevisionError::NotInRepository { dir, source: GitError::NotRun(no_git) };
    assert!(!not_run.is_unknown_revision(), "git not installed is no usage error");
}
