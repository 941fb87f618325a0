//! List documents loaded element by element, and large ones a range of elements at a time, in
//! parallel.
//!
//! A file that holds a whole collection as one list (`users.json` of a merged Graph list,
//! `Get-MgUser -All | ConvertTo-Json`, the machine list) would otherwise be parsed and loaded on
//! one thread, its whole tree held at once. Here a pass that builds nothing finds the list's
//! elements ([`tree::list_shape`], by structure only: each element is checked when it is
//! parsed). The source format reads the document with no elements (its head: the list's page,
//! the collections it provides) and says what the elements are ([`Builder::list_elements`]);
//! each element is then read on its own: by `streamed` straight from the parser's events
//! when it can, else parsed (byte offsets still those of the whole file) and read by the
//! format's own code ([`formats::element`]). A large list is cut into ranges of about
//! [`RANGE_BYTES`], loaded in parallel. A large UTF-8 file is never held whole
//! (`load_from_disk`): its list is first loaded in parts found by the text that separates its
//! first two elements, each part read where the one before ends, with no pass before
//! (`load_in_parts`: kept only when the parts line up); else its structure is found a window
//! of `WINDOW_BYTES` at a time, its other members and each range are read from the file by
//! their byte spans (`Disk`). Its text is read whole only when a problem needs a line (or when it is
//! not such a list: it is then loaded as any other file, its text dropped once its elements
//! are found). A list response smaller
//! than [`MIN_SPLIT_BYTES`] is read by element when `streamed` reads its elements, else
//! whole; when it is a plain page (an object whose only array is `value`), in one pass that
//! reads each element where the one before ends (`in_one_pass`), without the scan.
//!
//! The result is what the whole document gives, or nothing (and the file is loaded whole):
//! only formats whose elements load independently of one another are split (Graph and
//! Defender for Endpoint lists); a list whose format does not say what its elements are is
//! split only when large, each range read as the document with only those elements, which
//! must begin with exactly what the head wrote; and any parse error falls back to the whole
//! parse, which then reports it as before.

use super::formats::{self, streamed, Elements};
use super::{json, tree, Builder, FileLoad, Op, Ops};
use crate::model::{FileId, ListParts, Projection};
use rayon::prelude::*;
use std::borrow::Cow;

/// Files shorter than this are loaded whole.
pub const MIN_SPLIT_BYTES: usize = 2 << 20;
/// About how many bytes of elements one range holds.
pub const RANGE_BYTES: usize = 1 << 20;

/// Source formats (names in [`super::formats::FORMATS`]) whose list elements load
/// independently of one another.
const SPLITTABLE: &[&str] = &["graph", "defender-for-endpoint"];

/// What a document (or range) gave: its format, problems (with offsets) and operations.
struct Part {
    format: Option<usize>,
    problems: Vec<(super::LoadDiagnostic, u32)>,
    ops: Vec<Op>,
    /// What the list's elements are, when the format said each loads on its own.
    elements: Option<Elements>,
    /// Whether the document was read as an EntraExporter file.
    by_path: bool,
}

fn run(source: Source<'_>, doc: &tree::Node<'_>) -> Part {
    let mut b = Builder::new(source);
    b.document(doc);
    Part {
        format: b.format,
        problems: b.problems,
        ops: b.ops,
        elements: b.elements,
        by_path: b.by_path,
    }
}

/// Reads the elements of a list of `elements` into a [`Part`]: each by [`streamed`] when it
/// can, else through its tree by the format's own code.
struct ElementReader<'e> {
    b: Builder,
    file: FileId,
    read: (Option<usize>, bool),
    elements: &'e Elements,
    /// The nesting limit left for each element.
    depth: usize,
    strings: json::Strings,
    scratch: super::formats::streamed::Scratch,
}

impl<'e> ElementReader<'e> {
    fn new(
        (file, found, projection): Source<'_>,
        read: (Option<usize>, bool),
        elements: &'e Elements,
        depth: usize,
    ) -> Self {
        let mut b = Builder::new((file, found, projection));
        b.set_entra_exporter(read.1);
        ElementReader {
            b,
            file,
            read,
            elements,
            depth,
            strings: json::Strings::default(),
            scratch: Default::default(),
        }
    }

    /// The element `piece[local]` (`piece` is the document's text from byte `shift` on).
    /// None when it does not parse.
    fn range(&mut self, piece: &str, shift: usize, local: std::ops::Range<usize>) -> Option<()> {
        let pool = (&self.strings, &mut self.scratch, self.b.projection());
        let (elements, depth, file) = (self.elements, self.depth, self.file);
        match streamed::element(elements, piece, shift, local.clone(), depth, file, pool) {
            Some(op) => self.b.extend(op),
            None => self.by_tree(piece, shift, local)?,
        }
        Some(())
    }

    /// The element that starts at offset `start` of the document, in `piece` (its text from
    /// byte `shift` on), and the offset where it ends. None when it does not parse.
    fn at(&mut self, (piece, shift): (&str, usize), start: usize) -> Option<usize> {
        let pool = (&self.strings, &mut self.scratch, self.b.projection());
        let (elements, depth, file) = (self.elements, self.depth, self.file);
        match streamed::element_at(elements, (piece, shift), start, depth, file, pool) {
            Some((op, end)) => {
                self.b.extend(op);
                Some(end)
            }
            None => {
                let local = start.checked_sub(shift)?;
                let end = tree::value_end(piece.as_bytes(), local)?;
                self.by_tree(piece, shift, local..end)?;
                Some(shift + end)
            }
        }
    }

    /// The element `piece[local]` read through its tree by the format's own code.
    fn by_tree(&mut self, piece: &str, shift: usize, local: std::ops::Range<usize>) -> Option<()> {
        let node = tree::parse_piece(piece, shift, local, self.depth).ok()?;
        let at = json::At::new(&node, self.file, &self.strings);
        formats::element(&mut self.b, self.elements, &at);
        Some(())
    }

    fn part(self) -> Part {
        Part {
            format: self.read.0,
            problems: self.b.problems,
            ops: self.b.ops,
            elements: None,
            by_path: self.read.1,
        }
    }
}

/// Loads the elements `list` (ranges of the document) of a list of `elements`, from `piece`,
/// the document's text from byte `shift` on, with an [`ElementReader`]. None when an element
/// does not parse.
fn elements_part(
    (file, found, projection): Source<'_>,
    read: (Option<usize>, bool),
    elements: &Elements,
    (piece, shift): (&str, usize),
    list: &[std::ops::Range<usize>],
    depth: usize,
) -> Option<Part> {
    let mut reader = ElementReader::new((file, found, projection), read, elements, depth);
    // An operation per element, mostly: held until the whole list is read, so without room
    // to spare.
    reader.b.ops.reserve_exact(list.len());
    for e in list {
        let local = e.start.checked_sub(shift)?..e.end.checked_sub(shift)?;
        reader.range(piece, shift, local)?;
    }
    Some(reader.part())
}

/// A small list response (an object whose only array is its `value`) read in one pass: the
/// elements of its list read by [`streamed`] as the walk reaches them, instead of found by a
/// scan first, the format's reading of the members before the list saying what they are.
/// None when that reading is not confirmed by the whole head (members after the list
/// included) as [`load`] checks it, or anything else differs from [`load`]'s reading element
/// by element, which then runs: the result is the same either way.
fn in_one_pass(
    (file, found, projection): Source<'_>,
    text: &str,
    max_depth: usize,
) -> Option<FileLoad> {
    use jiter::{Jiter, Peek};
    u32::try_from(text.len()).ok()?;
    if max_depth < 3 {
        return None;
    }
    let bytes = text.as_bytes();
    let mut j = Jiter::new(bytes);
    if j.peek().ok()? != Peek::Object {
        return None;
    }
    let start = j.current_index() as u32;
    // The parser reads `text[base..]`: it starts again after the list.
    let mut base = 0;
    let mut members: Vec<tree::Member<'_>> = Vec::new();
    let mut spans = Vec::new();
    let mut list = None;
    let mut key = j.known_object().ok()?.map(|k| tree::reborrow(text, k));
    while let Some(k) = key {
        let peek = j.peek().ok()?;
        let at = base + j.current_index();
        if peek == Peek::Array {
            if list.is_some() || !k.eq_ignore_ascii_case("value") {
                return None;
            }
            let empty = tree::Node {
                start: at as u32,
                kind: tree::Kind::Array(Box::default()),
            };
            members.push((k, empty));
            let before = tree::ListShape {
                members: Some((members.clone(), members.len() - 1)),
                start,
                list_start: at as u32,
                elements: Vec::new(),
                spans: Vec::new(),
            };
            let head = run((file, found, projection), &before.document(Box::default()));
            let elements = head
                .elements
                .clone()
                .filter(|e| splittable(&head) && streamed::supports(e))?;
            let read = (head.format, head.by_path);
            let (part, ranges, end) = list_part(
                (file, found, projection),
                read,
                &elements,
                text,
                at,
                max_depth - 2,
            )?;
            spans.push(at..end);
            list = Some((members.len() - 1, at as u32, ranges, part, elements));
            (base, j) = (end, Jiter::new(bytes.get(end..)?));
        } else {
            j.known_skip(peek).ok()?;
            let range = at..base + j.current_index();
            members.push((
                k,
                tree::parse_range(text, range.clone(), max_depth - 1).ok()?,
            ));
            spans.push(range);
        }
        key = j.next_key().ok()?.map(|k| tree::reborrow(text, k));
    }
    j.finish().ok()?;
    let (index, list_start, ranges, part, elements) = list?;
    let shape = tree::ListShape {
        members: Some((members, index)),
        start,
        list_start,
        elements: ranges,
        spans,
    };
    let head = run((file, found, projection), &shape.document(Box::default()));
    let first = shape
        .elements
        .first()
        .map(|e| tree::parse_range(text, e.clone(), max_depth - 2).ok());
    let confirmed = (head.format, head.by_path) == (part.format, part.by_path)
        && head.elements.as_ref() == Some(&elements)
        && splittable(&head)
        && head_holds((file, found, projection), &shape, first, &head);
    if !confirmed {
        return None;
    }
    let (mut problems, mut ops) = (head.problems, Ops::from(head.ops));
    problems.extend(part.problems);
    ops.extend(part.ops);
    Some(FileLoad::positioned(true, problems, ops, text))
}

/// The elements of the array whose `[` is at `open` in `text`, read by an [`ElementReader`],
/// each found where the one before ends: what they give, their byte ranges, and
/// the offset just after the array. None when an element does not parse or the array does
/// not go on with `,` or `]`.
fn list_part(
    (file, found, projection): Source<'_>,
    read: (Option<usize>, bool),
    elements: &Elements,
    text: &str,
    open: usize,
    depth: usize,
) -> Option<(Part, Vec<std::ops::Range<usize>>, usize)> {
    let mut reader = ElementReader::new((file, found, projection), read, elements, depth);
    let mut ranges = Vec::new();
    let first = skip_ws(text.as_bytes(), open + 1);
    let end = match text.as_bytes().get(first)? {
        b']' => first + 1,
        _ => match read_elements(&mut reader, (text, 0), first, None, |r| ranges.push(r))? {
            Stop::End(end) => end,
            Stop::Next(_) => return None,
        },
    };
    Some((reader.part(), ranges, end))
}

/// The first offset from `i` on of `bytes` that is not JSON whitespace.
fn skip_ws(bytes: &[u8], mut i: usize) -> usize {
    while matches!(bytes.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

/// Reads with `reader` the elements of a list from the element that starts at `from` on, each
/// where the one before ends, in `piece` (the document's text from byte `shift` on), handing
/// each one's byte range to `seen`: as far as the list's `]` ([`Stop::End`], the offset after
/// it), or as far as the first element that starts at or past `next` ([`Stop::Next`]). None
/// when an element does not parse or the list does not go on with `,` or `]`.
fn read_elements(
    reader: &mut ElementReader<'_>,
    (piece, shift): (&str, usize),
    from: usize,
    next: Option<usize>,
    mut seen: impl FnMut(std::ops::Range<usize>),
) -> Option<Stop> {
    let bytes = piece.as_bytes();
    let mut i = from;
    loop {
        let end = reader.at((piece, shift), i)?;
        seen(i..end);
        i = shift + skip_ws(bytes, end.checked_sub(shift)?);
        match bytes.get(i - shift)? {
            b',' => i = shift + skip_ws(bytes, i - shift + 1),
            b']' => return Some(Stop::End(i + 1)),
            _ => return None,
        }
        if next.is_some_and(|n| i >= n) {
            return Some(Stop::Next(i));
        }
    }
}

/// Whether the format that read `head` is one whose elements load on their own, and it wrote
/// no cloud account (accounts are merged per file).
fn splittable(head: &Part) -> bool {
    head.format
        .and_then(|f| super::formats::FORMATS.get(f))
        .is_some_and(|f| {
            SPLITTABLE.contains(&f.name)
                && !head.ops.iter().any(|op| matches!(op, Op::Account { .. }))
        })
}

/// Whether the document's `head` (the format's reading of it without elements) stands for the
/// whole document when its elements are read one by one: its list is the one the formats read
/// (a top-level array, or the last member named `value` in any case, as [`json::At::get`]
/// finds it), and the document with its `first` element (None: it has none; Some(None): it
/// does not parse) is read by the same format, with the same kind of elements (a format may
/// recognise a document by its first element).
fn head_holds(
    (file, found, projection): Source<'_>,
    shape: &tree::ListShape<'_>,
    first: Option<Option<tree::Node<'_>>>,
    head: &Part,
) -> bool {
    let list_is_value = shape.members.as_ref().is_none_or(|(members, index)| {
        members
            .iter()
            .rposition(|(key, _)| key.eq_ignore_ascii_case("value"))
            == Some(*index)
    });
    match first {
        _ if !list_is_value => false,
        None => true,
        Some(None) => false,
        Some(Some(first)) => {
            let probe = run(
                (file, found, projection),
                &shape.document(Box::new([first])),
            );
            probe.format == head.format
                && probe.elements == head.elements
                && probe.by_path == head.by_path
        }
    }
}

/// Splits `elements` into consecutive ranges of about `bytes` bytes each (at least one
/// element each); their concatenation is `elements`.
pub fn ranges(elements: &[std::ops::Range<usize>], bytes: usize) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let (mut first, mut size) = (0, 0);
    for (i, e) in elements.iter().enumerate() {
        size += e.len();
        if size >= bytes {
            out.push(first..i + 1);
            (first, size) = (i + 1, 0);
        }
    }
    if first < elements.len() {
        out.push(first..elements.len());
    }
    out
}

/// Parses the elements `range` of `shape` (offsets those of the whole text).
pub fn parse_elements<'t>(
    text: &'t str,
    shape: &tree::ListShape<'t>,
    range: std::ops::Range<usize>,
    max_depth: usize,
) -> Result<Box<[tree::Node<'t>]>, tree::ParseError> {
    let depth = max_depth.saturating_sub(shape.element_depth());
    shape
        .elements
        .get(range)
        .unwrap_or_default()
        .iter()
        .map(|e| tree::parse_range(text, e.clone(), depth))
        .collect()
}

/// Where the text of a document came from: its file, and how many bytes of BOM precede the
/// text in it; ranges are then read again from the file, and the whole text is not held
/// while they load. UTF-16 files are not read again (their text is not the file's bytes).
pub(super) struct Disk<'a> {
    /// The file to read the ranges from.
    pub path: &'a std::path::Path,
    /// Bytes of the file before the decoded text (a UTF-8 BOM: 3, else 0).
    pub bom: usize,
}

/// The document's members as owned text (`key`, the value's text, its offset), the index of
/// the list among them, and the offsets of the document and of its list: what each range
/// needs of the document once its whole text is dropped.
/// The file a document is (its id and where it was found) and the fields its records keep.
pub(super) type Source<'a> = (FileId, &'a super::walk::Found, Option<&'a Projection>);

type OwnedHead = (Vec<(String, String, usize)>, usize, u32, u32);

/// Reads the text of `elements` (ranges of the decoded text) from `disk`: the text from the
/// first element's start to the last one's end.
fn read_piece(disk: &Disk<'_>, elements: &[std::ops::Range<usize>]) -> Option<(String, usize)> {
    use std::io::{Read, Seek};
    let from = elements.first()?.start;
    let to = elements.last()?.end;
    let mut f = std::fs::File::open(disk.path).ok()?;
    f.seek(std::io::SeekFrom::Start((from + disk.bom) as u64))
        .ok()?;
    let mut bytes = vec![0; to.checked_sub(from)?];
    f.read_exact(&mut bytes).ok()?;
    Some((String::from_utf8(bytes).ok()?, from))
}

/// Loads `text` a range of elements at a time, when it is a list of a splittable format
/// large enough; Err gives the text back to load it whole. With `disk`, the text is dropped
/// once the list's elements are found and each range is read again from the file.
pub(super) fn load<'t>(
    (file, found, projection): Source<'_>,
    text: Cow<'t, str>,
    disk: Option<Disk<'_>>,
    max_depth: usize,
) -> Result<FileLoad, Cow<'t, str>> {
    let large = text.len() >= MIN_SPLIT_BYTES;
    // A small document is worth the pass that finds its elements only when it is a list
    // response whose elements are read without their tree.
    if !large && !text.contains("\"value\"") && !text.contains("\"Value\"") {
        return Err(text);
    }
    if !large {
        if let Some(done) = in_one_pass((file, found, projection), &text, max_depth) {
            return Ok(done);
        }
    }
    let Some(shape) = tree::list_shape(&text, max_depth) else {
        return Err(text);
    };
    // What the format writes before any element: from the document without elements.
    let head = run((file, found, projection), &shape.document(Box::default()));
    let splittable = splittable(&head);
    if !splittable {
        return Err(text);
    }
    let depth = max_depth.saturating_sub(shape.element_depth());
    let first = || {
        let e = shape.elements.first()?;
        Some(tree::parse_range(&text, e.clone(), depth).ok())
    };
    if let Some(elements) = head
        .elements
        .clone()
        .filter(|e| large || streamed::supports(e))
        .filter(|_| head_holds((file, found, projection), &shape, first(), &head))
    {
        let list = shape.elements;
        return by_element(
            (file, found, projection),
            Some(text),
            disk,
            depth,
            list,
            head,
            &elements,
        )
        .map_err(Option::unwrap_or_default);
    }
    let chunks = ranges(&shape.elements, RANGE_BYTES);
    if !large || chunks.len() < 2 {
        return Err(text);
    }
    let Some(disk) = disk else {
        let parts = load_parts(head, &chunks, |range| {
            let elements = parse_elements(&text, &shape, range, max_depth).ok()?;
            Some(run((file, found, projection), &shape.document(elements)))
        });
        return match parts {
            Some((problems, ops)) => Ok(FileLoad::positioned(true, problems, ops, &text)),
            None => Err(text),
        };
    };
    // The members of the document but its list, as owned text; then the text is dropped.
    let owned: OwnedHead = {
        let members = shape
            .members
            .as_ref()
            .map_or(&[][..], |(m, _)| m.as_slice());
        let index = shape.members.as_ref().map_or(0, |(_, i)| *i);
        // The list itself is left empty: its elements are read by range.
        let copies = members
            .iter()
            .zip(&shape.spans)
            .enumerate()
            .map(|(i, ((k, _), span))| {
                let value = match i == index {
                    true => String::new(),
                    false => text.get(span.clone()).unwrap_or("").to_string(),
                };
                (k.to_string(), value, span.start)
            })
            .collect();
        (copies, index, shape.start, shape.list_start)
    };
    let object = shape.members.is_some();
    let elements = shape.elements;
    drop(text);
    let (copies, index, start, list_start) = &owned;
    let range = (*start as usize, *list_start as usize);
    let shape = head_shape(object.then_some(copies), *index, range, max_depth).map(|mut s| {
        s.elements = elements;
        s
    });
    let parts = shape.as_ref().and_then(|shape| {
        load_parts(head, &chunks, |range| {
            let (piece, shift) = read_piece(&disk, shape.elements.get(range.clone())?)?;
            let depth = max_depth.saturating_sub(shape.element_depth());
            let nodes = shape
                .elements
                .get(range)?
                .iter()
                .map(|e| tree::parse_piece(&piece, shift, e.start - shift..e.end - shift, depth))
                .collect::<Result<Box<[_]>, _>>()
                .ok()?;
            Some(run((file, found, projection), &shape.document(nodes)))
        })
    });
    from_disk(parts, &disk, found).map_err(Cow::Owned)
}

/// The load of a document whose ranges were read from `disk` (its text dropped): `parts`,
/// positioned in the text read again when something needs a line; None (the file changed
/// while it was read) gives the text read again, to load whole.
fn from_disk(
    parts: Option<Loaded>,
    disk: &Disk<'_>,
    found: &super::walk::Found,
) -> Result<FileLoad, String> {
    let again = || {
        std::fs::read(disk.path)
            .ok()
            .and_then(|b| super::decode::decode_owned(b).ok())
    };
    let vanished = || {
        FileLoad::failed(super::diag(
            found,
            super::DiagLevel::Error,
            "cannot read: the file changed while it was read".to_string(),
        ))
    };
    match parts {
        Some((problems, ops)) => {
            // The text is read again only when there is something to position in it.
            let needed = !problems.is_empty()
                || ops
                    .iter()
                    .any(|op| matches!(op, Op::Page(page, _) if page.to_place()));
            let text = if needed { again() } else { Some(String::new()) };
            match text {
                Some(text) => Ok(FileLoad::positioned(true, problems, ops, &text)),
                None => Ok(vanished()),
            }
        }
        // The file changed since it was read: it is read again, whole.
        None => again().map_or_else(|| Ok(vanished()), Err),
    }
}

/// Loads a list of `elements` (whose byte ranges are `list`) element by element after its
/// `head` (see [`elements_part`]); a large one in ranges of about [`RANGE_BYTES`], in
/// parallel, its text dropped and each range read again from `disk` when there is one. Err
/// gives the text back (read again if it was dropped) to load whole, when an element does not
/// parse.
fn by_element<'t>(
    (file, found, projection): Source<'_>,
    text: Option<Cow<'t, str>>,
    disk: Option<Disk<'_>>,
    depth: usize,
    list: Vec<std::ops::Range<usize>>,
    head: Part,
    elements: &Elements,
) -> Result<FileLoad, Option<Cow<'t, str>>> {
    let large = text.as_ref().is_none_or(|t| t.len() >= MIN_SPLIT_BYTES);
    let chunks = ranges(&list, if large { RANGE_BYTES } else { usize::MAX });
    let read = (head.format, head.by_path);
    let part = |piece: (&str, usize), range: &std::ops::Range<usize>| {
        let list = list.get(range.clone())?;
        elements_part(
            (file, found, projection),
            read,
            elements,
            piece,
            list,
            depth,
        )
    };
    let join = |parts: Option<Vec<Part>>| {
        parts.map(|parts| {
            let (mut problems, mut ops) = (head.problems, Ops::from(head.ops));
            for p in parts {
                problems.extend(p.problems);
                ops.extend(p.ops);
            }
            (problems, ops)
        })
    };
    match (text, disk.filter(|_| large)) {
        (Some(text), None) => {
            let parts = chunks
                .par_iter()
                .with_max_len(1)
                .map(|range| part((&text, 0), range))
                .collect();
            match join(parts) {
                Some((problems, ops)) => Ok(FileLoad::positioned(true, problems, ops, &text)),
                None => Err(Some(text)),
            }
        }
        (text, Some(disk)) => {
            drop(text);
            let parts = chunks
                .par_iter()
                .with_max_len(1)
                .map(|range| {
                    let (piece, shift) = read_piece(&disk, list.get(range.clone())?)?;
                    part((&piece, shift), range)
                })
                .collect();
            from_disk(join(parts), &disk, found).map_err(|t| Some(Cow::Owned(t)))
        }
        (None, None) => Err(None),
    }
}

/// The problems (with offsets) and operations of a whole document.
type Loaded = (Vec<(super::LoadDiagnostic, u32)>, Ops);

/// Loads each range of `chunks` in parallel with `part` (None: the split fails), and checks
/// that each begins with what `head` wrote; the problems and operations of the whole
/// document, or None.
fn load_parts(
    head: Part,
    chunks: &[std::ops::Range<usize>],
    part: impl Fn(std::ops::Range<usize>) -> Option<Part> + Sync,
) -> Option<Loaded> {
    let format = head.format;
    let head_ops: Vec<String> = head.ops.iter().map(|op| format!("{op:?}")).collect();
    let head_problems: Vec<String> = head.problems.iter().map(|p| format!("{p:?}")).collect();
    let parts: Vec<Part> = chunks
        .par_iter()
        .with_max_len(1)
        .map(|range| {
            let mut part = part(range.clone())?;
            // The same format, and the same head, then the elements' own operations.
            let same_head = part.format == format
                && part.ops.len() >= head_ops.len()
                && part.problems.len() >= head_problems.len()
                && part
                    .ops
                    .iter()
                    .zip(&head_ops)
                    .all(|(op, h)| format!("{op:?}") == *h)
                && part
                    .problems
                    .iter()
                    .zip(&head_problems)
                    .all(|(p, h)| format!("{p:?}") == *h);
            if !same_head || part.ops.iter().any(|op| matches!(op, Op::Account { .. })) {
                return None;
            }
            part.ops.drain(..head_ops.len());
            part.problems.drain(..head_problems.len());
            Some(part)
        })
        .collect::<Option<Vec<Part>>>()?;
    let mut problems = head.problems;
    let mut ops = Ops::from(head.ops);
    for part in parts {
        problems.extend(part.problems);
        ops.extend(part.ops);
    }
    Some((problems, ops))
}

/// The decoded text of a file on disk, read a window at a time: offsets are those of the
/// text (after any BOM); what lies before the window has been let go.
struct Window {
    file: std::fs::File,
    /// How much is read at a time ([`WINDOW_BYTES`]; less in tests).
    chunk: usize,
    /// The text from `base` on, as far as it was read.
    buf: Vec<u8>,
    base: usize,
    eof: bool,
}

/// How much a window reads at a time.
const WINDOW_BYTES: usize = 4 << 20;

impl Window {
    fn open(disk: &Disk<'_>, chunk: usize) -> Option<Self> {
        Window::open_at(disk, chunk, 0)
    }

    /// A window whose text starts at offset `base` of the text.
    fn open_at(disk: &Disk<'_>, chunk: usize, base: usize) -> Option<Self> {
        use std::io::{Seek, SeekFrom};
        let mut file = std::fs::File::open(disk.path).ok()?;
        file.seek(SeekFrom::Start((disk.bom + base) as u64)).ok()?;
        Some(Window {
            file,
            chunk: chunk.max(1),
            buf: Vec::new(),
            base,
            eof: false,
        })
    }

    /// Reads at least `more` bytes more (fewer at the end of the file).
    fn read(&mut self, more: usize) -> Option<()> {
        use std::io::Read;
        let want = more.max(self.chunk);
        // Room for exactly what is read: a window is not let grow to twice its size.
        self.buf.reserve_exact(want);
        let got = (&mut self.file)
            .take(want as u64)
            .read_to_end(&mut self.buf)
            .ok()?;
        self.eof = got < want;
        Some(())
    }

    /// The byte at `at`, reading as far as it; None past the end of the text.
    fn byte(&mut self, at: usize) -> Option<u8> {
        while at.checked_sub(self.base)? >= self.buf.len() {
            if self.eof {
                return None;
            }
            self.read(self.chunk)?;
        }
        self.buf.get(at.checked_sub(self.base)?).copied()
    }

    /// The first offset from `at` on that is not JSON whitespace; None at the end of the text.
    fn skip_ws(&mut self, mut at: usize) -> Option<usize> {
        while matches!(self.byte(at)?, b' ' | b'\t' | b'\n' | b'\r') {
            at += 1;
        }
        Some(at)
    }

    /// The end of the value that starts at `at` ([`tree::value_end`]), reading as far as it.
    fn value_end(&mut self, at: usize) -> Option<usize> {
        self.byte(at)?;
        let mut more = self.chunk;
        loop {
            let from = at.checked_sub(self.base)?;
            // A value that reaches the end of what was read may go on: read more (twice as
            // much each time, so a large value is scanned a few times, not once per window).
            match tree::value_end(&self.buf, from) {
                Some(end) if end < self.buf.len() || self.eof => return Some(self.base + end),
                None if self.eof => return None,
                _ => {
                    self.read(more)?;
                    more = more.saturating_mul(2);
                }
            }
        }
    }

    /// The key (unescaped) of the object member that starts at `at`, and where its value
    /// starts; None when no key and colon are there.
    fn member(&mut self, at: usize) -> Option<(String, usize)> {
        if self.byte(at)? != b'"' {
            return None;
        }
        let key_end = self.value_end(at)?;
        let key = self
            .buf
            .get(at.checked_sub(self.base)?..key_end.checked_sub(self.base)?)?;
        let key = std::str::from_utf8(key).ok()?;
        let key = tree::parse(key, 1).ok()?.as_str()?.to_string();
        let colon = self.skip_ws(key_end)?;
        if self.byte(colon)? != b':' {
            return None;
        }
        self.skip_ws(colon + 1).map(|value| (key, value))
    }

    /// Lets go of the text before `before` once enough of it is held.
    fn forget(&mut self, before: usize) {
        let n = before.saturating_sub(self.base);
        if n >= self.chunk && n <= self.buf.len() {
            self.buf.drain(..n);
            self.base += n;
        }
    }
}

/// A member of a document: its key (unescaped), and the span of its value.
type KeySpan = (String, std::ops::Range<usize>);

/// A list document's structure found from its file without holding its text: the keys and
/// value spans of its members (none for a top-level array), the index of the list among them,
/// where the document and the list start, and the list's elements.
struct FileShape {
    members: Option<(Vec<KeySpan>, usize)>,
    start: usize,
    list_start: usize,
    elements: Vec<std::ops::Range<usize>>,
}

/// The elements of the array whose `[` is at `open`, and the offset after its `]`, as
/// [`tree::scan_elements`] finds them, reading the window as it goes.
fn scan_window_list(w: &mut Window, open: usize) -> Option<(Vec<std::ops::Range<usize>>, usize)> {
    let mut i = w.skip_ws(open + 1)?;
    let mut out = Vec::new();
    if w.byte(i)? == b']' {
        return Some((out, i + 1));
    }
    loop {
        let end = w.value_end(i)?;
        if end == i {
            return None;
        }
        out.push(i..end);
        w.forget(i);
        i = w.skip_ws(end)?;
        match w.byte(i)? {
            b',' => i = w.skip_ws(i + 1)?,
            b']' => return Some((out, i + 1)),
            _ => return None,
        }
    }
}

/// Where the reading of a part of a list's elements stopped: at the start of an element (at
/// or past the part's end), or after the list's `]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    Next(usize),
    End(usize),
}

/// The text from the last byte of one object element (`}`, at `last`) to the first byte of
/// the next (`{`, at `next`), with the next element's first key: what tells where elements
/// start in a part of the list taken at random (a pretty file indents its elements' braces
/// less than any nested object's; a minified one starts its elements with the same key).
/// None when the elements are not objects.
fn separator(w: &mut Window, last: usize, next: usize) -> Option<Vec<u8>> {
    if w.byte(last)? != b'}' || w.byte(next)? != b'{' {
        return None;
    }
    let key = w.skip_ws(next + 1)?;
    let key_end = match w.byte(key)? {
        b'"' => w.value_end(key)?,
        _ => next + 1,
    };
    (last..key_end).map(|i| w.byte(i)).collect()
}

/// Where the parts of a list start, for parts of about `part` bytes of the text from
/// `start` (the list's first element) to `len` (the text's end): `start`, then the first place
/// after each multiple of `part` where `sep` ([`separator`]) is found, its `{`; in increasing
/// order. A part with no separator is taken with the one before it. These are only candidates:
/// whoever reads the parts checks that each ends where the next begins. None when the file
/// cannot be read.
fn part_starts(
    disk: &Disk<'_>,
    (start, len): (usize, usize),
    part: usize,
    sep: &[u8],
) -> Option<Vec<usize>> {
    let finder = memchr::memmem::Finder::new(sep);
    // Where the next element's `{` is in the separator.
    let brace = sep.iter().position(|&b| b == b'{')?;
    let part = part.max(1);
    let found: Vec<Option<usize>> = (start / part + 1..len / part)
        .into_par_iter()
        .map(|k| {
            let at = k * part;
            let mut w = Window::open_at(disk, 1 << 16, at)?;
            let mut from = at;
            loop {
                w.byte(from + sep.len())?;
                let hay = w.buf.get(from.checked_sub(w.base)?..)?;
                if let Some(p) = finder.find(hay) {
                    return Some(from + p + brace);
                }
                from = (w.base + w.buf.len()).saturating_sub(sep.len());
                if from >= at + part {
                    return None;
                }
                w.forget(from);
                w.read(w.chunk)?;
            }
        })
        .collect();
    let mut starts = vec![start];
    for c in found.into_iter().flatten() {
        if starts.last().is_some_and(|&l| c > l) {
            starts.push(c);
        }
    }
    Some(starts)
}

/// [`tree::list_shape`] of the text of `disk`, read a window at a time: the same list (the
/// longest array member of a top-level object, or a top-level array), found by structure
/// only (each element and member is checked when it is parsed). None when the text is not a
/// document of that shape.
fn scan_file(disk: &Disk<'_>, chunk: usize) -> Option<FileShape> {
    let mut w = Window::open(disk, chunk)?;
    let start = w.skip_ws(0)?;
    let (members, list_start, elements, end) = match w.byte(start)? {
        b'[' => {
            let (elements, end) = scan_window_list(&mut w, start)?;
            (None, start, elements, end)
        }
        b'{' => {
            let mut members = Vec::new();
            // The longest array so far: its index among the members, span and elements.
            let mut best: Option<(usize, std::ops::Range<usize>, Vec<std::ops::Range<usize>>)> =
                None;
            let mut i = w.skip_ws(start + 1)?;
            if w.byte(i)? == b'}' {
                return None;
            }
            let end = loop {
                let (key, value) = w.member(i)?;
                let value_end = if w.byte(value)? == b'[' {
                    let (found, end) = scan_window_list(&mut w, value)?;
                    if best.as_ref().is_none_or(|(_, r, _)| end - value > r.len()) {
                        best = Some((members.len(), value..end, found));
                    }
                    end
                } else {
                    w.value_end(value)?
                };
                members.push((key, value..value_end));
                i = w.skip_ws(value_end)?;
                match w.byte(i)? {
                    b',' => i = w.skip_ws(i + 1)?,
                    b'}' => break i + 1,
                    _ => return None,
                }
            };
            let (index, list, elements) = best?;
            (Some((members, index)), list.start, elements, end)
        }
        _ => return None,
    };
    // Nothing but whitespace after the document.
    if w.skip_ws(end).is_some() {
        return None;
    }
    Some(FileShape {
        members,
        start,
        list_start,
        elements,
    })
}

/// The text of `span` of the decoded text of `disk`.
fn read_span(disk: &Disk<'_>, span: &std::ops::Range<usize>) -> Option<String> {
    read_piece(disk, std::slice::from_ref(span)).map(|(text, _)| text)
}

/// The members `keys` of a document on `disk` as owned text: each key, its value's text and
/// offset; the list's (the `index`th) text left empty. Their values are small.
fn read_members(
    disk: &Disk<'_>,
    keys: Vec<KeySpan>,
    index: usize,
) -> Option<Vec<(String, String, usize)>> {
    keys.into_iter()
        .enumerate()
        .map(|(i, (key, span))| {
            let value = match i == index {
                true => String::new(),
                false => read_span(disk, &span)?,
            };
            Some((key, value, span.start))
        })
        .collect()
}

/// The members [`read_members`] gave, parsed (offsets those of the document; the limit
/// `max_depth` counts the document), the list as an empty array at `list_start`.
fn member_nodes(
    copies: &[(String, String, usize)],
    index: usize,
    list_start: usize,
    max_depth: usize,
) -> Option<Vec<tree::Member<'_>>> {
    copies
        .iter()
        .enumerate()
        .map(|(i, (k, value, at))| {
            let node = match i == index {
                true => tree::Node {
                    start: u32::try_from(list_start).ok()?,
                    kind: tree::Kind::Array(Box::default()),
                },
                false => tree::parse_piece(value, *at, 0..value.len(), max_depth - 1).ok()?,
            };
            Some((std::borrow::Cow::Borrowed(k.as_str()), node))
        })
        .collect()
}

/// The document's head as [`run`] reads it: the members [`read_members`] gave (None for a
/// top-level array), the list (the `index`th member) empty at `list_start`, the document at
/// `start`.
fn head_shape(
    members: Option<&[(String, String, usize)]>,
    index: usize,
    (start, list_start): (usize, usize),
    max_depth: usize,
) -> Option<tree::ListShape<'_>> {
    let members = match members {
        Some(copies) => Some((member_nodes(copies, index, list_start, max_depth)?, index)),
        None => None,
    };
    Some(tree::ListShape {
        members,
        start: u32::try_from(start).ok()?,
        list_start: u32::try_from(list_start).ok()?,
        elements: Vec::new(),
        spans: Vec::new(),
    })
}

/// Loads a large list document of `disk` as [`load_from_disk`] does, without the pass that
/// finds every element first.
///
/// The members before the list (the first array member named `value` in any case, or a
/// top-level array) and its first two elements are read from the start of the file. The list
/// is cut into parts of about `part` bytes ([`RANGE_BYTES`]) where the text between its first
/// two elements is found again ([`part_starts`]), and each part's elements are read in
/// parallel, each where the one before ends. The parts are kept only when each ended exactly
/// where the next began (each then began at an element, as a reading from the list's start
/// would have found), no array before or after the list is as long, and the format's reading
/// of the whole head is the one of the members before the list ([`head_holds`] included: no
/// `value` after the list). None otherwise (the parts' work is then lost):
/// [`load_from_disk`]'s way runs, to the same result.
fn load_in_parts(
    source: Source<'_>,
    disk: &Disk<'_>,
    max_depth: usize,
    part: usize,
) -> Option<FileLoad> {
    let len = usize::try_from(std::fs::metadata(disk.path).ok()?.len())
        .ok()?
        .checked_sub(disk.bom)?;
    let mut w = Window::open(disk, 1 << 16)?;
    let start = w.skip_ws(0)?;
    let object = match w.byte(start)? {
        b'{' => true,
        b'[' => false,
        _ => return None,
    };
    // The members before the list, and the length of the longest array among them.
    let mut keys: Vec<KeySpan> = Vec::new();
    let mut longest_before = 0;
    let open = match object {
        false => start,
        true => {
            let mut i = w.skip_ws(start + 1)?;
            loop {
                let (key, value) = w.member(i)?;
                let array = w.byte(value)? == b'[';
                if array && key.eq_ignore_ascii_case("value") {
                    keys.push((key, value..value));
                    break value;
                }
                let end = w.value_end(value)?;
                if array {
                    longest_before = longest_before.max(end - value);
                }
                keys.push((key, value..end));
                i = w.skip_ws(end)?;
                if w.byte(i)? != b',' {
                    return None;
                }
                i = w.skip_ws(i + 1)?;
            }
        }
    };
    let index = keys.len().saturating_sub(1);
    let first = w.skip_ws(open + 1)?;
    if w.byte(first)? == b']' {
        return None;
    }
    let first_end = w.value_end(first)?;
    let comma = w.skip_ws(first_end)?;
    if w.byte(comma)? != b',' {
        return None;
    }
    let second = w.skip_ws(comma + 1)?;
    let sep = separator(&mut w, first_end.checked_sub(1)?, second)?;
    drop(w);
    // What the format says the elements are, from the members before the list.
    let before = read_members(disk, keys.clone(), index)?;
    let shape = head_shape(object.then_some(&before), index, (start, open), max_depth)?;
    let spec = run(source, &shape.document(Box::default()));
    let elements = spec.elements.clone().filter(|_| splittable(&spec))?;
    let read = (spec.format, spec.by_path);
    let depth = max_depth.saturating_sub(shape.element_depth());
    let starts = part_starts(disk, (first, len), part, &sep)?;
    let parts: Vec<(Part, Stop, usize)> = (0..starts.len())
        .into_par_iter()
        .with_max_len(1)
        .map(|k| {
            let from = *starts.get(k)?;
            let next = starts.get(k + 1).copied();
            let piece = read_span(disk, &(from..next.unwrap_or(len)))?;
            let mut reader = ElementReader::new(source, read, &elements, depth);
            // An operation per element, mostly, held until the whole list is read: room for
            // as many as elements of the first one's size, and no more once read.
            reader
                .b
                .ops
                .reserve(piece.len() / (first_end - first).max(1) + 1);
            let mut elements = 0;
            let stop = read_elements(&mut reader, (&piece, from), from, next, |_| elements += 1)?;
            reader.b.ops.shrink_to_fit();
            Some((reader.part(), stop, elements))
        })
        .collect::<Option<_>>()?;
    let mut end = None;
    for (k, (_, stop, _)) in parts.iter().enumerate() {
        match (stop, starts.get(k + 1)) {
            (Stop::Next(next), Some(expected)) if next == expected => {}
            (Stop::End(after), None) => end = Some(*after),
            _ => return None,
        }
    }
    let end = end?;
    let list = end - open;
    if longest_before >= list {
        return None;
    }
    // The members after the list, then nothing but whitespace.
    let mut w = Window::open_at(disk, 1 << 16, end)?;
    let mut i = end;
    if object {
        i = w.skip_ws(i)?;
        loop {
            match w.byte(i)? {
                b'}' => break,
                b',' => {}
                _ => return None,
            }
            let at = w.skip_ws(i + 1)?;
            let (key, value) = w.member(at)?;
            let value_end = w.value_end(value)?;
            if w.byte(value)? == b'[' && value_end - value > list {
                return None;
            }
            keys.push((key, value..value_end));
            i = w.skip_ws(value_end)?;
        }
        i += 1;
    }
    if w.skip_ws(i).is_some() {
        return None;
    }
    // The format's reading of the whole head must be the one the parts were read by.
    // The list's pointer, from its key (decoded).
    let pointer = match keys.get(index) {
        Some((key, _)) if object => format!("/{}", super::locate::escaped(key)),
        _ => String::new(),
    };
    let copies = read_members(disk, keys, index)?;
    let shape = head_shape(object.then_some(&copies), index, (start, open), max_depth)?;
    let head = run(source, &shape.document(Box::default()));
    let first_text = read_span(disk, &(first..first_end))?;
    let first = tree::parse_piece(&first_text, first, 0..first_text.len(), depth).ok();
    let confirmed = (head.format, head.by_path) == read
        && head.elements.as_ref() == Some(&elements)
        && splittable(&head)
        && head_holds(source, &shape, Some(first), &head);
    if !confirmed {
        return None;
    }
    let mut list = ListParts {
        pointer,
        starts: Vec::with_capacity(parts.len()),
        len,
    };
    let (mut problems, mut ops) = (head.problems, Ops::from(head.ops));
    let mut index = 0;
    for ((part, _, elements), start) in parts.into_iter().zip(starts) {
        list.starts.push((start, index));
        index += elements;
        problems.extend(part.problems);
        ops.extend(part.ops);
    }
    let mut load = from_disk(Some((problems, ops)), disk, source.1).ok()?;
    load.list = Some(Box::new(list));
    Some(load)
}

/// Loads a large list document of a UTF-8 file without ever holding its whole text: its
/// structure found a window at a time ([`scan_file`]), its head read from the file, its
/// elements by ranges ([`by_element`]). None when it is not a list whose format says what its
/// elements are, or anything fails: the file is then read whole as any other.
pub(super) fn load_from_disk(
    (file, found, projection): Source<'_>,
    disk: Disk<'_>,
    max_depth: usize,
) -> Option<FileLoad> {
    if max_depth < 3 {
        return None;
    }
    if let Some(done) = load_in_parts((file, found, projection), &disk, max_depth, RANGE_BYTES) {
        return Some(done);
    }
    let shape = scan_file(&disk, WINDOW_BYTES)?;
    let object = shape.members.is_some();
    let (keys, index) = shape.members.unwrap_or_default();
    let copies = read_members(&disk, keys, index)?;
    let range = (shape.start, shape.list_start);
    let list = head_shape(object.then_some(&copies), index, range, max_depth)?;
    let head = run((file, found, projection), &list.document(Box::default()));
    let depth = max_depth.saturating_sub(list.element_depth());
    // The first element, read from the file (None: none; Some(None): it does not parse).
    let first_text = shape
        .elements
        .first()
        .map(|e| read_span(&disk, e).map(|t| (t, e.start)));
    let first = first_text.as_ref().map(|t| {
        let (text, at) = t.as_ref()?;
        tree::parse_piece(text, *at, 0..text.len(), depth).ok()
    });
    let holds = head_holds((file, found, projection), &list, first, &head);
    if !holds {
        return None;
    }
    let splittable = splittable(&head);
    let elements = head.elements.clone().filter(|_| splittable)?;
    by_element(
        (file, found, projection),
        None,
        Some(disk),
        depth,
        shape.elements,
        head,
        &elements,
    )
    .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A list page is read in one pass; what that pass cannot confirm is left to [`load`].
    #[test]
    fn a_list_page_is_read_in_one_pass_unless_its_shape_says_otherwise() {
        let found = super::super::walk::Found {
            root: 0,
            rel: "graph/users/users-0.json".into(),
            path: "graph/users/users-0.json".into(),
            len: None,
        };
        let user =
            |i: u32| format!("{{\"id\": \"u{i}\", \"userPrincipalName\": \"u{i}@contoso.com\"}}");
        let users = [user(1), 3.to_string(), user(2)].join(", ");
        let context = "\"@odata.context\": \"https://graph.microsoft.com/v1.0/$metadata#users\"";
        let pass = |text: &str| in_one_pass((0, &found, None), text, 64).is_some();
        assert!(pass(&format!("{{{context}, \"value\": [{users}]}}")));
        assert!(pass(&format!(
            "{{{context}, \"value\": [ ], \"@odata.nextLink\": \"https://graph.microsoft.com/v1.0/users?$skiptoken=x\"}}"
        )));
        for text in [
            format!("[{users}]"),
            format!("{{{context}, \"value\": [{users}], \"value\": []}}"),
            format!("{{{context}, \"other\": [], \"value\": [{users}]}}"),
            format!("{{{context}, \"value\": [{users}, {{\"id\": }}]}}"),
            format!("{{{context}, \"value\": [{users}}}"),
            format!("{{\"@odata.context\": \"https://graph.microsoft.com/v1.0/$metadata#groups\", \"value\": [{users}]}}"),
        ] {
            assert!(!pass(&text), "{text}");
        }
    }

    /// A list loaded in parts found by their separator gives what the load of its text gives,
    /// or nothing: parts that start at a nested object separated as the elements are do not
    /// line up, and a head that differs once the members after the list are read is not kept.
    #[test]
    fn a_list_loaded_in_parts_is_the_load_of_its_text_or_nothing() {
        let found = super::super::walk::Found {
            root: 0,
            rel: "graph/users.json".into(),
            path: "graph/users.json".into(),
            len: None,
        };
        // With `traps`, every seventh user holds nested objects that look like elements.
        let users = |traps: bool, sep: &str| {
            let user = |i: usize| {
                let x = match i % 7 {
                    3 if traps => {
                        r#"[{"id":"n1"},{"id":"},{\"id\"},{"},{"id":[{"id":2}]}]"#.to_string()
                    }
                    _ => format!("\"{}\"", "-".repeat(i % 50)),
                };
                format!("{{\"id\":\"u{i}\",\"userPrincipalName\":\"u{i}@contoso.com\",\"x\":{x}}}")
            };
            (0..80).map(user).collect::<Vec<_>>().join(sep)
        };
        let context = "\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata#users\"";
        let link = "\"@odata.nextLink\":\"https://graph.microsoft.com/v1.0/users?$skiptoken=x\"";
        let minified = users(false, ",");
        let (trapped, pretty) = (users(true, ","), users(true, ",\n    "));
        let texts = [
            format!("{{{context},\"value\":[{trapped}]}}"),
            format!("\u{feff}{{\n  {context},\n  \"value\": [\n    {pretty}\n  ],\n  {link}\n}}\n"),
            format!("{{{link},{context},\"value\":[{minified}]}}"),
            format!("[{minified}]"),
            // Not kept: another `value`; a longer list after; text after the document; a
            // head that reads as groups once the context after the list is read.
            format!("{{{context},\"value\":[{minified}],\"Value\":1}}"),
            format!("{{{context},\"value\":[{minified}],\"v\":[{minified},1]}}"),
            format!("{{{context},\"value\":[{minified}]}} x"),
            format!("{{{context},\"value\":[{minified}],\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata#groups\"}}"),
        ];
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let (mut kept, mut dropped) = (0, 0);
        for (n, text) in texts.iter().enumerate() {
            let path = dir.path().join(format!("{n}.json"));
            std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
            let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
            let decoded = text.trim_start_matches('\u{feff}').to_string();
            let show = |l: &FileLoad| {
                let ops: Vec<String> = l.ops.iter().map(|op| format!("{op:?}")).collect();
                (l.recognised, l.diagnostics.clone(), ops)
            };
            let want = load((0, &found, None), decoded.into(), None, 64).ok();
            let want = want.as_ref().map(show);
            let disk = Disk { path: &path, bom };
            for part in [1, 2, 5, 40, 100, 333, 1000, 1 << 20] {
                match load_in_parts((0, &found, None), &disk, 64, part) {
                    Some(got) => {
                        kept += 1;
                        assert!(n < 4, "text {n} kept with parts of {part}");
                        assert_eq!(Some(show(&got)), want, "text {n}, parts of {part}");
                        // Each part starts with the element the load says, as the scan of the
                        // whole text finds it.
                        let list = got.list.as_deref().unwrap_or_else(|| panic!("{n}"));
                        let decoded = text.trim_start_matches('\u{feff}');
                        let offsets: Vec<u32> = list.starts.iter().map(|s| s.0 as u32).collect();
                        let found = super::super::locate::scan(decoded, &offsets).unwrap();
                        assert_eq!(list.starts.first().map(|s| s.1), Some(0));
                        for ((start, index), (at, _, pointer)) in list.starts.iter().zip(found) {
                            assert_eq!(at, *start, "text {n}, parts of {part}");
                            assert_eq!(pointer, format!("{}/{index}", list.pointer));
                        }
                    }
                    None => dropped += 1,
                }
            }
        }
        // Texts 1 and 2 at every size, text 0 in one part only.
        assert!(
            kept == 17 && dropped == 47,
            "{kept} kept, {dropped} dropped"
        );
    }

    /// A list loaded in parts is located by its parts, in parallel, as its whole text is:
    /// pretty (CRLF, wide characters) or minified on one line, whatever the parts' size.
    #[test]
    fn a_list_loaded_in_parts_is_located_by_its_parts_as_its_whole_text() {
        let found = super::super::walk::Found {
            root: 0,
            rel: "mde/machines.json".into(),
            path: "mde/machines.json".into(),
            len: None,
        };
        let machine = |i: usize| {
            format!(
                "{{\"id\": \"m{i}\", \"computerDnsName\": \"pc-é😀-{i}\", \"machineTags\": [\"a/b~{i}\", \"{}\"], \"x\": {{\"y\": [1, {i}]}}}}",
                "é".repeat(i % 9)
            )
        };
        let machines: Vec<String> = (0..60).map(machine).collect();
        let context =
            "\"@odata.context\": \"https://api.security.microsoft.com/api/$metadata#Machines\"";
        let texts = [
            format!(
                "{{\r\n  {context},\r\n  \"value\": [\r\n    {}\r\n  ]\r\n}}\r\n",
                machines.join(",\r\n    ")
            ),
            format!("{{{context},\"value\":[{}]}}", machines.join(",")),
            format!(
                "\u{feff}{{{context},\n\"value\":[\n{}\n]}}",
                machines.join(",\n")
            ),
        ];
        let dir = tempfile::tempdir().unwrap();
        for (n, text) in texts.iter().enumerate() {
            let path = dir.path().join(format!("{n}.json"));
            std::fs::write(&path, text).unwrap();
            // Targets: elements, members, values in arrays and objects, in every part.
            let mut offsets: Vec<u32> = ["{\"id\"", "\"m", "[\"a", "\"a/", "{\"y", "1, "]
                .iter()
                .flat_map(|p| text.match_indices(p).map(|(i, _)| i as u32))
                .collect();
            offsets.sort_unstable();
            let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
            // Offsets of the decoded text.
            offsets.iter_mut().for_each(|o| *o -= bom as u32);
            let whole = super::super::locate::locate_file(&path, &offsets, None);
            assert!(whole.iter().all(Option::is_some), "text {n}");
            let disk = Disk { path: &path, bom };
            for part in [1, 100, 700, 3000, 1 << 20] {
                let load = load_in_parts((0, &found, None), &disk, 64, part)
                    .unwrap_or_else(|| panic!("text {n}, parts of {part}"));
                let list = load.list.as_deref().unwrap();
                let parts = super::super::locate::in_list_parts(&path, &offsets, list);
                // A file with a byte order mark is located whole.
                let want = (bom == 0).then_some(&whole);
                assert_eq!(parts.as_ref(), want, "text {n}, parts of {part}");
                // A target outside the list's elements, or a file of another length than the
                // one loaded: located as any other file.
                let head = [1, offsets[0]];
                assert_eq!(
                    super::super::locate::in_list_parts(&path, &head, list),
                    None
                );
                let changed = ListParts {
                    len: list.len + 1,
                    ..list.clone()
                };
                assert_eq!(
                    super::super::locate::in_list_parts(&path, &offsets, &changed),
                    None
                );
            }
        }
    }

    /// `scan_file` finds what `tree::list_shape` finds in the whole text, whatever the window.
    #[test]
    fn a_file_scanned_a_window_at_a_time_has_the_shape_of_its_whole_text() {
        let element = |i: usize| {
            format!(
                "{{\"id\": \"u{i}\", \"n\": \"] }} \\\" \\\\ [{{ é😀\", \"x\": [[1, {{\"a\": \"]\"}}], -2.5e3, true, null]}}"
            )
        };
        let list: Vec<String> = (0..40).map(element).collect();
        let list = list.join(",\n ");
        // Minified, with nested objects separated as the elements are.
        let nested: Vec<String> = (0..40)
            .map(|i| {
                r#"{"id":I,"x":[{"id":1},{"id":"},{\"id\"},{"}]}"#.replace('I', &i.to_string())
            })
            .collect();
        let nested = nested.join(",");
        let texts = [
            format!("{{\"@odata.context\": \"c\", \"value\": [\n {list}\n], \"@odata.nextLink\": \"n\"}}"),
            format!("  [{list}]  \n"),
            format!("{{\"a\": [1], \"value\": [{list}], \"b\": {{\"c\": [2, 3]}}, \"d\": [4]}}"),
            "\u{feff}{\"value\": []}".to_string(),
            format!("{{\"value\": [{list}],}}"),
            format!("{{\"value\": [{list}]}} x"),
            format!("{{\"value\": [{list}, ]}}"),
            format!("{{\"value\": [{list}]"),
            format!("{{\"k\" \"value\": [{list}]}}"),
            format!("{{\"\\u0076alue\": [{list}], \"s\": \"\\\"\"}}"),
            format!("{{\"value\": [{nested}]}}"),
            format!("[{nested}]"),
        ];
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let mut lists = 0;
        for (n, text) in texts.iter().enumerate() {
            let path = dir.path().join(format!("{n}.json"));
            std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
            let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
            let decoded = text.trim_start_matches('\u{feff}');
            let whole = tree::list_shape(decoded, 64);
            lists += usize::from(whole.is_some());
            for chunk in [1, 2, 3, 7, 64, 1000, 1 << 20] {
                let disk = Disk { path: &path, bom };
                let got = scan_file(&disk, chunk);
                let want = whole.as_ref().map(|s| {
                    let members = s.members.as_ref().map(|(m, i)| {
                        let keys = m
                            .iter()
                            .zip(&s.spans)
                            .map(|((k, _), r)| (k.to_string(), r.clone()));
                        (keys.collect::<Vec<_>>(), *i)
                    });
                    (
                        members,
                        s.start as usize,
                        s.list_start as usize,
                        s.elements.clone(),
                    )
                });
                let got = got.map(|s| (s.members, s.start, s.list_start, s.elements));
                assert_eq!(got, want, "text {n}, windows of {chunk}: {text}");
            }
        }
        assert_eq!(lists, 7, "the texts that are lists");
    }
}
