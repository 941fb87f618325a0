//! The commands behind the command line, one file each, and what they share: finding the
//! configuration, printing a setup error, the terminal's colour and width. [`run`] dispatches a
//! parsed command line ([`crate::cli::Cli`]) and returns the process exit code.

mod check;
mod completions;
mod explain;
mod fmt;
mod hook;
mod init;
mod lint;
mod list;
mod scope;
mod test;

pub use hook::{hook_plan, HookPlan, Skipped};

use crate::authoring;
use crate::cli::{Cli, Command};
use crate::config::{self, Config};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// Runs a parsed command line and returns the process exit code (0, 1 or 2: see the README).
pub fn run(cli: Cli) -> i32 {
    match cli.command {
        Command::Lint(args) => lint::run(&args),
        Command::Hook(args) => hook::run(args),
        Command::Check { files, no_builtin } => check::run(&files, no_builtin),
        Command::Fmt { check, files } => fmt::run(&files, check),
        Command::List {
            policies,
            format,
            config,
            edition,
        } => list::run(config.as_deref(), &policies, format, edition.as_deref()),
        Command::Explain {
            id,
            policies,
            config,
            edition,
        } => explain::run(&id, config.as_deref(), &policies, edition.as_deref()),
        Command::Init { dir } => init::run(dir.unwrap_or_else(|| PathBuf::from("."))),
        Command::Scope(args) => scope::run(&args),
        Command::Schema { format } => {
            match format {
                crate::cli::ListFormat::Human => print!("{}", crate::reference::text()),
                crate::cli::ListFormat::Json => println!("{:#}", crate::reference::json()),
            }
            0
        }
        Command::Completions { shell } => completions::completions(shell),
        Command::Man { out_dir } => completions::man(out_dir.as_deref()),
        Command::Test {
            dir,
            no_builtin,
            edition,
            filter,
            bless,
        } => test::run(
            dir.as_deref(),
            &crate::testing::TestOptions {
                builtin: !no_builtin,
                edition,
                filter,
                bless,
            },
        ),
    }
}

/// A usage error of a command (exit 2): what is wrong, and how to put it right.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{message}")]
#[diagnostic(code(dexlint::usage))]
pub(crate) struct UsageError {
    pub(crate) message: String,
    #[help]
    pub(crate) help: Option<String>,
}

/// Whether to colour output written to a stream: only on a terminal, never with NO_COLOR set.
pub fn use_color(is_terminal: bool) -> bool {
    is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Prints a setup error (configuration, policies, baseline) and returns exit code 2.
pub(crate) fn fail(e: impl miette::Diagnostic) -> i32 {
    fail_dyn(&e)
}

/// [`fail`] for a diagnostic behind a pointer.
pub(crate) fn fail_dyn(e: &dyn miette::Diagnostic) -> i32 {
    let terminal = std::io::stderr().is_terminal();
    let color = use_color(terminal);
    eprint!(
        "{}",
        crate::base::render::setup_error(e, color, terminal_width(terminal))
    );
    2
}

/// The configuration named by `--config`, or found from the working directory, or defaults.
pub(crate) fn load_config(args: &crate::cli::LintArgs) -> Result<Config, i32> {
    find_config(args.config.as_deref()).map_err(fail)
}

/// The policies as the configuration (at `path` or found) sets them, for `list` and `explain`.
pub(crate) fn configured(
    path: Option<&Path>,
    dirs: &[PathBuf],
    edition: Option<&str>,
) -> Result<Vec<authoring::Configured>, i32> {
    let config = find_config(path).map_err(fail)?;
    let edition = crate::edition::resolve(&[edition, config.edition.as_deref()]).map_err(fail)?;
    authoring::configured_catalogue(&config, dirs, edition.name).map_err(fail)
}

/// The export roots to read (those given, else the configuration's `exports`) and their names
/// as reports show them: an `exports` entry as written in dexlint.toml, another root as given.
pub(crate) fn roots_and_names(
    given: &[std::path::PathBuf],
    config: &Config,
) -> (Vec<std::path::PathBuf>, Vec<String>) {
    if given.is_empty() {
        return (config.exports.clone(), config.export_names.clone());
    }
    let names = given
        .iter()
        .map(|r| {
            config
                .exports
                .iter()
                .position(|e| e == r)
                .and_then(|i| config.export_names.get(i).cloned())
                .unwrap_or_else(|| r.display().to_string())
        })
        .collect();
    (given.to_vec(), names)
}

/// The usage error of one export directory given twice (`A`, `./A/`, `../here/A`, its absolute
/// path, a symbolic link to it), or given with a directory inside it (`A` and `A/graph`): its
/// files would be read, and counted, twice. Paths that exist are compared as the file system
/// resolves them, others as written.
pub(crate) fn overlapping_root(roots: &[PathBuf]) -> Option<UsageError> {
    let key = |p: &PathBuf| {
        std::fs::canonicalize(p)
            .unwrap_or_else(|_| PathBuf::from(crate::base::paths::root_key(&p.to_string_lossy())))
    };
    let keys: Vec<PathBuf> = roots.iter().map(key).collect();
    for (i, k) in keys.iter().enumerate() {
        if let Some(j) = keys.iter().skip(i + 1).position(|o| o == k) {
            let (root, again) = (roots.get(i)?, roots.get(i + 1 + j)?);
            return Some(UsageError {
                message: format!(
                    "the export directory `{}` is given twice (again as `{}`)",
                    root.display(),
                    again.display()
                ),
                help: Some("give each export directory once".into()),
            });
        }
    }
    for (i, k) in keys.iter().enumerate() {
        if let Some(j) = keys.iter().position(|o| o != k && o.starts_with(k)) {
            let (outer, inner) = (roots.get(i)?, roots.get(j)?);
            return Some(UsageError {
                message: format!(
                    "the export directory `{}` is inside `{}`, also given: its files would be \
                     read twice",
                    inner.display(),
                    outer.display()
                ),
                help: Some(format!(
                    "give `{}` alone (its files are all read), or directories apart",
                    outer.display()
                )),
            });
        }
    }
    None
}

/// The configuration at `path`, or found from the working directory, or defaults.
pub(crate) fn find_config(path: Option<&Path>) -> Result<Config, config::ConfigErrors> {
    let path = path.map(Path::to_path_buf).or_else(|| {
        std::env::current_dir()
            .ok()
            .and_then(|d| config::discover(&d))
    });
    Ok(path
        .as_deref()
        .map(Config::load)
        .transpose()?
        .unwrap_or_default())
}

/// The directories whose `tests/` hold policy test cases when `dexlint test` is given none: the
/// policy directories of the configuration, else `./policies` when it is a directory, else `.`.
pub(crate) fn test_dirs(config: &Config) -> Vec<PathBuf> {
    if !config.policy_dirs.is_empty() {
        config.policy_dirs.clone()
    } else if Path::new("policies").is_dir() {
        vec![PathBuf::from("policies")]
    } else {
        vec![PathBuf::from(".")]
    }
}

/// The width in characters that human output wraps at: `COLUMNS` when set (to a positive
/// number), else the terminal's width when writing to one, else 100.
pub(crate) fn terminal_width(is_terminal: bool) -> usize {
    if let Some(c) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|&c| c > 0)
    {
        return c;
    }
    if is_terminal {
        if let Some((terminal_size::Width(w), _)) = terminal_size::terminal_size() {
            return usize::from(w);
        }
    }
    100
}
