"""The mapping editor in a running app: recognised targets, live validation, saving a profile."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics.ingest.exports.mapping import find_profile
from analytics.store import db
from tests.export_fixtures import PS, qualtrics_rows, write_rows

SCRIPT = str(Path(__file__).parent / "mapping_editor_app.py")
OWN = ["I look forward to Mondays", "I would tell a friend to work here"]


def _own_questions() -> list[list[str]]:
    header = ["ID", "Start time", "Completion time", "Email", "Name", *OWN]
    return [
        header,
        ["1", "5/14/2026 9:00 AM", "5/14/2026 9:05 AM", "anonymous", "", "Agree", "Strongly agree"],
    ]


@pytest.fixture
def app(tmp_path, monkeypatch):
    database = tmp_path / "mutual.duckdb"
    db.connect(database).close()
    monkeypatch.setenv("MUTUAL_DB", str(database))

    def start(rows: list[list[str]]) -> AppTest:
        monkeypatch.setenv("MAPPING_EDITOR_FILE", str(write_rows(tmp_path / "export.csv", rows)))
        return AppTest.from_file(SCRIPT, default_timeout=60)

    start.database = database
    return start


def test_recognised_export_shows_its_mapping_and_returns_it(app):
    at = app(qualtrics_rows()).run()
    assert not at.exception
    assert "qualtrics" in at.markdown[0].value
    assert "1 preview" in at.caption[0].value
    [editor] = at.data_editor
    table = editor.value.set_index("source")
    assert table.loc[[f"Q5_{i}" for i in range(1, 8)], "target"].tolist() == PS
    assert not at.error
    mapping = at.session_state["mapping"]
    assert mapping["columns"]["Q5_1"] == "ps_1" and mapping["columns"]["RecipientEmail"] == "email"


def test_unrecognised_questions_are_flagged_then_mapped_by_editing(app):
    at = app(_own_questions()).run()
    assert not at.exception
    assert any("no column is mapped to an item" in e.value for e in at.error)
    assert at.session_state["mapping"] is None
    assert at.button(key="map_save").disabled
    # the analyst picks eng_1 and eng_2 for the two questions (rows 5 and 6 of the table)
    at.session_state["map_editor"] = {
        "edited_rows": {5: {"target": "eng_1"}, 6: {"target": "eng_2"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert not at.exception
    assert not at.error
    assert [w.value.replace("\\", "") for w in at.warning] == ["eng: eng_3, eng_4 not mapped"]
    assert at.session_state["mapping"]["columns"][OWN[0]] == "eng_1"


def test_duplicate_targets_are_an_error(app):
    at = app(_own_questions())
    at.session_state["map_editor"] = {
        "edited_rows": {5: {"target": "eng_1"}, 6: {"target": "eng_1"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert any("2 columns are mapped to eng_1" in e.value for e in at.error)
    assert at.session_state["mapping"] is None


def test_save_profile_stores_it_for_the_next_export(app):
    at = app(_own_questions())
    at.session_state["map_editor"] = {
        "edited_rows": {5: {"target": "eng_1"}, 6: {"target": "eng_2"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    at.text_input(key="map_profile_name").input("Monday pulse")
    at.button(key="map_save").click().run()
    assert not at.exception
    assert "Saved profile 'Monday pulse'" in at.success[0].value
    con = db.connect(app.database)
    try:
        name, mapping = find_profile(con, _own_questions()[0])
    finally:
        con.close()
    assert name == "Monday pulse"
    assert mapping["columns"][OWN[1]] == "eng_2"
    # the next run of the same export recognises it through the saved profile
    at.run()
    assert "Saved profile **Monday pulse** applied" in at.markdown[0].value
    assert not at.error


def test_edits_are_forgotten_when_another_export_is_shown(app, tmp_path, monkeypatch):
    at = app(_own_questions())
    at.session_state["map_editor"] = {
        "edited_rows": {5: {"target": "eng_1"}, 6: {"target": "eng_2"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert at.session_state["mapping"]["columns"][OWN[0]] == "eng_1"
    monkeypatch.setenv("MAPPING_EDITOR_FILE", str(write_rows(tmp_path / "other.csv", qualtrics_rows())))
    at.run()
    assert not at.exception
    columns = at.session_state["mapping"]["columns"]
    # rows 5 and 6 of this export are Duration and Finished: the old edits must not land on them
    assert (columns["Duration (in seconds)"], columns["Finished"]) == ("ignore", "ignore")
