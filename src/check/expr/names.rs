//! Names in expressions: columns, a join's columns, vocabulary terms and groups, other
//! metrics (in a derived value), `value`/`baseline`/`target` (in thresholds), built-ins.

use super::*;

impl ExprChecker<'_> {
    pub(super) fn name(&mut self, parts: &[Ident], span: Span) -> Option<TExpr> {
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

    pub(super) fn bare_name(&mut self, id: &Ident, span: Span) -> Option<TExpr> {
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
    pub(super) fn column(&mut self, source: &Source, id: &Ident, span: Span) -> Option<TExpr> {
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
    pub(super) fn metric(
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
    pub(super) fn threshold_input(&mut self, id: &Ident, span: Span) -> Option<TExpr> {
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
    pub(super) fn column_use(&mut self, name: &str, span: Span) -> Option<()> {
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

    pub(super) fn dotted_name(&mut self, first: &Ident, second: &Ident, span: Span) -> Option<TExpr> {
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

    pub(super) fn term(&mut self, v: &Vocabulary, code: &Ident, span: Span) -> Option<TExpr> {
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
}

pub(super) fn unknown_term(v: &Vocabulary, code: &str, span: Span) -> Diagnostic {
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

pub(super) fn join_names(parts: &[Ident]) -> String {
    parts.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(".")
}
