//! The readers under guard (docs/files.md, "limits"): an export nobody here controls must
//! give an error naming the file, never a crash. Polars' decoders panic on some corrupted
//! files; a panic inside [`guarded`] becomes an error, and its message is not printed.
//! What a panic cannot catch is kept out of the process: a nesting deep enough to
//! overflow the stack is refused before decoding ([`ndjson_depth`]); a Parquet file's
//! footer is checked ([`parquet_footer`]) and the file decoded first in a child process
//! ([`parquet_in_child`]), since damage inside a page can make a decoder ask for an
//! allocation the size of a lie, which stops a process outright.

use super::error::{Corruption, ReadError};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::Once;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The nesting an NDJSON value may have: an export's rows are flat records.
pub const MAX_NDJSON_DEPTH: usize = 64;

/// The program that decodes a Parquet file in a process of its own first, when one is
/// set: the yardstick binary sets itself ([`isolate_with`]).
static ISOLATOR: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();

/// The first argument that makes the yardstick binary a decoder child.
pub const CHILD_ARG: &str = "--decode-parquet-in-child";

/// Decodes every Parquet file first in a child process of `program` (the yardstick
/// binary, run as `program --decode-parquet-in-child FILE`): a corrupted file that makes a
/// decoder abort (an allocation its damage asks for) then stops the child, not the build.
pub fn isolate_with(program: std::path::PathBuf) {
    let _ = ISOLATOR.set(program);
}

/// The child's work: decode `path` whole; exit 0 when it decodes, 1 with the reason.
pub fn child(path: &Path) -> std::process::ExitCode {
    match parquet_footer(path).and_then(|()| guarded(|| decode_parquet(path))) {
        Ok(_) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprint!("{e}");
            std::process::ExitCode::from(1)
        }
    }
}

/// The Parquet file at `path`, decoded whole.
pub fn decode_parquet(path: &Path) -> Result<polars::prelude::DataFrame, ReadError> {
    use polars::prelude::*;
    LazyFrame::scan_parquet(PlRefPath::new(path.to_string_lossy().as_ref()), ScanArgsParquet::default())
        .and_then(LazyFrame::collect)
        .map_err(ReadError::Decode)
}

/// Decodes `path` in a child process, when [`isolate_with`] named the program.
pub fn parquet_in_child(path: &Path) -> Result<(), ReadError> {
    let Some(program) = ISOLATOR.get() else { return parquet_footer(path) };
    let out = std::process::Command::new(program)
        .arg(CHILD_ARG)
        .arg(path)
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|source| ReadError::DecoderNotStarted { program: program.clone(), source })?;
    match out.status.code() {
        Some(0) => Ok(()),
        Some(1) => Err(ReadError::InChild(String::from_utf8_lossy(&out.stderr).chars().take(300).collect())),
        _ => Err(ReadError::DecoderStopped(out.status)),
    }
}

/// How many guarded reads run now: while any does, panics are not printed.
static GUARDED: AtomicUsize = AtomicUsize::new(0);
static HOOK: Once = Once::new();

/// `read()`, with a panic inside it (on any of the threads it uses) turned into an error.
pub fn guarded<T>(read: impl FnOnce() -> Result<T, ReadError>) -> Result<T, ReadError> {
    HOOK.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if GUARDED.load(Ordering::SeqCst) == 0 {
                default(info);
            }
        }));
    });
    GUARDED.fetch_add(1, Ordering::SeqCst);
    let result = catch_unwind(AssertUnwindSafe(read));
    GUARDED.fetch_sub(1, Ordering::SeqCst);
    result.unwrap_or_else(|panic| {
        let said = panic
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| panic.downcast_ref::<&str>().copied())
            .unwrap_or("no message");
        let said: String = said.lines().next().unwrap_or("").chars().take(160).collect();
        Err(ReadError::DecoderPanicked(said))
    })
}

/// The first NDJSON line nesting deeper than [`MAX_NDJSON_DEPTH`], if any: its number.
pub fn ndjson_depth(bytes: &[u8]) -> Option<usize> {
    let (mut depth, mut line, mut in_string, mut escaped) = (0usize, 1usize, false, false);
    for &b in bytes {
        match (in_string, b) {
            (_, b'\n') => {
                line += 1;
                depth = 0;
                in_string = false;
            }
            (true, _) if escaped => escaped = false,
            (true, b'\\') => escaped = true,
            (true, b'"') => in_string = false,
            (true, _) => {}
            (false, b'"') => in_string = true,
            (false, b'[' | b'{') => {
                depth += 1;
                if depth > MAX_NDJSON_DEPTH {
                    return Some(line);
                }
            }
            (false, b']' | b'}') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// Why a Parquet file's frame cannot be what it claims, if it cannot: the magic bytes at
/// both ends, and a footer that fits in the file.
pub fn parquet_footer(path: &Path) -> Result<(), ReadError> {
    let bytes = std::fs::metadata(path)?.len();
    let mut file = std::fs::File::open(path)?;
    let (mut head, mut tail) = ([0u8; 4], [0u8; 8]);
    use std::io::{Read, Seek, SeekFrom};
    let read = |file: &mut std::fs::File, at: SeekFrom, buf: &mut [u8]| -> std::io::Result<()> {
        file.seek(at)?;
        file.read_exact(buf)
    };
    if bytes < 12 || read(&mut file, SeekFrom::Start(0), &mut head).is_err() || &head != b"PAR1" {
        return Err(ReadError::NotParquet);
    }
    if read(&mut file, SeekFrom::End(-8), &mut tail).is_err() || &tail[4..] != b"PAR1" {
        return Err(ReadError::NotWholeParquet);
    }
    let footer = u64::from(u32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]));
    if footer + 12 > bytes {
        return Err(ReadError::Corrupted(Corruption::Footer { footer, bytes }));
    }
    let metadata = guarded(|| {
        use polars::prelude::SerReader;
        let mut reader = polars::prelude::ParquetReader::new(file);
        reader.get_metadata().cloned().map_err(ReadError::Decode)
    })?;
    parquet_sizes(&metadata, bytes)
}

/// The most rows a Parquet export may claim, and the most bytes one column chunk may
/// take once decompressed: far beyond any plant's export, far below an allocation that
/// would stop the process.
pub const MAX_PARQUET_ROWS: usize = 1 << 32;
pub const MAX_PARQUET_CHUNK_BYTES: i64 = 1 << 34;

/// Why the sizes a Parquet footer claims cannot be, if they cannot: every column chunk
/// inside the file, row counts and decompressed sizes within the limits.
fn parquet_sizes(metadata: &polars::io::parquet::read::FileMetadata, bytes: u64) -> Result<(), ReadError> {
    let corrupted = |what| Err(ReadError::Corrupted(what));
    if metadata.num_rows > MAX_PARQUET_ROWS {
        return corrupted(Corruption::Rows(metadata.num_rows));
    }
    let mut rows = 0usize;
    for group in &metadata.row_groups {
        rows = rows.saturating_add(group.num_rows());
        let range = group.full_byte_range();
        if range.start > range.end || range.end > bytes {
            return corrupted(Corruption::RowGroup { start: range.start, end: range.end, bytes });
        }
        for chunk in group.parquet_columns() {
            let range = chunk.byte_range();
            let sizes = [chunk.compressed_size(), chunk.uncompressed_size(), chunk.num_values()];
            if range.start > range.end || range.end > bytes || sizes.iter().any(|s| *s < 0) {
                return corrupted(Corruption::Chunk { start: range.start, end: range.end, bytes });
            }
            if chunk.num_values() as u64 > MAX_PARQUET_ROWS as u64 {
                return corrupted(Corruption::ChunkValues(chunk.num_values()));
            }
            if chunk.uncompressed_size() > MAX_PARQUET_CHUNK_BYTES {
                return corrupted(Corruption::ChunkBytes(chunk.uncompressed_size()));
            }
        }
    }
    if rows > MAX_PARQUET_ROWS || rows != metadata.num_rows {
        return corrupted(Corruption::RowCount { rows, footer: metadata.num_rows });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_counts_brackets_outside_strings_line_by_line() {
        let deep = "[".repeat(MAX_NDJSON_DEPTH + 1);
        assert_eq!(ndjson_depth(format!("{{\"a\": 1}}\n{deep}\n").as_bytes()), Some(2));
        let in_text = format!("{{\"a\": \"{deep}\"}}\n");
        assert_eq!(ndjson_depth(in_text.as_bytes()), None);
        let escaped_quote = format!("{{\"a\": \"\\\"{deep}\"}}\n");
        assert_eq!(ndjson_depth(escaped_quote.as_bytes()), None);
        let flat = "{\"a\": [1, 2]}\n".repeat(1000);
        assert_eq!(ndjson_depth(flat.as_bytes()), None);
    }

    #[test]
    fn a_panic_inside_is_an_error() {
        let r: Result<(), ReadError> = guarded(|| panic!("index out of bounds"));
        let said = r.unwrap_err().to_string();
        assert_eq!(said, "it is corrupted: the decoder failed on it (index out of bounds)");
        assert_eq!(guarded(|| Ok(3)).ok(), Some(3));
    }
}
