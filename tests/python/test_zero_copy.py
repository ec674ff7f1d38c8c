"""The native side reads numpy and Arrow columns in place: the address it reads from is the
caller's buffer (``cem._cem._column_address`` returns that address and whether the column was
borrowed), and only the documented conversions copy."""

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

from cem._cem import _column_address

DTYPES = ["uint8", "uint32", "int64", "float64"]


@pytest.mark.parametrize("dtype", DTYPES)
def test_numpy_is_read_in_place(dtype):
    arr = np.arange(1_000, dtype=dtype) % 7
    assert _column_address(arr, dtype) == (arr.ctypes.data, True)
    # a contiguous slice starting later is read in place too
    tail = arr[10:]
    assert _column_address(tail, dtype) == (arr.ctypes.data + 10 * arr.itemsize, True)


def test_numpy_datetime64_is_read_in_place():
    for unit in ["s", "ms", "us", "ns"]:
        arr = np.arange(100).astype(f"datetime64[{unit}]")
        assert _column_address(arr, "int64") == (arr.ctypes.data, True)


@pytest.mark.parametrize("dtype", DTYPES)
def test_arrow_primitive_is_read_in_place(dtype):
    arr = pa.array(np.arange(1_000, dtype=dtype) % 7)
    values = arr.buffers()[1]
    assert _column_address(arr, dtype) == (values.address, True)
    sliced = arr.slice(100)  # Arrow offsets are honoured without a copy
    assert _column_address(sliced, dtype) == (values.address + 100 * np.dtype(dtype).itemsize, True)
    chunked = pa.chunked_array([arr])
    assert _column_address(chunked, dtype) == (values.address, True)


def test_arrow_timestamps_and_dictionary_indices_are_read_in_place():
    ts = pa.array(np.arange(100).astype("datetime64[ms]"))
    assert _column_address(ts, "int64") == (ts.buffers()[1].address, True)
    tz = pa.array(np.arange(100), pa.timestamp("us", tz="Europe/Paris"))
    assert _column_address(tz, "int64") == (tz.buffers()[1].address, True)
    codes = pa.DictionaryArray.from_arrays(pa.array(np.arange(100, dtype=np.uint32) % 3), pa.array(["a", "b", "c"]))
    assert _column_address(codes, "uint32") == (codes.indices.buffers()[1].address, True)


def test_polars_is_read_in_place():
    s = pl.Series("score", np.arange(1_000, dtype=np.uint8) % 11)
    # polars exports its own buffer; to_arrow() is zero-copy, so it shows the same address
    assert _column_address(s, "uint8") == (s.to_arrow().buffers()[1].address, True)
    cat = pl.Series("segment", ["a", "b", "a"] * 100, dtype=pl.Categorical)
    address, borrowed = _column_address(cat, "uint32")
    assert borrowed  # polars categoricals export uint32 dictionary indices
    dt = pl.Series("ts", np.arange(100).astype("datetime64[us]"))
    assert _column_address(dt, "int64") == (dt.to_arrow().buffers()[1].address, True)


def test_pandas_numpy_backed_is_read_in_place():
    s = pd.Series(np.arange(1_000, dtype=np.uint8) % 11)
    assert _column_address(s, "uint8") == (s.to_numpy().ctypes.data, True)
    ts = pd.Series(pd.to_datetime(np.arange(100), unit="s"))
    assert _column_address(ts, "int64") == (ts.to_numpy().ctypes.data, True)


@pytest.mark.parametrize(
    "column",
    [
        np.arange(10, dtype=np.int64),  # int64 scores: converted once, checked
        [1, 2, 3],  # lists
        pa.chunked_array([pa.array([1, 2], pa.uint8()), pa.array([3], pa.uint8())]),  # several chunks
        np.arange(20, dtype=np.uint8)[::2],  # strided
    ],
    ids=["int64-as-uint8", "list", "two-chunks", "strided"],
)
def test_documented_conversions_copy(column):
    assert _column_address(column, "uint8")[1] is False


def test_by_reads_a_large_uint8_column_without_copying_it():
    """tracemalloc sees numpy's allocations; the native side copying 100 MB of scores into a
    Rust vector would not show there, so the address check above is the proof. This checks
    the Python glue: cem.metrics.by on 100 MB of uint8 scores allocates far less than that."""
    import tracemalloc

    n = 100_000_000
    df = pd.DataFrame({"score": np.full(n, 9, dtype=np.uint8), "segment": np.zeros(n, dtype=np.uint32)})
    import cem.metrics

    tracemalloc.start()
    out = cem.metrics.by(df)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert out["n"].tolist() == [n]
    assert peak < 5_000_000, peak


def test_pandas_nullable_without_missing_values_is_read_in_place():
    from cem import _frames

    df = pd.DataFrame({"score": pd.array(np.arange(1_000, dtype=np.uint8) % 11, dtype="UInt8")})
    col = _frames.column(df, "pandas", "score")  # Arrow data over pandas' values, mask dropped
    assert _column_address(col, "uint8") == (df["score"].array._data.ctypes.data, True)


def test_the_kernel_runs_without_the_gil():
    """Another Python thread keeps running while push works on 20M rows (with the GIL held it
    could run at most around the call's boundaries)."""
    import threading
    import time

    import cem.metrics

    n = 20_000_000
    scores = np.full(n, 9, dtype=np.uint8)
    segments = np.zeros(n, dtype=np.uint32)
    times = np.zeros(n, dtype=np.int64)
    ticks = []
    stop = threading.Event()

    def spin():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0)

    thread = threading.Thread(target=spin)
    thread.start()
    try:
        time.sleep(0.01)
        acc = cem.metrics.GroupedScores("nps", "day")
        start = time.perf_counter()
        acc.push(scores, segments, times)
        end = time.perf_counter()
    finally:
        stop.set()
        thread.join()
    assert acc.n == n
    inside = [t for t in ticks if start < t < end]
    assert len(inside) > 10, (len(inside), end - start)
