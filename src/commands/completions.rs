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

/// Writes every manual page, `dexlint(1)` and one per subcommand (`dexlint-lint(1)`...): into
/// `out_dir` as `dexlint.1`, `dexlint-lint.1`..., or one after the other to standard output.
/// 2 when they cannot be written.
pub fn man(out_dir: Option<&std::path::Path>) -> i32 {
    let mut cmd = <Cli as clap::CommandFactory>::command().disable_help_subcommand(true);
    // Built, the subcommands are named `dexlint-lint`, as the top page refers to them.
    cmd.build();
    let result = match out_dir {
        Some(dir) => std::fs::create_dir_all(dir)
            .and_then(|()| clap_mangen::generate_to(cmd, dir))
            .map_err(|e| format!("cannot write the manual pages to `{}`: {e}", dir.display())),
        None => {
            let mut out = std::io::stdout().lock();
            std::iter::once(cmd.clone())
                .chain(cmd.get_subcommands().cloned())
                .try_for_each(|c| clap_mangen::Man::new(c).render(&mut out))
                .map_err(|e| format!("cannot write the manual pages: {e}"))
        }
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e}");
            2
        }
    }
}
