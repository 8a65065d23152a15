"""The executive summary: plain sentences generated from the report's figures."""

from __future__ import annotations

import html

import pandas as pd

from analytics.instruments import CONSTRUCTS
from analytics.report.data import PRIMARY, ReportData, pre_post
from analytics.report.html import figure
from analytics.summary import CONSTRUCT_KEYS

__all__ = ["executive_summary", "change_sentence", "weakest_group"]


def _value(row: pd.Series, column: str) -> float | None:
    value = row[column]
    return None if value is None or pd.isna(value) else float(value)


def change_sentence(data: ReportData, construct: str) -> str | None:
    """'Psychological safety rose by +0.45 on the 1–7 scale for 151 people (95 % CI ...): a medium ...'."""
    row = pre_post(data, construct)
    if bool(row["suppressed"]) or _value(row, "mean_change") is None:
        return None
    spec = CONSTRUCTS[construct]
    key = f"pre_post.{CONSTRUCT_KEYS[construct]}"
    change = _value(row, "mean_change")
    moved = (
        "rose by" if change > 0 else "changed by"
    )  # a fall reads as "changed by -0.18", not "fell by -0.18"
    sure = ""
    if _value(row, "ci_low") is not None:
        sure = (
            f" (95 % confidence interval {figure(f'{key}.ci_low', row['ci_low'], 'change')} to "
            f"{figure(f'{key}.ci_high', row['ci_high'], 'change')}; effect size d<sub>z</sub> = "
            f"{figure(f'{key}.cohen_dz', row['cohen_dz'], 'dz')})"
        )
    return (
        f"<b>{html.escape(spec.name)}</b> {moved} {figure(f'{key}.mean_change', change, 'change')} points "
        f"on the {spec.scale_min}–{spec.scale_max} scale for the {figure(f'{key}.n', row['n'], 'int')} "
        f"participants who answered both the pre and the post survey{sure}: "
        f"{html.escape(str(row['verdict']))}."
    )


def weakest_group(data: ReportData, attribute: str) -> pd.Series | None:
    """The visible group of a breakdown with the smallest gain in the primary outcome (None under two)."""
    frame = data.by_group[attribute]
    frame = frame[~frame["suppressed"].astype(bool) & frame["mean_change"].notna()]
    if len(frame) < 2:
        return None
    return frame.sort_values("mean_change", kind="stable").iloc[0]


def _who(attribute: str, value: str) -> str:
    """A group in words: cohort 2025-Spring, mentees, pairs focused on technology."""
    if attribute == "role":
        return f"{html.escape(value)}s"
    if attribute == "focus":
        return f"pairs focused on {html.escape(value)}"
    return f"{attribute} {html.escape(value)}"


def _weakest_sentences(data: ReportData) -> list[str]:
    """For whom it did not work: every breakdown's weakest group whose gain is not clearly above zero."""
    name = CONSTRUCTS[PRIMARY].name.lower()
    sentences, smallest = [], None
    for attribute in data.by_group:
        row = weakest_group(data, attribute)
        if row is None:
            continue
        value = str(row[attribute])
        key = f"by_{attribute}.{value}"
        figures = (
            f"{figure(f'{key}.mean_change', row['mean_change'], 'change')} "
            f"(n = {figure(f'{key}.n', row['n'], 'int')} people)"
        )
        ci_low = _value(row, "ci_low")
        if row["mean_change"] <= 0 or ci_low is None or ci_low <= 0:
            sentences.append(
                f"<b>It did not clearly work for {_who(attribute, value)}</b>: their {name} changed by "
                f"{figures}, {html.escape(str(row['verdict']))}. This is where to look first."
            )
        elif smallest is None:
            smallest = f"Every {attribute} improved; the smallest gain in {name} was for {_who(attribute, value)}: {figures}."
    if not sentences and smallest:
        sentences.append(smallest)
    return sentences


def _reciprocity_sentence(data: ReportData) -> str | None:
    found = data.reciprocity
    if found["suppressed"]:
        return None
    pairs = figure("reciprocity.pairs", found["pairs"], "int")
    both = (
        f"both partners gained in {figure('reciprocity.both_improved_pct', found['both_improved_pct'], 'pct')} "
        f"of the {pairs} pairs where mentor and mentee answered both surveys"
        if found["both_improved_pct"] is not None
        else f"of the {pairs} pairs where mentor and mentee answered both surveys, the share where both "
        "gained is not shown (it would single out a few pairs)"
    )
    return (
        f"<b>Reciprocity:</b> {both}; on average mentors (the junior partners) gained "
        f"{figure('reciprocity.mentor_gain', found['mentor_gain'], 'change')} and mentees (the senior leaders) "
        f"{figure('reciprocity.mentee_gain', found['mentee_gain'], 'change')} in psychological safety."
    )


def _goals_sentence(data: ReportData) -> str | None:
    frame = data.goals
    if frame.empty or bool(frame["suppressed"].iloc[0]):
        return None
    row = frame.iloc[0]
    sentence = (
        f"<b>{figure('goal_attainment.met_pct', row['met_pct'], 'pct')} of goals were met</b> by "
        f"{figure('goal_attainment.participants', row['n'], 'int')} participants (mean Goal Attainment "
        f"T-score {figure('goal_attainment.mean_t', row['mean_t'], 'tscore')}; 50 means goals achieved as expected)"
    )
    groups = data.goals_by_group
    groups = groups[~groups["suppressed"].astype(bool)] if not groups.empty else groups
    if len(groups) >= 2:
        low = groups.sort_values("met_pct", kind="stable").iloc[0]
        value = str(low[data.breakdown])
        who = f"{data.breakdown} {value}" if data.breakdown == "cohort" else f"{value}s"
        sentence += (
            f"; least often for {html.escape(who)} "
            f"({figure(f'goals_by_{data.breakdown}.{value}.met_pct', low['met_pct'], 'pct')})"
        )
    return sentence + "."


def _retention_sentence(data: ReportData) -> str | None:
    found = data.retention
    if found["participants_12m"] is None or found["comparison_12m"] is None:
        return None
    p = found["logrank_p"]
    sure = f" (log-rank {figure('retention.logrank_p', p, 'p')})" if p is not None else ""
    return (
        f"<b>Retention:</b> 12 months after starting, "
        f"{figure('retention.participants_12m', found['participants_12m'], 'share')} of participants were still "
        f"with the organisation, against {figure('retention.comparison_12m', found['comparison_12m'], 'share')} "
        f"of colleagues who did not take part{sure}."
    )


def _sentiment_sentence(data: ReportData) -> str | None:
    found = data.sentiment
    if found["mean_compound"] is None:
        return None
    return (
        f"<b>Comments:</b> of {figure('sentiment.comments', found['comments'], 'int')} comments, "
        f"{figure('sentiment.positive_pct', found['positive_pct'], 'pct')} were positive and "
        f"{figure('sentiment.negative_pct', found['negative_pct'], 'pct')} negative (mean tone "
        f"{figure('sentiment.mean_compound', found['mean_compound'], 'compound')} on a −1 to +1 scale)."
    )


def executive_summary(data: ReportData) -> list[str]:
    """The summary's sentences (HTML), most important first; figures carry their data-figure keys."""
    size = data.size
    sentences = [
        f"This report covers {'the whole programme' if data.cohort is None else 'cohort ' + html.escape(data.cohort)}: "
        f"{figure('size.participants', size['participants'], 'int')} participants in "
        f"{figure('size.pairs', size['pairs'], 'int')} mentoring pairs"
        + ("" if data.cohort else f" across {figure('size.cohorts', size['cohorts'], 'int')} cohorts")
        + f", with data up to {html.escape(data.data_date)}."
    ]
    for construct in CONSTRUCT_KEYS:
        sentence = change_sentence(data, construct)
        if sentence:
            sentences.append(sentence)
    if len(sentences) == 1:
        sentences.append(
            f"No outcome can be reported before and after: fewer than {data.min_group} participants answered "
            "both the pre and the post survey."
        )
    sentences.extend(_weakest_sentences(data))
    for build in (_reciprocity_sentence, _goals_sentence, _retention_sentence, _sentiment_sentence):
        sentence = build(data)
        if sentence:
            sentences.append(sentence)
    sentences.append(
        "<b>How sure we are:</b> the changes above follow the same people over time and the confidence "
        "intervals show the likely range. People chose to join the programme, so the differences from "
        "colleagues who did not are an association, not proof that the programme caused them."
    )
    return sentences
