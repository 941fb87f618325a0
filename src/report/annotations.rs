//! `--format github` and `--format azure`: one CI logging command per violation and per load
//! error, so the CI system annotates the file and line, then a plain summary line.

use super::human::{plural, verdict};
use crate::outcome::DiagLevel;
use crate::outcome::Severity;
use crate::outcome::{joined_path, LintReport};
use std::fmt::Write as _;

/// GitHub workflow command data escaping.
fn gh_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// GitHub workflow command property escaping.
fn gh_prop(s: &str) -> String {
    gh_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Azure Pipelines logging command escaping (data and properties).
fn az(s: &str) -> String {
    s.replace('%', "%AZP25")
        .replace(';', "%3B")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
        .replace(']', "%5D")
}

/// The closing line: the counts, then the verdict against the fail level.
fn summary_line(report: &LintReport) -> String {
    let s = &report.summary;
    let n = |sev| s.violations.get(&sev).copied().unwrap_or(0);
    format!(
        "dexlint: {}, {}, {} info, {} waived, {} baselined, {} not evaluated, {} failed to \
         load; {}",
        plural(n(Severity::Error), "error"),
        plural(n(Severity::Warning), "warning"),
        n(Severity::Info),
        s.waived,
        s.baselined,
        s.not_evaluated,
        plural(s.files_failed, "file"),
        verdict(report)
    )
}

/// A violation's message followed by its fix, on a line of its own.
fn with_help(message: &str, help: Option<&str>) -> String {
    match help {
        Some(h) => format!("{message}\nfix: {h}"),
        None => message.to_string(),
    }
}

pub fn github(report: &LintReport) -> String {
    let mut out = String::new();
    for e in &report.errors {
        let mut props = String::new();
        if !e.file.is_empty() {
            let _ = write!(
                props,
                "file={},",
                gh_prop(&joined_path(e.root.as_deref(), &e.file))
            );
            if let (Some(l), Some(c)) = (e.line, e.column) {
                let _ = write!(props, "line={l},col={c},");
            }
        }
        // As the other formats call them: a stale baseline entry or an expired waiver is a
        // warning; only notes (a file that is not an export document) are notices.
        let cmd = match e.level {
            DiagLevel::Error => "error",
            DiagLevel::Warning => "warning",
            DiagLevel::Note => "notice",
        };
        let _ = writeln!(out, "::{cmd} {props}title=dexlint::{}", gh_data(&e.message));
    }
    for v in &report.violations {
        let cmd = match v.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut props = Vec::new();
        if let Some(file) = &v.file {
            props.push(format!(
                "file={}",
                gh_prop(&joined_path(v.root.as_deref(), file))
            ));
            if let (Some(l), Some(c)) = (v.line, v.column) {
                props.push(format!("line={l},col={c}"));
                if let (Some(el), Some(ec)) = (v.end_line, v.end_column) {
                    props.push(format!("endLine={el},endColumn={ec}"));
                }
            }
        }
        props.push(format!(
            "title={}",
            gh_prop(&format!("{} {}", v.policy, v.title))
        ));
        let _ = writeln!(
            out,
            "::{cmd} {}::{}",
            props.join(","),
            gh_data(&with_help(&v.message_with_evidence(), v.help.as_deref()))
        );
    }
    // Under --fail-on-not-evaluated a rule that could not be judged fails the run: an error.
    let ne_cmd = if report.fail_on_not_evaluated {
        "error"
    } else {
        "notice"
    };
    for n in &report.not_evaluated {
        let _ = writeln!(
            out,
            "::{ne_cmd} title={}::{}",
            gh_prop(&format!(
                "{} not evaluated",
                n.subject_in(report.several_tenants())
            )),
            gh_data(&n.reason)
        );
    }
    for r in &report.summary.ran_on_incomplete_data {
        let _ = writeln!(
            out,
            "::warning title={}::{}",
            gh_prop(&format!("{} ran on incomplete data", r.policy)),
            gh_data(&r.text())
        );
    }
    out.push_str(&summary_line(report));
    out.push('\n');
    out
}

pub fn azure(report: &LintReport) -> String {
    let mut out = String::new();
    for e in &report.errors {
        let mut props = format!(
            "type={}",
            if e.level == DiagLevel::Error {
                "error"
            } else {
                "warning"
            }
        );
        if !e.file.is_empty() {
            let _ = write!(
                props,
                ";sourcepath={}",
                az(&joined_path(e.root.as_deref(), &e.file))
            );
            if let (Some(l), Some(c)) = (e.line, e.column) {
                let _ = write!(props, ";linenumber={l};columnnumber={c}");
            }
        }
        let _ = writeln!(
            out,
            "##vso[task.logissue {props};code=dexlint]{}",
            az(&e.message)
        );
    }
    for v in &report.violations {
        // Azure Pipelines knows only errors and warnings.
        let kind = if v.severity == Severity::Error {
            "error"
        } else {
            "warning"
        };
        let mut props = format!("type={kind}");
        if let Some(file) = &v.file {
            let _ = write!(
                props,
                ";sourcepath={}",
                az(&joined_path(v.root.as_deref(), file))
            );
            if let (Some(l), Some(c)) = (v.line, v.column) {
                let _ = write!(props, ";linenumber={l};columnnumber={c}");
            }
        }
        // A logging command is one line: the fix follows the message on it.
        let text = match &v.help {
            Some(h) => format!("{} (fix: {h})", v.message_with_evidence()),
            None => v.message_with_evidence(),
        };
        let _ = writeln!(
            out,
            "##vso[task.logissue {props};code={}]{}",
            az(&v.policy),
            az(&text)
        );
    }
    // Azure Pipelines has no notices: a rule that could not be judged is a warning (an error
    // under --fail-on-not-evaluated, which fails the run on it).
    let ne_kind = if report.fail_on_not_evaluated {
        "error"
    } else {
        "warning"
    };
    for n in &report.not_evaluated {
        let _ = writeln!(
            out,
            "##vso[task.logissue type={ne_kind};code={}]{}",
            az(&n.policy),
            az(&format!(
                "{} not evaluated: {}",
                n.subject_in(report.several_tenants()),
                n.reason
            ))
        );
    }
    for r in &report.summary.ran_on_incomplete_data {
        let _ = writeln!(
            out,
            "##vso[task.logissue type=warning;code={}]{}",
            az(&r.policy),
            az(&r.text())
        );
    }
    out.push_str(&summary_line(report));
    out.push('\n');
    out
}
