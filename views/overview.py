"""Overview: the programme at a glance, and what to look at next."""

import streamlit as st

from analytics import overview
from analytics.instruments import CONSTRUCTS
from analytics.privacy import SUPPRESSED_NOTE, suppressed_note
from ui.figures import response_rate_bars
from ui.format import plain, shown, signed
from ui.state import current_filters, query, thresholds

st.title("Mutual: reverse mentoring at a glance")
if st.session_state.pop("sample_loaded_now", False):
    st.info(
        "The database was empty, so Mutual loaded its sample programme (a made-up organisation of "
        "1,200 people and three cohorts). Import your own exports on the Upload page.",
        icon=":material/info:",
    )

filters = current_filters()
k, _ = thresholds()
size = query(overview.programme_size, filters)
rates = query(overview.response_rates, filters)
fresh = query(overview.freshness)

tiles = st.columns(4)
if size["suppressed"]:
    hidden = f"hidden: {suppressed_note(k, filters)}"
    tiles[0].metric("Participants", "hidden", help=hidden)
    tiles[1].metric("Active pairs", "hidden", help=hidden)
    st.caption(f"Programme counts for this filter are {hidden}.")
else:
    tiles[0].metric(
        "Participants", f"{size['participants']:,}", help="Employees on the roster of the chosen cohorts"
    )
    tiles[1].metric(
        "Active pairs",
        f"{size['active_pairs']:,}",
        help=f"Of {size['pairs']} pairs in {size['cohorts']} cohorts",
    )
programme_waves = rates[rates["kind"].isin(["pre", "mid", "post"])]
programme_rates = shown(programme_waves).dropna(subset=["rate_pct"])
if not programme_rates.empty:
    last = programme_rates.iloc[-1]
    tiles[2].metric(
        f"Response rate, {plain(last['wave'])} survey",
        f"{last['rate_pct']:.0f} %",
        help=f"{int(last['responded'])} of {int(last['invited'])} invited participants answered",
    )
elif not programme_waves.empty:  # surveys there are, but their rates are hidden
    tiles[2].metric("Response rate", "hidden", help=f"hidden: {suppressed_note(k, filters)}")
else:
    tiles[2].metric("Response rate", "no surveys yet")
if fresh["last_import_at"] is not None:
    tiles[3].metric(
        "Last import",
        f"{fresh['last_import_at']:%d %b %Y}",
        help=f"{plain(fresh['last_import_file'])} ({plain(fresh['last_import_kind'])})",
    )
else:
    tiles[3].metric("Last import", "none")

st.subheader("Participants' scores: latest survey against pre")
score_tiles = st.columns(3)
for column, code in zip(score_tiles, ["ps", "eng", "bel"], strict=True):
    spec = CONSTRUCTS[code]
    result = query(overview.latest_vs_pre, code, filters)
    label = f"{spec.name} ({spec.scale_min}-{spec.scale_max})"
    if result["latest"] is None or result["pre"] is None:
        # answers there are (a wave after pre, and pre), but the gate hides a mean: say so, not "no data"
        answered = result.get("latest_wave") is not None and "pre_n" in result
        column.metric(label, SUPPRESSED_NOTE(k) if answered or result.get("suppressed") else "no data yet")
        continue
    latest_wave = plain(result["latest_wave"])
    column.metric(
        f"{label}, {latest_wave}",
        f"{result['latest']:.2f}",
        delta=f"{signed(result['change'])} since pre ({result['pre']:.2f})",
        help=f"Mean of respondents: n = {result['latest_n']} at {latest_wave}, {result['pre_n']} at pre",
    )
st.caption(
    "Means of everyone who answered each survey. For the within-person change, effect sizes and "
    "confidence intervals, see Pre / mid / post."
)

left, right = st.columns([3, 2])
with left:
    if shown(rates).dropna(subset=["rate_pct"]).empty:
        st.info(
            "No survey waves yet."
            if rates.empty
            else f"Response rates are hidden: the filters leave {SUPPRESSED_NOTE(k).replace('responses', 'people invited')}."
        )
    else:
        fig = response_rate_bars(rates)
        st.plotly_chart(fig, width="stretch", key="overview_rates")
        st.caption(
            "How to read this: the share of invited people who answered each wave. Programme waves invite "
            "the roster; pulses invite everyone employed when the pulse opened. Low response makes a "
            "wave's results less certain."
        )
with right:
    st.markdown("#### What to look at next")
    steps = query(overview.next_steps, filters)
    if steps:
        for step in steps:
            st.markdown(f"- {plain(step)}")
    else:
        st.markdown("- Nothing stands out. Explore outcomes by group on Cohort outcomes.")
    if fresh["latest_response_at"] is not None:
        st.caption(f"Latest survey response: {fresh['latest_response_at']:%d %b %Y}.")
