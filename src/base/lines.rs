//! Line and column positions in a text, from byte offsets. Lines and columns are 1-based;
//! columns count characters (Unicode scalar values), not bytes.

/// Byte offsets of the line starts of a text.
#[derive(Debug, Clone)]
pub struct LineIndex<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

impl<'t> LineIndex<'t> {
    /// Indexes `text` (one pass; lines end at `\n`, a `\r` before it belongs to the line).
    pub fn new(text: &'t str) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex { text, starts }
    }

    /// 1-based line and column (in characters) of a byte offset. An offset past the end is
    /// placed at the end; one inside a character counts the characters that start before it.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts.get(line - 1).copied().unwrap_or(0);
        let column = self.text.get(start..offset).map_or_else(
            || {
                self.text
                    .get(start..)
                    .unwrap_or("")
                    .char_indices()
                    .take_while(|(i, _)| start + i < offset)
                    .count()
            },
            |s| s.chars().count(),
        ) + 1;
        (line, column)
    }

    /// [`LineIndex::position`] of each of `offsets` (in any order), reading the text once: a
    /// minified document is one line, and counting each column from its line's start would
    /// read that line again for every offset.
    pub fn positions(&self, offsets: &[usize]) -> Vec<(usize, usize)> {
        let mut order: Vec<(usize, usize)> = offsets
            .iter()
            .enumerate()
            .map(|(k, &o)| (o.min(self.text.len()), k))
            .collect();
        order.sort_unstable();
        let mut out = vec![(1, 1); offsets.len()];
        // The last position placed: its line, offset and characters before it on its line.
        let mut last: Option<(usize, usize, usize)> = None;
        for (offset, k) in order {
            let line = self.starts.partition_point(|&s| s <= offset).max(1);
            let (from, before) = match last {
                Some((l, at, chars)) if l == line => (at, chars),
                _ => (self.starts.get(line - 1).copied().unwrap_or(0), 0),
            };
            let chars = before
                + self
                    .text
                    .as_bytes()
                    .get(from..offset)
                    .map_or(0, char_starts);
            last = Some((line, offset, chars));
            if let Some(slot) = out.get_mut(k) {
                *slot = (line, chars + 1);
            }
        }
        out
    }

    /// Line `line` (1-based) without its line break, at most its first 200 characters; None
    /// past the last line.
    pub fn line_text(&self, line: usize) -> Option<String> {
        let start = *self.starts.get(line.checked_sub(1)?)?;
        let end = self.starts.get(line).map_or(self.text.len(), |e| e - 1);
        let l = self.text.get(start..end)?.trim_end_matches('\r');
        Some(l.chars().take(200).collect())
    }
}

/// How many characters start in `bytes` (UTF-8): the bytes that do not continue one.
pub fn char_starts(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count()
}

/// 1-based line and column (in characters) of a byte offset of `text`, without keeping an
/// index (for one position).
pub fn position(text: &str, offset: usize) -> (usize, usize) {
    LineIndex::new(text).position(offset)
}

/// The 1-based line and column of `offset` in `text`, and that line's text, as
/// [`LineIndex::position`] and [`LineIndex::line_text`] give them, without indexing every
/// line of the text: for a text with a single offset to place (a page's `@odata.nextLink`).
pub fn place_one(text: &str, offset: usize) -> (usize, usize, Option<String>) {
    let offset = offset.min(text.len());
    let bytes = text.as_bytes();
    let before = bytes.get(..offset).unwrap_or_default();
    let start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
    let end = bytes
        .get(start..)
        .and_then(|rest| memchr::memchr(b'\n', rest))
        .map_or(text.len(), |i| start + i);
    let line = memchr::memchr_iter(b'\n', before).count() + 1;
    let alone = LineIndex::new(text.get(start..end).unwrap_or(""));
    let (_, column) = alone.position(offset - start);
    (line, column, alone.line_text(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters_from_one() {
        let text = "ab\r\nçd\nlast";
        let lines = LineIndex::new(text);
        assert_eq!(lines.position(0), (1, 1));
        assert_eq!(lines.position(4), (2, 1));
        assert_eq!(lines.position(6), (2, 2), "ç is two bytes, one character");
        assert_eq!(lines.position(text.len()), (3, 5));
        assert_eq!(lines.position(text.len() + 10), (3, 5));
        assert_eq!(lines.line_text(1).as_deref(), Some("ab"));
        assert_eq!(lines.line_text(3).as_deref(), Some("last"));
        assert_eq!(lines.line_text(4), None);
        assert_eq!(position(text, 8), (3, 1));
    }

    #[test]
    fn positions_in_one_pass_are_those_of_each_offset() {
        let text = "{\"é\": [\"😀x\", 1],\r\n\"b\": \"çç\"}\nz";
        let lines = LineIndex::new(text);
        // Every offset (inside characters and past the end too), in several orders.
        let mut offsets: Vec<usize> = (0..text.len() + 3).collect();
        for round in 0..3 {
            let want: Vec<_> = offsets.iter().map(|&o| lines.position(o)).collect();
            assert_eq!(lines.positions(&offsets), want, "round {round}");
            offsets.reverse();
            offsets.rotate_left(round + 5);
        }
        assert_eq!(lines.positions(&[]), vec![]);
    }

    #[test]
    fn one_place_is_where_the_whole_index_puts_it() {
        let text = "{\r\n  \"a\": \"é€\",\n\n  \"b\": [1,\t2]\r\n}";
        let whole = LineIndex::new(text);
        for offset in 0..=text.len() + 2 {
            let (line, column) = whole.position(offset);
            let want = (line, column, whole.line_text(line));
            assert_eq!(place_one(text, offset), want, "offset {offset}");
        }
        assert_eq!(place_one("", 0), (1, 1, Some(String::new())));
    }
}
