//! `--format html` (one self-contained page with the facts of the JSON report) and several
//! outputs in one run (`--format FORMAT=FILE`, repeatable).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common::dexlint;
use crate::scope::assert_self_contained;
use serde_json::Value;

fn run(args: &[&str]) -> (i32, Vec<u8>) {
    let out = dexlint().arg("lint").args(args).output().unwrap();
    (out.status.code().unwrap_or(-1), out.stdout)
}

fn text(node: scraper::ElementRef<'_>) -> String {
    node.text().collect::<String>()
}

#[test]
fn the_html_page_carries_the_facts_of_the_json_report() {
    let (code, html) = run(&["examples/contoso", "--format", "html"]);
    assert_eq!(code, 1);
    let html = String::from_utf8(html).unwrap();
    assert_self_contained(&html);
    let (_, json) = run(&["examples/contoso", "--format", "json"]);
    let v: Value = serde_json::from_slice(&json).unwrap();
    let doc = scraper::Html::parse_document(&html);
    let sel = |s: &str| scraper::Selector::parse(s).unwrap();
    // Every violation, with its message, location and fix.
    let cards: Vec<String> = doc.select(&sel("div.v")).map(text).collect();
    let violations = v["violations"].as_array().unwrap();
    assert_eq!(
        cards.len(),
        violations.len() + v["waived"].as_array().unwrap().len()
    );
    for (card, x) in cards.iter().zip(violations) {
        assert!(card.contains(x["message"].as_str().unwrap()), "{card}");
        let at = format!("{}:{}", x["file"].as_str().unwrap(), x["line"]);
        assert!(card.contains(&at), "{card} lacks {at}");
        if let Some(help) = x["help"].as_str() {
            assert!(card.contains(help), "{card}");
        }
    }
    // Every rule not evaluated, with its reason.
    let page = text(doc.root_element());
    for n in v["not_evaluated"].as_array().unwrap() {
        assert!(
            page.contains(n["reason"].as_str().unwrap()),
            "{}",
            n["reason"]
        );
    }
    // The verdict, the version, the edition, the coverage counts and the products.
    assert!(
        page.contains("not ready: 4 errors at or above `error`"),
        "{page}"
    );
    assert!(page.contains(&format!("dexlint {}", env!("CARGO_PKG_VERSION"))));
    assert!(page.contains(&format!(
        "edition {}",
        v["summary"]["edition"].as_str().unwrap()
    )));
    let coverage = &v["summary"]["tenants"][0]["coverage"];
    let users = format!(
        "{} in_scope, {} lost, {} out_of_scope, {} unknown",
        coverage["users"]["in_scope"],
        coverage["users"]["lost"],
        coverage["users"]["out_of_scope"],
        coverage["users"]["unknown"]
    );
    assert!(page.contains(&users), "{page}");
    assert!(doc.select(&sel("span.bar")).count() > 0);
    for p in v["summary"]["tenants"][0]["products"].as_array().unwrap() {
        assert!(
            page.contains(p["evidence"].as_str().unwrap()),
            "{}",
            p["evidence"]
        );
    }
    // --redact applies to it.
    let (_, redacted) = run(&[
        "examples/contoso",
        "--format",
        "html",
        "--redact",
        "--redact-key",
        "k",
    ]);
    let redacted = String::from_utf8(redacted).unwrap();
    assert!(!redacted.contains("CONTOSO-LT-042"));
    assert!(html.contains("CONTOSO-LT-042"));
}

#[test]
fn several_outputs_in_one_run_equal_single_runs() {
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("out/dexlint.sarif");
    let html = dir.path().join("report.html");
    let (code, human) = run(&[
        "examples/contoso",
        "--format",
        "human",
        "--format",
        &format!("sarif={}", sarif.display()),
        "--format",
        &format!("html={}", html.display()),
    ]);
    assert_eq!(code, 1);
    assert_eq!(human, run(&["examples/contoso"]).1);
    assert_eq!(
        std::fs::read(&sarif).unwrap(),
        run(&["examples/contoso", "--format", "sarif"]).1
    );
    assert_eq!(
        std::fs::read(&html).unwrap(),
        run(&["examples/contoso", "--format", "html"]).1
    );
    // Two formats for one stream is a usage error, and so is an unknown format.
    let out = crate::common::dexlint()
        .args([
            "lint",
            "examples/contoso",
            "--format",
            "json",
            "--format",
            "sarif",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("2 formats (`json`, `sarif`) would be written to standard output"),
        "{err}"
    );
    assert_eq!(run(&["examples/contoso", "--format", "nope"]).0, 2);
    // Usage errors, not a file silently replaced or a flag silently ignored: two formats to
    // one file (however written), an `--output` no format writes, a report over the baseline
    // the run reads or writes, and a baseline written from a redacted report (it would match
    // nothing). Nothing is written, and the baseline is left as it was.
    let path = |name: &str| dir.path().join(name).display().to_string();
    let (same, dotted, unused, base) = (
        path("same.out"),
        path("sub/../same.out"),
        path("o.out"),
        path("base.json"),
    );
    let baseline = "{\"version\": 1, \"violations\": []}\n";
    std::fs::write(&base, baseline).unwrap();
    let b = path("b.json");
    let cases: [&[&str]; 6] = [
        &[
            "--format",
            &format!("json={same}"),
            "--format",
            &format!("sarif={same}"),
        ],
        &[
            "--format",
            &format!("json={same}"),
            "--format",
            &format!("sarif={dotted}"),
        ],
        &["--format", &format!("sarif={same}"), "--output", &unused],
        &["--output", &base, "--baseline", &base],
        &[
            "--format",
            &format!("json={base}"),
            "--write-baseline",
            &base,
        ],
        &["--redact", "--write-baseline", &b, "--format", "json"],
    ];
    for args in cases {
        let out = crate::common::dexlint()
            .args(["lint", "examples/contoso"])
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("would"), "{args:?}: {err}");
        for written in [&same, &unused, &b] {
            assert!(
                !std::path::Path::new(written).exists(),
                "{args:?}: {written}"
            );
        }
        assert_eq!(
            std::fs::read_to_string(&base).unwrap(),
            baseline,
            "{args:?}"
        );
    }
    // --output takes the one format without a file.
    let json = dir.path().join("r.json");
    let (code, out) = run(&[
        "examples/contoso",
        "--format",
        "json",
        "--format",
        &format!("markdown={}", dir.path().join("r.md").display()),
        "--output",
        json.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(out.is_empty());
    let v: Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert!(v["violations"].is_array());
    assert!(dir.path().join("r.md").exists());
}
