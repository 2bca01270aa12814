//! From aggregate tables to result rows: zero-fill, coverage, baseline scaling, derived
//! metrics (per dimension value), then targets and statuses (`status`).

use super::status::{Evidence, Standing, judge, value_of};
use super::{ResultRow, Results, RowCoverage, RowStatus, Windowed};
use crate::calendar::Period;
use crate::diag::{Diagnostic, codes};
use crate::ir::{AggFn, Collection, Direction, MetricId, SiteId, SiteRef, TimeSemantics};
use crate::plan::post::{Env, Slot, V};
use crate::plan::{Aggregates, BasePlan, Covered, DerivedPlan, Group, Plan};
use crate::stats::Compound;
use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

type Dims = Vec<Option<String>>;

/// The fewest cases a share is judged on (issue #25).
const MIN_SHARE_CASES: u64 = 10;

/// The fewest events a sum of amounts is judged on (issue #25).
const MIN_SUM_EVENTS: u64 = 10;

/// The dispersion of monthly baseline counts above which a count's intervals are widened
/// (issue #25, after Laney's u' chart).
const DISPERSED: f64 = 1.5;

/// The fewest whole months of a baseline window its dispersion is estimated from.
const DISPERSION_MONTHS: usize = 6;

/// How much more a baseline's monthly counts swing than a Poisson process's.
#[derive(Clone, Copy, Debug)]
struct Dispersion {
    phi: f64,
    months: usize,
    events: u64,
}

/// What a value or its baseline rests on, for the evidence of a period against it.
#[derive(Clone, Copy)]
enum Sample {
    /// A count's events, unscaled.
    Count { events: u64 },
    /// A share's `x` of `n` cases.
    Share { x: u64, n: u64 },
    /// A sum's amounts over its events, unscaled.
    Sum(Compound),
}

/// A baseline's sample and its exposure (by default the periods of the metric's grain its
/// window spans), beside the exposure of the period (or window) it is compared with.
#[derive(Clone, Copy)]
struct BaselineSample {
    sample: Sample,
    periods: f64,
    /// The period's exposure: its number of periods, or its `exposure:` metric's value.
    t: f64,
}

/// The values of the metric a count or sum is judged per (`exposure:`): per site (and
/// pooled) and period start, and its baselines (one period's).
#[derive(Default)]
struct ExposureValues {
    values: HashMap<(SiteRef, NaiveDate), f64>,
    baselines: HashMap<SiteRef, f64>,
}

impl ExposureValues {
    /// The rows of metric `id` computed so far, without dimension values.
    fn of(out: &Assembled, id: &MetricId) -> ExposureValues {
        let mut x = ExposureValues::default();
        for ((m, site, dims, start), v) in &out.values {
            if m == id
                && dims.is_empty()
                && let Some(v) = v
            {
                x.values.insert((site.clone(), *start), *v);
            }
        }
        for ((m, site, dims), v) in &out.baselines {
            if m == id
                && dims.is_empty()
                && let Some(v) = v
            {
                x.baselines.insert(site.clone(), *v);
            }
        }
        x
    }
}

/// The result rows of the plan's requested metrics from the back end's aggregate tables
/// (one per base plan, in order).
pub fn assemble(plan: &Plan, tables: Vec<Aggregates>) -> Results {
    let mut out = Assembled::default();
    let shared = plan.derived.iter().filter(|d| d.shared_events);
    out.part_of = shared.flat_map(|d| d.inputs.iter().cloned()).collect();
    // The metrics others are judged per (`exposure:`) first: those read their rows.
    let exposures: HashSet<&MetricId> = plan.bases.iter().filter_map(|b| b.metric.exposure.as_ref()).collect();
    let mut tables: Vec<Option<Aggregates>> = tables.into_iter().map(Some).collect();
    let (first, then): (Vec<usize>, Vec<usize>) =
        (0..plan.bases.len()).partition(|i| exposures.contains(&plan.bases[*i].metric.id));
    for i in first.into_iter().chain(then) {
        let (base, tables) = (&plan.bases[i], tables[i].take().unwrap_or_default());
        let exposure = base.metric.exposure.as_ref().map(|e| ExposureValues::of(&out, e));
        Base::new(plan, base, tables, exposure).rows(&mut out);
    }
    // Back in the plan's order.
    let order: HashMap<&MetricId, usize> = plan.bases.iter().enumerate().map(|(i, b)| (&b.metric.id, i)).collect();
    out.rows.sort_by_key(|r| order.get(&r.metric).copied().unwrap_or(usize::MAX));
    for derived in &plan.derived {
        derived_rows(plan, derived, &mut out);
    }
    let mut warnings = short_baselines(plan);
    warnings.append(&mut out.warnings);
    for (id, not) in plan.not_collected.iter().filter(|(id, _)| plan.requested.contains(*id)) {
        if !not.said {
            let message = format!("`{id}` is not collected in this project: {}", not.why());
            warnings.push(Diagnostic::note(codes::N0610, message));
        }
        not_collected_rows(plan, not.metric, not.grain, &mut out);
    }
    let rows: Vec<ResultRow> = out.rows.into_iter().filter(|r| plan.requested.contains(&r.metric)).collect();
    let requested = plan.bases.iter().map(|b| b.metric).filter(|m| plan.requested.contains(&m.id));
    // A count's exposure in its trend: its `exposure:` metric's value, else the days.
    let exposed: HashMap<&MetricId, &MetricId> =
        plan.bases.iter().filter_map(|b| Some((&b.metric.id, b.metric.exposure.as_ref()?))).collect();
    let exposure = |r: &ResultRow| match exposed.get(&r.metric) {
        Some(e) => out.values.get(&((*e).clone(), r.site.clone(), Vec::new(), r.period_start)).copied().flatten(),
        None => Some(((r.period_end - r.period_start).num_days() + 1) as f64),
    };
    let trends = super::trend::trends(requested, &rows, plan.judgement.confidence, &exposure);
    for base in plan.bases.iter().filter(|b| plan.requested.contains(&b.metric.id)) {
        warnings.extend(super::traps::traps(base, &rows, plan.judgement.confidence));
    }
    Results { rows, warnings, inputs: Vec::new(), trends }
}

/// The rows of a metric the project does not collect: every site and period, no value.
fn not_collected_rows(plan: &Plan, m: &crate::ir::Metric, grain: crate::ir::Grain, out: &mut Assembled) {
    for site in site_refs(plan) {
        for period in &plan.periods(grain) {
            let row = judge(m, &site, period, None, None, Standing::default(), &Evidence::default(), plan.judgement);
            out.push(ResultRow { coverage: RowCoverage::NotCollected, status: Some(RowStatus::NotCollected), ..row });
        }
    }
}

/// A warning for each site and source whose baseline window, clipped to what the data
/// covers, holds fewer than six months.
fn short_baselines(plan: &Plan) -> Vec<Diagnostic> {
    let mut short = BTreeSet::new();
    for b in &plan.bases {
        for w in b.baseline.iter().flatten().filter(|w| w.window.months() < 6.0) {
            short.insert((w.site.as_str(), b.source.as_str(), w.window.from, w.window.to));
        }
    }
    let warning = |(site, source, from, to): (&str, &str, NaiveDate, NaiveDate)| {
        let months = crate::calendar::Window { from, to }.months();
        Diagnostic::warning(
            codes::W0801,
            format!(
                "the baseline of metrics over `{source}` at site `{site}` rests on {months:.1} months of data \
                 ({from} to {to}): fewer than six"
            ),
        )
        .help("read these baselines with care, or choose a baseline window the data covers")
    };
    short.into_iter().map(warning).collect()
}

/// Whether `period` ends before the site's rollout; for the pooled row, before the rollout
/// of a site whose data is `in_period`. A site without a rollout date is judged.
fn before_rollout(plan: &Plan, site: &SiteRef, period: &Period, in_period: impl Fn(&str) -> bool) -> bool {
    let last = plan.calendar.last_day(period.grain, period.index);
    let before = |s: &&crate::ir::Site| s.rollout.is_some_and(|r| last < r);
    match site {
        SiteRef::Site(id) => plan.site(id).is_some_and(|s| before(&s)),
        SiteRef::All => plan.inputs.sites.iter().filter(|s| in_period(&s.id)).any(|s| before(&s)),
    }
}

/// The sites of the project, then the pooled row.
fn site_refs(plan: &Plan) -> Vec<SiteRef> {
    plan.inputs.sites.iter().map(|s| SiteRef::Site(s.id.clone())).chain([SiteRef::All]).collect()
}

/// One base metric's tables, keyed for lookup.
struct Base<'p> {
    plan: &'p Plan<'p>,
    base: &'p BasePlan<'p>,
    found: HashMap<(SiteRef, Dims, i64), (Vec<V>, u64)>,
    /// The baseline window's slots (unscaled) and rows matched.
    baselines: HashMap<(SiteRef, Dims), (Vec<V>, u64)>,
    /// A median's or percentile's values, sorted, per group: its order statistics.
    values: HashMap<(SiteRef, Dims, i64), Vec<f64>>,
    baseline_values: HashMap<(SiteRef, Dims), Vec<f64>>,
    /// Per site and dimension value, the dispersion of its baseline's monthly counts.
    dispersions: HashMap<(String, Dims), Dispersion>,
    /// Per group of a duration that may still be running, whether each sorted value ended.
    ended: HashMap<(SiteRef, Dims, i64), Vec<bool>>,
    /// A sum's amounts per group, and per baseline window.
    compounds: HashMap<(SiteRef, Dims, i64), Compound>,
    baseline_compounds: HashMap<(SiteRef, Dims), Compound>,
    /// Rows left out per site and period, by reason.
    excluded: HashMap<(SiteRef, i64), BTreeMap<String, u64>>,
    sites_read: Vec<SiteId>,
    /// The sites whose export of the source holds no rows: no value there, and said.
    empty: HashSet<SiteId>,
    /// Per site (the pooled row's too) and period index, how much of the period the data
    /// covers: worked out once, looked up for every row.
    cover: HashMap<(SiteRef, i64), Covered>,
    /// Per site, the dimension values it has rows of.
    combos: HashMap<SiteRef, BTreeSet<Dims>>,
    /// The sites that do not export a source the metric reads.
    absent: HashSet<&'p str>,
    /// (site, period index) of a snapshot metric's periods with a snapshot (the pooled
    /// row's: with a snapshot at some site).
    snapshots: HashSet<(SiteRef, i64)>,
    /// The sites whose baseline window holds a snapshot (snapshot metrics).
    window_snapshots: HashSet<String>,
    dim_names: Vec<String>,
    /// The aggregate the rows are judged on with an interval, if any
    /// ([`crate::ir::MetricBody::judged`]).
    judged: Option<AggFn>,
    /// The factor the value is of that aggregate (`sum(x) / 60`: 1/60).
    factor: f64,
    /// The values of its `exposure:` metric, when it has one.
    exposure: Option<ExposureValues>,
}

impl<'p> Base<'p> {
    fn new(plan: &'p Plan<'p>, base: &'p BasePlan<'p>, tables: Aggregates, exposure: Option<ExposureValues>) -> Self {
        let values = |slots: Vec<Option<f64>>| slots.into_iter().map(|v| v.map_or(V::Null, V::Num)).collect::<Vec<_>>();
        let mut found = HashMap::new();
        let mut combos: HashMap<SiteRef, BTreeSet<Dims>> = HashMap::new();
        let mut snapshots = HashSet::new();
        for (site, index) in tables.snapshots {
            snapshots.insert((SiteRef::Site(SiteId(site)), index));
            snapshots.insert((SiteRef::All, index));
        }
        let mut kept = HashMap::new();
        let mut baseline_values = HashMap::new();
        for g in tables.periods.iter().filter(|g| g.values.first().is_some_and(Option::is_some)) {
            let values = g.values[0].clone().unwrap_or_default();
            kept.insert((g.site.clone(), g.dims.clone(), g.period.unwrap_or(0)), values);
        }
        for g in tables.baselines.iter().filter(|g| g.values.first().is_some_and(Option::is_some)) {
            baseline_values.insert((g.site.clone(), g.dims.clone()), g.values[0].clone().unwrap_or_default());
        }
        let ended = (tables.periods.iter())
            .filter_map(|g| Some(((g.site.clone(), g.dims.clone(), g.period.unwrap_or(0)), g.ended.clone()?)))
            .collect();
        let (mut compounds, mut baseline_compounds) = (HashMap::new(), HashMap::new());
        for g in &tables.periods {
            if let Some(Some(c)) = g.compounds.first() {
                compounds.insert((g.site.clone(), g.dims.clone(), g.period.unwrap_or(0)), *c);
            }
        }
        for g in &tables.baselines {
            if let Some(Some(c)) = g.compounds.first() {
                baseline_compounds.insert((g.site.clone(), g.dims.clone()), *c);
            }
        }
        for g in tables.periods {
            combos.entry(g.site.clone()).or_default().insert(g.dims.clone());
            found.insert((g.site, g.dims, g.period.unwrap_or(0)), (values(g.slots), g.n));
        }
        let mut baselines = HashMap::new();
        for g in tables.baselines {
            // A baseline over no rows still zero-fills its counts and sums.
            let v = if g.n == 0 { zero_filled(&base.slots) } else { values(g.slots) };
            baselines.insert((g.site, g.dims), (v, g.n));
        }
        let excluded = by_reason(tables.excluded);
        let (sites_read, window_snapshots) = (tables.sites_read, tables.window_snapshots.into_iter().collect());
        let empty = tables.sites_empty.into_iter().collect();
        // A site outside the metric's scope counts as one without the export: the pooled
        // row's coverage leaves it out.
        let absent = base.absent_at.iter().chain(&base.out_of_scope).map(SiteId::as_str).collect();
        let cover = cover(plan, base, &sites_read, &absent);
        let dim_names = base.dim_names();
        let (judged, factor) = match (base.metric.body.judged(), base.metric.body.judged_stock()) {
            (Some((f, x)), _) => (Some(f), x),
            (None, stock) => (stock, 1.0),
        };
        let dispersions = dispersions(base, &tables.baseline_months);
        Base {
            plan,
            base,
            found,
            baselines,
            values: kept,
            baseline_values,
            compounds,
            baseline_compounds,
            ended,
            dispersions,
            excluded,
            sites_read,
            empty,
            cover,
            combos,
            absent,
            snapshots,
            window_snapshots,
            dim_names,
            judged,
            factor,
            exposure,
        }
    }

    fn rows(&self, out: &mut Assembled) {
        let periods = self.plan.periods(self.base.grain);
        let id = &self.base.metric.id;
        if self.plan.requested.contains(id) {
            out.warnings.extend(self.clustered());
        }
        out.dim_names.insert(id.clone(), self.dim_names.clone());
        for site in site_refs(self.plan) {
            // Outside the metric's scope the metric does not apply: no row at all.
            if let SiteRef::Site(s) = &site
                && self.base.out_of_scope.contains(s)
            {
                out.out_of_scope.insert((id.clone(), site.clone()));
                continue;
            }
            let mut combos = self.combos.get(&site).cloned().unwrap_or_default();
            if self.base.by.is_empty() {
                combos.insert(Vec::new());
            }
            let collection = self.collection(&site);
            out.collection.insert((id.clone(), site.clone()), collection);
            if self.is_absent(&site) {
                out.absent.insert((id.clone(), site.clone()));
            }
            out.zero_baseline.insert((id.clone(), site.clone()), self.baseline(&site, &[]));
            for period in &periods {
                let covered = self.covered(&site, period);
                if covered != Covered::None {
                    out.covered.insert((id.clone(), site.clone(), period.start));
                    if covered == Covered::Part && self.so_far(&site, period).is_none() {
                        out.part.insert((id.clone(), site.clone(), period.start));
                    }
                    out.zero.insert((id.clone(), site.clone(), period.start), self.zero(&site, period));
                }
            }
            for dims in &combos {
                self.combo_rows(&site, dims, &periods, collection, out);
            }
            out.combos.insert((id.clone(), site), combos);
        }
    }

    fn combo_rows(&self, site: &SiteRef, dims: &Dims, periods: &[Period], collection: Collection, out: &mut Assembled) {
        let absent = self.is_absent(site);
        // Not collected at the site, or an export without rows: no baseline either, never
        // a zero.
        let empty = matches!(site, SiteRef::Site(id) if self.empty.contains(id));
        let baseline = if absent || empty { None } else { self.baseline(site, dims) };
        out.baselines.insert((self.base.metric.id.clone(), site.clone(), dims.clone()), baseline);
        let mut rows = Vec::with_capacity(periods.len());
        for period in periods {
            let covered = self.covered(site, period);
            let (value, n) = match (covered, self.found.get(&(site.clone(), dims.clone(), period.index))) {
                (Covered::None, _) => (None, None),
                (_, Some((values, n))) => (value_of(&self.base.post, values, Some(period), self.plan.as_of), Some(*n)),
                (_, None) => (self.zero(site, period), Some(0)),
            };
            let so_far = self.so_far(site, period);
            let standing = Standing {
                partial: covered == Covered::Part && so_far.is_none(),
                before_rollout: before_rollout(self.plan, site, period, |s| {
                    self.covered(&SiteRef::Site(SiteId(s.to_string())), period) != Covered::None
                }),
                to_date: so_far.is_some(),
            };
            // The pooled row's baseline is over the sites pooled in the period; judged to
            // date, a baseline's flows are scaled to the days so far.
            let baseline = match (site, so_far) {
                (SiteRef::All, _) => self.pooled_baseline_in(dims, period),
                (SiteRef::Site(_), Some(f)) => baseline.and_then(|_| self.scaled_baseline(site, dims, f.share)),
                (SiteRef::Site(_), None) => baseline,
            };
            if so_far.is_some() {
                out.to_date_baselines.insert((self.base.metric.id.clone(), site.clone(), dims.clone()), baseline);
            }
            let evidence =
                value.zip(n).map_or_else(Evidence::default, |(v, n)| self.evidence(site, dims, period, v, n, baseline));
            // What a derived metric over these events reads of the period and its baseline.
            let read = out.part_of.contains(&self.base.metric.id);
            if let Some(part) = value.zip(n).filter(|_| read).and_then(|(v, n)| self.part(site, dims, period, v, n)) {
                out.parts.insert((self.base.metric.id.clone(), site.clone(), period.start), part);
            }
            let judged =
                judge(self.base.metric, site, period, value, baseline, standing, &evidence, self.plan.judgement);
            let left = self.excluded.get(&(site.clone(), period.index));
            let row = ResultRow {
                dims: self.dim_names.iter().cloned().zip(dims.iter().cloned()).collect(),
                n,
                excluded: left.map_or(0, |r| r.values().sum()),
                excluded_reasons: left.map_or_else(String::new, reasons),
                coverage: match covered {
                    _ if absent => RowCoverage::NotCollected,
                    Covered::None => RowCoverage::NotCovered,
                    _ => RowCoverage::Covered,
                },
                status: if absent { Some(RowStatus::NotCollected) } else { judged.status },
                status_note: self.empty_note(site, empty && !absent, judged.status_note.clone()),
                collection,
                ..judged
            };
            if let Some(reasons) = left {
                let key = (self.base.metric.id.clone(), site.clone(), period.start);
                out.left_out.insert(key, (self.base.source.clone(), reasons.clone()));
            }
            rows.push(row);
        }
        self.windows(site, dims, periods, &mut rows);
        sustain(&mut rows);
        for row in rows {
            out.push(row);
        }
    }

    /// The row's note, said of an export without rows: at its site, that it holds none; on
    /// the pooled row, which sites it pools without (beside what the status says).
    fn empty_note(&self, site: &SiteRef, empty_here: bool, note: Option<String>) -> Option<String> {
        let source = &self.base.source;
        if empty_here {
            return Some(format!("the site's export of `{source}` holds no rows"));
        }
        if *site != SiteRef::All || self.empty.is_empty() {
            return note;
        }
        let mut sites: Vec<&str> = self.empty.iter().map(SiteId::as_str).collect();
        sites.sort_unstable();
        let without = format!("pooled without {} (no rows in its export of `{source}`)", sites.join(" and "));
        Some(note.map_or(without.clone(), |n| format!("{n}; {without}")))
    }

    /// How sure a period's value from `n` rows is (docs/semantics.md, "Intervals"): for an
    /// event metric whose value is a bare `count(...)` (Garwood; against the baseline, the
    /// conditional test of two Poisson rates), `share(...)` (Wilson; Newcombe's
    /// difference), `median(...)` or `percentile(...)` (order statistics; Price and
    /// Bonett), `mean(...)` (bootstrap), a sum (Fay and Feuer; the F-gamma ratio), an
    /// amount per row (`sum(x) / count()`: the delta method), or a stock's count (Garwood,
    /// approximate); derived metrics are judged in [`derived_evidence`].
    #[allow(clippy::too_many_arguments)]
    fn evidence(
        &self,
        site: &SiteRef,
        dims: &Dims,
        period: &Period,
        value: f64,
        n: u64,
        baseline: Option<f64>,
    ) -> Evidence {
        match self.judged {
            Some(AggFn::Median) => self.quantile_evidence(site, dims, period, (value, baseline), 0.5),
            Some(AggFn::Percentile) => {
                let q = self.base.slots.first().map_or(0.5, |s| s.quantile);
                self.quantile_evidence(site, dims, period, (value, baseline), q)
            }
            Some(AggFn::Mean) => self.mean_evidence(site, dims, period),
            _ if self.base.metric.body.is_sum_per_row() => self.per_row_evidence(site, dims, period, n),
            _ => match self.sample(site, dims, period, value, n) {
                Some(sample) => {
                    let widened = self.widening(site, dims, period);
                    let baseline = self.baseline_sample(site, dims, std::slice::from_ref(period));
                    // A stock's interval models a register, not the sampling of events.
                    let approximate = !self.base.metric.body.is_event();
                    Evidence { approximate, ..self.evidence_of(sample, 1, baseline, widened) }
                }
                None => Evidence::default(),
            },
        }
    }

    /// The baseline window's values of `site` and `dims`; pooled, only when `period` pools
    /// every site (the back end pools them all).
    fn baseline_values_in(&self, site: &SiteRef, dims: &Dims, period: &Period) -> Option<&Vec<f64>> {
        let pools_all = || self.pooled_in(period).len() == self.pooled_sites().len();
        match site {
            SiteRef::All if !pools_all() => None,
            _ => self.baseline_values.get(&(site.clone(), dims.clone())),
        }
    }

    /// How sure a mean is: its bootstrap-t interval, and against the baseline's values the
    /// bootstrap interval of the ratio of means, each seeded by the row's identity (so the
    /// same inputs give the same numbers); too few below 10 values, or `min_n`.
    fn mean_evidence(&self, site: &SiteRef, dims: &Dims, period: &Period) -> Evidence {
        let confidence = self.plan.judgement.confidence;
        let Some(values) = self.values.get(&(site.clone(), dims.clone(), period.index)) else {
            return Evidence::default();
        };
        let dims_text: Vec<&str> = dims.iter().map(|d| d.as_deref().unwrap_or("\u{0}")).collect();
        let seed = |what: &str| {
            let parts = [&[what, self.base.metric.id.as_str(), site.as_str(), &period.label][..], &dims_text].concat();
            crate::stats::bootstrap::seed(&parts)
        };
        let of_baseline = self.baseline_values_in(site, dims, period);
        let against =
            of_baseline.and_then(|b| crate::stats::bootstrap::mean_ratio(values, b, confidence, seed("ratio")));
        let min = self.base.metric.min_n.map_or(0, |n| n as usize).max(crate::stats::bootstrap::MIN_VALUES);
        let interval = crate::stats::bootstrap::mean(values, confidence, seed("mean"));
        let too_few = match interval {
            _ if values.len() < min => Some(format!("{} value(s): fewer than {min}, too few to judge", values.len())),
            None => Some(format!("{} value(s) with too little spread to resample: nothing to judge", values.len())),
            Some(_) => None,
        };
        Evidence { interval, against_baseline: against, too_few, ..Evidence::default() }
    }

    /// How sure a median's or percentile's `value` is: between the order statistics of
    /// its values, and against the baseline's (`value` and `baseline`) the ratio of
    /// Price and Bonett; too few values when there are fewer than `min_n`, or than the
    /// order statistics need (5 for a median, 29 for a 90th percentile, at 0.90).
    fn quantile_evidence(
        &self,
        site: &SiteRef,
        dims: &Dims,
        period: &Period,
        (value, baseline): (f64, Option<f64>),
        q: f64,
    ) -> Evidence {
        let confidence = self.plan.judgement.confidence;
        let Some(values) = self.values.get(&(site.clone(), dims.clone(), period.index)) else {
            return Evidence::default();
        };
        let of_baseline = self.baseline_values_in(site, dims, period);
        let ended = self.ended.get(&(site.clone(), dims.clone(), period.index));
        if let Some(ended) = ended.filter(|e| e.len() == values.len() && e.contains(&false)) {
            return self.open_cases_evidence(values, ended, of_baseline.zip(baseline), q);
        }
        let against = of_baseline
            .zip(baseline)
            .and_then(|(b, b0)| crate::stats::quantile_ratio(values, value, b, b0, q, confidence));
        let interval = crate::stats::quantile(values, q, confidence);
        let min = self.base.metric.min_n.map_or(0, |n| n as usize);
        let too_few = (values.len() < min || interval.is_none()).then(|| {
            let min = crate::stats::fewest_for_quantile(q, confidence).unwrap_or(0).max(min);
            format!("{} value(s): fewer than {min}, too few to judge", values.len())
        });
        Evidence { interval, against_baseline: against, too_few, ..Evidence::default() }
    }

    /// How sure a median or percentile of durations is when some are still running at
    /// `as_of` (docs/semantics.md, "Open cases"): the Kaplan-Meier estimate with Brookmeyer
    /// and Crowley's interval, not the value that counts open cases as ended at `as_of`;
    /// against the baseline's quantile (its order statistics), the ratio read from both
    /// intervals.
    fn open_cases_evidence(
        &self,
        values: &[f64],
        ended: &[bool],
        baseline: Option<(&Vec<f64>, f64)>,
        q: f64,
    ) -> Evidence {
        let confidence = self.plan.judgement.confidence;
        let times: Vec<(f64, bool)> = values.iter().copied().zip(ended.iter().copied()).collect();
        let km = crate::stats::kaplan_meier(&times, q, confidence);
        let against = km.zip(baseline).and_then(|((e, i), (b, e0))| {
            let i0 = crate::stats::quantile(b, q, confidence)?;
            crate::stats::ratio_of_estimates(e, i, e0, i0, confidence)
        });
        let open = ended.iter().filter(|e| !**e).count();
        let what = if q == 0.5 { "median".to_string() } else { format!("{}th percentile", (q * 100.0).round()) };
        let min = self
            .base
            .metric
            .min_n
            .map_or(0, |n| n as usize)
            .max(crate::stats::fewest_for_quantile(q, confidence).unwrap_or(0));
        let too_few = match km {
            _ if values.len() < min => Some(format!("{} value(s): fewer than {min}, too few to judge", values.len())),
            None => {
                Some(format!("{open} of {} case(s) still open at as_of: too many to estimate the {what}", values.len()))
            }
            Some(_) => None,
        };
        let remark = km.map(|(e, _)| {
            let e = (e * 1000.0).round() / 1000.0;
            format!("{open} case(s) still open at as_of: the Kaplan-Meier {what} is {e}")
        });
        Evidence { interval: km.map(|(_, i)| i), against_baseline: against, too_few, remark, ..Evidence::default() }
    }

    /// How sure an amount per row (`sum(x) / count()`) is: the sum and the count are over
    /// the same rows, so their covariance is the sum, and the delta method gives the
    /// interval of the mean amount ([`crate::stats::delta_interval`]); against the
    /// baseline's the delta method's ratio; too few below 10 rows, or `min_n`.
    fn per_row_evidence(&self, site: &SiteRef, dims: &Dims, period: &Period, n: u64) -> Evidence {
        let confidence = self.plan.judgement.confidence;
        let ratio = |v: &[f64]| (v[1] > 0.0).then(|| v[0] / v[1]);
        // The sum's amounts over `rows` rows: (value, variance) of their mean.
        let judge = |c: &Compound, rows: f64| {
            crate::stats::delta_variance(&ratio, &[c.sum, rows], &[c.squares, c.sum, c.sum, rows])
        };
        let now = self.compounds.get(&(site.clone(), dims.clone(), period.index)).and_then(|c| judge(c, n as f64));
        // A site's baseline only: the pooled one is over the sites of the period.
        let then = match site {
            SiteRef::Site(_) => self.baselines.get(&(site.clone(), dims.clone())).and_then(|(_, rows)| {
                let c = self.baseline_compounds.get(&(site.clone(), dims.clone()))?;
                Some((judge(c, *rows as f64)?, *rows))
            }),
            SiteRef::All => None,
        };
        let against = now.zip(then).and_then(|((v, var), ((v0, var0), n0))| {
            crate::stats::delta_ratio((v, var, n), (v0, var0, n0), confidence)
        });
        let min = self.base.metric.min_n.map_or(MIN_SUM_EVENTS, u64::from);
        Evidence {
            interval: now.and_then(|(v, var)| crate::stats::delta_interval(v, var, n, confidence)),
            against_baseline: against,
            too_few: (n < min).then(|| format!("{n} row(s): fewer than {min}, too few to judge")),
            ..Evidence::default()
        }
    }

    /// What a derived metric reads of this count or sum of events at `site` in `period`
    /// (without dimensions): its raw sample and its baseline's, and the factor of its value.
    fn part(&self, site: &SiteRef, dims: &Dims, period: &Period, value: f64, n: u64) -> Option<Part> {
        if !dims.is_empty() || !self.base.metric.body.is_event() {
            return None;
        }
        let raw = |s: Sample| match s {
            Sample::Count { events } => Some(Compound::of_count(events)),
            Sample::Sum(c) => Some(c),
            Sample::Share { .. } => None,
        };
        let sample = raw(self.sample(site, dims, period, value, n)?)?;
        let baseline = self.baseline_sample(site, dims, std::slice::from_ref(period));
        let baseline = baseline.and_then(|b| Some((raw(b.sample)?, b.periods)));
        Some(Part { sample, baseline, factor: self.factor })
    }

    /// The period's sample: a count's events, a share's hits of its cases, a sum's
    /// amounts (none where no row matched).
    fn sample(&self, site: &SiteRef, dims: &Dims, period: &Period, value: f64, n: u64) -> Option<Sample> {
        match self.judged? {
            AggFn::Count => Some(Sample::Count { events: value.round() as u64 }),
            AggFn::Share if n > 0 => Some(Sample::Share { x: (value * n as f64).round() as u64, n }),
            AggFn::Sum => match self.compounds.get(&(site.clone(), dims.clone(), period.index)) {
                Some(c) => Some(Sample::Sum(*c)),
                None if n == 0 => Some(Sample::Sum(Compound::default())),
                // A negative value summed: no longer a sum of amounts.
                None => None,
            },
            _ => None,
        }
    }

    /// The evidence of `sample`, taken over `periods` periods (a window's), against the
    /// baseline's; a count's interval is per period, as its value, and widened when its
    /// events cluster (`widened`: the dispersion φ, [`Base::widening`]).
    fn evidence_of(
        &self,
        sample: Sample,
        periods: u32,
        baseline: Option<BaselineSample>,
        widened: Option<f64>,
    ) -> Evidence {
        let confidence = self.plan.judgement.confidence;
        let min_n = self.base.metric.min_n.map(u64::from);
        let t = f64::from(periods);
        match sample {
            Sample::Count { events: k } => self.count_evidence(k, periods, baseline, widened),
            Sample::Sum(c) => {
                let against = match baseline {
                    Some(BaselineSample { sample: Sample::Sum(c0), periods, t }) => {
                        crate::stats::compound_ratio(c, t, c0, periods, confidence)
                    }
                    _ => None,
                };
                let min = min_n.unwrap_or(MIN_SUM_EVENTS);
                let per_period = |i: crate::stats::Interval| crate::stats::Interval {
                    lower: i.lower * self.factor / t,
                    upper: i.upper * self.factor / t,
                };
                let events = c.events;
                Evidence {
                    interval: crate::stats::compound(c, confidence).map(per_period),
                    against_baseline: against,
                    too_few: (events < min).then(|| format!("{events} event(s): fewer than {min}, too few to judge")),
                    ..Evidence::default()
                }
            }
            Sample::Share { x, n } => {
                let against = match baseline {
                    Some(BaselineSample { sample: Sample::Share { x: x0, n: n0 }, .. }) => {
                        crate::stats::share_difference(x, n, x0, n0, confidence)
                    }
                    _ => None,
                };
                let min = min_n.unwrap_or(MIN_SHARE_CASES);
                Evidence {
                    interval: crate::stats::share(x, n, confidence),
                    against_baseline: against,
                    too_few: (n < min).then(|| format!("{n} case(s): fewer than {min}, too few to judge")),
                    ..Evidence::default()
                }
            }
        }
    }

    /// The evidence of `k` events over `periods` periods (see [`Base::evidence_of`]).
    fn count_evidence(&self, k: u64, periods: u32, baseline: Option<BaselineSample>, widened: Option<f64>) -> Evidence {
        let confidence = self.plan.judgement.confidence;
        let min_n = self.base.metric.min_n.map(u64::from);
        let t = f64::from(periods);
        let (events, exposure, window) = match baseline {
            Some(BaselineSample { sample: Sample::Count { events }, periods, t }) => (Some(events), t, periods),
            _ => (None, t, 1.0),
        };
        let phi = widened.unwrap_or(1.0);
        let ratio = |k, e| crate::stats::rate_ratio_dispersed(k, exposure, e, window, phi, confidence);
        let against = events.and_then(|e| ratio(k, e));
        // Even a period without an event could not show `better`.
        let never_better = events
            .filter(|_| self.base.metric.direction == Direction::LowerIsBetter)
            .filter(|e| ratio(0, *e).is_none_or(|i| !i.below(1.0)));
        let seen = k + events.unwrap_or(0);
        let too_few = match min_n {
            Some(min) if seen < min => {
                Some(format!("{seen} event(s) in the period and its baseline: fewer than {min}, too few to judge"))
            }
            _ if k == 0 && events == Some(0) => {
                Some("no event in the period nor in the baseline: nothing to judge".to_string())
            }
            _ => None,
        };
        let per_period = |i: crate::stats::Interval| crate::stats::Interval { lower: i.lower / t, upper: i.upper / t };
        let clustered = widened.map(|phi| {
            format!(
                "events cluster (dispersion {phi:.2} in the baseline's monthly counts): intervals widened by its square root"
            )
        });
        let never_better = never_better.filter(|_| seen > 0).map(|e| {
            let level = (confidence * 1000.0).round() / 10.0;
            let span = if periods == 1 { "single period".to_string() } else { format!("window of {periods} periods") };
            format!("with {e} baseline event(s), no {span} can show `better` at {level}%")
        });
        Evidence {
            interval: crate::stats::count_dispersed(k, phi, confidence).map(per_period),
            remark: clustered,
            against_baseline: against,
            too_few,
            caution: never_better,
            ..Evidence::default()
        }
    }

    /// The metric judged over the trailing `window` periods ending at each row of one site
    /// and dimension value (`rows`, in period order; docs/semantics.md, "Windows"): counts
    /// and shares pooled over the window, judged as a period is. The first `window - 1`
    /// periods have none.
    fn windows(&self, site: &SiteRef, dims: &Dims, periods: &[Period], rows: &mut [ResultRow]) {
        let Some(window) = self.base.metric.window else { return };
        let size = window as usize;
        for end in size.saturating_sub(1)..rows.len().min(periods.len()) {
            let span = &rows[end + 1 - size..=end];
            let period = &periods[end];
            // A share's period without a case has no value, and adds nothing to its window.
            let no_case = |r: &ResultRow| self.judged == Some(AggFn::Share) && r.value.is_none() && r.n == Some(0);
            let whole = span.iter().all(|r| r.coverage == RowCoverage::Covered && (r.value.is_some() || no_case(r)));
            let span_periods = &periods[end + 1 - size..=end];
            let samples: Option<Vec<Sample>> = (span.iter().zip(span_periods))
                .map(|(r, p)| match no_case(r) {
                    true => Some(Sample::Share { x: 0, n: 0 }),
                    false => r.value.zip(r.n).and_then(|(v, n)| self.sample(site, dims, p, v, n)),
                })
                .collect();
            let standing = Standing {
                partial: span.iter().any(|r| r.partial),
                before_rollout: span.iter().any(|r| r.status == Some(RowStatus::Baseline)),
                // A window is judged whole: one holding a period judged to date waits.
                to_date: false,
            };
            let cases = |s: &Sample| !matches!(s, Sample::Share { n: 0, .. });
            let pooled = samples.filter(|_| whole).and_then(|s| pool(&s)).filter(cases);
            let judged = match pooled {
                Some(sample) => {
                    let (baseline, widened) =
                        (self.baseline_sample(site, dims, span_periods), self.widening(site, dims, period));
                    let evidence = self.evidence_of(sample, window, baseline, widened);
                    let value = match sample {
                        Sample::Count { events } => events as f64 / f64::from(window),
                        Sample::Share { x, n } => x as f64 / n as f64,
                        Sample::Sum(c) => c.sum * self.factor / f64::from(window),
                    };
                    let row = &rows[end];
                    let judged = judge(
                        self.base.metric,
                        site,
                        period,
                        Some(value),
                        row.baseline,
                        standing,
                        &evidence,
                        self.plan.judgement,
                    );
                    Windowed {
                        value: judged.value,
                        lower: judged.lower,
                        upper: judged.upper,
                        change: judged.change,
                        status: judged.status,
                        note: judged.status_note,
                    }
                }
                // Not collected at the site: its window is not collected either, never no data.
                None if rows[end].coverage == RowCoverage::NotCollected => {
                    Windowed { status: Some(RowStatus::NotCollected), ..Windowed::default() }
                }
                None => Windowed { status: Some(RowStatus::NoData), ..Windowed::default() },
            };
            // A period too thin to judge alone may be judged by its window: say so.
            let thin = matches!(rows[end].status, Some(RowStatus::Unclear | RowStatus::Insufficient));
            if let Some(change) = judged.change.filter(|c| thin && *c != crate::stats::Change::Unclear) {
                let said = format!("the trailing {window} periods are {} than the baseline", change.as_str());
                let note = rows[end].status_note.take().map_or(said.clone(), |n| format!("{n}; {said}"));
                rows[end].status_note = Some(note);
            }
            rows[end].window = Some(judged);
        }
    }

    /// What the baseline of `site` and `dims` rests on, unscaled, for the period's
    /// evidence: a count's events and the periods of the grain its window spans, a
    /// share's hits and cases (its two counts). Pooled: summed over the sites pooled in
    /// the period, each count over its own window.
    fn baseline_sample(&self, site: &SiteRef, dims: &Dims, span: &[Period]) -> Option<BaselineSample> {
        let period = span.last()?;
        // A period judged to date is the unit its baseline's exposure is counted in.
        let share = match span {
            [one] => self.so_far(site, one).map_or(1.0, |f| f.share),
            _ => 1.0,
        };
        let kind = self.judged.filter(|f| matches!(f, AggFn::Count | AggFn::Share | AggFn::Sum))?;
        // A site's unscaled sample and its window in periods. A window without rows has
        // counts (and sums) of 0.
        let of_site = |s: &str| -> Option<(Sample, f64)> {
            let window = self.base.window(s)?;
            let key = (SiteRef::Site(SiteId(s.to_string())), dims.to_vec());
            let count = |i: usize| match self.baselines.get(&key) {
                Some((slots, _)) => slots.get(i).and_then(|v| v.num()),
                None => Some(0.0),
            };
            let whole = |x: f64| x.round() as u64;
            let sample = match kind {
                AggFn::Count => Sample::Count { events: whole(count(0)?) },
                AggFn::Share => Sample::Share { x: whole(count(0)?), n: whole(count(1).unwrap_or(0.0)) },
                _ => match self.baselines.get(&key) {
                    Some(_) => Sample::Sum(*self.baseline_compounds.get(&key)?),
                    None => Sample::Sum(Compound::default()),
                },
            };
            // A stock's baseline is one count, at the window's end.
            let periods = match self.base.metric.body.is_event() {
                true => window.months() / (self.base.grain.months() as f64 * share),
                false => 1.0,
            };
            Some((sample, periods))
        };
        let sites = match site {
            SiteRef::Site(id) => vec![id.as_str()],
            SiteRef::All => self.pooled_in(period),
        };
        let each: Vec<(Sample, f64)> = sites.iter().map(|s| of_site(s)).collect::<Option<_>>()?;
        // What weighs a site's window in the pooled exposure: its events (a sum's amounts).
        let weight = |s: &Sample| match s {
            Sample::Count { events } => *events as f64,
            Sample::Share { x, .. } => *x as f64,
            Sample::Sum(c) => c.sum,
        };
        let first: f64 = each.iter().map(|(s, _)| weight(s)).sum();
        let per_period: f64 = each.iter().map(|(s, p)| weight(s) / p).sum();
        let periods = match first > 0.0 {
            true => first / per_period,
            false => each.iter().map(|e| e.1).sum::<f64>() / each.len().max(1) as f64,
        };
        let (periods, t) = match &self.exposure {
            None => (periods, span.len() as f64),
            // Judged per another metric: the period's exposure is its value summed over the
            // span, the baseline's its one period's baseline times each window's periods.
            Some(x) => {
                // Pooled: over the same sites as the events, each its own.
                let value = |s: &str, p: &Period| x.values.get(&(SiteRef::Site(SiteId(s.to_string())), p.start));
                let t: f64 = span.iter().flat_map(|p| sites.iter().map(move |s| value(s, p))).sum::<Option<f64>>()?;
                let of_site = |s: &str| x.baselines.get(&SiteRef::Site(SiteId(s.to_string())));
                // `p` counts periods judged to date when one is: `share` makes them whole.
                let t0: f64 = sites
                    .iter()
                    .zip(&each)
                    .map(|(s, (_, p))| of_site(s).map(|b| b * p * share))
                    .sum::<Option<f64>>()?;
                (t > 0.0 && t0 > 0.0).then_some((t0, t))?
            }
        };
        let samples: Vec<Sample> = each.into_iter().map(|(s, _)| s).collect();
        Some(BaselineSample { sample: pool(&samples)?, periods, t })
    }

    /// A warning naming the sites (and dimension values) whose baseline counts cluster
    /// enough for their intervals to be widened.
    fn clustered(&self) -> Option<Diagnostic> {
        let mut found: Vec<(&(String, Dims), &Dispersion)> =
            self.dispersions.iter().filter(|(_, d)| d.phi > DISPERSED).collect();
        if found.is_empty() {
            return None;
        }
        found.sort_by(|a, b| a.0.cmp(b.0));
        let listed: Vec<String> = found
            .iter()
            .map(|((site, dims), d)| {
                let values: Vec<&str> = dims.iter().map(|v| v.as_deref().unwrap_or("(none)")).collect();
                let of = if values.is_empty() { String::new() } else { format!(" ({})", values.join(", ")) };
                format!("`{site}`{of}: {:.2} over {} months", d.phi, d.months)
            })
            .collect();
        let message = format!(
            "the events of `{}` cluster: their monthly counts in the baseline swing more than chance (dispersion above {DISPERSED}) at {}",
            self.base.metric.id,
            listed.join("; ")
        );
        Some(Diagnostic::warning(codes::W0802, message).help(
            "its count intervals and changes there are widened by the square root of the dispersion, so fewer changes are judged; a window (`window: 4`) gathers more events",
        ))
    }

    /// The dispersion a count's intervals at `site` and `dims` are widened by, when its
    /// baseline's monthly counts swing more than [`DISPERSED`] times a Poisson process's
    /// (docs/semantics.md, "Overdispersion"); pooled, the events-weighted mean of the
    /// dispersions of the sites pooled in `period`.
    fn widening(&self, site: &SiteRef, dims: &Dims, period: &Period) -> Option<f64> {
        let of = |s: &str| self.dispersions.get(&(s.to_string(), dims.clone()));
        let phi = match site {
            SiteRef::Site(id) => of(id.as_str())?.phi,
            SiteRef::All => {
                let each: Vec<&Dispersion> = self.pooled_in(period).into_iter().filter_map(of).collect();
                let events: u64 = each.iter().map(|d| d.events).sum();
                if events == 0 {
                    return None;
                }
                each.iter().map(|d| d.phi * d.events as f64).sum::<f64>() / events as f64
            }
        };
        (phi > DISPERSED).then_some(phi)
    }

    /// The value of a covered period where no row of a dimension value matched: counts and
    /// sums are zero. A snapshot metric's period without a snapshot at all has no value.
    fn zero(&self, site: &SiteRef, period: &Period) -> Option<f64> {
        if matches!(self.base.time, TimeSemantics::Snapshot { .. })
            && !self.snapshots.contains(&(site.clone(), period.index))
        {
            return None;
        }
        value_of(&self.base.post, &zero_filled(&self.base.slots), Some(period), self.plan.as_of)
    }

    /// The baseline of `site` and `dims`: none without a window (or, pooled, when a site
    /// read has none); zero-filled counts and sums when the window has no rows.
    fn baseline(&self, site: &SiteRef, dims: &[Option<String>]) -> Option<f64> {
        self.scaled_baseline(site, dims, 1.0)
    }

    /// [`Base::baseline`] with its flows scaled to `share` of a period (the part of a
    /// period judged to date).
    fn scaled_baseline(&self, site: &SiteRef, dims: &[Option<String>], share: f64) -> Option<f64> {
        let slots = match site {
            SiteRef::Site(id) => self.site_baseline(id, dims, share)?,
            SiteRef::All => self.pooled_baseline(dims, &self.pooled_sites(), share)?,
        };
        value_of(&self.base.post, &slots, None, self.plan.as_of)
    }

    /// The part of `period` judged to date at `site`: in a run judging to date, the
    /// period holding `as_of` where the data covers every day of it so far (pooled: at
    /// every site pooled in it) ([`Plan::so_far`]).
    fn so_far(&self, site: &SiteRef, period: &Period) -> Option<crate::plan::SoFar> {
        let so_far = self.plan.so_far(period)?;
        let sites = match site {
            SiteRef::Site(id) => vec![id.as_str()],
            SiteRef::All => self.pooled_in(period),
        };
        let covers = |s: &str| {
            let span = self.base.coverage.iter().find(|c| c.site.as_str() == s).map(|c| &c.span);
            let read = self.covered(&SiteRef::Site(SiteId(s.to_string())), period) != Covered::None;
            read && span.and_then(|x| x.clip(period.start, period.end)) == Some((period.start, period.end))
        };
        (!sites.is_empty() && sites.into_iter().all(covers)).then_some(so_far)
    }

    /// The sites whose data the pooled row can hold: read, and exporting what it reads.
    fn pooled_sites(&self) -> Vec<&str> {
        let collected = |s: &&SiteId| !self.absent.contains(s.as_str());
        self.sites_read.iter().filter(collected).map(SiteId::as_str).collect()
    }

    /// The sites pooled in `period`: those covered in it.
    fn pooled_in(&self, period: &Period) -> Vec<&str> {
        let covered = |s: &&str| self.covered(&SiteRef::Site(SiteId(s.to_string())), period) != Covered::None;
        self.pooled_sites().into_iter().filter(covered).collect()
    }

    /// The pooled baseline for `period`: over the sites covered in it.
    fn pooled_baseline_in(&self, dims: &[Option<String>], period: &Period) -> Option<f64> {
        let share = self.so_far(&SiteRef::All, period).map_or(1.0, |f| f.share);
        let slots = self.pooled_baseline(dims, &self.pooled_in(period), share)?;
        value_of(&self.base.post, &slots, None, self.plan.as_of)
    }

    /// A site's baseline slots. In an event metric, flows (counts and sums) are scaled to
    /// one period of this grain by the months the clipped window covers, and to `share`
    /// of it (1 but in a period judged to date).
    fn site_baseline(&self, site: &str, dims: &[Option<String>], share: f64) -> Option<Vec<V>> {
        let window = self.base.window(site)?;
        if matches!(self.base.time, TimeSemantics::Snapshot { .. }) && !self.window_snapshots.contains(site) {
            return None;
        }
        let scale = match self.base.time {
            TimeSemantics::Event { .. } => self.base.grain.months() as f64 * share / window.months(),
            _ => 1.0,
        };
        let slots = match self.baselines.get(&(SiteRef::Site(SiteId(site.to_string())), dims.to_vec())) {
            Some((values, _)) => values.clone(),
            None => zero_filled(&self.base.slots),
        };
        let scaled = slots.iter().zip(&self.base.slots).map(|(v, s)| match (v, s.is_additive()) {
            (V::Num(x), true) => V::Num(x * scale),
            (v, _) => *v,
        });
        Some(scaled.collect())
    }

    /// The pooled baseline's slots over `sites`: each flow the sum of the sites' own scaled
    /// flows, every other aggregate over the pooled window rows of all sites (unknown over
    /// fewer: the back end pools them all); none when one of `sites` has no baseline.
    fn pooled_baseline(&self, dims: &[Option<String>], sites: &[&str], share: f64) -> Option<Vec<V>> {
        let each: Vec<Vec<V>> = sites.iter().map(|s| self.site_baseline(s, dims, share)).collect::<Option<_>>()?;
        if each.is_empty() {
            return None;
        }
        let all = sites.len() == self.pooled_sites().len();
        let pooled = self.baselines.get(&(SiteRef::All, dims.to_vec())).map(|(v, _)| v.clone());
        let pooled = pooled.unwrap_or_else(|| zero_filled(&self.base.slots));
        let slots = self.base.slots.iter().enumerate().map(|(i, slot)| match slot.is_additive() {
            true => V::Num(each.iter().filter_map(|s| s[i].num()).sum()),
            false if all => pooled[i],
            false => V::Null,
        });
        Some(slots.collect())
    }

    /// Whether the site does not export a source the metric reads; the pooled row, when
    /// no site does.
    fn is_absent(&self, site: &SiteRef) -> bool {
        match site {
            SiteRef::Site(id) => self.absent.contains(id.as_str()),
            SiteRef::All => self.plan.inputs.sites.iter().all(|s| self.absent.contains(s.id.as_str())),
        }
    }

    /// How much of `period` the data covers at `site` ([`cover`]).
    fn covered(&self, site: &SiteRef, period: &Period) -> Covered {
        self.cover.get(&(site.clone(), period.index)).copied().unwrap_or(Covered::None)
    }

    /// The site's collection; the pooled row's is the sites' when they agree, else mixed.
    fn collection(&self, site: &SiteRef) -> Collection {
        let of = |s| self.plan.collection(&self.base.source, s);
        match site {
            SiteRef::Site(id) => of(self.plan.site(id).expect("a site")),
            SiteRef::All => {
                let mut all = self.plan.inputs.sites.iter().map(of);
                let Some(first) = all.next() else { return Collection::Automated };
                if all.all(|c| c == first) { first } else { Collection::Mixed }
            }
        }
    }
}

/// How much of each period the data covers at each site: read, exporting the source, and
/// inside its coverage; the pooled row covers what its sites cover, partly when one of
/// them does.
fn cover(
    plan: &Plan,
    base: &BasePlan,
    sites_read: &[SiteId],
    absent: &HashSet<&str>,
) -> HashMap<(SiteRef, i64), Covered> {
    let read: HashSet<&str> = sites_read.iter().map(SiteId::as_str).collect();
    let spans: HashMap<&str, &crate::plan::Span> = base.coverage.iter().map(|c| (c.site.as_str(), &c.span)).collect();
    let mut cover = HashMap::new();
    for period in plan.periods(base.grain) {
        let mut pooled = Covered::None;
        for site in plan.inputs.sites {
            let id = site.id.as_str();
            let span = spans.get(id).filter(|_| read.contains(id) && !absent.contains(id));
            let covered = span.map_or(Covered::None, |span| span.covers(&plan.calendar, &period));
            pooled = match (pooled, covered) {
                (Covered::None, c) | (c, Covered::None) => c,
                (Covered::Whole, Covered::Whole) => Covered::Whole,
                _ => Covered::Part,
            };
            cover.insert((SiteRef::Site(site.id.clone()), period.index), covered);
        }
        cover.insert((SiteRef::All, period.index), pooled);
    }
    cover
}

/// Marks the rows (of one site and dimension value, in period order) whose change is
/// `better` or `worse` as in the period before.
fn sustain(rows: &mut [ResultRow]) {
    for i in 1..rows.len() {
        let same = rows[i].change == rows[i - 1].change;
        rows[i].sustained =
            same && matches!(rows[i].change, Some(crate::stats::Change::Better | crate::stats::Change::Worse));
    }
}

/// Per site and dimension value, the dispersion of its baseline's monthly counts
/// ([`crate::stats::dispersion`]) over the whole months of its window, months without a row
/// counting 0; none over fewer than [`DISPERSION_MONTHS`] months or without an event.
fn dispersions(base: &BasePlan, months: &[Group]) -> HashMap<(String, Dims), Dispersion> {
    let mut counts: HashMap<(String, Dims), HashMap<i64, u64>> = HashMap::new();
    for g in months {
        let (SiteRef::Site(site), Some(month), Some(Some(k))) = (&g.site, g.period, g.slots.first()) else { continue };
        let key = (site.as_str().to_string(), g.dims.clone());
        counts.entry(key).or_default().insert(month, k.round() as u64);
    }
    let mut out = HashMap::new();
    for ((site, dims), by_month) in counts {
        let Some(window) = base.window(&site) else { continue };
        let whole = window.whole_months();
        let series: Vec<u64> = whole.iter().map(|m| by_month.get(m).copied().unwrap_or(0)).collect();
        if series.len() < DISPERSION_MONTHS {
            continue;
        }
        if let Some(phi) = crate::stats::dispersion(&series) {
            let events = series.iter().sum();
            out.insert((site, dims), Dispersion { phi, months: series.len(), events });
        }
    }
    out
}

/// Samples of one kind summed; `None` when there are none or kinds differ.
fn pool(samples: &[Sample]) -> Option<Sample> {
    let mut pooled = *samples.first()?;
    for s in &samples[1..] {
        pooled = match (pooled, *s) {
            (Sample::Count { events: a }, Sample::Count { events: b }) => Sample::Count { events: a + b },
            (Sample::Share { x: a, n: m }, Sample::Share { x: b, n }) => Sample::Share { x: a + b, n: m + n },
            (Sample::Sum(a), Sample::Sum(b)) => Sample::Sum(a.and(b)),
            _ => return None,
        };
    }
    Some(pooled)
}

fn zero_filled(slots: &[Slot]) -> Vec<V> {
    slots.iter().map(|s| if s.is_additive() { V::Num(0.0) } else { V::Null }).collect()
}

/// A derived metric per site, dimension value and period, from its inputs' values (and
/// baselines). Inputs with `by` share their dimensions (in any order); an input without
/// `by` gives its site-wide value to every dimension value.
fn derived_rows(plan: &Plan, d: &DerivedPlan, out: &mut Assembled) {
    let periods = plan.periods(d.grain);
    let joint = joint_parts(plan, d);
    let id = &d.metric.id;
    let names = d.inputs.iter().filter_map(|i| out.dim_names.get(i)).find(|n| !n.is_empty()).cloned();
    let names = names.unwrap_or_default();
    out.dim_names.insert(id.clone(), names.clone());
    for site in site_refs(plan) {
        if d.inputs.iter().any(|i| out.out_of_scope.contains(&(i.clone(), site.clone()))) {
            out.out_of_scope.insert((id.clone(), site.clone()));
            continue;
        }
        let combos = derived_combos(d, &names, &site, out);
        let inputs = d.inputs.iter().filter_map(|i| out.collection.get(&(i.clone(), site.clone())).copied());
        let collection = inputs.fold(Collection::Automated, Collection::worst);
        out.collection.insert((id.clone(), site.clone()), collection);
        let absent = d.inputs.iter().any(|i| out.absent.contains(&(i.clone(), site.clone())));
        if absent {
            out.absent.insert((id.clone(), site.clone()));
        }
        // With `to_date`, a baseline of the period judged to date: from its parts' own.
        let value = |out: &Assembled, dims, period, to_date| {
            let lookup = Lookup { out, site: &site, names: &names, dims, period, to_date };
            crate::plan::post::eval(&d.post, &lookup).num()
        };
        let mixed = site == SiteRef::All && pooled_apart(plan, d, out);
        let zero_baseline = if mixed { None } else { value(out, None, None, false) };
        out.zero_baseline.insert((id.clone(), site.clone()), zero_baseline);
        for period in &periods {
            if d.inputs.iter().all(|i| out.covered.contains(&(i.clone(), site.clone(), period.start))) {
                out.covered.insert((id.clone(), site.clone(), period.start));
                if d.inputs.iter().any(|i| out.part.contains(&(i.clone(), site.clone(), period.start))) {
                    out.part.insert((id.clone(), site.clone(), period.start));
                }
                let zero = if mixed { None } else { value(out, None, Some(period.start), false) };
                out.zero.insert((id.clone(), site.clone(), period.start), zero);
            }
        }
        for dims in &combos {
            let baseline = if mixed || absent { None } else { value(out, Some(dims), None, false) };
            out.baselines.insert((id.clone(), site.clone(), dims.clone()), baseline);
            for period in &periods {
                let covered = out.covered.contains(&(id.clone(), site.clone(), period.start));
                let standing = derived_standing(plan, id, &site, period, out);
                let baseline = match baseline {
                    Some(_) if standing.to_date => value(out, Some(dims), None, true),
                    _ => baseline,
                };
                let value = if covered && !mixed { value(out, Some(dims), Some(period.start), false) } else { None };
                if standing.to_date {
                    out.to_date_baselines.insert((id.clone(), site.clone(), dims.clone()), baseline);
                }
                let evidence = match (&joint, value) {
                    (Some(parts), Some(_)) if dims.is_empty() => derived_evidence(plan, d, parts, &site, period, out),
                    _ => Evidence::default(),
                };
                let judged = judge(d.metric, &site, period, value, baseline, standing, &evidence, plan.judgement);
                let left_out = parts_left_out(d, &site, period.start, out);
                if !left_out.is_empty() {
                    let key = (id.clone(), site.clone(), period.start);
                    out.left_out.insert(key, (id.to_string(), left_out.clone()));
                }
                let row = ResultRow {
                    dims: names.iter().cloned().zip(dims.iter().cloned()).collect(),
                    excluded: left_out.values().sum(),
                    excluded_reasons: reasons(&left_out),
                    coverage: match covered {
                        _ if absent => RowCoverage::NotCollected,
                        true => RowCoverage::Covered,
                        false => RowCoverage::NotCovered,
                    },
                    status: if absent { Some(RowStatus::NotCollected) } else { judged.status },
                    collection,
                    ..judged
                };
                out.push(row);
            }
        }
        out.combos.insert((id.clone(), site), combos);
    }
}

/// Whether a derived metric's parts are pooled over different sites (one lacks an export
/// at a site, another does not): they do not combine into a pooled value.
fn pooled_apart(plan: &Plan, d: &DerivedPlan, out: &Assembled) -> bool {
    plan.inputs.sites.iter().any(|s| {
        let lacks = |i: &MetricId| out.absent.contains(&(i.clone(), SiteRef::Site(s.id.clone())));
        d.inputs.iter().any(lacks) && !d.inputs.iter().all(lacks)
    })
}

/// Where a derived metric's row stands: partial where a part is, judged to date where the
/// run does so and the period is covered whole.
fn derived_standing(plan: &Plan, id: &MetricId, site: &SiteRef, period: &Period, out: &Assembled) -> Standing {
    let covered = out.covered.contains(&(id.clone(), site.clone(), period.start));
    let part = out.part.contains(&(id.clone(), site.clone(), period.start));
    Standing {
        partial: part,
        before_rollout: before_rollout(plan, site, period, |s| {
            out.covered.contains(&(id.clone(), SiteRef::Site(SiteId(s.to_string())), period.start))
        }),
        to_date: covered && !part && plan.so_far(period).is_some(),
    }
}

/// A count's or sum's raw sample in a period, its baseline's (with the baseline's
/// exposure in periods), and the factor its value is of the sample.
#[derive(Clone, Copy)]
struct Part {
    sample: Compound,
    baseline: Option<(Compound, f64)>,
    factor: f64,
}

/// The base plans of a derived metric's parts when they share their events
/// ([`crate::ir::DefinitionSet::shared_event_parts`]), at the grain computed.
fn joint_parts<'p>(plan: &'p Plan, d: &DerivedPlan) -> Option<Vec<&'p BasePlan<'p>>> {
    if !d.shared_events {
        return None;
    }
    let plans = d.inputs.iter().map(|i| plan.bases.iter().find(|b| &b.metric.id == i));
    plans.collect::<Option<Vec<_>>>().filter(|b| b.iter().all(|b| b.grain == d.grain))
}

/// The evidence of a derived metric over parts that share their events ([`joint_parts`]):
/// the delta method on the parts' joint covariance, in the period and in its baseline;
/// too few below 10 events, or `min_n`.
fn derived_evidence(
    plan: &Plan,
    d: &DerivedPlan,
    parts: &[&BasePlan],
    site: &SiteRef,
    period: &Period,
    out: &Assembled,
) -> Evidence {
    let confidence = plan.judgement.confidence;
    let found: Option<Vec<Part>> =
        parts.iter().map(|b| out.parts.get(&(b.metric.id.clone(), site.clone(), period.start)).copied()).collect();
    let Some(found) = found else { return Evidence::default() };
    let ids: Vec<&str> = parts.iter().map(|b| b.metric.id.as_str()).collect();
    let f = |values: &[f64]| crate::plan::post::eval(&d.post, &Parts { ids: &ids, values }).num();
    let is_sum: Vec<bool> = parts.iter().map(|b| b.metric.body.judged_aggregate() == Some(AggFn::Sum)).collect();
    // The parts' values and covariance from raw samples over the same events, each scaled
    // by its factor and over `periods`.
    let moments = |samples: &[(Compound, f64)], periods: f64| -> (Vec<f64>, Vec<f64>) {
        let k = samples.len();
        let values = samples.iter().map(|(c, factor)| factor * c.sum / periods).collect();
        let mut cov = vec![0.0; k * k];
        for j in 0..k {
            for l in 0..k {
                let (cj, fj) = samples[j];
                let (cl, fl) = samples[l];
                let cross = match (is_sum[j], is_sum[l]) {
                    (false, false) => cj.events as f64,
                    (true, false) => cj.sum,
                    (false, true) => cl.sum,
                    (true, true) => cj.squares,
                };
                cov[j * k + l] = fj * fl * cross / (periods * periods);
            }
        }
        (values, cov)
    };
    let now: Vec<(Compound, f64)> = found.iter().map(|p| (p.sample, p.factor)).collect();
    let (values, cov) = moments(&now, 1.0);
    let estimate = crate::stats::delta_variance(&f, &values, &cov);
    let then: Option<Vec<(Compound, f64, f64)>> =
        found.iter().map(|p| p.baseline.map(|(c, periods)| (c, p.factor, periods))).collect();
    let events = found.iter().map(|p| p.sample.events).max().unwrap_or(0);
    let against = then.and_then(|then| {
        let periods = then.first()?.2;
        let samples: Vec<(Compound, f64)> = then.iter().map(|(c, factor, _)| (*c, *factor)).collect();
        let (values0, cov0) = moments(&samples, periods);
        let (v0, var0) = crate::stats::delta_variance(&f, &values0, &cov0)?;
        let events0 = samples.iter().map(|(c, _)| c.events).max().unwrap_or(0);
        let (v, var) = estimate?;
        crate::stats::delta_ratio((v, var, events), (v0, var0, events0), confidence)
    });
    let min = d.metric.min_n.map_or(MIN_SUM_EVENTS, u64::from);
    // One event has no spread to read a variance from.
    let interval = estimate.and_then(|(v, var)| crate::stats::delta_interval(v, var, events, confidence));
    Evidence {
        interval,
        against_baseline: against,
        too_few: (events < min).then(|| format!("{events} event(s): fewer than {min}, too few to judge")),
        ..Evidence::default()
    }
}

/// The values of a derived metric's parts, by id, for [`crate::plan::post::eval`].
struct Parts<'a> {
    ids: &'a [&'a str],
    values: &'a [f64],
}

impl Env for Parts<'_> {
    fn metric(&self, id: &str) -> V {
        self.ids.iter().position(|i| *i == id).map_or(V::Null, |j| V::Num(self.values[j]))
    }
}

/// The dimension values a derived metric has at a site: those its inputs with `by` have,
/// in the derived metric's order of dimensions.
fn derived_combos(d: &DerivedPlan, names: &[String], site: &SiteRef, out: &Assembled) -> BTreeSet<Dims> {
    if names.is_empty() {
        return BTreeSet::from([Vec::new()]);
    }
    let mut combos = BTreeSet::new();
    for input in &d.inputs {
        let own = out.dim_names.get(input).map_or(&[][..], Vec::as_slice);
        if own.is_empty() {
            continue;
        }
        for dims in out.combos.get(&(input.clone(), site.clone())).into_iter().flatten() {
            combos.insert(reorder(own, names, dims));
        }
    }
    combos
}

/// Dimension values named `from` in the order of `to`.
fn reorder(from: &[String], to: &[String], dims: &Dims) -> Dims {
    to.iter().map(|n| from.iter().position(|f| f == n).and_then(|i| dims[i].clone())).collect()
}

/// Rows computed so far, and what derived metrics read of them.
#[derive(Default)]
struct Assembled {
    rows: Vec<ResultRow>,
    /// What the statistics warn of (clustered counts).
    warnings: Vec<Diagnostic>,
    /// (metric, site, period start) of an event count or sum without dimensions: what a
    /// derived metric over the same events reads to judge its value.
    parts: HashMap<(MetricId, SiteRef, NaiveDate), Part>,
    /// The metrics that are parts of a derived metric over shared events: only theirs
    /// are kept in `parts`.
    part_of: HashSet<MetricId>,
    /// (metric, site, dimension values, period start) to value, for covered rows.
    values: HashMap<(MetricId, SiteRef, Dims, NaiveDate), Option<f64>>,
    /// (metric, site, period start) covered by the data.
    covered: HashSet<(MetricId, SiteRef, NaiveDate)>,
    /// Those covered only in part.
    part: HashSet<(MetricId, SiteRef, NaiveDate)>,
    /// (metric, site) where a source the metric reads is not exported.
    absent: HashSet<(MetricId, SiteRef)>,
    /// The metrics and sites outside the metric's scope: no rows.
    out_of_scope: HashSet<(MetricId, SiteRef)>,
    /// A metric's value in a covered period where no row of some dimension value matched.
    zero: HashMap<(MetricId, SiteRef, NaiveDate), Option<f64>>,
    baselines: HashMap<(MetricId, SiteRef, Dims), Option<f64>>,
    /// The baselines of the period judged to date, flows scaled to its days so far.
    to_date_baselines: HashMap<(MetricId, SiteRef, Dims), Option<f64>>,
    /// The baseline of a dimension value with no rows in the window.
    zero_baseline: HashMap<(MetricId, SiteRef), Option<f64>>,
    collection: HashMap<(MetricId, SiteRef), Collection>,
    /// (metric, site, period start) to the rows left out of it, by reason, and the source
    /// they were left out of (a derived metric's own id): what a derived metric over it
    /// has left out.
    left_out: HashMap<(MetricId, SiteRef, NaiveDate), (String, ByReason)>,
    /// The dimension values seen per metric and site.
    combos: HashMap<(MetricId, SiteRef), BTreeSet<Dims>>,
    dim_names: HashMap<MetricId, Vec<String>>,
}

impl Assembled {
    fn push(&mut self, row: ResultRow) {
        if row.coverage == RowCoverage::Covered {
            let dims = row.dims.iter().map(|(_, v)| v.clone()).collect();
            self.values.insert((row.metric.clone(), row.site.clone(), dims, row.period_start), row.value);
        }
        self.rows.push(row);
    }
}

/// Another metric's value for a derived metric: at one site and dimension value (named
/// `names`), in one period (`None`: the baseline). Without dimension values, the value
/// where none matched.
struct Lookup<'a> {
    out: &'a Assembled,
    site: &'a SiteRef,
    names: &'a [String],
    dims: Option<&'a Dims>,
    period: Option<NaiveDate>,
    /// The baselines read are those of the period judged to date.
    to_date: bool,
}

impl Env for Lookup<'_> {
    fn metric(&self, id: &str) -> V {
        let id = MetricId(id.to_string());
        let site = self.site.clone();
        let zero = |out: &Assembled| match self.period {
            Some(start) => out.zero.get(&(id.clone(), site.clone(), start)).copied().flatten(),
            None => out.zero_baseline.get(&(id.clone(), site.clone())).copied().flatten(),
        };
        let Some(dims) = self.dims else { return zero(self.out).map_or(V::Null, V::Num) };
        // An input without `by` has one value for every dimension value.
        let own = self.out.dim_names.get(&id).map_or(&[][..], Vec::as_slice);
        let dims = if own.is_empty() { Vec::new() } else { reorder(self.names, own, dims) };
        let key = (id.clone(), site.clone(), dims);
        let found = match self.period {
            Some(start) => self.out.values.get(&(key.0, key.1, key.2, start)),
            // A part not judged to date has no such baseline: the derived one has none either.
            None if self.to_date => self.out.to_date_baselines.get(&key),
            None => self.out.baselines.get(&key),
        };
        found.copied().unwrap_or_else(|| zero(self.out)).map_or(V::Null, V::Num)
    }
}

/// The rows left out of a derived metric's parts at a site in the period starting
/// `start`, by reason: a row left out of two parts over one source counts once.
fn parts_left_out(d: &DerivedPlan, site: &SiteRef, start: NaiveDate, out: &Assembled) -> BTreeMap<String, u64> {
    let mut per_source: BTreeMap<&str, BTreeMap<&str, u64>> = BTreeMap::new();
    for input in &d.inputs {
        let Some((source, reasons)) = out.left_out.get(&(input.clone(), site.clone(), start)) else { continue };
        let most = per_source.entry(source.as_str()).or_default();
        for (reason, n) in reasons {
            let seen = most.entry(reason.as_str()).or_default();
            *seen = (*seen).max(*n);
        }
    }
    let mut total = BTreeMap::new();
    for (reason, n) in per_source.values().flatten() {
        *total.entry(reason.to_string()).or_default() += n;
    }
    total
}

/// How many rows were left out, by reason.
type ByReason = BTreeMap<String, u64>;

/// Rows left out per site (and pooled) and period, by reason.
fn by_reason(excluded: Vec<(String, i64, String, u64)>) -> HashMap<(SiteRef, i64), BTreeMap<String, u64>> {
    let mut by_reason: HashMap<(SiteRef, i64), BTreeMap<String, u64>> = HashMap::new();
    for (site, index, reason, n) in excluded {
        for site in [SiteRef::Site(SiteId(site)), SiteRef::All] {
            *by_reason.entry((site, index)).or_default().entry(reason.clone()).or_default() += n;
        }
    }
    by_reason
}

/// Rows left out by reason, as the results table writes them: `before_start=1;join_miss=2`.
fn reasons(by_reason: &BTreeMap<String, u64>) -> String {
    by_reason.iter().map(|(reason, n)| format!("{reason}={n}")).collect::<Vec<_>>().join(";")
}
