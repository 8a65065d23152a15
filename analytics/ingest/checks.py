"""Checks shared by every kind of file: required values, enums, duplicate keys, ids known elsewhere."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from analytics.ingest.convert import Reporter

__all__ = [
    "Known",
    "text",
    "require",
    "enum",
    "duplicates",
    "known_ids",
    "existing_keys",
    "relation",
    "hire_dates",
]


@dataclass
class Known:
    """Keys added by earlier files of the same batch, which later files may refer to or repeat."""

    employees: set[str] = field(default_factory=set)
    pairs: set[str] = field(default_factory=set)
    responses: set[str] = field(default_factory=set)
    participants: set[tuple[str, str]] = field(default_factory=set)
    goals: set[tuple[str, str]] = field(default_factory=set)
    applications: set[tuple[str, str]] = field(default_factory=set)
    hired: dict[str, object] = field(default_factory=dict)  # employee_id -> hire_date


@contextmanager
def relation(con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame) -> Iterator[None]:
    """The frame registered as a relation for the duration of the block."""
    con.complete()  # DuckDB refuses to register while a caller's result is still unread
    con.register(name, frame)
    try:
        yield
    finally:
        con.unregister(name)


def text(frame: pd.DataFrame, column: str) -> pd.Series:
    """The column as stripped text with NA for empty cells (all NA when the column is absent)."""
    if column not in frame.columns:
        return pd.Series(pd.NA, index=frame.index, dtype="str")
    values = frame[column].astype("str").str.strip()
    return values.where(values != "")


def require(values: pd.Series, column: str, report: Reporter) -> None:
    """Report every empty cell of a required column."""
    report.rows(values.isna(), column, f"{column} is required")


def enum(
    values: pd.Series, column: str, allowed: dict[str, object], report: Reporter, default: object = None
) -> pd.Series:
    """Map case-insensitive values through `allowed`; report the others; empty -> default."""
    lowered = values.str.lower()
    mapped = lowered.map(allowed)
    wrong = values.notna() & ~lowered.isin(list(allowed))
    choices = sorted({str(v) for v in allowed})
    report.rows(wrong, column, lambda row: f"'{values[row]}' is not one of {', '.join(choices)}")
    if default is not None:
        mapped = mapped.where(values.notna(), default)
    return mapped


def duplicates(frame: pd.DataFrame, keys: list[str], report: Reporter, what: str) -> pd.Series:
    """Report rows repeating the key of an earlier row; returns the mask of repeats."""
    complete = frame[keys].notna().all(axis=1)
    keyed = frame.loc[complete, keys]
    repeat = keyed.duplicated(keep="first")
    if not repeat.any():
        return pd.Series(False, index=frame.index)
    rows = pd.Series(keyed.index, index=keyed.index)
    first = rows.groupby([keyed[k] for k in keys], sort=False).transform("first")
    column = keys[-1]
    report.rows(
        repeat,
        column,
        lambda row: (
            f"{what} '{' / '.join(str(frame.at[row, k]) for k in keys)}' repeats row {int(first[row])}"
        ),
    )
    return repeat.reindex(frame.index, fill_value=False)


def _db_matches(con: duckdb.DuckDBPyConnection, keys: pd.DataFrame, query: str) -> set[tuple]:
    """Distinct key tuples of `keys` that `query` (over a relation named _mutual_keys) returns."""
    distinct = keys.dropna().drop_duplicates().reset_index(drop=True)
    if distinct.empty:
        return set()
    distinct.columns = [f"k{i}" for i in range(len(distinct.columns))]
    with relation(con, "_mutual_keys", distinct):
        return {tuple(r) for r in con.execute(query).fetchall()}


def known_ids(
    con: duckdb.DuckDBPyConnection, values: pd.Series, table: str, column: str, batch: set[str]
) -> pd.Series:
    """Whether each value exists in table.column of the database or in the batch (NA counts as known)."""
    missing = _db_matches(
        con,
        pd.DataFrame({"k0": values.dropna().unique()}),
        f'SELECT k0 FROM _mutual_keys k ANTI JOIN "{table}" t ON k.k0 = t."{column}"',
    )
    unknown = {m[0] for m in missing} - batch
    if not unknown:
        return pd.Series(True, index=values.index)
    return ~values.isin(unknown)


def existing_keys(
    con: duckdb.DuckDBPyConnection,
    frame: pd.DataFrame,
    keys: list[str],
    table: str,
    batch: set,
    report: Reporter,
    what: str,
) -> None:
    """Report rows whose key is already in the database table or in an earlier file of the batch."""
    on = " AND ".join(f'k.k{i} = t."{key}"' for i, key in enumerate(keys))
    columns = ", ".join(f"k.k{i}" for i in range(len(keys)))
    found = _db_matches(
        con, frame[keys], f'SELECT {columns} FROM _mutual_keys k SEMI JOIN "{table}" t ON {on}'
    )
    if not found and not batch:
        return  # the usual case: nothing to report, so no key tuples to build
    as_tuples = pd.Series(list(zip(*(frame[k] for k in keys), strict=True)), index=frame.index)
    label = " / ".join(keys)

    def shown(row: int) -> str:
        return " / ".join(str(frame.at[row, k]) for k in keys)

    in_batch = as_tuples.isin({k if isinstance(k, tuple) else (k,) for k in batch}) if batch else None
    if in_batch is not None:
        report.rows(
            in_batch, keys[-1], lambda row: f"{what} '{shown(row)}' is also in an earlier file of this import"
        )
    if found:
        in_db = as_tuples.isin(found)
        if in_batch is not None:
            in_db &= ~in_batch
        report.rows(
            in_db, keys[-1], lambda row: f"{what} '{shown(row)}' is already in the database ({label})"
        )


def hire_dates(con: duckdb.DuckDBPyConnection, employee_ids: pd.Series, batch: dict) -> pd.Series:
    """Each employee's hire date from the database or an earlier file of the batch (NaT when unknown)."""
    ids = pd.DataFrame({"k0": employee_ids.dropna().unique()})
    found: dict = {}
    if not ids.empty:
        with relation(con, "_mutual_keys", ids):
            rows = con.execute(
                "SELECT e.employee_id, e.hire_date FROM _mutual_keys k JOIN employees e ON k.k0 = e.employee_id"
            ).fetchall()
        found = {r[0]: r[1] for r in rows}
    found.update({k: v for k, v in batch.items() if k in set(ids["k0"])})
    return pd.to_datetime(employee_ids.map(found), errors="coerce")
