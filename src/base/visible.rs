//! Text that shows every character it holds: values interpolated into messages.
//!
//! A group named `Defender_Experts_Scoped_Coverage_Users` with a no-break space or a zero-width
//! space in it looks, written as it is, exactly like the reserved name the message says it
//! misses. Such characters are written as `\u{XXXX}` escapes (Rust's notation): the Unicode
//! `White_Space` characters other than the space, the control characters, and the invisible
//! format characters (general category Cf, as listed in the Unicode Character Database's
//! `DerivedGeneralCategory.txt`: the soft hyphen, zero-width and bidirectional marks, word
//! joiners, the byte order mark, tags).

/// Whether `c` is written as an escape by [`escape_invisible`].
pub fn invisible(c: char) -> bool {
    (c.is_whitespace() && c != ' ')
        || c.is_control()
        || matches!(
            c,
            '\u{AD}'
                | '\u{600}'..='\u{605}'
                | '\u{61C}'
                | '\u{6DD}'
                | '\u{70F}'
                | '\u{180E}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{206F}'
                | '\u{FEFF}'
                | '\u{FFF9}'..='\u{FFFB}'
                | '\u{110BD}'
                | '\u{1D173}'..='\u{1D17A}'
                | '\u{E0001}'
                | '\u{E0020}'..='\u{E007F}'
        )
}

/// `text` with its [`invisible`] characters escaped (see [`escape_invisible`]).
pub fn visible(mut text: String) -> String {
    escape_invisible(&mut text, 0);
    text
}

/// Rewrites `text[start..]` with each [`invisible`] character as `\u{XXXX}` (uppercase hex, at
/// least four digits), and the backslash of text that spells such an escape (`\u{`) doubled,
/// so that the one cannot be mistaken for the other; leaves other text as it is.
pub fn escape_invisible(text: &mut String, start: usize) {
    let Some(tail) = text.get(start..) else {
        return;
    };
    if !tail.chars().any(invisible) && !tail.contains("\\u{") {
        return;
    }
    let mut escaped = String::with_capacity(tail.len() + 8);
    for (i, c) in tail.char_indices() {
        if invisible(c) {
            escaped.push_str(&format!("\\u{{{:04X}}}", u32::from(c)));
        } else if c == '\\' && tail.get(i + 1..).is_some_and(|t| t.starts_with("u{")) {
            escaped.push_str("\\\\");
        } else {
            escaped.push(c);
        }
    }
    text.truncate(start);
    text.push_str(&escaped);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(s: &str, start: usize) -> String {
        let mut t = s.to_string();
        escape_invisible(&mut t, start);
        t
    }

    #[test]
    fn invisible_characters_are_escaped_and_visible_ones_kept() {
        assert_eq!(
            escaped("group `Defender\u{A0}Experts\u{200B}`", 6),
            "group `Defender\\u{00A0}Experts\\u{200B}`"
        );
        // Before `start`, and visible letters of any script, are left alone.
        assert_eq!(escaped("a\u{200B} b", 2), "a\u{200B} b");
        assert_eq!(escaped("Defender_Сoverage é", 0), "Defender_Сoverage é");
        assert_eq!(
            escaped("x\ty\u{FEFF}\u{E0041}", 0),
            "x\\u{0009}y\\u{FEFF}\\u{E0041}"
        );
        // Text that spells an escape has its backslash doubled; other backslashes are kept.
        assert_eq!(escaped("a\\u{00A0}\u{A0}", 0), "a\\\\u{00A0}\\u{00A0}");
        assert_eq!(escaped("a\\u{00A0}", 0), "a\\\\u{00A0}");
        assert_eq!(escaped("DOMAIN\\group\u{A0}", 0), "DOMAIN\\group\\u{00A0}");
    }
}
