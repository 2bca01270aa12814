//! `yardstick check`

use crate::change::VersionsError;
use crate::diag::{Sources, render_all};
use std::path::Path;
use std::process::ExitCode;

pub fn run(project: &Path, data: bool, base: Option<&str>, color: bool) -> ExitCode {
    if data && !project.join("yardstick.yaml").is_file() && project.join("set.yaml").is_file() {
        eprintln!(
            "error: --data needs a project (yardstick.yaml) with data bindings; {} is a definition set",
            project.display()
        );
        return ExitCode::from(2);
    }
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
    let written = super::emit(&format!("{}\n", summary(&checked)));
    if let Some(rev) = base.filter(|_| written == ExitCode::SUCCESS) {
        let code = check_base(&checked, project, rev, &mut sources, color);
        if code != ExitCode::SUCCESS {
            return code;
        }
    }
    if data && written == ExitCode::SUCCESS {
        return check_data(&checked, &sources, color);
    }
    written
}

/// `check --base REV`: the definitions at REV against these, their versions judged.
fn check_base(head: &crate::check::Checked, project: &Path, rev: &str, sources: &mut Sources, color: bool) -> ExitCode {
    let found = match crate::change::versions_since(head, project, rev, sources) {
        Ok(found) => found,
        Err(VersionsError::Revision(e)) => {
            eprintln!("error: {e}");
            return ExitCode::from(if e.is_unknown_revision() { 2 } else { 1 });
        }
        Err(e) => {
            if let VersionsError::DoesNotCheck { diagnostics, sources, .. } = &e {
                eprint!("{}", render_all(diagnostics.iter(), sources, color));
            }
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    let n = found.iter().filter(|d| d.is_error()).count();
    if n > 0 {
        eprint!("{}", render_all(found.iter(), sources, color));
        eprintln!("\nyardstick: {n} error{} in what changed since {rev}", if n == 1 { "" } else { "s" });
        return ExitCode::from(1);
    }
    if let Some(new) = found.iter().find(|d| d.code == crate::diag::codes::N0901) {
        // The definitions are new since REV: said in the ok line, not as a folded note.
        return super::emit(&format!("ok: {}; nothing needs a version [{}]\n", new.message, new.code.as_str()));
    }
    super::emit(&format!("ok: every change since {rev} has the versions it needs\n"))
}

/// `check --data`: read every bound file at every site.
fn check_data(checked: &crate::check::Checked, sources: &Sources, color: bool) -> ExitCode {
    let Some(project) = &checked.project else {
        eprintln!("error: --data needs a project (yardstick.yaml) with data bindings");
        return ExitCode::from(2);
    };
    // The data rules judge the rows known by the last day ended at every site (docs/semantics.md).
    let as_of = match super::as_of(None, Some(checked), color) {
        Ok(day) => day,
        Err(code) => return code,
    };
    let found = crate::publish::check_data(checked, project, as_of);
    if !found.warnings.is_empty() {
        eprint!("{}", render_all(found.warnings.iter(), sources, color));
    }
    if !found.errors.is_empty() {
        eprint!("{}", render_all(found.errors.iter(), sources, color));
        let n = found.errors.len();
        eprintln!("\nyardstick: {n} data error{} found", if n == 1 { "" } else { "s" });
        return ExitCode::from(1);
    }
    if !found.failed.is_empty() {
        eprint!("{}", render_all(found.failed.iter(), sources, color));
        return ExitCode::from(1);
    }
    // Baselines too thin to compare against, on the data just read.
    if !found.thin.is_empty() {
        eprint!("{}", render_all(found.thin.iter(), sources, color));
    }
    let (total, files) = (found.rows, found.files);
    let codes = match found.excluded {
        0 => "every code mapped".to_string(),
        n => format!("{n} row{} left out for codes not mapped (W0701 above)", if n == 1 { "" } else { "s" }),
    };
    // A row whose first cell starts with the comment character is skipped too: said.
    let comments = match found.comments {
        0 => String::new(),
        n => format!(" ({n} comment line{} skipped)", if n == 1 { "" } else { "s" }),
    };
    super::emit(&format!("ok: data: {total} rows in {files} files read{comments}, every value parsed, {codes}\n"))
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
        Some(p) => {
            let sites = if p.sites.len() == 1 { "1 site".to_string() } else { format!("{} sites", p.sites.len()) };
            format!("ok: project {}: {counts}, {sites} ({})", p.name, set.describe())
        }
        None => format!("ok: definition set {} {}: {counts}", set.name, set.version),
    }
}
