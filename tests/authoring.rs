//! Authoring commands: list, explain, init (then test and lint the result), completions, man.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common;

use assert_cmd::Command;
use common::dexlint;

fn stdout(c: &mut Command) -> String {
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn list_in_text_and_json() {
    let text = stdout(dexlint().arg("list"));
    assert_eq!(text.lines().count(), 25); // edition 2026-07, the default
    assert!(text
        .lines()
        .next()
        .unwrap()
        .starts_with("DEX001   error    Scoped device group keeps its reserved name"));
    let json: serde_json::Value =
        serde_json::from_str(&stdout(dexlint().args(["list", "--format", "json"]))).unwrap();
    let first = &json[0];
    assert_eq!(first["id"], "DEX001");
    assert_eq!(first["severity"], "error");
    assert_eq!(first["source"], "built-in");
    assert_eq!(first["tags"][0], "scoped-coverage");
}

#[test]
fn explain_shows_rationale_cited_page_example_and_fix() {
    let text = stdout(dexlint().args(["explain", "DEX002"]));
    assert!(
        text.starts_with("DEX002 Scoped user group keeps its reserved name (error)"),
        "{text}"
    );
    // The Microsoft page itself, not a file of the project.
    assert!(!text.contains("Seed:") && !text.contains(".md"), "{text}");
    assert!(
        text.contains("cites 2026-07: \"Scoped coverage in Microsoft Defender Experts MDR\", section \"Using Defender Experts scoped coverage\", ms.date 08/01/2025\n    https://learn.microsoft.com/en-us/defender-xdr/defender-experts-mdr-scoped-coverage"),
        "{text}"
    );
    assert!(
        text.contains("example violation:\n    graph/directoryAudits.json:27:27: audit record"),
        "{text}"
    );
    assert!(text.contains("fix: rename the group back"), "{text}");
    assert!(
        text.contains("reserved: string = \"Defender_Experts_Scoped_Coverage_Users\""),
        "{text}"
    );
    dexlint().args(["explain", "DEX999"]).assert().code(2);
}

#[test]
fn explain_selects_the_user_properties_a_policy_reads() {
    // Graph returns `signInActivity` and `department` only when `$select`ed (Microsoft Graph
    // v1.0 "List users", "Optional query parameters").
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("acme.policy"),
        "policy ACME006 \"Scoped users have signed in lately\" {\n  severity info\n  for u in users\n  \
         where u.department == \"Finance\" and days_between(u.last_sign_in, today()) > 90\n  \
         report u \"{u.upn}\"\n}\n",
    )
    .unwrap();
    let text = stdout(
        dexlint()
            .args(["explain", "ACME006", "--policies"])
            .arg(dir.path()),
    );
    assert!(
        text.contains(
            "Graph (User.Read.All, and AuditLog.Read.All for signInActivity): GET \
             https://graph.microsoft.com/v1.0/users?$select=id,userPrincipalName,displayName,\
             accountEnabled,userType,assignedLicenses,assignedPlans,department,signInActivity\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("Get-MgUser -All -Property id,userPrincipalName,displayName,accountEnabled,userType,assignedLicenses,assignedPlans,department,signInActivity |"),
        "{text}"
    );
    // A built-in policy reads none of them.
    let text = stdout(dexlint().args(["explain", "DEX102"]));
    assert!(
        text.contains("users?$select=id,userPrincipalName,displayName,accountEnabled,userType,assignedLicenses,assignedPlans\n"),
        "{text}"
    );
}

// A date parameter's default is shown as a policy writes it, an ISO 8601 string (it was
// milliseconds since 1970: `since: date = 1768435200000`).
#[test]
fn explain_shows_a_date_parameter_as_a_date() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("acme.policy"),
        "policy ACME007 \"Users signed in since\" {\n  severity info\n  \
         param since: date = \"2026-01-15\"\n  for u in users\n  \
         where u.last_sign_in < since\n  report u \"{u.upn}\"\n}\n",
    )
    .unwrap();
    let text = stdout(
        dexlint()
            .args(["explain", "ACME007", "--policies"])
            .arg(dir.path()),
    );
    assert!(
        text.contains("  since: date = \"2026-01-15T00:00:00Z\"\n"),
        "{text}"
    );
}

#[test]
fn explain_and_sarif_fill_in_the_constants_and_parameters_of_a_help() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("acme.policy"),
        "const reserved = \"Defender_Experts_Scoped_Coverage_Users\"\n\n\
         policy ACME001 \"No guests in scope\" {\n  severity warning\n  param owner: string = \"it\"\n  \
         for g in groups, m in g.members\n  where g.name == reserved and m.kind == \"user\" and \
         m.upn != null and contains(m.upn, \"#EXT#\")\n  report m \"guest {m.upn}\"\n  \
         help \"remove `{m.upn}` from `{reserved}` (ask `{owner}`)\"\n}\n",
    )
    .unwrap();
    let config = dir.path().join("dexlint.toml");
    std::fs::write(
        &config,
        "[policy.ACME001]\nparams = { owner = \"secops\" }\n",
    )
    .unwrap();
    let explain = |extra: &[&std::path::Path]| {
        stdout(
            dexlint()
                .args(["explain", "ACME001", "--policies"])
                .arg(dir.path())
                .args(
                    extra
                        .iter()
                        .flat_map(|p| [std::path::Path::new("--config"), p]),
                ),
        )
    };
    let text = explain(&[]);
    assert!(
        text.contains(
            "fix: remove `<m.upn>` from `Defender_Experts_Scoped_Coverage_Users` (ask `it`)"
        ),
        "{text}"
    );
    let text = explain(&[&config]);
    assert!(text.contains("(ask `secops`)"), "{text}");
    let out = dexlint()
        .args(["lint", "--format", "sarif", "--policies"])
        .arg(dir.path())
        .arg("--config")
        .arg(&config)
        .arg(common::manifest().join("examples/contoso"))
        .output()
        .unwrap();
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rule = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "ACME001")
        .unwrap()
        .clone();
    assert_eq!(
        rule["help"]["text"],
        "remove `<m.upn>` from `Defender_Experts_Scoped_Coverage_Users` (ask `secops`)"
    );
}

#[test]
fn init_then_test_and_lint() {
    let dir = tempfile::tempdir().unwrap();
    let text = stdout(
        Command::cargo_bin("dexlint")
            .unwrap()
            .arg("init")
            .arg(dir.path()),
    );
    assert!(text.contains("dexlint test"), "{text}");
    for f in [
        "dexlint.toml",
        "policies/ORG001.policy",
        "policies/tests/org001-breakglass/case.toml",
    ] {
        assert!(dir.path().join(f).is_file(), "{f}");
    }
    // The starter test passes with the starter policy and the built-in catalogue.
    let out = Command::cargo_bin("dexlint")
        .unwrap()
        .arg("test")
        .arg(dir.path().join("policies"))
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.ends_with("1 passed, 0 failed\n"), "{text}");
    // `lint` in the directory reads dexlint.toml: its policies and its (missing) export.
    std::fs::create_dir_all(dir.path().join("export")).unwrap();
    let case_export = dir.path().join("policies/tests/org001-breakglass/export");
    let out = Command::cargo_bin("dexlint")
        .unwrap()
        .current_dir(dir.path())
        .arg("lint")
        .arg(&case_export)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = v["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["policy"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"ORG001"), "{v:#}");
    // init never overwrites.
    std::fs::write(dir.path().join("dexlint.toml"), "# mine\n").unwrap();
    stdout(
        Command::cargo_bin("dexlint")
            .unwrap()
            .arg("init")
            .arg(dir.path()),
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("dexlint.toml")).unwrap(),
        "# mine\n"
    );
}

#[test]
fn completions_and_man_page() {
    let bash = stdout(dexlint().args(["completions", "bash"]));
    assert!(
        bash.contains("_dexlint()") && bash.contains("--fail-level"),
        "{bash}"
    );
    let zsh = stdout(dexlint().args(["completions", "zsh"]));
    assert!(zsh.contains("#compdef dexlint"));
    let man = stdout(dexlint().arg("man"));
    assert!(
        man.starts_with(".ie") || man.contains(".TH dexlint"),
        "{man}"
    );
    assert!(man.contains("lint"));
}
