//! Deliberate mistakes in the SPEC fixture: each must be reported with the right code, in
//! the right file, on the right line, with the caret under the offending text.

use crate::util::{Edit, apply, compile, copy_dir, fixture};
use Edit::{Bytes, Rename, Replace, Write};
use yardstick::diag::render_all;

struct Case {
    name: &'static str,
    edits: &'static [Edit],
    code: &'static str,
    /// File (relative to the fixture) and 1-based line of the caret (0: the file as a
    /// whole, for one that cannot be read).
    file: &'static str,
    line: usize,
    /// The exact text the caret underlines.
    underlined: &'static str,
}

/// The table of cases, `name { edits, code, file, line, underlined }` each, and one test
/// per case (in `case::`), named after it.
macro_rules! cases {
    ($($name:ident { $($field:tt)* })*) => {
        const CASES: &[Case] = &[$(Case { name: stringify!($name), $($field)* }),*];
        mod case {
            $(
                #[test]
                fn $name() {
                    super::check(stringify!($name));
                }
            )*
        }
    };
}

const DOWNTIME_HOURS: &str = "set/metrics/outcome/security_downtime_hours.yaml";
const PRODUCTION: &str = "set/metrics/outcome/production_hours.yaml";
const SHARE: &str = "set/metrics/outcome/security_downtime_share.yaml";
const MAJOR: &str = "set/metrics/outcome/major_incidents.yaml";
const MTTR: &str = "set/metrics/outcome/mttr_hours.yaml";
const PROJECT: &str = "project/yardstick.yaml";
const ASSETS: &str = "set/sources/assets.yaml";
const INCIDENTS: &str = "set/sources/incidents.yaml";
const DOWNTIME: &str = "set/sources/downtime.yaml";
const CRITICALITY: &str = "set/vocab/criticality.yaml";
const SEVERITY: &str = "set/vocab/incident_severity.yaml";
const ROOT_CAUSE: &str = "set/vocab/root_cause.yaml";
const FACTORS: &str = "set/vocab/contributing_factor.yaml";

cases! {
    yaml_syntax_error {
        edits: &[Replace { file: PRODUCTION, find: "title: Hours", with: "title: \"Hours" }],
        code: "E0101",
        file: PRODUCTION,
        line: 3,
        underlined: "\"",
    }
    unknown_key {
        edits: &[Replace { file: DOWNTIME_HOURS, find: "where: cause", with: "wehre: cause" }],
        code: "E0102",
        file: DOWNTIME_HOURS,
        line: 14,
        underlined: "wehre",
    }
    duplicate_key {
        edits: &[Replace {
            file: MTTR,
            find: "title: Mean time to respond",
            with: "title: Mean time to respond\ntitle: again",
        }],
        code: "E0109",
        file: MTTR,
        line: 4,
        underlined: "title",
    }
    unknown_key_in_a_flow_mapping {
        edits: &[Replace { file: PRODUCTION, find: "{event: started_at}", with: "{evnt: started_at}" }],
        code: "E0102",
        file: PRODUCTION,
        line: 9,
        underlined: "evnt",
    }
    unknown_key_in_a_column {
        edits: &[Replace {
            file: "set/sources/incidents.yaml",
            find: "severity: {vocab: incident_severity}",
            with: "severity: {vocab: incident_severity, nulable: true}",
        }],
        code: "E0102",
        file: "set/sources/incidents.yaml",
        line: 12,
        underlined: "nulable",
    }
    wrong_value_shape {
        edits: &[Replace { file: PRODUCTION, find: "version: 1", with: "version: one" }],
        code: "E0103",
        file: PRODUCTION,
        line: 2,
        underlined: "one",
    }
    missing_required_key {
        edits: &[Replace { file: PRODUCTION, find: "unit: hours\n", with: "" }],
        code: "E0106",
        file: PRODUCTION,
        line: 1,
        underlined: "production_hours",
    }
    invalid_grain_with_suggestion {
        edits: &[Replace { file: PRODUCTION, find: "grain: quarter", with: "grain: quartr" }],
        code: "E0107",
        file: PRODUCTION,
        line: 7,
        underlined: "quartr",
    }
    unknown_column {
        edits: &[Replace { file: PRODUCTION, find: "sum(duration_min)", with: "sum(duration_mins)" }],
        code: "E0301",
        file: PRODUCTION,
        line: 10,
        underlined: "duration_mins",
    }
    unknown_join {
        edits: &[Replace { file: DOWNTIME_HOURS, find: "asset.criticality", with: "assets.criticality" }],
        code: "E0302",
        file: DOWNTIME_HOURS,
        line: 14,
        underlined: "assets",
    }
    unknown_term_with_suggestion {
        edits: &[Replace { file: MAJOR, find: "severity >= incident_severity.SEV2", with: "severity == \"SEV22\"" }],
        code: "E0304",
        file: MAJOR,
        line: 11,
        underlined: "\"SEV22\"",
    }
    unknown_group_in_block_scalar {
        edits: &[Replace { file: MAJOR, find: "information_handling", with: "info_handling" }],
        code: "E0304",
        file: MAJOR,
        line: 13,
        underlined: "info_handling",
    }
    deprecated_term {
        edits: &[Replace { file: MAJOR, find: "incident_severity.SEV2", with: "incident_severity.SEV0" }],
        code: "E0305",
        file: MAJOR,
        line: 11,
        underlined: "SEV0",
    }
    term_of_the_wrong_vocabulary {
        edits: &[Replace { file: DOWNTIME_HOURS, find: "== criticality.critical", with: "== incident_severity.SEV1" }],
        code: "E0404",
        file: DOWNTIME_HOURS,
        line: 14,
        underlined: "incident_severity.SEV1",
    }
    aggregate_in_where {
        edits: &[Replace { file: MTTR, find: "contained_at is not null and", with: "count() > 3 and" }],
        code: "E0401",
        file: MTTR,
        line: 11,
        underlined: "count()",
    }
    nested_aggregate {
        edits: &[Replace { file: PRODUCTION, find: "sum(duration_min) / 60", with: "sum(max(duration_min))" }],
        code: "E0407",
        file: PRODUCTION,
        line: 10,
        underlined: "max(duration_min)",
    }
    bare_column_in_value {
        edits: &[Replace { file: PRODUCTION, find: "sum(duration_min) / 60", with: "duration_min / 60" }],
        code: "E0402",
        file: PRODUCTION,
        line: 10,
        underlined: "duration_min",
    }
    sum_of_a_string {
        edits: &[Replace { file: PRODUCTION, find: "sum(duration_min) / 60", with: "sum(line)" }],
        code: "E0403",
        file: PRODUCTION,
        line: 10,
        underlined: "line",
    }
    ordering_on_an_unordered_vocabulary {
        edits: &[Replace {
            file: DOWNTIME_HOURS,
            find: "cause in root_cause.security_related",
            with: "cause > root_cause.cyber_event",
        }],
        code: "E0405",
        file: DOWNTIME_HOURS,
        line: 14,
        underlined: "cause",
    }
    comparing_a_date_with_a_number {
        edits: &[Replace { file: MTTR, find: "contained_at is not null and", with: "detected_at > 3 and" }],
        code: "E0406",
        file: MTTR,
        line: 11,
        underlined: "detected_at > 3",
    }
    unknown_function {
        edits: &[Replace { file: MTTR, find: "percentile(", with: "percentil(" }],
        code: "E0307",
        file: MTTR,
        line: 12,
        underlined: "percentil",
    }
    expression_syntax_error {
        edits: &[Replace { file: PRODUCTION, find: "sum(duration_min) / 60", with: "sum(duration_min) / / 60" }],
        code: "E0201",
        file: PRODUCTION,
        line: 10,
        underlined: "/",
    }
    time_column_is_not_a_date {
        edits: &[Replace { file: PRODUCTION, find: "{event: started_at}", with: "{event: line}" }],
        code: "E0412",
        file: PRODUCTION,
        line: 9,
        underlined: "line",
    }
    derived_metric_cycle {
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
    }
    derived_metric_of_another_grain {
        edits: &[Replace { file: PRODUCTION, find: "grain: quarter", with: "grain: month" }],
        code: "E0503",
        file: SHARE,
        line: 8,
        underlined: "production_hours",
    }
    derived_metric_of_parts_with_different_by {
        edits: &[Replace {
            file: PRODUCTION,
            find: "value: sum(duration_min) / 60",
            with: "value: sum(duration_min) / 60\nby: [cause]",
        }],
        code: "E0513",
        file: SHARE,
        line: 8,
        underlined: "production_hours",
    }
    metric_file_stem_mismatch {
        edits: &[Rename { from: PRODUCTION, to: "set/metrics/outcome/production_hrs.yaml" }],
        code: "E0501",
        file: "set/metrics/outcome/production_hrs.yaml",
        line: 1,
        underlined: "production_hours",
    }
    bad_reference_format {
        edits: &[Replace { file: DOWNTIME_HOURS, find: "iso27001:2022/A.5.24", with: "iso27001:2022/A.5.99" }],
        code: "E0508",
        file: DOWNTIME_HOURS,
        line: 19,
        underlined: "iso27001:2022/A.5.99",
    }
    unknown_threshold_name {
        edits: &[Replace { file: DOWNTIME_HOURS, find: "green: value <= 40", with: "green: valu <= 40" }],
        code: "E0310",
        file: DOWNTIME_HOURS,
        line: 18,
        underlined: "valu",
    }
    unknown_column_type {
        edits: &[Replace {
            file: "set/sources/downtime.yaml",
            find: "duration_min: float",
            with: "duration_min: flaot",
        }],
        code: "E0117",
        file: "set/sources/downtime.yaml",
        line: 6,
        underlined: "flaot",
    }
    join_onto_an_unknown_source {
        edits: &[Replace { file: "set/sources/downtime.yaml", find: "{source: assets", with: "{source: asset" }],
        code: "E0308",
        file: "set/sources/downtime.yaml",
        line: 11,
        underlined: "asset",
    }
    mapping_onto_a_missing_term {
        edits: &[Replace { file: "project/sites/lyon.yaml", find: "\"P4\": SEV4", with: "\"P4\": SEV44" }],
        code: "E0304",
        file: "project/sites/lyon.yaml",
        line: 1,
        underlined: "SEV44",
    }
    mapping_of_an_unknown_vocabulary {
        edits: &[Replace { file: "project/sites/lyon.yaml", find: "root_cause:", with: "root_causes:" }],
        code: "E0309",
        file: "project/sites/lyon.yaml",
        line: 2,
        underlined: "root_causes",
    }
    unknown_source_in_a_binding {
        edits: &[Replace { file: PROJECT, find: "  assets:    {file:", with: "  asets:    {file:" }],
        code: "E0308",
        file: PROJECT,
        line: 21,
        underlined: "asets",
    }
    set_version_outside_requires {
        edits: &[Replace { file: PROJECT, find: "\">=1.0, <2\"", with: "\">=2.0\"" }],
        code: "E0602",
        file: PROJECT,
        line: 3,
        underlined: "\">=2.0\"",
    }
    coverage_of_an_unbound_source {
        edits: &[Replace { file: PROJECT, find: "      downtime: {from", with: "      downtme: {from" }],
        code: "E0607",
        file: PROJECT,
        line: 14,
        underlined: "downtme",
    }
    unknown_site_in_context {
        edits: &[Replace { file: "project/context.yaml", find: "site: lyon", with: "site: lyom" }],
        code: "E0612",
        file: "project/context.yaml",
        line: 1,
        underlined: "lyom",
    }
    invalid_date {
        edits: &[Replace { file: PROJECT, find: "rollout: 2024-04-01", with: "rollout: 2024-04-31" }],
        code: "E0108",
        file: PROJECT,
        line: 17,
        underlined: "2024-04-31",
    }
    snapshot_column_that_is_not_a_date {
        edits: &[Replace { file: ASSETS, find: "snapshot: taken_on", with: "snapshot: criticality" }],
        code: "E0124",
        file: ASSETS,
        line: 4,
        underlined: "criticality",
    }
    snapshot_column_that_may_be_empty {
        edits: &[Replace { file: ASSETS, find: "snapshot: taken_on", with: "snapshot: retire_by" }],
        code: "E0124",
        file: ASSETS,
        line: 4,
        underlined: "retire_by",
    }
    history_on_a_column_that_may_be_empty {
        edits: &[Replace { file: INCIDENTS, find: "collection: automated", with: "history: {recorded_at: contained_at}\ncollection: automated" }],
        code: "E0125",
        file: INCIDENTS,
        line: 5,
        underlined: "contained_at",
    }
    history_deleted_mark_that_is_not_a_bool {
        edits: &[Replace { file: INCIDENTS, find: "collection: automated", with: "history: {recorded_at: detected_at, deleted: severity}\ncollection: automated" }],
        code: "E0125",
        file: INCIDENTS,
        line: 5,
        underlined: "severity",
    }
    history_without_a_key {
        edits: &[Replace { file: DOWNTIME, find: "columns:", with: "history: {recorded_at: started_at}\ncolumns:" }],
        code: "E0126",
        file: DOWNTIME,
        line: 4,
        underlined: "started_at",
    }
    history_beside_snapshots {
        edits: &[Replace { file: ASSETS, find: "snapshot: taken_on", with: "snapshot: taken_on\nhistory: {recorded_at: taken_on}" }],
        code: "E0126",
        file: ASSETS,
        line: 5,
        underlined: "taken_on",
    }
    attribute_of_a_type_no_term_carries {
        edits: &[Replace { file: SEVERITY, find: "groups:\n", with: "attributes:\n  notes: string\ngroups:\n" }],
        code: "E0127",
        file: SEVERITY,
        line: 13,
        underlined: "string",
    }
    attribute_a_term_gives_undeclared {
        edits: &[
            Replace { file: SEVERITY, find: "groups:\n", with: "attributes:\n  response_hours: int\ngroups:\n" },
            Replace { file: SEVERITY, find: "{label: High,", with: "{label: High, attributes: {respond_hours: 4}," },
        ],
        code: "E0128",
        file: SEVERITY,
        line: 7,
        underlined: "respond_hours",
    }
    attribute_value_of_the_wrong_type {
        edits: &[
            Replace { file: SEVERITY, find: "groups:\n", with: "attributes:\n  response_hours: int\ngroups:\n" },
            Replace { file: SEVERITY, find: "{label: High,", with: "{label: High, attributes: {response_hours: 4.5}," },
        ],
        code: "E0128",
        file: SEVERITY,
        line: 7,
        underlined: "4.5",
    }
    attribute_list_of_an_unknown_term {
        edits: &[
            Replace { file: SEVERITY, find: "groups:\n", with: "attributes:\n  typical_factors: {list: {vocab: contributing_factor}}\ngroups:\n" },
            Replace { file: SEVERITY, find: "{label: High,", with: "{label: High, attributes: {typical_factors: [missing_log]}," },
        ],
        code: "E0304",
        file: SEVERITY,
        line: 7,
        underlined: "missing_log",
    }
    attribute_the_vocabulary_does_not_declare {
        edits: &[Replace { file: MAJOR, find: "value: count()", with: "value: sum(attribute(severity, \"response_hours\"))" }],
        code: "E0312",
        file: MAJOR,
        line: 14,
        underlined: "\"response_hours\"",
    }
    attribute_of_a_value_that_is_no_term {
        edits: &[Replace { file: MAJOR, find: "value: count()", with: "value: sum(attribute(cost_eur, \"response_hours\"))" }],
        code: "E0403",
        file: MAJOR,
        line: 14,
        underlined: "cost_eur",
    }
    scope_the_set_does_not_declare {
        edits: &[Replace { file: MAJOR, find: "value: count()", with: "value: count()\nscope: nis2" }],
        code: "E0520",
        file: MAJOR,
        line: 15,
        underlined: "nis2",
    }
    order_naming_no_metric {
        edits: &[Replace { file: "set/set.yaml", find: "description:", with: "order: [major_incidents, major_incident]\ndescription:" }],
        code: "E0521",
        file: "set/set.yaml",
        line: 3,
        underlined: "major_incident",
    }
    site_in_a_scope_the_set_does_not_declare {
        edits: &[
            Replace { file: "set/set.yaml", find: "description:", with: "scopes: {nis2: Sites in scope of NIS2}\ndescription:" },
            Replace { file: PROJECT, find: "    rollout: 2024-01-01             # ISMS rollout at this site", with: "    rollout: 2024-01-01\n    scopes: [nis-2]" },
        ],
        code: "E0626",
        file: PROJECT,
        line: 12,
        underlined: "nis-2",
    }
    planned_on_a_number {
        edits: &[Replace { file: INCIDENTS, find: "nullable: true, min: 0}", with: "nullable: true, planned: true}" }],
        code: "E0121",
        file: INCIDENTS,
        line: 15,
        underlined: "true",
    }
    bounds_on_a_string {
        edits: &[Replace {
            file: INCIDENTS,
            find: "asset_id: {type: string, nullable: true}",
            with: "asset_id: {type: string, nullable: true, max: 99}",
        }],
        code: "E0122",
        file: INCIDENTS,
        line: 14,
        underlined: "99",
    }
    min_above_max {
        edits: &[Replace { file: INCIDENTS, find: "min: 0}", with: "min: 100, max: 10}" }],
        code: "E0123",
        file: INCIDENTS,
        line: 15,
        underlined: "100",
    }
    delimiter_of_two_characters {
        edits: &[Replace {
            file: PROJECT,
            find: "  incidents: {file: \"data/{site}/incidents.csv\"}",
            with: "  incidents: {file: \"data/{site}/incidents.csv\", csv: {delimiter: \";;\"}}",
        }],
        code: "E0620",
        file: PROJECT,
        line: 19,
        underlined: "\";;\"",
    }
    decimal_comma_in_a_comma_separated_file {
        edits: &[Replace {
            file: PROJECT,
            find: "  incidents: {file: \"data/{site}/incidents.csv\"}",
            with: "  incidents: {file: \"data/{site}/incidents.csv\", csv: {decimal: \",\"}}",
        }],
        code: "E0620",
        file: PROJECT,
        line: 19,
        underlined: "\",\"",
    }
    unknown_encoding_with_suggestion {
        edits: &[Replace {
            file: PROJECT,
            find: "  incidents: {file: \"data/{site}/incidents.csv\"}",
            with: "  incidents: {file: \"data/{site}/incidents.csv\", csv: {encoding: windows-1205}}",
        }],
        code: "E0620",
        file: PROJECT,
        line: 19,
        underlined: "windows-1205",
    }
    date_format_without_the_year {
        edits: &[Replace {
            file: PROJECT,
            find: "  incidents: {file: \"data/{site}/incidents.csv\"}",
            with: "  incidents: {file: \"data/{site}/incidents.csv\", date_format: \"%d.%m.\"}",
        }],
        code: "E0620",
        file: PROJECT,
        line: 19,
        underlined: "\"%d.%m.\"",
    }
    csv_options_on_a_parquet_file {
        edits: &[Replace {
            file: PROJECT,
            find: "  downtime:  {file: \"data/{site}/downtime.parquet\"}",
            with: "  downtime:  {file: \"data/{site}/downtime.parquet\", csv: {delimiter: \";\"}}",
        }],
        code: "E0620",
        file: PROJECT,
        line: 20,
        underlined: "{",
    }
    site_source_neither_none_nor_a_binding {
        edits: &[Replace {
            file: PROJECT,
            find: "    rollout: 2024-04-01",
            with: "    rollout: 2024-04-01\n    sources: {incidents: nothing}",
        }],
        code: "E0618",
        file: PROJECT,
        line: 18,
        underlined: "nothing",
    }
    source_bound_at_one_site_only {
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
    }
    unknown_time_zone_with_suggestion {
        edits: &[Replace {
            file: PROJECT,
            find: "    title: Brno assembly plant",
            with: "    title: Brno assembly plant\n    timezone: Europe/Pari",
        }],
        code: "E0616",
        file: PROJECT,
        line: 17,
        underlined: "Europe/Pari",
    }
    snapshot_time_over_a_source_without_snapshots {
        edits: &[Replace { file: PRODUCTION, find: "{event: started_at}", with: "{snapshot: started_at}" }],
        code: "E0514",
        file: PRODUCTION,
        line: 9,
        underlined: "started_at",
    }
    snapshot_time_by_another_column {
        edits: &[Write {
            file: "set/metrics/outcome/critical_assets.yaml",
            text: "metric: critical_assets\nversion: 1\ntitle: Critical assets\nlayer: risk\nunit: assets\ndirection: neutral\ngrain: quarter\nsource: assets\ntime: {snapshot: retire_by}\nwhere: criticality == criticality.critical\nvalue: count()\n",
        }],
        code: "E0514",
        file: "set/metrics/outcome/critical_assets.yaml",
        line: 9,
        underlined: "retire_by",
    }
    // Every code below had no case before; each is emitted where the mistake is written.
    not_utf8_file {
        edits: &[Bytes { file: "set/vocab/broken.yaml", bytes: b"vocabulary: broken\ntitle: \xff\n" }],
        code: "E0104",
        file: "set/vocab/broken.yaml",
        line: 0,
        underlined: "",
    }
    definitions_without_set_yaml {
        edits: &[Replace { file: PROJECT, find: "definitions: ../set", with: "definitions: sites" }],
        code: "E0105",
        file: "project/sites/set.yaml",
        line: 0,
        underlined: "",
    }
    set_version_not_semantic {
        edits: &[Replace { file: "set/set.yaml", find: "version: 1.2.0", with: "version: one.two" }],
        code: "E0110",
        file: "set/set.yaml",
        line: 2,
        underlined: "one.two",
    }
    vocabulary_defined_twice {
        edits: &[Write { file: "set/vocab/criticality_again.yaml", text: "vocabulary: criticality\nterms:\n  a: {label: A}\n" }],
        code: "E0111",
        file: "set/vocab/criticality_again.yaml",
        line: 1,
        underlined: "criticality",
    }
    term_code_not_a_word {
        edits: &[Replace { file: CRITICALITY, find: "  low: {label: Low}", with: "  9low: {label: Low}" }],
        code: "E0112",
        file: CRITICALITY,
        line: 7,
        underlined: "9low",
    }
    deprecated_code_still_a_term {
        edits: &[Replace { file: SEVERITY, find: "  SEV0: SEV1", with: "  SEV4: SEV1" }],
        code: "E0113",
        file: SEVERITY,
        line: 15,
        underlined: "SEV4",
    }
    group_contains_itself {
        edits: &[Replace { file: ROOT_CAUSE, find: "[cyber_event, unauthorized_change, configuration_error]", with: "[cyber_event, security_related]" }],
        code: "E0114",
        file: ROOT_CAUSE,
        line: 9,
        underlined: "security_related",
    }
    schema_declares_site {
        edits: &[Replace { file: ASSETS, find: "  asset_id: string", with: "  asset_id: string\n  site: string" }],
        code: "E0115",
        file: ASSETS,
        line: 7,
        underlined: "site",
    }
    join_onto_a_source_without_key {
        edits: &[Replace { file: INCIDENTS, find: "asset: {source: assets, on: asset_id}", with: "asset: {source: downtime, on: asset_id}" }],
        code: "E0116",
        file: INCIDENTS,
        line: 18,
        underlined: "downtime",
    }
    group_named_like_a_term {
        edits: &[Replace { file: FACTORS, find: "  information_handling: [", with: "  missing_logs: [" }],
        code: "E0118",
        file: FACTORS,
        line: 8,
        underlined: "missing_logs",
    }
    join_column_of_another_type {
        edits: &[Replace { file: DOWNTIME, find: "asset_id: {type: string, nullable: true}", with: "asset_id: {type: int, nullable: true}" }],
        code: "E0119",
        file: DOWNTIME,
        line: 11,
        underlined: "asset_id",
    }
    join_named_like_a_vocabulary {
        edits: &[Replace { file: INCIDENTS, find: "asset: {source: assets, on: asset_id}", with: "criticality: {source: assets, on: asset_id}" }],
        code: "E0303",
        file: INCIDENTS,
        line: 18,
        underlined: "criticality",
    }
    unknown_metric_in_a_derived_value {
        edits: &[Replace { file: SHARE, find: "/ production_hours", with: "/ productio_hours" }],
        code: "E0306",
        file: SHARE,
        line: 8,
        underlined: "productio_hours",
    }
    name_with_three_parts {
        edits: &[Replace { file: DOWNTIME_HOURS, find: "asset.criticality ==", with: "asset.criticality.x ==" }],
        code: "E0311",
        file: DOWNTIME_HOURS,
        line: 14,
        underlined: "asset.criticality.x",
    }
    wrong_number_of_arguments {
        edits: &[Replace { file: MTTR, find: "hours_between(detected_at, contained_at)", with: "hours_between(detected_at)" }],
        code: "E0409",
        file: MTTR,
        line: 12,
        underlined: "hours_between(detected_at)",
    }
    value_not_a_number {
        edits: &[Replace { file: MAJOR, find: "value: count()", with: "value: count() > 3" }],
        code: "E0410",
        file: MAJOR,
        line: 14,
        underlined: "count() > 3",
    }
    where_not_a_condition {
        edits: &[Replace { file: DOWNTIME_HOURS, find: "where: cause in root_cause.security_related and asset.criticality == criticality.critical", with: "where: duration_min" }],
        code: "E0411",
        file: DOWNTIME_HOURS,
        line: 14,
        underlined: "duration_min",
    }
    percentile_out_of_range {
        edits: &[Replace { file: MTTR, find: "contained_at), 90)", with: "contained_at), 190)" }],
        code: "E0413",
        file: MTTR,
        line: 12,
        underlined: "190",
    }
    metric_defined_twice {
        edits: &[Write { file: "set/metrics/mttr_hours.yaml", text: "metric: mttr_hours\nversion: 1\ntitle: t\nlayer: risk\nunit: hours\ndirection: lower_is_better\ngrain: quarter\nsource: incidents\ntime: {event: detected_at}\nvalue: count()\n" }],
        code: "E0502",
        file: MTTR,
        line: 1,
        underlined: "mttr_hours",
    }
    derived_metric_with_where {
        edits: &[Replace { file: SHARE, find: "value: security_downtime_hours / production_hours", with: "value: security_downtime_hours / production_hours\nwhere: line == \"L1\"" }],
        code: "E0505",
        file: SHARE,
        line: 1,
        underlined: "security_downtime_share",
    }
    threshold_other_than_green_and_amber {
        edits: &[Replace { file: DOWNTIME_HOURS, find: "amber: value <= 60", with: "red: value <= 60" }],
        code: "E0507",
        file: DOWNTIME_HOURS,
        line: 18,
        underlined: "red",
    }
    site_in_by {
        edits: &[Replace { file: DOWNTIME_HOURS, find: "by: [line]", with: "by: [line, site]" }],
        code: "E0509",
        file: DOWNTIME_HOURS,
        line: 16,
        underlined: "site",
    }
    list_column_in_by {
        edits: &[Replace { file: MAJOR, find: "value: count()", with: "value: count()\nby: [factors]" }],
        code: "E0512",
        file: MAJOR,
        line: 15,
        underlined: "factors",
    }
    requires_not_a_requirement {
        edits: &[Replace { file: PROJECT, find: "requires: \">=1.0, <2\"", with: "requires: \"about one\"" }],
        code: "E0601",
        file: PROJECT,
        line: 3,
        underlined: "\"about one\"",
    }
    definitions_folder_missing {
        edits: &[Replace { file: PROJECT, find: "definitions: ../set", with: "definitions: ../sett" }],
        code: "E0603",
        file: PROJECT,
        line: 2,
        underlined: "../sett",
    }
    mappings_file_missing {
        edits: &[Replace { file: PROJECT, find: "mappings: sites/lyon.yaml", with: "mappings: sites/lyons.yaml" }],
        code: "E0604",
        file: PROJECT,
        line: 12,
        underlined: "sites/lyons.yaml",
    }
    fiscal_year_start_not_a_month {
        edits: &[Replace { file: PROJECT, find: "{fiscal_year_start: 1}", with: "{fiscal_year_start: 13}" }],
        code: "E0605",
        file: PROJECT,
        line: 5,
        underlined: "13",
    }
    baseline_of_no_months {
        edits: &[Replace { file: PROJECT, find: "{months_before_rollout: 12}", with: "{months_before_rollout: 0}" }],
        code: "E0606",
        file: PROJECT,
        line: 6,
        underlined: "0",
    }
    data_file_of_unknown_format {
        edits: &[Replace { file: PROJECT, find: "data/{site}/incidents.csv", with: "data/{site}/incidents.txt" }],
        code: "E0609",
        file: PROJECT,
        line: 19,
        underlined: "\"data/{site}/incidents.txt\"",
    }
    baseline_window_backwards {
        edits: &[Replace { file: PROJECT, find: "{months_before_rollout: 12}", with: "{from: 2023-12-31, to: 2023-01-01}" }],
        code: "E0615",
        file: PROJECT,
        line: 6,
        underlined: "2023-01-01",
    }
    coverage_backwards {
        edits: &[Replace { file: PROJECT, find: "{from: 2023-06-01, collection: manual}", with: "{from: 2023-06-01, to: 2023-01-01}" }],
        code: "E0617",
        file: PROJECT,
        line: 14,
        underlined: "2023-01-01",
    }
    confidence_not_a_level {
        edits: &[Replace { file: PROJECT, find: "unmapped: error", with: "unmapped: error\njudgement: {confidence: 1.5}" }],
        code: "E0624",
        file: PROJECT,
        line: 8,
        underlined: "1.5",
    }
    window_of_one_period {
        edits: &[Replace { file: MAJOR, find: "value: count()", with: "value: count()\nwindow: 1" }],
        code: "E0518",
        file: MAJOR,
        line: 15,
        underlined: "1",
    }
    window_on_a_mean {
        edits: &[Replace { file: MTTR, find: "grain: quarter", with: "grain: quarter\nwindow: 4" }],
        code: "E0518",
        file: MTTR,
        line: 9,
        underlined: "4",
    }
    exposure_not_a_metric {
        edits: &[Replace { file: PRODUCTION, find: "grain: quarter", with: "grain: quarter\nexposure: production_hour" }],
        code: "E0519",
        file: PRODUCTION,
        line: 8,
        underlined: "production_hour",
    }
    exposure_judged_per_another {
        edits: &[
            Replace { file: PRODUCTION, find: "grain: quarter", with: "grain: quarter\nexposure: major_incidents" },
            Replace { file: MAJOR, find: "grain: month", with: "grain: quarter\nexposure: production_hours" },
        ],
        code: "E0519",
        file: MAJOR,
        line: 8,
        underlined: "production_hours",
    }
    exposure_on_a_percentile {
        edits: &[Replace { file: MTTR, find: "grain: quarter", with: "grain: quarter\nexposure: production_hours" }],
        code: "E0519",
        file: MTTR,
        line: 9,
        underlined: "production_hours",
    }
    green_not_a_rule {
        edits: &[Replace { file: PROJECT, find: "unmapped: error", with: "unmapped: error\njudgement: {green: strict}" }],
        code: "E0625",
        file: PROJECT,
        line: 8,
        underlined: "strict",
    }
    report_template_missing {
        edits: &[Replace { file: PROJECT, find: "{template: leadership,", with: "{template: leadershp," }],
        code: "E0621",
        file: PROJECT,
        line: 23,
        underlined: "leadershp",
    }
}

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
    let all: Vec<(&str, &str)> = diags.iter().map(|d| (d.code.as_str(), d.message.as_str())).collect();
    let found = diags.iter().find(|d| d.code == case.code).ok_or_else(|| format!("no {} among {all:?}", case.code))?;
    let root = dir.path().display().to_string();
    let rendered = render_all(diags.iter(), &sources, false).replace(&root, "[fixture]");
    // A file that cannot be read has no line: the diagnostic names the file.
    if case.line == 0 {
        let path = found.path.as_ref().ok_or_else(|| format!("{} names no file", case.code))?;
        return match path.ends_with(case.file) && found.span.is_none() {
            true => Ok(rendered),
            false => Err(format!("reported in {} instead of {}", path.display(), case.file)),
        };
    }
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
    Ok(rendered)
}

/// The case `name`: reported with its code, where the mistake was made, and rendered as
/// its snapshot shows.
fn check(name: &str) {
    let case = CASES.iter().find(|c| c.name == name).expect("a case of the table");
    let rendered = run(case).unwrap_or_else(|why| panic!("{name}: {why}"));
    insta::with_settings!({ snapshot_suffix => name, prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("diagnostic", rendered);
    });
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
    let codes: Vec<&str> = diags.iter().map(|d| d.code.as_str()).collect();
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
    let codes: Vec<&str> = diags.iter().map(|d| d.code.as_str()).collect();
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
    let all: Vec<_> = diags.iter().map(|d| (d.code.as_str(), d.message.clone())).collect();
    assert_eq!(all.len(), 1, "{all:?}");
    let d = &diags.0[0];
    assert_eq!(d.code, "E0513");
    let span = d.span.unwrap();
    assert_eq!(&sources.text(span.file)[span.start as usize..span.end as usize], "cause_hours");
    assert!(d.message.contains("`security_downtime_share`, by [line]"), "{}", d.message);
}

/// A mistake in a site's data: the engine fixture with a few valid rows at both sites
/// (`commands::ENGINE_DATA`), `files` written over them, then every file read and every
/// metric computed as of 2025-12-31. The diagnostic names the data file and its line.
struct DataCase {
    files: &'static [(&'static str, &'static str)],
    edits: &'static [Edit],
    code: &'static str,
    /// The data file (under `project/data/`) the diagnostic names, if it names one.
    file: Option<&'static str>,
    /// The line of the file it names, if it names one.
    line: Option<usize>,
}

fn check_data_case(case: &DataCase) {
    let dir = crate::commands::engine_with_data();
    for edit in case.edits {
        apply(dir.path(), edit);
    }
    for (path, text) in case.files {
        std::fs::write(dir.path().join("project/data").join(path), text).unwrap();
    }
    let (checked, diags, _) = compile(&dir.path().join("project"));
    let checked = checked.unwrap_or_else(|| panic!("{:?}", diags.iter().map(|d| &d.message).collect::<Vec<_>>()));
    let as_of = chrono::NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
    let found = yardstick::publish::check_data(&checked, checked.project.as_ref().unwrap(), as_of);
    let mut all: Vec<yardstick::diag::Diagnostic> = [found.warnings, found.errors, found.failed, found.thin].concat();
    if all.iter().all(|d| d.is_error() || d.code != case.code) {
        let ids = checked.set.ids();
        let request = yardstick::plan::Request { metrics: &ids, as_of, grain: None, to_date: false };
        all.extend(yardstick::compute(&checked, &request).map_or_else(|e| e, |r| r.warnings));
    }
    let codes: Vec<(&str, &str)> = all.iter().map(|d| (d.code.as_str(), d.message.as_str())).collect();
    let d = all.iter().find(|d| d.code == case.code).unwrap_or_else(|| panic!("no {} among {codes:?}", case.code));
    if let Some(file) = case.file {
        let path = d.path.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
        let named = path.ends_with(file) || d.message.contains(&format!("data/{file}"));
        assert!(named, "{} names neither path nor message {file}: {} ({path})", case.code, d.message);
    }
    if let Some(line) = case.line {
        assert!(d.message.contains(&format!("line {line}")), "{} is not about line {line}: {}", case.code, d.message);
    }
}

/// One test per data case, named after it (in `data_case::`).
macro_rules! data_cases {
    ($($name:ident { $($field:tt)* })*) => {
        mod data_case {
            use super::*;
            $(
                #[test]
                fn $name() {
                    check_data_case(&DataCase { $($field)* });
                }
            )*
        }
    };
}

data_cases! {
    value_that_does_not_parse {
        files: &[("a/downtime.csv", "event_id,started_at,duration_min,cause,line\nd1,2024-03-03T03:00:00Z,120,cyber,L1\nd2,2025-10-10T10:00:00Z,forty,equipment,L2\n")],
        edits: &[],
        code: "E0701",
        file: Some("a/downtime.csv"),
        line: Some(3),
    }
    row_with_more_fields_than_the_header {
        files: &[("b/risks.csv", "risk_id,opened_on,closed_on,rating\ns1,2024-02-01,,5\ns2,2024-03-01,,4,extra\n")],
        edits: &[],
        code: "E0704",
        file: Some("b/risks.csv"),
        line: Some(3),
    }
    deprecated_code_in_the_data {
        files: &[("a/incidents.csv", "incident_id,detected_at,contained_at,severity,cost_eur,asset_id\ni1,2024-02-10T08:00:00Z,2024-02-10T20:00:00Z,SEV0,1200,A1\n")],
        edits: &[],
        code: "W0702",
        file: None,
        line: None,
    }
    baseline_covered_for_three_months {
        files: &[],
        edits: &[Replace {
            file: "project/yardstick.yaml",
            find: "a: {rollout: 2024-07-01}",
            with: "a: {rollout: 2024-07-01, coverage: {incidents: {from: 2024-04-01}}}",
        }],
        code: "W0801",
        file: None,
        line: None,
    }
    baseline_worse_than_before {
        files: &[("a/incidents.csv", "incident_id,detected_at,contained_at,severity,cost_eur,asset_id\no0,2023-03-15T08:00:00Z,,SEV3,,\no1,2023-09-15T08:00:00Z,,SEV3,,\nb0,2024-01-10T08:00:00Z,,SEV3,,\nb1,2024-02-10T08:00:00Z,,SEV3,,\nb2,2024-03-10T08:00:00Z,,SEV3,,\nb3,2024-04-10T08:00:00Z,,SEV3,,\nb4,2024-05-10T08:00:00Z,,SEV3,,\nb5,2024-06-10T08:00:00Z,,SEV3,,\nb6,2024-01-11T08:00:00Z,,SEV3,,\nb7,2024-02-11T08:00:00Z,,SEV3,,\nb8,2024-03-11T08:00:00Z,,SEV3,,\nb9,2024-04-11T08:00:00Z,,SEV3,,\nb10,2024-05-11T08:00:00Z,,SEV3,,\nb11,2024-06-11T08:00:00Z,,SEV3,,\n")],
        edits: &[Replace { file: "project/yardstick.yaml", find: "start: 2024-01-01", with: "start: 2023-01-01" }],
        code: "W0803",
        file: None,
        line: None,
    }
    quarters_that_swing_with_the_season {
        files: &[("a/incidents.csv", "incident_id,detected_at,contained_at,severity,cost_eur,asset_id\ns202300,2023-02-01T08:00:00Z,,SEV3,,\ns202301,2023-02-02T08:00:00Z,,SEV3,,\ns202302,2023-02-03T08:00:00Z,,SEV3,,\ns202303,2023-02-04T08:00:00Z,,SEV3,,\ns202304,2023-02-05T08:00:00Z,,SEV3,,\ns202305,2023-02-06T08:00:00Z,,SEV3,,\ns202306,2023-02-07T08:00:00Z,,SEV3,,\ns202307,2023-02-08T08:00:00Z,,SEV3,,\ns202308,2023-02-09T08:00:00Z,,SEV3,,\ns202309,2023-02-10T08:00:00Z,,SEV3,,\ns202310,2023-05-01T08:00:00Z,,SEV3,,\ns202320,2023-08-01T08:00:00Z,,SEV3,,\ns202321,2023-08-02T08:00:00Z,,SEV3,,\ns202330,2023-11-01T08:00:00Z,,SEV3,,\ns202400,2024-02-01T08:00:00Z,,SEV3,,\ns202401,2024-02-02T08:00:00Z,,SEV3,,\ns202402,2024-02-03T08:00:00Z,,SEV3,,\ns202403,2024-02-04T08:00:00Z,,SEV3,,\ns202404,2024-02-05T08:00:00Z,,SEV3,,\ns202405,2024-02-06T08:00:00Z,,SEV3,,\ns202406,2024-02-07T08:00:00Z,,SEV3,,\ns202407,2024-02-08T08:00:00Z,,SEV3,,\ns202408,2024-02-09T08:00:00Z,,SEV3,,\ns202409,2024-02-10T08:00:00Z,,SEV3,,\ns2024010,2024-02-11T08:00:00Z,,SEV3,,\ns2024011,2024-02-12T08:00:00Z,,SEV3,,\ns202410,2024-05-01T08:00:00Z,,SEV3,,\ns202411,2024-05-02T08:00:00Z,,SEV3,,\ns202420,2024-08-01T08:00:00Z,,SEV3,,\ns202430,2024-11-01T08:00:00Z,,SEV3,,\ns202500,2025-02-01T08:00:00Z,,SEV3,,\ns202501,2025-02-02T08:00:00Z,,SEV3,,\ns202502,2025-02-03T08:00:00Z,,SEV3,,\ns202503,2025-02-04T08:00:00Z,,SEV3,,\ns202504,2025-02-05T08:00:00Z,,SEV3,,\ns202505,2025-02-06T08:00:00Z,,SEV3,,\ns202506,2025-02-07T08:00:00Z,,SEV3,,\ns202507,2025-02-08T08:00:00Z,,SEV3,,\ns202508,2025-02-09T08:00:00Z,,SEV3,,\ns202510,2025-05-01T08:00:00Z,,SEV3,,\ns202520,2025-08-01T08:00:00Z,,SEV3,,\ns202530,2025-11-01T08:00:00Z,,SEV3,,\ns202531,2025-11-02T08:00:00Z,,SEV3,,\n")],
        edits: &[Replace { file: "project/yardstick.yaml", find: "start: 2024-01-01", with: "start: 2023-01-01" }],
        code: "W0804",
        file: None,
        line: None,
    }
    baseline_events_that_cluster {
        files: &[("a/incidents.csv", "incident_id,detected_at,contained_at,severity,cost_eur,asset_id\ni1,2024-01-02T08:00:00Z,,SEV3,,\ni2,2024-01-03T08:00:00Z,,SEV3,,\ni3,2024-01-04T08:00:00Z,,SEV3,,\ni4,2024-01-05T08:00:00Z,,SEV3,,\ni5,2024-01-06T08:00:00Z,,SEV3,,\ni6,2024-01-07T08:00:00Z,,SEV3,,\n")],
        edits: &[],
        code: "W0802",
        file: None,
        line: None,
    }
}

#[test]
fn computing_a_definition_set_alone_is_refused() {
    let (checked, _, _) = compile(&fixture("spec/set"));
    let checked = checked.expect("the set checks");
    let metrics = [yardstick::ir::MetricId("mttr_hours".into())];
    let as_of = chrono::NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
    let errors = yardstick::compute(
        &checked,
        &yardstick::plan::Request { metrics: &metrics, as_of, grain: None, to_date: false },
    )
    .expect_err("no project, no data");
    assert_eq!(errors.iter().map(|d| d.code.as_str()).collect::<Vec<_>>(), ["E0801"]);
}

#[test]
fn a_metric_that_does_not_check_is_not_blamed_again_by_the_sets_order() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("spec"), dir.path());
    let order = Replace { file: "set/set.yaml", find: "description:", with: "order: [major_incidents]\ndescription:" };
    apply(dir.path(), &order);
    let unknown = CASES.iter().find(|c| c.name == "attribute_the_vocabulary_does_not_declare").unwrap();
    for edit in unknown.edits {
        apply(dir.path(), edit);
    }
    let (_, diags, _) = compile(&dir.path().join("project"));
    let codes: Vec<&str> = diags.iter().map(|d| d.code.as_str()).collect();
    // The metric's own mistake, once; `order:` names a metric whose file is there.
    assert_eq!(codes, ["E0312"], "{:?}", diags.iter().map(|d| &d.message).collect::<Vec<_>>());
    // Listed twice, it is still said to be listed twice.
    let again = Replace {
        file: "set/set.yaml",
        find: "order: [major_incidents]",
        with: "order: [major_incidents, major_incidents]",
    };
    apply(dir.path(), &again);
    let (_, diags, _) = compile(&dir.path().join("project"));
    let mut said: Vec<(&str, &str)> = diags.iter().map(|d| (d.code.as_str(), d.message.as_str())).collect();
    said.sort();
    assert_eq!(said.len(), 2, "{said:?}");
    assert_eq!((said[0].0, said[1]), ("E0312", ("E0521", "`order:` lists metric `major_incidents` twice")), "{said:?}");
}
