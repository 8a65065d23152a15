"""The sample's mentoring applications: one per past participant, and an upcoming cohort not yet paired.

The past applications carry a planted relation for the learning loop to find: the closer a pair's values
and working-style answers, the better the pair did. The outcomes already exist (the surveys), so the
style answers are drawn given each pair's outcome, and no survey value changes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.instruments import OBJECTIVES, SKILLS, STYLE, STYLE_ITEMS, items_of, reverse_code
from analytics.sample.org import TODAY, Org, Roster, grade_level

__all__ = ["UPCOMING_APPLICANTS", "OUTCOME_CONSTRUCT", "pair_outcomes", "next_cohort", "applications_frame"]

UPCOMING_APPLICANTS = 30  # mentors, and as many mentees, apply for the upcoming cohort
OUTCOME_CONSTRUCT = "ps"  # the pair outcome the style answers follow: psychological safety, pre -> post

_MENTOR_SKILLS = ("data analysis", "digital tools", "social media", "artificial intelligence", "coding")
_MENTEE_SKILLS = tuple(s for s in SKILLS if s not in _MENTOR_SKILLS)
_STYLE_WEIGHTS = np.array([0.1, 0.2, 0.35, 0.25, 0.1])  # answers 1-5 to a style item
_TIME_ZONES = {"Dublin": "Europe/Dublin"}  # every other sample location is on London time
_HOURS = np.array([2, 3, 4, 4, 6, 8])


def _score(frame: pd.DataFrame, construct: str) -> pd.Series:
    """A construct score per response: the mean of the answered items after reverse coding."""
    columns = {}
    for spec in items_of(construct):
        if spec.code in frame:
            values = frame[spec.code].astype("float64")
            columns[spec.code] = reverse_code(spec.code, values)
    return pd.DataFrame(columns).mean(axis=1)


def pair_outcomes(participants: pd.DataFrame, pre: pd.DataFrame, post: pd.DataFrame) -> pd.DataFrame:
    """Per pair (in roster order): both_improved (1, 0, NaN where a partner lacks a wave) and mean_gain."""
    before = pd.Series(_score(pre, OUTCOME_CONSTRUCT).to_numpy(), index=pre["employee_id"])
    after = pd.Series(_score(post, OUTCOME_CONSTRUCT).to_numpy(), index=post["employee_id"])
    change = (
        after.reindex(participants["employee_id"]) - before.reindex(participants["employee_id"])
    ).to_numpy()
    mentor, mentee = change[::2], change[1::2]
    known = ~np.isnan(mentor) & ~np.isnan(mentee)
    return pd.DataFrame(
        {
            "pair_id": participants["pair_id"].to_numpy()[::2],
            "both_improved": np.where(known, ((mentor > 0) & (mentee > 0)).astype(float), np.nan),
            "mean_gain": np.where(known, (mentor + mentee) / 2, np.nan),
        }
    )


def next_cohort(cohorts: list[tuple[str, np.datetime64]]) -> str:
    """The first cohort after the data date, named as plan_cohorts names them ('2027-Spring')."""
    quarterly = cohorts[-1][0].split("-")[1] not in ("Spring", "Autumn")
    names = {3: "Mar", 6: "Jun", 9: "Sep", 12: "Dec"} if quarterly else {3: "Spring", 9: "Autumn"}
    year, month = int(str(TODAY)[:4]), int(str(TODAY)[5:7])
    while True:
        month += 1
        if month > 12:
            year, month = year + 1, 1
        if month in names:
            return f"{year}-{names[month]}"


def _terms(rng: np.random.Generator, pool: tuple[str, ...], low: int, high: int, n: int) -> list[list[str]]:
    """n lists of low to high distinct terms of pool, in the pool's order."""
    count = rng.integers(low, high + 1, n)
    keys = rng.random((n, len(pool)))
    return [[pool[j] for j in sorted(np.argsort(keys[i])[: count[i]])] for i in range(n)]


def _joined(terms: list[list[str]]) -> np.ndarray:
    return np.array(["; ".join(t) for t in terms], dtype=object)


def _mentee_style(rng: np.random.Generator, mentor: np.ndarray, close: np.ndarray) -> np.ndarray:
    """A mentee's answers: the mentor's where close, else 1 or 2 points away (inside the 1-5 scale)."""
    gap = np.where(rng.random(mentor.shape) < 0.6, 1, 2) * np.where(rng.random(mentor.shape) < 0.5, -1, 1)
    away = np.where((mentor + gap < 1) | (mentor + gap > 5), mentor - gap, mentor + gap)
    return np.where(close, mentor, away)


def _application_rows(
    rng: np.random.Generator,
    org: Org,
    person: np.ndarray,
    role: np.ndarray,
    cohort: np.ndarray,
    style: np.ndarray,
    focus: np.ndarray | None,
) -> pd.DataFrame:
    """Applications of the given people; objectives include the pair's focus (when given) 70 % of the time."""
    n = len(person)
    mentor = role == "mentor"
    objectives = _terms(rng, OBJECTIVES, 1, 3, n)
    if focus is not None:
        with_focus = rng.random(n) < 0.7
        for i in np.flatnonzero(with_focus):
            if focus[i] not in objectives[i]:
                kept = {focus[i], *objectives[i][:2]}
                objectives[i] = [o for o in OBJECTIVES if o in kept]
    junior, senior = _terms(rng, _MENTOR_SKILLS, 1, 3, n), _terms(rng, _MENTEE_SKILLS, 1, 3, n)
    offered = [j if m else s for j, s, m in zip(junior, senior, mentor, strict=True)]
    wanted = [s if m else j for j, s, m in zip(junior, senior, mentor, strict=True)]
    involvement = np.where(rng.random(n) < 0.5, 0.0, np.round(rng.uniform(0.5, 6, n) * 2) / 2)
    capacity = pd.array(np.where(rng.random(n) < 0.2, 2, 1), dtype="Int64")
    capacity[~mentor] = pd.NA
    location = org.location[person]
    return pd.DataFrame(
        {
            "employee_id": org.employee_id[person],
            "cohort": cohort,
            "role": role,
            "objectives": _joined(objectives),
            "skills_offered": _joined(offered),
            "skills_wanted": _joined(wanted),
            **{code: pd.array(style[:, k], dtype="Int64") for k, code in enumerate(STYLE_ITEMS)},
            "hours_per_month": pd.array(_HOURS[rng.integers(0, len(_HOURS), n)], dtype="Int64"),
            "time_zone": np.array([_TIME_ZONES.get(v, "Europe/London") for v in location], dtype=object),
            "location": location,
            "prefers_other_department": np.where(rng.random(n) < 0.4, "yes", "no").astype(object),
            "culture_change_involvement": pd.array(np.where(mentor, involvement, np.nan), dtype="Float64"),
            "capacity": capacity,
        }
    )


def _style_answers(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.choice(np.arange(1, 6), size=(n, len(STYLE)), p=_STYLE_WEIGHTS)


def applications_frame(
    rng: np.random.Generator,
    org: Org,
    roster: Roster,
    cohorts: list[tuple[str, np.datetime64]],
    participants: pd.DataFrame,
    outcomes: pd.DataFrame,
    upcoming: int = UPCOMING_APPLICANTS,
) -> pd.DataFrame:
    """Every participant's application to their cohort, then the upcoming cohort's applicants.

    A pair's chance that the mentee answers a style item as the mentor did rises from 0.25 (partners did
    not both improve) to 0.65 (both did), 0.45 where unknown, and moves with the pair's mean gain.
    Upcoming: employees employed today and not in an open pair, G1-G3 as mentors and G5-G7 as mentees.
    """
    both = outcomes["both_improved"].to_numpy()
    gain = outcomes["mean_gain"].to_numpy()
    spread = np.nanstd(gain) if np.isfinite(gain).sum() > 1 else 1.0
    lift = np.clip(np.nan_to_num(gain / spread), -1.5, 1.5) / 1.5
    p_close = np.clip(np.where(np.isnan(both), 0.45, 0.25 + 0.4 * both) + 0.1 * lift, 0.1, 0.9)
    n_pairs = len(both)
    mentor_style = _style_answers(rng, n_pairs)
    close = rng.random(mentor_style.shape) < p_close[:, None]
    mentee_style = _mentee_style(rng, mentor_style, close)
    style = np.empty((2 * n_pairs, len(STYLE)), dtype="int64")
    style[::2], style[1::2] = mentor_style, mentee_style
    past = _application_rows(
        rng,
        org,
        roster.person,
        roster.role,
        participants["cohort"].to_numpy(),
        style,
        participants["focus"].to_numpy(),
    )

    status = participants["status"].to_numpy()
    open_pair = np.zeros(len(org.employee_id), dtype=bool)
    open_pair[roster.person[status == "active"]] = True
    level = grade_level(org.grade)
    free = np.isnat(org.exit) & ~open_pair
    chosen = []
    for lo, hi in ((1, 3), (5, 7)):
        pool = np.flatnonzero(free & (level >= lo) & (level <= hi))
        chosen.append(np.sort(rng.choice(pool, size=min(upcoming, len(pool)), replace=False)))
    person = np.concatenate(chosen)
    role = np.repeat(np.array(["mentor", "mentee"], dtype=object), [len(c) for c in chosen])
    future = _application_rows(
        rng,
        org,
        person,
        role,
        np.full(len(person), next_cohort(cohorts), dtype=object),
        _style_answers(rng, len(person)),
        None,
    )
    return pd.concat([past, future], ignore_index=True)
