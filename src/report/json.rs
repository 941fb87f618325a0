//! `--format json`: one document with violations, not-evaluated policies, errors and a summary.

use crate::lint::LintReport;

pub fn render(report: &LintReport) -> String {
    // Serialising plain structs with string keys cannot fail; an empty object is a safe fallback.
    let mut out = serde_json::to_string_pretty(report).unwrap_or_else(|_| "{}".to_string());
    out.push('\n');
    out
}
