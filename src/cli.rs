//! Command-line interface: argument definitions and the commands behind them.

use crate::authoring;
use crate::baseline::Baseline;
use crate::config::{self, Config};
use crate::export::LoadOptions;
use crate::lint::{self, LintOptions};
use crate::policy::{self, Severity};
use crate::report::{self, Format, Style};
use crate::testing;
use clap::{Parser, Subcommand, ValueEnum};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

#[derive(Debug, Parser)]
#[command(
    name = "dexlint",
    version,
    about = "Lint a Microsoft tenant export against Defender Experts for XDR prerequisites"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lint one or more export directories with the built-in and extra policies.
    Lint(LintArgs),
    /// Lint the export directories that hold FILEs (for pre-commit): the configured `exports`
    /// that contain a changed file, or each changed file's top-level directory.
    Hook(LintArgs),
    /// Run policy test cases (DIR/tests/**/case.toml) with DIR's policies.
    Test {
        /// Directory of policies and their `tests/` [default: .]
        dir: Option<PathBuf>,
        /// Test DIR's policies alone, without the built-in catalogue.
        #[arg(long)]
        no_builtin: bool,
    },
    /// List the policies: id, severity, title, tags, source.
    List {
        /// Directory of extra `.policy` files (repeatable).
        #[arg(long = "policies", value_name = "DIR")]
        policies: Vec<PathBuf>,
        /// Configuration file (default: `dexlint.toml` in the working directory or a parent).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
    },
    /// Explain a policy: rationale, the service document it cites, an example and the fix.
    Explain {
        /// Policy id, such as DEX002.
        id: String,
        /// Directory of extra `.policy` files (repeatable).
        #[arg(long = "policies", value_name = "DIR")]
        policies: Vec<PathBuf>,
        /// Configuration file (default: `dexlint.toml` in the working directory or a parent).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Write a starter dexlint.toml, a custom policy and its test case into DIR.
    Init {
        /// Target directory [default: .]
        dir: Option<PathBuf>,
    },
    /// Print a shell completion script.
    Completions { shell: clap_complete::Shell },
    /// Print the man page (roff).
    Man,
    /// Format policy files in place (or, with --check, list those that are not formatted).
    Fmt {
        /// Exit 1 when a file is not formatted, without changing it.
        #[arg(long)]
        check: bool,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Compile policy files and report every error.
    Check {
        /// Policy files to compile together.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

#[derive(Debug, clap::Args)]
pub struct LintArgs {
    /// Export directories to lint (default: `exports` of the configuration).
    #[arg(value_name = "EXPORT_DIR")]
    pub roots: Vec<PathBuf>,
    /// Configuration file (default: `dexlint.toml` in the working directory or a parent).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Report only violations that are not in this baseline [default: `baseline` of the
    /// configuration].
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record the current violations as a baseline in FILE [default: the baseline file] and
    /// exit 0 unless an error stops the run.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<Option<PathBuf>>,
    /// Fail the run (exit 1) when a selected policy could not be evaluated on the export.
    #[arg(long)]
    pub fail_on_not_evaluated: bool,
    /// Directory of extra `.policy` files (repeatable).
    #[arg(long = "policies", value_name = "DIR")]
    pub policies: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Lowest severity that makes the run exit 1 [default: error, or the configuration's].
    #[arg(long, value_enum)]
    pub fail_level: Option<FailLevel>,
    /// Only read files whose path (relative to the export root) matches this glob (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,
    /// Skip files whose path matches this glob (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Run only the policies of `--policies`, not the built-in catalogue.
    #[arg(long)]
    pub no_builtin: bool,
    /// Replace user principal names, display names and ids by short keyed hashes.
    #[arg(long)]
    pub redact: bool,
    /// Key of the `--redact` hashes, for names that stay the same across runs [default: a
    /// random key per run].
    #[arg(
        long,
        value_name = "KEY",
        env = "DEXLINT_REDACT_KEY",
        hide_env_values = true
    )]
    pub redact_key: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Human,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailLevel {
    Error,
    Warning,
    Info,
}

impl From<FailLevel> for Severity {
    fn from(f: FailLevel) -> Severity {
        match f {
            FailLevel::Error => Severity::Error,
            FailLevel::Warning => Severity::Warning,
            FailLevel::Info => Severity::Info,
        }
    }
}

/// Whether to colour output written to a stream: only on a terminal, never with NO_COLOR set.
pub fn use_color(is_terminal: bool) -> bool {
    is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Runs a parsed command line and returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    match cli.command {
        Command::Lint(args) => lint_command(&args),
        Command::Hook(mut args) => {
            let config = match load_config(&args) {
                Ok(c) => c,
                Err(code) => return code,
            };
            let cwd = std::env::current_dir().unwrap_or_default();
            args.roots = hook_roots(&cwd, &args.roots, &config.exports);
            if args.roots.is_empty() {
                return 0;
            }
            lint_command(&args)
        }
        Command::Check { files } => policy::check_command(&files),
        Command::Fmt { check, files } => fmt_command(&files, check),
        Command::List {
            policies,
            format,
            config,
        } => match configured(config.as_deref(), &policies) {
            Ok(metas) => {
                print!("{}", authoring::list(&metas, format == ListFormat::Json));
                0
            }
            Err(code) => code,
        },
        Command::Explain {
            id,
            policies,
            config,
        } => match configured(config.as_deref(), &policies) {
            Ok(metas) => match metas.iter().find(|m| m.meta.id.eq_ignore_ascii_case(&id)) {
                Some(meta) => {
                    print!("{}", authoring::explain(meta));
                    0
                }
                None => {
                    eprintln!("error: no policy `{id}` (see `dexlint list`)");
                    2
                }
            },
            Err(code) => code,
        },
        Command::Init { dir } => {
            let dir = dir.unwrap_or_else(|| PathBuf::from("."));
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
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut <Cli as clap::CommandFactory>::command(),
                "dexlint",
                &mut std::io::stdout(),
            );
            0
        }
        Command::Man => {
            let man = clap_mangen::Man::new(<Cli as clap::CommandFactory>::command());
            match man.render(&mut std::io::stdout()) {
                Ok(()) => 0,
                Err(e) => {
                    eprintln!("error: {e}");
                    2
                }
            }
        }
        Command::Test { dir, no_builtin } => {
            let mut out = String::new();
            let code = testing::test_command(
                dir.as_deref().unwrap_or(Path::new(".")),
                !no_builtin,
                &mut out,
            );
            print!("{out}");
            code
        }
    }
}

/// Prints a setup error (configuration, policies, baseline) and returns exit code 2.
fn fail(e: impl miette::Diagnostic) -> i32 {
    fail_dyn(&e)
}

/// [`fail`] for a diagnostic behind a pointer.
fn fail_dyn(e: &dyn miette::Diagnostic) -> i32 {
    let color = use_color(std::io::stderr().is_terminal());
    let theme = if color {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    };
    let handler = miette::GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(color);
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = handler.render_report(&mut out, e);
    eprint!("{out}");
    2
}

/// `dexlint fmt`: 0 when every file is (now) formatted, 1 with `--check` when one is not,
/// 2 when a file cannot be read, parsed or written.
fn fmt_command(files: &[PathBuf], check: bool) -> i32 {
    let mut code = 0;
    for path in files {
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
                let src =
                    miette::NamedSource::new(&shown, std::sync::Arc::<str>::from(text.as_str()));
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

/// The configuration named by `--config`, or found from the working directory, or defaults.
fn load_config(args: &LintArgs) -> Result<Config, i32> {
    find_config(args.config.as_deref()).map_err(fail)
}

/// The policies as the configuration (at `path` or found) sets them, for `list` and `explain`.
fn configured(path: Option<&Path>, dirs: &[PathBuf]) -> Result<Vec<authoring::Configured>, i32> {
    let config = find_config(path).map_err(fail)?;
    authoring::configured_catalogue(&config, dirs).map_err(fail)
}

/// The configuration at `path`, or found from the working directory, or defaults.
fn find_config(path: Option<&Path>) -> Result<Config, config::ConfigErrors> {
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

/// The export roots that hold the changed files: configured roots that contain one, else the
/// top-level directory of each changed file (sorted, without duplicates).
pub fn hook_roots(cwd: &Path, files: &[PathBuf], exports: &[PathBuf]) -> Vec<PathBuf> {
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
    roots.sort();
    roots.dedup();
    roots
}

/// A usage error of `dexlint lint` (exit 2).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{message}")]
#[diagnostic(code(dexlint::usage))]
struct UsageError {
    message: String,
    #[help]
    help: Option<String>,
}

/// What decides the exit code of a finished run.
struct Gate {
    fail_level: Severity,
    fail_on_not_evaluated: bool,
}

fn lint_command(args: &LintArgs) -> i32 {
    let (mut report, gate) = match lint_run(args) {
        Ok(done) => done,
        Err(e) => {
            // The error is shown on standard error; the chosen format still gets one complete
            // document holding it, so an upload step reads the real error.
            let code = fail_dyn(&*e);
            if args.format != Format::Human {
                let report = report::failure(&*e);
                let _ = write_report(args, &report);
            }
            return code;
        }
    };
    report.fail_level = Some(gate.fail_level);
    if let Err(e) = write_report(args, &report) {
        return fail(e);
    }
    if args.write_baseline.is_some() && report.summary.errors == 0 {
        return 0;
    }
    report.gate_exit_code(gate.fail_level, gate.fail_on_not_evaluated)
}

/// Loads the configuration and baseline, runs the lint and writes the baseline when asked.
fn lint_run(
    args: &LintArgs,
) -> Result<(crate::outcome::LintReport, Gate), Box<dyn miette::Diagnostic + Send + Sync>> {
    let config = find_config(args.config.as_deref())?;
    let baseline_path = args.baseline.clone().or_else(|| config.baseline.clone());
    let write_baseline = args
        .write_baseline
        .as_ref()
        .map(|p| p.clone().or_else(|| baseline_path.clone()));
    let write_baseline = match write_baseline {
        Some(Some(p)) => Some(p),
        Some(None) => {
            return Err(Box::new(UsageError {
                message: "`--write-baseline` needs a FILE".into(),
                help: Some("name one, or set `baseline` in dexlint.toml".into()),
            }))
        }
        None => None,
    };
    // A baseline being written records every violation, so none is hidden by the old one.
    let baseline = match (&write_baseline, &baseline_path) {
        (None, Some(path)) => Some(Baseline::read(path)?),
        _ => None,
    };
    let (roots, root_names) = if args.roots.is_empty() {
        (config.exports.clone(), config.export_names.clone())
    } else {
        let names = args
            .roots
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
        (args.roots.clone(), names)
    };
    if roots.is_empty() {
        return Err(Box::new(UsageError {
            message: "no export directory given".into(),
            help: Some("pass EXPORT_DIR or set `exports` in dexlint.toml".into()),
        }));
    }
    let mut include = config.include.clone();
    include.extend(args.include.iter().cloned());
    let mut exclude = config.exclude.clone();
    exclude.extend(args.exclude.iter().cloned());
    let gate = Gate {
        fail_level: args
            .fail_level
            .map(Severity::from)
            .or(config.fail_level)
            .unwrap_or(Severity::Error),
        fail_on_not_evaluated: args.fail_on_not_evaluated || config.fail_on_not_evaluated,
    };
    let options = LintOptions {
        roots,
        root_names,
        builtin: !args.no_builtin,
        policy_dirs: args.policies.clone(),
        load: LoadOptions {
            include,
            exclude,
            max_file_bytes: config.max_file_bytes,
            max_json_depth: config.max_json_depth,
        },
        config,
        today: None,
        baseline,
        redact: match (args.redact, &args.redact_key) {
            (false, _) => None,
            (true, Some(k)) => Some(crate::redact::Key::from_secret(k)),
            (true, None) => Some(crate::redact::Key::random()?),
        },
    };
    let report = lint::run(&options)?;
    if let Some(path) = &write_baseline {
        let baseline = Baseline::of(&report.violations);
        create_parent(path)
            .and_then(|()| std::fs::write(path, baseline.to_json()))
            .map_err(|e| UsageError {
                message: format!("cannot write the baseline `{}`: {e}", path.display()),
                help: None,
            })?;
        eprintln!("wrote the baseline {}", path.display());
    }
    Ok((report, gate))
}

/// Creates the parent directory of a file to be written, when it has one.
fn create_parent(path: &Path) -> std::io::Result<()> {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => std::fs::create_dir_all(dir),
        _ => Ok(()),
    }
}

/// Writes the report to `--output` (creating its directory) or standard output.
fn write_report(args: &LintArgs, report: &crate::outcome::LintReport) -> Result<(), UsageError> {
    let stdout = std::io::stdout();
    let to_terminal = args.output.is_none() && stdout.is_terminal();
    let style = Style {
        color: use_color(to_terminal),
        width: if to_terminal { terminal_width() } else { 100 },
    };
    match &args.output {
        Some(path) => create_parent(path)
            .and_then(|()| std::fs::File::create(path))
            .and_then(|f| report::write(report, args.format, style, f))
            .map_err(|e| UsageError {
                message: format!("cannot write the report to `{}`: {e}", path.display()),
                help: None,
            }),
        None => report::write(report, args.format, style, stdout.lock()).map_err(|e| UsageError {
            message: format!("cannot write the report: {e}"),
            help: None,
        }),
    }
}

fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(100)
}
