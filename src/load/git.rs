//! The one door to the `git` program. A project, a pinned set or a revision may come
//! from anyone (a pull request, a plant handing over its folder with its `.git`), so the
//! repository's own configuration must not choose a command for us to run: every call
//! switches off what git would otherwise execute or write on a read (the file-system
//! monitor, hooks, clean and smudge filters, optional index locks, pagers, prompts) and
//! allows only the usual transport protocols.

use serde::Serialize;
use std::path::Path;
use std::process::Command;

/// Why a git call gave no output.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    /// The program could not be started (not installed, say).
    #[error("git could not be run: {0}")]
    NotRun(std::io::Error),
    /// git ran and refused, in its own words.
    #[error("{0}")]
    Refused(String),
}

/// The output of `git -C dir ARGS`, or what git said on failing.
pub(crate) fn git(dir: &Path, args: &[&str]) -> Result<String, GitError> {
    let mut command = Command::new("git");
    command.arg("-C").arg(dir);
    for setting in hardening(dir, args) {
        command.arg("-c").arg(setting);
    }
    let out = command
        .arg("--no-pager")
        .args(args)
        // Never ask for a password or a passphrase: a pinned set is fetched unattended
        // (cron, CI); and only the usual protocols, never a remote helper a URL names.
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_ASKPASS", "")
        .env("SSH_ASKPASS", "")
        .env("GIT_OPTIONAL_LOCKS", "0")
        .env("GIT_ALLOW_PROTOCOL", "file:git:http:https:ssh")
        .env("GIT_SSH_COMMAND", std::env::var("GIT_SSH_COMMAND").unwrap_or_else(|_| "ssh -o BatchMode=yes".into()))
        .env_remove("GIT_EXTERNAL_DIFF")
        .env_remove("GIT_PAGER")
        .output()
        .map_err(GitError::NotRun)?;
    if !out.status.success() {
        return Err(GitError::Refused(String::from_utf8_lossy(&out.stderr).trim().to_string()));
    }
    String::from_utf8(out.stdout).map_err(|e| GitError::Refused(format!("git wrote what is not UTF-8: {e}")))
}

/// The `-c` settings of every call. They outrank every configuration file, and git passes
/// them on to the git processes it starts itself (in submodules, say).
fn hardening(dir: &Path, args: &[&str]) -> Vec<String> {
    let mut settings: Vec<String> = [
        "core.fsmonitor=false",
        "core.hooksPath=/dev/null",
        "core.sshCommand=ssh -o BatchMode=yes",
        "core.askPass=",
        "credential.helper=",
        "core.gitProxy=",
        "core.alternateRefsCommand=",
        "diff.external=",
        "protocol.ext.allow=never",
        "submodule.recurse=false",
    ]
    .map(String::from)
    .to_vec();
    // A filter driver named in `.gitattributes` runs its command when git reads or writes
    // the working tree (`status` cleans changed files, `checkout` smudges); an empty
    // command is no filter. The other commands yardstick runs read only git's objects.
    if matches!(args.first(), Some(&("status" | "checkout" | "clone"))) {
        for name in filter_drivers(dir) {
            settings.extend(["clean", "smudge", "process"].map(|k| format!("filter.{name}.{k}=")));
            settings.push(format!("filter.{name}.required=false"));
        }
    }
    settings
}

/// The filter drivers any configuration file that git reads in `dir` defines. Reading
/// configuration runs nothing.
fn filter_drivers(dir: &Path) -> Vec<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["config", "--null", "--name-only", "--get-regexp", r"^filter\."])
        .env("GIT_TERMINAL_PROMPT", "0")
        .output();
    let Ok(out) = out else { return Vec::new() };
    let mut names: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .split('\0')
        .filter_map(|key| key.strip_prefix("filter.")?.rsplit_once('.').map(|(name, _)| name.to_string()))
        .collect();
    names.sort();
    names.dedup();
    names
}

// Where the definition set stands in git, for the manifest: the commit and whether its
// files differ from it, behind [`Vcs`] so that a test can say what git would.

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
