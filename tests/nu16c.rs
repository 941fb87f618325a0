//! Inputs where loading a list by element (formats/streamed.rs, split.rs `by_element`) gives
//! another model than the whole parse. Each test states what the whole parse (the loading
//! path before element-wise reading) gives.

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
