"""Comments, flags, search, themes and tone through the privacy gate, on the known-answer organisation.

Issue 13, leaks 5 and 7: the mid survey has 2 commenters, and an anonymous pulse is answered by the same
4 people in 3 waves. None of their comments may be listed, flagged or found by search, and no tone
figure may give them away by subtraction. The free-text threshold is 10.
"""

from __future__ import annotations

import pytest

from analytics.store import db
from analytics.text import comments, feedback, themes
from tests import builders, privacy_org

K_TEXT = privacy_org.K_TEXT


@pytest.fixture(scope="module")
def org(tmp_path_factory):
    return privacy_org.build(tmp_path_factory.mktemp("gate_text") / "org.duckdb")


@pytest.fixture
def con(org, monkeypatch):
    monkeypatch.delenv("MUTUAL_MIN_GROUP", raising=False)
    monkeypatch.delenv("MUTUAL_MIN_GROUP_COMMENTS", raising=False)
    connection = db.connect(org.path)
    yield connection
    connection.close()


def _every_listing(con, filters=None) -> set[str]:
    """Every text the Feedback page could list: all comments, each tone band, each theme, the flags."""
    texts = set(feedback.comments(con, filters)["text"])
    for label in feedback.LABELS:
        texts |= set(feedback.comments(con, filters, label=label)["text"])
    found = themes.find_themes(con, filters)
    for name in [themes.UNASSIGNED, *found.themes["name"]]:
        texts |= set(feedback.comments(con, filters, theme=name)["text"])
    return texts | set(feedback.wellbeing_flags(con, filters)["text"])


def test_a_wave_with_two_commenters_lists_flags_and_finds_none_of_its_comments(org, con):
    mid = org.secrets["mid_comments"]
    assert len({c["person"] for c in org.comments if c["wave"] == "mid"}) == 2
    assert not set(mid) & _every_listing(con)
    assert not set(mid) & _every_listing(con, {"role": ["mentor", "mentee"]})
    for phrase in ["overwhelmed", "can't cope", "rota app", "pleasant surprise"]:
        assert feedback.comments(con, search=phrase).empty, phrase
    assert "mid" not in set(feedback.wellbeing_flags(con)["wave"])
    assert "mid" not in comments.shown_waves(con)


def test_the_tone_chart_and_the_listing_make_the_same_decision(org, con):
    tone = comments.sentiment_by_group(con, ["kind", "wave"])
    shown = set(tone.loc[~tone["suppressed"], "wave"])
    assert "mid" not in shown and shown  # the hidden wave, and some that are shown
    assert set(feedback.comments(con)["wave"]) == shown  # every shown wave has comments listed
    assert set(feedback.wellbeing_flags(con)["wave"]) <= shown


def test_a_hidden_wave_s_tone_is_not_derivable_from_tone_by_location_minus_the_visible_waves(org, con):
    by_location = comments.sentiment_by_group(con, ["location"])
    by_wave = comments.sentiment_by_group(con, ["wave"])
    places = by_location[~by_location["suppressed"]]
    waves = by_wave[~by_wave["suppressed"]]
    # The attack: the comments of every location, less those of the visible waves, are the hidden ones.
    missing = places["comments"].sum() - waves["comments"].sum()
    if missing > 0:
        sums = (places["comments"] * places["mean_compound"]).sum() - (
            waves["comments"] * waves["mean_compound"]
        ).sum()
        assert sums / missing != pytest.approx(org.secrets["mid_mean_compound"], abs=1e-6)
    # Directly: every location holding a mid commenter is hidden, and so is the month and kind of "mid".
    mid_places = {org.people[c["person"]]["location"] for c in org.comments if c["wave"] == "mid"}
    assert by_location.set_index("location").loc[sorted(mid_places), "suppressed"].all()
    by_kind = comments.sentiment_by_group(con, ["kind"]).set_index("kind")
    assert by_kind.loc["mid", "suppressed"] and by_kind["n"].isna()["mid"]
    by_month = comments.sentiment_by_group(con, ["month"]).set_index("month")
    assert by_month.loc["2025-04", "suppressed"]  # mid and a pulse opened in April 2025


def test_an_anonymous_pulse_answered_by_the_same_four_people_in_three_waves_lists_nothing(org, con):
    anonymous = set(org.secrets["anonymous_comments"])
    assert len(anonymous) == 12 and len(org.secrets["anonymous_people"]) == 4
    assert not anonymous & _every_listing(con)
    research = {"department": ["Research"]}  # only the anonymous respondents
    assert feedback.comments(con, research).empty
    assert feedback.wellbeing_flags(con, research).empty
    assert themes.find_themes(con, research).themes.empty
    tone = comments.sentiment_by_group(con, ["wave"], research)
    assert tone["suppressed"].all() and tone["n"].isna().all()
    # Counted once per wave: 4 people, never 12, so the kind "pulse" pooled over waves is hidden too.
    by_kind = comments.sentiment_by_group(con, ["kind"], research)
    assert by_kind["suppressed"].all()
    for wave in privacy_org.ANON_PULSES:
        assert wave not in comments.shown_waves(con)


def test_setting_one_filter_against_another_lists_none_of_one_person_s_comments(org, con):
    # Age band {35-44, 55+} is every man and one woman, X: two listings would differ by her comments.
    older = set(feedback.comments(con, {"age_band": ["35-44", "55+"]})["text"])
    men = set(feedback.comments(con, {"gender": ["Man"]})["text"])
    assert not set(org.secrets["x_comments"]) & (older ^ men)
    flags = set(feedback.wellbeing_flags(con, {"age_band": ["35-44", "55+"]})["text"])
    assert not set(org.secrets["x_comments"]) & (
        flags - set(feedback.wellbeing_flags(con, {"gender": ["Man"]})["text"])
    )


def test_a_listed_comment_shows_its_wave_and_nothing_about_its_writer(con):
    listing = feedback.comments(con)
    assert len(listing) > 0
    assert list(listing.columns) == ["wave", "question", "text", "compound", "label", "theme"]
    assert list(feedback.wellbeing_flags(con).columns) == ["wave", "text", "compound", "reason"]


def test_comments_that_say_nothing_do_not_count_towards_the_threshold(org, con):
    # Ten "N/A" answers in the wave of the 2 commenters would make 12 if they counted.
    stand_ins = [r for r in org.responses if r["wave"] == "mid" and r["employee_id"]][:12]
    writers = {c["response_id"] for c in org.comments if c["wave"] == "mid"}
    added = [r["response_id"] for r in stand_ins if r["response_id"] not in writers][:10]
    assert len(added) == 10
    texts = ["N/A", "n/a", "-", "None", "none.", "NA", "--", "Nothing", "No comment", "Not applicable"]
    for rid, text in zip(added, texts, strict=True):
        builders.add_comment(con, rid, "extra", text, compound=0, label="neutral")
    try:
        assert not set(org.secrets["mid_comments"]) & set(feedback.comments(con)["text"])
        tone = comments.sentiment_by_group(con, ["wave"]).set_index("wave")
        assert tone.loc["mid", "suppressed"]
    finally:
        con.execute("DELETE FROM comments WHERE question = 'extra'")
