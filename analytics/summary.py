"""The headline figures of DESIGN.md section 6 as one JSON-ready dict.

Percentages are 0-100; retention figures are Kaplan-Meier survival probabilities (0-1). A figure
the privacy threshold suppresses is None, and so is one that cannot be computed (NaN never appears).
Reciprocity is reported on psychological safety, the programme's primary outcome.
"""

from __future__ import annotations

import math

import duckdb
import numpy as np
import pandas as pd

from analytics import compare, metrics, retention
from analytics.privacy import min_group as default_min_group
from analytics.privacy import min_group_comments
from analytics.sentiment import NEGATIVE, POSITIVE

__all__ = ["CONSTRUCT_KEYS", "RECIPROCITY_CONSTRUCT", "summary", "counts", "json_ready"]

CONSTRUCT_KEYS = {
    "ps": "psych_safety",
    "eng": "engagement",
    "bel": "belonging",
    "rl": "reciprocal_learning",
    "sat": "satisfaction",
}
RECIPROCITY_CONSTRUCT = "ps"


def json_ready(value):
    """The value with numpy scalars made plain and NaN or infinity made None, recursively."""
    if isinstance(value, dict):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Employees, participants, pairs, responses and comments in the database."""
    row = con.execute(
        """SELECT (SELECT count(*) FROM employees),
                  (SELECT count(*) FROM participants),
                  (SELECT count(DISTINCT pair_id) FROM participants),
                  (SELECT count(*) FROM responses),
                  (SELECT count(*) FROM comments)"""
    ).fetchone()
    return dict(zip(["employees", "participants", "pairs", "responses", "comments"], row, strict=True))


def _waves_answered(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per construct and wave with answers: respondents, in the order the waves opened."""
    return con.execute(
        """SELECT i.construct, r.wave, count(DISTINCT coalesce(r.employee_id, r.response_id)) AS n
           FROM answers a JOIN items i USING (item_id) JOIN responses r USING (response_id)
           JOIN waves w USING (wave)
           GROUP BY ALL ORDER BY i.construct, min(w.opened_on) NULLS LAST, r.wave"""
    ).df()


def _constructs(con: duckdb.DuckDBPyConnection, answered: pd.DataFrame, k: int) -> dict:
    result = {}
    for code, key in CONSTRUCT_KEYS.items():
        scores = metrics.group_scores(con, code, ["wave"], min_group=k).set_index("wave")
        per_wave = {}
        for wave, n in answered.loc[answered["construct"] == code, ["wave", "n"]].itertuples(index=False):
            row = scores.loc[wave] if wave in scores.index else None
            visible = row is not None and not bool(row["suppressed"])
            per_wave[wave] = {
                "n": int(row["n"]) if row is not None else int(n),
                "mean": row["mean"] if visible else None,
                "favourable_pct": row["favourable_pct"] if visible else None,
            }
        result[key] = per_wave
    return result


def _enps(con: duckdb.DuckDBPyConnection, answered: pd.DataFrame, k: int) -> dict:
    frame = metrics.enps(con, ["wave"], min_group=k).set_index("wave")
    waves = answered.loc[answered["construct"] == "enps", "wave"]
    return {w: (frame.loc[w, "enps"] if w in frame.index else None) for w in waves}


def _pre_post(con: duckdb.DuckDBPyConnection, k: int) -> dict:
    result = {}
    for code, key in CONSTRUCT_KEYS.items():
        row = compare.wave_change(con, code, "pre", "post", min_group=k).iloc[0]
        result[key] = {
            "n": int(row["n"]),
            "mean_change": row["mean_change"],
            "ci_low": row["ci_low"],
            "ci_high": row["ci_high"],
            "cohen_dz": row["cohen_dz"],
            "p_value": row["t_p"],
        }
    return result


def _reciprocity(con: duckdb.DuckDBPyConnection, k: int) -> dict:
    found = compare.reciprocity(con, RECIPROCITY_CONSTRUCT, "pre", "post", min_group=k)
    return {
        "construct": CONSTRUCT_KEYS[RECIPROCITY_CONSTRUCT],
        "pairs": found["pairs"],
        "both_improved_pct": found["both_improved_pct"],
        "mentor_gain": found["mentor_gain"],
        "mentee_gain": found["mentee_gain"],
    }


def _goal_attainment(con: duckdb.DuckDBPyConnection, k: int) -> dict:
    frame = metrics.goal_attainment(con, min_group=k)
    participants = con.execute(
        "SELECT count(DISTINCT employee_id) FROM goals WHERE level_post IS NOT NULL"
    ).fetchone()[0]
    visible = not frame.empty and not bool(frame["suppressed"].iloc[0])
    return {
        "participants": participants,
        "mean_t": frame["mean_t"].iloc[0] if visible else None,
        "met_pct": frame["met_pct"].iloc[0] if visible else None,
    }


def _retention(con: duckdb.DuckDBPyConnection, k: int) -> dict:
    found = retention.retention_summary(con, min_group=k)
    keys = ["participants_6m", "participants_12m", "comparison_6m", "comparison_12m", "logrank_p"]
    return {
        **{key: found[key] for key in keys},
        "participants": found["n_participants"],
        "comparison": found["n_comparison"],
    }


def _sentiment(con: duckdb.DuckDBPyConnection) -> dict:
    comments, respondents, mean, positive, negative = con.execute(
        """SELECT count(*), count(DISTINCT coalesce(r.employee_id, c.response_id)), avg(c.compound),
                  100.0 * avg(CASE WHEN c.compound >= ? THEN 1 ELSE 0 END),
                  100.0 * avg(CASE WHEN c.compound <= ? THEN 1 ELSE 0 END)
           FROM comments c LEFT JOIN responses r USING (response_id)""",
        [POSITIVE, NEGATIVE],
    ).fetchone()
    visible = respondents >= min_group_comments()
    return {
        "comments": comments,
        "mean_compound": mean if visible else None,
        "positive_pct": positive if visible else None,
        "negative_pct": negative if visible else None,
    }


def summary(con: duckdb.DuckDBPyConnection, min_group: int | None = None) -> dict:
    """Every headline figure; a figure the privacy threshold suppresses is None."""
    k = min_group if min_group is not None else default_min_group()
    answered = _waves_answered(con)
    return json_ready(
        {
            "counts": counts(con),
            "constructs": _constructs(con, answered, k),
            "enps": _enps(con, answered, k),
            "pre_post": _pre_post(con, k),
            "reciprocity": _reciprocity(con, k),
            "goal_attainment": _goal_attainment(con, k),
            "retention": _retention(con, k),
            "sentiment": _sentiment(con),
        }
    )
