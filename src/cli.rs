//! The command line's arguments (clap definitions). The commands behind them are in
//! [`crate::commands`], one file each.

use crate::policy::Severity;
use crate::report::Output;
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// The `dexlint` command line.
#[derive(Debug, Parser)]
#[command(
    name = "dexlint",
    version,
    about = "Lint a Microsoft tenant export against Defender Experts for XDR prerequisites"
)]
pub struct Cli {
    /// The subcommand to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands, one file each in [`crate::commands`].
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lint one or more export directories with the built-in and extra policies.
    #[command(after_long_help = LINT_AFTER_HELP)]
    Lint(LintArgs),
    /// Lint the export directories that hold FILEs (for pre-commit): the configured `exports`
    /// that contain a changed file; every configured export when `dexlint.toml`, a `.policy`
    /// file or the baseline changed. A changed file of export data in no configured export
    /// fails the run (exit 2); other files outside the exports are named in a note.
    #[command(mut_arg("roots", |a| {
        a.value_name("FILE")
            .help("Changed files, as pre-commit passes them (JSON files of an export, `dexlint.toml`, `.policy` files)")
    }))]
    Hook(LintArgs),
    /// Run policy test cases (DIR/tests/**/case.toml) with DIR's policies.
    Test {
        /// Directory of policies and their `tests/` [default: .]
        dir: Option<PathBuf>,
        /// Test DIR's policies alone, without the built-in catalogue.
        #[arg(long)]
        no_builtin: bool,
        /// Catalogue edition of the cases that name none in case.toml [default: the newest].
        #[arg(long, value_name = "NAME")]
        edition: Option<String>,
        /// Run only the cases whose path contains TEXT.
        #[arg(long, value_name = "TEXT")]
        filter: Option<String>,
        /// Write each case's actual results into its case.toml (`not_evaluated` and the
        /// `[[violation]]` tables; the rest is kept), then run it.
        #[arg(long)]
        bless: bool,
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
        /// Catalogue edition: `2025-08` (Defender Experts for XDR) or `2026-07` (Defender
        /// Experts MDR) [default: `edition` of the configuration, else the newest].
        #[arg(long, value_name = "NAME")]
        edition: Option<String>,
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
        /// Catalogue edition: `2025-08` (Defender Experts for XDR) or `2026-07` (Defender
        /// Experts MDR) [default: `edition` of the configuration, else the newest].
        #[arg(long, value_name = "NAME")]
        edition: Option<String>,
    },
    /// Write a starter dexlint.toml, a custom policy and its test case into DIR.
    Init {
        /// Target directory [default: .]
        dir: Option<PathBuf>,
    },
    /// Show who and what Defender Experts covers: every user and device with its scoped-coverage
    /// state (in_scope, lost, out_of_scope, unknown), the reason and the file and line of the
    /// evidence; with --incident, whether an incident is in scope and how each of its assets is
    /// handled.
    Scope(ScopeArgs),
    /// Print the tenant model policies query: every collection, record type and field, with
    /// its type, the source keys it is read from and its values where they are a closed set.
    Schema {
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
    },
    /// Print a shell completion script.
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
    /// Print the manual pages (roff): `dexlint(1)` and one per subcommand.
    Man {
        /// Write each page to DIR as a file (`dexlint.1`, `dexlint-lint.1`...) instead of
        /// printing them one after the other.
        #[arg(long, value_name = "DIR")]
        out_dir: Option<PathBuf>,
    },
    /// Format policy files in place (or, with --check, list those that are not formatted).
    Fmt {
        /// Exit 1 when a file is not formatted, without changing it.
        #[arg(long)]
        check: bool,
        /// Policy files, and directories whose `.policy` files (at any depth) are formatted.
        #[arg(required = true, value_name = "PATH")]
        files: Vec<PathBuf>,
    },
    /// Compile policy files and report every error.
    Check {
        /// Policy files, and directories whose `.policy` files (at any depth) are compiled, all
        /// together with the built-in catalogue.
        #[arg(required = true, value_name = "PATH")]
        files: Vec<PathBuf>,
        /// Compile the files alone, without the built-in catalogue (whose ids they may then
        /// reuse).
        #[arg(long)]
        no_builtin: bool,
    },
}

/// What `dexlint lint --help` says after the options: the summary's counts and the exit codes.
const LINT_AFTER_HELP: &str = "\
The summary (human output):
  files read        JSON files under the export roots, failed ones included
  records loaded    users, groups, devices, SKUs, cloud accounts... built from them
                    (`summary.entities` in --format json)
  policies run      policies evaluated, fully or partly
  errors, warnings, info
                    violations reported, by severity (after waivers and the baseline)
  not evaluated     policies of which no rule could be judged: the export lacks their data
  failed to load    export files with an error (the rest is still linted)
The verdict compares the violations with the fail level: `not ready` (exit 1), `All checks
passed!` or `passed` with findings below the fail level (exit 0), `not checked` when files,
policies or the configuration could not be read (exit 2). With --write-baseline it is
`baseline written` and what the baseline accepts (exit 0).";

/// The arguments of `lint` and `hook`.
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
    /// Catalogue edition: `2025-08` (Defender Experts for XDR) or `2026-07` (Defender Experts
    /// MDR) [default: `edition` of the configuration, else the newest].
    #[arg(long, value_name = "NAME")]
    pub edition: Option<String>,
    /// Fail the run (exit 1) when a selected policy could not be evaluated on the export.
    #[arg(long)]
    pub fail_on_not_evaluated: bool,
    /// The export roots are parts of one tenant (e.g. Graph in one folder, Azure in another):
    /// load them into one model. Without it each root is a tenant, evaluated alone.
    #[arg(long)]
    pub one_tenant: bool,
    /// Directory of extra `.policy` files (repeatable).
    #[arg(long = "policies", value_name = "DIR")]
    pub policies: Vec<PathBuf>,
    /// Output format, `FORMAT` or `FORMAT=FILE`, repeatable for several outputs in one run
    /// (`--format human --format sarif=dexlint.sarif --format html=report.html`): human, json,
    /// sarif, junit, github, azure, markdown, html.
    #[arg(long, value_name = "FORMAT[=FILE]", default_value = "human")]
    pub format: Vec<Output>,
    /// Write the report to FILE instead of standard output (the one format given without a
    /// file).
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
    /// The run's date, `YYYY-MM-DD` (default: the current UTC date): what waivers expire
    /// against and policies' `today()` returns, for reproducible runs.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub today: Option<time::Date>,
}

/// A `YYYY-MM-DD` date for `--today`.
fn parse_date(text: &str) -> Result<time::Date, String> {
    let iso = time::format_description::well_known::Iso8601::DEFAULT;
    time::Date::parse(text, &iso).map_err(|e| format!("expected YYYY-MM-DD: {e}"))
}

/// Arguments of `dexlint scope`.
#[derive(Debug, Clone, clap::Args)]
pub struct ScopeArgs {
    /// Export directories (default: `exports` of the configuration); each is a tenant.
    #[arg(value_name = "EXPORT_DIR")]
    pub roots: Vec<PathBuf>,
    /// Configuration file (default: `dexlint.toml` in the working directory or a parent).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Output format (`human`, `json`, `csv`, `html`; an incident: `human` or `json`).
    #[arg(long, value_enum, default_value_t = ScopeFormat::Human)]
    pub format: ScopeFormat,
    /// Write to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// An incident: a Microsoft Graph security incident with its alerts
    /// (`GET /security/incidents/{id}?$expand=alerts`), a Defender `GET /api/incidents/{id}`
    /// response, or a text file with one device name or user principal name per line.
    #[arg(long, value_name = "FILE")]
    pub incident: Option<PathBuf>,
    /// Replace names, ids and user principal names by keyed hashes.
    #[arg(long)]
    pub redact: bool,
    /// The key of --redact (default: a random key per run).
    #[arg(
        long,
        value_name = "KEY",
        env = "DEXLINT_REDACT_KEY",
        hide_env_values = true
    )]
    pub redact_key: Option<String>,
}

/// The output formats of `dexlint scope --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScopeFormat {
    /// Counts, and the assets lost, unknown and in scope, for people.
    Human,
    /// One JSON document: `{"assets": [...], "summary": {...}}`.
    Json,
    /// One asset per line, with a header.
    Csv,
    /// One self-contained HTML page (no script or external resource; prints readably).
    Html,
}

/// The output formats of `dexlint list --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// A table for people.
    Human,
    /// One JSON document.
    Json,
}

/// The values of `--fail-level`: the lowest severity of violation that fails the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailLevel {
    /// Only error-severity violations fail the run.
    Error,
    /// Warnings and errors fail the run.
    Warning,
    /// Every violation fails the run.
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
