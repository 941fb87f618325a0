//! Helpers shared by the integration tests.

#![allow(dead_code, clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};

/// The repository root.
pub fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Copies a directory tree (files and folders) to `to`.
pub fn copy_dir(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from) {
        let e = e.unwrap();
        let dest = to.join(e.path().strip_prefix(from).unwrap());
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(e.path(), &dest).unwrap();
        }
    }
}

/// Every file under `dir`.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect()
}

/// The dexlint binary, run from the repository root, colour settings of the caller removed.
pub fn dexlint() -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("dexlint").unwrap();
    c.current_dir(manifest()).env_remove("NO_COLOR");
    c
}

/// A fixture export directory, `tests/fixtures/exports/<case>`.
pub fn fixture(case: &str) -> PathBuf {
    manifest().join("tests/fixtures/exports").join(case)
}

/// A fixture export loaded with the default options.
pub fn load(case: &str) -> dexlint::export::Load {
    dexlint::export::load(&[fixture(case)], &dexlint::export::LoadOptions::default()).unwrap()
}

/// The records of a collection of the model.
pub fn records<'m>(m: &'m dexlint::model::TenantModel, coll: &str) -> &'m [dexlint::model::Record] {
    &m.collection(coll).unwrap().records
}

/// A record's field by name, read by its position as policies read it (so also a field
/// only policies read, which `Record::get` is not for).
pub fn field<'r>(r: &'r dexlint::model::Record, name: &str) -> Option<&'r dexlint::model::Field> {
    r.field(r.schema().field_index(name)?)
}

/// A record's field as text, if it is a string.
pub fn text<'r>(r: &'r dexlint::model::Record, name: &str) -> Option<&'r str> {
    field(r, name).and_then(dexlint::model::Field::as_str)
}

/// `dexlint lint DIR --format json --edition 2025-08` (the catalogue whose DEX102 reads users,
/// which the export tests exercise): (exit code, report). Panics when stdout is not one JSON
/// document.
pub fn lint_json(dir: &Path) -> (i32, serde_json::Value) {
    let out = dexlint()
        .args(["lint", "--format", "json", "--edition", "2025-08"])
        .arg(dir)
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not one JSON document ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    (out.status.code().unwrap_or(-1), report)
}

/// Asserts that the generated file `rel` (from the repository root) holds `text`; with
/// `DEXLINT_BLESS` set, writes it instead. `test` names the tests that rewrite it.
pub fn assert_fresh(rel: &str, text: &str, test: &str) {
    let path = manifest().join(rel);
    if std::env::var_os("DEXLINT_BLESS").is_some() {
        std::fs::write(&path, text).unwrap();
    } else {
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            current == text,
            "{rel} is stale: run `DEXLINT_BLESS=1 cargo test --test main {test}`"
        );
    }
}

/// The messages of the violations of `policy` in a `--format json` report, in order.
pub fn violation_messages(report: &serde_json::Value, policy: &str) -> Vec<String> {
    report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["policy"] == policy)
        .map(|v| v["message"].as_str().unwrap().to_string())
        .collect()
}

/// The "not evaluated" entries of `policy` in a `--format json` report: (entity, reason).
pub fn not_evaluated(report: &serde_json::Value, policy: &str) -> Vec<(String, String)> {
    report["not_evaluated"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["policy"] == policy)
        .map(|n| {
            (
                n["entity"].as_str().unwrap_or("").to_string(),
                n["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}
