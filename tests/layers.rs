//! The crate's modules are layered (see the crate documentation in src/lib.rs): a top-level
//! module imports only modules of lower layers, never one above it; within a layer, no two
//! modules import each other; `policy` and `export` never import each other. Read from the
//! `crate::` paths of the source, comments left out.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Every top-level module and its layer (0 is the lowest).
const LAYERS: &[(&str, usize)] = &[
    ("base", 0),
    ("generate", 0),
    ("model", 1),
    ("edition", 1),
    ("policy", 2),
    ("export", 2),
    ("config", 3),
    ("builtin", 3),
    ("policy_files", 3),
    ("outcome", 4),
    ("lint", 5),
    ("baseline", 5),
    ("redact", 5),
    ("coverage", 3),
    ("report", 6),
    ("testing", 7),
    ("authoring", 7),
    ("catalogue", 7),
    ("reference", 7),
    ("commands", 8),
    ("cli", 8),
];

/// The top-level modules each top-level module imports.
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for entry in walkdir::WalkDir::new(&src) {
        let entry = entry.unwrap();
        let path = entry.path();
        if path.extension().is_none_or(|x| x != "rs") {
            continue;
        }
        let rel = path.strip_prefix(&src).unwrap();
        let first = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let module = first.trim_end_matches(".rs").to_string();
        if module == "lib" || module == "main" {
            continue;
        }
        let text = std::fs::read_to_string(path).unwrap();
        let deps = out.entry(module.clone()).or_default();
        for line in text.lines() {
            let code = line.split("//").next().unwrap_or("");
            for (i, _) in code.match_indices("crate::") {
                let name: String = code[i + 7..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() && name != module {
                    deps.insert(name);
                }
            }
        }
    }
    out
}

#[test]
fn every_module_has_a_layer() {
    let layers: BTreeMap<&str, usize> = LAYERS.iter().copied().collect();
    for module in imports().keys() {
        assert!(
            layers.contains_key(module.as_str()),
            "module `{module}` has no layer: add it to LAYERS and to the crate documentation"
        );
    }
}

#[test]
fn modules_import_only_lower_layers() {
    let layers: BTreeMap<&str, usize> = LAYERS.iter().copied().collect();
    let all = imports();
    let mut wrong = Vec::new();
    for (module, deps) in &all {
        let Some(&mine) = layers.get(module.as_str()) else {
            continue;
        };
        for dep in deps {
            let Some(&theirs) = layers.get(dep.as_str()) else {
                continue;
            };
            let mutual = all.get(dep).is_some_and(|d| d.contains(module));
            if theirs > mine {
                wrong.push(format!(
                    "{module} (layer {mine}) imports {dep} (layer {theirs})"
                ));
            } else if theirs == mine && mutual {
                wrong.push(format!(
                    "{module} and {dep} (layer {mine}) import each other"
                ));
            }
        }
    }
    for (a, b) in [("policy", "export"), ("export", "policy")] {
        if all.get(a).is_some_and(|d| d.contains(b)) {
            wrong.push(format!("{a} imports its sibling {b}"));
        }
    }
    wrong.sort();
    wrong.dedup();
    assert!(
        wrong.is_empty(),
        "imports against the layering:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn report_formats_read_only_the_outcome_types() {
    let deps = imports().remove("report").unwrap();
    let other: Vec<&String> = deps
        .iter()
        // The outcome types, the base helpers, and the editions' names and titles (data).
        .filter(|d| !["outcome", "base", "edition"].contains(&d.as_str()))
        .collect();
    assert!(other.is_empty(), "report imports {other:?}");
}
