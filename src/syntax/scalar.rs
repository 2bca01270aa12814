//! Where each character of a YAML scalar's value stands in the file.
//!
//! An expression is parsed from the scalar's *value*, but a caret must land on the file's
//! characters: after an opening quote, past escapes, on the indented lines of a block
//! scalar (`|`, `>`) or across the folded lines of a plain one. serde-saphyr gives the
//! scalar's start; [`ScalarMap::align`] walks value and file together from there.

use crate::diag::{FileId, Span};

#[derive(Clone, Debug)]
pub struct ScalarMap {
    file: FileId,
    /// File offset of each byte of the value, plus one entry for the end.
    offsets: Vec<u32>,
}

impl ScalarMap {
    /// The value is the file's text itself, starting at `start`.
    pub fn identity(file: FileId, start: usize, len: usize) -> Self {
        ScalarMap { file, offsets: (start..=start + len).map(|o| o as u32).collect() }
    }

    /// Aligns `value` with `source` from byte `start`, the scalar's first character (its
    /// quote or block indicator, if any).
    pub fn align(file: FileId, source: &str, start: usize, value: &str) -> Self {
        let mut offsets = Vec::with_capacity(value.len() + 1);
        let mut pos = start.min(source.len());
        for c in value.chars() {
            let mut found = pos;
            let mut scan = pos;
            // Skip the layout YAML puts between value characters: quotes, escapes,
            // indentation, line breaks, block indicators. Anything else is a mismatch
            // we map one to one rather than search past.
            while let Some(sc) = source[scan..].chars().next() {
                if sc == c || (c == ' ' && sc == '\n') {
                    found = scan;
                    break;
                }
                if matches!(sc, ' ' | '\t' | '\n' | '\r' | '"' | '\'' | '\\' | '|' | '>' | '-' | '+')
                    || sc.is_ascii_digit() && scan < start + 3
                {
                    scan += sc.len_utf8();
                    found = scan;
                    continue;
                }
                found = scan;
                break;
            }
            let at = found.min(source.len());
            for _ in 0..c.len_utf8() {
                offsets.push(at as u32);
            }
            pos = (at + source[at..].chars().next().map_or(0, char::len_utf8)).min(source.len());
        }
        offsets.push(pos as u32);
        ScalarMap { file, offsets }
    }

    /// The file span of the value's bytes `start..end`.
    pub fn span(&self, start: usize, end: usize) -> Span {
        let last = self.offsets.len() - 1;
        let s = self.offsets[start.min(last)];
        let e = if end > start {
            // End just after the last character of the range, not at the next one's start,
            // so a range that ends a line does not run into the next line's indentation.
            let last_char = self.offsets[(end - 1).min(last)];
            let next = self.offsets[end.min(last)];
            if next > last_char + 4 { last_char + 1 } else { next }
        } else {
            s
        };
        Span { file: self.file, start: s, end: e.max(s) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn underlined(source: &str, start: usize, value: &str, range: std::ops::Range<usize>) -> String {
        let map = ScalarMap::align(FileId(0), source, start, value);
        let span = map.span(range.start, range.end);
        source[span.start as usize..span.end as usize].to_string()
    }

    #[test]
    fn plain_scalar_maps_one_to_one() {
        let src = "value: sum(x) / 60\n";
        assert_eq!(underlined(src, 7, "sum(x) / 60", 4..5), "x");
    }

    #[test]
    fn quoted_scalar_skips_the_quote_and_escapes() {
        let src = "where: \"a == \\\"b\\\"\"\n";
        let value = "a == \"b\"";
        assert_eq!(underlined(src, 7, value, 5..8), "\"b\\\"");
        assert_eq!(underlined(src, 7, value, 0..1), "a");
    }

    #[test]
    fn block_scalar_lands_on_the_indented_line() {
        let src = "value: |\n  sum(x)\n    / count()\n";
        let value = "sum(x)\n  / count()\n";
        let start = src.find('|').unwrap();
        assert_eq!(underlined(src, start, value, 11..18), "count()");
    }

    #[test]
    fn folded_plain_scalar_maps_across_lines() {
        let src = "where: a == 1 and\n  bogus > 2\n";
        let value = "a == 1 and bogus > 2";
        assert_eq!(underlined(src, 7, value, 11..16), "bogus");
    }
}
