//! Lowering base plans to Polars: each plan becomes lazy frames (per site, pooled, the
//! baseline windows, rows left out), all collected together, then read back as the plan's
//! aggregate tables. The rules come from the plan; this file only says them in Polars.

use super::data::{self, DataReport, EXCLUDED, FileCache, SITE, SiteTable};
use super::lower::{
    ENDED, Lowerer, MS, PERIOD_END, PERIOD_START, column_name, compound_columns, instant_name, local_name,
    midnight_instant, ms_lit, period_index, slot_column, values_column, wall_clock,
};
use crate::calendar::midnight_ms;
use crate::diag::{Diagnostic, codes};
use crate::ir::{Builtin, ColumnType, History, SiteId, SiteRef, TExpr, TExprKind, TimeSemantics};
use crate::plan::{Aggregates, BasePlan, Computed, Group, InputFile, JoinPick, JoinPlan, Plan, SiteWindow};
use crate::syntax::BinOp;
use chrono::NaiveDate;
use polars::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};

const T: &str = "__t";
const IDX: &str = "__idx";
const N: &str = "__n";
/// The instant `as_of` ends at the row's site.
const END: &str = super::lower::AS_OF_END;
/// A point-in-time join's time, row number, snapshot number, side and pick.
const JT: &str = "__jt";
const LROW: &str = "__lrow";
const SROW: &str = "__srow";
const SIDE: &str = "__side";
/// The number of a (site, key) among a joined source's snapshots.
const KID: &str = "__kid";
const PICK: &str = "__pick";
/// The row's site's place in the project's list: what per-site values are looked up by
/// ([`at_site`]).
const SITE_NO: &str = "__site_no";

/// The column marking, in a source's table, the rows that miss the join `name`.
fn miss_column(name: &str) -> String {
    format!("__miss_{name}")
}

/// The joined key's column name in a join.
fn key_col(join: &JoinPlan) -> String {
    format!("__key_{}", join.name)
}

/// Reads the plan's sources and computes every base plan's aggregate tables.
pub fn aggregate(plan: &Plan, files: Option<&FileCache>) -> Result<Computed, Vec<Diagnostic>> {
    let (tables, warnings, inputs) = read(plan, files)?;
    let mut frames: Vec<LazyFrame> = Vec::new();
    let mut lowered = Vec::with_capacity(plan.bases.len());
    for b in &plan.bases {
        lowered
            .push(Query::new(plan, b, &tables).push(&mut frames).map_err(|e| vec![failed(b.metric.id.as_str(), e)])?);
    }
    if crate::census::counting() {
        crate::census::computed(super::census::operators(&frames).map_err(|e| vec![failed("(census)", e)])?);
    }
    let collected = LazyFrame::collect_all_with_engine(
        frames.into_iter().map(|lf| lf.logical_plan).collect(),
        Engine::Auto,
        OptFlags::default(),
    )
    .map_err(|e| vec![failed("(all)", e)])?;
    let tables = plan
        .bases
        .iter()
        .zip(lowered)
        .map(|(b, l)| l.tables(b, &collected, &tables[&b.source]).map_err(|e| vec![failed(b.metric.id.as_str(), e)]))
        .collect::<Result<_, _>>()?;
    Ok(Computed { tables, warnings, inputs })
}

pub fn failed(metric: &str, e: PolarsError) -> Diagnostic {
    Diagnostic::error(codes::E0802, format!("computing `{metric}` failed in the query engine: {e}"))
        .help("this is a bug in yardstick if the definitions checked; please report it with the metric")
}

/// Reads every source of the plan, once per site; with what reading warned about.
fn read(plan: &Plan, files: Option<&FileCache>) -> Result<(Inputs, Vec<Diagnostic>, Vec<InputFile>), Vec<Diagnostic>> {
    let mut report = DataReport { files: files.cloned(), ..DataReport::default() };
    let mut read: BTreeMap<String, Vec<SiteTable>> = BTreeMap::new();
    let mut files = Vec::new();
    for source in &plan.sources {
        // Only the columns the plan reads.
        let schema = plan.inputs.sources[&source.name].projected(&source.reads);
        let tables = data::read_sites(&plan.inputs, &schema, plan.as_of, &mut report);
        files.extend(tables.iter().map(|t| InputFile {
            site: t.site.clone(),
            source: source.name.clone(),
            path: t.path.clone(),
            rows: t.frame.height(),
        }));
        read.insert(source.name.clone(), tables);
    }
    join_misses(plan, &mut read, &mut report).map_err(|e| vec![failed("(joins)", e)])?;
    let mut tables = BTreeMap::new();
    for (source, read) in read {
        // A project without sites still plans over an empty table.
        let schema = &plan.inputs.sources[&source];
        let read = if read.is_empty() { vec![data::empty_table(schema, "")] } else { read };
        let input = Input::new(read, plan, &source).map_err(|e| vec![failed(&source, e)])?;
        tables.insert(source, input);
    }
    if !report.errors.is_empty() {
        return Err(report.errors);
    }
    Ok((tables, report.warnings, files))
}

/// The join misses of every join the plan's metrics read, at every site whose tables of
/// both sources were read: reported by each join's `on_missing`, and marked left out
/// under `exclude`.
fn join_misses(plan: &Plan, read: &mut BTreeMap<String, Vec<SiteTable>>, report: &mut DataReport) -> PolarsResult<()> {
    let used: BTreeSet<(&str, &str)> =
        plan.bases.iter().flat_map(|b| b.joins.iter().map(|j| (b.source.as_str(), j.name.as_str()))).collect();
    for (source, name) in used {
        let schema = &plan.inputs.sources[source];
        let Some(join) = schema.join(name) else { continue };
        let target = &plan.inputs.sources[&join.source];
        let Some(mut lefts) = read.remove(source) else { continue };
        let rights = read.get(&join.source).map(Vec::as_slice).unwrap_or_default();
        let mut marks = Vec::with_capacity(lefts.len());
        for left in &lefts {
            let right = rights.iter().find(|r| r.site == left.site);
            let timezone = plan.site(&left.site).map_or(chrono_tz::Tz::UTC, |s| s.timezone);
            let missed = match right {
                Some(right) => data::joins::misses((left, schema), (right, target), join, timezone, plan.as_of)?,
                None => Vec::new(),
            };
            data::joins::report_misses(left, schema, join, &missed, plan.as_of, report);
            marks.push(missed.into_iter().map(|(row, _)| row).collect::<Vec<_>>());
        }
        // Under `exclude`, a row that misses is left out of the metrics reading this join
        // only: marked in a column of its own, on every site's table (one schema).
        if join.on_missing == crate::ir::OnMissing::Exclude && marks.iter().any(|m| !m.is_empty()) {
            for (left, rows) in lefts.iter_mut().zip(marks) {
                let mut flags = vec![false; left.frame.height()];
                rows.into_iter().for_each(|row| flags[row] = true);
                left.frame.with_column(Column::new(miss_column(&join.name).into(), flags))?;
            }
        }
        read.insert(source.to_string(), lefts);
    }
    Ok(())
}

/// The Polars plan of a base plan's per-site view over empty tables of its sources (no
/// data is read): what `explain --plan` shows.
pub fn describe(plan: &Plan, base: &BasePlan) -> Result<String, Vec<Diagnostic>> {
    let fail = |e| vec![failed(base.metric.id.as_str(), e)];
    let mut tables = BTreeMap::new();
    for source in std::iter::once(&base.source).chain(base.joins.iter().map(|j| &j.source)) {
        let schema = &plan.inputs.sources[source];
        let empty = plan.inputs.sites.iter().map(|s| data::empty_table(schema, &s.id)).collect();
        tables.insert(source.clone(), Input::new(empty, plan, source).map_err(fail)?);
    }
    let mut frames = Vec::new();
    let lowered = Query::new(plan, base, &tables).push(&mut frames).map_err(fail)?;
    frames.swap_remove(lowered.sites).explain(true).map_err(fail)
}

/// Every source read, by name.
type Inputs = BTreeMap<String, Input>;

/// A source's rows at every site, read once, as one table.
pub struct Input {
    /// The sites that have data: rows, or a binding that says an export without rows is
    /// a site with nothing to report (`empty: none_to_report`).
    sites: Vec<SiteId>,
    /// The sites whose export has no rows and no such word: their periods have no value.
    empty: Vec<SiteId>,
    /// Whether any row was left out when read (a code outside its vocabulary).
    any_excluded: bool,
    /// The joins (under `on_missing: exclude`) some row of the source misses: such a row
    /// is left out of the metrics that read the join, and only of those.
    missed: BTreeSet<String>,
    /// The time columns of event metrics over the source that date some row before the
    /// project's `start` (or near it: the frame of [`Query::excluded`] tells exactly).
    before_start: BTreeSet<String>,
    /// One scan that every plan over the source clones, so that Polars sees the plans'
    /// common parts (the same joins, say) and computes them once.
    all: LazyFrame,
}

impl Input {
    /// The sites' tables as they stood at the end of `as_of` at each site: a recorded date
    /// after it was not known yet and reads as null; `__end` holds the site's end.
    fn new(tables: Vec<SiteTable>, plan: &Plan, source: &str) -> PolarsResult<Input> {
        let none_to_report = |t: &SiteTable| {
            let binding = plan.site(&t.site).and_then(|site| plan.inputs.binding(source, site));
            binding.is_some_and(|b| b.empty == crate::ir::Empty::NoneToReport)
        };
        let (sites, empty): (Vec<&SiteTable>, Vec<&SiteTable>) = tables
            .iter()
            .filter(|t| !t.site.as_str().is_empty())
            .partition(|t| t.frame.height() > 0 || none_to_report(t));
        let (sites, empty) =
            (sites.iter().map(|t| t.site.clone()).collect(), empty.iter().map(|t| t.site.clone()).collect());
        let any_excluded = tables.iter().any(|t| t.frame.column(EXCLUDED).is_ok_and(|c| c.null_count() < c.len()));
        let before_start = early_rows(&tables, plan, source);
        let schema = &plan.inputs.sources[source];
        let marked = |j: &&crate::ir::Join| tables.iter().any(|t| t.frame.column(&miss_column(&j.name)).is_ok());
        let missed = schema.joins.iter().filter(marked).map(|j| j.name.clone()).collect();
        // The columns a plan reads in local time are the same at every site.
        let read = if any_zone(plan) { plan.columns_used(source) } else { BTreeSet::new() };
        // One table, not a union of one scan per site: a plan's size stays the same
        // whatever the number of sites (the sites' chunks are appended, not copied).
        let mut frames = tables.into_iter().map(|t| as_of_end(t, plan, source, &read));
        let mut all = frames.next().ok_or_else(|| polars_err!(NoData: "no table of `{source}` to read"))??;
        for frame in frames {
            all.vstack_mut_owned(frame?)?;
        }
        Ok(Input { sites, empty, any_excluded, missed, before_start, all: all.lazy() })
    }

    fn all(&self) -> LazyFrame {
        self.all.clone()
    }
}

/// The time columns of the event metrics over `source` in which some row of `tables` may
/// lie before the project's `start`: before the day after it at its site, a day's slack
/// that no clock change escapes ([`Query::excluded`] counts the rows exactly).
fn early_rows(tables: &[SiteTable], plan: &Plan, source: &str) -> BTreeSet<String> {
    let timed: BTreeSet<&str> = (plan.bases.iter())
        .filter(|b| b.source == source)
        .filter_map(|b| match &b.time {
            TimeSemantics::Event { column } => Some(column.as_str()),
            _ => None,
        })
        .collect();
    let zone = |t: &SiteTable| plan.site(&t.site).map_or(chrono_tz::Tz::UTC, |s| s.timezone);
    let day_after = plan.start.succ_opt().unwrap_or(plan.start);
    let early = |column: &str| tables.iter().any(|t| !data::early(t, column, zone(t), day_after).is_empty());
    timed.into_iter().filter(|column| early(column)).map(String::from).collect()
}

/// Whether a site of the project keeps its clocks off UTC: only then do rows need their
/// dates as local times and instants besides (at UTC the two are one).
fn any_zone(plan: &Plan) -> bool {
    plan.inputs.sites.iter().any(|s| s.timezone != chrono_tz::Tz::UTC)
}

/// A site's table as it stood at the end of `as_of` there; in a project with time zones,
/// each datetime in `read` (what a plan reads, [`Plan::columns_used`]) also as wall-clock
/// time at the site and each date in it also as the instant of its local midnight.
fn as_of_end(t: SiteTable, plan: &Plan, source: &str, read: &BTreeSet<String>) -> PolarsResult<DataFrame> {
    let schema = &plan.inputs.sources[source];
    let tz = plan.site(&t.site).map_or(chrono_tz::Tz::UTC, |s| s.timezone);
    let mut shadows = Vec::new();
    for c in schema.columns.iter().filter(|c| read.contains(&c.name)) {
        match c.ty {
            ColumnType::DateTime => shadows.push(wall_clock(col(c.name.as_str()), tz).alias(local_name(&c.name))),
            ColumnType::Date => shadows.push(midnight_instant(col(c.name.as_str()), tz).alias(instant_name(&c.name))),
            _ => {}
        }
    }
    // A table of no site (a project without sites) ends at UTC midnight.
    let end = plan.end(&t.site).map_or_else(
        || crate::calendar::end_of_day(chrono_tz::Tz::UTC, plan.as_of).and_utc().timestamp_millis(),
        |e| e.instant_ms,
    );
    let later = |c: &str| match schema.column(c).map(|c| &c.ty) {
        Some(ColumnType::Date) => col(c).gt(lit(plan.as_of)),
        _ => col(c).gt_eq(ms_lit(end)),
    };
    // Only columns that hold a later value need rewriting (an export taken at as_of has
    // none): one pass finds them.
    let unknown: Vec<&String> =
        plan.source(source).unknown_after.iter().filter(|c| t.frame.column(c.as_str()).is_ok()).collect();
    let found =
        t.frame.clone().lazy().select(unknown.iter().map(|c| later(c).any(true).alias(c.as_str())).collect::<Vec<_>>());
    let found = if unknown.is_empty() { None } else { Some(found.collect()?) };
    let mut known = Vec::new();
    for c in unknown {
        let any = found.as_ref().and_then(|f| f.column(c).ok()).and_then(|c| c.bool().ok()).and_then(|b| b.get(0));
        if any == Some(true) {
            known.push(when(later(c)).then(lit(NULL)).otherwise(col(c.as_str())).alias(c.as_str()));
        }
    }
    // Once, here, rather than in every plan over the source.
    let mut lf = t.frame.lazy();
    if let (Some(history), Some(key)) = (&schema.history, &schema.key) {
        lf = current_revisions(lf, key, history, later(&history.recorded_at))?;
    }
    let lf = lf.with_columns(known).with_columns(shadows);
    let number = plan.site_number(&t.site).unwrap_or(u32::MAX);
    lf.with_columns([ms_lit(end).alias(END), lit(number).cast(DataType::UInt32).alias(SITE_NO)]).collect()
}

/// Of a site's revisions of a source with a history, each key's latest revision recorded
/// by the end of `as_of` (`later` is true on those recorded after it), unless that
/// revision deletes the key. Rows without a key are no revision of anything and stay.
fn current_revisions(lf: LazyFrame, key: &str, history: &History, later: Expr) -> PolarsResult<LazyFrame> {
    let known = lf.filter(later.not());
    let keyed = known
        .clone()
        .filter(col(key).is_not_null())
        .sort([history.recorded_at.as_str()], SortMultipleOptions::default().with_maintain_order(true))
        .unique_stable_generic(Some(vec![col(key)]), UniqueKeepStrategy::Last);
    let keyed = match &history.deleted {
        Some(deleted) => keyed.filter(col(deleted.as_str()).fill_null(lit(false)).not()),
        None => keyed,
    };
    let unkeyed = known.filter(col(key).is_null());
    concat([keyed, unkeyed], UnionArgs::default())
}

/// One base plan being lowered.
struct Query<'a> {
    plan: &'a Plan<'a>,
    base: &'a BasePlan<'a>,
    tables: &'a BTreeMap<String, Input>,
    aggs: Vec<Expr>,
    /// The `where` conjuncts that read only the source's own columns, applied before joins
    /// (point-in-time joins cannot push filters below themselves), and the rest.
    early: Option<Expr>,
    filter: Option<Expr>,
}

/// Where each frame of a base plan landed among the collected frames.
struct Lowered {
    sites: usize,
    pooled: usize,
    baseline: Option<(usize, usize)>,
    /// The baseline windows' rows per site and calendar month.
    baseline_months: Option<usize>,
    excluded: Option<usize>,
    snapshots: Option<usize>,
    window_snapshots: Option<usize>,
}

impl<'a> Query<'a> {
    fn new(plan: &'a Plan<'a>, base: &'a BasePlan<'a>, tables: &'a BTreeMap<String, Input>) -> Self {
        let mut zones: BTreeMap<&str, (chrono_tz::Tz, Vec<SiteId>)> = BTreeMap::new();
        for site in plan.inputs.sites.iter().filter(|s| s.timezone != chrono_tz::Tz::UTC) {
            zones.entry(site.timezone.name()).or_insert((site.timezone, Vec::new())).1.push(site.id.clone());
        }
        let zones = zones.into_values().collect();
        let lowerer = Lowerer { vocabs: plan.inputs.vocabularies, as_of_ms: midnight_ms(plan.as_of), zones };
        let mut aggs: Vec<Expr> = base.slots.iter().enumerate().map(|(i, s)| lowerer.slot(s, i)).collect();
        let kept = base.slots.iter().enumerate().filter(|(_, s)| s.keeps_values());
        aggs.extend(kept.map(|(i, s)| lowerer.values(s, i)));
        if let (Some(end), Some(slot)) = (&base.censored, base.slots.first()) {
            aggs.push(lowerer.ended(slot, end));
        }
        let compound = base.slots.iter().enumerate().filter(|(_, s)| s.keeps_compound());
        aggs.extend(compound.flat_map(|(i, s)| lowerer.compound(s, i)));
        aggs.push(len().alias(N));
        // A snapshot metric picks each period's latest snapshot before `where` applies: a
        // snapshot whose rows all fail it still counts, as zero.
        let early_ok = !matches!(base.time, TimeSemantics::Snapshot { .. });
        let (early, late): (Vec<&TExpr>, Vec<&TExpr>) =
            base.filter.iter().flat_map(|f| conjuncts(f)).partition(|c| early_ok && reads_only_its_row(c));
        let all = |c: Vec<&TExpr>| c.into_iter().map(|c| lowerer.row(c)).reduce(Expr::and);
        Query { plan, base, tables, aggs, early: all(early), filter: all(late) }
    }

    fn dims(&self) -> Vec<Expr> {
        self.base.by.iter().map(|d| col(column_name(d).as_str()).cast(DataType::String)).collect()
    }

    fn push(&self, frames: &mut Vec<LazyFrame>) -> PolarsResult<Lowered> {
        let rows = self.rows()?;
        let placed = self.filtered(self.placed(rows.clone())?);
        let mut push = |lf| {
            frames.push(lf);
            frames.len() - 1
        };
        let snapshots = self.snapshots()?.map(&mut push);
        let window_snapshots = self.window_snapshots()?.map(&mut push);
        frames.push(placed.clone().group_by([vec![col(SITE), col(IDX)], self.dims()].concat()).agg(self.aggs.clone()));
        let sites = frames.len() - 1;
        frames.push(placed.group_by([vec![col(IDX)], self.dims()].concat()).agg(self.aggs.clone()));
        let pooled = frames.len() - 1;
        let mut baseline_months = None;
        let baseline = match &self.base.baseline {
            Some(windows) => {
                let rows = self.filtered(self.in_windows(rows, windows)?);
                if self.base.baseline_months {
                    let t = self.local(self.base.time.column());
                    let month = t.clone().dt().year().cast(DataType::Int64) * lit(12i64)
                        + t.dt().month().cast(DataType::Int64)
                        - lit(1i64);
                    let by_month = rows.clone().with_column(month.alias(IDX));
                    frames.push(
                        by_month.group_by([vec![col(SITE), col(IDX)], self.dims()].concat()).agg(self.aggs.clone()),
                    );
                    baseline_months = Some(frames.len() - 1);
                }
                frames.push(rows.clone().group_by([vec![col(SITE)], self.dims()].concat()).agg(self.aggs.clone()));
                let site_baselines = frames.len() - 1;
                frames.push(if self.base.by.is_empty() {
                    rows.select(self.aggs.clone())
                } else {
                    rows.group_by(self.dims()).agg(self.aggs.clone())
                });
                Some((site_baselines, frames.len() - 1))
            }
            None => None,
        };
        let excluded = self.excluded().map(|lf| {
            frames.push(lf);
            frames.len() - 1
        });
        Ok(Lowered { sites, pooled, baseline, baseline_months, excluded, snapshots, window_snapshots })
    }

    fn filtered(&self, lf: LazyFrame) -> LazyFrame {
        match &self.filter {
            Some(f) => lf.filter(f.clone()),
            None => lf,
        }
    }

    /// A date or datetime column of the metric's source as wall-clock time at the row's
    /// site: what places rows in periods and compares with days.
    fn local(&self, column: &str) -> Expr {
        match self.plan.inputs.sources[&self.base.source].column(column).map(|c| &c.ty) {
            Some(ColumnType::DateTime) if any_zone(self.plan) => col(local_name(column).as_str()),
            _ => col(column).cast(MS),
        }
    }

    /// Rows whose `column` (of `source`) is before the end of `as_of` at their site.
    fn before_end(&self, column: &str, source: &str) -> Expr {
        match self.plan.inputs.sources[source].column(column).map(|c| &c.ty) {
            Some(ColumnType::Date) => col(column).lt_eq(lit(self.plan.as_of)),
            _ => col(column).cast(MS).lt(col(END)),
        }
    }

    /// The source's rows at every site, joined, without excluded rows or rows before
    /// coverage (by the column that places rows in periods).
    fn rows(&self) -> PolarsResult<LazyFrame> {
        let mut lf = self.tables[&self.base.source].all();
        // A site without an export the metric joins has no rows of it either, nor has a
        // site outside the metric's scope.
        let left_out: Vec<&str> =
            self.base.absent_at.iter().chain(&self.base.out_of_scope).map(SiteId::as_str).collect();
        if !left_out.is_empty() {
            let left_out = Series::new("left_out".into(), left_out);
            lf = lf.filter(col(SITE).is_in(lit(left_out).implode(false), false).not());
        }
        if let Some(early) = &self.early {
            lf = lf.filter(early.clone());
        }
        for join in &self.base.joins {
            lf = match (&join.pick, &self.base.time) {
                (JoinPick::LastInFile, _) => {
                    let right = self
                        .joined(join)
                        .unique_stable(Some(cols([SITE, key_col(join).as_str()])), UniqueKeepStrategy::Last);
                    lf.join(
                        right,
                        [col(SITE), col(join.on.as_str())],
                        [col(SITE), col(key_col(join).as_str())],
                        JoinArgs::new(JoinType::Left),
                    )
                }
                (JoinPick::LatestSnapshot { .. }, TimeSemantics::Event { column: time }) => {
                    self.as_of_join(lf, join, self.local(time))?
                }
                // Joined as of each period's end, once rows are placed.
                (JoinPick::LatestSnapshot { .. }, _) => lf,
            };
        }
        let kept = match self.missed() {
            Some(missed) => col(EXCLUDED).is_null().and(missed.not()),
            None => col(EXCLUDED).is_null(),
        };
        self.until_data_ends(self.within_coverage(lf.filter(kept))?)
    }

    /// An open metric's rows as its exports stood on their last day (coverage `to`): rows
    /// opened later left out, closes dated later read as null.
    fn until_data_ends(&self, lf: LazyFrame) -> PolarsResult<LazyFrame> {
        let TimeSemantics::Open { from, close } = &self.base.time else { return Ok(lf) };
        if self.base.data_ends.is_empty() {
            return Ok(lf);
        }
        let ends: HashMap<&str, i64> = (self.base.data_ends.iter())
            .map(|(site, last)| (site.as_str(), midnight_ms(last.succ_opt().unwrap_or(*last))))
            .collect();
        let end = at_site(self.plan, |site| ends.get(site).copied())?;
        let mut lf = lf.filter(end.clone().is_null().or(self.local(from).lt(end.clone())));
        if let Some(close) = close {
            let later = end.clone().is_not_null().and(self.local(close).gt_eq(end));
            // The column and its local or instant copy alike, from the same condition.
            let mut names = vec![close.clone()];
            if any_zone(self.plan) {
                match self.plan.inputs.sources[&self.base.source].column(close).map(|c| &c.ty) {
                    Some(ColumnType::DateTime) => names.push(local_name(close)),
                    Some(ColumnType::Date) => names.push(instant_name(close)),
                    _ => {}
                }
            }
            let nulled: Vec<Expr> = names
                .iter()
                .map(|n| when(later.clone()).then(lit(NULL)).otherwise(col(n.as_str())).alias(n.as_str()))
                .collect();
            lf = lf.with_columns(nulled);
        }
        Ok(lf)
    }

    /// The rows of `lf` inside their site's coverage, by the time column.
    fn within_coverage(&self, lf: LazyFrame) -> PolarsResult<LazyFrame> {
        if self.base.rows_within.is_empty() {
            return Ok(lf);
        }
        let spans: HashMap<&str, &crate::plan::Span> =
            self.base.rows_within.iter().map(|c| (c.site.as_str(), &c.span)).collect();
        let from = at_site(self.plan, |site| spans.get(site).map(|s| midnight_ms(s.from)))?;
        let to = at_site(self.plan, |site| spans.get(site)?.to?.succ_opt().map(midnight_ms))?;
        let t = self.local(self.base.time.column());
        let inside = t.clone().gt_eq(from.clone()).and(to.clone().is_null().or(t.lt(to)));
        Ok(lf.filter(from.is_null().or(inside)))
    }

    /// A snapshot metric's (site, period) pairs that hold a snapshot, whatever `where`
    /// keeps of it; `None` for other metrics.
    fn snapshots(&self) -> PolarsResult<Option<LazyFrame>> {
        let TimeSemantics::Snapshot { column } = &self.base.time else { return Ok(None) };
        let range = self.base.periods;
        let t = self.local(column);
        let taken = self
            .within_coverage(self.tables[&self.base.source].all())?
            .with_column(t.alias(T))
            .filter(col(T).is_not_null().and(self.before_end(column, &self.base.source)))
            .select([col(SITE), period_index(col(T), range.scheme).alias(IDX)])
            .filter(col(IDX).gt_eq(lit(range.first)).and(col(IDX).lt_eq(lit(range.last))));
        Ok(Some(taken.unique(None, UniqueKeepStrategy::Any)))
    }

    /// A snapshot metric's sites whose baseline window holds a snapshot; `None` for other
    /// metrics and without windows.
    fn window_snapshots(&self) -> PolarsResult<Option<LazyFrame>> {
        let (TimeSemantics::Snapshot { column }, Some(windows)) = (&self.base.time, &self.base.baseline) else {
            return Ok(None);
        };
        let t = self.local(column);
        let covered = self.within_coverage(self.tables[&self.base.source].all())?;
        let inside = |from, to| t.clone().gt_eq(from).and(t.clone().lt(to));
        let taken = in_window(self.plan, covered, windows, false, &inside)?;
        Ok(Some(taken.select([col(SITE)]).unique(None, UniqueKeepStrategy::Any)))
    }

    /// The joined source's rows known by the end of `as_of`: the site, the key, the
    /// columns the metric reads (as `join.column`, with their local or instant copies).
    fn joined(&self, join: &JoinPlan) -> LazyFrame {
        let mut select = vec![col(SITE), col(join.key.as_str()).alias(key_col(join).as_str())];
        select.extend(join.columns.iter().map(|c| col(c.as_str()).alias(format!("{}.{c}", join.name).as_str())));
        let joined = &self.plan.inputs.sources[&join.source];
        for c in join.columns.iter().filter(|_| any_zone(self.plan)) {
            let shadow = match joined.column(c).map(|c| &c.ty) {
                Some(ColumnType::DateTime) => local_name,
                Some(ColumnType::Date) => instant_name,
                _ => continue,
            };
            select.push(col(shadow(c).as_str()).alias(shadow(&format!("{}.{c}", join.name))));
        }
        if let JoinPick::LatestSnapshot { column } = &join.pick {
            select.push(col(column.as_str()).cast(MS).alias(JT));
        }
        let known = join.known_by.iter().fold(lit(true), |acc, c| acc.and(self.before_end(c, &join.source)));
        self.tables[&join.source].all().filter(known).select(select)
    }

    /// A point-in-time join: each row gets, of its key's snapshots, the latest taken on or
    /// before `time` (local), else the first. Each (site, key) of the snapshots is numbered;
    /// rows and snapshots are sorted together by that number and time, and each row takes
    /// the snapshot before it (or, failing that, after it) in that order.
    fn as_of_join(&self, left: LazyFrame, join: &JoinPlan, time: Expr) -> PolarsResult<LazyFrame> {
        let key = key_col(join);
        let snapshots = self.joined(join).with_row_index(SROW, None).with_column(col(SROW).cast(DataType::Int64));
        // Numbers sort faster than the site and key they stand for. Stable, as both sides
        // number with it and must agree.
        let ids = snapshots
            .clone()
            .select([col(SITE), col(key.as_str())])
            .unique_stable(None, UniqueKeepStrategy::First)
            .with_row_index(KID, None);
        let numbered = |lf: LazyFrame, on: &str| {
            lf.join(ids.clone(), [col(SITE), col(on)], [col(SITE), col(key.as_str())], JoinArgs::new(JoinType::Inner))
        };
        let left =
            left.with_row_index(LROW, None).with_column(col(LROW).cast(DataType::Int64)).with_column(time.alias(JT));
        let keys = |lf: LazyFrame, side: i32, lrow: Expr, srow: Expr| {
            lf.select([col(KID), col(JT), lrow.alias(LROW), srow.alias(SROW), lit(side).alias(SIDE)])
        };
        let null = || lit(NULL).cast(DataType::Int64);
        let rows = keys(numbered(left.clone(), join.on.as_str()), 1, col(LROW), null());
        let snaps = keys(numbered(snapshots.clone(), key.as_str()), 0, null(), col(SROW));
        // Fill each row with the nearest snapshot before (else after) it in the sorted
        // order, carrying that snapshot's number: it is the row's own only when the numbers
        // match. A fill over the whole column is cheaper than one per group.
        let of_snapshot = |c: &str| when(col(SIDE).eq(lit(0))).then(col(c)).otherwise(lit(NULL));
        let nearest = |s: FillNullStrategy| {
            let same_key = of_snapshot(KID).fill_null_with_strategy(s).eq(col(KID));
            when(same_key).then(col(SROW).fill_null_with_strategy(s)).otherwise(lit(NULL))
        };
        let before = nearest(FillNullStrategy::Forward(None));
        let after = nearest(FillNullStrategy::Backward(None));
        let picks = concat([rows, snaps], UnionArgs::default())?
            .sort([KID, JT, SIDE], SortMultipleOptions::default())
            .with_column(coalesce(&[before, after]).alias(PICK))
            .filter(col(SIDE).eq(lit(1)))
            .select([col(LROW), col(PICK)]);
        let snapshots = snapshots.drop(cols([SITE, key.as_str(), JT]));
        Ok(left
            .join(picks, [col(LROW)], [col(LROW)], JoinArgs::new(JoinType::Left))
            .join(snapshots, [col(PICK)], [col(SROW)], JoinArgs::new(JoinType::Left))
            .drop(cols([LROW, JT, PICK])))
    }

    /// Point-in-time joins as of each period's (or window's) end, for open and snapshot
    /// metrics: rows carry `__period_end`.
    fn joined_at_period_end(&self, mut lf: LazyFrame) -> PolarsResult<LazyFrame> {
        if matches!(self.base.time, TimeSemantics::Event { .. }) {
            return Ok(lf);
        }
        for join in &self.base.joins {
            if matches!(join.pick, JoinPick::LatestSnapshot { .. }) {
                lf = self.as_of_join(lf, join, col(PERIOD_END))?;
            }
        }
        Ok(lf)
    }

    /// Rows placed in the plan's periods (`__idx`), with the periods' days when the
    /// metric reads them.
    fn placed(&self, rows: LazyFrame) -> PolarsResult<LazyFrame> {
        let range = self.base.periods;
        let mut placed = match &self.base.time {
            TimeSemantics::Event { column } | TimeSemantics::Snapshot { column } => {
                let t = self.local(column.as_str());
                let lf = rows
                    .with_column(t.alias(T))
                    .filter(col(T).is_not_null().and(self.before_end(column, &self.base.source)))
                    .with_column(period_index(col(T), range.scheme).alias(IDX));
                if matches!(self.base.time, TimeSemantics::Snapshot { .. }) {
                    lf.filter(col(T).eq(col(T).max().over([col(SITE), col(IDX)])?))
                } else {
                    lf
                }
            }
            TimeSemantics::Open { from, close } => {
                let f = self.local(from.as_str());
                // Closed after as_of: still open as of as_of.
                let c = match close {
                    Some(close) => {
                        let c = self.local(close.as_str());
                        when(self.before_end(close, &self.base.source)).then(c).otherwise(lit(NULL).cast(MS))
                    }
                    None => lit(NULL).cast(MS),
                };
                let first = period_index(f.clone(), range.scheme);
                let until =
                    when(c.clone().is_null()).then(lit(range.last + 1)).otherwise(period_index(c, range.scheme));
                rows.filter(f.clone().is_not_null().and(self.before_end(from, &self.base.source)))
                    .with_column(int_ranges(first, until, lit(1i64), DataType::Int64).alias(IDX))
                    .explode(cols([IDX]), ExplodeOptions { empty_as_null: true, keep_nulls: false })
                    .filter(col(IDX).is_not_null())
            }
        };
        placed = placed.filter(col(IDX).gt_eq(lit(range.first)).and(col(IDX).lt_eq(lit(range.last))));
        if let Some(days) = &self.base.period_days {
            let idx: Vec<i64> = days.iter().map(|p| p.index).collect();
            let start: Vec<i64> = days.iter().map(|p| midnight_ms(p.start)).collect();
            let end: Vec<i64> = days.iter().map(|p| midnight_ms(p.end)).collect();
            let frame = DataFrame::new(
                days.len(),
                vec![
                    Column::new(IDX.into(), idx),
                    Series::new(PERIOD_START.into(), start).cast(&MS)?.into_column(),
                    Series::new(PERIOD_END.into(), end).cast(&MS)?.into_column(),
                ],
            )?;
            placed = placed.join(frame.lazy(), [col(IDX)], [col(IDX)], JoinArgs::new(JoinType::Left));
        }
        self.joined_at_period_end(placed)
    }

    /// Each site's rows in its own baseline window, as one period.
    fn in_windows(&self, rows: LazyFrame, windows: &[SiteWindow]) -> PolarsResult<LazyFrame> {
        let days = self.base.period_days.is_some();
        let in_window = |cond: &dyn Fn(Expr, Expr) -> Expr| in_window(self.plan, rows.clone(), windows, days, cond);
        let rows = match &self.base.time {
            TimeSemantics::Event { column } | TimeSemantics::Snapshot { column } => {
                let t = self.local(column.as_str());
                let rows = in_window(&|from, to| t.clone().gt_eq(from).and(t.clone().lt(to)))?;
                if matches!(self.base.time, TimeSemantics::Snapshot { .. }) {
                    // The window's latest snapshot at each site.
                    rows.filter(t.clone().eq(t.max().over([col(SITE)])?))
                } else {
                    rows
                }
            }
            TimeSemantics::Open { from, close } => {
                let f = self.local(from.as_str());
                let open = |to: Expr| match close {
                    Some(c) => self.local(c.as_str()).is_null().or(self.local(c.as_str()).gt_eq(to)),
                    None => lit(true),
                };
                in_window(&|_, to| f.clone().lt(to.clone()).and(open(to)))?
            }
        };
        self.joined_at_period_end(rows)
    }

    /// True on the rows whose key finds no partner in a join of this metric that says
    /// `on_missing: exclude` (marked when read); `None` when no such row was found.
    fn missed(&self) -> Option<Expr> {
        let input = &self.tables[&self.base.source];
        let joins = self.base.joins.iter().filter(|j| input.missed.contains(&j.name));
        joins.map(|j| col(miss_column(&j.name).as_str()).fill_null(lit(false))).reduce(Expr::or)
    }

    /// Rows left out, per site, period and reason: those marked when read (a code outside
    /// its vocabulary, a join miss) and, for an event metric, those dated before the
    /// project's `start` that pass the metric's own-row conditions, placed in the first
    /// period; none when there are none.
    fn excluded(&self) -> Option<LazyFrame> {
        let input = &self.tables[&self.base.source];
        let column = self.base.time.column();
        let event = matches!(self.base.time, TimeSemantics::Event { .. });
        let early = event && input.before_start.contains(column);
        let missed = self.missed();
        if !input.any_excluded && !early && missed.is_none() {
            return None;
        }
        let t = self.local(column);
        let scheme = self.base.periods.scheme;
        let start = ms_lit(midnight_ms(self.plan.start));
        let before = if event { t.clone().lt(start.clone()) } else { lit(false) };
        let counted = self.early.clone().unwrap_or(lit(true));
        let missed = missed.unwrap_or(lit(false));
        let kept = col(EXCLUDED).is_not_null().or(missed.clone()).or(before.clone().and(counted));
        let reason = when(before.clone())
            .then(lit(data::BEFORE_START))
            .when(col(EXCLUDED).is_not_null())
            .then(col(EXCLUDED))
            .otherwise(lit(data::JOIN_MISS));
        let lf = input
            .all()
            .filter(t.clone().is_not_null().and(self.before_end(column, &self.base.source)))
            .filter(kept)
            .with_columns([
                when(before.clone()).then(period_index(start, scheme)).otherwise(period_index(t, scheme)).alias(IDX),
                reason.alias(EXCLUDED),
            ])
            .group_by([col(SITE), col(IDX), col(EXCLUDED)])
            .agg([len().alias(N)]);
        Some(lf)
    }
}

/// The rows of `lf` whose `cond(from, to)` holds over their site's window `[from, to)`
/// (rows of sites without a window are left out); with `days`, each row also gets its
/// window's first and last day as `period_start` and `period_end`.
fn in_window(
    plan: &Plan,
    lf: LazyFrame,
    windows: &[SiteWindow],
    days: bool,
    cond: &dyn Fn(Expr, Expr) -> Expr,
) -> PolarsResult<LazyFrame> {
    let windows: HashMap<&str, &crate::calendar::Window> =
        windows.iter().map(|w| (w.site.as_str(), &w.window)).collect();
    let day = |day: fn(&crate::calendar::Window) -> NaiveDate| {
        at_site(plan, |site| windows.get(site).map(|w| midnight_ms(day(w))))
    };
    let from = day(|w| w.from)?;
    let to = day(|w| w.to.succ_opt().expect("a next day"))?;
    let lf = lf.filter(from.clone().is_not_null().and(cond(from, to)));
    Ok(if days {
        lf.with_columns([day(|w| w.from)?.alias(PERIOD_START), day(|w| w.to)?.alias(PERIOD_END)])
    } else {
        lf
    })
}

/// Per row, the instant its site has (`value` of each site of the project; null for
/// none), looked up by the row's site number: one pass over the rows however many sites
/// there are, where a chain of one branch per site would test every branch on every row.
fn at_site(plan: &Plan, value: impl Fn(&str) -> Option<i64>) -> PolarsResult<Expr> {
    let values: Vec<Option<i64>> = plan.inputs.sites.iter().map(|s| value(&s.id)).collect();
    let values = Series::new("per site".into(), values).cast(&MS)?;
    Ok(lit(values).gather(col(SITE_NO), true))
}

/// The terms of `e` joined by `and` (a row passes when it passes each).
fn conjuncts(e: &TExpr) -> Vec<&TExpr> {
    match &e.kind {
        TExprKind::Binary { op: BinOp::And, lhs, rhs } => [conjuncts(lhs), conjuncts(rhs)].concat(),
        _ => vec![e],
    }
}

/// Whether `e` reads nothing but the source's own columns: no joined column, no period day.
fn reads_only_its_row(e: &TExpr) -> bool {
    let mut only = true;
    e.walk(&mut |n| match &n.kind {
        TExprKind::Column(c) if c.join.is_some() => only = false,
        TExprKind::Builtin(Builtin::PeriodStart | Builtin::PeriodEnd) | TExprKind::Aggregate { .. } => only = false,
        _ => {}
    });
    only
}

impl Lowered {
    /// The collected frames of one base plan as its aggregate tables.
    fn tables(&self, base: &BasePlan, frames: &[DataFrame], input: &Input) -> PolarsResult<Aggregates> {
        let mut periods = groups(base, &frames[self.sites], true, true)?;
        periods.extend(groups(base, &frames[self.pooled], false, true)?);
        let baselines = match self.baseline {
            Some((sites, pooled)) => {
                let mut g = groups(base, &frames[sites], true, false)?;
                g.extend(groups(base, &frames[pooled], false, false)?);
                g
            }
            None => Vec::new(),
        };
        let baseline_months = match self.baseline_months {
            Some(i) => groups(base, &frames[i], true, true)?,
            None => Vec::new(),
        };
        let excluded = match self.excluded {
            Some(i) => excluded_counts(&frames[i])?,
            None => Vec::new(),
        };
        let snapshots = match self.snapshots {
            Some(i) => site_periods(&frames[i])?,
            None => Vec::new(),
        };
        let window_snapshots = match self.window_snapshots {
            Some(i) => frames[i].column(SITE)?.str()?.iter().flatten().map(String::from).collect(),
            None => Vec::new(),
        };
        let (sites_read, sites_empty) = (input.sites.clone(), input.empty.clone());
        Ok(Aggregates {
            periods,
            baselines,
            baseline_months,
            excluded,
            sites_read,
            sites_empty,
            snapshots,
            window_snapshots,
        })
    }
}

/// The groups of a collected frame: per site (or pooled) and per period (or the window).
fn groups(base: &BasePlan, df: &DataFrame, by_site: bool, by_period: bool) -> PolarsResult<Vec<Group>> {
    let sites = if by_site { Some(df.column(SITE)?.str()?.clone()) } else { None };
    let idxs = if by_period { Some(df.column(IDX)?.i64()?.clone()) } else { None };
    let dims: Vec<StringChunked> = base
        .by
        .iter()
        .map(|d| df.column(&column_name(d)).and_then(|c| c.str().cloned()))
        .collect::<PolarsResult<_>>()?;
    let slots: Vec<Float64Chunked> = (0..base.slots.len())
        .map(|i| df.column(&slot_column(i)).and_then(|c| c.f64().cloned()))
        .collect::<PolarsResult<_>>()?;
    let values: Vec<Option<ListChunked>> = (0..base.slots.len())
        .map(|i| match base.slots[i].keeps_values() {
            true => df.column(&values_column(i)).and_then(|c| c.list().cloned()).map(Some),
            false => Ok(None),
        })
        .collect::<PolarsResult<_>>()?;
    let compounds: Vec<Option<[Float64Chunked; 4]>> = (0..base.slots.len())
        .map(|i| match base.slots[i].keeps_compound() {
            true => {
                let column = |c: &String| df.column(c)?.cast(&DataType::Float64)?.f64().cloned();
                let [a, b, c, d] = compound_columns(i);
                Ok(Some([column(&a)?, column(&b)?, column(&c)?, column(&d)?]))
            }
            false => Ok(None),
        })
        .collect::<PolarsResult<_>>()?;
    // A sum's sample; none where a value summed is negative.
    let compound = |[sum, squares, max, min, count]: [Option<f64>; 5]| -> Option<crate::stats::Compound> {
        let events = count.unwrap_or(0.0) as u64;
        if min.is_some_and(|m| m < 0.0) {
            return None;
        }
        let (sum, squares, max) = (sum.unwrap_or(0.0), squares.unwrap_or(0.0), max.unwrap_or(0.0));
        Some(crate::stats::Compound { sum, squares, max, events })
    };
    let ended = match base.censored {
        Some(_) => Some(df.column(ENDED)?.list()?.clone()),
        None => None,
    };
    let flags = |list: &ListChunked, row: usize| -> Option<Vec<bool>> {
        let series = list.get_as_series(row)?;
        Some(series.bool().ok()?.iter().map(|b| b.unwrap_or(false)).collect())
    };
    let n = df.column(N)?.cast(&DataType::UInt64)?;
    let n = n.u64()?;
    let listed = |list: &ListChunked, row: usize| -> Option<Vec<f64>> {
        let series = list.get_as_series(row)?;
        Some(series.f64().ok()?.into_no_null_iter().collect())
    };
    let groups = (0..df.height()).map(|row| Group {
        site: match sites.as_ref().and_then(|s| s.get(row)) {
            Some(s) => SiteRef::Site(SiteId(s.to_string())),
            None => SiteRef::All,
        },
        dims: dims.iter().map(|d| d.get(row).map(String::from)).collect(),
        period: idxs.as_ref().and_then(|i| i.get(row)).or(by_period.then_some(0)),
        slots: slots.iter().map(|s| s.get(row)).collect(),
        values: values.iter().map(|v| v.as_ref().and_then(|list| listed(list, row))).collect(),
        compounds: (compounds.iter().zip(&slots))
            .map(|(c, sum)| {
                let [squares, max, min, count] = c.as_ref()?;
                compound([sum.get(row), squares.get(row), max.get(row), min.get(row), count.get(row)])
            })
            .collect(),
        ended: ended.as_ref().and_then(|list| flags(list, row)),
        n: n.get(row).unwrap_or(0),
    });
    Ok(groups.collect())
}

/// The (site, period index) of every row: group keys, never null.
fn site_periods(df: &DataFrame) -> PolarsResult<Vec<(String, i64)>> {
    let sites = df.column(SITE)?.str()?.clone();
    let idxs = df.column(IDX)?.i64()?.clone();
    Ok(sites.iter().zip(idxs.iter()).map(|(s, i)| (s.unwrap_or_default().to_string(), i.unwrap_or_default())).collect())
}

fn excluded_counts(df: &DataFrame) -> PolarsResult<Vec<(String, i64, String, u64)>> {
    let n = df.column(N)?.cast(&DataType::UInt64)?;
    let counts = n.u64()?.iter().map(|n| n.unwrap_or(0));
    let reasons = df.column(EXCLUDED)?.str()?.clone();
    let reasons = reasons.iter().map(|r| r.unwrap_or_default().to_string());
    Ok((site_periods(df)?.into_iter().zip(reasons).zip(counts))
        .map(|(((site, index), reason), n)| (site, index, reason, n))
        .collect())
}
