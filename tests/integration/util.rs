//! Fixture helpers: copy a fixture into a temporary folder, edit it, compile it.

use std::fs;
use std::path::{Path, PathBuf};
use yardstick::check::Checked;
use yardstick::diag::{Diagnostics, Sources};

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// One change to a fixture file.
pub enum Edit {
    Replace {
        file: &'static str,
        find: &'static str,
        with: &'static str,
    },
    Write {
        file: &'static str,
        text: &'static str,
    },
    Rename {
        from: &'static str,
        to: &'static str,
    },
    /// A file written with bytes that need not be text.
    Bytes {
        file: &'static str,
        bytes: &'static [u8],
    },
}

pub fn apply(root: &Path, edit: &Edit) {
    match edit {
        Edit::Replace { file, find, with } => {
            let path = root.join(file);
            let text = fs::read_to_string(&path).unwrap();
            assert!(text.contains(find), "{file} does not contain {find:?}");
            fs::write(&path, text.replacen(find, with, 1)).unwrap();
        }
        Edit::Write { file, text } => fs::write(root.join(file), text).unwrap(),
        Edit::Rename { from, to } => fs::rename(root.join(from), root.join(to)).unwrap(),
        Edit::Bytes { file, bytes } => fs::write(root.join(file), bytes).unwrap(),
    }
}

pub fn compile(dir: &Path) -> (Option<Checked>, Diagnostics, Sources) {
    let mut sources = Sources::default();
    let (checked, diags) = yardstick::compile(dir, &mut sources);
    (checked, diags, sources)
}

/// yardstick run with `args`, colours off: its exit status, standard output and error.
pub fn yardstick(args: &[&str]) -> (i32, String, String) {
    let out =
        std::process::Command::new(env!("CARGO_BIN_EXE_yardstick")).args(args).env("NO_COLOR", "1").output().unwrap();
    let text = |b: Vec<u8>| String::from_utf8(b).unwrap();
    (out.status.code().unwrap(), text(out.stdout), text(out.stderr))
}

/// A copy of the Acme example in a temporary folder, reading this repository's set.
pub fn acme_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    copy_dir(&root.join("examples/acme"), dir.path());
    let _ = fs::remove_dir_all(dir.path().join("out"));
    let project = dir.path().join("yardstick.yaml");
    let text =
        fs::read_to_string(&project).unwrap().replace("../../metrics", &root.join("metrics").display().to_string());
    fs::write(project, text).unwrap();
    dir
}

/// The CSV with every fractional number rounded to nine decimals: Polars' parallel float
/// sums may differ in the last bits from run to run (572565.3125 or 572565.3124999999).
pub fn to_nine_decimals(csv: &str) -> String {
    let cell = |c: &str| match c.parse::<f64>() {
        Ok(v) if c.contains('.') => format!("{}", (v * 1e9).round() / 1e9),
        _ => c.to_string(),
    };
    csv.lines().map(|l| l.split(',').map(cell).collect::<Vec<_>>().join(",") + "\n").collect()
}

/// Rendered diagnostics (colours off) without the pitfall lints (W10xx), which have tests
/// of their own: what a test about something else snapshots.
pub fn without_pitfalls(rendered: &str) -> String {
    let mut out = String::new();
    let mut skipping = false;
    for line in rendered.split_inclusive('\n') {
        if line.starts_with("[W10") {
            skipping = true;
        }
        if !skipping {
            out.push_str(line);
        }
        if skipping && line.trim_end() == "───╯" {
            skipping = false;
        }
    }
    // A skipped block leaves its blank separator line behind: one blank line at most.
    out.replace("\n\n\n", "\n\n").trim_start_matches('\n').to_string()
}

/// Whether a diagnostic is a pitfall lint (W10xx).
pub fn is_pitfall(d: &yardstick::diag::Diagnostic) -> bool {
    yardstick::check::lint::is_pitfall(&d.code)
}

/// The shipped set's version, as its set.yaml writes it.
pub fn set_version() -> String {
    let text = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("metrics/set.yaml")).unwrap();
    text.lines().find_map(|l| l.strip_prefix("version: ")).unwrap().trim().to_string()
}

/// Writes `version` into the set.yaml at `path`, whatever it held.
pub fn write_set_version(path: &Path, version: &str) {
    let text = fs::read_to_string(path).unwrap();
    let text: String = text
        .lines()
        .map(|l| if l.starts_with("version: ") { format!("version: {version}\n") } else { format!("{l}\n") })
        .collect();
    fs::write(path, text).unwrap();
}

/// Raises the `version: N` of the metric file at `path` by one.
pub fn bump_version(path: &Path) {
    let text = fs::read_to_string(path).unwrap();
    let line = text.lines().find(|l| l.starts_with("version: ")).unwrap();
    let n: u32 = line["version: ".len()..].trim().parse().unwrap();
    fs::write(path, text.replacen(line, &format!("version: {}", n + 1), 1)).unwrap();
}

/// Checks that docs/semantics.md holds `table` between `<!-- NAME: start -->` and
/// `<!-- NAME: end -->`, or, with `YARDSTICK_WRITE_DOCS` set, writes it there: the figures
/// the docs show are those a test computes.
pub fn semantics_table(name: &str, table: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/semantics.md");
    let doc = fs::read_to_string(&path).unwrap();
    let (start, end) = (format!("<!-- {name}: start -->\n"), format!("<!-- {name}: end -->"));
    let (Some(a), Some(b)) = (doc.find(&start), doc.find(&end)) else {
        panic!("docs/semantics.md lacks the markers of `{name}`")
    };
    if std::env::var_os("YARDSTICK_WRITE_DOCS").is_some() {
        fs::write(&path, format!("{}{table}{}", &doc[..a + start.len()], &doc[b..])).unwrap();
        return;
    }
    assert_eq!(&doc[a + start.len()..b], table, "write the `{name}` table again: YARDSTICK_WRITE_DOCS=1 cargo test");
}

/// yardstick run with `args` on the day `today` (`YARDSTICK_TODAY`), colours off: its
/// exit status, standard output and error.
pub fn yardstick_on(today: &str, args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_yardstick"))
        .args(args)
        .env("NO_COLOR", "1")
        .env("YARDSTICK_TODAY", today)
        .output()
        .unwrap();
    let text = |b: Vec<u8>| String::from_utf8(b).unwrap();
    (out.status.code().unwrap(), text(out.stdout), text(out.stderr))
}
