//! The pre-commit hook, run by the real `pre-commit` (`try-repo` on this repository) in a
//! temporary git repository. `.ci/run` installs pre-commit from PyPI into a venv and names it
//! in DEXLINT_PRE_COMMIT; without it the test says so and is skipped.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn pre_commit() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("DEXLINT_PRE_COMMIT") {
        return Some(PathBuf::from(p));
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/pre-commit-venv/bin/pre-commit");
    if venv.is_file() {
        return Some(venv);
    }
    Command::new("pre-commit")
        .arg("--version")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|_| PathBuf::from("pre-commit"))
}

fn git(dir: &Path, args: &[&str]) {
    let ok = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=dexlint",
            "-c",
            "user.email=dexlint@example.org",
        ])
        .args(args)
        .status()
        .unwrap()
        .success();
    assert!(ok, "git {args:?}");
}

#[test]
fn the_hook_lints_the_export_holding_changed_files() {
    let Some(pre_commit) = pre_commit() else {
        eprintln!("SKIPPED: pre-commit is not installed (run `bash .ci/run`, which installs it from PyPI, or set DEXLINT_PRE_COMMIT)");
        return;
    };
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let repo = tempfile::tempdir().unwrap();
    let export = repo.path().join("exports/contoso");
    common::copy_dir(&manifest.join("examples/contoso"), &export);
    std::fs::write(
        repo.path().join("dexlint.toml"),
        "exports = [\"exports/contoso\"]\n",
    )
    .unwrap();
    std::fs::write(repo.path().join("notes.md"), "not an export\n").unwrap();
    git(repo.path(), &["init", "-q"]);
    git(repo.path(), &["add", "."]);
    let target = manifest.join("target");
    let run = |files: &[&str]| {
        Command::new(&pre_commit)
            .current_dir(repo.path())
            .arg("try-repo")
            .arg(manifest)
            .arg("dexlint")
            .arg("--files")
            .args(files)
            // One quick build of the hook, cached between runs.
            .env("PRE_COMMIT_HOME", target.join("pre-commit-home"))
            .env("CARGO_TARGET_DIR", target.join("pre-commit-build"))
            .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
            .env("CARGO_PROFILE_RELEASE_DEBUG", "0")
            .env("CARGO_PROFILE_RELEASE_INCREMENTAL", "true")
            .output()
            .unwrap()
    };
    let out = run(&["exports/contoso/mde/devicegroups.json"]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("DEX001"), "{text}");
    assert!(
        text.contains("exports/contoso/mde/devicegroups.json:5:15"),
        "{text}"
    );

    // A change outside any JSON file does not run the hook's lint.
    let out = run(&["notes.md"]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("(no files to check)"), "{text}");

    // A changed configuration or policy file lints every configured export.
    std::fs::create_dir_all(repo.path().join("policies")).unwrap();
    std::fs::write(repo.path().join("policies/ORG001.policy"), "# none yet\n").unwrap();
    for changed in ["dexlint.toml", "policies/ORG001.policy"] {
        let out = run(&[changed]);
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(out.status.code(), Some(1), "{changed}: {text}");
        assert!(
            text.contains("exports/contoso/mde/devicegroups.json:5:15"),
            "{changed}: {text}"
        );
    }
}
