//! Calls in expressions: row functions and aggregates, their arguments' number and
//! types, where an aggregate may stand, and a percentile's literal.

use super::*;

impl ExprChecker<'_> {
    pub(super) fn call(&mut self, func: &Ident, args: &[Expr], span: Span) -> Option<TExpr> {
        if let Some(agg) = aggregate(&func.name) {
            return self.aggregate(agg, func, args, span);
        }
        let Some(f) = row_fn(&func.name) else {
            let known = ROW_FNS.iter().map(|(n, _)| *n).chain(AGGREGATES.iter().map(|(n, _)| *n));
            let help = did_you_mean(&func.name, known).unwrap_or_else(|| {
                "functions: if, coalesce, hours_between, days_between, minutes_between, year, month, lower, contains, attribute; aggregates: count, count_distinct, sum, mean, median, min, max, percentile, share".to_string()
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
            RowFn::Contains | RowFn::Attribute => arity(2),
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
            RowFn::Attribute => self.attribute_type(&args)?,
        };
        Some(TExpr { kind: TExprKind::Call { func: f, args }, ty, span })
    }

    /// `attribute(term, "name")`: a term, and the name of an attribute its vocabulary
    /// declares; the attribute's type.
    fn attribute_type(&mut self, args: &[TExpr]) -> Option<Type> {
        let Type::Term(vocab) = &args[0].ty else {
            return self.err(
                Diagnostic::error(codes::E0403, "`attribute` reads the attribute of a term".to_string())
                    .at(args[0].span)
                    .label(format!("{} here", args[0].ty))
                    .help("give a column of terms first, as in `attribute(asset_class, \"controls_required\")`"),
            );
        };
        let TExprKind::Literal(Literal::Str(name)) = &args[1].kind else {
            return self.err(
                Diagnostic::error(codes::E0403, "`attribute` takes the attribute's name as a string".to_string())
                    .at(args[1].span)
                    .label(format!("{} here", args[1].ty))
                    .help("write the name in quotes, as in `attribute(asset_class, \"controls_required\")`"),
            );
        };
        let v = &self.vocabs[vocab];
        let Some(attribute) = v.attribute(name) else {
            let declared: Vec<&str> = v.attributes.iter().map(|a| a.name.as_str()).collect();
            let help = did_you_mean(name, declared.iter().copied()).unwrap_or_else(|| match declared.is_empty() {
                true => format!("`{vocab}` declares no attributes; declare one under `attributes:` in its file"),
                false => format!("the attributes of `{vocab}` are: {}", declared.join(", ")),
            });
            return self.err(
                Diagnostic::error(codes::E0312, format!("vocabulary `{vocab}` has no attribute `{name}`"))
                    .at(args[1].span)
                    .label("unknown attribute")
                    .help(help),
            );
        };
        Some(Type::from(&attribute.ty))
    }

    pub(super) fn unify_args(&mut self, args: &[TExpr]) -> Option<Type> {
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

    pub(super) fn aggregate(&mut self, f: AggFn, func: &Ident, args: &[Expr], span: Span) -> Option<TExpr> {
        self.aggregate_allowed(func, span)?;
        self.in_aggregate = Some(span);
        let checked: Vec<Option<TExpr>> = args.iter().map(|a| self.check(a)).collect();
        self.in_aggregate = None;
        let args: Vec<TExpr> = checked.into_iter().collect::<Option<_>>()?;
        let ty = self.aggregate_type(f, func, &args, span)?;
        Some(TExpr { kind: TExprKind::Aggregate { func: f, args }, ty, span })
    }

    /// Aggregates belong in a base metric's `value`, and never inside another aggregate.
    pub(super) fn aggregate_allowed(&mut self, func: &Ident, span: Span) -> Option<()> {
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
    pub(super) fn aggregate_type(&mut self, f: AggFn, func: &Ident, args: &[TExpr], span: Span) -> Option<Type> {
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
    pub(super) fn percentile(&mut self, p: &TExpr) -> Option<()> {
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
}

pub(super) const AGGREGATES: &[(&str, AggFn)] = &[
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

pub(super) const ROW_FNS: &[(&str, RowFn)] = &[
    ("if", RowFn::If),
    ("coalesce", RowFn::Coalesce),
    ("hours_between", RowFn::HoursBetween),
    ("days_between", RowFn::DaysBetween),
    ("minutes_between", RowFn::MinutesBetween),
    ("year", RowFn::Year),
    ("month", RowFn::Month),
    ("lower", RowFn::Lower),
    ("contains", RowFn::Contains),
    ("attribute", RowFn::Attribute),
];

pub(super) fn aggregate(name: &str) -> Option<AggFn> {
    AGGREGATES.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
}

pub(super) fn row_fn(name: &str) -> Option<RowFn> {
    ROW_FNS.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
}
