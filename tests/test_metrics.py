"""Construct scores, group statistics, % favourable, eNPS, equity gaps, pulse trends and alerts."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analytics import metrics
from analytics.filters import NOT_IN_PROGRAMME, NOT_RECORDED
from analytics.store import score_rows
from tests import builders
from tests.builders import add_wave


def add_employee(con, employee_id, department="Sales", grade="G1", gender=None):
    """An employee with no hire date (metrics read none), in Sales at G1 unless said otherwise."""
    builders.add_employee(con, employee_id, hire_date=None, department=department, grade=grade, gender=gender)


def add_response(con, response_id, employee_id, wave, answers):
    builders.add_response(
        con, response_id, wave, answers, employee_id=employee_id, submitted_at="2025-01-15 10:00:00"
    )


def eng(*values):
    """Answers to the four engagement items (1-5)."""
    return {f"eng_{i}": v for i, v in enumerate(values, start=1)}


@pytest.fixture
def two_departments(con):
    """Engagement at pre: Sales 5 people, Ops 6 people, Legal 2 people."""
    add_wave(con, "pre", "pre", "2025-01-01")
    people = {
        "Sales": [(4, 4, 5, 5), (3, 3, 3, 3), (5, 5, 5, 5), (4, 4, 4, 4), (4, 4, 4, 4)],
        "Ops": [(1, 2, 2, 1), (2, 2, 2, 2), (3, 2, 2, 1), (1, 1, 1, 1), (2, 3, 3, 2), (4, 2, 2, 4)],
        "Legal": [(5, 5, 5, 5), (1, 1, 1, 1)],
    }
    for department, rows in people.items():
        for number, values in enumerate(rows):
            employee = f"{department}{number}"
            add_employee(con, employee, department)
            add_response(con, f"r-{employee}", employee, "pre", eng(*values))
    return people


def test_construct_score_reverse_codes_and_needs_half_the_items(con):
    add_wave(con, "pre", "pre", "2025-01-01")
    add_employee(con, "e1")
    add_employee(con, "e2")
    # ps_1 and ps_3 are reverse-scored (8 - x): 2 -> 6, 7 -> 1.
    add_response(con, "a", "e1", "pre", {"ps_1": 2, "ps_2": 5, "ps_3": 7, "ps_4": 4})
    add_response(con, "b", "e2", "pre", {"ps_1": 1, "ps_2": 7, "ps_4": 7})  # 3 of 7 < ceil(3.5)
    scores = metrics.construct_scores(con, "ps")
    assert list(scores["response_id"]) == ["a"]
    assert scores["score"].iloc[0] == pytest.approx((6 + 5 + 1 + 4) / 4)  # 4.0
    assert scores["answered"].iloc[0] == 4
    assert scores["favourable"].iloc[0] == 2  # 6 and 5 are above the midpoint 4; 4 is not


def test_group_scores_by_department(two_departments, con):
    frame = metrics.group_scores(con, "eng", ["department"], min_group=2).set_index("department")
    sales = [np.mean(v) for v in two_departments["Sales"]]  # 4.5, 3, 5, 4, 4
    assert frame.loc["Sales", "n"] == 5
    assert frame.loc["Sales", "mean"] == pytest.approx(np.mean(sales))  # 4.1
    assert frame.loc["Sales", "sd"] == pytest.approx(np.std(sales, ddof=1))
    low, high = stats.t.interval(0.95, 4, loc=np.mean(sales), scale=stats.sem(sales))
    assert frame.loc["Sales", "ci_low"] == pytest.approx(low)
    assert frame.loc["Sales", "ci_high"] == pytest.approx(high)
    # Sales answers above 3 of 5: 4 4 5 5 | - | 5 5 5 5 | 4 4 4 4 | 4 4 4 4 -> 16 of 20
    assert frame.loc["Sales", "favourable_pct"] == pytest.approx(80.0)
    # Ops 2 of 24 answers above 3 (the two 4s)
    assert frame.loc["Ops", "favourable_pct"] == pytest.approx(100 * 2 / 24)
    assert frame.loc["Legal", "mean"] == pytest.approx(3.0)  # (5 + 1) / 2
    assert not frame["suppressed"].any()


def test_group_scores_secondary_suppression_hides_next_smallest(two_departments, con):
    frame = metrics.group_scores(con, "eng", ["department"], min_group=5).set_index("department")
    assert frame["suppressed"].to_dict() == {"Legal": True, "Ops": False, "Sales": True}
    assert pd.isna(frame.loc["Sales", "n"])  # a hidden group shows nothing, not even its n
    assert frame.loc["Sales", "suppressed_reason"].startswith("hidden so that a smaller group")
    assert math.isnan(frame.loc["Sales", "mean"])
    assert frame.loc["Ops", "mean"] == pytest.approx(np.mean([np.mean(v) for v in two_departments["Ops"]]))


def test_group_scores_without_group_by_is_one_row(two_departments, con):
    frame = metrics.group_scores(con, "eng", [], min_group=5)
    everyone = [np.mean(v) for rows in two_departments.values() for v in rows]
    assert len(frame) == 1 and frame["n"].iloc[0] == 13
    assert frame["mean"].iloc[0] == pytest.approx(np.mean(everyone))


def test_group_scores_by_wave_compares_within_wave(con):
    add_wave(con, "pre", "pre", "2025-01-01")
    add_wave(con, "post", "post", "2025-06-01")
    for number in range(6):
        add_employee(con, f"e{number}")
        add_response(con, f"pre{number}", f"e{number}", "pre", eng(2, 2, 2, 2))
        if number < 3:
            add_response(con, f"post{number}", f"e{number}", "post", eng(4, 4, 4, 4))
    frame = metrics.group_scores(con, "eng", ["wave"], min_group=5)
    assert list(frame["wave"]) == ["pre", "post"]  # ordered by when the wave opened
    assert frame["n"].iloc[0] == 6 and pd.isna(frame["n"].iloc[1])  # a hidden wave shows no n
    assert list(frame["suppressed"]) == [False, True]  # one row per wave: nothing to subtract
    assert frame["mean"].iloc[0] == pytest.approx(2.0)


def test_favourable_on_seven_point_items(con):
    add_wave(con, "pre", "pre", "2025-01-01")
    for number in range(5):
        add_employee(con, f"e{number}")
    # Per person, 4 answers. After reverse coding ps_1 (8 - x): values and whether above 4.
    add_response(con, "a", "e0", "pre", {"ps_1": 1, "ps_2": 5, "ps_4": 4, "ps_6": 7})  # 7 5 4 7 -> 3
    add_response(con, "b", "e1", "pre", {"ps_1": 7, "ps_2": 4, "ps_4": 3, "ps_6": 5})  # 1 4 3 5 -> 1
    add_response(con, "c", "e2", "pre", {"ps_1": 4, "ps_2": 6, "ps_4": 6, "ps_6": 6})  # 4 6 6 6 -> 3
    add_response(con, "d", "e3", "pre", {"ps_1": 2, "ps_2": 2, "ps_4": 2, "ps_6": 2})  # 6 2 2 2 -> 1
    add_response(con, "e", "e4", "pre", {"ps_1": 3, "ps_2": 3, "ps_4": 3, "ps_6": 3})  # 5 3 3 3 -> 1
    frame = metrics.group_scores(con, "ps", [], min_group=5)
    assert frame["favourable_pct"].iloc[0] == pytest.approx(100 * 9 / 20)  # 45 %
    items = metrics.item_favourable(con, "ps", min_group=5).set_index("item_id")
    assert list(items.index) == ["ps_1", "ps_2", "ps_4", "ps_6"]  # item order of the instrument
    assert items.loc["ps_1", "favourable_pct"] == pytest.approx(60.0)  # 7 1 4 6 5: three above 4
    assert items.loc["ps_1", "mean"] == pytest.approx((7 + 1 + 4 + 6 + 5) / 5)
    assert bool(items.loc["ps_1", "reverse"]) is True
    assert items.loc["ps_6", "favourable_pct"] == pytest.approx(60.0)  # 7, 5, 6
    assert items.loc["ps_4", "favourable_pct"] == pytest.approx(20.0)  # 6
    assert (items["n"] == 5).all()


def test_item_favourable_by_group_is_suppressed_per_item(two_departments, con):
    items = metrics.item_favourable(con, "eng", ["department"], min_group=5)
    assert len(items) == 4 * 3
    eng1 = items[items["item_id"] == "eng_1"].set_index("department")
    assert eng1["suppressed"].to_dict() == {"Legal": True, "Ops": False, "Sales": True}
    assert eng1.loc["Ops", "favourable_pct"] == pytest.approx(100 / 6)  # one 4 among 1 2 3 1 2 4


def test_enps_hand_worked(con):
    add_wave(con, "pulse1", "pulse", "2025-01-01")
    scores = [10, 10, 9, 8, 7, 6, 0, 9, 9, 2]
    for number, value in enumerate(scores):
        add_employee(con, f"e{number}", "Sales" if number < 5 else "Ops")
        add_response(con, f"r{number}", f"e{number}", "pulse1", {"enps": value})
    frame = metrics.enps(con, min_group=5)
    # promoters 10 10 9 9 9 = 50 %, passives 8 7 = 20 %, detractors 6 0 2 = 30 %
    assert frame["n"].iloc[0] == 10
    assert frame["promoters_pct"].iloc[0] == pytest.approx(50.0)
    assert frame["passives_pct"].iloc[0] == pytest.approx(20.0)
    assert frame["detractors_pct"].iloc[0] == pytest.approx(30.0)
    assert frame["enps"].iloc[0] == pytest.approx(20.0)
    by = metrics.enps(con, ["department"], min_group=5).set_index("department")
    # Sales 10 10 9 8 7: 60 - 0 = 60; Ops 6 0 9 9 2: 40 - 60 = -20
    assert by.loc["Sales", "enps"] == pytest.approx(60.0)
    assert by.loc["Ops", "enps"] == pytest.approx(-20.0)


def test_equity_gaps_direction(two_departments, con):
    gaps = metrics.equity_gaps(con, "eng", "department", min_group=2).set_index("department")
    everyone = np.mean([np.mean(v) for rows in two_departments.values() for v in rows])
    sales = np.mean([np.mean(v) for v in two_departments["Sales"]])
    assert gaps.loc["Sales", "overall_mean"] == pytest.approx(everyone)  # 38.5 / 13
    assert gaps.loc["Sales", "gap"] == pytest.approx(sales - everyone)
    assert gaps.loc["Sales", "direction"] == "above"  # CI 3.18..5.02 excludes 2.96
    low, _ = stats.t.interval(
        0.95, 4, loc=sales, scale=stats.sem([np.mean(v) for v in two_departments["Sales"]])
    )
    assert low > everyone
    assert gaps.loc["Ops", "direction"] == "below"
    assert gaps.loc["Legal", "direction"] == "in line"  # n = 2: CI far too wide to call


def test_equity_gaps_marks_suppressed(two_departments, con):
    gaps = metrics.equity_gaps(con, "eng", "department", min_group=5).set_index("department")
    assert gaps.loc["Legal", "direction"] == "suppressed"
    assert math.isnan(gaps.loc["Legal", "gap"])


@pytest.fixture
def two_pulses(con):
    """Two monthly pulses; Ops falls from 4 to 3, Sales from 4 to 3.9, HR is too small."""
    add_wave(con, "pulse-jan", "pulse", "2025-01-03")
    add_wave(con, "pulse-feb", "pulse", "2025-02-03")
    add_wave(con, "pre", "pre", "2025-01-01")
    for department, size, feb in [
        ("Ops", 6, [3, 3, 3, 3, 3, 3]),
        ("Sales", 5, [4, 4, 4, 4, 3.5]),
        ("HR", 2, [1, 1]),
    ]:
        for number in range(size):
            employee = f"{department}{number}"
            add_employee(con, employee, department)
            add_response(con, f"j-{employee}", employee, "pulse-jan", eng(4, 4, 4, 4))
            add_response(con, f"f-{employee}", employee, "pulse-feb", eng(*[feb[number]] * 4))
            add_response(con, f"p-{employee}", employee, "pre", eng(1, 1, 1, 1))


def test_pulse_trend_by_month(two_pulses, con):
    trend = metrics.pulse_trend(con, "eng", min_group=5)
    assert list(trend["wave"]) == ["pulse-jan", "pulse-feb"]  # the pre wave is not a pulse
    assert not trend["anonymous"].any()
    assert [m.strftime("%Y-%m-%d") for m in trend["month"]] == ["2025-01-01", "2025-02-01"]
    assert list(trend["n"]) == [13, 13]
    # February: Ops 6 x 3, Sales 4 4 4 4 3.5, HR 1 1 -> 39.5 / 13
    assert trend["mean"].iloc[1] == pytest.approx(39.5 / 13)
    by = metrics.pulse_trend(con, "eng", ["department"], min_group=5)
    assert set(by.columns) >= {"wave", "month", "department", "n", "mean", "suppressed"}
    assert by.loc[by["department"] == "HR", "suppressed"].all()


def test_score_alerts(two_pulses, con):
    alerts = metrics.score_alerts(con, "eng", "department", 0.2, min_group=2)
    assert list(alerts["department"]) == ["HR", "Ops"]  # HR fell 3, Ops fell 1; Sales only 0.1
    ops = alerts.set_index("department").loc["Ops"]
    assert (ops["before"], ops["after"], ops["change"], ops["n"]) == (4.0, 3.0, -1.0, 6)
    assert ops["previous_wave"] == "pulse-jan" and ops["latest_wave"] == "pulse-feb"
    # At k = 5 HR is suppressed in both waves and so is the next-smallest (Sales): only Ops is left.
    assert list(metrics.score_alerts(con, "eng", "department", 0.2, min_group=5)["department"]) == ["Ops"]
    assert metrics.score_alerts(con, "eng", "department", 1.5, min_group=2)["department"].tolist() == ["HR"]


def test_unknown_group_by_is_refused(con):
    with pytest.raises(ValueError, match="cannot group by"):
        metrics.group_scores(con, "eng", ["salary"])


def test_anonymous_pulse_in_the_same_month_is_its_own_point(two_pulses, con):
    add_wave(con, "pulse-feb-anon", "pulse", "2025-02-20")
    for number in range(5):
        builders.add_response(con, f"anon{number}", "pulse-feb-anon", eng(2, 2, 2, 2), department="Ops")
    trend = metrics.pulse_trend(con, "eng", min_group=5)
    assert list(trend["wave"]) == ["pulse-jan", "pulse-feb", "pulse-feb-anon"]
    assert list(trend["anonymous"]) == [False, False, True]
    assert list(trend["n"]) == [13, 13, 5]
    assert [m.strftime("%Y-%m") for m in trend["month"]] == ["2025-01", "2025-02", "2025-02"]
    # alerts compare the confidential series with itself (January -> February), not February's
    # confidential pulse with the anonymous one answered by mostly the same people
    alerts = metrics.score_alerts(con, "eng", "department", 0.2, min_group=5)
    assert set(alerts["previous_wave"]) == {"pulse-jan"} and set(alerts["latest_wave"]) == {"pulse-feb"}
    assert alerts["department"].tolist() == ["Ops"]


def test_wave_names_in_order_by_kind(two_pulses, con):
    add_wave(con, "post", "post", "2025-06-01")  # no responses: not listed
    assert metrics.wave_names(con) == ["pre", "pulse-jan", "pulse-feb"]
    assert metrics.wave_names(con, ["pulse"]) == ["pulse-jan", "pulse-feb"]
    assert metrics.wave_names(con, ["pre", "post"]) == ["pre"]


def test_missing_attribute_values_form_a_labelled_group(two_pulses, con):
    # pulse respondents are not on the roster: no cohort; department missing for one new person
    builders.add_employee(con, "new", hire_date=None)
    add_response(con, "j-new", "new", "pulse-jan", eng(2, 2, 2, 2))
    by_cohort = metrics.group_scores(con, "eng", ["cohort"], waves=["pulse-jan"], min_group=1)
    assert list(by_cohort["cohort"]) == [NOT_IN_PROGRAMME]
    by_department = metrics.group_scores(con, "eng", ["department"], waves=["pulse-jan"], min_group=1)
    assert list(by_department["department"]) == ["HR", NOT_RECORDED, "Ops", "Sales"]  # by name
    assert by_department.set_index("department").loc[NOT_RECORDED, "mean"] == 2.0


def test_last_two_pulses_compare_a_series_with_itself():
    trend = pd.DataFrame(
        {
            "wave": ["pulse-09", "pulse-10", "anon-10", "anon-11"],
            "opened_on": pd.to_datetime(["2026-09-01", "2026-10-01", "2026-10-02", "2026-11-01"]),
            "anonymous": [False, False, True, True],
        }
    )
    assert metrics.last_two_pulses(trend) == ("pulse-09", "pulse-10")
    assert metrics.last_two_pulses(trend[trend["anonymous"]]) == ("anon-10", "anon-11")
    assert metrics.last_two_pulses(trend.iloc[[0, 2]]) is None


def test_latest_pulse_changes_on_the_pulse_before_in_its_own_series():
    trend = pd.DataFrame(
        {
            "wave": ["pulse-09", "pulse-10", "anon-11"],
            "opened_on": pd.to_datetime(["2026-09-01", "2026-10-01", "2026-11-01"]),
            "anonymous": [False, False, True],
            "mean": [5.0, 5.5, 3.0],
        }
    )
    latest = metrics.latest_pulse(trend)
    # the confidential pair, not the later anonymous pulse: 5.5 - 5.0
    assert latest["wave"] == "pulse-10" and latest["change"] == pytest.approx(0.5)
    alone = metrics.latest_pulse(trend.iloc[[0, 2]])  # no pair: the last opened, no change
    assert alone["wave"] == "anon-11" and pd.isna(alone["change"])
    hidden = metrics.latest_pulse(trend.assign(mean=[None, 5.5, 3.0]))  # the gate blanked the earlier mean
    assert pd.isna(hidden["change"])


def test_group_scores_is_empty_below_k_respondents_in_total(two_departments, con):
    # 13 respondents in all (5 Sales, 6 Ops, 2 Legal): groups listed (each hidden) at k = 13, nothing at k = 14.
    listed = metrics.group_scores(con, "eng", ["department"], min_group=13)
    assert sorted(listed["department"]) == ["Legal", "Ops", "Sales"] and listed["suppressed"].all()
    assert listed["n"].isna().all()
    assert metrics.group_scores(con, "eng", [], min_group=13)["n"].tolist() == [13]
    assert metrics.group_scores(con, "eng", ["department"], min_group=14).empty
    # Two responses of one employee count once: 6 Ops people, however many rows. (Sales on its own is
    # hidden: it is the next-smallest after Legal's 2, and everyone minus Sales and Ops would be Legal.)
    add_response(con, "again", "Ops0", "pre", eng(1, 1, 1, 1))
    ops = {"department": ["Ops"]}
    assert metrics.group_scores(con, "eng", [], ops, min_group=5)["n"].tolist() == [6]
    assert metrics.group_scores(con, "eng", [], {"department": ["Sales"]}, min_group=5)["suppressed"].all()
    assert metrics.group_scores(con, "eng", [], ops, min_group=7).empty
    assert metrics.enps(con, [], ops, min_group=1).empty  # no eNPS answers: zero respondents


def test_same_data_checks_the_scores_source_once_per_block(sample_con):
    # The sample is imported through ingest, so its scores table is in step and is read directly.
    expected = metrics.group_scores(sample_con, "ps", ["department"], min_group=1)
    assert len(expected) > 1
    with score_rows.same_data(sample_con):
        sample_con.execute("UPDATE employees SET department = 'Elsewhere'")
        # Checked once, at the start of the block: the block promises the data does not change.
        inside = metrics.group_scores(sample_con, "ps", ["department"], min_group=1)
    pd.testing.assert_frame_equal(inside, expected)
    # After the block every call checks again, sees rows changed outside ingest and scores afresh.
    after = metrics.group_scores(sample_con, "ps", ["department"], min_group=1)
    # (anonymous responses keep the department they gave; every linked one is now "Elsewhere")
    assert "Elsewhere" in set(after["department"]) and "Elsewhere" not in set(expected["department"])
    assert after["n"].sum() == expected["n"].sum()


def test_score_rows_sql_is_construct_scores_rows_with_values_as_parameters(sample_con):
    source = score_rows.scores_source(sample_con)
    chosen = {"department": ["Sales"]}
    sql, params = score_rows.score_rows_sql(source, "ps", chosen, ["pre", "post"])
    expected = metrics.construct_scores(sample_con, "ps", chosen, ["pre", "post"])
    assert len(expected) > 0
    assert sample_con.execute(f"SELECT count(*) FROM ({sql})", params).fetchone()[0] == len(expected)
    hostile = ["x'); DROP TABLE responses; --"]
    sql, params = score_rows.score_rows_sql(source, "ps", {"department": hostile})
    assert hostile[0] not in sql and params == ["ps", 4, *hostile]  # 4 = half of the 7 items, rounded up
    assert sample_con.execute(f"SELECT count(*) FROM ({sql})", params).fetchone()[0] == 0


def test_a_programme_wave_alone_is_hidden_as_it_is_beside_the_other_waves(sample_con):
    """The post wave on its own (equity gaps) and in the heatmap of every wave make the same decision:
    its respondents still stand beside the pre -> post change of nearly the same people."""
    alone = metrics.group_scores(sample_con, "ps", ["cohort", "wave"], None, ["post"]).set_index("cohort")
    every = metrics.group_scores(sample_con, "ps", ["cohort", "wave"], None, ["pre", "mid", "post"])
    post = every[every["wave"] == "post"].set_index("cohort")
    assert alone["suppressed"].to_dict() == post["suppressed"].to_dict()
    assert alone["suppressed"].any() and not alone["suppressed"].all()
