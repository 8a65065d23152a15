"""Qualtrics exports (three-row and legacy layouts) imported into a real database, value by value."""

from __future__ import annotations

import pytest

from analytics.errors import MutualError
from analytics.ingest.exports import translate_file
from analytics.ingest.exports.register import recognition_of
from analytics.ingest.inspection import inspect_file
from analytics.ingest.load import import_files
from tests.export_fixtures import (
    COMMENTS,
    PS,
    SUBMITTED,
    import_employees,
    intended,
    qualtrics_legacy_rows,
    qualtrics_rows,
    stored_answers,
    write_rows,
)


def test_three_row_export_imports_the_intended_values(con, tmp_path):
    import_employees(con, tmp_path)
    path = write_rows(tmp_path / "qualtrics.csv", qualtrics_rows())
    [result] = import_files(con, [path], wave="pulse-2026-05")
    assert result.rows == 3  # 6 data rows - preview - test - unfinished
    assert stored_answers(con, PS) == intended(PS)
    assert con.execute(
        "SELECT format, kind, rows FROM imports WHERE import_id = ?", [result.import_id]
    ).fetchone() == (
        "qualtrics",
        "survey",
        3,
    )
    responses = con.execute(
        "SELECT response_id, employee_id, wave, submitted_at, department FROM responses ORDER BY response_id"
    ).fetchall()
    assert responses == [
        ("R_E001", "E001", "pulse-2026-05", SUBMITTED["E001"], "Sales"),
        ("R_E002", "E002", "pulse-2026-05", SUBMITTED["E002"], "Finance"),
        ("R_E003", "E003", "pulse-2026-05", SUBMITTED["E003"], "Sales"),
    ]


def test_choice_numbers_export_matches_choice_text_export(con, tmp_path):
    import_employees(con, tmp_path)
    import_files(con, [write_rows(tmp_path / "numeric.csv", qualtrics_rows(numeric=True))], wave="pre")
    assert stored_answers(con, PS) == intended(PS)
    assert (
        con.execute("SELECT count(*) FROM responses").fetchone()[0] == 3
    )  # status 1/2 and Finished 0 left out


def test_preview_test_and_unfinished_are_counted_in_the_report(con, tmp_path):
    import_employees(con, tmp_path)
    inspection = inspect_file(con, write_rows(tmp_path / "q.csv", qualtrics_rows()), wave="pre")
    report = recognition_of(inspection)
    assert report["format"] == "qualtrics"
    assert "ImportId" in report["reason"]
    assert report["excluded"] == {"preview": 1, "test": 1, "unfinished": 1}
    assert any("left out 3 responses" in p.message for p in inspection.warnings)
    assert inspection.ok, inspection.problems


def test_excluded_responses_can_be_kept_by_the_mapping(con, tmp_path):
    translation = translate_file(
        write_rows(tmp_path / "q.csv", qualtrics_rows()), mapping={"include_excluded": True}, wave="pre"
    )
    assert translation.frame["response_id"].tolist() == [
        "R_E001",
        "R_E002",
        "R_E003",
        "R_preview",
        "R_test",
        "R_unfinished",
    ]


def test_columns_are_recognised_with_reasons(tmp_path):
    translation = translate_file(write_rows(tmp_path / "q.csv", qualtrics_rows()), wave="pre")
    targets = {c["source"]: c["target"] for c in translation.report["columns"]}
    assert [targets[f"Q5_{i}"] for i in range(1, 8)] == PS  # by wording after the scale stem
    assert targets["ResponseId"] == "response_id"
    assert targets["ExternalReference"] == "employee_id"
    assert targets["RecipientEmail"] == "email"
    assert targets["RecordedDate"] == "submitted_at"
    assert targets["EndDate"] == "ignore"  # RecordedDate is preferred
    assert targets["RecipientFirstName"] == targets["RecipientLastName"] == "ignore"
    assert targets["Q6"] == "grade"  # "Which grade are you?" is an attribute
    assert targets["Q7_TEXT"] == "comment_is_there_anything_else_you"
    assert targets["Department"] == "department"


def test_comments_are_stored_redacted(con, tmp_path):
    import_employees(con, tmp_path)
    import_files(con, [write_rows(tmp_path / "q.csv", qualtrics_rows())], wave="pre")
    rows = con.execute("SELECT response_id, question, text FROM comments ORDER BY response_id").fetchall()
    assert rows == [
        ("R_E001", "is_there_anything_else_you", "Great team. Call me on [phone removed] or [email removed]"),
        ("R_E003", "is_there_anything_else_you", COMMENTS["E003"]),
    ]


def test_legacy_layout_with_bom_and_trailing_comma_links_by_email(con, tmp_path):
    import_employees(con, tmp_path)
    path = write_rows(tmp_path / "legacy.csv", qualtrics_legacy_rows(), encoding="utf-8-sig", trailing=True)
    inspection = inspect_file(con, path, wave="post")
    report = recognition_of(inspection)
    assert "legacy" in report["reason"]
    assert report["excluded"] == {"preview": 1}
    assert report["linked_by_email"] == 3
    import_files(con, [path], wave="post")
    assert stored_answers(con, PS) == intended(PS)
    assert con.execute("SELECT min(response_id), max(response_id) FROM responses").fetchone() == (
        "R_LE001",
        "R_LE003",
    )


def test_unknown_label_names_the_column_and_label(con, tmp_path):
    rows = qualtrics_rows()
    rows[4][19] = "Sometimes"  # Q5_3 of the second respondent (spreadsheet row 5)
    with pytest.raises(MutualError) as raised:
        import_files(con, [write_rows(tmp_path / "q.csv", rows)], wave="pre")
    [problem] = [p for p in raised.value.problems if "Sometimes" in p.message]
    assert (problem.row, problem.column) == (5, "Q5_3")
    assert "ps_3" in problem.message and "1-7" in problem.message
    assert con.execute("SELECT count(*) FROM responses").fetchone()[0] == 0
