"""Validate a file of mentoring applications and convert it to rows of the `applications` table."""

from __future__ import annotations

import re

import duckdb
import pandas as pd

from analytics.ingest import checks
from analytics.ingest.checks import Known, text
from analytics.ingest.convert import Reporter, parse_numbers
from analytics.instruments import STYLE, vocabulary

__all__ = ["VOCABULARIES", "YES_NO", "split_terms", "validate_applications"]

ROLES = {"mentor": "mentor", "mentee": "mentee", "either": "either"}
YES_NO = {
    "yes": True,
    "no": False,
    "y": True,
    "n": False,
    "true": True,
    "false": False,
    "1": True,
    "0": False,
}
MAX_HOURS = 200.0
# list column -> (its vocabulary in instruments.vocabulary(), what one term of it is called)
VOCABULARIES: dict[str, tuple[str, str]] = {
    "objectives": ("objectives", "objective"),
    "skills_offered": ("skills", "skill"),
    "skills_wanted": ("skills", "skill"),
}


def _key(term: str) -> str:
    return re.sub(r"\s+", " ", term.strip().lower())


def split_terms(value: str | None) -> list[str]:
    """The terms of a list cell, split on ';' or ',', stripped, empty ones dropped, in order."""
    if value is None or pd.isna(value):
        return []
    return [t.strip() for t in re.split(r"[;,]", str(value)) if t.strip()]


def _lists(frame: pd.DataFrame, column: str, report: Reporter) -> pd.Series:
    """The column as lists of vocabulary terms (NULL for an empty cell); unknown terms are reported."""
    key, noun = VOCABULARIES[column]
    allowed_terms = vocabulary()[key]
    canonical = {_key(t): t for t in allowed_terms}
    allowed = ", ".join(allowed_terms)
    values = text(frame, column)
    out = pd.Series(None, index=frame.index, dtype="object")
    unknown: dict[int, list[str]] = {}
    for row, cell in values.dropna().items():
        terms = split_terms(cell)
        wrong = [t for t in terms if _key(t) not in canonical]
        if wrong:
            unknown[row] = wrong
        known = list(dict.fromkeys(canonical[_key(t)] for t in terms if _key(t) in canonical))
        out[row] = known or None
    report.rows(
        pd.Series(values.index.isin(list(unknown)), index=values.index),
        column,
        lambda row: (
            f"{', '.join(repr(t) for t in unknown[row])} "
            f"{'is not a known ' + noun if len(unknown[row]) == 1 else 'are not known ' + noun + 's'} "
            f"(allowed: {allowed})"
        ),
    )
    return out


# the roles an applicant may rank: the other side, and "either" on both sides
_RANKABLE = {"mentor": {"mentee", "either"}, "mentee": {"mentor", "either"}, "either": ROLES.keys()}


def _ranking(
    con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, out: pd.DataFrame, report: Reporter, known: Known
) -> pd.Series:
    """The ranking column as lists of employee ids, best first (NULL for an empty cell); bad ids are reported.

    A ranked id must have an application in the same cohort, in this file or the database, on the other
    side (see _RANKABLE), and not be the applicant nor repeat. An application from an earlier file of
    the same import counts, its role not yet known here.
    """
    values = text(frame, "ranking")
    result = pd.Series(None, index=frame.index, dtype="object")
    if values.isna().all():
        return result
    cohorts = sorted(set(out["cohort"].dropna()))
    stored = con.execute(
        "SELECT employee_id, cohort, role FROM applications WHERE list_contains(?, cohort)", [cohorts]
    ).fetchall()
    role_of = {(e, c): r for e, c, r in stored}
    for e, c, r in zip(out["employee_id"], out["cohort"], out["role"], strict=True):
        if pd.notna(e) and pd.notna(c) and pd.notna(r):
            role_of[(e, c)] = r
    problems: dict[int, str] = {}
    for row, cell in values.dropna().items():
        me, cohort, role = out.at[row, "employee_id"], out.at[row, "cohort"], out.at[row, "role"]
        ids = split_terms(cell)
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        absent = [i for i in ids if (i, cohort) not in role_of and (i, cohort) not in known.applications]
        wrong_side = [
            i for i in ids if pd.notna(role) and role_of.get((i, cohort), role) not in _RANKABLE[role]
        ]
        if me in ids:
            problems[row] = f"the ranking names the applicant '{me}'"
        elif repeated:
            problems[row] = f"the ranking names {', '.join(repr(i) for i in repeated)} more than once"
        elif absent:
            problems[row] = (
                f"{', '.join(repr(i) for i in absent)} in the ranking "
                f"{'has' if len(absent) == 1 else 'have'} no application for cohort '{cohort}'"
            )
        elif wrong_side:
            listing = ", ".join(f"'{i}' ({role_of[(i, cohort)]})" for i in wrong_side)
            problems[row] = f"a {role} ranks the other side; {listing} in the ranking cannot be their partner"
        result[row] = ids or None
    report.rows(pd.Series(values.index.isin(list(problems)), index=values.index), "ranking", problems.get)
    return result


def _number(
    frame: pd.DataFrame,
    column: str,
    report: Reporter,
    decimal_comma: bool,
    low: float,
    high: float | None,
    what: str,
) -> pd.Series:
    """The column as numbers; values outside [low, high] are reported (with `what`) and left NULL."""
    numbers = parse_numbers(text(frame, column), column, report, decimal_comma)
    outside = (numbers < low) | (numbers > high if high is not None else False)
    report.rows(outside, column, lambda row: f"{column} {numbers[row]:g} is not {what}")
    return numbers.where(~outside)


def validate_applications(
    con: duckdb.DuckDBPyConnection,
    frame: pd.DataFrame,
    report: Reporter,
    known: Known,
    against_db: bool,
    decimal_comma: bool,
) -> dict[str, pd.DataFrame]:
    """The rows of the applications table; problems go to `report`."""
    out = pd.DataFrame(index=frame.index)
    for column in ("employee_id", "cohort"):
        out[column] = text(frame, column)
        checks.require(out[column], column, report)
    role = text(frame, "role")
    checks.require(role, "role", report)
    out["role"] = checks.enum(role, "role", ROLES, report)
    for column in VOCABULARIES:
        out[column] = _lists(frame, column, report)
    for code, spec in STYLE.items():
        out[code] = _number(
            frame,
            code,
            report,
            decimal_comma,
            spec.scale_min,
            spec.scale_max,
            f"from {spec.scale_min} to {spec.scale_max}",
        )
    out["hours_per_month"] = _number(
        frame, "hours_per_month", report, decimal_comma, 0, MAX_HOURS, f"from 0 to {MAX_HOURS:g} hours"
    )
    for column in ("time_zone", "location"):
        out[column] = text(frame, column)
    prefers = checks.enum(text(frame, "prefers_other_department"), "prefers_other_department", YES_NO, report)
    out["prefers_other_department"] = prefers.astype("boolean")
    out["culture_change_involvement"] = _number(
        frame, "culture_change_involvement", report, decimal_comma, 0, None, "a number of years (0 or more)"
    )
    capacity = _number(frame, "capacity", report, decimal_comma, 1, None, "a number of mentees (1 or more)")
    report.rows(
        capacity.notna() & (capacity != capacity.round()),
        "capacity",
        lambda row: f"capacity {capacity[row]:g} is not a whole number of mentees",
    )
    out["capacity"] = capacity.where(capacity == capacity.round()).astype("Int64")
    ok = checks.known_ids(con, out["employee_id"], "employees", "employee_id", known.employees)
    report.rows(
        ~ok,
        "employee_id",
        lambda row: f"employee_id '{out.at[row, 'employee_id']}' is not in the employees data",
    )
    out["ranking"] = _ranking(con, frame, out, report, known)
    checks.duplicates(out, ["employee_id", "cohort"], report, "employee / cohort")
    if against_db:
        checks.existing_keys(
            con,
            out,
            ["employee_id", "cohort"],
            "applications",
            known.applications,
            report,
            "employee / cohort",
        )
    return {"applications": out}
