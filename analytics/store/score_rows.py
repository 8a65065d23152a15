"""The rows construct statistics aggregate: one per valid response, filtered, from one source of scores."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

import duckdb

from analytics.filters import Filters, where_sql
from analytics.instruments import CONSTRUCTS, min_answered
from analytics.store import db

__all__ = [
    "respondent_condition",
    "scores_sql",
    "score_rows_sql",
    "same_data",
    "scores_source",
]

# The source of construct scores chosen for a connection by same_data(), for the block's duration.
_PINNED: ContextVar[tuple[duckdb.DuckDBPyConnection, str] | None] = ContextVar("_PINNED", default=None)


def respondent_condition(filters: Filters | None, waves: list[str] | None) -> tuple[str, list]:
    """The SQL condition (on alias r) and parameters of the filters and, when given, the waves."""
    condition, params = where_sql(filters, "r")
    if waves:
        condition += f" AND r.wave IN ({', '.join('?' for _ in waves)})"
        params = params + list(waves)
    return condition, params


def score_rows_sql(
    source: str,
    construct: str,
    filters: Filters | None = None,
    waves: list[str] | None = None,
    first_in_wave: bool = False,
) -> tuple[str, list]:
    """SQL (and parameters) of construct_scores' rows, filtered, read from `source`.

    One row per valid response: respondents columns plus score, answered, favourable (and with
    first_in_wave, the column marking each respondent's first score in a wave). `source` is what
    scores_source(con) returned (a relation formatted into the SQL, never user text); filter values
    go in the parameters.
    """
    needed = min_answered(construct)
    condition, params = respondent_condition(filters, waves)
    dropped = "construct" if first_in_wave else "construct, first_in_wave"
    sql = f"""
        SELECT * EXCLUDE ({dropped}) FROM {source} r
        WHERE r.construct = ? AND r.answered >= ? AND {condition}
    """
    return sql, [CONSTRUCTS[construct].code, needed, *params]


def scores_sql(
    con: duckdb.DuckDBPyConnection, construct: str, waves: list[str] | None = None
) -> tuple[str, list]:
    """SQL (and parameters) of construct_scores' rows without filters, e.g. for the cells of a filter."""
    return score_rows_sql(scores_source(con), construct, None, waves)


@contextlib.contextmanager
def same_data(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Within the block, construct scores on this connection come from one source, checked once.

    db.scores_source fingerprints the data on every call; a batch of queries on data that does not
    change in between (one page, one report) needs the check only once.
    """
    pinned = _PINNED.get()
    if pinned is not None and pinned[0] is con:
        yield
        return
    token = _PINNED.set((con, db.scores_source(con)))
    try:
        yield
    finally:
        _PINNED.reset(token)


def scores_source(con: duckdb.DuckDBPyConnection) -> str:
    """What to read construct scores FROM: db.scores_source(con), or the one same_data() chose for the block."""
    pinned = _PINNED.get()
    return pinned[1] if pinned is not None and pinned[0] is con else db.scores_source(con)
