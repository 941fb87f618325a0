//! `dexlint scope` output: the coverage of users and devices (text, JSON, CSV) and an
//! incident's handling (text, JSON). JSON: `{"assets": [{"kind", "id", "name", "upn", "state",
//! "reason", "file", "line"}], "summary": {"scoped_coverage", "users", "devices", "notes"}}`.
//! CSV: a header line, then one asset per line (`kind,id,name,upn,state,reason,file,line`).

use crate::outcome::{CoverageReport, CoverageState, Handling, IncidentReport};
use std::fmt::Write as _;

fn counts(c: &std::collections::BTreeMap<&'static str, usize>) -> String {
    CoverageState::ALL
        .iter()
        .map(|s| {
            format!(
                "{} {}",
                c.get(s.as_str()).copied().unwrap_or(0),
                s.as_str().replace('_', " ")
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether scoped coverage is in use, in words (`human` and the HTML page).
pub fn scoped_coverage_text(scoped: Option<bool>) -> &'static str {
    match scoped {
        Some(true) => "in use",
        Some(false) => "not in use (the whole tenant is covered)",
        None => "unknown (see the notes)",
    }
}

/// Text for a terminal: the notes, the counts, every asset lost, unknown, in scope or inactive
/// (with its evidence), and the count of those out of scope.
pub fn human(r: &CoverageReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "scoped coverage: {}",
        scoped_coverage_text(r.summary.scoped_coverage)
    );
    for n in &r.summary.notes {
        let _ = writeln!(out, "  {n}");
    }
    let _ = writeln!(out, "users: {}", counts(&r.summary.users));
    let _ = writeln!(out, "devices: {}", counts(&r.summary.devices));
    let several = crate::outcome::several_roots(&r.assets);
    for state in [
        CoverageState::Lost,
        CoverageState::Unknown,
        CoverageState::InScope,
        CoverageState::Inactive,
    ] {
        let of: Vec<_> = r.assets.iter().filter(|a| a.state == state).collect();
        if of.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{}:", state.as_str().replace('_', " "));
        for a in of {
            let who = crate::base::visible::visible(match &a.upn {
                Some(upn) => upn.clone(),
                None if a.name.is_empty() => a.id.clone(),
                None => a.name.clone(),
            });
            let at = match (a.shown_file(several), a.line) {
                (Some(f), Some(l)) => format!(" ({f}:{l})"),
                (Some(f), None) => format!(" ({f})"),
                _ => String::new(),
            };
            let _ = writeln!(out, "  {} {who}: {}{at}", a.kind, a.reason);
        }
    }
    let out_of_scope = r
        .assets
        .iter()
        .filter(|a| a.state == CoverageState::OutOfScope)
        .count();
    if out_of_scope > 0 {
        let _ = writeln!(
            out,
            "\n{out_of_scope} out of scope (listed by --format json or csv)"
        );
    }
    out
}

/// One JSON document.
pub fn json(r: &CoverageReport) -> String {
    serde_json::to_string_pretty(r).unwrap_or_default() + "\n"
}

/// CSV, one asset per line.
pub fn csv(r: &CoverageReport) -> String {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "kind", "id", "name", "upn", "state", "reason", "file", "line", "root",
    ]);
    for a in &r.assets {
        let line = a.line.map(|l| l.to_string()).unwrap_or_default();
        let _ = w.write_record([
            a.kind,
            &inert(&a.id),
            &inert(&a.name),
            &inert(a.upn.as_deref().unwrap_or("")),
            a.state.as_str(),
            &inert(&a.reason),
            &inert(a.file.as_deref().unwrap_or("")),
            &line,
            &inert(a.root.as_deref().unwrap_or("")),
        ]);
    }
    w.into_inner()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}

/// A CSV cell that a spreadsheet does not run as a formula: text from the export (a display
/// name `=HYPERLINK(...)`) starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a
/// leading `'` (OWASP, "CSV Injection").
fn inert(text: &str) -> std::borrow::Cow<'_, str> {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}").into(),
        _ => text.into(),
    }
}

/// An incident's scope and its assets' handling, as text.
pub fn incident_human(r: &IncidentReport) -> String {
    let mut out = String::new();
    let name = r
        .incident
        .as_deref()
        .map_or(String::new(), |i| format!(" {i}"));
    let verdict = match r.in_scope {
        Some(true) => "in scope",
        Some(false) => "out of scope",
        None => "scope unknown",
    };
    let _ = writeln!(out, "incident{name}: {verdict}: {}", r.reason);
    for a in &r.assets {
        let handling = match a.handling {
            Handling::Response => "response",
            Handling::ReportedOnly => "reported only",
            Handling::NotCovered => "not covered",
            Handling::Unknown => "unknown",
        };
        let name = crate::base::visible::visible(a.name.clone());
        let _ = writeln!(out, "  {} {name}: {handling}: {}", a.kind, a.reason);
    }
    out
}

/// An incident's report as one JSON document.
pub fn incident_json(r: &IncidentReport) -> String {
    serde_json::to_string_pretty(r).unwrap_or_default() + "\n"
}
