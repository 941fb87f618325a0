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
    pub(super) include: Vec<Spanned<String>>,
    #[serde(default)]
    pub(super) exclude: Vec<Spanned<String>>,
    pub(super) max_file_bytes: Option<Spanned<Count>>,
    pub(super) eval_budget: Option<Spanned<Count>>,
    pub(super) max_json_depth: Option<Spanned<Count>>,
    pub(super) max_policy_nesting: Option<Spanned<Count>>,
    #[serde(default)]
    pub(super) enable: Vec<Spanned<String>>,
    #[serde(default)]
    pub(super) disable: Vec<Spanned<String>>,
    #[serde(default)]
    pub(super) policy: BTreeMap<Spanned<String>, RawPolicy>,
    #[serde(default)]
    pub(super) waiver: Vec<Spanned<RawWaiver>>,
}

/// A limit's value: a TOML integer of 0 or more. Read by its own visitor so that a wrong value
/// is told as "expected a whole number", not in Rust's terms (`u64`); the range a
/// key allows is checked after (`super::limit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Count(pub(super) u64);

impl<'de> Deserialize<'de> for Count {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Count;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a whole number")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Count, E> {
                Ok(Count(v))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Count, E> {
                u64::try_from(v)
                    .map(Count)
                    .map_err(|_| E::invalid_value(serde::de::Unexpected::Signed(v), &self))
            }
        }
        d.deserialize_u64(Visitor)
    }
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
