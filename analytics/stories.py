"""One consented participant's story, set against the aggregate it belongs to."""

from __future__ import annotations

import math

import duckdb
import pandas as pd
from scipy.stats import percentileofscore

from analytics import privacy
from analytics.errors import MutualError
from analytics.filters import Filters, selected, where_sql
from analytics.goals import RHO as GAS_RHO
from analytics.goals import gas_t_score
from analytics.instruments import CONSTRUCTS
from analytics.metrics import construct_scores
from analytics.sentiment import comments_sql

__all__ = ["GAS_RHO", "consented_stories", "story", "goal_attainment_t", "typicality"]

_PROGRAMME_WAVES = ("pre", "mid", "post")
_NAMED = ("role", "cohort", "focus")
_PROGRAMME_WAVES_SQL = "SELECT wave FROM waves WHERE kind IN (?, ?, ?) ORDER BY wave"

# A stable pseudonymous key per participation: the employee id never leaves this module.
_CONSENTED = """
    SELECT p.employee_id, p.cohort, p.role, p.pair_id, p.focus,
           substr(sha256((SELECT value FROM settings WHERE name = 'pseudonym_salt')
                         || '/' || p.cohort || '/' || p.employee_id), 1, 12) AS story_key
    FROM participants p
    WHERE p.story_consent"""


def _stories_sql(condition: str) -> str:
    return f"""
        WITH consented AS ({_CONSENTED}),
        numbered AS (SELECT *, row_number() OVER (ORDER BY story_key) AS number FROM consented),
        picked AS (
            SELECT s.story_key, c.text, c.compound, r.wave, r.kind,
                   row_number() OVER (
                       PARTITION BY s.story_key
                       ORDER BY r.kind = 'post' DESC, r.opened_on DESC NULLS LAST,
                                r.submitted_at DESC NULLS LAST, length(c.text) DESC, c.question
                   ) AS pick
            FROM comments c
            JOIN respondents r USING (response_id)
            JOIN consented s ON s.employee_id = r.employee_id AND s.cohort = r.cohort
            WHERE {condition}
        )
        SELECT n.story_key,
               'Story ' || n.number || ' — ' || n.role || ', cohort ' || n.cohort
                   || coalesce(', ' || n.focus || ' focus', '') AS pseudonym,
               n.role, n.cohort, n.focus, n.pair_id, n.employee_id, p.wave, p.kind, p.text, p.compound, n.number
        FROM numbered n JOIN picked p ON p.story_key = n.story_key AND p.pick = 1"""


def consented_stories(con: duckdb.DuckDBPyConnection, filters: Filters | None = None) -> pd.DataFrame:
    """Participants who consented to their story being shown and wrote a comment, pseudonymised.

    Columns: story_key, pseudonym ("Story 7 — mentee, cohort 2025-Spring, inclusion focus"), role,
    cohort, focus, wave, text (their post-wave comment, else their latest), compound. No employee id.
    Stories told at the post survey come first. With filters on more than what the pseudonym says (role,
    cohort, focus), empty (with `attrs["message"]`) when the commenters in the filter are made partly of
    a protected cell (privacy.guard_filters), so two filters cannot tell whose story is whose.
    """
    condition, params = where_sql(filters, "r")
    listed = con.execute(
        f"""SELECT story_key, pseudonym, role, cohort, focus, wave, text, compound
            FROM ({_stories_sql(condition)}) ORDER BY kind = 'post' DESC, number""",
        params,
    ).df()
    # The pseudonym names role, cohort and focus: a filter on those alone tells nothing new.
    if set(selected(filters)) - set(_NAMED):
        base, base_params = comments_sql(None)
        n = "count(DISTINCT respondent)"
        hidden = privacy.guard_sql(con, base, base_params, "", [], filters, n, privacy.min_group())
        if privacy.hides_all(hidden):
            listed = listed.iloc[0:0]
            listed.attrs["message"] = (
                f"Stories are listed only for filters whose every group has at least {privacy.min_group()} "
                "people who commented, so a filter cannot single out whose story is whose."
            )
    return listed


def goal_attainment_t(con: duckdb.DuckDBPyConnection, employee_id: str) -> tuple[float | None, str | None]:
    """Goal Attainment Scaling T-score of one participant at post (else mid), and which wave it is from."""
    for wave, column in (("post", "level_post"), ("mid", "level_mid")):
        levels = con.execute(
            f"SELECT {column}, weight FROM goals WHERE employee_id = ? AND {column} IS NOT NULL ORDER BY goal_id",
            [employee_id],
        ).fetchall()
        if levels:
            return gas_t_score([r[0] for r in levels], [r[1] for r in levels], rho=GAS_RHO), wave
    return None, None


def _trajectories(con: duckdb.DuckDBPyConnection, construct: str, cohort: str) -> pd.DataFrame:
    """One row per participant of the cohort: role and score at pre, mid and post, and post − pre."""
    waves = [r[0] for r in con.execute(_PROGRAMME_WAVES_SQL, list(_PROGRAMME_WAVES)).fetchall()]
    scores = construct_scores(con, construct, filters={"cohort": [cohort]}, waves=waves) if waves else None
    if scores is None or scores.empty:
        return pd.DataFrame(columns=["employee_id", "role", *_PROGRAMME_WAVES, "change"])
    means = scores.groupby(["employee_id", "role", "kind"])["score"].mean()
    wide = means.unstack("kind").reindex(columns=list(_PROGRAMME_WAVES)).reset_index()
    wide["change"] = wide["post"] - wide["pre"]
    return wide


def _trajectory(wide: pd.DataFrame, employee_id: str) -> pd.DataFrame:
    row = wide[wide["employee_id"] == employee_id]
    values = [float(row[w].iloc[0]) if len(row) else math.nan for w in _PROGRAMME_WAVES]
    frame = pd.DataFrame({"wave": list(_PROGRAMME_WAVES), "score": values})
    return frame.dropna().reset_index(drop=True)


def _value(wide: pd.DataFrame, employee_id: str, column: str) -> float | None:
    row = wide.loc[wide["employee_id"] == employee_id, column]
    return None if row.empty or pd.isna(row.iloc[0]) else float(row.iloc[0])


def _band(percentile: float) -> str:
    if percentile >= 90:
        return "an unusually favourable experience"
    if percentile >= 60:
        return "a favourable but not unusual experience"
    if percentile > 40:
        return "a typical experience"
    if percentile > 10:
        return "a less favourable experience than most"
    return "an unusually poor experience"


def typicality(
    construct_name: str,
    role: str,
    cohort: str,
    change: float | None,
    change_percentile: float | None,
    story_percentile: float | None,
    min_group: int,
) -> str:
    """One plain sentence on how typical a participant's change and story are."""
    if change is None:
        first = f"They did not answer both the pre and post surveys, so their {construct_name} change cannot be placed"
    elif change_percentile is None:
        first = (
            f"Their {construct_name} change ({change:+.2f}) is not ranked: fewer than {min_group} "
            f"{role}s in cohort {cohort} have pre and post scores"
        )
    else:
        first = (
            f"Their {construct_name} change ({change:+.2f}) is at or above that of "
            f"{change_percentile:.0f} % of {role}s in cohort {cohort}"
        )
    if story_percentile is None:
        tone = "their story's tone cannot be compared"
    elif story_percentile >= 60:
        tone = "their story is more positive than most comments"
    elif story_percentile <= 40:
        tone = "their story is more negative than most comments"
    else:
        tone = "their story is about as positive as a typical comment"
    verdict = (
        _band(change_percentile)
        if change_percentile is not None
        else "how typical it is, the data cannot say"
    )
    return f"{first}; {tone}: {verdict}."


def _partner(
    con: duckdb.DuckDBPyConnection, who: dict, wide: pd.DataFrame, told: pd.DataFrame
) -> dict | None:
    """The partner's trajectory, only when the partner consented too; otherwise nothing at all.

    `told` holds the stories of the participant's pair (their own and, if told, their partner's).
    """
    others = told[told["employee_id"] != who["employee_id"]]
    found = list(others[["employee_id", "role", "pseudonym"]].itertuples(index=False, name=None))
    if not found:
        # Consented but wrote no comment: still a consenting partner, so their scores may be shown.
        found = con.execute(
            f"""SELECT employee_id, role, NULL FROM ({_CONSENTED})
                WHERE cohort = ? AND pair_id = ? AND employee_id <> ?""",
            [who["cohort"], who["pair_id"], who["employee_id"]],
        ).fetchall()
    if not found:
        return None
    partner_id, role, pseudonym = found[0]
    return {
        "role": role,
        "pseudonym": pseudonym,
        "scores": _trajectory(wide, partner_id),
        "change": _value(wide, partner_id, "change"),
    }


def story(
    con: duckdb.DuckDBPyConnection, story_key: str, construct: str = "ps", min_group: int | None = None
) -> dict:
    """A consented participant's scores, change and story against their cohort and role.

    Percentile ranks follow `scipy.stats.percentileofscore(kind="weak")`: the % of the cohort's
    participants in the same role (the participant included) whose value is at or below theirs.
    Ranks and the distribution are given only when that group has at least `min_group` (default
    `privacy.min_group()`) people with both pre and post scores. Raises MutualError for a key without consent.
    """
    if construct not in CONSTRUCTS or not CONSTRUCTS[construct].index:
        raise ValueError(f"construct must be a scored index such as 'ps'; got {construct!r}")
    # The story and, in the same query, the partner's if they told one too (one pass over the comments).
    told = con.execute(
        f"""SELECT * FROM ({_stories_sql("TRUE")})
            WHERE (cohort, pair_id) IN (SELECT (cohort, pair_id) FROM ({_CONSENTED}) WHERE story_key = ?)
               OR story_key = ?
            ORDER BY number""",
        [story_key, story_key],
    ).df()
    row = told[told["story_key"] == story_key]
    if row.empty:
        raise MutualError(f"There is no consented story with key {story_key!r}.")
    who = row.iloc[0].to_dict()
    pair = told[(told["cohort"] == who["cohort"]) & (told["pair_id"] == who["pair_id"])]
    k = min_group if min_group is not None else privacy.min_group()
    wide = _trajectories(con, construct, who["cohort"])
    group = wide[(wide["role"] == who["role"]) & wide["change"].notna()]
    change = _value(wide, who["employee_id"], "change")
    post = _value(wide, who["employee_id"], "post")
    ranked = len(group) >= k
    change_pct = (
        float(percentileofscore(group["change"], change, kind="weak"))
        if ranked and change is not None
        else None
    )
    post_pct = (
        float(percentileofscore(group["post"], post, kind="weak")) if ranked and post is not None else None
    )
    total, at_or_below = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE compound <= ?) FROM comments WHERE compound IS NOT NULL",
        [who["compound"]],
    ).fetchall()[0]
    story_pct = 100.0 * at_or_below / total if total else None
    name = CONSTRUCTS[construct].name.lower()
    goal_t, goal_wave = goal_attainment_t(con, who["employee_id"])
    return {
        "story_key": who["story_key"],
        "pseudonym": who["pseudonym"],
        "role": who["role"],
        "cohort": who["cohort"],
        "focus": who["focus"],
        "text": who["text"],
        "text_wave": who["wave"],
        "compound": float(who["compound"]),
        "construct": construct,
        "construct_name": CONSTRUCTS[construct].name,
        "scores": _trajectory(wide, who["employee_id"]),
        "change": change,
        "post": post,
        "change_percentile": change_pct,
        "post_percentile": post_pct,
        "group_n": int(len(group)),
        "distribution": group[["pre", "post", "change"]].reset_index(drop=True) if ranked else None,
        "partner": _partner(con, who, wide, pair),
        "goal_t": goal_t,
        "goal_wave": goal_wave,
        "story_percentile": story_pct,
        "sentence": typicality(name, who["role"], who["cohort"], change, change_pct, story_pct, k),
        "min_group": k,
    }
