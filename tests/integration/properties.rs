//! Property tests of what hostile input reaches (issue 22): exports mutated the way
//! broken and hostile files are (bits flipped, cut short, bytes spliced in, awkward values)
//! never make the readers panic or abort, and each gives rows or an error naming the file;
//! generated templates stop within their fuel; generated revision arguments are refused or
//! read, never run as git options. The YAML loader and the expression parser have theirs
//! in `no_panic`. A short run is part of `cargo test`; the long run is
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

/// What may replace one cell of a row: awkward, but leaving the row's shape alone, so
/// that the case gets past the row checks into the decoders and the value parser.
const CELLS: &[&str] = &[
    "",
    "-1",
    "1e400",
    "NaN",
    "inf",
    "9999-99-99",
    "2024-02-01T10:0é+01:00",
    "2024-02-30",
    "2024-13-01T00:00:00Z",
    "=cmd|' /C calc'!A0",
    "null",
    "é",
    "SEV9",
    " SEV1 ",
    "sev1",
    "18446744073709551616",
    "0.0000001",
    "\\u0000",
    "2024-02-01T12:00:00Z",
    "2023-12-31",
    "true",
];

#[derive(Clone, Debug)]
enum Mutation {
    /// The value of row `.0` (of the data rows), field `.1`, replaced by `.2`.
    Cell(usize, usize, &'static str),
    FlipBit(usize),
    Truncate(usize),
    Splice(usize, &'static str),
    Delete(usize, usize),
    Duplicate(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        16 => (any::<usize>(), any::<usize>(), proptest::sample::select(CELLS)).prop_map(|(r, f, v)| Mutation::Cell(r, f, v)),
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
            Mutation::Cell(row, field, value) => bytes = with_cell(&bytes, row, field, value),
        }
    }
    bytes
}

/// `bytes` with one cell replaced: in CSV a field of a data line, in NDJSON a quoted
/// value; a Parquet file (or anything not text) as it was.
fn with_cell(bytes: &[u8], row: usize, field: usize, value: &str) -> Vec<u8> {
    let Ok(text) = std::str::from_utf8(bytes) else { return bytes.to_vec() };
    let mut lines: Vec<String> = text.split('\n').map(String::from).collect();
    let ndjson = text.starts_with('{');
    let first = usize::from(!ndjson);
    if lines.len() <= first + 1 {
        return bytes.to_vec();
    }
    let at = first + row % (lines.len() - first - 1);
    let line = &mut lines[at];
    if ndjson {
        let values: Vec<(usize, usize)> = line
            .match_indices(": \"")
            .map(|(at, _)| at + 3)
            .filter_map(|start| line[start..].find('"').map(|end| (start, start + end)))
            .collect();
        if let Some(&(start, end)) = values.get(field % values.len().max(1)) {
            line.replace_range(start..end, value);
        }
    } else {
        let mut cells: Vec<&str> = line.split(',').collect();
        let at = field % cells.len();
        cells[at] = value;
        *line = cells.join(",");
    }
    lines.join("\n").into_bytes()
}

/// The tiny project with site a's incidents bound to `file`, checked once.
struct Reader {
    _dir: tempfile::TempDir,
    checked: yardstick::check::Checked,
    path: PathBuf,
    /// Cases read, and cases that got past the checks before decoding (the ragged-row
    /// scan, the NDJSON depth, the Parquet footer) into a decoder.
    cases: std::cell::Cell<(usize, usize)>,
}

/// How the checks before decoding begin their refusals.
const REFUSED_BEFORE_DECODING: &[&str] = &[
    "line ",
    "it is not a Parquet file",
    "it is not a whole Parquet file",
    "it is corrupted: its footer",
    "it is corrupted: a row group",
    "it is corrupted: a column chunk",
    "it is corrupted: it claims",
    "it is corrupted: its row groups",
];

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
        Reader { _dir: dir, checked, path, cases: std::cell::Cell::new((0, 0)) }
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
            let table = read_site_table(&yardstick::plan::Inputs::new(project, set), source, site, as_of, &mut report);
            (table.is_some(), report.errors)
        }));
        let (read, errors) = read.map_err(|_| TestCaseError::fail("the reader panicked"))?;
        let refused = errors.iter().any(|e| {
            let said = e.message.split_once(": ").map_or("", |(_, said)| said);
            REFUSED_BEFORE_DECODING.iter().any(|r| said.starts_with(r))
        });
        let (cases, reached) = self.cases.get();
        self.cases.set((cases + 1, reached + usize::from(!refused)));
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
    let (cases, reached) = reader.cases.get();
    eprintln!("{file}: {cases} cases, {reached} reached a decoder");
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

/// Pieces of templates: tags, loops and the operators that build strings and lists, the
/// report functions, and text, put together at random (mostly unbalanced).
const TEMPLATE_PIECES: &[&str] = &[
    "{% for i in range(100000) %}",
    "{% for x in metrics %}",
    "{% endfor %}",
    "{% if x %}",
    "{% else %}",
    "{% endif %}",
    "{% set s = \"x\" * 10000000 %}",
    "{% set ns = namespace(s=\"ab\") %}",
    "{% set ns.s = ns.s ~ ns.s %}",
    "{{ ns.s | length }}",
    "{{ s ~ s }}",
    "{{ \"y\" * 100000000 }}",
    "{{ range(10) | list * 1000000 }}",
    "{{ badge(\"green\") }}",
    "{{ badge(\"red\") }}",
    "{{ number(1.5, \"%\") }}",
    "{{ delta(x, \"h\") }}",
    "{{ x.title | cell }}",
    "{% include \"other.md.j2\" %}",
    "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}",
    "{{ metrics | sort(attribute=\"id\") }}",
    "{{ (metrics * 1000) | join(\",\") }}",
    "{{ x }}",
    "{{ 1 / 0 }}",
    "{{ \"%s\" | format(s) }}",
    "{{ s | indent(1000) }}",
    "{{ s | center(1000000000) }}",
    "\u{E000}0\u{E001}",
    "text ",
    "\n",
    "{{",
    "}}",
    "{%",
    "%}",
    "{#",
    "#}",
    "| ",
];

#[test]
fn generated_templates_stop_within_their_fuel_and_never_crash() {
    let context = serde_json::json!({
        "metrics": [{"id": "a", "title": "A | b"}, {"id": "b", "title": "B"}],
        "x": {"delta": -0.2, "delta_pct": 0.1},
    });
    let template = prop::collection::vec(proptest::sample::select(TEMPLATE_PIECES), 0..12).prop_map(|p| p.concat());
    runner(200)
        .run(&template, |text| {
            let _ = fs::write(Path::new(env!("CARGO_TARGET_TMPDIR")).join("properties-last-case"), &text);
            let rendered = std::panic::catch_unwind(|| yardstick::report::render_text(&text, &context, 3));
            let rendered = rendered.map_err(|_| TestCaseError::fail("rendering panicked"))?;
            // Fuel bounds what a template writes: at most about 70 MB for three sites.
            prop_assert!(rendered.as_ref().map_or(true, |out| out.len() < 80 << 20));
            Ok(())
        })
        .unwrap();
}

/// What revisions are made of, and what would make git read one as an option.
const REVISION_PIECES: &[&str] = &[
    "HEAD",
    "main",
    "v1",
    "~",
    "^",
    "^{commit}",
    "@{1}",
    "@",
    ":",
    "..",
    "...",
    "-",
    "--",
    "--output=",
    "-o",
    "--exec=touch x",
    "--upload-pack=touch x",
    "x",
    "refs/tags/",
    "/",
    " ",
    "é",
    "\u{0}",
    "\n",
    "*",
    "?",
    "[",
    "\\",
    "FETCH_HEAD",
    "stash",
    "0000000",
    ":/",
    "HEAD:set.yaml",
];

#[test]
fn generated_revision_arguments_are_refused_or_read_never_run_or_written() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    fs::write(repo.join("set.yaml"), "name: s\n").unwrap();
    crate::hostile::git_in(repo, &["init", "-q", "-b", "main"]);
    crate::hostile::git_in(repo, &["add", "."]);
    crate::hostile::git_in(repo, &["commit", "-q", "-m", "one"]);
    crate::hostile::git_in(repo, &["tag", "v1"]);
    let listed = || {
        let mut names: Vec<_> = fs::read_dir(repo).unwrap().map(|e| e.unwrap().file_name()).collect();
        names.sort();
        names
    };
    let before = listed();
    let revision = prop::collection::vec(proptest::sample::select(REVISION_PIECES), 1..5).prop_map(|p| p.concat());
    runner(100)
        .run(&revision, |rev| {
            let opened = std::panic::catch_unwind(|| yardstick::load::AtRevision::open(repo, &rev).map(|_| ()));
            prop_assert!(opened.is_ok(), "opening `{rev}` panicked");
            prop_assert_eq!(listed(), before.clone(), "`{}` wrote into the repository", rev);
            Ok(())
        })
        .unwrap();
    // The revisions that name the commit are read.
    for rev in ["HEAD", "main", "v1", "HEAD~0", "v1^{commit}"] {
        assert!(yardstick::load::AtRevision::open(repo, rev).is_ok(), "{rev}");
    }
}
