//! The expression AST. Every node carries the span of its text in the user's file.

use crate::diag::Span;
use chrono::{DateTime, NaiveDate, Utc};

/// A name as written, with where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// `42`
    Int(i64),
    /// `3.5`
    Float(f64),
    /// `95%`: holds the number as written (95), meaning 0.95.
    Percent(f64),
    Str(String),
    Bool(bool),
    Null,
    /// `@2025-01-31`
    Date(NaiveDate),
    /// `@2025-01-31T08:00:00Z`; a datetime written without an offset is UTC.
    DateTime(DateTime<Utc>),
    /// `[a, b]`
    List(Vec<Expr>),
    /// `x` or `x.y`: a column, a join column, a vocabulary term or group, a metric.
    Name(Vec<Ident>),
    /// `f(a, b)`: a row function or an aggregate.
    Call {
        func: Ident,
        args: Vec<Expr>,
    },
    Unary {
        op: UnaryOp,
        expr: Box<Expr>,
    },
    Binary {
        op: BinOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// `x is null` (`negated`: `x is not null`)
    IsNull {
        expr: Box<Expr>,
        negated: bool,
    },
    /// `x between low and high`, bounds included.
    Between {
        expr: Box<Expr>,
        low: Box<Expr>,
        high: Box<Expr>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Not,
    Neg,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    NotIn,
    /// `list has x`: the multi-valued column holds x.
    Has,
    /// `list has any [x, y]`: it holds at least one of them.
    HasAny,
    /// `list has all [x, y]`: it holds every one of them.
    HasAll,
    Add,
    Sub,
    Mul,
    Div,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Or => "or",
            BinOp::And => "and",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::In => "in",
            BinOp::NotIn => "not in",
            BinOp::Has => "has",
            BinOp::HasAny => "has any",
            BinOp::HasAll => "has all",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
        }
    }

    /// Binding strength: higher binds tighter (see the grammar's header).
    pub fn precedence(self) -> u8 {
        match self {
            BinOp::Or => 1,
            BinOp::And => 2,
            BinOp::Eq
            | BinOp::Ne
            | BinOp::Lt
            | BinOp::Le
            | BinOp::Gt
            | BinOp::Ge
            | BinOp::In
            | BinOp::NotIn
            | BinOp::Has
            | BinOp::HasAny
            | BinOp::HasAll => 4,
            BinOp::Add | BinOp::Sub => 5,
            BinOp::Mul | BinOp::Div => 6,
        }
    }

    pub fn is_ordering(self) -> bool {
        matches!(self, BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge)
    }

    /// An ordering turned round (`<` as `>`, `<=` as `>=`): terms of an ordered vocabulary
    /// compare by rank, and a lower rank is a higher term. Others stay as they are.
    pub fn reversed(self) -> BinOp {
        match self {
            BinOp::Lt => BinOp::Gt,
            BinOp::Le => BinOp::Ge,
            BinOp::Gt => BinOp::Lt,
            BinOp::Ge => BinOp::Le,
            other => other,
        }
    }
}

/// Precedence of `not`: looser than comparisons, tighter than `and`.
pub const NOT_PRECEDENCE: u8 = 3;
/// Precedence of `is null` and `between`: that of comparisons.
pub const POSTFIX_PRECEDENCE: u8 = 4;
/// Precedence of unary minus and of anything that needs no parentheses.
pub const NEG_PRECEDENCE: u8 = 7;
pub const ATOM_PRECEDENCE: u8 = 8;

impl Expr {
    /// How tightly this node binds when printed.
    pub fn precedence(&self) -> u8 {
        match &self.kind {
            ExprKind::Binary { op, .. } => op.precedence(),
            ExprKind::Unary { op: UnaryOp::Not, .. } => NOT_PRECEDENCE,
            ExprKind::Unary { op: UnaryOp::Neg, .. } => NEG_PRECEDENCE,
            ExprKind::IsNull { .. } | ExprKind::Between { .. } => POSTFIX_PRECEDENCE,
            _ => ATOM_PRECEDENCE,
        }
    }

    /// The same tree with every span zeroed, to compare shapes regardless of layout.
    pub fn without_spans(&self) -> Expr {
        let z = Span::default();
        let b = |e: &Expr| Box::new(e.without_spans());
        let kind = match &self.kind {
            ExprKind::List(items) => ExprKind::List(items.iter().map(Expr::without_spans).collect()),
            ExprKind::Name(parts) => {
                ExprKind::Name(parts.iter().map(|p| Ident { name: p.name.clone(), span: z }).collect())
            }
            ExprKind::Call { func, args } => ExprKind::Call {
                func: Ident { name: func.name.clone(), span: z },
                args: args.iter().map(Expr::without_spans).collect(),
            },
            ExprKind::Unary { op, expr } => ExprKind::Unary { op: *op, expr: b(expr) },
            ExprKind::Binary { op, lhs, rhs } => ExprKind::Binary { op: *op, lhs: b(lhs), rhs: b(rhs) },
            ExprKind::IsNull { expr, negated } => ExprKind::IsNull { expr: b(expr), negated: *negated },
            ExprKind::Between { expr, low, high } => ExprKind::Between { expr: b(expr), low: b(low), high: b(high) },
            other => other.clone(),
        };
        Expr { kind, span: z }
    }

    /// Calls `f` on this node and every node below it, parents first.
    pub fn walk<'a>(&'a self, f: &mut impl FnMut(&'a Expr)) {
        f(self);
        match &self.kind {
            ExprKind::List(items) => items.iter().for_each(|e| e.walk(f)),
            ExprKind::Call { args, .. } => args.iter().for_each(|e| e.walk(f)),
            ExprKind::Unary { expr, .. } | ExprKind::IsNull { expr, .. } => expr.walk(f),
            ExprKind::Binary { lhs, rhs, .. } => {
                lhs.walk(f);
                rhs.walk(f);
            }
            ExprKind::Between { expr, low, high } => {
                expr.walk(f);
                low.walk(f);
                high.walk(f);
            }
            _ => {}
        }
    }
}
