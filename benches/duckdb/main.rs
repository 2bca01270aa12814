//! yardstick's `query` against DuckDB's command-line shell computing the same numbers over
//! the same files, each as a whole process: wall time and peak memory.
//!
//! Run with `cargo bench --bench duckdb` (release build); DuckDB's shell must be on the
//! PATH (`pip install duckdb-cli`). For each scale it generates the Acme project at 3 sites
//! x 5 years in a temporary folder, then, turn about, runs
//! `yardstick query security_downtime_hours --as-of 2026-12-31 --format csv` and
//! `duckdb -csv < security_downtime_hours.sql` (the SQL beside this file, written by hand:
//! read, map Brno's codes, each stop's latest revision, its line's production snapshot,
//! filter, sum per site and quarter, and the pooled row), checks that both give every value
//! (within 1e-9 relative), and prints the medians.
//!
//! `--scale N` (repeatable; default 125 and 500, about 0.9M and 3.8M downtime rows; 1500
//! is about 11M) and `--runs N` (default 3) change the sizes and the number of runs.

#[path = "../acme_project.rs"]
mod acme_project;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const YEARS: i32 = 5;
const SQL: &str = include_str!("security_downtime_hours.sql");

fn main() {
    let mut args = std::env::args().skip(1);
    if let Some("--measure") = std::env::args().nth(1).as_deref() {
        return measure(args.skip(1).collect());
    }
    let (mut scales, mut runs) = (Vec::new(), 3usize);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--scale" => scales.push(args.next().and_then(|v| v.parse().ok()).expect("--scale takes a whole number")),
            "--runs" => runs = args.next().and_then(|v| v.parse().ok()).expect("--runs takes a whole number"),
            // `cargo bench` passes `--bench`; filters do not apply here.
            _ => {}
        }
    }
    if scales.is_empty() {
        scales = vec![125, 500];
    }
    if Command::new("duckdb").arg("--version").output().is_err() {
        eprintln!("DuckDB's shell is not on the PATH: `pip install duckdb-cli`, then run again");
        std::process::exit(2);
    }
    println!(
        "| downtime rows (Acme `--scale`) | yardstick wall | DuckDB wall | ratio | yardstick peak | DuckDB peak | ratio |"
    );
    println!("|---|---|---|---|---|---|---|");
    for scale in scales {
        let temporary = tempfile::tempdir().expect("temporary folder");
        let dir = temporary.path();
        acme_project::write(dir, YEARS, scale);
        let rows = acme_project::downtime_rows(dir);
        let (mut ours, mut theirs) = (Vec::new(), Vec::new());
        for _ in 0..runs {
            let (run_ours, out_ours) = run(dir, "yardstick");
            let (run_theirs, out_theirs) = run(dir, "duckdb");
            same_values(&out_ours, &out_theirs);
            ours.push(run_ours);
            theirs.push(run_theirs);
        }
        let (ours, theirs) = (median(ours), median(theirs));
        println!(
            "| {:.1}M ({scale}) | {:.2} s | {:.2} s | {:.2}x | {} MiB | {} MiB | {:.1}x |",
            rows as f64 / 1e6,
            ours.wall.as_secs_f64(),
            theirs.wall.as_secs_f64(),
            ours.wall.as_secs_f64() / theirs.wall.as_secs_f64(),
            ours.peak_kib / 1024,
            theirs.peak_kib / 1024,
            ours.peak_kib as f64 / theirs.peak_kib as f64
        );
    }
}

/// One process's wall time and peak resident memory.
#[derive(Clone, Copy)]
struct Run {
    wall: Duration,
    peak_kib: u64,
}

fn median(mut runs: Vec<Run>) -> Run {
    runs.sort_by_key(|r| r.wall);
    let mut peaks: Vec<u64> = runs.iter().map(|r| r.peak_kib).collect();
    peaks.sort_unstable();
    Run { wall: runs[runs.len() / 2].wall, peak_kib: peaks[peaks.len() / 2] }
}

/// Runs `what` (`yardstick` or `duckdb`) in `dir` through a child of this benchmark, which
/// reports its one child's peak memory; with what it wrote.
fn run(dir: &Path, what: &str) -> (Run, String) {
    use std::io::Write;
    let mut child = Command::new(std::env::current_exe().expect("this benchmark"))
        .args(["--measure", what])
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the measuring child starts");
    let sql = if what == "duckdb" { SQL } else { "" };
    child.stdin.take().expect("stdin").write_all(sql.as_bytes()).expect("write the SQL");
    let out = child.wait_with_output().expect("the measuring child ends");
    assert!(out.status.success(), "{what} failed");
    let text = String::from_utf8(out.stdout).expect("text");
    let (head, rest) = text.split_once('\n').expect("a measure line");
    let mut numbers = head.split(' ').map(|n| n.parse::<u64>().expect("a number"));
    let (nanos, peak_kib) = (numbers.next().expect("wall"), numbers.next().expect("peak"));
    (Run { wall: Duration::from_nanos(nanos), peak_kib }, rest.to_string())
}

/// In the measuring child: runs the command named, its input passed on, and prints
/// `NANOS PEAK_KIB` on the first line, then what the command wrote.
fn measure(what: Vec<String>) {
    let mut command = match what.first().map(String::as_str) {
        Some("yardstick") => {
            let mut c = Command::new(env!("CARGO_BIN_EXE_yardstick"));
            c.args(["query", "security_downtime_hours", "--as-of", "2026-12-31", "--format", "csv"]);
            // The benchmark's year may not be over yet where it runs.
            c.env("YARDSTICK_TODAY", "2027-01-15");
            c
        }
        Some("duckdb") => {
            let mut c = Command::new("duckdb");
            c.arg("-csv");
            c
        }
        other => panic!("--measure takes yardstick or duckdb, not {other:?}"),
    };
    let start = Instant::now();
    let out = command.stdin(Stdio::inherit()).stderr(Stdio::inherit()).output().expect("the command starts");
    let wall = start.elapsed();
    assert!(out.status.success(), "{what:?} failed");
    let usage = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN).expect("getrusage");
    // Linux reports the peak resident set in KiB.
    println!("{} {}", wall.as_nanos(), usage.max_rss());
    print!("{}", String::from_utf8(out.stdout).expect("text"));
}

/// Asserts that yardstick's `query` CSV and DuckDB's give the same value for every site and
/// quarter yardstick has one (DuckDB has no row for a quarter without a security stop,
/// where yardstick's sum is 0).
fn same_values(ours: &str, duckdb: &str) {
    let table = |text: &str, value: &str| -> BTreeMap<(String, String), String> {
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().expect("a header").split(',').collect();
        let at = |name: &str| header.iter().position(|h| *h == name).expect("a column");
        let (site, period, value) = (at("site"), at("period"), at(value));
        lines
            .map(|line| line.split(',').collect::<Vec<_>>())
            .map(|cells| ((cells[site].to_string(), cells[period].to_string()), cells[value].to_string()))
            .collect()
    };
    let (ours, theirs) = (table(ours, "value"), table(duckdb, "value"));
    let mut compared = 0;
    for (key, value) in &ours {
        let Ok(ours) = value.parse::<f64>() else { continue };
        let theirs = theirs.get(key).map_or(0.0, |v| v.parse::<f64>().expect("a number"));
        assert!((ours - theirs).abs() <= 1e-9 * ours.abs().max(1.0), "{key:?}: yardstick {ours}, DuckDB {theirs}");
        compared += 1;
    }
    assert!(compared > 0 && theirs.keys().all(|k| ours.contains_key(k)), "both computed the same rows");
}
