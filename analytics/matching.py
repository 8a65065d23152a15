"""Mentor-mentee matching: hard rules, a compatibility score, optimal and stable pairs, and a fairness check.

DataFrame in, DataFrame out; nothing here reads the database. `applications` has one row per applicant
(`employee_id`, `role` of mentor / mentee / either, `objectives`, `skills_offered`, `skills_wanted` as
lists or "a; b" text, the STYLE_ITEMS on 1-5, `hours_per_month`, `time_zone` and/or `location`,
`prefers_other_department` yes/no, and for mentors `culture_change_involvement` in years and `capacity`);
`employees` has `employee_id`, `grade`, `department`, an optional `manager_id` and the demographic
attributes. Every score is computed over all mentor x mentee pairs at once in numpy.
"""

from __future__ import annotations

import datetime
import re
import zoneinfo
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_bipartite_matching

from analytics import privacy
from analytics.errors import MutualError
from analytics.filters import missing_label
from analytics.instruments import STYLE_ITEMS

__all__ = [
    "COMPONENTS",
    "DEFAULT_WEIGHTS",
    "RULES",
    "DEFAULT_RULES",
    "METHODS",
    "CULTURE_CAP_YEARS",
    "Feasibility",
    "Proposal",
    "sides",
    "rules_in_force",
    "feasibility",
    "components",
    "normalise_weights",
    "compatibility",
    "assign",
    "stable_matching",
    "propose",
    "fairness",
]

_STYLE_WORDS = {
    "openness_to_challenge": "openness to challenge",
    "preferred_pace": "pace",
    "directness": "directness",
}
_STYLE_RANGE = 4.0  # 5 - 1

COMPONENTS = ("objectives", "skills", "style", "availability", "lens", "culture_change")
DEFAULT_WEIGHTS = {
    "objectives": 0.2,
    "skills": 0.25,
    "style": 0.2,
    "availability": 0.15,
    "lens": 0.1,
    "culture_change": 0.1,
}
CULTURE_CAP_YEARS = 5.0  # culture-change involvement scores 1 from this many years on
_ZONE_SPAN_HOURS = 12.0  # availability: time zones this far apart (or more) share no working hours
_UNKNOWN = 0.5  # a component that cannot be worked out for a pair: neither a fit nor a misfit

RULES = {
    "reverse": "the mentor's grade is below the mentee's",
    "reporting_line": "neither is in the other's reporting line",
    "capacity": "a mentee has one mentor; a mentor takes at most the number they offer",
    "open_cohort": "people already paired in an open cohort are not paired again",
    "department_preference": "someone who asked for another department is not paired within their own",
    "different_department": "mentor and mentee are in different departments",
}
DEFAULT_RULES = {rule: rule != "different_department" for rule in RULES}
METHODS = ("total", "bottleneck", "stable")

# Why a person has nobody: (for a mentee, for a mentor) when one exclusion covers every candidate, and its
# short name when several do between them. "same_person", "excluded" and "ranking" are not switchable.
_EVERY = {
    "reverse": ("every mentor's grade is not below theirs", "every mentee's grade is not above theirs"),
    "reporting_line": ("every mentor is in their reporting line", "every mentee is in their reporting line"),
    "open_cohort": (
        "they are already paired with every mentor in an open cohort",
        "they are already paired with every mentee in an open cohort",
    ),
    "department_preference": (
        "every mentor is in their department, and one of the two asked for another",
        "every mentee is in their department, and one of the two asked for another",
    ),
    "different_department": ("every mentor is in their department", "every mentee is in their department"),
    "same_person": ("the only mentor is themselves", "the only mentee is themselves"),
    "excluded": ("every pair with them was excluded", "every pair with them was excluded"),
    "ranking": ("no mentor they ranked has ranked them", "no mentee they ranked has ranked them"),
}
_SHORT = {
    "reverse": "grade",
    "reporting_line": "reporting line",
    "open_cohort": "an open cohort",
    "department_preference": "department preference",
    "different_department": "same department",
    "same_person": "same person",
    "excluded": "excluded pairs",
    "ranking": "rankings",
}


# ---------------------------------------------------------------- the two sides


def _terms(value: object) -> frozenset[str]:
    """A list field as a set of terms: a list, or text separated by ';' or ','."""
    if isinstance(value, list | tuple | set | frozenset | np.ndarray):
        items = [str(v) for v in value]
    elif value is None or (isinstance(value, float) and np.isnan(value)):
        items = []
    else:
        items = re.split(r"[;,]", str(value))
    return frozenset(t.strip() for t in items if t and t.strip())


def _yes(value: object) -> bool:
    if isinstance(value, bool | np.bool_):
        return bool(value)
    return str(value).strip().lower() in ("yes", "y", "true", "1", "1.0")


def sides(
    applications: pd.DataFrame, employees: pd.DataFrame, *, grade_order: Sequence[str] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(mentors, mentees): the applications joined to the employee attributes, "either" placed by grade.

    Applicants who said "either" go, lowest grade first (in `grade_order`, else sorted as text), to the mentors while the mentors' capacity is
    short of the mentees, and to the mentees after that. An application's own value (e.g. `location`)
    wins over the employees file's.
    """
    for column in ("employee_id", "role"):
        if column not in applications.columns:
            raise MutualError(f"applications: the column '{column}' is missing")
    ids = applications["employee_id"].astype(str)
    repeated = sorted(set(ids[ids.duplicated()]))
    if repeated:
        raise MutualError(f"applications: {', '.join(repeated[:5])} applied more than once")
    unknown = sorted(set(ids) - set(employees["employee_id"].astype(str)))
    if unknown:
        raise MutualError(
            f"applications: {', '.join(unknown[:5])} not in the employees file; import the employees first"
        )
    people = employees.assign(employee_id=employees["employee_id"].astype(str)).set_index("employee_id")
    frame = applications.assign(employee_id=ids).set_index("employee_id")
    for column in people.columns:
        values = people[column].reindex(frame.index)
        frame[column] = frame[column].where(frame[column].notna(), values) if column in frame else values
    role = frame["role"].astype(str).str.strip().str.lower()
    wrong = sorted(set(role) - {"mentor", "mentee", "either"})
    if wrong:
        raise MutualError(f"applications: role must be mentor, mentee or either, not {', '.join(wrong)}")
    capacity = _capacity(frame)
    either = frame.index[role == "either"]
    grades = frame.loc[either, "grade"] if "grade" in frame else pd.Series(np.nan, index=either)
    if grade_order is None:
        rank = pd.Series(pd.factorize(grades.astype(str), sort=True)[0], index=either, dtype=float)
    else:
        rank = pd.Series(_grade_rank(grades, grade_order), index=either)
    is_mentor = role == "mentor"
    offered, wanted = int(capacity[is_mentor].sum()), int((role == "mentee").sum())
    for person in rank.sort_values(kind="stable").index:
        if offered < wanted:
            is_mentor[person] = True
            offered += int(capacity[person])
        else:
            wanted += 1
    out = frame.reset_index()
    return out[is_mentor.to_numpy()].reset_index(drop=True), out[~is_mentor.to_numpy()].reset_index(drop=True)


def _capacity(frame: pd.DataFrame) -> pd.Series:
    if "capacity" not in frame.columns:
        return pd.Series(1, index=frame.index)
    return pd.to_numeric(frame["capacity"], errors="coerce").fillna(1).clip(lower=0).astype(int)


# ---------------------------------------------------------------- hard rules


@dataclass(frozen=True, eq=False)
class Feasibility:
    """Which mentor (row) x mentee (column) pairs the rules allow, and, per rule, the pairs it excludes."""

    mentor_id: np.ndarray
    mentee_id: np.ndarray
    by_rule: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def feasible(self) -> np.ndarray:
        shape = (len(self.mentor_id), len(self.mentee_id))
        out = np.ones(shape, dtype=bool)
        for excluded in self.by_rule.values():
            out &= ~excluded
        return out

    def excluded(self) -> pd.DataFrame:
        """One row per excluded pair and rule that excludes it: mentor_id, mentee_id, rule, reason."""
        frames = []
        for rule, mask in self.by_rule.items():
            rows, cols = np.nonzero(mask)
            frames.append(
                pd.DataFrame(
                    {
                        "mentor_id": self.mentor_id[rows],
                        "mentee_id": self.mentee_id[cols],
                        "rule": rule,
                        "reason": RULES.get(rule, _SHORT.get(rule, rule)),
                    }
                )
            )
        columns = ["mentor_id", "mentee_id", "rule", "reason"]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


def rules_in_force(rules: Mapping[str, bool] | None = None) -> dict[str, bool]:
    """DEFAULT_RULES with the given switches applied; an unknown rule name is a MutualError."""
    unknown = sorted(set(rules or {}) - set(RULES))
    if unknown:
        raise MutualError(f"unknown matching rule {', '.join(unknown)}; the rules are {', '.join(RULES)}")
    return {**DEFAULT_RULES, **{k: bool(v) for k, v in (rules or {}).items()}}


def _grade_rank(grades: pd.Series, grade_order: Sequence[str]) -> np.ndarray:
    """Each grade's place in the organisation's order (NaN where not recorded)."""
    order = {str(g): i for i, g in enumerate(grade_order)}
    known = grades.notna()
    unknown = sorted(set(grades[known].astype(str)) - set(order))
    if unknown:
        raise MutualError(
            f"grade {', '.join(unknown)} is not in the grade order ({', '.join(map(str, grade_order))})"
        )
    return np.array([order[str(g)] if k else np.nan for g, k in zip(grades, known, strict=True)], dtype=float)


def _chains(ids: np.ndarray, employees: pd.DataFrame) -> tuple[np.ndarray, dict[str, int]]:
    """Each person's managers, nearest first, as codes (rows: people, columns: levels; -1 past the top)."""
    if "manager_id" not in employees.columns:
        return np.full((len(ids), 0), -1), {}
    staff = employees["employee_id"].astype(str).to_numpy()
    boss = employees["manager_id"].where(employees["manager_id"].notna(), None)
    boss = np.array([None if b is None or str(b).strip() == "" else str(b) for b in boss], dtype=object)
    code = {person: i for i, person in enumerate(dict.fromkeys([*staff, *(b for b in boss if b), *ids]))}
    top = len(code)  # the sentinel "no manager"
    parent = np.full(top + 1, top)
    for person, b in zip(staff, boss, strict=True):
        if b is not None:
            parent[code[person]] = code[b]
    current = np.array([code[i] for i in ids], dtype=int)
    levels = []
    for _ in range(top + 1):
        current = parent[current]
        if (current == top).all():
            break
        levels.append(current)
    else:
        raise MutualError(
            "employees: manager_id goes round in a loop; each chain must end at someone with no manager"
        )
    chain = np.column_stack(levels) if levels else np.full((len(ids), 0), top)
    return np.where(chain == top, -1, chain), code


def _reporting_line(mentor_id: np.ndarray, mentee_id: np.ndarray, employees: pd.DataFrame) -> np.ndarray:
    """True where the mentor manages the mentee at any depth, or the mentee the mentor."""
    ids = np.concatenate([mentor_id, mentee_id])
    chain, code = _chains(ids, employees)
    if not code:
        return np.zeros((len(mentor_id), len(mentee_id)), dtype=bool)
    own = np.array([code[i] for i in ids])
    mine, theirs = own[: len(mentor_id)], own[len(mentor_id) :]
    above_mentee, above_mentor = chain[len(mentor_id) :], chain[: len(mentor_id)]
    out = np.zeros((len(mentor_id), len(mentee_id)), dtype=bool)
    for level in range(chain.shape[1]):
        out |= mine[:, None] == above_mentee[None, :, level]
        out |= above_mentor[:, level][:, None] == theirs[None, :]
    return out


def _same(left: pd.Series, right: pd.Series) -> np.ndarray:
    """True where both values are recorded and equal (as text)."""
    codes, _ = pd.factorize(pd.concat([left, right], ignore_index=True).astype("string"))
    a, b = codes[: len(left)], codes[len(left) :]
    return (a[:, None] == b[None, :]) & (a[:, None] >= 0) & (b[None, :] >= 0)


def feasibility(
    mentors: pd.DataFrame,
    mentees: pd.DataFrame,
    *,
    grade_order: Sequence[str],
    employees: pd.DataFrame | None = None,
    rules: Mapping[str, bool] | None = None,
    open_pairs: Iterable[tuple[str, str]] = (),
) -> Feasibility:
    """The pairs the hard rules allow. `employees` gives the manager chains (default: the two sides).

    `open_pairs` are (mentor_id, mentee_id) pairs of open cohorts, excluded in either direction. A missing
    grade fails the reverse rule (it cannot be confirmed). The capacity rule acts in assignment, not here.
    """
    on = rules_in_force(rules)
    mentor_id = mentors["employee_id"].astype(str).to_numpy(dtype=object)
    mentee_id = mentees["employee_id"].astype(str).to_numpy(dtype=object)
    shape = (len(mentor_id), len(mentee_id))
    by_rule = {"same_person": mentor_id[:, None] == mentee_id[None, :]}
    if on["reverse"]:
        a, b = _grade_rank(mentors["grade"], grade_order), _grade_rank(mentees["grade"], grade_order)
        by_rule["reverse"] = ~(a[:, None] < b[None, :])
    if on["reporting_line"]:
        people = employees if employees is not None else pd.concat([mentors, mentees], ignore_index=True)
        by_rule["reporting_line"] = _reporting_line(mentor_id, mentee_id, people)
    if on["open_cohort"]:
        mask = np.zeros(shape, dtype=bool)
        row = {p: i for i, p in enumerate(mentor_id)}
        col = {p: j for j, p in enumerate(mentee_id)}
        for a, b in open_pairs:
            for x, y in ((str(a), str(b)), (str(b), str(a))):
                if x in row and y in col:
                    mask[row[x], col[y]] = True
        by_rule["open_cohort"] = mask
    same = _same(mentors["department"], mentees["department"]) if "department" in mentors else None
    if on["department_preference"] and same is not None:
        asks = [
            np.array(
                [_yes(v) for v in side.get("prefers_other_department", pd.Series(False, index=side.index))]
            )
            for side in (mentors, mentees)
        ]
        by_rule["department_preference"] = same & (asks[0][:, None] | asks[1][None, :])
    if on["different_department"] and same is not None:
        by_rule["different_department"] = same
    return Feasibility(mentor_id, mentee_id, by_rule)


# ---------------------------------------------------------------- compatibility score


def _multi_hot(left: list[frozenset], right: list[frozenset]) -> tuple[np.ndarray, np.ndarray]:
    vocabulary = {t: i for i, t in enumerate(sorted(set().union(*left, *right)))}
    out = []
    for sets in (left, right):
        matrix = np.zeros((len(sets), len(vocabulary)))
        for i, terms in enumerate(sets):
            matrix[i, [vocabulary[t] for t in terms]] = 1.0
        out.append(matrix)
    return out[0], out[1]


def _sets(frame: pd.DataFrame, column: str) -> list[frozenset]:
    if column not in frame.columns:
        return [frozenset()] * len(frame)
    return [_terms(v) for v in frame[column]]


def _jaccard(left: list[frozenset], right: list[frozenset]) -> np.ndarray:
    a, b = _multi_hot(left, right)
    common = a @ b.T
    union = a.sum(1)[:, None] + b.sum(1)[None, :] - common
    return np.divide(common, union, out=np.zeros_like(common), where=union > 0)


def _coverage(offered: list[frozenset], wanted: list[frozenset]) -> np.ndarray:
    """Share of what each column wants that each row offers (0 when nothing is wanted)."""
    a, b = _multi_hot(offered, wanted)
    common = a @ b.T
    want = np.broadcast_to(b.sum(1)[None, :], common.shape)
    return np.divide(common, want, out=np.zeros_like(common), where=want > 0)


def _numbers(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)


def _style(mentors: pd.DataFrame, mentees: pd.DataFrame) -> np.ndarray:
    """1 - mean absolute difference / 4 over the items both answered; _UNKNOWN where none."""
    a = np.column_stack([_numbers(mentors, c) for c in STYLE_ITEMS])
    b = np.column_stack([_numbers(mentees, c) for c in STYLE_ITEMS])
    gap = np.abs(a[:, None, :] - b[None, :, :])
    answered = ~np.isnan(gap)
    count = answered.sum(axis=2)
    total = np.where(answered, gap, 0.0).sum(axis=2)
    mean = np.divide(total, count, out=np.zeros_like(total), where=count > 0)
    return np.where(count > 0, 1 - mean / _STYLE_RANGE, _UNKNOWN)


_OFFSET = re.compile(r"^(?:utc|gmt)?\s*([+-])?\s*(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)


def _utc_offset(value: object) -> float:
    """Hours from UTC: a number, "UTC+5:30", "-03:00", or an IANA zone name (its offset on 1 January)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return np.nan
    if isinstance(value, int | float | np.number):
        return float(value)
    text = str(value).strip()
    if text.lower() in ("utc", "gmt", "z"):
        return 0.0
    match = _OFFSET.match(text)
    if match:
        sign = -1.0 if match.group(1) == "-" else 1.0
        return sign * (int(match.group(2)) + int(match.group(3) or 0) / 60)
    try:
        zone = zoneinfo.ZoneInfo(text)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return np.nan
    offset = datetime.datetime(2025, 1, 1, 12, tzinfo=zone).utcoffset()
    return offset.total_seconds() / 3600 if offset is not None else np.nan


def _availability(mentors: pd.DataFrame, mentees: pd.DataFrame) -> np.ndarray:
    """Mean of hours fit (fewer hours / more hours) and place fit (time zones, else same location)."""
    a, b = _numbers(mentors, "hours_per_month")[:, None], _numbers(mentees, "hours_per_month")[None, :]
    low, high = np.fmin(a, b), np.fmax(a, b)
    hours = np.divide(low, high, out=np.zeros(np.broadcast_shapes(a.shape, b.shape)), where=high > 0)
    hours = np.where(np.isnan(a) | np.isnan(b), _UNKNOWN, hours)
    zones = [
        np.array([_utc_offset(v) for v in side["time_zone"]])
        if "time_zone" in side
        else np.full(len(side), np.nan)
        for side in (mentors, mentees)
    ]
    gap = np.abs(zones[0][:, None] - zones[1][None, :])
    place = np.full(hours.shape, _UNKNOWN)
    if "location" in mentors.columns and "location" in mentees.columns:
        place = np.where(_same(mentors["location"], mentees["location"]), 1.0, place)
    place = np.where(np.isnan(gap), place, 1 - np.minimum(gap, _ZONE_SPAN_HOURS) / _ZONE_SPAN_HOURS)
    return (hours + place) / 2


def _lens(mentors: pd.DataFrame, mentees: pd.DataFrame, attributes: Sequence[str]) -> np.ndarray:
    """Share of the named attributes (recorded for both) on which the two differ; _UNKNOWN where none."""
    shape = (len(mentors), len(mentees))
    differ, known = np.zeros(shape), np.zeros(shape)
    for attribute in attributes:
        if attribute not in mentors.columns or attribute not in mentees.columns:
            raise MutualError(
                f"the programme lens names '{attribute}', which the employees file does not have"
            )
        left, right = mentors[attribute], mentees[attribute]
        both = left.notna().to_numpy()[:, None] & right.notna().to_numpy()[None, :]
        differ += both & ~_same(left, right)
        known += both
    return np.divide(differ, known, out=np.full(shape, _UNKNOWN), where=known > 0)


def components(
    mentors: pd.DataFrame,
    mentees: pd.DataFrame,
    *,
    lens: Sequence[str] = (),
    culture_cap: float = CULTURE_CAP_YEARS,
) -> dict[str, np.ndarray]:
    """Each of COMPONENTS as a mentors x mentees array in [0, 1].

    objectives: Jaccard index of the two objective sets. skills: mean of the share of the mentee's wanted
    skills the mentor offers and the share of the mentor's wanted skills the mentee offers. style:
    1 - mean |difference| / 4 over STYLE_ITEMS. availability: mean of hours fit (fewer / more hours per
    month) and place fit (1 - time-zone gap / 12 h, else 1 for the same location, 0.5 otherwise).
    lens: share of the `lens` attributes on which the two differ. culture_change: the mentor's years,
    capped at `culture_cap`, over `culture_cap`. Anything unknown for a pair scores 0.5.
    """
    skills = (
        _coverage(_sets(mentors, "skills_offered"), _sets(mentees, "skills_wanted"))
        + _coverage(_sets(mentees, "skills_offered"), _sets(mentors, "skills_wanted")).T
    ) / 2
    years = np.nan_to_num(_numbers(mentors, "culture_change_involvement"), nan=0.0).clip(0, culture_cap)
    return {
        "objectives": _jaccard(_sets(mentors, "objectives"), _sets(mentees, "objectives")),
        "skills": skills,
        "style": _style(mentors, mentees),
        "availability": _availability(mentors, mentees),
        "lens": _lens(mentors, mentees, lens),
        "culture_change": np.repeat((years / culture_cap)[:, None], len(mentees), axis=1),
    }


def normalise_weights(
    weights: Mapping[str, float] | None = None, *, lens: Sequence[str] = ()
) -> dict[str, float]:
    """Weights summing to 1: named components as given, the others at their default.

    Without lens attributes the lens weighs nothing (it would score every pair alike).
    """
    given = dict(weights or {})
    unknown = sorted(set(given) - set(COMPONENTS))
    if unknown:
        raise MutualError(
            f"unknown score component {', '.join(unknown)}; the components are {', '.join(COMPONENTS)}"
        )
    merged = {**DEFAULT_WEIGHTS, **given}
    if not lens:
        merged["lens"] = 0.0
    bad = [name for name, w in merged.items() if not np.isfinite(float(w)) or float(w) < 0]
    if bad:
        raise MutualError(f"the weight of {', '.join(bad)} must be a number of 0 or more")
    total = sum(float(w) for w in merged.values())
    if total <= 0:
        raise MutualError("at least one score component needs a weight above 0")
    return {name: float(merged[name]) / total for name in COMPONENTS}


def compatibility(parts: Mapping[str, np.ndarray], weights: Mapping[str, float]) -> np.ndarray:
    """The weighted sum of the components (weights as normalise_weights returns them), in [0, 1]."""
    return sum(weights[name] * parts[name] for name in COMPONENTS)


# ---------------------------------------------------------------- assignment


def _max_total(score: np.ndarray, allowed: np.ndarray) -> list[tuple[int, int]]:
    """Most allowed pairs, then the highest total score; each row and column used once."""
    big = min(score.shape) + 1.0  # one more pair always outweighs any difference in total score
    rows, cols = linear_sum_assignment(np.where(allowed, -score, big))
    keep = allowed[rows, cols]
    return list(zip(rows[keep].tolist(), cols[keep].tolist(), strict=True))


def _most_pairs(allowed: np.ndarray) -> int:
    matched = maximum_bipartite_matching(csr_matrix(allowed.astype(np.int8)), perm_type="column")
    return int((matched >= 0).sum())


def _bottleneck(score: np.ndarray, allowed: np.ndarray) -> float:
    """The highest threshold at which pairs scoring at least it still make as many pairs as all allowed."""
    values = np.unique(score[allowed])
    if values.size == 0:
        return -np.inf
    target = _most_pairs(allowed)
    low, high = 0, values.size - 1  # values[low] always reaches the target
    while low < high:
        middle = (low + high + 1) // 2
        if _most_pairs(allowed & (score >= values[middle])) == target:
            low = middle
        else:
            high = middle - 1
    return float(values[low])


def assign(
    score: np.ndarray,
    feasible: np.ndarray,
    *,
    capacity: Sequence[int] | np.ndarray | None = None,
    method: str = "total",
) -> list[tuple[int, int]]:
    """(mentor row, mentee column) pairs: as many feasible pairs as possible, then the best by `method`.

    "total" maximises the sum of scores; "bottleneck" maximises the worst pair's score first, then the sum.
    Each mentee gets at most one mentor and mentor i at most capacity[i] mentees (None: no limit).
    """
    if method not in ("total", "bottleneck"):
        raise ValueError(f"assign: method must be 'total' or 'bottleneck', not {method!r}")
    n_mentors, n_mentees = score.shape
    if capacity is None:  # each mentee simply takes their best feasible mentor
        best = np.where(feasible, score, -np.inf).argmax(axis=0)
        return sorted((int(best[j]), int(j)) for j in np.flatnonzero(feasible.any(axis=0)))
    slots = np.repeat(np.arange(n_mentors), np.clip(np.asarray(capacity, dtype=int), 0, n_mentees))
    if slots.size == 0 or n_mentees == 0:
        return []
    slot_score, allowed = score[slots], feasible[slots]
    if method == "bottleneck":
        allowed = allowed & (slot_score >= _bottleneck(slot_score, allowed))
    return sorted((int(slots[r]), c) for r, c in _max_total(slot_score, allowed))


def stable_matching(
    mentee_ranking: Mapping[str, Sequence[str]],
    mentor_ranking: Mapping[str, Sequence[str]],
    *,
    capacity: Mapping[str, int] | None = None,
    allowed: set[tuple[str, str]] | None = None,
) -> pd.DataFrame:
    """Mentee-proposing Gale-Shapley with mentor capacities (default 1): mentor_id, mentee_id.

    Rankings list the acceptable partners, best first; a pair is possible only when each has ranked the
    other and, with `allowed` (mentor_id, mentee_id) given, it is in it. The result is stable and the
    best stable matching for every mentee.
    """
    place = {m: {e: r for r, e in enumerate(ranked)} for m, ranked in mentor_ranking.items()}
    lists = {
        e: [m for m in ranked if e in place.get(m, {}) and (allowed is None or (m, e) in allowed)]
        for e, ranked in mentee_ranking.items()
    }
    room = {m: (capacity or {}).get(m, 1) for m in mentor_ranking}
    held: dict[str, list[str]] = {m: [] for m in mentor_ranking}
    following = dict.fromkeys(lists, 0)
    free = list(lists)
    while free:
        mentee = free.pop()
        if following[mentee] >= len(lists[mentee]):
            continue  # has asked everyone acceptable
        mentor = lists[mentee][following[mentee]]
        following[mentee] += 1
        held[mentor].append(mentee)
        held[mentor].sort(key=place[mentor].__getitem__)
        if len(held[mentor]) > room[mentor]:
            free.append(held[mentor].pop())
    pairs = sorted((m, e) for m, es in held.items() for e in es)
    return pd.DataFrame(pairs, columns=["mentor_id", "mentee_id"])


# ---------------------------------------------------------------- proposal


@dataclass(frozen=True, eq=False)
class Proposal:
    """Proposed pairs (score, components, locked, explanation), the unmatched with reasons, the rules."""

    pairs: pd.DataFrame
    unmatched: pd.DataFrame
    rules: pd.DataFrame
    weights: dict[str, float]
    method: str
    feasibility: Feasibility
    score: np.ndarray
    parts: dict[str, np.ndarray]

    def scores(self) -> pd.DataFrame:
        """Every mentor x mentee pair: mentor_id, mentee_id, feasible, score and the components."""
        f = self.feasibility
        frame = pd.DataFrame(
            {
                "mentor_id": np.repeat(f.mentor_id, len(f.mentee_id)),
                "mentee_id": np.tile(f.mentee_id, len(f.mentor_id)),
                "feasible": f.feasible.ravel(),
                "score": self.score.ravel(),
            }
        )
        for name in COMPONENTS:
            frame[name] = self.parts[name].ravel()
        return frame


def _positions(pairs: Iterable[tuple[str, str]], f: Feasibility, what: str) -> list[tuple[int, int]]:
    row = {p: i for i, p in enumerate(f.mentor_id)}
    col = {p: j for j, p in enumerate(f.mentee_id)}
    out = []
    for mentor, mentee in pairs:
        mentor, mentee = str(mentor), str(mentee)
        if mentor not in row or mentee not in col:
            raise MutualError(
                f"{what} pair {mentor} - {mentee}: {mentor} is not a mentor or {mentee} not a mentee here"
            )
        out.append((row[mentor], col[mentee]))
    return out


def _lock(locked: list[tuple[int, int]], f: Feasibility, capacity: np.ndarray, on: dict[str, bool]) -> None:
    """Refuse locked pairs that break a rule, lock a mentee twice, or fill a mentor beyond capacity."""
    for i, j in locked:
        broken = [rule for rule, mask in f.by_rule.items() if mask[i, j]]
        if broken:
            raise MutualError(
                f"the locked pair {f.mentor_id[i]} - {f.mentee_id[j]} breaks a rule: "
                f"{'; '.join(RULES.get(r, _SHORT.get(r, r)) for r in broken)}"
            )
    mentees = pd.Series([j for _, j in locked]).value_counts()
    twice = sorted(f.mentee_id[j] for j, n in mentees.items() if n > 1)
    if twice:
        raise MutualError(f"{', '.join(twice)} is locked to more than one mentor; a mentee has one mentor")
    if on["capacity"]:
        taken = pd.Series([i for i, _ in locked]).value_counts()
        over = sorted(f.mentor_id[i] for i, n in taken.items() if n > capacity[i])
        if over:
            raise MutualError(f"{', '.join(over)} is locked to more mentees than they offered to take")


def _why(others: np.ndarray, blocks: dict[str, np.ndarray], side: int, noun: str) -> str:
    """Why one person has no partner, given the candidates (`others`) and each exclusion's mask over them."""
    if others.size == 0:
        return f"no {noun}s applied"
    alone = [rule for rule, mask in blocks.items() if mask.all()]
    if alone:
        return f"no feasible {noun}: {_EVERY[alone[0]][side]}"
    counts = [f"{_SHORT[rule]} ({int(mask.sum())})" for rule, mask in blocks.items() if mask.any()]
    return f"no feasible {noun}: each is excluded by one of {', '.join(counts)}"


def _unmatched(f: Feasibility, blocks: dict[str, np.ndarray], pairs: list[tuple[int, int]]) -> pd.DataFrame:
    allowed = np.ones_like(f.feasible)
    for mask in blocks.values():
        allowed &= ~mask
    mentor_used = {i for i, _ in pairs}
    mentee_used = {j for _, j in pairs}
    rows = []
    for j, person in enumerate(f.mentee_id):
        if j in mentee_used:
            continue
        if allowed[:, j].any():
            reason = f"every feasible mentor ({int(allowed[:, j].sum())}) is at capacity"
        else:
            reason = _why(f.mentor_id, {r: m[:, j] for r, m in blocks.items()}, 0, "mentor")
        rows.append((person, "mentee", reason))
    for i, person in enumerate(f.mentor_id):
        if i in mentor_used:
            continue
        if allowed[i].any():
            reason = f"every feasible mentee ({int(allowed[i].sum())}) is matched with another mentor"
        else:
            reason = _why(f.mentee_id, {r: m[i] for r, m in blocks.items()}, 1, "mentee")
        rows.append((person, "mentor", reason))
    return pd.DataFrame(rows, columns=["employee_id", "side", "reason"])


def _listing(names: Iterable[str]) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _phrase(name: str, mentor: pd.Series, mentee: pd.Series) -> str | None:
    """The words for one component of one pair, or None when it has nothing to say."""
    if name == "objectives":
        shared = sorted(_terms(mentor.get("objectives")) & _terms(mentee.get("objectives")))
        if shared:
            return f"shares the {_listing(shared)} objective{'s' if len(shared) > 1 else ''}"
    elif name == "skills":
        words = []
        for giver, taker, a, b in (
            ("mentor", "mentee", mentor, mentee),
            ("mentee", "mentor", mentee, mentor),
        ):
            common = sorted(_terms(a.get("skills_offered")) & _terms(b.get("skills_wanted")))
            if common:
                words.append(f"{giver} offers {_listing(common)}, which the {taker} wants")
        return "; ".join(words) or None
    elif name == "style":
        close = [
            _STYLE_WORDS[item]
            for item in STYLE_ITEMS
            if abs(
                pd.to_numeric(mentor.get(item), errors="coerce")
                - pd.to_numeric(mentee.get(item), errors="coerce")
            )
            <= 1
        ]
        if len(close) == len(STYLE_ITEMS):
            return "similar working style"
        if close:
            return f"similar {_listing(close)}"
    elif name == "availability":
        words = []
        hours = [pd.to_numeric(p.get("hours_per_month"), errors="coerce") for p in (mentor, mentee)]
        if hours[0] == hours[1]:
            words.append("same hours available")
        zones = [_utc_offset(p.get("time_zone")) for p in (mentor, mentee)]
        if zones[0] == zones[1]:
            words.append("same time zone")
        elif pd.notna(mentor.get("location")) and str(mentor.get("location")) == str(mentee.get("location")):
            words.append("same location")
        return _listing(words) if words else None
    elif name == "lens":
        return "brings a different perspective on the programme lens"
    elif name == "culture_change":
        years = pd.to_numeric(mentor.get("culture_change_involvement"), errors="coerce")
        if years > 0:
            return f"mentor has {years:g} year{'s' if years != 1 else ''} of culture-change work"
    return None


def _explain(
    mentor: pd.Series, mentee: pd.Series, contributions: dict[str, float], values: dict[str, float]
) -> str:
    """One sentence: the pair's three largest weighted components that say something, then departments."""
    words = []
    for name in sorted(COMPONENTS, key=lambda c: -contributions[c]):
        threshold = 0.5 if name in ("availability", "lens") else 0.0  # 0.5 is "unknown" for these
        if contributions[name] > 0 and values[name] > threshold:
            phrase = _phrase(name, mentor, mentee)
            if phrase:
                words.append(phrase)
        if len(words) == 3:
            break
    a, b = mentor.get("department"), mentee.get("department")
    if pd.notna(a) and pd.notna(b):
        words.append("different departments" if str(a) != str(b) else "same department")
    return "; ".join(words) if words else "feasible, with little in common on the scored components"


def propose(
    applications: pd.DataFrame,
    employees: pd.DataFrame,
    *,
    grade_order: Sequence[str],
    rules: Mapping[str, bool] | None = None,
    weights: Mapping[str, float] | None = None,
    method: str = "total",
    lens: Sequence[str] = (),
    open_pairs: Iterable[tuple[str, str]] = (),
    locked: Iterable[tuple[str, str]] = (),
    excluded: Iterable[tuple[str, str]] = (),
    mentee_ranking: Mapping[str, Sequence[str]] | None = None,
    mentor_ranking: Mapping[str, Sequence[str]] | None = None,
) -> Proposal:
    """Pairs for one cohort's applications under the rules: locked pairs kept, excluded pairs never made.

    `method` is "total" (highest total score), "bottleneck" (highest worst-pair score, then total) or
    "stable" (Gale-Shapley on `mentee_ranking` and `mentor_ranking`, mentees proposing). Pairs are
    (mentor_id, mentee_id). A locked pair that breaks a rule is refused with a MutualError.
    """
    if method not in METHODS:
        raise MutualError(f"matching method must be one of {', '.join(METHODS)}, not {method!r}")
    if method == "stable" and (mentee_ranking is None or mentor_ranking is None):
        raise MutualError("stable matching needs both sides' rankings")
    on = rules_in_force(rules)
    mentors, mentees = sides(applications, employees, grade_order=grade_order)
    f = feasibility(
        mentors, mentees, grade_order=grade_order, employees=employees, rules=on, open_pairs=open_pairs
    )
    norm = normalise_weights(weights, lens=lens)
    parts = components(mentors, mentees, lens=lens)
    score = compatibility(parts, norm)
    blocks = dict(f.by_rule)
    blocks["excluded"] = np.zeros_like(score, dtype=bool)
    for i, j in _positions(excluded, f, "excluded"):
        blocks["excluded"][i, j] = True
    locks = _positions(locked, f, "locked")
    capacity = _capacity(mentors).to_numpy()
    _lock(locks, f, capacity, on)
    clash = [(f.mentor_id[i], f.mentee_id[j]) for i, j in locks if blocks["excluded"][i, j]]
    if clash:
        raise MutualError(f"the pair {clash[0][0]} - {clash[0][1]} is both locked and excluded")
    open_ = ~np.logical_or.reduce(list(blocks.values()))
    open_[:, [j for _, j in locks]] = False
    left = capacity.copy()
    for i, _ in locks:
        left[i] -= 1
    if method == "stable":
        ranked = np.zeros_like(open_)
        row = {p: i for i, p in enumerate(f.mentor_id)}
        col = {p: j for j, p in enumerate(f.mentee_id)}
        for e, mentors_ranked in mentee_ranking.items():
            for m in mentors_ranked:
                if m in row and e in col and e in mentor_ranking.get(m, ()):
                    ranked[row[m], col[e]] = True
        blocks["ranking"] = ~ranked
        allowed = {(f.mentor_id[i], f.mentee_id[j]) for i, j in zip(*np.nonzero(open_ & ranked), strict=True)}
        room = {m: int(left[i]) if on["capacity"] else len(f.mentee_id) for i, m in enumerate(f.mentor_id)}
        found = stable_matching(mentee_ranking, mentor_ranking, capacity=room, allowed=allowed)
        chosen = [(row[m], col[e]) for m, e in zip(found["mentor_id"], found["mentee_id"], strict=True)]
    else:
        chosen = assign(score, open_, capacity=left if on["capacity"] else None, method=method)
    pairs = [*((i, j, True) for i, j in locks), *((i, j, False) for i, j in chosen)]
    rows = []
    for i, j, is_locked in pairs:
        values = {name: float(parts[name][i, j]) for name in COMPONENTS}
        contributions = {name: norm[name] * values[name] for name in COMPONENTS}
        sentence = _explain(mentors.iloc[i], mentees.iloc[j], contributions, values)
        rows.append(
            (f.mentor_id[i], f.mentee_id[j], float(score[i, j]), *values.values(), is_locked, sentence)
        )
    table = pd.DataFrame(
        rows, columns=["mentor_id", "mentee_id", "score", *COMPONENTS, "locked", "explanation"]
    )
    rule_table = pd.DataFrame(
        [
            (rule, on[rule], text, int(f.by_rule[rule].sum()) if rule in f.by_rule else 0)
            for rule, text in RULES.items()
        ],
        columns=["rule", "on", "description", "pairs_excluded"],
    )
    return Proposal(
        pairs=table.sort_values(["mentor_id", "mentee_id"], ignore_index=True),
        unmatched=_unmatched(f, blocks, [(i, j) for i, j, _ in pairs]),
        rules=rule_table,
        weights=norm,
        method=method,
        feasibility=f,
        score=score,
        parts=parts,
    )


# ---------------------------------------------------------------- fairness


def fairness(
    proposal: Proposal,
    employees: pd.DataFrame,
    *,
    group_by: list[str],
    min_group: int | None = None,
) -> pd.DataFrame:
    """Match scores per side and group: n, matched_pct, mean/median/q25/q75/min score, through the gate.

    A mentee's score is their pair's; a mentor's the mean of their pairs'; the unmatched count in n but
    not in the scores. Groups under `min_group` people (default privacy.min_group()) are suppressed, and
    further groups as privacy.suppress_groups decides; n is blank where a group is suppressed.
    """
    k = min_group if min_group is not None else privacy.min_group()
    pairs = proposal.pairs
    people = pd.concat(
        [
            pd.DataFrame({"side": "mentee", "employee_id": proposal.feasibility.mentee_id}).merge(
                pairs.groupby("mentee_id")["score"].mean().rename_axis("employee_id").reset_index(),
                how="left",
            ),
            pd.DataFrame({"side": "mentor", "employee_id": proposal.feasibility.mentor_id}).merge(
                pairs.groupby("mentor_id")["score"].mean().rename_axis("employee_id").reset_index(),
                how="left",
            ),
        ],
        ignore_index=True,
    )
    missing = sorted(set(group_by) - set(employees.columns))
    if missing:
        raise MutualError(f"the employees file has no '{missing[0]}' to check fairness by")
    attributes = employees[["employee_id", *group_by]].assign(
        employee_id=employees["employee_id"].astype(str)
    )
    people = people.merge(attributes, on="employee_id", how="left")
    for attribute in group_by:
        people[attribute] = (
            people[attribute].astype("object").where(people[attribute].notna(), missing_label(attribute))
        )
    grouped = people.groupby(["side", *group_by], sort=True)["score"]
    frame = grouped.agg(
        n="size",
        matched_pct=lambda s: 100 * s.notna().mean(),
        mean_score="mean",
        median_score="median",
        q25_score=lambda s: s.quantile(0.25),
        q75_score=lambda s: s.quantile(0.75),
        min_score="min",
    ).reset_index()
    values = ["matched_pct", "mean_score", "median_score", "q25_score", "q75_score", "min_score"]
    out = privacy.suppress_groups(frame, values, list(group_by), within=["side"], min_group=k)
    out["suppressed_reason"] = [
        (privacy.REASONS["small"] if n < k else privacy.REASONS["secondary"]).format(k=k) if hidden else None
        for n, hidden in zip(out["n"], out["suppressed"], strict=True)
    ]
    out["n"] = pd.array(
        [None if hidden else int(n) for n, hidden in zip(out["n"], out["suppressed"], strict=True)],
        dtype="Int64",
    )
    return out
