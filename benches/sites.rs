//! What the number of sites costs (issue: 4x the sites, at most 5x the time and memory):
//! `check --data` and `build` of generated projects, each run as its own process, with its
//! wall time and its peak resident set.
//!
//! Run with `cargo bench --bench sites` (release build). It writes, in a temporary folder:
//! - one-metric projects of 30, 120, 240 and 480 sites, each site with one export of 300
//!   event rows and the Acme example's `reports:` list (a scorecard per site and quarter);
//! - the Acme example's project copied to 50 sites (its three plants in turn, each copy
//!   with its plant's time zone, rollout, local codes and coverage): the shipped set's
//!   eighteen sources and 53 metrics, with the same reports.
//!
//! Each command runs `--runs N` times (default 5), in rounds over every project; the table
//! shows medians, then the growth from 30 to 120 and from 120 to 480 sites. `--keep DIR` writes the projects to
//! DIR instead, to run them by hand or under a profiler.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

/// The sizes of the one-metric project.
const SITES: [usize; 4] = [30, 120, 240, 480];
/// Rows per site in the one-metric project.
const ROWS: usize = 300;
/// Sites of the Acme copy.
const ACME_SITES: usize = 50;

/// One run's wall time and peak resident set (KiB).
type Run = (Duration, u64);

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // In a process of its own, the bench runs one command and reports that command's peak:
    // the peak of a process's children is the largest child it waited for.
    if args.first().map(String::as_str) == Some("--child") {
        return child(&args[1..]);
    }
    let mut runs = 5usize;
    let mut keep = None;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--runs" => runs = rest.next().and_then(|v| v.parse().ok()).expect("--runs takes a whole number"),
            "--keep" => keep = Some(PathBuf::from(rest.next().expect("--keep takes a folder"))),
            // `cargo bench` passes `--bench`; filters do not apply to this one benchmark.
            _ => {}
        }
    }
    let temporary = tempfile::tempdir().expect("a temporary folder");
    let dir = keep.unwrap_or_else(|| temporary.path().to_path_buf());
    let mut projects: Vec<(String, usize, PathBuf)> = Vec::new();
    for sites in SITES {
        let root = dir.join(format!("events-{sites}"));
        events_project(&root, sites);
        projects.push((format!("one metric, {sites} sites"), sites * ROWS, root.join("project")));
    }
    let acme = dir.join(format!("acme-{ACME_SITES}"));
    let rows = acme_project(&acme, ACME_SITES);
    projects.push((format!("Acme's 18 sources, {ACME_SITES} sites"), rows, acme));

    let out = dir.join("out");
    let mut table = String::from(
        "| project | rows | `check --data` wall | `check --data` peak | `build` wall | `build` peak |\n|---|---|---|---|---|---|\n",
    );
    // Round after round over every project, so that a machine slowing down (or speeding
    // up) during the bench weighs on every size alike.
    let mut runs_of: Vec<(Vec<Run>, Vec<Run>)> = vec![(Vec::new(), Vec::new()); projects.len()];
    for _ in 0..runs {
        for ((name, _, project), (checks, builds)) in projects.iter().zip(&mut runs_of) {
            let as_of = if name.starts_with("Acme") { "2025-12-31" } else { "2026-06-30" };
            let project = project.to_str().expect("a UTF-8 path");
            checks.push(measure(&["check", "--data", "-p", project]));
            let _ = fs::remove_dir_all(&out);
            let out = out.to_str().expect("a UTF-8 path");
            builds.push(measure(&["build", "-p", project, "--as-of", as_of, "--quiet", "--out", out]));
        }
    }
    let mut measured = Vec::new();
    for ((name, rows, _), (checks, builds)) in projects.iter().zip(runs_of) {
        let (check, build) = (median(checks), median(builds));
        writeln!(
            table,
            "| {name} | {rows} | {:.2} s | {} MiB | {:.2} s | {} MiB |",
            check.0.as_secs_f64(),
            check.1 / 1024,
            build.0.as_secs_f64(),
            build.1 / 1024
        )
        .expect("a string");
        measured.push((check, build));
    }
    println!("{table}");
    // 30 -> 120 and 120 -> 480 sites of the one-metric project.
    let growth = |from: usize, to: usize| {
        let (a, b) = (&measured[from], &measured[to]);
        let ratio = |x: Run, y: Run| (y.0.as_secs_f64() / x.0.as_secs_f64(), y.1 as f64 / x.1 as f64);
        let (check_wall, check_peak) = ratio(a.0, b.0);
        let (build_wall, build_peak) = ratio(a.1, b.1);
        println!(
            "{} -> {} sites: check --data {check_wall:.1}x the time, {check_peak:.1}x the memory; build {build_wall:.1}x the time, {build_peak:.1}x the memory",
            SITES[from], SITES[to]
        );
    };
    growth(0, 1);
    growth(1, 3);
    ExitCode::SUCCESS
}

/// Runs yardstick with `args` in a process of its own, which reports the wall time and the
/// peak resident set of yardstick's process; panics when yardstick fails.
fn measure(args: &[&str]) -> Run {
    let me = std::env::current_exe().expect("the bench's own path");
    let output = Command::new(me).arg("--child").args(args).output().expect("the bench runs itself");
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "yardstick {}: {report}{}",
        args.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
    let mut fields = report.split_whitespace().map(|f| f.parse::<u64>().expect("a number"));
    let (micros, kib) = (fields.next().expect("the wall time"), fields.next().expect("the peak"));
    (Duration::from_micros(micros), kib)
}

/// The child's side of [`measure`]: runs yardstick, prints its wall time in microseconds
/// and its peak resident set in KiB.
fn child(args: &[String]) -> ExitCode {
    let start = Instant::now();
    let run = Command::new(env!("CARGO_BIN_EXE_yardstick")).args(args).stdout(Stdio::null()).output();
    let wall = start.elapsed();
    let run = run.expect("yardstick runs");
    if !run.status.success() {
        eprint!("{}", String::from_utf8_lossy(&run.stderr));
        return ExitCode::FAILURE;
    }
    let usage = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN).expect("getrusage");
    // Linux gives the peak in KiB.
    println!("{} {}", wall.as_micros(), usage.max_rss());
    ExitCode::SUCCESS
}

fn median(mut runs: Vec<Run>) -> Run {
    runs.sort();
    let wall = runs[runs.len() / 2].0;
    let mut peaks: Vec<u64> = runs.iter().map(|r| r.1).collect();
    peaks.sort_unstable();
    (wall, peaks[peaks.len() / 2])
}

/// A definition set of one event source and one count metric (tagged for the leadership
/// report), with the shipped set's report templates; and a project of `sites` sites, each
/// with the same 300 events over four years.
fn events_project(root: &Path, sites: usize) {
    let set = root.join("set");
    for folder in ["vocab", "sources", "metrics", "reports"] {
        fs::create_dir_all(set.join(folder)).expect("a set folder");
    }
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("metrics/reports");
    for template in fs::read_dir(&shipped).expect("the shipped templates") {
        let template = template.expect("a template").path();
        fs::copy(&template, set.join("reports").join(template.file_name().expect("a name"))).expect("copy a template");
    }
    let files = [
        ("set.yaml", "name: bench\nversion: 1.0.0\ndescription: One metric, many sites.\n"),
        (
            "vocab/severity.yaml",
            "vocabulary: severity\ntitle: Severity\nterms:\n  minor: {label: Minor}\n  major: {label: Major}\n",
        ),
        (
            "sources/events.yaml",
            "source: events\ntitle: Events\ndescription: One row per event.\nkey: event_id\ncollection: automated\nprovider: SOC\ncolumns:\n  event_id: string\n  detected_at: datetime\n  severity: {vocab: severity}\n",
        ),
        (
            "metrics/events.yaml",
            "metric: events\nversion: 1\ntitle: Events\ndescription: Number of events.\nlayer: outcome\ntype: impact\ninformation_need: How many events happen?\nowner: ISMS lead\nunit: events\ndirection: lower_is_better\ngrain: quarter\nsource: events\ntime: {event: detected_at}\nvalue: count()\ntarget: {change: -30%, by: 2026-12-31}\nthresholds: {green: value <= target, amber: value <= baseline}\ntags: [leadership]\naudience: [board]\n",
        ),
    ];
    for (file, text) in files {
        fs::write(set.join(file), text).expect("write the set");
    }
    let project = root.join("project");
    let mut config = String::from(
        "project: bench\ndefinitions: ../set\nstart: 2022-01-01\nbaseline: {months_before_rollout: 12}\nsites:\n",
    );
    for i in 0..sites {
        writeln!(config, "  s{i:03}: {{title: Site {i}, rollout: 2023-01-01, timezone: Europe/Paris}}")
            .expect("a string");
    }
    config.push_str("sources:\n  events: {file: \"data/{site}/events.csv\"}\n");
    config.push_str(&acme_reports());
    fs::create_dir_all(&project).expect("the project folder");
    fs::write(project.join("yardstick.yaml"), config).expect("write yardstick.yaml");
    let mut rng = 0x2026_u64;
    let mut next = move || {
        rng = rng.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        rng >> 33
    };
    let mut csv = String::from("event_id,detected_at,severity\n");
    let start = chrono::NaiveDate::from_ymd_opt(2022, 1, 1).expect("a date").and_hms_opt(0, 0, 0).expect("midnight");
    for k in 0..ROWS {
        let at = start + chrono::Duration::minutes((next() % (4 * 365 * 24 * 60)) as i64);
        let severity = if next() % 5 == 0 { "major" } else { "minor" };
        writeln!(csv, "E{k},{}Z,{severity}", at.format("%Y-%m-%dT%H:%M:%S")).expect("a string");
    }
    for i in 0..sites {
        let data = project.join(format!("data/s{i:03}"));
        fs::create_dir_all(&data).expect("a data folder");
        fs::write(data.join("events.csv"), &csv).expect("write an export");
    }
}

/// The Acme example's `reports:` list, as its yardstick.yaml writes it.
fn acme_reports() -> String {
    let acme = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/acme/yardstick.yaml"))
        .expect("examples/acme/yardstick.yaml");
    let start = acme.find("\nreports:\n").expect("Acme has reports") + 1;
    let end = acme[start..].find("\ncontext:").map_or(acme.len(), |e| start + e + 1);
    acme[start..end].to_string()
}

/// The Acme example at `sites` sites: site `i` is a copy of plant `i mod 3` (its
/// settings and its exports), reading the repository's definition set; returns the rows
/// of every export.
fn acme_project(root: &Path, sites: usize) -> usize {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let acme = repo.join("examples/acme");
    let config = fs::read_to_string(acme.join("yardstick.yaml")).expect("examples/acme/yardstick.yaml");
    let config =
        config.replace("definitions: ../../metrics", &format!("definitions: {}", repo.join("metrics").display()));
    // The plants' blocks under `sites:`, each from its `  id:` line to the next.
    let head = config.find("\nsites:\n").expect("Acme has sites") + "\nsites:\n".len();
    let tail = config.find("\nsources:\n").expect("Acme has sources") + 1;
    let mut plants: Vec<(String, String)> = Vec::new();
    for line in config[head..tail].lines() {
        match line.strip_prefix("  ").filter(|l| !l.starts_with(' ')) {
            Some(id) => plants.push((id.trim_end_matches(':').to_string(), String::new())),
            None => writeln!(plants.last_mut().expect("a plant").1, "{line}").expect("a string"),
        }
    }
    let mut blocks = String::new();
    let mut rows = 0;
    fs::create_dir_all(root.join("sites")).expect("the sites folder");
    for i in 0..sites {
        let (plant, block) = &plants[i % plants.len()];
        let id = format!("{plant}{i:02}");
        writeln!(blocks, "  {id}:").expect("a string");
        blocks.push_str(&block.replace("mappings: sites/", &format!("mappings: sites/{id}-")));
        let mappings = acme.join(format!("sites/{plant}.yaml"));
        if mappings.is_file() {
            fs::copy(&mappings, root.join(format!("sites/{id}-{plant}.yaml"))).expect("copy a mapping");
        }
        let data = root.join("data").join(&id);
        fs::create_dir_all(&data).expect("a data folder");
        for file in fs::read_dir(acme.join("data").join(plant)).expect("a plant's exports") {
            let file = file.expect("an export").path();
            let text = fs::read_to_string(&file).expect("an export");
            rows += text.lines().count().saturating_sub(1);
            fs::write(data.join(file.file_name().expect("a name")), text).expect("copy an export");
        }
    }
    // The context events name Acme's three plants: the copies have none.
    let config = format!("{}{blocks}{}", &config[..head], &config[tail..]).replace("context: context.yaml\n", "");
    fs::write(root.join("yardstick.yaml"), config).expect("write yardstick.yaml");
    rows
}
