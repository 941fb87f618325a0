//! Minified exports: Graph and Defender for Endpoint responses saved as returned (`curl`, `az
//! rest`, `ConvertTo-Json -Compress`) are one line of up to hundreds of megabytes. Every format
//! places each violation exactly, the human and HTML excerpts show the value's part of the line
//! only (src/export/locate.rs, `SourceExcerpt`), and `--redact` hides what a cut excerpt shows.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common;
use dexlint::generate::{generate_as, GenOptions, Layout};
use std::path::Path;

/// Rewrites every `.json` file under `dir` as compact JSON: one line.
fn minify(dir: &Path) {
    for path in common::files(dir) {
        if path.extension().is_some_and(|e| e == "json") {
            let bytes = std::fs::read(&path).unwrap();
            let text = String::from_utf8(bytes).unwrap();
            let value: serde_json::Value =
                serde_json::from_str(text.trim_start_matches('\u{feff}')).unwrap();
            std::fs::write(&path, serde_json::to_string(&value).unwrap()).unwrap();
        }
    }
}

fn run(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let out = common::dexlint()
        .env_remove("DEXLINT_REDACT_KEY")
        .arg("lint")
        .arg(dir)
        .args(["--edition", "2025-08"])
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    (out.status.code(), String::from_utf8(out.stdout).unwrap())
}

/// Each violation's `file:line:column` from the JSON report.
fn positions(dir: &Path) -> Vec<String> {
    let (code, json) = run(dir, &["--format", "json"]);
    assert_eq!(code, Some(1), "{json}");
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["file"].is_string())
        .map(|v| {
            format!(
                "{}:{}:{}",
                v["file"].as_str().unwrap(),
                v["line"],
                v["column"]
            )
        })
        .collect()
}

/// The human report shows each violation at the JSON report's position, in lines a terminal
/// can show.
fn assert_human_places(dir: &Path, at_least: usize) {
    let places = positions(dir);
    assert!(places.len() >= at_least, "{places:?}");
    let (code, human) = run(dir, &["--format", "human"]);
    assert_eq!(code, Some(1));
    for place in &places {
        assert!(
            human.contains(&format!("{place}]")),
            "{place} not shown:\n{human}"
        );
    }
    let longest = human.lines().map(|l| l.chars().count()).max().unwrap();
    assert!(longest < 300, "a line of {longest} characters");
}

#[test]
fn a_minified_example_is_placed_cut_and_redacted() {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&common::manifest().join("examples/contoso"), dir.path());
    minify(dir.path());
    assert_human_places(dir.path(), 5);
    let (_, human) = run(dir.path(), &["--format", "human"]);
    assert!(human.contains('…'), "long lines are cut:\n{human}");
    assert!(
        human.contains("SOC Tier 2 Analysts"),
        "the test must see a name in a cut excerpt"
    );
    // A cut excerpt never starts inside a string, so redaction finds every value in it.
    for format in ["human", "sarif", "html"] {
        let (_, out) = run(
            dir.path(),
            &["--format", format, "--redact", "--redact-key", "k"],
        );
        for secret in [
            "SOC Tier 2 Analysts",
            "CONTOSO-LT-042",
            "b320b3f0-6a2d-4a47-9c5e-3e0f1f6f8a21",
            "alex.wilber@contoso.com",
        ] {
            assert!(!out.contains(secret), "{format}: `{secret}` leaked:\n{out}");
        }
    }
}

#[test]
fn a_minified_one_file_export_with_many_violations_is_placed() {
    let dir = tempfile::tempdir().unwrap();
    let options = GenOptions {
        users: 2000,
        devices: 2000,
        groups: 20,
        violations: 0.05,
        page: 999,
    };
    generate_as(dir.path(), &options, Layout::OneFile).unwrap();
    minify(dir.path());
    assert_human_places(dir.path(), 100);
    // SARIF's snippets are the values' text in the file.
    let (_, sarif) = run(dir.path(), &["--format", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    let mut snippets = 0;
    for result in sarif["runs"][0]["results"].as_array().unwrap() {
        let location = &result["locations"][0]["physicalLocation"];
        let Some(snippet) = location["region"]["snippet"]["text"].as_str() else {
            continue;
        };
        let uri = location["artifactLocation"]["uri"].as_str().unwrap();
        let file = percent_encoding::percent_decode_str(uri.trim_start_matches("file://"))
            .decode_utf8()
            .unwrap()
            .into_owned();
        let text = std::fs::read_to_string(dir.path().join(&file)).unwrap();
        let column = location["region"]["startColumn"].as_u64().unwrap() as usize;
        let at: usize = text.chars().take(column - 1).map(char::len_utf8).sum();
        assert!(
            text[at..].starts_with(snippet),
            "{file}:{column}: {snippet}"
        );
        snippets += 1;
    }
    assert!(snippets >= 100, "{snippets} snippets");
}
