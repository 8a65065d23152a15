"""Stories: consent, pseudonyms, percentile ranks worked by hand, partner only with consent."""

import numpy as np
import pytest
from scipy.stats import percentileofscore
from scipy.stats.mstats import hdquantiles

from analytics import stories
from analytics.errors import MutualError
from analytics.instruments import items_of
from tests import builders
from tests.builders import add_wave

# Cohort 2025-A: six pairs. Psychological-safety score of each person at pre, mid and post.
MENTEES = {  # employee: (pre, mid, post)
    "M1": (3.0, 4.0, 5.0),  # change +2.0
    "M2": (3.0, 3.5, 4.0),  # +1.0
    "M3": (4.0, 4.0, 4.0),  # 0.0
    "M4": (4.0, 5.0, 5.5),  # +1.5
    "M5": (5.0, 5.0, 4.5),  # -0.5
    "M6": (2.0, 2.0, 2.5),  # +0.5
}
MENTORS = {
    "R1": (4.0, 4.0, 4.5),
    "R2": (5.0, 5.0, 5.0),
    "R3": (3.0, 3.5, 4.0),
    "R4": (3.0, 4.0, 6.0),  # +3.0
    "R5": (4.0, 4.0, 4.0),
    "R6": (6.0, 6.0, 6.0),
}
CONSENT = {"M1", "M4", "R4", "B1", "R6"}  # pair P4: both consented; pair P1: only the mentee
COMMENTS = {
    ("M1", "pre"): "Nervous about this.",
    ("M1", "post"): "A wonderful, eye-opening year. I am grateful.",
    ("M4", "pre"): "Hoping to learn about new tools.",
    ("M4", "post"): "Good sessions, though scheduling was hard.",
    ("R4", "post"): "I gained confidence speaking to senior leaders.",
    ("R1", "post"): "The meetings were cancelled a lot, frustrating.",
    ("M2", "post"): "Fine.",
    ("B1", "mid"): "Small cohort, great partner.",
}


def _key(cohort, employee):
    """SQL for the pseudonym key: salted with the database's secret, so employee ids cannot be tried."""
    salt = "(SELECT value FROM settings WHERE name = 'pseudonym_salt')"
    return f"substr(sha256({salt} || '/{cohort}/{employee}'), 1, 12)"


def _fill(con):
    add_wave(con, "pre", "pre", "2025-01-06")
    add_wave(con, "mid", "mid", "2025-03-31")
    add_wave(con, "post", "post", "2025-06-30")
    people = []
    for role, group in (("mentee", MENTEES), ("mentor", MENTORS)):
        for person, waves in group.items():
            people.append((person, "2025-A", role, f"P{person[1]}", "inclusion", waves))
    people += [
        ("B1", "2025-B", "mentee", "Q1", "technology", (3.0, 3.5, 4.0)),
        ("B2", "2025-B", "mentor", "Q1", "technology", (3.0, 3.0, 3.0)),
    ]
    # Four more 2025-B mentees who answered the pre survey only: B1's story could be any of five mentees
    # (so it is listed), but only B1 has a change to rank.
    people += [(f"B{i}", "2025-B", "mentee", f"Q{i}", "technology", (3.0, None, None)) for i in range(3, 7)]
    for person, cohort, role, pair, focus, waves in people:
        builders.add_employee(con, person, hire_date="2020-01-01")
        builders.add_participant(
            con, person, cohort=cohort, role=role, pair_id=pair, focus=focus, start_date="2025-01-01",
            status=None, story_consent=person in CONSENT,
        )  # fmt: skip
        for wave, score in zip(("pre", "mid", "post"), waves, strict=True):
            if score is None:
                continue
            # Every item answered so that the construct score is exactly `score` after reverse coding.
            answers = {i.code: 8 - score if i.reverse else score for i in items_of("ps")}
            builders.add_response(con, f"{wave}-{person}", wave, answers, employee_id=person)
    compounds = {("M1", "post"): 0.8, ("M4", "post"): 0.1, ("R1", "post"): -0.6, ("M2", "post"): 0.2}
    for (person, wave), text in COMMENTS.items():
        compound = compounds.get((person, wave), 0.0)
        builders.add_comment(con, f"{wave}-{person}", "experience", text, compound=compound, label="neutral")
    for goal_id, title, weight, mid, post in [
        ("g1", "x", 2, 0, 2),
        ("g2", "y", 1, 0, 1),
        ("g3", "z", 1, -1, 0),
    ]:
        builders.add_goal(con, "M4", goal_id, title=title, weight=weight, level_mid=mid, level_post=post)


def _story_key(con, cohort, employee):
    return con.execute(f"SELECT {_key(cohort, employee)}").fetchall()[0][0]


def test_only_consenting_participants_with_a_comment_are_listed(con):
    _fill(con)
    listed = stories.consented_stories(con)
    keys = {_story_key(con, "2025-A", p): p for p in ["M1", "M4", "R4", "R1", "M2", "R6"]}
    keys[_story_key(con, "2025-B", "B1")] = "B1"
    people = sorted(keys[k] for k in listed["story_key"])
    assert people == ["B1", "M1", "M4", "R4"]  # R6 consented but wrote nothing; R1, M2 did not consent
    assert "employee_id" not in listed.columns and "pair_id" not in listed.columns
    assert not listed["pseudonym"].str.contains("M1|M4|R4|B1").any()


def test_story_text_is_the_post_comment_else_the_latest(con):
    _fill(con)
    listed = stories.consented_stories(con).set_index("story_key")
    m1 = listed.loc[_story_key(con, "2025-A", "M1")]
    assert m1["text"] == COMMENTS[("M1", "post")] and m1["wave"] == "post"
    b1 = listed.loc[_story_key(con, "2025-B", "B1")]
    assert b1["text"] == COMMENTS[("B1", "mid")]  # no post comment: the latest one


def test_pseudonym_names_role_and_cohort_only_and_is_stable(con):
    _fill(con)
    listed = stories.consented_stories(con)
    m4 = listed.set_index("story_key").loc[_story_key(con, "2025-A", "M4"), "pseudonym"]
    assert m4.startswith("Story ") and m4.endswith(
        "— mentee, cohort 2025-A"
    )  # no focus: see consented_stories
    assert "focus" not in listed.columns and not listed["pseudonym"].str.contains("inclusion").any()
    filtered = stories.consented_stories(con, filters={"cohort": ["2025-A"]}).set_index("story_key")
    assert filtered.loc[_story_key(con, "2025-A", "M4"), "pseudonym"] == m4  # numbering ignores the filter
    assert _story_key(con, "2025-B", "B1") not in filtered.index


def test_story_percentile_ranks_by_hand(con):
    _fill(con)
    told = stories.story(con, _story_key(con, "2025-A", "M4"))
    assert told["change"] == pytest.approx(1.5)
    # Mentee changes in 2025-A: 2.0, 1.0, 0.0, 1.5, -0.5, 0.5. Weak rank of 1.5: five of six at or below.
    assert told["change_percentile"] == pytest.approx(500 / 6)
    assert told["change_percentile"] == pytest.approx(
        percentileofscore([2.0, 1.0, 0.0, 1.5, -0.5, 0.5], 1.5, kind="weak")
    )
    # Post scores 5, 4, 4, 5.5, 4.5, 2.5: 5.5 is the highest, 100 %.
    assert told["post_percentile"] == pytest.approx(100.0)
    assert told["group_n"] == 6
    # The distribution is summarised: n and Harrell-Davis quartiles of the six changes, no array.
    expected = hdquantiles(np.array([2.0, 1.0, 0.0, 1.5, -0.5, 0.5]), prob=[0.25, 0.5, 0.75])
    assert told["distribution"] == pytest.approx(
        {"n": 6, "q1": expected[0], "median": expected[1], "q3": expected[2]}
    )
    assert told["distribution"]["median"] == pytest.approx(0.75)  # symmetric changes: the middle
    assert told["scores"]["score"].tolist() == pytest.approx([4.0, 5.0, 5.5])
    assert told["scores"]["wave"].tolist() == ["pre", "mid", "post"]


def test_partner_is_shown_only_when_the_partner_consented(con):
    _fill(con)
    with_partner = stories.story(con, _story_key(con, "2025-A", "M4"))
    assert with_partner["partner"]["role"] == "mentor"
    assert with_partner["partner"]["change"] == pytest.approx(3.0)  # R4: 3.0 -> 6.0
    assert with_partner["partner"]["scores"]["score"].tolist() == pytest.approx([3.0, 4.0, 6.0])
    assert stories.story(con, _story_key(con, "2025-A", "M1"))["partner"] is None  # R1 did not consent


def test_small_cohorts_are_not_ranked(con):
    _fill(con)
    told = stories.story(con, _story_key(con, "2025-B", "B1"))  # one of five mentees with a change
    assert told["change"] == pytest.approx(1.0) and told["group_n"] is None
    assert told["change_percentile"] is None and told["distribution"] is None
    assert "not ranked" in told["sentence"]


def test_goal_attainment_t_by_hand(con):
    _fill(con)
    told = stories.story(con, _story_key(con, "2025-A", "M4"))
    # post levels 2, 1, 0 with weights 2, 1, 1: 50 + 10 * 5 / sqrt(0.7 * 6 + 0.3 * 16) = 50 + 50 / 3
    assert told["goal_t"] == pytest.approx(50 + 50 / 3) and told["goal_wave"] == "post"
    assert stories.story(con, _story_key(con, "2025-A", "M1"))["goal_t"] is None


def test_story_sentiment_percentile_and_sentence(con):
    _fill(con)
    told = stories.story(con, _story_key(con, "2025-A", "M1"))
    # All 8 comments' compounds: 0.8, 0.1, -0.6, 0.2 and four 0.0; 0.8 is at or above all of them.
    assert told["story_percentile"] == pytest.approx(100.0)
    assert told["change_percentile"] == pytest.approx(100.0)  # +2.0 is the largest mentee change
    assert told["sentence"] == (
        "Their psychological safety change (+2.00) is at or above that of 100 % of mentees in cohort 2025-A; "
        "their story is more positive than most comments: an unusually favourable experience."
    )
    m4 = stories.story(con, _story_key(con, "2025-A", "M4"))
    assert m4["story_percentile"] == pytest.approx(600 / 8)  # 0.1: six of eight at or below
    assert m4["sentence"].endswith("a favourable but not unusual experience.")


def test_a_participant_without_consent_has_no_story(con):
    _fill(con)
    with pytest.raises(MutualError):
        stories.story(con, _story_key(con, "2025-A", "R1"))
    with pytest.raises(MutualError):
        stories.story(con, "not-a-key")


@pytest.mark.parametrize(
    ("percentile", "verdict"),
    [
        (95, "an unusually favourable"),
        (70, "a favourable but not unusual"),
        (50, "a typical"),
        (20, "less favourable"),
        (5, "unusually poor"),
    ],
)
def test_typicality_bands(percentile, verdict):
    sentence = stories.typicality("engagement", "mentor", "X", 0.3, percentile, 50.0, 5)
    assert verdict in sentence and "about as positive as a typical comment" in sentence


def test_story_keys_depend_on_a_secret_salt_not_only_the_employee_id(con):
    _fill(con)
    keys = set(stories.consented_stories(con)["story_key"])
    unsalted = {
        row[0]
        for row in con.execute(
            "SELECT substr(sha256('/' || cohort || '/' || employee_id), 1, 12) FROM participants"
        ).fetchall()
    }
    assert keys and not keys & unsalted
    salt = con.execute("SELECT value FROM settings WHERE name = 'pseudonym_salt'").fetchone()[0]
    assert len(salt) == 32


def test_pulses_stay_out_of_the_trajectory_and_a_silent_consenting_partner_is_shown(con):
    _fill(con)
    add_wave(con, "pulse-1", "pulse", "2025-02-01")
    builders.add_response(con, "pulse-M2", "pulse-1", {i.code: 1 for i in items_of("ps")}, employee_id="M2")
    # M2 tells a story; their partner R2 consented but wrote no comment.
    con.execute("UPDATE participants SET story_consent = TRUE WHERE employee_id IN ('M2', 'R2')")
    told = stories.story(con, _story_key(con, "2025-A", "M2"))
    assert told["scores"]["score"].tolist() == pytest.approx([3.0, 3.5, 4.0])  # MENTEES["M2"], no pulse
    assert told["change"] == pytest.approx(1.0)
    assert told["partner"]["role"] == "mentor" and told["partner"]["pseudonym"] is None
    assert told["partner"]["scores"]["score"].tolist() == pytest.approx([5.0, 5.0, 5.0])  # MENTORS["R2"]
    assert told["partner"]["change"] == pytest.approx(0.0)
