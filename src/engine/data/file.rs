//! One export read whole, by its format: CSV (plain or in a dialect), Parquet (under
//! guard), NDJSON (refused when nested too deep); blank CSV rows dropped.

use super::*;

/// The file with every declared column as stored (typed where the file allows, else as
/// text), and where its rows are written.
/// With `project`, a CSV's columns outside `source` are not read (the caller passes a
/// schema of only the columns it needs).
pub(super) fn read_file(
    path: &Path,
    binding: &Binding,
    source: &Source,
    project: bool,
    report: &mut DataReport,
) -> Option<(DataFrame, Lines)> {
    let key = report.files.as_ref().map(|_| FileCache::key(path, binding, source));
    if let Some(hit) = report.files.as_ref().zip(key.as_ref()).and_then(|(files, key)| files.get(key)) {
        return Some(hit);
    }
    let read = read_file_anew(path, binding, source, project, report)?;
    crate::census::read(read.0.height());
    if let Some((files, key)) = report.files.as_ref().zip(key) {
        files.put(key, &read);
    }
    Some(read)
}

pub(super) fn read_file_anew(
    path: &Path,
    binding: &Binding,
    source: &Source,
    project: bool,
    report: &mut DataReport,
) -> Option<(DataFrame, Lines)> {
    let rows_from = |first| Lines { first, skipped: Vec::new(), comments: 0 };
    let pl_path = || PlRefPath::new(path.to_string_lossy().as_ref());
    let wanted = project.then(|| wanted(source, binding));
    let csv = |wanted: Option<&csv::Wanted>| match binding.dialect.is_plain_csv() {
        true => guard::guarded(|| csv::read_plain(path, source, wanted).map(|df| (df, rows_from(2)))),
        false => guard::guarded(|| csv::read_dialect(path, source, &binding.dialect, wanted)),
    };
    let read = match binding.format {
        // A row blank in the columns read may hold values in the others: such a file is
        // read whole, so that a blank row is one blank in every column.
        FileFormat::Csv => match csv(wanted.as_ref()) {
            Ok((frame, _)) if wanted.is_some() && blank(&frame).any() => csv(None),
            read => read,
        },
        FileFormat::Parquet => guard::parquet_in_child(path)
            .and_then(|()| guard::guarded(|| guard::decode_parquet(path)))
            .map(|df| (df, rows_from(0))),
        FileFormat::Ndjson => ndjson_flat(path).and_then(|()| {
            guard::guarded(|| {
                // Types from every row, not the first hundred: a column empty in the first
                // rows (a flag set only on later revisions) is not read as all empty.
                LazyJsonLineReader::new(pl_path())
                    .with_infer_schema_length(None)
                    .finish()
                    .and_then(LazyFrame::collect)
                    .map(|df| (df, rows_from(1)))
                    .map_err(ReadError::Decode)
            })
        }),
    };
    let read = match (read, binding.format) {
        (Ok((frame, lines)), FileFormat::Csv) => without_blank_rows(frame, lines).map_err(ReadError::Decode),
        (read, _) => read,
    };
    match read {
        Ok(read) => Some(read),
        Err(e) => {
            let not_text = e.is_encoding();
            let help = if let ReadError::Utf16 { label, .. } = &e {
                format!(
                    "save it from Excel as \"CSV UTF-8\", or say how it is written in its binding `{}` in yardstick.yaml: `csv: {{encoding: {label}, delimiter: \"\\t\"}}` (Unicode text is tab-separated)",
                    binding.at
                )
            } else if let ReadError::Utf8UnderSingleByte { .. } = &e {
                format!(
                    "the binding `{}` in yardstick.yaml says `encoding: {1}`: remove it (UTF-8 is the default), or export the file in {1}",
                    binding.at, binding.dialect.encoding
                )
            } else if let ReadError::TwiceInHeader(_) = &e {
                "remove or rename one of the two columns in the export".to_string()
            } else if not_text && binding.dialect.encoding == "UTF-8" {
                format!(
                    "name the export's encoding in its binding `{}` in yardstick.yaml: `csv: {{encoding: windows-1250}}` (or windows-1252, iso-8859-2, ...)",
                    binding.at
                )
            } else if not_text {
                format!(
                    "the binding `{}` reads it as {}: check which encoding the export is written in",
                    binding.at, binding.dialect.encoding
                )
            } else if e.is_ragged() {
                "every row has as many fields as the header: write a missing cell as nothing between two delimiters, and put a value that holds the delimiter in double quotes".into()
            } else {
                "check that the file is a well-formed CSV, Parquet or NDJSON export".into()
            };
            report.errors.push(
                Diagnostic::error(codes::E0704, format!("cannot read {}: {e}", path.display()))
                    .in_file(path)
                    .help(help),
            );
            None
        }
    }
}

/// The headers a read of `source`'s columns needs, as `binding` names them.
fn wanted(source: &Source, binding: &Binding) -> csv::Wanted {
    let mut wanted = csv::Wanted::default();
    for c in &source.columns {
        match binding.columns.get(&c.name) {
            Some(header) if header != &c.name => {
                wanted.needed.insert(header.clone());
                wanted.also.insert(c.name.clone());
            }
            _ => {
                wanted.needed.insert(c.name.clone());
            }
        }
    }
    wanted
}

/// Refuses an NDJSON file nested deeper than an export's records ever are.
pub(super) fn ndjson_flat(path: &Path) -> Result<(), ReadError> {
    let bytes = std::fs::read(path)?;
    match guard::ndjson_depth(&bytes) {
        Some(line) => Err(ReadError::TooDeep(line)),
        None => Ok(()),
    }
}

/// The rows whose every cell is empty.
fn blank(frame: &DataFrame) -> BooleanChunked {
    let mut blank = BooleanChunked::full("blank".into(), true, frame.height());
    for c in frame.columns() {
        blank = &blank & &c.is_null();
    }
    blank
}

/// A CSV's rows without its blank lines (every cell empty, as spreadsheets leave them),
/// which are not rows: their line numbers join the lines skipped.
pub(super) fn without_blank_rows(frame: DataFrame, lines: Lines) -> PolarsResult<(DataFrame, Lines)> {
    let blank = blank(&frame);
    if !blank.any() {
        return Ok((frame, lines));
    }
    let mut skipped = lines.skipped.clone();
    skipped.extend(blank.iter().enumerate().filter(|(_, b)| *b == Some(true)).map(|(row, _)| lines.of(row)));
    skipped.sort_unstable();
    Ok((frame.filter(&!&blank)?, Lines { skipped, ..lines }))
}
