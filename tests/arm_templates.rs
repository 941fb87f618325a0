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
        message.contains("Microsoft.Security/pricings/VirtualMachines") && message.contains("Free"),
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
        [("main.json", 39, "/resources/0/properties/pricingTier")]
    );
    assert_eq!(of(&v, "DEX303").len(), 1, "{v:?}");
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
fn parameters_files_that_disagree_make_the_parameter_unknown() {
    let dir = copy_of("arm-template-parameters");
    std::fs::rename(
        dir.path().join("main.parameters.json"),
        dir.path().join("prod.parameters.json"),
    )
    .unwrap();
    write(
        dir.path(),
        "dev.parameters.json",
        r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
            "contentVersion": "1.0.0.0", "parameters": {"serversTier": {"value": "Standard"}, "mdeIntegration": {"value": false}}}"#,
    );
    let (_, report) = common::lint_json(dir.path());
    let v = violations(&report);
    assert!(of(&v, "DEX302").is_empty(), "{v:?}");
    // Both files turn the integration off: that is known.
    assert_eq!(of(&v, "DEX303").len(), 1, "{v:?}");
    let reasons: Vec<&str> = not_evaluated(&report, "DEX302")
        .iter()
        .filter_map(|n| n["reason"].as_str())
        .collect();
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
        Some("Microsoft.Security/pricings/VirtualMachines")
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
    let Some(dexlint::model::Value::Records(members)) = scoped.get("members").map(|f| &f.value)
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
    let reasons: Vec<&str> = not_evaluated(&report, "DEX003")
        .iter()
        .filter_map(|n| n["reason"].as_str())
        .collect();
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
