//! Policy files on disk, for the compiler's imports ([`crate::policy::PolicyFiles`]): the
//! policy layer itself reads no files.

use crate::policy::PolicyFiles;
use std::path::Path;

/// Imports name files on disk, relative to the importing file's directory.
#[derive(Debug, Clone, Copy, Default)]
pub struct Disk;

impl PolicyFiles for Disk {
    fn resolve(&self, importer: &str, path: &str) -> String {
        let base = Path::new(importer).parent().unwrap_or(Path::new(""));
        let joined = base.join(path);
        std::path::absolute(&joined)
            .unwrap_or(joined)
            .display()
            .to_string()
    }

    fn same(&self, a: &str, b: &str) -> bool {
        std::path::absolute(a).ok() == std::path::absolute(b).ok()
    }

    fn read(&self, name: &str) -> Result<String, String> {
        std::fs::read_to_string(name).map_err(|e| e.to_string())
    }
}
