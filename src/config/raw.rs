//! The raw TOML of `dexlint.toml`, as serde reads it (kebab-case keys, unknown keys refused,
//! spans kept for error labels); `Config::parse` checks it into a [`super::Config`].

use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawConfig {
    pub(super) edition: Option<Spanned<String>>,
    pub(super) fail_level: Option<Spanned<String>>,
    pub(super) fail_on_not_evaluated: Option<bool>,
    pub(super) one_tenant: Option<bool>,
    pub(super) baseline: Option<String>,
    #[serde(default)]
    pub(super) policies: Vec<String>,
    #[serde(default)]
    pub(super) exports: Vec<String>,
    #[serde(default)]
    pub(super) include: Vec<String>,
    #[serde(default)]
    pub(super) exclude: Vec<String>,
    pub(super) max_file_bytes: Option<u64>,
    pub(super) eval_budget: Option<Spanned<u64>>,
    pub(super) max_json_depth: Option<Spanned<usize>>,
    pub(super) max_policy_nesting: Option<Spanned<usize>>,
    #[serde(default)]
    pub(super) enable: Vec<Spanned<String>>,
    #[serde(default)]
    pub(super) disable: Vec<Spanned<String>>,
    #[serde(default)]
    pub(super) policy: BTreeMap<Spanned<String>, RawPolicy>,
    #[serde(default)]
    pub(super) waiver: Vec<Spanned<RawWaiver>>,
}

/// Only the `[policy.ID]` tables of a document whose other keys are not configuration (a test
/// case's `case.toml`).
#[derive(Debug, Default, Deserialize)]
pub(super) struct RawPolicyTables {
    #[serde(default)]
    pub(super) policy: BTreeMap<Spanned<String>, RawPolicy>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPolicy {
    pub(super) severity: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) params: BTreeMap<Spanned<String>, Spanned<toml::Value>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawWaiver {
    pub(super) policy: Spanned<String>,
    pub(super) file: Option<Spanned<String>>,
    pub(super) pointer: Option<Spanned<String>>,
    pub(super) entity: Option<Spanned<String>>,
    pub(super) reason: Spanned<String>,
    pub(super) expires: Option<Spanned<toml::value::Datetime>>,
}
