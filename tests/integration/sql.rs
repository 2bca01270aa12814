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

/// What DuckDB prints for `sql`, run in `dir`, as rows of cells (`None` for NULL).
fn duckdb(dir: &Path, sql: &str) -> Vec<BTreeMap<String, Option<String>>> {
    let mut child = Command::new("duckdb")
        .arg("-csv")
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(sql.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "DuckDB failed: {}\n{sql}", String::from_utf8_lossy(&out.stderr));
    let mut lines = text.lines();
    let header: Vec<String> = lines.next().unwrap_or_default().split(',').map(String::from).collect();
    lines
        .map(|line| {
            let cells =
                line.split(',').map(|c| (c != "NULL" && !c.is_empty()).then(|| c.trim_matches('"').to_string()));
            header.iter().cloned().zip(cells).collect()
        })
        .collect()
}

type Key = (Option<String>, Option<i64>, Vec<Option<String>>);

fn key(g: &Group) -> Key {
    let site = match &g.site {
        yardstick::ir::SiteRef::Site(s) => Some(s.to_string()),
        yardstick::ir::SiteRef::All => None,
    };
    (site, g.period, g.dims.clone())
}

#[test]
fn duckdb_computes_the_polars_engines_aggregate_tables_for_every_metric_it_can_write() {
    if !duckdb_here() {
        return;
    }
    let dir = acme_copy();
    let (checked, diags, _) = compile(dir.path());
    assert!(!diags.has_errors());
    let checked = checked.unwrap();
    let as_of = NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
    let (mut compared, mut groups) = (Vec::new(), 0);
    let mut unsupported = Vec::new();
    for metric in &checked.set.metrics {
        let ids = [MetricId(metric.id.to_string())];
        let plan =
            yardstick::plan::plan(&checked, &Request { metrics: &ids, as_of, grain: None, to_date: false }).unwrap();
        let Some((at, base)) = plan.bases.iter().enumerate().find(|(_, b)| b.metric.id == metric.id) else { continue };
        let sql = match yardstick::sql::metric_sql(&plan, base, Dialect::DuckDb) {
            Ok(sql) => sql,
            Err(e) => {
                unsupported.push(format!("{}: {}", metric.id, e[0].message));
                continue;
            }
        };
        let polars = yardstick::engine::Polars::default().aggregate(&plan).unwrap();
        let tables = &polars.tables[at];
        let mut got: BTreeMap<Key, (Vec<Option<f64>>, u64)> = BTreeMap::new();
        for row in duckdb(dir.path(), &sql) {
            let dims = base.dim_names().iter().map(|d| row[d].clone()).collect();
            let period = row["period"].as_ref().map(|p| p.parse::<i64>().unwrap());
            let slots =
                (0..base.slots.len()).map(|i| row[&format!("agg{i}")].as_ref().map(|v| v.parse().unwrap())).collect();
            let n = row["n"].as_ref().unwrap().parse().unwrap();
            got.insert((row["site"].clone(), period, dims), (slots, n));
        }
        let expected: BTreeMap<Key, (Vec<Option<f64>>, u64)> =
            tables.periods.iter().chain(&tables.baselines).map(|g| (key(g), (g.slots.clone(), g.n))).collect();
        assert_eq!(got.keys().collect::<Vec<_>>(), expected.keys().collect::<Vec<_>>(), "{}: the groups", metric.id);
        for (k, (slots, n)) in &expected {
            let (theirs, their_n) = &got[k];
            assert_eq!(n, their_n, "{} {k:?}: rows", metric.id);
            for (ours, theirs) in slots.iter().zip(theirs) {
                let close = match (ours, theirs) {
                    (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * a.abs().max(1.0),
                    (None, None) => true,
                    // A count over no row: 0 in one, empty in the other.
                    (Some(a), None) | (None, Some(a)) => *a == 0.0,
                };
                assert!(close, "{} {k:?}: Polars {ours:?}, DuckDB {theirs:?}", metric.id);
            }
        }
        groups += expected.len();
        compared.push((metric.id.to_string(), base.time.clone()));
    }
    eprintln!("compared {} metrics ({groups} groups); not written as SQL yet: {unsupported:#?}", compared.len());
    for kind in ["event", "open", "snapshot"] {
        let of_kind = |t: &yardstick::ir::TimeSemantics| match t {
            yardstick::ir::TimeSemantics::Event { .. } => "event",
            yardstick::ir::TimeSemantics::Open { .. } => "open",
            yardstick::ir::TimeSemantics::Snapshot { .. } => "snapshot",
        };
        assert!(
            compared.iter().filter(|(_, t)| of_kind(t) == kind).count() >= 3,
            "{kind} metrics compared: {compared:?}"
        );
    }
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
    assert!(heads[1].starts_with("-- security_incidents: its aggregate table as of 2025-12-31"), "{}", heads[1]);
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
