//! The VADER lexicons, shipped in the crate and parsed once (private).
//!
//! `data/vader_lexicon.txt` (7,506 entries after duplicates) and
//! `data/emoji_utf8_lexicon.txt` are the files of the published vaderSentiment 3.3.2 wheel,
//! byte for byte (MIT, © 2016 C.J. Hutto; the notice is `data/LICENSE-vaderSentiment.txt`).
//! They are parsed the way the package parses them (`make_lex_dict`, `make_emoji_dict`):
//! each line stripped, split on tabs, the first two fields kept, a later duplicate replacing an
//! earlier one.

use std::sync::OnceLock;

use super::tokenize::py_strip;
use crate::hash::FxHashMap;

/// The word lexicon file of vaderSentiment 3.3.2.
const VADER_LEXICON: &str = include_str!("data/vader_lexicon.txt");
/// The emoji lexicon file of vaderSentiment 3.3.2.
const EMOJI_LEXICON: &str = include_str!("data/emoji_utf8_lexicon.txt");

/// The parsed lexicons.
pub(crate) struct Lexicon {
    words: FxHashMap<&'static str, f64>,
    /// Only emoji of one code point can ever match: the package looks each character of the
    /// text up on its own.
    emojis: FxHashMap<char, &'static str>,
}

impl Lexicon {
    /// The lexicons, parsed on first use.
    pub(crate) fn get() -> &'static Lexicon {
        static LEXICON: OnceLock<Lexicon> = OnceLock::new();
        LEXICON.get_or_init(Lexicon::parse)
    }

    /// The valence of a (lowercase) word, if the lexicon has it.
    #[inline]
    pub(crate) fn valence(&self, word: &str) -> Option<f64> {
        self.words.get(word).copied()
    }

    /// The text description of a one-character emoji.
    #[inline]
    pub(crate) fn emoji(&self, c: char) -> Option<&'static str> {
        if c.is_ascii() {
            return None; // no ASCII character is an emoji key
        }
        self.emojis.get(&c).copied()
    }

    /// Number of word entries.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.words.len()
    }

    fn parse() -> Lexicon {
        let mut words = FxHashMap::default();
        for line in VADER_LEXICON.trim_end_matches('\n').split('\n') {
            if line.is_empty() {
                continue;
            }
            let mut fields = py_strip(line).split('\t');
            if let (Some(word), Some(measure)) = (fields.next(), fields.next())
                && let Ok(v) = measure.parse::<f64>()
            {
                words.insert(word, v);
            }
        }
        let mut emojis = FxHashMap::default();
        for line in EMOJI_LEXICON.trim_end_matches('\n').split('\n') {
            let mut fields = py_strip(line).split('\t');
            if let (Some(emoji), Some(description)) = (fields.next(), fields.next()) {
                let mut chars = emoji.chars();
                if let (Some(c), None) = (chars.next(), chars.next()) {
                    emojis.insert(c, description);
                }
            }
        }
        Lexicon { words, emojis }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexicon_parses_like_the_package() {
        let lex = Lexicon::get();
        // len(SentimentIntensityAnalyzer().lexicon) == 7506 in vaderSentiment 3.3.2
        assert_eq!(lex.len(), 7506);
        assert_eq!(lex.valence("good"), Some(1.9));
        assert_eq!(lex.valence("no"), Some(-1.2));
        // a later duplicate wins (`xd` appears twice; the package keeps 2.8)
        assert_eq!(lex.valence("xd"), Some(2.8));
        assert_eq!(lex.emoji('😁'), Some("beaming face with smiling eyes"));
        assert_eq!(lex.emoji('©'), Some("copyright"));
        assert_eq!(lex.emoji('a'), None);
    }
}
