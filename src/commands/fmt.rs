//! `dexlint fmt`: the canonical layout of policy files (named, or found in directories).

use super::fail;
use crate::policy;
use std::path::PathBuf;

/// `dexlint fmt PATH...`: formats the files and the `.policy` files of the directories
/// (recursively, see [`crate::lint::policy_files`]). 0 when every file is (now) formatted, 1
/// with `--check` when one is not, 2 when a file cannot be found, read, parsed or written.
pub fn run(paths: &[PathBuf], check: bool) -> i32 {
    let mut code = 0;
    let mut files = Vec::new();
    for path in paths {
        match crate::lint::policy_files(std::slice::from_ref(path)) {
            Ok(found) if found.is_empty() => {
                eprintln!("error: no `.policy` file under `{}`", path.display());
                code = 2;
            }
            Ok(found) => files.extend(found),
            Err(e) => code = fail(e),
        }
    }
    for path in &files {
        let shown = path.display().to_string();
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: cannot read `{shown}`: {e}");
                code = 2;
                continue;
            }
        };
        let formatted = match policy::format::format(&text) {
            Ok(f) => f,
            Err(error) => {
                let src = crate::base::render::Source::new(shown.as_str(), text.as_str());
                fail(policy::SourcedError {
                    error,
                    file: shown.clone(),
                    src,
                });
                code = 2;
                continue;
            }
        };
        if formatted == text {
            continue;
        }
        if check {
            println!("would reformat {shown}");
            code = code.max(1);
        } else if let Err(e) = std::fs::write(path, formatted) {
            eprintln!("error: cannot write `{shown}`: {e}");
            code = 2;
        } else {
            println!("formatted {shown}");
        }
    }
    code
}
