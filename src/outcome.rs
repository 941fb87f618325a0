//! What a run found: violations, not-evaluated rules, diagnostics and the summary. Every
//! report format, the baseline and redaction read these types and nothing of the pipeline
//! that produced them.

pub use crate::export::locate::SourceExcerpt;
pub use crate::export::DiagLevel;
pub use crate::policy::{PolicyMeta, Severity};
use serde::Serialize;
use std::collections::BTreeMap;

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
    pub source: Option<SourceExcerpt>,
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
    /// The export root (the tenant's roots, comma-separated) the entry is about.
    pub root: Option<String>,
    /// The rule not judged: its number in its policy, from 1; absent when no rule of the
    /// policy was.
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
            s.push_str(&format!(" rule {rule} (`{label}`)"));
        }
        if let Some(e) = &self.entity {
            s.push_str(&format!(" for `{e}`"));
        }
        s
    }
}

/// A problem reported beside the violations: a file that failed to load (or a warning or note
/// about one), a policy that failed to evaluate, an expired or unused waiver, a stale baseline
/// entry, a configuration error.
#[derive(Debug, Clone, Serialize)]
pub struct Diagnostic {
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
    /// Each tenant's own counts (one per export root, or one for roots merged with
    /// `one-tenant`), in the order the roots were given.
    pub tenants: Vec<TenantSummary>,
    /// The catalogue edition the run used (absent when the run stopped before choosing one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edition: Option<String>,
}

/// The counts of one tenant: its export roots, evaluated alone.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TenantSummary {
    /// The export roots that make up the tenant, as given.
    pub roots: Vec<String>,
    pub files_read: usize,
    pub entities: usize,
    pub policies_run: usize,
    pub violations: BTreeMap<Severity, usize>,
    pub not_evaluated: usize,
    pub partially_evaluated: usize,
    pub files_failed: usize,
    /// Not serialised per tenant: the top-level list holds every tenant's.
    #[serde(skip)]
    pub ran_on_incomplete_data: Vec<IncompleteRun>,
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
    pub errors: Vec<Diagnostic>,
    pub summary: Summary,
    /// Every policy of the run (evaluated or not), in id order, for formats that list rules.
    #[serde(skip)]
    pub policies: Vec<PolicyMeta>,
    /// The severity from which a violation fails the run, for formats that tell failures from
    /// other findings (JUnit); None: `error`.
    #[serde(skip)]
    pub fail_level: Option<Severity>,
    /// Whether a not-evaluated policy or rule fails the run (`--fail-on-not-evaluated`): the
    /// formats then show not-evaluated entries as failures, not notes.
    #[serde(skip)]
    pub fail_on_not_evaluated: bool,
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

/// `ROOT/FILE` as the user would type it, for output read by people.
pub fn joined_path(root: Option<&str>, file: &str) -> String {
    match root {
        Some(r) if r != "." => format!("{}/{}", r.trim_end_matches('/'), file),
        _ => file.to_string(),
    }
}
