//! `yardstick build`: every metric of the project in one run, written with the manifest
//! into the output folder (docs/manifest.md and docs/commands.md). Exit 0, or 1 when the definitions or
//! the data have errors (nothing is written then), or 3 when `--fail-on` finds a
//! leadership metric at or past the status named (everything was still written).

use crate::diag::render_all;
use crate::publish::{self, BuildError};
use crate::results::RowStatus;
use chrono::NaiveDate;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    Red,
    Amber,
}

pub struct Args<'a> {
    pub project: &'a Path,
    /// The day given, if any (resolved against the project's sites).
    pub as_of: Option<NaiveDate>,
    pub out: Option<&'a Path>,
    pub fail_on: Option<FailOn>,
    pub quiet: bool,
    /// Exit 3 on any data note.
    pub strict: bool,
}

pub fn run(args: &Args, color: bool) -> ExitCode {
    let started = Instant::now();
    // A build time that cannot be read is said before any work, not after it.
    if let Err(e) = crate::manifest::built_at() {
        eprintln!("error: {e}\nerror: nothing was written; the previous output, if any, is as it was");
        return ExitCode::from(2);
    }
    let (checked, sources) = super::compile_for_metrics(args.project, color);
    let Some(checked) = checked else {
        eprintln!("error: nothing was written; the previous output, if any, is as it was");
        return ExitCode::from(1);
    };
    let as_of = match super::as_of(args.as_of, Some(&checked), color) {
        Ok(day) => day,
        Err(code) => return code,
    };
    let progress = Progress::new(!args.quiet && std::io::stderr().is_terminal());
    let built = publish::build(&checked, as_of, args.out, &|stage| progress.say(stage));
    progress.finish();
    let (built, results) = match built {
        Ok(built) => built,
        Err(e @ BuildError::NeedsProject) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
        Err(BuildError::Compute(errors)) => {
            eprint!("{}", render_all(errors.iter(), &sources, color));
            eprintln!("error: nothing was written; the previous output, if any, is as it was");
            return ExitCode::from(1);
        }
        Err(BuildError::Write { error, warnings }) => {
            eprint!("{}", render_all(warnings.iter(), &sources, color));
            eprintln!("error: {error}; the previous output, if any, is as it was");
            return ExitCode::from(1);
        }
    };
    if !results.warnings.is_empty() {
        eprint!("{}", render_all(results.warnings.iter(), &sources, color));
    }
    if !args.quiet {
        let rows_read: usize = built.manifest.inputs.iter().map(|i| i.rows).sum();
        eprintln!(
            "built {} ({}): {} result rows from {} files ({rows_read} rows read) into {} ({}) in {:.1} s",
            plural(checked.set.metrics.len(), "metric"),
            checked.set.describe(),
            results.rows.len(),
            built.manifest.inputs.len(),
            built.out.display(),
            match built.files.len() - 6 {
                0 => "results and trends as CSV and Parquet, manifest.json, the front page index.html".to_string(),
                n => format!(
                    "results and trends as CSV and Parquet, manifest.json, {n} report files and the front page index.html"
                ),
            },
            started.elapsed().as_secs_f64()
        );
    }
    let failing = match args.fail_on {
        Some(level) => fail_on(&checked, &results.rows, level),
        None => ExitCode::SUCCESS,
    };
    if args.strict && failing == ExitCode::SUCCESS {
        return strict(&results);
    }
    failing
}

/// Exit 3, saying what, when reading the data noted anything (`--strict`): a data warning
/// or note (W07xx, N07xx), each code counted, or rows left out of some metric at a site
/// (history dated before the project's start aside: nothing is wrong with it).
fn strict(results: &crate::results::Results) -> ExitCode {
    let counted = crate::diag::count_by_code(results.warnings.iter().filter(|d| d.is_data_note()));
    let mut noted: Vec<String> =
        counted.iter().map(|(code, n)| if *n == 1 { code.to_string() } else { format!("{code} ×{n}") }).collect();
    let history = format!("{}=", crate::engine::data::BEFORE_START);
    let faulty = |reasons: &str| reasons.split(';').any(|r| !r.is_empty() && !r.starts_with(&history));
    let left_out =
        (results.rows.iter()).filter(|r| r.site != crate::ir::SiteRef::All && faulty(&r.excluded_reasons)).count();
    if left_out > 0 {
        noted.push(format!("{left_out} result row(s) with data rows left out, by the reasons in `excluded_reasons`"));
    }
    if noted.is_empty() {
        return ExitCode::SUCCESS;
    }
    eprintln!("error: --strict: the data has notes ({}); everything was written", noted.join(", "));
    ExitCode::from(3)
}

/// Exit 3, naming each failing metric and site, when a leadership metric is at or past
/// `level` in its latest whole period.
fn fail_on(checked: &crate::check::Checked, rows: &[crate::results::ResultRow], level: FailOn) -> ExitCode {
    let status = match level {
        FailOn::Red => RowStatus::Red,
        FailOn::Amber => RowStatus::Amber,
    };
    let failing = publish::failing(checked, rows, status);
    if failing.is_empty() {
        return ExitCode::SUCCESS;
    }
    for f in &failing {
        let dims = if f.dims.is_empty() { String::new() } else { format!(" ({})", f.dims.join(", ")) };
        eprintln!("failing: {} at {}{dims}, {}: {}", f.metric, f.site, f.period, f.status.as_str());
    }
    let level = status.as_str();
    eprintln!(
        "error: {} leadership metric row(s) {} in the latest whole period (--fail-on {level}); everything was written",
        failing.len(),
        if status == RowStatus::Red { "red" } else { "amber or red" }
    );
    ExitCode::from(3)
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 { format!("1 {what}") } else { format!("{n} {what}s") }
}

/// A spinner with the stage under way, on a terminal only.
struct Progress(Option<ProgressBar>);

impl Progress {
    fn new(shown: bool) -> Progress {
        Progress(shown.then(|| {
            let bar = ProgressBar::new_spinner();
            bar.set_style(ProgressStyle::with_template("{spinner} {msg} ({elapsed})").expect("a valid template"));
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        }))
    }

    fn say(&self, stage: &str) {
        if let Some(bar) = &self.0 {
            bar.set_message(stage.to_string());
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}
