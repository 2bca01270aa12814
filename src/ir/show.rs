//! The IR printed back in the expression language, with names resolved: what `explain`
//! shows a reviewer. Printed, parsed and checked again, an expression gives the same IR
//! (tested on every metric of the shipped set).

use super::*;

impl fmt::Display for TExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        write_expr(self, &mut out, Floats::AsWritten);
        f.write_str(&out)
    }
}

impl TExpr {
    /// The text fingerprints and the templates' definitions are made of: as [`Display`]
    /// prints it, but a whole float as its shortest form (`7` for 7.0), as it always was.
    /// Changing it would change every fingerprint, so it stays.
    ///
    /// [`Display`]: fmt::Display
    pub fn canonical_text(&self) -> String {
        let mut out = String::new();
        write_expr(self, &mut out, Floats::Shortest);
        out
    }
}

impl Serialize for TExpr {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.canonical_text())
    }
}

/// How a float literal is printed.
#[derive(Clone, Copy)]
enum Floats {
    /// As the language writes it: `7.0`, so that it parses back as a float.
    AsWritten,
    /// The shortest form, `7`: the canonical text's.
    Shortest,
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

/// Writes `e` to `out`. The nodes with children are written here, with no temporary
/// strings, to keep small this frame that every level of nesting repeats.
fn write_expr(e: &TExpr, out: &mut String, floats: Floats) {
    match &e.kind {
        TExprKind::List(items) => {
            out.push('[');
            write_list(items, out, floats);
            out.push(']');
        }
        TExprKind::Not(x) => {
            out.push_str("not ");
            operand(x, precedence(x) < 3, out, floats);
        }
        TExprKind::Neg(x) => {
            out.push('-');
            operand(x, precedence(x) < 7, out, floats);
        }
        TExprKind::Binary { op, lhs, rhs } => {
            let p = op.precedence();
            operand(lhs, precedence(lhs) < p, out, floats);
            out.push(' ');
            out.push_str(op.symbol());
            out.push(' ');
            operand(rhs, precedence(rhs) <= p, out, floats);
        }
        TExprKind::IsNull { expr, negated } => {
            operand(expr, precedence(expr) < 4, out, floats);
            out.push_str(if *negated { " is not null" } else { " is null" });
        }
        TExprKind::Between { expr, low, high } => {
            operand(expr, precedence(expr) < 4, out, floats);
            out.push_str(" between ");
            operand(low, precedence(low) <= 4, out, floats);
            out.push_str(" and ");
            operand(high, precedence(high) <= 4, out, floats);
        }
        TExprKind::Call { func, args } => call(row_fn_name(*func), args, out, floats),
        TExprKind::Aggregate { func, args } => call(agg_name(*func), args, out, floats),
        _ => out.push_str(&leaf(e, floats)),
    }
}

fn operand(e: &TExpr, parenthesize: bool, out: &mut String, floats: Floats) {
    if parenthesize {
        out.push('(');
        write_expr(e, out, floats);
        out.push(')');
    } else {
        write_expr(e, out, floats);
    }
}

fn call(name: &str, args: &[TExpr], out: &mut String, floats: Floats) {
    out.push_str(name);
    out.push('(');
    write_list(args, out, floats);
    out.push(')');
}

fn write_list(items: &[TExpr], out: &mut String, floats: Floats) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_expr(item, out, floats);
    }
}

/// A node without children.
fn leaf(e: &TExpr, floats: Floats) -> String {
    match &e.kind {
        TExprKind::Literal(l) => match l {
            Literal::Int(i) => i.to_string(),
            Literal::Float(x) => match floats {
                Floats::AsWritten => crate::syntax::float_text(*x),
                Floats::Shortest => x.to_string(),
            },
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
        // `write_expr` writes the nodes with children.
        _ => String::new(),
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
        RowFn::Attribute => "attribute",
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
