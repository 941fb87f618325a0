//! Large list documents loaded a range of elements at a time, in parallel.
//!
//! A file that holds a whole collection as one list (`users.json` of a merged Graph list,
//! `Get-MgUser -All | ConvertTo-Json`, the machine list) would otherwise be parsed and loaded on
//! one thread, its whole tree held at once. Here a pass that builds nothing finds the list's
//! elements ([`tree::list_shape`]); they are cut into ranges of about [`RANGE_BYTES`], and each
//! range is parsed (byte offsets still those of the whole file) and loaded by the source format
//! as the document with only those elements, in parallel; the tree of a range is dropped as
//! soon as its records exist.
//!
//! The result is what the whole document gives, or nothing (and the file is loaded whole):
//! only formats whose elements load independently of one another are split (Graph and
//! Defender for Endpoint lists); what such a format writes before its elements (the list's
//! page, the collections it provides) is taken once, from the document with no elements, and
//! every range must begin with exactly that; and any parse error falls back to the whole
//! parse, which then reports it as before.

use super::{tree, Builder, FileLoad, Op};
use crate::model::FileId;
use rayon::prelude::*;

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
}

fn run(file: FileId, found: &super::walk::Found, doc: &tree::Node<'_>) -> Part {
    let mut b = Builder::new(file, found);
    b.document(doc);
    Part {
        format: b.format,
        problems: b.problems,
        ops: b.ops,
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

/// Loads `text` a range of elements at a time, when it is a list of a splittable format
/// large enough; None to load it whole.
pub(super) fn load(
    file: FileId,
    found: &super::walk::Found,
    text: &str,
    max_depth: usize,
) -> Option<FileLoad> {
    if text.len() < MIN_SPLIT_BYTES {
        return None;
    }
    let shape = tree::list_shape(text, max_depth)?;
    let chunks = ranges(&shape.elements, RANGE_BYTES);
    if chunks.len() < 2 {
        return None;
    }
    // What the format writes before any element: from the document without elements.
    let head = run(file, found, &shape.document(Box::default()));
    let format = head.format?;
    let name = super::formats::FORMATS.get(format)?.name;
    if !SPLITTABLE.contains(&name) || head.ops.iter().any(|op| matches!(op, Op::Account { .. })) {
        return None;
    }
    let head_ops: Vec<String> = head.ops.iter().map(|op| format!("{op:?}")).collect();
    let head_problems: Vec<String> = head.problems.iter().map(|p| format!("{p:?}")).collect();
    let parts: Vec<Option<Part>> = chunks
        .into_par_iter()
        .with_max_len(1)
        .map(|range| {
            let elements = parse_elements(text, &shape, range, max_depth).ok()?;
            let mut part = run(file, found, &shape.document(elements));
            // The same format, and the same head, then the elements' own operations.
            let same_head = part.format == Some(format)
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
        .collect();
    let mut problems = head.problems;
    let mut ops = head.ops;
    for part in parts {
        let part = part?;
        problems.extend(part.problems);
        ops.extend(part.ops);
    }
    Some(FileLoad::positioned(true, problems, ops, text))
}
