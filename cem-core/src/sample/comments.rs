//! Free-text comments whose tone follows the score and whose complaints name the cause.

use super::rng::Rng;

/// What a survey answer is about, as far as the comment is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cause {
    /// A call with this many minutes of waiting.
    Wait(i64),
    /// A payment that failed in the app.
    AppFailure,
    /// A payment that failed on the website.
    WebFailure,
    /// A chat that followed a failed checkout.
    ChatAfterFailure,
    /// A parcel that was not delivered.
    Delivery,
    /// Nothing in particular went wrong; complaints are about prices or staff.
    Price,
    /// Complaints, if any, are about staff.
    Staff,
    /// A web purchase after the relaunch.
    WebRelaunch,
    /// Anything else.
    General,
}

const PROMOTER: [&str; 8] = [
    "Great service, quick and friendly.",
    "Everything went smoothly, very happy.",
    "Easy to find what I needed.",
    "Really helpful and polite staff.",
    "Fast delivery and good quality, thank you!",
    "Love the new sofa, will definitely buy again.",
    "Excellent experience from start to finish.",
    "Good prices and great choice.",
];

const PROMOTER_WEB: [&str; 3] = [
    "The new website is so much easier to use.",
    "Checkout was quick and painless.",
    "Love the new site, found everything in minutes.",
];

const PASSIVE: [&str; 6] = [
    "It was fine, nothing special.",
    "OK overall, delivery could be faster.",
    "Decent prices, average service.",
    "Got what I needed, but it took a while.",
    "Mostly fine, the website is a bit slow.",
    "Good products, the service could be friendlier.",
];

const APP_FAILURE: [&str; 4] = [
    "Checkout kept failing in the app.",
    "Payment failed three times in the app, I gave up.",
    "The app crashed at the payment step.",
    "Could not pay in the app, very frustrating.",
];

const WEB_FAILURE: [&str; 3] = [
    "Checkout kept failing on the website.",
    "My card was declined for no reason at checkout.",
    "The payment page froze and I had to start again.",
];

const CHAT_AFTER_FAILURE: [&str; 3] = [
    "The chat could not fix my payment problem.",
    "Spent ages in the chat because checkout failed, still no order.",
    "Chat agent kept sending me the same help article about payment.",
];

const DELIVERY: [&str; 4] = [
    "My parcel never arrived.",
    "Delivery was missed and nobody told me.",
    "Waited at home all day and the delivery never came.",
    "The courier marked it delivered but nothing arrived.",
];

const PRICE: [&str; 4] = [
    "Too expensive compared to other shops.",
    "Prices went up again, not worth it.",
    "Found the same item much cheaper elsewhere.",
    "Shipping costs are far too high.",
];

const STAFF: [&str; 4] = [
    "The staff member was rude and unhelpful.",
    "Nobody could answer my question.",
    "The agent did not listen and cut me off.",
    "Staff seemed not to care at all.",
];

const DETRACTOR: [&str; 3] = [
    "Not impressed, will shop elsewhere.",
    "Disappointing experience overall.",
    "Poor service, expected much better.",
];

/// A comment for an answer with NPS `nps` about `cause`.
pub(crate) fn comment(rng: &mut Rng, nps: u8, cause: Cause) -> String {
    let pool: &[&str] = if nps >= 9 {
        if cause == Cause::WebRelaunch && rng.chance(0.6) {
            &PROMOTER_WEB
        } else {
            &PROMOTER
        }
    } else if nps >= 7 {
        &PASSIVE
    } else {
        match cause {
            Cause::Wait(minutes) if minutes >= 10 => return wait_complaint(rng, minutes),
            Cause::AppFailure => &APP_FAILURE,
            Cause::WebFailure => &WEB_FAILURE,
            Cause::ChatAfterFailure => &CHAT_AFTER_FAILURE,
            Cause::Delivery => &DELIVERY,
            Cause::Price => &PRICE,
            Cause::Staff | Cause::Wait(_) => &STAFF,
            Cause::WebRelaunch | Cause::General => &DETRACTOR,
        }
    };
    rng.pick(pool).copied().unwrap_or("").to_owned()
}

fn wait_complaint(rng: &mut Rng, minutes: i64) -> String {
    match rng.below(4) {
        0 => format!("Waited {minutes} minutes on the phone before anyone answered."),
        1 => format!("Far too long on hold, {minutes} minutes."),
        2 => format!("Kept on hold for {minutes} minutes and then got cut off."),
        _ => format!("{minutes} minutes waiting on the phone is unacceptable."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tone_follows_the_score_and_names_the_cause() {
        let mut rng = Rng::for_stream(1, 1);
        for _ in 0..200 {
            let c = comment(&mut rng, 10, Cause::Wait(40));
            assert!(PROMOTER.contains(&c.as_str()), "{c}");
            let c = comment(&mut rng, 2, Cause::Wait(40));
            assert!(c.contains("40 minutes"), "{c}");
            let c = comment(&mut rng, 3, Cause::AppFailure);
            assert!(APP_FAILURE.contains(&c.as_str()), "{c}");
            let c = comment(&mut rng, 8, Cause::Delivery);
            assert!(PASSIVE.contains(&c.as_str()), "{c}");
        }
    }
}
