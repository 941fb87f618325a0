//! The command-line contract: exit codes 0/1/2, `check` diagnostics, output formats, and the
//! human report of the example export.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common;

use common::dexlint;
use std::path::Path;

fn json(args: &[&str]) -> (i32, serde_json::Value) {
    let out = dexlint().args(args).output().unwrap();
    let v = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    (out.status.code().unwrap(), v)
}

#[test]
fn check_reports_a_misspelt_field_with_its_position_and_a_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("acme.policy");
    std::fs::write(
        &file,
        "policy ACME001 \"Typo\" {\n  severity error\n  for g in groups\n  where g.nmae == \"x\"\n  report g.name \"{g.name}\"\n}\n",
    )
    .unwrap();
    let out = dexlint().arg("check").arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("acme.policy:4:11"), "{err}");
    assert!(err.contains("did you mean `name`?"), "{err}");
    assert!(
        !err.contains('\u{1b}'),
        "no colour when stderr is not a terminal: {err}"
    );
}

#[test]
fn check_accepts_the_builtin_catalogue() {
    let mut files: Vec<_> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("policies"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "policy"))
            .collect();
    files.sort();
    let out = dexlint().arg("check").args(&files).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "27 policies compiled\n"
    );
}

#[test]
fn check_of_a_missing_file_exits_2() {
    dexlint().args(["check", "no/such.policy"]).assert().code(2);
}

#[test]
fn exit_0_without_error_violations() {
    let (code, v) = json(&[
        "lint",
        "tests/fixtures/exports/declaration-only",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["violations"].as_array().unwrap().len(), 0);
    assert!(v["not_evaluated"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["policy"] == "DEX101"));
}

#[test]
fn exit_1_on_error_violations_and_fail_level() {
    let (code, v) = json(&["lint", "examples/contoso", "--format", "json"]);
    assert_eq!(code, 1);
    let first = &v["violations"][0];
    for key in [
        "policy",
        "severity",
        "message",
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
        "pointer",
    ] {
        assert!(first.get(key).is_some(), "missing `{key}` in {first:#}");
    }
    // Only warnings in this export under a narrower selection: fail level decides.
    let dir = tempfile::tempdir().unwrap();
    let decl = r#"{"kind": "dexlint.deployment/v1", "services": {"xdr": true}, "products": {"mde": "passive", "mdo": "active"}}"#;
    std::fs::write(dir.path().join("deployment.json"), decl).unwrap();
    let root = dir.path().to_str().unwrap();
    let (code, v) = json(&["lint", root, "--format", "json"]);
    assert_eq!(
        code, 0,
        "a warning does not fail at the default level: {v:#}"
    );
    assert_eq!(v["violations"][0]["policy"], "DEX202");
    let (code, _) = json(&["lint", root, "--format", "json", "--fail-level", "warning"]);
    assert_eq!(code, 1);
}

#[test]
fn exit_2_on_a_malformed_file_with_the_rest_still_linted() {
    let dir = tempfile::tempdir().unwrap();
    let decl = r#"{"kind": "dexlint.deployment/v1", "products": {"mde": "passive"}}"#;
    std::fs::write(dir.path().join("deployment.json"), decl).unwrap();
    std::fs::write(
        dir.path().join("broken.json"),
        "{\n  \"value\": [\n    {\"id\": 1,,\n",
    )
    .unwrap();
    let (code, v) = json(&["lint", dir.path().to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, 2);
    let err = &v["errors"][0];
    assert_eq!(err["file"], "broken.json");
    assert_eq!(err["line"], 3);
    assert!(
        v["violations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["policy"] == "DEX202"),
        "{v:#}"
    );
}

#[test]
fn exit_2_on_usage_errors() {
    dexlint().args(["lint", "no/such/dir"]).assert().code(2);
    dexlint()
        .args(["lint", "examples/contoso", "--format", "xml"])
        .assert()
        .code(2);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.policy"),
        "policy X \"x\" { severity error for g in grups report g \"x\" }",
    )
    .unwrap();
    let out = dexlint()
        .args(["lint", "examples/contoso", "--policies"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean `groups`?"));
}

#[test]
fn output_file_and_no_color() {
    let dir = tempfile::tempdir().unwrap();
    let out_file = dir.path().join("report.json");
    let out = dexlint()
        .args(["lint", "examples/contoso", "--format", "json", "--output"])
        .arg(&out_file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out_file).unwrap()).unwrap();
    assert!(v["summary"]["files_read"].as_u64().unwrap() > 5);
}

#[test]
fn human_report_of_the_example_export() {
    let out = dexlint()
        .args(["lint", "examples/contoso"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        !text.contains('\u{1b}'),
        "no escape codes when not on a terminal"
    );
    insta::assert_snapshot!("contoso_human", text);
}

#[test]
fn output_is_deterministic() {
    let run = || {
        dexlint()
            .args(["lint", "examples/contoso", "--format", "json"])
            .output()
            .unwrap()
            .stdout
    };
    let first = run();
    for threads in ["1", "2", "7"] {
        let out = dexlint()
            .env("RAYON_NUM_THREADS", threads)
            .args(["lint", "examples/contoso", "--format", "json"])
            .output()
            .unwrap();
        assert_eq!(out.stdout, first, "RAYON_NUM_THREADS={threads}");
    }
}

/// Output into a pipe its reader has closed (`dexlint scope ... | head`) ends the process as the
/// pipe's signal would any Unix tool, without a panic and its backtrace on stderr.
#[cfg(unix)]
#[test]
fn a_closed_pipe_on_standard_output_is_not_a_panic() {
    use std::os::unix::process::ExitStatusExt;
    let export = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/contoso");
    for args in [vec!["scope"], vec!["lint"], vec!["list"]] {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("dexlint"))
            .args(&args)
            .args(if args[0] == "list" {
                None
            } else {
                Some(&export)
            })
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // The reader is gone before anything is written.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(
            out.status.signal(),
            Some(13),
            "{args:?}: {:?} {stderr}",
            out.status
        );
    }
}
