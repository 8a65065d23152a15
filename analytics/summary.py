"""The headline figures of DESIGN.md section 6 as one JSON-ready dict."""

from __future__ import annotations

import duckdb

__all__ = ["summary"]


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


def summary(con: duckdb.DuckDBPyConnection) -> dict:
    """Every headline figure; a figure the privacy threshold suppresses is None."""
    return {"counts": counts(con)}
