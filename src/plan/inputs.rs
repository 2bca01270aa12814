//! What a back end reads, and how: the project's folder, every site with its bindings,
//! time zone and code mappings, every source's schema, the vocabularies codes are checked
//! against, the policy for codes not mapped, and the durations the data rules check.
//! Nothing about metrics: a back end needs these and the plan, never the definition set
//! or the project whole.

use crate::ir::{Binding, DefinitionSet, MetricBody, Project, Site, Source, Unmapped, Vocabulary};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

#[derive(Clone)]
pub struct Inputs<'a> {
    /// The project's folder: bindings name files relative to it.
    pub root: &'a Path,
    pub sites: &'a [Site],
    /// The project's bindings, by source (a site may bind a source its own way).
    pub bindings: &'a BTreeMap<String, Binding>,
    pub unmapped: Unmapped,
    pub sources: &'a BTreeMap<String, Source>,
    pub vocabularies: &'a BTreeMap<String, Vocabulary>,
    /// Per source, the (start, end) column pairs the set's metrics measure durations
    /// between, each once: an end before its start is a data error there.
    durations: BTreeMap<String, Vec<(String, String)>>,
}

impl<'a> Inputs<'a> {
    /// The inputs of `project` over `set`.
    pub fn new(project: &'a Project, set: &'a DefinitionSet) -> Inputs<'a> {
        Inputs {
            root: &project.root,
            sites: &project.sites,
            bindings: &project.bindings,
            unmapped: project.unmapped,
            sources: &set.sources,
            vocabularies: &set.vocabularies,
            durations: durations(set),
        }
    }

    /// How `site` exports `source`: its own binding, else the project's; none when the
    /// site says it has no such export.
    pub fn binding(&self, source: &str, site: &'a Site) -> Option<&'a Binding> {
        crate::ir::binding_of(self.bindings, source, site)
    }

    /// Every bound source, in name order.
    pub fn bound_sources(&self) -> BTreeSet<&'a str> {
        crate::ir::bound_sources_of(self.bindings, self.sites)
    }

    /// The (start, end) column pairs the set's metrics measure durations between in
    /// `source`: an end before its start is a data error there.
    pub fn durations(&self, source: &str) -> &[(String, String)] {
        self.durations.get(source).map_or(&[], Vec::as_slice)
    }
}

/// Per source, the (start, end) column pairs the set's metrics measure durations between.
fn durations(set: &DefinitionSet) -> BTreeMap<String, Vec<(String, String)>> {
    let mut out: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for m in &set.metrics {
        if let MetricBody::Base(b) = &m.body {
            out.entry(b.source.clone()).or_default().extend(b.durations());
        }
    }
    for pairs in out.values_mut() {
        pairs.sort();
        pairs.dedup();
    }
    out
}
