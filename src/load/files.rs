//! Where definition files are read from: the working tree, or a git revision of the
//! repository that holds them (docs/commands.md, `check --base` and `diff`), read with the git command line without
//! touching the working tree. A file outside that repository is read from the working
//! tree: a project kept apart from its definition set uses its own files as they are.

use super::error::RevisionError;
use super::git::git;
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
    /// Whether `path` is read from the disk (where a symbolic link may lead anywhere),
    /// rather than from git's objects.
    fn on_disk(&self, _path: &Path) -> bool {
        true
    }
}

/// `files` read only inside `root` (docs/files.md): a path on disk counts where its
/// links resolve to, so a link that leads out of the root is refused as unreadable. The
/// root itself may be a link; it is resolved first.
pub struct Within<'a> {
    files: &'a dyn Files,
    /// The root with its links resolved; `None` when it does not exist (then nothing
    /// under it does either).
    real_root: Option<PathBuf>,
    root: PathBuf,
}

impl<'a> Within<'a> {
    pub fn new(files: &'a dyn Files, root: &Path) -> Within<'a> {
        Within { files, real_root: std::fs::canonicalize(root).ok(), root: root.to_path_buf() }
    }

    /// Why `path` must not be read, if it must not.
    fn refused(&self, path: &Path) -> Option<io::Error> {
        if !self.files.on_disk(path) {
            return None;
        }
        let real = std::fs::canonicalize(path).ok()?;
        let inside = self.real_root.as_ref().is_some_and(|root| real.starts_with(root));
        (!inside).then(|| {
            io::Error::other(format!(
                "it leads out of {} through a symbolic link; yardstick reads definitions, templates and project files only inside their folder",
                self.root.display()
            ))
        })
    }
}

impl Files for Within<'_> {
    fn is_file(&self, path: &Path) -> bool {
        self.files.is_file(path)
    }

    fn is_dir(&self, path: &Path) -> bool {
        self.files.is_dir(path)
    }

    fn entries(&self, dir: &Path) -> io::Result<Vec<(PathBuf, bool)>> {
        match self.refused(dir) {
            Some(e) => Err(e),
            None => self.files.entries(dir),
        }
    }

    fn read(&self, path: &Path) -> io::Result<String> {
        match self.refused(path) {
            Some(e) => Err(e),
            None => self.files.read(path),
        }
    }

    fn shown(&self, path: &Path) -> PathBuf {
        self.files.shown(path)
    }

    fn on_disk(&self, path: &Path) -> bool {
        self.files.on_disk(path)
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
    /// The revision as given (diagnostics name files `REV:path`), and its commit.
    rev: String,
    commit: String,
    /// Every file and folder of the revision, relative to `root`.
    files: BTreeSet<PathBuf>,
    dirs: BTreeSet<PathBuf>,
    /// The files that are symbolic links at the revision: never read.
    links: BTreeSet<PathBuf>,
}

impl AtRevision {
    /// The revision `rev` of the repository holding `dir`; why not, when it cannot be read.
    /// A revision is never read as an option of git: one starting with `-` is refused, the
    /// rest come after `--end-of-options`, and the tree is read at the commit it names.
    pub fn open(dir: &Path, rev: &str) -> Result<AtRevision, RevisionError> {
        let not_a_revision =
            |root: &Path| RevisionError::NotARevision { rev: rev.to_string(), root: root.to_path_buf() };
        if rev.is_empty() || rev.starts_with('-') || rev.contains(['\0', '\n']) {
            return Err(not_a_revision(dir));
        }
        let top = git(dir, &["rev-parse", "--show-toplevel"])
            .map_err(|source| RevisionError::NotInRepository { dir: dir.to_path_buf(), source })?;
        let root = PathBuf::from(top.trim());
        let commit =
            git(&root, &["rev-parse", "--verify", "--quiet", "--end-of-options", &format!("{rev}^{{commit}}")])
                .map_err(|_| not_a_revision(&root))?;
        let listing = git(&root, &["ls-tree", "-r", "-z", "--full-tree", commit.trim()])?;
        let (mut files, mut links) = (BTreeSet::new(), BTreeSet::new());
        for entry in listing.split('\0').filter(|f| !f.is_empty()) {
            // `MODE TYPE HASH<TAB>PATH`; mode 120000 is a symbolic link.
            let Some((head, path)) = entry.split_once('\t') else { continue };
            if head.starts_with("120000") {
                links.insert(PathBuf::from(path));
            }
            files.insert(PathBuf::from(path));
        }
        let dirs = files.iter().flat_map(|f| f.ancestors().skip(1)).map(Path::to_path_buf).collect();
        Ok(AtRevision { root, rev: rev.to_string(), commit: commit.trim().to_string(), files, dirs, links })
    }

    /// Whether `path` lies inside the repository, so that its files are read at the revision.
    pub fn holds(&self, path: &Path) -> bool {
        self.inside(path).is_some()
    }

    /// `path` relative to the repository's top folder, when it lies inside it and is the
    /// repository's: yardstick's cache of pinned sets is its own, read as it is on disk
    /// even where it lies inside the repository (`YARDSTICK_CACHE=.cache`), unless the
    /// repository is a pinned set's clone inside that cache.
    fn inside(&self, path: &Path) -> Option<PathBuf> {
        let absolute = if path.is_absolute() { path.to_path_buf() } else { std::env::current_dir().ok()?.join(path) };
        let absolute = super::normalize(&absolute);
        // The working tree may be reached through a symbolic link: compare real paths.
        let real = real_prefix(&absolute);
        let cache = super::remote::cache_root().ok().map(|c| real_prefix(&super::normalize(&c)));
        if cache.is_some_and(|c| real.starts_with(&c) && !self.root.starts_with(&c)) {
            return None;
        }
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
        if self.links.contains(&rel) {
            return Err(io::Error::other(format!(
                "it is a symbolic link at {}; yardstick reads no link of a revision",
                self.rev
            )));
        }
        let spec = format!("{}:{}", self.commit, rel.to_string_lossy());
        git(&self.root, &["cat-file", "blob", &spec]).map_err(io::Error::other)
    }

    fn on_disk(&self, path: &Path) -> bool {
        !self.holds(path)
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
