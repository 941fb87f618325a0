//! `dexlint lint`: compile the policies, load the exports, evaluate, and collect a [`LintReport`]
//! that every output format renders.

use crate::baseline::Baseline;
use crate::builtin;
use crate::config::{Config, Date};
use crate::export::{self, DiagLevel, LoadOptions};
use crate::model::Loc;
use crate::model::TenantModel;
use crate::outcome::{joined_path, Diagnostic, IncompleteRun, LintReport, NotEvaluated, Violation};
use crate::policy::{self, Outcome, PolicyMeta, PolicySource};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// What to lint and how.
#[derive(Debug, Clone)]
pub struct LintOptions {
    pub roots: Vec<PathBuf>,
    /// How each root is reported (same order as `roots`; missing: the root's path as given).
    /// Roots from `dexlint.toml` are named relative to its directory.
    pub root_names: Vec<String>,
    /// Whether the built-in catalogue runs (besides `policy_dirs`).
    pub builtin: bool,
    /// Directories of extra `.policy` files, added to the built-in catalogue.
    pub policy_dirs: Vec<PathBuf>,
    pub load: LoadOptions,
    /// `dexlint.toml` settings: selection, severities, parameters, waivers.
    pub config: Config,
    /// The date waivers expire against.
    pub today: Option<Date>,
    /// Accepted violations: only new ones are reported.
    pub baseline: Option<Baseline>,
    /// Replace names and ids by stable hashes in everything reported.
    /// Replace names and ids by hashes under this key (see [`crate::redact`]).
    pub redact: Option<crate::redact::Key>,
}

impl Default for LintOptions {
    fn default() -> Self {
        LintOptions {
            roots: Vec::new(),
            root_names: Vec::new(),
            builtin: true,
            policy_dirs: Vec::new(),
            load: LoadOptions::default(),
            config: Config::default(),
            today: None,
            baseline: None,
            redact: None,
        }
    }
}

/// Errors that stop a run before any export is linted (exit 2).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum SetupError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Compile(#[from] policy::CompileErrors),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Load(#[from] export::LoadSetupError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Config(#[from] crate::config::ConfigErrors),
    #[error("no policy selected: {compiled} compiled, none of them runs")]
    #[diagnostic(
        code(dexlint::nothing_selected),
        help("a gate that runs no policy checks nothing: check `enable`/`disable` in dexlint.toml, `--no-builtin` and the `--policies` directories")
    )]
    NothingSelected { compiled: usize },
    #[error("cannot read policy directory `{path}`: {source}")]
    #[diagnostic(code(dexlint::policy_dir))]
    PolicyDir {
        path: String,
        source: std::io::Error,
    },
}

/// The built-in policies (when `builtin`) plus every `.policy` file of `dirs` (sorted by name).
/// A directory named twice (by the configuration and `--policies`, or by two spellings of one
/// path) is read once.
pub fn policy_sources(builtin: bool, dirs: &[PathBuf]) -> Result<Vec<PolicySource>, SetupError> {
    let mut sources = if builtin {
        builtin::sources()
    } else {
        Vec::new()
    };
    let mut seen: Vec<PathBuf> = Vec::new();
    for dir in dirs {
        let key = dir.canonicalize().unwrap_or_else(|_| dir.clone());
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        let io = |source| SetupError::PolicyDir {
            path: dir.display().to_string(),
            source,
        };
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(io)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "policy"))
            .collect();
        paths.sort();
        for path in paths {
            let text = std::fs::read_to_string(&path).map_err(io)?;
            sources.push(PolicySource {
                name: path.display().to_string(),
                text,
            });
        }
    }
    Ok(sources)
}

/// Reads and compiles the policies `options` name (the built-in catalogue unless disabled,
/// plus the policy directories of the configuration and of `options`), and checks the
/// configuration against them.
///
/// # Errors
/// A policy directory that cannot be read, a policy that does not compile, or configuration
/// that names unknown policies, parameters or tags.
pub fn compile(options: &LintOptions) -> Result<policy::Program, SetupError> {
    let config = &options.config;
    let mut dirs = config.policy_dirs.clone();
    dirs.extend(options.policy_dirs.iter().cloned());
    let sources = policy_sources(options.builtin, &dirs)?;
    let nesting = config
        .max_policy_nesting
        .unwrap_or(policy::parse::MAX_NESTING);
    let program = policy::compile_nested(&sources, nesting)?;
    config.check_against(&program.policies.iter().collect::<Vec<_>>())?;
    Ok(program)
}

/// Runs the whole lint: [`compile`], then [`run_compiled`].
///
/// # Errors
/// As [`compile`] and [`run_compiled`].
pub fn run(options: &LintOptions) -> Result<LintReport, SetupError> {
    run_compiled(options, &compile(options)?)
}

/// Loads the export roots of `options` and evaluates the compiled policies the configuration
/// selects over them.
///
/// # Errors
/// An export root that is not a directory, an invalid include/exclude glob, or a
/// configuration that selects no policy.
pub fn run_compiled(
    options: &LintOptions,
    program: &policy::Program,
) -> Result<LintReport, SetupError> {
    let config = &options.config;
    let load = export::load(&options.roots, &options.load)?;
    let model = &load.model;
    let mut report = LintReport::default();
    for d in &load.diagnostics {
        report.errors.push(Diagnostic {
            file: d.file.clone(),
            root: root_name(options, d.root),
            line: d.line,
            column: d.column,
            message: d.message.clone(),
            level: d.level,
            snippet: d.snippet.clone(),
        });
    }
    let mut locs: Vec<Option<Loc>> = Vec::new();
    let no_params = BTreeMap::new();
    let budget = config.eval_budget.unwrap_or(policy::eval::DEFAULT_BUDGET);
    // Policies are evaluated in parallel and their results taken in catalogue order.
    let selected: Vec<(PolicyMeta, &policy::CompiledPolicy)> = program
        .policies
        .iter()
        .filter(|p| config.runs(p.meta()))
        .map(|p| {
            let mut meta = p.meta().clone();
            if let Some(severity) = config.policies.get(&meta.id).and_then(|s| s.severity) {
                meta.severity = severity;
            }
            (meta, p)
        })
        .collect();
    if selected.is_empty() {
        return Err(SetupError::NothingSelected {
            compiled: program.policies.len(),
        });
    }
    let outcomes: Vec<_> = selected
        .par_iter()
        .map(|(meta, p)| {
            let params = config
                .policies
                .get(&meta.id)
                .map_or(&no_params, |s| &s.params);
            p.evaluate_with_budget(model, params, budget)
        })
        .collect();
    for ((meta, compiled), outcome) in selected.iter().zip(outcomes) {
        report.policies.push(meta.clone());
        if matches!(outcome, Ok(Outcome::Findings(_) | Outcome::Partial(..))) {
            let mut run = IncompleteRun {
                policy: meta.id.clone(),
                ..IncompleteRun::default()
            };
            for (name, _) in compiled.requirements() {
                let Some(c) = model.collection(name).filter(|c| !c.lost.is_empty()) else {
                    continue;
                };
                if !run.collections.iter().any(|x| x == name) {
                    run.collections.push(name.to_string());
                }
                for f in &c.lost {
                    if !run.files.contains(f) {
                        run.files.push(f.clone());
                    }
                }
            }
            if !run.collections.is_empty() {
                report.summary.ran_on_incomplete_data.push(run);
            }
        }
        let findings = match outcome {
            Ok(Outcome::Findings(findings)) => findings,
            Ok(Outcome::Partial(findings, skipped)) => {
                report.summary.partially_evaluated += 1;
                report
                    .not_evaluated
                    .extend(skipped.into_iter().map(|s| NotEvaluated {
                        policy: meta.id.clone(),
                        reason: s.reason,
                        rule: Some(s.rule),
                        label: Some(s.label),
                        entity: s.entity,
                    }));
                findings
            }
            Ok(Outcome::NotEvaluated(reason)) => {
                report.summary.not_evaluated += 1;
                report.not_evaluated.push(NotEvaluated {
                    policy: meta.id.clone(),
                    reason,
                    rule: None,
                    label: None,
                    entity: None,
                });
                continue;
            }
            Err(e) => {
                report.errors.push(Diagnostic {
                    file: meta.source.clone(),
                    root: None,
                    line: None,
                    column: None,
                    message: format!("{}: {e}", meta.id),
                    level: DiagLevel::Error,
                    snippet: None,
                });
                continue;
            }
        };
        report.summary.policies_run += 1;
        for finding in findings {
            let mut v = Violation {
                policy: meta.id.clone(),
                severity: meta.severity,
                message: finding.message,
                file: None,
                line: None,
                column: None,
                end_line: None,
                end_column: None,
                pointer: None,
                root: None,
                title: meta.title.clone(),
                help: finding.help,
                docs: meta.docs.clone(),
                entity: finding.entity,
                waiver: None,
                source: None,
                message_values: finding.message_values,
                help_values: finding.help_values,
            };
            if let Some(loc) = &finding.loc {
                if let Some(file) = model.files.get(loc.file() as usize) {
                    v.file = Some(file.path.clone());
                    v.root = root_name(options, file.root);
                }
            }
            locs.push(finding.loc);
            report.violations.push(v);
        }
    }
    // Positions, reading each file once for all the values pointed at in it.
    let wanted: Vec<(usize, &Loc)> = locs
        .iter()
        .enumerate()
        .filter_map(|(i, l)| l.as_ref().map(|l| (i, l)))
        .collect();
    let found =
        export::locate::locate_all(model, &wanted.iter().map(|(_, l)| *l).collect::<Vec<_>>());
    for ((i, _), at) in wanted.iter().zip(found) {
        let (Some(v), Some(at)) = (report.violations.get_mut(*i), at) else {
            continue;
        };
        v.pointer = Some(at.pointer);
        v.line = Some(at.line);
        v.column = Some(at.column);
        v.end_line = Some(at.end_line);
        v.end_column = Some(at.end_column);
        let mut source = at.source;
        source.name = joined_path(v.root.as_deref(), v.file.as_deref().unwrap_or(""));
        v.source = Some(source);
    }
    apply_waivers(
        &mut report,
        config,
        options.today.unwrap_or_else(Date::today),
    );
    if let Some(baseline) = &options.baseline {
        let (new, old, stale) = baseline.split_stale(std::mem::take(&mut report.violations));
        report.violations = new;
        report.summary.baselined = old.len();
        for e in stale {
            let what = e.entity.or(e.file).unwrap_or_default();
            report.errors.push(Diagnostic {
                file: baseline.path.clone().unwrap_or_default(),
                root: None,
                line: None,
                column: None,
                message: format!(
                    "stale baseline entry: `{}` `{what}` ({} not found); rewrite the baseline with `--write-baseline`",
                    e.policy, e.count
                ),
                level: DiagLevel::Warning,
                snippet: None,
            });
        }
    }
    for v in &report.violations {
        *report.summary.violations.entry(v.severity).or_default() += 1;
    }
    report.summary.waived = report.waived.len();
    if let Some(key) = &options.redact {
        crate::redact::report(model, &mut report, key);
    }
    report.summary.files_read = load.files_read;
    report.summary.entities = entity_count(model);
    report.summary.errors = report
        .errors
        .iter()
        .filter(|e| e.level == DiagLevel::Error)
        .count();
    let mut failed: Vec<(usize, &str)> = load
        .diagnostics
        .iter()
        .filter(|d| d.level == DiagLevel::Error && !d.file.is_empty())
        .map(|d| (d.root, d.file.as_str()))
        .collect();
    failed.sort_unstable();
    failed.dedup();
    report.summary.files_failed = failed.len();
    // Freeing a large model takes a while and nothing waits for it: it is done on another
    // thread while the report is written.
    std::thread::spawn(move || drop(load));
    Ok(report)
}

/// Moves violations covered by a live waiver to `waived`; reports expired and unused waivers.
fn apply_waivers(report: &mut LintReport, config: &Config, today: Date) {
    let mut used = vec![false; config.waivers.len()];
    let (mut kept, mut waived) = (Vec::new(), Vec::new());
    for mut v in std::mem::take(&mut report.violations) {
        let hit = config.waivers.iter().enumerate().find(|(_, w)| {
            !w.expired(today)
                && w.covers(
                    &v.policy,
                    v.file.as_deref(),
                    v.pointer.as_deref(),
                    v.entity.as_deref(),
                )
        });
        match hit {
            Some((i, w)) => {
                if let Some(u) = used.get_mut(i) {
                    *u = true;
                }
                v.waiver = Some(w.reason.clone());
                waived.push(v);
            }
            None => kept.push(v),
        }
    }
    report.violations = kept;
    report.waived = waived;
    let file = config
        .path
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    for (w, used) in config.waivers.iter().zip(used) {
        let message = match w.expires {
            Some(date) if w.expired(today) => format!(
                "waiver for `{}` expired on {date} and no longer applies",
                w.policy
            ),
            _ if !used => format!("waiver for `{}` matches no violation", w.policy),
            _ => continue,
        };
        let (line, column) = config.line_col(w.span.start);
        report.errors.push(Diagnostic {
            file: file.clone(),
            root: None,
            line: Some(line),
            column: Some(column),
            message,
            level: DiagLevel::Warning,
            snippet: None,
        });
    }
}

fn entity_count(model: &TenantModel) -> usize {
    model.collections.iter().map(|c| c.records.len()).sum()
}

fn root_name(options: &LintOptions, root: usize) -> Option<String> {
    options
        .root_names
        .get(root)
        .cloned()
        .or_else(|| options.roots.get(root).map(|r| r.display().to_string()))
}
