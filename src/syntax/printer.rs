//! Prints an [`Expr`] back as source text, with the parentheses its shape needs and no
//! more. `parse(print(e))` gives `e` again (tested by proptest).

use super::ast::{Expr, ExprKind, NEG_PRECEDENCE, NOT_PRECEDENCE, POSTFIX_PRECEDENCE, UnaryOp};

pub fn print_expr(e: &Expr) -> String {
    let mut out = String::new();
    write_expr(e, &mut out);
    out
}

/// Writes `e` to `out`. Leaves are written by [`write_leaf`], so that this frame, which
/// every level of nesting repeats, stays small.
fn write_expr(e: &Expr, out: &mut String) {
    match &e.kind {
        ExprKind::List(items) => {
            out.push('[');
            write_comma_separated(items, out);
            out.push(']');
        }
        ExprKind::Call { func, args } => {
            out.push_str(&func.name);
            out.push('(');
            write_comma_separated(args, out);
            out.push(')');
        }
        ExprKind::Unary { op, expr } => {
            let (text, prec) = match op {
                UnaryOp::Not => ("not ", NOT_PRECEDENCE),
                UnaryOp::Neg => ("-", NEG_PRECEDENCE),
            };
            out.push_str(text);
            // The operand of a prefix binds at least as tightly as the prefix itself.
            write_operand(expr, expr.precedence() < prec, out);
        }
        ExprKind::Binary { op, lhs, rhs } => {
            let prec = op.precedence();
            write_operand(lhs, lhs.precedence() < prec, out);
            out.push(' ');
            out.push_str(op.symbol());
            out.push(' ');
            // Left associative: an equal-precedence right operand needs parentheses.
            write_operand(rhs, rhs.precedence() <= prec, out);
        }
        ExprKind::IsNull { expr, negated } => {
            write_operand(expr, expr.precedence() < POSTFIX_PRECEDENCE, out);
            out.push_str(if *negated { " is not null" } else { " is null" });
        }
        ExprKind::Between { expr, low, high } => {
            write_operand(expr, expr.precedence() < POSTFIX_PRECEDENCE, out);
            out.push_str(" between ");
            // Bounds are arithmetic: anything looser is parenthesized.
            write_operand(low, low.precedence() <= POSTFIX_PRECEDENCE, out);
            out.push_str(" and ");
            write_operand(high, high.precedence() <= POSTFIX_PRECEDENCE, out);
        }
        _ => write_leaf(&e.kind, out),
    }
}

/// A literal or a name.
fn write_leaf(kind: &ExprKind, out: &mut String) {
    match kind {
        ExprKind::Int(i) => out.push_str(&i.to_string()),
        ExprKind::Float(f) => out.push_str(&float_text(*f)),
        ExprKind::Percent(p) => {
            let text = p.to_string();
            out.push_str(&text);
            out.push('%');
        }
        ExprKind::Str(s) => {
            out.push('"');
            for c in s.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\t' => out.push_str("\\t"),
                    c => out.push(c),
                }
            }
            out.push('"');
        }
        ExprKind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        ExprKind::Null => out.push_str("null"),
        ExprKind::Date(d) => out.push_str(&format!("@{}", d.format("%Y-%m-%d"))),
        ExprKind::DateTime(dt) => out.push_str(&format!("@{}", dt.format("%Y-%m-%dT%H:%M:%S%.fZ"))),
        ExprKind::Name(parts) => {
            let names: Vec<&str> = parts.iter().map(|p| p.name.as_str()).collect();
            out.push_str(&names.join("."));
        }
        // `write_expr` writes the nodes with children.
        _ => {}
    }
}

fn write_operand(e: &Expr, parenthesize: bool, out: &mut String) {
    if parenthesize {
        out.push('(');
        write_expr(e, out);
        out.push(')');
    } else {
        write_expr(e, out);
    }
}

fn write_comma_separated(items: &[Expr], out: &mut String) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_expr(item, out);
    }
}

/// A float literal always shows its decimal point, so it reads back as a float.
/// A float as the language writes it: with a decimal point even when whole (`7.0`, not
/// `7`, which is an int).
pub fn float_text(f: f64) -> String {
    let text = f.to_string();
    if text.contains('.') { text } else { format!("{text}.0") }
}

/// The tree as an S-expression, `(and (in cause root_cause.security_related) ...)`: how
/// the parser grouped the operators, for tests and `explain`.
pub fn tree_expr(e: &Expr) -> String {
    let mut out = String::new();
    write_tree(e, &mut out);
    out
}

/// Writes `e` as an S-expression, with no temporary strings in this recursive frame.
fn write_tree(e: &Expr, out: &mut String) {
    let node = |head: &str, children: &[&Expr], out: &mut String| {
        out.push('(');
        out.push_str(head);
        for child in children {
            out.push(' ');
            write_tree(child, out);
        }
        out.push(')');
    };
    match &e.kind {
        ExprKind::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                write_tree(item, out);
            }
            out.push(']');
        }
        ExprKind::Call { func, args } => node(&func.name, &args.iter().collect::<Vec<_>>(), out),
        ExprKind::Unary { op: UnaryOp::Not, expr } => node("not", &[expr], out),
        ExprKind::Unary { op: UnaryOp::Neg, expr } => node("neg", &[expr], out),
        ExprKind::Binary { op, lhs, rhs } => node(op.symbol(), &[lhs, rhs], out),
        ExprKind::IsNull { expr, negated } => node(if *negated { "is-not-null" } else { "is-null" }, &[expr], out),
        ExprKind::Between { expr, low, high } => node("between", &[expr, low, high], out),
        _ => write_leaf(&e.kind, out),
    }
}
