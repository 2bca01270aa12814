//! `yardstick diff` rendered as a pull-request comment: a summary table first, then each
//! metric's details folded (what changed in its definition, where its values move).

use crate::change::diff::{Diff, MetricChange, Move, value_moved};

/// The diff as a pull-request comment: a summary first, each metric's details folded.
pub fn markdown(diff: &Diff) -> String {
    let count = |class: &str| diff.metrics.iter().filter(|m| m.class == class).count();
    let moving = diff.metrics.iter().filter(|m| m.moves.as_ref().is_some_and(|v| v.largest().is_some())).count();
    let mut out = format!("## yardstick diff: `{}` → `{}`\n\n", diff.base, diff.head);
    out += &format!(
        "{} breaking, {} criteria, {} cosmetic, {} added, {} removed metric(s); values move in {moving} metric(s) on today's data.\n\n",
        count("breaking"),
        count("criteria"),
        count("cosmetic"),
        count("added"),
        count("removed")
    );
    if diff.metrics.is_empty() {
        out += "No metric differs.\n";
    } else {
        out += "| metric | change | versions | periods moved | largest move | statuses flipped |\n|---|---|---|---|---|---|\n";
    }
    for m in &diff.metrics {
        let versions = match m.versions {
            (Some(a), Some(b)) if a != b => format!("{a} → {b}"),
            (Some(a), Some(_)) => a.to_string(),
            (None, Some(b)) => format!("new, {b}"),
            (Some(a), None) => format!("was {a}"),
            (None, None) => String::new(),
        };
        let (periods, largest, flipped) = match (&m.moves, &m.not_comparable) {
            (_, Some(why)) => ("not comparable".to_string(), why.replace('|', "\\|"), String::new()),
            (Some(v), None) => (
                v.periods_changed.to_string(),
                v.largest().map_or(String::new(), describe_move),
                v.statuses_flipped.to_string(),
            ),
            (None, None) => Default::default(),
        };
        out += &format!("| `{}` | {} | {versions} | {periods} | {largest} | {flipped} |\n", m.id, m.class);
    }
    for (title, list) in
        [("Vocabularies", &diff.vocabularies), ("Source schemas", &diff.sources), ("Site mappings", &diff.mappings)]
    {
        if list.is_empty() {
            continue;
        }
        out += &format!("\n### {title}\n\n");
        for n in list {
            out += &format!("- **{}** {}: {}", n.name, n.change, n.details.join("; "));
            if !n.metrics.is_empty() {
                out += &format!(
                    " (reaches {})",
                    n.metrics.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ")
                );
            }
            out += "\n";
        }
    }
    for m in
        diff.metrics.iter().filter(|m| !m.fields.is_empty() || m.moves.as_ref().is_some_and(|v| !v.rows.is_empty()))
    {
        out += &details(m);
    }
    out
}

/// The moves of a metric a comment shows; the rest are counted.
const SHOWN_MOVES: usize = 12;

/// One metric's folded details: its fields before and after, and its largest moves.
fn details(m: &MetricChange) -> String {
    let mut out = String::new();
    out += &format!("\n<details><summary><code>{}</code>: {}</summary>\n\n", m.id, m.class);
    if m.class == "criteria" {
        out += "Its target, thresholds or direction changed: statuses move, values do not.\n\n";
    }
    for (field, a, b) in &m.fields {
        out += &format!("- `{field}`: `{}` → `{}`\n", a.replace('`', "'"), b.replace('`', "'"));
    }
    if let Some(v) = m.moves.as_ref().filter(|v| !v.rows.is_empty()) {
        let moved = v.rows.iter().filter(|r| value_moved(r.before, r.after)).count();
        let shown = v.rows.len().min(SHOWN_MOVES);
        let of = if shown < v.rows.len() { format!(" ({shown} of {} shown)", v.rows.len()) } else { String::new() };
        out += &format!(
            "\n{moved} of {} rows move, {} statuses flip; largest first{of}:\n\n| site | period | before | after | change | status |\n|---|---|---|---|---|---|\n",
            v.rows_compared, v.statuses_flipped
        );
        for r in v.rows.iter().take(SHOWN_MOVES) {
            let status = match (r.status_before, r.status_after) {
                (a, b) if a == b => a.unwrap_or("").to_string(),
                (a, b) => format!("{} → {}", a.unwrap_or("none"), b.unwrap_or("none")),
            };
            let site = if r.dims.is_empty() { r.site.clone() } else { format!("{} ({})", r.site, dims(&r.dims)) };
            let change = match (r.delta, r.relative) {
                (Some(d), Some(p)) => format!("{:+} ({:+.1}%)", (d * 1000.0).round() / 1000.0, p * 100.0),
                (Some(d), None) => format!("{:+}", (d * 1000.0).round() / 1000.0),
                _ => String::new(),
            };
            out += &format!("| {site} | {} | {} | {} | {change} | {status} |\n", r.period, num(r.before), num(r.after));
        }
    }
    out += "\n</details>\n";
    out
}

fn dims(d: &[(String, Option<String>)]) -> String {
    d.iter().map(|(k, v)| format!("{k}={}", v.as_deref().unwrap_or("(null)"))).collect::<Vec<_>>().join(", ")
}

fn num(v: Option<f64>) -> String {
    v.map_or("–".into(), |v| crate::results::number(Some((v * 1000.0).round() / 1000.0)))
}

fn describe_move(r: &Move) -> String {
    match (r.delta, r.relative) {
        (Some(d), Some(p)) => {
            format!("{:+} ({:+.1}%) at {} {}", (d * 1000.0).round() / 1000.0, p * 100.0, r.site, r.period)
        }
        (Some(d), None) => format!("{:+} at {} {}", (d * 1000.0).round() / 1000.0, r.site, r.period),
        _ => format!("{} → {} at {} {}", num(r.before), num(r.after), r.site, r.period),
    }
}
