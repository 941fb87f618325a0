//! The Microsoft Graph family of exports as the real tools write them: Graph REST v1.0 and beta
//! lists (paged with `@odata.nextLink`), the Graph PowerShell SDK (`Get-Mg*` piped to
//! `ConvertTo-Json`, with and without `-Depth`), EntraExporter `-All`; each checked on the loaded
//! model and on where the violations and load errors are reported.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common;
use crate::common::{fixture, load, records, text};

use dexlint::export::{self, DiagLevel};
use dexlint::model::{Record, Value};
use serde_json::Value as Json;

fn list<'r>(r: &'r Record, field: &str) -> Vec<&'r Record> {
    match r.get(field).map(|f| f.value()) {
        Some(dexlint::model::ValueRef::Records(records)) => records.iter().collect(),
        other => panic!("{field} is {other:?}"),
    }
}

/// `dexlint lint <fixture> --format json` under edition 2025-08 (DEX102 counts P1 units per
/// user).
fn lint(case: &str) -> (i32, Json) {
    common::lint_json(&fixture(case))
}

/// `(file, line)` of every violation of `policy`.
fn violations(report: &Json, policy: &str) -> Vec<(String, u64)> {
    report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["policy"] == policy)
        .map(|v| {
            (
                v["file"].as_str().unwrap().to_string(),
                v["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

use crate::common::violation_messages as messages;

fn not_evaluated(report: &Json) -> Vec<String> {
    report["not_evaluated"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["policy"].as_str().unwrap().to_string())
        .collect()
}

/// `(level, file, line, message)` of every load diagnostic.
fn errors(report: &Json) -> Vec<(String, String, u64, String)> {
    report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["level"].as_str().unwrap_or("error").to_string(),
                e["file"].as_str().unwrap_or("").to_string(),
                e["line"].as_u64().unwrap_or(0),
                e["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

const SCOPED_GID: &str = "5d2a7c41-8e3b-4f60-9a17-c4b2e1d09f38";

// ---- directory audits: values as JSON text -------------------------------------------------

#[test]
fn audit_values_that_are_json_arrays_in_strings_are_decoded() {
    let l = load("graph-audit-array-values");
    assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
    let events = records(&l.model, "audit_events");
    assert_eq!(events.len(), 2);
    let changes: Vec<(String, String)> = events
        .iter()
        .flat_map(|e| list(e, "targets"))
        .flat_map(|t| list(t, "changes"))
        .map(|c| {
            (
                text(c, "old").unwrap_or("<absent>").to_string(),
                text(c, "new").unwrap_or("<absent>").to_string(),
            )
        })
        .collect();
    assert_eq!(
        changes,
        [
            // `[]` is not one string: kept as written.
            ("[]".to_string(), "Owned by the SOC".to_string()),
            ("<absent>".to_string(), "Description".to_string()),
            (
                "Defender_Experts_Scoped_Coverage_Users".to_string(),
                "Northwind Executives".to_string()
            ),
            ("<absent>".to_string(), "DisplayName".to_string()),
        ]
    );
    let (code, report) = lint("graph-audit-array-values");
    assert_eq!(code, 1);
    assert_eq!(
        violations(&report, "DEX002"),
        [("graph/directoryAudits.json".to_string(), 82)]
    );
    assert!(messages(&report, "DEX002")[0]
        .contains("from `Defender_Experts_Scoped_Coverage_Users` to `Northwind Executives`"));
}

// ---- paging ---------------------------------------------------------------------------------

#[test]
fn further_pages_beside_the_first_are_read_as_one_list() {
    let l = load("graph-paged");
    assert!(
        l.diagnostics.iter().all(|d| d.level < DiagLevel::Warning),
        "{:?}",
        l.diagnostics
    );
    let groups = records(&l.model, "groups");
    assert_eq!(groups.len(), 1);
    // Pages are read in walk order (by file name), whatever their order in the list.
    let mut kinds: Vec<&str> = list(&groups[0], "members")
        .iter()
        .map(|m| text(m, "kind").unwrap())
        .collect();
    kinds.sort_unstable();
    assert_eq!(kinds, ["device", "group", "user", "user", "user"]);
    assert!(l
        .model
        .collections
        .iter()
        .all(|c| c.gaps.iter().all(|g| g.in_value)));
    assert_eq!(records(&l.model, "users").len(), 4);

    let (code, report) = lint("graph-paged");
    assert_eq!(code, 1);
    let dir = format!("graph/groups/{SCOPED_GID}");
    assert_eq!(
        violations(&report, "DEX006"),
        [(format!("{dir}/members-page-2.json"), 19)]
    );
    assert_eq!(
        violations(&report, "DEX003"),
        [(format!("{dir}/members-page-3.json"), 4)]
    );
    // Units are counted against the users of both pages.
    assert_eq!(
        messages(&report, "DEX102"),
        ["3 enabled Entra ID P1 units for 4 enabled member users"]
    );
    // Every page is there: no rule is skipped for the group (DEX202 lists the licensed
    // products whose mode this export does not show).
    assert!(
        report["not_evaluated"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n.get("entity").is_none() || n["policy"] == "DEX202"),
        "{}",
        report["not_evaluated"]
    );
}

// The last page of a list written with `"@odata.nextLink": null` (a serializer that writes
// every property, `ConvertTo-Json` of a response object) or "": the list is whole.
#[test]
fn a_null_or_empty_next_link_is_the_last_page() {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&fixture("graph-paged"), dir.path());
    let members = dir
        .path()
        .join(format!("graph/groups/{SCOPED_GID}/members-page-3.json"));
    for (path, link) in [
        (dir.path().join("graph/users_page2.json"), "null"),
        (members, "\"\""),
    ] {
        let text = std::fs::read_to_string(&path).unwrap();
        let end = text.trim_end().strip_suffix('}').unwrap();
        std::fs::write(
            &path,
            format!("{end},\n  \"@odata.nextLink\": {link}\n}}\n"),
        )
        .unwrap();
    }
    let (code, report) = common::lint_json(dir.path());
    assert_eq!(code, 1);
    assert!(
        !errors(&report).iter().any(|e| e.0 != "note"),
        "{}",
        report["errors"]
    );
    assert_eq!(
        messages(&report, "DEX102"),
        ["3 enabled Entra ID P1 units for 4 enabled member users"]
    );
    assert_eq!(violations(&report, "DEX003").len(), 1);
    assert!(!not_evaluated(&report).contains(&"DEX102".to_string()));
}

#[test]
fn a_next_link_without_its_pages_is_a_warning_and_the_list_is_not_judged() {
    let l = load("graph-paged-incomplete");
    let gaps = &l.model.collection("groups").unwrap().gaps;
    assert_eq!(gaps.len(), 1, "{gaps:?}");
    assert_eq!(
        (gaps[0].field, gaps[0].entity.as_deref()),
        (Some("members"), Some(SCOPED_GID))
    );
    let gaps = &l.model.collection("users").unwrap().gaps;
    assert_eq!((gaps.len(), gaps[0].field), (1, None));
    assert!(l.model.collection("skus").unwrap().gaps.is_empty());

    let (code, report) = lint("graph-paged-incomplete");
    let errs = errors(&report);
    let members = format!("graph/groups/{SCOPED_GID}/members.json");
    for file in [members.as_str(), "graph/users.json"] {
        assert!(
            errs.iter()
                .any(|(level, f, line, message)| level == "warning"
                    && f == file
                    && *line == 3
                    && message.contains("@odata.nextLink")),
            "{file}: {errs:?}"
        );
    }
    // Users: a gap of the whole collection, so DEX102 is not judged on the first page.
    let ne = not_evaluated(&report);
    assert!(ne.contains(&"DEX102".to_string()), "{ne:?}");
    // Members: the rules the missing pages could decide are skipped for that group; the page
    // read shows that it has members (DEX007 is judged).
    for id in ["DEX003", "DEX006"] {
        assert!(
            report["not_evaluated"]
                .as_array()
                .unwrap()
                .iter()
                .any(|n| n["policy"] == id
                    && n["entity"] == format!("groups/{SCOPED_GID}")
                    && n["reason"].as_str().unwrap().contains("@odata.nextLink")),
            "{id}: {}",
            report["not_evaluated"]
        );
    }
    let skipped = common::not_evaluated(&report, "DEX007");
    assert!(
        skipped
            .iter()
            .all(|(entity, _)| !entity.starts_with("groups/")),
        "{skipped:?}"
    );
    assert!(violations(&report, "DEX007").is_empty());
    assert!(violations(&report, "DEX102").is_empty());
    assert!(code < 2, "warnings only: {code}");
}

// ---- Graph PowerShell SDK ---------------------------------------------------------------------

#[test]
fn sdk_arrays_in_pascal_case_with_additional_properties_are_read() {
    let l = load("sdk-graph-powershell");
    assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
    let m = &l.model;
    let groups = records(m, "groups");
    assert_eq!(groups.len(), 2);
    let scoped = groups
        .iter()
        .find(|g| text(g, "name") == Some("Defender_Experts_Scoped_Coverage_Users"))
        .unwrap();
    let members: Vec<(&str, &str)> = list(scoped, "members")
        .iter()
        .map(|m| (text(m, "kind").unwrap(), text(m, "name").unwrap()))
        .collect();
    assert_eq!(
        members,
        [
            ("user", "Ines Moreau"),
            ("servicePrincipal", "Payroll Sync"),
            ("group", "Treasury Team")
        ]
    );
    let dynamic = groups
        .iter()
        .find(|g| text(g, "name") == Some("All Sales (dynamic)"))
        .unwrap();
    assert_eq!(dynamic.get("dynamic").unwrap().value(), Value::Bool(true));
    let users = records(m, "users");
    assert_eq!(users.len(), 3);
    assert_eq!(text(&users[2], "user_type"), Some("Guest"));
    let skus = records(m, "skus");
    assert_eq!(
        skus[0].get("enabled_units").unwrap().value(),
        Value::Int(10)
    );
    assert_eq!(list(&skus[0], "plans").len(), 4);
    assert_eq!(records(m, "audit_events").len(), 1);

    let (code, report) = lint("sdk-graph-powershell");
    assert_eq!(code, 1);
    let members = "graph/groups/8f7e6d5c-4b3a-4291-8e7f-6a5b4c3d2e1f/members.json".to_string();
    assert_eq!(violations(&report, "DEX006"), [(members.clone(), 18)]);
    assert_eq!(violations(&report, "DEX003"), [(members, 30)]);
    assert_eq!(
        violations(&report, "DEX002"),
        [("graph/directoryAudits.json".to_string(), 35)]
    );
    // Jonas Weber has no P1; the guest is not counted.
    assert_eq!(
        violations(&report, "DEX102"),
        [("graph/users.json".to_string(), 36)]
    );
    assert!(violations(&report, "DEX101").is_empty());
}

#[test]
fn an_sdk_list_of_exactly_one_page_is_a_warning() {
    // `Get-MgUser` without `-All` returns its first page, 100 users, and says nothing more.
    let fixture = common::fixture("sdk-graph-powershell");
    let users: Json =
        serde_json::from_str(&std::fs::read_to_string(fixture.join("graph/users.json")).unwrap())
            .unwrap();
    for n in [99, 100] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("graph")).unwrap();
        let list: Vec<Json> = (0..n)
            .map(|i| {
                let mut u = users[0].clone();
                u["Id"] = format!("c1000000-0000-4000-8000-{i:012}").into();
                u
            })
            .collect();
        std::fs::write(
            dir.path().join("graph/users.json"),
            serde_json::to_string_pretty(&list).unwrap(),
        )
        .unwrap();
        let (_, report) = common::lint_json(dir.path());
        let warned = errors(&report)
            .iter()
            .any(|(level, _, _, m)| level == "warning" && m.contains("without `-All`"));
        assert_eq!(warned, n == 100, "{n}: {report:#}");
    }
}

#[test]
fn windows_powershell_5_arrays_written_as_value_and_count_are_read() {
    // `{"value": [...], "Count": N}` in UTF-16 with 5.1's layout: the lists are read as the SDK
    // arrays they hold, every position in the file as written.
    let (code, report) = lint("graph-sdk-ps51-value-count");
    assert_eq!(code, 1, "{report:#}");
    assert!(errors(&report).is_empty(), "{report:#}");
    assert_eq!(
        violations(&report, "DEX002"),
        [("graph/groups.json".to_string(), 48)]
    );
    assert_eq!(
        violations(&report, "DEX003"),
        [(
            "graph/groups/8f7e6d5c-4b3a-4291-8e7f-6a5b4c3d2e1f/members.json".to_string(),
            12
        )]
    );
}

// ---- ConvertTo-Json depth truncation ----------------------------------------------------------

#[test]
fn members_listed_inline_by_expand_are_read_and_twenty_are_a_gap() {
    // `GET /groups?$expand=members`: each group's members inline, at most 20 of them.
    let member = |i: usize, kind: &str| {
        serde_json::json!({"@odata.type": format!("#microsoft.graph.{kind}"),
                           "id": format!("c1000000-0000-4000-8000-{i:012}"),
                           "displayName": format!("{kind} {i}")})
    };
    let export = |members: Vec<Json>| {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("graph")).unwrap();
        let groups = serde_json::json!({
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#groups(members())",
            "value": [{"id": "8f7e6d5c-4b3a-4291-8e7f-6a5b4c3d2e1f",
                       "displayName": "Defender_Experts_Scoped_Coverage_Users",
                       "groupTypes": [], "securityEnabled": true, "members": members}]});
        std::fs::write(
            dir.path().join("graph/groups.json"),
            serde_json::to_string_pretty(&groups).unwrap(),
        )
        .unwrap();
        dir
    };
    let dir = export(vec![member(1, "user"), member(2, "group")]);
    let (code, report) = common::lint_json(dir.path());
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(
        violations(&report, "DEX003"),
        [("graph/groups.json".to_string(), 15)]
    );
    // 20 members: the list may be cut, so the nested group rule is not judged on it.
    let dir = export((0..20).map(|i| member(i, "user")).collect());
    let (_, report) = common::lint_json(dir.path());
    assert!(violations(&report, "DEX003").is_empty(), "{report:#}");
    let skipped = common::not_evaluated(&report, "DEX003");
    assert!(
        skipped.iter().any(|(_, why)| why.contains("at most 20")),
        "{skipped:?}"
    );
}

/// The scoped user group of the `graph-expand-*` fixtures.
const EXPANDED_GID: &str = "7c0e4f2a-3b5d-4e61-8a9c-2d4f6b8e0a13";

#[test]
fn members_inline_and_in_the_members_file_are_read_once() {
    // `GET /groups?$expand=members` and `GET /groups/{id}/members` of the same group: the
    // members file is the whole list, and the group's members are its, not both lists.
    let l = load("graph-expand-and-members-file");
    let groups = records(&l.model, "groups");
    let names = |gid: &str| -> Vec<&str> {
        let g = groups.iter().find(|g| text(g, "id") == Some(gid)).unwrap();
        list(g, "members")
            .iter()
            .map(|m| text(m, "name").unwrap())
            .collect()
    };
    assert_eq!(
        names(EXPANDED_GID),
        ["Rosa Delgado", "Tomas Berg", "SOC Tier 2"]
    );
    // A group with no members file keeps its inline members.
    assert_eq!(
        names("e5a19c37-6d2b-4f80-b4e3-91c7d0a2f658"),
        ["Amir Haddad"]
    );
    let (code, report) = lint("graph-expand-and-members-file");
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(
        violations(&report, "DEX003"),
        [(format!("graph/groups/{EXPANDED_GID}/members.json"), 32)]
    );
}

#[test]
fn twenty_inline_members_are_no_gap_when_the_members_file_is_exported() {
    // `$expand=members` gives at most 20: the members file, the whole list, settles it.
    let l = load("graph-expand-twenty-and-members-file");
    let groups = records(&l.model, "groups");
    assert_eq!(list(&groups[0], "members").len(), 21);
    let gaps = &l.model.collection("groups").unwrap().gaps;
    assert!(gaps.is_empty(), "{gaps:?}");
    let (_, report) = lint("graph-expand-twenty-and-members-file");
    for id in ["DEX003", "DEX006", "DEX007"] {
        assert!(violations(&report, id).is_empty(), "{id}: {report:#}");
        let skipped = common::not_evaluated(&report, id);
        assert!(
            skipped
                .iter()
                .all(|(entity, _)| !entity.starts_with("groups/")),
            "{id}: {skipped:?}"
        );
    }
}

#[test]
fn a_members_list_that_may_be_cut_shows_for_certain_what_it_holds() {
    // Twenty members inline (`$expand=members`), or the first page of a paged members list:
    // the nested group on it is reported and the group is not empty (DEX003 and DEX007
    // decided); whether a member that is not a user is among those missing is unknown (DEX006
    // lists the group).
    let first_page = format!("graph/groups/{EXPANDED_GID}/members.json");
    for (case, file, line, why) in [
        (
            "graph-expand-twenty-nested",
            "graph/groups.json",
            167,
            "at most 20",
        ),
        (
            "graph-paged-members-nested",
            first_page.as_str(),
            19,
            "@odata.nextLink",
        ),
    ] {
        let (code, report) = lint(case);
        assert_eq!(code, 1, "{case}: {report:#}");
        assert_eq!(
            violations(&report, "DEX003"),
            [(file.to_string(), line)],
            "{case}"
        );
        for id in ["DEX003", "DEX007"] {
            let skipped = common::not_evaluated(&report, id);
            assert!(
                skipped
                    .iter()
                    .all(|(entity, _)| !entity.starts_with("groups/")),
                "{case} {id}: {skipped:?}"
            );
        }
        assert!(violations(&report, "DEX007").is_empty(), "{case}");
        let skipped = common::not_evaluated(&report, "DEX006");
        assert!(
            skipped.iter().any(|(entity, reason)| {
                *entity == format!("groups/{EXPANDED_GID}") && reason.contains(why)
            }),
            "{case}: {skipped:?}"
        );
    }
}

#[test]
fn depth_truncated_values_are_load_errors_not_empty_lists() {
    for (case, line) in [("graph-depth-truncated", 15), ("sdk-depth-truncated", 17)] {
        let (code, report) = lint(case);
        assert_eq!(code, 2, "{case}");
        let errs = errors(&report);
        assert!(
            errs.iter().any(|(level, file, l, message)| level == "error"
                && file == "graph/subscribedSkus.json"
                && *l == line
                && message.contains("ConvertTo-Json")
                && message.contains("-Depth 10")),
            "{case}: {errs:?}"
        );
        for id in ["DEX101", "DEX103", "DEX104"] {
            assert!(violations(&report, id).is_empty(), "{case}: {id}");
        }
    }
    // prepaidUnits truncated too (Invoke-RestMethod output).
    let (_, report) = lint("graph-depth-truncated");
    assert!(errors(&report)
        .iter()
        .any(|(_, f, l, m)| f == "graph/subscribedSkus.json" && *l == 14 && m.contains("@{")));
}

// ---- EntraExporter -All -----------------------------------------------------------------------

#[test]
fn entra_exporter_owners_and_other_subfolders_are_not_members_or_users() {
    let l = load("entra-exporter-all");
    assert!(
        l.diagnostics.iter().all(|d| d.level < DiagLevel::Warning),
        "{:?}",
        l.diagnostics
    );
    let m = &l.model;
    let groups = records(m, "groups");
    assert_eq!(
        groups.len(),
        1,
        "an administrative unit's member is not a group"
    );
    let members: Vec<&str> = list(&groups[0], "members")
        .iter()
        .map(|m| text(m, "upn").unwrap())
        .collect();
    assert_eq!(
        members,
        [
            "priya.natarajan@northwind.example",
            "marek.novak@northwind.example"
        ]
    );
    let users: Vec<&str> = records(m, "users")
        .iter()
        .map(|u| text(u, "upn").unwrap())
        .collect();
    assert_eq!(
        users,
        [
            "priya.natarajan@northwind.example",
            "marek.novak@northwind.example"
        ],
        "owners and role members are not tenant users"
    );
    let (code, report) = lint("entra-exporter-all");
    assert_eq!(code, 0, "{report}");
    assert!(violations(&report, "DEX006").is_empty());
}

// ---- unknown shapes at Graph paths ------------------------------------------------------------

#[test]
fn a_wrong_shape_at_a_graph_path_or_context_is_an_error() {
    let (code, report) = lint("graph-wrong-shape");
    assert_eq!(code, 2);
    let errs = errors(&report);
    let members = format!("graph/groups/{SCOPED_GID}/members.json");
    for file in [members.as_str(), "graph/subscribedSkus.json"] {
        assert!(
            errs.iter()
                .any(|(level, f, _, _)| level == "error" && f == file),
            "{file}: {errs:?}"
        );
    }
    assert!(errs
        .iter()
        .any(|(_, f, _, m)| f == &members && m.contains("Authorization_RequestDenied")));
}

#[test]
fn arrays_at_the_members_path_are_members_or_an_error() {
    let rel = format!("graph/groups/{SCOPED_GID}/members.json");
    // `(Invoke-MgGraphRequest .../members).value | ConvertTo-Json -Depth 10`: a bare array of
    // directory objects.
    let bare = br##"[
  {"@odata.type": "#microsoft.graph.orgContact", "id": "0d0c0b0a-1111-4222-8333-444455556666",
   "displayName": "Vendor Escalations", "mail": "escalations@vendor.example"}
]"##;
    let l = export::load_document(&rel, bare);
    assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
    let gaps = &l.model.collection("groups").unwrap().gaps;
    assert!(gaps.is_empty(), "{gaps:?}");
    // Neither Graph objects nor SDK objects: an error, and the group's members a gap.
    let l = export::load_document(&rel, br#"["System.Object[]", "System.Object[]"]"#);
    assert_eq!(l.diagnostics.len(), 1, "{:?}", l.diagnostics);
    assert_eq!(l.diagnostics[0].level, DiagLevel::Error);
    assert_eq!(l.diagnostics[0].line, Some(1));
    let gaps = &l.model.collection("groups").unwrap().gaps;
    assert_eq!(gaps[0].entity.as_deref(), Some(SCOPED_GID));
}

#[test]
fn a_record_listed_again_is_read_once_as_its_last_listing_has_it() {
    let l = load("graph-relisted");
    let upns: Vec<&str> = records(&l.model, "users")
        .iter()
        .map(|u| text(u, "upn").unwrap())
        .collect();
    assert_eq!(
        upns,
        ["adele.vance@contoso.com", "alex.wilber@contoso.com"],
        "{upns:?}"
    );
    let groups = records(&l.model, "groups");
    assert_eq!(groups.len(), 2);
    assert_eq!(list(&groups[0], "members").len(), 2);
    let warnings: Vec<_> = l
        .diagnostics
        .iter()
        .filter(|d| d.level == DiagLevel::Warning)
        .map(|d| (d.file.as_str(), d.line, d.message.as_str()))
        .collect();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert_eq!(warnings[0].0, "graph/groups-2.json");
    assert!(
        warnings[0].2.starts_with(
            "`b320b3f0-6a2d-4a47-9c5e-3e0f1f6f8a21` is listed more than once among the Entra ID \
             groups: in `graph/groups.json` line 6, and in `graph/groups-2.json` line 5"
        ),
        "{warnings:?}"
    );
    assert_eq!(
        (warnings[1].0, warnings[1].1),
        ("graph/users-2.json", Some(5))
    );
    let (_, report) = lint("graph-relisted");
    assert!(violations(&report, "DEX102").is_empty());
    assert!(violations(&report, "DEX007").is_empty());
    // The same subscription exported by Graph REST and by the PowerShell SDK counts its units
    // once: 2 for 3 users.
    let (code, report) = lint("skus-two-exports");
    assert_eq!(code, 1);
    assert_eq!(
        common::violation_messages(&report, "DEX102"),
        ["2 enabled Entra ID P1 units for 3 enabled member users"]
    );
}

/// The `graph-user-enabled-null` fixture in a temporary directory, `from` replaced by `to` in
/// its users list.
fn enabled_null_with(from: &str, to: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&fixture("graph-user-enabled-null"), dir.path());
    let users = dir.path().join("graph/users.json");
    let text = std::fs::read_to_string(&users).unwrap();
    std::fs::write(&users, text.replace(from, to)).unwrap();
    dir
}

#[test]
fn an_account_enabled_given_as_null_is_unknown() {
    let (_, report) = lint("graph-user-enabled-null");
    assert!(violations(&report, "DEX102").is_empty());
    // The rule over each user lists Alex; the unit count (25 units, at most 3 users) is
    // judged whether Alex is enabled or not.
    let skipped = common::not_evaluated(&report, "DEX102");
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert!(
        skipped.iter().all(|(_, why)| why
            == "the export gives `accountEnabled` of user `alex.wilber@contoso.com` \
                (`87d349ed-44d7-43e1-9a83-5f2406dee5bd`) as null: whether the account is \
                enabled is unknown"),
        "{skipped:?}"
    );
    // Left out of the user (or not a boolean) while the list gives it for others: the same.
    for (with, how) in [
        ("", "missing"),
        ("\"accountEnabled\": \"null\",", "the string"),
    ] {
        let dir = enabled_null_with("\"accountEnabled\": null,", with);
        let (_, report) = common::lint_json(dir.path());
        assert!(violations(&report, "DEX102").is_empty(), "{how}");
        let skipped = common::not_evaluated(&report, "DEX102");
        assert_eq!(skipped.len(), 1, "{how}: {skipped:?}");
        assert!(
            skipped[0]
                .1
                .starts_with("the export does not give a boolean `accountEnabled` of user"),
            "{how}: {skipped:?}"
        );
    }
    // Given as `true`, the user is judged.
    let dir = enabled_null_with("\"accountEnabled\": null", "\"accountEnabled\": true");
    let (_, report) = common::lint_json(dir.path());
    assert_eq!(
        messages(&report, "DEX102"),
        ["user `alex.wilber@contoso.com` has no enabled Entra ID P1 plan"]
    );
    // The Graph PowerShell SDK writes it as `"AccountEnabled": null` (a list read whole).
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("graph")).unwrap();
    for name in ["users.json", "subscribedSkus.json"] {
        let from = fixture("sdk-graph-powershell/graph").join(name);
        std::fs::copy(from, dir.path().join("graph").join(name)).unwrap();
    }
    let users = dir.path().join("graph/users.json");
    let text = std::fs::read_to_string(&users).unwrap();
    let jonas = text
        .find("\"AccountEnabled\": true,\n    \"AssignedLicenses\": [],")
        .unwrap();
    let text = format!(
        "{}\"AccountEnabled\": null{}",
        &text[..jonas],
        &text[jonas + "\"AccountEnabled\": true".len()..]
    );
    std::fs::write(&users, text).unwrap();
    let (_, report) = common::lint_json(dir.path());
    let skipped = common::not_evaluated(&report, "DEX102");
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert!(
        skipped[0].1.contains("`jonas.weber@northwind.example`"),
        "{skipped:?}"
    );
}

#[test]
fn graph_lists_saved_as_bare_arrays_without_additional_properties_are_read() {
    let (code, report) = lint("graph-bare-arrays");
    assert_eq!(code, 1);
    // A user's licence details and Exchange Online's `Get-User` are not read as the tenant's
    // SKUs and users.
    let notes: Vec<(String, String)> = errors(&report)
        .into_iter()
        .map(|(level, file, _, message)| (format!("{level} {file}"), message))
        .collect();
    assert_eq!(
        notes.iter().map(|n| n.0.as_str()).collect::<Vec<_>>(),
        [
            "note exo/Get-User.json",
            "note users/6e7b768e-07e2-4810-8459-485f84f8f204/licenseDetails.json"
        ],
        "{notes:?}"
    );
    assert!(notes[0].1.starts_with("not a recognised export document"));
    assert!(notes[1]
        .1
        .starts_with("this is a user's licence details (`GET /users/{id}/licenseDetails`"));
    assert_eq!(
        violations(&report, "DEX103"),
        [("graph/subscribedSkus.json".to_string(), 6)]
    );
    assert_eq!(violations(&report, "DEX002").len(), 1);
    assert_eq!(
        messages(&report, "DEX102")
            .into_iter()
            .filter(|m| m.starts_with("user "))
            .collect::<Vec<_>>(),
        ["user `alex.wilber@contoso.com` has no enabled Entra ID P1 plan"]
    );
}

#[test]
fn a_member_listed_again_on_a_later_page_is_one_member() {
    let (_, report) = lint("graph-members-relisted");
    let members = "graph/groups/b320b3f0-6a2d-4a47-9c5e-3e0f1f6f8a21";
    assert_eq!(
        violations(&report, "DEX003"),
        [(format!("{members}/members-2.json"), 4)]
    );
    let warnings: Vec<_> = errors(&report)
        .into_iter()
        .filter(|e| e.0 == "warning")
        .collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].3.starts_with(
            "`e2d4c1a8-7b3f-4c55-8d2e-91f0a6b7c3d4` is listed more than once among the members \
             of group `b320b3f0-6a2d-4a47-9c5e-3e0f1f6f8a21`"
        ),
        "{warnings:?}"
    );
}

#[test]
fn a_members_list_cast_to_one_kind_holds_only_members_of_that_kind() {
    let l = load("graph-members-cast");
    assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
    // Not the tenant's users: the group's.
    assert_eq!(records(&l.model, "users").len(), 2);
    let members = list(&records(&l.model, "groups")[0], "members")
        .into_iter()
        .map(|m| (text(m, "kind").unwrap(), text(m, "upn").unwrap()))
        .collect::<Vec<_>>();
    assert_eq!(
        members,
        [
            ("user", "adele.vance@contoso.com"),
            ("user", "alex.wilber@contoso.com")
        ]
    );
    // Whether it has a nested group, or a member that is not a user, the list cannot show.
    let (_, report) = lint("graph-members-cast");
    assert!(violations(&report, "DEX007").is_empty());
    for policy in ["DEX003", "DEX006"] {
        let skipped = common::not_evaluated(&report, policy);
        assert!(
            skipped.iter().any(
                |(e, why)| e == "groups/b320b3f0-6a2d-4a47-9c5e-3e0f1f6f8a21"
                    && why.contains("lists only the group's members of kind `user`")
            ),
            "{policy}: {skipped:?}"
        );
    }
    // Cast to groups, the nested group it lists is certain.
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&fixture("graph-members-cast"), dir.path());
    std::fs::write(
        dir.path()
            .join("graph/groups/b320b3f0-6a2d-4a47-9c5e-3e0f1f6f8a21/members-groups.json"),
        r#"{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#groups",
            "value": [{"id": "e2d4c1a8-7b3f-4c55-8d2e-91f0a6b7c3d4",
                       "displayName": "SOC Tier 2 Analysts"}]}"#,
    )
    .unwrap();
    let (_, report) = common::lint_json(dir.path());
    assert_eq!(
        messages(&report, "DEX003"),
        ["scoped group `Defender_Experts_Scoped_Coverage_Users` has the nested group `SOC Tier 2 Analysts` as a member"]
    );
    // Beside the group's list of every kind of member (`GET /groups/{id}/members`), which holds
    // only users, the cast leaves nothing unknown: DEX003 and DEX006 pass.
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&fixture("graph-members-cast"), dir.path());
    std::fs::write(
        dir.path()
            .join("graph/groups/b320b3f0-6a2d-4a47-9c5e-3e0f1f6f8a21/members-all.json"),
        r##"{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#directoryObjects",
            "value": [{"@odata.type": "#microsoft.graph.user",
                       "id": "6e7b768e-07e2-4810-8459-485f84f8f204",
                       "displayName": "Adele Vance"},
                      {"@odata.type": "#microsoft.graph.user",
                       "id": "87d349ed-44d7-43e1-9a83-5f2406dee5bd",
                       "displayName": "Alex Wilber"}]}"##,
    )
    .unwrap();
    let (_, report) = common::lint_json(dir.path());
    for policy in ["DEX003", "DEX006"] {
        let skipped = common::not_evaluated(&report, policy);
        assert!(skipped.is_empty(), "{policy}: {skipped:?}");
        assert!(violations(&report, policy).is_empty(), "{policy}");
    }
}

#[test]
fn a_cast_list_gives_its_kind_to_members_that_do_not_say_theirs_at_any_size() {
    // The fixture's cast list, its members without `@odata.type`, cast to groups instead: as
    // read in one pass (small) and a range of elements at a time (over 2 MB).
    let members = "graph/groups/b320b3f0-6a2d-4a47-9c5e-3e0f1f6f8a21/members.json";
    let text = std::fs::read_to_string(fixture("graph-members-cast").join(members))
        .unwrap()
        .replace("$metadata#users", "$metadata#groups");
    let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let first = doc["value"][0].clone();
    assert!(first.get("@odata.type").is_none());
    for size in [2, 12_000] {
        let dir = tempfile::tempdir().unwrap();
        common::copy_dir(&fixture("graph-members-cast"), dir.path());
        doc["value"] = (0..size)
            .map(|i| {
                let mut m = first.clone();
                m["id"] = format!("{i:08}-0000-4000-8000-000000000000").into();
                m["displayName"] = format!("Group {i}").into();
                m
            })
            .collect();
        let text = serde_json::to_string_pretty(&doc).unwrap();
        assert_eq!(text.len() > 2 << 20, size > 2, "{}", text.len());
        std::fs::write(dir.path().join(members), text).unwrap();
        let (_, report) = common::lint_json(dir.path());
        let nested = messages(&report, "DEX003");
        assert_eq!(nested.len(), size, "{size}");
        assert_eq!(
            nested[1],
            "scoped group `Defender_Experts_Scoped_Coverage_Users` has the nested group `Group 1` as a member"
        );
    }
}

#[test]
fn two_exports_of_one_list_are_merged_and_their_disagreements_unknown() {
    // The az CLI's listing, without plans, takes nothing from the REST listing.
    let (code, report) = lint("users-az-and-graph");
    assert_eq!(code, 1);
    assert_eq!(
        messages(&report, "DEX102"),
        ["user `alex.wilber@contoso.com` has no enabled Entra ID P1 plan"]
    );
    // REST and SDK disagree on whether Alex is enabled: unknown, whichever comes first.
    let (_, report) = lint("users-sdk-and-graph");
    assert!(violations(&report, "DEX102").is_empty());
    // Alex is not judged; the unit count is, whether Alex is enabled or not (25 units).
    let skipped = common::not_evaluated(&report, "DEX102");
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert!(
        skipped[0].1.starts_with(
            "two exports give `enabled` of `87d349ed-44d7-43e1-9a83-5f2406dee5bd` different \
             values (`true` and `false`)"
        ),
        "{skipped:?}"
    );
    let warnings: Vec<_> = errors(&report)
        .into_iter()
        .filter(|e| e.3.starts_with("`enabled` of"))
        .collect();
    assert_eq!(
        warnings
            .iter()
            .map(|w| (w.1.as_str(), w.2))
            .collect::<Vec<_>>(),
        [("sdk/users.json", 46)],
        "{warnings:?}"
    );
}

// Two whole exports of the users list saved side by side in one folder (the same
// `@odata.context`, neither with `@odata.nextLink`) are two lists, not pages of one: where they
// disagree the value is unknown, whichever file name sorts first (the later file won, so
// renaming a file flipped the verdict).
#[test]
fn two_whole_exports_of_a_list_in_one_folder_are_two_lists() {
    let rest =
        std::fs::read_to_string(fixture("users-sdk-and-graph").join("graph/users.json")).unwrap();
    let alex = rest.find("alex.wilber@contoso.com").unwrap();
    let enabled = alex + rest[alex..].find("\"accountEnabled\": true").unwrap();
    let disabled = format!(
        "{}\"accountEnabled\": false{}",
        &rest[..enabled],
        &rest[enabled + "\"accountEnabled\": true".len()..]
    );
    for (first, second) in [(&rest, &disabled), (&disabled, &rest)] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("graph")).unwrap();
        std::fs::copy(
            fixture("users-sdk-and-graph").join("graph/subscribedSkus.json"),
            dir.path().join("graph/subscribedSkus.json"),
        )
        .unwrap();
        std::fs::write(dir.path().join("graph/users-2026-10-01.json"), first).unwrap();
        std::fs::write(dir.path().join("graph/users-2026-11-21.json"), second).unwrap();
        let (_, report) = common::lint_json(dir.path());
        assert!(violations(&report, "DEX102").is_empty(), "{report:#}");
        let skipped = common::not_evaluated(&report, "DEX102");
        assert_eq!(skipped.len(), 1, "{skipped:?}");
        assert!(
            skipped[0].1.starts_with(
                "two exports give `enabled` of `87d349ed-44d7-43e1-9a83-5f2406dee5bd` different \
                 values"
            ),
            "{skipped:?}"
        );
        let warnings: Vec<_> = errors(&report)
            .into_iter()
            .filter(|e| e.3.starts_with("`enabled` of"))
            .map(|e| e.1)
            .collect();
        assert_eq!(warnings, ["graph/users-2026-11-21.json"]);
    }
}

#[test]
fn reasons_and_load_messages_show_invisible_characters_as_escapes() {
    let dir = enabled_null_with("alex.wilber@contoso.com", "alex\\u202e.wilber@contoso.com");
    // An API's error body, its message with a no-break space, saved as a list.
    std::fs::write(
        dir.path().join("graph/directoryAudits.json"),
        r#"{"error": {"code": "Authorization_RequestDenied", "message": "Insufficient\u00a0privileges"}}"#,
    )
    .unwrap();
    let (_, report) = common::lint_json(dir.path());
    let skipped = common::not_evaluated(&report, "DEX102");
    assert!(
        skipped[0]
            .1
            .contains("user `alex\\u{202E}.wilber@contoso.com`"),
        "{skipped:?}"
    );
    let errors = errors(&report);
    assert!(
        errors
            .iter()
            .any(|e| e.3.contains("Insufficient\\u{00A0}privileges")),
        "{errors:?}"
    );
}

#[test]
fn source_lines_drawn_in_a_report_cannot_reorder_themselves() {
    // A group name holding a right-to-left override, written raw in the file (the "Trojan
    // Source" attack, CVE-2021-42574, on a terminal that draws the line).
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("graph")).unwrap();
    let groups = serde_json::json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#groups",
        "value": [{"id": "3c9e1f27-84d5-4a6b-b0c2-7f1e9d4a5b36",
                   "displayName": "Defender_Experts_Scoped_Coverage_Users\u{202E}sresU",
                   "groupTypes": [], "securityEnabled": true, "mailEnabled": false}]
    });
    std::fs::write(dir.path().join("graph/groups.json"), groups.to_string()).unwrap();
    let out = common::dexlint()
        .args(["lint", "--format", "human"])
        .arg(dir.path())
        .output()
        .unwrap();
    let human = String::from_utf8(out.stdout).unwrap();
    assert!(human.contains("DEX002"), "{human}");
    assert!(!human.contains('\u{202E}'), "{human}");
    // The message escapes it; the source line shows a replacement character in its place.
    assert!(human.contains("Users\\u{202E}sresU"), "{human}");
    assert!(human.contains("Users\u{FFFD}sresU"), "{human}");
}

#[test]
fn one_object_trimmed_by_select_object_is_read_as_a_list_of_one() {
    // `Get-MgUser -UserId ... -Property ... | Select-Object Id, UserPrincipalName,
    // AccountEnabled, UserType | ConvertTo-Json`: one object, no `AdditionalProperties`.
    let user = r#"{
        "Id": "87d349ed-44d7-43e1-9a83-5f2406dee5bd",
        "UserPrincipalName": "alex.wilber@contoso.com",
        "AccountEnabled": true,
        "UserType": "Member"
    }"#;
    let l = export::load_document("ps/users.json", user.as_bytes());
    assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
    let users = records(&l.model, "users");
    assert_eq!(users.len(), 1);
    assert_eq!(text(&users[0], "upn"), Some("alex.wilber@contoso.com"));
    // An object that is not a directory object (an Exchange Online `Get-User`) is not.
    let exo = r#"{"Id": "Alex Wilber", "UserPrincipalName": "alex.wilber@contoso.com",
                  "RecipientTypeDetails": "UserMailbox"}"#;
    let l = export::load_document("exo/user.json", exo.as_bytes());
    assert!(records(&l.model, "users").is_empty());
}

#[test]
fn a_rule_over_a_list_missing_pages_judges_the_records_listed_and_not_the_rest() {
    // A user on the first page of a users list whose further pages were not exported is a
    // whole record: a rule over the users judges it (the guest is reported), and is not
    // evaluated for the users on the pages missing. What no listed user decides (a count) is
    // unknown.
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&fixture("graph-paged-incomplete"), dir.path());
    let users = dir.path().join("graph/users.json");
    let text = std::fs::read_to_string(&users).unwrap().replacen(
        r#""userType": "Member""#,
        r#""userType": "Guest""#,
        1,
    );
    std::fs::write(&users, text).unwrap();
    let policies = tempfile::tempdir().unwrap();
    std::fs::write(
        policies.path().join("ORG001.policy"),
        r#"policy ORG001 "No guest users" {
  severity error

  for u in users
  where u.user_type == "Guest"
  report u "guest user `{u.upn}`"
}

policy ORG002 "At most one guest" {
  severity warning

  assert count(u in users: u.user_type == "Guest") <= 1
  report users "too many guests"
}
"#,
    )
    .unwrap();
    let out = common::dexlint()
        .args(["lint", "--format", "json", "--no-builtin", "--policies"])
        .arg(policies.path())
        .arg(dir.path())
        .output()
        .unwrap();
    let report: Json = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{report:#}");
    assert_eq!(
        messages(&report, "ORG001"),
        ["guest user `rosa.delgado@northwind.example`"]
    );
    for policy in ["ORG001", "ORG002"] {
        let skipped = common::not_evaluated(&report, policy);
        assert_eq!(skipped.len(), 1, "{policy}: {skipped:?}");
        assert!(
            skipped[0].1.contains("has further pages"),
            "{policy}: {skipped:?}"
        );
    }
    assert!(messages(&report, "ORG002").is_empty());
    assert_eq!(report["summary"]["partially_evaluated"], 1, "{report:#}");
}

#[test]
fn deleted_groups_and_users_are_not_read_as_the_tenants() {
    let l = load("graph-deleted-groups");
    let groups = records(&l.model, "groups");
    assert_eq!(
        groups
            .iter()
            .map(|g| text(g, "id").unwrap())
            .collect::<Vec<_>>(),
        ["b320b3f0-6a2d-4a47-9c5e-3e0f1f6f8a21"]
    );
    // A note names each, at its `deletedDateTime` (REST, then the SDK's).
    let notes: Vec<_> = l
        .diagnostics
        .iter()
        .map(|d| (d.level, d.file.as_str(), d.line, d.message.as_str()))
        .collect();
    let note = |file, line, date| {
        (
            DiagLevel::Note,
            file,
            Some(line),
            format!(
                "group `Defender_Experts_Scoped_Coverage_Users` \
                 (`46cc6179-19d0-473e-97ad-6ff84347bbbb`) was deleted ({date}, \
                 `deletedDateTime`): it is in the directory's deleted items (`GET \
                 /directory/deletedItems/microsoft.graph.group`), not a group of the tenant \
                 now, and was not read"
            ),
        )
    };
    let expected = [
        note("graph/deletedGroups.json", 6, "2026-06-30T10:12:00Z"),
        note("sdk/deletedGroups.json", 4, "2026-06-30T10:12:00"),
    ];
    assert_eq!(notes.len(), 2, "{notes:?}");
    for (n, e) in notes.iter().zip(&expected) {
        assert_eq!((n.0, n.1, n.2, n.3), (e.0, e.1, e.2, e.3.as_str()));
    }
    let (code, report) = lint("graph-deleted-groups");
    assert_eq!(code, 0, "{report}");
    assert!(violations(&report, "DEX008").is_empty());
    // The deleted items alone are no list of the tenant's groups.
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&fixture("graph-deleted-groups"), dir.path());
    std::fs::remove_file(dir.path().join("graph/groups.json")).unwrap();
    let l = export::load(&[dir.path().to_path_buf()], &Default::default()).unwrap();
    assert!(!l.model.collection("groups").unwrap().present);
    // A deleted user, in a list read in one pass and in one read a range at a time.
    let users =
        std::fs::read_to_string(fixture("graph-deleted-groups").join("graph/users.json")).unwrap();
    let mut doc: Json = serde_json::from_str(&users).unwrap();
    let first = doc["value"][0].clone();
    for size in [2, 6_000] {
        doc["value"] = (0..size)
            .map(|i| {
                let mut u = first.clone();
                u["id"] = format!("{i:08}-0000-4000-8000-000000000000").into();
                u["userPrincipalName"] = format!("user{i}@contoso.com").into();
                if i == 1 {
                    u["deletedDateTime"] = "2026-06-30T10:12:00Z".into();
                }
                u
            })
            .collect();
        let json = serde_json::to_string_pretty(&doc).unwrap();
        assert_eq!(json.len() > 2 << 20, size > 2, "{}", json.len());
        std::fs::write(dir.path().join("graph/users.json"), json).unwrap();
        let l = export::load(&[dir.path().to_path_buf()], &Default::default()).unwrap();
        let users = records(&l.model, "users");
        assert_eq!(users.len(), size - 1);
        assert!(users
            .iter()
            .all(|u| text(u, "upn") != Some("user1@contoso.com")));
        assert!(
            l.diagnostics.iter().any(|d| d.level == DiagLevel::Note
                && d.message
                    .starts_with("user `user1@contoso.com` (`00000001-")),
            "{:?}",
            l.diagnostics
        );
    }
}

#[test]
fn licence_details_and_subscriptions_are_not_read_as_subscribed_skus() {
    let l = load("graph-not-skus");
    assert_eq!(records(&l.model, "skus").len(), 1);
    let notes: Vec<_> = l
        .diagnostics
        .iter()
        .map(|d| {
            (
                d.level,
                d.file.as_str(),
                d.message.split(':').next().unwrap(),
            )
        })
        .collect();
    let details = "this is a user's licence details (`GET /users/{id}/licenseDetails`, \
                   `Get-MgUserLicenseDetail`)";
    let subscriptions = "this is the tenant's commercial subscriptions (`GET \
                         /directory/subscriptions`, `Get-MgDirectorySubscription`)";
    assert_eq!(
        notes,
        [
            (
                DiagLevel::Note,
                "reports/6e7b768e-07e2-4810-8459-485f84f8f204-licenseDetails.json",
                details
            ),
            (DiagLevel::Note, "reports/alex-licenseDetails.json", details),
            (DiagLevel::Note, "reports/subscriptions.json", subscriptions),
            (
                DiagLevel::Note,
                "sdk/directorySubscriptions.json",
                subscriptions
            ),
        ]
    );
    assert!(l.diagnostics[0]
        .message
        .ends_with("export the subscribed SKUs with `GET /subscribedSkus` or `Get-MgSubscribedSku -All` (docs/exporting.md)"));
    // Alex has no P1 plan (DEX102), but the tenant's SKU carries it, provisioned.
    let (code, report) = lint("graph-not-skus");
    assert_eq!(code, 1, "{report}");
    assert_eq!(
        messages(&report, "DEX102"),
        ["user `alex.wilber@contoso.com` has no enabled Entra ID P1 plan"]
    );
    assert!(violations(&report, "DEX103").is_empty());
    // At the path the subscribed SKUs are written to, it is an error: they are missing.
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&fixture("graph-not-skus"), dir.path());
    std::fs::rename(
        dir.path().join("reports/alex-licenseDetails.json"),
        dir.path().join("graph/subscribedSkus.json"),
    )
    .unwrap();
    let (code, report) = common::lint_json(dir.path());
    assert_eq!(code, 2);
    assert!(errors(&report)
        .iter()
        .any(|e| e.0 == "error" && e.1 == "graph/subscribedSkus.json" && e.3.starts_with(details)));
    assert!(common::not_evaluated(&report, "DEX101")[0]
        .1
        .starts_with("no subscribed SKUs could be read: `graph/subscribedSkus.json` failed"));
}

#[test]
fn two_exports_that_give_a_plan_of_a_sku_different_statuses_leave_it_unknown() {
    // The SDK's export of the SKU has its `AAD_PREMIUM` plan `Disabled`, the REST one `Success`.
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&fixture("skus-two-exports"), dir.path());
    let sdk = dir.path().join("sdk/subscribedSkus.json");
    let mut doc: Json = serde_json::from_str(&std::fs::read_to_string(&sdk).unwrap()).unwrap();
    let p1 = &mut doc[0]["ServicePlans"][0];
    assert_eq!(p1["ServicePlanName"], "AAD_PREMIUM");
    p1["ProvisioningStatus"] = "Disabled".into();
    let text = serde_json::to_string_pretty(&doc).unwrap();
    let line = text.lines().position(|l| l.contains("Disabled")).unwrap() as u64 + 1;
    std::fs::write(&sdk, text).unwrap();
    let (_, report) = common::lint_json(dir.path());
    assert!(violations(&report, "DEX103").is_empty());
    let reason = "two exports give `status` of `AAD_PREMIUM` in the `plans` of \
                  `06ebc4ee-1bb5-47dd-8120-11324bc54e06` different values (`Success` and \
                  `Disabled`): which is the tenant's now is unknown";
    assert!(
        common::not_evaluated(&report, "DEX103")
            .iter()
            .any(|(e, why)| e == "skus/06ebc4ee-1bb5-47dd-8120-11324bc54e06" && why == reason),
        "{report}"
    );
    let warnings: Vec<_> = errors(&report)
        .into_iter()
        .filter(|e| e.3.starts_with("`status` of `AAD_PREMIUM`"))
        .map(|e| (e.1, e.2))
        .collect();
    assert_eq!(warnings, [("sdk/subscribedSkus.json".to_string(), line)]);
}

#[test]
fn a_groups_transitive_members_are_not_read_as_its_members() {
    const GID: &str = "b320b3f0-6a2d-4a47-9c5e-3e0f1f6f8a21";
    let folder = format!("graph/groups/{GID}");
    let transitive = |report: &Json| {
        errors(report)
            .into_iter()
            .filter(|e| e.3.starts_with("this is a group's transitive members"))
            .map(|e| (e.0, e.1))
            .collect::<Vec<_>>()
    };
    let (code, report) = lint("graph-transitive-members");
    assert_eq!(code, 0, "{report}");
    assert_eq!(
        transitive(&report),
        [(
            "note".to_string(),
            format!("{folder}/transitiveMembers.json")
        )]
    );
    for policy in ["DEX003", "DEX006", "DEX007"] {
        let skipped = common::not_evaluated(&report, policy);
        assert!(
            skipped
                .iter()
                .any(|(e, why)| e == &format!("groups/{GID}")
                    && why.contains("are not in the export")),
            "{policy}: {skipped:?}"
        );
    }
    // Beside the group's members list, only that list is read: Alex is no member.
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&fixture("graph-transitive-members"), dir.path());
    let saved =
        std::fs::read_to_string(dir.path().join(&folder).join("transitiveMembers.json")).unwrap();
    let mut doc: Json = serde_json::from_str(&saved).unwrap();
    let mut members = doc.clone();
    members["value"].as_array_mut().unwrap().truncate(2);
    std::fs::write(
        dir.path().join(&folder).join("members.json"),
        serde_json::to_string_pretty(&members).unwrap(),
    )
    .unwrap();
    let l = export::load(&[dir.path().to_path_buf()], &Default::default()).unwrap();
    let names: Vec<_> = list(&records(&l.model, "groups")[0], "members")
        .into_iter()
        .map(|m| text(m, "name").unwrap())
        .collect();
    assert_eq!(names, ["Adele Vance", "Finance Team"]);
    // As the SDK writes it, and as a page whose next link names it under another name.
    std::fs::remove_file(dir.path().join(&folder).join("transitiveMembers.json")).unwrap();
    let sdk: Vec<Json> = doc["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| serde_json::json!({"Id": m["id"], "DeletedDateTime": null, "AdditionalProperties": m}))
        .collect();
    std::fs::write(
        dir.path().join(&folder).join("TransitiveMembers.json"),
        serde_json::to_string_pretty(&sdk).unwrap(),
    )
    .unwrap();
    doc["@odata.nextLink"] =
        format!("https://graph.microsoft.com/v1.0/groups/{GID}/transitiveMembers?$skiptoken=X")
            .into();
    std::fs::write(
        dir.path().join(&folder).join("members-page.json"),
        serde_json::to_string_pretty(&doc).unwrap(),
    )
    .unwrap();
    let (_, report) = common::lint_json(dir.path());
    assert_eq!(
        transitive(&report),
        [
            (
                "note".to_string(),
                format!("{folder}/TransitiveMembers.json")
            ),
            ("note".to_string(), format!("{folder}/members-page.json")),
        ]
    );
    assert_eq!(
        messages(&report, "DEX003"),
        ["scoped group `Defender_Experts_Scoped_Coverage_Users` has the nested group `Finance Team` as a member"]
    );
}

#[test]
fn an_entra_exporter_dynamic_group_has_unknown_members() {
    let (_, report) = lint("entra-exporter-dynamic");
    assert!(violations(&report, "DEX007").is_empty());
    assert_eq!(violations(&report, "DEX005").len(), 1);
    for policy in ["DEX003", "DEX006", "DEX007"] {
        let skipped = common::not_evaluated(&report, policy);
        assert!(
            skipped.iter().any(
                |(e, why)| e == "groups/b320b3f0-6a2d-4a47-9c5e-3e0f1f6f8a21"
                    && why.starts_with(
                        "group `Defender_Experts_Scoped_Coverage_Users` \
                         (`b320b3f0-6a2d-4a47-9c5e-3e0f1f6f8a21`) has dynamic membership, and \
                         EntraExporter exports the members of assigned groups only"
                    )
            ),
            "{policy}: {skipped:?}"
        );
    }
    // An assigned group without `Members/` has none.
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&fixture("entra-exporter-dynamic"), dir.path());
    let members = dir
        .path()
        .join("entra/Groups/e2d4c1a8-7b3f-4c55-8d2e-91f0a6b7c3d4/Members");
    std::fs::remove_dir_all(members).unwrap();
    let l = export::load(&[dir.path().to_path_buf()], &Default::default()).unwrap();
    let groups = records(&l.model, "groups");
    let assigned = groups
        .iter()
        .find(|g| text(g, "name") == Some("SOC Tier 2 Analysts"))
        .unwrap();
    assert!(list(assigned, "members").is_empty());
    // Its members exported beside it are read.
    let gid = "b320b3f0-6a2d-4a47-9c5e-3e0f1f6f8a21";
    std::fs::create_dir_all(dir.path().join(format!("graph/groups/{gid}"))).unwrap();
    std::fs::write(
        dir.path().join(format!("graph/groups/{gid}/members.json")),
        r##"{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#directoryObjects",
            "value": [{"@odata.type": "#microsoft.graph.user",
                       "id": "6e7b768e-07e2-4810-8459-485f84f8f204",
                       "displayName": "Adele Vance"}]}"##,
    )
    .unwrap();
    let l = export::load(&[dir.path().to_path_buf()], &Default::default()).unwrap();
    let groups = records(&l.model, "groups");
    let scoped = groups.iter().find(|g| text(g, "id") == Some(gid)).unwrap();
    assert_eq!(list(scoped, "members").len(), 1);
}

#[test]
fn a_group_changed_to_assigned_membership_is_not_dynamic_for_its_kept_rule() {
    let (_, report) = lint("graph-group-converted-to-assigned");
    assert!(violations(&report, "DEX005").is_empty(), "{report}");
    assert!(common::not_evaluated(&report, "DEX005").is_empty());
    let groups = fixture("graph-group-converted-to-assigned").join("graph/groups.json");
    let mut doc: Json = serde_json::from_str(&std::fs::read_to_string(groups).unwrap()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&fixture("graph-group-converted-to-assigned"), dir.path());
    let lint_with = |doc: &Json| {
        std::fs::write(
            dir.path().join("graph/groups.json"),
            serde_json::to_string_pretty(doc).unwrap(),
        )
        .unwrap();
        common::lint_json(dir.path()).1
    };
    let rule = "group `Defender_Experts_Scoped_Coverage_Users` has dynamic membership (rule \
                `(user.department -eq \"Finance\")`)";
    // Dynamic, its processing paused: still dynamic.
    doc["value"][0]["groupTypes"] = serde_json::json!(["DynamicMembership"]);
    assert_eq!(messages(&lint_with(&doc), "DEX005"), [rule]);
    // Without `groupTypes` (not selected), a rule whose processing is on tells; paused, it is
    // what a changed group keeps too, and DEX005 is not evaluated for the group.
    doc["value"][0]
        .as_object_mut()
        .unwrap()
        .remove("groupTypes");
    let report = lint_with(&doc);
    assert!(violations(&report, "DEX005").is_empty(), "{report}");
    let skipped = common::not_evaluated(&report, "DEX005");
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert!(skipped[0].1.contains("`Paused`"), "{skipped:?}");
    doc["value"][0]["membershipRuleProcessingState"] = "On".into();
    assert_eq!(messages(&lint_with(&doc), "DEX005"), [rule]);
}

// ---- counts that unknown users leave open --------------------------------------------------

/// DEX102 compares the enabled P1 units with the enabled member users: a user whose
/// `accountEnabled` is null, or users on pages not exported, leave the count open but bounded
/// (unknown users can only add to it), and a count the bound decides is judged: a violation
/// when even the users known exceed the units, a pass when even all could not.
#[test]
fn a_unit_count_that_the_users_read_decide_is_judged() {
    let units = |report: &Json| -> Vec<String> {
        messages(report, "DEX102")
            .into_iter()
            .filter(|m| m.contains("units for"))
            .collect()
    };
    let (code, report) = lint("graph-p1-count-bounded");
    assert_eq!(
        units(&report),
        ["2 enabled Entra ID P1 units for 3 to 4 enabled member users"]
    );
    assert_eq!(code, 1);
    let ne = common::not_evaluated(&report, "DEX102");
    assert_eq!(ne.len(), 1, "{ne:?}");
    assert_eq!(ne[0].0, "users/9a9b9c9d-1111-4222-8333-944455556667");

    let (code, report) = lint("graph-p1-count-unlisted");
    assert_eq!(
        units(&report),
        ["2 enabled Entra ID P1 units for at least 3 enabled member users"]
    );
    assert_eq!(code, 1);

    // 100 units: 3 or 4 users cannot exceed them; a missing page could.
    for (case, judged) in [
        ("graph-p1-count-bounded", true),
        ("graph-p1-count-unlisted", false),
    ] {
        let dir = tempfile::tempdir().unwrap();
        common::copy_dir(&fixture(case), dir.path());
        let skus = dir.path().join("graph/subscribedSkus.json");
        let text = std::fs::read_to_string(&skus).unwrap();
        std::fs::write(
            &skus,
            text.replace(r#""enabled": 2,"#, r#""enabled": 100,"#),
        )
        .unwrap();
        let (_, report) = common::lint_json(dir.path());
        assert!(units(&report).is_empty(), "{case}");
        let count_ne = report["not_evaluated"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["policy"] == "DEX102" && n["rule"] == 2);
        assert_eq!(count_ne, !judged, "{case}: {}", report["not_evaluated"]);
    }
}

#[test]
fn a_date_that_cannot_be_read_is_unknown_and_reported_at_its_value() {
    let policies = tempfile::tempdir().unwrap();
    std::fs::write(
        policies.path().join("d.policy"),
        "policy D001 \"Sign-ins\" {\n  severity info\n  for u in users\n  where \
         days_between(u.last_sign_in, today()) >= 0\n  report u \"{u.upn} {u.last_sign_in}\"\n}\n",
    )
    .unwrap();
    let out = common::dexlint()
        .args([
            "lint",
            "--no-builtin",
            "--format",
            "json",
            "--today",
            "2026-08-05",
        ])
        .arg("--policies")
        .arg(policies.path())
        .arg(fixture("graph-sign-in-dates"))
        .output()
        .unwrap();
    let report: Json = serde_json::from_slice(&out.stdout).unwrap();
    // RFC 3339's space for `T` is the same instant.
    assert_eq!(
        messages(&report, "D001"),
        [
            "u1@contoso.com 2026-08-04T23:30:00Z",
            "u7@contoso.com 2026-08-04T23:30:00Z"
        ]
    );
    let skipped = common::not_evaluated(&report, "D001");
    assert_eq!(
        skipped,
        [(
            "users/bbbbbbbb-0000-4000-8000-000000000004".to_string(),
            "the export gives `lastSignInDateTime` of user `u4@contoso.com` \
             (`bbbbbbbb-0000-4000-8000-000000000004`) as `8/4/2026 11:30:00 PM`, which is not a \
             date dexlint reads (ISO 8601, such as `2026-08-04T23:30:00Z`, or `/Date(ms)/`): \
             the date is unknown"
                .to_string()
        )],
        "{report:#}"
    );
    let warnings: Vec<_> = errors(&report)
        .into_iter()
        .filter(|(level, ..)| level == "warning")
        .collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(
        (warnings[0].1.as_str(), warnings[0].2),
        ("graph/users.json", 23)
    );
    assert!(
        warnings[0]
            .3
            .starts_with("`8/4/2026 11:30:00 PM` is not a date dexlint reads"),
        "{warnings:?}"
    );
}

#[test]
fn a_groups_owners_and_parents_are_not_read_as_its_members() {
    const GID: &str = "b320b3f0-6a2d-4a47-9c5e-3e0f1f6f8a21";
    let folder = format!("graph/groups/{GID}");
    let noted = |report: &Json| {
        errors(report)
            .into_iter()
            .filter(|e| e.3.contains("not the group's members, so it was not read"))
            .map(|e| (e.0, e.1))
            .collect::<Vec<_>>()
    };
    let (code, report) = lint("graph-group-owners-memberof");
    assert_eq!(code, 0, "{report}");
    assert_eq!(
        noted(&report),
        [
            ("note".to_string(), format!("{folder}/memberOf.json")),
            ("note".to_string(), format!("{folder}/owners.json")),
        ]
    );
    assert!(messages(&report, "DEX003").is_empty(), "{report}");
    assert!(messages(&report, "DEX006").is_empty(), "{report}");
    let l = load("graph-group-owners-memberof");
    let names: Vec<_> = list(&records(&l.model, "groups")[0], "members")
        .into_iter()
        .map(|m| text(m, "name").unwrap())
        .collect();
    assert_eq!(names, ["Adele Vance"]);
    // Without the members list, the owners (here as `Get-MgGroupOwner | ConvertTo-Json`
    // writes them) do not stand in for it: the members are not in the export.
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&fixture("graph-group-owners-memberof"), dir.path());
    std::fs::remove_file(dir.path().join(&folder).join("members.json")).unwrap();
    let owners = dir.path().join(&folder).join("owners.json");
    let doc: Json = serde_json::from_str(&std::fs::read_to_string(&owners).unwrap()).unwrap();
    let sdk: Vec<Json> = doc["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| serde_json::json!({"Id": m["id"], "DeletedDateTime": null, "AdditionalProperties": m}))
        .collect();
    std::fs::write(&owners, serde_json::to_string_pretty(&sdk).unwrap()).unwrap();
    let (_, report) = common::lint_json(dir.path());
    assert_eq!(noted(&report).len(), 2, "{report}");
    for policy in ["DEX003", "DEX006", "DEX007"] {
        let skipped = common::not_evaluated(&report, policy);
        assert!(
            skipped
                .iter()
                .any(|(e, why)| e == &format!("groups/{GID}")
                    && why.contains("are not in the export")),
            "{policy}: {skipped:?}"
        );
    }
}
