//! Waivers: accepted violations, matched by policy id and globs on file, pointer and entity,
//! until an optional expiry date (inclusive).

use globset::GlobMatcher;
use std::ops::Range;

/// A waiver: violations of `policy` matching every given target are accepted, with a reason.
#[derive(Debug, Clone)]
pub struct Waiver {
    /// `policy`: the id of the policy whose violations it accepts (exact, not a glob).
    pub policy: String,
    /// `file`: glob on the violation's file, relative to its export root (`*` also matches `/`).
    pub file: Option<GlobMatcher>,
    /// `pointer`: glob on the violation's JSON pointer.
    pub pointer: Option<GlobMatcher>,
    /// `entity`: glob on the violation's entity (`cloud_accounts/7d1e2f3a-*`).
    pub entity: Option<GlobMatcher>,
    /// `reason`: why the violations are accepted (shown with each waived violation).
    pub reason: String,
    /// The last day (UTC) on which the waiver applies.
    pub expires: Option<time::Date>,
    /// Byte range of the `[[waiver]]` table in the configuration file.
    pub span: Range<usize>,
}

impl Waiver {
    /// Whether this waiver covers a violation of `policy` at `file`/`pointer` about `entity`.
    pub fn covers(
        &self,
        policy: &str,
        file: Option<&str>,
        pointer: Option<&str>,
        entity: Option<&str>,
    ) -> bool {
        let hit = |g: &Option<GlobMatcher>, v: Option<&str>| match g {
            Some(g) => v.is_some_and(|v| g.is_match(v)),
            None => true,
        };
        self.policy == policy
            && hit(&self.file, file)
            && hit(&self.pointer, pointer)
            && hit(&self.entity, entity)
    }

    /// An expired waiver no longer applies: it expires at the end of its `expires` day.
    pub fn expired(&self, today: time::Date) -> bool {
        self.expires.is_some_and(|e| e < today)
    }
}
