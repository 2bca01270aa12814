//! `manifest.json`, the audit evidence of a build (docs/manifest.md): which tool, which
//! definitions (and where they stand in git), each metric's fingerprint, the project's
//! hash, every input file with its hash, size and rows read, `as_of`, when it was built,
//! and the hashes of the files written beside it. `docs/manifest.md` describes each field.

use crate::check::Checked;
use crate::load::git::{GitState, Vcs};
use chrono::NaiveDate;
use serde::Serialize;
use std::fs::File;
use std::path::{Path, PathBuf};

/// Why the manifest could not be made.
/// The files of one build besides its reports, in the order they are written.
pub const RESULTS_CSV: &str = "results.csv";
pub const RESULTS_PARQUET: &str = "results.parquet";
pub const TRENDS_CSV: &str = "trends.csv";
pub const TRENDS_PARQUET: &str = "trends.parquet";
pub const MANIFEST: &str = "manifest.json";
/// The tables, which the manifest lists first.
pub const TABLES: [&str; 4] = [RESULTS_CSV, RESULTS_PARQUET, TRENDS_CSV, TRENDS_PARQUET];

#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("a build needs a project (yardstick.yaml)")]
    NeedsProject,
    #[error("cannot read {}: {source}", path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error(
        "SOURCE_DATE_EPOCH is `{0}`, not a time: give it as whole seconds since 1970-01-01 UTC (as `date +%s` prints), or unset it"
    )]
    SourceDateEpoch(String),
}

/// When the build ran, as its outputs say: now, or the time `SOURCE_DATE_EPOCH` gives (whole
/// seconds since the epoch, as reproducible builds set it), so that two builds of the same
/// inputs write the same bytes.
pub fn built_at() -> Result<String, ManifestError> {
    // Empty is unset, as some CI systems export it.
    let at = match std::env::var("SOURCE_DATE_EPOCH").ok().filter(|t| !t.trim().is_empty()) {
        Some(text) => text
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|secs| *secs >= 0)
            .and_then(|secs| chrono::DateTime::from_timestamp(secs, 0))
            .ok_or(ManifestError::SourceDateEpoch(text))?,
        None => chrono::Utc::now(),
    };
    Ok(at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

#[derive(Debug, Serialize)]
pub struct Manifest {
    pub tool: Tool,
    /// The version of the rules that turned values into statuses (docs/semantics.md):
    /// statuses can change with them while fingerprints do not.
    pub status_rules: &'static str,
    /// The version of the rules that turned rows into values (docs/manifest.md): values
    /// can change with them while fingerprints do not.
    pub value_rules: &'static str,
    /// When the build ran, UTC, RFC 3339.
    pub built_at: String,
    pub as_of: NaiveDate,
    pub definition_set: SetInfo,
    pub project: ProjectInfo,
    pub metrics: Vec<MetricInfo>,
    pub inputs: Vec<Input>,
    pub outputs: Vec<Output>,
}

#[derive(Debug, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

#[derive(Debug, Serialize)]
pub struct SetInfo {
    pub name: String,
    pub version: String,
    /// The set's folder, as the project's yardstick.yaml names it.
    pub path: String,
    pub git: GitState,
    /// The repository, revision and folder the set was fetched from, when the project
    /// pins it in git (`git` then holds the commit it resolved to).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pinned: Option<crate::load::remote::Pin>,
}

#[derive(Debug, Serialize)]
pub struct ProjectInfo {
    pub name: String,
    /// What the project decides (sites, mappings, coverage, bindings, ...), hashed.
    pub hash: String,
    /// The metrics the project adds beside the set's.
    pub metrics: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct MetricInfo {
    pub id: String,
    pub version: u32,
    pub grain: &'static str,
    /// `set` or `project`.
    pub defined_by: &'static str,
    pub fingerprint: String,
}

#[derive(Debug, Serialize)]
pub struct Input {
    pub site: String,
    pub source: String,
    /// Relative to the project folder.
    pub path: PathBuf,
    pub bytes: u64,
    pub rows: usize,
    pub hash: String,
}

#[derive(Debug, Serialize)]
pub struct Output {
    pub file: String,
    pub bytes: u64,
    pub hash: String,
}

impl Manifest {
    pub fn new(
        checked: &Checked,
        results: &crate::results::Results,
        as_of: NaiveDate,
        outputs: &[PathBuf],
        vcs: &dyn Vcs,
    ) -> Result<Manifest, ManifestError> {
        let set = &checked.set;
        let project = checked.project.as_ref().ok_or(ManifestError::NeedsProject)?;
        let prints = &checked.prints.fingerprints;
        let mut metrics: Vec<MetricInfo> = set
            .metrics
            .iter()
            .map(|m| MetricInfo {
                id: m.id.to_string(),
                version: m.version,
                grain: m.grain.as_str(),
                defined_by: if m.local { "project" } else { "set" },
                fingerprint: prints.get(&m.id).cloned().unwrap_or_default(),
            })
            .collect();
        metrics.sort_by(|a, b| a.id.cmp(&b.id));
        let mut inputs = Vec::with_capacity(results.inputs.len());
        for i in &results.inputs {
            let (bytes, hash) = file_hash(&i.path)?;
            let path = i.path.strip_prefix(&project.root).unwrap_or(&i.path).to_path_buf();
            inputs.push(Input { site: i.site.to_string(), source: i.source.clone(), path, bytes, rows: i.rows, hash });
        }
        inputs.sort_by(|a, b| (&a.site, &a.source).cmp(&(&b.site, &b.source)));
        let mut manifest = Manifest {
            tool: Tool { name: "yardstick", version: env!("CARGO_PKG_VERSION") },
            status_rules: crate::results::STATUS_RULES,
            value_rules: crate::results::VALUE_RULES,
            built_at: built_at()?,
            as_of,
            definition_set: SetInfo {
                name: set.name.clone(),
                version: set.version.to_string(),
                path: project.definitions.clone(),
                git: vcs.state(&set.root),
                pinned: project.pinned.clone(),
            },
            project: ProjectInfo {
                name: project.name.clone(),
                hash: checked.project_hash.clone().unwrap_or_default(),
                metrics: set.metrics.iter().filter(|m| m.local).map(|m| m.id.to_string()).collect(),
            },
            metrics,
            inputs,
            outputs: Vec::new(),
        };
        manifest.add_outputs(staging_of(outputs), outputs)?;
        Ok(manifest)
    }

    /// Lists files written in `folder` beside the manifest, with their sizes and hashes.
    pub fn add_outputs(&mut self, folder: &Path, files: &[PathBuf]) -> Result<(), ManifestError> {
        for p in files {
            let (bytes, hash) = file_hash(p)?;
            let file = p.strip_prefix(folder).unwrap_or(p).to_string_lossy().into_owned();
            self.outputs.push(Output { file, bytes, hash });
        }
        Ok(())
    }
}

/// The folder the first output was written in.
fn staging_of(outputs: &[PathBuf]) -> &Path {
    outputs.first().and_then(|p| p.parent()).unwrap_or(Path::new(""))
}

/// The size and blake3 hash of a file, read once.
pub(crate) fn file_hash(path: &Path) -> Result<(u64, String), ManifestError> {
    let cannot = |source| ManifestError::Read { path: path.to_path_buf(), source };
    let mut hasher = blake3::Hasher::new();
    hasher.update_reader(File::open(path).map_err(cannot)?).map_err(cannot)?;
    let bytes = std::fs::metadata(path).map_err(cannot)?.len();
    // The `blake3:` form of fingerprints and the project hash.
    Ok((bytes, format!("blake3:{}", hasher.finalize().to_hex())))
}
