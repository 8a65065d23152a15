"""The sample programme's activity: participants' goals with their attainment, and pair sessions."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.sample.org import TODAY, Org, Roster, iso_dates, to_days, weighted_choice
from analytics.sample.text import GOAL_TITLES

__all__ = ["FITS", "goals_frame", "sessions_frame", "first_session_fit"]

_SESSION_KINDS = [("meeting", 65), ("check-in", 25), ("shadowing", 10)]
FITS = ("good fit", "still deciding", "not a fit")


def goals_frame(rng: np.random.Generator, org: Org, roster: Roster, focus: np.ndarray) -> pd.DataFrame:
    """Two to four weighted goals per participant with attainment levels at mid and post."""
    n = len(roster.person)
    count = rng.integers(2, 5, n)
    person = np.repeat(np.arange(n), count)
    number = np.concatenate([np.arange(1, k + 1) for k in count])
    titles = []
    shuffle = rng.random((n, 6))
    for i in range(n):
        pool = GOAL_TITLES["mentor"] if roster.role[i] == "mentor" else GOAL_TITLES["mentee"][focus[i]]
        order = np.argsort(shuffle[i, : len(pool)], kind="stable")
        titles.extend(pool[j] for j in order[: count[i]])
    g = len(person)
    weight = pd.array(rng.integers(1, 4, g), dtype="Int64")
    weight[rng.random(g) < 0.2] = pd.NA
    drive = np.where(roster.weak, -0.6, 0.3) + 0.35 * roster.quality + 0.25 * org.positivity[roster.person]
    mid = np.clip(np.round(-0.4 + 0.6 * drive[person] + rng.normal(0, 0.8, g)), -2, 2).astype("int64")
    post = np.clip(np.round(0.1 + drive[person] + rng.normal(0, 0.8, g)), -2, 2).astype("int64")
    withdrawn = ~np.isnat(roster.stop[person])
    level_mid = pd.array(mid, dtype="Int64")
    level_post = pd.array(post, dtype="Int64")
    level_mid[withdrawn] = pd.NA
    level_post[withdrawn] = pd.NA
    return pd.DataFrame(
        {
            "employee_id": org.employee_id[roster.person[person]],
            "goal_id": [f"G{k}" for k in number],
            "title": titles,
            "weight": weight,
            "level_mid": level_mid,
            "level_post": level_post,
        }
    )


def sessions_frame(rng: np.random.Generator, roster: Roster, pair_ids: np.ndarray) -> pd.DataFrame:
    """Meetings every two to four weeks; withdrawn pairs stop, ~15 % of pairs go quiet early."""
    start = roster.start[::2]
    n = len(start)
    nominal = roster.nominal_end[::2]
    end = np.where(np.isnat(roster.end[::2]), TODAY, np.fmin(roster.end[::2], TODAY))
    quiet = rng.random(n) < 0.12
    quiet_stop = np.maximum(nominal - to_days(rng.uniform(60, 120, n)), start + np.timedelta64(21, "D"))
    stop = np.where(quiet, np.fmin(quiet_stop, end), end)
    withdrawn = roster.stop[::2]
    stop = np.where(np.isnat(withdrawn), stop, np.fmin(stop, withdrawn))
    longest = int((stop - start).astype("int64").max()) if n else 0
    slots = longest // 7 + 2
    rhythm = rng.uniform(14, 28, n)
    gaps = np.maximum(7, np.round(rhythm[:, None] + rng.normal(0, 5, (n, slots)))).astype("int64")
    gaps[:, 0] = rng.integers(3, 15, n)
    dates = start[:, None] + np.cumsum(gaps, axis=1).astype("timedelta64[D]")
    held = dates <= stop[:, None]
    pair, slot = np.nonzero(held)
    kinds = weighted_choice(rng, _SESSION_KINDS, len(pair))
    minutes = np.where(
        kinds == "check-in",
        rng.choice([30, 30, 45], len(pair)),
        np.where(
            kinds == "shadowing",
            rng.choice([60, 75, 90], len(pair)),
            rng.choice([45, 60, 60, 75, 90], len(pair)),
        ),
    )
    return pd.DataFrame(
        {
            "pair_id": pair_ids[pair],
            "date": iso_dates(dates[pair, slot]),
            "minutes": minutes.astype("int64"),
            "kind": kinds,
        }
    )


def first_session_fit(
    rng: np.random.Generator, session_pairs: np.ndarray, pair_ids: np.ndarray, both_improved: np.ndarray
) -> np.ndarray:
    """The `fit` column of a session log sorted by pair and date: each pair's first session rated, others ''.

    both_improved is per pair of pair_ids (1, 0 or NaN). A good fit is likelier where both partners went
    on to improve (0.65 against 0.3; 0.475 where unknown), 'not a fit' rarer (0.1 against 0.25).
    """
    both = np.where(np.isnan(both_improved), 0.5, both_improved)
    good = 0.3 + 0.35 * both
    bad = 0.25 - 0.15 * both
    u = rng.random(len(both))
    rating = np.where(u < good, FITS[0], np.where(u < good + bad, FITS[2], FITS[1])).astype(object)
    pair = pd.Index(pair_ids).get_indexer(session_pairs)
    first = np.r_[True, session_pairs[1:] != session_pairs[:-1]] if len(session_pairs) else np.array([], bool)
    fit = np.full(len(session_pairs), "", dtype=object)
    fit[first] = rating[pair[first]]
    return fit
