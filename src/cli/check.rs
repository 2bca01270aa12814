//! `yardstick check`

use crate::diag::{Sources, render_all};
use std::path::Path;
use std::process::ExitCode;

pub fn run(project: &Path, color: bool) -> ExitCode {
    let mut sources = Sources::default();
    let (checked, diags) = crate::compile(project, &mut sources);
    if !diags.is_empty() {
        eprint!("{}", render_all(diags.iter(), &sources, color));
    }
    let Some(checked) = checked else {
        let n = diags.error_count();
        eprintln!(
            "\nyardstick: {n} error{} found; fix them and run `yardstick check` again",
            if n == 1 { "" } else { "s" }
        );
        return ExitCode::from(1);
    };
    println!("{}", summary(&checked));
    ExitCode::SUCCESS
}

/// The one line printed when everything checks.
pub fn summary(c: &crate::check::Checked) -> String {
    let set = &c.set;
    let counts = format!(
        "{} metrics, {} vocabularies, {} sources",
        set.metrics.len(),
        set.vocabularies.len(),
        set.sources.len()
    );
    match &c.project {
        Some(p) => format!(
            "ok: project {}: {counts}, {} sites (definition set {} {})",
            p.name,
            p.sites.len(),
            set.name,
            set.version
        ),
        None => format!("ok: definition set {} {}: {counts}", set.name, set.version),
    }
}
