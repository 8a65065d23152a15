"""What comparison, retention, overview and summary show once privacy.gate decides: attacks that
worked when each module had its own guard, and the counts that must never fall under k."""

import datetime as dt

import pytest

from analytics import comparison, overview, retention
from analytics.instruments import items_of, reverse_code
from analytics.summary import summary
from tests import builders

K = 5


def employee(con, employee_id, *, department="Ops", gender="Woman", hired="2020-01-01", exit_date=None):
    exit_type = "voluntary" if exit_date else None
    builders.add_employee(
        con,
        employee_id,
        hire_date=hired,
        exit_date=exit_date,
        exit_type=exit_type,
        department=department,
        gender=gender,
    )


def participant(con, employee_id, pair_id, *, role="mentor", cohort="A", start="2024-01-01"):
    builders.add_participant(
        con, employee_id, cohort=cohort, role=role, pair_id=pair_id, start_date=start, status=None
    )


def answer(con, response_id, employee_id, wave, score, construct="ps"):
    """A response scoring `score` on the construct (reverse-scored items answered so they code to it)."""
    answers = {i.code: reverse_code(i.code, score) for i in items_of(construct)}
    builders.add_response(
        con, response_id, wave, answers, employee_id=employee_id, submitted_at=dt.datetime(2025, 6, 30)
    )


def test_comparison_group_under_a_filter_nearly_equal_to_a_department_is_hidden(con):
    """Participants who are men (11) are Engineering's participants (10) and one more: one person apart."""
    builders.add_wave(con, "pulse-1", "pulse", "2025-03-01")
    people = [(f"eng{i}", "Engineering", "Man", True) for i in range(10)]
    people += [("ops-man", "Ops", "Man", True)] + [(f"w{i}", "Ops", "Woman", True) for i in range(6)]
    people += [(f"cm{i}", "Ops", "Man", False) for i in range(8)]
    people += [(f"cw{i}", "Ops", "Woman", False) for i in range(6)]
    for number, (employee_id, department, gender, takes_part) in enumerate(people):
        employee(con, employee_id, department=department, gender=gender)
        if takes_part:
            participant(con, employee_id, f"pair{number // 2}")
        answer(con, f"r-{employee_id}", employee_id, "pulse-1", 2 + number % 5)
    men = comparison.participants_vs_comparison(con, "ps", {"gender": ["Man"]}, min_group=K)
    # Without the gate's rule 4 both were shown (every gender cell has at least 5 people) and
    # men minus Engineering gave the one Ops man's score.
    assert men["suppressed"].all() and men["mean"].isna().all() and men["n"].isna().all()
    cell = men.set_index("group")
    assert "nearly the same people" in cell.loc["participants", "suppressed_reason"]
    # the comparison group goes with it: the wave's two groups are one breakdown
    assert cell.loc["comparison", "suppressed_reason"].startswith("hidden so that a smaller group")
    # (the same holds the other way round: Engineering is the men but one, so it is hidden too)
    whole = comparison.participants_vs_comparison(con, "ps", min_group=K).set_index("group")
    assert whole.loc["participants", "n"] == 17 and whole.loc["comparison", "n"] == 14
    # the precondition: with k = 1 the two views are shown and one person apart
    open_men = comparison.participants_vs_comparison(con, "ps", {"gender": ["Man"]}, min_group=1)
    open_eng = comparison.participants_vs_comparison(con, "ps", {"department": ["Engineering"]}, min_group=1)
    assert open_men.set_index("group").loc["participants", "n"] == 11
    assert open_eng.set_index("group").loc["participants", "n"] == 10


def followed(con, count, exits_after_days, *, prefix="p", start="2024-01-01"):
    """`count` participants from `start`; the i-th leaves voluntarily after exits_after_days[i] (if given)."""
    for i in range(count):
        days = exits_after_days[i] if i < len(exits_after_days) else None
        leaves = dt.date.fromisoformat(start) + dt.timedelta(days=days) if days is not None else None
        employee(con, f"{prefix}{i}", exit_date=leaves)
        if prefix == "p":
            participant(con, f"{prefix}{i}", f"pair{i // 2}")
    builders.add_response(con, "last", "pulse", {}, submitted_at="2025-06-01")


def test_retention_curve_never_carries_an_at_risk_count_below_k(con):
    # 8 participants: exits after 30, 60, 90, 250, 400 days; 3 stay to the data date (517 days)
    followed(con, 8, [30, 60, 90, 250, 400])
    curves = retention.retention_curves(con, min_group=K)
    part = curves[curves["group"] == "participants"]
    assert not part.empty and part["at_risk"].min() >= K
    # at risk: 8, 7, 6, 5 at 30, 60, 90, 250 days (kept), then 4 at 400 days: the curve stops at 250 days
    assert (part["time_months"] * retention.DAYS_PER_MONTH).round().tolist() == [0, 30, 60, 90, 250]
    assert part["survival"].iloc[-1] == pytest.approx(4 / 8)
    found = retention.retention_summary(con, min_group=K)
    assert found["participants_6m"] == pytest.approx(5 / 8)  # 182 days: 5 still followed
    # at 12 months (365 days) only 4 are still followed: whether one of them left would show
    assert found["shown_participants"] and found["participants_12m"] is None


def test_summary_of_a_small_organisation_has_no_count_under_k(con):
    """8 employees, 4 participants in 2 pairs, 3 comments: every count is at least k or null."""
    builders.add_wave(con, "pre", "pre", "2024-01-01")
    builders.add_wave(con, "post", "post", "2024-07-01")
    for i in range(8):
        employee(con, f"e{i}")
    for i in range(4):
        participant(con, f"e{i}", f"pair{i // 2}", role="mentor" if i % 2 else "mentee")
        answer(con, f"pre-{i}", f"e{i}", "pre", 3 + i % 2)
        answer(con, f"post-{i}", f"e{i}", "post", 4 + i % 2)
    for i in range(3):
        builders.add_comment(con, f"post-{i}", "experience", "x", compound=0.5)
    result = summary(con, min_group=K)
    assert result["counts"]["employees"] == 8  # the organisation's total: shown, it is >= k
    found = []

    def walk(value, path):
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(inner, [*path, key])
        elif isinstance(value, int) and not isinstance(value, bool):
            found.append((".".join(path), value))

    walk(result, [])
    assert found and all(value >= K for _, value in found), found
    assert result["counts"]["participants"] is None and result["counts"]["pairs"] is None
    assert result["constructs"]["psych_safety"]["pre"] == {"n": None, "mean": None, "favourable_pct": None}


def test_anonymous_people_count_once_per_wave(con, monkeypatch):
    """4 people answering 3 anonymous pulses are 4 people, not 12: their tone and rates stay hidden."""
    monkeypatch.setenv("MUTUAL_MIN_GROUP_COMMENTS", "10")
    for i in range(12):
        employee(con, f"e{i}")
    for month in (3, 4, 5):
        wave = f"pulse-{month}"
        builders.add_wave(con, wave, "pulse", dt.date(2025, month, 1))
        for person in range(4):
            response_id = f"{wave}-{person}"
            answer(con, response_id, None, wave, 3 + person % 3)
            builders.add_comment(con, response_id, "pulse", "x", compound=0.4)
    result = summary(con, min_group=K)
    # 12 responses and 12 comments from 4 people a wave: under both thresholds in every wave
    assert result["counts"]["responses"] is None and result["counts"]["comments"] is None
    assert result["sentiment"]["mean_compound"] is None
    assert result["constructs"]["psych_safety"]["pulse-3"]["mean"] is None
    rates = overview.response_rates(con, min_group=K)
    assert rates["suppressed"].all() and rates["responded"].isna().all() and rates["n"].isna().all()


def test_response_rate_hidden_when_fewer_than_k_did_not_answer(con):
    """12 invited, 10 answered: the 2 who did not are as few as 2 who did."""
    builders.add_wave(con, "pre", "pre", "2024-01-01")
    for i in range(12):
        employee(con, f"e{i}")
        participant(con, f"e{i}", f"pair{i // 2}")
        if i < 10:
            answer(con, f"pre-{i}", f"e{i}", "pre", 4)
    rates = overview.response_rates(con, min_group=K).set_index("wave")
    assert rates.loc["pre", "suppressed"] and rates["rate_pct"].isna().all()
    assert "related figure" in rates.loc["pre", "suppressed_reason"]
    everyone = overview.response_rates(con, min_group=2).set_index("wave")  # 2 apart is enough at k = 2
    assert everyone.loc["pre", "rate_pct"] == pytest.approx(100 * 10 / 12, abs=0.05)
