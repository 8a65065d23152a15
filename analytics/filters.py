"""The sidebar filters shared by every page, turned into parameterised SQL."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import duckdb
import pandas as pd

__all__ = [
    "ATTRIBUTES",
    "ATTRIBUTE_LABELS",
    "PROGRAMME_ATTRIBUTES",
    "NOT_RECORDED",
    "NOT_IN_PROGRAMME",
    "Filters",
    "missing_label",
    "selected",
    "where_sql",
    "filter_options",
]

# Columns of the `respondents` view that a breakdown or a filter may use.
ATTRIBUTES = (
    "cohort",
    "role",
    "focus",
    "department",
    "grade",
    "location",
    "gender",
    "ethnicity",
    "age_band",
    "disability",
)

# How each attribute is named on screen.
ATTRIBUTE_LABELS = {
    "cohort": "Cohort",
    "role": "Role",
    "focus": "Programme focus",
    "department": "Department",
    "grade": "Grade",
    "location": "Location",
    "gender": "Gender",
    "ethnicity": "Ethnicity",
    "age_band": "Age band",
    "disability": "Disability",
}

Filters = Mapping[str, Sequence[str]]

# Shown for respondents without a value of an attribute, so they still form a group.
NOT_RECORDED = "Not recorded"
NOT_IN_PROGRAMME = (
    "Not in the programme"  # pulse respondents outside the programme have no cohort, role or focus
)
PROGRAMME_ATTRIBUTES = ("cohort", "role", "focus")


def missing_label(attribute: str) -> str:
    """The group name of respondents without a value of `attribute`."""
    return NOT_IN_PROGRAMME if attribute in PROGRAMME_ATTRIBUTES else NOT_RECORDED


def _check(attribute: str) -> str:
    if attribute not in ATTRIBUTES:
        raise ValueError(f"unknown attribute {attribute!r}; expected one of {', '.join(ATTRIBUTES)}")
    return attribute


def selected(filters: Filters | None) -> dict[str, list[str]]:
    """The filtered attributes (checked) and their selected values as text; attributes without values left out."""
    return {_check(a): [str(v) for v in values] for a, values in (filters or {}).items() if values}


def where_sql(filters: Filters | None, alias: str = "r") -> tuple[str, list]:
    """A SQL condition (never empty: 'TRUE' when unfiltered) and its parameters."""
    clauses, params = ["TRUE"], []
    for attribute, values in (filters or {}).items():
        if not values:
            continue
        column = _check(attribute)
        clauses.append(f'{alias}."{column}" IN ({", ".join("?" for _ in values)})')
        params.extend(str(v) for v in values)
    return " AND ".join(clauses), params


def filter_options(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """The distinct values of every filterable attribute, for the sidebar."""
    options = {}
    for attribute in ATTRIBUTES:
        frame: pd.DataFrame = con.execute(
            f'SELECT DISTINCT "{attribute}" AS v FROM respondents WHERE "{attribute}" IS NOT NULL ORDER BY 1'
        ).df()
        options[attribute] = [str(v) for v in frame["v"]]
    return options
