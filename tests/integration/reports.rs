//! Reports (SPEC section 9): the Acme example's Markdown reports as reviewed snapshots, the
//! HTML pages read with an HTML parser (inline charts, marks, nothing from the network),
//! a project template overriding the set's, and a template that reaches outside refused.

use crate::util::{acme_copy, yardstick};
use std::fs;
use std::path::Path;

/// The Acme example built as of `as_of` in a temporary copy; the copy and its output.
fn built(as_of: &str, edit: impl Fn(&Path)) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = acme_copy();
    edit(dir.path());
    let (code, _, err) = yardstick(&["build", "-p", dir.path().to_str().unwrap(), "--as-of", as_of, "--quiet"]);
    assert_eq!(code, 0, "{err}");
    let out = dir.path().join("out");
    (dir, out)
}

/// A report's Markdown with the build's time and the set's path, which vary, named.
fn steady(out: &Path, file: &str) -> String {
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    let text = fs::read_to_string(out.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
    text.replace(manifest["built_at"].as_str().unwrap(), "[built_at]")
}

#[test]
fn the_acme_reports_in_markdown() {
    let (_dir, out) = built("2025-12-31", |_| {});
    let mut files: Vec<String> =
        fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    files.sort();
    let expected = [
        // The marker that lets the next build replace the folder.
        ".yardstick-output",
        "catalog.html",
        "catalog.md",
        // The front page, which names the manifest's hash and so is not in it.
        "index.html",
        "leadership-2025-Q4.html",
        "leadership-2025-Q4.md",
        "management-review-2025.html",
        "management-review-2025.md",
        "manifest.json",
        "results.csv",
        "results.parquet",
        "scorecard-brno-2025-Q4.html",
        "scorecard-brno-2025-Q4.md",
        "scorecard-lyon-2025-Q4.html",
        "scorecard-lyon-2025-Q4.md",
        "scorecard-porto-2025-Q4.html",
        "scorecard-porto-2025-Q4.md",
        "trends.csv",
        "trends.parquet",
    ];
    assert_eq!(files, expected);
    // The manifest lists every report and table with its hash.
    let manifest = fs::read_to_string(out.join("manifest.json")).unwrap();
    for f in files.iter().filter(|f| !matches!(f.as_str(), "manifest.json" | ".yardstick-output" | "index.html")) {
        assert!(manifest.contains(&format!("\"file\": \"{f}\"")), "{f}");
    }
    for (name, file) in [
        ("leadership", "leadership-2025-Q4.md"),
        ("management_review", "management-review-2025.md"),
        ("scorecard_porto", "scorecard-porto-2025-Q4.md"),
        ("catalog", "catalog.md"),
    ] {
        insta::assert_snapshot!(name, steady(&out, file));
    }
}

#[test]
fn the_html_reports_are_self_contained_with_inline_charts_and_marks() {
    // As of 15 November 2025: 2025-Q4 is partial; Porto's ransomware of October 2023 and
    // Lyon's expansion of March 2023 are context events on the charts.
    // An event text with HTML and an image from elsewhere: shown as text, never loaded.
    let (_dir, out) = built("2025-11-15", |dir| {
        let context = dir.join("context.yaml");
        let event = "  - {date: 2025-08-01, site: porto, kind: audit, text: \"<script>alert(1)</script> ![x](https://example.com/x.png)\"}\n";
        fs::write(&context, fs::read_to_string(&context).unwrap() + event).unwrap();
    });
    let html = fs::read_to_string(out.join("scorecard-porto-2025-Q3.html")).unwrap();
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "the event's HTML shows as text");
    // Formulas read as written: escaped once, not twice.
    assert!(fs::read_to_string(out.join("catalog.html")).unwrap().contains("<code>sum(fire_drills) / count()</code>"));
    let page = scraper::Html::parse_document(&html);
    let select = |s: &str| scraper::Selector::parse(s).unwrap();
    let figures = page.select(&select("figure.chart")).count();
    assert!(figures >= 30, "a chart per metric: {figures}");
    assert_eq!(page.select(&select("figure.chart > svg")).count(), figures, "every chart is an inline svg");
    let texts: Vec<String> =
        page.select(&select("svg text")).map(|t| t.text().collect::<String>().trim().to_string()).collect();
    assert!(texts.iter().any(|t| t == "partial"), "the partial period is marked");
    assert!(texts.iter().any(|t| t == "event: major_incident"), "Porto's event is marked");
    assert!(texts.iter().any(|t| t == "rollout"), "the rollout is marked");
    // Nothing is loaded from anywhere: no script, no stylesheet link, no source or link
    // to another place.
    assert_eq!(page.select(&select("script, link, iframe, img, object, embed")).count(), 0);
    for element in page.select(&select("[src], [href]")) {
        let attrs = element.value();
        let target = attrs.attr("src").or(attrs.attr("href")).unwrap();
        assert!(target.starts_with('#'), "{target}");
    }
    assert!(!html.contains("url(") && !html.contains("@import"), "no style loads anything");
    // Statuses: judged ones coloured, pending ones not.
    let leadership = scraper::Html::parse_document(&fs::read_to_string(out.join("leadership-2025-Q3.html")).unwrap());
    let statuses: Vec<String> =
        leadership.select(&select("span.status")).map(|s| s.value().attr("class").unwrap().to_string()).collect();
    assert!(statuses.iter().any(|c| c == "status green") || statuses.iter().any(|c| c == "status red"), "{statuses:?}");
    for s in leadership.select(&select("span.status")) {
        let word: String = s.text().collect();
        if ["pending", "baseline", "no data", "not collected"].contains(&word.as_str()) {
            assert_eq!(s.value().attr("class"), Some("status unjudged"), "{word}");
        }
    }
}

#[test]
fn a_project_template_overrides_the_sets() {
    let (_dir, out) = built("2025-12-31", |dir| {
        fs::create_dir_all(dir.join("reports")).unwrap();
        let own = "# Our own leadership page, {{ report.period }}\n\n{% for m in metrics if \"leadership\" in m.tags %}- {{ m.id }}\n{% endfor %}";
        fs::write(dir.join("reports/leadership.md.j2"), own).unwrap();
    });
    let text = fs::read_to_string(out.join("leadership-2025-Q4.md")).unwrap();
    assert!(text.starts_with("# Our own leadership page, 2025-Q4\n"), "{text}");
    assert!(text.contains("- containment_hours_significant\n"), "{text}");
    // The other reports are still the set's.
    assert!(fs::read_to_string(out.join("catalog.md")).unwrap().starts_with("# Metric catalog"));
}

#[test]
fn a_template_that_reaches_outside_the_report_folders_fails_clearly() {
    let dir = acme_copy();
    fs::create_dir_all(dir.path().join("reports")).unwrap();
    fs::write(dir.path().join("reports/leadership.md.j2"), "{% include \"../yardstick.yaml\" %}").unwrap();
    let (code, _, err) = yardstick(&["build", "-p", dir.path().to_str().unwrap(), "--as-of", "2025-12-31", "--quiet"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("`../yardstick.yaml` is outside the report folders"), "{err}");
    assert!(err.contains("report `leadership`"), "{err}");
    assert!(!dir.path().join("out").exists(), "nothing written");
}

#[test]
fn reports_metrics_and_query_by_tag_follow_the_sets_order() {
    // The shipped set's `order:` puts the impact that carries the target first, then the
    // disruptions and downtime behind it, then the times to detect and to contain.
    let headings = [
        "## Security-related downtime per 1,000 production hours",
        "## Security-related disruptions on critical lines",
        "## Security-related downtime on critical lines",
        "## Time to detect significant incidents (median)",
        "## Time to contain significant incidents (median)",
    ];
    let (_dir, out) = built("2025-12-31", |_| {});
    let report = fs::read_to_string(out.join("leadership-2025-Q4.md")).unwrap();
    let at: Vec<usize> = headings.iter().map(|h| report.find(h).unwrap_or_else(|| panic!("{h}: {report}"))).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{at:?}");
    let set = Path::new(env!("CARGO_MANIFEST_DIR")).join("metrics");
    let (code, listed, err) = yardstick(&["metrics", "-p", set.to_str().unwrap(), "--tag", "leadership"]);
    assert_eq!(code, 0, "{err}");
    let first: Vec<&str> = listed.lines().skip(4).take(3).filter_map(|l| l.split_whitespace().next()).collect();
    assert_eq!(first, ["security_downtime_per_1000_hours", "security_disruptions", "security_downtime_hours"]);
}

#[test]
fn a_build_opens_with_a_front_page_linking_every_report_and_naming_the_manifests_hash() {
    let (_dir, out) = built("2025-12-31", |_| {});
    let front = fs::read_to_string(out.join("index.html")).unwrap();
    let manifest_text = fs::read(out.join("manifest.json")).unwrap();
    let manifest: serde_json::Value = serde_json::from_slice(&manifest_text).unwrap();
    // Every report the manifest lists is linked; the front page is not among its outputs.
    let outputs: Vec<&str> =
        manifest["outputs"].as_array().unwrap().iter().map(|o| o["file"].as_str().unwrap()).collect();
    assert!(!outputs.contains(&"index.html"), "{outputs:?}");
    for file in outputs.iter().filter(|f| f.ends_with(".html") || f.ends_with(".md")) {
        assert!(front.contains(&format!("<a href=\"{file}\">")), "{file} not linked");
    }
    // The manifest's own hash, computed here from its bytes.
    let hash = format!("blake3:{}", blake3::hash(&manifest_text).to_hex());
    assert!(front.contains(&hash), "{hash}");
    // The day, the set and its version, each site and Porto's coverage, a caveat.
    for said in [
        "acme-isms: ISMS metrics as of 2025-12-31",
        "definition set iso27001-benefits 3.0.0",
        "porto (Porto legacy paint shop)",
        "downtime: from 2022-07-01 on, manual",
        "risk_register is collected by hand",
    ] {
        assert!(front.contains(said), "{said}: {front}");
    }
    assert!(front.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
}

#[test]
fn a_report_may_not_take_the_front_pages_name() {
    let dir = acme_copy();
    let yaml = dir.path().join("yardstick.yaml");
    let text = fs::read_to_string(&yaml).unwrap().replace("out: \"catalog.md\"", "out: \"index.md\"");
    assert!(text.contains("out: \"index.md\""), "the example names its catalog catalog.md");
    fs::write(&yaml, text).unwrap();
    let (code, _, err) = yardstick(&["check", "-p", dir.path().to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("[E0623] Error: report `out: index.md` is the build's front page (index.html)"), "{err}");
}

#[test]
fn a_single_site_project_shows_no_pooled_row_that_repeats_the_site() {
    // Lyon alone: its pooled `all` row is Lyon's again; reports show it once, while
    // results.csv keeps the pooled row for whoever reads it by machine.
    let (_dir, out) = built("2025-12-31", |root| {
        let yaml = root.join("yardstick.yaml");
        let text = fs::read_to_string(&yaml).unwrap();
        let (head, rest) = text.split_once("  brno:\n").unwrap();
        let (_, tail) = rest.split_once("sources:\n").unwrap();
        fs::write(&yaml, format!("{head}sources:\n{tail}")).unwrap();
        let context = root.join("context.yaml");
        let kept: String = fs::read_to_string(&context)
            .unwrap()
            .lines()
            .filter(|l| !l.contains("site: brno") && !l.contains("site: porto"))
            .map(|l| format!("{l}\n"))
            .collect();
        fs::write(&context, kept).unwrap();
    });
    let report = fs::read_to_string(out.join("leadership-2025-Q4.md")).unwrap();
    assert!(report.contains("| lyon |"), "{report}");
    assert!(!report.contains("| all |"), "{report}");
    assert!(!report.contains("; all "), "no pooled trend: {report}");
    let results = fs::read_to_string(out.join("results.csv")).unwrap();
    assert!(results.lines().any(|l| l.contains(",all,")), "results.csv keeps the pooled rows");
}
