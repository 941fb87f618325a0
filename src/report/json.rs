//! `--format json`: one document with violations, not-evaluated policies, errors and a summary.

use crate::outcome::LintReport;

pub fn render(report: &LintReport) -> String {
    let mut out = Vec::new();
    // Writing into memory cannot fail.
    let _ = write(report, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// Writes the report as it is serialised.
pub fn write(report: &LintReport, out: &mut impl std::io::Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    out.write_all(b"\n")
}
