//! `dexlint test`: policy unit tests. A test case is a directory holding `case.toml` (the
//! expectations) and `export/` (a small fixture export); the format is documented in
//! docs/testing.md:
//!
//! ```toml
//! policies = ["DEX001"]              # the policies this case checks (default: every policy)
//! not_evaluated = ["DEX204"]         # policies expected to be "not evaluated" (of `policies`)
//! edition = "2025-08"                # the catalogue edition (default: `--edition`, else the newest)
//!
//! [policy.DEX105]                    # settings as in dexlint.toml: `params`, `severity`
//! params = { e5_skus = ["SPE_E5"] }
//!
//! [[violation]]
//! policy = "DEX001"
//! file = "mde/devicegroups.json"     # optional: file, pointer, entity, severity, line, column
//! pointer = "/items/0/Name"
//! message = "looks like a renamed"   # optional: a part of the message
//! count = 1                          # optional, default 1
//!
//! [[not_evaluated_entity]]          # an entity a checked policy could not judge, or a rule
//! policy = "DEX102"
//! rule = 1                           # optional: rule, entity, reason (a part), count
//! entity = "users/87d349ed-44d7-43e1-9a83-5f2406dee5bd"
//! ```
//!
//! Every actual violation of the checked policies must match one expectation (every field the
//! expectation gives is equal; `message` is contained) and every expectation must be met
//! exactly `count` times; so must the entities the checked policies could not judge, and their
//! rules not evaluated as a whole (the rest of the policy judged), against the
//! `[[not_evaluated_entity]]` tables. A case must be able to fail: a policy id that no policy has, a case
//! that expects nothing and checks no policy, and a missing or empty `export/` are errors.
//! Cases are found under `DIR/tests/` (any depth); the policies under test are the built-in
//! catalogue (unless `--no-builtin`) plus the `.policy` files of DIR (at any depth).

mod bless;

use crate::base::suggest::did_you_mean;
use crate::config::{Config, ConfigErrors};
use crate::export::DiagLevel;
use crate::lint::{self, LintOptions};
use crate::outcome::{LintReport, NotEvaluated, Violation};
use crate::policy::PolicySet;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// File name of a test case's expectations.
pub const CASE_FILE: &str = "case.toml";

/// Directory of a test case's export, beside [`CASE_FILE`].
pub const EXPORT_DIR: &str = "export";

/// One `[[violation]]` of `case.toml`: the violations it expects. Each field given must equal
/// the violation's (`message`: be contained in it); fields left out match anything.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq, Default)]
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
    /// A part of the message (the whole message, or any substring of it).
    pub message: Option<String>,
    /// How many violations it matches exactly (default 1; 0 expects none).
    pub count: Option<usize>,
}

/// One `[[not_evaluated_entity]]` of `case.toml`: an entity that a rule of a policy could not
/// judge while it judged the others (a user whose `accountEnabled` is `null`), as `dexlint
/// lint` lists it under "not evaluated". Each field given must equal the entry's (`reason`: be
/// contained in it); fields left out match anything.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq, Default)]
#[serde(deny_unknown_fields)]
pub struct ExpectedEntity {
    /// Id of the policy (`DEX102`).
    pub policy: String,
    /// The rule that could not judge it: its number in its policy, from 1.
    pub rule: Option<usize>,
    /// The record passed over (`users/<id>`).
    pub entity: Option<String>,
    /// A part of the reason (the whole reason, or any substring of it).
    pub reason: Option<String>,
    /// How many entries it matches exactly (default 1; 0 expects none).
    pub count: Option<usize>,
}

impl ExpectedEntity {
    fn matches(&self, n: &NotEvaluated) -> bool {
        self.policy == n.policy
            && self.rule.is_none_or(|r| Some(r) == n.rule)
            && self
                .entity
                .as_ref()
                .is_none_or(|e| Some(e) == n.entity.as_ref())
            && self
                .reason
                .as_ref()
                .is_none_or(|r| n.reason.contains(r.as_str()))
    }

    fn describe(&self) -> String {
        let mut s = format!("not evaluated {}", self.policy);
        if let Some(r) = self.rule {
            let _ = write!(s, " rule={r}");
        }
        if let Some(e) = &self.entity {
            let _ = write!(s, " entity={e}");
        }
        if let Some(r) = &self.reason {
            let _ = write!(s, " reason~{r:?}");
        }
        s
    }
}

fn describe_entity(n: &NotEvaluated) -> String {
    format!(
        "not evaluated {} rule={} entity={} reason={:?}",
        n.policy,
        n.rule.map_or("-".into(), |r| r.to_string()),
        n.entity.as_deref().unwrap_or("-"),
        n.reason,
    )
}

/// A test case's `case.toml`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// `policies`: the ids of the policies the case checks; empty: every policy.
    #[serde(default)]
    pub policies: Vec<String>,
    /// `not_evaluated`: the checked policies expected to have no rule judged (policies only
    /// partly evaluated do not count: see `[[not_evaluated_entity]]`).
    #[serde(default)]
    pub not_evaluated: Vec<String>,
    /// The `[[violation]]` tables, matched in order: each takes the first violations it
    /// matches.
    #[serde(default, rename = "violation")]
    pub violations: Vec<Expected>,
    /// The `[[not_evaluated_entity]]` tables, matched in order as the violations are: the
    /// entities the checked policies could not judge.
    #[serde(default, rename = "not_evaluated_entity")]
    pub entities: Vec<ExpectedEntity>,
    /// The catalogue edition the case runs under.
    pub edition: Option<String>,
    /// The run's date, `YYYY-MM-DD` (what `today()` returns and waivers expire against), so
    /// that a case of a policy reading `today()` gives the same result every day: a string or
    /// a TOML date (`today = 2026-08-05`).
    #[serde(default, deserialize_with = "date_text")]
    pub today: Option<String>,
    /// The `[policy.ID]` tables, as in `dexlint.toml` (`params`, `severity`): read by
    /// [`Config::parse_policy_tables`], the configuration's own code.
    #[serde(default)]
    pub policy: BTreeMap<String, toml::Value>,
}

/// A string, or a TOML date (`2026-08-05`) as its text: `today` written either way.
fn date_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match toml::Value::deserialize(d)? {
        toml::Value::String(s) => Ok(Some(s)),
        toml::Value::Datetime(dt) => Ok(Some(dt.to_string())),
        other => Err(serde::de::Error::custom(format!(
            "invalid type: {}, expected a date such as 2026-08-05",
            other.type_str()
        ))),
    }
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
            && self
                .message
                .as_ref()
                .is_none_or(|m| v.message.contains(m.as_str()))
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
        if let Some(m) = &self.message {
            let _ = write!(s, " message~{m:?}");
        }
        s
    }
}

fn describe_actual(v: &Violation) -> String {
    format!(
        "{} severity={} file={} pointer={} entity={} line={} column={} message={:?}",
        v.policy,
        v.severity,
        v.file.as_deref().unwrap_or("-"),
        v.pointer.as_deref().unwrap_or("-"),
        v.entity.as_deref().unwrap_or("-"),
        v.line.map_or("-".into(), |l| l.to_string()),
        v.column.map_or("-".into(), |c| c.to_string()),
        v.message,
    )
}

/// The outcome of one case.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The case's directory, as found.
    pub name: String,
    /// Empty when the case passed; otherwise a diff (`-` expected, `+` actual) and errors
    /// (`!`).
    pub diff: Vec<String>,
    /// `--bless` rewrote the case's `case.toml` (the diff is then that of the new file).
    pub blessed: bool,
}

/// How `dexlint test` runs.
#[derive(Debug, Clone)]
pub struct TestOptions {
    /// Whether the built-in catalogue is compiled with the directories' policies.
    pub builtin: bool,
    /// The edition of the cases that name none (None: the newest).
    pub edition: Option<String>,
    /// Only the cases whose path (as found, `DIR/tests/...`) contains this text.
    pub filter: Option<String>,
    /// Write each case's actual results into its `case.toml` before comparing.
    pub bless: bool,
}

impl Default for TestOptions {
    fn default() -> Self {
        TestOptions {
            builtin: true,
            edition: None,
            filter: None,
            bless: false,
        }
    }
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

/// A case as read: its expectations, its `[policy.ID]` settings and its text.
struct Loaded {
    case: Case,
    config: Config,
    text: String,
}

/// Reads `case_dir/case.toml`; errors as diff lines (`! ...`).
fn load(case_dir: &Path) -> Result<Loaded, Vec<String>> {
    let path = case_dir.join(CASE_FILE);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| vec![format!("! cannot read {CASE_FILE}: {e}")])?;
    let case: Case =
        toml::from_str(&text).map_err(|e| vec![format!("! cannot read {CASE_FILE}: {e}")])?;
    let config = Config::parse_policy_tables(&path.display().to_string(), &text)
        .map_err(|e| config_lines(&e, &text))?;
    Ok(Loaded { case, config, text })
}

/// Configuration errors as diff lines: `! FILE:LINE:COLUMN: message (label); help`.
fn config_lines(errors: &ConfigErrors, text: &str) -> Vec<String> {
    errors
        .errors
        .iter()
        .map(|e| {
            let mut line = format!("! {}", errors.path);
            if let Some(span) = e.span {
                let (l, c) = crate::base::lines::position(text, span.offset());
                let _ = write!(line, ":{l}:{c}");
            }
            let _ = write!(line, ": {}", e.message);
            if !e.label.is_empty() {
                let _ = write!(line, " ({})", e.label);
            }
            if let Some(help) = &e.help {
                let _ = write!(line, "; {help}");
            }
            line
        })
        .collect()
}

/// Whether `dir` holds at least one file (at any depth).
fn has_files(dir: &Path) -> bool {
    walkdir::WalkDir::new(dir)
        .follow_links(true)
        .into_iter()
        .filter_map(Result::ok)
        .any(|e| e.file_type().is_file())
}

/// The reasons a case could not fail or names what does not exist, as diff lines: policy ids
/// of `policies`, `not_evaluated` and `[[violation]]` that no compiled policy has, settings of
/// `[policy.ID]` that do not fit the policies, a case that expects nothing and checks no policy,
/// and a missing or empty `export/`.
fn setup_errors(case_dir: &Path, loaded: &Loaded, policy_set: &PolicySet) -> Vec<String> {
    let mut out = Vec::new();
    let ids: Vec<&str> = policy_set
        .policies
        .iter()
        .map(|p| p.meta().id.as_str())
        .collect();
    let case = &loaded.case;
    let named = case
        .policies
        .iter()
        .map(|p| (p, "`policies`"))
        .chain(case.not_evaluated.iter().map(|p| (p, "`not_evaluated`")))
        .chain(
            case.violations
                .iter()
                .map(|v| (&v.policy, "a `[[violation]]`")),
        )
        .chain(
            case.entities
                .iter()
                .map(|p| (&p.policy, "a `[[not_evaluated_entity]]`")),
        );
    for (id, place) in named {
        if !ids.contains(&id.as_str()) {
            let mut line = format!("! unknown policy `{id}` in {place}");
            match did_you_mean(id, ids.iter().copied()) {
                Some(hint) => {
                    let _ = write!(line, "; {hint}");
                }
                None => line.push_str("; see `dexlint list` for the policy ids"),
            }
            out.push(line);
        }
    }
    let policies: Vec<_> = policy_set.policies.iter().collect();
    if let Err(e) = loaded.config.check_against(&policies) {
        out.extend(config_lines(&e, &loaded.text));
    }
    if case.policies.is_empty()
        && case.violations.is_empty()
        && case.not_evaluated.is_empty()
        && case.entities.is_empty()
    {
        out.push(
            "! the case expects nothing and checks no policy: a test must be able to fail \
             (name the policies it checks in `policies`, or expect a `[[violation]]`)"
                .to_string(),
        );
    }
    if let Some(line) = undated(case, policy_set) {
        out.push(line);
    }
    let export = case_dir.join(EXPORT_DIR);
    if !export.is_dir() {
        out.push(format!(
            "! no `{EXPORT_DIR}/` directory beside {CASE_FILE}: a test must be able to fail"
        ));
    } else if !has_files(&export) {
        out.push(format!(
            "! `{EXPORT_DIR}/` holds no file: a test must be able to fail"
        ));
    }
    out
}

/// The checked policies that call `today()`, when the case sets no `today`: an error line
/// saying to set it (the case would give another result on another day).
fn undated(case: &Case, policy_set: &PolicySet) -> Option<String> {
    if case.today.is_some() {
        return None;
    }
    let dated: Vec<String> = policy_set
        .policies
        .iter()
        .filter(|p| p.reads_today() && checks(case, &p.meta().id))
        .map(|p| format!("`{}`", p.meta().id))
        .collect();
    (!dated.is_empty()).then(|| {
        format!(
            "! {} {} `today()` and the case sets no `today`: it would run on the current date \
             and give another result another day; set `today = \"YYYY-MM-DD\"` in {CASE_FILE} \
             (`--bless` writes the current date)",
            dated.join(", "),
            if dated.len() == 1 { "calls" } else { "call" }
        )
    })
}

/// Lints the case's export with the compiled policies and the case's settings.
fn evaluate(
    case_dir: &Path,
    loaded: &Loaded,
    policy_set: &PolicySet,
    edition: Option<&str>,
) -> Result<LintReport, String> {
    let today = match &loaded.case.today {
        Some(t) => Some(
            time::Date::parse(t, &time::format_description::well_known::Iso8601::DEFAULT).map_err(
                |_| format!("! `today = \"{t}\"` in {CASE_FILE} is not a YYYY-MM-DD date"),
            )?,
        ),
        None => None,
    };
    let options = LintOptions {
        roots: vec![case_dir.join(EXPORT_DIR)],
        config: loaded.config.clone(),
        edition: loaded.case.edition.clone().or(edition.map(str::to_string)),
        today,
        ..LintOptions::default()
    };
    lint::run_compiled(&options, policy_set).map_err(|e| format!("! {e}"))
}

/// Whether the case checks policy `id`.
fn checks(case: &Case, id: &str) -> bool {
    case.policies.is_empty() || case.policies.iter().any(|p| p == id)
}

/// The policies of which no rule could be judged, among those the case checks, sorted.
fn whole_not_evaluated<'r>(case: &Case, report: &'r LintReport) -> Vec<&'r str> {
    let mut got: Vec<&str> = report
        .not_evaluated
        .iter()
        .filter(|n| n.rule.is_none())
        .map(|n| n.policy.as_str())
        .filter(|p| checks(case, p))
        .collect();
    got.sort_unstable();
    got.dedup();
    got
}

/// The entities the checked policies could not judge, and their rules not evaluated as a whole
/// (the rest of the policy judged), in the report's order.
fn entities_not_evaluated<'r>(
    case: &'r Case,
    report: &'r LintReport,
) -> impl Iterator<Item = &'r NotEvaluated> {
    report
        .not_evaluated
        .iter()
        .filter(|n| n.rule.is_some() && checks(case, &n.policy))
}

/// The diff between what the case expects and `report`.
fn compare(case: &Case, report: &LintReport) -> Vec<String> {
    let mut diff = Vec::new();
    for e in report.errors.iter().filter(|e| e.level == DiagLevel::Error) {
        diff.push(format!("! {}: {}", e.file, e.message));
    }
    let mut actual: Vec<Option<&Violation>> = report
        .violations
        .iter()
        .filter(|v| checks(case, &v.policy))
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
    // The entities the policies could not judge.
    let mut entities: Vec<Option<&NotEvaluated>> =
        entities_not_evaluated(case, report).map(Some).collect();
    for want in &case.entities {
        let count = want.count.unwrap_or(1);
        let mut found = 0;
        for slot in entities.iter_mut() {
            if found < count && slot.is_some_and(|n| want.matches(n)) {
                *slot = None;
                found += 1;
            }
        }
        for _ in found..count {
            diff.push(format!("- {}", want.describe()));
        }
    }
    diff.extend(
        entities
            .into_iter()
            .flatten()
            .map(|n| format!("+ {}", describe_entity(n))),
    );
    // Whole policies: a case names the policies of which no rule could be judged.
    let got_ne = whole_not_evaluated(case, report);
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
    diff
}

/// Runs one case with compiled policies (`policy_set`, from [`lint::compile`]) under the case's
/// edition, else `edition`, else the newest.
pub fn run_case(case_dir: &Path, policy_set: &PolicySet, edition: Option<&str>) -> Outcome {
    run_case_with(case_dir, policy_set, edition, false)
}

/// [`run_case`]; with `bless`, the case's actual results are first written into its
/// `case.toml` (see docs/testing.md), unless the case cannot be read or names what does not
/// exist, and the new file is then run.
pub fn run_case_with(
    case_dir: &Path,
    policy_set: &PolicySet,
    edition: Option<&str>,
    bless: bool,
) -> Outcome {
    let name = case_dir.display().to_string();
    let failed = |diff: Vec<String>, blessed: bool| Outcome {
        name: name.clone(),
        diff,
        blessed,
    };
    let mut loaded = match load(case_dir) {
        Ok(l) => l,
        Err(diff) => return failed(diff, false),
    };
    let mut blessed = false;
    if bless {
        // A case of a policy calling `today()` is blessed at the current date, which it then
        // sets.
        if undated(&loaded.case, policy_set).is_some() {
            loaded.case.today = Some(time::OffsetDateTime::now_utc().date().to_string());
        }
        let blocking: Vec<String> = {
            // What blessing replaces (`not_evaluated`, `[[violation]]`,
            // `[[not_evaluated_entity]]`) may name anything.
            let settings_only = Loaded {
                case: Case {
                    not_evaluated: Vec::new(),
                    violations: Vec::new(),
                    entities: Vec::new(),
                    policies: loaded.case.policies.clone(),
                    today: loaded.case.today.clone(),
                    ..Case::default()
                },
                config: loaded.config.clone(),
                text: loaded.text.clone(),
            };
            setup_errors(case_dir, &settings_only, policy_set)
                .into_iter()
                .filter(|l| !l.contains("expects nothing"))
                .collect()
        };
        if !blocking.is_empty() {
            return failed(blocking, false);
        }
        let report = match evaluate(case_dir, &loaded, policy_set, edition) {
            Ok(r) => r,
            Err(e) => return failed(vec![e], false),
        };
        let text = bless::rewrite(&loaded.text, &loaded.case, &report);
        if text != loaded.text {
            if let Err(e) = std::fs::write(case_dir.join(CASE_FILE), &text) {
                return failed(vec![format!("! cannot write {CASE_FILE}: {e}")], false);
            }
            blessed = true;
            loaded = match load(case_dir) {
                Ok(l) => l,
                Err(diff) => return failed(diff, true),
            };
        }
    }
    let errors = setup_errors(case_dir, &loaded, policy_set);
    if !errors.is_empty() {
        return failed(errors, blessed);
    }
    match evaluate(case_dir, &loaded, policy_set, edition) {
        Ok(report) => failed(compare(&loaded.case, &report), blessed),
        Err(e) => failed(vec![e], blessed),
    }
}

/// `dexlint test [DIR...]` with the built-in catalogue when `builtin`, under `edition`: see
/// [`test_command_with`].
pub fn test_command(
    dirs: &[PathBuf],
    builtin: bool,
    edition: Option<&str>,
    out: &mut String,
    errors: &mut String,
) -> i32 {
    let options = TestOptions {
        builtin,
        edition: edition.map(str::to_string),
        ..TestOptions::default()
    };
    test_command_with(dirs, &options, out, errors)
}

/// `dexlint test [DIR...]`: compiles the policies of `dirs` (plus the built-in ones when
/// `options.builtin`) once, runs every case under each `DIR/tests` (those whose path contains
/// `options.filter`), prints each (`ok`, `blessed` or `FAILED` with a diff), and the summary
/// line `N passed, N failed`. Returns the exit code: 0 when every case passed, 1 on any
/// failure, 2 when the policies do not compile or no case is found (or matches the filter);
/// compile errors are written once to `errors`.
pub fn test_command_with(
    dirs: &[PathBuf],
    options: &TestOptions,
    out: &mut String,
    errors: &mut String,
) -> i32 {
    let all: Vec<PathBuf> = dirs.iter().flat_map(|d| find_cases(d)).collect();
    let places: Vec<String> = dirs
        .iter()
        .map(|d| format!("`{}`", d.join("tests").display()))
        .collect();
    if all.is_empty() {
        let _ = writeln!(out, "no test cases under {}", places.join(", "));
        return 2;
    }
    let cases: Vec<&PathBuf> = all
        .iter()
        .filter(|c| {
            options
                .filter
                .as_deref()
                .is_none_or(|f| c.display().to_string().contains(f))
        })
        .collect();
    if cases.is_empty() {
        let _ = writeln!(
            out,
            "no test case under {} matches `--filter {}` ({} cases in all)",
            places.join(", "),
            options.filter.as_deref().unwrap_or_default(),
            all.len()
        );
        return 2;
    }
    let lint_options = LintOptions {
        policy_dirs: dirs.to_vec(),
        builtin: options.builtin,
        ..LintOptions::default()
    };
    let policy_set = match lint::compile(&lint_options) {
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
    for case in cases {
        let outcome = run_case_with(case, &policy_set, options.edition.as_deref(), options.bless);
        if outcome.diff.is_empty() {
            passed += 1;
            let status = if outcome.blessed { "blessed" } else { "ok    " };
            let _ = writeln!(out, "{status} {}", outcome.name);
        } else {
            failed += 1;
            let _ = writeln!(out, "FAILED {}", outcome.name);
            if outcome.blessed {
                let _ = writeln!(out, "    (blessed: {CASE_FILE} was rewritten)");
            }
            for line in &outcome.diff {
                let _ = writeln!(out, "    {line}");
            }
        }
    }
    let _ = writeln!(out, "{passed} passed, {failed} failed");
    i32::from(failed > 0)
}
