use clap::Parser;

// Loading builds many small records; mimalloc allocates them markedly faster than the system
// allocator (see bench/README.md). Without transparent huge pages (feature `no_thp`): with them,
// the kernel zeroed 2 MB pages each time mimalloc reused freed memory.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    // Policies are evaluated on the pool's threads, recursively: give them room for the deepest
    // nesting `max-policy-nesting` allows (the memory is reserved, not used).
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(64 << 20)
        .build_global();
    let cli = dexlint::cli::Cli::parse();
    std::process::exit(dexlint::commands::run(cli));
}
