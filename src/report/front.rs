//! The build's front page (docs/reports.md, "The front page"): `index.html` in the output
//! folder, what a reviewer opens first among a scheduled build's artifacts. It names the
//! day, the definitions and their revision, the sites and what their data covers, the
//! data's caveats and the manifest's hash, and links every report and table. It is not
//! one of the manifest's outputs: it names the manifest's hash, so it is written after it.

use crate::check::Checked;
use crate::diag::Diagnostic;
use crate::load::git::GitState;
use crate::manifest::{MANIFEST, Manifest, RESULTS_CSV, RESULTS_PARQUET, TABLES, TRENDS_CSV, TRENDS_PARQUET};
use minijinja::value::Serde;
use minijinja::{Environment, Value, context};
use serde::Serialize;

/// The file name of the front page.
pub const FRONT_PAGE: &str = "index.html";

const TEMPLATE: &str = r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ project }}: ISMS metrics as of {{ as_of }}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #1a1a1a; line-height: 1.45; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; }
caption { text-align: left; font-weight: 600; padding: 0.25rem 0; }
th, td { border-bottom: 1px solid #ccc; padding: 0.3rem 0.8rem 0.3rem 0; text-align: left; vertical-align: top; }
code { font-size: 0.9em; word-break: break-all; }
a { color: #0057a8; }
@media print { a { color: inherit; } }
</style>
</head>
<body>
<main>
<h1>{{ project }}: ISMS metrics as of {{ as_of }}</h1>
<p>Computed by yardstick {{ tool }} on {{ built_at }}, with the {{ set }}{% if revision %} at {{ revision }}{% endif %}.</p>
<table>
<caption>Reports</caption>
<thead><tr><th scope="col">report</th><th scope="col">HTML</th><th scope="col">Markdown</th></tr></thead>
<tbody>
{% for r in reports %}<tr><td>{{ r.name }}</td><td>{% if r.html %}<a href="{{ r.html }}">{{ r.html }}</a>{% endif %}</td><td>{% if r.md %}<a href="{{ r.md }}">{{ r.md }}</a>{% endif %}</td></tr>
{% else %}<tr><td colspan="3">This project renders no reports.</td></tr>
{% endfor %}</tbody>
</table>
<table>
<caption>Tables and evidence</caption>
<thead><tr><th scope="col">file</th><th scope="col">what it holds</th></tr></thead>
<tbody>
{% for f in tables %}<tr><td><a href="{{ f.file }}">{{ f.file }}</a></td><td>{{ f.what }}</td></tr>
{% endfor %}</tbody>
</table>
<table>
<caption>Sites and what their data covers</caption>
<thead><tr><th scope="col">site</th><th scope="col">ISMS rollout</th><th scope="col">time zone</th><th scope="col">coverage</th></tr></thead>
<tbody>
{% for s in sites %}<tr><td>{{ s.id }}{% if s.title %} ({{ s.title }}){% endif %}</td><td>{{ s.rollout or "none given" }}</td><td>{{ s.timezone }}</td><td>{{ s.coverage }}</td></tr>
{% endfor %}</tbody>
</table>
<h2>Caveats of the data</h2>
{% if caveats %}<ul>
{% for c in caveats %}<li>{{ c }}</li>
{% endfor %}</ul>
{% else %}<p>Reading the data noted nothing.</p>
{% endif %}
<h2>Evidence</h2>
<p>The manifest, <a href="manifest.json">manifest.json</a>, lists every input file and output with its size and hash; its own blake3 hash is <code>{{ manifest_hash }}</code>. The project's settings hash to <code>{{ project_hash }}</code>.</p>
</main>
</body>
</html>
"#;

#[derive(Serialize)]
struct Report {
    name: String,
    html: Option<String>,
    md: Option<String>,
}

#[derive(Serialize)]
struct Table {
    file: &'static str,
    what: &'static str,
}

#[derive(Serialize)]
struct SiteLine {
    id: String,
    title: Option<String>,
    rollout: Option<String>,
    timezone: String,
    coverage: String,
}

/// The front page of a build whose manifest is `manifest` (hashed `manifest_hash`); `notes`
/// are what reading the data warned of.
pub fn front_page(checked: &Checked, manifest: &Manifest, manifest_hash: &str, notes: &[Diagnostic]) -> String {
    let tables = [
        Table { file: RESULTS_CSV, what: "every value with its interval, baseline, change and status" },
        Table { file: RESULTS_PARQUET, what: "the same, typed" },
        Table { file: TRENDS_CSV, what: "the trend since rollout per metric and site" },
        Table { file: TRENDS_PARQUET, what: "the same, typed" },
        Table { file: MANIFEST, what: "the audit evidence: inputs, outputs, fingerprints, hashes" },
    ];
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
    let revision = match &manifest.definition_set.git {
        GitState::Commit { commit, dirty } => Some(format!(
            "commit {}{}",
            &commit[..commit.len().min(12)],
            if *dirty { " (with changes not committed)" } else { "" }
        )),
        GitState::Untracked { .. } => None,
    };
    let set = format!("definition set {} {}", manifest.definition_set.name, manifest.definition_set.version);
    let rendered = env.render_str(
        TEMPLATE,
        context! {
            project => &manifest.project.name,
            as_of => manifest.as_of.to_string(),
            tool => manifest.tool.version,
            built_at => &manifest.built_at,
            set => set,
            revision => revision,
            reports => Value::from(Serde(reports(manifest))),
            tables => Value::from(Serde(tables)),
            sites => Value::from(Serde(sites(checked))),
            caveats => caveats(checked, notes),
            manifest_hash => manifest_hash,
            project_hash => &manifest.project.hash,
        },
    );
    // The template is ours and its values plain: it renders.
    rendered.unwrap_or_else(|e| format!("<!DOCTYPE html><title>front page</title><p>{e}</p>"))
}

/// The reports among the manifest's outputs, each with its HTML and Markdown files.
fn reports(manifest: &Manifest) -> Vec<Report> {
    let mut reports: Vec<Report> = Vec::new();
    for output in manifest.outputs.iter().filter(|o| !TABLES.contains(&o.file.as_str())) {
        let (stem, html) = match (output.file.strip_suffix(".html"), output.file.strip_suffix(".md")) {
            (Some(stem), _) => (stem, true),
            (None, Some(stem)) => (stem, false),
            (None, None) => (output.file.as_str(), false),
        };
        let index = match reports.iter().position(|r| r.name == stem) {
            Some(i) => i,
            None => {
                reports.push(Report { name: stem.to_string(), html: None, md: None });
                reports.len() - 1
            }
        };
        if html {
            reports[index].html = Some(output.file.clone());
        } else {
            reports[index].md = Some(output.file.clone());
        }
    }
    reports
}

/// Each site with its rollout, time zone and what its data covers, per source where the
/// project says so.
fn sites(checked: &Checked) -> Vec<SiteLine> {
    let Some(project) = &checked.project else { return Vec::new() };
    project
        .sites
        .iter()
        .map(|s| {
            let mut covered: Vec<String> = s
                .coverage
                .iter()
                .map(|(source, c)| {
                    let from = c.from.map_or_else(|| project.start.to_string(), |d| d.to_string());
                    let to = c.to.map_or_else(|| "on".to_string(), |d| format!("to {d}"));
                    let how = c.collection.map_or(String::new(), |k| format!(", {}", k.as_str()));
                    format!("{source}: from {from} {to}{how}")
                })
                .collect();
            covered.extend(s.absent.iter().map(|source| format!("{source}: not exported")));
            let rest = if covered.is_empty() { "every bound export" } else { "the others" };
            covered.push(format!("{rest} from {}", project.start));
            let coverage = covered.join("; ");
            SiteLine {
                id: s.id.to_string(),
                title: s.title.clone(),
                rollout: s.rollout.map(|d| d.to_string()),
                timezone: s.timezone.name().to_string(),
                coverage,
            }
        })
        .collect()
}

/// What a reader should know of the data: the sources collected by hand, and what reading
/// warned of (rows left out, exports without rows, times moved out of a DST gap).
fn caveats(checked: &Checked, notes: &[Diagnostic]) -> Vec<String> {
    let mut caveats = Vec::new();
    if let Some(project) = &checked.project {
        for (name, binding) in &project.bindings {
            let schema = checked.set.sources.get(name);
            let collection = binding.collection.or(schema.map(|s| s.collection));
            if let Some(k) = collection.filter(|k| *k != crate::ir::Collection::Automated) {
                let how = if k == crate::ir::Collection::Manual { "by hand" } else { "partly by hand" };
                caveats.push(format!("{name} is collected {how} (a site's coverage may say otherwise for it)"));
            }
        }
    }
    caveats.extend(notes.iter().filter(|d| d.is_data_note()).map(|d| format!("{}: {}", d.code.as_str(), d.message)));
    caveats
}
