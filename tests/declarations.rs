//! The deployment declaration (docs/deployment-declaration.md): several declarations in one
//! root, repeated keys, documents that are meant as a declaration but misspell it, and modes
//! that are not valid.

#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

use crate::common::{fixture, not_evaluated, violation_messages};
use serde_json::Value as Json;
use std::path::Path;

/// `dexlint lint DIR --format json --edition EDITION`: (exit code, report).
fn lint(dir: &Path, edition: &str) -> (i32, Json) {
    let out = crate::common::dexlint()
        .args(["lint", "--format", "json", "--edition", edition])
        .arg(dir)
        .output()
        .unwrap();
    let report = serde_json::from_slice(&out.stdout).unwrap();
    (out.status.code().unwrap(), report)
}

/// The report's diagnostics as (level, file, line, message).
fn diagnostics(report: &Json) -> Vec<(String, String, Option<u64>, String)> {
    report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["level"].as_str().unwrap_or_default().to_string(),
                e["file"].as_str().unwrap_or_default().to_string(),
                e["line"].as_u64(),
                e["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// A product of the report's products table.
fn product(report: &Json, name: &str) -> Json {
    report["summary"]["tenants"][0]["products"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .cloned()
        .unwrap()
}

#[test]
fn two_declarations_that_disagree_leave_the_value_unknown_with_a_warning_at_the_second() {
    let dir = fixture("declarations-disagree");
    let (code, r) = lint(&dir, "2025-08");
    // `services.xdr` is `false` in a.json and `true` in b.json: DEX301 cannot tell.
    assert!(violation_messages(&r, "DEX301").is_empty(), "{r:#}");
    let reasons = not_evaluated(&r, "DEX301");
    assert_eq!(reasons.len(), 1, "{reasons:?}");
    assert!(
        reasons[0].1.contains("`services.xdr`")
            && reasons[0].1.contains("`false` in `a.json` line 5")
            && reasons[0].1.contains("`true` in `b.json` line 5"),
        "{reasons:?}"
    );
    // The mode of Defender for Office 365 is unknown, not the one of the later file.
    assert_eq!(product(&r, "mdo")["mode"], "unknown", "{r:#}");
    assert!(violation_messages(&r, "DEX202").is_empty());
    assert!(not_evaluated(&r, "DEX202")[0].1.contains("`products.mdo`"));
    let warnings: Vec<_> = diagnostics(&r)
        .into_iter()
        .filter(|d| d.0 == "warning")
        .collect();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert_eq!((warnings[0].1.as_str(), warnings[0].2), ("b.json", Some(5)));
    assert!(
        warnings[0].3.starts_with(
            "`services.xdr` is `true` here and `false` in `a.json` line 5: two deployment \
             declarations disagree"
        ),
        "{warnings:?}"
    );
    assert_eq!((warnings[1].1.as_str(), warnings[1].2), ("b.json", Some(9)));
    // `services.servers`, `true` in both, is read once and quietly.
    assert!(!warnings.iter().any(|w| w.3.contains("servers")));
    assert_eq!(code, 0);
}

#[test]
fn a_key_repeated_in_one_declaration_is_a_warning_and_differing_values_are_unknown() {
    let (_, r) = lint(&fixture("declaration-repeated-key"), "2026-07");
    let d = diagnostics(&r);
    assert!(
        d.iter().any(|d| d.0 == "warning"
            && d.2 == Some(6)
            && d.3
                .starts_with("`products.mdo` is given more than once in this object")),
        "{d:?}"
    );
    assert_eq!(product(&r, "mdo")["mode"], "unknown", "{r:#}");
    assert!(not_evaluated(&r, "DEX202")[0]
        .1
        .contains("`passive` in `deployment.json` line 5"));
}

/// `declaration` (a JSON text) as `deployment.json`, alone in a temporary export root.
fn declared(declaration: &str) -> (tempfile::TempDir, (i32, Json)) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("deployment.json"), declaration).unwrap();
    let report = lint(dir.path(), "2025-08");
    (dir, report)
}

/// The errors of a report as (line, message).
fn errors(report: &Json) -> Vec<(Option<u64>, String)> {
    diagnostics(report)
        .into_iter()
        .filter(|d| d.0 == "error")
        .map(|d| (d.2, d.3))
        .collect()
}

#[test]
fn a_document_meant_as_a_declaration_that_misspells_it_is_an_error_at_the_misspelling() {
    // Unknown top-level keys: an error at each, with the key meant.
    let (_, (code, r)) = declared(
        r#"{
  "kind": "dexlint.deployment/v1",
  "service": {"xdr": true},
  "Product": {"mdo": "active"}
}"#,
    );
    assert_eq!(code, 2);
    assert_eq!(
        errors(&r),
        [
            (
                Some(3),
                "unknown key `service` (expected one of $schema, kind, services, products); did \
                 you mean `services`?"
                    .to_string()
            ),
            (
                Some(4),
                "unknown key `Product` (expected one of $schema, kind, services, products); did \
                 you mean `products`?"
                    .to_string()
            )
        ]
    );
    // A misspelt kind beside the declaration's `$schema`: an error at it, and the rest read.
    let (_, (code, r)) = declared(
        r#"{
  "$schema": "https://dexlint.dev/schemas/deployment-v1.json",
  "kind": "dexlint.deployement/v1",
  "services": {"xdr": false, "servers": true}
}"#,
    );
    assert_eq!(code, 2);
    let e = errors(&r);
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0].0, Some(3));
    assert!(
        e[0].1
            .starts_with("`kind` `dexlint.deployement/v1` is not a kind dexlint reads: did you mean `dexlint.deployment/v1`?"),
        "{e:?}"
    );
    assert_eq!(violation_messages(&r, "DEX301").len(), 1, "{r:#}");
    // Another version is not read as version 1.
    let (_, (code, r)) = declared(
        r#"{
  "$schema": "https://dexlint.dev/schemas/deployment-v1.json",
  "kind": "dexlint.deployment/v2",
  "services": {"xdr": false, "servers": true}
}"#,
    );
    assert_eq!(code, 2);
    let e = errors(&r);
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0].0, Some(3));
    assert!(
        e[0].1
            .starts_with("unknown version `dexlint.deployment/v2` of the deployment declaration"),
        "{e:?}"
    );
    assert!(violation_messages(&r, "DEX301").is_empty(), "{r:#}");
    // Without `kind` and `$schema` but with the declaration's keys and nothing else: the same
    // error, and the rest read (it was a note, "not a recognised export document", and DEX301
    // not evaluated for want of a declaration).
    let (_, (code, r)) = declared(r#"{"services": {"xdr": false, "servers": true}}"#);
    assert_eq!(code, 2);
    assert_eq!(
        errors(&r),
        [(
            Some(1),
            "a deployment declaration (by its keys) without `\"kind\": \"dexlint.deployment/v1\"`, \
             which the schema requires; it is read as one"
                .to_string()
        )]
    );
    assert_eq!(violation_messages(&r, "DEX301").len(), 1, "{r:#}");
    // Another document with a `services` key is not taken for one.
    let (_, (_, r)) = declared(r#"{"services": {"xdr": true}, "tenant": "contoso"}"#);
    assert!(
        errors(&r)
            .iter()
            .all(|e| !e.1.contains("deployment declaration")),
        "{r:#}"
    );
    assert!(violation_messages(&r, "DEX301").is_empty(), "{r:#}");
}

#[test]
fn an_invalid_mode_of_a_product_only_the_declaration_shows_is_unknown_not_null() {
    let (_, (code, r)) = declared(
        r#"{
  "kind": "dexlint.deployment/v1",
  "products": {"mdiot": "not deployed"}
}"#,
    );
    assert_eq!(code, 2);
    assert_eq!(
        errors(&r),
        [(
            Some(3),
            "`products.mdiot` must be one of `active`, `passive`, `not_deployed`".to_string()
        )]
    );
    assert!(violation_messages(&r, "DEX106").is_empty(), "{r:#}");
    let reasons = not_evaluated(&r, "DEX106");
    assert!(
        reasons.iter().any(|n| n
            .1
            .starts_with("the deployment declaration's `products.mdiot` is not a valid mode")),
        "{reasons:?}"
    );
    let mdiot = product(&r, "mdiot");
    assert_eq!(mdiot["mode"], "unknown");
    assert_eq!(
        (mdiot["file"].as_str(), mdiot["line"].as_u64()),
        (Some("deployment.json"), Some(3))
    );
    assert!(!r.to_string().contains("`null`"), "{r:#}");
}
