//! Paths as dexlint compares and names them: an export root (or any file) the same however it
//! is written; a path relative to a directory, or below the repository's work tree.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

/// The [`root_key`] of each root a run names, worked out once per root (not once per
/// violation: it reads the working directory). A root named otherwise than by its path (an
/// `exports` entry of `dexlint.toml`, named as written there, relative to that file) is keyed as
/// its path.
#[derive(Default)]
pub struct RootKeys {
    keys: BTreeMap<String, String>,
    paths: BTreeMap<String, PathBuf>,
}

impl RootKeys {
    /// Keys for a run whose roots are named `names`, and found at `paths` (the same order).
    pub fn named(names: &[String], paths: &[PathBuf]) -> RootKeys {
        RootKeys {
            keys: BTreeMap::new(),
            paths: names.iter().cloned().zip(paths.iter().cloned()).collect(),
        }
    }

    /// The [`root_key`] of `root` (of its path, when it is a name of [`RootKeys::named`]).
    pub fn get(&mut self, root: &str) -> String {
        if let Some(k) = self.keys.get(root) {
            return k.clone();
        }
        let k = match self.paths.get(root) {
            Some(path) => root_key(&path.to_string_lossy()),
            None => root_key(root),
        };
        self.keys.insert(root.to_string(), k.clone());
        k
    }
}

/// An export root as a baseline keys it: the same directory however it is written (`A`,
/// `./A/`, `/work/A` run from `/work`): relative to the working directory when under it, `.`
/// and `..` resolved as written (no link is followed), `/`-separated.
pub fn root_key(root: &str) -> String {
    let path = Path::new(root);
    let cwd = std::env::current_dir().ok();
    let relative = cwd
        .as_deref()
        .and_then(|c| path.strip_prefix(c).ok())
        .unwrap_or(path);
    let (rooted, parts) = normal(relative);
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

/// Whether `path` is rooted, and its components, `.` left out and `..` resolved as written (no
/// link is followed).
fn normal(path: &Path) -> (bool, Vec<String>) {
    let mut parts: Vec<String> = Vec::new();
    let mut rooted = false;
    for c in path.components() {
        match c {
            Component::Prefix(p) => parts.push(p.as_os_str().to_string_lossy().into_owned()),
            Component::RootDir => rooted = true,
            Component::CurDir => {}
            Component::ParentDir => {
                if parts.last().is_some_and(|p| p != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..".into());
                }
            }
            Component::Normal(n) => parts.push(n.to_string_lossy().into_owned()),
        }
    }
    (rooted, parts)
}

/// `path` relative to the directory `dir` (each relative to the working directory, or
/// absolute), `/`-separated, `.` for `dir` itself: how a file names a path beside it. As
/// [`root_key`] keys it when the two share no root (drives of Windows).
pub fn relative_to(path: &Path, dir: &Path) -> String {
    let cwd = std::env::current_dir().unwrap_or_default();
    let (_, to) = normal(&cwd.join(path));
    let (_, from) = normal(&cwd.join(dir));
    let prefix = |p: &Path| match cwd.join(p).components().next() {
        Some(Component::Prefix(x)) => Some(x.as_os_str().to_os_string()),
        _ => None,
    };
    if prefix(path) != prefix(dir) {
        return root_key(&path.to_string_lossy());
    }
    let common = to.iter().zip(&from).take_while(|(a, b)| a == b).count();
    let up = from.len().saturating_sub(common);
    let parts: Vec<&str> = std::iter::repeat_n("..", up)
        .chain(to.iter().skip(common).map(String::as_str))
        .collect();
    match parts.is_empty() {
        true => ".".into(),
        false => parts.join("/"),
    }
}

/// `path` (relative to the working directory, or absolute) made absolute, `.` and `..`
/// resolved as written (no link is followed).
pub fn absolute(path: &Path) -> PathBuf {
    clean(&std::env::current_dir().unwrap_or_default(), path)
}

/// `path` joined to `cwd`, `.` and `..` resolved as written (no link is followed).
pub fn clean(cwd: &Path, path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in cwd.join(path).components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The work tree of the git repository holding the directory `dir` (absolute): the nearest
/// directory at or above it with a `.git` (a directory, or the file of a worktree or
/// submodule). No git command is run.
pub fn repository_root(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
}

/// `path` relative to `dir` when it is `dir` or below it (both absolute, as [`absolute`] makes
/// them), `/`-separated (empty for `dir` itself); None when it is elsewhere.
pub fn below(path: &Path, dir: &Path) -> Option<String> {
    let rest = path.strip_prefix(dir).ok()?;
    let parts: Vec<String> = rest
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::{absolute, below, relative_to, root_key};
    use std::path::Path;

    #[test]
    fn a_path_below_a_directory_is_named_from_it() {
        let dir = absolute(Path::new("/r/repo"));
        for (path, rel) in [
            ("/r/repo/./a/../b/c.json", Some("b/c.json")),
            ("/r/repo", Some("")),
            ("/r/repository/x", None),
            ("/r/x", None),
        ] {
            assert_eq!(
                below(&absolute(Path::new(path)), &dir).as_deref(),
                rel,
                "{path}"
            );
        }
    }

    #[test]
    fn a_path_is_named_from_a_directory_beside_it() {
        for (path, dir, relative) in [
            ("a", "", "a"),
            ("fp/a", "fp", "a"),
            ("./fp/a/", "fp/", "a"),
            ("a", "fp", "../a"),
            ("fp", "fp", "."),
            ("/x/y/a", "/x/z", "../y/a"),
        ] {
            assert_eq!(
                relative_to(Path::new(path), Path::new(dir)),
                relative,
                "{path} from {dir}"
            );
        }
    }

    #[test]
    fn a_root_is_keyed_however_it_is_written() {
        for (given, key) in [
            ("a", "a"),
            ("./a/", "a"),
            ("a//b/./c/..", "a/b"),
            ("./", "."),
            ("../x", "../x"),
            ("/x/../y", "/y"),
        ] {
            assert_eq!(root_key(given), key, "{given}");
        }
    }
}
