//! Baselines: the violations accepted at one point in time, so that a gate reports only new
//! ones. Entries are keyed on policy, file and entity identity (the JSON pointer when a
//! violation has no entity), never on line numbers, so a baseline survives reformatting.

use crate::outcome::Violation;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// Version of the baseline file format.
pub const VERSION: u32 = 1;

/// One key of a baseline file's `violations` and how many violations it accepts.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Entry {
    /// Id of the policy (`DEX001`).
    pub policy: String,
    /// The violation's file, relative to its export root (the root itself is not part of the
    /// key); None for a violation without a location.
    pub file: Option<String>,
    /// The violation's entity (`groups/<id>`), or its JSON pointer when it has no entity.
    pub entity: Option<String>,
    /// How many violations with this key are accepted; in a stale entry, how many of them
    /// were not found.
    pub count: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BaselineFile {
    version: u32,
    violations: Vec<Entry>,
}

/// Accepted violations, counted by key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Baseline {
    counts: BTreeMap<(String, Option<String>, Option<String>), usize>,
    /// The file it was read from, as given.
    pub path: Option<String>,
}

/// Why a baseline file could not be read.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum BaselineError {
    /// The file could not be read.
    #[error("cannot read baseline `{path}`: {source}")]
    #[diagnostic(code(dexlint::baseline))]
    Read {
        /// The file, as given.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not JSON of the baseline's shape (unknown keys are refused).
    #[error("baseline `{path}` is not a dexlint baseline: {source}")]
    #[diagnostic(
        code(dexlint::baseline),
        help("write one with `dexlint lint --write-baseline FILE`")
    )]
    Parse {
        /// The file, as given.
        path: String,
        /// serde_json's error, with its line and column.
        source: serde_json::Error,
    },
    /// The file's `version` is not [`VERSION`].
    #[error("baseline `{path}` has version {found}; this dexlint reads version {VERSION}")]
    #[diagnostic(code(dexlint::baseline))]
    Version {
        /// The file, as given.
        path: String,
        /// The version the file declares.
        found: u32,
    },
}

fn key(v: &Violation) -> (String, Option<String>, Option<String>) {
    (
        v.policy.clone(),
        v.file.clone(),
        v.entity.clone().or_else(|| v.pointer.clone()),
    )
}

impl Baseline {
    /// The baseline of these violations.
    pub fn of<'a>(violations: impl IntoIterator<Item = &'a Violation>) -> Baseline {
        let mut b = Baseline::default();
        for v in violations {
            *b.counts.entry(key(v)).or_default() += 1;
        }
        b
    }

    /// Reads a baseline file written by [`Baseline::to_json`]; entries with the same key add
    /// up.
    ///
    /// # Errors
    /// A file that cannot be read, is not a baseline, or has another version.
    pub fn read(path: &Path) -> Result<Baseline, BaselineError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| BaselineError::Read {
            path: shown.clone(),
            source,
        })?;
        let file: BaselineFile =
            serde_json::from_str(&text).map_err(|source| BaselineError::Parse {
                path: shown.clone(),
                source,
            })?;
        if file.version != VERSION {
            return Err(BaselineError::Version {
                path: shown.clone(),
                found: file.version,
            });
        }
        let mut b = Baseline {
            path: Some(shown),
            ..Baseline::default()
        };
        for e in file.violations {
            *b.counts.entry((e.policy, e.file, e.entity)).or_default() += e.count;
        }
        Ok(b)
    }

    /// The baseline file's text (sorted, deterministic).
    pub fn to_json(&self) -> String {
        let violations = self
            .counts
            .iter()
            .map(|((policy, file, entity), count)| Entry {
                policy: policy.clone(),
                file: file.clone(),
                entity: entity.clone(),
                count: *count,
            })
            .collect();
        let mut out = serde_json::to_string_pretty(&BaselineFile {
            version: VERSION,
            violations,
        })
        .unwrap_or_default();
        out.push('\n');
        out
    }

    /// Splits violations into (new, baselined): each baseline entry absorbs up to `count`
    /// violations with its key, in order.
    pub fn split(&self, violations: Vec<Violation>) -> (Vec<Violation>, Vec<Violation>) {
        let (new, old, _) = self.split_stale(violations);
        (new, old)
    }

    /// As [`Baseline::split`], also returning the stale entries: those that absorbed fewer
    /// violations than their count (`count` is then how many were not seen).
    pub fn split_stale(
        &self,
        violations: Vec<Violation>,
    ) -> (Vec<Violation>, Vec<Violation>, Vec<Entry>) {
        let mut left = self.counts.clone();
        let (new, old) = violations
            .into_iter()
            .partition(|v| match left.get_mut(&key(v)) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    false
                }
                _ => true,
            });
        let stale = left
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .map(|((policy, file, entity), count)| Entry {
                policy,
                file,
                entity,
                count,
            })
            .collect();
        (new, old, stale)
    }
}
