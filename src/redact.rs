//! `--redact`: user principal names, display names and object ids replaced by stable short
//! hashes (`h:1a2b3c4d`) in everything a report shows, for reports posted to public pull
//! requests. The same value always gets the same hash, so violations can still be told apart
//! and matched across runs. The reserved scoped-coverage names are not personal and are kept.

use crate::lint::LintReport;
use crate::model::{Record, TenantModel, Value};
use aho_corasick::{AhoCorasick, MatchKind};
use std::collections::BTreeSet;

/// Names that are kept as they are: they identify the service's groups, not people.
const KEPT: &[&str] = &[
    "Defender_Experts_Scoped_Coverage_Users",
    "Defender_Experts_Scoped_Coverage_Devices",
];

/// Fields whose values identify people, groups, devices or accounts.
const SENSITIVE: &[&str] = &["id", "upn", "name", "old", "new", "group_id", "group"];

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

/// The stable short hash of a value.
pub fn hash(value: &str) -> String {
    let full = crate::report::sarif::fingerprint(&[value]);
    format!("h:{}", full.get(..8).unwrap_or(&full))
}

fn collect(r: &Record, keep: &dyn Fn(&str) -> bool, out: &mut BTreeSet<String>) {
    let personal = !NOT_PERSONAL.contains(&r.schema.name);
    for (schema, field) in r.schema.fields.iter().zip(&r.fields) {
        match &field.value {
            Value::Str(s)
                if personal
                    && SENSITIVE.contains(&schema.name)
                    && s.len() >= 3
                    && !KEPT.contains(&s.as_ref())
                    && keep(s) =>
            {
                out.insert(s.to_string());
            }
            Value::Records(records) => {
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

/// Every text of a report but the source excerpts.
fn texts(report: &mut LintReport, f: &mut impl FnMut(&mut String)) {
    for v in report.violations.iter_mut().chain(report.waived.iter_mut()) {
        f(&mut v.message);
        let optional = [
            &mut v.help,
            &mut v.entity,
            &mut v.file,
            &mut v.pointer,
            &mut v.waiver,
        ];
        optional.into_iter().flatten().for_each(&mut *f);
        if let Some(src) = &mut v.source {
            f(&mut src.name);
        }
    }
    for e in &mut report.errors {
        f(&mut e.file);
        f(&mut e.message);
        if let Some(s) = &mut e.snippet {
            f(s);
        }
    }
    for n in &mut report.not_evaluated {
        f(&mut n.reason);
    }
}

/// Redacts every text of a report: messages, help, entities, paths, pointers, snippets.
pub fn report(model: &TenantModel, report: &mut LintReport) {
    // Only the sensitive values that may occur in the report become patterns: a large tenant
    // has millions of them, and an automaton of them all would outweigh the model.
    let mut grams = Grams::new();
    texts(report, &mut |t| grams.add(t));
    for v in report.violations.iter().chain(&report.waived) {
        if let Some(src) = &v.source {
            grams.add(&src.text);
        }
    }
    let r = Redactor::new(model, |v| grams.may_contain(v));
    texts(report, &mut |t| *t = r.text(t));
    for v in report.violations.iter_mut().chain(report.waived.iter_mut()) {
        if let Some(src) = &mut v.source {
            let (before, value, after) = (
                src.text.get(..src.start).unwrap_or(""),
                src.text.get(src.start..src.end).unwrap_or(""),
                src.text.get(src.end..).unwrap_or(""),
            );
            let (before, value, after) = (r.text(before), r.text(value), r.text(after));
            src.start = before.len();
            src.end = before.len() + value.len();
            src.text = format!("{before}{value}{after}");
        }
    }
}

/// Replaces sensitive values of the model in a text.
pub struct Redactor {
    matcher: Option<AhoCorasick>,
    replacements: Vec<String>,
}

impl Redactor {
    /// A redactor for the sensitive values of `model` that `keep` accepts.
    pub fn new(model: &TenantModel, keep: impl Fn(&str) -> bool) -> Redactor {
        let mut values = BTreeSet::new();
        for c in &model.collections {
            for r in &c.records {
                collect(r, &keep, &mut values);
            }
        }
        let mut replacements: Vec<String> = values.iter().map(|v| hash(v)).collect();
        let mut values: Vec<String> = values.into_iter().collect();
        // Kept names replace themselves, so a redacted near miss inside them is left alone.
        for kept in KEPT {
            values.push((*kept).to_string());
            replacements.push((*kept).to_string());
        }
        // Longest match first, so that `Adele Vance (admin)` is not half replaced.
        let matcher = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&values)
            .ok();
        Redactor {
            matcher,
            replacements,
        }
    }

    pub fn text(&self, s: &str) -> String {
        match &self.matcher {
            Some(m) => m.replace_all(s, &self.replacements),
            None => s.to_string(),
        }
    }
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
