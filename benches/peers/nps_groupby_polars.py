"""NPS with an adjusted Wald 95% CI by segment x calendar month, in idiomatic polars (lazy).

The DataFrame (score, segment, ts as Datetime) is built before timing, as a user would
already have it; the timed part is the group-by and the interval."""

import polars as pl

from _common import Z95, run


def setup(scores, segments, times):
    return pl.DataFrame({"score": scores, "segment": segments, "ts": times}).with_columns(
        pl.from_epoch("ts", time_unit="s")
    )


def compute(df):
    # Counts come out as unsigned integers: compute in floats (P − D would wrap).
    n, prom, det = (pl.col(c).cast(pl.Float64) for c in ("n", "promoters", "detractors"))
    n_adj = n + 3.0
    p = (prom + 0.75) / n_adj
    d = (det + 0.75) / n_adj
    se = ((p + d - (p - d) ** 2) / n_adj).sqrt()
    return (
        df.lazy()
        .group_by("segment", pl.col("ts").dt.truncate("1mo").alias("month"))
        .agg(
            n=pl.len(),
            promoters=(pl.col("score") >= 9).sum(),
            detractors=(pl.col("score") <= 6).sum(),
        )
        .with_columns(
            nps=100.0 * (prom - det) / n,
            low=(100.0 * (p - d - Z95 * se)).clip(-100.0, 100.0),
            high=(100.0 * (p - d + Z95 * se)).clip(-100.0, 100.0),
        )
        .sort("segment", "month")
        .collect()
    )


def write(out, path):
    out.with_columns(pl.col("month").dt.strftime("%Y-%m-%d")).write_csv(path, float_precision=17)


if __name__ == "__main__":
    run("polars", setup, compute, write)
