"""The Feedback and Stories pages on the sample programme: what they show, and what they never show."""

import base64
import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from analytics import stories
from analytics.text import comments, feedback, themes
from ui.state import clear_caches

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Cached results are keyed by the data version, which is the same in every copy of the sample.
    clear_caches()
    yield
    clear_caches()


def _run(script: str, filters: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / script), default_timeout=120)
    if filters is not None:
        at.session_state["filters"] = filters
    at.run()
    assert not at.exception, at.exception
    return at


def _frame(at: AppTest, column: str):
    """The first table on the page that has this column."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _has_table_with(at: AppTest, column: str) -> bool:
    return any(column in d.value.columns for d in at.dataframe)


def test_feedback_page_shows_the_themes(sample_db, sample_con):
    expected = themes.find_themes(sample_con).themes["name"].tolist()
    assert len(expected) >= 2
    at = _run("views/feedback.py")
    assert at.title[0].value == "Free-text feedback"
    assert _frame(at, "top_terms")["name"].tolist() == expected
    assert at.selectbox(key="fb_theme").options == ["All", *expected]
    charts = {c.key for c in at.get("plotly_chart")}
    assert charts == {"fb_by_wave", "fb_by_month", "fb_by_group", "fb_theme_map", "fb_theme_waves"}
    assert sum(c.value.startswith("How to read this") for c in at.caption) == 4
    assert _chart(at, "fb_theme_waves")["data"][0]["y"] == expected


def test_themes_over_time_show_theme_by_wave(sample_db, sample_con):
    by_wave = themes.theme_by_wave(sample_con)
    table = themes.find_themes(sample_con).themes
    at = _run("views/feedback.py")
    heat = _chart(at, "fb_theme_waves")["data"][0]
    waves = by_wave.drop_duplicates("wave")["wave"].tolist()
    assert heat["x"] == waves
    z = heat["z"]  # plotly sends a 2-D array as base64 bytes with its dtype and shape
    grid = np.frombuffer(base64.b64decode(z["bdata"]), dtype=z["dtype"]).reshape(
        [int(d) for d in z["shape"].split(",")]
    )
    shown = by_wave[(by_wave["theme_id"] > 0) & ~by_wave["suppressed"]]
    assert len(shown) > 0
    for _, cell in shown.iterrows():
        row, column = table["name"].tolist().index(cell["name"]), waves.index(cell["wave"])
        assert grid[row, column] == pytest.approx(cell["share"])
    themes_table = _frame(at, "top_terms")  # figures as text; a hidden theme's blank
    hidden = table["suppressed"].tolist()
    assert any(hidden) and not all(hidden)
    assert themes_table["share"].tolist() == [
        "" if h else f"{v:.0f}" for h, v in zip(hidden, table["share"], strict=True)
    ]
    assert themes_table["n"].tolist() == [
        "" if h else f"{v:,.0f}" for h, v in zip(hidden, table["n"], strict=True)
    ]


def _chart(at: AppTest, key: str) -> dict:
    return json.loads(next(c for c in at.get("plotly_chart") if c.key == key).proto.spec)


def test_tone_over_waves_and_pulse_months(sample_db, sample_con):
    at = _run("views/feedback.py")
    months = comments.sentiment_by_group(sample_con, ["kind", "month"])
    pulse_months = months.loc[(months["kind"] == "pulse") & ~months["suppressed"], "month"].tolist()
    monthly = _chart(at, "fb_by_month")
    assert [trace["name"] for trace in monthly["data"]] == ["Negative", "Neutral", "Positive"]
    assert monthly["data"][0]["x"] == pulse_months
    assert "people" in monthly["data"][0]["hovertemplate"]
    assert monthly["layout"]["yaxis"]["title"]["text"] == "Comments (%)"
    waves = _chart(at, "fb_by_wave")["data"][0]["x"]
    assert waves == ["pre", "mid", "post"]


def test_a_known_comment_can_be_found_by_search(sample_db, sample_con):
    text, compound = sample_con.execute(
        "SELECT text, compound FROM comments WHERE question = 'experience' ORDER BY response_id LIMIT 1"
    ).fetchall()[0]
    phrase = text[3:28]
    at = _run("views/feedback.py")
    at.text_input(key="fb_search").set_value(phrase.upper()).run()
    assert not at.exception, at.exception
    found = _frame(at, "text")
    assert text in found["text"].tolist()
    assert found["text"].str.lower().str.contains(phrase.lower(), regex=False).all()
    assert found.loc[found["text"] == text, "compound"].iloc[0] == pytest.approx(compound)
    assert found["theme"].notna().all()


def test_comments_filtered_by_tone_and_theme(sample_db, sample_con):
    at = _run("views/feedback.py")
    at.selectbox(key="fb_label").set_value("negative").run()
    listing = _frame(at, "text")
    assert (listing["label"] == "negative").all()
    assert len(listing) == len(feedback.comments(sample_con, label="negative"))
    theme = at.selectbox(key="fb_theme").options[1]
    at.selectbox(key="fb_label").set_value("All")
    at.selectbox(key="fb_theme").set_value(theme).run()
    assert (_frame(at, "text")["theme"] == theme).all()


def test_wellbeing_list_is_present(sample_db, sample_con):
    flags = feedback.wellbeing_flags(sample_con)
    assert len(flags) > 0
    at = _run("views/feedback.py")
    expander = next(e for e in at.expander if e.label.startswith("Wellbeing"))
    assert f"({len(flags):,})" in expander.label
    shown = _frame(at, "reason")
    assert shown["text"].tolist() == flags["text"].tolist()
    assert "Employee Assistance Programme" in expander.markdown[0].value
    assert not {"employee_id", "response_id", "pair_id"} & set(shown.columns)


def test_group_breakdown_marks_groups_under_the_threshold(sample_db, sample_con):
    at = _run("views/feedback.py")
    at.selectbox(key="fb_group_by").set_value("department").run()
    assert not at.exception, at.exception
    by_group = comments.sentiment_by_group(sample_con, ["department"])
    caption = next(c.value for c in at.caption if c.value.startswith("How to read this: bars"))
    assert f"{int(by_group['suppressed'].sum())} of {len(by_group)} here" in caption


def test_no_comments_are_shown_for_a_group_below_the_comment_threshold(sample_db, sample_con, monkeypatch):
    monkeypatch.delenv("MUTUAL_MIN_GROUP_COMMENTS", raising=False)
    # The largest cohort x role x department group that still has fewer than 10 commenters.
    cohort, role, department, people = sample_con.execute(
        """SELECT r.cohort, r.role, r.department, count(DISTINCT r.employee_id) AS people
           FROM comments c JOIN respondents r USING (response_id)
           WHERE r.cohort IS NOT NULL GROUP BY ALL HAVING people < 10 ORDER BY people DESC, 1, 2, 3 LIMIT 1"""
    ).fetchall()[0]
    assert 0 < people < 10
    at = _run("views/feedback.py", {"cohort": [cohort], "role": [role], "department": [department]})
    assert not _has_table_with(at, "text")  # no listing
    assert not _has_table_with(at, "reason")  # no wellbeing list
    assert not at.get("plotly_chart")  # no tone, no theme map: not even a breakdown of grey bars
    assert any("at least 10 people" in i.value for i in at.info)


def test_raising_the_threshold_hides_every_comment(sample_db, monkeypatch):
    monkeypatch.setenv("MUTUAL_MIN_GROUP_COMMENTS", "100000")
    at = _run("views/feedback.py")
    assert not at.dataframe  # no themes, no comments, no wellbeing list
    assert any("fewer than 100000" in i.value for i in at.info)
    assert any("at least 100000" in i.value for i in at.info)


def test_stories_page_shows_the_story_and_how_typical_it_is(sample_db, sample_con):
    listed = stories.consented_stories(sample_con)
    first = stories.story(sample_con, listed["story_key"].iloc[0])
    at = _run("views/stories.py")
    assert "A story illustrates; the data decides." in at.caption[0].value
    assert at.subheader[0].value == first["pseudonym"]
    assert any(first["text"] in m.value for m in at.markdown)
    assert first["sentence"] in [i.value.replace("\\", "") for i in at.info]
    assert at.selectbox(key="st_story").options == listed["pseudonym"].tolist()


def test_choosing_another_story(sample_db, sample_con):
    listed = stories.consented_stories(sample_con)
    key = listed["story_key"].iloc[3]
    expected = stories.story(sample_con, key, "eng")
    at = _run("views/stories.py")
    at.selectbox(key="st_story").set_value(key)
    at.selectbox(key="st_construct").set_value("eng").run()
    assert not at.exception, at.exception
    assert at.subheader[0].value == expected["pseudonym"]
    assert expected["sentence"] in [i.value.replace("\\", "") for i in at.info]
    assert "Engagement" in expected["sentence"] or "engagement" in expected["sentence"]


def test_a_participant_without_consent_has_no_story_option(sample_db, sample_con):
    listed = stories.consented_stories(sample_con)
    withdrawn = listed["story_key"].iloc[0]
    sample_con.execute(
        """UPDATE participants SET story_consent = FALSE
           WHERE substr(sha256((SELECT value FROM settings WHERE name = 'pseudonym_salt')
                               || '/' || cohort || '/' || employee_id), 1, 12) = ?""",
        [withdrawn],
    )
    sample_con.commit()
    after = stories.consented_stories(sample_con)
    assert len(after) == len(listed) - 1 and withdrawn not in after["story_key"].tolist()
    at = _run("views/stories.py")
    options = at.selectbox(key="st_story").options
    assert len(options) == len(listed) - 1
    assert options == after["pseudonym"].tolist()
    withheld_text = listed["text"].iloc[0]
    assert not any(withheld_text in m.value for m in at.markdown)


def _stories_with_and_without_partner(con):
    with_partner = without_partner = None
    for key in stories.consented_stories(con)["story_key"]:
        told = stories.story(con, key)
        if told["partner"] is not None and not told["partner"]["scores"].empty and with_partner is None:
            with_partner = told
        if told["partner"] is None and not told["scores"].empty and without_partner is None:
            without_partner = told
    return with_partner, without_partner


def test_partner_trajectory_only_with_the_partners_consent(sample_db, sample_con):
    with_partner, without_partner = _stories_with_and_without_partner(sample_con)
    assert with_partner is not None and without_partner is not None
    at = _run("views/stories.py")
    at.selectbox(key="st_story").set_value(with_partner["story_key"]).run()
    traces = _chart(at, "st_trajectory")["data"]
    assert len(traces) == 2 and traces[1]["name"].startswith(
        f"Their partner, {with_partner['partner']['role']}"
    )
    assert traces[1]["x"] == with_partner["partner"]["scores"]["wave"].tolist()
    at.selectbox(key="st_story").set_value(without_partner["story_key"]).run()
    traces = _chart(at, "st_trajectory")["data"]
    assert len(traces) == 1 and "partner" not in json.dumps(traces).lower()
    assert not any(
        "partner" in c.value for c in at.caption if c.value.startswith("How to read this: their own")
    )


def test_story_distribution_marks_the_participant(sample_db, sample_con):
    told = next(
        t
        for t in (stories.story(sample_con, k) for k in stories.consented_stories(sample_con)["story_key"])
        if t["distribution"] is not None and t["change"] is not None
    )
    at = _run("views/stories.py")
    at.selectbox(key="st_story").set_value(told["story_key"]).run()
    chart = _chart(at, "st_distribution")
    assert [t["type"] for t in chart["data"]] == ["box", "scatter"]
    assert chart["data"][1]["y"] == [told["change"]]
    box = chart["data"][0]  # drawn from the server's quartiles: no one's change is in it
    assert [*box["q1"], *box["median"], *box["q3"]] == pytest.approx(
        [told["distribution"][q] for q in ("q1", "median", "q3")]
    )
    assert "y" not in box and f"n = {told['group_n']}" in chart["data"][1]["hovertemplate"]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Rank of change"] == f"{told['change_percentile']:.0f} %"
    assert metrics["Change, pre to post"] == f"{told['change']:+.2f}"
