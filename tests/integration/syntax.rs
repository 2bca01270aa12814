//! How the parser reads every construct of the expression language (SPEC section 6),
//! shown as S-expressions so the grouping is visible.

use yardstick::diag::FileId;
use yardstick::syntax::{Expr, ScalarMap, parse_expr, tree_expr};

pub fn parse(text: &str) -> Result<Expr, String> {
    parse_expr(text, &ScalarMap::identity(FileId(0), 0, text.len())).map_err(|d| {
        let span = d.span.unwrap_or_default();
        format!(
            "{} at {}..{} ({}; {})",
            d.message,
            span.start,
            span.end,
            d.label.as_deref().unwrap_or(""),
            d.help.as_deref().unwrap_or("")
        )
    })
}

fn trees(inputs: &[&str]) -> String {
    inputs
        .iter()
        .map(|src| match parse(src) {
            Ok(e) => format!("{src}\n  => {}", tree_expr(&e)),
            Err(msg) => format!("{src}\n  => ERROR {msg}"),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn literals() {
    insta::assert_snapshot!(trees(&[
        "42",
        "3.5",
        "95%",
        "12.5%",
        r#""text with \"quotes\"""#,
        "true",
        "false",
        "null",
        "@2025-01-31",
        "@2025-01-31T08:00:00Z",
        "@2025-01-31T08:00:00+02:00",
        "@2025-01-31T08:00:00",
        "[1, 2, 3]",
        "[]",
        r#"["SEV1", "SEV2",]"#,
    ]));
}

#[test]
fn names_and_calls() {
    insta::assert_snapshot!(trees(&[
        "severity",
        "incident_severity.SEV1",
        "asset.criticality",
        "period_start",
        "count()",
        "count(severity == incident_severity.SEV1)",
        "percentile(hours_between(detected_at, contained_at), 90)",
        "if(a, b, coalesce(c, d, 0))",
        "not_a_keyword_prefix",
        "android and order_id",
    ]));
}

#[test]
fn operators_and_precedence() {
    insta::assert_snapshot!(trees(&[
        "a or b and c",
        "not a == b",
        "not a and b",
        "a == b or c != d",
        "x < 1 or x <= 2 or x > 3 or x >= 4",
        "cause in root_cause.security_related",
        "cause not in [root_cause.cyber_event, root_cause.unknown]",
        "occurred_at is null",
        "occurred_at is not null and contained_at is null",
        "detected_at between period_start and period_end",
        "x between 1 and 2 and y",
        "x between -1 + 2 and 3 * 4",
        "factors has contributing_factor.missing_logs",
        "factors has any [contributing_factor.missing_logs, contributing_factor.uncontrolled_access]",
        "controls has all attribute(asset_class, \"controls_required\") and criticality == criticality.high",
        "controls has all_verified",
        "a + b * c - d / e",
        "(a + b) * c",
        "-a * b",
        "- (a + b)",
        "sum(x) / 60",
        "a - b - c",
        "a / b / c",
        "not not a",
    ]));
}

#[test]
fn syntax_errors_name_what_was_expected() {
    insta::assert_snapshot!(trees(&[
        "sum(x",
        "a ==",
        "a = b",
        "severity == 'SEV1'",
        "@2025-13-01",
        "99999999999999999999",
        "x between 1",
        "and",
    ]));
}
