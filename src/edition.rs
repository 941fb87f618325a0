//! Editions of the built-in catalogue: one per state of Microsoft's service pages that users buy
//! against. An edition has a name (`YYYY-MM`, the month of its newest page), a title and the
//! parameter values that differ from one edition to the other. Which policies belong to an
//! edition, and the page each cites there, is written in the policy files themselves
//! (`editions` and `cite`, see `docs/language.md`); a policy without `editions` (an
//! organisation's own) belongs to every edition.
//!
//! Precedence of the edition of a run: `--edition`, then `edition` in `dexlint.toml`, then
//! [`DEFAULT`] (the newest).

use std::collections::BTreeMap;

/// One edition of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edition {
    /// `YYYY-MM`, as given to `--edition` and `edition = "..."`.
    pub name: &'static str,
    /// The service it describes, as Microsoft names it on those pages.
    pub title: &'static str,
    /// The newest `ms.date` of the pages it follows (ISO 8601).
    pub date: &'static str,
}

/// Every edition, oldest first.
pub static EDITIONS: &[Edition] = &[
    Edition {
        name: "2025-08",
        title: "Microsoft Defender Experts for XDR",
        date: "2025-08-01",
    },
    Edition {
        name: "2026-07",
        title: "Microsoft Defender Experts MDR and standalone Defender Experts for Servers",
        date: "2026-07-29",
    },
];

/// The edition used when none is chosen: the newest.
pub const DEFAULT: &str = "2026-07";

/// A parameter value of one policy in one edition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EditionParam {
    /// The edition's name (`2026-07`).
    pub edition: &'static str,
    /// The policy's id (`DEX201`).
    pub policy: &'static str,
    /// The parameter's name, as in the policy file.
    pub param: &'static str,
    /// Its value in that edition.
    pub value: ParamValue,
}

/// The value of an [`EditionParam`]: a list of strings (service plan names, declaration product
/// keys, cloud environments) or a switch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamValue {
    /// A list of strings.
    Strings(&'static [&'static str]),
    /// A switch.
    Bool(bool),
}

impl ParamValue {
    /// As a configuration value (the shape `dexlint.toml` parameters take).
    pub fn to_json(self) -> serde_json::Value {
        match self {
            ParamValue::Strings(list) => serde_json::Value::Array(
                list.iter()
                    .map(|s| serde_json::Value::String((*s).to_string()))
                    .collect(),
            ),
            ParamValue::Bool(b) => serde_json::Value::Bool(b),
        }
    }

    /// As written in the policy language: `["A", "B"]`, `true`.
    pub fn text(self) -> String {
        match self {
            ParamValue::Strings(list) => format!(
                "[{}]",
                list.iter()
                    .map(|s| format!("{s:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            ParamValue::Bool(b) => b.to_string(),
        }
    }
}

const DEX104_2025: &[&str] = &[
    "WINDEFATP",
    "THREAT_INTELLIGENCE",
    "ATA",
    "ADALLOM_S_STANDALONE",
];
const DEX104_2026: &[&str] = &[
    "WINDEFATP",
    "THREAT_INTELLIGENCE",
    "ATA",
    "ADALLOM_S_STANDALONE",
    "AAD_PREMIUM_P2",
];

/// Parameter values that differ between editions. A policy's own default applies where no row
/// names it; a value set in `dexlint.toml` overrides both.
pub static PARAMS: &[EditionParam] = &[
    // Only the 2025-08 page says "licensed for all users": in 2026-07 a leftover SKU is not
    // reported for giving too few P1 units for the users.
    EditionParam {
        edition: "2025-08",
        policy: "DEX103",
        param: "all_users",
        value: ParamValue::Bool(true),
    },
    EditionParam {
        edition: "2026-07",
        policy: "DEX103",
        param: "all_users",
        value: ParamValue::Bool(false),
    },
    // Before you begin (XDR), "Prerequisites and licensing": Defender for Endpoint (kept as
    // `WINDEFATP`, the plan the catalogue has always counted), Office 365 P2, Identity, Cloud Apps.
    EditionParam {
        edition: "2025-08",
        policy: "DEX104",
        param: "eligible_plans",
        value: ParamValue::Strings(DEX104_2025),
    },
    // MDR prerequisites, "Service coverage prerequisites": Endpoint P2 (not Plan 1,
    // `MDE_LITE`), Office 365 P2, Identity, Cloud Apps, Entra ID P2.
    EditionParam {
        edition: "2026-07",
        policy: "DEX104",
        param: "eligible_plans",
        value: ParamValue::Strings(DEX104_2026),
    },
    EditionParam {
        edition: "2025-08",
        policy: "DEX201",
        param: "eligible",
        value: ParamValue::Strings(&["mde", "mdo", "mdi", "mdca"]),
    },
    EditionParam {
        edition: "2026-07",
        policy: "DEX201",
        param: "eligible",
        value: ParamValue::Strings(&["mde", "mdo", "mdi", "mdca", "entra_p2"]),
    },
    // 2026-07 reports AWS and GCP auto-provisioning as DEX306; DEX303 keeps the Azure setting.
    EditionParam {
        edition: "2025-08",
        policy: "DEX303",
        param: "environments",
        value: ParamValue::Strings(&["Azure", "AWS", "GCP"]),
    },
    EditionParam {
        edition: "2026-07",
        policy: "DEX303",
        param: "environments",
        value: ParamValue::Strings(&["Azure"]),
    },
];

/// An edition name that is not one of [`EDITIONS`] (a usage error, exit 2).
#[derive(Debug, Clone, thiserror::Error, miette::Diagnostic)]
#[error("unknown edition `{name}`")]
#[diagnostic(code(dexlint::edition), help("{}", known_help()))]
pub struct UnknownEdition {
    /// The name as given (`--edition` or `edition` in `dexlint.toml`).
    pub name: String,
}

/// The edition named `name`.
pub fn find(name: &str) -> Option<&'static Edition> {
    EDITIONS.iter().find(|e| e.name == name)
}

/// `known editions: 2025-08 (…), 2026-07 (…, the default)`.
pub fn known_help() -> String {
    let list: Vec<String> = EDITIONS
        .iter()
        .map(|e| {
            let default = if e.name == DEFAULT {
                ", the default"
            } else {
                ""
            };
            format!("`{}` ({}{default})", e.name, e.title)
        })
        .collect();
    format!("known editions: {}", list.join(", "))
}

/// The edition of a run: the first of `choices` given (command line, configuration), else
/// [`DEFAULT`].
pub fn resolve(choices: &[Option<&str>]) -> Result<&'static Edition, UnknownEdition> {
    let name = choices.iter().flatten().next().copied().unwrap_or(DEFAULT);
    find(name).ok_or_else(|| UnknownEdition {
        name: name.to_string(),
    })
}

/// The parameter values the edition gives a policy.
pub fn params(edition: &str, policy: &str) -> BTreeMap<String, serde_json::Value> {
    PARAMS
        .iter()
        .filter(|p| p.edition == edition && p.policy == policy)
        .map(|p| (p.param.to_string(), p.value.to_json()))
        .collect()
}

/// The edition's parameter values of a policy, overridden by `configured` (`dexlint.toml`).
pub fn merged_params(
    edition: &str,
    policy: &str,
    configured: Option<&BTreeMap<String, serde_json::Value>>,
) -> BTreeMap<String, serde_json::Value> {
    let mut out = params(edition, policy);
    if let Some(c) = configured {
        out.extend(c.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_the_newest_and_known() {
        assert_eq!(EDITIONS.last().map(|e| e.name), Some(DEFAULT));
        assert_eq!(resolve(&[None, None]).map(|e| e.name).ok(), Some(DEFAULT));
        assert_eq!(
            resolve(&[None, Some("2025-08")]).map(|e| e.name).ok(),
            Some("2025-08")
        );
        assert!(resolve(&[Some("2024-10"), Some("2025-08")]).is_err());
    }

    #[test]
    fn every_edition_param_names_a_known_edition() {
        assert!(PARAMS.iter().all(|p| find(p.edition).is_some()));
    }
}
