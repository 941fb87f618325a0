//! `--format markdown`: a GitHub-flavoured Markdown summary for a job summary
//! (`$GITHUB_STEP_SUMMARY`) or a pull-request comment: the verdict, a table of violations per
//! severity, the rules that could not be judged and the files that failed to load. It stays
//! within [`MAX_BYTES`] (GitHub drops a larger job summary): the rows that would go beyond are
//! left out, the most severe violations kept, and a note under each table says how many.

use super::human::{plural, verdict};
use crate::outcome::{joined_path, DiagLevel, LintReport, Severity, Violation};
use std::fmt::Write as _;

/// Text for a table cell: [`text`], pipes escaped and lines joined, so the table keeps its
/// shape.
fn cell(s: &str) -> String {
    text(s)
        .replace('|', "\\|")
        .replace("\r\n", " ")
        .replace('\n', " ")
}

/// Text as Markdown shows it as written: outside its code spans (`` `name` ``) backslashes, `<`
/// and `&` escaped so that `<resource id>` is not taken for HTML. Inside a code span CommonMark
/// decodes no entity: `<` is written as it is, or it would show as `&lt;`.
pub(super) fn text(s: &str) -> String {
    let plain = |part: &str| {
        part.replace('\\', "\\\\")
            .replace('&', "&amp;")
            .replace('<', "&lt;")
    };
    // A backtick of a name (an odd count in all) would shift every span after it: then the
    // whole text is plain, its backticks escaped.
    if s.matches('`').count().is_multiple_of(2) {
        s.split('`')
            .enumerate()
            .map(|(i, part)| match i % 2 {
                0 => plain(part),
                _ => part.to_string(),
            })
            .collect::<Vec<_>>()
            .join("`")
    } else {
        plain(s).replace('`', "\\`")
    }
}

/// `text` as a code span of a table cell.
fn code(text: &str) -> String {
    cell(&format!("`{text}`"))
}

/// `file:line:column` in backticks, or an empty cell.
fn place(v: &Violation) -> String {
    match (&v.file, v.line, v.column) {
        (Some(f), Some(l), Some(c)) => {
            code(&format!("{}:{l}:{c}", joined_path(v.root.as_deref(), f)))
        }
        (Some(f), _, _) => code(&joined_path(v.root.as_deref(), f)),
        _ => String::new(),
    }
}

/// The most bytes a summary holds: GitHub drops a step's job summary larger than 1 MiB
/// ("Adding a job summary"), so the rows stop 16 KiB short of it, room for the rest.
pub const MAX_BYTES: usize = 1024 * 1024 - 16 * 1024;

/// Appends the table rows that fit within [`MAX_BYTES`], then a note of those left out.
fn rows(out: &mut String, rows: impl IntoIterator<Item = String>) {
    let mut left_out = 0;
    for row in rows {
        if left_out > 0 || out.len() + row.len() > MAX_BYTES {
            left_out += 1;
        } else {
            out.push_str(&row);
        }
    }
    if left_out > 0 {
        let _ = writeln!(
            out,
            "\n*{} left out: a job summary holds at most 1 MiB; `dexlint lint --format json` \
             lists them all.*",
            plural(left_out, "more row")
        );
    }
}

/// The summary of `report`, at most [`MAX_BYTES`] long.
pub fn render(report: &LintReport) -> String {
    let mut out = String::from("## dexlint\n\n");
    let s = &report.summary;
    let fail_level = report.fail_level.unwrap_or(Severity::Error);
    let mark = if report.gate_exit_code(fail_level, report.fail_on_not_evaluated) == 0 {
        ":white_check_mark:"
    } else {
        ":x:"
    };
    // Writing into a String cannot fail.
    let _ = writeln!(out, "{mark} **{}**\n", cell(&verdict(report)));
    let n = |sev| s.violations.get(&sev).copied().unwrap_or(0);
    let mut counts = format!(
        "{} read, {} loaded, {} run: {}, {}, {} info; {} waived, {} baselined; {} not \
         evaluated, {} partially evaluated",
        plural(s.files_read, "file"),
        plural(s.entities, "record"),
        plural(s.policies_run, "policy"),
        plural(n(Severity::Error), "error"),
        plural(n(Severity::Warning), "warning"),
        n(Severity::Info),
        s.waived,
        s.baselined,
        s.not_evaluated,
        s.partially_evaluated,
    );
    if let Some(e) = &s.edition {
        let _ = write!(counts, "; edition `{e}`");
    }
    let _ = writeln!(out, "{counts}.");
    let problems: Vec<_> = report
        .errors
        .iter()
        .filter(|e| e.level != DiagLevel::Note)
        .collect();
    if !problems.is_empty() {
        let _ = writeln!(
            out,
            "\n### Problems reading the input\n\n| level | where | problem |\n|---|---|---|"
        );
        let lines = problems.into_iter().map(|e| {
            let mut place = joined_path(e.root.as_deref(), &e.file);
            if let (Some(l), Some(c)) = (e.line, e.column) {
                let _ = write!(place, ":{l}:{c}");
            }
            let place = if place.is_empty() {
                String::new()
            } else {
                code(&place)
            };
            let level = if e.level == DiagLevel::Error {
                "error"
            } else {
                "warning"
            };
            format!("| {level} | {place} | {} |\n", cell(&e.message))
        });
        rows(&mut out, lines);
    }
    for (sev, heading) in [
        (Severity::Error, "Errors"),
        (Severity::Warning, "Warnings"),
        (Severity::Info, "Info"),
    ] {
        let vs: Vec<&Violation> = report
            .violations
            .iter()
            .filter(|v| v.severity == sev)
            .collect();
        if vs.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "\n### {heading} ({})\n\n| policy | where | problem | fix |\n|---|---|---|---|",
            vs.len()
        );
        let lines = vs.into_iter().map(|v| {
            let policy = match &v.docs {
                Some(url) => format!("[{}]({url})", v.policy),
                None => v.policy.clone(),
            };
            format!(
                "| {policy} | {} | {} | {} |\n",
                place(v),
                cell(&v.message_with_evidence()),
                cell(v.help.as_deref().unwrap_or(""))
            )
        });
        rows(&mut out, lines);
    }
    if !report.not_evaluated.is_empty() {
        let _ = writeln!(
            out,
            "\n### Not evaluated ({} entries)\n\nThe export lacks the data these rules need: they were neither passed nor failed (a policy judged in part has an entry per rule or entity it could not judge).\n\n| rule | reason |\n|---|---|",
            report.not_evaluated.len()
        );
        let lines = report.not_evaluated.iter().map(|ne| {
            format!(
                "| {} | {} |\n",
                cell(&ne.subject_in(report.several_tenants())),
                cell(&ne.reason)
            )
        });
        rows(&mut out, lines);
    }
    if !report.waived.is_empty() {
        let _ = writeln!(
            out,
            "\n### Waived ({})\n\n| policy | where | problem | waiver |\n|---|---|---|---|",
            report.waived.len()
        );
        let lines = report.waived.iter().map(|v| {
            format!(
                "| {} | {} | {} | {} |\n",
                v.policy,
                place(v),
                cell(&v.message),
                cell(v.waiver.as_deref().unwrap_or(""))
            )
        });
        rows(&mut out, lines);
    }
    out
}

#[cfg(test)]
mod cell_tests {
    use super::cell;

    #[test]
    fn code_spans_are_written_as_they_are_and_the_rest_escaped() {
        // CommonMark decodes no entity in a code span: `&lt;` there shows as `&lt;`.
        assert_eq!(
            cell("group `A <b> & c` is <resource id> & more"),
            "group `A <b> & c` is &lt;resource id> &amp; more"
        );
        // Pipes are escaped everywhere (GitHub's tables split on them first), lines joined.
        assert_eq!(cell("`a|b` c|d\nnext"), "`a\\|b` c\\|d next");
        // A name with a backtick: plain text, every backtick escaped.
        assert_eq!(cell("group `a`b <c>` x"), "group \\`a\\`b &lt;c>\\` x");
    }
}
