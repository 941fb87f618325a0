//! Writes a large realistic export for benchmarks:
//! `cargo run --release --example gen-export -- --users 200000 --devices 100000 --groups 5000 --out /tmp/big`
//! (`--single-file`: one file per collection instead of Graph pages; `--page N`: items per
//! page, 999 by default). `--help` lists the options.

use clap::Parser;
use dexlint::generate::{generate_as, GenOptions, Layout};
use std::path::PathBuf;

/// Writes a generated tenant export (Graph users, groups and members, subscribed SKUs; Defender
/// for Endpoint machines, antivirus rows and device groups; Azure pricings; a deployment
/// declaration) for benchmarks and tests.
#[derive(Parser)]
#[command(name = "gen-export")]
struct Args {
    /// The folder to write the export into.
    #[arg(long)]
    out: PathBuf,
    /// Users.
    #[arg(long, default_value_t = GenOptions::default().users)]
    users: usize,
    /// Defender for Endpoint machines.
    #[arg(long, default_value_t = GenOptions::default().devices)]
    devices: usize,
    /// Groups.
    #[arg(long, default_value_t = GenOptions::default().groups)]
    groups: usize,
    /// Share (0.0–1.0) of users, devices and groups that break a rule.
    #[arg(long, default_value_t = GenOptions::default().violations)]
    violations: f64,
    /// Users or machines per list-response file.
    #[arg(long, default_value_t = GenOptions::default().page)]
    page: usize,
    /// One file per collection instead of Graph pages.
    #[arg(long)]
    single_file: bool,
}

fn main() {
    let a = Args::parse();
    let o = GenOptions {
        users: a.users,
        devices: a.devices,
        groups: a.groups,
        violations: a.violations,
        page: a.page,
    };
    let layout = match a.single_file {
        true => Layout::OneFile,
        false => Layout::Paged,
    };
    match generate_as(&a.out, &o, layout) {
        Ok((files, bytes)) => println!("{files} files, {bytes} bytes in {}", a.out.display()),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    }
}
