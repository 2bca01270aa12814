//! Trends since rollout (docs/semantics.md, "Trends"): per metric, site (and the pooled
//! row) and dimension value, over the whole judged periods after the rollout: for event
//! counts a log-linear Poisson model (pooled: one intercept per site), for shares
//! Theil-Sen in points per year, for medians and percentiles Theil-Sen on their logarithm.
//! Computed from the result rows, so every back end's results give the same trends.

use super::{Cell, ResultRow, RowCoverage, RowStatus};
use crate::ir::{AggFn, Metric, MetricId, SiteRef};
use crate::stats::{self, Interval, MIN_PERIODS, Series};
use chrono::NaiveDate;

/// How a metric's trend is fitted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// Event counts: `log E[y] = log(days) + a + b·t`.
    Poisson,
    /// Shares: Theil-Sen on the values, in proportion points per year.
    SharePoints,
    /// Medians and percentiles: Theil-Sen on their logarithm.
    LogTheilSen,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Poisson => "poisson",
            Method::SharePoints => "theil_sen",
            Method::LogTheilSen => "theil_sen_log",
        }
    }

    /// What `per_year` is: a relative change (`ratio`: +0.10 is 10% more a year) or a
    /// difference of shares (`points`, as a fraction).
    pub fn scale(self) -> &'static str {
        match self {
            Method::SharePoints => "points",
            Method::Poisson | Method::LogTheilSen => "ratio",
        }
    }

    /// The method for a metric's value; `None` where none is built yet (sums, means,
    /// derived metrics, stocks).
    pub fn of(m: &Metric) -> Option<Method> {
        match m.body.bare_aggregate()? {
            AggFn::Count if m.body.is_event() => Some(Method::Poisson),
            AggFn::Share if m.body.is_event() => Some(Method::SharePoints),
            AggFn::Median | AggFn::Percentile => Some(Method::LogTheilSen),
            _ => None,
        }
    }
}

/// One trend: a metric's change per year since the rollout at a site (or pooled) and
/// dimension value, with its interval at the project's confidence.
#[derive(Clone, Debug, PartialEq)]
pub struct TrendRow {
    pub metric: MetricId,
    pub site: SiteRef,
    pub dims: Vec<(String, Option<String>)>,
    pub method: Method,
    /// The judged periods it is fitted on.
    pub periods: u64,
    pub first_period: Option<String>,
    pub last_period: Option<String>,
    pub per_year: Option<f64>,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    /// The overdispersion the interval of a count's trend was widened by.
    pub dispersion: Option<f64>,
    /// Why there is no trend, or what may confound it.
    pub note: Option<String>,
}

impl TrendRow {
    /// Where: the site, and the dimension values (`lyon line=L1`).
    pub fn at(&self) -> String {
        let dims: Vec<String> =
            self.dims.iter().map(|(n, v)| format!("{n}={}", v.as_deref().unwrap_or("(null)"))).collect();
        if dims.is_empty() { self.site.to_string() } else { format!("{} {}", self.site, dims.join(" ")) }
    }

    /// In words: `-28.8% a year (-36.5% to -20.2%), 12 periods, 2023-Q1 to 2025-Q4,
    /// overdispersion 1.86`, then the note.
    pub fn describe(&self) -> String {
        let change = |x: f64| match self.method.scale() {
            "points" => format!("{:+.1} points", x * 100.0),
            _ => format!("{:+.1}%", x * 100.0),
        };
        let fitted = match (self.per_year, self.lower, self.upper) {
            (Some(p), Some(l), Some(u)) => format!("{} a year ({} to {})", change(p), change(l), change(u)),
            _ => "no trend".to_string(),
        };
        let span = match (&self.first_period, &self.last_period) {
            (Some(first), Some(last)) => format!("{} periods, {first} to {last}", self.periods),
            _ => "no judged period".to_string(),
        };
        let dispersion =
            self.dispersion.filter(|d| *d > 1.0).map(|d| format!(", overdispersion {d:.2}")).unwrap_or_default();
        let note = self.note.as_ref().map(|n| format!("; {n}")).unwrap_or_default();
        format!("{fitted}, {span}{dispersion}{note}")
    }
}

/// Fewer judged months than this, and the note says a season may confound the trend.
const SEASONS_MONTHS: i64 = 24;

/// Whether a row is a whole judged period after the rollout with a value.
fn judged(r: &ResultRow) -> bool {
    let unjudged = matches!(r.status, Some(RowStatus::Baseline | RowStatus::NotCollected | RowStatus::Pending));
    r.value.is_some() && !r.partial && r.coverage == RowCoverage::Covered && !unjudged
}

/// The trends of `metrics` from their result rows (in metric, site, dimension and period
/// order, as results are), at `confidence`; a count's exposure in a row is `exposure`'s
/// (its `exposure:` metric's value), else the period's days.
pub fn trends<'m>(
    metrics: impl Iterator<Item = &'m Metric>,
    rows: &[ResultRow],
    confidence: f64,
    exposure: &dyn Fn(&ResultRow) -> Option<f64>,
) -> Vec<TrendRow> {
    let groups: Vec<&[ResultRow]> =
        rows.chunk_by(|a, b| a.metric == b.metric && a.site == b.site && a.dims == b.dims).collect();
    let mut out = Vec::new();
    for m in metrics {
        let Some(method) = Method::of(m) else { continue };
        let of_metric: Vec<&[ResultRow]> = groups.iter().copied().filter(|g| g[0].metric == m.id).collect();
        for rows in &of_metric {
            let (site, dims) = (&rows[0].site, &rows[0].dims);
            // The pooled count's trend is fitted on its sites' own series of the same
            // dimension value, one intercept each.
            let pooled_counts = method == Method::Poisson && *site == SiteRef::All;
            let mut judged_rows: Vec<&ResultRow> = match pooled_counts {
                true => of_metric
                    .iter()
                    .filter(|g| g[0].site != SiteRef::All && g[0].dims == *dims)
                    .flat_map(|g| g.iter().filter(|r| judged(r)))
                    .collect(),
                false => rows.iter().filter(|r| judged(r)).collect(),
            };
            let fit = match (method, site) {
                (Method::Poisson, SiteRef::All) => {
                    let sites = judged_rows.chunk_by(|a, b| a.site == b.site);
                    let series: Vec<Series> = sites.map(|g| series(g.iter().copied(), exposure)).collect();
                    stats::poisson_trend_sites(&series, confidence)
                        .map(|t| (t.per_year, t.interval, Some(t.dispersion)))
                }
                (Method::Poisson, _) => {
                    stats::poisson_trend_sites(&[series(judged_rows.iter().copied(), exposure)], confidence)
                        .map(|t| (t.per_year, t.interval, Some(t.dispersion)))
                }
                (Method::SharePoints, _) => {
                    let (times, values) = points(&judged_rows, Some);
                    stats::theil_sen(&values, &times, confidence).map(|(slope, i)| (slope, i, None))
                }
                (Method::LogTheilSen, _) => {
                    let (times, values) = points(&judged_rows, |v| (v > 0.0).then(|| v.ln()));
                    let ratio = |x: f64| x.exp() - 1.0;
                    stats::theil_sen(&values, &times, confidence).map(|(slope, i)| {
                        (ratio(slope), Interval { lower: ratio(i.lower), upper: ratio(i.upper) }, None)
                    })
                }
            };
            // Pooled: the months of the longest site series.
            let months: i64 = judged_rows
                .chunk_by(|a, b| a.site == b.site)
                .map(|g| g.iter().map(|r| months(r.period_start, r.period_end)).sum())
                .max()
                .unwrap_or(0);
            judged_rows.sort_by_key(|r| r.period_start);
            let note = match (&fit, judged_rows.len()) {
                (None, m) if m < MIN_PERIODS => {
                    Some(format!("{m} judged period(s) since the rollout: a trend needs {MIN_PERIODS}"))
                }
                (None, _) => Some("no trend can be fitted: no event, or no value that varies".to_string()),
                (Some(_), _) if months < SEASONS_MONTHS => {
                    Some("fewer than two years of judged periods: a season may confound the trend".to_string())
                }
                (Some(_), _) => None,
            };
            out.push(TrendRow {
                metric: m.id.clone(),
                site: site.clone(),
                dims: dims.clone(),
                method,
                periods: judged_rows.len() as u64,
                first_period: judged_rows.first().map(|r| r.period.clone()),
                last_period: judged_rows.last().map(|r| r.period.clone()),
                per_year: fit.map(|f| f.0),
                lower: fit.map(|f| f.1.lower),
                upper: fit.map(|f| f.1.upper),
                dispersion: fit.and_then(|f| f.2),
                note,
            });
        }
    }
    out
}

/// A site's judged counts as a series: events over the period's exposure (its `exposure:`
/// metric's value, or its days; a period without one is left out), at its start in years
/// since 2000.
fn series<'r>(rows: impl Iterator<Item = &'r ResultRow>, exposure: &dyn Fn(&ResultRow) -> Option<f64>) -> Series {
    let mut s = Series::default();
    for r in rows {
        let Some(t) = exposure(r).filter(|t| *t > 0.0) else { continue };
        s.counts.push(r.value.unwrap_or(0.0));
        s.exposures.push(t);
        s.times.push(years(r.period_start));
    }
    s
}

/// The rows' times in years and their values mapped by `f` (a value `f` refuses is left
/// out).
fn points(rows: &[&ResultRow], f: impl Fn(f64) -> Option<f64>) -> (Vec<f64>, Vec<f64>) {
    rows.iter().filter_map(|r| Some((years(r.period_start), f(r.value?)?))).unzip()
}

/// A day in years since 2000-01-01.
fn years(day: NaiveDate) -> f64 {
    let epoch = NaiveDate::from_ymd_opt(2000, 1, 1).expect("a day");
    (day - epoch).num_days() as f64 / 365.25
}

/// The whole months from `start` to `end`, rounded.
fn months(start: NaiveDate, end: NaiveDate) -> i64 {
    (((end - start).num_days() + 1) as f64 / 30.44).round() as i64
}

/// The trends table (docs/commands.md, "The trends table"): its header, with every `by`
/// dimension after `site` in the order first met, and each row's cells.
pub fn table(rows: &[TrendRow]) -> (Vec<String>, Vec<Vec<Cell<'_>>>) {
    let dims = super::dimensions(rows.iter().map(|r| &r.dims));
    let trailing = [
        "method",
        "periods",
        "first_period",
        "last_period",
        "per_year",
        "lower",
        "upper",
        "scale",
        "dispersion",
        "note",
    ];
    let head = ["metric", "site"]
        .into_iter()
        .chain(dims.iter().map(String::as_str))
        .chain(trailing)
        .map(String::from)
        .collect();
    (head, rows.iter().map(|r| cells(r, &dims)).collect())
}

/// A trend row's cells under a header with the dimensions `dims`.
fn cells<'r>(r: &'r TrendRow, dims: &[String]) -> Vec<Cell<'r>> {
    let own = |d: &str| r.dims.iter().find(|(n, _)| n == d).and_then(|(_, v)| v.as_deref());
    let mut cells = vec![Cell::Text(r.metric.as_str()), Cell::Text(r.site.as_str())];
    cells.extend(dims.iter().map(|d| Cell::MaybeText(own(d))));
    cells.extend([
        Cell::Text(r.method.as_str()),
        Cell::Count(Some(r.periods)),
        Cell::MaybeText(r.first_period.as_deref()),
        Cell::MaybeText(r.last_period.as_deref()),
        Cell::Number(r.per_year),
        Cell::Number(r.lower),
        Cell::Number(r.upper),
        Cell::Text(r.method.scale()),
        Cell::Number(r.dispersion),
        Cell::MaybeText(r.note.as_deref()),
    ]);
    cells
}

/// A cell of each column of the trends table with the dimensions `dims`, typed as every
/// row's cell in it is: what types the columns of a table without rows.
pub fn column_types(dims: &[String]) -> Vec<Cell<'static>> {
    static BLANK: std::sync::LazyLock<TrendRow> = std::sync::LazyLock::new(|| TrendRow {
        metric: MetricId(String::new()),
        site: SiteRef::All,
        dims: Vec::new(),
        method: Method::Poisson,
        periods: 0,
        first_period: None,
        last_period: None,
        per_year: None,
        lower: None,
        upper: None,
        dispersion: None,
        note: None,
    });
    cells(&BLANK, dims)
}
