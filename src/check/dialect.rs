//! A binding (docs/project.md): where a source's export lives and how it is written (a
//! CSV's delimiter, decimal mark, encoding, spellings; the date patterns of text cells).
//! A site's own binding is laid over the project's: each key it gives wins, inside `csv:`
//! too, so a plant whose export differs only in its delimiter says just that.

use super::Cx;
use super::set::COLLECTIONS;
use crate::diag::{Diagnostic, FileId, Span, codes, did_you_mean};
use crate::ir::{Binding, Dialect, Empty, FileFormat, Source};
use crate::load::{BindingDoc, CsvDoc, Spanned};
use chrono::format::{Item, StrftimeItems};
use chrono::{DateTime, NaiveDate, NaiveDateTime};
use std::collections::BTreeMap;
use std::fmt::Write;

/// Encoding labels offered when one is not recognised; any WHATWG label is accepted.
const ENCODINGS: &[&str] = &[
    "utf-8",
    "windows-1250",
    "windows-1251",
    "windows-1252",
    "windows-1257",
    "iso-8859-2",
    "iso-8859-5",
    "iso-8859-7",
    "iso-8859-15",
    "latin1",
    "latin2",
    "utf-16le",
    "utf-16be",
];

/// The binding of `source` made of `layers`, the most specific first (a site's own, then
/// the project's); `None` when something in it cannot be used (reported).
pub(super) fn binding(
    cx: &mut Cx,
    file: FileId,
    schema: &Source,
    at: String,
    layers: &[&BindingDoc],
    whole: Span,
) -> Option<Binding> {
    let source = schema.name.as_str();
    let Some((at_file, path)) = layers.iter().enumerate().find_map(|(i, b)| Some((i, b.file.as_ref()?))) else {
        cx.error(
            Diagnostic::error(codes::E0620, format!("the binding of `{source}` names no file"))
                .at(whole)
                .label("no `file:` here")
                .help(format!(
                    "give the export's path, relative to the project folder: {source}: {{file: \"data/{{site}}/{source}.csv\"}}"
                )),
        );
        return None;
    };
    let format = file_format(cx, file, path)?;
    let collection =
        layers.iter().find_map(|b| b.collection.as_ref()).and_then(|c| cx.choice(file, c, "collection", COLLECTIONS));
    // A site whose export is not a CSV does not inherit the project's CSV options; its
    // own are a mistake.
    let csv_layers = if format == FileFormat::Csv { layers } else { &layers[..=at_file] };
    let csv_docs: Vec<&Spanned<CsvDoc>> = csv_layers.iter().filter_map(|b| b.csv.as_ref()).collect();
    if let (Some(csv), false) = (csv_docs.first(), format == FileFormat::Csv) {
        cx.error(
            Diagnostic::error(codes::E0620, format!("`csv:` options for `{}`, which is not a CSV file", path.value))
                .at(cx.span(file, csv))
                .label("only CSV files have a dialect")
                .help("remove `csv:`; `date_format` and `datetime_format` apply to text cells of any format"),
        );
        return None;
    }
    let csv: Vec<&CsvDoc> = csv_docs.iter().map(|c| &c.value).collect();
    let mut dialect = csv_dialect(cx, file, &csv)?;
    dialect.date_format = match layers.iter().find_map(|b| b.date_format.as_ref()) {
        Some(p) => Some(date_pattern(cx, file, p, false)?),
        None => None,
    };
    dialect.datetime_format = match layers.iter().find_map(|b| b.datetime_format.as_ref()) {
        Some(p) => Some(date_pattern(cx, file, p, true)?),
        None => None,
    };
    let empty = layers.iter().find_map(|b| b.empty.as_ref()).map_or(Some(Empty::NoData), |e| {
        cx.choice(
            file,
            e,
            "`empty` (what an export without rows means)",
            &[("no_data", Empty::NoData), ("none_to_report", Empty::NoneToReport)],
        )
    })?;
    let columns = renamed_columns(cx, file, source, schema, layers)?;
    Some(Binding {
        source: source.to_string(),
        file: path.value.clone(),
        format,
        collection,
        dialect,
        columns,
        empty,
        at,
    })
}

/// The export's own names of the source's columns (`columns: {detected_at: Erkannt_am}`),
/// a site's own over the project's, each naming a column of the schema and no two the
/// same header.
fn renamed_columns(
    cx: &mut Cx,
    file: FileId,
    source: &str,
    schema: &Source,
    layers: &[&BindingDoc],
) -> Option<BTreeMap<String, String>> {
    let mut columns: BTreeMap<String, String> = BTreeMap::new();
    let mut ok = true;
    // The project's first, then the site's over them.
    for layer in layers.iter().rev() {
        let Some(renames) = &layer.columns else { continue };
        for (column, header) in renames.value.iter() {
            if schema.column(&column.value).is_none() {
                let known: Vec<&str> = schema.columns.iter().map(|c| c.name.as_str()).collect();
                let help = did_you_mean(&column.value, known.iter().copied())
                    .unwrap_or_else(|| format!("the columns of `{source}`: {}", known.join(", ")));
                cx.error(
                    Diagnostic::error(
                        codes::E0620,
                        format!("`columns:` renames `{}`, which is no column of `{source}`", column.value),
                    )
                    .at(cx.span(file, column))
                    .label("not a column of the source")
                    .help(format!("{help}; write `SCHEMA_COLUMN: EXPORT_HEADER`")),
                );
                ok = false;
                continue;
            }
            columns.insert(column.value.clone(), header.value.clone());
        }
    }
    // Both checks below point at the `columns:` that renames: the site's, else the project's.
    let at = layers.iter().find_map(|b| b.columns.as_ref()).map(|c| cx.span(file, c));
    let mut refuse = |error: Diagnostic, label: &str| {
        cx.error(match at {
            Some(at) => error.at(at).label(label),
            None => error,
        });
        ok = false;
    };
    for (column, header) in &columns {
        if header != column && schema.column(header).is_some() && !columns.contains_key(header) {
            let error = Diagnostic::error(
                codes::E0620,
                format!("`columns:` reads `{column}` of `{source}` from the header `{header}`, which is a column of `{source}` itself"),
            )
            .help(format!("name the export's own header of `{column}`; `{header}` is read as `{header}`"));
            refuse(error, "another column's name");
        }
    }
    let mut headers: BTreeMap<&str, &str> = BTreeMap::new();
    for (column, header) in &columns {
        if let Some(other) = headers.insert(header, column) {
            let error = Diagnostic::error(
                codes::E0620,
                format!("`columns:` reads both `{other}` and `{column}` of `{source}` from the header `{header}`"),
            )
            .help("each column of the source comes from a header of its own");
            refuse(error, "one header for two columns");
        }
    }
    ok.then_some(columns)
}

fn file_format(cx: &mut Cx, file: FileId, path: &Spanned<String>) -> Option<FileFormat> {
    match path.value.rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase()) {
        Some(ext) if ext == "csv" => Some(FileFormat::Csv),
        Some(ext) if ext == "parquet" => Some(FileFormat::Parquet),
        Some(ext) if ext == "ndjson" || ext == "jsonl" => Some(FileFormat::Ndjson),
        _ => {
            cx.error(
                Diagnostic::error(codes::E0609, format!("cannot tell the format of `{}`", path.value))
                    .at(cx.span(file, path))
                    .label("unknown file extension")
                    .help("data files end in .csv, .parquet, .ndjson or .jsonl"),
            );
            None
        }
    }
}

/// The CSV options of `layers` (most specific first) over the defaults; `None` when one
/// is out of range (every bad one reported).
fn csv_dialect(cx: &mut Cx, file: FileId, layers: &[&CsvDoc]) -> Option<Dialect> {
    let mut d = Dialect::default();
    // Both, so that every mistake is reported.
    let ok = characters(cx, file, layers, &mut d) & spellings(cx, file, layers, &mut d);
    ok.then_some(d)
}

/// The value of the first of `layers` that gives `$field`.
macro_rules! first {
    ($layers:ident . $field:ident) => {
        $layers.iter().find_map(|c| c.$field.as_ref())
    };
}

/// Reports a CSV option out of range.
fn bad(cx: &mut Cx, at: Span, message: String, label: &str, help: &str) {
    cx.error(Diagnostic::error(codes::E0620, message).at(at).label(label.to_string()).help(help.to_string()));
}

/// Delimiter, decimal mark, encoding and comment character; false when one is bad.
fn characters(cx: &mut Cx, file: FileId, layers: &[&CsvDoc], d: &mut Dialect) -> bool {
    let mut ok = true;
    let mut bad = |cx: &mut Cx, at: Span, message: String, label: &str, help: &str| {
        bad(cx, at, message, label, help);
        ok = false;
    };
    if let Some(v) = first!(layers.delimiter) {
        let at = cx.span(file, v);
        match one_character(&v.value) {
            Some(c) => d.delimiter = c,
            None => bad(
                cx,
                at,
                format!("`{}` is not a delimiter", v.value.escape_debug()),
                "expected one character",
                "a delimiter is one character other than a quote or a line break: \",\", \";\", \"|\" or \"\\t\" (a tab)",
            ),
        }
    }
    if let Some(v) = first!(layers.decimal) {
        let at = cx.span(file, v);
        match v.value.as_str() {
            "." => d.decimal_comma = false,
            "," if d.delimiter == b',' => bad(
                cx,
                at,
                "a decimal comma in a comma-separated file".into(),
                "the delimiter is `,` too",
                "exports with decimal commas separate cells with another character: add `delimiter: \";\"`",
            ),
            "," => d.decimal_comma = true,
            other => bad(
                cx,
                at,
                format!("`{other}` is not a decimal mark"),
                "expected \".\" or \",\"",
                "write `decimal: \",\"` for numbers such as 12,5",
            ),
        }
    }
    if let Some(v) = first!(layers.encoding) {
        let at = cx.span(file, v);
        match encoding_rs::Encoding::for_label(v.value.trim().as_bytes()) {
            Some(e) if e != encoding_rs::REPLACEMENT => d.encoding = e.name().to_string(),
            _ => {
                let help = did_you_mean(&v.value.to_lowercase(), ENCODINGS.iter().copied())
                    .unwrap_or_else(|| format!("write an encoding label such as {}", ENCODINGS[..6].join(", ")));
                bad(cx, at, format!("`{}` is not an encoding", v.value), "unknown encoding", &help);
            }
        }
    }
    if let Some(v) = first!(layers.comment) {
        let at = cx.span(file, v);
        match one_character(&v.value) {
            Some(c) if c != d.delimiter => d.comment = Some(c),
            _ => bad(
                cx,
                at,
                format!("`{}` cannot start a comment line", v.value.escape_debug()),
                "expected one character, not the delimiter",
                "lines starting with this character are skipped; write `comment: \"#\"`",
            ),
        }
    }
    ok
}

/// The spellings of true, false and an empty cell; false when they are ambiguous.
fn spellings(cx: &mut Cx, file: FileId, layers: &[&CsvDoc], d: &mut Dialect) -> bool {
    let mut ok = true;
    let mut bad = |cx: &mut Cx, at: Span, message: String, label: &str, help: &str| {
        bad(cx, at, message, label, help);
        ok = false;
    };
    let spellings =
        |v: Option<&Spanned<Vec<String>>>| v.map(|s| s.value.iter().map(|x| x.trim().to_string()).collect());
    let (t, f) = (first!(layers.true_values), first!(layers.false_values));
    d.true_values = spellings(t).unwrap_or_else(|| d.true_values.clone());
    d.false_values = spellings(f).unwrap_or_else(|| d.false_values.clone());
    d.null_values = spellings(first!(layers.null_values)).unwrap_or_default();
    d.null_values.retain(|n| !n.is_empty());
    let both = d.true_values.iter().find(|s| d.false_values.iter().any(|x| x.eq_ignore_ascii_case(s))).cloned();
    if let (Some(both), Some(list)) = (both, t.or(f)) {
        let (at, message) = (cx.span(file, list), format!("`{both}` is spelt as both true and false"));
        bad(cx, at, message, "ambiguous", "list each spelling under one of `\"true\"` and `\"false\"`");
    }
    for (list, what) in [(t, "true"), (f, "false")] {
        if let Some(list) = list.filter(|l| l.value.iter().all(|s| s.trim().is_empty())) {
            let (at, message) = (cx.span(file, list), format!("no spelling of {what}"));
            bad(cx, at, message, "empty list", "list how the export writes it, such as [tak, t]");
        }
    }
    ok
}

/// The byte of a one-character option: ASCII, and neither a quote nor a line break.
fn one_character(v: &str) -> Option<u8> {
    match v.as_bytes() {
        [c] if c.is_ascii() && !matches!(c, b'"' | b'\n' | b'\r') => Some(*c),
        _ => None,
    }
}

/// A chrono pattern for dates or datetimes, accepted when it reads back what it writes:
/// a pattern that leaves out the year, or the time of a datetime, cannot.
fn date_pattern(cx: &mut Cx, file: FileId, p: &Spanned<String>, datetime: bool) -> Option<String> {
    let pattern = p.value.as_str();
    let valid = !StrftimeItems::new(pattern).any(|i| matches!(i, Item::Error));
    let sample = NaiveDate::from_ymd_opt(2024, 3, 17).and_then(|d| d.and_hms_opt(13, 45, 0)).expect("a valid day");
    let reads_back = valid
        && match datetime {
            true if has_offset(pattern) => {
                let t = sample.and_utc().fixed_offset();
                render(t.format(pattern)).is_some_and(|s| DateTime::parse_from_str(&s, pattern).ok() == Some(t))
            }
            true => render(sample.format(pattern))
                .is_some_and(|s| NaiveDateTime::parse_from_str(&s, pattern).ok() == Some(sample)),
            false => render(sample.date().format(pattern))
                .is_some_and(|s| NaiveDate::parse_from_str(&s, pattern).ok() == Some(sample.date())),
        };
    if reads_back {
        return Some(pattern.to_string());
    }
    let (what, example) = if datetime {
        ("datetimes", "`%d.%m.%Y %H:%M` (17.03.2024 13:45)")
    } else {
        ("dates", "`%d.%m.%Y` (17.03.2024)")
    };
    cx.error(
        Diagnostic::error(codes::E0620, format!("`{pattern}` cannot read {what}"))
            .at(cx.span(file, p))
            .label(match (valid, datetime) {
                (false, _) => "not a chrono pattern",
                (true, false) => "does not give a whole date",
                (true, true) => "does not give a whole date and time",
            })
            .help(format!(
                "write a chrono (strftime) pattern with day, month and year{}, such as {example}",
                if datetime { ", hour and minute" } else { "" }
            )),
    );
    None
}

/// Whether a datetime pattern reads a UTC offset, so its values are instants.
pub fn has_offset(pattern: &str) -> bool {
    // `%s` counts seconds since the epoch: an instant too.
    ["%z", "%:z", "%::z", "%#z", "%s"].iter().any(|z| pattern.contains(z))
}

/// A value formatted by a pattern, or `None` where the pattern asks for what it lacks
/// (chrono's `to_string` would panic).
fn render(f: impl std::fmt::Display) -> Option<String> {
    let mut s = String::new();
    write!(s, "{f}").ok()?;
    Some(s)
}
