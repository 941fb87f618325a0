//! One tenant per export root: several roots on one command line are evaluated alone, each
//! with its own summary, unless `--one-tenant` (or `one-tenant = true`) makes them parts of one.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use crate::common::dexlint;
use serde_json::Value;
use std::path::Path;

/// A Graph `GET /groups` response holding one assigned security group of that name (shape:
/// Microsoft Graph v1.0 "List groups", https://learn.microsoft.com/en-us/graph/api/group-list).
fn tenant_with_group(dir: &Path, id: &str, name: &str) {
    std::fs::create_dir_all(dir.join("graph")).unwrap();
    let doc = serde_json::json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#groups",
        "value": [{
            "id": id,
            "displayName": name,
            "groupTypes": [],
            "securityEnabled": true,
            "mailEnabled": false,
            "membershipRule": null
        }]
    });
    std::fs::write(dir.join("graph/groups.json"), doc.to_string()).unwrap();
}

fn lint(args: &[&str], roots: &[&Path]) -> (i32, Value) {
    let out = dexlint()
        .arg("lint")
        .args(args)
        .args(roots)
        .args(["--format", "json"])
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        serde_json::from_slice(&out.stdout).unwrap(),
    )
}

fn policies(report: &Value) -> Vec<String> {
    report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["policy"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn two_tenants_are_evaluated_alone_and_summarised_apart() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("contoso"), dir.path().join("fabrikam"));
    let reserved = "Defender_Experts_Scoped_Coverage_Users";
    tenant_with_group(&a, "0d7a9e61-1111-4c1e-9a51-8f8d3f5c0001", reserved);
    tenant_with_group(&b, "0d7a9e61-2222-4c1e-9a51-8f8d3f5c0002", reserved);
    let (_, report) = lint(&[], &[&a, &b]);
    assert!(
        !policies(&report).contains(&"DEX008".to_string()),
        "each tenant holds the reserved name once: {report:#}"
    );
    let tenants = report["summary"]["tenants"].as_array().unwrap();
    assert_eq!(tenants.len(), 2, "{report:#}");
    assert_eq!(tenants[0]["roots"][0], a.display().to_string());
    assert_eq!(tenants[1]["roots"][0], b.display().to_string());
    assert_eq!(tenants[0]["files_read"], 1);
    // Top-level totals add up the tenants.
    assert_eq!(report["summary"]["files_read"], 2);
    // Not-evaluated entries say which tenant they are about.
    let ne = report["not_evaluated"].as_array().unwrap();
    assert!(ne
        .iter()
        .any(|n| n["policy"] == "DEX101" && n["root"] == a.display().to_string()));
    assert!(ne
        .iter()
        .any(|n| n["policy"] == "DEX101" && n["root"] == b.display().to_string()));
    // The same roots as parts of one tenant: the reserved name is held twice.
    let (code, merged) = lint(&["--one-tenant"], &[&a, &b]);
    assert_eq!(code, 1, "{merged:#}");
    assert!(policies(&merged).contains(&"DEX008".to_string()));
    assert_eq!(merged["summary"]["tenants"].as_array().unwrap().len(), 1);
    // The human output shows each tenant's line.
    let out = dexlint().arg("lint").arg(&a).arg(&b).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("tenants (each evaluated alone):"), "{text}");
}

#[test]
fn one_tenant_can_be_set_in_the_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("graph-part"), dir.path().join("other-part"));
    let reserved = "Defender_Experts_Scoped_Coverage_Users";
    tenant_with_group(&a, "0d7a9e61-1111-4c1e-9a51-8f8d3f5c0001", reserved);
    tenant_with_group(&b, "0d7a9e61-2222-4c1e-9a51-8f8d3f5c0002", reserved);
    let config = dir.path().join("dexlint.toml");
    std::fs::write(&config, "one-tenant = true\n").unwrap();
    let config = config.display().to_string();
    let (_, report) = lint(&["--config", &config], &[&a, &b]);
    assert!(
        policies(&report).contains(&"DEX008".to_string()),
        "{report:#}"
    );
}

#[test]
fn every_format_says_whose_entries_and_incomplete_runs_are() {
    // Two tenants, both without audit records (DEX002's second rule is not evaluated in each)
    // and the second with a user list that fails to load.
    let dir = tempfile::tempdir().unwrap();
    for t in ["a", "b"] {
        crate::common::copy_dir(
            &crate::common::manifest().join("examples/contoso"),
            &dir.path().join(t),
        );
    }
    std::fs::write(dir.path().join("b/graph/users.json"), "{").unwrap();
    let run = |format: &str| {
        let out = dexlint()
            .current_dir(dir.path())
            .args(["lint", "a", "b", "--format", format])
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    for format in ["human", "github", "azure", "markdown", "junit", "sarif"] {
        let text = run(format);
        for root in ["a", "b"] {
            assert!(
                text.contains(&format!("DEX002 in `{root}` rule 2")),
                "{format} {root}: {text}"
            );
        }
    }
    for format in ["human", "github", "azure", "sarif"] {
        let text = run(format);
        assert!(
            text.contains("DEX103 ran on incomplete data")
                || text.contains("ran on incomplete data"),
            "{format}: {text}"
        );
    }
    // A warning is a warning in SARIF too.
    let sarif: Value = serde_json::from_str(&run("sarif")).unwrap();
    let levels: Vec<&str> = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| {
            n["message"]["text"]
                .as_str()
                .unwrap()
                .contains("incomplete data")
        })
        .map(|n| n["level"].as_str().unwrap())
        .collect();
    assert!(
        !levels.is_empty() && levels.iter().all(|l| *l == "warning"),
        "{levels:?}"
    );
}

#[test]
fn one_export_directory_given_twice_is_a_usage_error() {
    let root = crate::common::manifest().join("examples/contoso");
    let again = format!("{}/./", root.display());
    let out = crate::common::dexlint()
        .current_dir(crate::common::manifest())
        .args(["lint", "examples/contoso"])
        .arg(&again)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("the export directory `examples/contoso` is given twice"),
        "{err}"
    );
    // A symbolic link to it is the same directory, for `scope` too.
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("link");
    std::os::unix::fs::symlink(&root, &link).unwrap();
    for command in ["lint", "scope"] {
        let out = crate::common::dexlint()
            .arg(command)
            .arg(&root)
            .arg(&link)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{command}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("is given twice (again as"), "{command}: {err}");
    }
}

#[test]
fn an_export_directory_inside_another_given_is_a_usage_error() {
    // `contoso/graph` is read with `contoso`: given both, its files would be read twice (and
    // their findings reported twice), in either order, with `--one-tenant` too.
    for (roots, extra) in [
        (["examples/contoso", "examples/contoso/graph"], None),
        (["examples/contoso/graph/", "./examples/contoso"], None),
        (
            ["examples/contoso", "examples/contoso/graph"],
            Some("--one-tenant"),
        ),
    ] {
        let out = crate::common::dexlint()
            .arg("lint")
            .args(roots)
            .args(extra)
            .args(["--format", "json"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{roots:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        let (outer, inner) = match roots[0].contains("graph") {
            true => (roots[1], roots[0]),
            false => (roots[0], roots[1]),
        };
        assert!(
            err.contains(&format!(
                "the export directory `{inner}` is inside `{outer}`, also given"
            )),
            "{roots:?}: {err}"
        );
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(json["violations"], serde_json::json!([]), "{json:#}");
    }
    // Directories side by side are two tenants.
    let out = crate::common::dexlint()
        .args(["lint", "examples/contoso/graph", "examples/contoso/mde"])
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(2));
}

#[test]
fn one_record_in_two_roots_of_one_tenant_is_placed_by_its_path_on_disk() {
    // Both parts list the group at `graph/groups.json`: the warning tells the two files apart
    // by their paths on disk (the path in each root is the same).
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("part-a"), dir.path().join("part-b"));
    let id = "0d7a9e61-1111-4c1e-9a51-8f8d3f5c0001";
    tenant_with_group(&a, id, "Finance");
    tenant_with_group(&b, id, "Finance");
    let (_, report) = lint(&["--one-tenant"], &[&a, &b]);
    let relisted: Vec<&str> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["message"].as_str())
        .filter(|m| m.contains("is listed more than once"))
        .collect();
    let (first, second) = (a.join("graph/groups.json"), b.join("graph/groups.json"));
    assert_eq!(relisted.len(), 1, "{report:#}");
    assert!(
        relisted[0].contains(&format!(
            "in `{}` line 1, and in `{}` line 1",
            first.display(),
            second.display()
        )),
        "{relisted:?}"
    );
    // One root: the path in the root says it all.
    let (_, report) = lint(&[], &[&a]);
    assert!(
        report["errors"].as_array().unwrap().is_empty(),
        "{report:#}"
    );
}
