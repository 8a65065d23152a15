"""Validate a survey table and split it into responses, answers (long format) and comments."""

from __future__ import annotations

import duckdb
import pandas as pd

from analytics.ingest import checks
from analytics.ingest.checks import Known, text
from analytics.ingest.convert import Reporter, parse_dates, today
from analytics.ingest.kinds import ATTRIBUTE_COLUMNS
from analytics.ingest.source import RawTable
from analytics.instruments import ITEMS, label_to_value

__all__ = ["validate_survey", "wave_kind", "COMMENT_PREFIX"]

COMMENT_PREFIX = "comment_"
_PROGRAMME_WAVES = ("pre", "mid", "post")


def wave_kind(wave: str) -> str:
    """pre, mid or post when the wave has that name, else pulse."""
    return wave if wave in _PROGRAMME_WAVES else "pulse"


def _waves(frame: pd.DataFrame, header: list[str], wave: str | None, report: Reporter) -> pd.Series:
    values = text(frame, "wave")
    if wave:
        given = wave.strip()
        differs = values.notna() & (values.str.lower() != given.lower())
        report.rows(
            differs,
            "wave",
            lambda row: (
                f"wave '{values[row]}' differs from the wave chosen at import ('{given}'); the file's value is kept"
            ),
            severity="warning",
        )
        values = values.fillna(given)
    elif "wave" not in header:
        report.file("the file has no wave column: add one or choose the wave at import", column="wave")
    else:
        report.rows(values.isna(), "wave", "wave is required (or choose the wave at import)")
    lowered = values.str.lower()
    return values.where(~lowered.isin(_PROGRAMME_WAVES), lowered)


def _item_values(frame: pd.DataFrame, item_code: str, report: Reporter) -> pd.Series:
    """Numeric answers of one item column: numbers or labels, checked against the item's scale."""
    spec = ITEMS[item_code]
    answers = text(frame, item_code)
    distinct = answers.dropna().unique()
    lookup = {a: label_to_value(item_code, a) for a in distinct}
    values = answers.map(lookup).astype("float64")
    report.rows(
        answers.notna() & values.isna(),
        item_code,
        lambda row: (
            f"'{answers[row]}' is not an answer Mutual knows for {item_code} "
            f"(use {spec.scale_min}-{spec.scale_max} or an agreement label)"
        ),
    )
    outside = values.notna() & ((values < spec.scale_min) | (values > spec.scale_max) | (values % 1 != 0))
    report.rows(
        outside,
        item_code,
        lambda row: (
            f"{values[row]:g} is outside the scale of {item_code} "
            f"(whole numbers {spec.scale_min}-{spec.scale_max})"
        ),
    )
    return values.where(~outside)


def _answers(responses: pd.DataFrame, values: dict[str, pd.Series]) -> pd.DataFrame:
    if not values:
        return pd.DataFrame({"response_id": [], "item_id": [], "value": []})
    wide = pd.DataFrame(values, index=responses.index)
    wide.insert(0, "response_id", responses["response_id"])
    long = wide.melt(id_vars="response_id", var_name="item_id", value_name="value")
    return long.dropna(subset=["value"]).reset_index(drop=True)


def _comments(frame: pd.DataFrame, responses: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    # One block per question, stacked: a question may be named anything, even "text" or "response_id".
    blocks = [
        pd.DataFrame(
            {
                "response_id": responses["response_id"],
                "question": c[len(COMMENT_PREFIX) :],
                "text": text(frame, c),
            },
            index=frame.index,
        )
        for c in columns
    ]
    if not blocks:
        return pd.DataFrame({"response_id": [], "question": [], "text": []}, dtype="str")
    long = pd.concat(blocks, ignore_index=True)
    return long.dropna(subset=["text"]).reset_index(drop=True)


def validate_survey(
    con: duckdb.DuckDBPyConnection,
    table: RawTable,
    report: Reporter,
    known: Known,
    wave: str | None,
    against_db: bool,
) -> dict[str, pd.DataFrame]:
    """responses, answers and comments frames of a survey file; problems go to `report`."""
    frame = table.frame
    items = [c for c in table.header if c in ITEMS]
    comment_columns = [c for c in table.header if c.startswith(COMMENT_PREFIX)]
    for column in comment_columns:
        if column == COMMENT_PREFIX:
            report.file("a comment column needs a question name after 'comment_'", column=column)
    if "response_id" not in table.header:
        report.file("the required column 'response_id' is missing", column="response_id")
    if not items:
        report.file("the survey has no item columns (ps_1 ... sat_3, enps)")
    if "response_id" not in table.header:
        return {}

    responses = pd.DataFrame(index=frame.index)
    responses["response_id"] = text(frame, "response_id")
    checks.require(responses["response_id"], "response_id", report)
    responses["employee_id"] = text(frame, "employee_id")
    responses["wave"] = _waves(frame, table.header, wave, report)
    submitted = parse_dates(text(frame, "submitted_at"), "submitted_at", report)
    report.rows(
        submitted >= today() + pd.Timedelta(days=1),
        "submitted_at",
        lambda row: f"submitted_at {submitted[row]:%Y-%m-%d} is in the future",
    )
    responses["submitted_at"] = submitted
    for column in ATTRIBUTE_COLUMNS:
        responses[column] = text(frame, column)

    ok = checks.known_ids(con, responses["employee_id"], "employees", "employee_id", known.employees)
    report.rows(
        ~ok,
        "employee_id",
        lambda row: f"employee_id '{responses.at[row, 'employee_id']}' is not in the employees data",
    )
    hired = checks.hire_dates(con, responses["employee_id"].where(ok), known.hired)
    report.rows(
        submitted.dt.normalize() < hired,
        "submitted_at",
        lambda row: (
            f"submitted_at {submitted[row]:%Y-%m-%d} is before the employee was hired ({hired[row]:%Y-%m-%d})"
        ),
    )
    checks.duplicates(responses, ["response_id"], report, "response_id")
    if against_db:
        checks.existing_keys(
            con, responses, ["response_id"], "responses", known.responses, report, "response_id"
        )

    values = {code: _item_values(frame, code, report) for code in items}
    return {
        "responses": responses,
        "answers": _answers(responses, values),
        "comments": _comments(frame, responses, [c for c in comment_columns if c != COMMENT_PREFIX]),
    }
