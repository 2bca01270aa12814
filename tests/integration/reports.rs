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
    let captions: String = page.select(&select("figcaption")).map(|c| c.text().collect::<String>()).collect();
    assert!(captions.contains("partial period"), "the partial period is marked (a hollow point, in the legend)");
    assert!(captions.contains("2023-10-09: major incident (2023-Q4)"), "Porto's event is numbered and told");
    assert!(captions.contains("2025-08-01: audit (2025-Q3)"), "the added event too");
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
    assert!(!report.contains("| all |") && !report.contains("| all sites |"), "{report}");
    assert!(!report.contains("; all "), "no pooled trend: {report}");
    let results = fs::read_to_string(out.join("results.csv")).unwrap();
    assert!(results.lines().any(|l| l.contains(",all,")), "results.csv keeps the pooled rows");
}

/// The metric ids of the set's `order:` list, read from set.yaml as a person reads it.
fn set_order() -> Vec<String> {
    let set = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("metrics/set.yaml")).unwrap();
    let after = set.split("\norder:\n").nth(1).unwrap();
    after.lines().map_while(|l| l.strip_prefix("  - ")).map(str::to_string).collect()
}

/// A metric file's `title:` and whether its tags hold `leadership`.
fn metric_file(id: &str) -> (String, bool) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("metrics/metrics");
    for layer in ["outcome", "risk", "activity"] {
        if let Ok(text) = fs::read_to_string(root.join(layer).join(format!("{id}.yaml"))) {
            let title = text.lines().find_map(|l| l.strip_prefix("title: ")).unwrap().to_string();
            let tags = text.lines().find_map(|l| l.strip_prefix("tags: ")).unwrap_or_default();
            return (title, tags.contains("leadership"));
        }
    }
    panic!("no metric file for {id}")
}

#[test]
fn every_report_opens_with_the_answer_in_the_sets_order() {
    let (_dir, out) = built("2025-12-31", |_| {});
    let text = fs::read_to_string(out.join("leadership-2025-Q4.md")).unwrap();
    // The first section is the glance, before any metric's.
    let first = text.lines().find(|l| l.starts_with("## ")).unwrap();
    assert_eq!(first, "## At a glance: all sites, 2025-Q4");
    let glance = text.split("## At a glance").nth(1).unwrap().split("**Improved").next().unwrap();
    let titles: Vec<&str> = (glance.lines())
        .filter(|l| l.starts_with("| ") && !l.starts_with("| metric"))
        .map(|l| l.split(" | ").next().unwrap().trim_start_matches("| "))
        .collect();
    // The leadership metrics of the set's order, in that order, lead the table.
    let ordered: Vec<String> =
        set_order().iter().map(|id| metric_file(id)).filter(|(_, lead)| *lead).map(|(t, _)| t).collect();
    assert!(ordered.len() >= 8, "{ordered:?}");
    assert_eq!(&titles[..ordered.len()], ordered.as_slice(), "{glance}");
    // A status is a glyph and a word; never colour alone.
    assert!(glance.contains("| ✓ green |") && glance.contains("| △ amber |"), "{glance}");
    // Every leadership metric pooled better than its baseline with evidence in 2025-Q4
    // (read from results.csv) is named among the improvements.
    let csv = fs::read_to_string(out.join("results.csv")).unwrap();
    let head: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let col = |name: &str| head.iter().position(|h| *h == name).unwrap();
    let improved = text.split("**Improved, with evidence:**").nth(1).unwrap().lines().next().unwrap();
    let mut named = 0;
    for line in csv.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        // Columns up to `change` hold no comma (a note after them may be quoted).
        if cells[col("site")] != "all" || cells[col("period")] != "2025-Q4" {
            continue;
        }
        let (title, lead) = metric_file(cells[col("metric")]);
        if lead && cells[col("change")] == "better" && cells[col("kind")..=col("domain")].iter().all(|d| d.is_empty()) {
            assert!(improved.contains(&format!("{title} at all sites (")), "{title}: {improved}");
            named += 1;
        }
    }
    assert!(named >= 2, "{improved}");
    assert!(text.contains("**Cannot be judged yet:**") && text.contains("**What else may explain a change:**"));
    // A scorecard opens with its site's glance: the set's headline metrics and any other
    // that is red.
    let lyon = fs::read_to_string(out.join("scorecard-lyon-2025-Q4.md")).unwrap();
    assert_eq!(lyon.lines().find(|l| l.starts_with("## ")), Some("## At a glance: lyon, 2025-Q4"));
    let lyon_glance = lyon.split("**Improved").next().unwrap();
    for id in set_order() {
        assert!(lyon_glance.contains(&format!("| {} |", metric_file(&id).0)), "{id}");
    }
    assert!(lyon.contains("other metric(s), none red or worse than its baseline, are in the sections below"));
}

#[test]
fn charts_show_their_evidence_and_every_metric_with_by_has_small_multiples() {
    let (_dir, out) = built("2025-12-31", |_| {});
    let html = fs::read_to_string(out.join("scorecard-porto-2025-Q4.html")).unwrap();
    let page = scraper::Html::parse_document(&html);
    let select = |s: &str| scraper::Selector::parse(s).unwrap();
    // Under Breakdowns, each metric with `by` has its panels, one per dimension value.
    let breakdowns = html.split("<h2>Breakdowns</h2>").nth(1).unwrap().split("<h2>").next().unwrap();
    let sections: Vec<&str> = breakdowns.split("<h3>").skip(1).collect();
    assert!(sections.len() >= 3, "{}", sections.len());
    for section in sections {
        let title = section.split("</h3>").next().unwrap();
        assert!(section.contains("<figure class=\"chart\">"), "{title} has no chart");
        assert!(section.contains("one panel per value on one scale"), "{title}");
    }
    // Every chart is an image whose text alternative gives its numbers, and whose caption
    // carries the legend's samples.
    let figures: Vec<_> = page.select(&select("figure.chart")).collect();
    assert!(figures.len() >= 30);
    for f in &figures {
        let svg = f.select(&select("svg[role=img]")).next().expect("an svg image");
        let alt = svg.value().attr("aria-label").unwrap();
        assert!(alt.chars().any(|c| c.is_ascii_digit()), "{alt}");
        assert!(f.select(&select("figcaption .key svg")).next().is_some(), "a legend sample");
    }
    // Porto's trend of security downtime: the baseline and the target
    // labelled with their values, the ransomware of October 2023 numbered in the lane and
    // spelt out in the caption.
    let downtime = figures
        .iter()
        .find(|f| {
            f.text().collect::<String>().contains("Security-related downtime per 1,000 production hours at porto")
        })
        .unwrap();
    let texts: Vec<String> =
        downtime.select(&select("svg text")).map(|t| t.text().collect::<String>().trim().to_string()).collect();
    assert!(
        texts.iter().any(|t| t.starts_with("baseline ")) && texts.iter().any(|t| t.starts_with("target ")),
        "{texts:?}"
    );
    assert!(texts.iter().any(|t| t == "rollout") && texts.iter().any(|t| t == "1"), "{texts:?}");
    let caption: String = downtime.select(&select("figcaption")).next().unwrap().text().collect();
    assert!(caption.contains("2023-10-09: major incident (2023-Q4)"), "{caption}");
    assert!(caption.contains("baseline") && caption.contains("target"), "{caption}");
    // A count's chart draws its interval as a band, and says so in its legend.
    let disruptions = (figures.iter())
        .find(|f| f.text().collect::<String>().contains("Security-related disruptions on critical lines at porto"))
        .unwrap();
    assert!(disruptions.select(&select("svg polygon")).next().is_some(), "the band");
    let caption: String = disruptions.select(&select("figcaption")).next().unwrap().text().collect();
    assert!(caption.contains("interval"), "{caption}");
    // A count without `window:` draws the rolling year over its quarters: at each quarter,
    // the mean of the last four, read here from results.csv (the chart's text alternative
    // gives the line's numbers).
    let incidents = (figures.iter())
        .find(|f| f.text().collect::<String>().contains("Security incidents in production systems at porto"))
        .unwrap();
    let caption: String = incidents.select(&select("figcaption")).next().unwrap().text().collect();
    assert!(caption.contains("rolling: the last 4 periods"), "{caption}");
    let alt = incidents.select(&select("svg[role=img]")).next().unwrap().value().attr("aria-label").unwrap();
    let (_, rolling) = alt.split_once("rolling: the last 4 periods: ").unwrap();
    let rolling = rolling.split(';').next().unwrap();
    let results = fs::read_to_string(out.join("results.csv")).unwrap();
    let mut lines = results.lines();
    let head: Vec<&str> = lines.next().unwrap().split(',').collect();
    let at = |name: &str| head.iter().position(|h| *h == name).unwrap();
    let quarters: Vec<(String, f64)> = lines
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|c| c[at("metric")] == "security_incidents" && c[at("site")] == "porto")
        .map(|c| (c[at("period")].to_string(), c[at("value")].parse::<f64>().unwrap()))
        .collect();
    assert!(quarters.len() >= 8, "{quarters:?}");
    for end in 3..quarters.len() {
        let mean = quarters[end - 3..=end].iter().map(|q| q.1).sum::<f64>() / 4.0;
        let said = format!("{} {}", quarters[end].0, (mean * 100.0).round() / 100.0);
        assert!(rolling.split(", ").any(|r| r == said), "{said} in {rolling}");
    }
    assert!(!rolling.contains(&format!("{} ", quarters[2].0)), "no year before four quarters: {rolling}");
    // A ratio of flows draws the year's ratio: four quarters' downtime over their
    // production hours, not a mean of quarterly ratios.
    let rate = (figures.iter())
        .find(|f| {
            f.text().collect::<String>().contains("Security-related downtime per 1,000 production hours at porto")
        })
        .unwrap();
    let alt = rate.select(&select("svg[role=img]")).next().unwrap().value().attr("aria-label").unwrap();
    let (_, rolling) = alt.split_once("rolling: the last 4 periods: ").unwrap();
    let rolling = rolling.split(';').next().unwrap();
    let of = |metric: &str| -> Vec<f64> {
        let mut lines = results.lines().skip(1);
        let rows = lines.by_ref().map(|l| l.split(',').collect::<Vec<_>>());
        rows.filter(|c| c[at("metric")] == metric && c[at("site")] == "porto")
            .map(|c| c[at("value")].parse::<f64>().unwrap_or(f64::NAN))
            .collect()
    };
    let (downtime, hours) = (of("security_downtime_hours"), of("production_hours"));
    let mut checked = 0;
    for end in 3..quarters.len() {
        let (d, h): (f64, f64) = (downtime[end - 3..=end].iter().sum(), hours[end - 3..=end].iter().sum());
        if d.is_nan() || h.is_nan() {
            continue;
        }
        let said = format!("{} {}", quarters[end].0, (d / h * 1000.0 * 100.0).round() / 100.0);
        assert!(rolling.split(", ").any(|r| r == said), "{said} in {rolling}");
        checked += 1;
    }
    assert!(checked >= 4, "{rolling}");
}

#[test]
fn a_metric_not_collected_at_a_site_gets_words_instead_of_a_chart() {
    let (_dir, out) = built("2025-12-31", |dir| {
        let site = "    timezone: Europe/Lisbon\n";
        let project = fs::read_to_string(dir.join("yardstick.yaml")).unwrap();
        let edited = project.replacen(site, &format!("{site}    sources: {{training: none}}\n"), 1);
        assert_ne!(project, edited);
        fs::write(dir.join("yardstick.yaml"), edited).unwrap();
    });
    let html = fs::read_to_string(out.join("scorecard-porto-2025-Q4.html")).unwrap();
    assert!(html.contains("not collected here, so no chart."), "no word for the missing chart");
    assert!(!html.contains("People trained in security for their role at porto</strong>"), "a chart with no value");
}

#[test]
fn breakdowns_name_terms_by_their_label_and_an_interval_not_around_the_value_says_whose_it_is() {
    let (_dir, out) = built("2025-12-31", |dir| {
        fs::create_dir_all(dir.join("reports")).unwrap();
        let own = "{% for r in glance.rows %}{{ r.id }} = {{ r.value }}\n{% endfor %}";
        fs::write(dir.join("reports/leadership.md.j2"), own).unwrap();
    });
    // audit_kind's term `certification` is labelled "ISMS certification" in its vocabulary.
    let porto = fs::read_to_string(out.join("scorecard-porto-2025-Q4.md")).unwrap();
    assert!(porto.contains("| ISMS certification |") && !porto.contains("| certification |"), "{porto}");
    // Every pooled line of the glance with an interval: set beside the value as its own only
    // when it holds the value (results.csv's `value`, `lower` and `upper`); else, with cases
    // still open, said to be the estimate's.
    let glance = fs::read_to_string(out.join("leadership-2025-Q4.md")).unwrap();
    let csv = fs::read_to_string(out.join("results.csv")).unwrap();
    let head: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let col = |name: &str| head.iter().position(|h| *h == name).unwrap();
    let (mut around, mut outside) = (0, 0);
    for line in csv.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        let dims = &cells[col("kind")..=col("domain")];
        if cells[col("site")] != "all" || cells[col("period")] != "2025-Q4" || dims.iter().any(|d| !d.is_empty()) {
            continue;
        }
        let number = |name: &str| cells[col(name)].parse::<f64>().ok().filter(|x| x.is_finite());
        let (Some(v), Some(l), Some(u)) = (number("value"), number("lower"), number("upper")) else { continue };
        let shown = glance.lines().find(|g| g.starts_with(&format!("{} = ", cells[col("metric")]))).unwrap();
        if l <= v && v <= u {
            assert!(!shown.contains("open cases"), "{shown}");
            around += 1;
        } else {
            assert!(shown.contains("(open cases: the estimate "), "{shown}");
            outside += 1;
        }
    }
    assert!(around > 10 && outside >= 1, "{around} around, {outside} outside");
}

/// A December management review need not wait for the year to end: `to_date: true` judges
/// the year holding `--as-of` on its whole months so far (as of 6 December 2025: 1 January
/// to 30 November, 334 days), says so in its title, its glance and its notes, and sets a
/// count against its baseline scaled to those 11 months of 12, a share against its
/// baseline as it is. The review without `to_date` stays on the last whole year.
#[test]
fn a_year_to_date_management_review_is_judged_on_its_days_so_far() {
    let entry = "  - {template: management_review, grain: year, to_date: true, out: \"management-review-{period}-to-date.md\"}\n";
    let (dir, out) = built("2025-12-06", |root| {
        let yaml = root.join("yardstick.yaml");
        let text = fs::read_to_string(&yaml).unwrap();
        let text = text.replace("  - {template: catalog", &format!("{entry}  - {{template: catalog"));
        assert!(text.contains("to_date: true"), "the example lists its reports with a catalog");
        fs::write(&yaml, text).unwrap();
    });
    let review = fs::read_to_string(out.join("management-review-2025-to-date.md")).unwrap();
    let period = "2025, year to date (334 days, to 2025-11-30)";
    assert!(review.starts_with(&format!("# ISMS management review, {period}\n")), "{review}");
    let (_, glance) = review.split_once(&format!("## At a glance: all sites, {period}\n")).unwrap();
    let (table, _) = glance.split_once("**Improved").unwrap();
    let downtime = table.lines().find(|l| l.starts_with("| Security-related downtime per 1,000")).unwrap();
    assert!(["green", "amber", "red", "unclear"].iter().any(|s| downtime.contains(s)), "judged: {downtime}");
    assert!(!table.contains("pending"), "{table}");
    assert!(review.contains("| year to date (334 days, to 2025-11-30)"), "notes say so");
    assert!(out.join("management-review-2024.md").exists(), "the whole-year review is of 2024");
    // The numbers behind it, as `query --to-date` computes them.
    let query = |metric: &str, to_date: bool| -> Vec<(String, String, Option<f64>, Option<String>)> {
        let project = dir.path().to_str().unwrap();
        let mut args = vec!["query", metric, "-p", project, "--grain", "year", "--as-of", "2025-12-06"];
        args.extend(["--format", "csv"]);
        if to_date {
            args.push("--to-date");
        }
        let (code, text, err) = yardstick(&args);
        assert_eq!(code, 0, "{err}");
        let mut lines = text.lines();
        let head: Vec<&str> = lines.next().unwrap().split(',').collect();
        let at = |name: &str| head.iter().position(|h| *h == name).unwrap();
        lines
            .map(|l| {
                let c: Vec<&str> = l.split(',').collect();
                let status = Some(c[at("status")].to_string()).filter(|s| !s.is_empty());
                (c[at("site")].to_string(), c[at("period")].to_string(), c[at("baseline")].parse().ok(), status)
            })
            .collect()
    };
    let share = 11.0 / 12.0;
    for (metric, scaled) in [("security_disruptions", true), ("monitoring_coverage", false)] {
        let (plain, so_far) = (query(metric, false), query(metric, true));
        let of = |rows: &[(String, String, Option<f64>, Option<String>)], site: &str, period: &str| {
            rows.iter().find(|r| r.0 == site && r.1 == period).cloned().unwrap()
        };
        for site in ["lyon", "brno", "porto"] {
            let whole = of(&plain, site, "2024").2.unwrap();
            let now = of(&so_far, site, "2025").2.unwrap();
            let expected = if scaled { whole * share } else { whole };
            assert!((now - expected).abs() < 1e-6, "{metric} at {site}: {now} against {expected}");
            assert_eq!(of(&plain, site, "2025").3.as_deref(), Some("pending"), "{metric} at {site}");
        }
    }
}

#[test]
fn a_report_judged_to_date_needs_a_grain() {
    let dir = acme_copy();
    let yaml = dir.path().join("yardstick.yaml");
    let text = fs::read_to_string(&yaml).unwrap().replace("out: \"catalog.md\"", "out: \"catalog.md\", to_date: true");
    fs::write(&yaml, text).unwrap();
    let (code, _, err) = yardstick(&["check", "-p", dir.path().to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("[E0627] Error: a report `to_date: true` without a `grain`"), "{err}");
    assert!(err.contains("yardstick.yaml:"), "it names the line: {err}");
}

/// A plant's reports in its language and number format: `locale: de-DE` writes the
/// shipped templates' texts from the set's German catalog, the glance and the badges from
/// the tool's, decimal commas, grouped thousands and German days; the page says it is
/// German and prints "Seite N von M". A report may keep another locale (`locale: en`).
/// Metric titles stay as the set writes them.
#[test]
fn reports_speak_the_plants_language_and_write_its_numbers() {
    let (_dir, out) = built("2025-12-31", |root| {
        let yaml = root.join("yardstick.yaml");
        let text =
            fs::read_to_string(&yaml).unwrap().replace("start: 2022-01-01\n", "start: 2022-01-01\nlocale: de-DE\n");
        let text = text.replace("out: \"catalog.md\"}", "out: \"catalog.md\", locale: en}");
        fs::write(&yaml, text).unwrap();
    });
    let leadership = fs::read_to_string(out.join("leadership-2025-Q4.md")).unwrap();
    assert!(leadership.starts_with("# ISMS-Bericht für die Leitung, 2025-Q4\n"), "{leadership}");
    assert!(leadership.contains("berechnet zum Stichtag 31.12.2025"), "German days");
    assert!(leadership.contains("## Auf einen Blick: alle Standorte, 2025-Q4"), "the glance in German");
    let downtime = leadership.lines().find(|l| l.starts_with("| Security-related downtime per 1,000")).unwrap();
    // The English report writes 0.66 and -70.7% here (the_acme_reports_in_markdown).
    assert!(downtime.contains("| 0,66 |") && downtime.contains("-70,7 %") && downtime.contains("✓ grün"), "{downtime}");
    assert!(leadership.contains("| Standort | Wert | Basislinie | Veränderung | Ziel | Status | Hinweis |"));
    assert!(leadership.contains("Einheit: "), "unit and direction in German");
    let review = fs::read_to_string(out.join("management-review-2025.md")).unwrap();
    assert!(review.contains("## Ergebnisse") && review.contains("ISMS-Managementbewertung, 2025"), "{review}");
    // A number of a thousand and more is grouped: Lyon's production hours.
    assert!(
        review.lines().any(|l| l.starts_with("| lyon |") && l.contains(".") && l.contains(',')),
        "grouped: {review}"
    );
    let html = fs::read_to_string(out.join("leadership-2025-Q4.html")).unwrap();
    assert!(html.contains("<html lang=\"de-DE\">"), "the page says its language");
    assert!(
        html.contains("Seite \" counter(page) \" von \" counter(pages)") && html.contains("Stand 31.12.2025"),
        "footer"
    );
    assert!(html.contains("Basislinie") && html.contains("Einführung"), "chart words in German");
    // The catalog keeps its own locale.
    let catalog = fs::read_to_string(out.join("catalog.md")).unwrap();
    assert!(catalog.starts_with("# Metric catalog: "), "{}", &catalog[..80]);
}

/// A locale that is not one is E0628, naming the locales; a project's message catalog
/// whose text lacks English, or names other placeholders, is E0522 at its line; a
/// project's text replaces the set's.
#[test]
fn locales_and_message_catalogs_are_checked_and_a_project_may_reword_a_text() {
    let dir = acme_copy();
    let project = dir.path().to_str().unwrap();
    let yaml = dir.path().join("yardstick.yaml");
    let original = fs::read_to_string(&yaml).unwrap();
    fs::write(&yaml, original.replace("start: 2022-01-01\n", "start: 2022-01-01\nlocale: de-FR\n")).unwrap();
    let (code, _, err) = yardstick(&["check", "-p", project]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("[E0628] Error: `locale: de-FR` is not a locale reports are written in"), "{err}");
    assert!(err.contains("de-DE"), "it names the locales: {err}");
    fs::write(&yaml, &original).unwrap();
    let messages = dir.path().join("reports/messages.yaml");
    fs::create_dir_all(messages.parent().unwrap()).unwrap();
    fs::write(&messages, "leadership.title:\n  de: \"Bericht, {period}\"\nreview.title:\n  en: \"Review, {period}\"\n  de: \"Bewertung\"\n").unwrap();
    let (code, _, err) = yardstick(&["check", "-p", project]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("[E0522] Error: message `leadership.title` has no English text"), "{err}");
    assert!(
        err.contains("message `review.title` in `de` names the placeholders none, its English text {period}"),
        "{err}"
    );
    assert!(err.contains("messages.yaml:5:"), "the line of the German text: {err}");
    fs::write(&messages, "leadership.title:\n  en: \"Quarterly ISMS benefits, {period}\"\n").unwrap();
    let (code, _, err) = yardstick(&["build", "-p", project, "--as-of", "2025-12-31", "--quiet"]);
    assert_eq!(code, 0, "{err}");
    let leadership = fs::read_to_string(dir.path().join("out/leadership-2025-Q4.md")).unwrap();
    assert!(leadership.starts_with("# Quarterly ISMS benefits, 2025-Q4\n"), "{}", &leadership[..80]);
}

/// Every text the shipped templates ask for with `t(...)` is in the catalogs in English
/// and in German (a key built from a prefix, `"layer." ~ layer`, with each of its
/// endings), and every text of the set's catalog is asked for by some template.
#[test]
fn every_text_the_shipped_templates_say_is_written_in_english_and_german() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let (checked, diags, _) = crate::util::compile(&root.join("examples/acme"));
    let checked = checked.unwrap_or_else(|| panic!("{:?}", diags.iter().map(|d| &d.message).collect::<Vec<_>>()));
    let catalog = yardstick::report::words::catalog(&checked);
    let endings: &[(&str, &[&str])] = &[
        ("to_date.", &["year", "quarter", "month"]),
        ("direction.", &["lower_is_better", "higher_is_better", "neutral"]),
        ("layer.", &["outcome", "risk", "activity"]),
        ("catalog.layer.", &["outcome", "risk", "activity"]),
        ("status.", &["green", "amber", "red"]),
        ("change.", &["better", "worse", "unclear"]),
        ("coverage.", &["not_covered", "not_collected"]),
        ("judged.where.", &["here", "report"]),
        ("catalog.layer_word.", &["outcome", "risk", "activity"]),
        ("grain.", &["month", "quarter", "year"]),
        ("collection.", &["automated", "manual", "mixed"]),
    ];
    let mut asked = std::collections::BTreeSet::new();
    let mut quoted = String::new();
    for entry in fs::read_dir(root.join("metrics/reports")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "j2") {
            continue;
        }
        let text = fs::read_to_string(&path).unwrap();
        quoted.push_str(&text);
        for (_, rest) in text.match_indices("t(\"").map(|(i, _)| ((), &text[i + 3..])) {
            let key = &rest[..rest.find('"').unwrap()];
            match endings.iter().find(|(prefix, _)| *prefix == key) {
                Some((prefix, ends)) => asked.extend(ends.iter().map(|e| format!("{prefix}{e}"))),
                None => {
                    asked.insert(key.to_string());
                }
            }
        }
    }
    assert!(asked.len() > 100, "{asked:?}");
    for key in &asked {
        let texts = catalog.get(key).unwrap_or_else(|| panic!("no text `{key}`"));
        assert!(texts.contains_key("en") && texts.contains_key("de"), "`{key}`: {texts:?}");
    }
    // The set's own texts are each said somewhere (a key chosen by `if`, as a literal).
    for key in checked.set.messages.keys() {
        let said = asked.contains(key) || quoted.contains(&format!("\"{key}\""));
        assert!(said, "the set's text `{key}` is in no template");
    }
}
