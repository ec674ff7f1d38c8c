//! Identity resolution by public contract: the grouping equals the connected components of
//! the shared-value graph (a plain BFS written here), does not depend on record order, and
//! hub values are dropped and reported.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::{HashMap, VecDeque};

use cem_core::identity::{HubRule, KeyColumn, KeyKind, Link, Options, normalize, resolve};
use proptest::prelude::*;

/// Records as rows of optional raw values for three keys (email, phone, device).
type Rows = Vec<[Option<String>; 3]>;

const KINDS: [KeyKind; 3] = [KeyKind::Email, KeyKind::Phone, KeyKind::Id];
const NAMES: [&str; 3] = ["email", "phone", "device_id"];

fn run(rows: &Rows, o: &Options) -> cem_core::identity::Resolution {
    let cols: Vec<Vec<Option<&str>>> = (0..3)
        .map(|k| rows.iter().map(|r| r[k].as_deref()).collect())
        .collect();
    let keys: Vec<KeyColumn<'_>> = (0..3)
        .map(|k| KeyColumn::new(NAMES[k], KINDS[k], &cols[k]))
        .collect();
    resolve(rows.len(), &keys, o).unwrap()
}

/// A hub as (key position, value, records, customers).
type Hub = (usize, String, usize, usize);

/// Labels of the connected components of the records under `edges` (breadth-first search).
fn components(n: usize, groups: &[&Vec<usize>]) -> Vec<usize> {
    let mut adj = vec![Vec::new(); n];
    for recs in groups {
        for w in recs.windows(2) {
            adj[w[0]].push(w[1]);
            adj[w[1]].push(w[0]);
        }
    }
    let mut label = vec![usize::MAX; n];
    for s in 0..n {
        if label[s] != usize::MAX {
            continue;
        }
        label[s] = s;
        let mut q = VecDeque::from([s]);
        while let Some(x) = q.pop_front() {
            for &y in &adj[x] {
                if label[y] == usize::MAX {
                    label[y] = s;
                    q.push_back(y);
                }
            }
        }
    }
    label
}

/// Component label per record, written from the rule in `HubRule`'s docs: base customers
/// from values held by at most L records; a value on more records is a hub when (records
/// rule) always, (customers rule) its records span more than L base customers, the records
/// without any value of at most L records counting as one. Also the hubs as
/// (key, value, records, customers).
fn reference(rows: &Rows, o: &Options) -> (Vec<usize>, Vec<Hub>) {
    let max = o.hub_limit();
    let mut by_value: HashMap<(usize, String), Vec<usize>> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        for k in 0..3 {
            if let Some(v) = r[k].as_deref().and_then(|raw| normalize(KINDS[k], raw, o)) {
                by_value.entry((k, v.into_owned())).or_default().push(i);
            }
        }
    }
    let small: Vec<&Vec<usize>> = by_value.values().filter(|r| r.len() <= max).collect();
    let base = components(rows.len(), &small);
    let mut identified = vec![false; rows.len()];
    for recs in &small {
        for &r in recs.iter() {
            identified[r] = true;
        }
    }
    let mut linking = small.clone();
    let mut hubs = Vec::new();
    for ((k, v), recs) in &by_value {
        if recs.len() <= max {
            continue;
        }
        let seen: std::collections::HashSet<Option<usize>> = recs
            .iter()
            .map(|&r| identified[r].then_some(base[r]))
            .collect();
        if o.hub_rule() == HubRule::Records || seen.len() > max {
            hubs.push((*k, v.clone(), recs.len(), seen.len()));
        } else {
            linking.push(recs);
        }
    }
    hubs.sort();
    (components(rows.len(), &linking), hubs)
}

fn same_partition(a: &[u32], b: &[usize]) -> bool {
    let mut ab = HashMap::new();
    let mut ba = HashMap::new();
    a.iter()
        .zip(b)
        .all(|(&x, &y)| *ab.entry(x).or_insert(y) == y && *ba.entry(y).or_insert(x) == x)
}

fn rows_strategy() -> impl Strategy<Value = Rows> {
    // Small value pools so that records collide; spelling variants exercise normalization.
    let email = prop::option::of((0u8..12, any::<bool>()).prop_map(|(v, upper)| {
        let s = format!(" user{v}@example.com");
        if upper { s.to_uppercase() } else { s }
    }));
    let phone = prop::option::of((0u8..12, 0u8..3).prop_map(|(v, style)| match style {
        0 => format!("+1 555 01{v:02}"),
        1 => format!("555-01{v:02}"),
        _ => format!("1 (555) 01{v:02}"),
    }));
    let device = prop::option::of((0u8..40).prop_map(|v| format!("dev{v}")));
    prop::collection::vec(
        (email, phone, device).prop_map(|(a, b, c)| [a, b, c]),
        0..80,
    )
}

fn options(max: usize, by_records: bool) -> Options {
    if by_records {
        Options::default().max_records_per_key(max).unwrap()
    } else {
        Options::default().max_customers_per_key(max).unwrap()
    }
}

proptest! {
    #[test]
    fn equals_connected_components(rows in rows_strategy(), max in 2usize..8, by_records in any::<bool>()) {
        let o = options(max, by_records);
        let r = run(&rows, &o);
        let (reference, hubs) = reference(&rows, &o);
        prop_assert!(same_partition(r.customers(), &reference));
        let distinct: std::collections::HashSet<_> = reference.iter().collect();
        prop_assert_eq!(r.customer_count(), distinct.len());
        let mut got: Vec<Hub> = r
            .hubs()
            .iter()
            .map(|h| (NAMES.iter().position(|n| *n == h.key).unwrap(), h.value.clone(), h.records, h.customers))
            .collect();
        got.sort();
        prop_assert_eq!(got, hubs);
    }

    #[test]
    fn independent_of_record_order(rows in rows_strategy(), seed in any::<u64>(), max in 2usize..8, by_records in any::<bool>()) {
        let o = options(max, by_records);
        let n = rows.len();
        // A seeded permutation (Fisher–Yates with a tiny LCG).
        let mut perm: Vec<usize> = (0..n).collect();
        let mut s = seed | 1;
        for i in (1..n).rev() {
            s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            perm.swap(i, (s >> 33) as usize % (i + 1));
        }
        let shuffled: Rows = perm.iter().map(|&i| rows[i].clone()).collect();
        let a = run(&rows, &o);
        let b = run(&shuffled, &o);
        // Same grouping: record perm[j] of `rows` is record j of `shuffled`.
        let a_in_b_order: Vec<usize> = perm.iter().map(|&i| a.customers()[i] as usize).collect();
        prop_assert!(same_partition(b.customers(), &a_in_b_order));
        prop_assert_eq!(a.customer_count(), b.customer_count());
        // Same link key for every record that is not its customer's first in either order.
        for (j, &i) in perm.iter().enumerate() {
            if let (Link::Key(x), Link::Key(y)) = (a.links()[i], b.links()[j]) {
                prop_assert_eq!(x, y);
            }
        }
        prop_assert_eq!(a.hubs(), b.hubs());
        // Ids are dense and numbered by first record.
        let mut next = 0;
        for &c in a.customers() {
            prop_assert!(c <= next);
            if c == next { next += 1; }
        }
    }
}

#[test]
fn a_hub_phone_does_not_merge_its_callers() {
    // 60 customers each with their own e-mail all give the call-centre number.
    let rows: Rows = (0..60)
        .map(|i| {
            [
                Some(format!("c{i}@x.com")),
                Some("+1 800 555 0100".to_owned()),
                None,
            ]
        })
        .collect();
    let r = run(&rows, &Options::default());
    assert_eq!(r.customer_count(), 60);
    assert_eq!(r.hubs().len(), 1);
    assert_eq!(r.hubs()[0].key, "phone");
    assert_eq!(r.hubs()[0].value, "18005550100");
    assert_eq!(r.hubs()[0].records, 60);
    assert_eq!(r.hubs()[0].customers, 60);
    assert!(r.links().iter().all(|l| *l == Link::Own));
    // Raised above 60, the number links them all.
    let r = run(&rows, &Options::default().max_records_per_key(60).unwrap());
    assert_eq!(r.customer_count(), 1);
}

#[test]
fn a_frequent_customer_is_not_a_hub_by_customers() {
    // One customer's 120 contacts share an e-mail; some carry one of two devices. 55 other
    // customers (own e-mails) gave the call-centre number, and so did 5 of the contacts.
    let mut rows: Rows = (0..120)
        .map(|i| {
            [
                Some("Fan@x.com".to_owned()),
                (i < 5).then(|| "+1 800 555 0100".to_owned()),
                (i % 3 == 0).then(|| format!("dev{}", i % 2)),
            ]
        })
        .collect();
    rows.extend((0..55).map(|i| {
        [
            Some(format!("c{i}@x.com")),
            Some("800-555-0100".to_owned()),
            None,
        ]
    }));
    let r = run(&rows, &Options::default());
    // The e-mail is seen on 3 customers (2 device groups + the contacts without a device):
    // it links; the number is seen on 55 + those: a hub.
    assert_eq!(r.customer_count(), 56);
    assert_eq!(r.hubs().len(), 1);
    assert_eq!(
        (r.hubs()[0].key.as_str(), r.hubs()[0].records),
        ("phone", 60)
    );
    assert!(r.hubs()[0].customers > 55);
    assert!(r.customers()[..120].iter().all(|&c| c == 0));
    // By records, the e-mail (120 records) is a hub too: the contacts fall apart.
    let r = run(&rows, &Options::default().max_records_per_key(50).unwrap());
    assert_eq!(r.hubs().len(), 2);
    assert!(r.customer_count() > 100);
}

/// JSON written before the customers rule existed (`max_records_per_key`, no `hub_by`) keeps
/// meaning records.
#[test]
fn old_options_json_keeps_the_records_rule() {
    let old = r#"{"max_records_per_key":50,"default_country_code":"1","gmail_canonical":false}"#;
    let o: Options = serde_json::from_str(old).unwrap();
    assert_eq!((o.hub_rule(), o.hub_limit()), (HubRule::Records, 50));
    assert_eq!(o, Options::default().max_records_per_key(50).unwrap());
    // Written back in the current form, it reads the same.
    let text = serde_json::to_string(&o).unwrap();
    assert!(
        text.contains(r#""max_per_key":50"#) && text.contains(r#""hub_by":"records""#),
        "{text}"
    );
    assert_eq!(serde_json::from_str::<Options>(&text).unwrap(), o);

    // The rules differ on these records: the phone is on 3 records (a hub at 2 records) of 2
    // base customers (not a hub at 2 customers). The old JSON resolves as records did.
    let s = |v: &str| Some(v.to_owned());
    let rows: Rows = vec![
        [s("a@x.com"), s("800 555 0100"), None],
        [s("a@x.com"), s("800 555 0100"), None],
        [None, s("800 555 0100"), s("device-7")],
    ];
    let old2 = r#"{"max_records_per_key":2,"default_country_code":"1","gmail_canonical":false}"#;
    let by_old_json = run(&rows, &serde_json::from_str(old2).unwrap());
    assert_eq!(by_old_json.customers(), &[0, 0, 1]);
    assert_eq!(by_old_json.hubs().len(), 1);
    let by_customers = run(&rows, &Options::default().max_customers_per_key(2).unwrap());
    assert_eq!(by_customers.customers(), &[0, 0, 0]);
}

#[test]
fn options_json_without_hub_by_means_customers_and_explicit_hub_by_wins() {
    let new = r#"{"max_per_key":7,"default_country_code":"44","gmail_canonical":true}"#;
    let o: Options = serde_json::from_str(new).unwrap();
    assert_eq!((o.hub_rule(), o.hub_limit()), (HubRule::Customers, 7));
    assert_eq!(o.country_code(), "44");
    let old = r#"{"max_records_per_key":7,"hub_by":"customers","default_country_code":"1","gmail_canonical":false}"#;
    let o: Options = serde_json::from_str(old).unwrap();
    assert_eq!((o.hub_rule(), o.hub_limit()), (HubRule::Customers, 7));
}

#[test]
fn options_json_with_both_limit_names_or_bad_values_is_refused() {
    let both = r#"{"max_per_key":50,"max_records_per_key":50,"default_country_code":"1","gmail_canonical":false}"#;
    let e = serde_json::from_str::<Options>(both)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("`max_per_key`") && e.contains("`max_records_per_key`"),
        "{e}"
    );
    let none = r#"{"default_country_code":"1","gmail_canonical":false}"#;
    let e = serde_json::from_str::<Options>(none)
        .unwrap_err()
        .to_string();
    assert!(e.contains("max_per_key"), "{e}");
    let small = r#"{"max_per_key":1,"default_country_code":"1","gmail_canonical":false}"#;
    assert!(serde_json::from_str::<Options>(small).is_err());
    let code = r#"{"max_per_key":5,"default_country_code":"12a","gmail_canonical":false}"#;
    assert!(serde_json::from_str::<Options>(code).is_err());
}

proptest! {
    #[test]
    fn options_json_round_trips(max in 2usize..10_000, by_records in any::<bool>(), gmail in any::<bool>(), code in "[0-9]{0,3}") {
        let o = options(max, by_records)
            .default_country_code(&code)
            .unwrap()
            .gmail_canonical(gmail);
        let back: Options = serde_json::from_str(&serde_json::to_string(&o).unwrap()).unwrap();
        prop_assert_eq!(back, o);
    }
}
