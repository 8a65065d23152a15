"""Import timings: one pulse file against read_csv and the storage floor, its sentiment against VADER."""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from analytics.ingest.load import import_files
from analytics.store import db
from analytics.text.sentiment import score_import, score_texts
from bench import floor

__all__ = [
    "COPIES",
    "FirstImports",
    "first_imports",
    "ImportTimings",
    "time_import",
    "rescore_seconds",
    "read_csv_seconds",
    "sentiment_seconds",
    "vader_seconds",
    "best_of_pairs",
]

_SCRATCH = "bench_read_csv"
# Copies of the pre-import database that first_imports makes next to it (and deletes).
COPIES = ("pre_import.duckdb", "import_run.duckdb", "floor_run.duckdb")


@dataclass
class ImportTimings:
    """Seconds for one file: the first import (without sentiment; the fastest run), scoring and storing
    its comments' sentiment (`analytics.text.sentiment.score_import`), the re-import, and their sizes."""

    import_seconds: float
    sentiment_seconds: float
    reimport_seconds: float
    reimport_status: str
    rows: int
    comments: list[str]
    import_id: int


def _seconds(action) -> tuple[float, object]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


@dataclass
class FirstImports:
    """The first import of a file, timed on identical copies of one database, with its baselines.

    `con` is open on the database itself, holding the last run's import (`results`).
    """

    import_runs: list[float]
    read_csv_runs: list[float]
    floor_runs: list[dict[str, float]]
    con: duckdb.DuckDBPyConnection
    results: list


def first_imports(database: Path, path: Path, repeat: int = 3) -> FirstImports:
    """Import the file (without sentiment) `repeat` times, each on a fresh copy of the closed database.

    Each round times, on the same pre-import state and so under the same load, the storage floor
    (`bench.floor`), the import and one `read_csv`. The last round's import runs on `database`
    itself and is kept; the copies are deleted.
    """
    if database.with_name(database.name + ".wal").exists():
        raise AssertionError(f"{database} has a write-ahead log: checkpoint and close it first")
    pristine, scratch, floor_copy = (database.with_name(name) for name in COPIES)
    shutil.copyfile(database, pristine)
    imports, read_csvs, floors = [], [], []
    try:
        for round_ in range(repeat):
            shutil.copyfile(pristine, floor_copy)
            floors.append(floor.floor_seconds(floor_copy, path))
            last = round_ == repeat - 1
            if not last:
                shutil.copyfile(pristine, scratch)
            con = db.connect(database if last else scratch)
            try:
                start = time.perf_counter()
                results = import_files(con, [path], score_sentiment=False)
                imports.append(time.perf_counter() - start)
                read_csvs.append(read_csv_seconds(con, path, repeat=1))
            except BaseException:
                con.close()
                raise
            if not last:
                con.close()
    finally:
        for copy in (pristine, scratch, floor_copy):
            copy.unlink(missing_ok=True)
            copy.with_name(copy.name + ".wal").unlink(missing_ok=True)
    return FirstImports(imports, read_csvs, floors, con, results)


def time_import(con: duckdb.DuckDBPyConnection, path: Path, first: float, results: list) -> ImportTimings:
    """After the first import (`first` seconds, its `results`): score its comments, import it again unchanged."""
    import_id = results[0].import_id
    scoring, _ = _seconds(lambda: score_import(con, import_id))
    again, repeated = _seconds(lambda: import_files(con, [path]))
    texts = [
        r[0] for r in con.execute("SELECT text FROM comments WHERE import_id = ?", [import_id]).fetchall()
    ]
    return ImportTimings(first, scoring, again, repeated[0].status, results[0].rows, texts, import_id)


def rescore_seconds(con: duckdb.DuckDBPyConnection, import_id: int, repeat: int = 2) -> list[float]:
    """Times of score_import after setting the import's scores back to NULL (as a fresh import leaves them)."""
    times = []
    for _ in range(repeat):
        con.execute(
            "UPDATE comments SET compound = NULL, pos = NULL, neu = NULL, neg = NULL, label = NULL "
            "WHERE import_id = ?",
            [import_id],
        )
        seconds, _ = _seconds(lambda: score_import(con, import_id))
        times.append(seconds)
    return times


def read_csv_seconds(con: duckdb.DuckDBPyConnection, path: Path, repeat: int = 3) -> float:
    """Best time of DuckDB's own `CREATE TABLE ... AS SELECT * FROM read_csv(file)` (table dropped after)."""
    best = float("inf")
    for _ in range(repeat):
        con.execute(f"DROP TABLE IF EXISTS {_SCRATCH}")
        seconds, _ = _seconds(
            lambda: con.execute(f"CREATE TABLE {_SCRATCH} AS SELECT * FROM read_csv(?)", [str(path)])
        )
        best = min(best, seconds)
    con.execute(f"DROP TABLE IF EXISTS {_SCRATCH}")
    return best


def sentiment_seconds(con: duckdb.DuckDBPyConnection, texts: list[str], workers: int | None = None) -> float:
    """Time to score the texts with analytics.text.sentiment and store the scores in a (temporary) table."""

    def score_and_store() -> None:
        scores = score_texts(texts, workers=workers)
        scored = pd.concat([pd.Series(texts, name="text", dtype="str"), scores], axis=1)
        con.register("bench_scored", scored)
        try:
            con.execute("CREATE OR REPLACE TEMP TABLE bench_scores AS SELECT * FROM bench_scored")
        finally:
            con.unregister("bench_scored")

    seconds, _ = _seconds(score_and_store)
    con.execute("DROP TABLE IF EXISTS bench_scores")
    return seconds


def vader_seconds(texts: list[str]) -> float:
    """Time of a bare loop of SentimentIntensityAnalyzer.polarity_scores over the texts."""
    analyzer = SentimentIntensityAnalyzer()
    polarity = analyzer.polarity_scores

    def loop() -> None:
        for text in texts:
            polarity(text)

    seconds, _ = _seconds(loop)
    return seconds


def best_of_pairs(first, second, repeat: int = 3) -> tuple[float, float]:
    """Fastest of `repeat` runs of each of two timed actions, run alternately so both meet the same load."""
    times = [(first(), second()) for _ in range(repeat)]
    return min(t[0] for t in times), min(t[1] for t in times)
