//! Output formats. Each renders a [`LintReport`] to a string; the same report always renders to
//! the same bytes.

mod annotations;
mod human;
mod json;
mod junit;
pub mod sarif;

use crate::lint::LintReport;

/// The output formats of `dexlint lint --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Diagnostics with the offending JSON labelled, for people.
    Human,
    /// One JSON document (the documented, stable shape).
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// JUnit XML: a test suite per policy, a test case per violation.
    Junit,
    /// GitHub Actions workflow commands (`::error file=...`).
    Github,
    /// Azure Pipelines logging commands (`##vso[task.logissue ...]`).
    Azure,
}

/// How human output is drawn.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
    pub width: usize,
}

/// Renders `report` in `format`.
/// Writes the report to `out`; the JSON report is written as it is serialised (a large report
/// is never held as one string).
pub fn write(
    report: &LintReport,
    format: Format,
    style: Style,
    out: impl std::io::Write,
) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut out = std::io::BufWriter::new(out);
    match format {
        Format::Json => json::write(report, &mut out)?,
        _ => out.write_all(render(report, format, style).as_bytes())?,
    }
    out.flush()
}

pub fn render(report: &LintReport, format: Format, style: Style) -> String {
    match format {
        Format::Human => human::render(report, style),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report),
        Format::Junit => junit::render(report),
        Format::Github => annotations::github(report),
        Format::Azure => annotations::azure(report),
    }
}
