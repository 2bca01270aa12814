//! Putting a build's files in place (docs/files.md, "what yardstick reads and writes"):
//! a folder is replaced only when yardstick made it, the new output moves in as one step
//! under a lock, and what killed builds left beside it is cleaned once they are gone.
//!
//! A folder is yardstick's when it holds [`MARKER`], or (written before the marker
//! existed) when its files are exactly the outputs its `manifest.json` lists, with their
//! hashes. A folder holding the project, the definition set or a `.git` is never
//! replaced, marker or not. Beside `out` yardstick writes only `.out.lock`,
//! `.out.tmp-PID-START-NANOS` (a build's staging folder, named after the process that
//! made it) and, where the system cannot swap two folders in one step, `.out.old-*`.

use super::WriteError;
use std::fs;
use std::path::{Path, PathBuf};

/// The file every output folder holds, so that a later build knows it may replace it.
pub const MARKER: &str = ".yardstick-output";

const MARKER_TEXT: &str = "This folder is a yardstick build's output: each build replaces it whole.\n";

/// Why `out` must not be replaced, if it must not.
pub fn refuse(out: &Path, protected: &[&Path]) -> Result<(), WriteError> {
    let meta = match fs::symlink_metadata(out) {
        Ok(m) => m,
        Err(_) => return Ok(()),
    };
    if meta.file_type().is_symlink() {
        return Err(WriteError::OutIsLink(out.to_path_buf()));
    }
    if !meta.is_dir() {
        return Err(WriteError::OutIsFile(out.to_path_buf()));
    }
    let real = fs::canonicalize(out).map_err(WriteError::io("read", out))?;
    for p in protected {
        if fs::canonicalize(p).is_ok_and(|p| p.starts_with(&real)) {
            return Err(WriteError::HoldsDefinitions { out: out.to_path_buf(), inside: p.to_path_buf() });
        }
    }
    if let Some(git) = git_inside(out) {
        return Err(WriteError::HoldsGit { out: out.to_path_buf(), git });
    }
    let empty = fs::read_dir(out).map_err(WriteError::io("read", out))?.next().is_none();
    if empty || fs::symlink_metadata(out.join(MARKER)).is_ok_and(|m| m.is_file()) || is_unmarked_output(out) {
        return Ok(());
    }
    Err(WriteError::NotAnOutput(out.to_path_buf()))
}

/// The first `.git` (folder or file) at any depth of `dir`, links not followed.
fn git_inside(dir: &Path) -> Option<PathBuf> {
    let entries = fs::read_dir(dir).ok()?;
    for entry in entries.flatten() {
        let path = entry.path();
        if entry.file_name() == ".git" {
            return Some(path);
        }
        if entry.file_type().is_ok_and(|t| t.is_dir())
            && let Some(found) = git_inside(&path)
        {
            return Some(found);
        }
    }
    None
}

/// Marks a staging folder as an output, before anything else is written into it.
pub fn mark(staging: &Path) -> Result<(), WriteError> {
    fs::write(staging.join(MARKER), MARKER_TEXT).map_err(WriteError::io("write", staging))
}

/// An output written before the marker existed: every file in it is the manifest, one of
/// the outputs the manifest lists, with the size and hash it lists, or the front page
/// that names the manifest's hash.
fn is_unmarked_output(dir: &Path) -> bool {
    let Ok(text) = fs::read_to_string(dir.join(super::MANIFEST)) else { return false };
    let Ok(manifest) = serde_json::from_str::<serde_json::Value>(&text) else { return false };
    if manifest["tool"]["name"] != "yardstick" {
        return false;
    }
    let Some(outputs) = manifest["outputs"].as_array() else { return false };
    let mut listed: Vec<(PathBuf, &str)> = Vec::new();
    for o in outputs {
        let (Some(file), Some(hash)) = (o["file"].as_str(), o["hash"].as_str()) else { return false };
        listed.push((PathBuf::from(file), hash));
    }
    let mut found = Vec::new();
    if !files_under(dir, dir, &mut found) {
        return false;
    }
    found.retain(|f| f != Path::new(super::MANIFEST));
    // The front page is the manifest's own when it names the manifest's hash.
    let front = Path::new(crate::report::front::FRONT_PAGE);
    let manifest_hash = crate::check::fingerprint::hash(text.as_bytes());
    let names_it = |f: &PathBuf| fs::read_to_string(dir.join(f)).is_ok_and(|page| page.contains(&manifest_hash));
    found.retain(|f| f != front || !names_it(f));
    found.sort();
    listed.sort();
    found.len() == listed.len()
        && found
            .iter()
            .zip(&listed)
            .all(|(f, (l, hash))| f == l && crate::manifest::file_hash(&dir.join(f)).is_ok_and(|(_, h)| h == *hash))
}

/// Every file under `dir`, relative to `top`; false on a link or anything unreadable.
fn files_under(top: &Path, dir: &Path, found: &mut Vec<PathBuf>) -> bool {
    let Ok(entries) = fs::read_dir(dir) else { return false };
    for entry in entries {
        let Ok(entry) = entry else { return false };
        let Ok(kind) = entry.file_type() else { return false };
        let path = entry.path();
        if kind.is_dir() {
            if !files_under(top, &path, found) {
                return false;
            }
        } else if kind.is_file() {
            found.push(path.strip_prefix(top).unwrap_or(&path).to_path_buf());
        } else {
            return false;
        }
    }
    true
}

/// The staging folder of this process for `out`, beside it.
pub fn staging_for(parent: &Path, name: &str) -> PathBuf {
    let me = std::process::id();
    let start = start_time(me).unwrap_or(0);
    let nanos = chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default();
    parent.join(format!(".{name}.tmp-{me}-{start}-{nanos}"))
}

/// Moves `staging` to `out` under a lock that concurrent builds into the same folder
/// share: in one step where the system can swap two folders, else the previous output
/// aside first (and put back by the next build should this one be killed in between).
pub fn swap(parent: &Path, name: &str, staging: &Path, out: &Path) -> Result<(), WriteError> {
    let lock_path = parent.join(format!(".{name}.lock"));
    let lock = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(WriteError::io("lock", &lock_path))?;
    lock.lock().map_err(WriteError::io("lock", &lock_path))?;
    restore_interrupted(parent, name, out);
    clean_abandoned(parent, name, staging);
    if out.exists() && exchange(staging, out) {
        // The previous output now sits where the staging folder was, named after this
        // process: a kill before it is gone leaves it for the next build to clean.
        let _ = fs::remove_dir_all(staging);
        return Ok(());
    }
    let stamp = staging.file_name().and_then(|n| n.to_str()).and_then(|n| n.rsplit_once(".tmp-")).map(|(_, s)| s);
    let previous = parent.join(format!(".{name}.old-{}", stamp.unwrap_or("0")));
    let had_previous = out.exists();
    if had_previous {
        fs::rename(out, &previous).map_err(|source| WriteError::MoveAside { out: out.to_path_buf(), source })?;
    }
    if let Err(source) = fs::rename(staging, out) {
        let kept = (had_previous && fs::rename(&previous, out).is_err()).then_some(previous);
        return Err(WriteError::MoveIn { out: out.to_path_buf(), source, kept });
    }
    if had_previous {
        let _ = fs::remove_dir_all(&previous);
    }
    // The lock file stays: removing it would let a third build lock another file.
    drop(lock);
    Ok(())
}

/// Swaps two folders in one step (Linux's `renameat2` with `RENAME_EXCHANGE`); false
/// where the system or the file system cannot.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> bool {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).is_ok()
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> bool {
    false
}

/// A build stopped between moving the previous output aside and moving the new one in
/// leaves no `out` and a `.out.old-*` folder: that output is put back (under the lock).
fn restore_interrupted(parent: &Path, name: &str, out: &Path) {
    if out.exists() {
        return;
    }
    let prefix = format!(".{name}.old-");
    let mut old: Vec<PathBuf> = siblings(parent, &prefix);
    old.sort();
    if let Some(latest) = old.last() {
        let _ = fs::rename(latest, out);
    }
}

/// Removes the staging folders (and the set-aside outputs) of builds that were killed:
/// only those whose process is gone, never this build's own.
fn clean_abandoned(parent: &Path, name: &str, own: &Path) {
    for prefix in [format!(".{name}.tmp-"), format!(".{name}.old-")] {
        for path in siblings(parent, &prefix) {
            let stamp = path.file_name().and_then(|n| n.to_str()).map(|n| n[prefix.len()..].to_string());
            let owner = stamp.as_deref().and_then(owner_of);
            if path != own && owner.is_some_and(|(pid, start)| !alive(pid, start)) && is_ours(&path) {
                let _ = fs::remove_dir_all(&path);
            }
        }
    }
}

/// Whether a leftover is one of yardstick's folders: a real folder that is empty (killed
/// before its marker) or marked.
fn is_ours(path: &Path) -> bool {
    let Ok(meta) = fs::symlink_metadata(path) else { return false };
    meta.is_dir()
        && (fs::read_dir(path).is_ok_and(|mut d| d.next().is_none())
            || fs::symlink_metadata(path.join(MARKER)).is_ok_and(|m| m.is_file()))
}

/// The folders in `parent` whose names start with `prefix`.
fn siblings(parent: &Path, prefix: &str) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(parent) else { return Vec::new() };
    entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(prefix)))
        .collect()
}

/// The process id and start time a staging name records (`PID-START-NANOS`).
fn owner_of(stamp: &str) -> Option<(u32, u64)> {
    let mut parts = stamp.split('-');
    let pid = parts.next()?.parse().ok()?;
    let start = parts.next()?.parse().ok()?;
    parts.next()?.parse::<i64>().ok()?;
    Some((pid, start))
}

/// Whether the process `pid` that started at `start` still runs. Without `/proc` to ask,
/// every process is taken to run, so nothing is removed.
fn alive(pid: u32, start: u64) -> bool {
    if !Path::new("/proc/self/stat").exists() {
        return true;
    }
    // A process id used again by a later process has another start time.
    start_time(pid).is_some_and(|s| s == start || start == 0)
}

/// When the process started, in clock ticks since boot (`/proc/PID/stat`, field 22).
fn start_time(pid: u32) -> Option<u64> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces.
    let (_, rest) = stat.rsplit_once(')')?;
    rest.split_whitespace().nth(19)?.parse().ok()
}
