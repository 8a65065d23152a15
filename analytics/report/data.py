"""The figures behind the sponsor report, gathered once from the existing analytics, privacy applied."""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import pandas as pd

from analytics import change, comparison, goals, metrics, overview, privacy, retention, stories
from analytics.filters import Filters
from analytics.instruments import CONSTRUCTS, LIKERT_CONSTRUCTS
from analytics.privacy import min_group as default_min_group
from analytics.privacy import min_group_comments
from analytics.store import score_rows
from analytics.summary import CONSTRUCT_KEYS, RECIPROCITY_CONSTRUCT
from analytics.text import comments, themes
from analytics.text.sentiment import NEGATIVE, POSITIVE

__all__ = ["PROGRAMME_WAVES", "PRIMARY", "MAX_STORIES", "ReportData", "gather", "pre_post", "report_cohorts"]

PROGRAMME_WAVES = ["pre", "mid", "post"]
PRIMARY = RECIPROCITY_CONSTRUCT  # psychological safety: the programme's primary outcome
MAX_STORIES = 3
_STORY_CANDIDATES = 10  # per kind of story: looking further would cost a query each


@dataclass
class ReportData:
    """Everything the report shows for one scope (the programme or one cohort)."""

    cohort: str | None
    filters: Filters | None
    min_group: int
    min_group_comments: int
    data_date: str
    size: dict
    waves: dict[str, pd.DataFrame]
    changes: dict[str, pd.DataFrame]
    enps: pd.DataFrame
    by_group: dict[str, pd.DataFrame]
    reciprocity: dict
    goals: pd.DataFrame
    goals_by_group: pd.DataFrame
    participation: pd.DataFrame
    sessions: pd.DataFrame
    retention: dict
    curves: pd.DataFrame
    did: dict
    sentiment: dict
    themes: themes.Themes
    stories: list[dict]
    suppressed: list[str] = field(default_factory=list)

    @property
    def scope(self) -> str:
        """The report's scope in words."""
        return f"Cohort {self.cohort}" if self.cohort else "Whole programme"

    @property
    def breakdown(self) -> str:
        """The attribute the report breaks results down by: cohort for the programme, else role."""
        return "role" if self.cohort else "cohort"


def report_cohorts(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The cohorts on the roster, in order."""
    return [r[0] for r in con.execute("SELECT DISTINCT cohort FROM participants ORDER BY cohort").fetchall()]


def _sentiment(con: duckdb.DuckDBPyConnection, filters: Filters | None, k: int) -> dict:
    """Comments, mean compound, % positive and % negative in the scope, through the gate at the comment
    threshold (commenters counted per wave; answers that say nothing are not comments)."""
    base, params = comments.comments_sql(filters)
    count, mean, positive, negative = con.execute(
        f"""SELECT count(*), avg(compound), 100.0 * avg(CASE WHEN compound >= ? THEN 1 ELSE 0 END),
                   100.0 * avg(CASE WHEN compound <= ? THEN 1 ELSE 0 END) FROM ({base})""",
        [POSITIVE, NEGATIVE, *params],
    ).fetchone()
    values = ["mean_compound", "positive_pct", "negative_pct"]
    figure = pd.DataFrame([dict(zip(values, [mean, positive, negative], strict=True))])
    tone = privacy.gate(
        con, comments.comment_rows(), figure, keys=[], values=values, filters=filters, min_group=k
    )
    row = tone.iloc[0]
    shown = not bool(row["suppressed"])
    return {
        "comments": count if shown else None,
        "respondents": int(row["n"]) if shown else None,
        **{name: (float(row[name]) if shown and pd.notna(row[name]) else None) for name in values},
    }


def _pick_stories(con: duckdb.DuckDBPyConnection, filters: Filters | None, k: int) -> list[dict]:
    """Up to three consented stories with a pre -> post change: the most positive, the most critical and
    the one closest to the typical tone (stories told at the post survey first)."""
    found = stories.consented_stories(con, filters, min_group=k)
    if found.empty:
        return []
    found = found.assign(post=found["wave"] == "post").sort_values(["story_key"])
    median = found["compound"].median()
    orders = [
        found.sort_values(["post", "compound"], ascending=[False, False], kind="stable"),
        found.sort_values(["post", "compound"], ascending=[False, True], kind="stable"),
        found.assign(gap=(found["compound"] - median).abs()).sort_values(
            ["post", "gap"], ascending=[False, True]
        ),
    ]
    told: dict[str, dict] = {}
    chosen: list[dict] = []
    for order in orders:
        candidates = order.head(_STORY_CANDIDATES)
        seen = {(c["role"], c["cohort"]) for c in chosen}
        fresh = [(r, c) not in seen for r, c in zip(candidates["role"], candidates["cohort"], strict=True)]
        # Prefer a role and cohort not shown yet, so the stories are not all from one corner.
        for key in [*candidates["story_key"][fresh], *candidates["story_key"][[not f for f in fresh]]]:
            if any(c["story_key"] == key for c in chosen):
                continue
            if key not in told:
                told[key] = stories.story(con, key, PRIMARY, min_group=k)
            if told[key]["change"] is not None:
                chosen.append(told[key])
                break
    return sorted(chosen, key=lambda s: -s["compound"])


def _suppressed(data: ReportData) -> list[str]:
    """Plain descriptions of the groups the privacy threshold hid."""
    hidden = []
    for attribute, frame in data.by_group.items():
        for value in frame.loc[frame["suppressed"].astype(bool), attribute]:
            hidden.append(f"{attribute} {value} (change in {CONSTRUCTS[PRIMARY].name.lower()})")
    frame = data.goals_by_group
    if not frame.empty:
        for value in frame.loc[frame["suppressed"].astype(bool), data.breakdown]:
            hidden.append(f"{data.breakdown} {value} (goal attainment)")
    for code, waves in data.waves.items():
        for wave in waves.loc[waves["suppressed"].astype(bool), "wave"]:
            hidden.append(f"{CONSTRUCTS[code].name} at the {wave} survey")
    if data.reciprocity["suppressed"] and data.reciprocity["pairs"]:
        hidden.append("reciprocity (too few pairs where both partners answered)")
    elif not data.reciprocity["suppressed"]:
        quadrants = data.reciprocity["quadrants"]
        for label in quadrants.loc[quadrants["suppressed"].astype(bool), "label"]:
            hidden.append(f"reciprocity: the pairs where {label}")
    for group in retention.GROUPS:
        if not data.retention[f"shown_{group}"]:
            hidden.append(f"retention of the {group} group")
    if not data.themes.themes.empty:
        for name in data.themes.themes.loc[data.themes.themes["suppressed"].astype(bool), "name"]:
            hidden.append(f"the tone of theme “{name}”")
    return hidden


def gather(
    con: duckdb.DuckDBPyConnection, cohort: str | None = None, min_group: int | None = None
) -> ReportData:
    """Every figure of the report for the programme (cohort None) or one cohort, suppressed below k."""
    with score_rows.same_data(con):  # dozens of score queries on the same data: check the scores once
        return _gather(con, cohort, min_group)


def _gather(con: duckdb.DuckDBPyConnection, cohort: str | None, min_group: int | None) -> ReportData:
    k = min_group if min_group is not None else default_min_group()
    k_text = max(k, min_group_comments())
    filters = {"cohort": [cohort]} if cohort else None
    breakdown = ["role", "focus"] if cohort else ["cohort", "role"]
    people = retention.retention_data(con, filters)  # for both the summary and the curves
    data = ReportData(
        cohort=cohort,
        filters=filters,
        min_group=k,
        min_group_comments=k_text,
        data_date=goals.data_date(con).isoformat(),
        size=overview.programme_size(con, filters),
        waves={
            c: metrics.group_scores(con, c, ["wave"], filters, PROGRAMME_WAVES, min_group=k)
            for c in LIKERT_CONSTRUCTS
        },
        changes={c: change.all_changes(con, c, filters, min_group=k) for c in CONSTRUCT_KEYS},
        enps=metrics.enps(con, ["wave"], filters, PROGRAMME_WAVES, min_group=k),
        by_group={g: change.wave_change(con, PRIMARY, "pre", "post", g, filters, k) for g in breakdown},
        reciprocity=change.reciprocity(con, PRIMARY, "pre", "post", filters, k),
        goals=goals.goal_attainment(con, None, filters, min_group=k),
        goals_by_group=goals.goal_attainment(con, [breakdown[0]], filters, min_group=k),
        participation=goals.participation_summary(con, None, filters, min_group=k),
        sessions=goals.sessions_by_month(con, filters),
        retention=retention.retention_summary(con, filters, min_group=k, data=people),
        curves=retention.retention_curves(con, filters, min_group=k, data=people),
        did=comparison.difference_in_differences(con, PRIMARY, filters, min_group=k),
        sentiment=_sentiment(con, filters, k_text),
        themes=themes.find_themes(con, filters, min_group=k_text, assignments=False),
        stories=_pick_stories(con, filters, k),
    )
    data.suppressed = _suppressed(data)
    return data


def pre_post(data: ReportData, construct: str) -> pd.Series:
    """The pre -> post row of a construct's changes."""
    frame = data.changes[construct]
    return frame[(frame["before"] == "pre") & (frame["after"] == "post")].iloc[0]
