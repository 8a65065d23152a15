"""SurveyMonkey, Microsoft Forms, Google Forms and Viva Glint exports imported value by value."""

from __future__ import annotations

import pytest

from analytics.ingest.exports import translate_file
from analytics.ingest.exports.register import recognition_of
from analytics.ingest.inspection import inspect_file
from analytics.ingest.load import import_files
from tests.export_fixtures import (
    COMMENTS,
    ENG,
    PS,
    SUBMITTED,
    glint_rows,
    googleforms_rows,
    import_employees,
    intended,
    msforms_rows,
    stored_answers,
    surveymonkey_rows,
    write_rows,
    write_xlsx,
)


def test_surveymonkey_matrix_labels_and_enps_words(con, tmp_path):
    import_employees(con, tmp_path)
    path = write_rows(tmp_path / "monkey.csv", surveymonkey_rows())
    inspection = inspect_file(con, path, wave="pulse-2026-05")
    report = recognition_of(inspection)
    assert report["format"] == "surveymonkey"
    targets = {c["source"]: c["target"] for c in report["columns"]}
    # every matrix row carries the question over its first column only, then its own row label
    assert [t for s, t in targets.items() if s.startswith("To what extent")] == PS
    assert targets["What is your department?"] == "department"
    assert targets["Email Address"] == "email"
    assert targets["First Name"] == targets["Last Name"] == "ignore"
    assert inspection.ok, inspection.problems
    import_files(con, [path], wave="pulse-2026-05")
    assert stored_answers(con, [*PS, "enps"]) == intended([*PS, "enps"])  # "Extremely likely" = 10
    rows = con.execute("SELECT response_id, employee_id, submitted_at FROM responses ORDER BY 1").fetchall()
    assert rows == [
        ("11800000000", "E001", SUBMITTED["E001"]),  # linked by e-mail (mixed case in the export)
        ("11800000001", "E002", SUBMITTED["E002"]),  # "05/15/2026 02:05:00 PM" is month first, 14:05
        ("11800000002", "E003", SUBMITTED["E003"]),
    ]


def test_msforms_out_of_order_columns_and_anonymous(con, tmp_path):
    import_employees(con, tmp_path)
    path = write_rows(tmp_path / "forms.csv", msforms_rows())
    import_files(con, [path], wave="mid")
    answers = stored_answers(con, PS)
    # reverse scoring follows the recognised item: ps_1 (reverse-scored) is the 2nd question column
    assert answers["E001"] == intended(PS)["E001"]
    assert answers["E002"] == intended(PS)["E002"]
    assert answers[None] == intended(PS)["E003"]  # 'anonymous' in Email: not linked
    score = con.execute(
        """SELECT avg(CASE WHEN i.reverse THEN i.scale_min + i.scale_max - a.value ELSE a.value END)
        FROM answers a JOIN items i USING (item_id) JOIN responses r USING (response_id)
        WHERE r.employee_id = 'E001' AND i.construct = 'ps'"""
    ).fetchone()[0]
    # E001 answered 7,2,1,6,3,5,6; reverse-coded (8 - x) ps_1, ps_3, ps_5 give 1,2,7,6,5,5,6: mean 32/7
    assert score == pytest.approx(32 / 7)
    ids = [r[0] for r in con.execute("SELECT response_id FROM responses ORDER BY 1").fetchall()]
    assert all(i.startswith("msforms-") for i in ids) and len(set(ids)) == 3


def test_msforms_xlsx_with_real_date_cells(con, tmp_path):
    import_employees(con, tmp_path)
    path = write_xlsx(tmp_path / "forms.xlsx", msforms_rows(xlsx=True))
    [result] = import_files(con, [path], wave="mid")
    assert result.rows == 3
    assert stored_answers(con, PS)["E002"] == intended(PS)["E002"]
    stamps = dict(
        con.execute(
            "SELECT employee_id, submitted_at FROM responses WHERE employee_id IS NOT NULL"
        ).fetchall()
    )
    assert stamps == {"E001": SUBMITTED["E001"], "E002": SUBMITTED["E002"]}
    assert con.execute("SELECT format FROM imports ORDER BY import_id").fetchall() == [
        ("template",),
        ("msforms",),
    ]


def test_googleforms_grid_and_any_case_email_header(con, tmp_path):
    import_employees(con, tmp_path)
    path = write_rows(tmp_path / "google.csv", googleforms_rows(email_header="EMAIL address"))
    report = recognition_of(inspect_file(con, path))
    assert report["format"] == "googleforms"
    targets = {c["source"]: c["target"] for c in report["columns"]}
    assert targets["EMAIL address"] == "email"
    assert [t for s, t in targets.items() if s.endswith("]")] == PS
    assert targets["What is your gender?"] == "gender"
    # no wave chosen: the median completion month of 14 May, 15 May and 2 June
    [result] = import_files(con, [path])
    assert result.waves == ["pulse-2026-05"]
    assert stored_answers(con, PS) == intended(PS)
    stamps = dict(con.execute("SELECT employee_id, submitted_at FROM responses").fetchall())
    assert stamps == SUBMITTED  # "02/06/2026 08:00:00" read day first because "14/05/2026" is
    genders = dict(con.execute("SELECT employee_id, gender FROM responses").fetchall())
    assert genders == {"E001": "Woman", "E002": "Man", "E003": "Non-binary"}


def test_glint_questions_comments_and_serial_dates(con, tmp_path):
    import_employees(con, tmp_path)
    path = write_rows(tmp_path / "glint.csv", glint_rows())
    inspection = inspect_file(con, path, wave="pulse-2026-06")
    targets = {c["source"]: c["target"] for c in recognition_of(inspection)["columns"]}
    proud = "I am proud to work for this organisation."
    assert targets[f"{proud}_COMMENT"] == "comment_eng_2"
    assert targets[f"{proud}_COMMENT_TOPICS"] == targets[f"{proud}_SENSITIVE_COMMENT_FLAG"] == "ignore"
    assert targets["EMP ID"] == "employee_id"
    import_files(con, [path], wave="pulse-2026-06")
    assert stored_answers(con, [*ENG, "enps"]) == intended([*ENG, "enps"])
    stamps = dict(con.execute("SELECT employee_id, submitted_at FROM responses").fetchall())
    assert stamps == SUBMITTED  # Excel serial numbers, to the second
    comments = con.execute(
        "SELECT r.employee_id, c.question, c.text FROM comments c JOIN responses r USING (response_id) ORDER BY 1"
    ).fetchall()
    assert comments[1] == ("E003", "eng_2", COMMENTS["E003"])
    assert len(comments) == 2  # E002 left no comment


def test_translation_without_database_keeps_email_out_of_the_frame(tmp_path):
    translation = translate_file(write_rows(tmp_path / "google.csv", googleforms_rows()), wave="pre")
    assert "email" not in translation.frame.columns
    assert translation.frame["employee_id"].isna().all()  # no employees to link to
    assert translation.report["unmatched_emails"] == 3
