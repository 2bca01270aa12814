//! A checked definition set and its controlled vocabularies.

use super::*;

/// A checked definition set.
#[derive(Debug, Serialize)]
pub struct DefinitionSet {
    pub name: String,
    pub version: semver::Version,
    /// Where `set.yaml` writes the version.
    #[serde(skip)]
    pub version_at: Option<Span>,
    pub description: Option<String>,
    pub root: PathBuf,
    pub vocabularies: BTreeMap<String, Vocabulary>,
    pub sources: BTreeMap<String, Source>,
    /// Scope name to what puts a site in it (`nis2`: in scope of the NIS2 Directive).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub scopes: BTreeMap<String, String>,
    /// Every metric, each after the metrics it is derived from; the project's own metrics
    /// (`local`) among them.
    pub metrics: Vec<Metric>,
    /// The metrics `order:` in set.yaml lists first wherever metrics are shown to people
    /// ([`DefinitionSet::in_order`]); it moves no number.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub order: Vec<MetricId>,
    /// The texts of its report templates by key and language (`reports/messages.yaml`):
    /// words, not meaning.
    #[serde(skip)]
    pub messages: Messages,
}

/// A message catalog: key, then language (`en`, `de`), then text.
pub type Messages = BTreeMap<String, BTreeMap<String, String>>;

impl DefinitionSet {
    /// How reports and `check` name the definitions: the set, and the project's own
    /// metrics when it adds some.
    pub fn describe(&self) -> String {
        let set = format!("definition set {} {}", self.name, self.version);
        match self.metrics.iter().filter(|m| m.local).count() {
            0 => set,
            1 => format!("{set} plus 1 project metric"),
            n => format!("{set} plus {n} project metrics"),
        }
    }

    /// Every metric in the order people read them: those `order:` lists, in its order,
    /// then the others in file order.
    pub fn in_order(&self) -> Vec<&Metric> {
        let listed = self.order.iter().filter_map(|id| self.metric(id.as_str()));
        let rest = self.metrics.iter().filter(|m| !self.order.contains(&m.id));
        listed.chain(rest).collect()
    }

    pub fn metric(&self, id: &str) -> Option<&Metric> {
        self.metrics.iter().find(|m| m.id.as_str() == id)
    }

    /// The parts of derived metric `m` when they share their events (docs/semantics.md,
    /// "Derived metrics over shared events"): each an event count or sum over the very same
    /// rows (one source, time column and `where`, no `by`), the sums all of one amount, so
    /// that their covariance is known; in the order of its inputs.
    pub fn shared_event_parts(&self, m: &Metric) -> Option<Vec<&Metric>> {
        let MetricBody::Derived { inputs, .. } = &m.body else { return None };
        let parts: Vec<&Metric> = inputs.iter().map(|i| self.metric(i.as_str())).collect::<Option<_>>()?;
        fn base(p: &Metric) -> Option<&BaseMetric> {
            match &p.body {
                MetricBody::Base(b) => Some(b),
                MetricBody::Derived { .. } => None,
            }
        }
        let rows = |p: &Metric| {
            let b = base(p)?;
            // A count of every row (`count()`, not `count(cond)`: its covariance with the
            // other parts would need the rows both count), or a sum; not judged per an
            // exposure (its baseline is then per that flow, not per period).
            let every_row = |e: &TExpr| {
                let mut all = true;
                e.walk(&mut |x: &TExpr| {
                    if let TExprKind::Aggregate { func: AggFn::Count, args } = &x.kind {
                        all &= args.is_empty();
                    }
                });
                all
            };
            let flow = matches!(p.body.judged_aggregate(), Some(AggFn::Count | AggFn::Sum)) && every_row(&b.value);
            (flow && b.by.is_empty() && p.grain == m.grain && p.exposure.is_none())
                .then(|| (b.source.clone(), b.time.clone(), b.filter.as_ref().map(TExpr::canonical_text)))
        };
        let first = rows(parts.first()?)?;
        // The amounts summed, wherever the sum sits in the value (`sum(x) / 60`).
        let mut amounts: BTreeSet<String> = BTreeSet::new();
        for b in parts.iter().filter_map(|p| base(p)) {
            b.value.walk(&mut |e: &TExpr| {
                if let TExprKind::Aggregate { func: AggFn::Sum, args } = &e.kind {
                    amounts.extend(args.first().map(TExpr::canonical_text));
                }
            });
        }
        let same = parts.iter().all(|p| rows(p).as_ref() == Some(&first));
        (same && amounts.len() <= 1).then_some(parts)
    }

    /// Every metric's id, in the set's order.
    pub fn ids(&self) -> Vec<MetricId> {
        self.metrics.iter().map(|m| m.id.clone()).collect()
    }

    /// Every source a metric reads: its own and its joins' for a base metric, its inputs'
    /// for a derived one. A metric over a source a project lacks is not collected there.
    pub fn sources_read(&self, id: &str) -> BTreeSet<&str> {
        let mut read = BTreeSet::new();
        // Metrics still to visit, and those seen: a set with a cycle is still being checked.
        let (mut todo, mut seen) = (vec![id], BTreeSet::new());
        while let Some(id) = todo.pop() {
            if !seen.insert(id) {
                continue;
            }
            match self.metric(id).map(|m| &m.body) {
                Some(MetricBody::Base(b)) => {
                    read.insert(b.source.as_str());
                    let Some(source) = self.sources.get(&b.source) else { continue };
                    read.extend(b.joins_used().iter().filter_map(|j| source.join(j)).map(|j| j.source.as_str()));
                }
                Some(MetricBody::Derived { inputs, .. }) => todo.extend(inputs.iter().map(|i| i.0.as_str())),
                None => {}
            }
        }
        read
    }
}

/// A controlled vocabulary (docs/definition-set.md, vocabularies).
#[derive(Debug, Serialize)]
pub struct Vocabulary {
    pub name: String,
    pub version: u32,
    /// Where the file writes its version (its name, when it gives none).
    #[serde(skip)]
    pub version_at: Option<Span>,
    pub title: Option<String>,
    pub description: Option<String>,
    /// In the order written; for an ordered vocabulary, highest first.
    pub terms: Vec<Term>,
    pub ordered: bool,
    /// Group name to its terms, nested groups expanded.
    pub groups: BTreeMap<String, Vec<String>>,
    /// Old code to the term that replaces it.
    pub deprecated: BTreeMap<String, String>,
    /// Data its terms carry (the controls an asset class requires), read in expressions
    /// through `attribute(column, "name")`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<Attribute>,
}

impl Vocabulary {
    pub fn has_term(&self, code: &str) -> bool {
        self.terms.iter().any(|t| t.code == code)
    }

    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }
}

#[derive(Debug, Serialize)]
pub struct Term {
    pub code: String,
    pub label: Option<String>,
    pub definition: Option<String>,
    /// Its values of the vocabulary's attributes; an attribute it does not give is empty.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, AttributeValue>,
}

/// An attribute of a vocabulary's terms: a number (`int`, `float`) or a list of terms of a
/// vocabulary (`{list: {vocab: control}}`).
#[derive(Debug, Serialize)]
pub struct Attribute {
    pub name: String,
    pub ty: ColumnType,
    pub description: Option<String>,
}

/// A term's value of an attribute; a list's groups are expanded to their terms.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum AttributeValue {
    Number(f64),
    Terms(Vec<String>),
}
