//! The compiled form of rule conditions: fields resolved to enums, phrases lowercased, and the
//! evaluation of a [`Response`] against it.

use crate::alerts::condition::Scalar;
use crate::alerts::response::Response;

/// A number field of a response.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum NumField {
    Nps,
    Csat,
    Ces,
    Sentiment,
}

/// A text field of a response.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum TextField {
    Channel,
    Touchpoint,
    Segment,
    Tier,
    Customer,
    Comment,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Field {
    Num(NumField),
    Text(TextField),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum NumOp {
    Le,
    Ge,
    Lt,
    Gt,
    Eq,
}

/// The compiled, checked condition: fields resolved, phrases lowercased.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    Num {
        field: NumField,
        op: NumOp,
        value: f64,
    },
    NumIn {
        field: NumField,
        values: Vec<f64>,
    },
    TextIn {
        field: TextField,
        values: Vec<String>,
    },
    Contains {
        phrase: String,
        word: bool,
    },
    Present {
        field: Field,
        present: bool,
    },
    All(Vec<Node>),
    Any(Vec<Node>),
    Not(Box<Node>),
}

/// What one evaluation of a response needs, with the lowercased comment computed once (and
/// only if a condition searches it), in a buffer reused across responses.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    lower: String,
    lowered: bool,
}

impl Scratch {
    pub(crate) fn reset(&mut self) {
        self.lowered = false;
    }

    fn comment<'a>(&'a mut self, r: &Response) -> Option<&'a str> {
        let text = r.comment.as_deref()?;
        if !self.lowered {
            self.lower.clear();
            lowercase_into(text, &mut self.lower);
            self.lowered = true;
        }
        Some(&self.lower)
    }
}

impl Node {
    pub(crate) fn eval(&self, r: &Response, s: &mut Scratch) -> bool {
        match self {
            Node::Num { field, op, value } => num(r, *field).is_some_and(|x| match op {
                NumOp::Le => x <= *value,
                NumOp::Ge => x >= *value,
                NumOp::Lt => x < *value,
                NumOp::Gt => x > *value,
                NumOp::Eq => x == *value,
            }),
            Node::NumIn { field, values } => num(r, *field).is_some_and(|x| values.contains(&x)),
            Node::TextIn { field, values } => {
                text(r, *field).is_some_and(|t| values.iter().any(|v| v == t))
            }
            Node::Contains { phrase, word } => s.comment(r).is_some_and(|c| {
                if *word {
                    has_word(c, phrase)
                } else {
                    c.contains(phrase.as_str())
                }
            }),
            Node::Present { field, present } => {
                let given = match field {
                    Field::Num(f) => num(r, *f).is_some(),
                    Field::Text(f) => text(r, *f).is_some(),
                };
                given == *present
            }
            Node::All(ns) => ns.iter().all(|n| n.eval(r, s)),
            Node::Any(ns) => ns.iter().any(|n| n.eval(r, s)),
            Node::Not(n) => !n.eval(r, s),
        }
    }
}

fn num(r: &Response, f: NumField) -> Option<f64> {
    match f {
        NumField::Nps => r.nps.map(f64::from),
        NumField::Csat => r.csat.map(f64::from),
        NumField::Ces => r.ces.map(f64::from),
        NumField::Sentiment => r.sentiment,
    }
}

fn text(r: &Response, f: TextField) -> Option<&str> {
    match f {
        TextField::Channel => r.channel.as_deref(),
        TextField::Touchpoint => r.touchpoint.as_deref(),
        TextField::Segment => r.segment.as_deref(),
        TextField::Tier => r.tier.as_deref(),
        TextField::Customer => Some(r.customer.as_str()),
        TextField::Comment => r.comment.as_deref(),
    }
}

pub(crate) const NUM_FIELDS: &str = "nps, csat, ces, sentiment";
pub(crate) const TEXT_FIELDS: &str = "channel, touchpoint, segment, tier, customer, comment";

fn parse_field(name: &str) -> Option<Field> {
    Some(match name {
        "nps" => Field::Num(NumField::Nps),
        "csat" => Field::Num(NumField::Csat),
        "ces" => Field::Num(NumField::Ces),
        "sentiment" => Field::Num(NumField::Sentiment),
        "channel" => Field::Text(TextField::Channel),
        "touchpoint" => Field::Text(TextField::Touchpoint),
        "segment" => Field::Text(TextField::Segment),
        "tier" => Field::Text(TextField::Tier),
        "customer" => Field::Text(TextField::Customer),
        "comment" => Field::Text(TextField::Comment),
        _ => return None,
    })
}

pub(crate) fn any_field(name: &str, path: &str) -> Result<Field, String> {
    parse_field(name).ok_or_else(|| {
        format!("`{path}.field` is `{name}`, not a known field (numbers: {NUM_FIELDS}; texts: {TEXT_FIELDS})")
    })
}

pub(crate) fn num_field(name: &str, path: &str, key: &str) -> Result<NumField, String> {
    match any_field(name, path)? {
        Field::Num(f) => Ok(f),
        Field::Text(_) => Err(format!(
            "`{path}.{key}` compares text field `{name}` with a number (number fields: {NUM_FIELDS})"
        )),
    }
}

pub(crate) fn scalars(
    field: &str,
    values: &[Scalar],
    path: &str,
    key: &str,
) -> Result<Node, String> {
    match any_field(field, path)? {
        Field::Num(f) => {
            let mut out = Vec::with_capacity(values.len());
            for v in values {
                match v {
                    Scalar::Number(x) if x.is_finite() => out.push(*x),
                    Scalar::Number(x) => {
                        return Err(format!("`{path}.{key}` holds `{x}`, not a finite number"));
                    }
                    Scalar::Text(t) => {
                        return Err(format!(
                            "`{path}.{key}` compares number field `{field}` with the text `{t}`"
                        ));
                    }
                }
            }
            Ok(if key == "equals" {
                match out.as_slice() {
                    [x] => Node::Num {
                        field: f,
                        op: NumOp::Eq,
                        value: *x,
                    },
                    _ => Node::NumIn {
                        field: f,
                        values: out,
                    },
                }
            } else {
                Node::NumIn {
                    field: f,
                    values: out,
                }
            })
        }
        Field::Text(f) => {
            let mut out = Vec::with_capacity(values.len());
            for v in values {
                match v {
                    Scalar::Text(t) => out.push(t.clone()),
                    Scalar::Number(x) => {
                        return Err(format!(
                            "`{path}.{key}` compares text field `{field}` with the number `{x}`"
                        ));
                    }
                }
            }
            Ok(Node::TextIn {
                field: f,
                values: out,
            })
        }
    }
}

/// Unicode lowercase (as `str::to_lowercase`), with an ASCII fast path, into `out`.
fn lowercase_into(text: &str, out: &mut String) {
    if text.is_ascii() {
        out.extend(text.bytes().map(|b| char::from(b.to_ascii_lowercase())));
    } else {
        out.push_str(&text.to_lowercase());
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Whether `phrase` occurs in `text` with word boundaries on both sides.
fn has_word(text: &str, phrase: &str) -> bool {
    text.match_indices(phrase).any(|(at, m)| {
        let before = text.get(..at).and_then(|s| s.chars().next_back());
        let after = text.get(at + m.len()..).and_then(|s| s.chars().next());
        !before.is_some_and(is_word_char) && !after.is_some_and(is_word_char)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_boundaries() {
        assert!(has_word("please cancel now", "cancel"));
        assert!(has_word("cancel", "cancel"));
        assert!(!has_word("cancelled it", "cancel"));
        assert!(has_word("cancelled it, cancel!", "cancel"));
        assert!(!has_word("my_cancel", "cancel"));
        assert!(has_word("hold music, again", "hold music"));
        assert!(has_word("é cancel é", "cancel"));
        assert!(!has_word("écancel", "cancel"));
    }

    #[test]
    fn lowercase_matches_std() {
        for t in ["ABC déf", "ΣΑΣ", "İstanbul", "Straße", "plain"] {
            let mut out = String::new();
            lowercase_into(t, &mut out);
            assert_eq!(out, t.to_lowercase());
        }
    }
}
