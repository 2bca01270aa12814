//! The plan: what to compute, with docs/semantics.md's rules spelled out and no query engine
//! in sight (as PRQL's RQ sits between its resolver and SQL). For each base metric: the
//! source and its joins with their rules, the as-of cut, coverage, how rows fall into
//! periods, the row filter, the grouping, the aggregates, the baseline windows and the
//! expression over the aggregates. A back end ([`Backend`]) turns each [`BasePlan`] into
//! aggregate tables; the results stage (`crate::results`) turns those into values,
//! baselines and statuses. Neither re-derives a rule.

mod explain;
mod inputs;
pub mod post;

use crate::calendar::{Calendar, Period, PeriodScheme, Window, baseline_window};
use crate::check::Checked;
use crate::diag::{Diagnostic, codes};
use crate::ir::{
    BaseMetric, Builtin, Collection, ColumnRef, ColumnType, DefinitionSet, Grain, Metric, MetricBody, MetricId,
    Project, Site, SiteId, SiteRef, Source, TExpr, TExprKind, TimeSemantics,
};
use chrono::{Datelike, NaiveDate};
pub use inputs::Inputs;
use post::{Post, Slot};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// What to compute.
pub struct Request<'a> {
    /// Metric ids; their inputs are computed too.
    pub metrics: &'a [MetricId],
    pub as_of: NaiveDate,
    /// Compute at this grain instead of each metric's own.
    pub grain: Option<Grain>,
    /// Judge the period holding `as_of` on its days so far (docs/semantics.md, "To
    /// date") instead of leaving it pending; `as_of` is then a month's last day
    /// ([`to_date_as_of`]).
    pub to_date: bool,
}

/// The last day a run judging to date computes to: the last day of the last whole month
/// up to `as_of` (`as_of` itself when it ends a month), so that a source recorded once a
/// month (production hours per line and month) covers the same days as one recorded by
/// the day.
pub fn to_date_as_of(as_of: NaiveDate) -> NaiveDate {
    match as_of.succ_opt() {
        Some(next) if next.day() == 1 => as_of,
        _ => as_of.with_day(1).and_then(|first| first.pred_opt()).unwrap_or(as_of),
    }
}

/// Everything one run computes.
pub struct Plan<'a> {
    /// What the back end reads, and how.
    pub inputs: Inputs<'a>,
    /// The first day computed.
    pub start: NaiveDate,
    /// How results are judged: the confidence of their intervals, what makes them green.
    pub judgement: crate::ir::Judgement,
    pub calendar: Calendar,
    pub as_of: NaiveDate,
    /// The period holding `as_of` is judged on its days so far ([`Plan::so_far`]).
    pub to_date: bool,
    /// Where `as_of` ends at each site, in the project's order of sites: nothing at or
    /// after it is used.
    pub ends: Vec<SiteEnd>,
    /// The sources to read, each once: the base metrics' own and those they join.
    pub sources: Vec<SourcePlan>,
    pub bases: Vec<BasePlan<'a>>,
    /// The metrics over a source the project does not bind (directly, by a join or through
    /// a derived metric's inputs), with those sources: not collected, not computed.
    pub not_collected: BTreeMap<MetricId, NotCollected<'a>>,
    /// Derived metrics, each after the metrics it reads.
    pub derived: Vec<DerivedPlan<'a>>,
    /// The metrics asked for (the others are inputs).
    pub requested: BTreeSet<MetricId>,
    /// Each site's place in the project's list, by id: a site is found in one step
    /// however many there are.
    site_at: HashMap<SiteId, usize>,
}

/// The days of a period judged to date (docs/semantics.md, "To date").
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SoFar {
    /// The months from the period's first day to `as_of` as a share of the period's: the
    /// baseline's flows are scaled by it.
    pub share: f64,
}

/// The end of `as_of` at a site: the instant its next local midnight begins.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SiteEnd {
    pub site: SiteId,
    /// Milliseconds since the epoch.
    pub instant_ms: i64,
}

/// One source read as it stood at the end of `as_of` (docs/semantics.md: replay).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourcePlan {
    pub name: String,
    /// The date and datetime columns that record what happened (every one not `planned`):
    /// a value after the end of `as_of` was not known yet and reads as null.
    pub unknown_after: Vec<String>,
    /// The columns a back end reads ([`Plan::columns_read`]); the others are not read.
    pub reads: BTreeSet<String>,
}

/// A metric the project cannot compute: the sources it reads that are not bound.
pub struct NotCollected<'a> {
    pub metric: &'a Metric,
    pub grain: Grain,
    pub unbound: Vec<String>,
    /// Every source it lacks is one the project says no site exports: nothing to note.
    pub said: bool,
}

impl NotCollected<'_> {
    /// Why, in words: "it reads `capas`, which is not bound".
    pub fn why(&self) -> String {
        let unbound = self.unbound.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ");
        format!("it reads {unbound}, which is not bound")
    }
}

/// One base metric: rows of one source, placed in periods, filtered, grouped, aggregated.
pub struct BasePlan<'a> {
    pub metric: &'a Metric,
    pub grain: Grain,
    pub source: String,
    /// Left joins, each exposing `name.column`.
    pub joins: Vec<JoinPlan>,
    /// Per site, the days its data of the source covers: from the later of the project's
    /// `start` and the coverage's `from`, to the coverage's `to`. Periods outside have no
    /// value; periods partly inside are partial.
    pub coverage: Vec<SiteSpan>,
    /// Per site, the days whose rows count, by the time column (the coverage, except that
    /// open metrics count rows opened before the project's `start`); rows outside count
    /// nowhere (not in periods, not pooled, not in baselines). Sites whose bound the
    /// periods keep anyway are left out.
    pub rows_within: Vec<SiteSpan>,
    /// For an open metric, per site, the last day its export holds (coverage `to`): rows
    /// opened later are not used, and a close dated later was not known and reads as
    /// null, so the period holding that day counts what was open at its end.
    pub data_ends: Vec<(SiteId, NaiveDate)>,
    /// How rows fall into periods; rows whose time column is after the end of `as_of` are
    /// not used.
    pub time: TimeSemantics,
    pub periods: PeriodRange,
    /// The first and last day of each period, when the metric reads `period_start` or
    /// `period_end` in its rows, or joins snapshots as of each period's end.
    pub period_days: Option<Vec<PeriodDays>>,
    pub filter: Option<TExpr>,
    /// Extra grouping dimensions beside site and period.
    pub by: Vec<ColumnRef>,
    pub slots: Vec<Slot>,
    /// The value from the slots, evaluated per group by the results stage.
    pub post: Post,
    /// Per site (in id order), its baseline window, computed as one period; `None`
    /// without windows.
    pub baseline: Option<Vec<SiteWindow>>,
    /// Whether the baseline windows are also grouped per calendar month: for a count,
    /// how much more its monthly counts swing than a Poisson process's (docs/semantics.md,
    /// "Overdispersion").
    pub baseline_months: bool,
    /// For a median or percentile of a duration that may still be running at `as_of`
    /// ([`BaseMetric::censored_end`]), its end: a back end returns beside the sorted
    /// values whether each ended (the end is not empty).
    pub censored: Option<TExpr>,
    /// The sites that do not export a source the metric reads (`sources: {x: none}`):
    /// not collected there.
    pub absent_at: Vec<SiteId>,
    /// The sites outside the metric's `scope`: no row of theirs counts, and the metric has
    /// no result there.
    pub out_of_scope: Vec<SiteId>,
}

/// A left join on `on` against the joined source's key.
pub struct JoinPlan {
    pub name: String,
    pub source: String,
    pub on: String,
    pub key: String,
    /// The joined columns the metric reads.
    pub columns: Vec<String>,
    /// Joined rows count only when each of these columns ([`Source::required_dates`]) is known by
    /// the end of `as_of`: a build as of a past date does not see later inventory
    /// snapshots.
    pub known_by: Vec<String>,
    /// Which of the joined source's rows for a key a row gets.
    pub pick: JoinPick,
}

/// Which joined row a key gets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JoinPick {
    /// A source without `snapshot:` has one row per key (a data rule); should it have
    /// several, the last in file order.
    LastInFile,
    /// Point in time (docs/definition-set.md, source schemas): the latest snapshot (by this date column) on or
    /// before the row's time, which is the row's event time in event metrics and the end
    /// of the period (of the baseline window) in open and snapshot metrics; a row older
    /// than the key's first snapshot joins that first snapshot.
    LatestSnapshot { column: String },
}

/// Days from `from` to `to` (both included; without `to`, no end).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
}

impl Span {
    /// How much of `period` the span covers (the period's days up to its last, not to
    /// `as_of`: the period holding `as_of` is partial anyway).
    pub fn covers(&self, calendar: &Calendar, period: &Period) -> Covered {
        let last = calendar.last_day(period.grain, period.index);
        match self.clip(period.start, last) {
            None => Covered::None,
            Some((from, to)) if from == period.start && to == last => Covered::Whole,
            Some(_) => Covered::Part,
        }
    }

    /// The days of `from..=to` inside the span, if any.
    pub fn clip(&self, from: NaiveDate, to: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
        let (from, to) = (from.max(self.from), self.to.map_or(to, |end| to.min(end)));
        (from <= to).then_some((from, to))
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SiteSpan {
    pub site: SiteId,
    pub span: Span,
}

/// How much of a period a site's data covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Covered {
    None,
    Part,
    Whole,
}

/// The periods computed: `first..=last` of `scheme`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PeriodRange {
    pub scheme: PeriodScheme,
    pub first: i64,
    pub last: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PeriodDays {
    pub index: i64,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SiteWindow {
    pub site: SiteId,
    pub window: Window,
}

/// A metric combined from other metrics of the same site, period and dimension values.
pub struct DerivedPlan<'a> {
    pub metric: &'a Metric,
    pub grain: Grain,
    pub inputs: Vec<MetricId>,
    pub post: Post,
    /// Its parts share their events ([`DefinitionSet::shared_event_parts`]): its value is
    /// judged with an interval from their joint covariance.
    pub shared_events: bool,
}

impl BasePlan<'_> {
    /// `site`'s baseline window.
    pub fn window(&self, site: &str) -> Option<&Window> {
        let windows = self.baseline.as_deref()?;
        let at = windows.binary_search_by(|w| w.site.as_str().cmp(site)).ok()?;
        Some(&windows[at].window)
    }

    /// The names of the `by` dimensions, as result columns.
    pub fn dim_names(&self) -> Vec<String> {
        self.by.iter().map(ToString::to_string).collect()
    }
}

impl Plan<'_> {
    /// The periods at `grain`, from the project's start to `as_of`.
    pub fn periods(&self, grain: Grain) -> Vec<Period> {
        self.calendar.periods(grain, self.start, self.as_of)
    }

    /// In a run judging to date, the part of the period holding `as_of` that has passed;
    /// `None` for every other period, and in other runs.
    pub fn so_far(&self, period: &Period) -> Option<SoFar> {
        if !self.to_date || !period.partial {
            return None;
        }
        let elapsed = crate::calendar::Window { from: period.start, to: period.end };
        Some(SoFar { share: elapsed.months() / period.grain.months() as f64 })
    }

    /// How `source` is collected at `site`: as the site's coverage says, else the
    /// binding, else the source schema.
    pub fn collection(&self, source: &str, site: &Site) -> Collection {
        site.coverage
            .get(source)
            .and_then(|c| c.collection)
            .or_else(|| self.inputs.binding(source, site).and_then(|b| b.collection))
            .unwrap_or(self.inputs.sources[source].collection)
    }
}

/// Plans the requested metrics and every metric they are derived from.
pub fn plan<'a>(checked: &'a Checked, request: &Request) -> Result<Plan<'a>, Vec<Diagnostic>> {
    let set = &checked.set;
    let Some(project) = &checked.project else {
        return Err(vec![
            Diagnostic::error(
                codes::E0801,
                "computing metrics needs a project (yardstick.yaml), not a definition set alone",
            )
            .help("run inside a project folder, or pass it with -p"),
        ]);
    };
    let metrics = with_inputs(set, request.metrics)?;
    let planner = Planner {
        set,
        project,
        calendar: Calendar { fiscal_year_start: project.fiscal_year_start },
        as_of: request.as_of,
    };
    let mut plan = Plan {
        inputs: Inputs::new(project, set),
        start: project.start,
        judgement: project.judgement,
        calendar: planner.calendar,
        as_of: request.as_of,
        to_date: request.to_date,
        ends: project
            .sites
            .iter()
            .map(|site| SiteEnd { site: site.id.clone(), instant_ms: end_of(site, request.as_of) })
            .collect(),
        sources: Vec::new(),
        bases: Vec::new(),
        not_collected: BTreeMap::new(),
        derived: Vec::new(),
        requested: request.metrics.iter().cloned().collect(),
        site_at: project.sites.iter().enumerate().map(|(i, s)| (s.id.clone(), i)).collect(),
    };
    for m in metrics {
        let grain = request.grain.unwrap_or(m.grain);
        let unbound: Vec<String> =
            set.sources_read(m.id.as_str()).into_iter().filter(|s| !project.is_bound(s)).map(String::from).collect();
        if !unbound.is_empty() {
            let said = unbound.iter().all(|s| project.not_exported.contains(s));
            plan.not_collected.insert(m.id.clone(), NotCollected { metric: m, grain, unbound, said });
            continue;
        }
        match &m.body {
            MetricBody::Base(b) => {
                let base = planner.base(m, b, grain);
                for source in std::iter::once(&base.source).chain(base.joins.iter().map(|j| &j.source)) {
                    if !plan.sources.iter().any(|s| &s.name == source) {
                        plan.sources.push(source_plan(&set.sources[source]));
                    }
                }
                plan.bases.push(base);
            }
            MetricBody::Derived { value, inputs } => {
                let post = post::post_only(value);
                let shared_events = set.shared_event_parts(m).is_some();
                plan.derived.push(DerivedPlan { metric: m, grain, inputs: inputs.clone(), post, shared_events });
            }
        }
    }
    for i in 0..plan.sources.len() {
        let reads = plan.columns_read(&plan.sources[i].name);
        plan.sources[i].reads = reads;
    }
    Ok(plan)
}

struct Planner<'a> {
    set: &'a DefinitionSet,
    project: &'a Project,
    calendar: Calendar,
    as_of: NaiveDate,
}

impl<'a> Planner<'a> {
    fn base(&self, metric: &'a Metric, b: &BaseMetric, grain: Grain) -> BasePlan<'a> {
        let (slots, post) = post::split(&b.value);
        let periods = PeriodRange {
            scheme: self.calendar.scheme(grain),
            first: self.calendar.index(grain, self.project.start),
            last: self.calendar.index(grain, self.as_of),
        };
        // Open and snapshot metrics join snapshots as of each period's end.
        let joins = self.joins(b);
        let at_period_end = !matches!(b.time, TimeSemantics::Event { .. })
            && joins.iter().any(|j| matches!(j.pick, JoinPick::LatestSnapshot { .. }));
        let period_days = (uses_period_builtins(b) || at_period_end).then(|| {
            (periods.first..=periods.last)
                .map(|i| self.calendar.period(grain, i, self.as_of))
                .map(|p| PeriodDays { index: p.index, start: p.start, end: p.end })
                .collect()
        });
        // Each site's window, clipped to what its data covers and to `as_of` (a window not
        // over yet holds the months so far); none when nothing is left.
        let coverage = self.coverage(&b.source);
        let mut windows: Vec<SiteWindow> = self
            .project
            .sites
            .iter()
            .zip(&coverage)
            .filter_map(|(s, c)| {
                let w = baseline_window(&self.project.baseline, s.rollout)?;
                let (from, to) = c.span.clip(w.from, w.to.min(self.as_of))?;
                Some(SiteWindow { site: s.id.clone(), window: Window { from, to } })
            })
            .collect();
        windows.sort_by(|a, b| a.site.cmp(&b.site));
        BasePlan {
            metric,
            grain,
            source: b.source.clone(),
            joins,
            rows_within: self.rows_within(&b.source, &b.time, grain),
            data_ends: match b.time {
                TimeSemantics::Open { .. } => {
                    coverage.iter().filter_map(|c| Some((c.site.clone(), c.span.to?))).collect()
                }
                _ => Vec::new(),
            },
            coverage,
            time: b.time.clone(),
            periods,
            period_days,
            filter: b.filter.clone(),
            by: b.by.clone(),
            slots,
            post,
            baseline_months: !windows.is_empty()
                && metric.body.judged_aggregate() == Some(crate::ir::AggFn::Count)
                && matches!(b.time, TimeSemantics::Event { .. }),
            censored: b.censored_end().filter(|_| matches!(b.time, TimeSemantics::Event { .. })).cloned(),
            baseline: (!windows.is_empty()).then_some(windows),
            absent_at: self.absent_at(metric),
            out_of_scope: match &metric.scope {
                Some(scope) => {
                    self.project.sites.iter().filter(|s| !s.scopes.contains(scope)).map(|s| s.id.clone()).collect()
                }
                None => Vec::new(),
            },
        }
    }

    /// The sites that do not export a source `metric` reads.
    fn absent_at(&self, metric: &Metric) -> Vec<SiteId> {
        let read = self.set.sources_read(metric.id.as_str());
        let lacks = |s: &&Site| read.iter().any(|r| s.absent.contains(*r));
        self.project.sites.iter().filter(lacks).map(|s| s.id.clone()).collect()
    }

    fn joins(&self, b: &BaseMetric) -> Vec<JoinPlan> {
        let source = &self.set.sources[&b.source];
        b.joined_columns()
            .into_iter()
            .map(|(name, columns)| {
                let join = source.join(&name).expect("checked join");
                let target = &self.set.sources[&join.source];
                let known_by = target.required_dates().map(|c| c.name.clone()).collect();
                JoinPlan {
                    name,
                    source: join.source.clone(),
                    on: join.on.clone(),
                    key: target.key.clone().expect("checked: joined sources have keys"),
                    columns: columns.into_iter().collect(),
                    known_by,
                    pick: match &target.snapshot {
                        Some(column) => JoinPick::LatestSnapshot { column: column.clone() },
                        None => JoinPick::LastInFile,
                    },
                }
            })
            .collect()
    }

    /// Per site, the days its data of `source` covers.
    fn coverage(&self, source: &str) -> Vec<SiteSpan> {
        let span = |site: &Site| {
            let c = site.coverage.get(source);
            let from = c.and_then(|c| c.from).map_or(self.project.start, |f| f.max(self.project.start));
            Span { from, to: c.and_then(|c| c.to) }
        };
        self.project.sites.iter().map(|s| SiteSpan { site: s.id.clone(), span: span(s) }).collect()
    }

    /// Per site, the days whose rows count: the coverage; for open metrics, only from the
    /// coverage entry's `from` (a stock holds what was opened before the project's start,
    /// and periods after `to` have no value anyway).
    fn rows_within(&self, source: &str, time: &TimeSemantics, grain: Grain) -> Vec<SiteSpan> {
        match time {
            TimeSemantics::Open { .. } => self
                .project
                .sites
                .iter()
                .filter_map(|s| {
                    let from = s.coverage.get(source)?.from?;
                    Some(SiteSpan { site: s.id.clone(), span: Span { from, to: None } })
                })
                .collect(),
            // Rows before the first period are left out with the periods; a bound that
            // says no more needs no filter.
            _ => {
                let first = self.calendar.start(grain, self.calendar.index(grain, self.project.start));
                self.coverage(source).into_iter().filter(|c| c.span.from > first || c.span.to.is_some()).collect()
            }
        }
    }
}

/// The instant `as_of` ends at `site`: its next local midnight.
pub fn end_of(site: &Site, as_of: NaiveDate) -> i64 {
    crate::calendar::end_of_day(site.timezone, as_of).and_utc().timestamp_millis()
}

fn source_plan(source: &Source) -> SourcePlan {
    SourcePlan {
        name: source.name.clone(),
        unknown_after: source.recorded_dates().map(|c| c.name.clone()).collect(),
        reads: BTreeSet::new(),
    }
}

impl Plan<'_> {
    /// The columns of `source` that its metrics read: their time columns, the columns
    /// their `where`, aggregates, `by` and censored ends read, and the columns joins read
    /// from it.
    pub fn columns_used(&self, source: &str) -> BTreeSet<String> {
        let mut read = BTreeSet::new();
        for b in &self.bases {
            for join in b.joins.iter().filter(|j| j.source == source) {
                read.extend(join.columns.iter().cloned());
            }
            if b.source != source {
                continue;
            }
            match &b.time {
                TimeSemantics::Event { column } | TimeSemantics::Snapshot { column } => {
                    read.insert(column.clone());
                }
                TimeSemantics::Open { from, close } => {
                    read.insert(from.clone());
                    read.extend(close.iter().cloned());
                }
            }
            let mut visit = |e: &TExpr| {
                if let TExprKind::Column(c) = &e.kind
                    && c.join.is_none()
                {
                    read.insert(c.column.clone());
                }
            };
            b.filter.iter().for_each(|f| f.walk(&mut visit));
            b.slots.iter().filter_map(|s| s.arg.as_ref()).for_each(|a| a.walk(&mut visit));
            b.censored.iter().for_each(|c| c.walk(&mut visit));
            read.extend(b.by.iter().filter(|c| c.join.is_none()).map(|c| c.column.clone()));
        }
        read
    }

    /// The columns of `source` a back end reads (projection): those its metrics use
    /// ([`Plan::columns_used`]), the joins' keys on both sides with what dates a joined row
    /// (its snapshot day, the dates it must be known by), and what the data rules and
    /// replays need of every row (the key, the revision's time and deletion, the dates
    /// that say when a row was known, every coded column: an unmapped code leaves its row
    /// out). The other columns are not read: a build does not pay for what no planned
    /// metric reads (`check --data` reads them all).
    pub fn columns_read(&self, source: &str) -> BTreeSet<String> {
        let mut read = self.columns_used(source);
        for b in &self.bases {
            for join in &b.joins {
                if b.source == source {
                    read.insert(join.on.clone());
                }
                if join.source == source {
                    read.insert(join.key.clone());
                    read.extend(join.known_by.iter().cloned());
                    if let JoinPick::LatestSnapshot { column } = &join.pick {
                        read.insert(column.clone());
                    }
                }
            }
        }
        if let Some(schema) = self.inputs.sources.get(source) {
            read.extend(schema.key.iter().cloned());
            read.extend(schema.snapshot.iter().cloned());
            if let Some(history) = &schema.history {
                read.insert(history.recorded_at.clone());
                read.extend(history.deleted.iter().cloned());
            }
            read.extend(schema.required_dates().map(|c| c.name.clone()));
            // A code outside its vocabulary is an error, or leaves its row out of every
            // metric over the source (`unmapped: exclude`), whichever column it is in.
            let coded = |c: &&crate::ir::Column| match &c.ty {
                ColumnType::Vocab(_) => true,
                ColumnType::List(item) => matches!(**item, ColumnType::Vocab(_)),
                _ => false,
            };
            read.extend(schema.columns.iter().filter(coded).map(|c| c.name.clone()));
        }
        // A duration's two ends together, so that an end before its start is still caught.
        for (start, end) in self.inputs.durations(source) {
            if read.contains(start) || read.contains(end) {
                read.extend([start.clone(), end.clone()]);
            }
        }
        read
    }
}

impl Plan<'_> {
    /// The project's site `id`.
    pub fn site(&self, id: &str) -> Option<&Site> {
        self.site_at.get(id).map(|&i| &self.inputs.sites[i])
    }

    /// The place of site `id` in the project's list.
    pub fn site_number(&self, id: &str) -> Option<u32> {
        self.site_at.get(id).and_then(|&i| u32::try_from(i).ok())
    }

    /// Where `as_of` ends at site `id`.
    pub fn end(&self, id: &str) -> Option<&SiteEnd> {
        self.site_at.get(id).map(|&i| &self.ends[i])
    }

    /// The source's plan.
    pub fn source(&self, name: &str) -> &SourcePlan {
        self.sources.iter().find(|s| s.name == name).expect("a planned source")
    }
}

/// The requested metrics and every metric they are derived from or judged per
/// (`exposure:`), in the set's order.
fn with_inputs<'s>(set: &'s DefinitionSet, ids: &[MetricId]) -> Result<Vec<&'s Metric>, Vec<Diagnostic>> {
    let mut needed: BTreeSet<&str> = BTreeSet::new();
    let mut stack: Vec<&str> = Vec::new();
    for id in ids.iter().map(MetricId::as_str) {
        if set.metric(id).is_none() {
            let names = set.metrics.iter().map(|m| m.id.as_str());
            let help = crate::diag::did_you_mean(id, names)
                .unwrap_or_else(|| "`yardstick check` lists the set's metrics".into());
            return Err(vec![
                Diagnostic::error(codes::E0803, format!("no metric `{id}` in the definition set")).help(help),
            ]);
        }
        stack.push(id);
    }
    while let Some(id) = stack.pop() {
        if !needed.insert(id) {
            continue;
        }
        let Some(m) = set.metric(id) else { continue };
        if let MetricBody::Derived { inputs, .. } = &m.body {
            stack.extend(inputs.iter().map(|i| i.0.as_str()));
        }
        stack.extend(m.exposure.iter().map(MetricId::as_str));
    }
    Ok(set.metrics.iter().filter(|m| needed.contains(m.id.as_str())).collect())
}

fn uses_period_builtins(b: &BaseMetric) -> bool {
    let mut found = false;
    b.filter.iter().chain([&b.value]).for_each(|e| {
        e.walk(&mut |x| found |= matches!(x.kind, TExprKind::Builtin(Builtin::PeriodStart | Builtin::PeriodEnd)))
    });
    found
}

/// What a back end does: read the bound data of the plan's sources and compute each base
/// metric's aggregate tables, in the order of `plan.bases`. Every rule is in the plan.
pub trait Backend {
    fn aggregate(&self, plan: &Plan) -> Result<Computed, Vec<Diagnostic>>;
}

/// What a back end returns: one set of aggregate tables per base plan, in order, and what
/// reading the data warned about.
#[derive(Debug, Default)]
pub struct Computed {
    pub tables: Vec<Aggregates>,
    pub warnings: Vec<Diagnostic>,
    /// Every file read, once each.
    pub inputs: Vec<InputFile>,
}

/// A data file read: which site's export of which source, and how many rows it held.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputFile {
    pub site: SiteId,
    pub source: String,
    pub path: std::path::PathBuf,
    pub rows: usize,
}

/// One base metric's aggregate tables, as a back end returns them.
#[derive(Debug, Default)]
pub struct Aggregates {
    /// Groups per site and period, and pooled (`site: None`) per period.
    pub periods: Vec<Group>,
    /// Groups per site and pooled over the baseline windows (`period: None`); empty without
    /// windows.
    pub baselines: Vec<Group>,
    /// Where [`BasePlan::baseline_months`]: groups per site and calendar month of the
    /// baseline windows (`period`: the month's number, year × 12 + month - 1); months
    /// without a row have no group.
    pub baseline_months: Vec<Group>,
    /// Rows left out, per site, period index and reason (`unmapped`, `join_miss`,
    /// `before_start`).
    pub excluded: Vec<(String, i64, String, u64)>,
    /// The sites whose data of the metric's source was read.
    pub sites_read: Vec<SiteId>,
    /// The sites whose export of the metric's source has no rows (and whose binding does
    /// not say that means nothing to report): not read, their periods without a value.
    pub sites_empty: Vec<SiteId>,
    /// For a snapshot metric, the (site, period index) pairs whose period holds a
    /// snapshot, whether or not any of its rows passes `where`: the others have no value.
    pub snapshots: Vec<(String, i64)>,
    /// For a snapshot metric, the sites whose baseline window holds a snapshot: the others
    /// have no baseline.
    pub window_snapshots: Vec<String>,
}

/// One group of rows: its key, its slots' values (in plan order) and its row count.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    pub site: SiteRef,
    pub dims: Vec<Option<String>>,
    pub period: Option<i64>,
    pub slots: Vec<Option<f64>>,
    /// Per slot, its values sorted (nulls left out) where [`post::Slot::keeps_values`];
    /// `None` for the others.
    pub values: Vec<Option<Vec<f64>>>,
    /// Per slot, what its sum rests on where [`post::Slot::keeps_compound`]; `None` for the
    /// others, and where a value summed is negative (no longer a sum of amounts).
    pub compounds: Vec<Option<crate::stats::Compound>>,
    /// Where [`BasePlan::censored`]: for each of the first slot's sorted values, whether
    /// its duration ended (`false`: still open at `as_of`).
    pub ended: Option<Vec<bool>>,
    pub n: u64,
}
