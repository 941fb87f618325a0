//! `dexlint.toml`: which policies run and how, extra policy directories, include/exclude globs,
//! fail level, parameter values and waivers. Found by walking up from the working directory or
//! given with `--config`. Unknown keys and bad values are errors labelled in the TOML file.
//!
//! ```toml
//! edition = "2025-08"                 # catalogue edition (default: the newest, see `dexlint list`)
//! fail-level = "warning"
//! fail-on-not-evaluated = true         # a policy that could not be judged fails the run
//! one-tenant = true                    # the export roots are parts of one tenant
//! baseline = "dexlint-baseline.json"   # accepted violations, relative to this file
//! policies = ["org-policies"]          # extra policy directories (any depth), relative to this file
//! exports = ["exports/contoso"]        # export roots, for `dexlint lint` without arguments
//! include = ["**/*.json"]
//! exclude = ["archive/**"]
//! max-file-bytes = 268435456            # larger files are reported, not read (default 1 GiB)
//! eval-budget = 100000000               # steps a policy may take (default 2·10⁹)
//! max-json-depth = 256                  # deeper JSON is reported as invalid (default 128)
//! max-policy-nesting = 256              # deeper policies do not compile (default 128)
//! disable = ["DEX106", "tag:licensing"]
//!
//! [policy.DEX105]
//! severity = "error"
//! params = { e5_skus = ["SPE_E5"] }
//!
//! [[waiver]]
//! policy = "DEX302"
//! entity = "cloud_accounts/7d1e2f3a-*"
//! reason = "sandbox subscription without servers"
//! expires = 2027-01-31
//! ```

mod raw;
mod selection;
mod waivers;

pub use waivers::Waiver;

use crate::policy::{CompiledPolicy, PolicyMeta, Severity};
use raw::RawConfig;
use selection::{glob, selector, Selector};

use crate::base::render::Source;
use miette::{Diagnostic, SourceSpan};

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The file name looked for when no `--config` is given.
pub const FILE_NAME: &str = "dexlint.toml";

/// A configuration error, labelled in the TOML source.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{message}")]
#[diagnostic(code(dexlint::config))]
pub struct ConfigError {
    /// What is wrong.
    pub message: String,
    /// The configuration file's name and text.
    #[source_code]
    pub src: Source,
    /// Byte range in the file of what is wrong; None when it is about the whole file.
    #[label("{label}")]
    pub span: Option<SourceSpan>,
    /// The label drawn under `span` (`this glob`).
    pub label: String,
    /// How to fix it, when there is more to say than the message.
    #[help]
    pub help: Option<String>,
}

/// Every error of one configuration file.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("`{path}` has {} error(s)", errors.len())]
#[diagnostic(code(dexlint::config))]
pub struct ConfigErrors {
    /// The configuration file, as given.
    pub path: String,
    /// Each error, in the order found.
    #[related]
    pub errors: Vec<ConfigError>,
}

/// Per-policy settings.
#[derive(Debug, Clone, Default)]
pub struct PolicySettings {
    /// `severity`: replaces the policy's own.
    pub severity: Option<Severity>,
    /// `params`: parameter values by name, as JSON values converted from the TOML (checked
    /// against the policy's parameter types by [`Config::check_against`]).
    pub params: BTreeMap<String, serde_json::Value>,
    params_spans: BTreeMap<String, Range<usize>>,
    /// Byte ranges of the parameter values, for type errors.
    values_spans: BTreeMap<String, Range<usize>>,
    span: Range<usize>,
}

/// A loaded configuration.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The file it came from (None: defaults).
    pub path: Option<PathBuf>,
    /// The file's text, for labelling errors found after loading.
    pub text: String,
    /// `edition`: the catalogue edition (a known name; see [`crate::edition`]).
    pub edition: Option<String>,
    /// `fail-level`: the severity from which a violation fails the run (`--fail-level`
    /// overrides it; None: `error`).
    pub fail_level: Option<Severity>,
    /// `fail-on-not-evaluated`: a selected policy that was not evaluated fails the run.
    pub fail_on_not_evaluated: bool,
    /// `one-tenant`: the export roots are parts of one tenant (one model), not one tenant each.
    pub one_tenant: bool,
    /// `baseline`: the baseline file, relative to the configuration's directory.
    pub baseline: Option<PathBuf>,
    /// The directory relative paths of the file are resolved against.
    pub base: PathBuf,
    /// `policies`: extra policy directories, resolved against the configuration's directory.
    pub policy_dirs: Vec<PathBuf>,
    /// Export roots, resolved against the configuration's directory.
    pub exports: Vec<PathBuf>,
    /// Export roots as written in the file (relative to its directory), for reports.
    pub export_names: Vec<String>,
    /// `include`: globs on paths relative to an export root; only matching files are read.
    pub include: Vec<String>,
    /// `exclude`: globs on paths relative to an export root; matching files are skipped.
    pub exclude: Vec<String>,
    /// Files larger than this are reported, not read.
    pub max_file_bytes: Option<u64>,
    /// Evaluation steps one policy may take before it is cut off.
    pub eval_budget: Option<u64>,
    /// Nesting of JSON arrays and objects beyond which an export file is invalid.
    pub max_json_depth: Option<usize>,
    /// Nesting beyond which a policy does not compile.
    pub max_policy_nesting: Option<usize>,
    enable: Vec<(Selector, Spanned<String>)>,
    disable: Vec<(Selector, Spanned<String>)>,
    /// `[policy.<ID>]` tables, by policy id.
    pub policies: BTreeMap<String, PolicySettings>,
    /// `[[waiver]]` tables, in file order.
    pub waivers: Vec<Waiver>,
}

/// A limit from the file (`key`: its name), when it is within `1..=max`; `u64::MAX` stands for
/// no upper bound. Out of range, an error at the value and `None`.
fn limit(
    value: &Option<Spanned<raw::Count>>,
    key: &str,
    max: u64,
    errors: &mut Errors<'_>,
) -> Option<u64> {
    let value = value.as_ref()?;
    let raw::Count(n) = *value.get_ref();
    if (1..=max).contains(&n) {
        return Some(n);
    }
    let (message, label) = if max == u64::MAX {
        (format!("{key} must be at least 1"), "0 allows nothing")
    } else {
        (format!("{key} must be between 1 and {max}"), "out of range")
    };
    errors.push(Some(value.span()), message, label, None);
    None
}

/// Looks for `dexlint.toml` in `start` and its parents.
pub fn discover(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|d| d.join(FILE_NAME))
        .find(|p| p.is_file())
}

pub(super) struct Errors<'a> {
    path: &'a str,
    text: &'a str,
    list: Vec<ConfigError>,
}

impl Errors<'_> {
    /// `Ok` when nothing was pushed, else every error, for the file `path`.
    fn finish(self) -> Result<(), ConfigErrors> {
        if self.list.is_empty() {
            Ok(())
        } else {
            Err(ConfigErrors {
                path: self.path.to_string(),
                errors: self.list,
            })
        }
    }

    fn push(
        &mut self,
        span: Option<Range<usize>>,
        message: String,
        label: &str,
        help: Option<String>,
    ) {
        self.list.push(ConfigError {
            message,
            src: Source::new(self.path, self.text),
            span: span.map(|r| SourceSpan::from(r.start..r.end)),
            label: label.to_string(),
            help,
        });
    }
}

fn suggest(word: &str, candidates: &[&str]) -> Option<String> {
    crate::base::suggest::did_you_mean(word, candidates.iter().copied())
}

fn toml_to_json(v: &toml::Value) -> serde_json::Value {
    match v {
        toml::Value::String(s) => serde_json::Value::String(s.clone()),
        toml::Value::Integer(i) => serde_json::Value::from(*i),
        toml::Value::Float(f) => serde_json::Value::from(*f),
        toml::Value::Boolean(b) => serde_json::Value::Bool(*b),
        toml::Value::Datetime(d) => serde_json::Value::String(d.to_string()),
        toml::Value::Array(a) => serde_json::Value::Array(a.iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => serde_json::Value::Object(
            t.iter()
                .map(|(k, v)| (k.clone(), toml_to_json(v)))
                .collect(),
        ),
    }
}

fn parse_severity(s: &Spanned<String>, errors: &mut Errors<'_>, what: &str) -> Option<Severity> {
    match s.get_ref().parse::<Severity>() {
        Ok(severity) => Some(severity),
        Err(()) => {
            let other = s.get_ref();
            errors.push(
                Some(s.span()),
                format!("unknown {what} `{other}`"),
                "expected `error`, `warning` or `info`",
                None,
            );
            None
        }
    }
}

/// The `[policy.ID]` tables as settings by policy id (severity parsed, parameter values as
/// JSON, spans kept for [`Config::check_against`]).
fn policy_settings(
    raw: &BTreeMap<Spanned<String>, raw::RawPolicy>,
    errors: &mut Errors<'_>,
) -> BTreeMap<String, PolicySettings> {
    let mut policies = BTreeMap::new();
    for (id, p) in raw {
        let mut settings = PolicySettings {
            span: id.span(),
            ..PolicySettings::default()
        };
        settings.severity = p
            .severity
            .as_ref()
            .and_then(|s| parse_severity(s, errors, "severity"));
        for (k, v) in &p.params {
            settings
                .params
                .insert(k.get_ref().clone(), toml_to_json(v.get_ref()));
            settings.params_spans.insert(k.get_ref().clone(), k.span());
            settings.values_spans.insert(k.get_ref().clone(), v.span());
        }
        policies.insert(id.get_ref().clone(), settings);
    }
    policies
}

impl Config {
    /// Reads and checks a configuration file. Paths inside it are relative to its directory.
    ///
    /// # Errors
    /// A file that cannot be read, or every error [`Config::parse`] finds.
    pub fn load(path: &Path) -> Result<Config, ConfigErrors> {
        // As every error about the file shows it, also those found after loading.
        let shown = crate::base::shown_path(path);
        let text = std::fs::read_to_string(path).map_err(|e| ConfigErrors {
            path: shown.clone(),
            errors: vec![ConfigError {
                message: format!("cannot read `{shown}`: {e}"),
                src: Source::new(shown.as_str(), ""),
                span: None,
                label: String::new(),
                help: None,
            }],
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        Config::parse(&shown, &text, base).map(|mut c| {
            c.path = Some(path.to_path_buf());
            c
        })
    }

    /// Parses configuration text; `base` resolves relative directories.
    ///
    /// # Errors
    /// Every problem of the text at once, each labelled: TOML syntax, unknown keys, bad
    /// severities, globs, limits and waivers.
    pub fn parse(name: &str, text: &str, base: &Path) -> Result<Config, ConfigErrors> {
        let mut errors = Errors {
            path: name,
            text,
            list: Vec::new(),
        };
        let raw: RawConfig = match toml::from_str(text) {
            Ok(raw) => raw,
            Err(e) => {
                errors.push(e.span(), e.message().to_string(), "here", None);
                return Err(ConfigErrors {
                    path: name.to_string(),
                    errors: errors.list,
                });
            }
        };
        let mut config = Config {
            text: text.to_string(),
            fail_on_not_evaluated: raw.fail_on_not_evaluated.unwrap_or(false),
            one_tenant: raw.one_tenant.unwrap_or(false),
            baseline: raw.baseline.as_ref().map(|p| base.join(p)),
            base: base.to_path_buf(),
            include: raw.include.iter().map(|g| g.get_ref().clone()).collect(),
            exclude: raw.exclude.iter().map(|g| g.get_ref().clone()).collect(),
            policy_dirs: raw.policies.iter().map(|p| base.join(p)).collect(),
            exports: raw.exports.iter().map(|p| base.join(p)).collect(),
            export_names: raw
                .exports
                .iter()
                .map(|p| {
                    let p = p.trim_start_matches("./").trim_end_matches('/');
                    if p.is_empty() { "." } else { p }.to_string()
                })
                .collect(),
            ..Config::default()
        };
        config.max_file_bytes = limit(&raw.max_file_bytes, "max-file-bytes", u64::MAX, &mut errors);
        config.eval_budget = limit(&raw.eval_budget, "eval-budget", u64::MAX, &mut errors);
        let max_json_depth = crate::export::tree::MAX_DEPTH_LIMIT as u64;
        config.max_json_depth = limit(
            &raw.max_json_depth,
            "max-json-depth",
            max_json_depth,
            &mut errors,
        )
        .and_then(|n| usize::try_from(n).ok());
        let max_nesting = crate::policy::parse::MAX_NESTING_LIMIT as u64;
        config.max_policy_nesting = limit(
            &raw.max_policy_nesting,
            "max-policy-nesting",
            max_nesting,
            &mut errors,
        )
        .and_then(|n| usize::try_from(n).ok());
        if let Some(e) = &raw.edition {
            match crate::edition::find(e.get_ref()) {
                Some(found) => config.edition = Some(found.name.to_string()),
                None => errors.push(
                    Some(e.span()),
                    format!("unknown edition `{}`", e.get_ref()),
                    "not an edition of the catalogue",
                    Some(crate::edition::known_help()),
                ),
            }
        }
        // Checked here so that an invalid one is labelled in the file (the walk would report
        // it without a position).
        for pattern in raw.include.iter().chain(&raw.exclude) {
            let _ = glob(pattern, &mut errors);
        }
        config.fail_level = raw
            .fail_level
            .as_ref()
            .and_then(|f| parse_severity(f, &mut errors, "fail level"));
        config.enable = raw
            .enable
            .iter()
            .filter_map(|s| selector(s, &mut errors))
            .collect();
        config.disable = raw
            .disable
            .iter()
            .filter_map(|s| selector(s, &mut errors))
            .collect();
        config.policies = policy_settings(&raw.policy, &mut errors);
        for w in &raw.waiver {
            let span = w.span();
            let w = w.get_ref();
            if w.file.is_none() && w.pointer.is_none() && w.entity.is_none() {
                errors.push(
                    Some(span.clone()),
                    "a waiver needs a target".into(),
                    "this waiver",
                    Some("add `file`, `pointer` or `entity` (globs)".into()),
                );
            }
            if w.reason.get_ref().trim().is_empty() {
                errors.push(
                    Some(w.reason.span()),
                    "a waiver needs a reason".into(),
                    "empty reason",
                    None,
                );
            }
            let expires = w.expires.as_ref().and_then(|e| {
                let date = e.get_ref().date.filter(|_| e.get_ref().time.is_none());
                let valid = date.and_then(|d| {
                    let m = time::Month::try_from(d.month).ok()?;
                    time::Date::from_calendar_date(i32::from(d.year), m, d.day).ok()
                });
                if valid.is_none() {
                    errors.push(
                        Some(e.span()),
                        "`expires` must be a date such as 2027-01-31".into(),
                        "not a date",
                        None,
                    );
                }
                valid
            });
            let mut g = |o: &Option<Spanned<String>>| o.as_ref().and_then(|p| glob(p, &mut errors));
            let waiver = Waiver {
                policy: w.policy.get_ref().clone(),
                file: g(&w.file),
                pointer: g(&w.pointer),
                // A glob written for the entities of a dexlint that joined an ARM resource id
                // with two slashes (`resource_pricings//subscriptions/...`) still matches.
                entity: g(&w.entity.as_ref().map(|e| {
                    Spanned::new(
                        e.span(),
                        crate::model::entity_name_compat(e.get_ref()).into_owned(),
                    )
                })),
                reason: w.reason.get_ref().clone(),
                expires,
                span,
            };
            config.waivers.push(waiver);
        }
        if errors.list.is_empty() {
            Ok(config)
        } else {
            Err(ConfigErrors {
                path: name.to_string(),
                errors: errors.list,
            })
        }
    }

    /// Reads only the `[policy.ID]` tables of a TOML document that holds other keys too (a
    /// test case's `case.toml`), exactly as [`Config::parse`] reads them from `dexlint.toml`:
    /// the result has those settings and defaults for everything else; its errors, and those
    /// of [`Config::check_against`], are labelled in `text` under `name`.
    ///
    /// # Errors
    /// TOML syntax, unknown keys in a `[policy.ID]` table, bad severities.
    pub fn parse_policy_tables(name: &str, text: &str) -> Result<Config, ConfigErrors> {
        let mut errors = Errors {
            path: name,
            text,
            list: Vec::new(),
        };
        let raw: raw::RawPolicyTables = match toml::from_str(text) {
            Ok(raw) => raw,
            Err(e) => {
                errors.push(e.span(), e.message().to_string(), "here", None);
                return Err(ConfigErrors {
                    path: name.to_string(),
                    errors: errors.list,
                });
            }
        };
        let policies = policy_settings(&raw.policy, &mut errors);
        errors.finish()?;
        Ok(Config {
            path: Some(PathBuf::from(name)),
            text: text.to_string(),
            policies,
            ..Config::default()
        })
    }

    /// Checks what the configuration names against the compiled policies: the ids of
    /// `[policy.ID]` tables and waivers, the ids, id globs and tags of `enable`/`disable` (each
    /// must select at least one policy), and the names and types of parameter values.
    ///
    /// # Errors
    /// Every name that matches no policy, parameter or tag, and every parameter value of the
    /// wrong type.
    pub fn check_against(&self, policies: &[&CompiledPolicy]) -> Result<(), ConfigErrors> {
        let name = self.shown_path();
        let mut errors = Errors {
            path: &name,
            text: &self.text,
            list: Vec::new(),
        };
        let ids: Vec<&str> = policies.iter().map(|p| p.meta().id.as_str()).collect();
        let mut tags: Vec<&str> = policies
            .iter()
            .flat_map(|p| p.meta().tags.iter().map(String::as_str))
            .collect();
        tags.sort_unstable();
        tags.dedup();
        for (key, list) in [("enable", &self.enable), ("disable", &self.disable)] {
            for (selector, text) in list {
                if policies.iter().any(|p| selector.matches(p.meta())) {
                    continue;
                }
                let (message, label, help) = match selector {
                    Selector::Tag(tag) => (
                        format!("`{key}` names the unknown tag `{tag}`"),
                        "no policy has this tag",
                        suggest(tag, &tags)
                            .map(|s| s.replacen('`', "`tag:", 1))
                            .or_else(|| Some(format!("known tags: {}", tags.join(", ")))),
                    ),
                    Selector::Id(_) => (
                        format!("`{key}` selects no policy with `{}`", text.get_ref()),
                        "matches no policy id",
                        suggest(text.get_ref(), &ids)
                            .or_else(|| Some("see `dexlint list` for the policy ids".into())),
                    ),
                };
                errors.push(Some(text.span()), message, label, help);
            }
        }
        for (id, settings) in &self.policies {
            let Some(policy) = policies.iter().find(|p| &p.meta().id == id) else {
                errors.push(
                    Some(settings.span.clone()),
                    format!("unknown policy `{id}`"),
                    "no such policy",
                    suggest(id, &ids),
                );
                continue;
            };
            let meta = policy.meta();
            let names: Vec<&str> = meta.params.iter().map(|p| p.name.as_str()).collect();
            for (param, span) in &settings.params_spans {
                if !names.contains(&param.as_str()) {
                    errors.push(
                        Some(span.clone()),
                        format!("policy `{id}` has no parameter `{param}`"),
                        "unknown parameter",
                        suggest(param, &names),
                    );
                    continue;
                }
                let Some(value) = settings.params.get(param) else {
                    continue;
                };
                let problems = [
                    policy.param_type_error(param, value).map(|ty| {
                        let found = toml_kind(value);
                        match (ty.as_str(), value.as_str()) {
                            // A string where a date is wanted: the text is the date.
                            ("date", Some(text)) => (
                                format!(
                                    "parameter `{param}` of `{id}` is not a valid date: `{text}` \
                                     ({})",
                                    crate::base::dates::why_not(text)
                                ),
                                "not a valid date".to_string(),
                            ),
                            _ => (
                                format!(
                                    "parameter `{param}` of `{id}` must be `{ty}`, found {found} \
                                     `{value}`"
                                ),
                                format!("{found}, not `{ty}`"),
                            ),
                        }
                    }),
                    policy.param_enum_error(param, value).map(|why| {
                        (
                            format!("parameter `{param}` of `{id}`: {why}"),
                            "never matches".to_string(),
                        )
                    }),
                    policy.param_glob_error(param, value).map(|why| {
                        (
                            format!("parameter `{param}` of `{id}` is a glob: {why}"),
                            "not a valid glob".to_string(),
                        )
                    }),
                ];
                for (message, label) in problems.into_iter().flatten() {
                    errors.push(
                        settings.values_spans.get(param).cloned(),
                        message,
                        &label,
                        None,
                    );
                }
            }
        }
        for w in &self.waivers {
            if !ids.contains(&w.policy.as_str()) {
                errors.push(
                    Some(w.span.clone()),
                    format!("waiver for unknown policy `{}`", w.policy),
                    "this waiver",
                    suggest(&w.policy, &ids),
                );
            }
        }
        errors.finish()
    }

    /// Checks that every `enable` entry selects a policy of `edition`, and that every
    /// `[policy.ID]` table sets a policy of `edition`: an entry that selects only policies of
    /// other editions, or a table of a policy of other editions, is an error at it (the run
    /// would silently leave them out, and their settings with them).
    ///
    /// # Errors
    /// One error per such entry or table, labelled in the configuration.
    pub fn check_edition(
        &self,
        policies: &[&CompiledPolicy],
        edition: &str,
    ) -> Result<(), ConfigErrors> {
        let name = self.shown_path();
        let mut errors = Errors {
            path: &name,
            text: &self.text,
            list: Vec::new(),
        };
        for (selector, text) in &self.enable {
            let selected: Vec<&PolicyMeta> = policies
                .iter()
                .map(|p| p.meta())
                .filter(|m| selector.matches(m))
                .collect();
            if selected.is_empty() || selected.iter().any(|m| m.in_edition(edition)) {
                continue;
            }
            let theirs: Vec<&str> = selected.iter().flat_map(|m| m.membership()).collect();
            let mut theirs: Vec<&str> = theirs;
            theirs.sort_unstable();
            theirs.dedup();
            errors.push(
                Some(text.span()),
                format!(
                    "`enable` names `{}`, which is not in edition {edition} (only {})",
                    text.get_ref(),
                    theirs.join(", ")
                ),
                "not in this edition",
                Some(format!(
                    "set `edition = \"{}\"` (or pass `--edition`), or remove the entry",
                    theirs.first().copied().unwrap_or_default()
                )),
            );
        }
        for (id, settings) in &self.policies {
            let Some(meta) = policies.iter().map(|p| p.meta()).find(|m| &m.id == id) else {
                continue;
            };
            if meta.in_edition(edition) {
                continue;
            }
            let theirs = meta.membership();
            errors.push(
                Some(settings.span.clone()),
                format!(
                    "`[policy.{id}]` sets `{id}`, which is not in edition {edition} (only {}): \
                     its settings would apply to nothing",
                    theirs.join(", ")
                ),
                "not in this edition",
                Some(format!(
                    "set `edition = \"{}\"` (or pass `--edition`), or remove the table",
                    theirs.first().copied().unwrap_or_default()
                )),
            );
        }
        errors.finish()
    }

    /// The configuration file's path as shown in errors and annotations: relative to the
    /// working directory when it is under it (a CI annotation needs a repository path), else
    /// as found; empty for the defaults.
    pub fn shown_path(&self) -> String {
        self.path
            .as_deref()
            .map(crate::base::shown_path)
            .unwrap_or_default()
    }

    /// Whether a policy runs: enabled (when `enable` is given) and not disabled.
    pub fn runs(&self, meta: &PolicyMeta) -> bool {
        (self.enable.is_empty() || self.enable.iter().any(|(s, _)| s.matches(meta)))
            && !self.disable.iter().any(|(s, _)| s.matches(meta))
    }

    /// Line and column (1-based) of a byte offset in the configuration text.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        crate::base::lines::position(&self.text, offset)
    }
}

/// What kind of TOML value `value` (as JSON) is, for messages: `a string`, `an integer`, `a
/// float`, `a boolean`, `an array`, `a table`.
fn toml_kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Number(n) if n.is_f64() => "a float",
        serde_json::Value::Number(_) => "an integer",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "a table",
        serde_json::Value::Null => "nothing",
    }
}
