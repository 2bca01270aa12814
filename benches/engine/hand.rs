//! The benchmark's 30 metrics written by hand against Polars, as an analyst would without
//! yardstick: the Acme exports read with typed schemas, Brno's codes mapped, every metric a
//! lazy query of its own, all collected together, then zero-filled and baselined in plain
//! Rust. The vocabulary groups, sites, rollouts, time zones and coverage of
//! `examples/acme` are written out here, not read from the definitions.
//!
//! Time as the definitions' semantics say: Porto's datetimes are wall-clock time in
//! Lisbon, the others' are UTC; a row falls in the period of its local date at its site;
//! what happened after the end of `as_of` there is not known yet; durations run between
//! instants; `as_of` in a duration is the end of its day there.

use chrono::{Datelike, Months, NaiveDate, TimeZone as _};
use chrono_tz::Tz;
use polars::prelude::*;
use std::collections::HashMap;
use std::path::Path;

const SITES: [(&str, NaiveDate, Tz); 3] = [
    ("lyon", date(2023, 1, 1), chrono_tz::Europe::Paris),
    ("brno", date(2023, 7, 1), chrono_tz::Europe::Prague),
    ("porto", date(2024, 1, 1), chrono_tz::Europe::Lisbon),
];
/// The site whose exports write wall-clock time without an offset.
const LOCAL_TIME_SITE: &str = "porto";
/// Porto logs downtime by hand from July 2022 only.
const PORTO_DOWNTIME_FROM: NaiveDate = date(2022, 7, 1);
const START: NaiveDate = date(2022, 1, 1);
const MS: DataType = DataType::Datetime(TimeUnit::Milliseconds, None);

const fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(y, m, d) {
        Some(d) => d,
        None => panic!("invalid date"),
    }
}

/// Every value and baseline of the 30 metrics, per site (and `all`) and period start.
pub struct Numbers {
    values: HashMap<(String, String, NaiveDate), Option<f64>>,
    baselines: HashMap<(String, String), Option<f64>>,
    /// The flows over Porto's late downtime log: their pooled baseline, before Porto's log
    /// starts, is over the other sites alone.
    porto_late: Vec<String>,
}

impl Numbers {
    pub fn value(&self, metric: &str, site: &str, start: NaiveDate) -> Option<f64> {
        self.values.get(&(metric.to_string(), site.to_string(), start)).copied().flatten()
    }

    pub fn baseline(&self, metric: &str, site: &str) -> Option<f64> {
        self.baselines.get(&(metric.to_string(), site.to_string())).copied().flatten()
    }

    /// The baseline of a row in the period starting `start`: the pooled row's is over the
    /// sites pooled in the period, each with its own scaled flows.
    pub fn baseline_in(&self, metric: &str, site: &str, start: NaiveDate) -> Option<f64> {
        if site == "all" && start < PORTO_DOWNTIME_FROM && self.porto_late.iter().any(|m| m == metric) {
            return Some(self.baseline(metric, "lyon")? + self.baseline(metric, "brno")?);
        }
        self.baseline(metric, site)
    }
}

#[derive(Clone, Copy)]
enum Ty {
    Str,
    Int,
    Float,
    Bool,
    Date,
    DateTime,
}

/// The columns of each export the 30 metrics read, in file order.
fn schema(source: &str) -> &'static [(&'static str, Ty)] {
    use Ty::*;
    match source {
        "downtime" => &[
            ("event_id", Str),
            ("started_at", DateTime),
            ("duration_min", Float),
            ("line", Str),
            ("cause", Str),
            ("asset_id", Str),
        ],
        "incidents" => &[
            ("incident_id", Str),
            ("occurred_at", DateTime),
            ("detected_at", DateTime),
            ("contained_at", DateTime),
            ("resolved_at", DateTime),
            ("category", Str),
            ("severity", Str),
            ("domain", Str),
            ("asset_id", Str),
            ("detected_by", Str),
            ("cost_eur", Float),
        ],
        "production" => &[("line", Str), ("month", Date), ("criticality", Str), ("production_hours", Float)],
        "assets" => &[
            ("asset_id", Str),
            ("snapshot_on", Date),
            ("name", Str),
            ("asset_class", Str),
            ("domain", Str),
            ("criticality", Str),
            ("exposure", Str),
            ("access_control", Bool),
            ("central_logging", Bool),
            ("backup", Bool),
            ("change_management", Bool),
            ("timely_access", Bool),
            ("patchable", Bool),
            ("compensating_controls", Bool),
        ],
        "audit_prep" => &[
            ("audit_id", Str),
            ("audit_date", Date),
            ("kind", Str),
            ("prep_hours", Float),
            ("late_artifacts", Int),
            ("missing_artifacts", Int),
            ("fire_drills", Int),
        ],
        "capas" => &[
            ("record_id", Str),
            ("opened_on", Date),
            ("closed_on", Date),
            ("record_type", Str),
            ("factors", Str),
            ("system_class", Str),
        ],
        "third_party_disruptions" => &[
            ("disruption_id", Str),
            ("started_at", DateTime),
            ("duration_min", Float),
            ("supplier", Str),
            ("kind", Str),
            ("security_related", Bool),
        ],
        "risk_register" => &[
            ("risk_id", Str),
            ("snapshot_on", Date),
            ("inherent_rating", Str),
            ("residual_rating", Str),
            ("previous_rating", Str),
            ("treatment", Str),
            ("reviews_at_high", Int),
            ("justification", Str),
        ],
        "control_exceptions" => &[
            ("exception_id", Str),
            ("opened_on", Date),
            ("closed_on", Date),
            ("kind", Str),
            ("asset_id", Str),
            ("repeated", Bool),
        ],
        "document_reviews" => &[("review_id", Str), ("document_id", Str), ("due_on", Date), ("completed_on", Date)],
        "leavers" => &[("person_id", Str), ("terminated_at", DateTime), ("disabled_at", DateTime)],
        "restore_tests" => {
            &[("test_id", Str), ("tested_on", Date), ("asset_id", Str), ("success", Bool), ("restore_hours", Float)]
        }
        "patches" => &[
            ("patch_id", Str),
            ("asset_id", Str),
            ("released_on", Date),
            ("due_on", Date),
            ("installed_on", Date),
            ("requalification_exception", Bool),
        ],
        "training" => &[
            ("assignment_id", Str),
            ("person_id", Str),
            ("role", Str),
            ("due_on", Date),
            ("completed_on", Date),
            ("score", Float),
        ],
        other => panic!("no schema for {other}"),
    }
}

/// Brno's local codes.
fn brno_codes(column: &str) -> &'static [(&'static str, &'static str)] {
    match column {
        "severity" => &[("P1", "SEV1"), ("P2", "SEV2"), ("P3", "SEV3"), ("P4", "SEV4")],
        "cause" => &[
            ("CYB", "cyber_event"),
            ("NEOPR-ZMENA", "unauthorized_change"),
            ("KONFIG", "configuration_error"),
            ("PORUCHA", "equipment_failure"),
            ("PROCES", "process_issue"),
            ("ENERGIE", "utility_outage"),
            ("NEZNAMO", "unknown"),
        ],
        _ => &[],
    }
}

/// Due dates, known in advance: read as written after `as_of`.
fn planned(source: &str, column: &str) -> bool {
    column == "due_on" && matches!(source, "document_reviews" | "patches" | "training")
}

/// The UTC instant (ms) a local day begins at `tz`.
fn local_midnight_ms(day: NaiveDate, tz: Tz) -> i64 {
    let wall = day.and_hms_opt(0, 0, 0).expect("midnight");
    tz.from_local_datetime(&wall).earliest().expect("midnight exists here").naive_utc().and_utc().timestamp_millis()
}

/// Whether a column of the exports is a datetime (the names are unique across sources).
fn is_datetime(column: &str) -> bool {
    matches!(
        column,
        "started_at" | "occurred_at" | "detected_at" | "contained_at" | "resolved_at" | "terminated_at" | "disabled_at"
    )
}

/// The column a time column places rows by: a datetime's local wall-clock time, a date.
fn local(column: &str) -> Expr {
    if is_datetime(column) { col(format!("{column}_local")) } else { col(column).cast(MS) }
}

/// One export at every site as known at the end of `as_of` there, typed, with a `site`
/// column, each datetime as a UTC instant and as `{name}_local` wall-clock time, and the
/// instant `as_of` ends there as `__asof`.
fn read(dir: &Path, source: &str, as_of: NaiveDate) -> PolarsResult<DataFrame> {
    let columns = schema(source);
    let csv_schema: Schema = columns
        .iter()
        .map(|(name, ty)| {
            let dtype = match ty {
                Ty::Str | Ty::DateTime => DataType::String,
                Ty::Int => DataType::Int64,
                Ty::Float => DataType::Float64,
                Ty::Bool => DataType::Boolean,
                Ty::Date => DataType::Date,
            };
            Field::new((*name).into(), dtype)
        })
        .collect();
    let csv_schema = Arc::new(csv_schema);
    let mut frames = Vec::new();
    for (site, _, tz) in SITES {
        let path = dir.join(format!("data/{site}/{source}.csv"));
        let zone = TimeZone::opt_try_new(Some(tz.name()))?.expect("a zone");
        let end = local_midnight_ms(as_of.succ_opt().expect("a next day"), tz);
        let df = CsvReadOptions::default()
            .with_has_header(true)
            .with_schema(Some(csv_schema.clone()))
            .try_into_reader_with_file_path(Some(path))?
            .finish()?;
        let mut fixes = vec![lit(site).alias("site"), lit(end).cast(MS).alias("__asof")];
        let mut locals = Vec::new();
        for (name, ty) in columns {
            if let Ty::DateTime = ty {
                let format = if site == LOCAL_TIME_SITE { "%Y-%m-%dT%H:%M:%S" } else { "%Y-%m-%dT%H:%M:%SZ" };
                let options = StrptimeOptions { format: Some(format.into()), ..Default::default() };
                let parsed = col(*name).str().to_datetime(Some(TimeUnit::Milliseconds), None, options, lit("raise"));
                let instant = if site == LOCAL_TIME_SITE {
                    parsed
                        .dt()
                        .replace_time_zone(Some(zone.clone()), lit("earliest"), NonExistent::Raise)
                        .dt()
                        .convert_time_zone(TimeZone::UTC)
                        .dt()
                        .replace_time_zone(None, lit("raise"), NonExistent::Raise)
                } else {
                    parsed
                };
                // Not known yet at the end of as_of.
                let known =
                    when(instant.clone().cast(DataType::Int64).gt_eq(lit(end))).then(lit(NULL)).otherwise(instant);
                fixes.push(known.cast(MS).alias(*name));
                let wall = col(*name)
                    .dt()
                    .replace_time_zone(Some(TimeZone::UTC), lit("raise"), NonExistent::Raise)
                    .dt()
                    .convert_time_zone(zone.clone())
                    .dt()
                    .replace_time_zone(None, lit("raise"), NonExistent::Raise);
                locals.push(wall.alias(format!("{name}_local")));
            }
            if let Ty::Date = ty
                && !planned(source, name)
            {
                fixes.push(
                    when(col(*name).gt(lit(as_of)))
                        .then(lit(NULL))
                        .otherwise(col(*name))
                        .cast(DataType::Date)
                        .alias(*name),
                );
            }
            if site == "brno" && !brno_codes(name).is_empty() {
                let mapped = brno_codes(name).iter().fold(col(*name), |acc, (local, term)| {
                    when(col(*name).eq(lit(*local))).then(lit(*term)).otherwise(acc)
                });
                fixes.push(mapped.alias(*name));
            }
        }
        frames.push(df.lazy().with_columns(fixes).with_columns(locals));
    }
    concat(frames, UnionArgs::default())?.collect()
}

fn ms(d: NaiveDate) -> Expr {
    lit(d.and_hms_opt(0, 0, 0).expect("midnight").and_utc().timestamp_millis()).cast(MS)
}

fn month_index(d: NaiveDate) -> i64 {
    d.year() as i64 * 12 + d.month0() as i64
}

/// The period index of a wall-clock datetime at a grain of `months`.
fn period(t: Expr, months: i64) -> Expr {
    let month =
        t.clone().dt().year().cast(DataType::Int64) * lit(12i64) + t.dt().month().cast(DataType::Int64) - lit(1i64);
    (month.cast(DataType::Float64) / lit(months as f64)).cast(DataType::Int64)
}

fn period_start(index: i64, months: i64) -> NaiveDate {
    let m = index * months;
    date((m / 12) as i32, (m % 12) as u32 + 1, 1)
}

fn hours(from: &str, to: &str) -> Expr {
    (col(to).cast(DataType::Int64) - col(from).cast(DataType::Int64)).cast(DataType::Float64) / lit(3_600_000.0)
}

fn any_of(column: &str, terms: &[&str]) -> Expr {
    terms.iter().fold(lit(false), |acc, t| acc.or(col(column).eq(lit(*t))))
}

fn count() -> Expr {
    len().cast(DataType::Float64)
}

fn share(condition: Expr) -> Expr {
    condition.cast(DataType::Int64).sum().cast(DataType::Float64) / len().cast(DataType::Float64)
}

enum Time {
    Event(&'static str),
    Snapshot(&'static str),
}

/// A base metric as four queries: per site and period, pooled per period, per-site
/// baseline and pooled baseline.
struct Metric {
    id: &'static str,
    months: i64,
    rows: LazyFrame,
    time: Time,
    filter: Expr,
    value: Expr,
    /// Counts and sums: 0 in a covered period without rows and, in event metrics, flows
    /// whose baseline is scaled from 12 months to one period.
    additive: bool,
    /// Porto's manual downtime log starts later.
    porto_from: Option<NaiveDate>,
}

struct Queries {
    as_of: NaiveDate,
    plans: Vec<LazyFrame>,
    metrics: Vec<(Metric, usize)>,
    open: Vec<(&'static str, usize)>,
}

impl Queries {
    fn end(&self) -> NaiveDate {
        self.as_of.succ_opt().expect("a next day")
    }

    fn add(&mut self, m: Metric) -> PolarsResult<()> {
        let (Time::Event(time) | Time::Snapshot(time)) = m.time;
        let t = local(time);
        let mut rows = m.rows.clone();
        if let Some(from) = m.porto_from {
            rows = rows.filter(col("site").neq(lit("porto")).or(t.clone().gt_eq(ms(from))));
        }
        let first = month_index(START) / m.months;
        let mut placed = rows
            .clone()
            .with_column(t.clone().alias("t"))
            .filter(col("t").is_not_null().and(col("t").lt(ms(self.end()))))
            .with_column(period(col("t"), m.months).alias("p"))
            .filter(col("p").gt_eq(lit(first)));
        if let Time::Snapshot(_) = m.time {
            placed = placed.filter(col("t").eq(col("t").max().over([col("site"), col("p")])?));
        }
        let placed = placed.filter(m.filter.clone());
        let index = self.plans.len();
        self.plans.push(placed.clone().group_by([col("site"), col("p")]).agg([m.value.clone().alias("v")]));
        self.plans.push(placed.group_by([col("p")]).agg([m.value.clone().alias("v")]));

        let window = SITES.iter().fold(lit(false), |acc, (site, rollout, _)| {
            let from = *rollout - Months::new(12);
            acc.or(col("site").eq(lit(*site)).and(t.clone().gt_eq(ms(from))).and(t.clone().lt(ms(*rollout))))
        });
        let mut base = rows.filter(window);
        if let Time::Snapshot(_) = m.time {
            base = base.filter(t.clone().eq(t.max().over([col("site")])?));
        }
        let base = base.filter(m.filter.clone());
        self.plans.push(base.clone().group_by([col("site")]).agg([m.value.clone().alias("v")]));
        self.plans.push(base.select([m.value.clone().alias("v")]));
        self.metrics.push((m, index));
        Ok(())
    }

    /// A stock counted at the end of every period it is open: (site, first, until) counts.
    fn add_open(&mut self, id: &'static str, rows: LazyFrame, from: &str, close: &str) {
        let end = ms(self.end());
        let c = col(close).cast(MS);
        let last = month_index(self.as_of);
        let until =
            when(c.clone().is_null().or(c.clone().gt_eq(end.clone()))).then(lit(last + 1)).otherwise(period(c, 1));
        let index = self.plans.len();
        self.plans.push(
            rows.clone()
                .filter(col(from).is_not_null().and(col(from).cast(MS).lt(end)))
                .group_by([col("site"), period(col(from), 1).alias("first"), until.alias("until")])
                .agg([len().cast(DataType::Int64).alias("n")]),
        );
        let open_at_rollout = SITES.iter().fold(lit(false), |acc, (site, rollout, _)| {
            let still_open = col(close).is_null().or(col(close).cast(MS).gt_eq(ms(*rollout)));
            acc.or(col("site").eq(lit(*site)).and(col(from).cast(MS).lt(ms(*rollout))).and(still_open))
        });
        self.plans
            .push(rows.filter(open_at_rollout).group_by([col("site")]).agg([len().cast(DataType::Int64).alias("n")]));
        self.open.push((id, index));
    }
}

fn f64s(df: &DataFrame, name: &str) -> PolarsResult<Vec<Option<f64>>> {
    let c = df.column(name)?.cast(&DataType::Float64)?;
    Ok(c.f64()?.iter().map(|v| v.filter(|x| x.is_finite())).collect())
}

fn strs(df: &DataFrame, name: &str) -> PolarsResult<Vec<String>> {
    Ok(df.column(name)?.str()?.iter().map(|s| s.unwrap_or_default().to_string()).collect())
}

fn i64s(df: &DataFrame, name: &str) -> PolarsResult<Vec<i64>> {
    let c = df.column(name)?.cast(&DataType::Int64)?;
    Ok(c.i64()?.iter().map(|v| v.unwrap_or_default()).collect())
}

pub fn compute(dir: &Path, as_of: NaiveDate) -> PolarsResult<Numbers> {
    // One lazy frame per export, cloned by every query over it, so that Polars can share
    // the queries' common parts.
    let mut tables: HashMap<&str, LazyFrame> = HashMap::new();
    for source in [
        "downtime",
        "production",
        "incidents",
        "assets",
        "audit_prep",
        "capas",
        "third_party_disruptions",
        "risk_register",
        "control_exceptions",
        "document_reviews",
        "leavers",
        "restore_tests",
        "patches",
        "training",
    ] {
        tables.insert(source, read(dir, source, as_of)?.lazy());
    }
    let t = |s: &str| tables[s].clone();
    let end = ms(as_of.succ_opt().expect("a next day"));

    // The asset inventory is taken at every month's end: a row joins the snapshot in force
    // on its day (that day's when it is a month end, else the previous month's end), or
    // the first snapshot when it is older; snapshots after as_of are not known.
    let assets = t("assets").filter(col("snapshot_on").cast(MS).lt(end.clone()));
    let first = assets.clone().select([col("snapshot_on").min().cast(DataType::Int32)]).collect()?;
    let first = first.column("snapshot_on")?.i32()?.get(0).unwrap_or(0);
    let assets = assets.select([
        col("site"),
        col("asset_id"),
        col("snapshot_on").cast(DataType::Int32).alias("in_force"),
        col("criticality").alias("asset_criticality"),
    ]);
    let in_force = |time: &str| {
        let day = local(time).cast(DataType::Date).cast(DataType::Int32);
        let next_month = (day.clone() + lit(1)).cast(DataType::Date).dt().month();
        let month_end = next_month.neq(day.clone().cast(DataType::Date).dt().month());
        let previous_end = day.clone().cast(DataType::Date).dt().truncate(lit("1mo")).cast(DataType::Int32) - lit(1);
        let snapshot = when(month_end).then(day).otherwise(previous_end);
        when(snapshot.clone().lt(lit(first))).then(lit(first)).otherwise(snapshot).alias("in_force")
    };
    let with_asset = |lf: LazyFrame, time: &str| {
        lf.with_column(in_force(time)).join(
            assets.clone(),
            [col("site"), col("asset_id"), col("in_force")],
            [col("site"), col("asset_id"), col("in_force")],
            JoinArgs::new(JoinType::Left),
        )
    };
    // A stop joins its line's production row of the month it happened in (local time):
    // the line's snapshot in force, as there is one every month the line runs.
    let lines = t("production").filter(col("month").is_not_null()).select([
        col("site"),
        col("line"),
        col("month").cast(DataType::Int32).alias("line_month"),
        col("criticality").alias("line_criticality"),
    ]);
    let downtime = with_asset(t("downtime"), "started_at")
        .with_column(
            local("started_at")
                .dt()
                .truncate(lit("1mo"))
                .cast(DataType::Date)
                .cast(DataType::Int32)
                .alias("line_month"),
        )
        .join(
            lines,
            [col("site"), col("line"), col("line_month")],
            [col("site"), col("line"), col("line_month")],
            JoinArgs::new(JoinType::Left),
        );
    let restores = with_asset(t("restore_tests"), "tested_on");
    // `as_of` in a duration: the end of its day at the row's site.
    let until_as_of = |column: &str| coalesce(&[col(column), col("__asof")]);

    let production = || any_of("domain", &["manufacturing_it", "ot"]);
    let security_cause = || any_of("cause", &["cyber_event", "unauthorized_change", "configuration_error"]);
    let critical_asset = || col("asset_criticality").eq(lit("critical"));
    let critical_line = || col("line_criticality").eq(lit("critical"));
    let production_role = || any_of("role", &["engineer", "operator", "administrator"]);
    let on_time = |done: &str, due: &str| col(done).is_not_null().and(col(done).lt_eq(col(due)));
    let major = |c: &str| any_of(c, &["SEV1", "SEV2"]);

    let mut q = Queries { as_of, plans: Vec::new(), metrics: Vec::new(), open: Vec::new() };
    let metric = |id, months, rows, time, filter, value, additive| Metric {
        id,
        months,
        rows,
        time,
        filter,
        value,
        additive,
        porto_from: None,
    };
    use Time::{Event, Snapshot};
    for m in [
        metric(
            "requalification_exceptions",
            1,
            t("patches"),
            Event("due_on"),
            col("requalification_exception"),
            count(),
            true,
        ),
        metric(
            "patch_timeliness",
            1,
            t("patches"),
            Event("due_on"),
            col("requalification_exception").not(),
            share(on_time("installed_on", "due_on")),
            false,
        ),
        metric(
            "timely_deprovisioning",
            1,
            t("leavers"),
            Event("terminated_at"),
            lit(true),
            share(col("disabled_at").is_not_null().and(hours("terminated_at", "disabled_at").lt_eq(lit(24.0)))),
            false,
        ),
        metric(
            "deprovisioning_hours",
            1,
            t("leavers").with_column(until_as_of("disabled_at").alias("disabled_or_now")),
            Event("terminated_at"),
            lit(true),
            hours("terminated_at", "disabled_or_now").median(),
            false,
        ),
        metric("control_failures", 1, t("control_exceptions"), Event("opened_on"), lit(true), count(), true),
        metric(
            "repeated_control_failures",
            1,
            t("control_exceptions"),
            Event("opened_on"),
            lit(true),
            share(col("repeated")),
            false,
        ),
        metric(
            "policy_reviews_on_time",
            3,
            t("document_reviews"),
            Event("due_on"),
            lit(true),
            share(on_time("completed_on", "due_on")),
            false,
        ),
        metric(
            "training_completion",
            3,
            t("training"),
            Event("due_on"),
            production_role(),
            share(on_time("completed_on", "due_on")),
            false,
        ),
        metric(
            "training_score",
            3,
            t("training"),
            Event("due_on"),
            production_role().and(col("score").is_not_null()),
            col("score").mean(),
            false,
        ),
        metric(
            "audit_fire_drills",
            3,
            t("audit_prep"),
            Event("audit_date"),
            lit(true),
            col("fire_drills").sum().cast(DataType::Float64) / count(),
            false,
        ),
        metric("audit_prep_hours", 3, t("audit_prep"), Event("audit_date"), lit(true), col("prep_hours").sum(), true),
        metric(
            "late_or_missing_artifacts",
            3,
            t("audit_prep"),
            Event("audit_date"),
            lit(true),
            (col("late_artifacts") + col("missing_artifacts")).sum().cast(DataType::Float64) / count(),
            false,
        ),
        metric(
            "information_handling_capas",
            3,
            t("capas"),
            Event("opened_on"),
            ["uncontrolled_access", "missing_logs", "inconsistent_records"].iter().fold(lit(false), |acc, f| {
                acc.or((lit(";") + col("factors") + lit(";")).str().contains_literal(lit(format!(";{f};"))))
            }),
            count(),
            true,
        ),
        metric(
            "third_party_disruptions",
            3,
            t("third_party_disruptions"),
            Event("started_at"),
            col("security_related"),
            count(),
            true,
        ),
        metric("security_incidents", 3, t("incidents"), Event("detected_at"), production(), count(), true),
        metric(
            "major_incident_share",
            3,
            t("incidents"),
            Event("detected_at"),
            production(),
            share(major("severity")),
            false,
        ),
        metric(
            "mttd_hours",
            3,
            t("incidents"),
            Event("detected_at"),
            production().and(col("occurred_at").is_not_null()),
            hours("occurred_at", "detected_at").mean(),
            false,
        ),
        metric(
            "mttr_hours",
            3,
            t("incidents").with_column(until_as_of("contained_at").alias("contained_or_now")),
            Event("detected_at"),
            production(),
            hours("detected_at", "contained_or_now").mean(),
            false,
        ),
        Metric {
            porto_from: Some(PORTO_DOWNTIME_FROM),
            ..metric(
                "security_disruptions",
                3,
                downtime.clone(),
                Event("started_at"),
                security_cause().and(critical_line()),
                count(),
                true,
            )
        },
        Metric {
            porto_from: Some(PORTO_DOWNTIME_FROM),
            ..metric(
                "security_downtime_hours",
                3,
                downtime,
                Event("started_at"),
                security_cause().and(critical_line()),
                col("duration_min").sum() / lit(60.0),
                true,
            )
        },
        metric(
            "production_hours",
            3,
            t("production"),
            Event("month"),
            col("criticality").eq(lit("critical")),
            col("production_hours").sum(),
            true,
        ),
        metric(
            "restore_test_success",
            3,
            restores.clone(),
            Event("tested_on"),
            critical_asset(),
            share(col("success")),
            false,
        ),
        metric(
            "restore_hours",
            3,
            restores,
            Event("tested_on"),
            col("success").and(critical_asset()),
            col("restore_hours").median(),
            false,
        ),
        metric(
            "significant_incident_cost",
            3,
            t("incidents"),
            Event("detected_at"),
            major("severity"),
            col("cost_eur").sum(),
            true,
        ),
        metric("significant_incidents", 3, t("incidents"), Event("detected_at"), major("severity"), count(), true),
        metric(
            "high_risks",
            3,
            t("risk_register"),
            Snapshot("snapshot_on"),
            any_of("residual_rating", &["critical", "high"]),
            count(),
            true,
        ),
        metric(
            "high_risks_treated",
            3,
            t("risk_register"),
            Snapshot("snapshot_on"),
            any_of("inherent_rating", &["critical", "high"]),
            share(col("treatment").eq(lit("implemented")).and(any_of("residual_rating", &["critical", "high"]).not())),
            false,
        ),
        metric(
            "critical_control_coverage",
            3,
            t("assets"),
            Snapshot("snapshot_on"),
            col("criticality").eq(lit("critical")),
            share(col("access_control").and(col("central_logging"))),
            false,
        ),
    ] {
        q.add(m)?;
    }
    q.add_open("open_control_exceptions", t("control_exceptions"), "opened_on", "closed_on");

    let frames = LazyFrame::collect_all_with_engine(
        q.plans.iter().map(|lf| lf.clone().logical_plan).collect(),
        Engine::Auto,
        OptFlags::default(),
    )?;

    let porto_late =
        q.metrics.iter().filter(|(m, _)| m.porto_from.is_some() && m.additive).map(|(m, _)| m.id.to_string());
    let mut numbers = Numbers { values: HashMap::new(), baselines: HashMap::new(), porto_late: porto_late.collect() };
    let last_month = month_index(as_of);
    for (m, i) in &q.metrics {
        let empty = if m.additive { Some(0.0) } else { None };
        let (first, last) = (month_index(START) / m.months, last_month / m.months);
        let mut found: HashMap<(String, i64), Option<f64>> = HashMap::new();
        let (sites, pooled) = (&frames[*i], &frames[*i + 1]);
        for ((s, p), v) in strs(sites, "site")?.into_iter().zip(i64s(sites, "p")?).zip(f64s(sites, "v")?) {
            found.insert((s, p), v);
        }
        for (p, v) in i64s(pooled, "p")?.into_iter().zip(f64s(pooled, "v")?) {
            found.insert(("all".to_string(), p), v);
        }
        for site in SITES.iter().map(|s| s.0).chain(["all"]) {
            for p in first..=last {
                let start = period_start(p, m.months);
                let covered = site != "porto" || m.porto_from.is_none_or(|from| start >= from);
                let v = if covered { found.get(&(site.to_string(), p)).copied().unwrap_or(empty) } else { None };
                numbers.values.insert((m.id.to_string(), site.to_string(), start), v);
            }
        }
        let scale = if m.additive && matches!(m.time, Time::Event(_)) { m.months as f64 / 12.0 } else { 1.0 };
        let (sites, pooled) = (&frames[*i + 2], &frames[*i + 3]);
        let mut baselines: HashMap<String, Option<f64>> =
            strs(sites, "site")?.into_iter().zip(f64s(sites, "v")?).collect();
        baselines.insert("all".to_string(), f64s(pooled, "v")?.first().copied().flatten().or(empty));
        for site in SITES.iter().map(|s| s.0).chain(["all"]) {
            let b = baselines.get(site).copied().unwrap_or(empty).map(|b| b * scale);
            numbers.baselines.insert((m.id.to_string(), site.to_string()), b);
        }
    }

    for (id, i) in &q.open {
        let (periods, at_rollout) = (&frames[*i], &frames[*i + 1]);
        let first = month_index(START);
        let mut open: HashMap<(String, i64), f64> = HashMap::new();
        let rows = strs(periods, "site")?.into_iter().zip(i64s(periods, "first")?).zip(i64s(periods, "until")?);
        for (((site, from), until), n) in rows.zip(i64s(periods, "n")?) {
            for p in from.max(first)..until.min(last_month + 1) {
                *open.entry((site.clone(), p)).or_default() += n as f64;
                *open.entry(("all".to_string(), p)).or_default() += n as f64;
            }
        }
        let mut baselines: HashMap<String, f64> = HashMap::new();
        for (site, n) in strs(at_rollout, "site")?.into_iter().zip(i64s(at_rollout, "n")?) {
            *baselines.entry("all".to_string()).or_default() += n as f64;
            baselines.insert(site, n as f64);
        }
        for site in SITES.iter().map(|s| s.0).chain(["all"]) {
            for p in first..=last_month {
                let v = open.get(&(site.to_string(), p)).copied().unwrap_or(0.0);
                numbers.values.insert((id.to_string(), site.to_string(), period_start(p, 1)), Some(v));
            }
            let b = baselines.get(site).copied().unwrap_or(0.0);
            numbers.baselines.insert((id.to_string(), site.to_string()), Some(b));
        }
    }

    // The derived metrics: quotients of two metrics per site and period, and of their baselines.
    let ratio = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) if b != 0.0 => Some(a / b),
        _ => None,
    };
    for (derived, numerator, denominator) in [
        ("hours_per_disruption", "security_downtime_hours", "security_disruptions"),
        ("cost_per_significant_incident", "significant_incident_cost", "significant_incidents"),
    ] {
        let keys: Vec<(String, NaiveDate)> =
            numbers.values.keys().filter(|(m, _, _)| m == denominator).map(|(_, s, d)| (s.clone(), *d)).collect();
        for (site, start) in keys {
            let v = ratio(numbers.value(numerator, &site, start), numbers.value(denominator, &site, start));
            numbers.values.insert((derived.to_string(), site, start), v);
        }
        for site in SITES.iter().map(|s| s.0).chain(["all"]) {
            let b = ratio(numbers.baseline(numerator, site), numbers.baseline(denominator, site));
            numbers.baselines.insert((derived.to_string(), site.to_string()), b);
        }
    }
    Ok(numbers)
}
