//! Identity resolution: the identifiers one person leaves in different channels (e-mail,
//! phone, device id, CRM id) resolved into one customer, and the customer profile built on it.
//!
//! [`resolve`] links records that share any normalized key value (see [`normalize`] for the
//! rules) with a union-find, gives every record a stable customer id and says which key linked
//! it, and protects against *hub keys* — a call-centre number or a test address shared by
//! thousands of records would otherwise merge them all into one customer: a normalized value
//! seen on more than [`Options::max_customers_per_key`] customers (or, by choice, held by more
//! than [`Options::max_records_per_key`] records; see [`HubRule`]) is ignored and reported.
//!
//! # Example
//!
//! ```
//! use cem_core::identity::{resolve, KeyColumn, KeyKind, Link, Options};
//!
//! let email = [Some("ann@x.com"), Some(" ANN@X.COM"), None, Some("bob@y.com")];
//! let phone = [None, Some("555 010 2030"), Some("+1 555-010-2030"), None];
//! let keys = [
//!     KeyColumn::new("email", KeyKind::Email, &email),
//!     KeyColumn::new("phone", KeyKind::Phone, &phone),
//! ];
//! let r = resolve(4, &keys, &Options::default())?;
//! assert_eq!(r.customers(), &[0, 0, 0, 1]);
//! assert_eq!(r.links(), &[Link::Own, Link::Key(0), Link::Key(1), Link::Own]);
//! assert_eq!(r.linked_value(2, &keys, &Options::default()).as_deref(), Some("15550102030"));
//! # Ok::<(), cem_core::Error>(())
//! ```

mod normalize;
mod profile;
mod resolve;
mod value;

use crate::{Error, Result};
pub use normalize::normalize;
pub use profile::{Profiles, Sources, profiles};
pub use resolve::{HubKey, Link, Resolution, resolve};
pub use value::{CustomerValues, ValueModels, customer_values};

/// How a key's values are normalized before they are compared (see [`normalize`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyKind {
    /// E-mail addresses: trimmed, lower-cased (optionally Gmail-canonical).
    Email,
    /// Phone numbers: digits in international form.
    Phone,
    /// Opaque identifiers (device, CRM): trimmed, case kept.
    Id,
}

impl KeyKind {
    /// The kind a key column's name suggests: names containing `email`/`e_mail`/`mail` are
    /// e-mail, names containing `phone`/`mobile`/`tel` are phone numbers, anything else an
    /// identifier (case-insensitive).
    ///
    /// ```
    /// use cem_core::identity::KeyKind;
    /// assert_eq!(KeyKind::infer("Email"), KeyKind::Email);
    /// assert_eq!(KeyKind::infer("mobile_phone"), KeyKind::Phone);
    /// assert_eq!(KeyKind::infer("crm_id"), KeyKind::Id);
    /// ```
    pub fn infer(name: &str) -> KeyKind {
        let n = name.to_lowercase();
        if n.contains("mail") {
            KeyKind::Email
        } else if n.contains("phone") || n.contains("mobile") || n.contains("tel") {
            KeyKind::Phone
        } else {
            KeyKind::Id
        }
    }

    /// Parses `"email"`, `"phone"` or `"id"`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for any other name.
    ///
    /// ```
    /// use cem_core::identity::KeyKind;
    /// assert_eq!(KeyKind::parse("phone")?, KeyKind::Phone);
    /// assert!(KeyKind::parse("fax").is_err());
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn parse(name: &str) -> Result<KeyKind> {
        match name {
            "email" => Ok(KeyKind::Email),
            "phone" => Ok(KeyKind::Phone),
            "id" => Ok(KeyKind::Id),
            other => Err(Error::invalid_argument(
                "kind",
                format!("`{other}` is not one of `email`, `phone`, `id`"),
            )),
        }
    }
}

/// One key column: a name (used in explanations and errors), how to normalize it, and one
/// optional raw value per record.
#[derive(Debug, Clone, Copy)]
pub struct KeyColumn<'a> {
    name: &'a str,
    kind: KeyKind,
    values: &'a [Option<&'a str>],
}

impl<'a> KeyColumn<'a> {
    /// A key column.
    ///
    /// ```
    /// use cem_core::identity::{KeyColumn, KeyKind};
    /// let v = [Some("a@b.c"), None];
    /// let k = KeyColumn::new("email", KeyKind::Email, &v);
    /// assert_eq!((k.name(), k.len()), ("email", 2));
    /// ```
    pub fn new(name: &'a str, kind: KeyKind, values: &'a [Option<&'a str>]) -> Self {
        KeyColumn { name, kind, values }
    }

    /// The column's name.
    ///
    /// ```
    /// # use cem_core::identity::{KeyColumn, KeyKind};
    /// assert_eq!(KeyColumn::new("crm_id", KeyKind::Id, &[]).name(), "crm_id");
    /// ```
    pub fn name(&self) -> &'a str {
        self.name
    }

    /// How its values are normalized.
    ///
    /// ```
    /// # use cem_core::identity::{KeyColumn, KeyKind};
    /// assert_eq!(KeyColumn::new("p", KeyKind::Phone, &[]).kind(), KeyKind::Phone);
    /// ```
    pub fn kind(&self) -> KeyKind {
        self.kind
    }

    /// The raw values, one per record.
    ///
    /// ```
    /// # use cem_core::identity::{KeyColumn, KeyKind};
    /// assert_eq!(KeyColumn::new("d", KeyKind::Id, &[None]).values(), &[None]);
    /// ```
    pub fn values(&self) -> &'a [Option<&'a str>] {
        self.values
    }

    /// Number of records in the column.
    ///
    /// ```
    /// # use cem_core::identity::{KeyColumn, KeyKind};
    /// assert!(KeyColumn::new("d", KeyKind::Id, &[]).is_empty());
    /// ```
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether the column has no records.
    ///
    /// ```
    /// # use cem_core::identity::{KeyColumn, KeyKind};
    /// assert!(!KeyColumn::new("d", KeyKind::Id, &[None]).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// How [`resolve`] decides that a key value is a *hub* (a shared call-centre number, a test
/// address) to be ignored rather than used to link records.
///
/// Both rules compare a count with the limit `L` of [`Options`] (50 by default); both are
/// computed from sets, so they do not depend on the order of the records or of the keys.
///
/// - `Customers` (default; what "seen on more than L customers" means), in one pass:
///   1. *base customers* are resolved from the values held by at most `L` records (such a
///      value can never join more than `L` customers);
///   2. a value held by more than `L` records is *seen on* the distinct base customers of its
///      records that hold some value of at most `L` records (any key), plus one customer for
///      all of its records that hold none (they carry no identity of their own, so nothing
///      tells them apart);
///   3. it is a hub when it is seen on more than `L` customers; otherwise it links its
///      records like any other value.
///
///   So the call-centre number given by 60 customers with their own e-mails is a hub at
///   `L = 50`, while the e-mail and CRM id on the 200 contacts of one frequent customer are
///   not (seen on one customer, or a few when the contacts also carry a couple of device ids).
///   A value on many records that each carry a distinct identifier of their own (a new
///   device id per visit) counts them as distinct customers.
/// - `Records`: a value held by more than `L` records is a hub, however many customers those
///   records are.
///
/// ```
/// use cem_core::identity::HubRule;
/// assert_eq!(HubRule::parse("records")?, HubRule::Records);
/// assert_eq!(HubRule::default().name(), "customers");
/// # Ok::<(), cem_core::Error>(())
/// ```
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum HubRule {
    /// More than the limit of distinct base customers (see the type's docs).
    #[default]
    Customers,
    /// More than the limit of records.
    Records,
}

impl HubRule {
    /// `"customers"` or `"records"`.
    ///
    /// ```
    /// assert_eq!(cem_core::identity::HubRule::Records.name(), "records");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            HubRule::Customers => "customers",
            HubRule::Records => "records",
        }
    }

    /// Parses `"customers"` or `"records"`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for anything else.
    ///
    /// ```
    /// assert!(cem_core::identity::HubRule::parse("values").is_err());
    /// ```
    pub fn parse(name: &str) -> Result<HubRule> {
        match name {
            "customers" => Ok(HubRule::Customers),
            "records" => Ok(HubRule::Records),
            other => Err(Error::invalid_argument(
                "hub_by",
                format!("`{other}` is not one of `customers`, `records`"),
            )),
        }
    }
}

/// Settings of [`resolve`]; `Options::default()` is what the Python and JS bindings use.
///
/// Serialized as `{"max_per_key", "hub_by", "default_country_code", "gmail_canonical"}`. JSON
/// written before the customers rule existed holds `max_records_per_key` and no `hub_by`: it
/// still means [`HubRule::Records`] with that limit (without either field name, a missing
/// `hub_by` means [`HubRule::Customers`]). Giving both `max_per_key` and
/// `max_records_per_key` is an error.
///
/// ```
/// use cem_core::identity::{HubRule, Options};
///
/// let old = r#"{"max_records_per_key":50,"default_country_code":"1","gmail_canonical":false}"#;
/// let o: Options = serde_json::from_str(old)?;
/// assert_eq!((o.hub_rule(), o.hub_limit()), (HubRule::Records, 50));
/// let back: Options = serde_json::from_str(&serde_json::to_string(&o)?)?;
/// assert_eq!(back, o);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "OptionsFields")]
pub struct Options {
    max_per_key: usize,
    hub_by: HubRule,
    default_country_code: String,
    gmail_canonical: bool,
}

/// What [`Options`] reads from serde: the current and the former name of the limit, and a
/// hub rule that may be absent (its default depends on which name the limit has).
#[derive(serde::Deserialize)]
struct OptionsFields {
    max_per_key: Option<usize>,
    max_records_per_key: Option<usize>,
    hub_by: Option<HubRule>,
    default_country_code: String,
    gmail_canonical: bool,
}

impl TryFrom<OptionsFields> for Options {
    type Error = Error;

    fn try_from(f: OptionsFields) -> Result<Options> {
        let (max, hub_by) = match (f.max_per_key, f.max_records_per_key) {
            (Some(max), None) => (max, f.hub_by.unwrap_or(HubRule::Customers)),
            // The former field: its rule was records.
            (None, Some(max)) => (max, f.hub_by.unwrap_or(HubRule::Records)),
            (Some(_), Some(_)) => {
                return Err(Error::invalid_argument(
                    "max_per_key",
                    "both `max_per_key` and `max_records_per_key` (its former name) are given; keep `max_per_key` (with `hub_by`)",
                ));
            }
            (None, None) => {
                return Err(Error::invalid_argument(
                    "max_per_key",
                    "missing field `max_per_key` (or its former name `max_records_per_key`)",
                ));
            }
        };
        // The setters check the values as they do for the builder.
        let o = match hub_by {
            HubRule::Customers => Options::default().max_customers_per_key(max)?,
            HubRule::Records => Options::default().max_records_per_key(max)?,
        };
        Ok(o.default_country_code(&f.default_country_code)?
            .gmail_canonical(f.gmail_canonical))
    }
}

/// The default hub limit ([`Options::max_customers_per_key`]).
pub const DEFAULT_MAX_PER_KEY: usize = 50;

/// The former name of [`DEFAULT_MAX_PER_KEY`].
pub const DEFAULT_MAX_RECORDS_PER_KEY: usize = DEFAULT_MAX_PER_KEY;

impl Default for Options {
    /// Hubs by customers, at most 50 customers per key value, default country code `1`,
    /// Gmail handling off.
    fn default() -> Self {
        Options {
            max_per_key: DEFAULT_MAX_PER_KEY,
            hub_by: HubRule::Customers,
            default_country_code: "1".to_owned(),
            gmail_canonical: false,
        }
    }
}

impl Options {
    /// Sets the hub rule to [`HubRule::Customers`] with limit `max`: a normalized key value
    /// whose records belong to more than `max` distinct base customers links nothing and is
    /// reported in [`Resolution::hubs`] (see [`HubRule`] for the exact rule).
    ///
    /// # Errors
    /// [`Error::OutOfRange`] for `max` below 2 (no value could link anything).
    ///
    /// ```
    /// use cem_core::identity::{HubRule, Options};
    /// let o = Options::default().max_customers_per_key(1000)?;
    /// assert_eq!((o.hub_rule(), o.hub_limit()), (HubRule::Customers, 1000));
    /// assert!(Options::default().max_customers_per_key(1).is_err());
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn max_customers_per_key(mut self, max: usize) -> Result<Self> {
        if max < 2 {
            return Err(Error::out_of_range(
                "max_customers_per_key",
                max,
                "2 or more",
            ));
        }
        self.max_per_key = max;
        self.hub_by = HubRule::Customers;
        Ok(self)
    }

    /// Sets the hub rule to [`HubRule::Records`] with limit `max`: a normalized key value held
    /// by more than `max` records links nothing and is reported in [`Resolution::hubs`].
    ///
    /// # Errors
    /// [`Error::OutOfRange`] for `max` below 2 (no value could link anything).
    ///
    /// ```
    /// use cem_core::identity::{HubRule, Options};
    /// let o = Options::default().max_records_per_key(1000)?;
    /// assert_eq!((o.hub_rule(), o.hub_limit()), (HubRule::Records, 1000));
    /// assert!(Options::default().max_records_per_key(1).is_err());
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn max_records_per_key(mut self, max: usize) -> Result<Self> {
        if max < 2 {
            return Err(Error::out_of_range("max_records_per_key", max, "2 or more"));
        }
        self.max_per_key = max;
        self.hub_by = HubRule::Records;
        Ok(self)
    }

    /// Sets the country code given to national phone numbers (see [`normalize`]): one to
    /// three digits, or empty for none.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for anything else (a `+` is accepted and dropped).
    ///
    /// ```
    /// use cem_core::identity::Options;
    /// assert_eq!(Options::default().default_country_code("+44")?.country_code(), "44");
    /// assert!(Options::default().default_country_code("4a").is_err());
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn default_country_code(mut self, code: &str) -> Result<Self> {
        let c = code.trim().trim_start_matches('+');
        if c.len() > 3 || !c.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::invalid_argument(
                "default_country_code",
                format!("`{code}` is not one to three digits (or empty)"),
            ));
        }
        self.default_country_code = c.to_owned();
        Ok(self)
    }

    /// Turns Gmail-canonical addresses on or off (see [`normalize`]).
    ///
    /// ```
    /// use cem_core::identity::{normalize, KeyKind, Options};
    /// let o = Options::default().gmail_canonical(true);
    /// assert_eq!(normalize(KeyKind::Email, "A.n.n+cx@gmail.com", &o).as_deref(), Some("ann@gmail.com"));
    /// ```
    pub fn gmail_canonical(mut self, on: bool) -> Self {
        self.gmail_canonical = on;
        self
    }

    /// The hub limit in force (customers or records, see [`Options::hub_rule`]).
    ///
    /// ```
    /// assert_eq!(cem_core::identity::Options::default().hub_limit(), 50);
    /// ```
    pub fn hub_limit(&self) -> usize {
        self.max_per_key
    }

    /// The hub rule in force.
    ///
    /// ```
    /// use cem_core::identity::{HubRule, Options};
    /// assert_eq!(Options::default().hub_rule(), HubRule::Customers);
    /// ```
    pub fn hub_rule(&self) -> HubRule {
        self.hub_by
    }

    /// The default country code in force.
    ///
    /// ```
    /// assert_eq!(cem_core::identity::Options::default().country_code(), "1");
    /// ```
    pub fn country_code(&self) -> &str {
        &self.default_country_code
    }
}
