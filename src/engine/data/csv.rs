//! Reading a CSV export in its binding's dialect (docs/project.md): decoded from its
//! encoding, comment lines left out (their line numbers kept for diagnostics), cells split
//! at its delimiter. Values are left as text: decimal commas, boolean spellings and date
//! patterns are the value parser's.

use super::error::ReadError;
use crate::ir::{ColumnType, Dialect, Source};
use polars::prelude::*;
use std::collections::BTreeSet;
use std::io::Cursor;
use std::path::Path;

/// Where a file's rows are written: the line of its first row (0 for a file without
/// lines, Parquet), and the comment lines skipped among the rows (ascending).
#[derive(Clone, Debug, Default)]
pub struct Lines {
    pub first: usize,
    pub skipped: Vec<usize>,
    /// How many of the skipped lines were comment lines (the rest were blank).
    pub comments: usize,
}

impl Lines {
    /// Row `row` (from 0) as a diagnostic names it: `row 3 (line 4)`, or `row 3` in a
    /// file without lines.
    pub fn row(&self, row: usize) -> String {
        match self.first {
            0 => format!("row {}", row + 1),
            _ => format!("row {} (line {})", row + 1, self.of(row)),
        }
    }

    /// The line (from 1) of row `row` (from 0).
    pub fn of(&self, row: usize) -> usize {
        let mut line = row + self.first;
        for &s in &self.skipped {
            if s > line {
                break;
            }
            line += 1;
        }
        line
    }
}

/// A plain export (UTF-8, commas) read once: numbers and booleans typed by Polars as the
/// schema wants them, or, when that fails on a value, every column as text so that our
/// parser can name the row; what is wrong, and where, when it cannot be read.
/// With `wanted`, only the header's columns named in it are read.
pub fn read_plain(path: &Path, source: &Source, wanted: Option<&Wanted>) -> Result<DataFrame, ReadError> {
    let bytes = std::fs::read(path)?;
    utf16_under(&bytes, encoding_rs::UTF_8)?;
    ragged(&bytes, b',', None)?;
    twice_in_header(&bytes, b',')?;
    let only = wanted.and_then(|w| projection(&bytes, b',', w));
    let read = |typed| {
        options(source, typed, &Dialect::default(), only.clone())
            .into_reader_with_file_handle(Cursor::new(&bytes))
            .finish()
    };
    read(true)
        .or_else(|_| read(false))
        .map_err(|e| not_utf8(&bytes).map_or(ReadError::Decode(e), ReadError::NotUtf8Line))
}

/// Why the rows do not all have the header's number of fields, if they do not: the first
/// line that has fewer (a row cut short, whose missing cells would read as empty) or more
/// (a field holding the delimiter without quotes). Blank lines and, after the header,
/// comment lines are not rows.
pub fn ragged(text: &[u8], delimiter: u8, comment: Option<u8>) -> Result<(), ReadError> {
    let (mut line, mut start_line, mut fields, mut len, mut quoted) = (1usize, 1usize, 1usize, 0usize, false);
    let (mut header, mut first) = (None, 0u8);
    let mut end_record = |start_line: usize, fields: usize, len: usize, first: u8| -> Result<(), ReadError> {
        if len == 0 || (header.is_some() && Some(first) == comment) {
            return Ok(());
        }
        let Some(expected) = header else {
            header = Some(fields);
            return Ok(());
        };
        let line = start_line;
        match fields.cmp(&expected) {
            std::cmp::Ordering::Equal => Ok(()),
            std::cmp::Ordering::Less => Err(ReadError::CutShort { line, fields, expected }),
            std::cmp::Ordering::Greater => {
                Err(ReadError::TooManyFields { line, fields, expected, delimiter: char::from(delimiter) })
            }
        }
    };
    for &b in text {
        match (quoted, b) {
            (true, b'"') => quoted = false,
            (true, b'\n') => line += 1,
            (true, _) => {}
            (false, b'"') => {
                quoted = true;
                len += 1;
            }
            (false, b'\n') => {
                end_record(start_line, fields, len, first)?;
                line += 1;
                (start_line, fields, len) = (line, 1, 0);
            }
            (false, b) if b == delimiter => {
                fields += 1;
                len += 1;
            }
            // Blanks around cells: a line of spaces is as blank as an empty one.
            (false, b'\r' | b' ' | b'\t') => {}
            (false, b) => {
                if len == 0 {
                    first = b;
                }
                len += 1;
            }
        }
    }
    end_record(start_line, fields, len, first)
}

/// Refuses a header that names a column twice: one of the two would be read and the other
/// ignored, without a word.
pub fn twice_in_header(text: &[u8], delimiter: u8) -> Result<(), ReadError> {
    let names: Vec<String> = header_names(text, delimiter).iter().map(|n| n.trim().to_string()).collect();
    for (i, n) in names.iter().enumerate() {
        if !n.is_empty() && names[..i].contains(n) {
            return Err(ReadError::TwiceInHeader(n.clone()));
        }
    }
    Ok(())
}

/// The header's columns to read when only some are wanted, in the header's order; `None`
/// to read them all: every one is wanted, a header wanted is missing or the header reads
/// as one column (what is wrong is then named from the whole header, with its close
/// names), or the file starts with a byte-order mark.
fn projection(text: &[u8], delimiter: u8, wanted: &Wanted) -> Option<Arc<[PlSmallStr]>> {
    if text.starts_with(b"\xEF\xBB\xBF") {
        return None;
    }
    let names = header_names(text, delimiter);
    if names.len() < 2 || !wanted.needed.iter().all(|w| names.contains(w)) {
        return None;
    }
    let keep = |n: &&String| wanted.needed.contains(*n) || wanted.also.contains(*n);
    let kept: Vec<PlSmallStr> = names.iter().filter(keep).map(|n| n.as_str().into()).collect();
    (kept.len() < names.len()).then(|| kept.into())
}

/// The headers a read needs (each column's, as the binding names it) and those it also
/// reads if present (a column's own name where the binding renames it: both present is an
/// error).
#[derive(Debug, Default)]
pub struct Wanted {
    pub needed: BTreeSet<String>,
    pub also: BTreeSet<String>,
}

/// The names in the header line as written (unquoted), a UTF-8 byte-order mark left out.
fn header_names(text: &[u8], delimiter: u8) -> Vec<String> {
    let text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text);
    let (mut names, mut name, mut quoted) = (Vec::new(), Vec::new(), false);
    for &b in text {
        match (quoted, b) {
            (_, b'"') => quoted = !quoted,
            (false, b'\n') => break,
            (false, b) if b == delimiter => names.push(std::mem::take(&mut name)),
            (_, b) => name.push(b),
        }
    }
    names.push(name);
    names.iter().map(|n| String::from_utf8_lossy(n).trim_end_matches('\r').to_string()).collect()
}

/// The file in `dialect`, every column as text, with where its rows are.
/// With `wanted`, only the header's columns named in it are read.
pub fn read_dialect(
    path: &Path,
    source: &Source,
    dialect: &Dialect,
    wanted: Option<&Wanted>,
) -> Result<(DataFrame, Lines), ReadError> {
    let bytes = std::fs::read(path)?;
    let text = decode(&bytes, dialect)?;
    ragged(text.as_bytes(), dialect.delimiter, dialect.comment)?;
    twice_in_header(text.as_bytes(), dialect.delimiter)?;
    let only = wanted.and_then(|w| projection(text.as_bytes(), dialect.delimiter, w));
    let (text, skipped) = match dialect.comment {
        Some(c) => without_comments(&text, c),
        None => (text, Vec::new()),
    };
    let frame =
        options(source, false, dialect, only).into_reader_with_file_handle(Cursor::new(text.into_bytes())).finish()?;
    let comments = skipped.len();
    Ok((frame, Lines { first: 2, skipped, comments }))
}

fn options(source: &Source, typed: bool, dialect: &Dialect, only: Option<Arc<[PlSmallStr]>>) -> CsvReadOptions {
    // The source schema, not inference, decides the types.
    let schema: Schema = source
        .columns
        .iter()
        .map(|c| {
            let dtype = match (&c.ty, typed) {
                (ColumnType::Int, true) => DataType::Int64,
                (ColumnType::Float, true) => DataType::Float64,
                (ColumnType::Bool, true) => DataType::Boolean,
                _ => DataType::String,
            };
            Field::new(c.name.as_str().into(), dtype)
        })
        .collect();
    CsvReadOptions::default()
        .with_has_header(true)
        .with_rechunk(true)
        .with_infer_schema_length(Some(0))
        .with_schema_overwrite(Some(Arc::new(schema)))
        .with_columns(only)
        .map_parse_options(|p| p.with_separator(dialect.delimiter))
}

/// The text of `bytes` in the dialect's encoding, a UTF-8 byte-order mark dropped under
/// every encoding (and a UTF-16 one under UTF-16); what is wrong, and where, when they are
/// not text in it, or plainly text in another encoding: UTF-16 (Excel's "Unicode text")
/// under any other, or UTF-8 with letters beyond ASCII under a single-byte encoding, which
/// would read without an error as other letters (`Störung` as `StÃ¶rung`).
fn decode(bytes: &[u8], dialect: &Dialect) -> Result<String, ReadError> {
    let encoding = encoding_rs::Encoding::for_label(dialect.encoding.as_bytes()).unwrap_or(encoding_rs::UTF_8);
    let bytes = match encoding_rs::Encoding::for_bom(bytes) {
        Some((marked, len)) if marked == encoding || marked == encoding_rs::UTF_8 => &bytes[len..],
        _ => bytes,
    };
    utf16_under(bytes, encoding)?;
    if encoding.is_single_byte() && !bytes.is_ascii() && std::str::from_utf8(bytes).is_ok() {
        return Err(ReadError::Utf8UnderSingleByte { encoding: encoding.name(), example: misread(bytes, encoding) });
    }
    match encoding.decode_without_bom_handling_and_without_replacement(bytes) {
        Some(text) => Ok(text.into_owned()),
        None if encoding == encoding_rs::UTF_8 => {
            Err(not_utf8(bytes).map_or(ReadError::NotUtf8, ReadError::NotUtf8Line))
        }
        None => Err(ReadError::NotInEncoding(encoding.name())),
    }
}

/// Refuses UTF-16 text (its byte-order mark says so) read as anything but UTF-16.
pub fn utf16_under(bytes: &[u8], encoding: &'static encoding_rs::Encoding) -> Result<(), ReadError> {
    match encoding_rs::Encoding::for_bom(bytes) {
        Some((marked, _)) if marked != encoding && marked != encoding_rs::UTF_8 => {
            Err(ReadError::Utf16 { label: marked.name(), read_as: encoding.name() })
        }
        _ => Ok(()),
    }
}

/// The first word beyond ASCII of UTF-8 `bytes` as it would read in `encoding`: what
/// the user would have got.
fn misread(bytes: &[u8], encoding: &'static encoding_rs::Encoding) -> Option<(String, String)> {
    let text = std::str::from_utf8(bytes).ok()?;
    let word = text.split(|c: char| !c.is_alphanumeric()).find(|w| !w.is_ascii())?;
    let (read, _) = encoding.decode_without_bom_handling(word.as_bytes());
    Some((word.chars().take(40).collect(), read.chars().take(60).collect()))
}

/// The line where `bytes` stop being UTF-8, or `None` when they are.
pub fn not_utf8(bytes: &[u8]) -> Option<usize> {
    let e = std::str::from_utf8(bytes).err()?;
    let line = bytes[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count() + 1;
    Some(line)
}

/// `text` without the lines (after the header) that start with `comment`, and the
/// numbers of the lines left out.
fn without_comments(text: &str, comment: u8) -> (String, Vec<usize>) {
    let mut kept = String::with_capacity(text.len());
    let mut skipped = Vec::new();
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if i > 0 && line.as_bytes().first() == Some(&comment) {
            skipped.push(i + 1);
        } else {
            kept.push_str(line);
        }
    }
    (kept, skipped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_after_comment_lines_is_named_by_its_line_in_the_file() {
        let (kept, skipped) = without_comments("a,b\n# example\n1,2\n#x\n3,4\n", b'#');
        assert_eq!(kept, "a,b\n1,2\n3,4\n");
        let lines = Lines { first: 2, skipped, comments: 2 };
        assert_eq!((lines.of(0), lines.of(1)), (3, 5));
    }

    #[test]
    fn a_row_with_fewer_or_more_fields_than_the_header_is_named_by_its_line() {
        assert!(ragged(b"a,b,c\n1,2,3\n\n4,5,6\n", b',', None).is_ok());
        assert!(ragged(b"a,b,c\r\n1,\"x,\ny\",3\r\n", b',', None).is_ok());
        let short = ragged(b"a,b,c\n1,2,3\n4,5\n", b',', None).unwrap_err().to_string();
        assert!(short.starts_with("line 3 has 2 of the header's 3 fields"), "{short}");
        let twice = twice_in_header(b"a,b,\"a\"\n1,2,3\n", b',').unwrap_err().to_string();
        assert!(twice.starts_with("its header names the column `a` twice"), "{twice}");
        assert!(twice_in_header(b"a;\"b;a\"\n1;2\n", b';').is_ok());
        let long = ragged(b"a;b\n\"x\ny\";2\n1;2;3", b';', None).unwrap_err().to_string();
        assert!(long.starts_with("line 4 has 3 fields where the header has 2"), "{long}");
        assert!(ragged(b"a,b\n# a comment, with, commas\n1,2\n", b',', Some(b'#')).is_ok());
        // A line of blanks is a blank line; a tab is a field's end where it delimits.
        assert!(ragged(b"a,b\n1,2\n   \n", b',', None).is_ok());
        assert!(ragged(b"a\tb\n1\t2\t3\n", b'\t', None).is_err());
    }

    #[test]
    fn windows_1250_text_reads_as_its_letters() {
        let dialect = Dialect { encoding: "windows-1250".into(), ..Dialect::default() };
        // "Łódź" in Windows-1250: Ł=0xA3, ó=0xF3, d, ź=0x9F.
        assert_eq!(decode(b"\xA3\xF3d\x9F", &dialect).unwrap(), "Łódź");
        let utf8 = Dialect::default();
        assert_eq!(decode(b"a\nb\n\xA3\xF3d\x9F", &utf8).unwrap_err().to_string(), "line 3 is not UTF-8 text");
        assert_eq!(decode(b"\xEF\xBB\xBFa,b", &utf8).unwrap(), "a,b");
        let utf16 = Dialect { encoding: "utf-16le".into(), ..Dialect::default() };
        assert_eq!(decode(b"\xFF\xFEa\0,\0b\0", &utf16).unwrap(), "a,b");
    }

    #[test]
    fn text_plainly_in_another_encoding_is_named_and_a_utf8_mark_is_dropped_under_every_encoding() {
        let w1252 = Dialect { encoding: "windows-1252".into(), ..Dialect::default() };
        // A byte-order mark is no part of the first column's name.
        assert_eq!(decode(b"\xEF\xBB\xBFa;b", &w1252).unwrap(), "a;b");
        // UTF-8 with an umlaut would read as `StÃ¶rung`: named, with the word both ways.
        let said = decode("code\nSt\u{f6}rung\n".as_bytes(), &w1252).unwrap_err().to_string();
        assert!(said.contains("it is UTF-8 text, not windows-1252: `Störung` would read as `StÃ¶rung`"), "{said}");
        // The same word in windows-1252 reads as itself.
        assert_eq!(decode(b"code\nSt\xF6rung\n", &w1252).unwrap(), "code\nSt\u{f6}rung\n");
        // Excel's "Unicode text" is UTF-16 with its mark: named under any other encoding.
        let said = decode(b"\xFF\xFEa\0,\0b\0", &w1252).unwrap_err().to_string();
        assert!(
            said.starts_with("it is UTF-16LE text (Excel's \"Unicode text\"), read here as windows-1252"),
            "{said}"
        );
        let said = decode(b"\xFF\xFEa\0,\0b\0", &Dialect::default()).unwrap_err().to_string();
        assert!(said.starts_with("it is UTF-16LE text"), "{said}");
    }
}
