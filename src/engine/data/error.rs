//! Why an export cannot be read, by kind: the help a user gets depends on the kind (an
//! encoding to name, a row to fix, a file to export again), never on the message's words.

use super::guard::MAX_NDJSON_DEPTH;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// Polars' reader refused the bytes, in its own words.
    #[error("{0}")]
    Decode(#[from] polars::error::PolarsError),
    #[error("line {0} is not UTF-8 text")]
    NotUtf8Line(usize),
    #[error("not UTF-8 text")]
    NotUtf8,
    #[error("it is not {0} text")]
    NotInEncoding(&'static str),
    #[error("it is {label} text (Excel's \"Unicode text\"), read here as {read_as}")]
    Utf16 { label: &'static str, read_as: &'static str },
    #[error("it is UTF-8 text, not {encoding}{}", example.as_ref().map_or(String::new(), |(w, r)| format!(": `{w}` would read as `{r}`")))]
    Utf8UnderSingleByte { encoding: &'static str, example: Option<(String, String)> },
    #[error(
        "line {line} has {fields} of the header's {expected} fields: a row cut short (its missing cells are not read as empty)"
    )]
    CutShort { line: usize, fields: usize, expected: usize },
    #[error(
        "line {line} has {fields} fields where the header has {expected}: a value holding `{delimiter}` must be in double quotes"
    )]
    TooManyFields { line: usize, fields: usize, expected: usize, delimiter: char },
    #[error("its header names the column `{0}` twice: one of the two would be read and the other ignored")]
    TwiceInHeader(String),
    #[error("line {0} nests values more than {MAX_NDJSON_DEPTH} deep; an export's rows are flat records")]
    TooDeep(usize),
    #[error("cannot start the decoder ({}): {source}", program.display())]
    DecoderNotStarted { program: PathBuf, source: std::io::Error },
    /// What the decoder child process said of the file: a [`ReadError`] of its own,
    /// carried across the process boundary as its message.
    #[error("{0}")]
    InChild(String),
    #[error("it is corrupted: decoding it stopped the decoder ({0})")]
    DecoderStopped(std::process::ExitStatus),
    #[error("it is corrupted: the decoder failed on it ({0})")]
    DecoderPanicked(String),
    #[error("it is not a Parquet file (it does not start with PAR1)")]
    NotParquet,
    #[error("it is not a whole Parquet file (it does not end with PAR1: cut short?)")]
    NotWholeParquet,
    #[error("it is corrupted: {0}")]
    Corrupted(Corruption),
}

impl ReadError {
    /// The bytes are not text in the encoding they were read in.
    pub fn is_encoding(&self) -> bool {
        matches!(
            self,
            ReadError::NotUtf8Line(_)
                | ReadError::NotUtf8
                | ReadError::NotInEncoding(_)
                | ReadError::Utf16 { .. }
                | ReadError::Utf8UnderSingleByte { .. }
        )
    }

    /// A row has another number of fields than the header.
    pub fn is_ragged(&self) -> bool {
        matches!(self, ReadError::CutShort { .. } | ReadError::TooManyFields { .. })
    }
}

/// What a Parquet file claims that cannot be.
#[derive(Debug, thiserror::Error)]
pub enum Corruption {
    #[error("its footer claims {footer} bytes of a {bytes}-byte file")]
    Footer { footer: u64, bytes: u64 },
    #[error("it claims {0} rows")]
    Rows(usize),
    #[error("a row group claims bytes {start}..{end} of a {bytes}-byte file")]
    RowGroup { start: u64, end: u64, bytes: u64 },
    #[error("a column chunk claims bytes {start}..{end} of a {bytes}-byte file")]
    Chunk { start: u64, end: u64, bytes: u64 },
    #[error("a column chunk claims {0} values")]
    ChunkValues(i64),
    #[error("a column chunk claims {0} bytes decompressed")]
    ChunkBytes(i64),
    #[error("its row groups hold {rows} rows, its footer says {footer}")]
    RowCount { rows: usize, footer: usize },
}
