//! The benchmark's baselines: read every `.json` file under a directory and parse it into a
//! `serde_json::Value` (a generic DOM parse), nothing else. It uses the same allocator as
//! dexlint.
//!
//! `dom-baseline DIR`: on all cores, holding the whole export as a DOM (as a linter holding
//! every document would). `dom-baseline --drop DIR`: on 2 threads, each document dropped as soon
//! as it is parsed (the floor: what parsing alone costs). `dom-baseline --check DIR`: on 2
//! threads, each document read and checked as JSON (`serde::de::IgnoredAny`: every byte
//! scanned, nothing built): what any reader that rejects a malformed file must at least do.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use rayon::prelude::*;

fn parse(p: &std::path::Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(p).unwrap_or_default()).unwrap_or_default()
}

/// Whether the file reads and is well-formed JSON.
fn check(p: &std::path::Path) -> bool {
    let bytes = std::fs::read(p).unwrap_or_default();
    serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).is_ok()
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mode = match args.first().map(String::as_str) {
        Some(m @ ("--drop" | "--check")) => m.to_string(),
        _ => String::new(),
    };
    if !mode.is_empty() {
        args.remove(0);
    }
    let Some(root) = args.first() else {
        eprintln!("usage: dom-baseline [--drop | --check] DIR");
        std::process::exit(2);
    };
    let files: Vec<std::path::PathBuf> = walkdir::WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "json"))
        .map(|e| e.into_path())
        .collect();
    let parsed = if !mode.is_empty() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap_or_else(|e| panic!("thread pool: {e}"));
        let each = |p: &std::path::PathBuf| match mode.as_str() {
            "--check" => check(p),
            _ => !parse(p).is_null(),
        };
        pool.install(|| files.par_iter().with_max_len(1).filter(|p| each(p)).count())
    } else {
        let values: Vec<serde_json::Value> = files.par_iter().map(|p| parse(p)).collect();
        values.iter().filter(|v| !v.is_null()).count()
    };
    println!("{parsed} documents parsed");
}
