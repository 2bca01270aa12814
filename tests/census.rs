//! The work per site does not depend on the number of sites. `yardstick build` of the same
//! project at 10 and at 40 sites, every site with the same exports, counts the rows each
//! stage touches ([`yardstick::census`]): reading, checking the data rules, each plan
//! operator's input (times the expression nodes it evaluates), rendering the reports. Four
//! times the sites must be four times the work (within 5%) at every stage, with the same
//! plan operators, none of them growing faster than the sites.
//!
//! Its own test binary: a census counts everything its process does.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use yardstick::census::Census;

/// Rows of each export at each site: enough that what a build does once (the calendar's
/// periods, the pooled rows) stays small beside what it does per site.
const ROWS: usize = 60;

#[test]
fn four_times_the_sites_is_four_times_the_work_at_every_stage() {
    let small = census_of(10);
    let large = census_of(40);
    let sum = |c: &Census| c.operators.iter().map(|o| o.rows).sum::<u64>();
    for (stage, a, b) in [
        ("reading", small.read, large.read),
        ("checking", small.checked, large.checked),
        ("computing", sum(&small), sum(&large)),
        ("rendering", small.rendered, large.rendered),
    ] {
        let growth = b as f64 / a as f64;
        assert!(a > 0, "{stage}: nothing counted");
        assert!((growth / 4.0 - 1.0).abs() <= 0.05, "{stage}: {a} rows at 10 sites, {b} at 40: {growth:.2} times");
    }
    let (a, b) = (small.operators.len(), large.operators.len());
    assert_eq!(a, b, "the plans hold {a} operators at 10 sites and {b} at 40: one per site somewhere");
    for (i, (a, b)) in small.operators.iter().zip(&large.operators).enumerate() {
        assert_eq!(a.kind, b.kind, "operator {i} is a {} at 10 sites and a {} at 40", a.kind, b.kind);
        assert!(
            b.rows as f64 <= a.rows as f64 * 4.2,
            "operator {i} ({}) touches {} rows at 10 sites and {} at 40: more than 4 times",
            a.kind,
            a.rows,
            b.rows
        );
    }
}

/// What a build of the project at `sites` sites counts; on a thread with room for deep
/// expressions, so that a branch per site fails the assertions rather than the stack.
fn census_of(sites: usize) -> Census {
    let build = std::thread::Builder::new().stack_size(256 << 20);
    build.spawn(move || build_counted(sites)).expect("a thread").join().expect("the build")
}

fn build_counted(sites: usize) -> Census {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let project = write_project(dir.path(), sites);
    let out = dir.path().join("out");
    yardstick::census::start();
    let (project, out_arg) = (project.to_str().expect("a UTF-8 path"), out.to_str().expect("a UTF-8 path"));
    let _ = yardstick::cli::run_with([
        "yardstick",
        "build",
        "-p",
        project,
        "--as-of",
        "2024-12-31",
        "--quiet",
        "--out",
        out_arg,
    ]);
    let census = yardstick::census::take();
    assert!(out.join("manifest.json").is_file(), "the build at {sites} sites wrote its output");
    census
}

/// The engine fixture's definition set (event, open and snapshot metrics, a point-in-time
/// join, a breakdown, a derived metric) with the shipped report templates, and a project
/// of `sites` sites in Berlin time, each with coverage that starts late for downtime and
/// ends early for risks, and the same exports.
fn write_project(dir: &Path, sites: usize) -> std::path::PathBuf {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    copy_dir(&repo.join("tests/fixtures/engine/set"), &dir.join("set"));
    copy_dir(&repo.join("metrics/reports"), &dir.join("set/reports"));
    let project = dir.join("project");
    let mut config = String::from(
        "project: census\ndefinitions: ../set\nstart: 2024-01-01\nbaseline: {months_before_rollout: 6}\nsites:\n",
    );
    for i in 0..sites {
        writeln!(
            config,
            "  s{i:02}: {{rollout: 2024-08-01, timezone: Europe/Berlin, coverage: {{downtime: {{from: 2024-02-01}}, risks: {{to: 2024-11-30}}}}}}"
        )
        .expect("a string");
    }
    config.push_str("sources:\n");
    for source in ["incidents", "downtime", "risks", "assets"] {
        writeln!(config, "  {source}: {{file: \"data/{{site}}/{source}.csv\"}}").expect("a string");
    }
    let acme = fs::read_to_string(repo.join("examples/acme/yardstick.yaml")).expect("the Acme project");
    let reports = &acme[acme.find("\nreports:\n").expect("Acme's reports") + 1..];
    config.push_str(&reports[..reports.find("\ncontext:").map_or(reports.len(), |e| e + 1)]);
    fs::create_dir_all(&project).expect("the project folder");
    fs::write(project.join("yardstick.yaml"), config).expect("yardstick.yaml");
    let exports = exports();
    for i in 0..sites {
        let data = project.join(format!("data/s{i:02}"));
        fs::create_dir_all(&data).expect("a data folder");
        for (file, text) in &exports {
            fs::write(data.join(file), text).expect("an export");
        }
    }
    project
}

/// One site's exports: `ROWS` rows each, spread over 2024.
fn exports() -> Vec<(&'static str, String)> {
    let mut incidents = String::from("incident_id,detected_at,contained_at,severity,cost_eur,asset_id\n");
    let mut downtime = String::from("event_id,started_at,duration_min,cause,line\n");
    let mut risks = String::from("risk_id,opened_on,closed_on,rating\n");
    let mut assets = String::from("asset_id,snapshot_on,critical,logging\n");
    let severities = ["SEV1", "SEV2", "SEV3", "SEV4"];
    let causes = ["cyber", "config", "equipment"];
    for i in 0..ROWS {
        let (month, day, hour) = (i % 12 + 1, i % 27 + 1, i % 24);
        let contained = if i % 5 == 0 { String::new() } else { format!("2024-{month:02}-{day:02}T23:30:00") };
        let asset = if i % 7 == 0 { String::new() } else { format!("A{}", i % 10) };
        let (severity, cost) = (severities[i % 4], i * 10);
        writeln!(incidents, "I{i},2024-{month:02}-{day:02}T{hour:02}:15:00,{contained},{severity},{cost},{asset}")
            .expect("a string");
        let (cause, line) = (causes[i % 3], i % 4);
        writeln!(downtime, "D{i},2024-{month:02}-{day:02}T{hour:02}:00:00Z,{},{cause},L{line}", 15 + i % 90)
            .expect("a string");
        let closed = if i % 3 == 0 { String::new() } else { format!("2024-{:02}-{day:02}", (month + 2).min(12)) };
        writeln!(risks, "R{i},2024-{month:02}-{day:02},{closed},{}", 10 + i % 10).expect("a string");
        let (critical, logging) = (i % 2 == 0, i % 3 != 0);
        writeln!(assets, "A{},2024-{:02}-01,{critical},{logging}", i % 10, i / 10 * 2 + 1).expect("a string");
    }
    vec![("incidents.csv", incidents), ("downtime.csv", downtime), ("risks.csv", risks), ("assets.csv", assets)]
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("a folder");
    for entry in fs::read_dir(from).expect("a fixture folder") {
        let path = entry.expect("an entry").path();
        let target = to.join(path.file_name().expect("a name"));
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            fs::copy(&path, &target).expect("a copy");
        }
    }
}
