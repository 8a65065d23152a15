"""Exports saved again through Excel: every encoding, delimiter, decimal commas, dates as serial numbers."""

from __future__ import annotations

import pytest

from analytics.ingest.load import import_files
from tests.export_fixtures import (
    PS,
    SUBMITTED,
    excel_serial,
    googleforms_rows,
    import_employees,
    intended,
    qualtrics_rows,
    stored_answers,
    surveymonkey_rows,
    write_rows,
    write_xlsx,
)

ACCENTED = "Équipe formidable, café à volonté — merci"


def _with_accented_comment(rows: list[list[str]]) -> list[list[str]]:
    rows[3][-2] = ACCENTED  # the first respondent's free-text answer (column Q7_TEXT)
    return rows


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [
        ("utf-8", ","),
        ("utf-8-sig", ","),
        ("utf-16", "\t"),  # Excel's "Unicode text"
        ("cp1252", ","),
        ("cp1252", ";"),
        ("utf-8", "\t"),
    ],
)
def test_qualtrics_in_every_encoding_and_delimiter(con, tmp_path, encoding, delimiter):
    import_employees(con, tmp_path)
    rows = _with_accented_comment(qualtrics_rows())
    path = write_rows(tmp_path / "export.csv", rows, encoding=encoding, delimiter=delimiter)
    import_files(con, [path], wave="pre")
    assert stored_answers(con, PS) == intended(PS)
    assert con.execute("SELECT text FROM comments WHERE response_id = 'R_E001'").fetchone()[0] == ACCENTED
    assert (
        con.execute("SELECT submitted_at FROM responses WHERE response_id = 'R_E002'").fetchone()[0]
        == (SUBMITTED["E002"])
    )


def test_semicolons_with_decimal_comma_serial_dates(con, tmp_path):
    import_employees(con, tmp_path)
    # Excel in a European locale: ';' between cells, ',' before decimals, dates as serial numbers
    serial = lambda when: f"{excel_serial(when):.8f}".replace(".", ",")  # noqa: E731
    rows = qualtrics_rows(numeric=True, dates=serial)
    for row in rows[3:]:
        row[5] = "480,5"  # Duration (in seconds), ignored
    import_files(con, [write_rows(tmp_path / "eu.csv", rows, encoding="cp1252", delimiter=";")], wave="pre")
    assert stored_answers(con, PS) == intended(PS)
    stamps = dict(con.execute("SELECT employee_id, submitted_at FROM responses").fetchall())
    assert stamps == SUBMITTED  # 46156.3958333 is 2026-05-14 09:30:00


@pytest.mark.parametrize(
    "style",
    [
        lambda w: w.strftime("%d/%m/%Y %H:%M:%S"),  # UK: 14/05/2026 (so 02/06/2026 is 2 June)
        lambda w: w.strftime("%d.%m.%Y %H:%M"),  # German: 14.05.2026
        lambda w: f"{w.month}/{w.day}/{w:%y} {w:%I:%M %p}",  # US short: 5/14/26 09:30 AM, 6/2/26 08:00 AM
        lambda w: w.strftime("%Y-%m-%dT%H:%M:%SZ"),  # ISO with a zone marker
    ],
    ids=["uk", "german", "us-short", "iso"],
)
def test_dates_in_several_locales(con, tmp_path, style):
    import_employees(con, tmp_path)
    rows = googleforms_rows()
    for row, person in zip(rows[1:], ["E001", "E002", "E003"], strict=True):
        row[0] = style(SUBMITTED[person])
    import_files(con, [write_rows(tmp_path / "google.csv", rows)], wave="pre")
    stamps = dict(con.execute("SELECT employee_id, submitted_at FROM responses").fetchall())
    assert stamps == SUBMITTED  # every fixture time is on the minute


@pytest.mark.parametrize(
    "rows",
    [qualtrics_rows, surveymonkey_rows, googleforms_rows],
    ids=["qualtrics", "surveymonkey", "googleforms"],
)
def test_xlsx_exports(con, tmp_path, rows):
    import_employees(con, tmp_path)
    [result] = import_files(con, [write_xlsx(tmp_path / "export.xlsx", rows())], wave="pre")
    assert result.rows == 3
    assert stored_answers(con, PS) == intended(PS)  # header rows, labels and links as in the CSV
