"""The headline figures of DESIGN.md section 6 as one JSON-ready dict.

Percentages are 0-100; retention figures are Kaplan-Meier survival probabilities (0-1). Every figure
and count comes from privacy.gate (directly, or through the module that computes it): one the gate
hides is None, n included, and so is one that cannot be computed (NaN never appears).
Reciprocity is reported on psychological safety, the programme's primary outcome.
"""

from __future__ import annotations

import math

import duckdb
import numpy as np
import pandas as pd

from analytics import change, goals, metrics, overview, privacy, retention
from analytics.privacy import min_group as default_min_group
from analytics.privacy import min_group_comments
from analytics.text.sentiment import NEGATIVE, POSITIVE

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


def _shown(value) -> object | None:
    """A value as the summary prints it: None where the gate blanked it (NaN, <NA>)."""
    return None if value is None or pd.isna(value) else value


def _count(value) -> int | None:
    value = _shown(value)
    return None if value is None else int(value)


_EMPLOYEES = privacy.Rows(
    """SELECT *, employee_id AS unit, 'all' AS scope, NULL AS cohort, NULL AS role, NULL AS focus
       FROM employees""",
    scope="scope",
)
_COMMENTS = privacy.Rows(
    """SELECT r.*, c.compound, coalesce(r.employee_id, r.response_id) AS unit
       FROM comments c JOIN respondents r USING (response_id)"""
)


def _total(con: duckdb.DuckDBPyConnection, rows: privacy.Rows, value: int, k: int) -> int | None:
    """A count of the whole organisation, shown when privacy.gate shows the people behind it."""
    figure = pd.DataFrame({"total": [value]})
    return _count(privacy.gate(con, rows, figure, keys=[], values=["total"], min_group=k)["total"].iloc[0])


def counts(con: duckdb.DuckDBPyConnection, min_group: int | None = None) -> dict[str, int | None]:
    """Employees, participants, pairs, responses and comments in the database; None where the gate hides one.

    Each passes privacy.gate over the people it counts (pairs as units; responses and comments by their
    respondents within each wave, so an anonymous person counts once per wave).
    """
    k = min_group if min_group is not None else default_min_group()
    row = con.execute(
        """SELECT (SELECT count(*) FROM employees),
                  (SELECT count(*) FROM participants),
                  (SELECT count(DISTINCT pair_id) FROM participants),
                  (SELECT count(*) FROM responses),
                  (SELECT count(*) FROM comments)"""
    ).fetchone()
    rows = [
        _EMPLOYEES,
        overview.roster_rows(),
        overview.roster_rows("pair_id"),
        overview.respondent_rows(),
        _COMMENTS,
    ]
    names = ["employees", "participants", "pairs", "responses", "comments"]
    return {name: _total(con, people, value, k) for name, people, value in zip(names, rows, row, strict=True)}


def _waves_answered(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per construct, the waves with answers, in the order the waves opened (names only, no counts)."""
    return con.execute(
        """SELECT i.construct, r.wave
           FROM answers a JOIN items i USING (item_id) JOIN responses r USING (response_id)
           JOIN waves w USING (wave)
           GROUP BY ALL ORDER BY i.construct, min(w.opened_on) NULLS LAST, r.wave"""
    ).df()


def _constructs(con: duckdb.DuckDBPyConnection, answered: pd.DataFrame, k: int) -> dict:
    result = {}
    for code, key in CONSTRUCT_KEYS.items():
        scores = metrics.group_scores(con, code, ["wave"], min_group=k).set_index("wave")
        per_wave = {}
        for wave in answered.loc[answered["construct"] == code, "wave"]:
            row = scores.loc[wave] if wave in scores.index else None
            visible = row is not None and not bool(row["suppressed"])
            per_wave[wave] = {
                "n": _count(row["n"]) if visible else None,
                "mean": row["mean"] if visible else None,
                "favourable_pct": row["favourable_pct"] if visible else None,
            }
        result[key] = per_wave
    return result


def _enps(con: duckdb.DuckDBPyConnection, answered: pd.DataFrame, k: int) -> dict:
    frame = metrics.enps(con, ["wave"], min_group=k).set_index("wave")
    waves = answered.loc[answered["construct"] == "enps", "wave"]
    return {
        w: (frame.loc[w, "enps"] if w in frame.index and not bool(frame.loc[w, "suppressed"]) else None)
        for w in waves
    }


def _pre_post(con: duckdb.DuckDBPyConnection, k: int) -> dict:
    result = {}
    figures = ["mean_change", "ci_low", "ci_high", "cohen_dz", "t_p"]
    for code, key in CONSTRUCT_KEYS.items():
        row = change.wave_change(con, code, "pre", "post", min_group=k).iloc[0]
        visible = not bool(row["suppressed"])
        shown = {name: (row[name] if visible else None) for name in figures}
        result[key] = {
            "n": _count(row["n"]) if visible else None,
            **{name: shown[name] for name in figures[:-1]},
            "p_value": shown["t_p"],
        }
    return result


def _reciprocity(con: duckdb.DuckDBPyConnection, k: int) -> dict:
    found = change.reciprocity(con, RECIPROCITY_CONSTRUCT, "pre", "post", min_group=k)
    visible = not bool(found["suppressed"])
    return {
        "construct": CONSTRUCT_KEYS[RECIPROCITY_CONSTRUCT],
        "pairs": _count(found["pairs"]) if visible else None,
        **{
            name: (found[name] if visible else None)
            for name in ["both_improved_pct", "mentor_gain", "mentee_gain"]
        },
    }


def _goal_attainment(con: duckdb.DuckDBPyConnection, k: int) -> dict:
    frame = goals.goal_attainment(con, min_group=k)
    visible = not frame.empty and not bool(frame["suppressed"].iloc[0])
    return {
        "participants": _count(frame["n"].iloc[0]) if visible else None,
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


def _sentiment(con: duckdb.DuckDBPyConnection, k: int) -> dict:
    """Tone of every comment, through privacy.gate at the comment threshold (commenters counted per wave)."""
    comments, mean, positive, negative = con.execute(
        """SELECT count(*), avg(c.compound),
                  100.0 * avg(CASE WHEN c.compound >= ? THEN 1 ELSE 0 END),
                  100.0 * avg(CASE WHEN c.compound <= ? THEN 1 ELSE 0 END)
           FROM comments c""",
        [POSITIVE, NEGATIVE],
    ).fetchone()
    values = ["mean_compound", "positive_pct", "negative_pct"]
    figure = pd.DataFrame([dict(zip(values, [mean, positive, negative], strict=True))])
    tone = privacy.gate(
        con, _COMMENTS, figure, keys=[], values=values, min_group=max(k, min_group_comments())
    )
    return {
        "comments": _total(con, _COMMENTS, comments, k),
        **{name: _shown(tone[name].iloc[0]) for name in values},
    }


def summary(con: duckdb.DuckDBPyConnection, min_group: int | None = None) -> dict:
    """Every headline figure; a figure the privacy threshold suppresses is None."""
    k = min_group if min_group is not None else default_min_group()
    answered = _waves_answered(con)
    return json_ready(
        {
            "counts": counts(con, k),
            "constructs": _constructs(con, answered, k),
            "enps": _enps(con, answered, k),
            "pre_post": _pre_post(con, k),
            "reciprocity": _reciprocity(con, k),
            "goal_attainment": _goal_attainment(con, k),
            "retention": _retention(con, k),
            "sentiment": _sentiment(con, k),
        }
    )
