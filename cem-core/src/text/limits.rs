//! [`TextLimits`]: how long a text from an untrusted source may be before it is scored.
//!
//! Scoring is linear in the text's length, but a service that scores what strangers type
//! should still refuse a 10 MB "comment" rather than spend its time and memory on it. The
//! `*_with` functions ([`polarity_with`], [`sentiment_with`], [`complaints_with`]) check every
//! text first; the Python and JS bindings always go through them (with the defaults unless
//! the caller passes `max_chars`). [`polarity`](super::polarity) and friends, for trusted
//! Rust callers, have no limit.

use super::complaints::{Complaint, complaints};
use super::vader::{Polarity, polarity, sentiment};
use crate::{Error, Result};

/// Limits on the texts given to sentiment and complaint detection. Going over a limit is
/// [`Error::LimitExceeded`], naming the limit and the text.
///
/// | limit | default |
/// |---|---|
/// | `max_chars` — characters (Unicode scalar values) in one text | 100 000 |
///
/// The default holds any survey comment or support e-mail with room to spare (a long e-mail
/// is ~10 000 characters); raise it for documents you trust.
///
/// # Example
///
/// ```
/// use cem_core::text::TextLimits;
///
/// let roomy = TextLimits { max_chars: 1_000_000 };
/// assert!(roomy.check(&"a".repeat(200_000)).is_ok());
/// assert!(TextLimits::default().check(&"a".repeat(200_000)).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextLimits {
    /// Most characters (Unicode scalar values, what Python's `len` counts) in one text.
    pub max_chars: usize,
}

/// The default [`TextLimits::max_chars`]: 100 000.
pub const DEFAULT_MAX_CHARS: usize = 100_000;

impl Default for TextLimits {
    fn default() -> Self {
        TextLimits {
            max_chars: DEFAULT_MAX_CHARS,
        }
    }
}

impl TextLimits {
    /// `Ok` when the text is within the limits.
    ///
    /// # Errors
    ///
    /// [`Error::LimitExceeded`] when the text has more than `max_chars` characters.
    ///
    /// # Example
    ///
    /// ```
    /// use cem_core::{ErrorKind, text::TextLimits};
    ///
    /// let tight = TextLimits { max_chars: 5 };
    /// assert!(tight.check("héllo").is_ok());
    /// let err = tight.check("hello!").unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::LimitExceeded);
    /// assert_eq!(err.to_string(), "the length of the text exceeds the limit of 5 characters: 6 characters");
    /// ```
    pub fn check(&self, text: &str) -> Result<()> {
        self.check_one(text, None)
    }

    /// `Ok` when every text is within the limits.
    ///
    /// # Errors
    ///
    /// [`Error::LimitExceeded`] naming the first text (by position) over a limit.
    ///
    /// # Example
    ///
    /// ```
    /// use cem_core::text::TextLimits;
    ///
    /// let err = TextLimits { max_chars: 3 }.check_all(&["ok", "too long"]).unwrap_err();
    /// assert_eq!(err.to_string(), "the length of text 1 exceeds the limit of 3 characters: 8 characters");
    /// ```
    pub fn check_all<S: AsRef<str>>(&self, texts: &[S]) -> Result<()> {
        texts
            .iter()
            .enumerate()
            .try_for_each(|(i, t)| self.check_one(t.as_ref(), Some(i)))
    }

    fn check_one(&self, text: &str, index: Option<usize>) -> Result<()> {
        // A UTF-8 text has at least as many bytes as characters: count only when it may be over.
        if text.len() <= self.max_chars {
            return Ok(());
        }
        let chars = text.chars().count();
        if chars <= self.max_chars {
            return Ok(());
        }
        let what = match index {
            None => "the length of the text".to_owned(),
            Some(i) => format!("the length of text {i}"),
        };
        Err(Error::limit_exceeded(
            what,
            format!("{} characters", self.max_chars),
            format!("{chars} characters"),
        ))
    }
}

/// [`polarity`](super::polarity) of a text within the [`TextLimits`].
///
/// # Errors
///
/// [`Error::LimitExceeded`] when the text is too long.
///
/// # Example
///
/// ```
/// use cem_core::text::{polarity_with, TextLimits};
///
/// assert_eq!(polarity_with("Not bad at all", &TextLimits::default())?.compound, 0.431);
/// assert!(polarity_with(&"a".repeat(100_001), &TextLimits::default()).is_err());
/// # Ok::<(), cem_core::Error>(())
/// ```
pub fn polarity_with(text: &str, limits: &TextLimits) -> Result<Polarity> {
    limits.check(text)?;
    Ok(polarity(text))
}

/// [`sentiment`](super::sentiment) of texts within the [`TextLimits`]; nothing is scored
/// when one text is over.
///
/// # Errors
///
/// [`Error::LimitExceeded`] naming the first text that is too long.
///
/// # Example
///
/// ```
/// use cem_core::text::{sentiment_with, TextLimits};
///
/// let scores = sentiment_with(&["Great staff!", ""], &TextLimits::default())?;
/// assert_eq!((scores[0].compound, scores[1].compound), (0.6588, 0.0));
/// # Ok::<(), cem_core::Error>(())
/// ```
pub fn sentiment_with<S: AsRef<str> + Sync>(
    texts: &[S],
    limits: &TextLimits,
) -> Result<Vec<Polarity>> {
    limits.check_all(texts)?;
    Ok(sentiment(texts))
}

/// [`complaints`](super::complaints) of texts within the [`TextLimits`].
///
/// # Errors
///
/// [`Error::LimitExceeded`] naming the first text that is too long.
///
/// # Example
///
/// ```
/// use cem_core::text::{complaints_with, TextLimits};
///
/// let found = complaints_with(&["Never again."], &TextLimits::default())?;
/// assert!(found[0].is_complaint);
/// # Ok::<(), cem_core::Error>(())
/// ```
pub fn complaints_with<S: AsRef<str>>(texts: &[S], limits: &TextLimits) -> Result<Vec<Complaint>> {
    limits.check_all(texts)?;
    Ok(complaints(texts))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn counts_characters_not_bytes() {
        let limits = TextLimits { max_chars: 3 };
        assert!(limits.check("äöü").is_ok()); // 6 bytes, 3 characters
        assert!(limits.check("äöüß").is_err());
    }

    #[test]
    fn ten_million_characters_are_refused_by_default() {
        let text = "good ".repeat(2_000_000);
        let err = sentiment_with(&["fine", text.as_str()], &TextLimits::default()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::LimitExceeded);
        assert_eq!(
            err.to_string(),
            "the length of text 1 exceeds the limit of 100000 characters: 10000000 characters"
        );
        let roomy = TextLimits {
            max_chars: 10_000_000,
        };
        assert!(roomy.check(&text).is_ok());
        let short = "good ".repeat(30_000);
        assert_eq!(
            polarity_with(&short, &TextLimits { max_chars: 150_000 }).unwrap(),
            polarity(&short)
        );
    }

    #[test]
    fn at_the_limit_is_accepted() {
        let text = "a".repeat(DEFAULT_MAX_CHARS);
        assert!(polarity_with(&text, &TextLimits::default()).is_ok());
        assert!(complaints_with(&[text + "a"], &TextLimits::default()).is_err());
    }
}
