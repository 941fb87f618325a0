//! The policy catalogue as Markdown, generated from the policy files themselves (README table).

use crate::edition;
use crate::policy::PolicyMeta;
use std::fmt::Write as _;

/// A Markdown table: id, severity, title, tags, editions; one row per policy in the given order.
pub fn markdown_table<'a>(policies: impl IntoIterator<Item = &'a PolicyMeta>) -> String {
    let mut out =
        String::from("| id | severity | rule | tags | editions |\n|---|---|---|---|---|\n");
    for p in policies {
        let title = match &p.docs {
            Some(url) => format!("[{}]({url})", p.title),
            None => p.title.clone(),
        };
        // Writing into a String cannot fail.
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            p.id,
            p.severity,
            title,
            p.tags.join(", "),
            p.membership().join(", ")
        );
    }
    out
}

/// Which policies each edition runs: a row per policy, a column per edition (`yes` or `no`).
/// `tests/editions.rs` checks `dexlint list --edition NAME` against it.
pub fn edition_table(policies: &[&PolicyMeta]) -> String {
    let mut out = String::from("| id | rule |");
    let mut rule = String::from("|---|---|");
    for e in edition::EDITIONS {
        let _ = write!(out, " {} |", e.name);
        rule.push_str("---|");
    }
    let _ = writeln!(out, "\n{rule}");
    for p in policies {
        let _ = write!(out, "| {} | {} |", p.id, p.title);
        for e in edition::EDITIONS {
            let cell = if p.in_edition(e.name) { "yes" } else { "no" };
            let _ = write!(out, " {cell} |");
        }
        out.push('\n');
    }
    out
}

/// Replaces the text between `<!-- NAME:start -->` and `<!-- NAME:end -->` in `doc`; None
/// when the markers are missing.
pub fn replace_section(doc: &str, name: &str, body: &str) -> Option<String> {
    let start = format!("<!-- {name}:start -->\n");
    let end = format!("<!-- {name}:end -->");
    let a = doc.find(&start)? + start.len();
    let b = a + doc.get(a..)?.find(&end)?;
    Some(format!("{}{}{}", doc.get(..a)?, body, doc.get(b..)?))
}

/// The policy reference (docs/policies.md): every policy with its rationale, fix and
/// parameters, as its file states them.
pub fn reference<'a>(policies: impl IntoIterator<Item = &'a PolicyMeta>) -> String {
    let policies: Vec<&PolicyMeta> = policies.into_iter().collect();
    let mut out = String::from(
        "# Policy reference\n\nGenerated from `policies/*.policy` by `DEXLINT_BLESS=1 cargo test --test main readme`; do not edit.\n",
    );
    let _ = writeln!(
        out,
        "\n## Editions\n\nEach edition follows one state of Microsoft's pages for the service; choose one with `--edition NAME` or `edition = \"NAME\"` in `dexlint.toml` (default: `{}`, the newest).\n",
        edition::DEFAULT
    );
    for e in edition::EDITIONS {
        let _ = writeln!(
            out,
            "- `{}`: {} (pages dated up to {})",
            e.name, e.title, e.date
        );
    }
    let _ = writeln!(out, "\n{}", edition_table(&policies));
    let _ = write!(
        out,
        "Parameters whose value depends on the edition (a value in `dexlint.toml` overrides it):\n\n| policy | parameter |"
    );
    for e in edition::EDITIONS {
        let _ = write!(out, " {} |", e.name);
    }
    let _ = write!(out, "\n|---|---|");
    for _ in edition::EDITIONS {
        out.push_str("---|");
    }
    out.push('\n');
    let mut pairs: Vec<(&str, &str)> = edition::PARAMS
        .iter()
        .map(|p| (p.policy, p.param))
        .collect();
    pairs.dedup();
    for (policy, param) in pairs {
        let _ = write!(out, "| {policy} | `{param}` |");
        for e in edition::EDITIONS {
            let value = edition::PARAMS
                .iter()
                .find(|p| p.edition == e.name && p.policy == policy && p.param == param)
                .map_or("(default)".to_string(), |p| format!("`{}`", p.value.text()));
            let _ = write!(out, " {value} |");
        }
        out.push('\n');
    }
    for p in policies {
        let _ = writeln!(out, "\n## {} {}\n", p.id, p.title);
        let _ = writeln!(out, "- severity: `{}`", p.severity);
        if !p.tags.is_empty() {
            let _ = writeln!(
                out,
                "- tags: {}",
                p.tags
                    .iter()
                    .map(|t| format!("`{t}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        if let Some(d) = &p.docs {
            let _ = writeln!(out, "- documentation: <{d}>");
        }
        let file = p
            .source
            .strip_prefix("builtin:")
            .map_or(p.source.clone(), |f| {
                format!("[policies/{f}](../policies/{f})")
            });
        let _ = writeln!(out, "- source: {file}");
        let _ = writeln!(out, "- editions: {}", p.membership().join(", "));
        for c in &p.citations {
            let mut line = format!("- cites in {}: [{}]({})", c.edition, c.title, c.url);
            if let Some(s) = &c.section {
                let _ = write!(line, ", section \"{s}\"");
            }
            if let Some(d) = &c.date {
                let _ = write!(line, ", ms.date {d}");
            }
            if let Some(q) = &c.quote {
                let _ = write!(line, ": \"{}\"", q.trim());
            }
            let _ = writeln!(out, "{line}");
        }
        if let Some(d) = &p.description {
            let _ = writeln!(out, "\n{}", d.trim());
        }
        if let Some(e) = &p.example {
            let _ = writeln!(out, "\nExample violation:\n\n```\n{}\n```", e.trim());
        }
        // The fix as each edition renders it (its parameter values), once when they agree.
        let fixes: Vec<(&str, Option<String>)> = p
            .membership()
            .into_iter()
            .map(|e| (e, p.clone().with_edition_params(e).rendered_fixes()))
            .collect();
        let same = fixes.windows(2).all(|w| matches!(w, [a, b] if a.1 == b.1));
        for (edition, fix) in &fixes {
            let Some(fix) = fix else { continue };
            let fix = fix.replace('\n', "\n  - ");
            let fix = if fix.contains("\n  - ") {
                format!("\n  - {fix}")
            } else {
                format!(" {fix}")
            };
            if same {
                let _ = writeln!(out, "\nFix:{fix}");
                break;
            }
            let _ = writeln!(out, "\nFix in {edition}:{fix}");
        }
        if !p.params.is_empty() {
            let _ = writeln!(out, "\n| parameter | type | default |\n|---|---|---|");
            for param in &p.params {
                let _ = writeln!(
                    out,
                    "| `{}` | `{}` | `{}` |",
                    param.name,
                    param.ty,
                    crate::authoring::value_text(&param.default)
                );
            }
        }
    }
    out
}
