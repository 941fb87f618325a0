//! `dexlint lint`: compile the policies, load the exports, evaluate, and collect a [`LintReport`]
//! that every output format renders.

use crate::builtin;
use crate::export::{self, DiagLevel, LoadOptions, Locator};
use crate::model::TenantModel;
use crate::policy::{self, PolicyMeta, PolicySource, Severity};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// What to lint and how.
#[derive(Debug, Clone, Default)]
pub struct LintOptions {
    pub roots: Vec<PathBuf>,
    /// Directories of extra `.policy` files, added to the built-in catalogue.
    pub policy_dirs: Vec<PathBuf>,
    pub load: LoadOptions,
    /// Parameter overrides, by policy id then parameter name.
    pub params: BTreeMap<String, BTreeMap<String, serde_json::Value>>,
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
    #[serde(skip)]
    pub source: Option<SourceSpan>,
}

/// The text of the file a violation points at, and the byte range of the value.
#[derive(Debug, Clone)]
pub struct SourceSpan {
    pub name: String,
    pub text: Arc<str>,
    pub start: usize,
    pub end: usize,
}

/// A policy that could not be judged on this export.
#[derive(Debug, Clone, Serialize)]
pub struct NotEvaluated {
    pub policy: String,
    pub reason: String,
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
    pub level: &'static str,
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
    pub not_evaluated: usize,
    pub errors: usize,
}

/// Everything a run found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LintReport {
    pub violations: Vec<Violation>,
    pub not_evaluated: Vec<NotEvaluated>,
    pub errors: Vec<LintError>,
    pub summary: Summary,
    /// Every policy of the run (evaluated or not), in id order, for formats that list rules.
    #[serde(skip)]
    pub policies: Vec<PolicyMeta>,
}

impl LintReport {
    /// The exit code: 2 on load errors, 1 on violations at or above `fail_level`, else 0.
    pub fn exit_code(&self, fail_level: Severity) -> i32 {
        if self.summary.errors > 0 {
            2
        } else if self.violations.iter().any(|v| v.severity >= fail_level) {
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
    #[error("cannot read policy directory `{path}`: {source}")]
    #[diagnostic(code(dexlint::policy_dir))]
    PolicyDir {
        path: String,
        source: std::io::Error,
    },
}

/// The built-in policies plus every `.policy` file of `dirs` (sorted by name).
pub fn policy_sources(dirs: &[PathBuf]) -> Result<Vec<PolicySource>, SetupError> {
    let mut sources = builtin::sources();
    for dir in dirs {
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
    let program = policy::compile(&policy_sources(&options.policy_dirs)?)?;
    let load = export::load(&options.roots, &options.load)?;
    let model = &load.model;
    let mut report = LintReport::default();
    for d in &load.diagnostics {
        report.errors.push(LintError {
            file: d.file.clone(),
            root: root_name(&options.roots, d.root),
            line: d.line,
            column: d.column,
            message: d.message.clone(),
            level: match d.level {
                DiagLevel::Error => "error",
                DiagLevel::Warning => "warning",
                DiagLevel::Note => "note",
            },
            snippet: d.snippet.clone(),
        });
    }
    let mut locator = Locator::new(model);
    let no_params = BTreeMap::new();
    for policy in &program.policies {
        let meta = policy.meta();
        report.policies.push(meta.clone());
        if let Some(reason) = model.missing(&policy.requirements()) {
            report.not_evaluated.push(NotEvaluated {
                policy: meta.id.clone(),
                reason,
            });
            continue;
        }
        report.summary.policies_run += 1;
        let params = options.params.get(&meta.id).unwrap_or(&no_params);
        let findings = match policy.evaluate(model, params) {
            Ok(findings) => findings,
            Err(e) => {
                report.errors.push(LintError {
                    file: meta.source.clone(),
                    root: None,
                    line: None,
                    column: None,
                    message: format!("{}: {e}", meta.id),
                    level: "error",
                    snippet: None,
                });
                continue;
            }
        };
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
                source: None,
            };
            if let Some(loc) = &finding.loc {
                if let Some(file) = model.files.get(loc.file as usize) {
                    v.file = Some(file.path.clone());
                    v.root = root_name(&options.roots, file.root);
                    v.pointer = Some(loc.pointer.clone());
                    if let Some(at) = locator.locate(loc) {
                        v.line = Some(at.line);
                        v.column = Some(at.column);
                        v.end_line = Some(at.end_line);
                        v.end_column = Some(at.end_column);
                        v.source = Some(SourceSpan {
                            name: joined_path(v.root.as_deref(), &file.path),
                            text: at.text.clone(),
                            start: at.start,
                            end: at.end,
                        });
                    }
                }
            }
            *report.summary.violations.entry(v.severity).or_default() += 1;
            report.violations.push(v);
        }
    }
    report.summary.files_read = load.files_read;
    report.summary.entities = entity_count(model);
    report.summary.not_evaluated = report.not_evaluated.len();
    report.summary.errors = report.errors.iter().filter(|e| e.level == "error").count();
    Ok(report)
}

fn entity_count(model: &TenantModel) -> usize {
    model.collections.iter().map(|c| c.records.len()).sum()
}

fn root_name(roots: &[PathBuf], root: usize) -> Option<String> {
    roots.get(root).map(|r| r.display().to_string())
}

/// `ROOT/FILE` as the user would type it, for output read by people.
pub fn joined_path(root: Option<&str>, file: &str) -> String {
    match root {
        Some(r) if r != "." => format!("{}/{}", r.trim_end_matches('/'), file),
        _ => file.to_string(),
    }
}
