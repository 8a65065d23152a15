"""Stories: one consented participant's experience, set against the aggregate it belongs to."""

import streamlit as st

from analytics import stories
from analytics.errors import MutualError
from analytics.instruments import CONSTRUCTS
from analytics.privacy import SUPPRESSED_NOTE
from ui.figures import ROLE_COLOURS, quartile_box, story_change, story_trajectory
from ui.format import chart_text, percent, plain, signed
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
        f"Their comment in the {plain(told['text_wave'])} survey. Tone {signed(told['compound'])} (VADER, −1 to +1): "
        f"at or above {percent(told['story_percentile'])} of all comments."
    )
    tiles = st.columns(2)
    change = told["change"]
    tiles[0].metric(
        "Change, pre to post",
        "not available" if change is None else signed(change),
        help=f"{spec.name}: their post score minus their pre score, on the {spec.scale_min}-{spec.scale_max} scale",
    )
    tiles[1].metric(
        "Rank of change",
        "not ranked" if told["change_percentile"] is None else percent(told["change_percentile"]),
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
        "not ranked" if told["post_percentile"] is None else percent(told["post_percentile"]),
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
        fig = story_change(
            quartile_box(distribution, group, ROLE_COLOURS.get(told["role"], "#888")),
            group,
            change,
            percentile=told["change_percentile"],
            n=distribution["n"],
            title=f"{spec.name}: change from pre to post",
            y_title=f"Change (points on a {spec.scale_min}-{spec.scale_max} scale)",
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
    fig = story_trajectory(
        scores,
        told["role"],
        partner,
        scale=(spec.scale_min, spec.scale_max),
        title=f"{spec.name} at each survey",
        y_title=f"Score ({spec.scale_min}-{spec.scale_max})",
    )
    st.plotly_chart(fig, width="stretch", key="st_trajectory")
    st.caption(
        "How to read this: their own score at the pre, mid and post surveys"
        + (" and their partner's, who also agreed to share theirs" if partner is not None else "")
        + ". One person's path: read it against the distribution above, not on its own."
    )
