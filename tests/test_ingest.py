"""Importing template files: values stored, every validation error located, all-or-nothing loads."""

import datetime as dt
import random

import pandas as pd
import pytest
from fixtures_ingest import (
    EMPLOYEES,
    GOALS,
    PARTICIPANTS,
    SESSIONS,
    SURVEY,
    csv_bytes,
    snapshot,
    write_csv,
    write_xlsx,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.errors import MutualError
from analytics.ingest.convert import Reporter, parse_dates
from analytics.ingest.inspection import inspect_file
from analytics.ingest.load import import_files, import_history, undo_import


def _all(con, sql, params=None):
    return con.execute(sql, params or []).fetchall()


def _programme(con, tmp_path):
    """Import the five good files (given in reverse dependency order)."""
    files = [
        write_csv(tmp_path, "sessions.csv", SESSIONS),
        write_csv(tmp_path, "goals.csv", GOALS),
        write_csv(tmp_path, "survey.csv", SURVEY),
        write_csv(tmp_path, "roster.csv", PARTICIPANTS),
        write_csv(tmp_path, "hris.csv", EMPLOYEES),
    ]
    return import_files(con, files)


def _problems(excinfo):
    return [(p.row, p.column) for p in excinfo.value.problems if p.severity == "error"]


def _error(con, files, **options):
    with pytest.raises(MutualError) as excinfo:
        import_files(con, files, **options)
    return excinfo


# --- good imports, value by value -------------------------------------------------------------


def test_batch_is_loaded_in_dependency_order(con, tmp_path):
    results = _programme(con, tmp_path)
    assert [r.kind for r in results] == ["employees", "participants", "survey", "goals", "sessions"]
    assert [r.rows for r in results] == [4, 4, 3, 3, 3]
    assert all(r.status == "imported" for r in results)
    assert results[2].waves == ["pre"]
    assert sorted(r.import_id for r in results) == [1, 2, 3, 4, 5]


def test_employees_values(con, tmp_path):
    _programme(con, tmp_path)
    rows = _all(
        con,
        "SELECT employee_id, department, grade, hire_date, exit_date, exit_type, gender FROM employees ORDER BY 1",
    )
    assert rows[0] == ("E1", "Technology", "G3", dt.date(2020, 1, 6), None, None, "woman")
    assert rows[2] == (
        "E3",
        "Finance",
        "G2",
        dt.date(2021, 4, 12),
        dt.date(2025, 6, 30),
        "voluntary",
        "woman",
    )


def test_participants_values_and_defaults(con, tmp_path):
    _programme(con, tmp_path)
    rows = _all(
        con,
        "SELECT employee_id, role, pair_id, start_date, end_date, status, story_consent FROM participants ORDER BY 1",
    )
    assert rows[0] == ("E1", "mentor", "P1", dt.date(2025, 1, 13), None, "active", True)
    assert rows[1][5:] == ("active", False)  # empty status defaults to active; "no" is False
    assert rows[2][4:] == (dt.date(2025, 6, 30), "withdrawn", False)  # empty consent defaults to no
    assert rows[3][5:] == ("completed", True)  # "1" is consent


def test_answers_store_raw_values_and_map_labels(con, tmp_path):
    _programme(con, tmp_path)
    answers = dict(((r, i), v) for r, i, v in _all(con, "SELECT response_id, item_id, value FROM answers"))
    assert answers[("R1", "ps_1")] == 2.0  # reverse-scored item stored raw (not 8 - 2 = 6)
    assert answers[("R1", "ps_2")] == 7.0  # "Strongly agree" on the 7-point scale
    assert answers[("R1", "ps_4")] == 5.0  # "somewhat agree" is point 5 of 7
    assert answers[("R1", "eng_1")] == 4.0  # "Agree" is point 4 of 5
    assert answers[("R2", "enps")] == 0.0
    assert ("R2", "ps_4") not in answers  # empty cell = unanswered
    assert len(answers) == 10  # R1: 5 items, R2: 4 (ps_4 empty), R3: enps only


def test_responses_waves_and_anonymous(con, tmp_path):
    _programme(con, tmp_path)
    rows = _all(
        con, "SELECT response_id, employee_id, wave, submitted_at, import_id FROM responses ORDER BY 1"
    )
    assert rows[0] == ("R1", "E1", "pre", dt.datetime(2025, 1, 14, 9, 30), 3)
    assert rows[2][1] is None  # anonymous
    assert _all(con, "SELECT * FROM waves") == [("pre", "pre", dt.date(2025, 1, 14))]  # earliest submission


def test_comments_are_redacted_and_scored(con, tmp_path):
    _programme(con, tmp_path)
    rows = _all(con, "SELECT response_id, question, text, compound, label, theme FROM comments ORDER BY 1")
    assert len(rows) == 2  # R3's empty comment is not stored
    # VADER's published example: "The book was good." has compound 0.4404.
    assert rows[0] == ("R1", "experience", "The book was good.", pytest.approx(0.4404), "positive", None)
    assert rows[1][2] == "Call me on [phone removed] or mail [email removed]"


def test_goals_and_sessions_values(con, tmp_path):
    _programme(con, tmp_path)
    goals = _all(con, "SELECT employee_id, goal_id, weight, level_mid, level_post FROM goals ORDER BY 1, 2")
    assert goals == [("E1", "G1", 2.0, -1, 1), ("E1", "G2", 1.0, 0, None), ("E2", "G1", 1.5, -2, 2)]
    sessions = _all(con, "SELECT pair_id, date, minutes, kind FROM sessions ORDER BY 2")
    assert sessions[0] == ("P1", dt.date(2025, 2, 3), 45, "meeting")
    assert sessions[1] == ("P2", dt.date(2025, 2, 10), 60, "shadowing")
    assert sessions[2][2] is None


def test_imports_are_recorded(con, tmp_path):
    _programme(con, tmp_path)
    history = import_history(con)
    assert history["import_id"].tolist() == [5, 4, 3, 2, 1]  # newest first
    survey = history.set_index("kind").loc["survey"]
    assert (survey["file_name"], survey["format"], survey["wave"], survey["rows"], survey["status"]) == (
        "survey.csv",
        "template",
        "pre",
        3,
        "imported",
    )
    assert len(survey["sha256"]) == 64


def test_inspect_does_not_write(con, tmp_path):
    before = snapshot(con)
    inspection = inspect_file(con, ("hris.csv", csv_bytes(EMPLOYEES)))
    assert inspection.ok and inspection.kind == "employees" and inspection.format == "template"
    assert inspection.rows == 4 and "employee_id and hire_date" in inspection.reason
    assert inspection.preview.loc[2, "employee_id"] == "E1"  # row 2 = first data row
    assert not inspection.already_imported
    assert snapshot(con) == before


def test_works_after_a_callers_unread_result(con):
    con.execute("SELECT * FROM range(10)").fetchone()  # DuckDB 2 blocks register() until this is finished
    results = import_files(con, [("hris.csv", csv_bytes(EMPLOYEES))])
    assert results[0].rows == 4


def test_wave_given_at_import_and_pulse_kind(con, tmp_path):
    rows = [
        ["response_id", "submitted_at", "department", "bel_1"],
        ["A1", "2026-05-04", "Sales", "4"],
        ["A2", "2026-05-02", "HR", "5"],
    ]
    results = import_files(con, [("pulse.csv", csv_bytes(rows))], wave="pulse-2026-05")
    assert results[0].waves == ["pulse-2026-05"]
    assert _all(con, "SELECT * FROM waves") == [("pulse-2026-05", "pulse", dt.date(2026, 5, 2))]
    assert _all(con, "SELECT response_id, department FROM responses ORDER BY 1") == [
        ("A1", "Sales"),
        ("A2", "HR"),
    ]


def test_mapping_renames_and_ignores_columns(con):
    rows = [["Staff Number", "Start", "Notes"], ["S1", "2020-01-01", "private"]]
    mapping = {"columns": {"Staff Number": "employee_id", "Start": "hire_date", "Notes": "ignore"}}
    results = import_files(con, [("hris.csv", csv_bytes(rows))], mapping=mapping)
    assert (results[0].kind, results[0].warnings) == ("employees", [])
    assert _all(con, "SELECT employee_id, hire_date FROM employees") == [("S1", dt.date(2020, 1, 1))]


def test_headers_in_any_case_and_spacing(con):
    rows = [[" Employee ID ", "HIRE-DATE", "Department"], ["E1", "2020-01-01", "HR"]]
    results = import_files(con, [("hris.csv", csv_bytes(rows))])
    assert (results[0].kind, results[0].warnings) == ("employees", [])
    assert _all(con, "SELECT employee_id, department FROM employees") == [("E1", "HR")]


def test_unknown_column_is_a_warning(con):
    rows = [["employee_id", "hire_date", "shoe_size"], ["E9", "2020-01-01", "42"]]
    results = import_files(con, [("hris.csv", csv_bytes(rows))])
    assert [(w.column, w.severity) for w in results[0].warnings] == [("shoe_size", "warning")]
    assert _all(con, "SELECT count(*) FROM employees") == [(1,)]


# --- validation errors name row and column ----------------------------------------------------


def test_missing_required_column(con):
    rows = [["employee_id", "department"], ["E1", "HR"]]
    excinfo = _error(con, [("hris.csv", csv_bytes(rows))], kind="employees")
    assert _problems(excinfo) == [(1, "hire_date")]
    assert "hris.csv" in str(excinfo.value)


def test_unrecognised_columns(con):
    excinfo = _error(con, [("x.csv", csv_bytes([["name", "colour"], ["a", "b"]]))])
    assert "cannot tell what kind" in str(excinfo.value)


def test_bad_date(con):
    rows = [*EMPLOYEES[:2], ["E5", "HR", "G1", "2021-13-01", "", "", ""]]
    excinfo = _error(con, [("hris.csv", csv_bytes(rows))])
    assert _problems(excinfo) == [(3, "hire_date")]
    assert "'2021-13-01' is not a date" in str(excinfo.value)


def test_out_of_range_likert(con, tmp_path):
    import_files(con, [write_csv(tmp_path, "hris.csv", EMPLOYEES)])
    rows = [
        ["response_id", "wave", "ps_1", "eng_1"],
        ["R1", "pre", "8", "3"],
        ["R2", "pre", "3", "0"],
        ["R3", "pre", "2.5", "1"],
    ]
    excinfo = _error(con, [("s.csv", csv_bytes(rows))])
    assert sorted(_problems(excinfo)) == [
        (2, "ps_1"),
        (3, "eng_1"),
        (4, "ps_1"),
    ]  # ps 1-7, eng 1-5, whole numbers


def test_many_bad_rows_are_summarised(con):
    rows = [["employee_id", "hire_date"]] + [[f"E{i}", "soon"] for i in range(60)]
    problems = _error(con, [("hris.csv", csv_bytes(rows))]).value.problems
    assert len(problems) == 51  # the first 50 rows one by one, then one line for the other 10
    assert problems[49].row == 51 and problems[50].row is None
    assert problems[50].message.startswith("10 more rows with the same problem as row 51")


def test_unknown_label(con):
    rows = [["response_id", "wave", "eng_1"], ["R1", "pre", "Agree"], ["R2", "pre", "Agreee"]]
    excinfo = _error(con, [("s.csv", csv_bytes(rows))])
    assert _problems(excinfo) == [(3, "eng_1")]
    assert "'Agreee'" in str(excinfo.value)


def test_unknown_employee_ids(con, tmp_path):
    import_files(con, [write_csv(tmp_path, "hris.csv", EMPLOYEES)])
    survey = [
        ["response_id", "employee_id", "wave", "enps"],
        ["R1", "E1", "pre", "9"],
        ["R2", "E77", "pre", "9"],
    ]
    roster = [PARTICIPANTS[0], ["E88", "2025-A", "mentor", "P9", "", "2025-01-13", "", "", ""]]
    goals = [GOALS[0], ["E99", "G1", "", "", "", ""]]
    excinfo = _error(
        con, [("s.csv", csv_bytes(survey)), ("r.csv", csv_bytes(roster)), ("g.csv", csv_bytes(goals))]
    )
    found = {(p.file, p.row, p.column) for p in excinfo.value.problems}
    assert found == {("s.csv", 3, "employee_id"), ("r.csv", 2, "employee_id"), ("g.csv", 2, "employee_id")}


def test_unknown_pair(con, tmp_path):
    _programme(con, tmp_path)
    rows = [["pair_id", "date"], ["P1", "2025-04-01"], ["P404", "2025-04-02"]]
    excinfo = _error(con, [("log.csv", csv_bytes(rows))])
    assert _problems(excinfo) == [(3, "pair_id")]


def test_bad_enum_values(con, tmp_path):
    import_files(con, [write_csv(tmp_path, "hris.csv", EMPLOYEES)])
    rows = [PARTICIPANTS[0], ["E1", "2025-A", "boss", "P1", "", "2025-01-13", "", "paused", "maybe"]]
    excinfo = _error(con, [("r.csv", csv_bytes(rows))])
    assert sorted(_problems(excinfo), key=str) == [(2, "role"), (2, "status"), (2, "story_consent")]


def test_duplicate_ids_within_file(con, tmp_path):
    rows = [*EMPLOYEES, ["E2", "HR", "G1", "2020-01-01", "", "", ""]]
    excinfo = _error(con, [("hris.csv", csv_bytes(rows))])
    assert _problems(excinfo) == [(6, "employee_id")]
    assert "repeats row 3" in str(excinfo.value)
    import_files(con, [write_csv(tmp_path, "hris.csv", EMPLOYEES)])
    survey = [["response_id", "wave", "enps"], ["R1", "pre", "1"], ["R1", "pre", "2"]]
    assert _problems(_error(con, [("s.csv", csv_bytes(survey))])) == [(3, "response_id")]
    goals = [
        GOALS[0],
        ["E1", "G1", "", "", "", ""],
        ["E1", "G1", "", "", "", ""],
        ["E2", "G1", "", "", "", ""],
    ]
    assert _problems(_error(con, [("g.csv", csv_bytes(goals))])) == [
        (3, "goal_id")
    ]  # goal_id once per employee


def test_duplicate_ids_against_database(con, tmp_path):
    _programme(con, tmp_path)
    employees = [
        EMPLOYEES[0],
        ["E9", "HR", "G1", "2020-01-01", "", "", ""],
        ["E2", "HR", "G1", "2020-01-01", "", "", ""],
    ]
    assert _problems(_error(con, [("hris2.csv", csv_bytes(employees))])) == [(3, "employee_id")]
    survey = [["response_id", "wave", "enps"], ["R9", "post", "1"], ["R1", "post", "2"]]
    assert _problems(_error(con, [("s2.csv", csv_bytes(survey))])) == [(3, "response_id")]
    goals = [GOALS[0], ["E2", "G1", "", "", "", ""]]
    assert _problems(_error(con, [("g2.csv", csv_bytes(goals))])) == [(2, "goal_id")]


def test_exit_before_hire_and_exit_type(con):
    rows = [
        EMPLOYEES[0],
        ["E1", "HR", "G1", "2020-05-01", "2019-01-01", "voluntary", ""],
        ["E2", "HR", "G1", "2020-05-01", "2021-01-01", "", ""],
        ["E3", "HR", "G1", "2020-05-01", "2021-01-01", "fired", ""],
    ]
    excinfo = _error(con, [("hris.csv", csv_bytes(rows))])
    assert sorted(_problems(excinfo)) == [(2, "exit_date"), (3, "exit_type"), (4, "exit_type")]


def test_future_dates(con, tmp_path):
    _programme(con, tmp_path)
    survey = [["response_id", "wave", "submitted_at", "enps"], ["R8", "post", "2999-01-01", "5"]]
    sessions = [["pair_id", "date"], ["P1", "2025-01-01"], ["P1", "2999-12-31"]]
    excinfo = _error(con, [("s.csv", csv_bytes(survey)), ("log.csv", csv_bytes(sessions))])
    found = {(p.file, p.row, p.column) for p in excinfo.value.problems}
    assert found == {("s.csv", 2, "submitted_at"), ("log.csv", 3, "date")}
    assert "in the future" in str(excinfo.value)


def test_failed_import_leaves_database_unchanged(con, tmp_path):
    import_files(con, [write_csv(tmp_path, "hris.csv", EMPLOYEES)])
    before = snapshot(con)
    bad_survey = [
        *SURVEY,
        ["R4", "E1", "pre", "2025-01-16", "9", "", "", "", "", ""],
    ]  # ps_1 = 9 is off the scale
    files = [
        write_csv(tmp_path, "more.csv", [EMPLOYEES[0], ["E5", "HR", "G1", "2020-01-01", "", "", ""]]),
        write_csv(tmp_path, "roster.csv", PARTICIPANTS),
        write_csv(tmp_path, "survey.csv", bad_survey),
    ]
    excinfo = _error(con, files)
    assert _problems(excinfo) == [(5, "ps_1")]
    assert snapshot(con) == before


def test_errors_do_not_cascade_to_later_files(con, tmp_path):
    employees = [*EMPLOYEES[:2], ["E2", "HR", "G1", "not a date", "", "", ""]]
    files = [write_csv(tmp_path, "survey.csv", SURVEY), write_csv(tmp_path, "hris.csv", employees)]
    excinfo = _error(con, files)
    # E2's survey response is not reported as an unknown employee: only the bad date is.
    assert [(p.file, p.row, p.column) for p in excinfo.value.problems] == [("hris.csv", 3, "hire_date")]


def test_reimport_is_skipped(con, tmp_path):
    _programme(con, tmp_path)
    before = snapshot(con)
    again = import_files(con, [tmp_path / "survey.csv", tmp_path / "hris.csv"])
    assert [r.status for r in again] == ["skipped: already imported"] * 2
    assert again[0].import_id == 1 and again[0].message.startswith("already imported on ")
    assert snapshot(con) == before
    assert inspect_file(con, tmp_path / "goals.csv").already_imported


def test_same_file_twice_in_one_batch(con, tmp_path):
    path = write_csv(tmp_path, "hris.csv", EMPLOYEES)
    results = import_files(con, [path, ("copy.csv", path.read_bytes())])
    assert [r.status for r in results] == ["imported", "skipped: already imported"]
    assert results[1].message == "the same file is already part of this import"
    assert _all(con, "SELECT count(*) FROM employees") == [(4,)]


# --- what Excel does to files -----------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le", "cp1252"])
def test_encodings(con, encoding):
    rows = [["employee_id", "department", "hire_date"], ["E1", "Sécurité", "2020-01-01"]]
    import_files(con, [("hris.csv", csv_bytes(rows, encoding=encoding))])
    assert _all(con, "SELECT employee_id, department FROM employees") == [("E1", "Sécurité")]


def test_semicolons_and_decimal_commas(con, tmp_path):
    _programme(con, tmp_path)
    goals = [GOALS[0], ["E2", "G7", "Mentor others", "2,5", "1", ""]]
    sessions = [SESSIONS[0], ["P2", "2025-03-01", "44,6", "meeting"]]
    tabbed = [SESSIONS[0], ["P2", "2025-03-08", "30.2", "meeting"]]
    files = [
        ("g.csv", csv_bytes(goals, delimiter=";")),
        ("s.csv", csv_bytes(sessions, delimiter=";")),
        ("t.tsv", csv_bytes(tabbed, delimiter="\t")),
    ]
    import_files(con, files)
    assert _all(con, "SELECT weight FROM goals WHERE goal_id = 'G7'") == [(2.5,)]
    assert _all(con, "SELECT minutes FROM sessions WHERE date = '2025-03-01'") == [(45,)]  # 44.6 rounds to 45
    assert _all(con, "SELECT minutes FROM sessions WHERE date = '2025-03-08'") == [(30,)]


def test_day_month_orders_and_excel_serials(con):
    rows = [
        ["employee_id", "hire_date", "exit_date", "exit_type"],
        ["E1", "05/02/2019", "12/25/2024", "voluntary"],  # day/month by default; 12/25 can only be month/day
        ["E2", "31/01/2020", "", ""],
        ["E3", "45678", "", ""],  # Excel serial: 1899-12-30 + 45678 days = 2025-01-21
    ]
    results = import_files(con, [("hris.csv", csv_bytes(rows))])
    assert _all(con, "SELECT hire_date, exit_date FROM employees ORDER BY employee_id") == [
        (dt.date(2019, 2, 5), dt.date(2024, 12, 25)),
        (dt.date(2020, 1, 31), None),
        (dt.date(2025, 1, 21), None),
    ]
    assert results[0].warnings == []  # 31/01 shows the hire dates are day first; 12/25 month first


def test_ambiguous_day_month_warns(con):
    rows = [["employee_id", "hire_date"], ["E1", "05/02/2019"], ["E2", "03/04/2020"]]
    results = import_files(con, [("hris.csv", csv_bytes(rows))])
    assert [(w.column, w.severity) for w in results[0].warnings] == [("hire_date", "warning")]
    assert _all(con, "SELECT hire_date FROM employees ORDER BY 1") == [
        (dt.date(2019, 2, 5),),
        (dt.date(2020, 4, 3),),
    ]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.dates(dt.date(1950, 1, 1), dt.date(2090, 12, 31)), min_size=1, max_size=20))
def test_every_date_layout_reads_back(dates):
    days = pd.Series(dates)
    serial = [str((d - dt.date(1899, 12, 30)).days) for d in dates]  # Excel's day count
    layouts = {
        "iso": [d.isoformat() for d in dates],
        "day first": [f"{d.day:02d}/{d.month:02d}/{d.year}" for d in dates],
        "serial": serial,
    }
    for layout, texts in layouts.items():
        report = Reporter("f.csv")
        parsed = parse_dates(pd.Series(texts, index=range(2, len(texts) + 2)), "d", report)
        assert [p.severity for p in report.problems] in ([], ["warning"]), layout
        assert parsed.dt.date.tolist() == days.tolist(), layout


def test_other_date_layouts():
    texts = ["2025/03/14", "14-Mar-2025", "Mar 14, 2025", "2025-03-14T10:00:00Z", "2020", "March", ""]
    report = Reporter("f.csv")
    parsed = parse_dates(pd.Series(texts, index=range(2, 9)), "d", report)
    assert parsed.iloc[:4].tolist() == [pd.Timestamp("2025-03-14")] * 3 + [pd.Timestamp("2025-03-14 10:00")]
    assert parsed.iloc[4:].isna().all()  # a bare year and a bare month are not dates; empty is missing
    assert [(p.row, p.column) for p in report.problems] == [(6, "d"), (7, "d")]


def test_xlsx_with_date_cells(con, tmp_path):
    path = write_xlsx(
        tmp_path,
        "hris.xlsx",
        [
            ["Employee_ID", "Hire_Date", "Grade"],
            ["E1", dt.datetime(2020, 1, 6), 3],
            ["E2", dt.date(2019, 7, 1), 7],
            [None, None, None],
        ],
    )
    results = import_files(con, [path])
    assert results[0].rows == 2 and results[0].kind == "employees"
    assert _all(con, "SELECT employee_id, hire_date, grade FROM employees ORDER BY 1") == [
        ("E1", dt.date(2020, 1, 6), "3"),
        ("E2", dt.date(2019, 7, 1), "7"),
    ]


def test_trailing_empty_rows_and_columns(con):
    data = b"employee_id,hire_date,,\r\nE1,2020-01-01,,\r\n,,,\r\n\r\n"
    results = import_files(con, [("hris.csv", data)])
    assert results[0].rows == 1 and results[0].warnings == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty"),
        (b"  \r\n", "the file is empty"),
        (b"employee_id,hire_date\r\n", "header row but no data rows"),
        (bytes(range(256)) * 4, "not a CSV or XLSX file"),
        (b"PK\x03\x04" + b"\x00garbage" * 20, "XLSX workbook cannot be read"),
        (b"\xd0\xcf\x11\xe0" + b"\x00" * 60, "old Excel .xls"),
    ],
)
def test_unreadable_files(con, data, message):
    inspection = inspect_file(con, ("upload.csv", data))
    assert not inspection.ok
    assert message in inspection.errors[0].message
    with pytest.raises(MutualError, match="upload.csv"):
        import_files(con, [("upload.csv", data)])


# --- undo ----------------------------------------------------------------------------------------


def test_undo_removes_exactly_one_import(con, tmp_path):
    import_files(con, [write_csv(tmp_path, "hris.csv", EMPLOYEES)])
    before = snapshot(con)
    results = import_files(con, [write_csv(tmp_path, "survey.csv", SURVEY)])
    removed = undo_import(con, results[0].import_id)
    assert removed["responses"] == 3 and removed["answers"] == 10 and removed["comments"] == 2
    assert removed["waves"] == 1 and removed["imports"] == 1 and removed["employees"] == 0
    assert snapshot(con) == before


def test_undo_unknown_import(con):
    with pytest.raises(MutualError, match="no import 42"):
        undo_import(con, 42)


def test_large_survey_imports_completely(con):
    rng = random.Random(42)
    n = 50_000
    items = ["ps_1", "ps_2", "ps_3", "ps_4", "ps_5", "ps_6", "ps_7", "eng_1", "eng_2", "enps"]
    employees = [["employee_id", "hire_date"]] + [[f"E{i}", "2020-01-01"] for i in range(n)]
    survey = [["response_id", "employee_id", "wave", "submitted_at", *items]] + [
        [f"R{i}", f"E{i}", "pulse-1", "2025-05-01 10:00", *(str(rng.randint(1, 5)) for _ in items)]
        for i in range(n)
    ]
    import_files(con, [("hris.csv", csv_bytes(employees))])
    import_files(con, [("pulse.csv", csv_bytes(survey))])
    # speed is measured by the benchmark in bench/, not asserted here
    assert _all(con, "SELECT count(*) FROM answers") == [(n * len(items),)]
    assert _all(con, "SELECT count(DISTINCT response_id) FROM answers") == [(n,)]
