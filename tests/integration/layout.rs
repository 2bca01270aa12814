//! The code's shape: Polars stays inside the back end, so a second back end (SQL) can be
//! added beside it without touching the front, the plan or the results.

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
