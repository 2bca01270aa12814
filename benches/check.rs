//! How long `yardstick check` takes on a definition set of 1,000 metric files.
//!
//! Run with `cargo bench --bench check` (release build). It generates the set in a
//! temporary folder, then loads and checks it ten times and prints the fastest and the
//! median run. The bar: well under a second.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};
use yardstick::diag::Sources;

const METRICS: usize = 1_000;

fn main() {
    let dir = tempfile::tempdir().expect("temporary folder");
    generate(dir.path());
    let mut times: Vec<Duration> = (0..10)
        .map(|_| {
            let start = Instant::now();
            let mut sources = Sources::default();
            let (checked, diags) = yardstick::compile(dir.path(), &mut sources);
            let elapsed = start.elapsed();
            assert!(!diags.has_errors(), "the generated set must check: {:?}", diags.iter().next());
            assert_eq!(checked.expect("checked").set.metrics.len(), METRICS);
            elapsed
        })
        .collect();
    times.sort();
    println!(
        "check: {METRICS} metric files (+ {} vocabularies, 2 sources): fastest {:.1} ms, median {:.1} ms",
        VOCABS.len(),
        ms(times[0]),
        ms(times[times.len() / 2])
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

const VOCABS: &[(&str, &[&str])] = &[
    ("incident_severity", &["SEV1", "SEV2", "SEV3", "SEV4"]),
    ("system_domain", &["office_it", "manufacturing_it", "ot"]),
    ("criticality", &["critical", "high", "medium", "low"]),
];

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

/// A set whose metrics vary in source, filter, aggregate and grain, with a derived metric
/// for every tenth, as a real set of that size would.
fn generate(root: &Path) {
    write(&root.join("set.yaml"), "name: bench\nversion: 1.0.0\n");
    for (name, terms) in VOCABS {
        let mut text = format!("vocabulary: {name}\nordered: true\nterms:\n");
        for t in *terms {
            writeln!(text, "  {t}: {{label: {t}, definition: The {t} term of {name}.}}").unwrap();
        }
        writeln!(text, "groups:\n  top: [{}, {}]", terms[0], terms[1]).unwrap();
        write(&root.join(format!("vocab/{name}.yaml")), &text);
    }
    write(
        &root.join("sources/incidents.yaml"),
        "source: incidents\nkey: incident_id\ncolumns:\n  incident_id: string\n  occurred_at: {type: datetime, nullable: true}\n  detected_at: datetime\n  contained_at: {type: datetime, nullable: true}\n  severity: {vocab: incident_severity}\n  domain: {vocab: system_domain}\n  asset_id: {type: string, nullable: true}\n  cost_eur: {type: float, nullable: true}\njoins:\n  asset: {source: assets, on: asset_id}\n",
    );
    write(
        &root.join("sources/assets.yaml"),
        "source: assets\nkey: asset_id\ncolumns:\n  asset_id: string\n  criticality: {vocab: criticality}\n  patched: bool\n",
    );
    let grains = ["month", "quarter", "year"];
    for i in 0..METRICS {
        let grain = grains[i % 3];
        let body = if i % 10 == 9 {
            // Every tenth metric is derived from two earlier base metrics of its grain.
            format!("value: metric_{:04} / metric_{:04}\n", i - 9, i - 6)
        } else {
            base_body(i)
        };
        let text = format!(
            "metric: metric_{i:04}\nversion: 1\ntitle: Generated metric {i}\nlayer: outcome\ntype: impact\nunit: count\ndirection: lower_is_better\ngrain: {grain}\n{body}references: [iso27001:2022/A.5.24]\ntags: [generated]\n"
        );
        write(&root.join(format!("metrics/group_{}/metric_{i:04}.yaml", i / 100)), &text);
    }
}

fn base_body(i: usize) -> String {
    let filter = match i % 4 {
        0 => "severity >= incident_severity.SEV2 and domain in system_domain.top",
        1 => "asset.criticality == \"critical\" and occurred_at is not null",
        2 => "cost_eur between 100 and 5000 or severity == incident_severity.SEV1",
        _ => "detected_at between period_start and period_end and not (domain == system_domain.office_it)",
    };
    let value = match i % 5 {
        0 => "count()",
        1 => "sum(coalesce(cost_eur, 0)) / 1000",
        2 => "mean(hours_between(occurred_at, detected_at))",
        3 => "share(contained_at is not null)",
        _ => "percentile(hours_between(detected_at, contained_at), 90)",
    };
    format!("source: incidents\ntime: {{event: detected_at}}\nwhere: {filter}\nvalue: {value}\n")
}
