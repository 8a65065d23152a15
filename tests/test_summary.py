"""The summary JSON: every key of DESIGN.md section 6, suppressed figures null, values as computed."""

import json

import pytest
from scipy import stats

from analytics import change, metrics, retention
from analytics.goals import goal_attainment
from analytics.instruments import items_of, reverse_code
from analytics.summary import CONSTRUCT_KEYS, json_ready, summary
from tests import builders

PS_PRE = {"mentor": [4, 5, 3, 5, 4, 6], "mentee": [3, 4, 4, 5, 3, 4]}
PS_POST = {"mentor": [5, 6, 5, 5, 5, 6], "mentee": [4, 4, 5, 6, 4, 5]}
COMPOUND = [0.6, 0.3, 0.05, 0.0, -0.2, 0.8, 0.4, -0.05, 0.1, 0.5]  # 6 positive (>= 0.05), 2 negative


def respond(con, employee_id, wave, construct, score):
    """A response scoring `score` on the construct (reverse-scored items answered so they code to it)."""
    response_id = f"{employee_id}-{wave}-{construct}"
    answers = {i.code: reverse_code(i.code, score) for i in items_of(construct)}
    builders.add_response(con, response_id, wave, answers, employee_id=employee_id, submitted_at="2025-06-30")
    return response_id


@pytest.fixture
def programme(con):
    for wave, kind, opened in [
        ("pre", "pre", "2024-01-01"),
        ("mid", "mid", "2024-04-01"),
        ("post", "post", "2024-07-01"),
    ]:
        builders.add_wave(con, wave, kind, opened)
    for i in range(6):
        for role, prefix in [("mentor", "m"), ("mentee", "s")]:
            employee_id = f"{prefix}{i}"
            leaves = role == "mentee" and i == 0
            exit_date, exit_type = ("2024-05-01", "voluntary") if leaves else (None, None)
            builders.add_employee(
                con, employee_id, hire_date="2015-01-01", exit_date=exit_date, exit_type=exit_type
            )
            builders.add_participant(
                con,
                employee_id,
                cohort="A",
                role=role,
                pair_id=f"pair{i}",
                start_date="2024-01-01",
                status=None,
            )
            respond(con, employee_id, "pre", "ps", PS_PRE[role][i])
            respond(con, employee_id, "post", "ps", PS_POST[role][i])
            response_id = respond(con, employee_id, "pre", "enps", 9 if i < 3 else 5)
            builders.add_goal(con, employee_id, "g1", level_post=i % 3 - 1)
            if role == "mentor" or i < 4:
                compound = COMPOUND[i if role == "mentor" else 6 + i]
                builders.add_comment(con, response_id, "experience", "x", compound=compound)
    for i in range(3):  # engagement at pre from three people only: suppressed
        respond(con, f"m{i}", "pre", "eng", 4)
    for i in range(8):
        exit_date, exit_type = ("2024-03-01", "voluntary") if i < 3 else (None, None)
        builders.add_employee(con, f"c{i}", hire_date="2015-01-01", exit_date=exit_date, exit_type=exit_type)
    return con


def test_every_key_present_and_valid_json(programme):
    result = summary(programme, min_group=5)
    assert list(result) == [
        "counts",
        "constructs",
        "enps",
        "pre_post",
        "reciprocity",
        "goal_attainment",
        "retention",
        "sentiment",
    ]
    assert result["counts"] == {
        "employees": 20,
        "participants": 12,
        "pairs": 6,
        "responses": 39,  # 12 ps pre, 12 ps post, 12 eNPS, 3 engagement
        "comments": 10,
    }
    assert set(result["constructs"]) == set(CONSTRUCT_KEYS.values())
    assert set(result["pre_post"]) == set(CONSTRUCT_KEYS.values())
    for figures in result["pre_post"].values():
        assert set(figures) == {"n", "mean_change", "ci_low", "ci_high", "cohen_dz", "p_value"}
    assert {"pairs", "both_improved_pct"} <= set(result["reciprocity"])
    assert set(result["goal_attainment"]) == {"participants", "mean_t", "met_pct"}
    assert {"participants_12m", "comparison_12m", "logrank_p"} <= set(result["retention"])
    assert set(result["sentiment"]) == {"comments", "mean_compound", "positive_pct", "negative_pct"}
    json.dumps(result, allow_nan=False)  # raises on NaN


def test_suppressed_figures_are_null(programme):
    result = summary(programme, min_group=5)
    # engagement at pre from 3 people: hidden, its n too
    assert result["constructs"]["engagement"] == {"pre": {"n": None, "mean": None, "favourable_pct": None}}
    assert (
        result["pre_post"]["engagement"]["n"] is None
        and result["pre_post"]["engagement"]["mean_change"] is None
    )
    assert result["constructs"]["satisfaction"] == {}  # never asked
    strict = summary(programme, min_group=13)  # every group of 12 participants is now too small
    assert strict["constructs"]["psych_safety"]["pre"]["mean"] is None
    assert strict["pre_post"]["psych_safety"]["cohen_dz"] is None
    assert strict["reciprocity"]["both_improved_pct"] is None
    assert strict["goal_attainment"]["mean_t"] is None and strict["goal_attainment"]["participants"] is None
    assert strict["retention"]["participants_12m"] is None and strict["retention"]["logrank_p"] is None


def test_values_match_the_underlying_functions(programme):
    result = summary(programme, min_group=5)
    pre = PS_PRE["mentor"] + PS_PRE["mentee"]
    post = PS_POST["mentor"] + PS_POST["mentee"]
    ps = result["pre_post"]["psych_safety"]
    assert ps["n"] == 12
    assert ps["mean_change"] == pytest.approx((sum(post) - sum(pre)) / 12)
    assert ps["p_value"] == pytest.approx(stats.ttest_rel(post, pre).pvalue)
    assert ps["cohen_dz"] == pytest.approx(change.paired_change(pre, post)["cohen_dz"])
    scores = metrics.group_scores(programme, "ps", ["wave"], min_group=5).set_index("wave")
    assert result["constructs"]["psych_safety"]["post"]["mean"] == pytest.approx(sum(post) / 12)
    assert result["constructs"]["psych_safety"]["pre"]["favourable_pct"] == pytest.approx(
        scores.loc["pre", "favourable_pct"]
    )
    assert result["enps"] == {"pre": pytest.approx(50.0 - 50.0)}  # 6 promoters, 6 detractors of 12
    found = change.reciprocity(programme, "ps", min_group=5)
    # both improved: pairs 0, 2, 4 (pair 1: mentee 4 -> 4; pair 3: mentor 5 -> 5; pair 5: mentor 6 -> 6);
    # 3 pairs each way are too few at k = 5, so the share is read at k = 3
    assert result["reciprocity"]["pairs"] == 6 and result["reciprocity"]["both_improved_pct"] is None
    assert summary(programme, min_group=3)["reciprocity"]["both_improved_pct"] == pytest.approx(50.0)
    assert result["reciprocity"]["mentor_gain"] == pytest.approx(found["mentor_gain"])
    goals = goal_attainment(programme, min_group=5)
    assert result["goal_attainment"]["mean_t"] == pytest.approx(goals["mean_t"].iloc[0])
    assert result["goal_attainment"]["met_pct"] == pytest.approx(100 * 8 / 12)  # levels 0 and +1 met
    kept = retention.retention_summary(programme, min_group=5)
    assert result["retention"]["participants_12m"] == pytest.approx(kept["participants_12m"])
    assert result["retention"]["comparison_12m"] == pytest.approx(5 / 8)  # 3 of 8 left within months
    assert result["retention"]["logrank_p"] == pytest.approx(kept["logrank_p"])


def test_sentiment_hand_worked(programme, monkeypatch):
    monkeypatch.setenv("MUTUAL_MIN_GROUP_COMMENTS", "10")
    sentiment = summary(programme, min_group=5)["sentiment"]
    assert sentiment["comments"] == 10
    assert sentiment["mean_compound"] == pytest.approx(sum(COMPOUND) / 10)  # 2.5 / 10
    assert sentiment["positive_pct"] == pytest.approx(70.0)  # 0.6, 0.3, 0.05, 0.8, 0.4, 0.1, 0.5
    assert sentiment["negative_pct"] == pytest.approx(20.0)  # -0.2, -0.05
    monkeypatch.setenv("MUTUAL_MIN_GROUP_COMMENTS", "11")
    assert summary(programme, min_group=5)["sentiment"]["mean_compound"] is None


def test_empty_database_gives_valid_json(con):
    result = summary(con, min_group=5)
    # nobody: every count is hidden (null), not 0
    assert set(result["counts"].values()) == {None} and result["reciprocity"]["pairs"] is None
    assert result["retention"]["participants_12m"] is None and result["sentiment"]["mean_compound"] is None
    json.dumps(result, allow_nan=False)


def test_json_ready_turns_nan_into_null():
    assert json_ready({"a": float("nan"), "b": [1.5, float("inf")]}) == {"a": None, "b": [1.5, None]}
