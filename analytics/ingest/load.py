"""Load validated files into DuckDB in one transaction, record them, and undo an import."""

from __future__ import annotations

import contextlib
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from analytics.errors import MutualError, Problem
from analytics.ingest import fast
from analytics.ingest.checks import Known, relation
from analytics.ingest.inspection import Inspection, check, earlier_import, recognise
from analytics.ingest.kinds import LOAD_ORDER
from analytics.ingest.redact import redact
from analytics.ingest.source import max_file_bytes, open_source
from analytics.ingest.validate import remember
from analytics.store.db import mark_scores, refresh_scores, scores_fresh
from analytics.text.sentiment import score_texts

__all__ = ["ImportResult", "import_files", "import_history", "undo_import"]

IMPORTED = "imported"
SKIPPED = "skipped: already imported"
_RELATION = "_mutual_rows"
_ATTEMPTS = 5
# Kinds whose rows give every response its attributes: importing or undoing one rebuilds the scores.
_ATTRIBUTE_KINDS = ("employees", "participants")
_DERIVED = ("response_scores", "response_scores_marks")  # kept by Mutual, not reported as removed rows
# Scores of one import that are a respondent's first in a wave while another import has theirs too.
_MOVES_FIRST = """
    SELECT count(*) FROM response_scores x JOIN response_scores y
        ON x.construct = y.construct AND x.wave = y.wave
       AND coalesce(x.employee_id, x.response_id) = coalesce(y.employee_id, y.response_id)
    WHERE x.first_in_wave AND x.import_id = ? AND y.import_id IS DISTINCT FROM ?"""


@dataclass
class ImportResult:
    """What happened to one file of an import."""

    import_id: int | None
    file_name: str
    kind: str | None
    rows: int
    status: str
    warnings: list[Problem] = field(default_factory=list)
    waves: list[str] = field(default_factory=list)
    message: str = ""


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, import_id: int) -> None:
    """INSERT the frame's columns (names chosen by Mutual, not by the file) plus import_id."""
    if frame.empty:
        return
    columns = ", ".join(f'"{c}"' for c in frame.columns)
    with relation(con, _RELATION, frame.reset_index(drop=True)):
        con.execute(
            f'INSERT INTO "{table}" ({columns}, import_id) SELECT {columns}, ? FROM {_RELATION}', [import_id]
        ).fetchall()


def _scored_comments(comments: pd.DataFrame, score_sentiment: bool) -> pd.DataFrame:
    """The comments redacted, with their sentiment unless score_sentiment is False (left NULL)."""
    raw = comments["text"].tolist()
    redacted = {t: redact(t) for t in dict.fromkeys(raw)}  # comments repeat: redact each text once
    texts = [redacted[t] for t in raw]
    out = comments[["response_id", "question"]].reset_index(drop=True)
    out["text"] = pd.Series(texts, dtype="str")
    if not score_sentiment:
        return out
    scores = score_texts(texts)
    return pd.concat([out, scores[["compound", "pos", "neu", "neg", "label"]]], axis=1)


def _insert_waves(con: duckdb.DuckDBPyConnection, responses: pd.DataFrame) -> None:
    with relation(con, _RELATION, responses[["wave", "submitted_at"]].reset_index(drop=True)):
        fast.claim_waves(con, f"SELECT wave, submitted_at FROM {_RELATION}")


def _load(con: duckdb.DuckDBPyConnection, inspection: Inspection, score_sentiment: bool) -> ImportResult:
    import_id = int(con.execute("SELECT nextval('import_id_seq')").fetchall()[0][0])
    tables = dict(inspection.table_rows)
    if "responses" in tables:
        _insert_waves(con, tables["responses"])
    if "comments" in tables and not tables["comments"].empty:
        tables["comments"] = _scored_comments(tables["comments"], score_sentiment)
    for table, frame in tables.items():
        _insert(con, table, frame, import_id)
    return _record(
        con,
        import_id,
        inspection.file_name,
        inspection.sha256,
        inspection.format,
        inspection.kind,
        inspection.rows,
        inspection.waves,
        inspection.warnings,
    )


def _record(
    con: duckdb.DuckDBPyConnection,
    import_id: int,
    file_name: str,
    sha256: str,
    fmt: str,
    kind: str,
    rows: int,
    waves: list[str],
    warnings: list[Problem],
) -> ImportResult:
    """Record a loaded file in `imports`; what happened to it."""
    con.execute(
        """INSERT INTO imports (import_id, file_name, sha256, format, kind, wave, rows, status, errors, imported_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, now())""",
        [import_id, file_name, sha256, fmt, kind, ", ".join(waves) if waves else None, rows, IMPORTED],
    )
    message = f"imported {rows:,} row{'s' if rows != 1 else ''} as import {import_id}"
    return ImportResult(import_id, file_name, kind, rows, IMPORTED, warnings, waves, message)


def _skipped(inspection: Inspection) -> ImportResult:
    if inspection.previous_import is None:
        message = "the same file is already part of this import"
    else:
        message = (
            f"already imported on {inspection.previous_imported_at} (import {inspection.previous_import})"
        )
    return ImportResult(
        inspection.previous_import,
        inspection.file_name,
        inspection.kind,
        inspection.rows,
        SKIPPED,
        inspection.warnings,
        inspection.waves,
        message,
    )


def _inspect_batch(
    con: duckdb.DuckDBPyConnection, files: list, kind: str | None, wave: str | None, mapping: dict | None
) -> list[Inspection]:
    """Recognise every file, then validate them in load order so later files see earlier ones' keys."""
    recognised = [recognise(con, open_source(f), kind, mapping, skip_known=True) for f in files]
    seen: set[str] = set()
    for inspection in recognised:
        if inspection.sha256 in seen:
            inspection.already_imported = True
        seen.add(inspection.sha256)
    order = {k: i for i, k in enumerate(LOAD_ORDER)}
    ordered = sorted(recognised, key=lambda i: order.get(i.kind or "", len(order)))
    known = Known()
    for inspection in ordered:
        check(con, inspection, wave, known)
        # Remember keys even from a file with errors: the batch fails anyway, and later files
        # should not repeat its problems as unknown ids.
        remember(known, inspection.table_rows)
    return ordered


def _refresh_scores(con: duckdb.DuckDBPyConnection, results: list[ImportResult], fresh: bool) -> None:
    """Keep response_scores in step: add the new surveys' scores, or rebuild after new attributes.

    `fresh` says whether the table was in step before this import; if not, it is rebuilt.
    """
    loaded = [r for r in results if r.status == IMPORTED]
    if not loaded:
        return
    if not fresh or any(r.kind in _ATTRIBUTE_KINDS for r in loaded):
        refresh_scores(con)
    else:
        for result in loaded:
            if result.kind == "survey":
                refresh_scores(con, result.import_id)
    mark_scores(con, loaded[-1].import_id)


def _row_order(problem: Problem) -> float:
    """Row problems in row order; problems without a row (summaries) after them."""
    return problem.row if problem.row is not None else float("inf")


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back, if DuckDB has not already done so (a failed COMMIT ends the transaction itself)."""
    with contextlib.suppress(duckdb.TransactionException):
        con.execute("ROLLBACK")


class _Conflict(Exception):
    """Another session's transaction committed rows this one also wrote (e.g. the same new wave)."""


@contextlib.contextmanager
def _transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """BEGIN ... COMMIT, rolled back on any error; the database's refusals become MutualError or _Conflict."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
        con.execute("COMMIT")
    except duckdb.ConstraintException as exc:
        _rollback(con)
        raise MutualError(f"Nothing was imported: the database refused the rows ({exc}).") from exc
    except duckdb.TransactionException as exc:
        _rollback(con)
        raise _Conflict(str(exc)) from exc
    except BaseException:
        _rollback(con)
        raise


def _load_screened(
    con: duckdb.DuckDBPyConnection, screened: fast.Screened, score_sentiment: bool
) -> ImportResult:
    """Load a file the fast path proved clean, in one transaction, as `_load` would have."""
    try:
        texts = fast.comment_texts(con, screened, score_sentiment)
        with _transaction(con):
            fresh = scores_fresh(con)
            import_id = int(con.execute("SELECT nextval('import_id_seq')").fetchall()[0][0])
            fast.load(con, screened, import_id, texts)
            result = _record(
                con,
                import_id,
                screened.file_name,
                screened.sha256,
                fast.TEMPLATE.name,
                "survey",
                screened.rows,
                screened.waves,
                [],
            )
            _refresh_scores(con, [result], fresh)
    finally:
        fast.drop(con)
    return result


@contextlib.contextmanager
def _on_disk(file: Path | tuple[str, bytes]) -> Iterator[tuple[Path | None, str | None]]:
    """A path DuckDB's CSV reader can open for the file, and the name to record when it is not the
    path's: a path as it is, or an uploaded CSV's bytes copied to a temporary file (removed
    afterwards) with the upload's own name, so uploads can take the fast path too; no path for an
    upload that is not a .csv or is over the size limit (the ordinary path says why)."""
    if not isinstance(file, tuple):
        yield Path(file), None
        return
    name, data = file
    if not str(name).lower().endswith(".csv") or len(data) > max_file_bytes():
        yield None, None
        return
    with tempfile.TemporaryDirectory(prefix="mutual-upload-") as folder:
        path = Path(folder) / "upload.csv"
        path.write_bytes(data)
        yield path, str(name)


def _import_once(
    con: duckdb.DuckDBPyConnection,
    files: list[Path | tuple[str, bytes]],
    kind: str | None,
    wave: str | None,
    mapping: dict | None,
    score_sentiment: bool,
) -> list[ImportResult]:
    if len(files) == 1 and kind in (None, "survey") and not mapping:
        with _on_disk(files[0]) as (path, name):
            screened = fast.screen(con, path, wave, earlier_import, name) if path is not None else None
            if screened is not None:
                return [_load_screened(con, screened, score_sentiment)]
    inspections = _inspect_batch(con, files, kind, wave, mapping)
    failed = [i for i in inspections if not i.ok]
    if failed:
        problems = [p for i in failed for p in sorted(i.errors, key=_row_order)]
        problems += [p for i in inspections for p in i.warnings]
        names = ", ".join(i.file_name for i in failed)
        raise MutualError(
            f"Nothing was imported: {names} {'has' if len(failed) == 1 else 'have'} errors.", problems
        )
    results = []
    with _transaction(con):
        fresh = scores_fresh(con)
        for inspection in inspections:
            results.append(
                _skipped(inspection)
                if inspection.already_imported
                else _load(con, inspection, score_sentiment)
            )
        _refresh_scores(con, results, fresh)
    return results


def import_files(
    con: duckdb.DuckDBPyConnection,
    files: list[Path | tuple[str, bytes]],
    kind: str | None = None,
    wave: str | None = None,
    mapping: dict | None = None,
    score_sentiment: bool = True,
) -> list[ImportResult]:
    """Validate all files and load them in one transaction, or raise MutualError and change nothing.

    Comments are scored for sentiment as they are stored; with score_sentiment=False their scores are
    left NULL, for `analytics.text.sentiment.score_import` to fill in later.

    When another session's import or undo changes the same rows first (two uploads adding the same
    new wave at once, or an undo removing the wave this import adds to), the whole batch is inspected
    and loaded again, so it sees the other's rows.
    """
    for attempt in range(_ATTEMPTS):
        try:
            return _import_once(con, files, kind, wave, mapping, score_sentiment)
        except _Conflict as conflict:
            if attempt == _ATTEMPTS - 1:
                raise MutualError(
                    "Nothing was imported: other imports kept changing the same data at the same time "
                    f"({conflict}). Try again."
                ) from conflict
            time.sleep(0.05 * (attempt + 1))  # let the other session's transaction finish
    raise AssertionError("unreachable")


def import_history(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every recorded import, newest first."""
    return con.execute("SELECT * FROM imports ORDER BY imported_at DESC, import_id DESC").df()


def _tables_with_import_id(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        """SELECT c.table_name FROM information_schema.columns c
        JOIN information_schema.tables t USING (table_schema, table_name)
        WHERE c.column_name = 'import_id' AND t.table_type = 'BASE TABLE' AND c.table_name <> 'imports'
          AND t.table_schema = current_schema()
        ORDER BY c.table_name"""
    ).fetchall()
    return [r[0] for r in rows]


def undo_import(con: duckdb.DuckDBPyConnection, import_id: int) -> dict[str, int]:
    """Remove every row an import added (and its record); rows removed per table.

    When another session is writing the same rows at that moment, the undo waits briefly and tries
    again, then raises MutualError (nothing removed) rather than DuckDB's conflict error.
    """
    for attempt in range(_ATTEMPTS):
        try:
            return _undo_once(con, import_id)
        except duckdb.TransactionException as exc:
            if attempt == _ATTEMPTS - 1:
                raise MutualError(
                    f"Import {import_id} was not undone: another session is changing the same rows. "
                    "Nothing was removed; try again in a moment."
                ) from exc
            time.sleep(0.1 * (attempt + 1))
    raise AssertionError("unreachable")


def _undo_once(con: duckdb.DuckDBPyConnection, import_id: int) -> dict[str, int]:
    if con.execute("SELECT count(*) FROM imports WHERE import_id = ?", [import_id]).fetchall()[0][0] == 0:
        raise MutualError(f"There is no import {import_id} to undo.")
    removed: dict[str, int] = {}
    con.execute("BEGIN TRANSACTION")
    try:
        kind = con.execute("SELECT kind FROM imports WHERE import_id = ?", [import_id]).fetchall()[0][0]
        moves_first = con.execute(_MOVES_FIRST, [import_id, import_id]).fetchall()[0][0] > 0
        waves = [
            r[0]
            for r in con.execute(
                "SELECT DISTINCT wave FROM responses WHERE import_id = ?", [import_id]
            ).fetchall()
        ]
        for table in _tables_with_import_id(con):
            removed[table] = int(
                con.execute(f'DELETE FROM "{table}" WHERE import_id = ?', [import_id]).fetchall()[0][0]
            )
        removed["waves"] = 0
        if waves:
            removed["waves"] = int(
                con.execute(
                    "DELETE FROM waves WHERE list_contains(?, wave) AND wave NOT IN (SELECT wave FROM responses)",
                    [waves],
                ).fetchall()[0][0]
            )
        # The import's scores and marks went with its rows. Rebuild when remaining responses take
        # attributes from its rows, or when a respondent's first score in a wave goes and another stays.
        if kind in _ATTRIBUTE_KINDS or moves_first:
            refresh_scores(con)
        for table in _DERIVED:
            removed.pop(table, None)
        removed["imports"] = int(
            con.execute("DELETE FROM imports WHERE import_id = ?", [import_id]).fetchall()[0][0]
        )
        con.execute("COMMIT")
    except BaseException:
        _rollback(con)
        raise
    return removed
