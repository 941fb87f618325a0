//! The elements of Graph user and member lists, Defender for Endpoint machine lists and
//! `deviceavinfo` lists are read straight from the parser's events (src/export/formats/
//! streamed.rs), with the tree as the fallback. Whatever an element holds, the model and the
//! diagnostics must be those of the whole document parsed into a tree
//! (`load_document_whole`): on every fixture, and on elements built to hold what real exports
//! hold (PascalCase, string booleans, numbers for ids, repeated keys, nulls, values cut off by
//! `ConvertTo-Json`, escapes, undocumented values) and what breaks a parser.

#![allow(clippy::unwrap_used, clippy::panic)]

use dexlint::export::{load_document, load_document_whole, load_documents};
use std::path::Path;

/// Loads `text` as the file `rel` both ways and compares the results.
fn same_as_whole(rel: &str, text: &[u8]) {
    let fast = load_document(rel, text);
    let whole = load_document_whole(rel, text);
    assert_eq!(
        fast.model,
        whole.model,
        "{rel}: {}",
        String::from_utf8_lossy(text)
    );
    assert_eq!(
        fast.diagnostics,
        whole.diagnostics,
        "{rel}: {}",
        String::from_utf8_lossy(text)
    );
    assert_eq!(fast.files_recognised, whole.files_recognised, "{rel}");
}

#[test]
fn every_fixture_export_loads_as_its_whole_parse() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/exports");
    let mut lists = 0;
    for fixture in std::fs::read_dir(&root).unwrap() {
        let dir = fixture.unwrap().path();
        // Every JSON file of the fixture, by its path below the fixture (what path-based
        // recognition sees), loaded as one export: members join their groups.
        let mut files = Vec::new();
        for entry in walkdir::WalkDir::new(&dir).sort_by_file_name() {
            let entry = entry.unwrap();
            if entry.path().extension().is_some_and(|e| e == "json") {
                let rel = entry.path().strip_prefix(&dir).unwrap();
                let rel = rel.to_string_lossy().replace('\\', "/");
                let bytes = std::fs::read(entry.path()).unwrap();
                lists += usize::from(String::from_utf8_lossy(&bytes).contains("\"value\""));
                files.push((rel, bytes));
            }
        }
        let docs: Vec<(&str, &[u8])> = files
            .iter()
            .map(|(rel, bytes)| (rel.as_str(), bytes.as_slice()))
            .collect();
        let (fast, whole) = (load_documents(&docs, true), load_documents(&docs, false));
        assert_eq!(fast.model, whole.model, "{}", dir.display());
        assert_eq!(fast.diagnostics, whole.diagnostics, "{}", dir.display());
    }
    assert!(lists > 20, "{lists} list documents among the fixtures");
}

/// A Graph list of `context` with `elements`.
fn graph_list(context: &str, elements: &[&str]) -> String {
    format!(
        "{{\"@odata.context\": \"https://graph.microsoft.com/v1.0/$metadata#{context}\",\n \"value\": [\n  {}\n ]}}",
        elements.join(",\n  ")
    )
}

const PLANS: &str = r#""assignedPlans": [{"assignedDateTime": "2026-02-11T10:02:31Z", "capabilityStatus": "Enabled", "service": "WindowsDefenderATP", "servicePlanId": "871d91ec-ec1a-452b-a83f-bd76c7d770ef"}]"#;

/// User elements: each is checked alone and all together.
fn users() -> Vec<String> {
    let plain = format!(
        r#"{{"id": "u1", "userPrincipalName": "a@contoso.com", "displayName": "A", "accountEnabled": true, "userType": "Member", "department": "Finance", "onPremisesSyncEnabled": false, "signInActivity": {{"lastSignInDateTime": "2026-01-02T03:04:05Z"}}, "assignedLicenses": [{{"skuId": "s1", "disabledPlans": ["p1", 3, null, "p2"]}}], {PLANS}, "businessPhones": [], "mail": null}}"#
    );
    let mut v = vec![
        plain.clone(),
        // The Graph PowerShell SDK's PascalCase, string booleans, numbers as ids.
        format!(
            r#"{{"Id": 42, "UserPrincipalName": "b@contoso.com", "AccountEnabled": "True", "OnPremisesSyncEnabled": "false", "UserType": "Guest", {}}}"#,
            PLANS.replace("assignedPlans", "AssignedPlans")
        ),
        // Repeated keys, in other cases: the last one counts, even when it does not convert.
        r#"{"id": "first", "ID": "second", "displayName": "x", "DisplayName": true, "accountEnabled": false, "accountEnabled": "maybe"}"#.into(),
        r#"{"id": "u3", "assignedPlans": [{"servicePlanId": "p"}], "assignedPlans": null, "assignedLicenses": [], "assignedLicenses": [{"skuId": 7}]}"#.into(),
        r#"{"id": "u4", "signInActivity": {"lastSignInDateTime": "2026-01-02T03:04:05Z"}, "signInActivity": {"lastNonInteractiveSignInDateTime": "2026-01-02T03:04:05Z"}}"#.into(),
        r#"{"id": "u5", "signInActivity": "2026-01-02", "assignedPlans": [{"assignedDateTime": "not a date", "capabilityStatus": ["Enabled"]}]}"#.into(),
        r#"{"id": "u6", "signInActivity": {"lastSignInDateTime": "/Date(1700000000000)/", "lastSignInDateTime": null}}"#.into(),
        // Escapes in keys and values, characters of several bytes.
        r#"{"\u0069d": "u7\"\\\u00e9", "displayName": "café 😀", "user\u0050rincipalName": "c@contoso.com"}"#.into(),
        // Nested values nothing reads.
        r#"{"id": "u8", "extra": {"a": [[[{"b": [1, 2.5, -3e2, true, null, "s"]}]]], "c": {}}, "x": []}"#.into(),
        // Values `ConvertTo-Json` cut off, and other wrong shapes: the tree reports them.
        r#"{"id": "u9", "assignedPlans": "System.Object[]"}"#.into(),
        r#"{"id": "u10", "assignedLicenses": ""}"#.into(),
        r#"{"id": "u11", "assignedPlans": [{"servicePlanId": "p"}, "@{service=exchange}"]}"#.into(),
        r#"{"id": "u12", "assignedPlans": 3}"#.into(),
        r#"{"id": "u13", "assignedPlans": {"servicePlanId": "p"}}"#.into(),
        r#""not an object""#.into(),
        r#"[1, 2]"#.into(),
        "null".into(),
        r#"{}"#.into(),
    ];
    // Every user but the list's last, each also alone.
    v.push(plain.replace("\"u1\"", "\"u14\""));
    v
}

#[test]
fn users_load_as_their_whole_parse() {
    let users = users();
    for u in &users {
        same_as_whole("graph/users.json", graph_list("users", &[u]).as_bytes());
    }
    let all: Vec<&str> = users.iter().map(String::as_str).collect();
    same_as_whole("graph/users.json", graph_list("users", &all).as_bytes());
    // PowerShell's `Get-MgUser | ConvertTo-Json` list, and the list after other members.
    let text = format!(
        "{{\"@odata.nextLink\": \"https://graph.microsoft.com/v1.0/users?$skiptoken=x\", \"value\": [{}], \"@odata.context\": \"https://graph.microsoft.com/v1.0/$metadata#users\"}}",
        all.join(",")
    );
    same_as_whole("graph/users.json", text.as_bytes());
    // A BOM, and UTF-16 (read whole).
    let mut bom = "\u{feff}".to_string();
    bom.push_str(&graph_list("users", &all));
    same_as_whole("graph/users.json", bom.as_bytes());
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(
            graph_list("users", &all)
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        )
        .collect();
    same_as_whole("graph/users.json", &utf16);
}

#[test]
fn what_breaks_a_parser_fails_as_in_the_whole_parse() {
    let bad = [
        r#"{"id": "u1", "x": "\q"}"#,
        r#"{"id": "u1", "x": 1e999}"#,
        r#"{"id": 1e999}"#,
        r#"{"id": "u1", "x": "tab	inside"}"#,
        r#"{"id": "u1", "x": [1, 2,]}"#,
        r#"{"id": "u1" "x": 1}"#,
        r#"{"id": "u1", "x": tru}"#,
        r#"{"id": "u1", "x": {"a": 1]}"#,
        r#"{"id": "u1", "x": 01}"#,
        r#"{"id": "u1", "assignedPlans": [{"servicePlanId": "\ud800"}]}"#,
        r#"{"id": "u1"} garbage"#,
        r#"{"id": "u1"}}"#,
    ];
    for b in bad {
        let text = graph_list("users", &[r#"{"id": "u0"}"#, b, r#"{"id": "u2"}"#]);
        same_as_whole("graph/users.json", text.as_bytes());
        assert!(
            load_document("graph/users.json", text.as_bytes())
                .diagnostics
                .iter()
                .any(|d| d.level == dexlint::export::DiagLevel::Error),
            "{b}"
        );
    }
    // Nested beyond the limit (200) and within it (120) inside a value nothing reads: an
    // error, or none, as in the whole parse.
    for depth in [200, 120] {
        let deep = format!(
            r#"{{"id": "u1", "x": {}1{}}}"#,
            "[".repeat(depth),
            "]".repeat(depth)
        );
        let text = graph_list("users", &[&deep]);
        same_as_whole("graph/users.json", text.as_bytes());
    }
}

#[test]
fn members_load_as_their_whole_parse() {
    let members = [
        r##"{"@odata.type": "#microsoft.graph.user", "id": "m1", "displayName": "A", "userPrincipalName": "a@contoso.com"}"##,
        r##"{"@odata.type": "#microsoft.graph.group", "id": "m2", "displayName": "Nested"}"##,
        r##"{"@odata.type": "#Microsoft.Graph.Device", "id": "m3"}"##,
        r##"{"@odata.type": "#microsoft.graph.organization", "id": "m4"}"##,
        r##"{"@odata.type": "#microsoft.graph.unknownThing", "id": "m5"}"##,
        r##"{"@odata.type": 3, "id": "m6"}"##,
        r##"{"@odata.type": null, "id": "m7"}"##,
        r##"{"id": "m8"}"##,
        r##"{"Id": "m9", "AdditionalProperties": {"@odata.type": "#microsoft.graph.user", "displayName": "B", "userPrincipalName": "b@contoso.com"}}"##,
        r##"{"Id": "m10", "AdditionalProperties": "x"}"##,
        r##"{"@odata.type": "#microsoft.graph.user", "@odata.type": "#microsoft.graph.group", "id": "m11"}"##,
        r##""m12""##,
    ];
    // Members are kept only for groups the export lists.
    let groups = graph_list(
        "groups",
        &[
            r#"{"id": "g1", "displayName": "Defender_Experts_Scoped_Coverage_Users"}"#,
            r#"{"id": "g2", "displayName": "Other"}"#,
        ],
    );
    let with_groups = |rel: &str, list: &str| {
        let docs = [
            ("graph/groups.json", groups.as_bytes()),
            (rel, list.as_bytes()),
        ];
        let (fast, whole) = (load_documents(&docs, true), load_documents(&docs, false));
        assert_eq!(fast.model, whole.model, "{list}");
        assert_eq!(fast.diagnostics, whole.diagnostics, "{list}");
        let members = |load: &dexlint::export::Load| {
            let groups = &load.model.collection("groups").unwrap().records;
            groups
                .iter()
                .map(|g| format!("{:?}", g.get("members").map(|m| m.value())))
                .collect::<String>()
        };
        assert!(members(&fast).contains("m1") || !list.contains("\"m1\""));
    };
    for m in members {
        with_groups(
            "graph/groups/g1/members.json",
            &graph_list("directoryObjects", &[m]),
        );
    }
    let list = graph_list("directoryObjects", &members);
    with_groups("graph/groups/g1/members.json", &list);
    let list = graph_list("groups('g2')/members", &members);
    with_groups("graph/members-g2.json", &list);
}

/// A Defender for Endpoint list of `what` (`Machines` or `DeviceAvInfo`).
fn mde_list(what: &str, elements: &[&str]) -> String {
    format!(
        "{{\"@odata.context\": \"https://api.security.microsoft.com/api/$metadata#{what}\", \"value\": [{}]}}",
        elements.join(",")
    )
}

#[test]
fn machines_and_antivirus_rows_load_as_their_whole_parse() {
    let machines = [
        r#"{"id": "d1", "computerDnsName": "pc1.contoso.com", "osPlatform": "Windows11", "onboardingStatus": "Onboarded", "healthStatus": "Active", "lastSeen": "2026-11-01T00:00:00Z", "riskScore": "low", "exposureLevel": "Medium", "rbacGroupId": 140, "rbacGroupName": "UnassignedGroup", "machineTags": ["a", 1, "b"], "ipAddresses": [{"ipAddress": "10.0.0.1"}]}"#,
        r#"{"id": "d2", "onboardingStatus": "SomethingNew"}"#,
        r#"{"id": "d3", "healthStatus": null, "riskScore": 5, "machineTags": null}"#,
        r#"{"id": "d4", "onboardingStatus": " onboarded ", "lastSeen": "yesterday"}"#,
        r#"{"id": "d5", "id": "d6", "ID": null}"#,
        r#"[]"#,
    ];
    for m in machines {
        same_as_whole("mde/machines.json", mde_list("Machines", &[m]).as_bytes());
    }
    same_as_whole(
        "mde/machines.json",
        mde_list("Machines", &machines).as_bytes(),
    );
    let rows = [
        r#"{"machineId": "d1", "computerDnsName": "pc1", "osPlatform": "Windows11", "avMode": "1", "dataRefreshTimestamp": "2026-11-02T00:00:00Z", "lastSeenTime": "2026-11-01T00:00:00Z"}"#,
        r#"{"machineId": "d2", "avMode": "0", "dataRefreshTimestamp": "x", "lastSeenTime": "2026-11-01T00:00:00Z"}"#,
        r#"{"machineId": "d3", "avMode": null}"#,
        r#"{"machineId": "d4", "avMode": ""}"#,
        r#"{"machineId": "d5", "avMode": 4}"#,
        r#"{"machineId": "d6", "avMode": "9"}"#,
        r#"{"machineId": "d7", "avMode": true}"#,
        r#"{"machineId": "d8"}"#,
        r#"{"id": "d9", "avMode": "5"}"#,
        r#"{"machineId": null, "id": "d10", "avMode": "2"}"#,
        r#"{"avMode": "1"}"#,
        r#"{"machineId": 77, "avMode": "3", "rbacGroupId": 5, "rbacGroupName": "G"}"#,
        r#"{"machineId": "d1", "avMode": "0", "dataRefreshTimestamp": "2026-11-03T00:00:00Z"}"#,
    ];
    for r in rows {
        same_as_whole(
            "mde/deviceavinfo.json",
            mde_list("DeviceAvInfo", &[r]).as_bytes(),
        );
    }
    same_as_whole(
        "mde/deviceavinfo.json",
        mde_list("DeviceAvInfo", &rows).as_bytes(),
    );
}

#[test]
fn a_long_machine_list_merges_with_the_antivirus_rows_as_its_pages_do() {
    // Machines d0..d5999 after antivirus rows for d0..d4999, with machines listed twice (of
    // both kinds, and one right after itself): one file merges them in parallel, pages of
    // fewer machines one by one.
    let rows: Vec<String> = (0..5000)
        .map(|i| format!(r#"{{"machineId": "d{i}", "avMode": "{}"}}"#, i % 3))
        .collect();
    let mut ids: Vec<String> = (0..6000).map(|i| format!("d{i}")).collect();
    ids.extend(["d10", "d5500", "D20", "d20", "d7000", "d7000"].map(String::from));
    let machines: Vec<String> = ids
        .iter()
        .enumerate()
        .map(|(n, id)| {
            format!(r#"{{"id": "{id}", "computerDnsName": "pc{n}", "healthStatus": "Active"}}"#)
        })
        .collect();
    let av = mde_list("DeviceAvInfo", &refs(&rows));
    let whole = mde_list("Machines", &refs(&machines));
    let (first, second) = machines.split_at(3003);
    // The first page links the second, as the API's pages do (two pages without a link are
    // two whole lists, whose values must agree).
    let (first, second) = (
        mde_list("Machines", &refs(first)).replacen(
            "\"value\"",
            "\"@odata.nextLink\": \"https://api.security.microsoft.com/api/machines?$skip=3003\", \"value\"",
            1,
        ),
        mde_list("Machines", &refs(second)),
    );
    let one = load_documents(
        &[
            ("mde/deviceavinfo.json", av.as_bytes()),
            ("mde/machines.json", whole.as_bytes()),
        ],
        true,
    );
    let paged = load_documents(
        &[
            ("mde/deviceavinfo.json", av.as_bytes()),
            ("mde/machines-1.json", first.as_bytes()),
            ("mde/machines-2.json", second.as_bytes()),
        ],
        true,
    );
    // The same devices with the same values, in the same order (locations differ: the files
    // do).
    let values = |load: &dexlint::export::Load| -> Vec<Vec<String>> {
        load.model
            .collection("devices")
            .unwrap()
            .records
            .iter()
            .map(|r| {
                r.fields()
                    .map(|(_, f)| format!("{:?}", f.value()))
                    .collect()
            })
            .collect()
    };
    assert_eq!(values(&one).len(), 6001, "d0..d5999 and d7000 (D20 is d20)");
    assert_eq!(values(&one), values(&paged));
    // The last machine listed for a device is the device, with its antivirus row's mode.
    let devices = &one.model.collection("devices").unwrap().records;
    let text = |i: usize, f: &str| devices[i].text(f).map(str::to_string);
    assert_eq!(text(10, "name").as_deref(), Some("pc6000"));
    assert_eq!(text(10, "av_mode"), text(13, "av_mode"));
    assert_ne!(text(10, "av_mode"), text(11, "av_mode"));
    assert_eq!(text(5500, "name").as_deref(), Some("pc6001"));
    assert_eq!(text(5500, "av_mode"), None);
}

fn refs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}
