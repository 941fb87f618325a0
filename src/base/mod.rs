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
