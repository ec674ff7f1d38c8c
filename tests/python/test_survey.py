"""cem.survey: definitions, validation, scoring and aggregates. Expected values are written
out from the survey's rules or computed independently (numpy, statsmodels, Counter)."""

import json
import math
import pickle
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from statsmodels.stats.proportion import proportion_confint

import cem
from cem.survey import AnswerProblem, Survey, SurveyAggregate

POST_CONTACT = (Path(__file__).parents[1] / "data" / "surveys" / "post_contact.json").read_text()


@pytest.fixture
def survey() -> Survey:
    return Survey.from_json(POST_CONTACT)


def test_definition_round_trips(survey):
    assert (survey.id, survey.title) == ("post-contact", "How did we do?")
    questions = survey.questions
    assert [q["id"] for q in questions] == ["nps", "csat", "ces", "reason", "comment"]
    assert [q["kind"] for q in questions] == ["nps", "csat", "ces", "single_choice", "text"]
    assert [o["id"] for o in questions[3]["options"]] == ["wait", "price", "staff"]
    again = Survey.from_json(survey.to_json())
    assert again == survey and Survey(POST_CONTACT) == survey
    assert pickle.loads(pickle.dumps(survey)) == survey
    assert json.loads(survey.to_json())["id"] == "post-contact"


def test_display_logic(survey):
    assert survey.visible_questions({"nps": 9}) == ["nps", "csat", "ces", "comment"]
    assert survey.visible_questions({"nps": 6}) == ["nps", "csat", "ces", "reason", "comment"]
    assert survey.visible_questions({"nps": 7.0}) == ["nps", "csat", "ces", "comment"]


def test_validate_lists_every_problem(survey):
    assert survey.validate({"nps": 10, "csat": 4, "ces": 7, "comment": "fine"}) == []
    problems = survey.validate({"nps": 11, "csat": 2.5, "colour": "red", "reason": "wait"})
    # an out-of-range NPS cannot satisfy `less_than 7`, so `reason` stays hidden
    assert [(p.question, p.code) for p in problems] == [
        ("nps", "out_of_range"),
        ("csat", "wrong_type"),
        ("reason", "hidden_question"),
        ("colour", "unknown_question"),
    ]
    assert all(isinstance(p, AnswerProblem) and p.question in p.message for p in problems)
    assert [p.code for p in survey.validate({})] == ["missing_required"]
    assert [p.code for p in survey.validate({"nps": 3, "reason": "weather"})] == ["unknown_option"]
    assert [p.code for p in survey.validate({"nps": 10, "reason": "wait"})] == ["hidden_question"]
    assert [p.code for p in survey.validate({"nps": math.nan})] == ["wrong_type"]
    assert [p.code for p in survey.validate({"nps": math.inf})] == ["wrong_type"]
    assert [p.code for p in survey.validate({"nps": 3, "reason": ["wait", "price"]})] == ["wrong_type"]
    assert [p.code for p in survey.validate({"nps": 10, "comment": "x" * 2001})] == ["too_long"]
    # None counts as not answered; numpy scalars are numbers
    assert survey.validate({"nps": np.int64(9), "csat": np.float64(4.0), "reason": None}) == []


def test_check_raises_with_problems(survey):
    survey.check({"nps": 8})
    with pytest.raises(cem.InvalidAnswersError) as info:
        survey.check({"nps": 12, "bogus": 1})
    err = info.value
    assert isinstance(err, ValueError) and err.code == "invalid_answers"
    assert sorted(p.code for p in err.problems) == ["out_of_range", "unknown_question"]
    again = pickle.loads(pickle.dumps(err))
    assert type(again) is cem.InvalidAnswersError and again.problems == err.problems
    assert cem.InvalidAnswersError.problems == ()


def test_score(survey):
    scored = survey.score({"nps": 6, "csat": 4, "ces": 5, "reason": "wait", "comment": "slow"})
    assert scored["survey"] == "post-contact"
    by_question = {s["question"]: s for s in scored["scores"]}
    assert by_question["nps"] == {"question": "nps", "kind": "nps", "score": 6, "category": "detractor"}
    assert by_question["csat"]["satisfied"] is True and by_question["csat"]["max"] == 5
    assert by_question["ces"]["easy"] is True and by_question["ces"]["scale"] == "agreement7"
    assert by_question["reason"]["option"] == "wait"
    assert by_question["comment"]["text"] == "slow"
    with pytest.raises(cem.InvalidAnswersError):
        survey.score({"nps": -1})


def test_aggregate_summary_matches_independent_computation(survey, rng):
    n = 400
    nps = rng.integers(0, 11, n)
    csat = rng.integers(1, 6, n)
    weights = rng.uniform(0.5, 2.0, n)
    reasons = rng.choice(["wait", "price", "staff"], n)
    parts = [SurveyAggregate(survey) for _ in range(3)]
    for i in range(n):
        answers = {"nps": int(nps[i]), "csat": int(csat[i])}
        if nps[i] < 7:
            answers["reason"] = str(reasons[i])
        parts[i % 3].push(answers, weight=float(weights[i]))
    total = parts[0]
    total.merge(pickle.loads(pickle.dumps(parts[1])))
    total.merge(SurveyAggregate.from_json(parts[2].to_json()))
    assert total.n == n and total.total_weight == pytest.approx(weights.sum())
    summary = total.summary()
    assert summary["n"] == n and summary["confidence"] == 0.95
    q = {s["question"]: s for s in summary["questions"]}

    expected_nps = 100 * (weights[nps >= 9].sum() - weights[nps <= 6].sum()) / weights.sum()
    assert q["nps"]["nps"]["value"] == pytest.approx(expected_nps, rel=1e-12)
    assert q["nps"]["nps"]["n_eff"] == pytest.approx(weights.sum() ** 2 / (weights**2).sum())
    assert [d["count"] for d in q["nps"]["distribution"]] == np.bincount(nps, minlength=11).tolist()

    # unit weights: the CSAT interval is statsmodels' Wilson interval
    plain = SurveyAggregate(survey)
    for i in range(n):
        plain.push({"nps": int(nps[i]), "csat": int(csat[i])})
    c = {s["question"]: s for s in plain.summary(confidence=0.9)["questions"]}["csat"]["csat"]
    low, high = proportion_confint((csat >= 4).sum(), n, alpha=0.1, method="wilson")
    assert (c["value"], c["low"], c["high"]) == pytest.approx(((csat >= 4).mean(), low, high), rel=1e-12)

    counts = Counter(reasons[nps < 7].tolist())
    assert {o["option"]: o["count"] for o in q["reason"]["options"]} == {k: counts[k] for k in ["wait", "price", "staff"]}


def test_aggregate_rejects_bad_input_and_adds_nothing(survey):
    agg = SurveyAggregate(survey)
    agg.push({"nps": 9})
    with pytest.raises(cem.InvalidAnswersError):
        agg.push({"nps": 11})
    with pytest.raises(cem.InvalidNumberError):
        agg.push({"nps": 9}, weight=-1.0)
    with pytest.raises(cem.InvalidNumberError):
        agg.push({"nps": 9}, weight=math.nan)
    with pytest.raises(TypeError, match="`weight`"):
        agg.push({"nps": 9}, weight="heavy")
    assert agg.n == 1
    other = SurveyAggregate(Survey('{"id": "x", "questions": [{"id": "q", "kind": "nps", "text": "?"}]}'))
    with pytest.raises(cem.IncompatibleError):
        agg.merge(other)
    with pytest.raises(cem.JsonError):
        SurveyAggregate.from_json('{"survey": 1}')
    with pytest.raises(TypeError, match="`text`"):
        SurveyAggregate.from_json(None)
    assert repr(agg) == "SurveyAggregate(survey='post-contact', n=1)"


@pytest.mark.parametrize(
    ("answers", "match"),
    [
        (None, "`answers`"),
        ([("nps", 9)], "`answers`"),
        ({1: 9}, "question ids"),
        ({"nps": True}, "`nps`"),
        ({"nps": {"value": 9}}, "`nps`"),
        ({"reason": [1, 2]}, "`reason`"),
    ],
)
def test_hostile_answers_raise_type_errors(survey, answers, match):
    for call in (survey.validate, survey.check, survey.score, survey.visible_questions, SurveyAggregate(survey).push):
        with pytest.raises(TypeError, match=match):
            call(answers)


def test_malformed_definitions():
    with pytest.raises(cem.JsonError):
        Survey.from_json("not json")
    with pytest.raises(cem.JsonError):
        Survey.from_json('{"title": "no id"}')
    with pytest.raises(cem.InvalidSurveyError):
        Survey.from_json('{"id": "s", "questions": [{"id": "a", "kind": "nps", "text": "?"}, {"id": "a", "kind": "nps", "text": "?"}]}')
    with pytest.raises(TypeError, match="`text`"):
        Survey.from_json(None)
    with pytest.raises(TypeError, match="`definition`"):
        Survey(42)
