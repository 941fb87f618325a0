//! Turning a [`Loc`] (file + byte offset) into a JSON pointer, a byte span, a line and a column.
//!
//! Loading keeps only the offset where each value starts. Only the files that a violation or
//! a diagnostic points into are read and parsed again, once per file for all of its locations;
//! the value at an offset is then found by descending the tree, choosing at each level the
//! child whose range holds the offset, which also spells the value's JSON pointer.

use super::decode;
use super::tree::{self, Kind, Node};
use super::{LoadDiagnostic, Pending};
use crate::model::{FileId, Loc, TenantModel};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A located value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// The lines around the value (`name` left empty).
    pub source: SourceSpan,
    /// RFC 6901 pointer to the value ("" is the whole document).
    pub pointer: String,
    /// Byte range of the value in `text`.
    pub start: usize,
    pub end: usize,
    /// 1-based; columns count characters.
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceSpan {
    pub name: String,
    /// The lines of the file around the value (not the whole file: a report with thousands of
    /// violations would otherwise hold every file they point into).
    pub text: String,
    /// Line number of the first line of `text` (1-based).
    pub first_line: usize,
    /// The value's byte range in `text`; a value longer than [`SourceSpan::MAX_LINES`] lines
    /// is cut after its first line, and `whole` is false.
    pub start: usize,
    pub end: usize,
    pub whole: bool,
}

impl SourceSpan {
    /// Lines of context kept before and after the value.
    pub const CONTEXT: usize = 2;
    /// Longest value shown whole.
    pub const MAX_LINES: usize = 12;

    /// Line `line` of the file (its first 200 characters), when it is in the excerpt.
    pub fn line_text(&self, line: usize) -> Option<String> {
        let l = self.text.lines().nth(line.checked_sub(self.first_line)?)?;
        Some(l.trim_end_matches('\r').chars().take(200).collect())
    }

    /// The part of `text` to show for the value at `start..end`, which starts on line `line`.
    pub fn around(name: String, text: &str, start: usize, end: usize, line: usize) -> Self {
        let line_start = |at: usize| {
            text.get(..at)
                .and_then(|t| t.rfind('\n'))
                .map_or(0, |i| i + 1)
        };
        let line_end = |at: usize| {
            text.get(at..)
                .and_then(|t| t.find('\n'))
                .map_or(text.len(), |i| at + i)
        };
        let lines = text.get(start..end).map_or(0, |v| v.matches('\n').count());
        let whole = lines < Self::MAX_LINES;
        let end = if whole { end } else { line_end(start) };
        let mut from = line_start(start);
        let mut before = 0;
        while before < Self::CONTEXT && from > 0 {
            from = line_start(from - 1);
            before += 1;
        }
        let mut to = line_end(end);
        for _ in 0..Self::CONTEXT {
            if to < text.len() {
                to = line_end(to + 1);
            }
        }
        SourceSpan {
            name,
            text: text.get(from..to).unwrap_or("").to_string(),
            first_line: line.saturating_sub(before).max(1),
            start: start - from,
            end: end - from,
            whole,
        }
    }
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
}

/// The innermost value that starts at `offset` (or else holds it): its range and pointer.
fn resolve(root: &Node<'_>, offset: u32) -> (usize, usize, String) {
    let mut node = root;
    let mut pointer = String::new();
    let holds = |n: &Node<'_>| n.start <= offset && offset < n.end;
    while node.start != offset {
        let next = match &node.kind {
            Kind::Array(items) => {
                let i = items.partition_point(|n| n.end <= offset);
                items.get(i).filter(|n| holds(n)).inspect(|_n| {
                    pointer.push('/');
                    pointer.push_str(&i.to_string());
                })
            }
            Kind::Object(members) => {
                let i = members.partition_point(|(_, n)| n.end <= offset);
                members.get(i).filter(|(_, n)| holds(n)).map(|(k, n)| {
                    pointer.push('/');
                    pointer.push_str(&k.replace('~', "~0").replace('/', "~1"));
                    n
                })
            }
            _ => None,
        };
        match next {
            Some(n) => node = n,
            None => break,
        }
    }
    (node.start as usize, node.end as usize, pointer)
}

fn read_text(model: &TenantModel, file: FileId) -> Option<Arc<str>> {
    let f = model.files.get(file as usize)?;
    let bytes = std::fs::read(&f.disk_path).ok()?;
    decode::decode(&bytes).ok().map(Arc::from)
}

/// Locates many values, reading and parsing each file once (files in parallel).
pub fn locate_all(model: &TenantModel, locs: &[&Loc]) -> Vec<Option<Located>> {
    let mut by_file: BTreeMap<FileId, Vec<usize>> = BTreeMap::new();
    for (i, loc) in locs.iter().enumerate() {
        by_file.entry(loc.file()).or_default().push(i);
    }
    let located: Vec<(usize, Located)> = by_file
        .into_par_iter()
        .flat_map_iter(|(file, indices)| {
            let text = read_text(model, file);
            let root = text
                .as_deref()
                .and_then(|t| tree::parse(t, tree::MAX_DEPTH_LIMIT).ok());
            let (Some(text), Some(root)) = (text.clone(), root) else {
                return Vec::new();
            };
            let lines = Lines::new(&text);
            indices
                .into_iter()
                .filter_map(|i| {
                    let (start, end, pointer) = resolve(&root, locs.get(i)?.offset());
                    let (line, column) = lines.position(start);
                    let (end_line, end_column) = lines.position(end);
                    let at = Located {
                        source: SourceSpan::around(String::new(), &text, start, end, line),
                        pointer,
                        start,
                        end,
                        line,
                        column,
                        end_line,
                        end_column,
                    };
                    Some((i, at))
                })
                .collect()
        })
        .collect();
    let mut out = vec![None; locs.len()];
    for (i, at) in located {
        if let Some(slot) = out.get_mut(i) {
            *slot = Some(at);
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
                    d.line = Some(at.line);
                    d.column = Some(at.column);
                    d.snippet = at.source.line_text(at.line);
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
    fn offsets_to_pointers_lines_and_columns() {
        let text = "{\n  \"a\": \"é\", \"b\": [1, {\"c/d\": true}]\n}";
        let lines = Lines::new(text);
        let root = tree::parse(text, 8).unwrap();
        let at = |needle: &str| text.find(needle).unwrap() as u32;
        let (s, e, p) = resolve(&root, at("true"));
        assert_eq!((&text[s..e], p.as_str()), ("true", "/b/1/c~1d"));
        assert_eq!(lines.position(s), (2, 30));
        let (s, _, p) = resolve(&root, at("\"é\""));
        assert_eq!((lines.position(s), p.as_str()), ((2, 8), "/a"));
        let (s, e, p) = resolve(&root, 0);
        assert_eq!((s, e, p.as_str()), (0, text.len(), ""));
    }

    #[test]
    fn excerpts_keep_context_lines_and_cut_long_values() {
        let text: String = (1..=40).map(|i| format!("line {i}\n")).collect();
        let at = |line: usize| text.find(&format!("line {line}\n")).unwrap();
        // "line 10" on line 10: lines 8 to 12 are kept.
        let s = SourceSpan::around("f".into(), &text, at(10), at(10) + 7, 10);
        assert_eq!(s.first_line, 8);
        assert_eq!(s.text, "line 8\nline 9\nline 10\nline 11\nline 12");
        assert_eq!(&s.text[s.start..s.end], "line 10");
        assert!(s.whole);
        // On line 1 there is nothing before.
        let s = SourceSpan::around("f".into(), &text, 0, 6, 1);
        assert_eq!((s.first_line, s.text.lines().count()), (1, 3));
        // A value of 30 lines is cut after its first line.
        let s = SourceSpan::around("f".into(), &text, at(5), at(35), 5);
        assert!(!s.whole);
        assert_eq!(&s.text[s.start..s.end], "line 5");
        assert_eq!(s.text.lines().count(), 5);
    }
}
