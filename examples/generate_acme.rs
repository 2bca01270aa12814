//! Writes the Acme example's plant exports: Acme is an automotive supplier with three
//! plants (Lyon stamping, Brno assembly, Porto paint shop), each with a 12-month baseline
//! before its ISMS rollout, and a story a plant auditor can believe
//! (`examples/acme/README.md` gives the figures and why they were chosen).
//!
//! ```text
//! cargo run --example generate-acme -- --years 4 --scale 1 [--seed 2029] [--out examples/acme/data]
//! ```
//!
//! Deterministic: the same arguments write the same bytes. `--scale N` multiplies the row
//! counts of the event exports, for benchmarks. The story (`examples/acme/context.yaml`):
//! - the ISMS arrives in order at each plant: scope at rollout, the risk assessment (with
//!   new scoring criteria) two months later, the Statement of Applicability at three, the
//!   first internal audit at nine, certification at twelve, surveillance every year;
//! - processes ramp in over the year after rollout: access hygiene, patching, training,
//!   restore tests, risk treatment, audit readiness;
//! - outcomes follow with a validation lag of two quarters and move modestly: security
//!   stops per production hour about a quarter rarer and 15% shorter once mature, a change only
//!   the trend over several years shows, not every quarter;
//! - the detection paradox of seed section 8: monitoring arrives with the ISMS, so more
//!   incidents are found, most of them minor and found by the monitoring itself;
//! - every security stop of a line is investigated: logged under investigation, recoded
//!   when its cause is found (or left unknown), and linked to the incident it was; the
//!   registers of incidents and stops are exported as revision histories;
//! - Lyon commissions a second press line on 15 March 2023, on three shifts: production
//!   hours, and with them raw security downtime, grow by more than half while downtime per
//!   production hour does not;
//! - Brno's MES vendor upgrade on 1 February 2024 ends the historian-interface configuration
//!   errors that stopped its lines, a step down that owes nothing to the ISMS;
//! - Porto's ransomware stop of 9 October 2023 (31 hours on line 2) lies in Porto's baseline;
//!   Porto logs downtime by hand from July 2022 only, exports local plant time without
//!   offsets, and runs legacy paint-shop controllers that cannot be patched without
//!   requalification;
//! - Brno's own codes for severity, root cause and quality records; the ERP becomes
//!   critical six months after each rollout, when the risk assessment finds it schedules
//!   production; Lyon and Brno are in scope of NIS2 (manufacturers of motor vehicle parts),
//!   Porto's entity is below its size thresholds.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone as _};
use chrono_tz::Tz;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

/// A production line: when it starts producing, whether it is critical, and its production
/// hours in a full month.
struct Line {
    id: &'static str,
    from: NaiveDate,
    critical: bool,
    hours: f64,
}

struct Plant {
    id: &'static str,
    rollout: NaiveDate,
    timezone: Tz,
    /// Its exports write plant wall-clock time without an offset.
    local_time: bool,
    lines: &'static [Line],
    assets: usize,
    /// Legacy OT assets that cannot be patched without requalification.
    legacy_ot: usize,
    /// Assets that arrive with a line commissioned later: (count, from).
    later_assets: (usize, NaiveDate),
    /// People with accounts on plant systems, office staff included (about four in five
    /// have a role that needs security training).
    employees: usize,
    /// Risks in the security risk register.
    risks: usize,
    /// First day downtime is recorded.
    downtime_from: Option<NaiveDate>,
    /// Until this day, historian-interface configuration errors stop lines on top of the
    /// usual security causes (Brno, until its MES vendor upgrade).
    interface_errors_until: Option<NaiveDate>,
    local_codes: bool,
    /// An important entity under NIS2: significant incidents are notified.
    nis2: bool,
}

const LYON_LINES: &[Line] = &[
    Line { id: "L1", from: date(2000, 1, 1), critical: true, hours: 330.0 },
    Line { id: "L2", from: date(2000, 1, 1), critical: true, hours: 300.0 },
    Line { id: "L3", from: date(2000, 1, 1), critical: true, hours: 330.0 },
    // The second press line, commissioned on 15 March 2023 and run on three shifts.
    Line { id: "L4", from: date(2023, 3, 15), critical: true, hours: 560.0 },
];
const BRNO_LINES: &[Line] = &[
    Line { id: "L1", from: date(2000, 1, 1), critical: true, hours: 480.0 },
    Line { id: "L2", from: date(2000, 1, 1), critical: true, hours: 480.0 },
    Line { id: "L3", from: date(2000, 1, 1), critical: true, hours: 460.0 },
    Line { id: "L4", from: date(2000, 1, 1), critical: false, hours: 320.0 },
];
const PORTO_LINES: &[Line] = &[
    Line { id: "L1", from: date(2000, 1, 1), critical: true, hours: 420.0 },
    Line { id: "L2", from: date(2000, 1, 1), critical: true, hours: 420.0 },
    Line { id: "L3", from: date(2000, 1, 1), critical: false, hours: 300.0 },
];

const PLANTS: &[Plant] = &[
    Plant {
        id: "lyon",
        rollout: date(2023, 1, 1),
        timezone: chrono_tz::Europe::Paris,
        local_time: false,
        lines: LYON_LINES,
        assets: 40,
        legacy_ot: 0,
        later_assets: (6, date(2023, 3, 15)),
        employees: 180,
        risks: 26,
        downtime_from: None,
        interface_errors_until: None,
        local_codes: false,
        nis2: true,
    },
    Plant {
        id: "brno",
        rollout: date(2023, 7, 1),
        timezone: chrono_tz::Europe::Prague,
        local_time: false,
        lines: BRNO_LINES,
        assets: 52,
        legacy_ot: 2,
        later_assets: (0, date(2000, 1, 1)),
        employees: 260,
        risks: 32,
        downtime_from: None,
        interface_errors_until: Some(date(2024, 2, 1)),
        local_codes: true,
        nis2: true,
    },
    Plant {
        id: "porto",
        rollout: date(2024, 1, 1),
        timezone: chrono_tz::Europe::Lisbon,
        local_time: true,
        lines: PORTO_LINES,
        assets: 36,
        legacy_ot: 6,
        later_assets: (0, date(2000, 1, 1)),
        employees: 120,
        risks: 21,
        downtime_from: Some(date(2022, 7, 1)),
        interface_errors_until: None,
        local_codes: false,
        nis2: false,
    },
];

/// Security stops per 1,000 production hours of a line before the ISMS (README: a handful
/// to a few dozen a year per plant).
const SECURITY_STOPS: f64 = 1.6;
/// Security stops per 1,000 production hours that Brno's historian interfaces add until
/// its MES vendor upgrade.
const INTERFACE_ERRORS: f64 = 0.3;
/// Once outcomes are mature: security stops this much as frequent, and this much as long.
const STOPS_AFTER: f64 = 0.75;
const DURATION_AFTER: f64 = 0.85;

/// Months from rollout until outcomes start to move: the validation lag of seed section 6.
const OUTCOME_LAG_MONTHS: i32 = 6;
/// The ISMS timeline, in months after rollout.
const RISK_ASSESSMENT: i32 = 2;
const SOA: i32 = 3;
const FIRST_INTERNAL_AUDIT: i32 = 9;
const CERTIFICATION: i32 = 12;
/// NIS2 notification duties apply to incidents detected from this day.
const NIS2_FROM: NaiveDate = date(2024, 10, 18);

const fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(y, m, d) {
        Some(d) => d,
        None => panic!("invalid date"),
    }
}

/// SplitMix64: small, fast and the same on every platform and version.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A stream of its own for one part of the story, so that a change to another part
    /// leaves it as it is.
    fn stream(seed: u64, name: &str) -> Rng {
        Rng(seed ^ name.bytes().fold(0xCBF2_9CE4_8422_2325u64, |h, b| (h ^ b as u64).wrapping_mul(0x100_0000_01B3)))
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn below(&mut self, n: usize) -> usize {
        (self.unit() * n as f64) as usize
    }

    /// Exponential with the given mean.
    fn exp(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.unit()).ln()
    }

    /// Gamma with shape 4 and the given mean: a stop's duration, from an investigation
    /// and a restart that each take their time.
    fn gamma4(&mut self, mean: f64) -> f64 {
        (0..4).map(|_| self.exp(mean / 4.0)).sum()
    }

    /// Poisson count with mean `lambda` (Knuth for small means, normal beyond).
    fn poisson(&mut self, lambda: f64) -> usize {
        if lambda > 60.0 {
            let (u, v) = (self.unit().max(1e-12), self.unit());
            let z = (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos();
            return (lambda + z * lambda.sqrt()).round().max(0.0) as usize;
        }
        let limit = (-lambda).exp();
        let mut p = 1.0;
        let mut k = 0;
        loop {
            p *= self.unit();
            if p <= limit {
                return k;
            }
            k += 1;
        }
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// A day in the month starting at `month`, with a time of day (UTC).
    fn moment_in(&mut self, month: NaiveDate) -> NaiveDateTime {
        let days = days_in_month(month);
        let day = month + Duration::days(self.below(days as usize) as i64);
        day.and_hms_opt(0, 0, 0).expect("midnight") + Duration::seconds(self.below(86_400) as i64)
    }

    /// A day in the month starting at `month`.
    fn day_in(&mut self, month: NaiveDate) -> NaiveDate {
        month + Duration::days(self.below(days_in_month(month) as usize) as i64)
    }
}

/// A uniform number in [0, 1) fixed for `id`: a trait of one account or asset that stays
/// the same in every snapshot, so that an improvement never reverses by chance.
fn trait_of(seed: u64, id: &str) -> f64 {
    Rng::stream(seed, id).unit()
}

fn days_in_month(month: NaiveDate) -> i64 {
    (add_months(month, 1) - month).num_days()
}

fn add_months(d: NaiveDate, n: i32) -> NaiveDate {
    let m = d.year() * 12 + d.month0() as i32 + n;
    date(m.div_euclid(12), m.rem_euclid(12) as u32 + 1, 1)
}

fn months_since_rollout(plant: &Plant, month: NaiveDate) -> i32 {
    (month.year() - plant.rollout.year()) * 12 + month.month() as i32 - plant.rollout.month() as i32
}

/// How far the ISMS processes run at a plant: 0 before rollout, rising to 1 over the
/// twelve months after it.
fn process_maturity(plant: &Plant, month: NaiveDate) -> f64 {
    (months_since_rollout(plant, month) as f64 / 12.0).clamp(0.0, 1.0)
}

/// How far outcomes have moved: nothing for two quarters after rollout (controls on
/// validated and safety systems go through change control and requalification first), then
/// rising to 1 over a year.
fn outcome_maturity(plant: &Plant, month: NaiveDate) -> f64 {
    ((months_since_rollout(plant, month) - OUTCOME_LAG_MONTHS) as f64 / 12.0).clamp(0.0, 1.0)
}

/// From `before` to `after` as the ISMS matures.
fn lerp(before: f64, after: f64, m: f64) -> f64 {
    before + (after - before) * m
}

fn season(month: NaiveDate) -> f64 {
    1.0 + 0.15 * (2.0 * std::f64::consts::PI * month.month0() as f64 / 12.0).sin()
}

/// The share of a full month a plant produces: the French plant stops for three weeks in
/// August, the others for two; every plant stops between Christmas and New Year.
fn production_share(plant: &Plant, month: NaiveDate) -> f64 {
    match (plant.id, month.month()) {
        ("lyon", 8) => 0.3,
        (_, 8) => 0.55,
        (_, 12) => 0.75,
        _ => 1.0,
    }
}

struct Table {
    text: String,
}

impl Table {
    fn new(header: &str) -> Self {
        Table { text: format!("{header}\n") }
    }

    fn row(&mut self, cells: &[String]) {
        let _ = writeln!(self.text, "{}", cells.join(","));
    }
}

/// The kinds of systems in an automotive plant, in the proportions the inventory cycles
/// through: (class, domain, criticality, regulatory exposure). About one in six is
/// critical: the systems a line stops without.
const FLEET: &[(&str, &str, &str, &str)] = &[
    ("plc", "ot", "high", "safety"),
    ("hmi", "ot", "medium", "safety"),
    ("plc", "ot", "high", "safety"),
    ("scada", "ot", "critical", "safety;nis2"),
    ("hmi", "ot", "medium", "safety"),
    ("mes", "manufacturing_it", "critical", "iatf16949;nis2"),
    ("engineering_workstation", "ot", "high", "safety;tisax"),
    ("office", "office_it", "low", "data_protection"),
    ("plc", "ot", "medium", "safety"),
    ("historian", "manufacturing_it", "high", "iatf16949"),
    ("safety_plc", "ot", "critical", "safety"),
    ("hmi", "ot", "medium", "safety"),
    ("qms", "manufacturing_it", "high", "iatf16949"),
    ("firewall", "manufacturing_it", "critical", "nis2"),
    ("office", "office_it", "low", "data_protection;tisax"),
    ("erp", "office_it", "high", "nis2;data_protection"),
    ("remote_access", "manufacturing_it", "high", "nis2"),
    ("directory", "office_it", "high", "nis2;data_protection"),
    ("cmms", "manufacturing_it", "medium", ""),
    ("serialization", "manufacturing_it", "high", "iatf16949"),
    ("office", "office_it", "low", ""),
    ("hmi", "ot", "medium", "safety"),
    ("office", "office_it", "low", "data_protection"),
    ("plc", "ot", "medium", "safety"),
];

/// What a line commissioned later brings: controllers, panels and a safety controller.
const LINE_KIT: &[(&str, &str, &str, &str)] = &[
    ("plc", "ot", "high", "safety"),
    ("hmi", "ot", "medium", "safety"),
    ("plc", "ot", "high", "safety"),
    ("safety_plc", "ot", "critical", "safety"),
    ("hmi", "ot", "medium", "safety"),
    ("engineering_workstation", "ot", "high", "safety;tisax"),
];

/// The controls a system of a class must have: the set's asset_class vocabulary
/// (`controls_required`), written out for the classes Acme has.
fn required_controls(class: &str) -> &'static [&'static str] {
    const KEY: [&str; 4] = ["access_control", "central_logging", "backup", "change_management"];
    match class {
        "plc" | "safety_plc" | "sis" => &["backup", "change_management", "network_segmentation"],
        "hmi" => &["access_control", "backup", "change_management", "network_segmentation"],
        "scada" | "mes" | "engineering_workstation" => {
            &[KEY[0], KEY[1], KEY[2], KEY[3], "network_segmentation", "hardening"]
        }
        "historian" | "serialization" => &[KEY[0], KEY[1], KEY[2], KEY[3], "network_segmentation"],
        "qms" | "erp" | "remote_access" | "directory" => &[KEY[0], KEY[1], KEY[2], KEY[3], "hardening"],
        "firewall" => &["access_control", "central_logging", "backup", "change_management", "hardening"],
        "cmms" => &["access_control", "backup", "change_management"],
        "dcs" => &["access_control", "backup", "change_management", "network_segmentation"],
        "lims" => &[KEY[0], KEY[1], KEY[2], KEY[3], "hardening"],
        "batch_recipe" => &[KEY[0], KEY[1], KEY[2], KEY[3], "network_segmentation"],
        _ => &KEY,
    }
}

/// The controls an inventory verifies (the set's control vocabulary).
const CONTROLS: [&str; 6] =
    ["access_control", "central_logging", "backup", "change_management", "network_segmentation", "hardening"];

struct Asset {
    id: String,
    class: &'static str,
    domain: &'static str,
    criticality: &'static str,
    exposure: &'static str,
    patchable: bool,
    /// The first month it is in the inventory.
    from: NaiveDate,
    /// Months after rollout at which each control of [`CONTROLS`] becomes verified
    /// (negative: already), and timely provisioning.
    controls_from: [i32; 6],
    access_from: i32,
    /// Months after rollout from which an unpatchable system is isolated and monitored.
    compensated_from: i32,
    /// Months after rollout from which an OT system is assigned to a zone.
    zone_from: i32,
}

impl Asset {
    /// The inventory's criticality `since` months after rollout: the risk assessment
    /// that follows rollout finds the ERP (which schedules production) critical after six
    /// months, so the inventory reclassifies it, and joins must not restate earlier months.
    fn criticality_at(&self, since: i32) -> &'static str {
        if self.class == "erp" && since >= 6 { "critical" } else { self.criticality }
    }

    fn in_production(&self) -> bool {
        self.domain != "office_it"
    }
}

fn assets(plant: &Plant, rng: &mut Rng) -> Vec<Asset> {
    let (later, later_from) = plant.later_assets;
    (0..plant.assets + later)
        .map(|i| {
            let late = i >= plant.assets;
            let (class, domain, criticality, exposure) =
                if late { LINE_KIT[(i - plant.assets) % LINE_KIT.len()] } else { FLEET[i % FLEET.len()] };
            let legacy = !late && i >= plant.assets - plant.legacy_ot;
            let (class, domain, criticality, exposure) =
                if legacy { ("plc", "ot", "high", "safety") } else { (class, domain, criticality, exposure) };
            // Before rollout a third of the systems have every control their class needs
            // and the rest about half of them; the missing ones arrive in the 18 months after
            // the Statement of Applicability, safety systems (validated) six months later,
            // legacy OT last, and one system in ten keeps one waiting for a line stop
            // beyond the export. A control the class does not need is there on some.
            let delay = SOA
                + if legacy {
                    24
                } else if exposure.contains("safety") {
                    6
                } else {
                    0
                };
            let ready = rng.chance(0.35);
            let lagging = rng.chance(0.1).then(|| rng.below(CONTROLS.len()));
            let needs = required_controls(class);
            let mut controls_from = [0i32; 6];
            for (i, c) in controls_from.iter_mut().enumerate() {
                *c = if !needs.contains(&CONTROLS[i]) {
                    if rng.chance(0.3) { -60 } else { i32::MAX }
                } else if lagging == Some(i) {
                    i32::MAX
                } else if ready || rng.chance(0.45) {
                    -60
                } else {
                    rng.below(18) as i32 + delay
                };
            }
            let access_from = if rng.chance(0.45) { -60 } else { rng.below(15) as i32 + SOA };
            Asset {
                id: format!("{}-{:03}", plant.id.to_uppercase(), i + 1),
                class,
                domain,
                criticality,
                exposure,
                patchable: !legacy,
                from: if late { later_from } else { date(2000, 1, 1) },
                controls_from,
                access_from,
                compensated_from: SOA + 3 + rng.below(15) as i32,
                zone_from: if rng.chance(0.2) { -60 } else { SOA + rng.below(15) as i32 },
            }
        })
        .collect()
}

fn severity_code(plant: &Plant, sev: usize) -> String {
    if plant.local_codes { format!("P{sev}") } else { format!("SEV{sev}") }
}

fn cause_code(plant: &Plant, cause: &str) -> String {
    if !plant.local_codes {
        return cause.to_string();
    }
    match cause {
        "cyber_event" => "CYB",
        "unauthorized_change" => "NEOPR-ZMENA",
        "configuration_error" => "KONFIG",
        "equipment_failure" => "PORUCHA",
        "process_issue" => "PROCES",
        "utility_outage" => "ENERGIE",
        "under_investigation" => "SETRENI",
        _ => "NEZNAMO",
    }
    .to_string()
}

fn record_code(plant: &Plant, kind: &str) -> String {
    if !plant.local_codes {
        return kind.to_string();
    }
    match kind {
        "deviation" => "Odchylka",
        "nonconformance" => "Neshoda",
        _ => "NAP",
    }
    .to_string()
}

/// A UTC instant as the plant's exports write it: with `Z`, or as plant wall-clock time
/// without an offset.
fn stamp(plant: &Plant, t: NaiveDateTime) -> String {
    if plant.local_time {
        plant.timezone.from_utc_datetime(&t).naive_local().format("%Y-%m-%dT%H:%M:%S").to_string()
    } else {
        t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
    }
}

/// Porto's ransomware stop of 9 October 2023: the engineering workstation of the paint shop
/// is encrypted, the line's HMIs lose their projects, line 2 stands for 31 hours.
struct Ransomware;

impl Ransomware {
    const PLANT: &str = "porto";
    /// 09:40 in Lisbon (UTC+1 in October).
    fn stopped() -> NaiveDateTime {
        date(2023, 10, 9).and_hms_opt(8, 40, 0).expect("time")
    }
}

/// A security incident and what happens to it, written as the register's revisions.
struct Incident {
    occurred: Option<NaiveDateTime>,
    detected: NaiveDateTime,
    contained: NaiveDateTime,
    resolved: NaiveDateTime,
    category: &'static str,
    sev: usize,
    domain: &'static str,
    asset: Option<String>,
    detected_by: &'static str,
    safety_impact: bool,
    bookings: Vec<(NaiveDate, &'static str, f64)>,
    /// The severity first recorded, when review later recoded it.
    first_sev: Option<usize>,
    /// Withdrawn as a false positive this long after detection.
    withdrawn_after: Option<Duration>,
    /// NIS2: reportable, and the early warning and notification delays.
    nis2: Option<(Duration, Duration)>,
}

/// The exports of one plant as they are written.
struct Exports {
    production: Table,
    downtime: Table,
    incidents: Table,
    costs: Table,
    assets: Table,
    audits: Table,
    findings: Table,
    capas: Table,
    third: Table,
    risks: Table,
    exceptions: Table,
    reviews: Table,
    copies: Table,
    accounts: Table,
    leavers: Table,
    restores: Table,
    patches: Table,
    vulns: Table,
    training: Table,
}

impl Exports {
    fn new() -> Exports {
        Exports {
            production: Table::new("line,month,criticality,production_hours"),
            downtime: Table::new(
                "event_id,recorded_at,started_at,duration_min,line,cause,asset_id,incident_id,safety_impact",
            ),
            incidents: Table::new(
                "incident_id,recorded_at,withdrawn,occurred_at,detected_at,contained_at,resolved_at,category,severity,domain,asset_id,detected_by,safety_impact,cost_eur,nis2_reportable,early_warning_at,notified_at",
            ),
            costs: Table::new("cost_id,incident_id,booked_on,cost_type,amount_eur"),
            assets: Table::new(
                "asset_id,snapshot_on,name,asset_class,domain,criticality,exposure,controls,zone,restore_tested_on,timely_access,patchable,compensating_controls",
            ),
            audits: Table::new(
                "audit_id,audit_date,kind,prep_hours,artifacts_due,late_artifacts,missing_artifacts,fire_drills",
            ),
            findings: Table::new("finding_id,origin,grade,raised_on,due_on,closed_on,deviation_id"),
            capas: Table::new("record_id,deviation_id,opened_on,closed_on,record_type,factors,system_class"),
            third: Table::new("disruption_id,started_at,duration_min,supplier,kind"),
            risks: Table::new(
                "risk_id,snapshot_on,criteria_version,inherent_rating,residual_rating,previous_rating,previous_criteria_version,treatment,decision_approved_on,reviews_at_high,owner_reviewed_on,owner_review_rating,justification",
            ),
            exceptions: Table::new("exception_id,opened_on,closed_on,kind,asset_id,repeated"),
            reviews: Table::new("review_id,document_id,due_on,completed_on"),
            copies: Table::new("copy_id,snapshot_on,document_id,status"),
            accounts: Table::new("account_id,snapshot_on,asset_id,kind,privileged,remote,mfa,expires_on"),
            leavers: Table::new("person_id,terminated_at,disabled_at"),
            restores: Table::new("test_id,tested_on,asset_id,success,restore_hours"),
            patches: Table::new("patch_id,asset_id,released_on,critical,due_on,installed_on,exception_approved_on"),
            vulns: Table::new("vuln_id,asset_id,found_on,resolved_on,cvss,requalification_exception"),
            training: Table::new("person_id,snapshot_on,role,required,last_completed_on,last_score"),
        }
    }

    fn files(self) -> Vec<(&'static str, String)> {
        vec![
            ("production.csv", self.production.text),
            ("incidents.csv", self.incidents.text),
            ("incident_costs.csv", self.costs.text),
            ("downtime.csv", self.downtime.text),
            ("assets.csv", self.assets.text),
            ("audit_prep.csv", self.audits.text),
            ("audit_findings.csv", self.findings.text),
            ("capas.csv", self.capas.text),
            ("third_party_disruptions.csv", self.third.text),
            ("risk_register.csv", self.risks.text),
            ("control_exceptions.csv", self.exceptions.text),
            ("document_reviews.csv", self.reviews.text),
            ("document_copies.csv", self.copies.text),
            ("accounts.csv", self.accounts.text),
            ("leavers.csv", self.leavers.text),
            ("restore_tests.csv", self.restores.text),
            ("patches.csv", self.patches.text),
            ("vulnerabilities.csv", self.vulns.text),
            ("training.csv", self.training.text),
        ]
    }
}

/// One person with an account on production or quality systems.
struct Person {
    id: String,
    role: &'static str,
    /// Their latest completed security training: the day and the score.
    trained: Option<(NaiveDate, f64)>,
    /// When their next training falls due (hire plus onboarding, or a year after the last).
    due: NaiveDate,
}

impl Person {
    fn required(&self) -> bool {
        self.role != "office_staff"
    }
}

/// What one plant's generation keeps between months.
struct Run<'p> {
    plant: &'p Plant,
    seed: u64,
    first: NaiveDate,
    last_day: NaiveDate,
    scale: f64,
    assets: Vec<Asset>,
    out: Exports,
    counter: usize,
    /// The latest successful restore test of each asset, by index.
    restored: Vec<Option<NaiveDate>>,
    people: Vec<Person>,
    hired: usize,
    /// Per risk: (residual 0=critical..3=low, inherent, treatment, reviews at high,
    /// decision approved on, owner reviewed on).
    risks: Vec<Risk>,
}

struct Risk {
    residual: usize,
    inherent: usize,
    treatment: &'static str,
    at_high: usize,
    approved: Option<NaiveDate>,
    owner_review: Option<(NaiveDate, usize)>,
}

const RATINGS: [&str; 4] = ["critical", "high", "medium", "low"];

/// A rating drawn from a plausible register: about a tenth critical, a quarter high.
fn rating(rng: &mut Rng) -> usize {
    match rng.unit() {
        u if u < 0.08 => 0,
        u if u < 0.33 => 1,
        u if u < 0.75 => 2,
        _ => 3,
    }
}

impl Run<'_> {
    fn next_id(&mut self, prefix: &str) -> String {
        self.counter += 1;
        format!("{}-{prefix}-{:06}", self.plant.id, self.counter)
    }

    fn stamp(&self, t: NaiveDateTime) -> String {
        stamp(self.plant, t)
    }

    /// Writes an incident as the register's revisions recorded by the export's last day:
    /// logged at detection, recoded at review, contained, resolved, each cost booked, the
    /// NIS2 messages sent, or withdrawn. Returns its id.
    fn write_incident(&mut self, inc: Incident) -> String {
        let id = self.next_id("INC");
        let end = self.last_day.and_hms_opt(23, 59, 59).expect("time");
        let booked: Vec<(NaiveDate, &str, f64)> =
            inc.bookings.iter().filter(|b| b.0 <= self.last_day).copied().collect();
        for (booked_on, kind, amount) in &booked {
            let cost_id = self.next_id("COST");
            self.out.costs.row(&[cost_id, id.clone(), booked_on.to_string(), kind.to_string(), format!("{amount:.2}")]);
        }
        // Each revision: when, and what it changes.
        enum Change {
            Logged,
            Reviewed,
            Contained,
            Resolved,
            Cost(f64),
            EarlyWarning,
            Notified,
            Withdrawn,
        }
        let mut changes = vec![(inc.detected, Change::Logged)];
        if inc.first_sev.is_some() {
            changes.push((inc.detected + Duration::days(3), Change::Reviewed));
        }
        changes.push((inc.contained, Change::Contained));
        changes.push((inc.resolved, Change::Resolved));
        let mut total = 0.0;
        for (booked_on, _, amount) in &booked {
            total += (amount * 100.0).round() / 100.0;
            changes.push((booked_on.and_hms_opt(17, 0, 0).expect("time"), Change::Cost(total)));
        }
        if let Some((warning, notice)) = inc.nis2 {
            changes.push((inc.detected + warning, Change::EarlyWarning));
            changes.push((inc.detected + notice, Change::Notified));
        }
        if let Some(after) = inc.withdrawn_after {
            changes.push((inc.detected + after, Change::Withdrawn));
        }
        changes.sort_by_key(|c| c.0);
        let (mut sev, mut contained, mut resolved, mut cost, mut warned, mut notified, mut withdrawn) =
            (inc.first_sev.unwrap_or(inc.sev), None, None, None, None, None, false);
        let mut last_recorded = None;
        for (at, change) in changes {
            if at > end {
                break;
            }
            match change {
                Change::Logged => {}
                Change::Reviewed => sev = inc.sev,
                Change::Contained => contained = Some(at),
                Change::Resolved => resolved = Some(at),
                Change::Cost(c) => cost = Some(c),
                Change::EarlyWarning => warned = Some(at),
                Change::Notified => notified = Some(at),
                Change::Withdrawn => withdrawn = true,
            }
            // Each revision a minute after the one before at least, so that an export
            // written to the minute keeps them apart; and later on the plant's clock too,
            // which repeats an hour when it turns back in autumn.
            let mut at = match last_recorded {
                Some(last) if at < last + Duration::minutes(1) => last + Duration::minutes(1),
                _ => at,
            };
            while last_recorded.is_some_and(|last| self.stamp(at) <= self.stamp(last)) {
                at += Duration::minutes(1);
            }
            last_recorded = Some(at);
            let opt = |t: Option<NaiveDateTime>| t.map_or(String::new(), |t| self.stamp(t));
            let row = [
                id.clone(),
                self.stamp(at),
                if withdrawn { "true".to_string() } else { String::new() },
                opt(inc.occurred),
                self.stamp(inc.detected),
                opt(contained),
                opt(resolved),
                inc.category.to_string(),
                severity_code(self.plant, sev),
                inc.domain.to_string(),
                inc.asset.clone().unwrap_or_default(),
                inc.detected_by.to_string(),
                inc.safety_impact.to_string(),
                cost.map_or(String::new(), |c| format!("{c:.2}")),
                inc.nis2.is_some().to_string(),
                opt(warned),
                opt(notified),
            ];
            self.out.incidents.row(&row);
            if withdrawn {
                break;
            }
        }
        id
    }

    /// Whether a significant incident detected at `t` at this plant must be notified under
    /// NIS2, and if so how late the early warning and the notification go out.
    fn nis2(&self, rng: &mut Rng, sev: usize, t: NaiveDateTime) -> Option<(Duration, Duration)> {
        (self.plant.nis2 && sev == 1 && t.date() >= NIS2_FROM).then(|| {
            let warning = if rng.chance(0.9) { 2 + rng.below(20) } else { 25 + rng.below(20) };
            let notice = if rng.chance(0.85) { 30 + rng.below(40) } else { 73 + rng.below(30) };
            (Duration::hours(warning as i64), Duration::hours(notice as i64))
        })
    }
}

fn generate(plant: &Plant, first: NaiveDate, months: i32, scale: usize, seed: u64) -> Vec<(&'static str, String)> {
    let plant_seed = seed ^ plant.id.bytes().fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(b as u64));
    let mut rng = Rng(plant_seed);
    let assets = assets(plant, &mut rng);
    let mut run = Run {
        plant,
        seed: plant_seed,
        first,
        last_day: add_months(first, months) - Duration::days(1),
        scale: scale as f64,
        restored: vec![None; assets.len()],
        assets,
        out: Exports::new(),
        counter: 0,
        people: Vec::new(),
        hired: 0,
        risks: Vec::new(),
    };
    let mut risk_rng = Rng::stream(plant_seed, "risks");
    run.risks = (0..plant.risks)
        .map(|_| {
            // The pre-ISMS register treats some high risks already (the IT department's own
            // projects), without the ISMS's documented decisions.
            let r = rating(&mut risk_rng);
            let treatment = match risk_rng.unit() {
                u if r <= 1 && u < 0.15 => "implemented",
                u if r <= 1 && u < 0.4 => "planned",
                _ => "none",
            };
            Risk { residual: r, inherent: r, treatment, at_high: 0, approved: None, owner_review: None }
        })
        .collect();
    let mut people_rng = Rng::stream(plant_seed, "people");
    for _ in 0..plant.employees {
        let on = first - Duration::days(400 + people_rng.below(3000) as i64);
        hire(&mut run, &mut people_rng, on, true);
    }
    for k in 0..months {
        let month = add_months(first, k);
        lines_and_stops(&mut run, month);
        incidents(&mut run, month);
        if plant.id == Ransomware::PLANT && month == date(2023, 10, 1) {
            ransomware(&mut run);
        }
        if month.month0().is_multiple_of(3) {
            restore_tests(&mut run, month, k == 0);
        }
        inventory(&mut run, month);
        accounts(&mut run, month);
        workforce(&mut run, month);
        exceptions(&mut run, month);
        patches_and_vulnerabilities(&mut run, month);
        quality_records(&mut run, month);
        third_parties(&mut run, month);
        if month.month0() % 3 == 2 {
            audits(&mut run, month);
            risk_review(&mut run, month);
            documents(&mut run, month);
            training_register(&mut run, month);
        }
    }
    run.out.files()
}

/// Production hours per line, and the stops on each line: security-caused stops per
/// production hour become somewhat rarer and shorter as outcomes mature. Each security
/// stop is investigated: logged under investigation, recoded when its cause is found (or
/// left unknown), and linked to the incident it was.
fn lines_and_stops(run: &mut Run, month: NaiveDate) {
    let plant = run.plant;
    let mut rng = Rng::stream(run.seed, &format!("lines {month}"));
    let mut investigation = Rng::stream(run.seed, &format!("investigation {month}"));
    let month_end = add_months(month, 1) - Duration::days(1);
    let (mp, mo) = (process_maturity(plant, month), outcome_maturity(plant, month));
    let s = season(month);
    let running = production_share(plant, month);
    for line in plant.lines.iter().filter(|l| l.from <= month_end) {
        let started = if line.from > month {
            // Commissioning month, and a ramp-up of three months.
            (month_end - line.from).num_days() as f64 / days_in_month(month) as f64 * 0.5
        } else {
            let age = (month.year() - line.from.year()) * 12 + month.month() as i32 - line.from.month() as i32;
            if age < 3 { 0.7 } else { 1.0 }
        };
        let hours = line.hours * running * started * (0.97 + 0.06 * rng.unit());
        run.out.production.row(&[
            line.id.to_string(),
            month.to_string(),
            if line.critical { "critical" } else { "high" }.to_string(),
            format!("{hours:.1}"),
        ]);
        if plant.downtime_from.is_some_and(|from| month < from) {
            continue;
        }
        let thousands = hours / 1000.0 * run.scale;
        let interface_errors = plant.interface_errors_until.is_some_and(|until| month < until);
        let ordinary = SECURITY_STOPS * lerp(1.0, STOPS_AFTER, mo);
        let rate = ordinary + if interface_errors { INTERFACE_ERRORS } else { 0.0 };
        for _ in 0..rng.poisson(rate * s * thousands) {
            let interface = interface_errors && rng.chance(INTERFACE_ERRORS / rate);
            let cause = if interface {
                "configuration_error"
            } else {
                *rng.pick(&["cyber_event", "unauthorized_change", "configuration_error", "configuration_error"])
            };
            let minutes = if interface {
                rng.gamma4(35.0).max(5.0)
            } else {
                rng.gamma4(60.0 * lerp(1.0, DURATION_AFTER, mo)).max(5.0)
            };
            security_stop(run, &mut rng, month, line, cause, minutes.round(), interface, mp);
        }
        for _ in 0..rng.poisson(30.0 * s * thousands) {
            // Investigation leaves one stop in six without a cause before the ISMS; once it
            // runs, half of those get one (drawn apart, so the stops stay the same stops).
            let cause = match *rng.pick(&[
                "equipment_failure",
                "equipment_failure",
                "process_issue",
                "process_issue",
                "utility_outage",
                "unknown",
            ]) {
                "unknown" if investigation.chance(0.5 * mp) => {
                    *investigation.pick(&["equipment_failure", "process_issue", "utility_outage"])
                }
                cause => cause,
            };
            let asset = rng.chance(0.4).then(|| rng.below(run.assets.len())).filter(|&a| run.assets[a].from <= month);
            let started = rng.moment_in(month);
            let minutes = rng.exp(75.0).max(5.0).round();
            let id = run.next_id("DT");
            let recorded = started + Duration::minutes(minutes as i64 + 30);
            if recorded.date() > run.last_day {
                continue;
            }
            let row = [
                id,
                run.stamp(recorded),
                run.stamp(started),
                format!("{minutes:.0}"),
                line.id.to_string(),
                cause_code(plant, cause),
                asset.map_or(String::new(), |a| run.assets[a].id.clone()),
                String::new(),
                "false".to_string(),
            ];
            run.out.downtime.row(&row);
        }
    }
}

/// One security stop: its revisions in the downtime register and, when investigation
/// attributes it and links it, the incident it was.
#[allow(clippy::too_many_arguments)]
fn security_stop(
    run: &mut Run,
    rng: &mut Rng,
    month: NaiveDate,
    line: &Line,
    cause: &'static str,
    minutes: f64,
    interface: bool,
    mp: f64,
) {
    let started = rng.moment_in(month);
    let asset = if interface {
        run.assets.iter().position(|a| a.class == "historian")
    } else {
        rng.chance(0.7)
            .then(|| rng.below(run.assets.len()))
            .filter(|&a| run.assets[a].in_production() && run.assets[a].from <= month)
    };
    let asset_id = asset.map_or(String::new(), |a| run.assets[a].id.clone());
    let safety = cause == "cyber_event" && rng.chance(0.1);
    // Investigation: before the ISMS one in seven of these stops never gets a cause; after,
    // fewer.
    let established = rng.chance(lerp(0.85, 0.93, mp));
    let linked = established && rng.chance(lerp(0.7, 0.97, mp));
    let id = run.next_id("DT");
    let logged = started + Duration::minutes(minutes as i64 + 30);
    let recoded = logged + Duration::hours(12 + rng.below(20 * 24) as i64);
    let incident = linked.then(|| {
        // The severity scale: over four hours on a critical line (or safety) is SEV1, one
        // to four hours SEV2, a shorter stop SEV3.
        let sev = if !line.critical || (minutes <= 60.0 && !safety) {
            3
        } else if minutes > 240.0 || safety {
            1
        } else {
            2
        };
        let detected = started + Duration::minutes(5 + rng.below(40) as i64);
        let category = match cause {
            "cyber_event" => *rng.pick(&["malware", "intrusion", "remote_access_compromise", "removable_media"]),
            "unauthorized_change" => "unauthorized_change",
            _ => "misconfiguration",
        };
        let domain = if interface || rng.chance(0.5) { "manufacturing_it" } else { "ot" };
        let mut bookings = Vec::new();
        if sev <= 2 {
            let lost = minutes / 60.0 * if sev == 1 { 4_000.0 } else { 2_500.0 };
            bookings.push((started.date() + Duration::days(5 + rng.below(20) as i64), "delay", lost));
        }
        let nis2 = run.nis2(rng, sev, detected);
        run.write_incident(Incident {
            occurred: (cause == "cyber_event").then(|| detected - Duration::minutes((rng.exp(48.0) * 60.0) as i64)),
            detected,
            contained: (started + Duration::minutes(minutes as i64)).max(detected + Duration::minutes(5)),
            resolved: started + Duration::minutes(minutes as i64 + 60 + rng.below(600) as i64),
            category,
            sev,
            domain,
            asset: asset.map(|a| run.assets[a].id.clone()),
            detected_by: "user_report",
            safety_impact: safety,
            bookings,
            first_sev: None,
            withdrawn_after: None,
            nis2,
        })
    });
    let final_cause = if established {
        cause
    } else if rng.chance(0.5) {
        "unknown"
    } else {
        "under_investigation"
    };
    let revisions = [(logged, "under_investigation", None), (recoded, final_cause, incident)];
    for (at, cause, incident) in revisions {
        if at.date() > run.last_day || (at == recoded && final_cause == "under_investigation") {
            continue;
        }
        let row = [
            id.clone(),
            run.stamp(at),
            run.stamp(started),
            format!("{minutes:.0}"),
            line.id.to_string(),
            cause_code(run.plant, cause),
            asset_id.clone(),
            incident.unwrap_or_default(),
            safety.to_string(),
        ];
        run.out.downtime.row(&row);
    }
}

/// Incidents reported apart from line stops: monitoring arrives with the ISMS and finds
/// more, mostly minor ones; severity, detection and containment times and costs fall as
/// outcomes mature. Most are in office IT.
fn incidents(run: &mut Run, month: NaiveDate) {
    let plant = run.plant;
    let mut rng = Rng::stream(run.seed, &format!("incidents {month}"));
    let (mp, mo) = (process_maturity(plant, month), outcome_maturity(plant, month));
    let size = plant.employees as f64 / 180.0;
    for _ in 0..rng.poisson(lerp(3.0, 6.0, mp) * size * season(month) * run.scale) {
        let detected = rng.moment_in(month);
        let sev = if rng.chance(lerp(0.03, 0.015, mo)) {
            1
        } else if rng.chance(lerp(0.12, 0.07, mo)) {
            2
        } else {
            rng.below(2) + 3
        };
        // OT network monitoring, which arrives with the ISMS, finds production incidents
        // that went unseen.
        let office = lerp(0.62, 0.5, mp);
        let domain = match rng.unit() {
            u if u < office => "office_it",
            u if u < office + (1.0 - office) / 2.0 => "manufacturing_it",
            _ => "ot",
        };
        let asset = (domain != "office_it")
            .then(|| rng.below(run.assets.len()))
            .filter(|&a| run.assets[a].in_production() && run.assets[a].from <= month)
            .map(|a| run.assets[a].id.clone());
        let detected_by = {
            let u = rng.unit();
            let monitoring = lerp(0.25, 0.6, mp);
            let third = lerp(0.25, 0.1, mp);
            if u < monitoring {
                "security_monitoring"
            } else if u < monitoring + 0.08 {
                "control_check"
            } else if u < monitoring + 0.08 + third {
                "third_party"
            } else {
                "user_report"
            }
        };
        let occurred =
            (!rng.chance(0.2)).then(|| detected - Duration::minutes((rng.exp(lerp(110.0, 40.0, mo)) * 60.0) as i64));
        let contained = detected + Duration::minutes((rng.exp(lerp(30.0, 16.0, mo)) * 60.0) as i64 + 10);
        let resolved = contained + Duration::hours(rng.exp(48.0) as i64 + 1);
        let mut bookings = Vec::new();
        if sev <= 2 {
            let mean = if sev == 1 { lerp(60_000.0, 40_000.0, mo) } else { lerp(8_000.0, 6_000.0, mo) };
            for _ in 0..rng.below(3) + 1 {
                let booked = detected.date() + Duration::days(rng.below(60) as i64);
                let kind = *rng.pick(&["overtime", "scrap", "delay", "recovery"]);
                bookings.push((booked, kind, rng.exp(mean)));
            }
        }
        let category = if domain == "office_it" {
            *rng.pick(&["phishing", "phishing", "malware", "policy_violation", "data_loss", "intrusion", "insider"])
        } else {
            *rng.pick(&[
                "malware",
                "removable_media",
                "remote_access_compromise",
                "unauthorized_change",
                "intrusion",
                "misconfiguration",
                "loss_of_view",
            ])
        };
        // Review recodes one in ten a level up or down; monitoring raises some false
        // positives that are withdrawn.
        let first_sev = rng.chance(0.1).then(|| if sev == 4 { 3 } else { sev + 1 });
        let withdrawn_after = (detected_by == "security_monitoring" && rng.chance(0.05))
            .then(|| Duration::hours(24 + rng.below(48) as i64));
        let nis2 = run.nis2(&mut rng, sev, detected);
        run.write_incident(Incident {
            occurred,
            detected,
            contained,
            resolved,
            category,
            sev,
            domain,
            asset,
            detected_by,
            safety_impact: domain == "ot" && sev == 1 && rng.chance(0.3),
            bookings,
            first_sev,
            withdrawn_after,
            nis2,
        });
    }
}

fn ransomware(run: &mut Run) {
    let stopped = Ransomware::stopped();
    let workstation = run.assets.iter().find(|a| a.class == "engineering_workstation").map(|a| a.id.clone());
    let incident = run.write_incident(Incident {
        occurred: Some(stopped - Duration::hours(70)),
        detected: stopped - Duration::minutes(20),
        contained: stopped + Duration::hours(29),
        resolved: stopped + Duration::hours(31),
        category: "ransomware",
        sev: 1,
        domain: "ot",
        asset: workstation.clone(),
        detected_by: "user_report",
        safety_impact: false,
        bookings: vec![
            (date(2023, 10, 20), "recovery", 84_500.0),
            (date(2023, 10, 31), "scrap", 41_800.0),
            (date(2023, 11, 15), "overtime", 23_200.0),
            (date(2023, 12, 8), "delay", 61_000.0),
        ],
        first_sev: None,
        withdrawn_after: None,
        nis2: None,
    });
    let id = run.next_id("DT");
    for (at, cause, incident) in [
        (stopped + Duration::hours(32), "under_investigation", String::new()),
        (stopped + Duration::days(3), "cyber_event", incident),
    ] {
        let row = [
            id.clone(),
            run.stamp(at),
            run.stamp(stopped),
            "1860".to_string(),
            "L2".to_string(),
            cause_code(run.plant, cause),
            workstation.clone().unwrap_or_default(),
            incident,
            "false".to_string(),
        ];
        run.out.downtime.row(&row);
    }
}

/// The quarter's restore tests of critical systems, more and more successful after
/// rollout; the first export reaches a year back, so that a 12-month coverage is whole
/// from the first quarter.
fn restore_tests(run: &mut Run, month: NaiveDate, first: bool) {
    let plant = run.plant;
    let mut rng = Rng::stream(run.seed, &format!("restores {month}"));
    let quarters_back = if first { 4 } else { 0 };
    for q in (0..=quarters_back).rev() {
        let start = add_months(month, -3 * q);
        let mp = process_maturity(plant, start);
        let since = months_since_rollout(plant, start);
        let critical: Vec<usize> = (0..run.assets.len())
            .filter(|&a| run.assets[a].criticality_at(since) == "critical" && run.assets[a].from <= start)
            .collect();
        for _ in 0..(lerp(1.5, 4.0, mp).round() as usize) {
            let a = critical[rng.below(critical.len())];
            let tested = start + Duration::days(rng.below(90) as i64);
            let success = rng.chance(lerp(0.7, 0.95, mp));
            let id = run.next_id("RST");
            let hours = if success { format!("{:.1}", rng.exp(lerp(12.0, 6.0, mp)) + 0.5) } else { String::new() };
            if tested > run.last_day {
                continue;
            }
            run.out.restores.row(&[id, tested.to_string(), run.assets[a].id.clone(), success.to_string(), hours]);
            if success && run.restored[a].is_none_or(|d| d < tested) {
                run.restored[a] = Some(tested);
            }
        }
    }
}

/// The inventory snapshot at the end of every month.
fn inventory(run: &mut Run, month: NaiveDate) {
    let month_end = add_months(month, 1) - Duration::days(1);
    let since = months_since_rollout(run.plant, month);
    for (i, a) in run.assets.iter().enumerate().filter(|(_, a)| a.from <= month_end) {
        let controls: Vec<&str> =
            CONTROLS.iter().zip(a.controls_from).filter(|(_, from)| since >= *from).map(|(c, _)| *c).collect();
        let zone = (a.domain == "ot" && since >= a.zone_from)
            .then(|| format!("{}-Z{}", run.plant.id.to_uppercase(), i % 4 + 1));
        let tested = run.restored[i].filter(|d| *d <= month_end);
        let b = |v: bool| v.to_string();
        run.out.assets.row(&[
            a.id.clone(),
            month_end.to_string(),
            format!("{} {}", a.class.to_uppercase(), &a.id[a.id.len() - 3..]),
            a.class.to_string(),
            a.domain.to_string(),
            a.criticality_at(since).to_string(),
            a.exposure.to_string(),
            controls.join(";"),
            zone.unwrap_or_default(),
            tested.map_or(String::new(), |d| d.to_string()),
            b(since >= a.access_from),
            b(a.patchable),
            b(!a.patchable && since >= a.compensated_from),
        ]);
    }
}

/// Accounts on critical systems: generic and orphan accounts are cleaned up; OT systems
/// keep a vendor account for remote support, which gets a second factor and an expiry.
fn accounts(run: &mut Run, month: NaiveDate) {
    let plant = run.plant;
    let mut rng = Rng::stream(run.seed, &format!("accounts {month}"));
    let month_end = add_months(month, 1) - Duration::days(1);
    let since = months_since_rollout(plant, month);
    let mp = process_maturity(plant, month);
    for (i, a) in run.assets.iter().enumerate() {
        if a.criticality_at(since) != "critical" || a.from > month {
            continue;
        }
        for j in 0..5 {
            let id = format!("{}-ACC-{i:03}-{j}", plant.id);
            let kind = if rng.chance(lerp(0.16, 0.03, mp)) {
                *rng.pick(&["generic", "orphan"])
            } else if j == 4 {
                "service"
            } else if j == 3 && a.domain == "ot" {
                "vendor"
            } else {
                "personal"
            };
            let remote = kind == "vendor" || (j == 0 && a.domain != "office_it");
            let own = trait_of(run.seed, &id);
            let mfa = remote && own < lerp(0.3, 0.97, mp);
            let expires = (kind == "vendor" && own < lerp(0.25, 0.95, mp))
                .then(|| month_end + Duration::days(30 + (own * 150.0) as i64));
            run.out.accounts.row(&[
                id,
                month_end.to_string(),
                a.id.clone(),
                kind.to_string(),
                (j == 0).to_string(),
                remote.to_string(),
                mfa.to_string(),
                expires.map_or(String::new(), |d| d.to_string()),
            ]);
        }
    }
}

/// A new person, due for onboarding training a month or two after `on` (after rollout; a
/// year later before it, if at all).
fn hire(run: &mut Run, rng: &mut Rng, on: NaiveDate, founding: bool) {
    run.hired += 1;
    let role = match rng.below(10) {
        0 | 1 => "engineer",
        2..=6 => "operator",
        7 => "administrator",
        _ => "office_staff",
    };
    // The people already there before the first export were trained, or not, at some
    // point in the year before it.
    let trained = (founding && rng.chance(0.55)).then(|| {
        let day = run.first - Duration::days(1 + rng.below(360) as i64);
        (day, (64.0 + (rng.unit() - 0.5) * 20.0).clamp(0.0, 100.0))
    });
    let due = match trained {
        Some((day, _)) => day + Duration::days(365),
        None => on + Duration::days(30 + rng.below(60) as i64),
    };
    run.people.push(Person { id: format!("{}-P{:04}", run.plant.id, run.hired), role, trained, due });
}

/// People leave (about one in eight a year) and are replaced; the ones who leave are in the
/// leavers export, their accounts disabled within hours after rollout, days before. Training
/// falling due is completed, on time more often as the ISMS matures.
fn workforce(run: &mut Run, month: NaiveDate) {
    let plant = run.plant;
    let mut rng = Rng::stream(run.seed, &format!("people {month}"));
    let mp = process_maturity(plant, month);
    let month_end = add_months(month, 1) - Duration::days(1);
    let mut i = 0;
    while i < run.people.len() {
        if rng.chance(0.011) {
            let person = run.people.swap_remove(i);
            let terminated = rng.moment_in(month);
            let disabled = terminated + Duration::minutes((rng.exp(lerp(110.0, 7.0, mp)) * 60.0) as i64);
            run.out.leavers.row(&[
                person.id,
                stamp(plant, terminated),
                if disabled.date() > run.last_day { String::new() } else { stamp(plant, disabled) },
            ]);
            let day = rng.day_in(month);
            hire(run, &mut rng, day, false);
            continue;
        }
        i += 1;
    }
    for p in run.people.iter_mut().filter(|p| p.due <= month_end) {
        // Before the ISMS, training is taken when someone remembers; after, on schedule.
        if rng.chance(lerp(0.06, 0.55, mp))
            || (p.due + Duration::days(60) <= month_end && rng.chance(lerp(0.05, 0.7, mp)))
        {
            let day = rng.day_in(month);
            let score = (lerp(64.0, 80.0, mp) + (rng.unit() - 0.5) * 20.0).clamp(0.0, 100.0);
            p.trained = Some((day, score));
            p.due = day + Duration::days(365);
        }
    }
}

/// The training register at the quarter's end: everyone employed, once.
fn training_register(run: &mut Run, month: NaiveDate) {
    let month_end = add_months(month, 1) - Duration::days(1);
    let mut rows: Vec<[String; 6]> = run
        .people
        .iter()
        .map(|p| {
            let trained = p.trained.filter(|(d, _)| *d <= month_end);
            [
                p.id.clone(),
                month_end.to_string(),
                p.role.to_string(),
                p.required().to_string(),
                trained.map_or(String::new(), |(d, _)| d.to_string()),
                trained.map_or(String::new(), |(_, s)| format!("{s:.0}")),
            ]
        })
        .collect();
    rows.sort();
    for row in rows {
        run.out.training.row(&row);
    }
}

/// Control failures: the IT department logs failed backups, missing logs and unapproved
/// changes before the ISMS; the Statement of Applicability adds its own deviations and
/// documented exceptions. Monitoring finds more at first, then fewer as controls settle.
fn exceptions(run: &mut Run, month: NaiveDate) {
    let plant = run.plant;
    let mut rng = Rng::stream(run.seed, &format!("exceptions {month}"));
    let (mp, mo) = (process_maturity(plant, month), outcome_maturity(plant, month));
    let since = months_since_rollout(plant, month);
    let lambda = if since < SOA {
        4.0
    } else if since < 12 {
        8.0
    } else {
        lerp(7.0, 4.5, mo)
    };
    for _ in 0..rng.poisson(lambda) {
        let opened = rng.day_in(month);
        let closed = opened + Duration::days(rng.exp(lerp(75.0, 25.0, mp)) as i64);
        let kinds: &[&str] = if since < SOA {
            &["missing_logs", "backup_failure", "unapproved_change"]
        } else {
            &[
                "missing_logs",
                "late_access_review",
                "undocumented_admin",
                "backup_failure",
                "unapproved_change",
                "patch_exception",
                "soa_deviation",
            ]
        };
        let asset = rng.below(run.assets.len());
        let id = run.next_id("EXC");
        run.out.exceptions.row(&[
            id,
            opened.to_string(),
            if closed > run.last_day { String::new() } else { closed.to_string() },
            rng.pick(kinds).to_string(),
            run.assets[asset].id.clone(),
            rng.chance(lerp(0.3, 0.12, mo)).to_string(),
        ]);
    }
}

/// Patches, due 30 days after release, installed faster after rollout; legacy OT deferred
/// by an exception, approved on time once the ISMS runs, often after the fact before it.
/// Vulnerabilities are resolved faster after rollout, except on legacy OT.
fn patches_and_vulnerabilities(run: &mut Run, month: NaiveDate) {
    let plant = run.plant;
    let mut rng = Rng::stream(run.seed, &format!("patches {month}"));
    let mp = process_maturity(plant, month);
    let since = months_since_rollout(plant, month);
    for _ in 0..rng.poisson(28.0 * run.scale) {
        let a = rng.below(run.assets.len());
        let released = rng.day_in(month);
        let due = released + Duration::days(30);
        let patchable = run.assets[a].patchable;
        let installed = patchable.then(|| released + Duration::days(rng.exp(lerp(48.0, 16.0, mp)) as i64 + 1));
        let exception = (!patchable).then(|| {
            if since >= SOA && rng.chance(0.95) {
                due - Duration::days(rng.below(20) as i64)
            } else {
                due + Duration::days(5 + rng.below(60) as i64)
            }
        });
        let id = run.next_id("PAT");
        run.out.patches.row(&[
            id,
            run.assets[a].id.clone(),
            released.to_string(),
            rng.chance(0.3).to_string(),
            due.to_string(),
            installed.filter(|d| *d <= run.last_day).map(|d| d.to_string()).unwrap_or_default(),
            exception.filter(|d| *d <= run.last_day).map(|d| d.to_string()).unwrap_or_default(),
        ]);
    }
    for _ in 0..rng.poisson(9.0) {
        let a = rng.below(run.assets.len());
        let found = rng.day_in(month);
        let patchable = run.assets[a].patchable;
        let resolved = patchable.then(|| found + Duration::days(rng.exp(lerp(110.0, 30.0, mp)) as i64 + 1));
        let id = run.next_id("VUL");
        run.out.vulns.row(&[
            id,
            run.assets[a].id.clone(),
            found.to_string(),
            resolved.filter(|d| *d <= run.last_day).map(|d| d.to_string()).unwrap_or_default(),
            format!("{:.1}", 3.0 + rng.unit() * 7.0),
            (!patchable).to_string(),
        ]);
    }
}

/// Deviations and nonconformances (the events), fewer from uncontrolled information
/// handling once the ISMS reaches the shop floor, and the CAPAs raised on some of them.
fn quality_records(run: &mut Run, month: NaiveDate) {
    let plant = run.plant;
    let mut rng = Rng::stream(run.seed, &format!("quality {month}"));
    let mo = outcome_maturity(plant, month);
    for _ in 0..rng.poisson(6.0) {
        let opened = rng.day_in(month);
        let info = rng.chance(lerp(0.3, 0.2, mo));
        let factors = if info {
            format!(
                "{};{}",
                rng.pick(&["uncontrolled_access", "missing_logs", "inconsistent_records"]),
                rng.pick(&["human_error", "method"])
            )
        } else {
            rng.pick(&["human_error", "equipment", "material", "method", "human_error;method"]).to_string()
        };
        let kind = *rng.pick(&["deviation", "deviation", "nonconformance"]);
        let class = rng.pick(&["mes", "qms", "serialization", "historian", "erp"]).to_string();
        let closed = opened + Duration::days(rng.exp(45.0) as i64 + 5);
        let id = run.next_id("QMS");
        let last_day = run.last_day;
        let shown = |d: NaiveDate| if d > last_day { String::new() } else { d.to_string() };
        run.out.capas.row(&[
            id.clone(),
            id.clone(),
            opened.to_string(),
            shown(closed),
            record_code(plant, kind),
            factors.clone(),
            class.clone(),
        ]);
        if rng.chance(0.4) {
            let raised = opened + Duration::days(rng.below(10) as i64);
            let done = raised + Duration::days(rng.exp(60.0) as i64 + 10);
            let capa = run.next_id("QMS");
            run.out.capas.row(&[capa, id, raised.to_string(), shown(done), record_code(plant, "capa"), factors, class]);
        }
    }
}

/// Disruptions by suppliers and providers, security-related or not.
fn third_parties(run: &mut Run, month: NaiveDate) {
    let mut rng = Rng::stream(run.seed, &format!("third parties {month}"));
    let mo = outcome_maturity(run.plant, month);
    for _ in 0..rng.poisson(lerp(1.2, 0.9, mo)) {
        let id = run.next_id("TPD");
        let started = run.stamp(rng.moment_in(month));
        run.out.third.row(&[
            id,
            started,
            format!("{:.0}", rng.exp(180.0) + 10.0),
            rng.pick(&["Press integrator", "Cloud MES host", "OEM EDI portal", "Paint robot vendor"]).to_string(),
            rng.pick(&[
                "file_transfer_failure",
                "credential_issue",
                "supplier_compromise",
                "remote_access_failure",
                "cloud_outage",
                "service_outage",
                "service_outage",
            ])
            .to_string(),
        ]);
    }
}

/// The quarter's audits and their findings: customer (OEM, TISAX) audits and the rare
/// authority inspection at any time; an IATF 16949 internal audit every quarter but the
/// second, which has the IATF surveillance audit, before and after the ISMS; ISMS
/// internal audits from nine months after rollout, ISO/IEC 27001 certification at twelve
/// and surveillance every year after; Acme's own audits of its suppliers.
fn audits(run: &mut Run, month: NaiveDate) {
    let plant = run.plant;
    let mut rng = Rng::stream(run.seed, &format!("audits {month}"));
    let mp = process_maturity(plant, month);
    let since = months_since_rollout(plant, month);
    let quarter_start = add_months(month, -2);
    let month_end = add_months(month, 1) - Duration::days(1);
    let mut kinds: Vec<&str> = std::iter::repeat_n("customer", rng.poisson(1.0)).collect();
    if rng.chance(0.05) {
        kinds.push("regulatory");
    }
    kinds.push(if month.month0() / 3 == 1 { "quality_certification" } else { "internal" });
    let (first, last) = (months_since_rollout(plant, quarter_start), since);
    let held = |m: i32| (first..=last).contains(&m);
    if (FIRST_INTERNAL_AUDIT..).step_by(6).take_while(|m| *m <= last).any(held) {
        kinds.push("internal");
    }
    if (CERTIFICATION..).step_by(12).take_while(|m| *m <= last).any(held) {
        kinds.push("certification");
    }
    for kind in kinds {
        let effort = match kind {
            "certification" => 160.0,
            "quality_certification" => 120.0,
            "customer" => 90.0,
            "regulatory" => 120.0,
            _ => 50.0,
        };
        let day = month_end - Duration::days(rng.below(85) as i64);
        let due = rng.poisson(effort / 4.0) + 5;
        let late = (due as f64 * lerp(0.25, 0.1, mp) * (0.5 + rng.unit())).round() as usize;
        let missing = (due as f64 * lerp(0.08, 0.02, mp) * (0.5 + rng.unit())).round() as usize;
        let id = run.next_id("AUD");
        run.out.audits.row(&[
            id,
            day.to_string(),
            kind.to_string(),
            format!("{:.0}", effort * lerp(1.0, 0.75, mp) * (0.8 + 0.4 * rng.unit())),
            due.to_string(),
            late.min(due).to_string(),
            missing.min(due - late.min(due)).to_string(),
            rng.poisson(effort / 60.0 * lerp(1.5, 0.5, mp)).to_string(),
        ]);
        let (origin, count) = match kind {
            "internal" => ("internal", 4.0),
            "certification" | "quality_certification" => ("certification", 3.0),
            "regulatory" => ("authority", 2.0),
            _ => ("customer", 2.0),
        };
        findings(run, &mut rng, origin, count, day, mp);
    }
    if rng.chance(0.5) {
        let day = month_end - Duration::days(rng.below(85) as i64);
        findings(run, &mut rng, "supplier", 3.0, day, mp);
    }
}

fn findings(run: &mut Run, rng: &mut Rng, origin: &str, mean: f64, day: NaiveDate, mp: f64) {
    for _ in 0..rng.poisson(mean) {
        let grade = match rng.unit() {
            u if u < 0.12 => "major",
            u if u < 0.6 => "minor",
            _ => "observation",
        };
        let raised = day + Duration::days(rng.below(5) as i64);
        if raised > run.last_day {
            continue;
        }
        let due = raised + Duration::days(if grade == "major" { 30 } else { 60 });
        let closed = raised + Duration::days(rng.exp(lerp(70.0, 35.0, mp)) as i64 + 5);
        let capa = match grade {
            "major" => rng.chance(lerp(0.5, 0.95, mp)),
            "minor" => rng.chance(0.2),
            _ => false,
        };
        let id = run.next_id("FND");
        let deviation = if capa {
            let record = run.next_id("QMS");
            let opened = raised + Duration::days(rng.below(7) as i64);
            let done = opened + Duration::days(rng.exp(50.0) as i64 + 10);
            let last_day = run.last_day;
            let shown = |d: NaiveDate| if d > last_day { String::new() } else { d.to_string() };
            let row = [
                record.clone(),
                record.clone(),
                shown(opened),
                shown(done),
                record_code(run.plant, "capa"),
                "method".to_string(),
                "qms".to_string(),
            ];
            if opened <= run.last_day {
                run.out.capas.row(&row);
            }
            record
        } else {
            String::new()
        };
        run.out.findings.row(&[
            id,
            origin.to_string(),
            grade.to_string(),
            raised.to_string(),
            due.to_string(),
            if closed > run.last_day { String::new() } else { closed.to_string() },
            deviation,
        ]);
    }
}

/// The quarterly risk review: the pre-ISMS register uses the old criteria (v1); the ISMS
/// risk assessment re-scores it under v2. After rollout, treatments get implemented (or a
/// decision approved), high risks come down, and owners review their high risks.
fn risk_review(run: &mut Run, month: NaiveDate) {
    let plant = run.plant;
    let mut rng = Rng::stream(run.seed, &format!("risk review {month}"));
    let month_end = add_months(month, 1) - Duration::days(1);
    let since = months_since_rollout(plant, month);
    let mp = process_maturity(plant, month);
    let rescored = (RISK_ASSESSMENT..RISK_ASSESSMENT + 3).contains(&since);
    let first = run.out.risks.text.lines().count() == 1;
    for (i, r) in run.risks.iter_mut().enumerate() {
        let previous = r.residual;
        if rescored {
            r.inherent = rating(&mut rng);
            r.residual = r.inherent;
        }
        if since >= RISK_ASSESSMENT {
            if r.residual <= 1 && r.treatment == "none" {
                r.treatment = if rng.chance(0.75) { "planned" } else { *rng.pick(&["accepted", "transfer", "avoid"]) };
            } else if r.treatment == "planned" && rng.chance(lerp(0.1, 0.35, mp)) {
                r.treatment = "implemented";
            }
            if ["accepted", "transfer", "avoid"].contains(&r.treatment) && r.approved.is_none() && rng.chance(0.6) {
                r.approved = Some(month_end - Duration::days(rng.below(60) as i64));
            }
            if r.treatment == "implemented" && r.residual < 2 && rng.chance(0.4) {
                r.residual += 1;
            }
            if r.residual <= 1 && rng.chance(lerp(0.2, 0.85, mp)) {
                r.owner_review = Some((month_end - Duration::days(rng.below(60) as i64), r.residual));
            }
        } else if r.residual > 0 && r.residual < 3 && rng.chance(0.02) {
            r.residual -= 1;
        }
        r.at_high = if r.residual <= 1 { r.at_high + 1 } else { 0 };
        r.inherent = r.inherent.min(r.residual);
        let justified = r.residual != previous && rng.chance(lerp(0.5, 0.95, mp));
        let criteria = if since >= RISK_ASSESSMENT { "v2" } else { "v1" };
        let previous_criteria = if since - 3 >= RISK_ASSESSMENT { "v2" } else { "v1" };
        run.out.risks.row(&[
            format!("{}-RISK-{i:02}", plant.id),
            month_end.to_string(),
            criteria.to_string(),
            RATINGS[r.inherent].to_string(),
            RATINGS[r.residual].to_string(),
            if first { String::new() } else { RATINGS[previous].to_string() },
            if first { String::new() } else { previous_criteria.to_string() },
            r.treatment.to_string(),
            r.approved.map_or(String::new(), |d| d.to_string()),
            r.at_high.to_string(),
            r.owner_review.map_or(String::new(), |(d, _)| d.to_string()),
            r.owner_review.map_or(String::new(), |(_, rating)| RATINGS[rating].to_string()),
            if justified { format!("Re-rated under scoring criteria {criteria}") } else { String::new() },
        ]);
    }
}

/// Documents come due on a three-year cycle, so the number reviewed varies; the
/// walk-through finds copies in circulation.
fn documents(run: &mut Run, month: NaiveDate) {
    let plant = run.plant;
    let mut rng = Rng::stream(run.seed, &format!("documents {month}"));
    let mp = process_maturity(plant, month);
    let month_end = add_months(month, 1) - Duration::days(1);
    for _ in 0..(6 + rng.below(9)) {
        let d = rng.below(40);
        let due = month_end - Duration::days(rng.below(80) as i64);
        let completed = if rng.chance(lerp(0.6, 0.95, mp)) {
            due - Duration::days(rng.below(20) as i64)
        } else {
            due + Duration::days(rng.below(60) as i64 + 1)
        };
        let id = run.next_id("REV");
        run.out.reviews.row(&[
            id,
            format!("{}-DOC-{d:02}", plant.id),
            due.to_string(),
            if completed > run.last_day { String::new() } else { completed.to_string() },
        ]);
    }
    for c in 0..(30 + rng.below(20)) {
        let status =
            if rng.chance(lerp(0.2, 0.04, mp)) { *rng.pick(&["obsolete", "uncontrolled"]) } else { "controlled" };
        run.out.copies.row(&[
            format!("{}-COPY-{c:02}", plant.id),
            month_end.to_string(),
            format!("{}-DOC-{:02}", plant.id, c % 10),
            status.to_string(),
        ]);
    }
}

fn main() {
    let mut years = 4i32;
    let mut scale = 1usize;
    let mut seed = 2029u64;
    let mut out = PathBuf::from("examples/acme/data");
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| usage(&format!("{arg} needs a value")));
        match arg.as_str() {
            "--years" => years = value().parse().unwrap_or_else(|_| usage("--years takes a whole number")),
            "--scale" => scale = value().parse().unwrap_or_else(|_| usage("--scale takes a whole number")),
            "--seed" => seed = value().parse().unwrap_or_else(|_| usage("--seed takes a whole number")),
            "--out" => out = PathBuf::from(value()),
            other => usage(&format!("unknown argument `{other}`")),
        }
    }
    if years < 1 || scale < 1 {
        usage("--years and --scale are at least 1");
    }
    if let Err(problem) = write_data(&out, years, scale, seed) {
        fail(&problem);
    }
    println!("wrote {} plants x {years} years at scale {scale} to {}", PLANTS.len(), out.display());
}

/// Writes every plant's exports for `years` from January 2022 into `out`, whole or not at
/// all: they are written to a staging folder that is then moved into place.
pub fn write_data(out: &Path, years: i32, scale: usize, seed: u64) -> Result<(), String> {
    let first = date(2022, 1, 1);
    let staging = out.with_extension("partial");
    let _ = fs::remove_dir_all(&staging);
    for plant in PLANTS {
        let dir = staging.join(plant.id);
        fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        for (file, text) in generate(plant, first, years * 12, scale, seed) {
            fs::write(dir.join(file), text).map_err(|e| format!("cannot write {file}: {e}"))?;
        }
    }
    let _ = fs::remove_dir_all(out);
    fs::rename(&staging, out).map_err(|e| format!("cannot move the data into {}: {e}", out.display()))
}

fn usage(problem: &str) -> ! {
    eprintln!("error: {problem}\nusage: generate-acme [--years N] [--scale N] [--seed N] [--out DIR]");
    std::process::exit(2)
}

fn fail(problem: &str) -> ! {
    eprintln!("error: {problem}");
    std::process::exit(1)
}
