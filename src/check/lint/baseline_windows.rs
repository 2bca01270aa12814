//! W1006 to W1008 and W1010 `baseline_windows`: each site's baseline window against the
//! context and the coverage.
//!
//! **What they do.** W1006 flags a major incident (a context event) inside a site's
//! baseline window; W1007 a window shorter than six months; W1008 a window that reaches
//! past what a source's data covers at the site; W1010 a change in how a source is
//! collected (a `collection_change` event) after the window began.
//!
//! **Why they matter.** An inflated, short or partly empty baseline makes every change
//! after rollout look larger or smaller than it is.
//!
//! **Example.** A ransomware outage in the baseline year: choose another window
//! (`baseline: {from: ..., to: ...}`), or read that site's changes with it in mind; a
//! site that keeps its window says why under `allow:` in yardstick.yaml.

use super::*;

/// W1006 to W1008: each site's baseline window against the context and the coverage.
pub(super) fn baseline_windows(project: &Project) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for site in &project.sites {
        let mut mine = Vec::new();
        let Some(w) = baseline_window(&project.baseline, site.rollout) else { continue };
        let from = w.from.max(project.start);
        for e in project.context.iter().filter(|e| e.kind == "major_incident") {
            if e.site.as_ref().is_none_or(|s| site.id == *s) && (from..=w.to).contains(&e.date) {
                let d = Diagnostic::warning(
                    codes::W1006,
                    format!("the major incident of {} lies in the baseline window of site `{}` ({from} to {})", e.date, site.id, w.to),
                )
                .label("inside the baseline")
                .help("its baseline is inflated by it, so every improvement after rollout looks larger: choose another window (`baseline: {from: ..., to: ...}`), or read that site's changes with this in mind");
                mine.push(at(d, e.at));
            }
        }
        for e in project.context.iter().filter(|e| e.kind == "collection_change") {
            if e.site.as_ref().is_none_or(|s| site.id == *s) && e.date > from {
                let what = e.source.as_ref().map_or("its data".to_string(), |s| format!("`{s}`"));
                let d = Diagnostic::warning(
                    codes::W1010,
                    format!(
                        "the collection of {what} at site `{}` changed on {}, after its baseline window began ({from}): its baseline and later periods are measured differently",
                        site.id, e.date
                    ),
                )
                .label("collected differently from here")
                .help("a change against the baseline may then be an artefact of measurement (automated collection finds more than manual): start the window after the change (`baseline: {from: ..., to: ...}`), or read the changes of the metrics over it with this in mind");
                mine.push(at(d, e.at));
            }
        }
        if from.checked_add_months(Months::new(6)).is_some_and(|six| six > w.to + chrono::Days::new(1)) {
            let d = Diagnostic::warning(
                codes::W1007,
                format!("the baseline window of site `{}` ({from} to {}) is shorter than six months", site.id, w.to),
            )
            .label("a short baseline")
            .help("a few months carry their season and their accidents: a baseline of six to twelve months (`baseline: {months_before_rollout: 12}`), starting on or after `start`");
            mine.push(at(d, site.at));
        }
        for (source, c) in &site.coverage {
            if project.binding(source, site).is_none() {
                continue;
            }
            let starts_late = c.from.is_some_and(|f: NaiveDate| f > from);
            let ends_early = c.to.is_some_and(|t| t < w.to);
            if starts_late || ends_early {
                let covered = format!(
                    "{} to {}",
                    c.from.map_or("…".into(), |d| d.to_string()),
                    c.to.map_or("…".into(), |d| d.to_string())
                );
                let d = Diagnostic::warning(
                    codes::W1008,
                    format!(
                        "the baseline window of site `{}` ({from} to {}) reaches past its `{source}` data ({covered})",
                        site.id, w.to
                    ),
                )
                .label("baseline partly without data")
                .help("the baseline of the metrics over this source rests on part of the window only: move the window inside the coverage, or read those baselines as partial");
                mine.push(at(d, site.at));
            }
        }
        // What the site is exempt from (`allow:` under it), with its reason.
        let exempt = |d: &Diagnostic| site.allow.iter().any(|a| d.code == a.code.as_str());
        found.extend(mine.into_iter().filter(|d| !exempt(d)));
    }
    found
}
