//! The Python `str` semantics VADER's tokenizer relies on (private).
//!
//! vaderSentiment splits with `str.split()`, trims with `str.strip()`, strips
//! `string.punctuation` off word ends, compares `str.lower()` forms and tests `str.isupper()`.
//! Each has a Unicode definition of its own that differs from Rust's defaults in small ways
//! (Python counts U+001C–U+001F as whitespace, `isupper` rejects titlecase letters). These
//! helpers reproduce the Python behaviour so cem tokenizes exactly as the package does.

use std::borrow::Cow;

/// Python's `str.isspace` for one character (`Py_UNICODE_ISSPACE`): the characters of
/// bidirectional class WS, B or S, or of category Zs.
pub(crate) fn is_py_space(c: char) -> bool {
    matches!(
        c,
        '\t'..='\r'
            | '\u{1c}'..='\u{20}'
            | '\u{85}'
            | '\u{a0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200a}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202f}'
            | '\u{205f}'
            | '\u{3000}'
    )
}

/// Python's `s.strip()` (no argument).
pub(crate) fn py_strip(s: &str) -> &str {
    s.trim_matches(is_py_space)
}

/// Python's `s.split()` (no argument): runs of whitespace separate, no empty pieces.
pub(crate) fn py_split(s: &str) -> impl Iterator<Item = &str> {
    s.split(is_py_space).filter(|t| !t.is_empty())
}

/// vaderSentiment's `_strip_punc_if_word`: strips `string.punctuation` (exactly the ASCII
/// punctuation characters) from both ends, unless that leaves two characters or fewer (then
/// the token was probably an emoticon like `:)` and is kept whole).
pub(crate) fn strip_punc_if_word(token: &str) -> &str {
    let stripped = token.trim_matches(|c: char| c.is_ascii_punctuation());
    if stripped.chars().nth(2).is_none() {
        token
    } else {
        stripped
    }
}

/// Python's `str.isupper()`: at least one cased character and no lowercase or titlecase one.
pub(crate) fn py_is_upper(s: &str) -> bool {
    if s.is_ascii() {
        let b = s.as_bytes();
        return !b.iter().any(u8::is_ascii_lowercase) && b.iter().any(u8::is_ascii_uppercase);
    }
    let mut cased = false;
    for c in s.chars() {
        if c.is_lowercase() || is_titlecase(c) {
            return false;
        }
        cased |= c.is_uppercase();
    }
    cased
}

/// Python's `str.lower()`: the full Unicode lowercase mapping (borrowed when nothing changes).
pub(crate) fn py_lower(s: &str) -> Cow<'_, str> {
    if s.is_ascii() {
        if s.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(s.to_ascii_lowercase())
        } else {
            Cow::Borrowed(s)
        }
    } else {
        let lower = s.to_lowercase();
        if lower == s {
            Cow::Borrowed(s)
        } else {
            Cow::Owned(lower)
        }
    }
}

/// General category Lt (titlecase letters), which Python's `isupper` treats as not upper.
fn is_titlecase(c: char) -> bool {
    matches!(
        c,
        '\u{1c5}'
            | '\u{1c8}'
            | '\u{1cb}'
            | '\u{1f2}'
            | '\u{1f88}'..='\u{1f8f}'
            | '\u{1f98}'..='\u{1f9f}'
            | '\u{1fa8}'..='\u{1faf}'
            | '\u{1fbc}'
            | '\u{1fcc}'
            | '\u{1ffc}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_and_strip_follow_python() {
        let s = "\u{1c} a\u{a0}b\u{3000}\tc \u{85}";
        assert_eq!(py_split(s).collect::<Vec<_>>(), ["a", "b", "c"]);
        assert_eq!(py_strip(s), "a\u{a0}b\u{3000}\tc");
        // U+200B (zero-width space) is not whitespace in Python.
        assert_eq!(py_split("a\u{200b}b").count(), 1);
    }

    #[test]
    fn punctuation_stripping_keeps_short_emoticons() {
        assert_eq!(strip_punc_if_word("good!!!"), "good");
        assert_eq!(strip_punc_if_word(":)"), ":)");
        assert_eq!(strip_punc_if_word("ok."), "ok.");
        assert_eq!(strip_punc_if_word("'yes'"), "yes");
        assert_eq!(strip_punc_if_word("«yes»"), "«yes»");
    }

    #[test]
    fn isupper_follows_python() {
        assert!(py_is_upper("GOOD!"));
        assert!(!py_is_upper("Good"));
        assert!(!py_is_upper("123"));
        assert!(py_is_upper("ÉTÉ"));
        assert!(!py_is_upper("\u{1c5}A"));
        assert!(!py_is_upper(":)"));
        assert!(py_is_upper(":D"));
    }

    #[test]
    fn lower_borrows_when_unchanged() {
        assert!(matches!(py_lower("good"), Cow::Borrowed(_)));
        assert_eq!(py_lower("GoOD"), "good");
        assert_eq!(py_lower("ÉTÉ"), "été");
    }
}
