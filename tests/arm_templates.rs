//! ARM deployment templates and compiled Bicep as planned configuration (issue 18): violations
//! at the template's property, parameters from the file beside the template or the default,
//! unknown values never judged.

#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

use crate::common;
use serde_json::Value as Json;
use std::path::Path;

/// (policy, file, line, pointer, message) of each violation.
fn violations(report: &Json) -> Vec<(String, String, u64, String, String)> {
    report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["policy"].as_str().unwrap().to_string(),
                v["file"].as_str().unwrap().to_string(),
                v["line"].as_u64().unwrap(),
                v["pointer"].as_str().unwrap().to_string(),
                v["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn of<'r>(
    all: &'r [(String, String, u64, String, String)],
    policy: &str,
) -> Vec<&'r (String, String, u64, String, String)> {
    all.iter().filter(|v| v.0 == policy).collect()
}

/// The `not_evaluated` entries of a policy.
fn not_evaluated<'r>(report: &'r Json, policy: &str) -> Vec<&'r Json> {
    report["not_evaluated"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["policy"] == policy)
        .collect()
}

/// The reasons of a policy's `not_evaluated` entries.
fn reasons(report: &Json, policy: &str) -> Vec<String> {
    not_evaluated(report, policy)
        .iter()
        .filter_map(|n| n["reason"].as_str().map(str::to_string))
        .collect()
}

/// A deployment parameters file (2019-04-01 schema) with `parameters`, a JSON object.
fn parameters_file(parameters: &str) -> String {
    format!(
        r#"{{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
            "contentVersion": "1.0.0.0", "parameters": {parameters}}}"#
    )
}

/// The arm-template-parameters fixture with its parameters file renamed
/// `prod.parameters.json` (tier `Free`, integration off) and a `dev.parameters.json` beside it
/// with `dev` (a JSON object of parameters).
fn prod_and_dev(dev: &str) -> tempfile::TempDir {
    let dir = copy_of("arm-template-parameters");
    std::fs::rename(
        dir.path().join("main.parameters.json"),
        dir.path().join("prod.parameters.json"),
    )
    .unwrap();
    write(dir.path(), "dev.parameters.json", &parameters_file(dev));
    dir
}

/// A copy of a fixture in a temporary directory.
fn copy_of(case: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&common::fixture(case), dir.path());
    dir
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

#[test]
fn a_free_servers_pricing_in_an_array_template_is_dex302_at_its_pricing_tier() {
    let (code, report) = common::lint_json(&common::fixture("arm-template"));
    let v = violations(&report);
    let dex302 = of(&v, "DEX302");
    assert_eq!(dex302.len(), 1, "{v:?}");
    let (_, file, line, pointer, message) = dex302[0];
    assert_eq!(
        (file.as_str(), *line, pointer.as_str()),
        (
            "azuredeploy.json",
            22,
            "/resources/1/properties/pricingTier"
        )
    );
    assert!(
        message.contains("Azure account `target subscription of azuredeploy.json`")
            && message.contains("Free"),
        "{message}"
    );
    let dex303 = of(&v, "DEX303");
    assert_eq!(
        dex303
            .iter()
            .map(|v| (v.2, v.3.as_str()))
            .collect::<Vec<_>>(),
        [(31, "/resources/2/properties/enabled")]
    );
    assert_eq!(code, 1);
    assert_eq!(report["errors"].as_array().unwrap().len(), 0, "{report}");
}

#[test]
fn parameters_come_from_the_file_beside_the_template_else_from_their_defaults() {
    let (_, report) = common::lint_json(&common::fixture("arm-template-parameters"));
    let v = violations(&report);
    assert_eq!(
        of(&v, "DEX302")
            .iter()
            .map(|v| (v.1.as_str(), v.2, v.3.as_str()))
            .collect::<Vec<_>>(),
        [("main.parameters.json", 6, "/parameters/serversTier/value")]
    );
    // Located at the parameters file's value: the template writes the parameter itself.
    assert_eq!(
        of(&v, "DEX303")
            .iter()
            .map(|v| (v.1.as_str(), v.2, v.3.as_str()))
            .collect::<Vec<_>>(),
        [(
            "main.parameters.json",
            9,
            "/parameters/mdeIntegration/value"
        )]
    );
    // The parameters file is read with its template, not reported as a file not understood.
    assert_eq!(report["errors"].as_array().unwrap().len(), 0, "{report}");

    // Without the file: the defaults (Standard, P2, integration on) pass.
    let dir = copy_of("arm-template-parameters");
    std::fs::remove_file(dir.path().join("main.parameters.json")).unwrap();
    let (code, report) = common::lint_json(dir.path());
    let v = violations(&report);
    assert!(
        of(&v, "DEX302").is_empty() && of(&v, "DEX303").is_empty(),
        "{v:?}"
    );
    assert!(not_evaluated(&report, "DEX302").is_empty(), "{report}");
    assert_eq!(code, 0);

    // A parameter without default and without a file is unknown: not evaluated, not passed.
    let dir = copy_of("arm-template-parameters");
    std::fs::remove_file(dir.path().join("main.parameters.json")).unwrap();
    let text = std::fs::read_to_string(dir.path().join("main.json"))
        .unwrap()
        .replace("\"defaultValue\": \"Standard\",", "");
    write(dir.path(), "main.json", &text);
    let (_, report) = common::lint_json(dir.path());
    assert!(of(&violations(&report), "DEX302").is_empty());
    let skipped = not_evaluated(&report, "DEX302");
    assert!(
        skipped.iter().any(|n| n["reason"]
            .as_str()
            .unwrap()
            .contains("parameter `serversTier` has no value")),
        "{report}"
    );
}

#[test]
fn a_parameter_one_parameters_file_leaves_to_its_default_is_unknown() {
    // prod sets the tier `Free`; dev leaves it to the template's default (`Standard`): which
    // one is deployed decides, so DEX302 is not evaluated rather than judged on either.
    let dir = prod_and_dev(r#"{"mdeIntegration": {"value": false}}"#);
    let (_, report) = common::lint_json(dir.path());
    assert!(of(&violations(&report), "DEX302").is_empty(), "{report}");
    assert!(
        reasons(&report, "DEX302").iter().any(|r| r
            .contains("parameter `serversTier` depends on the parameters file")
            && r.contains("leaves it to the template's default")),
        "{report}"
    );
}

#[test]
fn parameters_files_that_disagree_make_the_parameter_unknown() {
    let dir = prod_and_dev(
        r#"{"serversTier": {"value": "Standard"}, "mdeIntegration": {"value": false}}"#,
    );
    let (_, report) = common::lint_json(dir.path());
    let v = violations(&report);
    assert!(of(&v, "DEX302").is_empty(), "{v:?}");
    // Both files turn the integration off: that is known.
    assert_eq!(of(&v, "DEX303").len(), 1, "{v:?}");
    let reasons = reasons(&report, "DEX302");
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("dev.parameters.json") && r.contains("prod.parameters.json")),
        "{reasons:?}"
    );
}

#[test]
fn an_unresolvable_tier_is_dex302_not_evaluated_with_the_expression() {
    let (code, report) = common::lint_json(&common::fixture("arm-template-unresolved"));
    let v = violations(&report);
    assert!(of(&v, "DEX302").is_empty(), "{v:?}");
    let skipped = not_evaluated(&report, "DEX302");
    assert_eq!(skipped.len(), 1, "{report}");
    let reason = skipped[0]["reason"].as_str().unwrap();
    assert!(
        reason.contains("subscription().subscriptionId") && reason.contains("pricingTier"),
        "{reason}"
    );
    assert_eq!(
        skipped[0]["entity"].as_str(),
        Some("cloud_accounts/target subscription of main.json")
    );
    // The constant setting is judged.
    assert!(not_evaluated(&report, "DEX303").is_empty(), "{report}");
    assert_eq!(code, 0);
}

#[test]
fn a_near_miss_graph_bicep_group_is_dex002_and_a_nested_member_group_is_dex003() {
    let (code, report) = common::lint_json(&common::fixture("bicep-graph"));
    let v = violations(&report);
    assert_eq!(
        of(&v, "DEX002")
            .iter()
            .map(|v| (v.1.as_str(), v.2, v.3.as_str()))
            .collect::<Vec<_>>(),
        [(
            "main.json",
            72,
            "/resources/pilotScope/properties/displayName"
        )]
    );
    let dex003 = of(&v, "DEX003");
    assert_eq!(
        dex003
            .iter()
            .map(|v| (v.2, v.3.as_str()))
            .collect::<Vec<_>>(),
        [(
            59,
            "/resources/scopedUsers/properties/members/relationships/1"
        )]
    );
    assert!(dex003[0].4.contains("`SOC Tier 2`"), "{}", dex003[0].4);
    assert_eq!(code, 1);

    // The existing user referenced as a member is a user; the groups are named by symbol.
    let load = common::load("bicep-graph");
    let groups = common::records(&load.model, "groups");
    let ids: Vec<&str> = groups
        .iter()
        .filter_map(|g| common::text(g, "id"))
        .collect();
    assert_eq!(ids, ["socTier2", "scopedUsers", "pilotScope"]);
    let scoped = &groups[1];
    let Some(dexlint::model::ValueRef::Records(members)) = scoped.get("members").map(|f| f.value())
    else {
        panic!("no members")
    };
    let kinds: Vec<(&str, &str)> = members
        .iter()
        .map(|m| {
            (
                common::text(m, "id").unwrap(),
                common::text(m, "kind").unwrap(),
            )
        })
        .collect();
    assert_eq!(kinds, [("analyst", "user"), ("socTier2", "group")]);
}

#[test]
fn the_older_imports_form_with_member_arrays_and_resource_ids() {
    let (_, report) = common::lint_json(&common::fixture("bicep-graph-imports"));
    let v = violations(&report);
    let dex003: Vec<(u64, &str)> = of(&v, "DEX003")
        .iter()
        .map(|v| (v.2, v.3.as_str()))
        .collect();
    assert_eq!(
        dex003,
        [
            (58, "/resources/scoped/properties/members/0"),
            (59, "/resources/scoped/properties/members/1")
        ]
    );
    assert!(of(&v, "DEX003")[1].4.contains("`SOC Tier 3`"));
}

#[test]
fn copy_loops_and_nested_child_resources_are_read_per_instance() {
    let (_, report) = common::lint_json(&common::fixture("arm-template-copy-nested"));
    let v = violations(&report);
    let dex304: Vec<(u64, &str, bool)> = of(&v, "DEX304")
        .iter()
        .map(|v| (v.2, v.3.as_str(), v.4.contains("`vm-")))
        .collect();
    assert_eq!(
        dex304,
        [
            (28, "/resources/0/properties/pricingTier", true),
            (28, "/resources/0/properties/pricingTier", true),
            (50, "/resources/1/resources/0/properties/pricingTier", true)
        ]
    );
    let names: Vec<&str> = of(&v, "DEX304")
        .iter()
        .map(|v| v.4.split('`').nth(1).unwrap())
        .collect();
    assert_eq!(names, ["vm-lab-01", "vm-lab-02", "vm-build-01"]);
}

#[test]
fn a_member_of_unknown_kind_makes_dex003_not_evaluated_for_it() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "main.json",
        r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "languageVersion": "2.0",
  "contentVersion": "1.0.0.0",
  "parameters": {"memberIds": {"type": "array"}},
  "extensions": {"microsoftGraphV1": {"name": "MicrosoftGraph", "version": "1.0.0"}},
  "resources": {
    "scoped": {
      "extension": "microsoftGraphV1",
      "type": "Microsoft.Graph/groups@v1.0",
      "properties": {
        "displayName": "Defender_Experts_Scoped_Coverage_Users",
        "mailEnabled": false,
        "mailNickname": "dex-scoped",
        "securityEnabled": true,
        "uniqueName": "dex-scoped",
        "members": {"relationships": ["[parameters('memberIds')[0]]"]}
      }
    }
  }
}"#,
    );
    let (_, report) = common::lint_json(dir.path());
    assert!(of(&violations(&report), "DEX003").is_empty());
    let reasons = reasons(&report, "DEX003");
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("parameter `memberIds` has no value")),
        "{report}"
    );
}

#[test]
fn a_template_with_nothing_dexlint_reads_says_so() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "storage.json",
        r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [
    {"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-05-01", "name": "stsoclogs01",
     "location": "westeurope", "sku": {"name": "Standard_LRS"}, "kind": "StorageV2"}
  ]
}"#,
    );
    let (_, report) = common::lint_json(dir.path());
    let notes: Vec<&str> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["file"] == "storage.json")
        .filter_map(|e| e["message"].as_str())
        .collect();
    assert!(
        notes
            .iter()
            .any(|m| m.contains("deploys no resource dexlint reads")
                && m.contains("Microsoft.Storage/storageAccounts")),
        "{report}"
    );
    let out = common::dexlint()
        .args(["lint", "--edition", "2025-08"])
        .arg(dir.path())
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("deploys no resource dexlint reads"), "{text}");
}

/// The (policy, file, line, pointer) of each violation of `policies`.
fn at(report: &Json, policies: &[&str]) -> Vec<(String, String, u64, String)> {
    violations(report)
        .into_iter()
        .filter(|v| policies.contains(&v.0.as_str()))
        .map(|v| (v.0, v.1, v.2, v.3))
        .collect()
}

fn owned(v: &[(&str, &str, u64, &str)]) -> Vec<(String, String, u64, String)> {
    v.iter()
        .map(|(a, b, c, d)| (a.to_string(), b.to_string(), *c, d.to_string()))
        .collect()
}

const SUBSCRIPTION_SCHEMA: &str =
    "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#";

#[test]
fn bicep_modules_are_read_at_their_nested_template_with_the_parameters_passed() {
    let (code, report) = common::lint_json(&common::fixture("bicep-modules"));
    assert_eq!(
        at(&report, &["DEX302", "DEX303", "DEX003", "DEX002"]),
        owned(&[
            (
                "DEX003",
                "main.json",
                168,
                "/resources/scopedGroup/properties/template/resources/scopedUsers/properties/members/relationships/1"
            ),
            (
                "DEX302",
                "main.json",
                76,
                "/resources/defender/properties/template/resources/serversPricing/properties/pricingTier"
            ),
        ])
    );
    let v = violations(&report);
    assert!(
        of(&v, "DEX302")[0]
            .4
            .contains("Azure account `target subscription of main.json`"),
        "{v:?}"
    );
    assert!(of(&v, "DEX003")[0].4.contains("`SOC Tier 3`"), "{v:?}");
    assert_eq!(code, 1);
    // The Bicep sources beside the compiled template are notes, nothing else.
    let notes: Vec<&str> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["level"] == "note").then(|| e["file"].as_str().unwrap()))
        .collect::<Option<_>>()
        .unwrap_or_else(|| panic!("{report}"));
    assert_eq!(
        notes,
        [
            "main.bicep",
            "modules/defender.bicep",
            "modules/scoped-group.bicep"
        ],
        "{report}"
    );

    // Records are named by module path.
    let load = common::load("bicep-modules");
    let ids: Vec<&str> = common::records(&load.model, "groups")
        .iter()
        .filter_map(|g| common::text(g, "id"))
        .collect();
    assert_eq!(ids, ["scopedGroup::socTier3", "scopedGroup::scopedUsers"]);

    // The outer parameter decides: Standard passes, with the module's default sub-plan.
    let dir = copy_of("bicep-modules");
    let text = std::fs::read_to_string(dir.path().join("main.json"))
        .unwrap()
        .replace(
            "\"defaultValue\": \"Free\"",
            "\"defaultValue\": \"Standard\"",
        );
    write(dir.path(), "main.json", &text);
    let (_, report) = common::lint_json(dir.path());
    assert!(at(&report, &["DEX302"]).is_empty(), "{report}");
    assert!(not_evaluated(&report, "DEX302").is_empty(), "{report}");

    // A parameter the module needs and the deployment does not pass is unknown.
    let dir = copy_of("bicep-modules");
    let text = std::fs::read_to_string(dir.path().join("main.json"))
        .unwrap()
        .replace(
            "\"tier\": {\n            \"value\"",
            "\"other\": {\n            \"value\"",
        );
    write(dir.path(), "main.json", &text);
    let (_, report) = common::lint_json(dir.path());
    assert!(at(&report, &["DEX302"]).is_empty(), "{report}");
    let reasons = reasons(&report, "DEX302");
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("parameter `tier` has no value")
                && r.contains("deployment `defender` does not pass it")),
        "{reasons:?}"
    );
}

#[test]
fn module_loops_conditions_and_literal_subscriptions() {
    let dir = tempfile::tempdir().unwrap();
    let module = |tier: &str| {
        format!(
            r#"{{"$schema": "{SUBSCRIPTION_SCHEMA}", "contentVersion": "1.0.0.0",
              "parameters": {{"tier": {{"type": "string", "defaultValue": "{tier}"}}}},
              "resources": [{{"type": "Microsoft.Security/pricings", "apiVersion": "2024-01-01",
                "name": "VirtualMachines", "properties": {{"pricingTier": "[parameters('tier')]"}}}}]}}"#
        )
    };
    write(
        dir.path(),
        "main.json",
        &format!(
            r#"{{
  "$schema": "{SUBSCRIPTION_SCHEMA}",
  "contentVersion": "1.0.0.0",
  "parameters": {{"enableLab": {{"type": "bool", "defaultValue": false}}, "labSub": {{"type": "string"}}}},
  "variables": {{"subs": ["11111111-2222-4333-8444-555555555555", "66666666-7777-4888-9999-000000000000"]}},
  "resources": [
    {{"type": "Microsoft.Resources/deployments", "apiVersion": "2025-04-01",
      "name": "[format('pricing-{{0}}', copyIndex())]", "location": "westeurope",
      "copy": {{"name": "perSubscription", "count": "[length(variables('subs'))]"}},
      "subscriptionId": "[variables('subs')[copyIndex()]]",
      "properties": {{"expressionEvaluationOptions": {{"scope": "inner"}}, "mode": "Incremental",
        "parameters": {{"tier": {{"value": "[if(equals(copyIndex(), 0), 'Free', 'Standard')]"}}}},
        "template": {}}}}},
    {{"type": "Microsoft.Resources/deployments", "apiVersion": "2025-04-01", "name": "lab",
      "location": "westeurope", "condition": "[parameters('enableLab')]",
      "properties": {{"expressionEvaluationOptions": {{"scope": "inner"}}, "mode": "Incremental",
        "template": {}}}}},
    {{"type": "Microsoft.Resources/deployments", "apiVersion": "2025-04-01", "name": "maybe",
      "location": "westeurope", "condition": "[equals(parameters('enableLab'), true())]",
      "properties": {{"expressionEvaluationOptions": {{"scope": "inner"}}, "mode": "Incremental",
        "template": {}}}}}
  ]
}}"#,
            module("Standard"),
            module("Free"),
            module("Free")
        ),
    );
    let (_, report) = common::lint_json(dir.path());
    let v = violations(&report);
    let dex302: Vec<&str> = of(&v, "DEX302").iter().map(|v| v.4.as_str()).collect();
    // Only the first iteration is Free; the lab module is not deployed.
    assert_eq!(dex302.len(), 1, "{v:?}");
    assert!(
        dex302[0].contains("Azure account `11111111-2222-4333-8444-555555555555`"),
        "{dex302:?}"
    );
    // A module whose condition is unknown makes DEX302 not evaluated, naming it.
    let text = std::fs::read_to_string(dir.path().join("main.json"))
        .unwrap()
        .replace(
            "[equals(parameters('enableLab'), true())]",
            "[equals(parameters('labSub'), 'x')]",
        );
    write(dir.path(), "main.json", &text);
    let (_, report) = common::lint_json(dir.path());
    let reasons = reasons(&report, "DEX302");
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("whether deployment `maybe`") && r.contains("condition")),
        "{reasons:?}"
    );
}

#[test]
fn a_classic_nested_template_evaluates_in_its_parents_scope() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "main.json",
        &format!(
            r#"{{
  "$schema": "{SUBSCRIPTION_SCHEMA}",
  "contentVersion": "1.0.0.0",
  "parameters": {{"tier": {{"type": "string", "defaultValue": "Free"}}}},
  "variables": {{"pricingName": "VirtualMachines"}},
  "resources": [
    {{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "nestedTemplate1",
      "location": "westeurope",
      "properties": {{"mode": "Incremental",
        "template": {{"$schema": "{SUBSCRIPTION_SCHEMA}", "contentVersion": "1.0.0.0",
          "resources": [{{"type": "Microsoft.Security/pricings", "apiVersion": "2024-01-01",
            "name": "[variables('pricingName')]", "properties": {{"pricingTier": "[parameters('tier')]"}}}}]}}}}}}
  ]
}}"#
        ),
    );
    let (_, report) = common::lint_json(dir.path());
    assert_eq!(
        at(&report, &["DEX302"]),
        owned(&[(
            "DEX302",
            "main.json",
            12,
            "/resources/0/properties/template/resources/0/properties/pricingTier"
        )])
    );
}

#[test]
fn a_linked_template_in_the_export_is_read_with_the_parameters_it_is_passed() {
    let (code, report) = common::lint_json(&common::fixture("arm-template-linked"));
    // The linked file's pricing is Free as the main template deploys it (at its link); it is
    // not also read as a template of its own.
    assert_eq!(
        at(&report, &["DEX302"]),
        owned(&[(
            "DEX302",
            "azuredeploy.json",
            22,
            "/resources/0/properties/templateLink"
        )])
    );
    assert!(not_evaluated(&report, "DEX302").is_empty(), "{report}");
    assert_eq!(code, 1);
    let load = common::load("arm-template-linked");
    let accounts: Vec<&str> = common::records(&load.model, "cloud_accounts")
        .iter()
        .filter_map(|a| common::text(a, "id"))
        .collect();
    assert_eq!(accounts, ["target subscription of azuredeploy.json"]);
}

#[test]
fn a_linked_template_not_in_the_export_is_a_warning_and_not_evaluated() {
    let (_, report) = common::lint_json(&common::fixture("arm-template-linked-missing"));
    let warnings: Vec<(u64, &str)> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["line"].as_u64().unwrap(), e["message"].as_str().unwrap()))
        .collect();
    assert!(
        warnings.iter().any(|(line, m)| *line == 21
            && m.contains("deployment `defenderPricing` were not read")
            && m.contains("`linked/defender-pricing.json` is not in the export")),
        "{warnings:?}"
    );
    // What the linked template deploys is unknown: DEX302 and DEX303 are not evaluated,
    // never passed.
    assert!(at(&report, &["DEX302", "DEX303"]).is_empty(), "{report}");
    for policy in ["DEX302", "DEX303"] {
        assert!(
            not_evaluated(&report, policy).iter().any(|n| n["reason"]
                .as_str()
                .unwrap()
                .contains("deployment `defenderPricing`")),
            "{policy}: {report}"
        );
    }
}

#[test]
fn variable_and_property_copy_loops_are_evaluated() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "main.json",
        r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {"offeringCount": {"type": "int", "defaultValue": 1}},
  "variables": {
    "copy": [{"name": "tiers", "count": 2, "input": "[if(equals(copyIndex('tiers'), 0), 'Standard', 'Free')]"}]
  },
  "resources": [
    {"type": "Microsoft.Security/pricings", "apiVersion": "2024-01-01", "name": "VirtualMachines",
     "scope": "Microsoft.Compute/virtualMachines/vm-build-02",
     "properties": {"pricingTier": "[variables('tiers')[1]]"}},
    {"type": "Microsoft.Security/securityConnectors", "apiVersion": "2023-10-01-preview",
     "name": "aws-build-111122223333", "location": "westeurope",
     "properties": {"hierarchyIdentifier": "111122223333", "environmentName": "AWS",
       "environmentData": {"environmentType": "AwsAccount"},
       "copy": [{"name": "offerings", "count": "[parameters('offeringCount')]",
         "input": {"offeringType": "DefenderForServersAws", "subPlan": {"type": "P1"},
           "mdeAutoProvisioning": {"enabled": false, "configuration": {}}}}]}}
  ]
}"#,
    );
    let (_, report) = common::lint_json(dir.path());
    let v = violations(&report);
    assert_eq!(of(&v, "DEX304").len(), 1, "{v:?}");
    assert!(of(&v, "DEX304")[0].4.contains("`vm-build-02`"), "{v:?}");
    let dex303 = of(&v, "DEX303");
    assert_eq!(dex303.len(), 1, "{v:?}");
    assert!(dex303[0].4.contains("AWS account"), "{v:?}");

    // A loop count dexlint cannot evaluate leaves the offerings unknown, with the reason.
    let text = std::fs::read_to_string(dir.path().join("main.json"))
        .unwrap()
        .replace(
            "\"[parameters('offeringCount')]\"",
            "\"[length(subscription().tags)]\"",
        );
    write(dir.path(), "main.json", &text);
    let (_, report) = common::lint_json(dir.path());
    assert!(of(&violations(&report), "DEX303").is_empty(), "{report}");
    let reasons = reasons(&report, "DEX303");
    assert!(
        reasons.iter().any(
            |r| r.contains("`offerings` is built by a property `copy` loop")
                && r.contains("subscription()")
        ),
        "{reasons:?}"
    );
}

/// A subscription deployment template (`$schema` of Microsoft Learn's "Subscription deployments
/// with ARM templates") with `resources` as written.
fn subscription_template(resources: &str) -> String {
    format!(
        r#"{{
  "$schema": "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": {resources}
}}"#
    )
}

/// `Microsoft.Security/settings` `WDATP` (ARM template reference) with `enabled` as written.
const WDATP_ON: &str = r#"{
      "type": "Microsoft.Security/settings",
      "apiVersion": "2022-05-01",
      "name": "WDATP",
      "kind": "DataExportSettings",
      "properties": { "enabled": true }
    }"#;

#[test]
fn a_template_that_does_not_set_the_servers_pricing_leaves_its_tier_unknown() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "mde.json",
        &subscription_template(&format!("[{WDATP_ON}]")),
    );
    let (code, report) = common::lint_json(dir.path());
    let v = violations(&report);
    assert!(of(&v, "DEX302").is_empty(), "{v:?}");
    let why = reasons(&report, "DEX302");
    assert!(
        why.iter()
            .any(|r| r
                == "`mde.json` does not set the Defender for Servers pricing (`VirtualMachines`)"),
        "{why:?}"
    );
    assert_eq!(code, 0, "{report}");

    // A pricing whose `condition` is false is not deployed: the tier is the subscription's, and
    // the reason says why (it said the template does not set the pricing).
    let dir = tempfile::tempdir().unwrap();
    let off = r#"{
      "condition": "[equals(parameters('environment'), 'prod')]",
      "type": "Microsoft.Security/pricings",
      "apiVersion": "2024-01-01",
      "name": "VirtualMachines",
      "properties": { "pricingTier": "Free" }
    }"#;
    let t = subscription_template(&format!("[{off}, {WDATP_ON}]")).replace(
        r#""resources""#,
        r#""parameters": { "environment": { "type": "string", "defaultValue": "dev" } },
  "resources""#,
    );
    write(dir.path(), "main.json", &t);
    let (code, report) = common::lint_json(dir.path());
    assert!(of(&violations(&report), "DEX302").is_empty(), "{report}");
    assert_eq!(
        reasons(&report, "DEX302"),
        [
            "`Microsoft.Security/pricings/VirtualMachines` in `main.json` is not deployed (its \
          `condition` `[equals(parameters('environment'), 'prod')]` is false): the template \
          leaves the subscription's Defender for Servers pricing (`VirtualMachines`) as it is"
        ],
        "{report}"
    );
    assert_eq!(code, 0, "{report}");
    // Deployed (prod): the Free tier is DEX302.
    write(
        dir.path(),
        "main.json",
        &t.replace(r#""defaultValue": "dev""#, r#""defaultValue": "prod""#),
    );
    let (code, report) = common::lint_json(dir.path());
    assert_eq!(of(&violations(&report), "DEX302").len(), 1, "{report}");
    assert_eq!(code, 1);
}

#[test]
fn a_template_that_sets_only_the_pricing_leaves_the_integration_unknown() {
    let dir = tempfile::tempdir().unwrap();
    let pricing = r#"{
      "type": "Microsoft.Security/pricings",
      "apiVersion": "2024-01-01",
      "name": "VirtualMachines",
      "properties": { "pricingTier": "Standard", "subPlan": "P2" }
    }"#;
    write(
        dir.path(),
        "main.json",
        &subscription_template(&format!("[{pricing}]")),
    );
    let (code, report) = common::lint_json(dir.path());
    let v = violations(&report);
    assert!(
        of(&v, "DEX302").is_empty() && of(&v, "DEX303").is_empty(),
        "{v:?}"
    );
    assert!(
        reasons(&report, "DEX303").iter().any(|r| r
            == "`main.json` does not set the Defender for Endpoint integration (the `WDATP` setting)"),
        "{report}"
    );
    assert!(reasons(&report, "DEX302").is_empty(), "{report}");
    assert_eq!(code, 0);
}

/// A linked template (`templateLink.relativePath`, Microsoft Learn "Create a template spec with
/// linked templates" / "Linked and nested templates") that sets WDATP from a parameter.
const LINKED_SETTINGS: &str = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": { "mdeEnabled": { "type": "bool", "defaultValue": true } },
  "resources": [
    {
      "type": "Microsoft.Security/settings",
      "apiVersion": "2022-05-01",
      "name": "WDATP",
      "kind": "DataExportSettings",
      "properties": { "enabled": "[parameters('mdeEnabled')]" }
    }
  ]
}"#;

#[test]
fn a_linked_template_is_not_also_read_as_a_template_of_its_own() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("nested")).unwrap();
    write(dir.path(), "nested/settings.json", LINKED_SETTINGS);
    let link = r#"{
      "type": "Microsoft.Resources/deployments",
      "apiVersion": "2022-09-01",
      "name": "linkedRelative",
      "location": "westeurope",
      "properties": {
        "mode": "Incremental",
        "templateLink": { "relativePath": "nested/settings.json" },
        "parameters": { "mdeEnabled": { "value": false } }
      }
    }"#;
    let pricing = r#"{
      "type": "Microsoft.Security/pricings",
      "apiVersion": "2024-01-01",
      "name": "VirtualMachines",
      "properties": { "pricingTier": "Standard", "subPlan": "P1" }
    }"#;
    // `a.json` walks before `nested/`, `z.json` after: both orders.
    for name in ["a.json", "z.json"] {
        let _ = std::fs::remove_file(dir.path().join("a.json"));
        write(
            dir.path(),
            name,
            &subscription_template(&format!("[{pricing}, {link}]")),
        );
        let (_, report) = common::lint_json(dir.path());
        let v = violations(&report);
        // No phantom account `target subscription of nested/settings.json`.
        assert!(
            v.iter().all(|v| !v.4.contains("nested/settings.json")),
            "{v:?}"
        );
        assert!(of(&v, "DEX302").is_empty(), "{v:?}");
        let dex303 = of(&v, "DEX303");
        assert_eq!(dex303.len(), 1, "{v:?}");
        assert_eq!(dex303[0].1, name);
        assert!(
            reasons(&report, "DEX302").is_empty() && reasons(&report, "DEX303").is_empty(),
            "{report}"
        );
        assert_eq!(report["summary"]["entities"], 1, "{report}");
    }
}

/// A parameters file (`deploymentParameters.json` `$schema`), as `bicep build-params
/// dev.bicepparam` writes it to `dev.json`.
const DEV_PARAMETERS: &str = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
  "contentVersion": "1.0.0.0",
  "parameters": { "serversTier": { "value": "Free" } }
}"#;

const TIER_TEMPLATE: &str = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": { "serversTier": { "type": "string", "defaultValue": "Standard" } },
  "resources": [
    {
      "type": "Microsoft.Security/pricings",
      "apiVersion": "2024-01-01",
      "name": "VirtualMachines",
      "properties": { "pricingTier": "[parameters('serversTier')]" }
    }
  ]
}"#;

#[test]
fn a_parameters_file_is_recognised_by_its_schema_whatever_its_name() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "main.json", TIER_TEMPLATE);
    write(dir.path(), "dev.json", DEV_PARAMETERS);
    let (code, report) = common::lint_json(dir.path());
    let v = violations(&report);
    assert_eq!(
        of(&v, "DEX302")
            .iter()
            .map(|v| v.1.as_str())
            .collect::<Vec<_>>(),
        ["dev.json"],
        "{report}"
    );
    assert_eq!(code, 1);

    // A parameters file no template reads: a note naming it.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("params")).unwrap();
    write(dir.path(), "main.json", TIER_TEMPLATE);
    write(dir.path(), "params/dev.json", DEV_PARAMETERS);
    let (_, report) = common::lint_json(dir.path());
    assert!(of(&violations(&report), "DEX302").is_empty(), "{report}");
    let notes: Vec<&Json> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["file"] == "params/dev.json")
        .collect();
    assert!(
        notes.len() == 1
            && notes[0]["message"]
                .as_str()
                .unwrap()
                .contains("parameters file `dev.json` is read with no template"),
        "{report}"
    );
}

/// A Microsoft Graph Bicep group (Bicep "Microsoft.Graph/groups" reference) with `members` as
/// written.
fn graph_group_template(members: &str) -> String {
    format!(
        r#"{{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "languageVersion": "2.0",
  "contentVersion": "1.0.0.0",
  "extensions": {{ "microsoftGraphV1": {{ "name": "MicrosoftGraph", "version": "0.1.9-preview" }} }},
  "parameters": {{ "memberIds": {{ "type": "array", "defaultValue": ["5a1c2b3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"] }} }},
  "resources": {{
    "nested": {{
      "extension": "microsoftGraphV1",
      "type": "Microsoft.Graph/groups@v1.0",
      "properties": {{
        "displayName": "Tier 2 analysts", "mailEnabled": false, "mailNickname": "tier2",
        "securityEnabled": true, "uniqueName": "tier2"
      }}
    }},
    "scoped": {{
      "extension": "microsoftGraphV1",
      "type": "Microsoft.Graph/groups@v1.0",
      "properties": {{
        "displayName": "Defender_Experts_Scoped_Coverage_Users",
        "mailEnabled": false, "mailNickname": "dex-scoped", "securityEnabled": true,
        "uniqueName": "dex-scoped",
        "members": {members}
      }}
    }}
  }}
}}"#
    )
}

#[test]
fn object_id_members_have_an_unknown_kind_unless_graph_data_names_them() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "main.json",
        &graph_group_template(
            r#"{ "relationships": "[parameters('memberIds')]", "relationshipSemantics": "replace" }"#,
        ),
    );
    let (_, report) = common::lint_json(dir.path());
    let v = violations(&report);
    assert!(
        of(&v, "DEX003").is_empty() && of(&v, "DEX006").is_empty(),
        "{v:?}"
    );
    for policy in ["DEX003", "DEX006"] {
        assert!(
            reasons(&report, policy)
                .iter()
                .any(|r| r.contains("member `5a1c2b3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d`")),
            "{policy}: {report}"
        );
    }
    // A Graph group list (`GET /groups`) naming the id: a nested group, by its name.
    write(
        dir.path(),
        "groups.json",
        r#"{
  "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#groups",
  "value": [
    {
      "id": "5A1C2B3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D",
      "displayName": "SOC on-call",
      "groupTypes": [],
      "securityEnabled": true,
      "mailEnabled": false
    }
  ]
}"#,
    );
    let (_, report) = common::lint_json(dir.path());
    let v = violations(&report);
    let dex003 = of(&v, "DEX003");
    assert_eq!(dex003.len(), 1, "{v:?}");
    assert!(dex003[0].4.contains("`SOC on-call`"), "{v:?}");
    assert!(reasons(&report, "DEX003").is_empty(), "{report}");
}

#[test]
fn append_members_leave_the_group_incomplete() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "main.json",
        &graph_group_template(r#"{ "relationships": [], "relationshipSemantics": "append" }"#),
    );
    let (_, report) = common::lint_json(dir.path());
    let v = violations(&report);
    assert!(of(&v, "DEX007").is_empty(), "{v:?}");
    assert!(
        reasons(&report, "DEX006")
            .iter()
            .any(|r| r.contains("`relationshipSemantics` `append`")),
        "{report}"
    );
    // A nested group listed is DEX003 all the same.
    write(
        dir.path(),
        "main.json",
        &graph_group_template(
            r#"{ "relationships": ["[reference('nested').id]"], "relationshipSemantics": "append" }"#,
        ),
    );
    let (_, report) = common::lint_json(dir.path());
    assert_eq!(of(&violations(&report), "DEX003").len(), 1, "{report}");
    // `replace` with no members: DEX007.
    write(
        dir.path(),
        "main.json",
        &graph_group_template(r#"{ "relationships": [], "relationshipSemantics": "replace" }"#),
    );
    let (_, report) = common::lint_json(dir.path());
    assert_eq!(of(&violations(&report), "DEX007").len(), 1, "{report}");
}

#[test]
fn enumeration_values_in_any_case_and_a_tier_that_is_no_string() {
    let dir = tempfile::tempdir().unwrap();
    for (tier, dex302) in [("\"standard\"", 0), ("\"free\"", 1), ("\"STANDARD\"", 0)] {
        write(
            dir.path(),
            "main.json",
            &TIER_TEMPLATE.replace(r#""Standard""#, tier),
        );
        let (_, report) = common::lint_json(dir.path());
        assert_eq!(
            of(&violations(&report), "DEX302").len(),
            dex302,
            "{tier}: {report}"
        );
    }
    write(
        dir.path(),
        "main.json",
        &TIER_TEMPLATE.replace(r#""[parameters('serversTier')]""#, "0"),
    );
    let (_, report) = common::lint_json(dir.path());
    assert!(of(&violations(&report), "DEX302").is_empty(), "{report}");
    assert!(
        reasons(&report, "DEX302")
            .iter()
            .any(|r| r.contains("it is not a string")),
        "{report}"
    );
    assert!(
        report["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["level"] == "warning"
                && e["message"].as_str().unwrap().contains("is not a string")),
        "{report}"
    );
}

#[test]
fn compiled_bicep_functions_and_reasons_as_declared() {
    let dir = tempfile::tempdir().unwrap();
    let t = TIER_TEMPLATE
        .replace(
            r#""parameters": {"#,
            r#""parameters": { "settings": { "type": "object", "defaultValue": { "tier": "Free" } },
    "enabled": { "type": "string", "defaultValue": "false" },"#,
        )
        .replace(
            r#""[parameters('serversTier')]""#,
            r#""[coalesce(tryGet(parameters('settings'), 'tier'), json('null'), 'Standard')]""#,
        );
    write(dir.path(), "main.json", &t);
    let (_, report) = common::lint_json(dir.path());
    assert_eq!(of(&violations(&report), "DEX302").len(), 1, "{report}");
    // `union`, `contains`, `if`, `bool`, `empty`, `length`, `int`.
    let t2 = t.replace(
        r#""[coalesce(tryGet(parameters('settings'), 'tier'), json('null'), 'Standard')]""#,
        r#""[if(and(contains(union(parameters('settings'), createObject()), 'tier'), not(bool(parameters('enabled'))), not(empty(parameters('settings'))), equals(length('ab'), int('2'))), 'Free', 'Standard')]""#,
    );
    write(dir.path(), "main.json", &t2);
    let (_, report) = common::lint_json(dir.path());
    // `createObject` is not evaluated: the tier is unknown.
    assert!(of(&violations(&report), "DEX302").is_empty(), "{report}");
    write(
        dir.path(),
        "main.json",
        &t2.replace("createObject()", "json('{}')"),
    );
    let (_, report) = common::lint_json(dir.path());
    assert_eq!(of(&violations(&report), "DEX302").len(), 1, "{report}");

    // Disagreeing parameters files: the parameter as declared; a cycle of variables says so.
    write(dir.path(), "main.json", TIER_TEMPLATE);
    write(dir.path(), "main.dev.parameters.json", DEV_PARAMETERS);
    write(
        dir.path(),
        "main.prod.parameters.json",
        &DEV_PARAMETERS.replace("Free", "Standard"),
    );
    let (_, report) = common::lint_json(dir.path());
    assert!(
        reasons(&report, "DEX302")
            .iter()
            .any(|r| r.contains("parameter `serversTier` depends on the parameters file")),
        "{report}"
    );
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "main.json",
        &TIER_TEMPLATE
            .replace(
                r#""resources""#,
                r#""variables": { "a": "[variables('b')]", "b": "[variables('a')]" },
  "resources""#,
            )
            .replace(r#""[parameters('serversTier')]""#, r#""[variables('a')]""#),
    );
    let (_, report) = common::lint_json(dir.path());
    assert!(
        reasons(&report, "DEX302")
            .iter()
            .any(|r| r.contains("cycle")),
        "{report}"
    );
}

#[test]
fn a_template_that_does_not_parse_is_not_also_no_tenant_data() {
    let dir = tempfile::tempdir().unwrap();
    let cut = subscription_template(&format!("[{WDATP_ON}]"));
    write(dir.path(), "main.json", cut.trim_end_matches(['}', '\n']));
    let (code, report) = common::lint_json(dir.path());
    let errors: Vec<&str> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert!(
        errors.len() == 1 && errors[0].starts_with("invalid JSON"),
        "{errors:?}"
    );
    assert_eq!(code, 2);
}

#[test]
fn an_unknown_condition_makes_only_that_resources_fields_unknown() {
    // Whether the Servers pricing is deployed depends on the subscription's tags; the WDATP
    // setting beside it has no condition and is known to be off.
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "main.json",
        r#"{
  "$schema": "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#",
  "languageVersion": "2.0",
  "contentVersion": "1.0.0.0",
  "resources": {
    "serversPricing": {
      "condition": "[not(empty(subscription().tags))]",
      "type": "Microsoft.Security/pricings",
      "apiVersion": "2024-01-01",
      "name": "VirtualMachines",
      "properties": { "pricingTier": "Free" }
    },
    "wdatp": {
      "type": "Microsoft.Security/settings",
      "apiVersion": "2022-05-01",
      "name": "WDATP",
      "kind": "DataExportSettings",
      "properties": { "enabled": false }
    }
  }
}"#,
    );
    let (_, report) = common::lint_json(dir.path());
    let v = violations(&report);
    assert!(of(&v, "DEX302").is_empty(), "{v:?}");
    assert_eq!(of(&v, "DEX303").len(), 1, "{report}");
    assert!(
        reasons(&report, "DEX302")
            .iter()
            .any(|r| r.contains("whether `serversPricing`") && r.contains("condition")),
        "{report}"
    );
}

#[test]
fn a_pricing_whose_scope_is_unknown_does_not_hide_a_known_one() {
    // The first pricing turns Defender for Servers off on a known machine; the second's scope
    // is a required parameter without a value.
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "main.json",
        r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": { "otherVmId": { "type": "string" } },
  "resources": [
    {
      "type": "Microsoft.Security/pricings",
      "apiVersion": "2024-01-01",
      "scope": "[format('Microsoft.Compute/virtualMachines/{0}', 'vm-build-01')]",
      "name": "VirtualMachines",
      "properties": { "pricingTier": "Free" }
    },
    {
      "type": "Microsoft.Security/pricings",
      "apiVersion": "2024-01-01",
      "scope": "[parameters('otherVmId')]",
      "name": "VirtualMachines",
      "properties": { "pricingTier": "Standard", "subPlan": "P2" }
    }
  ]
}"#,
    );
    let (_, report) = common::lint_json(dir.path());
    let v = violations(&report);
    let off = of(&v, "DEX304");
    assert_eq!(off.len(), 1, "{report}");
    assert!(off[0].4.contains("`vm-build-01`"), "{off:?}");
    // Rule 2 (a subscription's coverage status) has no subscription to judge: the template
    // deploys none.
    let skipped: Vec<_> = not_evaluated(&report, "DEX304")
        .into_iter()
        .filter(|n| n["rule"] != 2)
        .collect();
    assert_eq!(skipped.len(), 1, "{report}");
    assert!(
        skipped[0]["reason"]
            .as_str()
            .unwrap()
            .contains("is known only at deployment"),
        "{report}"
    );
}

#[test]
fn a_nullable_parameter_left_unset_is_null() {
    // Bicep `param serversTier string?` compiles to `"nullable": true` without a default; the
    // template falls back with `coalesce` (the shape of the Azure Verified Modules).
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "main.json",
        r#"{
  "$schema": "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#",
  "languageVersion": "2.0",
  "contentVersion": "1.0.0.0",
  "parameters": { "serversTier": { "type": "string", "nullable": true } },
  "resources": {
    "serversPricing": {
      "type": "Microsoft.Security/pricings",
      "apiVersion": "2024-01-01",
      "name": "VirtualMachines",
      "properties": { "pricingTier": "[coalesce(parameters('serversTier'), 'Free')]" }
    }
  }
}"#,
    );
    let (code, report) = common::lint_json(dir.path());
    assert_eq!(of(&violations(&report), "DEX302").len(), 1, "{report}");
    assert_eq!(code, 1);
}

#[test]
fn a_linked_template_in_a_sibling_folder_of_the_export_is_read() {
    // templates/azuredeploy.json links ../linked/defender-pricing.json.
    let dir = tempfile::tempdir().unwrap();
    let fixture = common::fixture("arm-template-linked");
    common::copy_dir(&fixture.join("linked"), &dir.path().join("linked"));
    std::fs::create_dir_all(dir.path().join("templates")).unwrap();
    let main = std::fs::read_to_string(fixture.join("azuredeploy.json"))
        .unwrap()
        .replace(
            "\"linked/defender-pricing.json\"",
            "\"../linked/defender-pricing.json\"",
        );
    write(&dir.path().join("templates"), "azuredeploy.json", &main);
    let (code, report) = common::lint_json(dir.path());
    assert_eq!(
        at(&report, &["DEX302"]),
        owned(&[(
            "DEX302",
            "templates/azuredeploy.json",
            22,
            "/resources/0/properties/templateLink"
        )])
    );
    assert_eq!(code, 1);
}

#[test]
fn every_parameters_file_of_the_folder_is_an_environment_of_the_template() {
    // main.parameters.json (the fixture's, tier Free) beside prod.json from
    // `bicep build-params` (Standard): the tier depends on which is deployed.
    let dir = copy_of("arm-template-parameters");
    write(
        dir.path(),
        "prod.json",
        &parameters_file(
            r#"{"serversTier": {"value": "Standard"}, "mdeIntegration": {"value": false}}"#,
        ),
    );
    let (_, report) = common::lint_json(dir.path());
    assert!(of(&violations(&report), "DEX302").is_empty(), "{report}");
    assert!(
        reasons(&report, "DEX302")
            .iter()
            .any(|r| r.contains("main.parameters.json") && r.contains("prod.json")),
        "{report}"
    );
}

#[test]
fn a_template_with_comments_is_read_and_other_json_with_comments_is_not() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "main.json",
        r#"{
  // Defender for Servers, deployed with az deployment sub create
  "$schema": "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  /* one pricing; the "tier" is
     Free on purpose // here */
  "resources": [
    {
      "type": "Microsoft.Security/pricings",
      "apiVersion": "2024-01-01",
      "name": "VirtualMachines",
      "properties": { "pricingTier": "Free" } // "Standard" later
    }
  ]
}"#,
    );
    let (code, report) = common::lint_json(dir.path());
    assert_eq!(
        at(&report, &["DEX302"]),
        owned(&[(
            "DEX302",
            "main.json",
            12,
            "/resources/0/properties/pricingTier"
        )])
    );
    assert_eq!(code, 1);
    // Comments stay invalid in any other JSON.
    let other = tempfile::tempdir().unwrap();
    write(other.path(), "groups.json", "{\"value\": [] // none\n}");
    let (code, _) = common::lint_json(other.path());
    assert_eq!(code, 2);
}

#[test]
fn a_key_vault_reference_in_a_parameters_file_is_unknown() {
    let reference = r#"{"reference": {"keyVault": {"id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv"}, "secretName": "tier"}}"#;
    let dir = copy_of("arm-template-parameters");
    write(
        dir.path(),
        "main.parameters.json",
        &parameters_file(&format!(r#"{{"serversTier": {reference}}}"#)),
    );
    let (_, report) = common::lint_json(dir.path());
    assert!(of(&violations(&report), "DEX302").is_empty(), "{report}");
    assert!(
        reasons(&report, "DEX302").iter().any(|r| r.contains(
            "parameter `serversTier` in `main.parameters.json` is a Key Vault reference"
        )),
        "{report}"
    );
}

// A resource whose `condition` is `false` is not deployed: the subscription fields it would set
// are unknown with that reason, and a template that deploys nothing dexlint reads because of
// its conditions says so (it said "it has no resources"). A `condition` that is not a boolean
// is unknown, with the reason. Microsoft Learn, "Conditional deployment in ARM templates".
#[test]
fn a_resource_whose_condition_is_false_is_not_deployed_and_said_so() {
    let off = |kind: &str, name: &str, props: &str, condition: &str| {
        format!(
            r#"{{"condition": {condition}, "type": "{kind}", "apiVersion": "2024-01-01",
      "name": "{name}", "properties": {props}}}"#
        )
    };
    let pricing = off(
        "Microsoft.Security/pricings",
        "VirtualMachines",
        r#"{"pricingTier": "Free"}"#,
        "false",
    );
    let setting = off(
        "Microsoft.Security/settings",
        "WDATP",
        r#"{"enabled": false}"#,
        "false",
    );
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "main.json",
        &subscription_template(&format!("[{pricing}, {setting}]")),
    );
    let (code, report) = common::lint_json(dir.path());
    assert_eq!(code, 0, "{report:#}");
    assert!(violations(&report).is_empty(), "{report:#}");
    assert_eq!(
        reasons(&report, "DEX302"),
        [
            "`Microsoft.Security/pricings/VirtualMachines` in `main.json` is not deployed (its \
          `condition` is `false`): the template leaves the subscription's Defender for Servers \
          pricing (`VirtualMachines`) as it is"
        ]
    );
    assert_eq!(
        reasons(&report, "DEX303"),
        ["`Microsoft.Security/settings/WDATP` in `main.json` is not deployed (its `condition` is \
          `false`): the template leaves the subscription's Defender for Endpoint integration (the \
          `WDATP` setting) as it is"]
    );
    // A resource-group template: no subscription field, a note naming what is not deployed.
    let rg = subscription_template(&format!("[{pricing}]")).replace(
        "2018-05-01/subscriptionDeploymentTemplate.json#",
        "2019-04-01/deploymentTemplate.json#",
    );
    write(dir.path(), "main.json", &rg);
    let (_, report) = common::lint_json(dir.path());
    let notes: Vec<&str> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["message"].as_str())
        .filter(|m| m.starts_with("this ARM template deploys no resource dexlint reads"))
        .collect();
    assert_eq!(notes.len(), 1, "{report:#}");
    assert!(
        notes[0].contains(
            "(it does not deploy `Microsoft.Security/pricings/VirtualMachines` (its `condition` \
             is `false`))"
        ),
        "{notes:?}"
    );
    // A condition that is a string, not a boolean: its fields are unknown, with the reason.
    let text = subscription_template(&format!(
        "[{}, {setting}]",
        pricing.replace(r#""condition": false"#, r#""condition": "false""#,)
    ));
    write(dir.path(), "main.json", &text);
    let (_, report) = common::lint_json(dir.path());
    assert!(violations(&report).is_empty(), "{report:#}");
    assert!(
        reasons(&report, "DEX302").iter().any(|r| r.contains(
            "is deployed is known only at deployment (its `condition`: the string `false` is not \
             a boolean)"
        )),
        "{report:#}"
    );
}

// A pricing's `scope` given as `resourceId(...)` of literal arguments (the form before Bicep,
// Microsoft Learn "Resource functions for ARM templates", `resourceId`) is that resource, as
// the `format(...)` form is: without a subscription and resource group, the deployment's
// group's; with both, the one it names. It was "a resource id known only at deployment", and
// the machine's pricing was not read (DEX304 not evaluated instead of reported).
#[test]
fn a_scope_of_resource_id_on_literal_arguments_is_that_resource() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "vm-exclusion.json",
        r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [
    {
      "type": "Microsoft.Security/pricings",
      "apiVersion": "2024-01-01",
      "scope": "[resourceId('Microsoft.HybridCompute/machines', 'arc-web-02')]",
      "name": "VirtualMachines",
      "properties": { "pricingTier": "Free" }
    },
    {
      "type": "Microsoft.Security/pricings",
      "apiVersion": "2024-01-01",
      "scope": "[resourceId('5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d', 'rg-sql', 'Microsoft.Compute/virtualMachines', 'vm-sql-01')]",
      "name": "VirtualMachines",
      "properties": { "pricingTier": "Free" }
    }
  ]
}"#,
    );
    let (_, report) = common::lint_json(dir.path());
    let v = violations(&report);
    let off = of(&v, "DEX304");
    assert_eq!(off.len(), 2, "{report}");
    assert!(
        off[0].4.contains(
            "resource `arc-web-02` of subscription `target subscription of vm-exclusion.json`"
        ),
        "{off:?}"
    );
    assert!(
        off[1].4.contains(
            "resource `vm-sql-01` of subscription `5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d`"
        ),
        "{off:?}"
    );
    // Only rule 2 (a subscription's coverage status): the template deploys no subscription.
    let skipped = not_evaluated(&report, "DEX304");
    assert!(skipped.iter().all(|n| n["rule"] == 2), "{report}");
}
