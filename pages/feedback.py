"""Free-text feedback: sentiment over time and by group, themes, the comments behind them, wellbeing flags."""

import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from analytics import feedback, themes
from analytics.filters import ATTRIBUTE_LABELS
from analytics.privacy import SUPPRESSED_NOTE, min_group_comments
from ui.charts import SENTIMENT_COLOURS, SUPPRESSED, style
from ui.state import current_filters, query

GROUP_LABELS = {"role": ATTRIBUTE_LABELS["role"], **ATTRIBUTE_LABELS}  # role first
BANDS = {"positive": "Positive", "neutral": "Neutral", "negative": "Negative"}
ALL = "All"
MISSING = {"role": "Not in the programme", "cohort": "Not in the programme", "focus": "Not in the programme"}
SHOWN_COMMENTS = 1000
SHOWN_FLAGS = 500


def tone_bars(frame, x: str, title: str, x_title: str, key: str) -> None:
    """Stacked % negative / neutral / positive per period, n and mean score on hover."""
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
k = min_group_comments()
st.caption(
    f"What people wrote in the surveys. Scores are VADER sentiment (−1 most negative to +1 most positive), "
    f"computed once at import; e-mail addresses, phone numbers and links were removed then. Comments and "
    f"their statistics appear only for groups of at least {k} people."
)

# Sentiment over the programme waves and the pulse months
by_wave = query(feedback.sentiment_by_group, ["kind", "wave"], filters, k)
by_month = query(feedback.sentiment_by_group, ["kind", "month"], filters, k)
programme = by_wave[by_wave["kind"].isin(["pre", "mid", "post"]) & ~by_wave["suppressed"]]
pulses = by_month[(by_month["kind"] == "pulse") & ~by_month["suppressed"]]
hidden = by_wave.loc[by_wave["suppressed"], "wave"].tolist()
if programme.empty and pulses.empty:
    st.info(f"No comments to show for this filter ({SUPPRESSED_NOTE(k)} per wave, or no comments yet).")
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
    note = f" Not shown ({SUPPRESSED_NOTE(k)}): {', '.join(hidden)}." if hidden else ""
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
by_group = query(feedback.sentiment_by_group, [group], filters, k)
if by_group.empty:
    st.info("No comments for this filter.")
else:
    frame = by_group.assign(
        label=by_group[group].fillna(MISSING.get(group, "Not recorded")).astype(str),
        value=by_group["mean_compound"].fillna(0.0),
        note=by_group["suppressed"].map({True: SUPPRESSED_NOTE(k), False: ""}),
    )
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
            customdata=frame[["n", "positive_pct", "negative_pct"]],
            hovertemplate=(
                "%{y}: mean score %{x:+.2f}<br>n = %{customdata[0]:.0f} people<br>"
                "%{customdata[1]:.0f} % positive, %{customdata[2]:.0f} % negative<extra></extra>"
            ),
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
found = query(themes.find_themes, filters, min_group=k, assignments=False, by_wave=True)
if found.message:
    st.info(found.message)
else:
    table = found.themes
    mapped = table[~table["suppressed"]]
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
    unmapped = table.loc[table["suppressed"], "name"].tolist()
    note = f" Not placed ({SUPPRESSED_NOTE(k)}): {', '.join(unmapped)}." if unmapped else ""
    st.caption(
        "How to read this: each bubble is a theme found in the comments (named by its three most telling "
        "words); further right is more common, higher is more positive, bigger is more people. Themes are "
        "found by machine (TF-IDF and NMF) and are a starting point for reading, not a verdict." + note
    )
    st.dataframe(
        table[["name", "top_terms", "share", "n", "mean_compound"]],
        hide_index=True,
        width="stretch",
        key="fb_themes_table",
        column_config={
            "name": "Theme",
            "top_terms": "Most telling words",
            "share": st.column_config.NumberColumn("Share of comments (%)", format="%.0f"),
            "n": st.column_config.NumberColumn("People (n)"),
            "mean_compound": st.column_config.NumberColumn("Mean score", format="%+.2f"),
        },
    )
    over_time = found.by_wave
    if not over_time.empty:
        waves = over_time.drop_duplicates("wave")["wave"].tolist()
        named = over_time[over_time["theme_id"] > 0]
        grid = named.pivot(index="name", columns="wave", values="share").reindex(
            index=table["name"], columns=waves
        )
        people = named.pivot(index="name", columns="wave", values="n").reindex(
            index=table["name"], columns=waves
        )
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
    min_group=k,
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
flags = query(feedback.wellbeing_flags, filters, k, SHOWN_FLAGS)
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
