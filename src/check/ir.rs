//! The resolved, typed IR: the contract between the front end and every back end.
//! Nothing here refers to YAML; names are resolved, vocabulary groups expanded to their
//! terms, and every expression node carries its type and its span in the user's file.

use crate::diag::Span;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Serialize, Serializer};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::PathBuf;

/// A metric's id: its `metric:` key and file stem.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct MetricId(pub String);

impl fmt::Display for MetricId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A checked definition set.
#[derive(Debug, Serialize)]
pub struct DefinitionSet {
    pub name: String,
    pub version: semver::Version,
    /// Where `set.yaml` writes the version.
    #[serde(skip)]
    pub version_at: Option<Span>,
    pub description: Option<String>,
    pub root: PathBuf,
    pub vocabularies: BTreeMap<String, Vocabulary>,
    pub sources: BTreeMap<String, Source>,
    /// Every metric, each after the metrics it is derived from; the project's own metrics
    /// (`local`) among them.
    pub metrics: Vec<Metric>,
}

impl DefinitionSet {
    /// How reports and `check` name the definitions: the set, and the project's own
    /// metrics when it adds some.
    pub fn describe(&self) -> String {
        let set = format!("definition set {} {}", self.name, self.version);
        match self.metrics.iter().filter(|m| m.local).count() {
            0 => set,
            1 => format!("{set} plus 1 project metric"),
            n => format!("{set} plus {n} project metrics"),
        }
    }

    pub fn metric(&self, id: &str) -> Option<&Metric> {
        self.metrics.iter().find(|m| m.id.0 == id)
    }

    /// Every source a metric reads: its own and its joins' for a base metric, its inputs'
    /// for a derived one. A metric over a source a project lacks is not collected there.
    pub fn sources_read(&self, id: &str) -> BTreeSet<&str> {
        let mut read = BTreeSet::new();
        // Metrics still to visit, and those seen: a set with a cycle is still being checked.
        let (mut todo, mut seen) = (vec![id], BTreeSet::new());
        while let Some(id) = todo.pop() {
            if !seen.insert(id) {
                continue;
            }
            match self.metric(id).map(|m| &m.body) {
                Some(MetricBody::Base(b)) => {
                    read.insert(b.source.as_str());
                    let Some(source) = self.sources.get(&b.source) else { continue };
                    read.extend(b.joins_used().iter().filter_map(|j| source.join(j)).map(|j| j.source.as_str()));
                }
                Some(MetricBody::Derived { inputs, .. }) => todo.extend(inputs.iter().map(|i| i.0.as_str())),
                None => {}
            }
        }
        read
    }
}

/// A controlled vocabulary (SPEC section 3).
#[derive(Debug, Serialize)]
pub struct Vocabulary {
    pub name: String,
    pub version: u32,
    /// Where the file writes its version (its name, when it gives none).
    #[serde(skip)]
    pub version_at: Option<Span>,
    pub title: Option<String>,
    pub description: Option<String>,
    /// In the order written; for an ordered vocabulary, highest first.
    pub terms: Vec<Term>,
    pub ordered: bool,
    /// Group name to its terms, nested groups expanded.
    pub groups: BTreeMap<String, Vec<String>>,
    /// Old code to the term that replaces it.
    pub deprecated: BTreeMap<String, String>,
}

impl Vocabulary {
    pub fn has_term(&self, code: &str) -> bool {
        self.terms.iter().any(|t| t.code == code)
    }
}

#[derive(Debug, Serialize)]
pub struct Term {
    pub code: String,
    pub label: Option<String>,
    pub definition: Option<String>,
}

/// How a source's data is collected; manual and mixed values carry a caveat.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Collection {
    Automated,
    Manual,
    Mixed,
}

impl Collection {
    pub fn as_str(self) -> &'static str {
        match self {
            Collection::Automated => "automated",
            Collection::Manual => "manual",
            Collection::Mixed => "mixed",
        }
    }

    /// A value combined from several is as manual as its most manual part.
    pub fn worst(self, other: Collection) -> Collection {
        use Collection::*;
        match (self, other) {
            (Manual, _) | (_, Manual) => Manual,
            (Mixed, _) | (_, Mixed) => Mixed,
            _ => Automated,
        }
    }
}

impl PartialEq<&str> for Collection {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// A logical source schema (SPEC section 4).
#[derive(Debug, Serialize)]
pub struct Source {
    pub name: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub key: Option<String>,
    /// The date column of a source that holds periodic snapshots (an asset inventory): the
    /// key is unique per snapshot, and joins to it are point-in-time.
    pub snapshot: Option<String>,
    pub collection: Collection,
    /// Its rows record activity evidence (documents, trainings, reviews), not outcomes.
    pub evidence: bool,
    /// Who delivers the export.
    pub provider: Option<String>,
    /// Declared columns in order; the implicit `site` column is not listed.
    pub columns: Vec<Column>,
    pub joins: Vec<Join>,
    /// Columns whose declaration was in error (already reported), so their uses are not
    /// reported again. Always empty in a checked set.
    #[serde(skip)]
    pub broken_columns: Vec<String>,
}

impl Source {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    pub fn join(&self, name: &str) -> Option<&Join> {
        self.joins.iter().find(|j| j.name == name)
    }
}

#[derive(Debug, Serialize)]
pub struct Column {
    pub name: String,
    pub ty: ColumnType,
    pub nullable: bool,
    /// A date known in advance (a due date): read as it is, even after `as_of`.
    pub planned: bool,
    /// Bounds on a number column's values, both included.
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub description: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnType {
    String,
    Int,
    Float,
    Bool,
    Date,
    DateTime,
    /// A term of the named vocabulary.
    Vocab(String),
    /// Multi-valued; `;`-separated in CSV.
    List(Box<ColumnType>),
}

/// `asset: {source: assets, on: asset_id}`: a left join on this source's `on` column
/// against the joined source's key.
#[derive(Debug, Serialize)]
pub struct Join {
    pub name: String,
    pub source: String,
    pub on: String,
}

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

/// A checked metric (SPEC section 5).
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
    pub references: Vec<Reference>,
    pub caveats: Option<String>,
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

/// How rows fall into periods (SPEC section 8).
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

/// References, column references and expressions serialize as written in metric files.
macro_rules! serialize_as_text {
    ($($t:ty),*) => {$(
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
    )*};
}
serialize_as_text!(Reference, ColumnRef, TExpr, SiteRef);

fn serialize_time_zone<S: Serializer>(tz: &chrono_tz::Tz, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(tz.name())
}

/// A site of the project, or the pooled row of all sites (`all`, a reserved site id).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SiteRef {
    Site(String),
    All,
}

impl SiteRef {
    pub fn as_str(&self) -> &str {
        match self {
            SiteRef::Site(id) => id,
            SiteRef::All => "all",
        }
    }
}

impl fmt::Display for SiteRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<str> for SiteRef {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for SiteRef {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<&str> for MetricId {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

/// A column of the metric's source, or of one of its joins.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnRef {
    /// `None` for the source itself, else the join's name.
    pub join: Option<String>,
    pub column: String,
}

impl fmt::Display for ColumnRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.join {
            Some(j) => write!(f, "{j}.{}", self.column),
            None => f.write_str(&self.column),
        }
    }
}

/// The type of an expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Type {
    Int,
    Float,
    Bool,
    Str,
    Date,
    DateTime,
    /// A term of the named vocabulary.
    Term(String),
    /// A vocabulary group: a set of terms of the named vocabulary.
    TermSet(String),
    List(Box<Type>),
    /// The literal `null`, which fits any type.
    Null,
}

impl Type {
    pub fn is_numeric(&self) -> bool {
        matches!(self, Type::Int | Type::Float | Type::Null)
    }

    pub fn is_temporal(&self) -> bool {
        matches!(self, Type::Date | Type::DateTime)
    }
}

impl From<&ColumnType> for Type {
    fn from(c: &ColumnType) -> Type {
        match c {
            ColumnType::String => Type::Str,
            ColumnType::Int => Type::Int,
            ColumnType::Float => Type::Float,
            ColumnType::Bool => Type::Bool,
            ColumnType::Date => Type::Date,
            ColumnType::DateTime => Type::DateTime,
            ColumnType::Vocab(v) => Type::Term(v.clone()),
            ColumnType::List(t) => Type::List(Box::new(Type::from(t.as_ref()))),
        }
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Int => f.write_str("int"),
            Type::Float => f.write_str("float"),
            Type::Bool => f.write_str("bool"),
            Type::Str => f.write_str("string"),
            Type::Date => f.write_str("date"),
            Type::DateTime => f.write_str("datetime"),
            Type::Term(v) => write!(f, "term of `{v}`"),
            Type::TermSet(v) => write!(f, "group of `{v}` terms"),
            Type::List(t) => write!(f, "list of {t}"),
            Type::Null => f.write_str("null"),
        }
    }
}

/// A typed, resolved expression.
#[derive(Clone, Debug, PartialEq)]
pub struct TExpr {
    pub kind: TExprKind,
    pub ty: Type,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TExprKind {
    Literal(Literal),
    Column(ColumnRef),
    /// A vocabulary term, written `vocab.TERM` or as a string compared with a term.
    Term {
        vocab: String,
        term: String,
    },
    /// A vocabulary group, expanded to its terms.
    TermSet {
        vocab: String,
        group: String,
        terms: Vec<String>,
    },
    /// Another metric's value (derived metrics only).
    Metric(MetricId),
    /// The value being judged, in thresholds.
    ThresholdValue(ThresholdInput),
    Builtin(Builtin),
    List(Vec<TExpr>),
    Not(Box<TExpr>),
    Neg(Box<TExpr>),
    Binary {
        op: crate::syntax::BinOp,
        lhs: Box<TExpr>,
        rhs: Box<TExpr>,
    },
    IsNull {
        expr: Box<TExpr>,
        negated: bool,
    },
    Between {
        expr: Box<TExpr>,
        low: Box<TExpr>,
        high: Box<TExpr>,
    },
    Call {
        func: RowFn,
        args: Vec<TExpr>,
    },
    Aggregate {
        func: AggFn,
        args: Vec<TExpr>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    Int(i64),
    /// Percentages are stored as fractions: `95%` is 0.95.
    Float(f64),
    Str(String),
    Bool(bool),
    Null,
    Date(NaiveDate),
    DateTime(DateTime<Utc>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThresholdInput {
    Value,
    Baseline,
    Target,
}

/// Values fixed for each computed period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Builtin {
    /// First day of the period.
    PeriodStart,
    /// Last day of the period (`as_of` in the partial period).
    PeriodEnd,
    AsOf,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowFn {
    If,
    Coalesce,
    HoursBetween,
    DaysBetween,
    MinutesBetween,
    Year,
    Month,
    Lower,
    Contains,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AggFn {
    /// `count()` or `count(cond)`
    Count,
    CountDistinct,
    Sum,
    Mean,
    Median,
    Min,
    Max,
    /// `percentile(x, p)`, linear interpolation between closest ranks.
    Percentile,
    /// `count(cond) / count()`
    Share,
}

impl AggFn {
    /// Flows: scaled to one grain in an event metric's baseline; zero-filled.
    pub fn is_additive(self) -> bool {
        matches!(self, AggFn::Count | AggFn::Sum)
    }
}

impl TExpr {
    /// Calls `f` on this node and every node below it, parents first.
    pub fn walk<'a>(&'a self, f: &mut impl FnMut(&'a TExpr)) {
        f(self);
        match &self.kind {
            TExprKind::List(items) => items.iter().for_each(|e| e.walk(f)),
            TExprKind::Call { args, .. } | TExprKind::Aggregate { args, .. } => args.iter().for_each(|e| e.walk(f)),
            TExprKind::Not(e) | TExprKind::Neg(e) | TExprKind::IsNull { expr: e, .. } => e.walk(f),
            TExprKind::Binary { lhs, rhs, .. } => {
                lhs.walk(f);
                rhs.walk(f);
            }
            TExprKind::Between { expr, low, high } => {
                expr.walk(f);
                low.walk(f);
                high.walk(f);
            }
            _ => {}
        }
    }
}

/// A checked project (SPEC section 7).
#[derive(Debug, Serialize)]
pub struct Project {
    pub name: String,
    pub root: PathBuf,
    /// The definition set's folder as yardstick.yaml writes it (relative to the project),
    /// or where it was fetched from when it is pinned in git.
    #[serde(skip)]
    pub definitions: String,
    /// The git repository and revision of a pinned set.
    #[serde(skip)]
    pub pinned: Option<crate::spec::remote::Pin>,
    pub start: NaiveDate,
    /// Month 1..=12 in which the fiscal year starts.
    pub fiscal_year_start: u32,
    pub baseline: Baseline,
    pub unmapped: Unmapped,
    pub sites: Vec<Site>,
    /// Source name to where each site's export of it lives.
    pub bindings: BTreeMap<String, Binding>,
    pub reports: Vec<ReportSpec>,
    pub context: Vec<ContextEvent>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Baseline {
    MonthsBeforeRollout(u32),
    Window { from: NaiveDate, to: NaiveDate },
}

/// What a code outside the vocabulary gets in the data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unmapped {
    Error,
    Exclude,
}

#[derive(Debug, Serialize)]
pub struct Site {
    pub id: String,
    pub title: Option<String>,
    pub rollout: Option<NaiveDate>,
    /// How offset-less datetimes in the site's exports are read, and where its days begin
    /// and end (default UTC).
    #[serde(serialize_with = "serialize_time_zone")]
    pub timezone: chrono_tz::Tz,
    /// Vocabulary name, then local code to standard term.
    pub mappings: BTreeMap<String, BTreeMap<String, String>>,
    /// Source name to where this site's data starts and how it is collected.
    pub coverage: BTreeMap<String, Coverage>,
    /// The sources this site does not export (`sources: {capas: none}`): the metrics over
    /// them are not collected here.
    pub absent: BTreeSet<String>,
    /// This site's own bindings (`sources:` under the site), the project's merged in.
    pub bindings: BTreeMap<String, Binding>,
    /// Where yardstick.yaml names the site.
    #[serde(skip)]
    pub at: Option<Span>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    pub from: Option<NaiveDate>,
    /// The last day the export holds, when the site's data ends.
    pub to: Option<NaiveDate>,
    pub collection: Option<Collection>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileFormat {
    Csv,
    Parquet,
    Ndjson,
}

#[derive(Clone, Debug, Serialize)]
pub struct Binding {
    pub source: String,
    /// Path relative to the project, `{site}` standing for the site id.
    pub file: String,
    pub format: FileFormat,
    pub collection: Option<Collection>,
    pub dialect: Dialect,
    /// Where the binding is written in yardstick.yaml: `sources.incidents`, or
    /// `sites.lodz.sources.incidents` for a site's own.
    pub at: String,
}

/// How an export writes its values: a CSV's delimiter, decimal mark, encoding and
/// spellings, and the date patterns of text cells (any format).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Dialect {
    pub delimiter: u8,
    pub decimal_comma: bool,
    /// A WHATWG encoding name, such as `UTF-8` or `windows-1250`.
    pub encoding: String,
    /// Spellings of booleans and of an empty cell, compared ignoring case (booleans) or
    /// exactly (empty cells; an empty cell is always empty).
    pub true_values: Vec<String>,
    pub false_values: Vec<String>,
    pub null_values: Vec<String>,
    /// Lines starting with this byte are not rows.
    pub comment: Option<u8>,
    /// chrono patterns; ISO 8601 when `None`.
    pub date_format: Option<String>,
    pub datetime_format: Option<String>,
}

impl Default for Dialect {
    fn default() -> Self {
        Dialect {
            delimiter: b',',
            decimal_comma: false,
            encoding: "UTF-8".into(),
            true_values: vec!["true".into()],
            false_values: vec!["false".into()],
            null_values: Vec::new(),
            comment: None,
            date_format: None,
            datetime_format: None,
        }
    }
}

impl Dialect {
    /// Whether a CSV in this dialect reads as a plain comma-separated UTF-8 export, whose
    /// numbers and booleans the reader may type itself.
    pub fn is_plain_csv(&self) -> bool {
        *self
            == Dialect {
                date_format: self.date_format.clone(),
                datetime_format: self.datetime_format.clone(),
                ..Dialect::default()
            }
    }
}

impl Project {
    /// The binding of `source` at `site`: the site's own, else the project's; `None` when
    /// the source is not bound or the site has no such export.
    pub fn binding<'a>(&'a self, source: &str, site: &'a Site) -> Option<&'a Binding> {
        if site.absent.contains(source) {
            return None;
        }
        site.bindings.get(source).or_else(|| self.bindings.get(source))
    }

    /// Whether any site's data of `source` is bound: by the project or by a site.
    pub fn is_bound(&self, source: &str) -> bool {
        self.bindings.contains_key(source) || self.sites.iter().any(|s| s.bindings.contains_key(source))
    }

    /// Every bound source, in name order.
    pub fn bound_sources(&self) -> BTreeSet<&str> {
        let sites = self.sites.iter().flat_map(|s| s.bindings.keys());
        self.bindings.keys().chain(sites).map(String::as_str).collect()
    }
}

#[derive(Debug, Serialize)]
pub struct ReportSpec {
    pub template: String,
    pub grain: Option<Grain>,
    /// The file name in the build's output folder, `{period}` and `{site}` filled in; the
    /// report is written as `.md` and `.html`.
    pub out: String,
    pub site: Option<String>,
    /// Only the metrics with one of these tags (all when empty).
    pub tags: Vec<String>,
}

/// A report's `out` without its `.md` or `.html`: the name both files share.
pub fn out_stem(out: &str) -> &str {
    out.strip_suffix(".md").or_else(|| out.strip_suffix(".html")).unwrap_or(out)
}

#[derive(Debug, Serialize)]
pub struct ContextEvent {
    pub date: NaiveDate,
    /// A site id, or `None` for `all`.
    pub site: Option<String>,
    pub kind: String,
    pub text: String,
    /// Where the context file dates it.
    #[serde(skip)]
    pub at: Option<Span>,
}
