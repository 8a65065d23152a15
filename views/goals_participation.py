"""Goals and participation: Goal Attainment Scaling T-scores, goals met, sessions and inactive pairs."""

import streamlit as st

from analytics import goals
from analytics.privacy import suppressed_note
from ui.figures import gas_by_group, gas_histogram, sessions_per_month
from ui.format import all_hidden, hidden_mask, percent, plain, value_table
from ui.state import current_filters, query, thresholds

st.title("Goals and participation")
filters = current_filters()
k, _ = thresholds()
note = suppressed_note(k, filters)

st.subheader("Goal attainment")
wave = st.radio(
    "Goal levels rated at",
    ["post", "mid"],
    format_func={"post": "the end of the programme (post)", "mid": "mid-point (mid)"}.get,
    key="gp_wave",
    horizontal=True,
)
overall = query(goals.goal_attainment, None, filters, wave)
bands = query(goals.gas_distribution, filters, wave)
if overall.empty or bands.empty or all_hidden(overall):
    st.info(
        f"No goal attainment to show: either no goal levels are recorded at {wave}, or the filters leave {note}."
    )
else:
    row = overall.iloc[0]
    tiles = st.columns(3)
    tiles[0].metric("Participants with rated goals", f"{int(row['n']):,}", help=f"{int(row['goals'])} goals")
    tiles[1].metric(
        "Mean GAS T-score",
        f"{row['mean_t']:.1f}",
        help="50 = every goal met exactly as expected; 10 points = one standard deviation",
    )
    tiles[2].metric(
        "Goals met", percent(row["met_pct"]), help="Goals rated at the expected level (0) or better"
    )

    st.plotly_chart(gas_histogram(bands, wave, int(row["n"])), width="stretch", key="gp_histogram")
    st.caption(
        "How to read this: each participant's goals are rated from -2 (much less than expected) to +2 (much "
        "more), weighted and combined into one T-score (Kiresuk-Sherman, rho = 0.3). Bands from 50 up did "
        "as expected or better overall; below 50, worse. A band of too few people is not drawn, nor the "
        "next-smallest, so no one's score can be worked out."
    )

    by_group = query(goals.goal_attainment, ["cohort", "role"], filters, wave)
    if all_hidden(by_group):
        st.info(f"No cohort and role is shown on its own: {note}, or to protect a smaller group.")
    else:
        st.plotly_chart(gas_by_group(by_group), width="stretch", key="gp_by_group")
        hidden = by_group[hidden_mask(by_group)]
        hidden_text = ", ".join(
            f"{plain(c)} {plain(r)}s" for c, r in zip(hidden["cohort"], hidden["role"], strict=True)
        )
        st.caption(
            "How to read this: bars above the dashed line mean that group's goals went better than expected on "
            "average; hover for n and % of goals met."
            + (f" Not shown ({note}, or to protect a smaller group): {hidden_text}." if hidden_text else "")
        )
        table = value_table(by_group, {"mean_t": ".1f", "n": ",.0f", "met_pct": ".0f"}, note)
        st.dataframe(
            table[["cohort", "role", "n", "mean_t", "met_pct"]].rename(
                columns={"mean_t": "mean T-score", "met_pct": "% goals met"}
            ),
            hide_index=True,
            key="gp_table",
        )

st.subheader("Participation")
as_of = query(goals.data_date)
summary = query(goals.participation_summary, None, filters)
if summary.empty:
    st.info("No pairs to show: import a participant roster and a session log on the Upload page.")
    st.stop()
row = summary.iloc[0]
tiles = st.columns(3)
if all_hidden(summary):  # not even how many pairs: the count would be a group under k
    tiles[0].metric("Pairs", "hidden", help=f"hidden: {note}")
    st.info(f"Participation figures for this selection are hidden: {note}.")
else:
    tiles[0].metric("Pairs", f"{int(row['pairs']):,}", help=f"{int(row['n']):,} participants")
    tiles[1].metric(
        "Meeting at least monthly",
        percent(row["meets_monthly_pct"]),
        help="Pairs averaging one session or more per month from their start to their end (or the data date); "
        f"{int(row['sessions']):,} sessions logged",
    )
    tiles[2].metric(
        "Inactive pairs",
        f"{int(row['inactive'])}",
        help=f"No session for 60 days or more, as of {as_of:%d %b %Y}",
    )

months = query(goals.sessions_by_month, filters)
if months.empty and filters:
    st.caption(f"Sessions per month for this selection are hidden: {note}.")
st.plotly_chart(sessions_per_month(months), width="stretch", key="gp_sessions")
st.caption(
    "How to read this: sessions in the log per calendar month, for the pairs matching the filters; hover for "
    "how many pairs met. Dips between cohorts are expected."
)

st.markdown(f"#### Inactive pairs (no session for 60 days, as of {as_of:%d %b %Y})")
pairs = query(goals.participation, ["cohort"], filters)
inactive = pairs[pairs["inactive"].astype(bool)]
if pairs.attrs.get("suppressed"):
    st.info(f"The list of pairs for this selection is hidden: {note}.")
elif inactive.empty:
    st.success("Every pair has met in the 60 days before its end or the data date.")
else:
    st.dataframe(
        inactive[["pair_id", "cohort", "status", "last_session", "days_since_last", "sessions"]].rename(
            columns={"days_since_last": "days since last session", "last_session": "last session"}
        ),
        hide_index=True,
        key="gp_inactive",
        column_config={"last session": st.column_config.DateColumn(format="YYYY-MM-DD")},
    )
    st.caption(
        "Days since the last session are counted to the pair's end date, or to the data date for pairs "
        "still running. Pairs that never met count from their start."
    )
