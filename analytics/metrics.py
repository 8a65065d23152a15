"""Construct scores, group statistics, % favourable, eNPS, goal attainment and participation."""

from __future__ import annotations

import math

import duckdb
import pandas as pd

from analytics.filters import Filters, where_sql
from analytics.instruments import CONSTRUCTS, items_of

__all__ = ["construct_scores"]


def construct_scores(
    con: duckdb.DuckDBPyConnection,
    construct: str,
    filters: Filters | None = None,
    waves: list[str] | None = None,
) -> pd.DataFrame:
    """One row per response: its construct score (mean of answered items after reverse coding).

    A score is valid when at least half the construct's items are answered; responses below that
    are left out. Columns: every column of the `respondents` view, plus `score` and `answered`.
    """
    spec = CONSTRUCTS[construct]
    needed = math.ceil(len(items_of(construct)) / 2)
    condition, params = where_sql(filters, "r")
    wave_sql = ""
    if waves:
        wave_sql = f" AND r.wave IN ({', '.join('?' for _ in waves)})"
        params = params + list(waves)
    sql = f"""
        WITH scored AS (
            SELECT a.response_id,
                   avg(CASE WHEN i.reverse THEN i.scale_min + i.scale_max - a.value ELSE a.value END) AS score,
                   count(*) AS answered
            FROM answers a JOIN items i USING (item_id)
            WHERE i.construct = ?
            GROUP BY a.response_id
            HAVING count(*) >= ?
        )
        SELECT r.*, s.score, s.answered
        FROM scored s JOIN respondents r USING (response_id)
        WHERE {condition}{wave_sql}
        ORDER BY r.response_id
    """
    return con.execute(sql, [spec.code, needed, *params]).df()
