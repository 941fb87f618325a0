//! Product deployment states derived from the export (`export::products`): licences, Defender
//! for Endpoint from machines and antivirus health, Entra ID P2, the declaration's overrides,
//! and what DEX201-DEX203 and DEX206 make of them.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common::{copy_dir, manifest, records, text};
use dexlint::model::Value;
use serde_json::{json, Value as Json};
use std::path::{Path, PathBuf};

/// A case export of the catalogue's tests (`policies/tests/<case>/export`).
fn case(case: &str) -> PathBuf {
    manifest().join("policies/tests").join(case).join("export")
}

/// `case`'s export copied to a temporary directory, for changes.
fn copy(from: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&case(from), dir.path());
    dir
}

fn read(path: &Path) -> Json {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn write(path: &Path, v: &Json) {
    std::fs::write(path, serde_json::to_string_pretty(v).unwrap()).unwrap();
}

fn load(dir: &Path) -> dexlint::export::Load {
    dexlint::export::load(&[dir.to_path_buf()], &Default::default()).unwrap()
}

/// A product's `(name, mode, observed, licensed)`; `mode` None when unknown.
type State = (String, Option<String>, Option<String>, Option<bool>);

/// The state of every product.
fn states(dir: &Path) -> Vec<State> {
    let l = load(dir);
    records(&l.model, "products")
        .iter()
        .map(|p| {
            (
                text(p, "name").unwrap().to_string(),
                text(p, "mode").map(str::to_string),
                text(p, "observed").map(str::to_string),
                match p.get("licensed").map(|f| f.value()) {
                    Some(dexlint::model::ValueRef::Bool(b)) => Some(b),
                    _ => None,
                },
            )
        })
        .collect()
}

fn state(dir: &Path, name: &str) -> (Option<String>, Option<String>, Option<bool>) {
    let (_, m, o, l) = states(dir).into_iter().find(|s| s.0 == name).unwrap();
    (m, o, l)
}

/// `dexlint lint DIR --format json` under `edition`.
fn lint(dir: &Path, edition: &str) -> Json {
    let out = crate::common::dexlint()
        .args(["lint", "--format", "json", "--edition", edition])
        .arg(dir)
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

use crate::common::violation_messages as fired;

fn not_evaluated(report: &Json, policy: &str) -> Vec<(Option<String>, String)> {
    report["not_evaluated"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["policy"] == policy)
        .map(|n| {
            (
                n["entity"].as_str().map(str::to_string),
                n["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn s(v: &str) -> Option<String> {
    Some(v.to_string())
}

#[test]
fn every_device_passive_and_only_endpoint_licensed_fires_dex201_and_dex202() {
    let dir = case("DEX201/fires-derived-passive");
    assert_eq!(
        states(&dir),
        [
            ("mde".into(), s("passive"), s("passive"), Some(true)),
            (
                "mdo".into(),
                s("not_deployed"),
                s("not_deployed"),
                Some(false)
            ),
            (
                "mdi".into(),
                s("not_deployed"),
                s("not_deployed"),
                Some(false)
            ),
            (
                "mdca".into(),
                s("not_deployed"),
                s("not_deployed"),
                Some(false)
            ),
            (
                "entra_p2".into(),
                s("not_deployed"),
                s("not_deployed"),
                Some(false)
            ),
        ]
    );
    for edition in ["2025-08", "2026-07"] {
        let r = lint(&dir, edition);
        assert_eq!(fired(&r, "DEX201").len(), 1, "{edition}");
        assert_eq!(fired(&r, "DEX202").len(), 1, "{edition}");
        assert!(fired(&r, "DEX202")[0]
            .starts_with("Defender for Endpoint (`mde`) is deployed in passive mode"));
        assert!(not_evaluated(&r, "DEX201").is_empty());
        // The product states, with the value each rests on.
        let mde = &r["summary"]["tenants"][0]["products"][0];
        assert_eq!(mde["mode"], "passive");
        assert_eq!(mde["file"], "mde/deviceavinfo.json");
        assert_eq!(mde["pointer"], "/value/0/avMode");
        assert_eq!(mde["line"], 11);
    }
}

#[test]
fn a_licensed_product_without_data_leaves_dex201_not_evaluated_naming_it() {
    let r = lint(&case("DEX201/not-evaluated-office-unknown"), "2026-07");
    assert_eq!(fired(&r, "DEX202").len(), 1);
    assert!(fired(&r, "DEX201").is_empty());
    let reasons = not_evaluated(&r, "DEX201");
    assert_eq!(reasons.len(), 1, "{reasons:?}");
    let (entity, reason) = &reasons[0];
    assert_eq!(entity, &None);
    assert!(
        reason.starts_with(
            "Defender for Office 365 P2 is licensed (`THREAT_INTELLIGENCE` in `ENTERPRISEPREMIUM`)"
        ),
        "{reason}"
    );
    assert!(reason.contains("Get-SafeLinksPolicy"), "{reason}");
    assert!(reason.contains("declare `products.mdo`"), "{reason}");
    // Only the product that could change the outcome is named.
    assert!(!reason.contains("Defender for Endpoint"), "{reason}");
    // DEX202 judges Defender for Endpoint and lists Defender for Office 365 as not evaluated.
    let skipped = not_evaluated(&r, "DEX202");
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0].0.as_deref(), Some("products/mdo"));
}

#[test]
fn one_active_device_makes_endpoint_active_whatever_office_is() {
    let dir = case("DEX201/silent-derived-active");
    assert_eq!(state(&dir, "mde").0, s("active"));
    assert_eq!(state(&dir, "mdo"), (None, None, Some(true)));
    let r = lint(&dir, "2026-07");
    for p in ["DEX201", "DEX203"] {
        assert!(fired(&r, p).is_empty(), "{p}");
        assert!(not_evaluated(&r, p).is_empty(), "{p}");
    }
    assert!(fired(&r, "DEX202").is_empty());
}

/// `DEX201/silent-derived-active` with only its Entra ID P1 subscription (`AAD_PREMIUM`).
fn entra_p1_only() -> tempfile::TempDir {
    let dir = copy("DEX201/silent-derived-active");
    let skus = dir.path().join("graph/subscribedSkus.json");
    let mut v = read(&skus);
    v["value"]
        .as_array_mut()
        .unwrap()
        .retain(|s| s["skuPartNumber"] == "AAD_PREMIUM");
    write(&skus, &v);
    dir
}

#[test]
fn an_unlicensed_product_is_not_deployed_whatever_its_devices_show() {
    // Only Entra ID P1: Defender for Endpoint is no longer licensed. Its devices still show
    // what runs (observed), but it is not deployed as an eligible product.
    let dir = entra_p1_only();
    assert_eq!(
        state(dir.path(), "mde"),
        (s("not_deployed"), s("active"), Some(false))
    );
    let r = lint(dir.path(), "2026-07");
    assert_eq!(fired(&r, "DEX201").len(), 1);
    // Defender for Servers includes Defender for Endpoint for the servers it covers.
    write(
        &dir.path().join("pricings.json"),
        &json!({"value": [{
            "id": "/subscriptions/3f2d7a61-9b0e-4c55-8a3e-2b6c1d0e9f84/providers/Microsoft.Security/pricings/VirtualMachines",
            "name": "VirtualMachines",
            "type": "Microsoft.Security/pricings",
            "properties": {"pricingTier": "Standard", "subPlan": "P2"}
        }]}),
    );
    assert_eq!(
        state(dir.path(), "mde"),
        (s("active"), s("active"), Some(true))
    );
}

#[test]
fn defender_for_servers_of_unknown_tier_leaves_endpoint_licence_unknown() {
    let dir = entra_p1_only();
    std::fs::remove_dir_all(dir.path().join("mde")).unwrap();
    assert_eq!(fired(&lint(dir.path(), "2025-08"), "DEX201").len(), 1);
    // A subscription known from its endpoint protection setting, without its pricing: it may
    // have Defender for Servers, which licenses Defender for Endpoint.
    let sub = "/subscriptions/7d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6";
    std::fs::create_dir(dir.path().join("azure")).unwrap();
    write(
        &dir.path().join("azure/settings.json"),
        &json!({"value": [{
            "id": format!("{sub}/providers/Microsoft.Security/settings/WDATP"),
            "name": "WDATP", "type": "Microsoft.Security/settings", "kind": "DataExportSettings",
            "properties": {"enabled": true}
        }]}),
    );
    assert_eq!(state(dir.path(), "mde"), (None, None, None));
    let r = lint(dir.path(), "2025-08");
    assert!(fired(&r, "DEX201").is_empty());
    let reasons = not_evaluated(&r, "DEX201");
    assert_eq!(reasons.len(), 1, "{reasons:?}");
    assert!(
        reasons[0].1.starts_with(
            "whether Defender for Endpoint is licensed is unknown (the Defender for Servers tier \
             of `7d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6` is unknown)"
        ),
        "{reasons:?}"
    );
    // Its pricing, `Free`, decides: Defender for Endpoint is not licensed.
    let pricing = |tier: &str| {
        json!({"value": [{
            "id": format!("{sub}/providers/Microsoft.Security/pricings/VirtualMachines"),
            "name": "VirtualMachines", "type": "Microsoft.Security/pricings",
            "properties": {"pricingTier": tier}
        }]})
    };
    write(&dir.path().join("azure/pricings.json"), &pricing("Free"));
    assert_eq!(
        state(dir.path(), "mde"),
        (s("not_deployed"), s("not_deployed"), Some(false))
    );
    assert_eq!(fired(&lint(dir.path(), "2025-08"), "DEX201").len(), 1);
    // An AWS connector's Defender for Servers offering licenses it; its mode is then unknown.
    write(
        &dir.path().join("azure/connectors.json"),
        &json!({"value": [{
            "id": format!("{sub}/resourceGroups/rg/providers/Microsoft.Security/securityConnectors/aws"),
            "name": "aws", "type": "Microsoft.Security/securityConnectors",
            "properties": {
                "hierarchyIdentifier": "123456789012", "environmentName": "AWS",
                "offerings": [{"offeringType": "DefenderForServersAws", "subPlan": "P1",
                               "mdeAutoProvisioning": {"enabled": true}}]
            }
        }]}),
    );
    assert_eq!(state(dir.path(), "mde"), (None, None, Some(true)));
    let r = lint(dir.path(), "2025-08");
    assert!(fired(&r, "DEX201").is_empty());
    let reasons = not_evaluated(&r, "DEX201");
    assert!(
        reasons[0].1.starts_with(
            "Defender for Endpoint is licensed (Defender for Servers on `123456789012`)"
        ),
        "{reasons:?}"
    );
}

#[test]
fn entra_id_p2_is_active_when_its_licences_are_assigned() {
    let dir = copy("DEX201/fires-derived-passive");
    let skus = dir.path().join("graph/subscribedSkus.json");
    let mut v = read(&skus);
    let p2 = json!({
        "capabilityStatus": "Enabled", "consumedUnits": 0,
        "skuId": "84a661c4-e949-4bd2-a560-ed7766fcaf2b", "skuPartNumber": "AAD_PREMIUM_P2",
        "appliesTo": "User",
        "prepaidUnits": {"enabled": 50, "suspended": 0, "warning": 0, "lockedOut": 0},
        "servicePlans": [{"servicePlanId": "eec0eb4f-6444-4f95-aba0-50c24d67f998",
                          "servicePlanName": "AAD_PREMIUM_P2", "provisioningStatus": "Success",
                          "appliesTo": "User"}]
    });
    v["value"].as_array_mut().unwrap().push(p2);
    write(&skus, &v);
    assert_eq!(
        state(dir.path(), "entra_p2"),
        (s("not_deployed"), s("not_deployed"), Some(true))
    );
    v["value"][2]["consumedUnits"] = json!(12);
    write(&skus, &v);
    assert_eq!(
        state(dir.path(), "entra_p2"),
        (s("active"), s("active"), Some(true))
    );
    // Eligible in 2026-07 only: DEX201 holds there and still fires under 2025-08.
    assert!(fired(&lint(dir.path(), "2026-07"), "DEX201").is_empty());
    assert_eq!(fired(&lint(dir.path(), "2025-08"), "DEX201").len(), 1);
}

#[test]
fn the_declaration_overrides_and_a_contradiction_is_dex206_at_the_declared_value() {
    let r = lint(&case("DEX206/fires"), "2026-07");
    let v = r["violations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["policy"] == "DEX206")
        .unwrap();
    assert_eq!(v["file"], "dexlint-deployment.json");
    assert_eq!(v["pointer"], "/products/mde");
    // It points at both places: the declared value, and the export's evidence.
    assert_eq!(v["related"][0]["file"], "mde/deviceavinfo.json");
    assert_eq!(v["related"][0]["pointer"], "/value/0/avMode");
    assert_eq!(v["related"][0]["line"], 11);
    let m = v["message"].as_str().unwrap();
    assert!(
        m.contains("is `active`, but the export shows `passive`"),
        "{m}"
    );
    assert!(
        m.contains("`mde/machines.json`") && m.contains("`mde/deviceavinfo.json`"),
        "{m}"
    );
    // The declaration decides DEX201 (declared active), the contradiction is reported instead.
    assert!(fired(&r, "DEX201").is_empty());
    let products = &r["summary"]["tenants"][0]["products"];
    assert_eq!(products[0]["declared"], "active");
    assert_eq!(products[0]["observed"], "passive");
    assert_eq!(products[0]["mode"], "active");
    // An unlicensed product declared active contradicts the licences.
    let dir = copy("DEX206/fires");
    let decl = dir.path().join("dexlint-deployment.json");
    let mut d = read(&decl);
    d["products"] = json!({"mde": "passive", "mdca": "active"});
    write(&decl, &d);
    let r = lint(dir.path(), "2026-07");
    let m = fired(&r, "DEX206");
    assert_eq!(m.len(), 1, "{m:?}");
    assert!(
        m[0].contains("(`mdca`) is `active`, but the export shows `not_deployed`: not licensed"),
        "{}",
        m[0]
    );
    // And it does not count as active: no licensed product is.
    assert_eq!(fired(&r, "DEX201").len(), 1);
    let mdca = &r["summary"]["tenants"][0]["products"][3];
    assert_eq!(mdca["mode"], "not_deployed");
    // Its row points at the declaration it overrides.
    assert_eq!(
        (&mdca["file"], &mdca["pointer"]),
        (&json!("dexlint-deployment.json"), &json!("/products/mdca"))
    );
}

#[test]
fn devices_without_antivirus_data_or_an_incomplete_list_are_not_judged() {
    let r = lint(&case("DEX201/not-evaluated-av-unknown"), "2026-07");
    let reasons = not_evaluated(&r, "DEX201");
    assert_eq!(reasons.len(), 1);
    assert!(
        reasons[0].1.starts_with("the antivirus mode of the 3 onboarded devices in `mde/machines.json` is not in the export"),
        "{reasons:?}"
    );
    assert!(reasons[0].1.contains("/api/deviceavinfo"), "{reasons:?}");
    // A declaration the export's data cannot be checked against is not judged by DEX206.
    let dir = copy("DEX201/not-evaluated-av-unknown");
    write(
        &dir.path().join("deployment.json"),
        &json!({"kind": "dexlint.deployment/v1", "products": {"mde": "active"}}),
    );
    let r = lint(dir.path(), "2026-07");
    assert!(fired(&r, "DEX206").is_empty());
    let reasons = not_evaluated(&r, "DEX206");
    assert_eq!(reasons.len(), 1, "{reasons:?}");
    assert_eq!(reasons[0].0.as_deref(), Some("products/mde"));
    assert!(
        reasons[0].1.starts_with(
            "a declared mode of Defender for Endpoint cannot be checked against the export: the \
             antivirus mode of the 3 onboarded devices"
        ),
        "{reasons:?}"
    );
    // A machine list with further pages not exported and no active device: unknown.
    let l = dexlint::export::load(
        &[crate::common::fixture("mde-paged-incomplete")],
        &Default::default(),
    )
    .unwrap();
    let mde = &records(&l.model, "products")[0];
    assert_eq!(mde.get("mode").unwrap().value(), Value::Unknown);
    let gap = &l.model.collection("products").unwrap().gaps[0];
    assert_eq!(gap.entity.as_deref(), Some("mde"));
    assert!(gap.reason.contains("further pages"), "{}", gap.reason);
}

#[test]
fn an_export_that_shows_no_product_has_no_products() {
    let l = crate::common::load("graph-groups-select");
    assert!(!l.model.collection("products").unwrap().present);
    let r = lint(&crate::common::fixture("graph-groups-select"), "2026-07");
    let reasons = not_evaluated(&r, "DEX201");
    assert!(
        reasons[0].1.starts_with(
            "no Defender products and their deployment mode in the export (provide subscribed SKUs"
        ),
        "{reasons:?}"
    );
}

#[test]
fn machine_and_antivirus_lists_saved_without_their_envelope_are_read() {
    let dir = crate::common::fixture("mde-bare-arrays");
    let l = load(&dir);
    assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
    assert_eq!(records(&l.model, "devices").len(), 4);
    assert_eq!(state(&dir, "mde").0, s("passive"));
}

#[test]
fn a_declared_mode_that_is_not_one_declares_nothing() {
    // Defender for Office 365 licensed, its mode shown by no export: DEX201 is not evaluated. A
    // declaration whose `mdo` is null or not a mode is an error, and leaves it so (it made the
    // product's mode unknown without the reason, and DEX201 fired).
    for mdo in [json!(null), json!("enabled")] {
        let dir = copy("DEX201/not-evaluated-office-unknown");
        write(
            &dir.path().join("deployment.json"),
            &json!({"$schema": "https://dexlint.dev/schemas/deployment-v1.json",
                    "kind": "dexlint.deployment/v1", "products": {"mdo": mdo}}),
        );
        let r = lint(dir.path(), "2025-08");
        assert!(fired(&r, "DEX201").is_empty(), "{mdo}: {r:#}");
        assert!(
            r["not_evaluated"]
                .as_array()
                .unwrap()
                .iter()
                .any(|n| n["policy"] == "DEX201"
                    && n["reason"]
                        .as_str()
                        .unwrap()
                        .contains("Defender for Office 365")),
            "{mdo}: {r:#}"
        );
    }
}

#[test]
fn an_inactive_machine_does_not_show_defender_for_endpoint_active() {
    // The example's one machine in active mode stops reporting (`healthStatus` `Inactive`: no
    // signal for 7 days): its mode is what it was, and the other, passive, decides.
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&manifest().join("examples/contoso"), dir.path());
    let machines = dir.path().join("mde/machines.json");
    let mut m = read(&machines);
    m["value"][1]["healthStatus"] = json!("Inactive");
    write(&machines, &m);
    let mde = |dir: &Path| {
        records(&load(dir).model, "products")
            .iter()
            .find(|p| text(p, "name") == Some("mde"))
            .map(|p| {
                (
                    text(p, "observed").unwrap().to_string(),
                    text(p, "observed_evidence").unwrap().to_string(),
                )
            })
            .unwrap()
    };
    assert_eq!(mde(dir.path()).0, "passive");
    // Both stopped reporting: neither active nor passive is shown.
    m["value"][0]["healthStatus"] = json!("Inactive");
    write(&machines, &m);
    let observed = records(&load(dir.path()).model, "products")
        .iter()
        .find(|p| text(p, "name") == Some("mde"))
        .map(|p| text(p, "observed").map(str::to_string))
        .unwrap();
    assert_eq!(observed, None);
    // No machine onboarded: the evidence is the machine list, whatever file came first.
    for d in m["value"].as_array_mut().unwrap() {
        d["onboardingStatus"] = json!("CanBeOnboarded");
    }
    write(&machines, &m);
    let (mode, why) = mde(dir.path());
    assert_eq!(mode, "not_deployed");
    assert!(why.contains("`mde/machines.json`"), "{why}");
}

#[test]
fn formats_without_related_locations_name_the_evidence_in_the_text() {
    // DEX206 points at the declared value, its evidence at the export's antivirus row: the
    // formats that have one text per violation say where that is.
    for format in ["github", "azure", "markdown", "junit"] {
        let out = crate::common::dexlint()
            .args(["lint", "--format", format, "--edition", "2026-07"])
            .arg(case("DEX206/fires"))
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.contains("evidence at ") && text.contains("mde/deviceavinfo.json:11:"),
            "{format}: {text}"
        );
    }
}

#[test]
fn a_lesser_edition_that_runs_is_observed_active_and_named_but_not_eligible() {
    // Business Premium: Defender for Business (`MDE_SMB`) and Defender for Office 365 Plan 1
    // (`ATP_ENTERPRISE`) run in active mode; no eligible plan is held.
    let dir = crate::common::fixture("business-premium");
    let r = lint(&dir, "2026-07");
    let products = r["summary"]["tenants"][0]["products"].as_array().unwrap();
    for (name, held, eligible) in [
        ("mde", "`MDE_SMB` in `SPB`", "`WINDEFATP`"),
        ("mdo", "`ATP_ENTERPRISE` in `SPB`", "`THREAT_INTELLIGENCE`"),
    ] {
        let p = products.iter().find(|p| p["name"] == name).unwrap();
        assert_eq!(
            (&p["observed"], &p["mode"], &p["licensed"]),
            (&json!("active"), &json!("not_deployed"), &json!(false)),
            "{p:#}"
        );
        let evidence = p["evidence"].as_str().unwrap();
        assert!(
            evidence.contains(&format!(
                "but it is not licensed as an eligible product: the tenant holds {held}, a \
                 lesser edition, and no enabled subscription or user carries {eligible}"
            )),
            "{evidence}"
        );
    }
    assert_eq!(fired(&r, "DEX104").len(), 1);
    assert_eq!(fired(&r, "DEX201").len(), 1);
    assert_eq!(
        fired(&r, "DEX203"),
        ["neither Defender for Endpoint nor Defender for Office 365 P2 is in active mode with an \
          eligible licence: no direct action on AiTM attacks"]
    );
}
