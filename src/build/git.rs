//! Where the definition set stands in git, for the manifest: the commit and whether its
//! files differ from it. Read with the `git` command line behind [`Vcs`], so the build
//! depends on no git library and a test can say what git would.

use serde::Serialize;
use std::path::Path;
use std::process::Command;

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
        let git = |args: &[&str]| Command::new("git").arg("-C").arg(dir).args(args).output();
        let commit = match git(&["rev-parse", "HEAD"]) {
            Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).trim().to_string(),
            Ok(_) => return GitState::Untracked { note: "the definition set is not in a git repository".into() },
            Err(e) => return GitState::Untracked { note: format!("git could not be run: {e}") },
        };
        // Changes, staged or not, and new files, inside the set's folder only.
        let dirty = match git(&["status", "--porcelain", "--untracked-files=normal", "--", "."]) {
            Ok(out) if out.status.success() => !out.stdout.is_empty(),
            _ => true,
        };
        GitState::Commit { commit, dirty }
    }
}
