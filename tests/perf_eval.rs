//! The phases after loading: lint's coverage summary is counted without listing the assets,
//! and a large file is located in pieces (src/export/locate.rs) with the same pointers, lines,
//! columns and excerpts as its whole text. Speed is measured by bench/run.sh, never here.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common;
use dexlint::export::locate::{locate_file, PIECE, WHOLE_MAX};
use dexlint::export::{load, LoadOptions};
use dexlint::generate::{generate_as, GenOptions, Layout};
use std::path::Path;

/// Offsets of `path` to locate: every byte of a small file, every `step`th of a larger one,
/// and the bytes around each piece end of `piece`.
fn offsets(path: &Path, piece: usize) -> Vec<u32> {
    let len = std::fs::metadata(path).unwrap().len() as usize;
    let step = (len / 3000).max(1);
    let mut out: Vec<u32> = (0..=len + 1).step_by(step).map(|o| o as u32).collect();
    for end in (piece..len).step_by(piece) {
        out.extend((end.saturating_sub(3)..end + 3).map(|o| o as u32));
    }
    out.sort_unstable();
    out.dedup();
    out
}

#[test]
fn every_fixture_file_locates_in_pieces_as_in_its_whole_text() {
    let mut files = 0;
    for path in common::files(&common::manifest().join("tests/fixtures")) {
        if path.extension().is_none_or(|x| x != "json") {
            continue;
        }
        files += 1;
        for piece in [1, 3, 64, 4096] {
            let targets = offsets(&path, piece.max(64));
            let whole = locate_file(&path, &targets, None);
            assert_eq!(
                locate_file(&path, &targets, Some(piece)),
                whole,
                "{} in pieces of {piece}",
                path.display()
            );
        }
    }
    assert!(files > 100, "{files} fixture files");
}

#[test]
fn a_large_list_locates_in_pieces_as_in_its_whole_text() {
    let dir = tempfile::tempdir().unwrap();
    let options = GenOptions {
        users: 4000,
        devices: 200,
        groups: 10,
        violations: 0.05,
        page: 999,
    };
    generate_as(dir.path(), &options, Layout::OneFile).unwrap();
    let users = dir.path().join("graph/users.json");
    let len = std::fs::metadata(&users).unwrap().len();
    assert!(
        len > WHOLE_MAX,
        "users.json ({len} bytes) is read in pieces"
    );
    // Whole values (users, their fields) cut by piece ends of both sizes.
    for piece in [PIECE, 4093] {
        let targets = offsets(&users, piece);
        let whole = locate_file(&users, &targets, None);
        assert!(whole.iter().filter(|l| l.is_some()).count() > 2000);
        assert_eq!(locate_file(&users, &targets, Some(piece)), whole);
    }
    // What lint reports of violations in it: placed where their value starts.
    let out = common::dexlint()
        .arg("lint")
        .arg(dir.path())
        .args(["--format", "json", "--edition", "2025-08"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let text = std::fs::read_to_string(&users).unwrap();
    let lines: Vec<&str> = text.split('\n').collect();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut checked = 0;
    for v in report["violations"].as_array().unwrap() {
        if v["file"].as_str() != Some("graph/users.json") {
            continue;
        }
        let (line, column) = (v["line"].as_u64().unwrap(), v["column"].as_u64().unwrap());
        let pointer = v["pointer"].as_str().unwrap();
        let at: String = lines[line as usize - 1]
            .chars()
            .skip(column as usize - 1)
            .collect();
        let value = doc.pointer(pointer).unwrap();
        let first = value.to_string();
        let first = if value.is_object() || value.is_array() {
            &first[..1]
        } else {
            &first[..]
        };
        assert!(at.starts_with(first), "{pointer} at {line}:{column}: {at}");
        checked += 1;
    }
    assert!(checked > 50, "{checked} violations in users.json");
}

#[test]
fn lint_counts_coverage_as_the_scope_report_does() {
    let fixtures = common::manifest().join("tests/fixtures/exports");
    let mut scoped = 0;
    for entry in std::fs::read_dir(&fixtures).unwrap() {
        let root = entry.unwrap().path();
        if !root.is_dir() {
            continue;
        }
        let Ok(l) = load(std::slice::from_ref(&root), &LoadOptions::default()) else {
            continue;
        };
        let assessed = dexlint::coverage::assess(&l.model, &[]);
        scoped += usize::from(assessed.scoped == Some(true));
        let assets = assessed.assets.into_iter().map(|(a, _)| a).collect();
        let listed = dexlint::coverage::report(assets, assessed.scoped, assessed.notes);
        assert_eq!(
            dexlint::coverage::summary(&l.model),
            listed.summary,
            "{}",
            root.display()
        );
    }
    assert!(scoped > 0, "some fixture uses scoped coverage");
}
