//! `dexlint test --bless`: a case's `case.toml` rewritten with the actual results. Everything
//! but the expectations is kept as written (comments, `policies`, `edition`, `[policy.ID]`
//! tables); `not_evaluated` is replaced in place (or added after the last top-level key) and
//! the `[[violation]]` and `[[not_evaluated_entity]]` tables are replaced by one per actual
//! violation, then one per entity a checked policy could not judge, at the end,
//! in the report's order (catalogue order, then the order of the export), so that blessing
//! twice writes the same file.

use super::{checks, entities_not_evaluated, whole_not_evaluated, Case, Expected, ExpectedEntity};
use crate::outcome::LintReport;
use std::fmt::Write as _;

/// A TOML string literal (basic string, escaped as TOML requires).
fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The expectations `report` meets exactly: one per violation of the checked policies with
/// every field it has, identical ones merged into one with `count`.
pub(super) fn expectations(case: &Case, report: &LintReport) -> Vec<Expected> {
    let mut out: Vec<Expected> = Vec::new();
    for v in report.violations.iter().filter(|v| checks(case, &v.policy)) {
        let e = Expected {
            policy: v.policy.clone(),
            severity: Some(v.severity.to_string()),
            file: v.file.clone(),
            pointer: v.pointer.clone(),
            entity: v.entity.clone(),
            line: v.line,
            column: v.column,
            message: Some(v.message.clone()),
            count: None,
        };
        match out.iter_mut().find(|o| {
            Expected {
                count: None,
                ..(*o).clone()
            } == e
        }) {
            Some(same) => same.count = Some(same.count.unwrap_or(1) + 1),
            None => out.push(e),
        }
    }
    out
}

/// The `[[not_evaluated_entity]]` expectations `report` meets exactly: one per entity a
/// checked policy could not judge, with every field, identical ones merged into one with
/// `count`.
pub(super) fn entity_expectations(case: &Case, report: &LintReport) -> Vec<ExpectedEntity> {
    let mut out: Vec<ExpectedEntity> = Vec::new();
    for n in entities_not_evaluated(case, report) {
        let e = ExpectedEntity {
            policy: n.policy.clone(),
            rule: n.rule,
            entity: n.entity.clone(),
            reason: Some(n.reason.clone()),
            count: None,
        };
        match out.iter_mut().find(|o| {
            ExpectedEntity {
                count: None,
                ..(*o).clone()
            } == e
        }) {
            Some(same) => same.count = Some(same.count.unwrap_or(1) + 1),
            None => out.push(e),
        }
    }
    out
}

/// One `[[not_evaluated_entity]]` table.
fn entity_table(e: &ExpectedEntity) -> String {
    let mut s = String::from("[[not_evaluated_entity]]\n");
    let _ = writeln!(s, "policy = {}", quoted(&e.policy));
    if let Some(r) = e.rule {
        let _ = writeln!(s, "rule = {r}");
    }
    for (key, value) in [("entity", &e.entity), ("reason", &e.reason)] {
        if let Some(v) = value {
            let _ = writeln!(s, "{key} = {}", quoted(v));
        }
    }
    if let Some(n) = e.count {
        let _ = writeln!(s, "count = {n}");
    }
    s
}

/// One `[[violation]]` table.
fn table(e: &Expected) -> String {
    let mut s = String::from("[[violation]]\n");
    let _ = writeln!(s, "policy = {}", quoted(&e.policy));
    for (key, value) in [
        ("severity", &e.severity),
        ("file", &e.file),
        ("pointer", &e.pointer),
    ] {
        if let Some(v) = value {
            let _ = writeln!(s, "{key} = {}", quoted(v));
        }
    }
    for (key, value) in [("line", e.line), ("column", e.column)] {
        if let Some(v) = value {
            let _ = writeln!(s, "{key} = {v}");
        }
    }
    for (key, value) in [("entity", &e.entity), ("message", &e.message)] {
        if let Some(v) = value {
            let _ = writeln!(s, "{key} = {}", quoted(v));
        }
    }
    if let Some(n) = e.count {
        let _ = writeln!(s, "count = {n}");
    }
    s
}

/// Whether a line opens a table (`[x]` or `[[x]]`): TOML headers stand at the start of a line.
fn is_header(line: &str) -> bool {
    line.trim_start().starts_with('[')
}

/// Whether a header line opens a table that blessing replaces: `[[violation]]` or
/// `[[not_evaluated_entity]]`.
fn is_expectation_header(line: &str) -> bool {
    let compact: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    compact.starts_with("[[violation]]") || compact.starts_with("[[not_evaluated_entity]]")
}

/// Whether a line is a top-level `key = value` (neither blank nor a comment).
fn is_key(line: &str) -> bool {
    let t = line.trim_start();
    !t.is_empty() && !t.starts_with('#')
}

/// How far `[` outnumber `]` in a line, strings and comments left out.
fn bracket_depth(line: &str) -> i64 {
    let (mut depth, mut quote) = (0i64, None::<char>);
    let mut escaped = false;
    for c in line.chars() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' && q == '"' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                '"' | '\'' => quote = Some(c),
                '#' => break,
                '[' => depth += 1,
                ']' => depth -= 1,
                _ => {}
            },
        }
    }
    depth
}

/// `text` with its `not_evaluated` and its `[[violation]]` and `[[not_evaluated_entity]]`
/// tables replaced by `not_evaluated` and `tables`.
fn splice(text: &str, not_evaluated: &str, tables: &[String]) -> String {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let first_header = lines
        .iter()
        .position(|l| is_header(l))
        .unwrap_or(lines.len());
    let (preamble, rest) = lines.split_at(first_header);
    // The preamble without its `not_evaluated` (which may span lines).
    let mut kept: Vec<&str> = Vec::new();
    let mut at: Option<usize> = None;
    let mut depth = 0;
    for line in preamble {
        if depth > 0 {
            depth += bracket_depth(line);
            continue;
        }
        let key = line.trim_start();
        let is_ne = key
            .strip_prefix("not_evaluated")
            .is_some_and(|r| r.trim_start().starts_with('='));
        if is_ne {
            at = Some(kept.len());
            depth = bracket_depth(line).max(0);
            continue;
        }
        kept.push(line);
    }
    let at = at.unwrap_or_else(|| {
        kept.iter().rposition(|l| is_key(l)).map_or_else(
            || {
                kept.iter()
                    .take_while(|l| !is_key(l) && !l.trim().is_empty())
                    .count()
            },
            |i| i + 1,
        )
    });
    let mut out = String::new();
    for (i, line) in kept.iter().enumerate() {
        if i == at {
            out.push_str(not_evaluated);
        }
        out.push_str(line);
        if i + 1 == kept.len() && !line.ends_with('\n') {
            out.push('\n');
        }
    }
    if at >= kept.len() {
        out.push_str(not_evaluated);
    }
    // The tables but `[[violation]]`.
    let mut skipping = false;
    for line in rest {
        if is_header(line) {
            skipping = is_expectation_header(line);
        }
        if !skipping {
            out.push_str(line);
            if !line.ends_with('\n') {
                out.push('\n');
            }
        }
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    for t in tables {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(t);
    }
    out
}

/// The leading comment lines of `text`, then everything a case holds, regenerated.
fn regenerate(text: &str, case: &Case, not_evaluated: &str, tables: &[String]) -> String {
    let mut out: String = text
        .split_inclusive('\n')
        .take_while(|l| l.trim_start().starts_with('#'))
        .collect();
    let list = |items: &[String]| {
        items
            .iter()
            .map(|s| quoted(s))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if let Some(edition) = &case.edition {
        let _ = writeln!(out, "edition = {}", quoted(edition));
    }
    let _ = writeln!(out, "policies = [{}]", list(&case.policies));
    if let Some(today) = &case.today {
        let _ = writeln!(out, "today = {}", quoted(today));
    }
    out.push_str(not_evaluated);
    if !case.policy.is_empty() {
        let mut t = toml::Table::new();
        t.insert(
            "policy".into(),
            toml::Value::Table(case.policy.clone().into_iter().collect()),
        );
        if let Ok(s) = toml::to_string(&t) {
            out.push('\n');
            out.push_str(&s);
        }
    }
    for t in tables {
        out.push('\n');
        out.push_str(t);
    }
    out
}

/// `case.toml`'s text with the expectations `report` meets (and `case`'s `today`, when the
/// text sets none): the `not_evaluated` of the checked policies, one `[[violation]]` per violation and one `[[not_evaluated_entity]]` per entity
/// not judged. The rest is kept as written when the edit
/// reads back as the same case; otherwise the file is regenerated (leading comments kept).
pub(super) fn rewrite(text: &str, case: &Case, report: &LintReport) -> String {
    let got_ne: Vec<String> = whole_not_evaluated(case, report)
        .into_iter()
        .map(str::to_string)
        .collect();
    let not_evaluated = format!(
        "not_evaluated = [{}]\n",
        got_ne
            .iter()
            .map(|s| quoted(s))
            .collect::<Vec<_>>()
            .join(", ")
    );
    // The date the case was blessed at, when it set none and a policy it checks reads it.
    let written = toml::from_str::<Case>(text).ok().and_then(|c| c.today);
    let new_keys = match (&case.today, written) {
        (Some(today), None) => format!("{not_evaluated}today = {}\n", quoted(today)),
        _ => not_evaluated.clone(),
    };
    let violations = expectations(case, report);
    let entities = entity_expectations(case, report);
    let tables: Vec<String> = violations
        .iter()
        .map(table)
        .chain(entities.iter().map(entity_table))
        .collect();
    let spliced = splice(text, &new_keys, &tables);
    let same = toml::from_str::<Case>(&spliced).is_ok_and(|new| {
        new.policies == case.policies
            && new.edition == case.edition
            && new.policy == case.policy
            && new.today == case.today
            && new.not_evaluated == got_ne
            && new.violations == violations
            && new.entities == entities
    });
    if same {
        spliced
    } else {
        regenerate(text, case, &not_evaluated, &tables)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn strings_are_escaped_as_toml_reads_them() {
        let s = "a \"b\" \\ c\n\u{1}é";
        let v: toml::Table = toml::from_str(&format!("x = {}", quoted(s))).unwrap();
        assert_eq!(v["x"].as_str(), Some(s));
    }

    #[test]
    fn only_the_expectations_are_replaced() {
        let text = "# top\n# comment\npolicies = [\"A\"]\nnot_evaluated = [\n  \"B\",\n]\n\n# settings\n[policy.A]\nparams = { n = 1 }\n\n[[violation]]\npolicy = \"A\"\n\n[policy.B]\nseverity = \"info\"\n";
        let e = Expected {
            policy: "A".into(),
            line: Some(3),
            ..Expected::default()
        };
        let out = splice(text, "not_evaluated = []\n", &[table(&e)]);
        assert_eq!(
            out,
            "# top\n# comment\npolicies = [\"A\"]\nnot_evaluated = []\n\n# settings\n[policy.A]\nparams = { n = 1 }\n\n[policy.B]\nseverity = \"info\"\n\n[[violation]]\npolicy = \"A\"\nline = 3\n"
        );
        // Without `not_evaluated`, it follows the last top-level key.
        let out = splice("# c\npolicies = []\n# c2\n", "not_evaluated = []\n", &[]);
        assert_eq!(out, "# c\npolicies = []\nnot_evaluated = []\n# c2\n");
        let out = splice("# only a comment\n", "not_evaluated = []\n", &[]);
        assert_eq!(out, "# only a comment\nnot_evaluated = []\n");
    }
}
