//! The policy layer's own types: what a policy is called and says about itself, and what
//! running it produces.

use crate::model::{Loc, Value};
use serde::Serialize;
use std::fmt;

/// A policy file's name (a path, or `builtin:FILE`) and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicySource {
    /// The file's path as given, or `builtin:FILE` for the embedded catalogue.
    pub name: String,
    /// The file's whole text (UTF-8).
    pub text: String,
}

/// How bad a violation is; ordered `Info < Warning < Error`, written in lowercase (JSON too).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; never fails a run by default.
    Info,
    /// Should be fixed.
    Warning,
    /// Breaks the service's prerequisites.
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

impl Severity {
    /// The written names of the severities, from the most to the least severe.
    pub const NAMES: [&'static str; 3] = ["error", "warning", "info"];
}

/// The one severity parser (policy headers, `dexlint.toml`): `error`, `warning` or `info`,
/// written in lowercase.
impl std::str::FromStr for Severity {
    /// Parsing fails only on an unknown name; the caller reports it with [`Severity::NAMES`].
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "info" => Ok(Severity::Info),
            "warning" => Ok(Severity::Warning),
            "error" => Ok(Severity::Error),
            _ => Err(()),
        }
    }
}

/// What a policy says about itself.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyMeta {
    /// The policy's id (`DEX001`, `ACME001`).
    pub id: String,
    /// Its one-line title.
    pub title: String,
    /// Its default severity (a configuration may override it).
    pub severity: Severity,
    /// Its tags, for `enable`/`disable = ["tag:NAME"]`.
    pub tags: Vec<String>,
    /// The URL of the page it follows.
    pub docs: Option<String>,
    /// Why the rule exists (Markdown).
    pub description: Option<String>,
    /// The policy-level help text as written (interpolations shown as `{…}`).
    pub help: Option<String>,
    /// An example of a violation, as written in the policy.
    pub example: Option<String>,
    /// The [`PolicySource::name`] it was compiled from.
    pub source: String,
    /// Its parameters, in declaration order.
    pub params: Vec<ParamInfo>,
    /// The catalogue editions it belongs to (`editions`); empty: every edition.
    pub editions: Vec<String>,
    /// The page it rests on in each edition (`cite`), in the order written.
    pub citations: Vec<Citation>,
    /// Its rules, in the order written (a violation's [`Finding::rule`] indexes them).
    pub rules: Vec<RuleInfo>,
}

/// What a policy's rule says about itself, for `explain`, the catalogue and the label under
/// an offending value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleInfo {
    /// A short text of the rule from its source (`for u in users`, at most 60 characters).
    pub text: String,
    /// Its `label`: the few words shown under the offending value (None: its message is).
    pub label: Option<String>,
    /// Its help as written, the rule's own or else the policy's, interpolations shown as
    /// `{expr}` (see [`PolicyMeta::render`]).
    pub help: Option<String>,
    /// The (collection, field) pairs it reads (a field of None: the collection itself).
    pub needs: Vec<(&'static str, Option<&'static str>)>,
}

/// A value as a violation's message writes an interpolated one (see [`write_value`]).
pub(super) fn value_text(v: &Value) -> String {
    let mut out = String::new();
    write_value(v, &mut out);
    out
}

/// A date (milliseconds since 1970-01-01T00:00:00Z) as a violation's message writes it: ISO 8601
/// in UTC to the second (`2026-01-15T00:00:00Z`); milliseconds beyond the calendar's range as
/// they are.
pub fn date_text(ms: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000) {
        Ok(t) => format!(
            "{}T{:02}:{:02}:{:02}Z",
            t.date(),
            t.hour(),
            t.minute(),
            t.second()
        ),
        Err(_) => ms.to_string(),
    }
}

/// A value written as a violation's message writes an interpolated one: strings bare, lists
/// in brackets.
fn write_value(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => out.push_str(&i.to_string()),
        Value::Date(ms) => out.push_str(&date_text(*ms)),
        Value::Str(s) => out.push_str(s),
        Value::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(item, out);
            }
            out.push(']');
        }
        Value::Records(r) => out.push_str(&format!("[{} records]", r.len())),
        Value::Shared(r) => out.push_str(&format!("[{} records]", r.len())),
        Value::Unknown => out.push_str("unknown"),
    }
}

/// A page of Microsoft's documentation that a policy rests on in one edition (`cite`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Citation {
    /// The edition name, such as `2026-07`.
    pub edition: String,
    /// The page title (its H1 or `title` front matter).
    pub title: String,
    /// The page's address, where the requirement can be read.
    pub url: String,
    /// The section heading the requirement is stated under.
    pub section: Option<String>,
    /// The page's `ms.date` as written there (MM/DD/YYYY).
    pub date: Option<String>,
    /// The sentence quoted from the page.
    pub quote: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
/// A parameter of a policy.
pub struct ParamInfo {
    /// Its name.
    pub name: String,
    /// Its type as written in the language (`int`, `list<string>`).
    pub ty: String,
    /// Its default value, or the configured one (see `CompiledPolicy::meta_with_params`).
    pub default: Value,
}

/// A violation found by a rule, before it is located in its file.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// The rule's message with its interpolations filled in.
    pub message: String,
    /// The rule's (or the policy's) help text, interpolated.
    pub help: Option<String>,
    /// Where the violating value is in the export (None: nowhere in particular).
    pub loc: Option<Loc>,
    /// Related locations: where the evidence against the value is (`report [target, ...]`).
    pub related: Vec<Loc>,
    /// `collection/identity` of the first `for` binding's record.
    pub entity: Option<String>,
    /// Index of the rule in its policy.
    pub rule: usize,
    /// Byte ranges of `message` that are interpolated values (names, ids), not policy text.
    pub message_values: Vec<std::ops::Range<usize>>,
    /// Byte ranges of `help` that are interpolated values.
    pub help_values: Vec<std::ops::Range<usize>>,
}

/// A rule, or one entity of a rule, that could not be judged because its data is absent or
/// incomplete in the export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// Index of the rule in its policy (0-based).
    pub rule: usize,
    /// The rule's short label (`for u in users`).
    pub label: String,
    /// The record passed over (`collection/identity`, as a finding's entity begins), when only
    /// one entity's data is incomplete.
    pub entity: Option<String>,
    /// Why it could not be judged ("no user licence data in the export").
    pub reason: String,
}

/// The result of running a policy on a model.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Every rule ran on all its data.
    Findings(Vec<Finding>),
    /// Some rules ran; others, or some entities of a rule, were not judged.
    Partial(Vec<Finding>, Vec<Skipped>),
    /// No rule could run: the data it reads is absent from the export.
    NotEvaluated(String),
}

impl PolicyMeta {
    /// A text as written in the policy (`{expr}` interpolations, `{{` and `}}` for braces)
    /// rendered with the policy's parameter values ([`ParamInfo::default`], or the configured
    /// ones in [`crate::policy::CompiledPolicy::meta_with_params`]'s result), as a violation
    /// would render them. An interpolation of anything else, known only for one violation (a
    /// field of the entity, a `let`), becomes `<expr>`.
    pub fn render(&self, text: &str) -> String {
        let mut out = String::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    out.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    out.push('}');
                }
                '{' => {
                    let mut depth = 1usize;
                    let mut expr = String::new();
                    for c in chars.by_ref() {
                        match c {
                            '{' => depth += 1,
                            '}' => depth -= 1,
                            _ => {}
                        }
                        if depth == 0 {
                            break;
                        }
                        expr.push(c);
                    }
                    let name = expr.trim();
                    match self.params.iter().find(|p| p.name == name) {
                        Some(p) => write_value(&p.default, &mut out),
                        None => {
                            out.push('<');
                            out.push_str(name);
                            out.push('>');
                        }
                    }
                }
                c => out.push(c),
            }
        }
        out
    }

    /// The policy-level help (the first rule's when the policy has none) rendered with the
    /// parameter values (see [`PolicyMeta::render`]).
    pub fn rendered_help(&self) -> Option<String> {
        self.help.as_deref().map(|h| self.render(h.trim()))
    }

    /// How to fix what the policy finds, rendered with the parameter values: the one help of
    /// its rules when they share it, else a line per help (`label, label: help`, the labels of
    /// the rules that give it, a rule's text when it has no label); None when no rule has a
    /// help.
    pub fn rendered_fixes(&self) -> Option<String> {
        let helps: Vec<Option<String>> = self
            .rules
            .iter()
            .map(|r| r.help.as_deref().map(|h| self.render(h.trim())))
            .collect();
        match helps.first() {
            None => self.rendered_help(),
            Some(first) if helps.iter().all(|h| h == first) => first.clone(),
            Some(_) => {
                // Each help once, after the labels of the rules that give it, in rule order.
                let mut by_help: Vec<(String, Vec<&str>)> = Vec::new();
                for (r, h) in self.rules.iter().zip(helps) {
                    let Some(h) = h else {
                        continue;
                    };
                    let label = r.label.as_deref().unwrap_or(&r.text);
                    match by_help.iter_mut().find(|(seen, _)| *seen == h) {
                        Some((_, labels)) => labels.push(label),
                        None => by_help.push((h, vec![label])),
                    }
                }
                let lines: Vec<String> = by_help
                    .iter()
                    .map(|(h, labels)| format!("{}: {h}", labels.join(", ")))
                    .collect();
                Some(lines.join("\n"))
            }
        }
    }

    /// The metadata with the parameter values of `edition` (`crate::edition::PARAMS`) in
    /// place of the policy file's defaults.
    pub fn with_edition_params(mut self, edition: &str) -> PolicyMeta {
        for e in crate::edition::PARAMS
            .iter()
            .filter(|e| e.edition == edition && e.policy == self.id)
        {
            if let Some(p) = self.params.iter_mut().find(|p| p.name == e.param) {
                p.default = match e.value {
                    crate::edition::ParamValue::Bool(b) => Value::Bool(b),
                    crate::edition::ParamValue::Strings(list) => {
                        Value::List(list.iter().map(|s| Value::Str((*s).into())).collect())
                    }
                };
            }
        }
        self
    }

    /// Whether the policy belongs to `edition` (a policy that names no edition belongs to
    /// every one).
    pub fn in_edition(&self, edition: &str) -> bool {
        self.editions.is_empty() || self.editions.iter().any(|e| e == edition)
    }

    /// The editions the policy belongs to, for display (every known edition when it names
    /// none).
    pub fn membership(&self) -> Vec<&str> {
        if self.editions.is_empty() {
            crate::edition::EDITIONS.iter().map(|e| e.name).collect()
        } else {
            self.editions.iter().map(String::as_str).collect()
        }
    }

    /// The page the policy cites in `edition`, if it cites one.
    pub fn citation(&self, edition: &str) -> Option<&Citation> {
        self.citations.iter().find(|c| c.edition == edition)
    }

    /// The metadata as `edition` presents it: the documentation link is the page the policy
    /// cites there.
    pub fn in_edition_view(mut self, edition: &str) -> PolicyMeta {
        if let Some(url) = self.citation(edition).map(|c| c.url.clone()) {
            self.docs = Some(url);
        }
        self
    }
}
