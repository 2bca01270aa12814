//! What can go wrong reading definitions from git: a revision that names nothing, a
//! pinned set that cannot be fetched or holds what a set may not. Each kind its own
//! variant, so that a caller chooses what to do (and which exit code) by kind.

use super::git::GitError;
use std::path::PathBuf;

/// Why the definitions at a revision cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum RevisionError {
    #[error("`{rev}` is not a revision of the repository at {}", root.display())]
    NotARevision { rev: String, root: PathBuf },
    #[error("{} is not in a git repository ({source}); --base needs one", dir.display())]
    NotInRepository { dir: PathBuf, source: GitError },
    #[error(
        "`{rev}` is neither a revision of the project's repository nor one of the pinned set's ({url}); a tag newer than the copy fetched needs `yardstick fetch` first"
    )]
    NotInPinnedSet { rev: String, url: String },
    #[error(transparent)]
    Git(#[from] GitError),
}

impl RevisionError {
    /// Whether the command named a revision, or a folder, that holds none (a usage error),
    /// rather than git failing (not installed, say).
    pub fn is_unknown_revision(&self) -> bool {
        match self {
            RevisionError::NotARevision { .. } | RevisionError::NotInPinnedSet { .. } => true,
            RevisionError::NotInRepository { source, .. } => matches!(source, GitError::Refused(_)),
            RevisionError::Git(_) => false,
        }
    }
}

/// Why a set pinned in git (`definitions: {git: URL, rev: TAG}`) cannot be fetched.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("`path: {0}` must be a folder inside the repository, without `..`")]
    PathOutside(String),
    #[error("`rev: {0}` is not a tag, branch or commit")]
    BadRev(String),
    #[error("no cache folder: set YARDSTICK_CACHE (or HOME)")]
    NoCache,
    #[error("the current folder cannot be read: {0}")]
    CurrentDir(std::io::Error),
    #[error("the cache folder has no parent")]
    CacheWithoutParent,
    #[error("cannot create the cache {}: {source}", path.display())]
    CreateCache { path: PathBuf, source: std::io::Error },
    #[error("cannot move the fetched set to {}: {source}", path.display())]
    MoveFetched { path: PathBuf, source: std::io::Error },
    #[error("cannot clone {url}: {source}")]
    Clone { url: String, source: GitError },
    #[error("`{rev}` is neither a tag, a branch nor a commit of {url}")]
    UnknownRev { rev: String, url: String },
    #[error(
        "{url} holds {count} symbolic link(s) at {rev} (`{first}` first); a pinned set is read only from files committed as files"
    )]
    Links { url: String, count: usize, rev: String, first: String },
    #[error(transparent)]
    Git(#[from] GitError),
}
