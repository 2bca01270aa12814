//! The SQL back end (`yardstick sql`) against the Polars engine: DuckDB's shell runs the
//! SQL written for each of Acme's metrics over Acme's exports, and every group of the
//! aggregate tables (per site and period, pooled, each site's baseline window) must hold
//! the Polars engine's slots and row count.

use crate::util::{acme_copy, compile};
use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use yardstick::ir::MetricId;
use yardstick::plan::{Backend, Group, Request};
use yardstick::sql::Dialect;

/// Whether DuckDB's shell runs here; CI (`.ci/run`) installs it and sets
/// `YARDSTICK_REQUIRE_ENGINES`, so that there a missing shell fails instead of skipping.
fn duckdb_here() -> bool {
    let found = Command::new("duckdb").arg("--version").output().is_ok_and(|o| o.status.success());
    assert!(
        found || std::env::var_os("YARDSTICK_REQUIRE_ENGINES").is_none(),
        "DuckDB's shell is not on the PATH: `pip install duckdb-cli`"
    );
    if !found {
        eprintln!("skipped: DuckDB's shell is not on the PATH (`pip install duckdb-cli`)");
    }
    found
}

/// What DuckDB prints for `sql`, run in `dir`: its rows, as JSON objects.
fn duckdb(dir: &Path, sql: &str) -> Vec<serde_json::Map<String, serde_json::Value>> {
    let mut child = Command::new("duckdb")
        .arg("-json")
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(sql.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "DuckDB failed: {}\n{sql}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    if text.trim().is_empty() {
        return Vec::new();
    }
    let rows: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    rows.into_iter().map(|r| r.as_object().unwrap().clone()).collect()
}

type Key = (Option<String>, Option<i64>, Vec<Option<String>>);

fn key(g: &Group) -> Key {
    let site = match &g.site {
        yardstick::ir::SiteRef::Site(s) => Some(s.to_string()),
        yardstick::ir::SiteRef::All => None,
    };
    (site, g.period, g.dims.clone())
}

/// A group as both sides give it: slots, row count, sorted values, a sum's compound, the
/// ended flags.
#[derive(Debug)]
struct Seen {
    slots: Vec<Option<f64>>,
    n: u64,
    values: Vec<Option<Vec<f64>>>,
    compounds: Vec<Option<[f64; 4]>>,
    ended: Option<Vec<bool>>,
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

impl Seen {
    fn of(g: &Group) -> Seen {
        Seen {
            slots: g.slots.clone(),
            n: g.n,
            values: g.values.clone(),
            compounds: g.compounds.iter().map(|c| c.map(|c| [c.sum, c.squares, c.max, c.events as f64])).collect(),
            ended: g.ended.clone(),
        }
    }

    fn from_row(base: &yardstick::plan::BasePlan, row: &serde_json::Map<String, serde_json::Value>) -> Seen {
        let number = |name: &str| row.get(name).and_then(serde_json::Value::as_f64);
        let list = |name: &str| {
            row.get(name).and_then(|v| v.as_array()).map(|items| items.iter().map(|i| i.as_f64().unwrap()).collect())
        };
        let slots: Vec<Option<f64>> = (0..base.slots.len()).map(|i| number(&format!("agg{i}"))).collect();
        let compounds = (0..base.slots.len())
            .map(|i| {
                base.slots[i].keeps_compound().then_some(())?;
                // As the Polars engine reads it: none where a value summed is negative.
                if number(&format!("min{i}")).is_some_and(|m| m < 0.0) {
                    return None;
                }
                let or_zero = |v: Option<f64>| v.unwrap_or(0.0);
                Some([
                    or_zero(slots[i]),
                    or_zero(number(&format!("squares{i}"))),
                    or_zero(number(&format!("max{i}"))),
                    or_zero(number(&format!("count{i}"))),
                ])
            })
            .collect();
        Seen {
            values: (0..base.slots.len())
                .map(|i| base.slots[i].keeps_values().then(|| list(&format!("values{i}")).unwrap_or_default()))
                .collect(),
            compounds,
            ended: row
                .get("ended")
                .and_then(|v| v.as_array())
                .map(|flags| flags.iter().map(|f| f.as_bool().unwrap()).collect()),
            slots,
            n: number("n").unwrap() as u64,
        }
    }

    /// Whether the two agree: floats within 1e-9 relative, a count over no row 0 on one side
    /// and empty on the other.
    fn agrees(&self, other: &Seen) -> bool {
        let slot = |a: &Option<f64>, b: &Option<f64>| match (a, b) {
            (Some(a), Some(b)) => close(*a, *b),
            (None, None) => true,
            (Some(a), None) | (None, Some(a)) => *a == 0.0,
        };
        let lists = |a: &Option<Vec<f64>>, b: &Option<Vec<f64>>| match (a, b) {
            (Some(a), Some(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| close(*x, *y)),
            (a, b) => a.is_none() == b.is_none(),
        };
        let compounds = |a: &Option<[f64; 4]>, b: &Option<[f64; 4]>| match (a, b) {
            (Some(a), Some(b)) => a.iter().zip(b).all(|(x, y)| close(*x, *y)),
            (a, b) => a.is_none() == b.is_none(),
        };
        self.n == other.n
            && self.slots.iter().zip(&other.slots).all(|(a, b)| slot(a, b))
            && self.values.iter().zip(&other.values).all(|(a, b)| lists(a, b))
            && self.compounds.iter().zip(&other.compounds).all(|(a, b)| compounds(a, b))
            && match (self.ended_by_value(), other.ended_by_value()) {
                (Some(a), Some(b)) => {
                    a.len() == b.len() && a.iter().zip(&b).all(|(x, y)| close(x.0, y.0) && x.1 == y.1)
                }
                (a, b) => a.is_none() == b.is_none(),
            }
    }

    /// The ended flags beside the first slot's values, sorted: within equal durations their
    /// order is no one's (Kaplan-Meier takes each time's durations together).
    fn ended_by_value(&self) -> Option<Vec<(f64, bool)>> {
        let values = self.values.first()?.as_ref()?;
        let mut pairs: Vec<(f64, bool)> = values.iter().copied().zip(self.ended.clone()?).collect();
        pairs.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        Some(pairs)
    }
}

/// Asserts that an engine's rows of `base`'s query hold the Polars engine's aggregate
/// tables (`tables`): the same groups in every part, each agreeing; returns the groups.
fn agrees_with_polars(
    metric: &str,
    base: &yardstick::plan::BasePlan,
    tables: &yardstick::plan::Aggregates,
    rows: &[serde_json::Map<String, serde_json::Value>],
) -> usize {
    let mut got: BTreeMap<(String, Key), Seen> = BTreeMap::new();
    let (mut snapshots, mut window_snapshots) = (Vec::new(), Vec::new());
    for row in rows {
        let text = |name: &str| row.get(name).and_then(|v| v.as_str()).map(String::from);
        let part = text("part").unwrap();
        let period = row.get("period").and_then(serde_json::Value::as_i64);
        match part.as_str() {
            "snapshot" => snapshots.push((text("site").unwrap(), period.unwrap())),
            "window_snapshot" => window_snapshots.push(text("site").unwrap()),
            _ => {
                let dims = base.dim_names().iter().map(|d| text(d)).collect();
                let part = if part == "month" { "month" } else { "groups" };
                got.insert((part.to_string(), (text("site"), period, dims)), Seen::from_row(base, row));
            }
        }
    }
    let expected: BTreeMap<(String, Key), Seen> = (tables.periods.iter().chain(&tables.baselines))
        .map(|g| (("groups".to_string(), key(g)), Seen::of(g)))
        .chain(tables.baseline_months.iter().map(|g| (("month".to_string(), key(g)), Seen::of(g))))
        .collect();
    assert_eq!(got.keys().collect::<Vec<_>>(), expected.keys().collect::<Vec<_>>(), "{metric}: the groups");
    for (k, ours) in &expected {
        assert!(ours.agrees(&got[k]), "{metric} {k:?}:\nPolars {ours:?}\nthe engine {:?}", got[k]);
    }
    snapshots.sort();
    let mut ours = tables.snapshots.clone();
    ours.sort();
    assert_eq!(snapshots, ours, "{metric}: periods with a snapshot");
    window_snapshots.sort();
    let mut ours = tables.window_snapshots.clone();
    ours.sort();
    assert_eq!(window_snapshots, ours, "{metric}: windows with a snapshot");
    expected.len()
}

/// Each base metric of Acme, planned alone as of 2025-12-31, with the Polars engine's
/// tables and the SQL in `dialect`.
fn acme_metrics(
    checked: &yardstick::check::Checked,
    dialect: Dialect,
) -> Vec<(String, yardstick::plan::Aggregates, String, yardstick::ir::TimeSemantics)> {
    let as_of = NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
    let mut out = Vec::new();
    for metric in &checked.set.metrics {
        let ids = [MetricId(metric.id.to_string())];
        let plan =
            yardstick::plan::plan(checked, &Request { metrics: &ids, as_of, grain: None, to_date: false }).unwrap();
        let Some((at, base)) = plan.bases.iter().enumerate().find(|(_, b)| b.metric.id == metric.id) else { continue };
        let sql = yardstick::sql::metric_sql(&plan, base, dialect)
            .unwrap_or_else(|e| panic!("{}: {}", metric.id, e[0].message));
        let mut polars = yardstick::engine::Polars::default().aggregate(&plan).unwrap();
        out.push((metric.id.to_string(), polars.tables.swap_remove(at), sql, base.time.clone()));
    }
    // Every time semantics is among them.
    for kind in ["event", "open", "snapshot"] {
        let of_kind = |t: &yardstick::ir::TimeSemantics| match t {
            yardstick::ir::TimeSemantics::Event { .. } => "event",
            yardstick::ir::TimeSemantics::Open { .. } => "open",
            yardstick::ir::TimeSemantics::Snapshot { .. } => "snapshot",
        };
        assert!(out.iter().filter(|m| of_kind(&m.3) == kind).count() >= 3, "{kind} metrics");
    }
    out
}

/// The base plan of `metric` in a plan of it alone.
fn base_of<'a>(plan: &'a yardstick::plan::Plan<'a>, metric: &str) -> &'a yardstick::plan::BasePlan<'a> {
    plan.bases.iter().find(|b| b.metric.id == metric).unwrap()
}

fn plan_of<'a>(checked: &'a yardstick::check::Checked, metric: &str) -> yardstick::plan::Plan<'a> {
    let ids = [MetricId(metric.to_string())];
    let as_of = NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
    yardstick::plan::plan(checked, &Request { metrics: &ids, as_of, grain: None, to_date: false }).unwrap()
}

/// DuckDB against Polars on every base metric of the project in `dir`; the groups compared.
fn duckdb_agrees_on_every_metric(dir: &Path) -> usize {
    let (checked, diags, _) = compile(dir);
    assert!(!diags.has_errors());
    let checked = checked.unwrap();
    let mut groups = 0;
    for (metric, tables, sql, _) in &acme_metrics(&checked, Dialect::DuckDb) {
        let plan = plan_of(&checked, metric);
        groups += agrees_with_polars(metric, base_of(&plan, metric), tables, &duckdb(dir, sql));
    }
    groups
}

#[test]
fn duckdb_computes_the_polars_engines_aggregate_tables_for_every_metric() {
    if !duckdb_here() {
        return;
    }
    let dir = acme_copy();
    let groups = duckdb_agrees_on_every_metric(dir.path());
    eprintln!("DuckDB: every metric, {groups} groups, all equal");
}

/// Replaces `from` by `to` in the file `path` under `dir`, once; `from` must be there.
fn edit(dir: &Path, path: &str, from: &str, to: &str) {
    let file = dir.join(path);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains(from), "{path} holds no {from:?}");
    std::fs::write(&file, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn duckdb_reads_codes_lists_coverage_and_clocks_as_the_polars_engine_does() {
    if !duckdb_here() {
        return;
    }
    let dir = acme_copy();
    let p = dir.path();
    // A deprecated code, read as its replacement.
    edit(p, "data/lyon/incidents.csv", ",SEV1,", ",SEV0,");
    // A code outside its vocabulary, under `unmapped: exclude`: the row is left out.
    edit(p, "yardstick.yaml", "unmapped: error", "unmapped: exclude");
    edit(p, "data/brno/downtime.csv", ",PORUCHA,", ",ROZBITO,");
    // List items and cells with blanks around them.
    edit(
        p,
        "data/lyon/assets.csv",
        ",central_logging;network_segmentation,",
        ", central_logging ; network_segmentation ,",
    );
    // An open metric's export that ends before as_of: closes after it not known.
    edit(
        p,
        "yardstick.yaml",
        "    rollout: 2023-01-01\n",
        "    rollout: 2023-01-01\n    coverage:\n      control_exceptions: {to: 2024-06-10}\n",
    );
    // A local time in the hour Lisbon repeats when its clock turns back: the earlier one.
    edit(
        p,
        "data/porto/downtime.csv",
        ",2024-01-18T07:36:20,2024-01-18T05:24:20,",
        ",2024-10-27T01:30:00,2024-10-27T01:10:00,",
    );
    let groups = duckdb_agrees_on_every_metric(p);
    assert!(groups > 6000, "{groups}");
}

/// Whether a local Spark runs here (PyPI's pyspark and a Java runtime); CI installs both.
fn spark_here() -> bool {
    let ok = |c: &mut Command| c.output().is_ok_and(|o| o.status.success());
    let found = ok(Command::new("python3").args(["-c", "import pyspark"])) && ok(Command::new("java").arg("-version"));
    assert!(
        found || std::env::var_os("YARDSTICK_REQUIRE_ENGINES").is_none(),
        "no local Spark: `pip install pyspark` and a Java 17 runtime (Debian's openjdk-17-jre-headless)"
    );
    if !found {
        eprintln!("skipped: no local Spark (`pip install pyspark`, and Java 17)");
    }
    found
}

#[test]
fn spark_computes_the_polars_engines_aggregate_tables_for_every_metric() {
    if !spark_here() || !duckdb_here() {
        return;
    }
    let dir = acme_copy();
    let (checked, diags, _) = compile(dir.path());
    assert!(!diags.has_errors());
    let checked = checked.unwrap();
    // Spark reads a table per source: each made by DuckDB from Acme's exports, typed.
    let ids: Vec<MetricId> = checked.set.metrics.iter().map(|m| MetricId(m.id.to_string())).collect();
    let as_of = NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
    let everything =
        yardstick::plan::plan(&checked, &Request { metrics: &ids, as_of, grain: None, to_date: false }).unwrap();
    let tables_dir = tempfile::tempdir().unwrap();
    let mut tables = serde_json::Map::new();
    for source in &everything.sources {
        let path = tables_dir.path().join(format!("{}.parquet", source.name));
        let copy = yardstick::sql::source_to_parquet(&everything, &source.name, path.to_str().unwrap()).unwrap();
        duckdb(dir.path(), &copy);
        tables.insert(source.name.clone(), path.to_str().unwrap().into());
    }
    let metrics = acme_metrics(&checked, Dialect::Spark);
    let queries: serde_json::Map<String, serde_json::Value> =
        metrics.iter().map(|(m, _, sql, _)| (m.clone(), sql.clone().into())).collect();
    let job = tables_dir.path().join("job.json");
    let answers = tables_dir.path().join("answers.json");
    std::fs::write(&job, serde_json::json!({"tables": tables, "queries": queries}).to_string()).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/engines/spark.py");
    let out = Command::new("python3").arg(script).arg(&job).arg(&answers).output().unwrap();
    assert!(out.status.success(), "Spark failed: {}", String::from_utf8_lossy(&out.stderr));
    let answers: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(&answers).unwrap()).unwrap();
    let mut groups = 0;
    for (metric, polars, _, _) in &metrics {
        let rows: Vec<serde_json::Map<String, serde_json::Value>> =
            answers[metric].as_array().unwrap().iter().map(|r| r.as_object().unwrap().clone()).collect();
        let plan = plan_of(&checked, metric);
        groups += agrees_with_polars(metric, base_of(&plan, metric), polars, &rows);
    }
    eprintln!("Spark: {} metrics, {groups} groups, all equal", metrics.len());
}

/// `yardstick sql` on the Acme copy as of 2025-12-31: status, standard output and error.
fn sql(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let p = dir.to_str().unwrap();
    crate::util::yardstick(&[&["sql", "-p", p, "--as-of", "2025-12-31"], args].concat())
}

#[test]
fn sql_for_a_metric_of_each_time_semantics_in_both_dialects() {
    let dir = acme_copy();
    for metric in ["control_failures", "open_control_exceptions", "high_risks"] {
        for dialect in ["duckdb", "spark"] {
            let (code, out, err) = sql(dir.path(), &[metric, "--dialect", dialect]);
            assert_eq!(code, 0, "{err}");
            insta::assert_snapshot!(format!("sql_{metric}_{dialect}"), out);
        }
    }
}

#[test]
fn sql_names_the_inputs_it_writes_and_refuses_what_it_cannot_write_yet() {
    let dir = acme_copy();
    // Judged per production hour: the exposure metric's table is written first.
    let (code, out, err) = sql(dir.path(), &["security_incidents"]);
    assert_eq!(code, 0, "{err}");
    let heads: Vec<&str> = out.lines().filter(|l| l.starts_with("-- ")).collect();
    assert_eq!(heads.len(), 2, "{heads:?}");
    assert!(
        heads[0].starts_with("-- production_hours, which `security_incidents` reads: its aggregate table"),
        "{}",
        heads[0]
    );
    assert!(heads[1].starts_with("-- security_incidents: its aggregate tables as of 2025-12-31"), "{}", heads[1]);
    // A CSV dialect is read by yardstick's own reader only, so far.
    let config = dir.path().join("yardstick.yaml");
    let text = std::fs::read_to_string(&config).unwrap().replace(
        r#"incidents: {file: "data/{site}/incidents.csv"}"#,
        r#"incidents: {file: "data/{site}/incidents.csv", csv: {delimiter: ";"}}"#,
    );
    std::fs::write(&config, text).unwrap();
    let (code, _, err) = sql(dir.path(), &["security_incidents"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("[E0805]") && err.contains("`incidents` at `lyon` is not a plain CSV export"), "{err}");
    let (code, out, err) = sql(dir.path(), &["security_incidents", "--dialect", "spark"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("FROM\n      `incidents`"), "Spark reads the table named as the source:\n{out}");
}

#[test]
fn text_that_could_end_its_quotes_is_never_written_into_sql() {
    let dir = acme_copy();
    // A plant's code that, written into a literal, would close it early in DuckDB.
    edit(dir.path(), "sites/brno.yaml", r#""P1": SEV1"#, r#""\\' OR TRUE THEN 'SEV1' WHEN FALSE THEN --": SEV1"#);
    let (code, out, err) = sql(dir.path(), &["security_incidents"]);
    assert_eq!(code, 1, "{out}");
    assert!(err.contains("[E0805]") && err.contains("holds a quote or a backslash"), "{err}");
    assert!(out.is_empty(), "nothing printed: {out}");
}
