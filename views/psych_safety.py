"""Psychological safety: the organisation's pulse trend, by group, item by item, and alerts."""

import streamlit as st

from analytics import metrics
from analytics.instruments import CONSTRUCTS
from analytics.privacy import suppressed_note
from ui.figures import item_favourable_bars, pulse_line, pulse_lines_by_group
from ui.format import all_hidden, chart_text, hidden_mask, is_missing, plain, shown, signed
from ui.state import current_filters, query, thresholds

CONSTRUCT = "ps"
BREAKDOWNS = {"department": "Department", "grade": "Grade"}

st.title("Psychological safety")
filters = current_filters()
k, _ = thresholds()
note = suppressed_note(k, filters)
spec = CONSTRUCTS[CONSTRUCT]
scale = f"Mean score ({spec.scale_min}-{spec.scale_max})"
st.caption(
    f"{spec.description}, from the organisation-wide pulse surveys. Items 1, 3 and 5 are negatively "
    f"worded and reverse-scored. Any group of fewer than {k} people is hidden."
)

trend = query(metrics.pulse_trend, CONSTRUCT, None, filters)
if trend.empty:
    st.info("No pulse survey answers yet: import a pulse survey on the Upload page.")
    st.stop()
if all_hidden(trend):
    st.info(f"No pulse survey figure is shown for this selection: {note} in each pulse.")
    st.stop()

latest = metrics.latest_pulse(trend)
latest_wave, change = latest["wave"], latest["change"]
latest_hidden = bool(latest["suppressed"])
tiles = st.columns(3)
tiles[0].metric(
    f"Latest pulse, {plain(latest_wave)}",
    note if latest_hidden else f"{latest['mean']:.2f}",
    delta=None if is_missing(change) else f"{signed(change)} on the pulse before",
    help=scale if latest_hidden else f"{scale}; n = {int(latest['n'])}",
)
tiles[1].metric("Favourable answers", note if latest_hidden else f"{latest['favourable_pct']:.0f} %")
tiles[2].metric(
    "People answering",
    "hidden" if latest_hidden else f"{int(latest['n']):,}",
    help=f"Opened {latest['opened_on']:%d %b %Y}"
    + (", anonymous" if latest["anonymous"] else ", confidential"),
)
fig = pulse_line(trend, title="Psychological safety across the organisation, pulse by pulse", y_title=scale)
st.plotly_chart(fig, width="stretch", key="ps_trend")
st.caption(
    "How to read this: the mean of everyone who answered each pulse, with its 95 % confidence interval; "
    "hover for n. Overlapping intervals mean the change may be chance. An open diamond marks an anonymous "
    "pulse: mostly the same people as the confidential one, so it is shown as its own point, not pooled."
)

st.subheader("By group")
breakdown = st.radio(
    "Break down by", list(BREAKDOWNS), format_func=BREAKDOWNS.get, key="ps_breakdown", horizontal=True
)
groups = query(metrics.pulse_trend, CONSTRUCT, [breakdown], filters)
if all_hidden(groups):
    st.info(f"No {BREAKDOWNS[breakdown].lower()} is shown on its own: {note}, or to protect a smaller group.")
else:
    title = f"Psychological safety by {BREAKDOWNS[breakdown].lower()}"
    fig = pulse_lines_by_group(groups, breakdown, title=title, y_title=scale)
    st.plotly_chart(fig, width="stretch", key="ps_groups")
    hidden = sorted(set(groups.loc[hidden_mask(groups), breakdown].map(plain)))
    small = sorted(set(shown(groups).loc[lambda f: f["n"] < 2 * k, breakdown].map(plain)))
    st.caption(
        "How to read this: one line per group; hover for n. "
        + (
            f"Hidden in at least one pulse ({note}, or to protect a smaller group): {', '.join(hidden)}. "
            if hidden
            else ""
        )
        + (
            f"Small samples (under {2 * k} people in a pulse), read with care: {', '.join(small)}."
            if small
            else ""
        )
    )

st.subheader("Which items drag the score down")
items = query(metrics.item_favourable, CONSTRUCT, None, filters, [latest_wave])
if items.empty or all_hidden(items):
    st.info(f"Item figures are hidden: {note}.")
else:
    fig = item_favourable_bars(
        items,
        title=f"% favourable per item, {chart_text(latest_wave)}",
        x_title="Favourable answers (% of people answering, 5-7 of 7 after reverse coding)",
    )
    st.plotly_chart(fig, width="stretch", key="ps_items")
    st.caption(
        "How to read this: the share of people agreeing (5-7 on the 7-point scale) with the positive reading "
        "of each item; for reversed items that means disagreeing with the negative wording. The top bar, "
        "the least favourable, is the item holding the score down."
    )
    st.dataframe(
        shown(items)
        .sort_values("favourable_pct")[["item_id", "text", "n", "favourable_pct"]]
        .rename(columns={"favourable_pct": "% favourable"}),
        hide_index=True,
        key="ps_item_table",
        column_config={"% favourable": st.column_config.NumberColumn(format="%.0f")},
    )

st.subheader("Alerts")
drop = st.slider(
    f"Alert when a group's mean fell by more than (points on the {spec.scale_min}-{spec.scale_max} scale)",
    min_value=0.0,
    max_value=1.0,
    value=0.2,
    step=0.05,
    key="ps_alert_drop",
)
alerts = query(metrics.score_alerts, CONSTRUCT, breakdown, drop, filters)
if alerts.empty:
    st.success(
        f"No {BREAKDOWNS[breakdown].lower()} fell by more than {drop:.2f} since the previous pulse "
        f"(only groups of at least {k} people in both months are checked)."
    )
else:
    previous, current = alerts["previous_wave"].iloc[0], alerts["latest_wave"].iloc[0]
    st.warning(
        f"{len(alerts)} {'group' if len(alerts) == 1 else 'groups'} fell by more than {drop:.2f} from "
        f"{plain(previous)} to {plain(current)}."
    )
    st.dataframe(
        alerts[[breakdown, "before", "after", "change", "n_before", "n"]].rename(
            columns={"before": previous, "after": current, "n_before": f"n {previous}", "n": f"n {current}"}
        ),
        hide_index=True,
        key="ps_alerts",
        column_config={
            c: st.column_config.NumberColumn(format="%.2f") for c in [previous, current, "change"]
        },
    )
