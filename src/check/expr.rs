//! Names and types inside expressions: turns an AST into a typed [`TExpr`], reporting
//! every unknown name, misplaced aggregate and type mismatch with its exact span.

use crate::diag::{Diagnostic, Span, codes, did_you_mean};
use crate::ir::{
    AggFn, Builtin, ColumnRef, Grain, Literal, MetricId, RowFn, Source, TExpr, TExprKind, ThresholdInput, Type,
    Vocabulary,
};
use crate::syntax::{BinOp, Expr, ExprKind, Ident, UnaryOp};
use std::collections::BTreeMap;

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

    fn name(&mut self, parts: &[Ident], span: Span) -> Option<TExpr> {
        match parts {
            [one] => self.bare_name(one, span),
            [first, second] => self.dotted_name(first, second, span),
            _ => self.err(
                Diagnostic::error(codes::E0311, format!("`{}` has too many parts", join_names(parts)))
                    .at(span)
                    .label("expected `name` or `prefix.name`")
                    .help(
                        "a dotted name is a vocabulary term or group (`vocab.TERM`) or a join's column (`join.column`)",
                    ),
            ),
        }
    }

    fn bare_name(&mut self, id: &Ident, span: Span) -> Option<TExpr> {
        let builtin = match id.name.as_str() {
            "period_start" => Some(Builtin::PeriodStart),
            "period_end" => Some(Builtin::PeriodEnd),
            "as_of" => Some(Builtin::AsOf),
            _ => None,
        };
        if let Some(b) = builtin {
            return Some(TExpr { kind: TExprKind::Builtin(b), ty: Type::Date, span });
        }
        match &self.scope {
            Scope::Rows { source, .. } => {
                let source = *source;
                self.column(source, id, span)
            }
            Scope::Metrics { metrics, grain } => {
                let (metrics, grain) = (*metrics, *grain);
                self.metric(metrics, grain, id, span)
            }
            Scope::Threshold => self.threshold_input(id, span),
        }
    }

    /// A column of the metric's source (or `site`).
    fn column(&mut self, source: &Source, id: &Ident, span: Span) -> Option<TExpr> {
        let ty = if id.name == "site" { Some(Type::Str) } else { source.column(&id.name).map(|c| Type::from(&c.ty)) };
        if let Some(ty) = ty {
            self.column_use(&id.name, span)?;
            return Some(TExpr {
                kind: TExprKind::Column(ColumnRef { join: None, column: id.name.clone() }),
                ty,
                span,
            });
        }
        if source.broken_columns.contains(&id.name) {
            return None;
        }
        let mut d =
            Diagnostic::error(codes::E0301, format!("unknown column `{}` in source `{}`", id.name, source.name))
                .at(id.span)
                .label("no such column");
        let columns: Vec<&str> = source.columns.iter().map(|c| c.name.as_str()).chain(["site"]).collect();
        let candidates: Vec<&str> = columns.iter().copied().chain(BUILTINS.iter().copied()).collect();
        if source.join(&id.name).is_some() {
            d = d.help(format!("`{0}` is a join; name one of its columns, as in `{0}.column`", id.name));
        } else if self.vocabs.contains_key(&id.name) {
            d = d.help(format!("`{0}` is a vocabulary; name one of its terms, as in `{0}.TERM`", id.name));
        } else if let Some(h) = did_you_mean(&id.name, candidates.iter().copied()) {
            d = d.help(h);
        } else {
            d = d.help(format!("the columns of `{}` are: {}", source.name, columns.join(", ")));
        }
        self.err(d)
    }

    /// Another metric, in a derived metric's `value`: it must have the same grain.
    fn metric(
        &mut self,
        metrics: &BTreeMap<String, Option<Grain>>,
        grain: Grain,
        id: &Ident,
        span: Span,
    ) -> Option<TExpr> {
        match metrics.get(&id.name) {
            Some(g) if g.is_none_or(|g| g == grain) => {
                let mid = MetricId(id.name.clone());
                if !self.metric_refs.contains(&mid) {
                    self.metric_refs.push(mid.clone());
                }
                Some(TExpr { kind: TExprKind::Metric(mid), ty: Type::Float, span })
            }
            Some(Some(g)) => self.err(
                Diagnostic::error(
                    codes::E0503,
                    format!(
                        "metric `{}` has grain {}, but this derived metric has grain {}",
                        id.name,
                        g.as_str(),
                        grain.as_str()
                    ),
                )
                .at(id.span)
                .label("different grain")
                .help("a derived metric combines metrics of the same grain, site and period"),
            ),
            Some(None) | None => {
                let names: Vec<&str> = metrics.keys().map(String::as_str).collect();
                let help = did_you_mean(&id.name, names.iter().copied())
                    .unwrap_or_else(|| "a derived metric (one without `source`) names other metrics by id".to_string());
                self.err(
                    Diagnostic::error(codes::E0306, format!("unknown metric `{}`", id.name))
                        .at(id.span)
                        .label("no metric with this id")
                        .help(help),
                )
            }
        }
    }

    /// `value`, `baseline` or `target`, in a threshold.
    fn threshold_input(&mut self, id: &Ident, span: Span) -> Option<TExpr> {
        let input = match id.name.as_str() {
            "value" => ThresholdInput::Value,
            "baseline" => ThresholdInput::Baseline,
            "target" => ThresholdInput::Target,
            _ => {
                return self.err(
                    Diagnostic::error(codes::E0310, format!("unknown name `{}` in a threshold", id.name))
                        .at(id.span)
                        .label("not available here")
                        .help(
                            "thresholds compare `value` (and `baseline`, `target`) with numbers, as in `value <= 40`",
                        ),
                );
            }
        };
        Some(TExpr { kind: TExprKind::ThresholdValue(input), ty: Type::Float, span })
    }

    /// A column read outside an aggregate in `value` has no single value per period.
    fn column_use(&mut self, name: &str, span: Span) -> Option<()> {
        if self.clause == Clause::Value && self.in_aggregate.is_none() {
            return self.err(
                Diagnostic::error(codes::E0402, format!("column `{name}` is used in `value` outside an aggregate"))
                    .at(span)
                    .label("one value per row, not per period")
                    .help(format!("wrap it in an aggregate, such as `sum({name})`, `mean({name})` or `max({name})`")),
            );
        }
        Some(())
    }

    fn dotted_name(&mut self, first: &Ident, second: &Ident, span: Span) -> Option<TExpr> {
        let vocab = self.vocabs.get(&first.name);
        let join = match &self.scope {
            Scope::Rows { source, sources } => source.join(&first.name).map(|j| (j, sources.get(&j.source))),
            _ => None,
        };
        match (vocab, join) {
            (Some(_), Some(_)) => self.err(
                Diagnostic::error(codes::E0303, format!("`{}` is both a vocabulary and a join", first.name))
                    .at(first.span)
                    .label("ambiguous")
                    .help("rename the join in the source schema"),
            ),
            (Some(v), None) => self.term(v, second, span),
            (None, Some((join, target))) => {
                // An unknown joined source was reported with the schema.
                let target = target?;
                let Some(col) = target.column(&second.name) else {
                    if target.broken_columns.contains(&second.name) {
                        return None;
                    }
                    let names: Vec<&str> = target.columns.iter().map(|c| c.name.as_str()).collect();
                    let help = did_you_mean(&second.name, names.iter().copied())
                        .unwrap_or_else(|| format!("the columns of `{}` are: {}", target.name, names.join(", ")));
                    return self.err(
                        Diagnostic::error(
                            codes::E0301,
                            format!(
                                "unknown column `{}` in source `{}` (joined as `{}`)",
                                second.name, target.name, join.name
                            ),
                        )
                        .at(second.span)
                        .label("no such column")
                        .help(help),
                    );
                };
                let ty = Type::from(&col.ty);
                self.column_use(&format!("{}.{}", first.name, second.name), span)?;
                Some(TExpr {
                    kind: TExprKind::Column(ColumnRef { join: Some(join.name.clone()), column: col.name.clone() }),
                    ty,
                    span,
                })
            }
            (None, None) if self.unreadable.contains(&first.name) => None,
            (None, None) => {
                let mut candidates: Vec<&str> = self.vocabs.keys().map(String::as_str).collect();
                if let Scope::Rows { source, .. } = &self.scope {
                    candidates.extend(source.joins.iter().map(|j| j.name.as_str()));
                }
                let help = did_you_mean(&first.name, candidates.iter().copied()).unwrap_or_else(|| {
                    "`x.y` names a term or group of vocabulary x, or column y of join x".to_string()
                });
                self.err(
                    Diagnostic::error(
                        codes::E0302,
                        format!("unknown name `{}`: not a vocabulary or a join", first.name),
                    )
                    .at(first.span)
                    .label("unknown")
                    .help(help),
                )
            }
        }
    }

    fn term(&mut self, v: &Vocabulary, code: &Ident, span: Span) -> Option<TExpr> {
        if v.has_term(&code.name) {
            return Some(TExpr {
                kind: TExprKind::Term { vocab: v.name.clone(), term: code.name.clone() },
                ty: Type::Term(v.name.clone()),
                span,
            });
        }
        if let Some(terms) = v.groups.get(&code.name) {
            return Some(TExpr {
                kind: TExprKind::TermSet { vocab: v.name.clone(), group: code.name.clone(), terms: terms.clone() },
                ty: Type::TermSet(v.name.clone()),
                span,
            });
        }
        self.err(unknown_term(v, &code.name, code.span))
    }

    fn call(&mut self, func: &Ident, args: &[Expr], span: Span) -> Option<TExpr> {
        if let Some(agg) = aggregate(&func.name) {
            return self.aggregate(agg, func, args, span);
        }
        let Some(f) = row_fn(&func.name) else {
            let known = ROW_FNS.iter().map(|(n, _)| *n).chain(AGGREGATES.iter().map(|(n, _)| *n));
            let help = did_you_mean(&func.name, known).unwrap_or_else(|| {
                "functions: if, coalesce, hours_between, days_between, minutes_between, year, month, lower, contains; aggregates: count, count_distinct, sum, mean, median, min, max, percentile, share".to_string()
            });
            return self.err(
                Diagnostic::error(codes::E0307, format!("unknown function `{}`", func.name))
                    .at(func.span)
                    .label("no such function")
                    .help(help),
            );
        };
        let checked: Vec<Option<TExpr>> = args.iter().map(|a| self.check(a)).collect();
        let args: Vec<TExpr> = checked.into_iter().collect::<Option<_>>()?;
        let arity = |n: usize| {
            if args.len() == n { Ok(()) } else { Err(format!("{n}")) }
        };
        let arity_ok = match f {
            RowFn::If => arity(3),
            RowFn::Coalesce => {
                if args.len() >= 2 {
                    Ok(())
                } else {
                    Err("2 or more".into())
                }
            }
            RowFn::Contains => arity(2),
            RowFn::HoursBetween | RowFn::DaysBetween | RowFn::MinutesBetween => arity(2),
            RowFn::Year | RowFn::Month | RowFn::Lower => arity(1),
        };
        if let Err(n) = arity_ok {
            return self.err(
                Diagnostic::error(codes::E0409, format!("`{}` takes {n} arguments, not {}", func.name, args.len()))
                    .at(span)
                    .label("wrong number of arguments"),
            );
        }
        let ty = match f {
            RowFn::If => {
                self.expect(&args[0], |t| *t == Type::Bool, "the first argument of `if` must be a condition")?;
                self.unify_args(&args[1..])?
            }
            RowFn::Coalesce => self.unify_args(&args)?,
            RowFn::HoursBetween | RowFn::DaysBetween | RowFn::MinutesBetween => {
                for a in &args {
                    self.expect(
                        a,
                        |t| t.is_temporal() || *t == Type::Null,
                        &format!("`{}` takes dates or datetimes", func.name),
                    )?;
                }
                Type::Float
            }
            RowFn::Year | RowFn::Month => {
                self.expect(&args[0], |t| t.is_temporal(), &format!("`{}` takes a date or datetime", func.name))?;
                Type::Int
            }
            RowFn::Lower => {
                self.expect(&args[0], |t| *t == Type::Str, "`lower` takes a string")?;
                Type::Str
            }
            RowFn::Contains => {
                for a in &args {
                    self.expect(a, |t| *t == Type::Str, "`contains` takes strings")?;
                }
                Type::Bool
            }
        };
        Some(TExpr { kind: TExprKind::Call { func: f, args }, ty, span })
    }

    fn unify_args(&mut self, args: &[TExpr]) -> Option<Type> {
        let mut ty = Type::Null;
        for a in args {
            match unify(&ty, &a.ty) {
                Some(t) => ty = t,
                None => {
                    return self.err(
                        Diagnostic::error(codes::E0403, format!("the branches mix {ty} and {}", a.ty))
                            .at(a.span)
                            .label(format!("{} here", a.ty))
                            .help("every branch must give the same type"),
                    );
                }
            }
        }
        Some(ty)
    }

    fn aggregate(&mut self, f: AggFn, func: &Ident, args: &[Expr], span: Span) -> Option<TExpr> {
        self.aggregate_allowed(func, span)?;
        self.in_aggregate = Some(span);
        let checked: Vec<Option<TExpr>> = args.iter().map(|a| self.check(a)).collect();
        self.in_aggregate = None;
        let args: Vec<TExpr> = checked.into_iter().collect::<Option<_>>()?;
        let ty = self.aggregate_type(f, func, &args, span)?;
        Some(TExpr { kind: TExprKind::Aggregate { func: f, args }, ty, span })
    }

    /// Aggregates belong in a base metric's `value`, and never inside another aggregate.
    fn aggregate_allowed(&mut self, func: &Ident, span: Span) -> Option<()> {
        if self.clause != Clause::Value || matches!(self.scope, Scope::Metrics { .. }) {
            let (msg, help) = match self.clause {
                Clause::Where => (
                    format!("aggregate `{}` in `where`", func.name),
                    "`where` keeps or drops single rows; aggregates belong in `value`, e.g. `value: count(cond)`",
                ),
                Clause::Threshold => (
                    format!("aggregate `{}` in a threshold", func.name),
                    "thresholds judge the metric's `value`, as in `value <= 40`",
                ),
                Clause::Value => (
                    format!("aggregate `{}` in a derived metric", func.name),
                    "a derived metric combines other metrics' values; aggregate in the metrics it names",
                ),
            };
            return self
                .err(Diagnostic::error(codes::E0401, msg).at(span).label("aggregate not allowed here").help(help));
        }
        if self.in_aggregate.is_some() {
            return self.err(
                Diagnostic::error(codes::E0407, format!("aggregate `{}` inside another aggregate", func.name))
                    .at(span)
                    .label("nested aggregate")
                    .help("aggregates take row values; compute the inner one as its own metric and combine both in a derived metric"),
            );
        }
        Some(())
    }

    /// The type of an aggregate of checked arguments, or an error on its arguments.
    fn aggregate_type(&mut self, f: AggFn, func: &Ident, args: &[TExpr], span: Span) -> Option<Type> {
        let arity_error = |this: &mut Self, want: &str| {
            this.err(
                Diagnostic::error(codes::E0409, format!("`{}` takes {want}, not {} arguments", func.name, args.len()))
                    .at(span)
                    .label("wrong number of arguments"),
            )
        };
        let name = func.name.as_str();
        let number = |t: &Type| t.is_numeric() && *t != Type::Null;
        Some(match (f, args) {
            (AggFn::Count, []) => Type::Int,
            (AggFn::Count, [cond]) => {
                self.expect(cond, |t| *t == Type::Bool, "`count(cond)` counts rows where a condition holds")?;
                Type::Int
            }
            (AggFn::Count, _) => return arity_error(self, "no argument or one condition"),
            (AggFn::Share, [cond]) => {
                self.expect(cond, |t| *t == Type::Bool, "`share(cond)` takes a condition")?;
                Type::Float
            }
            (AggFn::Share, _) => return arity_error(self, "one condition"),
            (AggFn::CountDistinct, [x]) => {
                let single = |t: &Type| !matches!(t, Type::List(_) | Type::TermSet(_));
                self.expect(x, single, "`count_distinct` takes a single value per row")?;
                Type::Int
            }
            (AggFn::Sum | AggFn::Mean | AggFn::Median, [x]) => {
                self.expect(x, number, &format!("`{name}` needs a number"))?;
                if f == AggFn::Sum { x.ty.clone() } else { Type::Float }
            }
            (AggFn::Min | AggFn::Max, [x]) => {
                let ordered = |t: &Type| (t.is_numeric() || t.is_temporal()) && *t != Type::Null;
                self.expect(x, ordered, &format!("`{name}` needs a number or a date"))?;
                x.ty.clone()
            }
            (AggFn::CountDistinct | AggFn::Sum | AggFn::Mean | AggFn::Median | AggFn::Min | AggFn::Max, _) => {
                return arity_error(self, "one argument");
            }
            (AggFn::Percentile, [x, p]) => {
                self.expect(x, number, "`percentile` needs a number")?;
                self.percentile(p)?;
                Type::Float
            }
            (AggFn::Percentile, _) => return arity_error(self, "two arguments (a column and a percentile)"),
        })
    }

    /// The second argument of `percentile`: a literal from 0 to 100.
    fn percentile(&mut self, p: &TExpr) -> Option<()> {
        let pct = match &p.kind {
            TExprKind::Literal(Literal::Int(i)) => Some(*i as f64),
            TExprKind::Literal(Literal::Float(f)) => Some(*f),
            _ => None,
        };
        if !pct.is_some_and(|v| (0.0..=100.0).contains(&v)) {
            return self.err(
                Diagnostic::error(codes::E0413, "the percentile must be a number from 0 to 100")
                    .at(p.span)
                    .label("expected a literal such as 90")
                    .help("`percentile(x, 90)` is the 90th percentile of x"),
            );
        }
        Some(())
    }

    #[expect(clippy::boxed_local, reason = "unboxed here, off the recursion's path: see binary_operands")]
    fn binary(&mut self, op: BinOp, l: Box<TExpr>, r: Box<TExpr>, span: Span) -> Option<TExpr> {
        let (l, r) = (*l, *r);
        let ty = match op {
            BinOp::Or | BinOp::And => {
                let word = op.symbol();
                self.expect(&l, |t| *t == Type::Bool || *t == Type::Null, &format!("`{word}` joins conditions"))?;
                self.expect(&r, |t| *t == Type::Bool || *t == Type::Null, &format!("`{word}` joins conditions"))?;
                Type::Bool
            }
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div => {
                let what = format!("`{}` needs numbers", op.symbol());
                self.expect(&l, Type::is_numeric, &what)?;
                self.expect(&r, Type::is_numeric, &what)?;
                if op == BinOp::Div || l.ty == Type::Float || r.ty == Type::Float { Type::Float } else { Type::Int }
            }
            BinOp::Eq | BinOp::Ne => {
                let (l, r) = self.comparable(l, r, op)?;
                return Some(bin(op, l, r, Type::Bool, span));
            }
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                let r = self.ordered_pair(&l, r, span)?;
                return Some(bin(op, l, r, Type::Bool, span));
            }
            BinOp::In | BinOp::NotIn => {
                let r = self.membership(op, &l, r)?;
                return Some(bin(op, l, r, Type::Bool, span));
            }
            BinOp::Has | BinOp::HasAny => {
                let r = self.has(op, &l, r)?;
                return Some(bin(op, l, r, Type::Bool, span));
            }
        };
        Some(bin(op, l, r, ty, span))
    }

    /// The right side of `in` and `not in`: a list of values like the left, or a group of
    /// the left's vocabulary.
    fn membership(&mut self, op: BinOp, l: &TExpr, r: TExpr) -> Option<TExpr> {
        match (&l.ty, &r.ty) {
            (Type::Term(v), Type::TermSet(w)) if v == w => Some(r),
            (Type::Term(v), Type::TermSet(w)) => self.wrong_vocab(&r, v, w),
            (Type::Term(v), Type::List(_)) => self.terms_of_list(r, v),
            (lt, Type::List(et)) if unify(lt, et).is_some() => Some(r),
            (_, Type::List(et)) => self.err(
                Diagnostic::error(codes::E0403, format!("`{}` compares a {} with a list of {et}", op.symbol(), l.ty))
                    .at(r.span)
                    .label(format!("list of {et}")),
            ),
            _ => self.err(
                Diagnostic::error(
                    codes::E0403,
                    format!("`{}` needs a list or a vocabulary group on its right", op.symbol()),
                )
                .at(r.span)
                .label(format!("{} here", r.ty))
                .help("write `x in [a, b]` or `cause in root_cause.security_related`"),
            ),
        }
    }

    /// The right side of `has` (one value) and `has any` (a list or a group), for a
    /// multi-valued left side.
    fn has(&mut self, op: BinOp, l: &TExpr, r: TExpr) -> Option<TExpr> {
        let Type::List(elem) = &l.ty else {
            return self.err(
                Diagnostic::error(
                    codes::E0403,
                    format!("`{}` needs a multi-valued (list) column on its left", op.symbol()),
                )
                .at(l.span)
                .label(format!("{} here", l.ty))
                .help("for a single value, use `==` or `in`"),
            );
        };
        match (op, &**elem, &r.ty) {
            (BinOp::Has, Type::Term(v), _) => self.comparable_to_term(r, v),
            (BinOp::HasAny, Type::Term(v), Type::TermSet(w)) if v == w => Some(r),
            (BinOp::HasAny, Type::Term(v), Type::TermSet(w)) => self.wrong_vocab(&r, v, w),
            (BinOp::HasAny, Type::Term(v), Type::List(_)) => self.terms_of_list(r, v),
            (BinOp::Has, e, t) if unify(e, t).is_some() => Some(r),
            (BinOp::HasAny, e, Type::List(t)) if unify(e, t).is_some() => Some(r),
            _ => self.err(
                Diagnostic::error(
                    codes::E0403,
                    format!("`{}` on a list of {elem} cannot take a {}", op.symbol(), r.ty),
                )
                .at(r.span)
                .label(format!("{} here", r.ty)),
            ),
        }
    }

    /// `==`/`!=`: same type, both numbers, both dates, or a term and a string naming one.
    fn comparable(&mut self, l: TExpr, r: TExpr, op: BinOp) -> Option<(TExpr, TExpr)> {
        match (&l.ty, &r.ty) {
            (Type::Term(v), _) => {
                let v = v.clone();
                let r = self.comparable_to_term(r, &v)?;
                Some((l, r))
            }
            (_, Type::Term(v)) => {
                let v = v.clone();
                let l = self.comparable_to_term(l, &v)?;
                Some((l, r))
            }
            (a, b) if unify(a, b).is_some() => Some((l, r)),
            (Type::TermSet(v), _) | (_, Type::TermSet(v)) => self.err(
                Diagnostic::error(codes::E0403, format!("`{}` compares with a group of `{v}` terms", op.symbol()))
                    .at(if matches!(l.ty, Type::TermSet(_)) { l.span } else { r.span })
                    .label("a group, not a term")
                    .help("test membership with `in`, as in `cause in root_cause.security_related`"),
            ),
            (a, b) => {
                let (a, b) = (a.clone(), b.clone());
                self.err(
                    Diagnostic::error(codes::E0403, format!("cannot compare {a} with {b}"))
                        .at(l.span.to(r.span))
                        .label(format!("{a} {} {b}", op.symbol()))
                        .help("both sides of a comparison must have the same type"),
                )
            }
        }
    }

    /// `e` compared with a term of `vocab`: a term of that vocabulary, or a string literal
    /// naming one (checked now, at compile time).
    fn comparable_to_term(&mut self, e: TExpr, vocab: &str) -> Option<TExpr> {
        match &e.ty {
            Type::Term(w) if w == vocab => Some(e),
            Type::Term(w) => {
                let w = w.clone();
                self.wrong_vocab(&e, vocab, &w)
            }
            Type::Null => Some(e),
            Type::Str => self.string_to_term(e, vocab),
            other => {
                let other = other.clone();
                self.err(
                    Diagnostic::error(codes::E0403, format!("cannot compare a term of `{vocab}` with {other}"))
                        .at(e.span)
                        .label(format!("{other} here"))
                        .help(format!("write a term as `{vocab}.TERM` or as a string such as \"TERM\"")),
                )
            }
        }
    }

    fn string_to_term(&mut self, e: TExpr, vocab: &str) -> Option<TExpr> {
        let TExprKind::Literal(Literal::Str(s)) = &e.kind else {
            return self.err(
                Diagnostic::error(codes::E0403, format!("a string column cannot be compared with terms of `{vocab}`"))
                    .at(e.span)
                    .label("string here")
                    .help("declare the column with `{vocab: ...}` in its source schema"),
            );
        };
        let v = &self.vocabs[vocab];
        if v.has_term(s) {
            return Some(TExpr {
                kind: TExprKind::Term { vocab: vocab.to_string(), term: s.clone() },
                ty: Type::Term(vocab.to_string()),
                span: e.span,
            });
        }
        self.err(unknown_term(v, s, e.span))
    }

    fn terms_of_list(&mut self, list: TExpr, vocab: &str) -> Option<TExpr> {
        let TExprKind::List(items) = list.kind else {
            return Some(list);
        };
        let items: Vec<Option<TExpr>> = items.into_iter().map(|i| self.comparable_to_term(i, vocab)).collect();
        let items: Vec<TExpr> = items.into_iter().collect::<Option<_>>()?;
        Some(TExpr {
            kind: TExprKind::List(items),
            ty: Type::List(Box::new(Type::Term(vocab.to_string()))),
            span: list.span,
        })
    }

    fn wrong_vocab<T>(&mut self, e: &TExpr, want: &str, got: &str) -> Option<T> {
        self.err(
            Diagnostic::error(codes::E0404, format!("a term of `{got}` where a term of `{want}` is expected"))
                .at(e.span)
                .label(format!("from vocabulary `{got}`"))
                .help(format!("compare with a term of `{want}`, as in `{want}.TERM`")),
        )
    }

    /// Ordering (`<`, `between`): numbers, dates, or terms of an ordered vocabulary.
    fn ordered_pair(&mut self, l: &TExpr, r: TExpr, span: Span) -> Option<TExpr> {
        match (&l.ty, &r.ty) {
            (Type::Term(v), _) => {
                let v = v.clone();
                if !self.vocabs[&v].ordered {
                    return self.err(
                        Diagnostic::error(codes::E0405, format!("vocabulary `{v}` is not ordered, so its terms cannot be compared with <, >, between"))
                            .at(l.span)
                            .label(format!("term of unordered `{v}`"))
                            .help(format!("compare with `==` or `in`, or declare `ordered: true` in vocab `{v}` if its terms are ranked")),
                    );
                }
                self.comparable_to_term(r, &v)
            }
            (a, b) if (a.is_numeric() && b.is_numeric()) || (a.is_temporal() && b.is_temporal()) => Some(r),
            (Type::Null, _) | (_, Type::Null) => Some(r),
            (a, b) => {
                let (a, b) = (a.clone(), b.clone());
                let help = if a == Type::Str || b == Type::Str {
                    "strings have no order here; compare numbers, dates or terms of an ordered vocabulary"
                } else {
                    "both sides must be numbers, dates or datetimes, or terms of one ordered vocabulary"
                };
                self.err(
                    Diagnostic::error(codes::E0406, format!("cannot order {a} against {b}"))
                        .at(span)
                        .label(format!("{a} against {b}"))
                        .help(help),
                )
            }
        }
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

fn unknown_term(v: &Vocabulary, code: &str, span: Span) -> Diagnostic {
    if let Some(new) = v.deprecated.get(code) {
        return Diagnostic::error(codes::E0305, format!("`{code}` is a deprecated code of `{}`", v.name))
            .at(span)
            .label("deprecated")
            .help(format!("use `{new}`, which replaces it"));
    }
    let names = v.terms.iter().map(|t| t.code.as_str()).chain(v.groups.keys().map(String::as_str));
    let names: Vec<&str> = names.collect();
    let help = did_you_mean(code, names.iter().copied())
        .unwrap_or_else(|| format!("the terms of `{}` are: {}", v.name, names.join(", ")));
    Diagnostic::error(codes::E0304, format!("`{code}` is not a term of vocabulary `{}`", v.name))
        .at(span)
        .label("unknown term")
        .help(help)
}

fn join_names(parts: &[Ident]) -> String {
    parts.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(".")
}

const AGGREGATES: &[(&str, AggFn)] = &[
    ("count", AggFn::Count),
    ("count_distinct", AggFn::CountDistinct),
    ("sum", AggFn::Sum),
    ("mean", AggFn::Mean),
    ("median", AggFn::Median),
    ("min", AggFn::Min),
    ("max", AggFn::Max),
    ("percentile", AggFn::Percentile),
    ("share", AggFn::Share),
];

const ROW_FNS: &[(&str, RowFn)] = &[
    ("if", RowFn::If),
    ("coalesce", RowFn::Coalesce),
    ("hours_between", RowFn::HoursBetween),
    ("days_between", RowFn::DaysBetween),
    ("minutes_between", RowFn::MinutesBetween),
    ("year", RowFn::Year),
    ("month", RowFn::Month),
    ("lower", RowFn::Lower),
    ("contains", RowFn::Contains),
];

fn aggregate(name: &str) -> Option<AggFn> {
    AGGREGATES.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
}

fn row_fn(name: &str) -> Option<RowFn> {
    ROW_FNS.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
}
