//! Operators in expressions: arithmetic, comparison, membership (`in`, `has`), ordering
//! on ordered vocabularies, and how terms, strings and lists meet.

use super::*;

impl ExprChecker<'_> {
    #[expect(clippy::boxed_local, reason = "unboxed here, off the recursion's path: see binary_operands")]
    pub(super) fn binary(&mut self, op: BinOp, l: Box<TExpr>, r: Box<TExpr>, span: Span) -> Option<TExpr> {
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
            BinOp::Has | BinOp::HasAny | BinOp::HasAll => {
                let r = self.has(op, &l, r)?;
                return Some(bin(op, l, r, Type::Bool, span));
            }
        };
        Some(bin(op, l, r, ty, span))
    }

    /// The right side of `in` and `not in`: a list of values like the left, or a group of
    /// the left's vocabulary.
    pub(super) fn membership(&mut self, op: BinOp, l: &TExpr, r: TExpr) -> Option<TExpr> {
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
    pub(super) fn has(&mut self, op: BinOp, l: &TExpr, r: TExpr) -> Option<TExpr> {
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
            (BinOp::HasAny | BinOp::HasAll, Type::Term(v), Type::TermSet(w)) if v == w => Some(r),
            (BinOp::HasAny | BinOp::HasAll, Type::Term(v), Type::TermSet(w)) => self.wrong_vocab(&r, v, w),
            (BinOp::HasAny | BinOp::HasAll, Type::Term(v), Type::List(_)) => self.terms_of_list(r, v),
            (BinOp::Has, e, t) if unify(e, t).is_some() => Some(r),
            (BinOp::HasAny | BinOp::HasAll, e, Type::List(t)) if unify(e, t).is_some() => Some(r),
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
    pub(super) fn comparable(&mut self, l: TExpr, r: TExpr, op: BinOp) -> Option<(TExpr, TExpr)> {
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
    pub(super) fn comparable_to_term(&mut self, e: TExpr, vocab: &str) -> Option<TExpr> {
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

    pub(super) fn string_to_term(&mut self, e: TExpr, vocab: &str) -> Option<TExpr> {
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

    pub(super) fn terms_of_list(&mut self, list: TExpr, vocab: &str) -> Option<TExpr> {
        let TExprKind::List(items) = list.kind else {
            // An attribute's list of terms: of this vocabulary, or of another.
            if let Type::List(item) = &list.ty
                && let Type::Term(w) = item.as_ref()
                && w != vocab
            {
                return self.wrong_vocab(&list, vocab, w);
            }
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

    pub(super) fn wrong_vocab<T>(&mut self, e: &TExpr, want: &str, got: &str) -> Option<T> {
        self.err(
            Diagnostic::error(codes::E0404, format!("a term of `{got}` where a term of `{want}` is expected"))
                .at(e.span)
                .label(format!("from vocabulary `{got}`"))
                .help(format!("compare with a term of `{want}`, as in `{want}.TERM`")),
        )
    }

    /// Ordering (`<`, `between`): numbers, dates, or terms of an ordered vocabulary.
    pub(super) fn ordered_pair(&mut self, l: &TExpr, r: TExpr, span: Span) -> Option<TExpr> {
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
