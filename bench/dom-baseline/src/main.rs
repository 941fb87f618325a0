//! The benchmark's baseline: read every `.json` file under a directory and parse it into a
//! `serde_json::Value` on all cores (a generic DOM parse), nothing else. It uses the same
//! allocator as dexlint.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use rayon::prelude::*;

fn main() {
    let Some(root) = std::env::args().nth(1) else {
        eprintln!("usage: dom-baseline DIR");
        std::process::exit(2);
    };
    let files: Vec<std::path::PathBuf> = walkdir::WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "json"))
        .map(|e| e.into_path())
        .collect();
    // The whole export held as a DOM, as a linter holding every document would.
    let values: Vec<serde_json::Value> = files
        .par_iter()
        .map(|p| serde_json::from_slice(&std::fs::read(p).unwrap_or_default()).unwrap_or_default())
        .collect();
    println!(
        "{} documents parsed",
        values.iter().filter(|v| !v.is_null()).count()
    );
}
