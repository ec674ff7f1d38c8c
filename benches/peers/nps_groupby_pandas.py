"""NPS with an adjusted Wald 95% CI by segment x calendar month, in idiomatic pandas.

The DataFrame (score, segment, ts as datetime64) is built before timing, as a user would
already have it; the timed part is the group-by and the interval."""

import numpy as np
import pandas as pd

from _common import adjusted_wald, run


def setup(scores, segments, times):
    return pd.DataFrame(
        {"score": scores, "segment": segments, "ts": times.astype("datetime64[s]")}
    )


def compute(df):
    # `dt.to_period("M")` rather than `pd.Grouper(key="ts", freq="MS")`: the Grouper takes
    # ~9 s here (it resamples every segment), the period key under 1 s.
    out = (
        df.assign(promoter=df["score"] >= 9, detractor=df["score"] <= 6)
        .groupby(["segment", df["ts"].dt.to_period("M").rename("month")])
        .agg(n=("score", "size"), promoters=("promoter", "sum"), detractors=("detractor", "sum"))
        .reset_index()
    )
    out["nps"], out["low"], out["high"] = adjusted_wald(
        out["n"].to_numpy(np.float64),
        out["promoters"].to_numpy(np.float64),
        out["detractors"].to_numpy(np.float64),
    )
    return out


def write(out, path):
    out.assign(month=out["month"].dt.start_time.dt.strftime("%Y-%m-%d")).to_csv(path, index=False, float_format="%.17e")


if __name__ == "__main__":
    run("pandas", setup, compute, write)
