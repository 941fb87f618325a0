//! docs/model.md and `dexlint schema` are generated from the model's schema; this test fails
//! when docs/model.md is stale (`DEXLINT_BLESS=1 cargo test --test main reference` rewrites it).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common::dexlint;
use dexlint::model::schema::COLLECTIONS;

#[test]
fn model_reference_is_fresh() {
    let text = dexlint::reference::markdown();
    crate::common::assert_fresh("docs/model.md", &text, "reference");
}

#[test]
fn schema_lists_every_collection_field_and_value() {
    let out = dexlint()
        .args(["schema", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = v["collections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        COLLECTIONS.iter().map(|c| c.name).collect::<Vec<_>>()
    );
    let record = |name: &str| {
        v["records"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name)
            .unwrap_or_else(|| panic!("no record {name}"))
            .clone()
    };
    // Nested record types are listed too, with their fields' types, sources and values.
    let member = record("member");
    let kind = member["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "kind")
        .unwrap();
    assert_eq!(kind["type"], "string");
    assert!(kind["values"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x == "user"));
    let device = record("device");
    let last_seen = device["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "last_seen")
        .unwrap();
    assert_eq!(last_seen["type"], "date");
    assert_eq!(last_seen["source"], "lastSeen");
    // Which formats provide a collection.
    let users = &v["collections"][0];
    assert!(users["formats"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f == "graph"));
    // The text form names every collection and record.
    let text = dexlint().arg("schema").output().unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    for c in COLLECTIONS {
        assert!(
            text.contains(&format!("record {}:", c.record.name)),
            "{}",
            c.record.name
        );
    }
}
