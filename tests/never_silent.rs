//! Incomplete data is never treated as complete: an export with no tenant data, special files,
//! documents from a known source whose shape is not understood, files that failed to load, and
//! the count of such files.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common;
use crate::common::lint_json;

use common::dexlint;
use serde_json::Value;

fn messages(report: &Value, level: &str) -> Vec<(String, String)> {
    report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["level"] == level)
        .map(|e| {
            (
                e["file"].as_str().unwrap().to_string(),
                e["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// A copy of the bundled example export, to change.
fn example() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&common::manifest().join("examples/contoso"), dir.path());
    dir
}

/// `dexlint lint --format json` of `dir` with the one policy `source` beside the built-in ones:
/// the exit code and the report.
fn lint_with_policy(dir: &std::path::Path, source: &str) -> (Option<i32>, Value) {
    let policies = tempfile::tempdir().unwrap();
    std::fs::write(policies.path().join("acme.policy"), source).unwrap();
    let out = dexlint()
        .args(["lint", "--format", "json", "--policies"])
        .arg(policies.path())
        .arg(dir)
        .output()
        .unwrap();
    (
        out.status.code(),
        serde_json::from_slice(&out.stdout).unwrap(),
    )
}

#[test]
fn an_export_without_tenant_data_exits_2_and_points_to_the_recipe() {
    let empty = tempfile::tempdir().unwrap();
    let (code, report) = lint_json(empty.path());
    assert_eq!(code, 2, "{report:#}");
    let errors = messages(&report, "error");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].1.contains("no tenant data"), "{errors:?}");
    assert!(errors[0].1.contains("docs/exporting.md"), "{errors:?}");
    // Only files dexlint does not read: the same.
    std::fs::write(empty.path().join("notes.json"), r#"{"owner": "it-ops"}"#).unwrap();
    let (code, report) = lint_json(empty.path());
    assert_eq!(code, 2, "{report:#}");
    assert!(messages(&report, "error")[0]
        .1
        .contains("1 JSON file read, none of them"));
}

#[test]
fn export_documents_that_hold_nothing_dexlint_checks_are_no_tenant_data() {
    // A Terraform plan of other resources (a pull request's usual plan), and a group's members
    // without any group list: recognised, but nothing to judge. The gate does not pass.
    let plan = r#"{"format_version": "1.2", "resource_changes": [{"address": "azurerm_resource_group.rg",
        "mode": "managed", "type": "azurerm_resource_group", "name": "rg",
        "change": {"actions": ["create"], "before": null, "after": {"name": "rg-app", "location": "westeurope"}}}]}"#;
    let members = r##"{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#directoryObjects",
        "value": [{"@odata.type": "#microsoft.graph.group", "id": "11111111-0000-4000-8000-000000000009",
                   "displayName": "SOC"}]}"##;
    for (rel, text) in [
        ("terraform/plan.json", plan),
        (
            "graph/groups/8f7e6d5c-4b3a-4291-8e7f-6a5b4c3d2e1f/members.json",
            members,
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        let (code, report) = lint_json(dir.path());
        assert_eq!(code, 2, "{rel}: {report:#}");
        let errors = messages(&report, "error");
        assert!(
            errors
                .iter()
                .any(|(_, m)| m.contains("no tenant data")
                    && m.contains("hold nothing dexlint checks")),
            "{rel}: {errors:?}"
        );
    }
}

#[test]
fn a_file_at_a_documented_path_that_is_not_an_export_is_an_error() {
    // `graph/groups.json` of a shape no format reads: the groups it was meant to give are
    // missing, and the rules over groups say so.
    let dir = example();
    std::fs::write(dir.path().join("graph/groups.json"), r#"{"groups": []}"#).unwrap();
    let (code, report) = lint_json(dir.path());
    assert_eq!(code, 2, "{report:#}");
    assert!(
        messages(&report, "error").iter().any(
            |(f, m)| f == "graph/groups.json" && m.contains("not a recognised export document")
        ),
        "{report:#}"
    );
    let skipped = common::not_evaluated(&report, "DEX005");
    assert!(
        skipped
            .iter()
            .any(|(_, why)| why.contains("graph/groups.json")),
        "{skipped:?}"
    );
    // Elsewhere the same file is only a note.
    std::fs::rename(
        dir.path().join("graph/groups.json"),
        dir.path().join("graph/notes.json"),
    )
    .unwrap();
    let (_, report) = lint_json(dir.path());
    assert!(
        messages(&report, "note")
            .iter()
            .any(|(f, _)| f == "graph/notes.json"),
        "{report:#}"
    );
}

#[cfg(unix)]
#[test]
fn a_fifo_is_reported_and_never_opened() {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(
        &common::manifest().join("tests/fixtures/exports/graph"),
        dir.path(),
    );
    let fifo = dir.path().join("users-live.json");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    // Opening the FIFO for reading would block until a writer came: the timeout of lint_json
    // would end the test.
    let (code, report) = lint_json(dir.path());
    assert_ne!(code, 2, "{report:#}");
    let warnings = messages(&report, "warning");
    assert!(
        warnings
            .iter()
            .any(|(f, m)| f == "users-live.json" && m.contains("FIFO") && m.contains("not opened")),
        "{warnings:?}"
    );
}

#[test]
fn a_known_source_whose_shape_is_not_understood_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    // A Defender for Cloud resource list in a shape no format reads.
    write(
        "pricings.json",
        r#"{"items": [{"resourceId": "/subscriptions/0f1e2d3c-0000-4000-8000-000000000001/providers/Microsoft.Security/pricings/VirtualMachines", "id": "/subscriptions/0f1e2d3c-0000-4000-8000-000000000001/providers/Microsoft.Security/pricings/VirtualMachines"}]}"#,
    );
    // A Graph response of a collection dexlint reads, without its `value` list.
    write(
        "groups.json",
        r#"{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#groups", "groups": []}"#,
    );
    // Foreign JSON stays a note, even one whose text quotes a Defender for Cloud resource id
    // (a saved report, a ticket): only a resource's own `id` or `type` says what it is.
    write("notes.json", r#"{"owner": "it-ops"}"#);
    write(
        "ticket.json",
        r#"{"notes": ["set GET /subscriptions/0f1e2d3c-0000-4000-8000-000000000001/providers/Microsoft.Security/pricings to Standard"], "summary": {"reason": "/providers/Microsoft.Security/settings/WDATP is off"}}"#,
    );
    let (code, report) = lint_json(dir.path());
    assert_eq!(code, 2, "{report:#}");
    let errors = messages(&report, "error");
    let about = |file: &str| {
        errors
            .iter()
            .find(|(f, _)| f == file)
            .map(|(_, m)| m.clone())
            .unwrap_or_else(|| panic!("no error for {file}: {errors:?}"))
    };
    assert!(about("pricings.json").contains("Microsoft.Security"));
    assert!(about("groups.json").contains("`value`"));
    for file in ["notes.json", "ticket.json"] {
        assert!(
            messages(&report, "note").iter().any(|(f, _)| f == file),
            "{file}: {report:#}"
        );
    }
}

#[test]
fn files_that_failed_to_load_are_counted_and_the_policies_that_read_them_named() {
    let root = common::manifest().join("tests/fixtures/exports/incomplete");
    let (code, report) = lint_json(&root);
    assert_eq!(code, 2, "{report:#}");
    let s = &report["summary"];
    // Three files failed, whatever the number of diagnostics about them.
    assert_eq!(s["files_failed"], 3, "{s:#}");
    let incomplete: Vec<&str> = s["ran_on_incomplete_data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            assert_eq!(r["files"][0], "graph/subscribedSkus-tenant2.json", "{r}");
            r["policy"].as_str().unwrap()
        })
        .collect();
    assert_eq!(incomplete, ["DEX101", "DEX103", "DEX104", "DEX106"]);
    // Users were lost entirely: their policy is not evaluated, and says why.
    let ne = report["not_evaluated"].as_array().unwrap();
    let dex102 = ne.iter().find(|n| n["policy"] == "DEX102").unwrap();
    assert!(
        dex102["reason"]
            .as_str()
            .unwrap()
            .contains("`graph/users.json` failed to load"),
        "{dex102}"
    );
    // The human summary says the same.
    let out = dexlint().arg("lint").arg(&root).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("ran on incomplete data"), "{text}");
    assert!(text.contains("3 files failed to load"), "{text}");
}

#[test]
fn users_without_assigned_plans_leave_the_per_user_licence_rule_not_evaluated() {
    // A plain `GET /users` (Microsoft Graph v1.0 "List users": the default properties, no
    // `assignedPlans`) beside a complete SKU list.
    let dir = tempfile::tempdir().unwrap();
    let graph = dir.path().join("graph");
    std::fs::create_dir_all(&graph).unwrap();
    let users = serde_json::json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users",
        "value": [{
            "businessPhones": [], "displayName": "Adele Vance", "givenName": "Adele",
            "jobTitle": null, "mail": "adelev@contoso.example", "mobilePhone": null,
            "officeLocation": null, "preferredLanguage": null, "surname": "Vance",
            "userPrincipalName": "adelev@contoso.example",
            "id": "87d349ed-44d7-43e1-9a83-5f2406dee5bd"
        }]
    });
    std::fs::write(graph.join("users.json"), users.to_string()).unwrap();
    std::fs::copy(
        common::manifest().join("tests/fixtures/exports/incomplete/graph/subscribedSkus.json"),
        graph.join("subscribedSkus.json"),
    )
    .unwrap();
    let (_, report) = lint_json(dir.path());
    let dex102: Vec<&Value> = report["not_evaluated"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["policy"] == "DEX102")
        .collect();
    assert!(
        !dex102.is_empty(),
        "DEX102 passed on users it could not judge: {report:#}"
    );
    assert!(
        dex102
            .iter()
            .any(|n| n["reason"].as_str().unwrap().contains("`enabled`")
                || n["reason"].as_str().unwrap().contains("`plans`")),
        "{dex102:?}"
    );
}

#[test]
fn single_powershell_objects_are_read_and_saved_web_responses_are_errors() {
    let root = common::manifest().join("tests/fixtures/exports/powershell-single-objects");
    let (code, report) = lint_json(&root);
    assert_eq!(code, 2, "{report:#}");
    let found: Vec<(&str, &str)> = report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["policy"].as_str().unwrap(), v["file"].as_str().unwrap()))
        .collect();
    // One SKU written as a bare object is read: it licenses neither P1 nor a Defender product.
    assert!(
        found.contains(&("DEX101", "graph/subscribedSkus.json")),
        "{found:?}"
    );
    assert!(
        found.contains(&("DEX104", "graph/subscribedSkus.json")),
        "{found:?}"
    );
    let errors = messages(&report, "error");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].0, "mde/machines.json");
    assert!(errors[0].1.contains("Invoke-WebRequest"), "{errors:?}");
    assert!(errors[0].1.contains("-OutFile"), "{errors:?}");
}

#[test]
fn a_run_failed_by_strict_mode_says_so_in_every_format() {
    let example = common::manifest().join("examples/contoso");
    let run = |format: &str| {
        let out = dexlint()
            .arg("lint")
            .arg(&example)
            .args(["--fail-on-not-evaluated", "--format", format])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    let human = run("human");
    assert!(
        human.contains("not ready: ") && human.contains("not evaluated (--fail-on-not-evaluated"),
        "{human}"
    );
    assert!(
        run("github").contains("::error title=DEX"),
        "{}",
        run("github")
    );
    let junit = run("junit");
    assert!(
        junit.contains("not evaluated: ") && junit.contains("<failure"),
        "{junit}"
    );
    let sarif: Value = serde_json::from_str(&run("sarif")).unwrap();
    let notes = &sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"];
    assert!(
        notes
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["level"] == "error"
                && n["message"]["text"]
                    .as_str()
                    .unwrap()
                    .contains("not evaluated")),
        "{notes:#}"
    );
}

#[test]
fn a_group_whose_members_were_not_exported_is_not_judged_on_an_empty_list() {
    // The example without the scoped group's members file: its members are unknown, not none.
    let dir = example();
    let scoped = "b320b3f0-6a2d-4a47-9c5e-3e0f1f6f8a21";
    std::fs::remove_file(
        dir.path()
            .join(format!("graph/groups/{scoped}/members.json")),
    )
    .unwrap();
    let (_, report) = lint_json(dir.path());
    for policy in ["DEX003", "DEX006", "DEX007"] {
        assert!(
            common::violation_messages(&report, policy).is_empty(),
            "{policy}"
        );
        let skipped = common::not_evaluated(&report, policy);
        assert!(
            skipped
                .iter()
                .any(|(e, why)| *e == format!("groups/{scoped}")
                    && why.contains("members of group `Defender_Experts_Scoped_Coverage_Users`")
                    && why.contains(&format!("groups/{scoped}/members.json"))),
            "{policy}: {skipped:?}"
        );
        // `All Company` has no members file either, but no rule is about it.
        assert!(
            skipped
                .iter()
                .all(|(e, _)| *e == format!("groups/{scoped}") || e.is_empty()),
            "{policy}: {skipped:?}"
        );
    }
    // A policy about every user and one group's members: each user is not evaluated, not
    // reported (the list is not known to lack them).
    let (_, report) = lint_with_policy(
        dir.path(),
        "policy ACME001 \"Everyone is in All Company\" {\n  severity error\n  for u in users, g in groups\n  where g.name == \"All Company\" and count(m in g.members: m.id == u.id) == 0\n  report u \"`{u.upn}` is not in All Company\"\n}\n",
    );
    assert!(
        common::violation_messages(&report, "ACME001").is_empty(),
        "{report:#}"
    );
    assert!(
        !common::not_evaluated(&report, "ACME001").is_empty(),
        "{report:#}"
    );
    // scope: the users the scoped group would place are unknown.
    let out = dexlint()
        .args(["scope", "--format", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["summary"]["users"]["unknown"].as_u64().unwrap() > 0,
        "{v:#}"
    );
    assert_eq!(v["summary"]["users"]["out_of_scope"], 0, "{v:#}");
}

#[test]
fn an_entra_exporter_group_without_a_members_folder_has_none() {
    // Export-Entra writes a file per member under `Members/`: a group without that folder has
    // no members, and the scoped group empty is DEX007.
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(
        &common::manifest().join("tests/fixtures/exports/entra-exporter-all"),
        dir.path(),
    );
    let (_, report) = lint_json(dir.path());
    assert!(common::violation_messages(&report, "DEX007").is_empty());
    std::fs::remove_dir_all(
        dir.path()
            .join("Groups/6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d/Members"),
    )
    .unwrap();
    let (_, report) = lint_json(dir.path());
    let fired = common::violation_messages(&report, "DEX007");
    assert!(
        fired.iter().any(|m| m.contains("has no members")),
        "{report:#}"
    );
}

#[test]
fn machine_tags_cut_off_by_convertto_json_are_errors_and_unknown() {
    // `Invoke-RestMethod .../api/machines | ConvertTo-Json` without `-Depth`: `machineTags`
    // (depth 3) written as the tags joined with spaces.
    let dir = example();
    let path = dir.path().join("mde/machines.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut v: Value = serde_json::from_str(&text).unwrap();
    v["value"][0]["machineTags"] = serde_json::json!("dex vip");
    std::fs::write(&path, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    let (code, report) = lint_with_policy(
        dir.path(),
        "policy ACME001 \"VIP devices are scoped\" {\n  severity error\n  for d in devices\n  where \"vip\" in d.tags and d.group != \"Defender_Experts_Scoped_Coverage_Devices\"\n  report d \"VIP device `{d.name}` is not scoped\"\n}\n",
    );
    assert_eq!(code, Some(2));
    let errors = messages(&report, "error");
    assert!(
        errors.iter().any(|(f, m)| f == "mde/machines.json"
            && m.contains("machine tags")
            && m.contains("-Depth")),
        "{errors:?}"
    );
    let id = v["value"][0]["id"].as_str().unwrap();
    assert!(
        common::not_evaluated(&report, "ACME001")
            .iter()
            .any(|(e, why)| *e == format!("devices/{id}") && why.contains("cut off")),
        "{report:#}"
    );
}

#[test]
fn an_empty_members_file_is_a_group_without_members() {
    // `Get-MgGroupMember ... | ConvertTo-Json | Out-File` of an empty group: nothing, or only
    // the byte order mark of Windows PowerShell 5.1's UTF-16.
    for bytes in [&b""[..], b"\xFF\xFE", b"\xEF\xBB\xBF\r\n"] {
        let dir = example();
        let rel = "graph/groups/b320b3f0-6a2d-4a47-9c5e-3e0f1f6f8a21/members.json";
        std::fs::write(dir.path().join(rel), bytes).unwrap();
        let (code, report) = lint_json(dir.path());
        assert_eq!(code, 1, "{bytes:?}: {report:#}");
        assert!(
            common::violation_messages(&report, "DEX007")
                .iter()
                .any(|m| m.contains("has no members")),
            "{bytes:?}: {report:#}"
        );
        assert!(
            messages(&report, "note")
                .iter()
                .any(|(f, m)| f == rel && m.contains("without members")),
            "{report:#}"
        );
    }
    // Elsewhere an empty file is an error that says it is empty.
    let dir = example();
    std::fs::write(dir.path().join("graph/users.json"), b"\xEF\xBB\xBF\r\n").unwrap();
    let (code, report) = lint_json(dir.path());
    assert_eq!(code, 2);
    assert!(
        messages(&report, "error").iter().any(|(f, m)| f == "graph/users.json"
            && m.starts_with("the file is empty (or holds only a byte order mark and white space): the command that wrote it returned nothing")),
        "{report:#}"
    );
}

#[test]
fn an_empty_cmdlet_output_is_the_empty_list_the_cmdlet_returned() {
    // 0 bytes, a byte order mark, a byte order mark and CRLF: what `<cmdlet> | ConvertTo-Json |
    // Out-File` writes when the cmdlet returns nothing.
    let (code, report) = lint_json(&common::fixture("exo-empty-outputs"));
    assert_eq!(code, 0, "{report:#}");
    let notes = messages(&report, "note");
    for cmdlet in [
        "Get-ATPEvaluationRule",
        "Get-SafeAttachmentRule",
        "Get-SafeLinksRule",
    ] {
        assert!(
            notes.iter().any(|(f, m)| *f == format!("exo/{cmdlet}.json")
                && m.contains("read as an empty list, what the cmdlet returned")),
            "{cmdlet}: {notes:?}"
        );
    }
    assert!(messages(&report, "error").is_empty(), "{report:#}");
}

#[test]
fn get_mgorganization_output_is_not_a_user() {
    // The organization has `AssignedPlans` as a user does, and `VerifiedDomains`.
    let dir = example();
    let org = serde_json::json!({
        "AssignedPlans": [{"AssignedDateTime": "2025-02-03T08:00:00Z", "CapabilityStatus": "Enabled",
                           "Service": "AADPremiumService",
                           "ServicePlanId": "41781fb2-bc02-4b7c-bd55-b576c07bb09d",
                           "AdditionalProperties": {}}],
        "DisplayName": "Contoso", "Id": "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d",
        "TenantType": "AAD", "VerifiedDomains": [{"Name": "contoso.com", "IsDefault": true,
                                                  "AdditionalProperties": {}}],
        "AdditionalProperties": {}
    });
    std::fs::write(dir.path().join("graph/organization.json"), org.to_string()).unwrap();
    let (code, report) = lint_json(dir.path());
    assert_eq!(code, 1, "{report:#}");
    assert!(messages(&report, "error").is_empty(), "{report:#}");
    let out = dexlint()
        .args(["scope", "--format", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["assets"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["file"] != "graph/organization.json"),
        "{v:#}"
    );
}

#[test]
fn an_optional_field_named_in_requires_that_no_record_carries_leaves_the_policy_not_evaluated() {
    // Microsoft Graph returns a user's `signInActivity` only when `$select`ed ("List users":
    // "signInActivity ... only returned on $select"), and `department` and
    // `onPremisesSyncEnabled` likewise: the example export selected none of them.
    let policy = |requires: &str, field: &str| {
        format!(
            "policy ACME016 \"Users have signed in lately\" {{\n  severity info\n  requires \
             {requires}\n  for u in users where u.{field} == null\n  report u \"{{u.upn}}\"\n}}\n"
        )
    };
    let dir = example();
    for field in ["last_sign_in", "department", "on_premises_sync"] {
        let (code, report) =
            lint_with_policy(dir.path(), &policy(&format!("users.{field}"), field));
        assert_ne!(code, Some(2), "{report:#}");
        assert!(
            common::violation_messages(&report, "ACME016").is_empty(),
            "{field}: {report:#}"
        );
        let skipped = common::not_evaluated(&report, "ACME016");
        assert_eq!(skipped.len(), 1, "{field}: {skipped:?}");
        assert!(
            skipped[0]
                .1
                .starts_with(&format!("no users record in the export has `{field}`")),
            "{skipped:?}"
        );
    }
    // Derived, not required: an optional field may be absent, the policy judges every user.
    let (_, report) = lint_with_policy(dir.path(), &policy("users", "last_sign_in"));
    assert_eq!(common::violation_messages(&report, "ACME016").len(), 4);
    // One user with a sign-in: the field is carried, the others have none.
    let users = dir.path().join("graph/users.json");
    let text = std::fs::read_to_string(&users).unwrap().replacen(
        "\"userPrincipalName\": \"adele.vance@contoso.com\",",
        "\"userPrincipalName\": \"adele.vance@contoso.com\",\n      \"signInActivity\": \
         {\"lastSignInDateTime\": \"2026-08-04T23:30:00Z\"},",
        1,
    );
    std::fs::write(&users, text).unwrap();
    let (_, report) = lint_with_policy(dir.path(), &policy("users.last_sign_in", "last_sign_in"));
    assert!(
        common::not_evaluated(&report, "ACME016").is_empty(),
        "{report:#}"
    );
    assert_eq!(common::violation_messages(&report, "ACME016").len(), 3);
}
