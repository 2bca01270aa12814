//! W1005 `uncaveated_manual`.
//!
//! **What it does.** Flags a metric without `caveats` that reads a source collected by
//! hand (`manual` or `mixed`) in its schema, in a site's binding or in a site's coverage.
//!
//! **Why it matters.** Hand-kept records are late, partial and coded differently from
//! plant to plant; a reader must know before comparing sites.
//!
//! **Example.** `collection: mixed` on the downtime source: say in the metric what the
//! numbers cannot be trusted for (`caveats: ...`).

use super::*;

/// W1005: a metric over data collected by hand (in the set or at a site), without caveats.
pub(super) fn uncaveated_manual(set: &DefinitionSet, project: Option<&Project>, m: &Metric) -> Option<Diagnostic> {
    if m.caveats.as_ref().is_some_and(|c| !c.trim().is_empty()) {
        return None;
    }
    let by_hand = |c: Option<Collection>| matches!(c, Some(Collection::Manual | Collection::Mixed));
    let sources = set.sources_read(m.id.as_str());
    let manual = sources.iter().find(|s| {
        by_hand(Some(set.sources[**s].collection))
            || project.is_some_and(|p| {
                p.sites.iter().any(|site| {
                    by_hand(p.binding(s, site).and_then(|b| b.collection))
                        || by_hand(site.coverage.get(**s).and_then(|c| c.collection))
                })
            })
    })?;
    let d = Diagnostic::warning(
        codes::W1005,
        format!("`{}` reads `{manual}`, collected by hand (at least at one site), but says nothing of it in `caveats`", m.id),
    )
    .label("no caveats")
    .help(format!(
        "manual collection is late, partial and uneven between sites: say how in `caveats`, which reports show beside the numbers; {}",
        exempt_help(codes::W1005)
    ));
    Some(at(d, m.at))
}
