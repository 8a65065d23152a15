"""Validate a template table of one kind and convert it to the rows of its database tables."""

from __future__ import annotations

import hashlib

import duckdb
import pandas as pd

from analytics.ingest import checks
from analytics.ingest.applications import validate_applications
from analytics.ingest.checks import Known, text
from analytics.ingest.convert import Reporter, parse_dates, parse_numbers, today
from analytics.ingest.kinds import COLUMNS, REQUIRED
from analytics.ingest.source import RawTable
from analytics.ingest.survey import validate_survey

__all__ = ["validate", "remember"]

_EXIT_TYPES = {"voluntary": "voluntary", "involuntary": "involuntary"}
_ROLES = {"mentor": "mentor", "mentee": "mentee"}
_STATUSES = {"active": "active", "completed": "completed", "withdrawn": "withdrawn"}
_CONSENT = {
    "yes": True,
    "no": False,
    "true": True,
    "false": False,
    "1": True,
    "0": False,
    "y": True,
    "n": False,
}
_LEVELS = {-2, -1, 0, 1, 2}
_FITS = {"good fit": "good fit", "still deciding": "still deciding", "not a fit": "not a fit"}

Connection = duckdb.DuckDBPyConnection
Rows = dict[str, pd.DataFrame]  # database table -> rows to insert


def _missing_columns(table: RawTable, kind: str, report: Reporter) -> bool:
    missing = [c for c in REQUIRED[kind] if c not in table.header]
    for column in missing:
        report.file(f"the required column '{column}' is missing", column=column)
    return bool(missing)


def _unknown_columns(table: RawTable, kind: str, report: Reporter) -> None:
    known = set(COLUMNS[kind])
    for column in table.header:
        if column not in known and not (kind == "survey" and column.startswith("comment_")):
            report.file(
                f"column '{column}' is not a {kind} column and is ignored", column=column, severity="warning"
            )


def _email_hash(emails: pd.Series) -> pd.Series:
    distinct = emails.dropna().str.lower().unique()
    hashes = {e: hashlib.sha256(e.encode("utf-8")).hexdigest() for e in distinct}
    return emails.str.lower().map(hashes).astype("str")


def _employees(
    con: Connection,
    frame: pd.DataFrame,
    report: Reporter,
    known: Known,
    against_db: bool,
    decimal_comma: bool,
) -> Rows:
    out = pd.DataFrame(index=frame.index)
    out["employee_id"] = text(frame, "employee_id")
    checks.require(out["employee_id"], "employee_id", report)
    for column in ("department", "grade", "location", "gender", "ethnicity", "age_band", "disability"):
        out[column] = text(frame, column)
    out["hire_date"] = parse_dates(text(frame, "hire_date"), "hire_date", report, required=True)
    out["exit_date"] = parse_dates(text(frame, "exit_date"), "exit_date", report)
    exit_type = text(frame, "exit_type")
    out["exit_type"] = checks.enum(exit_type, "exit_type", _EXIT_TYPES, report)
    report.rows(
        out["exit_date"].notna() & exit_type.isna(),
        "exit_type",
        "exit_type (voluntary or involuntary) is required when exit_date is set",
    )
    report.rows(
        out["exit_date"] < out["hire_date"],
        "exit_date",
        lambda row: (
            f"exit_date {out.at[row, 'exit_date']:%Y-%m-%d} is before hire_date "
            f"{out.at[row, 'hire_date']:%Y-%m-%d}"
        ),
    )
    out["email_hash"] = _email_hash(text(frame, "email"))
    out["manager_id"] = text(frame, "manager_id")
    report.rows(
        out["manager_id"] == out["employee_id"],
        "manager_id",
        lambda row: f"manager_id '{out.at[row, 'manager_id']}' is the employee themselves",
    )
    checks.duplicates(out, ["employee_id"], report, "employee_id")
    if against_db:
        checks.existing_keys(con, out, ["employee_id"], "employees", known.employees, report, "employee_id")
    return {"employees": out}


def _participants(
    con: Connection,
    frame: pd.DataFrame,
    report: Reporter,
    known: Known,
    against_db: bool,
    decimal_comma: bool,
) -> Rows:
    out = pd.DataFrame(index=frame.index)
    for column in ("employee_id", "cohort", "pair_id"):
        out[column] = text(frame, column)
        checks.require(out[column], column, report)
    role = text(frame, "role")
    checks.require(role, "role", report)
    out["role"] = checks.enum(role, "role", _ROLES, report)
    out["focus"] = text(frame, "focus")
    out["start_date"] = parse_dates(text(frame, "start_date"), "start_date", report, required=True)
    out["end_date"] = parse_dates(text(frame, "end_date"), "end_date", report)
    report.rows(out["end_date"] < out["start_date"], "end_date", "end_date is before start_date")
    out["status"] = checks.enum(text(frame, "status"), "status", _STATUSES, report, default="active")
    consent = checks.enum(text(frame, "story_consent"), "story_consent", _CONSENT, report, default=False)
    out["story_consent"] = consent.astype("boolean").fillna(False).astype("bool")
    _unknown_employees(con, out, report, known)
    checks.duplicates(out, ["employee_id", "cohort"], report, "employee / cohort")
    if against_db:
        checks.existing_keys(
            con,
            out,
            ["employee_id", "cohort"],
            "participants",
            known.participants,
            report,
            "employee / cohort",
        )
    roles = out.dropna(subset=["pair_id", "role"]).groupby(["pair_id", "role"]).size()
    for pair_id, role_name in roles[roles > 1].index[:20]:
        report.file(f"pair '{pair_id}' has more than one {role_name}", column="pair_id", severity="warning")
    return {"participants": out}


def _unknown_employees(con: Connection, out: pd.DataFrame, report: Reporter, known: Known) -> None:
    ok = checks.known_ids(con, out["employee_id"], "employees", "employee_id", known.employees)
    report.rows(
        ~ok,
        "employee_id",
        lambda row: f"employee_id '{out.at[row, 'employee_id']}' is not in the employees data",
    )


def _goals(
    con: Connection,
    frame: pd.DataFrame,
    report: Reporter,
    known: Known,
    against_db: bool,
    decimal_comma: bool,
) -> Rows:
    out = pd.DataFrame(index=frame.index)
    for column in ("employee_id", "goal_id"):
        out[column] = text(frame, column)
        checks.require(out[column], column, report)
    out["title"] = text(frame, "title")
    weight = parse_numbers(text(frame, "weight"), "weight", report, decimal_comma)
    report.rows(weight <= 0, "weight", "weight must be a positive number")
    out["weight"] = weight.fillna(1.0)
    for column in ("level_mid", "level_post"):
        level = parse_numbers(text(frame, column), column, report, decimal_comma)
        report.rows(
            level.notna() & ~level.isin(_LEVELS),
            column,
            lambda row, level=level, column=column: f"{column} {level[row]:g} is not a level from -2 to +2",
        )
        out[column] = level.where(level.isin(_LEVELS)).astype("Int64")
    _unknown_employees(con, out, report, known)
    checks.duplicates(out, ["employee_id", "goal_id"], report, "employee / goal_id")
    if against_db:
        checks.existing_keys(
            con, out, ["employee_id", "goal_id"], "goals", known.goals, report, "employee / goal_id"
        )
    return {"goals": out}


def _sessions(
    con: Connection,
    frame: pd.DataFrame,
    report: Reporter,
    known: Known,
    against_db: bool,
    decimal_comma: bool,
) -> Rows:
    out = pd.DataFrame(index=frame.index)
    out["pair_id"] = text(frame, "pair_id")
    checks.require(out["pair_id"], "pair_id", report)
    out["date"] = parse_dates(text(frame, "date"), "date", report, required=True)
    report.rows(
        out["date"] >= today() + pd.Timedelta(days=1),
        "date",
        lambda row: f"date {out.at[row, 'date']:%Y-%m-%d} is in the future",
    )
    minutes = parse_numbers(text(frame, "minutes"), "minutes", report, decimal_comma)
    report.rows(minutes < 0, "minutes", "minutes cannot be negative")
    out["minutes"] = minutes.where(minutes >= 0).round().astype("Int64")
    out["kind"] = text(frame, "kind")
    fit = text(frame, "fit")
    out["fit"] = checks.enum(fit.str.replace(r"\s+", " ", regex=True), "fit", _FITS, report)
    ok = checks.known_ids(con, out["pair_id"], "participants", "pair_id", known.pairs)
    report.rows(
        ~ok, "pair_id", lambda row: f"pair_id '{out.at[row, 'pair_id']}' is not in the programme roster"
    )
    return {"sessions": out}


_VALIDATORS = {
    "employees": _employees,
    "participants": _participants,
    "goals": _goals,
    "sessions": _sessions,
    "applications": validate_applications,
}


def validate(
    con: duckdb.DuckDBPyConnection,
    table: RawTable,
    kind: str,
    report: Reporter,
    known: Known,
    wave: str | None = None,
    against_db: bool = True,
) -> dict[str, pd.DataFrame]:
    """The rows to insert per database table; problems go to `report`.

    `known` holds the keys of earlier files in the same batch; `against_db=False` skips the
    duplicate-key checks against the database (for a file that is already imported).
    """
    _unknown_columns(table, kind, report)
    if kind == "survey":
        return validate_survey(con, table, report, known, wave, against_db)
    if _missing_columns(table, kind, report):
        return {}
    return _VALIDATORS[kind](con, table.frame, report, known, against_db, table.decimal_comma)


def remember(known: Known, rows: dict[str, pd.DataFrame]) -> None:
    """Add the keys of a validated file to `known`, for the files after it in the batch."""
    if "employees" in rows:
        known.employees.update(rows["employees"]["employee_id"].dropna())
        hired = rows["employees"].dropna(subset=["employee_id", "hire_date"])
        known.hired.update(zip(hired["employee_id"], hired["hire_date"], strict=True))
    if "participants" in rows:
        frame = rows["participants"]
        known.pairs.update(frame["pair_id"].dropna())
        known.participants.update(zip(frame["employee_id"], frame["cohort"], strict=True))
    if "responses" in rows:
        known.responses.update(rows["responses"]["response_id"].dropna())
    if "applications" in rows:
        frame = rows["applications"]
        known.applications.update(zip(frame["employee_id"], frame["cohort"], strict=True))
    if "goals" in rows:
        known.goals.update(zip(rows["goals"]["employee_id"], rows["goals"]["goal_id"], strict=True))
