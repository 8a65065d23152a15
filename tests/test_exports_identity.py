"""Linking responses to employees by id or by e-mail, with no e-mail or name stored anywhere."""

from __future__ import annotations

import re

from analytics.ingest.load import import_files
from tests.export_fixtures import (
    IDS,
    PEOPLE,
    PS,
    glint_rows,
    googleforms_rows,
    import_employees,
    msforms_rows,
    qualtrics_legacy_rows,
    qualtrics_rows,
    surveymonkey_rows,
    write_rows,
)


def _text_cells(con) -> list[str]:
    """Every text value in every table of the database."""
    columns = con.execute(
        """SELECT table_name, column_name FROM information_schema.columns
        WHERE data_type = 'VARCHAR' AND table_schema = current_schema()"""
    ).fetchall()
    values = []
    for table, column in columns:
        values += [r[0] for r in con.execute(f'SELECT DISTINCT "{column}" FROM "{table}"').fetchall() if r[0]]
    return values


def test_every_export_links_and_stores_no_email_or_name(con, tmp_path):
    import_employees(con, tmp_path)
    files = [
        write_rows(tmp_path / "qualtrics.csv", qualtrics_rows()),
        write_rows(tmp_path / "legacy.csv", qualtrics_legacy_rows(), encoding="utf-8-sig", trailing=True),
        write_rows(tmp_path / "monkey.csv", surveymonkey_rows()),
        write_rows(tmp_path / "forms.csv", msforms_rows()),
        write_rows(tmp_path / "google.csv", googleforms_rows()),
        write_rows(tmp_path / "glint.csv", glint_rows()),
    ]
    for n, path in enumerate(files):
        import_files(con, [path], wave=f"pulse-2026-{n + 1:02d}")
    linked = con.execute(
        "SELECT wave, list(DISTINCT employee_id ORDER BY employee_id), count(*) FROM responses GROUP BY wave ORDER BY wave"
    ).fetchall()
    assert linked == [
        ("pulse-2026-01", ["E001", "E002", "E003"], 3),  # ExternalReference
        ("pulse-2026-02", ["E001", "E002", "E003"], 3),  # legacy EmailAddress only
        ("pulse-2026-03", ["E001", "E002", "E003"], 3),  # Email Address, mixed case for E001
        ("pulse-2026-04", ["E001", "E002", None], 3),  # 'anonymous' for the third respondent
        ("pulse-2026-05", ["E001", "E002", "E003"], 3),  # Google e-mail, upper case for E002
        ("pulse-2026-06", ["E001", "E002", "E003"], 3),  # EMP ID
    ]
    cells = " | ".join(_text_cells(con)).lower()
    for person in PEOPLE:
        assert person["email"].lower() not in cells
        for name in (person["first"], person["last"]):
            assert not re.search(rf"\b{name.lower()}\b", cells), name
    assert "@" not in cells.replace("[email removed]", "")
    assert con.execute("SELECT count(*) FROM answers WHERE item_id LIKE 'ps_%'").fetchone()[0] == 5 * 3 * len(
        PS
    )


def test_unmatched_email_leaves_the_response_anonymous(con, tmp_path):
    import_employees(con, tmp_path)
    rows = googleforms_rows()
    rows[1][1] = "someone.else@example.com"
    [result] = import_files(con, [write_rows(tmp_path / "google.csv", rows)], wave="pre")
    ids = [r[0] for r in con.execute("SELECT employee_id FROM responses ORDER BY submitted_at").fetchall()]
    assert ids == [None, "E002", "E003"]
    [warning] = [w for w in result.warnings if "match no employee" in w.message]
    assert warning.message.startswith("1 e-mail address(es)")
    assert warning.column == "Email Address"


def test_without_id_or_email_responses_are_anonymous_with_inline_attributes(con, tmp_path):
    rows = googleforms_rows()
    for row in rows:
        del row[1]  # no e-mail column at all
    import_files(con, [write_rows(tmp_path / "google.csv", rows)], wave="pulse-2026-05")
    assert con.execute(
        "SELECT list(gender ORDER BY submitted_at), count(employee_id) FROM responses"
    ).fetchone() == (
        ["Woman", "Man", "Non-binary"],
        0,
    )


def test_a_mapped_column_can_carry_the_employee_id(con, tmp_path):
    import_employees(con, tmp_path, with_email=False)
    rows = surveymonkey_rows()
    for row in rows[2:]:
        row[5] = ""  # no e-mail: SurveyMonkey's Custom Data 1 holds the employee id
    path = write_rows(tmp_path / "monkey.csv", rows)
    import_files(con, [path], wave="pre", mapping={"columns": {"Custom Data 1": "employee_id"}})
    assert [r[0] for r in con.execute("SELECT employee_id FROM responses ORDER BY 1").fetchall()] == IDS
