//! What the checker hands to later stages, for the SPEC fixture.

use crate::util::{Edit::Replace, apply, compile, copy_dir, fixture};
use chrono::NaiveDate;
use yardstick::ir::*;

#[test]
fn the_spec_examples_check_into_the_ir_they_describe() {
    let (checked, diags, _) = compile(&fixture("spec/project"));
    let others: Vec<_> = diags.iter().filter(|d| !crate::util::is_pitfall(d)).map(|d| &d.message).collect();
    assert!(others.is_empty(), "{others:?}");
    let checked = checked.unwrap();
    let set = &checked.set;
    assert_eq!(set.version, semver::Version::new(1, 2, 0));

    let m = set.metric("security_downtime_hours").unwrap();
    assert_eq!((m.grain, m.layer, m.direction), (Grain::Quarter, Layer::Outcome, Direction::LowerIsBetter));
    let MetricBody::Base(base) = &m.body else { panic!("base metric expected") };
    assert_eq!(base.source, "downtime");
    assert_eq!(base.time, TimeSemantics::Event { column: "started_at".into() });
    assert_eq!(base.by, vec![ColumnRef { join: None, column: "line".into() }]);
    // The group is expanded to its terms, so a change of membership is visible in the IR.
    let mut groups = Vec::new();
    base.filter.as_ref().unwrap().walk(&mut |e| {
        if let TExprKind::TermSet { terms, .. } = &e.kind {
            groups.push(terms.clone());
        }
    });
    assert_eq!(groups, vec![vec!["cyber_event", "unauthorized_change", "configuration_error"]]);
    // -30% is a fraction.
    assert_eq!(m.target, Some(Target::Change { change: -0.3, by: NaiveDate::from_ymd_opt(2026, 12, 31) }));
    assert_eq!(m.thresholds.iter().map(|t| t.status).collect::<Vec<_>>(), vec![Status::Green, Status::Amber]);
    assert_eq!(m.references.len(), 3);

    // A derived metric comes after the metrics it combines.
    let pos = |id: &str| set.metrics.iter().position(|m| m.id.0 == id).unwrap();
    assert!(pos("security_downtime_share") > pos("security_downtime_hours"));
    assert!(pos("security_downtime_share") > pos("production_hours"));
    let MetricBody::Derived { inputs, .. } = &set.metric("security_downtime_share").unwrap().body else {
        panic!("derived metric expected")
    };
    assert_eq!(inputs, &[MetricId("security_downtime_hours".into()), MetricId("production_hours".into())]);

    let p = checked.project.unwrap();
    assert_eq!(p.baseline, Baseline::MonthsBeforeRollout(12));
    assert_eq!(p.bindings["downtime"].format, FileFormat::Parquet);
    assert_eq!(p.bindings["assets"].format, FileFormat::Ndjson);
    let lyon = p.sites.iter().find(|s| s.id == "lyon").unwrap();
    assert_eq!(lyon.mappings["incident_severity"]["Prio 2"], "SEV2");
    assert_eq!(lyon.coverage["downtime"].collection, Some(Collection::Manual));
    assert_eq!(p.context.len(), 2);
    assert_eq!(p.context[1].site, None, "site: all applies to every site");
    assert_eq!(lyon.timezone, chrono_tz::Tz::UTC, "a site without `timezone` reads datetimes as UTC");
}

#[test]
fn snapshots_planned_dates_and_bounds_reach_the_ir() {
    let (checked, _, _) = compile(&fixture("spec/project"));
    let set = checked.unwrap().set;
    let assets = &set.sources["assets"];
    assert_eq!(assets.snapshot.as_deref(), Some("taken_on"));
    assert!(assets.column("retire_by").unwrap().planned);
    assert!(!assets.column("taken_on").unwrap().planned);
    assert_eq!(set.sources["incidents"].snapshot, None);
    let cost = set.sources["incidents"].column("cost_eur").unwrap();
    assert_eq!((cost.min, cost.max), (Some(0.0), None));
}

#[test]
fn a_site_time_zone_reaches_the_ir_and_serializes_by_name() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("spec"), dir.path());
    let edit = Replace {
        file: "project/yardstick.yaml",
        find: "    title: Brno assembly plant",
        with: "    title: Brno assembly plant\n    timezone: Europe/Prague",
    };
    apply(dir.path(), &edit);
    let (checked, diags, _) = compile(&dir.path().join("project"));
    let others: Vec<_> = diags.iter().filter(|d| !crate::util::is_pitfall(d)).map(|d| &d.message).collect();
    assert!(others.is_empty(), "{others:?}");
    let project = checked.unwrap().project.unwrap();
    let brno = project.sites.iter().find(|s| s.id == "brno").unwrap();
    assert_eq!(brno.timezone, chrono_tz::Europe::Prague);
    let json = serde_json::to_value(&project).unwrap();
    assert_eq!(json["sites"][1]["timezone"], "Europe/Prague");
    assert_eq!(json["sites"][0]["timezone"], "UTC");
}

#[test]
fn a_string_compared_with_a_vocabulary_column_becomes_a_term() {
    let (checked, _, _) = compile(&fixture("spec/project"));
    let set = checked.unwrap().set;
    let MetricBody::Base(base) = &set.metric("major_incidents").unwrap().body else { panic!() };
    let mut terms = Vec::new();
    base.filter.as_ref().unwrap().walk(&mut |e| {
        if let TExprKind::Term { vocab, term } = &e.kind {
            terms.push(format!("{vocab}.{term}"));
        }
    });
    assert_eq!(terms, ["incident_severity.SEV2", "system_domain.ot", "system_domain.manufacturing_it"]);
}

/// Reports and manifests read the IR as data: expressions and references as written,
/// enums as their YAML names, dates as ISO dates.
#[test]
fn the_ir_serializes_as_the_definitions_read() {
    let (checked, _, _) = compile(&fixture("spec/project"));
    let checked = checked.unwrap();
    let set = serde_json::to_value(&checked.set).unwrap();
    let metrics = set["metrics"].as_array().unwrap();
    let m = metrics.iter().find(|m| m["id"] == "security_downtime_hours").unwrap();
    assert_eq!(m["grain"], "quarter");
    assert_eq!(m["direction"], "lower_is_better");
    assert_eq!(m["body"]["base"]["time"], serde_json::json!({"event": {"column": "started_at"}}));
    assert_eq!(m["body"]["base"]["value"], "sum(duration_min) / 60");
    assert_eq!(m["body"]["base"]["by"], serde_json::json!(["line"]));
    assert_eq!(m["references"][0], "iso27001:2022/A.5.24");
    let project = serde_json::to_value(checked.project.as_ref().unwrap()).unwrap();
    assert_eq!(project["start"], "2023-01-01");
}

/// The IR's printer is the language's: each metric's `where` and `value`, printed from the
/// checked IR, written back in place of what the author wrote, parsed and checked again,
/// give the same IR (spans aside) and print the same text.
#[test]
fn every_shipped_expression_prints_parses_and_checks_to_the_same_ir() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("metrics");
    let (before, diags, _) = compile(&root);
    let before = before.unwrap_or_else(|| panic!("{:?}", diags.iter().map(|d| &d.message).collect::<Vec<_>>()));
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root, dir.path());
    let mut printed = 0;
    for m in &before.set.metrics {
        let path = m.at.map(|_| ()).and(find_metric_file(dir.path(), &m.id.0)).expect("the metric's file");
        let text = std::fs::read_to_string(&path).unwrap();
        let mut doc: serde_json::Map<String, serde_json::Value> = serde_saphyr::from_str(&text).unwrap();
        let (filter, value) = match &m.body {
            MetricBody::Base(b) => (b.filter.as_ref(), &b.value),
            MetricBody::Derived { value, .. } => (None, value),
        };
        if let Some(filter) = filter {
            doc.insert("where".into(), filter.to_string().into());
        }
        doc.insert("value".into(), value.to_string().into());
        if !m.thresholds.is_empty() {
            let thresholds: serde_json::Map<String, serde_json::Value> =
                m.thresholds.iter().map(|t| (status_key(t.status), t.condition.to_string().into())).collect();
            doc.insert("thresholds".into(), thresholds.into());
        }
        printed += 1;
        // JSON is YAML: the file is written back as JSON, with the printed expressions.
        std::fs::write(&path, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    }
    let (after, diags, _) = compile(dir.path());
    let after = after.unwrap_or_else(|| panic!("{:?}", diags.iter().map(|d| &d.message).collect::<Vec<_>>()));
    let spans = regex::Regex::new(r"span: Span \{[^}]*\}").unwrap();
    let shape = |e: &TExpr| spans.replace_all(&format!("{e:?}"), "").into_owned();
    assert_eq!(before.set.metrics.len(), after.set.metrics.len());
    for (a, b) in before.set.metrics.iter().zip(&after.set.metrics) {
        assert_eq!(a.id, b.id);
        let conditions = |m: &Metric| m.thresholds.iter().map(|t| shape(&t.condition)).collect::<Vec<_>>();
        assert_eq!(conditions(a), conditions(b), "thresholds of {}", a.id);
        let exprs = |m: &Metric| match &m.body {
            MetricBody::Base(b) => (b.filter.clone(), b.value.clone()),
            MetricBody::Derived { value, .. } => (None, value.clone()),
        };
        let ((fa, va), (fb, vb)) = (exprs(a), exprs(b));
        assert_eq!(fa.as_ref().map(shape), fb.as_ref().map(shape), "`where` of {}", a.id);
        assert_eq!(shape(&va), shape(&vb), "`value` of {}", a.id);
        assert_eq!(va.to_string(), vb.to_string(), "{}", a.id);
    }
    assert!(printed >= 50, "only {printed} metrics printed");
}

/// The file of metric `id` under `dir`.
fn find_metric_file(dir: &std::path::Path, id: &str) -> Option<std::path::PathBuf> {
    for entry in std::fs::read_dir(dir).ok()? {
        let path = entry.ok()?.path();
        if path.is_dir() {
            if let Some(found) = find_metric_file(&path, id) {
                return Some(found);
            }
        } else if path.file_stem().is_some_and(|s| s == id) && path.parent().is_some_and(|p| !p.ends_with("vocab")) {
            return Some(path);
        }
    }
    None
}

/// A threshold's key as YAML writes it: `green` or `amber`.
fn status_key(status: Status) -> String {
    serde_json::to_value(status).unwrap().as_str().unwrap().to_string()
}
