//! The code's shape: Polars stays inside the back end, so a second back end (SQL) can be
//! added beside it without touching the front, the plan or the results; and each stage
//! uses only the stages below it, so that a newcomer reads them bottom up.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn polars_is_used_only_inside_the_back_end() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let backend = src.join("engine");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut found = Vec::new();
    for file in files.iter().filter(|f| !f.starts_with(&backend)) {
        let text = std::fs::read_to_string(file).unwrap();
        for (i, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if code.contains("polars::") || code.contains("use polars") {
                found.push(format!("{}:{}: {}", file.display(), i + 1, line.trim()));
            }
        }
    }
    assert!(files.len() > 20, "the source tree was not found");
    assert!(found.is_empty(), "Polars outside src/engine/:\n{}", found.join("\n"));
}

/// The stages from the ground up: a module may use its own level and the levels below,
/// never one above (issue #24's layering; `lib.rs` and `main.rs` tie them together).
const LEVELS: &[&[&str]] = &[
    &["diag", "census"],
    &["syntax", "load"],
    &["ir", "calendar", "stats"],
    &["check"],
    &["plan"],
    &["engine", "sql"],
    &["results"],
    &["change", "manifest"],
    &["report"],
    &["publish"],
    &["cli"],
];

fn level(module: &str) -> Option<usize> {
    LEVELS.iter().position(|l| l.contains(&module))
}

/// The top module of `file` (under `src`) and its module path.
fn module_path(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// Every top module a line of code reaches by `crate::` or by enough `super::` to leave
/// its own top module.
fn reached(code: &str, path: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let after = &rest[at + "crate::".len()..];
        match after.strip_prefix('{') {
            Some(group) => {
                let group = &group[..group.find('}').unwrap_or(group.len())];
                out.extend(group.split(',').map(|s| s.trim().split("::").next().unwrap_or("").to_string()));
            }
            None => out.push(after.split(|c: char| !c.is_alphanumeric() && c != '_').next().unwrap_or("").to_string()),
        }
        rest = after;
    }
    let supers = code.matches("super::").count();
    if supers > 0 && supers >= path.len() {
        // `super::` chains that climb out of this top module reach a sibling of it.
        if let Some(at) = code.rfind("super::") {
            let after = &code[at + "super::".len()..];
            out.push(after.split(|c: char| !c.is_alphanumeric() && c != '_').next().unwrap_or("").to_string());
        }
    }
    out.retain(|m| !m.is_empty() && m != "self");
    out
}

#[test]
fn no_stage_uses_a_stage_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut found = Vec::new();
    let mut unknown = Vec::new();
    let mut sideways = std::collections::BTreeSet::new();
    for file in &files {
        let path = module_path(&src, file);
        let top = path[0].as_str();
        if top == "lib" || top == "main" {
            continue;
        }
        let Some(own) = level(top) else {
            unknown.push(top.to_string());
            continue;
        };
        let text = std::fs::read_to_string(file).unwrap();
        for (i, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for target in reached(code, &path) {
                let Some(theirs) = level(&target) else { continue };
                if theirs == own && target != top {
                    sideways.insert((top.to_string(), target.clone()));
                }
                if theirs > own
                    && !found.last().is_some_and(|f: &String| f.starts_with(&format!("{}:{}:", file.display(), i + 1)))
                {
                    found.push(format!("{}:{}: {top} uses {target}: {}", file.display(), i + 1, line.trim()));
                }
            }
        }
    }
    assert!(unknown.is_empty(), "modules missing from the layering table: {unknown:?}");
    assert!(found.is_empty(), "uses of a stage above:\n{}", found.join("\n"));
    // Within a level, modules may use each other one way only: no cycle.
    let cycles: Vec<_> = sideways.iter().filter(|(a, b)| a < b && sideways.contains(&(b.clone(), a.clone()))).collect();
    assert!(cycles.is_empty(), "modules of one level that use each other: {cycles:?}");
}

/// Every code line of `src` (comments and unit tests cut) with its file and number.
fn code_lines(src: &Path) -> Vec<(PathBuf, usize, String)> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut out = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        // A module's unit tests say what its output looks like, in words.
        let code = text.split("#[cfg(test)]").next().unwrap_or("");
        for (i, line) in code.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("").to_string();
            out.push((file.clone(), i + 1, code));
        }
    }
    out
}

/// Errors are typed per stage: a caller chooses by kind, never by the words of a message.
#[test]
fn no_error_is_a_bare_string() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let found: Vec<String> = code_lines(&src)
        .into_iter()
        .filter(|(_, _, code)| code.contains("Result<") && code.replace(' ', "").contains(",String>"))
        .map(|(file, line, code)| format!("{}:{line}: {}", file.display(), code.trim()))
        .collect();
    assert!(found.is_empty(), "errors as strings:\n{}", found.join("\n"));
}

/// A back end knows the plan and the data files only: not the definition set, not the
/// project, not the checked structure (the plan's `Inputs` carries what it reads).
#[test]
fn the_back_end_sees_the_plan_only() {
    let engine = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/engine");
    let words = ["DefinitionSet", "Project", "Checked"];
    let found: Vec<String> = code_lines(&engine)
        .into_iter()
        .filter(|(_, _, code)| code.split(|c: char| !c.is_alphanumeric() && c != '_').any(|w| words.contains(&w)))
        .map(|(file, line, code)| format!("{}:{line}: {}", file.display(), code.trim()))
        .collect();
    assert!(found.is_empty(), "the back end reaches past the plan:\n{}", found.join("\n"));
}

/// The pooled row's id is written once, in the site type: everything else names
/// `SiteRef::ALL` or matches `SiteRef::All`. (The parser's `has all` is a word of the
/// language, not the row.)
#[test]
fn the_pooled_row_is_named_by_its_type() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let own = src.join("ir/ids.rs");
    let syntax = src.join("syntax");
    let found: Vec<String> = code_lines(&src)
        .into_iter()
        .filter(|(file, _, code)| *file != own && !file.starts_with(&syntax) && code.contains("\"all\""))
        .map(|(file, line, code)| format!("{}:{line}: {}", file.display(), code.trim()))
        .collect();
    assert!(found.is_empty(), "the pooled row's id as a literal:\n{}", found.join("\n"));
}

/// The crate docs' "where is" table names files that exist: a move that leaves it behind
/// fails here.
#[test]
fn the_where_is_table_names_files_that_exist() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let lib = std::fs::read_to_string(root.join("src/lib.rs")).unwrap();
    let table = lib.split("## Where is").nth(1).expect("a where-is table in src/lib.rs");
    let rows: Vec<&str> =
        table.lines().skip(1).take_while(|l| l.starts_with("//!")).filter(|l| l.contains("| `")).collect();
    assert!(rows.len() >= 10, "the table has {} rows", rows.len());
    for row in rows {
        let place = row.rsplit('|').nth(1).unwrap_or("");
        for path in place.split('`').skip(1).step_by(2).filter(|p| p.contains('/')) {
            assert!(root.join(path).is_file(), "the where-is table names {path}, which is not a file");
        }
    }
}

/// Comments cite the user reference under `docs/`, which is in the repository.
#[test]
fn comments_cite_docs_that_exist() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (i, line) in text.lines().enumerate() {
            if line.contains("SPEC section") {
                found.push(format!("{}:{}: cites SPEC, not in the repository", file.display(), i + 1));
            }
            for cited in line.split("docs/").skip(1) {
                let name: String =
                    cited.chars().take_while(|c| c.is_alphanumeric() || *c == '-' || *c == '.').collect();
                let name = name.trim_end_matches('.');
                if name.ends_with(".md") && !root.join("docs").join(name).is_file() {
                    found.push(format!("{}:{}: cites docs/{name}, which does not exist", file.display(), i + 1));
                }
            }
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}
