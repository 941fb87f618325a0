//! Selecting policies: `enable`/`disable` entries are ids, id globs (`DEX1*`) or tags
//! (`tag:licensing`).

use super::Errors;
use crate::policy::PolicyMeta;
use globset::{Glob, GlobMatcher};
use toml::Spanned;

/// A selector of `enable`/`disable`: a policy id glob (`DEX1*`) or `tag:NAME`.
#[derive(Debug, Clone)]
pub(super) enum Selector {
    Id(GlobMatcher),
    Tag(String),
}

impl Selector {
    pub(super) fn matches(&self, meta: &PolicyMeta) -> bool {
        match self {
            Selector::Id(g) => g.is_match(&meta.id),
            Selector::Tag(t) => meta.tags.iter().any(|x| x == t),
        }
    }
}

pub(super) fn glob(pattern: &Spanned<String>, errors: &mut Errors<'_>) -> Option<GlobMatcher> {
    match Glob::new(pattern.get_ref()) {
        Ok(g) => Some(g.compile_matcher()),
        Err(e) => {
            errors.push(
                Some(pattern.span()),
                format!("invalid glob `{}`: {}", pattern.get_ref(), e.kind()),
                "this glob",
                None,
            );
            None
        }
    }
}

pub(super) fn selector(
    s: &Spanned<String>,
    errors: &mut Errors<'_>,
) -> Option<(Selector, Spanned<String>)> {
    let sel = match s.get_ref().strip_prefix("tag:") {
        Some(tag) => Selector::Tag(tag.to_string()),
        None => Selector::Id(glob(s, errors)?),
    };
    Some((sel, s.clone()))
}
