"""Surveys: questionnaire definitions, validation and scoring of answers, aggregates.

A :class:`Survey` is read from JSON; answers are a dict ``{question_id: answer}``
(numbers for scale questions, option ids for choices, text). :meth:`Survey.validate` lists
every problem, :meth:`Survey.check` raises :class:`cem.InvalidAnswersError` carrying them
as ``.problems``, :meth:`Survey.score` scores a response, and :class:`SurveyAggregate`
accumulates responses per question, merges exactly and pickles.

Examples
--------
>>> import cem
>>> s = cem.survey.Survey.from_json('''{"id": "pulse", "title": "Pulse", "questions": [
...   {"id": "nps", "kind": "nps", "text": "Recommend us?", "required": true},
...   {"id": "ces", "kind": "ces", "text": "It was easy to get help."}]}''')
>>> [q["id"] for q in s.questions]
['nps', 'ces']
>>> agg = cem.survey.SurveyAggregate(s)
>>> for answers in [{"nps": 10, "ces": 6}, {"nps": 9}, {"nps": 2, "ces": 2}]:
...     agg.push(answers)
>>> agg.n
3
>>> try:
...     agg.push({"nps": 12})
... except cem.InvalidAnswersError as err:
...     print(err.problems[0].code, "|", err.problems[0].question)
out_of_range | nps

Orchestration: an :class:`Orchestrator` decides for each interaction whether the customer
gets a survey now (trigger rules with sampling, quarantine, frequency caps, exclusions and
priority) and says why not; :func:`simulate` replays a log through a rule set;
:func:`response_rates`, :func:`dropoff` and :func:`nonresponse` measure who answers.
"""

from cem._cem import AnswerProblem, InvalidAnswersError, Survey, SurveyAggregate
from cem._orchestrate import (
    Dropoff,
    NonResponse,
    Orchestrator,
    RuleWarning,
    Simulation,
    dropoff,
    nonresponse,
    response_rates,
    simulate,
)

__all__ = [
    "AnswerProblem",
    "Dropoff",
    "InvalidAnswersError",
    "NonResponse",
    "Orchestrator",
    "RuleWarning",
    "Simulation",
    "Survey",
    "SurveyAggregate",
    "dropoff",
    "nonresponse",
    "response_rates",
    "simulate",
]
