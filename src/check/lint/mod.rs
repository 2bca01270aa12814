//! Pitfall lints, the measurement pitfalls of an ISMS (docs/definition-set.md, "Pitfall
//! lints"): definitions and projects that check and compute, but measure the wrong thing
//! or compare against a baseline that cannot bear it. One lint per file, each saying what
//! it does, why it matters and an example. Each is
//! a warning with its own code. A metric is exempt from one of the metric lints only by
//! `allow: [{code: W1004, reason: "..."}]`; the site lints (the baseline window) concern
//! a site, not a metric, and are answered in the project.

use crate::calendar::baseline_window;
use crate::diag::codes::{self, Code};
use crate::diag::{Diagnostic, Span};
use crate::ir::{
    Collection, ColumnRef, ColumnType, DefinitionSet, Direction, Layer, Metric, MetricBody, Project, Source, TExpr,
    TExprKind,
};
use chrono::{Months, NaiveDate};
use std::collections::BTreeSet;

mod baseline_windows;
mod detection_dependent_target;
mod gameable_count;
mod lone_incident_count;
mod no_criteria;
mod outcome_over_evidence;
mod raw_leadership_count;
mod uncaveated_manual;

use baseline_windows::baseline_windows;
use detection_dependent_target::detection_dependent_target;
use gameable_count::gameable_count;
use lone_incident_count::lone_incident_count;
use no_criteria::no_criteria;
use outcome_over_evidence::outcome_over_evidence;
use raw_leadership_count::raw_leadership_count;
use uncaveated_manual::uncaveated_manual;

/// The lints a metric can be exempt from, with `allow:`.
pub const LINTS: &[Code] =
    &[codes::W1001, codes::W1002, codes::W1003, codes::W1004, codes::W1005, codes::W1009, codes::W1011, codes::W1012];

/// The site lints (of a site's baseline window) a site can be exempt from, with `allow:`
/// under the site in yardstick.yaml.
pub const SITE_LINTS: &[Code] = &[codes::W1006, codes::W1007, codes::W1008, codes::W1010];

/// Whether a diagnostic code is a pitfall lint's (W10xx).
pub fn is_pitfall(code: &str) -> bool {
    code.starts_with("W10")
}

/// The tag whose metrics the leadership reads, where an incident count needs companions.
const LEADERSHIP: &str = "leadership";

/// Every pitfall of the set's metrics (those they are not exempt from) and, with a
/// project, of its sites' baseline windows.
pub fn pitfalls(set: &DefinitionSet, project: Option<&Project>) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for m in &set.metrics {
        let lints = [
            outcome_over_evidence(set, m),
            gameable_count(m),
            lone_incident_count(set, m),
            no_criteria(m),
            uncaveated_manual(set, project, m),
            raw_leadership_count(m),
            detection_dependent_target(set, m),
        ];
        let exempt = |d: &Diagnostic| m.allow.iter().any(|a| d.code == a.code.as_str());
        found.extend(lints.into_iter().flatten().filter(|d| !exempt(d)));
    }
    if let Some(project) = project {
        found.extend(baseline_windows(project));
    }
    found
}

fn at(d: Diagnostic, span: Option<Span>) -> Diagnostic {
    match span {
        Some(span) => d.at(span),
        None => d,
    }
}

pub(crate) fn exempt_help(code: Code) -> String {
    format!("if it does not apply here, say why in the metric: `allow: [{{code: {code}, reason: \"...\"}}]`")
}
