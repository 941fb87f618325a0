use clap::Parser;

fn main() {
    let cli = dexlint::cli::Cli::parse();
    std::process::exit(dexlint::cli::run(cli));
}
