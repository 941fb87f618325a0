//! `dexlint test [DIR]`: run policy test cases.

use super::{fail, find_config};
use crate::testing;
use std::path::{Path, PathBuf};

/// Runs the cases under `dir`, or, without one, under the policy directories of
/// `dexlint.toml` (else `.`), and prints `N passed, N failed`.
pub fn run(dir: Option<&Path>, no_builtin: bool, edition: Option<&str>) -> i32 {
    if let Err(e) = crate::edition::resolve(&[edition]) {
        return fail(e);
    }
    let dirs: Vec<PathBuf> = match dir {
        Some(d) => vec![d.to_path_buf()],
        None => match find_config(None) {
            Ok(config) if !config.policy_dirs.is_empty() => config.policy_dirs,
            Ok(_) => vec![PathBuf::from(".")],
            Err(e) => return fail(e),
        },
    };
    let (mut out, mut errors) = (String::new(), String::new());
    let code = testing::test_command(&dirs, !no_builtin, edition, &mut out, &mut errors);
    eprint!("{errors}");
    print!("{out}");
    code
}
