"""Matching: propose mentor-mentee pairs for a cohort's applications, adjust them, and import the roster."""

import datetime

import streamlit as st

from analytics import match_data, match_outcomes, matching
from analytics.errors import MutualError
from analytics.filters import ATTRIBUTE_LABELS, ATTRIBUTES, PROGRAMME_ATTRIBUTES
from analytics.ingest.load import import_files
from analytics.privacy import suppressed_note
from analytics.safe_output import safe_csv
from ui import matching_panels as panels
from ui.errors import message
from ui.state import clear_caches, cursor, query, thresholds
from ui.upload_panels import import_messages

st.title("Matching")
st.caption(
    "Pairs for a cohort from its applications: every pair obeys the rules switched on, scores as high as "
    "possible on the weighted components, and comes with a sentence saying why it was made."
)
k, _ = thresholds()
note = suppressed_note(k, {})
PERSON = [a for a in ATTRIBUTES if a not in PROGRAMME_ATTRIBUTES]  # the employees file's attributes

cohorts = query(match_data.cohorts_with_applications)
if not cohorts:
    st.info(
        "No applications yet: upload an applications file on the Upload page (its columns are described "
        "in docs/templates.md, and the Upload page offers the template) to propose pairs for a cohort."
    )
    st.stop()


def _forget() -> None:
    for name in ("match_proposed", "match_locked", "match_excluded", *panels.SETTING_KEYS):
        st.session_state.pop(name, None)


cohort = st.selectbox(  # the latest cohort first: the one being matched
    "Cohort", cohorts, index=len(cohorts) - 1, key="match_cohort", on_change=_forget
)

saved = match_data.saved_settings(cursor(), cohort)
weights, lens, rules, method = panels.settings(PERSON, saved)


def _save() -> dict:
    match_data.save_settings(cursor(), cohort, weights=weights, rules=rules, method=method, lens=lens)
    return match_data.saved_settings(cursor(), cohort)


panels.save_button(cohort, saved, _save)

if st.button("Propose pairs", type="primary", key="match_propose"):
    st.session_state["match_proposed"] = True
if not st.session_state.get("match_proposed"):
    st.caption("Set the weights and rules, then propose pairs. Locks and exclusions re-run the proposal.")
    st.stop()

locked = tuple(st.session_state.get("match_locked", ()))
excluded = tuple(st.session_state.get("match_excluded", ()))


def adjust(proposed: list[tuple[str, str]]) -> None:
    """The lock and exclude lists, kept in the session and passed to the next proposal."""
    lock_col, exclude_col = st.columns(2)
    lock_col.multiselect(
        "Lock pairs (kept in every re-run)",
        sorted({*proposed, *locked} - set(excluded)),
        format_func=panels.pair_label,
        key="match_locked",
    )
    exclude_col.multiselect(
        "Exclude pairs (never proposed)",
        sorted({*proposed, *excluded} - set(locked)),
        format_func=panels.pair_label,
        key="match_excluded",
    )


try:
    proposal = query(
        match_data.propose_for,
        cohort,
        weights=weights,
        rules=rules,
        method=method,
        lens=tuple(lens),
        locked=locked,
        excluded=excluded,
    )
except MutualError as error:
    st.error(message(error), icon=":material/error:")
    adjust([])  # so that a lock the rules now refuse can be taken off
    st.stop()

pairs = proposal.pairs
st.subheader(f"Proposed pairs: {len(pairs):,}")
if len(pairs):
    st.caption(f"Mean score {pairs['score'].mean():.2f}, lowest {pairs['score'].min():.2f}.")
panels.proposals_table(proposal)
proposed = [(str(a), str(b)) for a, b in zip(pairs["mentor_id"], pairs["mentee_id"], strict=True)]
adjust(proposed)

st.subheader("Rules")
panels.rules_table(proposal)
st.subheader("Unmatched")
panels.unmatched_table(proposal)

st.subheader("Fairness check")
attribute = st.selectbox(
    "Match scores by",
    PERSON,
    format_func=ATTRIBUTE_LABELS.get,
    key="match_fair_by",
    index=PERSON.index("gender"),
)
employees = query(match_data.match_inputs, cohort).employees
if attribute not in employees.columns:
    st.info(f"The employees file records no {ATTRIBUTE_LABELS[attribute].lower()}.")
else:
    panels.fairness_table(matching.fairness(proposal, employees, group_by=[attribute]), attribute, note)
    st.caption(
        "How to read this: each group's match scores, mentors and mentees apart (a mentor's is the mean of "
        f"their pairs'). A group of fewer than {k} people is not shown, nor the next-smallest."
    )

st.subheader("Roster")
start = st.date_input("Programme start date", datetime.date.today(), key="match_start")
roster = match_data.roster(proposal, cohort, start)
data = safe_csv(roster)
download, load = st.columns(2)
download.download_button(
    "Download the roster (CSV)", data, f"roster_{cohort}.csv", "text/csv", key="match_download"
)
if load.button("Import as the cohort's roster", key="match_import", disabled=roster.empty):
    try:
        results = import_files(cursor(), [(f"roster_{cohort}.csv", data)], kind="participants")
    except MutualError as error:
        st.error(message(error), icon=":material/error:")
    else:
        clear_caches()
        import_messages(results)

with st.expander("Which matches work"):
    past = query(match_data.past_pairs, weights=weights)
    if past.empty:
        st.info("No past pairs with both applications and outcomes yet.")
    else:
        outcome = st.selectbox(
            "Outcome",
            list(match_outcomes.OUTCOMES),
            format_func=lambda o: match_outcomes.OUTCOMES[o].label,
            key="match_outcome",
        )
        panels.outcomes_panel(past, outcome, note)
