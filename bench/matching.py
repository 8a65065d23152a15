"""The matching figure (issue 19): `analytics.matching.propose` on 1,000 mentors x 1,000 mentees, all rules on.

`python -m bench.matching [--mentors N] [--mentees N] [--repeat N]` prints the figure on its own.
The applications and employees come from `generate`, seeded, so every run times the same input.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from analytics import instruments, matching

__all__ = [
    "GRADES",
    "MENTORS",
    "MENTEES",
    "HEADCOUNT",
    "LENS",
    "generate",
    "time_propose",
    "describe",
    "main",
]

GRADES = ("G1", "G2", "G3", "G4", "G5", "G6", "G7")  # most senior first: the matching's grade order
MENTORS = 1_000
MENTEES = 1_000
HEADCOUNT = 4_000  # the organisation the applicants come from; its manager tree feeds the reporting-line rule
LENS = ("gender", "age_band")
OPEN_PAIRS = 300  # mentor-mentee pairs already together in an open cohort

_GRADE_SHARE = (14, 20, 20, 18, 14, 9, 5)  # as analytics.sample.org
_MENTOR_GRADE = (5, 4, 3, 2, 1, 0, 0)  # who volunteers to mentor, by grade (relative)
_MENTEE_GRADE = (0, 0, 1, 2, 3, 3, 3)
_DEPARTMENTS = (
    "Engineering",
    "Sales",
    "Operations",
    "Finance",
    "Marketing",
    "Customer Success",
    "People",
    "Legal",
)
# location -> time zones its people give (IANA names and offsets, as applicants write them)
_PLACES = {
    "London": ("Europe/London", "UTC", "GMT"),
    "Dublin": ("Europe/Dublin",),
    "Berlin": ("Europe/Berlin", "UTC+1"),
    "New York": ("America/New_York", "UTC-5", "-05:00"),
    "Chicago": ("America/Chicago",),
    "Bangalore": ("Asia/Kolkata", "UTC+5:30"),
    "Singapore": ("Asia/Singapore", "+08:00"),
    "Sydney": ("Australia/Sydney",),
}
_GENDERS = ("Woman", "Man", "Non-binary", "Prefer not to say")
_GENDER_SHARE = (47, 47, 1.5, 4.5)
_AGE_BANDS = ("18-24", "25-34", "35-44", "45-54", "55+")


def _share(weights: tuple[float, ...]) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    return w / w.sum()


def _employees(rng: np.random.Generator, headcount: int) -> pd.DataFrame:
    """Staff with a manager tree: everyone but the head reports to someone of a more senior grade (in
    their own department where there is one), or to the head when nobody is more senior."""
    grade = np.sort(rng.choice(len(GRADES), size=headcount, p=_share(_GRADE_SHARE)))
    grade[0] = 0  # the head of the organisation
    department = rng.choice(len(_DEPARTMENTS), size=headcount)
    ids = np.array([f"E{i:05d}" for i in range(1, headcount + 1)], dtype=object)
    manager = np.full(headcount, None, dtype=object)
    for person in range(1, headcount):
        senior = np.flatnonzero(grade[:person] < grade[person])  # earlier rows are no more junior
        if senior.size == 0:
            manager[person] = ids[0]
            continue
        own = senior[department[senior] == department[person]]
        pool = own if own.size and rng.random() < 0.9 else senior
        # mostly the grade just above, so chains run several levels deep
        nearest = pool[grade[pool] == grade[pool].max()]
        manager[person] = ids[rng.choice(nearest if rng.random() < 0.8 else pool)]
    places = list(_PLACES)
    return pd.DataFrame(
        {
            "employee_id": ids,
            "grade": np.array(GRADES)[grade],
            "department": np.array(_DEPARTMENTS)[department],
            "manager_id": manager,
            "location": rng.choice(places, size=headcount, p=_share((30, 8, 10, 18, 8, 12, 8, 6))),
            "gender": rng.choice(_GENDERS, size=headcount, p=_share(_GENDER_SHARE)),
            "age_band": rng.choice(_AGE_BANDS, size=headcount),
        }
    )


def _terms(rng: np.random.Generator, vocabulary: tuple[str, ...], low: int, high: int) -> str:
    """Between low and high distinct terms of one of the product's vocabularies, as "a; b" text."""
    picked = rng.choice(len(vocabulary), size=int(rng.integers(low, high + 1)), replace=False)
    return "; ".join(vocabulary[i] for i in sorted(picked))


def _applications(
    rng: np.random.Generator, employees: pd.DataFrame, mentor_rows: np.ndarray, mentee_rows: np.ndarray
) -> pd.DataFrame:
    rows = []
    for role, chosen in (("mentor", mentor_rows), ("mentee", mentee_rows)):
        for person in chosen:
            zones = _PLACES[employees.at[person, "location"]]
            rows.append(
                {
                    "employee_id": employees.at[person, "employee_id"],
                    "role": role,
                    "objectives": _terms(rng, instruments.OBJECTIVES, 1, 3),
                    "skills_offered": _terms(rng, instruments.SKILLS, 2, 5),
                    "skills_wanted": _terms(rng, instruments.SKILLS, 1, 4),
                    **{item: int(rng.integers(1, 6)) for item in instruments.STYLE_ITEMS},
                    "hours_per_month": int(rng.choice((2, 3, 4, 6, 8))),
                    "time_zone": zones[int(rng.integers(len(zones)))],
                    "prefers_other_department": "yes" if rng.random() < 0.25 else "no",
                    "culture_change_involvement": float(rng.integers(0, 21)) / 2 if role == "mentor" else 0.0,
                    "capacity": int(rng.choice((1, 2, 3), p=(0.5, 0.3, 0.2))) if role == "mentor" else 1,
                }
            )
    return pd.DataFrame(rows)


def generate(
    mentors: int = MENTORS, mentees: int = MENTEES, *, headcount: int = HEADCOUNT, seed: int = 19
) -> tuple[pd.DataFrame, pd.DataFrame, list[tuple[str, str]]]:
    """(applications, employees, open_pairs): the same three for the same arguments.

    Mentors are drawn mostly from the senior grades and mentees from the junior ones, so the grade
    rule excludes some pairs but not most; a mentee's managers are often mentors, so the reporting-line
    rule has pairs to find. `open_pairs` are (mentor_id, mentee_id) pairs of an open cohort.
    """
    if mentors + mentees > headcount:
        raise ValueError(
            f"{mentors:,} mentors and {mentees:,} mentees need a headcount of at least that many"
        )
    rng = np.random.default_rng(seed)
    employees = _employees(rng, headcount)
    grade = employees["grade"].map({g: i for i, g in enumerate(GRADES)}).to_numpy()
    mentor_weight = np.asarray(_MENTOR_GRADE, dtype=float)[grade]
    mentor_rows = rng.choice(headcount, size=mentors, replace=False, p=mentor_weight / mentor_weight.sum())
    rest = np.setdiff1d(np.arange(headcount), mentor_rows)
    mentee_weight = np.asarray(_MENTEE_GRADE, dtype=float)[grade[rest]]
    if np.count_nonzero(mentee_weight) < mentees:  # too few juniors left: anyone may apply
        mentee_weight = mentee_weight + 1
    mentee_rows = rng.choice(rest, size=mentees, replace=False, p=mentee_weight / mentee_weight.sum())
    applications = _applications(rng, employees, mentor_rows, mentee_rows)
    ids = employees["employee_id"].to_numpy()
    count = min(OPEN_PAIRS, mentors, mentees)
    open_pairs = list(
        zip(
            ids[rng.choice(mentor_rows, size=count)].tolist(),
            ids[rng.choice(mentee_rows, size=count, replace=False)].tolist(),
            strict=True,
        )
    )
    return applications, employees, open_pairs


def time_propose(mentors: int = MENTORS, mentees: int = MENTEES, *, repeat: int = 3, seed: int = 19) -> dict:
    """Best wall time of `repeat` calls of propose on generated applications, with every rule on."""
    applications, employees, open_pairs = generate(mentors, mentees, seed=seed)
    rules = dict.fromkeys(matching.RULES, True)
    runs, proposal = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        proposal = matching.propose(
            applications, employees, grade_order=GRADES, rules=rules, lens=LENS, open_pairs=open_pairs
        )
        runs.append(time.perf_counter() - start)
    excluded = dict(zip(proposal.rules["rule"], proposal.rules["pairs_excluded"].astype(int), strict=True))
    return {
        "seconds": min(runs),
        "runs": runs,
        "mentors": mentors,
        "mentees": mentees,
        "pairs": len(proposal.pairs),
        "unmatched": len(proposal.unmatched),
        "feasible_pairs": int(proposal.feasibility.feasible.sum()),
        "pairs_excluded": excluded,
    }


def describe(measured: dict) -> str:
    """One line: the size, every run, what the rules excluded, the pairs made."""
    excluded = measured["pairs_excluded"]
    return (
        f"{measured['mentors']:,} x {measured['mentees']:,}, fastest of "
        f"{', '.join(f'{t:.2f}' for t in measured['runs'])} s; {measured['pairs']:,} pairs; excluded: "
        + ", ".join(f"{rule} {n:,}" for rule, n in excluded.items() if n)
    )


def main(argv: list[str] | None = None) -> None:
    """Command line: print match_seconds and its detail."""
    parser = argparse.ArgumentParser(prog="python -m bench.matching", description=__doc__.splitlines()[0])
    parser.add_argument("--mentors", type=int, default=MENTORS)
    parser.add_argument("--mentees", type=int, default=MENTEES)
    parser.add_argument("--repeat", type=int, default=3, help="calls of propose; the fastest counts")
    args = parser.parse_args(argv)
    measured = time_propose(args.mentors, args.mentees, repeat=args.repeat)
    print(f"match_seconds {measured['seconds']:.3f}  (target <= 5)  {describe(measured)}")


if __name__ == "__main__":
    main()
