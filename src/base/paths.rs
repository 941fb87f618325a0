//! Paths as dexlint compares them: an export root (or any file) the same however it is
//! written.

use std::collections::BTreeMap;

/// The [`root_key`] of each root a run names, worked out once per root (not once per
/// violation: it reads the working directory).
#[derive(Default)]
pub struct RootKeys(BTreeMap<String, String>);

impl RootKeys {
    /// The [`root_key`] of `root`.
    pub fn get(&mut self, root: &str) -> String {
        if let Some(k) = self.0.get(root) {
            return k.clone();
        }
        let k = root_key(root);
        self.0.insert(root.to_string(), k.clone());
        k
    }
}

/// An export root as a baseline keys it: the same directory however it is written (`A`,
/// `./A/`, `/work/A` run from `/work`): relative to the working directory when under it, `.`
/// and `..` resolved as written (no link is followed), `/`-separated.
pub fn root_key(root: &str) -> String {
    use std::path::{Component, Path};
    let path = Path::new(root);
    let cwd = std::env::current_dir().ok();
    let relative = cwd
        .as_deref()
        .and_then(|c| path.strip_prefix(c).ok())
        .unwrap_or(path);
    let mut parts: Vec<String> = Vec::new();
    let mut rooted = false;
    for c in relative.components() {
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
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

#[cfg(test)]
mod tests {
    use super::root_key;

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
