//! Reading the sites' exports (docs/definition-set.md and docs/project.md): every bound file is read once,
//! each declared column parsed by its declared type (never inferred), local codes mapped
//! onto vocabulary terms, datetimes turned into UTC instants by the site's time zone
//! (`instants`), and anything that does not parse reported with file, row, column and
//! value. A value is never silently turned into null. The data rules (`rules`) are
//! checked on every read, on the rows [`visible`] as of the day computed.

mod csv;
mod error;
pub mod guard;
mod instants;
mod rules;

use crate::calendar::{end_of_day, wall_to_utc};
use crate::diag::{Diagnostic, codes};
use crate::ir::{Binding, ColumnType, Dialect, FileFormat, Site, Source, Unmapped, Vocabulary};
use crate::plan::Inputs;
use chrono::{Datelike, NaiveDate, NaiveDateTime};
use chrono_tz::Tz;
use csv::Lines;
use error::ReadError;
use instants::{Written, parse_written};
use polars::prelude::*;
use std::collections::{BTreeMap, HashMap};
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

/// True on rows left out because a code was outside its vocabulary (`unmapped: exclude`).
pub const EXCLUDED: &str = "__excluded";

/// One source at one site, typed. List columns hold their items as `;a;b;` so that
/// `has` is a substring test on whole items.
#[derive(Debug)]
pub struct SiteTable {
    pub site: String,
    pub path: PathBuf,
    pub frame: DataFrame,
    /// Codes read as their deprecated replacement, per column.
    pub deprecated: BTreeMap<String, usize>,
    /// Lines skipped as comments (the binding's `comment` character).
    pub comments: usize,
}

/// Files already read in this process, as read (before the data rules): computing twice
/// over the same exports (`diff`'s two sides, `build`'s grains) reads each file once.
/// Keyed by path, format, dialect and the columns read with their types.
#[derive(Clone, Debug, Default)]
pub struct FileCache(std::sync::Arc<std::sync::Mutex<HashMap<FileKey, (DataFrame, Lines)>>>);

/// A file's path, and how it is read (format, dialect, columns and types).
type FileKey = (PathBuf, String);

impl FileCache {
    fn key(path: &Path, binding: &Binding, source: &Source) -> FileKey {
        let columns: Vec<String> = source.columns.iter().map(|c| format!("{}:{:?}", c.name, c.ty)).collect();
        (path.to_path_buf(), format!("{:?}\0{:?}\0{}", binding.format, binding.dialect, columns.join(",")))
    }

    fn get(&self, key: &FileKey) -> Option<(DataFrame, Lines)> {
        self.0.lock().ok()?.get(key).cloned()
    }

    fn put(&self, key: FileKey, read: &(DataFrame, Lines)) {
        if let Ok(mut files) = self.0.lock() {
            files.insert(key, read.clone());
        }
    }

    /// How many files were read (each once).
    pub fn len(&self) -> usize {
        self.0.lock().map_or(0, |files| files.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
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
    let (raw, lines) = read_file(&path, binding, source, report)?;
    if raw.height() == 0 {
        let message = format!(
            "{} holds no rows: the metrics over `{}` count nothing at site `{}`",
            path.display(),
            source.name,
            site.id
        );
        report.warnings.push(Diagnostic::warning(codes::W0705, message).in_file(&path).help(format!(
            "if the site has no such export, say so: `sources: {{{}: none}}` under the site",
            source.name
        )));
    }
    let height = raw.height();
    let mut excluded = vec![false; height];
    let mut read = Read { inputs, source, site, binding, path: &path, lines: &lines, excluded: &mut excluded, report };
    let (mut columns, deprecated) = read.columns(&raw)?;
    columns.push(Column::new(SITE.into(), vec![site.id.as_str(); height]));
    columns.push(Column::new(EXCLUDED.into(), excluded));
    let frame = DataFrame::new(height, columns).expect("columns of one height");
    let visible = visible(source, site.timezone, as_of);
    let durations = inputs.durations(&source.name);
    rules::Rules { source, path: &path, lines: &lines, frame: &frame, visible, durations }.check(report);
    Some(SiteTable { site: site.id.clone(), path, frame, deprecated, comments: lines.comments })
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

/// The file with every declared column as stored (typed where the file allows, else as
/// text), and where its rows are written.
fn read_file(path: &Path, binding: &Binding, source: &Source, report: &mut DataReport) -> Option<(DataFrame, Lines)> {
    let key = report.files.as_ref().map(|_| FileCache::key(path, binding, source));
    if let Some(hit) = report.files.as_ref().zip(key.as_ref()).and_then(|(files, key)| files.get(key)) {
        return Some(hit);
    }
    let read = read_file_anew(path, binding, source, report)?;
    crate::census::read(read.0.height());
    if let Some((files, key)) = report.files.as_ref().zip(key) {
        files.put(key, &read);
    }
    Some(read)
}

fn read_file_anew(
    path: &Path,
    binding: &Binding,
    source: &Source,
    report: &mut DataReport,
) -> Option<(DataFrame, Lines)> {
    let rows_from = |first| Lines { first, skipped: Vec::new(), comments: 0 };
    let pl_path = || PlRefPath::new(path.to_string_lossy().as_ref());
    let read = match binding.format {
        FileFormat::Csv if binding.dialect.is_plain_csv() => {
            guard::guarded(|| csv::read_plain(path, source).map(|df| (df, rows_from(2))))
        }
        FileFormat::Csv => guard::guarded(|| csv::read_dialect(path, source, &binding.dialect)),
        FileFormat::Parquet => guard::parquet_in_child(path)
            .and_then(|()| guard::guarded(|| guard::decode_parquet(path)))
            .map(|df| (df, rows_from(1))),
        FileFormat::Ndjson => ndjson_flat(path).and_then(|()| {
            guard::guarded(|| {
                LazyJsonLineReader::new(pl_path())
                    .finish()
                    .and_then(LazyFrame::collect)
                    .map(|df| (df, rows_from(1)))
                    .map_err(ReadError::Decode)
            })
        }),
    };
    let read = match (read, binding.format) {
        (Ok((frame, lines)), FileFormat::Csv) => without_blank_rows(frame, lines).map_err(ReadError::Decode),
        (read, _) => read,
    };
    match read {
        Ok(read) => Some(read),
        Err(e) => {
            let not_text = e.is_encoding();
            let help = if not_text && binding.dialect.encoding == "UTF-8" {
                format!(
                    "name the export's encoding in its binding `{}` in yardstick.yaml: `csv: {{encoding: windows-1250}}` (or windows-1252, iso-8859-2, ...)",
                    binding.at
                )
            } else if not_text {
                format!(
                    "the binding `{}` reads it as {}: check which encoding the export is written in",
                    binding.at, binding.dialect.encoding
                )
            } else if e.is_ragged() {
                "every row has as many fields as the header: write a missing cell as nothing between two delimiters, and put a value that holds the delimiter in double quotes".into()
            } else {
                "check that the file is a well-formed CSV, Parquet or NDJSON export".into()
            };
            report.errors.push(
                Diagnostic::error(codes::E0704, format!("cannot read {}: {e}", path.display()))
                    .in_file(path)
                    .help(help),
            );
            None
        }
    }
}

/// Refuses an NDJSON file nested deeper than an export's records ever are.
fn ndjson_flat(path: &Path) -> Result<(), ReadError> {
    let bytes = std::fs::read(path)?;
    match guard::ndjson_depth(&bytes) {
        Some(line) => Err(ReadError::TooDeep(line)),
        None => Ok(()),
    }
}

/// A CSV's rows without its blank lines (every cell empty, as spreadsheets leave them),
/// which are not rows: their line numbers join the lines skipped.
fn without_blank_rows(frame: DataFrame, lines: Lines) -> PolarsResult<(DataFrame, Lines)> {
    let mut blank = BooleanChunked::full("blank".into(), true, frame.height());
    for c in frame.columns() {
        blank = &blank & &c.is_null();
    }
    if !blank.any() {
        return Ok((frame, lines));
    }
    let mut skipped = lines.skipped.clone();
    skipped.extend(blank.iter().enumerate().filter(|(_, b)| *b == Some(true)).map(|(row, _)| lines.of(row)));
    skipped.sort_unstable();
    Ok((frame.filter(&!&blank)?, Lines { skipped, ..lines }))
}

/// One site's file of one source being parsed, column by column.
struct Read<'a> {
    inputs: &'a Inputs<'a>,
    source: &'a Source,
    site: &'a Site,
    binding: &'a Binding,
    path: &'a Path,
    lines: &'a Lines,
    excluded: &'a mut Vec<bool>,
    report: &'a mut DataReport,
}

impl Read<'_> {
    /// Every declared column, typed, and the count of deprecated codes per column; `None`
    /// (reported) when a column is missing or does not parse.
    fn columns(&mut self, raw: &DataFrame) -> Option<(Vec<Column>, BTreeMap<String, usize>)> {
        let mut columns = Vec::with_capacity(self.source.columns.len() + 2);
        let mut deprecated = BTreeMap::new();
        if self.other_delimiter(raw) {
            return None;
        }
        let mut ok = true;
        for col in &self.source.columns {
            let Ok(values) = raw.column(&col.name) else {
                self.missing(&col.name, raw);
                ok = false;
                continue;
            };
            let plain = self.binding.format != FileFormat::Csv || self.binding.dialect.is_plain_csv();
            if let Some(ready) = as_stored(self.inputs.vocabularies, self.site, &col.ty, values).filter(|_| plain) {
                columns.push(ready);
                continue;
            }
            match self.parse(col, values) {
                Some((series, n)) => {
                    if n > 0 {
                        deprecated.insert(col.name.clone(), n);
                    }
                    columns.push(series.into_column());
                }
                None => ok = false,
            }
        }
        ok.then_some((columns, deprecated))
    }

    /// Whether the header reads as one column holding another delimiter: said once for
    /// the file (E0705), instead of every declared column being missing.
    fn other_delimiter(&mut self, raw: &DataFrame) -> bool {
        let delimiter = char::from(self.binding.dialect.delimiter);
        let other = match raw.get_column_names().as_slice() {
            [one] if self.binding.format == FileFormat::Csv && self.source.columns.len() > 1 => [',', ';', '\t', '|']
                .into_iter()
                .find(|d| *d != delimiter && one.contains(*d))
                .map(|d| (one.to_string(), d)),
            _ => None,
        };
        let Some((header, d)) = other else { return false };
        let looks = if d == '\t' { "tab".to_string() } else { format!("`{d}`") };
        self.report.errors.push(
            Diagnostic::error(
                codes::E0705,
                format!(
                    "the columns of source `{}` are missing from {}: its header reads as one column, `{header}`",
                    self.source.name,
                    self.path.display()
                ),
            )
            .in_file(self.path)
            .help(format!(
                "the file looks {looks}-separated; say so in its binding `{}` in yardstick.yaml: `csv: {{delimiter: \"{}\"}}`",
                self.binding.at,
                d.escape_default()
            )),
        );
        true
    }

    fn missing(&mut self, column: &str, raw: &DataFrame) {
        let names: Vec<&str> = raw.get_column_names().iter().map(|n| n.as_str()).collect();
        // A header typo gets the close name first; the file's columns always follow.
        let declared = |n: &&str| self.source.column(n).is_none();
        let close = crate::diag::did_you_mean(column, names.iter().copied().filter(declared));
        let help = match close {
            Some(close) => format!("{close} (a header typo?); the file has: {}", names.join(", ")),
            None => format!("the file has: {}", names.join(", ")),
        };
        self.report.errors.push(
            Diagnostic::error(
                codes::E0705,
                format!("column `{column}` of source `{}` is missing from {}", self.source.name, self.path.display()),
            )
            .in_file(self.path)
            .help(help),
        );
    }

    /// Reports a column the file holds but Polars cannot hand over (E0704).
    fn unreadable<T>(&mut self, column: &str, e: PolarsError) -> Option<T> {
        let message = format!("cannot read column `{column}` of {}: {e}", self.path.display());
        self.report.errors.push(Diagnostic::error(codes::E0704, message).in_file(self.path));
        None
    }

    /// A column through our parser, with its count of deprecated codes; `None` (reported)
    /// when it cannot be used.
    fn parse(&mut self, col: &crate::ir::Column, values: &Column) -> Option<(Series, usize)> {
        let stored_datetimes = matches!(values.dtype(), DataType::Datetime(..)) && col.ty == ColumnType::DateTime;
        let text = if stored_datetimes { Ok(StringChunked::default()) } else { text_values(values) };
        let text = match text {
            Ok(t) => t,
            Err(e) => return self.unreadable(&col.name, e),
        };
        let mut cx = ColumnCx {
            path: self.path,
            source: self.source,
            column: &col.name,
            site: self.site,
            vocabularies: self.inputs.vocabularies,
            policy: self.inputs.unmapped,
            binding: self.binding,
            lines: self.lines,
            ty: &col.ty,
            bad: Vec::new(),
            unmapped: BTreeMap::new(),
            deprecated: 0,
            excluded: self.excluded,
            codes: HashMap::new(),
            moved: Vec::new(),
        };
        let series =
            if stored_datetimes { cx.stored_datetimes(values) } else { Ok(parse_column(&mut cx, &col.ty, &text)) };
        let series = match series {
            Ok(s) => s,
            Err(e) => return self.unreadable(&col.name, e),
        };
        cx.finish(self.report).then_some((series, cx.deprecated))
    }
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

/// The column as read, when it already is what the schema asks for: numbers and booleans
/// the file stored typed, text without cells to trim or empty, and codes that all are
/// terms. Anything else goes through our parser.
fn as_stored(
    vocabularies: &BTreeMap<String, Vocabulary>,
    site: &Site,
    ty: &ColumnType,
    values: &Column,
) -> Option<Column> {
    let ready = match (ty, values.dtype()) {
        (ColumnType::Int, DataType::Int64) | (ColumnType::Float, DataType::Float64) => true,
        (ColumnType::Bool, DataType::Boolean) => true,
        // Dates a file stores typed (Parquet) are days already: no pattern applies.
        (ColumnType::Date, DataType::Date) => true,
        (ColumnType::String, DataType::String) => values.str().ok()?.iter().flatten().all(is_clean),
        (ColumnType::Vocab(v), DataType::String) => {
            let vocab = &vocabularies[v];
            let codes = values.as_materialized_series().unique().ok()?;
            codes
                .str()
                .ok()?
                .iter()
                .flatten()
                .all(|code| is_clean(code) && matches!(resolve(site, vocab, code), Code::Term(t) if t == code))
        }
        _ => false,
    };
    ready.then(|| values.clone())
}

/// A cell that reads as itself: not empty, nothing to trim.
fn is_clean(v: &str) -> bool {
    let b = v.as_bytes();
    !b.is_empty() && !b[0].is_ascii_whitespace() && !b[b.len() - 1].is_ascii_whitespace()
}

/// A column as text, whatever type the file stored it as.
fn text_values(c: &Column) -> PolarsResult<StringChunked> {
    let as_text = match c.dtype() {
        DataType::String => c.clone(),
        DataType::Datetime(_, _) => {
            // Render stored datetimes in the ISO form our parser reads.
            c.cast(&DataType::Datetime(TimeUnit::Milliseconds, None))?.cast(&DataType::String)?
        }
        _ => c.cast(&DataType::String)?,
    };
    Ok(as_text.str()?.clone())
}

/// The cells of a text column: trimmed, empty ones (and the dialect's spellings of an
/// empty cell) as `None`.
fn cells<'t>(text: &'t StringChunked, nulls: &[String]) -> impl Iterator<Item = Option<&'t str>> {
    let nulls: Vec<String> = nulls.to_vec();
    text.iter().map(move |v| v.map(str::trim).filter(|s| !s.is_empty() && !nulls.iter().any(|n| n == s)))
}

struct ColumnCx<'a> {
    path: &'a Path,
    source: &'a Source,
    column: &'a str,
    site: &'a Site,
    vocabularies: &'a BTreeMap<String, Vocabulary>,
    policy: Unmapped,
    binding: &'a Binding,
    lines: &'a Lines,
    ty: &'a ColumnType,
    /// (row, value, expected) of values that do not parse.
    bad: Vec<(usize, String, String)>,
    /// Code to rows, for codes outside the vocabulary.
    unmapped: BTreeMap<String, (Vec<usize>, &'a Vocabulary)>,
    deprecated: usize,
    excluded: &'a mut Vec<bool>,
    /// What each code read so far resolved to: columns repeat few codes many times.
    codes: HashMap<String, Code<'a>>,
    /// (row, value) of wall-clock times in a DST gap, moved forward.
    moved: Vec<(usize, String)>,
}

/// What a code in a vocabulary column stands for at a site.
#[derive(Clone, Copy)]
enum Code<'a> {
    Term(&'a str),
    Deprecated(&'a str),
    /// Neither a term nor mapped onto one; with the local mapping's target, if it has one.
    Unmapped {
        mapped_to: Option<&'a str>,
    },
}

impl<'a> ColumnCx<'a> {
    /// What to do about a value that does not parse: fix it, or describe in the binding
    /// how the export writes such values (the column's type is the shared set's).
    fn how_to_fix(&self) -> String {
        let (d, at) = (&self.binding.dialect, &self.binding.at);
        let csv = self.binding.format == FileFormat::Csv;
        let describe = match self.ty {
            ColumnType::Float if csv && !d.decimal_comma => {
                "`csv: {decimal: \",\", delimiter: \";\"}` for decimal commas"
            }
            ColumnType::Bool if csv => "its spellings, such as `csv: {\"true\": [tak], \"false\": [nie]}`",
            ColumnType::Date if d.date_format.is_none() => "its pattern, such as `date_format: \"%d.%m.%Y\"`",
            ColumnType::DateTime if d.datetime_format.is_none() => {
                "its pattern, such as `datetime_format: \"%d.%m.%Y %H:%M\"`"
            }
            _ => {
                return format!(
                    "fix the value in the export, or the binding `{at}` in yardstick.yaml that says how it is written"
                );
            }
        };
        format!(
            "fix the value in the export; if the export writes every such value this way, give {describe} in its binding `{at}` in yardstick.yaml"
        )
    }

    /// Turns what went wrong in this column into diagnostics; false when the column
    /// cannot be used.
    fn finish(&self, report: &mut DataReport) -> bool {
        self.gap_warning(report);
        let mut ok = true;
        if let Some((row, value, expected)) = self.bad.first() {
            let more = match self.bad.len() - 1 {
                0 => String::new(),
                n => format!(" (and {n} more row{})", if n == 1 { "" } else { "s" }),
            };
            report.errors.push(
                Diagnostic::error(
                    codes::E0701,
                    format!(
                        "{}, row {} (line {}), column `{}`: `{value}` is not {expected}{more}",
                        self.path.display(),
                        row + 1,
                        self.lines.of(*row),
                        self.column
                    ),
                )
                .in_file(self.path)
                .help(self.how_to_fix()),
            );
            ok = false;
        }
        for (code, (rows, vocab)) in &self.unmapped {
            let located = rules::located(self.path, rows, self.lines);
            let hint = close_code(self.site, vocab, code);
            match self.policy {
                Unmapped::Error => {
                    let map = format!(
                        "map it in the site's mappings file (sites/{}.yaml), or set `unmapped: exclude` to leave such rows out",
                        self.site.id
                    );
                    report.errors.push(
                        Diagnostic::error(
                            codes::E0702,
                            format!(
                                "code `{code}` in column `{}` of `{}` at site `{}` is not a term and not mapped ({} row{}): {located}",
                                self.column,
                                self.source.name,
                                self.site.id,
                                rows.len(),
                                if rows.len() == 1 { "" } else { "s" },
                            ),
                        )
                        .in_file(self.path)
                        .help(hint.map_or(map.clone(), |h| with_hint(&h, &map))),
                    );
                    ok = false;
                }
                Unmapped::Exclude => {
                    let key = (self.site.id.clone(), self.source.name.clone(), self.column.to_string(), code.clone());
                    report.excluded_codes.insert(key, Excluded { rows: rows.len(), located, hint });
                }
            }
        }
        ok
    }

    /// The UTC instant of a datetime read at this site; a wall-clock time in a DST gap is
    /// moved forward and recorded (with its text, made only then) for a warning.
    fn instant(&mut self, written: Written, row: usize, text: impl FnOnce() -> String) -> NaiveDateTime {
        match written {
            Written::Instant(utc) => utc,
            Written::Wall(wall) if self.site.timezone == Tz::UTC => wall,
            Written::Wall(wall) => {
                let (utc, moved) = wall_to_utc(wall, self.site.timezone);
                if moved {
                    self.moved.push((row, text()));
                }
                utc
            }
        }
    }

    /// Datetimes a Parquet file stores typed: with a time zone they are instants; without
    /// one, wall-clock times at the site, like offset-less text.
    fn stored_datetimes(&mut self, values: &Column) -> PolarsResult<Series> {
        let DataType::Datetime(_, zone) = values.dtype() else { polars_bail!(ComputeError: "not a datetime column") };
        let is_instant = zone.is_some() || self.site.timezone == Tz::UTC;
        let ms = values.cast(&DataType::Datetime(TimeUnit::Milliseconds, zone.clone()))?.to_physical_repr();
        let ms = ms.i64()?;
        let name: PlSmallStr = self.column.into();
        let utc: Vec<Option<i64>> = if is_instant {
            ms.iter().collect()
        } else {
            ms.iter()
                .enumerate()
                .map(|(row, v)| {
                    let wall = chrono::DateTime::from_timestamp_millis(v?)?.naive_utc();
                    let text = || wall.format("%Y-%m-%dT%H:%M:%S").to_string();
                    Some(self.instant(Written::Wall(wall), row, text).and_utc().timestamp_millis())
                })
                .collect()
        };
        Series::new(name, utc).cast(&DataType::Datetime(TimeUnit::Milliseconds, None))
    }

    /// The warning for wall-clock times that do not exist at the site (moved forward).
    fn gap_warning(&self, report: &mut DataReport) {
        if self.moved.is_empty() {
            return;
        }
        let rows: Vec<usize> = self.moved.iter().map(|(row, _)| *row).collect();
        let values: Vec<String> = self.moved.iter().take(5).map(|(_, v)| format!("`{v}`")).collect();
        let n = self.moved.len();
        let message = format!(
            "{}, column `{}`: {n} local time{} in the spring DST gap of {} ({}), moved forward by the gap's length",
            rules::located(self.path, &rows, self.lines),
            self.column,
            if n == 1 { "" } else { "s" },
            self.site.timezone.name(),
            values.join(", "),
        );
        report.warnings.push(
            Diagnostic::warning(codes::W0704, message)
                .in_file(self.path)
                .help("such a time never showed on the site's clocks; check the export, or write it with its offset"),
        );
    }

    /// The term for a code at this site, or `None` (recorded) when there is none.
    fn term(&mut self, vocab: &'a Vocabulary, code: &str, row: usize) -> Option<&'a str> {
        let resolved = match self.codes.get(code) {
            Some(c) => *c,
            None => {
                let c = resolve(self.site, vocab, code);
                self.codes.insert(code.to_string(), c);
                c
            }
        };
        match resolved {
            Code::Term(t) => Some(t),
            Code::Deprecated(t) => {
                self.deprecated += 1;
                Some(t)
            }
            Code::Unmapped { mapped_to } => {
                let rows = self.unmapped.entry(mapped_to.unwrap_or(code).to_string()).or_insert((Vec::new(), vocab));
                rows.0.push(row);
                self.excluded[row] = true;
                None
            }
        }
    }
}

/// A term or mapped code of `vocab` at `site` that `code` may have meant: one differing
/// only in case first (codes are case-sensitive), else a close one.
fn close_code(site: &Site, vocab: &Vocabulary, code: &str) -> Option<String> {
    let terms = vocab.terms.iter().map(|t| (t.code.as_str(), "a term"));
    let mapped = site.mappings.get(&vocab.name).into_iter().flat_map(|m| m.keys().map(|k| (k.as_str(), "mapped")));
    let known: Vec<(&str, &str)> = terms.chain(mapped).collect();
    if let Some((other, what)) = known.iter().find(|(k, _)| k.eq_ignore_ascii_case(code)) {
        return Some(format!("`{other}` is {what}, and codes are case-sensitive"));
    }
    crate::diag::did_you_mean(code, known.iter().map(|(k, _)| *k))
}

/// A close code's hint before what to do: a question (`did you mean ...?`) ends its
/// sentence.
fn with_hint(hint: &str, then: &str) -> String {
    if hint.ends_with('?') { format!("{hint} If not, {then}") } else { format!("{hint}; {then}") }
}

/// What `code` stands for at `site`: its local mapping first, then the vocabulary.
fn resolve<'a>(site: &'a Site, vocab: &'a Vocabulary, code: &str) -> Code<'a> {
    let mapped_to = site.mappings.get(&vocab.name).and_then(|m| m.get(code)).map(String::as_str);
    let code = mapped_to.unwrap_or(code);
    if let Some(t) = vocab.terms.iter().find(|t| t.code == code) {
        return Code::Term(&t.code);
    }
    match vocab.deprecated.get(code) {
        Some(new) => Code::Deprecated(new),
        None => Code::Unmapped { mapped_to },
    }
}

fn parse_column<'a>(cx: &mut ColumnCx<'a>, ty: &ColumnType, text: &StringChunked) -> Series {
    let name: PlSmallStr = cx.column.into();
    let dialect: &'a Dialect = &cx.binding.dialect;
    let cells = || cells(text, &dialect.null_values);
    macro_rules! typed {
        ($parse:expr, $expected:expr) => {{
            let values: Vec<_> = cells()
                .enumerate()
                .map(|(row, v)| {
                    let v = v?;
                    let parsed = $parse(v);
                    if parsed.is_none() {
                        cx.bad.push((row, v.to_string(), $expected));
                    }
                    parsed
                })
                .collect();
            values
        }};
    }
    match ty {
        ColumnType::String => Series::new(name, cells().collect::<Vec<_>>()),
        ColumnType::Int => Series::new(name, typed!(|v: &str| v.parse::<i64>().ok(), "a whole number".into())),
        ColumnType::Float if dialect.decimal_comma => {
            // A dot would be a thousands separator here, which is not read: refused.
            let number = |v: &str| (!v.contains('.')).then(|| v.replace(',', ".").parse::<f64>().ok()).flatten();
            Series::new(name, typed!(number, "a number with a decimal comma (such as 12,5)".into()))
        }
        ColumnType::Float => Series::new(name, typed!(|v: &str| v.parse::<f64>().ok(), "a number".into())),
        ColumnType::Bool => {
            let spelt = |list: &[String]| list.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(" or ");
            let expected =
                format!("true ({}) or false ({})", spelt(&dialect.true_values), spelt(&dialect.false_values));
            Series::new(name, typed!(|v: &str| parse_bool(dialect, v), expected.clone()))
        }
        ColumnType::Date => {
            let days = dates(cx, dialect, cells());
            Series::new(name, days).cast(&DataType::Date).expect("days cast to dates")
        }
        ColumnType::DateTime => {
            let ms = datetimes(cx, dialect, cells());
            Series::new(name, ms).cast(&DataType::Datetime(TimeUnit::Milliseconds, None)).expect("ms cast to datetimes")
        }
        ColumnType::Vocab(v) => {
            let vocab = &cx.vocabularies[v];
            let values: Vec<Option<&str>> =
                cells().enumerate().map(|(row, t)| t.and_then(|code| cx.term(vocab, code, row))).collect();
            Series::new(name, values)
        }
        ColumnType::List(inner) => {
            let values: Vec<Option<String>> = cells()
                .enumerate()
                .map(|(row, t)| {
                    let t = t?;
                    let mut items = Vec::new();
                    for item in t.split(';').map(str::trim).filter(|s| !s.is_empty()) {
                        let parsed = match inner.as_ref() {
                            ColumnType::Vocab(v) => cx.term(&cx.vocabularies[v], item, row).map(str::to_string),
                            ColumnType::String => Some(item.to_string()),
                            ColumnType::Int => item.parse::<i64>().ok().map(|i| i.to_string()).or_else(|| {
                                cx.bad.push((row, item.to_string(), "a whole number".into()));
                                None
                            }),
                            _ => Some(item.to_string()),
                        };
                        items.extend(parsed);
                    }
                    Some(format!(";{};", items.join(";")))
                })
                .collect();
            Series::new(name, values)
        }
    }
}

/// Days since the epoch of the cells of a date column, in the dialect's pattern or ISO.
fn dates<'t>(cx: &mut ColumnCx, dialect: &Dialect, cells: impl Iterator<Item = Option<&'t str>>) -> Vec<Option<i32>> {
    let (expected, pattern) = match &dialect.date_format {
        Some(p) => (format!("a date written `{p}`"), Some(p.as_str())),
        None => ("a date (YYYY-MM-DD)".to_string(), None),
    };
    let day = |v: &str| match pattern {
        Some(p) => NaiveDate::parse_from_str(v, p).ok().map(days_since_epoch),
        None => iso_days(v.as_bytes()).or_else(|| parse_date(v).map(days_since_epoch)),
    };
    cells
        .enumerate()
        .map(|(row, v)| {
            let v = v?;
            let parsed = day(v);
            if parsed.is_none() {
                cx.bad.push((row, v.to_string(), expected.clone()));
            }
            parsed
        })
        .collect()
}

/// UTC milliseconds of the cells of a datetime column, in the dialect's pattern or ISO;
/// wall-clock times are read at the site.
fn datetimes<'t>(
    cx: &mut ColumnCx,
    dialect: &Dialect,
    cells: impl Iterator<Item = Option<&'t str>>,
) -> Vec<Option<i64>> {
    let utc = cx.site.timezone == Tz::UTC;
    let expected = match &dialect.datetime_format {
        Some(p) => format!("a datetime written `{p}`"),
        None => "a datetime (ISO 8601, such as 2025-01-31T08:00:00Z)".into(),
    };
    cells
        .enumerate()
        .map(|(row, v)| {
            let v = v?;
            if dialect.datetime_format.is_none()
                && let Some(ms) = iso_utc_ms(v.as_bytes(), utc)
            {
                return Some(ms);
            }
            let written = match &dialect.datetime_format {
                Some(p) => instants::parse_with(v, p),
                None => parse_written(v),
            };
            let Some(written) = written else {
                cx.bad.push((row, v.to_string(), expected.clone()));
                return None;
            };
            Some(cx.instant(written, row, || v.to_string()).and_utc().timestamp_millis())
        })
        .collect()
}

/// A boolean as the dialect spells it, ignoring case.
fn parse_bool(dialect: &Dialect, v: &str) -> Option<bool> {
    let is = |list: &[String]| list.iter().any(|s| s.to_lowercase() == v.to_lowercase());
    match (is(&dialect.true_values), is(&dialect.false_values)) {
        (true, _) => Some(true),
        (_, true) => Some(false),
        _ => None,
    }
}

fn parse_date(v: &str) -> Option<NaiveDate> {
    iso_date(v.as_bytes()).or_else(|| NaiveDate::parse_from_str(v, "%Y-%m-%d").ok())
}

/// `YYYY-MM-DD` read straight from its digits: the form nearly every export uses, so the
/// general parsers only see the rest.
fn iso_date(v: &[u8]) -> Option<NaiveDate> {
    if v.len() != 10 || v[4] != b'-' || v[7] != b'-' {
        return None;
    }
    NaiveDate::from_ymd_opt(digits(&v[0..4])? as i32, digits(&v[5..7])?, digits(&v[8..10])?)
}

/// Days since 1970-01-01 of `YYYY-MM-DD`, from its digits (a valid day only): what
/// [`iso_date`] and [`days_since_epoch`] give, without building a date, for the millions
/// of cells a large export holds.
fn iso_days(v: &[u8]) -> Option<i32> {
    if v.len() != 10 || v[4] != b'-' || v[7] != b'-' {
        return None;
    }
    let (y, m, d) = (digits(&v[0..4])? as i32, digits(&v[5..7])?, digits(&v[8..10])?);
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let month_days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if !(1..=12).contains(&m) || d == 0 || d > month_days[m as usize - 1] {
        return None;
    }
    // Days from civil (H. Hinnant): years start in March, so leap days come last.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let day_of_year = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year as i32;
    Some(era * 146_097 + day_of_era - 719_468)
}

/// Milliseconds since the epoch of `YYYY-MM-DDTHH:MM:SS` (or with a space) that is UTC:
/// ending in `Z`, or at a site keeping UTC (`utc`). Anything else takes the general path.
fn iso_utc_ms(v: &[u8], utc: bool) -> Option<i64> {
    let plain = match v.len() {
        19 if utc => v,
        20 if v[19] == b'Z' => &v[..19],
        _ => return None,
    };
    if !matches!(plain[10], b'T' | b' ') || plain[13] != b':' || plain[16] != b':' {
        return None;
    }
    let (h, m, s) = (digits(&plain[11..13])?, digits(&plain[14..16])?, digits(&plain[17..19])?);
    if h > 23 || m > 59 || s > 59 {
        return None;
    }
    let seconds = i64::from(iso_days(&plain[..10])?) * 86_400 + i64::from(h * 3600 + m * 60 + s);
    Some(seconds * 1000)
}

fn digits(v: &[u8]) -> Option<u32> {
    v.iter().try_fold(0u32, |n, b| b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0')))
}

pub(crate) fn days_since_epoch(d: NaiveDate) -> i32 {
    /// Days from 1 January of year 1 to 1 January 1970.
    const EPOCH_FROM_CE: i32 = 719_163;
    d.num_days_from_ce() - EPOCH_FROM_CE
}

/// What `check --data` found besides errors.
#[derive(Debug, Default)]
pub struct DataSummary {
    /// Rows read per (site, source).
    pub rows: BTreeMap<(String, String), usize>,
    /// Lines skipped as comments, over every file.
    pub comments: usize,
    /// Rows whose time column is empty, so metrics timed by it leave them out:
    /// (site, source, column) to (rows, metrics).
    pub untimed: BTreeMap<(String, String, String), (usize, Vec<String>)>,
    /// Deprecated codes read as their replacement: (site, source, column) to rows.
    pub deprecated: BTreeMap<(String, String, String), usize>,
}

impl DataSummary {
    /// What `check --data` says besides errors, as warnings: rows left out for unmapped
    /// codes, deprecated codes read as their replacement, rows without a time column.
    pub fn warnings(&self, report: &DataReport) -> Vec<Diagnostic> {
        let mut found = report.warnings.clone();
        for ((site, source, column, code), e) in &report.excluded_codes {
            let message = format!(
                "{} row(s) of `{source}` at site `{site}` left out: code `{code}` in column `{column}` is not mapped: {}",
                e.rows, e.located
            );
            let map = format!(
                "map `{code}` in sites/{site}.yaml to count these rows; until then every metric over `{source}` leaves them out"
            );
            let help = e.hint.as_ref().map_or(map.clone(), |h| with_hint(h, &map));
            found.push(Diagnostic::warning(codes::W0701, message).help(help));
        }
        for ((site, source, column), n) in &self.deprecated {
            let message = format!(
                "{n} row(s) of `{source}` at site `{site}` hold a deprecated code in `{column}`, read as its replacement"
            );
            found.push(Diagnostic::warning(codes::W0702, message).help("export the current term, or map the old code"));
        }
        for ((site, source, column), (n, metrics)) in &self.untimed {
            let metrics: Vec<String> = metrics.iter().map(|m| format!("`{m}`")).collect();
            let message = format!(
                "{n} row(s) of `{source}` at site `{site}` have no `{column}` and are left out of {}",
                metrics.join(", ")
            );
            found.push(Diagnostic::warning(codes::W0703, message).help(format!("fill `{column}` in the export")));
        }
        found
    }
}

/// Reads every bound source at every site, as `check --data` does: all parse errors,
/// unmapped codes and broken data rules (as of `as_of`) are reported, per site, source and
/// column.
/// `timed` names, per (source, column) that places rows in periods, the metrics it times:
/// its empty cells are reported as rows those metrics leave out.
pub fn check_all(
    inputs: &Inputs,
    timed: &BTreeMap<(String, String), Vec<String>>,
    as_of: NaiveDate,
    report: &mut DataReport,
) -> DataSummary {
    // Sites side by side, each reading its sources in turn; reported in site order.
    let files = report.files.clone();
    let bound = inputs.bound_sources();
    let per_site = on_threads(inputs.sites, |site| {
        let mut own = DataReport { files: files.clone(), ..DataReport::default() };
        let mut summary = DataSummary::default();
        for &source_name in &bound {
            let source = &inputs.sources[source_name];
            let Some(t) = read_site_table(inputs, source, site, as_of, &mut own) else { continue };
            summary.rows.insert((site.id.clone(), source_name.to_string()), t.frame.height());
            summary.comments += t.comments;
            for (column, n) in &t.deprecated {
                summary.deprecated.insert((site.id.clone(), source_name.to_string(), column.clone()), *n);
            }
            for ((s, column), metrics) in timed {
                let nulls = t.frame.column(column).map_or(0, |c| c.null_count());
                if *s == source_name && nulls > 0 {
                    let key = (site.id.clone(), source_name.to_string(), column.to_string());
                    summary.untimed.insert(key, (nulls, metrics.clone()));
                }
            }
        }
        (own, summary)
    });
    let mut summary = DataSummary::default();
    for (own, site) in per_site {
        report.merge(own);
        summary.rows.extend(site.rows);
        summary.comments += site.comments;
        summary.untimed.extend(site.untimed);
        summary.deprecated.extend(site.deprecated);
    }
    summary
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
    columns.push(Column::new_empty(EXCLUDED.into(), &DataType::Boolean));
    SiteTable {
        site: site.to_string(),
        path: PathBuf::new(),
        frame: DataFrame::new(0, columns).expect("empty columns"),
        deprecated: BTreeMap::new(),
        comments: 0,
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn dates() {
        let date = |s: &str| super::parse_date(s).map(|d| d.to_string());
        assert_eq!(date("2024-02-29").as_deref(), Some("2024-02-29"));
        assert_eq!(date("2025-02-29"), None);
        assert_eq!(date("2025-13-01"), None);
        assert_eq!(date("2025-01-3x"), None);
    }

    #[test]
    fn the_fast_paths_agree_with_chrono_on_every_day_and_refuse_what_it_refuses() {
        let mut day = chrono::NaiveDate::from_ymd_opt(1899, 12, 25).unwrap();
        let last = chrono::NaiveDate::from_ymd_opt(2101, 3, 5).unwrap();
        while day <= last {
            let text = day.to_string();
            assert_eq!(super::iso_days(text.as_bytes()), Some(super::days_since_epoch(day)), "{text}");
            let at = day.and_hms_opt(13, 7, 59).unwrap();
            let ms = at.and_utc().timestamp_millis();
            assert_eq!(super::iso_utc_ms(format!("{text}T13:07:59Z").as_bytes(), false), Some(ms), "{text}");
            assert_eq!(super::iso_utc_ms(format!("{text} 13:07:59").as_bytes(), true), Some(ms), "{text}");
            day = day.succ_opt().unwrap();
        }
        for bad in ["2025-02-29", "1900-02-29", "2025-04-31", "2025-00-10", "2025-13-01", "2025-01-00", "2025/01/01"] {
            assert_eq!(super::iso_days(bad.as_bytes()), None, "{bad}");
        }
        assert_eq!(super::iso_days(b"2000-02-29"), Some(11_016));
        // Wall-clock time at a site off UTC, hours past 23, a leap second: the general path.
        for other in ["2025-01-01T10:00:00", "2025-01-01T24:00:00Z", "2025-01-01T10:00:60Z", "2025-01-01T10:00Z"] {
            assert_eq!(super::iso_utc_ms(other.as_bytes(), false), None, "{other}");
        }
    }
}
