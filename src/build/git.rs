//! Where the definition set stands in git, for the manifest: the commit and whether its
//! files differ from it. Read with the `git` command line behind [`Vcs`], so the build
//! depends on no git library and a test can say what git would.

use crate::git::{GitError, git};
use serde::Serialize;
use std::path::Path;

/// The definition set's state in version control.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum GitState {
    /// The commit checked out, and whether the set's folder has changes not committed.
    Commit { commit: String, dirty: bool },
    /// Why there is no commit: not in a repository, or no `git` to ask.
    Untracked { note: String },
}

pub trait Vcs {
    fn state(&self, dir: &Path) -> GitState;
}

/// Asks the `git` program.
pub struct GitCli;

impl Vcs for GitCli {
    fn state(&self, dir: &Path) -> GitState {
        let commit = match git(dir, &["rev-parse", "HEAD"]) {
            Ok(out) => out.trim().to_string(),
            Err(e @ GitError::NotRun(_)) => return GitState::Untracked { note: e.to_string() },
            Err(GitError::Refused(_)) => {
                return GitState::Untracked { note: "the definition set is not in a git repository".into() };
            }
        };
        // Changes, staged or not, and new files, inside the set's folder only. Through the
        // hardened door: no file-system monitor, no filter, no index lock taken.
        let status = ["status", "--porcelain", "--untracked-files=normal", "--ignore-submodules=all", "--", "."];
        let dirty = git(dir, &status).map_or(true, |out| !out.is_empty());
        GitState::Commit { commit, dirty }
    }
}
