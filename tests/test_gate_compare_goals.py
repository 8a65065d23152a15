"""Paired changes, goals and pair figures through privacy.gate: the differencing they allowed is closed.

Each organisation is built so the truth is known; k = 5 throughout.
"""

import datetime as dt

import pandas as pd
import pytest

from analytics import change, goals, metrics, privacy
from tests import builders

K = 5
NEARLY = privacy.REASONS["nearly"].format(k=K)
NEIGHBOUR = privacy.REASONS["neighbour"].format(k=K)
REVERSED = {"ps_1", "ps_3", "ps_5"}


def answer(con, employee_id: str, wave: str, score: float) -> None:
    """A psychological-safety response whose construct score is `score` (reverse items answered 8 - score)."""
    items = {item: (8 - score if item in REVERSED else score) for item in builders.PS_ITEMS}
    builders.add_response(con, f"{employee_id}-{wave}", wave, items, employee_id=employee_id)


def programme_waves(con) -> None:
    builders.add_wave(con, "pre", "pre", "2025-01-06")
    builders.add_wave(con, "mid", "mid", "2025-04-07")
    builders.add_wave(con, "post", "post", "2025-07-07")


# 10 men aged 35-44, 1 woman aged 35-44 and 6 women aged 55+: "age 35-44" (11 people) and "men" (10) differ
# by the one woman aged 35-44, though every cell of either filter holds at least k people.
PEOPLE = [("man", "35-44")] * 10 + [("woman", "35-44")] + [("woman", "55+")] * 6


@pytest.fixture
def ages(con):
    """PEOPLE, all in Ops, each answering pre and post (post = pre + 1, the lone woman + 3) with goals."""
    programme_waves(con)
    for i, (gender, age_band) in enumerate(PEOPLE):
        employee_id = f"e{i:02d}"
        builders.add_employee(con, employee_id, department="Ops", gender=gender, age_band=age_band)
        builders.add_participant(
            con, employee_id, cohort="C1", role="mentor" if i % 2 else "mentee", pair_id=f"P{i // 2}"
        )
        pre = 3 + i % 3
        answer(con, employee_id, "pre", pre)
        answer(con, employee_id, "post", pre + (3 if i == 10 else 1))
        builders.add_goal(con, employee_id, "g1", level_post=(i % 5) - 2)
    builders.finish(con)
    return con


AGE = {"age_band": ["35-44"]}
MEN = {"gender": ["man"]}


def test_unfiltered_paired_change_is_shown(ages):
    overall = change.wave_change(ages, "ps", min_group=K).iloc[0]
    assert not overall["suppressed"] and overall["n"] == 17
    assert overall["mean_change"] == pytest.approx((16 + 3) / 17)  # sixteen people +1, one +3


@pytest.mark.parametrize("filters", [AGE, MEN], ids=["age 35-44", "men"])
def test_a_filtered_paired_change_nearly_another_filters_people_is_hidden(ages, filters):
    # Shown together, 11 x mean(age 35-44) - 10 x mean(men) would be the lone woman's change (+3).
    # The old guard checked only the filtered attribute's cells (35-44: 11, 55+: 6; men 10, women 7).
    frame = change.wave_change(ages, "ps", filters=filters, min_group=K)
    assert frame["suppressed"].all() and frame["n"].isna().all()
    assert frame["mean_change"].isna().all() and frame["verdict"].isna().all()
    assert frame["suppressed_reason"].iloc[0] == NEARLY


def test_women_against_55_plus_hidden_and_all_ages_shown(ages):
    women = change.wave_change(ages, "ps", filters={"gender": ["woman"]}, min_group=K).iloc[0]
    # 7 women: against everyone (17) they differ by 10, against 55+ (6) by 1 -- so they are hidden too.
    assert women["suppressed"] and pd.isna(women["n"])
    older = change.wave_change(ages, "ps", filters={"age_band": ["55+"]}, min_group=K).iloc[0]
    assert older["suppressed"]  # 6 people aged 55+ and the 7 women differ by one: never shown together
    both = change.wave_change(ages, "ps", filters={"age_band": ["35-44", "55+"]}, min_group=K).iloc[0]
    assert not both["suppressed"] and both["n"] == 17  # the same people as no filter: nothing to learn


def test_goal_attainment_and_gas_scores_hide_a_filter_nearly_another(ages):
    assert not goals.goal_attainment(ages, min_group=K)["suppressed"].iloc[0]
    for filters in (AGE, MEN):
        table = goals.goal_attainment(ages, filters=filters, min_group=K)
        assert table["suppressed"].all() and table["n"].isna().all() and table["mean_t"].isna().all()
        assert table["suppressed_reason"].iloc[0] == NEARLY
        scores = goals.gas_scores(ages, filters, min_group=K)
        assert scores.empty and scores.attrs["suppressed_reason"] == NEARLY
    assert len(goals.gas_scores(ages, min_group=K)) == 17


@pytest.fixture
def skipper(con):
    """8 people answering pre, mid and post; a ninth answering pre and mid, and then withdrawing."""
    programme_waves(con)
    for i in range(9):
        builders.add_employee(con, f"e{i}", department="Ops")
        for wave, score in [("pre", 3 + i % 2), ("mid", 4), ("post", 5)]:
            if not (i == 8 and wave == "post"):
                answer(con, f"e{i}", wave, score)
    builders.finish(con)
    return con


def test_paired_changes_of_nearly_the_same_people_are_hidden(skipper):
    # pre -> mid (9 people) and pre -> post (8): their mean_before differ by the ninth person's pre score;
    # mid -> post (8) against pre -> mid gives the ninth's mid score. Each is hidden for its neighbour.
    frame = change.all_changes(skipper, "ps", min_group=K)
    assert list(zip(frame["before"], frame["after"], strict=True)) == change.WAVE_PAIRS
    assert frame["suppressed"].all() and frame["n"].isna().all() and frame["mean_before"].isna().all()
    assert set(frame["suppressed_reason"]) == {NEIGHBOUR}
    alone = change.wave_change(skipper, "ps", "pre", "mid", min_group=K).iloc[0]
    assert alone["suppressed"] and alone["suppressed_reason"] == NEIGHBOUR


def test_paired_changes_of_the_same_people_are_shown(skipper):
    answer(skipper, "e8", "post", 5)  # the ninth person answers post after all
    builders.finish(skipper)
    frame = change.all_changes(skipper, "ps", min_group=K)
    assert not frame["suppressed"].any() and list(frame["n"]) == [9, 9, 9]
    assert frame["suppressed_reason"].isna().all()
    # pre 3 or 4 (four people 4), mid 4, post 5: pre -> post +1.5 for five people, +1 for four
    assert frame["mean_change"].tolist() == pytest.approx([5 / 9, 1.0, 14 / 9])


def test_the_wave_mean_and_the_paired_change_are_never_both_shown(skipper):
    """Leak 3: the pre mean over 9 minus the paired pre mean over 8 gives the withdrawn person's score."""
    pre = metrics.group_scores(skipper, "ps", ["wave"], min_group=K).set_index("wave").loc["pre"]
    paired = change.wave_change(skipper, "ps", "pre", "post", min_group=K).iloc[0]
    assert bool(pre["suppressed"]) or bool(paired["suppressed"])


def _pairs_org(con, mixed_department: bool):
    """6 pairs in cohort C1, both partners in Ops, except pair P5's mentor in HR when mixed_department."""
    for p in range(6):
        for role in ("mentor", "mentee"):
            employee_id = f"{role}{p}"
            department = "HR" if mixed_department and p == 5 and role == "mentor" else "Ops"
            builders.add_employee(con, employee_id, department=department)
            builders.add_participant(
                con, employee_id, cohort="C1", role=role, pair_id=f"P{p}", start_date="2025-01-06"
            )
        for month in range(1, 7):
            builders.add_session(con, f"P{p}", f"2025-{month:02d}-15")
    builders.finish(con)


def test_a_pair_matches_a_filter_only_when_both_partners_do(con):
    _pairs_org(con, mixed_department=True)
    june = dt.date(2025, 6, 30)
    overall = goals.participation_summary(con, as_of=june, min_group=K).iloc[0]
    assert not overall["suppressed"] and (overall["n"], overall["participants"]) == (6, 12)
    # Ops: P0-P4 (5 pairs), P5 being "HR + Ops". Against all 6 pairs that is one pair: hidden.
    ops = goals.participation_summary(con, filters={"department": ["Ops"]}, as_of=june, min_group=K)
    assert ops["suppressed"].all() and ops["n"].isna().all() and ops["sessions"].isna().all()
    listing = goals.participation(con, filters={"department": ["Ops"]}, as_of=june, min_group=K)
    assert listing.empty and listing.attrs["suppressed"]
    months = goals.sessions_by_month(con, filters={"department": ["Ops"]}, min_group=K)
    assert months["suppressed"].all() and months["n"].isna().all()
    open_listing = goals.participation(con, filters={"department": ["Ops"]}, as_of=june, min_group=1)
    assert sorted(open_listing["pair_id"]) == ["P0", "P1", "P2", "P3", "P4"]


def test_pair_figures_count_pairs(con):
    _pairs_org(con, mixed_department=False)
    months = goals.sessions_by_month(con, min_group=K)
    assert list(months["n"]) == [6] * 6 and list(months["sessions"]) == [6] * 6
    assert not months["suppressed"].any()
    assert goals.sessions_by_month(con, min_group=7)["n"].isna().all()  # 6 pairs (12 people) < 7 pairs


def _shown_n_is_at_least_k(frame: pd.DataFrame) -> None:
    hidden = frame["suppressed"].astype(bool)
    assert frame.loc[hidden, "n"].isna().all()
    assert (frame.loc[~hidden, "n"] >= K).all()
    assert frame.loc[hidden, "suppressed_reason"].notna().all()
    assert frame.loc[~hidden, "suppressed_reason"].isna().all()


def test_no_table_shows_the_n_of_a_hidden_group(ages):
    builders.add_employee(ages, "lone", department="Ops", gender="man", age_band="35-44")
    builders.add_participant(ages, "lone", cohort="C2", role="mentor", pair_id="P99")
    answer(ages, "lone", "pre", 3)
    answer(ages, "lone", "post", 4)
    builders.add_goal(ages, "lone", "g1", level_post=1)
    builders.finish(ages)
    for frame in [
        goals.goal_attainment(ages, ["cohort", "role"], min_group=K),  # C2 mentor: 1 person
        goals.goal_attainment(ages, ["cohort"], min_group=K),
        change.wave_change(ages, "ps", group_by="cohort", min_group=K),
        goals.participation_summary(ages, ["cohort"], min_group=K),  # C2: 1 pair
    ]:
        assert frame["suppressed"].any()
        _shown_n_is_at_least_k(frame)


def test_goal_scores_reach_the_page_only_as_bands_of_k_or_more(sample_con):
    bands = goals.gas_distribution(sample_con)
    scores = goals.gas_scores(sample_con, min_group=1)
    # Known answer: the bands count the sample's participants by their T-score.
    expected = [
        ((scores["t_score"] >= low) & (scores["t_score"] < high)).sum() for low, high in goals.T_BANDS
    ]
    shown = bands[~bands["suppressed"]]
    assert not shown.empty
    for low, n in zip(shown["low"], shown["n"], strict=True):
        position = [b[0] for b in goals.T_BANDS].index(low)
        assert n == expected[position] and n >= 5
    # A band under k is hidden with the next-smallest; hidden bands show no n.
    small = goals.gas_distribution(sample_con, {"cohort": ["2025-Spring"]})
    assert small["suppressed"].sum() != 1 and small.loc[small["suppressed"], "n"].isna().all()
