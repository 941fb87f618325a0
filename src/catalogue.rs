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
