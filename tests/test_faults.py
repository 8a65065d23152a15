"""Nothing lost under faults: undo, a killed import, concurrent imports and readers, a locked file, empty data."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from fixtures_ingest import EMPLOYEES, PARTICIPANTS, SURVEY, csv_bytes, snapshot
from streamlit.testing.v1 import AppTest

from analytics.ingest.load import import_files
from analytics.store import db

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow  # subprocesses: the command line, killed imports, held locks
PAGES = sorted(f"views/{p.name}" for p in (ROOT / "views").glob("*.py"))
SURVEY_HEADER = [
    "response_id",
    "employee_id",
    "wave",
    "submitted_at",
    "ps_1",
    "ps_2",
    "eng_1",
    "comment_experience",
]
WORDS = [
    "good",
    "bad",
    "great",
    "awful",
    "helpful",
    "slow",
    "clear",
    "confusing",
    "kind",
    "rude",
    "open",
    "honest",
    "tired",
    "proud",
]


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("MUTUAL_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "analytics", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _survey(prefix: str, n: int, wave: str, employees: int = 4, seed: int = 1) -> bytes:
    rng = random.Random(seed)
    rows = [
        [
            f"{prefix}{i}",
            f"E{1 + i % employees}",
            wave,
            "2025-03-01",
            str(rng.randint(1, 7)),
            str(rng.randint(1, 7)),
            str(rng.randint(1, 5)),
            " ".join(rng.choice(WORDS) for _ in range(10)),
        ]
        for i in range(n)
    ]
    return csv_bytes([SURVEY_HEADER, *rows])


def _many_employees(n: int) -> bytes:
    return csv_bytes([["employee_id", "hire_date"], *[[f"E{i}", "2015-01-01"] for i in range(1, n + 1)]])


def _counts(con) -> tuple:
    """Rows of every table an import writes, read in one statement (one snapshot)."""
    return con.execute(
        """SELECT (SELECT count(*) FROM responses), (SELECT count(*) FROM answers),
                  (SELECT count(*) FROM comments), (SELECT count(*) FROM waves), (SELECT count(*) FROM imports)"""
    ).fetchone()


# ---------------------------------------------------------------- undo


def _without_import(rows: dict[str, list[tuple]], con, import_id: int, gone_waves: set[str]) -> dict:
    """The snapshot as it must be after undoing `import_id`: its rows gone, everything else identical."""
    expected = {}
    for table, table_rows in rows.items():
        columns = [r[0] for r in con.execute(f'DESCRIBE "{table}"').fetchall()]
        if "import_id" in columns:
            at = columns.index("import_id")
            expected[table] = [r for r in table_rows if r[at] != import_id]
        elif table == "waves":
            expected[table] = [r for r in table_rows if r[0] not in gone_waves]
        else:
            expected[table] = table_rows
    return expected


def test_cli_undo_removes_exactly_that_imports_rows(tmp_path):
    path = tmp_path / "mutual.duckdb"
    con = db.connect(path)
    import_files(con, [("hris.csv", csv_bytes(EMPLOYEES)), ("roster.csv", csv_bytes(PARTICIPANTS))])
    (first,) = import_files(con, [("pre_a.csv", csv_bytes(SURVEY))])  # wave pre, with comments
    (second,) = import_files(con, [("pre_b.csv", _survey("B", 6, "pre"))])  # the same wave
    (third,) = import_files(con, [("mid.csv", _survey("M", 5, "mid"))])  # a wave of its own
    full = snapshot(con)
    after_first = _without_import(full, con, first.import_id, set())  # pre stays: pre_b uses it
    con.close()

    done = _cli("undo", str(first.import_id), "--db", str(path), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    # 3 responses, 10 answers (5 + 4 + 1) and 2 comments came from SURVEY (hand count of fixtures_ingest.SURVEY)
    assert (
        done.stdout.strip()
        == f"Import {first.import_id} undone: removed 10 answers, 2 comments, 3 responses, 1 imports"
    )
    con = db.connect(path)
    assert snapshot(con) == after_first
    expected = _without_import(after_first, con, third.import_id, {"mid"})
    con.close()

    done = _cli("undo", str(third.import_id), "--db", str(path), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    con = db.connect(path)
    assert snapshot(con) == expected
    assert con.execute("SELECT wave FROM waves").fetchall() == [("pre",)]
    assert (
        con.execute("SELECT count(*) FROM responses WHERE import_id = ?", [second.import_id]).fetchone()[0]
        == 6
    )
    con.close()

    done = _cli("undo", str(third.import_id), "--db", str(path), cwd=tmp_path)
    assert done.returncode == 1 and done.stderr.strip() == f"There is no import {third.import_id} to undo."
    assert "Traceback" not in done.stderr


def test_upload_page_undo_restores_the_database_exactly(sample_db):
    con = db.connect(sample_db)
    before = snapshot(con)
    con.close()
    at = AppTest.from_file(str(ROOT / "views/upload.py"), default_timeout=120)
    at.run()
    employees = b"employee_id,department,hire_date\nNEW-1,Sales,2020-01-06\nNEW-2,Sales,2019-03-04\n"
    at.file_uploader(key="upload_files").set_value(("staff.csv", employees, "text/csv")).run()
    at.button(key="upload_import").click().run()
    assert not at.exception, at.exception
    con = db.connect(sample_db)
    import_id, rows = con.execute(
        "SELECT import_id, rows FROM imports ORDER BY import_id DESC LIMIT 1"
    ).fetchone()
    assert rows == 2 and snapshot(con) != before
    con.close()
    at.selectbox(key="upload_undo_id").set_value(import_id).run()
    at.button(key="upload_undo").click().run()
    assert not at.exception, at.exception
    assert any(f"Undid import #{import_id}: removed 2 employees, 1 imports" in s.value for s in at.success)
    con = db.connect(sample_db)
    assert snapshot(con) == before
    con.close()


def test_undo_while_another_session_writes_the_same_rows_is_a_message_not_a_crash(con):
    from analytics.errors import MutualError
    from analytics.ingest.load import undo_import

    import_files(con, [("hris.csv", csv_bytes(EMPLOYEES))])
    (survey,) = import_files(con, [("pre.csv", csv_bytes(SURVEY))])
    before = snapshot(con)
    other = con.cursor()  # another browser session, half-way through changing a comment of that import
    other.execute("BEGIN TRANSACTION")
    other.execute("DELETE FROM comments WHERE response_id = 'R1'")
    with pytest.raises(MutualError, match="was not undone: another session is changing the same rows"):
        undo_import(con.cursor(), survey.import_id)
    other.execute("ROLLBACK")
    assert snapshot(con) == before  # nothing removed
    removed = undo_import(con.cursor(), survey.import_id)
    assert (removed["responses"], removed["answers"], removed["comments"]) == (3, 10, 2)


def test_two_sessions_undoing_the_same_import_at_once(con):
    """One undo removes the rows; the other gets a message (no import to undo, or a conflict), never a crash."""
    from analytics.errors import MutualError
    from analytics.ingest.load import undo_import

    import_files(con, [("hris.csv", _many_employees(400))])
    (survey,) = import_files(con, [("big.csv", _survey("U", 3_000, "pulse-2025-02", employees=400))])
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def undo() -> None:
        cursor = con.cursor()
        barrier.wait()
        try:
            undo_import(cursor, survey.import_id)
            outcomes.append("undone")
        except MutualError:
            outcomes.append("message")
        finally:
            cursor.close()

    threads = [threading.Thread(target=undo) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(outcomes) == ["message", "undone"]
    assert con.execute("SELECT count(*) FROM responses").fetchone()[0] == 0


def _waves_of_every_response_exist(con) -> bool:
    orphans = con.execute(
        "SELECT count(*) FROM responses WHERE wave NOT IN (SELECT wave FROM waves)"
    ).fetchone()[0]
    return orphans == 0


def _race_setup(con) -> tuple:
    """Import A into a wave; recognise and validate file B for the same wave (not loaded yet)."""
    from analytics.ingest import load

    import_files(con, [("hris.csv", _many_employees(10))])
    (first,) = import_files(con, [("a.csv", _survey("A", 5, "pulse-2025-08", employees=10))])
    files = [("b.csv", _survey("B", 7, "pulse-2025-08", employees=10, seed=2))]
    importer = con.cursor()
    (inspection,) = load._inspect_batch(importer, files, None, None, None)
    assert inspection.ok
    return first, files, importer, inspection


def test_undo_while_an_import_into_the_same_wave_is_uncommitted_leaves_the_wave(con):
    """Issue 6: the undo's snapshot misses the import's responses; without a conflict both commit
    and the wave row is gone while 7 responses of it remain (invisible on every page)."""
    from analytics.errors import MutualError
    from analytics.ingest import load
    from analytics.ingest.load import undo_import

    first, _, importer, inspection = _race_setup(con)
    before = snapshot(con)
    importer.execute("BEGIN TRANSACTION")
    loaded = load._load(importer, inspection, score_sentiment=False)  # written, not committed
    with pytest.raises(MutualError, match="was not undone: another session is changing the same rows"):
        undo_import(con.cursor(), first.import_id)
    assert snapshot(con) == before  # the undo removed nothing
    importer.execute("COMMIT")
    assert _waves_of_every_response_exist(con)
    counts = con.execute(
        "SELECT import_id, count(*) FROM responses GROUP BY ALL ORDER BY import_id"
    ).fetchall()
    assert counts == [(first.import_id, 5), (loaded.import_id, 7)]
    removed = undo_import(con.cursor(), first.import_id)  # now it sees B's responses: the wave stays
    assert (removed["responses"], removed["waves"]) == (5, 0)
    assert con.execute("SELECT wave FROM waves").fetchall() == [("pulse-2025-08",)]
    assert _waves_of_every_response_exist(con)


def test_undo_committed_during_an_import_into_the_same_wave_makes_the_import_retry(con):
    """The undo removes the wave after the import's transaction began: the import's wave write
    conflicts (import_files then inspects and loads again) instead of trusting its old snapshot."""
    import duckdb

    from analytics.ingest import load
    from analytics.ingest.load import undo_import

    first, files, importer, inspection = _race_setup(con)
    importer.execute("BEGIN TRANSACTION")
    importer.execute("SELECT count(*) FROM waves").fetchall()  # the import's snapshot: the wave exists
    removed = undo_import(con.cursor(), first.import_id)
    assert (removed["responses"], removed["waves"]) == (5, 1)  # A was the wave's only import
    with pytest.raises(duckdb.TransactionException):  # a conflict; the transaction is aborted
        load._load(importer, inspection, score_sentiment=False)
    importer.execute("ROLLBACK")
    assert con.execute("SELECT count(*) FROM responses").fetchone()[0] == 0
    (result,) = import_files(importer, files)  # what import_files does after the conflict
    assert result.status == "imported" and result.rows == 7
    assert con.execute("SELECT wave, kind, opened_on::VARCHAR FROM waves").fetchall() == [
        ("pulse-2025-08", "pulse", "2025-03-01")
    ]
    assert _waves_of_every_response_exist(con)


# ---------------------------------------------------------------- a killed import


@pytest.fixture(scope="module")
def big_import(tmp_path_factory) -> tuple[Path, Path, tuple]:
    """A database of 5,000 employees and a 40,000-row survey file (answers and comments) for it."""
    folder = tmp_path_factory.mktemp("killed")
    path = folder / "base.duckdb"
    con = db.connect(path)
    import_files(con, [("hris.csv", _many_employees(5_000))])
    con.execute("CHECKPOINT")
    before = _counts(con)
    con.close()
    survey = folder / "survey.csv"
    survey.write_bytes(_survey("K", 40_000, "pulse-2025-03", employees=5_000))
    return path, survey, before


def _start_import(survey: Path, path: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("MUTUAL_DB", None)
    return subprocess.Popen(
        [sys.executable, "-m", "analytics", "import", str(survey), "--db", str(path)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the kill reaches its sentiment workers too
    )


def _kill(process: subprocess.Popen) -> bool:
    """SIGKILL the import and its workers; False if it had already finished."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        process.wait()
        return False
    process.wait()
    return process.returncode == -signal.SIGKILL


FULL = (40_000, 120_000, 40_000, 1)  # responses, answers (3 items each), comments, waves added


def test_killed_cli_import_leaves_all_or_nothing(big_import, tmp_path):
    base, survey, before = big_import
    full = tuple(b + f for b, f in zip(before, (*FULL, 1), strict=True))
    outcomes = []
    # Kill points: while reading and scoring (before any write), and as soon as the file starts to grow.
    for when, delay in (
        ("before writing", None),
        ("first write", 0.0),
        ("first write + 30 ms", 0.03),
        ("first write + 100 ms", 0.1),
        ("first write + 300 ms", 0.3),
    ):
        path = tmp_path / f"{when.replace(' ', '_')}.duckdb"
        shutil.copy(base, path)
        size = path.stat().st_size
        process = _start_import(survey, path)
        started = time.monotonic()
        if delay is None:
            time.sleep(2.0)
        else:
            while process.poll() is None and path.stat().st_size <= size and time.monotonic() - started < 240:
                time.sleep(0.002)
            time.sleep(delay)
        grew = path.stat().st_size > size
        killed = _kill(process)
        con = db.connect(path)  # the database opens after the kill
        counts = _counts(con)
        con.close()
        assert counts in (before, full), (when, counts)
        outcomes.append((when, killed, grew, "all" if counts == full else "none"))
    print(f"interrupted imports: {outcomes}")
    assert outcomes[0][1:] == (True, False, "none")
    assert any(killed and grew for _, killed, grew, _ in outcomes[1:]), (
        outcomes
    )  # killed mid-write at least once

    # A killed import leaves no trace: the same file imports completely afterwards.
    done = _cli("import", str(survey), "--db", str(path), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    con = db.connect(path)
    assert _counts(con) == full
    con.close()


# ---------------------------------------------------------------- concurrent sessions


def _import_in_threads(con, batches: list[list[tuple[str, bytes]]]) -> tuple[dict, dict]:
    """Each batch imported on its own cursor (like a browser session of one app process), all at once."""
    results, errors = {}, {}
    barrier = threading.Barrier(len(batches))

    def run(index: int, batch: list) -> None:
        cursor = con.cursor()
        barrier.wait()
        try:
            results[index] = import_files(cursor, batch)
        except Exception as error:  # noqa: BLE001 - the assertion below shows it
            errors[index] = error
        finally:
            cursor.close()

    threads = [threading.Thread(target=run, args=(i, b)) for i, b in enumerate(batches)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return results, errors


@pytest.mark.parametrize("waves", [("pulse-2025-04", "pulse-2025-04"), ("pulse-2025-05", "pulse-2025-06")])
def test_two_imports_at_once_both_land_completely(con, waves):
    import_files(con, [("hris.csv", _many_employees(400))])
    before = _counts(con)
    batches = [
        [(f"session_{i}.csv", _survey(f"S{i}-", 2_000, wave, employees=400, seed=i))]
        for i, wave in enumerate(waves)
    ]
    results, errors = _import_in_threads(con, batches)
    assert not errors, errors
    assert len(results) == 2
    for batch_results in results.values():
        (result,) = batch_results
        assert result.status == "imported" and result.rows == 2_000
        assert (
            con.execute("SELECT count(*) FROM responses WHERE import_id = ?", [result.import_id]).fetchone()[
                0
            ]
            == 2_000
        )
    new_waves = len(set(waves))
    assert _counts(con) == tuple(
        b + a for b, a in zip(before, (4_000, 12_000, 4_000, new_waves, 2), strict=True)
    )
    print(f"concurrent imports: 2 landed completely (waves {waves})")


def test_the_same_file_from_two_sessions_at_once_lands_once(con):
    import_files(con, [("hris.csv", _many_employees(400))])
    data = _survey("D", 1_000, "pulse-2025-07", employees=400)
    results, errors = _import_in_threads(con, [[("a.csv", data)], [("a.csv", data)]])
    assert not errors, errors
    statuses = sorted(r[0].status for r in results.values())
    assert statuses == ["imported", "skipped: already imported"]
    assert con.execute("SELECT count(*) FROM responses").fetchone()[0] == 1_000


def test_a_reader_during_an_import_sees_all_or_nothing(con):
    import_files(con, [("hris.csv", _many_employees(2_000))])
    before = _counts(con)
    seen: list[tuple] = []
    done = threading.Event()

    def read() -> None:
        cursor = con.cursor()
        while not done.is_set():
            seen.append(_counts(cursor))
        seen.append(_counts(cursor))
        cursor.close()

    reader = threading.Thread(target=read)
    reader.start()
    try:
        writer = con.cursor()
        import_files(writer, [("big.csv", _survey("Z", 20_000, "pulse-2025-08", employees=2_000))])
        writer.close()
    finally:
        done.set()
        reader.join(timeout=120)
    after = tuple(b + a for b, a in zip(before, (20_000, 60_000, 20_000, 1, 1), strict=True))
    assert set(seen) <= {before, after}, set(seen) - {before, after}
    assert seen.count(before) > 1 and seen[-1] == after  # it read while the import ran, and after
    print(f"reads during the import: {len(seen)}, all before or after")


# ---------------------------------------------------------------- a locked database


def test_second_process_gets_a_clear_message_when_the_database_is_locked(tmp_path):
    path = tmp_path / "mutual.duckdb"
    db.connect(path).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, sys; c = duckdb.connect({str(path)!r}); print('ready', flush=True); sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        (tmp_path / "hris.csv").write_bytes(csv_bytes(EMPLOYEES))
        for command in (["summary"], ["import", "hris.csv"], ["undo", "1"]):
            done = _cli(*command, "--db", str(path), cwd=tmp_path)
            assert done.returncode == 1, command
            assert "Traceback" not in done.stderr + done.stdout
            assert f"The database {path} is in use" in done.stderr
            assert f"process id {holder.pid}" in done.stderr  # what holds it
            assert "Stop that process and try again" in done.stderr  # what to do
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    done = _cli("import", "hris.csv", "--db", str(path), cwd=tmp_path)
    assert done.returncode == 0 and "hris.csv: employees, 4 rows" in done.stdout


# ---------------------------------------------------------------- the dashboard with little or no data


def _little_data(state: str, path: Path) -> None:
    con = db.connect(path)
    if state in ("roster only", "one response"):
        import_files(con, [("hris.csv", csv_bytes(EMPLOYEES)), ("roster.csv", csv_bytes(PARTICIPANTS))])
    if state == "one response":
        import_files(con, [("pre.csv", csv_bytes(SURVEY[:2]))])
    con.close()


@pytest.mark.parametrize("state", ["empty", "roster only", "one response"])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_works_with_little_or_no_data(page, state, tmp_path, monkeypatch):
    path = tmp_path / "mutual.duckdb"
    _little_data(state, path)
    monkeypatch.setenv("MUTUAL_DB", str(path))
    monkeypatch.setenv("MUTUAL_NO_SAMPLE", "1")
    at = AppTest.from_file(str(ROOT / page), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    assert at.title, "the page drew nothing"
    assert not [e.value for e in at.error if "Sorry" in e.value]
    con = db.connect(path)
    responses = con.execute("SELECT count(*) FROM responses").fetchone()[0]
    con.close()
    assert responses == {"empty": 0, "roster only": 0, "one response": 1}[state]  # no sample was loaded
