//! SPEC section 6: an expression nested deeper than 64 levels, longer than 10,000
//! characters or with more than 1,000 operators is a compile error naming the limit, never
//! a crash; up to the limits it checks, even in a test thread's 2 MiB stack.

use crate::syntax::parse;
use crate::util::{compile, copy_dir, fixture};
use std::fs;
use yardstick::check::Checked;
use yardstick::diag::{Diagnostics, Sources, codes};
use yardstick::ir::MetricBody;
use yardstick::syntax::{MAX_CHARS, MAX_DEPTH, MAX_OPERATORS, print_expr, tree_expr};

const METRIC: &str = "set/metrics/outcome/production_hours.yaml";

/// Checks the SPEC fixture with `key: expr` in one of its metrics.
fn check_with(key: &str, expr: &str) -> (Option<Checked>, Diagnostics, Sources) {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("spec"), dir.path());
    let path = dir.path().join(METRIC);
    let text = fs::read_to_string(&path).unwrap();
    let text = match key {
        "value" => text.replace("value: sum(duration_min) / 60", &format!("value: |-\n  {expr}")),
        _ => format!("{text}{key}: |-\n  {expr}\n"),
    };
    fs::write(&path, text).unwrap();
    compile(&dir.path().join("project"))
}

/// The one error of a check, which must have `code` and underline text in the metric.
fn only_error(key: &str, expr: &str, code: yardstick::diag::codes::Code) -> String {
    let (checked, diags, sources) = check_with(key, expr);
    assert!(checked.is_none());
    let all: Vec<_> = diags.iter().map(|d| (d.code.as_str(), d.message.clone())).collect();
    assert_eq!(all.len(), 1, "{all:?}");
    let d = &diags.0[0];
    assert_eq!(d.code, code, "{all:?}");
    let span = d.span.expect("a span");
    assert!(sources.path(span.file).ends_with(METRIC));
    let underlined = &sources.text(span.file)[span.start as usize..span.end as usize];
    assert!(!underlined.is_empty() && expr.contains(underlined.trim()), "{underlined:?}");
    d.message.clone()
}

fn chain(term: &str, op: &str, terms: usize) -> String {
    vec![term; terms].join(&format!(" {op} "))
}

#[test]
fn the_20000_deep_and_long_cases_are_errors_not_crashes() {
    let parens = format!("{}true{}", "(".repeat(20_000), ")".repeat(20_000));
    let message = only_error("where", &parens, codes::E0203);
    assert!(message.contains("40,004 characters") && message.contains("10,000"), "{message}");
    only_error("where", &chain("true", "or", 20_000), codes::E0203);
    only_error("where", &format!("{}true", "not ".repeat(20_000)), codes::E0203);
}

#[test]
fn deep_nesting_within_the_length_is_an_error() {
    let parens = format!("{}true{}", "(".repeat(4_000), ")".repeat(4_000));
    let message = only_error("where", &parens, codes::E0204);
    assert!(message.contains(&MAX_DEPTH.to_string()), "{message}");
    only_error("where", &format!("{}true", "not ".repeat(2_000)), codes::E0204);
    only_error("value", &format!("{}count()", "-".repeat(5_000)), codes::E0204);
    only_error("where", &chain("not true", "==", 500), codes::E0204);
    only_error("value", &format!("{}count(){}", "coalesce(".repeat(500), ")".repeat(500)), codes::E0204);
}

#[test]
fn a_flat_chain_within_the_length_is_an_error_past_the_operator_limit() {
    // The longest chain 10,000 characters allow: 5,000 terms.
    let value = format!("count(){}", " + 1".repeat(MAX_CHARS / 4 - 2));
    let message = only_error("value", &value, codes::E0205);
    assert!(message.contains("1,000 operators"), "{message}");
    only_error("where", &chain("true", "or", MAX_OPERATORS + 2), codes::E0205);
}

#[test]
fn expressions_at_the_limits_check_in_a_test_threads_stack() {
    let ok = |key: &str, expr: &str| {
        let (checked, diags, _) = check_with(key, expr);
        let all: Vec<_> = diags
            .iter()
            .filter(|d| !crate::util::is_pitfall(d))
            .map(|d| (d.code.as_str(), d.message.clone()))
            .collect();
        assert!(checked.is_some() && all.is_empty(), "{all:?}");
        // Every pass over the tree copes too: printing, comparing, showing the IR. (The
        // printed text may nest deeper than the limit: `a == not b` prints as `a == (not b)`.)
        let ast = parse(expr).unwrap();
        assert!(!print_expr(&ast).is_empty() && !tree_expr(&ast).is_empty());
        assert_eq!(ast.without_spans(), ast.clone().without_spans());
        let metric = checked.unwrap().set.metrics.into_iter().find(|m| m.id.0 == "production_hours").unwrap();
        let MetricBody::Base(base) = metric.body else { panic!("a base metric") };
        assert!(!format!("{} {}", base.value, base.filter.map(|f| f.to_string()).unwrap_or_default()).is_empty());
    };
    ok("where", &chain("true", "or", MAX_OPERATORS + 1));
    ok("value", &format!("count(){}", " + 1".repeat(MAX_OPERATORS)));
    let nested = |inner: &str| format!("{}{inner}{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
    ok("where", &nested(&chain("true", "and", MAX_OPERATORS + 1)));
    ok("where", &format!("{}true", "not ".repeat(MAX_DEPTH)));
    ok("where", &chain("not true", "==", MAX_DEPTH));
    let calls = format!("{}duration_min{}", "coalesce(".repeat(MAX_DEPTH - 1), ", 0)".repeat(MAX_DEPTH - 1));
    ok("value", &format!("sum({calls})"));
    ok("value", &format!("sum({}duration_min)", "-".repeat(MAX_DEPTH - 1)));
}
