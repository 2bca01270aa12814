//! Where report templates are read from: the project's `reports/` folder, then the
//! definition set's, each confined to its own root once links are resolved.

use super::{Files, Within, WorkTree};
use std::path::{Path, PathBuf};

/// A folder templates are read from, and the folder its files must stay inside once
/// their links are resolved (the project's, or the set's).
#[derive(Clone, Debug)]
pub struct TemplateFolder {
    pub dir: PathBuf,
    pub root: PathBuf,
}

impl TemplateFolder {
    /// The text of `file` of this folder; refused when a link leads it out of the root.
    pub fn read(&self, file: &Path) -> std::io::Result<String> {
        Within::new(&WorkTree, &self.root).read(file)
    }
}

/// The folders templates are read from, the project's (when there is one) first.
pub fn template_folders(project_root: Option<&Path>, set_root: &Path) -> Vec<TemplateFolder> {
    let folder = |root: &Path| TemplateFolder { dir: root.join("reports"), root: root.to_path_buf() };
    project_root.into_iter().chain([set_root]).map(folder).collect()
}
