"""Retention: do participants stay longer than comparable colleagues? Kaplan-Meier curves and log-rank."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analytics import retention
from analytics.privacy import SUPPRESSED_NOTE, suppressed_note
from ui.figures import GROUP_COLOURS, style
from ui.state import current_filters, query, thresholds

LABELS = {"participants": "Programme participants", "comparison": "Comparison group"}
CAVEAT = (
    "Participants choose to join the programme (or are chosen), so they may differ from colleagues "
    "who did not in ways that also affect whether they stay. A gap between the curves is not proof "
    "that the programme caused it."
)


def share(value: float | None, shown: bool, k: int) -> str:
    """A retention share as a percentage, or why it is not shown."""
    if not shown:
        return SUPPRESSED_NOTE(k)
    return "not followed that long yet" if value is None else f"{100 * value:.1f} %"


def followed(found: dict, group: str, who: str) -> str:
    """The tile's help: how many people a share is over, only when the group is shown."""
    n = f", n = {found[f'n_{group}']:,} {who}" if found[f"shown_{group}"] else ""
    return f"Share still employed (Kaplan-Meier){n}"


def at_risk_text(at_risk: float, events: float, k: int) -> str:
    """A step's hover: people still followed and leaving, each only when at least k (no count under k)."""
    still = f"{int(at_risk):,} still followed" if at_risk >= k else f"fewer than {k} still followed"
    left = f"{int(events)} left at this time" if events >= k or events == 0 else "someone left at this time"
    return f"{still}, {left}"


def fill_colour(hex_colour: str, alpha: float = 0.18) -> str:
    """The colour as an rgba string, for a translucent confidence band."""
    red, green, blue = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red}, {green}, {blue}, {alpha})"


st.title("Retention: do participants stay?")
filters = current_filters()
k, _ = thresholds()
found = query(retention.retention_summary, filters)
curves = query(retention.retention_curves, filters)

st.warning(f"**Caveat:** {CAVEAT}", icon=":material/info:")
st.caption(
    "Time runs from each participant's programme start, and for the comparison group (colleagues who "
    "never took part and were employed when a cohort started) from the start of the earliest such "
    "cohort. Only voluntary leavers count as exits; involuntary exits and everyone still employed are "
    f"followed until the data date, {found['data_date']}."
)

tiles = st.columns(5)
tiles[0].metric(
    "Participants, 6 months",
    share(found["participants_6m"], found["shown_participants"], k),
    help=followed(found, "participants", "participants"),
)
tiles[1].metric(
    "Participants, 12 months",
    share(found["participants_12m"], found["shown_participants"], k),
    help=followed(found, "participants", "participants"),
)
tiles[2].metric(
    "Comparison, 6 months",
    share(found["comparison_6m"], found["shown_comparison"], k),
    help=followed(found, "comparison", "colleagues"),
)
tiles[3].metric(
    "Comparison, 12 months",
    share(found["comparison_12m"], found["shown_comparison"], k),
    help=followed(found, "comparison", "colleagues"),
)
p = found["logrank_p"]
tiles[4].metric(
    "Log-rank p",
    "n/a" if p is None else ("< 0.001" if p < 0.001 else f"{p:.3f}"),
    help="Chance of curves at least this far apart if both groups left at the same rate",
)

if curves.empty:
    no_one = found["n_participants"] == 0 and found["n_comparison"] == 0
    st.info(
        "No one to follow yet: import the HR export and a participant roster on the Upload page."
        if no_one
        else f"No curve to draw: a curve needs at least {k} people, and neither group is shown "
        f"({suppressed_note(k, filters)})."
    )
else:
    fig = go.Figure()
    for group in retention.GROUPS:
        part = curves[curves["group"] == group]
        if part.empty:
            continue
        colour = GROUP_COLOURS[group]
        band = part.assign(
            ci_low=part["ci_low"].fillna(part["survival"]), ci_high=part["ci_high"].fillna(1.0)
        )
        fig.add_scatter(
            x=band["time_months"],
            y=band["ci_high"] * 100,
            line={"shape": "hv", "width": 0},
            showlegend=False,
            hoverinfo="skip",
        )
        fig.add_scatter(
            x=band["time_months"],
            y=band["ci_low"] * 100,
            line={"shape": "hv", "width": 0},
            fill="tonexty",
            fillcolor=fill_colour(colour),
            showlegend=False,
            hoverinfo="skip",
        )
        fig.add_scatter(
            x=part["time_months"],
            y=part["survival"] * 100,
            line={"shape": "hv", "color": colour, "width": 2.5},
            name=f"{LABELS[group]} (n = {int(part['n'].iloc[0])})",
            customdata=[at_risk_text(a, e, k) for a, e in zip(part["at_risk"], part["events"], strict=True)],
            hovertemplate="%{x:.1f} months: %{y:.1f} % still here<br>%{customdata}<extra>"
            + LABELS[group]
            + "</extra>",
        )
    for months in (6, 12):
        fig.add_vline(x=months, line_dash="dot", line_color="#999", annotation_text=f"{months} months")
    fig.update_yaxes(range=[max(0.0, float(pd.to_numeric(curves["ci_low"]).min() * 100) - 5), 100.5])
    style(fig, "Share still employed since programme start", "Months since start", "Still employed (%)")
    fig.update_layout(legend={"orientation": "h", "yanchor": "top", "y": -0.2, "xanchor": "left", "x": 0})
    st.plotly_chart(fig, width="stretch", key="retention_curves")
    st.caption(
        "How to read this: each step line is a Kaplan-Meier curve, the share of a group still employed "
        "(not having resigned) after a number of months; shaded bands are 95 % confidence intervals. "
        "The further apart the lines, and the less the bands overlap, the stronger the difference. "
        "Hover for how many people were still being followed."
    )
    if not found["shown_participants"] or not found["shown_comparison"]:
        st.caption(f"One group is not drawn: {suppressed_note(k, filters)}.")
