//! Metrics: required keys, enumerations, time semantics, expressions, derived metrics
//! (same grain, no cycles), targets, thresholds and references.

use super::Cx;
use super::expr::{Clause, ExprChecker, Scope};
use super::refs::parse_reference;
use super::set::{unknown_column, unknown_source};
use crate::diag::{Diagnostic, FileId, codes, did_you_mean};
use crate::ir::{
    AggFn, Allow, BaseMetric, ColumnRef, Direction, Grain, Layer, Literal, MeasureType, Metric, MetricBody, MetricId,
    Reference, Source, Status, TExpr, TExprKind, Target, Threshold, TimeSemantics, Type, Vocabulary,
};
use crate::load::{Loaded, MetricDoc, SetDocs, Spanned};
use std::collections::{BTreeMap, BTreeSet};

pub(super) const GRAINS: &[(&str, Grain)] =
    &[("month", Grain::Month), ("quarter", Grain::Quarter), ("year", Grain::Year)];
const LAYERS: &[(&str, Layer)] = &[("outcome", Layer::Outcome), ("risk", Layer::Risk), ("activity", Layer::Activity)];
const TYPES: &[(&str, MeasureType)] = &[
    ("implementation", MeasureType::Implementation),
    ("effectiveness", MeasureType::Effectiveness),
    ("efficiency", MeasureType::Efficiency),
    ("impact", MeasureType::Impact),
];
const DIRECTIONS: &[(&str, Direction)] = &[
    ("higher_is_better", Direction::HigherIsBetter),
    ("lower_is_better", Direction::LowerIsBetter),
    ("neutral", Direction::Neutral),
];

pub(super) fn check_metrics(
    cx: &mut Cx,
    docs: &SetDocs,
    vocabs: &BTreeMap<String, Vocabulary>,
    sources: &BTreeMap<String, Source>,
) -> Vec<Metric> {
    // First every id and grain, so derived metrics can refer to metrics in any file.
    let mut grains: BTreeMap<String, Option<Grain>> = docs.unreadable.iter().map(|stem| (stem.clone(), None)).collect();
    let mut seen: BTreeMap<&str, FileId> = BTreeMap::new();
    let mut unique: Vec<&Loaded<MetricDoc>> = Vec::new();
    for m in &docs.metrics {
        let id = m.doc.metric.value.as_str();
        let stem = cx.sources.path(m.file).file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_string();
        if stem != id {
            cx.error(
                Diagnostic::error(codes::E0501, format!("metric `{id}` is defined in a file named `{stem}`"))
                    .at(cx.span(m.file, &m.doc.metric))
                    .label(format!("expected `{stem}`, the file's stem"))
                    .help(format!(
                        "rename the file to {id}.yaml, or the metric to `{stem}`: the id and the file stem must agree"
                    )),
            );
        }
        if let Some(other) = seen.get(id) {
            let other_path = cx.sources.path(*other).display().to_string();
            if docs.local.contains(&m.file) && !docs.local.contains(other) {
                cx.error(
                    Diagnostic::error(codes::E0515, format!("project metric `{id}` has the id of a metric of the definition set"))
                        .at(cx.span(m.file, &m.doc.metric))
                        .label("already the set's")
                        .help(format!(
                            "the set's `{id}` is in {other_path}; give the project's metric an id of its own, such as `site_{id}`"
                        )),
                );
                continue;
            }
            let other = other_path;
            cx.error(
                Diagnostic::error(codes::E0502, format!("metric `{id}` is defined twice"))
                    .at(cx.span(m.file, &m.doc.metric))
                    .label("second definition")
                    .help(format!("the first is in {other}")),
            );
            continue;
        }
        seen.insert(id, m.file);
        unique.push(m);
        // A metric whose grain is missing or invalid is reported on its own; derived
        // metrics that use it are not blamed for it.
        let grain = m.doc.grain.as_ref().and_then(|g| GRAINS.iter().find(|(n, _)| *n == g.value).map(|(_, g)| *g));
        grains.insert(id.to_string(), grain);
    }

    let mut metrics: Vec<Metric> = unique
        .into_iter()
        .filter_map(|m| {
            let checked = check_metric(cx, m.file, &m.doc, vocabs, sources, &grains);
            checked.map(|metric| Metric { local: docs.local.contains(&m.file), ..metric })
        })
        .collect();
    order_derived(cx, docs, &mut metrics);
    check_derived_dimensions(cx, &metrics);
    check_exposures(cx, &metrics);
    let scopes: Vec<&str> = docs.set.iter().flat_map(|s| s.doc.scopes.keys()).collect();
    check_scopes(cx, &metrics, &scopes);
    metrics
}

/// `scope: NAME` (E0520): a scope `set.yaml` declares, on a metric of events or rows at
/// sites (a derived metric takes its parts' sites).
fn check_scopes(cx: &mut Cx, metrics: &[Metric], scopes: &[&str]) {
    for m in metrics {
        let (Some(scope), Some(at)) = (&m.scope, m.scope_at) else { continue };
        let (message, help) = if matches!(m.body, MetricBody::Derived { .. }) {
            (
                format!("derived metric `{}` has a `scope`", m.id),
                "a derived metric is computed where its parts are: give the parts the scope".to_string(),
            )
        } else if !scopes.contains(&scope.as_str()) {
            let help = did_you_mean(scope, scopes.iter().copied()).unwrap_or_else(|| match scopes.is_empty() {
                true => {
                    "declare the scope in set.yaml: `scopes: {nis2: \"Sites in scope of the NIS2 Directive\"}`".into()
                }
                false => format!("the scopes of the set are: {}", scopes.join(", ")),
            });
            (format!("no scope `{scope}` in the definition set"), help)
        } else {
            continue;
        };
        cx.error(Diagnostic::error(codes::E0520, message).at(at).label("this scope").help(help));
    }
}

/// `exposure: METRIC` (E0519): on an event count or sum, naming another metric of the set
/// of the same grain whose value is an event count or sum with no `by` (a flow, such as
/// production hours).
fn check_exposures(cx: &mut Cx, metrics: &[Metric]) {
    let flow = |m: &Metric| matches!(m.body.judged_aggregate(), Some(AggFn::Count | AggFn::Sum));
    for m in metrics {
        let (Some(id), Some(at)) = (&m.exposure, &m.exposure_at) else { continue };
        let other = metrics.iter().find(|o| &o.id == id);
        let by = |o: &Metric| matches!(&o.body, MetricBody::Base(b) if !b.by.is_empty());
        let problem = match other {
            _ if !flow(m) => format!("an exposure on `{}`, whose value is not an event count or sum", m.id),
            None => format!("no metric `{id}` in the definition set to take as exposure"),
            Some(o) if o.id == m.id => format!("`{}` taken as its own exposure", m.id),
            Some(o) if o.grain != m.grain => {
                format!("exposure `{id}` is computed per {}, `{}` per {}", o.grain.as_str(), m.id, m.grain.as_str())
            }
            Some(o) if !flow(o) || by(o) => {
                format!("exposure `{id}` is not a flow: its value is not an event count or sum without `by`")
            }
            Some(o) if o.exposure.is_some() => format!("exposure `{id}` is itself judged per another metric"),
            Some(_) => continue,
        };
        let mut d = Diagnostic::error(codes::E0519, problem)
            .at(*at)
            .label("this exposure")
            .help("name a metric of the same grain that sums what the events happen per, such as `exposure: production_hours`, on a `count(...)` or `sum(...)` of events");
        if other.is_none()
            && let Some(hint) = did_you_mean(id.as_str(), metrics.iter().map(|o| o.id.as_str()))
        {
            d = d.help(hint);
        }
        cx.error(d);
    }
}

/// The longest `window:` a metric may judge: three years of months.
const MAX_WINDOW: u32 = 36;

/// `window: N` (2 to 36 periods, on an event metric whose value is a bare count or share:
/// the aggregates a window pools) and `min_n: N` (at least 1) (E0518).
fn judging(cx: &mut Cx, file: FileId, doc: &MetricDoc, body: &MetricBody) -> (Option<u32>, Option<u32>) {
    let pools = matches!(body.judged_aggregate(), Some(AggFn::Count | AggFn::Share | AggFn::Sum));
    let window = doc.window.as_ref().and_then(|w| {
        let problem = match w.value {
            1 => Some("a window of 1 period".to_string()),
            n if !(2..=MAX_WINDOW).contains(&n) => Some(format!("a window of {n} periods")),
            _ if !pools => Some("a window on a metric whose value is not an event count, share or sum".to_string()),
            _ => None,
        };
        let Some(problem) = problem else { return Some(w.value) };
        cx.error(
            Diagnostic::error(codes::E0518, format!("{problem}: only 2 to {MAX_WINDOW} periods of an event `count(...)`, `share(...)` or `sum(...)` are pooled"))
                .at(cx.span(file, w))
                .label("this window")
                .help("use `window: 4` for a rolling year of quarters on a count, share or sum with `time: {event: ...}`; other aggregates have no window yet"),
        );
        None
    });
    let min_n = doc.min_n.as_ref().and_then(|n| {
        if n.value >= 1 {
            return Some(n.value);
        }
        cx.error(
            Diagnostic::error(codes::E0518, "a `min_n` of 0: every period needs at least one case to be judged")
                .at(cx.span(file, n))
                .label("this minimum")
                .help("give the fewest cases a period is judged on, such as `min_n: 20`, or leave it out for the aggregate's own"),
        );
        None
    });
    (window, min_n)
}

fn check_metric(
    cx: &mut Cx,
    file: FileId,
    doc: &MetricDoc,
    vocabs: &BTreeMap<String, Vocabulary>,
    sources: &BTreeMap<String, Source>,
    grains: &BTreeMap<String, Option<Grain>>,
) -> Option<Metric> {
    let kinds = kinds(cx, file, doc);
    let Some(value_text) = &doc.value else {
        missing(cx, file, doc, "value", "what the metric computes, such as `count()` or `sum(duration_min) / 60`");
        return None;
    };
    let body = match &doc.source {
        Some(source_name) => base_body(cx, file, doc, source_name, value_text, vocabs, sources)?,
        None => derived_body(cx, file, doc, value_text, kinds.grain, vocabs, grains)?,
    };
    let target = doc.target.as_ref().and_then(|t| target(cx, file, t));
    let thresholds = thresholds(cx, file, doc, vocabs);
    let (window, min_n) = judging(cx, file, doc, &body);
    let references = references(cx, file, doc);
    Some(Metric {
        id: MetricId(doc.metric.value.clone()),
        version: doc.version.as_ref()?.value,
        version_at: doc.version.as_ref().map(|v| cx.span(file, v)),
        title: doc.title.as_ref()?.value.clone(),
        description: doc.description.clone(),
        layer: kinds.layer?,
        measure_type: kinds.measure_type,
        information_need: doc.information_need.clone(),
        owner: doc.owner.clone(),
        unit: doc.unit.as_ref()?.value.clone(),
        direction: kinds.direction?,
        grain: kinds.grain?,
        body,
        target,
        thresholds,
        window,
        min_n,
        exposure: doc.exposure.as_ref().map(|e| MetricId(e.value.clone())),
        exposure_at: doc.exposure.as_ref().map(|e| cx.span(file, e)),
        scope: doc.scope.as_ref().map(|s| s.value.clone()),
        scope_at: doc.scope.as_ref().map(|s| cx.span(file, s)),
        references,
        caveats: doc.caveats.clone(),
        rationale: doc.rationale.clone(),
        tags: doc.tags.iter().map(|t| t.value.clone()).collect(),
        audience: doc.audience.clone(),
        allow: allowed(cx, file, doc),
        path: cx.sources.path(file).to_path_buf(),
        at: Some(cx.span(file, &doc.metric)),
        local: false,
    })
}

/// The pitfall lints a metric is exempt from: each a lint's code, each with a reason.
fn allowed(cx: &mut Cx, file: FileId, doc: &MetricDoc) -> Vec<Allow> {
    exemptions(cx, file, &doc.allow, super::lint::LINTS, "a metric")
}

/// The exemptions `allow` lists, each from one of `lints` (E0516) with a reason (E0517);
/// `whom` says who is exempt ("a metric", "a site").
pub(super) fn exemptions(
    cx: &mut Cx,
    file: FileId,
    allow: &[Spanned<crate::load::AllowDoc>],
    lints: &[crate::diag::codes::Code],
    whom: &str,
) -> Vec<Allow> {
    let mut exempt = Vec::new();
    for a in allow {
        let code = &a.value.code;
        if !lints.iter().any(|l| *l == code.value.as_str()) {
            let help = did_you_mean(&code.value, lints.iter().map(|l| l.as_str())).unwrap_or_else(|| {
                format!(
                    "the pitfall lints {whom} can be exempt from are {}",
                    lints.iter().map(|l| l.as_str()).collect::<Vec<_>>().join(", ")
                )
            });
            cx.error(
                Diagnostic::error(
                    codes::E0516,
                    format!("`{}` is not a pitfall lint that {whom} can be exempt from", code.value),
                )
                .at(cx.span(file, code))
                .label("not a pitfall lint")
                .help(help),
            );
            continue;
        }
        match a.value.reason.as_ref().filter(|r| !r.value.trim().is_empty()) {
            Some(reason) => exempt.push(Allow { code: code.value.clone(), reason: reason.value.trim().to_string() }),
            None => cx.error(
                Diagnostic::error(codes::E0517, format!("the exemption from {} gives no reason", code.value))
                    .at(cx.span(file, a))
                    .label("no `reason`")
                    .help(
                        "write why the pitfall does not apply: `{code: W1004, reason: \"...\"}`; the catalog shows it",
                    ),
            ),
        }
    }
    exempt
}

/// The words that classify a metric; `None` where missing or invalid (already reported).
struct Kinds {
    layer: Option<Layer>,
    direction: Option<Direction>,
    grain: Option<Grain>,
    measure_type: Option<MeasureType>,
}

/// Reports the missing required keys other than `value`, and reads the classifying words.
fn kinds(cx: &mut Cx, file: FileId, doc: &MetricDoc) -> Kinds {
    if doc.version.is_none() {
        missing(cx, file, doc, "version", "start at `version: 1` and raise it whenever the computed values change");
    }
    if doc.title.is_none() {
        missing(cx, file, doc, "title", "a short title for reports");
    }
    if doc.unit.is_none() {
        missing(cx, file, doc, "unit", "the unit of the value, such as hours, incidents or \"%\"");
    }
    let layer = required_choice(
        cx,
        file,
        doc,
        &doc.layer,
        "layer",
        LAYERS,
        "one of outcome, risk, activity: the three layers of docs/definition-set.md",
    );
    let direction = required_choice(
        cx,
        file,
        doc,
        &doc.direction,
        "direction",
        DIRECTIONS,
        "one of higher_is_better, lower_is_better, neutral",
    );
    let grain =
        required_choice(cx, file, doc, &doc.grain, "grain", GRAINS, "the reporting cadence: month, quarter or year");
    let measure_type = doc.kind.as_ref().and_then(|k| cx.choice(file, k, "metric type", TYPES));
    Kinds { layer, direction, grain, measure_type }
}

fn required_choice<T: Copy>(
    cx: &mut Cx,
    file: FileId,
    doc: &MetricDoc,
    value: &Option<Spanned<String>>,
    key: &str,
    choices: &[(&str, T)],
    help: &str,
) -> Option<T> {
    match value {
        Some(v) => cx.choice(file, v, key, choices),
        None => {
            missing(cx, file, doc, key, help);
            None
        }
    }
}

fn missing(cx: &mut Cx, file: FileId, doc: &MetricDoc, key: &str, help: &str) {
    let at = cx.span(file, &doc.metric);
    cx.missing(at, &format!("metric `{}`", doc.metric.value), key, help);
}

/// A metric computed from the rows of a source.
fn base_body(
    cx: &mut Cx,
    file: FileId,
    doc: &MetricDoc,
    source_name: &Spanned<String>,
    value_text: &Spanned<String>,
    vocabs: &BTreeMap<String, Vocabulary>,
    sources: &BTreeMap<String, Source>,
) -> Option<MetricBody> {
    let Some(source) = sources.get(&source_name.value) else {
        unknown_source(cx, file, source_name, sources.keys().map(String::as_str));
        return None;
    };
    let time = match &doc.time {
        Some(t) => time_semantics(cx, file, t, source),
        None => {
            let help = "how rows fall into periods: {event: COL}, {open: FROM, close: TO} or {snapshot: COL}";
            missing(cx, file, doc, "time", help);
            None
        }
    };
    let scope = || Scope::Rows { source, sources };
    let filter = match &doc.filter {
        Some(w) => Some(expression(cx, file, w, vocabs, scope(), Clause::Where)?.0),
        None => None,
    };
    let value = expression(cx, file, value_text, vocabs, scope(), Clause::Value);
    let by = doc.by.iter().filter_map(|b| by_column(cx, file, b, source, sources)).collect::<Vec<_>>();
    let (value, _) = value?;
    if by.len() != doc.by.len() {
        return None;
    }
    let time = time?;
    if matches!(time, TimeSemantics::Event { .. }) {
        mixed_scaling(cx, &value);
    }
    Some(MetricBody::Base(BaseMetric { source: source.name.clone(), time, filter, value, by }))
}

/// A metric combined from other metrics' values.
fn derived_body(
    cx: &mut Cx,
    file: FileId,
    doc: &MetricDoc,
    value_text: &Spanned<String>,
    grain: Option<Grain>,
    vocabs: &BTreeMap<String, Vocabulary>,
    grains: &BTreeMap<String, Option<Grain>>,
) -> Option<MetricBody> {
    let id = &doc.metric.value;
    for (present, key) in [(doc.time.is_some(), "time"), (doc.filter.is_some(), "where"), (!doc.by.is_empty(), "by")] {
        if present {
            cx.error(
                Diagnostic::error(codes::E0505, format!("metric `{id}` has `{key}` but no `source`"))
                    .at(cx.span(file, &doc.metric))
                    .label("derived metric (no source)")
                    .help(format!("a derived metric combines other metrics; add `source:` or remove `{key}:`")),
            );
        }
    }
    let scope = Scope::Metrics { metrics: grains, grain: grain? };
    let (value, inputs) = expression(cx, file, value_text, vocabs, scope, Clause::Value)?;
    Some(MetricBody::Derived { value, inputs })
}

/// `green` and `amber`, green first; anything else is red.
fn thresholds(cx: &mut Cx, file: FileId, doc: &MetricDoc, vocabs: &BTreeMap<String, Vocabulary>) -> Vec<Threshold> {
    let mut thresholds = Vec::new();
    for (key, cond) in doc.thresholds.iter() {
        let status = match key.value.as_str() {
            "green" => Status::Green,
            "amber" => Status::Amber,
            other => {
                let help = did_you_mean(other, ["green", "amber"])
                    .unwrap_or_else(|| "thresholds are `green` and `amber`; anything else is red".into());
                cx.error(
                    Diagnostic::error(codes::E0507, format!("unknown threshold `{other}`"))
                        .at(cx.span(file, key))
                        .label("expected green or amber")
                        .help(help),
                );
                continue;
            }
        };
        if let Some((condition, _)) = expression(cx, file, cond, vocabs, Scope::Threshold, Clause::Threshold) {
            thresholds.push(Threshold { status, condition });
        }
    }
    thresholds.sort_by_key(|t| t.status != Status::Green);
    thresholds
}

fn references(cx: &mut Cx, file: FileId, doc: &MetricDoc) -> Vec<Reference> {
    let mut references = Vec::new();
    for r in &doc.references {
        match parse_reference(&r.value) {
            Ok(reference) => references.push(reference),
            Err(why) => cx.error(
                Diagnostic::error(codes::E0508, format!("invalid reference `{}`", r.value))
                    .at(cx.span(file, r))
                    .label(why.to_string())
                    .help("references are iso27001:2022/A.5.24 (or a clause, iso27001:2022/9.1), iso27004:2016/B.5, iec62443-3-3/SR 6.2, csf:2.0/RS.MI-01 or sp800-53:r5/AC-2(1)"),
            ),
        }
    }
    references
}

/// A derived metric is computed per value of its parts' `by` dimensions (docs/definition-set.md, metrics):
/// parts without `by` fit any, parts with `by` must have the same dimensions, in any order.
/// `metrics` come inputs first, so a derived metric's dimensions are known when a derived
/// metric of it is checked.
fn check_derived_dimensions(cx: &mut Cx, metrics: &[Metric]) {
    // Per metric, its dimensions as written; `None` when they are in error (reported).
    let mut dims: BTreeMap<&str, Option<Vec<String>>> = BTreeMap::new();
    for m in metrics {
        let these = match &m.body {
            MetricBody::Base(b) => Some(b.by.iter().map(ToString::to_string).collect()),
            MetricBody::Derived { value, inputs } => derived_dimensions(cx, &m.id, value, inputs, &dims),
        };
        dims.insert(m.id.as_str(), these);
    }
}

/// The dimensions of a derived metric: those of its parts that have some. An error at the
/// first part whose dimensions differ from an earlier part's.
fn derived_dimensions(
    cx: &mut Cx,
    id: &MetricId,
    value: &TExpr,
    inputs: &[MetricId],
    dims: &BTreeMap<&str, Option<Vec<String>>>,
) -> Option<Vec<String>> {
    let sorted = |d: &[String]| -> Vec<String> {
        let mut d = d.to_vec();
        d.sort();
        d
    };
    let mut first: Option<(&MetricId, &Vec<String>)> = None;
    for part in inputs {
        let Some(Some(these)) = dims.get(part.0.as_str()) else { continue };
        match first {
            _ if these.is_empty() => {}
            None => first = Some((part, these)),
            Some((first_part, first_dims)) if sorted(first_dims) != sorted(these) => {
                let mut at = None;
                value.walk(&mut |e| {
                    if matches!(&e.kind, TExprKind::Metric(m) if m == part) {
                        at = at.or(Some(e.span));
                    }
                });
                let (a, b) = (first_dims.join(", "), these.join(", "));
                cx.error(
                    Diagnostic::error(
                        codes::E0513,
                        format!(
                            "derived metric `{}` combines `{}`, by [{a}], with `{}`, by [{b}]",
                            id.0, first_part.0, part.0
                        ),
                    )
                    .at(at.unwrap_or(value.span))
                    .label(format!("by [{b}], not [{a}]"))
                    .help("a derived metric is computed per dimension value: combine metrics with the same `by`, or with none"),
                );
                return None;
            }
            Some(_) => {}
        }
    }
    Some(first.map(|(_, d)| d.clone()).unwrap_or_default())
}

/// Parses and checks one expression; the metrics it refers to come back with it.
fn expression(
    cx: &mut Cx,
    file: FileId,
    text: &Spanned<String>,
    vocabs: &BTreeMap<String, Vocabulary>,
    scope: Scope,
    clause: Clause,
) -> Option<(crate::ir::TExpr, Vec<MetricId>)> {
    let ast = cx.parse(file, text)?;
    let mut checker = ExprChecker::new(vocabs, cx.unreadable, scope, clause);
    let checked = checker.check_root(&ast);
    let refs = std::mem::take(&mut checker.metric_refs);
    cx.diags.extend(checker.errors);
    Some((checked?, refs))
}

fn time_semantics(
    cx: &mut Cx,
    file: FileId,
    t: &Spanned<crate::load::TimeDoc>,
    source: &Source,
) -> Option<TimeSemantics> {
    let doc = &t.value;
    let column = |cx: &mut Cx, c: &Spanned<String>| -> Option<String> {
        let Some(col) = source.column(&c.value) else {
            if source.broken_columns.contains(&c.value) {
                return None;
            }
            unknown_column(cx, file, c, &source.name, source.columns.iter().map(|c| c.name.as_str()));
            return None;
        };
        if !Type::from(&col.ty).is_temporal() {
            cx.error(
                Diagnostic::error(
                    codes::E0412,
                    format!("time column `{}` is a {}, not a date or datetime", c.value, Type::from(&col.ty)),
                )
                .at(cx.span(file, c))
                .label("not a date")
                .help("time semantics place rows in periods by a date or datetime column"),
            );
            return None;
        }
        Some(col.name.clone())
    };
    let shape_error = |cx: &mut Cx| {
        cx.error(
            Diagnostic::error(codes::E0506, "`time` takes exactly one of {event: COL}, {open: FROM, close: TO}, {snapshot: COL}")
                .at(cx.span(file, t))
                .label("ambiguous or empty time semantics")
                .help("event: a row counts in the period of COL; open: a row counts while open; snapshot: the latest snapshot in each period"),
        );
    };
    match (&doc.event, &doc.open, &doc.close, &doc.snapshot) {
        (Some(e), None, None, None) => Some(TimeSemantics::Event { column: column(cx, e)? }),
        (None, Some(from), close, None) => {
            let from = column(cx, from);
            let close = match close {
                Some(c) => Some(column(cx, c)?),
                None => None,
            };
            Some(TimeSemantics::Open { from: from?, close })
        }
        (None, None, None, Some(s)) => {
            let column = column(cx, s)?;
            snapshot_column(cx, file, s, source).then_some(TimeSemantics::Snapshot { column })
        }
        _ => {
            shape_error(cx);
            None
        }
    }
}

/// Whether `time: {snapshot: COL}` names its source's `snapshot:` column: the latest
/// snapshot of a period is found by the column that dates the snapshots, not by any date.
fn snapshot_column(cx: &mut Cx, file: FileId, named: &Spanned<String>, source: &Source) -> bool {
    let (message, label, help) = match &source.snapshot {
        Some(c) if *c == named.value => return true,
        Some(c) => (
            format!("`{}` is not the snapshot column of source `{}`, which is `{c}`", named.value, source.name),
            "another column",
            format!("time the metric by `{{snapshot: {c}}}`, the day each snapshot of `{}` was taken", source.name),
        ),
        None => (
            format!("source `{}` does not hold snapshots: it declares no `snapshot:` column", source.name),
            "not a snapshot column",
            format!(
                "declare `snapshot: {}` in sources/{}.yaml if it holds periodic snapshots, or use {{event: {}}}",
                named.value, source.name, named.value
            ),
        ),
    };
    cx.error(Diagnostic::error(codes::E0514, message).at(cx.span(file, named)).label(label).help(help));
    false
}

fn by_column(
    cx: &mut Cx,
    file: FileId,
    b: &Spanned<String>,
    source: &Source,
    sources: &BTreeMap<String, Source>,
) -> Option<ColumnRef> {
    let (owner, join, column) = match b.value.split_once('.') {
        Some((j, c)) => {
            let Some(join) = source.join(j) else {
                unknown_column(cx, file, b, &source.name, source.joins.iter().map(|j| j.name.as_str()));
                return None;
            };
            (sources.get(&join.source)?, Some(j.to_string()), c)
        }
        None => (source, None, b.value.as_str()),
    };
    let Some(col) = owner.column(column) else {
        if owner.broken_columns.iter().any(|b| b == column) {
            return None;
        }
        if column == "site" {
            cx.error(
                Diagnostic::error(codes::E0509, "`site` is always a dimension; do not list it in `by`")
                    .at(cx.span(file, b))
                    .label("implicit dimension"),
            );
        } else {
            unknown_column(cx, file, b, &owner.name, owner.columns.iter().map(|c| c.name.as_str()));
        }
        return None;
    };
    if matches!(col.ty, crate::ir::ColumnType::List(_)) {
        cx.error(
            Diagnostic::error(codes::E0512, format!("`{}` is multi-valued and cannot be a dimension", b.value))
                .at(cx.span(file, b))
                .label("list column")
                .help("group by a single-valued column"),
        );
        return None;
    }
    Some(ColumnRef { join, column: col.name.clone() })
}

fn target(cx: &mut Cx, file: FileId, t: &Spanned<crate::load::TargetDoc>) -> Option<Target> {
    let doc = &t.value;
    let by = match &doc.by {
        Some(b) => Some(cx.date(file, b, "the target's `by`")?),
        None => None,
    };
    let number = |cx: &mut Cx, s: &Spanned<String>| -> Option<f64> {
        let ast = cx.parse(file, s)?;
        let vocabs = BTreeMap::new();
        let mut checker = ExprChecker::new(&vocabs, &[], Scope::Threshold, Clause::Threshold);
        let e = checker.check(&ast);
        cx.diags.extend(checker.errors);
        let e = e?;
        let value = match &e.kind {
            TExprKind::Literal(Literal::Int(i)) => Some(*i as f64),
            TExprKind::Literal(Literal::Float(f)) => Some(*f),
            TExprKind::Neg(inner) => match &inner.kind {
                TExprKind::Literal(Literal::Int(i)) => Some(-(*i as f64)),
                TExprKind::Literal(Literal::Float(f)) => Some(-*f),
                _ => None,
            },
            _ => None,
        };
        if value.is_none() {
            cx.error(
                Diagnostic::error(codes::E0510, format!("a target is a number, not `{}`", s.value))
                    .at(cx.span(file, s))
                    .label("expected a number such as -30% or 0.95"),
            );
        }
        value
    };
    match (&doc.change, &doc.value) {
        (Some(c), None) => Some(Target::Change { change: number(cx, c)?, by }),
        (None, Some(v)) => Some(Target::Value { value: number(cx, v)?, by }),
        _ => {
            cx.error(
                Diagnostic::error(codes::E0511, "a target has exactly one of `change` and `value`")
                    .at(cx.span(file, t))
                    .label("target")
                    .help("`{change: -30%, by: 2026-12-31}` is relative to the baseline; `{value: 0.95}` is absolute"),
            );
            None
        }
    }
}

/// Puts every derived metric after its inputs; a cycle is an error at each metric in it.
fn order_derived(cx: &mut Cx, docs: &SetDocs, metrics: &mut [Metric]) {
    let inputs: BTreeMap<String, Vec<String>> = metrics
        .iter()
        .map(|m| {
            let deps = match &m.body {
                MetricBody::Derived { inputs, .. } => inputs.iter().map(|i| i.0.clone()).collect(),
                MetricBody::Base(_) => Vec::new(),
            };
            (m.id.to_string(), deps)
        })
        .collect();
    let mut order: Vec<String> = Vec::new();
    let mut done: BTreeSet<String> = BTreeSet::new();
    let mut reported: BTreeSet<String> = BTreeSet::new();
    for id in inputs.keys() {
        let mut path = Vec::new();
        visit(id, &inputs, &mut done, &mut path, &mut order, &mut |cycle: &[String]| {
            let key = {
                let mut c = cycle.to_vec();
                c.sort();
                c.join(",")
            };
            if !reported.insert(key) {
                return;
            }
            let first = &cycle[0];
            let Some(doc) = docs.metrics.iter().find(|m| m.doc.metric.value == *first) else {
                return;
            };
            let Some(value) = &doc.doc.value else { return };
            cx.error(
                Diagnostic::error(
                    codes::E0504,
                    format!("derived metrics form a cycle: {} -> {first}", cycle.join(" -> ")),
                )
                .at(cx.span(doc.file, value))
                .label("refers back to itself through this value")
                .help("a derived metric cannot depend on itself; compute one of them from a source"),
            );
        });
    }
    let position = |m: &Metric| order.iter().position(|o| *o == m.id.as_str()).unwrap_or(usize::MAX);
    metrics.sort_by_key(position);
}

fn visit(
    id: &str,
    inputs: &BTreeMap<String, Vec<String>>,
    done: &mut BTreeSet<String>,
    path: &mut Vec<String>,
    order: &mut Vec<String>,
    on_cycle: &mut dyn FnMut(&[String]),
) {
    if done.contains(id) {
        return;
    }
    if let Some(pos) = path.iter().position(|p| p == id) {
        on_cycle(&path[pos..]);
        return;
    }
    path.push(id.to_string());
    for dep in inputs.get(id).into_iter().flatten() {
        visit(dep, inputs, done, path, order, on_cycle);
    }
    path.pop();
    done.insert(id.to_string());
    order.push(id.to_string());
}

/// An event metric's baseline scales its counts and sums to one period and no other
/// aggregate (docs/semantics.md): a value mixing the two, such as a sum per distinct item, gets
/// a baseline on another footing than its values. Said once, at the first unscaled one.
fn mixed_scaling(cx: &mut Cx, value: &TExpr) {
    let mut scaled = None;
    let mut unscaled = None;
    value.walk(&mut |e| {
        if let TExprKind::Aggregate { func, .. } = &e.kind {
            match func {
                AggFn::Count | AggFn::Sum => scaled = scaled.or(Some(e)),
                AggFn::Share => {}
                _ => unscaled = unscaled.or(Some(e)),
            }
        }
    });
    if let (Some(s), Some(u)) = (scaled, unscaled) {
        cx.error(
            Diagnostic::warning(
                codes::W0501,
                format!(
                    "the baseline scales `{s}` to one period but not `{u}`, so the value and its baseline are not comparable"
                ),
            )
            .at(u.span)
            .label("not scaled in the baseline")
            .help("baselines scale only count and sum in event metrics; a per-item average compares well as a derived metric of two flows"),
        );
    }
}
