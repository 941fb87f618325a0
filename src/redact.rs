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

fn collect(r: &Record, out: &mut BTreeSet<String>) {
    let personal = !NOT_PERSONAL.contains(&r.schema.name);
    for (schema, field) in r.schema.fields.iter().zip(&r.fields) {
        match &field.value {
            Value::Str(s)
                if personal
                    && SENSITIVE.contains(&schema.name)
                    && s.len() >= 3
                    && !KEPT.contains(&s.as_ref()) =>
            {
                out.insert(s.to_string());
            }
            Value::Records(records) => {
                for inner in records.iter() {
                    collect(inner, out);
                }
            }
            _ => {}
        }
    }
}

/// Replaces every sensitive value of the model in a text.
pub struct Redactor {
    matcher: Option<AhoCorasick>,
    replacements: Vec<String>,
}

impl Redactor {
    pub fn new(model: &TenantModel) -> Redactor {
        let mut values = BTreeSet::new();
        for c in &model.collections {
            for r in &c.records {
                collect(r, &mut values);
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

    fn opt(&self, s: &mut Option<String>) {
        if let Some(v) = s {
            *v = self.text(v);
        }
    }

    /// Redacts every text of a report: messages, help, entities, paths, pointers, snippets.
    pub fn report(&self, report: &mut LintReport) {
        for v in report.violations.iter_mut().chain(report.waived.iter_mut()) {
            v.message = self.text(&v.message);
            self.opt(&mut v.help);
            self.opt(&mut v.entity);
            self.opt(&mut v.file);
            self.opt(&mut v.pointer);
            self.opt(&mut v.waiver);
            if let Some(src) = &mut v.source {
                let (before, value, after) = (
                    src.text.get(..src.start).unwrap_or(""),
                    src.text.get(src.start..src.end).unwrap_or(""),
                    src.text.get(src.end..).unwrap_or(""),
                );
                let (before, value, after) =
                    (self.text(before), self.text(value), self.text(after));
                src.start = before.len();
                src.end = before.len() + value.len();
                src.text = format!("{before}{value}{after}");
                src.name = self.text(&src.name);
            }
        }
        for e in &mut report.errors {
            e.file = self.text(&e.file);
            e.message = self.text(&e.message);
            self.opt(&mut e.snippet);
        }
        for n in &mut report.not_evaluated {
            n.reason = self.text(&n.reason);
        }
    }
}
