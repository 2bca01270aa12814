//! Rendering diagnostics for people: rustc style with ariadne, once, at the edge.

use super::{Diagnostic, Severity, SourceFile, Sources, Span};
use ariadne::{Config, IndexType, Label, Report, ReportKind, Source};
use std::ops::Range;

/// Renders one diagnostic: a header with code and message, `file:line:column`, the source
/// line with the offending part underlined, and a help line.
pub fn render(d: &Diagnostic, sources: &Sources, color: bool) -> String {
    let kind = match d.severity {
        Severity::Error => ReportKind::Error,
        Severity::Warning => ReportKind::Warning,
        Severity::Note => ReportKind::Custom("Note", ariadne::Color::Fixed(115)),
    };
    let Some((file, range)) = d.span.and_then(|span| quoted(span, sources)) else {
        // The same header as ariadne's, for diagnostics about a whole file.
        let mut out = format!("[{}] {kind}: {}\n", d.code, d.message);
        let path = d.path.as_deref().or_else(|| d.span.map(|s| sources.path(s.file)));
        if let Some(path) = path {
            out.push_str(&format!("   ╭─[ {} ]\n", path.display()));
        }
        if let Some(help) = &d.help {
            out.push_str(&format!("   │ Help: {help}\n"));
        }
        return out;
    };
    if let Some(out) = long_line(d, file, &range, kind) {
        return out;
    }
    let name = file.path.display().to_string();
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
    let mut text = String::from_utf8_lossy(&out).into_owned();
    if !color {
        // ariadne colours a custom kind (our notes) whatever its config says.
        text = without_colour(&text);
    }
    // ariadne pads empty gutter lines; trailing spaces only make snapshots brittle.
    text.lines().map(str::trim_end).collect::<Vec<_>>().join("\n") + "\n"
}

/// The longest line quoted whole: a longer one (a 60 MB line of a broken export or YAML
/// file) is quoted as [`EXCERPT`] characters around the span.
pub const MAX_QUOTED_LINE: usize = 1_000;
pub const EXCERPT: usize = 120;

/// A diagnostic on a line too long to quote whole: its place, and an excerpt of the line
/// around the span, cut at character boundaries.
fn long_line(d: &Diagnostic, file: &SourceFile, range: &Range<usize>, kind: ReportKind) -> Option<String> {
    let text = file.text.as_str();
    let line_start = text[..range.start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[range.start..].find('\n').map_or(text.len(), |i| range.start + i);
    if line_end - line_start <= MAX_QUOTED_LINE {
        return None;
    }
    let line = text[..line_start].matches('\n').count() + 1;
    let column = text[line_start..range.start].chars().count() + 1;
    let floor = |mut i: usize| {
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let from = floor(range.start.saturating_sub(EXCERPT / 2).max(line_start));
    let to = floor((from + EXCERPT).min(line_end));
    let cut = |at: bool| if at { "…" } else { "" };
    let mut out = format!("[{}] {kind}: {}\n", d.code, d.message);
    out.push_str(&format!("   ╭─[ {}:{line}:{column} ]\n", file.path.display()));
    out.push_str(&format!(
        "   │ {}{}{} (a line of {} bytes, cut)\n",
        cut(from > line_start),
        &text[from..to],
        cut(to < line_end),
        line_end - line_start
    ));
    if let Some(label) = &d.label {
        out.push_str(&format!("   │ {label}\n"));
    }
    if let Some(help) = &d.help {
        out.push_str(&format!("   │ Help: {help}\n"));
    }
    Some(out)
}

/// `text` without its ANSI colour sequences (`ESC [ ... m`).
fn without_colour(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('\x1b') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        rest = rest.find('m').map_or("", |end| &rest[end + 1..]);
    }
    out.push_str(rest);
    out
}

/// The file and the byte range to underline: at least one character, within the text and
/// on character boundaries, which ariadne needs to not panic. `None` for an empty file,
/// which has nothing to quote.
fn quoted(span: Span, sources: &Sources) -> Option<(&SourceFile, Range<usize>)> {
    let file = sources.get(span.file);
    let text = file.text.as_str();
    let last = text.char_indices().next_back()?.0;
    let mut start = (span.start as usize).min(last);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let first_char = text[start..].chars().next().map_or(1, char::len_utf8);
    let mut end = (span.end as usize).clamp(start + first_char, text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    Some((file, start..end))
}

/// Whether notes are shown one by one (`--verbose`) rather than counted in one line.
static VERBOSE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Shows every note one by one from now on (the command line's `--verbose`).
pub fn show_every_note() {
    VERBOSE.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// Renders every diagnostic, errors and warnings in the order found; notes (nothing to
/// fix) are counted in one line at the end, by code, unless [`show_every_note`] was
/// called.
pub fn render_all<'a>(diagnostics: impl IntoIterator<Item = &'a Diagnostic>, sources: &Sources, color: bool) -> String {
    let verbose = VERBOSE.load(std::sync::atomic::Ordering::Relaxed);
    let (notes, shown): (Vec<&Diagnostic>, Vec<&Diagnostic>) =
        diagnostics.into_iter().partition(|d| d.severity == Severity::Note && !verbose);
    let mut out = shown.into_iter().map(|d| render(d, sources, color)).collect::<Vec<_>>().join("\n");
    if !notes.is_empty() {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&folded(&notes));
    }
    out
}

/// The one line that counts `notes` by code.
fn folded(notes: &[&Diagnostic]) -> String {
    let by_code = super::count_by_code(notes.iter().copied());
    let counted: Vec<String> = by_code.iter().map(|(code, n)| format!("{code} ×{n}")).collect();
    let first = by_code[0].0;
    let s = if notes.len() == 1 { "" } else { "s" };
    format!(
        "note: {} note{s}, nothing to fix ({}); `--verbose` shows each, `yardstick explain {first}` says what it means\n",
        notes.len(),
        counted.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::codes;

    fn rendered(text: &str, start: usize, end: usize) -> String {
        let mut sources = Sources::default();
        let file = sources.add("m.yaml", text.to_string());
        render(&Diagnostic::error(codes::E0101, "bad").at(Span::new(file, start, end)), &sources, false)
    }

    #[test]
    fn an_empty_file_is_named_not_quoted() {
        assert_eq!(rendered("", 0, 1), "[E0101] Error: bad\n   ╭─[ m.yaml ]\n");
    }

    #[test]
    fn a_line_of_sixty_megabytes_is_quoted_as_an_excerpt() {
        let mut text = "a: 1\nb: ".to_string();
        text.push_str(&"x".repeat(60 << 20));
        text.push_str("é\n");
        let out = rendered(&text, 9 + (30 << 20), 9 + (30 << 20) + 1);
        assert!(out.len() < 600, "{} bytes", out.len());
        assert!(out.contains(&format!("m.yaml:2:{}", (30 << 20) + 5)), "{out}");
        assert!(out.contains("(a line of 62914565 bytes, cut)"), "{out}");
    }

    #[test]
    fn a_span_past_the_end_or_inside_a_character_underlines_a_whole_character() {
        assert!(rendered("# only a comment\n", 18, 19).contains("m.yaml:1:17"));
        assert!(rendered("a: é\n", 4, 4).contains("m.yaml:1:4"));
        assert!(rendered("a: é\n", 3, 5).contains("m.yaml:1:4"));
        assert!(rendered("a: é", 5, 9).contains("m.yaml:1:4"));
    }
}
