//! Data of a vocabulary's terms (`attributes:`), read in expressions through
//! `attribute(term, "name")`: each asset class requires its own controls. Every expected
//! number is worked out from the rows written in the test.

use crate::engine::{Run, run};
use crate::util::Edit::{self, Replace, Write};

const CONTROL: &str = "\
vocabulary: control
terms:
  access_control: {label: Access control}
  logging: {label: Central logging}
  backup: {label: Backup}
  segmentation: {label: Network segmentation}
groups:
  baseline: [access_control, backup]
";

/// A safety system requires access control and segmentation (central logging is often
/// not allowed on one), a PLC the baseline and logging, an office system nothing; a legacy
/// system gives no value.
const ASSET_CLASS: &str = "\
vocabulary: asset_class
attributes:
  controls_required: {list: {vocab: control}, description: The controls a system of the class must have}
  review_days: int
terms:
  sis: {label: SIS, attributes: {controls_required: [access_control, segmentation], review_days: 365}}
  plc: {label: PLC, attributes: {controls_required: [baseline, logging], review_days: 90}}
  office: {label: Office, attributes: {controls_required: []}}
  legacy: {label: Legacy}
";

fn metric(id: &'static str, value: &'static str) -> Edit {
    let text = format!(
        "metric: {id}\nversion: 1\ntitle: t\nlayer: risk\nunit: n\ndirection: higher_is_better\ngrain: quarter\nsource: assets\ntime: {{snapshot: snapshot_on}}\nvalue: {value}\n"
    );
    Write { file: Box::leak(format!("set/metrics/{id}.yaml").into_boxed_str()), text: Box::leak(text.into_boxed_str()) }
}

fn edits() -> Vec<Edit> {
    vec![
        Write { file: "set/vocab/control.yaml", text: CONTROL },
        Write { file: "set/vocab/asset_class.yaml", text: ASSET_CLASS },
        Replace {
            file: "set/sources/assets.yaml",
            find: "  logging: bool\n",
            with: "  logging: bool\n  asset_class: {vocab: asset_class}\n  controls: {list: {vocab: control}}\n",
        },
        metric("required", r#"share(controls has all attribute(asset_class, "controls_required"))"#),
        metric("some_required", r#"count(controls has any attribute(asset_class, "controls_required"))"#),
        metric("long_review", r#"count(attribute(asset_class, "review_days") > 100)"#),
        metric("logging_required", r#"count(control.logging in attribute(asset_class, "controls_required"))"#),
    ]
}

const HEADER: &str = "asset_id,snapshot_on,critical,logging,asset_class,controls\n";

/// A1 and A3 have every control their class requires, A5 (office) needs none; A2 lacks
/// segmentation, A4 a backup; A6's class requires nothing known.
const ASSETS: &str = "\
A1,2024-03-31,true,false,sis,access_control;segmentation
A2,2024-03-31,true,false,sis,access_control
A3,2024-03-31,true,true,plc,access_control;backup;logging
A4,2024-03-31,true,true,plc,access_control;logging
A5,2024-03-31,false,false,office,
A6,2024-03-31,false,false,legacy,access_control
";

fn q1(metric: &str) -> Option<f64> {
    let data = [("a/assets.csv", format!("{HEADER}{ASSETS}")), ("b/assets.csv", HEADER.to_string())];
    let r: Run = run(metric, "2024-03-31", &data, &edits()).unwrap_or_else(|e| panic!("{metric}: {e:?}"));
    r.value("a", "2024-Q1")
}

#[test]
fn each_class_is_judged_by_its_own_controls() {
    // A1, A3 and A5 of six: A6's empty requirement is unknown, not met.
    assert_eq!(q1("required"), Some(0.5));
}

#[test]
fn has_any_of_a_terms_list_holds_for_one_shared_control() {
    // A1 to A4 hold one required control; A5's list is empty, A6's unknown.
    assert_eq!(q1("some_required"), Some(4.0));
}

#[test]
fn a_number_attribute_compares_like_a_number() {
    // The two safety systems (365 days); a PLC's 90 is not above 100.
    assert_eq!(q1("long_review"), Some(2.0));
}

#[test]
fn a_term_is_in_a_list_attribute_when_the_class_requires_it() {
    // Only PLCs require logging: A3 and A4.
    assert_eq!(q1("logging_required"), Some(2.0));
}

/// The fingerprints of the engine fixture's metrics with the attribute metrics, after
/// `more` edits.
fn prints(more: &[Edit]) -> std::collections::BTreeMap<String, String> {
    let dir = tempfile::tempdir().unwrap();
    crate::util::copy_dir(&crate::util::fixture("engine"), dir.path());
    for edit in edits().iter().chain(more) {
        crate::util::apply(dir.path(), edit);
    }
    let (checked, diags, _) = crate::util::compile(&dir.path().join("project"));
    let checked = checked.unwrap_or_else(|| panic!("{diags:?}"));
    checked.prints.fingerprints.into_iter().map(|(id, f)| (id.0, f)).collect()
}

#[test]
fn a_terms_new_control_set_moves_the_prints_of_the_metrics_that_read_it() {
    let before = prints(&[]);
    let after = prints(&[Replace {
        file: "set/vocab/asset_class.yaml",
        find: "controls_required: [access_control, segmentation]",
        with: "controls_required: [access_control, segmentation, logging]",
    }]);
    let moved: Vec<&String> = before.keys().filter(|id| before.get(*id) != after.get(*id)).collect();
    // `long_review` reads the class's review days only.
    assert_eq!(moved, ["logging_required", "required", "some_required"]);
}
