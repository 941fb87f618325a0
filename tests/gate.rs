//! Gating pull requests: SARIF against the official schema, JUnit, CI annotations, waivers,
//! baselines and configuration errors.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common;
use assert_cmd::Command;
use dexlint::baseline::Baseline;
use dexlint::config::Config;
use dexlint::export::DiagLevel;
use dexlint::lint::{self, LintOptions};
use time::Date;

use common::{dexlint, manifest};
use std::path::{Path, PathBuf};

fn stdout(args: &[&str]) -> String {
    String::from_utf8(dexlint().args(args).output().unwrap().stdout).unwrap()
}

fn example_json() -> serde_json::Value {
    serde_json::from_str(&stdout(&["lint", "examples/contoso", "--format", "json"])).unwrap()
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let sarif: serde_json::Value = serde_json::from_str(&stdout(&[
        "lint",
        "examples/contoso",
        "--format",
        "sarif",
        // Every result of this edition on the example has an excerpt (2026-07's DEX107
        // points at a whole document, shown without a snippet).
        "--edition",
        "2025-08",
    ]))
    .unwrap();
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(manifest().join("tests/fixtures/sarif-schema-2.1.0.json"))
            .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");

    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 24); // the policies of edition 2025-08
    assert!(rules
        .iter()
        .all(|r| r["helpUri"].is_string() && r["help"]["text"].is_string()));
    // GitHub keeps 1024 characters of `fullDescription`: a longer description is cut at a
    // sentence there, whole in the help (text and Markdown, which GitHub shows).
    let report = lint::run(&LintOptions {
        roots: vec![manifest().join("examples/contoso")],
        edition: Some("2025-08".into()),
        ..LintOptions::default()
    })
    .unwrap();
    let mut cut = 0;
    for r in rules {
        let full = r["fullDescription"]["text"].as_str().unwrap_or("");
        assert!(full.chars().count() <= 1024, "{}: {}", r["id"], full.len());
        let help = r["help"]["text"].as_str().unwrap();
        assert!(help.starts_with(full), "{r:#}");
        let policy = report.policies.iter().find(|p| p.id == r["id"]).unwrap();
        let description = policy.description.clone().unwrap_or_default();
        if description.chars().count() > 1024 {
            cut += 1;
            assert!(full.ends_with('.'), "{}: {full}", r["id"]);
            assert!(help.starts_with(&description), "{r:#}");
            assert!(r["help"]["markdown"]
                .as_str()
                .unwrap()
                .contains("**How to fix**"));
        }
    }
    assert!(cut >= 5, "{cut}");
    let results = run["results"].as_array().unwrap();
    let json: serde_json::Value = serde_json::from_str(&stdout(&[
        "lint",
        "examples/contoso",
        "--format",
        "json",
        "--edition",
        "2025-08",
    ]))
    .unwrap();
    assert_eq!(results.len(), json["violations"].as_array().unwrap().len());
    for r in results {
        let region = &r["locations"][0]["physicalLocation"]["region"];
        assert!(region["startLine"].as_u64().unwrap() >= 1, "{r:#}");
        for key in ["endLine", "endColumn", "startColumn"] {
            assert!(region[key].as_u64().is_some(), "{key} in {r:#}");
        }
        assert!(region["snippet"]["text"].is_string());
        assert!(r["partialFingerprints"]["dexlint/v1"].is_string());
        let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(uri.starts_with("examples/contoso/"), "{uri}");
    }
}

#[test]
fn junit_parses_and_counts_match_json() {
    let xml = stdout(&["lint", "examples/contoso", "--format", "junit"]);
    let mut reader = quick_xml::Reader::from_str(&xml);
    let (mut suites, mut cases, mut failures) = (0, 0, 0);
    loop {
        match reader.read_event().unwrap() {
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e) => {
                match e.name().as_ref() {
                    b"testsuite" => suites += 1,
                    b"testcase" => cases += 1,
                    b"failure" => failures += 1,
                    _ => {}
                }
            }
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    let json = example_json();
    assert_eq!(suites, 25); // the policies of edition 2026-07
                            // Violations below the fail level (error) pass, with properties.
    let errors = json["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["severity"] == "error")
        .count();
    assert_eq!(failures, errors);
    assert!(cases >= 24);
}

#[test]
fn an_error_of_no_file_is_its_message_alone() {
    // A missing export directory is no file's error: no empty place before its message.
    let message = "export directory `no-such-export` does not exist or is not a directory";
    let sarif: serde_json::Value =
        serde_json::from_str(&stdout(&["lint", "no-such-export", "--format", "sarif"])).unwrap();
    let notes = &sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"];
    assert_eq!(notes[0]["message"]["text"], message, "{sarif:#}");
    let junit = stdout(&["lint", "no-such-export", "--format", "junit"]);
    assert!(junit.contains(&format!(">{message}<")), "{junit}");
    assert!(junit.contains(&format!("name=\"{message}\"")), "{junit}");
}

#[test]
fn junit_case_names_stay_when_a_finding_moves() {
    // GitLab and Jenkins follow a test case by its name: a finding whose value moves down a
    // line keeps its name (policy and entity); the location is in the failure text, the file
    // in the `file` attribute that GitLab reads.
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("contoso");
    common::copy_dir(&manifest().join("examples/contoso"), &export);
    let cases = || {
        let out = dexlint()
            .current_dir(dir.path())
            .args(["lint", "contoso", "--format", "junit"])
            .output()
            .unwrap();
        let xml = String::from_utf8(out.stdout).unwrap();
        let mut reader = quick_xml::Reader::from_str(&xml);
        let mut cases: Vec<(String, String)> = Vec::new();
        loop {
            match reader.read_event().unwrap() {
                quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e)
                    if e.name().as_ref() == b"testcase" =>
                {
                    let attr = |key: &[u8]| {
                        e.try_get_attribute(key)
                            .unwrap()
                            .map(|a| {
                                a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                    .unwrap()
                                    .into_owned()
                            })
                            .unwrap_or_default()
                    };
                    cases.push((attr(b"name"), attr(b"file")));
                }
                quick_xml::events::Event::Eof => break,
                _ => {}
            }
        }
        (cases, xml)
    };
    let (before, xml) = cases();
    assert!(
        before.contains(&(
            "DEX001 device_groups/140".to_string(),
            "contoso/mde/devicegroups.json".to_string()
        )),
        "{before:#?}"
    );
    assert!(xml.contains("contoso/mde/devicegroups.json:5:15"), "{xml}");
    for file in common::files(&export) {
        let text = std::fs::read_to_string(&file).unwrap();
        std::fs::write(&file, format!("\n{text}")).unwrap();
    }
    let (after, xml) = cases();
    assert_eq!(after, before);
    assert!(xml.contains("contoso/mde/devicegroups.json:6:15"), "{xml}");
}

#[test]
fn github_and_azure_annotations() {
    let gh = stdout(&["lint", "examples/contoso", "--format", "github"]);
    assert!(
        gh.lines().any(|l| l.starts_with("::error file=examples/contoso/mde/devicegroups.json,line=5,col=15,endLine=5,endColumn=56,title=DEX001 ")),
        "{gh}"
    );
    assert!(gh
        .lines()
        .any(|l| l.starts_with("::warning file=") && l.contains("title=DEX006")));
    let az = stdout(&["lint", "examples/contoso", "--format", "azure"]);
    assert!(
        az.lines().any(|l| l
            .starts_with("##vso[task.logissue type=error;sourcepath=examples/contoso/mde/devicegroups.json;linenumber=5;columnnumber=15;code=DEX001]")),
        "{az}"
    );
    assert!(az.lines().last().unwrap().starts_with("dexlint: 4 errors"));
}

/// The messages of the errors of a configuration that must not parse.
fn config_errors(text: &str) -> Vec<String> {
    let errors = Config::parse("c.toml", text, Path::new("."))
        .unwrap_err()
        .errors;
    errors.iter().map(|e| e.message.clone()).collect()
}

fn config(text: &str) -> Config {
    Config::parse("dexlint.toml", text, Path::new(".")).unwrap_or_else(|e| panic!("{e:?}"))
}

fn run(config: Config, today: Date) -> dexlint::outcome::LintReport {
    let options = LintOptions {
        roots: vec![manifest().join("examples/contoso")],
        config,
        today: Some(today),
        ..LintOptions::default()
    };
    lint::run(&options).unwrap()
}

fn today() -> Date {
    Date::from_calendar_date(2026, time::Month::November, 22).unwrap()
}

fn waiver(expires: &str) -> String {
    format!(
        "[[waiver]]\npolicy = \"DEX302\"\nentity = \"cloud_accounts/7d1e2f3a-*\"\nreason = \"sandbox subscription\"\n{expires}\n"
    )
}

#[test]
fn waivers_apply_until_their_expiry_day() {
    for (expires, applies) in [
        ("", true),
        ("expires = 2026-11-23", true),
        ("expires = 2026-11-22", true),
        ("expires = 2026-11-21", false),
    ] {
        let report = run(config(&waiver(expires)), today());
        let waived: Vec<&str> = report.waived.iter().map(|v| v.policy.as_str()).collect();
        assert_eq!(waived == ["DEX302"], applies, "{expires}: {waived:?}");
        assert_eq!(
            report.violations.iter().any(|v| v.policy == "DEX302"),
            !applies,
            "{expires}"
        );
        let expired = report
            .errors
            .iter()
            .any(|e| e.message.contains("expired on 2026-11-21"));
        assert_eq!(
            expired, !applies,
            "an expired waiver is itself reported: {expires}"
        );
        if applies {
            assert_eq!(
                report.waived[0].waiver.as_deref(),
                Some("sandbox subscription")
            );
            assert_eq!(report.summary.waived, 1);
        }
    }
}

#[test]
fn unused_waivers_are_reported_with_their_position() {
    let text = format!(
        "{}\n[[waiver]]\npolicy = \"DEX001\"\nfile = \"nowhere/*.json\"\nreason = \"stale\"\n",
        waiver("")
    );
    let mut c = config(&text);
    c.path = Some(PathBuf::from("dexlint.toml"));
    let report = run(c, today());
    let unused: Vec<_> = report
        .errors
        .iter()
        .filter(|e| e.message.contains("matches no violation"))
        .collect();
    assert_eq!(unused.len(), 1);
    assert_eq!(
        (unused[0].file.as_str(), unused[0].line, unused[0].level),
        ("dexlint.toml", Some(7), DiagLevel::Warning)
    );
    assert_eq!(
        report.exit_code(dexlint::policy::Severity::Error),
        1,
        "warnings about waivers do not make the run fail with 2"
    );
}

#[test]
fn waived_results_are_sarif_suppressions() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("dexlint.toml");
    std::fs::write(&cfg, waiver("")).unwrap();
    let out = dexlint()
        .args(["lint", "examples/contoso", "--format", "sarif", "--config"])
        .arg(&cfg)
        .output()
        .unwrap();
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let suppressed: Vec<_> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(suppressed.len(), 1);
    assert_eq!(
        suppressed[0]["suppressions"][0]["justification"],
        "sandbox subscription"
    );
}

#[test]
fn config_selects_policies_and_overrides_severity_and_params() {
    // DEX102 is of edition 2025-08 only: its settings under another edition are an error.
    let c = config("edition = \"2025-08\"\ndisable = [\"tag:deployment\", \"DEX00*\"]\n[policy.DEX302]\nseverity = \"warning\"\n[policy.DEX102]\nparams = { p1_plan = \"WINDEFATP\" }\n");
    let report = run(c, today());
    let ids: Vec<&str> = report
        .violations
        .iter()
        .map(|v| v.policy.as_str())
        .collect();
    assert!(
        !ids.iter()
            .any(|i| i.starts_with("DEX00") || i.starts_with("DEX20")),
        "{ids:?}"
    );
    assert!(report
        .violations
        .iter()
        .any(|v| v.policy == "DEX302" && v.severity == dexlint::policy::Severity::Warning));
    // Everyone has WINDEFATP except the guest, so DEX102 reports nobody.
    assert!(!ids.contains(&"DEX102"), "{ids:?}");
}

#[test]
fn config_errors_point_into_the_toml() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("dexlint.toml");
    std::fs::write(&cfg, "fail-level = \"error\"\nexlude = [\"x\"]\n").unwrap();
    let out = dexlint()
        .args(["lint", "examples/contoso", "--config"])
        .arg(&cfg)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("unknown field `exlude`"), "{err}");
    assert!(err.contains("dexlint.toml:2:1"), "{err}");

    std::fs::write(
        &cfg,
        "[policy.DEX10]\nseverity = \"warning\"\n[policy.DEX105]\nparams = { e5_sku = [] }\n",
    )
    .unwrap();
    let out = dexlint()
        .args(["lint", "examples/contoso", "--config"])
        .arg(&cfg)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("unknown policy `DEX10`"), "{err}");
    assert!(err.contains("dexlint.toml:1:9"), "{err}");
    assert!(err.contains("did you mean `e5_skus`?"), "{err}");

    // Columns count characters, as in `--format json`: `é` is two bytes.
    std::fs::write(&cfg, "disable = [\"é\", \"DEX1[\"]\n").unwrap();
    let out = dexlint()
        .args(["lint", "examples/contoso", "--config"])
        .arg(&cfg)
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("dexlint.toml:1:17]"), "{err}");

    // An include or exclude glob that is not one is labelled in the file.
    std::fs::write(
        &cfg,
        "exclude = [\"archive/**\"]\ninclude = [\"graph/[**\"]\n",
    )
    .unwrap();
    let out = dexlint()
        .args(["lint", "examples/contoso", "--format", "json", "--config"])
        .arg(&cfg)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let error = &report["errors"][0];
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .starts_with("invalid glob `graph/[**`"),
        "{error}"
    );
    assert!(
        error["file"].as_str().unwrap().ends_with("dexlint.toml"),
        "{error}"
    );
    assert_eq!(
        (&error["line"], &error["column"]),
        (&2.into(), &12.into()),
        "{error}"
    );

    let messages =
        config_errors("[[waiver]]\npolicy = \"DEX001\"\nreason = \"\"\nexpires = \"soon\"\n");
    assert!(
        messages.iter().any(|m| m.contains("invalid type")),
        "{messages:?}"
    );
    let messages = config_errors("[[waiver]]\npolicy = \"DEX001\"\nreason = \" \"\n");
    assert_eq!(
        messages,
        ["a waiver needs a target", "a waiver needs a reason"]
    );
}

#[test]
fn the_evaluation_budget_is_configurable() {
    let report = run(config("eval-budget = 50\n"), today());
    let cut: Vec<&str> = report
        .errors
        .iter()
        .filter(|e| e.message.contains("exceeded its budget of 50 steps"))
        .map(|e| e.message.as_str())
        .collect();
    assert!(!cut.is_empty(), "{:?}", report.errors);
    // What to do names the setting.
    assert!(cut.iter().all(|m| m.contains("`eval-budget`")), "{cut:?}");
    assert_eq!(report.exit_code(dexlint::policy::Severity::Error), 2);
    // A budget of no step would fail every policy: a configuration error instead.
    assert_eq!(
        config_errors("eval-budget = 0\n"),
        ["eval-budget must be at least 1"]
    );
    assert_eq!(config("eval-budget = 1\n").eval_budget, Some(1));
    let report = run(config("eval-budget = 1\n"), today());
    assert!(
        report
            .errors
            .iter()
            .any(|e| e.message.contains("exceeded its budget of 1 step;")),
        "{:?}",
        report.errors
    );
}

#[test]
fn limits_are_whole_numbers_and_none_allows_nothing() {
    // A limit of 0 would refuse every file (or fail every policy): an error at the value.
    assert_eq!(
        config_errors("max-file-bytes = 0\n"),
        ["max-file-bytes must be at least 1"]
    );
    assert_eq!(config("max-file-bytes = 1\n").max_file_bytes, Some(1));
    // A wrong type or a negative number is told in the file's terms, not Rust's.
    for (text, found) in [
        ("eval-budget = \"10\"\n", "invalid type: string \"10\""),
        ("max-file-bytes = -5\n", "invalid value: integer `-5`"),
        (
            "max-json-depth = 1.5\n",
            "invalid type: floating point `1.5`",
        ),
    ] {
        assert_eq!(
            config_errors(text),
            [format!("{found}, expected a whole number")],
            "{text}"
        );
    }
}

#[test]
fn config_is_found_by_walking_up() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("dexlint.toml"),
        "exports = [\"export\"]\ndisable = [\"DEX202\"]\n",
    )
    .unwrap();
    let export = dir.path().join("export");
    std::fs::create_dir_all(&export).unwrap();
    let decl = r#"{"kind": "dexlint.deployment/v1", "products": {"mde": "passive", "mdo": "not_deployed", "mdi": "active"}}"#;
    std::fs::write(export.join("deployment.json"), decl).unwrap();
    let sub = dir.path().join("a/b");
    std::fs::create_dir_all(&sub).unwrap();
    let out = Command::cargo_bin("dexlint")
        .unwrap()
        .current_dir(&sub)
        .args(["lint", "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = v["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["policy"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["DEX203"],
        "exports and disable come from ../../dexlint.toml"
    );
}

#[test]
fn a_baseline_of_several_tenants_keeps_each_one_s_violations_apart() {
    // Two tenants with the same violations (the example twice): a baseline written from both
    // accepts each one's, in any order of the roots; one written from `a` alone accepts none of
    // `b`'s, whichever root comes first.
    let dir = tempfile::tempdir().unwrap();
    for t in ["a", "b"] {
        common::copy_dir(&manifest().join("examples/contoso"), &dir.path().join(t));
    }
    let run = |roots: &[&str], args: &[&str]| {
        let out = dexlint()
            .current_dir(dir.path())
            .arg("lint")
            .args(roots)
            .args(args)
            .args(["--format", "json"])
            .output()
            .unwrap();
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let roots_of = |v: &serde_json::Value| -> Vec<String> {
        let mut r: Vec<String> = v["violations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["root"].as_str().unwrap().to_string())
            .collect();
        r.dedup();
        r
    };
    let each = run(&["a"], &[])["violations"].as_array().unwrap().len();
    run(&["a", "b"], &["--write-baseline", "both.json"]);
    let text = std::fs::read_to_string(dir.path().join("both.json")).unwrap();
    assert!(text.contains("\"root\": \"b\""), "{text}");
    let v = run(&["b", "a"], &["--baseline", "both.json"]);
    assert_eq!(v["summary"]["baselined"], 2 * each, "{v:#}");
    // The same roots written otherwise are the same roots.
    let absolute = dir.path().join("b").display().to_string();
    let v = run(&["./a/", &absolute], &["--baseline", "both.json"]);
    assert_eq!(v["summary"]["baselined"], 2 * each, "{v:#}");
    // Linting `a` alone: `b`'s entries are not stale, only not used.
    let v = run(&["a"], &["--baseline", "both.json"]);
    assert_eq!(v["summary"]["baselined"], each, "{v:#}");
    let stale = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["message"].as_str().unwrap().contains("stale"))
        .count();
    assert_eq!(stale, 0, "{v:#}");
    run(&["a"], &["--write-baseline", "a.json"]);
    // The same tenant given by another path: one root against one, roots are not compared.
    let v = run(&["./a/"], &["--baseline", "a.json"]);
    assert_eq!(v["summary"]["baselined"], each, "{v:#}");
    for order in [["a", "b"], ["b", "a"]] {
        let v = run(&order, &["--baseline", "a.json"]);
        assert_eq!(v["summary"]["baselined"], each, "{order:?}: {v:#}");
        assert_eq!(roots_of(&v), ["b"], "{order:?}: {v:#}");
    }
}

#[test]
fn a_baseline_names_its_roots_relative_to_itself_and_matches_from_anywhere() {
    // Written from `fp` (`lint a b`), read from its parent (`lint fp/a fp/b`), from a root
    // (`lint ../a ../b`) and through dexlint.toml's `exports` from below it: the same roots.
    let dir = tempfile::tempdir().unwrap();
    let fp = dir.path().join("fp");
    for t in ["a", "b"] {
        common::copy_dir(&manifest().join("examples/contoso"), &fp.join(t));
    }
    let run = |cwd: &Path, args: &[&str]| {
        let out = dexlint()
            .current_dir(cwd)
            .arg("lint")
            .args(args)
            .args(["--format", "json"])
            .output()
            .unwrap();
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let all = run(&fp, &["a", "b"])["violations"]
        .as_array()
        .unwrap()
        .len();
    run(&fp, &["a", "b", "--write-baseline", "base2.json"]);
    let text = std::fs::read_to_string(fp.join("base2.json")).unwrap();
    assert!(text.contains("\"version\": 2"), "{text}");
    assert!(text.contains("\"root\": \"b\""), "{text}");
    let warnings = |v: &serde_json::Value| -> Vec<String> {
        v["errors"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["level"] != "note")
            .map(|e| e["message"].as_str().unwrap().to_string())
            .collect()
    };
    for (cwd, args) in [
        (
            dir.path().to_path_buf(),
            ["fp/a", "fp/b", "--baseline", "fp/base2.json"],
        ),
        (
            fp.join("a"),
            ["../a", "../b", "--baseline", "../base2.json"],
        ),
    ] {
        let v = run(&cwd, &args);
        assert_eq!(v["summary"]["baselined"], all, "{args:?}: {v:#}");
        assert_eq!(v["violations"], serde_json::json!([]), "{args:?}: {v:#}");
        assert!(warnings(&v).is_empty(), "{args:?}: {v:#}");
    }
    std::fs::write(
        dir.path().join("dexlint.toml"),
        "exports = [\"fp/a\", \"fp/b\"]\nbaseline = \"fp/base2.json\"\n",
    )
    .unwrap();
    let v = run(&fp.join("a"), &[]);
    assert_eq!(v["summary"]["baselined"], all, "{v:#}");

    // A baseline of version 1 names its roots relative to the directory it was written from:
    // read from there it matches; from elsewhere it names no root of the run, which is said.
    let old = text
        .replace("\"version\": 2", "\"version\": 1")
        .replace("\"root\": \"", "\"root\": \"fp/");
    std::fs::write(dir.path().join("old.json"), old).unwrap();
    std::fs::remove_file(dir.path().join("dexlint.toml")).unwrap();
    let v = run(dir.path(), &["fp/a", "fp/b", "--baseline", "old.json"]);
    assert_eq!(v["summary"]["baselined"], all, "{v:#}");
    let v = run(&fp, &["a", "b", "--baseline", "../old.json"]);
    assert_eq!(v["summary"]["baselined"], 0, "{v:#}");
    assert_eq!(
        warnings(&v),
        ["the baseline accepts violations of `fp/a`, `fp/b` only, none of which this run lints: none of its entries applies; rewrite the baseline with `--write-baseline`"],
        "{v:#}"
    );
}

#[test]
fn baselined_results_stay_in_sarif_as_unchanged_and_suppressed() {
    // Code scanning closes an alert whose result is missing from the next upload: a violation
    // the baseline accepts is a result still, `unchanged` and suppressed, its fingerprint kept.
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("contoso");
    common::copy_dir(&manifest().join("examples/contoso"), &export);
    let sarif = |args: &[&str]| {
        let out = dexlint()
            .current_dir(dir.path())
            .args(["lint", "contoso", "--format", "sarif"])
            .args(args)
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["runs"][0]["results"].as_array().unwrap().clone()
    };
    let fingerprint = |r: &serde_json::Value| r["partialFingerprints"]["dexlint/v1"].clone();
    let before = sarif(&[]);
    assert!(before.iter().all(|r| r.get("baselineState").is_none()));
    sarif(&["--write-baseline", "base.json"]);
    let groups = export.join("mde/devicegroups.json");
    let mut dg: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&groups).unwrap()).unwrap();
    dg["items"][1]["Name"] = serde_json::json!("Defender-Experts-Scoped-Coverage-Devices");
    std::fs::write(&groups, serde_json::to_string_pretty(&dg).unwrap()).unwrap();
    let after = sarif(&["--baseline", "base.json"]);
    assert_eq!(after.len(), before.len() + 1, "{after:#?}");
    let (unchanged, new): (Vec<_>, Vec<_>) = after
        .iter()
        .partition(|r| r["baselineState"] == "unchanged");
    assert_eq!(new.len(), 1, "{new:#?}");
    assert_eq!(new[0]["baselineState"], "new");
    assert!(new[0].get("suppressions").is_none());
    for r in &unchanged {
        assert_eq!(
            r["suppressions"][0]["justification"], "accepted by the baseline `base.json`",
            "{r:#}"
        );
    }
    let mut kept: Vec<_> = unchanged.iter().map(|r| fingerprint(r)).collect();
    let mut were: Vec<_> = before.iter().map(fingerprint).collect();
    kept.sort_by_key(|f| f.to_string());
    were.sort_by_key(|f| f.to_string());
    assert_eq!(kept, were);
}

#[test]
fn baseline_survives_reformatting() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("export");
    common::copy_dir(&manifest().join("examples/contoso"), &export);
    let baseline = dir.path().join("baseline.json");
    let out = dexlint()
        .arg("lint")
        .arg(&export)
        .arg("--write-baseline")
        .arg(&baseline)
        .args(["--format", "json"])
        .output()
        .unwrap();
    // Writing a baseline accepts every violation: the run succeeds.
    assert_eq!(out.status.code(), Some(0));
    let written = Baseline::read(&baseline).unwrap();
    assert!(written
        .to_json(&baseline)
        .contains("\"entity\": \"groups/b320b3f0-6a2d-4a47-9c5e-3e0f1f6f8a21/members/"));

    // Reformat every file (minified, keys unchanged) and add one new violation.
    for entry in common::files(&export) {
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&entry).unwrap()).unwrap();
        std::fs::write(&entry, serde_json::to_string(&v).unwrap()).unwrap();
    }
    let groups = export.join("mde/devicegroups.json");
    let mut dg: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&groups).unwrap()).unwrap();
    dg["items"][1]["Name"] = serde_json::json!("Defender-Experts-Scoped-Coverage-Devices");
    std::fs::write(&groups, serde_json::to_string(&dg).unwrap()).unwrap();

    let out = dexlint()
        .arg("lint")
        .arg(&export)
        .arg("--baseline")
        .arg(&baseline)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let new: Vec<(&str, &str)> = v["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["policy"].as_str().unwrap(),
                x["pointer"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(new, [("DEX001", "/items/1/Name")], "{v:#}");
    assert_eq!(v["summary"]["baselined"], 7);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn sarif_fingerprints_follow_the_entity_not_its_place_in_a_list() {
    // Graph lists a group's members in no set order: the same members in the reverse order are
    // the same results, as the baseline already treats them.
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&manifest().join("examples/contoso"), dir.path());
    let fingerprints = || {
        let out = dexlint()
            .arg("lint")
            .arg(dir.path())
            .args(["--format", "sarif"])
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let mut fps: Vec<(String, String)> = v["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["ruleId"].as_str().unwrap().to_string(),
                    r["partialFingerprints"]["dexlint/v1"]
                        .as_str()
                        .unwrap()
                        .to_string(),
                )
            })
            .collect();
        fps.sort();
        fps
    };
    let before = fingerprints();
    let members = dir
        .path()
        .join("graph/groups/b320b3f0-6a2d-4a47-9c5e-3e0f1f6f8a21/members.json");
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&members).unwrap()).unwrap();
    v["value"].as_array_mut().unwrap().reverse();
    std::fs::write(&members, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    let after = fingerprints();
    assert_eq!(after, before);
    let mut distinct = after.clone();
    distinct.dedup();
    assert_eq!(
        distinct.len(),
        after.len(),
        "one fingerprint per result: {after:?}"
    );
}

#[test]
fn sarif_fingerprints_are_what_code_scanning_reads_however_the_root_is_written() {
    // GitHub code scanning reads `primaryLocationLineHash` only (and hashes the line's text
    // when it is missing): it is the stable key, the same for `contoso`, `./contoso` and the
    // absolute path, and unmoved by a re-export that changes the lines around a value.
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("contoso");
    common::copy_dir(&manifest().join("examples/contoso"), &export);
    let fingerprints = |root: &str| {
        let out = dexlint()
            .current_dir(dir.path())
            .args(["lint", root, "--format", "sarif"])
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let fp = &r["partialFingerprints"];
                assert_eq!(fp["primaryLocationLineHash"], fp["dexlint/v1"], "{r:#}");
                fp["primaryLocationLineHash"].as_str().unwrap().to_string()
            })
            .collect::<Vec<_>>()
    };
    let plain = fingerprints("contoso");
    assert!(!plain.is_empty());
    assert_eq!(fingerprints("./contoso"), plain);
    assert_eq!(fingerprints(export.to_str().unwrap()), plain);
    // Every line of every file moved down by one.
    for file in common::files(&export) {
        let text = std::fs::read_to_string(&file).unwrap();
        std::fs::write(&file, format!("\n{text}")).unwrap();
    }
    assert_eq!(fingerprints("contoso"), plain);
}

#[test]
fn sarif_uris_are_percent_encoded_uri_references() {
    // A root with a space, `#` and `%`: SARIF 2.1.0 §3.10 wants valid URI references.
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(
        &manifest().join("examples/contoso"),
        &dir.path().join("ten #1 %20"),
    );
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let uris = |cwd: &Path, root: &str| {
        let out = dexlint()
            .current_dir(cwd)
            .args(["lint", root, "--format", "sarif"])
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"].clone()
    };
    let relative = uris(dir.path(), "ten #1 %20");
    assert_eq!(relative["uri"], "ten%20%231%20%2520/mde/devicegroups.json");
    assert_eq!(relative["uriBaseId"], "%SRCROOT%");
    // Outside the working directory (no repository holds it): a `file://` URI.
    let absolute = dir.path().join("ten #1 %20");
    let absolute = uris(&elsewhere, absolute.to_str().unwrap());
    let uri = absolute["uri"].as_str().unwrap();
    assert!(uri.starts_with("file:///"), "{uri}");
    let decoded = percent_encoding::percent_decode_str(&uri["file://".len()..])
        .decode_utf8()
        .unwrap();
    assert!(
        std::path::Path::new(decoded.as_ref()).is_file(),
        "{decoded}"
    );
}

#[test]
fn sarif_uris_are_relative_to_the_repository_root() {
    // Code scanning resolves `%SRCROOT%` against the checkout: a run from a folder of the
    // repository (`.git` found upward) names files from its root, `./` and `..` resolved, and
    // says where `%SRCROOT%` is; its fingerprints are those of a run from the root.
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    let config = repo.join("tenant-config");
    common::copy_dir(
        &manifest().join("examples/contoso"),
        &config.join("exports/contoso"),
    );
    let sarif = |cwd: &Path, root: &str| {
        let out = dexlint()
            .current_dir(cwd)
            .args(["lint", root, "--format", "sarif"])
            .output()
            .unwrap();
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let places = |v: &serde_json::Value| -> Vec<(String, String)> {
        v["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let artifact = &r["locations"][0]["physicalLocation"]["artifactLocation"];
                assert_eq!(artifact["uriBaseId"], "%SRCROOT%", "{r:#}");
                (
                    artifact["uri"].as_str().unwrap().to_string(),
                    r["partialFingerprints"]["primaryLocationLineHash"]
                        .as_str()
                        .unwrap()
                        .to_string(),
                )
            })
            .collect()
    };
    let inside = sarif(&config, "./exports/contoso");
    let base = inside["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap();
    let decoded = percent_encoding::percent_decode_str(&base["file://".len()..])
        .decode_utf8()
        .unwrap();
    assert!(base.ends_with('/'), "{base}");
    assert_eq!(
        Path::new(decoded.as_ref()).canonicalize().unwrap(),
        repo.canonicalize().unwrap()
    );
    let inside = places(&inside);
    assert!(!inside.is_empty());
    assert!(
        inside
            .iter()
            .all(|(uri, _)| uri.starts_with("tenant-config/exports/contoso/")),
        "{inside:?}"
    );
    assert_eq!(
        places(&sarif(&repo, "tenant-config/exports/contoso")),
        inside
    );
    assert_eq!(
        places(&sarif(&config.join("exports"), "../exports/contoso")),
        inside
    );
    // dexlint.toml names its exports relative to itself, found from a folder below it.
    std::fs::write(
        config.join("dexlint.toml"),
        "exports = [\"exports/contoso\"]\n",
    )
    .unwrap();
    let out = dexlint()
        .current_dir(config.join("exports"))
        .args(["lint", "--format", "sarif"])
        .output()
        .unwrap();
    assert_eq!(
        places(&serde_json::from_slice(&out.stdout).unwrap()),
        inside
    );
}

#[test]
fn a_sarif_result_without_a_location_is_placed_at_the_document_its_rule_read() {
    // Code scanning rejects a whole upload for one result without a location
    // (github/codeql-action#1738): a rule with no target is placed at the start of the
    // document it read, in its own tenant's root, else at that root.
    let dir = tempfile::tempdir().unwrap();
    for t in ["a", "b"] {
        common::copy_dir(&manifest().join("examples/contoso"), &dir.path().join(t));
    }
    std::fs::create_dir_all(dir.path().join("org")).unwrap();
    std::fs::write(
        dir.path().join("org/ORG010.policy"),
        "policy ORG010 \"At least 100 enabled users\" {\n  severity error\n  docs \"https://example.com/org010\"\n  assert count(u in users: u.enabled) >= 100\n  report \"only {count(u in users: u.enabled)} enabled users\"\n}\n",
    )
    .unwrap();
    let out = dexlint()
        .current_dir(dir.path())
        .args(["lint", "a", "b", "--policies", "org", "--format", "sarif"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert!(
        results
            .iter()
            .all(|r| r["locations"].as_array().is_some_and(|l| !l.is_empty())),
        "{v:#}"
    );
    let placed: Vec<(&str, &serde_json::Value)> = results
        .iter()
        .filter(|r| r["ruleId"] == "ORG010")
        .map(|r| {
            let physical = &r["locations"][0]["physicalLocation"];
            (
                physical["artifactLocation"]["uri"].as_str().unwrap(),
                &physical["region"]["startLine"],
            )
        })
        .collect();
    assert_eq!(
        placed,
        [
            ("a/graph/users.json", &serde_json::json!(1)),
            ("b/graph/users.json", &serde_json::json!(1))
        ],
        "{v:#}"
    );
}

#[test]
fn sarif_and_markdown_stay_within_github_s_limits() {
    // GitHub rejects a SARIF run of more than 25,000 results and drops a job summary larger
    // than 1 MiB: a fleet's findings are cut there, the most severe kept, with a note.
    use dexlint::outcome::Severity;
    use dexlint::report::{markdown, render, sarif, Format, Style};
    let mut report = run(Config::default(), today());
    let one = std::mem::take(&mut report.violations);
    let copies = sarif::MAX_RESULTS / one.len() + 2;
    report.violations = (0..copies)
        .flat_map(|i| {
            one.iter().cloned().map(move |mut v| {
                v.entity = Some(format!("{}/{i}", v.entity.unwrap_or_default()));
                v
            })
        })
        .collect();
    let errors = report
        .violations
        .iter()
        .filter(|v| v.severity == Severity::Error)
        .count();
    let style = Style {
        color: false,
        width: 100,
    };
    let text = render(&report, Format::Sarif, style);
    assert_eq!(text, render(&report, Format::Sarif, style));
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), sarif::MAX_RESULTS);
    let kept_errors = results.iter().filter(|r| r["level"] == "error").count();
    assert_eq!(kept_errors, errors, "every error is kept");
    let left_out = report.violations.len() - sarif::MAX_RESULTS;
    let notes: Vec<&str> = v["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n["message"]["text"].as_str())
        .collect();
    assert!(
        notes.iter().any(|n| n.starts_with(&format!(
            "{left_out} of {} results left out",
            report.violations.len()
        )) && n.contains("--format json")),
        "{notes:#?}"
    );

    let md = render(&report, Format::Markdown, style);
    assert!(md.len() <= 1024 * 1024, "{}", md.len());
    assert!(md.len() > markdown::MAX_BYTES / 2);
    assert!(
        md.contains("more rows left out"),
        "{}",
        &md[md.len() - 2000..]
    );
}

/// A policy with an `assert` rule: its violation is about the whole tenant (no entity), placed
/// at the SKUs' file.
const SEATS_POLICY: &str = "policy ORG004 \"At least N enabled seats\" {\n  severity warning\n  param min_seats: int = 100000\n  let seats = sum(s in skus where s.status == \"Enabled\": s.enabled_units)\n  assert seats >= min_seats\n  report skus \"only {seats} enabled seats\"\n}\n";

#[test]
fn a_tenant_wide_baseline_entry_is_keyed_on_the_tenant_not_on_a_file() {
    // ORG004 is about the whole tenant: it points at the first SKU document. An EntraExporter
    // export that gains a SKU whose file sorts first still holds the same accepted violation.
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("t");
    common::copy_dir(&common::fixture("entra-exporter-all"), &export);
    std::fs::create_dir_all(dir.path().join("org")).unwrap();
    std::fs::write(dir.path().join("org/ORG004.policy"), SEATS_POLICY).unwrap();
    let run = |args: &[&str]| {
        let out = dexlint()
            .current_dir(dir.path())
            .args([
                "lint",
                "t",
                "--no-builtin",
                "--policies",
                "org",
                "--format",
                "json",
            ])
            .args(args)
            .output()
            .unwrap();
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let before = run(&[]);
    assert_eq!(
        common::violation_messages(&before, "ORG004").len(),
        1,
        "{before:#}"
    );
    let first = before["violations"][0]["file"]
        .as_str()
        .unwrap()
        .to_string();
    run(&["--write-baseline", "base.json"]);
    // A baseline of an older dexlint: the file and the pointer of the violation.
    std::fs::write(
        dir.path().join("old.json"),
        serde_json::json!({"version": 1, "violations": [
            {"policy": "ORG004", "root": "t", "file": first, "entity": "", "count": 1}
        ]})
        .to_string(),
    )
    .unwrap();
    let tenant = "3c9e1b7a-2f4d-4e8b-a6c5-0d1e2f3a4b5c";
    let sku = "061f9ace-7d42-4136-88ac-31dc755f143f"; // INTUNE_A
    let name = format!("{tenant}_{sku}");
    let sku_dir = export.join("SubscribedSkus").join(&name);
    std::fs::create_dir_all(&sku_dir).unwrap();
    std::fs::write(
        sku_dir.join(format!("{name}.json")),
        serde_json::json!({
            "accountName": "Northwind", "accountId": tenant, "appliesTo": "User",
            "capabilityStatus": "Enabled", "consumedUnits": 2, "id": name, "skuId": sku,
            "skuPartNumber": "INTUNE_A",
            "prepaidUnits": {"enabled": 5, "suspended": 0, "warning": 0, "lockedOut": 0},
            "servicePlans": [{"servicePlanId": "c1ec4a95-1f05-45b3-a911-aa3fa01094f5",
                "servicePlanName": "INTUNE_A", "provisioningStatus": "Success",
                "appliesTo": "User"}]
        })
        .to_string(),
    )
    .unwrap();
    let moved = run(&[]);
    assert_ne!(moved["violations"][0]["file"].as_str().unwrap(), first);
    for baseline in ["base.json", "old.json"] {
        let v = run(&["--baseline", baseline]);
        assert_eq!(v["violations"], serde_json::json!([]), "{baseline}: {v:#}");
        assert_eq!(v["summary"]["baselined"], 1, "{baseline}: {v:#}");
        let warnings: Vec<_> = v["errors"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["level"] != "note")
            .collect();
        assert!(warnings.is_empty(), "{baseline}: {v:#}");
    }
}

#[test]
fn stale_baseline_entries_are_named_and_reported_only_when_judged() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("exports/contoso");
    common::copy_dir(&manifest().join("examples/contoso"), &export);
    std::fs::create_dir_all(dir.path().join("org")).unwrap();
    std::fs::write(dir.path().join("org/ORG004.policy"), SEATS_POLICY).unwrap();
    let toml = "exports = [\"exports/contoso\"]\npolicies = [\"org\"]\nbaseline = \".dexlint-baseline.json\"\n";
    // dexlint.toml found in the working directory, as pre-commit and CI run it.
    let run = |extra: &str, args: &[&str]| {
        std::fs::write(dir.path().join("dexlint.toml"), format!("{toml}{extra}")).unwrap();
        let out = dexlint()
            .current_dir(dir.path())
            .arg("lint")
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    let (code, _, err) = run("", &["--write-baseline"]);
    assert_eq!(code, 0, "{err}");
    let written = std::fs::read_to_string(dir.path().join(".dexlint-baseline.json")).unwrap();
    assert!(written.contains("\"ORG004\""), "{written}");
    assert!(written.contains("\"DEX302\""), "{written}");

    // ORG004 fixed, DEX001 disabled, DEX302's pricings deleted: only ORG004's entry is stale,
    // named by its rule (it is about the whole tenant); the others were not judged.
    std::fs::remove_file(export.join("azure/pricings.json")).unwrap();
    let extra = "disable = [\"DEX001\"]\n[policy.ORG004.params]\nmin_seats = 1\n";
    let (code, out, err) = run(extra, &["--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let stale: Vec<(&str, &str)> = json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["file"].as_str().unwrap(), e["message"].as_str().unwrap()))
        .collect();
    assert_eq!(
        stale,
        [(
            ".dexlint-baseline.json",
            "stale baseline entry: tenant-wide `ORG004` rule 1 (1 not found); rewrite the baseline with `--write-baseline`"
        )],
        "{json:#}"
    );
    let (_, out, _) = run(extra, &["--format", "github"]);
    assert!(
        out.contains("::warning file=.dexlint-baseline.json,title=dexlint::stale baseline entry: tenant-wide `ORG004` rule 1"),
        "{out}"
    );
    let (_, out, _) = run(extra, &[]);
    assert!(
        out.contains(".dexlint-baseline.json: stale baseline entry"),
        "{out}"
    );
    let absolute = dir.path().display().to_string();
    assert!(!out.contains(&absolute), "{out}");

    // dexlint.toml's errors name it the same way, found before or after the policies compile.
    for (extra, message) in [
        ("fail-levl = \"error\"\n", "unknown field `fail-levl`"),
        (
            "[policy.DEX999]\nseverity = \"error\"\n",
            "unknown policy `DEX999`",
        ),
    ] {
        let (code, out, err) = run(extra, &["--format", "json"]);
        assert_eq!(code, 2, "{err}");
        let json: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(json["errors"][0]["file"], "dexlint.toml", "{json:#}");
        assert!(json["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains(message));
        assert!(err.contains("[dexlint.toml:"), "{err}");
        assert!(!err.contains(&absolute), "{err}");
    }
}

#[test]
fn writing_a_baseline_ends_with_what_it_accepts_not_a_failing_verdict() {
    let dir = tempfile::tempdir().unwrap();
    let baseline = dir.path().join("ci/baseline.json");
    let out = dexlint()
        .args([
            "lint",
            "examples/contoso",
            "--edition",
            "2025-08",
            "--write-baseline",
        ])
        .arg(&baseline)
        .env("COLUMNS", "300")
        .output()
        .unwrap();
    let (text, stderr) = (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    );
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    // The same run's violations, as `--format json` counts them.
    let json: serde_json::Value = serde_json::from_str(&stdout(&[
        "lint",
        "examples/contoso",
        "--edition",
        "2025-08",
        "--format",
        "json",
    ]))
    .unwrap();
    let counts = &json["summary"]["violations"];
    let accepts: Vec<String> = [
        ("error", "errors"),
        ("warning", "warnings"),
        ("info", "info"),
    ]
    .into_iter()
    .filter_map(|(key, many)| {
        let n = counts[key].as_u64().filter(|n| *n > 0)?;
        Some(format!("{n} {}", if n == 1 { key } else { many }))
    })
    .collect();
    assert!(accepts.len() >= 2, "{json:#}");
    let (last, init) = accepts.split_last().unwrap();
    let verdict = text.lines().last().unwrap();
    assert_eq!(
        verdict,
        format!(
            "baseline written: `{}` accepts {} and {last}; later runs with it report only new violations (exit 0)",
            baseline.display(),
            init.join(", ")
        ),
        "{text}"
    );
    assert!(!text.contains("not ready"), "{text}");
}
