//! Loading: the YAML files of a definition set and a project (docs/definition-set.md and docs/project.md) into
//! plain structs that remember where every value was written. Nothing here judges meaning;
//! that is `check`'s job. Unknown keys are errors, so a typo never passes silently.

mod docs;
mod error;
mod files;
pub mod git;
mod map;
pub mod remote;
mod templates;
mod workspace;

pub use docs::*;
pub use error::{FetchError, RevisionError};
pub use files::{AtRevision, Files, Within, WorkTree};
pub use map::Map;
pub use serde_saphyr::Spanned;
pub use templates::{TemplateFolder, template_folders};
pub use workspace::{
    Definitions, Loaded, ProjectDocs, SetDocs, Workspace, definitions_of, load_project, load_project_from, load_set,
    load_set_from, normalize,
};

use crate::diag::{FileId, Span};

/// The file span of a spanned YAML value.
pub fn span_of<T>(file: FileId, value: &Spanned<T>) -> Span {
    let span = value.referenced.span();
    let start = span.byte_offset().unwrap_or(0) as usize;
    let len = span.byte_len().unwrap_or(0) as usize;
    Span::new(file, start, start + len.max(1))
}
