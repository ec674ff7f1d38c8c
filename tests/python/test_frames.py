"""cem.metrics.by on every frame type against independent pandas/numpy computations, the
output-type rules, and bad input (clear errors, never a panic)."""

from statistics import NormalDist

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
import scipy.stats
from statsmodels.stats.proportion import proportion_confint

import cem
from cem import metrics

Z95 = NormalDist().inv_cdf(0.975)
N = 4_000
T0, T1 = 1_672_531_200, 1_735_689_600  # 2023-01-01 .. 2025-01-01 UTC


def base(rng, n=N, lo=0, hi=10):
    return pd.DataFrame(
        {
            "score": rng.integers(lo, hi + 1, n),
            "segment": rng.choice(["east", "north", "south", "west"], n),
            "ts": pd.to_datetime(rng.integers(T0, T1, n), unit="s"),
            "w": rng.uniform(0.2, 3.0, n),
        }
    )


# ------------------------------------------------------------------ independent references


def period_start(ts: pd.Series, period):
    day = ts.dt.floor("D")
    if period == "day":
        return day.dt.date
    if period == "week":
        return (day - pd.to_timedelta(day.dt.day_of_week, unit="D")).dt.date
    freq = {"month": "M", "quarter": "Q"}[period]
    return ts.dt.to_period(freq).dt.start_time.dt.date


def ref_nps(df, keys):
    """NPS = %P - %D in points; adjusted Wald: n' = n + 3, p' = (P + 0.75)/n', d' likewise."""
    g = df.assign(P=df.score >= 9, D=df.score <= 6).groupby(keys, sort=True)
    n, P, D = g.size().astype(float), g.P.sum(), g.D.sum()
    n2 = n + 3
    p, d = (P + 0.75) / n2, (D + 0.75) / n2
    se = np.sqrt((p + d - (p - d) ** 2) / n2)
    return pd.DataFrame(
        {
            "value": 100 * (P - D) / n,
            "low": np.clip(100 * (p - d - Z95 * se), -100, 100),
            "high": np.clip(100 * (p - d + Z95 * se), -100, 100),
            "n": n,
        }
    ).reset_index()


def with_period(df, period, offset=0):
    ts = df.ts + pd.Timedelta(seconds=offset)
    return df.assign(period_start=period_start(ts, period))


def as_pandas(out):
    if isinstance(out, pa.Table):
        return out.to_pandas()
    if isinstance(out, pl.DataFrame):
        return out.to_pandas()
    return out


def check(out, ref, keys):
    out = as_pandas(out)
    assert list(out.columns) == [*keys, "value", "low", "high", "n", "n_eff"]
    assert len(out) == len(ref)
    for k in keys:
        if k == "period_start":  # polars' to_pandas gives datetime64 for dates
            assert [str(x)[:10] for x in out[k]] == [str(x) for x in ref[k]], k
        else:
            assert [str(x) for x in out[k]] == [str(x) for x in ref[k]], k
    assert out["n"].tolist() == ref["n"].astype(int).tolist()
    assert out["n_eff"].tolist() == ref["n"].tolist()  # unweighted: n_eff = n
    for c in ("value", "low", "high"):
        np.testing.assert_allclose(out[c].to_numpy(float), ref[c].to_numpy(float), rtol=1e-12, atol=1e-11, err_msg=c)


# ------------------------------------------------------------------ every input type

INPUTS = {
    "pandas-numpy": lambda df: df,
    "pandas-uint8-categorical": lambda df: df.assign(
        score=df.score.astype(np.uint8), segment=df.segment.astype("category"), ts=df.ts.astype("datetime64[s]")
    ),
    "pandas-nullable-tz": lambda df: df.assign(
        score=df.score.astype("Int64"), segment=df.segment.astype("string"), ts=df.ts.dt.tz_localize("UTC")
    ),
    "pandas-arrow-dtypes": lambda df: df.assign(
        score=df.score.astype("uint8[pyarrow]"), segment=df.segment.astype("string[pyarrow]")
    ),
    "polars": lambda df: pl.from_pandas(df),
    "polars-uint8-categorical": lambda df: pl.from_pandas(df).with_columns(
        pl.col("score").cast(pl.UInt8), pl.col("segment").cast(pl.Categorical), pl.col("ts").cast(pl.Datetime("ms"))
    ),
    "polars-enum": lambda df: pl.from_pandas(df).with_columns(
        pl.col("segment").cast(pl.Enum(["east", "north", "south", "west"]))
    ),
    "pyarrow": lambda df: pa.Table.from_pandas(df, preserve_index=False),
    "pyarrow-dictionary-chunked": lambda df: pa.concat_tables(
        [
            pa.table(
                {
                    "score": pa.array(part.score.to_numpy(np.uint8)),
                    "segment": pa.array(part.segment).dictionary_encode(),
                    "ts": pa.array(part.ts.to_numpy("datetime64[ms]")),
                    "w": pa.array(part.w.to_numpy()),
                }
            )
            for part in (df.iloc[:1000], df.iloc[1000:2500], df.iloc[2500:])
        ]
    ).unify_dictionaries(),
}


@pytest.mark.parametrize("make", INPUTS.values(), ids=INPUTS.keys())
@pytest.mark.parametrize("period", [None, "day", "week", "month", "quarter"])
def test_nps_by_matches_reference(rng, make, period):
    df = base(rng)
    keys = ["segment"] + ([] if period is None else ["period_start"])
    ref = ref_nps(with_period(df, period) if period else df, keys)
    out = metrics.by(make(df), by="segment", period=period)
    check(out, ref, keys)


@pytest.mark.parametrize("make", INPUTS.values(), ids=INPUTS.keys())
def test_two_group_columns_and_utc_offset(rng, make):
    df = base(rng).assign(channel=lambda d: rng.integers(0, 3, len(d)).astype(np.int64))
    offset = -5 * 3600
    ref = ref_nps(with_period(df, "month", offset), ["segment", "channel", "period_start"])
    frame = make(df.drop(columns="channel"))
    frame = (
        frame.assign(channel=df.channel.to_numpy())
        if isinstance(frame, pd.DataFrame)
        else frame.with_columns(pl.Series("channel", df.channel.to_numpy()))
        if isinstance(frame, pl.DataFrame)
        else frame.append_column("channel", pa.array(df.channel.to_numpy()))
    )
    out = metrics.by(frame, by=["segment", "channel"], period="month", utc_offset=offset)
    check(out, ref, ["segment", "channel", "period_start"])


def test_integer_labels_negative_and_wide(rng):
    df = base(rng).assign(store=lambda d: rng.choice([-7, 3, 5_000_000_000], len(d)))
    ref = ref_nps(df, ["store"])
    check(metrics.by(df, by="store"), ref, ["store"])
    check(metrics.by(pl.from_pandas(df), by="store"), ref, ["store"])


def test_no_group_columns_is_one_row_per_period(rng):
    df = base(rng)
    ref = ref_nps(with_period(df, "quarter"), ["period_start"])
    check(metrics.by(df, by=[], period="quarter"), ref, ["period_start"])


def test_integer_seconds_and_milliseconds(rng):
    df = base(rng)
    secs = df.assign(ts=df.ts.to_numpy("datetime64[s]").astype(np.int64))
    ref = ref_nps(with_period(df, "week"), ["segment", "period_start"])
    check(metrics.by(secs, period="week"), ref, ["segment", "period_start"])
    ms = secs.assign(ts=secs.ts * 1000)
    check(metrics.by(ms, period="week", time_unit="ms"), ref, ["segment", "period_start"])


def test_csat_against_statsmodels_wilson(rng):
    df = base(rng, lo=1, hi=5)
    out = metrics.by(df, metric="csat")
    for _, row in out.iterrows():
        s = df.score[df.segment == row.segment]
        low, high = proportion_confint((s >= 4).sum(), len(s), alpha=0.05, method="wilson")
        assert row.value == pytest.approx((s >= 4).mean(), rel=1e-12)
        assert (row.low, row.high) == pytest.approx((low, high), rel=1e-10)


def test_ces_against_scipy_t(rng):
    df = base(rng, lo=1, hi=7)
    out = metrics.by(pl.from_pandas(df), metric="ces")
    for row in out.iter_rows(named=True):
        s = df.score[df.segment == row["segment"]].to_numpy(float)
        low, high = scipy.stats.t.interval(0.95, len(s) - 1, loc=s.mean(), scale=s.std(ddof=1) / np.sqrt(len(s)))
        assert row["value"] == pytest.approx(s.mean(), rel=1e-12)
        assert (row["low"], row["high"]) == pytest.approx((low, high), rel=1e-10)


def test_net_satisfaction_and_weights_agree_with_the_single_metrics(rng):
    df = base(rng, lo=1, hi=5)
    out = metrics.by(df, metric="net_satisfaction", weights="w", method="wald")
    for _, row in out.iterrows():
        part = df[df.segment == row.segment]
        single = cem.net_satisfaction(part.score, part.w, method="wald")
        assert (row.value, row.low, row.high) == pytest.approx((single.value, single.low, single.high), rel=1e-12)
        w = part.w.to_numpy()
        assert row.n_eff == pytest.approx(w.sum() ** 2 / (w**2).sum(), rel=1e-12)  # Kish


def test_undefined_cells_are_missing_not_nan():
    df = pd.DataFrame({"score": [5, 6, 7], "segment": ["a", "a", "b"]})
    out = metrics.by(df, metric="ces")
    assert out["value"].dtype == "Float64" and out["value"].isna().tolist() == [False, True]
    assert out["n"].tolist() == [2, 1]
    arrow = metrics.by(df, metric="ces", output="pyarrow")
    assert arrow.column("value").null_count == 1 and not np.isnan(arrow.column("value").to_numpy(zero_copy_only=False)[0])


# ------------------------------------------------------------------ output types


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (lambda df: df, pd.DataFrame),
        (pl.from_pandas, pl.DataFrame),
        (lambda df: pa.Table.from_pandas(df, preserve_index=False), pa.Table),
    ],
    ids=["pandas", "polars", "pyarrow"],
)
def test_output_follows_input_unless_overridden(rng, make, kind):
    frame = make(base(rng, n=200))
    assert type(metrics.by(frame)) is kind
    assert type(metrics.by(frame, output="pandas")) is pd.DataFrame
    assert type(metrics.by(frame, output="polars")) is pl.DataFrame
    assert type(metrics.by(frame, output="pyarrow")) is pa.Table
    out = metrics.by(frame, period="month", output="pyarrow")
    assert out.schema.field("period_start").type == pa.date32()
    assert out.schema.field("n").type == pa.uint64()


def test_record_batch_reader_input_gives_pyarrow(rng):
    table = pa.Table.from_pandas(base(rng, n=100), preserve_index=False)
    out = metrics.by(table.to_reader())
    assert isinstance(out, pa.Table) and out.num_rows == 4


# ------------------------------------------------------------------ bad input

NULLS = {
    "pandas-Int64-score": lambda df: df.assign(score=df.score.astype("Int64").mask(df.index == 7)),
    "pandas-NaT-time": lambda df: df.assign(ts=df.ts.mask(df.index == 7)),
    "pandas-category-segment": lambda df: df.assign(segment=df.segment.astype("category").mask(df.index == 7)),
    "polars-null-score": lambda df: pl.from_pandas(df).with_columns(
        pl.when(pl.int_range(pl.len()) == 7).then(None).otherwise(pl.col("score")).alias("score")
    ),
    "polars-null-time": lambda df: pl.from_pandas(df).with_columns(
        pl.when(pl.int_range(pl.len()) == 7).then(None).otherwise(pl.col("ts")).alias("ts")
    ),
    "pyarrow-null-segment": lambda df: pa.Table.from_pandas(df.assign(segment=df.segment.mask(df.index == 7)), preserve_index=False),
    "pyarrow-null-weight": lambda df: pa.Table.from_pandas(df.assign(w=df.w.mask(df.index == 7)), preserve_index=False),
}


@pytest.mark.parametrize("make", NULLS.values(), ids=NULLS.keys())
def test_nulls_raise_naming_the_column(rng, make):
    frame = make(base(rng, n=50))
    with pytest.raises(cem.InvalidNumberError, match=r"column `(score|ts|segment|w)` at position 7 `null` is missing"):
        metrics.by(frame, period="month", weights="w")


def test_nan_weights_raise_naming_the_column(rng):
    df = base(rng, n=50)
    df.loc[3, "w"] = np.nan
    with pytest.raises(cem.InvalidNumberError, match="weight at position 3 in column `w` `NaN`"):
        metrics.by(df, weights="w")
    with pytest.raises(cem.InvalidNumberError, match="column `w` at position 3 `null`"):
        metrics.by(pl.from_pandas(df, nan_to_null=True), weights="w")


def test_out_of_range_and_wrong_dtype(rng):
    df = base(rng, n=50)
    with pytest.raises(cem.OutOfRangeError, match="position 4 in column `score` `11`"):
        metrics.by(df.assign(score=df.score.where(df.index != 4, 11)))
    with pytest.raises(cem.OutOfRangeError, match="column `score` at position 2 `-1`"):
        metrics.by(df.assign(score=df.score.where(df.index != 2, -1)))
    with pytest.raises(TypeError, match="column `score` has (dtype|Arrow type)"):
        metrics.by(df.assign(score=df.score.astype(str).to_numpy()))
    with pytest.raises(TypeError, match="column `score` has Arrow type"):
        metrics.by(pl.from_pandas(df).with_columns(pl.col("score").cast(pl.String)))
    with pytest.raises(cem.InvalidNumberError, match="not a whole number|column `score`"):
        metrics.by(df.assign(score=df.score + 0.5))


def test_unknown_names(rng):
    df = base(rng, n=20)
    with pytest.raises(KeyError, match="no column `nps`"):
        metrics.by(df, score="nps")
    with pytest.raises(KeyError, match="no column `region`"):
        metrics.by(pl.from_pandas(df), by="region")
    with pytest.raises(KeyError, match="no column `when`"):
        metrics.by(pa.Table.from_pandas(df), period="month", time="when")
    with pytest.raises(cem.InvalidArgumentError, match="unknown period `year`"):
        metrics.by(df, period="year")
    with pytest.raises(cem.InvalidArgumentError, match="unknown metric `nsp`"):
        metrics.by(df, metric="nsp")
    with pytest.raises(ValueError, match="unknown output `excel`"):
        metrics.by(df, output="excel")
    with pytest.raises(TypeError, match="expected a pandas, polars or pyarrow table"):
        metrics.by({"score": [1]})


def test_grouped_scores_push_errors():
    g = metrics.GroupedScores("nps", "month")
    with pytest.raises(cem.LengthMismatchError, match="`scores` has 3 values but `segments` has 2"):
        g.push([1, 2, 3], [0, 0], [0, 0, 0])
    with pytest.raises(cem.LengthMismatchError, match="`a` has 3 values but `b` has 2"):
        g.push([1, 2, 3], [0, 0], [0, 0, 0], columns=("a", "b", "c", "d"))
    with pytest.raises(ValueError, match="needs `times`"):
        g.push([1, 2, 3])
    with pytest.raises(TypeError, match="column `scores` must be a column of numbers"):
        g.push("10 9 8", [0], [0])
    with pytest.raises(TypeError, match="one-dimensional"):
        g.push(np.zeros((2, 2), np.uint8), [0, 0], [0, 0])
    with pytest.raises(cem.InvalidNumberError, match="column `segments` at position 1 `null`"):
        g.push([1, 2], [0, None], [0, 0])
    assert g.n == 0  # all or nothing
    with pytest.raises(cem.IncompatibleError):
        g.merge(metrics.GroupedScores("nps"))


def _missing_key_frames():
    """Two group columns where the second misses a value at position 1: None in an object
    column and NaN in a float column (pandas), null in polars and pyarrow."""
    obj = pd.DataFrame({"score": [10, 0, 9], "survey": ["s", "s", "s"], "channel": pd.Series(["email", None, "sms"], dtype=object)})
    flt = obj.assign(channel=[1.0, np.nan, 2.0])
    yield "pandas-object-None", obj
    yield "pandas-float-NaN", flt
    yield "polars-null", pl.from_pandas(obj)
    yield "pyarrow-null", pa.Table.from_pandas(obj, preserve_index=False)


@pytest.mark.parametrize("frame", [f for _, f in _missing_key_frames()], ids=[i for i, _ in _missing_key_frames()])
@pytest.mark.parametrize("by", [["channel"], ["survey", "channel"], ["channel", "survey"]])
def test_missing_group_keys_raise_never_join_another_group(frame, by):
    # Before: with two columns a pandas None was counted under the first label ("email") and
    # a NaN became a group labelled `nan`.
    with pytest.raises(cem.InvalidNumberError, match=r"column `channel` at position 1 `null` is missing"):
        metrics.by(frame, by=by)


def test_as_numpy_codes_refuses_nulls():
    from cem import _frames

    with pytest.raises(ValueError, match="null"):
        _frames._as_numpy_codes(pa.array([0, None, 1], pa.int32()))
    with pytest.raises(ValueError, match="null"):
        _frames._as_numpy_codes(pa.chunked_array([[0, None]], pa.int32()))
    with pytest.raises(ValueError, match="null"):
        _frames._as_numpy_codes(pl.Series([0, None], dtype=pl.UInt32))
    assert _frames._as_numpy_codes(pa.array([2, 0], pa.int32())).tolist() == [2, 0]
