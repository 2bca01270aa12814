//! Pitfall lints (the measurement pitfalls of an ISMS): each trips on a definition or project that has
//! the pitfall, stays quiet on one that does not, and a metric lint is silenced only by an
//! `allow:` with a reason.

use crate::util::{Edit, apply, compile, copy_dir, fixture};
use Edit::Replace;

const MAJOR: &str = "set/metrics/outcome/major_incidents.yaml";
const MTTR: &str = "set/metrics/outcome/mttr_hours.yaml";
const PRODUCTION: &str = "set/metrics/outcome/production_hours.yaml";
const INCIDENTS: &str = "set/sources/incidents.yaml";
const PROJECT: &str = "project/yardstick.yaml";
const CONTEXT: &str = "project/context.yaml";
/// The last line of major_incidents.yaml, to add keys after.
const MAJOR_END: &str = "references: [sp800-53:r5/IR-4(1)]";

/// The spec fixture with `edits`, checked: the messages of the warnings with `code`, and
/// every error.
fn lints(edits: &[Edit], code: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("spec"), dir.path());
    for e in edits {
        apply(dir.path(), e);
    }
    let (checked, diags, _) = compile(&dir.path().join("project"));
    let errors: Vec<&str> = diags.iter().filter(|d| d.is_error()).map(|d| d.message.as_str()).collect();
    assert!(checked.is_some(), "the fixture does not check: {errors:?}");
    diags.iter().filter(|d| d.code == code).map(|d| d.message.clone()).collect()
}

/// The errors of the fixture with `edits`: (code, message).
fn errors(edits: &[Edit]) -> Vec<(String, String)> {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("spec"), dir.path());
    for e in edits {
        apply(dir.path(), e);
    }
    let (_, diags, _) = compile(&dir.path().join("project"));
    diags.iter().filter(|d| d.is_error()).map(|d| (d.code.to_string(), d.message.clone())).collect()
}

fn allow(code: &'static str) -> Edit {
    let with: &'static str = Box::leak(
        format!("{MAJOR_END}\nallow: [{{code: {code}, reason: \"checked with the plant: it applies here\"}}]")
            .into_boxed_str(),
    );
    Replace { file: MAJOR, find: MAJOR_END, with }
}

const EVIDENCE: Edit =
    Replace { file: INCIDENTS, find: "collection: automated", with: "collection: automated\nevidence: true" };

#[test]
fn w1001_an_outcome_over_activity_evidence() {
    let found = lints(&[EVIDENCE], "W1001");
    assert_eq!(
        found,
        [
            "outcome metric `major_incidents` counts activity evidence (source `incidents` records documents, trainings or reviews)"
        ]
    );
    // The risk-layer metric over the same source is not an outcome.
    assert!(lints(&[], "W1001").is_empty());
    assert!(lints(&[EVIDENCE, allow("W1001")], "W1001").is_empty());
}

const ACTIVITY: Edit = Replace { file: MAJOR, find: "layer: outcome", with: "layer: activity" };
const MORE_IS_BETTER: Edit =
    Replace { file: MAJOR, find: "direction: lower_is_better", with: "direction: higher_is_better" };

#[test]
fn w1002_a_count_of_activity_where_more_is_better() {
    let found = lints(&[ACTIVITY, MORE_IS_BETTER], "W1002");
    assert_eq!(
        found,
        [
            "`major_incidents` rewards a larger count of activity (`count()`): it can rise without anything getting safer"
        ]
    );
    // A share of what should be done is coverage, not a count.
    let share = Replace { file: MAJOR, find: "value: count()", with: "value: share(contained_at is not null)" };
    let percent = Replace { file: MAJOR, find: "unit: incidents", with: "unit: \"%\"" };
    assert!(lints(&[ACTIVITY, MORE_IS_BETTER, share, percent], "W1002").is_empty());
    assert!(lints(&[ACTIVITY, MORE_IS_BETTER, allow("W1002")], "W1002").is_empty());
}

const LEADERSHIP: Edit =
    Replace { file: MAJOR, find: MAJOR_END, with: "references: [sp800-53:r5/IR-4(1)]\ntags: [leadership]" };

#[test]
fn w1003_a_leadership_incident_count_without_a_detection_view() {
    // Its `where` reads severity: only the detection-source companion is missing.
    let found = lints(&[LEADERSHIP], "W1003");
    assert_eq!(
        found,
        [
            "leadership incident count `major_incidents` has no detection source companion in the `leadership` tag (source `incidents` has no column typed by a `detection...` vocabulary yet)"
        ]
    );
    // Without the leadership tag it is nobody's headline.
    assert!(lints(&[], "W1003").is_empty());
    let silenced = Replace {
        file: MAJOR,
        find: MAJOR_END,
        with: "references: [sp800-53:r5/IR-4(1)]\ntags: [leadership]\nallow: [{code: W1003, reason: \"shown beside the SOC's detection report\"}]",
    };
    assert!(lints(&[silenced], "W1003").is_empty());
}

#[test]
fn w1004_a_direction_without_decision_criteria() {
    let found = lints(&[], "W1004");
    assert!(
        found.contains(
            &"`mttr_hours` says which way is better but gives no decision criteria (no `target`, no `thresholds`)"
                .to_string()
        ),
        "{found:?}"
    );
    // A neutral metric informs; it needs no criteria.
    assert!(!found.iter().any(|m| m.contains("`production_hours`")), "{found:?}");
    let target = Replace { file: MTTR, find: "grain: quarter", with: "grain: quarter\ntarget: {value: 4}" };
    assert!(!lints(&[target], "W1004").iter().any(|m| m.contains("`mttr_hours`")));
    assert!(!lints(&[allow("W1004")], "W1004").iter().any(|m| m.contains("`major_incidents`")));
}

#[test]
fn w1005_manual_collection_without_caveats() {
    // `downtime` is collected `mixed` in the set, and by hand at Lyon.
    let found = lints(&[], "W1005");
    assert!(
        found.contains(&"`production_hours` reads `downtime`, collected by hand (at least at one site), but says nothing of it in `caveats`".to_string()),
        "{found:?}"
    );
    let caveats = Replace {
        file: PRODUCTION,
        find: "grain: quarter",
        with: "grain: quarter\ncaveats: Lyon logs stops by hand, a shift late.",
    };
    assert!(!lints(&[caveats], "W1005").iter().any(|m| m.contains("`production_hours`")));
    // Incidents are collected automatically: nothing to say.
    assert!(!found.iter().any(|m| m.contains("`major_incidents`")), "{found:?}");
    let manual = Replace { file: INCIDENTS, find: "collection: automated", with: "collection: manual" };
    assert!(lints(&[manual], "W1005").iter().any(|m| m.contains("`major_incidents`")));
    let manual = Replace { file: INCIDENTS, find: "collection: automated", with: "collection: manual" };
    assert!(!lints(&[manual, allow("W1005")], "W1005").iter().any(|m| m.contains("`major_incidents`")));
}

#[test]
fn w1006_a_major_incident_inside_a_baseline_window() {
    // Lyon's window is 2023 (the 12 months before its rollout on 2024-01-01).
    let inside = Replace {
        file: CONTEXT,
        find: "- {date: 2024-03-01",
        with: "- {date: 2023-10-09, site: lyon, kind: major_incident, text: Ransomware stop.}\n- {date: 2024-03-01",
    };
    assert_eq!(
        lints(&[inside], "W1006"),
        ["the major incident of 2023-10-09 lies in the baseline window of site `lyon` (2023-01-01 to 2023-12-31)"]
    );
    let after = Replace {
        file: CONTEXT,
        find: "- {date: 2024-03-01",
        with: "- {date: 2024-10-09, site: lyon, kind: major_incident, text: Ransomware stop.}\n- {date: 2024-03-01",
    };
    assert!(lints(&[after], "W1006").is_empty());
}

#[test]
fn w1010_a_collection_change_after_the_baseline_window_began() {
    // Lyon's window is 2023: downtime logged by a new monitoring system from June 2023 on.
    let during = Replace {
        file: CONTEXT,
        find: "- {date: 2024-03-01",
        with: "- {date: 2023-06-01, site: lyon, kind: collection_change, source: downtime, text: Stops logged by the MES.}\n- {date: 2024-03-01",
    };
    assert_eq!(
        lints(&[during], "W1010"),
        [
            "the collection of `downtime` at site `lyon` changed on 2023-06-01, after its baseline window began (2023-01-01): its baseline and later periods are measured differently"
        ]
    );
    // Before the window, the baseline and the periods are collected alike.
    let before = Replace {
        file: CONTEXT,
        find: "- {date: 2024-03-01",
        with: "- {date: 2022-06-01, site: lyon, kind: collection_change, source: downtime, text: Stops logged by the MES.}\n- {date: 2024-03-01",
    };
    assert!(lints(&[before], "W1010").is_empty());
}

/// A site that keeps its window says why under `allow:`: its own site lint goes quiet, the
/// other site's stays; a metric lint or a missing reason is refused.
#[test]
fn a_site_is_exempt_from_its_own_site_lints_only_with_a_reason() {
    let incident = |site: &'static str| {
        Replace {
        file: CONTEXT,
        find: "- {date: 2024-03-01",
        with: Box::leak(
            format!("- {{date: 2023-10-09, site: {site}, kind: major_incident, text: Ransomware stop.}}\n- {{date: 2024-03-01")
                .into_boxed_str(),
        ),
    }
    };
    let exempt = |allow: &'static str| Replace {
        file: PROJECT,
        find: "    mappings: sites/lyon.yaml",
        with: Box::leak(format!("    mappings: sites/lyon.yaml\n    allow: [{allow}]").into_boxed_str()),
    };
    let reason = "{code: W1006, reason: \"the ransomware stop is why the plant joined; its baseline keeps it\"}";
    assert!(lints(&[incident("lyon"), exempt(reason)], "W1006").is_empty());
    // Brno's window (April 2023 to March 2024) holds the incident too, and keeps its warning.
    assert_eq!(lints(&[incident("all"), exempt(reason)], "W1006").len(), 1);
    let codes = |e: Vec<(String, String)>| e.into_iter().map(|(c, _)| c).collect::<Vec<_>>();
    assert_eq!(codes(errors(&[exempt("{code: W1004, reason: \"a metric lint\"}")])), ["E0516"]);
    assert_eq!(codes(errors(&[exempt("{code: W1006}")])), ["E0517"]);
}

#[test]
fn w1007_a_baseline_window_shorter_than_six_months() {
    let short = Replace { file: PROJECT, find: "{months_before_rollout: 12}", with: "{months_before_rollout: 3}" };
    assert_eq!(
        lints(&[short], "W1007"),
        [
            "the baseline window of site `lyon` (2023-10-01 to 2023-12-31) is shorter than six months",
            "the baseline window of site `brno` (2024-01-01 to 2024-03-31) is shorter than six months",
        ]
    );
    // Six months exactly is enough.
    let six = Replace { file: PROJECT, find: "{months_before_rollout: 12}", with: "{months_before_rollout: 6}" };
    assert!(lints(&[six], "W1007").is_empty());
}

#[test]
fn w1008_a_baseline_window_past_a_sources_coverage() {
    assert_eq!(
        lints(&[], "W1008"),
        [
            "the baseline window of site `lyon` (2023-01-01 to 2023-12-31) reaches past its `downtime` data (2023-06-01 to …)"
        ]
    );
    let covered = Replace {
        file: PROJECT,
        find: "{from: 2023-06-01, collection: manual}",
        with: "{from: 2022-06-01, collection: manual}",
    };
    assert!(lints(&[covered], "W1008").is_empty());
}

#[test]
fn an_exemption_names_a_metric_lint_and_gives_a_reason() {
    let unknown = Replace {
        file: MAJOR,
        find: MAJOR_END,
        with: "references: [sp800-53:r5/IR-4(1)]\nallow: [{code: W1006, reason: \"a site lint\"}]",
    };
    let found = errors(&[unknown]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "E0516");
    let bare =
        Replace { file: MAJOR, find: MAJOR_END, with: "references: [sp800-53:r5/IR-4(1)]\nallow: [{code: W1004}]" };
    assert_eq!(errors(&[bare]), [("E0517".to_string(), "the exemption from W1004 gives no reason".to_string())]);
}

/// The `incidents` metric of the engine fixture (a count per quarter; sites `a` and `b`,
/// baselines January to June 2024) computed on `a_rows` and `b_rows` with `edits`, and
/// the thin baselines found in its results.
fn thin(a_rows: &str, b_rows: &str, edits: &[Edit]) -> Vec<String> {
    use std::fs;
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("engine"), dir.path());
    for e in edits {
        apply(dir.path(), e);
    }
    for (path, text) in crate::engine::incidents(a_rows, b_rows) {
        let path = dir.path().join("project/data").join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    let (checked, _, _) = compile(&dir.path().join("project"));
    let checked = checked.expect("the engine fixture checks");
    let metrics = [yardstick::ir::MetricId("incidents".into())];
    let as_of = chrono::NaiveDate::from_ymd_opt(2024, 12, 31).unwrap();
    let request = yardstick::plan::Request { metrics: &metrics, as_of, grain: None, to_date: false };
    let results = yardstick::compute(&checked, &request).unwrap_or_else(|e| panic!("{:?}", e[0].message));
    yardstick::publish::thin_baselines(&checked.set, &results).into_iter().map(|d| d.message).collect()
}

#[test]
fn w1009_a_baseline_on_fewer_than_five_rows() {
    // Site a detects i1 (January) and i2 (February) in its baseline; i3 and i4 come after
    // the rollout and i5 has no detection date. Site b detects j1 on 29 February (UTC).
    let found = thin(crate::engine::A_INCIDENTS, crate::engine::B_INCIDENTS, &[]);
    assert_eq!(
        found,
        [
            "the baseline of `incidents` at site `a` rests on 2 rows",
            "the baseline of `incidents` at site `b` rests on 1 row"
        ]
    );
    // Three more in site a's baseline make five: only b is thin.
    let more = format!(
        "{}k1,2024-03-03T10:00:00Z,,SEV3,,A1\nk2,2024-04-04T10:00:00Z,,SEV3,,A1\nk3,2024-06-30T10:00:00Z,,SEV3,,A1\n",
        crate::engine::A_INCIDENTS
    );
    assert_eq!(
        thin(&more, crate::engine::B_INCIDENTS, &[]),
        ["the baseline of `incidents` at site `b` rests on 1 row"]
    );
    let silenced = Replace {
        file: "set/metrics/incidents.yaml",
        find: "value: count()",
        with: "value: count()\nallow: [{code: W1009, reason: \"the plants record every incident; few is the truth\"}]",
    };
    assert!(thin(crate::engine::A_INCIDENTS, crate::engine::B_INCIDENTS, &[silenced]).is_empty());
}

const DOWNTIME_HOURS: &str = "set/metrics/outcome/security_downtime_hours.yaml";

#[test]
fn w1011_a_raw_leadership_count_with_no_population() {
    let found = lints(&[LEADERSHIP], "W1011");
    assert_eq!(
        found,
        [
            "`major_incidents` shows the leadership a raw count (`count()`): a larger site looks worse for its size alone",
            "`security_downtime_hours` shows the leadership a raw count (`sum(duration_min) / 60`): a larger site looks worse for its size alone",
        ]
    );
    // Judged per production hours, the downtime no longer grows with the plant.
    let per_hours = Replace {
        file: DOWNTIME_HOURS,
        find: "tags: [leadership]",
        with: "exposure: production_hours\ntags: [leadership]",
    };
    assert!(!lints(&[per_hours], "W1011").iter().any(|m| m.contains("`security_downtime_hours`")));
    // Not a leadership metric: nobody compares plants on it.
    assert!(!lints(&[], "W1011").iter().any(|m| m.contains("`major_incidents`")));
    let silenced = Replace {
        file: MAJOR,
        find: MAJOR_END,
        with: "references: [sp800-53:r5/IR-4(1)]\ntags: [leadership]\nallow: [{code: W1011, reason: \"every plant runs one line of the same size\"}]",
    };
    assert!(!lints(&[silenced], "W1011").iter().any(|m| m.contains("`major_incidents`")));
}

const DETECTION_DEPENDENT: Edit = Replace {
    file: INCIDENTS,
    find: "collection: automated",
    with: "collection: automated\ndetection_dependent: true",
};
const REDUCE: Edit =
    Replace { file: MAJOR, find: MAJOR_END, with: "references: [sp800-53:r5/IR-4(1)]\ntarget: {change: -30%}" };

#[test]
fn w1012_a_reduction_target_on_what_detection_makes_visible() {
    let found = lints(&[DETECTION_DEPENDENT, REDUCE], "W1012");
    assert_eq!(
        found,
        ["`major_incidents` sets a -30% target on a count over `incidents`, which better detection raises"]
    );
    // The same target over a source not marked detection-dependent, or a target value.
    assert!(lints(&[REDUCE], "W1012").is_empty());
    let value = Replace { file: MAJOR, find: MAJOR_END, with: "references: [sp800-53:r5/IR-4(1)]\ntarget: {value: 2}" };
    assert!(lints(&[DETECTION_DEPENDENT, value], "W1012").is_empty());
    let silenced = Replace {
        file: MAJOR,
        find: MAJOR_END,
        with: "references: [sp800-53:r5/IR-4(1)]\ntarget: {change: -30%}\nallow: [{code: W1012, reason: \"detection was complete before the baseline\"}]",
    };
    assert!(lints(&[DETECTION_DEPENDENT, silenced], "W1012").is_empty());
    // A count scaled by a constant on either side is still a count; a sum of amounts (a
    // cost, hours lost) measures impact, not what was seen.
    let scaled = Replace { file: MAJOR, find: "value: count()", with: "value: 1000 * count()" };
    assert_eq!(lints(&[DETECTION_DEPENDENT, REDUCE, scaled], "W1012").len(), 1);
    let cost = Replace { file: MAJOR, find: "value: count()", with: "value: sum(cost_eur)" };
    assert!(lints(&[DETECTION_DEPENDENT, REDUCE, cost], "W1012").is_empty());
}
