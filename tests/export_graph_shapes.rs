//! Microsoft Graph responses beyond the plain list, as a new user saves them: delta queries
//! (`/users/delta`, `/groups/delta`) with their removals.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common::{self, dexlint, fixture, lint_json, records, text};

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
