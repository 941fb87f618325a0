//! `dexlint explain ID`: one policy's rationale, source, example and fix.

use super::configured;
use crate::authoring;
use std::path::{Path, PathBuf};

/// Prints the explanation; 2 when there is no such policy or the configuration is wrong.
pub fn run(id: &str, config: Option<&Path>, policies: &[PathBuf], edition: Option<&str>) -> i32 {
    match configured(config, policies, edition) {
        Ok(metas) => match metas.iter().find(|m| m.meta.id.eq_ignore_ascii_case(id)) {
            Some(meta) => {
                print!("{}", authoring::explain(meta));
                0
            }
            None => {
                eprintln!("error: no policy `{id}` (see `dexlint list`)");
                2
            }
        },
        Err(code) => code,
    }
}
