//! Text that shows every character it holds: values interpolated into messages.
//!
//! A group named `Defender_Experts_Scoped_Coverage_Users` with a no-break space or a zero-width
//! space in it looks, written as it is, exactly like the reserved name the message says it
//! misses. Such characters are written as `\u{XXXX}` escapes (Rust's notation): the Unicode
//! `White_Space` characters other than the space, the control characters, and the invisible
//! format characters (general category Cf, as listed in the Unicode Character Database's
//! `DerivedGeneralCategory.txt`: the soft hyphen, zero-width and bidirectional marks, word
//! joiners, the byte order mark, tags).

/// A character that shows as nothing or as a plain space, which text written as it is would
/// hide: every space but ` ` (no-break, em, ideographic, line and paragraph separators...) and
/// the invisible format characters (zero-width space and joiners, direction marks and
/// embeddings, word joiner, byte order mark, soft hyphen, Hangul fillers, tags). Control
/// characters are not among them: [`escape_invisible`] escapes those too.
pub fn invisible(c: char) -> bool {
    (c.is_whitespace() && c != ' ')
        || matches!(
            c,
            '\u{AD}'
                | '\u{34F}'
                | '\u{600}'..='\u{605}'
                | '\u{61C}'
                | '\u{6DD}'
                | '\u{70F}'
                | '\u{115F}'
                | '\u{1160}'
                | '\u{17B4}'
                | '\u{17B5}'
                | '\u{180E}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{206F}'
                | '\u{3164}'
                | '\u{FEFF}'
                | '\u{FFA0}'
                | '\u{FFF9}'..='\u{FFFB}'
                | '\u{110BD}'
                | '\u{1BCA0}'..='\u{1BCA3}'
                | '\u{1D173}'..='\u{1D17A}'
                | '\u{E0001}'
                | '\u{E0020}'..='\u{E007F}'
        )
}

/// Whether [`escape_invisible`] writes `c` as an escape: [`invisible`], or a control character.
fn needs_escape(c: char) -> bool {
    invisible(c) || c.is_control()
}

/// `text` with each bidirectional control character (U+061C, U+200E, U+200F, U+202A to U+202E,
/// U+2066 to U+2069) replaced by one of the same length in UTF-8 (U+FFFD, or U+00A4 for the
/// two-byte U+061C): a source line drawn in a terminal or a page cannot reorder itself (the
/// "Trojan Source" attack, CVE-2021-42574), and byte offsets and character columns into it
/// stay as they were.
pub fn without_bidi_controls(text: &str) -> std::borrow::Cow<'_, str> {
    let bidi = |c: char| {
        matches!(
            c,
            '\u{61C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
    };
    if !text.chars().any(bidi) {
        return std::borrow::Cow::Borrowed(text);
    }
    text.chars()
        .map(|c| match c {
            '\u{61C}' => '\u{A4}',
            c if bidi(c) => '\u{FFFD}',
            c => c,
        })
        .collect()
}

/// `text` with its invisible and control characters escaped (see [`escape_invisible`]).
pub fn visible(mut text: String) -> String {
    escape_invisible(&mut text, 0);
    text
}

/// Rewrites `text[start..]` with each [`invisible`] or control character as `\u{XXXX}`
/// (uppercase hex, at least four digits), and the backslash of text that spells such an escape
/// (`\u{`) doubled, so that the one cannot be mistaken for the other; leaves other text as it
/// is.
pub fn escape_invisible(text: &mut String, start: usize) {
    let Some(tail) = text.get(start..) else {
        return;
    };
    if !tail.chars().any(needs_escape) && !tail.contains("\\u{") {
        return;
    }
    let mut out = String::with_capacity(tail.len() + 8);
    for (i, c) in tail.char_indices() {
        if needs_escape(c) {
            out.push_str(&format!("\\u{{{:04X}}}", u32::from(c)));
        } else if c == '\\' && tail.get(i + 1..).is_some_and(|t| t.starts_with("u{")) {
            out.push_str("\\\\");
        } else {
            out.push(c);
        }
    }
    text.truncate(start);
    text.push_str(&out);
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
    fn bidirectional_controls_are_replaced_by_characters_of_the_same_length() {
        let text = "\"name\": \"admin\u{202E}gnp.exe\u{2066}x\u{61C}\"";
        let safe = without_bidi_controls(text);
        assert_eq!(safe, "\"name\": \"admin\u{FFFD}gnp.exe\u{FFFD}x\u{A4}\"");
        assert_eq!(safe.len(), text.len());
        assert_eq!(safe.chars().count(), text.chars().count());
        assert!(matches!(
            without_bidi_controls("plain é"),
            std::borrow::Cow::Borrowed(_)
        ));
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
