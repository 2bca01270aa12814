//! SPEC section 6: no input, however malformed, makes `check` panic or abort. Empty files
//! are clear errors; random expressions and YAML documents come back as diagnostics.

use crate::util::{compile, copy_dir, fixture};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{Config, TestRunner};
use std::fs;
use std::path::Path;
use std::process::Command;
use yardstick::diag::{codes, render_all};

const METRIC: &str = "set/metrics/outcome/production_hours.yaml";
const FILES: &[&str] = &[
    METRIC,
    "set/vocab/incident_severity.yaml",
    "set/sources/incidents.yaml",
    "set/set.yaml",
    "project/yardstick.yaml",
    "project/sites/lyon.yaml",
    "project/context.yaml",
];

/// Checks the project in `root` and renders what it found: neither may panic.
fn check_survives(root: &Path) -> Result<(), TestCaseError> {
    let outcome = std::panic::catch_unwind(|| {
        let (_, diags, sources) = compile(&root.join("project"));
        render_all(diags.iter(), &sources, false)
    });
    prop_assert!(outcome.is_ok(), "check panicked");
    Ok(())
}

/// `cases` cases, or as many as PROPTEST_CASES says, for a longer hunt.
pub fn runner(cases: u32) -> TestRunner {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(cases);
    TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() })
}

#[test]
fn an_empty_or_comment_only_file_is_an_error_naming_it() {
    for file in FILES {
        for text in ["", "\n\n", "# nothing here yet\n\n# still nothing\n", "---\n", "--- # a comment\n...\n"] {
            let dir = tempfile::tempdir().unwrap();
            copy_dir(&fixture("spec"), dir.path());
            fs::write(dir.path().join(file), text).unwrap();
            let (checked, diags, sources) = compile(&dir.path().join("project"));
            assert!(checked.is_none(), "{file} {text:?}");
            let all: Vec<_> = diags.iter().map(|d| (d.code.as_str(), d.message.clone())).collect();
            let d = diags.iter().find(|d| d.code == codes::E0120).unwrap_or_else(|| panic!("{file} {text:?}: {all:?}"));
            assert!(d.message.contains(file), "{}", d.message);
            assert!(d.path.as_ref().is_some_and(|p| p.ends_with(file)));
            assert_eq!(all.len(), 1, "{file} {text:?}: reported once, not at every use: {all:?}");
            let rendered = render_all(diags.iter(), &sources, false);
            assert!(rendered.contains(&format!("[E0120] Error: {}", dir.path().join(file).display())), "{rendered}");
        }
    }
}

#[test]
fn a_remaining_panic_is_one_line_asking_for_a_report() {
    let command = ["yardstick", "check", "-p", "examples/acme"].map(String::from);
    let line = yardstick::cli::bug_line("index out of bounds:\nthe len is 0", "src/x.rs:1:2", &command);
    assert_eq!(
        line,
        "yardstick: internal error (a bug): index out of bounds: the len is 0 at src/x.rs:1:2; \
         please report it with the command you ran: yardstick check -p examples/acme"
    );
}

#[test]
fn output_that_cannot_be_written_is_an_error_not_a_panic() {
    // A full disk: writing the summary fails.
    let Ok(full) = fs::File::create("/dev/full") else { return };
    let out = Command::new(env!("CARGO_BIN_EXE_yardstick"))
        .args(["check", "-p", "examples/acme"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(full)
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.lines().any(|l| l.starts_with("error: cannot write the output: ")), "{err}");
    assert!(!err.contains("internal error"), "{err}");
}

const OPENERS: &[&str] =
    &["(", "[", "not ", "-", "- -", "coalesce(", "count(", "sum(", "x + (", "not (", "a == not ", "[(", "if(true, "];
const ATOMS: &[&str] = &[
    "1",
    "2.5",
    "95%",
    "\"SEV1\"",
    "\"un\\\"terminated",
    "true",
    "null",
    "@2025-01-31",
    "@2025-02-30",
    "@2025-01-31T08:00:00+01:00",
    "99999999999999999999",
    "duration_min",
    "line",
    "started_at",
    "site",
    "asset.criticality",
    "criticality.critical",
    "root_cause.security_related",
    "a.b.c",
    "count()",
    "sum(duration_min)",
    "percentile(duration_min, 90)",
    "value",
    "production_hours",
    "period_end",
    "é",
];
/// What may stand between atoms: the binary operators, and the rest of the grammar's
/// infixes and separators.
const INFIXES: &[&str] = &[" is null", " is not null", " between 1 and ", ", ", " "];

/// What closes the brackets `opener` opens.
fn closer(opener: &str) -> String {
    let close = |c| match c {
        '(' => Some(')'),
        '[' => Some(']'),
        '{' => Some('}'),
        _ => None,
    };
    opener.chars().rev().filter_map(close).collect()
}

/// Expressions nested up to a few hundred levels, closed, unclosed or closed at random.
fn nested_expression() -> impl Strategy<Value = String> {
    let closing = prop_oneof![
        Just(None),
        Just(Some(Vec::new())),
        prop::collection::vec(select(&[")", "]"][..]), 0..300).prop_map(Some)
    ];
    (
        prop::collection::vec(select(OPENERS), 0..300),
        prop::collection::vec((select(ATOMS), select([BINARY, INFIXES].concat())), 0..40),
        select(ATOMS),
        closing,
    )
        .prop_map(|(openers, middle, last, closing)| {
            let mut text = openers.concat();
            for (atom, op) in middle {
                text.push_str(atom);
                text.push_str(op);
            }
            text.push_str(last);
            match closing {
                None => {}
                Some(random) if !random.is_empty() => text.push_str(&random.concat()),
                Some(_) => text.extend(openers.iter().rev().map(|o| closer(o))),
            }
            text
        })
}

/// Operands that parse.
fn operand() -> impl Strategy<Value = &'static str> {
    select(
        ATOMS
            .iter()
            .copied()
            .filter(|a| !["\"un\\\"terminated", "@2025-02-30", "99999999999999999999", "é"].contains(a))
            .collect::<Vec<_>>(),
    )
}

const BINARY: &[&str] = &[
    " or ",
    " and ",
    " == ",
    " != ",
    " < ",
    " >= ",
    " + ",
    " - ",
    " * ",
    " / ",
    " in ",
    " not in ",
    " has ",
    " has any ",
    " has all ",
];

/// `a op b op c ...`: one tree level per operator. (Chains up to the operator limit are
/// in `limits`: each of their many errors quotes a long line, slow to render in a debug
/// build.)
fn flat_chain(max: usize) -> impl Strategy<Value = String> {
    (operand(), prop::collection::vec((select(BINARY), operand()), 0..max)).prop_map(|(first, rest)| {
        let mut text = first.to_string();
        text.extend(rest.into_iter().flat_map(|(op, operand)| [op, operand]));
        text
    })
}

/// Ways to nest an expression `X` one level deeper, each of which parses.
const WRAPPERS: &[(&str, &str)] = &[
    ("(", ")"),
    ("not ", ""),
    ("-", ""),
    ("coalesce(", ", 0)"),
    ("[", "]"),
    ("sum(", ")"),
    ("count(", ")"),
    ("if(", ", 1, 2)"),
    ("(", " + 1) * 2"),
    ("", " is null"),
    ("", " or true"),
    ("", " between 1 and 2"),
    ("", " in [1, 2]"),
];

/// A small expression wrapped in parseable layers, mostly within the nesting limit.
fn wrapped() -> impl Strategy<Value = String> {
    let layers = prop_oneof![3 => prop::collection::vec(select(WRAPPERS), 0..70), 1 => prop::collection::vec(select(WRAPPERS), 0..300)];
    (flat_chain(8), layers).prop_map(|(inner, layers)| {
        let open: String = layers.iter().rev().map(|(open, _)| *open).collect();
        let close: String = layers.iter().map(|(_, close)| *close).collect();
        format!("{open}{inner}{close}")
    })
}

fn expression() -> impl Strategy<Value = String> {
    let token = select([OPENERS, ATOMS, BINARY, INFIXES, &[")", "]", "\"", "@", "%", ".", "\\"]].concat());
    prop_oneof![
        4 => wrapped(),
        2 => flat_chain(100),
        2 => nested_expression(),
        1 => prop::collection::vec(token, 0..400).prop_map(|t| t.concat()),
        1 => "\\PC{0,200}",
    ]
}

/// `text` as a YAML block scalar under `key`, whatever characters it holds.
fn block(key: &str, text: &str, indent: &str) -> String {
    format!("{indent}{key}: |-\n{indent}  {}\n", text.replace('\n', &format!("\n{indent}  ")))
}

#[test]
fn random_expressions_never_crash_check() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("spec"), dir.path());
    let path = dir.path().join(METRIC);
    let original = fs::read_to_string(&path).unwrap();
    let clause = select(&["where", "value", "green", "change"][..]);
    runner(64)
        .run(&(clause, expression()), |(clause, expr)| {
            let text = match clause {
                "value" => original.replace("value: sum(duration_min) / 60\n", &block("value", &expr, "")),
                "where" => format!("{original}{}", block("where", &expr, "")),
                "green" => format!("{original}thresholds:\n{}", block("green", &expr, "  ")),
                _ => format!("{original}target:\n{}", block("change", &expr, "  ")),
            };
            fs::write(&path, text).unwrap();
            check_survives(dir.path())
        })
        .unwrap();
}

const YAML_TOKENS: &[&str] = &[
    "metric:", "value:", "where:", "a:", "- ", "[", "]", "{", "}", ", ", ": ", "\n", "  ", "\"", "'", "&a ", "*a",
    "!!str ", "!!map ", "|", ">-", "# c", "---", "...", "? ", "~", "null", "1.5", "@", "%", "\t", "\\", "\u{feff}",
];

/// YAML documents: empty, deeply nested (flow and block), huge, random tokens, random
/// bytes, or the real metric with random text inserted or a value replaced.
fn yaml_document(original: String) -> impl Strategy<Value = Vec<u8>> {
    let len = original.len();
    let tokens = || prop::collection::vec(select(YAML_TOKENS), 0..400).prop_map(|t| t.concat());
    let inserted = (0..=len, prop::collection::vec(select(YAML_TOKENS), 1..5)).prop_map({
        let original = original.clone();
        move |(at, t)| {
            let at = (0..=at).rev().find(|i| original.is_char_boundary(*i)).unwrap_or(0);
            format!("{}{}{}", &original[..at], t.concat(), &original[at..])
        }
    });
    let replaced =
        (select(&["sum(duration_min) / 60", "{event: started_at}", "outcome", "quarter", "1"][..]), tokens())
            .prop_map(move |(value, t)| original.replacen(value, &t, 1));
    let text = prop_oneof![
        1 => select(&["", "\n", "# only a comment\n", "---\n", "~\n", "[]\n", "metric:\n"][..]).prop_map(String::from),
        1 => (select(&["[", "{a: ", "{", "[a, ", "- ", "? "][..]), 1usize..3_000, any::<bool>()).prop_map(|(open, n, close)| {
            let closing: String = if close { closer(&open.repeat(n)) } else { String::new() };
            format!("{}{closing}\n", open.repeat(n))
        }),
        1 => (1usize..1_500, any::<bool>()).prop_map(|(n, seq)| {
            (0..n).map(|i| format!("{}{}\n", "  ".repeat(i), if seq { "-" } else { "k:" })).collect()
        }),
        1 => (1usize..1_000, 0usize..20_000).prop_map(|(keys, long)| {
            let mut text = format!("metric: production_hours\ntitle: {}\n", "x".repeat(long));
            text.extend((0..keys).map(|i| format!("k{i}: [{i}, {{a: b}}]\n")));
            text
        }),
        1 => tokens(),
        2 => inserted,
        2 => replaced,
    ];
    prop_oneof![9 => text.prop_map(String::into_bytes), 1 => prop::collection::vec(any::<u8>(), 0..2_000)]
}

#[test]
fn random_yaml_documents_never_crash_check() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("spec"), dir.path());
    let original = fs::read_to_string(dir.path().join(METRIC)).unwrap();
    // Mostly the metric file; the other kinds of file now and then.
    let file = prop_oneof![3 => Just(METRIC), 1 => select(FILES)];
    runner(64)
        .run(&(file, yaml_document(original.clone())), |(file, bytes)| {
            let path = dir.path().join(file);
            let before = fs::read(&path).unwrap();
            fs::write(&path, bytes).unwrap();
            let survived = check_survives(dir.path());
            fs::write(&path, before).unwrap();
            survived
        })
        .unwrap();
}
