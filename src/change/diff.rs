//! `yardstick diff` (docs/commands.md, `check --base` and `diff`): what a definition change means and what it does to
//! the numbers. Metrics, vocabularies, source schemas and site mappings added, removed and
//! changed; each changed metric classed breaking (its values can change), criteria (its
//! statuses can change) or cosmetic; and for every metric computed on both sides, the
//! values that move at each site and period, largest moves first.

use crate::check::Checked;
use crate::ir::{Metric, MetricBody, MetricId, Type};
use crate::results::{ResultRow, Results};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// What changed between two revisions, and what it does to the numbers.
#[derive(Debug, Serialize)]
pub struct Diff {
    pub base: String,
    pub head: String,
    pub metrics: Vec<MetricChange>,
    pub vocabularies: Vec<Named>,
    pub sources: Vec<Named>,
    /// Per site, the vocabularies whose local codes map differently.
    pub mappings: Vec<Named>,
}

/// A vocabulary, source or site's mappings that changed, with what changed.
#[derive(Debug, Serialize)]
pub struct Named {
    pub name: String,
    /// `added`, `removed` or `changed`.
    pub change: &'static str,
    pub details: Vec<String>,
    /// The metrics it reaches.
    pub metrics: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct MetricChange {
    pub id: String,
    /// `added`, `removed`, `breaking` (values can change, or move on today's data even
    /// though the definition did not: a mapping or a vocabulary reached it), `criteria`
    /// (statuses can change: target, thresholds, direction) or `cosmetic`.
    pub class: &'static str,
    /// Field by field: (field, before, after).
    pub fields: Vec<(String, String, String)>,
    pub versions: (Option<u32>, Option<u32>),
    pub moves: Option<Moves>,
    /// Why its values could not be compared, when they could not.
    pub not_comparable: Option<String>,
}

/// How a metric's values moved on today's data.
#[derive(Debug, Serialize)]
pub struct Moves {
    /// Periods in which a value moved (a status that flips alone does not count).
    pub periods_changed: usize,
    pub rows_compared: usize,
    /// The rows whose value moved or whose status flipped, largest absolute move first.
    pub rows: Vec<Move>,
    pub statuses_flipped: usize,
}

#[derive(Debug, Serialize)]
pub struct Move {
    pub site: String,
    pub dims: Vec<(String, Option<String>)>,
    pub period: String,
    pub before: Option<f64>,
    pub after: Option<f64>,
    /// `after - before`, when both are there.
    pub delta: Option<f64>,
    /// `delta / before`, as a fraction.
    pub relative: Option<f64>,
    pub status_before: Option<&'static str>,
    pub status_after: Option<&'static str>,
}

/// The definitions' differences; values are compared by [`compare_values`].
pub fn definitions(base: &Checked, head: &Checked, names: (&str, &str)) -> Diff {
    let (base_values, base_prints) = (&base.prints.values, &base.prints.fingerprints);
    let (head_values, head_prints) = (&head.prints.values, &head.prints.fingerprints);
    let mut metrics = Vec::new();
    for m in &head.set.metrics {
        let Some(old) = base.set.metric(m.id.as_str()) else {
            metrics.push(change(&m.id, "added", Vec::new(), (None, Some(m.version))));
            continue;
        };
        let class = if base_values.get(&m.id) != head_values.get(&m.id) {
            "breaking"
        } else if base_prints.get(&m.id) != head_prints.get(&m.id) {
            "criteria"
        } else {
            "cosmetic"
        };
        let fields = fields(old, m);
        let class = if class == "cosmetic" && fields.is_empty() { "unchanged" } else { class };
        let mut entry = change(&m.id, class, fields, (Some(old.version), Some(m.version)));
        entry.not_comparable = periods_differ(old, m);
        metrics.push(entry);
    }
    for m in base.set.metrics.iter().filter(|m| head.set.metric(m.id.as_str()).is_none()) {
        metrics.push(change(&m.id, "removed", Vec::new(), (Some(m.version), None)));
    }
    Diff {
        base: names.0.to_string(),
        head: names.1.to_string(),
        metrics,
        vocabularies: vocabularies(&base.set.vocabularies, head),
        sources: sources(&base.set.sources, head),
        mappings: mappings(base, head),
    }
}

/// What the definitions of `head` are against a base revision that did not have them
/// (the set or the project came later): every metric, vocabulary and source added.
pub fn all_added(head: &Checked, names: (&str, &str)) -> Diff {
    Diff {
        base: names.0.to_string(),
        head: names.1.to_string(),
        metrics: head.set.metrics.iter().map(|m| change(&m.id, "added", Vec::new(), (None, Some(m.version)))).collect(),
        vocabularies: vocabularies(&BTreeMap::new(), head),
        sources: sources(&BTreeMap::new(), head),
        mappings: Vec::new(),
    }
}

/// Why the rows of two versions of a metric do not line up, when they do not: another
/// grain gives other periods, another `by` other rows.
fn periods_differ(old: &Metric, new: &Metric) -> Option<String> {
    let by = |m: &Metric| match &m.body {
        MetricBody::Base(b) => b.by.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
        MetricBody::Derived { .. } => String::new(),
    };
    if old.grain != new.grain {
        return Some(format!(
            "its grain changed ({} → {}): its periods are not the same",
            old.grain.as_str(),
            new.grain.as_str()
        ));
    }
    (by(old) != by(new)).then(|| format!("its `by` changed ({} → {}): its rows are not the same", by(old), by(new)))
}

fn change(
    id: &MetricId,
    class: &'static str,
    fields: Vec<(String, String, String)>,
    versions: (Option<u32>, Option<u32>),
) -> MetricChange {
    MetricChange { id: id.to_string(), class, fields, versions, moves: None, not_comparable: None }
}

/// The fields of a metric that differ, as written.
fn fields(a: &Metric, b: &Metric) -> Vec<(String, String, String)> {
    let text = |m: &Metric| -> Vec<(&'static str, String)> {
        let (source, time, filter, value, by) = match &m.body {
            MetricBody::Base(b) => (
                b.source.clone(),
                crate::check::time_in_words(&b.time),
                b.filter.as_ref().map(ToString::to_string).unwrap_or_default(),
                b.value.to_string(),
                b.by.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
            ),
            MetricBody::Derived { value, .. } => {
                (String::new(), String::new(), String::new(), value.to_string(), String::new())
            }
        };
        // As written in YAML: `{green: value >= 0.9, amber: value >= 0.75}`.
        let thresholds: Vec<String> =
            m.thresholds.iter().map(|t| format!("{}: {}", t.status.as_str(), t.condition)).collect();
        let thresholds = if thresholds.is_empty() { String::new() } else { format!("{{{}}}", thresholds.join(", ")) };
        vec![
            ("version", m.version.to_string()),
            ("title", m.title.clone()),
            ("description", m.description.clone().unwrap_or_default()),
            ("owner", m.owner.clone().unwrap_or_default()),
            ("caveats", m.caveats.clone().unwrap_or_default()),
            ("references", m.references.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")),
            ("grain", m.grain.as_str().to_string()),
            ("unit", m.unit.clone()),
            ("direction", m.direction.as_str().to_string()),
            ("source", source),
            ("time", time),
            ("where", filter),
            ("value", value),
            ("by", by),
            ("target", m.target.as_ref().map(ToString::to_string).unwrap_or_default()),
            ("thresholds", thresholds),
        ]
    };
    text(a).into_iter().zip(text(b)).filter(|(x, y)| x.1 != y.1).map(|(x, y)| (x.0.to_string(), x.1, y.1)).collect()
}

/// The metrics whose definitions use vocabulary `name` (terms, groups or columns of it).
fn reached_by_vocab(set: &crate::ir::DefinitionSet, name: &str) -> Vec<String> {
    set.metrics
        .iter()
        .filter(|m| {
            let lineage = m.lineage(set);
            lineage.vocabularies.contains(name)
                || set.sources_read(m.id.as_str()).iter().any(|s| {
                    set.sources[*s]
                        .columns
                        .iter()
                        .any(|c| matches!(&c.ty, crate::ir::ColumnType::Vocab(v) if v == name))
                })
        })
        .map(|m| m.id.to_string())
        .collect()
}

fn vocabularies(base: &BTreeMap<String, crate::ir::Vocabulary>, head: &Checked) -> Vec<Named> {
    let mut out = Vec::new();
    let names: BTreeSet<&String> = base.keys().chain(head.set.vocabularies.keys()).collect();
    for name in names {
        let (a, b) = (base.get(name), head.set.vocabularies.get(name));
        let (change, details) = match (a, b) {
            (None, Some(_)) => ("added", Vec::new()),
            (Some(_), None) => ("removed", Vec::new()),
            (Some(a), Some(b)) => {
                let codes = |v: &crate::ir::Vocabulary| v.terms.iter().map(|t| t.code.clone()).collect::<BTreeSet<_>>();
                let mut d = Vec::new();
                d.extend(codes(b).difference(&codes(a)).map(|c| format!("term `{c}` added")));
                d.extend(codes(a).difference(&codes(b)).map(|c| format!("term `{c}` removed")));
                for g in a.groups.keys().chain(b.groups.keys()).collect::<BTreeSet<_>>() {
                    let (x, y) = (a.groups.get(g), b.groups.get(g));
                    if x != y {
                        let show = |t: Option<&Vec<String>>| t.map_or("(none)".to_string(), |t| t.join(", "));
                        d.push(format!("group `{g}`: {} → {}", show(x), show(y)));
                    }
                }
                if a.deprecated != b.deprecated {
                    d.push("deprecated codes changed".into());
                }
                if d.is_empty() {
                    continue;
                }
                ("changed", d)
            }
            (None, None) => continue,
        };
        out.push(Named { name: name.clone(), change, details, metrics: reached_by_vocab(&head.set, name) });
    }
    out
}

fn sources(base: &BTreeMap<String, crate::ir::Source>, head: &Checked) -> Vec<Named> {
    let mut out = Vec::new();
    let names: BTreeSet<&String> = base.keys().chain(head.set.sources.keys()).collect();
    for name in names {
        let (a, b) = (base.get(name), head.set.sources.get(name));
        let details = match (a, b) {
            (Some(a), Some(b)) => {
                let cols = |s: &crate::ir::Source| {
                    s.columns
                        .iter()
                        .map(|c| (c.name.clone(), Type::from(&c.ty).to_string()))
                        .collect::<BTreeMap<_, _>>()
                };
                let (x, y) = (cols(a), cols(b));
                let mut d = Vec::new();
                for c in x.keys().chain(y.keys()).collect::<BTreeSet<_>>() {
                    match (x.get(c), y.get(c)) {
                        (None, Some(t)) => d.push(format!("column `{c}` added ({t})")),
                        (Some(_), None) => d.push(format!("column `{c}` removed")),
                        (Some(s), Some(t)) if s != t => d.push(format!("column `{c}`: {s} → {t}")),
                        _ => {}
                    }
                }
                if d.is_empty() {
                    continue;
                }
                ("changed", d)
            }
            (None, Some(_)) => ("added", Vec::new()),
            (Some(_), None) => ("removed", Vec::new()),
            (None, None) => continue,
        };
        let metrics = head
            .set
            .metrics
            .iter()
            .filter(|m| head.set.sources_read(m.id.as_str()).contains(name.as_str()))
            .map(|m| m.id.to_string())
            .collect();
        out.push(Named { name: name.clone(), change: details.0, details: details.1, metrics });
    }
    out
}

/// Per site and vocabulary, the local codes that map differently.
fn mappings(base: &Checked, head: &Checked) -> Vec<Named> {
    let (Some(a), Some(b)) = (&base.project, &head.project) else { return Vec::new() };
    let mut out = Vec::new();
    for site in &b.sites {
        let empty = BTreeMap::new();
        let old = a.sites.iter().find(|s| s.id == site.id).map_or(&empty, |s| &s.mappings);
        for vocab in old.keys().chain(site.mappings.keys()).collect::<BTreeSet<_>>() {
            let (x, y) = (old.get(vocab), site.mappings.get(vocab));
            if x == y {
                continue;
            }
            let none = BTreeMap::new();
            let (x, y) = (x.unwrap_or(&none), y.unwrap_or(&none));
            let mut d = Vec::new();
            for code in x.keys().chain(y.keys()).collect::<BTreeSet<_>>() {
                match (x.get(code), y.get(code)) {
                    (Some(s), Some(t)) if s != t => d.push(format!("`{code}`: {s} → {t}")),
                    (None, Some(t)) => d.push(format!("`{code}` → {t} added")),
                    (Some(s), None) => d.push(format!("`{code}` → {s} removed")),
                    _ => {}
                }
            }
            out.push(Named {
                name: format!("{} ({vocab})", site.id),
                change: "changed",
                details: d,
                metrics: reached_by_vocab(&head.set, vocab),
            });
        }
    }
    out
}

/// Fills in each metric's value moves: `before` and `after` computed on today's data,
/// or why a side could not be computed.
pub fn compare_values(
    diff: &mut Diff,
    before: &BTreeMap<String, Result<&Results, &[crate::diag::Diagnostic]>>,
    after: &Results,
) {
    let compared = |m: &&mut MetricChange| !matches!(m.class, "added" | "removed") && m.not_comparable.is_none();
    for m in diff.metrics.iter_mut().filter(compared) {
        match before.get(&m.id) {
            Some(Ok(base)) => m.moves = Some(moves(&m.id, base, after)),
            Some(Err(why)) => {
                m.not_comparable = Some(why.first().map_or_else(|| "no reason given".into(), |d| d.message.clone()));
            }
            None => m.not_comparable = Some("not computed on the base side".into()),
        }
    }
    let moving = |m: &MetricChange| m.moves.as_ref().is_some_and(|v| !v.rows.is_empty());
    // Unchanged definitions whose values do not move say nothing.
    diff.metrics.retain(|m| m.class != "unchanged" || moving(m) || m.not_comparable.is_some());
    // Values that move make a change breaking, whatever moved them (a site mapping, a
    // vocabulary the metric reads): said so.
    for m in diff.metrics.iter_mut().filter(|m| matches!(m.class, "unchanged" | "cosmetic")) {
        if m.moves.as_ref().is_some_and(|v| !v.rows.is_empty()) {
            m.class = "breaking";
            let why = "moved by a change outside its definition (a site mapping, a vocabulary it reads)";
            m.fields.push(("values".into(), String::new(), why.into()));
        }
    }
    // Largest moves first: by the largest relative move of a metric, a value that appears
    // or vanishes counting as the largest.
    let largest = |m: &MetricChange| {
        let rows = m.moves.as_ref().map_or(&[][..], |v| &v.rows[..]);
        let moved = rows.iter().filter(|r| value_moved(r.before, r.after));
        moved.map(|r| r.relative.map_or(f64::INFINITY, f64::abs)).fold(0.0, f64::max)
    };
    diff.metrics.sort_by(|a, b| largest(b).total_cmp(&largest(a)));
}

fn moves(id: &str, base: &Results, head: &Results) -> Moves {
    type Key = (String, Vec<(String, Option<String>)>, String);
    let key = |r: &ResultRow| -> Key { (r.site.to_string(), r.dims.clone(), r.period.clone()) };
    let old: BTreeMap<Key, &ResultRow> = base.rows.iter().filter(|r| r.metric == id).map(|r| (key(r), r)).collect();
    let mut rows = Vec::new();
    let mut compared = 0;
    let mut flipped = 0;
    let mut periods = BTreeSet::new();
    for r in head.rows.iter().filter(|r| r.metric == id) {
        let Some(o) = old.get(&key(r)) else { continue };
        compared += 1;
        let moved = value_moved(o.value, r.value);
        let status = |s: Option<crate::results::RowStatus>| s.map(crate::results::RowStatus::as_str);
        let flip = status(o.status) != status(r.status);
        if !moved && !flip {
            continue;
        }
        flipped += usize::from(flip);
        if moved {
            periods.insert(r.period.clone());
        }
        let delta = o.value.zip(r.value).map(|(a, b)| b - a);
        rows.push(Move {
            site: r.site.to_string(),
            dims: r.dims.clone(),
            period: r.period.clone(),
            before: o.value,
            after: r.value,
            delta,
            relative: delta.zip(o.value).and_then(|(d, a)| (a != 0.0).then(|| d / a)),
            status_before: status(o.status),
            status_after: status(r.status),
        });
    }
    // Value moves first, largest first (one that appears or vanishes counting as the
    // largest); rows whose status alone flipped after them.
    let size = |m: &Move| match value_moved(m.before, m.after) {
        true => m.delta.map_or(f64::INFINITY, f64::abs),
        false => -1.0,
    };
    rows.sort_by(|a, b| size(b).total_cmp(&size(a)));
    Moves { periods_changed: periods.len(), rows_compared: compared, rows, statuses_flipped: flipped }
}

/// Whether a value moved: it appeared, vanished, or changed beyond float noise.
pub fn value_moved(before: Option<f64>, after: Option<f64>) -> bool {
    match (before, after) {
        (Some(a), Some(b)) => (a - b).abs() > 1e-9 * a.abs().max(1.0),
        (a, b) => a.is_some() != b.is_some(),
    }
}

impl Moves {
    /// The largest move of a value, if any value moved.
    pub fn largest(&self) -> Option<&Move> {
        self.rows.iter().find(|r| value_moved(r.before, r.after))
    }
}
