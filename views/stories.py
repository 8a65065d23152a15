"""Stories: one consented participant's experience, set against the aggregate it belongs to."""

import plotly.graph_objects as go
import streamlit as st

from analytics import stories
from analytics.errors import MutualError
from analytics.instruments import CONSTRUCTS
from analytics.privacy import SUPPRESSED_NOTE
from analytics.report import charts as report_charts
from ui.figures import ROLE_COLOURS, WAVE_COLOURS, style
from ui.format import chart_text, plain
from ui.state import current_filters, query

SCORED = [c for c, spec in CONSTRUCTS.items() if spec.index]

st.title("Stories against the data")
st.caption(
    "A story illustrates; the data decides. Each story comes from a participant who agreed to it being "
    "shown; it is pseudonymised and always set beside the figures for everyone like them, which may "
    "support it or contradict it."
)

listed = query(stories.consented_stories, current_filters())
if listed.empty:
    st.info(
        plain(listed.attrs.get("message"))
        or "No participant in this filter has agreed to share their story (and written a comment) yet."
    )
    st.stop()

names = dict(zip(listed["story_key"], listed["pseudonym"], strict=True))
picks = st.columns([3, 2])
key = picks[0].selectbox("Story", list(names), format_func=names.get, key="st_story")
construct = picks[1].selectbox(
    "Measure", SCORED, format_func=lambda c: CONSTRUCTS[c].name, key="st_construct"
)
try:
    told = query(stories.story, key, construct)
except MutualError as error:
    st.error(str(error))
    st.stop()

spec = CONSTRUCTS[construct]
k = told["min_group"]
st.subheader(plain(told["pseudonym"]))
st.info(plain(told["sentence"]), icon=":material/balance:")

left, right = st.columns([2, 3])
with left:
    st.markdown(f"> {plain(told['text'])}")
    st.caption(
        f"Their comment in the {plain(told['text_wave'])} survey. Tone {told['compound']:+.2f} (VADER, −1 to +1): "
        f"at or above {told['story_percentile']:.0f} % of all comments."
    )
    tiles = st.columns(2)
    change = told["change"]
    tiles[0].metric(
        "Change, pre to post",
        "not available" if change is None else f"{change:+.2f}",
        help=f"{spec.name}: their post score minus their pre score, on the {spec.scale_min}-{spec.scale_max} scale",
    )
    tiles[1].metric(
        "Rank of change",
        "not ranked" if told["change_percentile"] is None else f"{told['change_percentile']:.0f} %",
        help=(
            f"Percentile rank: the share of {plain(told['role'])}s in cohort {plain(told['cohort'])}"
            + (f" (n = {told['group_n']})" if told["group_n"] is not None else "")
            + " whose change is at or below theirs (scipy percentileofscore, kind='weak'). Ranked only for "
            f"groups of at least {k}."
        ),
    )
    tiles = st.columns(2)
    tiles[0].metric(
        "Rank of post score",
        "not ranked" if told["post_percentile"] is None else f"{told['post_percentile']:.0f} %",
        help=f"Among {plain(told['role'])}s in cohort {plain(told['cohort'])}, the share scoring at or below them at post",
    )
    tiles[1].metric(
        "Goal attainment T",
        "no goals" if told["goal_t"] is None else f"{told['goal_t']:.0f}",
        help="Goal Attainment Scaling T-score: 50 means goals met as expected, 60 and above exceeded",
    )

with right:
    distribution = told["distribution"]
    if distribution is None:
        st.info(
            f"The distribution of {plain(told['role'])}s in cohort {plain(told['cohort'])} is not shown: "
            f"{SUPPRESSED_NOTE(k)} with both a pre and a post score."
        )
    else:
        group = chart_text(f"{told['role'].capitalize()}s, cohort {told['cohort']}")
        fig = go.Figure(
            report_charts.quartile_box(distribution, group, ROLE_COLOURS.get(told["role"], "#888"))
        )
        if change is not None:
            fig.add_scatter(
                x=[group],
                y=[change],
                mode="markers",
                name="This story",
                marker={"symbol": "diamond", "size": 16, "color": "#222"},
                hovertemplate=(
                    f"This story: %{{y:+.2f}}<br>percentile rank {told['change_percentile']:.0f} "
                    f"of n = {distribution['n']}<extra></extra>"
                ),
            )
        fig.add_hline(y=0, line_dash="dot", line_color="#888")
        style(
            fig,
            f"{spec.name}: change from pre to post",
            None,
            f"Change (points on a {spec.scale_min}-{spec.scale_max} scale)",
        )
        st.plotly_chart(fig, width="stretch", key="st_distribution")
        st.caption(
            f"How to read this: the box spans the middle half of the {distribution['n']} {told['role']}s in "
            "the cohort with pre and post scores (line: median; Harrell-Davis estimates, each a weighted "
            "average of everyone's change, so no edge is one person's); the diamond is this story. Above "
            "zero means the score rose. The extremes are not drawn: in a small group they are individuals."
        )

scores = told["scores"]
partner = told["partner"]
if scores.empty:
    st.info(f"They have no {spec.name.lower()} scores at the pre, mid or post survey.")
else:
    fig = go.Figure()
    fig.add_scatter(
        x=scores["wave"],
        y=scores["score"],
        mode="lines+markers",
        name=f"This story ({told['role']})",
        line={"color": ROLE_COLOURS.get(told["role"], "#222"), "width": 3},
        marker={"size": 10, "color": [WAVE_COLOURS.get(w, "#222") for w in scores["wave"]]},
        hovertemplate="%{x}: %{y:.2f} (n = 1, this participant)<extra></extra>",
    )
    if partner is not None and not partner["scores"].empty:
        fig.add_scatter(
            x=partner["scores"]["wave"],
            y=partner["scores"]["score"],
            mode="lines+markers",
            name=chart_text(f"Their partner, {partner['role']} ({partner['pseudonym'] or 'also consented'})"),
            line={"color": ROLE_COLOURS.get(partner["role"], "#888"), "dash": "dash"},
            hovertemplate="%{x}: %{y:.2f} (n = 1, partner)<extra></extra>",
        )
    fig.update_yaxes(range=[spec.scale_min - 0.2, spec.scale_max + 0.2])
    fig.update_xaxes(categoryorder="array", categoryarray=["pre", "mid", "post"])
    style(fig, f"{spec.name} at each survey", "Survey wave", f"Score ({spec.scale_min}-{spec.scale_max})")
    st.plotly_chart(fig, width="stretch", key="st_trajectory")
    st.caption(
        "How to read this: their own score at the pre, mid and post surveys"
        + (" and their partner's, who also agreed to share theirs" if partner is not None else "")
        + ". One person's path: read it against the distribution above, not on its own."
    )
