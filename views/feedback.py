"""Free-text feedback: sentiment over time and by group, themes, the comments behind them, wellbeing flags."""

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from analytics.filters import ATTRIBUTE_LABELS
from analytics.privacy import SUPPRESSED_NOTE
from analytics.text import comments, feedback, themes
from ui.figures import SENTIMENT_COLOURS, SUPPRESSED, style
from ui.format import all_hidden, chart_frame, chart_text, hidden_mask, reasons, shown, value_table
from ui.state import current_filters, query, thresholds

GROUP_LABELS = {"role": ATTRIBUTE_LABELS["role"], **ATTRIBUTE_LABELS}  # role first
BANDS = {"positive": "Positive", "neutral": "Neutral", "negative": "Negative"}
ALL = "All"
MISSING = {"role": "Not in the programme", "cohort": "Not in the programme", "focus": "Not in the programme"}
SHOWN_COMMENTS = 1000
SHOWN_FLAGS = 500


def tone_bars(frame, x: str, title: str, x_title: str, key: str) -> None:
    """Stacked % negative / neutral / positive per period, n and mean score on hover."""
    frame = chart_frame(frame, [x])
    fig = go.Figure()
    for band in ("negative", "neutral", "positive"):
        fig.add_bar(
            x=frame[x],
            y=frame[f"{band}_pct"],
            name=BANDS[band],
            marker_color=SENTIMENT_COLOURS[band],
            customdata=frame[["n", "comments", "mean_compound"]],
            hovertemplate=(
                f"%{{x}}: %{{y:.0f}} % {band}<br>%{{customdata[1]:.0f}} comments from %{{customdata[0]:.0f}} "
                "people<br>mean score %{customdata[2]:+.2f}<extra></extra>"
            ),
        )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(type="category")
    fig.update_yaxes(range=[0, 100])
    style(fig, title, x_title, "Comments (%)")
    st.plotly_chart(fig, width="stretch", key=key)


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
            tone_bars(programme, "wave", "Tone of comments: programme surveys", "Survey wave", "fb_by_wave")
    with right:
        if pulses.empty:
            st.info("No pulse-survey comments to show for this filter.")
        else:
            tone_bars(
                pulses,
                "month",
                "Tone of comments: monthly pulses",
                "Month the pulse opened (YYYY-MM)",
                "fb_by_month",
            )
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
    hidden_rows = hidden_mask(by_group)
    frame = by_group.assign(
        label=by_group[group].fillna(MISSING.get(group, "Not recorded")).astype(str).map(chart_text),
        value=by_group["mean_compound"].fillna(0.0).where(~hidden_rows, 0.0),
        note=reasons(by_group, SUPPRESSED_NOTE(k)).map(chart_text),
        suppressed=hidden_rows,
    )
    for column in ["n", "positive_pct", "negative_pct"]:  # a hidden group's hover says nothing
        frame[column] = pd.to_numeric(frame[column], errors="coerce").where(~hidden_rows)
    colours = [
        SUPPRESSED if s else SENTIMENT_COLOURS["positive" if v >= 0 else "negative"]
        for s, v in zip(frame["suppressed"], frame["value"], strict=True)
    ]
    fig = go.Figure(
        go.Bar(
            x=frame["value"],
            y=frame["label"],
            orientation="h",
            marker_color=colours,
            text=[note or f"{v:+.2f}" for note, v in zip(frame["note"], frame["value"], strict=True)],
            customdata=frame[["n", "positive_pct", "negative_pct", "note"]],
            hovertemplate=[
                "%{y}: %{customdata[3]}<extra></extra>"
                if hidden
                else "%{y}: mean score %{x:+.2f}<br>n = %{customdata[0]:.0f} people<br>"
                "%{customdata[1]:.0f} % positive, %{customdata[2]:.0f} % negative<extra></extra>"
                for hidden in frame["suppressed"]
            ],
        )
    )
    fig.update_xaxes(range=[-1, 1], zeroline=True)
    style(fig, f"Mean comment tone by {GROUP_LABELS[group].lower()}", "Mean VADER score (−1 to +1)", None)
    st.plotly_chart(fig, width="stretch", key="fb_by_group")
    suppressed = int(frame["suppressed"].sum())
    st.caption(
        "How to read this: bars right of zero mean mostly positive comments, left mostly negative. "
        f"Grey bars are groups with {SUPPRESSED_NOTE(k)} (or hidden so that they cannot be worked out from "
        f"the others): {suppressed} of {len(frame)} here."
    )

# Themes
st.subheader("Themes")
# One query for the theme table and the themes by wave; the per-comment assignments are not needed here.
found = query(themes.find_themes, filters, assignments=False, by_wave=True)
if found.message:
    st.info(found.message)
else:
    table = found.themes
    mapped = chart_frame(shown(table), ["name", "top_terms"])
    fig = px.scatter(
        mapped,
        x="share",
        y="mean_compound",
        size="n",
        text="name",
        custom_data=["n", "comments", "top_terms"],
    )
    fig.update_traces(
        textposition="top center",
        marker={"color": "#1b6b73", "opacity": 0.7},
        hovertemplate=(
            "<b>%{text}</b><br>%{x:.0f} % of comments (%{customdata[1]} from %{customdata[0]} people)<br>"
            "mean score %{y:+.2f}<br>terms: %{customdata[2]}<extra></extra>"
        ),
    )
    fig.add_hline(y=0, line_dash="dot", line_color="#888")
    style(
        fig,
        "Theme map: how common each theme is and how it feels",
        "Share of comments (%)",
        "Mean VADER score (−1 to +1)",
    )
    st.plotly_chart(fig, width="stretch", key="fb_theme_map")
    unmapped = int(hidden_mask(table).sum())
    note = f" {unmapped} theme(s) are not placed: {SUPPRESSED_NOTE(k)}." if unmapped else ""
    st.caption(
        "How to read this: each bubble is a theme found in the comments (named by its three most telling "
        "words); further right is more common, higher is more positive, bigger is more people. Themes are "
        "found by machine (TF-IDF and NMF) and are a starting point for reading, not a verdict." + note
    )
    figures = {"mean_compound": "+.2f", "share": ".0f", "n": ",.0f"}  # a hidden theme: no share, no n
    st.dataframe(
        value_table(table, figures, SUPPRESSED_NOTE(k))[["name", "top_terms", "share", "n", "mean_compound"]],
        hide_index=True,
        width="stretch",
        key="fb_themes_table",
        column_config={
            "name": "Theme",
            "top_terms": "Most telling words",
            "share": "Share of comments (%)",
            "n": "People (n)",
            "mean_compound": "Mean score",
        },
    )
    over_time = found.by_wave
    if not over_time.empty:
        over_time = chart_frame(over_time, ["wave", "name"])
        waves = over_time.drop_duplicates("wave")["wave"].tolist()
        named = over_time[over_time["theme_id"] > 0].assign(
            n=lambda f: pd.to_numeric(f["n"], errors="coerce").where(~hidden_mask(f))  # no n in a blank cell
        )
        names = table["name"].map(chart_text)
        grid = named.pivot(index="name", columns="wave", values="share").reindex(index=names, columns=waves)
        people = named.pivot(index="name", columns="wave", values="n").reindex(index=names, columns=waves)
        fig = go.Figure(
            go.Heatmap(
                z=grid.to_numpy(),
                x=waves,
                y=grid.index.tolist(),
                customdata=people.to_numpy(),
                colorscale="Teal",
                colorbar={"title": "% of the<br>wave's comments"},
                hovertemplate="%{y}<br>%{x}: %{z:.0f} % of comments<br>n = %{customdata:.0f} people<extra></extra>",
                hoverongaps=False,
            )
        )
        fig.update_xaxes(type="category")
        style(fig, "Themes over time", "Survey wave (in date order)", None)
        st.plotly_chart(fig, width="stretch", key="fb_theme_waves")
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
if listing.empty and listing.attrs.get("message"):
    st.info(listing.attrs["message"])
elif listing.empty:
    st.info("No comments match.")
else:
    total = listing.attrs.get("total", len(listing))
    more = (
        f" (the first {len(listing):,} are shown; search or choose a theme to narrow them)"
        if total > len(listing)
        else ""
    )
    st.caption(f"{total:,} comment{'' if total == 1 else 's'}, most negative first{more}.")
    st.dataframe(
        listing,
        hide_index=True,
        width="stretch",
        key="fb_comments",
        column_config={
            "wave": "Wave",
            "question": "Question",
            "text": st.column_config.TextColumn("Comment", width="large"),
            "compound": st.column_config.NumberColumn("Score", format="%+.2f"),
            "label": "Tone",
            "theme": "Theme",
        },
    )

# Wellbeing
flags = query(feedback.wellbeing_flags, filters, limit=SHOWN_FLAGS)
flagged = flags.attrs.get("total", len(flags))
with st.expander(f"Wellbeing: comments that may need a follow-up ({flagged:,})", expanded=False):
    st.markdown(
        "These comments are very negative (score ≤ −0.5) or use words of distress (for example "
        "*overwhelmed*, *burnt out*, *can't cope*). They are not linked to anyone and must not be traced back "
        "to their authors. Use them to prompt a conversation with the programme team and HR business "
        "partners, and remind participants of the support on offer: the Employee Assistance Programme, "
        "mental-health first aiders and their manager or programme lead."
    )
    if flags.empty:
        st.info(flags.attrs.get("message") or "No comments are flagged for this filter.")
    else:
        if flagged > len(flags):
            st.caption(
                f"The first {len(flags):,} of {flagged:,}: distress language first, then the most negative."
            )
        st.dataframe(
            flags,
            hide_index=True,
            width="stretch",
            key="fb_wellbeing",
            column_config={
                "wave": "Wave",
                "text": st.column_config.TextColumn("Comment", width="large"),
                "compound": st.column_config.NumberColumn("Score", format="%+.2f"),
                "reason": "Why it is flagged",
            },
        )
