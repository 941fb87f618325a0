//! The benchmark's baselines: read every `.json` file under a directory and parse it into a
//! `serde_json::Value` (a generic DOM parse), nothing else. It uses the same allocator as
//! dexlint.
//!
//! `dom-baseline DIR`: on all cores, holding the whole export as a DOM (as a linter holding
//! every document would). `dom-baseline --drop DIR`: on 2 threads, each document dropped as soon
//! as it is parsed (the floor: what parsing alone costs).

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use rayon::prelude::*;

fn parse(p: &std::path::Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(p).unwrap_or_default()).unwrap_or_default()
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let drop = args.first().is_some_and(|a| a == "--drop");
    if drop {
        args.remove(0);
    }
    let Some(root) = args.first() else {
        eprintln!("usage: dom-baseline [--drop] DIR");
        std::process::exit(2);
    };
    let files: Vec<std::path::PathBuf> = walkdir::WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "json"))
        .map(|e| e.into_path())
        .collect();
    let parsed = if drop {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap_or_else(|e| panic!("thread pool: {e}"));
        pool.install(|| {
            files
                .par_iter()
                .with_max_len(1)
                .filter(|p| !parse(p).is_null())
                .count()
        })
    } else {
        let values: Vec<serde_json::Value> = files.par_iter().map(|p| parse(p)).collect();
        values.iter().filter(|v| !v.is_null()).count()
    };
    println!("{parsed} documents parsed");
}
