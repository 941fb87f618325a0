//! A JSON document as a tree that borrows its strings from the decoded text and keeps the byte
//! offset where every value starts.
//!
//! Parsing is done by `jiter`, a pull parser; this module only assembles its events into
//! [`Node`]s. Strings without escapes, keys and numbers are slices of the text, so a document
//! costs one allocation per array or object, not one per string. Byte offsets are what make
//! violations point at the exact value without parsing the file a second time for positions
//! during loading; `locate` turns an offset back into a JSON pointer, a line and a column.
//!
//! The tree is built without recursion (an explicit stack), so the nesting limit is a setting
//! ([`MAX_DEPTH`] by default, `max-json-depth` in dexlint.toml) rather than the size of the
//! thread's stack.

use jiter::{Jiter, JiterError, Peek};
use std::borrow::Cow;

/// Default limit on the nesting of arrays and objects in an export file.
pub const MAX_DEPTH: usize = 128;
/// Highest nesting limit that can be configured (dropping a tree recurses once per level).
pub const MAX_DEPTH_LIMIT: usize = 1000;

/// A JSON value and the byte offset where it starts in the text.
#[derive(Debug, Clone, PartialEq)]
pub struct Node<'t> {
    /// Byte offset of the value's first character in the decoded text (a BOM already removed).
    pub start: u32,
    /// What the value is, with its contents.
    pub kind: Kind<'t>,
}

/// Object members are kept in file order, duplicates included (lookups take the last, as
/// serde_json does).
pub type Members<'t> = Box<[Member<'t>]>;

/// An object member: its key (unescaped) and value.
pub type Member<'t> = (Cow<'t, str>, Node<'t>);

/// The kind of a JSON value, and its contents.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind<'t> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number as written.
    Number(&'t str),
    /// A string, unescaped (borrowed from the text when it has no escapes).
    String(Cow<'t, str>),
    /// An array's elements, in order.
    Array(Box<[Node<'t>]>),
    /// An object's members.
    Object(Members<'t>),
}

impl<'t> Node<'t> {
    /// The elements, if the value is an array.
    pub fn as_array(&self) -> Option<&[Node<'t>]> {
        match &self.kind {
            Kind::Array(a) => Some(a),
            _ => None,
        }
    }
    /// The members in file order (duplicate keys included), if the value is an object.
    pub fn as_object(&self) -> Option<&[(Cow<'t, str>, Node<'t>)]> {
        match &self.kind {
            Kind::Object(o) => Some(o),
            _ => None,
        }
    }
    /// The string, if the value is one.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::String(s) => Some(s),
            _ => None,
        }
    }
    /// Whether the value is an array.
    pub fn is_array(&self) -> bool {
        matches!(self.kind, Kind::Array(_))
    }
    /// Whether the value is an object.
    pub fn is_object(&self) -> bool {
        matches!(self.kind, Kind::Object(_))
    }
}

/// Why a text is not a JSON document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// What is wrong (jiter's description, or the depth or size limit).
    pub message: String,
    /// Byte offset in the text.
    pub offset: usize,
}

impl From<JiterError> for ParseError {
    fn from(e: JiterError) -> Self {
        ParseError {
            message: e.error_type.to_string(),
            offset: e.index,
        }
    }
}

/// `s`, a string jiter returned, as a slice of `text` when it is one (no escapes), else a copy.
pub(crate) fn reborrow<'t>(text: &'t str, s: &str) -> Cow<'t, str> {
    let offset = (s.as_ptr() as usize).wrapping_sub(text.as_ptr() as usize);
    match text.get(offset..offset.wrapping_add(s.len())) {
        Some(slice) if slice.as_ptr() == s.as_ptr() => Cow::Borrowed(slice),
        _ => Cow::Owned(s.to_string()),
    }
}

/// An open array or object: where it starts, where its elements start on the stack of elements
/// read so far, and (for an object) the key of the value being read. Elements are gathered on
/// one stack per kind and moved into a slice of the right size when their container closes: one
/// allocation per container, none wasted on growing.
enum Open<'t> {
    Array(u32, usize),
    Object(u32, usize, Cow<'t, str>),
}

/// An Azure Resource Manager template or parameters file (its `$schema` on
/// `schema.management.azure.com`) with its `//` and `/* */` comments blanked out, byte for
/// byte (newlines kept), so that offsets and lines stay those of the file: Azure CLI and Azure
/// PowerShell deploy templates with comments ("ARM template syntax: comments",
/// learn.microsoft.com/azure/azure-resource-manager/templates/syntax#comments). None when the
/// text is not such a file or has no comment outside strings.
pub fn arm_without_comments(text: &str) -> Option<String> {
    if !text.contains("schema.management.azure.com") {
        return None;
    }
    let mut out = text.as_bytes().to_vec();
    let bytes = text.as_bytes();
    let (mut i, mut found, mut in_string) = (0, false, false);
    let blank = |out: &mut Vec<u8>, from: usize, to: usize| {
        for b in out.get_mut(from..to).into_iter().flatten() {
            if *b != b'\n' && *b != b'\r' {
                *b = b' ';
            }
        }
    };
    while let Some(&c) = bytes.get(i) {
        if in_string {
            match c {
                b'\\' => i += 1,
                b'"' => in_string = false,
                _ => {}
            }
            i += 1;
            continue;
        }
        match (c, bytes.get(i + 1)) {
            (b'"', _) => in_string = true,
            (b'/', Some(b'/')) => {
                let end = bytes
                    .get(i..)
                    .and_then(|rest| rest.iter().position(|&b| b == b'\n'))
                    .map_or(bytes.len(), |n| i + n);
                blank(&mut out, i, end);
                found = true;
                i = end;
                continue;
            }
            (b'/', Some(b'*')) => {
                let end = text
                    .get(i + 2..)
                    .and_then(|rest| rest.find("*/"))
                    .map_or(bytes.len(), |n| i + 2 + n + 2);
                blank(&mut out, i, end);
                found = true;
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    // Blanking replaces whole comments (UTF-8 sequences included) by spaces: still UTF-8.
    found.then(|| String::from_utf8(out).ok()).flatten()
}

/// Every value of `node` placed at `start`: a document read from another file (a linked
/// template) or from a string of this one (a JSON-encoded value) shown where it is given.
pub fn relocate(node: &mut Node<'_>, start: u32) {
    node.start = start;
    match &mut node.kind {
        Kind::Array(items) => items.iter_mut().for_each(|n| relocate(n, start)),
        Kind::Object(members) => members.iter_mut().for_each(|(_, n)| relocate(n, start)),
        _ => {}
    }
}

/// Parses a whole document; arrays and objects nested deeper than `max_depth` are an error.
pub fn parse(text: &str, max_depth: usize) -> Result<Node<'_>, ParseError> {
    parse_range(text, 0..text.len(), max_depth)
}

/// Parses the value that is the whole of `text[range]` (whitespace around it allowed), with
/// byte offsets in `text`; arrays and objects nested deeper than `max_depth` (counted from
/// the value) are an error, at its offset in `text`. The same nodes as the value has in the
/// tree of the whole text.
pub fn parse_range(
    text: &str,
    range: std::ops::Range<usize>,
    max_depth: usize,
) -> Result<Node<'_>, ParseError> {
    parse_piece(text, 0, range, max_depth)
}

/// [`parse_range`] of a piece of a document: `piece` is the document's text from byte
/// `shift` on (read from its file apart from the rest), and the nodes' offsets, like error
/// offsets, are those of the whole document.
pub fn parse_piece(
    piece: &str,
    shift: usize,
    range: std::ops::Range<usize>,
    max_depth: usize,
) -> Result<Node<'_>, ParseError> {
    if u32::try_from(shift + piece.len()).is_err() {
        return Err(ParseError {
            message: "documents larger than 4 GiB are not supported".to_string(),
            offset: 0,
        });
    }
    let base = range.start;
    let bytes = piece.as_bytes().get(range).unwrap_or_default();
    let mut j = Jiter::new(bytes);
    parse_with(piece, &mut j, max_depth, base, shift).map_err(|mut e| {
        e.offset += shift + base;
        e
    })
}

/// [`parse_piece`] on the parser `j` of `text[base..]`; error offsets relative to `base`.
fn parse_with<'t>(
    text: &'t str,
    j: &mut Jiter<'_>,
    max_depth: usize,
    base: usize,
    shift: usize,
) -> Result<Node<'t>, ParseError> {
    // Offsets fit in u32: the document is shorter than 4 GiB.
    let at = |j: &Jiter<'_>| (shift + base + j.current_index()) as u32;
    let mut open: Vec<Open<'_>> = Vec::new();
    let mut items: Vec<Node<'_>> = Vec::new();
    let mut members: Vec<(Cow<'_, str>, Node<'_>)> = Vec::new();
    let mut peek = j.peek()?;
    loop {
        let start = at(j);
        let kind = if peek == Peek::Null {
            j.known_null()?;
            Kind::Null
        } else if peek == Peek::True || peek == Peek::False {
            Kind::Bool(j.known_bool(peek)?)
        } else if peek == Peek::String {
            Kind::String(reborrow(text, j.known_str()?))
        } else if peek == Peek::Array || peek == Peek::Object {
            if open.len() >= max_depth {
                return Err(ParseError {
                    message: format!("nesting deeper than {max_depth} levels"),
                    offset: start as usize - shift - base,
                });
            }
            if peek == Peek::Array {
                match j.known_array()? {
                    Some(first) => {
                        open.push(Open::Array(start, items.len()));
                        peek = first;
                        continue;
                    }
                    None => Kind::Array(Box::default()),
                }
            } else {
                match j.known_object()?.map(|k| reborrow(text, k)) {
                    Some(key) => {
                        open.push(Open::Object(start, members.len(), key));
                        peek = j.peek()?;
                        continue;
                    }
                    None => Kind::Object(Box::default()),
                }
            }
        } else {
            Kind::Number(number(text, j, peek, start as usize - shift, base)?)
        };
        let mut node = Node { start, kind };
        // Hand the value to the innermost open container, closing those that end with it.
        loop {
            match open.last_mut() {
                None => {
                    j.finish()?;
                    return Ok(node);
                }
                Some(Open::Array(..)) => {
                    items.push(node);
                    if let Some(next) = j.array_step()? {
                        peek = next;
                        break;
                    }
                }
                Some(Open::Object(_, _, key)) => {
                    members.push((std::mem::take(key), node));
                    if let Some(k) = j.next_key()?.map(|k| reborrow(text, k)) {
                        *key = k;
                        peek = j.peek()?;
                        break;
                    }
                }
            }
            node = match open.pop() {
                Some(Open::Array(start, first)) => Node {
                    start,
                    kind: Kind::Array(items.drain(first..).collect()),
                },
                Some(Open::Object(start, first, _)) => Node {
                    start,
                    kind: Kind::Object(members.drain(first..).collect()),
                },
                None => break,
            };
        }
    }
}

/// A document that is one list: a top-level array, or an object one of whose members is an
/// array (the longest one: `value` of a Graph or Defender for Endpoint list response), with
/// the byte ranges of that list's elements, so that they can be parsed apart (in parallel)
/// with [`parse_range`] and put back in order.
#[derive(Debug, Clone)]
pub struct ListShape<'t> {
    /// For an object: its members in file order (each key as many times as written), every
    /// one parsed but the list, which stands there as an empty array at the list's offset;
    /// and the index of the list among them. None for a top-level array.
    pub members: Option<(Vec<Member<'t>>, usize)>,
    /// Byte offset where the top-level value starts.
    pub start: u32,
    /// Byte offset where the list starts (`[`).
    pub list_start: u32,
    /// Byte ranges of the list's elements in the text, in order.
    pub elements: Vec<std::ops::Range<usize>>,
    /// For an object: the byte range of each member's value, in the order of `members`.
    pub spans: Vec<std::ops::Range<usize>>,
}

impl<'t> ListShape<'t> {
    /// The document with `elements` as the list's elements (all of them: the whole
    /// document, as [`parse`] gives it).
    pub fn document(&self, elements: Box<[Node<'t>]>) -> Node<'t> {
        let list = Node {
            start: self.list_start,
            kind: Kind::Array(elements),
        };
        match &self.members {
            None => list,
            Some((members, index)) => {
                let mut members = members.clone();
                if let Some(slot) = members.get_mut(*index) {
                    slot.1 = list;
                }
                Node {
                    start: self.start,
                    kind: Kind::Object(members.into_boxed_slice()),
                }
            }
        }
    }

    /// How deep the list's elements are (1 in a top-level array, 2 in an object's member):
    /// what [`parse_range`] of an element takes off the document's nesting limit.
    pub fn element_depth(&self) -> usize {
        if self.members.is_some() {
            2
        } else {
            1
        }
    }
}

/// The list of a document that is one (see [`ListShape`]), found by a pass that skips over
/// values without building them; None when the text is not a document of that shape, or its
/// nesting exceeds `max_depth` (the whole parse then tells what is wrong). The arrays'
/// elements are found by their brackets and quotes only ([`scan_elements`]): each element is
/// checked when it is parsed, so a text that is not JSON still fails to load, whole.
pub fn list_shape(text: &str, max_depth: usize) -> Option<ListShape<'_>> {
    u32::try_from(text.len()).ok()?;
    if max_depth < 3 {
        return None;
    }
    let bytes = text.as_bytes();
    // The parser over `text[base..]`: an array's elements are scanned apart from it, and it
    // starts again after the array.
    let mut base = 0;
    let mut j = Jiter::new(bytes);
    let peek = j.peek().ok()?;
    let start = j.current_index() as u32;
    if peek == Peek::Array {
        let (elements, end) = scan_elements(bytes, start as usize)?;
        Jiter::new(bytes.get(end..)?).finish().ok()?;
        return Some(ListShape {
            members: None,
            start,
            list_start: start,
            elements,
            spans: Vec::new(),
        });
    }
    if peek != Peek::Object {
        return None;
    }
    let mut raw: Vec<(Cow<'_, str>, std::ops::Range<usize>)> = Vec::new();
    // The longest array so far: its index among the members, and its elements.
    let mut best: Option<(usize, std::ops::Range<usize>, Vec<std::ops::Range<usize>>)> = None;
    let mut key = j.known_object().ok()?.map(|k| reborrow(text, k));
    while let Some(k) = key {
        let peek = j.peek().ok()?;
        let value_start = base + j.current_index();
        if peek == Peek::Array {
            let (found, end) = scan_elements(bytes, value_start)?;
            (base, j) = (end, Jiter::new(bytes.get(end..)?));
            let span = value_start..end;
            if best.as_ref().is_none_or(|(_, r, _)| span.len() > r.len()) {
                best = Some((raw.len(), span.clone(), found));
            }
        } else {
            j.known_skip(peek).ok()?;
        }
        raw.push((k, value_start..base + j.current_index()));
        key = j.next_key().ok()?.map(|k| reborrow(text, k));
    }
    j.finish().ok()?;
    let (index, list, elements) = best?;
    let spans = raw.iter().map(|(_, r)| r.clone()).collect();
    let members = raw
        .into_iter()
        .enumerate()
        .map(|(i, (k, range))| {
            if i == index {
                let empty = Node {
                    start: list.start as u32,
                    kind: Kind::Array(Box::default()),
                };
                Some((k, empty))
            } else {
                Some((k, parse_range(text, range, max_depth - 1).ok()?))
            }
        })
        .collect::<Option<Vec<_>>>()?;
    Some(ListShape {
        members: Some((members, index)),
        start,
        list_start: list.start as u32,
        elements,
        spans,
    })
}

/// The offset just after the value that starts at `bytes[start]` (not whitespace), read by
/// its structure only: a string to its closing quote, an array or object to its closing
/// bracket (strings inside skipped by their quotes and escapes), anything else up to the next
/// `,`, `]`, `}` or whitespace. None when it does not end.
pub(crate) fn value_end(bytes: &[u8], start: usize) -> Option<usize> {
    let ws = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r');
    // The offset just after the closing quote of the string whose contents start at `from`.
    let string_end = |mut from: usize| loop {
        let rest = bytes.get(from..)?;
        let at = from + memchr::memchr2(b'"', b'\\', rest)?;
        if bytes.get(at) == Some(&b'"') {
            return Some(at + 1);
        }
        from = at + 2;
    };
    match bytes.get(start)? {
        b'"' => string_end(start + 1),
        b'[' | b'{' => {
            let mut depth = 0usize;
            let mut i = start;
            loop {
                let rest = bytes.get(i..)?;
                // Only quotes and brackets change the structure inside an array or object.
                i += structural(rest)?;
                match bytes.get(i)? {
                    b'"' => i = string_end(i + 1)?,
                    b'[' | b'{' => {
                        depth += 1;
                        i += 1;
                    }
                    _ => {
                        depth -= 1;
                        i += 1;
                        if depth == 0 {
                            return Some(i);
                        }
                    }
                }
            }
        }
        _ => {
            let rest = bytes.get(start..)?;
            let len = rest
                .iter()
                .position(|&b| matches!(b, b',' | b']' | b'}') || ws(b))
                .unwrap_or(rest.len());
            Some(start + len)
        }
    }
}

/// The index of the first quote or bracket (`"`, `[`, `]`, `{`, `}`) of `bytes`, looked for
/// eight bytes at a time (the whitespace, names and punctuation between strings are most of a
/// pretty-printed document's structure).
fn structural(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    // The bytes of a word that are zero: exact for the lowest one, which is all this needs.
    let zeros = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let is = |b: u8| matches!(b, b'"' | b'[' | b']' | b'{' | b'}');
    let mut at = 0;
    let mut words = bytes.chunks_exact(8);
    for chunk in &mut words {
        let w = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        // `"`, and the bytes that OR 0x20 then AND 0xF9 to 0x79: `[ ] { }` (and `Y y _` DEL,
        // checked one by one below).
        let quote = zeros(w ^ u64::from_ne_bytes([b'"'; 8]));
        let bracket = zeros(
            ((w | u64::from_ne_bytes([0x20; 8])) & u64::from_ne_bytes([0xF9; 8]))
                ^ u64::from_ne_bytes([0x79; 8]),
        );
        let mut hits = quote | bracket;
        while hits != 0 {
            let k = (hits.trailing_zeros() / 8) as usize;
            if chunk.get(k).copied().is_some_and(is) {
                return Some(at + k);
            }
            hits &= hits - 1;
        }
        at += 8;
    }
    words
        .remainder()
        .iter()
        .position(|&b| is(b))
        .map(|k| at + k)
}

/// The byte ranges of the elements of the array whose `[` is `bytes[open]`, and the offset
/// just after its `]`. Only the structure is read: strings by their quotes (and escapes),
/// arrays and objects by their brackets, anything else up to the next delimiter; the commas
/// and whitespace between elements are checked. None when the brackets do not close or an
/// element is not followed by `,` or `]`.
pub fn scan_elements(bytes: &[u8], open: usize) -> Option<(Vec<std::ops::Range<usize>>, usize)> {
    let ws = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r');
    let mut out = Vec::new();
    if bytes.get(open) != Some(&b'[') {
        return None;
    }
    let mut i = open + 1;
    while bytes.get(i).copied().is_some_and(ws) {
        i += 1;
    }
    if bytes.get(i) == Some(&b']') {
        return Some((out, i + 1));
    }
    loop {
        let start = i;
        i = value_end(bytes, i)?;
        if i == start {
            return None;
        }
        out.push(start..i);
        while bytes.get(i).copied().is_some_and(ws) {
            i += 1;
        }
        match bytes.get(i)? {
            b',' => i += 1,
            b']' => return Some((out, i + 1)),
            _ => return None,
        }
        while bytes.get(i).copied().is_some_and(ws) {
            i += 1;
        }
    }
}

/// A number, as written; one whose value is beyond the range of a 64-bit float is an error
/// (as in serde_json). `j` parses `text[base..]`, and the number starts at `text[start]`.
pub(crate) fn number<'t>(
    text: &'t str,
    j: &mut Jiter<'_>,
    peek: Peek,
    start: usize,
    base: usize,
) -> Result<&'t str, ParseError> {
    j.known_number_bytes(peek)?;
    let raw = text.get(start..base + j.current_index()).unwrap_or("");
    let integer = !raw.contains(['.', 'e', 'E']);
    if !(integer && raw.parse::<i64>().is_ok()) && raw.parse::<f64>().map_or(true, f64::is_infinite)
    {
        return Err(ParseError {
            message: "number out of range".to_string(),
            offset: start - base,
        });
    }
    Ok(raw)
}

#[cfg(test)]
mod tests {
    #[test]
    fn structural_bytes_are_found_as_one_at_a_time() {
        // Every byte value, at every position of words and remainders, after lookalikes.
        let lookalikes = b"Yy_\x7f{[\"]}YZ ";
        for n in 0..40 {
            for b in 0..=255u8 {
                let mut bytes: Vec<u8> = (0..n).map(|i| lookalikes[i % 4]).collect();
                bytes.push(b);
                bytes.extend_from_slice(b"  ]");
                let naive = bytes
                    .iter()
                    .position(|&c| matches!(c, b'"' | b'[' | b']' | b'{' | b'}'));
                assert_eq!(super::structural(&bytes), naive, "{n} {b}");
            }
        }
        assert_eq!(super::structural(b""), None);
        assert_eq!(super::structural(b"Yy_ Yy_ Yy_"), None);
    }

    #[test]
    fn arm_comments_are_blanked_outside_strings_only() {
        let t = "{\"$schema\": \"https://schema.management.azure.com/x#\", // c\n \"a\": \"u//v \\\" /*w*/\" /* é\n */ }";
        let clean = super::arm_without_comments(t).unwrap();
        assert_eq!(clean.len(), t.len());
        assert_eq!(clean.lines().count(), t.lines().count());
        assert!(clean.contains("\"u//v \\\" /*w*/\""), "{clean}");
        assert!(!clean.contains("// c") && !clean.contains('é'), "{clean}");
        assert!(super::parse(&clean, 64).is_ok(), "{clean}");
        // Not a template, or no comment: nothing to do.
        assert_eq!(super::arm_without_comments("{} // c"), None);
        assert_eq!(
            super::arm_without_comments("{\"$schema\": \"https://schema.management.azure.com/\"}"),
            None
        );
    }
    use super::*;

    /// The text from where `n` starts.
    fn from<'a>(text: &'a str, n: &Node<'_>) -> &'a str {
        &text[n.start as usize..]
    }

    #[test]
    fn offsets_of_every_value() {
        let text = " {\"a\": [1, -2.5e3, \"x\\u00e9\"], \"b\": {\"c\": null, \"d\": true}} ";
        let root = parse(text, 8).unwrap();
        assert_eq!(from(text, &root), &text[1..]);
        let members = root.as_object().unwrap();
        assert_eq!(members[0].0, "a");
        let a = members[0].1.as_array().unwrap();
        let starts = ["1, -2.5e3", "-2.5e3, ", "\"x\\u00e9\"]"];
        for (n, start) in a.iter().zip(starts) {
            assert!(from(text, n).starts_with(start), "{}", from(text, n));
        }
        assert_eq!(a[2].as_str(), Some("xé"));
        assert!(matches!(a[2].kind, Kind::String(Cow::Owned(_))));
        assert!(matches!(members[0].0, Cow::Borrowed(_)));
        assert!(from(text, &members[1].1).starts_with("{\"c\": null"));
        assert_eq!(
            members[1].1.as_object().unwrap()[1].1.kind,
            Kind::Bool(true)
        );
    }

    #[test]
    fn errors_carry_an_offset() {
        let e = parse("{\"a\": [1, 2", 8).unwrap_err();
        assert!(e.message.contains("EOF while parsing"), "{e:?}");
        assert_eq!(parse("[1] x", 8).unwrap_err().offset, 4);
        assert_eq!(
            parse("1e400", 8).unwrap_err().message,
            "number out of range"
        );
        assert!(parse("123456789012345678901234567890", 8).is_ok());
    }

    #[test]
    fn depth_limit() {
        let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(parse(&deep(3), 3).is_ok());
        let e = parse(&deep(4), 3).unwrap_err();
        assert_eq!(
            (e.message.as_str(), e.offset),
            ("nesting deeper than 3 levels", 3)
        );
        assert!(parse(&deep(MAX_DEPTH_LIMIT), MAX_DEPTH_LIMIT).is_ok());
    }
}
