use clap::Parser;

// Loading builds many small records; mimalloc allocates them markedly faster than the system
// allocator (see bench/README.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let cli = dexlint::cli::Cli::parse();
    std::process::exit(dexlint::cli::run(cli));
}
