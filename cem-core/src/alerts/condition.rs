//! Rule conditions: the JSON form ([`Condition`]) and the compiled form the rules evaluate.
//!
//! The JSON shape follows the survey's display logic ([`survey::Condition`](crate::survey::Condition)):
//! one operator per object, combined with `all`/`any`/`not`. The two are separate types
//! because they look at different things (a survey's earlier answers there, a response's
//! fields and its customer here) and are checked against different schemas.

use serde::{Deserialize, Serialize};

use crate::alerts::compiled::{Node, NumOp, any_field, num_field, scalars};

/// The deepest nesting of `all`/`any`/`not` a rule may use.
pub const MAX_DEPTH: usize = 32;

/// A condition on a [`Response`](super::Response).
///
/// | JSON | holds when the field ... |
/// |---|---|
/// | `{"field": f, "at_most": x}` / `"at_least"` | is a number `≤ x` / `≥ x` |
/// | `{"field": f, "below": x}` / `"above"` | is a number `< x` / `> x` |
/// | `{"field": f, "equals": v}` | equals the number or text `v` (text exactly, case counts) |
/// | `{"field": f, "in": [v, ...]}` | equals one of the values |
/// | `{"field": "comment", "contains": p}` | contains the phrase `p`, ignoring case |
/// | `{"field": "comment", "contains_word": p}` | contains `p` as whole words, ignoring case |
/// | `{"field": f, "present": b}` | is given (`true`) or missing (`false`) |
/// | `{"all": [c, ...]}`, `{"any": [c, ...]}`, `{"not": c}` | combinations |
///
/// Number fields: `nps`, `csat`, `ces`, `sentiment`. Text fields: `channel`, `touchpoint`,
/// `segment`, `tier`, `customer`, and `comment` (which also takes `contains` and
/// `contains_word`). A missing field makes every comparison false; `not` negates whatever its
/// condition gives.
///
/// **Case and words.** Both the comment and the phrase are lowercased with Unicode's full
/// lowercase mapping (Rust's `str::to_lowercase`, Python's `str.lower`). `contains_word`
/// needs the match to start and end at word boundaries: the characters just before and after
/// it (if any) are not word characters (alphanumeric or `_`, like `\w` in Python's `re`).
///
/// ```
/// use cem_core::alerts::Condition;
/// let c: Condition = serde_json::from_str(r#"{"any": [
///     {"field": "nps", "at_most": 6},
///     {"all": [{"field": "comment", "contains_word": "cancel"}, {"field": "tier", "in": ["gold"]}]}
/// ]}"#).unwrap();
/// assert!(matches!(c, Condition::Any(ref cs) if cs.len() == 2));
/// assert!(serde_json::from_str::<Condition>(r#"{"field": "nps", "at_mots": 6}"#).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawCondition", into = "RawCondition")]
pub enum Condition {
    /// The field is a number at most `value`.
    AtMost {
        /// The field compared.
        field: String,
        /// The (inclusive) bound.
        value: f64,
    },
    /// The field is a number at least `value`.
    AtLeast {
        /// The field compared.
        field: String,
        /// The (inclusive) bound.
        value: f64,
    },
    /// The field is a number below `value`.
    Below {
        /// The field compared.
        field: String,
        /// The (exclusive) bound.
        value: f64,
    },
    /// The field is a number above `value`.
    Above {
        /// The field compared.
        field: String,
        /// The (exclusive) bound.
        value: f64,
    },
    /// The field equals the value.
    Equals {
        /// The field compared.
        field: String,
        /// The value.
        value: Scalar,
    },
    /// The field equals one of the values.
    In {
        /// The field compared.
        field: String,
        /// The values.
        values: Vec<Scalar>,
    },
    /// The text contains the phrase, ignoring case.
    Contains {
        /// The field searched (`comment`).
        field: String,
        /// The phrase.
        phrase: String,
    },
    /// The text contains the phrase as whole words, ignoring case.
    ContainsWord {
        /// The field searched (`comment`).
        field: String,
        /// The phrase.
        phrase: String,
    },
    /// The field is given (`true`) or missing (`false`).
    Present {
        /// The field.
        field: String,
        /// Whether it should be given.
        present: bool,
    },
    /// Every condition holds.
    All(Vec<Condition>),
    /// At least one condition holds.
    Any(Vec<Condition>),
    /// The condition does not hold.
    Not(Box<Condition>),
}

/// A number or a text, the value of `equals` and `in`.
///
/// ```
/// use cem_core::alerts::Scalar;
/// assert_eq!(serde_json::from_str::<Scalar>("6").unwrap(), Scalar::Number(6.0));
/// assert_eq!(serde_json::from_str::<Scalar>("\"web\"").unwrap(), Scalar::Text("web".into()));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Scalar {
    /// A number.
    Number(f64),
    /// A text.
    Text(String),
}

impl Condition {
    /// `{"field": field, "at_most": value}`.
    ///
    /// ```
    /// let c = cem_core::alerts::Condition::at_most("nps", 6.0);
    /// assert_eq!(serde_json::to_string(&c).unwrap(), r#"{"field":"nps","at_most":6.0}"#);
    /// ```
    pub fn at_most(field: impl Into<String>, value: f64) -> Self {
        Condition::AtMost {
            field: field.into(),
            value,
        }
    }

    /// `{"field": field, "contains": phrase}`.
    ///
    /// ```
    /// let c = cem_core::alerts::Condition::contains("comment", "refund");
    /// assert_eq!(serde_json::to_string(&c).unwrap(), r#"{"field":"comment","contains":"refund"}"#);
    /// ```
    pub fn contains(field: impl Into<String>, phrase: impl Into<String>) -> Self {
        Condition::Contains {
            field: field.into(),
            phrase: phrase.into(),
        }
    }

    /// Checks the condition and compiles it; `Err` holds a message naming the field (with
    /// its path in the rule, such as `when.any[1].field`).
    pub(crate) fn compile(&self, path: &str, depth: usize) -> Result<Node, String> {
        if depth > MAX_DEPTH {
            return Err(format!("`{path}` is nested deeper than {MAX_DEPTH} levels"));
        }
        let number = |field: &str, op: NumOp, value: f64, key: &str| -> Result<Node, String> {
            let f = num_field(field, path, key)?;
            if !value.is_finite() {
                return Err(format!("`{path}.{key}` is `{value}`, not a finite number"));
            }
            Ok(Node::Num {
                field: f,
                op,
                value,
            })
        };
        match self {
            Condition::AtMost { field, value } => number(field, NumOp::Le, *value, "at_most"),
            Condition::AtLeast { field, value } => number(field, NumOp::Ge, *value, "at_least"),
            Condition::Below { field, value } => number(field, NumOp::Lt, *value, "below"),
            Condition::Above { field, value } => number(field, NumOp::Gt, *value, "above"),
            Condition::Equals { field, value } => {
                scalars(field, std::slice::from_ref(value), path, "equals")
            }
            Condition::In { field, values } => {
                if values.is_empty() {
                    return Err(format!("`{path}.in` is an empty list"));
                }
                scalars(field, values, path, "in")
            }
            Condition::Contains { field, phrase } | Condition::ContainsWord { field, phrase } => {
                let word = matches!(self, Condition::ContainsWord { .. });
                let key = if word { "contains_word" } else { "contains" };
                if field != "comment" {
                    return Err(format!(
                        "`{path}.{key}` searches field `{field}`; only `comment` can be searched"
                    ));
                }
                if phrase.trim().is_empty() {
                    return Err(format!("`{path}.{key}` is an empty phrase"));
                }
                Ok(Node::Contains {
                    phrase: phrase.to_lowercase(),
                    word,
                })
            }
            Condition::Present { field, present } => Ok(Node::Present {
                field: any_field(field, path)?,
                present: *present,
            }),
            Condition::All(cs) | Condition::Any(cs) => {
                let key = if matches!(self, Condition::All(_)) {
                    "all"
                } else {
                    "any"
                };
                if cs.is_empty() {
                    return Err(format!("`{path}.{key}` is an empty list"));
                }
                let nodes = cs
                    .iter()
                    .enumerate()
                    .map(|(i, c)| c.compile(&format!("{path}.{key}[{i}]"), depth + 1))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(if key == "all" {
                    Node::All(nodes)
                } else {
                    Node::Any(nodes)
                })
            }
            Condition::Not(c) => Ok(Node::Not(Box::new(
                c.compile(&format!("{path}.not"), depth + 1)?,
            ))),
        }
    }
}

// ------------------------------------------------------------------------------ JSON shape

/// The JSON shape of a [`Condition`]: exactly one operator (with `field` for the comparisons).
#[derive(Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCondition {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    field: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    at_most: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    at_least: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    below: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    above: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    equals: Option<Scalar>,
    #[serde(default, rename = "in", skip_serializing_if = "Option::is_none")]
    in_: Option<Vec<Scalar>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    contains: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    contains_word: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    present: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    all: Option<Vec<Condition>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    any: Option<Vec<Condition>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    not: Option<Box<Condition>>,
}

const OPERATORS: &str =
    "at_most, at_least, below, above, equals, in, contains, contains_word, present, all, any, not";

impl TryFrom<RawCondition> for Condition {
    type Error = String;
    fn try_from(raw: RawCondition) -> Result<Self, String> {
        let field = raw.field;
        let need = |op: &str| -> Result<String, String> {
            field
                .clone()
                .ok_or_else(|| format!("the `{op}` condition needs a `field`"))
        };
        let mut found: Vec<Condition> = Vec::new();
        if let Some(v) = raw.at_most {
            found.push(Condition::AtMost {
                field: need("at_most")?,
                value: v,
            });
        }
        if let Some(v) = raw.at_least {
            found.push(Condition::AtLeast {
                field: need("at_least")?,
                value: v,
            });
        }
        if let Some(v) = raw.below {
            found.push(Condition::Below {
                field: need("below")?,
                value: v,
            });
        }
        if let Some(v) = raw.above {
            found.push(Condition::Above {
                field: need("above")?,
                value: v,
            });
        }
        if let Some(v) = raw.equals {
            found.push(Condition::Equals {
                field: need("equals")?,
                value: v,
            });
        }
        if let Some(v) = raw.in_ {
            found.push(Condition::In {
                field: need("in")?,
                values: v,
            });
        }
        if let Some(p) = raw.contains {
            found.push(Condition::Contains {
                field: need("contains")?,
                phrase: p,
            });
        }
        if let Some(p) = raw.contains_word {
            found.push(Condition::ContainsWord {
                field: need("contains_word")?,
                phrase: p,
            });
        }
        if let Some(p) = raw.present {
            found.push(Condition::Present {
                field: need("present")?,
                present: p,
            });
        }
        let combos = [raw.all.is_some(), raw.any.is_some(), raw.not.is_some()];
        if let Some(cs) = raw.all {
            found.push(Condition::All(cs));
        }
        if let Some(cs) = raw.any {
            found.push(Condition::Any(cs));
        }
        if let Some(c) = raw.not {
            found.push(Condition::Not(c));
        }
        if combos.iter().any(|b| *b) && field.is_some() {
            return Err("`all`, `any` and `not` take no `field`".to_owned());
        }
        match found.len() {
            1 => found
                .pop()
                .ok_or_else(|| "a condition needs an operator".to_owned()),
            0 => Err(format!("a condition needs one operator ({OPERATORS})")),
            n => Err(format!(
                "a condition has {n} operators; give exactly one ({OPERATORS})"
            )),
        }
    }
}

impl From<Condition> for RawCondition {
    fn from(c: Condition) -> Self {
        let mut raw = RawCondition::default();
        match c {
            Condition::AtMost { field, value } => {
                (raw.field, raw.at_most) = (Some(field), Some(value))
            }
            Condition::AtLeast { field, value } => {
                (raw.field, raw.at_least) = (Some(field), Some(value))
            }
            Condition::Below { field, value } => {
                (raw.field, raw.below) = (Some(field), Some(value))
            }
            Condition::Above { field, value } => {
                (raw.field, raw.above) = (Some(field), Some(value))
            }
            Condition::Equals { field, value } => {
                (raw.field, raw.equals) = (Some(field), Some(value))
            }
            Condition::In { field, values } => (raw.field, raw.in_) = (Some(field), Some(values)),
            Condition::Contains { field, phrase } => {
                (raw.field, raw.contains) = (Some(field), Some(phrase))
            }
            Condition::ContainsWord { field, phrase } => {
                (raw.field, raw.contains_word) = (Some(field), Some(phrase))
            }
            Condition::Present { field, present } => {
                (raw.field, raw.present) = (Some(field), Some(present))
            }
            Condition::All(cs) => raw.all = Some(cs),
            Condition::Any(cs) => raw.any = Some(cs),
            Condition::Not(c) => raw.not = Some(c),
        }
        raw
    }
}
