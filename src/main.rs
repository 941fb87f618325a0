use clap::Parser;

// Loading builds many small records; mimalloc allocates them markedly faster than the system
// allocator (see bench/README.md). Without transparent huge pages (feature `no_thp`): with them,
// the kernel zeroed 2 MB pages each time mimalloc reused freed memory.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` of mimalloc 3 (`mi_option_e` in its `mimalloc.h`; the Rust binding
/// names no constant for it): how many milliseconds freed memory is kept before it goes back to
/// the system.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// The purge delay dexlint sets: mimalloc 2's default. Mimalloc 3's (a second) kept the memory
/// loading frees (file texts, parse trees, operations) in the process until loading ended,
/// about 20 MB of the peak on the bench's exports (see bench/README.md); with 10 ms it is
/// reused or returned.
const PURGE_DELAY_MS: std::ffi::c_long = 10;

fn main() {
    // Output into a pipe whose reader is gone (`dexlint scope ... | head`) ends the process as it
    // does any Unix tool, not with a panic at the next `print!` (Rust ignores SIGPIPE).
    // SAFETY: sets a signal's action to its default, before any thread is started.
    #[cfg(unix)]
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL)
    };
    // SAFETY: sets one of mimalloc's documented options, before any thread is started.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS) };
    // Policies are evaluated on the pool's threads, recursively: give them room for the deepest
    // nesting `max-policy-nesting` allows (the memory is reserved, not used).
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(64 << 20)
        .build_global();
    let cli = dexlint::cli::Cli::parse();
    std::process::exit(dexlint::commands::run(cli));
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_purge_delay_option_is_the_one_mimalloc_defaults_to_a_second() {
        // SAFETY: reads an option.
        let default = unsafe { libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY) };
        assert_eq!(default, 1000);
    }
}
