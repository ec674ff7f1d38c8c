//! VADER sentiment, identical to the `vaderSentiment` 3.3.2 package.
//!
//! A rule-based scorer (Hutto & Gilbert 2014): every word found in the lexicon contributes
//! its valence, adjusted by the rules of the package's `SentimentIntensityAnalyzer`, which cem
//! reproduces quirks included:
//!
//! - **Emoji** are replaced by their text description (one-code-point emoji only, as the
//!   package looks each character up alone), separated by a space from a preceding non-space.
//! - **Tokens** are the whitespace-separated pieces of the text (Python's `str.split`), with
//!   ASCII punctuation stripped from both ends unless that leaves two characters or fewer (so
//!   `:)` and `ok.` stay as they are).
//! - **ALL CAPS**: when some but not all tokens are upper case, an upper-case lexicon word
//!   gains ±0.733 (away from zero; a zero valence goes to −0.733), and so does an upper-case
//!   booster.
//! - **Boosters and dampeners** (`very`, `extremely`, `kinda`, `barely`, …) in the three
//!   tokens before a word add ±0.293 (towards the word's sign), scaled by 1, 0.95 and 0.9
//!   with distance; a booster token itself scores 0, and so does `kind` before `of`.
//! - **Negation** (`not`, `never`, `without`, any token containing `n't`, …) in those three
//!   tokens multiplies by −0.74; `never so`/`never this` boost by 1.25 instead, and so does
//!   `so`/`this` right before a word preceded by at least three tokens (a quirk of the
//!   package); `without doubt` cancels the negation. `no` before a lexicon word scores 0 and
//!   negates the words one or two (or three, across `or`/`nor`) tokens after it. `least`
//!   before a word negates it unless preceded by `at` or `very`.
//! - **Idioms** (`the shit`, `the bomb`, `bad ass`, `yeah right`, `kiss of death`,
//!   `to die for`, `beating heart`, `bus stop`) replace the valence, and `kind of`, `sort of`,
//!   `just enough` two or three tokens before add −0.293 — only for a word with at least three
//!   tokens before it whose third predecessor is not a lexicon word, as in the package. The
//!   package's `badass` special case and its sentiment-laden idioms (`cut the mustard`, …)
//!   never take effect there (one is a single token, the other is never called), nor here.
//! - **But**: words before the first `but` count half, words after it 1.5 times — applied by
//!   the package through `list.index` of each value, so with repeated values the factor can
//!   land on an earlier equal value; cem does the same.
//! - **Punctuation**: each `!` (up to 4) adds 0.292 and 2–3 `?` add 0.18 each (more: 0.96),
//!   away from zero, to the sum and to the larger of the positive and negative parts.
//! - **Scores**: `compound` is the sum normalized by x/√(x²+15); `pos`, `neg`, `neu` are the
//!   shares of positive (each word's valence + 1), negative (−1) and neutral (1) words.
//!   Rounded as Python's `round` does (exact decimal value, ties to even): 3 decimals for
//!   the shares, 4 for `compound`.
//!
//! Upper/lower case and whitespace follow Python's Unicode definitions, so non-Latin text
//! tokenizes the same (up to differences between Unicode versions of Python and Rust).

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::lexicon::Lexicon;
use super::modifiers::{B_DECR, C_INCR, N_SCALAR, booster, negated, special_case};
use super::tokenize::{py_is_upper, py_lower, py_split, py_strip, strip_punc_if_word};

/// `compound` ≥ this is positive (the threshold the VADER README recommends).
pub const POSITIVE_THRESHOLD: f64 = 0.05;
/// `compound` ≤ this is negative.
pub const NEGATIVE_THRESHOLD: f64 = -0.05;

/// The VADER scores of one text, as `SentimentIntensityAnalyzer.polarity_scores` returns them.
///
/// # Example
///
/// ```
/// use cem_core::text::{polarity, SentimentLabel};
///
/// let p = polarity("The book was good.");
/// assert_eq!((p.neg, p.neu, p.pos, p.compound), (0.0, 0.508, 0.492, 0.4404));
/// assert_eq!(p.label(), SentimentLabel::Positive);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct Polarity {
    /// Share of negative words (0..=1, three decimals).
    pub neg: f64,
    /// Share of neutral words (0..=1, three decimals).
    pub neu: f64,
    /// Share of positive words (0..=1, three decimals).
    pub pos: f64,
    /// Normalized sum of valences (−1..=1, four decimals).
    pub compound: f64,
}

/// Positive, neutral or negative, by `compound` (≥ 0.05 positive, ≤ −0.05 negative).
///
/// # Example
///
/// ```
/// use cem_core::text::{polarity, SentimentLabel};
///
/// assert_eq!(polarity("Worst service ever").label(), SentimentLabel::Negative);
/// assert_eq!(SentimentLabel::Negative.as_str(), "negative");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SentimentLabel {
    /// `compound` ≤ −0.05.
    Negative,
    /// In between.
    Neutral,
    /// `compound` ≥ 0.05.
    Positive,
}

impl SentimentLabel {
    /// `"negative"`, `"neutral"` or `"positive"`.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(cem_core::text::SentimentLabel::Neutral.as_str(), "neutral");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            SentimentLabel::Negative => "negative",
            SentimentLabel::Neutral => "neutral",
            SentimentLabel::Positive => "positive",
        }
    }
}

impl Polarity {
    /// The label of `compound`: positive from 0.05, negative from −0.05.
    ///
    /// # Example
    ///
    /// ```
    /// use cem_core::text::{polarity, SentimentLabel};
    ///
    /// assert_eq!(polarity("It arrived on Tuesday.").label(), SentimentLabel::Neutral);
    /// ```
    pub fn label(&self) -> SentimentLabel {
        if self.compound >= POSITIVE_THRESHOLD {
            SentimentLabel::Positive
        } else if self.compound <= NEGATIVE_THRESHOLD {
            SentimentLabel::Negative
        } else {
            SentimentLabel::Neutral
        }
    }
}

/// The VADER scores of one text — `SentimentIntensityAnalyzer().polarity_scores(text)` of
/// vaderSentiment 3.3.2, to the last digit. Never fails: empty text scores all zeros.
///
/// # Example
///
/// ```
/// use cem_core::text::polarity;
///
/// assert_eq!(polarity("VADER is smart, handsome, and funny!").compound, 0.8439);
/// assert_eq!(polarity("Not bad at all").compound, 0.431);
/// assert_eq!(polarity("").compound, 0.0);
/// ```
pub fn polarity(text: &str) -> Polarity {
    score(text, Lexicon::get())
}

/// The VADER scores of many texts, in order (on several threads with the `parallel`
/// feature and more than a few thousand texts).
///
/// # Example
///
/// ```
/// use cem_core::text::sentiment;
///
/// let scores = sentiment(&["Great staff!", "The refund never came."]);
/// assert!(scores[0].compound > 0.5 && scores[1].compound == 0.0);
/// ```
pub fn sentiment<S: AsRef<str> + Sync>(texts: &[S]) -> Vec<Polarity> {
    let lex = Lexicon::get();
    #[cfg(feature = "parallel")]
    if texts.len() >= 4096 {
        use rayon::prelude::*;
        return texts.par_iter().map(|t| score(t.as_ref(), lex)).collect();
    }
    texts.iter().map(|t| score(t.as_ref(), lex)).collect()
}

/// One token: lowercased, whether it is ALL CAPS, and its lexicon valence (looked up once).
struct Word<'a> {
    lower: Cow<'a, str>,
    upper: bool,
    valence: Option<f64>,
}

/// The tokens of a text with the state the rules consult.
struct Sentence<'a> {
    words: Vec<Word<'a>>,
    cap_diff: bool,
}

fn score(text: &str, lex: &Lexicon) -> Polarity {
    let replaced = replace_emoji(text, lex);
    let text = py_strip(&replaced);
    let words: Vec<Word<'_>> = py_split(text)
        .map(|tok| {
            let w = strip_punc_if_word(tok);
            let lower = py_lower(w);
            Word {
                valence: lex.valence(&lower),
                lower,
                upper: py_is_upper(w),
            }
        })
        .collect();
    let n = words.len();
    let caps = words.iter().filter(|w| w.upper).count();
    let s = Sentence {
        cap_diff: 0 < n - caps && n - caps < n,
        words,
    };
    let mut sentiments = Vec::with_capacity(n);
    for i in 0..n {
        let item = s.low(i);
        if booster(item).is_some() || (item == "kind" && i + 1 < n && s.low(i + 1) == "of") {
            sentiments.push(0.0);
        } else {
            sentiments.push(s.valence(i));
        }
    }
    s.but_check(&mut sentiments);
    score_valence(&sentiments, text)
}

/// `polarity_scores`' emoji pass: each one-character emoji becomes its description.
fn replace_emoji<'a>(text: &'a str, lex: &Lexicon) -> Cow<'a, str> {
    if !text.chars().any(|c| lex.emoji(c).is_some()) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 32);
    let mut prev_space = true;
    for c in text.chars() {
        if let Some(description) = lex.emoji(c) {
            if !prev_space {
                out.push(' ');
            }
            out.push_str(description);
            prev_space = false;
        } else {
            out.push(c);
            prev_space = c == ' ';
        }
    }
    Cow::Owned(out)
}

impl Sentence<'_> {
    /// The lowercase token at `i` (empty past the end; callers stay in range as the package
    /// does).
    #[inline]
    fn low(&self, i: usize) -> &str {
        self.words.get(i).map_or("", |w| &w.lower)
    }

    /// Whether the token at `i` is a lexicon word.
    #[inline]
    fn in_lexicon(&self, i: usize) -> bool {
        self.words.get(i).is_some_and(|w| w.valence.is_some())
    }

    #[inline]
    fn upper(&self, i: usize) -> bool {
        self.words.get(i).is_some_and(|w| w.upper)
    }

    /// `sentiment_valence` for the token at `i`.
    fn valence(&self, i: usize) -> f64 {
        let item = self.low(i);
        let Some(base) = self.words.get(i).and_then(|w| w.valence) else {
            return 0.0;
        };
        let n = self.words.len();
        let mut valence = base;
        if item == "no" && i + 1 != n && self.in_lexicon(i + 1) {
            valence = 0.0;
        }
        if (i > 0 && self.low(i - 1) == "no")
            || (i > 1 && self.low(i - 2) == "no")
            || (i > 2 && self.low(i - 3) == "no" && matches!(self.low(i - 1), "or" | "nor"))
        {
            valence = base * N_SCALAR;
        }
        if self.upper(i) && self.cap_diff {
            if valence > 0.0 {
                valence += C_INCR;
            } else {
                valence -= C_INCR;
            }
        }
        for start_i in 0..3 {
            if i > start_i && !self.in_lexicon(i - (start_i + 1)) {
                let mut s = self.scalar_inc_dec(i - (start_i + 1), valence);
                if start_i == 1 && s != 0.0 {
                    s *= 0.95;
                }
                if start_i == 2 && s != 0.0 {
                    s *= 0.9;
                }
                valence += s;
                valence = self.negation_check(valence, start_i, i);
                if start_i == 2 {
                    valence = self.special_idioms_check(valence, i);
                }
            }
        }
        self.least_check(valence, i)
    }

    /// `scalar_inc_dec`: the booster/dampener effect of the token at `j` on `valence`.
    fn scalar_inc_dec(&self, j: usize, valence: f64) -> f64 {
        let Some(b) = booster(self.low(j)) else {
            return 0.0;
        };
        let mut scalar = if valence < 0.0 { -b } else { b };
        if self.upper(j) && self.cap_diff {
            if valence > 0.0 {
                scalar += C_INCR;
            } else {
                scalar -= C_INCR;
            }
        }
        scalar
    }

    /// `_negation_check`.
    fn negation_check(&self, valence: f64, start_i: usize, i: usize) -> f64 {
        let w = |k: usize| self.low(i - k);
        let so_this = |s: &str| s == "so" || s == "this";
        match start_i {
            0 if negated(w(1)) => valence * N_SCALAR,
            1 => {
                if w(2) == "never" && so_this(w(1)) {
                    valence * 1.25
                } else if w(2) == "without" && w(1) == "doubt" {
                    valence
                } else if negated(w(2)) {
                    valence * N_SCALAR
                } else {
                    valence
                }
            }
            2 => {
                if (w(3) == "never" && so_this(w(2))) || so_this(w(1)) {
                    valence * 1.25
                } else if w(3) == "without" && (w(2) == "doubt" || w(1) == "doubt") {
                    valence
                } else if negated(w(3)) {
                    valence * N_SCALAR
                } else {
                    valence
                }
            }
            _ => valence,
        }
    }

    /// `_special_idioms_check` (called with `i >= 3`).
    fn special_idioms_check(&self, mut valence: f64, i: usize) -> f64 {
        let n = self.words.len();
        let (w3, w2, w1, w0) = (
            self.low(i - 3),
            self.low(i - 2),
            self.low(i - 1),
            self.low(i),
        );
        let sequences: [&[&str]; 5] = [
            &[w1, w0],
            &[w2, w1, w0],
            &[w2, w1],
            &[w3, w2, w1],
            &[w3, w2],
        ];
        if let Some(v) = sequences.iter().find_map(|seq| special_case(seq)) {
            valence = v;
        }
        if n - 1 > i
            && let Some(v) = special_case(&[w0, self.low(i + 1)])
        {
            valence = v;
        }
        if n - 1 > i + 1
            && let Some(v) = special_case(&[w0, self.low(i + 1), self.low(i + 2)])
        {
            valence = v;
        }
        // booster/dampener bigrams (`kind of`, `sort of`, `just enough`) among the n-grams
        // threetwoone (never two words), threetwo and twoone
        for (a, b) in [(w3, w2), (w2, w1)] {
            if matches!((a, b), ("just", "enough") | ("kind", "of") | ("sort", "of")) {
                valence += B_DECR;
            }
        }
        valence
    }

    /// `_least_check`.
    fn least_check(&self, valence: f64, i: usize) -> f64 {
        let prev_is_least = |k: usize| !self.in_lexicon(k) && self.low(k) == "least";
        if i > 1 && prev_is_least(i - 1) {
            let w2 = self.low(i - 2);
            if w2 != "at" && w2 != "very" {
                return valence * N_SCALAR;
            }
            valence
        } else if i > 0 && prev_is_least(i - 1) {
            valence * N_SCALAR
        } else {
            valence
        }
    }

    /// `_but_check`, reproduced literally: for each value in turn, the *first* equal value
    /// in the list is scaled (by 0.5 before the first `but`, 1.5 after it).
    fn but_check(&self, sentiments: &mut [f64]) {
        let Some(bi) = self.words.iter().position(|w| w.lower == "but") else {
            return;
        };
        for k in 0..sentiments.len() {
            let Some(&s) = sentiments.get(k) else { break };
            if s == 0.0 {
                continue; // scaling a zero changes nothing
            }
            let Some(si) = sentiments.iter().position(|&x| x == s) else {
                continue;
            };
            let factor = match si.cmp(&bi) {
                std::cmp::Ordering::Less => 0.5,
                std::cmp::Ordering::Greater => 1.5,
                std::cmp::Ordering::Equal => continue,
            };
            if let Some(slot) = sentiments.get_mut(si) {
                *slot = s * factor;
            }
        }
    }
}

/// `score_valence`: the sum, punctuation emphasis, normalization and shares, rounded.
fn score_valence(sentiments: &[f64], text: &str) -> Polarity {
    if sentiments.is_empty() {
        return Polarity::default();
    }
    let mut sum_s: f64 = sentiments.iter().fold(0.0, |a, &b| a + b);
    let amp = punctuation_emphasis(text);
    if sum_s > 0.0 {
        sum_s += amp;
    } else if sum_s < 0.0 {
        sum_s -= amp;
    }
    let compound = normalize(sum_s);
    let (mut pos_sum, mut neg_sum, mut neu_count) = (0.0f64, 0.0f64, 0u32);
    for &s in sentiments {
        if s > 0.0 {
            pos_sum += s + 1.0;
        }
        if s < 0.0 {
            neg_sum += s - 1.0;
        }
        if s == 0.0 {
            neu_count += 1;
        }
    }
    if pos_sum > neg_sum.abs() {
        pos_sum += amp;
    } else if pos_sum < neg_sum.abs() {
        neg_sum -= amp;
    }
    let total = pos_sum + neg_sum.abs() + f64::from(neu_count);
    Polarity {
        neg: py_round((neg_sum / total).abs(), 3),
        neu: py_round((f64::from(neu_count) / total).abs(), 3),
        pos: py_round((pos_sum / total).abs(), 3),
        compound: py_round(compound, 4),
    }
}

/// `_punctuation_emphasis`: `!` (up to 4) and `?` (2 or more).
fn punctuation_emphasis(text: &str) -> f64 {
    let ep = text.bytes().filter(|&b| b == b'!').count().min(4);
    let qm = text.bytes().filter(|&b| b == b'?').count();
    let qm_amp = match qm {
        0 | 1 => 0.0,
        2 => 2.0 * 0.18,
        3 => 3.0 * 0.18,
        _ => 0.96,
    };
    ep as f64 * 0.292 + qm_amp
}

/// `normalize` with alpha = 15.
fn normalize(score: f64) -> f64 {
    (score / (score * score + 15.0).sqrt()).clamp(-1.0, 1.0)
}

/// Python's `round(x, digits)` for a float: the exact binary value rounded to `digits`
/// decimals, ties to even, then the nearest double.
fn py_round(x: f64, digits: i32) -> f64 {
    let scale = 10f64.powi(digits);
    let y = x * scale;
    let frac = (y - y.trunc()).abs();
    if (frac - 0.5).abs() > 1e-6 {
        // far from a tie, the product's rounding error cannot change the result; an integer
        // divided by a power of ten is the double nearest that decimal, as in Python
        return y.round() / scale;
    }
    // near a tie: decide on the exact decimal expansion (std formats exactly, ties to even)
    let digits = usize::try_from(digits).unwrap_or(0);
    format!("{x:.digits$}")
        .parse()
        .unwrap_or(y.round_ties_even() / scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn py_round_matches_python_on_exact_ties() {
        // round(0.0625, 3) == 0.062, round(0.1875, 3) == 0.188, round(0.03125, 4) == 0.0312
        assert_eq!(py_round(0.0625, 3), 0.062);
        assert_eq!(py_round(0.1875, 3), 0.188);
        assert_eq!(py_round(0.03125, 4), 0.0312);
        assert_eq!(py_round(-0.03125, 4), -0.0312);
        // 0.0005 is stored slightly above the tie: round(0.0005, 3) == 0.001
        assert_eq!(py_round(0.0005, 3), 0.001);
        // round(2.675, 2) == 2.67 (stored below the tie)
        assert_eq!(py_round(2.675, 2), 2.67);
        assert_eq!(py_round(0.123_456, 4), 0.1235);
    }

    #[test]
    fn but_check_scales_the_first_equal_value() {
        // "nice but warm": nice = 1.8 is halved to 0.9; warm (0.9, after `but`) then finds
        // that earlier 0.9 first and halves it again, leaving its own value unscaled.
        let p = polarity("nice but warm");
        let direct = score_valence(&[1.8 * 0.5 * 0.5, 0.0, 0.9], "");
        assert_eq!(p, direct);
    }
}
