//! `yardstick metrics`: every metric of the set, and whether the project's bound data can
//! compute it.

use crate::check::Checked;
use crate::ir::Metric;
use std::path::Path;
use std::process::ExitCode;

pub fn run(project: &Path, tag: Option<&str>, color: bool) -> ExitCode {
    // This listing says what each unbound source leaves out.
    let (checked, _) = super::compile_for_metrics(project, color);
    let Some(checked) = checked else { return ExitCode::from(1) };
    let metrics: Vec<&Metric> =
        checked.set.in_order().into_iter().filter(|m| tag.is_none_or(|t| m.tags.iter().any(|x| x == t))).collect();
    if let (true, Some(tag)) = (metrics.is_empty(), tag) {
        return super::no_such_tag(&checked.set, tag);
    }
    let from = format!("{}\n\n", checked.set.describe());
    super::emit(&(from + &listing(&checked, &metrics)))
}

/// One line per metric: id, layer, grain, tags, and what the bound data can do for it.
pub fn listing(checked: &Checked, metrics: &[&Metric]) -> String {
    let rows: Vec<[String; 5]> = metrics
        .iter()
        .map(|m| {
            [
                if m.local { format!("{} (project)", m.id) } else { m.id.to_string() },
                m.layer.as_str().to_string(),
                m.grain.as_str().to_string(),
                m.tags.join(", "),
                computable(checked, m),
            ]
        })
        .collect();
    let head = ["metric", "layer", "grain", "tags", "with the bound data"].map(String::from);
    let body: Vec<Vec<String>> = rows.into_iter().map(Vec::from).collect();
    super::aligned(&head, &body)
}

/// `computable`, `not collected: needs capas` (the sources the project does not bind), or
/// `computable, not at lodz (no capas)` (sites that say they do not export one).
fn computable(checked: &Checked, m: &Metric) -> String {
    let Some(project) = &checked.project else { return "(a definition set alone: no data)".into() };
    let read = checked.set.sources_read(m.id.as_str());
    let unbound: Vec<&str> = read.iter().copied().filter(|s| !project.is_bound(s)).collect();
    if !unbound.is_empty() {
        return format!("not collected: needs {}", unbound.join(", "));
    }
    let lacking: Vec<String> = project
        .sites
        .iter()
        .filter_map(|site| {
            let absent: Vec<&str> = read.iter().copied().filter(|s| site.absent.contains(*s)).collect();
            (!absent.is_empty()).then(|| format!("{} (no {})", site.id, absent.join(", ")))
        })
        .collect();
    match lacking.len() {
        0 => "computable".into(),
        n if n == project.sites.len() => format!("not collected: no site exports {}", lacking_sources(project, &read)),
        _ => format!("computable, not at {}", lacking.join(", ")),
    }
}

/// The sources of `read` that some site says it does not export.
fn lacking_sources(project: &crate::ir::Project, read: &std::collections::BTreeSet<&str>) -> String {
    let lacking = read.iter().copied().filter(|s| project.sites.iter().any(|site| site.absent.contains(*s)));
    lacking.collect::<Vec<_>>().join(", ")
}
