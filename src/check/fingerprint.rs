//! Fingerprints and the project hash (docs/manifest.md and docs/commands.md): blake3 over a canonical
//! form of the resolved IR, never over the YAML, so that formatting, key order, titles,
//! descriptions, owners, caveats and references change nothing, and anything that can
//! change a computed value or a status changes the hash.
//!
//! A metric's fingerprint covers what the definition set decides: the columns it reads
//! (with the join keys, snapshot columns and the dates that decide which rows are known
//! as of a day) and their types, `where`, `value`, `time`, `grain`, `by`, joins, `unit`,
//! the terms, order and deprecated codes of every vocabulary it reads and the groups it
//! uses, the fingerprints of a derived metric's parts (their values' part: a part's
//! thresholds do not move a derived metric), and `direction`, `target`, `thresholds`,
//! `window`, `min_n` and `exposure` (the last three only when set).
//! Only what can change a number or a status is in it: of the unit, whether it is `%`;
//! of a target, its change or value, not its `by` date; of an unordered vocabulary, its
//! terms, not their order.
//! What the project decides is in the project hash.

use crate::ir::{
    BaseMetric, ColumnRef, ColumnType, DefinitionSet, Metric, MetricBody, MetricId, Project, Source, TExpr, TExprKind,
};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Per metric, the fingerprint of what its values mean (its decision criteria left out),
/// and its fingerprint.
#[derive(Clone, Debug, Default)]
pub struct Prints {
    /// Two metrics whose value prints agree compute the same numbers.
    pub values: BTreeMap<MetricId, String>,
    /// The fingerprint of every metric of the set, by id. A derived metric reads its
    /// parts' values, not their statuses: it takes in each part's fingerprint without the
    /// part's decision criteria, so that a part's new thresholds move the part alone.
    pub fingerprints: BTreeMap<MetricId, String>,
}

/// The prints of every metric of `set` (the checked set carries them: `Checked::prints`).
pub(super) fn prints(set: &DefinitionSet) -> Prints {
    // Derived metrics come after their parts in the set.
    let mut values: BTreeMap<MetricId, String> = BTreeMap::new();
    let mut prints = BTreeMap::new();
    for m in &set.metrics {
        let mut meaning = meaning(set, m, &values);
        let criteria = meaning.criteria.take();
        values.insert(m.id.clone(), hash(serde_json::to_string(&meaning).expect("a meaning serializes").as_bytes()));
        meaning.criteria = criteria;
        prints.insert(m.id.clone(), hash(serde_json::to_string(&meaning).expect("a meaning serializes").as_bytes()));
    }
    Prints { values, fingerprints: prints }
}

/// The project hash: what the project decides (sites, rollouts, time zones, mappings,
/// coverage, baseline rule, bindings and dialects, calendar, start, context), in a form
/// that does not depend on where the project lies or on the order it lists them in.
pub(super) fn project_hash(project: &Project) -> String {
    let mut value = serde_json::to_value(project).expect("a project serializes");
    if let Some(object) = value.as_object_mut() {
        object.remove("root");
        if let Some(serde_json::Value::Array(sites)) = object.get_mut("sites") {
            sites.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
        }
        // Lists whose order means nothing: sorted by their canonical text.
        for list in ["context", "reports"] {
            if let Some(serde_json::Value::Array(items)) = object.get_mut(list) {
                items.sort_by_key(canonical);
            }
        }
    }
    hash(canonical(&value).as_bytes())
}

/// `blake3:` and the hex digest.
pub fn hash(bytes: &[u8]) -> String {
    format!("blake3:{}", blake3::hash(bytes).to_hex())
}

/// JSON with every object's keys sorted.
fn canonical(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Object(map) => {
            let sorted: BTreeMap<&String, String> = map.iter().map(|(k, v)| (k, canonical(v))).collect();
            let fields: Vec<String> =
                sorted.iter().map(|(k, v)| format!("{}:{v}", serde_json::Value::from(k.as_str()))).collect();
            format!("{{{}}}", fields.join(","))
        }
        serde_json::Value::Array(items) => format!("[{}]", items.iter().map(canonical).collect::<Vec<_>>().join(",")),
        other => other.to_string(),
    }
}

#[derive(Serialize)]
struct Meaning<'a> {
    grain: &'a str,
    /// Whether the unit is `%`, which makes deltas points; other units are words.
    percent: bool,
    body: Body<'a>,
    /// Vocabulary name to its codes in order and its deprecated codes.
    vocabularies: BTreeMap<&'a str, Vocab<'a>>,
    /// The groups used, with their terms.
    groups: BTreeSet<(String, String, Vec<String>)>,
    /// The attributes of terms read (vocabulary, attribute), with each term's value;
    /// absent, it hashes as before attributes existed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    attributes: Vec<((String, String), TermValues<'a>)>,
    /// What decides its statuses.
    criteria: Option<Criteria<'a>>,
    /// The scope of sites it applies to; absent, it hashes as before scopes existed.
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<&'a str>,
}

/// Each term's value of an attribute, in the vocabulary's order.
type TermValues<'a> = Vec<(&'a str, Option<&'a crate::ir::AttributeValue>)>;

#[derive(Serialize)]
struct Criteria<'a> {
    direction: &'a crate::ir::Direction,
    /// The target's change or value; its `by` date decides no status.
    target: Option<(&'static str, f64)>,
    thresholds: Vec<(&'a crate::ir::Status, String)>,
    /// `window` and `min_n` change statuses; absent, they hash as before they existed.
    #[serde(skip_serializing_if = "Option::is_none")]
    window: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    min_n: Option<u32>,
    /// The flow a count or sum is judged per; absent, it hashes as before it existed.
    #[serde(skip_serializing_if = "Option::is_none")]
    exposure: Option<&'a str>,
}

#[derive(Serialize)]
enum Body<'a> {
    Base {
        source: &'a str,
        time: &'a crate::ir::TimeSemantics,
        filter: Option<String>,
        value: String,
        by: Vec<String>,
        /// Join name to (joined source, column).
        joins: BTreeMap<&'a str, (&'a str, &'a str)>,
        /// Join name to what a row without a partner does, where that is not the default
        /// (an error, which moves no number); absent, it hashes as before it existed.
        #[serde(skip_serializing_if = "BTreeMap::is_empty")]
        on_missing: BTreeMap<&'a str, &'a str>,
        /// Per source read: its key, snapshot column and the columns that matter.
        sources: BTreeMap<&'a str, SourceMeaning<'a>>,
    },
    Derived {
        value: String,
        /// Each part's fingerprint without its decision criteria.
        inputs: BTreeMap<&'a str, String>,
    },
}

#[derive(Serialize)]
struct SourceMeaning<'a> {
    key: &'a Option<String>,
    snapshot: &'a Option<String>,
    /// A source read as dated revisions: which revision a build reads.
    #[serde(skip_serializing_if = "Option::is_none")]
    history: &'a Option<crate::ir::History>,
    /// Column to (type, nullable, planned).
    columns: BTreeMap<&'a str, (&'a ColumnType, bool, bool)>,
}

#[derive(Serialize)]
struct Vocab<'a> {
    ordered: bool,
    /// Sorted unless the vocabulary is ordered: only then does the order mean anything.
    terms: Vec<&'a str>,
    deprecated: &'a BTreeMap<String, String>,
}

fn meaning<'a>(set: &'a DefinitionSet, m: &'a Metric, done: &BTreeMap<MetricId, String>) -> Meaning<'a> {
    let lineage = m.lineage(set);
    let named = lineage.vocabularies.iter().filter_map(|v| set.vocabularies.get_key_value(v).map(|(k, _)| k.as_str()));
    let mut vocabularies: BTreeSet<&str> = named.collect();
    let body = match &m.body {
        MetricBody::Base(b) => base(set, b, &mut vocabularies),
        MetricBody::Derived { value, inputs } => Body::Derived {
            value: value.canonical_text(),
            inputs: inputs.iter().map(|i| (i.0.as_str(), done.get(i).cloned().unwrap_or_default())).collect(),
        },
    };
    let vocabularies = vocabularies
        .into_iter()
        .filter_map(|name| set.vocabularies.get(name).map(|v| (name, v)))
        .map(|(name, v)| {
            let mut terms: Vec<&str> = v.terms.iter().map(|t| t.code.as_str()).collect();
            if !v.ordered {
                terms.sort_unstable();
            }
            (name, Vocab { ordered: v.ordered, terms, deprecated: &v.deprecated })
        })
        .collect();
    let groups = lineage.groups.into_iter().map(|g| (g.vocabulary, g.group, g.terms)).collect();
    let attributes = lineage
        .attributes
        .into_iter()
        .filter_map(|(v, a)| {
            let vocab = set.vocabularies.get(&v)?;
            let values = vocab.terms.iter().map(|t| (t.code.as_str(), t.attributes.get(&a))).collect();
            Some(((v, a), values))
        })
        .collect();
    Meaning {
        grain: m.grain.as_str(),
        percent: m.unit == "%",
        body,
        vocabularies,
        groups,
        attributes,
        scope: m.scope.as_deref(),
        criteria: Some(Criteria {
            direction: &m.direction,
            target: m.target.as_ref().map(|t| match t {
                crate::ir::Target::Change { change, .. } => ("change", *change),
                crate::ir::Target::Value { value, .. } => ("value", *value),
            }),
            thresholds: m.thresholds.iter().map(|t| (&t.status, t.condition.canonical_text())).collect(),
            window: m.window,
            min_n: m.min_n,
            exposure: m.exposure.as_ref().map(MetricId::as_str),
        }),
    }
}

/// A base metric's meaning; the vocabularies of the columns it reads are added.
fn base<'a>(set: &'a DefinitionSet, b: &'a BaseMetric, vocabularies: &mut BTreeSet<&'a str>) -> Body<'a> {
    let source = &set.sources[&b.source];
    let mut read: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut joins = BTreeMap::new();
    let mut on_missing = BTreeMap::new();
    read.entry(&source.name).or_default().insert(b.time.column());
    if let crate::ir::TimeSemantics::Open { close: Some(c), .. } = &b.time {
        read.entry(&source.name).or_default().insert(c);
    }
    let mut add = |c: &'a ColumnRef| match &c.join {
        None => {
            read.entry(&source.name).or_default().insert(&c.column);
        }
        Some(j) => {
            if let Some(join) = source.join(j) {
                joins.insert(join.name.as_str(), (join.source.as_str(), join.on.as_str()));
                if join.on_missing != crate::ir::OnMissing::Error {
                    on_missing.insert(join.name.as_str(), join.on_missing.as_str());
                }
                read.entry(&source.name).or_default().insert(&join.on);
                let joined = read.entry(&join.source).or_default();
                joined.insert(&c.column);
                if let Some(key) = &set.sources[&join.source].key {
                    joined.insert(key);
                }
            }
        }
    };
    for e in b.filter.iter().chain([&b.value]) {
        e.walk(&mut |x| {
            if let TExprKind::Column(c) = &x.kind {
                add(c);
            }
        });
    }
    b.by.iter().for_each(&mut add);
    let sources = read
        .into_iter()
        .map(|(name, columns)| {
            let s = &set.sources[name];
            (name, source_meaning(s, &columns, vocabularies))
        })
        .collect();
    Body::Base {
        source: &b.source,
        time: &b.time,
        filter: b.filter.as_ref().map(TExpr::canonical_text),
        value: b.value.canonical_text(),
        by: b.by.iter().map(ToString::to_string).collect(),
        joins,
        on_missing,
        sources,
    }
}

/// The columns of `s` that matter: those read, its snapshot column, and the dates that
/// decide what is known as of a day (every date a row records).
fn source_meaning<'a>(s: &'a Source, read: &BTreeSet<&str>, vocabularies: &mut BTreeSet<&'a str>) -> SourceMeaning<'a> {
    let dates = s.recorded_dates().map(|c| c.name.as_str());
    let deleted = s.history.as_ref().and_then(|h| h.deleted.as_deref());
    let names: BTreeSet<&str> = read.iter().copied().chain(s.snapshot.as_deref()).chain(dates).chain(deleted).collect();
    let mut columns = BTreeMap::new();
    for c in s.columns.iter().filter(|c| names.contains(c.name.as_str())) {
        columns.insert(c.name.as_str(), (&c.ty, c.nullable, c.planned));
        if let ColumnType::Vocab(v) = &c.ty {
            vocabularies.insert(v);
        }
        if let ColumnType::List(inner) = &c.ty
            && let ColumnType::Vocab(v) = inner.as_ref()
        {
            vocabularies.insert(v);
        }
    }
    SourceMeaning { key: &s.key, snapshot: &s.snapshot, history: &s.history, columns }
}
