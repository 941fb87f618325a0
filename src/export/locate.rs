//! Turning a [`Loc`] (file + byte offset) into a JSON pointer, a byte span, a line and a column.
//!
//! Loading keeps only the offset where each value starts. Only the files that a violation
//! points into are read again, once per file for all of its locations, by [`scan`]: one pass
//! that builds nothing, follows the path to each offset (which spells its JSON pointer) and stops
//! after the last value it needs.

use super::decode;
use crate::model::{FileId, Loc, TenantModel};
use rayon::prelude::*;
use std::collections::BTreeMap;

/// A located value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// The lines around the value (`name` left empty).
    pub source: SourceExcerpt,
    /// RFC 6901 pointer to the value ("" is the whole document).
    pub pointer: String,
    /// Line of the value's start (1-based).
    pub line: usize,
    /// Column of the value's start (1-based, counting characters).
    pub column: usize,
    /// Line of the value's end (1-based).
    pub end_line: usize,
    /// Column just after the value's last character (1-based, counting characters): exclusive.
    pub end_column: usize,
}

/// The lines of a file around a value, to draw it labelled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceExcerpt {
    /// The file's name as shown (`ROOT/FILE`).
    pub name: String,
    /// The lines of the file around the value (not the whole file: a report with thousands of
    /// violations would otherwise hold every file they point into).
    pub text: String,
    /// Line number of the first line of `text` (1-based).
    pub first_line: usize,
    /// The value's byte range in `text`; a value longer than [`SourceExcerpt::MAX_LINES`] lines
    /// is cut after its first line, and `whole` is false.
    pub start: usize,
    /// End of the value's byte range in `text` (exclusive).
    pub end: usize,
    /// Whether `start..end` holds the whole value (false: only its first line).
    pub whole: bool,
}

impl SourceExcerpt {
    /// Lines of context kept before and after the value.
    pub const CONTEXT: usize = 2;
    /// Longest value shown whole.
    pub const MAX_LINES: usize = 12;

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
        SourceExcerpt {
            name,
            text: text.get(from..to).unwrap_or("").to_string(),
            first_line: line.saturating_sub(before).max(1),
            start: start - from,
            end: end - from,
            whole,
        }
    }
}

pub(crate) use crate::base::lines::LineIndex as Lines;

/// One step of a JSON pointer: an array index, or an object key as written (its byte range).
#[derive(Clone, Copy)]
enum Step {
    Index(usize),
    Key(usize, usize),
}

/// The pointer made of `steps`, keys decoded and escaped as RFC 6901 requires.
fn pointer(text: &str, steps: &[Step]) -> String {
    let mut out = String::new();
    for step in steps {
        out.push('/');
        match *step {
            Step::Index(i) => out.push_str(&i.to_string()),
            Step::Key(start, end) => {
                let raw = text.get(start..end).unwrap_or("");
                let key = if raw.contains('\\') {
                    let quoted = format!("\"{raw}\"");
                    match jiter::JsonValue::parse(quoted.as_bytes(), false) {
                        Ok(jiter::JsonValue::Str(k)) => k.to_string(),
                        _ => raw.to_string(),
                    }
                } else {
                    raw.to_string()
                };
                out.push_str(&key.replace('~', "~0").replace('/', "~1"));
            }
        }
    }
    out
}

/// An open array (with the index of the current element) or object, and where it starts.
struct Open {
    start: usize,
    index: Option<usize>,
}

/// Finds the values at `targets` (byte offsets, ascending) in one pass over `text` that builds
/// nothing: for each, the range and pointer of the value that starts there, or else of the
/// innermost value that holds it (offset 0 is the whole document). Stops once every target is
/// found and closed. None when the text is not JSON.
pub fn scan(text: &str, targets: &[u32]) -> Option<Vec<(usize, usize, String)>> {
    let mut out: Vec<(usize, usize, String)> = Vec::with_capacity(targets.len());
    let mut j = jiter::Jiter::new(text.as_bytes());
    let mut open: Vec<Open> = Vec::new();
    let mut steps: Vec<Step> = Vec::new();
    // Targets found whose value has not ended yet: (position in `out`, depth of the value).
    let mut waiting: Vec<(usize, usize)> = Vec::new();
    let key_range = |k: &[u8]| {
        let start = (k.as_ptr() as usize).wrapping_sub(text.as_ptr() as usize);
        Step::Key(start, start + k.len())
    };
    let mut peek = j.peek().ok()?;
    loop {
        let start = j.current_index();
        // Targets passed without a value starting there: the innermost open value holds them.
        while let Some(&t) = targets.get(out.len()) {
            let t = t as usize;
            if t > start {
                break;
            }
            let depth = if t == start {
                open.len()
            } else {
                open.len().saturating_sub(1)
            };
            let at = open.get(depth).map_or(start, |o| o.start);
            out.push((at, 0, pointer(text, steps.get(..depth).unwrap_or(&[]))));
            waiting.push((out.len() - 1, depth));
        }
        if out.len() == targets.len() && waiting.is_empty() {
            return Some(out);
        }
        // One value: a scalar is skipped, an array or object is entered.
        if peek == jiter::Peek::Array {
            if let Some(first) = j.known_array().ok()? {
                open.push(Open {
                    start,
                    index: Some(0),
                });
                steps.push(Step::Index(0));
                peek = first;
                continue;
            }
        } else if peek == jiter::Peek::Object {
            if let Some(k) = j.next_object_bytes().ok()? {
                let step = key_range(k);
                open.push(Open { start, index: None });
                steps.push(step);
                peek = j.peek().ok()?;
                continue;
            }
        } else {
            j.known_skip(peek).ok()?;
        }
        // The value ended; so do the containers it closes.
        loop {
            let end = j.current_index();
            while let Some(&(i, depth)) = waiting.last() {
                if depth < open.len() {
                    break;
                }
                if let Some(slot) = out.get_mut(i) {
                    slot.1 = end;
                }
                waiting.pop();
            }
            if out.len() == targets.len() && waiting.is_empty() {
                return Some(out);
            }
            steps.pop();
            let Some(o) = open.last_mut() else {
                return Some(out);
            };
            let next = match &mut o.index {
                Some(i) => j.array_step().ok()?.map(|p| {
                    *i += 1;
                    (Step::Index(*i), Some(p))
                }),
                None => j.next_key_bytes().ok()?.map(|k| (key_range(k), None)),
            };
            match next {
                Some((step, p)) => {
                    steps.push(step);
                    peek = match p {
                        Some(p) => p,
                        None => j.peek().ok()?,
                    };
                    break;
                }
                None => {
                    open.pop();
                }
            }
        }
    }
}

fn read_text(model: &TenantModel, file: FileId) -> Option<String> {
    let f = model.files.get(file as usize)?;
    let bytes = std::fs::read(&f.disk_path).ok()?;
    decode::decode(&bytes).ok()
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
            let Some(text) = read_text(model, file) else {
                return Vec::new();
            };
            let mut offsets: Vec<u32> = indices
                .iter()
                .filter_map(|&i| locs.get(i).map(|l| l.offset()))
                .collect();
            offsets.sort_unstable();
            offsets.dedup();
            // An ARM template with comments is scanned without them (same offsets and lines)
            // and shown as written.
            let Some(found) = scan(&text, &offsets)
                .or_else(|| scan(&super::tree::arm_without_comments(&text)?, &offsets))
            else {
                return Vec::new();
            };
            let lines = Lines::new(&text);
            indices
                .into_iter()
                .filter_map(|i| {
                    let offset = locs.get(i)?.offset();
                    let at = offsets.binary_search(&offset).ok()?;
                    let (start, end, pointer) = found.get(at)?.clone();
                    let (line, column) = lines.position(start);
                    let (end_line, end_column) = lines.position(end);
                    let located = Located {
                        source: SourceExcerpt::around(String::new(), &text, start, end, line),
                        pointer,
                        line,
                        column,
                        end_line,
                        end_column,
                    };
                    Some((i, located))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_to_pointers_lines_and_columns() {
        let text = " {\n  \"a\": \"é\", \"b\": [1, {\"c/d\": true, \"e\\u0021~\": [] }]\n}";
        let lines = Lines::new(text);
        let at = |needle: &str| text.find(needle).unwrap() as u32;
        let inside_b1 = at(", \"e") + 1; // whitespace inside `/b/1`
        let mut targets = vec![
            0,
            at("\"é\""),
            at("[1"),
            at("{\"c"),
            at("true"),
            inside_b1,
            at("[]"),
        ];
        targets.sort();
        let found = scan(text, &targets).unwrap();
        let get = |t: u32| {
            let (s, e, p) = found[targets.iter().position(|&x| x == t).unwrap()].clone();
            (&text[s..e], p)
        };
        assert_eq!(get(0), (text.trim(), String::new()));
        assert_eq!(get(at("true")), ("true", "/b/1/c~1d".to_string()));
        assert_eq!(get(at("\"é\"")), ("\"é\"", "/a".to_string()));
        assert_eq!(get(at("[1")).1, "/b");
        assert_eq!(get(at("{\"c")), get(inside_b1));
        assert_eq!(get(inside_b1).1, "/b/1");
        assert_eq!(get(at("[]")), ("[]", "/b/1/e!~0".to_string()));
        assert_eq!(lines.position(at("true") as usize), (2, 30));
        assert_eq!(lines.position(at("\"é\"") as usize), (2, 8));
        // Stops after the last target: the broken tail is never read.
        assert_eq!(scan("[1, 2, {]", &[1]).unwrap()[0].1, 2);
        assert!(scan("[1, 2, {]", &[8]).is_none());
    }

    #[test]
    fn excerpts_keep_context_lines_and_cut_long_values() {
        let text: String = (1..=40).map(|i| format!("line {i}\n")).collect();
        let at = |line: usize| text.find(&format!("line {line}\n")).unwrap();
        // "line 10" on line 10: lines 8 to 12 are kept.
        let s = SourceExcerpt::around("f".into(), &text, at(10), at(10) + 7, 10);
        assert_eq!(s.first_line, 8);
        assert_eq!(s.text, "line 8\nline 9\nline 10\nline 11\nline 12");
        assert_eq!(&s.text[s.start..s.end], "line 10");
        assert!(s.whole);
        // On line 1 there is nothing before.
        let s = SourceExcerpt::around("f".into(), &text, 0, 6, 1);
        assert_eq!((s.first_line, s.text.lines().count()), (1, 3));
        // A value of 30 lines is cut after its first line.
        let s = SourceExcerpt::around("f".into(), &text, at(5), at(35), 5);
        assert!(!s.whole);
        assert_eq!(&s.text[s.start..s.end], "line 5");
        assert_eq!(s.text.lines().count(), 5);
    }
}
