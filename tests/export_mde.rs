//! Defender for Endpoint exports as a new user has them: mobile devices, machine lists
//! `$select`ed without their group, repeated antivirus rows, every antivirus mode, the 404 of a
//! tenant without recent machines, the antivirus export via files, and who `dexlint scope`
//! covers.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common::{copy_dir, dexlint, fixture, lint_json, not_evaluated, violation_messages};
use serde_json::Value;

/// The state `dexlint scope DIR` gives the device named `name` (`in_scope`, `unknown`...).
fn scope_state(dir: &std::path::Path, name: &str) -> String {
    let out = dexlint()
        .args(["scope", "--format", "json"])
        .arg(dir)
        .output()
        .unwrap();
    let scope: Value = serde_json::from_slice(&out.stdout).unwrap();
    let asset = scope["assets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == name)
        .unwrap_or_else(|| panic!("no device {name}: {scope:#}"));
    asset["state"].as_str().unwrap_or_default().to_string()
}

#[test]
fn mobile_devices_are_left_out_of_the_antivirus_mode() {
    let (_, report) = lint_json(&fixture("mde-mobile"));
    // The Windows machines decide: passive, against the declaration.
    let declared = violation_messages(&report, "DEX206");
    assert_eq!(declared.len(), 1, "{report:#}");
    assert!(declared[0].contains("shows `passive`"), "{declared:?}");
    assert!(
        declared[0].contains("2 onboarded iOS or Android devices are left out"),
        "{declared:?}"
    );
    // Neither mobile device is a finding or a device not evaluated.
    let passive = violation_messages(&report, "DEX204");
    assert_eq!(passive.len(), 2, "{report:#}");
    for name in ["iphone-jdoe", "pixel-7"] {
        assert!(!passive.iter().any(|m| m.contains(name)), "{passive:?}");
    }
    for policy in ["DEX201", "DEX202", "DEX203", "DEX204", "DEX206"] {
        for (entity, reason) in not_evaluated(&report, policy) {
            assert!(
                !["iphone", "pixel", "antivirus mode"]
                    .iter()
                    .any(|w| reason.contains(w)),
                "{policy} {entity}: {reason}"
            );
        }
    }
}

#[test]
fn mobile_devices_alone_leave_the_antivirus_mode_unknown() {
    // Only the mobile devices onboarded, no antivirus rows: Defender for Endpoint is deployed,
    // but nothing shows whether it is active or passive.
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("mde-mobile"), dir.path());
    std::fs::remove_file(dir.path().join("mde/deviceavinfo.json")).unwrap();
    let path = dir.path().join("mde/machines.json");
    let mut machines: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    machines["value"]
        .as_array_mut()
        .unwrap()
        .retain(|m| m["osPlatform"] == "iOS" || m["osPlatform"] == "Android");
    std::fs::write(&path, machines.to_string()).unwrap();
    let (_, report) = lint_json(dir.path());
    assert!(
        violation_messages(&report, "DEX206").is_empty(),
        "{report:#}"
    );
    let ne = not_evaluated(&report, "DEX206");
    assert!(
        ne.iter().any(|(_, r)| r.contains(
            "the only onboarded devices in `mde/machines.json` are 2 iOS or Android devices"
        )),
        "{ne:?}"
    );
}

#[test]
fn a_machine_selected_without_its_group_takes_it_from_its_antivirus_row() {
    let dir = fixture("mde-select");
    let (_, report) = lint_json(&dir);
    let passive = violation_messages(&report, "DEX204");
    assert_eq!(passive.len(), 1, "{report:#}");
    assert!(passive[0].contains("lt-001"), "{passive:?}");
    assert!(
        violation_messages(&report, "DEX007").is_empty(),
        "{report:#}"
    );
    // The machine without a row has no group; the computer that matches no machine of the
    // whole machine list is not an onboarded device, and no rule judges it.
    let ne = not_evaluated(&report, "DEX204");
    assert!(
        ne.iter().any(
            |(e, r)| e == "devices/c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3"
                && r.contains("device group of machine")
        ),
        "{ne:?}"
    );
    assert!(!ne.iter().any(|(e, _)| e.contains("PC-0099")), "{ne:?}");
    assert_eq!(scope_state(&dir, "lt-001.contoso.com"), "in_scope");
}

#[test]
fn a_device_group_no_machine_is_known_to_be_in_is_not_called_empty() {
    // Without `lt-001`'s row no device is known to be in the scoped group, but two may be.
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("mde-select"), dir.path());
    let path = dir.path().join("mde/deviceavinfo.json");
    let mut rows: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    rows["value"]
        .as_array_mut()
        .unwrap()
        .retain(|r| r["computerDnsName"] != "lt-001.contoso.com");
    std::fs::write(&path, rows.to_string()).unwrap();
    let (_, report) = lint_json(dir.path());
    assert!(
        violation_messages(&report, "DEX007").is_empty(),
        "{report:#}"
    );
    let ne = not_evaluated(&report, "DEX007");
    assert!(
        ne.iter()
            .any(|(e, r)| e == "device_groups/501" && r.contains("`lt-001.contoso.com`")),
        "{ne:?}"
    );
}

#[test]
fn without_the_scoped_device_group_a_device_of_unknown_group_is_in_scope() {
    // The device group list shows the scoped group does not exist: every device is in scope,
    // whatever group it is in. Without the machine list, `PC-0099` (`Get-MpComputerStatus`)
    // may be an onboarded device, of unknown group.
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("mde-select"), dir.path());
    std::fs::remove_file(dir.path().join("mde/machines.json")).unwrap();
    for file in ["mde/devicegroups.json", "mde/deviceavinfo.json"] {
        let path = dir.path().join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(
            &path,
            text.replace("Defender_Experts_Scoped_Coverage_Devices", "Laptops"),
        )
        .unwrap();
    }
    let (_, report) = lint_json(dir.path());
    let passive = violation_messages(&report, "DEX204");
    assert_eq!(passive.len(), 2, "{report:#}");
    assert!(passive.iter().any(|m| m.contains("PC-0099")), "{passive:?}");
}

#[test]
fn a_machine_that_gives_only_its_group_id_takes_the_name_from_the_device_group_list() {
    // `$select=...,rbacGroupId`: the device group list names group 501.
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("mde-select"), dir.path());
    let path = dir.path().join("mde/machines.json");
    let mut machines: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    machines["value"][2]["rbacGroupId"] = 501.into();
    std::fs::write(&path, machines.to_string()).unwrap();
    assert_eq!(scope_state(dir.path(), "lt-003.contoso.com"), "in_scope");
}

#[test]
fn the_most_recent_antivirus_row_wins_when_the_report_refreshed_them_together() {
    let dir = fixture("mde-av-rows-one-refresh");
    let (_, report) = lint_json(&dir);
    assert!(
        violation_messages(&report, "DEX204").is_empty(),
        "{report:#}"
    );
    // Read in the other order, the rows give the same modes.
    let copy = tempfile::tempdir().unwrap();
    copy_dir(&dir, copy.path());
    let path = copy.path().join("mde/deviceavinfo.json");
    let mut rows: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    rows["value"].as_array_mut().unwrap().reverse();
    std::fs::write(&path, serde_json::to_string_pretty(&rows).unwrap()).unwrap();
    let (_, reversed) = lint_json(copy.path());
    for report in [&report, &reversed] {
        assert!(
            violation_messages(report, "DEX204").is_empty(),
            "{report:#}"
        );
        let ne = not_evaluated(report, "DEX204");
        assert_eq!(ne.len(), 1, "{ne:?}");
        assert_eq!(ne[0].0, format!("devices/{}", "b2".repeat(20)));
        assert!(ne[0].1.contains("give different modes"), "{ne:?}");
    }
    let warning = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| {
            e["message"]
                .as_str()
                .unwrap()
                .contains("neither row is more recent")
        })
        .unwrap_or_else(|| panic!("{report:#}"));
    assert_eq!(warning["file"], "mde/deviceavinfo.json");
    assert_eq!(warning["line"], 98);
    // The machine with the tied rows alone: Defender for Endpoint's mode is unknown, and the
    // reason says the rows disagree (they are in the export).
    let keep = |file: &str, key: &str| {
        let path = copy.path().join(file);
        let mut doc: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        doc["value"]
            .as_array_mut()
            .unwrap()
            .retain(|r| r[key] == "b2".repeat(20));
        std::fs::write(&path, doc.to_string()).unwrap();
    };
    keep("mde/machines.json", "id");
    keep("mde/deviceavinfo.json", "machineId");
    let (_, report) = lint_json(copy.path());
    let why = not_evaluated(&report, "DEX202")
        .into_iter()
        .map(|(_, r)| r)
        .find(|r| r.starts_with("the antivirus mode"))
        .unwrap_or_else(|| panic!("{report:#}"));
    assert!(
        why.contains("is given differently by equally recent antivirus rows"),
        "{why}"
    );
}

#[test]
fn disabled_antivirus_is_not_active_and_other_is_not_known() {
    let dir = fixture("mde-av-modes");
    let (_, report) = lint_json(&dir);
    let fired = violation_messages(&report, "DEX204");
    let modes: Vec<&str> = fired
        .iter()
        .map(|m| m.split('`').nth(3).unwrap_or(""))
        .collect();
    assert_eq!(
        modes,
        ["passive", "disabled", "passive_audit", ""],
        "{fired:?}"
    );
    // EDR in block mode runs beside a passive antivirus: reported, and said so.
    assert_eq!(
        fired[3],
        "in-scope device `ctso-av4.contoso.com` runs antivirus in passive mode, with EDR in \
         block mode"
    );
    let ne = not_evaluated(&report, "DEX204");
    assert_eq!(ne.len(), 2, "{ne:?}");
    for ((_, reason), name) in ne.iter().zip(["ctso-av3", "ctso-av6"]) {
        assert!(
            reason.contains(name) && reason.contains("the mode Other"),
            "{ne:?}"
        );
    }
    // With the active and EDR block devices passive, Defender for Endpoint's mode rests on the
    // others: two of them Other, so unknown rather than passive.
    let copy = tempfile::tempdir().unwrap();
    copy_dir(&dir, copy.path());
    let path = copy.path().join("mde/deviceavinfo.json");
    let mut rows: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    for r in rows["value"].as_array_mut().unwrap() {
        if r["avMode"] == "0" || r["avMode"] == "4" {
            r["avMode"] = "1".into();
        }
    }
    std::fs::write(&path, rows.to_string()).unwrap();
    let (_, report) = lint_json(copy.path());
    assert!(
        violation_messages(&report, "DEX202").is_empty(),
        "{report:#}"
    );
    let ne = not_evaluated(&report, "DEX202");
    assert!(
        ne.iter()
            .any(|(e, r)| e == "products/mde"
                && r.contains("is Other in the antivirus health report")),
        "{ne:?}"
    );
}

#[test]
fn the_404_of_a_tenant_without_recent_machines_says_what_to_save() {
    let dir = fixture("mde-machines-404");
    let (code, report) = lint_json(&dir);
    assert_eq!(code, 2, "{report:#}");
    let errors = report["errors"].as_array().unwrap();
    let error = errors
        .iter()
        .find(|e| e["file"] == "mde/machines.json")
        .unwrap_or_else(|| panic!("{report:#}"));
    let message = error["message"].as_str().unwrap();
    assert!(
        message.contains("404 Not Found when the tenant has no recent machines")
            && message.contains("save `{\"value\": []}` in its place")
            && !message.contains("export it again"),
        "{message}"
    );
    // What it says to save is read: a tenant without machines.
    let copy = tempfile::tempdir().unwrap();
    copy_dir(&dir, copy.path());
    std::fs::write(copy.path().join("mde/machines.json"), "{\"value\": []}").unwrap();
    let (_, report) = lint_json(copy.path());
    let errors: Vec<&Value> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["level"] == "error")
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let mde = &report["summary"]["tenants"][0]["products"][0];
    assert_eq!(mde["name"], "mde", "{report:#}");
    assert_eq!(mde["mode"], "not_deployed", "{mde:#}");
    assert_eq!(
        mde["evidence"], "`mde/machines.json` lists no machine",
        "{mde:#}"
    );
}

#[test]
fn the_antivirus_export_via_files_is_named_and_the_json_response_asked_for() {
    let dir = fixture("mde-via-files");
    let (code, report) = lint_json(&dir);
    assert_eq!(code, 2, "{report:#}");
    let error = |file: &str| {
        report["errors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["file"] == file)
            .unwrap_or_else(|| panic!("{file}: {report:#}"))
            .clone()
    };
    // A decompressed file, one JSON object per line: not two appended documents.
    let lines = error("mde/deviceavinfo.json");
    let message = lines["message"].as_str().unwrap();
    assert!(
        message.starts_with("this is a downloaded file of the antivirus health export via files")
            && message.contains("one JSON object per line")
            && message.contains("`GET /api/deviceavinfo`")
            && !message.contains("appended"),
        "{message}"
    );
    assert_eq!(lines["line"], 1, "{lines:#}");
    let urls = error("mde/InfoGatheringExport.json");
    assert!(
        urls["message"]
            .as_str()
            .unwrap()
            .starts_with("this is the list of download URLs (`exportFiles`)"),
        "{urls:#}"
    );
    // A file of one record is one JSON document, named alike.
    let copy = tempfile::tempdir().unwrap();
    copy_dir(&dir, copy.path());
    let path = copy.path().join("mde/deviceavinfo.json");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.lines().next().unwrap()).unwrap();
    let (_, report) = lint_json(copy.path());
    assert!(
        report["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["file"] == "mde/deviceavinfo.json"
                && e["message"]
                    .as_str()
                    .unwrap()
                    .starts_with("this is a record of a downloaded file")),
        "{report:#}"
    );
}

#[test]
fn two_machine_lists_that_disagree_leave_the_value_unknown_whichever_comes_first() {
    let dir = fixture("mde-two-exports");
    // The same two lists with their file names swapped: the later file no longer wins.
    let swapped = tempfile::tempdir().unwrap();
    copy_dir(&dir, swapped.path());
    let mde = swapped.path().join("mde");
    std::fs::rename(mde.join("machines-2025-10-01.json"), mde.join("x.json")).unwrap();
    std::fs::rename(
        mde.join("machines-2025-11-21.json"),
        mde.join("machines-2025-10-01.json"),
    )
    .unwrap();
    std::fs::rename(mde.join("x.json"), mde.join("machines-2025-11-21.json")).unwrap();
    for dir in [dir.as_path(), swapped.path()] {
        let (_, report) = lint_json(dir);
        assert!(
            violation_messages(&report, "DEX204").is_empty(),
            "{report:#}"
        );
        let ne = not_evaluated(&report, "DEX204");
        assert_eq!(ne.len(), 1, "{ne:?}");
        assert!(
            ne[0].1.contains("two exports give `group`")
                && ne[0].1.contains("`Servers`")
                && ne[0]
                    .1
                    .contains("`Defender_Experts_Scoped_Coverage_Devices`"),
            "{ne:?}"
        );
        let warning = report["errors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| {
                e["message"]
                    .as_str()
                    .unwrap()
                    .contains("two exports of the list disagree")
            })
            .unwrap_or_else(|| panic!("{report:#}"));
        assert_eq!(
            warning["file"], "mde/machines-2025-11-21.json",
            "{warning:#}"
        );
        assert_eq!(scope_state(dir, "pc-a.contoso.com"), "unknown");
    }
}

#[test]
fn the_inactive_entity_a_reonboarded_device_leaves_is_not_judged_nor_counted_in_scope() {
    let dir = fixture("mde-reonboarded");
    let (_, report) = lint_json(&dir);
    assert!(
        violation_messages(&report, "DEX204").is_empty(),
        "{report:#}"
    );
    assert!(not_evaluated(&report, "DEX204").is_empty(), "{report:#}");
    let out = dexlint()
        .args(["scope", "--format", "json"])
        .arg(&dir)
        .output()
        .unwrap();
    let scope: Value = serde_json::from_slice(&out.stdout).unwrap();
    let state = |id: &str| {
        let a = scope["assets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["id"].as_str().unwrap().starts_with(id))
            .unwrap_or_else(|| panic!("{scope:#}"));
        (
            a["state"].as_str().unwrap().to_string(),
            a["reason"].as_str().unwrap().to_string(),
        )
    };
    assert_eq!(state("9f1d3e").0, "in_scope");
    let (old, why) = state("556b39");
    assert_eq!(old, "inactive");
    assert!(why.contains("`healthStatus` `Inactive`"), "{why}");
    assert_eq!(scope["summary"]["devices"]["in_scope"], 1, "{scope:#}");
    assert_eq!(scope["summary"]["devices"]["inactive"], 1, "{scope:#}");
}

#[test]
fn a_computer_status_joins_the_entity_of_a_reinstalled_device_that_still_reports() {
    let dir = fixture("mp-computer-status-reonboarded");
    let warnings = |report: &Value| -> Vec<String> {
        report["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["message"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, report) = lint_json(&dir);
    assert!(warnings(&report).is_empty(), "{report:#}");
    let mde = &report["summary"]["tenants"][0]["products"][0];
    assert_eq!(mde["mode"], "active", "{mde:#}");
    assert!(
        mde["evidence"]
            .as_str()
            .unwrap()
            .contains("(mpstatus/PC-0042.json)"),
        "{mde:#}"
    );
    // Both entities reporting: the status cannot tell them apart, and a fully qualified name
    // would not either.
    let copy = tempfile::tempdir().unwrap();
    copy_dir(&dir, copy.path());
    let path = copy.path().join("mde/machines.json");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("\"Inactive\"", "\"Active\"")).unwrap();
    let (_, report) = lint_json(copy.path());
    let all = warnings(&report);
    assert_eq!(all.len(), 1, "{all:?}");
    assert!(
        all[0].contains("matches 2 machines that are entities of one device")
            && all[0].contains("more than one of them still reports")
            && !all[0].contains("fully qualified"),
        "{all:?}"
    );
}

#[test]
fn device_groups_as_the_portal_gives_them_are_read_with_the_numbers_public_code_resolves() {
    let dir = fixture("mde-device-groups-portal");
    let warnings = |report: &Value| -> Vec<String> {
        report["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| format!("{} {}", e["level"], e["message"]))
            .collect()
    };
    let (_, report) = lint_json(&dir);
    assert_eq!(violation_messages(&report, "DEX004").len(), 1, "{report:#}");
    let all = warnings(&report);
    assert_eq!(all.len(), 2, "{all:?}");
    for (w, group, op) in [
        (&all[0], "Servers", "4"),
        (&all[1], "Defender_Experts", "2"),
    ] {
        assert!(
            w.starts_with("\"warning\"")
                && w.contains(group)
                && w.contains(&format!("operator `{op}`"))
                && w.contains("`Equals`, `StartsWith`, `EndsWith`, `Contains`"),
            "{all:?}"
        );
    }
    assert_eq!(scope_state(&dir, "srv-01.contoso.com"), "unknown");
    // The tag rule's operator by name: `Property` 2 is the tag, the empty rules are not in use.
    let copy = tempfile::tempdir().unwrap();
    copy_dir(&dir, copy.path());
    let path = copy.path().join("mde/devicegroups.json");
    let mut groups: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    groups["items"][1]["GroupRules"][2]["OperatorType"] = "Equals".into();
    std::fs::write(&path, groups.to_string()).unwrap();
    assert_eq!(scope_state(copy.path(), "srv-01.contoso.com"), "lost");
    // The bare array of the items reads the same.
    std::fs::write(&path, groups["items"].to_string()).unwrap();
    let (_, report) = lint_json(copy.path());
    assert_eq!(warnings(&report).len(), 1, "{report:#}");
    assert_eq!(violation_messages(&report, "DEX004").len(), 1, "{report:#}");
    assert_eq!(scope_state(copy.path(), "srv-01.contoso.com"), "lost");
}

#[test]
fn a_gzip_file_of_the_antivirus_export_via_files_is_named_and_not_read() {
    let dir = fixture("mde-via-files-gzip");
    let gz = "mde/part-00055-12fc2fcd-8f56-4e09-934f-e8efe7ce74a0.c000.json.gz";
    let said = |report: &Value, file: &str| {
        let e = report["errors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["file"] == file)
            .unwrap_or_else(|| panic!("{file}: {report:#}"))
            .clone();
        let message = e["message"].as_str().unwrap();
        assert!(
            e["level"] == "error"
                && message
                    .starts_with("a gzip-compressed file (it starts with the gzip bytes 1F 8B)")
                && message.contains("it was not read")
                && message.contains("`GET /api/deviceavinfo`")
                && !message.contains("UTF-8"),
            "{e:#}"
        );
    };
    let (code, report) = lint_json(&dir);
    assert_eq!(code, 2, "{report:#}");
    said(&report, gz);
    // Saved where the JSON response goes: told by its first bytes.
    let copy = tempfile::tempdir().unwrap();
    copy_dir(&dir, copy.path());
    std::fs::rename(
        copy.path().join(gz),
        copy.path().join("mde/deviceavinfo.json"),
    )
    .unwrap();
    let (code, report) = lint_json(copy.path());
    assert_eq!(code, 2, "{report:#}");
    said(&report, "mde/deviceavinfo.json");
}

#[test]
fn edr_in_block_mode_is_passive_antivirus_in_evidence_and_in_dex204() {
    // Only the EDR in block mode device acts: Defender for Endpoint is active by it, and the
    // evidence says its antivirus is passive.
    let copy = tempfile::tempdir().unwrap();
    copy_dir(&fixture("mde-av-modes"), copy.path());
    let path = copy.path().join("mde/deviceavinfo.json");
    let mut rows: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    for r in rows["value"].as_array_mut().unwrap() {
        if r["avMode"] == "0" {
            r["avMode"] = "1".into();
        }
    }
    std::fs::write(&path, rows.to_string()).unwrap();
    let (_, report) = lint_json(copy.path());
    let mde = &report["summary"]["tenants"][0]["products"][0];
    assert_eq!(mde["mode"], "active", "{mde:#}");
    assert_eq!(
        mde["evidence"],
        "onboarded device `ctso-av4.contoso.com` runs Defender Antivirus in passive mode with EDR \
         in block mode (mde/deviceavinfo.json)",
        "{mde:#}"
    );
    let fired = violation_messages(&report, "DEX204");
    assert!(
        fired.iter().any(|m| {
            m
            == "in-scope device `ctso-av4.contoso.com` runs antivirus in passive mode, with EDR in \
                block mode"
        }),
        "{fired:?}"
    );
}

#[test]
fn a_machine_without_a_name_is_named_by_its_id() {
    let (_, report) = lint_json(&fixture("mde-null-name"));
    assert_eq!(
        violation_messages(&report, "DEX204"),
        [format!(
            "in-scope device `{}` runs antivirus in `passive` mode",
            "a".repeat(40)
        )]
    );
}

#[test]
fn a_machine_of_null_onboarding_status_and_antivirus_mode_leaves_the_mode_unknown() {
    let dir = fixture("mde-null-onboarding");
    let check = |dir: &std::path::Path| {
        let (_, report) = lint_json(dir);
        assert!(
            violation_messages(&report, "DEX202").is_empty(),
            "{report:#}"
        );
        let mde = &report["summary"]["tenants"][0]["products"][0];
        assert_eq!(mde["mode"], "unknown", "{mde:#}");
        assert!(
            mde["evidence"]
                .as_str()
                .unwrap()
                .starts_with("machine `pc-a.contoso.com`"),
            "{mde:#}"
        );
        let ne = not_evaluated(&report, "DEX204");
        assert!(
            ne.iter()
                .any(|(e, r)| e == &format!("devices/{}", "a".repeat(40))
                    && r.contains("gives no mode dexlint reads")),
            "{ne:?}"
        );
    };
    check(&dir);
    // `onboardingStatus` absent (a `$select` without it): the same.
    let copy = tempfile::tempdir().unwrap();
    copy_dir(&dir, copy.path());
    let path = copy.path().join("mde/machines.json");
    let mut machines: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    machines["value"][0]
        .as_object_mut()
        .unwrap()
        .remove("onboardingStatus");
    std::fs::write(&path, machines.to_string()).unwrap();
    check(copy.path());
}

#[test]
fn the_evidence_says_when_the_device_in_active_mode_has_an_unhealthy_sensor() {
    let dir = fixture("mde-sensor-health");
    let evidence = |dir: &std::path::Path| {
        let (_, report) = lint_json(dir);
        let mde = report["summary"]["tenants"][0]["products"][0].clone();
        (
            mde["mode"].as_str().unwrap().to_string(),
            mde["evidence"].as_str().unwrap().to_string(),
        )
    };
    let (mode, why) = evidence(&dir);
    assert_eq!(mode, "active", "{why}");
    assert!(
        why.starts_with(
            "onboarded device `pc-a.contoso.com` runs Defender Antivirus in active mode"
        ) && why.contains("`healthStatus` is `NoSensorData`, not `Active`"),
        "{why}"
    );
    let edited = |file: &str, edit: &dyn Fn(&mut Value)| {
        let copy = tempfile::tempdir().unwrap();
        copy_dir(&dir, copy.path());
        let path = copy.path().join(file);
        let mut doc: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        edit(&mut doc);
        std::fs::write(&path, doc.to_string()).unwrap();
        evidence(copy.path())
    };
    // A device with a healthy sensor in active mode too: it is the evidence.
    let (mode, why) = edited("mde/deviceavinfo.json", &|d| {
        d["value"][1]["avMode"] = "0".into()
    });
    assert_eq!(mode, "active", "{why}");
    assert_eq!(
        why,
        "onboarded device `pc-b.contoso.com` runs Defender Antivirus in active mode \
         (mde/deviceavinfo.json)"
    );
    // The device in active mode stopped reporting: passive, and said.
    let (mode, why) = edited("mde/machines.json", &|d| {
        d["value"][0]["healthStatus"] = "Inactive".into()
    });
    assert_eq!(mode, "passive", "{why}");
    assert!(
        why.contains("`pc-a.contoso.com` (`active`) has stopped reporting (`healthStatus` `Inactive`) and is left out"),
        "{why}"
    );
}

#[test]
fn a_machine_merged_into_another_does_not_decide_the_mode() {
    // The earlier entity runs Defender Antivirus actively, the device's current one passively.
    let dir = fixture("mde-merged");
    let (_, report) = lint_json(&dir);
    let passive = violation_messages(&report, "DEX202");
    assert_eq!(passive.len(), 1, "{report:#}");
    assert!(
        passive[0].contains("was merged into machine `e41b9d2c7a6f5e4d3c2b1a0f9e8d7c6b5a493827`")
            && passive[0].contains("left out"),
        "{passive:?}"
    );
    // Without `mergedIntoMachineId`, the earlier entity decides: active.
    let copy = tempfile::tempdir().unwrap();
    copy_dir(&dir, copy.path());
    let path = copy.path().join("mde/machines.json");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace(
            "\"mergedIntoMachineId\": \"e41b9d2c7a6f5e4d3c2b1a0f9e8d7c6b5a493827\"",
            "\"mergedIntoMachineId\": null",
        ),
    )
    .unwrap();
    let (_, report) = lint_json(copy.path());
    assert!(
        violation_messages(&report, "DEX202").is_empty(),
        "{report:#}"
    );
}

#[test]
fn an_antivirus_row_with_a_null_mode_is_said_to_give_it_null() {
    // The current entity's row gives `avMode` null: the row is in the export.
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("mde-reonboarded"), dir.path());
    let path = dir.path().join("mde/deviceavinfo.json");
    let mut rows: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    rows["value"][1]["avMode"] = Value::Null;
    std::fs::write(&path, rows.to_string()).unwrap();
    let reason = |report: &Value| {
        let ne = not_evaluated(report, "DEX201");
        assert_eq!(ne.len(), 1, "{report:#}");
        ne[0].1.clone()
    };
    let (_, report) = lint_json(dir.path());
    let why = reason(&report);
    assert!(
        why.starts_with(
            "the antivirus mode of 1 of the 2 onboarded devices in `mde/machines.json` is given \
             as no mode dexlint reads (`avMode` null"
        ),
        "{why}"
    );
    // Without the row, the mode is not in the export.
    rows["value"].as_array_mut().unwrap().remove(1);
    std::fs::write(&path, rows.to_string()).unwrap();
    let (_, report) = lint_json(dir.path());
    let why = reason(&report);
    assert!(
        why.starts_with(
            "the antivirus mode of 1 of the 2 onboarded devices in `mde/machines.json` is not \
             in the export"
        ),
        "{why}"
    );
}
