//! `dexlint hook FILE...`: the pre-commit hook; lints the configured exports that hold the
//! changed files, and says what it does not lint. It never guesses an export from a changed
//! file's path: a tenant's folder (`exports/fabrikam/graph/users.json`) and a product folder of
//! one tenant (`contoso/graph/users.json`) look alike, so a guess would merge tenants or split
//! one; the exports are those dexlint.toml names.

use super::{fail, load_config, UsageError};
use crate::cli::LintArgs;
use crate::config::Config;
use std::path::{Path, PathBuf};

/// Lints the configured exports holding `args.roots` (the changed files). A changed file in no
/// configured export is named in a note on standard error; one that holds export data is a
/// usage error (exit 2), as is a configured export that does not exist.
pub fn run(mut args: LintArgs) -> i32 {
    let config = match load_config(&args) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let cwd = std::env::current_dir().unwrap_or_default();
    let mut fixtures = args.policies.clone();
    fixtures.extend(super::test_dirs(&config));
    let plan = hook_plan(&cwd, &args.roots, &config, &fixtures);
    for (file, why) in &plan.skipped {
        eprintln!("note: `{}` {why}: not linted", file.display());
    }
    let mut code = 0;
    if !plan.unconfigured.is_empty() {
        code = fail(unconfigured_error(&plan.unconfigured, &config));
    }
    // A configured export that does not exist is the lint's usage error, whatever changed.
    let missing: Vec<PathBuf> = config
        .exports
        .iter()
        .filter(|r| !r.is_dir())
        .cloned()
        .collect();
    if code != 0 && missing.is_empty() {
        return code;
    }
    args.roots = plan.roots;
    args.roots.extend(missing);
    args.roots.sort();
    args.roots.dedup();
    if args.roots.is_empty() {
        return code;
    }
    code.max(super::lint::run(&args))
}

/// Why a changed file is not linted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skipped {
    /// At the top of the repository and no export data (`renovate.json`), or outside the
    /// repository.
    TopLevel,
    /// Under the `tests/` of a policy directory: a test case's export, run by `dexlint test`.
    PolicyTest(PathBuf),
    /// In no configured export, and not export data dexlint reads.
    NotExportData,
    /// Bicep source in no configured export, with the command that compiles it to the JSON
    /// dexlint reads (see [`crate::export::walk::bicep_command`]).
    Bicep(String),
    /// A setting (`dexlint.toml`, a `.policy` file, the baseline) that changes the verdict on
    /// every configured export, when none is configured.
    NoExports,
}

impl std::fmt::Display for Skipped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Skipped::TopLevel | Skipped::NotExportData => {
                f.write_str("is not in any configured export (dexlint.toml `exports`)")
            }
            Skipped::Bicep(command) => write!(
                f,
                "is Bicep source, which dexlint reads once compiled to JSON (`{command}`) into a \
                 configured export (dexlint.toml `exports`)"
            ),
            Skipped::NoExports => {
                f.write_str("changes how every export is linted, but no export is configured (dexlint.toml `exports`)")
            }
            Skipped::PolicyTest(dir) => write!(
                f,
                "is a policy test case (`dexlint test {}` runs it)",
                crate::base::shown_path(dir)
            ),
        }
    }
}

/// What the hook does with the changed files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HookPlan {
    /// The configured exports to lint (as in [`Config::exports`]), sorted, without duplicates.
    pub roots: Vec<PathBuf>,
    /// Changed files that are not linted, as given, and why.
    pub skipped: Vec<(PathBuf, Skipped)>,
    /// Changed files of export data (recognised by their content or path) in no configured
    /// export, as given: an export dexlint.toml does not name, which the hook cannot lint.
    pub unconfigured: Vec<PathBuf>,
}

/// The plan for the changed `files` (relative to `cwd` or absolute): each file in a configured
/// export selects that export; a changed `dexlint.toml`, `.policy` file or baseline changes the
/// verdict on every export and selects them all. A file in no configured export is never
/// linted: under the `tests/` of one of `policy_dirs` it is a policy test case; elsewhere it
/// is either export data of an export the configuration does not name
/// ([`HookPlan::unconfigured`]: a Terraform plan at the top of the repository too) or some
/// other JSON file.
pub fn hook_plan(
    cwd: &Path,
    files: &[PathBuf],
    config: &Config,
    policy_dirs: &[PathBuf],
) -> HookPlan {
    let exports: Vec<(PathBuf, &PathBuf)> =
        config.exports.iter().map(|r| (clean(cwd, r), r)).collect();
    let baseline = config.baseline.as_deref().map(|b| clean(cwd, b));
    let tests: Vec<(PathBuf, &PathBuf)> = policy_dirs
        .iter()
        .map(|d| (clean(cwd, d).join("tests"), d))
        .collect();
    let mut plan = HookPlan::default();
    for file in files {
        let path = clean(cwd, file);
        let setting = file
            .file_name()
            .is_some_and(|n| n == crate::config::FILE_NAME)
            || file.extension().is_some_and(|x| x == "policy")
            || baseline.as_ref() == Some(&path);
        if setting && config.exports.is_empty() {
            plan.skipped.push((file.clone(), Skipped::NoExports));
        } else if setting {
            plan.roots.extend(config.exports.iter().cloned());
        } else if let Some((_, dir)) = tests.iter().find(|(t, _)| path.starts_with(t)) {
            plan.skipped
                .push((file.clone(), Skipped::PolicyTest((*dir).clone())));
        } else if let Some((_, root)) = exports.iter().find(|(r, _)| path.starts_with(r)) {
            plan.roots.push((*root).clone());
        } else if !path.starts_with(cwd) {
            plan.skipped.push((file.clone(), Skipped::TopLevel));
        } else if let Some(command) = bicep(cwd, &path) {
            plan.skipped.push((file.clone(), Skipped::Bicep(command)));
        } else if is_export_data(cwd, &path) {
            plan.unconfigured.push(file.clone());
        } else if path.parent() == Some(cwd) {
            plan.skipped.push((file.clone(), Skipped::TopLevel));
        } else {
            plan.skipped.push((file.clone(), Skipped::NotExportData));
        }
    }
    plan.roots.sort();
    plan.roots.dedup();
    plan
}

use crate::base::paths::clean;

/// The command that compiles the Bicep file at `path` (`bicep build infra/main.bicep`, the path
/// relative to `cwd`); None when it is no Bicep file.
fn bicep(cwd: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(cwd).unwrap_or(path);
    crate::export::walk::bicep_command(&rel.to_string_lossy())
}

/// Whether dexlint reads the file at `path` as export data: a document a source format
/// recognises, by its content or its path (relative to `cwd`).
fn is_export_data(cwd: &Path, path: &Path) -> bool {
    let Ok(bytes) = std::fs::read(path) else {
        return false;
    };
    let rel = path.strip_prefix(cwd).unwrap_or(path);
    let rel = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/");
    crate::export::load_document(&rel, &bytes).files_recognised > 0
}

/// The usage error of changed export data in no configured export.
fn unconfigured_error(files: &[PathBuf], config: &Config) -> UsageError {
    let names: Vec<String> = files.iter().map(|f| format!("`{}`", f.display())).collect();
    let (what, it) = match names.as_slice() {
        [one] => (format!("{one} holds export data"), "it is"),
        many => (
            format!(
                "{} changed files hold export data ({})",
                many.len(),
                many.join(", ")
            ),
            "they are",
        ),
    };
    let (but, help) = if config.exports.is_empty() {
        (
            "no export is configured (dexlint.toml `exports`)".to_string(),
            format!(
                "the hook lints the export directories named in `exports` of dexlint.toml, each one tenant: `exports = [\"exports/contoso\", \"exports/fabrikam\"]`{}",
                if config.path.is_none() {
                    " (`dexlint init` writes a starter dexlint.toml)"
                } else {
                    ""
                }
            ),
        )
    } else {
        (
            format!("{it} in no configured export (dexlint.toml `exports`)"),
            "add its export directory to `exports` in dexlint.toml (each export is one tenant), or leave the file out of the hook with pre-commit's `exclude`".to_string(),
        )
    };
    UsageError {
        message: format!("{what}, but {but}: not linted"),
        help: Some(help),
    }
}
