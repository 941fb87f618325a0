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

use crate::common::{copy_dir, fixture, lint_json, not_evaluated, violation_messages};
use serde_json::Value;

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
