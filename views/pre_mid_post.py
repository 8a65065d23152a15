"""Pre / mid / post: does the programme work? Change, effect size, reciprocity and a comparison group."""

import streamlit as st

from analytics import change, comparison, metrics
from analytics.instruments import CONSTRUCTS, LIKERT_CONSTRUCTS
from analytics.privacy import suppressed_note
from ui.change_panels import comparison_panel, reciprocity_panel
from ui.figures import ROLE_COLOURS, role_changes, wave_means
from ui.format import all_hidden, ci_text, count, hidden_mask, is_missing, p_text, signed, value_table
from ui.state import current_filters, query, thresholds

PROGRAMME_WAVES = ["pre", "mid", "post"]

st.title("Pre / mid / post: does the programme work?")
filters = current_filters()
k, _ = thresholds()
note = suppressed_note(k, filters)

construct = st.selectbox(
    "Outcome", LIKERT_CONSTRUCTS, format_func=lambda code: CONSTRUCTS[code].name, key="pmp_construct"
)
spec = CONSTRUCTS[construct]
scale = f"points on the {spec.scale_min}-{spec.scale_max} scale"
st.caption(
    f"{spec.description}. Figures use everyone matching the sidebar filters; any group of fewer than "
    f"{k} people is hidden."
)

# The headline: within-person change pre -> post.
headline = query(change.wave_change, construct, "pre", "post", None, filters).iloc[0]
st.subheader("Change from pre to post, for the same people")
tiles = st.columns(4)
people = count(headline["n"])  # None when the gate blanks it
waves = query(metrics.group_scores, construct, ["wave"], filters, PROGRAMME_WAVES)
if people is None and not {"pre", "post"} <= set(waves["wave"]):  # a blank n, but truly no one to compare
    people = 0
if bool(headline["suppressed"]) and people != 0:  # hidden: not even how many people
    tiles[0].metric("People compared", "hidden", help=f"hidden: {note}")
    st.info(f"The change cannot be shown: {note}. The table at the bottom has pre to mid and mid to post.")
elif people == 0:
    tiles[0].metric("People compared", "0")
    st.info("The change cannot be shown: no one answered both the pre and the post survey.")
else:
    tiles[0].metric("People compared", f"{int(headline['n'])}")
    ci = ci_text(headline["ci_low"], headline["ci_high"]) or "no CI with so few people"
    tiles[1].metric(
        "Mean change",
        signed(headline["mean_change"]),
        help=f"On the {spec.scale_min}-{spec.scale_max} scale, {headline['mean_before']:.2f} -> "
        f"{headline['mean_after']:.2f}; {ci}",
    )
    tiles[2].metric(
        "Effect size (Cohen's d_z)",
        "n/a" if is_missing(headline["cohen_dz"]) else f"{headline['cohen_dz']:.2f}",
        help="Mean change divided by the SD of the changes: 0.2 small, 0.5 medium, 0.8 large",
    )
    tiles[3].metric(
        "p (paired t-test)",
        p_text(headline["t_p"], label=False),
        help=f"Wilcoxon signed-rank {p_text(headline['wilcoxon_p'])}; "
        f"{headline['improved_pct']:.0f} % of people improved",
    )
    st.markdown(f"**In plain words:** {spec.name} shows {headline['verdict']}.")
    st.caption(f"{ci}; {headline['improved_pct']:.0f} % of people improved.")

left, right = st.columns(2)
with left:
    if waves.empty:
        st.info(f"No {spec.name.lower()} results at the pre, mid or post survey yet.")
    elif all_hidden(waves):
        st.info(f"No {spec.name.lower()} results at the pre, mid or post survey are shown: {note}.")
    else:
        fig = wave_means(waves, name=spec.name, scale=(spec.scale_min, spec.scale_max), note=note)
        st.plotly_chart(fig, width="stretch", key="pmp_waves")
        st.caption(
            "How to read this: each bar is the mean of everyone who answered that survey; the whisker is "
            "its 95 % confidence interval. Different people may answer each wave, so the tiles above, "
            "which follow the same people, are the fairer test of change."
        )

with right:
    roles = query(change.wave_change, construct, "pre", "post", "role", filters)
    roles = roles[roles["role"].isin(list(ROLE_COLOURS))]
    if roles.empty or all(count(n) == 0 for n in roles["n"]):
        st.info("No mentors or mentees answered both the pre and the post survey.")
    elif hidden_mask(roles).any():
        # with two roles, one hidden hides both; a lone bar would tell whose role the few people have
        st.info(f"The change by role is not shown: {note}, or to protect a smaller group.")
    else:
        fig = role_changes(roles, note=note, y_title=f"Mean change, pre to post ({scale})")
        st.plotly_chart(fig, width="stretch", key="pmp_roles")
        st.caption(
            "How to read this: each bar is the average within-person change from pre to post (mentors "
            "are the junior partners, mentees the senior leaders); whiskers are 95 % confidence "
            "intervals. A whisker crossing zero means the change could be chance."
        )

st.subheader("Reciprocity: did both partners benefit?")
reciprocity_panel(query(change.reciprocity, construct, "pre", "post", filters), k, note)

st.subheader("Participants vs everyone else, in the pulse surveys")
trend = query(comparison.participants_vs_comparison, construct, filters)
comparison_panel(trend, comparison.did_of(trend), spec.name, (spec.scale_min, spec.scale_max), note)

with st.expander("All three comparisons: pre to mid, mid to post, pre to post"):
    table = query(change.all_changes, construct, filters)
    figures = {
        "verdict": "",
        "n": ",.0f",
        "mean_change": "+.2f",
        "ci_low": "+.2f",
        "ci_high": "+.2f",
        "cohen_dz": ".2f",
        "t_p": "p",
        "wilcoxon_p": "p",
    }
    view = value_table(table, figures, note)
    st.dataframe(
        view[["before", "after", *list(figures)[1:], "verdict"]],
        hide_index=True,
        key="pmp_all_changes",
        column_config={
            "mean_change": "Mean change",
            "ci_low": "CI low",
            "ci_high": "CI high",
            "cohen_dz": "d_z",
            "t_p": "p (t)",
            "wilcoxon_p": "p (Wilcoxon)",
        },
    )
