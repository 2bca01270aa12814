//! The definition set: `set.yaml`, vocabularies and source schemas, then its metrics.

use super::Cx;
use crate::diag::{Diagnostic, FileId, codes, did_you_mean};
use crate::ir::{
    Attribute, AttributeValue, Collection, Column, ColumnType, DefinitionSet, History, Join, OnMissing, Source, Term,
    Type, Vocabulary,
};
use crate::load::{AttributeValueDoc, ColumnDoc, HistoryDoc, SetDocs, SourceDoc, Spanned, TypeDoc, VocabDoc};
use std::collections::{BTreeMap, BTreeSet};

pub(super) const COLLECTIONS: &[(&str, Collection)] =
    &[("automated", Collection::Automated), ("manual", Collection::Manual), ("mixed", Collection::Mixed)];

pub(super) fn check_set(cx: &mut Cx, docs: &SetDocs) -> Option<DefinitionSet> {
    let scopes = docs.set.iter().flat_map(|s| s.doc.scopes.iter()).map(|(k, v)| (k.value.clone(), v.clone())).collect();
    let (name, version, description) = match &docs.set {
        Some(s) => {
            let version = match parse_version(&s.doc.version.value) {
                Ok(v) => Some(v),
                Err(e) => {
                    cx.error(
                        Diagnostic::error(
                            codes::E0110,
                            format!("`{}` is not a semantic version: {e}", s.doc.version.value),
                        )
                        .at(cx.span(s.file, &s.doc.version))
                        .label("expected MAJOR.MINOR.PATCH")
                        .help(
                            "write the definition set's version like 1.0.0; projects accept versions with `requires`",
                        ),
                    );
                    None
                }
            };
            (s.doc.name.value.clone(), version, s.doc.description.clone())
        }
        None => (String::new(), None, None),
    };

    let mut vocabularies = BTreeMap::new();
    for v in &docs.vocabs {
        let name = v.doc.vocabulary.value.clone();
        if vocabularies.contains_key(&name) {
            cx.error(
                Diagnostic::error(codes::E0111, format!("vocabulary `{name}` is defined twice"))
                    .at(cx.span(v.file, &v.doc.vocabulary))
                    .label("second definition")
                    .help("each vocabulary name must be unique in the definition set"),
            );
            continue;
        }
        vocabularies.insert(name, check_vocab(cx, v.file, &v.doc));
    }
    check_attributes(cx, docs, &mut vocabularies);

    let source_names: BTreeSet<&str> = docs.sources.iter().map(|s| s.doc.source.value.as_str()).collect();
    let mut sources: BTreeMap<String, Source> = BTreeMap::new();
    for s in &docs.sources {
        let name = s.doc.source.value.clone();
        if sources.contains_key(&name) {
            cx.error(
                Diagnostic::error(codes::E0111, format!("source `{name}` is defined twice"))
                    .at(cx.span(s.file, &s.doc.source))
                    .label("second definition")
                    .help("each source name must be unique in the definition set"),
            );
            continue;
        }
        sources.insert(name, check_source(cx, s.file, &s.doc, &vocabularies, &source_names));
    }
    check_join_keys(cx, docs, &sources);

    let metrics = super::metric::check_metrics(cx, docs, &vocabularies, &sources);
    let order = order(cx, docs, &metrics);
    Some(DefinitionSet {
        name,
        version: version?,
        version_at: docs.set.as_ref().map(|s| cx.span(s.file, &s.doc.version)),
        description,
        scopes,
        root: docs.root.clone(),
        vocabularies,
        sources,
        metrics,
        order,
        messages: super::messages::messages(cx, docs.messages.as_ref(), &crate::ir::built_in_messages()),
    })
}

/// A semantic version; `1` and `1.2` are read as `1.0.0` and `1.2.0`.
fn parse_version(text: &str) -> Result<semver::Version, semver::Error> {
    let text = text.trim();
    let parts = text.split('.').count();
    let padded = match parts {
        1 if text.bytes().all(|b| b.is_ascii_digit()) => format!("{text}.0.0"),
        2 if text.bytes().all(|b| b.is_ascii_digit() || b == b'.') => format!("{text}.0"),
        _ => text.to_string(),
    };
    semver::Version::parse(&padded)
}

fn valid_code(code: &str) -> bool {
    let mut chars = code.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn check_vocab(cx: &mut Cx, file: FileId, doc: &VocabDoc) -> Vocabulary {
    let vocab = &doc.vocabulary.value;
    let mut terms: Vec<Term> = Vec::new();
    for (code, term) in doc.terms.iter() {
        if !valid_code(&code.value) {
            cx.error(
                Diagnostic::error(codes::E0112, format!("`{}` is not a valid term code", code.value))
                    .at(cx.span(file, code))
                    .label("term codes match [A-Za-z][A-Za-z0-9_-]*")
                    .help("start with a letter; use letters, digits, `_` and `-`"),
            );
        }
        if terms.iter().any(|t| t.code == code.value) {
            cx.error(
                Diagnostic::error(codes::E0111, format!("term `{}` is listed twice in `{vocab}`", code.value))
                    .at(cx.span(file, code))
                    .label("second listing"),
            );
            continue;
        }
        terms.push(Term {
            code: code.value.clone(),
            label: term.label.clone(),
            definition: term.definition.clone(),
            attributes: BTreeMap::new(),
        });
    }
    let is_term = |c: &str| terms.iter().any(|t| t.code == c);

    let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let group_names: Vec<&str> = doc.groups.keys().collect();
    for (name, _) in doc.groups.iter() {
        if is_term(&name.value) {
            cx.error(
                Diagnostic::error(codes::E0118, format!("`{}` is both a term and a group of `{vocab}`", name.value))
                    .at(cx.span(file, name))
                    .label("group named like a term")
                    .help("give the group a name that is not a term code"),
            );
        }
        let mut members = Vec::new();
        let mut visiting = vec![name.value.as_str()];
        expand_group(cx, file, doc, &name.value, &mut visiting, &mut members, &is_term, &group_names);
        groups.insert(name.value.clone(), members);
    }

    let mut deprecated = BTreeMap::new();
    for (old, new) in doc.deprecated.iter() {
        if is_term(&old.value) {
            cx.error(
                Diagnostic::error(codes::E0113, format!("`{}` is deprecated but still a term of `{vocab}`", old.value))
                    .at(cx.span(file, old))
                    .label("still listed under terms")
                    .help("remove it from terms, or from deprecated"),
            );
        }
        if !is_term(&new.value) {
            unknown_term(cx, file, new, vocab, terms.iter().map(|t| t.code.as_str()));
        }
        deprecated.insert(old.value.clone(), new.value.clone());
    }
    Vocabulary {
        name: vocab.clone(),
        version: doc.version.as_ref().map_or(1, |v| v.value),
        version_at: Some(doc.version.as_ref().map_or_else(|| cx.span(file, &doc.vocabulary), |v| cx.span(file, v))),
        title: doc.title.clone(),
        description: doc.description.clone(),
        terms,
        ordered: doc.ordered,
        groups,
        deprecated,
        attributes: Vec::new(),
    }
}

/// `order:` in set.yaml: metrics of the set, each once (E0521). A metric whose file did
/// not check (already reported) is not blamed again here.
fn order(cx: &mut Cx, docs: &SetDocs, metrics: &[crate::ir::Metric]) -> Vec<crate::ir::MetricId> {
    let Some(set) = &docs.set else { return Vec::new() };
    let mut order: Vec<crate::ir::MetricId> = Vec::new();
    let mut listed = BTreeSet::new();
    for id in &set.doc.order {
        let known = metrics.iter().any(|m| m.id.as_str() == id.value);
        let twice = !listed.insert(id.value.as_str());
        if known && !twice {
            order.push(crate::ir::MetricId(id.value.clone()));
            continue;
        }
        let failed = docs.metrics.iter().any(|m| m.doc.metric.value == id.value) || docs.unreadable.contains(&id.value);
        if failed && !twice {
            continue;
        }
        let (message, help) = if twice {
            (format!("`order:` lists metric `{}` twice", id.value), "list each metric once".to_string())
        } else {
            let help = did_you_mean(&id.value, metrics.iter().map(|m| m.id.as_str()))
                .unwrap_or_else(|| "`order:` names metrics of the set; `yardstick metrics` lists them".into());
            (format!("`order:` lists `{}`, which is no metric of the set", id.value), help)
        };
        cx.error(Diagnostic::error(codes::E0521, message).at(cx.span(set.file, id)).label("in `order:`").help(help));
    }
    order
}

/// The attributes of each vocabulary's terms, once every vocabulary is known (a list
/// attribute holds terms of another): each declared as an `int`, a `float` or a list of
/// terms, each term's values declared and of their type.
fn check_attributes(cx: &mut Cx, docs: &SetDocs, vocabularies: &mut BTreeMap<String, Vocabulary>) {
    let mut seen = BTreeSet::new();
    for v in &docs.vocabs {
        let name = &v.doc.vocabulary.value;
        // A vocabulary defined twice (E0111) keeps its first definition.
        if !seen.insert(name.as_str()) {
            continue;
        }
        let mut declared = Vec::new();
        for (attr, def) in v.doc.attributes.iter() {
            let Some(ty) = def.value.ty.as_ref() else {
                cx.missing(cx.span(v.file, def), &format!("attribute `{}`", attr.value), "type", ATTRIBUTE_TYPES);
                continue;
            };
            let Some(ty) = column_type(cx, v.file, ty, def, vocabularies) else { continue };
            if !matches!(&ty, ColumnType::Int | ColumnType::Float)
                && !matches!(&ty, ColumnType::List(inner) if matches!(**inner, ColumnType::Vocab(_)))
            {
                cx.error(
                    Diagnostic::error(
                        codes::E0127,
                        format!("attribute `{}` of `{name}` is a {}", attr.value, Type::from(&ty)),
                    )
                    .at(cx.span(v.file, def))
                    .label("not a number or a list of terms")
                    .help(ATTRIBUTE_TYPES),
                );
                continue;
            }
            declared.push(Attribute { name: attr.value.clone(), ty, description: def.value.description.clone() });
        }
        let mut values: Vec<(String, BTreeMap<String, AttributeValue>)> = Vec::new();
        for (code, term) in v.doc.terms.iter() {
            let mut own = BTreeMap::new();
            for (attr, value) in term.attributes.iter() {
                let Some(a) = declared.iter().find(|a| a.name == attr.value) else {
                    let help = did_you_mean(&attr.value, declared.iter().map(|a| a.name.as_str())).unwrap_or_else(|| {
                        format!("declare it under `attributes:` of `{name}`, as `{}: {{list: {{vocab: NAME}}}}` or `int`", attr.value)
                    });
                    cx.error(
                        Diagnostic::error(codes::E0128, format!("`{name}` declares no attribute `{}`", attr.value))
                            .at(cx.span(v.file, attr))
                            .label("undeclared attribute")
                            .help(help),
                    );
                    continue;
                };
                if let Some(value) = attribute_value(cx, v.file, a, value, vocabularies) {
                    own.insert(a.name.clone(), value);
                }
            }
            values.push((code.value.clone(), own));
        }
        let Some(vocab) = vocabularies.get_mut(name) else { continue };
        for (code, own) in values {
            if let Some(t) = vocab.terms.iter_mut().find(|t| t.code == code) {
                t.attributes = own;
            }
        }
        vocab.attributes = declared;
    }
}

const ATTRIBUTE_TYPES: &str = "an attribute is a number (`int`, `float`) or a list of terms (`{list: {vocab: NAME}}`)";

/// A term's value of attribute `a`, checked against its type; a list's groups expanded.
fn attribute_value(
    cx: &mut Cx,
    file: FileId,
    a: &Attribute,
    value: &Spanned<AttributeValueDoc>,
    vocabularies: &BTreeMap<String, Vocabulary>,
) -> Option<AttributeValue> {
    let misfit = |cx: &mut Cx, found: &str| {
        let takes = match &a.ty {
            ColumnType::Int => "a whole number".to_string(),
            ColumnType::Float => "a number".to_string(),
            ty => format!("a {}", Type::from(ty)),
        };
        cx.error(
            Diagnostic::error(codes::E0128, format!("attribute `{}` takes {takes}, not {found}", a.name))
                .at(cx.span(file, value))
                .label(format!("{found} here"))
                .help(ATTRIBUTE_TYPES),
        );
        None
    };
    match (&a.ty, &value.value) {
        (ColumnType::Float, AttributeValueDoc::Number(n)) => Some(AttributeValue::Number(*n)),
        (ColumnType::Int, AttributeValueDoc::Number(n)) if n.fract() == 0.0 => Some(AttributeValue::Number(*n)),
        (ColumnType::Int, AttributeValueDoc::Number(_)) => misfit(cx, "a fraction"),
        (ColumnType::List(inner), AttributeValueDoc::Codes(codes)) => {
            let ColumnType::Vocab(w) = inner.as_ref() else { return None };
            let target = vocabularies.get(w)?;
            let mut terms = Vec::new();
            for code in codes {
                if let Some(group) = target.groups.get(&code.value) {
                    terms.extend(group.iter().filter(|t| !terms.contains(*t)).cloned().collect::<Vec<_>>());
                } else if target.has_term(&code.value) {
                    if !terms.contains(&code.value) {
                        terms.push(code.value.clone());
                    }
                } else {
                    let all =
                        target.terms.iter().map(|t| t.code.as_str()).chain(target.groups.keys().map(String::as_str));
                    unknown_term(cx, file, code, w, all);
                }
            }
            Some(AttributeValue::Terms(terms))
        }
        (ColumnType::List(_), AttributeValueDoc::Number(_)) => misfit(cx, "a number"),
        _ => misfit(cx, "a list"),
    }
}

/// Collects the terms of a group, following nested groups; reports unknown members and
/// groups that contain themselves.
#[allow(clippy::too_many_arguments)]
fn expand_group<'d>(
    cx: &mut Cx,
    file: FileId,
    doc: &'d VocabDoc,
    group: &str,
    visiting: &mut Vec<&'d str>,
    out: &mut Vec<String>,
    is_term: &dyn Fn(&str) -> bool,
    group_names: &[&str],
) {
    let Some(members) = doc.groups.get(group) else {
        return;
    };
    for m in members {
        let code = m.value.as_str();
        if is_term(code) {
            if !out.iter().any(|t| t == code) {
                out.push(code.to_string());
            }
        } else if group_names.contains(&code) {
            if visiting.contains(&code) {
                cx.error(
                    Diagnostic::error(codes::E0114, format!("group `{code}` contains itself"))
                        .at(cx.span(file, m))
                        .label(format!("through {}", visiting.join(" -> ")))
                        .help("a group may list other groups, but not in a circle"),
                );
                continue;
            }
            visiting.push(code);
            expand_group(cx, file, doc, code, visiting, out, is_term, group_names);
            visiting.pop();
        } else {
            let all = doc.terms.keys().chain(group_names.iter().copied());
            unknown_term(cx, file, m, &doc.vocabulary.value, all);
        }
    }
}

pub(super) fn unknown_term<'a>(
    cx: &mut Cx,
    file: FileId,
    code: &Spanned<String>,
    vocab: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) {
    let candidates: Vec<&str> = candidates.into_iter().collect();
    let help = did_you_mean(&code.value, candidates.iter().copied())
        .unwrap_or_else(|| format!("the terms of `{vocab}` are: {}", candidates.join(", ")));
    cx.error(
        Diagnostic::error(codes::E0304, format!("`{}` is not a term of vocabulary `{vocab}`", code.value))
            .at(cx.span(file, code))
            .label("unknown term")
            .help(help),
    );
}

fn check_source(
    cx: &mut Cx,
    file: FileId,
    doc: &SourceDoc,
    vocabs: &BTreeMap<String, Vocabulary>,
    source_names: &BTreeSet<&str>,
) -> Source {
    let name = &doc.source.value;
    let collection = doc
        .collection
        .as_ref()
        .and_then(|c| cx.choice(file, c, "collection", COLLECTIONS))
        .unwrap_or(Collection::Automated);
    let (columns, broken_columns) = columns(cx, file, doc, vocabs);
    if let Some(key) = &doc.key
        && !columns.iter().any(|c| c.name == key.value)
    {
        unknown_column(cx, file, key, name, columns.iter().map(|c| c.name.as_str()));
    }
    let snapshot = snapshot(cx, file, doc, &columns, &broken_columns);
    let history = history(cx, file, doc, &columns, &broken_columns);
    let joins = joins(cx, file, doc, &columns, vocabs, source_names);
    Source {
        name: name.clone(),
        title: doc.title.clone(),
        description: doc.description.clone(),
        key: doc.key.as_ref().map(|k| k.value.clone()),
        snapshot,
        history,
        collection,
        evidence: doc.evidence,
        detection_dependent: doc.detection_dependent,
        provider: doc.provider.clone(),
        columns,
        joins,
        broken_columns,
    }
}

/// The declared columns, and the names of those whose type is missing or invalid
/// (reported here, so that their uses are not reported again).
fn columns(
    cx: &mut Cx,
    file: FileId,
    doc: &SourceDoc,
    vocabs: &BTreeMap<String, Vocabulary>,
) -> (Vec<Column>, Vec<String>) {
    let mut columns = Vec::new();
    let mut broken_columns = Vec::new();
    for (col, def) in doc.columns.iter() {
        if col.value == "site" {
            cx.error(
                Diagnostic::error(
                    codes::E0115,
                    format!("source `{}` declares `site`, which every source has implicitly", doc.source.value),
                )
                .at(cx.span(file, col))
                .label("implicit column")
                .help("remove it: yardstick fills `site` from the project's binding"),
            );
            continue;
        }
        let Some(ty) = &def.value.ty else {
            broken_columns.push(col.value.clone());
            cx.missing(
                cx.span(file, def),
                &format!("column `{}`", col.value),
                "type",
                "give a column `type:`, `vocab:` or `list:`",
            );
            continue;
        };
        match column_type(cx, file, ty, def, vocabs) {
            Some(ty) => {
                let planned = planned(cx, file, &col.value, &def.value, &ty);
                let (min, max) = bounds(cx, file, &col.value, &def.value, &ty);
                columns.push(Column {
                    name: col.value.clone(),
                    ty,
                    nullable: def.value.nullable,
                    planned,
                    min,
                    max,
                    description: def.value.description.clone(),
                });
            }
            None => broken_columns.push(col.value.clone()),
        }
    }
    (columns, broken_columns)
}

/// `planned: true`, which only a date or datetime column may carry.
fn planned(cx: &mut Cx, file: FileId, name: &str, def: &ColumnDoc, ty: &ColumnType) -> bool {
    let Some(planned) = &def.planned else { return false };
    if planned.value && !matches!(ty, ColumnType::Date | ColumnType::DateTime) {
        cx.error(
            Diagnostic::error(
                codes::E0121,
                format!("column `{name}` is a {}, so it cannot be `planned`", Type::from(ty)),
            )
            .at(cx.span(file, planned))
            .label("only dates are planned")
            .help("`planned: true` marks a date known in advance (a due date); remove it from this column"),
        );
    }
    planned.value
}

/// `min` and `max`, which only a number column may carry, with `min <= max`.
fn bounds(cx: &mut Cx, file: FileId, name: &str, def: &ColumnDoc, ty: &ColumnType) -> (Option<f64>, Option<f64>) {
    let given = [&def.min, &def.max];
    if !matches!(ty, ColumnType::Int | ColumnType::Float) {
        for bound in given.into_iter().flatten() {
            cx.error(
                Diagnostic::error(
                    codes::E0122,
                    format!("column `{name}` is a {}, so it cannot be bounded", Type::from(ty)),
                )
                .at(cx.span(file, bound))
                .label("only numbers are bounded")
                .help("`min` and `max` bound the values of an int or float column; remove them here"),
            );
        }
        return (None, None);
    }
    for bound in given.into_iter().flatten().filter(|b| !b.value.is_finite()) {
        cx.error(
            Diagnostic::error(codes::E0123, format!("column `{name}` has a bound that is not a finite number"))
                .at(cx.span(file, bound))
                .label("beyond any number a column holds")
                .help("give `min` and `max` as numbers of at most about 1.8e308, or leave the bound out"),
        );
    }
    if let (Some(min), Some(max)) = (&def.min, &def.max)
        && min.value > max.value
    {
        cx.error(
            Diagnostic::error(
                codes::E0123,
                format!("column `{name}` has `min` {} above its `max` {}", min.value, max.value),
            )
            .at(cx.span(file, min))
            .label(format!("above the max, {}", max.value))
            .help("give `min` a number at most `max`; both bounds are included"),
        );
    }
    (def.min.as_ref().map(|m| m.value), def.max.as_ref().map(|m| m.value))
}

/// The `snapshot:` column: a declared date column that every row fills.
fn snapshot(cx: &mut Cx, file: FileId, doc: &SourceDoc, columns: &[Column], broken: &[String]) -> Option<String> {
    let name = doc.snapshot.as_ref()?;
    let Some(column) = columns.iter().find(|c| c.name == name.value) else {
        if !broken.contains(&name.value) {
            unknown_column(cx, file, name, &doc.source.value, columns.iter().map(|c| c.name.as_str()));
        }
        return None;
    };
    let problem = match (&column.ty, column.nullable) {
        (ColumnType::Date, false) => return Some(column.name.clone()),
        (ColumnType::Date, true) => "may be empty".to_string(),
        (ty, _) => format!("is a {}", Type::from(ty)),
    };
    cx.error(
        Diagnostic::error(
            codes::E0124,
            format!("snapshot column `{}` of source `{}` {problem}", name.value, doc.source.value),
        )
        .at(cx.span(file, name))
        .label("not a date every row has")
        .help("`snapshot:` names a `date` column, not nullable, holding the day each snapshot was taken"),
    );
    None
}

/// Whether the source can keep a history at all: it has a key and no snapshots.
fn history_fits_source(cx: &mut Cx, file: FileId, doc: &SourceDoc, given: &Spanned<HistoryDoc>) -> bool {
    let source = &doc.source.value;
    let (message, label, help) = match (&doc.key, &doc.snapshot) {
        (Some(_), None) => return true,
        (None, _) => (
            format!("source `{source}` keeps a `history` but has no `key`"),
            "revisions of no key",
            "a revision history holds one row per change of a key: give the source `key:` (the column naming what is revised)",
        ),
        (Some(_), Some(_)) => (
            format!("source `{source}` has both `snapshot` and `history`"),
            "one or the other",
            "a snapshot source already dates its rows; keep `history` for an append-only export of revisions, `snapshot` for periodic full copies",
        ),
    };
    cx.error(
        Diagnostic::error(codes::E0126, message).at(cx.span(file, &given.value.recorded_at)).label(label).help(help),
    );
    false
}

/// `history: {recorded_at, deleted}`: a source kept as dated revisions needs a key, holds
/// no snapshots, records each revision's time in a date or datetime every row has, and may
/// mark a revision that deletes its key in a bool column.
fn history(cx: &mut Cx, file: FileId, doc: &SourceDoc, columns: &[Column], broken: &[String]) -> Option<History> {
    let given = doc.history.as_ref()?;
    let source = &doc.source.value;
    let mut ok = history_fits_source(cx, file, doc, given);
    let find = |name: &Spanned<String>| columns.iter().find(|c| c.name == name.value);
    let column_problem = |cx: &mut Cx, name: &Spanned<String>, problem: String, help: &str| {
        cx.error(
            Diagnostic::error(codes::E0125, format!("history column `{}` of source `{source}` {problem}", name.value))
                .at(cx.span(file, name))
                .label(problem)
                .help(help.to_string()),
        );
    };
    let recorded = &given.value.recorded_at;
    match find(recorded) {
        None => {
            if !broken.contains(&recorded.value) {
                unknown_column(cx, file, recorded, source, columns.iter().map(|c| c.name.as_str()));
            }
            ok = false;
        }
        Some(c) => {
            let problem = match (&c.ty, c.nullable, c.planned) {
                (ColumnType::Date | ColumnType::DateTime, false, false) => None,
                (ColumnType::Date | ColumnType::DateTime, true, _) => Some("may be empty".to_string()),
                (ColumnType::Date | ColumnType::DateTime, _, true) => Some("is `planned`".to_string()),
                (ty, _, _) => Some(format!("is a {}", Type::from(ty))),
            };
            if let Some(problem) = problem {
                column_problem(
                    cx,
                    recorded,
                    problem,
                    "`recorded_at:` names a `date` or `datetime` column, neither nullable nor planned, holding when each revision was recorded",
                );
                ok = false;
            }
        }
    }
    if let Some(deleted) = &given.value.deleted {
        match find(deleted) {
            None => {
                if !broken.contains(&deleted.value) {
                    unknown_column(cx, file, deleted, source, columns.iter().map(|c| c.name.as_str()));
                }
                ok = false;
            }
            Some(c) if c.ty != ColumnType::Bool => {
                column_problem(
                    cx,
                    deleted,
                    format!("is a {}", Type::from(&c.ty)),
                    "`deleted:` names a `bool` column, true on a revision that removes its key",
                );
                ok = false;
            }
            Some(_) => {}
        }
    }
    ok.then(|| History {
        recorded_at: recorded.value.clone(),
        deleted: given.value.deleted.as_ref().map(|d| d.value.clone()),
    })
}

/// The joins, each checked for a clash with a vocabulary, its source and its column (the
/// joined source's key is checked once every source is known: [`check_join_keys`]).
fn joins(
    cx: &mut Cx,
    file: FileId,
    doc: &SourceDoc,
    columns: &[Column],
    vocabs: &BTreeMap<String, Vocabulary>,
    source_names: &BTreeSet<&str>,
) -> Vec<Join> {
    let mut joins = Vec::new();
    for (jname, j) in doc.joins.iter() {
        if vocabs.contains_key(&jname.value) {
            cx.error(
                Diagnostic::error(codes::E0303, format!("join `{}` has the name of a vocabulary", jname.value))
                    .at(cx.span(file, jname))
                    .label("also a vocabulary")
                    .help("`x.y` would be ambiguous in expressions; rename the join"),
            );
        }
        if !source_names.contains(j.value.source.value.as_str()) {
            unknown_source(cx, file, &j.value.source, source_names.iter().copied());
        }
        if !columns.iter().any(|c| c.name == j.value.on.value) {
            unknown_column(cx, file, &j.value.on, &doc.source.value, columns.iter().map(|c| c.name.as_str()));
        }
        let on_missing = j.value.on_missing.as_ref().map_or(Some(OnMissing::Error), |v| {
            cx.choice(file, v, "`on_missing` (what a row whose key finds no partner does)", &OnMissing::CHOICES)
        });
        joins.push(Join {
            name: jname.value.clone(),
            source: j.value.source.value.clone(),
            on: j.value.on.value.clone(),
            on_missing: on_missing.unwrap_or_default(),
        });
    }
    joins
}

/// A joined source must have a key, and the `on` column must match its type.
fn check_join_keys(cx: &mut Cx, docs: &SetDocs, sources: &BTreeMap<String, Source>) {
    for s in &docs.sources {
        let Some(this) = sources.get(&s.doc.source.value) else {
            continue;
        };
        for (_, j) in s.doc.joins.iter() {
            let Some(target) = sources.get(&j.value.source.value) else {
                continue;
            };
            let Some(key) = &target.key else {
                cx.error(
                    Diagnostic::error(
                        codes::E0116,
                        format!("source `{}` has no `key`, so it cannot be joined", target.name),
                    )
                    .at(cx.span(s.file, &j.value.source))
                    .label("joined here")
                    .help(format!("declare `key:` in sources/{}.yaml", target.name)),
                );
                continue;
            };
            let (Some(on), Some(key_col)) = (this.column(&j.value.on.value), target.column(key)) else {
                continue;
            };
            if on.ty != key_col.ty {
                cx.error(
                    Diagnostic::error(
                        codes::E0119,
                        format!("join column `{}` does not have the type of `{}.{key}`", on.name, target.name),
                    )
                    .at(cx.span(s.file, &j.value.on))
                    .label(format!("{:?} here, {:?} in `{}`", on.ty, key_col.ty, target.name))
                    .help("join on a column of the same type as the joined source's key"),
                );
            }
        }
    }
}

const TYPE_NAMES: &[&str] = &["string", "int", "float", "bool", "date", "datetime"];

fn column_type(
    cx: &mut Cx,
    file: FileId,
    ty: &TypeDoc,
    def: &Spanned<ColumnDoc>,
    vocabs: &BTreeMap<String, Vocabulary>,
) -> Option<ColumnType> {
    Some(match ty {
        TypeDoc::Named(spanned, name) => match name.as_str() {
            "string" => ColumnType::String,
            "int" => ColumnType::Int,
            "float" => ColumnType::Float,
            "bool" => ColumnType::Bool,
            "date" => ColumnType::Date,
            "datetime" => ColumnType::DateTime,
            other => {
                let span = spanned.as_ref().map_or_else(|| cx.span(file, def), |s| cx.span(file, s));
                let help = did_you_mean(other, TYPE_NAMES.iter().copied()).unwrap_or_else(|| {
                    "column types are string, int, float, bool, date, datetime, {vocab: NAME} and {list: T}".into()
                });
                cx.error(
                    Diagnostic::error(codes::E0117, format!("unknown column type `{other}`"))
                        .at(span)
                        .label("not a type")
                        .help(help),
                );
                return None;
            }
        },
        TypeDoc::Vocab(v) => {
            if !vocabs.contains_key(&v.value) {
                unknown_vocab(cx, file, v, vocabs.keys().map(String::as_str));
                return None;
            }
            ColumnType::Vocab(v.value.clone())
        }
        TypeDoc::List(inner) => ColumnType::List(Box::new(column_type(cx, file, inner, def, vocabs)?)),
    })
}

/// A kind of definition that others refer to by name.
struct Kind {
    code: crate::diag::codes::Code,
    one: &'static str,
    many: &'static str,
    folder: &'static str,
}

pub(super) fn unknown_vocab<'a>(
    cx: &mut Cx,
    file: FileId,
    name: &Spanned<String>,
    known: impl IntoIterator<Item = &'a str>,
) {
    let kind = Kind { code: codes::E0309, one: "vocabulary", many: "vocabularies", folder: "vocab/" };
    unknown_definition(cx, file, name, &kind, known);
}

pub(super) fn unknown_source<'a>(
    cx: &mut Cx,
    file: FileId,
    name: &Spanned<String>,
    known: impl IntoIterator<Item = &'a str>,
) {
    let kind = Kind { code: codes::E0308, one: "source", many: "sources", folder: "sources/" };
    unknown_definition(cx, file, name, &kind, known);
}

/// A name that is not defined: the close names, or all of them. Nothing is said when the
/// file that may define it could not be read (already reported).
fn unknown_definition<'a>(
    cx: &mut Cx,
    file: FileId,
    name: &Spanned<String>,
    kind: &Kind,
    known: impl IntoIterator<Item = &'a str>,
) {
    if cx.is_unreadable(&name.value) {
        return;
    }
    let known: Vec<&str> = known.into_iter().collect();
    let help = did_you_mean(&name.value, known.iter().copied())
        .unwrap_or_else(|| format!("the {} are: {}", kind.many, known.join(", ")));
    cx.error(
        Diagnostic::error(kind.code, format!("unknown {} `{}`", kind.one, name.value))
            .at(cx.span(file, name))
            .label(format!("no such {} in {}", kind.one, kind.folder))
            .help(help),
    );
}

pub(super) fn unknown_column<'a>(
    cx: &mut Cx,
    file: FileId,
    name: &Spanned<String>,
    source: &str,
    known: impl IntoIterator<Item = &'a str>,
) {
    let known: Vec<&str> = known.into_iter().collect();
    let help = did_you_mean(&name.value, known.iter().copied())
        .unwrap_or_else(|| format!("the columns of `{source}` are: {}", known.join(", ")));
    cx.error(
        Diagnostic::error(codes::E0301, format!("unknown column `{}` in source `{source}`", name.value))
            .at(cx.span(file, name))
            .label("no such column")
            .help(help),
    );
}
