//! Word tokens for key phrases and complaint cues (private; VADER has its own tokenizer).
//!
//! A word is a run of letters and digits, lowercased, with inner apostrophes kept (`don't`;
//! a typographic `’` becomes `'`). Sentence punctuation (`. , ; : ! ? ( ) [ ] { } "` and line
//! breaks) ends a segment: n-grams never span it. Other characters (spaces, hyphens, `/`,
//! emoji) only separate words.

/// The segments of a text, each a list of lowercase words.
pub(crate) fn segments(text: &str) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = Vec::new();
    let mut seg: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_alphanumeric() {
            word.extend(c.to_lowercase());
            continue;
        }
        let apostrophe = c == '\'' || c == '\u{2019}';
        if apostrophe && !word.is_empty() && chars.peek().is_some_and(|n| n.is_alphanumeric()) {
            word.push('\'');
            continue;
        }
        if !word.is_empty() {
            seg.push(std::mem::take(&mut word));
        }
        if is_break(c) && !seg.is_empty() {
            out.push(std::mem::take(&mut seg));
        }
    }
    if !word.is_empty() {
        seg.push(word);
    }
    if !seg.is_empty() {
        out.push(seg);
    }
    out
}

fn is_break(c: char) -> bool {
    matches!(
        c,
        '.' | ','
            | ';'
            | ':'
            | '!'
            | '?'
            | '('
            | ')'
            | '['
            | ']'
            | '{'
            | '}'
            | '"'
            | '\n'
            | '\r'
            | '\u{201c}'
            | '\u{201d}'
            | '\u{2026}'
            | '\u{3002}'
            | '\u{ff0c}'
            | '\u{ff01}'
            | '\u{ff1f}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_lowercase_keep_inner_apostrophes_and_split_at_punctuation() {
        let s = segments("Don’t CALL me, the hold-music is 'awful'! Customers' money");
        assert_eq!(
            s,
            vec![
                vec!["don't", "call", "me"],
                vec!["the", "hold", "music", "is", "awful"],
                vec!["customers", "money"],
            ]
        );
        assert!(segments(" ... !! ").is_empty());
        assert_eq!(segments("Ünïcode ТЕКСТ"), vec![vec!["ünïcode", "текст"]]);
    }
}
