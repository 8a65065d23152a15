"""Small template files written from code for the ingest and command-line tests."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import duckdb

__all__ = [
    "EMPLOYEES",
    "PARTICIPANTS",
    "SURVEY",
    "GOALS",
    "SESSIONS",
    "csv_bytes",
    "write_csv",
    "write_xlsx",
    "snapshot",
]

EMPLOYEES = [
    ["employee_id", "department", "grade", "hire_date", "exit_date", "exit_type", "gender"],
    ["E1", "Technology", "G3", "2020-01-06", "", "", "woman"],
    ["E2", "Finance", "G7", "2012-09-01", "", "", "man"],
    ["E3", "Finance", "G2", "2021-04-12", "2025-06-30", "voluntary", "woman"],
    ["E4", "Technology", "G8", "2010-02-01", "", "", "man"],
]

PARTICIPANTS = [
    [
        "employee_id",
        "cohort",
        "role",
        "pair_id",
        "focus",
        "start_date",
        "end_date",
        "status",
        "story_consent",
    ],
    ["E1", "2025-A", "mentor", "P1", "technology", "2025-01-13", "", "active", "yes"],
    ["E2", "2025-A", "mentee", "P1", "technology", "2025-01-13", "", "", "no"],
    ["E3", "2025-A", "mentor", "P2", "inclusion", "2025-01-13", "2025-06-30", "withdrawn", ""],
    ["E4", "2025-A", "mentee", "P2", "inclusion", "2025-01-13", "", "completed", "1"],
]

SURVEY = [
    [
        "response_id",
        "employee_id",
        "wave",
        "submitted_at",
        "ps_1",
        "ps_2",
        "ps_4",
        "eng_1",
        "enps",
        "comment_experience",
    ],
    [
        "R1",
        "E1",
        "pre",
        "2025-01-14 09:30:00",
        "2",
        "Strongly agree",
        "somewhat agree",
        "Agree",
        "9",
        "The book was good.",
    ],
    [
        "R2",
        "E2",
        "pre",
        "2025-01-15",
        "6",
        "5",
        "",
        "3",
        "0",
        "Call me on +44 20 7946 0958 or mail a.b@example.com",
    ],
    ["R3", "", "pre", "2025-01-16", "", "", "", "", "10", ""],
]

GOALS = [
    ["employee_id", "goal_id", "title", "weight", "level_mid", "level_post"],
    ["E1", "G1", "Present to the board", "2", "-1", "+1"],
    ["E1", "G2", "Learn SQL", "", "0", ""],
    ["E2", "G1", "Use the new tools", "1.5", "-2", "2"],
]

SESSIONS = [
    ["pair_id", "date", "minutes", "kind"],
    ["P1", "2025-02-03", "45", "meeting"],
    ["P1", "2025-03-03", "", "check-in"],
    ["P2", "2025-02-10", "60", "shadowing"],
]


def csv_bytes(rows: list[list[str]], delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    """The rows as CSV text in the given delimiter and encoding."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def write_csv(folder: Path, name: str, rows: list[list[str]], **options) -> Path:
    """Write the rows as a CSV file in folder and return its path."""
    path = folder / name
    path.write_bytes(csv_bytes(rows, **options))
    return path


def write_xlsx(folder: Path, name: str, rows: list[list[object]]) -> Path:
    """Write the rows to the first sheet of a new workbook (cells keep their Python types)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    path = folder / name
    book.save(path)
    return path


def snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    """Every row of every table, sorted, to compare the database before and after."""
    tables = [
        r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY table_name").fetchall()
    ]
    return {t: sorted(con.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}
