//! `dexlint check FILE...`: compile policy files and print every error.

use crate::policy;
use std::path::PathBuf;

/// `dexlint check FILE...`: compiles the files together and prints every error. Returns 0
/// when all compile, 2 otherwise.
pub fn run(paths: &[PathBuf]) -> i32 {
    let mut sources = Vec::new();
    let mut failed = false;
    for path in paths {
        match std::fs::read_to_string(path) {
            Ok(text) => sources.push(policy::PolicySource {
                name: path.display().to_string(),
                text,
            }),
            Err(e) => {
                eprintln!("error: cannot read `{}`: {e}", path.display());
                failed = true;
            }
        }
    }
    let stderr = std::io::stderr();
    let color = super::use_color(std::io::IsTerminal::is_terminal(&stderr));
    match policy::compile(&sources, &crate::policy_files::Disk) {
        Ok(policy_set) if !failed => {
            println!("{} policies compiled", policy_set.policies.len());
            0
        }
        Ok(_) => 2,
        Err(errors) => {
            eprint!("{}", policy::render_errors(&errors, color, 100));
            eprintln!("{} error(s)", errors.errors().len());
            2
        }
    }
}
