//! Feedback text: VADER sentiment identical to the `vaderSentiment` package, key phrases that
//! set one group of comments apart, and complaint detection.
//!
//! - [`polarity`] / [`sentiment`]: `neg`, `neu`, `pos`, `compound` for each text, the same
//!   numbers as vaderSentiment 3.3.2 (its lexicons ship in the crate, MIT, with the notice in
//!   `src/text/data/`).
//! - [`key_phrases`]: per group, the n-grams ranked by weighted log-odds with an informative
//!   Dirichlet prior (Monroe, Colaresi & Quinn 2008), English stopwords built in.
//! - [`complaint`] / [`complaints`]: negative sentiment plus documented complaint cues.
//! - [`TextLimits`]: the longest text the `*_with` functions (and the Python and JS
//!   bindings) score, 100 000 characters by default.
//!
//! Sentiment and complaints need the `sentiment` feature (on by default; a browser build can
//! leave the ~0.5 MB lexicon out); key phrases do not.
//!
//! # Example
//!
//! ```
//! # #[cfg(feature = "sentiment")] {
//! use cem_core::text::{complaint, polarity, SentimentLabel};
//!
//! let p = polarity("The agent was VERY helpful, but the refund took weeks :(");
//! assert_eq!(p.label(), SentimentLabel::Negative);
//! assert!(complaint("The agent was VERY helpful, but the refund took weeks :(").is_complaint);
//! # }
//! ```

#[cfg(feature = "sentiment")]
mod complaints;
#[cfg(feature = "sentiment")]
mod lexicon;
#[cfg(feature = "sentiment")]
mod limits;
#[cfg(feature = "sentiment")]
mod modifiers;
mod phrases;
mod stopwords;
#[cfg(feature = "sentiment")]
mod tokenize;
#[cfg(feature = "sentiment")]
mod vader;
mod words;

#[cfg(feature = "sentiment")]
pub use complaints::{
    COMPLAINT_CUES, CUE_MAX_COMPOUND, Complaint, STRONG_NEGATIVE, complaint, complaints,
    is_complaint,
};
#[cfg(feature = "sentiment")]
pub use limits::{DEFAULT_MAX_CHARS, TextLimits, complaints_with, polarity_with, sentiment_with};
pub use phrases::{KeyPhrase, PhraseOptions, key_phrases};
pub use stopwords::ENGLISH_STOPWORDS;
#[cfg(feature = "sentiment")]
pub use vader::{
    NEGATIVE_THRESHOLD, POSITIVE_THRESHOLD, Polarity, SentimentLabel, polarity, sentiment,
};
