//! W1012 `detection_dependent_target`.
//!
//! **What it does.** Flags a `change` target on a raw count or sum over a source marked
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

/// W1012: a change target on a count of what detection makes visible.
pub(super) fn detection_dependent_target(set: &DefinitionSet, m: &Metric) -> Option<Diagnostic> {
    let MetricBody::Base(b) = &m.body else { return None };
    let source = set.sources.get(&b.source)?;
    let Some(crate::ir::Target::Change { change, .. }) = &m.target else { return None };
    if !source.detection_dependent || !gameable_count::raw_count(&b.value) {
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
