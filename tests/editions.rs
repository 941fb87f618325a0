//! Editions of the catalogue (2025-08: Defender Experts for XDR; 2026-07: Defender Experts MDR
//! and standalone Defender Experts for Servers): selection by `--edition` and `edition = "..."`,
//! the default, unknown names, per-edition parameters, and how reports and docs name them.
//! The exports are the policy test cases' own (`policies/tests/DEX104/...`), built from Graph's
//! documented subscribedSku shape.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common::{dexlint, manifest};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn case_export(case: &str) -> PathBuf {
    manifest().join("policies/tests").join(case).join("export")
}

/// Exit code, stdout and stderr of `dexlint ARGS` run in `dir` (no dexlint.toml above it).
fn run_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = dexlint().current_dir(dir).args(args).output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn lint_json(export: &Path, extra: &[&str]) -> (i32, serde_json::Value) {
    let tmp = tempfile::tempdir().unwrap();
    let mut args = vec!["lint", export.to_str().unwrap(), "--format", "json"];
    args.extend_from_slice(extra);
    let (code, out, err) = run_in(tmp.path(), &args);
    let json = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    (code, json)
}

fn violations_of(report: &serde_json::Value, policy: &str) -> usize {
    report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["policy"] == policy)
        .count()
}

fn not_evaluated(report: &serde_json::Value, policy: &str) -> bool {
    report["not_evaluated"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["policy"] == policy)
}

fn list_ids(edition: &str) -> BTreeSet<String> {
    let tmp = tempfile::tempdir().unwrap();
    let (code, out, err) = run_in(
        tmp.path(),
        &["list", "--edition", edition, "--format", "json"],
    );
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    json.as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let editions: Vec<&str> = e["editions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_str().unwrap())
                .collect();
            assert!(editions.contains(&edition), "{e}");
            e["id"].as_str().unwrap().to_string()
        })
        .collect()
}

/// The ids docs/policies.md marks `yes` in the edition's column of its edition table.
fn documented_ids(edition: &str) -> BTreeSet<String> {
    let doc = std::fs::read_to_string(manifest().join("docs/policies.md")).unwrap();
    let mut lines = doc.lines().skip_while(|l| !l.starts_with("| id | rule |"));
    let header: Vec<&str> = lines.next().unwrap().split('|').map(str::trim).collect();
    let col = header.iter().position(|h| *h == edition).unwrap();
    lines
        .skip(1)
        .take_while(|l| l.starts_with("| DEX"))
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            (cells[col] == "yes").then(|| cells[1].to_string())
        })
        .collect()
}

#[test]
fn list_per_edition_differs_exactly_as_the_policy_reference_says() {
    let old = list_ids("2025-08");
    let new = list_ids("2026-07");
    assert_eq!(old, documented_ids("2025-08"));
    assert_eq!(new, documented_ids("2026-07"));
    let dropped: Vec<&String> = old.difference(&new).collect();
    let added: Vec<&String> = new.difference(&old).collect();
    assert_eq!(dropped, ["DEX102", "DEX301"]);
    assert_eq!(added, ["DEX107", "DEX305", "DEX306"]);
    // The default is the newest.
    let tmp = tempfile::tempdir().unwrap();
    let (_, out, _) = run_in(tmp.path(), &["list", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let ids: BTreeSet<String> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, new);
}

#[test]
fn entra_p2_alone_fails_dex104_in_2025_08_and_passes_in_2026_07() {
    let export = case_export("DEX104/fires-entra-p2-only-2025-08");
    let (code, old) = lint_json(&export, &["--edition", "2025-08"]);
    assert_eq!(violations_of(&old, "DEX104"), 1, "{old:#}");
    assert_eq!(code, 1);
    assert_eq!(old["summary"]["edition"], "2025-08");
    let (_, new) = lint_json(&export, &["--edition", "2026-07"]);
    assert_eq!(violations_of(&new, "DEX104"), 0, "{new:#}");
    assert!(!not_evaluated(&new, "DEX104"), "{new:#}");
    assert_eq!(new["summary"]["edition"], "2026-07");
}

#[test]
fn defender_for_endpoint_plan_1_alone_fails_dex104_in_2026_07() {
    let export = case_export("DEX104/fires-mde-plan1-only-2026-07");
    let (_, new) = lint_json(&export, &["--edition", "2026-07"]);
    assert_eq!(violations_of(&new, "DEX104"), 1, "{new:#}");
    // Without `--edition`, the newest applies.
    let (_, default) = lint_json(&export, &[]);
    assert_eq!(default["summary"]["edition"], "2026-07");
    assert_eq!(violations_of(&default, "DEX104"), 1, "{default:#}");
}

#[test]
fn a_configuration_value_overrides_the_edition_parameter() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("dexlint.toml"),
        "edition = \"2026-07\"\n[policy.DEX104]\nparams = { eligible_plans = [\"MDE_LITE\"] }\n",
    )
    .unwrap();
    let export = case_export("DEX104/fires-mde-plan1-only-2026-07");
    let (code, out, err) = run_in(
        tmp.path(),
        &["lint", export.to_str().unwrap(), "--format", "json"],
    );
    let json: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|_| panic!("{err}"));
    assert_eq!(violations_of(&json, "DEX104"), 0, "{code} {json:#}");
}

#[test]
fn unknown_editions_are_usage_errors_listing_the_known_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let export = case_export("DEX104/fires-mde-plan1-only-2026-07");
    let export = export.to_str().unwrap();
    for args in [
        vec!["lint", export, "--edition", "2024-10"],
        vec!["lint", export, "--edition", "2024-10", "--format", "json"],
        vec!["list", "--edition", "2024-10"],
        vec!["explain", "DEX104", "--edition", "2024-10"],
        vec!["test", "policies", "--edition", "2024-10"],
    ] {
        let (code, _, err) = run_in(tmp.path(), &args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains("unknown edition `2024-10`"), "{args:?}: {err}");
        assert!(
            err.contains("`2025-08`") && err.contains("`2026-07`"),
            "{args:?}: {err}"
        );
    }
    std::fs::write(tmp.path().join("dexlint.toml"), "edition = \"2026-13\"\n").unwrap();
    let (code, _, err) = run_in(tmp.path(), &["lint", export]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("unknown edition `2026-13`"), "{err}");
    assert!(err.contains("dexlint.toml:1:11"), "{err}");
    assert!(err.contains("`2025-08`"), "{err}");
}

#[test]
fn the_command_line_edition_overrides_the_configuration() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("dexlint.toml"), "edition = \"2025-08\"\n").unwrap();
    let export = case_export("DEX104/fires-entra-p2-only-2025-08");
    let export = export.to_str().unwrap();
    let (_, out, _) = run_in(tmp.path(), &["lint", export, "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["summary"]["edition"], "2025-08");
    assert_eq!(violations_of(&json, "DEX104"), 1);
    let (_, out, _) = run_in(
        tmp.path(),
        &["lint", export, "--format", "json", "--edition", "2026-07"],
    );
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["summary"]["edition"], "2026-07");
    assert_eq!(violations_of(&json, "DEX104"), 0);
    let (_, out, _) = run_in(tmp.path(), &["list"]);
    assert!(out.contains("DEX102"), "{out}");
    assert!(!out.contains("DEX107"), "{out}");
}

#[test]
fn every_report_format_names_the_edition() {
    let tmp = tempfile::tempdir().unwrap();
    let export = case_export("DEX104/fires-entra-p2-only-2025-08");
    let export = export.to_str().unwrap();
    let (_, human, _) = run_in(tmp.path(), &["lint", export, "--edition", "2025-08"]);
    assert!(
        human.contains("edition 2025-08 (Microsoft Defender Experts for XDR"),
        "{human}"
    );
    let (_, sarif, _) = run_in(
        tmp.path(),
        &["lint", export, "--format", "sarif", "--edition", "2025-08"],
    );
    let sarif: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    assert_eq!(sarif["runs"][0]["properties"]["edition"], "2025-08");
    // The rule's help link is the page it cites in the edition of the run.
    let rule = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "DEX104")
        .unwrap();
    assert_eq!(
        rule["helpUri"],
        "https://learn.microsoft.com/en-us/defender-xdr/before-you-begin-xdr"
    );
    // The run's properties keep the document valid SARIF 2.1.0 (edition 2026-07, the default).
    let (_, sarif, _) = run_in(tmp.path(), &["lint", export, "--format", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    assert_eq!(sarif["runs"][0]["properties"]["edition"], "2026-07");
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(manifest().join("tests/fixtures/sarif-schema-2.1.0.json"))
            .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let (_, junit, _) = run_in(tmp.path(), &["lint", export, "--format", "junit"]);
    assert!(
        junit.contains("<testsuites name=\"dexlint (edition 2026-07)\""),
        "{junit}"
    );
}

#[test]
fn explain_shows_the_editions_and_the_cited_pages() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, out, _) = run_in(tmp.path(), &["explain", "DEX104", "--edition", "2025-08"]);
    assert_eq!(code, 0);
    assert!(out.contains("editions: 2025-08, 2026-07"), "{out}");
    assert!(
        out.contains("cites 2025-08: \"Before you begin using the Microsoft Defender Experts for XDR service\", section \"Prerequisites and licensing\", ms.date 08/01/2025"),
        "{out}"
    );
    assert!(
        out.contains("cites 2026-07: \"Before you begin using the Microsoft Defender Experts MDR service\", section \"Service coverage prerequisites\", ms.date 07/29/2026"),
        "{out}"
    );
    assert!(out.contains("eligible_plans: list<string> = [\"WINDEFATP\", \"THREAT_INTELLIGENCE\", \"ATA\", \"ADALLOM_S_STANDALONE\"] (edition 2025-08)"), "{out}");
    // `docs:` is the page the edition cites, the link a run prints.
    assert!(
        out.contains("docs: https://learn.microsoft.com/en-us/defender-xdr/before-you-begin-xdr\n"),
        "{out}"
    );
    let (_, out, _) = run_in(tmp.path(), &["explain", "DEX104"]);
    assert!(
        out.contains("\"AAD_PREMIUM_P2\"] (edition 2026-07)"),
        "{out}"
    );
    assert!(
        out.contains("docs: https://learn.microsoft.com/en-us/defender-xdr/defender-experts-mdr-prerequisites\n"),
        "{out}"
    );
    // A policy of the other edition is explained, and says it does not run.
    let (code, out, _) = run_in(tmp.path(), &["explain", "DEX102"]);
    assert_eq!(code, 0);
    assert!(out.contains("editions: 2025-08\n"), "{out}");
    assert!(out.contains("not in edition 2026-07"), "{out}");
}

#[test]
fn policy_files_name_known_editions_and_cite_only_their_own() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("org.policy");
    std::fs::write(
        &file,
        r#"policy ORG001 "x" {
  severity warning
  editions "2025-08", "2026-7"
  cite "2026-07" {
    title "A page"
    url "https://learn.microsoft.com/x"
    sectoin "s"
  }
  cite "2025-08" {
    url "https://learn.microsoft.com/y"
  }
  assert count(u in users: u.enabled) >= 0
  report users "never"
}
"#,
    )
    .unwrap();
    let (code, _, err) = run_in(tmp.path(), &["check", file.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("unknown edition `2026-7`"), "{err}");
    assert!(err.contains("has no field `sectoin`"), "{err}");
    assert!(err.contains("did you mean `section`"), "{err}");
    assert!(err.contains("`cite` needs a `title`"), "{err}");
    // `2026-07` is cited but, its `editions` entry being misspelt, not one of the policy's.
    assert!(err.contains("unknown edition `2026-07`"), "{err}");

    // A policy without `editions` belongs to every edition.
    std::fs::write(
        &file,
        "policy ORG001 \"x\" {\n  severity warning\n  assert count(u in users: u.enabled) >= 0\n  report users \"never\"\n}\n",
    )
    .unwrap();
    for edition in ["2025-08", "2026-07"] {
        let (_, out, _) = run_in(
            tmp.path(),
            &[
                "list",
                "--policies",
                tmp.path().to_str().unwrap(),
                "--edition",
                edition,
            ],
        );
        assert!(out.contains("ORG001"), "{edition}: {out}");
    }
}

#[test]
fn cite_blocks_survive_formatting() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("org.policy");
    let messy = "policy ORG002 \"x\" {\n severity info\n editions \"2026-07\"\n cite \"2026-07\" { title \"T\"   url \"https://learn.microsoft.com/t\" date \"07/29/2026\" }\n assert true\n report users \"never\"\n}\n";
    std::fs::write(&file, messy).unwrap();
    let (code, _, err) = run_in(tmp.path(), &["fmt", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let formatted = std::fs::read_to_string(&file).unwrap();
    assert!(
        formatted.contains("  cite \"2026-07\" {\n    title \"T\"\n    url \"https://learn.microsoft.com/t\"\n    date \"07/29/2026\"\n  }\n"),
        "{formatted}"
    );
    let (code, _, err) = run_in(tmp.path(), &["fmt", "--check", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run_in(tmp.path(), &["check", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn enabling_a_policy_of_another_edition_is_a_configuration_error() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("dexlint.toml");
    std::fs::write(&config, "enable = [\"DEX301\", \"DEX101\"]\n").unwrap();
    let out = crate::common::dexlint()
        .args(["lint", "examples/contoso", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("`DEX301`, which is not in edition 2026-07"),
        "{err}"
    );
    assert!(err.contains("edition = \"2025-08\""), "{err}");
    // Under its own edition the same configuration runs.
    let ok = crate::common::dexlint()
        .args([
            "lint",
            "examples/contoso",
            "--edition",
            "2025-08",
            "--config",
        ])
        .arg(&config)
        .output()
        .unwrap();
    assert_ne!(
        ok.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
}

#[test]
fn settings_of_a_policy_of_another_edition_are_a_configuration_error() {
    // `[policy.DEX107]` (2026-07 only) under 2025-08, `[policy.DEX102]` (2025-08 only) under
    // 2026-07: the run would leave the policy out and its settings with it, without a word.
    for (edition, id, other) in [
        ("2025-08", "DEX107", "2026-07"),
        ("2026-07", "DEX102", "2025-08"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("dexlint.toml");
        std::fs::write(
            &config,
            format!("edition = \"{edition}\"\n[policy.{id}]\nseverity = \"error\"\n"),
        )
        .unwrap();
        let out = crate::common::dexlint()
            .args(["lint", "examples/contoso", "--config"])
            .arg(&config)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!(
                "`[policy.{id}]` sets `{id}`, which is not in edition {edition} (only {other})"
            )),
            "{err}"
        );
        // Under the policy's own edition the same settings apply.
        let ok = crate::common::dexlint()
            .args(["lint", "examples/contoso", "--edition", other, "--config"])
            .arg(&config)
            .output()
            .unwrap();
        assert_ne!(
            ok.status.code(),
            Some(2),
            "{}",
            String::from_utf8_lossy(&ok.stderr)
        );
    }
}
