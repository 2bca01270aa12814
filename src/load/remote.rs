//! Definition sets pinned in git (`definitions: {git: URL, rev: TAG}`, docs/project.md):
//! each (URL, rev) is cloned once with the git command line into a cache folder and read
//! from there, offline, until `yardstick fetch` refreshes it. A refresh clones beside the
//! old copy and swaps it in, so a failed fetch leaves the set that worked.

use super::error::FetchError;
use super::git::git;
use std::path::{Component, Path, PathBuf};

/// A set pinned in git, as the project names it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Pin {
    /// The repository, as given (a local path made absolute); shown and recorded without
    /// a user name or password written into it.
    #[serde(serialize_with = "without_credentials")]
    pub url: String,
    pub rev: String,
    /// The folder of the repository holding set.yaml; empty for its top.
    pub path: String,
}

/// A pinned set on disk.
#[derive(Debug)]
pub struct Checkout {
    /// The clone, checked out at the pinned commit.
    pub dir: PathBuf,
    pub commit: String,
}

fn without_credentials<S: serde::Serializer>(url: &str, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&shown(url))
}

/// `url` without the `user:password@` of `https://user:password@host/...`.
pub fn shown(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let host_at = rest.find('/').unwrap_or(rest.len());
            match rest[..host_at].rfind('@') {
                Some(at) => format!("{scheme}://{}", &rest[at + 1..]),
                None => url.to_string(),
            }
        }
        None => url.to_string(),
    }
}

impl Pin {
    /// `url` as written in the yardstick.yaml of `project`: a relative local path is
    /// relative to that folder.
    pub fn new(project: &Path, url: &str, rev: &str, path: Option<&str>) -> Result<Pin, FetchError> {
        let path = path.unwrap_or("").trim_matches('/').to_string();
        if Path::new(&path).components().any(|c| !matches!(c, Component::Normal(_))) {
            return Err(FetchError::PathOutside(path));
        }
        if rev.is_empty() || rev.starts_with('-') {
            return Err(FetchError::BadRev(rev.to_string()));
        }
        let remote = url.contains("://") || (url.contains(':') && !url.starts_with('/') && !url.starts_with('.'));
        let url = if remote || Path::new(url).is_absolute() {
            url.to_string()
        } else {
            super::normalize(&std::env::current_dir().unwrap_or_default().join(project).join(url)).display().to_string()
        };
        Ok(Pin { url, rev: rev.to_string(), path })
    }

    /// Where this (URL, rev) is kept: a readable name and a hash of both.
    pub fn cache_dir(&self) -> Result<PathBuf, FetchError> {
        let name = self.url.trim_end_matches('/').trim_end_matches(".git").rsplit(['/', ':']).next().unwrap_or("set");
        let hash = blake3::hash(format!("{}\n{}", self.url, self.rev).as_bytes()).to_hex();
        let slug = |s: &str| -> String {
            s.chars().map(|c| if c.is_ascii_alphanumeric() || "._-".contains(c) { c } else { '_' }).collect()
        };
        Ok(cache_root()?.join("sets").join(format!("{}@{}-{}", slug(name), slug(&self.rev), &hash[..12])))
    }

    /// The pinned set, cloned first when it is not in the cache (or when `refresh`).
    pub fn checkout(&self, refresh: bool) -> Result<Checkout, FetchError> {
        let dir = self.cache_dir()?;
        if !refresh && dir.join(".git").is_dir() {
            let commit = git(&dir, &["rev-parse", "HEAD"])?.trim().to_string();
            refuse_links(&dir, &self.url)?;
            return Ok(Checkout { dir, commit });
        }
        let parent = dir.parent().ok_or(FetchError::CacheWithoutParent)?;
        std::fs::create_dir_all(parent)
            .map_err(|source| FetchError::CreateCache { path: parent.to_path_buf(), source })?;
        let fresh = parent.join(format!(".fetching-{}-{}", std::process::id(), nanos()));
        let cloned = self.clone_into(&fresh);
        let commit = match cloned {
            Ok(c) => c,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&fresh);
                return Err(e);
            }
        };
        // Swap: the old copy aside, the new one in, the old one gone. A first fetch never
        // moves a copy another yardstick put there meanwhile: it may be reading it.
        let old = parent.join(format!(".old-{}-{}", std::process::id(), nanos()));
        let had = refresh && dir.exists() && std::fs::rename(&dir, &old).is_ok();
        if let Err(source) = std::fs::rename(&fresh, &dir) {
            let _ = std::fs::remove_dir_all(&fresh);
            if had {
                let _ = std::fs::rename(&old, &dir);
            }
            // Another yardstick fetched the same pin meanwhile: its copy serves.
            if dir.join(".git").is_dir() {
                let commit = git(&dir, &["rev-parse", "HEAD"])?.trim().to_string();
                refuse_links(&dir, &self.url)?;
                return Ok(Checkout { dir, commit });
            }
            return Err(FetchError::MoveFetched { path: dir, source });
        }
        if had {
            let _ = std::fs::remove_dir_all(&old);
        }
        Ok(Checkout { dir, commit })
    }

    /// Clones the repository into `dir` and checks out the pinned revision; its commit.
    fn clone_into(&self, dir: &Path) -> Result<String, FetchError> {
        let parent = dir.parent().unwrap_or(Path::new("."));
        git(parent, &["clone", "--quiet", "--no-checkout", "--", &self.url, &dir.to_string_lossy()])
            .map_err(|source| FetchError::Clone { url: shown(&self.url), source })?;
        let commit = resolve(dir, &self.rev)
            .ok_or_else(|| FetchError::UnknownRev { rev: self.rev.clone(), url: self.url.clone() })?;
        // Checked before anything is written into the working tree.
        refuse_links_at(dir, &commit, &self.url)?;
        git(dir, &["checkout", "--quiet", "--detach", &commit])?;
        Ok(commit)
    }

    /// The set's folder inside a checkout.
    pub fn set_root(&self, checkout: &Checkout) -> PathBuf {
        if self.path.is_empty() { checkout.dir.clone() } else { checkout.dir.join(&self.path) }
    }
}

/// A set pinned in git is read only from its own files: a symbolic link committed in the
/// repository could lead the loaders anywhere on this machine, so a tree holding one is
/// refused whole.
fn refuse_links(dir: &Path, url: &str) -> Result<(), FetchError> {
    refuse_links_at(dir, "HEAD", url)
}

fn refuse_links_at(dir: &Path, rev: &str, url: &str) -> Result<(), FetchError> {
    let listing = git(dir, &["ls-tree", "-r", "-z", "--full-tree", rev])?;
    let links: Vec<&str> = listing
        .split('\0')
        .filter_map(|e| e.split_once('\t'))
        .filter(|(head, _)| head.starts_with("120000"))
        .map(|(_, path)| path)
        .collect();
    match links.as_slice() {
        [] => Ok(()),
        [first, ..] => Err(FetchError::Links {
            url: shown(url),
            count: links.len(),
            rev: rev.to_string(),
            first: first.to_string(),
        }),
    }
}

/// A revision's commit in a clone: a tag first, then a branch of the remote, then
/// anything git reads as a commit.
fn resolve(dir: &Path, rev: &str) -> Option<String> {
    [format!("refs/tags/{rev}"), format!("refs/remotes/origin/{rev}"), rev.to_string()].iter().find_map(|r| {
        git(dir, &["rev-parse", "--verify", "--quiet", &format!("{r}^{{commit}}")]).ok().map(|c| c.trim().to_string())
    })
}

/// Whether `rev` is a tag of the repository holding `dir`.
pub fn is_tag(dir: &Path, rev: &str) -> bool {
    // `show-ref --verify` takes a whole ref name only: `HEAD~1` names no tag.
    git(dir, &["show-ref", "--verify", "--quiet", &format!("refs/tags/{rev}")]).is_ok()
}

/// `$YARDSTICK_CACHE`, else `$XDG_CACHE_HOME/yardstick`, else `~/.cache/yardstick`.
pub fn cache_root() -> Result<PathBuf, FetchError> {
    let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    let root = var("YARDSTICK_CACHE")
        .or_else(|| var("XDG_CACHE_HOME").filter(|d| d.is_absolute()).map(|d| d.join("yardstick")))
        .or_else(|| var("HOME").map(|d| d.join(".cache/yardstick")))
        .ok_or(FetchError::NoCache)?;
    // git runs in other folders: a relative cache is made absolute here.
    Ok(if root.is_absolute() { root } else { std::env::current_dir().map_err(FetchError::CurrentDir)?.join(root) })
}

fn nanos() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos())
}
