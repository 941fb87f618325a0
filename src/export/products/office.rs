//! Defender for Office 365's deployment state from Exchange Online PowerShell exports (the
//! `office_policies` collection, read by [`crate::export::formats::exchange_online`]).
//!
//! Pages followed (learn.microsoft.com/defender-office-365): "Preset security policies in EOP
//! and Microsoft Defender for Office 365" (preset-security-policies: the Standard and Strict
//! presets are on when their `Get-ATPProtectionPolicyRule` rule is `Enabled`; built-in
//! protection is the `ATP Built-In Protection Rule` with the `Built-In Protection Policy`
//! Safe Links and Safe Attachments policies, `IsBuiltInProtection` true; there is no cmdlet to
//! disable it), "Set up Safe Links policies" and "Set up Safe Attachments policies" (a custom
//! policy applies only through its rule, `Get-SafeLinksRule` / `Get-SafeAttachmentRule`, whose
//! `State` is `Enabled` or `Disabled`; Safe Attachments `Action` `Block` or `DynamicDelivery`
//! acts on malware, `Allow` delivers it and only reports), "Safe Attachments for SharePoint,
//! OneDrive, and Microsoft Teams" (`Get-AtpPolicyForO365` `EnableATPForSPOTeamsODB`), and "Try
//! Microsoft Defender for Office 365" (in audit mode, the evaluation policies,
//! `RecommendedPolicyType` `Evaluation`, observe and take no action; the `Evaluation Rule` of
//! `Get-ATPEvaluationRule` turns the evaluation on or off).
//!
//! The logic, first match wins:
//!
//! 1. **Active** when a protection acts on mail or files: built-in protection (a Safe Links
//!    policy with `IsBuiltInProtection` and a Safe Links switch on, or such a Safe Attachments
//!    policy with `Enable` and an acting `Action`) whose `Get-ATPBuiltInProtectionRule` rule
//!    was exported `Enabled`; a
//!    preset rule `Enabled`; a custom Safe Links policy on (`EnableSafeLinksForEmail`,
//!    `...ForTeams` or `...ForOffice`) whose rule is `Enabled`; a custom Safe Attachments
//!    policy with `Enable` true and `Action` `Block`, `DynamicDelivery` or `Replace` whose rule
//!    is `Enabled`; or `EnableATPForSPOTeamsODB` true.
//! 2. **Undecided** when something not exported or not readable could still be such a
//!    protection: the collection has gaps or files that failed to load; the policy lists
//!    themselves (`Get-SafeLinksPolicy`, `Get-SafeAttachmentPolicy`) are not in the export; a
//!    custom policy is on but its rules were not exported (or its rule's `State`, or its
//!    `Action`, is unknown); a preset policy is on but `Get-ATPProtectionPolicyRule` was not
//!    exported; evaluation policies exist but `Get-ATPEvaluationRule` was not exported;
//!    built-in protection is on but its rule was not exported or its `State` is unreadable;
//!    `Get-AtpPolicyForO365` was not exported, or its `EnableATPForSPOTeamsODB` is unreadable.
//! 3. **Passive** when the only protection on is the evaluation (its rule `Enabled`), or a
//!    custom Safe Attachments policy whose `Action` is `Allow` (deliver and report) under an
//!    enabled rule.
//! 4. **NotDeployed** otherwise: the policies were exported and none of them is on.

use super::{Evidence, Mode};
use crate::export::formats::exchange_online::BUILT_IN_RULE;
use crate::model::{Field, Loc, Record, TenantModel, ValueRef};

/// The cmdlet that shows Safe Attachments for SharePoint, OneDrive and Microsoft Teams.
const ATP_POLICY: &str = "Get-AtpPolicyForO365";

/// Safe Attachments actions that act on malware.
const ACTING: &[&str] = &["Block", "DynamicDelivery", "Replace"];

/// One `office_policies` record.
#[derive(Clone, Copy)]
struct P<'a>(&'a Record);

impl<'a> P<'a> {
    fn text(self, field: &str) -> Option<&'a str> {
        self.0.get(field).and_then(Field::as_str)
    }
    fn flag(self, field: &str) -> Option<bool> {
        match self.0.get(field).map(|f| f.value()) {
            Some(ValueRef::Bool(b)) => Some(b),
            _ => None,
        }
    }
    fn loc(self, field: &str) -> Option<Loc> {
        self.0.get(field).and_then(|f| f.loc()).or(self.0.loc())
    }
    fn kind(self) -> &'a str {
        self.text("kind").unwrap_or("")
    }
    fn name(self) -> &'a str {
        self.text("name").unwrap_or("")
    }
    fn built_in(self) -> bool {
        self.flag("built_in") == Some(true)
            || self
                .text("policy_type")
                .is_some_and(|t| t.eq_ignore_ascii_case("BuiltInProtection"))
    }
    fn policy_type(self) -> &'a str {
        self.text("policy_type").unwrap_or("Custom")
    }
    /// A policy applied by its own rule (not preset, built-in or evaluation).
    fn custom(self) -> bool {
        !self.built_in() && self.policy_type().eq_ignore_ascii_case("Custom")
    }
    /// The policy's protection is on: Safe Links switched on; Safe Attachments enabled with
    /// an acting action (None: the action is unknown).
    fn acting(self) -> Option<bool> {
        match self.kind() {
            "safe_links_policy" => self.flag("enabled"),
            "safe_attachments_policy" => match self.flag("enabled") {
                Some(false) => Some(false),
                Some(true) => self.text("action").map(|a| ACTING.contains(&a)),
                None => None,
            },
            _ => None,
        }
    }
}

/// What the export shows of Defender for Office 365; None when it holds no Office data.
pub fn evidence(model: &TenantModel) -> Option<Evidence> {
    let c = model.collection("office_policies")?;
    if !c.present {
        if c.lost.is_empty() {
            return None;
        }
        return Some(Evidence::Undecided {
            why: format!(
                "the Exchange Online export `{}` failed to load",
                c.lost.join("`, `")
            ),
            loc: None,
        });
    }
    let all: Vec<P<'_>> = c.records.iter().map(P).collect();
    let of =
        |kind: &str| -> Vec<P<'_>> { all.iter().copied().filter(|p| p.kind() == kind).collect() };
    let exported = |cmdlet: &str| {
        all.iter()
            .any(|p| p.kind() == "export" && p.name().eq_ignore_ascii_case(cmdlet))
    };
    let links = of("safe_links_policy");
    let attachments = of("safe_attachments_policy");
    let policies: Vec<P<'_>> = links.iter().chain(&attachments).copied().collect();
    let builtin_rule = of("builtin_rule");
    let preset_rules = of("preset_rule");
    let evaluation_rules = of("evaluation_rule");
    let rules_of = |kind: &str, field: &str, policy: &str| -> Vec<P<'_>> {
        of(kind)
            .into_iter()
            .filter(|r| {
                r.text(field)
                    .is_some_and(|n| n.eq_ignore_ascii_case(policy))
            })
            .collect()
    };
    let rule_kind = |p: P<'_>| match p.kind() {
        "safe_links_policy" => ("safe_links_rule", "safe_links_policy", "Get-SafeLinksRule"),
        _ => (
            "safe_attachments_rule",
            "safe_attachments_policy",
            "Get-SafeAttachmentRule",
        ),
    };
    let what = |p: P<'_>| match p.kind() {
        "safe_links_policy" => "Safe Links",
        _ => "Safe Attachments",
    };

    // 1. Active. Built-in protection counts only with its rule exported and not disabled.
    let builtin_disabled = builtin_rule.iter().any(|r| r.flag("enabled") != Some(true));
    if !builtin_rule.is_empty() && !builtin_disabled {
        if let Some(p) = policies
            .iter()
            .find(|p| p.built_in() && p.acting() == Some(true))
        {
            return Some(shown(
                Mode::Active,
                format!(
                    "built-in protection is on: the {} policy `{}` acts on every recipient not \
                     covered by another policy",
                    what(*p),
                    p.name()
                ),
                p.loc("enabled"),
            ));
        }
    }
    if let Some(r) = preset_rules
        .iter()
        .find(|r| r.flag("enabled") == Some(true))
    {
        return Some(shown(
            Mode::Active,
            format!("the preset security policy `{}` is on", r.name()),
            r.loc("state"),
        ));
    }
    for p in policies
        .iter()
        .filter(|p| p.custom() && p.acting() == Some(true))
    {
        let (kind, field, _) = rule_kind(*p);
        if let Some(r) = rules_of(kind, field, p.name())
            .into_iter()
            .find(|r| r.flag("enabled") == Some(true))
        {
            return Some(shown(
                Mode::Active,
                format!(
                    "the {} policy `{}` is on and its rule `{}` is enabled",
                    what(*p),
                    p.name(),
                    r.name()
                ),
                r.loc("state"),
            ));
        }
    }
    if let Some(p) = of("atp_o365")
        .into_iter()
        .find(|p| p.flag("enabled") == Some(true))
    {
        return Some(shown(
            Mode::Active,
            "Safe Attachments for SharePoint, OneDrive and Microsoft Teams is on \
             (`EnableATPForSPOTeamsODB`)"
                .into(),
            p.loc("enabled"),
        ));
    }

    // 2. Undecided.
    let undecided = |why: String, loc: Option<Loc>| Some(Evidence::Undecided { why, loc });
    if let Some(gap) = c.gaps.first() {
        return undecided(gap.reason.clone(), gap.loc);
    }
    if !c.lost.is_empty() {
        return undecided(
            format!(
                "the Exchange Online export `{}` failed to load",
                c.lost.join("`, `")
            ),
            None,
        );
    }
    if let Some(p) = policies
        .iter()
        .find(|p| p.built_in() && p.acting() == Some(true))
    {
        let state = builtin_rule.iter().find(|r| r.flag("enabled").is_none());
        if builtin_rule.is_empty() || state.is_some() {
            return undecided(
                format!(
                    "built-in protection (the {} policy `{}`) is on, but {}: export \
                     `Get-ATPBuiltInProtectionRule | ConvertTo-Json -Depth 10`",
                    what(*p),
                    p.name(),
                    match state {
                        Some(r) =>
                            format!("the `State` of its rule `{}` could not be read", r.name()),
                        None => "the export holds no `Get-ATPBuiltInProtectionRule` output, which \
                                 shows whether it applies"
                            .to_string(),
                    }
                ),
                state.map_or(p.loc("enabled"), |r| r.loc("state")),
            );
        }
    }
    for cmdlet in ["Get-SafeLinksPolicy", "Get-SafeAttachmentPolicy"] {
        if !exported(cmdlet) {
            return undecided(
                format!(
                    "the export holds no `{cmdlet}` output, which shows the built-in and \
                     custom policies: export `{cmdlet} | ConvertTo-Json -Depth 10`"
                ),
                c.origin,
            );
        }
    }
    for p in policies
        .iter()
        .filter(|p| p.custom() && p.flag("enabled") != Some(false))
    {
        let (kind, field, cmdlet) = rule_kind(*p);
        let rules = rules_of(kind, field, p.name());
        if p.acting().is_none() {
            return undecided(
                format!(
                    "whether the {} policy `{}` acts is unknown (its `Enable` or `Action` could \
                     not be read)",
                    what(*p),
                    p.name()
                ),
                p.loc("action"),
            );
        }
        if rules.is_empty() && !exported(cmdlet) {
            return undecided(
                format!(
                    "the {} policy `{}` is on, but the export holds no `{cmdlet}` output, so \
                     whether a rule applies it is unknown: export `{cmdlet} | ConvertTo-Json \
                     -Depth 10`",
                    what(*p),
                    p.name()
                ),
                p.loc("enabled"),
            );
        }
        if let Some(r) = rules.iter().find(|r| r.flag("enabled").is_none()) {
            return undecided(
                format!(
                    "the {} policy `{}` is on, but the `State` of its rule `{}` could not be read",
                    what(*p),
                    p.name(),
                    r.name()
                ),
                r.loc("state"),
            );
        }
    }
    let preset_on = policies.iter().find(|p| {
        ["Standard", "Strict"]
            .iter()
            .any(|t| t.eq_ignore_ascii_case(p.policy_type()))
    });
    if let Some(p) = preset_on {
        if !exported("Get-ATPProtectionPolicyRule") {
            return undecided(
                format!(
                    "the export holds the {} preset policy `{}` but no \
                     `Get-ATPProtectionPolicyRule` output, which shows whether the preset is on: \
                     export `Get-ATPProtectionPolicyRule | ConvertTo-Json -Depth 10`",
                    p.policy_type(),
                    p.name()
                ),
                p.loc("policy_type"),
            );
        }
    }
    if let Some(r) = preset_rules.iter().find(|r| r.flag("enabled").is_none()) {
        return undecided(
            format!(
                "the `State` of the preset security policy rule `{}` could not be read",
                r.name()
            ),
            r.loc("state"),
        );
    }
    let evaluation = policies
        .iter()
        .find(|p| p.policy_type().eq_ignore_ascii_case("Evaluation"));
    if let Some(p) = evaluation {
        if !exported("Get-ATPEvaluationRule") {
            return undecided(
                format!(
                    "the export holds the evaluation policy `{}` but no `Get-ATPEvaluationRule` \
                     output, which shows whether the evaluation is on: export \
                     `Get-ATPEvaluationRule | ConvertTo-Json -Depth 10`",
                    p.name()
                ),
                p.loc("policy_type"),
            );
        }
    }
    if let Some(r) = evaluation_rules
        .iter()
        .chain(&builtin_rule)
        .find(|r| r.flag("enabled").is_none())
    {
        return undecided(
            format!("the `State` of the rule `{}` could not be read", r.name()),
            r.loc("state"),
        );
    }

    // Safe Attachments for SharePoint, OneDrive and Teams is a protection of its own, which
    // only `Get-AtpPolicyForO365` shows.
    let spo = of("atp_o365");
    if let Some(p) = spo.iter().find(|p| p.flag("enabled").is_none()) {
        return undecided(
            "whether Safe Attachments for SharePoint, OneDrive and Microsoft Teams is on is \
             unknown (its `EnableATPForSPOTeamsODB` could not be read)"
                .into(),
            p.loc("enabled"),
        );
    }
    if spo.is_empty() && !exported(ATP_POLICY) {
        return undecided(
            format!(
                "the export holds no `{ATP_POLICY}` output, which shows whether Safe \
                 Attachments for SharePoint, OneDrive and Microsoft Teams is on \
                 (`EnableATPForSPOTeamsODB`): export `{ATP_POLICY} | ConvertTo-Json -Depth 10`"
            ),
            c.origin,
        );
    }

    // 3. Passive.
    if let Some(r) = evaluation_rules
        .iter()
        .find(|r| r.flag("enabled") == Some(true))
    {
        return Some(shown(
            Mode::Passive,
            format!(
                "the only Defender for Office 365 protection on is the evaluation in audit mode \
                 (rule `{}` enabled), which observes and acts on nothing",
                r.name()
            ),
            r.loc("state"),
        ));
    }
    for p in attachments.iter().filter(|p| {
        p.custom() && p.flag("enabled") == Some(true) && p.text("action") == Some("Allow")
    }) {
        let (kind, field, _) = rule_kind(*p);
        if let Some(r) = rules_of(kind, field, p.name())
            .into_iter()
            .find(|r| r.flag("enabled") == Some(true))
        {
            return Some(shown(
                Mode::Passive,
                format!(
                    "the only protection on is the Safe Attachments policy `{}` with action \
                     `Allow` (rule `{}`): malware is delivered and only reported",
                    p.name(),
                    r.name()
                ),
                p.loc("action"),
            ));
        }
    }

    // 4. Not deployed.
    let loc = all
        .iter()
        .find(|p| p.kind() == "export" && p.name() == "Get-SafeLinksPolicy")
        .and_then(|p| p.0.loc());
    let builtin_note = if builtin_disabled {
        format!("; the `{BUILT_IN_RULE}` is disabled")
    } else {
        String::new()
    };
    Some(shown(
        Mode::NotDeployed,
        format!(
            "no Safe Links or Safe Attachments protection is on: {} polic{} exported, none \
             acting under an enabled rule, no preset security policy or built-in protection \
             on{builtin_note}",
            policies.len(),
            if policies.len() == 1 { "y" } else { "ies" }
        ),
        loc,
    ))
}

fn shown(mode: Mode, why: String, loc: Option<Loc>) -> Evidence {
    Evidence::Shown { mode, why, loc }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;
    use crate::model::schema::OFFICE_POLICY;
    use crate::model::Value;

    fn rec(fields: &[(&str, Value)]) -> Record {
        let mut r = Record::new(&OFFICE_POLICY, Some(Loc::new(0, 1)));
        for (k, v) in fields {
            assert!(r.set(k, v.clone(), Some(Loc::new(0, 2))), "{k}");
        }
        r
    }
    fn s(v: &str) -> Value {
        Value::Str(v.into())
    }
    fn export(cmdlet: &str) -> Record {
        rec(&[("kind", s("export")), ("name", s(cmdlet))])
    }
    fn model(records: Vec<Record>) -> TenantModel {
        let mut m = TenantModel::default();
        let c = m.collection_mut("office_policies").unwrap();
        c.present = true;
        for r in records {
            c.push(r);
        }
        m
    }
    fn mode(m: &TenantModel) -> Option<Mode> {
        match evidence(m) {
            Some(Evidence::Shown { mode, .. }) => Some(mode),
            _ => None,
        }
    }
    /// The policy lists and `Get-AtpPolicyForO365` (its protection off).
    fn both_lists() -> Vec<Record> {
        vec![
            export("Get-SafeLinksPolicy"),
            export("Get-SafeAttachmentPolicy"),
            export(ATP_POLICY),
            rec(&[
                ("kind", s("atp_o365")),
                ("name", s("Default")),
                ("enabled", Value::Bool(false)),
            ]),
        ]
    }
    fn custom_links(on: bool) -> Record {
        rec(&[
            ("kind", s("safe_links_policy")),
            ("name", s("Contoso links")),
            ("enabled", Value::Bool(on)),
            ("policy_type", s("Custom")),
            ("built_in", Value::Bool(false)),
        ])
    }
    fn links_rule(state: &str) -> Record {
        rec(&[
            ("kind", s("safe_links_rule")),
            ("name", s("Contoso links rule")),
            ("state", s(state)),
            ("enabled", Value::Bool(state == "Enabled")),
            ("safe_links_policy", s("Contoso links")),
        ])
    }

    #[test]
    fn no_office_data_is_none() {
        assert_eq!(evidence(&TenantModel::default()), None);
    }

    #[test]
    fn custom_policy_with_enabled_rule_is_active() {
        let mut r = both_lists();
        r.extend([
            export("Get-SafeLinksRule"),
            custom_links(true),
            links_rule("Enabled"),
        ]);
        assert_eq!(mode(&model(r)), Some(Mode::Active));
    }

    #[test]
    fn custom_policy_with_disabled_rule_is_not_deployed() {
        let mut r = both_lists();
        r.extend([
            export("Get-SafeLinksRule"),
            custom_links(true),
            links_rule("Disabled"),
        ]);
        assert_eq!(mode(&model(r)), Some(Mode::NotDeployed));
    }

    #[test]
    fn policies_without_their_rules_are_undecided() {
        let mut r = both_lists();
        r.push(custom_links(true));
        match evidence(&model(r)) {
            Some(Evidence::Undecided { why, .. }) => {
                assert!(why.contains("Get-SafeLinksRule"), "{why}")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn built_in_protection_and_presets_are_active() {
        let mut r = both_lists();
        r.push(rec(&[
            ("kind", s("safe_attachments_policy")),
            ("name", s("Built-In Protection Policy")),
            ("enabled", Value::Bool(true)),
            ("action", s("Block")),
            ("built_in", Value::Bool(true)),
        ]));
        // Without its rule, whether built-in protection applies is not shown.
        match evidence(&model(r.clone())) {
            Some(Evidence::Undecided { why, .. }) => {
                assert!(why.contains("Get-ATPBuiltInProtectionRule"), "{why}")
            }
            other => panic!("{other:?}"),
        }
        r.push(rec(&[
            ("kind", s("builtin_rule")),
            ("name", s("ATP Built-In Protection Rule")),
            ("state", s("Enabled")),
            ("enabled", Value::Bool(true)),
        ]));
        assert_eq!(mode(&model(r)), Some(Mode::Active));
        let mut r = both_lists();
        r.push(rec(&[
            ("kind", s("preset_rule")),
            ("name", s("Strict Preset Security Policy")),
            ("state", s("Enabled")),
            ("enabled", Value::Bool(true)),
        ]));
        assert_eq!(mode(&model(r)), Some(Mode::Active));
    }

    #[test]
    fn evaluation_only_is_passive() {
        let mut r = both_lists();
        r.extend([
            export("Get-ATPEvaluationRule"),
            rec(&[
                ("kind", s("safe_links_policy")),
                ("name", s("Evaluation Policy")),
                ("enabled", Value::Bool(true)),
                ("policy_type", s("Evaluation")),
            ]),
            rec(&[
                ("kind", s("evaluation_rule")),
                ("name", s("Evaluation Rule")),
                ("state", s("Enabled")),
                ("enabled", Value::Bool(true)),
            ]),
        ]);
        assert_eq!(mode(&model(r.clone())), Some(Mode::Passive));
        // The same without the evaluation rule cannot be told from nothing on.
        r.retain(|x| P(x).kind() != "evaluation_rule" && P(x).name() != "Get-ATPEvaluationRule");
        assert!(matches!(
            evidence(&model(r)),
            Some(Evidence::Undecided { .. })
        ));
    }

    #[test]
    fn safe_attachments_allow_is_passive() {
        let mut r = both_lists();
        r.extend([
            export("Get-SafeAttachmentRule"),
            rec(&[
                ("kind", s("safe_attachments_policy")),
                ("name", s("Monitor only")),
                ("enabled", Value::Bool(true)),
                ("action", s("Allow")),
                ("policy_type", s("Custom")),
            ]),
            rec(&[
                ("kind", s("safe_attachments_rule")),
                ("name", s("Monitor rule")),
                ("state", s("Enabled")),
                ("enabled", Value::Bool(true)),
                ("safe_attachments_policy", s("Monitor only")),
            ]),
        ]);
        assert_eq!(mode(&model(r)), Some(Mode::Passive));
    }

    #[test]
    fn without_get_atp_policy_for_o365_nothing_on_is_undecided() {
        let mut r = both_lists();
        r.push(custom_links(false));
        r.retain(|x| P(x).kind() != "atp_o365" && P(x).name() != ATP_POLICY);
        match evidence(&model(r.clone())) {
            Some(Evidence::Undecided { why, .. }) => {
                assert!(why.contains("no `Get-AtpPolicyForO365` output"), "{why}")
            }
            other => panic!("{other:?}"),
        }
        // Nor can the evaluation alone be told passive.
        r.extend([
            export("Get-ATPEvaluationRule"),
            rec(&[
                ("kind", s("evaluation_rule")),
                ("name", s("Evaluation Rule")),
                ("state", s("Enabled")),
                ("enabled", Value::Bool(true)),
            ]),
        ]);
        assert!(matches!(
            evidence(&model(r)),
            Some(Evidence::Undecided { .. })
        ));
    }

    #[test]
    fn nothing_on_is_not_deployed_and_missing_lists_undecided() {
        let mut r = both_lists();
        r.push(custom_links(false));
        assert_eq!(mode(&model(r)), Some(Mode::NotDeployed));
        let r = vec![export("Get-SafeLinksPolicy"), custom_links(false)];
        match evidence(&model(r)) {
            Some(Evidence::Undecided { why, .. }) => {
                assert!(why.contains("Get-SafeAttachmentPolicy"), "{why}")
            }
            other => panic!("{other:?}"),
        }
    }
}
