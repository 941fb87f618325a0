//! `--format human`: miette's graphical diagnostics, one per violation and per load error, then
//! the policies that were not evaluated and a summary line.

use super::Style;
use crate::outcome::DiagLevel;
use crate::outcome::Severity;
use crate::outcome::SourceExcerpt;
use crate::outcome::{joined_path, LintReport, Violation};
use miette::{Diagnostic, LabeledSpan, MietteError, MietteSpanContents, SourceCode, SpanContents};
use std::fmt::{self, Write as _};

/// A violation seen as a miette diagnostic: code = policy id, label on the offending value.
struct ViolationDiagnostic<'a> {
    v: &'a Violation,
    source: Option<Excerpt<'a>>,
}

/// The lines of a file kept around a violation, numbered as in the file.
struct Excerpt<'a>(&'a SourceExcerpt);

impl SourceCode for Excerpt<'_> {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self.0.text.as_str().read_span(span, before, after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.0.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.0.first_line - 1,
            inner.column(),
            inner.line_count(),
        )))
    }
}

impl fmt::Display for ViolationDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.v.message)
    }
}
impl fmt::Debug for ViolationDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.v.message)
    }
}
impl std::error::Error for ViolationDiagnostic<'_> {}

impl Diagnostic for ViolationDiagnostic<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.v.policy))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette_severity(self.v.severity))
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.v
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn url<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.v
            .docs
            .as_ref()
            .map(|d| Box::new(d) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.v.source.as_ref()?;
        let label = format!("{}: {}", self.v.severity, self.v.title);
        let len = span.end.saturating_sub(span.start);
        Some(Box::new(std::iter::once(LabeledSpan::new(
            Some(label),
            span.start,
            len,
        ))))
    }
}

/// A file that failed to load.
struct ErrorDiagnostic<'a> {
    e: &'a crate::outcome::Diagnostic,
}

impl fmt::Display for ErrorDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = match (self.e.root.as_deref(), self.e.file.as_str()) {
            // About a whole export root (or the run): no file to name.
            (Some(root), "") => root.to_string(),
            (None, "") => return write!(f, "{}", self.e.message),
            (root, file) => joined_path(root, file),
        };
        match (self.e.line, self.e.column) {
            (Some(l), Some(c)) => write!(f, "{path}:{l}:{c}: {}", self.e.message),
            _ => write!(f, "{path}: {}", self.e.message),
        }
    }
}
impl fmt::Debug for ErrorDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}
impl std::error::Error for ErrorDiagnostic<'_> {}
impl Diagnostic for ErrorDiagnostic<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.e.level {
            DiagLevel::Error => miette::Severity::Error,
            DiagLevel::Warning => miette::Severity::Warning,
            DiagLevel::Note => miette::Severity::Advice,
        })
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.e
            .snippet
            .as_ref()
            .map(|s| Box::new(format!("the line reads: {}", s.trim())) as Box<dyn fmt::Display>)
    }
}

fn miette_severity(s: Severity) -> miette::Severity {
    match s {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Info => miette::Severity::Advice,
    }
}

pub fn render(report: &LintReport, style: Style) -> String {
    let handler = crate::base::render::handler(style.color, style.width);
    let mut out = String::new();
    for e in &report.errors {
        // Writing into a String cannot fail.
        let _ = handler.render_report(&mut out, &ErrorDiagnostic { e });
        out.push('\n');
    }
    for v in &report.violations {
        let source = v.source.as_ref().map(Excerpt);
        let d = ViolationDiagnostic { v, source };
        if v.source.is_none() {
            let _ = writeln!(
                out,
                "{}:",
                v.file
                    .as_deref()
                    .map_or("(no location)".into(), |f| joined_path(
                        v.root.as_deref(),
                        f
                    ))
            );
        }
        let _ = handler.render_report(&mut out, &d);
        out.push('\n');
    }
    if !report.waived.is_empty() {
        let _ = writeln!(out, "waived:");
        for v in &report.waived {
            let place = v
                .file
                .as_deref()
                .map(|f| joined_path(v.root.as_deref(), f))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  {} {place}: {} (waiver: {})",
                v.policy,
                v.message,
                v.waiver.as_deref().unwrap_or("")
            );
        }
        out.push('\n');
    }
    if !report.not_evaluated.is_empty() {
        let _ = writeln!(out, "not evaluated:");
        for n in &report.not_evaluated {
            let _ = writeln!(out, "  {}: {}", n.subject(), n.reason);
        }
        out.push('\n');
    }
    let s = &report.summary;
    if !s.ran_on_incomplete_data.is_empty() {
        let _ = writeln!(
            out,
            "ran on incomplete data (a file they read failed to load):"
        );
        for r in &s.ran_on_incomplete_data {
            let _ = writeln!(
                out,
                "  {}: {} ({})",
                r.policy,
                r.collections.join(", "),
                r.files.join(", ")
            );
        }
        out.push('\n');
    }
    if s.tenants.len() > 1 {
        let _ = writeln!(out, "tenants (each evaluated alone):");
        for t in &s.tenants {
            let n = |sev| t.violations.get(&sev).copied().unwrap_or(0);
            let _ = writeln!(
                out,
                "  {}: {} files read, {} policies run: {} errors, {} warnings, {} info; {} not evaluated; {} files failed to load",
                t.roots.join(", "),
                t.files_read,
                t.policies_run,
                n(Severity::Error),
                n(Severity::Warning),
                n(Severity::Info),
                t.not_evaluated,
                t.files_failed
            );
        }
        out.push('\n');
    }
    if let Some(e) = s.edition.as_deref().and_then(crate::edition::find) {
        let _ = writeln!(out, "edition {} ({}, pages of {})", e.name, e.title, e.date);
    }
    let count = |sev| s.violations.get(&sev).copied().unwrap_or(0);
    let partial = if s.partially_evaluated > 0 {
        format!(", {} partially evaluated", s.partially_evaluated)
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "{} files read, {} entities, {} policies run: {} errors, {} warnings, {} info; {} waived, {} baselined; {} not evaluated{partial}; {} files failed to load",
        s.files_read,
        s.entities,
        s.policies_run,
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info),
        s.waived,
        s.baselined,
        s.not_evaluated,
        s.files_failed
    );
    if report.fail_on_not_evaluated && !report.not_evaluated.is_empty() {
        let n = report.not_evaluated.len();
        let _ = writeln!(
            out,
            "failed: {n} not-evaluated {} (--fail-on-not-evaluated: what cannot be judged fails the run)",
            if n == 1 { "entry" } else { "entries" }
        );
    }
    out
}
