//! Cut excerpts under `--redact`: a value of the model standing in a string that a long line's
//! excerpt cuts (at `SourceExcerpt::VALUE_BYTES`) must not show its first characters, and the
//! human header's column stays the JSON report's when redacted values precede the value on
//! its line. Inputs are the bundled example export with one file changed.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common;
use std::path::Path;

/// A custom policy that reports each dynamic group's membership rule.
const RULE_POLICY: &str = r#"policy ORG001 "Dynamic rules are reviewed" {
  severity warning
  description """
    Dynamic membership rules are listed for review.
  """
  for g in groups
  where g.dynamic
  report g.membership_rule "group `{g.name}` has a dynamic rule"
  label "rule"
}
"#;

fn lint(dir: &Path, args: &[&str]) -> String {
    let out = common::dexlint()
        .env_remove("DEXLINT_REDACT_KEY")
        .env("COLUMNS", "400")
        .arg("lint")
        .arg(dir)
        .args(["--today", "2026-12-01"])
        .args(args)
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

fn example_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&common::manifest().join("examples/contoso"), dir.path());
    dir
}

#[test]
fn a_cut_rule_does_not_show_the_start_of_a_user_principal_name_when_redacted() {
    let upn = "adele.vance@contoso.com";
    let policies = tempfile::tempdir().unwrap();
    std::fs::write(policies.path().join("ORG001.policy"), RULE_POLICY).unwrap();
    // The cut falls at each place of the name in turn.
    for pad in 40..70 {
        let dir = example_copy();
        let path = dir.path().join("graph/groups.json");
        let mut groups: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let group = &mut groups["value"][1];
        group["groupTypes"] = serde_json::json!(["DynamicMembership"]);
        group["membershipRule"] = serde_json::json!(format!(
            "(user.city -eq \"{}\") -or (user.department -eq \"Finance\") -or (user.userPrincipalName -eq \"{upn}\")",
            "P".repeat(pad)
        ));
        // Minified: one line, longer than the longest shown whole.
        std::fs::write(&path, serde_json::to_string(&groups).unwrap()).unwrap();
        let p = policies.path().to_str().unwrap();
        for format in ["human", "html"] {
            let out = lint(
                dir.path(),
                &["--policies", p, "--redact", "--format", format],
            );
            assert!(out.contains("ORG001"), "{out}");
            assert!(
                !out.contains(&upn[..6]),
                "pad {pad}, {format}: part of `{upn}` shown:\n{out}"
            );
        }
    }
}

#[test]
fn the_redacted_human_header_has_the_json_reports_column() {
    let dir = example_copy();
    let path = dir.path().join("mde/devicegroups.json");
    let text = std::fs::read_to_string(&path).unwrap().replace(
        "      \"Name\": \"Defender_Experts_Scoped_Coverage_Device\",",
        "      \"Note\": \"owner adele.vance@contoso.com\", \"Name\": \"Defender_Experts_Scoped_Coverage_Device\",",
    );
    std::fs::write(&path, text).unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&lint(dir.path(), &["--redact", "--format", "json"])).unwrap();
    let v = json["violations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["policy"] == "DEX001")
        .unwrap();
    let at = format!("mde/devicegroups.json:{}:{}]", v["line"], v["column"]);
    let human = lint(dir.path(), &["--redact"]);
    assert!(human.contains(&at), "{at} not in:\n{human}");
}
