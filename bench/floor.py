"""The storage floor: the least any import of a survey file must write under DESIGN.md's data model.

`import_vs_read_csv` divides Mutual's import by a bare `read_csv` into one table. But a survey file
is not stored as one table: its rows become `responses` (keyed by response_id), one `answers` row
per item answered (UNPIVOT), and `comments` rows, all in one transaction. `floor_seconds` times
only that: the file read into a temporary table of text cells, the three INSERT ... SELECT
statements and the COMMIT, with no validation, redaction, import record or `response_scores`.
Divided by the same `read_csv` time, it shows how much of the import's ratio is the data model's
own writes, which no import code can remove.
"""

from __future__ import annotations

import time
from pathlib import Path

from analytics.ingest.fast_checks import quote as _q
from analytics.ingest.survey import COMMENT_PREFIX
from analytics.instruments import ITEMS
from analytics.store import db

__all__ = ["STEPS", "floor_seconds", "fastest"]

STEPS = ("read", "responses", "answers", "comments", "commit")
_ROWS = "bench_floor_rows"


def _header(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig") as handle:
        return handle.readline().strip().split(",")


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _statements(header: list[str], path: Path, import_id: int) -> dict[str, tuple[str, list]]:
    """The SQL and parameters of each step for a template survey file with this header."""
    columns = "{" + ", ".join(f"{_literal(name)}: 'VARCHAR'" for name in header) + "}"
    items = ", ".join(_q(c) for c in header if c in ITEMS)
    comments = [c for c in header if c.startswith(COMMENT_PREFIX)]
    cells = " UNION ALL ".join(
        f"SELECT response_id, ? AS question, {_q(c)} AS text FROM {_ROWS} WHERE {_q(c)} IS NOT NULL"
        for c in comments
    )
    employee = "employee_id" if "employee_id" in header else "NULL"
    stamp = "CAST(submitted_at AS TIMESTAMP)" if "submitted_at" in header else "NULL"
    questions = [c[len(COMMENT_PREFIX) :] for c in comments]
    return {
        "read": (
            f"""CREATE TEMP TABLE {_ROWS} AS SELECT * FROM read_csv(?, auto_detect = false,
            header = true, delim = ',', quote = '"', escape = '"', columns = {columns},
            strict_mode = true, null_padding = false, encoding = 'utf-8', comment = '')""",
            [str(path)],
        ),
        "responses": (
            f"""INSERT INTO responses (response_id, employee_id, wave, submitted_at, import_id)
            SELECT response_id, {employee}, wave, {stamp}, ? FROM {_ROWS}""",
            [import_id],
        ),
        "answers": (
            f"""INSERT INTO answers SELECT response_id, item_id, CAST(value AS DOUBLE), ?
            FROM (UNPIVOT (SELECT response_id, {items} FROM {_ROWS}) ON {items}
                  INTO NAME item_id VALUE value)""",
            [import_id],
        ),
        "comments": (
            f"""INSERT INTO comments (response_id, question, text, import_id)
            SELECT response_id, question, text, ? FROM ({cells})""",
            [import_id, *questions],
        )
        if cells
        else ("", []),
        "commit": ("COMMIT", []),
    }


def floor_seconds(database: Path, path: Path) -> dict[str, float]:
    """Seconds of each step (and `total`) storing the file in the database (a copy: it is changed)."""
    header = _header(path)
    con = db.connect(database)
    try:
        import_id = con.execute("SELECT coalesce(max(import_id), 0) + 1 FROM imports").fetchone()[0]
        statements = _statements(header, path, int(import_id))
        seconds = {}
        con.execute("BEGIN TRANSACTION")
        for step in STEPS:
            sql, params = statements[step]
            start = time.perf_counter()
            if sql:
                con.execute(sql, params)
            seconds[step] = time.perf_counter() - start
    finally:
        con.close()
    seconds["total"] = sum(seconds[s] for s in STEPS)
    return seconds


def fastest(runs: list[dict[str, float]]) -> dict[str, float]:
    """The run with the smallest total."""
    return min(runs, key=lambda run: run["total"])
