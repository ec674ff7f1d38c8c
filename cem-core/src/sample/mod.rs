//! A deterministic, realistic sample dataset: **Northwind Home**, an omnichannel home-goods
//! retailer, over 24 months (2025-01-01 to 2026-12-31, UTC), with pain points planted on
//! purpose — for demos, docs and tests.
//!
//! [`retailer`] generates it from a seed and a number of customers. The same seed and size
//! give byte-identical data on every platform and in every version (the generator has its
//! own documented PRNG, xoshiro256** seeded by SplitMix64, and uses no platform maths), and
//! each customer has its own random stream, so the first 2,000 customers of
//! `retailer(42, 5_000)` are exactly those of `retailer(42, 2_000)`.
//!
//! # What is in it
//!
//! * 17 [`touchpoints`](Retailer::touchpoints) over 8 channels (ids in [`tp`]): web (home,
//!   product page, cart, checkout, payment), mobile app (browse, checkout, payment), e-mail
//!   (campaign, shipping notification), call centre (billing and delivery hotlines), chat,
//!   store (till, returns desk), sales visits (business customers) and social media.
//! * [`customers`](Retailer::customers) in four [`SEGMENTS`] — `consumer` (≈ 40 %),
//!   `young_urban` (≈ 25 %, app-first), `business` (≈ 13 %, sales visits, large baskets) and
//!   `bargain_hunter` (≈ 22 %) — with a preferred channel, a signup time (many early, the
//!   rest over the first 20 months) and one of five [`REGIONS`].
//! * [`interactions`](Retailer::interactions), sorted by customer then time: sessions of
//!   touchpoint visits in funnel order, minutes apart (sessions are hours to weeks apart).
//!   `outcome` is `"completed"`/`"abandoned"` for funnel steps, `"completed"`/`"failed"` for
//!   payments, `"resolved"`/`"unresolved"` for calls and chats, `"delivered"`/`"failed"` for
//!   shipping e-mails, `"delivered"`/`"opened"`/`"clicked"` for campaigns and
//!   `"positive"`/`"neutral"`/`"negative"` for social posts. `value` is the basket in EUR for
//!   payments, store tills and sales visits, the refund for the returns desk, the **wait in
//!   seconds** for calls and the duration in seconds for chats.
//! * [`feedback`](Retailer::feedback), sorted by customer then time: answers to the
//!   `"post-contact"` survey sent after some calls, chats, store visits, sales visits and
//!   payments (completed or failed), 10 minutes to 36 hours later, with
//!   [`Feedback::touchpoint`] naming the contact. Answer keys: `"nps"` (0–10), `"csat"`
//!   (1–5), `"ces"` (1–7, 7 = very easy, the CES 2.0 agreement scale), all
//!   [`Answer::Number`](crate::model::Answer::Number); sometimes `"reason"` (`"wait"`,
//!   `"price"` or `"staff"`, only when nps < 7) and `"comment"` (text, also in
//!   [`Feedback::text`]): short English sentences whose tone follows the score and whose
//!   complaints name the cause ("Waited 40 minutes on the phone before anyone answered.",
//!   "Checkout kept failing in the app.").
//! * [`transactions`](Retailer::transactions) in EUR: purchases (positive) and refunds
//!   (negative, from the returns desk and after failed deliveries).
//! * [`cases`](Retailer::cases): complaint cases opened after most detractor answers
//!   (`reason` `"detractor"`) and after every failed delivery (`"failed_delivery"`), with a
//!   priority; about 92 % are closed hours to days later, the rest are open or in progress.
//!
//! # Planted effects
//!
//! Each of these is measured from the generated data with the [`metrics`](crate::metrics)
//! accumulators in `tests/sample.rs`, on `retailer(42, 2_000)` and on a second seed; the
//! magnitudes quoted are those of `retailer(42, 2_000)` (at 5,000 customers they agree
//! within a few points, with intervals about two thirds as wide).
//!
//! 1. **Long call-centre waits make detractors.** A call's wait (its `value`) is exponential,
//!    mean 5 minutes (7 in November and December). Waits over [`LONG_WAIT_SECS`] (10 minutes)
//!    lower the experience sharply: NPS after long waits ≈ −63 (n ≈ 230), after short waits
//!    ≈ −2 (n ≈ 1,150). Long waits also raise effort (lower CES), leave calls unresolved more
//!    often and produce comments and `"reason": "wait"` answers that name the minutes waited.
//! 2. **A broken app payment step.** From [`app_outage`] `.0` (2026-03-01) to `.1`
//!    (2026-06-01, exclusive) the `app-payment` step fails 38 % of the time instead of 4 %:
//!    the share of app payments completed drops from ≈ 96 % to ≈ 64 %, failed customers
//!    answer the survey more often and unhappily, and the CSAT (top-2 box) of app contacts
//!    falls from ≈ 82 % to ≈ 60 % — March to May 2026 are the three worst app months. A third
//!    of the failed customers open a chat, another third retry on the website.
//! 3. **A churning segment.** [`CHURNING_SEGMENT`] (`"bargain_hunter"`) churns at 25 % a
//!    month from [`year_two`] (2026-01-01) on and, while still around, buys half as readily;
//!    every other customer churns at 1 % a month all along. Of the customers who bought in
//!    2025, ≈ 50 % of bargain hunters buy again in 2026 against ≈ 91 % of the others.
//! 4. **Store is easy, chat after a failed checkout is hard.** The store (till and returns
//!    desk) has the best CES (mean ≈ 6.3 of 7; sales visits ≈ 5.7, web and app ≈ 4.9, chat
//!    ≈ 4.5, call centre ≈ 4.4), chats within the hour after a failed payment the worst
//!    (≈ 2.0).
//! 5. **The web relaunch.** From [`web_relaunch`] (2025-10-01) on, the experience of web
//!    purchases improves steadily until the end of the period: the NPS of web contacts is
//!    ≈ −20 in the six months before and climbs ≈ 5 points a month to ≈ +45 in Q4 2026.
//!
//! # Sizes
//!
//! `retailer(42, 2_000)` has 2,000 customers, ≈ 148,000 interactions (≈ 74 per customer,
//! at least 1 each), ≈ 6,700 feedback answers, ≈ 18,000 transactions (≈ 1,000 of them
//! refunds) and ≈ 1,400 cases; the sizes grow linearly with the number of customers.
//! Generating 10,000 customers takes well under a second in a release build.
//!
//! # Example
//!
//! ```
//! use cem_core::metrics::Nps;
//! use cem_core::model::Answer;
//! use cem_core::sample;
//!
//! let shop = sample::retailer(42, 300)?;
//! assert_eq!(shop.customers.len(), 300);
//!
//! // NPS of everything customers answered.
//! let mut nps = Nps::new();
//! for fb in &shop.feedback {
//!     if let Some(Answer::Number(score)) = fb.answers.get("nps") {
//!         nps.push(*score as u8)?;
//!     }
//! }
//! let est = nps.estimate(0.95)?;
//! assert!(est.n > 300 && est.value > -100.0 && est.value < 100.0);
//! # Ok::<(), cem_core::Error>(())
//! ```

mod catalogue;
mod comments;
mod generate;
pub(crate) mod rng;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::{Case, Channel, CustomerId, Feedback, Interaction, Touchpoint, Transaction};

pub use catalogue::{REGIONS, SEGMENTS, tp};

/// The largest number of customers [`retailer`] accepts.
pub const MAX_CUSTOMERS: usize = 10_000_000;

/// The start of the sample period, 2025-01-01T00:00:00Z, in Unix seconds.
pub const START_SECS: i64 = 1_735_689_600;

/// The end of the sample period (exclusive), 2027-01-01T00:00:00Z, in Unix seconds.
pub const END_SECS: i64 = 1_798_761_600;

/// Calls that waited longer than this many seconds (10 minutes) are "long waits"
/// (planted effect 1).
pub const LONG_WAIT_SECS: f64 = 600.0;

/// The segment that churns in the second year (planted effect 3).
pub const CHURNING_SEGMENT: &str = "bargain_hunter";

/// The survey id of every feedback row.
pub const SURVEY: &str = "post-contact";

/// The definition of the post-contact survey the feedback rows answer, as JSON (the same
/// file as `tests/data/surveys/post_contact.json` and the browser demo's copy).
pub const SURVEY_JSON: &str = include_str!("post_contact.json");

/// The post-contact survey the feedback rows answer (see [`SURVEY_JSON`]).
///
/// # Errors
/// None in practice: the embedded definition is checked by the tests.
///
/// ```
/// let survey = cem_core::sample::survey()?;
/// assert_eq!(survey.id(), cem_core::sample::SURVEY);
/// let company = cem_core::sample::retailer(7, 50)?;
/// for fb in &company.feedback {
///     assert!(survey.validate(&fb.answers).is_empty(), "{:?}", survey.validate(&fb.answers));
/// }
/// # Ok::<(), cem_core::Error>(())
/// ```
pub fn survey() -> Result<crate::survey::Survey> {
    crate::survey::Survey::from_json(SURVEY_JSON)
}

const YEAR_TWO_SECS: i64 = 1_767_225_600; // 2026-01-01
const APP_OUTAGE_START_SECS: i64 = 1_772_323_200; // 2026-03-01
const APP_OUTAGE_END_SECS: i64 = 1_780_272_000; // 2026-06-01
const WEB_RELAUNCH_SECS: i64 = 1_759_276_800; // 2025-10-01

/// The start of the sample period, 2025-01-01T00:00:00Z (inclusive).
///
/// ```
/// assert_eq!(cem_core::sample::start().to_rfc3339(), "2025-01-01T00:00:00+00:00");
/// ```
pub fn start() -> DateTime<Utc> {
    secs(START_SECS)
}

/// The end of the sample period, 2027-01-01T00:00:00Z (exclusive): every timestamp in the
/// sample is earlier.
///
/// ```
/// assert_eq!(cem_core::sample::end().to_rfc3339(), "2027-01-01T00:00:00+00:00");
/// ```
pub fn end() -> DateTime<Utc> {
    secs(END_SECS)
}

/// The app payment outage (planted effect 2): from 2026-03-01 (inclusive) to 2026-06-01
/// (exclusive).
///
/// ```
/// let (from, to) = cem_core::sample::app_outage();
/// assert_eq!(from.to_rfc3339(), "2026-03-01T00:00:00+00:00");
/// assert_eq!(to.to_rfc3339(), "2026-06-01T00:00:00+00:00");
/// ```
pub fn app_outage() -> (DateTime<Utc>, DateTime<Utc>) {
    (secs(APP_OUTAGE_START_SECS), secs(APP_OUTAGE_END_SECS))
}

/// The web relaunch (planted effect 5), 2025-10-01: web NPS climbs steadily from here on.
///
/// ```
/// assert_eq!(cem_core::sample::web_relaunch().to_rfc3339(), "2025-10-01T00:00:00+00:00");
/// ```
pub fn web_relaunch() -> DateTime<Utc> {
    secs(WEB_RELAUNCH_SECS)
}

/// The start of the second year, 2026-01-01, when [`CHURNING_SEGMENT`] starts churning
/// (planted effect 3).
///
/// ```
/// assert_eq!(cem_core::sample::year_two().to_rfc3339(), "2026-01-01T00:00:00+00:00");
/// ```
pub fn year_two() -> DateTime<Utc> {
    secs(YEAR_TWO_SECS)
}

/// A customer of the sample company.
///
/// ```
/// let shop = cem_core::sample::retailer(1, 10)?;
/// let c = &shop.customers[0];
/// assert_eq!(c.id.as_str(), "c-01");
/// assert!(cem_core::sample::SEGMENTS.contains(&c.segment.as_str()));
/// # Ok::<(), cem_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerProfile {
    /// The customer's id: `c-` and a zero-padded number, so text order is numeric order.
    pub id: CustomerId,
    /// One of [`SEGMENTS`].
    pub segment: String,
    /// The channel the customer uses most.
    pub preferred_channel: Channel,
    /// When the customer signed up (their first contact).
    pub signup: DateTime<Utc>,
    /// One of [`REGIONS`].
    pub region: String,
}

/// The generated sample: the catalogue and plain vectors of row types.
///
/// Customers are sorted by id; interactions, feedback, transactions and cases by customer,
/// then time (cases by opening time).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Retailer {
    /// The company's name, "Northwind Home".
    pub name: String,
    /// Start of the period (inclusive), as [`start`].
    pub start: DateTime<Utc>,
    /// End of the period (exclusive), as [`end`].
    pub end: DateTime<Utc>,
    /// The touchpoint catalogue.
    pub touchpoints: Vec<Touchpoint>,
    /// The customers, by id.
    pub customers: Vec<CustomerProfile>,
    /// Every contact, by customer then time.
    pub interactions: Vec<Interaction>,
    /// Survey answers, by customer then time.
    pub feedback: Vec<Feedback>,
    /// Purchases and refunds, by customer then time.
    pub transactions: Vec<Transaction>,
    /// Complaint cases, by customer then opening time.
    pub cases: Vec<Case>,
}

/// Generates Northwind Home with `customers` customers from `seed`.
///
/// # Errors
/// [`Error::InvalidArgument`] when `customers` is 0 or more than [`MAX_CUSTOMERS`].
///
/// # Example
///
/// ```
/// let a = cem_core::sample::retailer(7, 50)?;
/// let b = cem_core::sample::retailer(7, 50)?;
/// assert_eq!(a, b); // same seed, same data
/// assert!(a.interactions.len() > 50);
/// assert!(cem_core::sample::retailer(7, 0).is_err());
/// # Ok::<(), cem_core::Error>(())
/// ```
pub fn retailer(seed: u64, customers: usize) -> Result<Retailer> {
    if customers == 0 || customers > MAX_CUSTOMERS {
        return Err(Error::invalid_argument(
            "customers",
            format!("`{customers}` is outside 1..={MAX_CUSTOMERS}"),
        ));
    }
    let out = generate::generate(seed, customers);
    Ok(Retailer {
        name: "Northwind Home".to_owned(),
        start: start(),
        end: end(),
        touchpoints: catalogue::touchpoints(),
        customers: out.customers,
        interactions: out.interactions,
        feedback: out.feedback,
        transactions: out.transactions,
        cases: out.cases,
    })
}

impl Retailer {
    /// The touchpoint with this id.
    ///
    /// ```
    /// use cem_core::model::Channel;
    /// use cem_core::sample::{self, tp};
    /// let shop = sample::retailer(1, 5)?;
    /// assert_eq!(shop.touchpoint(tp::CC_BILLING).unwrap().channel, Channel::CallCentre);
    /// assert!(shop.touchpoint("nowhere").is_none());
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn touchpoint(&self, id: &str) -> Option<&Touchpoint> {
        self.touchpoints.iter().find(|t| t.id == id)
    }

    /// The channel of the touchpoint with this id.
    ///
    /// ```
    /// use cem_core::model::Channel;
    /// let shop = cem_core::sample::retailer(1, 5)?;
    /// assert_eq!(shop.channel_of("store-till"), Some(&Channel::Store));
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn channel_of(&self, touchpoint: &str) -> Option<&Channel> {
        self.touchpoint(touchpoint).map(|t| &t.channel)
    }

    /// The profile of a customer (a binary search: customers are sorted by id).
    ///
    /// ```
    /// use cem_core::model::CustomerId;
    /// let shop = cem_core::sample::retailer(1, 20)?;
    /// let id = CustomerId::from("c-07");
    /// assert_eq!(shop.customer(&id).unwrap().id, id);
    /// assert!(shop.customer(&CustomerId::from("c-99")).is_none());
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn customer(&self, id: &CustomerId) -> Option<&CustomerProfile> {
        self.customers
            .binary_search_by(|c| c.id.cmp(id))
            .ok()
            .and_then(|i| self.customers.get(i))
    }

    /// The segment of a customer.
    ///
    /// ```
    /// use cem_core::model::CustomerId;
    /// let shop = cem_core::sample::retailer(1, 20)?;
    /// let seg = shop.segment_of(&CustomerId::from("c-01")).unwrap();
    /// assert!(cem_core::sample::SEGMENTS.contains(&seg));
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn segment_of(&self, id: &CustomerId) -> Option<&str> {
        self.customer(id).map(|c| c.segment.as_str())
    }

    /// The interactions of one customer, in time order (a slice of
    /// [`interactions`](Self::interactions), found by binary search).
    ///
    /// ```
    /// use cem_core::model::CustomerId;
    /// let shop = cem_core::sample::retailer(1, 20)?;
    /// let mine = shop.interactions_of(&CustomerId::from("c-03"));
    /// assert!(!mine.is_empty());
    /// assert!(mine.windows(2).all(|w| w[0].time <= w[1].time));
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn interactions_of(&self, id: &CustomerId) -> &[Interaction] {
        let from = self.interactions.partition_point(|i| i.customer < *id);
        let to = self.interactions.partition_point(|i| i.customer <= *id);
        self.interactions.get(from..to).unwrap_or(&[])
    }
}

fn secs(s: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(s, 0).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn period_constants_match_the_calendar() {
        assert_eq!(start(), Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap());
        assert_eq!(end(), Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap());
        assert_eq!(
            year_two(),
            Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()
        );
        assert_eq!(
            web_relaunch(),
            Utc.with_ymd_and_hms(2025, 10, 1, 0, 0, 0).unwrap()
        );
        let (a, b) = app_outage();
        assert_eq!(a, Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap());
        assert_eq!(b, Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap());
    }

    #[test]
    fn size_limits_are_errors() {
        for n in [0, MAX_CUSTOMERS + 1] {
            let err = retailer(1, n).unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::InvalidArgument);
            assert!(err.to_string().contains(&format!("`{n}`")), "{err}");
        }
    }

    #[test]
    fn catalogue_has_unique_ids_over_at_least_six_channels() {
        let tps = catalogue::touchpoints();
        let mut ids: Vec<&str> = tps.iter().map(|t| t.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), tps.len());
        let mut channels: Vec<&Channel> = tps.iter().map(|t| &t.channel).collect();
        channels.sort();
        channels.dedup();
        assert!(channels.len() >= 6, "{channels:?}");
    }

    #[test]
    fn customers_are_a_prefix_of_a_larger_sample() {
        let small = retailer(9, 30).unwrap();
        let large = retailer(9, 300).unwrap();
        // Ids are padded to the width of the count, so compare by number.
        for (a, b) in small.customers.iter().zip(&large.customers) {
            assert_eq!(a.segment, b.segment);
            assert_eq!(a.signup, b.signup);
        }
        let n_small = small
            .interactions
            .iter()
            .filter(|i| i.customer.as_str() == "c-01")
            .count();
        let n_large = large
            .interactions
            .iter()
            .filter(|i| i.customer.as_str() == "c-001")
            .count();
        assert_eq!(n_small, n_large);
    }
}
