//! Complaint detection: negative sentiment plus complaint cues.
//!
//! A comment is a complaint when
//!
//! - it contains a **complaint cue** ([`COMPLAINT_CUES`]: asking for money back or to cancel,
//!   escalating, saying it will not come back, naming a failed delivery, charge or product)
//!   and its VADER `compound` is below [`CUE_MAX_COMPOUND`] (0.25: not clearly positive —
//!   "thanks for the quick refund!" is no complaint, while mildly positive words such as
//!   `want` or `please` do not clear a cue), or
//! - its `compound` is at most [`STRONG_NEGATIVE`] (−0.5) whatever its words.
//!
//! Cues are matched on lowercase words (see [`key_phrases`](super::key_phrases) for the word
//! rules); a cue ending in `*` matches any word that starts with it (`refund*`: refund,
//! refunds, refunded).
//!
//! On the labelled set of `tests/python/test_text_complaints.py` (122 sentences written for
//! the test: 60 complaints, 62 praise, questions and positive mentions of cue words) the rule
//! has precision 0.96 and recall 0.88; the test asserts at least 0.8 for both. Misses are
//! complaints without a cue whose sentiment is not strongly negative ("the agent hung up on
//! me") and VADER's own misreadings ("Never again. Worst store ever." scores positive, as
//! `never` negates `worst`).

use std::sync::OnceLock;

use serde::Serialize;

use super::vader::polarity;
use super::words::segments;
use crate::hash::FxHashMap;

/// The complaint cues: lowercase words or phrases; `*` ends a prefix.
///
/// # Example
///
/// ```
/// assert!(cem_core::text::COMPLAINT_CUES.contains(&"never again"));
/// ```
pub const COMPLAINT_CUES: &[&str] = &[
    // money back, leaving
    "refund*",
    "money back",
    "reimburs*",
    "chargeback",
    "cancel*",
    "unsubscribe*",
    "close my account",
    "never again",
    "never coming back",
    "never order*",
    "never buy*",
    "switching to",
    "last time",
    // escalation
    "manager",
    "supervisor",
    "escalat*",
    "complain*",
    "complaint*",
    "lawyer",
    "legal action",
    "report you",
    "compensat*",
    // waiting and not being answered
    "still waiting",
    "still not",
    "still no",
    "on hold",
    "no response",
    "no reply",
    "no answer",
    "nobody",
    "no one",
    "never arrived",
    "never came",
    "never received",
    "never got",
    // failures
    "charged twice",
    "double charged",
    "overcharg*",
    "broken",
    "broke",
    "damaged",
    "defective",
    "missing",
    "lost",
    "wrong",
    "late",
    "delay*",
    "not working",
    "doesn't work",
    "didn't work",
    "stopped working",
    "crash*",
    "scam*",
    "fraud*",
    "rip off",
    "ripped off",
    "waste of",
    // verdicts
    "unacceptable",
    "ridiculous",
    "disgrace*",
    "rude",
    "worst",
    "terrible",
    "horrible",
    "awful",
    "useless",
    "fed up",
    "disappoint*",
];

/// With a cue, `compound` must be below this (0.25).
pub const CUE_MAX_COMPOUND: f64 = 0.25;
/// Without a cue, `compound` at most this (−0.5) is a complaint.
pub const STRONG_NEGATIVE: f64 = -0.5;

/// What [`complaint`] found in one text.
///
/// # Example
///
/// ```
/// use cem_core::text::complaint;
///
/// let c = complaint("Cancel my order and refund me.");
/// assert!(c.is_complaint);
/// assert_eq!(c.cues, ["refund*", "cancel*"]);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Complaint {
    /// The verdict.
    pub is_complaint: bool,
    /// VADER `compound` of the text.
    pub compound: f64,
    /// The cues found, in the order of [`COMPLAINT_CUES`].
    pub cues: Vec<&'static str>,
}

/// Complaint or not, with the cues found and the sentiment (see the module docs).
///
/// # Example
///
/// ```
/// use cem_core::text::complaint;
///
/// assert!(complaint("I want to speak to a manager!").is_complaint);
/// assert!(!complaint("Thanks for the quick refund, great service!").is_complaint);
/// assert!(complaint("Horrible, rude staff.").is_complaint);
/// ```
pub fn complaint(text: &str) -> Complaint {
    let compound = polarity(text).compound;
    let cues = cues_in(text);
    let is_complaint =
        (!cues.is_empty() && compound < CUE_MAX_COMPOUND) || compound <= STRONG_NEGATIVE;
    Complaint {
        is_complaint,
        compound,
        cues,
    }
}

/// Whether a text is a complaint: [`complaint`]`(text).is_complaint`.
///
/// # Example
///
/// ```
/// assert!(cem_core::text::is_complaint("Still waiting for my refund."));
/// ```
pub fn is_complaint(text: &str) -> bool {
    complaint(text).is_complaint
}

/// [`complaint`] of each text.
///
/// # Example
///
/// ```
/// let flags: Vec<bool> = cem_core::text::complaints(&["Great!", "Never again."])
///     .iter().map(|c| c.is_complaint).collect();
/// assert_eq!(flags, [false, true]);
/// ```
pub fn complaints<S: AsRef<str>>(texts: &[S]) -> Vec<Complaint> {
    texts.iter().map(|t| complaint(t.as_ref())).collect()
}

/// The cues of [`COMPLAINT_CUES`] that occur in the text, in the order of the list.
fn cues_in(text: &str) -> Vec<&'static str> {
    let index = CueIndex::get();
    let mut found = vec![false; COMPLAINT_CUES.len()];
    for seg in segments(text) {
        for (p, word) in seg.iter().enumerate() {
            let rest = seg.get(p..).unwrap_or_default();
            let exact = index
                .by_word
                .get(word.as_str())
                .map_or(&[][..], Vec::as_slice);
            let prefixed = index
                .by_prefix
                .iter()
                .filter(|(stem, _)| word.starts_with(stem));
            for &c in exact.iter().chain(prefixed.map(|(_, c)| c)) {
                if let (Some(slot), Some(parts)) = (found.get_mut(c), index.parts.get(c))
                    && !*slot
                    && rest.len() >= parts.len()
                    && rest
                        .iter()
                        .zip(parts)
                        .all(|(w, part)| matches_part(w, part))
                {
                    *slot = true;
                }
            }
        }
    }
    COMPLAINT_CUES
        .iter()
        .zip(found)
        .filter_map(|(cue, f)| f.then_some(*cue))
        .collect()
}

/// The cues split into words and indexed by their first word (exact or prefix).
struct CueIndex {
    parts: Vec<Vec<&'static str>>,
    by_word: FxHashMap<&'static str, Vec<usize>>,
    by_prefix: Vec<(&'static str, usize)>,
}

impl CueIndex {
    fn get() -> &'static CueIndex {
        static INDEX: OnceLock<CueIndex> = OnceLock::new();
        INDEX.get_or_init(|| {
            let mut index = CueIndex {
                parts: Vec::new(),
                by_word: FxHashMap::default(),
                by_prefix: Vec::new(),
            };
            for (c, cue) in COMPLAINT_CUES.iter().enumerate() {
                let parts: Vec<&'static str> = cue.split(' ').collect();
                let first = parts.first().copied().unwrap_or_default();
                match first.strip_suffix('*') {
                    Some(stem) => index.by_prefix.push((stem, c)),
                    None => index.by_word.entry(first).or_default().push(c),
                }
                index.parts.push(parts);
            }
            index
        })
    }
}

fn matches_part(word: &str, part: &str) -> bool {
    match part.strip_suffix('*') {
        Some(stem) => word.starts_with(stem),
        None => word == part,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cues_match_words_and_prefixes_only() {
        assert_eq!(cues_in("Refunded? Not yet."), ["refund*"]);
        assert!(cues_in("latest news").is_empty()); // `late` is a whole word
        assert_eq!(cues_in("on  hold, for hours"), ["on hold"]);
        assert!(cues_in("on. hold").is_empty()); // phrases do not span punctuation
    }
}
