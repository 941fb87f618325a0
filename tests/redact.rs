//! `--redact`: no user principal name, display name or id of the export in any output format;
//! the hashes are stable and the rest of the report is unchanged.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use assert_cmd::Command;

const SECRETS: &[&str] = &[
    "alex.wilber@contoso.com",
    "Alex Wilber",
    "SOC Tier 2 Analysts",
    "CONTOSO-LT-042",
    "contoso-lt-042.contoso.com",
    "b320b3f0-6a2d-4a47-9c5e-3e0f1f6f8a21",
    "e2d4c1a8-7b3f-4c55-8d2e-91f0a6b7c3d4",
    "0c5d8a2e-6a4b-4d0e-9f1a-1b2c3d4e5f60",
    "7d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6",
    "1e5bc9d7e413ddd7902c2932e418702b84d0cc07",
    "Defender_Experts_Scoped_Coverage_Device`",
];

fn run(format: &str, redact: bool) -> (Option<i32>, String) {
    let mut c = Command::cargo_bin("dexlint").unwrap();
    c.current_dir(env!("CARGO_MANIFEST_DIR")).args([
        "lint",
        "examples/contoso",
        "--format",
        format,
    ]);
    c.env_remove("DEXLINT_REDACT_KEY");
    if redact {
        c.args([
            "--redact",
            "--redact-key",
            "a key kept in the pipeline's secrets",
        ]);
    }
    let out = c.output().unwrap();
    (out.status.code(), String::from_utf8(out.stdout).unwrap())
}

#[test]
fn every_format_is_redacted() {
    for format in ["human", "json", "sarif", "junit", "github", "azure"] {
        let (plain_code, plain) = run(format, false);
        let (code, redacted) = run(format, true);
        assert_eq!(code, plain_code, "{format}");
        assert!(
            plain.contains("alex.wilber@contoso.com")
                || format == "junit"
                || plain.contains("b320b3f0"),
            "{format}: the test must see secrets unredacted"
        );
        for secret in SECRETS {
            assert!(
                !redacted.contains(secret),
                "{format}: `{secret}` leaked:\n{redacted}"
            );
        }
        assert!(redacted.contains("h:"), "{format}");
        assert!(
            redacted.contains("Defender_Experts_Scoped_Coverage_Users"),
            "{format}: reserved names are kept"
        );
        assert_eq!(run(format, true).1, redacted, "{format}: hashes are stable");
    }
}

#[test]
fn redacted_json_keeps_positions() {
    let plain: serde_json::Value = serde_json::from_str(&run("json", false).1).unwrap();
    let redacted: serde_json::Value = serde_json::from_str(&run("json", true).1).unwrap();
    let key = |v: &serde_json::Value| -> Vec<(String, u64, u64)> {
        v["violations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| {
                (
                    x["policy"].as_str().unwrap().to_string(),
                    x["line"].as_u64().unwrap(),
                    x["column"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    assert_eq!(key(&plain), key(&redacted));
    let key = dexlint::redact::Key::from_secret("k");
    assert_eq!(
        key.hash("alex.wilber@contoso.com"),
        key.hash("alex.wilber@contoso.com")
    );
    assert_ne!(key.hash("a"), key.hash("b"));
    assert_ne!(
        key.hash("a"),
        dexlint::redact::Key::from_secret("other").hash("a")
    );
}
