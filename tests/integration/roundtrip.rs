//! Printing an AST and parsing the text gives the same AST back.

use crate::syntax::parse;
use chrono::{NaiveDate, TimeZone, Utc};
use proptest::prelude::*;
use yardstick::diag::Span;
use yardstick::syntax::{BinOp, Expr, ExprKind, Ident, UnaryOp, print_expr};

const KEYWORDS: &[&str] = &["and", "or", "not", "in", "is", "null", "between", "has", "any", "true", "false"];

fn node(kind: ExprKind) -> Expr {
    Expr { kind, span: Span::default() }
}

fn ident() -> impl Strategy<Value = Ident> {
    "[a-z_][a-z0-9_]{0,7}"
        .prop_filter("keywords are not names", |s| !KEYWORDS.contains(&s.as_str()))
        .prop_map(|name| Ident { name, span: Span::default() })
}

fn leaf() -> impl Strategy<Value = Expr> {
    prop_oneof![
        (0i64..1_000_000).prop_map(ExprKind::Int),
        (0u32..1_000_000).prop_map(|n| ExprKind::Float(n as f64 / 1000.0)),
        (0u32..10_000).prop_map(|n| ExprKind::Percent(n as f64 / 10.0)),
        "[a-zA-Z0-9 _.\"\\\\-]{0,10}".prop_map(ExprKind::Str),
        any::<bool>().prop_map(ExprKind::Bool),
        Just(ExprKind::Null),
        (1990i32..2100, 1u32..=12, 1u32..=28)
            .prop_map(|(y, m, d)| ExprKind::Date(NaiveDate::from_ymd_opt(y, m, d).unwrap())),
        (0i64..4_000_000_000).prop_map(|s| ExprKind::DateTime(Utc.timestamp_opt(s, 0).unwrap())),
        prop::collection::vec(ident(), 1..=2).prop_map(ExprKind::Name),
    ]
    .prop_map(node)
}

const BIN_OPS: &[BinOp] = &[
    BinOp::Or,
    BinOp::And,
    BinOp::Eq,
    BinOp::Ne,
    BinOp::Lt,
    BinOp::Le,
    BinOp::Gt,
    BinOp::Ge,
    BinOp::In,
    BinOp::NotIn,
    BinOp::Has,
    BinOp::HasAny,
    BinOp::HasAll,
    BinOp::Add,
    BinOp::Sub,
    BinOp::Mul,
    BinOp::Div,
];

fn expr() -> impl Strategy<Value = Expr> {
    leaf().prop_recursive(5, 48, 4, |inner| {
        prop_oneof![
            (prop::sample::select(BIN_OPS), inner.clone(), inner.clone())
                .prop_map(|(op, l, r)| node(ExprKind::Binary { op, lhs: Box::new(l), rhs: Box::new(r) })),
            (prop_oneof![Just(UnaryOp::Not), Just(UnaryOp::Neg)], inner.clone())
                .prop_map(|(op, e)| node(ExprKind::Unary { op, expr: Box::new(e) })),
            (inner.clone(), any::<bool>())
                .prop_map(|(e, negated)| node(ExprKind::IsNull { expr: Box::new(e), negated })),
            (inner.clone(), inner.clone(), inner.clone()).prop_map(|(e, lo, hi)| node(ExprKind::Between {
                expr: Box::new(e),
                low: Box::new(lo),
                high: Box::new(hi)
            })),
            (ident(), prop::collection::vec(inner.clone(), 0..3))
                .prop_map(|(func, args)| node(ExprKind::Call { func, args })),
            prop::collection::vec(inner, 0..3).prop_map(|items| node(ExprKind::List(items))),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn print_then_parse_gives_the_same_tree(e in expr()) {
        let text = print_expr(&e);
        let parsed = parse(&text).map_err(|m| TestCaseError::fail(format!("{text:?} did not parse: {m}")))?;
        prop_assert_eq!(parsed.without_spans(), e, "printed as {}", text);
    }
}

#[test]
fn printing_adds_only_the_parentheses_the_tree_needs() {
    for (src, printed) in [
        ("(a + b) * c", "(a + b) * c"),
        ("a + (b * c)", "a + b * c"),
        ("a - (b - c)", "a - (b - c)"),
        ("(a - b) - c", "a - b - c"),
        ("not (a and b)", "not (a and b)"),
        ("(not a) and b", "not a and b"),
        ("x between (1 + 2) and 3", "x between 1 + 2 and 3"),
        ("x == (y is null)", "x == (y is null)"),
    ] {
        assert_eq!(print_expr(&parse(src).unwrap()), printed, "{src}");
    }
}
