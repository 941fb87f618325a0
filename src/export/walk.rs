//! Finding the JSON files of export roots: walkdir without following links, in a deterministic
//! order (by file name, the pages of a list in their order: see [`page_order`]),
//! include/exclude globs matched on the path relative to the root.

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

/// A directory entry that could not be read, a gzip file where an export is, a special file
/// that was not opened, or a Bicep source (a note: see [`bicep_command`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkError {
    /// An error for an entry that could not be read or a gzip file; a warning for a special
    /// file; a note for a Bicep source.
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

/// Every `.json` file under the roots (root order, then path order: [`page_order`] in each
/// folder), each handed to
/// `each` as soon as it is found (so that files can be read while the walk goes on); the
/// entries that could not be read, and the gzip files where an export is ([`gzip_export`]:
/// not read, and said).
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
            .sort_by(|a, b| page_order(a.file_name(), b.file_name()))
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
            let extension = entry.path().extension();
            let is_json = extension.is_some_and(|x| x.eq_ignore_ascii_case("json"));
            let bicep = extension.is_some_and(|x| {
                x.eq_ignore_ascii_case("bicep") || x.eq_ignore_ascii_case("bicepparam")
            });
            let rel = relative(root, entry.path());
            if !is_json && !bicep && !gzip_export(&rel) {
                continue;
            }
            if include.is_some_and(|g| !g.is_match(&rel))
                || exclude.is_some_and(|g| g.is_match(&rel))
            {
                continue;
            }
            if let Some(command) = bicep_command(&rel).filter(|_| bicep) {
                let what = if command.contains("build-params") {
                    "a Bicep parameters file"
                } else {
                    "Bicep source"
                };
                errors.push(WalkError {
                    level: super::DiagLevel::Note,
                    root: i,
                    message: format!(
                        "{what}, which dexlint does not read: it reads the JSON `{command}` \
                         compiles it to"
                    ),
                    rel,
                });
                continue;
            }
            if !is_json {
                errors.push(WalkError {
                    level: super::DiagLevel::Error,
                    root: i,
                    rel,
                    message: super::decode::GZIP_NOT_READ.to_string(),
                });
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

/// Whether `rel` (`/`-separated) is a gzip file where an export is: a `.json.gz` file anywhere,
/// or a `.gz` file in a folder docs/exporting.md writes exports to (`mde/`, `graph/`, `azure/`,
/// `exo/`, `mpstatus/`). It is reported as not read (see [`super::decode::GZIP_NOT_READ`]).
fn gzip_export(rel: &str) -> bool {
    let lower = rel.to_ascii_lowercase();
    let Some(stem) = lower.strip_suffix(".gz") else {
        return false;
    };
    let folder = super::paging::folder(&lower)
        .rsplit('/')
        .next()
        .unwrap_or("");
    stem.ends_with(".json") || ["mde", "graph", "azure", "exo", "mpstatus"].contains(&folder)
}

/// The order of the entries of a folder: by name, except that the pages of a list come in
/// their order, the first page before the others and page 2 before page 10. The pages
/// `Save-GraphList` writes (docs/exporting.md: `users.json`, `users-2.json`, ...,
/// `users-10.json`) sort by name as `users-10`, `users-2`, ..., `users`: the list's last
/// listing of a record (a machine listed again on a later page) would not be the one kept.
///
/// Names are compared by their stem (the name without its last extension) without its
/// trailing digits, then by that number (none first; its value, whatever its leading zeros),
/// then whole. Names of the same list that differ only by their page number
/// (`users-00001.json`, `users_page2.json`) compare by it; others as their stems do.
pub fn page_order(a: &std::ffi::OsStr, b: &std::ffi::OsStr) -> std::cmp::Ordering {
    page_key(a.as_encoded_bytes()).cmp(&page_key(b.as_encoded_bytes()))
}

/// What [`page_order`] compares: the stem without its trailing digits, the number they write
/// (as its count of significant digits and those digits), and the whole name.
type PageKey<'a> = (&'a [u8], Option<(usize, &'a [u8])>, &'a [u8]);

/// The [`PageKey`] of a name.
fn page_key(name: &[u8]) -> PageKey<'_> {
    let stem = match name.iter().rposition(|&c| c == b'.') {
        Some(dot) if dot > 0 => name.get(..dot).unwrap_or(name),
        _ => name,
    };
    let digits = stem.iter().rev().take_while(|c| c.is_ascii_digit()).count();
    let (prefix, number) = stem.split_at(stem.len() - digits);
    if number.is_empty() {
        return (prefix, None, name);
    }
    let zeros = number.iter().take_while(|&&c| c == b'0').count();
    let significant = number.get(zeros..).unwrap_or_default();
    (prefix, Some((significant.len(), significant)), name)
}

/// The Bicep CLI command that compiles the Bicep file `rel` (a path relative to the export root)
/// to the JSON dexlint reads: `bicep build main.bicep` for a Bicep file (`.bicep`), `bicep
/// build-params main.bicepparam` for a parameters file (`.bicepparam`) ("Bicep CLI commands",
/// Microsoft Learn); None for any other file.
pub fn bicep_command(rel: &str) -> Option<String> {
    let (_, extension) = rel.rsplit_once('.')?;
    let verb = if extension.eq_ignore_ascii_case("bicep") {
        "build"
    } else if extension.eq_ignore_ascii_case("bicepparam") {
        "build-params"
    } else {
        return None;
    };
    Some(format!("bicep {verb} {rel}"))
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

#[cfg(test)]
mod tests {
    use super::{gzip_export, page_order};

    #[test]
    fn gzip_files_where_exports_are() {
        for rel in [
            "mde/part-00055.c000.json.gz",
            "x/users.JSON.GZ",
            "mde/export.gz",
            "tenant/Graph/users.gz",
        ] {
            assert!(gzip_export(rel), "{rel}");
        }
        for rel in [
            "backup.tar.gz",
            "other/export.gz",
            "mde/machines.json",
            "mde",
        ] {
            assert!(!gzip_export(rel), "{rel}");
        }
    }

    fn sorted(names: &[&str]) -> Vec<String> {
        let mut v: Vec<&std::ffi::OsStr> = names.iter().map(std::ffi::OsStr::new).collect();
        v.sort_by(|a, b| page_order(a, b));
        v.iter().map(|n| n.to_string_lossy().into_owned()).collect()
    }

    #[test]
    fn the_pages_of_a_list_come_in_their_order() {
        // As Save-GraphList (docs/exporting.md) names them, in any order.
        let pages = [
            "users-10.json",
            "users-2.json",
            "users.json",
            "users-9.json",
        ];
        assert_eq!(
            sorted(&pages),
            [
                "users.json",
                "users-2.json",
                "users-9.json",
                "users-10.json"
            ]
        );
        // Numbered from zero, padded or not; another separator; beside other files.
        let mixed = [
            "users_page2.json",
            "users-00010.json",
            "users-00002.json",
            "groups.json",
            "users_page10.json",
            "groups",
            "users.json",
            "subscribedSkus.json",
        ];
        assert_eq!(
            sorted(&mixed),
            [
                "groups",
                "groups.json",
                "subscribedSkus.json",
                "users.json",
                "users-00002.json",
                "users-00010.json",
                "users_page2.json",
                "users_page10.json",
            ]
        );
        // Equal numbers written differently, and names without pages: by name.
        assert_eq!(
            sorted(&["a-02.json", "a-2.json"]),
            ["a-02.json", "a-2.json"]
        );
        assert_eq!(
            sorted(&["b.json", "a.json", ".json"]),
            [".json", "a.json", "b.json"]
        );
        // A number past 64 bits is a number too.
        assert_eq!(
            sorted(&[
                "x-100000000000000000000000.json",
                "x-99999999999999999999999.json"
            ]),
            [
                "x-99999999999999999999999.json",
                "x-100000000000000000000000.json"
            ]
        );
    }
}
