//! A gate that cannot pass by checking nothing: selections that select, strict mode for
//! not-evaluated policies, configuration errors in every output format, baselines and
//! waivers of member findings, keyed redaction, paths, and the JUnit fail level.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common;

use common::{dexlint, manifest};
use std::path::Path;
use std::path::PathBuf;

/// Runs `dexlint ARGS --config DIR/dexlint.toml` with `toml` written there; (code, stdout, stderr).
fn with_config(dir: &Path, toml: &str, args: &[&str]) -> (i32, String, String) {
    let cfg = dir.join("dexlint.toml");
    std::fs::write(&cfg, toml).unwrap();
    let out = dexlint()
        .args(args)
        .arg("--config")
        .arg(&cfg)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

// 1. Selections that select.

#[test]
fn an_unknown_id_in_enable_is_an_error_with_a_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    // A letter O for the zero.
    let (code, _, err) = with_config(
        dir.path(),
        "enable = [\"DEX1O1\"]\n",
        &["lint", "examples/contoso"],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("selects no policy with `DEX1O1`"), "{err}");
    assert!(err.contains("did you mean `DEX101`?"), "{err}");
    assert!(err.contains("dexlint.toml:1:11"), "{err}");
}

#[test]
fn globs_and_tags_that_match_nothing_are_errors_in_enable_and_disable() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = with_config(
        dir.path(),
        "enable = [\"tag:licencing\", \"DEX9*\"]\ndisable = [\"DEX3O2\", \"tag:nope\"]\n",
        &["lint", "examples/contoso"],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("unknown tag `licencing`"), "{err}");
    assert!(err.contains("did you mean `tag:licensing`?"), "{err}");
    assert!(err.contains("selects no policy with `DEX9*`"), "{err}");
    assert!(err.contains("selects no policy with `DEX3O2`"), "{err}");
    assert!(err.contains("did you mean `DEX302`?"), "{err}");
    assert!(err.contains("unknown tag `nope`"), "{err}");
    assert!(err.contains("dexlint.toml:2:22"), "{err}");

    // Selectors that do select are accepted and select.
    let (code, out, err) = with_config(
        dir.path(),
        "edition = \"2025-08\"\nenable = [\"tag:licensing\", \"DEX00*\"]\ndisable = [\"DEX106\"]\n",
        &["lint", "examples/contoso", "--format", "json"],
    );
    assert_ne!(code, 2, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let policies: Vec<&str> = json["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["policy"].as_str().unwrap())
        .collect();
    assert!(!policies.is_empty());
    assert!(
        policies
            .iter()
            .all(|p| p.starts_with("DEX00") || p.starts_with("DEX10")),
        "{policies:?}"
    );
    assert!(!policies.contains(&"DEX106"));
}

#[test]
fn a_run_that_selects_no_policy_is_a_usage_error() {
    let empty = tempfile::tempdir().unwrap();
    let out = dexlint()
        .args(["lint", "examples/contoso", "--no-builtin", "--policies"])
        .arg(empty.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("no policy selected"), "{err}");

    // Every id enabled is then disabled.
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = with_config(
        dir.path(),
        "enable = [\"DEX101\"]\ndisable = [\"tag:licensing\"]\n",
        &["lint", "examples/contoso"],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no policy selected"), "{err}");
}

// 3. Parameters.

#[test]
fn a_parameter_of_the_wrong_type_points_into_the_toml_and_drops_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = with_config(
        dir.path(),
        "[policy.DEX105]\nseverity = \"error\"\nparams = { e5_skus = \"SPE_E5\" }\n",
        &["lint", "examples/contoso", "--format", "json"],
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(
            "parameter `e5_skus` of `DEX105` must be `list<string>`, found a string `\"SPE_E5\"`"
        ),
        "{err}"
    );
    assert!(err.contains("a string, not `list<string>`"), "{err}");
    assert!(err.contains("dexlint.toml:3:22"), "{err}");
    assert!(!err.contains("files failed to load"), "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["summary"]["files_failed"], 0, "{json:#}");
}

// 2. Strict mode.

/// An export of device data only: the licensing policies have nothing to judge.
fn devices_only(dir: &Path) -> PathBuf {
    let export = dir.join("export");
    common::copy_dir(
        &manifest().join("examples/contoso/mde"),
        &export.join("mde"),
    );
    export
}

#[test]
fn not_evaluated_policies_fail_the_run_in_strict_mode() {
    let dir = tempfile::tempdir().unwrap();
    let export = devices_only(dir.path());
    let export = export.to_str().unwrap();
    let toml = "enable = [\"DEX004\", \"DEX101\"]\n";
    let (code, out, err) = with_config(dir.path(), toml, &["lint", export, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["not_evaluated"][0]["policy"], "DEX101", "{json:#}");
    assert!(json["violations"].as_array().unwrap().is_empty());

    let (code, _, err) = with_config(
        dir.path(),
        toml,
        &["lint", export, "--fail-on-not-evaluated"],
    );
    assert_eq!(code, 1, "{err}");
    let toml = format!("{toml}fail-on-not-evaluated = true\n");
    let (code, out, err) = with_config(dir.path(), &toml, &["lint", export]);
    assert_eq!(code, 1, "{err}");
    assert!(out.contains("DEX101"), "{out}");

    // With every selected policy evaluated, strict mode passes.
    let toml = "enable = [\"DEX004\"]\nfail-on-not-evaluated = true\n";
    let (code, _, err) = with_config(dir.path(), toml, &["lint", export]);
    assert_eq!(code, 0, "{err}");
}

// 4. One complete document in every format, also when the run cannot start.

fn parse_xml(xml: &str) -> Vec<String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut names = Vec::new();
    loop {
        match reader.read_event().unwrap() {
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e) => {
                names.push(String::from_utf8(e.name().as_ref().to_vec()).unwrap())
            }
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    names
}

#[test]
fn every_format_writes_a_document_when_the_configuration_fails() {
    let dir = tempfile::tempdir().unwrap();
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(manifest().join("tests/fixtures/sarif-schema-2.1.0.json"))
            .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    for format in ["json", "sarif", "junit", "github", "azure"] {
        // The output directory does not exist yet: it is created.
        let output = dir.path().join(format!("out/{format}/report"));
        let (code, out, err) = with_config(
            dir.path(),
            "enable = [\"DEX1O1\"]\n",
            &[
                "lint",
                "examples/contoso",
                "--format",
                format,
                "--output",
                output.to_str().unwrap(),
            ],
        );
        assert_eq!(code, 2, "{format}: {err}");
        assert!(out.is_empty(), "{format}: {out}");
        assert!(err.contains("did you mean `DEX101`?"), "{format}: {err}");
        let text = std::fs::read_to_string(&output).unwrap();
        assert!(text.contains("DEX1O1"), "{format}: {text}");
        assert!(text.contains("did you mean `DEX101`?"), "{format}: {text}");
        match format {
            "json" => {
                let json: serde_json::Value = serde_json::from_str(&text).unwrap();
                let e = &json["errors"][0];
                assert!(e["file"].as_str().unwrap().ends_with("dexlint.toml"), "{e}");
                assert_eq!(
                    (e["line"].as_u64(), e["column"].as_u64()),
                    (Some(1), Some(11))
                );
                assert_eq!(json["summary"]["errors"], 1);
                assert_eq!(json["summary"]["files_failed"], 0);
            }
            "sarif" => {
                let sarif: serde_json::Value = serde_json::from_str(&text).unwrap();
                let errors: Vec<String> = validator
                    .iter_errors(&sarif)
                    .map(|e| e.to_string())
                    .collect();
                assert!(errors.is_empty(), "{errors:#?}");
                let run = &sarif["runs"][0];
                assert_eq!(run["invocations"][0]["executionSuccessful"], false);
            }
            "junit" => {
                let names = parse_xml(&text);
                assert!(names.contains(&"error".to_string()), "{text}");
            }
            "github" => assert!(
                text.lines()
                    .any(|l| l.starts_with("::error file=")
                        && l.contains("dexlint.toml,line=1,col=11")),
                "{text}"
            ),
            _ => assert!(
                text.lines().any(
                    |l| l.starts_with("##vso[task.logissue type=error;sourcepath=")
                        && l.contains("dexlint.toml;linenumber=1;columnnumber=11")
                ),
                "{text}"
            ),
        }
    }
}

#[test]
fn a_policy_error_is_reported_inside_the_json_document() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("org.policy"),
        "policy ORG001 \"Broken\" {\n  severity error\n  for g in groups\n  where g.nmae == \"x\"\n  report g \"bad\"\n}\n",
    )
    .unwrap();
    let out = dexlint()
        .args(["lint", "examples/contoso", "--format", "json", "--policies"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let e = &json["errors"][0];
    assert!(e["file"].as_str().unwrap().ends_with("org.policy"), "{e}");
    assert_eq!(e["line"], 4, "{e}");
    assert!(e["message"].as_str().unwrap().contains("nmae"), "{e}");
}

#[test]
fn a_report_that_cannot_be_written_names_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("file");
    std::fs::write(&file, "").unwrap();
    let target = file.join("report.json");
    let out = dexlint()
        .args(["lint", "examples/contoso", "--format", "json", "--output"])
        .arg(&target)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains(&target.display().to_string()), "{err}");
}

// 5. Baselines of member findings.

const SCOPED_MEMBERS: &str = "graph/groups/b320b3f0-6a2d-4a47-9c5e-3e0f1f6f8a21/members.json";

#[test]
fn a_baseline_hides_an_unchanged_nested_group_but_not_a_swapped_one() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("export");
    common::copy_dir(&manifest().join("examples/contoso"), &export);
    let export_arg = export.to_str().unwrap();
    // The baseline path comes from the configuration, relative to it.
    let toml = "baseline = \"ci/baseline.json\"\n";
    let (code, _, err) = with_config(dir.path(), toml, &["lint", export_arg, "--write-baseline"]);
    assert_eq!(code, 0, "{err}");
    let written = std::fs::read_to_string(dir.path().join("ci/baseline.json")).unwrap();
    assert!(
        written.contains("groups/b320b3f0-6a2d-4a47-9c5e-3e0f1f6f8a21/members/e2d4c1a8-7b3f-4c55-8d2e-91f0a6b7c3d4"),
        "{written}"
    );

    // Unchanged: everything is baselined, nothing is stale.
    let (code, out, err) = with_config(dir.path(), toml, &["lint", export_arg, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(
        json["violations"].as_array().unwrap().is_empty(),
        "{json:#}"
    );
    assert!(json["errors"].as_array().unwrap().is_empty(), "{json:#}");

    // One nested group swapped for another: the new one is reported, the old entry is stale.
    let members = export.join(SCOPED_MEMBERS);
    let text = std::fs::read_to_string(&members)
        .unwrap()
        .replace(
            "e2d4c1a8-7b3f-4c55-8d2e-91f0a6b7c3d4",
            "0a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d",
        )
        .replace("SOC Tier 2 Analysts", "Helpdesk Operators");
    std::fs::write(&members, text).unwrap();
    let (code, out, err) = with_config(dir.path(), toml, &["lint", export_arg, "--format", "json"]);
    assert_eq!(code, 1, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let new: Vec<(&str, &str)> = json["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["policy"].as_str().unwrap(),
                v["message"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(new.len(), 1, "{json:#}");
    assert_eq!(new[0].0, "DEX003");
    assert!(new[0].1.contains("Helpdesk Operators"), "{new:?}");
    let stale: Vec<&str> = json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["level"] == "warning")
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert_eq!(stale.len(), 1, "{json:#}");
    assert!(stale[0].contains("stale baseline entry"), "{stale:?}");
    assert!(
        stale[0].contains("e2d4c1a8-7b3f-4c55-8d2e-91f0a6b7c3d4"),
        "{stale:?}"
    );
    assert!(json["errors"][0]["file"]
        .as_str()
        .unwrap()
        .ends_with("ci/baseline.json"));
}

// 6. Redaction.

/// The example export with its nested group renamed `Servers`.
fn servers_export(dir: &Path) -> PathBuf {
    let export = dir.join("export");
    common::copy_dir(&manifest().join("examples/contoso"), &export);
    for file in common::files(&export) {
        let text = std::fs::read_to_string(&file).unwrap();
        if text.contains("SOC Tier 2 Analysts") {
            std::fs::write(&file, text.replace("SOC Tier 2 Analysts", "Servers")).unwrap();
        }
    }
    export
}

fn redacted(export: &Path, format: &str, key: Option<&str>) -> String {
    let mut c = dexlint();
    c.env_remove("DEXLINT_REDACT_KEY")
        .arg("lint")
        .arg(export)
        .args(["--format", format, "--redact", "--edition", "2025-08"]);
    if let Some(k) = key {
        c.env("DEXLINT_REDACT_KEY", k);
    }
    String::from_utf8(c.output().unwrap().stdout).unwrap()
}

#[test]
fn redaction_hashes_values_and_keeps_dexlints_own_words() {
    let dir = tempfile::tempdir().unwrap();
    let export = servers_export(dir.path());
    let json: serde_json::Value =
        serde_json::from_str(&redacted(&export, "json", Some("k1"))).unwrap();
    let message = |policy: &str| -> String {
        json["violations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["policy"] == policy)
            .unwrap_or_else(|| panic!("{policy} in {json:#}"))["message"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let dex302 = message("DEX302");
    assert!(
        dex302.contains("has no Defender for Servers plan"),
        "{dex302}"
    );
    let dex003 = message("DEX003");
    assert!(!dex003.contains("Servers"), "{dex003}");
    assert!(dex003.contains("the nested group `h:"), "{dex003}");
    assert!(
        dex003.contains("scoped group `Defender_Experts_Scoped_Coverage_Users`"),
        "{dex003}"
    );

    // The snippet of the device member: its object id and its deviceId are both hashed.
    let human = redacted(&export, "human", Some("k1"));
    for secret in [
        "9b8a7c6d-5e4f-3a2b-1c0d-e9f8a7b6c5d4",
        "1f0e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
        "CONTOSO-LT-042",
        "b320b3f0-6a2d-4a47-9c5e-3e0f1f6f8a21",
        "\"Servers\"",
    ] {
        assert!(!human.contains(secret), "`{secret}` leaked:\n{human}");
    }
    assert!(human.contains("\"deviceId\": \"h:"), "{human}");
    assert!(human.contains("Defender for Servers plan"), "{human}");
}

#[test]
fn redaction_hashes_are_keyed() {
    let dir = tempfile::tempdir().unwrap();
    let export = servers_export(dir.path());
    let a = redacted(&export, "json", Some("k1"));
    assert_eq!(
        a,
        redacted(&export, "json", Some("k1")),
        "one key, one result"
    );
    assert_ne!(a, redacted(&export, "json", Some("k2")), "another key");
    // Without a key, every run draws its own.
    assert_ne!(
        redacted(&export, "json", None),
        redacted(&export, "json", None)
    );
    // `--redact-key` on the command line works like the variable.
    let out = dexlint()
        .env_remove("DEXLINT_REDACT_KEY")
        .arg("lint")
        .arg(&export)
        .args(["--format", "json", "--redact", "--redact-key", "k1"])
        .args(["--edition", "2025-08"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), a);
    // A hash is not a bare digest of the value: a reader cannot confirm a guess by hashing it.
    let upn = "alex.wilber@contoso.com";
    let unkeyed = dexlint::report::sarif::fingerprint(&[upn]);
    assert!(!a.contains(unkeyed.get(..8).unwrap()), "{a}");
    assert!(a.contains(&dexlint::redact::Key::from_secret("k1").hash(upn)));
}

// 7. Paths of roots from the configuration.

#[test]
fn roots_from_the_configuration_are_named_relative_to_it() {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(
        &manifest().join("examples/contoso"),
        &dir.path().join("exports/contoso"),
    );
    let toml = "exports = [\"./exports/contoso/\"]\n";
    let (code, out, err) = with_config(dir.path(), toml, &["lint", "--format", "json"]);
    assert_eq!(code, 1, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let roots: Vec<&str> = json["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v["root"].as_str())
        .collect();
    assert!(!roots.is_empty());
    assert!(roots.iter().all(|r| *r == "exports/contoso"), "{roots:?}");
    let (_, out, _) = with_config(dir.path(), toml, &["lint", "--format", "github"]);
    assert!(
        out.contains("::error file=exports/contoso/mde/devicegroups.json,line=5"),
        "{out}"
    );
    // The same root given on the command line, resolved as the configuration does, keeps the
    // configuration's name.
    let root = dir.path().join("./exports/contoso/");
    let (_, out, _) = with_config(
        dir.path(),
        toml,
        &["lint", root.to_str().unwrap(), "--format", "github"],
    );
    assert!(out.contains("::error file=exports/contoso/mde/"), "{out}");
}

// 8. Policy directories, list and explain.

const ORG_POLICY: &str = "policy ORG001 \"Groups are not named Test\" {\n  severity warning\n  tags \"naming\"\n  for g in groups\n  where g.name == \"Test\"\n  report g \"group `{g.name}` is a test group\"\n}\n";

fn org_config(dir: &Path) -> String {
    std::fs::create_dir_all(dir.join("org")).unwrap();
    std::fs::write(dir.join("org/org001.policy"), ORG_POLICY).unwrap();
    "policies = [\"org\"]\ndisable = [\"DEX106\"]\n[policy.DEX105]\nseverity = \"error\"\nparams = { e5_skus = [\"SPE_E5\"] }\n".to_string()
}

#[test]
fn a_policy_directory_named_twice_is_loaded_once() {
    let dir = tempfile::tempdir().unwrap();
    let toml = org_config(dir.path());
    let org = dir.path().join("org");
    let (code, out, err) = with_config(
        dir.path(),
        &toml,
        &[
            "lint",
            "examples/contoso",
            "--format",
            "json",
            "--policies",
            org.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(json["errors"].as_array().unwrap().is_empty(), "{json:#}");
}

#[test]
fn list_and_explain_apply_the_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let toml = org_config(dir.path());
    let (code, out, err) = with_config(dir.path(), &toml, &["list", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let list: serde_json::Value = serde_json::from_str(&out).unwrap();
    let entry = |id: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == id)
            .unwrap_or_else(|| panic!("{id} in {list:#}"))
            .clone()
    };
    assert_eq!(entry("DEX106")["enabled"], false);
    assert_eq!(entry("DEX101")["enabled"], true);
    assert_eq!(entry("DEX105")["severity"], "error");
    assert_eq!(entry("ORG001")["severity"], "warning");

    let (_, human, _) = with_config(dir.path(), &toml, &["list"]);
    let dex106 = human.lines().find(|l| l.starts_with("DEX106")).unwrap();
    assert!(dex106.ends_with("(disabled)"), "{dex106}");

    let (code, out, err) = with_config(dir.path(), &toml, &["explain", "DEX105"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("DEX105 ") && out.contains("(error)"),
        "{out}"
    );
    assert!(
        out.contains("e5_skus: list<string> = [\"SPE_E5\"] (set in dexlint.toml)"),
        "{out}"
    );
    let (code, out, _) = with_config(dir.path(), &toml, &["explain", "ORG001"]);
    assert_eq!(code, 0);
    assert!(out.contains("Groups are not named Test"), "{out}");
    let (_, out, _) = with_config(dir.path(), &toml, &["explain", "DEX106"]);
    assert!(out.contains("disabled by the configuration"), "{out}");
}

// 9. JUnit and the fail level.

fn junit_counts(xml: &str) -> (usize, usize) {
    let names = parse_xml(xml);
    let count = |n: &str| names.iter().filter(|x| *x == n).count();
    (count("failure"), count("property"))
}

#[test]
fn junit_failures_are_the_violations_that_fail_the_run() {
    let run = |level: &str| {
        let out = dexlint()
            .args([
                "lint",
                "examples/contoso",
                "--format",
                "junit",
                "--fail-level",
                level,
            ])
            .output()
            .unwrap();
        (out.status.code(), String::from_utf8(out.stdout).unwrap())
    };
    let (_, json) = {
        let out = dexlint()
            .args(["lint", "examples/contoso", "--format", "json"])
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        (0, v)
    };
    let count = |sev: &str| json["summary"]["violations"][sev].as_u64().unwrap_or(0) as usize;
    let (errors, warnings) = (count("error"), count("warning"));
    assert!(errors > 0 && warnings > 0);

    let (code, xml) = run("error");
    assert_eq!(code, Some(1));
    let (failures, properties) = junit_counts(&xml);
    assert_eq!(failures, errors);
    assert!(properties >= warnings * 2, "{xml}");
    assert!(
        xml.contains("name=\"below-fail-level\" value=\"error\""),
        "{xml}"
    );

    let (_, xml) = run("warning");
    assert_eq!(junit_counts(&xml).0, errors + warnings);
}

#[test]
fn every_severity_is_counted_in_the_json_summary_none_too() {
    // A run that finds nothing: `summary.violations.error` is 0, not absent, overall and per
    // tenant.
    let out = dexlint()
        .args([
            "lint",
            "policies/tests/DEX001/silent-2/export",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{json:#}");
    let zero = serde_json::json!({"error": 0, "warning": 0, "info": 0});
    assert_eq!(json["summary"]["violations"], zero, "{json:#}");
    assert_eq!(
        json["summary"]["tenants"][0]["violations"], zero,
        "{json:#}"
    );
    // Also when the run stops before evaluating (an export directory that does not exist).
    let out = dexlint()
        .args(["lint", "no/such/export", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["summary"]["violations"], zero, "{json:#}");
}
