//! `yardstick init`'s work: a new project, ready to fill (docs/commands.md). It writes
//! `yardstick.yaml` with comments for the named sites, a binding per chosen source, one
//! CSV template per site and source (the schema's header and a commented example row), and
//! a mappings file per site whose keys are the vocabularies those sources use. It never
//! overwrites a file, and writes all of them or none.

use crate::diag::did_you_mean;
use crate::ir::{ColumnType, DefinitionSet, SiteRef, Source};
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::path::{Component, Path, PathBuf};

/// What to start: a project in `dir` over the set in `set`, for `sites`, binding
/// `sources` (every source of the set when empty). Lists may be comma-separated.
pub struct InitRequest<'a> {
    pub dir: &'a Path,
    pub set: &'a Path,
    pub sites: &'a [String],
    pub sources: &'a [String],
}

/// What `init` wrote.
#[derive(Debug)]
pub struct Initialized {
    pub sites: Vec<String>,
    pub mappings: usize,
    pub templates: usize,
}

/// Why a project was not started; nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    #[error(
        "`{0}` cannot be a site id: use letters, digits, `_` and `-` (it names the site's data folder), and not `all`"
    )]
    BadSite(String),
    #[error("site `{0}` is named twice in --sites")]
    SiteTwice(String),
    #[error("name the sites: --sites lodz,lyon")]
    NoSites,
    #[error("no source `{name}` in definition set {set}; {hint}(its sources: {known})")]
    UnknownSource { name: String, set: String, hint: String, known: String },
    #[error("cannot read {}: {source}", path.display())]
    Unreadable { path: PathBuf, source: std::io::Error },
    #[error("cannot read the current folder: {0}")]
    CurrentFolder(std::io::Error),
    #[error("init writes a new project and overwrites nothing; already there: {}", shown(.0))]
    Taken(Vec<PathBuf>),
    /// Writing failed part way; what was written is removed again.
    #[error("cannot {action} {}: {source}", path.display())]
    Write { action: &'static str, path: PathBuf, source: std::io::Error },
}

impl InitError {
    /// Whether the command was used wrongly (not a failure to write).
    pub fn is_usage(&self) -> bool {
        !matches!(self, InitError::Write { .. })
    }
}

fn shown(paths: &[PathBuf]) -> String {
    paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
}

/// Writes the new project for `set`, all of it or nothing.
pub fn init(set: &DefinitionSet, request: &InitRequest) -> Result<Initialized, InitError> {
    let sites = site_ids(request.sites)?;
    let sources = chosen_sources(set, request.sources)?;
    let files = project_files(request, set, &sites, &sources)?;
    let taken: Vec<PathBuf> = files.iter().filter(|(p, _)| p.exists()).map(|(p, _)| p.clone()).collect();
    if !taken.is_empty() {
        return Err(InitError::Taken(taken));
    }
    write_all(&files)?;
    let mappings = files
        .iter()
        .filter(|(p, _)| p.extension().is_some_and(|e| e == "yaml") && p.parent().is_some_and(|d| d.ends_with("sites")))
        .count();
    let templates = files.iter().filter(|(p, _)| p.extension().is_some_and(|e| e == "csv")).count();
    Ok(Initialized { sites, mappings, templates })
}

/// The site ids given: each a word of letters, digits, `_` and `-`, named once, not `all`.
fn site_ids(given: &[String]) -> Result<Vec<String>, InitError> {
    let mut ids: Vec<String> = Vec::new();
    for id in given.iter().flat_map(|s| s.split(',')).map(str::trim).filter(|s| !s.is_empty()) {
        let word = id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !word || id == SiteRef::ALL {
            return Err(InitError::BadSite(id.to_string()));
        }
        if ids.iter().any(|x| x == id) {
            return Err(InitError::SiteTwice(id.to_string()));
        }
        ids.push(id.to_string());
    }
    if ids.is_empty() {
        return Err(InitError::NoSites);
    }
    Ok(ids)
}

/// The sources chosen (every source of the set when none is named), in the set's order.
fn chosen_sources<'a>(set: &'a DefinitionSet, given: &[String]) -> Result<Vec<&'a Source>, InitError> {
    let names: Vec<&str> = given.iter().flat_map(|s| s.split(',')).map(str::trim).filter(|s| !s.is_empty()).collect();
    for name in &names {
        if !set.sources.contains_key(*name) {
            let known = set.sources.keys().map(String::as_str);
            let hint = did_you_mean(name, known.clone()).map(|h| format!("{h} ")).unwrap_or_default();
            return Err(InitError::UnknownSource {
                name: name.to_string(),
                set: set.name.clone(),
                hint,
                known: known.collect::<Vec<_>>().join(", "),
            });
        }
    }
    Ok(set.sources.values().filter(|s| names.is_empty() || names.contains(&s.name.as_str())).collect())
}

/// Every file of the new project, with its text.
fn project_files(
    args: &InitRequest,
    set: &DefinitionSet,
    sites: &[String],
    sources: &[&Source],
) -> Result<Vec<(PathBuf, String)>, InitError> {
    let dir = args.dir;
    let mut files = Vec::new();
    let vocabularies: BTreeSet<&str> =
        sources.iter().flat_map(|s| s.columns.iter()).filter_map(|c| vocab_of(&c.ty)).collect();
    files.push((dir.join("yardstick.yaml"), project_yaml(args, set, sites, sources, !vocabularies.is_empty())?));
    for site in sites {
        if !vocabularies.is_empty() {
            files.push((dir.join("sites").join(format!("{site}.yaml")), mappings_yaml(set, site, &vocabularies)));
        }
        for source in sources {
            files.push((dir.join("data").join(site).join(format!("{}.csv", source.name)), template(set, source)));
        }
    }
    Ok(files)
}

fn vocab_of(ty: &ColumnType) -> Option<&str> {
    match ty {
        ColumnType::Vocab(v) => Some(v),
        ColumnType::List(inner) => vocab_of(inner),
        _ => None,
    }
}

fn project_yaml(
    args: &InitRequest,
    set: &DefinitionSet,
    sites: &[String],
    sources: &[&Source],
    mappings: bool,
) -> Result<String, InitError> {
    let definitions = definitions_path(args.dir, args.set)?;
    let name = project_name(args.dir);
    let year = chrono::Utc::now().date_naive().format("%Y").to_string().parse::<i32>().unwrap_or(2026);
    let v = &set.version;
    let requires = format!(">={}.{}, <{}", v.major, v.minor, v.major + 1);
    let mut y = String::new();
    let _ = writeln!(y, "# A yardstick project, written by `yardstick init`. Every key is described in the");
    let _ = writeln!(y, "# yardstick repository's docs/project.md.");
    let _ = writeln!(y, "project: {name}");
    let _ = writeln!(y, "definitions: {definitions}   # the shared definition set ({} {})", set.name, set.version);
    let _ = writeln!(y, "requires: \"{requires}\"   # the set versions this project accepts");
    let _ = writeln!(y, "start: {}-01-01   # the first period computed: the month your exports begin", year - 1);
    let _ = writeln!(y, "calendar: {{fiscal_year_start: 1}}   # the month (1..12) your fiscal year starts");
    let _ = writeln!(y, "baseline: {{months_before_rollout: 12}}   # or one window for all: {{from: DATE, to: DATE}}");
    let _ = writeln!(y, "unmapped: error   # error | exclude: what a code that is neither a term nor mapped gets");
    let _ = writeln!(y, "sites:");
    for site in sites {
        // Quoted: a site id such as 2024 or null is text, not a number or nothing.
        let _ = writeln!(y, "  \"{site}\":");
        let _ = writeln!(y, "    title: \"{site}\"   # the name people read");
        let _ = writeln!(
            y,
            "    rollout: {year}-01-01   # the day the ISMS went live here: set it, baselines count back from it"
        );
        let _ = writeln!(
            y,
            "    timezone: UTC   # an IANA name such as Europe/Warsaw: how times without an offset are read"
        );
        if mappings {
            let _ =
                writeln!(y, "    mappings: sites/{site}.yaml   # this site's local codes mapped onto the set's terms");
        }
        let _ = writeln!(
            y,
            "    # coverage: {{downtime: {{from: {}-06-01, collection: manual}}}}   # where an export starts",
            year - 1
        );
        let _ = writeln!(y, "    # sources: {{incidents: none}}   # this site has no such export");
        let _ = writeln!(
            y,
            "    # sources: {{incidents: {{csv: {{delimiter: \";\"}}}}}}   # this site writes it its own way"
        );
    }
    let _ = writeln!(y, "# Where each site's export of each source lives ({{site}} is the site id). A CSV written");
    let _ = writeln!(
        y,
        "# another way says how, such as: csv: {{delimiter: \";\", decimal: \",\", encoding: windows-1250,"
    );
    let _ = writeln!(y, "# \"true\": [tak], \"false\": [nie], \"null\": [\"\", \"N/A\"]}}, date_format: \"%d.%m.%Y\",");
    let _ = writeln!(y, "# datetime_format: \"%d.%m.%Y %H:%M\". `comment: \"#\"` skips the templates' example rows.");
    let _ = writeln!(y, "sources:");
    for s in sources {
        let _ = writeln!(y, "  {0}: {{file: \"data/{{site}}/{0}.csv\", csv: {{comment: \"#\"}}}}", s.name);
    }
    let unbound: Vec<&str> =
        set.sources.keys().map(String::as_str).filter(|n| !sources.iter().any(|s| s.name == *n)).collect();
    if !unbound.is_empty() {
        let _ = writeln!(y, "# Not bound (their metrics are not collected): {}", unbound.join(", "));
    }
    Ok(y)
}

/// The set's folder as written from the project's: relative when they share a root.
fn definitions_path(dir: &Path, set: &Path) -> Result<String, InitError> {
    let set = fs::canonicalize(set).map_err(|source| InitError::Unreadable { path: set.to_path_buf(), source })?;
    let cwd = std::env::current_dir().map_err(InitError::CurrentFolder)?;
    let dir = crate::load::normalize(&cwd.join(dir));
    let dir = fs::canonicalize(&dir).unwrap_or(dir);
    let (a, b): (Vec<Component>, Vec<Component>) = (dir.components().collect(), set.components().collect());
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    // Sharing only the file system's root, they would move apart: the full path then.
    if common <= 1 {
        return Ok(set.display().to_string());
    }
    let mut rel: PathBuf = a[common..].iter().map(|_| "..").collect();
    rel.extend(b[common..].iter());
    Ok(if rel.as_os_str().is_empty() { ".".into() } else { rel.display().to_string() })
}

fn project_name(dir: &Path) -> String {
    let cwd = std::env::current_dir().unwrap_or_default();
    let full = crate::load::normalize(&cwd.join(dir));
    let name = full.file_name().and_then(|n| n.to_str()).unwrap_or("isms");
    let name: String = name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '-' }).collect();
    if name.is_empty() { "isms".into() } else { name }
}

fn mappings_yaml(set: &DefinitionSet, site: &str, vocabularies: &BTreeSet<&str>) -> String {
    let mut y = format!(
        "# {site}'s local codes mapped onto the definition set's terms, per vocabulary:\n\
         #   incident_severity: {{\"P1\": SEV1, \"Prio 2\": SEV2}}\n\
         # A code that already is a term needs no entry; `check --data` lists every code\n\
         # that is neither, with its rows.\n"
    );
    for name in vocabularies {
        let vocab = &set.vocabularies[*name];
        let terms: Vec<&str> = vocab.terms.iter().map(|t| t.code.as_str()).collect();
        let shown = if terms.len() > 12 { format!("{}, ...", terms[..12].join(", ")) } else { terms.join(", ") };
        let _ = write!(y, "\n# terms: {shown}\n{name}: {{}}\n");
    }
    y
}

/// The schema's header, then one example row behind `#`.
fn template(set: &DefinitionSet, source: &Source) -> String {
    let header: Vec<&str> = source.columns.iter().map(|c| c.name.as_str()).collect();
    let example: Vec<String> = source.columns.iter().map(|c| example(set, &c.name, &c.ty)).collect();
    format!("{}\n# {}\n", header.join(","), example.join(","))
}

fn example(set: &DefinitionSet, name: &str, ty: &ColumnType) -> String {
    match ty {
        ColumnType::String if name.ends_with("_id") => "EX-0001".into(),
        ColumnType::String => "example".into(),
        ColumnType::Int => "1".into(),
        ColumnType::Float => "2.5".into(),
        ColumnType::Bool => "true".into(),
        ColumnType::Date => "2025-01-31".into(),
        ColumnType::DateTime => "2025-01-31T08:00:00".into(),
        ColumnType::Vocab(v) => set.vocabularies[v].terms.first().map(|t| t.code.clone()).unwrap_or_default(),
        ColumnType::List(inner) => example(set, name, inner),
    }
}

/// Writes every file, or none: each is written beside its place first, and moved there
/// only when all are written.
fn write_all(files: &[(PathBuf, String)]) -> Result<(), InitError> {
    let failed = |action, path: &Path| {
        let path = path.to_path_buf();
        move |source| InitError::Write { action, path, source }
    };
    let staged: Vec<PathBuf> = files.iter().map(|(p, _)| p.with_extension("yardstick-init")).collect();
    let mut written = Vec::new();
    let result = files.iter().zip(&staged).try_for_each(|((path, text), tmp)| {
        let parent = path.parent().unwrap_or(Path::new("."));
        fs::create_dir_all(parent).map_err(failed("create", parent))?;
        let mut f = fs::OpenOptions::new().write(true).create_new(true).open(tmp).map_err(failed("write", tmp))?;
        written.push(tmp.clone());
        std::io::Write::write_all(&mut f, text.as_bytes()).map_err(failed("write", tmp))
    });
    let result = result.and_then(|()| {
        files.iter().zip(&staged).try_for_each(|((path, _), tmp)| fs::rename(tmp, path).map_err(failed("write", path)))
    });
    if result.is_err() {
        for (tmp, (path, _)) in staged.iter().zip(files) {
            let _ = fs::remove_file(tmp);
            if written.contains(tmp) {
                let _ = fs::remove_file(path);
            }
        }
    }
    result
}
