//! `dexlint list`: the policies, as the configuration sets them.

use super::configured;
use crate::authoring;
use crate::cli::ListFormat;
use std::path::{Path, PathBuf};

/// Prints the catalogue (human or JSON); 2 when the configuration is wrong.
pub fn run(
    config: Option<&Path>,
    policies: &[PathBuf],
    format: ListFormat,
    edition: Option<&str>,
) -> i32 {
    match configured(config, policies, edition) {
        Ok(metas) => {
            print!("{}", authoring::list(&metas, format == ListFormat::Json));
            0
        }
        Err(code) => code,
    }
}
