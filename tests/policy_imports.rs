//! Sharing definitions between policy files: `import`, `def`, and the errors for cycles,
//! recursion, missing files and misuse.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use dexlint::export::{self, LoadOptions};
use dexlint::policy::{self, Outcome, PolicySource};
use std::collections::BTreeMap;
use std::path::Path;

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

const HELPERS: &str = r#"# Shared by the organisation's policies.
const reserved_names = ["Defender_Experts_Scoped_Coverage_Users", "Defender_Experts_Scoped_Coverage_Devices"]
def is_scoped(g: group) = g.name in reserved_names
def nested(g: group) = count(m in g.members: m.kind == "group")
def is_break_glass(upn: string) = starts_with(lower(upn), "breakglass")
"#;

const ORG: &str = r#"import "helpers.policy"

policy ORG001 "Scoped groups are flat" {
  severity warning
  for g in groups
  where is_scoped(g) and nested(g) > 0
  report g.name "`{g.name}` has {nested(g)} nested group(s)"
}
"#;

#[test]
fn definitions_are_shared_through_imports() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "helpers.policy", HELPERS);
    let org = write(dir.path(), "org.policy", ORG);
    // Only org.policy is given: helpers.policy is read because it is imported.
    let policy_set = policy::compile(
        &[PolicySource {
            name: org,
            text: ORG.into(),
        }],
        &dexlint::policy_files::Disk,
    )
    .unwrap();
    assert_eq!(policy_set.policies.len(), 1);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/contoso");
    let model = export::load(&[root], &LoadOptions::default())
        .unwrap()
        .model;
    match policy_set.policies[0]
        .evaluate(&model, &BTreeMap::new())
        .unwrap()
    {
        Outcome::Findings(f) => {
            assert_eq!(f.len(), 1);
            assert_eq!(
                f[0].message,
                "`Defender_Experts_Scoped_Coverage_Users` has 1 nested group(s)"
            );
        }
        other => panic!("{other:?}"),
    }
    // The fields a definition reads count for "not evaluated".
    assert!(policy_set.policies[0]
        .requirements()
        .contains(&("groups", Some("members"))));
}

fn errors(files: &[(&str, &str)], main: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let mut sources = Vec::new();
    for (name, text) in files {
        let path = write(dir.path(), name, text);
        if *name == main {
            sources.push(PolicySource {
                name: path,
                text: text.to_string(),
            });
        }
    }
    let errs = policy::compile(&sources, &dexlint::policy_files::Disk).unwrap_err();
    errs.errors()
        .iter()
        .map(|e| {
            let (l, c) = e.line_col();
            let file = Path::new(&e.file)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            format!("{file}:{l}:{c}: {}", e.error)
        })
        .collect()
}

#[test]
fn import_cycles_are_errors() {
    let got = errors(
        &[
            ("a.policy", "import \"b.policy\"\nconst x = 1\n"),
            ("b.policy", "import \"c.policy\"\n"),
            ("c.policy", "import \"a.policy\"\n"),
        ],
        "a.policy",
    );
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(
        got[0].starts_with("c.policy:1:1: import cycle: "),
        "{got:?}"
    );
    assert!(got[0].ends_with("a.policy"), "{got:?}");
}

#[test]
fn definitions_cannot_recurse_or_use_later_ones() {
    let got = errors(
        &[(
            "d.policy",
            "def f(x: int) = f(x)\ndef g(x: int) = h(x)\ndef h(x: int) = x\n",
        )],
        "d.policy",
    );
    assert_eq!(got, ["d.policy:1:17: `f` cannot be used here: a definition may use only the definitions above it", "d.policy:2:17: `h` cannot be used here: a definition may use only the definitions above it"]);
}

#[test]
fn missing_imports_and_misused_definitions() {
    let got = errors(&[("m.policy", "import \"nope.policy\"\n")], "m.policy");
    assert_eq!(got.len(), 1);
    assert!(
        got[0].starts_with("m.policy:1:1: cannot import `nope.policy`"),
        "{got:?}"
    );

    let org = r#"import "helpers.policy"
policy ORG002 "Misuse" {
  severity error
  for g in groups
  where is_scoped(g.name) and nested(g, g) > 0 and is_break_glas(g.name)
  report g "x"
}
"#;
    let got = errors(
        &[("helpers.policy", HELPERS), ("org.policy", org)],
        "org.policy",
    );
    assert_eq!(got.len(), 3, "{got:?}");
    assert!(
        got[0].contains("argument 1 of `is_scoped` must be `group`, found `string`"),
        "{got:?}"
    );
    assert!(
        got[1].contains("`nested` takes 1 argument(s) but 2 were given"),
        "{got:?}"
    );
    assert!(
        got[2].contains("unknown function `is_break_glas`"),
        "{got:?}"
    );
}

#[test]
fn a_definition_with_an_error_is_reported_once() {
    let got = errors(&[("e.policy", "def bad(g: group) = g.nmae == \"x\"\npolicy E \"e\" {\n  severity error\n  for g in groups\n  where bad(g)\n  report g \"x\"\n}\n")], "e.policy");
    assert_eq!(got, ["e.policy:1:23: `group` has no field `nmae`"]);
}
