//! The integration tests, as one test binary (one link instead of one per file): each module
//! is a file of this folder; `common` holds their shared helpers.

mod common;

mod arm_templates;
mod authoring;
mod authoring_tests;
mod cli;
mod declarations;
mod editions;
mod export_azure;
mod export_followup;
mod export_graph;
mod export_graph_shapes;
mod export_load;
mod export_mde;
mod gate;
mod gate_selection;
mod hook;
mod hostile;
mod html_report;
mod iac_gate;
mod language_features;
mod layers;
mod list_elements;
mod long_lines;
mod never_silent;

mod perf_eval;
mod perf_shapes;
mod policy_cases;
mod policy_errors;
mod policy_eval;
mod policy_fmt;
mod policy_grammar;
mod policy_imports;
mod pre_commit;
mod product_sources;
mod products_derived;
mod projection;
mod reading;
mod readme;
mod redact;
mod redact_excerpts;
mod reference;
mod sandbox;
mod scale;
mod scope;
mod streamed;
mod tenants;

/// A file of tests/ that is not declared above would never run (autotests are off).
#[test]
fn every_test_file_is_a_module_of_this_binary() {
    let here = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let main = std::fs::read_to_string(here.join("main.rs")).unwrap_or_default();
    let missing: Vec<String> = std::fs::read_dir(&here)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter_map(|f| f.strip_suffix(".rs").map(str::to_string))
        .filter(|m| m != "main" && !main.contains(&format!("mod {m};")))
        .collect();
    assert!(
        missing.is_empty(),
        "not declared in tests/main.rs: {missing:?}"
    );
}
