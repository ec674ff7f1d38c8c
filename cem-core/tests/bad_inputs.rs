//! The Rust runner of the bad-input catalogue (`tests/bad_inputs/catalogue.json`, see its
//! README): every case whose `langs` include `rust` goes through the Rust API and must give
//! the error code and message the catalogue names, or the documented acceptance — never a
//! panic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;

use cem_core::clv::{BetaGeo, GammaGamma, ParetoNbd};
use cem_core::journey::EventLog;
use cem_core::metrics::{
    Csat, GroupLimits, GroupedScores, Mean, Nps, Period, Proportion, ScoreMetric,
};
use cem_core::model::Answer;
use cem_core::survey::{Survey, SurveyAggregate};
#[cfg(feature = "sentiment")]
use cem_core::text::{self as text_limits, TextLimits};
use cem_core::{Error, Result};
use serde_json::Value;

const CATALOGUE: &str = include_str!("../../tests/bad_inputs/catalogue.json");
const POST_CONTACT: &str = include_str!("../../tests/data/surveys/post_contact.json");

/// A catalogue value with its `$`-forms decoded.
fn decode(v: &Value) -> Value {
    match v {
        Value::Object(map) if map.len() == 1 => {
            let (key, arg) = map.iter().next().unwrap();
            match key.as_str() {
                "$f" => Value::String(format!("$f:{}", arg.as_str().unwrap())),
                "$json" => Value::String(decode(arg).to_string()),
                "$repeat" => {
                    let s = arg[0].as_str().unwrap();
                    Value::String(s.repeat(arg[1].as_u64().unwrap() as usize))
                }
                "$concat" => Value::String(
                    arg.as_array()
                        .unwrap()
                        .iter()
                        .map(|p| decode(p).as_str().unwrap().to_owned())
                        .collect(),
                ),
                "$nest" => {
                    let n = arg.as_u64().unwrap() as usize;
                    Value::String(format!("{}{}", "[".repeat(n), "]".repeat(n)))
                }
                _ => Value::Object(map.iter().map(|(k, x)| (k.clone(), decode(x))).collect()),
            }
        }
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, x)| (k.clone(), decode(x))).collect())
        }
        Value::Array(items) => Value::Array(items.iter().map(decode).collect()),
        other => other.clone(),
    }
}

fn f64_of(v: &Value) -> f64 {
    match v {
        Value::String(s) => match s.as_str() {
            "$f:NaN" => f64::NAN,
            "$f:inf" => f64::INFINITY,
            "$f:-inf" => f64::NEG_INFINITY,
            _ => panic!("not a number: {s}"),
        },
        _ => v.as_f64().unwrap(),
    }
}
fn floats(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(f64_of).collect()
}
fn bytes(v: &Value) -> Vec<u8> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| u8::try_from(x.as_u64().unwrap()).unwrap())
        .collect()
}
fn ints(v: &Value) -> Vec<i64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_i64().unwrap())
        .collect()
}
fn text(v: &Value) -> &str {
    v.as_str().unwrap()
}
/// Dictionary-encodes a column of labels.
fn codes(v: &Value) -> (Vec<u32>, Vec<String>) {
    let mut labels: Vec<String> = Vec::new();
    let codes = v
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            let s = x.as_str().unwrap().to_owned();
            let pos = labels.iter().position(|l| *l == s).unwrap_or_else(|| {
                labels.push(s);
                labels.len() - 1
            });
            pos as u32
        })
        .collect();
    (codes, labels)
}
fn log_of(a: &[Value], values: Option<&[f64]>) -> Result<EventLog> {
    let (c, cl) = codes(&a[0]);
    let (t, tl) = codes(&a[1]);
    EventLog::from_columns(&c, cl, &t, tl, &ints(&a[2]), values)
}

/// Runs one operation; `Ok` carries what the acceptance checks look at.
fn run(op: &str, a: &[Value]) -> Result<Value> {
    let n_of = |n: u64| Ok(serde_json::json!({ "n": n }));
    match op {
        "nps.push" => {
            let mut nps = Nps::new();
            nps.push(u8::try_from(a[0].as_u64().unwrap()).unwrap())?;
            n_of(nps.n())
        }
        "nps.push_many" => {
            let mut nps = Nps::new();
            nps.push_many(&bytes(&a[0]))?;
            n_of(nps.n())
        }
        "nps.estimate" => {
            let mut nps = Nps::new();
            nps.push_many(&bytes(&a[0]))?;
            nps.estimate(0.95)
                .map(|e| serde_json::json!({ "value": e.value }))
        }
        "nps.push_many_weighted" | "nps.weighted_estimate" => {
            let mut nps = Nps::new();
            nps.push_many_weighted(&bytes(&a[0]), &floats(&a[1]))?;
            if op == "nps.weighted_estimate" {
                nps.estimate(0.95)?;
            }
            n_of(nps.n())
        }
        "csat.new" => {
            let max = u8::try_from(a[0].as_u64().unwrap()).unwrap();
            let top = u8::try_from(a[1].as_u64().unwrap()).unwrap();
            Csat::with_scale(max, top).map(|_| Value::Null)
        }
        "csat.push" => {
            let mut csat = Csat::new();
            csat.push(u8::try_from(a[0].as_u64().unwrap()).unwrap())?;
            n_of(csat.n())
        }
        "mean.push_many" | "mean.estimate" => {
            let mut m = Mean::new();
            m.push_many(&floats(&a[0]))?;
            if op == "mean.estimate" {
                m.estimate(0.95)?;
            }
            n_of(m.n())
        }
        "nps.from_json" => serde_json::from_str::<Nps>(text(&a[0]))
            .map_err(Error::from)
            .and_then(|x| n_of(x.n())),
        "csat.from_json" => serde_json::from_str::<Csat>(text(&a[0]))
            .map_err(Error::from)
            .and_then(|x| n_of(x.n())),
        "mean.from_json" => serde_json::from_str::<Mean>(text(&a[0]))
            .map_err(Error::from)
            .and_then(|x| n_of(x.n())),
        "proportion.from_json" => serde_json::from_str::<Proportion>(text(&a[0]))
            .map_err(Error::from)
            .and_then(|x| n_of(x.n())),
        "aggregate.from_json" => serde_json::from_str::<SurveyAggregate>(text(&a[0]))
            .map_err(Error::from)
            .and_then(|x| n_of(x.n())),
        "survey.from_json" => Survey::from_json(text(&a[0])).map(|_| Value::Null),
        "survey.score" => {
            let survey = Survey::from_json(POST_CONTACT)?;
            let answers: BTreeMap<String, Answer> = serde_json::from_value(a[0].clone())?;
            survey.score(&answers).map(|_| Value::Null)
        }
        #[cfg(feature = "sentiment")]
        "text.polarity" => text_limits::polarity_with(text(&a[0]), &TextLimits::default())
            .map(|p| serde_json::to_value(p).unwrap()),
        #[cfg(feature = "sentiment")]
        "text.sentiment" => {
            let texts: Vec<&str> = a[0].as_array().unwrap().iter().map(text).collect();
            text_limits::sentiment_with(&texts, &TextLimits::default()).map(|s| {
                serde_json::json!({ "compound": s.iter().map(|p| p.compound).collect::<Vec<_>>() })
            })
        }
        "log.from_columns" => log_of(a, None).map(|l| serde_json::json!({ "n": l.len() })),
        "log.from_columns_values" => {
            log_of(a, Some(&floats(&a[3]))).map(|l| serde_json::json!({ "n": l.len() }))
        }
        "log.first_edge" => {
            let log = log_of(a, None)?;
            let variant = log.variants(None).into_iter().next().unwrap();
            let label = |c: u32| log.touchpoint_label(c).unwrap().to_owned();
            Ok(serde_json::json!({ "edge": [label(variant.steps[0]), label(variant.steps[1])] }))
        }
        "group.offset" => {
            let seconds = i32::try_from(a[0].as_i64().unwrap()).unwrap();
            GroupedScores::new(ScoreMetric::Nps, Period::Month)?
                .with_utc_offset(seconds)
                .map(|_| Value::Null)
        }
        "group.push" => {
            let mut g = GroupedScores::new(ScoreMetric::Nps, Period::Month)?;
            let segments: Vec<u32> = ints(&a[1]).iter().map(|&s| s as u32).collect();
            g.push_columns(&bytes(&a[0]), &segments, &ints(&a[2]), None)?;
            n_of(g.n())
        }
        "group.push_limited" => {
            let mut g =
                GroupedScores::new(ScoreMetric::Nps, Period::Month)?.with_limits(GroupLimits {
                    max_groups: a[3].as_u64().unwrap() as usize,
                });
            let segments: Vec<u32> = ints(&a[1]).iter().map(|&s| s as u32).collect();
            g.push_columns(&bytes(&a[0]), &segments, &ints(&a[2]), None)?;
            n_of(g.n())
        }
        "group.merge_limited" => {
            // Two accumulators of one answer per segment (all on 1970-01-01), the first
            // limited, merged.
            let limits = GroupLimits {
                max_groups: a[2].as_u64().unwrap() as usize,
            };
            let grouped = |codes: &Value| {
                let segments: Vec<u32> = ints(codes).iter().map(|&s| s as u32).collect();
                let mut g = GroupedScores::new(ScoreMetric::Nps, Period::Month)?;
                g.push_columns(
                    &vec![10; segments.len()],
                    &segments,
                    &vec![0; segments.len()],
                    None,
                )?;
                Ok::<_, Error>(g)
            };
            let mut g = grouped(&a[0])?.with_limits(limits);
            g.merge(&grouped(&a[1])?)?;
            n_of(g.n())
        }
        "group.from_json_limited" => {
            let limits = GroupLimits {
                max_groups: a[1].as_u64().unwrap() as usize,
            };
            GroupedScores::from_json_with(text(&a[0]), limits).and_then(|g| n_of(g.n()))
        }
        "clv.beta_geo.fit" => BetaGeo::default()
            .fit(&floats(&a[0]), &floats(&a[1]), &floats(&a[2]), None)
            .map(|_| Value::Null),
        "clv.pareto_nbd.fit" => ParetoNbd::default()
            .fit(&floats(&a[0]), &floats(&a[1]), &floats(&a[2]), None)
            .map(|_| Value::Null),
        "clv.gamma_gamma.fit" => GammaGamma::default()
            .fit(&floats(&a[0]), &floats(&a[1]), None)
            .map(|_| Value::Null),
        _ => panic!("the Rust runner does not know op `{op}`"),
    }
}

#[test]
fn every_rust_case_in_the_catalogue() {
    let catalogue: Value = serde_json::from_str(CATALOGUE).unwrap();
    let cases = catalogue["cases"].as_array().unwrap();
    assert!(
        cases.len() >= 40,
        "the catalogue must hold at least 40 cases"
    );
    let mut ran = 0;
    for case in cases {
        let id = case["id"].as_str().unwrap();
        if !case["langs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l == "rust")
        {
            continue;
        }
        let expect = case.get("rust").unwrap_or(&case["expect"]);
        let args: Vec<Value> = case["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(decode)
            .collect();
        let op = case["op"].as_str().unwrap();
        let outcome = std::panic::catch_unwind(|| run(op, &args))
            .unwrap_or_else(|_| panic!("{id}: `{op}` panicked"));
        match (outcome, expect.get("error")) {
            (Err(err), Some(code)) => {
                assert_eq!(err.kind().code(), code, "{id}: {err}");
                if let Some(word) = expect.get("message").and_then(Value::as_str) {
                    assert!(
                        err.to_string().contains(word),
                        "{id}: `{err}` lacks `{word}`"
                    );
                }
            }
            (Ok(got), None) => {
                for (key, want) in expect.as_object().unwrap() {
                    if key != "ok" {
                        assert_eq!(&got[key], want, "{id}: `{key}`");
                    }
                }
            }
            (Err(err), None) => panic!("{id}: expected acceptance, got `{err}`"),
            (Ok(got), Some(code)) => panic!("{id}: expected `{code}`, got Ok({got})"),
        }
        ran += 1;
    }
    println!("bad-input catalogue: {ran} Rust cases passed");
    assert!(ran >= 30, "only {ran} cases ran in Rust");
}
