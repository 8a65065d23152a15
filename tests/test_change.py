"""Paired change, reciprocity and participants vs comparison, checked against scipy and by hand."""

import math

import numpy as np
import pytest
from scipy import stats

from analytics import change, comparison
from tests import builders
from tests.builders import add_wave

PRE = [3, 4, 2, 5, 3, 4]
POST = [4, 5, 4, 5, 4, 6]


def add_people(con, people):
    """people: (employee_id, role or None, pair_id or None, cohort)."""
    for employee_id, role, pair_id, cohort in people:
        builders.add_employee(con, employee_id, hire_date="2020-01-01", department="Ops")
        if role:
            builders.add_participant(
                con,
                employee_id,
                cohort=cohort,
                role=role,
                pair_id=pair_id,
                start_date="2025-01-01",
                status=None,
            )


def add_score(con, employee_id, wave, score, construct="eng", items=4):
    """One response whose every item of the construct is `score`, so its construct score is `score`."""
    response_id = f"{employee_id}-{wave}-{con.execute('SELECT count(*) FROM responses').fetchone()[0]}"
    answers = {f"{construct}_{i}": score for i in range(1, items + 1)}
    builders.add_response(con, response_id, wave, answers, employee_id=employee_id)


def programme(con, mentor_pre, mentor_post, mentee_pre, mentee_post):
    """Pairs p1..pn: mentor m<i> and mentee s<i> with these eng scores at pre and post."""
    add_wave(con, "pre", "pre", "2025-01-01")
    add_wave(con, "post", "post", "2025-07-01")
    people = []
    for i in range(len(mentor_pre)):
        people += [(f"m{i}", "mentor", f"p{i}", "A"), (f"s{i}", "mentee", f"p{i}", "A")]
    add_people(con, people)
    for i in range(len(mentor_pre)):
        for employee_id, pre, post in [
            (f"m{i}", mentor_pre[i], mentor_post[i]),
            (f"s{i}", mentee_pre[i], mentee_post[i]),
        ]:
            if pre is not None:
                add_score(con, employee_id, "pre", pre)
            if post is not None:
                add_score(con, employee_id, "post", post)


def test_paired_change_matches_hand_and_scipy():
    result = change.paired_change(PRE, POST)
    diff = np.array(POST) - np.array(PRE)  # 1, 1, 2, 0, 1, 2
    assert result["n"] == 6
    assert result["mean_change"] == pytest.approx(7 / 6)
    # SD of changes: sqrt(2.8333 / 5) = 0.75277; d_z = 1.16667 / 0.75277 = 1.5498 (worked by hand)
    assert result["sd_change"] == pytest.approx(0.752773, abs=1e-6)
    assert result["cohen_dz"] == pytest.approx(1.5498, abs=1e-4)
    assert result["t_p"] == pytest.approx(stats.ttest_rel(POST, PRE).pvalue)
    ci = stats.ttest_rel(POST, PRE).confidence_interval()
    assert (result["ci_low"], result["ci_high"]) == (pytest.approx(ci.low), pytest.approx(ci.high))
    assert result["wilcoxon_p"] == pytest.approx(stats.wilcoxon(diff).pvalue)
    assert result["improved_pct"] == pytest.approx(100 * 5 / 6)
    assert result["mean_before"] == pytest.approx(21 / 6) and result["mean_after"] == pytest.approx(28 / 6)
    assert result["magnitude"] == "large"
    assert result["verdict"].startswith("a large improvement, unlikely to be chance (p = 0.0")


def test_paired_change_all_zero_differences_has_no_p_values():
    result = change.paired_change([3, 4, 5], [3, 4, 5])
    assert result["mean_change"] == 0
    assert result["wilcoxon_p"] is None and result["t_p"] is None and result["cohen_dz"] is None
    assert result["verdict"].startswith("no change")


def test_paired_change_single_pair_and_empty():
    one = change.paired_change([3], [4])
    assert one["n"] == 1 and one["mean_change"] == 1 and one["ci_low"] is None and one["wilcoxon_p"] is None
    empty = change.paired_change([], [])
    assert empty["n"] == 0 and empty["mean_change"] is None


def test_paired_change_drops_incomplete_pairs():
    result = change.paired_change([3, np.nan, 4], [4, 5, np.nan])
    assert result["n"] == 1 and result["mean_change"] == 1


@pytest.mark.parametrize(
    ("d", "label"), [(0.1, "negligible"), (-0.3, "small"), (0.5, "medium"), (-0.79, "medium"), (0.8, "large")]
)
def test_magnitude_cut_offs(d, label):
    assert change.magnitude(d) == label


def test_verdict_decline_that_could_be_chance():
    assert change.verdict(-0.3, -0.35, 0.2) == "a small decline that could be chance (p = 0.200)"


def test_wave_change_by_role_matches_paired_change(con):
    mentor_pre, mentor_post = [3, 4, 2, 5, 3, 4], [4, 5, 4, 5, 4, 6]
    mentee_pre, mentee_post = [2, 3, 3, 4, 2, 3], [2, 4, 3, 3, 3, 4]
    programme(con, mentor_pre, mentor_post, mentee_pre, mentee_post)
    add_people(con, [("x", "mentor", "p9", "A")])
    add_score(con, "x", "pre", 1)  # no post answer: not paired
    frame = change.wave_change(con, "eng", group_by="role", min_group=5).set_index("role")
    assert list(frame.index) == ["mentee", "mentor"]
    assert frame.loc["mentor", "n"] == 6
    assert frame.loc["mentor", "cohen_dz"] == pytest.approx(1.5498, abs=1e-4)
    expected = change.paired_change(mentee_pre, mentee_post)
    assert frame.loc["mentee", "mean_change"] == pytest.approx(expected["mean_change"])  # 2/6
    assert frame.loc["mentee", "t_p"] == pytest.approx(stats.ttest_rel(mentee_post, mentee_pre).pvalue)
    overall = change.wave_change(con, "eng", min_group=5)
    assert overall.loc[0, "n"] == 12
    assert overall.loc[0, "mean_change"] == pytest.approx((7 + 2) / 12)


def test_wave_change_averages_repeat_responses_and_filters(con):
    programme(con, [3] * 5, [4] * 5, [3] * 5, [5] * 5)
    add_score(con, "m0", "post", 2)  # m0 answered post twice: mean (4 + 2) / 2 = 3, change 0
    frame = change.wave_change(con, "eng", filters={"role": ["mentor"]}, min_group=5)
    assert frame.loc[0, "n"] == 5
    assert frame.loc[0, "mean_change"] == pytest.approx((0 + 1 + 1 + 1 + 1) / 5)


def test_wave_change_suppresses_small_group_and_its_neighbour(con):
    programme(con, [3] * 6, [4] * 6, [3, 3, 3, 3, None, None], [4, 5, 4, 5, 4, 4])
    frame = change.wave_change(con, "eng", group_by="role", min_group=5).set_index("role")
    assert frame["suppressed"].all()  # mentees (4) < 5; mentors (6) would reveal them from the total
    assert frame["n"].isna().all()  # not even how many people a hidden group holds
    assert frame.loc["mentee", "suppressed_reason"] == "fewer than 5 responses"
    assert frame.loc["mentor", "suppressed_reason"].startswith("hidden ")  # for the mentees' sake
    assert math.isnan(frame.loc["mentor", "mean_change"]) and frame.loc["mentor", "verdict"] is None
    overall = change.wave_change(con, "eng", min_group=5)
    assert overall.loc[0, "n"] == 10 and not overall.loc[0, "suppressed"]


def test_all_changes_has_three_comparisons(con):
    programme(con, [3] * 5, [4] * 5, [3] * 5, [4] * 5)
    add_wave(con, "mid", "mid", "2025-04-01")
    for i in range(5):
        add_score(con, f"m{i}", "mid", 5)
    frame = change.all_changes(con, "eng", min_group=5)
    assert list(zip(frame["before"], frame["after"], strict=True)) == change.WAVE_PAIRS
    assert list(frame["n"]) == [5, 5, 10]
    assert frame["mean_change"].tolist() == pytest.approx([2.0, -1.0, 1.0])


def test_reciprocity_counts_pairs_where_both_improved(con):
    mentor_change = [1, 1, -1, 0, 2, 1]
    mentee_change = [1, -1, 1, 1, 2, 0.5]
    pre = [3.0] * 6
    programme(con, pre, [3 + c for c in mentor_change], pre, [3 + c for c in mentee_change])
    add_people(con, [("lone", "mentor", "p99", "A")])
    add_score(con, "lone", "pre", 2)
    add_score(con, "lone", "post", 4)  # a pair without its mentee does not count
    result = change.reciprocity(con, "eng", min_group=3)
    assert result["pairs"] == 6
    assert result["both_improved_pct"] == pytest.approx(100 * 3 / 6)  # pairs 0, 4, 5
    assert result["mentor_gain"] == pytest.approx(4 / 6)
    assert result["mentee_gain"] == pytest.approx(4.5 / 6)
    # Quadrants: both 3; only mentor 1 (p1); only mentee 2 (p2, p3: no change is no gain); neither 0.
    # The three under k = 3 are hidden together (4 pairs), and nothing per pair is returned.
    quadrants = result["quadrants"].set_index("quadrant")
    assert quadrants.loc["both", "n"] == 3 and not quadrants.loc["both", "suppressed"]
    assert quadrants.loc[["mentor_only", "mentee_only", "neither"], "suppressed"].all()
    assert quadrants.loc[["mentor_only", "mentee_only", "neither"], "n"].isna().all()
    assert "points" not in result


def test_reciprocity_suppressed_below_k(con):
    programme(con, [3] * 4, [4] * 4, [3] * 4, [4] * 4)
    result = change.reciprocity(con, "eng", min_group=5)
    assert result["pairs"] is None and result["suppressed"]  # 4 pairs: not even their number is shown
    assert result["both_improved_pct"] is None and result["mentor_gain"] is None
    assert result["quadrants"]["suppressed"].all() and result["quadrants"]["n"].isna().all()


def pulse_data(con, participants, others):
    """participants/others: {wave: [scores]}, employee i answering with score[i]."""
    add_wave(con, "pulse-1", "pulse", "2025-01-15")
    add_wave(con, "pulse-2", "pulse", "2025-06-15")
    size_p = max(len(v) for v in participants.values())
    size_c = max(len(v) for v in others.values())
    add_people(con, [(f"p{i}", "mentor" if i % 2 else "mentee", f"x{i // 2}", "A") for i in range(size_p)])
    add_people(con, [(f"c{i}", None, None, None) for i in range(size_c)])
    for prefix, data in [("p", participants), ("c", others)]:
        for wave, scores in data.items():
            for i, score in enumerate(scores):
                add_score(con, f"{prefix}{i}", wave, score)
    con.execute("INSERT INTO responses (response_id, wave) VALUES ('anon', 'pulse-1')")
    con.execute("INSERT INTO answers VALUES ('anon', 'eng_1', 1, NULL), ('anon', 'eng_2', 1, NULL)")


def test_participants_vs_comparison_and_difference_in_differences(con):
    participants = {"pulse-1": [3, 3, 4, 2, 3], "pulse-2": [4, 4, 5, 3, 5]}
    others = {"pulse-1": [3, 3, 3, 3, 4, 2], "pulse-2": [3, 4, 3, 3, 4, 3]}
    pulse_data(con, participants, others)
    frame = comparison.participants_vs_comparison(con, "eng", min_group=5)
    assert list(frame["wave"]) == ["pulse-1", "pulse-1", "pulse-2", "pulse-2"]
    cell = frame.set_index(["wave", "group"])
    assert cell.loc[("pulse-1", "comparison"), "n"] == 6  # the anonymous response counts in neither
    assert cell.loc[("pulse-2", "participants"), "mean"] == pytest.approx(4.2)
    ci = stats.ttest_1samp(participants["pulse-2"], 0).confidence_interval()
    assert cell.loc[("pulse-2", "participants"), "ci_low"] == pytest.approx(ci.low)

    did = comparison.difference_in_differences(con, "eng", min_group=5)
    # participants 4.2 - 3.0 = 1.2; comparison 3.3333 - 3.0 = 0.3333; DiD = 0.8667
    assert did["participants_change"] == pytest.approx(1.2)
    assert did["comparison_change"] == pytest.approx(1 / 3)
    assert did["did"] == pytest.approx(1.2 - 1 / 3)
    assert did["n_participants_first"] == 5 and did["n_comparison_last"] == 6


def test_difference_in_differences_ci_and_p_worked_by_hand(con):
    # Four cells of 5 people, each with mean +- the same spread: deviations -1, 0, 0, 0, 1, so every
    # cell's sample variance is (1 + 0 + 0 + 0 + 1) / (5 - 1) = 0.5.
    #   participants: pulse-1 mean 2, pulse-2 mean 4 -> change 2
    #   comparison:   pulse-1 mean 3, pulse-2 mean 4 -> change 1;  DiD = 2 - 1 = 1
    # The docstring's estimator: four independent means, SE = sqrt(sum s^2 / n) = sqrt(4 * 0.5 / 5)
    # = sqrt(0.4) = 0.632456. Welch-Satterthwaite df = (4 * 0.1)^2 / (4 * 0.1^2 / 4) = 0.16 / 0.01 = 16
    # (equal cells make it the pooled 16 too; the Welch test below tells the two apart).
    # t(0.975, 16) = 2.119905 (t table), so the half-width is 2.119905 * 0.632456 = 1.340746:
    # CI = 1 -+ 1.340746 = (-0.340746, 2.340746). t = 1 / 0.632456 = 1.581139; two-sided
    # p = 2 * P(T16 > 1.581139) = 0.1334 (t table: between 1.337 at p = 0.20 and 1.746 at p = 0.10).
    spread = [-1, 0, 0, 0, 1]
    pulse_data(
        con,
        {"pulse-1": [2 + d for d in spread], "pulse-2": [4 + d for d in spread]},
        {"pulse-1": [3 + d for d in spread], "pulse-2": [4 + d for d in spread]},
    )
    did = comparison.difference_in_differences(con, "eng", min_group=5)
    assert did["did"] == pytest.approx(1.0)
    assert did["ci_low"] == pytest.approx(-0.340746, abs=1e-6)
    assert did["ci_high"] == pytest.approx(2.340746, abs=1e-6)
    assert did["p_value"] == pytest.approx(0.1334, abs=1e-4)


def test_difference_in_differences_with_a_constant_comparison_is_welchs_t_test(con):
    # When the comparison group scores the same in each pulse, its means carry no variance and the
    # DiD reduces to Welch's two-sample t-test of participants' pulse-2 (less the comparison's change
    # of 1) against their pulse-1; scipy's ttest_ind(equal_var=False) is the reference.
    first, last = [3, 3, 4, 2, 3], [4, 4, 5, 3, 5, 5, 4]
    pulse_data(con, {"pulse-1": first, "pulse-2": last}, {"pulse-1": [3] * 6, "pulse-2": [4] * 6})
    did = comparison.difference_in_differences(con, "eng", min_group=5)
    welch = stats.ttest_ind([x - 1 for x in last], first, equal_var=False)
    ci = welch.confidence_interval()
    assert did["did"] == pytest.approx(np.mean(last) - 1 - np.mean(first))
    assert did["ci_low"] == pytest.approx(ci.low)
    assert did["ci_high"] == pytest.approx(ci.high)
    assert did["p_value"] == pytest.approx(welch.pvalue)


def test_difference_in_differences_suppressed_when_a_group_is_small(con):
    pulse_data(
        con, {"pulse-1": [3, 3, 4, 2], "pulse-2": [4, 4, 5, 3]}, {"pulse-1": [3] * 6, "pulse-2": [4] * 6}
    )
    frame = comparison.participants_vs_comparison(con, "eng", min_group=5)
    assert frame["suppressed"].all() and frame["mean"].isna().all()
    # 4 participants: hidden, n too; the 6 others with them (the wave's total would give them away)
    assert frame["n"].isna().all() and frame["suppressed_reason"].notna().all()
    cell = frame.set_index(["wave", "group"])
    assert cell.loc[("pulse-1", "participants"), "suppressed_reason"] == "fewer than 5 responses"
    did = comparison.difference_in_differences(con, "eng", min_group=5)
    assert did["did"] is None and did["suppressed"] and did["n_participants_first"] is None


def test_wave_change_keeps_people_without_the_attribute_as_not_recorded(con):
    programme(con, [3] * 5, [4] * 5, [3] * 5, [5] * 5)
    con.execute("UPDATE employees SET department = NULL WHERE employee_id LIKE 's%'")
    frame = change.wave_change(con, "eng", group_by="department", min_group=5).set_index("department")
    assert frame["n"].to_dict() == {"Not recorded": 5, "Ops": 5}
    assert frame.loc["Not recorded", "mean_change"] == pytest.approx(2.0)


def _versus_in_pandas(con, construct, filters):
    """participants_vs_comparison's cells by its former pandas formula, from construct_scores' rows."""
    from analytics.metrics import construct_scores

    waves = [r[0] for r in con.execute("SELECT wave FROM waves WHERE kind = 'pulse'").fetchall()]
    scores = construct_scores(con, construct, filters=filters, waves=waves)
    scores = scores[scores["employee_id"].notna()].copy()
    scores["group"] = np.where(scores["is_participant"].astype(bool), "participants", "comparison")
    people = scores.groupby(["wave", "opened_on", "group", "employee_id"], as_index=False)["score"].mean()
    cells = people.groupby(["wave", "group"], as_index=False).agg(
        n=("score", "size"), mean=("score", "mean"), sd=("score", "std")
    )
    t = stats.t.ppf(0.975, cells["n"] - 1)
    cells["ci_low"] = cells["mean"] - t * cells["sd"] / np.sqrt(cells["n"])
    return cells.set_index(["wave", "group"])


@pytest.mark.parametrize("filters", [None, {"department": ["Engineering", "Sales"]}])
def test_participants_vs_comparison_in_sql_matches_the_pandas_formula_on_the_sample(sample_con, filters):
    frame = comparison.participants_vs_comparison(sample_con, "ps", filters, min_group=1)
    expected = _versus_in_pandas(sample_con, "ps", filters)
    assert len(frame) == len(expected) > 2
    got = frame.set_index(["wave", "group"]).loc[expected.index]
    assert got["n"].tolist() == expected["n"].tolist()
    for column in ["mean", "sd", "ci_low"]:
        assert got[column].to_numpy() == pytest.approx(expected[column].to_numpy(), rel=1e-12)
    # The pulses in the order they opened, participants before everyone else within each.
    opened = frame["opened_on"].tolist()
    assert opened == sorted(opened) and frame["group"].iloc[0] == "participants"
    did = comparison.difference_in_differences(sample_con, "ps", filters, min_group=1)
    first, last = frame["wave"].iloc[0], frame["wave"].iloc[-1]
    change = {
        g: expected.loc[(last, g), "mean"] - expected.loc[(first, g), "mean"]
        for g in ["participants", "comparison"]
    }
    assert did["participants_change"] == pytest.approx(change["participants"], rel=1e-12)
    assert did["comparison_change"] == pytest.approx(change["comparison"], rel=1e-12)
    assert did["did"] == pytest.approx(change["participants"] - change["comparison"], rel=1e-12)
    for group in ["participants", "comparison"]:
        assert did[f"n_{group}_first"] == expected.loc[(first, group), "n"]
        assert did[f"n_{group}_last"] == expected.loc[(last, group), "n"]
