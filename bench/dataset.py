"""The benchmark's data: the shipped sample, or an enterprise organisation from the same generator."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from analytics.ingest.load import import_files
from analytics.sample import programme
from analytics.store import db

__all__ = ["ENTERPRISE", "SCALES", "scale_files", "biggest_pulse", "pulse_files", "build_database"]

# 12 monthly pulses of 10 items (the generator's default pulse items) with a comment from 30 % of
# respondents, and 10 cohorts of 100 pairs: a 2,000-participant programme. The organisation employs
# about 50,000 people (51,300-52,100 over the year; the HRIS export also lists leavers, ~82,600 rows);
# 65 % answer each monthly pulse (~33,500 responses), and the latest month is an all-staff census
# answered by exactly 50,000 of them (96 %): the file figures 1-3 measure.
ENTERPRISE = {
    "headcount": 51_500,
    "cohorts": 10,
    "pairs_per_cohort": 100,
    "pulses": 12,
    "comment_rate": 0.30,
    "response_rate": 0.65,
    "census": 50_000,
}
SCALES = ("small", "enterprise")


def scale_files(scale: str, directory: Path) -> list[Path]:
    """The CSV files of one scale in import order: the shipped sample, or enterprise files written here."""
    if scale == "small":
        return programme.sample_files()
    if scale == "enterprise":
        programme.write_sample(directory, **ENTERPRISE)
        files = programme.sample_files(directory)
        pulse, rows = biggest_pulse(files)
        if rows < ENTERPRISE["census"]:  # figures 1-3 are defined on a 50,000-response file
            raise AssertionError(f"{pulse.name} has {rows:,} responses, fewer than {ENTERPRISE['census']:,}")
        return files
    raise ValueError(f"scale must be one of {', '.join(SCALES)}; got {scale!r}")


def pulse_files(files: list[Path]) -> list[Path]:
    """The monthly (confidential) pulse files, oldest first."""
    return sorted(
        p for p in files if p.name.startswith("pulse_") and not p.name.startswith("pulse_anonymous")
    )


def _data_rows(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for _ in handle) - 1


def biggest_pulse(files: list[Path]) -> tuple[Path, int]:
    """The monthly pulse file with the most responses (at enterprise scale, the census), and its row count."""
    counted = [(p, _data_rows(p)) for p in pulse_files(files)]
    return max(counted, key=lambda pair: (pair[1], pair[0].name))


def build_database(
    path: Path, files: list[Path], progress: Callable[[str], None] = print
) -> duckdb.DuckDBPyConnection:
    """Import the files one by one into a new database at path, reporting each; return the connection."""
    con = db.connect(path)
    for file in files:
        start = time.perf_counter()
        result = import_files(con, [file])[0]
        progress(f"  imported {file.name}: {result.rows:,} rows in {time.perf_counter() - start:.1f} s")
    return con
