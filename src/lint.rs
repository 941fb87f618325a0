//! `dexlint lint`: compile the policies, load the exports, evaluate, and collect a [`LintReport`]
//! that every output format renders.

use crate::baseline::Baseline;
use crate::builtin;
use crate::config::{Config, Date};
pub use crate::export::locate::SourceSpan;
use crate::export::{self, DiagLevel, LoadOptions};
use crate::model::Loc;
use crate::model::TenantModel;
use crate::policy::{self, Outcome, PolicyMeta, PolicySource, Severity};
use rayon::prelude::*;
use serde::Serialize;
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

/// One violation, located in its source file.
#[derive(Debug, Clone, Serialize)]
pub struct Violation {
    pub policy: String,
    pub severity: Severity,
    pub message: String,
    /// Path relative to the export root it was found under; None when the rule has no location.
    pub file: Option<String>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub end_line: Option<usize>,
    pub end_column: Option<usize>,
    /// RFC 6901 pointer into `file`.
    pub pointer: Option<String>,
    /// The export root as given on the command line.
    pub root: Option<String>,
    pub title: String,
    pub help: Option<String>,
    pub docs: Option<String>,
    /// Stable identity of the entity the violation is about (`groups/<id>`), for baselines.
    pub entity: Option<String>,
    /// The reason of the waiver that accepts this violation (only in `waived`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiver: Option<String>,
    #[serde(skip)]
    pub source: Option<SourceSpan>,
    /// Byte ranges of `message` that are values interpolated from the export (for `--redact`).
    #[serde(skip)]
    pub message_values: Vec<std::ops::Range<usize>>,
    /// Byte ranges of `help` that are values interpolated from the export.
    #[serde(skip)]
    pub help_values: Vec<std::ops::Range<usize>>,
}

/// A policy, or one rule of it, or one entity of a rule, that could not be judged on this
/// export.
#[derive(Debug, Clone, Serialize)]
pub struct NotEvaluated {
    pub policy: String,
    pub reason: String,
    /// The rule not judged (0-based index in its policy); absent when no rule of the policy
    /// was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<usize>,
    /// The rule's short label (`for u in users`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The record passed over (its id), when only that entity's data was incomplete.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity: Option<String>,
}

impl NotEvaluated {
    /// What was not judged, for people: `DEX102`, `DEX102 rule 1 (for u in users)`, with `for
    /// group 'g1'` when only one entity was.
    pub fn subject(&self) -> String {
        let mut s = self.policy.clone();
        if let (Some(rule), Some(label)) = (self.rule, &self.label) {
            s.push_str(&format!(" rule {} (`{label}`)", rule + 1));
        }
        if let Some(e) = &self.entity {
            s.push_str(&format!(" for `{e}`"));
        }
        s
    }
}

/// A file that failed to load, or a policy that failed to evaluate.
#[derive(Debug, Clone, Serialize)]
pub struct LintError {
    /// Path relative to its export root (or the policy file for evaluation errors).
    pub file: String,
    /// The export root as given on the command line.
    pub root: Option<String>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
    pub level: DiagLevel,
    #[serde(skip)]
    pub snippet: Option<String>,
}

/// Counts for the summary line.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub files_read: usize,
    pub entities: usize,
    pub policies_run: usize,
    pub violations: BTreeMap<Severity, usize>,
    /// Policies of which no rule could be judged.
    pub not_evaluated: usize,
    /// Policies of which some rules (or some entities of a rule) could not be judged.
    pub partially_evaluated: usize,
    /// Error-level diagnostics (load, evaluation, configuration).
    pub errors: usize,
    /// Export files with at least one error-level diagnostic.
    pub files_failed: usize,
    /// Policies that ran on a collection that lost data to a file that failed to load.
    pub ran_on_incomplete_data: Vec<IncompleteRun>,
    pub waived: usize,
    pub baselined: usize,
}

/// A policy that ran although a collection it reads lost a file to a load error.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IncompleteRun {
    pub policy: String,
    /// The collections it reads that are incomplete.
    pub collections: Vec<String>,
    /// The files that failed to load, relative to their export root.
    pub files: Vec<String>,
}

/// Everything a run found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LintReport {
    pub violations: Vec<Violation>,
    /// Violations accepted by a waiver of the configuration.
    pub waived: Vec<Violation>,
    pub not_evaluated: Vec<NotEvaluated>,
    pub errors: Vec<LintError>,
    pub summary: Summary,
    /// Every policy of the run (evaluated or not), in id order, for formats that list rules.
    #[serde(skip)]
    pub policies: Vec<PolicyMeta>,
    /// The severity from which a violation fails the run, for formats that tell failures from
    /// other findings (JUnit); None: `error`.
    #[serde(skip)]
    pub fail_level: Option<Severity>,
}

impl LintReport {
    /// The exit code: 2 on load errors, 1 on violations at or above `fail_level`, else 0.
    pub fn exit_code(&self, fail_level: Severity) -> i32 {
        self.gate_exit_code(fail_level, false)
    }

    /// The exit code of a gate: as [`LintReport::exit_code`], and with `fail_on_not_evaluated`
    /// also 1 when a selected policy (or one of its rules) was not evaluated.
    pub fn gate_exit_code(&self, fail_level: Severity, fail_on_not_evaluated: bool) -> i32 {
        if self.summary.errors > 0 {
            2
        } else if self.violations.iter().any(|v| v.severity >= fail_level)
            || (fail_on_not_evaluated && !self.not_evaluated.is_empty())
        {
            1
        } else {
            0
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

/// Runs the whole lint.
pub fn run(options: &LintOptions) -> Result<LintReport, SetupError> {
    let config = &options.config;
    let mut dirs = config.policy_dirs.clone();
    dirs.extend(options.policy_dirs.iter().cloned());
    let sources = policy_sources(options.builtin, &dirs)?;
    let nesting = config
        .max_policy_nesting
        .unwrap_or(policy::parse::MAX_NESTING);
    let program = policy::compile_nested(&sources, nesting)?;
    config.check_against(&program.policies.iter().collect::<Vec<_>>())?;
    let load = export::load(&options.roots, &options.load)?;
    let model = &load.model;
    let mut report = LintReport::default();
    for d in &load.diagnostics {
        report.errors.push(LintError {
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
                report.errors.push(LintError {
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
            report.errors.push(LintError {
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
        report.errors.push(LintError {
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

/// `ROOT/FILE` as the user would type it, for output read by people.
pub fn joined_path(root: Option<&str>, file: &str) -> String {
    match root {
        Some(r) if r != "." => format!("{}/{}", r.trim_end_matches('/'), file),
        _ => file.to_string(),
    }
}
