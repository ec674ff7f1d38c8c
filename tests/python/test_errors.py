"""Errors: one class per core error kind, under cem.CemError; input errors are ValueErrors."""

import math
import pickle

import pytest

import cem

VALIDATION = [
    cem.OutOfRangeError, cem.InvalidNumberError, cem.EmptyError, cem.LengthMismatchError,
    cem.IncompatibleError, cem.InvalidArgumentError, cem.InvalidSurveyError,
    cem.InvalidAnswersError, cem.JsonError, cem.InvalidStateError, cem.LimitExceededError,
    cem.InvalidRuleError, cem.IllegalTransitionError, cem.OutOfOrderError,
]
OTHER = [cem.NotConvergedError, cem.UndefinedError]


def test_hierarchy():
    for cls in VALIDATION:
        assert issubclass(cls, cem.CemError) and issubclass(cls, ValueError), cls
        assert cls.__module__ == "cem"
    for cls in OTHER:
        assert issubclass(cls, cem.CemError) and not issubclass(cls, ValueError), cls
    codes = [cls.code for cls in VALIDATION + OTHER]
    assert len(set(codes)) == len(codes)
    assert cem.OutOfRangeError.code == "out_of_range"


def test_out_of_range_score_names_the_value():
    with pytest.raises(cem.OutOfRangeError) as info:
        cem.nps([10, 9, 11])
    err = info.value
    assert isinstance(err, ValueError) and isinstance(err, cem.CemError)
    assert "`11`" in str(err) and "position 2" in str(err)
    assert err.code == "out_of_range"
    with pytest.raises(ValueError, match="`300`"):
        cem.nps([300])
    with pytest.raises(cem.OutOfRangeError, match="`0`"):
        cem.csat([0, 5])


@pytest.mark.parametrize("metric", [cem.nps, cem.csat, cem.ces, cem.ces_agree, cem.net_satisfaction, cem.mean, cem.proportion])
def test_empty_input_raises(metric):
    with pytest.raises(cem.EmptyError):
        metric([])


def test_nan_and_negative_weights_raise():
    with pytest.raises(cem.InvalidNumberError, match="NaN"):
        cem.nps([9, 10], [1.0, math.nan])
    with pytest.raises(cem.InvalidNumberError, match="negative"):
        cem.csat([4], [-1.0])
    with pytest.raises(cem.InvalidNumberError):
        cem.proportion([True], [math.inf])
    with pytest.raises(cem.InvalidNumberError):
        cem.mean([1.0, math.nan])


@pytest.mark.parametrize("confidence", [1.5, 1.0, 0.0, -0.1, math.nan])
def test_bad_confidence_raises(confidence):
    with pytest.raises(cem.OutOfRangeError, match="confidence"):
        cem.nps([10, 3], confidence=confidence)


def test_other_argument_errors():
    with pytest.raises(cem.LengthMismatchError):
        cem.nps([1, 2], [1.0])
    with pytest.raises(cem.LengthMismatchError):
        cem.proportion([True, False], [1.0])
    with pytest.raises(cem.InvalidArgumentError, match="bootstrap"):
        cem.nps([1], method="bootstrap")
    with pytest.raises(cem.InvalidArgumentError):
        cem.nps([1], method="wilson")  # not an NPS method
    with pytest.raises(cem.InvalidArgumentError):
        cem.csat([1], max=5, top=5)
    with pytest.raises(cem.InvalidArgumentError):
        cem.ces([1], scale="eleven")
    with pytest.raises(cem.InvalidNumberError):
        cem.nps([9.5])
    with pytest.raises(TypeError):
        cem.nps(["ten"])


def test_undefined_is_not_a_value_error():
    with pytest.raises(cem.UndefinedError) as info:
        cem.mean([4.2])
    assert not isinstance(info.value, ValueError)


def test_hostile_json_raises_json_error_and_forged_state_invalid_state_error():
    with pytest.raises(cem.JsonError):
        cem.metrics.Nps.from_json("nope")
    forged = [
        '{"counts":{"min":0,"max":10,"count":[1],"weight":[1],"weight_sq":[1]}}',
        '{"counts":{"min":0,"max":0,"count":[1],"weight":[1],"weight_sq":[1]}}',
        '{"counts":{"min":0,"max":10,"count":[0,0,0,0,0,0,0,0,0,0,1],"weight":[0,0,0,0,0,0,0,0,0,0,-1],"weight_sq":[0,0,0,0,0,0,0,0,0,0,1]}}',
    ]
    for text in forged:
        with pytest.raises(cem.InvalidStateError):
            cem.metrics.Nps.from_json(text)
    with pytest.raises(cem.InvalidStateError, match="top"):
        cem.metrics.Csat.from_json('{"top":9,"counts":{"min":1,"max":5,"count":[0,0,0,0,0],"weight":[0,0,0,0,0],"weight_sq":[0,0,0,0,0]}}')


def test_incompatible_merge():
    a, b = cem.metrics.Csat(top=2), cem.metrics.Csat(top=1)
    with pytest.raises(cem.IncompatibleError):
        a.merge(b)


def test_errors_pickle():
    try:
        cem.nps([11])
    except cem.CemError as err:
        again = pickle.loads(pickle.dumps(err))
        assert type(again) is cem.OutOfRangeError and str(again) == str(err)


def test_failed_push_many_adds_nothing():
    acc = cem.metrics.Nps()
    acc.push_many([10, 9])
    with pytest.raises(cem.OutOfRangeError):
        acc.push_many([10, 12])
    with pytest.raises(cem.InvalidNumberError):
        acc.push_many([10, 10], [1.0, -2.0])
    assert acc.n == 2


def test_accumulator_bytes_round_trip_and_reject_garbage() -> None:
    import cem

    acc = cem.metrics.Nps()
    acc.push_many([10, 9, 3, 8])
    data = acc.to_bytes()
    assert data == acc.to_json().encode()
    back = cem.metrics.Nps.from_bytes(data)
    assert back == acc and back.estimate() == acc.estimate()
    import pytest

    with pytest.raises(cem.JsonError):
        cem.metrics.Nps.from_bytes(b"\xff\xfe")
    with pytest.raises(cem.CemError):
        cem.metrics.Nps.from_bytes(b'{"counts": {"min": 0, "max": 10, "count": [1]}}')
