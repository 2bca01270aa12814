//! Reading the sites' exports (docs/definition-set.md and docs/project.md): every bound file is read once,
//! each declared column parsed by its declared type (never inferred), local codes mapped
//! onto vocabulary terms, datetimes turned into UTC instants by the site's time zone
//! (`instants`), and anything that does not parse reported with file, row, column and
//! value. A value is never silently turned into null. The data rules (`rules`) are
//! checked on every read, on the rows [`visible`] as of the day computed.

mod cache;
mod columns;
mod csv;
pub(crate) mod dates;
mod error;
mod file;
pub mod guard;
mod instants;
pub mod joins;
mod rules;
mod summary;

pub use cache::FileCache;
use columns::*;
use dates::*;
use file::*;
pub use summary::{DataSummary, Expected, check_all};

use crate::calendar::{end_of_day, wall_to_utc};
use crate::diag::{Diagnostic, codes};
use crate::ir::{Binding, ColumnType, Dialect, FileFormat, Site, SiteId, Source, Unmapped, Vocabulary};
use crate::plan::Inputs;
use chrono::{Datelike, NaiveDate, NaiveDateTime};
use chrono_tz::Tz;
pub use csv::Lines;
use error::ReadError;
use instants::{Written, parse_written};
use polars::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// The implicit column holding the site id.
pub const SITE: &str = "site";
/// Rows left out for one code outside its vocabulary: how many, where, and a close code.
#[derive(Clone, Debug, Default)]
pub struct Excluded {
    pub rows: usize,
    /// The file and its first rows, as a diagnostic names them.
    pub located: String,
    /// A term or mapped code that differs only in case, or is close.
    pub hint: Option<String>,
}

/// Why a row is left out of every metric over its source, empty on rows kept: one of
/// the reasons below (the results' `excluded_reasons` count them).
pub const EXCLUDED: &str = "__excluded";
/// A code outside its vocabulary, under `unmapped: exclude`.
pub const UNMAPPED: &str = "unmapped";
/// A non-empty join key with no partner, under `on_missing: exclude`.
pub const JOIN_MISS: &str = "join_miss";
/// A row dated before the project's `start` (counted in the first period).
pub const BEFORE_START: &str = "before_start";

/// One source at one site, typed. List columns hold their items as `;a;b;` so that
/// `has` is a substring test on whole items.
#[derive(Debug)]
pub struct SiteTable {
    pub site: SiteId,
    pub path: PathBuf,
    pub frame: DataFrame,
    /// Codes read as their deprecated replacement, per column.
    pub deprecated: BTreeMap<String, usize>,
    /// Where its rows are written in the file (and how many comment lines were skipped).
    pub lines: Lines,
}

/// What reading found wrong, grouped as `check --data` reports it.
#[derive(Debug, Default)]
pub struct DataReport {
    /// Where files read before are kept, when the caller keeps them.
    pub files: Option<FileCache>,
    pub errors: Vec<Diagnostic>,
    /// Values read, but not as written: local times in a DST gap.
    pub warnings: Vec<Diagnostic>,
    /// Codes left out under `unmapped: exclude`: (site, source, column, code) to rows.
    pub excluded_codes: BTreeMap<(String, String, String, String), Excluded>,
}

/// Reads `source` for `site` from its binding, and checks the data rules on the rows
/// visible as of `as_of` (every row is kept).
pub fn read_site_table(
    inputs: &Inputs,
    source: &Source,
    site: &Site,
    as_of: NaiveDate,
    report: &mut DataReport,
) -> Option<SiteTable> {
    let binding = inputs.binding(&source.name, site)?;
    let path = bound_file(inputs.root, source, site, binding, report)?;
    // A schema of fewer columns than the set's is a projection: the others are not read.
    let project = inputs.sources.get(&source.name).is_some_and(|full| full.columns.len() > source.columns.len());
    let (mut raw, lines) = read_file(&path, binding, source, project, report)?;
    renamed(&mut raw, binding, source, &path, report)?;
    if raw.height() == 0 && binding.empty == crate::ir::Empty::NoData {
        let message = format!(
            "{} holds no rows: the metrics over `{}` have no value at site `{}` (`no_data`), never a zero",
            path.display(),
            source.name,
            site.id
        );
        report.warnings.push(Diagnostic::warning(codes::W0705, message).in_file(&path).help(format!(
            "if the site had nothing to report, say so in the binding `{}`: `empty: none_to_report` (its counts are then zero); if it has no such export, `sources: {{{}: none}}` under the site",
            binding.at, source.name
        )));
    }
    let height = raw.height();
    let mut excluded: Vec<Option<&'static str>> = vec![None; height];
    let mut read = Read { inputs, source, site, binding, path: &path, lines: &lines, excluded: &mut excluded, report };
    let (mut columns, deprecated) = read.columns(&raw)?;
    columns.push(Column::new(SITE.into(), vec![site.id.as_str(); height]));
    columns.push(Column::new(EXCLUDED.into(), excluded));
    let frame = DataFrame::new(height, columns).expect("columns of one height");
    let visible = visible(source, site.timezone, as_of);
    let read = |c: &String| source.column(c).is_some();
    let durations: Vec<(String, String)> =
        inputs.durations(&source.name).iter().filter(|(a, b)| read(a) && read(b)).cloned().collect();
    let durations = durations.as_slice();
    rules::Rules { source, path: &path, lines: &lines, frame: &frame, visible, durations }.check(report);
    Some(SiteTable { site: site.id.clone(), path, frame, deprecated, lines })
}

/// The export's own headers read as the schema's columns (`columns:` in the binding): a
/// renamed column comes from its header alone, so a file that also has a header of the
/// schema's name is refused (which one is meant?), and without its header the column is
/// missing (reported as such), never read from a header of the schema's name. `None`
/// (reported) when a header is ambiguous.
fn renamed(
    raw: &mut DataFrame,
    binding: &Binding,
    source: &Source,
    path: &Path,
    report: &mut DataReport,
) -> Option<()> {
    let mut ok = true;
    for (column, header) in binding.columns.iter().filter(|(c, h)| c != h) {
        match (raw.column(header).is_ok(), raw.column(column).is_ok()) {
            (true, true) => {
                let message = format!(
                    "{} has both `{header}`, which its binding reads as `{column}` of `{}`, and a column `{column}`: which one is meant?",
                    path.display(),
                    source.name
                );
                report.errors.push(Diagnostic::error(codes::E0705, message).in_file(path).help(format!(
                    "remove one of the two columns from the export, or the rename from the binding `{}` in yardstick.yaml",
                    binding.at
                )));
                ok = false;
            }
            (true, false) => {
                raw.rename(header, column.as_str().into()).ok()?;
            }
            (false, true) => {
                // Read from its header only: the schema's name is not the column meant.
                raw.drop_in_place(column).ok()?;
            }
            (false, false) => {}
        }
    }
    ok.then_some(())
}

/// True on the rows of one site's table of `source` that the site knew as of `as_of`
/// (docs/semantics.md): those whose every date that records an event (a non-nullable,
/// non-`planned` `date` or `datetime` column) lies before the end of `as_of` at the site,
/// that is on or before `as_of` for a date, before the next local midnight in `timezone`
/// for a datetime. An empty date does not hide its row.
pub fn visible(source: &Source, timezone: Tz, as_of: NaiveDate) -> Expr {
    let end = end_of_day(timezone, as_of).and_utc().timestamp_millis();
    let known = source.required_dates().map(|c| {
        let column = col(c.name.as_str());
        let known = match c.ty {
            ColumnType::Date => column.lt_eq(lit(days_since_epoch(as_of)).cast(DataType::Date)),
            _ => column.lt(lit(end).cast(DataType::Datetime(TimeUnit::Milliseconds, None))),
        };
        known.fill_null(lit(true))
    });
    known.reduce(Expr::and).unwrap_or(lit(true))
}

/// The site's file of `source`, or an error when it is missing.
fn bound_file(
    root: &Path,
    source: &Source,
    site: &Site,
    binding: &Binding,
    report: &mut DataReport,
) -> Option<PathBuf> {
    let path = root.join(binding.file.replace("{site}", &site.id));
    if path.is_file() {
        return Some(path);
    }
    report.errors.push(
        Diagnostic::error(
            codes::E0703,
            format!("no `{}` data for site `{}`: {} not found", source.name, site.id, path.display()),
        )
        .in_file(&path)
        .help(format!(
            "the binding `{}` in yardstick.yaml reads `{}`; export the file or fix the path",
            binding.at, binding.file
        )),
    );
    None
}

/// Reads `source` at every site of the project, the sites side by side (our parsing of a
/// file runs on one core), in site order; the data rules are checked as of `as_of`.
pub fn read_sites(inputs: &Inputs, source: &Source, as_of: NaiveDate, report: &mut DataReport) -> Vec<SiteTable> {
    let files = report.files.clone();
    let read = on_threads(inputs.sites, |site| {
        let mut own = DataReport { files: files.clone(), ..DataReport::default() };
        let table = read_site_table(inputs, source, site, as_of, &mut own);
        (table, own)
    });
    let mut tables = Vec::with_capacity(read.len());
    for (table, own) in read {
        report.merge(own);
        tables.extend(table);
    }
    tables
}

impl DataReport {
    /// Adds what reading another file found, after what this report holds.
    fn merge(&mut self, other: DataReport) {
        self.errors.extend(other.errors);
        self.warnings.extend(other.warnings);
        for (key, excluded) in other.excluded_codes {
            let entry = self.excluded_codes.entry(key).or_insert_with(|| Excluded { rows: 0, ..excluded.clone() });
            entry.rows += excluded.rows;
        }
    }
}

/// `f` of every item, computed on as many threads as the machine has cores, in item order.
fn on_threads<I: Sync, T: Send>(items: &[I], f: impl Fn(&I) -> T + Sync) -> Vec<T> {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, items.len().max(1));
    let f = &f;
    let mut done: Vec<(usize, T)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                scope.spawn(move || {
                    items.iter().enumerate().skip(w).step_by(workers).map(|(i, item)| (i, f(item))).collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect()
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, t)| t).collect()
}

/// The rows of `t` whose `column` (a date, or a datetime read as an instant) lies before
/// `start` at a site in `timezone`.
pub fn early(t: &SiteTable, column: &str, timezone: Tz, start: NaiveDate) -> Vec<usize> {
    let Ok(values) = t.frame.column(column) else { return Vec::new() };
    let bound = match values.dtype() {
        DataType::Date => i64::from(days_since_epoch(start)),
        _ => wall_to_utc(start.and_time(chrono::NaiveTime::MIN), timezone).0.and_utc().timestamp_millis(),
    };
    let physical = values.to_physical_repr();
    let Ok(values) = physical.cast(&DataType::Int64) else { return Vec::new() };
    let Ok(values) = values.i64() else { return Vec::new() };
    values.iter().enumerate().filter(|(_, v)| v.is_some_and(|v| v < bound)).map(|(row, _)| row).collect()
}

/// An empty, typed table of `source`: what the plan of a metric looks like without data.
pub fn empty_table(source: &Source, site: &str) -> SiteTable {
    let mut columns: Vec<Column> = source
        .columns
        .iter()
        .map(|c| {
            let dtype = match &c.ty {
                ColumnType::Int => DataType::Int64,
                ColumnType::Float => DataType::Float64,
                ColumnType::Bool => DataType::Boolean,
                ColumnType::Date => DataType::Date,
                ColumnType::DateTime => DataType::Datetime(TimeUnit::Milliseconds, None),
                ColumnType::String | ColumnType::Vocab(_) | ColumnType::List(_) => DataType::String,
            };
            Column::new_empty(c.name.as_str().into(), &dtype)
        })
        .collect();
    columns.push(Column::new_empty(SITE.into(), &DataType::String));
    columns.push(Column::new_empty(EXCLUDED.into(), &DataType::String));
    SiteTable {
        site: SiteId(site.to_string()),
        path: PathBuf::new(),
        frame: DataFrame::new(0, columns).expect("empty columns"),
        deprecated: BTreeMap::new(),
        lines: Lines::default(),
    }
}
