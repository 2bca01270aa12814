//! Where definition files are read from: the working tree, or a git revision of the
//! repository that holds them (SPEC section 11), read with the git command line without
//! touching the working tree. A file outside that repository is read from the working
//! tree: a project kept apart from its definition set uses its own files as they are.

use crate::git::git;
use std::collections::BTreeSet;
use std::io;
use std::path::{Component, Path, PathBuf};

pub trait Files {
    fn is_file(&self, path: &Path) -> bool;
    fn is_dir(&self, path: &Path) -> bool;
    /// The entries of a folder: each path, and whether it is a folder.
    fn entries(&self, dir: &Path) -> io::Result<Vec<(PathBuf, bool)>>;
    fn read(&self, path: &Path) -> io::Result<String>;
    /// How diagnostics name the file: `REV:path` for a file of a revision.
    fn shown(&self, path: &Path) -> PathBuf {
        path.to_path_buf()
    }
}

/// The files as they are on disk.
pub struct WorkTree;

impl Files for WorkTree {
    fn is_file(&self, path: &Path) -> bool {
        path.is_file()
    }

    fn is_dir(&self, path: &Path) -> bool {
        path.is_dir()
    }

    fn entries(&self, dir: &Path) -> io::Result<Vec<(PathBuf, bool)>> {
        std::fs::read_dir(dir)?.map(|e| e.map(|e| (e.path(), e.path().is_dir()))).collect()
    }

    fn read(&self, path: &Path) -> io::Result<String> {
        std::fs::read_to_string(path)
    }
}

/// The files of a repository as they were at a revision.
pub struct AtRevision {
    /// The repository's top folder, as git names it.
    root: PathBuf,
    rev: String,
    /// Every file and folder of the revision, relative to `root`.
    files: BTreeSet<PathBuf>,
    dirs: BTreeSet<PathBuf>,
}

impl AtRevision {
    /// The revision `rev` of the repository holding `dir`; why not, when it cannot be read.
    pub fn open(dir: &Path, rev: &str) -> Result<AtRevision, String> {
        let top = git(dir, &["rev-parse", "--show-toplevel"])
            .map_err(|e| format!("{} is not in a git repository ({e}); --base needs one", dir.display()))?;
        let root = PathBuf::from(top.trim());
        git(&root, &["rev-parse", "--verify", "--quiet", &format!("{rev}^{{commit}}")])
            .map_err(|_| format!("`{rev}` is not a revision of the repository at {}", root.display()))?;
        let listing = git(&root, &["ls-tree", "-r", "-z", "--name-only", rev])?;
        let files: BTreeSet<PathBuf> = listing.split('\0').filter(|f| !f.is_empty()).map(PathBuf::from).collect();
        let dirs = files.iter().flat_map(|f| f.ancestors().skip(1)).map(Path::to_path_buf).collect();
        Ok(AtRevision { root, rev: rev.to_string(), files, dirs })
    }

    /// Whether `path` lies inside the repository, so that its files are read at the revision.
    pub fn holds(&self, path: &Path) -> bool {
        self.inside(path).is_some()
    }

    /// `path` relative to the repository's top folder, when it lies inside it.
    fn inside(&self, path: &Path) -> Option<PathBuf> {
        let absolute = if path.is_absolute() { path.to_path_buf() } else { std::env::current_dir().ok()?.join(path) };
        let absolute = super::normalize(&absolute);
        // The working tree may be reached through a symbolic link: compare real paths.
        let real = real_prefix(&absolute);
        let relative = real.strip_prefix(&self.root).ok()?;
        Some(relative.components().filter(|c| matches!(c, Component::Normal(_))).collect())
    }
}

impl Files for AtRevision {
    fn is_file(&self, path: &Path) -> bool {
        match self.inside(path) {
            Some(rel) => self.files.contains(&rel),
            None => path.is_file(),
        }
    }

    fn is_dir(&self, path: &Path) -> bool {
        match self.inside(path) {
            Some(rel) => rel.as_os_str().is_empty() || self.dirs.contains(&rel),
            None => path.is_dir(),
        }
    }

    fn entries(&self, dir: &Path) -> io::Result<Vec<(PathBuf, bool)>> {
        let Some(rel) = self.inside(dir) else { return WorkTree.entries(dir) };
        let children = |set: &BTreeSet<PathBuf>, is_dir: bool| {
            set.iter()
                .filter(|p| p.parent() == Some(rel.as_path()))
                .map(|p| (dir.join(p.file_name().unwrap_or_default()), is_dir))
                .collect::<Vec<_>>()
        };
        let mut out = children(&self.files, false);
        out.extend(children(&self.dirs, true));
        Ok(out)
    }

    fn read(&self, path: &Path) -> io::Result<String> {
        let Some(rel) = self.inside(path) else { return WorkTree.read(path) };
        let spec = format!("{}:{}", self.rev, rel.to_string_lossy());
        git(&self.root, &["cat-file", "blob", &spec]).map_err(io::Error::other)
    }

    fn shown(&self, path: &Path) -> PathBuf {
        match self.inside(path) {
            Some(rel) => PathBuf::from(format!("{}:{}", self.rev, rel.display())),
            None => path.to_path_buf(),
        }
    }
}

/// `path` with its longest existing beginning resolved to the real folder.
fn real_prefix(path: &Path) -> PathBuf {
    for base in path.ancestors() {
        if let Ok(real) = std::fs::canonicalize(base) {
            return real.join(path.strip_prefix(base).unwrap_or(Path::new("")));
        }
    }
    path.to_path_buf()
}
