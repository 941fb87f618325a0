//! Exports as they really come: one large file per collection. A large list is loaded a range
//! of elements at a time, in parallel (src/export/split.rs): the output is byte-identical
//! whatever the thread count, equal to the paged shape's up to file and line, and a list split
//! into ranges gives the same tree, records and locations as the whole parse. Speed is measured
//! by bench/run.sh, never here.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use dexlint::export::{load_document, load_document_whole, split, tree};
use dexlint::generate::{generate_as, GenOptions, Layout};
use std::path::Path;

/// A tenant large enough that its users and machines lists are split.
fn options() -> GenOptions {
    GenOptions {
        users: 4000,
        devices: 4000,
        groups: 40,
        violations: 0.05,
        page: 999,
    }
}

fn lint(dir: &Path, threads: &str, format: &str) -> Vec<u8> {
    let out = assert_cmd::Command::cargo_bin("dexlint")
        .unwrap()
        .env("RAYON_NUM_THREADS", threads)
        .arg("lint")
        .arg(dir)
        .args(["--format", format, "--edition", "2025-08"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// The violations of a JSON report as (policy, severity, message), sorted.
fn violations(report: &[u8]) -> Vec<(String, String, String)> {
    let v: serde_json::Value = serde_json::from_slice(report).unwrap();
    let mut out: Vec<(String, String, String)> = v["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            let s = |k: &str| x[k].as_str().unwrap_or("").to_string();
            (s("policy"), s("severity"), s("message"))
        })
        .collect();
    out.sort();
    out
}

#[test]
fn one_file_shape_is_identical_for_one_and_two_threads_and_matches_pages() {
    let one = tempfile::tempdir().unwrap();
    let paged = tempfile::tempdir().unwrap();
    generate_as(one.path(), &options(), Layout::OneFile).unwrap();
    generate_as(paged.path(), &options(), Layout::Paged).unwrap();
    let users = std::fs::metadata(one.path().join("graph/users.json"))
        .unwrap()
        .len();
    assert!(
        users as usize > 2 * split::MIN_SPLIT_BYTES,
        "users.json ({users} bytes) must be large enough to be split"
    );
    for format in ["json", "sarif"] {
        let single = lint(one.path(), "1", format);
        assert!(
            single == lint(one.path(), "2", format),
            "{format} differs with 2 threads"
        );
        if format == "json" {
            let found = violations(&single);
            assert!(found.len() > 100, "{}", found.len());
            assert_eq!(found, violations(&lint(paged.path(), "2", format)));
            let v: serde_json::Value = serde_json::from_slice(&single).unwrap();
            assert!(
                v["violations"].as_array().unwrap().iter().any(|x| x["file"]
                    .as_str()
                    .is_some_and(|f| f.ends_with("users.json"))
                    && x["line"].as_u64().is_some_and(|l| l > 1000)),
                "violations point into the one large file"
            );
            // Located by the list's parts: each line and column is where the whole text's scan
            // finds the value of the pointer.
            let text = std::fs::read_to_string(one.path().join("graph/users.json")).unwrap();
            let starts: Vec<usize> = std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                .collect();
            let mut checked = 0;
            for x in v["violations"].as_array().unwrap() {
                if x["file"].as_str() != Some("graph/users.json") {
                    continue;
                }
                let (line, column) = (x["line"].as_u64().unwrap(), x["column"].as_u64().unwrap());
                let from = starts[line as usize - 1];
                let offset = from
                    + text[from..]
                        .chars()
                        .take(column as usize - 1)
                        .map(char::len_utf8)
                        .sum::<usize>();
                let found = dexlint::export::locate::scan(&text, &[offset as u32]).unwrap();
                assert_eq!(found[0].0, offset, "{x}");
                assert_eq!(found[0].2, x["pointer"].as_str().unwrap(), "{x}");
                checked += 1;
            }
            assert!(checked > 100, "{checked}");
        }
    }
}

/// A policy that reports every plan of every user at the plan's id.
const EVERY_PLAN: &str = r#"# Every assigned plan, where it is.
policy ORG900 "Every assigned plan" {
  severity info
  for u in users, p in u.plans
  report p.id "plan {p.id} of {u.upn}"
}
"#;

#[test]
fn users_share_their_plans_and_each_plan_is_located_in_its_own_user() {
    let policies = tempfile::tempdir().unwrap();
    std::fs::write(policies.path().join("plans.policy"), EVERY_PLAN).unwrap();
    for layout in [Layout::OneFile, Layout::Paged] {
        let dir = tempfile::tempdir().unwrap();
        generate_as(dir.path(), &options(), layout).unwrap();
        // Few lists for 4,000 users: the users of a licence share one.
        let load = dexlint::export::load(
            &[dir.path().to_path_buf()],
            &dexlint::export::LoadOptions::default(),
        )
        .unwrap();
        let users = &load.model.collection("users").unwrap().records;
        let plans = dexlint::model::schema::USER.field_index("plans").unwrap();
        let mut lists: Vec<*const dexlint::model::Record> = users
            .iter()
            .filter_map(|u| match u.field(plans)?.value() {
                dexlint::model::ValueRef::Records(l) => Some(l.as_ptr()),
                _ => None,
            })
            .collect();
        assert_eq!(lists.len(), 4000);
        lists.sort();
        lists.dedup();
        assert!(lists.len() < 400, "{} lists for 4,000 users", lists.len());
        // Yet every plan is reported where it is in its own user.
        for threads in ["1", "2"] {
            let out = assert_cmd::Command::cargo_bin("dexlint")
                .unwrap()
                .env("RAYON_NUM_THREADS", threads)
                .arg("lint")
                .arg(dir.path())
                .arg("--policies")
                .arg(policies.path())
                .args(["--format", "json"])
                .output()
                .unwrap();
            let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            let mut docs: std::collections::HashMap<String, (Vec<String>, serde_json::Value)> =
                Default::default();
            let mut checked = 0;
            for x in v["violations"].as_array().unwrap() {
                if x["policy"] != "ORG900" {
                    continue;
                }
                let file = x["file"].as_str().unwrap().to_string();
                let (lines, doc) = docs.entry(file.clone()).or_insert_with(|| {
                    let text = std::fs::read_to_string(dir.path().join(&file)).unwrap();
                    let doc = serde_json::from_str(&text).unwrap();
                    (text.lines().map(str::to_string).collect(), doc)
                });
                let pointer = x["pointer"].as_str().unwrap();
                let message = x["message"].as_str().unwrap();
                let user = &pointer[..pointer.find("/assignedPlans/").unwrap()];
                let expected = format!(
                    "plan {} of {}",
                    doc.pointer(pointer).unwrap().as_str().unwrap(),
                    doc.pointer(&format!("{user}/userPrincipalName"))
                        .unwrap()
                        .as_str()
                        .unwrap()
                );
                assert_eq!(message, expected, "{x}");
                // The line and column are the pointer's value's, in the file's text.
                let line = x["line"].as_u64().unwrap() as usize;
                let column = x["column"].as_u64().unwrap() as usize;
                let at = &lines[line - 1];
                let id = doc.pointer(pointer).unwrap().as_str().unwrap();
                assert_eq!(
                    at.get(column - 1..column + id.len() + 1),
                    Some(format!("\"{id}\"").as_str()),
                    "{x}"
                );
                checked += 1;
            }
            let total: usize = users
                .iter()
                .filter_map(|u| match u.field(plans)?.value() {
                    dexlint::model::ValueRef::Records(l) => Some(l.len()),
                    _ => None,
                })
                .sum();
            assert_eq!(checked, total);
            assert!(total > 10_000, "{total}");
        }
    }
}

/// A Graph list whose elements hold every kind of trap for a structural scan.
fn tricky_list(n: usize, bom: bool) -> String {
    let mut s = String::new();
    if bom {
        s.push('\u{feff}');
    }
    s.push_str("{\n  \"@odata.context\": \"https://graph.microsoft.com/v1.0/$metadata#users\",\n  \"value\": [");
    for i in 0..n {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&format!(
            "\n    {{\"id\": \"{i:08}-0000-4000-8000-000000000000\", \"displayName\": \
             \"User ] }} \\\" \\\\ [{{ {i}\", \"accountEnabled\": {}, \"userType\": \"Member\", \
             \"nested\": [[1, [2, {{\"a\": \"]\"}}]], []], \"jobTitle\": \"caf\u{e9} \\u00e9\"}}",
            i % 7 != 0
        ));
    }
    s.push_str("\n  ],\n  \"@odata.nextLink\": null\n}\n");
    s
}

#[test]
fn ranges_give_the_whole_parse() {
    for bom in [false, true] {
        let text = tricky_list(500, bom);
        // The loader parses decoded text: without its BOM.
        let text = text.trim_start_matches('\u{feff}');
        let whole = tree::parse(text, tree::MAX_DEPTH).unwrap();
        let shape = tree::list_shape(text, tree::MAX_DEPTH).unwrap();
        assert_eq!(shape.elements.len(), 500);
        for bytes in [1, 700, 10_000, usize::MAX] {
            let ranges = split::ranges(&shape.elements, bytes);
            assert_eq!(ranges.iter().map(|r| r.len()).sum::<usize>(), 500);
            let mut elements = Vec::new();
            for r in ranges {
                let part = split::parse_elements(text, &shape, r, tree::MAX_DEPTH).unwrap();
                elements.extend(part.into_vec());
            }
            assert_eq!(
                shape.document(elements.into_boxed_slice()),
                whole,
                "{bytes}"
            );
        }
        // A top-level array (`Get-MgUser | ConvertTo-Json`).
        let array = "[{\"a\": \"]\\\"\"}, [1, [2]], \"}\" ,3 ]";
        let shape = tree::list_shape(array, tree::MAX_DEPTH).unwrap();
        let elements = split::parse_elements(array, &shape, 0..4, tree::MAX_DEPTH).unwrap();
        assert_eq!(shape.document(elements), tree::parse(array, 8).unwrap());
    }
}

#[test]
fn split_load_gives_the_records_and_locations_of_the_whole_load() {
    for bom in [false, true] {
        let text = tricky_list(25_000, bom);
        assert!(text.len() > 2 * split::MIN_SPLIT_BYTES, "{}", text.len());
        let decoded = text.trim_start_matches('\u{feff}');
        let shape = tree::list_shape(decoded, tree::MAX_DEPTH).unwrap();
        assert!(split::ranges(&shape.elements, split::RANGE_BYTES).len() > 2);
        let parts = load_document("graph/users.json", text.as_bytes());
        let whole = load_document_whole("graph/users.json", text.as_bytes());
        assert_eq!(
            parts.model.collection("users").unwrap().records.len(),
            25_000
        );
        assert_eq!(parts.model, whole.model);
        assert_eq!(parts.diagnostics, whole.diagnostics);
    }
}

#[test]
fn a_malformed_element_in_the_middle_is_reported_at_its_line_and_column() {
    let mut text = tricky_list(12_000, true);
    // Element 6000 loses the quote that closes its id's key.
    let needle = "{\"id\": \"00006000-";
    let at = text.find(needle).unwrap();
    text.replace_range(at..at + needle.len(), "{\"id: \"00006000-");
    let line = text[..at].matches('\n').count() + 1;
    let load = load_document("graph/users.json", text.as_bytes());
    let errors = errors(&load);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].line, Some(line), "{}", errors[0]);
    let whole = load_document_whole("graph/users.json", text.as_bytes());
    assert_eq!(load.diagnostics, whole.diagnostics);
    // The structural scan finds no list (the lost quote turns strings inside out), or a list
    // one of whose elements fails to parse; either way the file is loaded whole, as above.
    let decoded = text.trim_start_matches('\u{feff}');
    if let Some(shape) = tree::list_shape(decoded, tree::MAX_DEPTH) {
        let n = shape.elements.len();
        assert!(split::parse_elements(decoded, &shape, 0..n, tree::MAX_DEPTH).is_err());
    }
    let fixed = tricky_list(12_000, false);
    let shape = tree::list_shape(&fixed, tree::MAX_DEPTH).unwrap();
    let mut broken = fixed.clone();
    let at = broken.find(needle).unwrap();
    broken.replace_range(at + 1..at + 2, "?");
    let e = split::parse_elements(&broken, &shape, 5990..6010, tree::MAX_DEPTH).unwrap_err();
    assert_eq!(e.offset, at + 1, "{e:?}");
}

/// `tricky_list` with characters of 2 and 4 bytes beside the elements' edges, and
/// (`problems`) values that a format reports, so that the positions of problems are needed.
fn multibyte_list(n: usize, bom: bool, problems: bool) -> String {
    let mut text = tricky_list(n, bom);
    if problems {
        // Plans cut off by `ConvertTo-Json` in every seventh user: an error at each.
        text = text.replace(
            "\"accountEnabled\": false",
            "\"accountEnabled\": false, \"assignedPlans\": \"System.Object[]\"",
        );
    }
    text.replace(
        "\"nested\"",
        "\"\u{1F600}\": \"\u{e9}\u{1F600}\", \"nested\"",
    )
    .replace(
        "\"jobTitle\": \"caf\u{e9}",
        "\"jobTitle\": \"\u{1F600}caf\u{e9}",
    )
}

#[test]
fn ranges_read_again_from_the_file_give_the_whole_load() {
    for (bom, problems) in [(false, false), (true, false), (true, true), (false, true)] {
        let text = multibyte_list(25_000, bom, problems);
        assert!(text.len() > 2 * split::MIN_SPLIT_BYTES, "{}", text.len());
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("graph")).unwrap();
        std::fs::write(dir.path().join("graph/users.json"), &text).unwrap();
        let from_disk = dexlint::export::load(
            &[dir.path().to_path_buf()],
            &dexlint::export::LoadOptions::default(),
        )
        .unwrap();
        let whole = load_document_whole("graph/users.json", text.as_bytes());
        let users = &from_disk.model.collection("users").unwrap().records;
        assert_eq!(users.len(), 25_000);
        assert_eq!(from_disk.model.collections, whole.model.collections);
        assert_eq!(from_disk.diagnostics, whole.diagnostics);
        // The list's `@odata.nextLink` (after the list) is positioned; so are the problems.
        let errors = whole
            .diagnostics
            .iter()
            .filter(|d| d.level == dexlint::export::DiagLevel::Error)
            .count();
        // The plans cut off in every seventh user: the first five are reported, the fifth
        // counting the others.
        assert_eq!(errors, if problems { 5 } else { 0 });
        if problems {
            assert!(whole.diagnostics.iter().any(|d| d
                .message
                .ends_with(&format!("(and {} more times in this file)", 25_000 / 7 - 4))));
        }
        assert!(whole.diagnostics.iter().all(|d| d.line.is_some()));
    }
}

#[test]
fn a_piece_parses_as_the_same_values_as_the_whole_text() {
    let text = multibyte_list(300, false, false);
    let shape = tree::list_shape(&text, tree::MAX_DEPTH).unwrap();
    for chunk in split::ranges(&shape.elements, 5_000) {
        let elements = &shape.elements[chunk];
        let from = elements[0].start;
        let piece = &text[from..elements.last().unwrap().end];
        for e in elements {
            let alone = tree::parse_piece(piece, from, e.start - from..e.end - from, 8).unwrap();
            assert_eq!(alone, tree::parse_range(&text, e.clone(), 8).unwrap());
        }
    }
    // Errors are at their offset in the whole document.
    let e = tree::parse_piece("{\"a\": [1, }", 1000, 0..11, 8).unwrap_err();
    assert_eq!(e.offset, 1000 + 10, "{e:?}");
}

#[test]
fn timings_go_to_stderr_and_leave_the_report_unchanged() {
    let run = |timings: bool| {
        let mut cmd = assert_cmd::Command::cargo_bin("dexlint").unwrap();
        if timings {
            cmd.env("DEXLINT_TIMINGS", "1");
        } else {
            cmd.env_remove("DEXLINT_TIMINGS");
        }
        cmd.arg("lint")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/contoso"))
            .args(["--format", "json", "--today", "2026-01-01"])
            .output()
            .unwrap()
    };
    let (plain, timed) = (run(false), run(true));
    assert_eq!(plain.stdout, timed.stdout);
    let stderr = String::from_utf8_lossy(&timed.stderr);
    for phase in [
        "walk",
        "read, parse and load files",
        "policies and coverage",
        "locate",
    ] {
        assert!(
            stderr.contains(&format!("dexlint timing: {phase} ")),
            "{phase}: {stderr}"
        );
    }
    assert!(!String::from_utf8_lossy(&plain.stderr).contains("dexlint timing"));
}

/// The errors of a load.
fn errors(load: &dexlint::export::Load) -> Vec<&dexlint::export::LoadDiagnostic> {
    load.diagnostics
        .iter()
        .filter(|d| d.level == dexlint::export::DiagLevel::Error)
        .collect()
}

/// Loads `text` as `graph/users.json` of an export on disk and as one document parsed whole;
/// the models and diagnostics must be the same.
fn disk_load_is_the_whole_load(text: &str, what: &str) -> dexlint::export::Load {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("graph")).unwrap();
    std::fs::write(dir.path().join("graph/users.json"), text).unwrap();
    let from_disk = dexlint::export::load(
        &[dir.path().to_path_buf()],
        &dexlint::export::LoadOptions::default(),
    )
    .unwrap();
    let whole = load_document_whole("graph/users.json", text.as_bytes());
    assert_eq!(
        from_disk.model.collections, whole.model.collections,
        "{what}"
    );
    assert_eq!(from_disk.diagnostics, whole.diagnostics, "{what}");
    from_disk
}

#[test]
fn large_lists_read_a_window_at_a_time_give_the_whole_load() {
    let text = multibyte_list(25_000, false, false);
    assert!(text.len() > 2 * split::MIN_SPLIT_BYTES);
    let end = text.rfind(']').unwrap();
    let cases = [
        // The list's next page linked after the list: a warning positioned in the file.
        (
            text.replace(
                "\"@odata.nextLink\": null",
                "\"@odata.nextLink\": \"https://graph.microsoft.com/v1.0/users?$skiptoken=X\"",
            ),
            "nextLink after the list",
        ),
        (text.replace('\n', "\r\n"), "CRLF"),
        (text.replace("\n    ", ""), "minified elements"),
        (format!("{text}  \n garbage"), "text after the document"),
        (
            text[..text.len() * 2 / 3].to_string(),
            "cut off in the middle",
        ),
        (
            format!("{}, 3 ]{}", &text[..end], &text[end + 1..]),
            "a number element",
        ),
        (
            format!("{}, ]{}", &text[..end], &text[end + 1..]),
            "a trailing comma",
        ),
        (
            text.replacen("\"value\": [", "\"other\": [1, 2], \"value\": [", 1),
            "another list before",
        ),
        (
            text.replacen(
                "{\n  \"@odata.context\"",
                "{\"big\": [\"x\"], \"value\": \"not a list\", \"@odata.context\"",
                1,
            )
            .replacen("\"value\": [", "\"items\": [", 1),
            "the longest array not named value",
        ),
    ];
    for (text, what) in &cases {
        disk_load_is_the_whole_load(text, what);
    }
    // A malformed element in the middle: one error, at its line, as in the whole parse.
    let mut broken = text.clone();
    let needle = "{\"id\": \"00012000-";
    let at = broken.find(needle).unwrap();
    broken.replace_range(at..at + needle.len(), "{\"id: \"00012000-");
    let load = disk_load_is_the_whole_load(&broken, "malformed element");
    let line = broken[..at].matches('\n').count() + 1;
    let errors = errors(&load);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].line, Some(line));
}

#[test]
fn a_plan_users_share_is_each_user_s_own_in_a_policy() {
    // Three users with the same plans, laid out alike: one list in the model.
    let user = |i: u32| {
        format!(
            r#"{{"id": "u{i}", "userPrincipalName": "u{i}@contoso.com", "assignedPlans": [{{"assignedDateTime": "2026-02-11T10:02:31Z", "capabilityStatus": "Enabled", "service": "exchange", "servicePlanId": "efb87545-963c-4e0d-99df-69c6916d9eb0"}}]}}"#
        )
    };
    let users: Vec<String> = (1..=3).map(user).collect();
    let export = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(export.path().join("graph")).unwrap();
    std::fs::write(
        export.path().join("graph/users.json"),
        format!(
            r#"{{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users", "value": [{}]}}"#,
            users.join(",\n")
        ),
    )
    .unwrap();
    let load = dexlint::export::load(
        &[export.path().to_path_buf()],
        &dexlint::export::LoadOptions::default(),
    )
    .unwrap();
    let plans = dexlint::model::schema::USER.field_index("plans").unwrap();
    let lists: Vec<*const dexlint::model::Record> = load
        .model
        .collection("users")
        .unwrap()
        .records
        .iter()
        .map(|u| match u.field(plans).unwrap().value() {
            dexlint::model::ValueRef::Records(l) => l.as_ptr(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert!(
        lists.iter().all(|l| *l == lists[0]),
        "one list for the three users"
    );
    let policies = tempfile::tempdir().unwrap();
    std::fs::write(
        policies.path().join("own.policy"),
        r#"# A plan is one user's: found in that user's plans only.
policy ORG901 "Plans of another user" {
  severity info
  for u in users, v in users
  where any(p in u.plans: p in v.plans)
  report u "{u.upn} shares a plan with {v.upn}"
}
"#,
    )
    .unwrap();
    let out = assert_cmd::Command::cargo_bin("dexlint")
        .unwrap()
        .arg("lint")
        .arg(export.path())
        .arg("--policies")
        .arg(policies.path())
        .args(["--no-builtin", "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut found: Vec<&str> = v["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["message"].as_str().unwrap())
        .collect();
    found.sort();
    // Each user's plan is in that user's plans, and in no other's.
    assert_eq!(
        found,
        [
            "u1@contoso.com shares a plan with u1@contoso.com",
            "u2@contoso.com shares a plan with u2@contoso.com",
            "u3@contoso.com shares a plan with u3@contoso.com",
        ]
    );
}
