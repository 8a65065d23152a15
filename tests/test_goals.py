"""Goal Attainment Scaling and participation, against hand-worked answers."""

import datetime as dt
import math

import pandas as pd
import pytest

from analytics import goals
from tests import builders


def test_gas_t_score_weighted_known_answer():
    # sum(w x) = -6 + 0 - 1 + 8 + 0 + 6 = 7; sum(w^2) = 91; sum(w) = 21
    # sqrt(0.7 * 91 + 0.3 * 441) = sqrt(196) = 14; T = 50 + 70 / 14 = 55
    assert goals.gas_t_score([-2, 0, -1, 2, 0, 1], [3, 5, 1, 4, 2, 6]) == pytest.approx(55.0)


def test_gas_t_score_unweighted_known_answers():
    assert goals.gas_t_score([0, 0, 0]) == pytest.approx(50.0)
    # 50 + 10 * 6 / sqrt(0.7 * 3 + 0.3 * 9) = 50 + 60 / sqrt(4.8)
    assert goals.gas_t_score([2, 2, 2]) == pytest.approx(77.386, abs=1e-3)
    assert goals.gas_t_score([2, 2, 2]) == pytest.approx(50 + 60 / math.sqrt(4.8))


def test_gas_t_score_rho_zero_is_plain_standardisation():
    assert goals.gas_t_score([1, -1, 1, 1], rho=0) == pytest.approx(50 + 10 * 2 / 2)


def add_participant(con, employee_id, cohort, role, pair_id, start, end=None, department="Ops"):
    """An active participant focused on technology, with an employee row that has only a department."""
    builders.add_employee(con, employee_id, hire_date=None, department=department)
    builders.add_participant(
        con,
        employee_id,
        cohort=cohort,
        role=role,
        pair_id=pair_id,
        focus="technology",
        start_date=start,
        end_date=end,
    )


def add_goals(con, employee_id, levels, weights=None, column="level_post"):
    """Goals g0, g1, ... with these levels in one column (level_mid or level_post)."""
    weights = weights or [1] * len(levels)
    for i, (weight, level) in enumerate(zip(weights, levels, strict=True)):
        builders.add_goal(con, employee_id, f"g{i}", weight=weight, **{column: level})


@pytest.fixture
def programme(con):
    """Three pairs; goal levels for three people; a hand-made session log."""
    add_participant(con, "m1", "C1", "mentor", "P1", "2025-01-01", "2025-07-01")
    add_participant(con, "s1", "C1", "mentee", "P1", "2025-01-01", "2025-07-01")
    add_participant(con, "m2", "C1", "mentor", "P2", "2025-01-01")
    add_participant(con, "s2", "C1", "mentee", "P2", "2025-01-01")
    add_participant(con, "m3", "C2", "mentor", "P3", "2025-03-01", department="HR")
    add_participant(con, "s3", "C2", "mentee", "P3", "2025-03-01")
    add_goals(con, "m1", [-2, 0, -1, 2, 0, 1], [3, 5, 1, 4, 2, 6])  # T = 55
    add_goals(con, "s1", [0, 0, 0])  # T = 50
    add_goals(con, "m2", [2, 2, 2])  # T = 77.386
    add_goals(con, "s2", [1, 1], column="level_mid")  # no post levels yet
    log = [("P1", f"2025-0{month}-10") for month in range(1, 7)]
    log += [("P2", "2025-01-15"), ("P2", "2025-02-20"), ("P2", "2025-08-01")]
    for pair_id, date in log:
        builders.add_session(con, pair_id, date, minutes=60)


def test_gas_scores_computed_in_sql(programme, con):
    scores = goals.gas_scores(con, min_group=1).set_index("employee_id")
    assert sorted(scores.index) == ["m1", "m2", "s1"]  # s2 has only mid levels
    assert scores.loc["m1", "t_score"] == pytest.approx(55.0)
    assert scores.loc["s1", "t_score"] == pytest.approx(50.0)
    assert scores.loc["m2", "t_score"] == pytest.approx(77.386, abs=1e-3)
    assert scores.loc["m1", "met_pct"] == pytest.approx(100 * 4 / 6)  # levels 0 2 0 1 are >= 0
    assert scores.loc["m1", "goals"] == 6
    mid = goals.gas_scores(con, wave="mid", min_group=1)
    assert list(mid["employee_id"]) == ["s2"]
    assert mid["t_score"].iloc[0] == pytest.approx(50 + 20 / math.sqrt(0.7 * 2 + 0.3 * 4))


def test_gas_scores_hidden_below_threshold(programme, con):
    assert goals.gas_scores(con, min_group=4).empty  # three people with post levels


def test_goal_attainment_overall_and_by_role(programme, con):
    overall = goals.goal_attainment(con, min_group=3)
    assert overall["n"].iloc[0] == 3
    assert overall["mean_t"].iloc[0] == pytest.approx((55 + 50 + 50 + 60 / math.sqrt(4.8)) / 3)
    assert overall["met_pct"].iloc[0] == pytest.approx(100 * 10 / 12)  # 4/6 + 3/3 + 3/3 goals
    by_role = goals.goal_attainment(con, ["role"], min_group=1).set_index("role")
    assert by_role.loc["mentor", "n"] == 2
    assert by_role.loc["mentor", "mean_t"] == pytest.approx((55 + 50 + 60 / math.sqrt(4.8)) / 2)
    assert by_role.loc["mentor", "met_pct"] == pytest.approx(100 * 7 / 9)
    assert by_role.loc["mentee", "mean_t"] == pytest.approx(50.0)


def test_goal_attainment_suppresses_small_groups(programme, con):
    overall = goals.goal_attainment(con, min_group=4)  # three people with post levels
    assert overall["suppressed"].all() and overall["n"].isna().all()
    assert overall["suppressed_reason"].iloc[0] == "fewer than 4 responses"
    by_role = goals.goal_attainment(con, ["role"], min_group=2).set_index("role")
    # mentee has 1 person: suppressed, and so the only other group (mentor) is too
    assert by_role["suppressed"].all()
    assert math.isnan(by_role.loc["mentor", "mean_t"]) and math.isnan(by_role.loc["mentor", "goals"])
    assert by_role["n"].isna().all()  # the table never shows a hidden group's n (1 and 2 here)
    assert by_role["suppressed_reason"].notna().all()


def test_goal_attainment_filters(programme, con):
    only_c1_mentees = goals.goal_attainment(con, filters={"role": ["mentee"]}, min_group=1)
    assert only_c1_mentees["n"].iloc[0] == 1 and only_c1_mentees["mean_t"].iloc[0] == pytest.approx(50.0)


def test_data_date_is_latest_in_the_data(programme, con):
    assert goals.data_date(con) == dt.date(2025, 8, 1)  # the last session, not today


def test_participation_hand_made_log(programme, con):
    pairs = goals.participation(con, as_of=dt.date(2025, 6, 30), min_group=3).set_index("pair_id")
    # P1: 6 sessions from 1 Jan to 30 Jun = 180 days = 180 / 30.4375 months
    assert pairs.loc["P1", "sessions"] == 6
    assert pairs.loc["P1", "sessions_per_month"] == pytest.approx(6 / (180 / 30.4375))  # 1.015
    assert bool(pairs.loc["P1", "meets_monthly"]) is True
    assert pairs.loc["P1", "days_since_last"] == 20  # 10 Jun -> 30 Jun
    assert bool(pairs.loc["P1", "inactive"]) is False
    # P2: 2 sessions by 30 Jun (the August one is after as_of); last 20 Feb, 130 days before
    assert pairs.loc["P2", "sessions"] == 2
    assert pairs.loc["P2", "sessions_per_month"] == pytest.approx(2 / (180 / 30.4375))
    assert pairs.loc["P2", "days_since_last"] == 130
    assert bool(pairs.loc["P2", "inactive"]) is True
    assert bool(pairs.loc["P2", "meets_monthly"]) is False
    # P3: started 1 Mar, never met: 121 days without a session
    assert pairs.loc["P3", "sessions"] == 0 and pd.isnull(pairs.loc["P3", "last_session"])
    assert pairs.loc["P3", "days_since_last"] == 121
    assert bool(pairs.loc["P3", "inactive"]) is True
    assert pairs.loc["P3", "members"] == 2 and pairs.loc["P3", "cohort"] == "C2"


def test_participation_as_of_defaults_to_data_date(programme, con):
    pairs = goals.participation(con, min_group=3).set_index("pair_id")
    # P1 ended 1 Jul: its window stops there. P2 runs to the data date, 1 Aug, where it met.
    assert pairs.loc["P1", "stop"].strftime("%Y-%m-%d") == "2025-07-01"
    assert pairs.loc["P2", "sessions"] == 3
    assert pairs.loc["P2", "days_since_last"] == 0
    assert bool(pairs.loc["P2", "inactive"]) is False


def test_participation_summary(programme, con):
    summary = goals.participation_summary(con, as_of=dt.date(2025, 6, 30), min_group=3)
    row = summary.iloc[0]  # n counts pairs (the unit of a pair figure), participants the people in them
    assert (row["n"], row["pairs"], row["participants"], row["sessions"], row["inactive"]) == (3, 3, 6, 8, 2)
    assert row["meets_monthly_pct"] == pytest.approx(100 / 3)
    by_cohort = goals.participation_summary(con, ["cohort"], as_of=dt.date(2025, 6, 30), min_group=2)
    by_cohort = by_cohort.set_index("cohort")
    # C2 has 1 pair: suppressed, and with it the other cohort; neither shows its n
    assert by_cohort["suppressed"].all() and by_cohort["n"].isna().all()
    assert by_cohort["sessions"].isna().all() and by_cohort["inactive"].isna().all()
    visible = goals.participation_summary(con, ["cohort"], as_of=dt.date(2025, 6, 30), min_group=1)
    c1 = visible.set_index("cohort").loc["C1"]
    assert (c1["n"], c1["participants"], c1["inactive"]) == (2, 4, 1)
    assert c1["meets_monthly_pct"] == pytest.approx(50.0)


def test_participation_summary_counts_pairs_not_people(programme, con):
    # 3 pairs of 6 people: k = 5 is met by the people, not by the pairs
    summary = goals.participation_summary(con, as_of=dt.date(2025, 6, 30), min_group=5)
    assert summary["suppressed"].all() and summary["n"].isna().all() and summary["participants"].isna().all()


def test_participation_summary_empty_without_pairs(con):
    assert goals.participation_summary(con).empty


def test_participation_a_pair_matches_a_filter_when_both_partners_do(programme, con):
    june = dt.date(2025, 6, 30)
    ops = goals.participation(con, filters={"department": ["Ops"]}, as_of=june, min_group=1)
    assert list(ops["pair_id"]) == ["P1", "P2"]  # P3's mentor is in HR: "HR + Ops" is neither
    hr = goals.participation(con, filters={"department": ["HR"]}, as_of=june, min_group=1)
    assert hr.empty and hr.attrs["suppressed"]
    mentees = goals.participation(con, filters={"role": ["mentee"]}, as_of=june, min_group=1)
    assert mentees.empty  # a pair is a mentor and a mentee: a role filter selects no pair


def test_participation_list_hidden_below_k_pairs(programme, con):
    shown = goals.participation(con, as_of=dt.date(2025, 6, 30), min_group=3)
    assert len(shown) == 3 and shown.attrs == {"suppressed": False, "suppressed_reason": None}
    hidden = goals.participation(con, as_of=dt.date(2025, 6, 30), min_group=4)  # 3 pairs
    assert hidden.empty and hidden.attrs["suppressed"]
    assert hidden.attrs["suppressed_reason"] == "fewer than 4 responses"


def test_sessions_by_month(programme, con):
    months = goals.sessions_by_month(con, min_group=1)
    assert [m.strftime("%Y-%m") for m in months["month"]] == [
        "2025-01",
        "2025-02",
        "2025-03",
        "2025-04",
        "2025-05",
        "2025-06",
        "2025-08",
    ]
    assert list(months["sessions"]) == [2, 2, 1, 1, 1, 1, 1]
    assert list(months["pairs"]) == [2, 2, 1, 1, 1, 1, 1]
    assert list(months["n"]) == list(months["pairs"])  # n counts the pairs that met
    assert months["minutes"].iloc[0] == 120
    c2 = goals.sessions_by_month(con, filters={"cohort": ["C2"]}, min_group=1)
    assert c2.empty  # P3 never met


def test_sessions_by_month_hides_months_with_fewer_than_k_pairs(programme, con):
    months = goals.sessions_by_month(con, min_group=2)
    # January and February: P1 and P2 met (2 pairs); every later month one pair, hidden, so all of them
    # together (the next-smallest rule across months: the total of sessions is shown elsewhere)
    assert months["suppressed"].sum() == 5 and months["n"].isna().sum() == 5
    assert months.loc[months["suppressed"], "sessions"].isna().all()
    assert list(months.loc[~months["suppressed"], "n"]) == [2, 2]


def test_unknown_wave_for_goals(con):
    with pytest.raises(ValueError, match="goal levels"):
        goals.gas_scores(con, wave="pulse")


def test_pair_not_started_by_as_of_is_neither_counted_nor_inactive(programme, con):
    pairs = goals.participation(con, as_of=dt.date(2025, 1, 20), min_group=3).set_index("pair_id")
    p3 = pairs.loc["P3"]  # starts 1 March
    assert p3["sessions"] == 0
    assert pd.isnull(p3["months_active"]) and pd.isnull(p3["sessions_per_month"])
    assert bool(p3["meets_monthly"]) is False and bool(p3["inactive"]) is False
    # P1 by 20 Jan: one session in 19 days; a window under a month counts as one month
    assert pairs.loc["P1", "sessions_per_month"] == pytest.approx(1.0)
