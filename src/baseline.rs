//! Baselines: the violations accepted at one point in time, so that a gate reports only new
//! ones. Entries are keyed on policy, file and entity identity, never on line numbers, so a
//! baseline survives reformatting; a violation about the whole tenant (no entity) on its policy
//! and rule alone, not on the file it points at (another file of the export may come first
//! tomorrow); and on the export root (tenant) when a run lints several, so that one tenant's
//! accepted violations never hide another's. The file names each root relative to itself (as
//! `dexlint.toml` names its exports), so a baseline matches from any working directory. A run
//! of one root against a baseline of one root matches whatever the root is called (the same
//! tenant, given by another path).

use crate::base::paths::{relative_to, root_key, RootKeys};
use crate::outcome::Violation;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// Version of the baseline file format: 2 names each root relative to the baseline file's
/// directory; 1 (still read) relative to the working directory of the run that wrote it.
pub const VERSION: u32 = 2;

/// One key of a baseline file's `violations` and how many violations it accepts.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Entry {
    /// Id of the policy (`DEX001`).
    pub policy: String,
    /// The export root the violation was found under, relative to the baseline file's directory
    /// (`/`-separated; version 1: to the working directory); None (left out of the file, as
    /// baselines written before roots were recorded): any root.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root: Option<String>,
    /// The violation's file, relative to its export root (the root itself is not part of the
    /// key); None for a violation without a location.
    pub file: Option<String>,
    /// The violation's entity (`groups/<id>`); None for a violation about the whole tenant.
    /// (Baselines written before tenant-wide entries had a rule hold the JSON pointer of such a
    /// violation, and its file: read as the policy's tenant-wide entries, of any rule.)
    pub entity: Option<String>,
    /// For a violation about the whole tenant: the rule of the policy that found it (1-based).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<usize>,
    /// How many violations with this key are accepted; in a stale entry, how many of them
    /// were not found.
    pub count: usize,
}

impl Entry {
    /// What the entry accepts, for people: the policy and entity (`` `DEX003` `groups/g1` ``),
    /// or the rule of a tenant-wide entry (``tenant-wide `ACME004` rule 1``); with
    /// `` of `ROOT` `` when `with_root`.
    pub fn subject(&self, with_root: bool) -> String {
        let mut s = match (&self.entity, self.rule) {
            (Some(entity), _) => format!("`{}` `{entity}`", self.policy),
            (None, Some(rule)) => format!("tenant-wide `{}` rule {rule}", self.policy),
            (None, None) => format!("tenant-wide `{}`", self.policy),
        };
        if let (true, Some(root)) = (with_root, &self.root) {
            s.push_str(&format!(" of `{root}`"));
        }
        s
    }
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
    counts: BTreeMap<Key, usize>,
    /// The file it was read from, as output shows it ([`crate::base::shown_path`]).
    pub path: Option<String>,
}

/// Why a baseline file could not be read.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum BaselineError {
    /// The file could not be read.
    #[error("cannot read baseline `{path}`: {source}")]
    #[diagnostic(code(dexlint::baseline))]
    Read {
        /// The file, as output shows it.
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
        /// The file, as output shows it.
        path: String,
        /// serde_json's error, with its line and column.
        source: serde_json::Error,
    },
    /// The file's `version` is neither 1 nor [`VERSION`].
    #[error("baseline `{path}` has version {found}; this dexlint reads versions 1 and {VERSION}")]
    #[diagnostic(code(dexlint::baseline))]
    Version {
        /// The file, as output shows it.
        path: String,
        /// The version the file declares.
        found: u32,
    },
}

/// (policy, root, file, entity, rule): an [`Entry`] without its count.
type Key = (
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<usize>,
);

/// The key of `v`, with its root or (`with_root` false) none; of a violation about the whole
/// tenant (no entity), its rule instead of its file, or (`any_rule`) neither.
fn key(v: &Violation, with_root: bool, any_rule: bool, roots: &mut RootKeys) -> Key {
    let root = v
        .root
        .as_deref()
        .filter(|_| with_root)
        .map(|r| roots.get(r));
    match &v.entity {
        Some(entity) => (
            v.policy.clone(),
            root,
            v.file.clone(),
            Some(entity.clone()),
            None,
        ),
        None => (
            v.policy.clone(),
            root,
            None,
            None,
            Some(v.rule + 1).filter(|_| !any_rule),
        ),
    }
}

impl Entry {
    /// The entry's key, as a run's violations are matched against it (its root as `root` keys
    /// it); an entry of a baseline written before tenant-wide entries had a rule (no entity, or
    /// a JSON pointer as its entity) is the policy's tenant-wide entry of any rule.
    fn key(self, root: impl Fn(&str) -> String) -> (Key, usize) {
        let root = self.root.as_deref().map(root);
        let legacy = self.rule.is_none()
            && self
                .entity
                .as_deref()
                .is_none_or(|e| e.is_empty() || e.starts_with('/'));
        if legacy {
            return ((self.policy, root, None, None, None), self.count);
        }
        // Written by a dexlint that joined an ARM resource id with two slashes.
        let entity = self
            .entity
            .map(|x| crate::model::entity_name_compat(&x).into_owned());
        (
            (self.policy, root, self.file, entity, self.rule),
            self.count,
        )
    }

    /// The entry of `key`, accepting `count` violations.
    fn of((policy, root, file, entity, rule): Key, count: usize) -> Entry {
        Entry {
            policy,
            root,
            file,
            entity,
            rule,
            count,
        }
    }
}

impl Baseline {
    /// The baseline of these violations, each under its root, as `roots` keys it.
    pub fn of<'a>(
        violations: impl IntoIterator<Item = &'a Violation>,
        roots: &mut RootKeys,
    ) -> Baseline {
        let mut b = Baseline::default();
        for v in violations {
            *b.counts.entry(key(v, true, false, roots)).or_default() += 1;
        }
        b
    }

    /// The baseline with no entry tied to a root: what a run of one root matches against a
    /// baseline of at most one.
    fn rootless(&self) -> BTreeMap<Key, usize> {
        let mut out = BTreeMap::new();
        for ((policy, _, file, entity, rule), n) in &self.counts {
            *out.entry((policy.clone(), None, file.clone(), entity.clone(), *rule))
                .or_default() += n;
        }
        out
    }

    /// Reads a baseline file written by [`Baseline::to_json`]; entries with the same key add
    /// up.
    ///
    /// # Errors
    /// A file that cannot be read, is not a baseline, or has another version.
    pub fn read(path: &Path) -> Result<Baseline, BaselineError> {
        let shown = crate::base::shown_path(path);
        let text = std::fs::read_to_string(path).map_err(|source| BaselineError::Read {
            path: shown.clone(),
            source,
        })?;
        let file: BaselineFile =
            serde_json::from_str(&text).map_err(|source| BaselineError::Parse {
                path: shown.clone(),
                source,
            })?;
        if ![1, VERSION].contains(&file.version) {
            return Err(BaselineError::Version {
                path: shown.clone(),
                found: file.version,
            });
        }
        let mut b = Baseline {
            path: Some(shown),
            ..Baseline::default()
        };
        let dir = path.parent().unwrap_or(Path::new(""));
        for e in file.violations {
            let (key, count) = match file.version {
                1 => e.key(root_key),
                _ => e.key(|root| root_key(&dir.join(root).to_string_lossy())),
            };
            *b.counts.entry(key).or_default() += count;
        }
        Ok(b)
    }

    /// The text of the baseline file `path` (sorted, deterministic): its roots relative to the
    /// file's directory.
    pub fn to_json(&self, path: &Path) -> String {
        let dir = path.parent().unwrap_or(Path::new(""));
        let violations = self
            .counts
            .iter()
            .map(|((policy, root, file, entity, rule), count)| {
                let root = root.as_deref().map(|r| relative_to(Path::new(r), dir));
                let key = (policy.clone(), root, file.clone(), entity.clone(), *rule);
                Entry::of(key, *count)
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
    /// violations with its key, in order; an entry of the violation's root first, then one of
    /// any root; for a violation about the whole tenant, one of its rule first, then one of any
    /// rule (an older baseline's).
    pub fn split(&self, violations: Vec<Violation>) -> (Vec<Violation>, Vec<Violation>) {
        let (new, old, _) = self.split_stale(violations, &[], &mut RootKeys::default());
        (new, old)
    }

    /// Whether a run of `roots` matches each violation with the entries of its own root: unless
    /// it is a run of one root against a baseline of at most one.
    fn compares_roots(&self, roots: &[String]) -> bool {
        let keyed: std::collections::BTreeSet<_> = self.counts.keys().map(|k| &k.1).collect();
        roots.len() != 1 || keyed.len() > 1
    }

    /// The export roots the baseline's entries name (as [`root_key`] keys them), when a run of
    /// `roots` (as given) compares roots and lints none of them: then none of its entries
    /// applies, which would otherwise go unnoticed. Empty otherwise.
    pub fn foreign_roots(&self, roots: &[String], keys: &mut RootKeys) -> Vec<String> {
        let named: std::collections::BTreeSet<&String> =
            self.counts.keys().filter_map(|k| k.1.as_ref()).collect();
        let linted = roots.iter().any(|r| named.contains(&keys.get(r)));
        match self.compares_roots(roots) && !linted {
            true => named.into_iter().cloned().collect(),
            false => Vec::new(),
        }
    }

    /// As [`Baseline::split`], also returning the stale entries: those that absorbed fewer
    /// violations than their count (`count` is then how many were not seen), of the roots the
    /// run linted. `roots`: the run's export roots, as named, keyed by `keys`; of one root
    /// against a baseline of at most one, roots are not compared.
    pub fn split_stale(
        &self,
        violations: Vec<Violation>,
        roots: &[String],
        keys: &mut RootKeys,
    ) -> (Vec<Violation>, Vec<Violation>, Vec<Entry>) {
        let rootless = !self.compares_roots(roots);
        let linted: Vec<String> = roots.iter().map(|r| keys.get(r)).collect();
        let mut left = if rootless {
            self.rootless()
        } else {
            self.counts.clone()
        };
        let (new, old) = violations.into_iter().partition(|v| {
            for any_rule in [false, true] {
                for with_root in [true, false] {
                    if let Some(n) = left
                        .get_mut(&key(v, with_root, any_rule, keys))
                        .filter(|n| **n > 0)
                    {
                        *n -= 1;
                        return false;
                    }
                }
            }
            true
        });
        let stale = left
            .into_iter()
            .filter(|(_, n)| *n > 0)
            // Another root's entries are not stale in a run that did not lint it.
            .filter(|((_, root, ..), _)| {
                root.as_ref()
                    .is_none_or(|r| roots.is_empty() || linted.contains(r))
            })
            .map(|(key, count)| Entry::of(key, count))
            .collect();
        (new, old, stale)
    }
}
