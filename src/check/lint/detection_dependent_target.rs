//! W1012 `detection_dependent_target`.
//!
//! **What it does.** Flags a `change` target on a raw count (`count`, `count_distinct`,
//! scaled by a constant at most) over a source marked
//! `detection_dependent: true` (incidents, findings, control exceptions: what better
//! monitoring or a better-kept register makes visible).
//!
//! **Why it matters.** A reduction target on what the ISMS makes visible rewards seeing
//! less (the seed's "ignoring negative signals"): better detection turns the metric red.
//!
//! **Example.** `target: {change: -30%}` on `count()` over incidents: judge severity,
//! containment time or impact instead, keep the count `neutral` with thresholds, or read it
//! beside a monitoring-coverage companion.

use super::*;

/// Whether `e` is a plain count of rows (scaled at most): what detection makes grow. A sum
/// of amounts (a cost, hours lost) measures impact, not how much was seen.
fn tally(e: &TExpr) -> bool {
    match &e.kind {
        TExprKind::Aggregate { func, .. } => matches!(func, crate::ir::AggFn::Count | crate::ir::AggFn::CountDistinct),
        TExprKind::Binary { op: crate::syntax::BinOp::Mul, lhs, rhs } => {
            gameable_count::scaled(lhs, rhs, tally) || gameable_count::scaled(rhs, lhs, tally)
        }
        TExprKind::Binary { op: crate::syntax::BinOp::Add, lhs, rhs } => tally(lhs) && tally(rhs),
        TExprKind::Binary { op: crate::syntax::BinOp::Div, lhs, rhs } => gameable_count::scaled(lhs, rhs, tally),
        _ => false,
    }
}

/// W1012: a change target on a count of what detection makes visible.
pub(super) fn detection_dependent_target(set: &DefinitionSet, m: &Metric) -> Option<Diagnostic> {
    let MetricBody::Base(b) = &m.body else { return None };
    let source = set.sources.get(&b.source)?;
    let Some(crate::ir::Target::Change { change, .. }) = &m.target else { return None };
    if !source.detection_dependent || !tally(&b.value) {
        return None;
    }
    let d = Diagnostic::warning(
        codes::W1012,
        format!(
            "`{}` sets a {:+}% target on a count over `{}`, which better detection raises",
            m.id,
            change * 100.0,
            b.source
        ),
    )
    .label("a target on what detection makes visible")
    .help(format!(
        "judge severity, containment time or impact instead, or leave the count without a change target (`direction: neutral`, thresholds for action); {}",
        exempt_help(codes::W1012)
    ));
    Some(at(d, m.at))
}
