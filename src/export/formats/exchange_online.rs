//! Exchange Online PowerShell exports of Defender for Office 365's configuration, piped to
//! `ConvertTo-Json -Depth 10`: `Get-SafeLinksPolicy`, `Get-SafeLinksRule`,
//! `Get-SafeAttachmentPolicy`, `Get-SafeAttachmentRule`, `Get-ATPProtectionPolicyRule` (the
//! Standard and Strict preset security policies), `Get-ATPBuiltInProtectionRule` (built-in
//! protection), `Get-ATPEvaluationRule` (the evaluation in audit mode) and
//! `Get-AtpPolicyForO365` (Safe Attachments for SharePoint, OneDrive and Teams). Each object
//! becomes an `office_policies` record; each file also adds a record of kind `export` naming
//! the cmdlet, so that an empty output (`[]`) still shows the list was exported.
//!
//! Sources (learn.microsoft.com): the cmdlet pages of the `exchangepowershell` module
//! (MicrosoftDocs/office-docs-powershell `exchange/exchange-ps/exchange/*.md`), and the
//! Defender for Office 365 pages "Preset security policies" (rule names `Standard Preset
//! Security Policy`, `Strict Preset Security Policy`, `ATP Built-In Protection Rule`;
//! policies' `RecommendedPolicyType` `Standard`, `Strict`) and "Try Microsoft Defender for
//! Office 365" (evaluation policies with `RecommendedPolicyType` `Evaluation`, Safe Attachments
//! `Action` `Allow`; the rule `Evaluation Rule` of `Get-ATPEvaluationRule`, whose `State`
//! `Enabled` or `Disabled` turns the evaluation on or off).
//!
//! Documents are recognised by the property set of the cmdlet's objects, never by name alone:
//! a Safe Links policy has `EnableSafeLinksForEmail` (or `EnableSafeLinksForTeams`, or
//! `ScanUrls` with `TrackClicks`); a Safe Attachments policy `Action` and `Enable` with
//! `Redirect`, `RedirectAddress` or `ActionOnError`; `Get-AtpPolicyForO365`
//! `EnableATPForSPOTeamsODB`; a rule `State` and `Priority` with its recipient conditions, and
//! `SafeLinksPolicy` and/or `SafeAttachmentPolicy` (the documented rule names tell preset,
//! built-in and evaluation rules apart). Only an empty array is recognised by its file name
//! (`safelinksrule.json`...), since it has no objects to look at.
//!
//! `ConvertTo-Json` writes one object for a cmdlet that returned one, an array otherwise; keys
//! are PascalCase (matched in any case); booleans may be `true` or `"True"`. `State`, `Action`
//! and `RecommendedPolicyType` are read as the strings Exchange Online PowerShell writes; a
//! number (an enumeration serialised by its value, which Microsoft does not document) or an
//! undocumented string is a warning at the value, and the field is left unknown. A list cut
//! off by `ConvertTo-Json`'s depth is an error and a gap (see [`Builder::nested`]).

use crate::export::json::{put, At, Conv};
use crate::export::tree::Kind;
use crate::export::Builder;
use crate::model::schema;
use crate::model::{Record, Value};

/// The cmdlet whose output a document holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmdlet {
    SafeLinksPolicy,
    SafeLinksRule,
    SafeAttachmentPolicy,
    SafeAttachmentRule,
    PresetRule,
    BuiltInRule,
    EvaluationRule,
    AtpPolicyForO365,
}

impl Cmdlet {
    /// The cmdlet's name.
    fn name(self) -> &'static str {
        match self {
            Cmdlet::SafeLinksPolicy => "Get-SafeLinksPolicy",
            Cmdlet::SafeLinksRule => "Get-SafeLinksRule",
            Cmdlet::SafeAttachmentPolicy => "Get-SafeAttachmentPolicy",
            Cmdlet::SafeAttachmentRule => "Get-SafeAttachmentRule",
            Cmdlet::PresetRule => "Get-ATPProtectionPolicyRule",
            Cmdlet::BuiltInRule => "Get-ATPBuiltInProtectionRule",
            Cmdlet::EvaluationRule => "Get-ATPEvaluationRule",
            Cmdlet::AtpPolicyForO365 => "Get-AtpPolicyForO365",
        }
    }

    /// The `kind` of its records.
    fn kind(self) -> &'static str {
        match self {
            Cmdlet::SafeLinksPolicy => "safe_links_policy",
            Cmdlet::SafeLinksRule => "safe_links_rule",
            Cmdlet::SafeAttachmentPolicy => "safe_attachments_policy",
            Cmdlet::SafeAttachmentRule => "safe_attachments_rule",
            Cmdlet::PresetRule => "preset_rule",
            Cmdlet::BuiltInRule => "builtin_rule",
            Cmdlet::EvaluationRule => "evaluation_rule",
            Cmdlet::AtpPolicyForO365 => "atp_o365",
        }
    }

    /// Every cmdlet, for file names.
    const ALL: [Cmdlet; 8] = [
        Cmdlet::SafeLinksPolicy,
        Cmdlet::SafeLinksRule,
        Cmdlet::SafeAttachmentPolicy,
        Cmdlet::SafeAttachmentRule,
        Cmdlet::PresetRule,
        Cmdlet::BuiltInRule,
        Cmdlet::EvaluationRule,
        Cmdlet::AtpPolicyForO365,
    ];
}

/// Rule names fixed by Microsoft ("Preset security policies", "Try Microsoft Defender for
/// Office 365").
pub const BUILT_IN_RULE: &str = "ATP Built-In Protection Rule";
/// The preset security policies' rule names.
pub const PRESET_RULES: [&str; 2] = [
    "Standard Preset Security Policy",
    "Strict Preset Security Policy",
];
/// The evaluation's rule name.
pub const EVALUATION_RULE: &str = "Evaluation Rule";

/// Documented `Action` values of a Safe Attachments policy (`Replace` is deprecated but may
/// still be returned).
const ACTIONS: &[&str] = &["Allow", "Block", "DynamicDelivery", "Replace"];

/// Documented `State` values of a rule.
const STATES: &[&str] = &["Enabled", "Disabled"];

/// `RecommendedPolicyType` values documented for Safe Links and Safe Attachments policies.
const POLICY_TYPES: &[&str] = &[
    "Custom",
    "Standard",
    "Strict",
    "Evaluation",
    "BuiltInProtection",
];

/// Reads an Exchange Online PowerShell export of Defender for Office 365; false when the
/// document is not one.
pub fn read(b: &mut Builder, doc: &At<'_>, rel: &str) -> bool {
    let items = if doc.is_array() {
        doc.items()
    } else if doc.is_object() {
        vec![*doc]
    } else {
        return false;
    };
    let cmdlet = match items.first() {
        None => match by_file_name(rel) {
            Some(c) => c,
            None => return false,
        },
        Some(first) => match recognise(first) {
            Some(c) => c,
            None => return false,
        },
    };
    b.touch("office_policies");
    let mut export = Record::new(&schema::OFFICE_POLICY, Some(doc.loc()));
    export.set("kind", Value::Str("export".into()), None);
    export.set("name", Value::Str(cmdlet.name().into()), None);
    export.set("source", Value::Str("exchange-online".into()), None);
    b.push("office_policies", export);
    for item in &items {
        if !item.is_object() {
            b.shape_error(
                item,
                &format!(
                    "expected an object of `{}`, as the other elements of this array",
                    cmdlet.name()
                ),
            );
            continue;
        }
        match recognise(item) {
            Some(c) if c == cmdlet => object(b, cmdlet, item),
            other => {
                let found = other.map_or("an object dexlint does not read".to_string(), |c| {
                    format!("an object of `{}`", c.name())
                });
                b.shape_error(
                    item,
                    &format!(
                        "{found} in an array of `{}` output: save each cmdlet's output to its \
                         own file (docs/exporting.md, \"Exchange Online PowerShell\")",
                        cmdlet.name()
                    ),
                );
                b.gap(
                    "office_policies",
                    None,
                    None,
                    format!(
                        "the `{}` output in `{}` could not be read whole",
                        cmdlet.name(),
                        b.rel()
                    ),
                    item,
                );
            }
        }
    }
    true
}

/// Whether `name` is the file docs/exporting.md saves a cmdlet's output to in `exo/`:
/// `<cmdlet>.json` (any case).
pub fn documented_file(name: &str) -> bool {
    name.strip_suffix(".json").is_some_and(|stem| {
        Cmdlet::ALL
            .iter()
            .any(|c| c.name().eq_ignore_ascii_case(stem))
    })
}

/// The cmdlet whose output an empty file at `rel` is, from its file name (as for an empty
/// array: see [`by_file_name`]).
pub fn cmdlet_of_file(rel: &str) -> Option<&'static str> {
    by_file_name(rel).map(Cmdlet::name)
}

/// The cmdlet of an empty array, from its file name (`Get-SafeLinksRule.json`,
/// `safelinksrules.json`...): the name without separators must contain the cmdlet's noun.
fn by_file_name(rel: &str) -> Option<Cmdlet> {
    let file = rel.rsplit('/').next()?.to_ascii_lowercase();
    let flat: String = file.chars().filter(char::is_ascii_alphanumeric).collect();
    Cmdlet::ALL.into_iter().find(|c| {
        let noun: String = c
            .name()
            .trim_start_matches("Get-")
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        flat.contains(&noun)
    })
}

/// The cmdlet an object comes from, by its properties.
fn recognise(item: &At<'_>) -> Option<Cmdlet> {
    if !item.is_object() || item.get("@odata.context").is_some() {
        return None;
    }
    let has = |k: &str| item.get(k).is_some();
    if has("EnableSafeLinksForEmail")
        || has("EnableSafeLinksForTeams")
        || (has("ScanUrls") && has("TrackClicks"))
    {
        return Some(Cmdlet::SafeLinksPolicy);
    }
    if has("Action")
        && has("Enable")
        && (has("Redirect") || has("RedirectAddress") || has("ActionOnError"))
    {
        return Some(Cmdlet::SafeAttachmentPolicy);
    }
    if has("EnableATPForSPOTeamsODB") {
        return Some(Cmdlet::AtpPolicyForO365);
    }
    let rule = has("State")
        && has("Priority")
        && [
            "SentTo",
            "SentToMemberOf",
            "RecipientDomainIs",
            "Conditions",
        ]
        .iter()
        .any(|k| has(k));
    if !rule {
        return None;
    }
    let name = rule_name(item).unwrap_or_default();
    let links = has("SafeLinksPolicy");
    let attachments = has("SafeAttachmentPolicy");
    let eop = [
        "HostedContentFilterPolicy",
        "MalwareFilterPolicy",
        "AntiPhishPolicy",
    ]
    .iter()
    .any(|k| has(k));
    if name.eq_ignore_ascii_case(EVALUATION_RULE) && !eop {
        return Some(Cmdlet::EvaluationRule);
    }
    match (links, attachments) {
        (true, true) if name.eq_ignore_ascii_case(BUILT_IN_RULE) => Some(Cmdlet::BuiltInRule),
        (true, true) => Some(Cmdlet::PresetRule),
        (true, false) => Some(Cmdlet::SafeLinksRule),
        (false, true) => Some(Cmdlet::SafeAttachmentRule),
        (false, false) => None,
    }
}

/// `Name`, else `Identity`.
fn rule_name(item: &At<'_>) -> Option<String> {
    item.get("Name")
        .and_then(|n| n.text())
        .or_else(|| item.get("Identity").and_then(|n| n.text()))
}

/// One object of `cmdlet`.
fn object(b: &mut Builder, cmdlet: Cmdlet, item: &At<'_>) {
    let mut r = Record::new(&schema::OFFICE_POLICY, Some(item.loc()));
    r.set("kind", Value::Str(cmdlet.kind().into()), None);
    r.set("source", Value::Str("exchange-online".into()), None);
    put(&mut r, "name", item, "Identity", Conv::Text);
    put(&mut r, "name", item, "Name", Conv::Text);
    match cmdlet {
        Cmdlet::SafeLinksPolicy => {
            let switches: Vec<At<'_>> = [
                "EnableSafeLinksForEmail",
                "EnableSafeLinksForTeams",
                "EnableSafeLinksForOffice",
                "IsEnabled",
            ]
            .iter()
            .filter_map(|k| item.get(k))
            .collect();
            let on = switches.iter().find(|s| s.boolean() == Some(true));
            let off = switches.iter().find(|s| s.boolean() == Some(false));
            match (on, off) {
                (Some(s), _) | (None, Some(s)) => {
                    r.set("enabled", Value::Bool(on.is_some()), Some(s.loc()));
                }
                (None, None) => {
                    if let Some(s) = switches.first() {
                        b.warning(
                            s,
                            "expected `true` or `false`; whether the policy is on is unknown",
                        );
                    }
                }
            }
            policy_fields(b, &mut r, item);
        }
        Cmdlet::SafeAttachmentPolicy => {
            boolean(b, &mut r, "enabled", item, "Enable");
            enumeration(b, &mut r, "action", item, "Action", ACTIONS);
            policy_fields(b, &mut r, item);
        }
        Cmdlet::AtpPolicyForO365 => {
            boolean(b, &mut r, "enabled", item, "EnableATPForSPOTeamsODB");
        }
        Cmdlet::SafeLinksRule
        | Cmdlet::SafeAttachmentRule
        | Cmdlet::PresetRule
        | Cmdlet::BuiltInRule
        | Cmdlet::EvaluationRule => rule(b, &mut r, cmdlet, item),
    }
    b.push("office_policies", r);
}

/// `RecommendedPolicyType` and `IsBuiltInProtection` of a policy.
fn policy_fields(b: &mut Builder, r: &mut Record, item: &At<'_>) {
    enumeration(
        b,
        r,
        "policy_type",
        item,
        "RecommendedPolicyType",
        POLICY_TYPES,
    );
    boolean(b, r, "built_in", item, "IsBuiltInProtection");
}

/// A rule: its state, the policies it applies, its recipients and priority.
fn rule(b: &mut Builder, r: &mut Record, cmdlet: Cmdlet, item: &At<'_>) {
    if enumeration(b, r, "state", item, "State", STATES) {
        if let Some(state) = r.get("state").cloned() {
            let on = state.as_str() == Some("Enabled");
            r.set("enabled", Value::Bool(on), state.loc());
        }
    }
    put(r, "safe_links_policy", item, "SafeLinksPolicy", Conv::Text);
    put(
        r,
        "safe_attachments_policy",
        item,
        "SafeAttachmentPolicy",
        Conv::Text,
    );
    put(r, "priority", item, "Priority", Conv::Int);
    if cmdlet == Cmdlet::PresetRule {
        let name = rule_name(item).unwrap_or_default();
        if !PRESET_RULES.iter().any(|p| p.eq_ignore_ascii_case(&name)) {
            if let Some(at) = item.get("Name").or_else(|| item.get("Identity")) {
                b.warning(
                    &at,
                    &format!(
                        "undocumented preset security policy rule `{name}` (documented: {}); \
                         the rule is kept",
                        PRESET_RULES.join(", ")
                    ),
                );
            }
        }
    }
    let mut recipients: Vec<Value> = Vec::new();
    let mut loc = None;
    for key in ["SentTo", "SentToMemberOf", "RecipientDomainIs"] {
        let Some(at) = item.get(key) else {
            continue;
        };
        if matches!(at.v.kind, Kind::Null) {
            continue;
        }
        // One recipient is written as a string, several as an array.
        let list = match at.as_str() {
            Some(s) if !crate::export::json::powershell_truncated(s) && !s.is_empty() => {
                recipients.push(Value::Str(at.shared(s)));
                loc.get_or_insert(at.loc());
                continue;
            }
            _ => b.nested(
                at,
                true,
                "rule recipients",
                ("office_policies", Some("recipients"), None),
            ),
        };
        if let Some(list) = list {
            loc.get_or_insert(list.loc());
            for x in list.items() {
                match x.as_str() {
                    Some(s) if crate::export::json::powershell_truncated(s) => {
                        b.nested(
                            x,
                            false,
                            "rule recipients",
                            ("office_policies", Some("recipients"), None),
                        );
                    }
                    Some(s) => recipients.push(Value::Str(x.shared(s))),
                    None => b.shape_error(&x, "expected a recipient, group or domain as a string"),
                }
            }
        }
    }
    if let Some(loc) = loc {
        r.set("recipients", Value::List(recipients.into()), Some(loc));
    } else if item.get("SentTo").is_some() {
        r.set("recipients", Value::List(Vec::new().into()), None);
    }
}

/// Sets a boolean field from `key` (`true`, `"True"`...); anything else is a warning.
fn boolean(b: &mut Builder, r: &mut Record, field: &str, item: &At<'_>, key: &str) {
    let Some(at) = item.get(key) else {
        return;
    };
    match at.boolean() {
        Some(v) => {
            r.set(field, Value::Bool(v), Some(at.loc()));
        }
        None if matches!(at.v.kind, Kind::Null) => {}
        None => b.warning(
            &at,
            &format!("expected `{key}` to be `true` or `false`; the value is left unknown"),
        ),
    }
}

/// Sets `field` from the enumeration `key`: a documented string (any case) in its documented
/// spelling; a number or an undocumented string is a warning and leaves the field unknown.
/// True when the field was set.
fn enumeration(
    b: &mut Builder,
    r: &mut Record,
    field: &str,
    item: &At<'_>,
    key: &str,
    known: &[&str],
) -> bool {
    let Some(at) = item.get(key) else {
        return false;
    };
    if matches!(at.v.kind, Kind::Null) {
        return false;
    }
    let found = at
        .as_str()
        .and_then(|s| known.iter().find(|k| k.eq_ignore_ascii_case(s.trim())));
    match found {
        Some(k) => {
            r.set(field, Value::Str(at.shared(k)), Some(at.loc()));
            true
        }
        None => {
            let written = at.text().unwrap_or_default();
            let why = if matches!(at.v.kind, Kind::Number(_)) {
                "a number (Microsoft documents the names only; in PowerShell 7 \
                 `ConvertTo-Json -EnumsAsStrings` writes them)"
            } else {
                "undocumented"
            };
            b.warning(
                &at,
                &format!(
                    "`{key}` `{written}` is {why} (documented: {}); the object is kept, its \
                     `{field}` unknown",
                    known.join(", ")
                ),
            );
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_outputs_by_file_name() {
        assert_eq!(
            by_file_name("exo/Get-SafeLinksRule.json"),
            Some(Cmdlet::SafeLinksRule)
        );
        assert_eq!(
            by_file_name("exo/safelinksrule.json"),
            Some(Cmdlet::SafeLinksRule)
        );
        assert_eq!(
            by_file_name("exo/ATPProtectionPolicyRule.json"),
            Some(Cmdlet::PresetRule)
        );
        assert_eq!(by_file_name("exo/users.json"), None);
    }
}
