//! Loading real-shaped exports: every source format, awkward encodings, positions of chosen
//! values, and broken files that are reported while the rest still loads.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common::{self, records, text};
use dexlint::export::{self, locate, DiagLevel, Load, LoadOptions};
use dexlint::model::{Loc, Record, TenantModel, Value};
use std::path::PathBuf;

fn load(case: &str) -> Load {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/exports")
        .join(case);
    export::load(&[root], &LoadOptions::default()).unwrap()
}

fn value<'r>(r: &'r Record, field: &str) -> dexlint::model::ValueRef<'r> {
    common::field(r, field).unwrap().value()
}

fn list<'r>(r: &'r Record, field: &str) -> Vec<&'r Record> {
    match value(r, field) {
        dexlint::model::ValueRef::Records(records) => records.iter().collect(),
        other => panic!("{field} is {other:?}"),
    }
}

/// (line, column, text of the value) of a record's field.
fn position(m: &TenantModel, r: &Record, field: &str) -> (usize, usize, String) {
    let loc = r.get(field).unwrap().loc().unwrap();
    let at = locate::locate_all(m, &[&loc]).remove(0).unwrap();
    let s = &at.source;
    (at.line, at.column, s.text[s.start..s.end].to_string())
}

/// The JSON pointer of a location.
fn pointer(m: &TenantModel, loc: Option<Loc>) -> String {
    locate::locate_all(m, &[&loc.unwrap()])
        .remove(0)
        .unwrap()
        .pointer
}

#[test]
fn entra_exporter_pascal_case_with_bom() {
    let l = load("entra-exporter");
    assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
    assert_eq!(l.files_read, 7);
    let m = &l.model;
    let groups = records(m, "groups");
    assert_eq!(groups.len(), 2);
    let scoped = groups
        .iter()
        .find(|g| text(g, "name") == Some("Defender_Experts_Scoped_Coverage_Users"))
        .unwrap();
    assert_eq!(value(scoped, "dynamic"), Value::Bool(true));
    assert_eq!(
        value(scoped, "security_enabled"),
        Value::Bool(true),
        "string boolean \"True\""
    );
    assert_eq!(text(scoped, "source"), Some("entra-exporter"));
    let kinds: Vec<_> = list(scoped, "members")
        .iter()
        .map(|m| text(m, "kind").unwrap().to_string())
        .collect();
    assert_eq!(kinds, ["user", "group"]);
    let users = records(m, "users");
    assert_eq!(users.len(), 2);
    assert_eq!(
        value(&users[0], "enabled"),
        Value::Bool(false),
        "\"False\" of Pradeep"
    );
    let plans = list(&users[1], "plans");
    assert_eq!(
        text(plans[0], "name"),
        Some("AAD_PREMIUM"),
        "name from the well-known plan ids"
    );
    // Positions count characters after the BOM; pointers keep PascalCase keys.
    assert_eq!(
        position(m, scoped, "name"),
        (3, 18, "\"Defender_Experts_Scoped_Coverage_Users\"".into())
    );
    assert_eq!(
        pointer(m, scoped.get("name").unwrap().loc()),
        "/DisplayName"
    );
}

#[test]
fn utf16_le_subscribed_skus() {
    let l = load("utf16");
    assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
    let m = &l.model;
    let skus = records(m, "skus");
    assert_eq!(
        skus.iter()
            .map(|s| text(s, "part_number").unwrap())
            .collect::<Vec<_>>(),
        ["AAD_PREMIUM", "EMSPREMIUM"]
    );
    assert_eq!(value(&skus[0], "enabled_units"), Value::Int(50));
    assert_eq!(text(&skus[1], "status"), Some("Suspended"));
    assert_eq!(text(list(&skus[1], "plans")[0], "status"), Some("Disabled"));
    assert_eq!(
        position(m, &skus[1], "status"),
        (33, 27, "\"Suspended\"".into())
    );
}

#[test]
fn utf16_without_a_byte_order_mark_is_read_as_with_one() {
    // .NET's `UnicodeEncoding` made without a BOM (`New-Object System.Text.UnicodeEncoding
    // $false, $false`) writes the same bytes without `FF FE`.
    let bytes = std::fs::read(common::fixture("utf16").join("subscribedSkus.json")).unwrap();
    assert_eq!(bytes[..2], [0xFF, 0xFE]);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("subscribedSkus.json"), &bytes[2..]).unwrap();
    let l = export::load(&[dir.path().to_path_buf()], &LoadOptions::default()).unwrap();
    assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
    let skus = records(&l.model, "skus");
    assert_eq!(text(&skus[1], "status"), Some("Suspended"));
    assert_eq!(
        position(&l.model, &skus[1], "status"),
        (33, 27, "\"Suspended\"".into())
    );
}

#[test]
fn raw_graph_lists() {
    let l = load("graph");
    assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
    let m = &l.model;
    let groups = records(m, "groups");
    assert_eq!(groups.len(), 2);
    assert_eq!(
        m.collection("groups").unwrap().partial,
        None,
        "the tenant's list"
    );
    let kinds: Vec<_> = list(&groups[0], "members")
        .iter()
        .map(|r| text(r, "kind").unwrap().to_string())
        .collect();
    assert_eq!(kinds, ["user", "servicePrincipal", "orgContact"]);
    assert_eq!(
        list(&groups[1], "members").len(),
        0,
        "an empty members list is known, not absent"
    );
    let users = records(m, "users");
    assert_eq!(text(list(&users[0], "plans")[0], "name"), Some("WINDEFATP"));
    let audits = records(m, "audit_events");
    let change = list(list(&audits[0], "targets")[0], "changes")[0];
    assert_eq!(
        text(change, "old"),
        Some("Defender_Experts_Scoped_Coverage_Users"),
        "JSON-encoded values are decoded"
    );
    assert_eq!(text(change, "new"), Some("Scoped Users (Finance)"));
    assert!(
        matches!(value(&audits[0], "time"), dexlint::model::ValueRef::Date(ms) if ms == 1_790_843_400_123)
    );
    assert!(
        m.collection("skus").is_some_and(|c| !c.present),
        "no SKU data in this export"
    );
    assert_eq!(
        position(m, change, "new"),
        (19, 27, "\"\\\"Scoped Users (Finance)\\\"\"".into())
    );
}

#[test]
fn defender_for_endpoint() {
    let l = load("mde");
    assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
    let m = &l.model;
    let dgs = records(m, "device_groups");
    let ranks: Vec<_> = dgs
        .iter()
        .map(|g| (text(g, "name").unwrap(), value(g, "rank").to_value()))
        .collect();
    assert_eq!(
        ranks,
        [
            ("Servers", Value::Int(1)),
            ("Defender_Experts_Scoped_Coverage_Devices", Value::Int(2))
        ]
    );
    assert_eq!(text(&dgs[1], "id"), Some("140"), "numeric ids read as text");
    assert_eq!(value(&dgs[1], "unassigned"), Value::Bool(false));
    let devices = records(m, "devices");
    let modes: Vec<_> = devices
        .iter()
        .map(|d| (text(d, "name").unwrap(), text(d, "av_mode").unwrap()))
        .collect();
    assert_eq!(
        modes,
        [
            ("fab-lt-007.fabrikam.com", "passive_audit"),
            ("fab-srv-01.fabrikam.com", "active"),
            ("fab-lt-099.fabrikam.com", "passive"),
        ]
    );
    assert_eq!(text(&devices[0], "group_id"), Some("140"));
    // The antivirus mode points into deviceavinfo.json, the rest into machines.json.
    let (line, col, v) = position(m, &devices[0], "av_mode");
    assert_eq!((line, col, v.as_str()), (8, 17, "\"5\""));
    assert_eq!(
        m.files[devices[0]
            .get("av_mode")
            .unwrap()
            .loc()
            .as_ref()
            .unwrap()
            .file() as usize]
            .path,
        "deviceavinfo.json"
    );
}

#[test]
fn defender_for_cloud_arm() {
    let l = load("arm");
    assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
    let m = &l.model;
    let accounts = records(m, "cloud_accounts");
    let summary: Vec<_> = accounts
        .iter()
        .map(|a| {
            (
                text(a, "environment").unwrap().to_string(),
                text(a, "id").unwrap().to_string(),
                text(a, "servers_plan").map(str::to_string),
                value(a, "mde_integration").to_value(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "Azure".into(),
                "7d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6".into(),
                None,
                // Its pricings were exported, not its settings: unknown, not absent.
                Value::Unknown
            ),
            (
                "AWS".into(),
                "123456789012".into(),
                Some("P2".into()),
                Value::Bool(true)
            ),
            (
                "GCP".into(),
                "498765432109".into(),
                Some("P1".into()),
                Value::Bool(false)
            ),
            ("AWS".into(), "210987654321".into(), None, Value::Null),
            (
                "Azure".into(),
                "0c5d8a2e-6a4b-4d0e-9f1a-1b2c3d4e5f60".into(),
                Some("P1".into()),
                Value::Bool(false)
            ),
        ]
    );
    assert_eq!(text(&accounts[0], "servers_tier"), Some("Free"));
    assert_eq!(
        position(m, &accounts[4], "mde_integration"),
        (7, 16, "\"False\"".into())
    );
}

#[test]
fn terraform_plan() {
    let l = load("terraform");
    assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
    let m = &l.model;
    let groups = records(m, "groups");
    assert_eq!(groups.len(), 2, "the deleted group is not planned");
    assert_eq!(text(&groups[0], "address"), Some("azuread_group.scoped"));
    let members = list(&groups[0], "members");
    assert_eq!(members.len(), 2);
    assert_eq!(
        text(members[1], "kind"),
        Some("group"),
        "member_object_id references azuread_group.nested"
    );
    assert_eq!(
        pointer(m, members[1].loc()),
        "/resource_changes/2/change/after"
    );
    let accounts = records(m, "cloud_accounts");
    assert_eq!(text(&accounts[0], "servers_tier"), Some("Free"));
    assert_eq!(value(&accounts[0], "mde_integration"), Value::Bool(false));
    assert_eq!(
        position(m, &accounts[0], "servers_tier"),
        (89, 19, "\"Free\"".into())
    );
}

#[test]
fn deployment_declaration() {
    let l = load("declaration");
    assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
    let m = &l.model;
    let products: Vec<_> = records(m, "products")
        .iter()
        .map(|p| (text(p, "name").unwrap(), text(p, "mode"), text(p, "source")))
        .collect();
    // Declared products keep their declared mode; Entra ID P2, neither declared nor shown by
    // this export, is unknown (not a string) and comes with a gap naming what would show it.
    assert_eq!(
        products,
        [
            ("mde", Some("active"), Some("declaration")),
            ("mdo", Some("passive"), Some("declaration")),
            ("mdi", Some("not_deployed"), Some("declaration")),
            ("mdca", Some("active"), Some("declaration")),
            ("entra_p2", None, Some("export")),
            ("mdiot", Some("not_deployed"), Some("declaration")),
        ]
    );
    // A product dexlint does not derive keeps a readable title.
    assert_eq!(
        text(&records(m, "products")[5], "title"),
        Some("Defender for IoT")
    );
    let entra = &records(m, "products")[4];
    assert_eq!(value(entra, "mode"), Value::Unknown);
    let gaps = &m.collection("products").unwrap().gaps;
    assert_eq!(gaps.len(), 1);
    assert_eq!(gaps[0].entity.as_deref(), Some("entra_p2"));
    assert!(
        gaps[0].reason.contains("declare `products.entra_p2`"),
        "{}",
        gaps[0].reason
    );
    let services: Vec<_> = records(m, "services")
        .iter()
        .map(|s| (text(s, "name").unwrap(), value(s, "purchased").to_value()))
        .collect();
    assert_eq!(
        services,
        [("xdr", Value::Bool(true)), ("servers", Value::Bool(false))]
    );
}

#[test]
fn broken_files_are_reported_and_the_rest_loads() {
    let l = load("broken");
    let got: Vec<_> = l
        .diagnostics
        .iter()
        .map(|d| (d.level, d.file.as_str(), d.line, d.column))
        .collect();
    // In walk order, each positioned while its file is loaded.
    assert_eq!(
        got,
        [
            (
                DiagLevel::Error,
                "graph/groups-truncated.json",
                Some(6),
                Some(42)
            ),
            (
                DiagLevel::Error,
                "graph/subscribedSkus.json",
                Some(3),
                Some(12)
            ),
            (
                DiagLevel::Error,
                "graph/unknown-type.json",
                Some(1),
                Some(1)
            ),
            (DiagLevel::Error, "mde/export.json", Some(1), Some(11)),
            (DiagLevel::Note, "notes/settings.json", Some(1), Some(1)),
            (DiagLevel::Error, "toplevel-string.json", Some(1), Some(1)),
        ]
    );
    assert!(
        l.diagnostics[0].message.contains("EOF"),
        "{}",
        l.diagnostics[0].message
    );
    assert_eq!(
        l.diagnostics[0].snippet.as_deref(),
        Some("      \"displayName\": \"Defender_Experts_Sco")
    );
    assert!(l.diagnostics[1].message.contains("`value` to be an array"));
    assert_eq!(
        records(&l.model, "users").len(),
        1,
        "the valid file beside them is loaded"
    );
    assert_eq!(l.files_read, 7, "README.txt is not JSON and is not read");
}

#[test]
fn include_and_exclude_globs() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/exports/graph");
    let only_groups = LoadOptions {
        include: vec!["groups*".into(), "groups/**".into()],
        ..Default::default()
    };
    let l = export::load(std::slice::from_ref(&root), &only_groups).unwrap();
    assert_eq!(l.files_read, 3);
    assert!(!l.model.collection("users").unwrap().present);
    let no_audits = LoadOptions {
        exclude: vec!["directoryAudits.json".into()],
        ..Default::default()
    };
    assert_eq!(
        export::load(std::slice::from_ref(&root), &no_audits)
            .unwrap()
            .files_read,
        4
    );
    let bad = LoadOptions {
        include: vec!["[".into()],
        ..Default::default()
    };
    assert!(export::load(&[root], &bad).is_err());
}

#[test]
fn the_file_size_limit_is_configurable() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/exports/graph");
    let small = LoadOptions {
        max_file_bytes: Some(600),
        ..Default::default()
    };
    let l = export::load(&[root], &small).unwrap();
    let big: Vec<&str> = l
        .diagnostics
        .iter()
        .filter(|d| d.message.contains("larger than the 600-byte limit"))
        .map(|d| d.file.as_str())
        .collect();
    assert_eq!(
        big,
        [
            "directoryAudits.json",
            "groups/b320b3f0-6a2d-4a47-9c5e-3e0f1f6f8a21/members.json",
            "groups.json",
            "users.json"
        ]
    );
    assert_eq!(records(&l.model, "groups").len(), 0);
}

#[test]
fn several_roots_keep_their_files_apart() {
    let base = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/exports");
    let l = export::load(
        &[base.join("graph"), base.join("utf16")],
        &LoadOptions::default(),
    )
    .unwrap();
    let f = l
        .model
        .files
        .iter()
        .find(|f| f.path == "subscribedSkus.json")
        .unwrap();
    assert_eq!(f.root, 1);
    assert_eq!(records(&l.model, "skus").len(), 2);
}

#[test]
fn declarations_validate_against_their_json_schema() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("schemas/deployment-v1.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    for file in [
        "examples/contoso/deployment.json",
        "tests/fixtures/exports/declaration/dexlint-deployment.json",
        "tests/fixtures/exports/declaration-only/deployment.json",
    ] {
        let doc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join(file)).unwrap()).unwrap();
        let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{file}: {errors:?}");
    }
    let bad =
        serde_json::json!({"kind": "dexlint.deployment/v1", "products": {"mde": "sometimes"}});
    assert!(!validator.is_valid(&bad));
}

#[test]
fn declaration_mistakes_are_reported_at_their_position() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("deployment.json"),
        "{\n  \"kind\": \"dexlint.deployment/v1\",\n  \"products\": {\"mde\": \"sometimes\", \"mdx\": \"active\"}\n}\n",
    )
    .unwrap();
    let l = export::load(&[dir.path().to_path_buf()], &LoadOptions::default()).unwrap();
    let got: Vec<_> = l
        .diagnostics
        .iter()
        .map(|d| (d.line, d.column, d.message.clone()))
        .collect();
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!((got[0].0, got[0].1), (Some(3), Some(23)));
    assert!(got[1].2.contains("unknown product `mdx`"), "{got:?}");
}

#[test]
fn pages_saved_as_save_graph_list_names_them_load_in_their_order() {
    // docs/exporting.md's Save-GraphList: `machines.json`, `machines-2.json`, ...,
    // `machines-10.json`. A machine listed again on a later page (the list changed while it
    // was paged) is the later listing; the users are in their pages' order.
    let dir = tempfile::tempdir().unwrap();
    let mde = dir.path().join("mde");
    let graph = dir.path().join("graph");
    std::fs::create_dir_all(&mde).unwrap();
    std::fs::create_dir_all(&graph).unwrap();
    let next = "https://api.security.microsoft.com/api/machines?$skiptoken=";
    for page in 1..=10 {
        let file = match page {
            1 => "machines.json".to_string(),
            n => format!("machines-{n}.json"),
        };
        let link = match page {
            10 => String::new(),
            n => format!(r#", "@odata.nextLink": "{next}{n}""#),
        };
        let machines = format!(
            r#"{{"id": "m{page}", "computerDnsName": "pc{page}"}}, {{"id": "shared", "computerDnsName": "page{page}"}}"#
        );
        std::fs::write(
            mde.join(file),
            format!(
                r#"{{"@odata.context": "https://api.security.microsoft.com/api/$metadata#Machines", "value": [{machines}]{link}}}"#
            ),
        )
        .unwrap();
        let file = match page {
            1 => "users.json".to_string(),
            n => format!("users-{n}.json"),
        };
        let link = match page {
            10 => String::new(),
            n => format!(
                r#", "@odata.nextLink": "https://graph.microsoft.com/v1.0/users?$skiptoken={n}""#
            ),
        };
        std::fs::write(
            graph.join(file),
            format!(
                r#"{{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users", "value": [{{"id": "u{page}", "userPrincipalName": "u{page}@contoso.com"}}]{link}}}"#
            ),
        )
        .unwrap();
    }
    let l = export::load(&[dir.path().to_path_buf()], &LoadOptions::default()).unwrap();
    let devices = &l.model.collection("devices").unwrap().records;
    let shared = devices
        .iter()
        .find(|d| d.text("id") == Some("shared"))
        .unwrap();
    assert_eq!(shared.text("name"), Some("page10"));
    let users: Vec<&str> = l
        .model
        .collection("users")
        .unwrap()
        .records
        .iter()
        .map(|u| u.text("id").unwrap())
        .collect();
    assert_eq!(users, (1..=10).map(|n| format!("u{n}")).collect::<Vec<_>>());
    assert!(
        l.diagnostics.iter().all(|d| d.level != DiagLevel::Error),
        "{:?}",
        l.diagnostics
    );
}

#[test]
fn powershell_clixml_saved_as_json_says_what_it_is() {
    // `Get-MgUser -All | Export-Clixml graph/users.json` (a .NET object serialisation, not JSON:
    // learn.microsoft.com/powershell/module/microsoft.powershell.utility/export-clixml).
    let clixml = "<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\">\r\n  \
                  <Obj RefId=\"0\">\r\n    <TN RefId=\"0\">\r\n      \
                  <T>Microsoft.Graph.PowerShell.Models.MicrosoftGraphUser</T>\r\n    </TN>\r\n  \
                  </Obj>\r\n</Objs>";
    let l = export::load_document("graph/users.json", clixml.as_bytes());
    let errors: Vec<&str> = l.diagnostics.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].ends_with(
            "this is PowerShell CLIXML (`Export-Clixml`), not JSON; export the list with \
             `ConvertTo-Json -Depth 10` instead (docs/exporting.md)"
        ),
        "{errors:?}"
    );
}
