//! A metric's `value` split in two: the aggregates a back end computes per group (slots),
//! and the small expression over them that the results stage evaluates per site and period
//! (`Post`). Zero-fill happens in between: a missing `count` or `sum` is 0, anything else
//! null.

use crate::calendar::midnight_ms;
use crate::ir::{AggFn, Builtin, Literal, RowFn, TExpr, TExprKind, ThresholdInput};
use crate::syntax::BinOp;
use std::fmt;

/// One aggregate computed by the back end.
#[derive(Clone, Debug)]
pub struct Slot {
    pub func: AggFn,
    pub arg: Option<TExpr>,
    /// For `percentile`: 0..1.
    pub quantile: f64,
}

impl Slot {
    /// Additive slots (count, sum) are 0 where no row matched, and are the flows that
    /// baselines scale to one grain.
    pub fn is_additive(&self) -> bool {
        self.func.is_additive()
    }

    /// Whether a back end returns the slot's values too, sorted: the order statistics the
    /// interval of a median or percentile is read from, the sample a mean's is
    /// bootstrapped from (docs/semantics.md, "Intervals").
    pub fn keeps_values(&self) -> bool {
        matches!(self.func, AggFn::Median | AggFn::Percentile | AggFn::Mean)
    }

    /// Whether a back end returns the slot's sum of squares, largest and smallest value and
    /// count of values beside it: what the interval of a sum of amounts over events is read
    /// from ([`crate::stats::Compound`]).
    pub fn keeps_compound(&self) -> bool {
        self.func == AggFn::Sum
    }
}

impl fmt::Display for Slot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = crate::ir::agg_name(self.func);
        match (&self.arg, self.func) {
            (None, _) => write!(f, "{name}()"),
            (Some(a), AggFn::Percentile) => write!(f, "{name}({a}, {})", self.quantile * 100.0),
            (Some(a), _) => write!(f, "{name}({a})"),
        }
    }
}

/// The part of `value` above the aggregates, and of derived metrics and thresholds.
#[derive(Clone, Debug, PartialEq)]
pub enum Post {
    Slot(usize),
    Metric(String),
    Input(ThresholdInput),
    Num(f64),
    Bool(bool),
    Null,
    Builtin(Builtin),
    Neg(Box<Post>),
    Not(Box<Post>),
    Bin(BinOp, Box<Post>, Box<Post>),
    If(Box<Post>, Box<Post>, Box<Post>),
    Coalesce(Vec<Post>),
    IsNull(Box<Post>, bool),
    Between(Box<Post>, Box<Post>, Box<Post>),
    /// `hours_between` and friends on millisecond values: (b - a) / unit.
    Span(Box<Post>, Box<Post>, f64),
}

/// Splits a value expression into its aggregate slots and what combines them.
pub fn split(value: &TExpr) -> (Vec<Slot>, Post) {
    let mut slots = Vec::new();
    let post = to_post(value, &mut slots);
    (slots, post)
}

/// A threshold or derived value: no aggregates, only metrics and inputs.
pub fn post_only(e: &TExpr) -> Post {
    to_post(e, &mut Vec::new())
}

fn to_post(e: &TExpr, slots: &mut Vec<Slot>) -> Post {
    let mut push = |func, arg: Option<&TExpr>, quantile| {
        slots.push(Slot { func, arg: arg.cloned(), quantile });
        Post::Slot(slots.len() - 1)
    };
    match &e.kind {
        TExprKind::Aggregate { func: AggFn::Share, args } => {
            let hits = push(AggFn::Count, args.first(), 0.0);
            let all = push(AggFn::Count, None, 0.0);
            Post::Bin(BinOp::Div, Box::new(hits), Box::new(all))
        }
        TExprKind::Aggregate { func: AggFn::Percentile, args } => {
            let p = match args.get(1).map(|a| &a.kind) {
                Some(TExprKind::Literal(Literal::Int(i))) => *i as f64,
                Some(TExprKind::Literal(Literal::Float(f))) => *f,
                _ => 50.0,
            };
            push(AggFn::Percentile, args.first(), p / 100.0)
        }
        TExprKind::Aggregate { func, args } => push(*func, args.first(), 0.0),
        TExprKind::Metric(m) => Post::Metric(m.0.clone()),
        TExprKind::ThresholdValue(i) => Post::Input(*i),
        TExprKind::Builtin(b) => Post::Builtin(*b),
        TExprKind::Literal(Literal::Int(i)) => Post::Num(*i as f64),
        TExprKind::Literal(Literal::Float(f)) => Post::Num(*f),
        TExprKind::Literal(Literal::Bool(b)) => Post::Bool(*b),
        TExprKind::Literal(Literal::Date(d)) => Post::Num(midnight_ms(*d) as f64),
        TExprKind::Literal(Literal::DateTime(dt)) => Post::Num(dt.timestamp_millis() as f64),
        TExprKind::Not(x) => Post::Not(Box::new(to_post(x, slots))),
        TExprKind::Neg(x) => Post::Neg(Box::new(to_post(x, slots))),
        TExprKind::Binary { op, lhs, rhs } => {
            Post::Bin(*op, Box::new(to_post(lhs, slots)), Box::new(to_post(rhs, slots)))
        }
        TExprKind::IsNull { expr, negated } => Post::IsNull(Box::new(to_post(expr, slots)), *negated),
        TExprKind::Between { expr, low, high } => {
            Post::Between(Box::new(to_post(expr, slots)), Box::new(to_post(low, slots)), Box::new(to_post(high, slots)))
        }
        TExprKind::Call { func, args } => {
            let mut a = args.iter().map(|x| to_post(x, slots));
            let mut next = || Box::new(a.next().unwrap_or(Post::Null));
            match func {
                RowFn::If => Post::If(next(), next(), next()),
                RowFn::Coalesce => Post::Coalesce(args.iter().map(|x| to_post(x, slots)).collect()),
                RowFn::HoursBetween => Post::Span(next(), next(), 3_600_000.0),
                RowFn::DaysBetween => Post::Span(next(), next(), 86_400_000.0),
                RowFn::MinutesBetween => Post::Span(next(), next(), 60_000.0),
                // Strings, years and months of aggregates do not reach a numeric value.
                RowFn::Year | RowFn::Month | RowFn::Lower | RowFn::Contains | RowFn::Attribute => Post::Null,
            }
        }
        // Strings, terms, lists and columns cannot stand outside an aggregate in a value.
        _ => Post::Null,
    }
}

/// A value during evaluation: SQL's three-valued logic, numbers as floats.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum V {
    Num(f64),
    Bool(bool),
    Null,
}

impl V {
    pub fn num(self) -> Option<f64> {
        match self {
            V::Num(n) if n.is_finite() => Some(n),
            _ => None,
        }
    }
}

/// What names mean while evaluating a `Post`; anything an evaluation does not provide is
/// null.
pub trait Env {
    fn slot(&self, _: usize) -> V {
        V::Null
    }
    fn metric(&self, _: &str) -> V {
        V::Null
    }
    fn input(&self, _: ThresholdInput) -> V {
        V::Null
    }
    /// `period_start`, `period_end`, `as_of` in milliseconds.
    fn builtin(&self, _: Builtin) -> V {
        V::Null
    }
}

pub fn eval(p: &Post, env: &dyn Env) -> V {
    match p {
        Post::Slot(i) => env.slot(*i),
        Post::Metric(m) => env.metric(m),
        Post::Input(i) => env.input(*i),
        Post::Num(n) => V::Num(*n),
        Post::Bool(b) => V::Bool(*b),
        Post::Null => V::Null,
        Post::Builtin(b) => env.builtin(*b),
        Post::Neg(x) => match eval(x, env) {
            V::Num(n) => V::Num(-n),
            _ => V::Null,
        },
        Post::Not(x) => match eval(x, env) {
            V::Bool(b) => V::Bool(!b),
            _ => V::Null,
        },
        Post::Bin(op, l, r) => binary(*op, eval(l, env), eval(r, env)),
        Post::If(c, a, b) => match eval(c, env) {
            V::Bool(true) => eval(a, env),
            _ => eval(b, env),
        },
        Post::Coalesce(items) => items.iter().map(|i| eval(i, env)).find(|v| *v != V::Null).unwrap_or(V::Null),
        Post::IsNull(x, negated) => V::Bool((eval(x, env) == V::Null) != *negated),
        Post::Between(x, lo, hi) => {
            let x = eval(x, env);
            binary(BinOp::And, binary(BinOp::Ge, x, eval(lo, env)), binary(BinOp::Le, x, eval(hi, env)))
        }
        Post::Span(a, b, unit) => match (eval(a, env), eval(b, env)) {
            (V::Num(a), V::Num(b)) => V::Num((b - a) / unit),
            _ => V::Null,
        },
    }
}

fn binary(op: BinOp, l: V, r: V) -> V {
    use V::{Bool, Null, Num};
    match (op, l, r) {
        (BinOp::And, Bool(false), _) | (BinOp::And, _, Bool(false)) => Bool(false),
        (BinOp::And, Bool(true), Bool(true)) => Bool(true),
        (BinOp::Or, Bool(true), _) | (BinOp::Or, _, Bool(true)) => Bool(true),
        (BinOp::Or, Bool(false), Bool(false)) => Bool(false),
        (BinOp::And | BinOp::Or, _, _) => Null,
        (_, Num(a), Num(b)) => match op {
            BinOp::Add => Num(a + b),
            BinOp::Sub => Num(a - b),
            BinOp::Mul => Num(a * b),
            // A ratio with a zero denominator has no value.
            BinOp::Div => {
                if b == 0.0 {
                    Null
                } else {
                    Num(a / b)
                }
            }
            BinOp::Eq => Bool(a == b),
            BinOp::Ne => Bool(a != b),
            BinOp::Lt => Bool(a < b),
            BinOp::Le => Bool(a <= b),
            BinOp::Gt => Bool(a > b),
            BinOp::Ge => Bool(a >= b),
            _ => Null,
        },
        (BinOp::Eq, Bool(a), Bool(b)) => Bool(a == b),
        (BinOp::Ne, Bool(a), Bool(b)) => Bool(a != b),
        _ => Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Slots(Vec<V>);
    impl Env for Slots {
        fn slot(&self, i: usize) -> V {
            self.0[i]
        }
    }

    #[test]
    fn a_zero_denominator_gives_no_value() {
        let ratio = Post::Bin(BinOp::Div, Box::new(Post::Slot(0)), Box::new(Post::Slot(1)));
        assert_eq!(eval(&ratio, &Slots(vec![V::Num(0.0), V::Num(0.0)])), V::Null);
        assert_eq!(eval(&ratio, &Slots(vec![V::Num(3.0), V::Num(4.0)])), V::Num(0.75));
    }

    #[test]
    fn logic_is_three_valued() {
        let and = Post::Bin(BinOp::And, Box::new(Post::Slot(0)), Box::new(Post::Slot(1)));
        assert_eq!(eval(&and, &Slots(vec![V::Null, V::Bool(false)])), V::Bool(false));
        assert_eq!(eval(&and, &Slots(vec![V::Null, V::Bool(true)])), V::Null);
    }
}
