//! W1003 `lone_incident_count`.
//!
//! **What it does.** Flags a `count()` tagged `leadership` over a source with a severity
//! column when the leadership metrics over that source read no severity vocabulary, or no
//! `detection...` vocabulary (in `where`, `value` or `by`).
//!
//! **Why it matters.** A rise in counted incidents after rollout may be better detection,
//! not more incidents; without the companions a report punishes the visibility the ISMS
//! creates.
//!
//! **Example.** `tags: [leadership]` on `count()` over incidents: tag `leadership` a
//! metric of the same source by severity and one by detection source.

use super::*;

/// The vocabulary a column of `source` (or of a source it joins) is typed by, if any.
pub(super) fn vocabulary_of<'a>(set: &'a DefinitionSet, source: &'a Source, c: &ColumnRef) -> Option<&'a str> {
    let owner = match &c.join {
        None => source,
        Some(j) => set.sources.get(&source.join(j)?.source)?,
    };
    match &owner.column(&c.column)?.ty {
        ColumnType::Vocab(v) => Some(v),
        ColumnType::List(inner) => match inner.as_ref() {
            ColumnType::Vocab(v) => Some(v),
            _ => None,
        },
        _ => None,
    }
}

/// The vocabularies of the columns an expression reads.
pub(super) fn vocabularies_read<'a>(
    set: &'a DefinitionSet,
    source: &'a Source,
    e: &TExpr,
    out: &mut BTreeSet<&'a str>,
) {
    e.walk(&mut |x| {
        if let TExprKind::Column(c) = &x.kind {
            out.extend(vocabulary_of(set, source, c));
        }
    });
}

/// W1003: a leadership incident count without a severity and a detection-source view of
/// the same source in the same tag: a rise may be better detection, not more incidents.
pub(super) fn lone_incident_count(set: &DefinitionSet, m: &Metric) -> Option<Diagnostic> {
    let MetricBody::Base(b) = &m.body else { return None };
    let is_count = matches!(&b.value.kind, TExprKind::Aggregate { func: crate::ir::AggFn::Count, .. });
    let source = set.sources.get(&b.source)?;
    let typed_by =
        |s: &Source, f: &dyn Fn(&str) -> bool| s.columns.iter().any(|c| matches!(&c.ty, ColumnType::Vocab(v) if f(v)));
    let severity = |v: &str| v.contains("severity");
    let detection = |v: &str| v.starts_with("detection");
    if !m.tags.iter().any(|t| t == LEADERSHIP) || !is_count || !typed_by(source, &severity) {
        return None;
    }
    // What the leadership metrics over the same source read, this one included.
    let mut read = BTreeSet::new();
    for peer in set.metrics.iter().filter(|p| p.tags.iter().any(|t| t == LEADERSHIP)) {
        if let MetricBody::Base(pb) = &peer.body
            && pb.source == b.source
        {
            pb.filter.iter().chain([&pb.value]).for_each(|e| vocabularies_read(set, source, e, &mut read));
            read.extend(pb.by.iter().filter_map(|c| vocabulary_of(set, source, c)));
        }
    }
    let mut missing = Vec::new();
    if !read.iter().any(|v| severity(v)) {
        missing.push("severity");
    }
    if !read.iter().any(|v| detection(v)) {
        missing.push("detection source");
    }
    if missing.is_empty() {
        return None;
    }
    let how = if typed_by(source, &detection) {
        String::new()
    } else {
        format!(" (source `{}` has no column typed by a `detection...` vocabulary yet)", b.source)
    };
    let d = Diagnostic::warning(
        codes::W1003,
        format!(
            "leadership incident count `{}` has no {} companion in the `{LEADERSHIP}` tag{how}",
            m.id,
            missing.join(" and no ")
        ),
    )
    .label("a count the leadership reads alone")
    .help(format!(
        "incident counts rise when detection improves: tag `{LEADERSHIP}` a metric of the same source by severity and one by detection source (`by: [...]` or `where`), so a rise can be read; {}",
        exempt_help(codes::W1003)
    ));
    Some(at(d, m.at))
}
