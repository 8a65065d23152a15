"""One consented participant's story, set against the aggregate it belongs to."""

from __future__ import annotations

import math

import duckdb
import numpy as np
import pandas as pd
from scipy.stats import percentileofscore
from scipy.stats.mstats import hdquantiles

from analytics import privacy
from analytics.errors import MutualError
from analytics.filters import ATTRIBUTE_LABELS, Filters, selected
from analytics.goals import RHO as GAS_RHO
from analytics.goals import gas_t_score
from analytics.instruments import CONSTRUCTS
from analytics.metrics import construct_scores

__all__ = [
    "STORY_FILTERS",
    "consented_stories",
    "story",
    "goal_attainment_t",
    "typicality",
    "quartiles",
]

_PROGRAMME_WAVES = ("pre", "mid", "post")
# The filters that may narrow the list of stories: the programme's own attributes. Any filter on who a
# person is (department, grade, location, demographics) could single out a story's teller.
STORY_FILTERS = ("cohort", "role", "focus")
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
               'Story ' || n.number || ' — ' || n.role || ', cohort ' || n.cohort AS pseudonym,
               n.role, n.cohort, n.focus, n.pair_id, n.employee_id, p.wave, p.kind, p.text, p.compound, n.number
        FROM numbered n JOIN picked p ON p.story_key = n.story_key AND p.pick = 1"""


def consented_stories(
    con: duckdb.DuckDBPyConnection, filters: Filters | None = None, min_group: int | None = None
) -> pd.DataFrame:
    """Participants who consented to their story being shown and wrote a comment, pseudonymised.

    Columns: story_key, pseudonym ("Story 7 — mentee, cohort 2025-Spring"), role, cohort, wave, text
    (their post-wave comment, else their latest), compound. No employee id, pair or focus. Stories told
    at the post survey come first.

    A story is listed only when the people it could belong to under the filters (the participants of
    its cohort and role the filters keep) number at least `privacy.min_group()`. With a filter on
    anything but cohort, role or focus the list is empty; when empty, `attrs["message"]` says why.
    A focus filter reveals a story's focus, so it lists a story only when its focus holds at least k of
    its cohort and role, or when the filter selects every focus whose group is hidden (`_focus_shown`).
    """
    k = privacy.min_group() if min_group is None else min_group
    chosen = selected(filters)
    listed = con.execute(
        f"""SELECT story_key, pseudonym, role, cohort, focus, wave, text, compound
            FROM ({_stories_sql("TRUE")}) ORDER BY kind = 'post' DESC, number"""
    ).df()
    columns = ["story_key", "pseudonym", "role", "cohort", "wave", "text", "compound"]
    personal = sorted(set(chosen) - set(STORY_FILTERS))
    if personal:
        empty = listed[columns].iloc[0:0]
        empty.attrs["message"] = (
            "Stories are not listed while a filter on "
            + ", ".join(ATTRIBUTE_LABELS[a].lower() for a in personal)
            + " is set: with it, a story could be traced to the person who told it. Clear that filter to "
            "see the stories; cohort, role and programme focus filters may narrow the list."
        )
        return empty
    keep = np.ones(len(listed), dtype=bool)
    for attribute in ("cohort", "role"):
        if attribute in chosen:
            keep &= listed[attribute].astype(str).isin(chosen[attribute]).to_numpy(dtype=bool)
    cells = _candidate_cells(con, k)
    keep &= _focus_shown(listed, cells, chosen.get("focus"))
    keep &= _candidates(listed, cells, chosen.get("focus")) >= k
    shown = listed.loc[keep, columns].reset_index(drop=True)
    if shown.empty:
        shown.attrs["message"] = (
            "No story to list here. Stories appear only for participants who agreed to share theirs and "
            f"wrote a comment, and only where at least {k} participants of the story's cohort and role "
            "match the filters, so a story cannot be traced to one person."
        )
    return shown


def _candidate_cells(con: duckdb.DuckDBPyConnection, k: int) -> pd.DataFrame:
    """Participants per cohort, role and focus, with `suppressed` marking the focus groups hidden within
    each cohort and role (under k, and the next smallest: privacy.suppress)."""
    cells = con.execute(
        """SELECT cohort, role, focus, count(DISTINCT employee_id) AS n
           FROM participants GROUP BY ALL ORDER BY ALL"""
    ).df()
    cells["focus"] = cells["focus"].astype("object").where(cells["focus"].notna(), None)
    return privacy.suppress(cells, [], min_group=k, within=["cohort", "role"])


def _cells_of(cells: pd.DataFrame, cohort: str, role: str) -> pd.DataFrame:
    return cells[(cells["cohort"].astype(str) == str(cohort)) & (cells["role"].astype(str) == str(role))]


def _focus_shown(listed: pd.DataFrame, cells: pd.DataFrame, focus: list[str] | None) -> np.ndarray:
    """Which stories a focus filter may list without telling their focus when it holds fewer than k.

    A story whose focus group is shown is listed when the filter selects its focus. One whose focus group
    is hidden is listed only when the filter selects every hidden focus of its cohort and role, so what
    the listing tells is at most "one of the hidden foci", a group of at least k together.
    """
    if not focus:
        return np.ones(len(listed), dtype=bool)
    wanted = set(focus)
    shown = []
    for cohort, role, own in listed[["cohort", "role", "focus"]].itertuples(index=False, name=None):
        group = _cells_of(cells, cohort, role)
        own = None if pd.isna(own) else str(own)
        cell = group[group["focus"].map(lambda f: None if f is None else str(f)) == own]
        if own is None or cell.empty or own not in wanted:
            shown.append(False)
        elif not bool(cell["suppressed"].iloc[0]):
            shown.append(True)
        else:
            hidden = group.loc[group["suppressed"].astype(bool), "focus"]
            shown.append(all(f is not None and str(f) in wanted for f in hidden))
    return np.array(shown, dtype=bool)


def _candidates(listed: pd.DataFrame, cells: pd.DataFrame, focus: list[str] | None) -> np.ndarray:
    """Per story: the participants of its cohort and role that the focus filter keeps."""
    counts = []
    for cohort, role in listed[["cohort", "role"]].itertuples(index=False, name=None):
        group = _cells_of(cells, cohort, role)
        if focus:
            group = group[group["focus"].map(lambda f: f is not None and str(f) in set(focus))]
        counts.append(int(group["n"].sum()))
    return np.array(counts, dtype="int64")


def quartiles(values: pd.Series) -> dict:
    """n and the Harrell-Davis estimates of the quartiles (q1, median, q3) of the values.

    Each estimate is a weighted mean of every value (scipy.stats.mstats.hdquantiles), so with a handful
    of people a box edge is not one person's value, as the plain sample quartiles would be.
    """
    data = np.asarray(values.dropna(), dtype="float64")
    q1, median, q3 = (float(v) for v in hdquantiles(data, prob=[0.25, 0.5, 0.75]))
    return {"n": int(data.size), "q1": q1, "median": median, "q3": q3}


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
    Ranks, `group_n` and the distribution (`quartiles` of the group's changes: n, q1, median, q3, never
    a person's value) are given only when that group has at least `min_group` (default
    `privacy.min_group()`) people with both pre and post scores. Raises MutualError for a key without
    consent, or whose cohort and role have fewer than `min_group` participants (it is never listed).
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
    candidates = con.execute(
        "SELECT count(DISTINCT employee_id) FROM participants WHERE cohort = ? AND role = ?",
        [who["cohort"], who["role"]],
    ).fetchone()[0]
    if candidates < k:
        raise MutualError(f"There is no consented story with key {story_key!r}.")
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
        "group_n": int(len(group)) if ranked else None,
        "distribution": quartiles(group["change"]) if ranked else None,
        "partner": _partner(con, who, wide, pair),
        "goal_t": goal_t,
        "goal_wave": goal_wave,
        "story_percentile": story_pct,
        "sentence": typicality(name, who["role"], who["cohort"], change, change_pct, story_pct, k),
        "min_group": k,
    }
