//! Writes the Acme example's plant exports: Acme is an automotive supplier with three
//! plants (Lyon stamping, Brno assembly, Porto paint shop), each with a 12-month baseline
//! before its ISMS rollout, and a story a reader can see in the numbers.
//!
//! ```text
//! cargo run --example generate-acme -- --years 4 --scale 1 [--seed 2026] [--out examples/acme/data]
//! ```
//!
//! Deterministic: the same arguments write the same bytes. `--scale N` multiplies the row
//! counts of the event exports, for benchmarks. The story (`examples/acme/context.yaml`):
//! - processes start at rollout and ramp in over a year: access hygiene, patching, training,
//!   restore tests, risk treatment, audit readiness;
//! - outcomes follow with a validation lag of two quarters, then improve over a year: fewer
//!   and shorter security-caused stops per production hour, less severe incidents found and
//!   contained sooner, lower incident costs;
//! - the detection paradox of seed section 8: monitoring arrives with the ISMS, so more
//!   incidents are found, most of them minor and found by the monitoring itself;
//! - Lyon commissions a second press line on 15 March 2023, on three shifts: production
//!   hours, and with them raw security downtime, grow by more than half while downtime per
//!   production hour falls;
//! - Brno's MES vendor upgrade on 1 February 2024 ends the historian-interface configuration
//!   errors that stopped its lines, a step down that owes nothing to the ISMS;
//! - Porto's ransomware stop of 9 October 2023 (31 hours on line 2) lies in Porto's baseline;
//!   Porto logs downtime by hand from July 2022 only, exports local plant time without
//!   offsets, and runs legacy paint-shop controllers that cannot be patched without
//!   requalification;
//! - Brno's own codes for severity and root cause; the ERP becomes critical six months after
//!   each rollout, when the risk assessment finds it schedules production.

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
    /// People in role-based security training.
    people: usize,
    /// Risks in the security risk register.
    risks: usize,
    /// First day downtime is recorded.
    downtime_from: Option<NaiveDate>,
    /// Until this day, historian-interface configuration errors stop lines on top of the
    /// usual security causes (Brno, until its MES vendor upgrade).
    interface_errors_until: Option<NaiveDate>,
    local_codes: bool,
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
        people: 60,
        risks: 26,
        downtime_from: None,
        interface_errors_until: None,
        local_codes: false,
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
        people: 92,
        risks: 32,
        downtime_from: None,
        interface_errors_until: Some(date(2024, 2, 1)),
        local_codes: true,
    },
    Plant {
        id: "porto",
        rollout: date(2024, 1, 1),
        timezone: chrono_tz::Europe::Lisbon,
        local_time: true,
        lines: PORTO_LINES,
        assets: 36,
        legacy_ot: 9,
        later_assets: (0, date(2000, 1, 1)),
        people: 44,
        risks: 21,
        downtime_from: Some(date(2022, 7, 1)),
        interface_errors_until: None,
        local_codes: false,
    },
];

/// Security stops per 1,000 production hours that Brno's historian interfaces add until
/// its MES vendor upgrade.
const INTERFACE_ERRORS: f64 = 20.0;

/// Months from rollout until outcomes start to move: the validation lag of seed section 6.
const OUTCOME_LAG_MONTHS: i32 = 6;

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

    /// Gamma with shape 2 and the given mean: a duration that is rarely near zero and has a
    /// tail, but less of one than an exponential.
    fn gamma2(&mut self, mean: f64) -> f64 {
        self.exp(mean / 2.0) + self.exp(mean / 2.0)
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
/// through: (class, domain, criticality, regulatory exposure).
const FLEET: &[(&str, &str, &str, &str)] = &[
    ("plc", "ot", "high", "safety"),
    ("hmi", "ot", "medium", "safety"),
    ("plc", "ot", "high", "safety"),
    ("scada", "ot", "critical", "safety;nis2"),
    ("hmi", "ot", "medium", "safety"),
    ("mes", "manufacturing_it", "critical", "iatf16949;nis2"),
    ("engineering_workstation", "ot", "high", "safety;tisax"),
    ("office", "office_it", "low", "data_protection"),
    ("plc", "ot", "high", "safety"),
    ("historian", "manufacturing_it", "high", "iatf16949"),
    ("sis", "ot", "critical", "safety"),
    ("hmi", "ot", "medium", "safety"),
    ("qms", "manufacturing_it", "high", "iatf16949"),
    ("firewall", "manufacturing_it", "critical", "nis2"),
    ("office", "office_it", "low", "data_protection;tisax"),
    ("erp", "office_it", "high", "nis2;data_protection"),
    ("remote_access", "manufacturing_it", "high", "nis2"),
    ("directory", "office_it", "critical", "nis2;data_protection"),
    ("cmms", "manufacturing_it", "medium", ""),
    ("serialization", "manufacturing_it", "high", "iatf16949"),
    ("office", "office_it", "low", ""),
];

/// What a line commissioned later brings: controllers, panels and a safety system.
const LINE_KIT: &[(&str, &str, &str, &str)] = &[
    ("plc", "ot", "high", "safety"),
    ("hmi", "ot", "medium", "safety"),
    ("plc", "ot", "high", "safety"),
    ("sis", "ot", "critical", "safety"),
    ("hmi", "ot", "medium", "safety"),
    ("engineering_workstation", "ot", "high", "safety;tisax"),
];

struct Asset {
    id: String,
    class: &'static str,
    domain: &'static str,
    criticality: &'static str,
    exposure: &'static str,
    patchable: bool,
    /// The first month it is in the inventory.
    from: NaiveDate,
    /// Months after rollout at which each key control becomes verified (negative: already):
    /// access control, central logging, backup with a tested restore, change management, and
    /// timely provisioning and deprovisioning.
    controls_from: [i32; 5],
    /// Months after rollout from which an unpatchable system is isolated and monitored.
    compensated_from: i32,
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
                if legacy { ("plc", "ot", "critical", "safety") } else { (class, domain, criticality, exposure) };
            // Before rollout about half the controls are in place; the rest arrive in the
            // 18 months after, safety systems (validated) six months later, legacy OT last.
            let delay = if legacy {
                30
            } else if exposure.contains("safety") {
                6
            } else {
                0
            };
            let mut controls_from = [0i32; 5];
            for c in &mut controls_from {
                *c = if rng.chance(0.45) { -60 } else { rng.below(18) as i32 + delay };
            }
            Asset {
                id: format!("{}-{:03}", plant.id.to_uppercase(), i + 1),
                class,
                domain,
                criticality,
                exposure,
                patchable: !legacy,
                from: if late { later_from } else { date(2000, 1, 1) },
                controls_from,
                compensated_from: 6 + rng.below(15) as i32,
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
        _ => "NEZNAMO",
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

fn generate(plant: &Plant, first: NaiveDate, months: i32, scale: usize, seed: u64) -> Vec<(&'static str, String)> {
    let plant_seed = seed ^ plant.id.bytes().fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(b as u64));
    let mut rng = Rng(plant_seed);
    // Production and stops draw from a stream of their own, so that a change to any other
    // export leaves the downtime story as it is.
    let mut line_rng = Rng(plant_seed.rotate_left(29) ^ 0x05EE_D0F5_11E5);
    let assets = assets(plant, &mut rng);
    let scale_f = scale as f64;
    let last_day = add_months(first, months) - Duration::days(1);
    let stamp = |t: NaiveDateTime| stamp(plant, t);

    let mut production = Table::new("line,month,criticality,production_hours");
    let mut downtime = Table::new("event_id,started_at,duration_min,line,cause,asset_id");
    let mut incidents = Table::new(
        "incident_id,occurred_at,detected_at,contained_at,resolved_at,category,severity,domain,asset_id,detected_by,cost_eur",
    );
    let mut costs = Table::new("cost_id,incident_id,booked_on,cost_type,amount_eur");
    let mut asset_rows = Table::new(
        "asset_id,snapshot_on,name,asset_class,domain,criticality,exposure,access_control,central_logging,backup,change_management,timely_access,patchable,compensating_controls",
    );
    let mut audits = Table::new("audit_id,audit_date,kind,prep_hours,late_artifacts,missing_artifacts,fire_drills");
    let mut capas = Table::new("record_id,opened_on,closed_on,record_type,factors,system_class");
    let mut third = Table::new("disruption_id,started_at,duration_min,supplier,kind,security_related");
    let mut risks = Table::new(
        "risk_id,snapshot_on,inherent_rating,residual_rating,previous_rating,treatment,reviews_at_high,justification",
    );
    let mut exceptions = Table::new("exception_id,opened_on,closed_on,kind,asset_id,repeated");
    let mut reviews = Table::new("review_id,document_id,due_on,completed_on");
    let mut copies = Table::new("copy_id,snapshot_on,document_id,status");
    let mut accounts = Table::new("account_id,snapshot_on,asset_id,kind,privileged");
    let mut leavers = Table::new("person_id,terminated_at,disabled_at");
    let mut restores = Table::new("test_id,tested_on,asset_id,success,restore_hours");
    let mut patches = Table::new("patch_id,asset_id,released_on,due_on,installed_on,requalification_exception");
    let mut vulns = Table::new("vuln_id,asset_id,found_on,resolved_on,cvss,requalification_exception");
    let mut training = Table::new("assignment_id,person_id,role,due_on,completed_on,score");

    // Risks keep their identity across reviews: (rating 0=critical..3=low, treatment,
    // reviews at high).
    let mut risk_state: Vec<(usize, usize, usize)> = (0..plant.risks).map(|_| (rng.below(3), 0, 0)).collect();
    // The rating before any treatment: the first assessment's, raised when a review finds
    // the risk worse (0=critical..2=medium).
    let mut inherent: Vec<usize> = risk_state.iter().map(|r| r.0).collect();
    let mut counter = 0usize;
    let mut next_id = |prefix: &str| {
        counter += 1;
        format!("{}-{prefix}-{counter:06}", plant.id)
    };

    // An incident: its row and the costs booked against it by `last_day`.
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
        bookings: Vec<(NaiveDate, &'static str, f64)>,
    }
    let mut write_incident = |inc: Incident, next_id: &mut dyn FnMut(&str) -> String| {
        let id = next_id("INC");
        let booked: Vec<_> = inc.bookings.iter().filter(|b| b.0 <= last_day).collect();
        let total: f64 = booked.iter().map(|b| (b.2 * 100.0).round() / 100.0).sum();
        incidents.row(&[
            id.clone(),
            inc.occurred.map(stamp).unwrap_or_default(),
            stamp(inc.detected),
            if inc.contained.date() > last_day { String::new() } else { stamp(inc.contained) },
            if inc.resolved.date() > last_day { String::new() } else { stamp(inc.resolved) },
            inc.category.to_string(),
            severity_code(plant, inc.sev),
            inc.domain.to_string(),
            inc.asset.unwrap_or_default(),
            inc.detected_by.to_string(),
            if booked.is_empty() { String::new() } else { format!("{total:.2}") },
        ]);
        for (booked_on, kind, amount) in booked {
            costs.row(&[next_id("COST"), id.clone(), booked_on.to_string(), kind.to_string(), format!("{amount:.2}")]);
        }
    };

    for k in 0..months {
        let month = add_months(first, k);
        let month_end = add_months(month, 1) - Duration::days(1);
        let mp = process_maturity(plant, month);
        let mo = outcome_maturity(plant, month);
        let since = months_since_rollout(plant, month);
        let s = season(month);
        let running = production_share(plant, month);

        // Production hours per line, and the stops on each line: security-caused stops
        // per production hour become rarer and shorter as outcomes mature.
        for line in plant.lines.iter().filter(|l| l.from <= month_end) {
            let started = if line.from > month {
                // Commissioning month, and a ramp-up of three months.
                (month_end - line.from).num_days() as f64 / days_in_month(month) as f64 * 0.5
            } else {
                let age = (month.year() - line.from.year()) * 12 + month.month() as i32 - line.from.month() as i32;
                if age < 3 { 0.7 } else { 1.0 }
            };
            let hours = line.hours * running * started * (0.97 + 0.06 * line_rng.unit());
            production.row(&[
                line.id.to_string(),
                month.to_string(),
                if line.critical { "critical" } else { "high" }.to_string(),
                format!("{hours:.1}"),
            ]);
            if plant.downtime_from.is_some_and(|from| month < from) {
                continue;
            }
            let thousands = hours / 1000.0 * scale_f;
            let interface_errors = plant.interface_errors_until.is_some_and(|until| month < until);
            let security_rate = 20.0 * lerp(1.0, 0.5, mo) + if interface_errors { INTERFACE_ERRORS } else { 0.0 };
            for _ in 0..line_rng.poisson(security_rate * s * thousands) {
                let interface = interface_errors && line_rng.chance(INTERFACE_ERRORS / security_rate);
                let cause = if interface {
                    "configuration_error"
                } else {
                    *line_rng.pick(&[
                        "cyber_event",
                        "unauthorized_change",
                        "configuration_error",
                        "configuration_error",
                    ])
                };
                let asset = if interface {
                    assets.iter().find(|a| a.class == "historian")
                } else if line_rng.chance(0.7) {
                    Some(&assets[line_rng.below(assets.len())]).filter(|a| a.in_production() && a.from <= month)
                } else {
                    None
                };
                downtime.row(&[
                    next_id("DT"),
                    stamp(line_rng.moment_in(month)),
                    format!("{:.0}", line_rng.gamma2(60.0 * lerp(1.0, 0.6, mo)).max(5.0)),
                    line.id.to_string(),
                    cause_code(plant, cause),
                    asset.map_or(String::new(), |a| a.id.clone()),
                ]);
            }
            for _ in 0..line_rng.poisson(30.0 * s * thousands) {
                let cause = *line_rng.pick(&[
                    "equipment_failure",
                    "equipment_failure",
                    "process_issue",
                    "process_issue",
                    "utility_outage",
                    "unknown",
                ]);
                let asset =
                    line_rng.chance(0.4).then(|| &assets[line_rng.below(assets.len())]).filter(|a| a.from <= month);
                downtime.row(&[
                    next_id("DT"),
                    stamp(line_rng.moment_in(month)),
                    format!("{:.0}", line_rng.exp(75.0).max(5.0)),
                    line.id.to_string(),
                    cause_code(plant, cause),
                    asset.map_or(String::new(), |a| a.id.clone()),
                ]);
            }
        }

        // Incidents: monitoring arrives with the ISMS and finds more, mostly minor ones;
        // severity, detection and containment times and costs fall as outcomes mature.
        let size = plant.people as f64 / 60.0;
        for _ in 0..rng.poisson(lerp(3.0, 5.5, mp) * size * s * scale_f) {
            let detected = rng.moment_in(month);
            let sev = if rng.chance(lerp(0.06, 0.02, mo)) {
                1
            } else if rng.chance(lerp(0.30, 0.08, mo)) {
                2
            } else {
                rng.below(2) + 3
            };
            let production_side = rng.chance(0.65);
            let asset = production_side
                .then(|| &assets[rng.below(assets.len())])
                .filter(|a| a.in_production() && a.from <= month)
                .map(|a| a.id.clone());
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
            let occurred = (!rng.chance(0.2))
                .then(|| detected - Duration::minutes((rng.exp(lerp(110.0, 24.0, mo)) * 60.0) as i64));
            let contained = detected + Duration::minutes((rng.exp(lerp(30.0, 8.0, mo)) * 60.0) as i64 + 10);
            let resolved = contained + Duration::hours(rng.exp(48.0) as i64 + 1);
            let mut bookings = Vec::new();
            if sev <= 2 {
                let mean = if sev == 1 { lerp(60_000.0, 25_000.0, mo) } else { lerp(8_000.0, 4_000.0, mo) };
                for _ in 0..rng.below(3) + 1 {
                    let booked = detected.date() + Duration::days(rng.below(60) as i64);
                    let kind = *rng.pick(&["overtime", "scrap", "delay", "recovery"]);
                    bookings.push((booked, kind, rng.exp(mean)));
                }
            }
            let category = if production_side {
                *rng.pick(&[
                    "malware",
                    "removable_media",
                    "remote_access_compromise",
                    "unauthorized_change",
                    "intrusion",
                    "loss_of_view",
                ])
            } else {
                *rng.pick(&["phishing", "malware", "policy_violation", "data_loss", "intrusion", "insider"])
            };
            let domain = if production_side { *rng.pick(&["ot", "manufacturing_it"]) } else { "office_it" };
            write_incident(
                Incident {
                    occurred,
                    detected,
                    contained,
                    resolved,
                    category,
                    sev,
                    domain,
                    asset,
                    detected_by,
                    bookings,
                },
                &mut next_id,
            );
        }

        if plant.id == Ransomware::PLANT && month == date(2023, 10, 1) {
            let stopped = Ransomware::stopped();
            let workstation = assets.iter().find(|a| a.class == "engineering_workstation").map(|a| a.id.clone());
            downtime.row(&[
                next_id("DT"),
                stamp(stopped),
                "1860".to_string(),
                "L2".to_string(),
                cause_code(plant, "cyber_event"),
                workstation.clone().unwrap_or_default(),
            ]);
            write_incident(
                Incident {
                    occurred: Some(stopped - Duration::hours(70)),
                    detected: stopped - Duration::minutes(20),
                    contained: stopped + Duration::hours(29),
                    resolved: stopped + Duration::hours(31),
                    category: "ransomware",
                    sev: 1,
                    domain: "ot",
                    asset: workstation,
                    detected_by: "user_report",
                    bookings: vec![
                        (date(2023, 10, 20), "recovery", 84_500.0),
                        (date(2023, 10, 31), "scrap", 41_800.0),
                        (date(2023, 11, 15), "overtime", 23_200.0),
                        (date(2023, 12, 8), "delay", 61_000.0),
                    ],
                },
                &mut next_id,
            );
        }

        // Inventory snapshot at the end of every month.
        for a in assets.iter().filter(|a| a.from <= month_end) {
            let has = |c: usize| since >= a.controls_from[c];
            let b = |v: bool| v.to_string();
            asset_rows.row(&[
                a.id.clone(),
                month_end.to_string(),
                format!("{} {}", a.class.to_uppercase(), &a.id[a.id.len() - 3..]),
                a.class.to_string(),
                a.domain.to_string(),
                a.criticality_at(since).to_string(),
                a.exposure.to_string(),
                b(has(0)),
                b(has(1)),
                b(has(2)),
                b(has(3)),
                b(has(4)),
                b(a.patchable),
                b(!a.patchable && since >= a.compensated_from),
            ]);
        }

        // Accounts on critical systems: generic and orphan accounts are cleaned up; OT
        // systems keep a vendor account for remote support.
        for (i, a) in
            assets.iter().enumerate().filter(|(_, a)| a.criticality_at(since) == "critical" && a.from <= month)
        {
            for j in 0..5 {
                let kind = if rng.chance(lerp(0.16, 0.03, mp)) {
                    *rng.pick(&["generic", "orphan"])
                } else if j == 4 {
                    "service"
                } else if j == 3 && a.domain == "ot" {
                    "vendor"
                } else {
                    "personal"
                };
                accounts.row(&[
                    format!("{}-ACC-{i:03}-{j}", plant.id),
                    month_end.to_string(),
                    a.id.clone(),
                    kind.to_string(),
                    (j == 0).to_string(),
                ]);
            }
        }

        // Leavers: disabled within hours after rollout, days before.
        for _ in 0..rng.poisson(4.0 * size) {
            let terminated = rng.moment_in(month);
            let disabled = terminated + Duration::minutes((rng.exp(lerp(110.0, 7.0, mp)) * 60.0) as i64);
            leavers.row(&[
                next_id("P"),
                stamp(terminated),
                if disabled.date() > last_day { String::new() } else { stamp(disabled) },
            ]);
        }

        // Control failures: monitoring finds more at first, then fewer as controls settle.
        let lambda = if since < 0 {
            7.0
        } else if since < 9 {
            10.0
        } else {
            lerp(7.0, 4.0, mo)
        };
        for _ in 0..rng.poisson(lambda) {
            let opened = rng.moment_in(month).date();
            let closed = opened + Duration::days(rng.exp(lerp(75.0, 20.0, mp)) as i64);
            let asset = &assets[rng.below(assets.len())];
            exceptions.row(&[
                next_id("EXC"),
                opened.to_string(),
                if closed > last_day { String::new() } else { closed.to_string() },
                rng.pick(&[
                    "missing_logs",
                    "late_access_review",
                    "undocumented_admin",
                    "backup_failure",
                    "unapproved_change",
                    "patch_exception",
                    "soa_deviation",
                ])
                .to_string(),
                asset.id.clone(),
                rng.chance(lerp(0.35, 0.1, mo)).to_string(),
            ]);
        }

        // Patches: due 30 days after release; faster after rollout; legacy OT deferred.
        for _ in 0..rng.poisson(28.0 * scale_f) {
            let asset = &assets[rng.below(assets.len())];
            let released = rng.moment_in(month).date();
            let due = released + Duration::days(30);
            let exception = !asset.patchable;
            let installed = (!exception).then(|| released + Duration::days(rng.exp(lerp(48.0, 16.0, mp)) as i64 + 1));
            patches.row(&[
                next_id("PAT"),
                asset.id.clone(),
                released.to_string(),
                due.to_string(),
                installed.filter(|d| *d <= last_day).map(|d| d.to_string()).unwrap_or_default(),
                exception.to_string(),
            ]);
        }

        // Vulnerabilities: resolved faster after rollout, except on legacy OT.
        for _ in 0..rng.poisson(9.0) {
            let asset = &assets[rng.below(assets.len())];
            let found = rng.moment_in(month).date();
            let resolved = asset.patchable.then(|| found + Duration::days(rng.exp(lerp(110.0, 30.0, mp)) as i64 + 1));
            vulns.row(&[
                next_id("VUL"),
                asset.id.clone(),
                found.to_string(),
                resolved.filter(|d| *d <= last_day).map(|d| d.to_string()).unwrap_or_default(),
                format!("{:.1}", 3.0 + rng.unit() * 7.0),
                (!asset.patchable).to_string(),
            ]);
        }

        // Nonconformances and corrective actions (8D): fewer from uncontrolled information
        // handling once the ISMS reaches the shop floor.
        for _ in 0..rng.poisson(6.0) {
            let opened = rng.moment_in(month).date();
            let info = rng.chance(lerp(0.40, 0.14, mo));
            let factors = if info {
                format!(
                    "{};{}",
                    rng.pick(&["uncontrolled_access", "missing_logs", "inconsistent_records"]),
                    rng.pick(&["human_error", "method"])
                )
            } else {
                rng.pick(&["human_error", "equipment", "material", "method", "human_error;method"]).to_string()
            };
            let closed = opened + Duration::days(rng.exp(45.0) as i64 + 5);
            capas.row(&[
                next_id("QMS"),
                opened.to_string(),
                if closed > last_day { String::new() } else { closed.to_string() },
                rng.pick(&["deviation", "nonconformance", "capa"]).to_string(),
                factors,
                rng.pick(&["mes", "qms", "serialization", "historian", "erp"]).to_string(),
            ]);
        }

        // Third-party disruptions.
        for _ in 0..rng.poisson(lerp(1.6, 0.6, mo)) {
            third.row(&[
                next_id("TPD"),
                stamp(rng.moment_in(month)),
                format!("{:.0}", rng.exp(180.0) + 10.0),
                rng.pick(&["Press integrator", "Cloud MES host", "OEM EDI portal", "Paint robot vendor"]).to_string(),
                rng.pick(&[
                    "file_transfer_failure",
                    "credential_issue",
                    "supplier_compromise",
                    "remote_access_failure",
                    "cloud_outage",
                ])
                .to_string(),
                rng.chance(0.75).to_string(),
            ]);
        }

        if month.month0() % 3 == 2 {
            // Quarter end: audits, risk review, document reviews and walk-through, restore
            // tests and training assignments.
            let quarter = month.month0() / 3;
            // An internal audit every quarter, the IATF 16949 / ISO 27001 surveillance audit
            // in the second, customer (OEM, TISAX) audits when they come, an authority rarely.
            let mut kinds = vec!["internal"];
            if quarter == 1 {
                kinds.push("certification");
            }
            kinds.extend(std::iter::repeat_n("customer", rng.poisson(0.7)));
            if rng.chance(0.1) {
                kinds.push("regulatory");
            }
            for kind in kinds {
                let effort = match kind {
                    "certification" => 220.0,
                    "customer" => 130.0,
                    "regulatory" => 160.0,
                    _ => 60.0,
                };
                audits.row(&[
                    next_id("AUD"),
                    (month_end - Duration::days(rng.below(85) as i64)).to_string(),
                    kind.to_string(),
                    format!("{:.0}", effort * lerp(1.0, 0.5, mp) * (0.8 + 0.4 * rng.unit())),
                    rng.poisson(effort / 60.0 * lerp(3.0, 0.7, mp)).to_string(),
                    rng.poisson(effort / 60.0 * lerp(1.0, 0.2, mp)).to_string(),
                    rng.poisson(effort / 60.0 * lerp(1.5, 0.3, mp)).to_string(),
                ]);
            }

            for ((i, r), inherent) in risk_state.iter_mut().enumerate().zip(inherent.iter_mut()) {
                let previous = r.0;
                // Treatments get implemented and high risks come down after rollout.
                if since >= 0 && r.1 < 2 && rng.chance(lerp(0.1, 0.45, mp)) {
                    r.1 += 1;
                }
                if r.1 == 2 && r.0 < 2 && rng.chance(0.35) {
                    r.0 += 1;
                }
                if since < 0 && r.0 < 3 && r.0 > 0 && rng.chance(0.05) {
                    r.0 -= 1;
                }
                r.2 = if r.0 <= 1 { r.2 + 1 } else { 0 };
                *inherent = (*inherent).min(r.0);
                const RATINGS: [&str; 4] = ["critical", "high", "medium", "low"];
                const TREATMENTS: [&str; 3] = ["none", "planned", "implemented"];
                let justified = r.0 != previous || rng.chance(0.5);
                risks.row(&[
                    format!("{}-RISK-{i:02}", plant.id),
                    month_end.to_string(),
                    RATINGS[*inherent].to_string(),
                    RATINGS[r.0].to_string(),
                    if k < 3 { String::new() } else { RATINGS[previous].to_string() },
                    TREATMENTS[r.1].to_string(),
                    r.2.to_string(),
                    if justified { "Reviewed against scoring criteria v2".to_string() } else { String::new() },
                ]);
            }

            // Documents come due on a three-year cycle, so the number reviewed varies.
            for _ in 0..(6 + rng.below(9)) {
                let d = rng.below(40);
                let due = month_end - Duration::days(rng.below(80) as i64);
                let done = rng.chance(lerp(0.6, 0.95, mp));
                let completed = if done {
                    due - Duration::days(rng.below(20) as i64)
                } else {
                    due + Duration::days(rng.below(60) as i64 + 1)
                };
                reviews.row(&[
                    next_id("REV"),
                    format!("{}-DOC-{d:02}", plant.id),
                    due.to_string(),
                    if completed > last_day { String::new() } else { completed.to_string() },
                ]);
            }
            for c in 0..40 {
                let status = if rng.chance(lerp(0.2, 0.03, mp)) {
                    *rng.pick(&["obsolete", "uncontrolled"])
                } else {
                    "controlled"
                };
                copies.row(&[
                    format!("{}-COPY-{c:02}", plant.id),
                    month_end.to_string(),
                    format!("{}-DOC-{:02}", plant.id, c % 10),
                    status.to_string(),
                ]);
            }

            let critical: Vec<&Asset> =
                assets.iter().filter(|a| a.criticality_at(since) == "critical" && a.from <= month).collect();
            // The first export reaches a year back, so that a 12-month coverage of restore
            // tests is whole from the first quarter.
            let quarters_back = if k == 2 { 4 } else { 0 };
            for q in (0..=quarters_back).rev() {
                let quarter_end = add_months(month, 1 - 3 * q) - Duration::days(1);
                for _ in 0..(lerp(3.0, 8.0, mp).round() as usize) {
                    let a = critical[rng.below(critical.len())];
                    let success = rng.chance(lerp(0.7, 0.96, mp));
                    restores.row(&[
                        next_id("RST"),
                        (quarter_end - Duration::days(rng.below(85) as i64)).to_string(),
                        a.id.clone(),
                        success.to_string(),
                        if success { format!("{:.1}", rng.exp(lerp(12.0, 5.0, mp)) + 0.5) } else { String::new() },
                    ]);
                }
            }

            // Role-based training: a plant's people by role, due every quarter.
            for p in 0..plant.people {
                let role = match p % 10 {
                    0 | 1 => "engineer",
                    2..=6 => "operator",
                    7 => "administrator",
                    _ => "office_staff",
                };
                let done = rng.chance(lerp(0.55, 0.95, mp));
                let completed = if done {
                    month_end - Duration::days(rng.below(60) as i64)
                } else {
                    month_end + Duration::days(rng.below(45) as i64 + 1)
                };
                let recorded = completed <= last_day;
                training.row(&[
                    next_id("TRN"),
                    format!("{}-P{p:03}", plant.id),
                    role.to_string(),
                    month_end.to_string(),
                    if recorded { completed.to_string() } else { String::new() },
                    if recorded {
                        format!("{:.0}", (lerp(64.0, 82.0, mp) + (rng.unit() - 0.5) * 20.0).clamp(0.0, 100.0))
                    } else {
                        String::new()
                    },
                ]);
            }
        }
    }

    vec![
        ("production.csv", production.text),
        ("incidents.csv", incidents.text),
        ("incident_costs.csv", costs.text),
        ("downtime.csv", downtime.text),
        ("assets.csv", asset_rows.text),
        ("audit_prep.csv", audits.text),
        ("capas.csv", capas.text),
        ("third_party_disruptions.csv", third.text),
        ("risk_register.csv", risks.text),
        ("control_exceptions.csv", exceptions.text),
        ("document_reviews.csv", reviews.text),
        ("document_copies.csv", copies.text),
        ("accounts.csv", accounts.text),
        ("leavers.csv", leavers.text),
        ("restore_tests.csv", restores.text),
        ("patches.csv", patches.text),
        ("vulnerabilities.csv", vulns.text),
        ("training.csv", training.text),
    ]
}

fn main() {
    let mut years = 4i32;
    let mut scale = 1usize;
    let mut seed = 2026u64;
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
