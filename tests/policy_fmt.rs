//! `dexlint fmt`: idempotent, meaning-preserving (parse(fmt(x)) == parse(x)), comments kept,
//! over every policy of policies/ and the test fixtures.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use dexlint::policy::ast::shape;
use dexlint::policy::format::format;
use dexlint::policy::parse::{comments, parse_file};
use std::path::{Path, PathBuf};

fn policy_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in [
        "policies",
        "tests/fixtures/policies/ok",
        "tests/fixtures/policies/err",
    ] {
        for e in std::fs::read_dir(root.join(dir)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "policy") {
                files.push(p);
            }
        }
    }
    files.sort();
    files
}

#[test]
fn round_trip_and_idempotence_over_every_policy_file() {
    let mut checked = 0;
    for path in policy_files() {
        let text = std::fs::read_to_string(&path).unwrap();
        let Ok(before) = parse_file(&text) else {
            continue;
        }; // syntax-error fixtures
        let once = format(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let after = parse_file(&once).unwrap_or_else(|e| panic!("{}: {e}\n{once}", path.display()));
        assert_eq!(
            shape(&before),
            shape(&after),
            "{}: formatting changed the meaning\n{once}",
            path.display()
        );
        assert_eq!(
            format(&once).unwrap(),
            once,
            "{}: not idempotent",
            path.display()
        );
        let texts = |s: &str| comments(s).into_iter().map(|(_, c)| c).collect::<Vec<_>>();
        let mut want = texts(&text);
        let mut got = texts(&once);
        want.sort();
        got.sort();
        assert_eq!(want, got, "{}: comments lost", path.display());
        checked += 1;
    }
    assert!(checked >= 40, "only {checked} files checked");
}

/// Found by the `policy` fuzz target: a triple-quoted line starting with a vertical tab counted
/// it as indentation, and each formatting indented the other lines once more.
#[test]
fn triple_quoted_text_with_control_whitespace_is_formatted_once() {
    let text = "policy T \"t\" {\n  severity warning\n  description \"\"\"\n    first\n\u{b}\u{0}  second\n      third\n  \"\"\"\n  assert true\n  report \"x\"\n}\n";
    let once = format(text).unwrap();
    assert_eq!(
        shape(&parse_file(text).unwrap()),
        shape(&parse_file(&once).unwrap()),
        "{once}"
    );
    assert_eq!(format(&once).unwrap(), once);
}

#[test]
fn builtin_policies_are_formatted() {
    for path in policy_files()
        .iter()
        .filter(|p| p.parent().is_some_and(|d| d.ends_with("policies")))
    {
        let text = std::fs::read_to_string(path).unwrap();
        assert_eq!(
            format(&text).unwrap(),
            text,
            "run `dexlint fmt {}`",
            path.display()
        );
    }
}

#[test]
fn canonical_layout() {
    let messy = "const  x=[ 1,2 ,]\npolicy A \"a\"{ # open\nparam p=1 severity  info\nfor g in groups where not (g.name==\"x\") and (p>0 or p<0) report g.name \"{g.name}\" }\n";
    let want = "const x = [1, 2]\n\npolicy A \"a\" { # open\n  param p = 1\n  severity info\n\n  for g in groups\n  where not g.name == \"x\" and (p > 0 or p < 0)\n  report g.name \"{g.name}\"\n}\n";
    assert_eq!(format(messy).unwrap(), want);
}

// A long `let` value is broken before its top-level `or`s (or `and`s), as a `where` condition
// is (it was one line of any length).
#[test]
fn a_long_let_is_broken_at_its_top_level_operators() {
    let long = "policy T \"t\" {\n  severity warning\n\n  for g in groups\n  let reserved_or_near = g.name == \"Defender_Experts_Scoped_Coverage_Users\" or similar(g.name, \"Defender_Experts_Scoped_Coverage_Users\")\n  where reserved_or_near\n  report g \"{g.name}\"\n}\n";
    let want = "policy T \"t\" {\n  severity warning\n\n  for g in groups\n  let reserved_or_near = g.name == \"Defender_Experts_Scoped_Coverage_Users\"\n    or similar(g.name, \"Defender_Experts_Scoped_Coverage_Users\")\n  where reserved_or_near\n  report g \"{g.name}\"\n}\n";
    assert_eq!(format(long).unwrap(), want);
    assert_eq!(format(want).unwrap(), want);
}

#[test]
fn invisible_characters_keep_their_escapes() {
    let text = "policy T \"t\" {\n  severity warning\n\n  assert true\n  report \"a\\u{200B}b\\u{A0}c\\u{2028}d\\u{FEFF}e\\u{0}f\\tg é 😀\"\n}\n";
    let once = format(text).unwrap();
    assert!(
        once.contains(r#"report "a\u{200B}b\u{A0}c\u{2028}d\u{FEFF}e\u{0}f\tg é 😀""#),
        "{once}"
    );
    assert_eq!(once, text);
}

#[test]
fn comments_at_the_end_of_a_clause_stay_on_its_line() {
    let text = "policy T \"t\" {\n  severity warning\n\n  # before the rule\n  for g in groups # every group\n  let n = g.name # its name\n  where n == \"x\" # a filter\n  report g \"{n}\" # the report\n}\n";
    assert_eq!(format(text).unwrap(), text);
    // A comment inside a clause laid out anew goes before the rule; one after a clause's
    // closing parenthesis stays with it.
    let messy = "policy T \"t\" {\n  severity warning\n  for g in groups where g.name == # inside\n  \"x\" report g \"y\" # end\n}\n";
    let want = "policy T \"t\" {\n  severity warning\n\n  # inside\n  for g in groups\n  where g.name == \"x\"\n  report g \"y\" # end\n}\n";
    assert_eq!(format(messy).unwrap(), want);
    let two =
        "policy T \"t\" {\n  severity warning\n  assert (true) # why\n  report \"y\" # end\n}\n";
    let want =
        "policy T \"t\" {\n  severity warning\n\n  assert true # why\n  report \"y\" # end\n}\n";
    assert_eq!(format(two).unwrap(), want);
}

#[test]
fn the_cli_checks_and_rewrites() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.policy");
    std::fs::write(
        &file,
        "policy A \"a\" { severity info assert true report \"x\" }\n",
    )
    .unwrap();
    let run = |args: &[&str]| {
        assert_cmd::Command::cargo_bin("dexlint")
            .unwrap()
            .args(args)
            .arg(&file)
            .output()
            .unwrap()
    };
    assert_eq!(run(&["fmt", "--check"]).status.code(), Some(1));
    assert_eq!(run(&["fmt"]).status.code(), Some(0));
    assert_eq!(run(&["fmt", "--check"]).status.code(), Some(0));
    std::fs::write(&file, "policy A {").unwrap();
    let out = run(&["fmt"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("syntax error"));
}

#[test]
fn trees_differ_by_their_spans_and_agree_in_shape() {
    let tight = "policy T \"t\" {\n  severity info\n  assert 1==1\n  report \"x\"\n}\n";
    let loose = "policy T \"t\" {\n  severity info\n  assert 1 == 1\n  report \"x\"\n}\n";
    let (a, b) = (parse_file(tight).unwrap(), parse_file(loose).unwrap());
    assert_ne!(a, b, "spans take part in equality");
    assert_eq!(shape(&a), shape(&b));
    assert!(!shape(&a).contains("start:"), "{}", shape(&a));
}

#[test]
fn a_byte_order_mark_opening_a_policy_file_is_read_and_kept() {
    // Windows PowerShell 5.1 (`Set-Content -Encoding UTF8`, `Out-File`) opens a UTF-8 file with
    // a byte-order mark: the file parses, and formatting keeps the mark.
    let plain = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/DEX107.policy"),
    )
    .unwrap();
    let marked = format!("\u{FEFF}{plain}");
    let file = parse_file(&marked).unwrap();
    assert_eq!(file.policies.len(), 1);
    assert_eq!(shape(&file), shape(&parse_file(&plain).unwrap()));
    assert_eq!(
        format(&marked).unwrap(),
        format!("\u{FEFF}{}", format(&plain).unwrap())
    );
    // Only at the start: anywhere else it is no whitespace.
    let inside = plain.replacen("policy DEX107", "policy\u{FEFF} DEX107", 1);
    assert!(parse_file(&inside).is_err());
}

#[test]
fn a_policy_file_with_crlf_line_endings_keeps_them() {
    // A Windows checkout (Git's `core.autocrlf`): a formatted file is formatted, its text
    // blocks included, and formatting writes CRLF again.
    let plain = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/DEX107.policy"),
    )
    .unwrap();
    let crlf = plain.replace('\n', "\r\n");
    // The text blocks (the description) read as with LF: no `\r` in what `explain` prints.
    assert_eq!(
        shape(&parse_file(&crlf).unwrap()),
        shape(&parse_file(&plain).unwrap())
    );
    assert_eq!(format(&crlf).unwrap(), crlf);
    let untidy = crlf.replace("  severity warning", "severity   warning");
    assert_eq!(format(&untidy).unwrap(), crlf);
}
