"""Cohort outcomes: scores by group and wave, item by item, and equity gaps (for the DEIB lead)."""

import pandas as pd
import streamlit as st

from analytics import metrics
from analytics.filters import ATTRIBUTES
from analytics.instruments import CONSTRUCTS, LIKERT_CONSTRUCTS
from analytics.privacy import suppressed_note
from ui.figures import equity_gap_bars, group_heatmap, style
from ui.format import all_hidden, chart_text, shown, value_table
from ui.state import current_filters, query, thresholds


def label(attribute: str) -> str:
    """An attribute as people read it."""
    return attribute.replace("_", " ").capitalize()


def nothing_shown(found: pd.DataFrame, note: str) -> str:
    """The one sentence shown instead of a chart: no answers at all, or every group hidden."""
    if found.empty and not current_filters():
        return "Nothing to show: no one has answered this yet."
    return f"Nothing to show: every group has {note}, or is hidden to protect a smaller group."


def groups_with_a_figure(frame: pd.DataFrame, rows: str) -> pd.DataFrame:
    """The rows of groups with at least one shown cell: a group hidden everywhere does not appear at all."""
    kept = set(shown(frame)[rows])
    return frame[frame[rows].isin(kept)]


st.title("Cohort outcomes")
filters = current_filters()
k, _ = thresholds()
note = suppressed_note(k, filters)

left, middle, right = st.columns(3)
construct = left.selectbox(
    "Outcome", LIKERT_CONSTRUCTS, format_func=lambda code: CONSTRUCTS[code].name, key="co_construct"
)
attribute = middle.selectbox(
    "Break down by", list(ATTRIBUTES), format_func=label, key="co_group_by", index=ATTRIBUTES.index("cohort")
)
view = right.radio(
    "Show", ["Groups x waves (mean score)", "Groups x items (% favourable)"], key="co_view", horizontal=True
)
include_pulses = st.checkbox("Include organisation-wide pulse surveys", key="co_pulses", value=False)

spec = CONSTRUCTS[construct]
kinds = ["pre", "mid", "post", "pulse"] if include_pulses else ["pre", "mid", "post"]
waves = query(metrics.wave_names, kinds)
st.caption(
    f"{spec.description}. Everyone matching the sidebar filters who answered; groups of fewer than {k} "
    f"people are greyed out, and so is the next-smallest group of the same wave, so that no total minus "
    f"the visible groups can reveal them."
)

if not waves:
    st.info("No survey responses yet. Import pre, mid or post surveys on the Upload page.")
    st.stop()

if view.startswith("Groups x waves"):
    found = query(metrics.group_scores, construct, [attribute, "wave"], filters, waves)
    scores = groups_with_a_figure(found, attribute)
    if scores.empty:
        st.warning(nothing_shown(found, note))
    else:
        fig = group_heatmap(
            scores,
            attribute,
            "wave",
            "mean",
            fmt=".2f",
            k=k,
            note=note,
            zrange=(spec.scale_min, spec.scale_max),
            unit=f"Mean ({spec.scale_min}-{spec.scale_max})",
        )
        style(fig, f"{spec.name} by {label(attribute).lower()} and wave", "Survey wave", label(attribute))
        st.plotly_chart(fig, width="stretch", key="co_heatmap")
        st.caption(
            f"How to read this: each cell is the mean {spec.name.lower()} score ({spec.scale_min} = lowest, "
            f"{spec.scale_max} = highest) of one group at one wave, with the number of people (n). Green is "
            f"higher, red lower. Grey cells are hidden for privacy ({note}). '(small)' marks groups under "
            f"{2 * k} people, whose means move a lot from one person to the next."
        )
        with st.expander("The same figures as a table"):
            figures = {"mean": ".2f", "n": ",.0f", "ci_low": ".2f", "ci_high": ".2f", "favourable_pct": ".0f"}
            st.dataframe(
                value_table(scores, figures, note)[[attribute, "wave", *figures]],
                hide_index=True,
                key="co_table",
            )
else:
    wave = st.selectbox("Wave", waves, index=len(waves) - 1, key="co_item_wave")
    found = query(metrics.item_favourable, construct, [attribute], filters, [wave])
    items = groups_with_a_figure(found, attribute)
    if items.empty:
        st.warning(nothing_shown(found, note))
    else:
        items = items.assign(
            item=items["item_id"] + (items["reverse"].astype(bool).map({True: " (reversed)", False: ""}))
        )
        fig = group_heatmap(
            items,
            attribute,
            "item",
            "favourable_pct",
            fmt=".0f",
            k=k,
            note=note,
            zrange=(0, 100),
            unit="% favourable",
        )
        style(fig, f"{spec.name}: % favourable per item, {chart_text(wave)}", "Item", label(attribute))
        st.plotly_chart(fig, width="stretch", key="co_items")
        st.caption(
            f"How to read this: the share of answers above the scale midpoint (after reverse coding), per item "
            f"and group, 0-100 %. Hover an item code for the group's n. Grey cells: {note}."
        )
        wording = items.drop_duplicates("item_id")[["item_id", "text", "reverse"]]
        st.dataframe(wording, hide_index=True, key="co_item_text")

st.subheader("Equity gaps")
gap_wave = st.selectbox("Wave", waves, index=len(waves) - 1, key="co_gap_wave")
gaps = query(metrics.equity_gaps, construct, attribute, filters, [gap_wave])
if gaps.empty or all_hidden(gaps):
    st.warning(nothing_shown(gaps, note))
else:
    fig = equity_gap_bars(
        gaps,
        attribute,
        title=f"{spec.name}: each {label(attribute).lower()} against everyone, {chart_text(gap_wave)}",
        x_title=f"Gap from the overall mean (points on the {spec.scale_min}-{spec.scale_max} scale)",
        y_title=label(attribute),
    )
    st.plotly_chart(fig, width="stretch", key="co_gaps")
    st.caption(
        "How to read this: bars right of zero are groups scoring above everyone in the wave, left below. "
        "'Above' or 'below' means the group's 95 % confidence interval excludes the overall mean; "
        "'in line' means the difference could be chance."
    )
    figures = {
        "mean": ".2f",
        "n": ",.0f",
        "overall_mean": ".2f",
        "gap": "+.2f",
        "ci_low": ".2f",
        "ci_high": ".2f",
        "direction": "",
    }
    table = value_table(gaps, figures, note)
    st.dataframe(
        table[[attribute, "n", "mean", "overall_mean", "gap", "ci_low", "ci_high", "direction"]].rename(
            columns={"overall_mean": "everyone", "ci_low": "95% CI low", "ci_high": "95% CI high"}
        ),
        hide_index=True,
        key="co_gap_table",
    )
