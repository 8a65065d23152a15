"""An upload from the browser arrives as (name, bytes): a clean template CSV takes the DuckDB fast
path as a file on disk does, stores exactly what the pandas path stores under the upload's own name,
and leaves no copy behind; anything else still goes the pandas way with the same messages."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from fixtures_ingest import EMPLOYEES, SURVEY, csv_bytes
from test_fast_import import _Pair

from analytics.sample import programme


@pytest.fixture
def pair(tmp_path):
    both = _Pair(tmp_path)
    yield both
    both.close()


def _sample(name: str) -> Path:
    return next(p for p in programme.sample_files() if p.name == name)


def _leftover_copies() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("mutual-upload-*")}


def test_an_uploaded_clean_csv_takes_the_fast_path_under_its_own_name(pair, monkeypatch):
    pair.setup(monkeypatch, [_sample("employees.csv"), _sample("participants.csv")])
    before = _leftover_copies()
    data = _sample("survey_pre.csv").read_bytes()
    outcome, was_fast = pair.compare(monkeypatch, [("Pre survey (export).CSV", data)], score_sentiment=False)
    assert was_fast
    import_id, file_name, kind, rows, status, *_ = outcome[0]
    assert (file_name, kind, status) == ("Pre survey (export).CSV", "survey", "imported")
    assert rows == data.count(b"\n") - 1  # one response per data line
    stored = pair.fast.execute("SELECT file_name FROM imports WHERE import_id = ?", [import_id]).fetchall()
    assert stored == [("Pre survey (export).CSV",)]
    assert _leftover_copies() == before
    # the same bytes uploaded again are recognised by their SHA-256 and skipped, either way
    outcome, was_fast = pair.compare(monkeypatch, [("again.csv", data)])
    assert outcome[0][4] == "skipped: already imported" and not was_fast


def test_an_upload_that_is_not_a_csv_name_goes_the_pandas_way(pair, monkeypatch):
    pair.setup(monkeypatch, [_sample("employees.csv"), _sample("participants.csv")])
    data = _sample("survey_pre.csv").read_bytes()
    outcome, was_fast = pair.compare(monkeypatch, [("pre.txt", data)], score_sentiment=False)
    assert not was_fast
    assert outcome[0][1:5] == ("pre.txt", "survey", data.count(b"\n") - 1, "imported")


def test_a_flawed_upload_gets_the_pandas_messages_naming_the_upload(pair, monkeypatch):
    pair.setup(monkeypatch, [("hris.csv", csv_bytes(EMPLOYEES))])
    before = _leftover_copies()
    rows = [list(r) for r in SURVEY]
    rows[1][rows[0].index("ps_1")] = "9"  # outside the 1-7 scale
    outcome, was_fast = pair.compare(monkeypatch, [("pre.csv", csv_bytes(rows))], score_sentiment=False)
    assert not was_fast
    kind, message, problems = outcome
    assert kind == "error" and "pre.csv" in message
    assert ("pre.csv", 2, "ps_1") in {(p[0], p[2], p[3]) for p in problems}  # data row 1 is line 2
    assert _leftover_copies() == before
    assert pair.fast.execute("SELECT count(*) FROM responses").fetchall() == [(0,)]


def test_a_batch_of_uploads_goes_the_pandas_way(pair, monkeypatch):
    pair.setup(monkeypatch, [_sample("employees.csv"), _sample("participants.csv")])
    files = [(p.name, p.read_bytes()) for p in (_sample("survey_pre.csv"), _sample("survey_mid.csv"))]
    outcome, was_fast = pair.compare(monkeypatch, files, score_sentiment=False)
    assert not was_fast
    assert [r[4] for r in outcome] == ["imported", "imported"]
