//! Turning a [`Loc`] (file + byte offset) into a JSON pointer, a byte span, a line and a column.
//!
//! Loading keeps only the offset where each value starts. Only the files that a violation
//! points into are read again, once per file for all of its locations, by [`scan`]: one pass
//! that builds nothing, follows the path to each offset (which spells its JSON pointer) and stops
//! after the last value it needs.

use super::decode;
use crate::model::{FileId, ListParts, Loc, TenantModel};
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
///
/// A line longer than [`SourceExcerpt::MAX_LINE_BYTES`] (a minified file is one line of many
/// megabytes) is not shown whole: the excerpt is then the value's line cut to the value (with
/// its member name before it, and up to [`SourceExcerpt::VALUE_BYTES`] of it), `…` marking what
/// is left out. Cuts fall between JSON tokens where they can, never so that the excerpt starts
/// inside a string; a string value is cut after a word (so that `--redact` sees no part of a
/// name or id where a whole one would be hashed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceExcerpt {
    /// The file's name as shown (`ROOT/FILE`).
    pub name: String,
    /// The lines of the file around the value (not the whole file: a report with thousands of
    /// violations would otherwise hold every file they point into).
    pub text: String,
    /// Line number of the first line of `text` (1-based).
    pub first_line: usize,
    /// Column of the value's start in the file (1-based, counting characters): what a header
    /// shows, whatever `text` holds (a cut line, redacted values before the value).
    pub column: usize,
    /// The value's byte range in `text`; a value longer than [`SourceExcerpt::MAX_LINES`] lines
    /// is cut after its first line, and `whole` is false.
    pub start: usize,
    /// End of the value's byte range in `text` (exclusive).
    pub end: usize,
    /// Whether `start..end` holds the whole value (false: only its first line, or its first
    /// [`SourceExcerpt::VALUE_BYTES`] on a long line).
    pub whole: bool,
}

/// A part of a file's text, and whether it reaches the file's start and end.
#[derive(Clone, Copy)]
struct Part<'t> {
    text: &'t str,
    starts_file: bool,
    ends_file: bool,
}

impl Part<'_> {
    /// The start and end of the line holding byte `at`, when it is no longer than
    /// [`SourceExcerpt::MAX_LINE_BYTES`].
    fn line(&self, at: usize) -> Option<(usize, usize)> {
        let (start, end) = (self.line_start(at)?, self.line_end(at)?);
        (end - start <= SourceExcerpt::MAX_LINE_BYTES).then_some((start, end))
    }

    /// The start of the line holding byte `at`; None when it is more than
    /// [`SourceExcerpt::MAX_LINE_BYTES`] before `at` (or before the part).
    fn line_start(&self, at: usize) -> Option<usize> {
        let from = at.saturating_sub(SourceExcerpt::MAX_LINE_BYTES + 1);
        match memchr::memrchr(b'\n', self.text.as_bytes().get(from..at)?) {
            Some(i) => Some(from + i + 1),
            None if from == 0 && self.starts_file => Some(0),
            None => None,
        }
    }

    /// The end (newline or end of text) of the line holding byte `at`; None when it is more
    /// than [`SourceExcerpt::MAX_LINE_BYTES`] after `at` (or after the part).
    fn line_end(&self, at: usize) -> Option<usize> {
        let len = self.text.len();
        let to = len.min(at.saturating_add(SourceExcerpt::MAX_LINE_BYTES + 1));
        match memchr::memchr(b'\n', self.text.as_bytes().get(at..to)?) {
            Some(i) => Some(at + i),
            None if to == len && self.ends_file => Some(len),
            None => None,
        }
    }
}

impl SourceExcerpt {
    /// Line `n` of the file (1-based), if the excerpt holds it; else "".
    pub fn line(&self, n: usize) -> &str {
        n.checked_sub(self.first_line)
            .and_then(|i| self.text.lines().nth(i))
            .unwrap_or_default()
    }

    /// Lines of context kept before and after the value.
    pub const CONTEXT: usize = 2;
    /// Longest value shown whole.
    pub const MAX_LINES: usize = 12;
    /// Longest line shown whole (bytes); a longer line is cut around the value.
    pub const MAX_LINE_BYTES: usize = 240;
    /// On a line cut around the value, the most of the value shown (bytes).
    pub const VALUE_BYTES: usize = 160;

    /// The part of `text` (a file's whole text) to show for the value at `start..end`, which
    /// starts on line `line`, column `column` (1-based, characters). Looks at no more of `text`
    /// than the excerpt needs, whatever the length of its lines.
    pub fn around(
        name: String,
        text: &str,
        start: usize,
        end: usize,
        line: usize,
        column: usize,
    ) -> Self {
        let part = Part {
            text,
            starts_file: true,
            ends_file: true,
        };
        Self::in_part(name, part, start, end, line, column)
    }

    /// [`SourceExcerpt::around`] in a part of the file: `start` and `end` are offsets in
    /// `part` (`end` may lie past it).
    fn in_part(
        name: String,
        part: Part<'_>,
        start: usize,
        end: usize,
        line: usize,
        column: usize,
    ) -> Self {
        Self::lines(&name, part, start, end, (line, column))
            .unwrap_or_else(|| Self::cut(name, part, start, end, (line, column)))
    }

    /// Whole lines around the value; None when one of the value's first lines is too long.
    fn lines(
        name: &str,
        part: Part<'_>,
        start: usize,
        end: usize,
        (line, column): (usize, usize),
    ) -> Option<Self> {
        let (mut from, first_end) = part.line(start)?;
        let mut last = first_end;
        let mut lines = 0;
        while last < end && lines < Self::MAX_LINES {
            lines += 1;
            if lines < Self::MAX_LINES {
                last = part.line(last + 1)?.1;
            }
        }
        let whole = lines < Self::MAX_LINES;
        let (end, mut to) = if whole {
            (end, last)
        } else {
            // The first line without the `\r` of a CRLF line end (a label over it would be
            // drawn over two lines).
            let first = match part.text.as_bytes().get(first_end.wrapping_sub(1)) {
                Some(b'\r') if first_end > start => first_end - 1,
                _ => first_end,
            };
            (first, first_end)
        };
        let mut before = 0;
        while before < Self::CONTEXT && from > 0 {
            match part.line(from - 1) {
                Some((f, _)) => from = f,
                None => break,
            }
            before += 1;
        }
        for _ in 0..Self::CONTEXT {
            match (to < part.text.len()).then(|| part.line(to + 1)).flatten() {
                Some((_, t)) => to = t,
                None => break,
            }
        }
        // Nor does the excerpt end with the `\r` of a CRLF line end (drawn as one more line).
        if to > end && part.text.as_bytes().get(to.wrapping_sub(1)) == Some(&b'\r') {
            to -= 1;
        }
        Some(SourceExcerpt {
            name: name.to_string(),
            text: crate::base::visible::without_bidi_controls(part.text.get(from..to)?)
                .into_owned(),
            first_line: line.saturating_sub(before).max(1),
            column,
            start: start - from,
            end: end - from,
            whole,
        })
    }

    /// The value's line cut to the value: its member name, up to [`Self::VALUE_BYTES`] of it,
    /// the punctuation after it.
    fn cut(
        name: String,
        part: Part<'_>,
        start: usize,
        end: usize,
        (line, column): (usize, usize),
    ) -> Self {
        let text = part.text;
        let bytes = text.as_bytes();
        let line_start = part.line_start(start);
        let line_end = part.line_end(start).unwrap_or(text.len());
        // The member name before the value (`"name": `), when there is one.
        let mut from = member_start(bytes, start).unwrap_or(start);
        if let Some(ls) = line_start.filter(|&ls| {
            bytes
                .get(ls..from)
                .is_some_and(|b| b.iter().all(u8::is_ascii_whitespace))
        }) {
            from = ls;
        }
        let limit = end.min(line_end).min(start + Self::VALUE_BYTES);
        let shown = if limit >= end {
            end
        } else {
            token_cut(bytes, start, limit)
        };
        let whole = shown >= end;
        // After a whole value, the punctuation up to the next string.
        let mut to = shown;
        if whole {
            while let Some(&b) = bytes.get(to) {
                if b == b'"' || b == b'\n' || b == b'\r' || to - shown >= 40 {
                    break;
                }
                to += 1;
            }
        }
        let (from, shown, to) = (
            ceil_boundary(text, from),
            floor_boundary(text, shown),
            floor_boundary(text, to),
        );
        let head = if line_start == Some(from) { "" } else { "…" };
        // Nothing but the line's end (`\r` of CRLF) left out: no mark.
        let rest = text.get(to..line_end).unwrap_or("");
        let tail = if rest.trim().is_empty() { "" } else { "…" };
        SourceExcerpt {
            name,
            text: format!(
                "{head}{}{tail}",
                crate::base::visible::without_bidi_controls(text.get(from..to).unwrap_or(""))
            ),
            first_line: line,
            column,
            start: head.len() + start.saturating_sub(from),
            end: head.len() + shown.saturating_sub(from),
            whole,
        }
    }
}

/// Where the member name of the value at `at` starts (its opening quote), when the value is an
/// object member whose name, written without escapes, ends within 200 bytes before it, on the
/// same line.
fn member_start(bytes: &[u8], at: usize) -> Option<usize> {
    let before = bytes.get(at.saturating_sub(200)..at)?;
    let base = at - before.len();
    let mut i = before.len();
    let skip = |i: &mut usize| {
        while *i > 0 && matches!(before.get(*i - 1), Some(b' ' | b'\t')) {
            *i -= 1;
        }
    };
    skip(&mut i);
    (before.get(i.checked_sub(1)?) == Some(&b':')).then_some(())?;
    i -= 1;
    skip(&mut i);
    (before.get(i.checked_sub(1)?) == Some(&b'"')).then_some(())?;
    let close = i - 1;
    let open = memchr::memrchr(b'"', before.get(..close)?)?;
    let name = before.get(open + 1..close)?;
    (!name.contains(&b'\\')).then_some(base + open)
}

/// Where to cut a value that starts at `start` (outside any string) at or before `limit`:
/// before the string `limit` falls in, unless the value is that string; then after the last
/// character in it that is not part of a word, name or address (letters, digits, `.@_-`,
/// anything not ASCII), when there is one.
fn token_cut(bytes: &[u8], start: usize, limit: usize) -> usize {
    let mut open: Option<usize> = None;
    let mut escaped = false;
    for (i, &b) in bytes.iter().enumerate().take(limit).skip(start) {
        match (open, b) {
            (Some(_), _) if escaped => escaped = false,
            (Some(_), b'\\') => escaped = true,
            (Some(_), b'"') => open = None,
            (None, b'"') => open = Some(i),
            _ => {}
        }
    }
    let in_word = |b: u8| b.is_ascii_alphanumeric() || b >= 0x80 || b".@_-".contains(&b);
    match open {
        Some(o) if o > start => o,
        Some(o) => bytes
            .get(o + 1..limit)
            .and_then(|s| s.iter().rposition(|&b| !in_word(b)))
            .map_or(limit, |k| o + 2 + k),
        None => limit,
    }
}

/// The first character boundary of `text` at or after `i`.
fn ceil_boundary(text: &str, mut i: usize) -> usize {
    while i < text.len() && !text.is_char_boundary(i) {
        i += 1;
    }
    i.min(text.len())
}

/// The last character boundary of `text` at or before `i`.
fn floor_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
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
///
/// An element of an array that is an array or an object is first skipped whole (the parser's
/// own skip, faster than stepping through its members); only when a target lies inside it is
/// it read again, member by member, and then nothing inside it is skipped first.
pub fn scan(text: &str, targets: &[u32]) -> Option<Vec<(usize, usize, String)>> {
    scan_with(text, targets, true)
}

/// [`scan`], skipping elements that hold no target whole when `skip_elements`.
fn scan_with(
    text: &str,
    targets: &[u32],
    skip_elements: bool,
) -> Option<Vec<(usize, usize, String)>> {
    let mut out: Vec<(usize, usize, String)> = Vec::with_capacity(targets.len());
    let mut j = jiter::Jiter::new(text.as_bytes());
    let mut open: Vec<Open> = Vec::new();
    let mut steps: Vec<Step> = Vec::new();
    // Targets found whose value has not ended yet: (position in `out`, depth of the value).
    let mut waiting: Vec<(usize, usize)> = Vec::new();
    // The depth of the element being stepped through after it could not be skipped: nothing
    // inside it is skipped first (which, nested, would read it again and again), so no byte
    // is read more than twice.
    let mut tried: Option<usize> = None;
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
        // One value: a scalar is skipped, an array or object is entered, unless it is an
        // element that ends before the next target.
        let element = matches!(open.last(), Some(Open { index: Some(_), .. }));
        let container = matches!(peek, jiter::Peek::Array | jiter::Peek::Object);
        let skipped = skip_elements && element && container && tried.is_none() && {
            let next = targets.get(out.len()).map_or(usize::MAX, |&t| t as usize);
            let mut ahead = j.clone();
            let whole = ahead.known_skip(peek).is_ok() && ahead.current_index() <= next;
            match whole {
                true => j = ahead,
                false => tried = Some(open.len()),
            }
            whole
        };
        if skipped {
            // Ended, as a scalar does.
        } else if peek == jiter::Peek::Array {
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
            if tried.is_some_and(|d| open.len() <= d) {
                tried = None;
            }
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

/// Locates many values, reading each file once (files in parallel): a file whose list was
/// loaded in parts by the parts of its list, in parallel (see `in_list_parts`); else a file
/// of up to [`WHOLE_MAX`] bytes whole, a larger one in pieces of [`PIECE`] bytes (see
/// [`locate_file`]).
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
            let found = f
                .list
                .as_deref()
                .and_then(|list| in_list_parts(&f.disk_path, &offsets, list))
                .unwrap_or_else(|| {
                    let large = std::fs::metadata(&f.disk_path).is_ok_and(|m| m.len() > WHOLE_MAX);
                    locate_file(&f.disk_path, &offsets, large.then_some(PIECE))
                });
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
        .and_then(|b| decode::decode_owned(b).ok())
    else {
        return vec![None; offsets.len()];
    };
    in_text(&text, offsets)
}

/// [`scan`] of a document as the loader reads it: an ARM template with comments is scanned
/// without them (the same offsets and lines).
pub fn scan_as_loaded(text: &str, targets: &[u32]) -> Option<Vec<(usize, usize, String)>> {
    scan(text, targets).or_else(|| scan(&super::tree::arm_without_comments(text)?, targets))
}

/// [`locate_file`] in a whole text.
fn in_text(text: &str, offsets: &[u32]) -> Vec<Option<Located>> {
    // An ARM template with comments is shown as written.
    let Some(found) = scan_as_loaded(text, offsets) else {
        return vec![None; offsets.len()];
    };
    let places: Vec<usize> = found.iter().flat_map(|(s, e, _)| [*s, *e]).collect();
    let positions = Lines::new(text).positions(&places);
    (0..offsets.len())
        .map(|k| {
            let (start, end, pointer) = found.get(k)?.clone();
            let (line, column) = *positions.get(2 * k)?;
            let (end_line, end_column) = *positions.get(2 * k + 1)?;
            Some(Located {
                source: SourceExcerpt::around(String::new(), text, start, end, line, column),
                pointer,
                line,
                column,
                end_line,
                end_column,
            })
        })
        .collect()
}

/// Where a value starts: its byte offset, line and column (1-based, characters).
#[derive(Debug, Clone, Copy)]
struct Mark {
    at: usize,
    line: usize,
    column: usize,
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
    /// Every target found and ended, or the document closed: nothing more is read.
    Done,
}

/// The piecewise form of [`scan`]: the same walk (the same values, ranges and pointers for the
/// same targets), over bytes handed in pieces, counting lines and columns.
struct Pieces<'t> {
    targets: &'t [u32],
    hits: Vec<Hit>,
    /// Hits whose value has not ended.
    waiting: Vec<usize>,
    /// Open containers: where each starts, and the index of its current element (arrays).
    open: Vec<(Mark, Option<usize>)>,
    steps: Vec<Piece>,
    keys: Vec<u8>,
    st: St,
    line: usize,
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
            open: Vec::new(),
            steps: Vec::new(),
            keys: Vec::new(),
            st: if targets.is_empty() {
                St::Done
            } else {
                St::Value
            },
            line: 1,
            col_at: 0,
            col_chars: 0,
        }
    }

    /// The scan of a part of a list ([`ListParts`]) from its first element, at byte `start`,
    /// the list's element `index`: lines and columns counted from `start` as line 1, column 1,
    /// pointers from the element's index on (without the list's pointer). A target that is
    /// not in an element of the part has a hit of depth 0.
    fn in_list(targets: &'t [u32], start: usize, index: usize) -> Self {
        let mut scan = Pieces::new(targets);
        let list = Mark {
            at: start,
            line: 1,
            column: 1,
        };
        scan.open.push((list, Some(index)));
        scan.steps.push(Piece::Index(index));
        scan.col_at = start;
        scan
    }

    /// Whether every target is found and placed: nothing more to read.
    fn finished(&self) -> bool {
        self.st == St::Done
    }

    /// The 1-based column of byte `x` of the current line (`x` in the current piece `buf`,
    /// which starts at byte `base`; `x` at or after the last column asked for).
    fn column(&mut self, buf: &[u8], base: usize, x: usize) -> usize {
        if x > self.col_at {
            let from = self.col_at.saturating_sub(base);
            let part = buf.get(from..x - base).unwrap_or(&[]);
            self.col_chars += crate::base::lines::char_starts(part);
            self.col_at = x;
        }
        self.col_chars + 1
    }

    fn mark(&mut self, buf: &[u8], base: usize, at: usize) -> Mark {
        Mark {
            at,
            line: self.line,
            column: self.column(buf, base, at),
        }
    }

    fn newline(&mut self, p: usize) {
        self.line += 1;
        self.col_at = p + 1;
        self.col_chars = 0;
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
            };
            let i = self.hits.len();
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
                St::Done => break,
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
    out.push_str(&escaped(&key));
}

/// An object key as a JSON pointer writes it (RFC 6901): `~` as `~0`, `/` as `~1`.
pub(super) fn escaped(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// [`locate_file`] reading the file in pieces of `piece` bytes; None when the file has a byte
/// order mark, is not UTF-8, or is not JSON this scan takes (then it is read whole).
fn in_pieces(path: &Path, offsets: &[u32], piece: usize) -> Option<Vec<Option<Located>>> {
    use std::io::Read;
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
    excerpts(path, &hits, offsets.len(), len)
}

/// What the scan of one part of a list found ([`in_list_parts`]).
struct PartScan {
    /// The hits of the part's targets, placed from the part's start (line 1, column 1).
    hits: Vec<Hit>,
    /// The line breaks in the part.
    breaks: usize,
    /// The characters after the part's last line break, or of the whole part when it has none.
    tail: usize,
}

/// The line breaks of `bytes`, and the characters after the last (or of all, without one).
fn breaks_and_tail(bytes: &[u8]) -> (usize, usize) {
    let breaks = memchr::memchr_iter(b'\n', bytes).count();
    let after = memchr::memrchr(b'\n', bytes).map_or(0, |i| i + 1);
    (
        breaks,
        crate::base::lines::char_starts(bytes.get(after..).unwrap_or(&[])),
    )
}

/// [`locate_file`] for a file whose list was loaded in parts: each part that holds targets is
/// read and scanned on its own, in parallel, from its first element (whose index the load
/// counted); the line and column where each part starts come from the line breaks of the
/// parts before it, counted in parallel too. The results are those of the scan of the whole
/// text. None (the file is then located as any other) when a target is not in an element of
/// the list, the file is not as long as its decoded text (a byte order mark), or it changed
/// since it was loaded (its length differs, or a part does not read as the load found it).
pub(super) fn in_list_parts(
    path: &Path,
    offsets: &[u32],
    list: &ListParts,
) -> Option<Vec<Option<Located>>> {
    use std::io::{Read, Seek};
    let &(first, _) = list.starts.first()?;
    let (&lowest, &highest) = (offsets.first()?, offsets.last()?);
    if (lowest as usize) < first {
        return None;
    }
    let mut file = std::fs::File::open(path).ok()?;
    let len = usize::try_from(file.metadata().ok()?.len()).ok()?;
    if len != list.len {
        return None;
    }
    // (A file with a byte order mark is longer than its decoded text: it is never taken.)
    let mut head = vec![0; first];
    file.read_exact(&mut head).ok()?;
    std::str::from_utf8(&head).ok()?;
    // The parts as far as the one that holds the last target: (start, end, first index).
    let parts: Vec<(usize, usize, usize)> = list
        .starts
        .iter()
        .enumerate()
        .map(|(k, &(start, index))| {
            let end = list.starts.get(k + 1).map_or(len, |next| next.0);
            (start, end, index)
        })
        .take_while(|&(start, ..)| start <= highest as usize)
        .collect();
    let scans: Vec<PartScan> = parts
        .par_iter()
        .with_max_len(1)
        .map(|&(start, end, index)| {
            let mut file = std::fs::File::open(path).ok()?;
            file.seek(std::io::SeekFrom::Start(start as u64)).ok()?;
            let mut bytes = vec![0; end.checked_sub(start)?];
            file.read_exact(&mut bytes).ok()?;
            if bytes.first() != Some(&b'{') {
                return None;
            }
            std::str::from_utf8(&bytes).ok()?;
            let from = offsets.partition_point(|&o| (o as usize) < start);
            let to = offsets.partition_point(|&o| (o as usize) < end);
            let targets = offsets.get(from..to)?;
            let mut hits = Vec::new();
            if !targets.is_empty() {
                let mut scan = Pieces::in_list(targets, start, index);
                scan.feed(&bytes, start)?;
                if !scan.finished() || scan.hits.iter().any(|h| h.depth == 0) {
                    return None;
                }
                hits = scan.hits;
            }
            let (breaks, tail) = breaks_and_tail(&bytes);
            Some(PartScan { hits, breaks, tail })
        })
        .collect::<Option<_>>()?;
    // Each part's line and column from the text before it; the hits placed in the file.
    let (breaks, tail) = breaks_and_tail(&head);
    let (mut line, mut column) = (breaks + 1, tail);
    let mut hits = Vec::with_capacity(offsets.len());
    for scan in scans {
        for mut h in scan.hits {
            let place = |l: &mut usize, c: &mut usize| {
                if *l == 1 {
                    *c += column;
                }
                *l += line - 1;
            };
            place(&mut h.mark.line, &mut h.mark.column);
            place(&mut h.end_line, &mut h.end_column);
            h.pointer.insert_str(0, &list.pointer);
            hits.push(h);
        }
        line += scan.breaks;
        column = if scan.breaks > 0 {
            scan.tail
        } else {
            column + scan.tail
        };
    }
    if hits.len() != offsets.len() {
        return None;
    }
    excerpts(path, &hits, offsets.len(), len)
}

/// The located values of `hits` (the first `n` targets'; None past the last hit), each with the
/// excerpt of the file around it, read from the file at `path` (whose decoded text is `len`
/// bytes long), in parallel. None when a part of the file cannot be read.
fn excerpts(path: &Path, hits: &[Hit], n: usize, len: usize) -> Option<Vec<Option<Located>>> {
    let mut out: Vec<Option<Located>> = hits
        .par_iter()
        .take(n)
        .map_init(
            || std::fs::File::open(path).ok(),
            |file, h| Some(Some(excerpt(file.as_mut()?, h, len)?)),
        )
        .collect::<Option<_>>()?;
    out.resize(n, None);
    Some(out)
}

/// [`excerpts`] of one hit, from `file`.
fn excerpt(file: &mut std::fs::File, h: &Hit, len: usize) -> Option<Located> {
    use std::io::{Read, Seek};
    let m = &h.mark;
    // The bytes an excerpt can show: context lines before the value's line, its first lines
    // and context lines after, each of the longest length shown whole.
    let line = SourceExcerpt::MAX_LINE_BYTES + 1;
    let from = m.at.saturating_sub((SourceExcerpt::CONTEXT + 2) * line);
    let to = len.min(m.at + (SourceExcerpt::MAX_LINES + SourceExcerpt::CONTEXT + 2) * line);
    file.seek(std::io::SeekFrom::Start(from as u64)).ok()?;
    let mut bytes = vec![0; to.checked_sub(from)?];
    file.read_exact(&mut bytes).ok()?;
    // The part starts and ends on whole characters.
    let skip = bytes
        .iter()
        .take_while(|&&b| (b as i8) < -0x40)
        .count()
        .min(m.at - from);
    let valid = match std::str::from_utf8(bytes.get(skip..)?) {
        Ok(t) => t.len(),
        Err(e) if e.error_len().is_none() => e.valid_up_to(),
        Err(_) => return None,
    };
    let text = std::str::from_utf8(bytes.get(skip..skip + valid)?).ok()?;
    let from = from + skip;
    let part = Part {
        text,
        starts_file: from == 0,
        ends_file: from + valid == len,
    };
    Some(Located {
        source: SourceExcerpt::in_part(
            String::new(),
            part,
            m.at - from,
            h.end - from,
            m.line,
            m.column,
        ),
        pointer: h.pointer.clone(),
        line: m.line,
        column: m.column,
        end_line: h.end_line,
        end_column: h.end_column,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Skipping the elements that hold no target changes nothing: for every fixture file, the
    /// same ranges and pointers as stepping through every value, with targets dense (every
    /// value holds one) and sparse (most elements are skipped), a target at the end included.
    #[test]
    fn skipping_elements_finds_what_stepping_through_them_finds() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let (mut files, mut skipped) = (0, 0);
        for entry in walkdir::WalkDir::new(root) {
            let path = entry.unwrap().into_path();
            if path.extension().is_none_or(|x| x != "json") {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            files += 1;
            let len = text.len() as u32;
            let step = (len / 400).max(1);
            let dense: Vec<u32> = (0..=len).step_by(step as usize).collect();
            // One target alone, at every byte of a small file (the last bytes of elements
            // included), at 200 places in one of up to 64 KiB.
            let every = if len <= 3000 { 1 } else { len / 200 };
            let alone = (0..=len)
                .step_by(every as usize)
                .filter(|_| len <= 1 << 16)
                .map(|t| vec![t]);
            let sets = [dense.clone(), dense.iter().copied().step_by(37).collect()];
            for targets in sets.into_iter().chain(alone) {
                let fast = scan_with(&text, &targets, true);
                assert_eq!(
                    fast,
                    scan_with(&text, &targets, false),
                    "{}",
                    path.display()
                );
                skipped += usize::from(fast.is_some() && targets.len() < dense.len());
            }
        }
        assert!(
            files > 100 && skipped > 100,
            "{files} files, {skipped} scans"
        );
    }

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
            // Lines longer than an excerpt shows: cut around each value.
            format!(
                "{{\"k\": \"{}\", \"l\": [{}], \"m\": \"a \\\" é b\"}}\r\n[\"{}\"]",
                "wörd ".repeat(60),
                (0..80).map(|i| format!("{{\"i\":{i}}}")).collect::<Vec<_>>().join(","),
                "x".repeat(520)
            ),
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

    /// A minified list of `n` devices, one line: `{"value":[{"id":"m0","computerDnsName":"Poste
    /// n°0",...},...]}`.
    fn minified(n: usize) -> String {
        let rows: Vec<String> = (0..n)
            .map(|i| {
                format!(
                    "{{\"id\":\"m{i}\",\"computerDnsName\":\"Poste n°{i}\",\"avMode\":\"{}\",\"tags\":[\"a\",\"b\"]}}",
                    i % 3
                )
            })
            .collect();
        format!("{{\"value\":[{}]}}", rows.join(","))
    }

    #[test]
    fn a_long_line_is_cut_to_the_value_and_its_member_name() {
        let text = minified(200);
        let at = text.find("\"avMode\":\"1\"").unwrap() + 9;
        let found = in_text(&text, &[at as u32]).remove(0).unwrap();
        let s = &found.source;
        assert_eq!(s.text, "…\"avMode\":\"1\",…");
        assert_eq!(&s.text[s.start..s.end], "\"1\"");
        assert!(s.whole);
        assert_eq!(s.first_line, 1);
        assert_eq!(s.column, found.column);

        // An element longer than the most shown: cut between tokens, never inside a string.
        let at = text.find("{\"id\":\"m150\"").unwrap();
        let long = format!("{{\"note\":\"{}\",\"x\":1}}", "y".repeat(400));
        let text = format!("{}{long}{}", &text[..at], &text[at..]);
        let found = in_text(&text, &[at as u32]).remove(0).unwrap();
        let s = &found.source;
        assert!(!s.whole);
        assert_eq!(&s.text[s.start..s.end], "{\"note\":");
        assert!(s.text.starts_with('…') && s.text.ends_with('…'));
        // A long string on its own is cut inside it.
        let at = at + "{\"note\":".len();
        let s = in_text(&text, &[at as u32]).remove(0).unwrap().source;
        assert!(!s.whole);
        assert_eq!(s.end - s.start, SourceExcerpt::VALUE_BYTES);
        assert!(s.text[..s.start].ends_with("\"note\":"));
        // A string of words is cut after a word, never inside a name or address.
        let rule = format!(
            "{} user.userPrincipalName -eq adele.vance@contoso.com",
            "P ".repeat(55)
        );
        let text = format!("{{\"rule\":\"{rule}\",\"pad\":\"{}\"}}", "x".repeat(600));
        let at = text.find("\"P").unwrap();
        let s = in_text(&text, &[at as u32]).remove(0).unwrap().source;
        let shown = &s.text[s.start..s.end];
        assert!(shown.ends_with(' ') && !shown.contains("adele"), "{shown}");
        // A member name on the line before is not shown: the excerpt is the value's line.
        let text = format!("{{\"k\":\n\"{}\"}}", "v".repeat(600));
        let s = in_text(&text, &[6]).remove(0).unwrap().source;
        assert!(
            !s.text.contains('\n') && s.text.starts_with("\"vvv"),
            "{}",
            s.text
        );
        // CRLF: a value at the end of its line has no mark after it.
        let text = format!("{{\"long\": \"{}\", \"a\": 1\r\n}}", "x".repeat(600));
        let at = text.find('1').unwrap();
        let s = in_text(&text, &[at as u32]).remove(0).unwrap().source;
        assert_eq!(s.text, "…\"a\": 1");
    }

    #[test]
    fn long_lines_in_a_pretty_file_keep_their_indentation_or_lose_context() {
        let long = "z".repeat(2000);
        let text =
            format!("{{\n  \"a\": 1,\n  \"rule\": \"{long}\",\n  \"b\": 2,\n  \"c\": 3\n}}\n");
        // The long line's value: the line from its indentation, cut.
        let at = text.find("\"zz").unwrap();
        let s = in_text(&text, &[at as u32]).remove(0).unwrap().source;
        assert!(s.text.starts_with("  \"rule\": \"zz"), "{}", s.text);
        assert_eq!((s.first_line, s.column, s.whole), (3, 11, false));
        // A value next to it: whole lines, without the long one.
        let at = text.find('2').unwrap();
        let s = in_text(&text, &[at as u32]).remove(0).unwrap().source;
        assert_eq!(s.text, "  \"b\": 2,\n  \"c\": 3\n}");
        assert_eq!((s.first_line, s.column, s.whole), (4, 8, true));
    }

    #[test]
    fn long_lines_in_pieces_are_cut_as_in_the_whole_text() {
        let mut text = minified(300);
        text.push('\n');
        let long = "é".repeat(700);
        text.push_str(&format!("{{\"a\": \"{long}\", \"b\": [1,\n2]}}\n"));
        let text = format!("[{}]", text.replace("}\n{", "},\n{"));
        let file = written(&text);
        let targets: Vec<u32> = text
            .char_indices()
            .map(|(i, _)| i as u32)
            .step_by(7)
            .collect();
        let whole = in_text(&text, &targets);
        assert!(whole.iter().flatten().count() > targets.len() / 2);
        for piece in [5, 64, 4096] {
            assert_eq!(in_pieces(file.path(), &targets, piece).unwrap(), whole);
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
        let s = SourceExcerpt::around("f".into(), &text, at(10), at(10) + 7, 10, 1);
        assert_eq!(s.first_line, 8);
        assert_eq!(s.text, "line 8\nline 9\nline 10\nline 11\nline 12");
        assert_eq!(&s.text[s.start..s.end], "line 10");
        assert!(s.whole);
        // On line 1 there is nothing before.
        let s = SourceExcerpt::around("f".into(), &text, 0, 6, 1, 1);
        assert_eq!((s.first_line, s.text.lines().count()), (1, 3));
        // A value of 30 lines is cut after its first line.
        let s = SourceExcerpt::around("f".into(), &text, at(5), at(35), 5, 1);
        assert!(!s.whole);
        assert_eq!(&s.text[s.start..s.end], "line 5");
        assert_eq!(s.text.lines().count(), 5);
    }
}
