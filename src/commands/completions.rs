//! `dexlint completions SHELL` and `dexlint man`: generated from the clap definitions.

use crate::cli::Cli;

/// Writes the completion script for `shell` to standard output.
pub fn completions(shell: clap_complete::Shell) -> i32 {
    clap_complete::generate(
        shell,
        &mut <Cli as clap::CommandFactory>::command(),
        "dexlint",
        &mut std::io::stdout(),
    );
    0
}

/// Writes the man page to standard output; 2 when it cannot be written.
pub fn man() -> i32 {
    let man = clap_mangen::Man::new(<Cli as clap::CommandFactory>::command());
    match man.render(&mut std::io::stdout()) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e}");
            2
        }
    }
}
