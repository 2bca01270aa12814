//! Reports (docs/reports.md): minijinja templates from the project's `reports/` folder and
//! the definition set's (a project template of the same name wins), each rendered as
//! Markdown and as one self-contained HTML page (the Markdown turned into HTML with its
//! charts inline, styles in the page, nothing loaded from anywhere). A template reaches
//! only what its context holds and the templates of those two folders: no file, no
//! network.

mod chart;
mod context;
pub mod diff;
pub mod explain;
pub mod front;
mod glance;
pub mod words;

use crate::check::Checked;
use crate::ir::{Grain, ReportSpec, SiteRef};
use crate::load::{TemplateFolder, template_folders};
use crate::manifest::Manifest;
use crate::results::{ResultRow, Results};
use chrono::NaiveDate;
use minijinja::{AutoEscape, Environment, Error, ErrorKind, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use words::Words;

/// The pieces of HTML the HTML rendering makes itself (charts, status badges): the
/// template text holds a mark for each, and the page gets them only after its Markdown
/// became HTML, so that no HTML from a definition or an event text ever reaches the page.
#[derive(Clone, Default)]
pub struct Trusted(std::sync::Arc<std::sync::Mutex<Vec<String>>>);

impl Trusted {
    /// Keeps `html` and returns its mark.
    fn put(&self, html: String) -> String {
        let mut kept = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        kept.push(html);
        format!("\u{E000}{}\u{E001}", kept.len() - 1)
    }

    /// A chart in its figure, with its caption, as a mark.
    fn figure(&self, figure: chart::Figure) -> Value {
        let chart::Figure { svg, caption } = figure;
        Value::from(self.put(format!("<figure class=\"chart\">\n{svg}\n<figcaption>{caption}</figcaption>\n</figure>")))
    }

    /// `html` with every mark replaced by what it stands for: a mark alone in a paragraph
    /// takes the paragraph's place.
    fn fill(&self, html: &str) -> String {
        let kept = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        // One pass over the page: each mark is looked up by its number.
        let mut out = String::with_capacity(html.len());
        let mut rest = html;
        while let Some(start) = rest.find('\u{E000}') {
            let after = &rest[start + '\u{E000}'.len_utf8()..];
            let piece =
                after.find('\u{E001}').and_then(|end| Some((kept.get(after[..end].parse::<usize>().ok()?)?, end)));
            let Some((piece, end)) = piece else {
                out.push_str(&rest[..start + '\u{E000}'.len_utf8()]);
                rest = after;
                continue;
            };
            let tail = &after[end + '\u{E001}'.len_utf8()..];
            // A mark alone in a paragraph takes the paragraph's place.
            match (rest[..start].strip_suffix("<p>"), tail.strip_prefix("</p>")) {
                (Some(before), Some(tail)) => {
                    out.push_str(before);
                    out.push_str(piece);
                    rest = tail;
                }
                _ => {
                    out.push_str(&rest[..start]);
                    out.push_str(piece);
                    rest = tail;
                }
            }
        }
        out.push_str(rest);
        out
    }

    fn clear(&self) {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clear();
    }
}

/// One report file: its name in the output folder and its text.
#[derive(Debug)]
pub struct Rendered {
    pub file: String,
    pub text: String,
}

/// What reports are made from.
pub struct Input<'a> {
    pub checked: &'a Checked,
    /// Results as each report asks for them ([`computed`]), and at quarters, which the
    /// rollout-aligned view counts in.
    pub results: &'a BTreeMap<Computed, &'a Results>,
    pub as_of: NaiveDate,
}

/// What a report's results are computed at: a grain (`None`: each metric's own), and
/// whether the period holding `as_of` is judged to date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Computed {
    pub grain: Option<Grain>,
    pub to_date: bool,
}

impl Computed {
    /// Each metric at its own grain, the period holding `as_of` pending: results.csv.
    pub const OWN: Computed = Computed { grain: None, to_date: false };

    fn of(spec: &ReportSpec) -> Computed {
        Computed { grain: spec.grain, to_date: spec.to_date }
    }
}

/// What the project's reports compute at, quarters included.
pub fn computed(checked: &Checked) -> BTreeSet<Computed> {
    let reports = checked.project.iter().flat_map(|p| p.reports.iter().map(Computed::of));
    let quarters = checked.project.as_ref().filter(|p| !p.reports.is_empty());
    reports.chain(quarters.map(|_| Computed { grain: Some(Grain::Quarter), to_date: false })).collect()
}

/// The folders the checked project's templates are read from, the project's first.
pub fn folders(checked: &Checked) -> Vec<TemplateFolder> {
    template_folders(checked.project.as_ref().map(|p| p.root.as_path()), &checked.set.root)
}

/// Every report the project configures, in both formats.
pub fn render(input: &Input, manifest: &Manifest) -> Result<Vec<Rendered>, RenderError> {
    let Some(project) = input.checked.project.as_ref().filter(|p| !p.reports.is_empty()) else { return Ok(Vec::new()) };
    let dirs = folders(input.checked);
    let trusted = Trusted::default();
    let fuel = fuel(project.sites.len());
    let catalog = std::sync::Arc::new(words::catalog(input.checked));
    // The two environments of each locale a report is written in.
    let mut environments: BTreeMap<&str, (Environment, Environment, Words)> = BTreeMap::new();
    let shared = context::Shared::new(input.checked, manifest);
    // With one site, the pooled rows are that site's again: shown once.
    let single = project.sites.len() == 1;
    let indexes: BTreeMap<Computed, context::Index> =
        input.results.iter().map(|(key, results)| (*key, context::Index::new(results, single))).collect();
    let quarters = Computed { grain: Some(Grain::Quarter), to_date: false };
    let quarters = indexes.get(&quarters).ok_or(RenderError::Missing("at the quarter grain"))?;
    let mut out = Vec::new();
    let mut written = BTreeSet::new();
    for spec in &project.reports {
        let key = Computed::of(spec);
        let results = input.results.get(&key).ok_or(RenderError::Missing("at the report's grain"))?;
        let sites: Vec<Option<String>> = match (&spec.site, spec.out.contains("{site}")) {
            (Some(site), _) => vec![Some(site.clone())],
            (None, true) => project.sites.iter().map(|s| Some(s.id.to_string())).collect(),
            (None, false) => vec![None],
        };
        let latest = latest_period(spec, results, input.as_of);
        let locale = spec.locale.unwrap_or(project.locale);
        let (markdown, html, words) = environments.entry(locale.tag).or_insert_with(|| {
            let words = Words::new(locale, catalog.clone());
            let markdown = environment(&dirs, None, fuel, &words);
            (markdown, environment(&dirs, Some(trusted.clone()), fuel, &words), words)
        });
        for site in sites {
            let report = report_info(spec, site, latest, input.as_of, project.judgement.confidence);
            let stem = file_stem(&spec.out, &report);
            for (env, is_html) in [(&*markdown, false), (&*html, true)] {
                let scope = context::Scope {
                    checked: input.checked,
                    results: &indexes[&key],
                    quarters,
                    shared: &shared,
                    report: report.clone(),
                    html: is_html,
                    trusted: &trusted,
                    words,
                };
                trusted.clear();
                let context = context::build(&scope);
                crate::census::rendered(context.rows());
                let text = env
                    .get_template(&format!("{}.md.j2", spec.template))
                    .and_then(|t| t.render(Value::from(minijinja::value::Serde(&context))))
                    .map_err(|e| template_error(&spec.template, e))?;
                let text = tidy(&text);
                let (file, text) = match is_html {
                    false => (format!("{stem}.md"), text),
                    true => (format!("{stem}.html"), {
                        page(&title(&text, &spec.template), &text, &trusted, words, input.as_of)
                    }),
                };
                // Two reports filling their `out` to one name (`x-{site}.md` and
                // `x-lyon.md`) would overwrite each other.
                if !written.insert(file.clone()) {
                    return Err(RenderError::SameFile { template: spec.template.clone(), file });
                }
                out.push(Rendered { file, text });
            }
        }
    }
    Ok(out)
}

/// The latest whole period at the report's grain, or the one holding `as_of` in a report
/// judged to date: its row.
fn latest_period<'a>(spec: &ReportSpec, results: &'a Results, as_of: NaiveDate) -> Option<&'a ResultRow> {
    let to = crate::plan::to_date_as_of(as_of);
    let shown = |r: &&ResultRow| !r.partial || (spec.to_date && r.period_end == to);
    match spec.grain {
        Some(_) => results.rows.iter().filter(shown).max_by_key(|r| r.period_end),
        None => None,
    }
}

fn report_info(
    spec: &ReportSpec,
    site: Option<String>,
    latest: Option<&ResultRow>,
    as_of: NaiveDate,
    confidence: f64,
) -> context::ReportInfo {
    context::ReportInfo {
        name: spec.template.clone(),
        grain: spec.grain.map(|g| g.as_str()),
        site,
        tags: spec.tags.clone(),
        period: latest.map(|r| r.period.clone()),
        period_start: latest.map(|r| r.period_start),
        period_end: latest.map(|r| r.period_end),
        as_of,
        confidence,
        to_date: latest
            .filter(|r| r.partial)
            .and_then(|r| u32::try_from((r.period_end - r.period_start).num_days() + 1).ok()),
    }
}

/// `out` with `{period}` and `{site}` filled in, without its extension.
fn file_stem(out: &str, report: &context::ReportInfo) -> String {
    let period = report.period.clone().unwrap_or_else(|| report.as_of.to_string());
    let filled = out.replace("{period}", &period).replace("{site}", report.site.as_deref().unwrap_or(SiteRef::ALL));
    crate::ir::out_stem(&filled).to_string()
}

/// Renders a template given as text with `context`, in the HTML environment reports have
/// (the same functions, filters and fuel for a project of `sites` sites), reading no file
/// and filling no mark: what the property tests feed generated templates through.
pub fn render_text(source: &str, context: &serde_json::Value, sites: usize) -> Result<String, RenderError> {
    let env = environment(&[], Some(Trusted::default()), fuel(sites), &Words::english());
    env.render_str(source, Value::from(minijinja::value::Serde(context))).map_err(|e| template_error("text", e))
}

/// A template error with where it happened, as minijinja tells it (its text holds the
/// detail and the template's name and line once).
fn template_error(name: &str, e: Error) -> RenderError {
    RenderError::Template { template: name.to_string(), source: e }
}

/// Why the reports could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// A template failed: its own message, with the line it failed at.
    #[error("report `{template}`: {source}")]
    Template { template: String, source: Error },
    /// Two reports fill their `out` to one file name.
    #[error("report `{template}` would write {file}, which another report writes; give each report its own `out`")]
    SameFile { template: String, file: String },
    /// The results a report is made from were not computed (a bug of the caller).
    #[error("the results a report needs are missing ({0})")]
    Missing(&'static str),
}

/// The work one report may do (docs/files.md, "limits"): minijinja charges about one unit
/// per instruction and per 64 bytes a template creates or writes, so a template that
/// loops without end or builds strings without bound stops with an error. A report may
/// take [`FUEL_BASE`] and [`FUEL_PER_SITE`] for each site of the project: about 70 MB of
/// data for the three sites of the Acme example, whose largest report takes under a tenth.
pub const FUEL_BASE: u64 = 1_000_000;
pub const FUEL_PER_SITE: u64 = 100_000;

/// The fuel of one report of a project of `sites` sites.
pub fn fuel(sites: usize) -> u64 {
    FUEL_BASE + FUEL_PER_SITE * sites as u64
}

/// The environment for one format (`trusted` for HTML): templates read from `dirs` only,
/// and the helper functions of docs/reports.md. Values are not escaped: the template
/// gives Markdown, and making the page turns any HTML in it into text.
fn environment(dirs: &[TemplateFolder], trusted: Option<Trusted>, fuel: u64, words: &Words) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_fuel(Some(fuel));
    // A block tag on a line of its own leaves no line behind: tables stay whole.
    let syntax = minijinja::syntax::SyntaxConfig::builder().trim_blocks(true).lstrip_blocks(true).build();
    env.set_syntax(syntax.expect("the default delimiters"));
    let dirs = dirs.to_vec();
    env.set_loader(move |name| load(&dirs, name));
    env.set_auto_escape_callback(|_| AutoEscape::None);
    let sparks = trusted.clone();
    let w = words.clone();
    env.add_function("badge", move |status: Option<String>| badge(trusted.as_ref(), &w, status));
    let w = words.clone();
    env.add_function("spark", move |values: Vec<Option<f64>>| spark(sparks.as_ref(), &w, &values));
    let w = words.clone();
    env.add_function("number", move |value: Option<f64>, unit: Option<String>| w.number(value, unit.as_deref()));
    let w = words.clone();
    env.add_function("delta", move |row: Value, unit: Option<String>| delta(&w, row, unit));
    let w = words.clone();
    env.add_function("day", move |day: Value| day_text(&w, &day));
    let w = words.clone();
    env.add_function("t", move |key: String, args: minijinja::value::Kwargs| message(&w, &key, &args));
    env.add_filter("cell", cell);
    env.add_global("locale", words.locale.tag);
    env
}

/// `t(key, name=value, ...)`: the catalogs' text of `key` in the report's language, each
/// `{name}` filled in; an error naming a key no catalog has.
fn message(words: &Words, key: &str, args: &minijinja::value::Kwargs) -> Result<String, Error> {
    let values: Vec<(&str, String)> =
        args.args().map(|name| Ok((name, args.get::<Value>(name)?.to_string()))).collect::<Result<_, Error>>()?;
    let pairs: Vec<(&str, &str)> = values.iter().map(|(n, v)| (*n, v.as_str())).collect();
    words.text(key, &pairs).ok_or_else(|| {
        Error::new(
            ErrorKind::InvalidOperation,
            format!("no message `{key}` in the catalogs: add it to reports/messages.yaml with an `en:` text"),
        )
    })
}

/// `day(d)`: a day (`YYYY-MM-DD`) as the report's locale writes it; anything else as it is.
fn day_text(words: &Words, day: &Value) -> String {
    let text = day.to_string();
    crate::calendar::parse_day(&text).map_or(text, |d| words.day(d))
}

/// A template of the report folders; a name that leads out of them is refused.
fn load(dirs: &[TemplateFolder], name: &str) -> Result<Option<String>, Error> {
    let path = Path::new(name);
    let inside = path.components().all(|c| matches!(c, std::path::Component::Normal(_)));
    if !inside || name.contains('\\') {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            format!(
                "`{name}` is outside the report folders: a template includes only templates of the project's reports/ and the set's reports/"
            ),
        ));
    }
    for folder in dirs {
        let file = folder.dir.join(path);
        if file.is_file() {
            return folder
                .read(&file)
                .map(Some)
                .map_err(|e| Error::new(ErrorKind::InvalidOperation, format!("cannot read {}: {e}", file.display())));
        }
    }
    Ok(None)
}

/// A status as a reader sees it: a glyph and the word (never colour alone), judged
/// statuses coloured in HTML, the others plain.
fn badge(trusted: Option<&Trusted>, words: &Words, status: Option<String>) -> String {
    let Some(status) = status else { return String::new() };
    let glyph = match status.as_str() {
        "green" => "✓",
        "amber" => "△",
        "red" => "✗",
        "unclear" => "?",
        "insufficient" => "…",
        "pending" => "◔",
        "baseline" => "○",
        "not_collected" => "∅",
        _ => "–",
    };
    let word = words.text(&format!("status.{status}"), &[]).unwrap_or_else(|| status.replace('_', " "));
    let words = format!("{glyph} {word}");
    let Some(trusted) = trusted else { return words };
    let class = match status.as_str() {
        "green" | "amber" | "red" | "unclear" => format!("status {status}"),
        _ => "status unjudged".to_string(),
    };
    trusted.put(format!("<span class=\"{class}\">{words}</span>"))
}

/// The values of the recent periods as a small line: block letters in Markdown, an
/// inline SVG in HTML whose text alternative gives the numbers; a missing value is a gap.
fn spark(trusted: Option<&Trusted>, words: &Words, values: &[Option<f64>]) -> String {
    let known: Vec<f64> = values.iter().flatten().copied().collect();
    let (Some(low), Some(high)) = (known.iter().copied().reduce(f64::min), known.iter().copied().reduce(f64::max))
    else {
        return String::new();
    };
    let level = |v: f64| if high > low { (v - low) / (high - low) } else { 0.5 };
    let Some(trusted) = trusted else {
        const BLOCKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
        return values.iter().map(|v| v.map_or('·', |v| BLOCKS[(level(v) * 7.0).round() as usize])).collect();
    };
    let (width, height, step) = (96.0, 20.0, 96.0 / values.len().max(2).saturating_sub(1) as f64);
    let point = |i: usize, v: f64| (i as f64 * step, height - 2.0 - level(v) * (height - 4.0));
    let mut lines = String::new();
    let mut run: Vec<String> = Vec::new();
    for (i, v) in values.iter().enumerate().chain([(values.len(), &None)]) {
        match v {
            Some(v) => {
                let (x, y) = point(i, *v);
                run.push(format!("{x:.1},{y:.1}"));
            }
            None if run.len() == 1 => {
                let xy: Vec<&str> = run[0].split(',').collect();
                lines.push_str(&format!("<circle cx=\"{}\" cy=\"{}\" r=\"1.5\"/>", xy[0], xy[1]));
                run.clear();
            }
            None if !run.is_empty() => {
                lines.push_str(&format!("<polyline points=\"{}\" fill=\"none\"/>", run.join(" ")));
                run.clear();
            }
            None => {}
        }
    }
    let numbers: Vec<String> = values.iter().map(|v| v.map_or("–".to_string(), |v| words.plain(v))).collect();
    // Numbers with a decimal comma are told apart by semicolons.
    let said = words.say("spark.alt", &[("n", &values.len().to_string()), ("values", &numbers.join("; "))]);
    trusted.put(format!(
        "<svg class=\"spark\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{}\"><g stroke=\"#0072B2\" fill=\"#0072B2\" stroke-width=\"1.5\">{lines}</g></svg>",
        escape(&said)
    ))
}

/// A row's change against its baseline: in percentage points for a share, else in per
/// cent of the baseline; empty without a baseline.
fn delta(words: &Words, row: Value, unit: Option<String>) -> String {
    let field = |name: &str| row.get_attr(name).ok().and_then(|v| f64::try_from(v).ok());
    words.delta(field("delta"), field("delta_pct"), unit.as_deref().unwrap_or_default())
}

/// Text for a Markdown table cell: a `|` would end the cell.
fn cell(text: String) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// The Markdown without runs of blank lines (what template logic leaves), ending in one
/// line break.
fn tidy(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut blank = 0;
    for line in markdown.lines() {
        blank = if line.trim().is_empty() { blank + 1 } else { 0 };
        if blank < 2 {
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }
    out.trim_start_matches('\n').trim_end().to_string() + "\n"
}

/// The first heading of the Markdown, for the page's title.
fn title(markdown: &str, fallback: &str) -> String {
    let heading = markdown.lines().find_map(|l| l.strip_prefix("# "));
    heading.unwrap_or(fallback).trim().to_string()
}

/// The Markdown as one HTML page with its styles: nothing is loaded from anywhere. HTML
/// written in the Markdown shows as text, images as their words, and links leading out of
/// the page as their text; the charts and badges come in last, by their marks.
fn page(title: &str, markdown: &str, trusted: &Trusted, words: &Words, as_of: NaiveDate) -> String {
    use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};
    let mut links = Vec::new();
    // Each table gets a caption, the heading it stands under: what a screen reader
    // announces when it reaches the table.
    let (mut heading, mut under): (Option<String>, String) = (None, String::new());
    let events = Parser::new_ext(markdown, Options::ENABLE_TABLES).flat_map(|e| {
        let mut caption = None;
        let kept = match e {
            Event::Html(h) | Event::InlineHtml(h) => {
                heading.iter_mut().for_each(|t| t.push_str(&h));
                Some(Event::Text(h))
            }
            Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => None,
            Event::Start(Tag::Link { ref dest_url, .. }) => {
                let inside = dest_url.starts_with('#');
                links.push(inside);
                inside.then_some(e)
            }
            Event::End(TagEnd::Link) => links.pop().unwrap_or(false).then_some(e),
            Event::Start(Tag::Heading { level: HeadingLevel::H1 | HeadingLevel::H2 | HeadingLevel::H3, .. }) => {
                heading = Some(String::new());
                Some(e)
            }
            Event::Text(ref t) | Event::Code(ref t) => {
                heading.iter_mut().for_each(|h| h.push_str(t));
                Some(e)
            }
            Event::SoftBreak | Event::HardBreak => {
                heading.iter_mut().for_each(|h| h.push(' '));
                Some(e)
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some(h) = heading.take() {
                    under = escape(without_marks(&h).trim());
                }
                Some(e)
            }
            Event::Start(Tag::Table(_)) => {
                caption = (!under.is_empty()).then(|| Event::Html(format!("<caption>{under}</caption>").into()));
                Some(e)
            }
            other => Some(other),
        };
        kept.into_iter().chain(caption)
    });
    let mut body = String::new();
    html::push_html(&mut body, events);
    let body = trusted.fill(&body);
    // The printed page's footer: the report and its as-of day left, the page right.
    // No character that could end the string or the style element reaches the CSS.
    let quoted = |text: &str| text.replace(['"', '\\', '\n', '<', '>'], " ");
    let footer = words.say("page.footer", &[("day", &words.day(as_of))]);
    // `page 1 of 3`: the counters go where the catalog's text names them.
    let numbered = quoted(&words.say("page.number", &[("page", "\u{1}"), ("pages", "\u{2}")]))
        .replace('\u{1}', "\" counter(page) \"")
        .replace('\u{2}', "\" counter(pages) \"");
    let print = format!(
        "@page {{ size: A4; margin: 14mm 12mm 16mm; @bottom-left {{ content: \"{} · {}\"; font-size: 8pt; color: #555; }} @bottom-right {{ content: \"{numbered}\"; font-size: 8pt; color: #555; }} }}\n",
        quoted(title),
        quoted(&footer)
    );
    let (title, lang) = (escape(title), words.locale.tag);
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{title}</title>\n<style>\n{STYLE}{print}</style>\n</head>\n<body>\n<main>\n{body}</main>\n</body>\n</html>\n"
    )
}

/// `text` without the marks of trusted HTML: a caption is plain text.
fn without_marks(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut inside = false;
    for c in text.chars() {
        match c {
            '\u{E000}' => inside = true,
            '\u{E001}' => inside = false,
            c if !inside => out.push(c),
            _ => {}
        }
    }
    out
}

/// Text for HTML: its markup characters as entities.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

const STYLE: &str = "body { font-family: system-ui, sans-serif; max-width: 62rem; margin: 2rem auto; padding: 0 1rem; color: #222; line-height: 1.45; }
h1 { font-size: 1.6rem; border-bottom: 2px solid #1f56a0; padding-bottom: .3rem; }
h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }
h3 { font-size: 1.05rem; margin-top: 1.5rem; }
table { border-collapse: collapse; margin: .6rem 0; font-size: .9rem; }
th, td { border: 1px solid #ddd; padding: .25rem .55rem; text-align: left; vertical-align: top; }
th { background: #f3f5f8; }
figure.chart { margin: .8rem 0; }
figure.chart svg { max-width: 100%; height: auto; }
figcaption { font-size: .85rem; color: #333; }
figcaption .key { white-space: nowrap; margin-right: .8rem; }
figcaption .key svg { vertical-align: middle; }
figcaption ol.events { margin: .2rem 0 0; padding-left: 1.6rem; }
caption { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
svg.spark { vertical-align: middle; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 9pt; line-height: 1.3; }
  h1 { font-size: 15pt; margin: 0 0 .4rem; }
  h2 { font-size: 12pt; margin-top: 1rem; }
  table { font-size: 7.5pt; margin: .3rem 0; }
  th, td { padding: .1rem .3rem; }
  svg.spark { width: 64px; height: 14px; }
  figure, blockquote, tr { break-inside: avoid; }
  h1, h2, h3, caption { break-after: avoid; }
}
.status { padding: .05rem .45rem; border-radius: .6rem; font-weight: 600; white-space: nowrap; }
.status.green { background: #d9f2e1; color: #14532d; }
.status.amber { background: #fdecc8; color: #7a4b00; }
.status.red { background: #fbd5d5; color: #7f1d1d; }
.status.unclear { background: #e2e8f0; color: #1e293b; }
.status.unjudged { background: #eee; color: #555; font-weight: 400; }
blockquote { border-left: 3px solid #c86e14; margin: .6rem 0; padding: .1rem .8rem; color: #444; background: #fff8ef; }
code { background: #f3f3f3; padding: 0 .2rem; }
";
