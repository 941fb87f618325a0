//! The language's dates, arithmetic, globs from parameters and `join`, run end to end on an
//! export (`--today` makes `today()` reproducible), and their errors.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common::{copy_dir, dexlint, manifest};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// An export whose three onboarded machines were last seen on 2026-11-27
/// (policies/tests/DEX201/fires-derived-passive).
fn export() -> PathBuf {
    manifest().join("policies/tests/DEX201/fires-derived-passive/export")
}

fn policies() -> PathBuf {
    manifest().join("tests/fixtures/policies/ok")
}

fn lint(dir: &Path, today: &str, extra: &[&str]) -> (i32, Value) {
    let out = dexlint()
        .args(["lint", "--format", "json", "--today", today, "--policies"])
        .arg(policies())
        .arg(dir)
        .args(extra)
        .output()
        .unwrap();
    let v = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap_or(-1), v)
}

use crate::common::violation_messages as messages;

#[test]
fn dates_arithmetic_and_a_parameter_glob_fire_on_an_export() {
    // Seen two days before the run: nothing is stale.
    let (_, v) = lint(&export(), "2026-11-29", &[]);
    assert!(messages(&v, "ACME100").is_empty(), "{v:#}");
    // Two months later every machine is stale (the printer, never onboarded, too).
    let (_, v) = lint(&export(), "2027-01-29", &[]);
    assert_eq!(
        messages(&v, "ACME100"),
        ["4 of 4 devices (100 %) unseen for 30 days (at most 10 %; 4 seen since 2026-01-01T00:00:00Z; ignored: *-kiosk-*)"]
    );
}

#[test]
fn parameters_from_the_configuration_set_globs_dates_and_numbers() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&export(), &dir.path().join("export"));
    std::fs::write(
        dir.path().join("dexlint.toml"),
        "[policy.ACME100]\nparams = { ignored = [\"ctso-lt-*\", \"*-prn-*\"], since = \"2026-11-28\", max_percent = 50 }\n",
    )
    .unwrap();
    let (code, v) = lint(
        &dir.path().join("export"),
        "2027-01-29",
        &[
            "--config",
            dir.path().join("dexlint.toml").to_str().unwrap(),
        ],
    );
    assert_ne!(code, 2, "{v:#}");
    // Only the server is considered: 1 of 1 stale, above 50 %.
    assert_eq!(
        messages(&v, "ACME100"),
        ["1 of 1 devices (100 %) unseen for 30 days (at most 50 %; 0 seen since 2026-11-28T00:00:00Z; ignored: ctso-lt-*, *-prn-*)"]
    );
}

#[test]
fn an_invalid_glob_or_date_in_the_configuration_is_an_error_in_it() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("dexlint.toml");
    std::fs::write(
        &config,
        "[policy.ACME100]\nparams = { ignored = [\"lab-[\"], since = \"2026-02-30\" }\n",
    )
    .unwrap();
    let out = dexlint()
        .args(["lint", "--format", "json", "--policies"])
        .arg(policies())
        .arg(export())
        .arg("--config")
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let errors: Vec<(String, u64)> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["message"].as_str().unwrap().to_string(),
                e["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert!(
        errors
            .iter()
            .any(|(m, l)| m.contains("`lab-[` is not a valid glob") && *l == 2),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|(m, l)| m
            == "parameter `since` of `ACME100` is not a valid date: `2026-02-30` (February \
                    2026 has 28 days)"
            && *l == 2),
        "{errors:?}"
    );
}

#[test]
fn a_division_by_zero_at_run_time_is_not_evaluated() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("share.policy"),
        "policy ACME101 \"Share\" {\n  severity warning\n  let n = count(g in groups)\n  assert 100 / n > 1\n  report devices \"{n}\"\n}\n",
    )
    .unwrap();
    let out = dexlint()
        .args(["lint", "--format", "json", "--policies"])
        .arg(dir.path())
        .arg(manifest().join("tests/fixtures/exports/graph-groups-select"))
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    // The fixture's groups are there: no division by zero, the rule is judged.
    assert!(
        !v["not_evaluated"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["policy"] == "ACME101"),
        "{v:#}"
    );
    let empty = tempfile::tempdir().unwrap();
    std::fs::write(
        empty.path().join("groups.json"),
        r#"{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#groups", "value": []}"#,
    )
    .unwrap();
    let out = dexlint()
        .args(["lint", "--format", "json", "--policies"])
        .arg(dir.path())
        .arg(empty.path())
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let reasons: Vec<&str> = v["not_evaluated"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["policy"] == "ACME101")
        .map(|n| n["reason"].as_str().unwrap())
        .collect();
    assert_eq!(reasons, ["a division by zero (a divisor is 0)"], "{v:#}");
}

#[test]
fn today_is_the_run_date_and_must_be_a_date() {
    let out = dexlint()
        .args(["lint", "--today", "tomorrow"])
        .arg(export())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("YYYY-MM-DD"));
}

#[test]
fn a_test_case_sets_the_run_date() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        policies().join("stale-devices.policy"),
        dir.path().join("stale-devices.policy"),
    )
    .unwrap();
    let case = dir.path().join("tests/ACME100/fires");
    copy_dir(&export(), &case.join("export"));
    let write = |today: &str| {
        std::fs::write(
            case.join("case.toml"),
            format!(
                "policies = [\"ACME100\"]\ntoday = \"{today}\"\n\n[[violation]]\npolicy = \"ACME100\"\nmessage = \"4 of 4 devices\"\n"
            ),
        )
        .unwrap();
    };
    let run = || {
        dexlint()
            .args(["test", "--no-builtin"])
            .arg(dir.path())
            .output()
            .unwrap()
    };
    write("2027-01-29");
    let out = run();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // Two days after the machines were last seen, nothing is stale: the case fails.
    write("2026-11-29");
    assert_eq!(run().status.code(), Some(1));
    write("soon");
    let out = run();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("is not a YYYY-MM-DD date"));
}

/// Runs one policy text over `export` and returns (messages of ACME102, reasons it was not
/// evaluated).
fn run_policy(policy: &str, export: &Path) -> (Vec<String>, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("acme.policy"), policy).unwrap();
    let out = dexlint()
        .args(["lint", "--format", "json", "--policies"])
        .arg(dir.path())
        .arg(export)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let reasons = v["not_evaluated"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["policy"] == "ACME102")
        .map(|n| n["reason"].as_str().unwrap().to_string())
        .collect();
    (messages(&v, "ACME102"), reasons)
}

#[test]
fn a_collection_the_export_lacks_is_unknown_in_a_quantifier() {
    // Groups only: `device_groups` is absent.
    let export = manifest().join("tests/fixtures/exports/graph-groups-select");
    let policy = |cond: &str, requires: &str| {
        format!(
            "policy ACME102 \"Scoping\" {{\n  severity warning\n{requires}  assert {cond}\n  report groups \"not scoped\"\n}}\n"
        )
    };
    // `true or unknown` holds: judged, no violation, nothing not evaluated.
    let (found, skipped) = run_policy(
        &policy(
            "count(g in groups) > 0 or any(d in device_groups: d.name == \"x\")",
            "",
        ),
        &export,
    );
    assert!(
        found.is_empty() && skipped.is_empty(),
        "{found:?} {skipped:?}"
    );
    // `false or unknown` is unknown: not evaluated, naming what to export.
    let (found, skipped) = run_policy(
        &policy(
            "count(g in groups) < 0 or any(d in device_groups: d.name == \"x\")",
            "",
        ),
        &export,
    );
    assert!(found.is_empty(), "{found:?}");
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert!(
        skipped[0].starts_with("no Defender for Endpoint device groups in the export"),
        "{skipped:?}"
    );
    // A policy that states its `requires` reads the absent collection as empty.
    let (found, skipped) = run_policy(
        &policy(
            "count(g in groups) < 0 or any(d in device_groups: d.name == \"x\")",
            "  requires groups\n",
        ),
        &export,
    );
    assert_eq!(found, ["not scoped"], "{skipped:?}");
    // Read by a rule's own `for`, an absent collection leaves the rule not evaluated as before.
    let (found, skipped) = run_policy(
        "policy ACME102 \"Each\" {\n  severity warning\n  for d in device_groups\n  where any(g in groups: g.name == d.name)\n  report d \"{d.name}\"\n}\n",
        &export,
    );
    assert!(found.is_empty(), "{found:?}");
    assert_eq!(skipped.len(), 1, "{skipped:?}");
}

#[test]
fn matches_ignores_the_case_of_letters_beyond_ascii() {
    // A new-user tester's site names: `Ü` and `ü` are the same letter to `matches`, from a
    // literal and from a parameter; `?` still matches one byte (BurntSushi/ripgrep#2873).
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("g.policy"),
        "policy G001 \"Globs on non-ASCII\" {\n  severity info\n  param sites: list<string> = \
         [\"PROD-MÜNCHEN\"]\n  assert false\n  report \"lit={matches(\"PROD-MÜNCHEN\", \
         \"prod-münchen\")} param={matches(\"prod-münchen\", sites)} star={matches(\"PROD-MÜNCHEN\", \
         \"prod-m*nchen\")} one={matches(\"prod-münchen\", \"prod-m?nchen\")} \
         other={matches(\"prod-munchen\", \"prod-münchen\")}\"\n}\n",
    )
    .unwrap();
    let out = dexlint()
        .args(["lint", "--no-builtin", "--format", "json", "--policies"])
        .arg(dir.path())
        .arg(export())
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        messages(&v, "G001"),
        ["lit=true param=true star=true one=false other=false"],
        "{v:#}"
    );
}
