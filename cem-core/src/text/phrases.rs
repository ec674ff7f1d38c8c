//! Key phrases: the n-grams that set one group of comments apart from the others.
//!
//! Ranked by the weighted log-odds ratio with an informative Dirichlet prior of Monroe,
//! Colaresi & Quinn (2008, "Fightin' words", *Political Analysis* 16(4)), as a z-score. For a
//! phrase w, group i and the rest j (all other groups together):
//!
//! ```text
//! δ_w = ln((y_wi + α_w) / (n_i + α_0 − y_wi − α_w)) − ln((y_wj + α_w) / (n_j + α_0 − y_wj − α_w))
//! σ²_w ≈ 1/(y_wi + α_w) + 1/(y_wj + α_w)          z_w = δ_w / σ_w
//! ```
//!
//! where `y` are phrase counts, `n` the total count of all phrases in the group, and the prior
//! is the whole corpus: `α_w = prior_scale · y_w` (the phrase's count over all groups) and
//! `α_0 = prior_scale · n` (the same scale times the count of all phrases). Phrases of every
//! length share one vocabulary. A phrase is reported for a group when it occurs there, its
//! count over all groups reaches `min_count`, and its z is positive (it is more typical of
//! the group than of the rest).
//!
//! Words are lowercase runs of letters and digits (inner apostrophes kept); n-grams do not
//! span sentence punctuation (`. , ; : ! ?`, brackets, quotes, line breaks); a single
//! stopword is not a phrase, and neither is an n-gram that starts or ends with one.

use serde::{Deserialize, Serialize};

use super::stopwords::ENGLISH_STOPWORDS;
use super::words::segments;
use crate::hash::FxHashMap;
use crate::{Error, Result};

/// Options of [`key_phrases`].
///
/// # Example
///
/// ```
/// use cem_core::text::PhraseOptions;
///
/// let o = PhraseOptions { max_n: 3, top: 5, ..PhraseOptions::default() };
/// assert_eq!((o.min_n, o.max_n, o.min_count), (1, 3, 3));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhraseOptions {
    /// Shortest n-gram (≥ 1; default 1).
    pub min_n: usize,
    /// Longest n-gram (≥ `min_n`, ≤ 8; default 2).
    pub max_n: usize,
    /// Phrases returned per group (default 10).
    pub top: usize,
    /// A phrase must occur at least this often over all groups (default 3).
    pub min_count: u64,
    /// Prior strength: `α_w = prior_scale · count of w in the corpus` (finite, > 0; default 1).
    pub prior_scale: f64,
    /// Stopwords (compared lowercase); `None` is [`ENGLISH_STOPWORDS`], an empty list none.
    pub stopwords: Option<Vec<String>>,
}

impl Default for PhraseOptions {
    fn default() -> Self {
        PhraseOptions {
            min_n: 1,
            max_n: 2,
            top: 10,
            min_count: 3,
            prior_scale: 1.0,
            stopwords: None,
        }
    }
}

/// One phrase that sets a group apart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyPhrase {
    /// The group's code (as given in `groups`).
    pub group: u32,
    /// The n-gram, words joined by single spaces.
    pub phrase: String,
    /// The z-score δ/σ.
    pub z: f64,
    /// The log-odds ratio δ.
    pub delta: f64,
    /// Occurrences in the group.
    pub count: u64,
    /// Occurrences in all other groups.
    pub other_count: u64,
}

/// The top phrases of each group of texts, ranked by weighted log-odds z-score (see the
/// [module docs](self)). `groups[k]` is the group code of `texts[k]`. Rows come by group code,
/// then by z (largest first), ties by phrase.
///
/// # Errors
///
/// [`Error::LengthMismatch`] when `texts` and `groups` differ in length;
/// [`Error::InvalidArgument`] for `min_n` of 0, `max_n` < `min_n` or > 8, a `prior_scale`
/// that is not finite and positive, or fewer than two groups.
///
/// # Example
///
/// ```
/// use cem_core::text::{key_phrases, PhraseOptions};
///
/// let texts = [
///     "hold music for an hour", "the hold music again", "hold music, no answer",
///     "great app", "the app is great", "love the app",
/// ];
/// let groups = [0, 0, 0, 1, 1, 1];
/// let options = PhraseOptions { min_count: 2, ..PhraseOptions::default() };
/// let phrases = key_phrases(&texts, &groups, &options)?;
/// let calls: Vec<&str> = phrases.iter().filter(|p| p.group == 0).map(|p| p.phrase.as_str()).collect();
/// assert_eq!(&calls[..3], ["hold", "hold music", "music"]);
/// # Ok::<(), cem_core::Error>(())
/// ```
pub fn key_phrases<S: AsRef<str>>(
    texts: &[S],
    groups: &[u32],
    options: &PhraseOptions,
) -> Result<Vec<KeyPhrase>> {
    check(texts.len(), groups, options)?;
    let stop: std::collections::HashSet<String> = match &options.stopwords {
        None => ENGLISH_STOPWORDS.iter().map(|s| (*s).to_owned()).collect(),
        Some(list) => list.iter().map(|s| s.to_lowercase()).collect(),
    };
    let counts = Counts::build(texts, groups, options, &stop);
    Ok(counts.rank(options))
}

fn check(n_texts: usize, groups: &[u32], o: &PhraseOptions) -> Result<()> {
    if n_texts != groups.len() {
        return Err(Error::length_mismatch(
            "texts",
            n_texts,
            "groups",
            groups.len(),
        ));
    }
    if o.min_n == 0 || o.max_n < o.min_n || o.max_n > 8 {
        return Err(Error::invalid_argument(
            "ngram",
            format!(
                "`({}, {})` must satisfy 1 <= min <= max <= 8",
                o.min_n, o.max_n
            ),
        ));
    }
    if !(o.prior_scale.is_finite() && o.prior_scale > 0.0) {
        return Err(Error::invalid_argument(
            "prior_scale",
            format!("`{}` must be a finite number above 0", o.prior_scale),
        ));
    }
    let first = groups.first().copied();
    if !groups.iter().any(|&g| Some(g) != first) {
        return Err(Error::invalid_argument(
            "groups",
            "key phrases compare groups: at least two different groups are needed",
        ));
    }
    Ok(())
}

/// Phrase counts per group over one shared vocabulary.
struct Counts {
    phrases: Vec<String>,
    /// `per_group[g]`: phrase id → count.
    per_group: FxHashMap<u32, FxHashMap<usize, u64>>,
    total: Vec<u64>,
}

impl Counts {
    fn build<S: AsRef<str>>(
        texts: &[S],
        groups: &[u32],
        o: &PhraseOptions,
        stop: &std::collections::HashSet<String>,
    ) -> Counts {
        let mut ids: FxHashMap<String, usize> = FxHashMap::default();
        let mut c = Counts {
            phrases: Vec::new(),
            per_group: FxHashMap::default(),
            total: Vec::new(),
        };
        let mut key = String::new();
        for (text, &g) in texts.iter().zip(groups) {
            let group = c.per_group.entry(g).or_default();
            for seg in segments(text.as_ref()) {
                for n in o.min_n..=o.max_n {
                    for gram in seg.windows(n) {
                        let (Some(first), Some(last)) = (gram.first(), gram.last()) else {
                            continue;
                        };
                        if stop.contains(first) || stop.contains(last) {
                            continue;
                        }
                        key.clear();
                        for (k, w) in gram.iter().enumerate() {
                            if k > 0 {
                                key.push(' ');
                            }
                            key.push_str(w);
                        }
                        let id = match ids.get(&key) {
                            Some(&id) => id,
                            None => {
                                let id = c.phrases.len();
                                ids.insert(key.clone(), id);
                                c.phrases.push(key.clone());
                                c.total.push(0);
                                id
                            }
                        };
                        *group.entry(id).or_insert(0) += 1;
                        if let Some(t) = c.total.get_mut(id) {
                            *t += 1;
                        }
                    }
                }
            }
        }
        c
    }

    fn rank(&self, o: &PhraseOptions) -> Vec<KeyPhrase> {
        let n_total: u64 = self.total.iter().sum();
        let a0 = o.prior_scale * n_total as f64;
        let mut codes: Vec<u32> = self.per_group.keys().copied().collect();
        codes.sort_unstable();
        let mut out = Vec::new();
        for g in codes {
            let Some(counts) = self.per_group.get(&g) else {
                continue;
            };
            let n_i: u64 = counts.values().sum();
            let n_j = n_total - n_i;
            let mut rows: Vec<KeyPhrase> = counts
                .iter()
                .filter_map(|(&id, &y_i)| {
                    let total = *self.total.get(id)?;
                    if total < o.min_count {
                        return None;
                    }
                    let (delta, z) =
                        log_odds(y_i, total - y_i, n_i, n_j, total, a0, o.prior_scale)?;
                    (z > 0.0).then(|| KeyPhrase {
                        group: g,
                        phrase: self.phrases.get(id).cloned().unwrap_or_default(),
                        z,
                        delta,
                        count: y_i,
                        other_count: total - y_i,
                    })
                })
                .collect();
            rows.sort_by(|a, b| b.z.total_cmp(&a.z).then_with(|| a.phrase.cmp(&b.phrase)));
            rows.truncate(o.top);
            out.extend(rows);
        }
        out
    }
}

/// δ and z of one phrase (`None` when a denominator vanishes: a one-phrase vocabulary).
fn log_odds(
    y_i: u64,
    y_j: u64,
    n_i: u64,
    n_j: u64,
    y: u64,
    a0: f64,
    scale: f64,
) -> Option<(f64, f64)> {
    let a = scale * y as f64;
    let (yi, yj) = (y_i as f64, y_j as f64);
    let di = n_i as f64 + a0 - yi - a;
    let dj = n_j as f64 + a0 - yj - a;
    if di <= 0.0 || dj <= 0.0 {
        return None;
    }
    let delta = ((yi + a) / di).ln() - ((yj + a) / dj).ln();
    let var = 1.0 / (yi + a) + 1.0 / (yj + a);
    let z = delta / var.sqrt();
    z.is_finite().then_some((delta, z))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_options_are_errors() {
        let t = ["a b", "c d"];
        let o = PhraseOptions::default();
        assert!(key_phrases(&t, &[0], &o).is_err());
        assert!(key_phrases(&t, &[0, 0], &o).is_err());
        let bad = PhraseOptions {
            min_n: 0,
            ..o.clone()
        };
        assert!(key_phrases(&t, &[0, 1], &bad).is_err());
        let bad = PhraseOptions {
            prior_scale: f64::NAN,
            ..o
        };
        assert!(key_phrases(&t, &[0, 1], &bad).is_err());
    }

    #[test]
    fn stopword_edges_are_skipped_inside_kept() {
        let t = [
            "waste of money",
            "waste of money",
            "waste of money",
            "fine",
            "fine",
            "fine",
        ];
        let o = PhraseOptions {
            max_n: 3,
            ..PhraseOptions::default()
        };
        let p = key_phrases(&t, &[0, 0, 0, 1, 1, 1], &o).unwrap_or_default();
        let phrases: Vec<&str> = p
            .iter()
            .filter(|k| k.group == 0)
            .map(|k| k.phrase.as_str())
            .collect();
        assert!(phrases.contains(&"waste of money"));
        assert!(!phrases.iter().any(|p| p.ends_with(" of") || *p == "of"));
    }
}
