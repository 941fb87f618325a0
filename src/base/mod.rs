//! Helpers every layer may use, depending on nothing of dexlint's own: dates ([`dates`]), positions in text
//! ([`lines`]), paths compared however they are written ([`paths`]), "did you mean" suggestions
//! ([`suggest`]), the drawing of diagnostics ([`render`]), [`joined_path`], [`shown_path`],
//! [`named`] and [`drop_elsewhere`].

pub mod dates;
pub mod lines;
pub mod paths;
pub mod render;
pub mod suggest;
pub mod visible;

/// `ROOT/FILE` as the user would type it, for output read by people (`.` as the root: the file
/// alone).
pub fn joined_path(root: Option<&str>, file: &str) -> String {
    match root {
        Some(r) if r != "." => format!("{}/{}", r.trim_end_matches('/'), file),
        _ => file.to_string(),
    }
}

/// A file's path as output shows it: relative to the working directory when it is under it (a
/// CI annotation needs a repository path, and export files are shown relative too), else as
/// given.
pub fn shown_path(path: &std::path::Path) -> String {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(|p| p.display().to_string()))
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| path.display().to_string())
}

/// A record as messages name it: `` `name` (`id`) ``, or `` `id` `` when it has no other name
/// (two subscriptions both named `Pay-As-You-Go` are told apart).
pub fn named(name: Option<&str>, id: &str) -> String {
    match name {
        Some(n) if n != id => format!("`{n}` (`{id}`)"),
        _ => format!("`{id}`"),
    }
}

/// Frees `value` on a thread of its own, which nothing waits for: a large model or report takes
/// tens of milliseconds to free, and the process may end before it is done. Where no thread can
/// be started (a process limit), `value` is freed here.
pub fn drop_elsewhere<T: Send + 'static>(value: T) {
    // On failure the closure, and `value` with it, is dropped by `spawn` on this thread.
    let _ = std::thread::Builder::new().spawn(move || drop(value));
}

/// The [`root_key`] of each root a run's violations name, worked out once per root (not once
/// per violation: it reads the working directory).
#[derive(Default)]
pub struct RootKeys(std::collections::BTreeMap<String, String>);

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
    #![allow(clippy::unwrap_used)]

    /// Tells the channel, when dropped, on which thread.
    struct Tell(std::sync::mpsc::Sender<std::thread::ThreadId>);

    impl Drop for Tell {
        fn drop(&mut self) {
            let _ = self.0.send(std::thread::current().id());
        }
    }

    #[test]
    fn a_value_dropped_elsewhere_is_dropped_on_another_thread() {
        let (send, dropped) = std::sync::mpsc::channel();
        super::drop_elsewhere(Tell(send));
        let on = dropped
            .recv_timeout(std::time::Duration::from_secs(10))
            .unwrap();
        assert_ne!(on, std::thread::current().id());
    }
}
