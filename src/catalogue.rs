//! The policy catalogue as Markdown, generated from the policy files themselves (README table).

use crate::policy::PolicyMeta;
use std::fmt::Write as _;

/// A Markdown table: id, severity, title, tags; one row per policy in the given order.
pub fn markdown_table<'a>(policies: impl IntoIterator<Item = &'a PolicyMeta>) -> String {
    let mut out = String::from("| id | severity | rule | tags |\n|---|---|---|---|\n");
    for p in policies {
        let title = match &p.docs {
            Some(url) => format!("[{}]({url})", p.title),
            None => p.title.clone(),
        };
        // Writing into a String cannot fail.
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            p.id,
            p.severity,
            title,
            p.tags.join(", ")
        );
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
    let mut out = String::from(
        "# Policy reference\n\nGenerated from `policies/*.policy` by `DEXLINT_BLESS=1 cargo test --test main readme`; do not edit.\n",
    );
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
        if let Some(d) = &p.description {
            let _ = writeln!(out, "\n{}", d.trim());
        }
        if let Some(e) = &p.example {
            let _ = writeln!(out, "\nExample violation:\n\n```\n{}\n```", e.trim());
        }
        if let Some(h) = &p.help {
            let _ = writeln!(out, "\nFix: {}", h.trim());
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
