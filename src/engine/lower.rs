//! Lowering row-level IR expressions to Polars expressions.
//!
//! Dates are lowered as datetimes at midnight UTC (milliseconds), so dates and datetimes
//! compare and subtract alike, as docs/language.md says a date counts as its midnight.

use crate::calendar::{PeriodScheme, midnight_ms};
use crate::ir::{AggFn, AttributeValue, Builtin, Literal, RowFn, TExpr, TExprKind, Type, Vocabulary};
use crate::plan::post::Slot;
use crate::syntax::BinOp;
use polars::prelude::*;
use std::collections::BTreeMap;

/// Column holding the first day of the row's period (a datetime), when a metric uses it.
pub const PERIOD_START: &str = "__period_start";
/// Column holding the last day of the row's period (`as_of` in the partial period).
pub const PERIOD_END: &str = "__period_end";

pub const MS: DataType = DataType::Datetime(TimeUnit::Milliseconds, None);

pub struct Lowerer<'a> {
    pub vocabs: &'a BTreeMap<String, Vocabulary>,
    /// `as_of` at midnight, in milliseconds since the epoch.
    pub as_of_ms: i64,
    /// The zones other than UTC with the sites that keep their clocks in each: a computed
    /// date or datetime is turned into an instant or a wall-clock time per row's zone.
    pub zones: Vec<(chrono_tz::Tz, Vec<crate::ir::SiteId>)>,
}

/// A datetime literal from milliseconds since the epoch.
pub fn ms_lit(ms: i64) -> Expr {
    lit(ms).cast(MS)
}

/// The name of a column in a metric's frame: `col`, or `join.col` for a joined column.
pub fn column_name(c: &crate::ir::ColumnRef) -> String {
    c.to_string()
}

/// The index of the period holding a datetime: [`PeriodScheme::index_of_month`] of its
/// month.
pub fn period_index(t: Expr, scheme: PeriodScheme) -> Expr {
    let month =
        t.clone().dt().year().cast(DataType::Int64) * lit(12i64) + t.dt().month().cast(DataType::Int64) - lit(1i64);
    // Months since year 0 are positive, so truncating the quotient is flooring it.
    ((month - lit(scheme.offset)).cast(DataType::Float64) / lit(scheme.months as f64)).cast(DataType::Int64)
}

/// The column holding datetime column `c` as wall-clock time at the row's site.
pub fn local_name(c: &str) -> String {
    format!("__local:{c}")
}

/// The column holding, on every row, the instant `as_of` ends at the row's site.
pub const AS_OF_END: &str = "__end";

/// The column holding date column `c` as the instant of its local midnight.
pub fn instant_name(c: &str) -> String {
    format!("__instant:{c}")
}

fn zone(tz: chrono_tz::Tz) -> TimeZone {
    TimeZone::opt_try_new(Some(tz.name())).ok().flatten().unwrap_or(TimeZone::UTC)
}

/// An instant (a UTC datetime) as wall-clock time in `tz`.
pub fn wall_clock(instant: Expr, tz: chrono_tz::Tz) -> Expr {
    if tz == chrono_tz::Tz::UTC {
        return instant;
    }
    instant
        .dt()
        .replace_time_zone(Some(TimeZone::UTC), lit("raise"), NonExistent::Raise)
        .dt()
        .convert_time_zone(zone(tz))
        .dt()
        .replace_time_zone(None, lit("raise"), NonExistent::Raise)
}

/// A date (or a wall-clock midnight) as the instant its midnight begins in `tz`: the
/// earlier one when ambiguous; when a DST gap swallows midnight (Santiago, Havana, Beirut
/// move their clocks at midnight), the first instant after the gap, as `wall_to_utc` reads
/// such times in the exports.
pub fn midnight_instant(date: Expr, tz: chrono_tz::Tz) -> Expr {
    let naive = date.cast(MS);
    if tz == chrono_tz::Tz::UTC {
        return naive;
    }
    let at = |wall: Expr| {
        wall.dt()
            .replace_time_zone(Some(zone(tz)), lit("earliest"), NonExistent::Null)
            .dt()
            .convert_time_zone(TimeZone::UTC)
            .dt()
            .replace_time_zone(None, lit("raise"), NonExistent::Raise)
    };
    // Gaps last an hour at most where midnight falls in one.
    let hour_later = (naive.clone().cast(DataType::Int64) + lit(3_600_000i64)).cast(MS);
    coalesce(&[at(naive), at(hour_later)])
}

/// The column holding slot `i`'s aggregate.
pub fn slot_column(i: usize) -> String {
    format!("__agg{i}")
}

/// The column holding slot `i`'s values, sorted, where the slot keeps them.
pub fn values_column(i: usize) -> String {
    format!("__values{i}")
}

/// The column of whether each value of the first slot ended ([`Lowerer::ended`]).
pub const ENDED: &str = "__ended";

/// Float values in one order whatever the order of the rows, so that their sum is the same
/// to the last bit however many threads computed it (docs/semantics.md, "The steps",
/// step 8): sorted. Whole numbers sum exactly in any order.
fn in_order(values: Expr, floats: bool) -> Expr {
    if floats { values.sort(SortOptions::default()) } else { values }
}

/// The columns of slot `i`'s sum of squares, largest and smallest value and count.
pub fn compound_columns(i: usize) -> [String; 4] {
    ["squares", "max", "min", "count"].map(|c| format!("__{c}{i}"))
}

impl Lowerer<'_> {
    /// Slot `i`'s values that are not null, sorted, as one list per group.
    pub fn values(&self, slot: &Slot, i: usize) -> Expr {
        let arg = self.row(slot.arg.as_ref().expect("aggregate with an argument"));
        arg.cast(DataType::Float64)
            .drop_nulls()
            .sort(SortOptions::default())
            .implode(true)
            .alias(values_column(i).as_str())
    }

    /// Slot `i`'s sum of squares, largest and smallest value and count of values (nulls left
    /// out), for the interval of a sum ([`crate::stats::Compound`]).
    pub fn compound(&self, slot: &Slot, i: usize) -> [Expr; 4] {
        let arg = || self.row(slot.arg.as_ref().expect("aggregate with an argument")).cast(DataType::Float64);
        let [squares, max, min, count] = compound_columns(i);
        [
            in_order(arg() * arg(), true).sum().alias(squares.as_str()),
            arg().max().alias(max.as_str()),
            arg().min().alias(min.as_str()),
            arg().count().cast(DataType::UInt64).alias(count.as_str()),
        ]
    }

    /// Whether each of the slot's values (nulls left out) ended, in the order of
    /// [`Lowerer::values`]: `end` is not empty.
    pub fn ended(&self, slot: &Slot, end: &TExpr) -> Expr {
        let arg = self.row(slot.arg.as_ref().expect("aggregate with an argument")).cast(DataType::Float64);
        let known = arg.clone().is_not_null();
        self.row(end)
            .is_not_null()
            .filter(known.clone())
            .sort_by([arg.filter(known)], SortMultipleOptions::default())
            .implode(true)
            .alias(ENDED)
    }

    /// Slot `i`'s aggregate, as a float column.
    pub fn slot(&self, slot: &Slot, i: usize) -> Expr {
        let arg = || self.row(slot.arg.as_ref().expect("aggregate with an argument"));
        let floats = slot.arg.as_ref().is_some_and(|a| a.ty == crate::ir::Type::Float);
        let e = match (slot.func, &slot.arg) {
            (AggFn::Count, None) => len(),
            // Counting a condition: nulls are not true, so they are not counted.
            (AggFn::Count, Some(_)) => arg().cast(DataType::Int64).sum(),
            (AggFn::CountDistinct, _) => arg().drop_nulls().n_unique(),
            (AggFn::Sum, _) => in_order(arg(), floats).sum(),
            (AggFn::Mean, _) => in_order(arg(), floats).mean(),
            (AggFn::Median, _) => arg().median(),
            // Datetimes aggregate as milliseconds, so every slot is a number.
            (AggFn::Min, _) => arg().to_physical().cast(DataType::Float64).min(),
            (AggFn::Max, _) => arg().to_physical().cast(DataType::Float64).max(),
            (AggFn::Percentile, _) => {
                arg().cast(DataType::Float64).quantile(lit(slot.quantile), QuantileMethod::Linear)
            }
            (AggFn::Share, _) => unreachable!("share is split into two counts"),
        };
        e.cast(DataType::Float64).alias(slot_column(i).as_str())
    }

    /// A date or datetime as wall-clock time at the row's site (dates at their midnight),
    /// for comparisons with dates, `year`, `month` and periods.
    pub fn local(&self, e: &TExpr) -> Expr {
        match (&e.kind, &e.ty) {
            _ if self.zones.is_empty() => self.row(e),
            (TExprKind::Column(c), Type::DateTime) => col(local_name(&c.to_string()).as_str()),
            (_, Type::DateTime) => self.per_site(self.row(e), wall_clock),
            _ => self.row(e),
        }
    }

    /// A date or datetime as the instant it stands for, for durations: a date its local
    /// midnight, except `as_of`, which stands for the instant its day ends at the row's site
    /// (results are as of the end of that day), so that a case opened that day and still
    /// open has been open a while, not a negative time.
    pub fn instant(&self, e: &TExpr) -> Expr {
        match (&e.kind, &e.ty) {
            (TExprKind::Builtin(Builtin::AsOf), _) => col(AS_OF_END),
            // Through `if` and `coalesce` too: `as_of` in either branch is still its day's end.
            (TExprKind::Call { func: RowFn::If, args }, _) => {
                when(self.row(&args[0])).then(self.instant(&args[1])).otherwise(self.instant(&args[2]))
            }
            (TExprKind::Call { func: RowFn::Coalesce, args }, _) => {
                coalesce(&args.iter().map(|a| self.instant(a)).collect::<Vec<_>>())
            }
            _ if self.zones.is_empty() => self.row(e),
            (TExprKind::Column(c), Type::Date) => col(instant_name(&c.to_string()).as_str()),
            (_, Type::Date) => self.per_site(self.row(e), midnight_instant),
            _ => self.row(e),
        }
    }

    /// `convert` of `value` in the zone of each row's site (UTC sites keep `value`): one
    /// branch per zone, not per site, so that the work per row does not grow with sites.
    fn per_site(&self, value: Expr, convert: fn(Expr, chrono_tz::Tz) -> Expr) -> Expr {
        self.zones.iter().fold(value.clone(), |rest, (tz, sites)| {
            let sites = Series::new("sites".into(), sites.iter().map(|s| s.as_str()).collect::<Vec<_>>());
            when(col(crate::engine::data::SITE).is_in(lit(sites).implode(false), false))
                .then(convert(value.clone(), *tz))
                .otherwise(rest)
        })
    }

    pub fn row(&self, e: &TExpr) -> Expr {
        match &e.kind {
            TExprKind::Literal(l) => literal(l),
            TExprKind::Column(c) => {
                let c = col(column_name(c).as_str());
                if e.ty == Type::Date { c.cast(MS) } else { c }
            }
            TExprKind::Term { term, .. } => lit(term.as_str()),
            TExprKind::TermSet { terms, .. } => {
                lit(Series::new("terms".into(), terms.iter().map(String::as_str).collect::<Vec<_>>()))
            }
            TExprKind::Builtin(Builtin::PeriodStart) => col(PERIOD_START),
            TExprKind::Builtin(Builtin::PeriodEnd) => col(PERIOD_END),
            TExprKind::Builtin(Builtin::AsOf) => ms_lit(self.as_of_ms),
            TExprKind::List(items) => {
                // A list stands alone only as the right side of `in` or `has any`.
                items.first().map_or(lit(NULL), |i| self.row(i))
            }
            TExprKind::Not(inner) => self.row(inner).not(),
            TExprKind::Neg(inner) => lit(0) - self.row(inner),
            TExprKind::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs),
            TExprKind::IsNull { expr, negated } => {
                let x = self.row(expr);
                if *negated { x.is_not_null() } else { x.is_null() }
            }
            TExprKind::Between { expr, low, high } => {
                let ge = self.compare(BinOp::Ge, expr, low);
                let le = self.compare(BinOp::Le, expr, high);
                ge.and(le)
            }
            TExprKind::Call { func, args } => self.call(*func, args),
            TExprKind::Aggregate { .. } | TExprKind::Metric(_) | TExprKind::ThresholdValue(_) => {
                unreachable!("not a row expression: checked metrics keep these out of rows")
            }
        }
    }

    fn binary(&self, op: BinOp, l: &TExpr, r: &TExpr) -> Expr {
        match op {
            BinOp::And => self.row(l).and(self.row(r)),
            BinOp::Or => self.row(l).or(self.row(r)),
            BinOp::Add => self.row(l) + self.row(r),
            BinOp::Sub => self.row(l) - self.row(r),
            BinOp::Mul => self.row(l) * self.row(r),
            BinOp::Div => {
                let den = self.row(r).cast(DataType::Float64);
                when(den.clone().eq(lit(0.0))).then(lit(NULL)).otherwise(self.row(l).cast(DataType::Float64) / den)
            }
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => self.compare(op, l, r),
            BinOp::In | BinOp::NotIn => {
                let x = self.row(l);
                let member = match &r.kind {
                    TExprKind::TermSet { .. } => x.is_in(self.row(r).implode(false), false),
                    TExprKind::Call { func: RowFn::Attribute, args } => self
                        .against_attribute(args, |terms| any_of(terms.iter().map(|t| x.clone().eq(lit(t.as_str()))))),
                    TExprKind::List(items) => any_of(items.iter().map(|i| x.clone().eq(self.row(i)))),
                    _ => x.eq(self.row(r)),
                };
                if op == BinOp::NotIn { member.not() } else { member }
            }
            BinOp::Has => self.has(l, r),
            BinOp::HasAny | BinOp::HasAll => {
                let combine =
                    |items: Vec<Expr>| if op == BinOp::HasAny { any_of(items.into_iter()) } else { all_of(items) };
                let list = self.row(l);
                let holds = |terms: &[String]| {
                    combine(terms.iter().map(|t| list.clone().str().contains_literal(lit(format!(";{t};")))).collect())
                };
                match &r.kind {
                    TExprKind::TermSet { terms, .. } => holds(terms),
                    TExprKind::Call { func: RowFn::Attribute, args } => self.against_attribute(args, holds),
                    TExprKind::List(items) => combine(items.iter().map(|i| self.has(l, i)).collect()),
                    _ => self.has(l, r),
                }
            }
        }
    }

    /// `list has x`: list columns are stored as `;a;b;`, so this is a substring test.
    fn has(&self, list: &TExpr, item: &TExpr) -> Expr {
        let pattern = match &item.kind {
            TExprKind::Term { term, .. } => lit(format!(";{term};")),
            TExprKind::Literal(Literal::Str(s)) => lit(format!(";{s};")),
            TExprKind::Literal(Literal::Int(i)) => lit(format!(";{i};")),
            _ => lit(";") + self.row(item).cast(DataType::String) + lit(";"),
        };
        self.row(list).str().contains_literal(pattern)
    }

    /// Comparisons; terms of an ordered vocabulary compare by rank (the first term listed
    /// is the highest, so `severity >= SEV2` holds for SEV1 and SEV2).
    fn compare(&self, op: BinOp, l: &TExpr, r: &TExpr) -> Expr {
        let ordered_vocab = match (&l.ty, op.is_ordering()) {
            (Type::Term(v), true) => self.vocabs.get(v).filter(|v| v.ordered),
            _ => None,
        };
        let (a, b, op) = match ordered_vocab {
            // A lower rank is a higher term.
            Some(v) => (rank(v, self.row(l)), rank(v, self.row(r)), op.reversed()),
            // A date against a datetime compares local dates at the row's site.
            None if l.ty == Type::Date || r.ty == Type::Date => (self.local(l), self.local(r), op),
            None => (self.row(l), self.row(r), op),
        };
        match op {
            BinOp::Eq => a.eq(b),
            BinOp::Ne => a.neq(b),
            BinOp::Lt => a.lt(b),
            BinOp::Le => a.lt_eq(b),
            BinOp::Gt => a.gt(b),
            _ => a.gt_eq(b),
        }
    }

    fn call(&self, f: RowFn, args: &[TExpr]) -> Expr {
        let arg = |i: usize| self.row(&args[i]);
        // Durations are between instants, whatever the site's clock did in between.
        let ms_between = |per: f64| {
            let instant = |i: usize| self.instant(&args[i]).cast(MS).cast(DataType::Int64);
            (instant(1) - instant(0)).cast(DataType::Float64) / lit(per)
        };
        match f {
            RowFn::If if args[1..].iter().any(|a| a.ty == Type::DateTime) => {
                // Beside a datetime, a date branch is its local midnight (`as_of` its end).
                let lower = |a: &TExpr| if a.ty == Type::Date { self.instant(a) } else { self.row(a) };
                when(arg(0)).then(lower(&args[1])).otherwise(lower(&args[2]))
            }
            RowFn::If => when(arg(0)).then(arg(1)).otherwise(arg(2)),
            RowFn::Coalesce => {
                // Beside a datetime, a date (`as_of`, a date column) is its local midnight.
                let instants = args.iter().any(|a| a.ty == Type::DateTime);
                let lower = |a: &TExpr| if instants && a.ty == Type::Date { self.instant(a) } else { self.row(a) };
                coalesce(&args.iter().map(lower).collect::<Vec<_>>())
            }
            RowFn::HoursBetween => ms_between(3_600_000.0),
            RowFn::DaysBetween => ms_between(86_400_000.0),
            RowFn::MinutesBetween => ms_between(60_000.0),
            RowFn::Year => self.local(&args[0]).cast(MS).dt().year().cast(DataType::Int64),
            RowFn::Month => self.local(&args[0]).cast(MS).dt().month().cast(DataType::Int64),
            RowFn::Lower => arg(0).str().to_lowercase(),
            RowFn::Contains => arg(0).str().contains_literal(arg(1)),
            // A list is held as `;a;b;`, as a list column is.
            RowFn::Attribute => {
                let whole = self.whole_attribute(args);
                self.per_term(args, |value| match value {
                    AttributeValue::Number(n) if whole => lit(*n as i64),
                    AttributeValue::Number(n) => lit(*n),
                    AttributeValue::Terms(terms) => lit(format!(";{};", terms.join(";"))),
                })
            }
        }
    }

    /// `attribute(term, "name")` term by term: `value` of each term's value of the
    /// attribute, empty where the term is empty or gives no value.
    fn per_term(&self, args: &[TExpr], value: impl Fn(&AttributeValue) -> Expr) -> Expr {
        let (vocab, name) = self.attribute(args);
        let term = self.row(&args[0]);
        vocab.terms.iter().rev().fold(lit(NULL), |otherwise, t| match t.attributes.get(name) {
            Some(x) => when(term.clone().eq(lit(t.code.as_str()))).then(value(x)).otherwise(otherwise),
            None => otherwise,
        })
    }

    /// The vocabulary and the attribute's name of the arguments of `attribute(term, "name")`.
    fn attribute<'t>(&self, args: &'t [TExpr]) -> (&Vocabulary, &'t str) {
        let (vocab, name) = crate::ir::attribute_read(args).expect("checked: attribute(term, \"name\")");
        (&self.vocabs[vocab], name)
    }

    /// Whether the attribute of `attribute(term, "name")` is an `int`.
    fn whole_attribute(&self, args: &[TExpr]) -> bool {
        let (vocab, name) = self.attribute(args);
        vocab.attribute(name).is_some_and(|a| a.ty == crate::ir::ColumnType::Int)
    }

    /// `x in attribute(...)`, `list has any attribute(...)`, `list has all attribute(...)`:
    /// the test, term by term, against each term's list.
    fn against_attribute(&self, args: &[TExpr], test: impl Fn(&[String]) -> Expr) -> Expr {
        self.per_term(args, |value| match value {
            AttributeValue::Terms(terms) => test(terms),
            AttributeValue::Number(_) => lit(NULL),
        })
    }
}

fn literal(l: &Literal) -> Expr {
    match l {
        Literal::Int(i) => lit(*i),
        Literal::Float(f) => lit(*f),
        Literal::Str(s) => lit(s.as_str()),
        Literal::Bool(b) => lit(*b),
        Literal::Null => lit(NULL),
        Literal::Date(d) => ms_lit(midnight_ms(*d)),
        Literal::DateTime(dt) => ms_lit(dt.timestamp_millis()),
    }
}

/// A term's position in its ordered vocabulary (0 = highest).
fn rank(v: &Vocabulary, term: Expr) -> Expr {
    v.terms.iter().enumerate().rev().fold(lit(NULL), |otherwise, (i, t)| {
        when(term.clone().eq(lit(t.code.as_str()))).then(lit(i as i64)).otherwise(otherwise)
    })
}

/// Every one of `items` holds; true of none.
fn all_of(items: Vec<Expr>) -> Expr {
    items.into_iter().reduce(Expr::and).unwrap_or_else(|| lit(true))
}

fn any_of(mut items: impl Iterator<Item = Expr>) -> Expr {
    let first = items.next().unwrap_or_else(|| lit(false));
    items.fold(first, |acc, e| acc.or(e))
}
