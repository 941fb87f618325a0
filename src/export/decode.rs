//! Bytes to text: UTF-8 with or without a BOM, UTF-16 LE or BE and UTF-32 LE or BE with a BOM
//! (Windows PowerShell's `Out-File` default, and its `-Encoding utf32`) or without one (.NET's
//! `UnicodeEncoding` made without a BOM), told apart by the pattern of zero bytes in a JSON
//! text's first two characters, which are ASCII (RFC 4627, section 3). Anything else that is
//! not valid UTF-8 is an error, and a gzip file (it starts with the bytes `1F 8B`, RFC 1952) is
//! one that says so.

use std::borrow::Cow;

/// What a gzip-compressed file in an export is told: it was not read, and what to do instead.
/// The antivirus health export via files downloads such files (the device health API's
/// properties page, 1.4: "The files are gzip-compressed and in multiline `.json` format").
pub const GZIP_NOT_READ: &str = "a gzip-compressed file (it starts with the gzip bytes 1F 8B), \
    not JSON text: it was not read, and dexlint reads no compressed file; decompress it \
    (`gzip -d`, or 7-Zip on Windows) and save the JSON it holds in the export instead. A file of \
    the antivirus health export via files (`GET /api/machines/InfoGatheringExport`) is one: its \
    records, one JSON object per line, are not read even decompressed, so export the antivirus \
    health as the JSON response instead (`GET /api/deviceavinfo`; docs/exporting.md)";

/// Why a file could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// Gzip-compressed bytes (see [`GZIP_NOT_READ`]).
    Gzip,
    /// Not valid UTF-8, and no UTF-16 or UTF-32 BOM: where the first bad byte is.
    InvalidUtf8 {
        /// Byte offset in the file, counting any UTF-8 BOM.
        offset: usize,
        /// The byte.
        byte: u8,
        /// Its 1-based line, and column (1-based, in characters) in the valid text before it.
        line: usize,
        /// See `line`.
        column: usize,
    },
    /// A UTF-16 file with an odd length or an unpaired surrogate: where (1-based line, and
    /// column in characters, of the valid text before it).
    InvalidUtf16 {
        /// See the variant.
        line: usize,
        /// See the variant.
        column: usize,
    },
    /// A UTF-32 file whose length is not a multiple of 4, or with a value that is no character:
    /// where, as for UTF-16.
    InvalidUtf32 {
        /// See the variant.
        line: usize,
        /// See the variant.
        column: usize,
    },
}

impl DecodeError {
    /// The 1-based line and column (in characters) of the first byte that does not decode.
    pub fn position(&self) -> (usize, usize) {
        match self {
            DecodeError::InvalidUtf8 { line, column, .. }
            | DecodeError::InvalidUtf16 { line, column }
            | DecodeError::InvalidUtf32 { line, column } => (*line, *column),
            DecodeError::Gzip => (1, 1),
        }
    }
}

/// The 1-based line and column (in characters) just after `before`, the valid text before a
/// problem.
fn position_after(before: &str) -> (usize, usize) {
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (
        before.matches('\n').count() + 1,
        before.get(line_start..).unwrap_or_default().chars().count() + 1,
    )
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::Gzip => f.write_str(GZIP_NOT_READ),
            // The line and column are the report's, beside the message.
            DecodeError::InvalidUtf8 { offset, byte, .. } => write!(
                f,
                "not UTF-8 text: byte 0x{byte:02X} (offset {offset}) is not UTF-8, and the file \
                 has no UTF-16 byte order mark; a file \
                 written in a Windows code page (Windows PowerShell 5.1's `Set-Content` or \
                 `Out-File -Encoding default`) must be saved again as UTF-8 \
                 (`Out-File -Encoding utf8`)"
            ),
            DecodeError::InvalidUtf16 { .. } => f.write_str(
                "invalid UTF-16 text (an unpaired surrogate, or an odd number of bytes)",
            ),
            DecodeError::InvalidUtf32 { .. } => f.write_str(
                "invalid UTF-32 text (a value that is no character, or a length that is not a \
                 multiple of 4)",
            ),
        }
    }
}

/// The error of bytes `text` (after a BOM of `bom` bytes) that are not UTF-8 from `valid` on.
fn invalid_utf8(text: &[u8], valid: usize, bom: usize) -> DecodeError {
    let before = text
        .get(..valid)
        .and_then(|b| std::str::from_utf8(b).ok())
        .unwrap_or_default();
    let (line, column) = position_after(before);
    DecodeError::InvalidUtf8 {
        offset: valid + bom,
        byte: text.get(valid).copied().unwrap_or_default(),
        line,
        column,
    }
}

fn utf32(bytes: &[u8], le: bool) -> Result<String, DecodeError> {
    let mut out = String::with_capacity(bytes.len() / 4);
    let words = bytes.chunks_exact(4);
    let whole = words.remainder().is_empty();
    for w in words {
        let Ok(word) = <[u8; 4]>::try_from(w) else {
            break;
        };
        let value = if le {
            u32::from_le_bytes(word)
        } else {
            u32::from_be_bytes(word)
        };
        match char::from_u32(value) {
            Some(c) => out.push(c),
            None => break,
        }
    }
    // Every word a character, and no byte left over.
    if whole && out.chars().count() * 4 == bytes.len() {
        return Ok(out);
    }
    let (line, column) = position_after(&out);
    Err(DecodeError::InvalidUtf32 { line, column })
}

fn utf16(bytes: &[u8], le: bool) -> Result<String, DecodeError> {
    let units = bytes.chunks_exact(2).map(|c| match c {
        [a, b] if le => u16::from_le_bytes([*a, *b]),
        [a, b] => u16::from_be_bytes([*a, *b]),
        _ => 0,
    });
    let mut out = String::with_capacity(bytes.len() / 2);
    for c in char::decode_utf16(units) {
        match c {
            Ok(c) => out.push(c),
            Err(_) => break,
        }
    }
    // Every unit decoded, and no byte left over.
    if out.encode_utf16().count() * 2 == bytes.len() {
        return Ok(out);
    }
    let (line, column) = position_after(&out);
    Err(DecodeError::InvalidUtf16 { line, column })
}

/// Decodes a file's bytes, dropping any byte order mark: UTF-8 text is borrowed from `bytes`,
/// UTF-16 decoded into a string of its own.
///
/// # Errors
/// Bytes that are not UTF-8 and have no UTF-16 BOM, or UTF-16 that does not decode.
pub fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, DecodeError> {
    let utf8 = |text, bom| {
        std::str::from_utf8(text)
            .map(Cow::Borrowed)
            .map_err(|e| invalid_utf8(text, e.valid_up_to(), bom))
    };
    match bytes {
        [0x1F, 0x8B, ..] => Err(DecodeError::Gzip),
        // Before UTF-16 LE, whose BOM starts the same.
        [0xFF, 0xFE, 0x00, 0x00, rest @ ..] => utf32(rest, true).map(Cow::Owned),
        [0x00, 0x00, 0xFE, 0xFF, rest @ ..] => utf32(rest, false).map(Cow::Owned),
        [0xEF, 0xBB, 0xBF, rest @ ..] => utf8(rest, 3),
        [0xFF, 0xFE, rest @ ..] => utf16(rest, true).map(Cow::Owned),
        [0xFE, 0xFF, rest @ ..] => utf16(rest, false).map(Cow::Owned),
        _ => match without_bom(bytes) {
            Some(Wide::Utf32 { le }) => utf32(bytes, le).map(Cow::Owned),
            Some(Wide::Utf16 { le }) => utf16(bytes, le).map(Cow::Owned),
            None => utf8(bytes, 0),
        },
    }
}

/// A UTF-16 or UTF-32 encoding found without a byte order mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wide {
    /// UTF-16, little-endian or not.
    Utf16 {
        /// Little-endian.
        le: bool,
    },
    /// UTF-32, little-endian or not.
    Utf32 {
        /// Little-endian.
        le: bool,
    },
}

/// The UTF-16 or UTF-32 encoding of bytes without a byte order mark, from the zero bytes of
/// their first two characters (RFC 4627, section 3: `00 00 00 xx` UTF-32BE, `00 xx 00 xx`
/// UTF-16BE, `xx 00 00 00` UTF-32LE, `xx 00 xx 00` UTF-16LE); None for UTF-8 (whose JSON text
/// never starts with a zero byte) and anything else.
pub fn without_bom(bytes: &[u8]) -> Option<Wide> {
    match bytes {
        [0, 0, 0, x, ..] if *x != 0 => Some(Wide::Utf32 { le: false }),
        [x, 0, 0, 0, ..] if *x != 0 => Some(Wide::Utf32 { le: true }),
        [0, x, ..] if *x != 0 => Some(Wide::Utf16 { le: false }),
        [x, 0, ..] if *x != 0 => Some(Wide::Utf16 { le: true }),
        _ => None,
    }
}

/// [`decode`] of bytes the caller gives up: UTF-8 is kept in place (no copy of the text).
///
/// # Errors
/// As [`decode`].
pub fn decode_owned(mut bytes: Vec<u8>) -> Result<String, DecodeError> {
    match bytes.as_slice() {
        [0x1F, 0x8B, ..] => Err(DecodeError::Gzip),
        [0xFF, 0xFE, ..] | [0xFE, 0xFF, ..] | [0x00, 0x00, 0xFE, 0xFF, ..] => {
            decode(&bytes).map(Cow::into_owned)
        }
        b if without_bom(b).is_some() => decode(&bytes).map(Cow::into_owned),
        [0xEF, 0xBB, 0xBF, ..] => {
            bytes.drain(..3);
            String::from_utf8(bytes).map_err(|e| {
                let valid = e.utf8_error().valid_up_to();
                invalid_utf8(e.as_bytes(), valid, 3)
            })
        }
        _ => String::from_utf8(bytes).map_err(|e| {
            let valid = e.utf8_error().valid_up_to();
            invalid_utf8(e.as_bytes(), valid, 0)
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_and_utf32_without_a_bom_are_told_by_their_zero_bytes() {
        let text = "[{\"a\": \"\u{e9}\u{1F600}\"}]";
        let le16: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be16: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        let le32: Vec<u8> = text
            .chars()
            .flat_map(|c| u32::from(c).to_le_bytes())
            .collect();
        let be32: Vec<u8> = text
            .chars()
            .flat_map(|c| u32::from(c).to_be_bytes())
            .collect();
        for bytes in [le16, be16, le32, be32] {
            assert_eq!(decode(&bytes).as_deref(), Ok(text));
            assert_eq!(decode_owned(bytes).as_deref(), Ok(text));
        }
        assert_eq!(without_bom(b"{}"), None);
        assert_eq!(without_bom(b"\xEF\xBB\xBF{}"), None);
    }

    #[test]
    fn gzip_bytes_are_named_whatever_the_file_is_called() {
        let gz = b"\x1F\x8B\x08\x08\x00\x00\x00\x00\x02\xFFpart.json";
        assert_eq!(decode(gz), Err(DecodeError::Gzip));
        assert_eq!(decode_owned(gz.to_vec()), Err(DecodeError::Gzip));
        assert!(DecodeError::Gzip
            .to_string()
            .starts_with("a gzip-compressed file"));
    }

    #[test]
    fn decodes_every_encoding() {
        assert_eq!(decode(b"{}").as_deref(), Ok("{}"));
        assert_eq!(decode(b"\xEF\xBB\xBF{}").as_deref(), Ok("{}"));
        assert_eq!(decode(b"\xFF\xFE{\x00}\x00").as_deref(), Ok("{}"));
        assert_eq!(decode(b"\xFE\xFF\x00{\x00}").as_deref(), Ok("{}"));
        assert_eq!(
            decode(b"{\xFF}"),
            Err(DecodeError::InvalidUtf8 {
                offset: 1,
                byte: 0xFF,
                line: 1,
                column: 2
            })
        );
        // A Windows code page: `É` is 0xC9, after a line break and an accented character.
        assert_eq!(
            decode(b"\xEF\xBB\xBF{\r\n \"\xC3\xA9\": \"\xC9quipe\"}"),
            Err(DecodeError::InvalidUtf8 {
                offset: 14,
                byte: 0xC9,
                line: 2,
                column: 8
            })
        );
        // UTF-32 with its BOM, little- and big-endian (`Out-File -Encoding utf32`).
        assert_eq!(
            decode(b"\xFF\xFE\x00\x00{\x00\x00\x00}\x00\x00\x00").as_deref(),
            Ok("{}")
        );
        assert_eq!(
            decode(b"\x00\x00\xFE\xFF\x00\x00\x00{\x00\x00\x00}").as_deref(),
            Ok("{}")
        );
        assert_eq!(
            decode(b"\xFF\xFE\x00\x00{\x00\x00"),
            Err(DecodeError::InvalidUtf32 { line: 1, column: 1 })
        );
        // A value past U+10FFFF after one character.
        assert_eq!(
            decode(b"\xFF\xFE\x00\x00{\x00\x00\x00\x00\x00\x11\x00"),
            Err(DecodeError::InvalidUtf32 { line: 1, column: 2 })
        );
        assert_eq!(
            decode(b"\xFF\xFE{"),
            Err(DecodeError::InvalidUtf16 { line: 1, column: 1 })
        );
        // A lone surrogate after a line break and two characters.
        assert_eq!(
            decode(b"\xFF\xFE{\x00\n\x00a\x00b\x00\x00\xD8}\x00"),
            Err(DecodeError::InvalidUtf16 { line: 2, column: 3 })
        );
        for bytes in [
            &b"{}"[..],
            b"\xEF\xBB\xBF{}",
            b"\xFF\xFE{\x00}\x00",
            b"{\xFF}",
            b"\xEF\xBB\xBF{\xFF}",
            b"\xFF\xFE\x00\x00{\x00\x00\x00}\x00\x00\x00",
        ] {
            assert_eq!(
                decode_owned(bytes.to_vec()),
                decode(bytes).map(Cow::into_owned)
            );
        }
    }
}
