//! Change control (SPEC section 11): what changed in the definitions since a base
//! revision, and whether their versions say so. A metric whose fingerprint moved needs a
//! new `version`; a vocabulary whose terms, groups or deprecated codes changed, too; and
//! the set's semantic version must move as its changes require: at least a minor bump
//! for a change that can move numbers, a major one for a metric removed.

pub mod diff;

use crate::check::Checked;
use crate::check::fingerprint::fingerprints;
use crate::check::ir::Vocabulary;
use crate::diag::{Diagnostic, codes};

/// Every version the changes since `rev` (compiled as `base`) demand and `head` lacks;
/// the project's own metrics are judged only when `rev` holds the project (`covers`).
pub fn versions(base: &Checked, head: &Checked, rev: &str, covers: bool) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    let (before, after) = (fingerprints(&base.set), fingerprints(&head.set));
    let mut breaking = Vec::new();
    for m in head.set.metrics.iter().filter(|m| covers || !m.local) {
        let Some(old) = base.set.metric(&m.id.0) else { continue };
        if before.get(&m.id) == after.get(&m.id) {
            continue;
        }
        if !m.local {
            breaking.push(format!("metric `{}`", m.id));
        }
        if m.version <= old.version {
            let d = Diagnostic::error(
                codes::E0901,
                format!("metric `{}` changed meaning since {rev}, but its version is still {}", m.id, m.version),
            )
            .label("raise the version")
            .help(format!(
                "its numbers or statuses can change (its fingerprint moved): write `version: {}` so that results and reports tell the two apart",
                old.version + 1
            ));
            found.push(at(d, m.version_at));
        }
    }
    for (name, v) in &head.set.vocabularies {
        let Some(old) = base.set.vocabularies.get(name) else { continue };
        if same_meaning(old, v) {
            continue;
        }
        breaking.push(format!("vocabulary `{name}`"));
        if v.version <= old.version {
            let d = Diagnostic::error(
                codes::E0902,
                format!("vocabulary `{name}` changed its terms, groups or deprecated codes since {rev}, but its version is still {}", v.version),
            )
            .label("raise the version")
            .help(format!("write `version: {}`; every metric over it moves with it", old.version + 1));
            found.push(at(d, v.version_at));
        }
    }
    let removed: Vec<String> = base
        .set
        .metrics
        .iter()
        .filter(|m| !m.local && head.set.metric(&m.id.0).is_none())
        .map(|m| format!("`{}`", m.id))
        .collect();
    found.extend(set_version(base, head, rev, &breaking, &removed));
    found
}

/// The set's version against what its changes need.
fn set_version(
    base: &Checked,
    head: &Checked,
    rev: &str,
    breaking: &[String],
    removed: &[String],
) -> Option<Diagnostic> {
    let (old, new) = (&base.set.version, &head.set.version);
    let (needed, why) = if !removed.is_empty() {
        (semver::Version::new(old.major + 1, 0, 0), format!("metrics were removed ({})", removed.join(", ")))
    } else if !breaking.is_empty() {
        (semver::Version::new(old.major, old.minor + 1, 0), format!("{} changed meaning", breaking.join(", ")))
    } else {
        return None;
    };
    if *new >= needed {
        return None;
    }
    let d = Diagnostic::error(
        codes::E0903,
        format!("definition set `{}` is version {new}, but since {rev} (version {old}) {why}", head.set.name),
    )
    .label(format!("at least {needed}"))
    .help(if removed.is_empty() {
        "a change that can move numbers needs at least a minor version, so that projects can pin the set with `requires`"
    } else {
        "removing a metric breaks projects and reports that use it: it needs a major version"
    });
    Some(at(d, head.set.version_at))
}

/// Whether two versions of a vocabulary read every code alike: the same terms in the same
/// order, the same groups and deprecated codes (labels and definitions aside).
fn same_meaning(a: &Vocabulary, b: &Vocabulary) -> bool {
    // The order of an unordered vocabulary's terms means nothing.
    let codes = |v: &Vocabulary| {
        let mut codes: Vec<String> = v.terms.iter().map(|t| t.code.clone()).collect();
        if !v.ordered {
            codes.sort();
        }
        codes
    };
    codes(a) == codes(b) && a.ordered == b.ordered && a.groups == b.groups && a.deprecated == b.deprecated
}

fn at(d: Diagnostic, span: Option<crate::diag::Span>) -> Diagnostic {
    match span {
        Some(span) => d.at(span),
        None => d,
    }
}
