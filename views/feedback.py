"""Free-text feedback: sentiment over time and by group, themes, the comments behind them, wellbeing flags."""

import streamlit as st

from analytics.filters import ATTRIBUTE_LABELS, missing_label
from analytics.privacy import SUPPRESSED_NOTE
from analytics.text import comments, feedback, themes
from ui.feedback_panels import comment_listing, themes_table, wellbeing_panel
from ui.figures import theme_map, theme_waves, tone_bars, tone_by_group_bars
from ui.format import all_hidden, hidden_mask, shown
from ui.state import current_filters, query, thresholds

GROUP_LABELS = {"role": ATTRIBUTE_LABELS["role"], **ATTRIBUTE_LABELS}  # role first
BANDS = {"positive": "Positive", "neutral": "Neutral", "negative": "Negative"}
ALL = "All"
SHOWN_COMMENTS = 1000
SHOWN_FLAGS = 500


st.title("Free-text feedback")
filters = current_filters()
_, k = thresholds()  # the free-text threshold, never below the one for scores
st.caption(
    f"What people wrote in the surveys. Scores are VADER sentiment (−1 most negative to +1 most positive), "
    f"computed once at import; e-mail addresses, phone numbers and links were removed then. Comments and "
    f"their statistics appear only for groups of at least {k} people."
)

# Sentiment over the programme waves and the pulse months
by_wave = query(comments.sentiment_by_group, ["kind", "wave"], filters)
by_month = query(comments.sentiment_by_group, ["kind", "month"], filters)
programme = shown(by_wave[by_wave["kind"].isin(["pre", "mid", "post"])])
pulses = shown(by_month[by_month["kind"] == "pulse"])
hidden = bool(hidden_mask(by_wave).any() or hidden_mask(by_month).any())
if by_wave.empty and by_month.empty:
    st.info("No comments yet for this filter.")
elif programme.empty and pulses.empty:
    st.info(f"No comments to show for this filter: {SUPPRESSED_NOTE(k)} in each survey.")
else:
    left, right = st.columns(2)
    with left:
        if programme.empty:
            st.info("No programme-survey comments to show for this filter.")
        else:
            fig = tone_bars(programme, "wave", "Tone of comments: programme surveys", "Survey wave")
            st.plotly_chart(fig, width="stretch", key="fb_by_wave")
    with right:
        if pulses.empty:
            st.info("No pulse-survey comments to show for this filter.")
        else:
            fig = tone_bars(
                pulses, "month", "Tone of comments: monthly pulses", "Month the pulse opened (YYYY-MM)"
            )
            st.plotly_chart(fig, width="stretch", key="fb_by_month")
    # the hidden periods are not named: that a small group wrote at all in one of them is theirs to keep
    note = f" Surveys or months with {SUPPRESSED_NOTE(k)} are not shown." if hidden else ""
    st.caption(
        "How to read this: each bar is a programme survey (pre, mid, post) or a month of pulse surveys; the "
        "segments are the share of its comments scored positive (≥ 0.05), neutral or negative (≤ −0.05). "
        "Hover for the number of comments and people and the mean score." + note
    )

# Sentiment by group
st.subheader("Tone by group")
group = st.selectbox(
    "Break down by", list(GROUP_LABELS), format_func=GROUP_LABELS.get, key="fb_group_by", index=0
)
by_group = query(comments.sentiment_by_group, [group], filters)
if by_group.empty:
    st.info("No comments yet for this filter.")
elif all_hidden(by_group):
    st.info(f"No group's tone is shown: {SUPPRESSED_NOTE(k)} in each, or to protect a smaller group.")
else:
    title = f"Mean comment tone by {GROUP_LABELS[group].lower()}"
    fig = tone_by_group_bars(
        by_group, group, missing=missing_label(group), note=SUPPRESSED_NOTE(k), title=title
    )
    st.plotly_chart(fig, width="stretch", key="fb_by_group")
    suppressed = int(hidden_mask(by_group).sum())
    st.caption(
        "How to read this: bars right of zero mean mostly positive comments, left mostly negative. "
        f"Grey bars are groups with {SUPPRESSED_NOTE(k)} (or hidden so that they cannot be worked out from "
        f"the others): {suppressed} of {len(by_group)} here."
    )

# Themes
st.subheader("Themes")
# One query for the theme table and the themes by wave; the per-comment assignments are not needed here.
found = query(themes.find_themes, filters, assignments=False, by_wave=True)
if found.message:
    st.info(found.message)
else:
    table = found.themes
    st.plotly_chart(theme_map(table), width="stretch", key="fb_theme_map")
    unmapped = int(hidden_mask(table).sum())
    note = f" {unmapped} theme(s) are not placed: {SUPPRESSED_NOTE(k)}." if unmapped else ""
    st.caption(
        "How to read this: each bubble is a theme found in the comments (named by its three most telling "
        "words); further right is more common, higher is more positive, bigger is more people. Themes are "
        "found by machine (TF-IDF and NMF) and are a starting point for reading, not a verdict." + note
    )
    themes_table(table, SUPPRESSED_NOTE(k))
    if not found.by_wave.empty:
        st.plotly_chart(theme_waves(found.by_wave, table["name"]), width="stretch", key="fb_theme_waves")
        st.caption(
            "How to read this: each cell is the share of a wave's comments whose main theme is that row; darker "
            f"is more common. Blank cells have {SUPPRESSED_NOTE(k)} (or are hidden so that they cannot be "
            "worked out from the others)."
        )

# The comments behind a theme or a band
st.subheader("Read the comments")
choices = st.columns([2, 1, 2])
theme_names = [ALL] if found.message else [ALL, *found.themes["name"].tolist()]
theme = choices[0].selectbox("Theme", theme_names, key="fb_theme")
band = choices[1].selectbox("Tone", [ALL, *BANDS], format_func=lambda b: BANDS.get(b, b), key="fb_label")
search = choices[2].text_input("Search the comments", key="fb_search", placeholder="a word or phrase").strip()
listing = query(
    feedback.comments,
    filters,
    search=search or None,
    label=None if band == ALL else band,
    theme=None if theme == ALL else theme,
    limit=SHOWN_COMMENTS,
)
comment_listing(listing)

# Wellbeing
wellbeing_panel(query(feedback.wellbeing_flags, filters, limit=SHOWN_FLAGS))
