//! A base plan as one SQL query: the source's rows as they stood at the end of `as_of`,
//! joined, placed in periods, filtered, grouped per site and period and pooled, and over
//! each site's baseline window, every rule taken from the plan (docs/semantics.md).

use super::Dialect;
use super::ast::*;
use super::expr::{AS_OF_END, PERIOD_END, PERIOD_START, Rows, SITE};
use crate::calendar::end_of_day;
use crate::ir::{AggFn, ColumnType, SiteId, Source, TimeSemantics, Type};
use crate::plan::{BasePlan, JoinPick, JoinPlan, Plan};
use sqlparser::ast::{BinaryOperator, Expr, Query};

const T: &str = "__t";
const IDX: &str = "__idx";
const ROW: &str = "__row";
const PICK: &str = "__pick";
const JT: &str = "__jt";
const FROM: &str = "__from";
const UNTIL: &str = "__until";
/// The CTEs every query has: named so that no source (a table of its name in Spark) is
/// taken for one.
const SOURCE: &str = "ys:source";
const KEPT: &str = "ys:kept";
const PERIODS: &str = "ys:periods";
/// The column naming the part of the table a row belongs to.
pub const PART: &str = "part";

/// The columns of the aggregate table a metric's query returns, after `site`, `period`
/// and the `by` dimensions: slot `i` as `agg{i}`, and the row count `n`.
pub fn slot_name(i: usize) -> String {
    format!("agg{i}")
}

pub struct Lowering<'a> {
    pub plan: &'a Plan<'a>,
    pub base: &'a BasePlan<'a>,
    pub rows: Rows<'a>,
    /// Each source read, as a relation of its typed rows with their `site` (every site's).
    pub source: &'a dyn Fn(&str) -> Query,
}

impl Lowering<'_> {
    fn d(&self) -> Dialect {
        self.rows.d
    }

    fn schema(&self, source: &str) -> &Source {
        &self.plan.inputs.sources[source]
    }

    /// Per site, `value` of the site: a CASE over the sites' ids.
    fn at_site(&self, value: impl Fn(&SiteId) -> Option<Expr>) -> Expr {
        let whens = (self.plan.inputs.sites.iter())
            .filter_map(|s| Some((eq(col(self.d(), SITE), string(&s.id)), value(&s.id)?)))
            .collect();
        case(whens, None)
    }

    /// The instant `as_of` ends at the row's site, as naive UTC.
    fn as_of_end(&self) -> Expr {
        self.at_site(|id| {
            let site = self.plan.site(id)?;
            Some(timestamp(end_of_day(site.timezone, self.plan.as_of)))
        })
    }

    /// Whether `column` of `source` was known by the end of `as_of`.
    fn before_end(&self, source: &str, column: &str) -> Expr {
        let d = self.d();
        match self.schema(source).column(column).map(|c| &c.ty) {
            Some(ColumnType::Date) => bin(col(d, column), BinaryOperator::LtEq, date(self.plan.as_of)),
            _ => bin(col(d, column), BinaryOperator::Lt, col(d, AS_OF_END)),
        }
    }

    /// A source's rows as they stood at the end of `as_of`: each key's latest revision
    /// recorded by then (unless it deletes the key), recorded dates after it empty, with
    /// `__end`.
    fn known(&self, source: &str) -> Query {
        let d = self.d();
        let schema = self.schema(source);
        let raw = format!("{source}:read");
        let mut ctes = vec![(raw.clone(), (self.source)(source))];
        let ended = format!("{source}:ended");
        ctes.push((
            ended.clone(),
            select_all(d, table(d, &raw, None), vec![(self.as_of_end(), AS_OF_END.into())], None),
        ));
        let mut last = ended;
        if let (Some(history), Some(key)) = (&schema.history, &schema.key) {
            let numbered = format!("{source}:revisions");
            let newest = over(
                func("row_number", Vec::new()),
                vec![col(d, SITE), col(d, key)],
                vec![(col(d, &history.recorded_at), false)],
            );
            let known = self.before_end(source, &history.recorded_at);
            ctes.push((
                numbered.clone(),
                select_all(d, table(d, &last, None), vec![(newest, ROW.into())], Some(known)),
            ));
            let mut keep = or(is_null(col(d, key)), eq(col(d, ROW), int(1)));
            if let Some(deleted) = &history.deleted {
                keep = and(keep, not(func("coalesce", vec![col(d, deleted), boolean(false)])));
            }
            last = format!("{source}:current");
            ctes.push((last.clone(), select_all(d, table(d, &numbered, None), Vec::new(), Some(keep))));
        }
        // A recorded date after the end of `as_of` was not known yet: empty.
        let items: Vec<(Expr, String)> = schema
            .columns
            .iter()
            .filter(|c| self.plan.source(source).reads.contains(&c.name))
            .map(|c| {
                let unknown = !c.planned && matches!(c.ty, ColumnType::Date | ColumnType::DateTime);
                let value = if unknown {
                    case(vec![(not(self.before_end(source, &c.name)), null())], Some(col(d, &c.name)))
                } else {
                    col(d, &c.name)
                };
                (value, c.name.clone())
            })
            .chain([(col(d, SITE), SITE.to_string()), (col(d, AS_OF_END), AS_OF_END.to_string())])
            .collect();
        let body = select(d, SelectParts { items, from: table(d, &last, None), selection: None, group_by: Vec::new() });
        with(d, ctes, body)
    }

    /// The local time column placing rows, or a source column as wall-clock time.
    fn local_column(&self, column: &str) -> Expr {
        let d = self.d();
        match self.schema(&self.base.source).column(column).map(|c| &c.ty) {
            Some(ColumnType::DateTime) => self.rows.wall_clock(col(d, column)),
            _ => cast(col(d, column), timestamp_type()),
        }
    }

    /// The index of the period holding local time `t`.
    fn period_index(&self, t: Expr) -> Expr {
        let scheme = self.base.periods.scheme;
        let shifted = bin(month_number(t), BinaryOperator::Minus, int(scheme.offset));
        cast(
            func("floor", vec![bin(cast(shifted, double()), BinaryOperator::Divide, float(scheme.months as f64))]),
            bigint(),
        )
    }

    /// The joined source's rows known by the end of `as_of`, named for the join.
    fn joined(&self, join: &JoinPlan) -> Query {
        let d = self.d();
        let mut items =
            vec![(col(d, SITE), format!("{}:site", join.name)), (col(d, &join.key), format!("{}:key", join.name))];
        items.extend(join.columns.iter().map(|c| (col(d, c), format!("{}.{c}", join.name))));
        if let JoinPick::LatestSnapshot { column } = &join.pick {
            items.push((cast(col(d, column), timestamp_type()), format!("{}:{JT}", join.name)));
        }
        let known = all(join.known_by.iter().map(|c| self.before_end(&join.source, c)));
        let name = format!("{}:{}", join.name, join.source);
        with(
            d,
            vec![(name.clone(), self.known(&join.source))],
            select(d, SelectParts { items, from: table(d, &name, None), selection: Some(known), group_by: Vec::new() }),
        )
    }

    /// `from` with `join` applied: each row gets its key's row (a point-in-time join picks
    /// the latest snapshot on or before `time`, else the first).
    fn join_step(&self, ctes: &mut Vec<(String, Query)>, from: String, join: &JoinPlan, time: Option<Expr>) -> String {
        let d = self.d();
        let right = format!("{from}+{}:rows", join.name);
        ctes.push((right.clone(), self.joined(join)));
        let numbered = format!("{from}+{}:numbered", join.name);
        ctes.push((
            numbered.clone(),
            select_all(d, table(d, &from, None), vec![(d.row_id(), format!("{}:{ROW}", join.name))], None),
        ));
        let on = and(
            eq(col(d, SITE), col(d, &format!("{}:site", join.name))),
            eq(col(d, &join.on), col(d, &format!("{}:key", join.name))),
        );
        let joined = left_join(table(d, &numbered, None), table(d, &right, None), on);
        let jt = col(d, &format!("{}:{JT}", join.name));
        let order = match (&join.pick, time) {
            (JoinPick::LatestSnapshot { .. }, Some(t)) => {
                let on_or_before = bin(jt.clone(), BinaryOperator::LtEq, t);
                vec![
                    (case(vec![(on_or_before.clone(), int(0))], Some(int(1))), true),
                    (case(vec![(on_or_before, jt.clone())], None), false),
                    (jt, true),
                ]
            }
            // One row per key (a data rule): any of them; ordered, as Spark requires.
            _ => vec![(col(d, &format!("{}:key", join.name)), true)],
        };
        let pick = over(func("row_number", Vec::new()), vec![col(d, &format!("{}:{ROW}", join.name))], order);
        let picked = format!("{from}+{}:picked", join.name);
        ctes.push((picked.clone(), select_all(d, joined, vec![(pick, format!("{}:{PICK}", join.name))], None)));
        let out = format!("{from}+{}", join.name);
        ctes.push((
            out.clone(),
            select_all(
                d,
                table(d, &picked, None),
                Vec::new(),
                Some(self.kept_after(join, eq(col(d, &format!("{}:{PICK}", join.name)), int(1)))),
            ),
        ));
        out
    }

    /// `picked`, and under the join's `on_missing: exclude`, not a row whose non-empty key
    /// found no partner: it is left out of the metrics that read the join.
    fn kept_after(&self, join: &JoinPlan, picked: Expr) -> Expr {
        let d = self.d();
        let exclude = self.schema(&self.base.source).join(&join.name).map(|j| j.on_missing);
        if exclude != Some(crate::ir::OnMissing::Exclude) {
            return picked;
        }
        let missed = and(is_not_null(col(d, &join.on)), is_null(col(d, &format!("{}:key", join.name))));
        and(picked, not(missed))
    }

    /// For an open metric, the day after the last its export holds at the row's site
    /// (coverage `to`), as local midnight; `None` when no site's coverage ends.
    fn data_end(&self) -> Option<Expr> {
        let ends = &self.base.data_ends;
        (!ends.is_empty()).then(|| {
            self.at_site(|id| {
                let (_, last) = ends.iter().find(|(site, _)| site == id)?;
                Some(cast(date(last.succ_opt()?), timestamp_type()))
            })
        })
    }

    /// An open metric's close as known: local time, empty when it comes after the end of
    /// `as_of` or on or after the end of the site's data (not known when it was exported).
    fn close_known(&self, close: &str) -> Expr {
        let c = self.local_column(close);
        let mut unknown = not(self.before_end(&self.base.source, close));
        if let Some(end) = self.data_end() {
            unknown = or(unknown, and(is_not_null(end.clone()), bin(c.clone(), BinaryOperator::GtEq, end)));
        }
        case(vec![(unknown, null())], Some(c))
    }

    /// The source's rows that count, joined: as they stood at the end of `as_of`, without
    /// the sites that do not export a source it reads or lie outside its scope, and inside
    /// each site's coverage. Returns the last CTE's name.
    fn kept(&self, ctes: &mut Vec<(String, Query)>) -> String {
        let d = self.d();
        let base = self.base;
        ctes.push((SOURCE.into(), self.known(&base.source)));
        let left_out: Vec<Expr> = base.absent_at.iter().chain(&base.out_of_scope).map(|s| string(s)).collect();
        let mut keep = Vec::new();
        if !left_out.is_empty() {
            keep.push(not(in_list(col(d, SITE), left_out)));
        }
        if !base.rows_within.is_empty() {
            let t = self.local_column(base.time.column());
            let from = self.at_site(|id| {
                base.rows_within.iter().find(|c| &c.site == id).map(|c| cast(date(c.span.from), timestamp_type()))
            });
            let to = self.at_site(|id| {
                let to = base.rows_within.iter().find(|c| &c.site == id)?.span.to?;
                Some(cast(date(to.succ_opt()?), timestamp_type()))
            });
            let inside = and(
                bin(t.clone(), BinaryOperator::GtEq, from.clone()),
                or(is_null(to.clone()), bin(t, BinaryOperator::Lt, to)),
            );
            keep.push(or(is_null(from), inside));
        }
        // An open metric does not use rows opened after its site's export ends.
        if let (TimeSemantics::Open { from, .. }, Some(end)) = (&base.time, self.data_end()) {
            keep.push(or(is_null(end.clone()), bin(self.local_column(from), BinaryOperator::Lt, end)));
        }
        ctes.push((
            KEPT.into(),
            select_all(d, table(d, SOURCE, None), Vec::new(), (!keep.is_empty()).then(|| all(keep))),
        ));
        let mut last = KEPT.to_string();
        let event = matches!(base.time, TimeSemantics::Event { .. });
        for join in &base.joins {
            let time = event.then(|| self.local_column(base.time.column()));
            if event || matches!(join.pick, JoinPick::LastInFile) {
                last = self.join_step(ctes, last, join, time);
            }
        }
        last
    }

    /// The metric's query: its aggregate table per site and period, pooled per period, and
    /// over each site's baseline window (`period` empty) and pooled over the windows; for
    /// counts of events, per site and month of the window; for snapshot metrics, the
    /// periods and windows holding a snapshot.
    pub fn query(&self) -> Query {
        let d = self.d();
        let base = self.base;
        let mut ctes: Vec<(String, Query)> = Vec::new();
        let last = self.kept(&mut ctes);
        let periods = self.periods_table();
        ctes.push((PERIODS.into(), periods));
        let placed = self.placed(&mut ctes, &last);
        let filter = base.filter.as_ref().map(|f| self.rows.row(f));
        let aggs = self.aggregates();
        let text = || sqlparser::ast::DataType::String(None);
        let dims: Vec<Expr> = base.by.iter().map(|c| cast(col(d, &c.to_string()), text())).collect();
        let dim_names: Vec<String> = base.by.iter().map(ToString::to_string).collect();
        // One part of the table: its rows grouped by `sets` (with the dimensions, or with
        // them empty), `period` as the period's column.
        // A part grouped without the site is the pooled row: its site is empty.
        let part =
            |name: &str, from: &str, period: Expr, sets: Vec<Vec<Expr>>, with_dims: bool, selection: Option<Expr>| {
                let per_site = sets.iter().flatten().any(|e| *e == col(d, SITE));
                let site = if per_site { col(d, SITE) } else { cast(null(), text()) };
                let mut items = vec![(string(name), PART.to_string()), (site, SITE.to_string())];
                items.push((period, "period".to_string()));
                let dim = |e: &Expr| if with_dims { e.clone() } else { cast(null(), text()) };
                items.extend(dims.iter().map(dim).zip(dim_names.iter().cloned()));
                items.extend(aggs.iter().cloned());
                select(d, SelectParts { items, from: table(d, from, None), selection, group_by: sets })
            };
        let (idx, site, no_period) = (col(d, IDX), col(d, SITE), cast(null(), bigint()));
        let sets = |with_period: bool| {
            let mut per_site = vec![site.clone()];
            let mut pooled = Vec::new();
            if with_period {
                per_site.push(idx.clone());
                pooled.push(idx.clone());
            }
            per_site.extend(dims.iter().cloned());
            pooled.extend(dims.iter().cloned());
            vec![per_site, pooled]
        };
        let mut parts = vec![part("period", &placed, idx.clone(), sets(true), true, filter.clone())];
        let snapshot = matches!(base.time, TimeSemantics::Snapshot { .. });
        if snapshot {
            // The (site, period) pairs that hold a snapshot, whatever `where` keeps of it
            // (the latest snapshot of each, as placed, stands for the period's).
            let range = base.periods;
            let inside = and(
                bin(idx.clone(), BinaryOperator::GtEq, int(range.first)),
                bin(idx.clone(), BinaryOperator::LtEq, int(range.last)),
            );
            parts.push(part(
                "snapshot",
                &placed,
                idx.clone(),
                vec![vec![site.clone(), idx.clone()]],
                false,
                Some(inside),
            ));
        }
        if let Some(windows) = &base.baseline {
            let in_window = self.in_windows(&mut ctes, &last, windows);
            // Pooled over the windows apart, not as a grouping set: without dimensions it is one
            // row even over no rows, in every engine (Spark gives an empty grouping set over no
            // rows no row at all).
            let [per_site, pooled] =
                <[Vec<Expr>; 2]>::try_from(sets(false)).unwrap_or_else(|_| unreachable!("two sets"));
            parts.push(part("window", &in_window, no_period.clone(), vec![per_site], true, filter.clone()));
            parts.push(part("window", &in_window, no_period.clone(), vec![pooled], true, filter.clone()));
            if base.baseline_months {
                // Per site and calendar month of the window.
                let month = month_number(col(d, T));
                let mut by = vec![site.clone(), month.clone()];
                by.extend(dims.iter().cloned());
                parts.push(part("month", &in_window, month, vec![by], true, filter.clone()));
            }
            if snapshot {
                // The sites whose window holds a snapshot.
                parts.push(part("window_snapshot", &in_window, no_period, vec![vec![site.clone()]], false, None));
            }
        }
        with(d, ctes, union_all(parts))
    }

    /// The plan's periods: index, first day and last day (`as_of` in the partial one).
    fn periods_table(&self) -> Query {
        let range = self.base.periods;
        let rows = (range.first..=range.last)
            .map(|i| self.plan.calendar.period(self.base.grain, i, self.plan.as_of))
            .map(|p| {
                let day = |d| cast(date(d), timestamp_type());
                vec![int(p.index), day(p.start), day(p.end)]
            })
            .collect();
        values_table(self.d(), "p", &[IDX, PERIOD_START, PERIOD_END], rows)
    }

    /// Rows placed in the plan's periods (`__idx`, with the periods' days).
    fn placed(&self, ctes: &mut Vec<(String, Query)>, from: &str) -> String {
        let d = self.d();
        let base = self.base;
        let range = base.periods;
        let in_range = |e: Expr| {
            and(bin(e.clone(), BinaryOperator::GtEq, int(range.first)), bin(e, BinaryOperator::LtEq, int(range.last)))
        };
        match &base.time {
            TimeSemantics::Event { column } | TimeSemantics::Snapshot { column } => {
                let t = self.local_column(column);
                let timed = format!("{from}:timed");
                let known = and(is_not_null(col(d, column)), self.before_end(&base.source, column));
                ctes.push((timed.clone(), select_all(d, table(d, from, None), vec![(t, T.into())], Some(known))));
                let indexed = format!("{from}:indexed");
                ctes.push((
                    indexed.clone(),
                    select_all(d, table(d, &timed, None), vec![(self.period_index(col(d, T)), IDX.into())], None),
                ));
                let mut last = indexed;
                if matches!(base.time, TimeSemantics::Snapshot { .. }) {
                    let latest = over(func("max", vec![col(d, T)]), vec![col(d, SITE), col(d, IDX)], Vec::new());
                    let marked = format!("{from}:latest");
                    ctes.push((
                        marked.clone(),
                        select_all(d, table(d, &last, None), vec![(latest, "__latest".into())], None),
                    ));
                    last = format!("{from}:snapshots");
                    ctes.push((
                        last.clone(),
                        select_all(d, table(d, &marked, None), Vec::new(), Some(eq(col(d, T), col(d, "__latest")))),
                    ));
                }
                let placed = format!("{from}:placed");
                let on = eq(qcol(d, "r", IDX), qcol(d, "p", IDX));
                let joined = left_join(table(d, &last, Some("r")), table(d, PERIODS, Some("p")), on);
                let extra = vec![
                    (qcol(d, "p", PERIOD_START), PERIOD_START.into()),
                    (qcol(d, "p", PERIOD_END), PERIOD_END.into()),
                ];
                ctes.push((placed.clone(), select_star_of(d, "r", joined, extra, Some(in_range(qcol(d, "r", IDX))))));
                self.joined_at_period_end(ctes, placed)
            }
            TimeSemantics::Open { from: opened, close } => {
                let f = self.local_column(opened);
                let c = match close {
                    Some(close) => self.close_known(close),
                    None => cast(null(), timestamp_type()),
                };
                let until = case(vec![(is_null(c.clone()), int(range.last + 1))], Some(self.period_index(c)));
                let spans = format!("{from}:spans");
                let known = and(is_not_null(col(d, opened)), self.before_end(&base.source, opened));
                ctes.push((
                    spans.clone(),
                    select_all(
                        d,
                        table(d, from, None),
                        vec![(self.period_index(f), FROM.into()), (until, UNTIL.into())],
                        Some(known),
                    ),
                ));
                let placed = format!("{from}:placed");
                let on = and(
                    bin(qcol(d, "p", IDX), BinaryOperator::GtEq, qcol(d, "r", FROM)),
                    bin(qcol(d, "p", IDX), BinaryOperator::Lt, qcol(d, "r", UNTIL)),
                );
                let joined = inner_join(table(d, &spans, Some("r")), table(d, PERIODS, Some("p")), on);
                let extra = vec![
                    (qcol(d, "p", IDX), IDX.into()),
                    (qcol(d, "p", PERIOD_START), PERIOD_START.into()),
                    (qcol(d, "p", PERIOD_END), PERIOD_END.into()),
                ];
                ctes.push((placed.clone(), select_star_of(d, "r", joined, extra, Some(in_range(qcol(d, "p", IDX))))));
                self.joined_at_period_end(ctes, placed)
            }
        }
    }

    /// Point-in-time joins as of each period's (or window's) end, for open and snapshot
    /// metrics.
    fn joined_at_period_end(&self, ctes: &mut Vec<(String, Query)>, mut last: String) -> String {
        if matches!(self.base.time, TimeSemantics::Event { .. }) {
            return last;
        }
        for join in self.base.joins.iter().filter(|j| matches!(j.pick, JoinPick::LatestSnapshot { .. })) {
            last = self.join_step(ctes, last, join, Some(col(self.d(), PERIOD_END)));
        }
        last
    }

    /// Each site's rows in its baseline window, as one period.
    fn in_windows(&self, ctes: &mut Vec<(String, Query)>, from: &str, windows: &[crate::plan::SiteWindow]) -> String {
        let d = self.d();
        let base = self.base;
        let window = |pick: fn(&crate::calendar::Window) -> chrono::NaiveDate, next: bool| {
            self.at_site(|id| {
                let w = windows.iter().find(|w| &w.site == id)?;
                let day = pick(&w.window);
                Some(cast(date(if next { day.succ_opt()? } else { day }), timestamp_type()))
            })
        };
        let (start, end) = (window(|w| w.from, false), window(|w| w.to, true));
        let extra = vec![(start.clone(), PERIOD_START.to_string()), (window(|w| w.to, false), PERIOD_END.to_string())];
        let rows = match &base.time {
            TimeSemantics::Event { column } | TimeSemantics::Snapshot { column } => {
                let t = self.local_column(column);
                let inside = all([
                    is_not_null(col(d, column)),
                    self.before_end(&base.source, column),
                    bin(t.clone(), BinaryOperator::GtEq, start),
                    bin(t.clone(), BinaryOperator::Lt, end),
                ]);
                let name = format!("{from}:window");
                ctes.push((
                    name.clone(),
                    select_all(d, table(d, from, None), [vec![(t, T.to_string())], extra].concat(), Some(inside)),
                ));
                if matches!(base.time, TimeSemantics::Snapshot { .. }) {
                    let latest = over(func("max", vec![col(d, T)]), vec![col(d, SITE)], Vec::new());
                    let marked = format!("{from}:window-latest");
                    ctes.push((
                        marked.clone(),
                        select_all(d, table(d, &name, None), vec![(latest, "__latest".into())], None),
                    ));
                    let out = format!("{from}:window-snapshots");
                    ctes.push((
                        out.clone(),
                        select_all(d, table(d, &marked, None), Vec::new(), Some(eq(col(d, T), col(d, "__latest")))),
                    ));
                    out
                } else {
                    name
                }
            }
            TimeSemantics::Open { from: opened, close } => {
                let f = self.local_column(opened);
                let open = match close {
                    Some(c) => {
                        let c = self.close_known(c);
                        or(is_null(c.clone()), bin(c, BinaryOperator::GtEq, end.clone()))
                    }
                    None => boolean(true),
                };
                let inside = all([
                    is_not_null(col(d, opened)),
                    self.before_end(&base.source, opened),
                    bin(f, BinaryOperator::Lt, end),
                    open,
                ]);
                let name = format!("{from}:window");
                ctes.push((name.clone(), select_all(d, table(d, from, None), extra, Some(inside))));
                name
            }
        };
        self.joined_at_period_end(ctes, rows)
    }

    /// The slots' aggregates and the row count.
    fn aggregates(&self) -> Vec<(Expr, String)> {
        let d = self.d();
        let mut out: Vec<(Expr, String)> = self
            .base
            .slots
            .iter()
            .enumerate()
            .map(|(i, slot)| {
                let arg = || self.rows.row(slot.arg.as_ref().expect("aggregate with an argument"));
                let temporal = slot.arg.as_ref().is_some_and(|a| matches!(a.ty, Type::Date | Type::DateTime));
                let number = || if temporal { self.rows.d.epoch_ms(cast(arg(), timestamp_type())) } else { arg() };
                let e = match (slot.func, &slot.arg) {
                    (AggFn::Count, None) => count_all(),
                    // Counts and sums over no row (or only empty values) are 0, not NULL.
                    (AggFn::Count, Some(_)) => {
                        func("coalesce", vec![func("sum", vec![case(vec![(arg(), int(1))], Some(int(0)))]), int(0)])
                    }
                    (AggFn::CountDistinct, _) => count_distinct(arg()),
                    (AggFn::Sum, _) => func("coalesce", vec![func("sum", vec![arg()]), int(0)]),
                    (AggFn::Mean, _) => func("avg", vec![arg()]),
                    (AggFn::Median, _) => d.percentile(cast(arg(), double()), 0.5),
                    (AggFn::Min, _) => func("min", vec![number()]),
                    (AggFn::Max, _) => func("max", vec![number()]),
                    (AggFn::Percentile, _) => d.percentile(cast(arg(), double()), slot.quantile),
                    (AggFn::Share, _) => unreachable!("share is split into two counts"),
                };
                (cast(e, double()), slot_name(i))
            })
            .collect();
        out.push((count_all(), "n".to_string()));
        // What intervals are read from, beside the aggregates (docs/semantics.md, "Intervals").
        for (i, slot) in self.base.slots.iter().enumerate() {
            let Some(arg) = &slot.arg else { continue };
            let x = || cast(self.rows.row(arg), double());
            if slot.keeps_values() {
                out.push((d.sorted(x()), format!("values{i}")));
            }
            if slot.keeps_compound() {
                out.push((
                    cast(func("sum", vec![bin(x(), BinaryOperator::Multiply, x())]), double()),
                    format!("squares{i}"),
                ));
                out.push((cast(func("max", vec![x()]), double()), format!("max{i}")));
                out.push((cast(func("min", vec![x()]), double()), format!("min{i}")));
                out.push((func("count", vec![x()]), format!("count{i}")));
            }
        }
        if let (Some(end), Some(Some(arg))) = (&self.base.censored, self.base.slots.first().map(|s| &s.arg)) {
            let value = cast(self.rows.row(arg), double());
            out.push((d.ended_in_order(value, is_not_null(self.rows.row(end))), "ended".to_string()));
        }
        out
    }
}

/// The month of local time `t` counted from year 0: year × 12 + month − 1.
fn month_number(t: Expr) -> Expr {
    bin(
        bin(cast(func("year", vec![t.clone()]), bigint()), BinaryOperator::Multiply, int(12)),
        BinaryOperator::Plus,
        bin(cast(func("month", vec![t]), bigint()), BinaryOperator::Minus, int(1)),
    )
}
