//! Feedback text: VADER sentiment identical to the `vaderSentiment` package, key phrases that
//! set one group of comments apart, and complaint detection.
//!
//! - [`polarity`] / [`sentiment`]: `neg`, `neu`, `pos`, `compound` for each text, the same
//!   numbers as vaderSentiment 3.3.2 (its lexicons ship in the crate, MIT, with the notice in
//!   `src/text/data/`). Needs the `sentiment` feature (on by default; the browser build can
//!   leave the lexicon out).
//!
//! # Example
//!
//! ```
//! use cem_core::text::{polarity, SentimentLabel};
//!
//! let p = polarity("The agent was VERY helpful, but the refund took weeks :(");
//! assert_eq!(p.label(), SentimentLabel::Negative);
//! ```

#[cfg(feature = "sentiment")]
mod lexicon;
#[cfg(feature = "sentiment")]
mod tokenize;
#[cfg(feature = "sentiment")]
mod vader;

#[cfg(feature = "sentiment")]
pub use vader::{
    NEGATIVE_THRESHOLD, POSITIVE_THRESHOLD, Polarity, SentimentLabel, polarity, sentiment,
};
