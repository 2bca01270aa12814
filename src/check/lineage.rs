//! What a metric's numbers depend on: the sources, columns, vocabularies, groups and
//! metrics it reads. `explain` prints it; the catalog and fingerprints walk the same.

use crate::ir::{AttributeValue, DefinitionSet, Metric, MetricBody, MetricId, RowFn, TExpr, TExprKind, attribute_read};
use serde::Serialize;
use std::collections::BTreeSet;

#[derive(Debug, Default, PartialEq, Eq, Serialize)]
pub struct Lineage {
    /// The sources read: the metric's own first, then those it joins.
    pub sources: Vec<String>,
    /// Columns read in `where` and `value`, as written (`col`, or `join.col`).
    pub columns: BTreeSet<String>,
    /// Vocabularies whose terms or groups it uses.
    pub vocabularies: BTreeSet<String>,
    /// The groups it uses, expanded to their terms: a change of membership changes the
    /// numbers.
    pub groups: BTreeSet<Group>,
    /// The attributes of terms it reads, as (vocabulary, attribute): a change of a term's
    /// value changes the numbers.
    #[serde(skip_serializing_if = "BTreeSet::is_empty")]
    pub attributes: BTreeSet<(String, String)>,
    /// The metrics a derived metric combines.
    pub inputs: Vec<MetricId>,
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Group {
    pub vocabulary: String,
    pub group: String,
    pub terms: Vec<String>,
}

impl Metric {
    /// The metric's expressions: `where` and `value`, or a derived metric's `value`.
    pub fn expressions(&self) -> Vec<&TExpr> {
        match &self.body {
            MetricBody::Base(b) => b.filter.iter().chain([&b.value]).collect(),
            MetricBody::Derived { value, .. } => vec![value],
        }
    }

    /// The groups it uses with their terms, then the attributes it reads with each term's
    /// value, one line each: what `explain` and the catalog show under the formula.
    pub fn expansions(&self, set: &DefinitionSet) -> Vec<String> {
        let l = self.lineage(set);
        let groups = l.groups.iter().map(|g| format!("{}.{} = {}", g.vocabulary, g.group, g.terms.join(", ")));
        let attributes = l.attributes.iter().filter_map(|(v, a)| {
            let values: Vec<String> = set
                .vocabularies
                .get(v)?
                .terms
                .iter()
                .filter_map(|t| {
                    let value = match t.attributes.get(a)? {
                        AttributeValue::Number(n) => n.to_string(),
                        AttributeValue::Terms(terms) if terms.is_empty() => "none".to_string(),
                        AttributeValue::Terms(terms) => terms.join(", "),
                    };
                    Some(format!("{} = {value}", t.code))
                })
                .collect();
            Some(format!("{v} \"{a}\": {}", values.join("; ")))
        });
        groups.chain(attributes).collect()
    }

    pub fn lineage(&self, set: &DefinitionSet) -> Lineage {
        let mut l = Lineage::default();
        match &self.body {
            MetricBody::Base(b) => {
                let source = &set.sources[&b.source];
                l.sources.push(b.source.clone());
                l.sources.extend(b.joins_used().iter().filter_map(|j| source.join(j)).map(|j| j.source.clone()));
            }
            MetricBody::Derived { inputs, .. } => l.inputs = inputs.clone(),
        }
        for e in self.expressions() {
            e.walk(&mut |x| match &x.kind {
                TExprKind::TermSet { vocab, group, terms } => {
                    let group = Group { vocabulary: vocab.clone(), group: group.clone(), terms: terms.clone() };
                    l.groups.insert(group);
                    l.vocabularies.insert(vocab.clone());
                }
                TExprKind::Term { vocab, .. } => {
                    l.vocabularies.insert(vocab.clone());
                }
                TExprKind::Column(c) => {
                    l.columns.insert(c.to_string());
                }
                TExprKind::Call { func: RowFn::Attribute, args } => {
                    if let Some((v, name)) = attribute_read(args) {
                        l.attributes.insert((v.to_string(), name.to_string()));
                        l.vocabularies.insert(v.to_string());
                    }
                }
                _ => {}
            });
        }
        l
    }
}
