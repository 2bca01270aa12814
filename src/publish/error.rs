//! Why a build's output could not be written: an `--out` that must not be replaced, a file
//! that cannot be written or moved, a report that fails. Nothing is half-written then.

use super::MARKER;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("--out {} is a symbolic link; name the folder it points to, or a new folder", .0.display())]
    OutIsLink(PathBuf),
    #[error("--out {} is a file, not a folder; name a new or previous output folder", .0.display())]
    OutIsFile(PathBuf),
    #[error(
        "--out {} holds {}; build replaces its --out folder whole, so name a folder of its own (the default is out/ in the project)",
        out.display(),
        inside.display()
    )]
    HoldsDefinitions { out: PathBuf, inside: PathBuf },
    #[error(
        "--out {} holds a git repository ({}); build replaces its --out folder whole, so name another",
        out.display(),
        git.display()
    )]
    HoldsGit { out: PathBuf, git: PathBuf },
    #[error(
        "{} is not a build's output folder (it holds no {MARKER}, and its files are not exactly those its manifest.json lists); build replaces its --out folder whole, so name a new or previous output folder",
        .0.display()
    )]
    NotAnOutput(PathBuf),
    /// A file or folder that cannot be read, created, written or locked.
    #[error("cannot {action} {}: {source}", path.display())]
    Io { action: &'static str, path: PathBuf, source: std::io::Error },
    #[error("cannot move the previous {} aside: {source}", out.display())]
    MoveAside { out: PathBuf, source: std::io::Error },
    #[error(
        "cannot move the new output to {}: {source}{}",
        out.display(),
        kept.as_ref().map(|p| format!("; the previous output is in {}", p.display())).unwrap_or_default()
    )]
    MoveIn { out: PathBuf, source: std::io::Error, kept: Option<PathBuf> },
    #[error("report file `{0}` would be written outside the output folder")]
    ReportOutside(String),
    #[error("cannot write the manifest: {0}")]
    Json(serde_json::Error),
    #[error(transparent)]
    Manifest(#[from] crate::manifest::ManifestError),
    #[error(transparent)]
    Parquet(#[from] crate::engine::WriteError),
    #[error(transparent)]
    Render(#[from] crate::report::RenderError),
}

impl WriteError {
    /// An I/O failure on `path` while doing `action` (read, create, write, lock).
    pub(super) fn io(action: &'static str, path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> WriteError {
        let path = path.into();
        move |source| WriteError::Io { action, path, source }
    }
}
