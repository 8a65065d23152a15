"""Kaplan-Meier, retention at 6/12 months and the log-rank test, against hand work and scipy."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analytics import retention
from tests import builders

TIMES = [1, 2, 2, 3, 4, 5, 6]
EVENTS = [1, 1, 0, 1, 0, 1, 0]


def test_kaplan_meier_known_answer():
    table = retention.kaplan_meier(TIMES, EVENTS).set_index("time")
    # Worked by hand: S(1) = 6/7, S(2) = 6/7 * 5/6, S(3) = 5/7 * 3/4, S(5) = 15/28 * 1/2
    assert table.loc[1, "survival"] == pytest.approx(0.857143, abs=1e-6)
    assert table.loc[2, "survival"] == pytest.approx(0.714286, abs=1e-6)
    assert table.loc[3, "survival"] == pytest.approx(0.535714, abs=1e-6)
    assert table.loc[5, "survival"] == pytest.approx(0.267857, abs=1e-6)
    assert table["at_risk"].tolist() == [7, 6, 4, 3, 2, 1]
    assert table["events"].tolist() == [1, 1, 1, 0, 1, 0]
    assert table["censored"].tolist() == [0, 1, 0, 1, 0, 1]


def test_kaplan_meier_matches_scipy_ecdf_and_log_log_limits():
    t, e = np.array(TIMES, dtype=float), np.array(EVENTS, dtype=bool)
    fit = stats.ecdf(stats.CensoredData(uncensored=t[e], right=t[~e]))
    table = retention.kaplan_meier(t, e)
    assert table["survival"].to_numpy() == pytest.approx(fit.sf.evaluate(table["time"].to_numpy()))
    limits = fit.sf.confidence_interval(method="log-log")
    times = np.array([1, 2, 3, 5.0])  # before the last event, where scipy's limits are defined
    mine = table.set_index("time").loc[times]
    assert mine["ci_low"].to_numpy() == pytest.approx(limits.low.evaluate(times))
    assert mine["ci_high"].to_numpy() == pytest.approx(limits.high.evaluate(times))


def test_kaplan_meier_random_sample_matches_scipy():
    rng = np.random.default_rng(7)
    t = rng.integers(1, 400, 200).astype(float)
    e = rng.random(200) < 0.4
    fit = stats.ecdf(stats.CensoredData(uncensored=t[e], right=t[~e]))
    table = retention.kaplan_meier(t, e)
    assert table["survival"].to_numpy() == pytest.approx(fit.sf.evaluate(table["time"].to_numpy()))


def test_survival_at_steps_and_horizon():
    table = retention.kaplan_meier(TIMES, EVENTS)
    assert retention.survival_at(table, 4.5) == pytest.approx(15 / 28)
    assert retention.survival_at(table, 0.5) == 1.0
    assert retention.survival_at(table, 7) is None  # nobody followed that long


def employee(con, employee_id, hired, exit_date=None, exit_type=None, department="Ops"):
    builders.add_employee(
        con, employee_id, hire_date=hired, exit_date=exit_date, exit_type=exit_type, department=department
    )


def participant(con, employee_id, cohort, start, role="mentor"):
    """A participant in a pair of their own, with no status."""
    pair_id = f"{cohort}-{employee_id}"
    builders.add_participant(
        con, employee_id, cohort=cohort, role=role, pair_id=pair_id, start_date=start, status=None
    )


@pytest.fixture
def workforce(con):
    """Cohort A starts 2024-01-01, cohort B 2024-07-01; the data date is 2025-01-01."""
    employee(con, "a1", "2020-01-01", "2024-03-01", "voluntary")  # exits after 60 days
    employee(con, "a2", "2020-01-01", "2024-02-01", "involuntary")  # censored at 31 days
    employee(con, "a3", "2020-01-01")
    employee(con, "b1", "2023-01-01", "2024-08-01", "Voluntary ")  # exits 31 days after B starts
    participant(con, "a1", "A", "2024-01-01")
    participant(con, "a2", "A", "2024-01-01", "mentee")
    participant(con, "a3", "A", "2024-01-01")
    participant(con, "a3", "B", "2024-07-01")  # second cohort: counted from the first start
    participant(con, "b1", "B", "2024-07-01")
    employee(con, "c1", "2019-01-01")  # employed at A's start
    employee(con, "c2", "2024-03-01", "2024-12-01", "voluntary", department="Sales")  # from B's start
    employee(con, "c3", "2024-09-01")  # hired after every cohort started: not comparable
    employee(con, "c4", "2019-01-01", "2023-12-01", "voluntary")  # left before any cohort
    employee(con, "c5", "2019-01-01", "2024-10-01", "involuntary")
    builders.add_response(con, "r", "pulse", {}, submitted_at="2025-01-01 10:00")
    return con  # the data date is the latest submission, 2025-01-01


def test_retention_data_groups_starts_and_censoring(workforce):
    frame = retention.retention_data(workforce).set_index("employee_id")
    assert sorted(frame.index) == ["a1", "a2", "a3", "b1", "c1", "c2", "c5"]
    assert frame.loc["a1", ["duration_days", "event"]].tolist() == [60, True]
    assert frame.loc["a2", ["duration_days", "event"]].tolist() == [31, False]
    assert frame.loc["a3", "start"] == dt.datetime(2024, 1, 1)  # earliest participation
    assert frame.loc["a3", ["duration_days", "event"]].tolist() == [366, False]  # censored 2025-01-01
    assert frame.loc["b1", ["duration_days", "event"]].tolist() == [31, True]
    assert frame.loc["c1", ["group", "cohort", "duration_days"]].tolist() == ["comparison", "A", 366]
    assert frame.loc["c2", ["cohort", "duration_days", "event"]].tolist() == ["B", 153, True]
    assert frame.loc["a1", "duration_months"] == pytest.approx(60 / (365.25 / 12))


def test_retention_data_filters(workforce):
    by_role = retention.retention_data(workforce, {"role": ["mentee"]})
    assert sorted(by_role["employee_id"]) == ["a2", "c1", "c2", "c5"]  # role selects participants only
    by_cohort = retention.retention_data(workforce, {"cohort": ["B"], "department": ["Ops"]})
    frame = by_cohort.set_index("employee_id")
    assert sorted(frame.index) == ["a3", "b1", "c1", "c5"]
    assert frame.loc["c1", "start"] == dt.datetime(2024, 7, 1)  # the selected cohort's start


def synthetic(con, n, exit_every, group):
    """n employees starting 2024-01-01; every `exit_every`-th leaves voluntarily after 30*i days."""
    for i in range(n):
        leaves = i % exit_every == 0
        exit_date = dt.date(2024, 1, 1) + dt.timedelta(days=30 * (i + 1)) if leaves else None
        employee(con, f"{group}{i}", "2020-01-01", exit_date, "voluntary" if leaves else None)
        if group == "p":
            participant(con, f"{group}{i}", "A", "2024-01-01")


def test_retention_summary_against_scipy(con):
    synthetic(con, 12, 4, "p")
    synthetic(con, 15, 2, "c")
    builders.add_response(con, "r", "pulse", {}, submitted_at="2025-06-01")
    result = retention.retention_summary(con, min_group=5)
    data = retention.retention_data(con)
    assert result["n_participants"] == 12 and result["n_comparison"] == 15
    assert result["data_date"] == "2025-06-01"
    samples = []
    for g in ("participants", "comparison"):
        part = data[data["group"] == g]
        t, e = part["duration_days"].to_numpy(float), part["event"].to_numpy(bool)
        samples.append(stats.CensoredData(uncensored=t[e], right=t[~e]))
        sf = stats.ecdf(samples[-1]).sf
        assert result[f"{g}_6m"] == pytest.approx(sf.evaluate(6 * 365.25 / 12))
        assert result[f"{g}_12m"] == pytest.approx(sf.evaluate(12 * 365.25 / 12))
    # participants: exits at 30, 150, 270 days of 12 -> S(12m) = 9/12
    assert result["participants_12m"] == pytest.approx(9 / 12)
    assert result["logrank_p"] == pytest.approx(stats.logrank(samples[0], samples[1]).pvalue)


def test_retention_summary_suppresses_small_group(con):
    synthetic(con, 4, 2, "p")
    synthetic(con, 8, 2, "c")
    result = retention.retention_summary(con, min_group=5)
    assert result["participants_12m"] is None and result["logrank_p"] is None
    assert result["n_participants"] is None and result["comparison_6m"] is not None  # n hidden too
    assert not result["shown_participants"] and result["exits_participants"] is None
    assert result["suppressed_reason_participants"] == "fewer than 5 responses"
    assert result["n_comparison"] == 8 and result["suppressed_reason_comparison"] is None
    curves = retention.retention_curves(con, min_group=5)
    assert set(curves["group"]) == {"comparison"}


def test_retention_curves_start_at_one(con):
    synthetic(con, 6, 2, "p")
    synthetic(con, 6, 3, "c")
    curves = retention.retention_curves(con, min_group=5)
    first = curves.groupby("group").first()
    assert first["survival"].tolist() == [1.0, 1.0] and first["time_months"].tolist() == [0.0, 0.0]
    part = curves[curves["group"] == "participants"].iloc[1:]
    data = retention.retention_data(con).query("group == 'participants'")
    full = retention.kaplan_meier(data["duration_days"], data["event"]).set_index("time")
    times = (part["time_months"] * retention.DAYS_PER_MONTH).round().to_numpy()
    assert part["survival"].to_numpy() == pytest.approx(full.loc[times, "survival"].to_numpy())
    # exits at 30, 90, 150 days of 6; at 150 days only 4 are at risk (< 5): the curve stops at 90 days,
    # S = 5/6 * 4/5 = 2/3
    assert times.tolist() == [30, 90] and part["survival"].iloc[-1] == pytest.approx(2 / 3)
    assert (part["n"] == 6).all()


def test_kaplan_meier_of_nobody_is_empty():
    assert retention.kaplan_meier([], []).empty


def test_summary_and_curves_from_data_already_computed_are_the_same(con):
    synthetic(con, 12, 4, "p")
    synthetic(con, 15, 2, "c")
    builders.add_response(con, "r", "pulse", {}, submitted_at="2025-06-01")
    data = retention.retention_data(con)
    assert retention.retention_summary(con, min_group=5, data=data) == retention.retention_summary(
        con, min_group=5
    )
    given = retention.retention_curves(con, min_group=5, data=data)
    pd.testing.assert_frame_equal(given, retention.retention_curves(con, min_group=5))
    # participants: exits at 30, 150, 270 days of 12 -> S(12m) = 9/12, whichever way it is called
    assert retention.retention_summary(con, min_group=5, data=data)["participants_12m"] == pytest.approx(
        9 / 12
    )
