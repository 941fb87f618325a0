//! dexlint never writes inside the export directory and opens no network socket.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Every path under `dir` with its size, modification time and content.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (u64, std::time::SystemTime, Vec<u8>)> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .map(|e| {
            let meta = e.metadata().unwrap();
            let content = if meta.is_file() {
                std::fs::read(e.path()).unwrap()
            } else {
                Vec::new()
            };
            (
                e.path().to_path_buf(),
                (meta.len(), meta.modified().unwrap(), content),
            )
        })
        .collect()
}

#[cfg(unix)]
#[test]
fn nothing_is_written_into_a_read_only_export() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("export");
    common::copy_dir(&common::manifest().join("examples/contoso"), &export);
    for e in walkdir::WalkDir::new(&export) {
        let e = e.unwrap();
        let mode = if e.file_type().is_dir() { 0o555 } else { 0o444 };
        std::fs::set_permissions(e.path(), std::fs::Permissions::from_mode(mode)).unwrap();
    }
    let before = snapshot(&export);
    let baseline = dir.path().join("baseline.json");
    for format in ["human", "json", "sarif", "junit", "github", "azure"] {
        let out = assert_cmd::Command::cargo_bin("dexlint")
            .unwrap()
            .current_dir(&export)
            .args(["lint", ".", "--format", format, "--write-baseline"])
            .arg(&baseline)
            .output()
            .unwrap();
        // Writing a baseline accepts the violations: exit 0.
        assert_eq!(
            out.status.code(),
            Some(0),
            "{format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(snapshot(&export), before, "the export directory changed");
    for e in walkdir::WalkDir::new(&export) {
        std::fs::set_permissions(e.unwrap().path(), std::fs::Permissions::from_mode(0o755))
            .unwrap();
    }
}

#[test]
fn no_network_socket_is_opened() {
    let Ok(probe) = Command::new("strace").arg("-V").output() else {
        eprintln!("SKIPPED: strace is not installed");
        return;
    };
    assert!(probe.status.success());
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("trace.txt");
    let bin = assert_cmd::cargo::cargo_bin("dexlint");
    let status = Command::new("strace")
        .args([
            "-f",
            "-qq",
            "-e",
            "trace=socket,connect,bind,sendto,openat",
            "-o",
        ])
        .arg(&trace)
        .arg(&bin)
        .args(["lint", "examples/contoso", "--format", "sarif"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(1));
    let calls = std::fs::read_to_string(&trace).unwrap();
    assert!(
        calls.contains("deployment.json"),
        "strace saw the export being read: {calls}"
    );
    let network: Vec<&str> = calls
        .lines()
        .filter(|l| l.contains("AF_INET") || l.contains("AF_INET6") || l.contains("connect("))
        .collect();
    assert!(network.is_empty(), "network calls: {network:?}");
}
