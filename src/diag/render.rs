//! Rendering diagnostics for people: rustc style with ariadne, once, at the edge.

use super::{Diagnostic, Severity, Sources};
use ariadne::{Config, IndexType, Label, Report, ReportKind, Source};

/// Renders one diagnostic: a header with code and message, `file:line:column`, the source
/// line with the offending part underlined, and a help line.
pub fn render(d: &Diagnostic, sources: &Sources, color: bool) -> String {
    let kind = match d.severity {
        Severity::Error => ReportKind::Error,
        Severity::Warning => ReportKind::Warning,
    };
    let Some(span) = d.span else {
        // The same header as ariadne's, for diagnostics about a whole file.
        let mut out = format!("[{}] {kind}: {}\n", d.code, d.message);
        if let Some(path) = &d.path {
            out.push_str(&format!("   ╭─[ {} ]\n", path.display()));
        }
        if let Some(help) = &d.help {
            out.push_str(&format!("   │ Help: {help}\n"));
        }
        return out;
    };
    let file = sources.get(span.file);
    let name = file.path.display().to_string();
    let range = span.start as usize..(span.end as usize).max(span.start as usize + 1);
    let mut label = Label::new((name.clone(), range.clone()));
    if let Some(text) = &d.label {
        label = label.with_message(text);
    }
    let mut report = Report::build(kind, (name.clone(), range))
        .with_config(Config::default().with_color(color).with_index_type(IndexType::Byte))
        .with_code(d.code)
        .with_message(&d.message)
        .with_label(label);
    if let Some(help) = &d.help {
        report = report.with_help(help);
    }
    let mut out = Vec::new();
    report.finish().write((name, Source::from(file.text.as_str())), &mut out).expect("writing to a Vec cannot fail");
    let text = String::from_utf8_lossy(&out).into_owned();
    // ariadne pads empty gutter lines; trailing spaces only make snapshots brittle.
    text.lines().map(str::trim_end).collect::<Vec<_>>().join("\n") + "\n"
}

/// Renders every diagnostic, errors and warnings in the order found.
pub fn render_all<'a>(diagnostics: impl IntoIterator<Item = &'a Diagnostic>, sources: &Sources, color: bool) -> String {
    diagnostics.into_iter().map(|d| render(d, sources, color)).collect::<Vec<_>>().join("\n")
}
