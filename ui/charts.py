"""One look for every chart: colours that mean the same thing on every page."""

from __future__ import annotations

import plotly.graph_objects as go

from analytics.palette import (  # one palette for the pages and the sponsor report
    DIVERGING,
    GROUP_COLOURS,
    ROLE_COLOURS,
    SENTIMENT_COLOURS,
    SUPPRESSED,
    WAVE_COLOURS,
)

__all__ = [
    "WAVE_COLOURS",
    "ROLE_COLOURS",
    "GROUP_COLOURS",
    "SENTIMENT_COLOURS",
    "SUPPRESSED",
    "DIVERGING",
    "style",
]


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
