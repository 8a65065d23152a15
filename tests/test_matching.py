"""Matching: the rules, the score's components, optimal and stable assignment, explanations and fairness.

Known answers come from brute force (every permutation / every matching, by itertools), from a hand
calculation written next to the assertion, or from the worked example of Gale and Shapley (1962).
"""

import itertools
import random

import numpy as np
import pandas as pd
import pytest

from analytics import matching
from analytics.errors import MutualError

GRADES = ["G1", "G2", "G3", "G4", "G5", "G6", "G7"]
_APPLICATION = {
    "objectives": "inclusion",
    "skills_offered": "",
    "skills_wanted": "",
    "openness_to_challenge": 3,
    "preferred_pace": 3,
    "directness": 3,
    "hours_per_month": 4,
    "time_zone": "UTC",
    "prefers_other_department": "no",
    "culture_change_involvement": 0,
    "capacity": 1,
}
_EMPLOYEE = ("grade", "department", "manager_id", "gender", "age_band")


def people(*rows: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(applications, employees) from one dict per person; unnamed fields take neutral defaults."""
    employees = pd.DataFrame(
        [{"employee_id": r["employee_id"], **{k: r.get(k) for k in _EMPLOYEE}} for r in rows if "role" in r]
        + [
            {"employee_id": r["employee_id"], **{k: r.get(k) for k in _EMPLOYEE}}
            for r in rows
            if "role" not in r
        ]
    )
    applications = pd.DataFrame(
        [
            {
                "employee_id": r["employee_id"],
                "role": r["role"],
                **{**_APPLICATION, **{k: r[k] for k in r if k in _APPLICATION}},
            }
            for r in rows
            if "role" in r
        ]
    )
    return applications, employees


def mentor(employee_id, grade="G2", department="Sales", **fields):
    return {"employee_id": employee_id, "role": "mentor", "grade": grade, "department": department, **fields}


def mentee(employee_id, grade="G6", department="Finance", **fields):
    return {"employee_id": employee_id, "role": "mentee", "grade": grade, "department": department, **fields}


def paired(proposal) -> set[tuple[str, str]]:
    return set(zip(proposal.pairs["mentor_id"], proposal.pairs["mentee_id"], strict=True))


# ---------------------------------------------------------------- assignment against brute force


def _brute_force(score, feasible, capacity, key):
    """The best value of `key` over every assignment: each permutation of mentor slots (plus empty ones)
    over the mentees, infeasible pairs dropped."""
    n_mentees = score.shape[1]
    slots = [i for i, c in enumerate(capacity) for _ in range(c)] + [-1] * n_mentees
    best = None
    for order in itertools.permutations(range(len(slots)), n_mentees):
        pairs = [(slots[s], j) for j, s in enumerate(order) if slots[s] >= 0 and feasible[slots[s], j]]
        value = key([score[i, j] for i, j in pairs])
        best = value if best is None or value > best else best
    return best


def _instance(seed):
    rng = np.random.default_rng(seed)
    score = rng.integers(0, 100, size=(4, 4)) / 100
    feasible = rng.random((4, 4)) < 0.7
    capacity = [1, 2, 1, 0] if seed % 2 else [1, 1, 1, 1]
    return score, feasible, capacity


@pytest.mark.parametrize("seed", range(12))
def test_assignment_maximises_the_total_like_brute_force(seed):
    score, feasible, capacity = _instance(seed)
    pairs = matching.assign(score, feasible, capacity=capacity, method="total")
    expected_count, expected_total = _brute_force(score, feasible, capacity, lambda s: (len(s), sum(s)))
    assert len(pairs) == expected_count
    assert sum(score[i, j] for i, j in pairs) == pytest.approx(expected_total)
    assert all(feasible[i, j] for i, j in pairs)


@pytest.mark.parametrize("seed", range(12))
def test_bottleneck_maximises_the_worst_pair_then_the_total_like_brute_force(seed):
    score, feasible, capacity = _instance(seed)
    pairs = matching.assign(score, feasible, capacity=capacity, method="bottleneck")
    count, worst, total = _brute_force(
        score, feasible, capacity, lambda s: (len(s), min(s, default=0.0), sum(s))
    )
    values = [score[i, j] for i, j in pairs]
    assert len(pairs) == count
    assert min(values, default=0.0) == pytest.approx(worst)
    assert sum(values) == pytest.approx(total)


def test_bottleneck_gives_up_total_for_a_better_worst_pair():
    # Max total: (0,0)+(1,1) = 1.0 + 0.1 = 1.1 beats (0,1)+(1,0) = 0.5 + 0.5 = 1.0; max-min prefers the latter.
    score = np.array([[1.0, 0.5], [0.5, 0.1]])
    feasible = np.ones((2, 2), dtype=bool)
    assert matching.assign(score, feasible, capacity=[1, 1]) == [(0, 0), (1, 1)]
    assert matching.assign(score, feasible, capacity=[1, 1], method="bottleneck") == [(0, 1), (1, 0)]


def test_assignment_respects_capacity_and_never_chooses_an_infeasible_pair():
    score = np.array([[0.9, 0.8, 0.7], [0.1, 0.1, 0.9]])
    feasible = np.array([[True, True, True], [False, False, False]])
    pairs = matching.assign(score, feasible, capacity=[2, 1])
    assert len(pairs) == 2 and all(i == 0 for i, _ in pairs)
    assert sorted(j for _, j in pairs) == [0, 1]  # 0.9 + 0.8 is the best two of mentor 0's three


def test_without_capacity_each_mentee_takes_their_best_feasible_mentor():
    score = np.array([[0.9, 0.8], [0.2, 0.95]])
    feasible = np.array([[True, True], [True, False]])
    assert matching.assign(score, feasible, capacity=None) == [(0, 0), (0, 1)]


# ---------------------------------------------------------------- hard rules, each broken on purpose


def test_reverse_rule_refuses_a_mentor_graded_above_the_mentee():
    applications, employees = people(mentor("M1", grade="G5"), mentee("E1", grade="G3"))
    proposal = matching.propose(applications, employees, grade_order=GRADES)
    assert proposal.pairs.empty
    assert proposal.feasibility.by_rule["reverse"][0, 0]
    reasons = dict(zip(proposal.unmatched["employee_id"], proposal.unmatched["reason"], strict=True))
    assert reasons["E1"] == "no feasible mentor: every mentor's grade is not below theirs"
    assert reasons["M1"] == "no feasible mentee: every mentee's grade is not above theirs"
    off = matching.propose(applications, employees, grade_order=GRADES, rules={"reverse": False})
    assert paired(off) == {("M1", "E1")}


def test_reverse_rule_refuses_equal_grades_and_missing_grades():
    applications, employees = people(
        mentor("M1", grade="G4"), mentee("E1", grade="G4"), mentee("E2", grade=None)
    )
    f = matching.feasibility(
        *matching.sides(applications, employees), grade_order=GRADES, employees=employees
    )
    assert f.by_rule["reverse"].tolist() == [[True, True]]


@pytest.mark.parametrize("direction", ["mentor manages mentee", "mentee manages mentor"])
def test_reporting_line_refuses_a_manager_two_levels_up_in_either_direction(direction):
    if direction == "mentor manages mentee":  # M1 -> X -> E1
        chain = [mentor("M1"), {"employee_id": "X", "manager_id": "M1"}, mentee("E1", manager_id="X")]
    else:  # E1 -> X -> M1
        chain = [mentor("M1", manager_id="X"), {"employee_id": "X", "manager_id": "E1"}, mentee("E1")]
    applications, employees = people(*chain)
    proposal = matching.propose(applications, employees, grade_order=GRADES)
    assert proposal.pairs.empty
    assert proposal.unmatched.set_index("employee_id").loc["E1", "reason"] == (
        "no feasible mentor: every mentor is in their reporting line"
    )
    off = matching.propose(applications, employees, grade_order=GRADES, rules={"reporting_line": False})
    assert paired(off) == {("M1", "E1")}


def test_reporting_line_allows_colleagues_under_the_same_manager():
    applications, employees = people(
        mentor("M1", manager_id="B"), mentee("E1", manager_id="B"), {"employee_id": "B"}
    )
    assert paired(matching.propose(applications, employees, grade_order=GRADES)) == {("M1", "E1")}


def test_a_manager_loop_is_refused():
    applications, employees = people(mentor("M1", manager_id="E1"), mentee("E1", manager_id="M1"))
    with pytest.raises(MutualError, match="loop"):
        matching.propose(applications, employees, grade_order=GRADES)


def test_capacity_limits_a_mentor_to_the_number_they_offer():
    rows = [mentor("M1", capacity=1), mentee("E1"), mentee("E2", objectives="technology")]
    applications, employees = people(*rows)
    proposal = matching.propose(applications, employees, grade_order=GRADES)
    assert paired(proposal) == {("M1", "E1")}  # E1 shares the inclusion objective, E2 does not
    assert (
        proposal.unmatched.set_index("employee_id").loc["E2", "reason"]
        == "every feasible mentor (1) is at capacity"
    )
    rows[0] = mentor("M1", capacity=2)
    assert paired(matching.propose(*people(*rows), grade_order=GRADES)) == {("M1", "E1"), ("M1", "E2")}
    rows[0] = mentor("M1", capacity=1)
    off = matching.propose(*people(*rows), grade_order=GRADES, rules={"capacity": False})
    assert paired(off) == {("M1", "E1"), ("M1", "E2")}


def test_capacity_defaults_to_one_mentee():
    applications, employees = people(mentor("M1"), mentee("E1"), mentee("E2"))
    applications = applications.drop(columns="capacity")
    assert len(matching.propose(applications, employees, grade_order=GRADES).pairs) == 1


@pytest.mark.parametrize("pair", [("M1", "E1"), ("E1", "M1")])
def test_people_paired_in_an_open_cohort_are_not_paired_again(pair):
    applications, employees = people(mentor("M1"), mentee("E1"))
    proposal = matching.propose(applications, employees, grade_order=GRADES, open_pairs=[pair])
    assert proposal.pairs.empty
    assert proposal.unmatched.set_index("employee_id").loc["E1", "reason"] == (
        "no feasible mentor: they are already paired with every mentor in an open cohort"
    )
    off = matching.propose(
        applications, employees, grade_order=GRADES, open_pairs=[pair], rules={"open_cohort": False}
    )
    assert paired(off) == {("M1", "E1")}


def test_someone_who_asked_for_another_department_is_not_paired_within_theirs():
    rows = [
        mentor("M1", department="Sales"),
        mentee("E1", department="Sales", prefers_other_department="yes"),
    ]
    assert matching.propose(*people(*rows), grade_order=GRADES).pairs.empty
    off = matching.propose(*people(*rows), grade_order=GRADES, rules={"department_preference": False})
    assert paired(off) == {("M1", "E1")}
    rows[1] = mentee("E1", department="Sales", prefers_other_department="no")
    assert paired(matching.propose(*people(*rows), grade_order=GRADES)) == {("M1", "E1")}


def test_different_department_is_off_by_default_and_refuses_same_department_when_on():
    applications, employees = people(mentor("M1", department="Sales"), mentee("E1", department="Sales"))
    assert paired(matching.propose(applications, employees, grade_order=GRADES)) == {("M1", "E1")}
    on = matching.propose(applications, employees, grade_order=GRADES, rules={"different_department": True})
    assert on.pairs.empty
    assert on.rules.set_index("rule").loc["different_department", "pairs_excluded"] == 1


def test_every_rule_is_listed_with_whether_it_is_on():
    applications, employees = people(mentor("M1"), mentee("E1"))
    proposal = matching.propose(applications, employees, grade_order=GRADES, rules={"reverse": False})
    table = proposal.rules.set_index("rule")
    assert list(table.index) == list(matching.RULES)
    assert not table.loc["reverse", "on"] and table.loc["reporting_line", "on"]


def test_feasibility_lists_each_excluded_pair_with_its_rules():
    applications, employees = people(
        mentor("M1", grade="G6", department="Finance"), mentee("E1", grade="G3", department="Finance")
    )
    f = matching.feasibility(
        *matching.sides(applications, employees),
        grade_order=GRADES,
        employees=employees,
        rules={"different_department": True},
    )
    excluded = f.excluded()
    assert set(excluded["rule"]) == {"reverse", "different_department"}
    assert set(excluded["mentor_id"]) == {"M1"} and not f.feasible.any()


def test_an_unknown_rule_and_an_unknown_grade_are_refused():
    applications, employees = people(mentor("M1", grade="Director"), mentee("E1"))
    with pytest.raises(MutualError, match="unknown matching rule"):
        matching.propose(applications, employees, grade_order=GRADES, rules={"seniority": True})
    with pytest.raises(MutualError, match="Director"):
        matching.propose(applications, employees, grade_order=GRADES)


def test_when_several_rules_together_exclude_everyone_the_reason_counts_them():
    applications, employees = people(mentor("M1", grade="G7"), mentor("M2", manager_id="E1"), mentee("E1"))
    proposal = matching.propose(applications, employees, grade_order=GRADES)
    assert proposal.unmatched.set_index("employee_id").loc["E1", "reason"] == (
        "no feasible mentor: each is excluded by one of grade (1), reporting line (1)"
    )


# ---------------------------------------------------------------- locked and excluded pairs


def _two_by_two():
    # M1 and E1 share two objectives, M2 and E2 share one; crossing them shares none.
    return people(
        mentor("M1", objectives="inclusion; technology"),
        mentor("M2", objectives="cross-functional"),
        mentee("E1", objectives="inclusion; technology"),
        mentee("E2", objectives="cross-functional"),
    )


def test_the_best_pairs_are_the_ones_that_share_objectives():
    assert paired(matching.propose(*_two_by_two(), grade_order=GRADES)) == {("M1", "E1"), ("M2", "E2")}


def test_a_locked_pair_is_kept_even_when_another_would_score_higher():
    proposal = matching.propose(*_two_by_two(), grade_order=GRADES, locked=[("M1", "E2")])
    assert paired(proposal) == {("M1", "E2"), ("M2", "E1")}
    assert proposal.pairs.set_index("mentee_id").loc["E2", "locked"]
    assert not proposal.pairs.set_index("mentee_id").loc["E1", "locked"]


def test_an_excluded_pair_never_appears():
    proposal = matching.propose(*_two_by_two(), grade_order=GRADES, excluded=[("M1", "E1")])
    assert ("M1", "E1") not in paired(proposal)
    assert paired(proposal) == {("M1", "E2"), ("M2", "E1")}


def test_an_excluded_only_option_leaves_the_mentee_unmatched_with_that_reason():
    applications, employees = people(mentor("M1"), mentee("E1"))
    proposal = matching.propose(applications, employees, grade_order=GRADES, excluded=[("M1", "E1")])
    assert proposal.unmatched.set_index("employee_id").loc["E1", "reason"] == (
        "no feasible mentor: every pair with them was excluded"
    )


def test_a_locked_pair_that_breaks_a_rule_is_refused():
    applications, employees = people(mentor("M1", grade="G7"), mentee("E1"))
    with pytest.raises(MutualError, match="grade is below"):
        matching.propose(applications, employees, grade_order=GRADES, locked=[("M1", "E1")])


def test_a_mentee_locked_twice_or_a_mentor_locked_beyond_capacity_is_refused():
    applications, employees = _two_by_two()
    with pytest.raises(MutualError, match="more than one mentor"):
        matching.propose(applications, employees, grade_order=GRADES, locked=[("M1", "E1"), ("M2", "E1")])
    with pytest.raises(MutualError, match="more mentees"):
        matching.propose(applications, employees, grade_order=GRADES, locked=[("M1", "E1"), ("M1", "E2")])


def test_a_locked_mentor_uses_up_capacity():
    applications, employees = people(mentor("M1", capacity=2), mentee("E1"), mentee("E2"), mentee("E3"))
    proposal = matching.propose(applications, employees, grade_order=GRADES, locked=[("M1", "E3")])
    assert len(proposal.pairs) == 2 and ("M1", "E3") in paired(proposal)


# ---------------------------------------------------------------- the score, by hand


def _hand_pair():
    return people(
        mentor(
            "A",
            objectives="inclusion; technology",
            skills_offered="data analysis; python",
            skills_wanted="strategy; coaching",
            openness_to_challenge=4,
            preferred_pace=3,
            directness=5,
            hours_per_month=4,
            time_zone="UTC",
            culture_change_involvement=2,
            gender="Woman",
            age_band="25-34",
        ),
        mentee(
            "C",
            objectives="inclusion",
            skills_offered="strategy; negotiation",
            skills_wanted="data analysis",
            openness_to_challenge=2,
            preferred_pace=3,
            directness=4,
            hours_per_month=6,
            time_zone="UTC+03:00",
            gender="Man",
            age_band="25-34",
        ),
    )


def test_score_components_match_a_hand_calculation():
    mentors, mentees = matching.sides(*_hand_pair())
    parts = matching.components(mentors, mentees, lens=["gender", "age_band"])
    value = {name: float(parts[name][0, 0]) for name in matching.COMPONENTS}
    assert value["objectives"] == pytest.approx(1 / 2)  # {inclusion} / {inclusion, technology}
    # mentee wants {data analysis}, mentor offers it: 1/1; mentor wants {strategy, coaching}, mentee offers 1 of 2
    assert value["skills"] == pytest.approx((1 + 1 / 2) / 2)
    assert value["style"] == pytest.approx(1 - (2 + 0 + 1) / 3 / 4)  # |4-2|, |3-3|, |5-4|
    assert value["availability"] == pytest.approx((4 / 6 + (1 - 3 / 12)) / 2)  # hours 4 vs 6; 3 h apart
    assert value["lens"] == pytest.approx(1 / 2)  # gender differs, age band the same
    assert value["culture_change"] == pytest.approx(2 / 5)


def test_the_score_is_the_weighted_sum_of_the_components():
    proposal = matching.propose(*_hand_pair(), grade_order=GRADES, lens=["gender", "age_band"])
    # 0.2*0.5 + 0.25*0.75 + 0.2*0.75 + 0.15*(17/24) + 0.1*0.5 + 0.1*0.4, default weights summing to 1
    assert proposal.pairs.loc[0, "score"] == pytest.approx(0.63375)


def test_weights_are_normalised_and_unnamed_ones_keep_their_default():
    weights = matching.normalise_weights({"style": 0.8}, lens=["gender"])
    assert sum(weights.values()) == pytest.approx(1)
    assert weights["style"] == pytest.approx(0.8 / 1.6)  # defaults without style sum to 0.8
    assert matching.normalise_weights({})["lens"] == 0  # no lens attributes: the lens weighs nothing


def test_an_unknown_or_negative_weight_is_refused():
    with pytest.raises(MutualError, match="unknown score component"):
        matching.normalise_weights({"seniority": 1})
    with pytest.raises(MutualError, match="0 or more"):
        matching.normalise_weights({"style": -1})


def test_the_scores_table_lists_every_pair_with_feasibility():
    applications, employees = people(mentor("M1"), mentor("M2", grade="G7"), mentee("E1"), mentee("E2"))
    table = matching.propose(applications, employees, grade_order=GRADES).scores()
    assert len(table) == 4
    assert list(table.columns) == ["mentor_id", "mentee_id", "feasible", "score", *matching.COMPONENTS]
    assert table.groupby("mentor_id")["feasible"].all().to_dict() == {"M1": True, "M2": False}


def test_either_applicants_fill_the_mentors_lowest_grade_first():
    applications, employees = people(
        mentee("E1", grade="G6"),
        mentee("E2", grade="G6"),
        {**mentor("X1", grade="G1"), "role": "either"},
        {**mentor("X3", grade="G7"), "role": "either"},
        {**mentor("X2", grade="G5"), "role": "either"},
    )
    mentors, mentees = matching.sides(applications, employees, grade_order=GRADES)
    # X1 (G1) and X2 (G5) bring the mentors' capacity up to the two mentees; X3 (G7) then joins the mentees.
    assert sorted(mentors["employee_id"]) == ["X1", "X2"]
    assert sorted(mentees["employee_id"]) == ["E1", "E2", "X3"]


# ---------------------------------------------------------------- explanations


def test_each_pair_is_explained_by_its_top_components():
    proposal = matching.propose(*_hand_pair(), grade_order=GRADES, lens=["gender", "age_band"])
    assert proposal.pairs.loc[0, "explanation"] == (
        "mentor offers data analysis, which the mentee wants; mentee offers strategy, which the mentor wants; "
        "similar pace and directness; shares the inclusion objective; different departments"
    )


def test_the_proposals_never_show_demographic_attributes():
    proposal = matching.propose(*_hand_pair(), grade_order=GRADES, lens=["gender", "age_band"])
    shown = " ".join(proposal.pairs.astype(str).to_numpy().ravel())
    assert "Woman" not in shown and "Man" not in shown and "gender" not in proposal.pairs.columns


# ---------------------------------------------------------------- Gale-Shapley


def _blocking(pairs, mentee_ranking, mentor_ranking, capacity):
    """Blocking pairs of a matching: both ranked each other, and each would rather have the other."""
    mentor_of = {e: m for m, e in pairs}
    held = {m: [e for mm, e in pairs if mm == m] for m in mentor_ranking}
    found = []
    for e, ranked in mentee_ranking.items():
        for m in ranked:
            if e not in mentor_ranking[m]:
                continue
            current = mentor_of.get(e)
            if current is not None and ranked.index(current) <= ranked.index(m):
                continue
            worst = max((mentor_ranking[m].index(x) for x in held[m]), default=-1)
            if len(held[m]) < capacity.get(m, 1) or mentor_ranking[m].index(e) < worst:
                found.append((m, e))
    return found


def test_gale_shapley_on_the_worked_example_of_gale_and_shapley_1962():
    # Gale & Shapley (1962), example 2: three on each side, preferences in a cycle. Each side's first
    # choices are all different, so the proposing side gets its first choices (mentee-optimal).
    mentee_ranking = {"a": ["A", "B", "C"], "b": ["B", "C", "A"], "c": ["C", "A", "B"]}
    mentor_ranking = {"A": ["b", "c", "a"], "B": ["c", "a", "b"], "C": ["a", "b", "c"]}
    result = matching.stable_matching(mentee_ranking, mentor_ranking)
    pairs = set(zip(result["mentor_id"], result["mentee_id"], strict=True))
    assert pairs == {("A", "a"), ("B", "b"), ("C", "c")}
    # By brute force over all 3! matchings exactly three are stable (each side first, second, or third
    # choices all round), and the one found is among them.
    stable = [
        set(zip(order, "abc", strict=True))
        for order in itertools.permutations("ABC")
        if not _blocking(set(zip(order, "abc", strict=True)), mentee_ranking, mentor_ranking, {})
    ]
    assert sorted(map(sorted, stable)) == sorted(
        map(sorted, [pairs, {("A", "b"), ("B", "c"), ("C", "a")}, {("A", "c"), ("B", "a"), ("C", "b")}])
    )


def test_gale_shapley_with_rejections_worked_by_hand():
    # Mentees propose: x->A, y->A (A holds y, rejects x), x->B (held), z->A (A holds z, rejects y),
    # y->B (B prefers y, rejects x), x->C (held). Result: A-z, B-y, C-x.
    mentee_ranking = {"x": ["A", "B", "C"], "y": ["A", "B", "C"], "z": ["A", "C", "B"]}
    mentor_ranking = {"A": ["z", "y", "x"], "B": ["y", "x", "z"], "C": ["x", "z", "y"]}
    result = matching.stable_matching(mentee_ranking, mentor_ranking)
    assert set(zip(result["mentor_id"], result["mentee_id"], strict=True)) == {
        ("A", "z"),
        ("B", "y"),
        ("C", "x"),
    }


@pytest.mark.parametrize("seed", range(10))
def test_gale_shapley_with_capacity_is_stable_and_best_for_mentees_by_brute_force(seed):
    rng = random.Random(seed)
    mentors, mentees = ["A", "B", "C"], ["p", "q", "r", "s", "t"]
    capacity = {"A": 1, "B": 2, "C": 1}
    mentee_ranking = {e: rng.sample(mentors, rng.randint(1, 3)) for e in mentees}
    mentor_ranking = {m: rng.sample(mentees, rng.randint(2, 5)) for m in mentors}
    found = matching.stable_matching(mentee_ranking, mentor_ranking, capacity=capacity)
    pairs = set(zip(found["mentor_id"], found["mentee_id"], strict=True))
    assert not _blocking(pairs, mentee_ranking, mentor_ranking, capacity)
    assert all(found["mentor_id"].value_counts()[m] <= capacity[m] for m in found["mentor_id"].unique())
    stable = []
    for choice in itertools.product([None, *mentors], repeat=len(mentees)):
        candidate = {(m, e) for m, e in zip(choice, mentees, strict=True) if m is not None}
        acceptable = all(m in mentee_ranking[e] and e in mentor_ranking[m] for m, e in candidate)
        within = all(sum(1 for mm, _ in candidate if mm == m) <= capacity[m] for m in mentors)
        if acceptable and within and not _blocking(candidate, mentee_ranking, mentor_ranking, capacity):
            stable.append(candidate)
    assert pairs in stable

    def rank(matching_pairs, e):
        mine = [m for m, ee in matching_pairs if ee == e]
        return mentee_ranking[e].index(mine[0]) if mine else len(mentors)

    assert all(rank(pairs, e) <= rank(other, e) for other in stable for e in mentees)


def test_stable_method_in_a_proposal_respects_the_rules():
    applications, employees = people(mentor("M1"), mentor("M2", grade="G7"), mentee("E1"))
    proposal = matching.propose(
        applications,
        employees,
        grade_order=GRADES,
        method="stable",
        mentee_ranking={"E1": ["M2", "M1"]},
        mentor_ranking={"M1": ["E1"], "M2": ["E1"]},
    )
    assert paired(proposal) == {("M1", "E1")}  # E1's first choice M2 breaks the reverse rule


# ---------------------------------------------------------------- fairness


def test_fairness_hides_a_group_below_k_and_its_n():
    rows = [mentor(f"M{i}") for i in range(6)]
    rows += [mentee(f"W{i}", gender="Woman") for i in range(4)] + [mentee("N1", gender="Non-binary")]
    rows += [mentee("U1", gender="Man")]
    applications, employees = people(*rows)
    proposal = matching.propose(applications, employees, grade_order=GRADES)
    table = matching.fairness(proposal, employees, group_by=["gender"], min_group=2).set_index(
        ["side", "gender"]
    )
    assert table.loc[("mentee", "Woman"), "n"] == 4 and not table.loc[("mentee", "Woman"), "suppressed"]
    assert table.loc[("mentee", "Non-binary"), "suppressed"]
    assert pd.isna(table.loc[("mentee", "Non-binary"), "n"])
    assert pd.isna(table.loc[("mentee", "Non-binary"), "mean_score"])
    assert table.loc[("mentee", "Non-binary"), "suppressed_reason"] == "fewer than 2 responses"
    # With Non-binary hidden alone, Man (1) is hidden too so the total cannot give it away.
    assert table.loc[("mentee", "Man"), "suppressed"]


def test_fairness_uses_the_privacy_threshold_by_default(monkeypatch):
    monkeypatch.setenv("MUTUAL_MIN_GROUP", "5")
    rows = [mentor(f"M{i}", gender="Woman") for i in range(4)] + [
        mentee(f"E{i}", gender="Woman") for i in range(6)
    ]
    applications, employees = people(*rows)
    table = matching.fairness(
        matching.propose(applications, employees, grade_order=GRADES), employees, group_by=["gender"]
    ).set_index("side")
    assert table.loc["mentor", "suppressed"]  # 4 mentors < 5
    assert not table.loc["mentee", "suppressed"]
    assert table.loc["mentee", "n"] == 6
    assert table.loc["mentee", "matched_pct"] == pytest.approx(100 * 4 / 6)  # four mentors of capacity 1
