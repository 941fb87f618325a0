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
        .args(["--format", "json"])
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

#[test]
fn deep_nesting_long_strings_bad_encodings_and_duplicate_keys() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    valid_beside(d);
    std::fs::write(
        d.join("deep.json"),
        format!(
            "{{\"value\": {}{}}}",
            "[".repeat(10_000),
            "]".repeat(10_000)
        ),
    )
    .unwrap();
    let long = "x".repeat(5_000_000);
    std::fs::write(
        d.join("long.json"),
        format!(r#"{{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#groups", "value": [{{"id": "g1", "displayName": "{long}"}}]}}"#),
    )
    .unwrap();
    std::fs::write(d.join("latin1.json"), b"{\"displayName\": \"Z\xfcrich\"}").unwrap();
    let utf16: Vec<u8> = "{\"value\": []}"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    std::fs::write(d.join("utf16-no-bom.json"), utf16).unwrap();
    std::fs::write(
        d.join("dupes.json"),
        r#"{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users", "value": [{"id": "u1", "userPrincipalName": "a@contoso.com", "userPrincipalName": "b@contoso.com"}]}"#,
    )
    .unwrap();
    let (code, v) = lint(d);
    assert_eq!(code, 2, "{v:#}");
    let errs = errors(&v);
    let find = |f: &str| {
        errs.iter()
            .find(|(file, _)| file == f)
            .map(|(_, m)| m.clone())
    };
    assert!(
        find("deep.json").unwrap().contains("recursion limit"),
        "{errs:?}"
    );
    assert!(
        find("latin1.json").unwrap().contains("not UTF-8"),
        "{errs:?}"
    );
    assert!(find("utf16-no-bom.json").is_some(), "{errs:?}");
    assert!(
        find("long.json").is_none(),
        "a long string is data, not an error"
    );
    assert!(
        find("dupes.json").is_none(),
        "duplicate keys: the last one wins, as in serde_json"
    );
    assert_eq!(v["summary"]["files_read"], 6);
    assert_loaded_beside(&v);
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

    let (code, v) = lint(d);
    // Links are not followed: nothing from outside the root is read; the FIFO is not a file.
    assert!(!v["violations"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["policy"] == "DEX202" && x["message"].as_str().unwrap().contains("mdi")));
    assert!(made, "mkfifo is available");
    assert_loaded_beside(&v);
    if root_can_read {
        eprintln!("note: running as root, the unreadable file is readable");
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

#[test]
fn policies_that_are_too_deep_or_too_costly() {
    let dir = tempfile::tempdir().unwrap();
    let deep = format!(
        "policy A \"a\" {{\n  severity error\n  assert {}true{}\n  report \"x\"\n}}\n",
        "(".repeat(1000),
        ")".repeat(1000)
    );
    std::fs::write(dir.path().join("deep.policy"), deep).unwrap();
    let out = Command::cargo_bin("dexlint")
        .unwrap()
        .arg("check")
        .arg(dir.path().join("deep.policy"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nesting deeper than 128 levels"));

    // Three collections nested: it compiles, and evaluation is bounded by its budget.
    let three = "policy B \"b\" {\n  severity warning\n  for a in users, b in users, c in users\n  where a.id == b.id and b.id == c.id\n  report a \"{a.id}\"\n}\n";
    let policies = tempfile::tempdir().unwrap();
    std::fs::write(policies.path().join("three.policy"), three).unwrap();
    let out = Command::cargo_bin("dexlint")
        .unwrap()
        .timeout(Duration::from_secs(60))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["lint", "examples/contoso", "--format", "json", "--policies"])
        .arg(policies.path())
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["violations"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["policy"] == "B")
            .count(),
        4
    );
}
