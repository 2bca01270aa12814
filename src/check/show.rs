//! The IR printed back in the expression language, with names resolved: what `explain`
//! shows a reviewer.

use super::ir::{AggFn, Builtin, Literal, RowFn, TExpr, TExprKind, ThresholdInput};
use std::fmt;

impl fmt::Display for TExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&show(self))
    }
}

fn precedence(e: &TExpr) -> u8 {
    match &e.kind {
        TExprKind::Binary { op, .. } => op.precedence(),
        TExprKind::Not(_) => 3,
        TExprKind::IsNull { .. } | TExprKind::Between { .. } => 4,
        TExprKind::Neg(_) => 7,
        _ => 8,
    }
}

fn operand(e: &TExpr, parenthesize: bool) -> String {
    if parenthesize { format!("({})", show(e)) } else { show(e) }
}

fn show(e: &TExpr) -> String {
    let list = |items: &[TExpr]| items.iter().map(show).collect::<Vec<_>>().join(", ");
    match &e.kind {
        TExprKind::Literal(l) => match l {
            Literal::Int(i) => i.to_string(),
            Literal::Float(x) => x.to_string(),
            Literal::Str(s) => format!("{s:?}"),
            Literal::Bool(b) => b.to_string(),
            Literal::Null => "null".into(),
            Literal::Date(d) => format!("@{d}"),
            Literal::DateTime(d) => format!("@{}", d.format("%Y-%m-%dT%H:%M:%SZ")),
        },
        TExprKind::Column(c) => c.to_string(),
        TExprKind::Term { vocab, term } => format!("{vocab}.{term}"),
        TExprKind::TermSet { vocab, group, .. } => format!("{vocab}.{group}"),
        TExprKind::Metric(m) => m.0.clone(),
        TExprKind::ThresholdValue(i) => match i {
            ThresholdInput::Value => "value",
            ThresholdInput::Baseline => "baseline",
            ThresholdInput::Target => "target",
        }
        .into(),
        TExprKind::Builtin(b) => match b {
            Builtin::PeriodStart => "period_start",
            Builtin::PeriodEnd => "period_end",
            Builtin::AsOf => "as_of",
        }
        .into(),
        TExprKind::List(items) => format!("[{}]", list(items)),
        TExprKind::Not(x) => format!("not {}", operand(x, precedence(x) < 3)),
        TExprKind::Neg(x) => format!("-{}", operand(x, precedence(x) < 7)),
        TExprKind::Binary { op, lhs, rhs } => {
            let p = op.precedence();
            format!("{} {} {}", operand(lhs, precedence(lhs) < p), op.symbol(), operand(rhs, precedence(rhs) <= p))
        }
        TExprKind::IsNull { expr, negated } => {
            format!("{} is {}null", operand(expr, precedence(expr) < 4), if *negated { "not " } else { "" })
        }
        TExprKind::Between { expr, low, high } => format!(
            "{} between {} and {}",
            operand(expr, precedence(expr) < 4),
            operand(low, precedence(low) <= 4),
            operand(high, precedence(high) <= 4)
        ),
        TExprKind::Call { func, args } => format!("{}({})", row_fn_name(*func), list(args)),
        TExprKind::Aggregate { func, args } => format!("{}({})", agg_name(*func), list(args)),
    }
}

pub fn row_fn_name(f: RowFn) -> &'static str {
    match f {
        RowFn::If => "if",
        RowFn::Coalesce => "coalesce",
        RowFn::HoursBetween => "hours_between",
        RowFn::DaysBetween => "days_between",
        RowFn::MinutesBetween => "minutes_between",
        RowFn::Year => "year",
        RowFn::Month => "month",
        RowFn::Lower => "lower",
        RowFn::Contains => "contains",
    }
}

pub fn agg_name(f: AggFn) -> &'static str {
    match f {
        AggFn::Count => "count",
        AggFn::CountDistinct => "count_distinct",
        AggFn::Sum => "sum",
        AggFn::Mean => "mean",
        AggFn::Median => "median",
        AggFn::Min => "min",
        AggFn::Max => "max",
        AggFn::Percentile => "percentile",
        AggFn::Share => "share",
    }
}
