"""One look for every chart, on the pages and in the sponsor report: the colours and the house layout.
No Streamlit here, so `analytics.report` draws with it too."""

from __future__ import annotations

import plotly.graph_objects as go

__all__ = [
    "WAVE_COLOURS",
    "ROLE_COLOURS",
    "GROUP_COLOURS",
    "SENTIMENT_COLOURS",
    "SUPPRESSED",
    "DIVERGING",
    "style",
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
