//! Fixture helpers: copy a fixture into a temporary folder, edit it, compile it.

use std::fs;
use std::path::{Path, PathBuf};
use yardstick::check::Checked;
use yardstick::diag::{Diagnostics, Sources};

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// One change to a fixture file.
pub enum Edit {
    Replace { file: &'static str, find: &'static str, with: &'static str },
    Write { file: &'static str, text: &'static str },
    Rename { from: &'static str, to: &'static str },
}

pub fn apply(root: &Path, edit: &Edit) {
    match edit {
        Edit::Replace { file, find, with } => {
            let path = root.join(file);
            let text = fs::read_to_string(&path).unwrap();
            assert!(text.contains(find), "{file} does not contain {find:?}");
            fs::write(&path, text.replacen(find, with, 1)).unwrap();
        }
        Edit::Write { file, text } => fs::write(root.join(file), text).unwrap(),
        Edit::Rename { from, to } => fs::rename(root.join(from), root.join(to)).unwrap(),
    }
}

pub fn compile(dir: &Path) -> (Option<Checked>, Diagnostics, Sources) {
    let mut sources = Sources::default();
    let (checked, diags) = yardstick::compile(dir, &mut sources);
    (checked, diags, sources)
}
