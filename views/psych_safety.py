"""Psychological safety: the organisation's pulse trend, by group, item by item, and alerts."""

import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from analytics import metrics
from analytics.instruments import CONSTRUCTS
from analytics.privacy import suppressed_note
from ui.figures import WAVE_COLOURS, style
from ui.format import all_hidden, chart_frame, chart_text, hidden_mask, plain, shown
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

pair = metrics.last_two_pulses(trend)
by_wave = trend.set_index("wave")
latest = by_wave.loc[pair[1]] if pair else trend.iloc[-1]
latest_wave = pair[1] if pair else latest["wave"]
change = latest["mean"] - by_wave.loc[pair[0], "mean"] if pair else float("nan")
latest_hidden = bool(latest["suppressed"])
tiles = st.columns(3)
tiles[0].metric(
    f"Latest pulse, {plain(latest_wave)}",
    note if latest_hidden else f"{latest['mean']:.2f}",
    delta=None if change != change else f"{change:+.2f} on the pulse before",
    help=scale if latest_hidden else f"{scale}; n = {int(latest['n'])}",
)
tiles[1].metric("Favourable answers", note if latest_hidden else f"{latest['favourable_pct']:.0f} %")
tiles[2].metric(
    "People answering",
    "hidden" if latest_hidden else f"{int(latest['n']):,}",
    help=f"Opened {latest['opened_on']:%d %b %Y}"
    + (", anonymous" if latest["anonymous"] else ", confidential"),
)
drawn = chart_frame(shown(trend), ["wave"])

fig = go.Figure(
    go.Scatter(
        x=drawn["opened_on"],
        y=drawn["mean"],
        mode="lines+markers",
        line={"color": WAVE_COLOURS["pulse"]},
        marker={
            "symbol": drawn["anonymous"].map({True: "diamond-open", False: "circle"}).tolist(),
            "size": 9,
        },
        error_y={
            "type": "data",
            "symmetric": False,
            "array": (drawn["ci_high"] - drawn["mean"]).tolist(),
            "arrayminus": (drawn["mean"] - drawn["ci_low"]).tolist(),
        },
        customdata=drawn[["n", "favourable_pct", "wave"]].to_numpy(),
        hovertemplate="%{customdata[2]} (%{x|%d %b %Y}): %{y:.2f}<br>%{customdata[1]:.0f} % favourable"
        "<br>n = %{customdata[0]}<extra></extra>",
        name="Organisation",
    )
)
style(fig, "Psychological safety across the organisation, pulse by pulse", "Date the pulse opened", scale)
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
visible = chart_frame(shown(groups), [breakdown, "wave"])
if all_hidden(groups):
    st.info(f"No {BREAKDOWNS[breakdown].lower()} is shown on its own: {note}, or to protect a smaller group.")
else:
    fig = px.line(
        visible,
        x="opened_on",
        y="mean",
        color=breakdown,
        markers=True,
        custom_data=["n", "favourable_pct", "wave", breakdown],
    )
    fig.update_traces(
        hovertemplate="%{customdata[3]}, %{customdata[2]}: %{y:.2f}<br>%{customdata[1]:.0f} % favourable"
        "<br>n = %{customdata[0]}<extra></extra>"
    )
    style(fig, f"Psychological safety by {BREAKDOWNS[breakdown].lower()}", "Date the pulse opened", scale)
    fig.update_layout(legend={"orientation": "v", "x": 1.02, "xanchor": "left", "y": 1, "yanchor": "top"})
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
latest_pulse = latest_wave
items = query(metrics.item_favourable, CONSTRUCT, None, filters, [latest_pulse])
if items.empty or all_hidden(items):
    st.info(f"Item figures are hidden: {note}.")
else:
    table = shown(items).sort_values("favourable_pct")
    items = chart_frame(table, ["item_id", "text"])
    items = items.assign(
        shown=items["favourable_pct"].map(lambda v: f"{v:.0f} %"),
        label=items["item_id"].str.replace("ps_", "Item ")
        + items["reverse"].map({True: " (reversed)", False: ""}),
    )
    fig = px.bar(
        items,
        x="favourable_pct",
        y="label",
        orientation="h",
        custom_data=["text", "n", "mean"],
        color_discrete_sequence=[WAVE_COLOURS["pulse"]],
        text="shown",
    )
    fig.update_traces(
        hovertemplate="%{customdata[0]}<br>%{x:.1f} % favourable, mean %{customdata[2]:.2f} after reverse coding"
        "<br>n = %{customdata[1]}<extra></extra>"
    )
    fig.update_xaxes(range=[0, 100])
    fig.update_yaxes(categoryorder="total descending")  # the lowest bar on top
    style(
        fig,
        f"% favourable per item, {chart_text(latest_pulse)}",
        "Favourable answers (% of people answering, 5-7 of 7 after reverse coding)",
        "Item",
    )
    st.plotly_chart(fig, width="stretch", key="ps_items")
    st.caption(
        "How to read this: the share of people agreeing (5-7 on the 7-point scale) with the positive reading "
        "of each item; for reversed items that means disagreeing with the negative wording. The top bar, "
        "the least favourable, is the item holding the score down."
    )
    st.dataframe(
        table[["item_id", "text", "n", "favourable_pct"]].rename(columns={"favourable_pct": "% favourable"}),
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
