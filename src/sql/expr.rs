//! Row expressions in SQL: what `crate::engine` says in Polars (`lower.rs`), said through
//! sqlparser's tree, with the same rules: dates compare as their local midnight, durations
//! run between instants, an ordered vocabulary compares by rank, a list cell is held as
//! `;a;b;`, division by zero is empty.

use super::Dialect;
use super::ast::*;
use crate::ir::{AttributeValue, Builtin, Literal, RowFn, TExpr, TExprKind, Type, Vocabulary};
use crate::syntax::BinOp;
use sqlparser::ast::{BinaryOperator, Expr};
use std::collections::BTreeMap;

/// The column naming the row's site.
pub const SITE: &str = "site";
/// The columns holding the first and last day of the row's period, where a metric reads
/// them.
pub const PERIOD_START: &str = "__period_start";
pub const PERIOD_END: &str = "__period_end";
/// The column holding, on every row, the instant `as_of` ends at its site (UTC).
pub const AS_OF_END: &str = "__end";

/// Lowers row expressions for one project.
pub struct Rows<'a> {
    pub d: Dialect,
    pub vocabs: &'a BTreeMap<String, Vocabulary>,
    pub as_of: chrono::NaiveDate,
    /// The zones other than UTC, with the sites that keep their clocks in each.
    pub zones: Vec<(chrono_tz::Tz, Vec<String>)>,
}

impl Rows<'_> {
    /// A naive UTC instant as wall-clock time at the row's site.
    pub fn wall_clock(&self, instant: Expr) -> Expr {
        self.per_zone(instant, |d, e, tz| d.wall_clock(e, tz))
    }

    /// A date as the instant (naive UTC) its local midnight begins at the row's site.
    pub fn midnight(&self, day: Expr) -> Expr {
        let midnight = cast(day, timestamp_type());
        self.per_zone(midnight, |d, e, tz| d.instant_of(e, tz))
    }

    fn per_zone(&self, value: Expr, convert: fn(Dialect, Expr, &str) -> Expr) -> Expr {
        let whens = self
            .zones
            .iter()
            .map(|(tz, sites)| {
                let sites = sites.iter().map(|s| string(s)).collect();
                (in_list(col(self.d, SITE), sites), convert(self.d, value.clone(), tz.name()))
            })
            .collect();
        case(whens, Some(value))
    }

    /// A date or datetime as wall-clock time at the row's site (dates at their midnight).
    pub fn local(&self, e: &TExpr) -> Expr {
        match &e.ty {
            Type::DateTime => self.wall_clock(self.row(e)),
            _ => self.row(e),
        }
    }

    /// A date or datetime as the instant it stands for: a date its local midnight, `as_of`
    /// its day's end at the row's site.
    pub fn instant(&self, e: &TExpr) -> Expr {
        match (&e.kind, &e.ty) {
            (TExprKind::Builtin(Builtin::AsOf), _) => col(self.d, AS_OF_END),
            (TExprKind::Call { func: RowFn::If, args }, _) => {
                case(vec![(self.row(&args[0]), self.instant(&args[1]))], Some(self.instant(&args[2])))
            }
            (TExprKind::Call { func: RowFn::Coalesce, args }, _) => {
                func("coalesce", args.iter().map(|a| self.instant(a)).collect())
            }
            (_, Type::Date) => self.midnight(self.row(e)),
            _ => self.row(e),
        }
    }

    pub fn row(&self, e: &TExpr) -> Expr {
        let d = self.d;
        match &e.kind {
            TExprKind::Literal(l) => literal(l),
            TExprKind::Column(c) => col(d, &c.to_string()),
            TExprKind::Term { term, .. } => string(term),
            TExprKind::TermSet { terms, .. } => terms.first().map_or_else(null, |t| string(t)),
            TExprKind::Builtin(Builtin::PeriodStart) => col(d, PERIOD_START),
            TExprKind::Builtin(Builtin::PeriodEnd) => col(d, PERIOD_END),
            TExprKind::Builtin(Builtin::AsOf) => date(self.as_of),
            TExprKind::List(items) => items.first().map_or_else(null, |i| self.row(i)),
            TExprKind::Not(inner) => not(self.row(inner)),
            TExprKind::Neg(inner) => bin(int(0), BinaryOperator::Minus, self.row(inner)),
            TExprKind::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs),
            TExprKind::IsNull { expr, negated } => {
                if *negated {
                    is_not_null(self.row(expr))
                } else {
                    is_null(self.row(expr))
                }
            }
            TExprKind::Between { expr, low, high } => {
                and(self.compare(BinOp::Ge, expr, low), self.compare(BinOp::Le, expr, high))
            }
            TExprKind::Call { func, args } => self.call(*func, args),
            TExprKind::Aggregate { .. } | TExprKind::Metric(_) | TExprKind::ThresholdValue(_) => {
                unreachable!("not a row expression: checked metrics keep these out of rows")
            }
        }
    }

    fn binary(&self, op: BinOp, l: &TExpr, r: &TExpr) -> Expr {
        let arith = |o| bin(self.row(l), o, self.row(r));
        match op {
            BinOp::And => and(self.row(l), self.row(r)),
            BinOp::Or => or(self.row(l), self.row(r)),
            BinOp::Add => arith(BinaryOperator::Plus),
            BinOp::Sub => arith(BinaryOperator::Minus),
            BinOp::Mul => arith(BinaryOperator::Multiply),
            BinOp::Div => {
                let den = cast(self.row(r), double());
                let quotient = bin(cast(self.row(l), double()), BinaryOperator::Divide, den.clone());
                case(vec![(eq(den, float(0.0)), null())], Some(quotient))
            }
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => self.compare(op, l, r),
            BinOp::In | BinOp::NotIn => {
                let x = self.row(l);
                let member = match &r.kind {
                    TExprKind::TermSet { terms, .. } => in_list(x, terms.iter().map(|t| string(t)).collect()),
                    TExprKind::Call { func: RowFn::Attribute, args } => {
                        self.against_attribute(args, |terms| any(terms.iter().map(|t| eq(x.clone(), string(t)))))
                    }
                    TExprKind::List(items) => any(items.iter().map(|i| eq(x.clone(), self.row(i)))),
                    _ => eq(x, self.row(r)),
                };
                if op == BinOp::NotIn { not(member) } else { member }
            }
            BinOp::Has => self.has(l, r),
            BinOp::HasAny | BinOp::HasAll => {
                let combine = |items: Vec<Expr>| if op == BinOp::HasAny { any(items) } else { all(items) };
                let holds = |terms: &[String]| {
                    combine(terms.iter().map(|t| self.d.contains(self.row(l), string(&format!(";{t};")))).collect())
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

    /// `list has x`: a list cell is held as `;a;b;`.
    fn has(&self, list: &TExpr, item: &TExpr) -> Expr {
        let pattern = match &item.kind {
            TExprKind::Term { term, .. } => string(&format!(";{term};")),
            TExprKind::Literal(Literal::Str(s)) => string(&format!(";{s};")),
            TExprKind::Literal(Literal::Int(i)) => string(&format!(";{i};")),
            _ => {
                let text = cast(self.row(item), sqlparser::ast::DataType::String(None));
                bin(bin(string(";"), BinaryOperator::StringConcat, text), BinaryOperator::StringConcat, string(";"))
            }
        };
        self.d.contains(self.row(list), pattern)
    }

    fn compare(&self, op: BinOp, l: &TExpr, r: &TExpr) -> Expr {
        let ordered = match (&l.ty, op.is_ordering()) {
            (Type::Term(v), true) => self.vocabs.get(v).filter(|v| v.ordered),
            _ => None,
        };
        let (a, b, op) = match ordered {
            // A lower rank is a higher term.
            Some(v) => (rank(v, self.row(l)), rank(v, self.row(r)), op.reversed()),
            // A date against a datetime compares local times at the row's site.
            None if l.ty == Type::Date || r.ty == Type::Date => {
                let side = |e: &TExpr| match e.ty {
                    Type::Date => cast(self.row(e), timestamp_type()),
                    _ => self.local(e),
                };
                (side(l), side(r), op)
            }
            None => (self.row(l), self.row(r), op),
        };
        let op = match op {
            BinOp::Eq => BinaryOperator::Eq,
            BinOp::Ne => BinaryOperator::NotEq,
            BinOp::Lt => BinaryOperator::Lt,
            BinOp::Le => BinaryOperator::LtEq,
            BinOp::Gt => BinaryOperator::Gt,
            _ => BinaryOperator::GtEq,
        };
        bin(a, op, b)
    }

    fn call(&self, f: RowFn, args: &[TExpr]) -> Expr {
        let arg = |i: usize| self.row(&args[i]);
        let between = |per: f64| {
            let ms = |i: usize| self.d.epoch_ms(self.instant(&args[i]));
            bin(cast(bin(ms(1), BinaryOperator::Minus, ms(0)), double()), BinaryOperator::Divide, float(per))
        };
        let instants = args.iter().any(|a| a.ty == Type::DateTime);
        let beside = |a: &TExpr| if instants && a.ty == Type::Date { self.instant(a) } else { self.row(a) };
        match f {
            RowFn::If => case(vec![(arg(0), beside(&args[1]))], Some(beside(&args[2]))),
            RowFn::Coalesce => func("coalesce", args.iter().map(beside).collect()),
            RowFn::HoursBetween => between(3_600_000.0),
            RowFn::DaysBetween => between(86_400_000.0),
            RowFn::MinutesBetween => between(60_000.0),
            RowFn::Year => cast(func("year", vec![self.local(&args[0])]), bigint()),
            RowFn::Month => cast(func("month", vec![self.local(&args[0])]), bigint()),
            RowFn::Lower => func("lower", vec![arg(0)]),
            RowFn::Contains => self.d.contains(arg(0), arg(1)),
            RowFn::Attribute => {
                let whole = self.whole_attribute(args);
                self.per_term(args, |value| match value {
                    AttributeValue::Number(n) if whole => int(*n as i64),
                    AttributeValue::Number(n) => float(*n),
                    AttributeValue::Terms(terms) => string(&format!(";{};", terms.join(";"))),
                })
            }
        }
    }

    fn per_term(&self, args: &[TExpr], value: impl Fn(&AttributeValue) -> Expr) -> Expr {
        let (vocab, name) = self.attribute(args);
        let term = self.row(&args[0]);
        let whens = (vocab.terms.iter())
            .filter_map(|t| Some((eq(term.clone(), string(&t.code)), value(t.attributes.get(name)?))))
            .collect();
        case(whens, None)
    }

    fn attribute<'t>(&self, args: &'t [TExpr]) -> (&Vocabulary, &'t str) {
        let (vocab, name) = crate::ir::attribute_read(args).expect("checked: attribute(term, \"name\")");
        (&self.vocabs[vocab], name)
    }

    fn whole_attribute(&self, args: &[TExpr]) -> bool {
        let (vocab, name) = self.attribute(args);
        vocab.attribute(name).is_some_and(|a| a.ty == crate::ir::ColumnType::Int)
    }

    fn against_attribute(&self, args: &[TExpr], test: impl Fn(&[String]) -> Expr) -> Expr {
        self.per_term(args, |value| match value {
            AttributeValue::Terms(terms) => test(terms),
            AttributeValue::Number(_) => null(),
        })
    }
}

fn literal(l: &Literal) -> Expr {
    match l {
        Literal::Int(i) => int(*i),
        Literal::Float(f) => float(*f),
        Literal::Str(s) => string(s),
        Literal::Bool(b) => boolean(*b),
        Literal::Null => null(),
        Literal::Date(d) => date(*d),
        Literal::DateTime(dt) => timestamp(dt.naive_utc()),
    }
}

/// A term's position in its ordered vocabulary (0 = highest).
fn rank(v: &Vocabulary, term: Expr) -> Expr {
    let whens = v.terms.iter().enumerate().map(|(i, t)| (eq(term.clone(), string(&t.code)), int(i as i64))).collect();
    case(whens, None)
}
