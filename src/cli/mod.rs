//! The command line (docs/commands.md): a thin layer that parses arguments, calls the
//! library's stages and renders what they report. Exit status: 0 success, 1 errors in
//! definitions or data, 2 wrong usage, 3 `build --fail-on` found a failing metric.

mod build;
mod check;
mod diff;
mod explain;
mod fetch;
mod init;
mod metrics;
mod query;
mod sql;

use crate::ir::Grain;
use chrono::NaiveDate;
use clap::{Parser, Subcommand};
use std::io::{IsTerminal, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "yardstick",
    version,
    about = "Metrics-as-code for ISMS governance: check definitions, compute metrics, render reports"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Show every note (nothing to fix) instead of counting them in one line.
    #[arg(long, global = true)]
    verbose: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Load and check a project (or a definition set): names, vocabulary terms, types.
    Check {
        /// The project folder (with yardstick.yaml), or a definition set folder (with set.yaml).
        #[arg(short = 'p', long = "project", default_value = ".")]
        project: PathBuf,
        /// Read the data too: report every value that does not parse and every unmapped code.
        #[arg(long)]
        data: bool,
        /// Compare with the definitions at this git revision: every metric or vocabulary
        /// whose meaning changed needs a new version, and the set a new semantic version.
        #[arg(long, value_name = "REV")]
        base: Option<String>,
    },
    /// Explain a metric (its meaning in plain words, its lineage and its query plan), or a
    /// diagnostic code such as E0304.
    Explain {
        /// The metric's id, or a diagnostic code.
        metric: String,
        #[arg(short = 'p', long = "project", default_value = ".")]
        project: PathBuf,
        /// Also show the back end's own plan (Polars) behind the query plan.
        #[arg(long = "plan", alias = "polars")]
        polars: bool,
        /// Plan as of the end of this day (YYYY-MM-DD). Default: the last day ended at every site.
        #[arg(long = "as-of", value_parser = parse_date)]
        as_of: Option<NaiveDate>,
    },
    /// Print the SQL that computes a metric's aggregate table (DuckDB or Spark SQL).
    Sql {
        /// The metric's id.
        metric: String,
        #[arg(short = 'p', long = "project", default_value = ".")]
        project: PathBuf,
        /// The SQL dialect: DuckDB reads the project's CSV exports where they are; Spark
        /// reads a table per source, named as the source, with the site's id in `site`.
        #[arg(long, value_enum, default_value = "duckdb")]
        dialect: crate::sql::Dialect,
        /// As of the end of this day (YYYY-MM-DD). Default: the last day ended at every site.
        #[arg(long = "as-of", value_parser = parse_date)]
        as_of: Option<NaiveDate>,
    },
    /// Compute every metric and write results.csv, results.parquet and manifest.json into
    /// the output folder, whole or not at all: the scheduled report build.
    Build {
        /// The project folder (with yardstick.yaml).
        #[arg(short = 'p', long = "project", default_value = ".")]
        project: PathBuf,
        /// Compute as of the end of this day (YYYY-MM-DD). Default: the last day ended at every site.
        #[arg(long = "as-of", value_parser = parse_date)]
        as_of: Option<NaiveDate>,
        /// The output folder, replaced whole (default: out/ in the project).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Exit 3 when a leadership metric is at this status or worse in its latest whole
        /// period, at any site (after writing everything).
        #[arg(long = "fail-on", value_enum)]
        fail_on: Option<build::FailOn>,
        /// No progress and no summary line.
        #[arg(long)]
        quiet: bool,
        /// Exit 3 (after writing everything) when reading the data noted anything: rows
        /// left out, an empty export, a join miss kept, a time moved out of a DST gap.
        #[arg(long)]
        strict: bool,
    },
    /// What a change of the definitions since BASE means and does to the numbers, per
    /// site and period: a pull-request comment (Markdown) or JSON.
    Diff {
        /// The base revision of the repository holding the definition set.
        base: String,
        /// The head revision (default: the working tree).
        head: Option<String>,
        #[arg(short = 'p', long = "project", default_value = ".")]
        project: PathBuf,
        /// Compute both sides as of the end of this day (YYYY-MM-DD). Default: the last day ended at every site.
        #[arg(long = "as-of", value_parser = parse_date)]
        as_of: Option<NaiveDate>,
        #[arg(long, value_enum, default_value = "md")]
        format: diff::Format,
    },
    /// Fetch again the definition set the project pins in git (`definitions: {git: URL,
    /// rev: TAG}`) into yardstick's cache, then check the project against it.
    Fetch {
        #[arg(short = 'p', long = "project", default_value = ".")]
        project: PathBuf,
    },
    /// Start a project: yardstick.yaml for the named sites, bindings and CSV templates for
    /// the chosen sources, a mappings file per site. Overwrites nothing.
    Init {
        /// The new project's folder (created if missing).
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// The definition set the project uses (a folder with set.yaml).
        #[arg(long)]
        set: PathBuf,
        /// The site ids, comma-separated: each names the site's data folder.
        #[arg(long, required = true, value_delimiter = ',')]
        sites: Vec<String>,
        /// The sources the sites export, comma-separated (default: every source of the set).
        #[arg(long, value_delimiter = ',')]
        sources: Vec<String>,
    },
    /// List every metric: layer, grain, tags, and whether the bound data can compute it.
    Metrics {
        /// The project folder (with yardstick.yaml), or a definition set folder.
        #[arg(short = 'p', long = "project", default_value = ".")]
        project: PathBuf,
        /// Only the metrics with this tag.
        #[arg(long)]
        tag: Option<String>,
    },
    /// Compute metrics per site and period, with baselines.
    Query {
        /// The metrics' ids (one or more; or none with --tag).
        #[arg(required_unless_present = "tag")]
        metrics: Vec<String>,
        /// Every metric with this tag (after the ids given, in the set's order).
        #[arg(long)]
        tag: Option<String>,
        /// The project folder (with yardstick.yaml).
        #[arg(short = 'p', long = "project", default_value = ".")]
        project: PathBuf,
        /// Only this site (`all` for the pooled row).
        #[arg(long)]
        site: Option<String>,
        /// Compute at this grain instead of the metric's own.
        #[arg(long, value_enum)]
        grain: Option<GrainArg>,
        /// Compute as of the end of this day (YYYY-MM-DD): nothing dated later is used.
        /// Default: the last day that has ended at every site.
        #[arg(long = "as-of", value_parser = parse_date)]
        as_of: Option<NaiveDate>,
        /// Judge the period holding --as-of on its days so far, against the baseline
        /// scaled to them, instead of leaving it pending.
        #[arg(long = "to-date")]
        to_date: bool,
        #[arg(long, value_enum, default_value = "table")]
        format: query::Format,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum GrainArg {
    Month,
    Quarter,
    Year,
}

impl From<GrainArg> for Grain {
    fn from(g: GrainArg) -> Grain {
        match g {
            GrainArg::Month => Grain::Month,
            GrainArg::Quarter => Grain::Quarter,
            GrainArg::Year => Grain::Year,
        }
    }
}

/// No input should make yardstick panic (docs/language.md), so a panic is a bug: say so in
/// one line, with what to report, instead of a backtrace. The exit code stays 101.
pub fn report_panics_as_bugs() {
    std::panic::set_hook(Box::new(|info| {
        let message = info.payload_as_str().unwrap_or("a panic without a message");
        let location = info.location().map_or_else(|| "an unknown place".into(), ToString::to_string);
        let command: Vec<String> = std::env::args_os().map(|a| a.to_string_lossy().into_owned()).collect();
        // Writing may fail (stderr closed); a panic inside this hook would abort.
        let _ = writeln!(std::io::stderr(), "{}", bug_line(message, &location, &command));
    }));
}

/// The one line a panic prints.
pub fn bug_line(message: &str, location: &str, command: &[String]) -> String {
    format!(
        "yardstick: internal error (a bug): {} at {location}; please report it with the command you ran: {}",
        message.replace('\n', " "),
        command.join(" ")
    )
}

/// Writes a command's output. A reader that stopped reading (`yardstick query … | head`)
/// is no error; any other failure to write is.
fn emit(text: &str) -> ExitCode {
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: cannot write the output: {e}");
            ExitCode::from(1)
        }
    }
}

/// Rows under a header, each column as wide as its widest cell, a rule under the header:
/// what a person reads in a terminal.
fn aligned(head: &[String], body: &[Vec<String>]) -> String {
    let widths: Vec<usize> = (0..head.len())
        .map(|i| body.iter().map(|r| r[i].chars().count()).chain([head[i].chars().count()]).max().unwrap_or(0))
        .collect();
    let line = |cells: &[String]| {
        cells.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect::<Vec<_>>().join("  ").trim_end().to_string()
            + "\n"
    };
    let mut out = line(head);
    out += &line(&widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>());
    for r in body {
        out += &line(r);
    }
    out
}

/// Says that no metric has `tag`, naming the tags the set has.
fn no_such_tag(set: &crate::ir::DefinitionSet, tag: &str) -> ExitCode {
    let mut tags: Vec<&str> = set.metrics.iter().flat_map(|m| m.tags.iter().map(String::as_str)).collect();
    tags.sort_unstable();
    tags.dedup();
    eprintln!("error: no metric is tagged `{tag}`; the set's tags: {}", tags.join(", "));
    ExitCode::from(2)
}

/// Compiles the project and prints what it found, but the notes on unbound sources (a
/// command about some metrics says which of them are not collected) and the pitfall lints
/// (counted in one line: `check` shows them).
/// The set's metric `id`, or exit status 2 after saying there is none (with a close id).
fn metric_named<'c>(checked: &'c crate::check::Checked, id: &str) -> Result<&'c crate::ir::Metric, ExitCode> {
    checked.set.metric(id).ok_or_else(|| {
        let help = crate::diag::did_you_mean(id, checked.set.metrics.iter().map(|m| m.id.as_str()))
            .unwrap_or_else(|| "`yardstick check` counts the set's metrics; metrics/README.md lists them".into());
        eprintln!("error: no metric `{id}` in the definition set\n  help: {help}");
        ExitCode::from(2)
    })
}

fn compile_for_metrics(
    project: &std::path::Path,
    color: bool,
) -> (Option<crate::check::Checked>, crate::diag::Sources) {
    let mut sources = crate::diag::Sources::default();
    let (checked, diags) = crate::compile(project, &mut sources);
    // Pitfall lints are `check`'s to show; here, only how many there are.
    let pitfall = |d: &&crate::diag::Diagnostic| crate::check::lint::is_pitfall(&d.code);
    let shown: Vec<_> = diags.iter().filter(|d| d.code != crate::diag::codes::N0610 && !pitfall(d)).collect();
    if !shown.is_empty() {
        eprint!("{}", crate::diag::render_all(shown.into_iter(), &sources, color));
    }
    let pitfalls = diags.iter().filter(pitfall).count();
    if pitfalls > 0 && checked.is_some() {
        let s = if pitfalls == 1 { "" } else { "s" };
        eprintln!("note: {pitfalls} measurement pitfall warning{s} (W10xx); `yardstick check` shows them");
    }
    (checked, sources)
}

/// The day a command computes as of (docs/semantics.md, as-of replay): the day given,
/// refused (exit 2, said) when it has not yet ended at some site of `checked`'s project;
/// without one, the last day that has ended at every site.
fn as_of(
    given: Option<NaiveDate>,
    checked: Option<&crate::check::Checked>,
    color: bool,
) -> Result<NaiveDate, ExitCode> {
    let clock = crate::calendar::Clock::from_env().map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::from(2)
    })?;
    let sites: Vec<(&str, chrono_tz::Tz)> = checked
        .and_then(|c| c.project.as_ref())
        .map(|p| p.sites.iter().map(|s| (s.id.as_str(), s.timezone)).collect())
        .unwrap_or_default();
    let zones: Vec<chrono_tz::Tz> = sites.iter().map(|(_, tz)| *tz).collect();
    let last = clock.last_whole_day(&zones);
    let Some(day) = given else { return Ok(last) };
    if day <= last {
        return Ok(day);
    }
    // The site where the day is furthest from over names the refusal.
    let (site, tz) = sites.iter().min_by_key(|(_, tz)| clock.today(*tz)).copied().unwrap_or(("", chrono_tz::Tz::UTC));
    let today = clock.today(tz);
    let at = if site.is_empty() { String::new() } else { format!(" at site `{site}`") };
    let refused = crate::diag::Diagnostic::error(
        crate::diag::codes::E0804,
        format!(
            "--as-of {day} has not ended yet{at}: it is {today} there ({tz}); a run as of a day not yet over would judge periods that are not complete, age open cases to a day that has not come and count items not yet due as late"
        ),
    )
    .help(format!(
        "give a day up to {last}, or leave --as-of out for the last day that has ended at every site (the clock can be fixed with {}=YYYY-MM-DD)",
        crate::calendar::TODAY_VAR
    ));
    eprint!("{}", crate::diag::render_all([&refused], &crate::diag::Sources::default(), color));
    Err(ExitCode::from(2))
}

/// A day on the command line that is not one.
#[derive(Debug, thiserror::Error)]
#[error("`{0}` is not a date; write YYYY-MM-DD")]
struct NotADay(String);

fn parse_date(s: &str) -> Result<NaiveDate, NotADay> {
    crate::calendar::parse_day(s).ok_or_else(|| NotADay(s.to_string()))
}

pub fn main() -> ExitCode {
    run_with(std::env::args_os())
}

/// The command line `args` (the program's name first), run as `main` runs it.
pub fn run_with(args: impl IntoIterator<Item = impl Into<std::ffi::OsString> + Clone>) -> ExitCode {
    let cli = Cli::parse_from(args);
    if cli.verbose {
        crate::diag::show_every_note();
    }
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    match cli.command {
        Command::Check { project, data, base } => check::run(&project, data, base.as_deref(), color),
        Command::Build { project, as_of, out, fail_on, quiet, strict } => {
            build::run(&build::Args { project: &project, as_of, out: out.as_deref(), fail_on, quiet, strict }, color)
        }
        Command::Diff { base, head, project, as_of, format } => {
            diff::run(&diff::Args { base: &base, head: head.as_deref(), project: &project, as_of, format }, color)
        }
        Command::Fetch { project } => fetch::run(&project, color),
        Command::Metrics { project, tag } => metrics::run(&project, tag.as_deref(), color),
        Command::Init { dir, set, sites, sources } => {
            init::run(&init::Args { dir: &dir, set: &set, sites: &sites, sources: &sources }, color)
        }
        Command::Sql { metric, project, dialect, as_of } => {
            sql::run(&sql::Args { metric: &metric, project: &project, dialect, as_of }, color)
        }
        Command::Explain { metric, project, polars, as_of } => {
            explain::run(&explain::Args { metric: &metric, project: &project, polars, as_of }, color)
        }
        Command::Query { metrics, tag, project, site, grain, as_of, to_date, format } => {
            let args = query::Args {
                metrics: &metrics,
                tag: tag.as_deref(),
                project: &project,
                site: site.as_deref(),
                grain: grain.map(Grain::from),
                as_of,
                to_date,
                format,
            };
            query::run(&args, color)
        }
    }
}
