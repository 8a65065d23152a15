"""The reciprocity and participants-vs-others sections of the Pre / mid / post page: tiles, a chart and
their captions, drawn from figures analytics has already gated."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from ui.figures import participants_vs_others, quadrant_bars, style
from ui.format import ci_text, hidden_mask, p_text, plain, signed

__all__ = ["reciprocity_panel", "comparison_panel"]


def reciprocity_panel(mutual: dict, k: int, note: str) -> None:
    """Both partners improved, each role's mean gain, and the pairs by who improved (change.reciprocity)."""
    left, right = st.columns([1, 2])
    with left:
        if mutual["suppressed"]:
            left.metric("Both partners improved", note if mutual["pairs"] else "no pairs")
            st.caption(f"Shown for at least {k} pairs where both partners answered the pre and post surveys.")
        else:
            left.metric(
                "Both partners improved",
                note if mutual["both_improved_pct"] is None else f"{mutual['both_improved_pct']:.0f} %",
                help=f"Of {mutual['pairs']} pairs where mentor and mentee answered both surveys",
            )
            left.metric("Mentors' mean gain", signed(mutual["mentor_gain"]))
            left.metric("Mentees' mean gain", signed(mutual["mentee_gain"]))
    if mutual["suppressed"]:
        return
    with right:
        quadrants = mutual["quadrants"]
        fig = go.Figure(quadrant_bars(quadrants, note))
        fig.update_yaxes(categoryorder="array", categoryarray=quadrants["label"].tolist()[::-1])
        fig.update_xaxes(range=[0, 100])
        style(fig, f"Pairs by who improved, of {mutual['pairs']} pairs", "% of pairs", None)
        st.plotly_chart(fig, width="stretch", key="pmp_reciprocity")
        st.caption(
            "How to read this: each bar is the share of pairs where both partners improved, only one of "
            f"them did, or neither did, pre to post. A group of fewer than {k} pairs is not shown, and "
            "nor is the next smallest, so it cannot be worked out from the total."
        )


def _did_tile(did: dict, note: str) -> None:
    if did["did"] is None:
        st.metric("Difference in differences", note if did["first_wave"] else "n/a")
        return
    st.metric(
        "Difference in differences",
        signed(did["did"]),
        help=f"Participants {signed(did['participants_change'])}, everyone else "
        f"{signed(did['comparison_change'])}, from {plain(did['first_wave'])} to {plain(did['last_wave'])}",
    )
    if did["ci_low"] is not None:
        st.caption(
            f"{ci_text(did['ci_low'], did['ci_high'])}, {p_text(did['p_value'])}. "
            f"n = {did['n_participants_first']} / {did['n_participants_last']} participants and "
            f"{did['n_comparison_first']} / {did['n_comparison_last']} others (first / last pulse)."
        )


def comparison_panel(trend: pd.DataFrame, did: dict, name: str, scale: tuple[int, int], note: str) -> None:
    """Pulse means of participants and everyone else (comparison.participants_vs_comparison) and the
    difference in differences of the same cells (comparison.did_of)."""
    if trend.empty:
        st.info(f"No pulse survey measures {name.lower()} for employees we can link to the roster.")
        return
    left, right = st.columns([3, 1])
    with left:
        fig = participants_vs_others(trend, name=name, scale=scale)
        hidden = trend[hidden_mask(trend)]
        if not hidden.empty:
            st.caption(f"{hidden['wave'].nunique()} pulse(s) not shown: {note} in a group.")
        st.plotly_chart(fig, width="stretch", key="pmp_comparison")
        st.caption(
            "How to read this: monthly pulse means with 95 % confidence intervals for people on the "
            "programme roster and for everyone else who answered. Parallel lines mean no programme "
            "effect on this measure; the gap opening up is what the programme may add."
        )
    with right:
        _did_tile(did, note)
        st.caption(
            "Participants' change between the first and the last pulse minus everyone else's. "
            "Participants chose to join, so this is a comparison, not proof of cause."
        )
