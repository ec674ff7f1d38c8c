//! The guards: the stable sampling hash, customer keys, and the per-customer record that
//! quarantine and frequency caps are checked against.
//!
//! The hash is written out here (SplitMix64's finalizer over FNV-1a for text) so that it is
//! the same on every platform, in every release, and in the browser: a customer sampled in
//! today is sampled in after a restart, and `std`'s randomly keyed hasher never enters.

use super::rules::{Cap, Quarantine, QuarantineScope};
use crate::hash::FxHashMap;

const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;

/// SplitMix64's finalizer: a bijective mix of 64 bits.
#[inline]
pub(crate) fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(GOLDEN);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// FNV-1a over the UTF-8 bytes, then [`mix`].
pub(crate) fn text_hash(text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in text.as_bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    mix(h)
}

/// The stable 64-bit key of a customer id given as text: FNV-1a 64 of its UTF-8 bytes,
/// passed through SplitMix64's finalizer. The orchestrator keys its state and its sampling
/// hash by these keys; two different ids collide with probability about n²/2⁶⁵ (3·10⁻⁸ for
/// a million customers).
///
/// ```
/// use cem_core::survey::orchestrate::customer_key;
/// assert_eq!(customer_key("ann"), customer_key("ann"));
/// assert_ne!(customer_key("ann"), customer_key("bob"));
/// ```
pub fn customer_key(id: &str) -> u64 {
    text_hash(id)
}

/// The sampling draw in [0, 1) of a trigger for a customer (and event): the top 53 bits of
/// `mix(mix(mix(seed) ^ text_hash(trigger_id)) ^ customer)`, further mixed with
/// `mix(event)` when sampling by event. A decision samples in when the draw is below the
/// trigger's rate.
///
/// ```
/// use cem_core::survey::orchestrate::{customer_key, sample_draw};
/// let u = sample_draw(7, "after-call", customer_key("ann"), None);
/// assert!((0.0..1.0).contains(&u));
/// assert_eq!(u, sample_draw(7, "after-call", customer_key("ann"), None));
/// assert_ne!(u, sample_draw(8, "after-call", customer_key("ann"), None));
/// ```
pub fn sample_draw(seed: u64, trigger: &str, customer: u64, event: Option<u64>) -> f64 {
    draw(trigger_base(seed, trigger), customer, event)
}

/// The part of the hash that depends on the seed and the trigger only.
pub(crate) fn trigger_base(seed: u64, trigger: &str) -> u64 {
    mix(mix(seed) ^ text_hash(trigger))
}

#[inline]
pub(crate) fn draw(base: u64, customer: u64, event: Option<u64>) -> f64 {
    let mut h = mix(base ^ customer);
    if let Some(e) = event {
        h = mix(h ^ mix(e));
    }
    #[allow(clippy::cast_precision_loss)]
    let u = (h >> 11) as f64;
    u * (1.0 / 9_007_199_254_740_992.0)
}

/// "No time" in the state columns.
pub(crate) const NONE: i64 = i64::MIN;

/// What the orchestrator remembers, in one flat block of `i64` per customer (so a decision
/// costs one hash lookup and one or two adjacent cache lines, no pointer chasing):
/// `[last invitation, count, the keep most recent invitation times (ascending, unused slots
/// NONE in front), last invitation per survey (with survey-scoped quarantines)]`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Store {
    keep: usize,
    surveys: usize,
    stride: usize,
    index: FxHashMap<u64, u32>,
    pub(crate) keys: Vec<u64>,
    cells: Vec<i64>,
}

/// The last invitation ([`NONE`] if never) and how many there were.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Head {
    pub(crate) last: i64,
    pub(crate) count: u64,
}

/// Why a guard says no, before it becomes a public reason.
pub(crate) enum Block {
    Quarantined { until: i64 },
    Capped { cap: usize, until: i64 },
}

const LAST: usize = 0;
const COUNT: usize = 1;
const RECENT: usize = 2;

impl Store {
    /// An empty store keeping `keep` recent times and tracking `surveys` surveys (0: none).
    pub(crate) fn new(keep: usize, surveys: usize) -> Store {
        Store {
            keep,
            surveys,
            stride: RECENT + keep + surveys,
            ..Store::default()
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }

    #[inline]
    pub(crate) fn slot(&self, key: u64) -> Option<u32> {
        self.index.get(&key).copied()
    }

    #[inline]
    fn block(&self, slot: u32) -> &[i64] {
        let from = slot as usize * self.stride;
        self.cells.get(from..from + self.stride).unwrap_or_default()
    }

    /// The slot of `key`, created empty if new.
    pub(crate) fn insert(&mut self, key: u64) -> Option<u32> {
        if let Some(s) = self.slot(key) {
            return Some(s);
        }
        let s = u32::try_from(self.keys.len()).ok()?;
        self.index.insert(key, s);
        self.keys.push(key);
        self.cells.extend([NONE, 0]);
        self.cells.extend(std::iter::repeat_n(NONE, self.keep + self.surveys));
        Some(s)
    }

    /// The last invitation and the count of a slot.
    pub(crate) fn head(&self, slot: u32) -> Head {
        let b = self.block(slot);
        Head {
            last: b.get(LAST).copied().unwrap_or(NONE),
            count: b.get(COUNT).map_or(0, |&c| c.max(0).cast_unsigned()),
        }
    }

    /// The recent invitation times of a slot (the full block, [`NONE`]s first).
    #[inline]
    pub(crate) fn recent(&self, slot: u32) -> &[i64] {
        self.block(slot).get(RECENT..RECENT + self.keep).unwrap_or_default()
    }

    /// The last invitation per survey of a slot ([`NONE`] where none).
    pub(crate) fn by_survey(&self, slot: u32) -> &[i64] {
        self.block(slot).get(RECENT + self.keep..).unwrap_or_default()
    }

    /// The quarantine check at time `t` for `survey`.
    #[inline]
    pub(crate) fn quarantine(&self, slot: u32, q: &Quarantine, survey: u32, t: i64) -> Option<Block> {
        let d = q.duration.seconds();
        if d == 0 {
            return None;
        }
        let b = self.block(slot);
        let last = match q.scope {
            QuarantineScope::Global => *b.get(LAST)?,
            QuarantineScope::Survey => *b.get(RECENT + self.keep + survey as usize)?,
        };
        if last == NONE {
            return None;
        }
        let until = last.saturating_add(d);
        (t < until).then_some(Block::Quarantined { until })
    }

    /// The first cap that is full at time `t`: invitations in the window `(t − per, t]`.
    #[inline]
    pub(crate) fn capped(&self, slot: Option<u32>, caps: &[Cap], t: i64) -> Option<Block> {
        let recent = slot.map_or(&[][..], |s| self.recent(s));
        for (i, cap) in caps.iter().enumerate() {
            let k = cap.max as usize;
            let from = t.saturating_sub(cap.per.seconds());
            let inside = recent.iter().rev().take_while(|&&s| s != NONE && s > from).count();
            if inside >= k {
                // The window frees up when the k-th most recent invitation leaves it.
                let until = match recent.len().checked_sub(k).filter(|_| k > 0).and_then(|j| recent.get(j)) {
                    Some(&kth) => kth.saturating_add(cap.per.seconds()),
                    None => i64::MAX,
                };
                return Some(Block::Capped { cap: i, until });
            }
        }
        None
    }

    /// Records an invitation decided at `t`.
    #[inline]
    pub(crate) fn invite(&mut self, slot: u32, t: i64, survey: u32) {
        let (keep, surveys) = (self.keep, self.surveys);
        let from = slot as usize * self.stride;
        let Some(b) = self.cells.get_mut(from..from + self.stride) else { return };
        if let Some(last) = b.get_mut(LAST) {
            *last = t;
        }
        if let Some(count) = b.get_mut(COUNT) {
            *count = count.saturating_add(1);
        }
        if let Some(recent) = b.get_mut(RECENT..RECENT + keep) {
            // A few elements: a plain shift beats a call to memmove.
            for i in 1..recent.len() {
                if let Some(&next) = recent.get(i)
                    && let Some(cell) = recent.get_mut(i - 1)
                {
                    *cell = next;
                }
            }
            if let Some(end) = recent.last_mut() {
                *end = t;
            }
        }
        if (survey as usize) < surveys
            && let Some(cell) = b.get_mut(RECENT + keep + survey as usize)
        {
            *cell = t;
        }
    }

    /// Restores one customer (recent times ascending; the newest `keep` are kept). False if
    /// the key is already there.
    pub(crate) fn restore(&mut self, key: u64, last: i64, count: u64, recent: &[i64], by_survey: &[(u32, i64)]) -> bool {
        if self.slot(key).is_some() {
            return false;
        }
        let Some(s) = self.insert(key) else { return false };
        let (keep, surveys) = (self.keep, self.surveys);
        let from = s as usize * self.stride;
        let Some(b) = self.cells.get_mut(from..from + self.stride) else { return false };
        if let [l, c, ..] = b {
            *l = last;
            *c = i64::try_from(count).unwrap_or(i64::MAX);
        }
        let take = recent.len().min(keep);
        let src = recent.get(recent.len() - take..).unwrap_or_default();
        if let Some(dst) = b.get_mut(RECENT + keep - take..RECENT + keep) {
            dst.copy_from_slice(src);
        }
        for &(survey, t) in by_survey {
            if (survey as usize) < surveys
                && let Some(cell) = b.get_mut(RECENT + keep + survey as usize)
            {
                *cell = t;
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_stable_across_releases() {
        // Recorded once from this implementation; a change here silently redraws every sample.
        assert_eq!(mix(0), 0xe220_a839_7b1d_cdaf);
        assert_eq!(text_hash(""), mix(0xcbf2_9ce4_8422_2325));
    }

    #[test]
    fn draws_are_uniform_enough() {
        let base = trigger_base(1, "t");
        let n = 100_000u64;
        let below: u64 = (0..n).map(|c| u64::from(draw(base, c, None) < 0.3)).sum();
        #[allow(clippy::cast_precision_loss)]
        let share = below as f64 / n as f64;
        assert!((share - 0.3).abs() < 0.01, "{share}");
    }
}
