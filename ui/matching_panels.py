"""The panels of the Matching page: proposed pairs, the rules, the unmatched, fairness and which matches work."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from analytics import match_outcomes, matching
from analytics.errors import MutualError
from analytics.filters import ATTRIBUTE_LABELS
from analytics.matching import COMPONENTS, Proposal
from ui.errors import message
from ui.figures import match_tercile_bars
from ui.format import value_table

__all__ = [
    "METHOD_LABELS",
    "COMPONENT_LABELS",
    "PROPOSAL_COLUMNS",
    "pair_label",
    "settings",
    "SETTING_KEYS",
    "save_button",
    "proposals_table",
    "rules_table",
    "unmatched_table",
    "fairness_table",
    "outcomes_panel",
]

METHOD_LABELS = {
    "total": "Highest total score",
    "bottleneck": "Best worst pair first, then total",
    "stable": "Stable matching (needs both sides' rankings)",
}
COMPONENT_LABELS = {
    "objectives": "Objectives in common",
    "skills": "Skills offered and wanted (both ways)",
    "style": "Similar values and working style",
    "availability": "Time and availability",
    "lens": "Programme lens (difference on the lens attributes)",
    "culture_change": "Mentor's culture-change work",
}
# What the proposals table shows: ids, the score and its parts, the sentence; never a demographic attribute.
PROPOSAL_COLUMNS = ["mentor_id", "mentee_id", "score", *COMPONENTS, "locked", "explanation"]


def pair_label(pair: tuple[str, str]) -> str:
    """A pair as the lock and exclude lists name it."""
    return f"{pair[0]} (mentor) with {pair[1]} (mentee)"


def settings(
    attributes: list[str], saved: dict | None = None
) -> tuple[dict[str, float], list[str], dict[str, bool], str]:
    """The weights (one slider per component), the lens attributes, the rules (one switch each), the method.

    They start from `saved` (match_data.saved_settings) where it gives a value, else from the defaults.
    """
    saved = saved or {}
    start_weights = {**matching.DEFAULT_WEIGHTS, **saved.get("weights", {})}
    start_rules = {**matching.DEFAULT_RULES, **saved.get("rules", {})}
    start_lens = [a for a in saved.get("lens", []) if a in attributes]
    method_index = matching.METHODS.index(saved.get("method", matching.METHODS[0]))
    with st.expander("Weights, rules and method", expanded=True):
        left, right = st.columns(2)
        with left:
            st.markdown("**Weights** (rescaled to sum to 1)")
            weights = {
                name: st.slider(
                    COMPONENT_LABELS[name],
                    0.0,
                    1.0,
                    value=min(max(float(start_weights[name]), 0.0), 1.0),
                    step=0.05,
                    key=f"match_w_{name}",
                )
                for name in matching.DEFAULT_WEIGHTS
            }
            lens = st.multiselect(
                "Programme lens: attributes on which difference is the aim",
                attributes,
                default=start_lens,
                format_func=ATTRIBUTE_LABELS.get,
                key="match_lens",
                help="Without a lens attribute the lens component weighs nothing.",
            )
        with right:
            st.markdown("**Rules** (a pair breaking a rule switched on is never proposed)")
            rules = {
                rule: st.checkbox(text, value=bool(start_rules[rule]), key=f"match_rule_{rule}")
                for rule, text in matching.RULES.items()
            }
            method = st.radio(
                "Method",
                matching.METHODS,
                index=method_index,
                format_func=METHOD_LABELS.get,
                key="match_method",
            )
    return weights, lens, rules, method


def save_button(cohort: str, saved: dict | None, save: Callable[[], dict]) -> None:
    """When the settings were last saved, and the button that saves them (save() returns what was saved)."""
    if saved is not None:
        st.caption(f"Starting from the settings saved for {cohort} on {saved['saved_at']:%d %B %Y at %H:%M}.")
    if not st.button(f"Save these settings for {cohort}", key="match_save"):
        return
    try:
        when = save()["saved_at"]
    except MutualError as error:
        st.error(message(error), icon=":material/error:")
    else:
        st.success(
            f"Settings saved for {cohort} at {when:%H:%M} on {when:%d %B %Y}: this page and "
            "`python -m analytics match` start from them.",
            icon=":material/check:",
        )


SETTING_KEYS = (
    *(f"match_w_{name}" for name in matching.DEFAULT_WEIGHTS),
    *(f"match_rule_{rule}" for rule in matching.RULES),
    "match_lens",
    "match_method",
)  # the widgets settings() draws: forgotten on a change of cohort, so they start from its saved settings


def proposals_table(proposal: Proposal) -> None:
    """The proposed pairs: score, components (0-1), locked, and the one-sentence explanation."""
    st.dataframe(
        proposal.pairs[PROPOSAL_COLUMNS],
        hide_index=True,
        width="stretch",
        key="match_pairs",
        column_config={
            "score": st.column_config.ProgressColumn("score", format="%.2f", min_value=0.0, max_value=1.0),
            **{c: st.column_config.NumberColumn(c.replace("_", " "), format="%.2f") for c in COMPONENTS},
        },
    )


def rules_table(proposal: Proposal) -> None:
    """Each hard rule: on or off, what it says, and how many mentor-mentee pairs it excludes."""
    st.dataframe(
        proposal.rules.rename(columns={"pairs_excluded": "pairs excluded"}),
        hide_index=True,
        width="stretch",
        key="match_rules",
    )


def unmatched_table(proposal: Proposal) -> None:
    """Everyone left without a partner, with the reason."""
    if proposal.unmatched.empty:
        st.success("Everyone who applied has a partner.")
        return
    st.dataframe(proposal.unmatched, hide_index=True, width="stretch", key="match_unmatched")


def fairness_table(fair: pd.DataFrame, attribute: str, note: str) -> None:
    """Match scores by group and side; a hidden group shows why in place of its figures."""
    figures = {
        "n": ",.0f",
        "matched_pct": ".0f",
        "mean_score": ".2f",
        "median_score": ".2f",
        "q25_score": ".2f",
        "q75_score": ".2f",
        "min_score": ".2f",
    }
    table = value_table(fair, figures, note)
    st.dataframe(
        table[["side", attribute, *figures]].rename(
            columns={
                "matched_pct": "% matched",
                "mean_score": "mean score",
                "median_score": "median",
                "q25_score": "25th pct",
                "q75_score": "75th pct",
                "min_score": "lowest",
            }
        ),
        hide_index=True,
        width="stretch",
        key="match_fairness",
    )


def outcomes_panel(pairs: pd.DataFrame, outcome: str, note: str) -> None:
    """Past pairs by match-score tercile with 95 % CIs, then the model of the outcome on the components."""
    spec = match_outcomes.OUTCOMES[outcome]
    terciles = match_outcomes.outcomes_by_tercile(pairs, outcome)
    st.plotly_chart(match_tercile_bars(terciles, label=spec.label, note=note), key="match_terciles")
    st.caption(
        "How to read this: past pairs are split into thirds by the match score these weights give them; "
        "bars are the outcome in each third with its 95 % CI. A third of too few pairs is not drawn."
    )
    model = match_outcomes.component_model(pairs, outcome)
    weights = match_outcomes.supported_weights(pairs, outcome)
    cautions = [c for c in (*model["caution"], *weights["caution"]) if isinstance(c, str) and c]
    if cautions:
        st.warning(f"Caution: {cautions[0]}.", icon=":material/warning:")
    table = value_table(model, {"coef": ".2f", "ci_low": ".2f", "ci_high": ".2f", "p": "p"}, note)
    table["supported weight"] = value_table(weights, {"weight": ".2f"}, note)["weight"]
    st.dataframe(
        table[["component", "coef", "ci_low", "ci_high", "p", "supported weight"]].rename(
            columns={"coef": "effect per SD", "ci_low": "95 % CI from", "ci_high": "95 % CI to"}
        ),
        hide_index=True,
        width="stretch",
        key="match_model",
    )
    n = model["n"].dropna()
    errors = model["errors"].iloc[0] if len(model) else ""
    st.caption(
        f"{'Logistic' if spec.binary else 'OLS'} model of {spec.label} on the components"
        + (f", {int(n.iloc[0])} pairs" if len(n) else "")
        + (f"; standard errors {errors}" if errors else "")
        + ". The effect is per standard deviation of the component; the supported weights are the "
        "non-negative weights that best predict a better outcome, to read alongside the intervals."
    )
