//! From text to [`Expr`]: pest parses the flat operator run, the Pratt parser folds it by
//! precedence, and every node gets the span of its text in the file.

use super::ast::{BinOp, Expr, ExprKind, Ident, UnaryOp};
use super::scalar::ScalarMap;
use crate::diag::{Diagnostic, codes};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use pest::Parser;
use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};
use std::sync::LazyLock;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/expr.pest"]
struct ExprParser;

static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    use Assoc::Left;
    PrattParser::new()
        .op(Op::infix(Rule::or, Left))
        .op(Op::infix(Rule::and, Left))
        .op(Op::prefix(Rule::not))
        .op(Op::infix(Rule::eq, Left)
            | Op::infix(Rule::ne, Left)
            | Op::infix(Rule::lt, Left)
            | Op::infix(Rule::le, Left)
            | Op::infix(Rule::gt, Left)
            | Op::infix(Rule::ge, Left)
            | Op::infix(Rule::in_, Left)
            | Op::infix(Rule::not_in, Left)
            | Op::infix(Rule::has, Left)
            | Op::infix(Rule::has_any, Left)
            | Op::infix(Rule::has_all, Left)
            | Op::postfix(Rule::is_null)
            | Op::postfix(Rule::is_not_null)
            | Op::postfix(Rule::between))
        .op(Op::infix(Rule::add, Left) | Op::infix(Rule::sub, Left))
        .op(Op::infix(Rule::mul, Left) | Op::infix(Rule::div, Left))
        .op(Op::prefix(Rule::neg))
});

/// Parses one expression. `map` says where the text stands in its file; a syntax error
/// is an `E0201` diagnostic pointing at the offending character, an expression beyond the
/// size limits an E0203 to E0205 (checked first: the parser recurses).
pub fn parse_expr(text: &str, map: &ScalarMap) -> Result<Expr, Box<Diagnostic>> {
    super::limits::check_limits(text, map)?;
    let mut pairs = ExprParser::parse(Rule::root, text).map_err(|e| Box::new(syntax_error(e, text, map)))?;
    let root = pairs.next().expect("root matched");
    let expr = root.into_inner().next().expect("root holds an expression");
    let builder = Builder { map };
    builder.expr(expr.into_inner())
}

struct Builder<'m> {
    map: &'m ScalarMap,
}

impl Builder<'_> {
    fn span(&self, pair: &Pair<Rule>) -> crate::diag::Span {
        let s = pair.as_span();
        self.map.span(s.start(), s.end())
    }

    fn expr(&self, pairs: Pairs<Rule>) -> Result<Expr, Box<Diagnostic>> {
        PRATT
            .map_primary(|p| self.primary(p))
            .map_prefix(|op, rhs| {
                let rhs = rhs?;
                let op_span = self.span(&op);
                let op = if op.as_rule() == Rule::not { UnaryOp::Not } else { UnaryOp::Neg };
                Ok(Expr { span: op_span.to(rhs.span), kind: ExprKind::Unary { op, expr: Box::new(rhs) } })
            })
            .map_postfix(|lhs, op| {
                let lhs = lhs?;
                let span = lhs.span.to(self.span(&op));
                let kind = match op.as_rule() {
                    Rule::is_null => ExprKind::IsNull { expr: Box::new(lhs), negated: false },
                    Rule::is_not_null => ExprKind::IsNull { expr: Box::new(lhs), negated: true },
                    _ => {
                        let mut bounds = op.into_inner().filter(|p| p.as_rule() == Rule::bound);
                        let low = self.expr(bounds.next().expect("low bound").into_inner())?;
                        let high = self.expr(bounds.next().expect("high bound").into_inner())?;
                        ExprKind::Between { expr: Box::new(lhs), low: Box::new(low), high: Box::new(high) }
                    }
                };
                Ok(Expr { kind, span })
            })
            .map_infix(|lhs, op, rhs| {
                let (lhs, rhs) = (lhs?, rhs?);
                let op = match op.as_rule() {
                    Rule::or => BinOp::Or,
                    Rule::and => BinOp::And,
                    Rule::eq => BinOp::Eq,
                    Rule::ne => BinOp::Ne,
                    Rule::lt => BinOp::Lt,
                    Rule::le => BinOp::Le,
                    Rule::gt => BinOp::Gt,
                    Rule::ge => BinOp::Ge,
                    Rule::in_ => BinOp::In,
                    Rule::not_in => BinOp::NotIn,
                    Rule::has => BinOp::Has,
                    Rule::has_any => BinOp::HasAny,
                    Rule::has_all => BinOp::HasAll,
                    Rule::add => BinOp::Add,
                    Rule::sub => BinOp::Sub,
                    Rule::mul => BinOp::Mul,
                    Rule::div => BinOp::Div,
                    other => unreachable!("not an infix operator: {other:?}"),
                };
                Ok(Expr {
                    span: lhs.span.to(rhs.span),
                    kind: ExprKind::Binary { op, lhs: Box::new(lhs), rhs: Box::new(rhs) },
                })
            })
            .parse(pairs)
    }

    fn primary(&self, pair: Pair<Rule>) -> Result<Expr, Box<Diagnostic>> {
        let span = self.span(&pair);
        let invalid = |what: &str| {
            Diagnostic::error(codes::E0202, format!("invalid {what} `{}`", pair.as_str()))
                .at(span)
                .label(format!("not a valid {what}"))
        };
        let kind = match pair.as_rule() {
            Rule::expr => return self.expr(pair.into_inner()),
            Rule::number => {
                let text = pair.as_str();
                if text.contains('.') {
                    // A literal beyond f64 would read as infinity: refused like an int beyond i64.
                    let float = text.parse::<f64>().ok().filter(|f| f.is_finite());
                    ExprKind::Float(
                        float.ok_or_else(|| invalid("number").help("numbers must be at most about 1.8e308"))?,
                    )
                } else {
                    ExprKind::Int(
                        text.parse().map_err(|_| invalid("number").help("whole numbers must fit in 64 bits"))?,
                    )
                }
            }
            Rule::percent => {
                let number = pair.as_str().trim_end_matches('%');
                ExprKind::Percent(number.parse().map_err(|_| invalid("percentage"))?)
            }
            Rule::string => {
                let raw = pair.into_inner().next().map_or("", |p| p.as_str());
                ExprKind::Str(unescape(raw))
            }
            Rule::boolean => ExprKind::Bool(pair.as_str() == "true"),
            Rule::null => ExprKind::Null,
            Rule::date => ExprKind::Date(
                NaiveDate::parse_from_str(&pair.as_str()[1..], "%Y-%m-%d")
                    .map_err(|_| invalid("date").help("dates are written @YYYY-MM-DD"))?,
            ),
            Rule::datetime => ExprKind::DateTime(parse_datetime(&pair.as_str()[1..]).ok_or_else(|| {
                invalid("datetime").help(
                    "datetimes are written @YYYY-MM-DDTHH:MM:SS with Z or an offset such as +01:00; none means UTC",
                )
            })?),
            Rule::list => {
                ExprKind::List(pair.into_inner().map(|p| self.expr(p.into_inner())).collect::<Result<_, _>>()?)
            }
            Rule::call => {
                let mut inner = pair.into_inner();
                let func = self.ident(inner.next().expect("call name"));
                let args = inner.map(|p| self.expr(p.into_inner())).collect::<Result<_, _>>()?;
                ExprKind::Call { func, args }
            }
            Rule::name => ExprKind::Name(pair.into_inner().map(|p| self.ident(p)).collect()),
            other => unreachable!("not a primary: {other:?}"),
        };
        Ok(Expr { kind, span })
    }

    fn ident(&self, pair: Pair<Rule>) -> Ident {
        Ident { span: self.span(&pair), name: pair.as_str().to_string() }
    }
}

/// Reads a datetime literal without its `@`: an offset converts to UTC, none means UTC.
pub(crate) fn parse_datetime(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(dt) = DateTime::parse_from_rfc3339(text) {
        return Some(dt.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(text, format) {
            return Some(naive.and_utc());
        }
    }
    // rfc3339 wants seconds; allow `@2025-01-31T08:00Z` and `T08:00+01:00` too.
    // Split by bytes: a datetime is ASCII, and text that is not has no boundary at 16.
    let (head, tail) = text.split_at_checked(16.min(text.len()))?;
    if tail == "Z" || tail.starts_with('+') || tail.starts_with('-') {
        return parse_datetime(&format!("{head}:00{tail}"));
    }
    None
}

fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn syntax_error(e: pest::error::Error<Rule>, text: &str, map: &ScalarMap) -> Diagnostic {
    use pest::error::{ErrorVariant, InputLocation};
    let (start, end) = match e.location {
        InputLocation::Pos(p) => (p, (p + text[p..].chars().next().map_or(0, char::len_utf8))),
        InputLocation::Span((s, e)) => (s, e),
    };
    let word = text[start..].split(char::is_whitespace).next().unwrap_or("");
    let message = if word.is_empty() {
        "syntax error in expression: it ends too early".to_string()
    } else {
        format!("syntax error in expression: unexpected `{word}`")
    };
    let expected = match &e.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            let mut names: Vec<&str> = positives.iter().filter_map(|r| rule_name(*r)).collect();
            names.sort_unstable();
            names.dedup();
            names
        }
        ErrorVariant::CustomError { .. } => Vec::new(),
    };
    let label =
        if expected.is_empty() { "unexpected here".to_string() } else { format!("expected {}", join_or(&expected)) };
    let help = if word.starts_with('\'') {
        "strings are written in double quotes: \"SEV1\""
    } else if word.starts_with('=') && !word.starts_with("==") {
        "compare with `==`"
    } else if text.matches('(').count() > text.matches(')').count() {
        "a parenthesis is not closed"
    } else {
        "strings are double-quoted, dates written @2025-01-31; docs/language.md has the whole language"
    };
    Diagnostic::error(codes::E0201, message).at(map.span(start, end)).label(label).help(help)
}

/// What the user should read for a grammar rule in "expected ..." (None: not worth naming).
fn rule_name(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::expr | Rule::bound => "an expression",
        Rule::or | Rule::and | Rule::eq | Rule::ne | Rule::lt | Rule::le | Rule::gt | Rule::ge => "an operator",
        Rule::in_
        | Rule::not_in
        | Rule::has
        | Rule::has_any
        | Rule::has_all
        | Rule::add
        | Rule::sub
        | Rule::mul
        | Rule::div => "an operator",
        Rule::is_null | Rule::is_not_null | Rule::between => "an operator",
        Rule::not | Rule::neg => "an expression",
        Rule::number | Rule::percent | Rule::string | Rule::boolean | Rule::null => "a value",
        Rule::date | Rule::datetime | Rule::list => "a value",
        Rule::call | Rule::name | Rule::ident => "a name",
        Rule::EOI => "the end of the expression",
        _ => return None,
    })
}

fn join_or(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}
