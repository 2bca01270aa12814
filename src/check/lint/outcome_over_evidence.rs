//! W1001 `outcome_over_evidence`.
//!
//! **What it does.** Flags an outcome metric that reads a source of activity evidence (a
//! source schema marked `evidence: true`: documents, trainings, reviews), directly or
//! through a join or a derived metric's parts.
//!
//! **Why it matters.** An outcome is what happened (incidents, downtime, losses); counting
//! evidence of activity there claims a benefit from effort alone.
//!
//! **Example.** `layer: outcome` over `source: trainings`: make it `layer: activity`, or
//! measure the incidents or downtime the training should change.

use super::*;

/// W1001: an outcome metric over a source of activity evidence.
pub(super) fn outcome_over_evidence(set: &DefinitionSet, m: &Metric) -> Option<Diagnostic> {
    if m.layer != Layer::Outcome {
        return None;
    }
    let evidence: Vec<&str> =
        set.sources_read(m.id.as_str()).into_iter().filter(|s| set.sources[*s].evidence).collect();
    let source = evidence.first()?;
    let d = Diagnostic::warning(
        codes::W1001,
        format!("outcome metric `{}` counts activity evidence (source `{source}` records documents, trainings or reviews)", m.id),
    )
    .label("an outcome measured by activity")
    .help(format!(
        "an outcome is what happened (incidents, downtime, losses); evidence of activity is an activity metric (`layer: activity`), or measure the outcome it should change; {}",
        exempt_help(codes::W1001)
    ));
    Some(at(d, m.at))
}
