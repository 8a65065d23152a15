"""Mutual: the entry point. Page config, navigation over views/, and the shared sidebar filters."""

from pathlib import Path

import streamlit as st

from analytics import privacy
from analytics.errors import MutualError
from analytics.filters import ATTRIBUTE_LABELS, ATTRIBUTES, filter_options
from ui.errors import message, run_guarded
from ui.state import FILTERS_KEY, cursor, query

# The icon is a file served by the app itself: a :material/...: icon would make the browser fetch it from Google.
ICON = Path(__file__).resolve().parent / "ui" / "icon.png"
st.set_page_config(page_title="Mutual", page_icon=str(ICON), layout="wide")

try:  # an unusable privacy threshold stops everything: no page runs with privacy weakened by a typo
    privacy.thresholds()
except MutualError as error:
    st.error(message(error), icon=":material/error:")
    st.stop()


pages = {
    "Programme": [
        st.Page("views/overview.py", title="Overview", icon=":material/dashboard:", default=True),
        st.Page("views/pre_mid_post.py", title="Pre / mid / post", icon=":material/trending_up:"),
        st.Page("views/cohort_outcomes.py", title="Cohort outcomes", icon=":material/grid_on:"),
        st.Page("views/goals_participation.py", title="Goals and participation", icon=":material/flag:"),
        st.Page("views/retention.py", title="Retention", icon=":material/groups:"),
        st.Page("views/report.py", title="Report", icon=":material/description:"),
    ],
    "Organisation": [
        st.Page("views/psych_safety.py", title="Psychological safety", icon=":material/health_and_safety:"),
    ],
    "Voices": [
        st.Page("views/feedback.py", title="Feedback", icon=":material/forum:"),
        st.Page("views/stories.py", title="Stories", icon=":material/auto_stories:"),
    ],
    "Programme design": [
        st.Page("views/matching.py", title="Matching", icon=":material/handshake:"),
    ],
    "Data": [
        st.Page("views/upload.py", title="Upload", icon=":material/upload_file:"),
    ],
}
navigation = st.navigation(pages)


def sidebar_filters() -> None:
    """The filters every page shares, stored in the session for `ui.state.current_filters`."""
    cursor()  # opens the database (loading the sample into an empty one) before any page runs
    with st.sidebar:
        st.markdown("### Filters")
        st.caption(
            "Apply to every page. Groups smaller than the privacy threshold are never shown, and a "
            "filtered figure is hidden when setting it against another filter would reveal such a group."
        )
        options = query(filter_options)
        chosen = {}
        for attribute in ATTRIBUTES:
            if options.get(attribute):
                chosen[attribute] = st.multiselect(
                    ATTRIBUTE_LABELS[attribute],
                    options[attribute],
                    key=f"filter_{attribute}",
                    placeholder="All",
                )
        st.session_state[FILTERS_KEY] = chosen


run_guarded(lambda: (sidebar_filters(), navigation.run()))
