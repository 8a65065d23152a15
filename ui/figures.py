"""One look for every chart, on the pages and in the sponsor report: the colours and the house layout.
No Streamlit here, so `analytics.report` draws with it too."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from ui.format import chart_frame, chart_text, hidden_mask, reasons, shown, signed

__all__ = [
    "WAVE_COLOURS",
    "ROLE_COLOURS",
    "GROUP_COLOURS",
    "SENTIMENT_COLOURS",
    "SUPPRESSED",
    "DIVERGING",
    "style",
    "tone_bars",
    "tone_by_group_bars",
    "theme_map",
    "theme_waves",
    "gas_histogram",
    "gas_by_group",
    "sessions_per_month",
    "story_change",
    "story_trajectory",
]

# Colours that mean the same thing everywhere: on every page and in the sponsor report.
WAVE_COLOURS = {"pre": "#9aa5ad", "mid": "#5fa8b0", "post": "#1b6b73", "pulse": "#6c5b9e"}
ROLE_COLOURS = {"mentor": "#d08c2c", "mentee": "#3d6fb6"}
GROUP_COLOURS = {"participants": "#1b6b73", "comparison": "#9aa5ad"}
SENTIMENT_COLOURS = {"positive": "#2e8b57", "neutral": "#b0b7bd", "negative": "#c0392b"}
SUPPRESSED = "#e4e7ea"
DIVERGING = "RdYlGn"  # scores: red low, green high


def style(fig: go.Figure, title: str, x_title: str | None = None, y_title: str | None = None) -> go.Figure:
    """Apply the house layout: a title, labelled axes, a readable font, a legend above the plot."""
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 17}},
        template="plotly_white",
        font={"size": 13},
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1},
        hoverlabel={"font_size": 13},
    )
    if x_title is not None:
        fig.update_xaxes(title_text=x_title)
    if y_title is not None:
        fig.update_yaxes(title_text=y_title)
    return fig


# Free-text feedback (views/feedback.py)


def tone_bars(frame: pd.DataFrame, x: str, title: str, x_title: str) -> go.Figure:
    """Stacked % negative / neutral / positive per period of the shown rows, n and mean score on hover."""
    frame = chart_frame(shown(frame), [x])
    fig = go.Figure()
    for band in ("negative", "neutral", "positive"):
        fig.add_bar(
            x=frame[x],
            y=frame[f"{band}_pct"],
            name=band.capitalize(),
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
    return style(fig, title, x_title, "Comments (%)")


def tone_by_group_bars(frame: pd.DataFrame, group: str, *, missing: str, note: str, title: str) -> go.Figure:
    """Mean comment tone per group, a hidden group as a grey bar that says why and nothing else.

    `missing` names the group without a value of `group`; `note` is the reason of a hidden row without one.
    """
    hidden_rows = hidden_mask(frame)
    frame = frame.assign(
        label=frame[group].fillna(missing).astype(str).map(chart_text),
        value=frame["mean_compound"].fillna(0.0).where(~hidden_rows, 0.0),
        note=reasons(frame, note).map(chart_text),
    )
    for column in ["n", "positive_pct", "negative_pct"]:  # a hidden group's hover says nothing
        frame[column] = pd.to_numeric(frame[column], errors="coerce").where(~hidden_rows)
    colours = [
        SUPPRESSED if s else SENTIMENT_COLOURS["positive" if v >= 0 else "negative"]
        for s, v in zip(hidden_rows, frame["value"], strict=True)
    ]
    fig = go.Figure(
        go.Bar(
            x=frame["value"],
            y=frame["label"],
            orientation="h",
            marker_color=colours,
            text=[why or signed(v) for why, v in zip(frame["note"], frame["value"], strict=True)],
            customdata=frame[["n", "positive_pct", "negative_pct", "note"]],
            hovertemplate=[
                "%{y}: %{customdata[3]}<extra></extra>"
                if s
                else "%{y}: mean score %{x:+.2f}<br>n = %{customdata[0]:.0f} people<br>"
                "%{customdata[1]:.0f} % positive, %{customdata[2]:.0f} % negative<extra></extra>"
                for s in hidden_rows
            ],
        )
    )
    fig.update_xaxes(range=[-1, 1], zeroline=True)
    return style(fig, title, "Mean VADER score (−1 to +1)", None)


def theme_map(themes: pd.DataFrame) -> go.Figure:
    """The shown themes as bubbles: share of comments across, mean tone up, people as size."""
    mapped = chart_frame(shown(themes), ["name", "top_terms"])
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
    return style(
        fig,
        "Theme map: how common each theme is and how it feels",
        "Share of comments (%)",
        "Mean VADER score (−1 to +1)",
    )


def theme_waves(by_wave: pd.DataFrame, names: pd.Series) -> go.Figure:
    """Share of each wave's comments per theme (rows in the order of `names`); a hidden cell is blank."""
    by_wave = chart_frame(by_wave, ["wave", "name"])
    waves = by_wave.drop_duplicates("wave")["wave"].tolist()
    named = by_wave[by_wave["theme_id"] > 0].assign(
        n=lambda f: pd.to_numeric(f["n"], errors="coerce").where(~hidden_mask(f))  # no n in a blank cell
    )
    names = names.map(chart_text)
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
    return style(fig, "Themes over time", "Survey wave (in date order)", None)


# Goals and participation (views/goals_participation.py)


def gas_histogram(bands: pd.DataFrame, wave: str, n: int) -> go.Figure:
    """Participants per GAS T-score band; a hidden band keeps its place on the axis and has no bar."""
    fig = px.bar(
        shown(bands),
        x="band",
        y="n",
        category_orders={"band": list(bands["band"])},
        color_discrete_sequence=[WAVE_COLOURS[wave]],
    )
    fig.update_traces(hovertemplate="T-score %{x}<br>%{y} participants<extra></extra>")
    return style(
        fig,
        f"Goal Attainment T-scores at {wave} (n = {n:,})",
        "GAS T-score band (50 = goals met as expected)",
        "Participants",
    )


def gas_by_group(by_group: pd.DataFrame) -> go.Figure:
    """Mean GAS T-score of each shown cohort and role, against the 50 of goals met as expected."""
    visible = chart_frame(shown(by_group), ["cohort", "role"])
    fig = px.bar(
        visible,
        x="cohort",
        y="mean_t",
        color="role",
        barmode="group",
        color_discrete_map=ROLE_COLOURS,
        custom_data=["n", "met_pct", "sd_t"],
        text=visible["mean_t"].map(lambda v: f"{v:.1f}"),
    )
    fig.update_traces(
        hovertemplate="%{x}, %{fullData.name}: mean T %{y:.1f} (SD %{customdata[2]:.1f})"
        "<br>%{customdata[1]:.0f} % of goals met<br>n = %{customdata[0]}<extra></extra>"
    )
    fig.add_hline(y=50, line_dash="dash", line_color="#333")
    return style(fig, "Mean GAS T-score by cohort and role", "Cohort", "Mean GAS T-score (50 = as expected)")


def sessions_per_month(months: pd.DataFrame) -> go.Figure:
    """Mentoring sessions logged per calendar month, pairs that met and minutes on hover."""
    fig = px.bar(
        months, x="month", y="sessions", custom_data=["pairs", "minutes"], color_discrete_sequence=["#1b6b73"]
    )
    fig.update_traces(
        hovertemplate="%{x|%b %Y}: %{y} sessions<br>%{customdata[0]} pairs met<br>%{customdata[1]} minutes"
        "<extra></extra>"
    )
    return style(fig, "Mentoring sessions logged per month", "Month", "Sessions logged (count)")


# Stories (views/stories.py)


def story_change(
    box: go.Box,
    group: str,
    change: float | None,
    *,
    percentile: float | None,
    n: int,
    title: str,
    y_title: str,
) -> go.Figure:
    """The group's change from pre to post as `box` (analytics.report.charts.quartile_box), this story's
    change as a diamond on it."""
    fig = go.Figure(box)
    if change is not None:
        fig.add_scatter(
            x=[group],
            y=[change],
            mode="markers",
            name="This story",
            marker={"symbol": "diamond", "size": 16, "color": "#222"},
            hovertemplate=f"This story: %{{y:+.2f}}<br>percentile rank {percentile:.0f} of n = {n}<extra></extra>",
        )
    fig.add_hline(y=0, line_dash="dot", line_color="#888")
    return style(fig, title, None, y_title)


def story_trajectory(
    scores: pd.DataFrame,
    role: str,
    partner: dict | None,
    *,
    scale: tuple[float, float],
    title: str,
    y_title: str,
) -> go.Figure:
    """One participant's score at each programme wave, and their consenting partner's as a dashed line."""
    fig = go.Figure()
    fig.add_scatter(
        x=scores["wave"],
        y=scores["score"],
        mode="lines+markers",
        name=f"This story ({role})",
        line={"color": ROLE_COLOURS.get(role, "#222"), "width": 3},
        marker={"size": 10, "color": [WAVE_COLOURS.get(w, "#222") for w in scores["wave"]]},
        hovertemplate="%{x}: %{y:.2f} (n = 1, this participant)<extra></extra>",
    )
    if partner is not None and not partner["scores"].empty:
        fig.add_scatter(
            x=partner["scores"]["wave"],
            y=partner["scores"]["score"],
            mode="lines+markers",
            name=chart_text(f"Their partner, {partner['role']} ({partner['pseudonym'] or 'also consented'})"),
            line={"color": ROLE_COLOURS.get(partner["role"], "#888"), "dash": "dash"},
            hovertemplate="%{x}: %{y:.2f} (n = 1, partner)<extra></extra>",
        )
    fig.update_yaxes(range=[scale[0] - 0.2, scale[1] + 0.2])
    fig.update_xaxes(categoryorder="array", categoryarray=["pre", "mid", "post"])
    return style(fig, title, "Survey wave", y_title)
