//! The README's catalogue table is generated from the policy files; this test fails when it is
//! stale. Run with `DEXLINT_BLESS=1` to rewrite it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use dexlint::{builtin, catalogue, policy};

#[test]
fn readme_catalogue_is_fresh() {
    let policy_set =
        policy::compile(&builtin::sources(), &policy::NoFiles).expect("built-in policies compile");
    let table = catalogue::markdown_table(policy_set.policies.iter().map(|p| p.meta()));
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
