//! The README's catalogue table is generated from the policy files; this test fails when it is
//! stale. Run with `DEXLINT_BLESS=1` to rewrite it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use dexlint::{builtin, catalogue, edition, policy};

#[test]
fn readme_catalogue_is_fresh() {
    let policy_set =
        policy::compile(&builtin::sources(), &policy::NoFiles).expect("built-in policies compile");
    // Linked to the pages the default edition cites: those a run prints.
    let metas: Vec<_> = policy_set
        .policies
        .iter()
        .map(|p| p.meta().clone().in_edition_view(edition::DEFAULT))
        .collect();
    let table = catalogue::markdown_table(&metas);
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    let readme = std::fs::read_to_string(path).expect("README.md");
    let fresh = catalogue::replace_section(&readme, "catalogue", &table)
        .expect("catalogue markers in README");
    if std::env::var_os("DEXLINT_BLESS").is_some() {
        std::fs::write(path, &fresh).expect("write README.md");
    } else {
        assert!(
            fresh == readme,
            "the README catalogue table is stale: run `DEXLINT_BLESS=1 cargo test --test main readme`"
        );
    }
}

#[test]
fn policy_reference_is_fresh() {
    let policy_set =
        policy::compile(&builtin::sources(), &policy::NoFiles).expect("built-in policies compile");
    let text = catalogue::reference(policy_set.policies.iter().map(|p| p.meta()));
    crate::common::assert_fresh("docs/policies.md", &text, "readme");
}

#[test]
fn every_policy_file_is_built_in() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/policies");
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .expect("policies/")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".policy"))
        .collect();
    files.sort();
    let embedded: Vec<String> = builtin::POLICIES
        .iter()
        .map(|(n, _)| n.to_string())
        .collect();
    assert_eq!(files, embedded);
}

/// The fenced block that follows the line of `README.md` starting with `after`.
fn readme_block(readme: &str, after: &str) -> String {
    let from = readme
        .find(after)
        .unwrap_or_else(|| panic!("README: {after}"));
    let rest = &readme[from..];
    let open = rest.find("```\n").expect("a block after it") + 4;
    let close = rest[open..].find("```").expect("the block's end");
    rest[open..open + close].to_string()
}

/// The README's samples of the human output are what `dexlint lint examples/contoso` prints.
#[test]
fn readme_samples_are_the_example_export_s_output() {
    let readme = std::fs::read_to_string(crate::common::manifest().join("README.md")).unwrap();
    let out = crate::common::dexlint()
        .args(["lint", "examples/contoso"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    for after in [
        "breaks the rule, with its file, line, column and JSON pointer.",
        "The human output ends with a summary and a verdict:",
    ] {
        let block = readme_block(&readme, after);
        assert!(
            stdout.contains(&block),
            "README block after `{after}`:\n{block}\nis not in the output:\n{stdout}"
        );
    }
}
