"""The sample's organisation: employees, programme cohorts and the participant roster."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.instruments import CONSTRUCTS

__all__ = [
    "DATA_DATE",
    "TODAY",
    "DEPARTMENTS",
    "Org",
    "Roster",
    "to_days",
    "iso_dates",
    "weighted_choice",
    "grade_level",
    "plan_cohorts",
    "draw_employees",
    "employees_frame",
    "draw_managers",
    "draw_roster",
    "participants_frame",
]

DATA_DATE = dt.date(2026, 10, 31)  # the day the sample's exports were taken
TODAY = np.datetime64(DATA_DATE.isoformat(), "D")
_YEAR = 365.25

# Organisation: (value, weight). Legal and Non-binary are small so privacy suppression shows.
DEPARTMENTS = [
    ("Engineering", 27),
    ("Sales", 20),
    ("Operations", 19),
    ("Marketing", 11),
    ("Finance", 10),
    ("People", 7),
    ("Legal", 1.2),
]
_GRADES = [("G1", 14), ("G2", 20), ("G3", 20), ("G4", 18), ("G5", 14), ("G6", 9), ("G7", 5)]
_LOCATIONS = [("London", 40), ("Manchester", 25), ("Edinburgh", 20), ("Dublin", 15)]
_GENDERS = [("Woman", 47), ("Man", 47), ("Non-binary", 1.5), ("Prefer not to say", 4.5)]
_ETHNICITIES = [
    ("White", 62),
    ("Asian", 14),
    ("Black", 8),
    ("Mixed", 6),
    ("Other", 3),
    ("Prefer not to say", 7),
]
_DISABILITY = [("No", 82), ("Yes", 9), ("Prefer not to say", 9)]
_AGE_BANDS = ["18-24", "25-34", "35-44", "45-54", "55+"]
_FOCUS = [("technology", 40), ("inclusion", 35), ("cross-functional", 25)]

# Annual hazards: non-participants leave voluntarily at ~14 % a year, participants at ~6 %.
_VOLUNTARY_RATE = -np.log(1 - 0.14)
_PARTICIPANT_RATE = -np.log(1 - 0.06)
_INVOLUNTARY_RATE = -np.log(1 - 0.03)


@dataclass
class Org:
    """The employee population as column arrays (dates as datetime64[D], NaT while employed)."""

    employee_id: np.ndarray
    department: np.ndarray
    grade: np.ndarray
    location: np.ndarray
    hire: np.ndarray
    exit: np.ndarray
    exit_type: np.ndarray
    gender: np.ndarray
    ethnicity: np.ndarray
    age_band: np.ndarray
    disability: np.ndarray
    positivity: np.ndarray  # a person's general disposition, shared by every survey they answer
    trait: dict[str, np.ndarray]  # a stable person-by-construct component


def weighted_choice(rng: np.random.Generator, options: list[tuple[str, float]], size: int) -> np.ndarray:
    """size values drawn from (value, weight) options."""
    weights = np.array([w for _, w in options], dtype=float)
    values = np.array([v for v, _ in options], dtype=object)
    return values[rng.choice(len(options), size=size, p=weights / weights.sum())]


def to_days(values: np.ndarray) -> np.ndarray:
    """Numbers of days, rounded, as timedelta64[D]."""
    return np.round(values).astype("int64").astype("timedelta64[D]")


def iso_dates(dates: np.ndarray) -> np.ndarray:
    """ISO dates as text, empty where NaT."""
    text = np.datetime_as_string(dates, unit="D").astype(object)
    text[np.isnat(dates)] = ""
    return text


def grade_level(grade: np.ndarray) -> np.ndarray:
    """1 for G1 ... 7 for G7."""
    return np.array([int(g[1:]) for g in grade])


def _first_monday(year: int, month: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(7 - first.weekday()) % 7)


def plan_cohorts(count: int) -> list[tuple[str, np.datetime64]]:
    """Cohorts every six months (March, September), quarterly when there are many; the last starts Sept 2025."""
    months = (3, 9) if count <= 4 else (3, 6, 9, 12)
    names = {3: "Spring", 9: "Autumn"} if count <= 4 else {3: "Mar", 6: "Jun", 9: "Sep", 12: "Dec"}
    found = []
    year, month = 2025, 9
    for _ in range(count):
        found.append((f"{year}-{names[month]}", _first_monday(year, month)))
        position = months.index(month)
        year, month = (year, months[position - 1]) if position else (year - 1, months[-1])
    return [(name, np.datetime64(start.isoformat(), "D")) for name, start in reversed(found)]


def draw_employees(
    rng: np.random.Generator, n: int, window_start: np.datetime64, headcount: int | None = None
) -> Org:
    """n employees employed since window_start (the HRIS export keeps recent leavers); with headcount,
    as many as it takes for headcount of them to be employed on DATA_DATE (n is then ignored)."""
    hires, exits, types = [], [], []
    target = n if headcount is None else headcount
    kept = employed = 0
    while (kept if headcount is None else employed) < target:
        m = 4 * target + 100
        hire = TODAY - to_days(rng.uniform(14, 15 * _YEAR, m))
        voluntary = rng.exponential(1 / _VOLUNTARY_RATE, m) * _YEAR
        involuntary = rng.exponential(1 / _INVOLUNTARY_RATE, m) * _YEAR
        leave = hire + to_days(np.minimum(voluntary, involuntary) + 1)
        kind = np.where(voluntary <= involuntary, "voluntary", "involuntary").astype(object)
        left = leave <= TODAY
        leave = np.where(left, leave, np.datetime64("NaT", "D"))
        keep = ~left | (leave >= window_start)
        hires.append(hire[keep])
        exits.append(leave[keep])
        types.append(np.where(left[keep], kind[keep], ""))
        kept += int(keep.sum())
        employed += int((~left).sum())
    hire, leave, kind = (np.concatenate(a) for a in (hires, exits, types))
    if headcount is not None:  # cut the draw just after the headcount-th person still employed
        n = int(np.flatnonzero(np.isnat(leave))[headcount - 1]) + 1
    hire, leave, kind = hire[:n], leave[:n], kind[:n]
    order = np.argsort(hire, kind="stable")
    hire, leave, kind = hire[order], leave[order], kind[order]
    width = max(5, len(str(n)))
    grade = weighted_choice(rng, _GRADES, n)
    age = 21 + 4.5 * grade_level(grade) + rng.normal(0, 6, n)
    return Org(
        employee_id=np.array([f"E{i:0{width}d}" for i in range(1, n + 1)], dtype=object),
        department=weighted_choice(rng, DEPARTMENTS, n),
        grade=grade,
        location=weighted_choice(rng, _LOCATIONS, n),
        hire=hire,
        exit=leave,
        exit_type=kind,
        gender=weighted_choice(rng, _GENDERS, n),
        ethnicity=weighted_choice(rng, _ETHNICITIES, n),
        age_band=np.array(_AGE_BANDS, dtype=object)[np.digitize(age, [25, 35, 45, 55])],
        disability=weighted_choice(rng, _DISABILITY, n),
        positivity=rng.normal(0, 1, n),
        trait={c: rng.normal(0, 1, n) for c in CONSTRUCTS},
    )


def draw_managers(rng: np.random.Generator, org: Org) -> np.ndarray:
    """Each employee's line manager id ('' for the head): a reporting tree over who is employed today.

    The head is the longest-serving G7 still employed; each department's longest-serving G7 reports to
    the head and leads the department's other G7s. Everyone else reports to someone employed one grade
    up (two grades up three times in ten), in their own department 85 % of the time, else anywhere; with
    nobody at that grade, to the head. A manager is thus of a higher grade, or a G7 leading G7s, so the
    chain cannot loop.
    """
    n = len(org.employee_id)
    level = grade_level(org.grade)
    employed = np.isnat(org.exit)
    top = level[employed].max()
    seniors = np.flatnonzero(employed & (level == top))
    head = seniors[np.argmin(org.hire[seniors])]
    target = np.minimum(level + np.where(rng.random(n) < 0.7, 1, 2), 7)
    own_department = rng.random(n) < 0.85
    pick = rng.random(n)
    boss = np.full(n, head)
    for d in np.unique(org.department[seniors]):  # each department's longest-serving G7 leads its G7s
        leads = seniors[org.department[seniors] == d]
        lead = leads[np.argmin(org.hire[leads])]
        boss[(level == top) & (org.department == d) & (np.arange(n) != lead)] = lead
    for t in np.unique(target):
        grade_pool = np.flatnonzero(employed & (level == t))
        for same in (True, False):
            who = np.flatnonzero((target == t) & (own_department == same) & (level < t))
            for d in np.unique(org.department[who]) if same else [None]:
                chosen = who if d is None else who[org.department[who] == d]
                pool = grade_pool if d is None else grade_pool[org.department[grade_pool] == d]
                if not len(pool):
                    pool = grade_pool
                if len(pool):
                    boss[chosen] = pool[(pick[chosen] * len(pool)).astype("int64")]
    manager = org.employee_id[boss].astype(object)
    manager[head] = ""
    return manager


def employees_frame(org: Org, manager_id: np.ndarray | None = None) -> pd.DataFrame:
    """The HRIS export: one row per employee, with the line manager when given."""
    frame = pd.DataFrame(
        {
            "employee_id": org.employee_id,
            "department": org.department,
            "grade": org.grade,
            "location": org.location,
            "hire_date": iso_dates(org.hire),
            "exit_date": iso_dates(org.exit),
            "exit_type": org.exit_type,
            "gender": org.gender,
            "ethnicity": org.ethnicity,
            "age_band": org.age_band,
            "disability": org.disability,
        }
    )
    if manager_id is not None:
        frame["manager_id"] = manager_id
    return frame


@dataclass
class Roster:
    """Participants, one row each, as column arrays."""

    person: np.ndarray  # index into the organisation
    cohort: np.ndarray  # cohort number, 0-based
    pair: np.ndarray  # pair number across cohorts
    role: np.ndarray
    start: np.ndarray
    end: np.ndarray  # NaT for pairs that carry on after the programme
    nominal_end: np.ndarray
    stop: np.ndarray  # withdrawal date, NaT unless withdrawn
    weak: np.ndarray  # member of the cohort that does clearly worse
    quality: np.ndarray  # how well the pair works, shared by both partners


def draw_roster(rng: np.random.Generator, org: Org, cohorts: list, pairs_per_cohort: int) -> Roster:
    """Draw mentors (G1-G3) and mentees (G5-G7) employed at each cohort's start, and their fates."""
    level = grade_level(org.grade)
    taken = np.zeros(len(level), dtype=bool)
    people, cohort_of = [], []
    for c, (_, start) in enumerate(cohorts):
        employed = (org.hire <= start - np.timedelta64(90, "D")) & (np.isnat(org.exit) | (org.exit > start))
        chosen = []
        for lo, hi in ((1, 3), (5, 7)):
            pool = np.flatnonzero(employed & ~taken & (level >= lo) & (level <= hi))
            if len(pool) < pairs_per_cohort:
                raise ValueError(f"too few employees to fill {pairs_per_cohort} pairs in cohort {c + 1}")
            pick = np.sort(rng.choice(pool, size=pairs_per_cohort, replace=False))
            taken[pick] = True
            chosen.append(rng.permutation(pick))
        people.append(np.stack(chosen, axis=1).ravel())  # mentor, mentee, mentor, mentee, ...
        cohort_of.append(np.full(2 * pairs_per_cohort, c))
    person = np.concatenate(people)
    cohort = np.concatenate(cohort_of)
    n = len(person)
    pair = np.arange(n) // 2
    role = np.tile(np.array(["mentor", "mentee"], dtype=object), n // 2)
    starts = np.array([s for _, s in cohorts])
    start = starts[cohort]
    nominal_end = start + np.timedelta64(179, "D")

    # Participants leave less often after their start (memoryless, so redraw from the start date).
    voluntary = rng.exponential(1 / _PARTICIPANT_RATE, n) * _YEAR
    involuntary = rng.exponential(1 / _INVOLUNTARY_RATE, n) * _YEAR
    leave = start + to_days(np.minimum(voluntary, involuntary) + 1)
    left = leave <= TODAY
    org.exit[person] = np.where(left, leave, np.datetime64("NaT", "D"))
    org.exit_type[person] = np.where(
        left, np.where(voluntary <= involuntary, "voluntary", "involuntary"), ""
    ).astype(object)

    n_pairs = n // 2
    weak_cohort = 1 if len(cohorts) > 1 else -1
    pair_cohort = cohort[::2]
    drop_rate = np.where(pair_cohort == weak_cohort, 0.08, 0.03)
    pair_start = start[::2]
    pair_end = nominal_end[::2]
    withdraw = np.where(
        rng.random(n_pairs) < drop_rate,
        pair_start + to_days(rng.uniform(30, 110, n_pairs)),
        np.datetime64("NaT", "D"),
    )
    first_exit = np.fmin(org.exit[person][::2], org.exit[person][1::2])
    early_exit = ~np.isnat(first_exit) & (first_exit < pair_end)
    withdraw = np.where(early_exit, np.fmin(withdraw, first_exit), withdraw)
    withdraw = np.where(withdraw > TODAY, np.datetime64("NaT", "D"), withdraw)
    # A few pairs of the latest cohort carry on after the programme: active, with no end date.
    carry_on = (pair_cohort == len(cohorts) - 1) & np.isnat(withdraw) & (rng.random(n_pairs) < 0.12)
    carry_on &= pair_end < TODAY
    end = np.where(carry_on, np.datetime64("NaT", "D"), pair_end)
    return Roster(
        person=person,
        cohort=cohort,
        pair=pair,
        role=role,
        start=start,
        end=np.repeat(end, 2),
        nominal_end=nominal_end,
        stop=np.repeat(withdraw, 2),
        weak=cohort == weak_cohort,
        quality=np.repeat(rng.normal(0, 1, n_pairs), 2),
    )


def participants_frame(rng: np.random.Generator, org: Org, roster: Roster, cohorts: list) -> pd.DataFrame:
    """The participant roster file: cohort, role, pair, focus, dates, status and story consent."""
    n_pairs = len(roster.person) // 2
    per_cohort = n_pairs // len(cohorts)
    width = max(2, len(str(per_cohort)))
    local = roster.pair - roster.cohort * per_cohort
    withdrawn = ~np.isnat(roster.stop)
    active = np.isnat(roster.end) | (roster.end > TODAY)
    status = np.where(withdrawn, "withdrawn", np.where(active, "active", "completed")).astype(object)
    both = np.repeat(rng.random(n_pairs) < 0.06, 2)
    consent = both | (rng.random(len(roster.person)) < 0.08)
    return pd.DataFrame(
        {
            "employee_id": org.employee_id[roster.person],
            "cohort": np.array([name for name, _ in cohorts], dtype=object)[roster.cohort],
            "role": roster.role,
            "pair_id": [f"C{c + 1}-P{p + 1:0{width}d}" for c, p in zip(roster.cohort, local, strict=True)],
            "focus": np.repeat(weighted_choice(rng, _FOCUS, n_pairs), 2),
            "start_date": iso_dates(roster.start),
            "end_date": iso_dates(roster.end),
            "status": status,
            "story_consent": np.where(consent, "yes", "no").astype(object),
        }
    )
