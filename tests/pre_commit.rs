//! The pre-commit hook, run by the real `pre-commit` (`try-repo` on this repository) in a
//! temporary git repository. `.ci/run` installs pre-commit from PyPI into a venv and names it
//! in DEXLINT_PRE_COMMIT; without it the test says so and is skipped.
//!
//! pre-commit installs a `language: rust` hook with `cargo install --bins --root ENV --path .`
//! in its clone of the repository: a release build of the whole dependency tree, minutes on a
//! 2-core machine, of the same sources the suite has just built. So `cargo` is a stand-in
//! first on the PATH that checks that call (arguments, and that its directory is a clone of
//! this package) and puts the test build's `dexlint` in `ENV/bin`; every other cargo call goes
//! to the real cargo. `DEXLINT_PRE_COMMIT_BUILD=1` runs the real build instead.

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

/// Writes the `cargo` stand-in into `dir` and returns a PATH with `dir` first.
fn cargo_stand_in(dir: &Path) -> std::ffi::OsString {
    let real = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let script = format!(
        r#"#!/bin/sh
# pre-commit's `cargo install --bins --root ENV --path .` of the dexlint hook.
if [ "$1" = install ]; then
  [ "$2" = --bins ] && [ "$3" = --root ] && [ "$5" = --path ] && [ "$6" = . ] && [ $# -eq 6 ] \
    || {{ echo "unexpected cargo call: $*" >&2; exit 101; }}
  grep -q '^name = "dexlint"' Cargo.toml && [ -f src/main.rs ] && [ -f .pre-commit-hooks.yaml ] \
    || {{ echo "not a clone of dexlint: $(pwd)" >&2; exit 101; }}
  mkdir -p "$4/bin" && cp '{bin}' "$4/bin/dexlint"
  exit $?
fi
exec '{real}' "$@"
"#,
        bin = env!("CARGO_BIN_EXE_dexlint"),
    );
    let file = dir.join("cargo");
    std::fs::write(&file, script).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut paths = vec![dir.to_path_buf()];
    paths.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(paths).unwrap()
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
    let shim = tempfile::tempdir().unwrap();
    // The hook's environment: installed once and reused by the runs below.
    let (path, home) = if std::env::var_os("DEXLINT_PRE_COMMIT_BUILD").is_some() {
        (
            std::env::var_os("PATH").unwrap_or_default(),
            target.join("pre-commit-home"),
        )
    } else {
        (cargo_stand_in(shim.path()), shim.path().join("home"))
    };
    // `hook`: the hook's id; `files`: `--files` and these, else the staged changes.
    let run_hook = |hook: &str, files: Option<&[&str]>| {
        let mut command = Command::new(&pre_commit);
        command
            .env("PATH", &path)
            .current_dir(repo.path())
            .arg("try-repo")
            .arg(manifest)
            .arg(hook);
        if let Some(files) = files {
            command.arg("--files").args(files);
        }
        command
            .env("PRE_COMMIT_HOME", &home)
            .env("CARGO_TARGET_DIR", target.join("pre-commit-build"))
            .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
            .env("CARGO_PROFILE_RELEASE_DEBUG", "0")
            .env("CARGO_PROFILE_RELEASE_INCREMENTAL", "true")
            .output()
            .unwrap()
    };
    let run = |files: &[&str]| run_hook("dexlint", Some(files));
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

    // A commit that only deletes an export file: pre-commit passes deleted files to no hook,
    // so `dexlint` does not run; `dexlint-exports` runs whatever changed and lints the export
    // without it.
    git(repo.path(), &["commit", "-q", "-m", "exports"]);
    git(
        repo.path(),
        &["rm", "-q", "exports/contoso/azure/pricings.json"],
    );
    let text = |out: std::process::Output| {
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    };
    let out = run_hook("dexlint", None);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(out).contains("(no files to check)"));
    let out = run_hook("dexlint-exports", None);
    assert_eq!(out.status.code(), Some(1));
    let text = text(out);
    assert!(!text.contains("(no files to check)"), "{text}");
    assert!(
        text.contains("exports/contoso/mde/devicegroups.json:5:15"),
        "{text}"
    );
    // DEX302 is not evaluated: the subscription's pricing is gone (the output wraps lines).
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains("provide GET /subscriptions/7d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6/providers/Microsoft.Security/pricings"),
        "{text}"
    );
}
