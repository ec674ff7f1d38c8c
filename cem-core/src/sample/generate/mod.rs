//! The generator behind [`retailer`](super::retailer): one customer at a time, each from its
//! own random stream, so a customer's history does not depend on how many customers follow.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::catalogue::{REGIONS, SEGMENTS, tp};
use super::rng::Rng;

mod survey;
use super::{
    APP_OUTAGE_END_SECS, APP_OUTAGE_START_SECS, CustomerProfile, END_SECS, LONG_WAIT_SECS,
    START_SECS, YEAR_TWO_SECS,
};
use crate::model::{Case, Channel, CustomerId, Feedback, Interaction, Priority, Transaction};

const DAY: i64 = 86_400;
const HOUR: i64 = 3_600;
const MINUTE: i64 = 60;

/// Segment codes, indexes into [`SEGMENTS`].
const CONSUMER: usize = 0;
const YOUNG_URBAN: usize = 1;
const BUSINESS: usize = 2;
const BARGAIN: usize = 3;

/// Everything generated, before it is wrapped into a `Retailer`.
#[derive(Default)]
pub(crate) struct Output {
    pub(crate) customers: Vec<CustomerProfile>,
    pub(crate) interactions: Vec<Interaction>,
    pub(crate) feedback: Vec<Feedback>,
    pub(crate) transactions: Vec<Transaction>,
    pub(crate) cases: Vec<Case>,
}

/// Generates `customers` customers from `seed`.
pub(crate) fn generate(seed: u64, customers: usize) -> Output {
    let mut out = Output {
        customers: Vec::with_capacity(customers),
        interactions: Vec::with_capacity(customers.saturating_mul(60)),
        feedback: Vec::with_capacity(customers.saturating_mul(4)),
        transactions: Vec::with_capacity(customers.saturating_mul(6)),
        cases: Vec::with_capacity(customers),
    };
    let width = customers.to_string().len();
    let mut scratch = Scratch::default();
    for index in 0..customers {
        let id = CustomerId::new(format!("c-{:0width$}", index + 1));
        let rng = Rng::for_stream(seed, index as u64);
        let mut g = CustomerGen::new(id, rng, &mut scratch);
        g.run();
        let profile = g.profile;
        scratch.flush(&mut out);
        out.customers.push(profile);
    }
    out
}

/// Per-customer buffers, reused from customer to customer.
#[derive(Default)]
struct Scratch {
    interactions: Vec<Interaction>,
    feedback: Vec<Feedback>,
    transactions: Vec<Transaction>,
    cases: Vec<Case>,
}

impl Scratch {
    /// Sorts one customer's rows by time (stable) and moves them to the output; case ids are
    /// numbered in the final order.
    fn flush(&mut self, out: &mut Output) {
        self.interactions.sort_by_key(|i| i.time);
        self.feedback.sort_by_key(|f| f.time);
        self.transactions.sort_by_key(|t| t.time);
        self.cases.sort_by_key(|c| c.opened);
        out.interactions.append(&mut self.interactions);
        out.feedback.append(&mut self.feedback);
        out.transactions.append(&mut self.transactions);
        for mut case in self.cases.drain(..) {
            case.id = format!("case-{:06}", out.cases.len() + 1);
            out.cases.push(case);
        }
    }
}

/// The kinds of session a customer starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Web,
    App,
    Store,
    Call,
    Chat,
    Social,
    Sales,
}

const KINDS: [Kind; 7] = [
    Kind::Web,
    Kind::App,
    Kind::Store,
    Kind::Call,
    Kind::Chat,
    Kind::Social,
    Kind::Sales,
];

/// What a survey is about: drives the score model and the comment.
#[derive(Debug, Clone, Copy)]
enum Context {
    Call {
        touchpoint: &'static str,
        wait: f64,
        resolved: bool,
        after_delivery_failure: bool,
    },
    Chat {
        after_failure: bool,
    },
    StoreTill,
    StoreReturn,
    WebPurchase,
    WebFailure,
    AppPurchase,
    AppFailure,
    Sales,
}

struct CustomerGen<'a> {
    id: CustomerId,
    rng: Rng,
    segment: usize,
    preferred: Channel,
    profile: CustomerProfile,
    active_until: i64,
    busy_until: i64,
    last_purchase: Option<f64>,
    s: &'a mut Scratch,
}

impl<'a> CustomerGen<'a> {
    fn new(id: CustomerId, mut rng: Rng, s: &'a mut Scratch) -> Self {
        let segment = rng.weighted(&[0.40, 0.25, 0.13, 0.22]);
        let preferred = match segment {
            CONSUMER => choose(
                &mut rng,
                &[
                    (Channel::Web, 0.45),
                    (Channel::Store, 0.40),
                    (Channel::MobileApp, 0.15),
                ],
            )
            .unwrap_or(Channel::Web),
            YOUNG_URBAN => choose(
                &mut rng,
                &[
                    (Channel::MobileApp, 0.70),
                    (Channel::Web, 0.25),
                    (Channel::Store, 0.05),
                ],
            )
            .unwrap_or(Channel::Web),
            BUSINESS => choose(&mut rng, &[(Channel::SalesVisit, 0.6), (Channel::Web, 0.4)])
                .unwrap_or(Channel::Web),
            _ => choose(
                &mut rng,
                &[
                    (Channel::Web, 0.5),
                    (Channel::MobileApp, 0.4),
                    (Channel::Store, 0.1),
                ],
            )
            .unwrap_or(Channel::Web),
        };
        let region = rng.pick(&REGIONS).copied().unwrap_or("north");
        // Signups: many early (the existing base), fewer later; all within the first 600 days.
        let u = rng.uniform();
        let signup =
            START_SECS + (u * u * 600.0 * DAY as f64) as i64 + rng.between(8 * HOUR, 20 * HOUR);
        let active_until = churn_time(&mut rng, segment, signup);
        let profile = CustomerProfile {
            id: id.clone(),
            segment: SEGMENTS
                .get(segment)
                .copied()
                .unwrap_or("consumer")
                .to_owned(),
            preferred_channel: preferred.clone(),
            signup: ts(signup),
            region: region.to_owned(),
        };
        CustomerGen {
            id,
            rng,
            segment,
            preferred,
            profile,
            active_until,
            busy_until: signup - 1,
            last_purchase: None,
            s,
        }
    }

    fn run(&mut self) {
        let signup = self.profile.signup.timestamp();
        let first = match self.preferred {
            Channel::MobileApp => Kind::App,
            Channel::Store => Kind::Store,
            Channel::SalesVisit => Kind::Sales,
            _ => Kind::Web,
        };
        self.session(first, signup, false);
        // Sessions per 30 days.
        let rate = [1.3, 2.0, 1.2, 1.8]
            .get(self.segment)
            .copied()
            .unwrap_or(1.3);
        let mean_gap = 30.0 * DAY as f64 / rate;
        let mut next_session = signup + self.gap(mean_gap);
        // Campaign e-mails go out on the 5th of each month at 09:00.
        let mut month = month_index(signup) + 1;
        loop {
            let campaign = month_start(month).map(|m| m + 4 * DAY + 9 * HOUR);
            match campaign {
                Some(c) if c < next_session && c < END_SECS => {
                    self.campaign(c);
                    month += 1;
                }
                _ => {
                    if next_session >= self.active_until.min(END_SECS) {
                        break;
                    }
                    let kind = self.pick_kind();
                    let start = self.snap(next_session, kind);
                    if start >= self.active_until.min(END_SECS) {
                        break;
                    }
                    self.session(kind, start, false);
                    next_session = start + self.gap(mean_gap);
                }
            }
        }
    }

    /// How readily the customer buys: the churning segment, lured by competitors' prices,
    /// buys half as readily in the second year while it still visits.
    fn keenness(&self, t: i64) -> f64 {
        if self.segment == BARGAIN && t >= YEAR_TWO_SECS {
            0.5
        } else {
            1.0
        }
    }

    fn gap(&mut self, mean: f64) -> i64 {
        (self.rng.exponential(mean) as i64).max(2 * HOUR)
    }

    fn pick_kind(&mut self) -> Kind {
        let mut w: [f64; 7] = match self.preferred {
            Channel::MobileApp => [0.15, 0.55, 0.08, 0.08, 0.08, 0.06, 0.0],
            Channel::Store => [0.18, 0.04, 0.55, 0.12, 0.04, 0.07, 0.0],
            Channel::SalesVisit => [0.30, 0.05, 0.05, 0.18, 0.05, 0.02, 0.35],
            _ => [0.55, 0.08, 0.15, 0.09, 0.07, 0.06, 0.0],
        };
        if self.segment == BUSINESS && self.preferred != Channel::SalesVisit {
            w[6] = 0.15;
        }
        KINDS
            .get(self.rng.weighted(&w))
            .copied()
            .unwrap_or(Kind::Web)
    }

    /// Moves a session start to a plausible time of day for its kind, after anything the
    /// customer is still busy with.
    fn snap(&mut self, t: i64, kind: Kind) -> i64 {
        let (from, to) = match kind {
            Kind::Store => (9, 18),
            Kind::Call => (8, 19),
            Kind::Sales => (9, 16),
            Kind::Chat => (8, 21),
            Kind::Web | Kind::App | Kind::Social => (7, 22),
        };
        let day = t.div_euclid(DAY) * DAY;
        let at = day
            + self.rng.between(from, to) * HOUR
            + self.rng.between(0, 59) * MINUTE
            + self.rng.between(0, 59);
        if at <= self.busy_until {
            self.busy_until + self.rng.between(30 * MINUTE, 6 * HOUR)
        } else {
            at
        }
    }

    fn campaign(&mut self, t: i64) {
        if !self.rng.chance(0.6) {
            return;
        }
        let active = t < self.active_until;
        let clicked = active && self.rng.chance(0.12);
        let outcome = if clicked {
            "clicked"
        } else if self.rng.chance(0.3) {
            "opened"
        } else {
            "delivered"
        };
        let sent = t + self.rng.between(0, 600);
        self.visit(tp::EMAIL_CAMPAIGN, sent, Some(outcome), None);
        if clicked {
            let kind = if self.preferred == Channel::MobileApp {
                Kind::App
            } else {
                Kind::Web
            };
            let start = (t + self.rng.between(5 * MINUTE, 3 * HOUR)).max(self.busy_until + 60);
            self.session(kind, start, true);
        }
    }

    /// Runs one session starting at `t` (possibly followed by follow-up contacts).
    fn session(&mut self, kind: Kind, t: i64, from_campaign: bool) {
        if t >= END_SECS {
            return;
        }
        let end = match kind {
            Kind::Web => self.web(t, from_campaign),
            Kind::App => self.app(t),
            Kind::Store => self.store(t),
            Kind::Call => {
                let tp = if self.rng.chance(0.6) {
                    tp::CC_BILLING
                } else {
                    tp::CC_DELIVERY
                };
                self.call(tp, t, false)
            }
            Kind::Chat => self.chat(t, false),
            Kind::Social => {
                let o = choose(
                    &mut self.rng,
                    &[("positive", 0.5), ("neutral", 0.3), ("negative", 0.2)],
                )
                .unwrap_or("neutral");
                self.visit(tp::SOCIAL_POST, t, Some(o), None);
                t
            }
            Kind::Sales => self.sales(t),
        };
        self.busy_until = self.busy_until.max(end);
    }

    fn web(&mut self, mut t: i64, from_campaign: bool) -> i64 {
        if !from_campaign && self.rng.chance(0.7) {
            t = self.step(tp::WEB_HOME, t, true);
        }
        let views = self.rng.between(1, 3);
        for v in 0..views {
            let last = v + 1 == views;
            let go_on = !last || self.rng.chance(0.45);
            t = self.step(tp::WEB_PRODUCT, t, go_on);
            if last && !go_on {
                return t;
            }
        }
        let to_checkout = self.rng.chance(0.75 * self.keenness(t));
        t = self.step(tp::WEB_CART, t, to_checkout);
        if !to_checkout {
            return t;
        }
        let to_payment = self.rng.chance(0.92);
        t = self.step(tp::WEB_CHECKOUT, t, to_payment);
        if !to_payment {
            return t;
        }
        let failed = self.rng.chance(0.06);
        if failed {
            self.visit(tp::WEB_PAYMENT, t, Some("failed"), None);
            self.survey(Context::WebFailure, t, 0.40);
            if self.rng.chance(0.45) {
                let at = t + self.rng.between(2 * MINUTE, 15 * MINUTE);
                return self.chat(at, true);
            }
            return t;
        }
        self.pay(tp::WEB_PAYMENT, t, Context::WebPurchase)
    }

    fn app(&mut self, mut t: i64) -> i64 {
        let views = self.rng.between(1, 4);
        for v in 0..views {
            let last = v + 1 == views;
            let go_on = !last || self.rng.chance(0.5);
            t = self.step(tp::APP_BROWSE, t, go_on);
            if last && !go_on {
                return t;
            }
        }
        let to_payment = self.rng.chance(0.9 * self.keenness(t));
        t = self.step(tp::APP_CHECKOUT, t, to_payment);
        if !to_payment {
            return t;
        }
        let p_fail = if (APP_OUTAGE_START_SECS..APP_OUTAGE_END_SECS).contains(&t) {
            0.38
        } else {
            0.04
        };
        if self.rng.chance(p_fail) {
            self.visit(tp::APP_PAYMENT, t, Some("failed"), None);
            self.survey(Context::AppFailure, t, 0.40);
            let r = self.rng.uniform();
            if r < 0.30 {
                let at = t + self.rng.between(2 * MINUTE, 20 * MINUTE);
                return self.chat(at, true);
            } else if r < 0.60 {
                // Tries again on the website.
                let mut u = t + self.rng.between(5 * MINUTE, 40 * MINUTE);
                u = self.step(tp::WEB_CART, u, true);
                u = self.step(tp::WEB_CHECKOUT, u, true);
                return self.pay(tp::WEB_PAYMENT, u, Context::WebPurchase);
            }
            return t;
        }
        self.pay(tp::APP_PAYMENT, t, Context::AppPurchase)
    }

    /// A successful payment: the visit, the transaction, the survey and the delivery.
    fn pay(&mut self, touchpoint: &'static str, t: i64, context: Context) -> i64 {
        let amount = self.amount(1.0);
        self.visit(touchpoint, t, Some("completed"), Some(amount));
        self.purchase(t, amount);
        self.survey(context, t, 0.22);
        self.deliver(t, amount);
        t
    }

    fn store(&mut self, t: i64) -> i64 {
        if let Some(last) = self.last_purchase
            && self.rng.chance(0.15)
        {
            let refund = cents(last * self.rng.range(0.3, 1.0));
            self.visit(tp::STORE_RETURNS, t, Some("resolved"), Some(refund));
            self.refund(t, refund);
            self.survey(Context::StoreReturn, t, 0.20);
            return t + self.rng.between(5 * MINUTE, 20 * MINUTE);
        }
        let end = t + self.rng.between(10 * MINUTE, 60 * MINUTE);
        if self.rng.chance(0.85 * self.keenness(t)) {
            let amount = self.amount(1.0);
            self.visit(tp::STORE_TILL, end, Some("completed"), Some(amount));
            self.purchase(end, amount);
            self.survey(Context::StoreTill, end, 0.20);
        } else {
            self.visit(tp::STORE_TILL, end, Some("abandoned"), None);
        }
        end
    }

    fn sales(&mut self, t: i64) -> i64 {
        let end = t + self.rng.between(30 * MINUTE, 90 * MINUTE);
        if self.rng.chance(0.6) {
            let amount = self.amount(2.8);
            self.visit(tp::SALES_VISIT, t, Some("completed"), Some(amount));
            self.purchase(end, amount);
            self.deliver(end, amount);
        } else {
            self.visit(tp::SALES_VISIT, t, Some("abandoned"), None);
        }
        self.survey(Context::Sales, end, 0.35);
        end
    }

    /// A call: the value is the wait in seconds (longer in November and December).
    fn call(&mut self, touchpoint: &'static str, t: i64, after_delivery_failure: bool) -> i64 {
        let mean = if month_of_year(t) >= 11 { 420.0 } else { 300.0 };
        let wait = (self.rng.exponential(mean) + 10.0).round();
        let long = wait > LONG_WAIT_SECS;
        let resolved = !self.rng.chance(if long { 0.30 } else { 0.12 });
        let outcome = if resolved { "resolved" } else { "unresolved" };
        let end = t + wait as i64 + self.rng.between(2 * MINUTE, 15 * MINUTE);
        self.visit(touchpoint, t, Some(outcome), Some(wait));
        let p = if after_delivery_failure { 0.35 } else { 0.30 };
        self.survey(
            Context::Call {
                touchpoint,
                wait,
                resolved,
                after_delivery_failure,
            },
            end,
            p,
        );
        end
    }

    /// A chat: the value is its duration in seconds.
    fn chat(&mut self, t: i64, after_failure: bool) -> i64 {
        let duration = self
            .rng
            .between(3 * MINUTE, if after_failure { 40 } else { 20 } * MINUTE);
        let resolved = !self.rng.chance(if after_failure { 0.45 } else { 0.15 });
        let outcome = if resolved { "resolved" } else { "unresolved" };
        self.visit(tp::CHAT_SUPPORT, t, Some(outcome), Some(duration as f64));
        let end = t + duration;
        self.survey(
            Context::Chat { after_failure },
            end,
            if after_failure { 0.45 } else { 0.30 },
        );
        end
    }

    /// The shipping e-mail a few days after an order; 4 % of parcels do not arrive, which
    /// opens a case and often a call to the delivery hotline and a refund.
    fn deliver(&mut self, t: i64, amount: f64) {
        let day = (t + self.rng.between(1, 4) * DAY).div_euclid(DAY) * DAY;
        let at = day + self.rng.between(7 * HOUR, 10 * HOUR);
        if at >= END_SECS {
            return;
        }
        let failed = self.rng.chance(0.04);
        self.visit(
            tp::EMAIL_SHIPPING,
            at,
            Some(if failed { "failed" } else { "delivered" }),
            None,
        );
        if !failed {
            return;
        }
        let opened = at + self.rng.between(30 * MINUTE, 3 * HOUR);
        let priority = if self.segment == BUSINESS {
            Priority::High
        } else {
            Priority::Medium
        };
        self.open_case(opened, priority, "failed_delivery");
        if self.rng.chance(0.65) {
            let call_at = at + self.rng.between(2 * HOUR, 26 * HOUR);
            if call_at < END_SECS {
                let end = self.call(tp::CC_DELIVERY, call_at, true);
                self.busy_until = self.busy_until.max(end);
            }
        }
        if self.rng.chance(0.4) {
            let refund_at = at + self.rng.between(2 * DAY, 7 * DAY);
            self.refund(refund_at, amount);
        }
    }

    /// A funnel step `30 s – 5 min` after `t`; `completed` when the customer went on.
    fn step(&mut self, touchpoint: &'static str, t: i64, went_on: bool) -> i64 {
        let at = t + self.rng.between(30, 300);
        self.visit(
            touchpoint,
            at,
            Some(if went_on { "completed" } else { "abandoned" }),
            None,
        );
        at
    }

    fn visit(
        &mut self,
        touchpoint: &'static str,
        t: i64,
        outcome: Option<&str>,
        value: Option<f64>,
    ) {
        if t >= END_SECS {
            return;
        }
        self.s.interactions.push(Interaction {
            customer: self.id.clone(),
            touchpoint: touchpoint.to_owned(),
            time: ts(t),
            outcome: outcome.map(str::to_owned),
            value,
            attributes: BTreeMap::new(),
        });
    }

    /// A basket value in EUR: segment mean × `scale`, right-skewed, in whole cents.
    fn amount(&mut self, scale: f64) -> f64 {
        let mean = [85.0, 55.0, 420.0, 38.0]
            .get(self.segment)
            .copied()
            .unwrap_or(60.0)
            * scale;
        cents((0.3 * mean + 0.7 * self.rng.exponential(mean)).max(2.0))
    }

    fn purchase(&mut self, t: i64, amount: f64) {
        if t >= END_SECS {
            return;
        }
        self.last_purchase = Some(amount);
        self.s
            .transactions
            .push(Transaction::new(self.id.clone(), ts(t), amount, "EUR"));
    }

    fn refund(&mut self, t: i64, amount: f64) {
        if t >= END_SECS {
            return;
        }
        self.s
            .transactions
            .push(Transaction::new(self.id.clone(), ts(t), -amount, "EUR"));
    }
}

/// When the customer stops being active (may be after the end): a monthly churn hazard of
/// 1 %, except the churning segment's 25 % from the start of the second year.
fn churn_time(rng: &mut Rng, segment: usize, signup: i64) -> i64 {
    let mut m = month_index(signup);
    while let Some(start) = month_start(m) {
        let hazard = if segment == BARGAIN && start >= YEAR_TWO_SECS {
            0.25
        } else {
            0.01
        };
        // The signup month counts from the signup on.
        if rng.chance(hazard) {
            let next = month_start(m + 1).unwrap_or(END_SECS);
            let from = start.max(signup + DAY);
            return if from < next {
                rng.between(from, next - 1)
            } else {
                next
            };
        }
        m += 1;
    }
    i64::MAX
}

/// Month starts of the period (25 boundaries for 24 months), in seconds.
const MONTH_STARTS: [i64; 25] = month_starts();

// The loop bounds keep every index in range; `get` is not available in a const fn.
#[allow(clippy::indexing_slicing)]
const fn month_starts() -> [i64; 25] {
    let lengths = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let mut out = [0i64; 25];
    let mut t = START_SECS;
    let mut i = 0;
    while i < 25 {
        out[i] = t;
        if i < 24 {
            t += lengths[i % 12] * DAY;
        }
        i += 1;
    }
    out
}

fn month_start(m: usize) -> Option<i64> {
    MONTH_STARTS.get(m).copied().filter(|&t| t < END_SECS)
}

/// Index of the month containing `t` (0 = January 2025), clamped to the period.
fn month_index(t: i64) -> usize {
    MONTH_STARTS
        .iter()
        .take_while(|&&s| s <= t)
        .count()
        .saturating_sub(1)
}

/// 1..=12.
fn month_of_year(t: i64) -> usize {
    month_index(t) % 12 + 1
}

/// Draws one of `items` by its weight (`None` only for an empty list).
fn choose<T: Clone>(rng: &mut Rng, items: &[(T, f64)]) -> Option<T> {
    let mut x = rng.uniform() * items.iter().map(|(_, w)| w).sum::<f64>();
    for (item, w) in items {
        if x < *w {
            return Some(item.clone());
        }
        x -= w;
    }
    items.last().map(|(item, _)| item.clone())
}

fn ts(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

fn cents(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn clamp_round(x: f64, lo: f64, hi: f64) -> u8 {
    x.round().clamp(lo, hi) as u8
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Datelike, TimeZone};

    #[test]
    fn month_starts_match_the_calendar() {
        for (i, &s) in MONTH_STARTS.iter().enumerate() {
            let year = 2025 + (i / 12) as i32;
            let month = (i % 12) as u32 + 1;
            assert_eq!(
                ts(s),
                Utc.with_ymd_and_hms(year, month, 1, 0, 0, 0).unwrap(),
                "month {i}"
            );
        }
        assert_eq!(MONTH_STARTS[24], END_SECS);
        assert_eq!(month_index(START_SECS), 0);
        assert_eq!(month_index(END_SECS - 1), 23);
        assert_eq!(month_of_year(MONTH_STARTS[13] + 5), 2);
        assert_eq!(ts(MONTH_STARTS[22]).month(), 11);
    }

    #[test]
    fn churning_segment_churns_in_year_two() {
        let mut rng = Rng::for_stream(3, 3);
        let n = 4000;
        let gone = |rng: &mut Rng, seg| {
            (0..n)
                .filter(|_| churn_time(rng, seg, START_SECS) < END_SECS)
                .count() as f64
                / n as f64
        };
        let bargain = gone(&mut rng, BARGAIN);
        let consumer = gone(&mut rng, CONSUMER);
        // 1 − 0.99¹² · 0.75¹² ≈ 0.97 against 1 − 0.99²⁴ ≈ 0.21.
        assert!((bargain - 0.97).abs() < 0.02, "{bargain}");
        assert!((consumer - 0.21).abs() < 0.03, "{consumer}");
    }
}
