//! `--redact`: user principal names, display names and object ids replaced by keyed short
//! hashes (`h:1a2b3c4d5e`) in everything a report shows, for reports posted to public pull
//! requests. The same value gets the same hash within a run (and across runs given the same
//! key), so violations can still be told apart.
//!
//! Values are replaced only where they occur as values, never in dexlint's own words:
//! - in messages and help texts, inside the ranges the policy interpolated (a group named
//!   `Servers` is hashed in "group `Servers`" while "Defender for Servers" stays);
//! - in source excerpts and "the line reads" snippets, inside JSON string values (never keys):
//!   the whole string when its key names an id or a name (`deviceId`, `userPrincipalName`,
//!   `displayName`, ...), else each sensitive value of the model standing as a word in it;
//! - in paths, pointers and entities, path segments (and file stems) equal to a value;
//! - in load errors and not-evaluated reasons, inside `backquoted` spans.
//!
//! The hash is HMAC-SHA-256 under a key: `--redact-key`/`DEXLINT_REDACT_KEY` for names that
//! stay stable across runs, else a random key per run. Without the key, a reader cannot confirm
//! a guessed name or id by hashing it. The reserved scoped-coverage names are not personal and
//! are kept.

use crate::model::{Record, TenantModel, ValueRef};
use crate::outcome::LintReport;
use aho_corasick::{AhoCorasick, MatchKind};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::collections::BTreeSet;
use std::ops::Range;

/// Names that are kept as they are: they identify the service's groups, not people.
const KEPT: &[&str] = &[
    "Defender_Experts_Scoped_Coverage_Users",
    "Defender_Experts_Scoped_Coverage_Devices",
];

/// Fields whose values identify people, groups, devices or accounts.
const SENSITIVE: &[&str] = &[
    "id", "upn", "name", "old", "new", "group_id", "group", "address",
];

/// Records that describe licences and products, not people.
const NOT_PERSONAL: &[&str] = &[
    "sku",
    "sku_plan",
    "assigned_plan",
    "license",
    "product",
    "service",
    "group_rule",
];

/// JSON keys (lowercase) whose string values in a snippet are hashed whole, besides every key
/// ending in `id` (`id`, `deviceId`, `azureADDeviceId`, `rbacGroupId`, ...).
const NAME_KEYS: &[&str] = &[
    "userprincipalname",
    "displayname",
    "mail",
    "mailnickname",
    "computerdnsname",
    "machinegroupname",
    "rbacgroupname",
    "display_name",
    "subscriptionname",
    "onpremisessamaccountname",
];

/// JSON keys (lowercase) ending in `id` whose values name products, not tenants' objects.
const PRODUCT_IDS: &[&str] = &["skuid", "serviceplanid"];

/// The key of a redaction: the HMAC key of the hashes.
#[derive(Clone)]
pub struct Key(Vec<u8>);

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key(..)")
    }
}

/// The operating system's random generator failed.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("cannot draw a random redaction key: {0}")]
#[diagnostic(
    code(dexlint::redact_key),
    help("give a key with `--redact-key` or `DEXLINT_REDACT_KEY`")
)]
pub struct KeyError(String);

impl Key {
    /// A key given by the user (`--redact-key`, `DEXLINT_REDACT_KEY`): hashes are stable
    /// across runs with the same key.
    pub fn from_secret(secret: &str) -> Key {
        Key(secret.as_bytes().to_vec())
    }

    /// A random key of 32 bytes from the operating system: hashes differ between runs.
    pub fn random() -> Result<Key, KeyError> {
        let mut bytes = vec![0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| KeyError(e.to_string()))?;
        Ok(Key(bytes))
    }

    /// The short keyed hash of a value: `h:` and the first 10 hex digits of its HMAC-SHA-256.
    pub fn hash(&self, value: &str) -> String {
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.0) else {
            // HMAC takes keys of any length; this is not reached.
            return "h:?".into();
        };
        mac.update(value.as_bytes());
        let digest = mac.finalize().into_bytes();
        let mut out = String::from("h:");
        for b in digest.iter().take(5) {
            out.push_str(&format!("{b:02x}"));
        }
        out
    }
}

fn collect(r: &Record, keep: &dyn Fn(&str) -> bool, out: &mut BTreeSet<String>) {
    let personal = !NOT_PERSONAL.contains(&r.schema().name);
    for (schema, field) in r.fields() {
        match field.value() {
            ValueRef::Str(s)
                if personal
                    && SENSITIVE.contains(&schema.name)
                    && s.len() >= 3
                    && !KEPT.contains(&s.as_ref())
                    && keep(s) =>
            {
                out.insert(s.to_string());
            }
            ValueRef::Records(records) => {
                for inner in records.iter() {
                    collect(inner, keep, out);
                }
            }
            _ => {}
        }
    }
}

/// Which 8-byte sequences occur in some texts, as a 2²⁶-bit filter (8 MB): a value whose
/// 8-byte windows are not all marked does not occur in them. A false positive only costs one
/// more pattern.
struct Grams(Vec<u64>);

impl Grams {
    const BITS: u32 = 26;
    const N: usize = 8;

    fn slot(window: &[u8]) -> (usize, u64) {
        let mut w = [0u8; 8];
        w.copy_from_slice(window.get(..Self::N).unwrap_or(&[0; 8]));
        let h = u64::from_le_bytes(w).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - Self::BITS);
        ((h / 64) as usize, 1 << (h % 64))
    }

    fn new() -> Self {
        Grams(vec![0; 1 << (Self::BITS - 6)])
    }

    fn add(&mut self, text: &str) {
        for w in text.as_bytes().windows(Self::N) {
            let (i, bit) = Self::slot(w);
            if let Some(word) = self.0.get_mut(i) {
                *word |= bit;
            }
        }
    }

    fn has(&self, window: &[u8]) -> bool {
        let (i, bit) = Self::slot(window);
        self.0.get(i).is_some_and(|word| word & bit != 0)
    }

    /// Whether `value` may occur in the texts: every window at a multiple of 8, and the last
    /// one, is marked (values shorter than 8 bytes always may).
    fn may_contain(&self, value: &str) -> bool {
        let b = value.as_bytes();
        if b.len() < Self::N {
            return true;
        }
        let last = b.get(b.len() - Self::N..).unwrap_or(b);
        b.chunks_exact(Self::N).all(|w| self.has(w)) && self.has(last)
    }
}

/// Every text of a report in which values are searched for, to narrow the model's values down
/// to those that may occur.
fn all_texts(report: &LintReport, f: &mut impl FnMut(&str)) {
    for v in report
        .violations
        .iter()
        .chain(&report.waived)
        .chain(&report.baselined)
    {
        f(&v.message);
        for t in [&v.help, &v.entity, &v.file, &v.pointer]
            .into_iter()
            .flatten()
        {
            f(t);
        }
        if let Some(src) = &v.source {
            f(&src.name);
            f(&src.text);
        }
    }
    for e in &report.errors {
        f(&e.file);
        f(&e.message);
        if let Some(s) = &e.snippet {
            f(s);
        }
    }
    for n in &report.not_evaluated {
        f(&n.reason);
        if let Some(e) = &n.entity {
            f(e);
        }
    }
    for run in &report.summary.ran_on_incomplete_data {
        run.files.iter().for_each(|x| f(x));
    }
    for n in report
        .summary
        .tenants
        .iter()
        .flat_map(|t| &t.coverage.notes)
    {
        f(n);
    }
    for p in report.summary.tenants.iter().flat_map(|t| &t.products) {
        f(&p.evidence);
        for t in [&p.file, &p.pointer].into_iter().flatten() {
            f(t);
        }
    }
}

/// Redacts a report in place: messages and help (interpolated values), entities, paths,
/// pointers, source excerpts, load errors, not-evaluated reasons and entities, the files of
/// runs on incomplete data, and the products' evidence and locations.
pub fn report(models: &[&TenantModel], report: &mut LintReport, key: &Key) {
    // Only the sensitive values that may occur in the report become patterns: a large tenant
    // has millions of them, and an automaton of them all would outweigh the model.
    let mut grams = Grams::new();
    all_texts(report, &mut |t| grams.add(t));
    let r = Redactor::new(models, key.clone(), |v| grams.may_contain(v));
    for v in report
        .violations
        .iter_mut()
        .chain(report.waived.iter_mut())
        .chain(report.baselined.iter_mut())
    {
        v.message = r.ranges(&v.message, &v.message_values);
        v.message_values.clear();
        if let Some(h) = &mut v.help {
            *h = r.ranges(h, &v.help_values);
            v.help_values.clear();
        }
        for p in [&mut v.entity, &mut v.file, &mut v.pointer]
            .into_iter()
            .flatten()
        {
            *p = r.path(p);
        }
        if let Some(src) = &mut v.source {
            src.name = r.path(&src.name);
            // The excerpt is redacted whole (a value's key is before it), with marks at the
            // value's ends that are then taken out again.
            let (before, value, after) = (
                src.text.get(..src.start).unwrap_or(""),
                src.text.get(src.start..src.end).unwrap_or(""),
                src.text.get(src.end..).unwrap_or(""),
            );
            let marked = r.json(&format!("{before}{START}{value}{END}{after}"));
            let start = marked.find(START).unwrap_or(0);
            let text = marked.replacen(START, "", 1);
            let end = text.find(END).unwrap_or(text.len());
            src.text = text.replacen(END, "", 1);
            src.start = start;
            src.end = end.max(start);
        }
    }
    for e in &mut report.errors {
        e.file = r.path(&e.file);
        e.message = r.quoted(&e.message);
        if let Some(s) = &mut e.snippet {
            *s = r.json(s);
        }
    }
    for n in &mut report.not_evaluated {
        n.reason = r.quoted(&n.reason);
        if let Some(e) = &mut n.entity {
            *e = r.path(e);
        }
    }
    for run in &mut report.summary.ran_on_incomplete_data {
        for file in &mut run.files {
            *file = r.path(file);
        }
    }
    for n in report
        .summary
        .tenants
        .iter_mut()
        .flat_map(|t| &mut t.coverage.notes)
    {
        *n = r.quoted(n);
    }
    for p in report
        .summary
        .tenants
        .iter_mut()
        .flat_map(|t| &mut t.products)
    {
        p.evidence = r.quoted(&p.evidence);
        for t in [&mut p.file, &mut p.pointer].into_iter().flatten() {
            *t = r.path(t);
        }
    }
}

/// Redacts a coverage report (`dexlint scope`) in place: each asset's id, name and user
/// principal name are hashed; the values of the model in reasons, notes and paths too.
pub fn coverage(models: &[&TenantModel], report: &mut crate::outcome::CoverageReport, key: &Key) {
    let mut grams = Grams::new();
    for a in &report.assets {
        grams.add(&a.reason);
        if let Some(f) = &a.file {
            grams.add(f);
        }
    }
    for n in &report.summary.notes {
        grams.add(n);
    }
    let r = Redactor::new(models, key.clone(), |v| grams.may_contain(v));
    for a in &mut report.assets {
        for v in [&mut a.id, &mut a.name].into_iter().chain(a.upn.as_mut()) {
            if !v.is_empty() {
                *v = key.hash(v);
            }
        }
        a.reason = r.quoted(&a.reason);
        if let Some(f) = &mut a.file {
            *f = r.path(f);
        }
    }
    for n in &mut report.summary.notes {
        *n = r.quoted(n);
    }
}

/// Redacts an incident's report (`dexlint scope --incident`) in place: the incident's id and
/// each asset's name are hashed; values of the model in the reasons too.
pub fn incident(models: &[&TenantModel], report: &mut crate::outcome::IncidentReport, key: &Key) {
    let mut grams = Grams::new();
    for a in &report.assets {
        grams.add(&a.reason);
    }
    let r = Redactor::new(models, key.clone(), |v| grams.may_contain(v));
    if let Some(id) = &mut report.incident {
        *id = key.hash(id);
    }
    for a in &mut report.assets {
        a.name = key.hash(&a.name);
        a.reason = r.quoted(&a.reason);
    }
}

/// Marks of a value's ends in an excerpt while it is redacted (private-use characters).
const START: char = '\u{E000}';
const END: char = '\u{E001}';

/// Replaces sensitive values of the model where they occur as values.
pub struct Redactor {
    key: Key,
    values: BTreeSet<String>,
    matcher: Option<AhoCorasick>,
    patterns: Vec<String>,
}

/// Whether `c` continues a word: a letter or digit (not the excerpt's cut mark `…` or the
/// marks this module puts around a value).
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

impl Redactor {
    /// A redactor for the sensitive values of `models` (one per tenant) that `keep` accepts,
    /// hashing with `key`.
    pub fn new(models: &[&TenantModel], key: Key, keep: impl Fn(&str) -> bool) -> Redactor {
        let mut values = BTreeSet::new();
        for c in models.iter().flat_map(|m| &m.collections) {
            for r in &c.records {
                collect(r, &keep, &mut values);
            }
        }
        let mut patterns: Vec<String> = values.iter().cloned().collect();
        // Kept names match themselves, so that a value inside them is left alone.
        patterns.extend(KEPT.iter().map(|k| (*k).to_string()));
        // Longest match first, so that `Adele Vance (admin)` is not half replaced.
        let matcher = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&patterns)
            .ok();
        Redactor {
            key,
            values,
            matcher,
            patterns,
        }
    }

    /// The hash of a sensitive value, or None for any other text.
    fn value(&self, s: &str) -> Option<String> {
        self.values.contains(s).then(|| self.key.hash(s))
    }

    /// `text` with every sensitive value that stands as a word (not inside a longer word)
    /// replaced.
    pub fn words(&self, text: &str) -> String {
        let Some(m) = &self.matcher else {
            return text.to_string();
        };
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        for hit in m.find_iter(text) {
            let (start, end) = (hit.start(), hit.end());
            let before = text.get(..start).and_then(|t| t.chars().next_back());
            let after = text.get(end..).and_then(|t| t.chars().next());
            let bounded = !before.is_some_and(is_word_char) && !after.is_some_and(is_word_char);
            let Some(pattern) = self.patterns.get(hit.pattern().as_usize()) else {
                continue;
            };
            let Some(hash) = self.value(pattern).filter(|_| bounded) else {
                continue;
            };
            out.push_str(text.get(last..start).unwrap_or(""));
            out.push_str(&hash);
            last = end;
        }
        out.push_str(text.get(last..).unwrap_or(""));
        out
    }

    /// A message with its value ranges redacted (a range equal to a value is hashed whole;
    /// values standing as words in it are hashed); the text around them is kept.
    pub fn ranges(&self, text: &str, ranges: &[Range<usize>]) -> String {
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        for r in ranges {
            let (Some(before), Some(value)) = (text.get(last..r.start), text.get(r.clone())) else {
                continue;
            };
            out.push_str(before);
            match self.value(value) {
                Some(h) => out.push_str(&h),
                None => out.push_str(&self.words(value)),
            }
            last = r.end;
        }
        out.push_str(text.get(last..).unwrap_or(""));
        out
    }

    /// A path, pointer or entity: each `/`-separated segment (or its stem before `.json`) that
    /// is a value is hashed; values standing as words inside a segment are hashed too.
    pub fn path(&self, text: &str) -> String {
        text.split('/')
            .map(|seg| {
                if let Some(h) = self.value(seg) {
                    return h;
                }
                if let Some((stem, ext)) = seg.rsplit_once('.') {
                    if let Some(h) = self.value(stem) {
                        return format!("{h}.{ext}");
                    }
                }
                self.words(seg)
            })
            .collect::<Vec<_>>()
            .join("/")
    }

    /// dexlint's text with values only inside `backquoted` spans.
    pub fn quoted(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        for (i, part) in text.split('`').enumerate() {
            if i > 0 {
                out.push('`');
            }
            if i % 2 == 1 {
                match self.value(part) {
                    Some(h) => out.push_str(&h),
                    None => out.push_str(&self.words(part)),
                }
            } else {
                out.push_str(part);
            }
        }
        out
    }

    /// A JSON excerpt (possibly cut anywhere): string values under id or name keys are hashed
    /// whole, values of the model standing as words in other strings are hashed; keys, numbers
    /// and punctuation are kept.
    pub fn json(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        let mut last_key: Option<String> = None;
        while let Some(open) = rest.find('"') {
            let (before, from) = rest.split_at(open);
            out.push_str(before);
            if before.contains([',', '{', '[']) {
                last_key = None;
            }
            let body = from.get(1..).unwrap_or("");
            let close = string_end(body);
            let content = body.get(..close.unwrap_or(body.len())).unwrap_or("");
            let after = close.and_then(|c| body.get(c + 1..)).unwrap_or("");
            let is_key = after.trim_start().starts_with(':');
            out.push('"');
            if is_key {
                out.push_str(content);
                last_key = Some(content.to_lowercase());
            } else {
                let whole = last_key.as_deref().is_some_and(|k| {
                    (k.ends_with("id") && !PRODUCT_IDS.contains(&k)) || NAME_KEYS.contains(&k)
                });
                if whole && !content.is_empty() && !KEPT.contains(&content) {
                    out.push_str(&self.key.hash(content));
                } else {
                    match self.value(content) {
                        Some(h) => out.push_str(&h),
                        None => out.push_str(&self.words(content)),
                    }
                }
                last_key = None;
            }
            if close.is_some() {
                out.push('"');
            }
            rest = after;
        }
        out.push_str(rest);
        out
    }
}

/// The byte index of the quote that ends a JSON string body (escapes skipped).
fn string_end(body: &str) -> Option<usize> {
    let mut escaped = false;
    for (i, b) in body.bytes().enumerate() {
        match b {
            _ if escaped => escaped = false,
            b'\\' => escaped = true,
            b'"' => return Some(i),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::Grams;

    #[test]
    fn the_filter_keeps_every_value_that_occurs() {
        let text = "user `adele.vance@contoso.com` (Adele Vance) is in group 7d1e2f3a-0000";
        let mut g = Grams::new();
        g.add(text);
        for start in 0..text.len() {
            for end in start + 1..=text.len() {
                if let Some(v) = text.get(start..end) {
                    assert!(g.may_contain(v), "{v:?}");
                }
            }
        }
        assert!(g.may_contain("abcdefg"), "short values always pass");
        assert!(!g.may_contain("megan.bowen@contoso.com"));
        assert!(!g.may_contain("c2b2ae3d-27d4-4b4f-8001-000000000000"));
    }
}
