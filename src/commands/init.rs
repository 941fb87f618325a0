//! `dexlint init [DIR]`: a starter configuration, custom policy and its test.

use crate::authoring;
use std::path::PathBuf;

/// Writes the starter files and says what to run next; 2 when they cannot be written.
pub fn run(dir: PathBuf) -> i32 {
    match authoring::init(&dir) {
        Ok(written) => {
            for path in &written {
                println!("wrote {}", path.display());
            }
            let d = dir.display();
            println!("\nnext:\n  dexlint test {d}/policies\n  dexlint lint --config {d}/dexlint.toml {d}/policies/tests/org001-breakglass/export");
            0
        }
        Err(e) => {
            eprintln!("error: cannot write the starter files: {e}");
            2
        }
    }
}
