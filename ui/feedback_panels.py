"""The tables of the feedback page: the themes, the comments behind a theme or a tone, the wellbeing flags."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui.format import value_table

__all__ = ["themes_table", "comment_listing", "wellbeing_panel"]

_SCORE = st.column_config.NumberColumn("Score", format="%+.2f")
_COMMENT = st.column_config.TextColumn("Comment", width="large")


def themes_table(table: pd.DataFrame, note: str) -> None:
    """The themes with their words, share, people and mean score; a hidden theme shows `note`, no share, no n."""
    figures = {"mean_compound": "+.2f", "share": ".0f", "n": ",.0f"}
    st.dataframe(
        value_table(table, figures, note)[["name", "top_terms", "share", "n", "mean_compound"]],
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


def comment_listing(listing: pd.DataFrame) -> None:
    """The comments analytics.text.feedback.comments returned, most negative first, or why there are none."""
    if listing.empty and listing.attrs.get("message"):
        st.info(listing.attrs["message"])
        return
    if listing.empty:
        st.info("No comments match.")
        return
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
            "text": _COMMENT,
            "compound": _SCORE,
            "label": "Tone",
            "theme": "Theme",
        },
    )


def wellbeing_panel(flags: pd.DataFrame) -> None:
    """The flagged comments (analytics.text.feedback.wellbeing_flags) in a closed expander, with what to do."""
    flagged = flags.attrs.get("total", len(flags))
    with st.expander(f"Wellbeing: comments that may need a follow-up ({flagged:,})", expanded=False):
        st.markdown(
            "These comments are very negative (score ≤ −0.5) or use words of distress (for example "
            "*overwhelmed*, *burnt out*, *can't cope*). They are not linked to anyone and must not be traced "
            "back to their authors. Use them to prompt a conversation with the programme team and HR business "
            "partners, and remind participants of the support on offer: the Employee Assistance Programme, "
            "mental-health first aiders and their manager or programme lead."
        )
        if flags.empty:
            st.info(flags.attrs.get("message") or "No comments are flagged for this filter.")
            return
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
                "text": _COMMENT,
                "compound": _SCORE,
                "reason": "Why it is flagged",
            },
        )
