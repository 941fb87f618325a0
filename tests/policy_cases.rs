//! The built-in policies' own test cases (policies/tests/DEXnnn/<case>/), run by the same
//! runner as `dexlint test`, and tests of that runner.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common;

use dexlint::{builtin, testing};
use std::path::{Path, PathBuf};

fn policies_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("policies")
}

#[test]
fn builtin_cases_pass() {
    let (mut out, mut errors) = (String::new(), String::new());
    let code = testing::test_command(&[policies_dir()], false, None, &mut out, &mut errors);
    assert_eq!(code, 0, "{out}{errors}");
    let last = out.lines().last().unwrap();
    assert!(last.ends_with(" passed, 0 failed"), "{last}");
}

#[test]
fn every_policy_has_a_case_where_it_fires_and_one_where_it_is_silent() {
    for (file, _) in builtin::POLICIES {
        let id = file.trim_end_matches(".policy");
        let dir = policies_dir().join("tests").join(id);
        let cases: Vec<String> = std::fs::read_dir(&dir)
            .unwrap_or_else(|_| panic!("no cases for {id}"))
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            cases.iter().any(|c| c.starts_with("fires")),
            "{id}: {cases:?}"
        );
        assert!(
            cases.iter().any(|c| c.starts_with("silent")),
            "{id}: {cases:?}"
        );
        for c in &cases {
            let text = std::fs::read_to_string(dir.join(c).join("case.toml")).unwrap();
            if c.starts_with("fires") {
                for key in ["severity", "file", "pointer", "line", "column"] {
                    assert!(
                        text.contains(&format!("\n{key} = ")),
                        "{id}/{c} lacks `{key}`"
                    );
                }
            } else {
                assert!(
                    !text.contains("[[violation]]"),
                    "{id}/{c} must expect no violation"
                );
            }
        }
    }
}

#[test]
fn a_wrong_expectation_fails_with_a_readable_diff() {
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("tests/DEX001/fires");
    common::copy_dir(&policies_dir().join("tests/DEX001/fires"), &case);
    let toml = std::fs::read_to_string(case.join("case.toml")).unwrap();
    std::fs::write(
        case.join("case.toml"),
        toml.replace("line = 5", "line = 6") + "not_evaluated_typo = 1\n",
    )
    .unwrap();
    let (mut out, mut errors) = (String::new(), String::new());
    let dirs = [dir.path().to_path_buf()];
    assert_eq!(
        testing::test_command(&dirs, true, None, &mut out, &mut errors),
        1
    );
    assert!(out.contains("cannot read case.toml"), "{out}");

    std::fs::write(case.join("case.toml"), toml.replace("line = 5", "line = 6")).unwrap();
    let mut out = String::new();
    assert_eq!(
        testing::test_command(&dirs, true, None, &mut out, &mut errors),
        1,
        "{out}"
    );
    assert!(out.contains("FAILED"), "{out}");
    assert!(out.contains("    - DEX001 severity=error file=mde/devicegroups.json pointer=/items/0/Name line=6 column=15"), "{out}");
    assert!(out.contains("    + DEX001 severity=error file=mde/devicegroups.json pointer=/items/0/Name entity=device_groups/140 line=5 column=15"), "{out}");
    assert!(out.ends_with("0 passed, 1 failed\n"), "{out}");
}

#[test]
fn the_cli_runs_cases() {
    let out = assert_cmd::Command::cargo_bin("dexlint")
        .unwrap()
        .args(["test", "--no-builtin"])
        .arg(policies_dir())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.lines()
            .any(|l| l.starts_with("ok ") && l.ends_with("DEX204/fires")),
        "{text}"
    );
    let empty = tempfile::tempdir().unwrap();
    assert_cmd::Command::cargo_bin("dexlint")
        .unwrap()
        .arg("test")
        .arg(empty.path())
        .assert()
        .code(2);
    // Without a directory or dexlint.toml: the cases under ./policies, not every file under `.`.
    let project = tempfile::tempdir().unwrap();
    crate::common::copy_dir(
        &policies_dir().join("tests/DEX204/fires"),
        &project.path().join("policies/tests/DEX204/fires"),
    );
    std::fs::write(project.path().join("stray.policy"), "policy {").unwrap();
    let out = assert_cmd::Command::cargo_bin("dexlint")
        .unwrap()
        .arg("test")
        .current_dir(project.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("1 passed, 0 failed"), "{text}");
}

#[test]
fn examples_in_policy_files_match_one_of_their_cases() {
    let policy_set =
        dexlint::policy::compile(&builtin::sources(), &dexlint::policy::NoFiles).unwrap();
    for (file, _) in builtin::POLICIES {
        let id = file.trim_end_matches(".policy");
        let meta = policy_set
            .policies
            .iter()
            .find(|p| p.meta().id == id)
            .unwrap()
            .meta()
            .clone();
        let example = meta
            .example
            .unwrap_or_else(|| panic!("{id} has no example"));
        let mut cases: Vec<PathBuf> = std::fs::read_dir(policies_dir().join("tests").join(id))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with("fires")
            })
            // Run with the policies' defaults: a case that sets parameters is another setting.
            .filter(|p| {
                !std::fs::read_to_string(p.join("case.toml"))
                    .unwrap()
                    .contains("[policy.")
            })
            .collect();
        cases.sort();
        let actual: Vec<String> = cases
            .iter()
            .map(|case| {
                let written: dexlint::testing::Case =
                    toml::from_str(&std::fs::read_to_string(case.join("case.toml")).unwrap())
                        .unwrap();
                let options = dexlint::lint::LintOptions {
                    roots: vec![case.join("export")],
                    edition: written.edition,
                    ..Default::default()
                };
                let report = dexlint::lint::run(&options).unwrap();
                let v = report.violations.iter().find(|v| v.policy == id).unwrap();
                format!(
                    "{}:{}:{}: {}",
                    v.file.as_deref().unwrap(),
                    v.line.unwrap(),
                    v.column.unwrap(),
                    v.message
                )
            })
            .collect();
        assert!(
            actual.contains(&example),
            "{id}: the `example` of {file} is none of {actual:#?}"
        );
    }
}

#[test]
fn policies_that_do_not_compile_are_reported_once_not_per_case() {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(
        &policies_dir().join("tests/DEX001"),
        &dir.path().join("tests/DEX001"),
    );
    std::fs::write(
        dir.path().join("broken.policy"),
        "policy ACME001 \"x\" {\n  severity error\n  for g in groups\n  report g.nmae \"x\"\n}\n",
    )
    .unwrap();
    let (mut out, mut errors) = (String::new(), String::new());
    let dirs = [dir.path().to_path_buf()];
    assert_eq!(
        testing::test_command(&dirs, true, None, &mut out, &mut errors),
        2
    );
    assert_eq!(
        errors.matches("did you mean `name`?").count(),
        1,
        "{errors}"
    );
    assert!(errors.ends_with("1 error in the policies\n"), "{errors}");
    assert!(!out.contains("FAILED"), "no case runs: {out}");
}

#[test]
fn test_without_a_directory_runs_the_configured_policy_directories() {
    let dir = tempfile::tempdir().unwrap();
    let init = common::dexlint()
        .arg("init")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(init.status.success(), "{init:?}");
    let out = common::dexlint()
        .current_dir(dir.path())
        .arg("test")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("1 passed, 0 failed"), "{text}");
}
