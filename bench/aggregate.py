"""Psychological safety by department x pulse month: pandas from the raw files against Mutual's DuckDB."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from analytics import metrics

__all__ = ["PS_ITEMS", "PS_REVERSED", "pandas_scores", "mutual_scores", "compare", "time_best"]

PS_ITEMS = [f"ps_{i}" for i in range(1, 8)]
PS_REVERSED = ["ps_1", "ps_3", "ps_5"]
_MIN_ANSWERED = 4  # at least half of the 7 items


def pandas_scores(employees: Path, pulses: list[Path]) -> pd.DataFrame:
    """department, wave, n (distinct respondents) and mean score, read and computed with pandas alone."""
    people = pd.read_csv(employees, usecols=["employee_id", "department"])
    answers = pd.concat(
        [pd.read_csv(p, usecols=["employee_id", "wave", *PS_ITEMS]) for p in pulses], ignore_index=True
    )
    items = answers[PS_ITEMS].astype("float64")
    items[PS_REVERSED] = 8 - items[PS_REVERSED]
    answers["score"] = items.mean(axis=1).where(items.notna().sum(axis=1) >= _MIN_ANSWERED)
    scored = answers.dropna(subset=["score"]).merge(people, on="employee_id", how="left")
    return (
        scored.groupby(["department", "wave"], sort=True)
        .agg(n=("employee_id", "nunique"), mean=("score", "mean"))
        .reset_index()
    )


def mutual_scores(con: duckdb.DuckDBPyConnection, waves: list[str]) -> pd.DataFrame:
    """The same figures from the database through analytics.metrics.group_scores."""
    return metrics.group_scores(con, "ps", ["department", "wave"], waves=waves)


def compare(expected: pd.DataFrame, mutual: pd.DataFrame) -> int:
    """Assert both give the same n and mean (within 1e-9) for every group Mutual shows; groups compared."""
    shown = mutual.loc[~mutual["suppressed"].astype(bool), ["department", "wave", "n", "mean"]]
    joined = shown.merge(expected, on=["department", "wave"], how="left", suffixes=("", "_pandas"))
    if joined.empty or joined["mean_pandas"].isna().any():
        raise AssertionError("pandas has no figure for some group that Mutual shows")
    assert np.array_equal(joined["n"].to_numpy("float64"), joined["n_pandas"].to_numpy("float64")), (
        "n differs"
    )
    gap = np.abs(joined["mean"].to_numpy("float64") - joined["mean_pandas"].to_numpy("float64")).max()
    assert gap <= 1e-9, f"means differ by up to {gap}"
    return len(joined)


def time_best(action, repeat: int = 3) -> tuple[float, object]:
    """Best wall time of `repeat` calls, and the last call's result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = action()
        best = min(best, time.perf_counter() - start)
    return best, result
