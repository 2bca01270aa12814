//! Writes the Acme example's plant exports: three plants, a 12-month baseline before each
//! ISMS rollout, and effects a reader can see in the numbers.
//!
//! ```text
//! cargo run --example generate-acme -- --years 4 --scale 1 [--seed 2026] [--out examples/acme/data]
//! ```
//!
//! Deterministic: the same arguments write the same bytes. `--scale N` multiplies the row
//! counts of the event exports, for benchmarks. What the generator builds in:
//! - after rollout (ramping in over a year): fewer and shorter security-caused stops,
//!   faster detection and containment, cheaper incidents, better access hygiene, patch
//!   timeliness, control coverage, training and audit readiness;
//! - the detection paradox of seed section 8: more incidents are detected after better
//!   monitoring arrives, but fewer of them are major;
//! - seasonality and noise; Brno's own codes for severity and root cause; Porto's downtime
//!   logged by hand from July 2022 only, and its legacy OT assets that cannot be patched
//!   without requalification.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

struct Plant {
    id: &'static str,
    rollout: NaiveDate,
    assets: usize,
    /// Legacy OT assets that cannot be patched without requalification.
    legacy_ot: usize,
    /// First day downtime is recorded.
    downtime_from: Option<NaiveDate>,
    local_codes: bool,
}

const PLANTS: &[Plant] = &[
    Plant { id: "lyon", rollout: date(2023, 1, 1), assets: 40, legacy_ot: 0, downtime_from: None, local_codes: false },
    Plant { id: "brno", rollout: date(2023, 7, 1), assets: 50, legacy_ot: 2, downtime_from: None, local_codes: true },
    Plant {
        id: "porto",
        rollout: date(2024, 1, 1),
        assets: 36,
        legacy_ot: 9,
        downtime_from: Some(date(2022, 7, 1)),
        local_codes: false,
    },
];

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

    /// A day in the month starting at `month`, with a time of day.
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

/// 0 before rollout, rising to 1 over the twelve months after it.
fn maturity(plant: &Plant, month: NaiveDate) -> f64 {
    let months = (month.year() - plant.rollout.year()) * 12 + month.month() as i32 - plant.rollout.month() as i32;
    (months as f64 / 12.0).clamp(0.0, 1.0)
}

/// From `before` to `after` as the ISMS matures.
fn lerp(before: f64, after: f64, m: f64) -> f64 {
    before + (after - before) * m
}

fn season(month: NaiveDate) -> f64 {
    1.0 + 0.15 * (2.0 * std::f64::consts::PI * month.month0() as f64 / 12.0).sin()
}

fn iso(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
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

struct Asset {
    id: String,
    class: &'static str,
    domain: &'static str,
    criticality: &'static str,
    exposure: &'static str,
    patchable: bool,
    /// Months after rollout at which each key control becomes verified (negative: already).
    controls_from: [i32; 4],
}

impl Asset {
    /// The inventory's criticality `since` months after rollout: the risk assessment
    /// that follows rollout finds the ERP (which schedules production) critical after six
    /// months, so the inventory reclassifies it, and joins must not restate earlier months.
    fn criticality_at(&self, since: i32) -> &'static str {
        if self.class == "erp" && since >= 6 { "critical" } else { self.criticality }
    }
}

fn assets(plant: &Plant, rng: &mut Rng) -> Vec<Asset> {
    const CLASSES: &[(&str, &str, &str, &str)] = &[
        ("mes", "manufacturing_it", "critical", "gxp"),
        ("dcs", "ot", "critical", "safety"),
        ("scada", "ot", "critical", "safety"),
        ("plc", "ot", "high", "safety"),
        ("historian", "manufacturing_it", "critical", "gxp"),
        ("qms", "manufacturing_it", "critical", "gxp"),
        ("erp", "office_it", "high", "other"),
        ("lims", "manufacturing_it", "high", "gxp"),
        ("office", "office_it", "low", "other"),
    ];
    (0..plant.assets)
        .map(|i| {
            let (class, domain, criticality, exposure) = CLASSES[i % CLASSES.len()];
            let legacy = i >= plant.assets - plant.legacy_ot;
            let (class, domain, criticality, exposure) =
                if legacy { ("plc", "ot", "critical", "safety") } else { (class, domain, criticality, exposure) };
            // Before rollout about half the controls are in place; the rest arrive in the
            // 18 months after, legacy OT last or never.
            let mut controls_from = [0i32; 4];
            for c in &mut controls_from {
                *c = if rng.chance(0.45) { -60 } else { rng.below(18) as i32 + if legacy { 30 } else { 0 } };
            }
            Asset {
                id: format!("{}-{:03}", plant.id.to_uppercase(), i + 1),
                class,
                domain,
                criticality,
                exposure,
                patchable: !legacy,
                controls_from,
            }
        })
        .collect()
}

fn months_since_rollout(plant: &Plant, month: NaiveDate) -> i32 {
    (month.year() - plant.rollout.year()) * 12 + month.month() as i32 - plant.rollout.month() as i32
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

fn generate(plant: &Plant, first: NaiveDate, months: i32, scale: usize, seed: u64) -> Vec<(&'static str, String)> {
    let mut rng = Rng(seed ^ plant.id.bytes().fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(b as u64)));
    let assets = assets(plant, &mut rng);
    let critical: Vec<&Asset> = assets.iter().filter(|a| a.criticality == "critical").collect();
    let scale_f = scale as f64;

    let mut downtime = Table::new("event_id,started_at,duration_min,line,cause,asset_id");
    let mut incidents =
        Table::new("incident_id,occurred_at,detected_at,contained_at,resolved_at,category,severity,domain,asset_id");
    let mut costs = Table::new("cost_id,incident_id,booked_on,cost_type,amount_eur");
    let mut asset_rows = Table::new(
        "asset_id,snapshot_on,name,asset_class,domain,criticality,exposure,access_control,central_logging,backup,change_management,patchable",
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

    // Risks keep their identity across reviews.
    let mut risk_state: Vec<(usize, usize, usize)> = (0..30).map(|_| (rng.below(3), 0, 0)).collect(); // (rating 0=critical..3, treatment, reviews_at_high)
    let mut counter = 0usize;
    let mut next_id = |prefix: &str| {
        counter += 1;
        format!("{}-{prefix}-{counter:06}", plant.id)
    };
    let last_day = add_months(first, months) - Duration::days(1);

    for k in 0..months {
        let month = add_months(first, k);
        let month_end = add_months(month, 1) - Duration::days(1);
        let m = maturity(plant, month);
        let since = months_since_rollout(plant, month);
        let s = season(month);

        // Production downtime, all causes; security causes become rarer and shorter.
        if plant.downtime_from.is_none_or(|from| month >= from) {
            let n = rng.poisson(45.0 * s * scale_f);
            for _ in 0..n {
                let p_security = lerp(0.16, 0.10, m);
                let cause = if rng.chance(p_security) {
                    *rng.pick(&["cyber_event", "unauthorized_change", "configuration_error"])
                } else {
                    *rng.pick(&[
                        "equipment_failure",
                        "equipment_failure",
                        "process_issue",
                        "process_issue",
                        "utility_outage",
                        "unknown",
                    ])
                };
                let security = matches!(cause, "cyber_event" | "unauthorized_change" | "configuration_error");
                let mean = if security { lerp(260.0, 160.0, m) } else { 75.0 };
                let asset = if security && rng.chance(0.75) {
                    Some(&critical[rng.below(critical.len())])
                } else if rng.chance(0.5) {
                    Some(&&assets[rng.below(assets.len())])
                } else {
                    None
                };
                downtime.row(&[
                    next_id("DT"),
                    iso(rng.moment_in(month)),
                    format!("{:.0}", rng.exp(mean).max(5.0)),
                    format!("L{}", rng.below(4) + 1),
                    cause_code(plant, cause),
                    asset.map_or(String::new(), |a| a.id.clone()),
                ]);
            }
        }

        // Incidents: better monitoring finds more, but they are less severe and found
        // and contained sooner.
        let n = rng.poisson(lerp(5.0, 8.5, m) * s * scale_f);
        for _ in 0..n {
            let detected = rng.moment_in(month);
            let major = rng.chance(lerp(0.40, 0.12, m));
            let sev = if major { rng.below(2) + 1 } else { rng.below(2) + 3 };
            let production = rng.chance(0.65);
            let asset = if production { Some(&critical[rng.below(critical.len())]) } else { None };
            let occurred =
                (!rng.chance(0.2)).then(|| detected - Duration::minutes((rng.exp(lerp(110.0, 24.0, m)) * 60.0) as i64));
            let contained = detected + Duration::minutes((rng.exp(lerp(30.0, 8.0, m)) * 60.0) as i64 + 10);
            let resolved = contained + Duration::hours(rng.exp(48.0) as i64 + 1);
            let open_at_end = contained.date() > last_day;
            let id = next_id("INC");
            incidents.row(&[
                id.clone(),
                occurred.map(iso).unwrap_or_default(),
                iso(detected),
                if open_at_end { String::new() } else { iso(contained) },
                if resolved.date() > last_day { String::new() } else { iso(resolved) },
                rng.pick(&["malware", "intrusion", "unauthorized_change", "phishing", "policy_violation", "data_loss"])
                    .to_string(),
                severity_code(plant, sev),
                if production { *rng.pick(&["ot", "manufacturing_it"]) } else { "office_it" }.to_string(),
                asset.map_or(String::new(), |a| a.id.clone()),
            ]);
            if major {
                for _ in 0..rng.below(3) + 1 {
                    let booked = detected.date() + Duration::days(rng.below(60) as i64);
                    if booked <= last_day {
                        costs.row(&[
                            next_id("COST"),
                            id.clone(),
                            booked.to_string(),
                            rng.pick(&["overtime", "scrap", "delay", "recovery"]).to_string(),
                            format!("{:.2}", rng.exp(lerp(18_000.0, 7_000.0, m))),
                        ]);
                    }
                }
            }
        }

        // Inventory snapshot at the end of every month.
        for a in &assets {
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
                b(a.patchable),
            ]);
        }

        // Accounts on critical systems: generic and orphan accounts are cleaned up.
        for (i, a) in critical.iter().enumerate() {
            for j in 0..5 {
                let kind = if rng.chance(lerp(0.16, 0.03, m)) {
                    *rng.pick(&["generic", "orphan"])
                } else if j == 4 {
                    "service"
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
        for _ in 0..rng.poisson(4.0) {
            let terminated = rng.moment_in(month);
            let disabled = terminated + Duration::minutes((rng.exp(lerp(110.0, 7.0, m)) * 60.0) as i64);
            leavers.row(&[
                next_id("P"),
                iso(terminated),
                if disabled.date() > last_day { String::new() } else { iso(disabled) },
            ]);
        }

        // Control failures: monitoring finds more at first, then fewer as controls settle.
        let lambda = if since < 0 {
            7.0
        } else if since < 9 {
            10.0
        } else {
            lerp(7.0, 4.0, m)
        };
        for _ in 0..rng.poisson(lambda) {
            let opened = rng.moment_in(month).date();
            let closed = opened + Duration::days(rng.exp(lerp(75.0, 20.0, m)) as i64);
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
                rng.chance(lerp(0.35, 0.1, m)).to_string(),
            ]);
        }

        // Patches: due 30 days after release; faster after rollout; legacy OT deferred.
        for _ in 0..rng.poisson(28.0 * scale_f) {
            let asset = &assets[rng.below(assets.len())];
            let released = rng.moment_in(month).date();
            let due = released + Duration::days(30);
            let exception = !asset.patchable;
            let installed = (!exception).then(|| released + Duration::days(rng.exp(lerp(48.0, 16.0, m)) as i64 + 1));
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
            let resolved = asset.patchable.then(|| found + Duration::days(rng.exp(lerp(110.0, 30.0, m)) as i64 + 1));
            vulns.row(&[
                next_id("VUL"),
                asset.id.clone(),
                found.to_string(),
                resolved.filter(|d| *d <= last_day).map(|d| d.to_string()).unwrap_or_default(),
                format!("{:.1}", 3.0 + rng.unit() * 7.0),
                (!asset.patchable).to_string(),
            ]);
        }

        // Deviations and CAPAs: fewer from uncontrolled information handling.
        for _ in 0..rng.poisson(6.0) {
            let opened = rng.moment_in(month).date();
            let info = rng.chance(lerp(0.40, 0.14, m));
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
                rng.pick(&["mes", "qms", "lims", "historian", "erp"]).to_string(),
            ]);
        }

        // Third-party disruptions.
        for _ in 0..rng.poisson(lerp(1.6, 0.6, m)) {
            third.row(&[
                next_id("TPD"),
                iso(rng.moment_in(month)),
                format!("{:.0}", rng.exp(180.0) + 10.0),
                rng.pick(&["Integrator A", "Cloud MES host", "Logistics EDI", "Lab services"]).to_string(),
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
            // Quarter end: audit, risk review, document reviews and walk-through, restore
            // tests and training assignments.
            let audit_date = month_end - Duration::days(rng.below(40) as i64);
            audits.row(&[
                next_id("AUD"),
                audit_date.to_string(),
                rng.pick(&["internal", "customer", "regulatory", "certification"]).to_string(),
                format!("{:.0}", lerp(320.0, 150.0, m) * (0.8 + 0.4 * rng.unit())),
                rng.poisson(lerp(9.0, 2.0, m)).to_string(),
                rng.poisson(lerp(3.0, 0.5, m)).to_string(),
                rng.poisson(lerp(4.0, 0.8, m)).to_string(),
            ]);

            for (i, r) in risk_state.iter_mut().enumerate() {
                let previous = r.0;
                // Treatments get implemented and high risks come down after rollout.
                if since >= 0 && r.1 < 2 && rng.chance(lerp(0.1, 0.45, m)) {
                    r.1 += 1;
                }
                if r.1 == 2 && r.0 < 2 && rng.chance(0.35) {
                    r.0 += 1;
                }
                if since < 0 && r.0 < 3 && r.0 > 0 && rng.chance(0.05) {
                    r.0 -= 1;
                }
                r.2 = if r.0 <= 1 { r.2 + 1 } else { 0 };
                const RATINGS: [&str; 4] = ["critical", "high", "medium", "low"];
                const TREATMENTS: [&str; 3] = ["none", "planned", "implemented"];
                let justified = r.0 != previous || rng.chance(0.5);
                risks.row(&[
                    format!("{}-RISK-{i:02}", plant.id),
                    month_end.to_string(),
                    RATINGS[r.0.min(previous).min(1)].to_string(),
                    RATINGS[r.0].to_string(),
                    if k < 3 { String::new() } else { RATINGS[previous].to_string() },
                    TREATMENTS[r.1].to_string(),
                    r.2.to_string(),
                    if justified { "Reviewed against scoring criteria v2".to_string() } else { String::new() },
                ]);
            }

            for d in 0..10 {
                let due = month_end - Duration::days(rng.below(80) as i64);
                let done = rng.chance(lerp(0.6, 0.95, m));
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
                let status = if rng.chance(lerp(0.2, 0.03, m)) {
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

            for _ in 0..(lerp(2.0, 8.0, m).round() as usize) {
                let a = &critical[rng.below(critical.len())];
                let success = rng.chance(lerp(0.7, 0.96, m));
                restores.row(&[
                    next_id("RST"),
                    (month_end - Duration::days(rng.below(85) as i64)).to_string(),
                    a.id.clone(),
                    success.to_string(),
                    if success { format!("{:.1}", rng.exp(lerp(12.0, 5.0, m)) + 0.5) } else { String::new() },
                ]);
            }

            for p in 0..60 {
                let role = ["engineer", "operator", "administrator", "office_staff"][p % 4];
                let done = rng.chance(lerp(0.55, 0.95, m));
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
                        format!("{:.0}", (lerp(64.0, 82.0, m) + (rng.unit() - 0.5) * 20.0).clamp(0.0, 100.0))
                    } else {
                        String::new()
                    },
                ]);
            }
        }
    }

    vec![
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
