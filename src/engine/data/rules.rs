//! The data rules of docs/definition-set.md, source schemas, checked on every read of an export: a key names one
//! row per site (and snapshot), floats are finite, numbers keep within their bounds. Only
//! the rows visible as of `as_of` are judged (section 8), so a bad row added later never
//! breaks a replay. A violation is an error naming file, rows, column and values.

use super::DataReport;
use crate::diag::{Diagnostic, codes};
use crate::ir::{Column as SchemaColumn, ColumnType, Source};
use polars::prelude::*;
use std::collections::HashMap;
use std::path::Path;

/// Rows named in one diagnostic; the rest are counted.
const ROWS_SHOWN: usize = 5;
/// Duplicated keys reported per file; the rest are counted.
const KEYS_SHOWN: usize = 5;
const ROW: &str = "__row";
const COUNT: &str = "__count";

/// Whether no value of `column` repeats (nulls aside): a key column that passes needs no
/// grouping, which is what nearly every export gives.
fn all_distinct(column: &Column) -> PolarsResult<bool> {
    if let Ok(text) = column.str() {
        // Exports mostly list their keys in order, and keys that rise are distinct: one
        // pass, no set. Otherwise a set sized once, stopped at the first repeat.
        let mut keys = text.iter().flatten();
        let mut last = keys.next();
        if keys.all(|k| last.replace(k).is_some_and(|l| l < k)) {
            return Ok(true);
        }
        let mut seen = PlHashSet::with_capacity(text.len());
        return Ok(text.iter().flatten().all(|v| seen.insert(v)));
    }
    let values = column.len() - column.null_count();
    Ok(column.drop_nulls().n_unique()? == values)
}

/// One site's table of one source, being judged.
pub(super) struct Rules<'a> {
    pub source: &'a Source,
    pub path: &'a Path,
    /// Where the file's rows are written.
    pub lines: &'a super::Lines,
    pub frame: &'a DataFrame,
    /// True on rows visible as of `as_of` (see [`super::visible`]).
    pub visible: Expr,
    /// The (start, end) columns the metrics measure durations between.
    pub durations: &'a [(String, String)],
}

impl Rules<'_> {
    /// Every rule, each violation reported.
    pub fn check(&self, report: &mut DataReport) {
        crate::census::checked(self.frame.height());
        if let Err(e) = self.check_all(report) {
            let message = format!("cannot check the data rules on {}: {e}", self.path.display());
            report.errors.push(Diagnostic::error(codes::E0802, message).in_file(self.path));
        }
    }

    fn check_all(&self, report: &mut DataReport) -> PolarsResult<()> {
        self.unique_keys(report)?;
        let judged = |c: &&SchemaColumn| match c.ty {
            ColumnType::Float => true,
            ColumnType::Int => c.min.is_some() || c.max.is_some(),
            _ => false,
        };
        let columns: Vec<&SchemaColumn> = self.source.columns.iter().filter(judged).collect();
        if !columns.is_empty() || !self.durations.is_empty() {
            let visible = self.visible_rows()?;
            for column in columns {
                self.numbers(report, column, &visible)?;
            }
            for (start, end) in self.durations {
                self.ordered(report, start, end, &visible)?;
            }
        }
        Ok(())
    }

    /// Rows whose `end` comes before their `start` (both filled, of one type), on the
    /// visible rows.
    fn ordered(&self, report: &mut DataReport, start: &str, end: &str, visible: &[bool]) -> PolarsResult<()> {
        let (a, b) = (self.frame.column(start)?, self.frame.column(end)?);
        if a.dtype() != b.dtype() {
            return Ok(());
        }
        let instant = |c: &Column| c.to_physical_repr().cast(&DataType::Int64);
        let (a, b) = (instant(a)?, instant(b)?);
        let rows: Vec<usize> = (a.i64()?.iter().zip(b.i64()?.iter()).zip(visible).enumerate())
            .filter_map(|(row, ((a, b), shown))| (*shown && a.zip(b).is_some_and(|(a, b)| b < a)).then_some(row))
            .collect();
        if rows.is_empty() {
            return Ok(());
        }
        let message = format!("{}: `{end}` comes before `{start}`", self.rows(&rows));
        let help = format!(
            "fix the export: a metric measures the time from `{start}` to `{end}`, and a negative time would lower its value instead of being caught"
        );
        report.errors.push(Diagnostic::error(codes::E0709, message).in_file(self.path).help(help));
        Ok(())
    }

    /// Finite floats, and numbers within their bounds, on the visible rows.
    fn numbers(&self, report: &mut DataReport, column: &SchemaColumn, visible: &[bool]) -> PolarsResult<()> {
        let values = self.frame.column(&column.name)?.cast(&DataType::Float64)?;
        let values = values.f64()?;
        let breaking = |bad: &dyn Fn(f64) -> bool| -> Vec<(usize, f64)> {
            let rows = values.iter().zip(visible).enumerate();
            rows.filter_map(|(row, (v, shown))| v.filter(|v| *shown && bad(*v)).map(|v| (row, v))).collect()
        };
        let name = &column.name;
        if column.ty == ColumnType::Float {
            let what = ("is not a finite number".to_string(), "are not finite numbers".to_string());
            self.number_error(report, codes::E0707, name, &breaking(&|v| !v.is_finite()), what);
        }
        if let Some(min) = column.min {
            let what = (format!("is below the minimum, {min}"), format!("are below the minimum, {min}"));
            self.number_error(report, codes::E0708, name, &breaking(&|v| v < min), what);
        }
        if let Some(max) = column.max {
            let what = (format!("is above the maximum, {max}"), format!("are above the maximum, {max}"));
            self.number_error(report, codes::E0708, name, &breaking(&|v| v > max), what);
        }
        Ok(())
    }

    /// Whether each row is visible, in row order.
    fn visible_rows(&self) -> PolarsResult<Vec<bool>> {
        let mask = self.frame.clone().lazy().select([self.visible.clone().alias(ROW)]).collect()?;
        let mask = mask.column(ROW)?.bool()?;
        if mask.len() == 1 && self.frame.height() != 1 {
            return Ok(vec![mask.get(0).unwrap_or(true); self.frame.height()]);
        }
        Ok(mask.iter().map(|v| v.unwrap_or(true)).collect())
    }

    /// One error for the rows of `column` whose values break a rule; `what` is said of one
    /// value, then of several.
    fn number_error(
        &self,
        report: &mut DataReport,
        code: crate::diag::codes::Code,
        column: &str,
        bad: &[(usize, f64)],
        what: (String, String),
    ) {
        if bad.is_empty() {
            return;
        }
        let rows: Vec<usize> = bad.iter().map(|(row, _)| *row).collect();
        let mut values: Vec<String> = Vec::new();
        for (_, v) in bad.iter().take(ROWS_SHOWN) {
            let v = format!("`{v}`");
            if !values.contains(&v) {
                values.push(v);
            }
        }
        let what = if values.len() == 1 { what.0 } else { what.1 };
        let message = format!("{}, column `{column}`: {} {what}", self.rows(&rows), values.join(", "));
        let help = match code {
            codes::E0707 => {
                "fix the export; leave a cell empty when the value is unknown (in a nullable column)".into()
            }
            _ => format!("fix the export, or the bounds of `{column}` in sources/{}.yaml", self.source.name),
        };
        report.errors.push(Diagnostic::error(code, message).in_file(self.path).help(help));
    }

    /// Keys found more than once among the visible rows, per snapshot when the source
    /// holds snapshots, per revision when it keeps a history. Polars finds whether any key repeats; only then are the rows
    /// gathered.
    fn unique_keys(&self, report: &mut DataReport) -> PolarsResult<()> {
        let Some(key) = &self.source.key else { return Ok(()) };
        let within = self.source.key_within();
        if within.is_none() && all_distinct(self.frame.column(key)?)? {
            return Ok(());
        }
        let by: Vec<Expr> = std::iter::once(key.as_str()).chain(within.map(|(c, _)| c)).map(col).collect();
        let rows = self
            .frame
            .clone()
            .lazy()
            .with_row_index(ROW, None)
            .filter(self.visible.clone().and(col(key.as_str()).is_not_null()));
        let repeated = rows.clone().group_by(by.clone()).agg([len().alias(COUNT)]).filter(col(COUNT).gt(lit(1)));
        let repeated = repeated.collect()?;
        if repeated.height() == 0 {
            return Ok(());
        }
        let found = rows
            .join(repeated.lazy(), &by, &by, JoinArgs::new(JoinType::Inner))
            .sort([ROW], SortMultipleOptions::default())
            .collect()?;
        let groups = duplicate_groups(&found, key, within.map(|(c, _)| c))?;
        self.repeated_keys(report, key, &groups);
        Ok(())
    }

    /// One error per repeated key, for the first few keys.
    fn repeated_keys(&self, report: &mut DataReport, key: &str, groups: &[Repeated]) {
        let more = groups.len().saturating_sub(KEYS_SHOWN);
        for (i, repeated) in groups.iter().take(KEYS_SHOWN).enumerate() {
            let (within, per) = match (&repeated.within, self.source.key_within()) {
                (Some(s), Some((_, what))) => (format!(" in the {what} of {s}"), format!(" and {what}")),
                _ => (String::new(), String::new()),
            };
            let tail = match more {
                n if n > 0 && i + 1 == KEYS_SHOWN => format!(" (and {n} more key{} repeated)", plural(n)),
                _ => String::new(),
            };
            let message = format!(
                "{}, column `{key}`: `{}` appears {} times{within}; the key is unique per site{per}{tail}",
                self.rows(&repeated.rows),
                repeated.key,
                repeated.rows.len()
            );
            let help = format!(
                "remove or merge the repeated rows of `{}`; `{key}` names one row per site{per}",
                self.source.name
            );
            report.errors.push(Diagnostic::error(codes::E0706, message).in_file(self.path).help(help));
        }
    }

    fn rows(&self, rows: &[usize]) -> String {
        located(self.path, rows, self.lines)
    }
}

/// `file, rows 3 and 7 (lines 4 and 8)` for rows counted from 0, naming the first few rows
/// and counting the rest, with their lines in the file.
pub(super) fn located(path: &Path, rows: &[usize], lines: &super::Lines) -> String {
    let shown = &rows[..rows.len().min(ROWS_SHOWN)];
    let rows_from_one = list(shown.iter().map(|r| (r + 1).to_string()));
    let line_numbers = list(shown.iter().map(|r| lines.of(*r).to_string()));
    let (row, line) = if rows.len() == 1 { ("row", "line") } else { ("rows", "lines") };
    let rest = match rows.len() - shown.len() {
        0 => String::new(),
        n => format!(" and {n} more row{}", plural(n)),
    };
    // A file without lines (Parquet) names its rows only.
    let lines_of = if lines.first == 0 { String::new() } else { format!(" ({line} {line_numbers})") };
    format!("{}, {row} {rows_from_one}{lines_of}{rest}", path.display())
}

/// A key value found on several visible rows (of one snapshot or revision).
struct Repeated {
    key: String,
    /// The snapshot's day or the revision's time, for a source that has them.
    within: Option<String>,
    rows: Vec<usize>,
}

/// The rows of each repeated key (and snapshot or revision), in the order the keys first
/// appear.
fn duplicate_groups(found: &DataFrame, key: &str, within: Option<&str>) -> PolarsResult<Vec<Repeated>> {
    let text = |name: &str| -> PolarsResult<Vec<Option<String>>> {
        let c = found.column(name)?.cast(&DataType::String)?;
        Ok(c.str()?.iter().map(|v| v.map(str::to_string)).collect())
    };
    let keys = text(key)?;
    let withins = match within {
        Some(s) => text(s)?,
        None => vec![None; found.height()],
    };
    let rows = found.column(ROW)?.cast(&DataType::UInt64)?;
    let mut groups: Vec<Repeated> = Vec::new();
    let mut index: HashMap<(String, Option<String>), usize> = HashMap::new();
    for ((key, within), row) in keys.into_iter().zip(withins).zip(rows.u64()?.iter()) {
        let (Some(key), Some(row)) = (key, row) else { continue };
        let i = *index.entry((key.clone(), within.clone())).or_insert_with(|| {
            groups.push(Repeated { key, within, rows: Vec::new() });
            groups.len() - 1
        });
        groups[i].rows.push(row as usize);
    }
    Ok(groups)
}

/// `1`, `1 and 2`, `1, 2 and 3`.
fn list(items: impl Iterator<Item = String>) -> String {
    let items: Vec<String> = items.collect();
    match items.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
