"""Import one clean template survey CSV with DuckDB alone, without a pandas pass over its rows.

`screen` reads a file with DuckDB's CSV reader into a temporary table and proves in SQL that the
ordinary path (pandas reader, `validate_survey`) would accept it without a single error or warning
and store exactly the same rows (the checks are in `fast_checks`); `load` then writes those rows
with INSERT ... SELECT. Any doubt (an unusual encoding, header or value, a problem in any row)
returns None from `screen`, and the import takes the ordinary path, which gives the messages. Setting $MUTUAL_IMPORT_FAST=0 turns the
fast path off (for tests and benchmarks that compare both).
"""

from __future__ import annotations

import contextlib
import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from analytics.ingest.fast_checks import ROWS, WAVE, clean, plain_csv, template_header
from analytics.ingest.fast_checks import quote as _q
from analytics.ingest.formats import TEMPLATE, detect_format
from analytics.ingest.kinds import ATTRIBUTE_COLUMNS
from analytics.ingest.redact import redact
from analytics.ingest.source import RawTable, Source, open_source
from analytics.ingest.survey import COMMENT_PREFIX
from analytics.instruments import ITEMS
from analytics.text.sentiment import score_texts

__all__ = ["Screened", "enabled", "screen", "comment_texts", "load", "claim_waves", "drop", "taken"]

_TEXTS = "_mutual_fast_texts"
_BOM = b"\xef\xbb\xbf"
_PROGRAMME_WAVES = ("pre", "mid", "post")
# Texts redact() might change: one with a character an e-mail (@) or phone number (digits) needs, or
# any other outside ASCII letters and the few marks here; or with "www" or "http" in any case (URLs).
_MAYBE_PRIVATE = "[^A-Za-z ,.;:!?()'-]|[wW][wW][wW]|[hH][tT][tT][pP]"

taken = 0  # imports the fast path has loaded in this process (tests check it was used)


def enabled() -> bool:
    """Whether the fast path may be tried ($MUTUAL_IMPORT_FAST=0 turns it off)."""
    return os.environ.get("MUTUAL_IMPORT_FAST", "1") != "0"


@dataclass
class Screened:
    """A file proven clean: its rows sit in the temporary table ROWS of the connection."""

    file_name: str
    sha256: str
    rows: int
    waves: list[str]
    items: list[str]
    comments: list[str]  # comment_ columns
    attributes: list[str]
    wave: str | None  # the wave chosen at import, filling empty wave cells
    starts: dict[str, datetime | None]  # each stored wave's first submitted_at


def _template_format(header: list[str], first_rows: list[tuple]) -> bool:
    """Whether the ordinary path would read the file as a Mutual template (no survey tool's layout)."""
    table = RawTable(header=header, frame=pd.DataFrame())
    # the grid's rows as the reader gives them (header, then cells as text, "" when empty)
    table.__dict__["rows"] = [header, *[["" if v is None else v for v in row] for row in first_rows]]
    return detect_format(table)[0] is TEMPLATE


def _read(con: duckdb.DuckDBPyConnection, path: str, header: list[str]) -> bool:
    columns = "{" + ", ".join(f"'{name}': 'VARCHAR'" for name in header) + "}"  # names checked above
    try:
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE {ROWS} AS SELECT * FROM read_csv(?, auto_detect = false,
                header = true, delim = ',', quote = '"', escape = '"', columns = {columns},
                strict_mode = true, null_padding = false, encoding = 'utf-8', comment = '')""",
            [path],
        )
    except duckdb.Error:
        return False
    return True


def _wave_sql(given: str | None, has_column: bool) -> tuple[str, list]:
    """The stored wave of a row: the file's, else the one chosen at import; programme waves in lower case."""
    value = ("coalesce(wave, ?)" if given else "wave") if has_column else "CAST(? AS VARCHAR)"
    params = [given] * 3 if given else []
    sql = f"CASE WHEN lower({value}) IN ('pre', 'mid', 'post') THEN lower({value}) ELSE {value} END"
    return sql, params


def drop(con: duckdb.DuckDBPyConnection) -> None:
    """Remove the temporary table of a screened file (and undo an insertion order `load` changed)."""
    con.execute("RESET SESSION preserve_insertion_order")
    con.execute(f"DROP TABLE IF EXISTS {ROWS}")


def screen(
    con: duckdb.DuckDBPyConnection,
    file: Path | str | tuple[str, bytes],
    wave: str | None,
    previous: object,
    name: str | None = None,
) -> Screened | None:
    """The file read into ROWS when it is a clean template survey CSV on disk, else None.

    `previous(con, sha256)` tells whether the same bytes were imported before (then None: the
    ordinary path skips the file). `name` is the one to record, when not the file's own (an
    upload copied to disk).
    """
    if isinstance(file, tuple | Source) or not enabled():
        return None
    if wave is not None and (not wave or not WAVE.fullmatch(wave)):
        return None
    path = Path(file)
    try:
        before = path.stat()
    except OSError:
        return None
    source = open_source(path)
    sha256 = source.sha256  # hashed once: the property hashes the bytes on every call
    if source.size is not None or previous(con, sha256) is not None:
        return None
    data = source.data[len(_BOM) :] if source.data.startswith(_BOM) else source.data
    header = template_header(data)
    if header is None or not plain_csv(data):
        return None
    if not _read(con, str(path), header):
        return None
    try:
        after = path.stat()
        unchanged = (after.st_mtime_ns, after.st_size) == (before.st_mtime_ns, before.st_size)
        try:
            found = clean(con, header, wave) if unchanged else None
        except duckdb.Error:  # whatever DuckDB cannot check is left to the ordinary path
            found = None
        if found is None:
            drop(con)
            return None
        first = con.execute(f"SELECT * FROM {ROWS} LIMIT 3").fetchall()
        if not _template_format(header, first):
            drop(con)
            return None
    except BaseException:
        drop(con)
        raise
    rows, file_waves = found
    starts: dict[str, datetime | None] = {}
    for value, first in file_waves:
        stored = value or wave
        stored = stored.lower() if stored.lower() in _PROGRAMME_WAVES else stored
        known = starts.get(stored)
        starts[stored] = first if known is None or (first is not None and first < known) else known
    return Screened(
        file_name=name or source.name,
        sha256=sha256,
        rows=rows,
        waves=sorted(starts),
        items=[c for c in header if c in ITEMS],
        comments=[c for c in header if c.startswith(COMMENT_PREFIX)],
        attributes=[c for c in ATTRIBUTE_COLUMNS if c in header],
        wave=wave,
        starts=starts,
    )


def claim_waves(con: duckdb.DuckDBPyConnection, rows_sql: str, params: list | None = None) -> None:
    """Write the waves row of every wave the import's responses use (`rows_sql`: wave, submitted_at).

    A wave row that exists is deleted and written back unchanged, so an undo that deletes it at the
    same moment (its last responses gone, in its snapshot) conflicts with this import instead of
    both committing and leaving these responses without their wave. DuckDB reports a write-write
    conflict for two deletes of one row, but not for an update against a delete.
    """
    params = params or []
    used = f"SELECT DISTINCT wave FROM ({rows_sql}) WHERE wave IS NOT NULL"
    kept = con.execute(
        f"DELETE FROM waves WHERE wave IN ({used}) RETURNING wave, kind, opened_on", params
    ).fetchall()
    if kept:
        con.executemany("INSERT INTO waves (wave, kind, opened_on) VALUES (?, ?, ?)", kept)
    con.execute(
        f"""INSERT INTO waves (wave, kind, opened_on)
        SELECT wave, CASE WHEN wave IN ('pre', 'mid', 'post') THEN wave ELSE 'pulse' END,
               min(CAST(submitted_at AS DATE))
        FROM ({rows_sql})
        WHERE wave IS NOT NULL AND wave NOT IN (SELECT wave FROM waves)
        GROUP BY wave""",
        params,
    ).fetchall()


def _cells(screened: Screened) -> str:
    """Every filled comment cell: response_id, question (a parameter per column), text."""
    return " UNION ALL ".join(
        f"SELECT response_id, ? AS question, {_q(c)} AS text FROM {ROWS} WHERE {_q(c)} IS NOT NULL"
        for c in screened.comments
    )


def comment_texts(con: duckdb.DuckDBPyConnection, screened: Screened, score: bool) -> pd.DataFrame:
    """Each distinct comment text (raw) redacted (text), with its sentiment when `score`.

    Worked out before the import's transaction begins, as the ordinary path does. Without
    sentiment, only texts redact() could change are listed: one with nothing but ASCII letters,
    spaces and a few punctuation marks holds no e-mail (@), URL (http, www) or phone number
    (digits), and is stored as it is.
    """
    texts = pd.DataFrame({"raw": pd.Series([], dtype="str"), "text": pd.Series([], dtype="str")})
    if not screened.comments:
        return texts
    questions = [c[len(COMMENT_PREFIX) :] for c in screened.comments]
    distinct_sql = f"SELECT DISTINCT text FROM ({_cells(screened)})"
    if score:
        rows = con.execute(distinct_sql, questions).fetchall()
    else:  # OFFSET 0 keeps the filter above the DISTINCT: the pattern runs once per distinct text
        rows = con.execute(
            f"SELECT text FROM ({distinct_sql} OFFSET 0) WHERE regexp_matches(text, ?)",
            [*questions, _MAYBE_PRIVATE],
        ).fetchall()
    distinct = [r[0] for r in rows]
    redacted = [redact(t) for t in distinct]
    texts = pd.DataFrame({"raw": pd.Series(distinct, dtype="str"), "text": pd.Series(redacted, dtype="str")})
    if score:
        unique = list(dict.fromkeys(redacted))
        scores = score_texts(unique)
        scores.insert(0, "text", pd.Series(unique, dtype="str"))
        texts = texts.merge(scores, on="text", how="left")
    return texts


def _comments(
    con: duckdb.DuckDBPyConnection, screened: Screened, import_id: int, texts: pd.DataFrame
) -> None:
    """Insert the comments, redacted (and scored) as `comment_texts` worked out."""
    if not screened.comments:
        return
    questions = [c[len(COMMENT_PREFIX) :] for c in screened.comments]
    columns = ["compound", "pos", "neu", "neg", "label"]
    chosen = ", ".join(f"t.{c}" if c in texts.columns else "NULL" for c in columns)
    con.register(_TEXTS, texts)
    try:
        con.execute(
            f"""INSERT INTO comments (response_id, question, text, {", ".join(columns)}, import_id)
            SELECT c.response_id, c.question, coalesce(t.text, c.text), {chosen}, ?
            FROM ({_cells(screened)}) c LEFT JOIN {_TEXTS} t ON c.text = t.raw""",
            [import_id, *questions],
        )
    finally:
        with contextlib.suppress(duckdb.TransactionException):  # keep the error that aborted it
            con.unregister(_TEXTS)


def load(con: duckdb.DuckDBPyConnection, screened: Screened, import_id: int, texts: pd.DataFrame) -> None:
    """Write a screened file's waves, responses, answers and comments (inside the caller's transaction)."""
    columns = _columns(con)
    wave_sql, wave_params = _wave_sql(screened.wave, "wave" in columns)
    stamp = "CAST(submitted_at AS TIMESTAMP)" if "submitted_at" in columns else "NULL::TIMESTAMP"
    # the screen found each wave's first submitted_at: claim from those rather than scan ROWS twice
    starts = " UNION ALL ".join(
        "SELECT CAST(? AS VARCHAR) AS wave, CAST(? AS TIMESTAMP) AS submitted_at" for _ in screened.starts
    )
    claim_waves(con, starts, [v for pair in screened.starts.items() for v in pair])
    employee = "employee_id" if "employee_id" in columns else "NULL"
    attributes = ", ".join(c if c in screened.attributes else "NULL" for c in ATTRIBUTE_COLUMNS)
    con.execute(
        f"""INSERT INTO responses (response_id, employee_id, wave, submitted_at, import_id,
                                   {", ".join(ATTRIBUTE_COLUMNS)})
        SELECT response_id, {employee}, {wave_sql}, {stamp}, ?, {attributes} FROM {ROWS}""",
        [*wave_params, import_id],
    )
    items = ", ".join(_q(c) for c in screened.items)
    slices = _slices(con, screened.rows)
    part = f"""SELECT response_id, item_id, CAST(value AS DOUBLE), ?
        FROM (UNPIVOT (SELECT response_id, {items} FROM {ROWS} WHERE rowid >= ? AND rowid < ?)
              ON {items} INTO NAME item_id VALUE value)"""
    with _unordered(con, len(slices) > 1):
        con.execute(
            f"INSERT INTO answers (response_id, item_id, value, import_id) {' UNION ALL '.join(part for _ in slices)}",
            [v for first, end in slices for v in (import_id, first, end)],
        )
    _comments(con, screened, import_id, texts)
    global taken
    taken += 1


_SLICE_ROWS = 10_000  # fewer rows per thread are not worth a pipeline of their own


def _slices(con: duckdb.DuckDBPyConnection, rows: int) -> list[tuple[int, int]]:
    """Row ranges of ROWS (by rowid), one per DuckDB thread, for an INSERT whose parts run side by side."""
    threads = int(con.execute("SELECT current_setting('threads')").fetchone()[0])
    count = max(1, min(threads, rows // _SLICE_ROWS))
    bounds = [rows * i // count for i in range(count + 1)]
    return list(itertools.pairwise(bounds))


@contextlib.contextmanager
def _unordered(con: duckdb.DuckDBPyConnection, wanted: bool) -> Iterator[None]:
    """Let this connection's next INSERT write its UNION ALL parts in parallel, in any row order.

    DuckDB writes a table scan of one row group on one thread, and runs the parts of a UNION ALL
    one after the other while it preserves insertion order. Rows' order in a table is no part of
    its content (every query orders what it needs). The setting is this session's alone and is
    reset afterwards; if the statement failed, the transaction refuses the RESET until it is rolled
    back, so `drop` (which the caller runs after the rollback) resets it then.
    """
    if not wanted:
        yield
        return
    con.execute("SET SESSION preserve_insertion_order = false")
    try:
        yield
    finally:
        with contextlib.suppress(duckdb.TransactionException):
            con.execute("RESET SESSION preserve_insertion_order")


def _columns(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute(f"SELECT name FROM pragma_table_info('{ROWS}')").fetchall()}
