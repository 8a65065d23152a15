"""The database side of matching, on real DuckDB databases built with tests/builders.py."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from builders import (
    PS_ITEMS,
    add_application,
    add_employee,
    add_participant,
    add_response,
    add_session,
    add_wave,
    finish,
)

from analytics import match_data, matching
from analytics.errors import MutualError
from analytics.ingest.kinds import COLUMNS
from analytics.ingest.load import import_files
from analytics.instruments import reverse_code
from analytics.safe_output import safe_csv
from analytics.store import db

ROOT = Path(__file__).resolve().parents[1]
COHORT = "2026-Spring"


def _people(con) -> None:
    """Mentors M1 (G1), M2 (G2); mentees S1 (G5), S2 (G10); S2 manages S1."""
    for person, grade, department in (("M1", "G1", "Eng"), ("M2", "G2", "Sales"), ("S1", "G5", "HR")):
        add_employee(con, person, grade=grade, department=department, location="London", gender="Woman")
    add_employee(con, "S2", grade="G10", department="Finance", location="Leeds", gender="Man")
    con.execute("UPDATE employees SET manager_id = 'S2' WHERE employee_id = 'S1'")


def _applications(con, cohort: str = COHORT) -> None:
    """M1 and S1 share everything (the best pair by score); M2 and S2 share nothing."""
    style = {"openness_to_challenge": 4, "preferred_pace": 3, "directness": 2}
    add_application(
        con, "M1", cohort=cohort, role="mentor", objectives=("inclusion", "technology"),
        skills_offered=("data analysis",), culture_change_involvement=2.0, **style,
    )  # fmt: skip
    add_application(
        con, "S1", cohort=cohort, role="mentee", objectives=("inclusion",),
        skills_wanted=("data analysis",), **style,
    )  # fmt: skip
    add_application(con, "M2", cohort=cohort, role="mentor", objectives=("technology",))
    add_application(con, "S2", cohort=cohort, role="mentee", objectives=("cross-functional",))


@pytest.fixture
def matching_db(con):
    _people(con)
    _applications(con)
    return con


def test_grade_order_is_natural_junior_to_senior(matching_db, monkeypatch):
    monkeypatch.delenv(match_data.GRADE_ORDER_ENV, raising=False)
    assert match_data.grade_order(matching_db) == ["G1", "G2", "G5", "G10"]  # text order would put G10 2nd


def test_grade_order_env_overrides(matching_db, monkeypatch):
    monkeypatch.setenv(match_data.GRADE_ORDER_ENV, "G10, G5,G2 ,G1")
    assert match_data.grade_order(matching_db) == ["G10", "G5", "G2", "G1"]


def test_cohorts_with_applications_are_ordered(matching_db):
    add_application(matching_db, "M1", cohort="2025-Autumn", role="mentor")
    assert match_data.cohorts_with_applications(matching_db) == ["2025-Autumn", COHORT]


def test_match_inputs_hold_the_cohorts_applications_and_the_employees(matching_db):
    add_application(matching_db, "M2", cohort="2025-Autumn", role="mentee")
    inputs = match_data.match_inputs(matching_db, COHORT)
    assert sorted(inputs.applications["employee_id"]) == ["M1", "M2", "S1", "S2"]
    assert set(inputs.applications["cohort"]) == {COHORT}
    m1 = inputs.applications.set_index("employee_id").loc["M1"]
    assert list(m1["objectives"]) == ["inclusion", "technology"] and m1["culture_change_involvement"] == 2.0
    assert list(inputs.employees.columns) == [
        "employee_id", "grade", "department", "location", "manager_id",
        "gender", "ethnicity", "age_band", "disability",
    ]  # fmt: skip
    people = inputs.employees.set_index("employee_id")
    assert people.loc["S1", "manager_id"] == "S2" and people.loc["S2", "grade"] == "G10"
    assert inputs.open_pairs == []


def test_an_unknown_cohort_is_a_mutual_error(matching_db):
    with pytest.raises(MutualError, match="No applications for cohort 'nope'.*2026-Spring"):
        match_data.match_inputs(matching_db, "nope")


def test_pairs_of_open_cohorts_are_not_proposed_again(matching_db):
    add_participant(matching_db, "M1", cohort="2025-A", role="mentor", pair_id="A1")  # no end: open
    add_participant(matching_db, "S1", cohort="2025-A", role="mentee", pair_id="A1")
    for person, role in (("M2", "mentor"), ("S2", "mentee")):  # ended long before the data date
        add_participant(matching_db, person, cohort="2024-A", role=role, pair_id="B1", end_date="2024-06-30")
    assert match_data.match_inputs(matching_db, COHORT).open_pairs == [("M1", "S1")]
    proposal = match_data.propose_for(matching_db, COHORT)
    assert set(zip(proposal.pairs["mentor_id"], proposal.pairs["mentee_id"], strict=True)) == {
        ("M1", "S2"),
        ("M2", "S1"),
    }
    assert proposal.rules.set_index("rule").loc["open_cohort", "pairs_excluded"] == 1


def test_without_open_pairs_the_best_pair_is_made(matching_db):
    """The control for the test above: M1-S1 share the most, so they are paired when nothing forbids it."""
    proposal = match_data.propose_for(matching_db, COHORT)
    assert ("M1", "S1") in set(zip(proposal.pairs["mentor_id"], proposal.pairs["mentee_id"], strict=True))


def test_roster_has_the_participants_columns_and_imports_back(matching_db):
    proposal = match_data.propose_for(matching_db, COHORT)
    frame = match_data.roster(proposal, COHORT, dt.date(2026, 3, 2))
    assert list(frame.columns) == COLUMNS["participants"]
    assert list(frame["pair_id"]) == [f"{COHORT}-P001"] * 2 + [f"{COHORT}-P002"] * 2
    assert list(frame["role"]) == ["mentor", "mentee"] * 2
    (result,) = import_files(matching_db, [("roster.csv", safe_csv(frame))])
    assert result.kind == "participants" and result.rows == 4
    stored = matching_db.execute(
        "SELECT pair_id, employee_id, role, start_date, status FROM participants WHERE cohort = ? ORDER BY ALL",
        [COHORT],
    ).fetchall()
    expected = sorted(
        (f"{COHORT}-P{n:03d}", person, role, dt.date(2026, 3, 2), "active")
        for n, (mentor, mentee) in enumerate(
            sorted(zip(proposal.pairs["mentor_id"], proposal.pairs["mentee_id"], strict=True)), start=1
        )
        for person, role in ((mentor, "mentor"), (mentee, "mentee"))
    )
    assert stored == expected


def _ps(value: float) -> dict[str, float]:
    """Psychological-safety answers whose score (after reverse coding) is exactly `value`."""
    return {item: reverse_code(item, value) for item in PS_ITEMS}  # reverse coding is its own inverse


def test_past_pairs_outcomes_by_hand(matching_db):
    con = matching_db
    _applications(con, "2025-A")
    start, end = "2025-01-06", "2025-07-06"
    add_participant(con, "M1", cohort="2025-A", role="mentor", pair_id="P1", start_date=start, end_date=end)
    add_participant(con, "S1", cohort="2025-A", role="mentee", pair_id="P1", start_date=start, end_date=end)
    add_participant(
        con, "M2", cohort="2025-A", role="mentor", pair_id="P2", start_date=start, end_date="2025-02-20",
        status="withdrawn",
    )  # fmt: skip
    add_participant(con, "S2", cohort="2025-A", role="mentee", pair_id="P2", start_date=start, end_date=end)
    for date in ("2025-01-20", "2025-02-17", "2025-03-17"):
        add_session(con, "P1", date)
    add_session(con, "P1", "2025-08-30")  # after the pair's end: not counted
    add_session(con, "P2", "2025-01-27")
    add_session(con, "P2", "2025-02-17")  # its last session, 42 days in: within three months, not one
    con.execute("UPDATE sessions SET fit = 'good fit' WHERE pair_id = 'P1' AND date = '2025-01-20'")
    con.execute("UPDATE sessions SET fit = 'not a fit' WHERE pair_id = 'P1' AND date = '2025-02-17'")
    add_wave(con, "pre", "pre", "2025-01-01")
    add_wave(con, "post", "post", "2025-07-01")
    changes = {"M1": (4, 5), "S1": (3, 5), "M2": (5, 4), "S2": (4, 6)}  # +1, +2 | -1, +2
    for person, (pre, post) in changes.items():
        add_response(con, f"{person}-pre", "pre", _ps(pre), employee_id=person, submitted_at="2025-01-02")
        add_response(con, f"{person}-post", "post", _ps(post), employee_id=person, submitted_at="2026-01-15")
    finish(con)
    add_application(con, "M1", cohort="2024-X", role="mentor")  # a cohort with applications but no pairs

    pairs = match_data.past_pairs(con).set_index("pair_id")
    assert list(pairs.index) == ["P1", "P2"]
    assert pairs.loc["P1", "both_improved"] and not pairs.loc["P2", "both_improved"]
    assert pairs.loc["P1", "mean_gain"] == pytest.approx((1 + 2) / 2)
    assert pairs.loc["P2", "mean_gain"] == pytest.approx((-1 + 2) / 2)
    months = (dt.date(2025, 7, 6) - dt.date(2025, 1, 6)).days / (365.25 / 12)  # start to end, ~5.95
    assert pairs.loc["P1", "sessions_per_month"] == pytest.approx(3 / months)
    assert pairs.loc["P2", "sessions_per_month"] == pytest.approx(2 / months)
    assert not pairs.loc["P1", "ended_early"] and pairs.loc["P2", "ended_early"]  # ended 42 days in
    assert pairs.loc["P1", "fit"] == "not a fit" and pairs.loc["P2", "fit"] is None  # the latest rating
    # objectives: Jaccard {inclusion, technology} vs {inclusion} = 1/2; {technology} vs {cross-functional} = 0
    assert pairs.loc["P1", "objectives"] == pytest.approx(0.5) and pairs.loc["P2", "objectives"] == 0
    # culture change: 2 years of the 5-year cap; M2 gave none
    assert pairs.loc["P1", "culture_change"] == pytest.approx(0.4) and pairs.loc["P2", "culture_change"] == 0
    weights = matching.normalise_weights(None)
    for pair in ("P1", "P2"):
        total = sum(weights[c] * pairs.loc[pair, c] for c in matching.COMPONENTS)
        assert pairs.loc[pair, "score"] == pytest.approx(total)
    assert pairs.loc["P1", "score"] > pairs.loc["P2", "score"]
    style_only = match_data.past_pairs(con, weights={c: 0.0 for c in matching.COMPONENTS} | {"style": 1})
    assert list(style_only["score"]) == pytest.approx(list(style_only["style"]))


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("MUTUAL_DB", None)
    env.pop(match_data.GRADE_ORDER_ENV, None)
    return subprocess.run(
        [sys.executable, "-m", "analytics", "match", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def matching_file(tmp_path) -> Path:
    path = tmp_path / "match.duckdb"
    con = db.connect(path)
    _people(con)
    _applications(con)
    con.close()
    return path


@pytest.mark.slow
def test_cli_match_writes_the_roster_and_scores(matching_file, tmp_path):
    out, scores = tmp_path / "roster.csv", tmp_path / "scores.csv"
    (tmp_path / "w.json").write_text('{"style": 1}', encoding="utf-8")
    result = _cli(
        "--cohort", COHORT, "--db", str(matching_file), "--out", str(out), "--scores", str(scores),
        "--weights", str(tmp_path / "w.json"), "--start-date", "2026-03-02",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert f"Cohort {COHORT}: 2 pairs proposed" in result.stdout and "reporting_line" in result.stdout
    roster = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(roster.columns) == COLUMNS["participants"] and len(roster) == 4
    assert set(roster["start_date"]) == {"2026-03-02"}
    table = pd.read_csv(io.StringIO(scores.read_text(encoding="utf-8-sig")))
    assert list(table.columns) == ["mentor_id", "mentee_id", "feasible", "score", *matching.COMPONENTS]
    assert len(table) == 2 * 2  # every mentor x mentee pair
    # S2 manages S1, but mentors M1/M2 are in neither's line: all four pairs are feasible
    assert table["feasible"].all()


@pytest.mark.slow
def test_cli_match_refuses_an_unknown_cohort(matching_file):
    result = _cli("--cohort", "nope", "--db", str(matching_file))
    assert result.returncode == 1
    assert "No applications for cohort 'nope'" in result.stderr and "Traceback" not in result.stderr


# Saved settings: one row per cohort, weights as given, rules in full.
def _settings_rows(con) -> list[tuple]:
    return con.execute(
        "SELECT cohort, weights, rules, method, lens FROM match_settings ORDER BY ALL"
    ).fetchall()


def test_saved_settings_round_trip(matching_db):
    assert match_data.saved_settings(matching_db, COHORT) is None
    before = dt.datetime.now().replace(microsecond=0)
    match_data.save_settings(
        matching_db, COHORT, weights={"style": 0.6, "skills": 0.0}, rules={"different_department": True},
        method="bottleneck", lens=["gender"],
    )  # fmt: skip
    saved = match_data.saved_settings(matching_db, COHORT)
    assert saved["weights"] == {"style": 0.6, "skills": 0.0}  # as given, not rescaled
    assert saved["rules"] == {**matching.DEFAULT_RULES, "different_department": True}
    assert saved["method"] == "bottleneck" and saved["lens"] == ["gender"]
    assert before <= saved["saved_at"] <= dt.datetime.now()
    assert match_data.saved_settings(matching_db, "2026-Autumn") is None  # per cohort


def test_saving_again_replaces_the_cohorts_settings(matching_db):
    match_data.save_settings(matching_db, COHORT, weights={"style": 0.6}, rules={}, method="total", lens=[])
    match_data.save_settings(matching_db, "Other", weights={"skills": 1.0}, rules={}, method="total", lens=[])
    match_data.save_settings(
        matching_db,
        COHORT,
        weights={"objectives": 0.3},
        rules={"reporting_line": False},
        method="stable",
        lens=[],
    )
    rows = _settings_rows(matching_db)
    assert [r[0] for r in rows] == ["2026-Spring", "Other"]  # one row per cohort
    saved = match_data.saved_settings(matching_db, COHORT)
    assert saved["weights"] == {"objectives": 0.3} and saved["method"] == "stable"
    assert saved["rules"]["reporting_line"] is False
    assert match_data.saved_settings(matching_db, "Other")["weights"] == {"skills": 1.0}


@pytest.mark.parametrize(
    ("weights", "rules", "method"),
    [
        ({"style": -0.5}, {}, "total"),  # negative
        ({"style": "lots"}, {}, "total"),  # not a number
        ({"charm": 0.5}, {}, "total"),  # no such component
        ({c: 0.0 for c in matching.COMPONENTS}, {}, "total"),  # nothing weighs
        ({"style": 0.5}, {"no_such_rule": True}, "total"),
        ({"style": 0.5}, {}, "random"),
    ],
)
def test_bad_settings_are_refused_and_the_saved_ones_kept(matching_db, weights, rules, method):
    match_data.save_settings(matching_db, COHORT, weights={"style": 0.6}, rules={}, method="total", lens=[])
    before = _settings_rows(matching_db)
    with pytest.raises(MutualError):
        match_data.save_settings(matching_db, COHORT, weights=weights, rules=rules, method=method, lens=[])
    assert _settings_rows(matching_db) == before


def test_an_existing_database_gets_the_settings_table_on_open(tmp_path):
    path = tmp_path / "old.duckdb"
    con = db.connect(path)
    con.execute("DROP TABLE match_settings")
    con.close()
    con = db.connect(path)
    try:
        assert match_data.saved_settings(con, COHORT) is None
    finally:
        con.close()


@pytest.mark.slow
def test_cli_match_uses_the_saved_settings(matching_file):
    con = db.connect(matching_file)
    style_only = {c: 0.0 for c in matching.COMPONENTS} | {"style": 1.0}
    match_data.save_settings(con, COHORT, weights=style_only, rules={}, method="bottleneck", lens=[])
    expected = match_data.propose_for(con, COHORT, weights=style_only, method="bottleneck")
    con.close()
    result = _cli("--cohort", COHORT, "--db", str(matching_file))
    assert result.returncode == 0, result.stderr
    mean = expected.pairs["score"].mean()
    assert f"Cohort {COHORT}: {len(expected.pairs)} pairs proposed, mean score {mean:.2f}" in result.stdout
    assert f"Settings: the weights, rules and method saved for {COHORT}" in result.stdout
    assert "method bottleneck" in result.stdout


# ---------------------------------------------------------------- stable matching from the ranking column

STABLE = "2027-Stable"


@pytest.fixture
def ranked_db(con):
    """Mentors M1-M3 (G1-G2), mentees S1-S3 (G5-G7), all in different departments, each ranking the other side."""
    for person, grade in (("M1", "G1"), ("M2", "G2"), ("M3", "G1"), ("S1", "G5"), ("S2", "G6"), ("S3", "G7")):
        add_employee(con, person, grade=grade, department=f"D{person}", location="London")
    rankings = {
        "S1": ["M1", "M2", "M3"],
        "S2": ["M2", "M1", "M3"],
        "S3": ["M1", "M2"],  # not M3
        "M1": ["S2", "S1", "S3"],
        "M2": ["S1", "S2", "S3"],
        "M3": ["S3"],
    }
    for person, ranking in rankings.items():
        role = "mentor" if person.startswith("M") else "mentee"
        add_application(con, person, cohort=STABLE, role=role, ranking=ranking)
    return con


def test_propose_for_stable_is_the_mentee_proposing_gale_shapley_matching(ranked_db):
    # By hand, mentees proposing: S1 -> M1, S2 -> M2, S3 -> M1; M1 keeps S1 (ranks S1 above S3).
    # S3 -> M2, who keeps S2 (S2 above S3); S3 has asked everyone they ranked. M3 ranked only S3,
    # who did not rank M3. Result: M1-S1, M2-S2, with S3 and M3 unmatched. (Mentors proposing would
    # give M1-S2, M2-S1: the mentee-optimal matching is the one asked for.)
    proposal = match_data.propose_for(ranked_db, STABLE, method="stable")
    pairs = list(zip(proposal.pairs["mentor_id"], proposal.pairs["mentee_id"], strict=True))
    assert pairs == [("M1", "S1"), ("M2", "S2")]
    assert proposal.method == "stable"
    assert sorted(proposal.unmatched["employee_id"]) == ["M3", "S3"]


def test_propose_for_stable_without_rankings_says_which_column(matching_db):
    with pytest.raises(MutualError, match=r"both sides' rankings \(the applications' ranking column\)"):
        match_data.propose_for(matching_db, COHORT, method="stable")


def test_propose_for_stable_with_one_side_ranked_is_refused(ranked_db):
    ranked_db.execute("UPDATE applications SET ranking = NULL WHERE role = 'mentor'")
    with pytest.raises(MutualError, match="stable matching needs both sides' rankings"):
        match_data.propose_for(ranked_db, STABLE, method="stable")
