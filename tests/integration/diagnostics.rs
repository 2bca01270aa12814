//! Deliberate mistakes in the SPEC fixture: each must be reported with the right code, in
//! the right file, on the right line, with the caret under the offending text.

use crate::util::{Edit, apply, compile, copy_dir, fixture};
use Edit::{Rename, Replace, Write};
use yardstick::diag::render_all;

struct Case {
    name: &'static str,
    edits: &'static [Edit],
    code: &'static str,
    /// File (relative to the fixture) and 1-based line of the caret.
    file: &'static str,
    line: usize,
    /// The exact text the caret underlines.
    underlined: &'static str,
}

const DOWNTIME_HOURS: &str = "set/metrics/outcome/security_downtime_hours.yaml";
const PRODUCTION: &str = "set/metrics/outcome/production_hours.yaml";
const SHARE: &str = "set/metrics/outcome/security_downtime_share.yaml";
const MAJOR: &str = "set/metrics/outcome/major_incidents.yaml";
const MTTR: &str = "set/metrics/outcome/mttr_hours.yaml";
const PROJECT: &str = "project/yardstick.yaml";
const ASSETS: &str = "set/sources/assets.yaml";
const INCIDENTS: &str = "set/sources/incidents.yaml";

const CASES: &[Case] = &[
    Case {
        name: "yaml_syntax_error",
        edits: &[Replace { file: PRODUCTION, find: "title: Hours", with: "title: \"Hours" }],
        code: "E0101",
        file: PRODUCTION,
        line: 3,
        underlined: "\"",
    },
    Case {
        name: "unknown_key",
        edits: &[Replace { file: DOWNTIME_HOURS, find: "where: cause", with: "wehre: cause" }],
        code: "E0102",
        file: DOWNTIME_HOURS,
        line: 14,
        underlined: "wehre",
    },
    Case {
        name: "duplicate_key",
        edits: &[Replace {
            file: MTTR,
            find: "title: Mean time to respond",
            with: "title: Mean time to respond\ntitle: again",
        }],
        code: "E0109",
        file: MTTR,
        line: 4,
        underlined: "title",
    },
    Case {
        name: "unknown_key_in_a_flow_mapping",
        edits: &[Replace { file: PRODUCTION, find: "{event: started_at}", with: "{evnt: started_at}" }],
        code: "E0102",
        file: PRODUCTION,
        line: 9,
        underlined: "evnt",
    },
    Case {
        name: "unknown_key_in_a_column",
        edits: &[Replace {
            file: "set/sources/incidents.yaml",
            find: "severity: {vocab: incident_severity}",
            with: "severity: {vocab: incident_severity, nulable: true}",
        }],
        code: "E0102",
        file: "set/sources/incidents.yaml",
        line: 12,
        underlined: "nulable",
    },
    Case {
        name: "wrong_value_shape",
        edits: &[Replace { file: PRODUCTION, find: "version: 1", with: "version: one" }],
        code: "E0103",
        file: PRODUCTION,
        line: 2,
        underlined: "one",
    },
    Case {
        name: "missing_required_key",
        edits: &[Replace { file: PRODUCTION, find: "unit: hours\n", with: "" }],
        code: "E0106",
        file: PRODUCTION,
        line: 1,
        underlined: "production_hours",
    },
    Case {
        name: "invalid_grain_with_suggestion",
        edits: &[Replace { file: PRODUCTION, find: "grain: quarter", with: "grain: quartr" }],
        code: "E0107",
        file: PRODUCTION,
        line: 7,
        underlined: "quartr",
    },
    Case {
        name: "unknown_column",
        edits: &[Replace { file: PRODUCTION, find: "sum(duration_min)", with: "sum(duration_mins)" }],
        code: "E0301",
        file: PRODUCTION,
        line: 10,
        underlined: "duration_mins",
    },
    Case {
        name: "unknown_join",
        edits: &[Replace { file: DOWNTIME_HOURS, find: "asset.criticality", with: "assets.criticality" }],
        code: "E0302",
        file: DOWNTIME_HOURS,
        line: 14,
        underlined: "assets",
    },
    Case {
        name: "unknown_term_with_suggestion",
        edits: &[Replace { file: MAJOR, find: "severity >= incident_severity.SEV2", with: "severity == \"SEV22\"" }],
        code: "E0304",
        file: MAJOR,
        line: 11,
        underlined: "\"SEV22\"",
    },
    Case {
        name: "unknown_group_in_block_scalar",
        edits: &[Replace { file: MAJOR, find: "information_handling", with: "info_handling" }],
        code: "E0304",
        file: MAJOR,
        line: 13,
        underlined: "info_handling",
    },
    Case {
        name: "deprecated_term",
        edits: &[Replace { file: MAJOR, find: "incident_severity.SEV2", with: "incident_severity.SEV0" }],
        code: "E0305",
        file: MAJOR,
        line: 11,
        underlined: "SEV0",
    },
    Case {
        name: "term_of_the_wrong_vocabulary",
        edits: &[Replace { file: DOWNTIME_HOURS, find: "== criticality.critical", with: "== incident_severity.SEV1" }],
        code: "E0404",
        file: DOWNTIME_HOURS,
        line: 14,
        underlined: "incident_severity.SEV1",
    },
    Case {
        name: "aggregate_in_where",
        edits: &[Replace { file: MTTR, find: "contained_at is not null and", with: "count() > 3 and" }],
        code: "E0401",
        file: MTTR,
        line: 11,
        underlined: "count()",
    },
    Case {
        name: "nested_aggregate",
        edits: &[Replace { file: PRODUCTION, find: "sum(duration_min) / 60", with: "sum(max(duration_min))" }],
        code: "E0407",
        file: PRODUCTION,
        line: 10,
        underlined: "max(duration_min)",
    },
    Case {
        name: "bare_column_in_value",
        edits: &[Replace { file: PRODUCTION, find: "sum(duration_min) / 60", with: "duration_min / 60" }],
        code: "E0402",
        file: PRODUCTION,
        line: 10,
        underlined: "duration_min",
    },
    Case {
        name: "sum_of_a_string",
        edits: &[Replace { file: PRODUCTION, find: "sum(duration_min) / 60", with: "sum(line)" }],
        code: "E0403",
        file: PRODUCTION,
        line: 10,
        underlined: "line",
    },
    Case {
        name: "ordering_on_an_unordered_vocabulary",
        edits: &[Replace {
            file: DOWNTIME_HOURS,
            find: "cause in root_cause.security_related",
            with: "cause > root_cause.cyber_event",
        }],
        code: "E0405",
        file: DOWNTIME_HOURS,
        line: 14,
        underlined: "cause",
    },
    Case {
        name: "comparing_a_date_with_a_number",
        edits: &[Replace { file: MTTR, find: "contained_at is not null and", with: "detected_at > 3 and" }],
        code: "E0406",
        file: MTTR,
        line: 11,
        underlined: "detected_at > 3",
    },
    Case {
        name: "unknown_function",
        edits: &[Replace { file: MTTR, find: "percentile(", with: "percentil(" }],
        code: "E0307",
        file: MTTR,
        line: 12,
        underlined: "percentil",
    },
    Case {
        name: "expression_syntax_error",
        edits: &[Replace { file: PRODUCTION, find: "sum(duration_min) / 60", with: "sum(duration_min) / / 60" }],
        code: "E0201",
        file: PRODUCTION,
        line: 10,
        underlined: "/",
    },
    Case {
        name: "time_column_is_not_a_date",
        edits: &[Replace { file: PRODUCTION, find: "{event: started_at}", with: "{event: line}" }],
        code: "E0412",
        file: PRODUCTION,
        line: 9,
        underlined: "line",
    },
    Case {
        name: "derived_metric_cycle",
        edits: &[
            Write {
                file: "set/metrics/outcome/share_twice.yaml",
                text: "metric: share_twice\nversion: 1\ntitle: Twice the share\nlayer: outcome\nunit: \"%\"\ndirection: neutral\ngrain: quarter\nvalue: security_downtime_share * 2\n",
            },
            Replace {
                file: SHARE,
                find: "security_downtime_hours / production_hours",
                with: "share_twice / production_hours",
            },
        ],
        code: "E0504",
        file: SHARE,
        line: 8,
        underlined: "share_twice / production_hours",
    },
    Case {
        name: "derived_metric_of_another_grain",
        edits: &[Replace { file: PRODUCTION, find: "grain: quarter", with: "grain: month" }],
        code: "E0503",
        file: SHARE,
        line: 8,
        underlined: "production_hours",
    },
    Case {
        name: "derived_metric_of_parts_with_different_by",
        edits: &[Replace {
            file: PRODUCTION,
            find: "value: sum(duration_min) / 60",
            with: "value: sum(duration_min) / 60\nby: [cause]",
        }],
        code: "E0513",
        file: SHARE,
        line: 8,
        underlined: "production_hours",
    },
    Case {
        name: "metric_file_stem_mismatch",
        edits: &[Rename { from: PRODUCTION, to: "set/metrics/outcome/production_hrs.yaml" }],
        code: "E0501",
        file: "set/metrics/outcome/production_hrs.yaml",
        line: 1,
        underlined: "production_hours",
    },
    Case {
        name: "bad_reference_format",
        edits: &[Replace { file: DOWNTIME_HOURS, find: "iso27001:2022/A.5.24", with: "iso27001:2022/A.5.99" }],
        code: "E0508",
        file: DOWNTIME_HOURS,
        line: 19,
        underlined: "iso27001:2022/A.5.99",
    },
    Case {
        name: "unknown_threshold_name",
        edits: &[Replace { file: DOWNTIME_HOURS, find: "green: value <= 40", with: "green: valu <= 40" }],
        code: "E0310",
        file: DOWNTIME_HOURS,
        line: 18,
        underlined: "valu",
    },
    Case {
        name: "unknown_column_type",
        edits: &[Replace {
            file: "set/sources/downtime.yaml",
            find: "duration_min: float",
            with: "duration_min: flaot",
        }],
        code: "E0117",
        file: "set/sources/downtime.yaml",
        line: 6,
        underlined: "flaot",
    },
    Case {
        name: "join_onto_an_unknown_source",
        edits: &[Replace { file: "set/sources/downtime.yaml", find: "{source: assets", with: "{source: asset" }],
        code: "E0308",
        file: "set/sources/downtime.yaml",
        line: 11,
        underlined: "asset",
    },
    Case {
        name: "mapping_onto_a_missing_term",
        edits: &[Replace { file: "project/sites/lyon.yaml", find: "\"P4\": SEV4", with: "\"P4\": SEV44" }],
        code: "E0304",
        file: "project/sites/lyon.yaml",
        line: 1,
        underlined: "SEV44",
    },
    Case {
        name: "mapping_of_an_unknown_vocabulary",
        edits: &[Replace { file: "project/sites/lyon.yaml", find: "root_cause:", with: "root_causes:" }],
        code: "E0309",
        file: "project/sites/lyon.yaml",
        line: 2,
        underlined: "root_causes",
    },
    Case {
        name: "unknown_source_in_a_binding",
        edits: &[Replace { file: PROJECT, find: "  assets:    {file:", with: "  asets:    {file:" }],
        code: "E0308",
        file: PROJECT,
        line: 21,
        underlined: "asets",
    },
    Case {
        name: "set_version_outside_requires",
        edits: &[Replace { file: PROJECT, find: "\">=1.0, <2\"", with: "\">=2.0\"" }],
        code: "E0602",
        file: PROJECT,
        line: 3,
        underlined: "\">=2.0\"",
    },
    Case {
        name: "coverage_of_an_unbound_source",
        edits: &[Replace { file: PROJECT, find: "      downtime: {from", with: "      downtme: {from" }],
        code: "E0607",
        file: PROJECT,
        line: 14,
        underlined: "downtme",
    },
    Case {
        name: "unknown_site_in_context",
        edits: &[Replace { file: "project/context.yaml", find: "site: lyon", with: "site: lyom" }],
        code: "E0612",
        file: "project/context.yaml",
        line: 1,
        underlined: "lyom",
    },
    Case {
        name: "invalid_date",
        edits: &[Replace { file: PROJECT, find: "rollout: 2024-04-01", with: "rollout: 2024-04-31" }],
        code: "E0108",
        file: PROJECT,
        line: 17,
        underlined: "2024-04-31",
    },
    Case {
        name: "snapshot_column_that_is_not_a_date",
        edits: &[Replace { file: ASSETS, find: "snapshot: taken_on", with: "snapshot: criticality" }],
        code: "E0124",
        file: ASSETS,
        line: 4,
        underlined: "criticality",
    },
    Case {
        name: "snapshot_column_that_may_be_empty",
        edits: &[Replace { file: ASSETS, find: "snapshot: taken_on", with: "snapshot: retire_by" }],
        code: "E0124",
        file: ASSETS,
        line: 4,
        underlined: "retire_by",
    },
    Case {
        name: "planned_on_a_number",
        edits: &[Replace { file: INCIDENTS, find: "nullable: true, min: 0}", with: "nullable: true, planned: true}" }],
        code: "E0121",
        file: INCIDENTS,
        line: 15,
        underlined: "true",
    },
    Case {
        name: "bounds_on_a_string",
        edits: &[Replace {
            file: INCIDENTS,
            find: "asset_id: {type: string, nullable: true}",
            with: "asset_id: {type: string, nullable: true, max: 99}",
        }],
        code: "E0122",
        file: INCIDENTS,
        line: 14,
        underlined: "99",
    },
    Case {
        name: "min_above_max",
        edits: &[Replace { file: INCIDENTS, find: "min: 0}", with: "min: 100, max: 10}" }],
        code: "E0123",
        file: INCIDENTS,
        line: 15,
        underlined: "100",
    },
    Case {
        name: "delimiter_of_two_characters",
        edits: &[Replace {
            file: PROJECT,
            find: "  incidents: {file: \"data/{site}/incidents.csv\"}",
            with: "  incidents: {file: \"data/{site}/incidents.csv\", csv: {delimiter: \";;\"}}",
        }],
        code: "E0620",
        file: PROJECT,
        line: 19,
        underlined: "\";;\"",
    },
    Case {
        name: "decimal_comma_in_a_comma_separated_file",
        edits: &[Replace {
            file: PROJECT,
            find: "  incidents: {file: \"data/{site}/incidents.csv\"}",
            with: "  incidents: {file: \"data/{site}/incidents.csv\", csv: {decimal: \",\"}}",
        }],
        code: "E0620",
        file: PROJECT,
        line: 19,
        underlined: "\",\"",
    },
    Case {
        name: "unknown_encoding_with_suggestion",
        edits: &[Replace {
            file: PROJECT,
            find: "  incidents: {file: \"data/{site}/incidents.csv\"}",
            with: "  incidents: {file: \"data/{site}/incidents.csv\", csv: {encoding: windows-1205}}",
        }],
        code: "E0620",
        file: PROJECT,
        line: 19,
        underlined: "windows-1205",
    },
    Case {
        name: "date_format_without_the_year",
        edits: &[Replace {
            file: PROJECT,
            find: "  incidents: {file: \"data/{site}/incidents.csv\"}",
            with: "  incidents: {file: \"data/{site}/incidents.csv\", date_format: \"%d.%m.\"}",
        }],
        code: "E0620",
        file: PROJECT,
        line: 19,
        underlined: "\"%d.%m.\"",
    },
    Case {
        name: "csv_options_on_a_parquet_file",
        edits: &[Replace {
            file: PROJECT,
            find: "  downtime:  {file: \"data/{site}/downtime.parquet\"}",
            with: "  downtime:  {file: \"data/{site}/downtime.parquet\", csv: {delimiter: \";\"}}",
        }],
        code: "E0620",
        file: PROJECT,
        line: 20,
        underlined: "{",
    },
    Case {
        name: "site_source_neither_none_nor_a_binding",
        edits: &[Replace {
            file: PROJECT,
            find: "    rollout: 2024-04-01",
            with: "    rollout: 2024-04-01\n    sources: {incidents: nothing}",
        }],
        code: "E0618",
        file: PROJECT,
        line: 18,
        underlined: "nothing",
    },
    Case {
        name: "source_bound_at_one_site_only",
        edits: &[
            Replace { file: PROJECT, find: "  assets:    {file: \"data/{site}/assets.ndjson\"}\n", with: "" },
            Replace {
                file: PROJECT,
                find: "    rollout: 2024-04-01",
                with: "    rollout: 2024-04-01\n    sources: {assets: {file: \"data/brno/assets.ndjson\"}}",
            },
        ],
        code: "E0619",
        file: PROJECT,
        line: 9,
        underlined: "lyon",
    },
    Case {
        name: "unknown_time_zone_with_suggestion",
        edits: &[Replace {
            file: PROJECT,
            find: "    title: Brno assembly plant",
            with: "    title: Brno assembly plant\n    timezone: Europe/Pari",
        }],
        code: "E0616",
        file: PROJECT,
        line: 17,
        underlined: "Europe/Pari",
    },
    Case {
        name: "snapshot_time_over_a_source_without_snapshots",
        edits: &[Replace { file: PRODUCTION, find: "{event: started_at}", with: "{snapshot: started_at}" }],
        code: "E0514",
        file: PRODUCTION,
        line: 9,
        underlined: "started_at",
    },
    Case {
        name: "snapshot_time_by_another_column",
        edits: &[Write {
            file: "set/metrics/outcome/critical_assets.yaml",
            text: "metric: critical_assets\nversion: 1\ntitle: Critical assets\nlayer: risk\nunit: assets\ndirection: neutral\ngrain: quarter\nsource: assets\ntime: {snapshot: retire_by}\nwhere: criticality == criticality.critical\nvalue: count()\n",
        }],
        code: "E0514",
        file: "set/metrics/outcome/critical_assets.yaml",
        line: 9,
        underlined: "retire_by",
    },
];

fn run(case: &Case) -> Result<String, String> {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("spec"), dir.path());
    for edit in case.edits {
        apply(dir.path(), edit);
    }
    let (checked, diags, sources) = compile(&dir.path().join("project"));
    if checked.is_some() {
        return Err("the mistake was not caught".into());
    }
    let all: Vec<(&str, &str)> = diags.iter().map(|d| (d.code, d.message.as_str())).collect();
    let found = diags.iter().find(|d| d.code == case.code).ok_or_else(|| format!("no {} among {all:?}", case.code))?;
    let span = found.span.ok_or_else(|| format!("{} has no span", case.code))?;
    let path = sources.path(span.file).to_path_buf();
    if !path.ends_with(case.file) {
        return Err(format!("reported in {} instead of {}", path.display(), case.file));
    }
    let text = sources.text(span.file);
    let underlined = &text[span.start as usize..span.end as usize];
    let line = text[..span.start as usize].matches('\n').count() + 1;
    if (underlined, line) != (case.underlined, case.line) {
        return Err(format!(
            "underlined {underlined:?} on line {line}, expected {:?} on line {}",
            case.underlined, case.line
        ));
    }
    let root = dir.path().display().to_string();
    Ok(render_all(diags.iter(), &sources, false).replace(&root, "[fixture]"))
}

#[test]
fn every_mistake_is_reported_where_it_was_made() {
    let mut failures = Vec::new();
    for case in CASES {
        let rendered = match run(case) {
            Ok(r) => r,
            Err(why) => {
                failures.push(format!("{}: {why}", case.name));
                continue;
            }
        };
        insta::with_settings!({ snapshot_suffix => case.name, prepend_module_to_snapshot => false }, {
            if let Err(e) = std::panic::catch_unwind(|| insta::assert_snapshot!("diagnostic", rendered)) {
                drop(e);
                failures.push(format!("{}: snapshot differs", case.name));
            }
        });
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn there_are_at_least_25_distinct_mistakes() {
    let names: std::collections::BTreeSet<&str> = CASES.iter().map(|c| c.name).collect();
    assert_eq!(names.len(), CASES.len(), "case names repeat");
    assert!(CASES.len() >= 25);
}

#[test]
fn all_errors_of_a_run_are_reported_not_just_the_first() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("spec"), dir.path());
    for case in
        CASES.iter().filter(|c| ["unknown_column", "unknown_key", "unknown_source_in_a_binding"].contains(&c.name))
    {
        for edit in case.edits {
            apply(dir.path(), edit);
        }
    }
    let (_, diags, _) = compile(&dir.path().join("project"));
    let codes: Vec<&str> = diags.iter().map(|d| d.code).collect();
    for code in ["E0301", "E0102", "E0308"] {
        assert!(codes.contains(&code), "{code} missing from {codes:?}");
    }
}

#[test]
fn a_file_that_does_not_parse_is_reported_once_not_at_every_use() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("spec"), dir.path());
    apply(
        dir.path(),
        &Replace { file: "set/sources/incidents.yaml", find: "key: incident_id", with: "key: [incident_id" },
    );
    let (_, diags, _) = compile(&dir.path().join("project"));
    let codes: Vec<&str> = diags.iter().map(|d| d.code).collect();
    // The metrics on `incidents` and its binding in the project are not blamed for it.
    assert_eq!(codes.len(), 1, "{:?}", diags.iter().map(|d| &d.message).collect::<Vec<_>>());
}

#[test]
fn a_value_mixing_scaled_and_unscaled_aggregates_is_warned_about_not_refused() {
    // In the baseline, sum(duration_min) is scaled to one quarter and max(duration_min) is
    // not (SPEC section 8): the check says so, at the unscaled aggregate, and goes on.
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("spec"), dir.path());
    let with = "value: sum(duration_min) / max(duration_min)";
    apply(dir.path(), &Replace { file: DOWNTIME_HOURS, find: "value: sum(duration_min) / 60", with });
    let (checked, diags, sources) = compile(&dir.path().join("project"));
    assert!(checked.is_some(), "a warning does not stop the check");
    let warning = diags.iter().find(|d| d.code == "W0501").expect("W0501");
    let span = warning.span.unwrap();
    let text = sources.text(span.file);
    assert_eq!(&text[span.start as usize..span.end as usize], "max(duration_min)");
    assert_eq!(text[..span.start as usize].matches('\n').count() + 1, 15);
    assert!(warning.message.contains("`sum(duration_min)`"), "{}", warning.message);
}

#[test]
fn a_derived_metric_combines_parts_with_the_same_by_or_none() {
    // security_downtime_share = security_downtime_hours / production_hours.
    for (hours_by, production_by) in
        [("[line]", ""), ("[line]", "\nby: [line]"), ("[line, cause]", "\nby: [cause, line]")]
    {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&fixture("spec"), dir.path());
        let edit = |file: &str, find: &str, with: &str| {
            let path = dir.path().join(file);
            let text = std::fs::read_to_string(&path).unwrap().replace(find, with);
            std::fs::write(&path, text).unwrap();
        };
        edit(DOWNTIME_HOURS, "by: [line]", &format!("by: {hours_by}"));
        edit(PRODUCTION, "value: sum(duration_min) / 60", &format!("value: sum(duration_min) / 60{production_by}"));
        let (checked, diags, _) = compile(&dir.path().join("project"));
        let all: Vec<_> = diags.iter().map(|d| &d.message).collect();
        assert!(checked.is_some(), "{hours_by} and {production_by:?}: {all:?}");
    }
}

#[test]
fn a_derived_metric_has_the_dimensions_of_its_parts() {
    // security_downtime_share is by [line] through security_downtime_hours.
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("spec"), dir.path());
    let metric = |id: &str, body: &str| {
        let text = format!(
            "metric: {id}\nversion: 1\ntitle: t\nlayer: outcome\nunit: h\ndirection: neutral\ngrain: quarter\n{body}"
        );
        std::fs::write(dir.path().join(format!("set/metrics/outcome/{id}.yaml")), text).unwrap();
    };
    metric("cause_hours", "source: downtime\ntime: {event: started_at}\nvalue: sum(duration_min)\nby: [cause]\n");
    metric("mixed", "value: security_downtime_share / cause_hours\n");
    let (_, diags, sources) = compile(&dir.path().join("project"));
    let all: Vec<_> = diags.iter().map(|d| (d.code, d.message.clone())).collect();
    assert_eq!(all.len(), 1, "{all:?}");
    let d = &diags.0[0];
    assert_eq!(d.code, "E0513");
    let span = d.span.unwrap();
    assert_eq!(&sources.text(span.file)[span.start as usize..span.end as usize], "cause_hours");
    assert!(d.message.contains("`security_downtime_share`, by [line]"), "{}", d.message);
}
