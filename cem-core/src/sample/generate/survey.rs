//! The survey answers and complaint cases that follow a contact: the score model where the
//! planted effects live.

use super::{BUSINESS, Context, CustomerGen, HOUR, MINUTE, clamp_round, ts};
use crate::model::{Answer, Case, CaseStatus, Feedback, Priority};
use crate::sample::comments::{Cause, comment};
use crate::sample::{END_SECS, LONG_WAIT_SECS, WEB_RELAUNCH_SECS, tp};

impl CustomerGen<'_> {
    /// Survey after a contact, answered with probability `p`.
    pub(super) fn survey(&mut self, context: Context, t: i64, p: f64) {
        if !self.rng.chance(p) {
            return;
        }
        let at = t + self.rng.between(10 * MINUTE, 36 * HOUR);
        if at >= END_SECS {
            return;
        }
        let base = [8.1, 7.8, 7.9, 7.4]
            .get(self.segment)
            .copied()
            .unwrap_or(8.0);
        let (mood, effort, cause, touchpoint) = self.experience(context, at);
        let x = base + mood + 1.7 * self.rng.normal();
        let nps = clamp_round(x, 0.0, 10.0);
        let csat = clamp_round(1.0 + 0.45 * x + 0.6 * self.rng.normal(), 1.0, 5.0);
        let ces = clamp_round(
            effort + 0.25 * (x - 8.0) + 0.9 * self.rng.normal(),
            1.0,
            7.0,
        );
        let mut fb = Feedback::new(self.id.clone(), "post-contact", ts(at));
        fb.touchpoint = Some(touchpoint.to_owned());
        fb.answers
            .insert("nps".to_owned(), Answer::Number(f64::from(nps)));
        fb.answers
            .insert("csat".to_owned(), Answer::Number(f64::from(csat)));
        fb.answers
            .insert("ces".to_owned(), Answer::Number(f64::from(ces)));
        if nps < 7 {
            let reason = match cause {
                Cause::Wait(m) if m >= 10 => Some("wait"),
                Cause::Staff => Some("staff"),
                Cause::Price => Some(if self.rng.chance(0.6) {
                    "price"
                } else {
                    "staff"
                }),
                Cause::General | Cause::WebRelaunch => Some("price"),
                _ => None,
            };
            if let Some(r) = reason
                && self.rng.chance(0.8)
            {
                fb.answers
                    .insert("reason".to_owned(), Answer::Text(r.to_owned()));
            }
        }
        let p_comment = if nps < 7 {
            0.6
        } else if nps < 9 {
            0.25
        } else {
            0.4
        };
        if self.rng.chance(p_comment) {
            let text = comment(&mut self.rng, nps, cause);
            fb.answers
                .insert("comment".to_owned(), Answer::Text(text.clone()));
            fb.text = Some(text);
        }
        if nps <= 6 {
            let p_case = if nps <= 4 { 0.9 } else { 0.4 };
            if self.rng.chance(p_case) {
                let opened = at + self.rng.between(5 * MINUTE, 4 * HOUR);
                let priority = match (nps, self.segment == BUSINESS) {
                    (0..=3, true) => Priority::Urgent,
                    (_, true) | (0..=2, false) => Priority::High,
                    (3..=4, false) => Priority::Medium,
                    _ => Priority::Low,
                };
                self.open_case(opened, priority, "detractor");
            }
        }
        self.s.feedback.push(fb);
    }

    /// The planted effects live here: mood (added to the segment's base on the 0–10 scale),
    /// effort (the CES mean before noise), the comment's cause and the touchpoint surveyed.
    fn experience(&mut self, context: Context, at: i64) -> (f64, f64, Cause, &'static str) {
        match context {
            Context::Call {
                touchpoint,
                wait,
                resolved,
                after_delivery_failure,
            } => {
                let long = wait > LONG_WAIT_SECS;
                let mut mood = if long {
                    -1.5 - ((wait - LONG_WAIT_SECS) / 1200.0).min(1.0)
                } else {
                    -0.5 * wait / LONG_WAIT_SECS
                };
                let mut effort = if long { 3.6 } else { 5.0 };
                if !resolved {
                    mood -= 1.0;
                    effort -= 1.0;
                }
                let mut cause = if long {
                    Cause::Wait((wait / 60.0).round() as i64)
                } else {
                    Cause::Staff
                };
                if after_delivery_failure {
                    mood -= 2.2;
                    effort -= 0.8;
                    if !long {
                        cause = Cause::Delivery;
                    }
                }
                (mood, effort, cause, touchpoint)
            }
            Context::Chat {
                after_failure: true,
            } => (-2.8, 2.6, Cause::ChatAfterFailure, tp::CHAT_SUPPORT),
            Context::Chat {
                after_failure: false,
            } => (-0.4, 4.7, Cause::Staff, tp::CHAT_SUPPORT),
            Context::StoreTill => (0.5, 6.4, Cause::Staff, tp::STORE_TILL),
            Context::StoreReturn => (-0.3, 6.0, Cause::Staff, tp::STORE_RETURNS),
            Context::WebPurchase => {
                // The relaunch: flat before, then a steady climb over the following 15 months.
                let ramp = ((at - WEB_RELAUNCH_SECS) as f64
                    / (END_SECS - WEB_RELAUNCH_SECS) as f64)
                    .clamp(0.0, 1.0);
                let cause = if at >= WEB_RELAUNCH_SECS {
                    Cause::WebRelaunch
                } else {
                    Cause::Price
                };
                (-0.6 + 1.7 * ramp, 5.3 + 0.5 * ramp, cause, tp::WEB_PAYMENT)
            }
            Context::WebFailure => (-3.2, 3.0, Cause::WebFailure, tp::WEB_PAYMENT),
            Context::AppPurchase => (0.1, 5.5, Cause::General, tp::APP_PAYMENT),
            Context::AppFailure => (-3.5, 2.9, Cause::AppFailure, tp::APP_PAYMENT),
            Context::Sales => (0.5, 5.6, Cause::Staff, tp::SALES_VISIT),
        }
    }

    pub(super) fn open_case(&mut self, opened: i64, priority: Priority, reason: &str) {
        if opened >= END_SECS {
            return;
        }
        let mut case = Case::open(String::new(), self.id.clone(), ts(opened), priority, reason);
        let mean_hours = match priority {
            Priority::Urgent => 6.0,
            Priority::High => 20.0,
            Priority::Medium => 48.0,
            Priority::Low => 96.0,
        };
        let closed = opened + 30 * MINUTE + (self.rng.exponential(mean_hours) * HOUR as f64) as i64;
        if self.rng.chance(0.92) && closed < END_SECS {
            case.close(ts(closed));
        } else if self.rng.chance(0.6) {
            case.status = CaseStatus::InProgress;
        }
        self.s.cases.push(case);
    }
}
