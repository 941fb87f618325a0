//! A generated export: parallel loading gives byte-identical output whatever the thread count,
//! and the generator's share of violations is what the policies find.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use assert_cmd::Command;
use dexlint::generate::{generate, GenOptions};

#[test]
fn output_is_identical_for_one_and_many_threads() {
    let dir = tempfile::tempdir().unwrap();
    let options = GenOptions {
        users: 1500,
        devices: 800,
        groups: 40,
        violations: 0.05,
        page: 25,
    };
    let (files, _) = generate(dir.path(), &options).unwrap();
    assert!(files > 100, "{files}");
    let run = |threads: &str, format: &str| {
        let out = Command::cargo_bin("dexlint")
            .unwrap()
            .env("RAYON_NUM_THREADS", threads)
            .arg("lint")
            .arg(dir.path())
            // The expected counts follow the 2025-08 catalogue (DEX102 per user).
            .args(["--format", format, "--edition", "2025-08"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        out.stdout
    };
    for format in ["json", "sarif"] {
        let one = run("1", format);
        assert!(one == run("4", format), "{format} differs with 4 threads");
    }
    let v: serde_json::Value = serde_json::from_slice(&run("2", "json")).unwrap();
    let count = |id: &str| {
        v["violations"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["policy"] == id)
            .count()
    };
    // 5% of 1500 users lack P1 (every 20th); every 50th user is a guest, who needs none.
    let guests_without_p1 = (0..1500).filter(|n| n % 50 == 49 && n % 20 == 19).count();
    assert_eq!(count("DEX102"), 75 - guests_without_p1);
    assert_eq!(
        count("DEX204"),
        40,
        "5% of 800 devices are passive, all in the scoped group"
    );
    assert_eq!(
        count("DEX003"),
        1,
        "the scoped user group has a nested group"
    );
}
