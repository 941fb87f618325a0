//! `dexlint test [DIR]`: run policy test cases.

use super::{fail, find_config};
use crate::testing::{self, TestOptions};
use std::path::{Path, PathBuf};

/// Runs the cases under `dir`, or, without one, under the policy directories of
/// `dexlint.toml` (else `./policies` when it is a directory, else `.`), as `options` say, and prints `N passed, N failed`.
pub fn run(dir: Option<&Path>, options: &TestOptions) -> i32 {
    if let Err(e) = crate::edition::resolve(&[options.edition.as_deref()]) {
        return fail(e);
    }
    let dirs: Vec<PathBuf> = match dir {
        Some(d) => vec![d.to_path_buf()],
        None => match find_config(None) {
            Ok(config) => super::test_dirs(&config),
            Err(e) => return fail(e),
        },
    };
    let (mut out, mut errors) = (String::new(), String::new());
    let code = testing::test_command_with(&dirs, options, &mut out, &mut errors);
    eprint!("{errors}");
    print!("{out}");
    code
}
