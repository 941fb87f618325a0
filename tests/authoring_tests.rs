//! Policy authoring: policy directories read at any depth, `check` and `fmt` of directories,
//! and `dexlint test` cases that cannot pass vacuously (unknown ids, empty cases, missing
//! exports), with settings, message substrings, `--bless` and `--filter`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common;
use std::path::{Path, PathBuf};

fn policies_dir() -> PathBuf {
    common::manifest().join("policies")
}

/// A policy that reports every group named `bad`, with id `id`.
fn group_policy(id: &str) -> String {
    format!(
        "policy {id} \"No group named bad\" {{\n  severity warning\n\n  for g in groups\n  where g.name == \"bad\"\n  report g.name \"group `{{g.name}}` is bad\"\n}}\n"
    )
}

/// `dexlint ARGS...`: (exit code, stdout, stderr).
fn run(args: &[&str], paths: &[&Path]) -> (i32, String, String) {
    let out = common::dexlint().args(args).args(paths).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A copy of the built-in case `policies/tests/ID/CASE` at `DIR/tests/ID/CASE`.
fn copy_case(dir: &Path, id: &str, case: &str) -> PathBuf {
    let to = dir.join("tests").join(id).join(case);
    common::copy_dir(&policies_dir().join("tests").join(id).join(case), &to);
    to
}

/// `dexlint test DIR EXTRA...`: (exit code, stdout + stderr).
fn test_dir(dir: &Path, extra: &[&str]) -> (i32, String) {
    let out = common::dexlint()
        .arg("test")
        .arg(dir)
        .args(extra)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

// ---- policy directories ----

#[test]
fn policy_directories_are_read_at_any_depth_in_path_order() {
    let dir = tempfile::tempdir().unwrap();
    let deep = dir.path().join("org/identity/groups");
    std::fs::create_dir_all(&deep).unwrap();
    std::fs::write(deep.join("ACME010.policy"), group_policy("ACME010")).unwrap();
    std::fs::write(
        dir.path().join("org/ACME011.policy"),
        group_policy("ACME011"),
    )
    .unwrap();
    // Not a policy file, and a hidden directory: neither is read.
    std::fs::write(dir.path().join("org/notes.txt"), "policy {").unwrap();
    std::fs::create_dir_all(dir.path().join("org/.git")).unwrap();
    std::fs::write(dir.path().join("org/.git/x.policy"), "policy {").unwrap();
    let org = dir.path().join("org");
    let (code, out, err) = run(&["list", "--format", "json", "--policies"], &[&org]);
    assert_eq!(code, 0, "{err}");
    let list: serde_json::Value = serde_json::from_str(&out).unwrap();
    let ours: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .filter(|id| id.starts_with("ACME"))
        .collect();
    // Sorted by path: `org/ACME011.policy` before `org/identity/...`.
    assert_eq!(ours, ["ACME011", "ACME010"], "{out}");

    // The same id twice: the first definition is the first path.
    std::fs::write(deep.join("again.policy"), group_policy("ACME011")).unwrap();
    let (code, _, err) = run(&["check"], &[&org]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("policy id `ACME011` is defined twice"),
        "{err}"
    );
    assert!(err.contains("the first definition is in `"), "{err}");
    assert!(err.contains("org/ACME011.policy`"), "{err}");
}

#[cfg(unix)]
#[test]
fn symbolic_links_are_followed_without_looping() {
    let dir = tempfile::tempdir().unwrap();
    let org = dir.path().join("org");
    let shared = dir.path().join("shared");
    std::fs::create_dir_all(org.join("sub")).unwrap();
    std::fs::create_dir_all(&shared).unwrap();
    std::fs::write(shared.join("ACME020.policy"), group_policy("ACME020")).unwrap();
    std::fs::write(org.join("sub/ACME021.policy"), group_policy("ACME021")).unwrap();
    // A link to a file, a link to a directory, and a link back up (a loop).
    std::os::unix::fs::symlink(shared.join("ACME020.policy"), org.join("linked.policy")).unwrap();
    std::os::unix::fs::symlink(&org, org.join("sub/loop")).unwrap();
    std::os::unix::fs::symlink(&shared, org.join("shared-dir")).unwrap();
    let (code, out, err) = run(&["check"], &[&org]);
    // ACME020 is reached twice (the file link and the directory link): read once.
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "2 policies compiled\n");

    // A dangling link named `.policy` cannot be read: an error naming it.
    std::os::unix::fs::symlink(dir.path().join("gone"), org.join("gone.policy")).unwrap();
    let (code, _, err) = run(&["check"], &[&org]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("gone.policy"), "{err}");
    let (code, out, err) = run(
        &["lint", "examples/contoso", "--format", "json", "--policies"],
        &[&org],
    );
    assert_eq!(code, 2, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let message = json["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("cannot read policies at `") && message.contains("gone.policy`"),
        "{json:#}"
    );
}

#[test]
fn a_missing_policy_directory_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-dir");
    let (code, _, err) = run(&["lint", "examples/contoso", "--policies"], &[&missing]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no-such-dir"), "{err}");
    let (code, _, err) = run(&["check"], &[&missing]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no-such-dir"), "{err}");
}

// ---- the built-in catalogue as a directory ----

#[test]
fn the_builtin_directory_is_the_builtin_catalogue_not_a_second_definition() {
    let policies = policies_dir();
    let (code, out, err) = run(&["test"], &[&policies]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(!err.contains("defined twice"), "{err}");
    assert!(out.trim_end().ends_with(" passed, 0 failed"), "{out}");

    let (code, out, err) = run(&["check"], &[&policies]);
    assert_eq!(code, 0, "{err}");
    let n = dexlint::builtin::POLICIES.len();
    assert_eq!(out, format!("{n} policies compiled\n"));

    let (code, out, err) = run(
        &["lint", "examples/contoso", "--format", "json", "--policies"],
        &[&policies],
    );
    assert!(code == 0 || code == 1, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(json["errors"].as_array().unwrap().is_empty(), "{json:#}");
}

#[test]
fn check_reports_a_clash_with_a_builtin_id_as_lint_does() {
    let dir = tempfile::tempdir().unwrap();
    let org = dir.path().join("org");
    std::fs::create_dir_all(org.join("nested")).unwrap();
    let file = org.join("nested/mine.policy");
    std::fs::write(&file, group_policy("DEX001")).unwrap();
    let (code, _, check_err) = run(&["check"], &[&file]);
    assert_eq!(code, 2, "{check_err}");
    let (code, _, dir_err) = run(&["check"], &[&org]);
    assert_eq!(code, 2, "{dir_err}");
    let (code, _, lint_err) = run(&["lint", "examples/contoso", "--policies"], &[&org]);
    assert_eq!(code, 2, "{lint_err}");
    for err in [&check_err, &dir_err, &lint_err] {
        assert!(err.contains("policy id `DEX001` is defined twice"), "{err}");
        // Internal error codes are not shown.
        assert!(!err.contains("dexlint::"), "{err}");
        assert!(
            err.contains("the first definition is in `builtin:DEX001.policy`"),
            "{err}"
        );
    }
    // Alone, the file compiles.
    let (code, out, err) = run(&["check", "--no-builtin"], &[&org]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "1 policy compiled\n");
}

#[test]
fn fmt_formats_the_policy_files_of_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    let nested = dir.path().join("org/a/b");
    std::fs::create_dir_all(&nested).unwrap();
    let messy = nested.join("x.policy");
    std::fs::write(
        &messy,
        "policy X \"x\" { severity info assert true report \"x\" }\n",
    )
    .unwrap();
    let tidy = dir.path().join("org/y.policy");
    std::fs::write(&tidy, group_policy("Y")).unwrap();
    let (code, _, err) = run(&["fmt", "--check"], &[&tidy]);
    assert_eq!(code, 0, "the fixture is formatted: {err}");
    std::fs::write(dir.path().join("org/readme.md"), "not a policy {").unwrap();
    let org = dir.path().join("org");
    let (code, out, err) = run(&["fmt", "--check"], &[&org]);
    assert_eq!(code, 1, "{err}");
    assert!(
        out.contains("would reformat") && out.contains("x.policy"),
        "{out}"
    );
    assert!(
        !out.contains("y.policy") && !out.contains("readme"),
        "{out}"
    );
    let (code, _, err) = run(&["fmt"], &[&org]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = run(&["fmt", "--check"], &[&org]);
    assert_eq!(code, 0, "{out}{err}");
    let empty = tempfile::tempdir().unwrap();
    let (code, _, err) = run(&["fmt"], &[empty.path()]);
    assert_eq!(code, 2, "{err}");
}

// ---- test cases that cannot pass vacuously ----

#[test]
fn a_case_naming_an_unknown_policy_fails_with_a_suggestion() {
    for (toml, place) in [
        ("policies = [\"DEX01\"]\n", "`policies`"),
        (
            "policies = [\"DEX001\"]\nnot_evaluated = [\"DEX01\"]\n",
            "`not_evaluated`",
        ),
        (
            "[[violation]]\npolicy = \"DEX01\"\ncount = 0\n",
            "a `[[violation]]`",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let case = copy_case(dir.path(), "DEX001", "silent");
        std::fs::write(case.join("case.toml"), toml).unwrap();
        let (code, out) = test_dir(dir.path(), &[]);
        assert_eq!(code, 1, "{toml}: {out}");
        assert!(out.contains("FAILED"), "{out}");
        assert!(
            out.contains(&format!(
                "! unknown policy `DEX01` in {place}; did you mean `DEX001`?"
            )),
            "{out}"
        );
        assert!(out.ends_with("0 passed, 1 failed\n"), "{out}");
    }
    // Far from every id: no suggestion, a pointer to the list.
    let dir = tempfile::tempdir().unwrap();
    let case = copy_case(dir.path(), "DEX001", "silent");
    std::fs::write(case.join("case.toml"), "policies = [\"ZZZZ999\"]\n").unwrap();
    let (code, out) = test_dir(dir.path(), &[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("unknown policy `ZZZZ999` in `policies`; see `dexlint list`"),
        "{out}"
    );
    // A built-in id is unknown when the built-in catalogue is left out.
    std::fs::write(dir.path().join("acme.policy"), group_policy("ACME001")).unwrap();
    std::fs::write(case.join("case.toml"), "policies = [\"DEX001\"]\n").unwrap();
    let (code, out) = test_dir(dir.path(), &["--no-builtin"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("unknown policy `DEX001`"), "{out}");
}

#[test]
fn a_case_that_cannot_fail_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let case = copy_case(dir.path(), "DEX001", "silent");
    // Expects nothing, checks no policy.
    std::fs::write(case.join("case.toml"), "# nothing\n").unwrap();
    let (code, out) = test_dir(dir.path(), &[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("expects nothing and checks no policy"),
        "{out}"
    );
    assert!(out.contains("a test must be able to fail"), "{out}");

    // An export directory that is empty, then missing.
    std::fs::write(case.join("case.toml"), "policies = [\"DEX001\"]\n").unwrap();
    std::fs::remove_dir_all(case.join("export")).unwrap();
    std::fs::create_dir_all(case.join("export/graph")).unwrap();
    let (code, out) = test_dir(dir.path(), &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("`export/` holds no file"), "{out}");
    std::fs::remove_dir_all(case.join("export")).unwrap();
    let (code, out) = test_dir(dir.path(), &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("no `export/` directory"), "{out}");
}

#[test]
fn a_case_sets_parameters_and_severity_as_dexlint_toml_does() {
    let dir = tempfile::tempdir().unwrap();
    let case = copy_case(dir.path(), "DEX105", "fires");
    let original = std::fs::read_to_string(case.join("case.toml")).unwrap();
    // The E3 SKU of the fixture counted as E5-level: DEX105 is silent.
    let silent =
        "policies = [\"DEX105\"]\n\n[policy.DEX105]\nparams = { e5_skus = [\"SPE_E3\"] }\n";
    std::fs::write(case.join("case.toml"), silent).unwrap();
    let (code, out) = test_dir(dir.path(), &[]);
    assert_eq!(code, 0, "{out}");
    // Without the parameter, the same expectations fail.
    std::fs::write(case.join("case.toml"), "policies = [\"DEX105\"]\n").unwrap();
    let (code, out) = test_dir(dir.path(), &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("+ DEX105 severity=warning"), "{out}");

    // The severity as the configuration sets it.
    let severe = original.replace("severity = \"warning\"", "severity = \"error\"")
        + "\n[policy.DEX105]\nseverity = \"error\"\n";
    std::fs::write(case.join("case.toml"), &severe).unwrap();
    let (code, out) = test_dir(dir.path(), &[]);
    assert_eq!(code, 0, "{out}");

    // Unknown parameters, policies and severities are errors at their place in case.toml.
    let shown = case.join("case.toml").display().to_string();
    for (toml, want, line) in [
        (
            "policies = [\"DEX105\"]\n[policy.DEX105]\nparams = { e5_sku = [\"SPE_E3\"] }\n",
            "policy `DEX105` has no parameter `e5_sku` (unknown parameter); did you mean `e5_skus`?",
            3,
        ),
        (
            "policies = [\"DEX105\"]\n[policy.DEX105]\nparams = { e5_skus = \"SPE_E3\" }\n",
            "parameter `e5_skus` of `DEX105` must be `list<string>`, found a string `\"SPE_E3\"`",
            3,
        ),
        (
            "policies = [\"DEX105\"]\n[policy.DEX15]\nseverity = \"error\"\n",
            "unknown policy `DEX15` (no such policy); did you mean `DEX105`?",
            2,
        ),
        (
            "policies = [\"DEX105\"]\n[policy.DEX105]\nseverity = \"fatal\"\n",
            "unknown severity `fatal`",
            3,
        ),
    ] {
        std::fs::write(case.join("case.toml"), toml).unwrap();
        let (code, out) = test_dir(dir.path(), &[]);
        assert_eq!(code, 1, "{toml}: {out}");
        assert!(out.contains(&format!("! {shown}:{line}:")), "{toml}: {out}");
        assert!(out.contains(want), "{toml}: {out}");
    }
}

#[test]
fn a_case_asserts_a_part_of_the_message() {
    let dir = tempfile::tempdir().unwrap();
    let case = copy_case(dir.path(), "DEX001", "fires");
    let toml = std::fs::read_to_string(case.join("case.toml")).unwrap();
    let with = |m: &str| format!("{toml}message = \"{m}\"\n");
    std::fs::write(
        case.join("case.toml"),
        with("looks like a renamed `Defender_Experts_Scoped_Coverage_Devices`"),
    )
    .unwrap();
    let (code, out) = test_dir(dir.path(), &[]);
    assert_eq!(code, 0, "{out}");
    std::fs::write(case.join("case.toml"), with("is not a renamed")).unwrap();
    let (code, out) = test_dir(dir.path(), &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("message~\"is not a renamed\""), "{out}");
    assert!(out.contains("message=\"device group `"), "{out}");
}

#[test]
fn bless_writes_the_actual_results_and_a_second_bless_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let fires = copy_case(dir.path(), "DEX001", "fires");
    let silent = copy_case(dir.path(), "DEX001", "not-evaluated");
    let expected_fires = std::fs::read_to_string(fires.join("case.toml")).unwrap();
    // Comments at the top, the settings and the policies are kept; the rest is replaced.
    std::fs::write(
        fires.join("case.toml"),
        "# A near miss of the device group's name.\n# Second line.\npolicies = [\"DEX001\"]\nnot_evaluated = [\"DEX001\"]\n\n[policy.DEX001]\nseverity = \"info\"\n\n[[violation]]\npolicy = \"DEX001\"\nline = 99\n",
    )
    .unwrap();
    std::fs::write(silent.join("case.toml"), "policies = [\"DEX001\"]\n").unwrap();
    let (code, out) = test_dir(dir.path(), &[]);
    assert_eq!(code, 1, "{out}");
    let (code, out) = test_dir(dir.path(), &["--bless"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("blessed "), "{out}");
    let blessed = std::fs::read_to_string(fires.join("case.toml")).unwrap();
    assert!(
        blessed.starts_with("# A near miss of the device group's name.\n# Second line.\npolicies = [\"DEX001\"]\nnot_evaluated = []\n\n[policy.DEX001]\nseverity = \"info\"\n\n[[violation]]\npolicy = \"DEX001\"\nseverity = \"info\"\n"),
        "{blessed}"
    );
    // What the hand-written case asserts is in the blessed one.
    for line in expected_fires.lines().filter(|l| l.contains(" = ")) {
        let line = line.replace("\"error\"", "\"info\"");
        assert!(blessed.contains(&line), "`{line}` not in {blessed}");
    }
    assert!(
        blessed.contains("message = \"device group `Defender_Experts_Scoped_Coverage_Device`"),
        "{blessed}"
    );
    assert!(!blessed.contains("line = 99"), "{blessed}");
    assert_eq!(
        std::fs::read_to_string(silent.join("case.toml")).unwrap(),
        "policies = [\"DEX001\"]\nnot_evaluated = [\"DEX001\"]\n"
    );
    // The blessed cases pass, and blessing again changes nothing.
    let (code, out) = test_dir(dir.path(), &[]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = test_dir(dir.path(), &["--bless"]);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("blessed"), "{out}");
    assert_eq!(
        std::fs::read_to_string(fires.join("case.toml")).unwrap(),
        blessed
    );
}

// A rule that judged nothing (DEX002's rule over audit records, in an export without them)
// while the policy's other rules were judged: a case that does not say so fails, and
// `--bless` writes it, with its rule and no entity.
#[test]
fn a_rule_not_evaluated_as_a_whole_is_compared_and_blessed() {
    let dir = tempfile::tempdir().unwrap();
    let case = copy_case(dir.path(), "DEX002", "fires-group");
    let text = std::fs::read_to_string(case.join("case.toml")).unwrap();
    let table = text.find("\n[[not_evaluated_entity]]").unwrap();
    std::fs::write(case.join("case.toml"), &text[..table + 1]).unwrap();
    let (code, out) = test_dir(dir.path(), &[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(
            "+ not evaluated DEX002 rule=2 entity=- reason=\"no Entra ID directory audit records \
             in the export"
        ),
        "{out}"
    );
    let (code, out) = test_dir(dir.path(), &["--bless"]);
    assert_eq!(code, 0, "{out}");
    let blessed = std::fs::read_to_string(case.join("case.toml")).unwrap();
    assert!(
        blessed.ends_with(
            "[[not_evaluated_entity]]\npolicy = \"DEX002\"\nrule = 2\nreason = \"no Entra ID \
             directory audit records in the export (provide Graph directoryAudits)\"\n"
        ),
        "{blessed}"
    );
}

#[test]
fn an_entity_a_policy_could_not_judge_is_compared_and_blessed() {
    // Two machines whose antivirus mode is Other: DEX204 judges the third and lists them as
    // not evaluated. A case that does not expect them fails; `--bless` writes them.
    let dir = tempfile::tempdir().unwrap();
    let case = copy_case(dir.path(), "DEX204", "partial-other-modes");
    std::fs::write(
        case.join("case.toml"),
        "policies = [\"DEX204\"]\nnot_evaluated = []\n",
    )
    .unwrap();
    let (code, out) = test_dir(dir.path(), &[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(
            "+ not evaluated DEX204 rule=1 entity=devices/a1b2c3d4e5f60718293a4b5c6d7e8f9011223344 \
             reason=\"the antivirus health report gives machine `fab-kiosk-11.fabrikam.example`"
        ),
        "{out}"
    );
    // Expected, but of another entity: the expectation is missing and the entity left over.
    std::fs::write(
        case.join("case.toml"),
        "policies = [\"DEX204\"]\n\n[[not_evaluated_entity]]\npolicy = \"DEX204\"\nentity = \"devices/x\"\ncount = 2\n",
    )
    .unwrap();
    let (code, out) = test_dir(dir.path(), &[]);
    assert_eq!(code, 1, "{out}");
    assert_eq!(
        out.matches("- not evaluated DEX204 entity=devices/x")
            .count(),
        2,
        "{out}"
    );
    assert_eq!(
        out.matches("+ not evaluated DEX204 rule=1").count(),
        2,
        "{out}"
    );
    let (code, out) = test_dir(dir.path(), &["--bless"]);
    assert_eq!(code, 0, "{out}");
    let blessed = std::fs::read_to_string(case.join("case.toml")).unwrap();
    assert!(
        blessed.ends_with(
            "[[not_evaluated_entity]]\npolicy = \"DEX204\"\nrule = 1\nentity = \
             \"devices/b2c3d4e5f60718293a4b5c6d7e8f901122334455\"\nreason = \"the antivirus health \
             report gives machine `fab-mac-12.fabrikam.example` \
             (`b2c3d4e5f60718293a4b5c6d7e8f901122334455`) the mode Other (`avMode` `3` or empty), \
             which is neither active nor passive: its antivirus mode is unknown\"\n"
        ),
        "{blessed}"
    );
    assert_eq!(
        blessed.matches("[[not_evaluated_entity]]").count(),
        2,
        "{blessed}"
    );
    let (code, out) = test_dir(dir.path(), &["--bless"]);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("blessed"), "{out}");
}

#[test]
fn a_case_of_a_policy_reading_today_sets_its_date() {
    // ACME100 counts the machines unseen for 30 days before `today()`; the export's were last
    // seen on 2026-11-27.
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        common::manifest().join("tests/fixtures/policies/ok/stale-devices.policy"),
        dir.path().join("stale-devices.policy"),
    )
    .unwrap();
    let case = dir.path().join("tests/ACME100/fresh");
    common::copy_dir(
        &policies_dir().join("tests/DEX201/fires-derived-passive/export"),
        &case.join("export"),
    );
    // A TOML date, as `expires` of a waiver and parameters take it.
    std::fs::write(
        case.join("case.toml"),
        "policies = [\"ACME100\"]\ntoday = 2026-11-29\n",
    )
    .unwrap();
    let (code, out) = test_dir(dir.path(), &[]);
    assert_eq!(code, 0, "{out}");
    // Without it, the case would run on the current date: an error saying to set it.
    std::fs::write(case.join("case.toml"), "policies = [\"ACME100\"]\n").unwrap();
    let (code, out) = test_dir(dir.path(), &[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("! `ACME100` calls `today()` and the case sets no `today`"),
        "{out}"
    );
    // `--bless` writes the date it ran at.
    let (code, out) = test_dir(dir.path(), &["--bless"]);
    assert_eq!(code, 0, "{out}");
    let blessed = std::fs::read_to_string(case.join("case.toml")).unwrap();
    let today = time::OffsetDateTime::now_utc().date().to_string();
    assert!(
        blessed.starts_with(&format!(
            "policies = [\"ACME100\"]\nnot_evaluated = []\ntoday = \"{today}\"\n"
        )),
        "{blessed}"
    );
    let (code, out) = test_dir(dir.path(), &["--bless"]);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("blessed"), "{out}");
}

#[test]
fn bless_does_not_rewrite_a_case_that_names_an_unknown_policy() {
    let dir = tempfile::tempdir().unwrap();
    let case = copy_case(dir.path(), "DEX001", "fires");
    let toml = "policies = [\"DEX01\"]\n";
    std::fs::write(case.join("case.toml"), toml).unwrap();
    let (code, out) = test_dir(dir.path(), &["--bless"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("did you mean `DEX001`?"), "{out}");
    assert_eq!(
        std::fs::read_to_string(case.join("case.toml")).unwrap(),
        toml
    );
}

#[test]
fn filter_runs_the_cases_whose_path_contains_it() {
    let dir = tempfile::tempdir().unwrap();
    for case in ["fires", "fires-2", "silent"] {
        copy_case(dir.path(), "DEX001", case);
    }
    copy_case(dir.path(), "DEX002", "fires-group");
    // A failing case the filter leaves out does not fail the run.
    std::fs::write(
        dir.path().join("tests/DEX001/silent/case.toml"),
        "policies = [\"DEX01\"]\n",
    )
    .unwrap();
    let (code, out) = test_dir(dir.path(), &["--filter", "DEX001/fires"]);
    assert_eq!(code, 0, "{out}");
    let ran: Vec<&str> = out.lines().filter(|l| l.starts_with("ok ")).collect();
    assert_eq!(ran.len(), 2, "{out}");
    assert!(ran.iter().all(|l| l.contains("DEX001/fires")), "{out}");
    assert!(out.ends_with("2 passed, 0 failed\n"), "{out}");
    let (code, out) = test_dir(dir.path(), &["--filter", "silent"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.ends_with("0 passed, 1 failed\n"), "{out}");
    let (code, out) = test_dir(dir.path(), &["--filter", "DEX999"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("matches `--filter DEX999`"), "{out}");
}
