//! One fixture per compile error under tests/fixtures/policies/err/, rendered as miette's
//! colourless fixed-width graphical output and compared with a snapshot.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use dexlint::policy::{self, PolicySource};
use std::path::Path;

fn render(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/policies/err")
        .join(format!("{name}.policy"));
    let text = std::fs::read_to_string(&path).unwrap();
    let source = PolicySource {
        name: format!("err/{name}.policy"),
        text,
    };
    let errors =
        policy::compile(&[source], &policy::NoFiles).expect_err("the fixture must not compile");
    policy::render_errors(&errors, false, 100)
}

macro_rules! snapshots {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                insta::assert_snapshot!(stringify!($name), render(stringify!($name)));
            }
        )*

        #[test]
        fn every_fixture_has_a_test() {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/policies/err");
            let mut fixtures: Vec<String> = std::fs::read_dir(dir)
                .unwrap()
                .map(|e| e.unwrap().path().file_stem().unwrap().to_string_lossy().into_owned())
                .collect();
            fixtures.sort();
            let mut tested = vec![$(stringify!($name).to_string()),*];
            tested.sort();
            assert_eq!(fixtures, tested);
        }
    };
}

snapshots!(
    syntax_missing_brace,
    syntax_assign,
    syntax_c_operators,
    syntax_single_quotes,
    syntax_glob_braces,
    shadows_collection,
    unterminated_string,
    unknown_field,
    unknown_collection,
    type_mismatch,
    unknown_function,
    arity,
    duplicate_policy,
    unused_binding,
    missing_severity,
    unknown_severity,
    duplicate_attribute,
    bad_glob,
    not_a_record,
    bad_target,
    param_type,
    untyped_param,
    unknown_type,
    unknown_value,
    division_by_zero,
    quantifier_not_list,
    where_not_bool,
    bad_escape,
    not_constant,
    all_without_condition,
    unknown_name_in_message,
    several_errors,
    column_in_characters,
    policy_help_unbound,
    description_interpolates,
);

#[test]
fn errors_of_several_files_are_all_reported() {
    let a = PolicySource {
        name: "a.policy".into(),
        text: "policy A \"a\" {\n  severity eror\n  for g in groups\n  report g \"x\"\n}\n".into(),
    };
    let b = PolicySource {
        name: "b.policy".into(),
        text: "policy A \"b\" {\n  severity error\n  for u in usrs\n  report u \"x\"\n}\n".into(),
    };
    let errors = policy::compile(&[a, b], &policy::NoFiles).unwrap_err();
    let files: Vec<&str> = errors.errors().iter().map(|e| e.file.as_str()).collect();
    assert_eq!(files, ["a.policy", "b.policy", "b.policy"], "{errors:?}");
}
