//! Join misses (docs/semantics.md, joins): a row whose non-empty join key finds no partner
//! among the joined source's rows known as of `as_of` at its site would join to nothing,
//! and every metric reading the joined columns would count it differently in silence.
//! By the join's `on_missing`: an error naming the rows (the default), the rows left out
//! and counted as `join_miss`, or kept (joined columns empty) and counted in a warning.

use super::*;
use crate::ir::{Join, OnMissing};
use std::collections::HashSet;

/// The rows of `left` (a site's table of `source`) known as of `as_of`, not already left
/// out, whose `join.on` is not empty and names no key among the rows of `right` (the same
/// site's table of the joined source `target`) known as of `as_of`: each row with its key.
pub fn misses(
    (left, source): (&SiteTable, &Source),
    (right, target): (&SiteTable, &Source),
    join: &Join,
    timezone: Tz,
    as_of: NaiveDate,
) -> PolarsResult<Vec<(usize, String)>> {
    let Some(key) = &target.key else { return Ok(Vec::new()) };
    let known = |t: &SiteTable, s: &Source, column: &str| {
        t.frame
            .clone()
            .lazy()
            .filter(visible(s, timezone, as_of))
            .select([col(column).cast(DataType::String)])
            .collect()
    };
    let keys = known(right, target, key)?;
    let keys: HashSet<&str> = keys.column(key)?.str()?.iter().flatten().collect();
    let judged = left
        .frame
        .clone()
        .lazy()
        .select([
            visible(source, timezone, as_of).and(col(EXCLUDED).is_null()).alias("judged"),
            col(join.on.as_str()).cast(DataType::String),
        ])
        .collect()?;
    let judged_rows = judged.column("judged")?.bool()?.clone();
    let on = judged.column(&join.on)?.str()?.clone();
    Ok((judged_rows.iter().zip(on.iter()).enumerate())
        .filter_map(|(row, (judged, value))| match (judged, value) {
            (Some(true), Some(v)) if !v.trim().is_empty() && !keys.contains(v) => Some((row, v.to_string())),
            _ => None,
        })
        .collect())
}

/// Reports the misses of `join` in `left` by its `on_missing`: an error, or a warning
/// that says what becomes of the rows.
pub fn report_misses(
    left: &SiteTable,
    source: &Source,
    join: &Join,
    missed: &[(usize, String)],
    as_of: NaiveDate,
    report: &mut DataReport,
) {
    if missed.is_empty() {
        return;
    }
    let rows: Vec<usize> = missed.iter().map(|(row, _)| *row).collect();
    // The distinct keys, in the order first met.
    let mut seen = std::collections::HashSet::new();
    let keys: Vec<&str> = missed.iter().map(|(_, key)| key.as_str()).filter(|k| seen.insert(*k)).collect();
    let shown: Vec<String> = keys.iter().take(5).map(|k| format!("`{k}`")).collect();
    let more = if keys.len() > shown.len() { format!(" and {} more", keys.len() - shown.len()) } else { String::new() };
    let n = rows.len();
    let what = format!(
        "{n} row{} of `{}` at site `{}` join{} `{}` on `{}` to no row of `{}` known as of {as_of}: {}{more} ({})",
        if n == 1 { "" } else { "s" },
        source.name,
        left.site,
        if n == 1 { "s" } else { "" },
        join.name,
        join.on,
        join.source,
        shown.join(", "),
        rules::located(&left.path, &rows, &left.lines),
    );
    let schema =
        format!("`joins: {{{}: {{source: {}, on: {}, on_missing: exclude}}}}`", join.name, join.source, join.on);
    match join.on_missing {
        OnMissing::Error => report.errors.push(
            Diagnostic::error(codes::E0710, what).in_file(&left.path).help(format!(
                "fix the key in the export (a typo, a renamed key?) or export the missing row of `{0}`; if such rows are expected, the source schema says what they do: {schema} leaves them out and counts them, `on_missing: keep` keeps them with empty joined columns",
                join.source
            )),
        ),
        OnMissing::Exclude => report.warnings.push(
            Diagnostic::warning(
                codes::W0706,
                format!("{what}: left out of the metrics that read `{}`", join.name),
            )
            .in_file(&left.path)
            .help("the results count them in `excluded` (`join_miss`); fix the keys in the export to count them"),
        ),
        OnMissing::Keep => report.warnings.push(
            Diagnostic::warning(
                codes::W0706,
                format!("{what}: kept, with the columns of `{}` empty", join.name),
            )
            .in_file(&left.path)
            .help("metrics reading those columns see them empty; fix the keys in the export to join them"),
        ),
    }
}
