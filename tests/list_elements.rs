//! A list read element by element (src/export/formats/streamed.rs, src/export/split.rs
//! `by_element`) must be the list the format reads, read by the format that reads the whole
//! document: a repeated `value` key (the last counts), a longer array beside `value`, a format
//! that recognises a document by its first element. Each test states what the whole parse
//! gives, in memory and, for large files, from disk.

#![allow(clippy::unwrap_used)]

use dexlint::export::{load_document, load_document_whole, load_documents};

const USERS: &str = "https://graph.microsoft.com/v1.0/$metadata#users";

fn count(load: &dexlint::export::Load, collection: &str) -> usize {
    load.model
        .collection(collection)
        .map_or(0, |c| c.records.len())
}

fn same(rel: &str, text: &str) -> (dexlint::export::Load, dexlint::export::Load) {
    let parts = load_document(rel, text.as_bytes());
    let whole = load_document_whole(rel, text.as_bytes());
    (parts, whole)
}

/// A repeated `value` key: the format reads the last one (`At::get`), the element reader the
/// longest.
#[test]
fn repeated_value_key_reads_the_last_list() {
    let text = format!(r#"{{"@odata.context":"{USERS}","value":[{{"id":"u-1"}}],"value":[]}}"#);
    let (parts, whole) = same("graph/users.json", &text);
    assert_eq!(count(&whole, "users"), 0);
    assert_eq!(count(&parts, "users"), 0);
    assert_eq!(parts.model, whole.model);
}

#[test]
fn repeated_value_key_in_machines_reads_the_last_list() {
    let text = r#"{"@odata.context":"https://api.securitycenter.microsoft.com/api/$metadata#Machines","value":[{"id":"m1","computerDnsName":"a"}],"value":[]}"#;
    let (parts, whole) = same("mde/machines.json", text);
    assert_eq!(count(&whole, "devices"), 0);
    assert_eq!(count(&parts, "devices"), 0);
    assert_eq!(parts.model, whole.model);
}

/// The format is chosen on the document without its elements: deviceavinfo rows without
/// `@odata.context` at a members path are Defender for Endpoint rows in the whole document,
/// group members in the head.
#[test]
fn the_format_is_chosen_with_the_elements() {
    let text = r#"{"value":[{"avMode":"0","machineId":"m1","id":"u-1"}]}"#;
    let rel = "graph/groups/g1/members.json";
    let parts = load_documents(&[(rel, text.as_bytes())], true);
    let whole = load_documents(&[(rel, text.as_bytes())], false);
    assert_eq!(count(&whole, "devices"), 1);
    assert_eq!(count(&parts, "devices"), 1);
    assert_eq!(parts.model, whole.model);
}

/// A large document whose longest array is not `value`: its elements are read as users.
#[test]
fn a_longer_array_beside_value_is_not_read_as_the_list() {
    let others: Vec<String> = (0..12_000)
        .map(|i| {
            format!(
                r#"{{"id":"o-{i}","userPrincipalName":"o{i}@contoso.com","pad":"{}"}}"#,
                "x".repeat(200)
            )
        })
        .collect();
    let text = format!(
        r#"{{"@odata.context":"{USERS}","value":[{{"id":"u-1"}}],"other":[{}]}}"#,
        others.join(",\n")
    );
    assert!(text.len() > 2 << 20);
    let (parts, whole) = same("graph/users.json", &text);
    assert_eq!(count(&whole, "users"), 1);
    assert_eq!(count(&parts, "users"), 1);
    assert_eq!(parts.diagnostics, whole.diagnostics);
    assert_eq!(parts.model, whole.model);
}

/// A large file on disk (read a window at a time) and the same text parsed whole: the same
/// model and diagnostics.
fn disk_is_whole(rel: &str, text: &str) -> dexlint::export::Load {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    let disk = dexlint::export::load(
        &[dir.path().to_path_buf()],
        &dexlint::export::LoadOptions::default(),
    )
    .unwrap();
    let whole = load_document_whole(rel, text.as_bytes());
    assert_eq!(disk.model.collections, whole.model.collections, "{rel}");
    assert_eq!(disk.diagnostics, whole.diagnostics, "{rel}");
    disk
}

#[test]
fn large_files_read_from_disk_read_the_list_the_format_reads() {
    let users: Vec<String> = (0..20_000)
        .map(|i| format!(r#"{{"id":"u-{i}","userPrincipalName":"user{i}@contoso.com","displayName":"User {i} with a name long enough","accountEnabled":true,"userType":"Member","assignedPlans":[]}}"#))
        .collect();
    let many = users.join(",\n");
    assert!(many.len() > 2 << 20);
    // A repeated `value`: the last one is the list.
    let text = format!(
        "{{\"@odata.context\":\"{USERS}\",\"value\":[{many}],\"value\":[{}]}}",
        users[0]
    );
    assert_eq!(count(&disk_is_whole("graph/users.json", &text), "users"), 1);
    // A longer array beside `value` is not the list.
    let text = format!(
        "{{\"@odata.context\":\"{USERS}\",\"value\":[{}],\"other\":[{many}]}}",
        users[0]
    );
    assert_eq!(count(&disk_is_whole("graph/users.json", &text), "users"), 1);
    // The format is chosen with the first element: antivirus rows under a members path.
    let rows: Vec<String> = (0..60_000)
        .map(|i| format!(r#"{{"avMode":"0","machineId":"m{i}","id":"u-{i}"}}"#))
        .collect();
    let text = format!("{{\"value\":[{}]}}", rows.join(",\n"));
    assert!(text.len() > 2 << 20);
    let rel = "graph/groups/00000000-0000-0000-0000-000000000001/members.json";
    assert_eq!(count(&disk_is_whole(rel, &text), "devices"), 60_000);
}
