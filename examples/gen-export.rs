//! Writes a large realistic export for benchmarks:
//! `cargo run --release --example gen-export -- --users 200000 --devices 100000 --groups 5000 --out /tmp/big`
//! (`--single-file`: one file per collection instead of Graph pages; `--page N`: items per
//! page, 999 by default).

use dexlint::generate::{generate_as, GenOptions, Layout};
use std::path::PathBuf;

fn main() {
    let mut o = GenOptions::default();
    let mut out: Option<PathBuf> = None;
    let mut layout = Layout::Paged;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "--single-file" {
            layout = Layout::OneFile;
            continue;
        }
        let value = args.next().unwrap_or_default();
        let number = || value.parse::<usize>().unwrap_or_else(|_| usage(&flag));
        match flag.as_str() {
            "--users" => o.users = number(),
            "--devices" => o.devices = number(),
            "--groups" => o.groups = number(),
            "--page" => o.page = number(),
            "--violations" => o.violations = value.parse().unwrap_or_else(|_| usage(&flag)),
            "--out" => out = Some(PathBuf::from(&value)),
            _ => usage(&flag),
        }
    }
    let Some(out) = out else { usage("--out") };
    match generate_as(&out, &o, layout) {
        Ok((files, bytes)) => println!("{files} files, {bytes} bytes in {}", out.display()),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    }
}

fn usage(flag: &str) -> ! {
    eprintln!("bad or missing {flag}\nusage: gen-export --out DIR [--users N] [--devices N] [--groups N] [--violations 0.05] [--page 999] [--single-file]");
    std::process::exit(2)
}
