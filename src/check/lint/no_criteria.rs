//! W1004 `no_criteria`.
//!
//! **What it does.** Flags a metric that says which way is better but gives no `target`
//! and no `thresholds`.
//!
//! **Why it matters.** ISO/IEC 27004 asks for decision criteria: without them, no value
//! calls for action and every status is blank.
//!
//! **Example.** `direction: lower_is_better` alone: add `target: {change: -30%, by:
//! 2026-12-31}` or `thresholds`, or make it `direction: neutral` if it only informs.

use super::*;

/// W1004: a metric with a direction but nothing to judge it by.
pub(super) fn no_criteria(m: &Metric) -> Option<Diagnostic> {
    if m.direction == Direction::Neutral || m.target.is_some() || !m.thresholds.is_empty() {
        return None;
    }
    let d = Diagnostic::warning(
        codes::W1004,
        format!("`{}` says which way is better but gives no decision criteria (no `target`, no `thresholds`)", m.id),
    )
    .label("no target, no thresholds")
    .help(format!(
        "ISO/IEC 27004 asks what value calls for action: give a `target` or `thresholds`, or make it `direction: neutral` if it only informs; {}",
        exempt_help(codes::W1004)
    ));
    Some(at(d, m.at))
}
