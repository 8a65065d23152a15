"""The body of each report section after the executive summary."""

from __future__ import annotations

import html

import pandas as pd

from analytics.instruments import CONSTRUCTS, LIKERT_CONSTRUCTS
from analytics.privacy import SUPPRESSED_NOTE
from analytics.report import charts
from analytics.report.data import PRIMARY, ReportData
from analytics.report.html import Charts, figure, table
from analytics.summary import CONSTRUCT_KEYS

__all__ = [
    "outcomes",
    "reciprocity",
    "goal_attainment",
    "retention",
    "participation",
    "themes",
    "stories",
    "method",
]

_CHANGE_NAMES = {("pre", "mid"): "pre → mid", ("mid", "post"): "mid → post", ("pre", "post"): "pre → post"}


def _tile(value: str, label: str) -> str:
    return f'<div class="tile">{value}<small>{html.escape(label)}</small></div>'


def _tiles(*tiles: str) -> str:
    return f'<div class="tiles">{"".join(tiles)}</div>'


def _note(data: ReportData) -> str:
    return SUPPRESSED_NOTE(data.min_group)


def _wave_table(data: ReportData, construct: str) -> str:
    key = CONSTRUCT_KEYS[construct]
    rows = []
    for row in data.waves[construct].itertuples(index=False):
        base = f"constructs.{key}.{row.wave}"
        rows.append(
            [
                html.escape(row.wave),
                figure(f"{base}.n", row.n, "int"),
                figure(f"{base}.mean", row.mean, "mean", _note(data)),
                figure(f"{base}.favourable_pct", row.favourable_pct, "pct", _note(data)),
            ]
        )
    return table(["Survey", "People", "Mean", "% favourable"], rows)


def _change_table(data: ReportData, construct: str) -> str:
    rows = []
    for row in data.changes[construct].itertuples(index=False):
        if pd.notna(row.n) and row.n == 0:  # no one in both waves (a hidden row's n is blank: kept)
            continue
        pre_post = (row.before, row.after) == ("pre", "post")
        base = (
            f"pre_post.{CONSTRUCT_KEYS[construct]}"
            if pre_post
            else f"changes.{construct}.{row.before}-{row.after}"
        )
        note = _note(data)
        rows.append(
            [
                _CHANGE_NAMES[(row.before, row.after)],
                figure(f"{base}.n", row.n, "int"),
                figure(f"{base}.mean_change", row.mean_change, "change", note),
                f"{figure(f'{base}.ci_low', row.ci_low, 'change', '')} to {figure(f'{base}.ci_high', row.ci_high, 'change', '')}"
                if pd.notna(row.ci_low)
                else "",
                figure(f"{base}.cohen_dz", row.cohen_dz, "dz", ""),
                figure(f"{base}.p_value", row.t_p, "p", ""),
                html.escape(str(row.verdict)) if not row.suppressed else "",
            ]
        )
    if not rows:
        return '<p class="note">No one answered this at two surveys (it may be asked at one only), so there is no change to show.</p>'
    return table(["Change", "People", "Mean change", "95 % CI", "d_z", "p", "In words"], rows)


def headline(data: ReportData) -> str:
    """Four tiles a sponsor reads first: the primary change, reciprocity, goals met and retention."""
    tiles = []
    row = data.changes[PRIMARY]
    row = row[(row["before"] == "pre") & (row["after"] == "post")].iloc[0]
    if not bool(row["suppressed"]) and pd.notna(row["mean_change"]):
        key = f"pre_post.{CONSTRUCT_KEYS[PRIMARY]}"
        spec = CONSTRUCTS[PRIMARY]
        label = f"points of {spec.name.lower()} ({spec.scale_min}–{spec.scale_max}), pre to post: a {row['magnitude']} effect"
        tiles.append(_tile(figure(f"{key}.mean_change", row["mean_change"], "change"), label))
    if data.reciprocity["both_improved_pct"] is not None:
        value = figure("reciprocity.both_improved_pct", data.reciprocity["both_improved_pct"], "pct")
        tiles.append(_tile(value, "of pairs: both partners improved"))
    if not data.goals.empty and not bool(data.goals["suppressed"].iloc[0]):
        tiles.append(
            _tile(figure("goal_attainment.met_pct", data.goals["met_pct"].iloc[0], "pct"), "of goals met")
        )
    found = data.retention
    if found["participants_12m"] is not None and found["comparison_12m"] is not None:
        value = (
            f'<span class="big">{figure("retention.participants_12m", found["participants_12m"], "share")} vs '
            f"{figure('retention.comparison_12m', found['comparison_12m'], 'share')}</span>"
        )
        tiles.append(_tile(value, "still employed after 12 months: participants vs others"))
    return _tiles(*tiles) if tiles else ""


def _who_gained(data: ReportData, attribute: str, chart: Charts) -> str:
    """The primary outcome's change per group of one attribute: chart and table."""
    rows = []
    for _, r in data.by_group[attribute].iterrows():
        key = f"by_{attribute}.{r[attribute]}"
        rows.append(
            [
                html.escape(str(r[attribute])),
                figure(f"{key}.n", None if r["suppressed"] else r["n"], "int", _note(data)),
                figure(f"{key}.mean_change", r["mean_change"], "change", _note(data)),
                figure(f"{key}.cohen_dz", r["cohen_dz"], "dz", ""),
                figure(f"{key}.t_p", r["t_p"], "p", ""),
            ]
        )
    caption = "Whiskers crossing zero: the change could be chance."
    return (
        f"<h3>Who gained: {CONSTRUCTS[PRIMARY].name.lower()} by {attribute}</h3>"
        + chart(charts.group_change_chart(data, attribute), caption)
        + table([attribute.capitalize(), "People", "Mean change", "d_z", "p"], rows)
    )


def outcomes(data: ReportData, chart: Charts) -> str:
    """Pre/mid/post per construct with effect sizes, eNPS, and who gained."""
    parts = [
        '<p class="note">Bars show each survey\'s mean with its 95 % confidence interval. The tables '
        "follow the same people from one survey to the next: d<sub>z</sub> is the effect size (0.2 small, "
        "0.5 medium, 0.8 large) and p the chance of a change this large if there were none.</p>"
    ]
    for construct in LIKERT_CONSTRUCTS:
        spec = CONSTRUCTS[construct]
        parts.append(f"<h3>{html.escape(spec.name)}</h3>")
        parts.append(chart(charts.wave_chart(data, construct)))
        parts.append(_wave_table(data, construct))
        parts.append(_change_table(data, construct))
    if not data.enps.empty:
        cells = [
            f"{html.escape(r.wave)} {figure(f'enps.{r.wave}', r.enps, 'enps', _note(data))}"
            for r in data.enps.itertuples(index=False)
        ]
        parts.append(
            f"<p><b>eNPS</b> (−100 to +100, would recommend the organisation): {', '.join(cells)}.</p>"
        )
    for attribute in data.by_group:
        parts.append(_who_gained(data, attribute, chart))
    did = data.did
    if not did["suppressed"] and did["did"] is not None:
        parts.append(
            f"<p>In the organisation-wide pulse surveys ({html.escape(str(did['first_wave']))} to "
            f"{html.escape(str(did['last_wave']))}), participants' psychological safety changed by "
            f"{figure('did.participants_change', did['participants_change'], 'change')} and everyone else's by "
            f"{figure('did.comparison_change', did['comparison_change'], 'change')}: a difference of "
            f"{figure('did.did', did['did'], 'change')}"
            + (f" ({figure('did.p_value', did['p_value'], 'p')})" if did["p_value"] is not None else "")
            + (
                ", which could be chance: the pulse surveys show no clear difference between participants and "
                "their colleagues."
                if did["p_value"] is None or did["p_value"] >= 0.05
                else ", unlikely to be chance."
            )
            + "</p>"
        )
    return "".join(parts)


def reciprocity(data: ReportData, chart: Charts) -> str:
    """Did both partners benefit?"""
    found = data.reciprocity
    if found["suppressed"]:
        return f'<p class="suppressed">Reciprocity cannot be shown: {_note(data)} pairs where both partners answered.</p>'
    body = _tiles(
        _tile(
            figure("reciprocity.both_improved_pct", found["both_improved_pct"], "pct", _note(data)),
            "pairs where both improved",
        ),
        _tile(figure("reciprocity.pairs", found["pairs"], "int"), "pairs with both partners' answers"),
        _tile(figure("reciprocity.mentor_gain", found["mentor_gain"], "change"), "mentors' mean gain"),
        _tile(figure("reciprocity.mentee_gain", found["mentee_gain"], "change"), "mentees' mean gain"),
    )
    caption = (
        "Pairs by who of the two improved in psychological safety from pre to post. A group of fewer than "
        f"{data.min_group} pairs is not shown, nor the next smallest, so it cannot be worked out from the total."
    )
    return body + chart(charts.reciprocity_chart(data), caption)


def goal_attainment(data: ReportData, chart: Charts) -> str:
    """Goal Attainment Scaling: T-score and share of goals met."""
    frame = data.goals
    if frame.empty or bool(frame["suppressed"].iloc[0]):
        return f'<p class="suppressed">Goal attainment cannot be shown: {_note(data)}.</p>'
    row = frame.iloc[0]
    body = _tiles(
        _tile(figure("goal_attainment.met_pct", row["met_pct"], "pct"), "of goals met (level 0 or better)"),
        _tile(figure("goal_attainment.mean_t", row["mean_t"], "tscore"), "mean T-score (50 = as expected)"),
        _tile(
            figure("goal_attainment.participants", row["n"], "int"), "participants with goals scored at post"
        ),
    )
    return body + chart(charts.goals_chart(data))


def retention(data: ReportData, chart: Charts) -> str:
    """Kaplan-Meier retention, participants vs comparison."""
    found = data.retention
    note = _note(data)
    body = _tiles(
        _tile(
            figure("retention.participants_12m", found["participants_12m"], "share", note),
            "participants still here at 12 months",
        ),
        _tile(
            figure("retention.comparison_12m", found["comparison_12m"], "share", note),
            "comparison group at 12 months",
        ),
        _tile(
            figure("retention.participants_6m", found["participants_6m"], "share", note),
            "participants at 6 months",
        ),
        _tile(figure("retention.logrank_p", found["logrank_p"], "p"), "log-rank test"),
    )
    counted = f"{found['n_comparison']:,} " if found["n_comparison"] is not None else ""
    caption = (
        f"Voluntary leavers only; the comparison group is the {counted}employees not in the "
        "programme, timed from the cohort's start."
    )
    return body + chart(charts.retention_chart(data), caption)


def participation(data: ReportData, chart: Charts) -> str:
    """Sessions per pair and month, pairs meeting monthly, inactive pairs."""
    frame = data.participation
    if frame.empty or bool(frame["suppressed"].iloc[0]):
        return f'<p class="suppressed">Participation cannot be shown: {_note(data)}.</p>'
    row = frame.iloc[0]
    body = _tiles(
        _tile(figure("participation.pairs", row["pairs"], "int"), "pairs"),
        _tile(figure("participation.sessions", row["sessions"], "int"), "sessions logged"),
        _tile(
            figure("participation.sessions_per_month", row["sessions_per_month"], "mean"),
            "sessions per pair per month",
        ),
        _tile(
            figure("participation.meets_monthly_pct", row["meets_monthly_pct"], "pct"),
            "of pairs meet at least monthly",
        ),
        _tile(figure("participation.inactive", row["inactive"], "int"), "pairs with no session for 60 days"),
    )
    return body + chart(charts.sessions_chart(data))


def themes(data: ReportData, chart: Charts) -> str:
    """Sentiment of the comments and the themes found in them."""
    found = data.sentiment
    if found["mean_compound"] is None:
        return (
            f'<p class="suppressed">Comments are shown only for groups of at least {data.min_group_comments} people; '
            "this report's scope has fewer.</p>"
        )
    scope = (
        "the programme surveys and the organisation-wide pulse surveys"
        if data.cohort is None
        else "the surveys answered by this cohort"
    )
    intro = f'<p class="note">Free-text comments from {scope}, scored for tone (VADER) at import.</p>'
    body = intro + _tiles(
        _tile(figure("sentiment.comments", found["comments"], "int"), "comments"),
        _tile(figure("sentiment.positive_pct", found["positive_pct"], "pct"), "positive"),
        _tile(figure("sentiment.negative_pct", found["negative_pct"], "pct"), "negative"),
        _tile(figure("sentiment.mean_compound", found["mean_compound"], "compound"), "mean tone (−1 to +1)"),
    )
    frame = data.themes.themes
    if frame.empty:
        return body + f'<p class="note">{html.escape(data.themes.message or "No themes found.")}</p>'
    rows = [
        [
            html.escape(r["name"]),
            figure(f"themes.{r['name']}.share", r["share"], "pct"),
            figure(f"themes.{r['name']}.comments", r["comments"], "int"),
            figure(
                f"themes.{r['name']}.mean_compound",
                r["mean_compound"],
                "compound",
                SUPPRESSED_NOTE(data.min_group_comments),
            ),
        ]
        for _, r in frame.iterrows()
    ]
    caption = (
        "Themes are found by machine (TF-IDF and NMF) and named by their most typical words. Colour: the "
        "theme's mean tone, green positive, grey neutral, red negative."
    )
    return (
        body
        + chart(charts.themes_chart(data), caption)
        + table(["Theme", "Share", "Comments", "Mean tone"], rows)
    )


def _story(data: ReportData, found: dict, chart: Charts) -> str:
    scores = ", ".join(
        f"{html.escape(w)} {v:.2f}" for w, v in found["scores"][["wave", "score"]].itertuples(index=False)
    )
    partner = found["partner"]
    partner_text = (
        f" Their partner (who also consented) changed by {partner['change']:+.2f}."
        if partner and partner["change"] is not None
        else ""
    )
    goal = (
        f" Goal Attainment T-score at {html.escape(str(found['goal_wave']))}: {found['goal_t']:.1f}."
        if found["goal_t"] is not None
        else ""
    )
    return (
        f'<div class="story"><h3>{html.escape(found["pseudonym"])}</h3>'
        f"<blockquote>“{html.escape(found['text'])}”</blockquote>"
        f"<p>{html.escape(found['construct_name'])} at each survey: {scores or 'no scores'}.{partner_text}{goal}</p>"
        f"<p><b>Against the data:</b> {html.escape(found['sentence'])}</p>"
        f"{chart(charts.story_chart(data, found))}</div>"
    )


def stories(data: ReportData, chart: Charts) -> str:
    """Two or three consented stories, each set against its cohort's data."""
    if not data.stories:
        return '<p class="note">No participant in this scope has consented to their story being shown.</p>'
    intro = (
        '<p class="note">Shown with the participant\'s consent and under a pseudonym. A story illustrates; '
        "the sentence under each says how typical it is, so it is never read as the whole picture. "
        "The stories chosen are the most positive, the most critical and one of typical tone.</p>"
    )
    return intro + "".join(_story(data, s, chart) for s in data.stories)


def method(data: ReportData) -> str:
    """Method and privacy: the threshold, the suppressed groups, the self-selection caveat."""
    hidden = (
        "<ul>" + "".join(f"<li>{html.escape(h)}</li>" for h in data.suppressed) + "</ul>"
        if data.suppressed
        else "<p>No group in this report fell under the threshold.</p>"
    )
    return (
        f"<p><b>Privacy.</b> No figure here rests on fewer than "
        f'<span data-figure="privacy.min_group">{data.min_group}</span> people; comments and their themes need at '
        f"least {data.min_group_comments}. When one group of a breakdown is hidden, the next smallest is hidden "
        "too, so no hidden figure can be worked out from the others. Stories appear only for participants who "
        "consented, under a pseudonym, with e-mail addresses, phone numbers and links removed at import.</p>"
        f'<p><b>Groups hidden by the threshold</b>:</p><div id="suppressed-groups">{hidden}</div>'
        "<p><b>Method.</b> A person's score on an outcome is the mean of their answers (psychological safety: "
        "Edmondson's 7-item scale, 1–7, three items reverse-scored; other outcomes 1–5). Change is measured "
        "within person, for those who answered both surveys: mean change, 95 % t confidence interval, Cohen's "
        "d<sub>z</sub> and a paired t-test. Goals use Goal Attainment Scaling (T-score, ρ = 0.3). Retention is a "
        "Kaplan-Meier estimate of voluntary exits with a log-rank test. Tone is VADER sentiment of each comment.</p>"
        "<p><b>Caveat: self-selection.</b> People chose (or were chosen) to take part, and those who did may "
        "differ from those who did not: more engaged, better supported, less likely to leave anyway. "
        "Differences from the comparison group are associations, not proof that the programme caused them, and "
        "people who stopped answering surveys are not in the before-and-after figures.</p>"
    )
