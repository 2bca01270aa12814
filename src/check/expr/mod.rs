//! Names and types inside expressions: turns an AST into a typed [`TExpr`], reporting
//! every unknown name, misplaced aggregate and type mismatch with its exact span.

use crate::diag::{Diagnostic, Span, codes, did_you_mean};
use crate::ir::{
    AggFn, Builtin, ColumnRef, Grain, Literal, MetricId, RowFn, Source, TExpr, TExprKind, ThresholdInput, Type,
    Vocabulary,
};
use crate::syntax::{BinOp, Expr, ExprKind, Ident, UnaryOp};
use std::collections::BTreeMap;

mod calls;
mod names;
mod operators;

use names::*;

/// What names mean where the expression is written.
pub(super) enum Scope<'a> {
    /// `where` and `value` of a base metric: the source's columns and joins.
    Rows { source: &'a Source, sources: &'a BTreeMap<String, Source> },
    /// `value` of a derived metric: other metrics, by id, with their grains.
    Metrics { metrics: &'a BTreeMap<String, Option<Grain>>, grain: Grain },
    /// `thresholds`: `value`, `baseline`, `target`.
    Threshold,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Clause {
    Where,
    Value,
    Threshold,
}

impl Clause {
    fn key(self) -> &'static str {
        match self {
            Clause::Where => "where",
            Clause::Value => "value",
            Clause::Threshold => "thresholds",
        }
    }
}

pub(super) struct ExprChecker<'a> {
    pub vocabs: &'a BTreeMap<String, Vocabulary>,
    /// Names defined in files that could not be read (already reported).
    pub unreadable: &'a [String],
    pub scope: Scope<'a>,
    pub clause: Clause,
    pub errors: Vec<Diagnostic>,
    /// Metrics a derived value refers to, in order of first use.
    pub metric_refs: Vec<MetricId>,
    /// The span of the aggregate being checked, if inside one.
    in_aggregate: Option<Span>,
}

const BUILTINS: &[&str] = &["period_start", "period_end", "as_of"];

impl<'a> ExprChecker<'a> {
    pub fn new(
        vocabs: &'a BTreeMap<String, Vocabulary>,
        unreadable: &'a [String],
        scope: Scope<'a>,
        clause: Clause,
    ) -> Self {
        ExprChecker {
            vocabs,
            unreadable,
            scope,
            clause,
            errors: Vec::new(),
            metric_refs: Vec::new(),
            in_aggregate: None,
        }
    }

    fn err<T>(&mut self, d: Diagnostic) -> Option<T> {
        self.errors.push(d);
        None
    }

    /// Checks `e` and requires its type to be `want` (a bool for `where`, a number for
    /// `value`).
    pub fn check_root(&mut self, e: &Expr) -> Option<TExpr> {
        let t = self.check(e)?;
        match self.clause {
            Clause::Where | Clause::Threshold if t.ty != Type::Bool => self.err(
                Diagnostic::error(
                    codes::E0411,
                    format!("`{}` must be a condition, but this is a {}", self.clause.key(), t.ty),
                )
                .at(t.span)
                .label(format!("{} here", t.ty))
                .help("write a comparison, such as `severity == incident_severity.SEV1`"),
            ),
            Clause::Value if !t.ty.is_numeric() || t.ty == Type::Null => self.err(
                Diagnostic::error(codes::E0410, format!("`value` must be a number, but this is a {}", t.ty))
                    .at(t.span)
                    .label(format!("{} here", t.ty))
                    .help("aggregate the rows into a number: count(), sum(x), mean(x), share(cond), ..."),
            ),
            _ => Some(t),
        }
    }

    /// Checks one node. Each kind of node is checked in a function of its own, so that
    /// this frame, which every level of nesting repeats, stays small.
    pub fn check(&mut self, e: &Expr) -> Option<TExpr> {
        let span = e.span;
        match &e.kind {
            ExprKind::List(items) => self.list(items, span),
            ExprKind::Name(parts) => self.name(parts, span),
            ExprKind::Call { func, args } => self.call(func, args, span),
            ExprKind::Unary { op, expr } => self.unary(*op, expr, span),
            ExprKind::Binary { op, lhs, rhs } => self.binary_operands(*op, lhs, rhs, span),
            ExprKind::IsNull { expr, negated } => self.is_null(expr, *negated, span),
            ExprKind::Between { expr, low, high } => self.between(expr, low, high, span),
            literal => Some(self.literal(literal, span)),
        }
    }

    fn literal(&self, kind: &ExprKind, span: Span) -> TExpr {
        let (literal, ty) = match kind {
            ExprKind::Int(i) => (Literal::Int(*i), Type::Int),
            ExprKind::Float(f) => (Literal::Float(*f), Type::Float),
            ExprKind::Percent(p) => (Literal::Float(p / 100.0), Type::Float),
            ExprKind::Str(s) => (Literal::Str(s.clone()), Type::Str),
            ExprKind::Bool(b) => (Literal::Bool(*b), Type::Bool),
            ExprKind::Date(d) => (Literal::Date(*d), Type::Date),
            ExprKind::DateTime(d) => (Literal::DateTime(*d), Type::DateTime),
            // `check` sends only literals here.
            _ => (Literal::Null, Type::Null),
        };
        TExpr { kind: TExprKind::Literal(literal), ty, span }
    }

    fn unary(&mut self, op: UnaryOp, expr: &Expr, span: Span) -> Option<TExpr> {
        let inner = self.check(expr)?;
        match op {
            UnaryOp::Not => {
                self.expect(&inner, |t| *t == Type::Bool || *t == Type::Null, "`not` needs a condition")?;
                Some(TExpr { kind: TExprKind::Not(Box::new(inner)), ty: Type::Bool, span })
            }
            UnaryOp::Neg => {
                self.expect(&inner, Type::is_numeric, "`-` needs a number")?;
                let ty = inner.ty.clone();
                Some(TExpr { kind: TExprKind::Neg(Box::new(inner)), ty, span })
            }
        }
    }

    /// Both operands are checked, so that a mistake on each side is reported. They stay
    /// boxed on the way to [`Self::binary`] to keep this frame, on the recursion's path, small.
    fn binary_operands(&mut self, op: BinOp, lhs: &Expr, rhs: &Expr, span: Span) -> Option<TExpr> {
        let l = self.check(lhs).map(Box::new);
        let r = self.check(rhs).map(Box::new);
        self.binary(op, l?, r?, span)
    }

    fn is_null(&mut self, expr: &Expr, negated: bool, span: Span) -> Option<TExpr> {
        let inner = self.check(expr)?;
        Some(TExpr { kind: TExprKind::IsNull { expr: Box::new(inner), negated }, ty: Type::Bool, span })
    }

    fn between(&mut self, expr: &Expr, low: &Expr, high: &Expr, span: Span) -> Option<TExpr> {
        let (x, lo, hi) = (self.check(expr), self.check(low), self.check(high));
        let (x, lo, hi) = (x?, lo?, hi?);
        let lo = self.ordered_pair(&x, lo, span)?;
        let hi = self.ordered_pair(&x, hi, span)?;
        Some(TExpr {
            kind: TExprKind::Between { expr: Box::new(x), low: Box::new(lo), high: Box::new(hi) },
            ty: Type::Bool,
            span,
        })
    }

    fn expect(&mut self, e: &TExpr, ok: impl Fn(&Type) -> bool, what: &str) -> Option<()> {
        if ok(&e.ty) {
            Some(())
        } else {
            self.err(
                Diagnostic::error(codes::E0403, format!("{what}, but this is a {}", e.ty))
                    .at(e.span)
                    .label(format!("{} here", e.ty)),
            )
        }
    }

    fn list(&mut self, items: &[Expr], span: Span) -> Option<TExpr> {
        let checked: Vec<Option<TExpr>> = items.iter().map(|i| self.check(i)).collect();
        let checked: Vec<TExpr> = checked.into_iter().collect::<Option<_>>()?;
        let mut elem = Type::Null;
        for item in &checked {
            match unify(&elem, &item.ty) {
                Some(t) => elem = t,
                None => {
                    return self.err(
                        Diagnostic::error(codes::E0403, format!("a list mixes {elem} and {}", item.ty))
                            .at(item.span)
                            .label(format!("{} here", item.ty))
                            .help("every item of a list has the same type"),
                    );
                }
            }
        }
        Some(TExpr { kind: TExprKind::List(checked), ty: Type::List(Box::new(elem)), span })
    }
}

fn bin(op: BinOp, l: TExpr, r: TExpr, ty: Type, span: Span) -> TExpr {
    TExpr { kind: TExprKind::Binary { op, lhs: Box::new(l), rhs: Box::new(r) }, ty, span }
}

/// The type both fit in: equal types, int with float, date with datetime, null with any.
fn unify(a: &Type, b: &Type) -> Option<Type> {
    match (a, b) {
        (Type::Null, t) | (t, Type::Null) => Some(t.clone()),
        (a, b) if a == b => Some(a.clone()),
        (Type::Int, Type::Float) | (Type::Float, Type::Int) => Some(Type::Float),
        (Type::Date, Type::DateTime) | (Type::DateTime, Type::Date) => Some(Type::DateTime),
        _ => None,
    }
}
