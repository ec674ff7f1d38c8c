//! Union-find over normalized key values: [`resolve`] and its [`Resolution`].

use std::borrow::Cow;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::hash::{BuildHasherDefault, Hasher};

use serde::{Deserialize, Serialize};

use super::{HubRule, KeyColumn, Options, normalize};
use crate::hash::FxHasher;
use crate::{Error, Result};

/// Why a record belongs to its customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Link {
    /// The customer's first record (smallest index), or a record that shares no key.
    Own,
    /// Linked through the key column at this position in `keys`: the first key, in the order
    /// the keys were given, whose normalized value this record shares with another record
    /// (hub values excluded).
    Key(u16),
}

/// A key value ignored because it is seen on too many customers (or records; see
/// [`HubRule`](super::HubRule)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HubKey {
    /// The key column's name.
    pub key: String,
    /// The normalized value.
    pub value: String,
    /// How many records hold it.
    pub records: usize,
    /// How many distinct base customers those records belong to (customers resolved from the
    /// values held by at most the limit of records, see [`HubRule`](super::HubRule)).
    #[serde(default)]
    pub customers: usize,
}

/// The result of [`resolve`]: one customer id per record, the link that explains it, and the
/// hub values that were ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resolution {
    customers: Vec<u32>,
    links: Vec<Link>,
    customer_count: usize,
    hubs: Vec<HubKey>,
}

impl Resolution {
    /// The customer id of every record. Ids are dense, `0..customer_count()`, numbered in
    /// the order of each customer's first record: the records of one customer keep their id
    /// when other records are appended, unless an appended record merges two customers.
    ///
    /// ```
    /// # use cem_core::identity::*;
    /// let ids = [Some("b"), Some("a"), Some("b")];
    /// let r = resolve(3, &[KeyColumn::new("crm_id", KeyKind::Id, &ids)], &Options::default())?;
    /// assert_eq!(r.customers(), &[0, 1, 0]);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn customers(&self) -> &[u32] {
        &self.customers
    }

    /// The explanation of every record (see [`Link`]).
    ///
    /// ```
    /// # use cem_core::identity::*;
    /// let ids = [Some("b"), Some("a"), Some("b")];
    /// let r = resolve(3, &[KeyColumn::new("crm_id", KeyKind::Id, &ids)], &Options::default())?;
    /// assert_eq!(r.links(), &[Link::Own, Link::Own, Link::Key(0)]);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn links(&self) -> &[Link] {
        &self.links
    }

    /// Number of resolved customers.
    ///
    /// ```
    /// # use cem_core::identity::*;
    /// let r = resolve(2, &[KeyColumn::new("d", KeyKind::Id, &[None, None])], &Options::default())?;
    /// assert_eq!(r.customer_count(), 2); // records without keys are customers of their own
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn customer_count(&self) -> usize {
        self.customer_count
    }

    /// The ignored hub values, by key (in the order of `keys`), then most records first,
    /// then value.
    ///
    /// ```
    /// # use cem_core::identity::*;
    /// let phone = [Some("800 555 0100"); 3];
    /// let o = Options::default().max_records_per_key(2)?;
    /// let r = resolve(3, &[KeyColumn::new("phone", KeyKind::Phone, &phone)], &o)?;
    /// assert_eq!(r.customer_count(), 3);
    /// let hub = HubKey { key: "phone".into(), value: "18005550100".into(), records: 3, customers: 1 };
    /// assert_eq!(r.hubs()[0], hub); // records rule: 3 records, all of one (unknown) customer
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn hubs(&self) -> &[HubKey] {
        &self.hubs
    }

    /// The normalized value behind record `record`'s link (`None` for [`Link::Own`] or a
    /// record out of range). `keys` and `options` must be the ones given to [`resolve`].
    ///
    /// ```
    /// # use cem_core::identity::*;
    /// let e = [Some("A@x.com"), Some("a@x.com ")];
    /// let keys = [KeyColumn::new("email", KeyKind::Email, &e)];
    /// let r = resolve(2, &keys, &Options::default())?;
    /// assert_eq!(r.linked_value(1, &keys, &Options::default()).as_deref(), Some("a@x.com"));
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn linked_value<'a>(
        &self,
        record: usize,
        keys: &[KeyColumn<'a>],
        options: &Options,
    ) -> Option<Cow<'a, str>> {
        let Link::Key(k) = *self.links.get(record)? else {
            return None;
        };
        let key = keys.get(usize::from(k))?;
        let raw = (*key.values().get(record)?)?;
        normalize(key.kind(), raw, options)
    }
}

/// Resolves `records` records into customers: two records belong to one customer when a
/// chain of shared normalized key values connects them (the connected components of the
/// graph whose edges are shared values). Hub values are ignored and reported: by default a
/// value seen on more than [`Options::max_customers_per_key`] distinct customers, with the
/// customers counted as [`HubRule::Customers`](super::HubRule) defines (from the values held by
/// at most that many records); or, with [`Options::max_records_per_key`], a value held by more
/// than that many records.
///
/// The grouping, the hubs and the links do not depend on the order of the records or of the
/// keys' values; ids are numbered by each customer's first record (see
/// [`Resolution::customers`]). Runs in O(records × keys) expected time (a hash map per key,
/// union by rank with path halving), plus a sort of the (value, customer) pairs of the values
/// held by more than the limit of records.
///
/// The hash maps use a fast non-cryptographic hasher: input crafted to collide degrades
/// speed, never the result.
///
/// # Errors
/// [`Error::Empty`] when `keys` is empty; [`Error::LengthMismatch`] when a key column does not
/// hold `records` values; [`Error::InvalidArgument`] for two keys of the same name;
/// [`Error::LimitExceeded`] for more than `u32::MAX - 1` records or 65,535 keys.
///
/// # Example
///
/// ```
/// use cem_core::identity::{resolve, KeyColumn, KeyKind, Options};
///
/// let email = [Some("a@x.com"), None, Some("c@x.com")];
/// let device = [Some("d1"), Some("d1"), Some("d2")];
/// let keys = [
///     KeyColumn::new("email", KeyKind::Email, &email),
///     KeyColumn::new("device_id", KeyKind::Id, &device),
/// ];
/// let r = resolve(3, &keys, &Options::default())?;
/// assert_eq!(r.customers(), &[0, 0, 1]);
/// assert!(resolve(2, &keys, &Options::default()).is_err()); // columns hold 3 values
///
/// // A CRM id on 4 contacts of one customer (same e-mail) is not a hub at a limit of 2
/// // customers; a phone number given by 3 different customers is.
/// let email = [Some("a@x"), Some("a@x"), Some("a@x"), Some("a@x"), Some("b@x"), Some("c@x")];
/// let crm = [Some("7"), Some("7"), Some("7"), Some("7"), None, None];
/// let phone = [None, None, None, Some("800 555 0100"), Some("800 555 0100"), Some("800 555 0100")];
/// let keys = [
///     KeyColumn::new("email", KeyKind::Email, &email),
///     KeyColumn::new("crm_id", KeyKind::Id, &crm),
///     KeyColumn::new("phone", KeyKind::Phone, &phone),
/// ];
/// let r = resolve(6, &keys, &Options::default().max_customers_per_key(2)?)?;
/// assert_eq!(r.customers(), &[0, 0, 0, 0, 1, 2]);
/// assert_eq!((r.hubs()[0].key.as_str(), r.hubs()[0].customers), ("phone", 3));
/// # Ok::<(), cem_core::Error>(())
/// ```
pub fn resolve(records: usize, keys: &[KeyColumn<'_>], options: &Options) -> Result<Resolution> {
    check(records, keys)?;
    let max = options.hub_limit();
    let indexed = index_keys(keys, options);
    let mut uf = UnionFind::new(records);
    // 1. Base customers: every value held by 2..=max records links its records.
    for index in &indexed {
        for (record, &id) in index.ids.iter().enumerate() {
            if let Some(first) = index.first_if(id, |c| (2..=max).contains(&c)) {
                uf.union(record as u32, first);
            }
        }
    }
    // 2. Values held by more than `max` records: count the base customers of their records;
    //    the records that hold no value of at most `max` records count as one together.
    let mut identified = vec![false; records];
    for index in &indexed {
        for (flag, &id) in identified.iter_mut().zip(&index.ids) {
            if index.first_if(id, |c| c <= max).is_some() {
                *flag = true;
            }
        }
    }
    let mut pairs: Vec<(u16, u32, u32)> = Vec::new();
    for (k, index) in indexed.iter().enumerate() {
        let k = u16::try_from(k).unwrap_or(u16::MAX); // checked: fewer than 65,535 keys
        for (record, (&id, &known)) in index.ids.iter().zip(&identified).enumerate() {
            if index.first_if(id, |c| c > max).is_some() {
                let customer = if known { uf.find(record as u32) } else { NONE };
                pairs.push((k, id, customer));
            }
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    let mut hub_flags: Vec<Vec<bool>> =
        indexed.iter().map(|i| vec![false; i.count.len()]).collect();
    let mut hubs = Vec::new();
    for run in pairs.chunk_by(|a, b| (a.0, a.1) == (b.0, b.1)) {
        let Some(&(k, id, _)) = run.first() else {
            continue;
        };
        let customers = run.len();
        if options.hub_rule() == HubRule::Customers && customers <= max {
            continue;
        }
        let (Some(index), Some(key)) = (indexed.get(usize::from(k)), keys.get(usize::from(k)))
        else {
            continue;
        };
        if let Some(flag) = hub_flags
            .get_mut(usize::from(k))
            .and_then(|f| f.get_mut(id as usize))
        {
            *flag = true;
        }
        let records_held = index.count.get(id as usize).copied().unwrap_or(0) as usize;
        let value = index
            .first
            .get(id as usize)
            .and_then(|&r| key.values().get(r as usize).copied().flatten())
            .and_then(|raw| normalize(key.kind(), raw, options))
            .map(|v| v.into_owned())
            .unwrap_or_default();
        hubs.push((
            k,
            HubKey {
                key: key.name().to_owned(),
                value,
                records: records_held,
                customers,
            },
        ));
    }
    // 3. The values over the record limit that are not hubs link too; every record's link is
    //    the first key (in key order) with a linking value it shares.
    let mut links: Vec<Option<u16>> = vec![None; records];
    for (k, (index, flags)) in indexed.iter().zip(&hub_flags).enumerate() {
        let k = u16::try_from(k).unwrap_or(u16::MAX);
        for (record, &id) in index.ids.iter().enumerate() {
            let hub = flags.get(id as usize).copied().unwrap_or(false);
            let Some(first) = index.first_if(id, |c| c >= 2).filter(|_| !hub) else {
                continue;
            };
            if index
                .count
                .get(id as usize)
                .is_some_and(|&c| c as usize > max)
            {
                uf.union(record as u32, first);
            }
            if let Some(link @ None) = links.get_mut(record) {
                *link = Some(k);
            }
        }
    }
    hubs.sort_by(|(ka, a), (kb, b)| {
        ka.cmp(kb)
            .then(b.records.cmp(&a.records))
            .then(a.value.cmp(&b.value))
    });
    let (customers, customer_count, firsts) = uf.dense_ids();
    let links = links
        .iter()
        .zip(&firsts)
        .map(|(l, &first)| match l {
            Some(k) if !first => Link::Key(*k),
            _ => Link::Own,
        })
        .collect();
    Ok(Resolution {
        customers,
        links,
        customer_count,
        hubs: hubs.into_iter().map(|(_, h)| h).collect(),
    })
}

const NONE: u32 = u32::MAX;

fn check(records: usize, keys: &[KeyColumn<'_>]) -> Result<()> {
    if keys.is_empty() {
        return Err(Error::empty(
            "keys",
            "identity resolution needs at least one key column",
        ));
    }
    if keys.len() >= usize::from(u16::MAX) {
        return Err(Error::limit_exceeded(
            "key columns",
            u16::MAX - 1,
            keys.len(),
        ));
    }
    if records >= NONE as usize {
        return Err(Error::limit_exceeded("records", NONE - 1, records));
    }
    for (i, key) in keys.iter().enumerate() {
        if key.len() != records {
            return Err(Error::length_mismatch(
                key.name(),
                key.len(),
                "records",
                records,
            ));
        }
        if keys.iter().take(i).any(|other| other.name() == key.name()) {
            return Err(Error::invalid_argument(
                "keys",
                format!("key `{}` is given twice", key.name()),
            ));
        }
    }
    Ok(())
}

/// One key column's values as dense value ids, with the first record and the record count of
/// every value.
struct KeyIndex {
    ids: Vec<u32>,
    first: Vec<u32>,
    count: Vec<u32>,
}

impl KeyIndex {
    /// The first record of value `id` when its record count passes `test` (`None` for
    /// [`NONE`], a record without this key).
    fn first_if(&self, id: u32, test: impl Fn(usize) -> bool) -> Option<u32> {
        let c = *self.count.get(id as usize)? as usize;
        if test(c) {
            self.first.get(id as usize).copied()
        } else {
            None
        }
    }
}

#[cfg(feature = "parallel")]
fn index_keys(keys: &[KeyColumn<'_>], options: &Options) -> Vec<KeyIndex> {
    use rayon::prelude::*;
    keys.par_iter().map(|k| index_key(k, options)).collect()
}

#[cfg(not(feature = "parallel"))]
fn index_keys(keys: &[KeyColumn<'_>], options: &Options) -> Vec<KeyIndex> {
    keys.iter().map(|k| index_key(k, options)).collect()
}

fn index_key(key: &KeyColumn<'_>, options: &Options) -> KeyIndex {
    let values = key.values();
    let mut map: HashMap<Cow<'_, str>, u32, BuildHasherDefault<MixHasher>> = HashMap::default();
    let mut ids = Vec::with_capacity(values.len());
    let mut first: Vec<u32> = Vec::new();
    let mut count: Vec<u32> = Vec::new();
    for (record, raw) in values.iter().enumerate() {
        let Some(norm) = raw.and_then(|r| normalize(key.kind(), r, options)) else {
            ids.push(NONE);
            continue;
        };
        let id = match map.entry(norm) {
            Entry::Occupied(e) => *e.get(),
            Entry::Vacant(e) => {
                let id = first.len() as u32; // < records < u32::MAX (checked)
                first.push(record as u32);
                count.push(0);
                e.insert(id);
                id
            }
        };
        if let Some(c) = count.get_mut(id as usize) {
            *c = c.saturating_add(1);
        }
        ids.push(id);
    }
    KeyIndex { ids, first, count }
}

/// FxHasher with a final avalanche (murmur3's fmix64). Fx alone leaves the low bits of a
/// string's hash depending on little but its last bytes, and key values share their endings
/// (`@example.com`): the hash table's buckets would collide massively.
#[derive(Default, Clone, Copy)]
struct MixHasher(FxHasher);

impl Hasher for MixHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        self.0.write(bytes);
    }

    #[inline]
    fn finish(&self) -> u64 {
        let mut h = self.0.finish();
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
}

/// Disjoint sets over `0..n` with union by rank and path halving.
struct UnionFind {
    parent: Vec<u32>,
    rank: Vec<u8>,
}

impl UnionFind {
    fn new(n: usize) -> Self {
        UnionFind {
            parent: (0..n as u32).collect(),
            rank: vec![0; n],
        }
    }

    fn find(&mut self, mut x: u32) -> u32 {
        loop {
            let Some(&p) = self.parent.get(x as usize) else {
                return x;
            };
            if p == x {
                return x;
            }
            let gp = self.parent.get(p as usize).copied().unwrap_or(p);
            if let Some(slot) = self.parent.get_mut(x as usize) {
                *slot = gp;
            }
            x = gp;
        }
    }

    fn union(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return;
        }
        let rank = |s: &Self, x: u32| s.rank.get(x as usize).copied().unwrap_or(0);
        let (hi, lo) = match rank(self, ra).cmp(&rank(self, rb)) {
            std::cmp::Ordering::Less => (rb, ra),
            std::cmp::Ordering::Greater => (ra, rb),
            std::cmp::Ordering::Equal => {
                if let Some(r) = self.rank.get_mut(ra as usize) {
                    *r = r.saturating_add(1);
                }
                (ra, rb)
            }
        };
        if let Some(slot) = self.parent.get_mut(lo as usize) {
            *slot = hi;
        }
    }

    /// Dense component ids in order of each component's first element, their count, and
    /// whether each element is its component's first.
    fn dense_ids(&mut self) -> (Vec<u32>, usize, Vec<bool>) {
        let n = self.parent.len();
        let mut id_of_root = vec![NONE; n];
        let mut ids = Vec::with_capacity(n);
        let mut firsts = Vec::with_capacity(n);
        let mut next = 0u32;
        for x in 0..n as u32 {
            let root = self.find(x);
            match id_of_root.get_mut(root as usize) {
                Some(slot) if *slot == NONE => {
                    *slot = next;
                    ids.push(next);
                    firsts.push(true);
                    next += 1;
                }
                Some(slot) => {
                    ids.push(*slot);
                    firsts.push(false);
                }
                None => {
                    ids.push(NONE);
                    firsts.push(true);
                }
            }
        }
        (ids, next as usize, firsts)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use crate::identity::KeyKind;

    #[test]
    fn chain_through_different_keys() {
        // 0 -email- 2 -phone- 1 ; 3 alone ; 4 shares device with 3
        let email = [Some("a@x"), None, Some("A@X"), Some("z@x"), None];
        let phone = [None, Some("555 0100"), Some("+1 5550100"), None, None];
        let device = [None, None, None, Some("d"), Some("d ")];
        let keys = [
            KeyColumn::new("email", KeyKind::Email, &email),
            KeyColumn::new("phone", KeyKind::Phone, &phone),
            KeyColumn::new("device_id", KeyKind::Id, &device),
        ];
        let r = resolve(5, &keys, &Options::default()).unwrap();
        assert_eq!(r.customers(), &[0, 0, 0, 1, 1]);
        assert_eq!(r.customer_count(), 2);
        assert_eq!(
            r.links(),
            &[
                Link::Own,
                Link::Key(1),
                Link::Key(0),
                Link::Own,
                Link::Key(2)
            ]
        );
        assert!(r.hubs().is_empty());
    }

    #[test]
    fn hubs_are_ignored_and_reported() {
        let phone = [Some("1"), Some("1"), Some("1"), Some("2"), Some("2")];
        let email = [Some("a"), None, Some("a"), None, None];
        let keys = [
            KeyColumn::new("phone", KeyKind::Id, &phone),
            KeyColumn::new("email", KeyKind::Email, &email),
        ];
        let o = Options::default().max_records_per_key(2).unwrap();
        let r = resolve(5, &keys, &o).unwrap();
        assert_eq!(r.customers(), &[0, 1, 0, 2, 2]);
        assert_eq!(r.hubs().len(), 1);
        assert_eq!(r.hubs()[0].value, "1");
        assert_eq!(r.hubs()[0].records, 3);
        assert_eq!(r.links()[2], Link::Key(1));
    }

    #[test]
    fn errors() {
        let o = Options::default();
        assert_eq!(resolve(0, &[], &o).unwrap_err().kind(), ErrorKind::Empty);
        let v = [None];
        let e = resolve(2, &[KeyColumn::new("email", KeyKind::Email, &v)], &o).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::LengthMismatch);
        assert_eq!(e.to_string(), "`email` has 1 values but `records` has 2");
        let twice = [
            KeyColumn::new("a", KeyKind::Id, &v),
            KeyColumn::new("a", KeyKind::Id, &v),
        ];
        assert_eq!(
            resolve(1, &twice, &o).unwrap_err().kind(),
            ErrorKind::InvalidArgument
        );
    }

    #[test]
    fn empty_input() {
        let r = resolve(
            0,
            &[KeyColumn::new("a", KeyKind::Id, &[])],
            &Options::default(),
        )
        .unwrap();
        assert_eq!(r.customer_count(), 0);
        assert!(r.customers().is_empty());
    }
}
