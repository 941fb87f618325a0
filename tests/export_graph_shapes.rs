//! Microsoft Graph responses beyond the plain list, as a new user saves them: delta queries
//! (`/users/delta`, `/groups/delta`) with their removals and `members@delta`, members cast to
//! one kind, Entra Agent ID members, lists cut short of their `@odata.count`, JSON batch
//! responses.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common::{self, dexlint, fixture, lint_json, not_evaluated, records, text};

use dexlint::export::{self, DiagLevel};
use serde_json::Value;
use std::path::Path;

/// `dexlint scope DIR --format json`.
fn scope_json(dir: &Path) -> Value {
    let out = dexlint()
        .args(["scope", "--format", "json"])
        .arg(dir)
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The ids of the records of `collection`.
fn ids(l: &export::Load, collection: &str) -> Vec<String> {
    records(&l.model, collection)
        .iter()
        .map(|r| text(r, "id").unwrap_or("").to_string())
        .collect()
}

const REMOVED_USERS: [&str; 2] = [
    "86462606-fde0-4fc4-9e0c-a20eb73e54c6",
    "c08a463b-7b8a-40a4-aa31-f9bf690b9551",
];

#[test]
fn removals_in_a_delta_response_are_not_read_as_users_or_groups() {
    let l = load_delta_removed();
    assert_eq!(
        ids(&l, "users"),
        [
            "6e7b768e-07e2-4810-8459-485f84f8f204",
            "87d349ed-44d7-43e1-9a83-5f2406dee5bd",
            "9a9b9c9d-1111-4222-8333-944455556666"
        ]
    );
    assert_eq!(ids(&l, "groups"), ["b320b3f0-6a2d-4a47-9c5e-3e0f1f6f8a21"]);
    // A note at each `@removed`.
    let notes: Vec<_> = l
        .diagnostics
        .iter()
        .filter(|d| d.level == DiagLevel::Note)
        .map(|d| (d.file.as_str(), d.line, d.message.as_str()))
        .collect();
    let note = |kind: &str, list: &str, reason: &str, what: &str| {
        format!(
            "this entry of a delta query response (`{list}/delta`) is marked `@removed` \
             (reason `{reason}`): a {kind} {what}, not a {kind} of the tenant now; it was not \
             read"
        )
    };
    let restorable = "deleted (restorable from the directory's deleted items)";
    assert_eq!(
        notes,
        [
            (
                "graph/groups.json",
                Some(15),
                note("group", "groups", "changed", restorable).as_str()
            ),
            (
                "graph/users.json",
                Some(124),
                note("user", "users", "deleted", "deleted for good").as_str()
            ),
            (
                "graph/users.json",
                Some(130),
                note("user", "users", "changed", restorable).as_str()
            ),
        ]
    );
    // No rule lists a removed user, and `dexlint scope` does not place one.
    let (_, report) = lint_json(&fixture("graph-delta-removed"));
    let listed = report["not_evaluated"].to_string();
    assert!(
        REMOVED_USERS.iter().all(|id| !listed.contains(id)),
        "{report:#}"
    );
    let scope = scope_json(&fixture("graph-delta-removed"));
    let assets = scope["assets"].to_string();
    assert!(
        REMOVED_USERS.iter().all(|id| !assets.contains(id)),
        "{scope:#}"
    );
    assert!(!assets.contains(r#""name":"""#), "{scope:#}");
}

/// The fixture loaded, and its users list loaded again as a large list (read a range at a
/// time) with the removals: the same users.
fn load_delta_removed() -> export::Load {
    let l = common::load("graph-delta-removed");
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&fixture("graph-delta-removed"), dir.path());
    let path = dir.path().join("graph/users.json");
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let value = doc["value"].as_array().unwrap().clone();
    let (live, removed) = value.split_at(3);
    let mut users: Vec<Value> = (0..6_000)
        .map(|i| {
            let mut u = live[0].clone();
            u["id"] = format!("{i:08}-0000-4000-8000-000000000000").into();
            u
        })
        .collect();
    users.extend(removed.iter().cloned());
    doc["value"] = users.into();
    let json = serde_json::to_string_pretty(&doc).unwrap();
    assert!(json.len() > 2 << 20, "{}", json.len());
    std::fs::write(&path, json).unwrap();
    let large = export::load(&[dir.path().to_path_buf()], &Default::default()).unwrap();
    let read = ids(&large, "users");
    assert_eq!(read.len(), 6_000);
    assert!(read.iter().all(|id| !REMOVED_USERS.contains(&id.as_str())));
    l
}

/// The (kind, id) of the members of group `gid`.
fn members(l: &export::Load, gid: &str) -> Vec<(String, String)> {
    let group = records(&l.model, "groups")
        .iter()
        .find(|g| text(g, "id") == Some(gid))
        .unwrap();
    match common::field(group, "members").map(|f| f.value()) {
        Some(dexlint::model::ValueRef::Records(list)) => list
            .iter()
            .map(|m| {
                (
                    text(m, "kind").unwrap_or("").to_string(),
                    text(m, "id").unwrap_or("").to_string(),
                )
            })
            .collect(),
        other => panic!("members of {gid}: {other:?}"),
    }
}

const SCOPED: &str = "b320b3f0-6a2d-4a47-9c5e-3e0f1f6f8a21";

#[test]
fn a_delta_response_is_a_list_that_may_lack_records() {
    // A later round lists only the group that changed: the scoped group is not in it, which
    // does not show that it does not exist.
    let case = fixture("graph-delta-changes");
    let (_, report) = lint_json(&case);
    let reason = "`graph/groups.json` is a delta query's response (`GET /groups/delta`, its \
                  `@odata.deltaLink`), which after its first round lists only the groups that \
                  changed, and does not tell which round it is: export `GET /groups` (every \
                  page) instead";
    assert!(common::violation_messages(&report, "DEX105").is_empty());
    assert_eq!(
        not_evaluated(&report, "DEX105"),
        [(String::new(), reason.to_string())]
    );
    let scope = scope_json(&case);
    assert_eq!(
        scope["summary"]["scoped_coverage"],
        Value::Null,
        "{scope:#}"
    );
}

#[test]
fn members_at_delta_are_some_of_the_groups_members() {
    let l = common::load("graph-delta-groups");
    // The member marked `@removed` left the group.
    let user = |id: &str| ("user".to_string(), id.to_string());
    let group = |id: &str| ("group".to_string(), id.to_string());
    assert_eq!(
        members(&l, SCOPED),
        [
            user("6e7b768e-07e2-4810-8459-485f84f8f204"),
            group("e2d4c1a8-7b3f-4c55-8d2e-91f0a6b7c3d4")
        ]
    );
    let case = fixture("graph-delta-groups");
    let (_, report) = lint_json(&case);
    let messages = common::violation_messages(&report, "DEX003");
    assert_eq!(
        messages,
        [
            "scoped group `Defender_Experts_Scoped_Coverage_Users` has the nested group \
          `e2d4c1a8-7b3f-4c55-8d2e-91f0a6b7c3d4` as a member"
        ]
    );
    // What the list may leave out is not evaluated, and the reason names `members@delta`.
    let entity = format!("groups/{SCOPED}");
    let why = format!(
        "the members of group `{SCOPED}` in `graph/groups.json` are a delta query's \
         `members@delta`, which after its first round lists only the members added or removed: \
         export `GET /groups/{SCOPED}/members` (every page) to `groups/{SCOPED}/members.json`"
    );
    assert!(
        not_evaluated(&report, "DEX006").contains(&(entity.clone(), why.clone())),
        "{report:#}"
    );
    // The group has members: DEX007 judged it.
    assert!(not_evaluated(&report, "DEX007")
        .iter()
        .all(|(e, _)| *e != entity));
    // A members list exported on its own replaces them, and its gap.
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&case, dir.path());
    let folder = dir.path().join(format!("graph/groups/{SCOPED}"));
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(
        folder.join("members.json"),
        r##"{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#directoryObjects",
            "value": [{"@odata.type": "#microsoft.graph.user",
                       "id": "6e7b768e-07e2-4810-8459-485f84f8f204"}]}"##,
    )
    .unwrap();
    let (_, report) = lint_json(dir.path());
    assert!(common::violation_messages(&report, "DEX003").is_empty());
    assert!(
        !not_evaluated(&report, "DEX006").contains(&(entity, why)),
        "{report:#}"
    );
}

#[test]
fn members_cast_to_one_kind_are_that_kind_of_the_groups_members() {
    const SOC: &str = "e2d4c1a8-7b3f-4c55-8d2e-91f0a6b7c3d4";
    let l = common::load("graph-sdk-member-casts");
    // Not the tenant's users and groups: each is listed once.
    assert_eq!(ids(&l, "users").len(), 2);
    assert_eq!(ids(&l, "groups"), [SCOPED, SOC]);
    assert!(
        l.diagnostics.iter().all(|d| d.level == DiagLevel::Note),
        "{:?}",
        l.diagnostics
    );
    let kind = |k: &str, id: &str| (k.to_string(), id.to_string());
    assert_eq!(
        members(&l, SCOPED),
        [
            kind("group", SOC),
            kind("user", "6e7b768e-07e2-4810-8459-485f84f8f204"),
            kind("user", "87d349ed-44d7-43e1-9a83-5f2406dee5bd"),
        ]
    );
    assert_eq!(
        members(&l, SOC),
        [kind("user", "87d349ed-44d7-43e1-9a83-5f2406dee5bd")]
    );
    let (_, report) = lint_json(&fixture("graph-sdk-member-casts"));
    assert_eq!(
        common::violation_messages(&report, "DEX003"),
        ["scoped group `Defender_Experts_Scoped_Coverage_Users` has the nested group `SOC Tier 2 \
          Analysts` as a member"]
    );
    // The other kinds of member are not in the export: the reason names the cmdlets, not the
    // files they wrote.
    let why = not_evaluated(&report, "DEX006");
    assert_eq!(why.len(), 1, "{why:?}");
    assert_eq!(why[0].0, format!("groups/{SCOPED}"));
    assert!(why[0].1.contains("(`Get-MgGroupMemberAs"), "{why:?}");
    assert!(why[0]
        .1
        .contains("export `GET /groups/b320b3f0-6a2d-4a47-9c5e-3e0f1f6f8a21/members`"));
}

#[test]
fn agent_id_members_are_the_kind_they_inherit_and_an_unknown_kind_is_not_judged() {
    const AGENT: &str = "5d3b1c2a-9e8f-4a7b-8c6d-1e2f3a4b5c6d";
    let case = fixture("graph-members-agent-id");
    let l = export::load(std::slice::from_ref(&case), &Default::default()).unwrap();
    assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
    let kind = |k: &str, id: &str| (k.to_string(), id.to_string());
    assert_eq!(
        members(&l, SCOPED),
        [
            kind("user", "6e7b768e-07e2-4810-8459-485f84f8f204"),
            kind("servicePrincipal", AGENT),
            kind("user", "7e3b1c2a-9e8f-4a7b-8c6d-1e2f3a4b5c6d"),
        ]
    );
    let (code, report) = lint_json(&case);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(
        common::violation_messages(&report, "DEX006"),
        [
            "group `Defender_Experts_Scoped_Coverage_Users` has the servicePrincipal `Contoso HR \
          Agent` as a member: only users are scoped through it"
        ]
    );
    // A type Graph may add: a warning, and its group is not judged on the kinds of members.
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&case, dir.path());
    let path = dir
        .path()
        .join(format!("graph/groups/{SCOPED}/members.json"));
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace(
            "microsoft.graph.agentIdentity",
            "microsoft.graph.exampleNewType",
        ),
    )
    .unwrap();
    let (code, report) = lint_json(dir.path());
    assert_eq!(code, 0, "{report:#}");
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{report:#}");
    assert_eq!(errors[0]["level"], "warning");
    assert_eq!(errors[0]["line"], 11);
    assert!(common::violation_messages(&report, "DEX006").is_empty());
    let why = format!(
        "member `{AGENT}` in `graph/groups/{SCOPED}/members.json` has the `@odata.type` \
         `#microsoft.graph.exampleNewType`, which is no kind of group member dexlint knows \
         (user, group, device, service principal, contact, application): whether it is a user \
         or a group is unknown"
    );
    for policy in ["DEX003", "DEX006"] {
        assert_eq!(
            not_evaluated(&report, policy),
            [(format!("groups/{SCOPED}"), why.clone())],
            "{policy}"
        );
    }
}

/// `(level, file, line, message)` of the load diagnostics of `l`.
fn diagnostics(l: &export::Load) -> Vec<(DiagLevel, String, Option<usize>, String)> {
    l.diagnostics
        .iter()
        .map(|d| (d.level, d.file.clone(), d.line, d.message.clone()))
        .collect()
}

#[test]
fn a_list_holding_fewer_items_than_its_odata_count_is_a_list_missing_some() {
    let case = fixture("graph-count-cut");
    let l = common::load("graph-count-cut");
    let cut = |what: &str, count: u64, held: u64| {
        format!(
            "`@odata.count` is {count}, but {what} holds {held} and none of its pages links to \
             more (`@odata.nextLink`): it looks cut short (a page saved in place of another, \
             items taken out of `value`); export it again with every page (docs/exporting.md)"
        )
    };
    let members = format!("the members list of group `{SCOPED}`");
    assert_eq!(
        diagnostics(&l),
        [
            (
                DiagLevel::Warning,
                format!("graph/groups/{SCOPED}/members.json"),
                Some(3),
                cut(&members, 3, 2)
            ),
            (
                DiagLevel::Warning,
                "graph/users.json".to_string(),
                Some(83),
                cut("the users list", 250, 2)
            ),
        ]
    );
    let (_, report) = lint_json(&case);
    assert_eq!(
        not_evaluated(&report, "DEX006"),
        [(
            format!("groups/{SCOPED}"),
            format!(
                "{members} in `graph/groups/{SCOPED}/members.json` gives `@odata.count` 3 but \
                 holds 2"
            )
        )]
    );
    let users = "the users list in `graph/users.json` gives `@odata.count` 250 but holds 2";
    assert!(
        not_evaluated(&report, "DEX102").contains(&(String::new(), users.to_string())),
        "{report:#}"
    );

    // The count on the first page of a list whose pages are all saved: no warning.
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&case, dir.path());
    let path = dir.path().join("graph/users.json");
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let all = doc["value"].as_array().unwrap().clone();
    let mut second = doc.clone();
    doc["@odata.count"] = 2.into();
    doc["@odata.nextLink"] =
        "https://graph.microsoft.com/v1.0/users?$skiptoken=X'4453707402'".into();
    doc["value"] = vec![all[0].clone()].into();
    second.as_object_mut().unwrap().remove("@odata.count");
    second["value"] = vec![all[1].clone()].into();
    std::fs::write(&path, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    std::fs::write(
        dir.path().join("graph/users-2.json"),
        serde_json::to_string_pretty(&second).unwrap(),
    )
    .unwrap();
    std::fs::remove_dir_all(dir.path().join("graph/groups")).unwrap();
    let l = export::load(&[dir.path().to_path_buf()], &Default::default()).unwrap();
    assert_eq!(diagnostics(&l), []);

    // A large list, read a range at a time: its count is checked too.
    std::fs::remove_file(dir.path().join("graph/users-2.json")).unwrap();
    doc.as_object_mut().unwrap().remove("@odata.nextLink");
    doc["value"] = (0..6_000)
        .map(|i| {
            let mut u = all[0].clone();
            u["id"] = format!("{i:08}-0000-4000-8000-000000000000").into();
            u
        })
        .collect();
    for (count, warned) in [(6_000, false), (6_001, true)] {
        doc["@odata.count"] = count.into();
        let json = serde_json::to_string_pretty(&doc).unwrap();
        assert!(json.len() > 2 << 20);
        let line = json.lines().position(|l| l.contains("\"@odata.count\""));
        std::fs::write(&path, json).unwrap();
        let l = export::load(&[dir.path().to_path_buf()], &Default::default()).unwrap();
        let found = diagnostics(&l);
        assert_eq!(found.len(), usize::from(warned), "{found:?}");
        if warned {
            assert_eq!(found[0].2, line.map(|l| l + 1), "{found:?}");
            assert_eq!(found[0].3, cut("the users list", 6_001, 6_000));
        }
    }
}

#[test]
fn a_json_batch_response_is_an_error_that_names_it() {
    let case = fixture("graph-batch-response");
    let l = common::load("graph-batch-response");
    let batch = "this is a Microsoft Graph JSON batch response (`POST /$batch`: `responses`, each \
                 with its request's `id`, `status` and `body`), which dexlint does not read: the \
                 requests are not in it, so a body does not say what it lists; save each \
                 request's response (its `body`) to its own file, as docs/exporting.md writes \
                 them (a group's members at `groups/<group id>/members.json`), every page";
    assert_eq!(
        diagnostics(&l),
        [
            (
                DiagLevel::Error,
                "graph/batch.json".to_string(),
                Some(1),
                batch.to_string()
            ),
            (
                DiagLevel::Error,
                format!("graph/groups/{SCOPED}/members.json"),
                Some(1),
                batch.to_string()
            ),
        ]
    );
    let (code, report) = lint_json(&case);
    assert_eq!(code, 2, "{report:#}");
    assert_eq!(
        not_evaluated(&report, "DEX006"),
        [(
            format!("groups/{SCOPED}"),
            format!(
                "the members list of group `{SCOPED}` in `graph/groups/{SCOPED}/members.json` \
                 could not be read"
            )
        )]
    );
}
