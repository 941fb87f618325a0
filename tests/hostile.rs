//! Hostile input: every case gives a clear diagnostic and exit 2 (or a bounded result), never a
//! panic, a hang or unbounded memory.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use assert_cmd::Command;
use std::path::Path;
use std::time::Duration;

fn lint(dir: &Path) -> (i32, serde_json::Value) {
    let out = Command::cargo_bin("dexlint")
        .unwrap()
        .timeout(Duration::from_secs(60))
        .arg("lint")
        .arg(dir)
        // The corpus's expectations follow the 2025-08 catalogue (DEX102 per user).
        .args(["--format", "json", "--edition", "2025-08"])
        .output()
        .unwrap();
    let v = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap_or(-1), v)
}

fn errors(v: &serde_json::Value) -> Vec<(String, String)> {
    v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["file"].as_str().unwrap().to_string(),
                e["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// `dexlint lint --format json --config DIR/dexlint.toml ARGS` from the project directory, with
/// `config` written to that file: exit code, report, standard error.
fn lint_with_config(
    dir: &Path,
    config: &str,
    args: &[&std::ffi::OsStr],
) -> (Option<i32>, serde_json::Value, String) {
    let cfg = dir.join("dexlint.toml");
    std::fs::write(&cfg, config).unwrap();
    let out = Command::cargo_bin("dexlint")
        .unwrap()
        .timeout(Duration::from_secs(60))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["lint", "--format", "json", "--config"])
        .arg(&cfg)
        .args(args)
        .output()
        .unwrap();
    let v = serde_json::from_slice(&out.stdout).unwrap_or_default();
    (
        out.status.code(),
        v,
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

/// A run whose configuration sets `key` out of its range: exit 2, the range named.
fn assert_refused((code, _, stderr): (Option<i32>, serde_json::Value, String), key: &str) {
    assert_eq!(code, Some(2));
    let want = format!("{key} must be between 1 and 1000");
    assert!(stderr.contains(&want), "{stderr}");
}

fn valid_beside(dir: &Path) {
    std::fs::write(
        dir.join("deployment.json"),
        r#"{"kind": "dexlint.deployment/v1", "products": {"mde": "passive", "mdo": "active"}}"#,
    )
    .unwrap();
}

fn assert_loaded_beside(v: &serde_json::Value) {
    assert!(
        v["violations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["policy"] == "DEX202"),
        "the valid file still loads: {v:#}"
    );
}

/// The committed corpus (tests/fixtures/hostile/export), linted once for all its tests.
fn corpus() -> &'static (i32, serde_json::Value) {
    static REPORT: std::sync::OnceLock<(i32, serde_json::Value)> = std::sync::OnceLock::new();
    REPORT.get_or_init(|| {
        lint(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hostile/export"))
    })
}

fn corpus_error(file: &str) -> Option<String> {
    errors(&corpus().1)
        .into_iter()
        .find(|(f, _)| f == file)
        .map(|(_, m)| m)
}

#[test]
fn corpus_exits_2_and_still_loads_the_valid_file() {
    let (code, v) = corpus();
    assert_eq!(*code, 2, "{v:#}");
    assert_eq!(v["summary"]["files_read"], 8);
    assert_loaded_beside(v);
}

#[test]
fn truncated_json() {
    let m = corpus_error("truncated.json").unwrap();
    assert!(m.contains("EOF while parsing"), "{m}");
    let e = corpus().1["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["file"] == "truncated.json")
        .unwrap()
        .clone();
    assert_eq!(e["line"], 4);
}

#[test]
fn nesting_10000_levels_deep() {
    let m = corpus_error("deep.json").unwrap();
    assert!(m.contains("nesting deeper than 128 levels"), "{m}");
}

/// `max-json-depth` in dexlint.toml moves the nesting limit, within 1..=1000.
#[test]
fn the_json_nesting_limit_is_configurable() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("export");
    std::fs::create_dir(&export).unwrap();
    valid_beside(&export);
    let deep = format!("{}1{}", "[".repeat(300), "]".repeat(300));
    std::fs::write(export.join("deep.json"), deep).unwrap();
    let run = |config: &str| lint_with_config(dir.path(), config, &[export.as_os_str()]);
    let (code, v, _) = run("");
    assert_eq!(code, Some(2));
    let m = errors(&v)
        .into_iter()
        .find(|(f, _)| f == "deep.json")
        .unwrap()
        .1;
    assert!(m.contains("nesting deeper than 128 levels"), "{m}");
    let (_, v, _) = run("max-json-depth = 300\n");
    assert!(
        !errors(&v)
            .iter()
            .any(|(f, m)| f == "deep.json" && m.contains("nesting")),
        "{v:#}"
    );
    assert_loaded_beside(&v);
    assert_refused(run("max-json-depth = 100000\n"), "max-json-depth");
}

#[test]
fn a_million_character_string_is_data() {
    assert!(corpus_error("long-string.json").is_none());
    assert!(
        corpus().1["not_evaluated"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["policy"] != "DEX002" || n["rule"] == 2),
        "the group was loaded (only the audit rule lacks data)"
    );
}

#[test]
fn invalid_utf8() {
    assert!(corpus_error("latin1.json")
        .unwrap()
        .contains("byte 0xFC (offset 18) is not UTF-8"));
    // Where it is: line 1, column 19 (characters).
    let error = corpus().1["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["file"] == "latin1.json")
        .unwrap();
    assert_eq!((&error["line"], &error["column"]), (&1.into(), &19.into()));
}

#[test]
fn utf16_without_a_bom() {
    // Decoded (RFC 4627's zero-byte pattern), and then a document no format reads: a note.
    assert_eq!(
        corpus_error("utf16-no-bom.json").as_deref(),
        Some("not a recognised export document; it was not read")
    );
}

#[test]
fn duplicate_keys_keep_the_last() {
    assert!(corpus_error("duplicate-keys.json").is_none());
    let v = &corpus().1;
    let p102 = v["violations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["policy"] == "DEX102");
    assert!(
        p102.is_some_and(|x| x["message"].as_str().unwrap().contains("b@contoso.com")),
        "{v:#}"
    );
}

#[test]
fn a_number_too_large_for_any_field() {
    assert!(corpus_error("huge-number.json")
        .unwrap()
        .contains("number out of range"));
}

/// `lint` run as the user `nobody` (uid 65534) through `setpriv`; None when that is not possible.
#[cfg(unix)]
fn lint_as_nobody(dir: &Path) -> Option<(i32, serde_json::Value)> {
    let out = std::process::Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(assert_cmd::cargo::cargo_bin("dexlint"))
        .arg("lint")
        .arg(dir)
        .args(["--format", "json"])
        .output()
        .ok()?;
    let v = serde_json::from_slice(&out.stdout).ok()?;
    Some((out.status.code()?, v))
}

#[cfg(unix)]
#[test]
fn links_fifos_and_unreadable_files() {
    use std::os::unix::fs::PermissionsExt;
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("secret.json"),
        r#"{"kind": "dexlint.deployment/v1", "products": {"mdi": "passive"}}"#,
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    valid_beside(d);
    std::fs::create_dir(d.join("loop")).unwrap();
    std::os::unix::fs::symlink(d.join("loop"), d.join("loop/again")).unwrap();
    std::os::unix::fs::symlink(outside.path(), d.join("outside")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("secret.json"), d.join("linked.json")).unwrap();
    let fifo = d.join("pipe.json");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    let locked = d.join("locked.json");
    std::fs::write(&locked, "{}").unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let root_can_read = std::fs::read(&locked).is_ok();

    // As root every file is readable: dexlint then runs as `nobody` (setpriv), when it can.
    let as_nobody = if root_can_read {
        std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755)).unwrap();
        lint_as_nobody(d)
    } else {
        None
    };
    let unreadable = !root_can_read || as_nobody.is_some();
    let (code, v) = as_nobody.unwrap_or_else(|| lint(d));
    // Links are not followed: nothing from outside the root is read; the FIFO is not a file.
    assert!(!v["violations"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["policy"] == "DEX202" && x["message"].as_str().unwrap().contains("mdi")));
    assert!(made, "mkfifo is available");
    assert_loaded_beside(&v);
    if !unreadable {
        eprintln!("note: running as root without setpriv, the unreadable file is readable");
        assert_eq!(code, 0, "{v:#}");
    } else {
        assert_eq!(code, 2);
        assert!(
            errors(&v)
                .iter()
                .any(|(f, m)| f == "locked.json" && m.contains("cannot read")),
            "{v:#}"
        );
    }
}

/// The walk goes on while the files it found load: what it could not open still comes first
/// among the problems, before those of the files read, whatever the batch it was found in.
#[cfg(unix)]
#[test]
fn what_the_walk_could_not_open_comes_before_what_was_read() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // More files than a load batch holds before the FIFO, each with a problem.
    for i in 0..100 {
        std::fs::write(d.join(format!("a{i:03}.json")), "{").unwrap();
    }
    let made = std::process::Command::new("mkfifo")
        .arg(d.join("b.json"))
        .status()
        .is_ok_and(|s| s.success());
    assert!(made, "mkfifo is available");
    let load = dexlint::export::load(&[d.to_path_buf()], &Default::default()).unwrap();
    let files: Vec<&str> = load.diagnostics.iter().map(|x| x.file.as_str()).collect();
    assert_eq!(files.first(), Some(&"b.json"), "{files:?}");
    assert_eq!(files.len(), 101, "{files:?}");
    assert!(files[1..].windows(2).all(|w| w[0] < w[1]), "{files:?}");
}

#[test]
fn a_policy_with_1000_nested_parentheses() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hostile/deep.policy");
    let out = Command::cargo_bin("dexlint")
        .unwrap()
        .timeout(Duration::from_secs(60))
        .arg("check")
        .arg(file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nesting deeper than 128 levels"));
}

/// `max-policy-nesting` in dexlint.toml moves the policy nesting limit, within 1..=1000; a
/// policy nested that deep compiles and is evaluated.
#[test]
fn the_policy_nesting_limit_is_configurable() {
    let dir = tempfile::tempdir().unwrap();
    let policies = dir.path().join("policies");
    std::fs::create_dir(&policies).unwrap();
    // 300 × `not (`: 600 levels; an even number of `not`s of false is false.
    let cond = format!("{}false{}", "not (".repeat(300), ")".repeat(300));
    std::fs::write(
        policies.join("deep.policy"),
        format!("policy N \"n\" {{\n  severity error\n  assert {cond}\n  report \"deep\"\n}}\n"),
    )
    .unwrap();
    let run = |config: &str| {
        let args = [
            "examples/contoso".as_ref(),
            "--policies".as_ref(),
            policies.as_os_str(),
        ];
        lint_with_config(dir.path(), config, &args)
    };
    let (code, _, stderr) = run("");
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("nesting deeper than 128 levels"),
        "{stderr}"
    );
    let (_, v, stderr) = run("max-policy-nesting = 700\n");
    let fired = v["violations"].as_array().is_some_and(|a| {
        a.iter()
            .any(|x| x["policy"] == "N" && x["message"] == "deep")
    });
    assert!(fired, "{stderr}");
    assert_refused(run("max-policy-nesting = 5000\n"), "max-policy-nesting");
}

#[test]
fn a_policy_iterating_three_collections_is_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let policy = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/hostile/three-collections.policy");
    std::fs::copy(policy, dir.path().join("three.policy")).unwrap();
    let config = dir.path().join("dexlint.toml");
    std::fs::write(&config, "eval-budget = 200\n").unwrap();
    let run = |extra: &[&str]| {
        let out = Command::cargo_bin("dexlint")
            .unwrap()
            .timeout(Duration::from_secs(60))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["lint", "examples/contoso", "--format", "json", "--policies"])
            .arg(dir.path())
            .args(extra)
            .output()
            .unwrap();
        (
            out.status.code(),
            serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap(),
        )
    };
    let (_, v) = run(&[]);
    assert_eq!(
        v["violations"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["policy"] == "B")
            .count(),
        4
    );
    let (code, v) = run(&["--config", config.to_str().unwrap()]);
    assert_eq!(code, Some(2), "cut off by the budget: {v:#}");
    assert!(
        errors(&v)
            .iter()
            .any(|(_, m)| m.contains("B: evaluation of `B` exceeded its budget of 200 steps")),
        "{v:#}"
    );
}

/// Long operator chains and prefixes inside calls are levels of the tree the compiler and the
/// evaluator recurse on: counted, so such a policy is refused, not a stack overflow.
#[test]
fn long_operator_chains_and_prefixes_in_calls_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let prefixes = format!(
        "{}true{}",
        format!("{} f(", "not ".repeat(60)).repeat(40),
        ")".repeat(40)
    );
    for (name, expression) in [
        ("sum", format!("{}x", "x + ".repeat(50_000))),
        ("fields", format!("x{}", ".a".repeat(50_000))),
        ("prefixes", prefixes),
    ] {
        let file = dir.path().join(format!("{name}.policy"));
        std::fs::write(
            &file,
            format!("def f(x: bool) = x\ndef d(x: int) = {expression}\n"),
        )
        .unwrap();
        let out = Command::cargo_bin("dexlint")
            .unwrap()
            .timeout(Duration::from_secs(60))
            .arg("check")
            .arg(&file)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert!(
            stderr.contains("nesting deeper than 128 levels"),
            "{name}: {stderr}"
        );
    }
}

/// `check`, `list` and `explain` compile with the nesting limit of the dexlint.toml they find,
/// as `lint` does.
#[test]
fn check_list_and_explain_use_the_configured_nesting_limit() {
    let dir = tempfile::tempdir().unwrap();
    let policies = dir.path().join("pol");
    std::fs::create_dir(&policies).unwrap();
    let cond = format!("{}true{}", "(".repeat(200), ")".repeat(200));
    std::fs::write(
        policies.join("deep.policy"),
        format!("policy ORG900 \"deep\" {{\n  severity warning\n  assert {cond}\n  report \"deep\"\n}}\n"),
    )
    .unwrap();
    let run = |args: &[&str]| {
        Command::cargo_bin("dexlint")
            .unwrap()
            .timeout(Duration::from_secs(60))
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap()
    };
    for config in [
        "policies = [\"pol\"]\n",
        "policies = [\"pol\"]\nmax-policy-nesting = 256\n",
    ] {
        std::fs::write(dir.path().join("dexlint.toml"), config).unwrap();
        let deep_allowed = config.contains("256");
        for args in [&["check", "pol"][..], &["list"], &["explain", "ORG900"]] {
            let out = run(args);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(
                out.status.success(),
                deep_allowed,
                "{args:?} {config}: {stderr}"
            );
            if !deep_allowed {
                assert!(
                    stderr.contains("nesting deeper than 128 levels"),
                    "{args:?}: {stderr}"
                );
            }
        }
    }
}
