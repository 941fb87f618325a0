//! `dexlint check PATH...`: compile policy files (and the `.policy` files of directories) and
//! print every error.

use super::fail;
use crate::{lint, policy};
use std::path::PathBuf;

/// `dexlint check PATH...`: compiles the files and the `.policy` files of the directories
/// (recursively, see [`lint::policy_files`]) together with the built-in catalogue (unless
/// `no_builtin`), so that a file defining a built-in id is the same `duplicate_policy` error
/// as in `dexlint lint`, and prints every error. Returns 0 when all compile, 2 otherwise.
pub fn run(paths: &[PathBuf], no_builtin: bool) -> i32 {
    let mut files = Vec::new();
    let mut failed = false;
    for path in paths {
        match lint::policy_files(std::slice::from_ref(path)) {
            Ok(found) if found.is_empty() => {
                eprintln!("error: no `.policy` file under `{}`", path.display());
                failed = true;
            }
            Ok(found) => files.extend(found),
            Err(e) => {
                fail(e);
                failed = true;
            }
        }
    }
    let (sources, names) = match lint::read_policy_files(!no_builtin, &files) {
        Ok(read) => read,
        Err(e) => return fail(e),
    };
    let stderr = std::io::stderr();
    let color = super::use_color(std::io::IsTerminal::is_terminal(&stderr));
    // The nesting limit of the dexlint.toml found from here, as `lint` would use it.
    let nesting = super::find_config(None)
        .ok()
        .and_then(|c| c.max_policy_nesting)
        .unwrap_or(policy::parse::MAX_NESTING);
    match policy::compile_nested(&sources, &crate::policy_files::Disk, nesting) {
        Ok(policy_set) if !failed => {
            let n = policy_set
                .policies
                .iter()
                .filter(|p| names.contains(&p.meta().source))
                .count();
            println!(
                "{n} {} compiled",
                if n == 1 { "policy" } else { "policies" }
            );
            0
        }
        Ok(_) => 2,
        Err(errors) => {
            let width = super::terminal_width(std::io::IsTerminal::is_terminal(&stderr));
            eprint!("{}", policy::render_errors(&errors, color, width));
            let n = errors.errors().len();
            eprintln!("{n} {}", if n == 1 { "error" } else { "errors" });
            2
        }
    }
}
