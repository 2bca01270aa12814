//! W1002 `gameable_count`.
//!
//! **What it does.** Flags an activity metric, higher is better, whose value is a plain
//! count or sum (not a share, not a ratio, unit not `%`).
//!
//! **Why it matters.** It rewards doing more of the activity, not doing it where it is
//! needed: forty trainings of one team beat one of each.
//!
//! **Example.** `layer: activity`, `direction: higher_is_better`, `value: count()` over
//! trainings: measure coverage instead, the share of what should be done that was done
//! (`share(...)`, unit `%`).

use super::*;

/// Whether `e` is a plain count or sum (added up, scaled), not a share or a ratio.
pub(super) fn raw_count(e: &TExpr) -> bool {
    match &e.kind {
        TExprKind::Aggregate { func, .. } => {
            matches!(func, crate::ir::AggFn::Count | crate::ir::AggFn::Sum | crate::ir::AggFn::CountDistinct)
        }
        TExprKind::Binary { op, lhs, rhs } => {
            use crate::syntax::BinOp;
            match op {
                BinOp::Add | BinOp::Sub => raw_count(lhs) || raw_count(rhs),
                // Scaled by a constant (minutes to hours, per 1,000), still a count.
                BinOp::Mul => scaled(lhs, rhs, raw_count) || scaled(rhs, lhs, raw_count),
                BinOp::Div => scaled(lhs, rhs, raw_count),
                _ => false,
            }
        }
        _ => false,
    }
}

/// Whether `e` passes `test` and `by` is a constant: `e` scaled.
pub(super) fn scaled(e: &TExpr, by: &TExpr, test: fn(&TExpr) -> bool) -> bool {
    test(e) && matches!(by.kind, TExprKind::Literal(_))
}

/// W1002: a higher-is-better count of activity, which rewards doing more of it.
pub(super) fn gameable_count(m: &Metric) -> Option<Diagnostic> {
    let MetricBody::Base(b) = &m.body else { return None };
    if m.layer != Layer::Activity || m.direction != Direction::HigherIsBetter || m.unit == "%" || !raw_count(&b.value) {
        return None;
    }
    let d = Diagnostic::warning(
        codes::W1002,
        format!(
            "`{}` rewards a larger count of activity (`{}`): it can rise without anything getting safer",
            m.id, b.value
        ),
    )
    .label("higher is better, by count")
    .help(format!(
        "measure coverage instead: the share of what should be done that was done (`share(...)`, unit `%`); {}",
        exempt_help(codes::W1002)
    ));
    Some(at(d, m.at))
}
