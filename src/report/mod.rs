//! Output formats. Each renders a [`LintReport`] to a string; the same report always renders to
//! the same bytes.

mod annotations;
pub mod coverage;
pub mod html;
mod human;
mod json;
mod junit;
pub mod markdown;
pub mod sarif;

use crate::outcome::DiagLevel;
use crate::outcome::{Diagnostic, LintReport};

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
    /// GitHub-flavoured Markdown: the verdict, a table per severity, the rules not evaluated
    /// (for `$GITHUB_STEP_SUMMARY` or a pull-request comment).
    Markdown,
    /// One self-contained HTML page (no script or external resource; prints readably).
    Html,
}

/// One output of a run: a format, written to a file or (None) to standard output
/// (`--format FORMAT` or `--format FORMAT=FILE`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// The format.
    pub format: Format,
    /// Where it goes; None: standard output (or `--output`).
    pub file: Option<std::path::PathBuf>,
}

impl std::str::FromStr for Output {
    type Err = String;

    /// `FORMAT` or `FORMAT=FILE`.
    fn from_str(s: &str) -> Result<Self, String> {
        use clap::ValueEnum as _;
        let (name, file) = match s.split_once('=') {
            Some((n, f)) if !f.is_empty() => (n, Some(std::path::PathBuf::from(f))),
            Some((n, _)) => return Err(format!("`{n}=` needs a FILE after `=`")),
            None => (s, None),
        };
        let format = Format::from_str(name, true).map_err(|_| {
            let names: Vec<String> = Format::value_variants()
                .iter()
                .filter_map(|v| v.to_possible_value().map(|p| p.get_name().to_string()))
                .collect();
            format!("unknown format `{name}` (one of {})", names.join(", "))
        })?;
        Ok(Output { format, file })
    }
}

/// How human output is drawn.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// ANSI colours and terminal hyperlinks (`dexlint lint` turns them on for a terminal only).
    pub color: bool,
    /// Width in columns that diagnostics wrap at (the terminal's, or 100 when not a terminal).
    pub width: usize,
}

/// Writes the report to `out`; the JSON report is written as it is serialised (a large report
/// is never held as one string). `style` matters to [`Format::Human`] only.
///
/// # Errors
/// Any error writing to `out`.
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

/// Renders `report` in `format` as one string. `style` matters to [`Format::Human`] only.
pub fn render(report: &LintReport, format: Format, style: Style) -> String {
    match format {
        Format::Human => human::render(report, style),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report),
        Format::Junit => junit::render(report),
        Format::Github => annotations::github(report),
        Format::Azure => annotations::azure(report),
        Format::Markdown => markdown::render(report),
        Format::Html => html::lint(report),
    }
}

/// The report of a run that stopped before linting (configuration, policy, baseline or usage
/// error): every error of the diagnostic (its related errors one by one), placed at the file,
/// 1-based line and column (in characters) of its first label, so that every format still
/// writes one complete document.
pub fn failure(error: &dyn miette::Diagnostic) -> LintReport {
    let mut report = LintReport::default();
    collect_failure(error, &mut report.errors);
    if report.errors.is_empty() {
        report.errors.push(plain_error(error.to_string()));
    }
    report.summary.errors = report.errors.len();
    report
}

fn plain_error(message: String) -> Diagnostic {
    Diagnostic {
        file: String::new(),
        root: None,
        line: None,
        column: None,
        message,
        level: DiagLevel::Error,
        snippet: None,
    }
}

fn collect_failure(d: &dyn miette::Diagnostic, out: &mut Vec<Diagnostic>) {
    if let Some(related) = d.related() {
        let before = out.len();
        for r in related {
            collect_failure(r, out);
        }
        if out.len() > before {
            return;
        }
    }
    let mut message = d.to_string();
    if let Some(help) = d.help() {
        message = format!("{message}; {help}");
    }
    let mut e = plain_error(message);
    let label = d.labels().and_then(|mut l| l.next());
    if let (Some(src), Some(label)) = (d.source_code(), label) {
        // With every line before it as context, the excerpt starts at the file's start.
        if let Ok(contents) = src.read_span(label.inner(), usize::MAX, 0) {
            if let Some(name) = contents.name() {
                e.file = name.to_string();
            }
            let data = contents.data();
            let start = label.offset().saturating_sub(contents.span().offset());
            let before = String::from_utf8_lossy(data.get(..start).unwrap_or(data));
            e.line = Some(contents.line() + before.matches('\n').count() + 1);
            e.column = Some(before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1);
        }
    }
    out.push(e);
}
