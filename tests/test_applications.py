"""The applications template kind: recognised, validated value by value, loaded, and undone."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures_ingest import EMPLOYEES, PARTICIPANTS, SESSIONS, csv_bytes, snapshot

from analytics import matching
from analytics.errors import MutualError
from analytics.ingest.applications import split_terms
from analytics.ingest.kinds import COLUMNS, LOAD_ORDER, detect_kind
from analytics.ingest.load import import_files, undo_import
from analytics.instruments import ITEMS, OBJECTIVES, SKILLS, STYLE, STYLE_ITEMS
from analytics.store import db

ROOT = Path(__file__).resolve().parents[1]

HEADER = [c for c in COLUMNS["applications"] if c != "ranking"]  # ranking: its own tests, at the end
# employee_id, cohort, role, objectives, skills_offered, skills_wanted, the three style items,
# hours_per_month, time_zone, location, prefers_other_department, culture_change_involvement, capacity
GOOD = [
    HEADER,
    [
        "E1",
        "2027-A",
        "Mentor",
        "Inclusion; technology",
        "data analysis, Social  Media",
        "strategic thinking",
        "4",
        "5",
        "3",
        "6",
        "Europe/London",
        "London",
        "yes",
        "2.5",
        "2",
    ],
    [
        "E2",
        "2027-A",
        "mentee",
        "leadership",
        "",
        "coding;data analysis",
        "1",
        "2",
        "5",
        "0",
        "",
        "",
        "no",
        "",
        "",
    ],
    ["E3", "2027-A", "either", "", "coaching", "", "", "", "", "200", "", "Paris", "", "0", "1"],
]


def _with_employees(con) -> None:
    import_files(con, [("hris.csv", csv_bytes(EMPLOYEES))])


def _changed(rows: list[list[str]], row: int, column: str, value: str) -> list[list[str]]:
    """GOOD with one cell replaced: data row `row` (1 = first data row), `column` by name."""
    out = [r[:] for r in rows]
    out[row][HEADER.index(column)] = value
    return out


def _refused(con, rows: list[list[str]]) -> list:
    """Import the rows as applications.csv, expecting a refusal: the errors, the database unchanged."""
    before, counts = snapshot(con), db.table_counts(con)
    with pytest.raises(MutualError) as excinfo:
        import_files(con, [("applications.csv", csv_bytes(rows))])
    assert db.table_counts(con) == counts
    assert snapshot(con) == before
    return [p for p in excinfo.value.problems if p.severity == "error"]


# ---------------------------------------------------------------- the instrument


def test_style_items_are_an_instrument_apart_from_the_survey_items():
    assert STYLE_ITEMS == ("openness_to_challenge", "preferred_pace", "directness")
    assert all(STYLE[c].scale_min == 1 and STYLE[c].scale_max == 5 and STYLE[c].text for c in STYLE_ITEMS)
    assert not set(STYLE_ITEMS) & set(ITEMS)  # else an applications file would read as a survey
    assert {"inclusion", "technology", "cross-generational", "cross-functional"} <= set(OBJECTIVES)
    assert len(SKILLS) >= 15 and len(set(SKILLS)) == len(SKILLS)


def test_matching_scores_the_instruments_style_items():
    assert matching.STYLE_ITEMS is STYLE_ITEMS
    assert "STYLE_ITEMS" not in matching.__all__


def test_split_terms_splits_on_semicolons_and_commas():
    assert split_terms(" inclusion ;technology, leadership ;; ") == ["inclusion", "technology", "leadership"]
    assert split_terms(None) == []


# ---------------------------------------------------------------- recognised and loaded


def test_an_applications_file_is_recognised_from_its_header():
    kind, reason = detect_kind(HEADER)
    assert kind == "applications" and "skills_offered" in reason
    assert detect_kind(["employee_id", "cohort", "role", "skills_wanted"])[0] == "applications"
    assert detect_kind(["employee_id", "cohort", "role", "pair_id", "objectives"])[0] == "participants"
    assert LOAD_ORDER.index("employees") < LOAD_ORDER.index("applications")


def test_a_good_file_is_stored_value_by_value(con):
    _with_employees(con)
    (result,) = import_files(con, [("applications.csv", csv_bytes(GOOD))])
    assert (result.kind, result.rows, result.warnings) == ("applications", 3, [])
    rows = con.execute(
        f"SELECT {', '.join(HEADER)}, import_id FROM applications ORDER BY employee_id"
    ).fetchall()
    assert rows == [
        # role lower-cased; list terms in the vocabulary's spelling, in the file's order
        (
            "E1",
            "2027-A",
            "mentor",
            ["inclusion", "technology"],
            ["data analysis", "social media"],
            ["strategic thinking"],
            4.0,
            5.0,
            3.0,
            6.0,
            "Europe/London",
            "London",
            True,
            2.5,
            2,
            result.import_id,
        ),
        (
            "E2",
            "2027-A",
            "mentee",
            ["leadership"],
            None,
            ["coding", "data analysis"],
            1.0,
            2.0,
            5.0,
            0.0,
            None,
            None,
            False,
            None,
            None,
            result.import_id,
        ),
        (
            "E3",
            "2027-A",
            "either",
            None,
            ["coaching"],
            None,
            None,
            None,
            None,
            200.0,
            None,
            "Paris",
            None,
            0.0,
            1,
            result.import_id,
        ),
    ]
    types = dict(
        con.execute(
            "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = 'applications'"
        ).fetchall()
    )
    assert types["objectives"] == types["skills_offered"] == types["skills_wanted"] == "VARCHAR[]"


def test_applications_load_after_employees_in_the_same_batch(con):
    files = [("applications.csv", csv_bytes(GOOD)), ("hris.csv", csv_bytes(EMPLOYEES))]
    results = import_files(con, files)
    assert [r.kind for r in results] == ["employees", "applications"]
    assert db.table_counts(con)["applications"] == 3


def test_the_documented_example_imports_against_the_sample_employees(con):
    import_files(con, [ROOT / "data" / "sample" / "employees.csv"])
    example = ROOT / "docs" / "examples" / "applications.csv"
    (result,) = import_files(con, [example])
    assert result.kind == "applications"
    assert result.rows == len(example.read_text().splitlines()) - 1


def test_undo_removes_the_applications(con):
    _with_employees(con)
    before = snapshot(con)
    (result,) = import_files(con, [("applications.csv", csv_bytes(GOOD))])
    removed = undo_import(con, result.import_id)
    assert removed["applications"] == 3 and removed["imports"] == 1
    assert snapshot(con) == before


# ---------------------------------------------------------------- refused, naming file, row and column


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("role", "sponsor", "'sponsor' is not one of either, mentee, mentor"),
        (
            "objectives",
            "inclusion; world peace",
            "'world peace' is not a known objective (allowed: inclusion,",
        ),
        (
            "skills_offered",
            "juggling, knitting",
            "'juggling', 'knitting' are not known skills (allowed: data",
        ),
        ("skills_wanted", "inclusion", "'inclusion' is not a known skill"),  # an objective is not a skill
        ("openness_to_challenge", "6", "openness_to_challenge 6 is not from 1 to 5"),
        ("preferred_pace", "0", "preferred_pace 0 is not from 1 to 5"),
        ("directness", "high", "'high' is not a number"),
        ("hours_per_month", "201", "hours_per_month 201 is not from 0 to 200 hours"),
        ("hours_per_month", "-1", "hours_per_month -1 is not from 0 to 200 hours"),
        ("prefers_other_department", "maybe", "'maybe' is not one of"),
        ("culture_change_involvement", "-2", "culture_change_involvement -2 is not a number of years"),
        ("capacity", "0", "capacity 0 is not a number of mentees (1 or more)"),
        ("capacity", "1.5", "capacity 1.5 is not a whole number of mentees"),
        ("employee_id", "E9", "employee_id 'E9' is not in the employees data"),
        ("cohort", "", "cohort is required"),
    ],
)
def test_a_bad_value_is_refused_with_file_row_and_column(con, column, value, message):
    _with_employees(con)
    (problem,) = _refused(con, _changed(GOOD, 2, column, value))
    assert (problem.file, problem.row, problem.column) == ("applications.csv", 3, column)
    assert message in problem.message


def test_an_unknown_term_names_every_allowed_one(con):
    _with_employees(con)
    (problem,) = _refused(con, _changed(GOOD, 1, "objectives", "diversity"))
    assert all(term in problem.message for term in OBJECTIVES)


def test_a_repeated_employee_and_cohort_is_refused(con):
    _with_employees(con)
    rows = [*GOOD, _changed(GOOD, 1, "role", "mentee")[1]]  # E1 applies for 2027-A twice
    (problem,) = _refused(con, rows)
    assert (problem.row, problem.column) == (5, "cohort")
    assert "employee / cohort 'E1 / 2027-A' repeats row 2" in problem.message


def test_an_application_already_in_the_database_is_refused(con):
    _with_employees(con)
    import_files(con, [("first.csv", csv_bytes(GOOD[:2]))])
    again = [HEADER, _changed(GOOD, 1, "hours_per_month", "8")[1]]  # another file, the same E1 / 2027-A
    (problem,) = _refused(con, again)
    assert (problem.row, problem.column) == (2, "cohort")
    assert "already in the database" in problem.message


def test_an_application_in_an_earlier_file_of_the_batch_is_refused(con):
    _with_employees(con)
    before, counts = snapshot(con), db.table_counts(con)
    second = [HEADER, _changed(GOOD, 1, "hours_per_month", "8")[1]]  # not the same file: E1 / 2027-A again
    files = [("a.csv", csv_bytes(GOOD[:2])), ("b.csv", csv_bytes(second))]
    with pytest.raises(MutualError) as excinfo:
        import_files(con, files)
    (problem,) = [p for p in excinfo.value.problems if p.severity == "error"]
    assert (problem.row, problem.column) == (2, "cohort")
    assert "also in an earlier file of this import" in problem.message
    assert (snapshot(con), db.table_counts(con)) == (before, counts)


def test_one_bad_file_stores_nothing_of_the_batch(con):
    files = [
        ("hris.csv", csv_bytes(EMPLOYEES)),
        ("applications.csv", csv_bytes(_changed(GOOD, 3, "role", "x"))),
    ]
    with pytest.raises(MutualError):
        import_files(con, files)
    assert set(db.table_counts(con).values()) == {0}


# ---------------------------------------------------------------- the new optional columns


def test_employees_manager_id_is_imported(con):
    rows = [[*EMPLOYEES[0], "manager_id"]] + [[*r, "E4" if r[0] != "E4" else ""] for r in EMPLOYEES[1:]]
    import_files(con, [("hris.csv", csv_bytes(rows))])
    managers = con.execute("SELECT employee_id, manager_id FROM employees ORDER BY employee_id").fetchall()
    assert managers == [("E1", "E4"), ("E2", "E4"), ("E3", "E4"), ("E4", None)]


def test_a_manager_id_naming_the_employee_is_refused(con):
    rows = [[*EMPLOYEES[0], "manager_id"], [*EMPLOYEES[1], "E1"]]
    (problem,) = _refused(con, rows)
    assert (problem.row, problem.column) == (2, "manager_id")


def test_sessions_fit_is_imported(con):
    import_files(con, [("hris.csv", csv_bytes(EMPLOYEES)), ("roster.csv", csv_bytes(PARTICIPANTS))])
    fits = ["Good fit", "still  deciding", ""]
    rows = [[*SESSIONS[0], "fit"]] + [[*r, f] for r, f in zip(SESSIONS[1:], fits, strict=True)]
    import_files(con, [("log.csv", csv_bytes(rows))])
    stored = con.execute("SELECT fit FROM sessions ORDER BY pair_id, date").fetchall()
    assert stored == [("good fit",), ("still deciding",), (None,)]


def test_a_fit_outside_the_three_ratings_is_refused(con):
    import_files(con, [("hris.csv", csv_bytes(EMPLOYEES)), ("roster.csv", csv_bytes(PARTICIPANTS))])
    rows = [[*SESSIONS[0], "fit"], [*SESSIONS[1], "great"]]
    (problem,) = _refused(con, rows)
    assert (problem.row, problem.column) == (2, "fit")
    assert "good fit, not a fit, still deciding" in problem.message


def test_a_database_from_before_gains_the_optional_columns_and_keeps_its_scores(tmp_path):
    path = tmp_path / "old.duckdb"
    con = db.connect(path)
    import_files(con, [("hris.csv", csv_bytes(EMPLOYEES))])
    # back to the schema before applications: no applications table, no manager_id or fit
    con.execute("DROP TABLE applications")
    con.execute("ALTER TABLE employees DROP COLUMN manager_id")
    con.execute("ALTER TABLE sessions DROP COLUMN fit")
    con.execute("DELETE FROM response_scores_marks")  # only the old shape's state is marked in step
    db.mark_scores(con, None)
    assert db.scores_fresh(con)
    con.close()
    con = db.connect(path)
    assert con.execute("SELECT count(*), count(manager_id) FROM employees").fetchall() == [(4, 0)]
    assert "fit" in {r[0] for r in con.execute("DESCRIBE sessions").fetchall()}
    assert db.table_counts(con)["applications"] == 0
    assert db.scores_fresh(con)  # an empty new column changes no score
    con.close()


# ---------------------------------------------------------------- ranking (stable matching's input)

RANKED_HEADER = [*HEADER, "ranking"]
# E1 (mentor) ranks the mentee and the "either"; E2 (mentee) the mentor and the "either"; E3 ("either")
# anyone; E4 is a second mentee, so a mentee ranking E4 ranks their own side.
RANKED = [
    RANKED_HEADER,
    [*GOOD[1], "E2; E3"],
    [*GOOD[2], "E3,E1"],
    [*GOOD[3], "E4 ; E2;E1"],
    ["E4", "2027-A", "mentee", *[""] * 12, ""],
]


def _ranked(row: int, value: str) -> list[list[str]]:
    """RANKED with data row `row` (1 = first data row) given the ranking `value`."""
    out = [r[:] for r in RANKED]
    out[row][RANKED_HEADER.index("ranking")] = value
    return out


def test_ranking_is_stored_as_a_list_of_ids_in_the_files_order(con):
    _with_employees(con)
    (result,) = import_files(con, [("applications.csv", csv_bytes(RANKED))])
    assert result.rows == 4
    stored = con.execute("SELECT employee_id, ranking FROM applications ORDER BY employee_id").fetchall()
    assert stored == [("E1", ["E2", "E3"]), ("E2", ["E3", "E1"]), ("E3", ["E4", "E2", "E1"]), ("E4", None)]
    types = {r[0]: r[1] for r in con.execute("DESCRIBE applications").fetchall()}
    assert types["ranking"] == "VARCHAR[]"


def test_a_ranking_may_name_an_application_already_in_the_database(con):
    _with_employees(con)
    import_files(con, [("mentors.csv", csv_bytes(GOOD[:2]))])  # E1, a mentor for 2027-A
    import_files(con, [("mentees.csv", csv_bytes([RANKED_HEADER, [*GOOD[2], "E1"]]))])
    assert con.execute("SELECT ranking FROM applications WHERE employee_id = 'E2'").fetchall() == [(["E1"],)]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("E1; E2", "the ranking names the applicant 'E2'"),
        ("E1, E3; E1", "the ranking names 'E1' more than once"),
        ("E1; E9", "'E9' in the ranking has no application for cohort '2027-A'"),  # not an employee
        ("E1; E4", "a mentee ranks the other side; 'E4' (mentee) in the ranking cannot be their partner"),
    ],
)
def test_a_bad_ranking_is_refused_with_file_row_and_column(con, value, message):
    _with_employees(con)
    (problem,) = _refused(con, _ranked(2, value))
    assert (problem.file, problem.row, problem.column) == ("applications.csv", 3, "ranking")
    assert message in problem.message


def test_a_ranking_naming_an_employee_of_another_cohort_is_refused(con):
    _with_employees(con)
    rows = _ranked(1, "E2; E3")
    rows[4][RANKED_HEADER.index("cohort")] = "2027-B"  # E4, whom E3 ranks, applies for another cohort
    (problem,) = _refused(con, rows)
    assert (problem.row, problem.column) == (4, "ranking")
    assert "'E4' in the ranking has no application for cohort '2027-A'" in problem.message


def test_a_mentor_ranking_a_mentor_is_refused(con):
    _with_employees(con)
    rows = _ranked(1, "E2")
    rows[4][RANKED_HEADER.index("role")] = "mentor"  # E4 now a second mentor; E1 ranks E4
    rows[1][RANKED_HEADER.index("ranking")] = "E4"
    rows[3][RANKED_HEADER.index("ranking")] = ""
    (problem,) = _refused(con, rows)
    assert (problem.row, problem.column) == (2, "ranking")
    assert "a mentor ranks the other side; 'E4' (mentor)" in problem.message


def test_a_database_from_before_the_ranking_gains_it_empty(tmp_path):
    path = tmp_path / "old.duckdb"
    con = db.connect(path)
    import_files(con, [("hris.csv", csv_bytes(EMPLOYEES)), ("applications.csv", csv_bytes(GOOD))])
    con.execute("ALTER TABLE applications DROP COLUMN ranking")
    con.close()
    con = db.connect(path)
    types = {r[0]: r[1] for r in con.execute("DESCRIBE applications").fetchall()}
    assert types["ranking"] == "VARCHAR[]"
    assert con.execute("SELECT count(*), count(ranking) FROM applications").fetchall() == [(3, 0)]
    con.close()


def test_the_programme_defines_its_vocabulary(tmp_path, monkeypatch):
    """$MUTUAL_VOCABULARY replaces the default lists: a term only the programme uses is accepted, a
    default term it left out is refused, and an unusable file is refused naming the setting."""
    from analytics.instruments import OBJECTIVES, SKILLS, VOCABULARY_ENV, vocabulary

    assert vocabulary() == {"objectives": OBJECTIVES, "skills": SKILLS}
    custom = tmp_path / "vocabulary.json"
    custom.write_text('{"objectives": ["Inclusion", "Net zero"]}', encoding="utf-8")
    monkeypatch.setenv(VOCABULARY_ENV, str(custom))
    assert vocabulary() == {"objectives": ("Inclusion", "Net zero"), "skills": SKILLS}
    for bad in ('{"objectives": []}', '{"goals": ["x"]}', '{"skills": ["a", " A "]}', "not json"):
        custom.write_text(bad, encoding="utf-8")
        with pytest.raises(MutualError, match=VOCABULARY_ENV):
            vocabulary()


def test_an_import_follows_the_programmes_vocabulary(con, tmp_path, monkeypatch):
    from analytics.instruments import VOCABULARY_ENV

    custom = tmp_path / "vocabulary.json"
    custom.write_text('{"objectives": ["net zero", "leadership", "inclusion"]}', encoding="utf-8")
    monkeypatch.setenv(VOCABULARY_ENV, str(custom))
    _with_employees(con)
    (problem,) = _refused(con, _changed(GOOD, 1, "objectives", "technology"))  # a default term left out
    assert "technology" in problem.message and "net zero" in problem.message
    import_files(
        con, [("applications.csv", csv_bytes(_changed(GOOD, 1, "objectives", "Net Zero; inclusion")))]
    )
    stored = con.execute("SELECT objectives FROM applications WHERE employee_id = 'E1'").fetchone()[0]
    assert stored == ["net zero", "inclusion"]
