"""Retention: do participants stay longer than comparable colleagues? Kaplan-Meier curves and log-rank."""

import streamlit as st

from analytics import retention
from analytics.privacy import SUPPRESSED_NOTE, suppressed_note
from ui.figures import survival_curves
from ui.format import p_text
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
tiles[4].metric(
    "Log-rank p",
    p_text(found["logrank_p"], label=False),
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
    fig = survival_curves(curves, labels=LABELS, k=k)
    st.plotly_chart(fig, width="stretch", key="retention_curves")
    st.caption(
        "How to read this: each step line is a Kaplan-Meier curve, the share of a group still employed "
        "(not having resigned) after a number of months; shaded bands are 95 % confidence intervals. "
        "The further apart the lines, and the less the bands overlap, the stronger the difference. "
        "Hover for how many people were still being followed."
    )
    if not found["shown_participants"] or not found["shown_comparison"]:
        st.caption(f"One group is not drawn: {suppressed_note(k, filters)}.")
