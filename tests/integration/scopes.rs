//! Scopes of sites (`scopes:` in set.yaml, `scopes: [nis2]` under a site, `scope: nis2` on
//! a metric): a metric with a scope reads and reports only the sites in it. Every expected
//! number is worked out from the rows written in the test.

use crate::engine::{A_INCIDENTS, B_INCIDENTS, files, incidents, run};
use crate::util::Edit::{self, Replace, Write};

const EDITS: &[Edit] = &[
    Replace {
        file: "set/set.yaml",
        find: "description:",
        with: "scopes:\n  nis2: Sites in scope of the NIS2 Directive\ndescription:",
    },
    Replace {
        file: "project/yardstick.yaml",
        find: "  a: {rollout: 2024-07-01}",
        with: "  a: {rollout: 2024-07-01, scopes: [nis2]}",
    },
    Write {
        file: "set/metrics/nis2_incidents.yaml",
        text: crate::test_metric!(
            "nis2_incidents",
            "source: incidents\ntime: {event: detected_at}\nscope: nis2\nvalue: count()\n"
        ),
    },
];

#[test]
fn a_scoped_metric_has_rows_only_at_the_sites_in_its_scope() {
    let data = incidents(A_INCIDENTS, B_INCIDENTS);
    let scoped = run("nis2_incidents", "2024-09-30", &files(&data), EDITS).unwrap();
    let unscoped = run("incidents", "2024-09-30", &files(&data), EDITS).unwrap();
    assert!(scoped.rows.iter().all(|r| r.site != "b"), "no row at b, outside the scope");
    assert!(scoped.rows.iter().any(|r| r.site == "a"));
    // Site a's numbers are the unscoped metric's; the pooled row holds a's alone.
    for period in ["2024-Q1", "2024-Q3"] {
        assert_eq!(scoped.value("a", period), unscoped.value("a", period), "{period}");
        assert_eq!(scoped.value("all", period), unscoped.value("a", period), "{period}");
    }
    // i1 and i2 in Q1, i3 and i4 in Q3 at a (i5 has no detection time).
    assert_eq!(scoped.value("all", "2024-Q1"), Some(2.0));
}

/// The messages of the errors of the engine fixture after `edits`.
fn errors(edits: &[&Edit]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    crate::util::copy_dir(&crate::util::fixture("engine"), dir.path());
    for edit in edits {
        crate::util::apply(dir.path(), edit);
    }
    let (_, diags, _) = crate::util::compile(&dir.path().join("project"));
    diags.iter().filter(|d| d.is_error()).map(|d| d.message.clone()).collect()
}

#[test]
fn a_scope_is_one_the_set_declares() {
    assert!(errors(&EDITS.iter().collect::<Vec<_>>()).is_empty());
    let typo = Replace { file: "project/yardstick.yaml", find: "scopes: [nis2]", with: "scopes: [nis_2]" };
    assert_eq!(errors(&[&EDITS[0], &EDITS[1], &typo]), ["no scope `nis_2` in the definition set"]);
    let on_metric = Replace { file: "set/metrics/nis2_incidents.yaml", find: "scope: nis2", with: "scope: nis" };
    assert_eq!(errors(&[&EDITS[0], &EDITS[1], &EDITS[2], &on_metric]), ["no scope `nis` in the definition set"]);
}

/// The fingerprints of the engine fixture's metrics after `edits`.
fn prints(edits: &[&Edit]) -> std::collections::BTreeMap<String, String> {
    let dir = tempfile::tempdir().unwrap();
    crate::util::copy_dir(&crate::util::fixture("engine"), dir.path());
    for edit in edits {
        crate::util::apply(dir.path(), edit);
    }
    let (checked, diags, _) = crate::util::compile(&dir.path().join("project"));
    let checked = checked.unwrap_or_else(|| panic!("{diags:?}"));
    checked.prints.fingerprints.into_iter().map(|(id, f)| (id.0, f)).collect()
}

#[test]
fn a_scope_moves_the_metrics_print_and_a_sites_scopes_none() {
    let scoped = prints(&EDITS.iter().collect::<Vec<_>>());
    let unscoped_metric = Replace { file: "set/metrics/nis2_incidents.yaml", find: "scope: nis2\n", with: "" };
    let unscoped = prints(&[&EDITS[0], &EDITS[1], &EDITS[2], &unscoped_metric]);
    let moved: Vec<&String> = scoped.keys().filter(|id| scoped.get(*id) != unscoped.get(*id)).collect();
    assert_eq!(moved, ["nis2_incidents"]);
    // Which sites are in the scope is the project's: it moves the project hash, no print.
    assert_eq!(prints(&[&EDITS[0], &EDITS[2]]), scoped);
}
