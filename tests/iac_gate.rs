//! Faults found using dexlint as a gate on infrastructure-as-code pull requests: Terraform
//! resources that set one subscription's value twice, membership removals, Bicep sources beside
//! (or instead of) their compiled JSON, parameters files per environment, and where a violation
//! of a parameters file's value points.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common;
use crate::common::{fixture, lint_json, not_evaluated, violation_messages};

use serde_json::Value;

/// The load diagnostics of `level`: (file, line, message).
fn diagnostics(report: &Value, level: &str) -> Vec<(String, u64, String)> {
    report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["level"] == level)
        .map(|e| {
            (
                e["file"].as_str().unwrap_or("").to_string(),
                e["line"].as_u64().unwrap_or(0),
                e["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Lints a copy of fixture `name` whose `terraform/plan.json` `edit` changed.
fn lint_edited(name: &str, edit: impl FnOnce(&mut Value)) -> Value {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&fixture(name), dir.path());
    let path = dir.path().join("terraform/plan.json");
    let mut plan: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    edit(&mut plan);
    std::fs::write(&path, serde_json::to_string_pretty(&plan).unwrap()).unwrap();
    lint_json(dir.path()).1
}

/// The plan's `resource_changes` in reverse order.
fn reversed(plan: &mut Value) {
    plan["resource_changes"].as_array_mut().unwrap().reverse();
}

const SUB: &str = "cloud_accounts/6d2a1c0e-5f6b-4c8a-9e3d-2b7f4a1c9d80";

#[test]
fn two_terraform_pricings_of_one_subscription_leave_its_tier_unknown_in_either_order() {
    let free = "`azurerm_security_center_subscription_pricing.vm_exception` (`Free`)";
    let standard =
        "`module.landing_zone.azurerm_security_center_subscription_pricing.defender[\"VirtualMachines\"]`";
    let (_, report) = lint_json(&fixture("terraform-conflict-pricing"));
    let swapped = lint_edited("terraform-conflict-pricing", reversed);
    for report in [report, swapped] {
        assert!(
            violation_messages(&report, "DEX302").is_empty(),
            "{report:#}"
        );
        let ne = not_evaluated(&report, "DEX302");
        assert!(
            ne.iter().any(|(e, r)| e == SUB
                && r.contains(free)
                && r.contains(standard)
                && r.contains("applied last")),
            "{ne:?}"
        );
        let warnings = diagnostics(&report, "warning");
        assert!(
            warnings
                .iter()
                .any(|w| w.2.contains("vm_exception") && w.2.contains(standard)),
            "{warnings:?}"
        );
    }
    // Two resources that agree are no conflict.
    let report = lint_edited("terraform-conflict-pricing", |plan| {
        let after = &mut plan["resource_changes"][0]["change"]["after"];
        after["tier"] = Value::from("Standard");
        after["subplan"] = Value::from("P2");
    });
    assert!(
        violation_messages(&report, "DEX302").is_empty(),
        "{report:#}"
    );
    assert!(not_evaluated(&report, "DEX302").is_empty(), "{report:#}");
    assert!(diagnostics(&report, "warning").is_empty(), "{report:#}");
    // A pricing whose `resource_type` is known only after apply may be this one, listed before
    // or after the pricing that sets it.
    for reverse in [false, true] {
        let report = lint_edited("terraform-conflict-pricing", |plan| {
            let change = &mut plan["resource_changes"][0]["change"];
            change["after"]
                .as_object_mut()
                .unwrap()
                .remove("resource_type");
            change["after_unknown"] = serde_json::json!({"id": true, "resource_type": true});
            if reverse {
                reversed(plan);
            }
        });
        assert!(
            violation_messages(&report, "DEX302").is_empty(),
            "{report:#}"
        );
        let ne = not_evaluated(&report, "DEX302");
        assert!(
            ne.iter()
                .any(|(e, r)| e == SUB && r.contains("`after_unknown.resource_type`")),
            "{reverse}: {ne:?}"
        );
    }
}

#[test]
fn two_terraform_wdatp_settings_of_one_subscription_leave_it_unknown_in_either_order() {
    let (_, report) = lint_json(&fixture("terraform-conflict-wdatp"));
    let swapped = lint_edited("terraform-conflict-wdatp", reversed);
    for report in [report, swapped] {
        assert!(
            violation_messages(&report, "DEX303").is_empty(),
            "{report:#}"
        );
        let ne = not_evaluated(&report, "DEX303");
        assert!(
            ne.iter().any(|(e, r)| e == SUB
                && r.contains("`azurerm_security_center_setting.mde_off` (`false`)")
                && r.contains("`module.landing_zone.azurerm_security_center_setting.wdatp`")),
            "{ne:?}"
        );
        // The pricing they do not touch is judged.
        assert!(not_evaluated(&report, "DEX302").is_empty(), "{report:#}");
    }
}

#[test]
fn a_terraform_membership_the_plan_deletes_is_no_member_after_apply() {
    const GROUP: &str = "groups/3f0b1c2d-aaaa-4bbb-8ccc-1d2e3f4a5b6c";
    let (_, report) = lint_json(&fixture("terraform-delete-member"));
    assert!(
        violation_messages(&report, "DEX003").is_empty(),
        "{report:#}"
    );
    assert!(
        violation_messages(&report, "DEX007").is_empty(),
        "{report:#}"
    );
    // The plan deletes the last membership too: the group has no member after apply.
    let report = lint_edited("terraform-delete-member", |plan| {
        assert_eq!(plan["resource_changes"][1]["type"], "azuread_group_member");
        let change = &mut plan["resource_changes"][1]["change"];
        change["actions"] = serde_json::json!(["delete"]);
        change["after"] = Value::Null;
        change["after_unknown"] = serde_json::json!({});
    });
    let empty = violation_messages(&report, "DEX007");
    assert_eq!(empty.len(), 1, "{report:#}");
    assert!(
        empty[0].contains("Defender_Experts_Scoped_Coverage_Users"),
        "{empty:?}"
    );
    assert!(
        !not_evaluated(&report, "DEX003")
            .iter()
            .any(|(e, _)| e == GROUP),
        "{report:#}"
    );
    // A replaced membership removes the prior member and adds the new one: the same nested group.
    let report = lint_edited("terraform-delete-member", |plan| {
        let change = &mut plan["resource_changes"][2]["change"];
        change["actions"] = serde_json::json!(["delete", "create"]);
        change["after"] = change["before"].clone();
        change["after_unknown"] = serde_json::json!({});
    });
    assert_eq!(violation_messages(&report, "DEX003").len(), 1, "{report:#}");
}

#[test]
fn bicep_files_are_noted_with_the_command_that_compiles_them() {
    let (code, report) = lint_json(&fixture("bicep-uncompiled-params"));
    assert_eq!(code, 0, "{report:#}");
    let notes = diagnostics(&report, "note");
    for (file, command) in [
        ("main.bicep", "`bicep build main.bicep`"),
        ("prod.bicepparam", "`bicep build-params prod.bicepparam`"),
    ] {
        assert!(
            notes.iter().any(|n| n.0 == file && n.2.contains(command)),
            "{notes:?}"
        );
    }
    // A folder of only Bicep source: no tenant data, and the command that gives it.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("infra")).unwrap();
    std::fs::copy(
        fixture("bicep-uncompiled-params").join("main.bicep"),
        dir.path().join("infra/main.bicep"),
    )
    .unwrap();
    let (code, report) = lint_json(dir.path());
    assert_eq!(code, 2, "{report:#}");
    let errors = diagnostics(&report, "error");
    assert!(
        errors.iter().any(|e| e.2.contains("no tenant data")
            && e.2.contains("only Bicep source")
            && e.2.contains("`bicep build infra/main.bicep`")),
        "{errors:?}"
    );
    // The hook: a changed Bicep file in no configured export says how to compile it.
    std::fs::write(
        dir.path().join("dexlint.toml"),
        "exports = [\"exports/contoso\"]\n",
    )
    .unwrap();
    common::copy_dir(
        &common::manifest().join("examples/contoso"),
        &dir.path().join("exports/contoso"),
    );
    let out = common::dexlint()
        .current_dir(dir.path())
        .args(["hook", "infra/main.bicep"])
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("note: `infra/main.bicep` is Bicep source")
            && err.contains("`bicep build infra/main.bicep`"),
        "{err}"
    );
}

#[test]
fn parameters_files_that_disagree_are_named_with_the_value_each_gives() {
    let (_, report) = lint_json(&fixture("arm-template-environments"));
    assert!(
        violation_messages(&report, "DEX302").is_empty(),
        "{report:#}"
    );
    let ne = not_evaluated(&report, "DEX302");
    assert!(
        ne.iter().any(
            |(e, r)| e == "cloud_accounts/target subscription of main.json"
                && r.contains("`dev.json` gives `Free`, `prod.json` gives `Standard`")
        ),
        "{ne:?}"
    );
}

#[test]
fn a_violation_of_a_parameters_file_value_is_annotated_at_the_parameters_file() {
    // The pre-commit hook on a pull request that changes only the parameters file.
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(
        &fixture("arm-template-parameters"),
        &dir.path().join("infra/build"),
    );
    std::fs::write(
        dir.path().join("dexlint.toml"),
        "exports = [\"infra/build\"]\n",
    )
    .unwrap();
    let hook = |format: &str| {
        let out = common::dexlint()
            .current_dir(dir.path())
            .args([
                "hook",
                "infra/build/main.parameters.json",
                "--format",
                format,
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        String::from_utf8(out.stdout).unwrap()
    };
    let github = hook("github");
    assert!(
        github.contains("::error file=infra/build/main.parameters.json,line=6,col=16,")
            && github.contains("title=DEX302"),
        "{github}"
    );
    let sarif: Value = serde_json::from_str(&hook("sarif")).unwrap();
    let located: Vec<(String, u64)> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["ruleId"] == "DEX302")
        .map(|r| {
            let l = &r["locations"][0]["physicalLocation"];
            (
                l["artifactLocation"]["uri"].as_str().unwrap().to_string(),
                l["region"]["startLine"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        located,
        [("infra/build/main.parameters.json".to_string(), 6)],
        "{sarif:#}"
    );
}

#[test]
fn a_terraform_provider_without_subscription_id_names_the_account_by_the_resource_ids() {
    let (code, report) = lint_json(&fixture("terraform-no-provider-subscription"));
    assert_eq!(code, 1, "{report:#}");
    let entities = |report: &Value| -> Vec<String> {
        let mut e: Vec<String> = report["violations"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|v| v["entity"].as_str().map(str::to_string))
            .collect();
        e.sort();
        e.dedup();
        e
    };
    assert_eq!(entities(&report), [SUB], "{report:#}");
    for policy in ["DEX302", "DEX303"] {
        let m = violation_messages(&report, policy);
        assert!(
            m.len() == 1 && m[0].contains("`6d2a1c0e-5f6b-4c8a-9e3d-2b7f4a1c9d80`"),
            "{m:?}"
        );
    }
    // A setting the plan creates (no id yet) beside the existing pricing: the same provider
    // configuration, so the same subscription.
    let report = lint_edited("terraform-no-provider-subscription", |plan| {
        for path in ["planned_values", "prior_state"] {
            plan[path]["values"]["root_module"]["resources"]
                .as_array_mut()
                .map(|r| r.remove(0));
            plan[path]["root_module"]["resources"]
                .as_array_mut()
                .map(|r| r.remove(0));
        }
        let change = &mut plan["resource_changes"][0]["change"];
        change["actions"] = serde_json::json!(["create"]);
        change["before"] = Value::Null;
        change["after"]["id"] = Value::Null;
        change["after_unknown"] = serde_json::json!({"id": true});
    });
    assert_eq!(entities(&report), [SUB], "{report:#}");
}

#[test]
fn a_member_of_two_groups_is_not_said_to_be_of_the_other_group() {
    let (_, report) = lint_json(&fixture("bicep-graph-shared-member"));
    assert_eq!(violation_messages(&report, "DEX003").len(), 1, "{report:#}");
    let ne = not_evaluated(&report, "DEX003");
    let scoped: Vec<&String> = ne
        .iter()
        .filter(|(e, _)| e == "groups/scopedUsers")
        .map(|(_, r)| r)
        .collect();
    assert!(
        !scoped.is_empty()
            && scoped
                .iter()
                .all(|r| r.contains("`7c1d2e3f-1111-4222-8333-444455556666`")
                    && !r.contains("socGroup")),
        "{ne:?}"
    );
    // The same in a Terraform plan: another group, listed first, has the same member.
    let report = lint_edited("terraform-delete-member", |plan| {
        let mut other = plan["resource_changes"][0].clone();
        other["address"] = Value::from("azuread_group.other");
        other["name"] = Value::from("other");
        for side in ["before", "after"] {
            let values = &mut other["change"][side];
            values["display_name"] = Value::from("Other");
            values["object_id"] = Value::from("5e5e5e5e-0000-4000-8000-000000000005");
            values["id"] = Value::from("/groups/5e5e5e5e-0000-4000-8000-000000000005");
            values["members"] = serde_json::json!(["7c1d2e3f-1111-4222-8333-444455556666"]);
        }
        plan["resource_changes"]
            .as_array_mut()
            .unwrap()
            .insert(0, other);
    });
    let ne = not_evaluated(&report, "DEX003");
    assert!(
        ne.iter()
            .any(|(e, r)| e == "groups/3f0b1c2d-aaaa-4bbb-8ccc-1d2e3f4a5b6c"
                && r.contains("`7c1d2e3f-1111-4222-8333-444455556666`"))
            && !ne.iter().any(|(_, r)| r.contains("azuread_group.other")),
        "{ne:?}"
    );
}

/// The violations of `policy` in a `--format json` report: (message, file, pointer).
fn violations_at(report: &Value, policy: &str) -> Vec<(String, String, String)> {
    report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["policy"] == policy)
        .map(|v| {
            (
                v["message"].as_str().unwrap().to_string(),
                v["file"].as_str().unwrap_or("").to_string(),
                v["pointer"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

const TEMPLATE_SUB: &str = "0b5e2f7a-4c1d-4e8b-9a36-7d2c5e1f8a40";
const AZAPI_SUB: &str = "9e41c7d2-8a53-4f06-b1e7-3c6d0a9f2b15";

#[test]
fn arm_templates_deployed_by_a_terraform_plan_are_read() {
    let (code, report) = lint_json(&fixture("terraform-template-deployment"));
    assert_eq!(code, 1, "{report:#}");
    let dex302 = violations_at(&report, "DEX302");
    assert!(
        dex302.len() == 1
            && dex302[0].0.contains(TEMPLATE_SUB)
            && dex302[0].0.contains("tier `Free`")
            && dex302[0].1 == "terraform/plan.json"
            && dex302[0].2 == "/resource_changes/1/change/after/parameters_content",
        "{report:#}"
    );
    let dex303 = violations_at(&report, "DEX303");
    assert!(
        dex303.len() == 1
            && dex303[0].0.contains(AZAPI_SUB)
            && dex303[0].2
                == "/resource_changes/2/change/after/body/properties/parameters/mdeEnabled/value",
        "{report:#}"
    );
    // Never "the plan has no pricing" of a subscription a template sets.
    let ne = report["not_evaluated"].to_string();
    assert!(!ne.contains("the plan has no"), "{ne}");
}

#[test]
fn a_terraform_template_deployment_and_a_pricing_of_one_subscription_leave_its_tier_unknown() {
    let pricing = serde_json::json!({
        "address": "azurerm_security_center_subscription_pricing.servers",
        "mode": "managed",
        "type": "azurerm_security_center_subscription_pricing",
        "name": "servers",
        "provider_name": "registry.terraform.io/hashicorp/azurerm",
        "change": {
            "actions": ["create"],
            "before": null,
            "after": {"extension": [], "resource_type": "VirtualMachines", "subplan": "P2",
                      "tier": "Standard", "timeouts": null},
            "after_unknown": {"extension": [], "id": true},
            "before_sensitive": false,
            "after_sensitive": {"extension": []}
        }
    });
    for reverse in [false, true] {
        let report = lint_edited("terraform-template-deployment", |plan| {
            plan["resource_changes"]
                .as_array_mut()
                .unwrap()
                .insert(0, pricing.clone());
            plan["configuration"]["root_module"]["resources"]
                .as_array_mut()
                .unwrap()
                .push(serde_json::json!({
                    "address": "azurerm_security_center_subscription_pricing.servers",
                    "mode": "managed",
                    "type": "azurerm_security_center_subscription_pricing",
                    "name": "servers",
                    "provider_config_key": "azurerm",
                    "expressions": {"tier": {"constant_value": "Standard"}},
                    "schema_version": 1
                }));
            if reverse {
                reversed(plan);
            }
        });
        assert!(
            violation_messages(&report, "DEX302").is_empty(),
            "{report:#}"
        );
        let ne = not_evaluated(&report, "DEX302");
        assert!(
            ne.iter()
                .any(|(e, r)| e == &format!("cloud_accounts/{TEMPLATE_SUB}")
                    && r.contains("`azurerm_security_center_subscription_pricing.servers`")
                    && r.contains("`azurerm_subscription_template_deployment.defender`")
                    && r.contains("applied last")),
            "{reverse}: {ne:?}"
        );
    }
}

#[test]
fn a_template_a_terraform_plan_cannot_read_leaves_what_it_may_set_unknown() {
    // `template_content` known only after apply.
    let report = lint_edited("terraform-template-deployment", |plan| {
        let change = &mut plan["resource_changes"][1]["change"];
        change["after"]["template_content"] = Value::Null;
        change["after_unknown"]["template_content"] = Value::from(true);
    });
    let ne = not_evaluated(&report, "DEX302");
    assert!(
        violations_at(&report, "DEX302").is_empty()
            && ne
                .iter()
                .any(|(e, r)| e == &format!("cloud_accounts/{TEMPLATE_SUB}")
                    && r.contains("`azurerm_subscription_template_deployment.defender`")
                    && r.contains("`after_unknown.template_content`")),
        "{report:#}"
    );
    // A template the azapi deployment links.
    let report = lint_edited("terraform-template-deployment", |plan| {
        let props = &mut plan["resource_changes"][2]["change"]["after"]["body"]["properties"];
        props.as_object_mut().unwrap().remove("template");
        props["templateLink"] = serde_json::json!({"uri": "https://example.org/defender.json"});
    });
    let ne = not_evaluated(&report, "DEX303");
    assert!(
        violations_at(&report, "DEX303").is_empty()
            && ne
                .iter()
                .any(|(e, r)| e == &format!("cloud_accounts/{AZAPI_SUB}")
                    && r.contains("`azapi_resource.defender_baseline`")
                    && r.contains("`templateLink`")),
        "{report:#}"
    );
}

/// The entities of the violations of `policy` in a `--format json` report.
fn violation_entities(report: &Value, policy: &str) -> Vec<String> {
    report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["policy"] == policy)
        .map(|v| v["entity"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn a_module_provider_block_takes_the_subscription_its_module_call_passes() {
    let dev = "cloud_accounts/c8d17e25-3b9f-4a02-9e6c-41f5b7a0d268";
    // A root variable the module call passes.
    let (_, report) = lint_json(&fixture("terraform-module-provider"));
    assert_eq!(violation_entities(&report, "DEX302"), [dev], "{report:#}");
    // A constant the module call passes.
    let report = lint_edited("terraform-module-provider", |plan| {
        plan["configuration"]["root_module"]["module_calls"]["defender_dev"]["expressions"]
            ["subscription_id"] = serde_json::json!({
            "constant_value": "c8d17e25-3b9f-4a02-9e6c-41f5b7a0d268"
        });
    });
    assert_eq!(violation_entities(&report, "DEX302"), [dev], "{report:#}");
    // The module variable's default, when the module call passes none.
    let report = lint_edited("terraform-module-provider", |plan| {
        let call = &mut plan["configuration"]["root_module"]["module_calls"]["defender_dev"];
        call["expressions"]
            .as_object_mut()
            .unwrap()
            .remove("subscription_id");
        call["module"]["variables"]["subscription_id"]["default"] =
            Value::from("c8d17e25-3b9f-4a02-9e6c-41f5b7a0d268");
    });
    assert_eq!(violation_entities(&report, "DEX302"), [dev], "{report:#}");
}

#[test]
fn a_refresh_only_plan_is_judged_on_the_state_its_apply_writes() {
    let (code, report) = lint_json(&fixture("terraform-refresh-only"));
    assert_eq!(code, 1, "{report:#}");
    let dex302 = violations_at(&report, "DEX302");
    assert!(
        dex302.len() == 1
            && dex302[0].0.contains("2d7f4b19-6e3a-4c85-a0d2-9b1e5f7c3a64")
            && dex302[0].2 == "/prior_state/values/root_module/resources/0/values/tier",
        "{report:#}"
    );
    assert!(violations_at(&report, "DEX303").is_empty(), "{report:#}");
    assert!(
        diagnostics(&report, "note")
            .iter()
            .any(|n| n.2.contains("refresh-only")),
        "{report:#}"
    );
}

/// The violations of `policy` in a `--format json` report: (file, pointer).
fn located(report: &Value, policy: &str) -> Vec<(String, String)> {
    violations_at(report, policy)
        .into_iter()
        .map(|(_, file, pointer)| (file, pointer))
        .collect()
}

#[test]
fn a_value_a_template_passes_on_is_located_where_it_is_written() {
    let (_, report) = lint_json(&fixture("arm-template-value-origins"));
    let owned = |v: &[(&str, &str)]| -> Vec<(String, String)> {
        v.iter()
            .map(|(f, p)| (f.to_string(), p.to_string()))
            .collect()
    };
    assert_eq!(
        located(&report, "DEX302"),
        owned(&[
            (
                "bicep-module/main.parameters.json",
                "/parameters/serversTier/value"
            ),
            (
                "linked/main.parameters.json",
                "/parameters/serversTier/value"
            ),
            (
                "nested-outer/azuredeploy.parameters.json",
                "/parameters/serversTier/value"
            ),
        ])
    );
    assert_eq!(
        located(&report, "DEX303"),
        owned(&[(
            "linked/modules/defender.json",
            "/resources/1/properties/enabled"
        )])
    );
    // A literal a module is passed: where the deployment passes it.
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(
        &fixture("arm-template-value-origins").join("bicep-module"),
        dir.path(),
    );
    let main = dir.path().join("main.json");
    let text = std::fs::read_to_string(&main)
        .unwrap()
        .replace("\"[parameters('serversTier')]\"", "\"Free\"");
    std::fs::write(&main, text).unwrap();
    let (_, report) = lint_json(dir.path());
    assert_eq!(
        located(&report, "DEX302"),
        owned(&[(
            "main.json",
            "/resources/defender/properties/parameters/tier/value"
        )])
    );
}

#[test]
fn plans_of_two_environments_without_subscription_ids_are_two_accounts() {
    let (_, report) = lint_json(&fixture("terraform-plan-per-environment"));
    assert_eq!(
        violation_entities(&report, "DEX302"),
        [
            "cloud_accounts/target subscription of plans/dev.json",
            "cloud_accounts/target subscription of plans/prod.json"
        ],
        "{report:#}"
    );
}
