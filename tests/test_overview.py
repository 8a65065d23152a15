"""Overview figures on a small hand-made programme."""

import datetime as dt

import pytest

from analytics import overview
from tests import builders


@pytest.fixture
def programme(con):
    """Two cohorts, three pairs (one withdrawn), a pre and a post wave, ten employees."""
    employees = [
        ("e1", "Eng", "G1", "2020-01-01"), ("e2", "Eng", "G6", "2015-01-01"), ("e3", "Ops", "G2", "2021-01-01"),
        ("e4", "Ops", "G7", "2010-01-01"), ("e5", "Eng", "G2", "2022-01-01"), ("e6", "Ops", "G6", "2012-01-01"),
        ("e7", "Eng", "G3", "2019-01-01"), ("e8", "Ops", "G3", "2019-01-01"), ("e9", "Eng", "G4", "2019-01-01"),
        ("e10", "Ops", "G4", "2019-01-01"),
    ]  # fmt: skip
    for employee_id, department, grade, hired in employees:
        builders.add_employee(con, employee_id, hire_date=hired, department=department, grade=grade)
    participants = [
        ("e1", "A", "mentor", "P1", "technology", "2025-01-06", "2025-07-06", "active"),
        ("e2", "A", "mentee", "P1", "technology", "2025-01-06", "2025-07-06", "active"),
        ("e3", "A", "mentor", "P2", "inclusion", "2025-01-06", "2025-07-06", "withdrawn"),
        ("e4", "A", "mentee", "P2", "inclusion", "2025-01-06", "2025-07-06", "active"),
        ("e5", "B", "mentor", "P3", "technology", "2025-06-02", "2025-12-01", "completed"),
        ("e6", "B", "mentee", "P3", "technology", "2025-06-02", "2025-12-01", "completed"),
    ]
    for employee_id, cohort, role, pair_id, focus, start, end, status in participants:
        builders.add_participant(
            con, employee_id, cohort=cohort, role=role, pair_id=pair_id, focus=focus,
            start_date=start, end_date=end, status=status,
        )  # fmt: skip
    builders.add_wave(con, "pre", "pre", "2025-01-10")
    builders.add_wave(con, "post", "post", "2025-07-01")
    builders.add_wave(con, "pulse-2025-07", "pulse", "2025-07-01")
    responses = [
        ("r1", "e1", "pre"), ("r2", "e2", "pre"), ("r3", "e3", "pre"), ("r4", "e4", "pre"),
        ("r5", "e5", "pre"), ("r7", "e1", "post"), ("r8", "e2", "post"), ("r9", "e4", "post"),
        ("q1", "e7", "pulse-2025-07"), ("q2", "e8", "pulse-2025-07"), ("q3", "e9", "pulse-2025-07"),
    ]  # fmt: skip
    for response_id, employee_id, wave in responses:
        builders.add_response(
            con, response_id, wave, {}, employee_id=employee_id, submitted_at=dt.datetime(2025, 7, 1)
        )
    con.execute(
        "INSERT INTO imports VALUES (1, 'roster.csv', 'x', 'template', 'participants', NULL, 6, 'imported', NULL, '2025-07-02 10:00')"
    )
    return con


def test_programme_size_counts_pairs_and_active_pairs(programme):
    # P1 active; P2 has a withdrawn partner; P3 completed -> 1 of 3 pairs active
    assert overview.programme_size(programme, min_group=1) == {
        "participants": 6,
        "pairs": 3,
        "active_pairs": 1,
        "cohorts": 2,
        "suppressed": False,
        "suppressed_reason": None,
    }
    # At k = 5 the 6 participants are shown, but not "1 active pair of 3": counts of pairs under k
    size = overview.programme_size(programme)
    assert size["participants"] == 6 and size["pairs"] is None and size["active_pairs"] is None
    assert size["suppressed"] and size["suppressed_reason"] == "fewer than 5 responses"
    assert overview.programme_size(programme, {"cohort": ["B"]}, min_group=1)["participants"] == 2
    # Cohort B (2 participants) is a cell under k = 5: its counts would follow from all minus A.
    hidden = overview.programme_size(programme, {"cohort": ["B"]})
    assert hidden["suppressed"] and hidden["participants"] is None and hidden["pairs"] is None


def test_response_rates_use_the_roster_for_programme_waves(programme):
    rates = overview.response_rates(programme, min_group=1).set_index("wave")
    # pre: cohorts A and B answered -> all 6 invited, 5 answered
    assert rates.loc["pre", "invited"] == 6 and rates.loc["pre", "responded"] == 5
    assert rates.loc["pre", "rate_pct"] == pytest.approx(83.3)
    # post: only cohort A answered, and the withdrawn e3 is not invited: 3 invited, 3 answered
    assert rates.loc["post", "invited"] == 3 and rates.loc["post", "rate_pct"] == pytest.approx(100.0)
    # pulse: the 10 employees employed on 2025-07-01, 3 answered
    assert rates.loc["pulse-2025-07", "invited"] == 10 and rates.loc["pulse-2025-07", "rate_pct"] == 30.0


def test_latest_vs_pre_is_suppressed_below_threshold(programme):
    belonging = {"r1": (2, 4), "r2": (3, 3), "r3": (4, 4), "r4": (1, 3), "r5": (5, 5), "r7": (4, 4), "r8": (5, 5),
                 "r9": (3, 5)}  # fmt: skip
    for response_id, (first, second) in belonging.items():
        builders.add_answers(programme, response_id, {"bel_1": first, "bel_2": second})
    result = overview.latest_vs_pre(programme, "bel", min_group=2)
    # pre means: 3, 3, 4, 2, 5 -> 3.4; post: 4, 5, 4 -> 13/3
    assert result["pre"] == pytest.approx(3.4) and result["pre_n"] == 5
    assert result["latest"] == pytest.approx(13 / 3) and result["latest_wave"] == "post"
    assert not result["suppressed"] and result["suppressed_reason"] is None
    assert result["change"] == pytest.approx(13 / 3 - 3.4)  # the tile's delta: post minus pre, 0.93
    hidden = overview.latest_vs_pre(programme, "bel", min_group=5)
    assert hidden["latest"] is None and hidden["latest_n"] is None and hidden["latest_wave"] == "post"
    assert hidden["suppressed"] and hidden["suppressed_reason"]
    # At k = 3 the 3 at post are shown, but not pre: its 5 are the 3 in both waves and 2 more, whose
    # answers would follow from the pre mean set against the paired change
    three = overview.latest_vs_pre(programme, "bel", min_group=3)
    assert (
        three["latest_n"] == 3 and three["pre"] is None and three["pre_n"] is None and three["change"] is None
    )


def test_freshness_reports_the_last_import(programme):
    fresh = overview.freshness(programme)
    assert fresh["last_import_file"] == "roster.csv"
    assert fresh["last_import_at"] == dt.datetime(2025, 7, 2, 10, 0)


def test_next_steps_flags_quiet_pairs_and_low_response(programme):
    builders.add_session(programme, "P1", "2025-01-20", minutes=60, kind="meeting")
    builders.add_session(programme, "P3", "2025-11-20", minutes=60, kind="meeting")
    steps = overview.next_steps(programme, min_group=1)
    # P1 is the only active pair; its last session is 10 months before the latest session date
    assert any(s.startswith("1 active pair has not met") for s in steps)
    assert any("pulse-2025-07" in s for s in steps)
    # At k = 5 the 3 pairs and the pulse's 3 respondents are hidden: neither sentence appears
    assert overview.next_steps(programme, min_group=5) == []


def test_response_rates_are_hidden_below_k_invited(programme):
    # cohort B has 2 participants: whether each answered would show, so its waves are hidden at k = 5
    rates = overview.response_rates(programme, {"cohort": ["B"]}, min_group=5).set_index("wave")
    assert rates.loc["pre", "suppressed"] and rates["rate_pct"].isna().all()
    assert rates["responded"].isna().all() and rates["invited"].isna().all()
    assert rates["n"].isna().all() and rates.loc["pre", "suppressed_reason"] == "fewer than 5 responses"
    shown = overview.response_rates(programme, {"cohort": ["B"]}, min_group=1).set_index("wave")
    assert shown.loc["pre", "invited"] == 2 and shown.loc["pre", "rate_pct"] == 50.0
    # At k = 2 the 2 invited are enough, but 1 answered: who did would show
    one = overview.response_rates(programme, {"cohort": ["B"]}, min_group=2).set_index("wave")
    assert one.loc["pre", "suppressed"] and one["responded"].isna().all() and one["n"].isna().all()
