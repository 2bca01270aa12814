//! Checked metrics: grain, layer, direction, time semantics, targets, thresholds and
//! references.

use super::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Grain {
    Month,
    Quarter,
    Year,
}

impl Grain {
    pub fn as_str(self) -> &'static str {
        match self {
            Grain::Month => "month",
            Grain::Quarter => "quarter",
            Grain::Year => "year",
        }
    }

    pub fn months(self) -> u32 {
        match self {
            Grain::Month => 1,
            Grain::Quarter => 3,
            Grain::Year => 12,
        }
    }
}

/// The seed's three metric layers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Layer {
    Outcome,
    Risk,
    Activity,
}

impl Layer {
    pub fn as_str(self) -> &'static str {
        match self {
            Layer::Outcome => "outcome",
            Layer::Risk => "risk",
            Layer::Activity => "activity",
        }
    }
}

/// NIST SP 800-55 measure types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MeasureType {
    Implementation,
    Effectiveness,
    Efficiency,
    Impact,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    HigherIsBetter,
    LowerIsBetter,
    Neutral,
}

/// A checked metric (docs/definition-set.md, metrics).
#[derive(Debug, Serialize)]
pub struct Metric {
    pub id: MetricId,
    pub version: u32,
    /// Where the metric's file writes its version.
    #[serde(skip)]
    pub version_at: Option<Span>,
    pub title: String,
    pub description: Option<String>,
    pub layer: Layer,
    pub measure_type: Option<MeasureType>,
    pub information_need: Option<String>,
    pub owner: Option<String>,
    pub unit: String,
    pub direction: Direction,
    pub grain: Grain,
    pub body: MetricBody,
    pub target: Option<Target>,
    /// `green` then `amber`, in that order, when given.
    pub thresholds: Vec<Threshold>,
    /// `window: N`: a trailing window of N periods is judged beside each period.
    pub window: Option<u32>,
    /// `min_n: N`: the fewest cases a period is judged on (docs/semantics.md).
    pub min_n: Option<u32>,
    /// `exposure: METRIC`: the flow a count or sum is judged per, instead of the months
    /// covered (docs/semantics.md, "Exposure").
    pub exposure: Option<MetricId>,
    /// Where its file names the exposure.
    #[serde(skip)]
    pub exposure_at: Option<Span>,
    /// `scope: NAME`: the metric applies only at the sites in this scope of the set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(skip)]
    pub scope_at: Option<Span>,
    pub references: Vec<Reference>,
    pub caveats: Option<String>,
    /// Why the definition stands as it is (the catalog's "why it stands").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rationale: Option<String>,
    pub tags: Vec<String>,
    /// Who reads it (ISO/IEC 27004's audience).
    pub audience: Vec<String>,
    /// The pitfall lints it is exempt from, with the reasons.
    pub allow: Vec<Allow>,
    pub path: PathBuf,
    /// Where its file names it (`metric: ID`): what pitfall lints point at.
    #[serde(skip)]
    pub at: Option<Span>,
    /// Defined by the project (`metrics:` in yardstick.yaml), not by the definition set.
    pub local: bool,
}

/// A pitfall lint a metric is exempt from, and why.
#[derive(Clone, Debug, Serialize)]
pub struct Allow {
    pub code: String,
    pub reason: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MetricBody {
    /// Computed from the rows of one source.
    Base(BaseMetric),
    /// Combined from other metrics of the same grain, site and period.
    Derived { value: TExpr, inputs: Vec<MetricId> },
}

impl MetricBody {
    /// The aggregate the value is when it is one aggregate and nothing more (`count()`,
    /// `median(x)`), in a base metric.
    pub fn bare_aggregate(&self) -> Option<AggFn> {
        let MetricBody::Base(b) = self else { return None };
        match b.value.kind {
            TExprKind::Aggregate { func, .. } => Some(func),
            _ => None,
        }
    }

    /// Whether it is a base metric counting events (`time: {event: ...}`).
    pub fn is_event(&self) -> bool {
        matches!(self, MetricBody::Base(b) if matches!(b.time, TimeSemantics::Event { .. }))
    }

    /// The aggregate its rows are judged on with an interval, and the factor its value
    /// is of that aggregate (docs/semantics.md, "Intervals"): in an event metric, a bare
    /// `count`, `share`, `median`, `percentile` or `mean`, or a `sum` times or over a
    /// positive number (`sum(duration_min) / 60`).
    pub fn judged(&self) -> Option<(AggFn, f64)> {
        if !self.is_event() {
            return None;
        }
        let judged =
            |f: &AggFn| matches!(f, AggFn::Count | AggFn::Share | AggFn::Median | AggFn::Percentile | AggFn::Mean);
        if let Some(f) = self.bare_aggregate().filter(judged) {
            return Some((f, 1.0));
        }
        let MetricBody::Base(b) = self else { return None };
        let factor = scaled_sum(&b.value)?;
        (factor.is_finite() && factor > 0.0).then_some((AggFn::Sum, factor))
    }

    /// The aggregate a stock's rows (open or snapshot metrics: a complete register) are
    /// judged on with an approximate interval: a bare `count` or `count_distinct` (judged
    /// as a count). A share of a register (its coverage) has none: it is the state the
    /// register reports, not a draw.
    pub fn judged_stock(&self) -> Option<AggFn> {
        let MetricBody::Base(b) = self else { return None };
        let stock = matches!(b.time, TimeSemantics::Open { .. } | TimeSemantics::Snapshot { .. });
        match self.bare_aggregate() {
            Some(AggFn::Count | AggFn::CountDistinct) if stock => Some(AggFn::Count),
            _ => None,
        }
    }

    /// The aggregate of [`MetricBody::judged`].
    pub fn judged_aggregate(&self) -> Option<AggFn> {
        self.judged().map(|(f, _)| f)
    }

    /// Whether the value is an amount per row, `sum(x) / count()` of an event metric: a
    /// mean over the same rows, judged by the delta method on the sum and the count
    /// (docs/semantics.md, "Derived metrics over shared events").
    pub fn is_sum_per_row(&self) -> bool {
        let MetricBody::Base(b) = self else { return false };
        let TExprKind::Binary { op: crate::syntax::BinOp::Div, lhs, rhs } = &b.value.kind else { return false };
        let sum = matches!(lhs.kind, TExprKind::Aggregate { func: AggFn::Sum, .. });
        let rows = matches!(&rhs.kind, TExprKind::Aggregate { func: AggFn::Count, args } if args.is_empty());
        self.is_event() && sum && rows
    }
}

/// The factor `e` is of a `sum(...)`: 1 for the sum itself, `c` for `sum(x) * c` or
/// `c * sum(x)`, `1 / c` for `sum(x) / c`, with `c` a number.
fn scaled_sum(e: &TExpr) -> Option<f64> {
    let number = |e: &TExpr| match e.kind {
        TExprKind::Literal(Literal::Int(i)) => Some(i as f64),
        TExprKind::Literal(Literal::Float(f)) => Some(f),
        _ => None,
    };
    match &e.kind {
        TExprKind::Aggregate { func: AggFn::Sum, .. } => Some(1.0),
        TExprKind::Binary { op: crate::syntax::BinOp::Mul, lhs, rhs } => {
            scaled_sum(lhs).zip(number(rhs)).or_else(|| scaled_sum(rhs).zip(number(lhs))).map(|(a, b)| a * b)
        }
        TExprKind::Binary { op: crate::syntax::BinOp::Div, lhs, rhs } => {
            scaled_sum(lhs).zip(number(rhs)).map(|(a, b)| a / b)
        }
        _ => None,
    }
}

#[derive(Debug, Serialize)]
pub struct BaseMetric {
    pub source: String,
    pub time: TimeSemantics,
    pub filter: Option<TExpr>,
    pub value: TExpr,
    /// Extra dimensions beside site.
    pub by: Vec<ColumnRef>,
}

impl BaseMetric {
    /// The pairs of the source's own columns (start, end) the metric measures a duration
    /// between (`hours_between`, `days_between`, `minutes_between`, an end in `coalesce`
    /// counting as its first column): a row whose end comes before its start would give a
    /// negative duration.
    pub fn durations(&self) -> Vec<(String, String)> {
        fn own_column(e: &TExpr) -> Option<&str> {
            match &e.kind {
                TExprKind::Column(ColumnRef { join: None, column }) => Some(column),
                TExprKind::Call { func: RowFn::Coalesce, args } => args.first().and_then(own_column),
                _ => None,
            }
        }
        let mut pairs = Vec::new();
        let mut visit = |e: &TExpr| {
            if let TExprKind::Call { func: RowFn::HoursBetween | RowFn::DaysBetween | RowFn::MinutesBetween, args } =
                &e.kind
                && let [start, end] = args.as_slice()
                && let (Some(start), Some(end)) = (own_column(start), own_column(end))
            {
                pairs.push((start.to_string(), end.to_string()));
            }
        };
        self.filter.iter().for_each(|f| f.walk(&mut visit));
        self.value.walk(&mut visit);
        pairs
    }

    /// The end of a duration still running at `as_of`, when the value is a `median` or
    /// `percentile` of one: `hours_between(start, coalesce(END, as_of))` (or days,
    /// minutes). A row whose END is empty is a case still open, censored at `as_of`: its
    /// duration is only known to be at least that long (docs/semantics.md, "Open cases").
    pub fn censored_end(&self) -> Option<&TExpr> {
        let TExprKind::Aggregate { func: AggFn::Median | AggFn::Percentile, args } = &self.value.kind else {
            return None;
        };
        let TExprKind::Call { func: RowFn::HoursBetween | RowFn::DaysBetween | RowFn::MinutesBetween, args } =
            &args.first()?.kind
        else {
            return None;
        };
        let TExprKind::Call { func: RowFn::Coalesce, args } = &args.get(1)?.kind else { return None };
        match args.as_slice() {
            [end, as_of] if matches!(as_of.kind, TExprKind::Builtin(Builtin::AsOf)) => Some(end),
            _ => None,
        }
    }

    /// The joins whose columns the metric reads (in `where`, `value` or `by`), by name.
    pub fn joins_used(&self) -> Vec<String> {
        self.joined_columns().into_keys().collect()
    }

    /// The columns the metric reads through each join, by join name.
    pub fn joined_columns(&self) -> BTreeMap<String, BTreeSet<String>> {
        let mut joins: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut add = |c: &ColumnRef| {
            if let Some(j) = &c.join {
                joins.entry(j.clone()).or_default().insert(c.column.clone());
            }
        };
        let mut visit = |e: &TExpr| {
            if let TExprKind::Column(c) = &e.kind {
                add(c);
            }
        };
        self.filter.iter().chain([&self.value]).for_each(|e| e.walk(&mut visit));
        self.by.iter().for_each(&mut add);
        joins
    }
}

/// How rows fall into periods (docs/semantics.md).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeSemantics {
    /// A flow: a row counts in the period holding this column.
    Event { column: String },
    /// A stock: a row counts when open at the instant the period ends.
    Open { from: String, close: Option<String> },
    /// The latest snapshot inside each period.
    Snapshot { column: String },
}

impl TimeSemantics {
    /// The column that places a row in periods: an event's or snapshot's date, or when an
    /// open item was opened.
    pub fn column(&self) -> &str {
        match self {
            TimeSemantics::Event { column } | TimeSemantics::Snapshot { column } => column,
            TimeSemantics::Open { from, .. } => from,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// Relative to the baseline: -0.3 is "30% lower".
    Change {
        change: f64,
        by: Option<NaiveDate>,
    },
    Value {
        value: f64,
        by: Option<NaiveDate>,
    },
}

#[derive(Debug, Serialize)]
pub struct Threshold {
    pub status: Status,
    pub condition: TExpr,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Green,
    Amber,
}

impl fmt::Display for Target {
    /// As written in metric files: `{change: -30%, by: 2026-12-31}`, `{value: 0.95}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (key, number, by) = match self {
            // A change is a percentage of the baseline: -0.3 is written -30%.
            Target::Change { change, by } => ("change", format!("{}%", (change * 1e6).round() / 1e4), by),
            Target::Value { value, by } => ("value", value.to_string(), by),
        };
        match by {
            Some(by) => write!(f, "{{{key}: {number}, by: {by}}}"),
            None => write!(f, "{{{key}: {number}}}"),
        }
    }
}

impl Direction {
    /// As written in metric files: `lower_is_better`.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::HigherIsBetter => "higher_is_better",
            Direction::LowerIsBetter => "lower_is_better",
            Direction::Neutral => "neutral",
        }
    }
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Green => "green",
            Status::Amber => "amber",
        }
    }
}

/// `iso27001:2022/A.5.24`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    pub framework: Framework,
    pub edition: String,
    pub id: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framework {
    Iso27001,
    /// ISO/IEC 27004:2016, information security management: monitoring, measurement,
    /// analysis and evaluation.
    Iso27004,
    Iec62443_3_3,
    NistCsf,
    Nist80053,
}

impl fmt::Display for Reference {
    /// As written in metric files: `iso27001:2022/A.5.24`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self.framework {
            Framework::Iso27001 => "iso27001",
            Framework::Iso27004 => "iso27004",
            Framework::Iec62443_3_3 => "iec62443-3-3",
            Framework::NistCsf => "csf",
            Framework::Nist80053 => "sp800-53",
        };
        write!(f, "{name}:{}/{}", self.edition, self.id)
    }
}
