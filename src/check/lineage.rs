//! What a metric's numbers depend on: the sources, columns, vocabularies, groups and
//! metrics it reads. `explain` prints it; the catalog and fingerprints walk the same.

use crate::ir::{DefinitionSet, Metric, MetricBody, MetricId, TExpr, TExprKind};
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
                _ => {}
            });
        }
        l
    }
}
