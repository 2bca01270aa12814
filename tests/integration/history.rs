//! Sources kept as dated revisions (`history: {recorded_at, deleted}`): a build as of a day
//! reads each key's latest revision recorded by then, so a replay from today's export gives
//! the numbers a build on that day's export gave, revised costs and recoded severities
//! included. Every expected number is worked out from the rows written in the test.

use crate::engine::{Run, run};
use crate::util::Edit;
use crate::util::Edit::{Replace, Write};

const HEADER: &str = "incident_id,detected_at,contained_at,severity,cost_eur,asset_id,recorded_at,deleted\n";
const DOWNTIME: &str = "event_id,started_at,duration_min,cause,line,incident_id\n";

/// The engine fixture's incidents kept as revisions, downtime linked to its incident, and
/// three metrics over them.
const EDITS: &[Edit] = &[
    Replace {
        file: "set/sources/incidents.yaml",
        find: "key: incident_id\n",
        with: "key: incident_id\nhistory: {recorded_at: recorded_at, deleted: deleted}\n",
    },
    Replace {
        file: "set/sources/incidents.yaml",
        find: "  asset_id: {type: string, nullable: true}\n",
        with: "  asset_id: {type: string, nullable: true}\n  recorded_at: datetime\n  deleted: {type: bool, nullable: true}\n",
    },
    Replace {
        file: "set/sources/downtime.yaml",
        find: "  line: string\n",
        with: "  line: string\n  incident_id: {type: string, nullable: true}\njoins:\n  incident: {source: incidents, on: incident_id}\n",
    },
    Write {
        file: "set/metrics/cost.yaml",
        text: crate::test_metric!("cost", "source: incidents\ntime: {event: detected_at}\nvalue: sum(cost_eur)\n"),
    },
    Write {
        file: "set/metrics/major.yaml",
        text: crate::test_metric!(
            "major",
            "source: incidents\ntime: {event: detected_at}\nvalue: count(severity in severity.major)\n"
        ),
    },
    Write {
        file: "set/metrics/major_downtime.yaml",
        text: crate::test_metric!(
            "major_downtime",
            "source: downtime\ntime: {event: started_at}\nwhere: incident.severity in severity.major\nvalue: sum(duration_min)\n"
        ),
    },
];

/// Today's export (30 June): i1's cost revised on 1 March and its severity recoded SEV3 to
/// SEV1 on 10 May; i2 deleted on 2 April (a false positive); i3's cost revised on 31 March.
const TODAY: &str = "\
i1,2024-01-15T10:00:00Z,2024-01-15T14:30:00Z,SEV3,100,A1,2024-01-15T15:00:00Z,
i1,2024-01-15T10:00:00Z,2024-01-15T14:30:00Z,SEV3,400,A1,2024-03-01T09:00:00Z,
i1,2024-01-15T10:00:00Z,2024-01-15T14:30:00Z,SEV1,400,A1,2024-05-10T09:00:00Z,
i2,2024-02-20T10:00:00Z,,SEV2,200,A2,2024-02-20T11:00:00Z,
i2,2024-02-20T10:00:00Z,,SEV2,200,A2,2024-04-02T08:00:00Z,true
i3,2024-02-25T08:00:00Z,,SEV4,50,,2024-02-25T09:00:00Z,
i3,2024-02-25T08:00:00Z,,SEV4,900,,2024-03-31T23:00:00Z,
";

/// The same export as it stood on 15 March: the revisions recorded by then.
const MID_MARCH: &str = "\
i1,2024-01-15T10:00:00Z,2024-01-15T14:30:00Z,SEV3,100,A1,2024-01-15T15:00:00Z,
i1,2024-01-15T10:00:00Z,2024-01-15T14:30:00Z,SEV3,400,A1,2024-03-01T09:00:00Z,
i2,2024-02-20T10:00:00Z,,SEV2,200,A2,2024-02-20T11:00:00Z,
i3,2024-02-25T08:00:00Z,,SEV4,50,,2024-02-25T09:00:00Z,
";

/// Stops linked to i1 (60 minutes) and i2 (30 minutes).
const STOPS: &str = "\
d1,2024-02-01T08:00:00Z,60,cyber,L1,i1
d2,2024-02-21T08:00:00Z,30,cyber,L1,i2
";

/// Site a's incidents and stops (site b exports none).
fn exports(incidents: &str, stops: &str) -> [(&'static str, String); 4] {
    [
        ("a/incidents.csv", format!("{HEADER}{incidents}")),
        ("b/incidents.csv", HEADER.to_string()),
        ("a/downtime.csv", format!("{DOWNTIME}{stops}")),
        ("b/downtime.csv", DOWNTIME.to_string()),
    ]
}

fn built(metric: &str, as_of: &str, incidents: &str) -> Run {
    run(metric, as_of, &exports(incidents, STOPS), EDITS).unwrap_or_else(|e| panic!("{metric} as of {as_of}: {e:?}"))
}

#[test]
fn a_build_reads_each_keys_latest_revision_recorded_by_its_day() {
    // As of 15 March: i1 costs 400 (revised 1 March) and is SEV3, i2 (SEV2) costs 200, i3
    // costs 50. As of 30 June: i1 is SEV1, i2 is deleted, i3 costs 900.
    let q1 = |metric: &str, as_of: &str| built(metric, as_of, TODAY).value("a", "2024-Q1");
    assert_eq!(q1("cost", "2024-03-15"), Some(650.0));
    assert_eq!(q1("cost", "2024-06-30"), Some(1300.0));
    assert_eq!(q1("major", "2024-03-15"), Some(1.0), "i2, SEV2");
    assert_eq!(q1("major", "2024-06-30"), Some(1.0), "i1, recoded SEV1; i2 deleted");
}

#[test]
fn a_join_to_a_history_source_reads_the_revision_valid_on_the_builds_day() {
    // As of 15 March only d2's incident (i2, SEV2) is major: 30 minutes. As of 30 June i1
    // is SEV1 and i2 is deleted, so d2 joins nothing: d1's 60 minutes.
    let q1 = |as_of: &str| built("major_downtime", as_of, TODAY).value("a", "2024-Q1");
    assert_eq!(q1("2024-03-15"), Some(30.0));
    assert_eq!(q1("2024-06-30"), Some(60.0));
}

#[test]
fn a_replay_equals_a_build_on_that_days_export() {
    for metric in ["cost", "major", "major_downtime"] {
        let replay = built(metric, "2024-03-15", TODAY);
        let that_day = built(metric, "2024-03-15", MID_MARCH);
        let values = |r: &Run| r.rows.iter().map(|x| (x.site.clone(), x.period.clone(), x.value)).collect::<Vec<_>>();
        assert_eq!(values(&replay), values(&that_day), "{metric}");
    }
}

#[test]
fn a_revision_recorded_later_that_day_counts_as_of_that_day() {
    // i3's revision of 31 March at 23:00 (UTC, the fixture's zone) is known at the end of
    // 31 March, not at the end of 30 March.
    let q1 = |as_of: &str| built("cost", as_of, TODAY).value("a", "2024-Q1");
    assert_eq!(q1("2024-03-30"), Some(650.0));
    assert_eq!(q1("2024-03-31"), Some(1500.0));
}

#[test]
fn a_key_is_unique_per_revision() {
    let twice = "\
i1,2024-01-15T10:00:00Z,,SEV3,100,A1,2024-01-15T15:00:00Z,
i1,2024-01-15T10:00:00Z,,SEV3,300,A1,2024-01-15T15:00:00Z,
";
    let errors =
        run("cost", "2024-03-31", &exports(twice, ""), EDITS).err().expect("two rows of one revision are refused");
    let said = errors.join("\n");
    assert!(
        said.contains("`i1` appears 2 times in the revision of 2024-01-15")
            && said.contains("unique per site and revision"),
        "{said}"
    );
}
