//! `dexlint hook FILE...` run as pre-commit runs it (from the top of a repository, with the
//! changed files as arguments) over a repository of exports: which exports it lints, and what
//! it says about the changed files it does not lint. The real pre-commit runs it in
//! pre_commit.rs.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common;
use common::{dexlint, manifest};
use std::path::Path;

/// A repository with the example export at `exports/contoso`, a second tenant (the example
/// with its Servers plan turned off: DEX302) at `exports/fabrikam`, policy test cases under
/// `org-policies/tests/`, a JSON file that is no export data at `docs/sample.json`, and
/// `dexlint.toml` holding `toml`.
fn repo(toml: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    common::copy_dir(
        &manifest().join("examples/contoso"),
        &root.join("exports/contoso"),
    );
    let fabrikam = root.join("exports/fabrikam");
    common::copy_dir(&manifest().join("examples/contoso"), &fabrikam);
    let pricings = fabrikam.join("azure/pricings.json");
    let text = std::fs::read_to_string(&pricings).unwrap();
    assert!(text.contains("\"Standard\""), "{text}");
    std::fs::write(&pricings, text.replace("\"Standard\"", "\"Free\"")).unwrap();
    common::copy_dir(
        &manifest().join("examples/contoso/graph"),
        &root.join("org-policies/tests/ORG001/fires/export/graph"),
    );
    std::fs::write(root.join("org-policies/ORG001.policy"), "").unwrap();
    std::fs::create_dir_all(root.join("docs")).unwrap();
    std::fs::write(
        root.join("docs/sample.json"),
        "{\"note\": \"not an export\"}\n",
    )
    .unwrap();
    std::fs::write(
        root.join("renovate.json"),
        "{\"extends\": [\"config:base\"]}\n",
    )
    .unwrap();
    std::fs::write(root.join("dexlint.toml"), toml).unwrap();
    dir
}

/// `dexlint hook FILES` in `dir`: (exit code, stdout, stderr).
fn hook(dir: &Path, files: &[&str]) -> (i32, String, String) {
    let out = dexlint()
        .current_dir(dir)
        .arg("hook")
        .args(files)
        .env("COLUMNS", "200")
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

const CONFIGURED: &str = "exports = [\"exports/contoso\"]\npolicies = [\"org-policies\"]\n";

#[test]
fn export_data_outside_the_configured_exports_fails_the_hook() {
    let dir = repo(CONFIGURED);
    // A second tenant that dexlint.toml does not name: its DEX302 error is not linted, and
    // the hook says so instead of passing.
    let (code, out, err) = hook(dir.path(), &["exports/fabrikam/azure/pricings.json"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("`exports/fabrikam/azure/pricings.json` holds export data, but it is in no configured export (dexlint.toml `exports`): not linted"),
        "{err}"
    );
    assert!(
        err.contains("add its export directory to `exports`"),
        "{err}"
    );
    // A Terraform plan at the top of the repository (`terraform show -json plan.out >
    // plan.json`) is export data too, not a top-level file like `renovate.json`.
    std::fs::copy(
        manifest().join("tests/fixtures/exports/terraform/plan.json"),
        dir.path().join("plan.json"),
    )
    .unwrap();
    let (code, out, err) = hook(dir.path(), &["plan.json"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("`plan.json` holds export data"), "{err}");
    assert!(out.is_empty(), "{out}");

    // Other JSON files outside the exports are named in a note; the configured export that
    // changed is linted.
    let (code, out, err) = hook(
        dir.path(),
        &[
            "exports/contoso/mde/devicegroups.json",
            "docs/sample.json",
            "renovate.json",
            "org-policies/tests/ORG001/fires/export/graph/users.json",
        ],
    );
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("exports/contoso/mde/devicegroups.json:5:15"),
        "{out}"
    );
    assert!(!out.contains("fabrikam"), "{out}");
    for file in ["docs/sample.json", "renovate.json"] {
        assert!(
            err.contains(&format!(
                "note: `{file}` is not in any configured export (dexlint.toml `exports`): not linted"
            )),
            "{err}"
        );
    }
    assert!(
        err.contains(
            "note: `org-policies/tests/ORG001/fires/export/graph/users.json` is a policy test case (`dexlint test org-policies` runs it): not linted"
        ),
        "{err}"
    );

    // Nothing to lint: the notes, and exit 0.
    let (code, out, err) = hook(dir.path(), &["docs/sample.json"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("note: `docs/sample.json`"), "{err}");
}

#[test]
fn a_configured_export_that_does_not_exist_fails_whatever_changed() {
    let dir = repo(CONFIGURED);
    // The configured root renamed, dexlint.toml unchanged.
    std::fs::rename(
        dir.path().join("exports/contoso"),
        dir.path().join("exports/contoso-2026-11"),
    )
    .unwrap();
    for files in [
        &["exports/contoso-2026-11/graph/users.json"][..],
        &["docs/sample.json"],
        &["dexlint.toml"],
    ] {
        let (code, out, err) = hook(dir.path(), files);
        assert_eq!(code, 2, "{files:?}: {out}{err}");
        assert!(
            err.contains("exports/contoso` does not exist or is not a directory"),
            "{files:?}: {err}"
        );
    }
    let (_, _, err) = hook(dir.path(), &["exports/contoso-2026-11/graph/users.json"]);
    assert!(
        err.contains("`exports/contoso-2026-11/graph/users.json` holds export data"),
        "{err}"
    );
}

#[test]
fn without_configured_exports_the_hook_lints_nothing_it_would_guess() {
    // `dexlint init`'s starter leaves `exports` commented out.
    let dir = repo("policies = [\"org-policies\"]\nbaseline = \".dexlint-baseline.json\"\n");
    std::fs::write(
        dir.path().join(".dexlint-baseline.json"),
        "{\"version\": 1, \"violations\": []}\n",
    )
    .unwrap();
    // Not `exports/` as one tenant (two tenants merged: a false DEX008), not `.`.
    let (code, out, err) = hook(dir.path(), &["exports/fabrikam/graph/users.json"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(out.is_empty(), "{out}");
    assert!(
        err.contains("`exports/fabrikam/graph/users.json` holds export data, but no export is configured (dexlint.toml `exports`): not linted"),
        "{err}"
    );
    assert!(
        err.contains("`exports = [\"exports/contoso\", \"exports/fabrikam\"]`"),
        "{err}"
    );
    assert!(
        !err.contains("DEX008") && !err.contains("more than once"),
        "{err}"
    );

    // Root-level files, policy test cases and settings: notes, nothing linted.
    let changed = [
        "renovate.json",
        ".dexlint-baseline.json",
        "dexlint.toml",
        "docs/sample.json",
        "org-policies/tests/ORG001/fires/export/graph/users.json",
    ];
    let (code, out, err) = hook(dir.path(), &changed);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.is_empty(), "{out}");
    for file in changed {
        assert!(err.contains(&format!("note: `{file}` ")), "{file}: {err}");
    }
    assert!(
        err.contains(
            "note: `dexlint.toml` changes how every export is linted, but no export is configured"
        ),
        "{err}"
    );
}
