"""One look for every chart, on the pages and in the sponsor report: the colours and the house layout.
No Streamlit here, so `analytics.report` draws with it too."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from ui.format import chart_frame, chart_text, hidden_mask, p_text, reasons, shown, signed

__all__ = [
    "quadrant_bars",
    "quartile_box",
    "WAVE_COLOURS",
    "ROLE_COLOURS",
    "GROUP_COLOURS",
    "SENTIMENT_COLOURS",
    "SUPPRESSED",
    "DIVERGING",
    "style",
    "tone_bars",
    "tone_by_group_bars",
    "theme_map",
    "theme_waves",
    "gas_histogram",
    "gas_by_group",
    "sessions_per_month",
    "story_change",
    "story_trajectory",
    "wave_means",
    "role_changes",
    "participants_vs_others",
    "group_heatmap",
    "equity_gap_bars",
    "pulse_line",
    "pulse_lines_by_group",
    "item_favourable_bars",
    "survival_curves",
    "response_rate_bars",
    "match_tercile_bars",
]

# Colours that mean the same thing everywhere: on every page and in the sponsor report.
WAVE_COLOURS = {"pre": "#9aa5ad", "mid": "#5fa8b0", "post": "#1b6b73", "pulse": "#6c5b9e"}
ROLE_COLOURS = {"mentor": "#d08c2c", "mentee": "#3d6fb6"}
GROUP_COLOURS = {"participants": "#1b6b73", "comparison": "#9aa5ad"}
SENTIMENT_COLOURS = {"positive": "#2e8b57", "neutral": "#b0b7bd", "negative": "#c0392b"}
SUPPRESSED = "#e4e7ea"
DIVERGING = "RdYlGn"  # scores: red low, green high


def style(fig: go.Figure, title: str, x_title: str | None = None, y_title: str | None = None) -> go.Figure:
    """Apply the house layout: a title, labelled axes, a readable font, a legend above the plot."""
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 17}},
        template="plotly_white",
        font={"size": 13},
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1},
        hoverlabel={"font_size": 13},
    )
    if x_title is not None:
        fig.update_xaxes(title_text=x_title)
    if y_title is not None:
        fig.update_yaxes(title_text=y_title)
    return fig


# Free-text feedback (views/feedback.py)


def tone_bars(frame: pd.DataFrame, x: str, title: str, x_title: str) -> go.Figure:
    """Stacked % negative / neutral / positive per period of the shown rows, n and mean score on hover."""
    frame = chart_frame(shown(frame), [x])
    fig = go.Figure()
    for band in ("negative", "neutral", "positive"):
        fig.add_bar(
            x=frame[x],
            y=frame[f"{band}_pct"],
            name=band.capitalize(),
            marker_color=SENTIMENT_COLOURS[band],
            customdata=frame[["n", "comments", "mean_compound"]],
            hovertemplate=(
                f"%{{x}}: %{{y:.0f}} % {band}<br>%{{customdata[1]:.0f}} comments from %{{customdata[0]:.0f}} "
                "people<br>mean score %{customdata[2]:+.2f}<extra></extra>"
            ),
        )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(type="category")
    fig.update_yaxes(range=[0, 100])
    return style(fig, title, x_title, "Comments (%)")


def tone_by_group_bars(frame: pd.DataFrame, group: str, *, missing: str, note: str, title: str) -> go.Figure:
    """Mean comment tone per group, a hidden group as a grey bar that says why and nothing else.

    `missing` names the group without a value of `group`; `note` is the reason of a hidden row without one.
    """
    hidden_rows = hidden_mask(frame)
    frame = frame.assign(
        label=frame[group].fillna(missing).astype(str).map(chart_text),
        value=frame["mean_compound"].fillna(0.0).where(~hidden_rows, 0.0),
        note=reasons(frame, note).map(chart_text),
    )
    for column in ["n", "positive_pct", "negative_pct"]:  # a hidden group's hover says nothing
        frame[column] = pd.to_numeric(frame[column], errors="coerce").where(~hidden_rows)
    colours = [
        SUPPRESSED if s else SENTIMENT_COLOURS["positive" if v >= 0 else "negative"]
        for s, v in zip(hidden_rows, frame["value"], strict=True)
    ]
    fig = go.Figure(
        go.Bar(
            x=frame["value"],
            y=frame["label"],
            orientation="h",
            marker_color=colours,
            text=[why or signed(v) for why, v in zip(frame["note"], frame["value"], strict=True)],
            customdata=frame[["n", "positive_pct", "negative_pct", "note"]],
            hovertemplate=[
                "%{y}: %{customdata[3]}<extra></extra>"
                if s
                else "%{y}: mean score %{x:+.2f}<br>n = %{customdata[0]:.0f} people<br>"
                "%{customdata[1]:.0f} % positive, %{customdata[2]:.0f} % negative<extra></extra>"
                for s in hidden_rows
            ],
        )
    )
    fig.update_xaxes(range=[-1, 1], zeroline=True)
    return style(fig, title, "Mean VADER score (−1 to +1)", None)


def theme_map(themes: pd.DataFrame) -> go.Figure:
    """The shown themes as bubbles: share of comments across, mean tone up, people as size."""
    mapped = chart_frame(shown(themes), ["name", "top_terms"])
    fig = px.scatter(
        mapped,
        x="share",
        y="mean_compound",
        size="n",
        text="name",
        custom_data=["n", "comments", "top_terms"],
    )
    fig.update_traces(
        textposition="top center",
        marker={"color": "#1b6b73", "opacity": 0.7},
        hovertemplate=(
            "<b>%{text}</b><br>%{x:.0f} % of comments (%{customdata[1]} from %{customdata[0]} people)<br>"
            "mean score %{y:+.2f}<br>terms: %{customdata[2]}<extra></extra>"
        ),
    )
    fig.add_hline(y=0, line_dash="dot", line_color="#888")
    return style(
        fig,
        "Theme map: how common each theme is and how it feels",
        "Share of comments (%)",
        "Mean VADER score (−1 to +1)",
    )


def theme_waves(by_wave: pd.DataFrame, names: pd.Series) -> go.Figure:
    """Share of each wave's comments per theme (rows in the order of `names`); a hidden cell is blank."""
    by_wave = chart_frame(by_wave, ["wave", "name"])
    waves = by_wave.drop_duplicates("wave")["wave"].tolist()
    named = by_wave[by_wave["theme_id"] > 0].assign(
        n=lambda f: pd.to_numeric(f["n"], errors="coerce").where(~hidden_mask(f))  # no n in a blank cell
    )
    names = names.map(chart_text)
    grid = named.pivot(index="name", columns="wave", values="share").reindex(index=names, columns=waves)
    people = named.pivot(index="name", columns="wave", values="n").reindex(index=names, columns=waves)
    fig = go.Figure(
        go.Heatmap(
            z=grid.to_numpy(),
            x=waves,
            y=grid.index.tolist(),
            customdata=people.to_numpy(),
            colorscale="Teal",
            colorbar={"title": "% of the<br>wave's comments"},
            hovertemplate="%{y}<br>%{x}: %{z:.0f} % of comments<br>n = %{customdata:.0f} people<extra></extra>",
            hoverongaps=False,
        )
    )
    fig.update_xaxes(type="category")
    return style(fig, "Themes over time", "Survey wave (in date order)", None)


# Goals and participation (views/goals_participation.py)


def gas_histogram(bands: pd.DataFrame, wave: str, n: int) -> go.Figure:
    """Participants per GAS T-score band; a hidden band keeps its place on the axis and has no bar."""
    fig = px.bar(
        shown(bands),
        x="band",
        y="n",
        category_orders={"band": list(bands["band"])},
        color_discrete_sequence=[WAVE_COLOURS[wave]],
    )
    fig.update_traces(hovertemplate="T-score %{x}<br>%{y} participants<extra></extra>")
    return style(
        fig,
        f"Goal Attainment T-scores at {wave} (n = {n:,})",
        "GAS T-score band (50 = goals met as expected)",
        "Participants",
    )


def gas_by_group(by_group: pd.DataFrame) -> go.Figure:
    """Mean GAS T-score of each shown cohort and role, against the 50 of goals met as expected."""
    visible = chart_frame(shown(by_group), ["cohort", "role"])
    fig = px.bar(
        visible,
        x="cohort",
        y="mean_t",
        color="role",
        barmode="group",
        color_discrete_map=ROLE_COLOURS,
        custom_data=["n", "met_pct", "sd_t"],
        text=visible["mean_t"].map(lambda v: f"{v:.1f}"),
    )
    fig.update_traces(
        hovertemplate="%{x}, %{fullData.name}: mean T %{y:.1f} (SD %{customdata[2]:.1f})"
        "<br>%{customdata[1]:.0f} % of goals met<br>n = %{customdata[0]}<extra></extra>"
    )
    fig.add_hline(y=50, line_dash="dash", line_color="#333")
    return style(fig, "Mean GAS T-score by cohort and role", "Cohort", "Mean GAS T-score (50 = as expected)")


def sessions_per_month(months: pd.DataFrame) -> go.Figure:
    """Mentoring sessions logged per calendar month, pairs that met and minutes on hover."""
    fig = px.bar(
        months, x="month", y="sessions", custom_data=["pairs", "minutes"], color_discrete_sequence=["#1b6b73"]
    )
    fig.update_traces(
        hovertemplate="%{x|%b %Y}: %{y} sessions<br>%{customdata[0]} pairs met<br>%{customdata[1]} minutes"
        "<extra></extra>"
    )
    return style(fig, "Mentoring sessions logged per month", "Month", "Sessions logged (count)")


# Stories (views/stories.py)


def story_change(
    box: go.Box,
    group: str,
    change: float | None,
    *,
    percentile: float | None,
    n: int,
    title: str,
    y_title: str,
) -> go.Figure:
    """The group's change from pre to post as `box` (quartile_box), this story's
    change as a diamond on it."""
    fig = go.Figure(box)
    if change is not None:
        fig.add_scatter(
            x=[group],
            y=[change],
            mode="markers",
            name="This story",
            marker={"symbol": "diamond", "size": 16, "color": "#222"},
            hovertemplate=f"This story: %{{y:+.2f}}<br>percentile rank {percentile:.0f} of n = {n}<extra></extra>",
        )
    fig.add_hline(y=0, line_dash="dot", line_color="#888")
    return style(fig, title, None, y_title)


def story_trajectory(
    scores: pd.DataFrame,
    role: str,
    partner: dict | None,
    *,
    scale: tuple[float, float],
    title: str,
    y_title: str,
) -> go.Figure:
    """One participant's score at each programme wave, and their consenting partner's as a dashed line."""
    fig = go.Figure()
    fig.add_scatter(
        x=scores["wave"],
        y=scores["score"],
        mode="lines+markers",
        name=f"This story ({role})",
        line={"color": ROLE_COLOURS.get(role, "#222"), "width": 3},
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
    fig.update_yaxes(range=[scale[0] - 0.2, scale[1] + 0.2])
    fig.update_xaxes(categoryorder="array", categoryarray=["pre", "mid", "post"])
    return style(fig, title, "Survey wave", y_title)


# Outcomes: pre / mid / post, cohorts, psychological safety, retention and the overview.

_PROGRAMME_WAVES = ["pre", "mid", "post"]
_DIRECTION_COLOURS = {"above": "#2e8b57", "in line": "#b0b7bd", "below": "#c0392b"}


def _error_bars(frame: pd.DataFrame, value: str = "mean") -> dict:
    """Asymmetric error bars from ci_low/ci_high around `value`."""
    return {
        "type": "data",
        "symmetric": False,
        "array": (frame["ci_high"] - frame[value]).tolist(),
        "arrayminus": (frame[value] - frame["ci_low"]).tolist(),
    }


def wave_means(waves: pd.DataFrame, *, name: str, scale: tuple[int, int], note: str) -> go.Figure:
    """The mean at each programme wave with its 95 % CI; a hidden wave is named with why, never its n."""
    hidden = waves[hidden_mask(waves)]
    drawn = shown(waves)
    drawn = drawn.assign(
        plus=drawn["ci_high"] - drawn["mean"], minus=drawn["mean"] - drawn["ci_low"], n=drawn["n"].astype(int)
    )
    fig = px.bar(
        drawn,
        x="wave",
        y="mean",
        color="wave",
        color_discrete_map=WAVE_COLOURS,
        error_y="plus",
        error_y_minus="minus",
        custom_data=["n", "ci_low", "ci_high"],
        category_orders={"wave": _PROGRAMME_WAVES},
    )
    fig.update_traces(
        hovertemplate="%{x}: mean %{y:.2f}<br>95 % CI %{customdata[1]:.2f} to %{customdata[2]:.2f}"
        "<br>n = %{customdata[0]}<extra></extra>"
    )
    if not hidden.empty:  # the wave is named (pre, mid, post are the programme's), its n is not
        fig.add_scatter(
            x=hidden["wave"],
            y=[(scale[0] + scale[1]) / 2] * len(hidden),
            mode="text",
            text=[note] * len(hidden),
            hovertemplate="%{x}: " + note + "<extra></extra>",
            showlegend=False,
        )
    fig.update_yaxes(range=list(scale))
    style(fig, f"{name} at each survey", "Survey wave", f"Mean score ({scale[0]}-{scale[1]})")
    fig.update_layout(showlegend=False)
    return fig


def role_changes(roles: pd.DataFrame, *, note: str, y_title: str) -> go.Figure:
    """Mentors' and mentees' mean within-person change with 95 % CIs (the shown roles only)."""
    roles = chart_frame(shown(roles), ["role"])
    roles = roles.assign(
        change=roles["mean_change"].fillna(0),
        plus=roles["ci_high"] - roles["mean_change"],
        minus=roles["mean_change"] - roles["ci_low"],
        label=roles["mean_change"].map(lambda v: note if pd.isna(v) else ""),
        change_text=roles["mean_change"].map(lambda v: note if pd.isna(v) else signed(v)),
        p=roles["t_p"].map(lambda v: p_text(v, label=False)),
        n=roles["n"].astype(int),
    )
    fig = px.bar(
        roles,
        x="role",
        y="change",
        color="role",
        color_discrete_map=ROLE_COLOURS,
        error_y="plus",
        error_y_minus="minus",
        text="label",
        custom_data=["n", "cohen_dz", "p", "change_text"],
    )
    fig.update_traces(
        hovertemplate="%{x}: change %{customdata[3]}<br>d_z %{customdata[1]:.2f}, p %{customdata[2]}"
        "<br>n = %{customdata[0]}<extra></extra>"
    )
    fig.add_hline(y=0, line_color="#666", line_width=1)
    style(fig, "Who gained: mentors vs mentees", "Role", y_title)
    fig.update_layout(showlegend=False)
    return fig


def participants_vs_others(trend: pd.DataFrame, *, name: str, scale: tuple[int, int]) -> go.Figure:
    """Pulse means with 95 % CIs, participants against everyone else (the shown cells only)."""
    fig = go.Figure()
    drawn = chart_frame(shown(trend), ["wave"])
    for group, label in [("participants", "Programme participants"), ("comparison", "Everyone else")]:
        part = drawn[drawn["group"] == group]
        fig.add_scatter(
            x=part["opened_on"],
            y=part["mean"],
            name=label,
            mode="lines+markers",
            line_color=GROUP_COLOURS[group],
            error_y=_error_bars(part),
            customdata=part[["wave", "n"]].astype(str).to_numpy(),
            hovertemplate="%{customdata[0]}: mean %{y:.2f}<br>n = %{customdata[1]}<extra>"
            + label
            + "</extra>",
        )
    fig.update_yaxes(range=list(scale))
    return style(
        fig, f"{name} by pulse month", "Pulse survey (month opened)", f"Mean score ({scale[0]}-{scale[1]})"
    )


def _cell_text(frame: pd.DataFrame, value: str, fmt: str, k: int, note: str) -> pd.Series:
    """What a heatmap cell says: the value and n, a flag for small samples, or why it is hidden (no n)."""
    hidden = hidden_mask(frame)
    n = pd.to_numeric(frame["n"], errors="coerce")
    text = pd.Series("", index=frame.index, dtype="object")
    for position in frame.index[~hidden]:
        small = " (small)" if n[position] < 2 * k else ""
        text[position] = f"{format(frame.at[position, value], fmt)}<br>n={int(n[position])}{small}"
    return text.where(~hidden, reasons(frame, note).map(chart_text))


def group_heatmap(
    frame: pd.DataFrame,
    rows: str,
    columns: str,
    value: str,
    *,
    fmt: str,
    k: int,
    note: str,
    zrange: tuple,
    unit: str,
) -> go.Figure:
    """Groups x columns coloured by value; a hidden cell grey and saying why, with no n."""
    frame = chart_frame(frame, [rows, columns]).assign(
        text=_cell_text(frame, value, fmt, k, note),
        grey=hidden_mask(frame).map({True: 1.0}),
        n=pd.to_numeric(frame["n"], errors="coerce").where(~hidden_mask(frame)),  # no n for a hidden cell
    )
    row_order = list(dict.fromkeys(frame[rows]))
    column_order = list(dict.fromkeys(frame[columns]))

    def grid(column: str) -> pd.DataFrame:
        table = frame.pivot(index=rows, columns=columns, values=column)
        return table.reindex(index=row_order, columns=column_order)

    x, y = [str(c) for c in column_order], [str(r) for r in row_order]
    fig = go.Figure()
    fig.add_trace(
        go.Heatmap(
            z=grid(value).astype("float64").to_numpy(),
            x=x,
            y=y,
            text=grid("text").to_numpy(),
            customdata=grid("n").to_numpy(),
            texttemplate="%{text}",
            colorscale=DIVERGING,
            zmin=zrange[0],
            zmax=zrange[1],
            hovertemplate=f"%{{y}}, %{{x}}<br>%{{z:{fmt}}}<br>n = %{{customdata}}<extra></extra>",
            colorbar={"title": {"text": unit}},
            hoverongaps=False,
        )
    )
    fig.add_trace(
        go.Heatmap(
            z=grid("grey").astype("float64").to_numpy(),
            x=x,
            y=y,
            text=grid("text").to_numpy(),
            texttemplate="%{text}",
            colorscale=[[0, SUPPRESSED], [1, SUPPRESSED]],
            showscale=False,
            hovertemplate="%{y}, %{x}<br>%{text}<extra></extra>",
            hoverongaps=False,
            name="suppressed",
        )
    )
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(type="category")
    return fig


def equity_gap_bars(
    gaps: pd.DataFrame, attribute: str, *, title: str, x_title: str, y_title: str
) -> go.Figure:
    """Each shown group's gap from everyone's mean, coloured above / in line / below."""
    fig = px.bar(
        chart_frame(shown(gaps), [attribute]),
        x="gap",
        y=attribute,
        orientation="h",
        color="direction",
        color_discrete_map=_DIRECTION_COLOURS,
        custom_data=["n", "mean", "overall_mean", "ci_low", "ci_high"],
    )
    fig.update_traces(
        hovertemplate="%{y}: %{customdata[1]:.2f} vs everyone %{customdata[2]:.2f}<br>gap %{x:+.2f}"
        "<br>95 % CI %{customdata[3]:.2f} to %{customdata[4]:.2f}<br>n = %{customdata[0]}<extra></extra>"
    )
    fig.add_vline(x=0, line_color="#555")
    return style(fig, title, x_title, y_title)


def pulse_line(trend: pd.DataFrame, *, title: str, y_title: str) -> go.Figure:
    """The organisation's mean per pulse with 95 % CIs; an anonymous pulse an open diamond."""
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
            error_y=_error_bars(drawn),
            customdata=drawn[["n", "favourable_pct", "wave"]].to_numpy(),
            hovertemplate="%{customdata[2]} (%{x|%d %b %Y}): %{y:.2f}<br>%{customdata[1]:.0f} % favourable"
            "<br>n = %{customdata[0]}<extra></extra>",
            name="Organisation",
        )
    )
    return style(fig, title, "Date the pulse opened", y_title)


def pulse_lines_by_group(groups: pd.DataFrame, group: str, *, title: str, y_title: str) -> go.Figure:
    """One line per shown group across the pulses; the legend at the side."""
    fig = px.line(
        chart_frame(shown(groups), [group, "wave"]),
        x="opened_on",
        y="mean",
        color=group,
        markers=True,
        custom_data=["n", "favourable_pct", "wave", group],
    )
    fig.update_traces(
        hovertemplate="%{customdata[3]}, %{customdata[2]}: %{y:.2f}<br>%{customdata[1]:.0f} % favourable"
        "<br>n = %{customdata[0]}<extra></extra>"
    )
    style(fig, title, "Date the pulse opened", y_title)
    fig.update_layout(legend={"orientation": "v", "x": 1.02, "xanchor": "left", "y": 1, "yanchor": "top"})
    return fig


def item_favourable_bars(items: pd.DataFrame, *, title: str, x_title: str) -> go.Figure:
    """% favourable per shown item, the least favourable on top."""
    items = chart_frame(shown(items).sort_values("favourable_pct"), ["item_id", "text"])
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
    return style(fig, title, x_title, "Item")


def _at_risk_text(at_risk: float, events: float, k: int) -> str:
    """A step's hover: people still followed and leaving, each only when at least k (no count under k)."""
    still = f"{int(at_risk):,} still followed" if at_risk >= k else f"fewer than {k} still followed"
    left = f"{int(events)} left at this time" if events >= k or events == 0 else "someone left at this time"
    return f"{still}, {left}"


def _fill_colour(hex_colour: str, alpha: float = 0.18) -> str:
    """The colour as an rgba string, for a translucent confidence band."""
    red, green, blue = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red}, {green}, {blue}, {alpha})"


def survival_curves(curves: pd.DataFrame, *, labels: dict[str, str], k: int) -> go.Figure:
    """Kaplan-Meier step curves with 95 % bands, one per group of `labels` (in its order) that is drawn.

    The gate leaves out the rows of a hidden group; a step's hover names no count under k.
    """
    fig = go.Figure()
    for group, label in labels.items():
        part = curves[curves["group"] == group]
        if part.empty:
            continue
        colour = GROUP_COLOURS[group]
        band = part.assign(
            ci_low=part["ci_low"].fillna(part["survival"]), ci_high=part["ci_high"].fillna(1.0)
        )
        fig.add_scatter(
            x=band["time_months"],
            y=band["ci_high"] * 100,
            line={"shape": "hv", "width": 0},
            showlegend=False,
            hoverinfo="skip",
        )
        fig.add_scatter(
            x=band["time_months"],
            y=band["ci_low"] * 100,
            line={"shape": "hv", "width": 0},
            fill="tonexty",
            fillcolor=_fill_colour(colour),
            showlegend=False,
            hoverinfo="skip",
        )
        fig.add_scatter(
            x=part["time_months"],
            y=part["survival"] * 100,
            line={"shape": "hv", "color": colour, "width": 2.5},
            name=f"{label} (n = {int(part['n'].iloc[0])})",
            customdata=[_at_risk_text(a, e, k) for a, e in zip(part["at_risk"], part["events"], strict=True)],
            hovertemplate="%{x:.1f} months: %{y:.1f} % still here<br>%{customdata}<extra>"
            + label
            + "</extra>",
        )
    for months in (6, 12):
        fig.add_vline(x=months, line_dash="dot", line_color="#999", annotation_text=f"{months} months")
    fig.update_yaxes(range=[max(0.0, float(pd.to_numeric(curves["ci_low"]).min() * 100) - 5), 100.5])
    style(fig, "Share still employed since programme start", "Months since start", "Still employed (%)")
    fig.update_layout(legend={"orientation": "h", "yanchor": "top", "y": -0.2, "xanchor": "left", "x": 0})
    return fig


def response_rate_bars(rates: pd.DataFrame) -> go.Figure:
    """The response rate of each wave that has a shown rate, coloured by kind of survey."""
    drawn = chart_frame(shown(rates).dropna(subset=["rate_pct"]), ["wave"])
    fig = px.bar(
        drawn,
        x="wave",
        y="rate_pct",
        color="kind",
        color_discrete_map=WAVE_COLOURS,
        custom_data=["responded", "invited"],
        text=drawn["rate_pct"].map(lambda v: f"{v:.0f}%"),
    )
    fig.update_traces(
        hovertemplate="%{x}: %{y:.1f} %<br>%{customdata[0]} of %{customdata[1]} invited<extra></extra>"
    )
    fig.update_yaxes(range=[0, 105])
    return style(fig, "Response rate per survey wave", "Survey wave", "Responded (% of invited)")


def quadrant_bars(quadrants: pd.DataFrame, note: str) -> go.Bar:
    """Pairs in each reciprocity quadrant as horizontal bars; a hidden quadrant is a grey bar saying why.

    The trace carries only what is shown: the four labels and the visible counts and shares.
    """
    shown = ~quadrants["suppressed"].astype(bool)
    colours = {"both": GROUP_COLOURS["participants"], "neither": "#8c959c"}
    return go.Bar(
        y=quadrants["label"].tolist(),
        x=[float(p) if s else 0.0 for p, s in zip(quadrants["pct"], shown, strict=True)],
        orientation="h",
        marker_color=[
            colours.get(q, ROLE_COLOURS["mentee" if q == "mentee_only" else "mentor"]) if s else SUPPRESSED
            for q, s in zip(quadrants["quadrant"], shown, strict=True)
        ],
        text=[
            f"{int(n)} pairs ({p:.0f} %)" if s else note
            for n, p, s in zip(quadrants["n"], quadrants["pct"], shown, strict=True)
        ],
        textposition="auto",
        hovertemplate="%{y}: %{text}<extra></extra>",
    )


def quartile_box(distribution: dict, name: str, colour: str, *, horizontal: bool = False) -> go.Box:
    """A box drawn from summarised quartiles (stories.quartiles): the middle half and the median.

    No whiskers, no points: the extremes of a small group are individuals. The trace holds the three
    quartiles and n, nothing per person.
    """
    position = {"y": [name]} if horizontal else {"x": [name]}
    return go.Box(
        **position,
        q1=[distribution["q1"]],
        median=[distribution["median"]],
        q3=[distribution["q3"]],
        lowerfence=[distribution["q1"]],
        upperfence=[distribution["q3"]],
        orientation="h" if horizontal else "v",
        name=name,
        marker_color=colour,
    )


# Matching (views/matching.py): which matches work


def match_tercile_bars(terciles: pd.DataFrame, *, label: str, note: str) -> go.Figure:
    """An outcome in each match-score tercile with its 95 % CI; a hidden tercile is named with why, never its n."""
    share = bool((terciles["statistic"] == "share").any())
    scale = 100.0 if share else 1.0
    drawn = shown(terciles)
    value, low, high = (drawn[c].astype(float) * scale for c in ("value", "ci_low", "ci_high"))
    fig = go.Figure(
        go.Bar(
            x=drawn["tercile"],
            y=value,
            marker_color=GROUP_COLOURS["participants"],
            error_y={
                "type": "data",
                "symmetric": False,
                "array": (high - value).fillna(0).tolist(),
                "arrayminus": (value - low).fillna(0).tolist(),
            },
            customdata=list(zip(drawn["n"].astype(int), low, high, strict=True)),
            hovertemplate="%{x} scores: %{y:.2f}<br>95 % CI %{customdata[1]:.2f} to %{customdata[2]:.2f}"
            "<br>n = %{customdata[0]} pairs<extra></extra>",
        )
    )
    hidden = terciles[hidden_mask(terciles)]
    if not hidden.empty:
        why = reasons(hidden, note)
        fig.add_scatter(
            x=hidden["tercile"],
            y=[0] * len(hidden),
            mode="text",
            text=[chart_text(w) for w in why],
            textposition="top center",
            hoverinfo="skip",
            showlegend=False,
        )
    fig.update_xaxes(categoryorder="array", categoryarray=["low", "middle", "high"])
    y_title = f"{label} (% of pairs)" if share else label
    return style(fig, f"{label.capitalize()} by match-score third", "Match score third", y_title)
