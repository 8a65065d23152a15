"""The generator's enterprise keywords: headcount, monthly response rate and an all-staff census pulse."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.sample import programme
from bench import dataset

# The enterprise benchmark's keywords at a small size: 2,000 employed, census answered by 1,900.
SMALL_ENTERPRISE = dataset.ENTERPRISE | {
    "headcount": 2_000,
    "census": 1_900,
    "cohorts": 2,
    "pairs_per_cohort": 20,
}


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    return programme.generate(**SMALL_ENTERPRISE)


def _employed(employees: pd.DataFrame, day: str) -> int:
    hire = pd.to_datetime(employees["hire_date"])
    exit_ = pd.to_datetime(employees["exit_date"].replace("", None))
    on = pd.Timestamp(day)
    return int(((hire <= on) & (exit_.isna() | (exit_ > on))).sum())


def test_enterprise_keywords_are_the_issues_scale():
    # Issue 7: 12 monthly pulses, comments from 30 %, a 2,000-participant programme, a 50,000-response file.
    e = dataset.ENTERPRISE
    assert e["pulses"] == 12 and e["comment_rate"] == 0.30 and e["census"] == 50_000
    assert 2 * e["cohorts"] * e["pairs_per_cohort"] == 2_000
    assert e["census"] <= e["headcount"] <= 1.05 * e["census"]  # "about 50,000 employees"


def test_census_pulse_has_exactly_the_requested_responses(frames):
    census = frames["pulse_2026-10.csv"]  # the latest month
    assert len(census) == 1_900
    assert census["employee_id"].is_unique
    # All drawn from those employed when it opened (the 5th), and every one is in the HRIS export.
    employees = frames["employees.csv"].set_index("employee_id")
    assert census["employee_id"].isin(employees.index).all()
    assert len(census) <= _employed(frames["employees.csv"], "2026-10-05")


def test_census_pulse_has_the_same_columns_and_a_comment_from_30_percent(frames):
    census, earlier = frames["pulse_2026-10.csv"], frames["pulse_2026-09.csv"]
    assert list(census.columns) == list(earlier.columns)
    assert [c for c in census.columns if c in programme.DEFAULT_PULSE_ITEMS] == programme.DEFAULT_PULSE_ITEMS
    share = (census["comment_pulse"] != "").mean()
    # Binomial(1,900, 0.3): sd = sqrt(0.3 * 0.7 / 1900) = 0.0105; allow 4 sd.
    assert abs(share - 0.30) < 4 * np.sqrt(0.3 * 0.7 / 1_900)


def test_headcount_counts_people_employed_and_the_export_lists_leavers(frames):
    employees = frames["employees.csv"]
    employed_today = int((employees["exit_date"] == "").sum())
    # Exactly 2,000 employed when drawn; then each of the 80 participants' exit is redrawn (they leave
    # less often), which moves the count by at most one per participant, and on balance up.
    participants = len(frames["participants.csv"])
    assert participants == 80
    assert 2_000 <= employed_today <= 2_000 + participants
    # The export also lists everyone who left since the first cohort started (2025-03-03 with 2 cohorts):
    # leaving at -ln(0.86) - ln(0.97) = 0.181 a year for 607 days (1.662 years) gives 0.301 x 2,000 = 603.
    leavers = employees.loc[employees["exit_date"] != "", "exit_date"]
    assert leavers.min() >= "2025-03-03"
    assert abs(len(leavers) - 603) < 0.15 * 603


def test_monthly_pulses_keep_the_response_rate(frames):
    for month in ("2025-11", "2026-03", "2026-09"):
        answered = len(frames[f"pulse_{month}.csv"])
        employed = _employed(frames["employees.csv"], f"{month}-05")
        # Binomial(employed, 0.65): sd = sqrt(0.65 * 0.35 / employed) ~ 0.0107 at 2,000; allow 4 sd.
        assert abs(answered / employed - 0.65) < 4 * np.sqrt(0.65 * 0.35 / employed), month


def test_response_rate_keyword_changes_the_monthly_share():
    frames = programme.generate(headcount=2_000, cohorts=1, pairs_per_cohort=10, pulses=2, response_rate=0.4)
    answered = len(frames["pulse_2026-09.csv"])
    employed = _employed(frames["employees.csv"], "2026-09-05")
    assert abs(answered / employed - 0.4) < 4 * np.sqrt(0.4 * 0.6 / employed)


def test_census_larger_than_the_organisation_is_refused():
    with pytest.raises(ValueError, match="census of 2,500"):
        programme.generate(headcount=2_000, cohorts=1, pairs_per_cohort=10, pulses=1, census=2_500)
    with pytest.raises(ValueError, match="response_rate"):
        programme.generate(response_rate=0)


def test_default_keywords_leave_the_sample_unchanged():
    # The defaults are the shipped sample's: an explicit 0.65 and no census give the same frames.
    default = programme.generate()
    explicit = programme.generate(response_rate=0.65, census=None, headcount=None)
    assert default.keys() == explicit.keys()
    for name in default:
        pd.testing.assert_frame_equal(default[name], explicit[name])


def test_benchmark_measures_the_census_file(tmp_path):
    files = programme.write_sample(tmp_path, **SMALL_ENTERPRISE)
    pulse, rows = dataset.biggest_pulse(files)
    # The census (1,900) outnumbers every 65 % monthly pulse (~0.65 x 2,000 = 1,300).
    assert (pulse.name, rows) == ("pulse_2026-10.csv", 1_900)
    assert len(dataset.pulse_files(files)) == 12


def test_enterprise_keywords_keep_the_applications_and_reporting_tree(frames):
    applications = frames["applications.csv"]
    participants = frames["participants.csv"]
    # Every participant's application, plus 30 mentors and 30 mentees for the upcoming cohort.
    assert len(applications) == len(participants) + 2 * 30
    assert (frames["employees.csv"]["manager_id"] == "").sum() == 1
    assert frames["sessions.csv"]["fit"].ne("").sum() == participants["pair_id"].nunique()
