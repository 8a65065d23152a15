"""Comment listing, search, wellbeing flags and sentiment by group, on a small hand-made database."""

import math

import pandas as pd
import pytest

from analytics.text import comments, feedback, themes
from analytics.text.comments import shown_waves
from analytics.text.sentiment import score_texts
from tests import builders
from tests.builders import add_wave

# Twelve people in two departments (8 Sales, 4 Legal), a pre and a post survey, one comment each time.
PRE = [
    "The sessions were good.",
    "Calendar clashes made it hard to meet.",
    "I feel completely burnt out this quarter.",
    "Nothing much to report.",
    "Great conversations about technology.",
    "It was fine.",
    "Terrible, awful, I hated the meetings and felt ignored.",
    "Helpful and friendly partner.",
    "Okay so far.",
    "Learning a lot about tools.",
    "Meetings cancelled twice.",
    "I am struggling to keep up.",
]
POST = [
    "Excellent programme, I learned so much.",
    "Good but scheduling was hard.",
    "Still exhausted, but the chats helped.",
    "Nice.",
    "Contact me at 100% success rate now.",
    "Fine.",
    "Better than expected.",
    "Wonderful partner, very kind.",
    "Average.",
    "Tools are great.",
    "Meetings still cancelled, frustrating.",
    "Happy with progress.",
]


def _fill(con, pre=PRE, post=POST):
    """Employees E01..E12, waves pre and post, one response and one scored comment per person per wave."""
    add_wave(con, "pre", "pre", "2025-01-06")
    add_wave(con, "post", "post", "2025-06-30")
    people = [f"E{i:02d}" for i in range(1, len(pre) + 1)]
    for i, person in enumerate(people):
        builders.add_employee(con, person, hire_date="2020-01-01", department="Sales" if i < 8 else "Legal")
    for wave, texts in (("pre", pre), ("post", post)):
        for person, text in zip(people, texts, strict=True):
            builders.add_response(
                con, f"{wave}-{person}", wave, {}, employee_id=person, comments={"experience": text}
            )
    builders.finish(con)  # VADER scores every comment, as the importer does


def _vader(text):
    return float(score_texts([text])["compound"].iloc[0])


def test_sentiment_by_wave_counts_and_means(con):
    _fill(con)
    out = comments.sentiment_by_group(con, ["wave"]).set_index("wave")
    assert list(out.index) == ["pre", "post"]  # ordered by opened_on
    assert out.loc["pre", "n"] == 12 and out.loc["pre", "comments"] == 12
    expected = sum(_vader(t) for t in PRE) / 12  # mean of the stored VADER compounds
    assert out.loc["pre", "mean_compound"] == pytest.approx(expected)
    positive = sum(_vader(t) >= 0.05 for t in POST) / 12 * 100
    assert out.loc["post", "positive_pct"] == pytest.approx(positive)
    row = out.loc["post"]
    assert row["positive_pct"] + row["neutral_pct"] + row["negative_pct"] == pytest.approx(100)


def test_sentiment_by_group_suppresses_groups_under_the_comment_threshold(con):
    _fill(con)
    out = comments.sentiment_by_group(con, ["department"], min_group=5).set_index("department")
    assert out.loc["Legal", "suppressed"] and math.isnan(out.loc["Legal", "mean_compound"])
    assert pd.isna(out.loc["Legal", "n"])  # 4 people < 5: no n either
    # Only one group hidden: Sales (8) is hidden too, or "everyone minus Sales" would reveal Legal.
    assert out.loc["Sales", "suppressed"] and math.isnan(out.loc["Sales", "mean_compound"])


def test_sentiment_by_group_shows_groups_at_the_threshold(con):
    _fill(con)
    out = comments.sentiment_by_group(con, ["department"], min_group=4).set_index("department")
    assert not out["suppressed"].any()
    assert out.loc["Sales", "n"] == 8 and out.loc["Legal", "n"] == 4
    assert out.loc["Legal", "comments"] == 8  # 4 people x 2 waves
    legal = PRE[8:] + POST[8:]
    assert out.loc["Legal", "mean_compound"] == pytest.approx(sum(_vader(t) for t in legal) / 8)


def test_sentiment_by_wave_and_department_suppresses_within_each_wave(con):
    _fill(con)
    out = comments.sentiment_by_group(con, ["wave", "department"], min_group=4)
    assert len(out) == 4 and not out["suppressed"].any()
    assert out.groupby("wave")["n"].sum().to_dict() == {"post": 12, "pre": 12}


def test_sentiment_by_group_default_threshold_is_ten(con, monkeypatch):
    monkeypatch.delenv("MUTUAL_MIN_GROUP_COMMENTS", raising=False)
    _fill(con)
    by_wave = comments.sentiment_by_group(con, ["wave"])
    assert not by_wave["suppressed"].any()  # 12 people per wave >= 10
    filtered = comments.sentiment_by_group(con, ["wave"], filters={"department": ["Sales"]})
    assert filtered["suppressed"].all()  # 8 people < 10


def test_sentiment_by_group_rejects_unknown_groups(con):
    with pytest.raises(ValueError):
        comments.sentiment_by_group(con, ["employee_id"])


def test_search_finds_a_known_comment_case_insensitively(con):
    _fill(con)
    found = feedback.comments(con, search="CALENDAR clashes", min_group=10)
    assert found["text"].tolist() == ["Calendar clashes made it hard to meet."]
    assert found["wave"].tolist() == ["pre"]
    assert list(found.columns) == ["wave", "question", "text", "compound", "label", "theme"]


def test_search_treats_wildcards_literally(con):
    _fill(con)
    assert feedback.comments(con, search="100%", min_group=10)["text"].tolist() == [
        "Contact me at 100% success rate now."
    ]
    assert feedback.comments(con, search="%", min_group=10)["text"].tolist() == [
        "Contact me at 100% success rate now."
    ]
    assert feedback.comments(con, search="x'); DROP TABLE comments; --", min_group=10).empty
    assert con.execute("SELECT count(*) FROM comments").fetchone()[0] == 24


def test_label_filter_returns_only_that_band_most_negative_first(con):
    _fill(con)
    negative = feedback.comments(con, label="negative", min_group=10)
    expected = sorted(t for t in PRE + POST if _vader(t) <= -0.05)
    assert sorted(negative["text"]) == expected
    assert negative["compound"].is_monotonic_increasing


def test_comments_are_withheld_below_the_comment_threshold(con):
    _fill(con)
    listing = feedback.comments(con, filters={"department": ["Legal"]}, min_group=10)  # 4 people
    assert listing.empty
    assert "at least 10" in listing.attrs["message"]
    assert len(feedback.comments(con, filters={"department": ["Sales"]}, min_group=4)) == 16
    # With k = 8, Sales (8 commenters) is enough on its own, but everyone minus Sales is Legal's 4:
    # the filter is hidden so that the two listings cannot be set against each other.
    guarded = feedback.comments(con, filters={"department": ["Sales"]}, min_group=8)
    assert guarded.empty and "smaller group" in guarded.attrs["message"]


def test_comments_never_carry_ids(con):
    _fill(con)
    listing = feedback.comments(con, min_group=10)
    assert not {"employee_id", "response_id", "respondent", "pair_id"} & set(listing.columns)


def test_comments_carry_a_theme_when_its_wave_s_theme_cell_is_shown(con):
    _fill(con)  # each wave: 11 comments of one theme, 1 of the other; a threshold of 1 shows both cells
    listing = feedback.comments(con, min_group=1)
    assert len(listing) == 24 and listing["theme"].notna().all()
    assert listing["theme"].nunique() >= 2  # 24 comments: 2 themes
    one = listing["theme"].iloc[0]
    assert (feedback.comments(con, theme=one, min_group=1)["theme"] == one).all()


def test_a_listed_comment_carries_no_theme_of_a_hidden_cell(con):
    _fill(con)
    by_wave = themes.theme_by_wave(con, min_group=10)
    assert by_wave["suppressed"].all()  # 12 commenters a wave, split between themes: every cell under 10
    listing = feedback.comments(con, min_group=10)
    assert len(listing) == 24 and (listing["theme"] == themes.HIDDEN_THEME).all()
    for name in themes.find_themes(con, min_group=10).themes["name"]:
        assert feedback.comments(con, theme=name, min_group=10).empty


def test_wellbeing_flags_distress_language_and_very_negative_tone(con):
    _fill(con)
    flags = feedback.wellbeing_flags(con, min_group=10)
    assert list(flags.columns) == ["wave", "text", "compound", "reason"]
    by_text = flags.set_index("text")["reason"]
    assert 'distress language: "burnt out"' in by_text["I feel completely burnt out this quarter."]
    assert 'distress language: "struggling"' in by_text["I am struggling to keep up."]
    assert 'distress language: "exhausted"' in by_text["Still exhausted, but the chats helped."]
    hated = "Terrible, awful, I hated the meetings and felt ignored."
    assert _vader(hated) <= -0.5  # VADER: about -0.9
    assert by_text[hated].startswith("very negative tone")
    assert by_text["Meetings still cancelled, frustrating."] == "very negative tone (-0.6)"  # VADER -0.5994
    assert "Calendar clashes made it hard to meet." not in by_text.index  # VADER -0.1027, no distress words
    assert _vader("I feel completely burnt out this quarter.") == 0.0  # only the lexicon catches it
    assert len(flags) == 5


def test_wellbeing_flags_need_a_large_enough_group(con):
    _fill(con)
    flags = feedback.wellbeing_flags(con, filters={"department": ["Sales"]}, min_group=10)
    assert flags.empty and "at least 10" in flags.attrs["message"]


def test_distress_pattern_variants(con):
    texts = ["I can't cope", "I can’t cope any more", "burned out", "Overwhelmed!", "not sleeping well"]
    found = con.execute(
        "SELECT regexp_extract(lower(t), ?, 1) FROM unnest(?) AS u(t)", [feedback.DISTRESS_PATTERN, texts]
    ).fetchall()
    assert [f[0] for f in found] == ["can't cope", "can’t cope", "burned out", "overwhelmed", "not sleeping"]


def test_limits_keep_the_first_rows_and_count_them_all(con):
    _fill(con)
    listing = feedback.comments(con, min_group=10, limit=3)
    assert len(listing) == 3 and listing.attrs["total"] == 24
    assert listing["text"].tolist() == feedback.comments(con, min_group=10)["text"].head(3).tolist()
    flags = feedback.wellbeing_flags(con, min_group=10, limit=2)
    assert len(flags) == 2 and flags.attrs["total"] == 5


def test_wellbeing_flags_list_distress_language_first(con):
    _fill(con)
    reasons = feedback.wellbeing_flags(con, min_group=10)["reason"].tolist()
    assert [r.startswith("distress") for r in reasons] == [True, True, True, False, False]


def test_sentiment_by_month_groups_waves_opened_in_the_same_month(con):
    _fill(con)
    con.execute("UPDATE waves SET opened_on = DATE '2025-01-20' WHERE wave = 'post'")  # same month as pre
    out = comments.sentiment_by_group(con, ["month"], min_group=10)
    assert out["month"].tolist() == ["2025-01"]
    assert out["comments"].tolist() == [24] and out["n"].tolist() == [12]  # 12 people, 2 comments each


def test_listing_themes_are_those_of_find_themes_and_filter_before_the_limit(con):
    _fill(con)  # a threshold of 1 shows every theme cell; the hidden ones are tested above
    full = feedback.comments(con, min_group=1)
    # Most negative first, ties by wave date: the order of a pandas sort of the stored comments.
    stored = con.execute(
        """SELECT c.text, c.compound, w.opened_on, c.response_id FROM comments c
           JOIN responses r USING (response_id) JOIN waves w USING (wave)"""
    ).df()
    expected = stored.sort_values(["compound", "opened_on", "response_id"], kind="stable")["text"].tolist()
    assert full["text"].tolist() == expected
    found = themes.find_themes(con, min_group=1, by_wave=True)
    shown = found.by_wave[~found.by_wave["suppressed"]]
    by_comment = found.assignments.merge(con.execute("SELECT response_id, question, text FROM comments").df())
    by_comment["wave"] = by_comment["response_id"].str.split("-").str[0]
    visible = by_comment.merge(shown[["wave", "theme_id"]])
    listed = full[full["theme"] != themes.HIDDEN_THEME]
    assert dict(zip(listed["text"], listed["theme"], strict=True)) == dict(
        zip(visible["text"], visible["theme"], strict=True)
    )
    for name in found.themes["name"]:
        comments = int(shown.loc[shown["name"] == name, "comments"].sum())  # the theme's shown cells
        first = feedback.comments(con, theme=name, min_group=1, limit=2)
        assert first.attrs["total"] == comments  # counted before the limit
        assert first["text"].tolist() == full.loc[full["theme"] == name, "text"].head(2).tolist()
    name = found.themes["name"].iloc[0]
    negative = feedback.comments(con, theme=name, label="negative", min_group=1)
    assert len(negative) == ((full["theme"] == name) & (full["label"] == "negative")).sum()


def test_a_lone_comment_without_a_theme_is_listed_without_saying_so(con):
    texts = [*PRE[:11], "It was what it was."]  # stop words only: no theme, a cell of one comment
    _fill(con, pre=texts, post=POST)
    assert feedback.comments(con, theme=themes.UNASSIGNED, min_group=3).empty
    listing = feedback.comments(con, min_group=3).set_index("text")
    assert listing.loc["It was what it was.", "theme"] == themes.HIDDEN_THEME


def test_too_few_comments_for_themes_still_lists_them_with_the_reason(con):
    _fill(con, pre=PRE[:10], post=POST[:10])
    con.execute("DELETE FROM comments WHERE response_id = 'post-E10'")  # 19 comments < 20
    listing = feedback.comments(con, min_group=9)
    assert len(listing) == 19 and (listing["theme"] == themes.UNASSIGNED).all()
    assert "Too few comments" in listing.attrs["message"]


def test_a_wave_under_the_threshold_lists_nothing(con):
    _fill(con, pre=PRE[:10], post=POST[:10])
    con.execute("DELETE FROM comments WHERE response_id = 'post-E10'")  # post: 9 commenters < 10
    listing = feedback.comments(con, min_group=10)
    assert len(listing) == 10 and set(listing["wave"]) == {"pre"}
    assert set(feedback.wellbeing_flags(con, min_group=10)["wave"]) <= {"pre"}


def test_answers_that_are_not_comments_are_not_read_nor_counted(con):
    _fill(con)
    con.execute("UPDATE comments SET text = 'N/A' WHERE response_id IN ('pre-E01', 'pre-E02')")
    con.execute("UPDATE comments SET text = ' - ' WHERE response_id = 'pre-E03'")
    con.execute("UPDATE comments SET text = 'None.' WHERE response_id = 'post-E04'")
    by_wave = comments.sentiment_by_group(con, ["wave"], min_group=9).set_index("wave")
    assert by_wave.loc["pre", "n"] == 9 and by_wave.loc["post", "n"] == 11
    assert not feedback.comments(con, min_group=10)["wave"].eq("pre").any()  # 9 real commenters < 10
    assert "N/A" not in feedback.comments(con, min_group=9)["text"].tolist()


def test_comments_are_shown_at_exactly_the_threshold(con):
    _fill(con)  # 12 commenters in each wave
    assert shown_waves(con, None, 12) == ["pre", "post"]
    assert shown_waves(con, None, 13) == []
    assert shown_waves(con, {"department": ["Sales"]}, 8) == []  # Legal's 4 by difference
    assert shown_waves(con, {"department": ["Sales"]}, 4) == ["pre", "post"]  # 8 Sales, 4 Legal: both shown
    assert shown_waves(con, {"department": ["Legal"]}, 5) == []  # 4 commenters
