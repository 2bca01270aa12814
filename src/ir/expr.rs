//! Typed, resolved expressions: every node with its type and its span in the user's file.

use super::*;

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
    /// `attribute(term, "name")`: the term's value of an attribute of its vocabulary.
    Attribute,
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

/// The arguments of a checked `attribute(term, "name")`: the term's vocabulary and the
/// attribute's name.
pub fn attribute_read(args: &[TExpr]) -> Option<(&str, &str)> {
    match (args.first().map(|a| &a.ty), args.get(1).map(|a| &a.kind)) {
        (Some(Type::Term(v)), Some(TExprKind::Literal(Literal::Str(name)))) => Some((v, name)),
        _ => None,
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
