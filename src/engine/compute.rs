//! Computing metrics: one Polars plan per metric and view (per site, pooled, baselines),
//! all collected together, then zero-fill, coverage, derived metrics, baselines and
//! statuses assembled per site and period.

use super::agg::{self, Env, Post, Slot, V};
use super::data::{self, DataReport, EXCLUDED, SITE, SiteTable};
use super::lower::{Lowerer, MS, PERIOD_END, PERIOD_START, column_name, midnight_ms, ms_lit};
use super::period::{Calendar, Period, Window, baseline_window};
use super::results::{ResultRow, Results, RowStatus};
use crate::check::Checked;
use crate::check::ir::{
    BaseMetric, Builtin, Collection, ColumnType, DefinitionSet, Direction, Grain, Metric, MetricBody, Project,
    TExprKind, Target, ThresholdInput, TimeSemantics,
};
use crate::diag::{Diagnostic, codes};
use chrono::NaiveDate;
use polars::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// What to compute.
pub struct Request<'a> {
    /// Metric ids; their inputs are computed too.
    pub metrics: &'a [String],
    pub as_of: NaiveDate,
    /// Compute at this grain instead of each metric's own.
    pub grain: Option<Grain>,
}

const T: &str = "__t";
const IDX: &str = "__idx";
const N: &str = "__n";

/// Computes the requested metrics over the project's data.
pub fn compute(checked: &Checked, request: &Request) -> Result<Results, Vec<Diagnostic>> {
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
    let planner = Planner::new(set, project, request.as_of);

    // Read every source the metrics need, once per site.
    let mut report = DataReport::default();
    let mut tables: BTreeMap<String, Input> = BTreeMap::new();
    for m in &metrics {
        if let MetricBody::Base(b) = &m.body {
            for source in std::iter::once(b.source.clone()).chain(joined_sources(set, b)) {
                if tables.contains_key(&source) {
                    continue;
                }
                let schema = &set.sources[&source];
                let read = data::read_sites(project, set, schema, &mut report);
                // A project without sites still plans over an empty table.
                let read = if read.is_empty() { vec![data::empty_table(schema, "")] } else { read };
                let input = Input::new(read).map_err(|e| vec![polars_error(&source, e)])?;
                tables.insert(source, input);
            }
        }
    }
    if !report.errors.is_empty() {
        return Err(report.errors);
    }

    // Plan every view of every base metric, then collect them in one go.
    let mut plans: Vec<LazyFrame> = Vec::new();
    let mut planned: Vec<(usize, Planned)> = Vec::new();
    for (i, m) in metrics.iter().enumerate() {
        if let MetricBody::Base(b) = &m.body {
            let grain = request.grain.unwrap_or(m.grain);
            let p = planner.plan(b, grain, &tables, &mut plans).map_err(|e| vec![polars_error(&m.id.0, e)])?;
            planned.push((i, p));
        }
    }
    let frames = LazyFrame::collect_all_with_engine(
        plans.into_iter().map(|lf| lf.logical_plan).collect(),
        Engine::Auto,
        OptFlags::default(),
    )
    .map_err(|e| vec![polars_error("(all)", e)])?;

    // Assemble per site and period, base metrics first, then derived in order.
    let mut out = Assembled::default();
    for (i, p) in planned {
        let m = metrics[i];
        let grain = request.grain.unwrap_or(m.grain);
        planner.assemble_base(m, grain, &p, &frames, &tables, &mut out).map_err(|e| vec![polars_error(&m.id.0, e)])?;
    }
    for m in &metrics {
        if let MetricBody::Derived { value, .. } = &m.body {
            let grain = request.grain.unwrap_or(m.grain);
            planner.assemble_derived(m, grain, &agg::post_only(value), &mut out);
        }
    }
    let wanted: BTreeSet<&str> = request.metrics.iter().map(String::as_str).collect();
    let rows = out.rows.into_iter().filter(|r| wanted.contains(r.metric.as_str())).collect();
    Ok(Results { rows })
}

fn polars_error(metric: &str, e: PolarsError) -> Diagnostic {
    Diagnostic::error(codes::E0802, format!("computing `{metric}` failed in the query engine: {e}"))
        .help("this is a bug in yardstick if the definitions checked; please report it with the metric")
}

/// The requested metrics and every metric they are derived from, inputs first.
fn with_inputs<'s>(set: &'s DefinitionSet, ids: &[String]) -> Result<Vec<&'s Metric>, Vec<Diagnostic>> {
    let mut needed: BTreeSet<&str> = BTreeSet::new();
    let mut stack: Vec<&str> = Vec::new();
    for id in ids {
        if set.metric(id).is_none() {
            let names = set.metrics.iter().map(|m| m.id.0.as_str());
            let help = crate::diag::did_you_mean(id, names)
                .unwrap_or_else(|| "`yardstick check` lists the set's metrics".into());
            return Err(vec![
                Diagnostic::error(codes::E0803, format!("no metric `{id}` in the definition set")).help(help),
            ]);
        }
        stack.push(id);
    }
    while let Some(id) = stack.pop() {
        if needed.insert(id)
            && let Some(MetricBody::Derived { inputs, .. }) = set.metric(id).map(|m| &m.body)
        {
            stack.extend(inputs.iter().map(|i| i.0.as_str()));
        }
    }
    Ok(set.metrics.iter().filter(|m| needed.contains(m.id.0.as_str())).collect())
}

/// Sources reached through the joins a base metric uses.
fn joined_sources(set: &DefinitionSet, b: &BaseMetric) -> Vec<String> {
    let source = &set.sources[&b.source];
    b.joins_used().iter().filter_map(|j| source.join(j)).map(|j| j.source.clone()).collect()
}

fn uses_period_builtins(b: &BaseMetric) -> bool {
    let mut found = false;
    b.filter.iter().chain([&b.value]).for_each(|e| {
        e.walk(&mut |x| found |= matches!(x.kind, TExprKind::Builtin(Builtin::PeriodStart | Builtin::PeriodEnd)))
    });
    found
}

/// Where each view of a base metric landed in the collected frames.
struct Planned {
    slots: Vec<Slot>,
    post: Post,
    dims: Vec<String>,
    sites: usize,
    pooled: usize,
    baseline: Option<(usize, usize)>,
    excluded: Option<usize>,
}

struct Planner<'a> {
    set: &'a DefinitionSet,
    project: &'a Project,
    calendar: Calendar,
    as_of: NaiveDate,
    /// The first instant after `as_of`: nothing at or after it is used.
    end_ms: i64,
    lowerer: Lowerer<'a>,
    windows: BTreeMap<String, Window>,
}

impl<'a> Planner<'a> {
    fn new(set: &'a DefinitionSet, project: &'a Project, as_of: NaiveDate) -> Self {
        let windows = project
            .sites
            .iter()
            .filter_map(|s| baseline_window(&project.baseline, s.rollout).map(|w| (s.id.clone(), w)))
            .collect();
        Planner {
            set,
            project,
            calendar: Calendar { fiscal_year_start: project.fiscal_year_start },
            as_of,
            end_ms: midnight_ms(as_of.succ_opt().expect("a next day")),
            lowerer: Lowerer { vocabs: &set.vocabularies, as_of_ms: midnight_ms(as_of) },
            windows,
        }
    }

    /// The period index of a datetime column.
    fn period_index(&self, t: Expr, grain: Grain) -> Expr {
        let month =
            t.clone().dt().year().cast(DataType::Int64) * lit(12i64) + t.dt().month().cast(DataType::Int64) - lit(1i64);
        // Months since year 0 are positive, so truncating the quotient is flooring it.
        ((month - lit(self.project.fiscal_year_start as i64 - 1)).cast(DataType::Float64) / lit(grain.months() as f64))
            .cast(DataType::Int64)
    }

    /// First day from which a site's data of `source` counts at `grain`: the start of the
    /// first period that the coverage holds whole.
    fn coverage_start(&self, site: &str, source: &str, grain: Grain) -> Option<NaiveDate> {
        let from = self.project.sites.iter().find(|s| s.id == site)?.coverage.get(source)?.from?;
        let i = self.calendar.index(grain, from);
        Some(if self.calendar.start(grain, i) == from { from } else { self.calendar.start(grain, i + 1) })
    }

    /// The source's rows at every site, joined, without excluded rows or rows before
    /// coverage (by the column that places rows in periods).
    fn rows(&self, b: &BaseMetric, grain: Grain, tables: &BTreeMap<String, Input>) -> PolarsResult<LazyFrame> {
        let source = &self.set.sources[&b.source];
        let mut lf = tables[&b.source].all();
        for (j, used) in b.joined_columns() {
            let join = source.join(&j).expect("checked join");
            let target = &self.set.sources[&join.source];
            let key = target.key.as_deref().expect("checked: joined sources have keys");
            let key_col = format!("__key_{j}");
            let mut select = vec![col(SITE), col(key).alias(key_col.as_str())];
            select.extend(used.iter().map(|c| col(c.as_str()).alias(format!("{j}.{c}").as_str())));
            // Nothing dated after as_of is used: rows whose required dates (a snapshot's
            // date, an incident's detection) are later are not joined. Of the rest, the
            // last row per key wins (the latest inventory snapshot, in file order).
            let known_by_as_of = target
                .columns
                .iter()
                .filter(|c| !c.nullable && matches!(c.ty, ColumnType::Date | ColumnType::DateTime))
                .fold(lit(true), |acc, c| acc.and(col(c.name.as_str()).cast(MS).lt(ms_lit(self.end_ms))));
            let right = tables[&join.source]
                .all()
                .filter(known_by_as_of)
                .select(select)
                .unique_stable(Some(cols([SITE, key_col.as_str()])), UniqueKeepStrategy::Last);
            lf = lf.join(
                right,
                [col(SITE), col(join.on.as_str())],
                [col(SITE), col(key_col.as_str())],
                JoinArgs::new(JoinType::Left),
            );
        }
        lf = lf.filter(col(EXCLUDED).not());
        // Rows before coverage count nowhere: not in periods, not pooled, not in baselines.
        for site in &self.project.sites {
            if let Some(from) = self.coverage_start(&site.id, &b.source, grain) {
                let covered = col(SITE)
                    .neq(lit(site.id.as_str()))
                    .or(col(b.time.column()).cast(MS).gt_eq(ms_lit(midnight_ms(from))));
                lf = lf.filter(covered);
            }
        }
        Ok(lf)
    }

    fn plan(
        &self,
        b: &BaseMetric,
        grain: Grain,
        tables: &BTreeMap<String, Input>,
        plans: &mut Vec<LazyFrame>,
    ) -> PolarsResult<Planned> {
        let (slots, post) = agg::split(&b.value);
        let dims: Vec<String> = b.by.iter().map(column_name).collect();
        let mut aggs: Vec<Expr> = slots.iter().enumerate().map(|(i, s)| s.expr(i, &self.lowerer)).collect();
        aggs.push(len().alias(N));
        let dim_exprs = || dims.iter().map(|d| col(d.as_str()).cast(DataType::String)).collect::<Vec<_>>();
        let filter = b.filter.as_ref().map(|f| self.lowerer.row(f));
        let first_idx = self.calendar.index(grain, self.project.start);
        let last_idx = self.calendar.index(grain, self.as_of);
        let builtins = uses_period_builtins(b);

        // Rows placed in periods.
        let rows = self.rows(b, grain, tables)?;
        let baseline_rows = rows.clone();
        let mut placed = match &b.time {
            TimeSemantics::Event { column } | TimeSemantics::Snapshot { column } => {
                let t = col(column.as_str()).cast(MS);
                let lf = rows
                    .with_column(t.alias(T))
                    .filter(col(T).is_not_null().and(col(T).lt(ms_lit(self.end_ms))))
                    .with_column(self.period_index(col(T), grain).alias(IDX));
                if matches!(b.time, TimeSemantics::Snapshot { .. }) {
                    lf.filter(col(T).eq(col(T).max().over([col(SITE), col(IDX)])?))
                } else {
                    lf
                }
            }
            TimeSemantics::Open { from, close } => {
                let f = col(from.as_str()).cast(MS);
                // Closed after as_of: still open as of as_of.
                let c = match close {
                    Some(c) => {
                        let c = col(c.as_str()).cast(MS);
                        when(c.clone().gt_eq(ms_lit(self.end_ms))).then(lit(NULL).cast(MS)).otherwise(c)
                    }
                    None => lit(NULL).cast(MS),
                };
                let first = self.period_index(f.clone(), grain);
                let until = when(c.clone().is_null()).then(lit(last_idx + 1)).otherwise(self.period_index(c, grain));
                rows.filter(f.is_not_null().and(col(from.as_str()).cast(MS).lt(ms_lit(self.end_ms))))
                    .with_column(int_ranges(first, until, lit(1i64), DataType::Int64).alias(IDX))
                    .explode(cols([IDX]), ExplodeOptions { empty_as_null: true, keep_nulls: false })
                    .filter(col(IDX).is_not_null())
            }
        };
        placed = placed.filter(col(IDX).gt_eq(lit(first_idx)).and(col(IDX).lt_eq(lit(last_idx))));
        if builtins {
            placed = placed.join(
                self.periods_frame(grain, first_idx, last_idx)?.lazy(),
                [col(IDX)],
                [col(IDX)],
                JoinArgs::new(JoinType::Left),
            );
        }
        if let Some(f) = &filter {
            placed = placed.filter(f.clone());
        }
        let mut by_site = vec![col(SITE), col(IDX)];
        by_site.extend(dim_exprs());
        let mut by_all = vec![col(IDX)];
        by_all.extend(dim_exprs());
        plans.push(placed.clone().group_by(by_site).agg(aggs.clone()));
        let sites = plans.len() - 1;
        plans.push(placed.group_by(by_all).agg(aggs.clone()));
        let pooled = plans.len() - 1;

        // Baselines: the site's window as one period.
        let baseline = if self.windows.is_empty() {
            None
        } else {
            // Each site's rows in its own window `[from, to)`.
            let in_window = |cond: &dyn Fn(Expr, Expr) -> Expr| {
                self.windows.iter().fold(lit(false), |acc, (site, w)| {
                    let to = w.to.succ_opt().expect("a next day");
                    let window = cond(ms_lit(midnight_ms(w.from)), ms_lit(midnight_ms(to)));
                    acc.or(col(SITE).eq(lit(site.as_str())).and(window))
                })
            };
            let mut rows = match &b.time {
                TimeSemantics::Event { column } | TimeSemantics::Snapshot { column } => {
                    let t = col(column.as_str()).cast(MS);
                    let rows = baseline_rows.filter(in_window(&|from, to| t.clone().gt_eq(from).and(t.clone().lt(to))));
                    if matches!(b.time, TimeSemantics::Snapshot { .. }) {
                        // The window's latest snapshot at each site.
                        rows.filter(t.clone().eq(t.max().over([col(SITE)])?))
                    } else {
                        rows
                    }
                }
                TimeSemantics::Open { from, close } => {
                    let f = col(from.as_str()).cast(MS);
                    let open = |to: Expr| match close {
                        Some(c) => col(c.as_str()).cast(MS).is_null().or(col(c.as_str()).cast(MS).gt_eq(to)),
                        None => lit(true),
                    };
                    baseline_rows.filter(in_window(&|_, to| f.clone().lt(to.clone()).and(open(to))))
                }
            };
            if builtins {
                rows = rows.with_columns(self.window_days());
            }
            if let Some(f) = &filter {
                rows = rows.filter(f.clone());
            }
            let mut by_site = vec![col(SITE)];
            by_site.extend(dim_exprs());
            plans.push(rows.clone().group_by(by_site).agg(aggs.clone()));
            let site_baselines = plans.len() - 1;
            let pooled_aggs = aggs.clone();
            plans.push(if dims.is_empty() {
                rows.select(pooled_aggs)
            } else {
                rows.group_by(dim_exprs()).agg(pooled_aggs)
            });
            Some((site_baselines, plans.len() - 1))
        };

        // Rows left out for unmapped codes, per site and period.
        let excluded = if tables[&b.source].any_excluded {
            let t = col(b.time.column()).cast(MS);
            let lf = tables[&b.source]
                .all()
                .filter(col(EXCLUDED))
                .filter(t.clone().is_not_null().and(t.clone().lt(ms_lit(self.end_ms))))
                .with_column(self.period_index(t, grain).alias(IDX))
                .group_by([col(SITE), col(IDX)])
                .agg([len().alias(N)]);
            plans.push(lf);
            Some(plans.len() - 1)
        } else {
            None
        };
        Ok(Planned { slots, post, dims, sites, pooled, baseline, excluded })
    }

    /// `__idx` with the first and last day of each period, for `period_start`/`period_end`.
    fn periods_frame(&self, grain: Grain, first: i64, last: i64) -> PolarsResult<DataFrame> {
        let periods: Vec<Period> = (first..=last).map(|i| self.calendar.period(grain, i, self.as_of)).collect();
        let idx: Vec<i64> = periods.iter().map(|p| p.index).collect();
        let start: Vec<i64> = periods.iter().map(|p| midnight_ms(p.start)).collect();
        let end: Vec<i64> = periods.iter().map(|p| midnight_ms(p.end)).collect();
        DataFrame::new(
            periods.len(),
            vec![
                Column::new(IDX.into(), idx),
                Series::new(PERIOD_START.into(), start).cast(&MS)?.into_column(),
                Series::new(PERIOD_END.into(), end).cast(&MS)?.into_column(),
            ],
        )
    }

    /// A baseline row's `period_start` and `period_end`: the first and last day of its
    /// site's window.
    fn window_days(&self) -> Vec<Expr> {
        let by_site = |day: &dyn Fn(&Window) -> NaiveDate| {
            self.windows.iter().fold(lit(NULL).cast(MS), |rest, (site, w)| {
                when(col(SITE).eq(lit(site.as_str()))).then(ms_lit(midnight_ms(day(w)))).otherwise(rest)
            })
        };
        vec![by_site(&|w| w.from).alias(PERIOD_START), by_site(&|w| w.to).alias(PERIOD_END)]
    }

    fn assemble_base(
        &self,
        m: &Metric,
        grain: Grain,
        p: &Planned,
        frames: &[DataFrame],
        tables: &BTreeMap<String, Input>,
        out: &mut Assembled,
    ) -> PolarsResult<()> {
        let MetricBody::Base(b) = &m.body else { unreachable!("base metrics only") };
        let nslots = p.slots.len();
        let groups = |df: &DataFrame, site: bool, idx: bool| -> PolarsResult<HashMap<Key, (Vec<V>, u64)>> {
            let mut map = HashMap::new();
            let sites = if site { Some(df.column(SITE)?.str()?.clone()) } else { None };
            let idxs = if idx { Some(df.column(IDX)?.i64()?.clone()) } else { None };
            let dims: Vec<StringChunked> =
                p.dims.iter().map(|d| df.column(d).and_then(|c| c.str().cloned())).collect::<PolarsResult<_>>()?;
            let slots: Vec<Float64Chunked> = (0..nslots)
                .map(|i| df.column(&Slot::column(i)).and_then(|c| c.f64().cloned()))
                .collect::<PolarsResult<_>>()?;
            let n = df.column(N)?.cast(&DataType::UInt64)?;
            let n = n.u64()?;
            for row in 0..df.height() {
                let key = Key {
                    site: sites.as_ref().and_then(|s| s.get(row)).unwrap_or("all").to_string(),
                    dims: dims.iter().map(|d| d.get(row).map(String::from)).collect(),
                    idx: idxs.as_ref().and_then(|i| i.get(row)).unwrap_or(0),
                };
                let values = slots.iter().map(|s| s.get(row).map_or(V::Null, V::Num)).collect();
                map.insert(key, (values, n.get(row).unwrap_or(0)));
            }
            Ok(map)
        };
        let mut found = groups(&frames[p.sites], true, true)?;
        found.extend(groups(&frames[p.pooled], false, true)?);
        let mut baselines: HashMap<(String, Vec<Option<String>>), Vec<V>> = HashMap::new();
        if let Some((sites, pooled)) = p.baseline {
            for (site, df) in [(true, &frames[sites]), (false, &frames[pooled])] {
                for (k, (v, n)) in groups(df, site, false)? {
                    // A baseline over no rows still zero-fills its counts and sums.
                    let v = if n == 0 { zero_filled(&p.slots) } else { v };
                    baselines.insert((k.site, k.dims), v);
                }
            }
        }
        let excluded: HashMap<(String, i64), u64> = match p.excluded {
            Some(i) => {
                let df = &frames[i];
                let sites = df.column(SITE)?.str()?.clone();
                let idxs = df.column(IDX)?.i64()?.clone();
                let n = df.column(N)?.cast(&DataType::UInt64)?;
                let n = n.u64()?;
                let mut map = HashMap::new();
                for row in 0..df.height() {
                    let (Some(s), Some(i)) = (sites.get(row), idxs.get(row)) else { continue };
                    let n = n.get(row).unwrap_or(0);
                    *map.entry((s.to_string(), i)).or_default() += n;
                    *map.entry(("all".to_string(), i)).or_default() += n;
                }
                map
            }
            None => HashMap::new(),
        };

        let periods = self.calendar.periods(grain, self.project.start, self.as_of);
        // Flows in an event metric's baseline are scaled to one period of this grain.
        let scale = match (&b.time, self.windows.values().next()) {
            (TimeSemantics::Event { .. }, Some(w)) => grain.months() as f64 / w.months() as f64,
            _ => 1.0,
        };
        let source = &self.set.sources[&b.source];
        let site_ids: Vec<&str> = self.project.sites.iter().map(|s| s.id.as_str()).chain(["all"]).collect();
        for site in site_ids {
            let mut combos: BTreeSet<Vec<Option<String>>> =
                found.keys().filter(|k| k.site == site).map(|k| k.dims.clone()).collect();
            if p.dims.is_empty() {
                combos.insert(Vec::new());
            }
            let collection = if site == "all" {
                pooled_collection(self.project.sites.iter().map(|s| data::collection(self.project, source, s)))
            } else {
                let s = self.project.sites.iter().find(|s| s.id == site).expect("a site");
                collection_name(data::collection(self.project, source, s))
            };
            let has_data = site == "all" || tables.get(&b.source).is_some_and(|t| t.sites.iter().any(|s| s == site));
            for dims in combos {
                let baseline_slots = baselines.get(&(site.to_string(), dims.clone())).map(|v| {
                    v.iter()
                        .zip(&p.slots)
                        .map(|(v, s)| match (v, s.is_additive()) {
                            (V::Num(x), true) => V::Num(x * scale),
                            (v, _) => *v,
                        })
                        .collect::<Vec<V>>()
                });
                let has_window = site == "all" && !self.windows.is_empty() || self.windows.contains_key(site);
                let baseline = match (&baseline_slots, has_window) {
                    (Some(s), _) => self.value(&p.post, s, None),
                    (None, true) => self.value(&p.post, &zero_filled(&p.slots), None),
                    (None, false) => None,
                };
                for period in &periods {
                    let covered = has_data && self.is_covered(site, &b.source, grain, period);
                    let key = Key { site: site.to_string(), dims: dims.clone(), idx: period.index };
                    let (value, n) = match (covered, found.get(&key)) {
                        (false, _) => (None, None),
                        (true, Some((slots, n))) => (self.value(&p.post, slots, Some(period)), Some(*n)),
                        (true, None) => (self.value(&p.post, &zero_filled(&p.slots), Some(period)), Some(0)),
                    };
                    let row = self.row(m, site, period, value, n, baseline);
                    out.push(ResultRow {
                        dims: p.dims.iter().cloned().zip(dims.iter().cloned()).collect(),
                        excluded: excluded.get(&(site.to_string(), period.index)).copied().unwrap_or(0),
                        coverage: if covered { "covered" } else { "not_covered" },
                        collection,
                        ..row
                    });
                }
            }
        }
        Ok(())
    }

    fn is_covered(&self, site: &str, source: &str, grain: Grain, period: &Period) -> bool {
        if site == "all" {
            return self.project.sites.iter().any(|s| self.is_covered(&s.id, source, grain, period));
        }
        self.coverage_start(site, source, grain).is_none_or(|from| period.start >= from)
    }

    /// The metric's value from its slots (and, for derived metrics, other metrics).
    fn value(&self, post: &Post, slots: &[V], period: Option<&Period>) -> Option<f64> {
        let env = SlotEnv { slots, period, as_of: self.as_of };
        agg::eval(post, &env).num()
    }

    /// A result row with baseline, delta, target and status filled in.
    fn row(
        &self,
        m: &Metric,
        site: &str,
        period: &Period,
        value: Option<f64>,
        n: Option<u64>,
        baseline: Option<f64>,
    ) -> ResultRow {
        let delta = value.zip(baseline).map(|(v, b)| v - b);
        let delta_pct = delta.zip(baseline).and_then(|(d, b)| (b != 0.0).then_some(d / b));
        let target = match m.target {
            Some(Target::Value { value, .. }) => Some(value),
            Some(Target::Change { change, .. }) => baseline.map(|b| b * (1.0 + change)),
            None => None,
        };
        let status = match value {
            None => Some(RowStatus::NoData),
            Some(v) if !m.thresholds.is_empty() => {
                let env = ThresholdEnv { value: v, baseline, target };
                Some(
                    m.thresholds
                        .iter()
                        .find(|t| agg::eval(&agg::post_only(&t.condition), &env) == V::Bool(true))
                        .map_or(RowStatus::Red, |t| t.status.into()),
                )
            }
            Some(v) => target.map(|t| {
                let met = match m.direction {
                    Direction::LowerIsBetter => v <= t,
                    Direction::HigherIsBetter => v >= t,
                    Direction::Neutral => v == t,
                };
                if met { RowStatus::Green } else { RowStatus::Red }
            }),
        };
        ResultRow {
            metric: m.id.0.clone(),
            version: m.version,
            site: site.to_string(),
            dims: Vec::new(),
            period: period.label.clone(),
            period_start: period.start,
            period_end: period.end,
            partial: period.partial,
            value,
            n,
            excluded: 0,
            baseline,
            delta,
            delta_pct,
            target,
            status,
            coverage: "covered",
            collection: "automated",
            fingerprint: String::new(),
        }
    }

    /// A derived metric per site and period from its inputs' values (and baselines).
    fn assemble_derived(&self, m: &Metric, grain: Grain, post: &Post, out: &mut Assembled) {
        let periods = self.calendar.periods(grain, self.project.start, self.as_of);
        let MetricBody::Derived { inputs, .. } = &m.body else { return };
        let site_ids: Vec<String> =
            self.project.sites.iter().map(|s| s.id.clone()).chain(["all".to_string()]).collect();
        for site in &site_ids {
            let baseline_env = MetricEnv { out, site, period: None };
            let baseline = agg::eval(post, &baseline_env).num();
            let collection = worst_collection(
                inputs.iter().filter_map(|i| out.collection.get(&(i.0.clone(), site.clone())).copied()),
            );
            for period in &periods {
                let env = MetricEnv { out, site, period: Some(period.start) };
                let covered =
                    inputs.iter().all(|i| out.values.contains_key(&(i.0.clone(), site.clone(), period.start)));
                let value = if covered { agg::eval(post, &env).num() } else { None };
                let row = self.row(m, site, period, value, None, baseline);
                let row = ResultRow { coverage: if covered { "covered" } else { "not_covered" }, collection, ..row };
                out.push(row);
            }
        }
    }
}

fn zero_filled(slots: &[Slot]) -> Vec<V> {
    slots.iter().map(|s| if s.is_additive() { V::Num(0.0) } else { V::Null }).collect()
}

fn collection_name(c: Collection) -> &'static str {
    match c {
        Collection::Automated => "automated",
        Collection::Manual => "manual",
        Collection::Mixed => "mixed",
    }
}

/// The pooled row's collection: the sites' one when they agree, else mixed.
fn pooled_collection(mut all: impl Iterator<Item = Collection>) -> &'static str {
    let Some(first) = all.next() else { return "automated" };
    collection_name(if all.all(|c| c == first) { first } else { Collection::Mixed })
}

/// A derived value is as manual as its most manual input.
fn worst_collection<'c>(inputs: impl Iterator<Item = &'c str>) -> &'static str {
    let mut worst = "automated";
    for c in inputs {
        worst = match (worst, c) {
            ("manual", _) | (_, "manual") => "manual",
            ("mixed", _) | (_, "mixed") => "mixed",
            _ => "automated",
        };
    }
    worst
}

/// A source's rows at every site, read once, as one table.
struct Input {
    /// The sites that have data.
    sites: Vec<String>,
    /// Whether any row was left out for a code outside its vocabulary.
    any_excluded: bool,
    /// One scan that every plan over the source clones, so that Polars sees the plans'
    /// common parts (the same joins, say) and computes them once.
    all: LazyFrame,
}

impl Input {
    fn new(tables: Vec<SiteTable>) -> PolarsResult<Input> {
        let sites = tables.iter().map(|t| t.site.clone()).collect();
        let any_excluded =
            tables.iter().any(|t| t.frame.column(EXCLUDED).ok().and_then(|c| c.bool().ok()).is_some_and(|c| c.any()));
        let frames: Vec<LazyFrame> = tables.into_iter().map(|t| t.frame.lazy()).collect();
        let all = concat(frames, UnionArgs { rechunk: false, ..UnionArgs::default() })?;
        Ok(Input { sites, any_excluded, all })
    }

    fn all(&self) -> LazyFrame {
        self.all.clone()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Key {
    site: String,
    dims: Vec<Option<String>>,
    idx: i64,
}

/// Rows computed so far, and the site-level values derived metrics combine.
#[derive(Default)]
struct Assembled {
    rows: Vec<ResultRow>,
    /// (metric, site, period start) to value, for covered rows without dimensions.
    values: HashMap<(String, String, NaiveDate), Option<f64>>,
    baselines: HashMap<(String, String), Option<f64>>,
    collection: HashMap<(String, String), &'static str>,
}

impl Assembled {
    fn push(&mut self, row: ResultRow) {
        if row.dims.is_empty() {
            if row.coverage == "covered" {
                self.values.insert((row.metric.clone(), row.site.clone(), row.period_start), row.value);
            }
            self.baselines.insert((row.metric.clone(), row.site.clone()), row.baseline);
            self.collection.insert((row.metric.clone(), row.site.clone()), row.collection);
        }
        self.rows.push(row);
    }
}

struct SlotEnv<'a> {
    slots: &'a [V],
    period: Option<&'a Period>,
    as_of: NaiveDate,
}

impl Env for SlotEnv<'_> {
    fn slot(&self, i: usize) -> V {
        self.slots.get(i).copied().unwrap_or(V::Null)
    }
    fn builtin(&self, b: Builtin) -> V {
        let day = match b {
            Builtin::AsOf => Some(self.as_of),
            Builtin::PeriodStart => self.period.map(|p| p.start),
            Builtin::PeriodEnd => self.period.map(|p| p.end),
        };
        day.map_or(V::Null, |d| V::Num(midnight_ms(d) as f64))
    }
}

struct MetricEnv<'a> {
    out: &'a Assembled,
    site: &'a str,
    /// The period's first day; `None` for the baseline.
    period: Option<NaiveDate>,
}

impl Env for MetricEnv<'_> {
    fn metric(&self, id: &str) -> V {
        let key = (id.to_string(), self.site.to_string());
        let v = match self.period {
            Some(start) => self.out.values.get(&(key.0, key.1, start)).copied().flatten(),
            None => self.out.baselines.get(&key).copied().flatten(),
        };
        v.map_or(V::Null, V::Num)
    }
}

struct ThresholdEnv {
    value: f64,
    baseline: Option<f64>,
    target: Option<f64>,
}

impl Env for ThresholdEnv {
    fn input(&self, i: ThresholdInput) -> V {
        match i {
            ThresholdInput::Value => V::Num(self.value),
            ThresholdInput::Baseline => self.baseline.map_or(V::Null, V::Num),
            ThresholdInput::Target => self.target.map_or(V::Null, V::Num),
        }
    }
}

/// The Polars plan of a base metric's per-site view, built over empty tables of its
/// sources (no data is read): what `explain` shows.
pub fn plan_text(checked: &Checked, metric: &Metric, as_of: NaiveDate) -> Result<String, Box<Diagnostic>> {
    let (set, project) = match &checked.project {
        Some(p) => (&checked.set, p),
        None => return Err(Box::new(Diagnostic::error(codes::E0801, "explaining the query plan needs a project"))),
    };
    let MetricBody::Base(b) = &metric.body else {
        return Ok("(derived metric: combined from its inputs per site and period, no query of its own)\n".into());
    };
    let planner = Planner::new(set, project, as_of);
    let fail = |e| Box::new(polars_error(&metric.id.0, e));
    let mut tables = BTreeMap::new();
    for source in std::iter::once(b.source.clone()).chain(joined_sources(set, b)) {
        let schema = &set.sources[&source];
        let empty = project.sites.iter().map(|s| data::empty_table(schema, &s.id)).collect();
        tables.insert(source, Input::new(empty).map_err(fail)?);
    }
    let mut plans = Vec::new();
    let planned = planner.plan(b, metric.grain, &tables, &mut plans).map_err(fail)?;
    plans.swap_remove(planned.sites).explain(true).map_err(fail)
}
