//! `dexlint lint`: load the configuration and baseline, run the lint, write the report and the
//! baseline, and turn the result into an exit code.

use super::{fail, fail_dyn, find_config, terminal_width, use_color, UsageError};
use crate::baseline::Baseline;
use crate::cli::LintArgs;
use crate::export::LoadOptions;
use crate::lint::{self, LintOptions};
use crate::policy::Severity;
use crate::report::{self, Format, Output, Style};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// What decides the exit code of a finished run.
struct Gate {
    fail_level: Severity,
    fail_on_not_evaluated: bool,
}

/// `dexlint lint`: writes the report in the chosen format and returns the exit code.
pub fn run(args: &LintArgs) -> i32 {
    let (mut report, gate) = match lint_run(args) {
        Ok(done) => done,
        Err(e) => {
            // The error is shown on standard error; the chosen format still gets one complete
            // document holding it, so an upload step reads the real error.
            let code = fail_dyn(&*e);
            if let Ok(outputs) = outputs(args) {
                let report = report::failure(&*e);
                let baselines = baseline_files(args);
                for (format, file) in outputs {
                    // Never over a baseline (the error may be that the report would be).
                    let over = file
                        .as_deref()
                        .is_some_and(|f| baselines.iter().any(|b| same_file(b, f)));
                    if (format != Format::Human || file.is_some()) && !over {
                        let _ = write_one(&report, format, file.as_deref());
                    }
                }
            }
            return code;
        }
    };
    report.fail_level = Some(gate.fail_level);
    report.fail_on_not_evaluated = gate.fail_on_not_evaluated;
    if let Err(e) = write_report(args, &report) {
        return fail(e);
    }
    let code = if args.write_baseline.is_some() && report.summary.errors == 0 {
        0
    } else {
        report.gate_exit_code(gate.fail_level, gate.fail_on_not_evaluated)
    };
    // Freeing thousands of violations takes a while once the report is written: another
    // thread does it, which the process does not wait for on its way out.
    crate::base::drop_elsewhere(report);
    code
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
    // A report written over the baseline it reads or writes would destroy it.
    let reports = outputs(args)?;
    for file in reports.iter().filter_map(|(_, f)| f.as_ref()) {
        if let Some(b) = [&baseline_path, &write_baseline]
            .into_iter()
            .flatten()
            .find(|b| same_file(b, file))
        {
            return Err(Box::new(UsageError {
                message: format!(
                    "the report would be written over the baseline `{}`",
                    b.display()
                ),
                help: Some("write the report to another file".into()),
            }));
        }
    }
    if write_baseline.is_some() && args.redact {
        return Err(Box::new(UsageError {
            message: "`--write-baseline` with `--redact`: the baseline would record redacted \
                      names and ids, which no run's violations match"
                .into(),
            help: Some("write the baseline without `--redact` (it stays on your side)".into()),
        }));
    }
    // A baseline being written records every violation, so none is hidden by the old one.
    let baseline = match (&write_baseline, &baseline_path) {
        (None, Some(path)) => Some(Baseline::read(path)?),
        _ => None,
    };
    let (roots, root_names) = super::roots_and_names(&args.roots, &config);
    if roots.is_empty() {
        return Err(Box::new(UsageError {
            message: "no export directory given".into(),
            help: Some("pass EXPORT_DIR or set `exports` in dexlint.toml".into()),
        }));
    }
    if let Some(e) = super::overlapping_root(&roots) {
        return Err(Box::new(e));
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
    let one_tenant = args.one_tenant || config.one_tenant;
    let options = LintOptions {
        one_tenant,
        roots,
        root_names,
        builtin: !args.no_builtin,
        policy_dirs: args.policies.clone(),
        load: LoadOptions {
            include,
            exclude,
            max_file_bytes: config.max_file_bytes,
            max_json_depth: config.max_json_depth,
            projection: None,
        },
        config,
        today: args.today,
        baseline,
        edition: args.edition.clone(),
        redact: match (args.redact, &args.redact_key) {
            (false, _) => None,
            (true, Some(k)) => Some(crate::redact::Key::from_secret(k)),
            (true, None) => Some(crate::redact::Key::random()?),
        },
    };
    let mut report = lint::run(&options)?;
    if let Some(path) = &write_baseline {
        let baseline = Baseline::of(&report.violations, &mut lint::root_keys(&options));
        create_parent(path)
            .and_then(|()| std::fs::write(path, baseline.to_json(path)))
            .map_err(|e| UsageError {
                message: format!("cannot write the baseline `{}`: {e}", path.display()),
                help: None,
            })?;
        let shown = crate::base::shown_path(path);
        eprintln!("wrote the baseline {shown}");
        report.baseline_written = Some(shown);
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
/// Where each output goes: `--format FORMAT=FILE` to its file, the one `--format` without a
/// file to `--output` or standard output.
fn outputs(args: &LintArgs) -> Result<Vec<(Format, Option<PathBuf>)>, UsageError> {
    let to_stream: Vec<String> = args
        .format
        .iter()
        .filter(|o| o.file.is_none())
        .map(|o| {
            clap::ValueEnum::to_possible_value(&o.format).map_or_else(
                || format!("{:?}", o.format),
                |v| format!("`{}`", v.get_name()),
            )
        })
        .collect();
    if to_stream.len() > 1 {
        return Err(UsageError {
            message: format!(
                "{} formats ({}) would be written to {}",
                to_stream.len(),
                to_stream.join(", "),
                if args.output.is_some() {
                    "`--output`"
                } else {
                    "standard output"
                }
            ),
            help: Some("give every format but one its file: `--format sarif=dexlint.sarif`".into()),
        });
    }
    if let (Some(output), true) = (&args.output, to_stream.is_empty()) {
        return Err(UsageError {
            message: format!(
                "`--output {}` would not be written: every `--format` names its own file",
                output.display()
            ),
            help: Some("drop `--output`, or a `=FILE` of one `--format`".into()),
        });
    }
    let all: Vec<(Format, Option<PathBuf>)> = args
        .format
        .iter()
        .map(|Output { format, file }| (*format, file.clone().or_else(|| args.output.clone())))
        .collect();
    let files: Vec<&PathBuf> = all.iter().filter_map(|(_, f)| f.as_ref()).collect();
    for (i, file) in files.iter().enumerate() {
        if files.iter().skip(i + 1).any(|f| same_file(f, file)) {
            return Err(UsageError {
                message: format!(
                    "two formats would be written to `{}`: the second would replace the first",
                    file.display()
                ),
                help: Some("give each format a file of its own".into()),
            });
        }
    }
    Ok(all)
}

/// The baseline files of a run: `--baseline`, `--write-baseline FILE`, and `baseline` of the
/// `dexlint.toml` it finds, when it can be read.
fn baseline_files(args: &LintArgs) -> Vec<PathBuf> {
    let config = find_config(args.config.as_deref()).ok();
    [
        args.baseline.clone(),
        args.write_baseline.clone().flatten(),
        config.and_then(|c| c.baseline),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Whether two paths name the same file however they are written (`o.json`, `./o.json`,
/// `sub/../o.json`, an absolute path): compared as [`crate::base::paths::root_key`] keys them.
fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    let key = |p: &std::path::Path| crate::base::paths::root_key(&p.to_string_lossy());
    key(a) == key(b)
}

/// Writes the report in every format asked for.
fn write_report(args: &LintArgs, report: &crate::outcome::LintReport) -> Result<(), UsageError> {
    for (format, file) in outputs(args)? {
        write_one(report, format, file.as_deref())?;
    }
    Ok(())
}

/// Writes the report in `format` to `file`, or to standard output (coloured for a terminal).
fn write_one(
    report: &crate::outcome::LintReport,
    format: Format,
    file: Option<&Path>,
) -> Result<(), UsageError> {
    let stdout = std::io::stdout();
    let to_terminal = file.is_none() && stdout.is_terminal();
    let style = Style {
        color: use_color(to_terminal),
        width: terminal_width(to_terminal),
    };
    match file {
        Some(path) => create_parent(path)
            .and_then(|()| std::fs::File::create(path))
            .and_then(|f| report::write(report, format, style, f))
            .map_err(|e| UsageError {
                message: format!("cannot write the report to `{}`: {e}", path.display()),
                help: None,
            }),
        None => report::write(report, format, style, stdout.lock()).map_err(|e| UsageError {
            message: format!("cannot write the report: {e}"),
            help: None,
        }),
    }
}
