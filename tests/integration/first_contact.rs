//! A new user's first hour (SPEC sections 7 and 12): a plant's own metric beside the
//! shared set, a project started with `init`, and every document inside the repository.

use crate::util::{acme_copy, set_version, yardstick};
use std::fs;
use std::path::Path;

/// A copy of the Acme example reading the shipped set, with `metrics: metrics/` and the
/// project metric files given (name, text).
fn acme_with_metrics(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = acme_copy();
    let project = dir.path().join("yardstick.yaml");
    let text = fs::read_to_string(&project).unwrap();
    fs::write(&project, text.replace("context: context.yaml", "context: context.yaml\nmetrics: metrics/")).unwrap();
    fs::create_dir_all(dir.path().join("metrics")).unwrap();
    for (name, text) in files {
        fs::write(dir.path().join("metrics").join(name), text).unwrap();
    }
    dir
}

const CYBER_STOPS: &str = "metric: cyber_stops
version: 1
title: Production stops caused by a cyber event
layer: outcome
unit: count
direction: lower_is_better
grain: quarter
source: downtime
time: {event: started_at}
where: cause == root_cause.cyber_event
value: count()
tags: [plant]
";

#[test]
fn a_project_metric_is_checked_computed_and_said_to_be_the_projects() {
    let dir = acme_with_metrics(&[("cyber_stops.yaml", CYBER_STOPS)]);
    let p = dir.path().to_str().unwrap();
    let (code, out, err) = yardstick(&["check", "-p", p]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("68 metrics")
            && out.contains(&format!("definition set iso27001-benefits {} plus 1 project metric)", set_version())),
        "{out}"
    );
    let (code, out, _) = yardstick(&["metrics", "-p", p, "--tag", "plant"]);
    assert_eq!(code, 0);
    assert!(out.contains("cyber_stops (project)"), "{out}");
    let (code, out, err) = yardstick(&["query", "cyber_stops", "-p", p, "--as-of", "2025-12-31", "--format", "csv"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains(&format!("note: definition set iso27001-benefits {} plus 1 project metric", set_version())),
        "{err}"
    );
    // Counted by hand from the export: Brno's stops recoded `CYB` (a stop's revision under
    // investigation comes first, with another code), by the quarter they started in (the
    // third column); the 2025 quarter with the most of them.
    let brno = fs::read_to_string(dir.path().join("data/brno/downtime.csv")).unwrap();
    let in_quarter = |q: u32| {
        let (from, to) = (format!("2025-{:02}", 3 * q - 2), format!("2025-{:02}", 3 * q + 1));
        brno.lines()
            .filter(|l| {
                l.contains(",CYB,")
                    && l.split(',').nth(2).is_some_and(|t| (from.as_str()..to.as_str()).contains(&&t[..7]))
            })
            .count()
    };
    let (quarter, expected) = (1..=4).map(|q| (q, in_quarter(q))).max_by_key(|(_, n)| *n).unwrap();
    assert!(expected > 0);
    let label = format!("cyber_stops,1,brno,2025-Q{quarter},");
    let row = out.lines().find(|l| l.starts_with(&label)).unwrap_or_else(|| panic!("{out}"));
    assert_eq!(row.split(',').nth(7), Some(expected.to_string().as_str()), "{row}");
}

#[test]
fn a_project_metric_may_not_take_the_id_of_a_metric_of_the_set() {
    let clash = CYBER_STOPS.replace("metric: cyber_stops", "metric: security_incidents");
    let dir = acme_with_metrics(&[("security_incidents.yaml", &clash)]);
    let (code, _, err) = yardstick(&["check", "-p", dir.path().to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("[E0515] Error: project metric `security_incidents` has the id of a metric of the definition set"),
        "{err}"
    );
    assert!(err.contains("metrics/security_incidents.yaml:1:9"), "{err}");
}

#[test]
fn init_then_three_filled_templates_give_a_project_that_checks_and_computes() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("plant");
    let p = project.to_str().unwrap();
    let set = Path::new(env!("CARGO_MANIFEST_DIR")).join("metrics");
    let args = [
        "init",
        p,
        "--set",
        set.to_str().unwrap(),
        "--sites",
        "lodz,lyon",
        "--sources",
        "incidents,downtime,production,assets",
    ];
    let (code, out, err) = yardstick(&args);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("8 CSV template(s)"), "{out}");
    // Run again: it overwrites nothing, and says so.
    let (code, _, err) = yardstick(&args);
    assert_eq!(code, 2);
    assert!(err.contains("overwrites nothing; already there:") && err.contains("yardstick.yaml"), "{err}");
    // Lodz's exports below each template's commented example row, a local severity mapped.
    let fill = |file: &str, rows: &str| {
        let path = project.join("data/lodz").join(file);
        let template = fs::read_to_string(&path).unwrap();
        assert_eq!(template.lines().nth(1).map(|l| l.starts_with("# ")), Some(true), "{template}");
        fs::write(path, template + rows).unwrap();
    };
    fill(
        "assets.csv",
        "LDZ-001,2025-01-31,MES 1,mes,manufacturing_it,critical,iatf16949;nis2,access_control;central_logging,LDZ-Z1,,true,true,false\n",
    );
    fill("production.csv", "L1,2025-01-01,critical,410.5\nL2,2025-01-01,high,380\n");
    fill(
        "downtime.csv",
        "DT-1,2025-03-04T12:00:00,2025-03-04T10:00:00,90,L1,cyber_event,LDZ-001,INC-1,false\nDT-2,2025-05-06T12:00:00,2025-05-06T11:00:00,30,L2,equipment_failure,,,false\n",
    );
    fill(
        "incidents.csv",
        "INC-1,2025-03-05T08:00:00,,,2025-03-04T09:00:00,2025-03-04T12:00:00,2025-03-05T08:00:00,malware,Wysoki,ot,LDZ-001,user_report,false,,false,,\n",
    );
    let mappings = project.join("sites/lodz.yaml");
    let text = fs::read_to_string(&mappings)
        .unwrap()
        .replace("incident_severity: {}", "incident_severity: {\"Wysoki\": SEV1}");
    fs::write(&mappings, text).unwrap();

    let (code, out, err) = yardstick(&["check", "--data", "-p", p]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(
            "ok: data: 6 rows in 8 files read (8 comment lines skipped), every value parsed, every code mapped"
        ),
        "{out}"
    );
    let (code, out, _) = yardstick(&["metrics", "-p", p]);
    assert_eq!(code, 0);
    let line =
        |m: &str| out.lines().find(|l| l.starts_with(&format!("{m} "))).unwrap_or_else(|| panic!("{out}")).to_string();
    assert!(line("security_downtime_hours").ends_with("computable"), "{out}");
    assert!(line("information_handling_deviation_share").ends_with("not collected: needs capas"), "{out}");
    let (_, leadership, _) = yardstick(&["metrics", "-p", p, "--tag", "leadership"]);
    let ids: Vec<&str> = leadership.lines().skip(4).filter_map(|l| l.split_whitespace().next()).collect();
    assert!(ids.len() >= 8, "{leadership}");
    let (code, out, err) = yardstick(&["query", "--tag", "leadership", "-p", p, "--as-of", "2025-12-31"]);
    assert_eq!(code, 0, "{err}");
    for id in &ids {
        assert!(out.lines().any(|l| l == *id), "no table for {id} in\n{out}");
    }
    // 90 minutes of a cyber-caused stop of critical line L1 in 2025-Q1: 1.5 hours.
    let (_, csv, _) =
        yardstick(&["query", "security_downtime_hours", "-p", p, "--as-of", "2025-12-31", "--format", "csv"]);
    let q1 = csv.lines().find(|l| l.contains(",lodz,2025-Q1,")).unwrap_or_else(|| panic!("{csv}"));
    assert_eq!(q1.split(',').nth(7), Some("1.5"), "{q1}");
}

/// The README, `docs/` and the definition set's README: what a user reads.
fn user_docs() -> Vec<std::path::PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![root.join("README.md"), root.join("metrics/README.md")];
    let mut docs: Vec<_> = fs::read_dir(root.join("docs")).unwrap().map(|e| e.unwrap().path()).collect();
    docs.sort();
    files.extend(docs.into_iter().filter(|p| p.extension().is_some_and(|e| e == "md")));
    files
}

#[test]
fn no_document_a_user_reads_points_outside_the_repository() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).canonicalize().unwrap();
    let mut outside = Vec::new();
    for file in user_docs() {
        let text = fs::read_to_string(&file).unwrap();
        let name = file.strip_prefix(&root).unwrap().display().to_string();
        for word in ["../shared", "SPEC.md", "SPEC section", "seed section", "seed/"] {
            if text.contains(word) {
                outside.push(format!("{name}: mentions `{word}`"));
            }
        }
        // Every relative link names a file or folder of the repository.
        for (i, _) in text.match_indices("](") {
            let target = text[i + 2..].split(')').next().unwrap_or_default();
            let path = target.split('#').next().unwrap_or_default();
            if path.is_empty() || path.contains("://") || path.starts_with("mailto:") {
                continue;
            }
            let resolved = file.parent().unwrap().join(path);
            match resolved.canonicalize() {
                Ok(p) if p.starts_with(&root) => {}
                _ => outside.push(format!("{name}: link `{target}` leads outside the repository or nowhere")),
            }
        }
    }
    assert!(outside.is_empty(), "{}", outside.join("\n"));
    assert!(user_docs().len() >= 8, "the README, metrics/README.md and docs/");
}

#[test]
fn every_command_and_key_has_its_place_in_the_reference() {
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");
    let read = |f: &str| fs::read_to_string(docs.join(f)).unwrap();
    let commands = read("commands.md");
    for command in ["init", "check", "metrics", "query", "explain"] {
        assert!(commands.contains(&format!("yardstick {command}")), "commands.md lacks `{command}`");
    }
    let project = read("project.md");
    for key in [
        "definitions",
        "requires",
        "fiscal_year_start",
        "months_before_rollout",
        "unmapped",
        "rollout",
        "timezone",
        "coverage",
        "delimiter",
        "decimal",
        "encoding",
        "date_format",
        "datetime_format",
        "comment",
        "metrics",
        "context",
    ] {
        let named = project.contains(&format!("`{key}`")) || project.contains(&format!("{{{key}:"));
        assert!(named, "project.md lacks `{key}`");
    }
}
