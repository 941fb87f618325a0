//! Output formats. Each renders a [`LintReport`] to a string; the same report always renders to
//! the same bytes.

mod human;
mod json;

use crate::lint::LintReport;

/// The output formats of `dexlint lint --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Diagnostics with the offending JSON labelled, for people.
    Human,
    /// One JSON document (the documented, stable shape).
    Json,
}

/// How human output is drawn.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
    pub width: usize,
}

/// Renders `report` in `format`.
pub fn render(report: &LintReport, format: Format, style: Style) -> String {
    match format {
        Format::Human => human::render(report, style),
        Format::Json => json::render(report),
    }
}
