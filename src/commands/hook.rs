//! `dexlint hook FILE...`: the pre-commit hook; lints the export roots that hold the changed
//! files.

use super::load_config;
use crate::cli::LintArgs;
use std::path::{Path, PathBuf};

/// Lints the roots holding `args.roots` (the changed files); 0 when none is an export.
pub fn run(mut args: LintArgs) -> i32 {
    let config = match load_config(&args) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let cwd = std::env::current_dir().unwrap_or_default();
    args.roots = hook_roots(&cwd, &args.roots, &config.exports);
    if args.roots.is_empty() {
        return 0;
    }
    super::lint::run(&args)
}

/// The export roots that hold the changed files: configured roots that contain one, else the
/// top-level directory of each changed file (sorted, without duplicates). A changed
/// `dexlint.toml` or `.policy` file changes the verdict on every export: it selects every
/// configured root (and none when none is configured).
pub fn hook_roots(cwd: &Path, files: &[PathBuf], exports: &[PathBuf]) -> Vec<PathBuf> {
    let is_setting = |f: &PathBuf| {
        f.file_name().is_some_and(|n| n == "dexlint.toml")
            || f.extension().is_some_and(|x| x == "policy")
    };
    let (settings, files): (Vec<PathBuf>, Vec<PathBuf>) =
        files.iter().cloned().partition(is_setting);
    let mut all = if settings.is_empty() {
        Vec::new()
    } else {
        exports.to_vec()
    };
    let clean = |p: &Path| -> PathBuf {
        cwd.join(p)
            .components()
            .filter(|c| !matches!(c, std::path::Component::CurDir))
            .collect()
    };
    let mut roots: Vec<PathBuf> = files
        .iter()
        .map(|f| clean(f))
        .filter_map(|f| {
            if exports.is_empty() {
                let f = f.strip_prefix(cwd).ok()?;
                let top = f.components().next()?;
                Some(if f.components().count() > 1 {
                    PathBuf::from(top.as_os_str())
                } else {
                    PathBuf::from(".")
                })
            } else {
                exports.iter().find(|r| f.starts_with(clean(r))).cloned()
            }
        })
        .collect();
    roots.append(&mut all);
    roots.sort();
    roots.dedup();
    roots
}
