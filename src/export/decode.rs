//! Bytes to text: UTF-8 with or without a BOM, UTF-16 LE or BE with a BOM (Windows
//! PowerShell's `Out-File` default). Anything else that is not valid UTF-8 is an error.

use std::borrow::Cow;

/// Why a file could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// Not valid UTF-8 (offset of the first bad byte), and no UTF-16 BOM.
    InvalidUtf8 {
        /// Byte offset in the file, counting any UTF-8 BOM.
        offset: usize,
    },
    /// A UTF-16 file with an odd length or an unpaired surrogate.
    InvalidUtf16,
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::InvalidUtf8 { offset } => {
                write!(f, "not UTF-8 text (invalid byte at offset {offset}) and no UTF-16 byte order mark")
            }
            DecodeError::InvalidUtf16 => f.write_str("invalid UTF-16 text"),
        }
    }
}

fn utf16(bytes: &[u8], le: bool) -> Result<String, DecodeError> {
    if !bytes.len().is_multiple_of(2) {
        return Err(DecodeError::InvalidUtf16);
    }
    let units = bytes.chunks_exact(2).map(|c| match c {
        [a, b] if le => u16::from_le_bytes([*a, *b]),
        [a, b] => u16::from_be_bytes([*a, *b]),
        _ => 0,
    });
    char::decode_utf16(units)
        .collect::<Result<String, _>>()
        .map_err(|_| DecodeError::InvalidUtf16)
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
            .map_err(|e| DecodeError::InvalidUtf8 {
                offset: e.valid_up_to() + bom,
            })
    };
    match bytes {
        [0xEF, 0xBB, 0xBF, rest @ ..] => utf8(rest, 3),
        [0xFF, 0xFE, rest @ ..] => utf16(rest, true).map(Cow::Owned),
        [0xFE, 0xFF, rest @ ..] => utf16(rest, false).map(Cow::Owned),
        _ => utf8(bytes, 0),
    }
}

/// [`decode`] of bytes the caller gives up: UTF-8 is kept in place (no copy of the text).
///
/// # Errors
/// As [`decode`].
pub fn decode_owned(mut bytes: Vec<u8>) -> Result<String, DecodeError> {
    match bytes.as_slice() {
        [0xFF, 0xFE, ..] | [0xFE, 0xFF, ..] => decode(&bytes).map(Cow::into_owned),
        [0xEF, 0xBB, 0xBF, ..] => {
            bytes.drain(..3);
            String::from_utf8(bytes).map_err(|e| DecodeError::InvalidUtf8 {
                offset: e.utf8_error().valid_up_to() + 3,
            })
        }
        _ => String::from_utf8(bytes).map_err(|e| DecodeError::InvalidUtf8 {
            offset: e.utf8_error().valid_up_to(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_every_encoding() {
        assert_eq!(decode(b"{}").as_deref(), Ok("{}"));
        assert_eq!(decode(b"\xEF\xBB\xBF{}").as_deref(), Ok("{}"));
        assert_eq!(decode(b"\xFF\xFE{\x00}\x00").as_deref(), Ok("{}"));
        assert_eq!(decode(b"\xFE\xFF\x00{\x00}").as_deref(), Ok("{}"));
        assert_eq!(
            decode(b"{\xFF}"),
            Err(DecodeError::InvalidUtf8 { offset: 1 })
        );
        assert_eq!(decode(b"\xFF\xFE{"), Err(DecodeError::InvalidUtf16));
        for bytes in [
            &b"{}"[..],
            b"\xEF\xBB\xBF{}",
            b"\xFF\xFE{\x00}\x00",
            b"{\xFF}",
            b"\xEF\xBB\xBF{\xFF}",
        ] {
            assert_eq!(
                decode_owned(bytes.to_vec()),
                decode(bytes).map(Cow::into_owned)
            );
        }
    }
}
