"""The Matching page through the app's navigation, on a real DuckDB database of employees and applications.

Every figure the page shows is compared with analytics.match_data.propose_for on the same database.
"""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analytics import match_data
from analytics.store import db
from tests import builders

ROOT = Path(__file__).resolve().parent.parent
PAGE = "views/matching.py"
COHORT = "2027-A"
SKILLS = ["data analysis", "coding", "storytelling", "negotiation", "coaching", "social media"]
OBJECTIVES = ["inclusion", "technology", "leadership", "innovation"]
# 12 mentors (junior grades) and 12 mentees: 11 senior, and E12 at the lowest grade, whom no mentor is below.
MENTORS = [(f"M{i:02d}", "G1" if i % 2 else "G2", "woman" if i <= 6 else "man") for i in range(1, 13)]
MENTEES = [(f"E{i:02d}", "G5" if i % 2 else "G6", "woman" if i <= 6 else "man") for i in range(1, 12)]
MENTEES.append(("E12", "G1", "non-binary"))  # a group of one: its fairness row must be hidden
DEMOGRAPHIC = {"ethnicity": "Ethnicity-Q7", "age_band": "AgeBand-Q7", "disability": "Disability-Q7"}


def _fill(con) -> None:
    rng = random.Random(42)
    departments = ["Engineering", "Sales", "Finance"]
    for n, (person, grade, gender) in enumerate(MENTORS + MENTEES):
        builders.add_employee(
            con, person, department=departments[n % 3], grade=grade, gender=gender, **DEMOGRAPHIC
        )
    for person, _, _ in MENTORS + MENTEES:
        role = "mentor" if person.startswith("M") else "mentee"
        builders.add_application(
            con,
            person,
            cohort=COHORT,
            role=role,
            objectives=tuple(rng.sample(OBJECTIVES, 2)),
            skills_offered=tuple(rng.sample(SKILLS, 2)),
            skills_wanted=tuple(rng.sample(SKILLS, 2)),
            openness_to_challenge=rng.randint(1, 5),
            preferred_pace=rng.randint(1, 5),
            directness=rng.randint(1, 5),
            hours_per_month=float(rng.choice([2, 4, 6])),
            time_zone="Europe/London",
            prefers_other_department=False,
            culture_change_involvement=float(rng.randint(0, 4)) if role == "mentor" else None,
            capacity=1 if role == "mentor" else None,
        )


@pytest.fixture
def matching_db(tmp_path, monkeypatch):
    """A database with employees and one cohort's applications; MUTUAL_DB points at it."""
    path = tmp_path / "matching.duckdb"
    con = db.connect(path)
    _fill(con)
    con.close()
    monkeypatch.setenv("MUTUAL_DB", str(path))
    monkeypatch.setenv("MUTUAL_NO_SAMPLE", "1")
    return path


def _expected(path: Path, **options):
    con = db.connect(path)
    try:
        return match_data.propose_for(con, COHORT, **options)
    finally:
        con.close()


def _page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def _proposed(at: AppTest) -> AppTest:
    at.button(key="match_propose").click().run()
    assert not at.exception, at.exception
    return at


def _table(at: AppTest, column: str) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _pairs(frame: pd.DataFrame) -> list[tuple[str, str, float]]:
    return [
        (a, b, round(float(s), 9))
        for a, b, s in zip(frame["mentor_id"], frame["mentee_id"], frame["score"], strict=True)
    ]


def test_the_page_lists_the_cohort(matching_db):
    at = _page()
    assert at.selectbox(key="match_cohort").options == [COHORT]
    assert at.title[0].value == "Matching"


def test_proposed_pairs_and_scores_are_match_datas(matching_db):
    at = _proposed(_page())
    expected = _expected(matching_db)
    assert len(expected.pairs) == 11  # every senior mentee has a mentor; E12 has none
    assert _pairs(_table(at, "explanation")) == _pairs(expected.pairs)


def test_a_locked_pair_stays_after_a_re_run(matching_db):
    at = _proposed(_page())
    first = _expected(matching_db).pairs.iloc[0]
    pair = (first["mentor_id"], first["mentee_id"])
    at.multiselect(key="match_locked").set_value([pair]).run()
    for name in ("skills", "style", "availability", "culture_change"):  # only objectives now count
        at.slider(key=f"match_w_{name}").set_value(0.0)
    at.run()
    assert not at.exception, at.exception
    weights = {"objectives": 0.2, "skills": 0.0, "style": 0.0, "availability": 0.0, "lens": 0.1}
    expected = _expected(matching_db, weights={**weights, "culture_change": 0.0}, locked=(pair,))
    shown = _table(at, "explanation")
    assert _pairs(shown) == _pairs(expected.pairs)
    row = shown[(shown["mentor_id"] == pair[0]) & (shown["mentee_id"] == pair[1])]
    assert row["locked"].tolist() == [True]


def test_an_excluded_pair_disappears(matching_db):
    at = _proposed(_page())
    first = _expected(matching_db).pairs.iloc[0]
    pair = (first["mentor_id"], first["mentee_id"])
    at.multiselect(key="match_excluded").set_value([pair]).run()
    assert not at.exception, at.exception
    shown = _table(at, "explanation")
    assert pair not in list(zip(shown["mentor_id"], shown["mentee_id"], strict=True))
    assert _pairs(shown) == _pairs(_expected(matching_db, excluded=(pair,)).pairs)


def test_the_unmatched_show_their_reason(matching_db):
    at = _proposed(_page())
    unmatched = _table(at, "reason").set_index("employee_id")["reason"]
    assert unmatched["E12"] == "no feasible mentor: every mentor's grade is not below theirs"
    assert (
        unmatched.to_dict() == _expected(matching_db).unmatched.set_index("employee_id")["reason"].to_dict()
    )


def test_no_demographic_value_appears_in_the_proposals(matching_db):
    at = _proposed(_page())
    shown = _table(at, "explanation")
    cells = {str(v) for v in shown.to_numpy().ravel()}
    words = " ".join(cells)
    values = {*DEMOGRAPHIC.values(), "woman", "man", "non-binary"}
    assert not {v for v in values if v in words}
    assert not {"gender", *DEMOGRAPHIC} & set(shown.columns)


def test_fairness_hides_a_group_below_k(matching_db):
    at = _proposed(_page())
    fair = _table(at, "% matched")
    mentees = fair[fair["side"] == "mentee"].set_index("gender")
    assert mentees.loc["non-binary", "n"] == "fewer than 5 responses"  # one mentee, k = 5
    assert mentees.loc["non-binary", "mean score"] == ""
    mentors = fair[fair["side"] == "mentor"].set_index("gender")
    assert mentors.loc["woman", "n"] == "6"  # six women mentors: shown, with their n


def test_importing_the_roster_adds_the_participants(matching_db):
    at = _proposed(_page())
    expected = _expected(matching_db)
    at.button(key="match_import").click().run()
    assert not at.exception, at.exception
    assert any("import #" in s.value for s in at.success)
    con = db.connect(matching_db)
    rows = con.execute(
        "SELECT employee_id, role, pair_id FROM participants WHERE cohort = ? ORDER BY employee_id", [COHORT]
    ).df()
    con.close()
    assert len(rows) == 2 * len(expected.pairs)
    assert set(rows.loc[rows["role"] == "mentor", "employee_id"]) == set(expected.pairs["mentor_id"])
    assert set(rows.loc[rows["role"] == "mentee", "employee_id"]) == set(expected.pairs["mentee_id"])
    mentor_of = rows.pivot(index="pair_id", columns="role", values="employee_id")
    assert sorted(zip(mentor_of["mentor"], mentor_of["mentee"], strict=True)) == sorted(
        zip(expected.pairs["mentor_id"], expected.pairs["mentee_id"], strict=True)
    )


def test_without_applications_the_page_says_how_to_add_them(tmp_path, monkeypatch):
    path = tmp_path / "empty.duckdb"
    con = db.connect(path)
    builders.add_employee(con, "M01", department="Sales", grade="G1")
    con.close()
    monkeypatch.setenv("MUTUAL_DB", str(path))
    monkeypatch.setenv("MUTUAL_NO_SAMPLE", "1")
    at = _page()
    assert any("upload an applications file on the Upload page" in i.value for i in at.info)
    assert any("docs/templates.md" in i.value for i in at.info)
    assert not at.button  # nothing to propose


def test_saved_settings_are_where_a_fresh_page_starts(matching_db):
    at = _page()
    assert at.slider(key="match_w_style").value == match_data.matching.DEFAULT_WEIGHTS["style"]
    at.slider(key="match_w_style").set_value(0.8)
    at.slider(key="match_w_skills").set_value(0.0)
    at.checkbox(key="match_rule_different_department").check()
    at.radio(key="match_method").set_value("bottleneck")
    at.multiselect(key="match_lens").set_value(["gender"])
    at.run()
    at.button(key="match_save").click().run()
    assert not at.exception, at.exception
    assert at.success and f"Settings saved for {COHORT}" in at.success[0].value
    con = db.connect(matching_db)
    try:
        saved = match_data.saved_settings(con, COHORT)
    finally:
        con.close()
    assert saved["weights"]["style"] == 0.8 and saved["weights"]["skills"] == 0.0
    assert saved["rules"]["different_department"] is True and saved["method"] == "bottleneck"
    assert saved["lens"] == ["gender"]
    assert f"{saved['saved_at']:%H:%M}" in at.success[0].value

    fresh = _proposed(_page())  # a new session starts from the saved settings, and proposes with them
    assert fresh.slider(key="match_w_style").value == 0.8
    assert fresh.slider(key="match_w_skills").value == 0.0
    assert fresh.checkbox(key="match_rule_different_department").value is True
    assert fresh.radio(key="match_method").value == "bottleneck"
    assert fresh.multiselect(key="match_lens").value == ["gender"]
    expected = _expected(
        matching_db, weights=saved["weights"], rules=saved["rules"], method="bottleneck", lens=("gender",)
    )
    assert _pairs(_table(fresh, "explanation")) == _pairs(expected.pairs)
