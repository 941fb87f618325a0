//! `--format human`: miette's graphical diagnostics, one per violation and per load error, then
//! the policies that were not evaluated and a summary line.

use super::Style;
use crate::base::render::wrap;
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
        read_excerpt(self.0, span, before, after)
    }
}

/// An excerpt owned by the diagnostic that shows it (a load error's line).
struct OwnedExcerpt(SourceExcerpt);

impl SourceCode for OwnedExcerpt {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        read_excerpt(&self.0, span, before, after)
    }
}

/// The span of an excerpt, its lines numbered as in the file.
fn read_excerpt<'a>(
    x: &'a SourceExcerpt,
    span: &miette::SourceSpan,
    before: usize,
    after: usize,
) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
    let inner = x.text.as_str().read_span(span, before, after)?;
    // The header's position (the value's, read with no context): miette would count the
    // column in bytes of the excerpt, which may be cut or redacted; it is the file's, in
    // characters.
    let column = match (before, after) {
        (0, 0) if span.offset() == x.start => x.column.saturating_sub(1),
        _ => inner.column(),
    };
    Ok(Box::new(MietteSpanContents::new_named(
        x.name.clone(),
        inner.data(),
        *inner.span(),
        inner.line() + x.first_line.saturating_sub(1),
        column,
        inner.line_count(),
    )))
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
        // Related locations (where the evidence is) follow the fix.
        let related: Vec<String> = self
            .v
            .related
            .iter()
            .map(|r| {
                let path = crate::outcome::joined_path(r.root.as_deref(), &r.file);
                format!("evidence at {path}:{}:{}", r.line, r.column)
            })
            .collect();
        match (&self.v.help, related.is_empty()) {
            (Some(h), true) => Some(Box::new(h)),
            (None, true) => None,
            (h, false) => {
                let mut text = h.clone().unwrap_or_default();
                for r in related {
                    if !text.is_empty() {
                        text.push('\n');
                    }
                    text.push_str(&r);
                }
                Some(Box::new(text))
            }
        }
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
        let label = self
            .v
            .label
            .clone()
            .unwrap_or_else(|| self.v.message.clone());
        let len = span.end.saturating_sub(span.start);
        Some(Box::new(std::iter::once(LabeledSpan::new(
            Some(label),
            span.start,
            len,
        ))))
    }
}

/// A file that failed to load, or another diagnostic of the run. With its line at hand it is
/// drawn as a violation is: the line, numbered, the position labelled.
struct ErrorDiagnostic<'a> {
    e: &'a crate::outcome::Diagnostic,
    /// The offending line and the label's byte range in it, when the position is in the line.
    line: Option<(OwnedExcerpt, usize, usize)>,
}

impl<'a> ErrorDiagnostic<'a> {
    fn new(e: &'a crate::outcome::Diagnostic) -> Self {
        let line = match (&e.snippet, e.line, e.column) {
            (Some(text), Some(line), Some(column)) if !e.file.is_empty() => {
                // The column counts characters; the label is the character there (or the end
                // of the line when the position is just past it).
                let mut chars = text.char_indices().skip(column.saturating_sub(1));
                match chars.next() {
                    Some((start, c)) => Some((start, start + c.len_utf8())),
                    None if text.chars().count() + 1 == column => Some((text.len(), text.len())),
                    None => None,
                }
                .map(|(start, end)| {
                    let excerpt = SourceExcerpt {
                        name: joined_path(e.root.as_deref(), &e.file),
                        text: crate::base::visible::without_bidi_controls(text).into_owned(),
                        first_line: line,
                        column,
                        start,
                        end,
                        whole: true,
                    };
                    (OwnedExcerpt(excerpt), start, end)
                })
            }
            _ => None,
        };
        ErrorDiagnostic { e, line }
    }
}

impl fmt::Display for ErrorDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let (Some(_), Some(l), Some(c)) = (&self.line, self.e.line, self.e.column) {
            // The snippet's header names the file and position: the message need not.
            let at = format!(" at line {l} column {c}");
            return f.write_str(self.e.message.strip_suffix(&at).unwrap_or(&self.e.message));
        }
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
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.line
            .as_ref()
            .map(|(excerpt, _, _)| excerpt as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let (_, start, end) = self.line.as_ref()?;
        Some(Box::new(std::iter::once(LabeledSpan::new(
            Some("here".into()),
            *start,
            end.saturating_sub(*start),
        ))))
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
        let _ = handler.render_report(&mut out, &ErrorDiagnostic::new(e));
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
            let line = format!("  {}: {}", n.subject_in(report.several_tenants()), n.reason);
            let _ = writeln!(out, "{}", wrap(&line, style.width, "      "));
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
                "  {}: {} read, {} run: {}, {}, {} info; {} not evaluated; {} failed to load",
                t.roots.join(", "),
                plural(t.files_read, "file"),
                plural(t.policies_run, "policy"),
                plural(n(Severity::Error), "error"),
                plural(n(Severity::Warning), "warning"),
                n(Severity::Info),
                t.not_evaluated,
                plural(t.files_failed, "file")
            );
        }
        out.push('\n');
    }
    if let Some(e) = s.edition.as_deref().and_then(crate::edition::find) {
        let line = format!("edition {} ({}, pages of {})", e.name, e.title, e.date);
        let _ = writeln!(out, "{}", wrap(&line, style.width, "  "));
    }
    let count = |sev| s.violations.get(&sev).copied().unwrap_or(0);
    let partial = if s.partially_evaluated > 0 {
        format!(", {} partially evaluated", s.partially_evaluated)
    } else {
        String::new()
    };
    let counts = format!(
        "{} read, {} loaded, {} run: {}, {}, {} info; {} waived, {} baselined; {} not evaluated{partial}; {} failed to load",
        plural(s.files_read, "file"),
        plural(s.entities, "record"),
        plural(s.policies_run, "policy"),
        plural(count(Severity::Error), "error"),
        plural(count(Severity::Warning), "warning"),
        count(Severity::Info),
        s.waived,
        s.baselined,
        s.not_evaluated,
        plural(s.files_failed, "file"),
    );
    let _ = writeln!(out, "{}", wrap(&counts, style.width, ""));
    let _ = writeln!(out, "{}", wrap(&verdict(report), style.width, "  "));
    out
}

/// `1 file`, `2 files`, `1 policy`, `3 policies`.
pub(super) fn plural(n: usize, noun: &str) -> String {
    let many = if n == 1 {
        noun.to_string()
    } else if let Some(stem) = noun.strip_suffix('y') {
        format!("{stem}ies")
    } else {
        format!("{noun}s")
    };
    format!("{n} {many}")
}

/// The violations of `report` at or above `lowest`, counted by severity from the highest
/// (`3 errors`, `1 warning`, `2 info`); severities with none are left out.
fn severity_counts(report: &LintReport, lowest: Severity) -> Vec<String> {
    [Severity::Error, Severity::Warning, Severity::Info]
        .into_iter()
        .filter(|&sev| sev >= lowest)
        .filter_map(|sev| {
            let n = report
                .violations
                .iter()
                .filter(|v| v.severity == sev)
                .count();
            (n > 0).then(|| match sev {
                Severity::Info => format!("{n} info"),
                _ => plural(n, &sev.to_string()),
            })
        })
        .collect()
}

/// The closing line of a run that wrote the baseline `file`: what it accepts (every violation
/// reported), and that the run passes.
fn baseline_written(report: &LintReport, file: &str) -> String {
    let counts = severity_counts(report, Severity::Info);
    let accepts = match counts.as_slice() {
        [] => "no violation".to_string(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    };
    format!(
        "baseline written: `{file}` accepts {accepts}; later runs with it report only new violations (exit 0)"
    )
}

/// The closing line: whether the run passed, judged against the fail level, for people.
pub(super) fn verdict(report: &LintReport) -> String {
    let s = &report.summary;
    let fail = report.fail_level.unwrap_or(Severity::Error);
    if s.errors > 0 {
        let mut text = format!(
            "not checked: {} stopped files from being read or policies from being run (exit 2)",
            plural(s.errors, "error")
        );
        if let Some(file) = &report.baseline_written {
            text.push_str(&format!(
                "; the baseline `{file}` was written with what could be read"
            ));
        }
        return text;
    }
    if let Some(file) = &report.baseline_written {
        return baseline_written(report, file);
    }
    let failing = severity_counts(report, fail);
    let ne = report.not_evaluated.len();
    if !failing.is_empty() {
        let mut text = format!("not ready: {} at or above `{fail}`", failing.join(" and "));
        if report.fail_on_not_evaluated && ne > 0 {
            text.push_str(&format!(
                ", and {} not evaluated (--fail-on-not-evaluated)",
                plural(ne, "entry")
            ));
        }
        return text;
    }
    if report.fail_on_not_evaluated && ne > 0 {
        return format!(
            "not ready: {} not evaluated (--fail-on-not-evaluated: what cannot be judged fails the run)",
            plural(ne, "entry")
        );
    }
    let below = report.violations.len();
    match (below, ne) {
        (0, 0) => "All checks passed!".to_string(),
        (0, _) => format!(
            "passed: every check that could run; {} not evaluated, the export lacks the data (see above)",
            plural(ne, "entry")
        ),
        _ => {
            let mut text = format!(
                "passed: nothing at or above `{fail}` ({} below it)",
                plural(below, "finding")
            );
            if ne > 0 {
                text.push_str(&format!(
                    "; {} not evaluated, the export lacks the data (see above)",
                    plural(ne, "entry")
                ));
            }
            text
        }
    }
}
