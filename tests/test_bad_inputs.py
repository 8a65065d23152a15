"""A catalogue of bad input files, each refused with a located message by the API, the CLI and the Upload page.

Every file is generated here. For each one: `inspect_file` and `import_files` report a Problem naming the
file (and the row and column where there is one), the command line exits 1 with that message and no
traceback, the Upload page shows it without an exception, and every table keeps exactly the rows it had.
"""

from __future__ import annotations

import io
import os
import random
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fixtures_ingest import EMPLOYEES, PARTICIPANTS, SURVEY, csv_bytes, snapshot
from openpyxl import Workbook
from streamlit.testing.v1 import AppTest

from analytics.errors import MutualError, Problem
from analytics.ingest.inspection import inspect_file
from analytics.ingest.load import import_files
from analytics.store import db

ROOT = Path(__file__).resolve().parents[1]
HEADER = ["response_id", "employee_id", "wave", "submitted_at", "ps_1", "comment_experience"]
GOOD_ROW = ["N1", "E1", "pre", "2025-02-01", "3", "Helpful"]
HOSTILE_WAVE = "x'); DROP TABLE responses; --"
HOSTILE_COLUMN = 'x";DROP TABLE answers;--'


def _survey(*rows: list[str], header: list[str] = HEADER, **options) -> bytes:
    return csv_bytes([header, *rows], **options)


def _row(**changes: str) -> list[str]:
    values = dict(zip(HEADER, GOOD_ROW, strict=True)) | changes
    return [values[c] for c in HEADER]


def _xlsx(rows: list[list[object]], extra_sheets: int = 0, data_sheet_second: bool = False) -> bytes:
    book = Workbook()
    sheet = book.create_sheet("Data") if data_sheet_second else book.active
    for row in rows:
        sheet.append(row)
    for i in range(extra_sheets):
        book.create_sheet(f"Notes {i}").append(["note", i])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _corrupt_xlsx() -> bytes:
    data = bytearray(_xlsx(SURVEY))
    middle = len(data) // 2
    data[middle : middle + 400] = bytes(400)
    return bytes(data)


def _zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _zip_bomb() -> bytes:
    """A workbook-shaped zip whose sheet XML is 40 MB of one repeated byte: about 1,000 to 1 compressed."""
    return _zip_of(
        {
            "[Content_Types].xml": b"<Types/>",
            "xl/workbook.xml": b"<workbook/>",
            "xl/worksheets/sheet1.xml": b"<" + b"a" * 40_000_000,
        }
    )


def _encrypted_xlsx() -> bytes:
    """What Excel writes for a password-protected workbook: an OLE compound file with an EncryptionInfo stream."""
    rng = random.Random(6)
    return (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + bytes(rng.randrange(256) for _ in range(600))
        + "EncryptionInfo".encode("utf-16-le")
        + bytes(rng.randrange(256) for _ in range(2000))
    )


def _binary_junk() -> bytes:
    rng = random.Random(42)
    return bytes(rng.randrange(256) for _ in range(5000))


def _over_limit() -> bytes:
    """A valid survey of about 1.3 MB, over the 1 MB limit the case sets."""
    rows = [_row(response_id=f"L{i}", comment_experience="x" * 50) for i in range(18_000)]
    return _survey(*rows)


def _wide() -> bytes:
    return (
        ",".join(f"c{i}" for i in range(100_000)) + "\n" + ",".join("1" for _ in range(100_000)) + "\n"
    ).encode()


def _concatenated_with_bom() -> bytes:
    """Two UTF-8 exports pasted together: the second's BOM and header land mid-file as a data row."""
    first = b"\xef\xbb\xbf" + _survey(_row(response_id="C1"))
    return first + b"\xef\xbb\xbf" + _survey(_row(response_id="C2"))


def _mixed_line_endings() -> bytes:
    head = ",".join(HEADER).encode()
    return (
        head
        + b"\r\n"
        + ",".join(_row(response_id="M1")).encode()
        + b"\n"
        + ",".join(_row(response_id="M2")).encode()
        + b"\r"
        + ",".join(_row(response_id="M3", ps_1="8")).encode()
        + b"\r\n"
    )


@dataclass(frozen=True)
class Bad:
    """One bad input: how to make it and the problem it must produce."""

    name: str
    file_name: str
    make: Callable[[], bytes]
    message: str
    row: int | None = None
    column: str | None = None
    env: dict[str, str] = field(default_factory=dict)

    def matches(self, problem: Problem) -> bool:
        return (
            problem.file == self.file_name
            and self.message in problem.message
            and problem.row == self.row
            and problem.column == self.column
            and problem.severity == "error"
        )

    @property
    def located(self) -> str:
        """The start of the problem's line as str(Problem) prints it."""
        where = [self.file_name]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        return ", ".join(where) + ": "


CATALOGUE = [
    Bad("empty file", "empty.csv", lambda: b"", "the file is empty"),
    Bad("only blank lines", "blank.csv", lambda: b"  \r\n\r\n\t\n", "the file is empty"),
    Bad("header only", "header.csv", lambda: _survey(), "header row but no data rows", row=1),
    Bad("only delimiters", "commas.csv", lambda: b",,,,\n,,,,\n", "the file is empty"),
    Bad("only semicolons", "semicolons.csv", lambda: b";;;\n;;;\n;;;\n", "the file is empty"),
    Bad("binary junk named .csv", "junk.csv", _binary_junk, "looks like binary data"),
    Bad("NUL at the start", "nul_head.csv", lambda: b"\x00" + _survey(_row()), "looks like binary data"),
    Bad(
        "NUL byte in a cell",
        "nul_cell.csv",
        lambda: _survey(*[_row(response_id=f"U{i}") for i in range(300)], _row(response_id="U\x00X")),
        "NUL character",
        row=302,
        column="response_id",
    ),
    Bad("truncated XLSX", "truncated.xlsx", lambda: _xlsx(SURVEY)[:700], "cannot be read"),
    Bad("corrupt XLSX", "corrupt.xlsx", _corrupt_xlsx, "cannot be read"),
    Bad(
        "zip that is no workbook",
        "notabook.xlsx",
        lambda: _zip_of({"readme.txt": b"hello"}),
        "cannot be read",
    ),
    Bad("password-protected XLSX", "locked.xlsx", _encrypted_xlsx, "password-protected"),
    Bad(
        "OLE compound file (CFB magic + junk)",
        "cfb.xlsx",
        lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"junk" * 300,
        "password-protected",
    ),
    Bad("zip bomb disguised as XLSX", "bomb.xlsx", _zip_bomb, "would unpack to"),
    Bad(
        "file over the size limit",
        "big.csv",
        _over_limit,
        "Mutual reads files up to 1 MB",
        env={"MUTUAL_MAX_FILE_MB": "1"},
    ),
    Bad("100,000 columns", "wide.csv", _wide, "100,000 columns; Mutual reads at most 2,000"),
    Bad(
        "XLSX with the data on the second sheet",
        "second_sheet.xlsx",
        lambda: _xlsx(SURVEY, data_sheet_second=True),
        "first sheet 'Sheet' is empty",
    ),
    Bad(
        "XLSX with many sheets, bad value on the first",
        "many_sheets.xlsx",
        lambda: _xlsx([HEADER, _row(ps_1="12")], extra_sheets=60),
        "12 is outside the scale of ps_1",
        row=2,
        column="ps_1",
    ),
    Bad(
        "XLSX with formulas (no saved values)",
        "formulas.xlsx",
        lambda: _xlsx([HEADER, ['=CONCAT("N", 1)', "E1", "pre", "2025-02-01", "=1+2", "ok"]]),
        "response_id is required",
        row=2,
        column="response_id",
    ),
    Bad(
        "UTF-32 text",
        "utf32.csv",
        lambda: "\n".join(",".join(r) for r in [HEADER, _row()]).encode("utf-32"),
        "looks like binary data",
    ),
    Bad(
        "EBCDIC text",
        "ebcdic.csv",
        lambda: "\n".join(",".join(r) for r in [HEADER, _row()]).encode("cp500"),
        "header row but no data rows",
        row=1,
    ),
    Bad(
        "Windows-1252 text with an unknown accented id",
        "cp1252.csv",
        lambda: _survey(_row(employee_id="Zoë"), encoding="cp1252"),
        "employee_id 'Zoë' is not in the employees data",
        row=2,
        column="employee_id",
    ),
    Bad(
        "UTF-16 with a bad answer",
        "utf16.csv",
        lambda: _survey(_row(), _row(response_id="N2", ps_1="0"), encoding="utf-16"),
        "0 is outside the scale of ps_1",
        row=3,
        column="ps_1",
    ),
    Bad(
        "ragged row (too many cells)",
        "ragged_long.csv",
        lambda: _survey(_row() + ["extra", "cells"]),
        "column 7 has data but no header",
        row=1,
    ),
    Bad(
        "ragged row (too few cells)",
        "ragged_short.csv",
        lambda: _survey(_row(), ["N2", "E2"]),
        "wave is required",
        row=3,
        column="wave",
    ),
    Bad(
        "duplicate column names",
        "dup_columns.csv",
        lambda: _survey(_row() + ["4"], header=[*HEADER, "ps_1"]),
        "repeats column 'ps_1'",
        row=1,
        column="ps_1",
    ),
    Bad(
        "duplicate response ids",
        "dup_ids.csv",
        lambda: _survey(_row(), _row(employee_id="E2")),
        "response_id 'N1' repeats row 2",
        row=3,
        column="response_id",
    ),
    Bad(
        "response id already imported",
        "again.csv",
        lambda: _survey(_row(response_id="R1")),
        "already in the database",
        row=2,
        column="response_id",
    ),
    Bad(
        "unknown employee id",
        "unknown.csv",
        lambda: _survey(_row(), _row(response_id="N2", employee_id="E999")),
        "employee_id 'E999' is not in the employees data",
        row=3,
        column="employee_id",
    ),
    Bad(
        "Likert value out of range",
        "range.csv",
        lambda: _survey(_row(ps_1="9")),
        "9 is outside the scale of ps_1",
        row=2,
        column="ps_1",
    ),
    Bad(
        "Likert value not a whole number",
        "fraction.csv",
        lambda: _survey(_row(ps_1="3.5")),
        "3.5 is outside the scale of ps_1",
        row=2,
        column="ps_1",
    ),
    Bad(
        "non-numeric Likert value",
        "banana.csv",
        lambda: _survey(_row(ps_1="banana")),
        "'banana' is not an answer Mutual knows for ps_1",
        row=2,
        column="ps_1",
    ),
    Bad(
        "date in the future",
        "future.csv",
        lambda: _survey(_row(submitted_at="2099-01-01")),
        "submitted_at 2099-01-01 is in the future",
        row=2,
        column="submitted_at",
    ),
    Bad(
        "date before hire",
        "before_hire.csv",
        lambda: _survey(_row(submitted_at="2019-12-31")),
        "before the employee was hired (2020-01-06)",
        row=2,
        column="submitted_at",
    ),
    Bad(
        "not a date",
        "not_a_date.csv",
        lambda: _survey(_row(submitted_at="yesterday-ish")),
        "is not a date",
        row=2,
        column="submitted_at",
    ),
    Bad(
        "wave name with SQL in it (and a bad answer)",
        "sql_wave.csv",
        lambda: _survey(_row(wave=HOSTILE_WAVE, ps_1="99")),
        "99 is outside the scale of ps_1",
        row=2,
        column="ps_1",
    ),
    Bad(
        "column name with quotes and semicolons, no item columns",
        "sql_column.csv",
        lambda: _survey(
            ["N1", "E1", "pre", "1"], header=["response_id", "employee_id", "wave", HOSTILE_COLUMN]
        ),
        "the survey has no item columns",
    ),
    Bad(
        "a cell of several megabytes",
        "huge_cell.csv",
        lambda: _survey(_row(comment_experience="lorem ipsum " * 400_000)),
        "the cell holds 4,799,999 characters",
        row=2,
        column="comment_experience",
    ),
    Bad(
        "UTF-8 BOM in the middle (two exports pasted together)",
        "pasted.csv",
        _concatenated_with_bom,
        "'ps_1' is not an answer Mutual knows for ps_1",
        row=3,
        column="ps_1",
    ),
    Bad(
        "mixed line endings, bad value after a lone CR",
        "mixed_eol.csv",
        _mixed_line_endings,
        "8 is outside the scale of ps_1",
        row=4,
        column="ps_1",
    ),
    Bad(
        "columns of no known kind",
        "mystery.csv",
        lambda: csv_bytes([["colour", "size"], ["red", "L"]]),
        "cannot tell what kind of file this is",
    ),
    Bad(
        "employees file with an exit before hire",
        "hris.csv",
        lambda: csv_bytes(
            [
                ["employee_id", "hire_date", "exit_date", "exit_type"],
                ["E9", "2024-05-01", "2023-01-01", "voluntary"],
            ]
        ),
        "exit_date 2023-01-01 is before hire_date 2024-05-01",
        row=2,
        column="exit_date",
    ),
    Bad(
        "roster with an unknown role",
        "roster.csv",
        lambda: csv_bytes([PARTICIPANTS[0], ["E1", "2026-B", "boss", "P9", "", "2026-01-05", "", "", ""]]),
        "'boss' is not one of",
        row=2,
        column="role",
    ),
    Bad(
        "session log for a pair not in the roster",
        "sessions.csv",
        lambda: csv_bytes([["pair_id", "date", "minutes"], ["P404", "2025-03-01", "30"]]),
        "pair_id 'P404' is not in the programme roster",
        row=2,
        column="pair_id",
    ),
]
IDS = [b.name for b in CATALOGUE]


def test_the_catalogue_has_at_least_30_distinct_bad_inputs():
    made = {b.make() for b in CATALOGUE}
    assert len(CATALOGUE) >= 30 and len(made) == len(CATALOGUE) and len(set(IDS)) == len(IDS)
    print(f"bad inputs in the catalogue: {len(CATALOGUE)}")


@pytest.fixture(scope="module")
def base_db(tmp_path_factory) -> Path:
    """Employees, a roster and one pre survey (R1-R3): enough for unknown ids and repeats to mean something."""
    path = tmp_path_factory.mktemp("bad_inputs") / "base.duckdb"
    con = db.connect(path)
    import_files(
        con,
        [
            ("hris.csv", csv_bytes(EMPLOYEES)),
            ("roster.csv", csv_bytes(PARTICIPANTS)),
            ("pre.csv", csv_bytes(SURVEY)),
        ],
    )
    con.close()
    return path


@pytest.fixture
def database(base_db, tmp_path) -> Path:
    path = tmp_path / "mutual.duckdb"
    shutil.copy(base_db, path)
    return path


def _rows(path: Path) -> dict[str, list[tuple]]:
    con = db.connect(path)
    try:
        return snapshot(con)
    finally:
        con.close()


@pytest.mark.parametrize("bad", CATALOGUE, ids=IDS)
def test_inspect_and_import_report_the_located_problem(bad, database, monkeypatch):
    for name, value in bad.env.items():
        monkeypatch.setenv(name, value)
    data = bad.make()
    con = db.connect(database)
    try:
        before = snapshot(con)
        inspection = inspect_file(con, (bad.file_name, data))
        assert not inspection.ok
        assert any(bad.matches(p) for p in inspection.errors), inspection.errors
        with pytest.raises(MutualError) as raised:
            import_files(con, [(bad.file_name, data)])
        assert any(bad.matches(p) for p in raised.value.problems), raised.value.problems
        assert bad.file_name in str(raised.value)
        assert snapshot(con) == before
    finally:
        con.close()


def _cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    environment.pop("MUTUAL_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "analytics", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow  # a python -m analytics subprocess per bad input
@pytest.mark.parametrize("bad", CATALOGUE, ids=IDS)
def test_command_line_exits_1_with_the_located_message(bad, database, tmp_path):
    (tmp_path / bad.file_name).write_bytes(bad.make())
    before = _rows(database)
    done = _cli("import", bad.file_name, "--db", str(database), cwd=tmp_path, env=bad.env)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    lines = done.stderr.splitlines()
    assert lines[0].startswith("Nothing was imported: ") and bad.file_name in lines[0]
    assert any(line.startswith(f"  - {bad.located}") and bad.message in line for line in lines), done.stderr
    assert _rows(database) == before


def _problems_shown(at: AppTest) -> list[str]:
    """Every problem the Upload page shows: its report tables (as 'row|column|problem') and its error boxes."""
    shown = [e.value for e in at.error]
    for table in at.dataframe:
        frame = table.value
        if "problem" in frame.columns:
            for _, problem in frame.iterrows():
                row = (
                    "" if problem["row"] is None or problem["row"] != problem["row"] else int(problem["row"])
                )
                column = problem["column"] if isinstance(problem["column"], str) else ""
                shown.append(f"{row}|{column}|{problem['problem']}")
    return shown


@pytest.mark.parametrize("bad", CATALOGUE, ids=IDS)
def test_upload_page_shows_the_located_problem(bad, database, monkeypatch):
    monkeypatch.setenv("MUTUAL_DB", str(database))
    for name, value in bad.env.items():
        monkeypatch.setenv(name, value)
    before = _rows(database)
    at = AppTest.from_file(str(ROOT / "views/upload.py"), default_timeout=120)
    at.run()
    at.file_uploader(key="upload_files").set_value((bad.file_name, bad.make(), "text/csv")).run()
    assert not at.exception, at.exception
    expected = f"{bad.row or ''}|{bad.column or ''}|"
    shown = _problems_shown(at)
    assert any(s.startswith(expected) and bad.message in s for s in shown), shown
    assert any(bad.file_name in m.value for m in at.markdown)  # the file's box names it
    assert at.button(key="upload_import").disabled
    assert _rows(database) == before


def test_hostile_but_valid_text_is_accepted_verbatim(database):
    """Formula-looking cells, mixed line endings and a stray BOM are data, not errors: stored exactly, safely."""
    formula = "=SUM(1+1)*cmd|' /C calc'!A0"
    data = b"\xef\xbb\xbf" + ",".join(HEADER).encode() + b"\r\n"
    data += ",".join(
        ["F1", "E1", "pre", "2025-02-01", "3", f'"{formula.replace(chr(34), chr(34) * 2)}"']
    ).encode()
    data += b"\n\xef\xbb\xbfF2,E2,pre,2025-02-01,4,fine\rF3,E4,pre,2025-02-01,5,+1 more\r\n"
    con = db.connect(database)
    try:
        before = snapshot(con)
        (result,) = import_files(con, [("hostile.csv", data)])
        assert result.rows == 3
        comments = dict(
            con.execute("SELECT response_id, text FROM comments WHERE response_id LIKE 'F%'").fetchall()
        )
        assert comments == {"F1": formula, "F2": "fine", "F3": "+1 more"}
        after = snapshot(con)
        for table in ("employees", "participants", "goals", "sessions", "items", "mapping_profiles"):
            assert after[table] == before[table]
    finally:
        con.close()
