//! The results table (SPEC section 10): one row per metric, site (`all` for the pooled
//! row), extra dimension values and period.

use crate::check::ir::Status;
use chrono::NaiveDate;

#[derive(Clone, Debug, PartialEq)]
pub struct ResultRow {
    pub metric: String,
    pub version: u32,
    pub site: String,
    /// The metric's `by` dimensions with this row's values (null as `None`).
    pub dims: Vec<(String, Option<String>)>,
    pub period: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub partial: bool,
    /// `None`: no data (not covered, or an aggregate over no rows, or a zero denominator).
    pub value: Option<f64>,
    /// Rows that matched; `None` for derived metrics.
    pub n: Option<u64>,
    /// Rows of this period left out for codes outside their vocabulary.
    pub excluded: u64,
    pub baseline: Option<f64>,
    pub delta: Option<f64>,
    /// `delta / baseline`, as a fraction.
    pub delta_pct: Option<f64>,
    pub target: Option<f64>,
    pub status: Option<RowStatus>,
    /// `covered`, or `not_covered` before the source's coverage at the site.
    pub coverage: &'static str,
    /// `automated`, `manual` or `mixed`: manual and mixed values carry a caveat.
    pub collection: &'static str,
    pub fingerprint: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowStatus {
    Green,
    Amber,
    Red,
    NoData,
}

impl RowStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RowStatus::Green => "green",
            RowStatus::Amber => "amber",
            RowStatus::Red => "red",
            RowStatus::NoData => "no_data",
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
}

/// The fixed columns of SPEC section 10, with the `by` dimensions after `site`.
pub fn header(dims: &[String]) -> Vec<String> {
    let mut h: Vec<String> = ["metric", "version", "site"].iter().map(|s| s.to_string()).collect();
    h.extend(dims.iter().cloned());
    h.extend(
        [
            "period",
            "period_start",
            "period_end",
            "partial",
            "value",
            "n",
            "excluded",
            "baseline",
            "delta",
            "delta_pct",
            "target",
            "status",
            "coverage",
            "collection",
            "fingerprint",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    h
}

/// A number as results files show it: shortest round-trip form, empty for none.
pub fn number(v: Option<f64>) -> String {
    v.map_or_else(
        String::new,
        |v| if v == v.trunc() && v.abs() < 1e15 { format!("{}", v as i64) } else { format!("{v}") },
    )
}

impl ResultRow {
    /// The row's cells in `header` order.
    pub fn cells(&self) -> Vec<String> {
        let mut c = vec![self.metric.clone(), self.version.to_string(), self.site.clone()];
        c.extend(self.dims.iter().map(|(_, v)| v.clone().unwrap_or_default()));
        c.extend([
            self.period.clone(),
            self.period_start.to_string(),
            self.period_end.to_string(),
            self.partial.to_string(),
            number(self.value),
            self.n.map_or_else(String::new, |n| n.to_string()),
            self.excluded.to_string(),
            number(self.baseline),
            number(self.delta),
            number(self.delta_pct),
            number(self.target),
            self.status.map_or("", RowStatus::as_str).to_string(),
            self.coverage.to_string(),
            self.collection.to_string(),
            self.fingerprint.clone(),
        ]);
        c
    }
}
