"""The command line, run as a user would: python -m analytics ... in a subprocess on a temporary database."""

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from fixtures_ingest import EMPLOYEES, GOALS, PARTICIPANTS, SESSIONS, SURVEY, write_csv

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow  # every test starts python -m analytics in a subprocess


def _run(*args: str, cwd: Path, mutual_db: str | None = None, **settings: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), **settings}
    env.pop("MUTUAL_DB", None)
    if mutual_db:
        env["MUTUAL_DB"] = mutual_db
    return subprocess.run(
        [sys.executable, "-m", "analytics", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def files(tmp_path):
    return [
        write_csv(tmp_path, "hris.csv", EMPLOYEES),
        write_csv(tmp_path, "roster.csv", PARTICIPANTS),
        write_csv(tmp_path, "survey.csv", SURVEY),
        write_csv(tmp_path, "goals.csv", GOALS),
        write_csv(tmp_path, "sessions.csv", SESSIONS),
    ]


def _summary(tmp_path, **settings: str) -> dict:
    done = _run("summary", "--db", "t.duckdb", cwd=tmp_path, **settings)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _table_count(tmp_path, table: str) -> int:
    con = duckdb.connect(str(tmp_path / "t.duckdb"), read_only=True)
    try:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        con.close()


def test_init_import_summary_undo(tmp_path, files):
    done = _run("init", "--db", "t.duckdb", cwd=tmp_path)
    assert done.returncode == 0 and (tmp_path / "t.duckdb").exists()

    done = _run("import", *[f.name for f in reversed(files)], "--db", "t.duckdb", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines == [
        "hris.csv: employees, 4 rows, import 1",
        "roster.csv: participants, 4 rows, import 2",
        "survey.csv: survey, 3 rows, waves pre, import 3",
        "goals.csv: goals, 3 rows, import 4",
        "sessions.csv: sessions, 3 rows, import 5",
    ]

    counts = _summary(tmp_path)["counts"]
    # 4 employees, 4 participants in 2 pairs, 3 responses, 2 comments: each under k = 5, so none is shown
    assert counts == {
        "employees": None,
        "participants": None,
        "pairs": None,
        "responses": None,
        "comments": None,
    }
    # At k = 3 (the lowest allowed without MUTUAL_ALLOW_SMALL_GROUPS) the groups of 3 or more show.
    small_k = _summary(tmp_path, MUTUAL_MIN_GROUP="3", MUTUAL_MIN_GROUP_COMMENTS="3")["counts"]
    assert small_k == {"employees": 4, "participants": 4, "pairs": None, "responses": 3, "comments": None}

    again = _run("import", "survey.csv", "--db", "t.duckdb", cwd=tmp_path)
    assert again.returncode == 0
    assert again.stdout.startswith("survey.csv: skipped, already imported on ")

    done = _run("undo", "3", "--db", "t.duckdb", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "3 responses" in done.stdout and "10 answers" in done.stdout and "2 comments" in done.stdout
    assert _summary(tmp_path)["counts"]["responses"] is None
    assert _table_count(tmp_path, "responses") == 0


def test_bad_file_exits_1_with_row_and_column(tmp_path, files):
    bad = write_csv(tmp_path, "bad.csv", [*EMPLOYEES[:2], ["E5", "HR", "G1", "2021-13-01", "", "", ""]])
    done = _run("import", "bad.csv", "--db", "t.duckdb", cwd=tmp_path)
    assert done.returncode == 1
    assert "bad.csv, row 3, column 'hire_date': '2021-13-01' is not a date" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert _summary(tmp_path)["counts"]["employees"] is None  # a count of nobody is not shown as 0
    assert _table_count(tmp_path, "employees") == 0  # nothing imported
    assert bad.exists()


def test_kind_wave_and_mapping_options(tmp_path):
    write_csv(tmp_path, "staff.csv", [["Staff Number", "hire_date"], ["S1", "2020-01-01"]])
    (tmp_path / "mapping.json").write_text(json.dumps({"Staff Number": "employee_id"}))
    write_csv(tmp_path, "pulse.csv", [["response_id", "employee_id", "bel_1"], ["A1", "S1", "Agree"]])
    done = _run(
        "import",
        "staff.csv",
        "--kind",
        "employees",
        "--mapping",
        "mapping.json",
        "--db",
        "t.duckdb",
        cwd=tmp_path,
    )
    assert done.stdout == "staff.csv: employees, 1 row, import 1\n", done.stderr
    done = _run("import", "pulse.csv", "--wave", "pulse-2026-05", "--db", "t.duckdb", cwd=tmp_path)
    assert done.stdout == "pulse.csv: survey, 1 row, waves pulse-2026-05, import 2\n", done.stderr
    con = duckdb.connect(str(tmp_path / "t.duckdb"), read_only=True)
    try:
        assert con.execute("SELECT employee_id, wave FROM responses").fetchall() == [("S1", "pulse-2026-05")]
    finally:
        con.close()


def test_bad_mapping_and_missing_file(tmp_path):
    write_csv(tmp_path, "staff.csv", EMPLOYEES)
    (tmp_path / "mapping.json").write_text("{not json")
    done = _run("import", "staff.csv", "--mapping", "mapping.json", "--db", "t.duckdb", cwd=tmp_path)
    assert done.returncode == 1 and "mapping.json is not valid JSON" in done.stderr
    done = _run("import", "nowhere.csv", "--db", "t.duckdb", cwd=tmp_path)
    assert done.returncode == 1 and "No such file: nowhere.csv" in done.stderr
    done = _run("undo", "9", "--db", "t.duckdb", cwd=tmp_path)
    assert done.returncode == 1 and "There is no import 9" in done.stderr
    assert "Traceback" not in done.stderr


def test_locked_database(tmp_path):
    holder = duckdb.connect(str(tmp_path / "t.duckdb"))
    try:
        done = _run("summary", "--db", "t.duckdb", cwd=tmp_path)
    finally:
        holder.close()
    assert done.returncode == 1
    assert "t.duckdb is in use: another Mutual process" in done.stderr and "Traceback" not in done.stderr


def test_database_location(tmp_path):
    assert _run("--db", "before.duckdb", "init", cwd=tmp_path).stdout == "Database ready: before.duckdb\n"
    assert _run("init", cwd=tmp_path, mutual_db="env.duckdb").stdout == "Database ready: env.duckdb\n"
    assert (tmp_path / "before.duckdb").exists() and (tmp_path / "env.duckdb").exists()


def test_load_sample(tmp_path):
    done = _run("load-sample", "--db", "t.duckdb", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Sample loaded: ")
    counts = _summary(tmp_path)["counts"]
    assert counts["employees"] > 0 and counts["responses"] > 0 and counts["pairs"] > 0


def test_help_lists_commands(tmp_path):
    done = _run("--help", cwd=tmp_path)
    assert done.returncode == 0
    for command in ("init", "load-sample", "import", "summary", "undo"):
        assert command in done.stdout
