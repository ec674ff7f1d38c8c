//! The public contract of `cem_core::survey`.

// clippy.toml allows these inside `#[test]` functions only; the helpers here are test code too.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;

use cem_core::metrics::{CesScale, Nps, NpsCategory};
use cem_core::model::Answer;
use cem_core::survey::{
    ChoiceOption, Condition, Question, QuestionKind, ScoreValue, SummaryDetail, Survey,
    SurveyAggregate, SurveyLimits,
};
use cem_core::{Error, ErrorKind};
use proptest::prelude::*;

const POST_CONTACT: &str = include_str!("../../tests/data/surveys/post_contact.json");

fn example() -> Survey {
    Survey::from_json(POST_CONTACT).unwrap()
}

fn answers(pairs: &[(&str, Answer)]) -> BTreeMap<String, Answer> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

fn num(x: f64) -> Answer {
    Answer::Number(x)
}

fn text(s: &str) -> Answer {
    Answer::Text(s.to_owned())
}

fn choices(cs: &[&str]) -> Answer {
    Answer::Choices(cs.iter().map(|c| (*c).to_owned()).collect())
}

// ---------------------------------------------------------------------------------------
// Definitions
// ---------------------------------------------------------------------------------------

#[test]
fn example_survey_parses_with_defaults() {
    let s = example();
    assert_eq!(s.id(), "post-contact");
    assert_eq!(s.title(), "How did we do?");
    let ids: Vec<&str> = s.questions().iter().map(|q| q.id.as_str()).collect();
    assert_eq!(ids, ["nps", "csat", "ces", "reason", "comment"]);
    assert!(s.question("nps").unwrap().required);
    assert!(!s.question("csat").unwrap().required);
    assert_eq!(
        s.question("csat").unwrap().kind,
        QuestionKind::Csat {
            scale: cem_core::survey::CsatScale { max: 5 },
            top: 2
        }
    );
    assert_eq!(
        s.question("ces").unwrap().kind,
        QuestionKind::Ces {
            scale: CesScale::Agreement7
        }
    );
    assert_eq!(
        s.question("reason").unwrap().show_if,
        Some(Condition::less_than("nps", 7.0))
    );
    assert_eq!(
        s.question("comment").unwrap().kind,
        QuestionKind::Text {
            max_length: Some(2000)
        }
    );
}

#[test]
fn survey_json_round_trips() {
    let s = example();
    let back = Survey::from_json(&s.to_json().unwrap()).unwrap();
    assert_eq!(back, s);
    let via_serde: Survey = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
    assert_eq!(via_serde, s);
}

#[test]
fn every_kind_parses_with_settings() {
    let s = Survey::from_json(
        r#"{"id": "all", "title": "All kinds", "questions": [
        {"id": "n", "kind": "nps", "text": "n"},
        {"id": "c", "kind": "csat", "text": "c", "scale": {"max": 7}, "top": 3},
        {"id": "e", "kind": "ces", "text": "e", "scale": "legacy_effort5"},
        {"id": "l", "kind": "likert", "text": "l", "points": 7},
        {"id": "l5", "kind": "likert", "text": "l"},
        {"id": "r", "kind": "rating", "text": "r", "min": 0, "max": 100},
        {"id": "s", "kind": "single_choice", "text": "s", "options": [{"id": "a", "label": "A"}]},
        {"id": "m", "kind": "multi_choice", "text": "m", "options": [{"id": "a", "label": "A"}, {"id": "b", "label": "B"}], "max_choices": 2},
        {"id": "t", "kind": "text", "text": "t"}
    ]}"#,
    )
    .unwrap();
    let scale = |id: &str| s.question(id).unwrap().kind.scale();
    assert_eq!(scale("n"), Some((0, 10)));
    assert_eq!(scale("c"), Some((1, 7)));
    assert_eq!(scale("e"), Some((1, 5)));
    assert_eq!(scale("l"), Some((1, 7)));
    assert_eq!(scale("l5"), Some((1, 5)));
    assert_eq!(scale("r"), Some((0, 100)));
    assert_eq!(scale("s"), None);
    assert_eq!(s.question("m").unwrap().kind.options().unwrap().len(), 2);
}

/// Wraps questions into a survey's JSON.
fn with_questions(questions: &str) -> String {
    format!(r#"{{"id": "s", "title": "t", "questions": [{questions}]}}"#)
}

/// Asserts the JSON is rejected as an invalid survey naming `question` (when given) and
/// mentioning `needle`.
fn assert_rejected(json: &str, question: Option<&str>, needle: &str) {
    let err = Survey::from_json(json).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidSurvey, "{err}");
    let msg = err.to_string();
    match &err {
        Error::InvalidSurvey { question: q, .. } => assert_eq!(q.as_deref(), question, "{msg}"),
        other => panic!("unexpected {other:?}"),
    }
    if let Some(q) = question {
        assert!(msg.starts_with(&format!("question `{q}`: ")), "{msg}");
    }
    assert!(msg.contains(needle), "`{msg}` lacks `{needle}`");
    assert!(!msg.ends_with('.'), "{msg}");
}

const NPS: &str = r#"{"id": "nps", "kind": "nps", "text": "Recommend?"}"#;

#[test]
fn rejects_empty_survey_and_empty_ids() {
    assert_rejected(
        r#"{"id": "s", "title": "t", "questions": []}"#,
        None,
        "no questions",
    );
    assert_rejected(
        &format!(r#"{{"id": " ", "title": "t", "questions": [{NPS}]}}"#),
        None,
        "survey id is empty",
    );
    assert_rejected(
        &with_questions(r#"{"id": "", "kind": "nps", "text": "x"}"#),
        None,
        "position 0 has an empty id",
    );
    assert_rejected(
        &with_questions(r#"{"id": "q", "kind": "nps", "text": ""}"#),
        Some("q"),
        "wording is empty",
    );
}

#[test]
fn rejects_duplicate_question_ids() {
    assert_rejected(
        &with_questions(&format!("{NPS}, {NPS}")),
        Some("nps"),
        "more than one question",
    );
}

#[test]
fn rejects_logic_on_unknown_later_or_same_question() {
    let q = |cond: &str| {
        format!(
            r#"{NPS}, {{"id": "why", "kind": "text", "text": "Why?", "show_if": {cond}}}, {{"id": "later", "kind": "nps", "text": "x"}}"#
        )
    };
    assert_rejected(
        &with_questions(&q(r#"{"question": "ghost", "answered": true}"#)),
        Some("why"),
        "unknown question `ghost`",
    );
    assert_rejected(
        &with_questions(&q(r#"{"question": "later", "less_than": 3}"#)),
        Some("why"),
        "question `later`, which comes later",
    );
    assert_rejected(
        &with_questions(&q(r#"{"question": "why", "answered": true}"#)),
        Some("why"),
        "the question itself",
    );
    // Nested conditions are checked too.
    assert_rejected(
        &with_questions(&q(
            r#"{"all": [{"question": "nps", "answered": true}, {"not": {"question": "ghost", "answered": true}}]}"#,
        )),
        Some("why"),
        "unknown question `ghost`",
    );
}

#[test]
fn rejects_comparisons_and_values_that_do_not_fit() {
    let two = |cond: &str| {
        with_questions(&format!(
            r#"{{"id": "t", "kind": "text", "text": "x"}},
               {{"id": "c", "kind": "single_choice", "text": "x", "options": [{{"id": "a", "label": "A"}}]}},
               {NPS},
               {{"id": "why", "kind": "text", "text": "Why?", "show_if": {cond}}}"#
        ))
    };
    assert_rejected(
        &two(r#"{"question": "t", "less_than": 3}"#),
        Some("why"),
        "not numbers (text)",
    );
    assert_rejected(
        &two(r#"{"question": "c", "greater_than": 3}"#),
        Some("why"),
        "not numbers (single_choice)",
    );
    assert_rejected(
        &two(r#"{"question": "c", "equals": "zzz"}"#),
        Some("why"),
        "`zzz`, which is not one of its options",
    );
    assert_rejected(
        &two(r#"{"question": "nps", "equals": "high"}"#),
        Some("why"),
        "the text `high`",
    );
    assert_rejected(
        &two(r#"{"question": "nps", "in": []}"#),
        Some("why"),
        "empty `in` list",
    );
    assert_rejected(&two(r#"{"any": []}"#), Some("why"), "empty `any` list");
    assert_rejected(&two(r#"{"all": []}"#), Some("why"), "empty `all` list");
}

#[test]
fn rejects_malformed_conditions() {
    let q = |cond: &str| {
        with_questions(&format!(
            r#"{NPS}, {{"id": "why", "kind": "text", "text": "Why?", "show_if": {cond}}}"#
        ))
    };
    for cond in [
        r#"{"question": "nps"}"#,
        r#"{"question": "nps", "less_than": 3, "greater_than": 1}"#,
        r#"{"less_than": 3}"#,
        r#"{"question": "nps", "not": {"question": "nps", "answered": true}}"#,
        r#"{"question": "nps", "les_than": 3}"#,
    ] {
        let err = Survey::from_json(&q(cond)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Json, "{cond}: {err}");
    }
}

#[test]
fn rejects_deep_nesting() {
    let mut cond = r#"{"question": "nps", "answered": true}"#.to_owned();
    for _ in 0..40 {
        cond = format!(r#"{{"not": {cond}}}"#);
    }
    let json = with_questions(&format!(
        r#"{NPS}, {{"id": "why", "kind": "text", "text": "Why?", "show_if": {cond}}}"#
    ));
    let err = Survey::from_json(&json).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LimitExceeded, "{err}");
    assert!(
        err.to_string()
            .contains("`show_if` in question `why` exceeds the limit of 32 levels"),
        "{err}"
    );
    // The limit is the caller's to raise.
    let roomy = SurveyLimits {
        condition_depth: 64,
        ..SurveyLimits::default()
    };
    assert!(Survey::from_json_with(&json, &roomy).is_ok());
}

#[test]
fn size_limits_have_defaults_and_can_be_raised() {
    let options: Vec<String> = (0..1001)
        .map(|i| format!(r#"{{"id": "o{i}", "label": "O{i}"}}"#))
        .collect();
    let json = with_questions(&format!(
        r#"{{"id": "c", "kind": "single_choice", "text": "x", "options": [{}]}}"#,
        options.join(",")
    ));
    let err = Survey::from_json(&json).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LimitExceeded);
    assert!(
        err.to_string()
            .contains("options of question `c` exceeds the limit of 1000: 1001"),
        "{err}"
    );
    let roomy = SurveyLimits {
        options: 2000,
        ..SurveyLimits::default()
    };
    assert!(Survey::from_json_with(&json, &roomy).is_ok());

    let questions: Vec<String> = (0..501)
        .map(|i| format!(r#"{{"id": "q{i}", "kind": "nps", "text": "Q{i}"}}"#))
        .collect();
    let json = format!(
        r#"{{"id": "big", "title": "t", "questions": [{}]}}"#,
        questions.join(",")
    );
    let err = Survey::from_json(&json).unwrap_err();
    assert!(
        err.to_string()
            .contains("questions of survey `big` exceeds the limit of 500: 501"),
        "{err}"
    );

    let huge = format!(
        r#"{{"id": "s", "title": "{}", "questions": []}}"#,
        "x".repeat(2 << 20)
    );
    let err = Survey::from_json(&huge).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LimitExceeded);
    assert!(
        err.to_string()
            .starts_with("the survey definition's JSON text exceeds the limit of 1048576 bytes"),
        "{err}"
    );
}

#[test]
fn rejects_bad_options() {
    assert_rejected(
        &with_questions(r#"{"id": "c", "kind": "single_choice", "text": "x", "options": []}"#),
        Some("c"),
        "at least one option",
    );
    assert_rejected(
        &with_questions(
            r#"{"id": "c", "kind": "multi_choice", "text": "x", "options": [{"id": "a", "label": "A"}, {"id": "a", "label": "B"}]}"#,
        ),
        Some("c"),
        "option id `a` is used more than once",
    );
    assert_rejected(
        &with_questions(
            r#"{"id": "c", "kind": "single_choice", "text": "x", "options": [{"id": "", "label": "A"}]}"#,
        ),
        Some("c"),
        "empty id",
    );
    for m in [0, 3] {
        assert_rejected(
            &with_questions(&format!(
                r#"{{"id": "c", "kind": "multi_choice", "text": "x", "options": [{{"id": "a", "label": "A"}}, {{"id": "b", "label": "B"}}], "max_choices": {m}}}"#
            )),
            Some("c"),
            &format!("`max_choices` `{m}`"),
        );
    }
}

#[test]
fn rejects_bad_scales() {
    let cases = [
        (
            r#""kind": "rating", "min": 5, "max": 5"#,
            "minimum `5` must be less than the maximum `5`",
        ),
        (r#""kind": "rating", "min": 7, "max": 2"#, "minimum `7`"),
        (
            r#""kind": "rating", "min": -1, "max": 2"#,
            "minimum `-1` is outside 0..=100",
        ),
        (
            r#""kind": "rating", "min": 0, "max": 101"#,
            "maximum `101` is outside 0..=100",
        ),
        (
            r#""kind": "likert", "points": 1"#,
            "points `1` is outside 2..=11",
        ),
        (
            r#""kind": "likert", "points": 12"#,
            "points `12` is outside 2..=11",
        ),
        (r#""kind": "csat", "top": 5"#, "top box count `5`"),
        (r#""kind": "csat", "top": 0"#, "top box count `0`"),
        (
            r#""kind": "csat", "scale": {"max": 1}, "top": 1"#,
            "maximum `1` is outside 2..=11",
        ),
        (r#""kind": "text", "max_length": 0"#, "`max_length` `0`"),
    ];
    for (body, needle) in cases {
        assert_rejected(
            &with_questions(&format!(r#"{{"id": "q", "text": "x", {body}}}"#)),
            Some("q"),
            needle,
        );
    }
}

#[test]
fn typos_and_unknown_kinds_are_json_errors() {
    for bad in [
        r#"{"id": "q", "kind": "nps", "text": "x", "requird": true}"#,
        r#"{"id": "q", "kind": "csat", "text": "x", "scale": {"maxx": 5}}"#,
        r#"{"id": "q", "kind": "ces", "text": "x", "scale": "agreement9"}"#,
        r#"{"id": "q", "kind": "smiley", "text": "x"}"#,
        r#"{"id": "q", "text": "x"}"#,
        r#"{"id": "q", "kind": "rating", "text": "x", "min": 0}"#,
        r#"{"id": "q", "kind": "nps", "text": "x", "points": 5}"#,
    ] {
        let err = Survey::from_json(&with_questions(bad)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Json, "{bad}: {err}");
    }
    assert_eq!(
        Survey::from_json("not json").unwrap_err().kind(),
        ErrorKind::Json
    );
    assert_eq!(
        Survey::from_json(r#"{"id": "s", "questions": [], "extra": 1}"#)
            .unwrap_err()
            .kind(),
        ErrorKind::Json
    );
}

#[test]
fn validated_construction_matches_json() {
    let built = Survey::new(
        "post-contact",
        "How did we do?",
        vec![
            Question::new(
                "nps",
                "How likely are you to recommend us to a friend?",
                QuestionKind::Nps {},
            )
            .required(),
            Question::new(
                "csat",
                "How satisfied were you with this contact?",
                QuestionKind::Csat {
                    scale: Default::default(),
                    top: 2,
                },
            ),
            Question::new(
                "ces",
                "The company made it easy to handle my issue.",
                QuestionKind::Ces {
                    scale: CesScale::Agreement7,
                },
            ),
            Question::new(
                "reason",
                "What disappointed you most?",
                QuestionKind::SingleChoice {
                    options: vec![
                        ChoiceOption::new("wait", "Waiting time"),
                        ChoiceOption::new("price", "Price"),
                        ChoiceOption::new("staff", "Staff"),
                    ],
                },
            )
            .show_if(Condition::less_than("nps", 7.0)),
            Question::new(
                "comment",
                "Anything else?",
                QuestionKind::Text {
                    max_length: Some(2000),
                },
            ),
        ],
    )
    .unwrap();
    assert_eq!(built, example());
}

// ---------------------------------------------------------------------------------------
// Display logic
// ---------------------------------------------------------------------------------------

fn logic_survey(cond: Condition) -> Survey {
    Survey::new(
        "logic",
        "Logic",
        vec![
            Question::new("nps", "n", QuestionKind::Nps {}),
            Question::new(
                "topic",
                "t",
                QuestionKind::MultiChoice {
                    options: vec![
                        ChoiceOption::new("price", "P"),
                        ChoiceOption::new("speed", "S"),
                    ],
                    max_choices: None,
                },
            ),
            Question::new("why", "w", QuestionKind::Text { max_length: None }).show_if(cond),
        ],
    )
    .unwrap()
}

fn shows_why(cond: &Condition, a: &BTreeMap<String, Answer>) -> bool {
    logic_survey(cond.clone())
        .visible_questions(a)
        .contains(&"why")
}

#[test]
fn example_display_logic() {
    let s = example();
    assert_eq!(
        s.visible_questions(&answers(&[("nps", num(7.0))])),
        ["nps", "csat", "ces", "comment"]
    );
    assert_eq!(
        s.visible_questions(&answers(&[("nps", num(6.0))])),
        ["nps", "csat", "ces", "reason", "comment"]
    );
    // Unanswered: the comparison is false, so `reason` is hidden.
    assert_eq!(
        s.visible_questions(&BTreeMap::new()),
        ["nps", "csat", "ces", "comment"]
    );
    // A text answer to a numeric question does not compare.
    assert_eq!(
        s.visible_questions(&answers(&[("nps", text("3"))])),
        ["nps", "csat", "ces", "comment"]
    );
}

#[test]
fn comparisons_and_answered() {
    let a = answers(&[("nps", num(8.0)), ("topic", choices(&["price"]))]);
    assert!(shows_why(&Condition::greater_than("nps", 7.0), &a));
    assert!(!shows_why(&Condition::greater_than("nps", 8.0), &a));
    assert!(!shows_why(&Condition::less_than("nps", 8.0), &a));
    assert!(shows_why(&Condition::equals("nps", num(8.0)), &a));
    assert!(shows_why(
        &Condition::is_in("nps", vec![num(1.0), num(8.0)]),
        &a
    ));
    assert!(!shows_why(
        &Condition::is_in("nps", vec![num(1.0), num(9.0)]),
        &a
    ));
    assert!(shows_why(&Condition::equals("topic", text("price")), &a));
    assert!(!shows_why(&Condition::equals("topic", text("speed")), &a));
    assert!(shows_why(
        &Condition::equals("topic", choices(&["price"])),
        &a
    ));
    assert!(!shows_why(
        &Condition::equals("topic", choices(&["price", "speed"])),
        &a
    ));
    assert!(shows_why(
        &Condition::is_in("topic", vec![text("speed"), text("price")]),
        &a
    ));
    assert!(shows_why(&Condition::answered("topic", true), &a));
    assert!(!shows_why(&Condition::answered("topic", false), &a));
    // An empty list counts as no answer.
    let empty = answers(&[("nps", num(8.0)), ("topic", choices(&[]))]);
    assert!(shows_why(&Condition::answered("topic", false), &empty));
    assert!(!shows_why(
        &Condition::equals("topic", choices(&[])),
        &empty
    ));
}

#[test]
fn nested_all_any_not() {
    let detractor_or_price = Condition::any(vec![
        Condition::less_than("nps", 7.0),
        Condition::equals("topic", text("price")),
    ]);
    let cond = Condition::all(vec![
        Condition::answered("nps", true),
        detractor_or_price.clone(),
        Condition::not(Condition::equals("topic", text("speed"))),
    ]);
    let cases = [
        (answers(&[("nps", num(3.0))]), true),
        (answers(&[("nps", num(9.0))]), false),
        (
            answers(&[("nps", num(9.0)), ("topic", choices(&["price"]))]),
            true,
        ),
        (
            answers(&[("nps", num(9.0)), ("topic", choices(&["price", "speed"]))]),
            false,
        ),
        (answers(&[("topic", choices(&["price"]))]), false),
    ];
    for (a, want) in &cases {
        assert_eq!(shows_why(&cond, a), *want, "{a:?}");
    }
    // `not` of a comparison on an unanswered question holds.
    assert!(shows_why(
        &Condition::not(Condition::less_than("nps", 7.0)),
        &BTreeMap::new()
    ));
    // And the JSON form behaves the same.
    let json = serde_json::to_string(&cond).unwrap();
    let back: Condition = serde_json::from_str(&json).unwrap();
    assert_eq!(back, cond);
    assert!(
        json.contains(r#""all":["#) && json.contains(r#""any":["#) && json.contains(r#""not":{"#)
    );
}

#[test]
fn conditions_on_hidden_questions_are_false() {
    // q2 is shown only for detractors; q3 depends on q2's answer.
    let s = Survey::new(
        "chain",
        "Chain",
        vec![
            Question::new("q1", "1", QuestionKind::Nps {}),
            Question::new("q2", "2", QuestionKind::Nps {}).show_if(Condition::less_than("q1", 7.0)),
            Question::new("q3", "3", QuestionKind::Text { max_length: None })
                .show_if(Condition::less_than("q2", 5.0)),
            Question::new("q4", "4", QuestionKind::Text { max_length: None })
                .show_if(Condition::answered("q2", false)),
        ],
    )
    .unwrap();
    // q2 answered but hidden (q1 = 9): its answer is ignored.
    let a = answers(&[("q1", num(9.0)), ("q2", num(1.0))]);
    assert_eq!(s.visible_questions(&a), ["q1", "q4"]);
    let a = answers(&[("q1", num(2.0)), ("q2", num(1.0))]);
    assert_eq!(s.visible_questions(&a), ["q1", "q2", "q3"]);
}

// ---------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------

fn codes(s: &Survey, a: &BTreeMap<String, Answer>) -> Vec<(String, String)> {
    s.validate(a)
        .into_iter()
        .map(|p| (p.question, p.code))
        .collect()
}

fn one_problem(s: &Survey, a: &BTreeMap<String, Answer>) -> cem_core::AnswerProblem {
    let mut ps = s.validate(a);
    assert_eq!(ps.len(), 1, "{ps:?}");
    ps.remove(0)
}

#[test]
fn valid_answers_have_no_problems() {
    let s = example();
    let a = answers(&[
        ("nps", num(3.0)),
        ("csat", num(2.0)),
        ("ces", num(6.0)),
        ("reason", text("wait")),
        ("comment", text("forty minutes on hold")),
    ]);
    assert!(s.validate(&a).is_empty());
    assert!(s.check_answers(&a).is_ok());
}

#[test]
fn each_problem_code() {
    let s = example();
    let p = one_problem(&s, &BTreeMap::new());
    assert_eq!(
        (p.question.as_str(), p.code.as_str()),
        ("nps", "missing_required")
    );
    assert_eq!(
        p.message,
        "question `nps`: the question is required but not answered"
    );

    let p = one_problem(&s, &answers(&[("nps", num(9.0)), ("mood", text("ok"))]));
    assert_eq!(
        (p.question.as_str(), p.code.as_str()),
        ("mood", "unknown_question")
    );
    assert!(p.message.contains("`mood`"));

    let p = one_problem(&s, &answers(&[("nps", num(11.0))]));
    assert_eq!(p.code, "out_of_range");
    assert_eq!(p.message, "question `nps`: score `11` is outside 0..=10");

    let p = one_problem(&s, &answers(&[("nps", num(9.0)), ("csat", num(0.0))]));
    assert_eq!(
        (p.question.as_str(), p.code.as_str()),
        ("csat", "out_of_range")
    );
    assert!(
        p.message.contains("`0`") && p.message.contains("1..=5"),
        "{}",
        p.message
    );

    for bad in [7.5, f64::NAN, f64::INFINITY, -0.5] {
        let p = one_problem(&s, &answers(&[("nps", num(bad))]));
        assert_eq!(p.code, "wrong_type", "{bad}");
        assert!(
            p.message.starts_with("question `nps`: score `"),
            "{}",
            p.message
        );
    }

    let p = one_problem(&s, &answers(&[("nps", text("nine"))]));
    assert_eq!(p.code, "wrong_type");
    assert!(p.message.contains("`nine`"), "{}", p.message);

    let p = one_problem(&s, &answers(&[("nps", num(9.0)), ("reason", text("wait"))]));
    assert_eq!(
        (p.question.as_str(), p.code.as_str()),
        ("reason", "hidden_question")
    );
    assert!(p.message.contains("`wait`"));

    let p = one_problem(
        &s,
        &answers(&[("nps", num(2.0)), ("reason", text("parking"))]),
    );
    assert_eq!(
        (p.question.as_str(), p.code.as_str()),
        ("reason", "unknown_option")
    );
    assert!(p.message.contains("`parking`"));

    let p = one_problem(
        &s,
        &answers(&[("nps", num(2.0)), ("reason", choices(&["wait"]))]),
    );
    assert_eq!(p.code, "wrong_type");

    let long = "x".repeat(2001);
    let p = one_problem(&s, &answers(&[("nps", num(2.0)), ("comment", text(&long))]));
    assert_eq!(
        (p.question.as_str(), p.code.as_str()),
        ("comment", "too_long")
    );
    assert!(p.message.contains("2001") && p.message.contains("2000"));
    // Characters, not bytes.
    assert!(
        s.validate(&answers(&[
            ("nps", num(2.0)),
            ("comment", text(&"é".repeat(2000)))
        ]))
        .is_empty()
    );

    let m = Survey::new(
        "m",
        "m",
        vec![Question::new(
            "topic",
            "t",
            QuestionKind::MultiChoice {
                options: vec![
                    ChoiceOption::new("a", "A"),
                    ChoiceOption::new("b", "B"),
                    ChoiceOption::new("c", "C"),
                ],
                max_choices: Some(2),
            },
        )],
    )
    .unwrap();
    let p = one_problem(&m, &answers(&[("topic", choices(&["a", "b", "c"]))]));
    assert_eq!(p.code, "too_many_choices");
    assert!(p.message.contains("at most 2"));
    let p = one_problem(&m, &answers(&[("topic", choices(&["a", "a"]))]));
    assert_eq!(p.code, "duplicate_choice");
    let p = one_problem(&m, &answers(&[("topic", choices(&["a", "zz"]))]));
    assert_eq!(p.code, "unknown_option");
    assert!(p.message.contains("`zz`"));
    let p = one_problem(&m, &answers(&[("topic", text("a"))]));
    assert_eq!(p.code, "wrong_type");
}

#[test]
fn all_problems_are_reported_at_once() {
    let s = example();
    let a = answers(&[
        ("nps", num(9.0)),
        ("csat", text("good")),
        ("ces", num(8.0)),
        ("reason", text("wait")),
        ("zz", num(1.0)),
    ]);
    assert_eq!(
        codes(&s, &a),
        [
            ("csat".to_owned(), "wrong_type".to_owned()),
            ("ces".to_owned(), "out_of_range".to_owned()),
            ("reason".to_owned(), "hidden_question".to_owned()),
            ("zz".to_owned(), "unknown_question".to_owned()),
        ]
    );
    match s.check_answers(&a).unwrap_err() {
        Error::InvalidAnswers(ps) => assert_eq!(ps.len(), 4),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn required_only_when_visible() {
    let s = Survey::new(
        "r",
        "r",
        vec![
            Question::new("nps", "n", QuestionKind::Nps {}).required(),
            Question::new("why", "w", QuestionKind::Text { max_length: None })
                .required()
                .show_if(Condition::less_than("nps", 7.0)),
        ],
    )
    .unwrap();
    assert!(s.validate(&answers(&[("nps", num(9.0))])).is_empty());
    assert_eq!(
        codes(&s, &answers(&[("nps", num(3.0))])),
        [("why".to_owned(), "missing_required".to_owned())]
    );
    // A blank text does not satisfy `required`.
    assert_eq!(
        codes(&s, &answers(&[("nps", num(3.0)), ("why", text("  "))])),
        [("why".to_owned(), "missing_required".to_owned())]
    );
}

// ---------------------------------------------------------------------------------------
// Scoring
// ---------------------------------------------------------------------------------------

#[test]
fn scores_the_example_survey() {
    let s = example();
    let scored = s
        .score(&answers(&[
            ("nps", num(6.0)),
            ("csat", num(4.0)),
            ("ces", num(3.0)),
            ("reason", text("staff")),
            ("comment", text("rude")),
        ]))
        .unwrap();
    assert_eq!(scored.survey, "post-contact");
    let ids: Vec<&str> = scored.scores.iter().map(|q| q.question.as_str()).collect();
    assert_eq!(ids, ["nps", "csat", "ces", "reason", "comment"]);
    assert_eq!(
        scored.get("nps"),
        Some(&ScoreValue::Nps {
            score: 6,
            category: NpsCategory::Detractor
        })
    );
    assert_eq!(
        scored.get("csat"),
        Some(&ScoreValue::Csat {
            score: 4,
            max: 5,
            satisfied: true
        })
    );
    assert_eq!(
        scored.get("ces"),
        Some(&ScoreValue::Ces {
            score: 3,
            scale: CesScale::Agreement7,
            easy: false
        })
    );
    assert_eq!(
        scored.get("reason"),
        Some(&ScoreValue::SingleChoice {
            option: "staff".into()
        })
    );
    assert_eq!(
        scored.get("comment"),
        Some(&ScoreValue::Text {
            text: "rude".into()
        })
    );

    let json = serde_json::to_value(&scored).unwrap();
    assert_eq!(
        json["scores"][0],
        serde_json::json!({"question": "nps", "kind": "nps", "score": 6, "category": "detractor"})
    );
    let back: cem_core::survey::ScoredResponse = serde_json::from_value(json).unwrap();
    assert_eq!(back, scored);

    // Promoter: `reason` hidden, unanswered questions absent.
    let scored = s.score(&answers(&[("nps", num(10.0))])).unwrap();
    assert_eq!(scored.scores.len(), 1);
    assert_eq!(
        scored.get("nps"),
        Some(&ScoreValue::Nps {
            score: 10,
            category: NpsCategory::Promoter
        })
    );

    let err = s.score(&answers(&[("nps", num(10.5))])).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidAnswers);
    assert!(err.to_string().contains("question `nps`"));
}

#[test]
fn scores_other_kinds() {
    let s = Survey::from_json(&with_questions(
        r#"{"id": "c", "kind": "csat", "text": "x", "scale": {"max": 7}, "top": 3},
           {"id": "e", "kind": "ces", "text": "x", "scale": "legacy_effort5"},
           {"id": "l", "kind": "likert", "text": "x", "points": 7},
           {"id": "r", "kind": "rating", "text": "x", "min": 1, "max": 10},
           {"id": "m", "kind": "multi_choice", "text": "x", "options": [{"id": "a", "label": "A"}, {"id": "b", "label": "B"}]}"#,
    ))
    .unwrap();
    let scored = s
        .score(&answers(&[
            ("c", num(5.0)),
            ("e", num(2.0)),
            ("l", num(7.0)),
            ("r", num(1.0)),
            ("m", choices(&["b", "a"])),
        ]))
        .unwrap();
    assert_eq!(
        scored.get("c"),
        Some(&ScoreValue::Csat {
            score: 5,
            max: 7,
            satisfied: true
        })
    );
    assert_eq!(
        scored.get("e"),
        Some(&ScoreValue::Ces {
            score: 2,
            scale: CesScale::LegacyEffort5,
            easy: true
        })
    );
    assert_eq!(
        scored.get("l"),
        Some(&ScoreValue::Likert {
            score: 7,
            points: 7
        })
    );
    assert_eq!(
        scored.get("r"),
        Some(&ScoreValue::Rating {
            score: 1,
            min: 1,
            max: 10
        })
    );
    assert_eq!(
        scored.get("m"),
        Some(&ScoreValue::MultiChoice {
            options: vec!["b".into(), "a".into()]
        })
    );
    let s4 = s.score(&answers(&[("c", num(4.0))])).unwrap();
    assert_eq!(
        s4.get("c"),
        Some(&ScoreValue::Csat {
            score: 4,
            max: 7,
            satisfied: false
        })
    );
}

// ---------------------------------------------------------------------------------------
// Aggregates
// ---------------------------------------------------------------------------------------

fn responses() -> Vec<BTreeMap<String, Answer>> {
    vec![
        answers(&[("nps", num(10.0)), ("csat", num(5.0)), ("ces", num(7.0))]),
        answers(&[
            ("nps", num(9.0)),
            ("csat", num(4.0)),
            ("comment", text("fine")),
        ]),
        answers(&[
            ("nps", num(3.0)),
            ("csat", num(1.0)),
            ("ces", num(2.0)),
            ("reason", text("wait")),
        ]),
        answers(&[
            ("nps", num(6.0)),
            ("reason", text("price")),
            ("comment", text("too dear")),
        ]),
        answers(&[("nps", num(8.0)), ("ces", num(5.0))]),
    ]
}

#[test]
fn aggregate_feeds_the_metrics() {
    let s = example();
    let mut agg = SurveyAggregate::new(&s);
    for r in responses() {
        agg.push(&r).unwrap();
    }
    assert_eq!(agg.n(), 5);
    let mut nps = Nps::new();
    nps.push_many(&[10, 9, 3, 6, 8]).unwrap();
    assert_eq!(agg.nps("nps"), Some(&nps));
    assert_eq!(
        agg.nps("nps").unwrap().estimate(0.95).unwrap(),
        nps.estimate(0.95).unwrap()
    );
    assert_eq!(agg.csat("csat").unwrap().n(), 3);
    assert!((agg.csat("csat").unwrap().estimate(0.95).unwrap().value - 2.0 / 3.0).abs() < 1e-12);
    assert_eq!(
        agg.ces("ces").unwrap().agree(0.95).unwrap().value,
        2.0 / 3.0
    );
    let reason = agg.choices("reason").unwrap();
    assert_eq!(
        (
            reason.respondents(),
            reason.count("wait"),
            reason.count("price"),
            reason.count("staff")
        ),
        (2, Some(1), Some(1), Some(0))
    );
    assert_eq!(agg.question("comment").unwrap().n(), 2);
    assert_eq!(agg.mean("nps", 0.95).unwrap().value, 7.2);
    assert_eq!(
        agg.mean("ces", 0.95).unwrap(),
        agg.ces("ces").unwrap().estimate(0.95).unwrap()
    );

    // Invalid responses are rejected whole.
    let before = agg.clone();
    let err = agg
        .push(&answers(&[
            ("nps", num(2.0)),
            ("csat", num(4.0)),
            ("reason", text("parking")),
        ]))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidAnswers);
    assert!(agg.push_weighted(&responses()[0], f64::NAN).is_err());
    assert_eq!(agg, before);

    let summary = agg.summary(0.9).unwrap();
    assert_eq!(summary.n, 5);
    assert_eq!(summary.confidence, 0.9);
    match &summary.questions[0].detail {
        SummaryDetail::Nps {
            nps: Some(e),
            breakdown: Some(b),
            distribution,
        } => {
            assert_eq!(e.value, 0.0); // 2 promoters, 2 detractors of 5
            assert_eq!(b.passive_count, 1);
            assert_eq!(distribution.iter().map(|l| l.count).sum::<u64>(), 5);
        }
        other => panic!("unexpected {other:?}"),
    }
    match &summary.questions[3].detail {
        SummaryDetail::SingleChoice { options } => {
            assert_eq!(options.len(), 3);
            assert_eq!(options[0].share.unwrap().value, 0.5);
        }
        other => panic!("unexpected {other:?}"),
    }
    let json = serde_json::to_value(&summary).unwrap();
    assert_eq!(json["questions"][4]["kind"], "text");
    assert_eq!(json["questions"][4]["n"], 2);
}

#[test]
fn aggregate_likert_and_rating_means() {
    let s = Survey::from_json(&with_questions(
        r#"{"id": "l", "kind": "likert", "text": "x", "points": 7}, {"id": "r", "kind": "rating", "text": "x", "min": 0, "max": 100}"#,
    ))
    .unwrap();
    let mut agg = s.aggregate();
    for (l, r) in [(1.0, 10.0), (4.0, 50.0), (7.0, 90.0)] {
        agg.push(&answers(&[("l", num(l)), ("r", num(r))])).unwrap();
    }
    let mut mean = cem_core::metrics::Mean::new();
    mean.push_many(&[10.0, 50.0, 90.0]).unwrap();
    let want = mean.estimate(0.95).unwrap();
    let got = agg.mean("r", 0.95).unwrap();
    assert_eq!(got.value, 50.0);
    assert!((got.low - want.low).abs() < 1e-9 && (got.high - want.high).abs() < 1e-9);
    assert_eq!(agg.mean("l", 0.95).unwrap().value, 4.0);
    assert_eq!(agg.scale_counts("l").unwrap().count(4), 1);
    assert_eq!(
        agg.mean("nope", 0.95).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
}

#[test]
fn aggregate_serde_round_trip_and_tampering() {
    let s = example();
    let mut agg = s.aggregate();
    for r in responses() {
        agg.push(&r).unwrap();
    }
    let json = serde_json::to_string(&agg).unwrap();
    let back: SurveyAggregate = serde_json::from_str(&json).unwrap();
    assert_eq!(back, agg);
    // Accumulators that do not match the survey are refused.
    let mut v: serde_json::Value = serde_json::from_str(&json).unwrap();
    v["questions"][0]["question"] = "other".into();
    assert!(serde_json::from_value::<SurveyAggregate>(v).is_err());
    let mut v: serde_json::Value = serde_json::from_str(&json).unwrap();
    v["questions"].as_array_mut().unwrap().pop();
    assert!(serde_json::from_value::<SurveyAggregate>(v).is_err());
}

#[test]
fn merge_rejects_other_surveys() {
    let s = example();
    let other_id =
        Survey::from_json(&POST_CONTACT.replace("\"post-contact\"", "\"other\"")).unwrap();
    let other_scale = Survey::from_json(&POST_CONTACT.replace(
        r#""kind": "ces","#,
        r#""kind": "ces", "scale": "legacy_effort5","#,
    ))
    .unwrap();
    let fewer_options =
        Survey::from_json(&POST_CONTACT.replace(r#", {"id": "staff", "label": "Staff"}"#, ""))
            .unwrap();
    let mut agg = s.aggregate();
    agg.push(&responses()[0]).unwrap();
    let before = agg.clone();
    for other in [other_id, other_scale, fewer_options] {
        let err = agg.merge(&other.aggregate()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Incompatible, "{err}");
    }
    assert_eq!(agg, before);
    // Same structure, different wording: fine.
    let reworded =
        Survey::from_json(&POST_CONTACT.replace("Anything else?", "Any other remarks?")).unwrap();
    let mut r = reworded.aggregate();
    r.push(&responses()[1]).unwrap();
    agg.merge(&r).unwrap();
    assert_eq!(agg.n(), 2);
}

#[test]
fn merge_equals_one_pass() {
    let s = example();
    let rs = responses();
    let mut one = s.aggregate();
    for r in &rs {
        one.push(r).unwrap();
    }
    let (mut left, mut right) = (s.aggregate(), s.aggregate());
    for r in &rs[..2] {
        left.push(r).unwrap();
    }
    for r in &rs[2..] {
        right.push(r).unwrap();
    }
    let right: SurveyAggregate =
        serde_json::from_str(&serde_json::to_string(&right).unwrap()).unwrap();
    left.merge(&right).unwrap();
    assert_eq!(left, one);
    assert_eq!(left.summary(0.95).unwrap(), one.summary(0.95).unwrap());
}

// ---------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------

fn arb_json() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (-20i64..120).prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "[a-z_]{0,8}".prop_map(Value::String),
        prop::sample::select(vec![
            "nps",
            "csat",
            "ces",
            "likert",
            "rating",
            "single_choice",
            "multi_choice",
            "text",
            "id",
            "kind",
            "question",
            "less_than",
            "all",
            "any",
            "not",
            "options",
            "agreement7",
        ])
        .prop_map(|s| Value::String(s.to_owned())),
    ];
    leaf.prop_recursive(5, 64, 8, |inner| {
        let key = prop::sample::select(vec![
            "id",
            "title",
            "questions",
            "kind",
            "text",
            "required",
            "show_if",
            "question",
            "equals",
            "in",
            "less_than",
            "greater_than",
            "answered",
            "all",
            "any",
            "not",
            "options",
            "label",
            "max_choices",
            "max_length",
            "scale",
            "max",
            "min",
            "top",
            "points",
        ]);
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(key, inner, 0..8).prop_map(|m| Value::Object(
                m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
            )),
        ]
    })
}

/// The example survey with one value somewhere replaced by an arbitrary one.
fn mutated_example() -> impl Strategy<Value = serde_json::Value> {
    (any::<prop::sample::Index>(), arb_json()).prop_map(|(idx, replacement)| {
        let mut v: serde_json::Value = serde_json::from_str(POST_CONTACT).unwrap();
        let mut paths = Vec::new();
        collect_paths(&v, &mut Vec::new(), &mut paths);
        let path = &paths[idx.index(paths.len())];
        if let Some(slot) = v.pointer_mut(path) {
            *slot = replacement;
        }
        v
    })
}

fn collect_paths(v: &serde_json::Value, here: &mut Vec<String>, out: &mut Vec<String>) {
    out.push(here.iter().map(|p| format!("/{p}")).collect());
    match v {
        serde_json::Value::Object(m) => {
            for (k, c) in m {
                here.push(k.clone());
                collect_paths(c, here, out);
                here.pop();
            }
        }
        serde_json::Value::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                here.push(i.to_string());
                collect_paths(c, here, out);
                here.pop();
            }
        }
        _ => {}
    }
}

fn arb_answer() -> impl Strategy<Value = Answer> {
    let option =
        prop::sample::select(vec!["wait", "price", "staff", "zz", "", " "]).prop_map(str::to_owned);
    prop_oneof![
        (-2i32..13).prop_map(|x| Answer::Number(f64::from(x))),
        any::<f64>().prop_map(Answer::Number),
        option.clone().prop_map(Answer::Text),
        ".{0,20}".prop_map(Answer::Text),
        prop::collection::vec(option, 0..4).prop_map(Answer::Choices),
    ]
}

fn arb_answers() -> impl Strategy<Value = BTreeMap<String, Answer>> {
    let key = prop::sample::select(vec!["nps", "csat", "ces", "reason", "comment", "zz"])
        .prop_map(str::to_owned);
    prop::collection::btree_map(key, arb_answer(), 0..6)
}

/// A valid response to the example survey.
fn arb_valid_response() -> impl Strategy<Value = BTreeMap<String, Answer>> {
    (
        0u8..=10,
        prop::option::of(1u8..=5),
        prop::option::of(1u8..=7),
        prop::option::of(prop::sample::select(vec!["wait", "price", "staff"])),
        prop::option::of("[a-z ]{1,12}"),
    )
        .prop_map(|(nps, csat, ces, reason, comment)| {
            let mut a = BTreeMap::new();
            a.insert("nps".to_owned(), num(f64::from(nps)));
            if let Some(c) = csat {
                a.insert("csat".to_owned(), num(f64::from(c)));
            }
            if let Some(c) = ces {
                a.insert("ces".to_owned(), num(f64::from(c)));
            }
            if let (Some(r), true) = (reason, nps < 7) {
                a.insert("reason".to_owned(), text(r));
            }
            if let Some(c) = comment.filter(|c| !c.trim().is_empty()) {
                a.insert("comment".to_owned(), Answer::Text(c));
            }
            a
        })
}

fn aggregate_of(s: &Survey, rs: &[BTreeMap<String, Answer>]) -> SurveyAggregate {
    let mut agg = s.aggregate();
    for r in rs {
        agg.push(r).unwrap();
    }
    agg
}

proptest! {
    #[test]
    fn parsing_arbitrary_text_never_panics(s in ".{0,200}") {
        let r = Survey::from_json(&s);
        if let Err(e) = r {
            prop_assert!(matches!(e.kind(), ErrorKind::Json | ErrorKind::InvalidSurvey));
        }
    }

    #[test]
    fn parsing_arbitrary_json_never_panics(v in arb_json()) {
        let json = v.to_string();
        if let Ok(s) = Survey::from_json(&json) {
            prop_assert_eq!(Survey::from_json(&s.to_json().unwrap()).unwrap(), s);
        }
    }

    #[test]
    fn parsing_mutated_example_never_panics(v in mutated_example()) {
        match Survey::from_json(&v.to_string()) {
            // Whatever parses round-trips and can be used.
            Ok(s) => {
                prop_assert_eq!(Survey::from_json(&s.to_json().unwrap()).unwrap(), s.clone());
                let _ = s.validate(&BTreeMap::new());
            }
            Err(e) => prop_assert!(matches!(e.kind(), ErrorKind::Json | ErrorKind::InvalidSurvey), "{e}"),
        }
    }

    #[test]
    fn validate_and_score_agree_and_never_panic(a in arb_answers()) {
        let s = example();
        let problems = s.validate(&a);
        for p in &problems {
            prop_assert!(p.message.starts_with(&format!("question `{}`: ", p.question)), "{}", p.message);
        }
        let scored = s.score(&a);
        prop_assert_eq!(problems.is_empty(), scored.is_ok());
        let mut agg = s.aggregate();
        prop_assert_eq!(agg.push(&a).is_ok(), problems.is_empty());
        prop_assert_eq!(agg.n(), u64::from(problems.is_empty()));
        let visible = s.visible_questions(&a);
        if let Ok(scored) = scored {
            for q in &scored.scores {
                prop_assert!(visible.contains(&q.question.as_str()));
            }
        }
    }

    #[test]
    fn merge_is_associative_commutative_and_one_pass(
        a in prop::collection::vec(arb_valid_response(), 0..8),
        b in prop::collection::vec(arb_valid_response(), 0..8),
        c in prop::collection::vec(arb_valid_response(), 0..8),
    ) {
        let s = example();
        let (aa, ab, ac) = (aggregate_of(&s, &a), aggregate_of(&s, &b), aggregate_of(&s, &c));
        let all: Vec<_> = a.iter().chain(&b).chain(&c).cloned().collect();
        let one = aggregate_of(&s, &all);

        let mut left = aa.clone();          // (a + b) + c
        left.merge(&ab).unwrap();
        left.merge(&ac).unwrap();
        let mut bc = ab.clone();            // a + (b + c)
        bc.merge(&ac).unwrap();
        let mut right = aa.clone();
        right.merge(&bc).unwrap();
        let mut swapped = ac.clone();       // c + b + a
        swapped.merge(&ab).unwrap();
        swapped.merge(&aa).unwrap();

        prop_assert_eq!(&left, &one);
        prop_assert_eq!(&right, &one);
        prop_assert_eq!(&swapped, &one);
        prop_assert_eq!(left.summary(0.95).unwrap(), one.summary(0.95).unwrap());
        prop_assert_eq!(swapped.summary(0.95).unwrap(), one.summary(0.95).unwrap());
    }
}
