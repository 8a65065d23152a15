"""Fuzzing every reader: random bytes and mutated real exports end in an import or a MutualError, nothing else.

Each example goes through the template reader (`read_table`), the survey-tool readers (`translate_file`,
which reads, recognises and translates an export), `inspect_file`, and `import_files` when the inspection
passes. A successful import is undone at once, and the database must be back to its starting counts
after every example.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
from collections import Counter
from pathlib import Path

import pytest
from export_fixtures import (
    employees_rows,
    glint_rows,
    googleforms_rows,
    msforms_rows,
    qualtrics_legacy_rows,
    qualtrics_rows,
    surveymonkey_rows,
)
from fixtures_ingest import csv_bytes
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from analytics.errors import MutualError
from analytics.ingest.exports import translate_file
from analytics.ingest.inspection import inspect_file
from analytics.ingest.load import import_files, undo_import
from analytics.ingest.source import Source, read_table
from analytics.store import db

# The full fuzzing: hundreds of generated files, about a minute (python -m pytest -m 'not slow' skips it).
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
SEED_LINES = 25  # header and the first rows of each sample file keep every example fast
EXAMPLES = Counter()  # outcome -> examples run, printed by the last test
# CI runs a fixed set of examples (failures reproduce); MUTUAL_FUZZ_EXAMPLES=n explores n fresh ones per test.
PER_TEST = int(os.environ.get("MUTUAL_FUZZ_EXAMPLES") or 100)
FUZZ = settings(
    max_examples=PER_TEST,
    deadline=None,
    derandomize="MUTUAL_FUZZ_EXAMPLES" not in os.environ,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
    ],
)


def _xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sample_seed(name: str) -> bytes:
    with (SAMPLE / name).open("rb") as handle:
        return b"".join(handle.readline() for _ in range(SEED_LINES))


SEEDS: dict[str, bytes] = {
    **{p.name: _sample_seed(p.name) for p in sorted(SAMPLE.glob("*.csv"))},
    "qualtrics.csv": csv_bytes(qualtrics_rows()),
    "qualtrics_numeric.csv": csv_bytes(qualtrics_rows(numeric=True)),
    "qualtrics_legacy.csv": csv_bytes(qualtrics_legacy_rows()),
    "surveymonkey.csv": csv_bytes(surveymonkey_rows()),
    "msforms.csv": csv_bytes(msforms_rows()),
    "msforms.xlsx": _xlsx(msforms_rows(xlsx=True)),
    "googleforms.csv": csv_bytes(googleforms_rows()),
    "glint.csv": csv_bytes(glint_rows(), delimiter=";"),
    "survey_pre.xlsx": _xlsx(list(csv.reader(io.StringIO(_sample_seed("survey_pre.csv").decode("utf-8"))))),
}
TOKENS = [
    b'"',
    b"\x00",
    b"\r",
    b"\n",
    b",",
    b";",
    b"\t",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"=cmd|' /C calc'!A0",
    b"9999",
    b"-1",
    b"1e309",
    b"NaN",
    b"2099-13-45",
    b"'); DROP TABLE responses; --",
    b"PK\x03\x04",
]


@pytest.fixture(scope="module")
def fuzz_con(tmp_path_factory):
    """A database holding the sample organisation and roster (no surveys), so mutated surveys can land."""
    path = tmp_path_factory.mktemp("fuzz") / "fuzz.duckdb"
    con = db.connect(path)
    import_files(con, [SAMPLE / "employees.csv", SAMPLE / "participants.csv"])
    rows = employees_rows()  # the export fixtures' people, linked by e-mail as the tools do
    import_files(con, [("people.csv", csv_bytes(rows))])
    yield con
    con.close()


def _counts(con) -> tuple:
    return con.execute(
        """SELECT (SELECT count(*) FROM employees), (SELECT count(*) FROM participants),
                  (SELECT count(*) FROM responses), (SELECT count(*) FROM answers),
                  (SELECT count(*) FROM comments), (SELECT count(*) FROM goals),
                  (SELECT count(*) FROM sessions), (SELECT count(*) FROM waves), (SELECT count(*) FROM imports)"""
    ).fetchone()


def _only_success_or_mutual_error(con, name: str, data: bytes, wave: str | None = None) -> str:
    """Run the bytes through every reader; return how the import ended."""
    table, problems = read_table(Source(name, data))
    assert table is not None or problems
    with contextlib.suppress(MutualError):
        translate_file((name, data), wave=wave)  # read_grid -> read_export -> recognise -> translate
    before = _counts(con)
    inspection = inspect_file(con, (name, data), wave=wave)
    assert inspection.ok or inspection.errors
    if not inspection.ok:
        assert all(p.file == name for p in inspection.errors)
        outcome = "refused"
    else:
        try:
            results = import_files(con, [(name, data)], wave=wave)
        except MutualError as error:  # only the database itself may still refuse what inspection passed
            assert "refused" in str(error) or "at the same time" in str(error), str(error)
            outcome = "refused"
        else:
            for result in results:
                if result.status == "imported":
                    undo_import(con, result.import_id)
            outcome = "imported" if any(r.status == "imported" for r in results) else "skipped"
    assert _counts(con) == before  # refused: nothing written; imported: undone exactly
    EXAMPLES[outcome] += 1
    return outcome


@FUZZ
@given(data=st.binary(max_size=3000), name=st.sampled_from(["f.csv", "f.xlsx", "f.txt", "f.tsv"]))
def test_random_bytes(fuzz_con, data, name):
    _only_success_or_mutual_error(fuzz_con, name, data)


@FUZZ
@given(data=st.binary(max_size=3000))
def test_random_bytes_that_look_like_a_zip(fuzz_con, data):
    _only_success_or_mutual_error(fuzz_con, "f.xlsx", b"PK\x03\x04" + data)


@st.composite
def _mutated(draw) -> tuple[str, bytes]:
    name = draw(st.sampled_from(sorted(SEEDS)))
    data = bytearray(SEEDS[name])
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        action = draw(st.sampled_from(["flip", "insert", "token", "delete", "repeat", "truncate"]))
        if action == "flip" and data:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif action == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif action == "token":
            data[at:at] = draw(st.sampled_from(TOKENS))
        elif action == "delete":
            del data[at : at + draw(st.integers(1, 200))]
        elif action == "repeat":
            data[at:at] = data[at : at + draw(st.integers(1, 200))]
        else:
            del data[at:]
    return name, bytes(data)


@FUZZ
@given(case=_mutated(), wave=st.sampled_from([None, "pulse-2026-11"]))
def test_mutated_real_exports(fuzz_con, case, wave):
    _only_success_or_mutual_error(fuzz_con, *case, wave=wave)


_CELL = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        ["", "0", "8", "-3", "3.5", "Strongly agree", "E0001", "=1+1", "2099-01-01", "31/02/2026"]
    ),
    st.sampled_from([t.decode("latin-1") for t in TOKENS]),
)


@st.composite
def _cell_mutated(draw) -> tuple[str, bytes]:
    """A sample or export file with some cells replaced: bad values reach the validators, not just the parser."""
    name = draw(st.sampled_from([n for n in sorted(SEEDS) if n.endswith(".csv") and n != "glint.csv"]))
    rows = list(csv.reader(io.StringIO(SEEDS[name].decode("utf-8-sig"), newline="")))
    for _ in range(draw(st.integers(1, 6))):
        row = draw(st.integers(0, len(rows) - 1))
        if not rows[row]:
            continue
        column = draw(st.integers(0, len(rows[row]) - 1))
        rows[row][column] = draw(_CELL)
    return name, csv_bytes(rows)


@FUZZ
@given(case=_cell_mutated())
def test_mutated_cells(fuzz_con, case):
    _only_success_or_mutual_error(fuzz_con, *case)


def test_unmutated_seeds_are_read(fuzz_con):
    """The seeds themselves: every sample and export fixture ends in an import or a located refusal."""
    outcomes = {name: _only_success_or_mutual_error(fuzz_con, name, data) for name, data in SEEDS.items()}
    assert outcomes["survey_pre.csv"] == "imported" and outcomes["qualtrics.csv"] == "imported"


NOT_SURVEYS = {"employees.csv", "participants.csv", "goals.csv", "sessions.csv"}


def test_fuzzing_reaches_both_imports_and_refusals_of_surveys(fuzz_con, capsys):
    """Mutated survey cells run here end in imports and in refusals alike: both outcomes are exercised.

    A run whose surveys all failed to validate would test only the refusals; one that all imported
    would never reach a validator's error. The module's total of examples is printed for the issue.
    """
    examples = max(PER_TEST // 2, 20)
    outcomes: Counter = Counter()

    @settings(FUZZ, max_examples=examples)
    @given(case=_cell_mutated())
    def run(case):
        outcome = _only_success_or_mutual_error(fuzz_con, *case)
        note(f"{case[0]}: {outcome}")
        outcomes["survey" if case[0] not in NOT_SURVEYS else "other", outcome] += 1

    run()
    assert sum(outcomes.values()) == examples  # hypothesis ran every example asked for
    assert outcomes["survey", "imported"] > 0 and outcomes["survey", "refused"] > 0, dict(outcomes)
    total = sum(EXAMPLES.values())
    assert total >= examples  # the module's counter saw this test's examples too
    with capsys.disabled():
        print(f"\nfuzz examples run: {total} ({dict(EXAMPLES)}); this test: {dict(outcomes)}")


@pytest.fixture(autouse=True, scope="module")
def _fresh_counter():
    EXAMPLES.clear()
    yield
