//! Finding the JSON files of export roots: walkdir without following links, in a deterministic
//! order (sorted by file name), include/exclude globs matched on the path relative to the root.

use globset::{Glob, GlobSet, GlobSetBuilder};
use std::path::{Path, PathBuf};

/// A JSON file found under a root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Index of its root in the roots given to [`walk`].
    pub root: usize,
    /// Relative to the root, `/`-separated.
    pub rel: String,
    /// The path to open: the root joined with the file's path.
    pub path: PathBuf,
    /// Its size in bytes when the walk found it (None: not known).
    pub len: Option<u64>,
}

/// A directory entry that could not be read, or a special file that was not opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkError {
    /// An error for an entry that could not be read; a warning for a special file.
    pub level: super::DiagLevel,
    /// Index of its root in the roots given to [`walk`].
    pub root: usize,
    /// The entry's path relative to the root, `/`-separated (empty when unknown).
    pub rel: String,
    /// What went wrong (`cannot read: ...`, `a socket, not a regular file: ...`).
    pub message: String,
}

/// Builds a glob set from `patterns`; None when there are none.
///
/// # Errors
/// The bad pattern (or every pattern, comma-separated, when the set fails to build) and what
/// is wrong with it.
pub fn glob_set(patterns: &[String]) -> Result<Option<GlobSet>, (String, String)> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        b.add(Glob::new(p).map_err(|e| (p.clone(), e.kind().to_string()))?);
    }
    b.build()
        .map(Some)
        .map_err(|e| (patterns.join(", "), e.to_string()))
}

fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Every `.json` file under the roots (root order, then sorted path order), each handed to
/// `each` as soon as it is found (so that files can be read while the walk goes on); the
/// entries that could not be read.
pub fn walk(
    roots: &[PathBuf],
    include: Option<&GlobSet>,
    exclude: Option<&GlobSet>,
    mut each: impl FnMut(Found),
) -> Vec<WalkError> {
    let mut errors = Vec::new();
    for (i, root) in roots.iter().enumerate() {
        for entry in walkdir::WalkDir::new(root)
            .follow_links(false)
            .sort_by_file_name()
        {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    let rel = e.path().map(|p| relative(root, p)).unwrap_or_default();
                    let message = e
                        .io_error()
                        .map_or_else(|| e.to_string(), |io| io.to_string());
                    errors.push(WalkError {
                        level: super::DiagLevel::Error,
                        root: i,
                        rel,
                        message: format!("cannot read: {message}"),
                    });
                    continue;
                }
            };
            let kind = entry.file_type();
            if !kind.is_file() {
                if let Some(special) = special_kind(&kind) {
                    errors.push(WalkError {
                        level: super::DiagLevel::Warning,
                        root: i,
                        rel: relative(root, entry.path()),
                        message: format!("{special}, not a regular file: it was not opened"),
                    });
                }
                continue;
            }
            let is_json = entry
                .path()
                .extension()
                .is_some_and(|x| x.eq_ignore_ascii_case("json"));
            if !is_json {
                continue;
            }
            let rel = relative(root, entry.path());
            if include.is_some_and(|g| !g.is_match(&rel))
                || exclude.is_some_and(|g| g.is_match(&rel))
            {
                continue;
            }
            // The size, read here (the walk's own thread) for the loader's choices.
            let len = entry.metadata().ok().map(|m| m.len());
            each(Found {
                root: i,
                rel,
                path: entry.into_path(),
                len,
            });
        }
    }
    errors
}

/// What a special file is (a FIFO, a socket, a device); None for files, folders and links.
fn special_kind(kind: &std::fs::FileType) -> Option<&'static str> {
    if kind.is_file() || kind.is_dir() || kind.is_symlink() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return Some("a FIFO (named pipe)");
        }
        if kind.is_socket() {
            return Some("a socket");
        }
        if kind.is_block_device() || kind.is_char_device() {
            return Some("a device");
        }
    }
    Some("a special file")
}
