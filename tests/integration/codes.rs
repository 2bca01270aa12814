//! The registry of diagnostic codes: every code in one table, with one meaning each.

use std::fs;
use std::path::{Path, PathBuf};
use yardstick::diag::codes::{self, ALL};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn is_code(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 5 && matches!(b[0], b'E' | b'W' | b'N') && b[1..].iter().all(u8::is_ascii_digit)
}

/// Every `"E0403"`-like string literal in `line`.
fn code_literals(line: &str) -> Vec<&str> {
    line.match_indices('"')
        .filter_map(|(i, _)| line.get(i + 1..i + 7))
        .filter(|s| s.ends_with('"') && is_code(&s[..5]))
        .map(|s| &s[..5])
        .collect()
}

#[test]
fn codes_are_written_only_in_the_registry() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let registry = src.join("diag/codes.rs");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut offenders = Vec::new();
    for file in files.iter().filter(|f| **f != registry) {
        let text = fs::read_to_string(file).unwrap();
        for (n, line) in text.lines().enumerate() {
            for code in code_literals(line) {
                let path = file.strip_prefix(&src).unwrap().display();
                offenders.push(format!("src/{path}:{}: \"{code}\": use codes::{code}", n + 1));
            }
        }
    }
    assert!(offenders.is_empty(), "code literals outside src/diag/codes.rs:\n{}", offenders.join("\n"));
}

#[test]
fn the_scan_finds_a_literal() {
    assert_eq!(code_literals(r#"Diagnostic::error("E0403", "x") and "W0501""#), ["E0403", "W0501"]);
    assert!(code_literals(r#"codes::E0403, "E04031", "E040""#).is_empty());
}

#[test]
fn the_registry_is_sorted_unique_and_explained() {
    for pair in ALL.windows(2) {
        assert!(pair[0].code < pair[1].code, "{} before {}: not sorted, or twice", pair[0].code, pair[1].code);
    }
    for c in ALL {
        assert!(is_code(&c.code), "{} is not E or W and four digits", c.code);
        assert!(!c.summary.trim().is_empty() && !c.summary.contains('\n'), "{}: summary is not one line", c.code);
        assert!(!c.help.trim().is_empty() && !c.help.contains('\n'), "{}: help is empty or not one line", c.code);
    }
}

#[test]
fn a_code_is_looked_up_in_any_case() {
    assert_eq!(codes::lookup("e0304").map(|c| c.code), Some(codes::E0304));
    assert_eq!(codes::lookup(" W0501 ").map(|c| c.code.as_str()), Some("W0501"));
    assert!(codes::lookup("E9999").is_none());
}

#[test]
fn each_meaning_once() {
    // Two codes with the same summary would be one meaning under two codes.
    let mut summaries: Vec<&str> = ALL.iter().map(|c| c.summary).collect();
    summaries.sort_unstable();
    let before = summaries.len();
    summaries.dedup();
    assert_eq!(summaries.len(), before);
}

#[test]
fn the_reference_of_codes_in_docs_is_the_registry() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/diagnostics.md");
    let generated = codes::reference();
    if std::env::var_os("YARDSTICK_WRITE_DOCS").is_some() {
        fs::write(&path, &generated).unwrap();
    }
    let committed = fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/diagnostics.md differs from the registry; write it again with\n  YARDSTICK_WRITE_DOCS=1 cargo test the_reference_of_codes"
    );
    for info in ALL {
        assert!(committed.contains(&format!("\n### {}\n", info.code)), "{} has no entry", info.code);
    }
}

/// Codes no input can produce: each with why it has no case.
const WITHOUT_A_CASE: &[(&str, &str)] = &[
    ("E0610", "retired: an unbound source is note N0610 now"),
    ("E0802", "the engine failing on checked definitions is a bug: no input may produce it"),
];

/// Every code of the registry is produced by some test (a case of `diagnostics.rs` that
/// finds it where the mistake was made, or a test or snapshot that shows it), so that no
/// code is only ever read about.
#[test]
fn every_code_has_a_test_that_produces_it() {
    let tests = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/integration");
    let mut text = String::new();
    let mut stack = vec![tests.clone()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let own = path.file_name().is_some_and(|n| n == "codes.rs");
            if path.is_dir() {
                stack.push(path);
            } else if !own && path.extension().is_some_and(|e| e == "rs" || e == "snap") {
                text += &fs::read_to_string(&path).unwrap();
            }
        }
    }
    let missing: Vec<&str> = ALL
        .iter()
        .map(|c| c.code.as_str())
        .filter(|code| !WITHOUT_A_CASE.iter().any(|(c, _)| c == code))
        .filter(|code| ["\"", "[", "codes::"].iter().all(|before| !text.contains(&format!("{before}{code}"))))
        .collect();
    assert!(missing.is_empty(), "codes no test produces: {missing:?}");
    for (code, why) in WITHOUT_A_CASE {
        assert!(ALL.iter().any(|c| c.code == *code), "{code} ({why}) is not in the registry");
    }
}

#[test]
fn every_code_has_the_stage_the_reference_groups_it_under() {
    assert_eq!(codes::E0304.category(), "Names");
    assert_eq!(codes::E0701.category(), "Data");
    assert_eq!(codes::W1003.category(), "Warnings");
    assert_eq!(codes::N0610.category(), "Notes");
    for info in ALL {
        assert_ne!(info.code.category(), "Other", "{} belongs to no stage", info.code);
    }
}
