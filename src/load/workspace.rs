//! Finding and reading the files of a definition set and a project.

use super::docs::{
    ContextDoc, DefinitionsDoc, GitDoc, MappingDoc, MessagesDoc, MetricDoc, ProjectDoc, SetDoc, SourceDoc, VocabDoc,
};
use super::files::{Files, Within, WorkTree};
use super::remote::Pin;
use crate::diag::{Diagnostic, Diagnostics, FileId, Sources, Span, codes, did_you_mean};
use serde::de::DeserializeOwned;
use std::path::{Component, Path, PathBuf};

/// A parsed file and where its text is kept.
#[derive(Debug)]
pub struct Loaded<T> {
    pub file: FileId,
    pub doc: T,
}

/// The files of a definition set (docs/README.md).
#[derive(Debug, Default)]
pub struct SetDocs {
    pub root: PathBuf,
    pub set: Option<Loaded<SetDoc>>,
    pub vocabs: Vec<Loaded<VocabDoc>>,
    pub sources: Vec<Loaded<SourceDoc>>,
    pub metrics: Vec<Loaded<MetricDoc>>,
    /// Stems of vocabulary, source and metric files that could not be read or parsed
    /// (already reported), so that what refers to them is not blamed as well.
    pub unreadable: Vec<String>,
    /// The files among `metrics` that the project adds (its `metrics:` folder).
    pub local: Vec<FileId>,
    /// The message catalog of the set's report templates (`reports/messages.yaml`).
    pub messages: Option<Loaded<MessagesDoc>>,
}

/// The files of a project, with the definition set it names.
#[derive(Debug)]
pub struct ProjectDocs {
    pub root: PathBuf,
    pub project: Loaded<ProjectDoc>,
    /// Per site id, its mappings file.
    pub mappings: Vec<(String, Loaded<MappingDoc>)>,
    pub context: Option<Loaded<ContextDoc>>,
    pub set: SetDocs,
    /// The git repository and revision the set was fetched from, when it is pinned.
    pub pinned: Option<Pin>,
    /// The report templates (`reports/NAME.md.j2`) of the project and the set, by name,
    /// sorted: as they are where the files are read (the working tree or a revision).
    pub templates: Vec<String>,
    /// The message catalog of the project's own templates (`reports/messages.yaml`),
    /// whose texts replace the set's.
    pub messages: Option<Loaded<MessagesDoc>>,
}

/// Reads a definition set folder. Unreadable or malformed files become diagnostics; the
/// rest is still loaded so that one run reports as much as it can.
pub fn load_set(root: &Path, sources: &mut Sources, diags: &mut Diagnostics) -> SetDocs {
    load_set_from(&WorkTree, root, sources, diags)
}

/// [`load_set`] reading through `files` (the working tree, or a git revision).
pub fn load_set_from(files: &dyn Files, root: &Path, sources: &mut Sources, diags: &mut Diagnostics) -> SetDocs {
    let root = normalize(root);
    let files = &Within::new(files, &root);
    let set_path = root.join("set.yaml");
    let set = if files.is_file(&set_path) {
        read_yaml(files, &set_path, sources, diags)
    } else {
        diags.push(
            Diagnostic::error(codes::E0105, format!("{} is not a definition set: it has no set.yaml", root.display()))
                .in_file(&set_path)
                .help("a definition set holds set.yaml (name, version), vocab/, sources/ and metrics/"),
        );
        None
    };
    let vocab_paths = yaml_files(files, &root.join("vocab"), false, diags);
    let source_paths = yaml_files(files, &root.join("sources"), false, diags);
    let metric_paths = yaml_files(files, &root.join("metrics"), true, diags);
    let mut unreadable = Vec::new();
    let vocabs = read_all(files, vocab_paths, sources, diags, &mut unreadable);
    let source_docs = read_all(files, source_paths, sources, diags, &mut unreadable);
    let metrics = read_all(files, metric_paths, sources, diags, &mut unreadable);
    let messages = read_messages(files, &root, sources, diags);
    SetDocs { root, set, vocabs, sources: source_docs, metrics, unreadable, local: Vec::new(), messages }
}

/// What a folder given with `-p` turned out to be.
#[derive(Debug)]
pub enum Workspace {
    Project(Box<ProjectDocs>),
    /// A definition set checked on its own, without a project.
    Set(Box<SetDocs>),
}

/// Reads the project in `dir` (its `yardstick.yaml`), or the definition set in `dir` when
/// there is no project file. `None` when nothing could be read at all.
pub fn load_project(dir: &Path, sources: &mut Sources, diags: &mut Diagnostics) -> Option<Workspace> {
    load_project_from(&WorkTree, dir, sources, diags)
}

/// [`load_project`] reading through `files` (the working tree, or a git revision).
pub fn load_project_from(
    files: &dyn Files,
    dir: &Path,
    sources: &mut Sources,
    diags: &mut Diagnostics,
) -> Option<Workspace> {
    let dir = normalize(dir);
    let outer = files;
    let files = &Within::new(outer, &dir);
    let project_path = dir.join("yardstick.yaml");
    if !files.is_file(&project_path) {
        if files.is_file(&dir.join("set.yaml")) {
            return Some(Workspace::Set(Box::new(load_set_from(outer, &dir, sources, diags))));
        }
        diags.push(
            Diagnostic::error(
                codes::E0105,
                format!("{} holds neither a project (yardstick.yaml) nor a definition set (set.yaml)", dir.display()),
            )
            .help("pass the project folder with -p, or run yardstick inside it"),
        );
        return None;
    }
    let project: Loaded<ProjectDoc> = read_yaml(files, &project_path, sources, diags)?;
    let (set_root, pinned) = match &project.doc.definitions.value {
        DefinitionsDoc::Path(path) => (Some(dir.join(path)), None),
        DefinitionsDoc::Git(pin) => match pinned_set(&dir, pin, project.file, diags) {
            Some((root, pin)) => (Some(root), Some(pin)),
            None => (None, None),
        },
    };
    let mut set = match set_root {
        Some(root) if files.is_dir(&root) => load_set_from(outer, &root, sources, diags),
        Some(root) => {
            let help = match &pinned {
                Some(p) => format!("`path` names the folder holding set.yaml in {} at {}", p.url, p.rev),
                None => "`definitions` is a path relative to this yardstick.yaml".to_string(),
            };
            diags.push(
                Diagnostic::error(
                    codes::E0603,
                    format!("definition set folder `{}` not found", normalize(&root).display()),
                )
                .at(super::span_of(project.file, &project.doc.definitions))
                .label("no such folder")
                .help(help),
            );
            SetDocs::default()
        }
        None => SetDocs::default(),
    };
    if let Some(folder) = &project.doc.metrics {
        let full = dir.join(&folder.value);
        if files.is_dir(&full) {
            let paths = yaml_files(files, &full, true, diags);
            let local = read_all(files, paths, sources, diags, &mut set.unreadable);
            set.local.extend(local.iter().map(|m| m.file));
            set.metrics.extend(local);
        } else {
            diags.push(missing_file(project.file, folder, "project metrics folder"));
        }
    }
    let mappings = read_mappings(files, &dir, &project, sources, diags);
    let context = project.doc.context.as_ref().and_then(|path| {
        let full = dir.join(&path.value);
        if files.is_file(&full) {
            read_yaml(files, &full, sources, diags)
        } else {
            diags.push(missing_file(project.file, path, "context file"));
            None
        }
    });
    let templates = report_templates(outer, &dir, &set);
    let messages = read_messages(files, &dir, sources, diags);
    let docs = ProjectDocs { root: dir, project, mappings, context, set, pinned, templates, messages };
    Some(Workspace::Project(Box::new(docs)))
}

/// Each site's mappings file, by site id.
fn read_mappings(
    files: &dyn Files,
    dir: &Path,
    project: &Loaded<ProjectDoc>,
    sources: &mut Sources,
    diags: &mut Diagnostics,
) -> Vec<(String, Loaded<MappingDoc>)> {
    let mut mappings = Vec::new();
    for (site, doc) in project.doc.sites.iter() {
        if let Some(path) = &doc.mappings {
            let full = dir.join(&path.value);
            if files.is_file(&full) {
                if let Some(m) = read_yaml(files, &full, sources, diags) {
                    mappings.push((site.value.clone(), m));
                }
            } else {
                diags.push(missing_file(project.file, path, "mappings file"));
            }
        }
    }
    mappings
}

/// The message catalog `reports/messages.yaml` under `root`, when there is one.
fn read_messages(
    files: &dyn Files,
    root: &Path,
    sources: &mut Sources,
    diags: &mut Diagnostics,
) -> Option<Loaded<MessagesDoc>> {
    let path = root.join("reports").join("messages.yaml");
    files.is_file(&path).then(|| read_yaml(files, &path, sources, diags)).flatten()
}

/// The report templates (`NAME.md.j2`) of the project and the set (when it was found), by
/// name, sorted: each folder read inside its own root.
fn report_templates(files: &dyn Files, project: &Path, set: &SetDocs) -> Vec<String> {
    let mut names = templates(&Within::new(files, project), &project.join("reports"));
    if set.set.is_some() {
        names.extend(templates(&Within::new(files, &set.root), &set.root.join("reports")));
    }
    names.sort();
    names.dedup();
    names
}

/// The report templates (`NAME.md.j2`) in `folder`, by name.
fn templates(files: &dyn Files, folder: &Path) -> Vec<String> {
    let entries = if files.is_dir(folder) { files.entries(folder).unwrap_or_default() } else { Vec::new() };
    entries
        .into_iter()
        .filter(|(_, is_dir)| !is_dir)
        .filter_map(|(p, _)| p.file_name()?.to_str()?.strip_suffix(".md.j2").map(String::from))
        .collect()
}

/// Where a project's definitions are: a folder, or a set pinned in git.
#[derive(Debug)]
pub enum Definitions {
    Folder(String),
    Pinned(Pin),
}

/// What the yardstick.yaml in `dir` names as its definitions, without loading them;
/// `None` when it cannot be read (the diagnostics say why).
pub fn definitions_of(dir: &Path, sources: &mut Sources, diags: &mut Diagnostics) -> Option<Definitions> {
    let path = normalize(dir).join("yardstick.yaml");
    if !path.is_file() {
        diags.push(
            Diagnostic::error(codes::E0105, format!("{} holds no project (yardstick.yaml)", dir.display()))
                .help("pass the project folder with -p, or run yardstick inside it"),
        );
        return None;
    }
    let project: Loaded<ProjectDoc> = read_yaml(&Within::new(&WorkTree, &normalize(dir)), &path, sources, diags)?;
    match project.doc.definitions.value {
        DefinitionsDoc::Path(folder) => Some(Definitions::Folder(folder)),
        DefinitionsDoc::Git(g) => {
            match Pin::new(dir, &g.git.value, &g.rev.value, g.path.as_ref().map(|p| p.value.as_str())) {
                Ok(pin) => Some(Definitions::Pinned(pin)),
                Err(e) => {
                    diags.push(
                        Diagnostic::error(
                            codes::E0622,
                            format!("the definition set pinned in git cannot be read: {e}"),
                        )
                        .at(super::span_of(project.file, &g.git).to(super::span_of(project.file, &g.rev))),
                    );
                    None
                }
            }
        }
    }
}

/// The folder of a set pinned in git, fetched into the cache on first use.
fn pinned_set(dir: &Path, doc: &GitDoc, file: FileId, diags: &mut Diagnostics) -> Option<(PathBuf, Pin)> {
    let fetched =
        Pin::new(dir, &doc.git.value, &doc.rev.value, doc.path.as_ref().map(|p| p.value.as_str())).and_then(|pin| {
            let checkout = pin.checkout(false)?;
            Ok((pin.set_root(&checkout), pin))
        });
    match fetched {
        Ok(found) => Some(found),
        Err(e) => {
            diags.push(
                Diagnostic::error(codes::E0622, format!("the definition set pinned in git cannot be read: {e}"))
                    .at(super::span_of(file, &doc.git).to(super::span_of(file, &doc.rev)))
                    .label("fetched with git into yardstick's cache on first use")
                    .help("check the URL and the tag, and that git can reach the repository; once fetched, the set is read offline (`yardstick fetch` refreshes it)"),
            );
            None
        }
    }
}

fn missing_file(file: FileId, path: &serde_saphyr::Spanned<String>, what: &str) -> Diagnostic {
    Diagnostic::error(codes::E0604, format!("{what} `{}` not found", path.value))
        .at(super::span_of(file, path))
        .label("no such file")
        .help("paths in yardstick.yaml are relative to the project folder")
}

/// The `.yaml`/`.yml` files of a folder, sorted so every run reads them in the same order.
fn yaml_files(files: &dyn Files, dir: &Path, recursive: bool, diags: &mut Diagnostics) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if !files.is_dir(dir) {
        return out;
    }
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = match files.entries(&d) {
            Ok(e) => e,
            Err(e) => {
                diags.push(Diagnostic::error(codes::E0104, format!("cannot read folder {}: {e}", d.display())));
                continue;
            }
        };
        for (path, is_dir) in entries {
            if is_dir {
                if recursive {
                    stack.push(path);
                }
            } else if matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Reads each file; the stems of those that fail go to `unreadable`.
fn read_all<T: DeserializeOwned>(
    files: &dyn Files,
    paths: Vec<PathBuf>,
    sources: &mut Sources,
    diags: &mut Diagnostics,
    unreadable: &mut Vec<String>,
) -> Vec<Loaded<T>> {
    let mut docs = Vec::new();
    for path in paths {
        match read_yaml(files, &path, sources, diags) {
            Some(doc) => docs.push(doc),
            None => unreadable.extend(path.file_stem().and_then(|s| s.to_str()).map(String::from)),
        }
    }
    docs
}

/// Reads and parses one YAML file; its text is kept in `sources` for diagnostics.
fn read_yaml<T: DeserializeOwned>(
    files: &dyn Files,
    path: &Path,
    sources: &mut Sources,
    diags: &mut Diagnostics,
) -> Option<Loaded<T>> {
    let text = match files.read(path) {
        Ok(t) => t,
        Err(e) => {
            diags.push(Diagnostic::error(codes::E0104, format!("cannot read {}: {e}", path.display())).in_file(path));
            return None;
        }
    };
    if let Some(what) = no_content(&text) {
        diags.push(Diagnostic::error(codes::E0120, format!("{} {what}", path.display())).in_file(path).help(
            "every yardstick file holds a YAML mapping; write its keys (docs/definition-set.md, docs/project.md), or remove the file",
        ));
        return None;
    }
    // A byte-order mark is no character of the document: kept, it would shift every
    // column the parser reports on the first line by one.
    let text = match text.strip_prefix('\u{FEFF}') {
        Some(rest) => rest.to_string(),
        None => text,
    };
    let file = sources.add(files.shown(path), text);
    match serde_saphyr::from_str::<T>(sources.text(file)) {
        Ok(doc) => Some(Loaded { file, doc }),
        Err(e) => {
            diags.push(yaml_error(&e, file, sources));
            None
        }
    }
}

/// Why a file holds no YAML document, if it does not: nothing but blank lines, comments
/// and document markers. Said before parsing, which would put a caret past its end.
fn no_content(text: &str) -> Option<&'static str> {
    let mut comments = false;
    for line in text.trim_start_matches('\u{feff}').lines().map(str::trim) {
        let marker = line.strip_prefix("---").or_else(|| line.strip_prefix("...")).map(str::trim_start);
        match marker.unwrap_or(line) {
            "" => {}
            rest if rest.starts_with('#') => comments = true,
            _ => return None,
        }
    }
    Some(if comments { "holds only comments" } else { "is empty" })
}

/// Turns serde-saphyr's error into a diagnostic: unknown keys get E0102 and a suggestion,
/// a value of the wrong shape E0103, broken YAML E0101.
fn yaml_error(e: &serde_saphyr::Error, file: FileId, sources: &Sources) -> Diagnostic {
    let full = e.without_snippet().to_string();
    let message = match full.rfind(" at line ") {
        Some(i) => full[..i].to_string(),
        None => full,
    };
    let text = sources.text(file);
    let span_at = |word: bool| {
        e.location().map(|loc| {
            let start = loc
                .span()
                .byte_offset()
                .map_or_else(|| line_col_offset(text, loc.line() as usize, loc.column() as usize), |o| o as usize);
            let start = start.min(text.len());
            // A key or a scalar is underlined whole; a syntax error at its character.
            let len = if word {
                text[start..].find([':', '\n', ',', '}', ']']).unwrap_or(text.len() - start)
            } else {
                text[start..].chars().next().map_or(0, char::len_utf8)
            };
            Span::new(file, start, start + len.max(1))
        })
    };
    let (d, word) = if let Some(rest) = message.strip_prefix("unknown field `") {
        let (field, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let candidates: Vec<&str> = expected
            .trim_start_matches(", expected one of ")
            .trim_start_matches(", expected ")
            .split(", ")
            .map(|s| s.trim_matches('`'))
            .collect();
        let help = did_you_mean(field, candidates.iter().copied())
            .unwrap_or_else(|| format!("the keys allowed here are: {}", candidates.join(", ")));
        let d = Diagnostic::error(codes::E0102, format!("unknown key `{field}`"))
            .label("not a key of this mapping")
            .help(help);
        (d, true)
    } else if let Some(rest) = message.strip_prefix("duplicate mapping key: ") {
        let key = rest.split(',').next().unwrap_or(rest);
        let d = Diagnostic::error(codes::E0109, format!("duplicate key `{key}`"))
            .label("given again here")
            .help("each key appears once in a mapping; remove one of them");
        (d, true)
    } else if message.starts_with("missing field") {
        let d = Diagnostic::error(codes::E0106, message.replace("missing field", "missing required key"))
            .label("in the mapping that ends here");
        (d, false)
    } else if message.contains("cannot deserialize null") {
        let d = Diagnostic::error(codes::E0103, "unexpected value: an empty value (null) where text is expected")
            .label("empty here")
            .help("YAML reads `null`, `~` and nothing at all as empty; write a word such as null in quotes: \"null\"");
        (d, true)
    } else if looks_like_shape_error(&message) {
        let d = Diagnostic::error(codes::E0103, format!("unexpected value: {}", plain_words(&message))).label("here");
        (d, true)
    } else {
        let d = Diagnostic::error(codes::E0101, format!("invalid YAML: {message}"))
            .label("here")
            .help("check quotes, brackets and indentation around this point");
        (d, false)
    };
    match span_at(word) {
        Some(span) => d.at(span),
        None => d,
    }
}

/// serde's wording for a few common mismatches, in a user's words.
fn plain_words(message: &str) -> String {
    let expected = match message {
        m if m.starts_with("invalid u") || m.starts_with("invalid i") => "expected a whole number",
        m if m.starts_with("invalid f") => "expected a number",
        m if m.starts_with("invalid bool") => "expected true or false",
        m => return m.to_string(),
    };
    expected.to_string()
}

fn looks_like_shape_error(message: &str) -> bool {
    ["invalid type", "invalid value", "expected", "invalid u", "invalid i", "invalid f", "invalid bool"]
        .iter()
        .any(|p| message.contains(p))
        && !message.contains("while scanning")
        && !message.contains("did not find")
}

fn line_col_offset(text: &str, line: usize, col: usize) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            return offset + l.char_indices().nth(col.saturating_sub(1)).map_or(0, |(b, _)| b);
        }
        offset += l.len();
    }
    text.len()
}

/// Removes `.` and resolves `..` lexically, so `examples/acme/../../metrics` reads `metrics`.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if matches!(out.components().next_back(), Some(Component::Normal(_))) {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}
