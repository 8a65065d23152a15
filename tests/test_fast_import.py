"""The DuckDB fast path for a clean template survey CSV stores exactly what the pandas path stores,
gives the same results and messages, and hands every doubtful file to the pandas path."""

from __future__ import annotations

import csv
import io
import random
import re
import shutil
from pathlib import Path

import duckdb
import pytest
from fixtures_ingest import EMPLOYEES, SURVEY, csv_bytes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.errors import MutualError
from analytics.ingest import fast, fast_checks
from analytics.ingest.load import import_files, undo_import
from analytics.sample import programme
from analytics.store import db

ITEMS = ["ps_1", "ps_2", "ps_4", "eng_1", "enps"]  # scales 1-7, 1-7, 1-7, 1-5, 0-10


def _snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    """Every row of every table (the import time and the random pseudonym salt left out), sorted."""
    tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
    out = {}
    for table in tables:
        if table == "settings":
            continue
        columns = "* EXCLUDE (imported_at)" if table == "imports" else "*"
        out[table] = sorted(con.execute(f'SELECT {columns} FROM "{table}"').fetchall(), key=repr)
    return out


_STAMPED = re.compile(r"(already imported on )\d{4}-\d\d-\d\d \d\d:\d\d")


def _outcome(con, files, **options) -> tuple:
    """What import_files returned or raised, comparable between two databases."""
    try:
        results = import_files(con, files, **options)
    except MutualError as error:
        return (
            "error",
            str(error),
            [(p.file, p.message, p.row, p.column, p.severity) for p in error.problems],
        )
    return tuple(
        (
            r.import_id,
            r.file_name,
            r.kind,
            r.rows,
            r.status,
            r.waves,
            _STAMPED.sub(r"\1<time>", r.message),  # the two imports may fall in different minutes
            [(p.file, p.message, p.row, p.column, p.severity) for p in r.warnings],
        )
        for r in results
    )


class _Pair:
    """Two databases given the same history; the file under test goes the fast way into one."""

    def __init__(self, folder: Path, base: Path | None = None):
        for name in ("fast.duckdb", "slow.duckdb"):
            if base is not None:
                shutil.copy(base, folder / name)
        self.fast = db.connect(folder / "fast.duckdb")
        self.slow = db.connect(folder / "slow.duckdb")

    def setup(self, monkeypatch, files: list) -> None:
        monkeypatch.setenv("MUTUAL_IMPORT_FAST", "0")
        for con in (self.fast, self.slow):
            import_files(con, files, score_sentiment=False)

    def compare(self, monkeypatch, files: list, **options) -> tuple:
        """Import into both; assert identical outcomes and tables; the outcome and whether fast was taken."""
        monkeypatch.setenv("MUTUAL_IMPORT_FAST", "0")
        slow = _outcome(self.slow, files, **options)
        monkeypatch.setenv("MUTUAL_IMPORT_FAST", "1")
        before = fast.taken
        quick = _outcome(self.fast, files, **options)
        assert quick == slow
        assert _snapshot(self.fast) == _snapshot(self.slow)
        return quick, fast.taken > before

    def close(self) -> None:
        self.fast.close()
        self.slow.close()


@pytest.fixture
def pair(tmp_path):
    both = _Pair(tmp_path)
    yield both
    both.close()


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


# ---------------------------------------------------------------- shipped sample files


@pytest.mark.slow  # every shipped file imported twice
def test_every_shipped_survey_and_pulse_file_is_stored_identically(pair, tmp_path, monkeypatch):
    files = programme.sample_files()
    base = [f for f in files if f.name in ("employees.csv", "participants.csv")]
    surveys = [f for f in files if f.name.startswith(("survey_", "pulse_"))]
    assert len(surveys) >= 5
    pair.setup(monkeypatch, base)
    taken = 0
    for path in surveys:  # each file alone, in import order, so later ones meet earlier waves
        outcome, was_fast = pair.compare(monkeypatch, [path], score_sentiment=False)
        assert outcome[0][4] == "imported", outcome
        taken += was_fast
    assert taken == len(surveys)  # the shipped files are clean: all went the fast way
    # importing one again is skipped the same way
    outcome, was_fast = pair.compare(monkeypatch, [surveys[-1]])
    assert outcome[0][4] == "skipped: already imported" and not was_fast


def test_sentiment_scored_identically_and_undo_restores_both(pair, tmp_path, monkeypatch):
    pair.setup(monkeypatch, [("hris.csv", csv_bytes(EMPLOYEES))])
    rows = [
        ["response_id", "employee_id", "wave", "submitted_at", "ps_1", "enps", "comment_experience"],
        ["R1", "E1", "pre", "2025-01-14 09:30:00", "2", "9", "The book was good."],
        ["R2", "E2", "pre", "2025-01-15", "6", "3", "Call me on +44 20 7946 0958 or mail a.b@example.com"],
        ["R3", "", "pre", "2025-01-16", "", "10", "The book was good."],
    ]
    path = _write(tmp_path, "pre.csv", csv_bytes(rows))
    outcome, was_fast = pair.compare(monkeypatch, [path])  # with sentiment
    assert was_fast
    (row,) = pair.fast.execute("SELECT text, label FROM comments WHERE response_id = 'R2'").fetchall()
    assert "a.b@example.com" not in row[0] and "7946" not in row[0] and row[1] is not None
    for con in (pair.fast, pair.slow):
        undo_import(con, outcome[0][0])
    assert _snapshot(pair.fast) == _snapshot(pair.slow)
    assert pair.fast.execute("SELECT count(*) FROM responses").fetchone()[0] == 0


def test_a_big_clean_file_takes_the_fast_path(con, tmp_path):
    employees = [["employee_id", "hire_date"], *[[f"E{i}", "2015-01-01"] for i in range(1, 501)]]
    import_files(con, [("hris.csv", csv_bytes(employees))])
    rng = random.Random(7)
    rows = [["response_id", "employee_id", "wave", "submitted_at", *ITEMS, "comment_pulse"]]
    for i in range(5_000):
        scores = [str(rng.randint(1, 7)), str(rng.randint(1, 7)), "", str(rng.randint(1, 5))]
        rows.append([f"R{i}", f"E{1 + i % 500}", "pulse-2025-06", "2025-06-03 10:00", *scores, "9", ""])
    path = _write(tmp_path, "pulse.csv", csv_bytes(rows))
    before = fast.taken
    (result,) = import_files(con, [path], score_sentiment=False)
    assert fast.taken == before + 1
    assert (result.status, result.rows, result.waves) == ("imported", 5_000, ["pulse-2025-06"])
    # 5,000 responses x 4 answered items (ps_4 empty everywhere)
    assert con.execute("SELECT count(*) FROM answers").fetchone()[0] == 20_000
    assert db.scores_fresh(con)


# ---------------------------------------------------------------- generated and mutated files

_TEXTS = st.sampled_from(
    [
        "Good sessions",
        "slow, but useful",
        'She said "thanks"',
        "line one\nline two",
        "mail me at a.b@example.com",
        "call 07700 900123",
        "  padded  ",
        "Zoë's café ☕",
        "see www.example.org",
        "",
        "2025-03-01",
        "tab\tinside",
        '"quoted" start',
        "trailing space ",
    ]
)
_ITEM_VALUES = st.sampled_from(
    ["1", "3", "5", "7", "", "", "0", "8", "05", " 4", "4.0", "Agree", "x", "2,5", "10"]
)
_STAMPS = st.sampled_from(
    [
        "2025-03-01",
        "2025-03-01 09:30",
        "2025-03-01 09:30:15",
        "2025-03-01T09:30:00",
        "",
        "01/03/2025",
        "2025-02-30",
        "2099-01-01",
        "2009-01-01",
        "45000",
        "2025-3-1",
    ]
)
_WAVES = st.sampled_from(["pre", "Pre", "pulse-2025-03", "", "post", " mid"])
_EMPLOYEE_IDS = st.sampled_from(["E1", "E2", "E3", "E4", "", "E9"])


@st.composite
def _survey_file(draw) -> tuple[bytes, str | None]:
    """A template survey file, mostly clean, sometimes with one kind of flaw; and the wave chosen at import."""
    optional = ["employee_id", "wave", "submitted_at", "department", "comment_experience", "comment_other"]
    columns = ["response_id"] + [c for c in optional if draw(st.booleans())]
    items = draw(st.lists(st.sampled_from(ITEMS), min_size=1, max_size=5, unique=True))
    header = columns + items
    if draw(st.booleans()):
        header = draw(st.permutations(header))
    n = draw(st.integers(1, 8))
    clean = draw(st.booleans())
    rows = []
    for i in range(n):
        cells = {
            "response_id": f"R{i}",
            "employee_id": draw(st.sampled_from(["E1", "E2", "E3", "E4", ""])),
            "wave": draw(st.sampled_from(["pre", "pulse-2025-03"])),
            "submitted_at": draw(st.sampled_from(["2025-03-01", "2025-03-01 09:30:15", ""])),
            "department": draw(st.sampled_from(["Finance", "", "Technology"])),
            "comment_experience": draw(
                st.sampled_from(["Good sessions", "slow, but useful", "", "call 07700 900123"])
            ),
            "comment_other": draw(st.sampled_from(["", "Zoë's café ☕", 'She said "thanks"'])),
        }
        for item in items:
            cells[item] = draw(st.sampled_from(["1", "3", "5", ""]))
        if not clean:
            mutate = draw(st.sampled_from(["employee_id", "wave", "submitted_at", "text", "item", "id"]))
            if mutate == "employee_id":
                cells["employee_id"] = draw(_EMPLOYEE_IDS)
            elif mutate == "wave":
                cells["wave"] = draw(_WAVES)
            elif mutate == "submitted_at":
                cells["submitted_at"] = draw(_STAMPS)
            elif mutate == "text":
                cells[draw(st.sampled_from(["comment_experience", "comment_other", "department"]))] = draw(
                    _TEXTS
                )
            elif mutate == "item":
                cells[draw(st.sampled_from(items))] = draw(_ITEM_VALUES)
            else:
                cells["response_id"] = draw(st.sampled_from(["R0", "", " R1", "R1 "]))
        rows.append([cells[c] for c in header])
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=draw(st.sampled_from(["\n", "\r\n"]))).writerows([header, *rows])
    data = buffer.getvalue().encode("utf-8")
    if draw(st.integers(0, 9)) == 0:
        data = b"\xef\xbb\xbf" + data
    if not clean and draw(st.integers(0, 4)) == 0:
        data = draw(st.sampled_from([data + b"\n\n", data.replace(b",", b";"), data + b"R99,\n", data[:-1]]))
    wave = draw(st.sampled_from([None, None, "pre", "pulse-2025-03", "Pre"]))
    return data, wave


@pytest.fixture(scope="module")
def employees_db(tmp_path_factory) -> Path:
    """A database holding EMPLOYEES, copied for each generated case."""
    path = tmp_path_factory.mktemp("base") / "base.duckdb"
    con = db.connect(path)
    import_files(con, [("hris.csv", csv_bytes(EMPLOYEES))], score_sentiment=False)
    con.close()
    return path


@pytest.mark.slow  # 40 generated files, each imported both ways
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=_survey_file())
def test_generated_files_give_the_same_result_either_way(employees_db, tmp_path_factory, monkeypatch, case):
    data, wave = case
    folder = tmp_path_factory.mktemp("case")
    both = _Pair(folder, employees_db)
    try:
        path = _write(folder, "survey.csv", data)
        both.compare(monkeypatch, [path], wave=wave, score_sentiment=False)
    finally:
        both.close()


@pytest.mark.parametrize(
    "flaw",
    [
        "unknown employee",
        "duplicate id",
        "label answer",
        "decimal answer",
        "future date",
        "before hire",
        "padded cell",
        "semicolons",
        "ragged row",
        "unknown column",
        "already in database",
        "wave differs",
        "quote after space",
        "survey tool layout",
        "padded wave",
        "padded date",
        "no-break space at the end",
        "ideographic space in an id",
    ],
)
def test_flawed_files_go_the_pandas_way_with_the_same_messages(pair, tmp_path, monkeypatch, flaw):
    pair.setup(monkeypatch, [("hris.csv", csv_bytes(EMPLOYEES))])
    header = ["response_id", "employee_id", "wave", "submitted_at", "ps_1", "eng_1", "comment_x"]
    rows = [
        ["R1", "E1", "pre", "2025-03-01", "3", "4", "fine"],
        ["R2", "E2", "pre", "2025-03-02", "5", "2", ""],
    ]
    options: dict = {"score_sentiment": False}
    text_override = None
    if flaw == "unknown employee":
        rows[1][1] = "E77"
    elif flaw == "duplicate id":
        rows[1][0] = "R1"
    elif flaw == "label answer":
        rows[0][4] = "Agree"
    elif flaw == "decimal answer":
        rows[0][4] = "3.0"
    elif flaw == "future date":
        rows[0][3] = "2099-01-01"
    elif flaw == "before hire":
        rows[0][3] = "2019-01-01"  # E1 was hired on 2020-01-06
    elif flaw == "padded cell":
        rows[0][6] = " fine "
    elif flaw == "unknown column":
        header[6] = "notes"
    elif flaw == "wave differs":
        options["wave"] = "mid"
    elif flaw == "padded wave":
        rows[0][2] = "pre "
    elif flaw == "padded date":
        rows[1][3] = " 2025-03-02"
    elif flaw == "no-break space at the end":
        rows[0][6] = "fine\u00a0"
    elif flaw == "ideographic space in an id":
        rows[1][0] = "R2\u3000"
    elif flaw == "survey tool layout":
        rows[1][6] = '{"ImportId":"QID1_TEXT"}'  # Qualtrics' third header row
    text_override = {
        "semicolons": csv_bytes([header, *rows], delimiter=";"),
        "ragged row": csv_bytes([header, *rows]) + b"R3,E3,pre\r\n",
        "quote after space": csv_bytes([header, *rows]) + b'R3,E3,pre,2025-03-03,1,1, "hi"\r\n',
    }.get(flaw)
    if flaw == "already in database":
        pair.compare(monkeypatch, [_write(tmp_path, "first.csv", csv_bytes([header, rows[0]]))], **options)
    data = text_override or csv_bytes([header, *rows])
    outcome, was_fast = pair.compare(monkeypatch, [_write(tmp_path, "file.csv", data)], **options)
    assert not was_fast
    if flaw in ("label answer", "wave differs", "padded cell", "quote after space", "unknown column"):
        assert outcome[0][4] == "imported"  # accepted (with warnings, or a form only pandas reads)
    else:
        assert outcome[0] == "error" or outcome[0][4] == "imported"


def test_an_upload_with_text_likert_labels_takes_the_pandas_path(pair, tmp_path, monkeypatch):
    # SURVEY answers "Strongly agree" and the like, which only the pandas path converts; clean
    # uploads and batches of uploads are in test_fast_upload.py
    pair.setup(monkeypatch, [("hris.csv", csv_bytes(EMPLOYEES))])
    outcome, was_fast = pair.compare(monkeypatch, [("pre.csv", csv_bytes(SURVEY))], score_sentiment=False)
    assert outcome[0][4] == "imported" and not was_fast


# ---------------------------------------------------------------- schema version 3


def test_opening_an_older_database_drops_the_answers_key_and_keeps_its_rows(tmp_path):
    path = tmp_path / "old.duckdb"
    old = duckdb.connect(str(path))
    old.execute(
        """CREATE TABLE answers (response_id VARCHAR NOT NULL, item_id VARCHAR NOT NULL,
        value DOUBLE NOT NULL, import_id INTEGER, PRIMARY KEY (response_id, item_id))"""
    )
    old.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    old.execute("INSERT INTO schema_version VALUES (2)")
    old.execute("INSERT INTO answers VALUES ('R1', 'ps_1', 3, 1), ('R1', 'ps_2', 5, 1)")
    old.close()
    con = db.connect(path)
    keys = con.execute(
        "SELECT count(*) FROM duckdb_constraints() WHERE table_name = 'answers' AND constraint_type = 'PRIMARY KEY'"
    ).fetchone()[0]
    assert keys == 0
    assert con.execute("SELECT * FROM answers ORDER BY item_id").fetchall() == [
        ("R1", "ps_1", 3.0, 1),
        ("R1", "ps_2", 5.0, 1),
    ]
    assert con.execute("SELECT version FROM schema_version").fetchall() == [(3,)]
    con.close()
    con = db.connect(path)  # opening again changes nothing
    assert con.execute("SELECT count(*) FROM answers").fetchone()[0] == 2
    con.close()


# ---------------------------------------------------------------- the cheaper checks equal the exact ones

_CELLS = st.one_of(
    st.text(max_size=6),
    st.text(alphabet=" \t\u00a0\u2003\u3000\ufeff\x1f\x7f!~aZ09é☕\u0301", max_size=5),
    st.sampled_from(["0", "1", "5", "7", "9", "10", "11", "05", " 4", "4.0", "-1", "1 ", "", "７"]),
)


def _one_cell(con: duckdb.DuckDBPyConnection, value: str | None) -> None:
    con.execute(f"CREATE OR REPLACE TEMP TABLE {fast.ROWS} (x VARCHAR)")
    con.execute(f"INSERT INTO {fast.ROWS} VALUES (?)", [value])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=_CELLS)
def test_item_check_accepts_exactly_the_plain_numbers_of_the_scale(con, value):
    for item, allowed in (("ps_1", [str(v) for v in range(1, 8)]), ("enps", [str(v) for v in range(11)])):
        con.execute(f"CREATE OR REPLACE TEMP TABLE {fast.ROWS} ({item} VARCHAR)")
        con.execute(f"INSERT INTO {fast.ROWS} VALUES (?)", [value])
        ok, params = fast_checks.item_ok(item)
        (got,) = con.execute(f"SELECT {ok} FROM {fast.ROWS}", params).fetchone()
        assert bool(got) == (value in allowed), (item, value)  # the scale's whole numbers as text


def _strip_would_change(value: str) -> bool:
    """Python's view: an end that str.strip() removes, a control character, the byte-order mark, or nothing."""
    return value == "" or any(ord(c) <= 32 or c.isspace() or c == "\ufeff" for c in (value[0], value[-1]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=_CELLS)
def test_ascii_end_shortcut_never_passes_a_cell_the_exact_check_rejects(con, value):
    _one_cell(con, value)
    (printable,) = con.execute(f"SELECT {fast_checks.ends_printable('x')} FROM {fast.ROWS}").fetchone()
    (bad,) = con.execute(f"SELECT count_if({fast_checks.ends_bad('x')}) FROM {fast.ROWS}").fetchone()
    assert bool(bad) == _strip_would_change(value), value
    if printable:  # the shortcut passes only cells with a printable ASCII character at both ends
        assert not bad and value[0] in _PRINTABLE and value[-1] in _PRINTABLE, value


_PRINTABLE = {chr(c) for c in range(0x21, 0x7F)}


@given(data=st.binary(max_size=40) | st.text(alphabet=' "\t,a\r\n', max_size=30).map(str.encode))
def test_quote_scan_finds_exactly_a_blank_beside_a_quote(data):
    expected = b' "' in data or b'\t"' in data or b'" ' in data or b'"\t' in data
    assert fast_checks.quote_touches_blank(data) == expected


def test_ascii_texts_with_apostrophes_are_not_sent_to_redact(con, tmp_path):
    from analytics.ingest.redact import redact

    rows = [
        ["response_id", "ps_1", "comment_a"],
        ["R1", "4", "I'd say it's fine, really."],
        ["R2", "4", "See WWW dot example"],
        ["R3", "4", "HtTp is a protocol"],
        ["R4", "4", "Call 0770"],
        ["R5", "4", "Zoë's café"],
    ]
    path = _write(tmp_path, "s.csv", csv_bytes(rows))
    screened = fast.screen(con, path, "pre", lambda *_: None)
    assert screened is not None
    try:
        texts = fast.comment_texts(con, screened, score=False)
    finally:
        fast.drop(con)
    # www, http (any case), digits and non-ASCII letters are listed; the apostrophe text is not
    assert sorted(texts["raw"]) == ["Call 0770", "HtTp is a protocol", "See WWW dot example", "Zoë's café"]
    assert redact("I'd say it's fine, really.") == "I'd say it's fine, really."


@pytest.mark.parametrize(
    ("wave", "cells"),
    [
        (None, [("pre", "2025-03-04 10:00"), ("Pre", "2025-03-02"), ("pulse-2025-03", "")]),
        ("pulse-2025-04", [("", "2025-04-09"), ("pulse-2025-04", "2025-04-03 08:15:00"), ("", "")]),
    ],
)
def test_each_wave_opens_on_its_earliest_date(pair, tmp_path, monkeypatch, wave, cells):
    pair.setup(monkeypatch, [("hris.csv", csv_bytes(EMPLOYEES))])
    rows = [["response_id", "wave", "submitted_at", "ps_1"]]
    rows += [[f"R{i}", w, stamp, "4"] for i, (w, stamp) in enumerate(cells)]
    path = _write(tmp_path, "waves.csv", csv_bytes(rows))
    outcome, was_fast = pair.compare(monkeypatch, [path], wave=wave, score_sentiment=False)
    assert was_fast and outcome[0][4] == "imported"
    opened = dict(pair.fast.execute("SELECT wave, CAST(opened_on AS VARCHAR) FROM waves").fetchall())
    if wave is None:  # "Pre" is stored as "pre": the earlier of its two dates; no date, no opening
        assert opened == {"pre": "2025-03-02", "pulse-2025-03": None}
    else:
        assert opened == {"pulse-2025-04": "2025-04-03"}


# ---------------------------------------------------------------- inserts written in parallel slices


def test_a_file_written_in_slices_is_stored_identically(pair, tmp_path, monkeypatch):
    pair.setup(monkeypatch, [("hris.csv", csv_bytes(EMPLOYEES))])
    monkeypatch.setattr(fast, "_SLICE_ROWS", 7)  # 40 rows in 4 slices (one per thread) instead of 1
    pair.fast.execute("SET threads = 4")
    rng = random.Random(3)
    rows = [["response_id", "employee_id", "wave", "submitted_at", "ps_1", "enps", "department", "comment_x"]]
    for i in range(40):
        rows.append(
            [
                f"R{i}",
                rng.choice(["E1", "E2", ""]),
                "pulse-2025-05",
                f"2025-05-{1 + i % 20:02d} 09:00",
                rng.choice(["1", "4", "7", ""]),
                rng.choice(["0", "10", ""]),
                rng.choice(["Finance", ""]),
                rng.choice(["fine", "", "call 07700 900123"]),
            ]
        )
    assert fast._slices(pair.fast, 40) == [(0, 10), (10, 20), (20, 30), (30, 40)]
    path = _write(tmp_path, "pulse.csv", csv_bytes(rows))
    outcome, was_fast = pair.compare(monkeypatch, [path], score_sentiment=False)
    assert was_fast and outcome[0][3] == 40
    # every response and answer once: 40 responses; answers = filled ps_1 and enps cells
    filled = sum((r[4] != "") + (r[5] != "") for r in rows[1:])
    assert pair.fast.execute("SELECT count(*), count(DISTINCT response_id) FROM responses").fetchone() == (
        40,
        40,
    )
    assert pair.fast.execute("SELECT count(*) FROM answers").fetchone()[0] == filled
    # the session's insertion order is back as it was
    assert pair.fast.execute("SELECT current_setting('preserve_insertion_order')").fetchone()[0] is True


def test_insertion_order_is_restored_after_a_failed_load(con, tmp_path, monkeypatch):
    monkeypatch.setattr(fast, "_SLICE_ROWS", 2)
    con.execute("SET threads = 2")  # two slices of three rows
    rows = [["response_id", "ps_1"], *[[f"R{i}", "3" if i != 4 else "7"] for i in range(6)]]
    path = _write(tmp_path, "s.csv", csv_bytes(rows))
    screened = fast.screen(con, path, "pulse-2025-01", lambda *_: None)
    assert screened is not None
    # a database that refuses answers above 5: the answers INSERT (written in slices) fails on R4's 7
    con.execute("DROP TABLE answers")
    con.execute(
        """CREATE TABLE answers (response_id VARCHAR NOT NULL, item_id VARCHAR NOT NULL,
        value DOUBLE NOT NULL CHECK (value <= 5), import_id INTEGER)"""
    )
    con.execute("BEGIN TRANSACTION")
    try:
        with pytest.raises(duckdb.ConstraintException):
            fast.load(con, screened, 1, fast.comment_texts(con, screened, score=False))
        con.execute("ROLLBACK")  # as the caller's transaction does, before it drops the table
    finally:
        fast.drop(con)
    assert con.execute("SELECT current_setting('preserve_insertion_order')").fetchone()[0] is True
    assert con.execute("SELECT count(*) FROM responses").fetchone()[0] == 0
