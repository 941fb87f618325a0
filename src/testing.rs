//! `dexlint test`: policy unit tests. A test case is a directory holding `case.toml` (the
//! expectations) and `export/` (a small fixture export):
//!
//! ```toml
//! policies = ["DEX001"]              # the policies this case checks (default: every policy)
//! not_evaluated = ["DEX204"]         # policies expected to be "not evaluated" (of `policies`)
//! edition = "2025-08"                # the catalogue edition (default: `--edition`, else the newest)
//!
//! [[violation]]
//! policy = "DEX001"
//! file = "mde/devicegroups.json"     # optional: file, pointer, entity, severity, line, column
//! pointer = "/items/0/Name"
//! count = 1                          # optional, default 1
//! ```
//!
//! Every actual violation of the checked policies must match one expectation (every field the
//! expectation gives is equal) and every expectation must be met exactly `count` times.
//! Cases are found under `DIR/tests/` (any depth); the policies under test are the built-in
//! catalogue (unless `--no-builtin`) plus the `.policy` files of DIR.

use crate::config::Config;
use crate::export::DiagLevel;
use crate::lint::{self, LintOptions};
use crate::outcome::Violation;
use serde::Deserialize;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// File name of a test case's expectations.
pub const CASE_FILE: &str = "case.toml";

/// One `[[violation]]` of `case.toml`: the violations it expects. Each field given must equal
/// the violation's; fields left out match anything.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Expected {
    /// Id of the policy (`DEX001`).
    pub policy: String,
    /// `error`, `warning` or `info`.
    pub severity: Option<String>,
    /// The file, relative to the case's `export/`, `/`-separated.
    pub file: Option<String>,
    /// RFC 6901 pointer to the offending value in `file`.
    pub pointer: Option<String>,
    /// The violation's entity (`groups/<id>`).
    pub entity: Option<String>,
    /// Line of the value's start (1-based).
    pub line: Option<usize>,
    /// Column of the value's start (1-based, counting characters).
    pub column: Option<usize>,
    /// How many violations it matches exactly (default 1; 0 expects none).
    pub count: Option<usize>,
}

/// A test case's `case.toml`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// `policies`: the ids of the policies the case checks; empty: every policy.
    #[serde(default)]
    pub policies: Vec<String>,
    /// `not_evaluated`: the checked policies expected to have no rule judged (policies only
    /// partly evaluated do not count).
    #[serde(default)]
    pub not_evaluated: Vec<String>,
    /// The `[[violation]]` tables, matched in order: each takes the first violations it
    /// matches.
    #[serde(default, rename = "violation")]
    pub violations: Vec<Expected>,
    /// The catalogue edition the case runs under.
    pub edition: Option<String>,
}

impl Expected {
    fn matches(&self, v: &Violation) -> bool {
        fn eq<T: PartialEq>(want: &Option<T>, got: Option<T>) -> bool {
            want.as_ref().is_none_or(|w| Some(w) == got.as_ref())
        }
        self.policy == v.policy
            && eq(&self.severity, Some(v.severity.to_string()))
            && eq(&self.file, v.file.clone())
            && eq(&self.pointer, v.pointer.clone())
            && eq(&self.entity, v.entity.clone())
            && eq(&self.line, v.line)
            && eq(&self.column, v.column)
    }

    fn describe(&self) -> String {
        let mut s = self.policy.clone();
        for (k, v) in [
            ("severity", self.severity.clone()),
            ("file", self.file.clone()),
            ("pointer", self.pointer.clone()),
            ("entity", self.entity.clone()),
            ("line", self.line.map(|l| l.to_string())),
            ("column", self.column.map(|c| c.to_string())),
        ] {
            if let Some(v) = v {
                let _ = write!(s, " {k}={v}");
            }
        }
        s
    }
}

fn describe_actual(v: &Violation) -> String {
    format!(
        "{} severity={} file={} pointer={} entity={} line={} column={}",
        v.policy,
        v.severity,
        v.file.as_deref().unwrap_or("-"),
        v.pointer.as_deref().unwrap_or("-"),
        v.entity.as_deref().unwrap_or("-"),
        v.line.map_or("-".into(), |l| l.to_string()),
        v.column.map_or("-".into(), |c| c.to_string()),
    )
}

/// The outcome of one case.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The case's directory, as found.
    pub name: String,
    /// Empty when the case passed; otherwise a diff (`-` expected, `+` actual) and errors.
    pub diff: Vec<String>,
}

/// Every case directory under `dir/tests`, sorted.
pub fn find_cases(dir: &Path) -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = walkdir::WalkDir::new(dir.join("tests"))
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_name() == CASE_FILE)
        .filter_map(|e| e.path().parent().map(Path::to_path_buf))
        .collect();
    cases.dedup();
    cases
}

/// Runs one case with compiled policies (`policy_set`, from [`lint::compile`]) under the case's
/// edition, else `edition`, else the newest.
pub fn run_case(
    case_dir: &Path,
    policy_set: &crate::policy::PolicySet,
    edition: Option<&str>,
) -> Outcome {
    let name = case_dir.display().to_string();
    let mut diff = Vec::new();
    let case: Case = match std::fs::read_to_string(case_dir.join(CASE_FILE))
        .map_err(|e| e.to_string())
        .and_then(|t| toml::from_str(&t).map_err(|e| e.to_string()))
    {
        Ok(c) => c,
        Err(e) => {
            diff.push(format!("! cannot read {CASE_FILE}: {e}"));
            return Outcome { name, diff };
        }
    };
    let options = LintOptions {
        roots: vec![case_dir.join("export")],
        config: Config::default(),
        edition: case.edition.clone().or(edition.map(str::to_string)),
        ..LintOptions::default()
    };
    let report = match lint::run_compiled(&options, policy_set) {
        Ok(r) => r,
        Err(e) => {
            diff.push(format!("! {e}"));
            return Outcome { name, diff };
        }
    };
    let checked = |id: &str| case.policies.is_empty() || case.policies.iter().any(|p| p == id);
    for e in report.errors.iter().filter(|e| e.level == DiagLevel::Error) {
        diff.push(format!("! {}: {}", e.file, e.message));
    }
    let mut actual: Vec<Option<&Violation>> = report
        .violations
        .iter()
        .filter(|v| checked(&v.policy))
        .map(Some)
        .collect();
    for want in &case.violations {
        let count = want.count.unwrap_or(1);
        let mut found = 0;
        for slot in actual.iter_mut() {
            if found < count && slot.is_some_and(|v| want.matches(v)) {
                *slot = None;
                found += 1;
            }
        }
        for _ in found..count {
            diff.push(format!("- {}", want.describe()));
        }
    }
    diff.extend(
        actual
            .into_iter()
            .flatten()
            .map(|v| format!("+ {}", describe_actual(v))),
    );
    // Whole policies only: a case names the policies of which no rule could be judged.
    let mut got_ne: Vec<&str> = report
        .not_evaluated
        .iter()
        .filter(|n| n.rule.is_none())
        .map(|n| n.policy.as_str())
        .filter(|p| checked(p))
        .collect();
    got_ne.sort_unstable();
    let mut want_ne: Vec<&str> = case.not_evaluated.iter().map(String::as_str).collect();
    want_ne.sort_unstable();
    for p in &want_ne {
        if !got_ne.contains(p) {
            diff.push(format!("- not evaluated {p}"));
        }
    }
    for p in &got_ne {
        if !want_ne.contains(p) {
            let reason = report
                .not_evaluated
                .iter()
                .find(|n| n.policy == *p && n.rule.is_none())
                .map_or("", |n| n.reason.as_str());
            diff.push(format!("+ not evaluated {p} ({reason})"));
        }
    }
    Outcome { name, diff }
}

/// `dexlint test [DIR...]`: compiles the policies of `dirs` (plus the built-in ones when
/// `builtin`) once, runs every case under each `DIR/tests`, prints each, a diff on failure, and
/// the summary line `N passed, N failed`. Returns the exit code (1 on any failure, 2 when the
/// policies do not compile or no case is found); compile errors are written once to `errors`.
pub fn test_command(
    dirs: &[PathBuf],
    builtin: bool,
    edition: Option<&str>,
    out: &mut String,
    errors: &mut String,
) -> i32 {
    let cases: Vec<PathBuf> = dirs.iter().flat_map(|d| find_cases(d)).collect();
    if cases.is_empty() {
        let places: Vec<String> = dirs
            .iter()
            .map(|d| format!("`{}`", d.join("tests").display()))
            .collect();
        let _ = writeln!(out, "no test cases under {}", places.join(", "));
        return 2;
    }
    let options = LintOptions {
        policy_dirs: dirs.to_vec(),
        builtin,
        ..LintOptions::default()
    };
    let policy_set = match lint::compile(&options) {
        Ok(p) => p,
        Err(lint::SetupError::Compile(e)) => {
            errors.push_str(&crate::policy::render_errors(&e, false, 100));
            let n = e.errors().len();
            let _ = writeln!(
                errors,
                "{n} error{} in the policies",
                if n == 1 { "" } else { "s" }
            );
            return 2;
        }
        Err(e) => {
            let _ = writeln!(errors, "error: {e}");
            return 2;
        }
    };
    let (mut passed, mut failed) = (0, 0);
    for case in &cases {
        let outcome = run_case(case, &policy_set, edition);
        if outcome.diff.is_empty() {
            passed += 1;
            let _ = writeln!(out, "ok     {}", outcome.name);
        } else {
            failed += 1;
            let _ = writeln!(out, "FAILED {}", outcome.name);
            for line in &outcome.diff {
                let _ = writeln!(out, "    {line}");
            }
        }
    }
    let _ = writeln!(out, "{passed} passed, {failed} failed");
    i32::from(failed > 0)
}
