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
use std::path::Path;

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
            Step::Key(start, end) => push_key(&mut out, text.get(start..end).unwrap_or("")),
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

/// Locates many values, reading each file once (files in parallel): a file of up to
/// [`WHOLE_MAX`] bytes whole, a larger one in pieces of [`PIECE`] bytes (see [`locate_file`]).
pub fn locate_all(model: &TenantModel, locs: &[&Loc]) -> Vec<Option<Located>> {
    let mut by_file: BTreeMap<FileId, Vec<usize>> = BTreeMap::new();
    for (i, loc) in locs.iter().enumerate() {
        by_file.entry(loc.file()).or_default().push(i);
    }
    let located: Vec<(usize, Located)> = by_file
        .into_par_iter()
        .flat_map_iter(|(file, indices)| {
            let Some(f) = model.files.get(file as usize) else {
                return Vec::new();
            };
            let mut offsets: Vec<u32> = indices
                .iter()
                .filter_map(|&i| locs.get(i).map(|l| l.offset()))
                .collect();
            offsets.sort_unstable();
            offsets.dedup();
            let large = std::fs::metadata(&f.disk_path).is_ok_and(|m| m.len() > WHOLE_MAX);
            let found = locate_file(&f.disk_path, &offsets, large.then_some(PIECE));
            indices
                .into_iter()
                .filter_map(|i| {
                    let offset = locs.get(i)?.offset();
                    let at = offsets.binary_search(&offset).ok()?;
                    Some((i, found.get(at)?.clone()?))
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

/// Files up to this size are located in their whole text; larger ones are read in pieces of
/// [`PIECE`] bytes (see [`locate_file`]).
pub const WHOLE_MAX: u64 = 4 << 20;

/// The size of a piece of a large file read by [`locate_file`] (bytes).
pub const PIECE: usize = 1 << 20;

/// Locates the values at `offsets` (byte offsets of the file's decoded text, ascending, each
/// once) in the file at `path`: for each, what [`scan`] finds there (None past the document's
/// last value, or when the file is not JSON), placed by line and column.
///
/// With `piece` None the whole text is read at once; with `Some(n)` a UTF-8 file without a byte
/// order mark is read in pieces of `n` bytes (at most one piece and the excerpts asked for are
/// held), counting lines and columns up to the offsets as it goes; a file with a byte order
/// mark, UTF-16, or text the piecewise scan does not take (JSON with comments) is read whole.
/// Both give the same results.
pub fn locate_file(path: &Path, offsets: &[u32], piece: Option<usize>) -> Vec<Option<Located>> {
    if let Some(n) = piece {
        if let Some(found) = in_pieces(path, offsets, n.max(1)) {
            return found;
        }
    }
    let Some(text) = std::fs::read(path)
        .ok()
        .and_then(|b| decode::decode(&b).ok())
    else {
        return vec![None; offsets.len()];
    };
    in_text(&text, offsets)
}

/// [`locate_file`] in a whole text.
fn in_text(text: &str, offsets: &[u32]) -> Vec<Option<Located>> {
    // An ARM template with comments is scanned without them (same offsets and lines) and shown
    // as written.
    let Some(found) =
        scan(text, offsets).or_else(|| scan(&super::tree::arm_without_comments(text)?, offsets))
    else {
        return vec![None; offsets.len()];
    };
    let lines = Lines::new(text);
    (0..offsets.len())
        .map(|k| {
            let (start, end, pointer) = found.get(k)?.clone();
            let (line, column) = lines.position(start);
            let (end_line, end_column) = lines.position(end);
            Some(Located {
                source: SourceExcerpt::around(String::new(), text, start, end, line),
                pointer,
                line,
                column,
                end_line,
                end_column,
            })
        })
        .collect()
}

/// How many newlines at or after a value's start or end are noted: the excerpt of
/// [`SourceExcerpt::around`] ends at the last of them.
const NL: usize = SourceExcerpt::CONTEXT + 1;

/// Where a value starts, with what its position and excerpt need.
#[derive(Debug, Clone, Copy)]
struct Mark {
    at: usize,
    line: usize,
    column: usize,
    /// The starts of the value's line and of the lines before it (the value's first).
    lines: [usize; NL],
    /// The first newlines at or after `at` (`seen` of them so far).
    newlines: [usize; NL],
    seen: usize,
}

impl Mark {
    fn newline(&mut self, p: usize) -> bool {
        if let Some(slot) = self.newlines.get_mut(self.seen) {
            *slot = p;
            self.seen += 1;
        }
        self.seen < NL
    }
}

/// A value found for a target.
#[derive(Debug)]
struct Hit {
    mark: Mark,
    pointer: String,
    /// Depth of the value: its end is found when no more than this many containers are open.
    depth: usize,
    end: usize,
    end_line: usize,
    end_column: usize,
    /// Newlines seen at or after `end`, and the last of them.
    tail: usize,
    to: Option<usize>,
}

/// One step of a pointer: an index, or a key's bytes as written (their range in `keys`).
#[derive(Debug, Clone, Copy)]
enum Piece {
    Index(usize),
    Key(usize, usize),
}

/// What the scan expects next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum St {
    Value,
    ArrayFirst,
    ObjectFirst,
    Key,
    KeyEscape,
    Colon,
    Str,
    StrEscape,
    Scalar,
    After,
    NextKey,
    /// Every target found and ended (or the document closed): only newlines are counted.
    Done,
}

/// The piecewise form of [`scan`]: the same walk (the same values, ranges and pointers for the
/// same targets), over bytes handed in pieces, counting lines and columns.
struct Pieces<'t> {
    targets: &'t [u32],
    hits: Vec<Hit>,
    /// Hits whose value has not ended.
    waiting: Vec<usize>,
    /// Hits still noting newlines after their start.
    starts: Vec<usize>,
    /// Ended hits still noting newlines after their end.
    tails: Vec<usize>,
    /// Open containers: where each starts, and the index of its current element (arrays).
    open: Vec<(Mark, Option<usize>)>,
    steps: Vec<Piece>,
    keys: Vec<u8>,
    st: St,
    line: usize,
    lines: [usize; NL],
    /// Characters of the current line before byte `col_at`.
    col_at: usize,
    col_chars: usize,
}

/// Whether `b` may be part of a number or literal (`true`, `false`, `null`, `-1.5e+3`).
fn scalar_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'+' | b'.')
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

impl<'t> Pieces<'t> {
    fn new(targets: &'t [u32]) -> Self {
        Pieces {
            targets,
            hits: Vec::with_capacity(targets.len()),
            waiting: Vec::new(),
            starts: Vec::new(),
            tails: Vec::new(),
            open: Vec::new(),
            steps: Vec::new(),
            keys: Vec::new(),
            st: if targets.is_empty() {
                St::Done
            } else {
                St::Value
            },
            line: 1,
            lines: [0; NL],
            col_at: 0,
            col_chars: 0,
        }
    }

    /// Whether every target is found and placed: nothing more to read.
    fn finished(&self) -> bool {
        self.st == St::Done && self.tails.is_empty()
    }

    /// The 1-based column of byte `x` of the current line (`x` in the current piece `buf`,
    /// which starts at byte `base`; `x` at or after the last column asked for).
    fn column(&mut self, buf: &[u8], base: usize, x: usize) -> usize {
        if x > self.col_at {
            let from = self.col_at.saturating_sub(base);
            let part = buf.get(from..x - base).unwrap_or(&[]);
            self.col_chars += part.iter().filter(|&&b| (b as i8) >= -0x40).count();
            self.col_at = x;
        }
        self.col_chars + 1
    }

    fn mark(&mut self, buf: &[u8], base: usize, at: usize) -> Mark {
        Mark {
            at,
            line: self.line,
            column: self.column(buf, base, at),
            lines: self.lines,
            newlines: [0; NL],
            seen: 0,
        }
    }

    fn newline(&mut self, p: usize) {
        self.line += 1;
        self.lines.rotate_right(1);
        if let Some(first) = self.lines.first_mut() {
            *first = p + 1;
        }
        self.col_at = p + 1;
        self.col_chars = 0;
        for (m, _) in self.open.iter_mut().rev() {
            if m.seen >= NL {
                break;
            }
            m.newline(p);
        }
        let hits = &mut self.hits;
        self.starts
            .retain(|&i| hits.get_mut(i).is_some_and(|h| h.mark.newline(p)));
        self.tails.retain(|&i| {
            let Some(h) = hits.get_mut(i) else {
                return false;
            };
            h.tail += 1;
            if h.tail < NL {
                return true;
            }
            h.to = Some(p);
            false
        });
    }

    /// The pointer of the value at `depth` (its first `depth` steps).
    fn pointer(&self, depth: usize) -> String {
        let mut out = String::new();
        for step in self.steps.iter().take(depth) {
            out.push('/');
            match *step {
                Piece::Index(i) => out.push_str(&i.to_string()),
                Piece::Key(s, e) => {
                    let raw = self
                        .keys
                        .get(s..e)
                        .and_then(|k| std::str::from_utf8(k).ok())
                        .unwrap_or("");
                    push_key(&mut out, raw);
                }
            }
        }
        out
    }

    /// A value starts at `p`: the targets up to it are found; then the value is entered.
    fn begin(&mut self, buf: &[u8], base: usize, p: usize, b: u8) -> Option<()> {
        while let Some(&t) = self.targets.get(self.hits.len()) {
            let t = t as usize;
            if t > p {
                break;
            }
            let (depth, mark) = if t == p {
                (self.open.len(), None)
            } else {
                let depth = self.open.len().saturating_sub(1);
                (depth, self.open.get(depth).map(|(m, _)| *m))
            };
            let mark = match mark {
                Some(m) => m,
                None => self.mark(buf, base, p),
            };
            let hit = Hit {
                mark,
                pointer: self.pointer(depth),
                depth,
                end: 0,
                end_line: 0,
                end_column: 0,
                tail: 0,
                to: None,
            };
            let i = self.hits.len();
            if hit.mark.seen < NL {
                self.starts.push(i);
            }
            self.hits.push(hit);
            self.waiting.push(i);
        }
        if self.hits.len() == self.targets.len() && self.waiting.is_empty() {
            self.st = St::Done;
            return Some(());
        }
        self.st = match b {
            b'[' => {
                let m = self.mark(buf, base, p);
                self.open.push((m, Some(0)));
                St::ArrayFirst
            }
            b'{' => {
                let m = self.mark(buf, base, p);
                self.open.push((m, None));
                St::ObjectFirst
            }
            b'"' => St::Str,
            b if scalar_byte(b) => St::Scalar,
            _ => return None,
        };
        Some(())
    }

    /// A value ended just before `end`.
    fn ended(&mut self, buf: &[u8], base: usize, end: usize) {
        while let Some(&i) = self.waiting.last() {
            if self.hits.get(i).is_some_and(|h| h.depth < self.open.len()) {
                break;
            }
            let (line, column) = (self.line, self.column(buf, base, end));
            if let Some(h) = self.hits.get_mut(i) {
                h.end = end;
                h.end_line = line;
                h.end_column = column;
                if line - h.mark.line < SourceExcerpt::MAX_LINES {
                    self.tails.push(i);
                }
            }
            self.waiting.pop();
        }
        if self.hits.len() == self.targets.len() && self.waiting.is_empty() {
            self.st = St::Done;
            return;
        }
        if let Some(Piece::Key(s, _)) = self.steps.pop() {
            self.keys.truncate(s);
        }
        self.st = if self.open.is_empty() {
            St::Done
        } else {
            St::After
        };
    }

    /// Reads the piece `buf`, which starts at byte `base` of the text. None: not JSON this
    /// scan takes.
    fn feed(&mut self, buf: &[u8], base: usize) -> Option<()> {
        let mut i = 0;
        while let Some(&b) = buf.get(i) {
            let p = base + i;
            i += 1;
            match self.st {
                St::Done => {
                    if self.tails.is_empty() {
                        break;
                    }
                    if b == b'\n' {
                        self.newline(p);
                    }
                }
                St::Str | St::Key => {
                    // The rest of the string up to a quote, backslash or newline.
                    let rest = buf.get(i - 1..).unwrap_or(&[]);
                    let n = rest
                        .iter()
                        .position(|&c| matches!(c, b'"' | b'\\' | b'\n'))
                        .unwrap_or(rest.len());
                    let key = self.st == St::Key;
                    if key {
                        self.keys.extend_from_slice(rest.get(..n).unwrap_or(&[]));
                    }
                    i = i - 1 + n;
                    let Some(&c) = buf.get(i) else { break };
                    let p = base + i;
                    i += 1;
                    match (c, key) {
                        (b'"', false) => self.ended(buf, base, p + 1),
                        (b'"', true) => {
                            if let Some(Piece::Key(s, _)) = self.steps.last().copied() {
                                if let Some(last) = self.steps.last_mut() {
                                    *last = Piece::Key(s, self.keys.len());
                                }
                            }
                            self.st = St::Colon;
                        }
                        (b'\\', _) => {
                            if key {
                                self.keys.push(c);
                                self.st = St::KeyEscape;
                            } else {
                                self.st = St::StrEscape;
                            }
                        }
                        // A raw newline in a string: not JSON.
                        _ => return None,
                    }
                }
                St::StrEscape | St::KeyEscape => {
                    if b == b'\n' {
                        return None;
                    }
                    if self.st == St::KeyEscape {
                        self.keys.push(b);
                        self.st = St::Key;
                    } else {
                        self.st = St::Str;
                    }
                }
                St::Scalar => {
                    if scalar_byte(b) {
                        continue;
                    }
                    self.ended(buf, base, p);
                    // The byte after the scalar is read again in the state it leads to.
                    i -= 1;
                }
                _ if is_space(b) => {
                    if b == b'\n' {
                        self.newline(p);
                    }
                }
                St::Value => self.begin(buf, base, p, b)?,
                St::ArrayFirst => {
                    if b == b']' {
                        self.open.pop();
                        self.ended(buf, base, p + 1);
                    } else {
                        self.steps.push(Piece::Index(0));
                        self.begin(buf, base, p, b)?;
                    }
                }
                St::ObjectFirst | St::NextKey => match b {
                    b'}' if self.st == St::ObjectFirst => {
                        self.open.pop();
                        self.ended(buf, base, p + 1);
                    }
                    b'"' => {
                        self.steps
                            .push(Piece::Key(self.keys.len(), self.keys.len()));
                        self.st = St::Key;
                    }
                    _ => return None,
                },
                St::Colon => {
                    if b != b':' {
                        return None;
                    }
                    self.st = St::Value;
                }
                St::After => {
                    let array = match self.open.last() {
                        Some((_, index)) => index.is_some(),
                        None => return None,
                    };
                    match (b, array) {
                        (b',', true) => {
                            let mut next = 0;
                            if let Some((_, Some(index))) = self.open.last_mut() {
                                *index += 1;
                                next = *index;
                            }
                            self.steps.push(Piece::Index(next));
                            self.st = St::Value;
                        }
                        (b',', false) => self.st = St::NextKey,
                        (b']', true) | (b'}', false) => {
                            self.open.pop();
                            self.ended(buf, base, p + 1);
                        }
                        _ => return None,
                    }
                }
            }
        }
        // The next piece's columns start where this one ends.
        let end = base + buf.len();
        self.column(buf, base, end);
        Some(())
    }

    /// The text ended after `len` bytes: what was found, or None when the document did not
    /// close before the last target (not JSON).
    fn finish(mut self, len: usize) -> Option<Vec<Hit>> {
        if self.st == St::Scalar {
            self.ended(&[], len, len);
        }
        if self.st != St::Done {
            return None;
        }
        for i in std::mem::take(&mut self.tails) {
            if let Some(h) = self.hits.get_mut(i) {
                h.to = Some(len);
            }
        }
        Some(self.hits)
    }
}

/// Appends an object key written as `raw` (between its quotes) to a pointer: unescaped, then
/// escaped as RFC 6901 requires.
fn push_key(out: &mut String, raw: &str) {
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

/// [`locate_file`] reading the file in pieces of `piece` bytes; None when the file has a byte
/// order mark, is not UTF-8, or is not JSON this scan takes (then it is read whole).
fn in_pieces(path: &Path, offsets: &[u32], piece: usize) -> Option<Vec<Option<Located>>> {
    use std::io::{Read, Seek};
    let mut file = std::fs::File::open(path).ok()?;
    let mut scan = Pieces::new(offsets);
    let mut buf: Vec<u8> = vec![0; piece + 3];
    // Bytes of a character cut by the end of the last piece, read again with the next.
    let mut carry = 0;
    let mut base = 0;
    loop {
        let n = loop {
            match file.read(buf.get_mut(carry..)?) {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => return None,
            }
        };
        let filled = buf.get(..carry + n)?;
        if base == 0
            && carry == 0
            && matches!(
                filled,
                [0xEF, 0xBB, ..] | [0xFF, 0xFE, ..] | [0xFE, 0xFF, ..]
            )
        {
            return None;
        }
        if n == 0 {
            if carry > 0 {
                return None;
            }
            break;
        }
        let valid = match std::str::from_utf8(filled) {
            Ok(_) => filled.len(),
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(_) => return None,
        };
        let fresh = filled.get(carry..)?;
        scan.feed(fresh, base)?;
        base += fresh.len();
        let rest = filled.len() - valid;
        buf.copy_within(valid..valid + rest, 0);
        carry = rest;
        if scan.finished() {
            break;
        }
    }
    let len = if scan.finished() {
        usize::try_from(file.metadata().ok()?.len()).ok()?
    } else {
        base
    };
    let hits = scan.finish(len)?;
    let mut out = Vec::with_capacity(offsets.len());
    for k in 0..offsets.len() {
        let Some(h) = hits.get(k) else {
            out.push(None);
            continue;
        };
        let m = &h.mark;
        let whole = h.end_line - m.line < SourceExcerpt::MAX_LINES;
        let before = SourceExcerpt::CONTEXT.min(m.line - 1);
        let from = *m.lines.get(before)?;
        let shown_end = if whole {
            h.end
        } else if m.seen > 0 {
            m.newlines[0]
        } else {
            len
        };
        let to = if whole {
            h.to.unwrap_or(len)
        } else if m.seen >= NL {
            m.newlines[NL - 1]
        } else {
            len
        };
        file.seek(std::io::SeekFrom::Start(from as u64)).ok()?;
        let mut text = vec![0; to.checked_sub(from)?];
        file.read_exact(&mut text).ok()?;
        let text = String::from_utf8(text).ok()?;
        out.push(Some(Located {
            source: SourceExcerpt {
                name: String::new(),
                text,
                first_line: m.line - before,
                start: m.at - from,
                end: shown_end - from,
                whole,
            },
            pointer: h.pointer.clone(),
            line: m.line,
            column: m.column,
            end_line: h.end_line,
            end_column: h.end_column,
        }));
    }
    Some(out)
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

    /// Texts with what a piecewise scan must get right: values cut by piece ends, characters
    /// of several bytes before values, CRLF, keys with escapes, long values, no final newline.
    fn tricky_texts() -> Vec<String> {
        let long: String = (0..30).map(|i| format!("    {i},\n")).collect();
        vec![
            " {\n  \"a\": \"é\", \"b\": [1, {\"c/d\": true, \"e\\u0021~\": [] }]\n}".into(),
            "{\r\n  \"naïve ☃\": \"日本語\",\r\n  \"x\": [\r\n    -1.5e+3,\r\n    null\r\n  ]\r\n}\r\n"
                .into(),
            format!("{{\n  \"value\": [\n{long}    99\n  ],\n  \"k\\\"q\\\\\": {{}}\n}}\n"),
            "[{\"id\":\"😀\",\"n\":[[],{},[1,2]]},{\"id\":\"b\"},true,false,\"\\\"\"]".into(),
            "  42  ".into(),
            "\"plain\"".into(),
            "{\"a\": [1, 2, {\"b\": \"c\"}], \"d\": {\"e\": [\n\n\n]}}".into(),
        ]
    }

    fn written(text: &str) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        std::io::Write::write_all(&mut f, text.as_bytes()).unwrap();
        f
    }

    #[test]
    fn pieces_of_any_size_locate_as_the_whole_text() {
        for text in tricky_texts() {
            let file = written(&text);
            let every: Vec<u32> = (0..=text.len() as u32 + 2).collect();
            let mut sets: Vec<Vec<u32>> = every.iter().map(|&o| vec![o]).collect();
            sets.push(every.clone());
            sets.push(every.iter().copied().step_by(3).collect());
            sets.push(Vec::new());
            for targets in &sets {
                let whole = in_text(&text, targets);
                for piece in [1, 2, 3, 5, 7, 16, 4096] {
                    let found = in_pieces(file.path(), targets, piece)
                        .unwrap_or_else(|| panic!("{text:?} in pieces of {piece}"));
                    assert_eq!(found, whole, "{text:?} {targets:?} in pieces of {piece}");
                }
            }
            assert!(every.iter().any(|&o| in_text(&text, &[o])[0].is_some()));
        }
    }

    #[test]
    fn what_pieces_do_not_take_is_read_whole() {
        // A byte order mark, JSON with comments (an ARM template), a broken document, text
        // that is not UTF-8: the same answer as the whole text's.
        let cases: Vec<Vec<u8>> = vec![
            b"\xEF\xBB\xBF{\"a\": [1, 2]}".to_vec(),
            b"{\n  // a comment\n  \"a\": [1, 2] /* more */\n}\n".to_vec(),
            b"[1, 2, {]".to_vec(),
            b"{\"a\": \"\xFF\"}".to_vec(),
            b"{\"a\": \"line\nbreak\"}".to_vec(),
        ];
        for bytes in cases {
            let mut f = tempfile::NamedTempFile::new().unwrap();
            std::io::Write::write_all(&mut f, &bytes).unwrap();
            let targets: Vec<u32> = (0..=bytes.len() as u32).collect();
            let whole = locate_file(f.path(), &targets, None);
            for piece in [1, 4, 4096] {
                assert_eq!(locate_file(f.path(), &targets, Some(piece)), whole);
            }
        }
        // An ARM template's comments are read whole and found.
        let text = "{\n  \"$schema\": \"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#\",\n  // c\n  \"a\": 1\n}\n";
        let f = written(text);
        let at = text.find("1\n").unwrap() as u32;
        let found = locate_file(f.path(), &[at], Some(4)).remove(0).unwrap();
        assert_eq!(
            (found.pointer.as_str(), found.line, found.column),
            ("/a", 4, 8)
        );
    }

    #[test]
    fn a_value_cut_by_a_piece_end_after_wide_characters_is_placed_in_characters() {
        // "日本" is 6 bytes, 2 characters: `true` starts at byte 19, character 16.
        let text = "{\"日本\": 1, \"x\": true}";
        let f = written(text);
        let at = text.find("true").unwrap() as u32;
        for piece in 1..=20 {
            let found = in_pieces(f.path(), &[at], piece)
                .unwrap()
                .remove(0)
                .unwrap();
            assert_eq!(found.pointer, "/x");
            assert_eq!((found.line, found.column, found.end_column), (1, 16, 20));
            assert_eq!(
                &found.source.text[found.source.start..found.source.end],
                "true"
            );
        }
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
