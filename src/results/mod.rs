//! The results stage and table (docs/manifest.md): from the aggregate tables a back end
//! returns to one row per metric, site (`all` for the pooled row), extra dimension values
//! and period, with zero-fill, coverage, baselines, derived metrics, targets and statuses.
//! No query engine here: every back end's tables end up in the same rows.

mod assemble;
mod status;
mod traps;
pub mod trend;

pub use assemble::assemble;
pub use status::{Evidence, Standing};

use crate::ir::{Collection, MetricId, SiteRef, Status};
use chrono::NaiveDate;
use serde::ser::{Serialize, SerializeMap, Serializer};

/// The version of the rules that judge rows (docs/semantics.md, "Thresholds and
/// statuses"), recorded in the manifest: raise it whenever a status can change for the
/// same inputs and definitions.
pub const STATUS_RULES: &str = "evidence-2";

/// The version of the engine's rules that turn rows into values, where they changed while
/// no definition did (docs/manifest.md): values can change with it while fingerprints do
/// not. `values-2`: an export without rows has no value (it was a zero), a join miss is an
/// error or left out (it was kept), and `as_of` through `coalesce` or `if` counts to the
/// end of its day (a `coalesce` of dates counted to its start).
pub const VALUE_RULES: &str = "values-2";

#[derive(Clone, Debug, PartialEq)]
pub struct ResultRow {
    pub metric: MetricId,
    pub version: u32,
    pub site: SiteRef,
    /// The metric's `by` dimensions with this row's values (null as `None`).
    pub dims: Vec<(String, Option<String>)>,
    pub period: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub partial: bool,
    /// `None`: no data (not covered, or an aggregate over no rows, or a zero denominator).
    pub value: Option<f64>,
    /// The interval of the value at the project's confidence (docs/semantics.md,
    /// "Intervals"); `None` where no method is there yet.
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    /// The interval is approximate: a stock's (docs/semantics.md, "Stocks").
    pub approximate: bool,
    /// The value is a share (unit `%`): `delta` is in percentage points, as a fraction.
    pub points: bool,
    /// Rows that matched; `None` for derived metrics.
    pub n: Option<u64>,
    /// Rows of this period left out: for codes outside their vocabulary, join misses, and
    /// (in the first period) rows dated before the project's start.
    pub excluded: u64,
    /// How many for each reason, `reason=n` joined by `;` in reason order; empty for none.
    pub excluded_reasons: String,
    pub baseline: Option<f64>,
    pub delta: Option<f64>,
    /// `delta / baseline`, as a fraction.
    pub delta_pct: Option<f64>,
    /// What the interval of the value against its baseline shows, in a judged period.
    pub change: Option<crate::stats::Change>,
    /// That interval: of the ratio to the baseline, or of the difference in proportion
    /// points for a share.
    pub change_lower: Option<f64>,
    pub change_upper: Option<f64>,
    /// The change is `better` (or `worse`) here and in the period before: seen twice in a
    /// row, not once by chance.
    pub sustained: bool,
    pub target: Option<f64>,
    pub status: Option<RowStatus>,
    /// What is open, or too few, behind the status; a caution about the baseline.
    pub status_note: Option<String>,
    /// The metric judged over the trailing window of periods ending here (`window: N`).
    pub window: Option<Windowed>,
    pub coverage: RowCoverage,
    /// Manual and mixed values carry a caveat.
    pub collection: Collection,
    pub fingerprint: String,
}

/// A metric judged over a trailing window of periods (docs/semantics.md, "Windows"): the
/// window's value per period, its interval, its change against the baseline and its
/// status, judged as a period is.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Windowed {
    pub value: Option<f64>,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    pub change: Option<crate::stats::Change>,
    pub status: Option<RowStatus>,
    pub note: Option<String>,
}

/// Whether the row's period is inside the data's coverage at its site.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowCoverage {
    Covered,
    /// Outside the source's coverage at the site: no value, never a zero.
    NotCovered,
    /// The project (or the site) has no export of a source the metric reads.
    NotCollected,
}

impl RowCoverage {
    pub fn as_str(self) -> &'static str {
        match self {
            RowCoverage::Covered => "covered",
            RowCoverage::NotCovered => "not_covered",
            RowCoverage::NotCollected => "not_collected",
        }
    }
}

impl PartialEq<&str> for RowCoverage {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowStatus {
    Green,
    Amber,
    Red,
    /// Judged on an interval that settles no criterion.
    Unclear,
    /// Too few cases to judge.
    Insufficient,
    NoData,
    /// A partial period: not judged yet.
    Pending,
    /// Before the site's rollout: the reference, not judged against itself.
    Baseline,
    /// No data is collected for the metric (at the site).
    NotCollected,
}

impl RowStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RowStatus::Green => "green",
            RowStatus::Amber => "amber",
            RowStatus::Red => "red",
            RowStatus::Unclear => "unclear",
            RowStatus::Insufficient => "insufficient",
            RowStatus::NoData => "no_data",
            RowStatus::Pending => "pending",
            RowStatus::Baseline => "baseline",
            RowStatus::NotCollected => "not_collected",
        }
    }
}

impl From<Status> for RowStatus {
    fn from(s: Status) -> Self {
        match s {
            Status::Green => RowStatus::Green,
            Status::Amber => RowStatus::Amber,
        }
    }
}

/// The results of one run, in metric, site, dimension and period order.
#[derive(Debug, Default)]
pub struct Results {
    pub rows: Vec<ResultRow>,
    /// What reading the data warned about (the numbers stand; the data deserves a look).
    pub warnings: Vec<crate::diag::Diagnostic>,
    /// Every data file read.
    pub inputs: Vec<crate::plan::InputFile>,
    /// The trends since rollout of the metrics computed (docs/semantics.md, "Trends").
    pub trends: Vec<trend::TrendRow>,
}

/// One cell of the results table, typed, so that CSV and JSON render it alike.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell<'a> {
    Text(&'a str),
    /// Text that may be missing: empty in CSV, null in JSON.
    MaybeText(Option<&'a str>),
    Number(Option<f64>),
    Count(Option<u64>),
    Flag(bool),
    Day(NaiveDate),
}

impl Cell<'_> {
    /// As results files show it: numbers in shortest round-trip form, empty for none.
    pub fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.to_string(),
            Cell::MaybeText(s) => s.unwrap_or_default().to_string(),
            Cell::Number(v) => number(*v),
            Cell::Count(n) => n.map_or_else(String::new, |n| n.to_string()),
            Cell::Flag(b) => b.to_string(),
            Cell::Day(d) => d.to_string(),
        }
    }
}

impl Serialize for Cell<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Cell::Text(t) => s.serialize_str(t),
            Cell::MaybeText(t) => t.serialize(s),
            Cell::Number(v) => v.serialize(s),
            Cell::Count(n) => n.serialize(s),
            Cell::Flag(b) => s.serialize_bool(*b),
            Cell::Day(d) => s.collect_str(d),
        }
    }
}

type Getter = for<'r> fn(&'r ResultRow) -> Cell<'r>;

/// The columns before the `by` dimensions.
const LEADING: [(&str, Getter); 3] = [
    ("metric", |r| Cell::Text(r.metric.as_str())),
    ("version", |r| Cell::Count(Some(r.version.into()))),
    ("site", |r| Cell::Text(r.site.as_str())),
];

/// The columns after the `by` dimensions.
const TRAILING: [(&str, Getter); 30] = [
    ("period", |r| Cell::Text(&r.period)),
    ("period_start", |r| Cell::Day(r.period_start)),
    ("period_end", |r| Cell::Day(r.period_end)),
    ("partial", |r| Cell::Flag(r.partial)),
    ("value", |r| Cell::Number(r.value)),
    ("lower", |r| Cell::Number(r.lower)),
    ("upper", |r| Cell::Number(r.upper)),
    ("approximate", |r| Cell::Flag(r.approximate)),
    ("n", |r| Cell::Count(r.n)),
    ("excluded", |r| Cell::Count(Some(r.excluded))),
    ("excluded_reasons", |r| Cell::Text(&r.excluded_reasons)),
    ("baseline", |r| Cell::Number(r.baseline)),
    ("delta", |r| Cell::Number(r.delta)),
    ("delta_pct", |r| Cell::Number(r.delta_pct)),
    ("change", |r| Cell::MaybeText(r.change.map(crate::stats::Change::as_str))),
    ("change_lower", |r| Cell::Number(r.change_lower)),
    ("change_upper", |r| Cell::Number(r.change_upper)),
    ("sustained", |r| Cell::Flag(r.sustained)),
    ("target", |r| Cell::Number(r.target)),
    ("status", |r| Cell::MaybeText(r.status.map(RowStatus::as_str))),
    ("status_note", |r| Cell::MaybeText(r.status_note.as_deref())),
    ("window_value", |r| Cell::Number(r.window.as_ref().and_then(|w| w.value))),
    ("window_lower", |r| Cell::Number(r.window.as_ref().and_then(|w| w.lower))),
    ("window_upper", |r| Cell::Number(r.window.as_ref().and_then(|w| w.upper))),
    ("window_change", |r| Cell::MaybeText(r.window.as_ref().and_then(|w| w.change).map(crate::stats::Change::as_str))),
    ("window_status", |r| Cell::MaybeText(r.window.as_ref().and_then(|w| w.status).map(RowStatus::as_str))),
    ("window_note", |r| Cell::MaybeText(r.window.as_ref().and_then(|w| w.note.as_deref()))),
    ("coverage", |r| Cell::Text(r.coverage.as_str())),
    ("collection", |r| Cell::Text(r.collection.as_str())),
    ("fingerprint", |r| Cell::Text(&r.fingerprint)),
];

/// The columns of docs/manifest.md, with the `by` dimensions after `site`.
pub fn header(dims: &[String]) -> Vec<String> {
    let leading = LEADING.iter().map(|(name, _)| name.to_string());
    let trailing = TRAILING.iter().map(|(name, _)| name.to_string());
    leading.chain(dims.iter().cloned()).chain(trailing).collect()
}

/// The results table of `rows`: the header, with every `by` dimension of their metrics
/// after `site` (in the order first met), and each row's cells under it (a dimension its
/// metric lacks is empty).
pub fn table<'r>(rows: &[&'r ResultRow]) -> (Vec<String>, Vec<Vec<Cell<'r>>>) {
    let dims = dimensions(rows.iter().map(|r| &r.dims));
    let body = rows
        .iter()
        .map(|r| {
            let own = |d: &String| r.dims.iter().find(|(n, _)| n == d).and_then(|(_, v)| v.as_deref());
            let mut cells: Vec<Cell> = LEADING.iter().map(|(_, get)| get(r)).collect();
            cells.extend(dims.iter().map(|d| Cell::MaybeText(own(d))));
            cells.extend(TRAILING.iter().map(|(_, get)| get(r)));
            cells
        })
        .collect();
    (header(&dims), body)
}

impl ResultRow {
    /// A row with nothing in it: no value, no status, empty texts.
    pub(crate) fn blank() -> ResultRow {
        ResultRow {
            metric: MetricId(String::new()),
            version: 0,
            site: SiteRef::All,
            dims: Vec::new(),
            period: String::new(),
            period_start: NaiveDate::MIN,
            period_end: NaiveDate::MIN,
            partial: false,
            value: None,
            lower: None,
            upper: None,
            approximate: false,
            points: false,
            n: None,
            excluded: 0,
            excluded_reasons: String::new(),
            baseline: None,
            delta: None,
            delta_pct: None,
            change: None,
            change_lower: None,
            change_upper: None,
            sustained: false,
            target: None,
            status: None,
            status_note: None,
            window: None,
            coverage: RowCoverage::Covered,
            collection: Collection::Automated,
            fingerprint: String::new(),
        }
    }
}

/// A cell of each column of the results table with the `by` dimensions `dims`, typed as
/// every row's cell in it is: what types the columns of a table without rows.
pub fn column_types(dims: &[String]) -> Vec<Cell<'static>> {
    static BLANK: std::sync::LazyLock<ResultRow> = std::sync::LazyLock::new(ResultRow::blank);
    let row: &'static ResultRow = &BLANK;
    let mut cells: Vec<Cell<'static>> = LEADING.iter().map(|(_, get)| get(row)).collect();
    cells.extend(dims.iter().map(|_| Cell::MaybeText(None)));
    cells.extend(TRAILING.iter().map(|(_, get)| get(row)));
    cells
}

/// The names of the `by` dimensions of rows (each row's `dims`), in the order first met.
pub fn dimensions<'r>(rows: impl Iterator<Item = &'r Vec<(String, Option<String>)>>) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for (d, _) in rows.flatten() {
        if !names.contains(d) {
            names.push(d.clone());
        }
    }
    names
}

/// The results table as CSV, quoted where a cell needs it (RFC 4180).
pub fn to_csv(rows: &[&ResultRow]) -> String {
    let (head, body) = table(rows);
    csv(&head, body)
}

/// A table as CSV: the header, then each row's cells, quoted where a cell needs it (RFC
/// 4180) and made safe for spreadsheets.
pub fn csv(head: &[String], body: Vec<Vec<Cell>>) -> String {
    let quoted = |s: &str| {
        if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
    };
    let mut out = head.iter().map(|h| quoted(h)).collect::<Vec<_>>().join(",") + "\n";
    for cells in body {
        out += &(cells.iter().map(|c| quoted(&spreadsheet_safe(c))).collect::<Vec<_>>().join(",") + "\n");
    }
    out
}

/// A cell as a spreadsheet may open it: text that starts like a formula (`=`, `+`, `-`,
/// `@`, a tab or a carriage return; a plant's code or note may) gets a leading `'`, so
/// Excel and LibreOffice show it as text instead of running it. Numbers are never touched;
/// the Parquet file keeps the text as it was.
fn spreadsheet_safe(cell: &Cell) -> String {
    let text = cell.text();
    let is_text = matches!(cell, Cell::Text(_) | Cell::MaybeText(_));
    match is_text && text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        true => format!("'{text}"),
        false => text,
    }
}

/// A number as results files show it: shortest round-trip form, empty for none.
pub fn number(v: Option<f64>) -> String {
    v.map_or_else(
        String::new,
        |v| if v == v.trunc() && v.abs() < 1e15 { format!("{}", v as i64) } else { format!("{v}") },
    )
}

impl ResultRow {
    /// The row's columns in `header` order, named.
    pub fn columns(&self) -> Vec<(&str, Cell<'_>)> {
        let leading = LEADING.iter().map(|(name, get)| (*name, get(self)));
        let dims = self.dims.iter().map(|(name, v)| (name.as_str(), Cell::MaybeText(v.as_deref())));
        let trailing = TRAILING.iter().map(|(name, get)| (*name, get(self)));
        leading.chain(dims).chain(trailing).collect()
    }

    /// The row's cells in `header` order, as text.
    pub fn cells(&self) -> Vec<String> {
        self.columns().iter().map(|(_, c)| c.text()).collect()
    }
}

/// A row serializes as one object with the results table's columns, in order.
impl Serialize for ResultRow {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let columns = self.columns();
        let mut map = s.serialize_map(Some(columns.len()))?;
        for (name, cell) in &columns {
            map.serialize_entry(name, cell)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> ResultRow {
        let day = |d| NaiveDate::from_ymd_opt(2025, 1, d).unwrap();
        ResultRow {
            metric: MetricId("downtime".into()),
            version: 2,
            dims: vec![("line".into(), None)],
            period: "2025-01".into(),
            period_start: day(1),
            period_end: day(31),
            value: Some(1.5),
            n: Some(3),
            status: Some(RowStatus::NoData),
            collection: Collection::Mixed,
            ..ResultRow::blank()
        }
    }

    #[test]
    fn a_table_without_rows_keeps_the_types_its_rows_would_have() {
        // The types come from the columns, not from a first row: a row whose values are
        // all empty, or no row at all, types the Parquet columns alike.
        let r = row();
        let (_, body) = table(&[&r]);
        let types = column_types(&["line".to_string()]);
        assert_eq!(body[0].len(), types.len());
        for (cell, typed) in body[0].iter().zip(&types) {
            let text = |c: &Cell| matches!(c, Cell::Text(_) | Cell::MaybeText(_));
            let same = std::mem::discriminant(cell) == std::mem::discriminant(typed) || (text(cell) && text(typed));
            assert!(same, "{cell:?} against {typed:?}");
        }
        assert!(matches!(
            types[header(&["line".to_string()]).iter().position(|h| h == "value").unwrap()],
            Cell::Number(_)
        ));
    }

    #[test]
    fn csv_and_json_show_the_same_columns_in_the_same_order() {
        let r = row();
        let header = header(&["line".to_string()]);
        assert_eq!(header[..4], ["metric", "version", "site", "line"]);
        assert_eq!(r.cells()[..5], ["downtime", "2", "all", "", "2025-01"]);
        let json = serde_json::to_value(&r).unwrap();
        let keys: Vec<&String> = json.as_object().unwrap().keys().collect();
        assert_eq!(keys, header.iter().collect::<Vec<_>>());
        // Missing values are empty in CSV and null in JSON; numbers stay numbers.
        assert_eq!(
            (&json["line"], &json["baseline"], &json["value"]),
            (&serde_json::Value::Null, &serde_json::Value::Null, &serde_json::json!(1.5))
        );
        assert_eq!(
            (&json["status"], &json["collection"], &json["partial"]),
            (&serde_json::json!("no_data"), &serde_json::json!("mixed"), &serde_json::json!(false))
        );
    }
}
