//! What a report template receives (docs/reports.md lists every name): the report, the
//! definitions and the manifest, the sites, every metric with its results at the report's
//! grain and its charts, the context events, the vocabularies and the source schemas.
//!
//! A report about one site holds that site alone (with the pooled `all` rows): the work
//! of rendering a scorecard per site stays the same however many sites the project has.
//! What every report shares is made once per build ([`Shared`], [`Index`]).

use super::chart::{self, Aligned, Panel, Point, Trend};
use crate::check::Checked;
use crate::ir::{
    AggFn, ColumnRef, ColumnType, ContextEvent, DefinitionSet, Grain, Metric, MetricBody, MetricId, Site, SiteRef,
    TExpr, Vocabulary,
};
use crate::manifest::Manifest;
use crate::results::{ResultRow, Results, trend::TrendRow};
use chrono::NaiveDate;
use minijinja::Value;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

#[derive(Serialize)]
pub struct Context<'a> {
    /// `markdown` or `html`.
    pub format: &'static str,
    pub report: ReportInfo,
    pub definitions: Value,
    pub manifest: Value,
    pub sites: Vec<SiteInfo<'a>>,
    pub metrics: Vec<MetricInfo<'a>>,
    pub events: Vec<EventInfo<'a>>,
    pub vocabularies: Value,
    pub sources: Value,
    /// Over every metric the report shows: how many rows are judged and what they show.
    pub judged: Judged,
    /// The answer first: a line per metric at the report's site (or `all`) and the
    /// sentences under it.
    pub glance: super::glance::Glance,
}

/// How many of the rows a report shows are judged against their baseline, how many of them
/// are `better` and `worse`, and how many of each chance alone would give when nothing
/// changed (issue #25: by chance alone some rows of many will say better or worse).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Judged {
    pub rows: usize,
    pub better: usize,
    pub worse: usize,
    /// `rows × (1 - confidence) / 2`: the rows chance alone would call better, and as many
    /// worse.
    pub chance: f64,
}

impl Judged {
    fn of<'r>(rows: impl Iterator<Item = &'r ResultRow>, confidence: f64) -> Judged {
        let mut j = Judged::default();
        for change in rows.filter_map(|r| r.change) {
            j.rows += 1;
            j.better += usize::from(change == crate::stats::Change::Better);
            j.worse += usize::from(change == crate::stats::Change::Worse);
        }
        j.chance = j.rows as f64 * (1.0 - confidence) / 2.0;
        j
    }
}

impl Context<'_> {
    /// The result rows, aligned lines, sites and events it holds: the rows the census
    /// ([`crate::census`]) counts as rendered.
    pub fn rows(&self) -> usize {
        let metrics: usize = self.metrics.iter().map(|m| m.rows.len() + m.aligned.sites.len()).sum();
        metrics + self.sites.len() + self.events.len()
    }
}

/// What every report of a build holds alike, made into template values once.
pub struct Shared {
    manifest: Value,
    definitions: Value,
    vocabularies: Value,
    sources: Value,
    prints: BTreeMap<MetricId, String>,
    /// Each site's place in the project's list, by id.
    site_at: HashMap<String, usize>,
    /// The places of the context events in the project's list, by site (`all`: the
    /// events of every site).
    events_at: HashMap<String, Vec<usize>>,
}

impl Shared {
    pub fn new(checked: &Checked, manifest: &Manifest) -> Shared {
        let set = &checked.set;
        let definitions = Definitions {
            name: set.name.clone(),
            version: set.version.to_string(),
            describe: set.describe(),
            project_metrics: set.metrics.iter().filter(|m| m.local).map(|m| m.id.to_string()).collect(),
        };
        let vocabularies: Vec<VocabInfo> = set
            .vocabularies
            .values()
            .map(|v| VocabInfo {
                name: &v.name,
                title: v.title.as_deref(),
                description: v.description.as_deref(),
                ordered: v.ordered,
                terms: &v.terms,
                groups: &v.groups,
            })
            .collect();
        let project = checked.project.as_ref();
        let mut events_at: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, e) in project.iter().flat_map(|p| p.context.iter().enumerate()) {
            events_at.entry(e.site.clone().unwrap_or_else(|| SiteRef::ALL.to_string())).or_default().push(i);
        }
        Shared {
            manifest: Value::from(minijinja::value::Serde(manifest)),
            definitions: Value::from(minijinja::value::Serde(&definitions)),
            vocabularies: Value::from(minijinja::value::Serde(&vocabularies)),
            sources: Value::from(minijinja::value::Serde(set.sources.values().collect::<Vec<_>>())),
            prints: checked.prints.fingerprints.clone(),
            site_at: project
                .iter()
                .flat_map(|p| p.sites.iter().enumerate())
                .map(|(i, s)| (s.id.to_string(), i))
                .collect(),
            events_at,
        }
    }
}

/// A result row, and the template value it is made into once per build, whichever
/// reports show it.
#[derive(Clone)]
pub struct Row<'a> {
    data: &'a ResultRow,
    template: Value,
}

impl std::ops::Deref for Row<'_> {
    type Target = ResultRow;

    fn deref(&self) -> &ResultRow {
        self.data
    }
}

impl Serialize for Row<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.template.serialize(serializer)
    }
}

/// A results table's rows by metric, and by metric and site, each in table order: what
/// the reports of a build look their rows up in, made once.
pub struct Index<'a> {
    by_metric: HashMap<&'a MetricId, Vec<Row<'a>>>,
    by_site: HashMap<&'a MetricId, HashMap<&'a str, Vec<Row<'a>>>>,
    /// Each metric's trends since rollout, in the order computed.
    trends: HashMap<&'a MetricId, Vec<TrendLine>>,
    /// Each metric's trend at a site without dimensions, by metric and site.
    trend_at: HashMap<&'a str, HashMap<&'a str, &'a TrendRow>>,
}

/// A metric's trend since rollout at one site (and dimension value), in words.
#[derive(Clone, Serialize)]
pub struct TrendLine {
    /// The site, and the dimension values: `lyon`, `all line=L1`.
    pub at: String,
    /// `-12.0% a year (-30.1% to +8.4%), 12 periods, 2023-Q1 to 2025-Q4`, then the note.
    pub text: String,
}

impl<'a> Index<'a> {
    /// The index of `results`; for a project of a `single` site, without the pooled `all`
    /// rows and trends, which would repeat the site's (results.csv keeps them).
    pub fn new(results: &'a Results, single: bool) -> Index<'a> {
        let mut index = Index {
            by_metric: HashMap::new(),
            by_site: HashMap::new(),
            trends: HashMap::new(),
            trend_at: HashMap::new(),
        };
        for t in results.trends.iter().filter(|t| !single || t.site != SiteRef::All) {
            index.trends.entry(&t.metric).or_default().push(TrendLine { at: t.at(), text: t.describe() });
            if t.dims.is_empty() {
                index.trend_at.entry(t.metric.as_str()).or_default().insert(t.site.as_str(), t);
            }
        }
        for r in results.rows.iter().filter(|r| !single || r.site != SiteRef::All) {
            let row = Row { data: r, template: Value::from(minijinja::value::Serde(r)) };
            index.by_metric.entry(&r.metric).or_default().push(row.clone());
            index.by_site.entry(&r.metric).or_default().entry(r.site.as_str()).or_default().push(row);
        }
        index
    }

    fn rows(&self, metric: &MetricId) -> &[Row<'a>] {
        self.by_metric.get(metric).map_or(&[], Vec::as_slice)
    }

    fn trends(&self, metric: &MetricId) -> Vec<TrendLine> {
        self.trends.get(metric).cloned().unwrap_or_default()
    }

    fn at(&self, metric: &MetricId, site: &str) -> &[Row<'a>] {
        self.by_site.get(metric).and_then(|sites| sites.get(site)).map_or(&[], Vec::as_slice)
    }
}

#[derive(Clone, Serialize)]
pub struct ReportInfo {
    pub name: String,
    /// `month`, `quarter` or `year`; `null` when each metric keeps its own grain.
    pub grain: Option<&'static str>,
    /// The one site this report is about, if any.
    pub site: Option<String>,
    /// Only the metrics with one of these tags, when given.
    pub tags: Vec<String>,
    /// The latest whole period at the report's grain: its label, first and last day.
    pub period: Option<String>,
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
    pub as_of: NaiveDate,
    /// The confidence of the intervals statuses are judged on.
    pub confidence: f64,
    /// The report's period is judged to date: its days so far (`None` when whole).
    pub to_date: Option<u32>,
}

impl ReportInfo {
    /// Whether the report shows `r` as its period's: a whole period, or the period judged
    /// to date where it was (not where its data covers too little and it waits).
    pub fn shows(&self, r: &ResultRow) -> bool {
        let judged = r.status != Some(crate::results::RowStatus::Pending);
        !r.partial || (self.to_date.is_some() && self.period_end == Some(r.period_end) && judged)
    }
}

#[derive(Serialize)]
pub struct Definitions {
    pub name: String,
    pub version: String,
    /// `definition set NAME VERSION`, with `plus N project metrics` when there are some.
    pub describe: String,
    pub project_metrics: Vec<String>,
}

#[derive(Serialize)]
pub struct SiteInfo<'a> {
    pub id: &'a str,
    pub title: Option<&'a str>,
    pub rollout: Option<NaiveDate>,
    pub timezone: &'static str,
    /// Source to where its data starts and ends, and how it is collected.
    pub coverage: &'a BTreeMap<String, crate::ir::Coverage>,
    /// The sources the site does not export.
    pub absent: Vec<&'a str>,
    /// The site lints of its baseline window it is exempt from, each with the reason.
    pub allow: &'a [crate::ir::Allow],
}

#[derive(Serialize)]
pub struct MetricInfo<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub description: Option<&'a str>,
    pub information_need: Option<&'a str>,
    pub layer: &'static str,
    pub unit: &'a str,
    pub direction: &'a crate::ir::Direction,
    /// The metric's own grain (the report may compute it at another).
    pub grain: &'static str,
    pub owner: Option<&'a str>,
    pub caveats: Option<&'a str>,
    /// Why the definition stands as it is, where a reviewer would expect another.
    pub rationale: Option<&'a str>,
    pub references: Vec<String>,
    pub tags: &'a [String],
    /// Who reads it.
    pub audience: &'a [String],
    /// The pitfall lints it is exempt from, each with the reason.
    pub allow: &'a [crate::ir::Allow],
    pub version: u32,
    pub fingerprint: String,
    /// Defined by the project, not by the definition set.
    pub local: bool,
    pub formula: Formula<'a>,
    /// The vocabulary terms it depends on, by vocabulary.
    pub vocabularies: Vec<String>,
    /// Its rows at the report's grain, site by site (`all` last), then by dimension value and period.
    pub rows: Vec<Row<'a>>,
    /// Site (and `all`) to its row of the report's period; empty for a metric with `by`,
    /// whose rows are in `breakdown`.
    pub latest: BTreeMap<String, Row<'a>>,
    /// Per site, then `all`, its rows in period order; empty for a metric with `by`.
    pub series: Vec<Series<'a>>,
    /// For a metric with `by`: per site, then `all`, its rows of the latest whole period up
    /// to the report's, one per dimension value.
    pub breakdown: Vec<Breakdown<'a>>,
    /// Each site's quarterly values by quarters since its own rollout.
    pub aligned: AlignedTable,
    /// Site (and `all`) to its trend chart, an inline `<svg>` in a `<figure>` (HTML only).
    pub charts: BTreeMap<String, Value>,
    /// Every site against quarters since its own rollout, an inline `<svg>` (HTML only).
    pub aligned_chart: Option<Value>,
    /// Its rows of the report's latest periods: how many are judged, better and worse.
    pub judged: Judged,
    /// Its trends since rollout, per site and `all` (docs/semantics.md, "Trends").
    pub trends: Vec<TrendLine>,
}

/// A site's rows of one period, one per value of the metric's `by` dimensions.
#[derive(Serialize)]
pub struct Breakdown<'a> {
    pub site: String,
    pub period: String,
    pub parts: Vec<Part<'a>>,
}

/// One dimension value (several joined by ", "; an empty one as "(none)") and its row.
#[derive(Serialize)]
pub struct Part<'a> {
    pub label: String,
    pub row: Row<'a>,
}

#[derive(Serialize)]
pub struct Series<'a> {
    pub site: String,
    pub rows: Vec<Row<'a>>,
}

/// Quarters since each site's rollout (0 is the rollout's quarter) and, per site, its
/// value in each (none where it has none).
#[derive(Serialize, Default)]
pub struct AlignedTable {
    pub offsets: Vec<i64>,
    pub sites: Vec<AlignedRow>,
}

#[derive(Serialize)]
pub struct AlignedRow {
    pub site: String,
    pub values: Vec<Option<f64>>,
}

/// A metric's formula as written, and its time semantics in words.
#[derive(Serialize)]
pub struct Formula<'a> {
    pub source: Option<&'a str>,
    pub time: Option<String>,
    #[serde(rename = "where")]
    pub filter: Option<String>,
    pub value: String,
    pub by: Vec<String>,
    /// What a derived metric combines.
    pub inputs: Vec<&'a str>,
    /// The vocabulary groups used, `vocab.group = a, b, c`.
    pub groups: Vec<String>,
}

#[derive(Serialize)]
pub struct EventInfo<'a> {
    pub date: NaiveDate,
    /// A site id, or `all`.
    pub site: &'a str,
    pub kind: &'a str,
    pub text: &'a str,
    /// The label of the report-grain period it falls in.
    pub period: String,
}

#[derive(Serialize)]
pub struct VocabInfo<'a> {
    pub name: &'a str,
    pub title: Option<&'a str>,
    pub description: Option<&'a str>,
    pub ordered: bool,
    pub terms: &'a [crate::ir::Term],
    pub groups: &'a BTreeMap<String, Vec<String>>,
}

/// Everything about one rendering but the template.
pub struct Scope<'a> {
    pub checked: &'a Checked,
    /// The results at the report's grain.
    pub results: &'a Index<'a>,
    /// Quarterly results, for the rollout-aligned view.
    pub quarters: &'a Index<'a>,
    pub shared: &'a Shared,
    pub report: ReportInfo,
    pub html: bool,
    /// Where the HTML rendering keeps its charts until the page is made.
    pub trusted: &'a super::Trusted,
    /// The report's language and number format.
    pub words: &'a super::words::Words,
}

impl<'a> Scope<'a> {
    /// The sites the report shows: its one site, or every site.
    fn sites(&self) -> Vec<&'a Site> {
        let project = self.checked.project.as_ref().expect("reports are built for a project");
        match self.report.site.as_deref() {
            Some(id) => self.shared.site_at.get(id).map(|&i| &project.sites[i]).into_iter().collect(),
            None => project.sites.iter().collect(),
        }
    }

    /// The context events at `site` and at every site (`site` none: every event), in the
    /// project's order.
    fn events(&self, site: Option<&str>) -> Vec<&'a ContextEvent> {
        let project = self.checked.project.as_ref().expect("reports are built for a project");
        let Some(site) = site.filter(|s| *s != SiteRef::ALL) else { return project.context.iter().collect() };
        let at = |key: &str| self.shared.events_at.get(key).map_or(&[][..], Vec::as_slice);
        let mut places = [at(site), at(SiteRef::ALL)].concat();
        places.sort_unstable();
        places.into_iter().map(|i| &project.context[i]).collect()
    }
}

pub fn build<'a>(s: &Scope<'a>) -> Context<'a> {
    let set = &s.checked.set;
    let project = s.checked.project.as_ref().expect("reports are built for a project");
    let grain = s.report.grain;
    let in_report = |m: &&Metric| s.report.tags.is_empty() || m.tags.iter().any(|t| s.report.tags.contains(t));
    let metrics: Vec<MetricInfo> = (set.in_order().into_iter())
        .filter(in_report)
        .map(|m| metric(s, m, s.shared.prints.get(&m.id).cloned()))
        .collect();
    let mut judged = Judged::default();
    for m in &metrics {
        judged.rows += m.judged.rows;
        judged.better += m.judged.better;
        judged.worse += m.judged.worse;
        judged.chance += m.judged.chance;
    }
    let events: Vec<EventInfo> = s
        .events(s.report.site.as_deref())
        .into_iter()
        .map(|e| EventInfo {
            date: e.date,
            site: e.site.as_deref().unwrap_or(SiteRef::ALL),
            kind: &e.kind,
            text: &e.text,
            period: period_label(e.date, grain, project.fiscal_year_start),
        })
        .collect();
    // The site the answer is given for: the report's, the project's one site, or all.
    let at = match (&s.report.site, project.sites.as_slice()) {
        (Some(site), _) => site.clone(),
        (None, [one]) => one.id.to_string(),
        (None, _) => SiteRef::ALL.to_string(),
    };
    let trend = |metric: &str, site: &str| s.results.trend_at.get(metric).and_then(|at| at.get(site)).copied();
    let period = s.report.period_start.zip(s.report.period_end);
    let order = &s.checked.set.order;
    let headline = |id: &str| order.is_empty() || order.iter().any(|o| o.as_str() == id);
    let glance = super::glance::build(&at, &metrics, &trend, &headline, &events, period, s.words);
    Context {
        format: if s.html { "html" } else { "markdown" },
        report: s.report.clone(),
        definitions: s.shared.definitions.clone(),
        manifest: s.shared.manifest.clone(),
        sites: s.sites().into_iter().map(site).collect(),
        metrics,
        events,
        vocabularies: s.shared.vocabularies.clone(),
        sources: s.shared.sources.clone(),
        judged,
        glance,
    }
}

fn site(s: &Site) -> SiteInfo<'_> {
    SiteInfo {
        id: &s.id,
        title: s.title.as_deref(),
        rollout: s.rollout,
        timezone: s.timezone.name(),
        coverage: &s.coverage,
        absent: s.absent.iter().map(String::as_str).collect(),
        allow: &s.allow,
    }
}

fn metric<'a>(s: &Scope<'a>, m: &'a Metric, fingerprint: Option<String>) -> MetricInfo<'a> {
    let rows: Vec<Row> = match s.report.site.as_deref() {
        Some(site) => [s.results.at(&m.id, site), s.results.at(&m.id, SiteRef::ALL)].concat(),
        None => s.results.rows(&m.id).to_vec(),
    };
    // Per site, the latest whole period up to the report's.
    let mut latest: BTreeMap<String, Row> = BTreeMap::new();
    for r in rows.iter().filter(|r| s.report.shows(r) && s.report.period_end.is_none_or(|end| r.period_end <= end)) {
        let site = r.site.to_string();
        if latest.get(&site).is_none_or(|l| l.period_end < r.period_end) {
            latest.insert(site, r.clone());
        }
    }
    let lineage = m.lineage(&s.checked.set);
    let formula = formula(m, m.expansions(&s.checked.set));
    // A metric with `by` has a row per dimension value: one number per site would show one
    // value as if it were the metric's, so it is shown as a breakdown instead.
    let divided = !formula.by.is_empty();
    let vocabularies = dim_vocabularies(&s.checked.set, m);
    let breakdown = if divided { breakdown(&rows, &latest, &vocabularies) } else { Vec::new() };
    let shown = rows.iter().filter(|r| latest.get(&r.site.to_string()).is_some_and(|l| l.period == r.period));
    let judged = Judged::of(shown.map(|r| &**r), s.report.confidence);
    if divided {
        latest.clear();
    }
    let lines = if divided { Vec::new() } else { aligned_lines(s, m) };
    let title = s.words.say("chart.aligned", &[("title", &m.title)]);
    let aligned_chart =
        if s.html { chart::aligned(&title, &lines, &m.unit, s.words).map(|f| s.trusted.figure(f)) } else { None };
    let charts = match (s.html, divided) {
        (false, _) => BTreeMap::new(),
        (true, false) => charts(s, m, &rows),
        (true, true) => multiples(s, m, &formula.by, &vocabularies, &rows),
    };
    let series = if divided { Vec::new() } else { series(&rows) };
    MetricInfo {
        id: m.id.as_str(),
        title: &m.title,
        description: m.description.as_deref(),
        information_need: m.information_need.as_deref(),
        layer: m.layer.as_str(),
        unit: &m.unit,
        direction: &m.direction,
        grain: m.grain.as_str(),
        owner: m.owner.as_deref(),
        caveats: m.caveats.as_deref(),
        rationale: m.rationale.as_deref(),
        references: m.references.iter().map(ToString::to_string).collect(),
        tags: &m.tags,
        audience: &m.audience,
        allow: &m.allow,
        version: m.version,
        fingerprint: fingerprint.unwrap_or_default(),
        local: m.local,
        formula,
        vocabularies: lineage.vocabularies.into_iter().collect(),
        rows,
        latest,
        series,
        breakdown,
        aligned: aligned_table(&lines),
        charts,
        aligned_chart,
        judged,
        trends: s.results.trends(&m.id),
    }
}

/// Per site, `all` last, the rows of the period `latest` holds for it, one per dimension
/// value, labelled by their values (a term by its label).
fn breakdown<'a>(
    rows: &[Row<'a>],
    latest: &BTreeMap<String, Row>,
    vocabularies: &[Option<&Vocabulary>],
) -> Vec<Breakdown<'a>> {
    let mut out: Vec<Breakdown> = Vec::new();
    let mut at: HashMap<String, usize> = HashMap::new();
    for r in rows {
        let site = r.site.to_string();
        if latest.get(&site).is_none_or(|l| l.period != r.period) {
            continue;
        }
        let part = Part { label: dims_label(r, vocabularies), row: r.clone() };
        match at.get(&site) {
            Some(&i) => out[i].parts.push(part),
            None => {
                at.insert(site.clone(), out.len());
                out.push(Breakdown { site, period: r.period.clone(), parts: vec![part] });
            }
        }
    }
    out.sort_by_key(|b| b.site == SiteRef::ALL);
    out
}

/// A row's dimension values as a label: a vocabulary's term by its label (its code when
/// it has none), values joined by ", ", an empty one as "(none)".
fn dims_label(r: &ResultRow, vocabularies: &[Option<&Vocabulary>]) -> String {
    let label = |i: usize, code: &str| {
        let term = vocabularies.get(i).copied().flatten().and_then(|v| v.terms.iter().find(|t| t.code == code));
        term.and_then(|t| t.label.clone()).unwrap_or_else(|| code.to_string())
    };
    let each = r.dims.iter().enumerate().map(|(i, (_, v))| v.as_deref().map_or("(none)".to_string(), |c| label(i, c)));
    each.collect::<Vec<_>>().join(", ")
}

/// Per `by` dimension of a metric, the vocabulary its values are terms of (none for a
/// column of another type).
fn dim_vocabularies<'s>(set: &'s DefinitionSet, m: &Metric) -> Vec<Option<&'s Vocabulary>> {
    let MetricBody::Base(b) = &m.body else { return Vec::new() };
    let vocabulary = |d: &ColumnRef| {
        let own = set.sources.get(&b.source)?;
        let source = match &d.join {
            None => own,
            Some(name) => set.sources.get(&own.joins.iter().find(|j| &j.name == name)?.source)?,
        };
        match &source.column(&d.column)?.ty {
            ColumnType::Vocab(name) => set.vocabularies.get(name),
            _ => None,
        }
    };
    b.by.iter().map(vocabulary).collect()
}

/// The rows per site, `all` last, of a metric without `by` (one row per site and period).
fn series<'a>(rows: &[Row<'a>]) -> Vec<Series<'a>> {
    let mut out: Vec<Series> = Vec::new();
    let mut at: HashMap<String, usize> = HashMap::new();
    for r in rows {
        let site = r.site.to_string();
        match at.get(&site) {
            Some(&i) => out[i].rows.push(r.clone()),
            None => {
                at.insert(site.clone(), out.len());
                out.push(Series { site, rows: vec![r.clone()] });
            }
        }
    }
    out.sort_by_key(|s| s.site == SiteRef::ALL);
    out
}

fn aligned_table(lines: &[Aligned]) -> AlignedTable {
    let all = lines.iter().flat_map(|l| l.points.iter().map(|p| p.0));
    let (Some(first), Some(last)) = (all.clone().min(), all.max()) else { return AlignedTable::default() };
    let offsets: Vec<i64> = (first..=last).collect();
    let sites = lines
        .iter()
        .map(|l| AlignedRow {
            site: l.site.clone(),
            values: offsets.iter().map(|o| l.points.iter().find(|p| p.0 == *o).map(|p| p.1)).collect(),
        })
        .collect();
    AlignedTable { offsets, sites }
}

/// The metric's formula, with its groups and attributes spelt out (`groups`).
fn formula(m: &Metric, groups: Vec<String>) -> Formula<'_> {
    match &m.body {
        MetricBody::Base(b) => Formula {
            source: Some(&b.source),
            time: Some(crate::check::time_in_words(&b.time)),
            filter: b.filter.as_ref().map(TExpr::canonical_text),
            value: b.value.canonical_text(),
            by: b.by.iter().map(ToString::to_string).collect(),
            inputs: Vec::new(),
            groups,
        },
        MetricBody::Derived { value, inputs } => Formula {
            source: None,
            time: None,
            filter: None,
            value: value.canonical_text(),
            by: Vec::new(),
            inputs: inputs.iter().map(|i| i.0.as_str()).collect(),
            groups,
        },
    }
}

/// A trend chart per site (and `all`) of the metric's first dimension value.
fn charts(s: &Scope, m: &Metric, rows: &[Row]) -> BTreeMap<String, Value> {
    let mut by_site: BTreeMap<String, Vec<&ResultRow>> = BTreeMap::new();
    for r in rows {
        let site = by_site.entry(r.site.to_string()).or_default();
        if site.last().is_none_or(|last| last.period != r.period) {
            site.push(&**r);
        }
    }
    let rollouts: HashMap<&str, Option<NaiveDate>> =
        s.sites().into_iter().map(|x| (x.id.as_str(), x.rollout)).collect();
    let mut out = BTreeMap::new();
    // The rolling year over the periods: the metric's own window, or else a year's worth
    // of periods where their rows give the year's value exactly.
    let year = periods_a_year(s, m).filter(|_| m.window.is_none());
    let window = m.window.or(year.map(|n| n as u32));
    for (site, rows) in by_site {
        let mut points: Vec<Point> = rows.iter().map(|r| point(r)).collect();
        if let Some(n) = year {
            let rolled = match &m.body {
                MetricBody::Derived { value, inputs } => rolling_derived(s, (value, inputs), &site, &rows, n),
                MetricBody::Base(_) => rolling_year(m, &rows, n),
            };
            for (p, v) in points.iter_mut().zip(rolled) {
                p.window = v;
            }
        }
        let index_of = |d: NaiveDate| rows.iter().position(|r| r.period_start <= d && d <= r.period_end);
        let rollout = rollouts.get(site.as_str()).copied().flatten().and_then(index_of);
        let events: Vec<(usize, String)> = (s.events(Some(&site)).into_iter())
            .filter_map(|e| {
                let (day, kind) = (s.words.day(e.date), e.kind.replace('_', " "));
                Some((index_of(e.date)?, s.words.say("chart.event", &[("date", &day), ("kind", &kind)])))
            })
            .collect();
        let title = s.words.say("chart.at", &[("title", &m.title), ("site", &s.words.site(&site))]);
        let last = rows.iter().rev().find(|r| r.baseline.is_some() || r.target.is_some());
        let trend = Trend {
            title: &title,
            points: &points,
            baseline: last.and_then(|r| r.baseline),
            target: last.and_then(|r| r.target),
            rollout,
            events: &events,
            unit: &m.unit,
            window,
        };
        if let Some(figure) = chart::trend(&trend, s.words) {
            out.insert(site, s.trusted.figure(figure));
        }
    }
    out
}

/// How many periods of the report's grain (else the metric's) make a year; none at years.
fn periods_a_year(s: &Scope, m: &Metric) -> Option<usize> {
    let months = match s.report.grain {
        Some("month") => 1,
        Some("quarter") => 3,
        Some("year") => 12,
        _ => m.grain.months() as usize,
    };
    let n = 12 / months;
    (n > 1).then_some(n)
}

/// Per period, the year ending with it, as the value of one period: where a year is the
/// sum of its periods (an event count or sum, whose year per period is their mean) or
/// pools them (a share: the year's hits over its cases). None for the first `n - 1`
/// periods, a year with a period not covered whole or without a value, and for metrics a
/// year's value cannot be read from its periods' rows (quantiles, means, ratios).
fn rolling_year(m: &Metric, rows: &[&ResultRow], n: usize) -> Vec<Option<f64>> {
    let kind = m.body.judged_aggregate().filter(|_| !m.body.is_sum_per_row());
    let year = |span: &[&ResultRow]| -> Option<f64> {
        if span.iter().any(|r| r.partial || r.coverage != crate::results::RowCoverage::Covered) {
            return None;
        }
        match kind? {
            AggFn::Count | AggFn::Sum => Some(span.iter().map(|r| r.value).sum::<Option<f64>>()? / n as f64),
            AggFn::Share => {
                // A period without a case has no value and adds nothing.
                let cases = |r: &&ResultRow| r.n.unwrap_or(0) as f64;
                let hits: f64 = span.iter().filter_map(|r| Some(r.value? * cases(r))).sum();
                let all: f64 = span.iter().map(cases).sum();
                (all > 0.0).then(|| hits / all)
            }
            _ => None,
        }
    };
    (0..rows.len()).map(|i| if i + 1 < n { None } else { year(&rows[i + 1 - n..=i]) }).collect()
}

/// Per period, the rolling year of a derived metric whose inputs are event counts or sums
/// (without `by`): its value over its inputs' rolling years, so that a ratio of flows is
/// the year's ratio (downtime per production hours over the year, not a mean of quarters).
fn rolling_derived(
    s: &Scope,
    (value, inputs): (&TExpr, &[MetricId]),
    site: &str,
    rows: &[&ResultRow],
    n: usize,
) -> Vec<Option<f64>> {
    let set = &s.checked.set;
    let flow = |m: &&Metric| {
        m.body.is_event()
            && !m.body.is_sum_per_row()
            && matches!(m.body.judged_aggregate(), Some(AggFn::Count | AggFn::Sum))
    };
    let Some(parts) = inputs.iter().map(|i| set.metric(i.as_str()).filter(flow)).collect::<Option<Vec<&Metric>>>()
    else {
        return vec![None; rows.len()];
    };
    // Each input's rolling year by period.
    let years: HashMap<&str, HashMap<&str, f64>> = parts
        .iter()
        .map(|part| {
            let own: Vec<&ResultRow> =
                s.results.at(&part.id, site).iter().filter(|r| r.dims.is_empty()).map(|r| &**r).collect();
            let rolled = rolling_year(part, &own, n);
            let by_period = own.iter().zip(rolled).filter_map(|(r, v)| Some((r.period.as_str(), v?))).collect();
            (part.id.as_str(), by_period)
        })
        .collect();
    /// The inputs' rolling years in one period.
    struct Years<'y>(&'y HashMap<&'y str, HashMap<&'y str, f64>>, &'y str);
    impl crate::plan::post::Env for Years<'_> {
        fn metric(&self, id: &str) -> crate::plan::post::V {
            let found = self.0.get(id).and_then(|y| y.get(self.1));
            found.map_or(crate::plan::post::V::Null, |v| crate::plan::post::V::Num(*v))
        }
    }
    let post = crate::plan::post::post_only(value);
    rows.iter().map(|r| crate::plan::post::eval(&post, &Years(&years, &r.period)).num()).collect()
}

/// A period's row as a chart draws it.
fn point(r: &ResultRow) -> Point {
    Point {
        label: r.period.clone(),
        value: r.value,
        // An interval without an end (a ratio over a zero) draws no band.
        interval: r.lower.zip(r.upper).filter(|(l, u)| r.value.is_some() && l.is_finite() && u.is_finite()),
        window: r.window.as_ref().and_then(|w| w.value),
        partial: r.partial,
    }
}

/// A row's dimension names and values.
type Dims = [(String, Option<String>)];

/// A period as the panels share it: its first day (to order by), label and partiality.
type PeriodKey = (NaiveDate, String, bool);

/// Per site (and `all`), small multiples of a metric with `by`: a panel per dimension
/// value, its periods in order.
fn multiples(
    s: &Scope,
    m: &Metric,
    by: &[String],
    vocabularies: &[Option<&Vocabulary>],
    rows: &[Row],
) -> BTreeMap<String, Value> {
    // Per site, its panels and every period any of them has, in order.
    let mut by_site: BTreeMap<String, (Vec<Panel>, BTreeSet<PeriodKey>)> = BTreeMap::new();
    // Panels are told apart by their values (codes), and shown by their labels.
    let mut values: BTreeMap<String, Vec<&Dims>> = BTreeMap::new();
    for r in rows {
        let (panels, periods) = by_site.entry(r.site.to_string()).or_default();
        periods.insert((r.period_start, r.period.clone(), r.partial));
        let known = values.entry(r.site.to_string()).or_default();
        match known.iter().position(|d| *d == r.dims.as_slice()) {
            Some(i) => panels[i].points.push(point(r)),
            None => {
                known.push(&r.dims);
                panels.push(Panel { label: dims_label(r, vocabularies), points: vec![point(r)] });
            }
        }
    }
    let by = by.join(", ");
    let mut out = BTreeMap::new();
    for (site, (mut panels, periods)) in by_site {
        // Every panel over the same periods: a value missing in one is a gap there.
        for panel in &mut panels {
            let mut filled = Vec::with_capacity(periods.len());
            for (_, label, partial) in &periods {
                let found = panel.points.iter().position(|p| &p.label == label);
                filled.push(match found {
                    Some(i) => panel.points.swap_remove(i),
                    None => {
                        Point { label: label.clone(), value: None, interval: None, window: None, partial: *partial }
                    }
                });
            }
            panel.points = filled;
        }
        let title = s.words.say("chart.by", &[("title", &m.title), ("site", &s.words.site(&site)), ("by", &by)]);
        if let Some(figure) = chart::multiples(&title, &panels, &m.unit, s.words) {
            out.insert(site, s.trusted.figure(figure));
        }
    }
    out
}

/// Every site's (the report's site's) quarterly values against quarters since its own
/// rollout.
fn aligned_lines(s: &Scope, m: &Metric) -> Vec<Aligned> {
    let Some(project) = s.checked.project.as_ref() else { return Vec::new() };
    s.sites()
        .into_iter()
        .filter_map(|site| {
            let rollout = site.rollout?;
            let calendar = crate::calendar::Calendar { fiscal_year_start: project.fiscal_year_start };
            let quarter = |d: NaiveDate| calendar.index(Grain::Quarter, d);
            let start = quarter(rollout);
            let points = s
                .quarters
                .at(&m.id, &site.id)
                .iter()
                .filter(|r| r.dims.iter().all(|(_, v)| v.is_none()) && !r.partial)
                .filter_map(|r| Some((quarter(r.period_start) - start, r.value?)))
                .collect();
            Some(Aligned { site: site.id.to_string(), points })
        })
        .filter(|l| !l.points.is_empty())
        .collect()
}

/// The label of the period holding `date` at `grain` (calendar months; fiscal quarters
/// and years from `fiscal_year_start`); the date itself without a grain.
fn period_label(date: NaiveDate, grain: Option<&str>, fiscal_year_start: u32) -> String {
    let calendar = crate::calendar::Calendar { fiscal_year_start };
    let grain = match grain {
        Some("month") => Grain::Month,
        Some("quarter") => Grain::Quarter,
        Some("year") => Grain::Year,
        _ => return date.to_string(),
    };
    calendar.label(grain, calendar.index(grain, date))
}
