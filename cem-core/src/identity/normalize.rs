//! Normalization of the key values one person leaves in different channels.
//!
//! Two raw values link two records when their normalized forms are equal. The rules:
//!
//! * **e-mail** ([`KeyKind::Email`]): surrounding whitespace trimmed, lower-cased (Unicode
//!   lower case). With [`Options::gmail_canonical`] (off by default) addresses at
//!   `gmail.com` / `googlemail.com` also lose the dots and any `+tag` of their local part and
//!   the domain becomes `gmail.com` — Gmail delivers those variants to one mailbox, other
//!   providers may not, hence opt-in. The address is not validated.
//! * **phone** ([`KeyKind::Phone`]): digits only, in international form without `+`:
//!   a value starting with `+` or `00` already carries its country code (the `00` is
//!   dropped); a value starting with the trunk prefix `0` is national: the `0` is replaced
//!   by [`Options::default_country_code`]; any other value is national too and gets the
//!   default country code in front unless it already starts with it (right for the North
//!   American plan, code `1`, whose area codes never start with `1`). With an empty default
//!   country code the digits are kept as they are (only a leading `00` is dropped).
//! * **identifier** ([`KeyKind::Id`]: device ids, CRM ids): surrounding whitespace trimmed,
//!   case kept.
//!
//! A value that is empty after normalization (blank, or a phone without digits) is missing.

use std::borrow::Cow;

use super::{KeyKind, Options};

/// The normalized form of `raw` under `kind`, or `None` when nothing is left.
///
/// Borrows `raw` when it already is normalized (no allocation).
///
/// # Example
///
/// ```
/// use cem_core::identity::{normalize, KeyKind, Options};
///
/// let o = Options::default(); // default country code "1"
/// assert_eq!(normalize(KeyKind::Email, " Ann@Example.COM ", &o).as_deref(), Some("ann@example.com"));
/// assert_eq!(normalize(KeyKind::Phone, "(555) 010-2030", &o).as_deref(), Some("15550102030"));
/// assert_eq!(normalize(KeyKind::Phone, "+44 20 7946 0000", &o).as_deref(), Some("442079460000"));
/// assert_eq!(normalize(KeyKind::Id, "  dev-7 ", &o).as_deref(), Some("dev-7"));
/// assert_eq!(normalize(KeyKind::Phone, "n/a", &o), None);
/// ```
pub fn normalize<'a>(kind: KeyKind, raw: &'a str, options: &Options) -> Option<Cow<'a, str>> {
    let out = match kind {
        KeyKind::Email => email(raw, options.gmail_canonical),
        KeyKind::Phone => phone(raw, &options.default_country_code),
        KeyKind::Id => Cow::Borrowed(raw.trim()),
    };
    (!out.is_empty()).then_some(out)
}

fn email(raw: &str, gmail: bool) -> Cow<'_, str> {
    let t = raw.trim();
    let lower = if t.chars().any(char::is_uppercase) {
        Cow::Owned(t.to_lowercase())
    } else {
        Cow::Borrowed(t)
    };
    if !gmail {
        return lower;
    }
    match lower.rsplit_once('@') {
        Some((local, domain)) if domain == "gmail.com" || domain == "googlemail.com" => {
            let local = local.split_once('+').map_or(local, |(l, _)| l);
            let mut out: String = local.chars().filter(|&c| c != '.').collect();
            out.push_str("@gmail.com");
            Cow::Owned(out)
        }
        _ => lower,
    }
}

fn phone<'a>(raw: &'a str, country: &str) -> Cow<'a, str> {
    let t = raw.trim_start();
    let plus = t.starts_with('+');
    let all_digits = t.bytes().all(|b| b.is_ascii_digit());
    let digits: Cow<'a, str> = if all_digits {
        Cow::Borrowed(t)
    } else {
        Cow::Owned(t.chars().filter(char::is_ascii_digit).collect())
    };
    if digits.is_empty() {
        return digits;
    }
    if plus {
        return digits;
    }
    if let Some(rest) = digits.strip_prefix("00") {
        return Cow::Owned(rest.to_owned());
    }
    if country.is_empty() {
        return digits;
    }
    if let Some(national) = digits.strip_prefix('0') {
        return Cow::Owned(format!("{country}{national}"));
    }
    if digits.starts_with(country) {
        return digits;
    }
    Cow::Owned(format!("{country}{digits}"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn n(kind: KeyKind, raw: &str, o: &Options) -> Option<String> {
        normalize(kind, raw, o).map(Cow::into_owned)
    }

    #[test]
    fn emails() {
        let o = Options::default();
        assert_eq!(
            n(KeyKind::Email, "\tA.B+x@GMail.com ", &o).unwrap(),
            "a.b+x@gmail.com"
        );
        assert_eq!(n(KeyKind::Email, "   ", &o), None);
        assert_eq!(n(KeyKind::Email, "ÄNN@x.de", &o).unwrap(), "änn@x.de");
        let g = Options::default().gmail_canonical(true);
        assert_eq!(
            n(KeyKind::Email, "A.B+x@GoogleMail.com", &g).unwrap(),
            "ab@gmail.com"
        );
        assert_eq!(
            n(KeyKind::Email, "a.b+x@example.com", &g).unwrap(),
            "a.b+x@example.com"
        );
        assert!(matches!(
            normalize(KeyKind::Email, "a@b.c", &o),
            Some(Cow::Borrowed(_))
        ));
    }

    #[test]
    fn phones() {
        let o = Options::default();
        assert_eq!(
            n(KeyKind::Phone, "+1 (555) 010-2030", &o).unwrap(),
            "15550102030"
        );
        assert_eq!(
            n(KeyKind::Phone, "1-555-010-2030", &o).unwrap(),
            "15550102030"
        );
        assert_eq!(
            n(KeyKind::Phone, "555.010.2030", &o).unwrap(),
            "15550102030"
        );
        assert_eq!(
            n(KeyKind::Phone, "0044 20 7946 0000", &o).unwrap(),
            "442079460000"
        );
        assert_eq!(n(KeyKind::Phone, "---", &o), None);
        assert_eq!(n(KeyKind::Phone, "", &o), None);
        let de = Options::default().default_country_code("49").unwrap();
        assert_eq!(
            n(KeyKind::Phone, "030 1234567", &de).unwrap(),
            "49301234567"
        );
        assert_eq!(
            n(KeyKind::Phone, "+49 30 1234567", &de).unwrap(),
            "49301234567"
        );
        let none = Options::default().default_country_code("").unwrap();
        assert_eq!(
            n(KeyKind::Phone, "030 1234567", &none).unwrap(),
            "0301234567"
        );
        assert_eq!(n(KeyKind::Phone, "0049 30", &none).unwrap(), "4930");
    }

    #[test]
    fn ids() {
        let o = Options::default();
        assert_eq!(n(KeyKind::Id, " AbC ", &o).unwrap(), "AbC");
        assert_eq!(n(KeyKind::Id, "\n", &o), None);
    }
}
