//! Files already read in this process, kept as read: computing twice over the same
//! exports reads each file once.

use super::*;

/// Files already read in this process, as read (before the data rules): computing twice
/// over the same exports (`diff`'s two sides, `build`'s grains) reads each file once.
/// Keyed by path, format, dialect and the columns read with their types.
#[derive(Clone, Debug, Default)]
pub struct FileCache(std::sync::Arc<std::sync::Mutex<HashMap<FileKey, (DataFrame, Lines)>>>);

/// A file's path, and how it is read (format, dialect, columns and types).
pub(super) type FileKey = (PathBuf, String);

impl FileCache {
    pub(super) fn key(path: &Path, binding: &Binding, source: &Source) -> FileKey {
        let columns: Vec<String> = source.columns.iter().map(|c| format!("{}:{:?}", c.name, c.ty)).collect();
        (path.to_path_buf(), format!("{:?}\0{:?}\0{}", binding.format, binding.dialect, columns.join(",")))
    }

    pub(super) fn get(&self, key: &FileKey) -> Option<(DataFrame, Lines)> {
        self.0.lock().ok()?.get(key).cloned()
    }

    pub(super) fn put(&self, key: FileKey, read: &(DataFrame, Lines)) {
        if let Ok(mut files) = self.0.lock() {
            files.insert(key, read.clone());
        }
    }

    /// How many files were read (each once).
    pub fn len(&self) -> usize {
        self.0.lock().map_or(0, |files| files.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
