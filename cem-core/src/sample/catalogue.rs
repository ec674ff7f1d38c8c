//! The fixed catalogue of Northwind Home: touchpoints, segments, regions.

use crate::model::{Channel, JourneyStage, Touchpoint};

/// Touchpoint ids of the sample, as constants so that code using the sample does not spell
/// them by hand.
pub mod tp {
    /// Web: home page.
    pub const WEB_HOME: &str = "web-home";
    /// Web: product page.
    pub const WEB_PRODUCT: &str = "web-product";
    /// Web: shopping cart.
    pub const WEB_CART: &str = "web-cart";
    /// Web: checkout (address and delivery options).
    pub const WEB_CHECKOUT: &str = "web-checkout";
    /// Web: payment step.
    pub const WEB_PAYMENT: &str = "web-payment";
    /// Mobile app: browsing products.
    pub const APP_BROWSE: &str = "app-browse";
    /// Mobile app: checkout.
    pub const APP_CHECKOUT: &str = "app-checkout";
    /// Mobile app: payment step (broken in the outage window, see the module docs).
    pub const APP_PAYMENT: &str = "app-payment";
    /// E-mail: marketing campaign.
    pub const EMAIL_CAMPAIGN: &str = "email-campaign";
    /// E-mail: shipping notification; its outcome says whether the parcel was delivered.
    pub const EMAIL_SHIPPING: &str = "email-shipping";
    /// Call centre: billing hotline.
    pub const CC_BILLING: &str = "cc-billing";
    /// Call centre: delivery hotline.
    pub const CC_DELIVERY: &str = "cc-delivery";
    /// Live chat with support.
    pub const CHAT_SUPPORT: &str = "chat-support";
    /// Store: till.
    pub const STORE_TILL: &str = "store-till";
    /// Store: returns desk.
    pub const STORE_RETURNS: &str = "store-returns";
    /// A sales representative's visit (business customers).
    pub const SALES_VISIT: &str = "sales-visit";
    /// Social media: a post or message about the company.
    pub const SOCIAL_POST: &str = "social-post";
}

/// The customer segments, in the order of their codes.
pub const SEGMENTS: [&str; 4] = ["consumer", "young_urban", "business", "bargain_hunter"];

/// The regions customers live in.
pub const REGIONS: [&str; 5] = ["north", "south", "east", "west", "capital"];

/// The whole touchpoint catalogue, in a fixed order.
pub(crate) fn touchpoints() -> Vec<Touchpoint> {
    use Channel as C;
    use JourneyStage as S;
    let rows: [(&str, &str, Channel, JourneyStage); 17] = [
        (tp::WEB_HOME, "Web home page", C::Web, S::Awareness),
        (
            tp::WEB_PRODUCT,
            "Web product page",
            C::Web,
            S::Consideration,
        ),
        (tp::WEB_CART, "Web cart", C::Web, S::Purchase),
        (tp::WEB_CHECKOUT, "Web checkout", C::Web, S::Purchase),
        (tp::WEB_PAYMENT, "Web payment", C::Web, S::Purchase),
        (
            tp::APP_BROWSE,
            "App browsing",
            C::MobileApp,
            S::Consideration,
        ),
        (tp::APP_CHECKOUT, "App checkout", C::MobileApp, S::Purchase),
        (tp::APP_PAYMENT, "App payment", C::MobileApp, S::Purchase),
        (
            tp::EMAIL_CAMPAIGN,
            "E-mail campaign",
            C::Email,
            S::Awareness,
        ),
        (
            tp::EMAIL_SHIPPING,
            "Shipping notification",
            C::Email,
            S::Delivery,
        ),
        (tp::CC_BILLING, "Billing hotline", C::CallCentre, S::Support),
        (
            tp::CC_DELIVERY,
            "Delivery hotline",
            C::CallCentre,
            S::Delivery,
        ),
        (tp::CHAT_SUPPORT, "Support chat", C::Chat, S::Support),
        (tp::STORE_TILL, "Store till", C::Store, S::Purchase),
        (
            tp::STORE_RETURNS,
            "Store returns desk",
            C::Store,
            S::Support,
        ),
        (
            tp::SALES_VISIT,
            "Sales visit",
            C::SalesVisit,
            S::Consideration,
        ),
        (tp::SOCIAL_POST, "Social media post", C::Social, S::Loyalty),
    ];
    rows.into_iter()
        .map(|(id, name, channel, stage)| Touchpoint::new(id, name, channel, stage))
        .collect()
}
