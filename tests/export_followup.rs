//! Faults found by reading real exports as a new user would: member lists that match no
//! group, incomplete paged lists outside Graph, several antivirus rows for one machine,
//! Terraform values known only after apply, PowerShell single objects, fields a source does not
//! carry, partial EntraExporter exports, more `ConvertTo-Json` cut-offs, saved web responses,
//! appended documents and two tenants in one root.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common;
use crate::common::{fixture, lint_json, not_evaluated};

use serde_json::Value;

/// The violations of `policy`: (file, line, message).
fn violations(report: &Value, policy: &str) -> Vec<(String, u64, String)> {
    report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["policy"] == policy)
        .map(|v| {
            (
                v["file"].as_str().unwrap().to_string(),
                v["line"].as_u64().unwrap_or(0),
                v["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

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

/// A copy of a fixture in a temporary directory (to add or change files).
#[allow(dead_code)]
fn copy(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&fixture(name), dir.path());
    dir
}

#[test]
fn member_lists_match_groups_ignoring_case_and_unmatched_lists_are_warnings() {
    let (_, report) = lint_json(&fixture("members-unmatched"));
    // The upper-case folder is the scoped group's: its nested group is found.
    let nested = violations(&report, "DEX003");
    assert_eq!(nested.len(), 1, "{report:#}");
    assert!(
        nested[0]
            .0
            .ends_with("B7E2C4A1-5D3F-4E8A-9B6C-1F0E2D3C4B5A/members.json"),
        "{nested:?}"
    );
    let warnings = diagnostics(&report, "warning");
    let unknown: Vec<_> = warnings
        .iter()
        .filter(|w| w.2.contains("no group with id"))
        .collect();
    assert_eq!(unknown.len(), 2, "{warnings:?}");
    assert!(unknown.iter().any(|w| w.0
        == "graph/groups/c0ffee00-1234-4abc-8def-0123456789ab/members.json"
        && w.2.contains("`c0ffee00-1234-4abc-8def-0123456789ab`")));
    // A folder named after the group's display name: the warning names its id.
    assert!(unknown
        .iter()
        .any(|w| w.0 == "graph/groups/SOC Tier 2/members.json"
            && w.2.contains("5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d")));
}

#[test]
fn defender_for_endpoint_pages_are_one_list_and_a_missing_page_is_a_gap() {
    // Both pages read: the passive machine of the second antivirus page is found there.
    let (_, report) = lint_json(&fixture("mde-paged"));
    let passive = violations(&report, "DEX204");
    assert_eq!(passive.len(), 1, "{report:#}");
    assert_eq!(passive[0].0, "mde/deviceavinfo-2.json", "{passive:?}");
    assert!(passive[0].2.contains("ws-202"), "{passive:?}");
    assert!(diagnostics(&report, "warning").is_empty(), "{report:#}");

    let (_, report) = lint_json(&fixture("mde-paged-incomplete"));
    let warnings = diagnostics(&report, "warning");
    assert!(
        warnings
            .iter()
            .any(|w| w.0 == "mde/machines.json" && w.1 == 15 && w.2.contains("`@odata.nextLink`")),
        "{warnings:?}"
    );
    assert!(violations(&report, "DEX204").is_empty(), "{report:#}");
    let ne = not_evaluated(&report, "DEX204");
    assert!(
        ne.iter().any(|(_, r)| r.contains("further pages")),
        "{report:#}"
    );
}

#[test]
fn an_arm_list_with_a_next_link_and_no_further_page_is_a_gap() {
    let (_, report) = lint_json(&fixture("arm-paged-incomplete"));
    let warnings = diagnostics(&report, "warning");
    assert!(
        warnings
            .iter()
            .any(|w| w.0 == "azure/pricings.json" && w.1 == 14 && w.2.contains("`nextLink`")),
        "{warnings:?}"
    );
    for policy in ["DEX302", "DEX303"] {
        let ne = not_evaluated(&report, policy);
        assert!(
            ne.iter().any(|(_, r)| r.contains("further pages")),
            "{policy}: {report:#}"
        );
    }
    // A subscription's list of one pricing: Defender for Servers off (ARM `GET
    // /subscriptions/{id}/providers/Microsoft.Security/pricings`).
    let free_servers = |sub: &str| {
        serde_json::json!({"value": [{
            "id": format!("/subscriptions/{sub}/providers/Microsoft.Security/pricings/VirtualMachines"),
            "name": "VirtualMachines", "type": "Microsoft.Security/pricings",
            "properties": {"pricingTier": "Free", "freeTrialRemainingTime": "PT0S"}}]})
        .to_string()
    };
    // Another subscription's complete list beside it is judged: the missing page leaves only
    // its own subscription not evaluated.
    let dir = copy("arm-paged-incomplete");
    std::fs::write(
        dir.path()
            .join("azure/pricings-7c1d2f3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f.json"),
        free_servers("7c1d2f3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f"),
    )
    .unwrap();
    let (_, report) = lint_json(dir.path());
    let free = violations(&report, "DEX302");
    assert_eq!(free.len(), 1, "{report:#}");
    assert!(
        free[0].2.contains("7c1d2f3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f"),
        "{free:?}"
    );
    let ne = not_evaluated(&report, "DEX302");
    assert_eq!(ne.len(), 1, "{ne:?}");
    assert_eq!(
        ne[0].0, "cloud_accounts/4b6c8d0e-2f41-4a63-8b75-97a9cbdef012",
        "{ne:?}"
    );
    // The last page beside it completes the list (a page of the same subscription's list: the
    // pricings of another subscription are another list, which does not).
    let dir = copy("arm-paged-incomplete");
    std::fs::write(
        dir.path().join("azure/pricings-2.json"),
        free_servers("4b6c8d0e-2f41-4a63-8b75-97a9cbdef012"),
    )
    .unwrap();
    let (_, report) = lint_json(dir.path());
    assert!(diagnostics(&report, "warning").is_empty(), "{report:#}");
    let free = violations(&report, "DEX302");
    assert_eq!(free.len(), 1, "{report:#}");
    assert_eq!(free[0].0, "azure/pricings-2.json");
}

#[test]
fn the_most_recent_antivirus_row_of_a_machine_wins_whatever_the_order() {
    let (_, report) = lint_json(&fixture("mde-av-rows"));
    let passive = violations(&report, "DEX204");
    assert_eq!(passive.len(), 1, "{report:#}");
    assert!(passive[0].2.contains("lt-310"), "{passive:?}");
    assert_eq!(
        (passive[0].0.as_str(), passive[0].1),
        ("mde/deviceavinfo.json", 10)
    );
}

#[test]
fn a_machine_known_from_deviceavinfo_alone_takes_its_group_from_the_row() {
    let (_, report) = lint_json(&fixture("mde-avinfo-only"));
    let passive = violations(&report, "DEX204");
    assert_eq!(passive.len(), 1, "{report:#}");
    assert!(passive[0].2.contains("lt-512"), "{passive:?}");
}

#[test]
fn terraform_members_known_after_apply_are_a_gap_not_an_empty_group() {
    let (_, report) = lint_json(&fixture("terraform-after-apply"));
    assert!(violations(&report, "DEX007").is_empty(), "{report:#}");
    let ne = not_evaluated(&report, "DEX007");
    assert!(
        ne.iter()
            .any(|(e, r)| e == "groups/azuread_group.scoped" && r.contains("after_unknown.members")),
        "{report:#}"
    );
}

#[test]
fn terraform_members_of_a_data_source_group_join_that_group() {
    let (_, report) = lint_json(&fixture("terraform-data-group"));
    let nested = violations(&report, "DEX003");
    assert_eq!(nested.len(), 1, "{report:#}");
    assert!(
        nested[0].2.contains("azuread_group.responders"),
        "{nested:?}"
    );
    assert_eq!(nested[0].0, "terraform/plan.json");
    let warnings = diagnostics(&report, "warning");
    assert!(
        warnings
            .iter()
            .any(|w| w.2.contains("data.azuread_group.legacy")
                && w.2.contains("could not be attached")),
        "{warnings:?}"
    );
}

#[test]
fn groups_exported_without_group_types_do_not_let_the_dynamic_membership_rule_pass() {
    let (_, report) = lint_json(&fixture("graph-groups-select"));
    assert!(violations(&report, "DEX005").is_empty(), "{report:#}");
    let ne = not_evaluated(&report, "DEX005");
    assert!(
        ne.iter().any(|(_, r)| r.contains("`dynamic`")),
        "{report:#}"
    );
    // The same groups with their `groupTypes`: judged (the scoped group is dynamic).
    let dir = copy("graph-groups-select");
    let path = dir.path().join("graph/groups.json");
    let text = std::fs::read_to_string(&path).unwrap().replacen(
        r#""displayName": "Defender_Experts_Scoped_Coverage_Users""#,
        r#""displayName": "Defender_Experts_Scoped_Coverage_Users", "groupTypes": ["DynamicMembership"]"#,
        1,
    );
    std::fs::write(&path, text).unwrap();
    let (_, report) = lint_json(dir.path());
    assert_eq!(violations(&report, "DEX005").len(), 1, "{report:#}");
}

#[test]
fn more_convertto_json_cut_offs_are_load_errors_and_gaps() {
    let (code, report) = lint_json(&fixture("powershell-truncated-more"));
    assert_eq!(code, 2, "{report:#}");
    let errors = diagnostics(&report, "error");
    let at = |file: &str, line: u64| {
        errors
            .iter()
            .any(|e| e.0 == file && e.1 == line && e.2.contains("-Depth 10"))
    };
    assert!(at("graph/subscribedSkus.json", 17), "{errors:?}");
    assert!(at("graph/users.json", 10), "{errors:?}");
    assert!(at("graph/users.json", 11), "{errors:?}");
    for policy in ["DEX101", "DEX102"] {
        assert!(
            !not_evaluated(&report, policy).is_empty(),
            "{policy}: {report:#}"
        );
        assert!(
            violations(&report, policy).is_empty(),
            "{policy}: {report:#}"
        );
    }
}

#[test]
fn two_appended_documents_are_an_error_naming_the_cause_and_the_fix() {
    let (code, report) = lint_json(&fixture("appended"));
    assert_eq!(code, 2, "{report:#}");
    let errors = diagnostics(&report, "error");
    assert!(
        errors.iter().any(|e| e.0 == "graph/users.json"
            && e.1 == 12
            && e.2.contains("two")
            && e.2.contains("`>>`")
            && e.2.contains("own file")),
        "{errors:?}"
    );
}

#[test]
fn a_group_with_members_of_its_own_and_a_members_file_keeps_both() {
    // The data source's group lists one member in the plan, and an `azuread_group_member`
    // resource adds another; a Graph members list of the same group (its id in upper case)
    // adds a nested group. All three are the group's members, the plan's first.
    let dir = copy("terraform-data-group");
    let gid = "2F4E6A8C-0B1D-4C3E-9F5A-7B9D1E3F5A7C";
    let members = format!("graph/groups/{gid}/members.json");
    std::fs::create_dir_all(dir.path().join(format!("graph/groups/{gid}"))).unwrap();
    std::fs::write(
        dir.path().join(&members),
        r##"{
  "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#directoryObjects",
  "value": [
    {
      "@odata.type": "#microsoft.graph.group",
      "id": "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
      "displayName": "Helpdesk Tier 2"
    }
  ]
}
"##,
    )
    .unwrap();
    let load = dexlint::export::load(&[dir.path().to_path_buf()], &Default::default()).unwrap();
    let group = common::records(&load.model, "groups")
        .iter()
        .find(|g| common::text(g, "id") == Some("2f4e6a8c-0b1d-4c3e-9f5a-7b9d1e3f5a7c"))
        .expect("the data source's group");
    let ids: Vec<&str> = match common::field(group, "members").map(|f| f.value()) {
        Some(dexlint::model::ValueRef::Records(list)) => {
            list.iter().filter_map(|m| common::text(m, "id")).collect()
        }
        other => panic!("members: {other:?}"),
    };
    assert_eq!(
        ids,
        [
            "6c8e0a2b-4d6f-4a1c-8e3b-5d7f9a1c3e5b",
            "azuread_group.responders",
            "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
        ]
    );
    let (_, report) = lint_json(dir.path());
    let nested = violations(&report, "DEX003");
    assert!(
        nested
            .iter()
            .any(|v| v.0 == members && v.2.contains("Helpdesk Tier 2")),
        "{nested:?}"
    );
    assert!(
        nested.iter().any(|v| v.0 == "terraform/plan.json"),
        "{nested:?}"
    );
}

#[test]
fn a_member_listed_without_its_type_takes_the_kind_of_the_record_of_its_id() {
    // A Graph members list selected down to ids (`$select=id`): no `@odata.type`. The id, in
    // upper case, is the group `All Company` of the export: a nested group in the scoped group.
    let dir = copy("graph");
    std::fs::write(
        dir.path()
            .join("groups/b320b3f0-6a2d-4a47-9c5e-3e0f1f6f8a21/members.json"),
        "{\n  \"value\": [\n    {\n      \"id\": \"0A9C7D3E-5F21-4B8A-B6C4-2D1E3F4A5B6C\"\n    }\n  ]\n}\n",
    )
    .unwrap();
    let (_, report) = lint_json(dir.path());
    let nested = violations(&report, "DEX003");
    assert_eq!(nested.len(), 1, "{report:#}");
    assert!(
        nested[0].2.contains("nested group `All Company`"),
        "{nested:?}"
    );
    assert_eq!(nested[0].1, 3);
}

#[test]
fn terraform_members_given_as_object_ids_take_their_kind_from_the_plan() {
    let (code, report) = lint_json(&fixture("terraform-data-members"));
    assert_eq!(code, 1, "{report:#}");
    // The data source's group is a nested group, named as the plan names it.
    let nested = violations(&report, "DEX003");
    assert_eq!(nested.len(), 1, "{report:#}");
    assert_eq!(nested[0].0, "terraform/plan.json");
    assert_eq!(nested[0].1, 79);
    assert!(
        nested[0].2.contains("nested group `SOC Analysts`"),
        "{nested:?}"
    );
    // The data source's user is a user: DEX006 says nothing of it. The id the plan does not
    // describe is not evaluated by either rule, with the reason.
    assert!(violations(&report, "DEX006").is_empty(), "{report:#}");
    for policy in ["DEX003", "DEX006"] {
        let ne = not_evaluated(&report, policy);
        assert_eq!(ne.len(), 1, "{policy}: {ne:?}");
        assert_eq!(ne[0].0, "groups/azuread_group.scoped_users");
        assert!(
            ne[0].1.contains("`3f9a2c71-8d4e-4b6a-9e05-7c1d2b8a6f43`")
                && ne[0]
                    .1
                    .contains("no resource or data source of the plan describes"),
            "{policy}: {ne:?}"
        );
    }
    // With the export's Graph data naming that id a user, it is judged.
    let dir = copy("terraform-data-members");
    std::fs::create_dir_all(dir.path().join("graph")).unwrap();
    std::fs::write(
        dir.path().join("graph/users.json"),
        r#"{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users", "value": [{"id": "3F9A2C71-8D4E-4B6A-9E05-7C1D2B8A6F43", "displayName": "Lee Gu", "userPrincipalName": "lee.gu@fabrikam.com", "accountEnabled": true}]}"#,
    )
    .unwrap();
    let (_, report) = lint_json(dir.path());
    assert!(not_evaluated(&report, "DEX003").is_empty(), "{report:#}");
    assert_eq!(violations(&report, "DEX003").len(), 1, "{report:#}");
}

#[test]
fn a_terraform_group_member_resource_of_a_data_source_user_is_a_user() {
    // `azuread_group_member` whose `member_object_id` is a data source's object id (known at
    // plan time): the member's kind is the data source's.
    let dir = copy("terraform-data-members");
    let path = dir.path().join("terraform/plan.json");
    let mut plan: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let changes = plan["resource_changes"].as_array_mut().unwrap();
    changes[0]["change"]["after"]["members"] = serde_json::json!([]);
    changes[0]["change"]["after"]["object_id"] =
        Value::from("aa11bb22-cc33-4d44-8e55-ff6677889900");
    for (name, member) in [
        ("soc", "9e8d7c6b-5a49-4837-a625-140312f0e1d2"),
        ("megan", "0b7e1a52-3c1d-4f9e-8a11-2f6b5c0d9e01"),
    ] {
        changes.push(serde_json::json!({
            "address": format!("azuread_group_member.{name}"),
            "mode": "managed",
            "type": "azuread_group_member",
            "name": name,
            "change": {
                "actions": ["create"],
                "before": null,
                "after": {
                    "group_object_id": "aa11bb22-cc33-4d44-8e55-ff6677889900",
                    "member_object_id": member
                },
                "after_unknown": {"id": true}
            }
        }));
    }
    std::fs::write(&path, serde_json::to_string_pretty(&plan).unwrap()).unwrap();
    let (_, report) = lint_json(dir.path());
    let nested = violations(&report, "DEX003");
    assert_eq!(nested.len(), 1, "{report:#}");
    assert!(
        nested[0].2.contains("nested group `SOC Analysts`"),
        "{nested:?}"
    );
    assert!(violations(&report, "DEX006").is_empty(), "{report:#}");
    assert!(not_evaluated(&report, "DEX006").is_empty(), "{report:#}");
}

#[test]
fn an_onboarded_machine_without_its_antivirus_mode_is_not_judged_on_it() {
    // The antivirus health report lists every machine but the scoped laptop (Windows Server
    // 2012 R2 and 2016 are in it only when onboarded with the modern unified solution): its
    // mode is unknown, so DEX204 does not pass it. The server outside the scoped group, also
    // left out, is judged: whatever its mode, it is not in scope. (The machine known only from
    // its row is given the server's group: a row without one leaves its group unknown.)
    let dir = copy("mde");
    let path = dir.path().join("deviceavinfo.json");
    let grouped = |rows: &mut Value| {
        for r in rows["value"].as_array_mut().unwrap() {
            r["rbacGroupId"] = 141.into();
            r["rbacGroupName"] = "Servers".into();
        }
    };
    let mut rows: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    rows["value"].as_array_mut().unwrap().retain(|r| {
        r["machineId"] != "1e5bc9d7e413ddd7902c2932e418702b84d0cc07"
            && r["machineId"] != "7292d6c4ab5f2f9be0a3a8f1e0c96c44d7c9cb0d"
    });
    grouped(&mut rows);
    std::fs::write(&path, rows.to_string()).unwrap();
    let (_, report) = lint_json(dir.path());
    assert!(violations(&report, "DEX204").is_empty(), "{report:#}");
    let ne = not_evaluated(&report, "DEX204");
    assert_eq!(ne.len(), 1, "{ne:?}");
    assert_eq!(ne[0].0, "devices/1e5bc9d7e413ddd7902c2932e418702b84d0cc07");
    assert!(
        ne[0].1.contains("`fab-lt-007.fabrikam.com`")
            && ne[0].1.contains("is not in the export's antivirus data"),
        "{ne:?}"
    );
    // A row whose mode is null: the same, with its own reason.
    let mut rows: Value = serde_json::from_str(
        &std::fs::read_to_string(common::fixture("mde").join("deviceavinfo.json")).unwrap(),
    )
    .unwrap();
    grouped(&mut rows);
    rows["value"][0]["avMode"] = Value::Null;
    std::fs::write(&path, rows.to_string()).unwrap();
    let (_, report) = lint_json(dir.path());
    let ne = not_evaluated(&report, "DEX204");
    assert_eq!(ne.len(), 1, "{ne:?}");
    assert!(ne[0].1.contains("gives no mode"), "{ne:?}");
    // A machine that can be onboarded but is not has no antivirus row to miss.
    rows["value"].as_array_mut().unwrap().remove(0);
    std::fs::write(&path, rows.to_string()).unwrap();
    let machines = dir.path().join("machines.json");
    let text = std::fs::read_to_string(&machines).unwrap().replacen(
        "\"onboardingStatus\": \"Onboarded\"",
        "\"onboardingStatus\": \"CanBeOnboarded\"",
        1,
    );
    std::fs::write(&machines, text).unwrap();
    let (_, report) = lint_json(dir.path());
    assert!(not_evaluated(&report, "DEX204").is_empty(), "{report:#}");
}

#[test]
fn an_entra_exporter_export_of_dynamic_groups_only_is_an_incomplete_groups_list() {
    // `Export-Entra` without `-All` exports its `Config` type: the dynamic groups, with their
    // owners, and no assigned group or member. Here: one dynamic group, and the organization
    // (`GET /organization`'s array, as EntraExporter writes it).
    let dir = tempfile::tempdir().unwrap();
    let gid = "4d3c2b1a-0f9e-4d8c-b7a6-958473625140";
    let group = dir.path().join(format!("Groups/{gid}/{gid}.json"));
    std::fs::create_dir_all(group.parent().unwrap()).unwrap();
    std::fs::write(
        &group,
        format!(
            "\u{feff}{{\n  \"Id\": \"{gid}\",\n  \"DisplayName\": \"All Sales\",\n  \"GroupTypes\": [\n    \"DynamicMembership\"\n  ],\n  \"MembershipRule\": \"user.department -eq \\\"Sales\\\"\",\n  \"SecurityEnabled\": true,\n  \"MailEnabled\": false\n}}\n"
        ),
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("Organization")).unwrap();
    std::fs::write(
        dir.path().join("Organization/Organization.json"),
        "[\n  {\n    \"id\": \"5b7d8e9f-0a1b-4c2d-8e3f-4a5b6c7d8e9f\",\n    \"displayName\": \"Fabrikam\"\n  }\n]\n",
    )
    .unwrap();
    // Whether DEX003 is not evaluated as over an export of EntraExporter's `Config` type.
    let config_only = |dir: &std::path::Path| {
        let (_, report) = lint_json(dir);
        not_evaluated(&report, "DEX003")
            .iter()
            .any(|(_, r)| r.contains("every group of the EntraExporter export is dynamic"))
    };
    let (_, report) = lint_json(dir.path());
    assert!(
        report["errors"].as_array().unwrap().is_empty(),
        "the organization list is understood: {report:#}"
    );
    for policy in ["DEX002", "DEX003"] {
        let ne = not_evaluated(&report, policy);
        assert!(
            ne.iter()
                .any(|(_, r)| r.contains("every group of the EntraExporter export is dynamic")),
            "{policy}: {ne:?}"
        );
    }
    let out = common::dexlint()
        .args(["scope", "--format", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    let scope: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        scope["summary"]["scoped_coverage"],
        Value::Null,
        "{scope:#}"
    );
    // With users exported (`-All`, `-Type Users`: more than `Config`), the dynamic groups are
    // all the tenant has.
    let uid = "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    let user = dir.path().join(format!("Users/{uid}"));
    std::fs::create_dir_all(&user).unwrap();
    std::fs::copy(
        common::fixture("entra-exporter").join(format!("Users/{uid}/{uid}.json")),
        user.join(format!("{uid}.json")),
    )
    .unwrap();
    assert!(!config_only(dir.path()));
    std::fs::remove_dir_all(dir.path().join("Users")).unwrap();
    // With an assigned group beside it (`-All`), the list is whole.
    let assigned = dir
        .path()
        .join("Groups/9e8d7c6b-5a49-4837-a625-14f3e2d1c0b9");
    std::fs::create_dir_all(&assigned).unwrap();
    std::fs::copy(
        common::fixture("entra-exporter").join(
            "Groups/9e8d7c6b-5a49-4837-a625-14f3e2d1c0b9/9e8d7c6b-5a49-4837-a625-14f3e2d1c0b9.json",
        ),
        assigned.join("9e8d7c6b-5a49-4837-a625-14f3e2d1c0b9.json"),
    )
    .unwrap();
    assert!(!config_only(dir.path()));
}

#[test]
fn an_incomplete_terraform_plan_leaves_the_rules_on_what_it_defers_not_evaluated() {
    let (code, report) = lint_json(&fixture("terraform-deferred"));
    assert_eq!(code, 0, "{report:#}");
    let warnings = diagnostics(&report, "warning");
    assert!(
        warnings.iter().any(|w| w.0 == "terraform/plan.json"
            && w.1 == 230
            && w.2.contains("`complete: false`")),
        "{warnings:?}"
    );
    // The group and its known member are there, but the deferred `azuread_group_member` may add
    // any member: the member rules are not evaluated, for the whole list.
    for policy in ["DEX003", "DEX006", "DEX008"] {
        assert!(violations(&report, policy).is_empty(), "{report:#}");
        let ne = not_evaluated(&report, policy);
        assert!(
            ne.iter().any(|(e, r)| e.is_empty()
                && r.contains("incomplete Terraform plan")
                && r.contains("`azuread_group_member.extra[\"*\"]`")),
            "{policy}: {ne:?}"
        );
    }
}

#[test]
fn an_errored_terraform_plan_leaves_the_rules_on_what_it_declares_not_evaluated() {
    let (code, report) = lint_json(&fixture("terraform-errored"));
    assert_eq!(code, 0, "{report:#}");
    let warnings = diagnostics(&report, "warning");
    assert!(
        warnings
            .iter()
            .any(|w| w.1 == 97 && w.2.contains("`errored: true`")),
        "{warnings:?}"
    );
    // The configuration declares the Defender for Servers pricing, which the failed plan lacks.
    for policy in ["DEX302", "DEX303"] {
        let ne = not_evaluated(&report, policy);
        assert!(
            !ne.is_empty()
                && ne
                    .iter()
                    .all(|(_, r)| r.contains("errored Terraform plan")
                        && !r.contains("the plan has no")),
            "{policy}: {ne:?}"
        );
    }
    // It declares no group: the group rules say what is missing, as without the plan.
    let ne = not_evaluated(&report, "DEX003");
    assert!(
        ne.iter().all(|(_, r)| r.starts_with("no Entra ID groups")),
        "{ne:?}"
    );
}

#[test]
fn terraform_members_whose_id_is_known_only_after_apply_have_an_unknown_kind() {
    for (case, why) in [
        ("terraform-unknown-member", "`after_unknown.members[1]`"),
        (
            "terraform-unknown-member-resource",
            "`after_unknown.member_object_id`",
        ),
    ] {
        let (_, report) = lint_json(&fixture(case));
        for policy in ["DEX003", "DEX006"] {
            assert!(violations(&report, policy).is_empty(), "{report:#}");
            let ne = not_evaluated(&report, policy);
            assert!(
                ne.iter()
                    .any(|(e, r)| e == "groups/3c9a1b2d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
                        && r.contains(why)
                        && r.contains("known only after apply")),
                "{case} {policy}: {ne:?}"
            );
        }
    }
}

#[test]
fn a_terraform_group_name_known_only_after_apply_is_unknown() {
    let (_, report) = lint_json(&fixture("terraform-unknown-name"));
    for policy in ["DEX002", "DEX008"] {
        assert!(violations(&report, policy).is_empty(), "{report:#}");
        let ne = not_evaluated(&report, policy);
        assert!(
            ne.iter()
                .any(|(e, r)| e == "groups/azuread_group.scoped_new"
                    && r.contains("`after_unknown.display_name`")),
            "{policy}: {ne:?}"
        );
    }
    // `types` known only after apply: whether the scoped group has dynamic membership is not
    // known either.
    let dir = copy("terraform-unknown-name");
    let path = dir.path().join("terraform/plan.json");
    let mut plan: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let change = &mut plan["resource_changes"][1]["change"];
    assert_eq!(
        change["after"]["display_name"],
        "Defender_Experts_Scoped_Coverage_Users"
    );
    change["after"].as_object_mut().unwrap().remove("types");
    change["after_unknown"]["types"] = Value::Bool(true);
    std::fs::write(&path, serde_json::to_string_pretty(&plan).unwrap()).unwrap();
    let (_, report) = lint_json(dir.path());
    let ne = not_evaluated(&report, "DEX005");
    assert!(
        ne.iter()
            .any(|(e, r)| e == "groups/azuread_group.scoped" && r.contains("`after_unknown.types`")),
        "{report:#}"
    );
}

#[test]
fn a_terraform_group_not_evaluated_for_several_values_names_them_all() {
    // `azuread_group.scoped_new`: a name from a `random_string` and members that the
    // configuration does not set, both known only after apply.
    let dir = copy("terraform-unknown-name");
    let path = dir.path().join("terraform/plan.json");
    let mut plan: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(
        plan["resource_changes"][0]["address"],
        "azuread_group.scoped_new"
    );
    let change = &mut plan["resource_changes"][0]["change"];
    change["after"]["members"] = Value::Null;
    change["after_unknown"]["members"] = Value::Bool(true);
    std::fs::write(&path, serde_json::to_string_pretty(&plan).unwrap()).unwrap();
    let (_, report) = lint_json(dir.path());
    for policy in ["DEX003", "DEX006", "DEX007"] {
        let ne = not_evaluated(&report, policy);
        let scoped_new: Vec<_> = ne
            .iter()
            .filter(|(e, _)| e == "groups/azuread_group.scoped_new")
            .collect();
        assert_eq!(scoped_new.len(), 1, "{policy}: {ne:?}");
        let reason = &scoped_new[0].1;
        assert!(
            reason.contains("`after_unknown.display_name`")
                && reason.contains("`after_unknown.members`"),
            "{policy}: {reason}"
        );
    }
    // Its name known, and not a reserved one: the rules on scoped groups judge it (they listed
    // it as not evaluated for its members).
    let change = &mut plan["resource_changes"][0]["change"];
    change["after"]["display_name"] = Value::from("Finance Users");
    change["after_unknown"]
        .as_object_mut()
        .unwrap()
        .remove("display_name");
    std::fs::write(&path, serde_json::to_string_pretty(&plan).unwrap()).unwrap();
    let (_, report) = lint_json(dir.path());
    for policy in ["DEX003", "DEX006", "DEX007"] {
        let ne = not_evaluated(&report, policy);
        assert!(
            ne.iter()
                .all(|(e, _)| e != "groups/azuread_group.scoped_new"),
            "{policy}: {ne:?}"
        );
    }
}

#[test]
fn terraform_defender_values_known_only_after_apply_say_so() {
    let (_, report) = lint_json(&fixture("terraform-unknown-values"));
    for (policy, why) in [
        ("DEX302", "`after_unknown.tier`"),
        ("DEX303", "`after_unknown.enabled`"),
    ] {
        assert!(violations(&report, policy).is_empty(), "{report:#}");
        let ne = not_evaluated(&report, policy);
        assert_eq!(ne.len(), 1, "{policy}: {ne:?}");
        assert_eq!(
            ne[0].0,
            "cloud_accounts/6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f"
        );
        assert!(
            ne[0].1.contains(why) && ne[0].1.contains("known only after apply"),
            "{policy}: {ne:?}"
        );
    }
    // A pricing whose `resource_type` is known only after apply may not be the Defender for
    // Servers one: its `Free` tier is not the subscription's.
    let dir = copy("terraform-unknown-values");
    let path = dir.path().join("terraform/plan.json");
    let mut plan: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let change = &mut plan["resource_changes"][0]["change"];
    change["after"]["tier"] = Value::from("Free");
    change["after"]
        .as_object_mut()
        .unwrap()
        .remove("resource_type");
    change["after_unknown"] = serde_json::json!({"id": true, "resource_type": true});
    std::fs::write(&path, serde_json::to_string_pretty(&plan).unwrap()).unwrap();
    let (_, report) = lint_json(dir.path());
    assert!(violations(&report, "DEX302").is_empty(), "{report:#}");
    let ne = not_evaluated(&report, "DEX302");
    assert!(
        ne.iter()
            .any(|(_, r)| r.contains("`after_unknown.resource_type`")),
        "{ne:?}"
    );
}

#[test]
fn a_deleted_terraform_servers_pricing_resets_the_tier_to_free() {
    let (code, report) = lint_json(&fixture("terraform-delete-pricing"));
    assert_eq!(code, 1, "{report:#}");
    let free = violations(&report, "DEX302");
    assert_eq!(free.len(), 1, "{report:#}");
    assert_eq!(free[0].0, "terraform/plan.json");
    assert_eq!(free[0].1, 33);
    assert!(
        free[0].2.contains("`6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f`")
            && free[0].2.contains("`Free`"),
        "{free:?}"
    );
    // The same plan also creates a Standard pricing for the subscription: which one is applied
    // last is not known.
    let dir = copy("terraform-delete-pricing");
    let path = dir.path().join("terraform/plan.json");
    let mut plan: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    create_again(
        &mut plan,
        "azurerm_security_center_subscription_pricing.vm",
        "vm",
    );
    let mut config = plan["configuration"]["root_module"]["resources"][0].clone();
    config["address"] = Value::from("azurerm_security_center_subscription_pricing.vm");
    config["type"] = Value::from("azurerm_security_center_subscription_pricing");
    config["name"] = Value::from("vm");
    plan["configuration"]["root_module"]["resources"]
        .as_array_mut()
        .unwrap()
        .push(config);
    std::fs::write(&path, serde_json::to_string_pretty(&plan).unwrap()).unwrap();
    let (_, report) = lint_json(dir.path());
    assert!(violations(&report, "DEX302").is_empty(), "{report:#}");
    let ne = not_evaluated(&report, "DEX302");
    assert!(
        ne.iter().any(
            |(e, r)| e == "cloud_accounts/6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f"
                && r.contains("applied last")
        ),
        "{ne:?}"
    );
}

/// Adds to `plan` a resource `address` (named `name`) that creates again what the plan's first
/// resource change deletes: its `before` values as `after`, its id known only after apply.
fn create_again(plan: &mut Value, address: &str, name: &str) {
    let mut created = plan["resource_changes"][0].clone();
    created["address"] = Value::from(address);
    created["name"] = Value::from(name);
    created["change"]["actions"] = serde_json::json!(["create"]);
    created["change"]["after"] = created["change"]["before"].clone();
    created["change"]["before"] = Value::Null;
    created["change"]["after"]["id"] = Value::Null;
    created["change"]["after_unknown"] = serde_json::json!({"id": true});
    plan["resource_changes"]
        .as_array_mut()
        .unwrap()
        .push(created);
}

#[test]
fn a_deleted_terraform_wdatp_setting_turns_endpoint_protection_off() {
    let (_, report) = lint_json(&fixture("terraform-delete-wdatp"));
    let off = violations(&report, "DEX303");
    assert_eq!(off.len(), 1, "{report:#}");
    assert_eq!(off[0].0, "terraform/plan.json");
    assert_eq!(off[0].1, 37, "at the deletion's `actions`: {off:?}");
    assert!(
        off[0].2.contains("`6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f`"),
        "{off:?}"
    );
    assert!(not_evaluated(&report, "DEX303").is_empty(), "{report:#}");
    // The pricing the plan keeps is read as before.
    assert!(violations(&report, "DEX302").is_empty(), "{report:#}");
    // A setting that is not `WDATP` sets nothing dexlint reads when deleted.
    let dir = copy("terraform-delete-wdatp");
    let path = dir.path().join("terraform/plan.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut plan: Value = serde_json::from_str(&text).unwrap();
    plan["resource_changes"][0]["change"]["before"]["setting_name"] = Value::from("MCAS");
    std::fs::write(&path, serde_json::to_string_pretty(&plan).unwrap()).unwrap();
    let (_, report) = lint_json(dir.path());
    assert!(violations(&report, "DEX303").is_empty(), "{report:#}");
    // Another resource of the plan turns it on too: which is applied last is not known.
    let mut plan: Value = serde_json::from_str(&text).unwrap();
    create_again(&mut plan, "azurerm_security_center_setting.mde", "mde");
    plan["configuration"]["root_module"]["resources"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "address": "azurerm_security_center_setting.mde", "mode": "managed",
            "type": "azurerm_security_center_setting", "name": "mde",
            "provider_config_key": "azurerm",
            "expressions": {"enabled": {"constant_value": true},
                            "setting_name": {"constant_value": "WDATP"}}
        }));
    std::fs::write(&path, serde_json::to_string_pretty(&plan).unwrap()).unwrap();
    let (_, report) = lint_json(dir.path());
    assert!(violations(&report, "DEX303").is_empty(), "{report:#}");
    let ne = not_evaluated(&report, "DEX303");
    assert!(
        ne.iter().any(
            |(e, r)| e == "cloud_accounts/6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f"
                && r.contains("turns endpoint protection (`WDATP`) off")
                && r.contains("applied last")
        ),
        "{ne:?}"
    );
}

#[test]
fn a_terraform_replacement_applies_the_values_of_the_step_applied_last() {
    // Create before destroy: the prior pricing's deletion, applied last, resets the tier.
    let (code, report) = lint_json(&fixture("terraform-replace-pricing"));
    assert_eq!(code, 1, "{report:#}");
    let free = violations(&report, "DEX302");
    assert_eq!(free.len(), 1, "{report:#}");
    assert_eq!((free[0].0.as_str(), free[0].1), ("terraform/plan.json", 51));
    assert!(free[0].2.contains("tier `Free`"), "{free:?}");
    let warnings = diagnostics(&report, "warning");
    assert!(
        warnings.iter().any(|w| w.1 == 51
            && w.2.contains("create_before_destroy")
            && w.2
                .contains("resets the Defender for Servers tier to `Free`")),
        "{warnings:?}"
    );
    let dir = copy("terraform-replace-pricing");
    let path = dir.path().join("terraform/plan.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let write = |plan: &Value| {
        std::fs::write(&path, serde_json::to_string_pretty(plan).unwrap()).unwrap();
        lint_json(dir.path()).1
    };
    // Destroy before create: the planned values apply.
    let mut plan: Value = serde_json::from_str(&text).unwrap();
    plan["resource_changes"][0]["change"]["actions"] = serde_json::json!(["delete", "create"]);
    let report = write(&plan);
    assert!(violations(&report, "DEX302").is_empty(), "{report:#}");
    assert!(not_evaluated(&report, "DEX302").is_empty(), "{report:#}");
    assert!(diagnostics(&report, "warning").is_empty(), "{report:#}");
    // A replacement that moves a pricing to another resource type resets the prior one,
    // whichever step comes first.
    for actions in [["delete", "create"], ["create", "delete"]] {
        let mut plan: Value = serde_json::from_str(&text).unwrap();
        let change = &mut plan["resource_changes"][0]["change"];
        change["actions"] = serde_json::json!(actions);
        change["before"]["tier"] = Value::from("Standard");
        change["after"]["resource_type"] = Value::from("StorageAccounts");
        let report = write(&plan);
        let free = violations(&report, "DEX302");
        assert_eq!(free.len(), 1, "{actions:?}: {report:#}");
        assert!(free[0].2.contains("tier `Free`"), "{free:?}");
        assert!(diagnostics(&report, "warning").is_empty(), "{report:#}");
    }
    // The same of the `WDATP` setting: create before destroy turns it off.
    let mut plan: Value = serde_json::from_str(&text).unwrap();
    let change = &mut plan["resource_changes"][1]["change"];
    change["actions"] = serde_json::json!(["create", "delete"]);
    change["after"]["id"] = Value::Null;
    change["after_unknown"] = serde_json::json!({"id": true});
    plan["resource_changes"][0]["change"]["actions"] = serde_json::json!(["delete", "create"]);
    let report = write(&plan);
    let off = violations(&report, "DEX303");
    assert_eq!(off.len(), 1, "{report:#}");
    assert!(
        diagnostics(&report, "warning")
            .iter()
            .any(|w| w.2.contains("turns endpoint protection (`WDATP`) off")),
        "{report:#}"
    );
    plan["resource_changes"][1]["change"]["actions"] = serde_json::json!(["delete", "create"]);
    let report = write(&plan);
    assert!(violations(&report, "DEX303").is_empty(), "{report:#}");
}

#[test]
fn a_terraform_plan_that_deletes_the_scoped_group_is_reported() {
    let (code, report) = lint_json(&fixture("terraform-delete-group"));
    assert_eq!(code, 1, "{report:#}");
    let deleted = violations(&report, "DEX002");
    assert_eq!(deleted.len(), 1, "{report:#}");
    assert_eq!(
        (deleted[0].0.as_str(), deleted[0].1),
        ("terraform/plan.json", 15)
    );
    assert_eq!(
        deleted[0].2,
        "`azuread_group.scoped` deletes group `Defender_Experts_Scoped_Coverage_Users`: after \
         apply no group holds the reserved name"
    );
    assert!(diagnostics(&report, "error").is_empty(), "{report:#}");
    let dir = copy("terraform-delete-group");
    let path = dir.path().join("terraform/plan.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let write = |plan: &Value| {
        std::fs::write(&path, serde_json::to_string_pretty(plan).unwrap()).unwrap();
        lint_json(dir.path()).1
    };
    let declared = serde_json::json!({
        "address": "azuread_group.scoped", "mode": "managed", "type": "azuread_group",
        "name": "scoped", "provider_config_key": "azuread",
        "expressions": {"display_name": {"constant_value": "Defender_Experts_Scoped_Coverage_Users"},
                        "security_enabled": {"constant_value": true}}
    });
    // Replaced under the same name, its members not in the configuration: the new group is
    // judged, and its members are unknown for the reason that it is another group.
    let mut plan: Value = serde_json::from_str(&text).unwrap();
    let change = &mut plan["resource_changes"][0]["change"];
    change["actions"] = serde_json::json!(["delete", "create"]);
    change["after"] = change["before"].clone();
    for unknown in ["id", "object_id", "members"] {
        change["after"][unknown] = Value::Null;
    }
    change["after_unknown"] = serde_json::json!({"id": true, "object_id": true, "members": true});
    plan["configuration"]["root_module"]["resources"] = serde_json::json!([declared]);
    let report = write(&plan);
    assert!(violations(&report, "DEX002").is_empty(), "{report:#}");
    let ne = not_evaluated(&report, "DEX007");
    assert!(
        ne.iter().any(|(e, r)| e == "groups/azuread_group.scoped"
            && r.contains("`after_unknown.members`")
            && r.contains("the plan replaces the group")),
        "{ne:?}"
    );
    // Destroyed at one address and created at another with the same name (a configuration
    // refactored without a `moved` block): a group still holds the name.
    let mut plan: Value = serde_json::from_str(&text).unwrap();
    let mut created = plan["resource_changes"][0].clone();
    created["address"] = Value::from("module.scope.azuread_group.scoped");
    created["module_address"] = Value::from("module.scope");
    created["change"]["actions"] = serde_json::json!(["create"]);
    created["change"]["after"] = created["change"]["before"].clone();
    created["change"]["before"] = Value::Null;
    created["change"]["after"]["id"] = Value::Null;
    created["change"]["after"]["object_id"] = Value::Null;
    created["change"]["after_unknown"] = serde_json::json!({"id": true, "object_id": true});
    plan["resource_changes"]
        .as_array_mut()
        .unwrap()
        .push(created);
    let report = write(&plan);
    assert!(violations(&report, "DEX002").is_empty(), "{report:#}");
    // A deleted group that holds no reserved name is no finding.
    let mut plan: Value = serde_json::from_str(&text).unwrap();
    plan["resource_changes"][0]["change"]["before"]["display_name"] = Value::from("Old Team");
    let report = write(&plan);
    assert!(violations(&report, "DEX002").is_empty(), "{report:#}");
    assert!(diagnostics(&report, "error").is_empty(), "{report:#}");
}

#[test]
fn terraform_members_referenced_with_each_key_name_their_instance() {
    let (_, report) = lint_json(&fixture("terraform-foreach-members"));
    let nested: Vec<String> = violations(&report, "DEX003")
        .into_iter()
        .map(|v| v.2)
        .collect();
    assert_eq!(nested.len(), 2, "{report:#}");
    for (message, key) in nested.iter().zip(["soc", "ir"]) {
        assert!(
            message.contains(&format!("nested group `azuread_group.nested[\"{key}\"]`")),
            "{nested:?}"
        );
    }
    let entities: Vec<&str> = report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v["entity"].as_str())
        .collect();
    assert!(entities[0] != entities[1], "{entities:?}");
    // The users the members reference are users: nothing is left unknown.
    for policy in ["DEX003", "DEX006"] {
        assert!(not_evaluated(&report, policy).is_empty(), "{report:#}");
    }
    // An expression that reads anything else may give another object: unknown.
    let dir = copy("terraform-foreach-members");
    let path = dir.path().join("terraform/plan.json");
    let mut plan: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let users = &mut plan["configuration"]["root_module"]["resources"][4];
    assert_eq!(users["address"], "azuread_group_member.users");
    users["expressions"]["member_object_id"]["references"] =
        serde_json::json!(["var.override", "azuread_user.analyst", "each.key"]);
    std::fs::write(&path, serde_json::to_string_pretty(&plan).unwrap()).unwrap();
    let (_, report) = lint_json(dir.path());
    let ne = not_evaluated(&report, "DEX006");
    assert!(
        ne.iter()
            .any(|(_, r)| r.contains("`azuread_group_member.users[\"alice\"]`")),
        "{ne:?}"
    );
}

#[test]
fn a_missing_page_of_connectors_leaves_the_accounts_shown_whole_judged() {
    // The first page of the connectors: the accounts there are and the subscription exported
    // whole are judged; the rules over the accounts are not evaluated for the rest.
    let dir = fixture("arm-connectors-paged-incomplete");
    let (code, report) = lint_json(&dir);
    assert_eq!(code, 1, "{report:#}");
    let free: Vec<String> = violations(&report, "DEX302")
        .into_iter()
        .map(|v| v.2)
        .collect();
    assert_eq!(free.len(), 2, "{free:?}");
    assert!(free[0].starts_with("Azure account `Prod`"), "{free:?}");
    assert!(
        free[1].starts_with("AWS account `aws-cspm-only`"),
        "{free:?}"
    );
    for policy in ["DEX302", "DEX303"] {
        let ne = not_evaluated(&report, policy);
        assert!(
            !ne.is_empty()
                && ne
                    .iter()
                    .all(|(e, r)| e.is_empty() && r.contains("further pages")),
            "{policy}: {ne:?}"
        );
    }
    // Edition 2026-07: DEX306 finds the connector that does not deploy Defender for Endpoint.
    let out = common::dexlint()
        .args(["lint", "--format", "json"])
        .arg(&dir)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(violations(&report, "DEX306").len(), 1, "{report:#}");
    assert_eq!(not_evaluated(&report, "DEX306").len(), 1, "{report:#}");
}

#[test]
fn a_terraform_member_of_a_group_named_only_by_object_id_is_not_passed() {
    // The plan alone: the group's name is known only in the directory.
    let (code, report) = lint_json(&fixture("terraform-member-group-by-id"));
    assert_eq!(code, 0, "{report:#}");
    assert!(violations(&report, "DEX003").is_empty(), "{report:#}");
    let ne = not_evaluated(&report, "DEX003");
    assert_eq!(ne.len(), 1, "{report:#}");
    assert_eq!(ne[0].0, "groups/3c9a1b2d-5e6f-4a7b-8c9d-0e1f2a3b4c5d");
    assert!(
        ne[0].1.contains("`azuread_group_member.soc_in_scope`")
            && ne[0].1.contains("its name is known only in the directory"),
        "{ne:?}"
    );
    // The export's Graph groups list names the group: it is the scoped user group, whose
    // members the export does not list, so they stay unknown.
    let dir = copy("terraform-member-group-by-id");
    std::fs::create_dir_all(
        dir.path()
            .join("graph/groups/3c9a1b2d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("graph/groups.json"),
        r#"{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#groups", "value": [{"id": "3c9a1b2d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", "displayName": "Defender_Experts_Scoped_Coverage_Users", "groupTypes": [], "securityEnabled": true, "mailEnabled": false, "membershipRule": null}]}"#,
    )
    .unwrap();
    let (_, report) = lint_json(dir.path());
    assert!(
        not_evaluated(&report, "DEX002")
            .iter()
            .all(|n| n.0.is_empty()),
        "{report:#}"
    );
    let ne = not_evaluated(&report, "DEX003");
    assert_eq!(ne.len(), 1, "{report:#}");
    assert!(ne[0].1.contains("are not in the export"), "{ne:?}");
    // With its members list, the plan's nested group joins the members it has.
    std::fs::write(
        dir.path().join("graph/groups/3c9a1b2d-5e6f-4a7b-8c9d-0e1f2a3b4c5d/members.json"),
        r##"{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#directoryObjects", "value": [{"@odata.type": "#microsoft.graph.user", "id": "8b7a6c5d-4e3f-4210-9a8b-7c6d5e4f3a2b", "displayName": "Megan Bowen", "userPrincipalName": "megan@contoso.example"}]}"##,
    )
    .unwrap();
    let (code, report) = lint_json(dir.path());
    assert_eq!(code, 1, "{report:#}");
    assert!(not_evaluated(&report, "DEX003").is_empty(), "{report:#}");
    let nested = violations(&report, "DEX003");
    assert_eq!(nested.len(), 1, "{report:#}");
    assert_eq!(
        (nested[0].0.as_str(), nested[0].1),
        ("terraform/plan.json", 28)
    );
    assert!(nested[0].2.contains("`azuread_group.nested`"), "{nested:?}");
}
