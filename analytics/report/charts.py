"""The sponsor report's charts: plotly figures drawn from ReportData, in the shared palette."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analytics.instruments import CONSTRUCTS
from analytics.report.data import PRIMARY, PROGRAMME_WAVES, ReportData
from analytics.text.sentiment import NEGATIVE, POSITIVE
from ui.figures import (
    GROUP_COLOURS,
    ROLE_COLOURS,
    SENTIMENT_COLOURS,
    SUPPRESSED,
    WAVE_COLOURS,
    quadrant_bars,
    quartile_box,
)
from ui.format import chart_text

__all__ = [
    "CHART_HEIGHT",
    "wave_chart",
    "group_change_chart",
    "reciprocity_chart",
    "goals_chart",
    "retention_chart",
    "sessions_chart",
    "themes_chart",
    "story_chart",
]

CHART_HEIGHT = 330
_INK = "#333b42"


def _layout(fig: go.Figure, title: str, x_title: str, y_title: str, height: int = CHART_HEIGHT) -> go.Figure:
    """The report's layout: a left-aligned title, labelled axes, a legend above, no interactivity chrome."""
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 16, "color": _INK}},
        template="plotly_white",
        font={"size": 13, "color": _INK, "family": "Helvetica, Arial, sans-serif"},
        margin={"l": 10, "r": 10, "t": 56, "b": 10},
        height=height,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1},
    )
    fig.update_xaxes(title_text=x_title)
    fig.update_yaxes(title_text=y_title)
    return fig


def _bars_with_ci(frame: pd.DataFrame, x: str, value: str, colours: list[str], note: str) -> go.Bar:
    shown = frame[value].notna()
    return go.Bar(
        x=frame[x],
        y=frame[value].fillna(0),
        marker_color=[c if s else SUPPRESSED for c, s in zip(colours, shown, strict=True)],
        error_y={
            "type": "data",
            "symmetric": False,
            "array": (frame["ci_high"] - frame[value]).fillna(0).tolist(),
            "arrayminus": (frame[value] - frame["ci_low"]).fillna(0).tolist(),
            "color": _INK,
        },
        text=[f"{v:.2f}" if s else note for v, s in zip(frame[value], shown, strict=True)],
        textposition="inside",
        insidetextanchor="middle",
        textfont={"color": "white"},
        customdata=frame["n"].where(shown, None).astype("object"),  # no size of a hidden group
        hovertemplate="%{x}: %{text}, n = %{customdata}<extra></extra>",
    )


def wave_chart(data: ReportData, construct: str) -> go.Figure | None:
    """Mean score at pre, mid and post with 95 % CIs; None when no wave has results."""
    waves = data.waves[construct]
    if waves.empty:
        return None
    spec = CONSTRUCTS[construct]
    waves = waves[waves["wave"].isin(PROGRAMME_WAVES)]
    note = f"fewer than {data.min_group}"
    colours = [WAVE_COLOURS[w] for w in waves["wave"]]
    fig = go.Figure(_bars_with_ci(waves, "wave", "mean", colours, note))
    fig.update_yaxes(range=[spec.scale_min, spec.scale_max])
    fig.update_xaxes(categoryorder="array", categoryarray=PROGRAMME_WAVES)
    return _layout(
        fig, f"{spec.name}: mean at each survey", "Survey", f"Mean ({spec.scale_min}–{spec.scale_max})"
    )


def group_change_chart(data: ReportData, attribute: str) -> go.Figure | None:
    """Mean change pre -> post in the primary outcome per group, with 95 % CIs."""
    frame = data.by_group[attribute]
    if frame.empty:
        return None
    frame = frame.assign(label=frame[attribute].astype(str))
    colours = [ROLE_COLOURS.get(v, WAVE_COLOURS["post"]) for v in frame["label"]]
    fig = go.Figure(_bars_with_ci(frame, "label", "mean_change", colours, f"fewer than {data.min_group}"))
    fig.add_hline(y=0, line_color=_INK, line_width=1)
    name = CONSTRUCTS[PRIMARY].name
    return _layout(
        fig, f"{name}: change from pre to post by {attribute}", attribute.capitalize(), "Mean change"
    )


def reciprocity_chart(data: ReportData) -> go.Figure | None:
    """Pairs by who of the two partners improved (quadrant counts, none under k shown)."""
    found = data.reciprocity
    if found["suppressed"]:
        return None
    fig = go.Figure(quadrant_bars(found["quadrants"], f"fewer than {data.min_group}"))
    fig.update_yaxes(categoryorder="array", categoryarray=found["quadrants"]["label"].tolist()[::-1])
    fig.update_xaxes(range=[0, 100])
    return _layout(fig, "Pairs by who of the two partners improved", "% of pairs", "")


def goals_chart(data: ReportData) -> go.Figure | None:
    """% of goals met per group (cohort or role)."""
    frame = data.goals_by_group
    attribute = data.breakdown
    if frame.empty or attribute not in frame.columns:
        return None
    shown = frame["met_pct"].notna()
    fig = go.Figure(
        go.Bar(
            x=frame[attribute].astype(str),
            y=frame["met_pct"].fillna(0),
            marker_color=[
                ROLE_COLOURS.get(v, WAVE_COLOURS["post"]) if s else SUPPRESSED
                for v, s in zip(frame[attribute], shown, strict=True)
            ],
            text=[
                f"{v:.0f} %" if s else f"fewer than {data.min_group}"
                for v, s in zip(frame["met_pct"], shown, strict=True)
            ],
            textposition="inside",
            textfont={"color": "white"},
        )
    )
    fig.update_yaxes(range=[0, 100])
    return _layout(fig, f"Goals met by {attribute}", attribute.capitalize(), "% of goals met")


def retention_chart(data: ReportData) -> go.Figure | None:
    """Kaplan-Meier curves: share still employed by months since start, participants vs comparison."""
    curves = data.curves
    if curves.empty:
        return None
    fig = go.Figure()
    for group, part in curves.groupby("group", sort=False):
        fig.add_scatter(
            x=part["time_months"],
            y=100 * part["survival"],
            mode="lines",
            line={"shape": "hv", "color": GROUP_COLOURS[group], "width": 3},
            name=f"{group} (n = {int(part['n'].iloc[0])})",
            hovertemplate="%{x:.0f} months: %{y:.0f} % still here<extra></extra>",
        )
    fig.update_xaxes(range=[0, min(24, float(curves["time_months"].max()))])
    fig.update_yaxes(range=[50, 101])
    return _layout(
        fig, "Still with the organisation", "Months since the programme started", "% still employed"
    )


def sessions_chart(data: ReportData) -> go.Figure | None:
    """Sessions logged per month (months with fewer than k pairs meeting are left out)."""
    frame = data.sessions[data.sessions["pairs"] >= data.min_group]
    if frame.empty:
        return None
    fig = go.Figure(
        go.Bar(
            x=pd.to_datetime(frame["month"]),
            y=frame["sessions"],
            marker_color=WAVE_COLOURS["post"],
            hovertemplate="%{x|%b %Y}: %{y} sessions<extra></extra>",
        )
    )
    return _layout(fig, "Mentoring sessions logged per month", "Month", "Sessions")


def _tone(compound: float | None) -> str:
    if compound is None or pd.isna(compound):
        return "neutral"
    return "positive" if compound >= POSITIVE else "negative" if compound <= NEGATIVE else "neutral"


def themes_chart(data: ReportData) -> go.Figure | None:
    """Share of comments per theme, coloured by the theme's mean tone."""
    frame = data.themes.themes
    if frame.empty:
        return None
    frame = frame.sort_values("share")
    fig = go.Figure(
        go.Bar(
            y=frame["name"],
            x=frame["share"],
            orientation="h",
            marker_color=[SENTIMENT_COLOURS[_tone(c)] for c in frame["mean_compound"]],
            hovertemplate="%{y}: %{x:.0f} % of comments<extra></extra>",
        )
    )
    height = max(CHART_HEIGHT, 70 + 42 * len(frame))
    return _layout(fig, "What people wrote about (colour: tone)", "% of comments", "", height)


def story_chart(data: ReportData, found: dict) -> go.Figure | None:
    """The quartiles of the changes of the story's cohort and role, with this participant's change marked."""
    distribution = found["distribution"]
    if distribution is None or found["change"] is None:
        return None
    group = chart_text(f"{found['role']}s in cohort {found['cohort']} (n = {distribution['n']})")
    fig = go.Figure(quartile_box(distribution, group, "#9aa5ad", horizontal=True))
    fig.add_scatter(
        x=[found["change"]],
        y=[group],
        mode="markers",
        name="this story",
        marker={"symbol": "diamond", "size": 16, "color": ROLE_COLOURS.get(found["role"], _INK)},
        hovertemplate="this story: %{x:+.2f}<extra></extra>",
    )
    fig.add_vline(x=0, line_color=_INK, line_width=1, line_dash="dot")
    name = found["construct_name"]
    return _layout(
        fig,
        f"Their change in {name.lower()} against the middle half of the {found['role']}s of the cohort",
        "Change, pre to post",
        "",
        220,
    )
