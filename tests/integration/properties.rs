//! Property tests of the readers (issue 22): exports mutated the way broken and hostile
//! files are (bits flipped, cut short, bytes spliced in, cells swapped for awkward
//! values) never make yardstick panic or abort; each gives rows or an error naming the
//! file. A short run is part of `cargo test`; the long run is
//! `PROPTEST_CASES=100000 cargo test --release --test integration properties`.
//! The input of the case under way is kept in `target/properties-last-case` so that an
//! abort, which ends the process, leaves its input behind.

use crate::hostile::{bind_incidents, tiny_project};
use crate::no_panic::runner;
use proptest::prelude::*;
use std::fs;
use std::path::{Path, PathBuf};
use yardstick::engine::data::{DataReport, read_site_table};

/// What may replace a cell or be spliced in: values that have broken readers.
const AWKWARD: &[&str] = &[
    "",
    "\"",
    "\"\"",
    ",",
    ";",
    "\n",
    "\r\n",
    "é",
    "\u{FEFF}",
    "-1",
    "1e400",
    "NaN",
    "9999-99-99",
    "2024-02-01T10:0é+01:00",
    "2024-02-30",
    "=cmd|' /C calc'!A0",
    "null",
    "[[[[[[[[",
    "{\"a\":",
    "\\",
];

#[derive(Clone, Debug)]
enum Mutation {
    FlipBit(usize),
    Truncate(usize),
    Splice(usize, &'static str),
    Delete(usize, usize),
    Duplicate(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => any::<usize>().prop_map(Mutation::FlipBit),
        1 => any::<usize>().prop_map(Mutation::Truncate),
        3 => (any::<usize>(), proptest::sample::select(AWKWARD)).prop_map(|(at, s)| Mutation::Splice(at, s)),
        1 => (any::<usize>(), 1usize..64).prop_map(|(at, n)| Mutation::Delete(at, n)),
        1 => (any::<usize>(), 1usize..256).prop_map(|(at, n)| Mutation::Duplicate(at, n)),
    ]
}

fn apply(mut bytes: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        let at = |i: usize, len: usize| if len == 0 { 0 } else { i % len };
        match *m {
            Mutation::FlipBit(i) if !bytes.is_empty() => {
                let bit = at(i, bytes.len() * 8);
                bytes[bit / 8] ^= 1 << (bit % 8);
            }
            Mutation::Truncate(i) => bytes.truncate(at(i, bytes.len() + 1)),
            Mutation::Splice(i, s) => {
                let i = at(i, bytes.len() + 1);
                bytes.splice(i..i, s.bytes());
            }
            Mutation::Delete(i, n) => {
                let i = at(i, bytes.len() + 1);
                bytes.drain(i..(i + n).min(bytes.len()));
            }
            Mutation::Duplicate(i, n) => {
                let i = at(i, bytes.len() + 1);
                let piece: Vec<u8> = bytes[i..(i + n).min(bytes.len())].to_vec();
                bytes.splice(i..i, piece);
            }
            Mutation::FlipBit(_) => {}
        }
    }
    bytes
}

/// The tiny project with site a's incidents bound to `file`, checked once.
struct Reader {
    _dir: tempfile::TempDir,
    checked: yardstick::check::Checked,
    path: PathBuf,
}

impl Reader {
    fn new(file: &str) -> Reader {
        let dir = tiny_project();
        let project = dir.path().join("project");
        bind_incidents(&project, file);
        let path = project.join("data/a").join(file);
        fs::write(&path, seed(file)).unwrap();
        let (checked, diags, _) = crate::util::compile(&project);
        let checked = checked.unwrap_or_else(|| panic!("{diags:?}"));
        // As the binary does: a Parquet export is decoded first in a child process.
        yardstick::engine::data::guard::isolate_with(PathBuf::from(env!("CARGO_BIN_EXE_yardstick")));
        Reader { _dir: dir, checked, path }
    }

    /// Reads `bytes` as site a's incidents: no panic; rows, or errors naming the file.
    fn read(&self, bytes: &[u8]) -> Result<(), TestCaseError> {
        let last = Path::new(env!("CARGO_TARGET_TMPDIR")).join("properties-last-case");
        let _ = fs::write(&last, bytes);
        fs::write(&self.path, bytes).unwrap();
        let project = self.checked.project.as_ref().unwrap();
        let set = &self.checked.set;
        let source = &set.sources["incidents"];
        let site = project.sites.iter().find(|s| s.id == "a").unwrap();
        let as_of = chrono::NaiveDate::from_ymd_opt(2024, 12, 31).unwrap();
        let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut report = DataReport::default();
            let table = read_site_table(project, set, source, site, as_of, &mut report);
            (table.is_some(), report.errors)
        }));
        let (read, errors) = read.map_err(|_| TestCaseError::fail("the reader panicked"))?;
        prop_assert!(read || !errors.is_empty(), "no rows and no error");
        let name = self.path.file_name().unwrap().to_string_lossy().into_owned();
        for e in &errors {
            let named = e.message.contains(&name) || e.path.as_ref().is_some_and(|p| p.ends_with(&name));
            prop_assert!(named, "an error that does not name the file: {}", e.message);
        }
        Ok(())
    }
}

/// A valid export of a dozen incidents in the format `file` names.
fn seed(file: &str) -> Vec<u8> {
    let mut csv = crate::engine::INCIDENTS.to_string();
    for i in 0..12 {
        csv += &format!(
            "I{i},2024-0{m}-1{d}T10:00:00Z,2024-0{m}-1{d}T12:30:00Z,SEV{s},{c}.5,A1\n",
            m = 1 + i % 9,
            d = i % 9,
            s = 1 + i % 4,
            c = 100 * i
        );
    }
    match file.rsplit('.').next() {
        Some("csv") => csv.into_bytes(),
        Some("ndjson") => {
            let mut lines = csv.lines();
            let head: Vec<&str> = lines.next().unwrap().split(',').collect();
            let rows = lines.map(|l| {
                let cells = l.split(',').zip(&head).map(|(v, k)| format!("\"{k}\": \"{v}\"")).collect::<Vec<_>>();
                format!("{{{}}}\n", cells.join(", "))
            });
            rows.collect::<String>().into_bytes()
        }
        _ => {
            use polars::prelude::*;
            let mut frame = CsvReadOptions::default()
                .with_infer_schema_length(Some(0))
                .into_reader_with_file_handle(std::io::Cursor::new(csv.into_bytes()))
                .finish()
                .unwrap();
            let mut out = Vec::new();
            ParquetWriter::new(&mut out).finish(&mut frame).unwrap();
            out
        }
    }
}

fn mutated_exports_never_crash(file: &str, cases: u32) {
    let reader = Reader::new(file);
    let seed = seed(file);
    reader.read(&seed).unwrap();
    runner(cases)
        .run(&prop::collection::vec(mutation(), 1..6), |mutations| reader.read(&apply(seed.clone(), &mutations)))
        .unwrap();
}

#[test]
fn mutated_csv_exports_never_crash_the_reader() {
    mutated_exports_never_crash("incidents.csv", 200);
}

#[test]
fn mutated_ndjson_exports_never_crash_the_reader() {
    mutated_exports_never_crash("incidents.ndjson", 200);
}

#[test]
fn mutated_parquet_exports_never_crash_the_reader() {
    mutated_exports_never_crash("incidents.parquet", 100);
}
