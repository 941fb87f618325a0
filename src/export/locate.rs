//! Turning a [`Loc`] (file + JSON pointer) into a byte span, line and column.
//!
//! Loading parses with serde_json, which gives no positions. Keeping the span of every value
//! while loading would slow the parse of large exports and multiply the model's memory, for
//! values that almost never need a position. So positions are found lazily: only the files
//! that a violation or a diagnostic points into are read again and parsed with a span-aware
//! parser (`jsonc-parser`), once per file for all of its locations.

use super::decode;
use super::{LoadDiagnostic, Pending};
use crate::model::{FileId, Loc, TenantModel};
use jsonc_parser::ast::Value as Ast;
use jsonc_parser::common::Ranged;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A located value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// The decoded text of the file.
    pub text: Arc<str>,
    /// Byte range of the value in `text`.
    pub start: usize,
    pub end: usize,
    /// 1-based; columns count characters.
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

/// Byte offsets of line starts, for offset → (line, column).
struct Lines<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

impl<'t> Lines<'t> {
    fn new(text: &'t str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines { text, starts }
    }

    fn position(&self, offset: usize) -> (usize, usize) {
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts.get(line - 1).copied().unwrap_or(0);
        let column = self
            .text
            .get(start..offset)
            .map_or(0, |s| s.chars().count())
            + 1;
        (line, column)
    }

    fn line_text(&self, line: usize) -> Option<&'t str> {
        let start = *self.starts.get(line.checked_sub(1)?)?;
        let end = self
            .starts
            .get(line)
            .map_or(self.text.len(), |e| e.saturating_sub(1));
        self.text.get(start..end).map(|l| l.trim_end_matches('\r'))
    }
}

/// Splits an RFC 6901 pointer into unescaped tokens.
fn tokens(pointer: &str) -> impl Iterator<Item = String> + '_ {
    pointer
        .split('/')
        .skip(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
}

fn resolve(root: &Ast<'_>, pointer: &str) -> Option<(usize, usize)> {
    let mut cur = root;
    for t in tokens(pointer) {
        cur = match cur {
            Ast::Object(o) => &o.properties.iter().find(|p| p.name.as_str() == t)?.value,
            Ast::Array(a) => a.elements.get(t.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    let r = cur.range();
    Some((r.start, r.end))
}

fn read_text(model: &TenantModel, file: FileId) -> Option<Arc<str>> {
    let f = model.files.get(file as usize)?;
    let bytes = std::fs::read(&f.disk_path).ok()?;
    decode::decode(&bytes).ok().map(Arc::from)
}

/// Locates many values, reading and parsing each file once.
pub fn locate_all(model: &TenantModel, locs: &[&Loc]) -> Vec<Option<Located>> {
    let mut out = vec![None; locs.len()];
    let mut by_file: BTreeMap<FileId, Vec<usize>> = BTreeMap::new();
    for (i, loc) in locs.iter().enumerate() {
        by_file.entry(loc.file).or_default().push(i);
    }
    for (file, indices) in by_file {
        let Some(text) = read_text(model, file) else {
            continue;
        };
        let parsed = jsonc_parser::parse_to_ast(&text, &Default::default(), &Default::default());
        let Ok(Some(root)) = parsed.map(|p| p.value) else {
            continue;
        };
        let lines = Lines::new(&text);
        for i in indices {
            let Some(loc) = locs.get(i) else { continue };
            let Some((start, end)) = resolve(&root, &loc.pointer) else {
                continue;
            };
            let (line, column) = lines.position(start);
            let (end_line, end_column) = lines.position(end);
            if let Some(slot) = out.get_mut(i) {
                *slot = Some(Located {
                    text: text.clone(),
                    start,
                    end,
                    line,
                    column,
                    end_line,
                    end_column,
                });
            }
        }
    }
    out
}

/// Fills in line, column and snippet of diagnostics that point at a value.
pub fn position_pending(model: &TenantModel, pending: Vec<Pending>) -> Vec<LoadDiagnostic> {
    let locs: Vec<&Loc> = pending.iter().filter_map(|p| p.loc.as_ref()).collect();
    let mut found = locate_all(model, &locs).into_iter();
    pending
        .into_iter()
        .map(|p| {
            let mut d = p.diagnostic;
            if p.loc.is_some() {
                if let Some(Some(at)) = found.next() {
                    let lines = Lines::new(&at.text);
                    d.line = Some(at.line);
                    d.column = Some(at.column);
                    d.snippet = lines
                        .line_text(at.line)
                        .map(|l| l.chars().take(200).collect());
                }
            }
            d
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns_count_characters() {
        let text = "{\n  \"a\": \"é\", \"b\": [1, {\"c/d\": true}]\n}";
        let lines = Lines::new(text);
        let root = jsonc_parser::parse_to_ast(text, &Default::default(), &Default::default())
            .unwrap()
            .value
            .unwrap();
        let (s, e) = resolve(&root, "/b/1/c~1d").unwrap();
        assert_eq!(&text[s..e], "true");
        assert_eq!(lines.position(s), (2, 30));
        let (s, _) = resolve(&root, "/a").unwrap();
        assert_eq!(lines.position(s), (2, 8));
        assert_eq!(resolve(&root, "/missing"), None);
        assert_eq!(lines.line_text(3), Some("}"));
    }
}
