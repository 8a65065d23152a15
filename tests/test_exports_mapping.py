"""Mappings: the analyst's own questions mapped by hand, saved profiles re-applied, mapping errors, --mapping."""

from __future__ import annotations

import hashlib
import json

import pytest

from analytics.__main__ import main
from analytics.errors import MutualError
from analytics.ingest.exports.mapping import find_profile, list_profiles, save_profile, signature
from analytics.ingest.exports.register import recognition_of
from analytics.ingest.inspection import inspect_file
from analytics.ingest.load import import_files
from analytics.store import db
from tests.export_fixtures import AGREE5, import_employees, write_rows

# A Microsoft Forms pulse with the organisation's own wording: nothing in it maps itself.
QUESTIONS = ["I look forward to Mondays", "I would tell a friend to work here", "Rate my manager"]
MAPPING = {"columns": {QUESTIONS[0]: "eng_1", QUESTIONS[1]: "eng_2", QUESTIONS[2]: "ignore"}}


def _own_questions(answers: list[list[str]], day: str = "5/14/2026") -> list[list[str]]:
    header = ["ID", "Start time", "Completion time", "Email", "Name", *QUESTIONS]
    return [header] + [
        [str(n), f"{day} 9:00:00 AM", f"{day} 9:05:00 AM", "anonymous", "", *row]
        for n, row in enumerate(answers, start=1)
    ]


def _eng(con) -> list[tuple]:
    return con.execute(
        "SELECT r.response_id, a.item_id, a.value FROM answers a JOIN responses r USING (response_id) ORDER BY 1, 2"
    ).fetchall()


def test_unmapped_required_item_column_is_an_error(con, tmp_path):
    path = write_rows(tmp_path / "own.csv", _own_questions([[AGREE5[3], AGREE5[4], "5"]]))
    inspection = inspect_file(con, path, wave="pulse-2026-05")
    assert not inspection.ok
    assert any("no column is mapped to an item" in p.message for p in inspection.errors)
    with pytest.raises(MutualError, match="Nothing was imported"):
        import_files(con, [path], wave="pulse-2026-05")
    assert con.execute("SELECT count(*) FROM responses").fetchone()[0] == 0


def test_a_mapping_maps_the_analysts_own_questions(con, tmp_path):
    path = write_rows(
        tmp_path / "own.csv", _own_questions([[AGREE5[3], AGREE5[4], "5"], ["2", "Disagree", ""]])
    )
    import_files(con, [path], wave="pulse-2026-05", mapping=MAPPING)
    rows = _eng(con)
    assert [(item, value) for _, item, value in rows] == [
        ("eng_1", 4.0),
        ("eng_2", 5.0),
        ("eng_1", 2.0),
        ("eng_2", 2.0),
    ]
    assert rows[0][0].startswith("msforms-")


def test_a_flat_mapping_is_accepted_too(con, tmp_path):
    path = write_rows(tmp_path / "own.csv", _own_questions([[AGREE5[0], AGREE5[1], ""]]))
    import_files(con, [path], wave="pulse-2026-05", mapping=MAPPING["columns"])
    assert [(item, value) for _, item, value in _eng(con)] == [("eng_1", 1.0), ("eng_2", 2.0)]


def test_saved_profile_is_applied_to_the_next_export_with_the_same_columns(con, tmp_path):
    first = write_rows(tmp_path / "may.csv", _own_questions([[AGREE5[3], AGREE5[4], ""]]))
    save_profile(con, "Monday pulse", _own_questions([])[0], MAPPING)
    # June's export: same columns in another order and case, different answers, no mapping given
    june = _own_questions([["Strongly agree", "Neither agree nor disagree", "1"]], day="6/11/2026")
    june = [[r[i] for i in (2, 0, 1, 3, 4, 6, 5, 7)] for r in june]
    june[0][5] = june[0][5].upper()
    second = write_rows(tmp_path / "june.csv", june)
    inspection = inspect_file(con, second, wave="pulse-2026-06")
    report = recognition_of(inspection)
    assert report["profile"] == "Monday pulse"
    assert inspection.ok, inspection.problems
    import_files(con, [first], wave="pulse-2026-05")
    import_files(con, [second], wave="pulse-2026-06")
    values = con.execute(
        "SELECT r.wave, a.item_id, a.value FROM answers a JOIN responses r USING (response_id) ORDER BY 1, 2"
    ).fetchall()
    assert values == [
        ("pulse-2026-05", "eng_1", 4.0),
        ("pulse-2026-05", "eng_2", 5.0),
        ("pulse-2026-06", "eng_1", 5.0),
        ("pulse-2026-06", "eng_2", 3.0),
    ]


def test_profiles_are_stored_by_signature_and_replaced_by_name(con):
    columns = ["ID", "Email", "Q1"]
    assert signature(columns) == signature([" q1", "email", "id "])
    save_profile(con, "p", columns, {"columns": {"Q1": "ps_1"}})
    save_profile(con, "p", columns, {"columns": {"Q1": "ps_2"}})
    assert find_profile(con, columns) == ("p", {"columns": {"Q1": "ps_2"}})
    assert [p["name"] for p in list_profiles(con)] == ["p"]
    assert find_profile(con, ["ID", "Q1"]) is None


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"columns": {QUESTIONS[0]: "eng_1", QUESTIONS[1]: "eng_1"}}, "2 columns are mapped to eng_1"),
        ({"columns": {QUESTIONS[0]: "happiness"}}, "unknown target 'happiness'"),
        ({"columns": ["eng_1"]}, '"columns" must map'),
    ],
)
def test_mapping_errors_name_the_problem(con, tmp_path, mapping, message):
    path = write_rows(tmp_path / "own.csv", _own_questions([["1", "2", "3"]]))
    with pytest.raises(MutualError) as raised:
        import_files(con, [path], wave="pulse-2026-05", mapping=mapping)
    assert any(message in p.message for p in raised.value.problems) or message in str(raised.value)


def test_command_line_mapping_file(tmp_path, capsys):
    database = tmp_path / "cli.duckdb"
    db.connect(database).close()
    path = write_rows(tmp_path / "own.csv", _own_questions([[AGREE5[4], AGREE5[2], ""]]))
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({**MAPPING, "wave": "pulse-2026-05"}), encoding="utf-8")
    assert main(["import", str(path), "--db", str(database), "--mapping", str(mapping)]) == 0
    assert "pulse-2026-05" in capsys.readouterr().out
    con = db.connect(database)
    try:
        assert [(item, value) for _, item, value in _eng(con)] == [("eng_1", 5.0), ("eng_2", 3.0)]
    finally:
        con.close()


def test_employees_email_is_stored_only_as_its_hash(con, tmp_path):
    import_employees(con, tmp_path)
    expected = hashlib.sha256(b"ann.smith@example.com").hexdigest()  # of "Ann.Smith@Example.com" lower-cased
    assert (
        con.execute("SELECT email_hash FROM employees WHERE employee_id = 'E001'").fetchone()[0] == expected
    )
    columns = [
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'employees'"
        ).fetchall()
    ]
    assert "email" not in columns


def test_wave_chosen_at_import_wins_over_the_mappings_wave(con, tmp_path):
    path = write_rows(tmp_path / "own.csv", _own_questions([[AGREE5[0], AGREE5[1], ""]]))
    [result] = import_files(con, [path], wave="pulse-2026-06", mapping={**MAPPING, "wave": "pulse-2026-05"})
    assert result.waves == ["pulse-2026-06"]
    assert result.warnings == []


def test_a_mapping_column_missing_from_the_file_is_a_warning(con, tmp_path):
    path = write_rows(tmp_path / "own.csv", _own_questions([[AGREE5[0], AGREE5[1], ""]]))
    mapping = {"columns": {**MAPPING["columns"], "Not a column": "sat_1"}}
    [result] = import_files(con, [path], wave="pulse-2026-05", mapping=mapping)
    [warning] = result.warnings
    assert "not in the file: 'Not a column'" in warning.message
    assert [(item, value) for _, item, value in _eng(con)] == [("eng_1", 1.0), ("eng_2", 2.0)]
