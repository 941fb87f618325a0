//! What a run found: violations, not-evaluated rules, diagnostics and the summary. Every
//! report format, the baseline and redaction read these types and nothing of the pipeline
//! that produced them.

pub use crate::coverage::{
    several_roots, Asset, CoverageReport, CoverageState, CoverageSummary, Handling, IncidentAsset,
    IncidentReport,
};
pub use crate::export::locate::SourceExcerpt;
pub use crate::export::DiagLevel;
pub use crate::policy::{PolicyMeta, Severity};
use serde::Serialize;
use std::collections::BTreeMap;

/// A related location of a violation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RelatedLocation {
    /// Path relative to the export root.
    pub file: String,
    /// The export root as given on the command line.
    pub root: Option<String>,
    /// Line of the value's start (1-based).
    pub line: usize,
    /// Column of the value's start (1-based, counting characters).
    pub column: usize,
    /// RFC 6901 pointer into `file`.
    pub pointer: String,
}

/// One violation, located in its source file.
#[derive(Debug, Clone, Serialize)]
pub struct Violation {
    /// Id of the policy that found it (`DEX001`).
    pub policy: String,
    /// The policy's severity, after any override of `dexlint.toml`.
    pub severity: Severity,
    /// What is wrong, as the rule's message renders it for this entity.
    pub message: String,
    /// Path relative to the export root it was found under; None when the rule has no location.
    pub file: Option<String>,
    /// Line of the start of the offending value in `file` (1-based); None without a location.
    pub line: Option<usize>,
    /// Column of the start of the value (1-based, counting characters, not bytes).
    pub column: Option<usize>,
    /// Line of the end of the value (1-based).
    pub end_line: Option<usize>,
    /// Column just after the value's last character (1-based, in characters): the end is
    /// exclusive.
    pub end_column: Option<usize>,
    /// RFC 6901 pointer into `file`.
    pub pointer: Option<String>,
    /// The export root as given on the command line.
    pub root: Option<String>,
    /// The policy's title (its `title` in the policy file).
    pub title: String,
    /// The rule's `label`: the few words shown under the offending value instead of
    /// `message` (policy text only, never export values; not in `--format json`).
    #[serde(skip)]
    pub label: Option<String>,
    /// How to fix it, as the rule's `help` renders it for this entity; None when the rule has none.
    pub help: Option<String>,
    /// The policy's documentation URL (its `docs`), if it has one.
    pub docs: Option<String>,
    /// Stable identity of the entity the violation is about (`groups/<id>`), for baselines.
    pub entity: Option<String>,
    /// Related locations: where the evidence against the value is (a declaration's claim
    /// against the export's data); absent from JSON when there is none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<RelatedLocation>,
    /// The reason of the waiver that accepts this violation (only in `waived`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiver: Option<String>,
    /// The lines of `file` around the value, for the human format (not in `--format json`).
    #[serde(skip)]
    pub source: Option<SourceExcerpt>,
    /// Index of the rule of its policy that found it (0-based; not in `--format json`).
    #[serde(skip)]
    pub rule: usize,
    /// For a violation without a location (`file` None): the document the rule read (the
    /// first to provide the first collection it reads), relative to `root`, where a format that
    /// needs a location (SARIF) places it; not in `--format json`.
    #[serde(skip)]
    pub document: Option<String>,
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
    /// Id of the policy (`DEX102`).
    pub policy: String,
    /// Why it could not be judged (a collection or field the export lacks, for instance).
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
    /// The record passed over (`collection/id`, as a violation's entity begins), when only
    /// that entity's data was incomplete.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity: Option<String>,
}

impl NotEvaluated {
    /// What was not judged, for people: `DEX102`, `DEX102 rule 1 (for u in users)`, with `for
    /// `groups/g1`` when only one entity was.
    pub fn subject(&self) -> String {
        self.subject_in(false)
    }

    /// [`NotEvaluated::subject`], naming the export root when `several` tenants were linted
    /// (the same policy may be judged on one and not on the other).
    pub fn subject_in(&self, several: bool) -> String {
        let mut s = self.policy.clone();
        if let (true, Some(root)) = (several, &self.root) {
            s.push_str(&format!(" in `{root}`"));
        }
        if let (Some(rule), Some(label)) = (self.rule, &self.label) {
            s.push_str(&format!(" rule {rule} (`{label}`)"));
        }
        if let Some(e) = &self.entity {
            s.push_str(&format!(" for `{e}`"));
        }
        s
    }
}

impl Violation {
    /// The message, followed by where the evidence against the value is, when there is some
    /// (`...; evidence at mde/deviceavinfo.json:10:17`): for formats that show one text per
    /// violation and no related locations (GitHub, Azure, Markdown, JUnit).
    pub fn message_with_evidence(&self) -> String {
        if self.related.is_empty() {
            return self.message.clone();
        }
        let at: Vec<String> = self
            .related
            .iter()
            .map(|r| {
                format!(
                    "{}:{}:{}",
                    joined_path(r.root.as_deref(), &r.file),
                    r.line,
                    r.column
                )
            })
            .collect();
        format!("{}; evidence at {}", self.message, at.join(", "))
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
    /// Line of the problem in `file` (1-based); None when it is about the whole file.
    pub line: Option<usize>,
    /// Column of the problem (1-based, counting characters); None with `line`.
    pub column: Option<usize>,
    /// What is wrong, and often how to fix it.
    pub message: String,
    /// `"error"`, `"warning"` or `"note"`; only errors make the exit code 2.
    pub level: DiagLevel,
    /// The offending line of the file (at most 200 characters), for the human format (not in
    /// `--format json`).
    #[serde(skip)]
    pub snippet: Option<String>,
}

/// Counts for the summary line.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    /// JSON files read, over every export root (failed ones included).
    pub files_read: usize,
    /// Records loaded, over every collection and tenant.
    pub entities: usize,
    /// Policies evaluated (fully or partly), summed over the tenants.
    pub policies_run: usize,
    /// Violations reported (neither waived nor baselined), by severity (`error`, `warning`,
    /// `info`), each there, 0 when none.
    #[serde(serialize_with = "every_severity")]
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
    /// Violations accepted by a waiver (the length of the report's `waived`).
    pub waived: usize,
    /// Violations left out because the baseline accepts them.
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
    /// JSON files read under the tenant's roots.
    pub files_read: usize,
    /// Records loaded into the tenant's model.
    pub entities: usize,
    /// Policies evaluated (fully or partly) on this tenant.
    pub policies_run: usize,
    /// The tenant's reported violations, by severity (after waivers and the baseline), each
    /// severity there, 0 when none.
    #[serde(serialize_with = "every_severity")]
    pub violations: BTreeMap<Severity, usize>,
    /// Policies of which no rule could be judged on this tenant.
    pub not_evaluated: usize,
    /// Policies of which some rules (or entities) could not be judged on this tenant.
    pub partially_evaluated: usize,
    /// The tenant's export files with at least one error-level diagnostic.
    pub files_failed: usize,
    /// Not serialised per tenant: the top-level list holds every tenant's.
    #[serde(skip)]
    pub ran_on_incomplete_data: Vec<IncompleteRun>,
    /// Each Defender product's deployment state as dexlint derived it (the `products`
    /// collection); empty when the export shows nothing of any product.
    pub products: Vec<ProductState>,
    /// Users and devices by scoped-coverage state (what `dexlint scope` lists one by one).
    pub coverage: CoverageSummary,
}

/// One Defender product's deployment state and the evidence it rests on (see
/// `export::products`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct ProductState {
    /// The deployment declaration's key: `mde`, `mdo`, `mdi`, `mdca`, `entra_p2`, `mdiot`.
    pub name: String,
    /// The product's name (`Defender for Endpoint`).
    pub title: String,
    /// The mode policies judge: `active`, `passive`, `not_deployed`, or `unknown` when nothing
    /// tells.
    pub mode: String,
    /// The mode the export's data shows, if it shows one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observed: Option<String>,
    /// The mode the deployment declaration gives, if it names the product.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub declared: Option<String>,
    /// Whether the licences license it; absent without licence data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub licensed: Option<bool>,
    /// Why `mode` is what it is, in words.
    pub evidence: String,
    /// The file of the value `mode` rests on, relative to its export root.
    pub file: Option<String>,
    /// Line of that value (1-based).
    pub line: Option<usize>,
    /// Column of that value (1-based, in characters).
    pub column: Option<usize>,
    /// RFC 6901 pointer to that value in `file`.
    pub pointer: Option<String>,
}

/// A policy that ran although a collection it reads lost a file to a load error.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IncompleteRun {
    /// Id of the policy.
    pub policy: String,
    /// The collections it reads that are incomplete.
    pub collections: Vec<String>,
    /// The files that failed to load, relative to their export root.
    pub files: Vec<String>,
}

impl IncompleteRun {
    /// What it is, in words: `DEX103 ran on incomplete data: users (graph/users.json failed to
    /// load)`.
    pub fn text(&self) -> String {
        format!(
            "{} ran on incomplete data: {} ({} failed to load)",
            self.policy,
            self.collections.join(", "),
            self.files.join(", ")
        )
    }
}

/// Everything a run found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LintReport {
    /// Violations reported: neither waived nor accepted by the baseline.
    pub violations: Vec<Violation>,
    /// Violations accepted by a waiver of the configuration.
    pub waived: Vec<Violation>,
    /// Violations the baseline accepts (counted in `summary.baselined`; listed only where a
    /// format tells accepted results from new ones: SARIF).
    #[serde(skip)]
    pub baselined: Vec<Violation>,
    /// Policies, rules and entities that could not be judged on the export.
    pub not_evaluated: Vec<NotEvaluated>,
    /// Every diagnostic, whatever its level (`errors` in `--format json` holds warnings and
    /// notes too).
    pub errors: Vec<Diagnostic>,
    /// The counts of the summary line, in total and per tenant.
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
    /// The path of each export root, by the name the report gives it (an `exports` entry of
    /// `dexlint.toml` is named as written there, relative to that file): where a format that
    /// places files on disk (SARIF) finds them.
    #[serde(skip)]
    pub root_paths: std::collections::BTreeMap<String, std::path::PathBuf>,
    /// The baseline file the run compared its violations with (`--baseline`), as output shows
    /// it.
    #[serde(skip)]
    pub baseline_read: Option<String>,
    /// The baseline file the run wrote (`--write-baseline`), as output shows it: it records
    /// every violation reported, and the run passes unless files or policies failed.
    #[serde(skip)]
    pub baseline_written: Option<String>,
}

impl LintReport {
    /// Whether the run linted several tenants: what a not-evaluated entry is about then
    /// names its export root ([`NotEvaluated::subject_in`]).
    pub fn several_tenants(&self) -> bool {
        self.summary.tenants.len() > 1
    }

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

pub use crate::base::joined_path;

/// Writes counts by severity with every severity, 0 for those without violations (also when a
/// run stops before evaluating): `summary.violations.error` is always there to read.
fn every_severity<S: serde::Serializer>(
    counts: &BTreeMap<Severity, usize>,
    out: S,
) -> Result<S::Ok, S::Error> {
    let mut all: BTreeMap<Severity, usize> = [Severity::Info, Severity::Warning, Severity::Error]
        .into_iter()
        .map(|s| (s, 0))
        .collect();
    all.extend(counts.iter().map(|(s, n)| (*s, *n)));
    serde::Serialize::serialize(&all, out)
}
