"""The database side of matching: a cohort's applications and rules in, proposals, rosters and past pairs out.

SQL in DuckDB, DataFrames out; the scoring, rules and assignment are analytics.matching's. Grades run
junior to senior: by default the distinct employee grades in natural order (G1 < G2 < G10), which is
the sample organisation's order (analytics.sample.org draws mentors from G1-G3 and mentees from G5-G7,
and age rises with the grade number), or the order set in $MUTUAL_GRADE_ORDER ("G1,G2,...").
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from analytics import matching
from analytics.errors import MutualError
from analytics.goals import DAYS_PER_MONTH, data_date
from analytics.ingest.kinds import COLUMNS
from analytics.metrics import construct_scores

__all__ = [
    "GRADE_ORDER_ENV",
    "GAIN_CONSTRUCT",
    "EARLY_MONTHS",
    "MatchInputs",
    "grade_order",
    "cohorts_with_applications",
    "match_inputs",
    "propose_for",
    "roster",
    "past_pairs",
    "save_settings",
    "saved_settings",
]

GRADE_ORDER_ENV = "MUTUAL_GRADE_ORDER"
GAIN_CONSTRUCT = "ps"  # a pair's gain is in psychological safety, the programme's primary outcome
EARLY_MONTHS = 3  # a withdrawal within this many months of the start is an early end
_EMPLOYEE_COLUMNS = [
    "employee_id",
    "grade",
    "department",
    "location",
    "manager_id",
    "gender",
    "ethnicity",
    "age_band",
    "disability",
]


def _natural_key(grade: str) -> list:
    """G2 before G10: digit runs compare as numbers, the rest as lower-case text."""
    return [
        (0, int(part), "") if part.isdigit() else (1, 0, part.lower()) for part in re.split(r"(\d+)", grade)
    ]


def grade_order(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The organisation's grades junior to senior: $MUTUAL_GRADE_ORDER, else the employee grades in natural order."""
    given = os.environ.get(GRADE_ORDER_ENV, "")
    if given.strip():
        return [g.strip() for g in given.split(",") if g.strip()]
    grades = con.execute("SELECT DISTINCT grade FROM employees WHERE grade IS NOT NULL").fetchall()
    return sorted((str(g) for (g,) in grades), key=_natural_key)


def cohorts_with_applications(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The cohorts someone has applied for, in name order."""
    return [c for (c,) in con.execute("SELECT DISTINCT cohort FROM applications ORDER BY cohort").fetchall()]


@dataclass(frozen=True, eq=False)
class MatchInputs:
    """What matching.propose needs for one cohort, read from the database."""

    applications: pd.DataFrame
    employees: pd.DataFrame
    open_pairs: list[tuple[str, str]]
    grade_order: list[str]


def _open_pairs(con: duckdb.DuckDBPyConnection, cohort: str) -> list[tuple[str, str]]:
    """(mentor_id, mentee_id) of the pairs of other cohorts still running: an end date missing or after the data date."""
    rows = con.execute(
        """WITH open_cohorts AS (
               SELECT cohort FROM participants GROUP BY cohort
               HAVING bool_or(end_date IS NULL OR end_date > CAST(? AS DATE)) AND cohort <> ?
           )
           SELECT m.employee_id, e.employee_id
           FROM participants m JOIN participants e USING (cohort, pair_id)
           WHERE m.role = 'mentor' AND e.role = 'mentee' AND cohort IN (SELECT cohort FROM open_cohorts)
           ORDER BY ALL""",
        [data_date(con), cohort],
    ).fetchall()
    return [(str(a), str(b)) for a, b in rows]


def match_inputs(con: duckdb.DuckDBPyConnection, cohort: str) -> MatchInputs:
    """The cohort's applications, every employee's matching attributes, the open pairs and the grade order.

    The applications keep every column, `ranking` (a list of employee ids, best first, or missing) among
    them. The cohort's own roster (if it was imported already) does not count as open: re-proposing it
    is allowed.
    """
    known = cohorts_with_applications(con)
    if cohort not in known:
        listing = ", ".join(known) if known else "none; import an applications file first"
        raise MutualError(f"No applications for cohort '{cohort}'. Cohorts with applications: {listing}.")
    applications = con.execute(
        "SELECT * EXCLUDE (import_id) FROM applications WHERE cohort = ? ORDER BY employee_id", [cohort]
    ).df()
    employees = con.execute(
        """SELECT employee_id, grade, department, location, manager_id, gender, ethnicity, age_band, disability
           FROM employees ORDER BY employee_id"""
    ).df()
    return MatchInputs(applications, employees, _open_pairs(con, cohort), grade_order(con))


def propose_for(
    con: duckdb.DuckDBPyConnection,
    cohort: str,
    *,
    weights: Mapping[str, float] | None = None,
    rules: Mapping[str, bool] | None = None,
    method: str = "total",
    lens: Sequence[str] = (),
    locked: Iterable[tuple[str, str]] = (),
    excluded: Iterable[tuple[str, str]] = (),
) -> matching.Proposal:
    """matching.propose on the cohort's applications as the database holds them.

    With method "stable" the rankings are the applications' `ranking` column, split into the two sides
    as matching.sides places the applicants; a side where nobody ranked is a MutualError.
    """
    inputs = match_inputs(con, cohort)
    rankings: dict[str, dict[str, list[str]] | None] = {"mentee_ranking": None, "mentor_ranking": None}
    if method == "stable":
        ranked = {
            str(e): [str(i) for i in r]
            for e, r in zip(inputs.applications["employee_id"], inputs.applications["ranking"], strict=True)
            if isinstance(r, list | tuple | np.ndarray) and len(r)
        }
        mentors, mentees = matching.sides(
            inputs.applications, inputs.employees, grade_order=inputs.grade_order
        )
        for key, side in (("mentor_ranking", mentors), ("mentee_ranking", mentees)):
            ids = [str(p) for p in side["employee_id"]]
            if not any(p in ranked for p in ids):
                raise MutualError(
                    "stable matching needs both sides' rankings (the applications' ranking column)"
                )
            rankings[key] = {p: ranked.get(p, []) for p in ids}
    return matching.propose(
        inputs.applications,
        inputs.employees,
        grade_order=inputs.grade_order,
        rules=rules,
        weights=weights,
        method=method,
        lens=lens,
        open_pairs=inputs.open_pairs,
        locked=locked,
        excluded=excluded,
        **rankings,
    )


def roster(proposal: matching.Proposal, cohort: str, start_date: dt.date | str) -> pd.DataFrame:
    """The proposed pairs as a participants file: two rows per pair (mentor, mentee), pair ids {cohort}-P001...

    Every person starts active on `start_date` with no end date, no focus and no story consent.
    """
    start = start_date.isoformat() if isinstance(start_date, dt.date) else str(start_date)
    pairs = proposal.pairs.sort_values(["mentor_id", "mentee_id"], ignore_index=True)
    pair_id = [f"{cohort}-P{n:03d}" for n in range(1, len(pairs) + 1)]
    people = pd.DataFrame(
        {
            "employee_id": np.column_stack([pairs["mentor_id"], pairs["mentee_id"]]).ravel(),
            "role": np.tile(["mentor", "mentee"], len(pairs)),
            "pair_id": np.repeat(pair_id, 2),
        },
        dtype=object,
    )
    frame = people.assign(cohort=cohort, focus="", start_date=start, end_date="", status="active")
    frame["story_consent"] = "no"
    return frame[COLUMNS["participants"]]


def _pair_outcomes(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per pair with one mentor and one mentee, both with an application in its cohort: ids and outcomes.

    sessions_per_month: sessions from the start to min(end, data date) over the months between (at least
    one), as analytics.goals counts them. ended_early: a partner withdrew and the pair ended (the earlier
    of the withdrawn partner's end date and the pair's last session) within EARLY_MONTHS of the start;
    missing when a withdrawn pair has neither date. fit: the latest rating the session log records.
    """
    return con.execute(
        """WITH pairs AS (
               SELECT cohort, pair_id,
                      any_value(employee_id) FILTER (WHERE role = 'mentor') AS mentor_id,
                      any_value(employee_id) FILTER (WHERE role = 'mentee') AS mentee_id,
                      count(*) FILTER (WHERE role = 'mentor') AS mentors,
                      count(*) FILTER (WHERE role = 'mentee') AS mentees,
                      min(start_date) AS start_date, max(end_date) AS end_date,
                      bool_or(status = 'withdrawn') AS withdrawn,
                      min(end_date) FILTER (WHERE status = 'withdrawn') AS withdrawn_on
               FROM participants GROUP BY cohort, pair_id
           ), chosen AS (
               SELECT p.*, least(coalesce(p.end_date, CAST(? AS DATE)), CAST(? AS DATE)) AS stop
               FROM pairs p
               JOIN applications am ON am.employee_id = p.mentor_id AND am.cohort = p.cohort
               JOIN applications ae ON ae.employee_id = p.mentee_id AND ae.cohort = p.cohort
               WHERE p.mentors = 1 AND p.mentees = 1 AND p.start_date <= CAST(? AS DATE)
           ), logged AS (
               SELECT c.cohort, c.pair_id,
                      count(s.date) FILTER (WHERE s.date BETWEEN c.start_date AND c.stop) AS sessions,
                      max(s.date) AS last_session,
                      arg_max(s.fit, s.date) FILTER (WHERE s.fit IS NOT NULL) AS fit
               FROM chosen c LEFT JOIN sessions s ON s.pair_id = c.pair_id
               GROUP BY c.cohort, c.pair_id
           )
           SELECT c.pair_id, c.cohort, c.mentor_id, c.mentee_id,
                  l.sessions / greatest(date_diff('day', c.start_date, c.stop) / ?, 1) AS sessions_per_month,
                  CASE WHEN NOT c.withdrawn THEN FALSE
                       ELSE least(c.withdrawn_on, l.last_session) <= c.start_date + to_months(?)
                  END AS ended_early,
                  l.fit
           FROM chosen c JOIN logged l USING (cohort, pair_id)
           ORDER BY c.cohort, c.pair_id""",
        [data_date(con)] * 3 + [DAYS_PER_MONTH, EARLY_MONTHS],
    ).df()


def _changes(con: duckdb.DuckDBPyConnection) -> pd.Series:
    """Each employee's GAIN_CONSTRUCT change, post minus pre (the responses of a wave averaged)."""
    scores = construct_scores(con, GAIN_CONSTRUCT, waves=["pre", "post"])
    scores = scores[scores["employee_id"].notna()]
    means = scores.pivot_table(index="employee_id", columns="wave", values="score", aggfunc="mean")
    means = means.reindex(columns=["pre", "post"])
    return (means["post"] - means["pre"]).dropna()


def _applicants(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every application with the location from the employees file where the application gives none."""
    return con.execute(
        """SELECT a.* EXCLUDE (import_id, location), coalesce(a.location, e.location) AS location
           FROM applications a LEFT JOIN employees e USING (employee_id)"""
    ).df()


def past_pairs(con: duckdb.DuckDBPyConnection, weights: Mapping[str, float] | None = None) -> pd.DataFrame:
    """One row per pair that started, with applications for both partners in its cohort, as match_outcomes reads it.

    Columns: pair_id, cohort, score and matching.COMPONENTS (the pair's two applications scored as
    matching scores a proposal, with `weights`), and the outcomes both_improved (both partners' pre->post
    change in psychological safety above 0), mean_gain (the mean of the two changes; both missing unless
    both partners have one), sessions_per_month, ended_early and fit (see _pair_outcomes).
    """
    pairs = _pair_outcomes(con)
    columns = ["pair_id", "cohort", "score", *matching.COMPONENTS, "both_improved", "mean_gain"]
    columns += ["sessions_per_month", "ended_early", "fit"]
    if pairs.empty:
        return pd.DataFrame(columns=columns)
    applicants = _applicants(con)
    side = {}
    for role in ("mentor", "mentee"):
        keys = pairs[["cohort", f"{role}_id"]].rename(columns={f"{role}_id": "employee_id"})
        side[role] = keys.merge(applicants, on=["cohort", "employee_id"], how="left", validate="one_to_one")
    parts = matching.components(side["mentor"], side["mentee"])
    norm = matching.normalise_weights(weights)
    score = matching.compatibility(parts, norm)
    out = pairs[["pair_id", "cohort"]].copy()
    out["score"] = np.diagonal(score)
    for name in matching.COMPONENTS:
        out[name] = np.diagonal(parts[name])
    change = _changes(con)
    mentor, mentee = pairs["mentor_id"].map(change), pairs["mentee_id"].map(change)
    known = mentor.notna() & mentee.notna()
    out["both_improved"] = ((mentor > 0) & (mentee > 0)).astype("boolean").mask(~known)
    out["mean_gain"] = ((mentor + mentee) / 2).where(known)
    out["sessions_per_month"] = pairs["sessions_per_month"].astype(float)
    out["ended_early"] = pairs["ended_early"].astype("boolean")
    out["fit"] = pairs["fit"].astype(object).where(pairs["fit"].notna(), None)
    return out[columns]


def save_settings(
    con: duckdb.DuckDBPyConnection,
    cohort: str,
    *,
    weights: Mapping[str, float],
    rules: Mapping[str, bool],
    method: str,
    lens: Sequence[str],
) -> None:
    """Save (or replace) the cohort's matching settings; a bad weight, rule or method is a MutualError.

    The weights are kept as given (the page's slider values), not rescaled; the rules in full.
    """
    import json as _json  # here, not at the top: the module's imports are another change's

    lens = [str(a) for a in lens]
    odd = sorted(str(k) for k, w in weights.items() if isinstance(w, bool) or not isinstance(w, int | float))
    if odd:
        raise MutualError(f"the weight of {', '.join(odd)} must be a number of 0 or more")
    matching.normalise_weights(weights, lens=lens)
    in_force = matching.rules_in_force(rules)
    if method not in matching.METHODS:
        raise MutualError(
            f"unknown matching method '{method}'; the methods are {', '.join(matching.METHODS)}"
        )
    con.execute(
        "INSERT OR REPLACE INTO match_settings (cohort, weights, rules, method, lens, saved_at) VALUES (?, ?, ?, ?, ?, ?)",
        [
            str(cohort),
            _json.dumps({name: float(w) for name, w in weights.items()}),
            _json.dumps(in_force),
            method,
            _json.dumps(lens),
            dt.datetime.now().replace(microsecond=0),
        ],
    )


def saved_settings(con: duckdb.DuckDBPyConnection, cohort: str) -> dict | None:
    """The cohort's saved settings: weights, rules, method, lens and saved_at (a datetime); None if never saved."""
    row = con.execute(
        "SELECT weights, rules, method, lens, saved_at FROM match_settings WHERE cohort = ?", [str(cohort)]
    ).fetchone()
    if row is None:
        return None
    import json as _json

    weights, rules, method, lens, saved_at = row
    return {
        "weights": _json.loads(weights),
        "rules": _json.loads(rules),
        "method": method,
        "lens": _json.loads(lens),
        "saved_at": saved_at,
    }
