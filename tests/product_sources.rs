//! The sources of product deployment states as the tools write them: Exchange Online PowerShell
//! exports of Defender for Office 365's policies and rules, the Graph Defender for Identity
//! sensors list, and `Get-MpComputerStatus` per device. Checks the records they load, the
//! diagnostics at file and line, and the evidence each gives.
//! Fixtures: `tests/fixtures/exports/{exo,mdi,mp}-*/`, each README citing its source.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common;
use crate::common::{fixture, load, records, text};

use dexlint::export::products::{identity, office, Evidence, Mode};
use dexlint::export::{DiagLevel, Load};
use dexlint::model::{Loc, Record, Value};

/// (level, file, line, message) of every diagnostic.
fn diags(l: &Load) -> Vec<(DiagLevel, String, Option<usize>, String)> {
    l.diagnostics
        .iter()
        .map(|d| (d.level, d.file.clone(), d.line, d.message.clone()))
        .collect()
}

fn at_least(l: &Load, level: DiagLevel) -> Vec<(DiagLevel, String, Option<usize>, String)> {
    diags(l).into_iter().filter(|d| d.0 >= level).collect()
}

/// The file and 1-based line of a location.
fn place(l: &Load, loc: Option<Loc>) -> (String, usize) {
    let loc = loc.expect("a location");
    let file = &l.model.files[loc.file() as usize];
    let text = std::fs::read_to_string(&file.disk_path).unwrap();
    let line = text[..loc.offset() as usize].matches('\n').count() + 1;
    (file.path.clone(), line)
}

fn shown(e: Option<Evidence>) -> (Mode, String, Option<Loc>) {
    match e {
        Some(Evidence::Shown { mode, why, loc }) => (mode, why, loc),
        other => panic!("expected a shown mode, got {other:?}"),
    }
}

fn undecided(e: Option<Evidence>) -> String {
    match e {
        Some(Evidence::Undecided { why, .. }) => why,
        other => panic!("expected undecided, got {other:?}"),
    }
}

fn office_records<'m>(l: &'m Load, kind: &str) -> Vec<&'m Record> {
    records(&l.model, "office_policies")
        .iter()
        .filter(|r| text(r, "kind") == Some(kind))
        .collect()
}

fn flag(r: &Record, field: &str) -> Option<bool> {
    match r.get(field).map(|f| f.value()) {
        Some(dexlint::model::ValueRef::Bool(b)) => Some(b),
        _ => None,
    }
}

fn strings(r: &Record, field: &str) -> Vec<String> {
    match r.get(field).map(|f| f.value()) {
        Some(dexlint::model::ValueRef::List(l)) => l
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

#[test]
fn custom_policies_with_an_enabled_rule_are_active() {
    let l = load("exo-custom-rules");
    assert!(
        at_least(&l, DiagLevel::Warning).is_empty(),
        "{:?}",
        diags(&l)
    );
    let exports: Vec<&str> = office_records(&l, "export")
        .iter()
        .filter_map(|r| text(r, "name"))
        .collect();
    assert_eq!(
        exports,
        [
            "Get-SafeAttachmentPolicy",
            "Get-SafeAttachmentRule",
            "Get-SafeLinksPolicy",
            "Get-SafeLinksRule"
        ]
    );
    let links = office_records(&l, "safe_links_policy");
    assert_eq!(links.len(), 2);
    assert_eq!(flag(links[0], "enabled"), Some(true));
    assert_eq!(flag(links[1], "enabled"), Some(false));
    let sa = office_records(&l, "safe_attachments_policy");
    assert_eq!(flag(sa[0], "enabled"), Some(true), "\"True\" is true");
    assert_eq!(text(sa[0], "action"), Some("DynamicDelivery"));
    let rule = office_records(&l, "safe_links_rule");
    assert_eq!(rule.len(), 1, "a bare object is one rule");
    assert_eq!(
        text(rule[0], "safe_links_policy"),
        Some("Contoso Safe Links")
    );
    assert_eq!(strings(rule[0], "recipients"), ["contoso.com"]);
    let sa_rule = office_records(&l, "safe_attachments_rule");
    assert_eq!(flag(sa_rule[0], "enabled"), Some(false));
    assert_eq!(
        strings(sa_rule[0], "recipients"),
        ["Finance@contoso.com", "Sales@contoso.com"]
    );
    let (mode, why, loc) = shown(office::evidence(&l.model));
    assert_eq!(mode, Mode::Active);
    assert!(
        why.contains("`Contoso Safe Links rule` is enabled"),
        "{why}"
    );
    assert_eq!(place(&l, loc).0, "exo/SafeLinksRule.json");
}

#[test]
fn the_evaluation_alone_is_passive() {
    let l = load("exo-evaluation");
    assert!(
        at_least(&l, DiagLevel::Warning).is_empty(),
        "{:?}",
        diags(&l)
    );
    let rule = office_records(&l, "evaluation_rule");
    assert_eq!(rule.len(), 1);
    assert_eq!(text(rule[0], "state"), Some("Enabled"));
    let policies = office_records(&l, "safe_attachments_policy");
    assert_eq!(text(policies[0], "policy_type"), Some("Evaluation"));
    assert_eq!(text(policies[0], "action"), Some("Allow"));
    let (mode, why, loc) = shown(office::evidence(&l.model));
    assert_eq!(mode, Mode::Passive, "{why}");
    assert!(why.contains("evaluation"), "{why}");
    assert_eq!(
        place(&l, loc),
        ("exo/Get-ATPEvaluationRule.json".to_string(), 2)
    );
}

#[test]
fn presets_and_built_in_protection_are_active() {
    let l = load("exo-presets");
    assert!(
        at_least(&l, DiagLevel::Warning).is_empty(),
        "{:?}",
        diags(&l)
    );
    let presets = office_records(&l, "preset_rule");
    let states: Vec<(Option<&str>, Option<&str>)> = presets
        .iter()
        .map(|r| (text(r, "name"), text(r, "state")))
        .collect();
    assert_eq!(
        states,
        [
            (Some("Strict Preset Security Policy"), Some("Disabled")),
            (Some("Standard Preset Security Policy"), Some("Enabled"))
        ]
    );
    assert_eq!(office_records(&l, "builtin_rule").len(), 1);
    let spo = office_records(&l, "atp_o365");
    assert_eq!(flag(spo[0], "enabled"), Some(false));
    let (mode, why, _) = shown(office::evidence(&l.model));
    assert_eq!(mode, Mode::Active);
    assert!(why.starts_with("built-in protection is on"), "{why}");
}

#[test]
fn policies_switched_off_with_empty_rule_lists_are_not_deployed() {
    let l = load("exo-not-deployed");
    assert!(
        at_least(&l, DiagLevel::Warning).is_empty(),
        "{:?}",
        diags(&l)
    );
    assert_eq!(
        office_records(&l, "export").len(),
        5,
        "the empty rule lists count as exported"
    );
    let (mode, why, loc) = shown(office::evidence(&l.model));
    assert_eq!(mode, Mode::NotDeployed, "{why}");
    assert!(why.contains("2 policies exported"), "{why}");
    assert_eq!(place(&l, loc).0, "exo/Get-SafeLinksPolicy.json");
}

#[test]
fn without_get_atp_policy_for_o365_nothing_on_is_undecided_and_the_rules_not_evaluated() {
    let l = load("exo-no-atppolicyforo365");
    let why = undecided(office::evidence(&l.model));
    assert!(
        why.starts_with("the export holds no `Get-AtpPolicyForO365` output"),
        "{why}"
    );
    let (code, report) = common::lint_json(&fixture("exo-no-atppolicyforo365"));
    for policy in ["DEX201", "DEX202", "DEX203"] {
        assert!(
            common::violation_messages(&report, policy).is_empty(),
            "{policy}: {report:#}"
        );
        let reasons = common::not_evaluated(&report, policy);
        assert!(
            reasons
                .iter()
                .any(|r| r.1.contains("`Get-AtpPolicyForO365`")),
            "{policy}: {reasons:?}"
        );
    }
    assert_eq!(code, 0);
}

#[test]
fn unreadable_files_at_the_documented_paths_of_office_and_sensor_exports_are_errors() {
    for (case, file, product) in [
        (
            "exo-select-subset",
            "exo/Get-SafeAttachmentPolicy.json",
            "mdo",
        ),
        ("mdi-sensors-foreign", "graph/sensors.json", "mdi"),
    ] {
        let l = load(case);
        let found = diags(&l);
        assert_eq!(found.len(), 1, "{case}: {found:?}");
        assert_eq!((found[0].0, found[0].1.as_str()), (DiagLevel::Error, file));
        assert!(
            found[0]
                .3
                .contains("at a path docs/exporting.md gives for one"),
            "{found:?}"
        );
        let why = undecided(match product {
            "mdo" => office::evidence(&l.model),
            _ => identity::evidence(&l.model),
        });
        assert!(why.contains(&format!("`{file}` failed to load")), "{why}");
    }
}

#[test]
fn policies_without_their_rules_are_undecided() {
    let l = load("exo-policies-only");
    assert!(
        at_least(&l, DiagLevel::Warning).is_empty(),
        "{:?}",
        diags(&l)
    );
    let why = undecided(office::evidence(&l.model));
    assert!(why.contains("`Get-SafeLinksRule`"), "{why}");
}

#[test]
fn truncated_rules_numeric_enums_and_mixed_output_are_reported_and_undecided() {
    let l = load("exo-depth-truncated");
    let found: Vec<(DiagLevel, String, Option<usize>)> = diags(&l)
        .into_iter()
        .map(|(lv, f, line, _)| (lv, f, line))
        .collect();
    assert_eq!(
        found,
        [
            (
                DiagLevel::Warning,
                "exo/Get-SafeAttachmentPolicy.json".to_string(),
                Some(3)
            ),
            (
                DiagLevel::Error,
                "exo/Get-SafeAttachmentRule.json".to_string(),
                Some(26)
            ),
            (
                DiagLevel::Warning,
                "exo/Get-SafeLinksRule.json".to_string(),
                Some(4)
            ),
            (
                DiagLevel::Error,
                "exo/Get-SafeLinksRule.json".to_string(),
                Some(10)
            ),
        ],
        "{:?}",
        diags(&l)
    );
    let messages: Vec<String> = diags(&l).into_iter().map(|d| d.3).collect();
    assert!(
        messages[0].contains("`Action` `2` is a number"),
        "{}",
        messages[0]
    );
    assert!(messages[1].contains("save each cmdlet's output to its own file"));
    assert!(messages[3].contains("ConvertTo-Json"), "{}", messages[3]);
    let c = l.model.collection("office_policies").unwrap();
    assert!(c.gaps.iter().any(|g| g.field == Some("recipients")));
    let rule = office_records(&l, "safe_links_rule");
    assert_eq!(flag(rule[0], "enabled"), None, "a numeric State is unknown");
    undecided(office::evidence(&l.model));
}

#[test]
fn a_running_sensor_makes_defender_for_identity_active() {
    let l = load("mdi-sensors");
    assert!(
        at_least(&l, DiagLevel::Warning).is_empty(),
        "{:?}",
        diags(&l)
    );
    let sensors = records(&l.model, "identity_sensors");
    type Row<'a> = (
        Option<&'a str>,
        Option<&'a str>,
        Option<&'a str>,
        Option<&'a str>,
    );
    let rows: Vec<Row<'_>> = sensors
        .iter()
        .map(|r| {
            (
                text(r, "name"),
                text(r, "sensor_type"),
                text(r, "deployment"),
                text(r, "service"),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (
                Some("DC1"),
                Some("domainControllerIntegrated"),
                Some("upToDate"),
                Some("running")
            ),
            (
                Some("ADFS1"),
                Some("adfsIntegrated"),
                Some("notConfigured"),
                Some("running")
            ),
            (
                Some("DC2"),
                Some("domainControllerIntegrated"),
                Some("outdated"),
                Some("stopped")
            ),
        ]
    );
    assert_eq!(
        sensors[1].get("open_issues").unwrap().value(),
        Value::Int(2)
    );
    let (mode, why, loc) = shown(identity::evidence(&l.model));
    assert_eq!(mode, Mode::Active);
    assert!(why.contains("`DC1`"), "{why}");
    assert_eq!(place(&l, loc).0, "graph/sensors.json");
}

#[test]
fn stopped_sensors_are_not_deployed_and_undocumented_values_warned() {
    let l = load("mdi-sensors-stopped");
    let found = diags(&l);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, DiagLevel::Warning);
    assert_eq!(found[0].1, "mdi/sensors.json");
    assert_eq!(found[0].2, Some(49));
    assert!(
        found[0].3.contains("entraConnectIntegrated"),
        "{}",
        found[0].3
    );
    assert_eq!(records(&l.model, "identity_sensors").len(), 3);
    let (mode, why, _) = shown(identity::evidence(&l.model));
    assert_eq!(mode, Mode::NotDeployed);
    assert!(why.contains("none of the 3"), "{why}");
}

#[test]
fn a_v1_sensors_list_is_undecided_saying_v1_has_no_service_status() {
    let l = load("mdi-sensors-v1");
    assert!(diags(&l).is_empty(), "{:?}", diags(&l));
    let why = undecided(identity::evidence(&l.model));
    assert_eq!(
        why,
        "the sensor `DC1` has no `serviceStatus`: `graph/sensors.json` is the Microsoft Graph \
         v1.0 sensors list (its `@odata.context`), and v1.0 has no `serviceStatus` (only beta \
         has it): export `GET https://graph.microsoft.com/beta/security/identities/sensors`"
    );
}

#[test]
fn graph_sdk_sensors_are_read_as_the_beta_sensors_list() {
    let l = load("mdi-sensors-sdk");
    assert!(diags(&l).is_empty(), "{:?}", diags(&l));
    let rows: Vec<(Option<&str>, Option<&str>, Option<&str>)> =
        records(&l.model, "identity_sensors")
            .iter()
            .map(|r| (text(r, "name"), text(r, "deployment"), text(r, "service")))
            .collect();
    assert_eq!(
        rows,
        [
            (Some("DC1"), Some("upToDate"), Some("running")),
            (Some("DC2"), Some("upToDate"), Some("stopped")),
        ]
    );
    let (mode, why, loc) = shown(identity::evidence(&l.model));
    assert_eq!(mode, Mode::Active, "{why}");
    assert_eq!(place(&l, loc), ("graph/sensors.json".to_string(), 12));
    // One sensor: `ConvertTo-Json` writes the object, not an array.
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&fixture("mdi-sensors-sdk"), dir.path());
    let path = dir.path().join("graph/sensors.json");
    let sensors: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    std::fs::write(&path, serde_json::to_string_pretty(&sensors[1]).unwrap()).unwrap();
    let l = dexlint::export::load(
        &[dir.path().to_path_buf()],
        &dexlint::export::LoadOptions::default(),
    )
    .unwrap();
    assert!(diags(&l).is_empty(), "{:?}", diags(&l));
    let (mode, why, _) = shown(identity::evidence(&l.model));
    assert_eq!(mode, Mode::NotDeployed, "{why}");
    // The v1.0 cmdlet's sensors have no `ServiceStatus`: undecided, naming the beta cmdlet.
    let mut v1 = sensors.clone();
    for s in v1.as_array_mut().unwrap() {
        s.as_object_mut().unwrap().remove("ServiceStatus");
    }
    std::fs::write(&path, serde_json::to_string_pretty(&v1).unwrap()).unwrap();
    let l = dexlint::export::load(
        &[dir.path().to_path_buf()],
        &dexlint::export::LoadOptions::default(),
    )
    .unwrap();
    let why = undecided(identity::evidence(&l.model));
    assert!(
        why.contains("`Get-MgSecurityIdentitySensor` output")
            && why.contains("`Get-MgBetaSecurityIdentitySensor -All"),
        "{why}"
    );
}

#[test]
fn unknown_future_value_is_a_documented_sensor_status() {
    let l = load("mdi-sensors-future-value");
    assert!(diags(&l).is_empty(), "{:?}", diags(&l));
    let (mode, _, _) = shown(identity::evidence(&l.model));
    assert_eq!(mode, Mode::Active);
}

#[test]
fn an_incomplete_sensors_list_without_a_running_sensor_is_undecided() {
    let l = load("mdi-sensors-paged-incomplete");
    let found = diags(&l);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].0, found[0].1.as_str(), found[0].2),
        (DiagLevel::Warning, "graph/sensors.json", Some(3))
    );
    let why = undecided(identity::evidence(&l.model));
    assert!(why.contains("further pages"), "{why}");
}

/// (name, av_mode) of every device.
fn av_modes(l: &Load) -> Vec<(String, Option<String>)> {
    records(&l.model, "devices")
        .iter()
        .map(|d| {
            (
                text(d, "name").unwrap_or("").to_string(),
                text(d, "av_mode").map(str::to_string),
            )
        })
        .collect()
}

#[test]
fn computer_status_joins_machines_by_name_whatever_the_file_order() {
    let l = load("mp-computer-status");
    let found = at_least(&l, DiagLevel::Warning);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].0, found[0].1.as_str(), found[0].2),
        (DiagLevel::Warning, "mpstatus/lab-pc.json", Some(4))
    );
    assert!(found[0].3.contains("Hibernating"));
    // `lab-pc` and `KIOSK-07` match no machine of the whole machine list: not onboarded
    // devices, left out of the devices with a note at each status.
    let notes: Vec<(String, Option<usize>)> = diags(&l)
        .into_iter()
        .filter(|d| {
            d.0 == DiagLevel::Note
                && d.3
                    .contains("matches no machine of the Defender for Endpoint machine list")
                && d.3.contains("`mde/machines.json`")
        })
        .map(|d| (d.1, d.2))
        .collect();
    assert_eq!(
        notes,
        [
            ("mpstatus/lab-pc.json".to_string(), Some(1)),
            ("mpstatus/servers.json".to_string(), Some(56))
        ]
    );
    let expected = vec![
        (
            "pc-0042.corp.contoso.com".to_string(),
            Some("passive".to_string()),
        ),
        (
            "SRV-DB01.corp.contoso.com".to_string(),
            Some("passive".to_string()),
        ),
        (
            "srv-app02.corp.contoso.com".to_string(),
            Some("edr_block".to_string()),
        ),
    ];
    assert_eq!(av_modes(&l), expected);
    let pc = &records(&l.model, "devices")[0];
    assert_eq!(
        place(&l, pc.get("av_mode").unwrap().loc()),
        ("mpstatus/PC-0042.json".to_string(), 4)
    );

    // The status files first, the machines last: the same joins.
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&fixture("mp-computer-status"), dir.path());
    std::fs::rename(dir.path().join("mde"), dir.path().join("zz-mde")).unwrap();
    let again = dexlint::export::load(
        &[dir.path().to_path_buf()],
        &dexlint::export::LoadOptions::default(),
    )
    .unwrap();
    let mut got = av_modes(&again);
    let mut want = expected;
    got.sort();
    want.sort();
    assert_eq!(got, want);
}

#[test]
fn computer_status_without_a_computer_name_is_an_error() {
    let l = load("mp-computer-status-unnamed");
    let found = at_least(&l, DiagLevel::Error);
    let places: Vec<(String, Option<usize>)> = found.iter().map(|d| (d.1.clone(), d.2)).collect();
    assert_eq!(
        places,
        [
            ("mpstatus/MpComputerStatus.json".to_string(), Some(1)),
            ("mpstatus/all.json".to_string(), Some(2)),
            ("mpstatus/all.json".to_string(), Some(26)),
        ],
        "{found:?}"
    );
    assert!(found
        .iter()
        .all(|d| d.3.contains("PSComputerName") && d.3.contains("docs/exporting.md")));
    assert!(records(&l.model, "devices").is_empty());
}

#[test]
fn the_sources_lint_and_report_their_errors_at_file_and_line() {
    let (code, report) = common::lint_json(&fixture("exo-depth-truncated"));
    assert_eq!(code, 2, "{report}");
    let errors: Vec<(String, u64)> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["file"].as_str().unwrap().to_string(),
                e["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert!(
        errors.contains(&("exo/Get-SafeLinksRule.json".to_string(), 10)),
        "{errors:?}"
    );
    let (code, report) = common::lint_json(&fixture("mdi-sensors"));
    assert!(code == 0 || code == 1, "{report}");
    assert!(report["errors"].as_array().unwrap().is_empty(), "{report}");
}

/// `dexlint lint` of the DEX201 case whose devices are all passive and whose SKUs license
/// Defender for Office 365, with the Exchange Online export of `office` added: (DEX201 fired,
/// DEX201 not evaluated, DEX203 fired, Defender for Office 365's observed mode).
fn with_office(office: &str) -> (usize, usize, usize, Option<String>) {
    let dir = tempfile::tempdir().unwrap();
    let case = common::manifest().join("policies/tests/DEX201/not-evaluated-office-unknown/export");
    common::copy_dir(&case, dir.path());
    common::copy_dir(&fixture(office).join("exo"), &dir.path().join("exo"));
    let out = common::dexlint()
        .args(["lint", "--format", "json", "--edition", "2026-07"])
        .arg(dir.path())
        .output()
        .unwrap();
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let count = |key: &str, policy: &str| {
        r[key]
            .as_array()
            .unwrap()
            .iter()
            .filter(|v| v["policy"] == policy)
            .count()
    };
    let l = dexlint::export::load(
        &[dir.path().to_path_buf()],
        &dexlint::export::LoadOptions::default(),
    )
    .unwrap();
    let mdo = records(&l.model, "products")
        .iter()
        .find(|p| text(p, "name") == Some("mdo"))
        .and_then(|p| text(p, "observed").map(str::to_string));
    (
        count("violations", "DEX201"),
        count("not_evaluated", "DEX201"),
        count("violations", "DEX203"),
        mdo,
    )
}

#[test]
fn office_exports_decide_dex201_and_dex203_with_passive_devices() {
    // The evaluation alone: nothing is active, DEX201 fires instead of being not evaluated.
    assert_eq!(
        with_office("exo-evaluation"),
        (1, 0, 1, Some("passive".to_string()))
    );
    // An enforced Safe Links policy: Defender for Office 365 is active.
    assert_eq!(
        with_office("exo-custom-rules"),
        (0, 0, 0, Some("active".to_string()))
    );
    // Policies without their rules: still not evaluated.
    let (fired, skipped, _, mdo) = with_office("exo-policies-only");
    assert_eq!((fired, skipped, mdo), (0, 1, None));
}

#[test]
fn computer_status_passive_as_microsoft_writes_it_is_passive() {
    // "You should see Normal, Passive, or EDR Block Mode" (the antivirus compatibility page):
    // `Passive` is passive mode, as `Passive Mode` is.
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&fixture("mp-computer-status"), dir.path());
    let pc = dir.path().join("mpstatus/PC-0042.json");
    let text = std::fs::read_to_string(&pc).unwrap();
    std::fs::write(&pc, text.replace("\"Passive Mode\"", "\"Passive\"")).unwrap();
    let l = dexlint::export::load(
        &[dir.path().to_path_buf()],
        &dexlint::export::LoadOptions::default(),
    )
    .unwrap();
    assert_eq!(
        at_least(&l, DiagLevel::Warning).len(),
        1,
        "only lab-pc's `Hibernating`: {:?}",
        diags(&l)
    );
    assert_eq!(
        av_modes(&l)[0],
        (
            "pc-0042.corp.contoso.com".to_string(),
            Some("passive".to_string())
        )
    );
}

/// Defender for Endpoint's observed mode and its evidence, loading `dir`.
fn endpoint_mode(dir: &std::path::Path) -> (Option<String>, String) {
    let l = dexlint::export::load(
        &[dir.to_path_buf()],
        &dexlint::export::LoadOptions::default(),
    )
    .unwrap();
    let p = records(&l.model, "products")
        .iter()
        .find(|p| text(p, "name") == Some("mde"))
        .expect("the mde product");
    let observed = match p.get("observed").map(|f| f.value()) {
        Some(dexlint::model::ValueRef::Str(s)) => Some(s.to_string()),
        _ => None,
    };
    (observed, text(p, "evidence").unwrap_or("").to_string())
}

#[test]
fn computer_status_that_matches_no_machine_of_a_whole_list_is_not_an_onboarded_device() {
    // Every machine passive; `KIOSK-07`, in no machine list, runs Defender Antivirus actively.
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&fixture("mp-computer-status"), dir.path());
    let servers = dir.path().join("mpstatus/servers.json");
    let text = std::fs::read_to_string(&servers).unwrap();
    std::fs::write(&servers, text.replace("EDR Block Mode", "Passive Mode")).unwrap();
    // The machine list is whole: `KIOSK-07` is not onboarded, and decides nothing.
    let (mode, why) = endpoint_mode(dir.path());
    assert_eq!(mode.as_deref(), Some("passive"), "{why}");
    // A page of the list missing: `KIOSK-07` may be on it, onboarded and active.
    let machines = dir.path().join("mde/machines.json");
    let list = std::fs::read_to_string(&machines).unwrap();
    let paged = list.replacen(
        "\"value\"",
        "\"@odata.nextLink\": \"https://api.security.microsoft.com/api/machines?$skiptoken=x\", \"value\"",
        1,
    );
    std::fs::write(&machines, &paged).unwrap();
    let (mode, why) = endpoint_mode(dir.path());
    assert_eq!(mode, None, "{why}");
    assert!(why.contains("`@odata.nextLink`"), "{why}");
    // No machine list: whether `KIOSK-07` is onboarded is not in the export.
    std::fs::remove_file(&machines).unwrap();
    let (mode, why) = endpoint_mode(dir.path());
    assert_eq!(mode, None, "{why}");
    assert!(
        why.contains("`KIOSK-07`") && why.contains("known only by name"),
        "{why}"
    );
}

#[test]
fn computer_status_alone_decides_defender_for_endpoint() {
    // `edr_block`: whether `srv-app02` stays in EDR block mode (and `KIOSK-07` active); else
    // every device is passive.
    let observed = |edr_block: bool| {
        let dir = tempfile::tempdir().unwrap();
        common::copy_dir(&fixture("mp-computer-status"), dir.path());
        if !edr_block {
            let servers = dir.path().join("mpstatus/servers.json");
            let text = std::fs::read_to_string(&servers).unwrap();
            let text = text
                .replace("EDR Block Mode", "Passive Mode")
                .replace("\"Normal\"", "\"Passive Mode\"");
            std::fs::write(&servers, text).unwrap();
        }
        let l = dexlint::export::load(
            &[dir.path().to_path_buf()],
            &dexlint::export::LoadOptions::default(),
        )
        .unwrap();
        records(&l.model, "products")
            .iter()
            .find(|p| text(p, "name") == Some("mde"))
            .map(|p| {
                (
                    text(p, "observed").map(str::to_string),
                    text(p, "evidence").map(str::to_string),
                )
            })
    };
    // EDR in block mode on an onboarded machine, known only from its own status: active.
    let (mode, why) = observed(true).unwrap();
    assert_eq!(mode.as_deref(), Some("active"), "{why:?}");
    // Every device passive: passive.
    let (mode, why) = observed(false).unwrap();
    assert_eq!(mode.as_deref(), Some("passive"), "{why:?}");
}
