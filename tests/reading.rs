//! What people read: the human report (labels, load errors, the verdict), `explain`, the CI
//! annotations and the Markdown summary, with every text rendered (no `{name}` left), wrapped
//! without splitting identifiers; the hook, `init` and `man` texts.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common;

use common::dexlint;
use std::path::Path;

/// `dexlint ARGS` at a fixed width: (exit code, stdout, stderr).
fn run_at(columns: usize, args: &[&str]) -> (i32, String, String) {
    let out = dexlint()
        .env("COLUMNS", columns.to_string())
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn run(args: &[&str]) -> (i32, String, String) {
    run_at(100, args)
}

/// A configuration that runs only `ids`, in a temporary directory.
fn enabling(dir: &Path, ids: &[&str]) -> String {
    let path = dir.join("dexlint.toml");
    let list: Vec<String> = ids.iter().map(|i| format!("\"{i}\"")).collect();
    std::fs::write(&path, format!("enable = [{}]\n", list.join(", "))).unwrap();
    path.display().to_string()
}

/// Every `{name}` (an identifier, a field path or a call) left unrendered in `text`.
fn placeholders(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find('{') {
        let after = &rest[i + 1..];
        let name: String = after
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || "_.(), ".contains(*c))
            .collect();
        if after[name.len()..].starts_with('}')
            && name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        {
            found.push(format!("{{{name}}}"));
        }
        rest = after;
    }
    found
}

#[test]
fn the_placeholder_check_finds_what_it_should() {
    assert_eq!(
        placeholders("rename it to `{reserved}`, `{s.part_number}` {default(m.name, m.id)}"),
        ["{reserved}", "{s.part_number}", "{default(m.name, m.id)}"]
    );
    assert!(placeholders(r#"{"violations": [], "summary": {}}"#).is_empty());
}

#[test]
fn human_report_clean_run() {
    let dir = tempfile::tempdir().unwrap();
    let config = enabling(dir.path(), &["DEX201", "DEX203"]);
    let (code, out, _) = run(&[
        "lint",
        "--config",
        &config,
        "tests/fixtures/exports/declaration",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.ends_with("All checks passed!\n"), "{out}");
    insta::assert_snapshot!("human_clean", out);
}

#[test]
fn human_report_one_warning() {
    let dir = tempfile::tempdir().unwrap();
    let config = enabling(dir.path(), &["DEX204"]);
    let (code, out, _) = run(&[
        "lint",
        "--config",
        &config,
        "tests/fixtures/exports/mde-health",
    ]);
    assert_eq!(code, 0, "{out}");
    // The rule's label, not the policy's title, under the value; singular counts.
    assert!(out.contains("╰── antivirus not in active mode"), "{out}");
    assert!(
        !out.contains("In-scope devices run antivirus in active mode"),
        "{out}"
    );
    assert!(out.contains(" 1 policy run: 0 errors, 1 warning,"), "{out}");
    assert!(
        out.ends_with("passed: nothing at or above `error` (1 finding below it)\n"),
        "{out}"
    );
    insta::assert_snapshot!("human_one_warning", out);

    // The same warning fails the run at a lower fail level, and the verdict says so.
    let (code, out, _) = run(&[
        "lint",
        "--config",
        &config,
        "--fail-level",
        "warning",
        "tests/fixtures/exports/mde-health",
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.ends_with("not ready: 1 warning at or above `warning`\n"),
        "{out}"
    );
}

#[test]
fn human_report_errors() {
    let (code, out, _) = run(&["lint", "examples/contoso"]);
    assert_eq!(code, 1);
    assert!(out.contains("╰── renamed scoped device group"), "{out}");
    assert!(
        out.ends_with("not ready: 4 errors at or above `error`\n"),
        "{out}"
    );
    assert!(!out.contains(" entities"), "{out}");
    insta::assert_snapshot!("human_errors", out);
}

#[test]
fn human_report_not_evaluated() {
    let dir = tempfile::tempdir().unwrap();
    let config = enabling(dir.path(), &["DEX101", "DEX201"]);
    let (code, out, _) = run(&[
        "lint",
        "--config",
        &config,
        "tests/fixtures/exports/declaration-only",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("not evaluated:\n  DEX101: "), "{out}");
    assert!(!out.contains("All checks passed!"), "{out}");
    insta::assert_snapshot!("human_not_evaluated", out);
}

#[test]
fn human_report_load_errors_are_labelled_snippets() {
    let dir = tempfile::tempdir().unwrap();
    let config = enabling(dir.path(), &["DEX003"]);
    let (code, out, _) = run(&["lint", "--config", &config, "tests/fixtures/exports/broken"]);
    assert_eq!(code, 2, "{out}");
    // Drawn as a violation is: the file and position in the snippet's header, the line
    // numbered, the position labelled; the position is not repeated in the message.
    assert!(
        out.contains("  × invalid JSON: EOF while parsing a string\n   ╭─[tests/fixtures/exports/broken/graph/groups-truncated.json:6:42]\n 6 │"),
        "{out}"
    );
    assert!(!out.contains("the line reads"), "{out}");
    assert!(
        out.ends_with("not checked: 5 errors stopped files from being read or policies from being run (exit 2)\n"),
        "{out}"
    );
    insta::assert_snapshot!("human_load_errors", out);
}

#[test]
fn explain_every_builtin_policy() {
    let mut ids: Vec<String> = Vec::new();
    for edition in ["2025-08", "2026-07"] {
        let (_, list, _) = run(&["list", "--format", "json", "--edition", edition]);
        let list: serde_json::Value = serde_json::from_str(&list).unwrap();
        for p in list.as_array().unwrap() {
            let id = p["id"].as_str().unwrap().to_string();
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    ids.sort();
    assert!(ids.len() >= 26, "{ids:?}");
    let mut all = String::new();
    for id in &ids {
        let (code, text, err) = run(&["explain", id]);
        assert_eq!(code, 0, "{err}");
        assert!(
            placeholders(&text).is_empty(),
            "{id}: {:?}",
            placeholders(&text)
        );
        // The Microsoft page it cites, and what to export for it.
        assert!(
            text.contains("cites 2026-07: \"") || text.contains("cites 2025-08: \""),
            "{text}"
        );
        assert!(text.contains("https://learn.microsoft.com/"), "{text}");
        assert!(text.contains("\nexport sources ("), "{text}");
        all.push_str(&text);
        all.push_str("\n----\n");
    }
    insta::assert_snapshot!("explain_catalogue", all);
}

#[test]
fn explain_renders_the_parameter_values_of_the_edition() {
    let (_, old, _) = run(&["explain", "DEX104", "--edition", "2025-08"]);
    let (_, new, _) = run(&["explain", "DEX104", "--edition", "2026-07"]);
    assert!(
        old.contains("fix: license one of the eligible products (service plans [WINDEFATP, THREAT_INTELLIGENCE, ATA, ADALLOM_S_STANDALONE])"),
        "{old}"
    );
    assert!(
        new.contains("ADALLOM_S_STANDALONE, AAD_PREMIUM_P2])"),
        "{new}"
    );
    // A rule's own fix, with what only a violation knows shown as a placeholder to fill.
    let (_, dex103, _) = run(&["explain", "DEX103"]);
    assert!(
        dex103.contains("     fix: enable the `AAD_PREMIUM` service plan of `<s.part_number>`"),
        "{dex103}"
    );
}

#[test]
fn no_unrendered_placeholder_in_any_output() {
    let mut texts: Vec<(String, String)> = Vec::new();
    for edition in ["2025-08", "2026-07"] {
        for format in [
            "human", "json", "sarif", "junit", "github", "azure", "markdown",
        ] {
            for root in ["examples/contoso", "tests/fixtures/exports/graph"] {
                let (_, out, err) = run(&["lint", root, "--edition", edition, "--format", format]);
                texts.push((format!("{format} {root} {edition}"), out + &err));
            }
        }
        let (_, list, _) = run(&["list", "--edition", edition]);
        texts.push((format!("list {edition}"), list));
    }
    // The generated reference (the README and docs/language.md show policy source, whose
    // interpolations are the language's).
    let doc = "docs/policies.md";
    let text = std::fs::read_to_string(common::manifest().join(doc)).unwrap();
    texts.push((doc.to_string(), text));
    for (what, text) in &texts {
        let left = placeholders(text);
        assert!(left.is_empty(), "{what}: {left:?}");
    }
    // SARIF's rule help (what code scanning shows) in particular.
    let (_, sarif, _) = run(&["lint", "examples/contoso", "--format", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let dex002 = rules.iter().find(|r| r["id"] == "DEX002").unwrap();
    let rename = "rename the group back to exactly `Defender_Experts_Scoped_Coverage_Users`: renamed scoped-coverage groups are not supported";
    // After the policy's description, how to fix what it finds.
    let help = dex002["help"]["text"].as_str().unwrap();
    assert!(
        help.ends_with(&format!(
            "\n\nHow to fix:\nrenamed scoped user group, renamed away from the reserved name, renamed away from \
             the reserved name by the plan: {rename}\n\
             deleted by the plan: keep the group: remove its deletion from the plan (a `moved` \
             block keeps a group whose resource address changes instead of destroying it)\n\
             replaced under another name by the plan: keep the name `<g.name>` on the group \
             that replaces it"
        )),
        "{help}"
    );
}

const ORG_POLICY: &str = r#"policy ORG001 "Break-glass accounts stay out of scoped coverage" {
  severity warning
  help "remove `{m.upn}` from `{group}`"
  param group: string = "Defender_Experts_Scoped_Coverage_Users"

  for g in groups, m in g.members
  where g.name == group and starts_with(lower(m.upn), "breakglass")
  report m "break-glass account `{m.upn}` is in `{g.name}`"
  label "break-glass account in scope"
}
"#;

#[test]
fn a_custom_policy_label_and_help_render_with_configured_values() {
    let dir = tempfile::tempdir().unwrap();
    let policies = dir.path().join("policies");
    std::fs::create_dir_all(&policies).unwrap();
    std::fs::write(policies.join("ORG001.policy"), ORG_POLICY).unwrap();
    // `fmt` keeps the label: the file is already in its canonical layout.
    let (code, _, err) = run(&[
        "fmt",
        "--check",
        &policies.join("ORG001.policy").display().to_string(),
    ]);
    assert_eq!(code, 0, "{err}");
    let config = dir.path().join("dexlint.toml");
    std::fs::write(
        &config,
        "enable = [\"ORG001\"]\npolicies = [\"policies\"]\n[policy.ORG001.params]\ngroup = \"Scoped Users\"\n",
    )
    .unwrap();
    let config = config.display().to_string();
    let (_, text, err) = run(&["explain", "ORG001", "--config", &config]);
    assert!(
        text.contains("fix: remove `<m.upn>` from `Scoped Users`"),
        "{text}{err}"
    );
    assert!(
        text.contains("  1. `for g in groups, m in g.members`: break-glass account in scope\n"),
        "{text}"
    );
    assert!(text.contains("     reads: groups\n"), "{text}");
    // A label is policy text: an interpolation in it is an error.
    std::fs::write(
        policies.join("ORG001.policy"),
        ORG_POLICY.replace(
            "label \"break-glass account in scope\"",
            "label \"{m.upn} in scope\"",
        ),
    )
    .unwrap();
    let (code, _, err) = run(&[
        "check",
        &policies.join("ORG001.policy").display().to_string(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("label"), "{err}");
}

#[test]
fn annotations_and_markdown() {
    let (_, github, _) = run(&["lint", "examples/contoso", "--format", "github"]);
    // The fix follows the message; the closing line has the verdict.
    assert!(
        github.contains(
            "%0Afix: rename the device group to exactly `Defender_Experts_Scoped_Coverage_Devices`"
        ),
        "{github}"
    );
    insta::assert_snapshot!("github", github);
    let (_, azure, _) = run(&["lint", "examples/contoso", "--format", "azure"]);
    assert!(
        azure.contains(
            "##vso[task.logissue type=warning;code=DEX304]DEX304 rule 1 (`for p in resource_pricings`) not evaluated: "
        ),
        "{azure}"
    );
    assert!(azure.contains(" (fix: "), "{azure}");
    insta::assert_snapshot!("azure", azure);
    let (code, markdown, _) = run(&["lint", "examples/contoso", "--format", "markdown"]);
    assert_eq!(code, 1);
    assert!(
        markdown.starts_with("## dexlint\n\n:x: **not ready: 4 errors at or above `error`**\n"),
        "{markdown}"
    );
    assert!(markdown.contains("\n### Errors (4)\n"), "{markdown}");
    assert!(markdown.contains("\n### Warnings (3)\n"), "{markdown}");
    assert!(
        markdown.contains("\n### Not evaluated (2 entries)\n"),
        "{markdown}"
    );
    assert!(
        markdown.contains("; 0 not evaluated, 2 partially evaluated"),
        "{markdown}"
    );
    // `<resource id>` would be read as HTML.
    assert!(markdown.contains("GET &lt;resource id>/"), "{markdown}");
    insta::assert_snapshot!("markdown", markdown);
}

/// Every GUID in `text` (8-4-4-4-12 hexadecimal digits).
fn guids(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    for start in 0..chars.len() {
        if start > 0 && chars[start - 1].is_ascii_hexdigit() {
            continue;
        }
        let candidate: String = chars[start..].iter().take(36).collect();
        let shape = candidate.len() == 36
            && candidate.char_indices().all(|(i, c)| {
                if [8, 13, 18, 23].contains(&i) {
                    c == '-'
                } else {
                    c.is_ascii_hexdigit()
                }
            });
        if shape && !out.contains(&candidate) {
            out.push(candidate);
        }
    }
    out
}

#[test]
fn identifiers_are_never_split_at_60_or_200_columns() {
    let (_, json, _) = run(&["lint", "examples/contoso", "--format", "json"]);
    let wanted = guids(&json);
    assert!(wanted.len() >= 3, "{wanted:?}");
    let long = "7d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6";
    assert!(wanted.iter().any(|g| g == long), "{wanted:?}");
    let (_, narrow, _) = run_at(60, &["lint", "examples/contoso"]);
    let (_, wide, _) = run_at(200, &["lint", "examples/contoso"]);
    assert_ne!(narrow, wide, "COLUMNS is respected");
    for out in [&narrow, &wide] {
        for g in &wanted {
            assert!(out.contains(g.as_str()), "`{g}` split:\n{out}");
        }
    }
    // At 60 columns the message wraps after the GUID, which stays whole on its line.
    assert!(
        narrow.contains(&format!(
            "\n  × Azure account `{long}`\n  │ has no Defender"
        )),
        "{narrow}"
    );
    // At 200 columns the same message is one line.
    assert!(
        wide.contains(&format!(
            "  × Azure account `{long}` has no Defender for Servers plan of [P1, P2] enabled (tier `Free`, sub-plan `none`)\n"
        )),
        "{wide}"
    );
    // What dexlint writes itself (not the file's lines) fits the width.
    let tail = narrow.split("not evaluated:\n").nth(1).unwrap();
    for line in tail.lines() {
        assert!(line.chars().count() <= 60, "{line:?} in:\n{narrow}");
    }
    insta::assert_snapshot!("width_60", narrow);
}

#[test]
fn setup_errors_are_shown_once_without_internal_codes() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("dexlint.toml");
    std::fs::write(
        &config,
        "fail-level = \"eror\"\n[policy.DEX999]\nseverity = \"error\"\n",
    )
    .unwrap();
    let (code, _, err) = run(&[
        "lint",
        "examples/contoso",
        "--config",
        &config.display().to_string(),
    ]);
    assert_eq!(code, 2);
    assert!(!err.contains("dexlint::"), "{err}");
    assert!(!err.contains("error(s)"), "{err}");
    assert!(!err.contains("Error: "), "{err}");
    // One header per error.
    let headers = err.lines().filter(|l| l.starts_with("  × ")).count();
    let errors = err.matches("╭─[").count();
    assert_eq!(headers, errors, "{err}");
    assert!(headers >= 1, "{err}");

    let (code, _, err) = run(&["lint", "examples/contoso", "--policies", "no-such-dir"]);
    assert_eq!(code, 2);
    assert!(err.contains("`no-such-dir`"), "{err}");
    assert_eq!(err.matches("os error").count(), 1, "{err}");
    assert!(!err.contains("dexlint::"), "{err}");

    let (code, _, err) = run(&["lint", "no-such-export"]);
    assert_eq!(code, 2);
    assert!(err.contains("`no-such-export`"), "{err}");
    assert!(!err.contains("dexlint::"), "{err}");
}

#[test]
fn hook_help_describes_changed_files() {
    let (_, help, _) = run(&["hook", "--help"]);
    assert!(
        help.contains("Usage: dexlint hook [OPTIONS] [FILE]..."),
        "{help}"
    );
    assert!(help.contains("Changed files"), "{help}");
    assert!(!help.contains("EXPORT_DIR"), "{help}");
    let (_, lint, _) = run(&["lint", "--help"]);
    assert!(lint.contains("records loaded"), "{lint}");
}

#[test]
fn the_hook_lints_every_export_when_settings_change() {
    let cwd = Path::new("/repo");
    let exports = vec![
        std::path::PathBuf::from("exports/a"),
        std::path::PathBuf::from("exports/b"),
    ];
    let config = |text: &str| dexlint::config::Config::parse("dexlint.toml", text, Path::new(""));
    let configured = config("exports = [\"exports/a\", \"exports/b\"]").unwrap();
    let roots = |files: &[&str], config: &dexlint::config::Config| {
        let files: Vec<std::path::PathBuf> = files.iter().map(Into::into).collect();
        dexlint::commands::hook_plan(cwd, &files, config, &[]).roots
    };
    assert_eq!(
        roots(&["exports/a/graph/groups.json"], &configured),
        [Path::new("exports/a")]
    );
    assert_eq!(roots(&["dexlint.toml"], &configured), exports);
    assert_eq!(roots(&["policies/ORG001.policy"], &configured), exports);
    // The baseline too: it decides which violations are reported.
    let with_baseline =
        config("exports = [\"exports/a\", \"exports/b\"]\nbaseline = \".dexlint-baseline.json\"")
            .unwrap();
    assert_eq!(roots(&[".dexlint-baseline.json"], &with_baseline), exports);
    // Without configured exports a settings file is no export root of its own.
    let none = roots(&["policies/ORG001.policy"], &config("").unwrap());
    assert!(none.is_empty(), "{none:?}");
    // The manifest triggers on them too (and not on other files).
    let manifest =
        std::fs::read_to_string(common::manifest().join(".pre-commit-hooks.yaml")).unwrap();
    assert!(
        manifest
            .contains("files: '(\\.json|\\.bicep|\\.bicepparam|(^|/)dexlint\\.toml|\\.policy)$'"),
        "{manifest}"
    );
    assert!(
        !manifest.contains("types:"),
        "types would narrow `files` to JSON: {manifest}"
    );
}

/// The hooks of `.pre-commit-hooks.yaml`: id and its `key: value` lines.
fn hooks(manifest: &str) -> Vec<(String, std::collections::BTreeMap<String, String>)> {
    let mut hooks: Vec<(String, std::collections::BTreeMap<String, String>)> = Vec::new();
    for line in manifest.lines().filter(|l| !l.starts_with('#')) {
        if let Some(id) = line.strip_prefix("- id: ") {
            hooks.push((id.to_string(), Default::default()));
        } else if let (Some((key, value)), Some((_, keys))) =
            (line.trim().split_once(": "), hooks.last_mut())
        {
            keys.insert(key.to_string(), value.to_string());
        }
    }
    hooks
}

#[test]
fn a_second_hook_lints_every_export_on_every_commit() {
    let manifest =
        std::fs::read_to_string(common::manifest().join(".pre-commit-hooks.yaml")).unwrap();
    let hooks = hooks(&manifest);
    let ids: Vec<&str> = hooks.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, ["dexlint", "dexlint-exports"], "{manifest}");
    let changed = &hooks[0].1;
    assert_eq!(changed["entry"], "dexlint hook");
    assert_eq!(changed["pass_filenames"], "true");
    // pre-commit passes no deleted file to a hook: this one runs whatever changed and lints
    // the configured exports.
    let every = &hooks[1].1;
    assert_eq!(every["entry"], "dexlint lint");
    assert_eq!(every["pass_filenames"], "false");
    assert_eq!(every["always_run"], "true");
    assert!(!every.contains_key("files"), "{manifest}");
    for (id, keys) in &hooks {
        assert_eq!(keys["language"], "rust", "{id}");
        assert_eq!(keys["require_serial"], "true", "{id}");
        assert!(
            keys.contains_key("name") && keys.contains_key("description"),
            "{id}"
        );
    }
    let readme = std::fs::read_to_string(common::manifest().join("README.md")).unwrap();
    assert!(readme.contains("`dexlint-exports` lints every configured export"));
}

#[test]
fn init_documents_every_key_and_leaves_exports_commented() {
    let dir = tempfile::tempdir().unwrap();
    dexlint().arg("init").arg(dir.path()).assert().code(0);
    let text = std::fs::read_to_string(dir.path().join("dexlint.toml")).unwrap();
    assert!(
        text.contains("\n# exports = [\"exports/contoso\"]\n"),
        "{text}"
    );
    assert!(!text.contains("\nexports ="), "{text}");
    // Every key of the configuration is shown, each after a comment that says what it does.
    for key in [
        "exports",
        "policies",
        "edition",
        "fail-level",
        "fail-on-not-evaluated",
        "one-tenant",
        "include",
        "exclude",
        "baseline",
        "enable",
        "disable",
        "max-file-bytes",
        "max-json-depth",
        "eval-budget",
        "max-policy-nesting",
        "[policy.",
        "[[waiver]]",
    ] {
        let at = text
            .lines()
            .position(|l| l.trim_start_matches("# ").starts_with(key))
            .unwrap_or_else(|| panic!("`{key}` is not in:\n{text}"));
        let before = text.lines().nth(at.saturating_sub(1)).unwrap();
        assert!(
            before.starts_with('#'),
            "`{key}` has no comment before it:\n{text}"
        );
    }
    // Uncommented, the examples are a valid configuration.
    let full: String = text
        .lines()
        .map(|l| {
            let body = l.strip_prefix("# ").unwrap_or(l);
            if body.starts_with('[')
                || body
                    .split_once(" = ")
                    .is_some_and(|(k, _)| !k.contains(' '))
            {
                format!("{body}\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    let full_path = dir.path().join("full.toml");
    std::fs::write(&full_path, &full).unwrap();
    let (code, _, err) = run(&["list", "--config", &full_path.display().to_string()]);
    assert_eq!(code, 0, "{err}\n{full}");
    // Without exports, `lint` says what to do.
    let (code, _, err) = run(&[
        "lint",
        "--config",
        &dir.path().join("dexlint.toml").display().to_string(),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("no export directory given"), "{err}");
}

#[test]
fn man_writes_every_subcommand_page() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = run(&["man", "--out-dir", &dir.path().display().to_string()]);
    assert_eq!(code, 0, "{err}");
    let mut pages: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    pages.sort();
    for sub in [
        "lint", "hook", "check", "test", "list", "explain", "init", "fmt", "man",
    ] {
        assert!(pages.contains(&format!("dexlint-{sub}.1")), "{pages:?}");
    }
    assert!(pages.contains(&"dexlint.1".to_string()), "{pages:?}");
    let lint = std::fs::read_to_string(dir.path().join("dexlint-lint.1")).unwrap();
    assert!(lint.contains("fail\\-level"), "{lint}");
    // Without a directory, every page one after the other.
    let (_, all, _) = run(&["man"]);
    assert_eq!(all.matches(".TH ").count(), pages.len(), "{all}");
}

#[test]
fn a_crlf_file_is_drawn_as_the_same_file_with_lf() {
    // Windows PowerShell writes CRLF. A finding on a whole document is drawn on its first line;
    // the `\r` before the line's end is not part of the label (it was drawn two characters wide
    // and the next lines were numbered 2, 2).
    let (_, lf, _) = run(&["lint", "tests/fixtures/exports/powershell-single-objects"]);
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("powershell-single-objects");
    common::copy_dir(
        &common::manifest().join("tests/fixtures/exports/powershell-single-objects"),
        &root,
    );
    for file in common::files(&root) {
        let text = std::fs::read_to_string(&file).unwrap();
        std::fs::write(&file, text.replace("\r\n", "\n").replace('\n', "\r\n")).unwrap();
    }
    let (_, crlf, _) = run(&["lint", root.to_str().unwrap()]);
    assert!(lf.contains(" 1 │ {\n   · ┬\n"), "{lf}");
    let strip = |s: &str| {
        s.replace(
            root.to_str().unwrap(),
            "tests/fixtures/exports/powershell-single-objects",
        )
    };
    assert_eq!(strip(&crlf), lf);
    // A value whose context ends early, at a line too long to show (it was drawn as one line
    // more, numbered as the one before it).
    let long = format!("\"note\": \"{}\",", "x".repeat(300));
    for (name, ending) in [("lf", "\n"), ("crlf", "\r\n")] {
        let root = dir.path().join(name);
        common::copy_dir(&common::manifest().join("examples/contoso"), &root);
        let path = root.join("azure/pricings.json");
        let text = std::fs::read_to_string(&path)
            .unwrap()
            .replace("\r\n", "\n");
        let text = text.replacen(
            "\"pricingTier\": \"Free\",\n",
            &format!("\"pricingTier\": \"Free\",\n\"a\": 1,\n{long}\n"),
            1,
        );
        std::fs::write(&path, text.replace('\n', ending)).unwrap();
    }
    let (_, lf, _) = run(&["lint", dir.path().join("lf").to_str().unwrap()]);
    let (_, crlf, _) = run(&["lint", dir.path().join("crlf").to_str().unwrap()]);
    assert!(lf.contains("│ \"a\": 1,\n"), "{lf}");
    assert_eq!(crlf.replace("/crlf/", "/lf/"), lf);
}
