//! The project: its version requirement, calendar, baseline, sites and their mappings,
//! data bindings, reports and context events.

use super::metric::GRAINS;
use super::set::{COLLECTIONS, unknown_source, unknown_term, unknown_vocab};
use super::{Cx, dialect};
use crate::diag::{Diagnostic, FileId, codes, did_you_mean};
use crate::ir::{
    Baseline, Binding, ContextEvent, Coverage, DefinitionSet, Green, Judgement, Locale, Project, ReportSpec, Site,
    SiteId, SiteRef, Unmapped,
};
use crate::load::remote::shown;
use crate::load::{BaselineDoc, DefinitionsDoc, ProjectDoc, ProjectDocs, SiteDoc, SiteSourceDoc, Spanned};
use std::collections::{BTreeMap, BTreeSet};

const UNMAPPED: &[(&str, Unmapped)] = &[("error", Unmapped::Error), ("exclude", Unmapped::Exclude)];

pub(super) fn check_project(cx: &mut Cx, docs: &ProjectDocs, set: &DefinitionSet) -> Option<Project> {
    let file = docs.project.file;
    let doc = &docs.project.doc;
    check_requires(cx, file, doc, set);
    let start = cx.date(file, &doc.start, "`start`");
    let fiscal_year_start = fiscal_year_start(cx, file, doc);
    let unmapped = match &doc.unmapped {
        Some(u) => cx.choice(file, u, "`unmapped` policy", UNMAPPED),
        None => Some(Unmapped::Error),
    };
    let baseline = doc.baseline.as_ref().map_or(Some(Baseline::MonthsBeforeRollout(12)), |b| baseline(cx, file, b));
    let (bindings, not_exported) = bindings(cx, file, doc, set);
    let sites = sites(cx, docs, set, baseline.as_ref());
    check_site_bindings(cx, docs, &bindings, &sites);
    check_sources_bound(cx, set, docs);
    let reports = reports(cx, docs);
    let context = context_events(cx, docs, set);
    let judgement = judgement(cx, file, doc);
    let locale = super::messages::locale(cx, file, doc.locale.as_ref());
    let mut under = crate::ir::built_in_messages();
    crate::ir::reword(&mut under, &set.messages);
    let messages = super::messages::messages(cx, docs.messages.as_ref(), &under);
    Some(Project {
        name: doc.project.value.clone(),
        root: docs.root.clone(),
        definitions: match (&doc.definitions.value, &docs.pinned) {
            (DefinitionsDoc::Path(path), _) => path.clone(),
            (DefinitionsDoc::Git(_), Some(pin)) if pin.path.is_empty() => format!("{} at {}", shown(&pin.url), pin.rev),
            (DefinitionsDoc::Git(_), Some(pin)) => format!("{} at {}, folder {}", shown(&pin.url), pin.rev, pin.path),
            (DefinitionsDoc::Git(g), None) => shown(&g.git.value),
        },
        pinned: docs.pinned.clone(),
        start: start?,
        fiscal_year_start: fiscal_year_start?,
        baseline: baseline?,
        unmapped: unmapped?,
        sites,
        bindings,
        not_exported,
        reports,
        context,
        judgement: judgement?,
        locale: locale.unwrap_or_else(Locale::default_one),
        messages,
    })
}

/// `judgement: {confidence: C, green: G}`, C from 0.5 to 0.999 (E0624), G `evidence` or
/// `guarded` (E0625).
fn judgement(cx: &mut Cx, file: FileId, doc: &ProjectDoc) -> Option<Judgement> {
    let Some(doc) = &doc.judgement else { return Some(Judgement::default()) };
    let confidence = match &doc.confidence {
        None => Some(Judgement::DEFAULT_CONFIDENCE),
        Some(c) if (0.5..=0.999).contains(&c.value) => Some(c.value),
        Some(c) => {
            cx.error(
                Diagnostic::error(
                    codes::E0624,
                    format!("a confidence of {} is not a level from 0.5 to 0.999", c.value),
                )
                .at(cx.span(file, c))
                .label("expected a fraction such as 0.90")
                .help("intervals are two-sided at this confidence: 0.90 (the default) errs 5% on each side, 0.95 2.5%"),
            );
            None
        }
    };
    let green = match doc.green.as_ref().map(|g| (g, g.value.as_str())) {
        None | Some((_, "evidence")) => Some(Green::Evidence),
        Some((_, "guarded")) => Some(Green::Guarded),
        Some((g, other)) => {
            cx.error(
                Diagnostic::error(codes::E0625, format!("`green: {other}` is not a rule for green"))
                    .at(cx.span(file, g))
                    .label("expected `evidence` or `guarded`")
                    .help(
                        "`evidence` (the default): green when the estimate meets the criterion and the interval \
                         shows it; `guarded`: green only when the whole interval meets it",
                    ),
            );
            None
        }
    };
    Some(Judgement { confidence: confidence?, green: green? })
}

/// The definition set's version against the project's `requires`.
fn check_requires(cx: &mut Cx, file: FileId, doc: &ProjectDoc, set: &DefinitionSet) {
    let Some(req) = &doc.requires else { return };
    match semver::VersionReq::parse(&req.value) {
        Ok(r) if !r.matches(&set.version) => cx.error(
            Diagnostic::error(
                codes::E0602,
                format!(
                    "definition set `{}` is version {}, which does not satisfy `{}`",
                    set.name, set.version, req.value
                ),
            )
            .at(cx.span(file, req))
            .label(format!("version {} found", set.version))
            .help("point `definitions` at a compatible set, or widen `requires` after reviewing the set's changes"),
        ),
        Ok(_) => {}
        Err(e) => cx.error(
            Diagnostic::error(codes::E0601, format!("`{}` is not a version requirement: {e}", req.value))
                .at(cx.span(file, req))
                .label("invalid requirement")
                .help("write it like \">=1.0, <2\""),
        ),
    }
}

fn fiscal_year_start(cx: &mut Cx, file: FileId, doc: &ProjectDoc) -> Option<u32> {
    match &doc.calendar {
        Some(c) if !(1..=12).contains(&c.fiscal_year_start.value) => {
            cx.error(
                Diagnostic::error(
                    codes::E0605,
                    format!("`fiscal_year_start` is {}, not a month", c.fiscal_year_start.value),
                )
                .at(cx.span(file, &c.fiscal_year_start))
                .label("expected 1 to 12")
                .help("1 is January (calendar years); 4 makes April the first fiscal month"),
            );
            None
        }
        Some(c) => Some(c.fiscal_year_start.value),
        None => Some(1),
    }
}

fn baseline(cx: &mut Cx, file: FileId, b: &Spanned<BaselineDoc>) -> Option<Baseline> {
    match (&b.value.months_before_rollout, &b.value.from, &b.value.to) {
        (Some(m), None, None) if m.value > 0 => Some(Baseline::MonthsBeforeRollout(m.value)),
        (None, Some(from), Some(to_doc)) => {
            let (from, to) =
                (cx.date(file, from, "the baseline's `from`"), cx.date(file, to_doc, "the baseline's `to`"));
            match (from, to) {
                (Some(f), Some(t)) if f <= t => Some(Baseline::Window { from: f, to: t }),
                (Some(_), Some(_)) => {
                    cx.error(
                        Diagnostic::error(codes::E0615, "the baseline window ends before it starts")
                            .at(cx.span(file, to_doc))
                            .label("before `from`"),
                    );
                    None
                }
                _ => None,
            }
        }
        (months, _, _) => {
            // Where the mistake is: a month count of 0, else the mapping as a whole.
            let (span, label) = match months.as_ref().filter(|m| m.value == 0) {
                Some(m) => (cx.span(file, m), "N must be more than 0"),
                None => (cx.span(file, b), "neither or both"),
            };
            cx.error(
                Diagnostic::error(
                    codes::E0606,
                    "a baseline is `{months_before_rollout: N}` with N > 0, or `{from: DATE, to: DATE}`",
                )
                .at(span)
                .label(label)
                .help(
                    "months_before_rollout counts back from each site's rollout; from/to is one window for all sites",
                ),
            );
            None
        }
    }
}

/// The data files bound to sources by the project, by source name.
/// The project's `sources:`: a binding per source the sites export, and the sources said
/// `none` (no site exports them).
fn bindings(
    cx: &mut Cx,
    file: FileId,
    doc: &ProjectDoc,
    set: &DefinitionSet,
) -> (BTreeMap<String, Binding>, BTreeSet<String>) {
    let (mut bindings, mut none) = (BTreeMap::new(), BTreeSet::new());
    for (name, b) in doc.sources.iter() {
        if !set.sources.contains_key(&name.value) {
            unknown_source(cx, file, name, set.sources.keys().map(String::as_str));
            continue;
        }
        let own = match &b.value {
            SiteSourceDoc::Binding(own) => own,
            SiteSourceDoc::None => {
                none.insert(name.value.clone());
                continue;
            }
            SiteSourceDoc::Other(word) => {
                cx.error(
                    Diagnostic::error(codes::E0618, format!("a `sources:` entry is `none` or a binding, not `{word}`"))
                        .at(cx.span(file, b))
                        .label("expected `none` or a mapping")
                        .help(format!(
                            "`{0}: none` says no site exports it (its metrics are not collected); `{0}: {{file: \"data/{{site}}/{0}.csv\"}}` binds it",
                            name.value
                        )),
                );
                continue;
            }
        };
        let at = format!("sources.{}", name.value);
        let schema = &set.sources[&name.value];
        if let Some(binding) = dialect::binding(cx, file, schema, at, &[own], cx.span(file, name)) {
            bindings.insert(name.value.clone(), binding);
        }
    }
    (bindings, none)
}

/// The set's scopes a site is in (E0626 for one the set does not declare).
fn site_scopes(cx: &mut Cx, file: FileId, s: &SiteDoc, set: &DefinitionSet) -> BTreeSet<String> {
    let mut scopes = BTreeSet::new();
    for scope in &s.scopes {
        if set.scopes.contains_key(&scope.value) {
            scopes.insert(scope.value.clone());
            continue;
        }
        let known = set.scopes.keys().map(String::as_str);
        let help = did_you_mean(&scope.value, known).unwrap_or_else(|| match set.scopes.is_empty() {
            true => format!("definition set {} declares no scopes", set.name),
            false => {
                format!("the scopes of the set are: {}", set.scopes.keys().cloned().collect::<Vec<_>>().join(", "))
            }
        });
        cx.error(
            Diagnostic::error(codes::E0626, format!("no scope `{}` in the definition set", scope.value))
                .at(cx.span(file, scope))
                .label("unknown scope")
                .help(help),
        );
    }
    scopes
}

fn sites(cx: &mut Cx, docs: &ProjectDocs, set: &DefinitionSet, baseline: Option<&Baseline>) -> Vec<Site> {
    let (file, doc) = (docs.project.file, &docs.project.doc);
    let mappings: BTreeMap<&str, _> = docs.mappings.iter().map(|(site, m)| (site.as_str(), m)).collect();
    let mut sites = Vec::new();
    for (id, s) in doc.sites.iter() {
        if id.value == SiteRef::ALL {
            cx.error(
                Diagnostic::error(codes::E0613, "`all` is reserved for the pooled all-sites row")
                    .at(cx.span(file, id))
                    .label("reserved site id")
                    .help("give the site another id"),
            );
        }
        let rollout = s.rollout.as_ref().and_then(|r| cx.date(file, r, "`rollout`"));
        if s.rollout.is_none() && matches!(baseline, Some(Baseline::MonthsBeforeRollout(_))) {
            cx.missing(
                cx.span(file, id),
                &format!("site `{}`", id.value),
                "rollout",
                "the baseline counts months before each site's ISMS rollout; give `rollout: YYYY-MM-DD`",
            );
        }
        let (mut absent, own) = site_sources(cx, file, &id.value, s, doc, set);
        // A source the project says no site exports is absent here too, unless bound here.
        let said_none = doc.sources.iter().filter(|(_, b)| matches!(b.value, SiteSourceDoc::None));
        absent.extend(said_none.map(|(k, _)| k.value.clone()).filter(|k| !own.contains_key(k)));
        // As written: a binding with a mistake (reported) is not blamed again here.
        let own_written = s.sources.iter().filter(|(_, b)| matches!(b.value, SiteSourceDoc::Binding(_)));
        let bound = doc.sources.iter().filter(|(_, b)| b.value.binding().is_some()).map(|(k, _)| k.value.as_str());
        let written: BTreeSet<&str> = bound.chain(own_written.map(|(k, _)| k.value.as_str())).collect();
        let coverage = coverage(cx, file, s, &written);
        let site_mappings = match mappings.get(id.value.as_str()) {
            Some(m) => check_mappings(cx, m, set),
            None => BTreeMap::new(),
        };
        sites.push(Site {
            id: SiteId(id.value.clone()),
            title: s.title.clone(),
            rollout,
            timezone: s.timezone.as_ref().and_then(|tz| timezone(cx, file, tz)).unwrap_or(chrono_tz::Tz::UTC),
            mappings: site_mappings,
            coverage,
            absent,
            bindings: own,
            allow: super::metric::exemptions(cx, file, &s.allow, super::lint::SITE_LINTS, "a site"),
            scopes: site_scopes(cx, file, s, set),
            at: Some(cx.span(file, id)),
        });
    }
    if doc.sites.is_empty() {
        cx.error(
            Diagnostic::error(codes::E0614, "the project has no sites")
                .at(cx.span(file, &doc.project))
                .label("no `sites:`")
                .help("list each plant under `sites:` with its rollout date"),
        );
    }
    sites
}

/// An IANA time-zone name; a wrong one is reported with the names closest to it.
fn timezone(cx: &mut Cx, file: FileId, name: &Spanned<String>) -> Option<chrono_tz::Tz> {
    if let Ok(tz) = name.value.trim().parse::<chrono_tz::Tz>() {
        return Some(tz);
    }
    let help = closest_time_zone(&name.value).map_or_else(
        || "write a name of the IANA time-zone database, such as Europe/Paris or UTC".into(),
        |tz| format!("did you mean `{tz}`?"),
    );
    cx.error(
        Diagnostic::error(codes::E0616, format!("`{}` is not a time zone", name.value))
            .at(cx.span(file, name))
            .label("not an IANA time-zone name")
            .help(help),
    );
    None
}

/// The time-zone name fewest edits away from `name`, when a few edits suffice: zone
/// names share long prefixes (`Europe/`), which a similarity score rewards too much.
fn closest_time_zone(name: &str) -> Option<&'static str> {
    let name = name.trim().to_lowercase();
    let (distance, closest) = chrono_tz::TZ_VARIANTS
        .iter()
        .map(|tz| (strsim::levenshtein(&name, &tz.name().to_lowercase()), tz.name()))
        .min()?;
    (distance <= 3).then_some(closest)
}

/// A site's own `sources:`: those it does not export (`capas: none`), and its own
/// bindings, each laid over the project's binding of the source.
fn site_sources(
    cx: &mut Cx,
    file: FileId,
    id: &str,
    site: &SiteDoc,
    doc: &ProjectDoc,
    set: &DefinitionSet,
) -> (BTreeSet<String>, BTreeMap<String, Binding>) {
    let (mut absent, mut bindings) = (BTreeSet::new(), BTreeMap::new());
    for (source, value) in site.sources.iter() {
        if !set.sources.contains_key(&source.value) {
            let help = did_you_mean(&source.value, set.sources.keys().map(String::as_str))
                .unwrap_or_else(|| "name a source of the definition set".into());
            cx.error(
                Diagnostic::error(codes::E0618, format!("no source `{}` in the definition set", source.value))
                    .at(cx.span(file, source))
                    .label("not a source")
                    .help(help),
            );
            continue;
        }
        match &value.value {
            SiteSourceDoc::None => {
                absent.insert(source.value.clone());
            }
            SiteSourceDoc::Other(word) => cx.error(
                Diagnostic::error(
                    codes::E0618,
                    format!("a site's `sources:` entry is `none` or a binding, not `{word}`"),
                )
                .at(cx.span(file, value))
                .label("expected `none` or a mapping")
                .help(format!(
                    "`{0}: none` says this site has no such export; `{0}: {{file: ..., csv: {{delimiter: \";\"}}}}` binds its own",
                    source.value
                )),
            ),
            SiteSourceDoc::Binding(own) => {
                let at = format!("sites.{id}.sources.{}", source.value);
                let mut layers = vec![own.as_ref()];
                layers.extend(doc.sources.get(&source.value).and_then(|b| b.value.binding()));
                let whole = cx.span(file, value);
                let schema = &set.sources[&source.value];
                if let Some(b) = dialect::binding(cx, file, schema, at, &layers, whole) {
                    bindings.insert(source.value.clone(), b);
                }
            }
        }
    }
    (absent, bindings)
}

/// A source bound under some sites only must be bound, or said `none`, at every other.
fn check_site_bindings(cx: &mut Cx, docs: &ProjectDocs, bindings: &BTreeMap<String, Binding>, sites: &[Site]) {
    let (file, doc) = (docs.project.file, &docs.project.doc);
    // The sources some site binds and the project does not: once, not once per site.
    let elsewhere: BTreeSet<&String> =
        sites.iter().flat_map(|s| s.bindings.keys()).filter(|s| !bindings.contains_key(*s)).collect();
    let by_id: BTreeMap<&str, &Site> = sites.iter().map(|s| (s.id.as_str(), s)).collect();
    for (id, _) in doc.sites.iter() {
        let Some(site) = by_id.get(id.value.as_str()) else { continue };
        let lacking: BTreeSet<&String> = elsewhere
            .iter()
            .copied()
            .filter(|s| !site.bindings.contains_key(*s) && !site.absent.contains(*s))
            .collect();
        for source in lacking {
            let bound_at: Vec<&str> =
                sites.iter().filter(|s| s.bindings.contains_key(source)).map(|s| s.id.as_str()).collect();
            cx.error(
                Diagnostic::error(
                    codes::E0619,
                    format!("site `{}` has no binding of `{source}`, which {} bind{}", site.id, bound_at.join(", "), if bound_at.len() == 1 { "s" } else { "" }),
                )
                .at(cx.span(file, id))
                .label(format!("no `{source}` here"))
                .help(format!(
                    "bind `{source}` under the project's `sources:` for every site, or under this site; if it has no such export, write `sources: {{{source}: none}}` under it"
                )),
            );
        }
    }
}

/// A site's coverage of the bound sources, by source name.
fn coverage(cx: &mut Cx, file: FileId, site: &SiteDoc, bound: &BTreeSet<&str>) -> BTreeMap<String, Coverage> {
    let mut coverage = BTreeMap::new();
    for (source, c) in site.coverage.iter() {
        if !bound.contains(source.value.as_str()) {
            let known = bound.iter().copied();
            let help = did_you_mean(&source.value, known)
                .unwrap_or_else(|| "coverage names a source bound under `sources:`".into());
            cx.error(
                Diagnostic::error(
                    codes::E0607,
                    format!("coverage for `{}`, which this project does not bind", source.value),
                )
                .at(cx.span(file, source))
                .label("not a bound source")
                .help(help),
            );
            continue;
        }
        let from = c.value.from.as_ref().and_then(|f| cx.date(file, f, "coverage `from`"));
        let to = c.value.to.as_ref().and_then(|t| cx.date(file, t, "coverage `to`"));
        if let (Some(f), Some(t), Some(to_doc)) = (from, to, &c.value.to)
            && t < f
        {
            cx.error(
                Diagnostic::error(codes::E0617, format!("the coverage of `{}` ends before it starts", source.value))
                    .at(cx.span(file, to_doc))
                    .label("before `from`"),
            );
        }
        let collection = c.value.collection.as_ref().and_then(|k| cx.choice(file, k, "collection", COLLECTIONS));
        coverage.insert(source.value.clone(), Coverage { from, to, collection });
    }
    coverage
}

fn reports(cx: &mut Cx, docs: &ProjectDocs) -> Vec<ReportSpec> {
    let (file, doc) = (docs.project.file, &docs.project.doc);
    let mut reports = Vec::new();
    for r in &doc.reports {
        if !docs.templates.contains(&r.value.template.value) {
            let known: Vec<&str> = docs.templates.iter().map(String::as_str).filter(|n| !n.starts_with('_')).collect();
            let help = did_you_mean(&r.value.template.value, known.iter().copied()).unwrap_or_else(|| {
                format!("the templates are: {}; a project adds its own as reports/NAME.md.j2", known.join(", "))
            });
            cx.error(
                Diagnostic::error(codes::E0621, format!("no report template `{}`", r.value.template.value))
                    .at(cx.span(file, &r.value.template))
                    .label("not in the project's reports/ nor the set's")
                    .help(help),
            );
        }
        let grain = r.value.grain.as_ref().and_then(|g| cx.choice(file, g, "grain", GRAINS));
        if let Some(why) = bad_out(&r.value.out.value, reports.iter().map(|r: &ReportSpec| r.out.as_str())) {
            cx.error(
                Diagnostic::error(codes::E0623, format!("report `out: {}` {why}", r.value.out.value))
                    .at(cx.span(file, &r.value.out))
                    .label("not a file of its own in the output folder")
                    .help("give each report its own file name, such as `leadership-{period}.md`"),
            );
        }
        if let Some(site) = &r.value.site
            && !doc.sites.keys().any(|s| s == site.value)
        {
            unknown_site(cx, file, site, doc.sites.keys());
        }
        let to_date = r.value.to_date.as_ref().is_some_and(|t| t.value);
        if let Some(flag) = r.value.to_date.as_ref().filter(|t| t.value && r.value.grain.is_none()) {
            cx.error(
                Diagnostic::error(codes::E0627, "a report `to_date: true` without a `grain`")
                    .at(cx.span(file, flag))
                    .label("to date of which period?")
                    .help("give the report a `grain` (`grain: year` for a year-to-date management review)"),
            );
        }
        reports.push(ReportSpec {
            template: r.value.template.value.clone(),
            grain,
            out: r.value.out.value.clone(),
            site: r.value.site.as_ref().map(|s| s.value.clone()),
            tags: r.value.tags.clone(),
            to_date,
            locale: super::messages::locale(cx, file, r.value.locale.as_ref()),
        });
    }
    reports
}

/// Why a report's `out` cannot be written, if it cannot: empty, hidden, leading out of the
/// output folder, or the `out` of a report before it (which it would overwrite).
fn bad_out<'a>(out: &str, before: impl IntoIterator<Item = &'a str>) -> Option<&'static str> {
    let path = std::path::Path::new(out);
    let stem = crate::ir::out_stem(out);
    if stem.trim().is_empty() || stem.ends_with('/') {
        return Some("names no file");
    }
    if out.contains('\\') || !path.components().all(|c| matches!(c, std::path::Component::Normal(_))) {
        return Some("leads out of the output folder");
    }
    if path.components().any(|c| c.as_os_str().to_string_lossy().starts_with('.')) {
        return Some("names a hidden file");
    }
    if stem == "index" {
        return Some("is the build's front page (index.html), which lists the reports");
    }
    before
        .into_iter()
        .any(|o| crate::ir::out_stem(o) == stem)
        .then_some("is also another report's: one would overwrite the other")
}

/// The events of the context file; an event at site `all` (or none) concerns every site.
fn context_events(cx: &mut Cx, docs: &ProjectDocs, set: &DefinitionSet) -> Vec<ContextEvent> {
    let mut context = Vec::new();
    let Some(c) = &docs.context else { return context };
    let sites = &docs.project.doc.sites;
    for e in &c.doc.events {
        let date = cx.date(c.file, &e.date, "the event's `date`");
        let site = match &e.site {
            Some(site) if site.value != SiteRef::ALL => {
                if !sites.keys().any(|s| s == site.value) {
                    unknown_site(cx, c.file, site, sites.keys());
                }
                Some(site.value.clone())
            }
            _ => None,
        };
        if let Some(source) = &e.source
            && !set.sources.contains_key(&source.value)
        {
            unknown_source(cx, c.file, source, set.sources.keys().map(String::as_str));
        }
        if let Some(date) = date {
            let at = Some(cx.span(c.file, &e.date));
            let (kind, text, source) =
                (e.kind.value.clone(), e.text.clone(), e.source.as_ref().map(|s| s.value.clone()));
            context.push(ContextEvent { date, site, kind, text, source, at });
        }
    }
    context
}

fn unknown_site<'a>(cx: &mut Cx, file: FileId, site: &Spanned<String>, known: impl Iterator<Item = &'a str>) {
    let known: Vec<&str> = known.collect();
    let help = did_you_mean(&site.value, known.iter().copied())
        .unwrap_or_else(|| format!("the sites are: {}, or `all`", known.join(", ")));
    cx.error(
        Diagnostic::error(codes::E0612, format!("unknown site `{}`", site.value))
            .at(cx.span(file, site))
            .label("not a site of this project")
            .help(help),
    );
}

/// A source the project does not bind leaves the metrics over it not collected: one note
/// per source, naming the metrics it would feed (through joins and derived metrics too).
fn check_sources_bound(cx: &mut Cx, set: &DefinitionSet, docs: &ProjectDocs) {
    // As written: a binding with a mistake (reported) is not also "not bound".
    let doc = &docs.project.doc;
    let own = |source: &str| {
        doc.sites
            .iter()
            .any(|(_, s)| matches!(s.sources.get(source).map(|b| &b.value), Some(SiteSourceDoc::Binding(_))))
    };
    let mut users: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for m in &set.metrics {
        for source in set.sources_read(m.id.as_str()) {
            users.entry(source).or_default().push(m.id.as_str());
        }
    }
    for (source, metrics) in users {
        if doc.sources.get(source).is_some() || own(source) {
            continue;
        }
        let listed = metrics.iter().take(3).map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ");
        let feeds = match metrics.len() {
            1 => format!("metric {listed} is"),
            n if n <= 3 => format!("metrics {listed} are"),
            n => format!("metrics {listed} and {} more are", n - 3),
        };
        cx.error(
            Diagnostic::note(codes::N0610, format!("source `{source}` is not bound: {feeds} not collected"))
                .at(cx.span(docs.project.file, &docs.project.doc.project))
                .label("in this project")
                .help(format!(
                    "when the sites export it, add under `sources:` in yardstick.yaml: {source}: {{file: \"data/{{site}}/{source}.csv\"}}"
                )),
        );
    }
}

fn check_mappings(
    cx: &mut Cx,
    m: &crate::load::Loaded<crate::load::MappingDoc>,
    set: &DefinitionSet,
) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for (vocab_name, codes) in m.doc.iter() {
        let Some(vocab) = set.vocabularies.get(&vocab_name.value) else {
            unknown_vocab(cx, m.file, vocab_name, set.vocabularies.keys().map(String::as_str));
            continue;
        };
        let mut map = BTreeMap::new();
        for (local, term) in codes.iter() {
            if vocab.has_term(&term.value) {
                map.insert(local.value.clone(), term.value.clone());
            } else if let Some(new) = vocab.deprecated.get(&term.value) {
                cx.error(
                    Diagnostic::error(
                        codes::E0305,
                        format!("`{}` maps onto `{}`, a deprecated code of `{}`", local.value, term.value, vocab.name),
                    )
                    .at(cx.span(m.file, term))
                    .label("deprecated")
                    .help(format!("map onto `{new}`, which replaces it")),
                );
            } else {
                unknown_term(cx, m.file, term, &vocab.name, vocab.terms.iter().map(|t| t.code.as_str()));
            }
        }
        out.insert(vocab.name.clone(), map);
    }
    out
}
