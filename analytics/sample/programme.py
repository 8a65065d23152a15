"""The deterministic sample programme: a synthetic organisation written as Mutual's template files."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import numpy as np
import pandas as pd

from analytics.instruments import CONSTRUCTS, ITEMS, items_of, reverse_code
from analytics.sample.activity import first_session_fit, goals_frame, sessions_frame
from analytics.sample.applications import UPCOMING_APPLICANTS, applications_frame, pair_outcomes
from analytics.sample.org import (
    DATA_DATE,
    DEPARTMENTS,
    TODAY,
    Org,
    Roster,
    draw_employees,
    draw_managers,
    draw_roster,
    employees_frame,
    participants_frame,
    plan_cohorts,
    to_days,
)
from analytics.sample.text import EXPECTATION_TEXT, PROGRAMME_TEXT, PULSE_TEXT, comment_column

if TYPE_CHECKING:
    from analytics.ingest.load import ImportResult

__all__ = [
    "SAMPLE_DIR",
    "DEFAULT_PULSE_ITEMS",
    "generate",
    "write_sample",
    "sample_files",
    "load_sample",
    "database_is_empty",
    "main",
]

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "data" / "sample"
DEFAULT_PULSE_ITEMS = [f"ps_{i}" for i in range(1, 8)] + ["eng_1", "eng_2", "enps"]


# Scale of each construct's latent score: centre, spread per latent SD, item noise.
_SCALE = {"ps": (4.7, 0.9, 0.75), "enps": (7.0, 1.6, 0.9)}
_SCALE_5 = (3.5, 0.65, 0.55)

# Pulse effects in latent SD units.
_DEPT_EFFECT = {
    "Engineering": 0.1,
    "Sales": -0.15,
    "Operations": 0.05,
    "Marketing": 0.05,
    "Finance": -0.05,
    "People": 0.25,
    "Legal": -0.1,
}
_DECLINING = "Operations"
_DEPARTMENTS_ORDER = np.array(sorted(v for v, _ in DEPARTMENTS), dtype=object)
_PARTICIPANT_EFFECT = {"ps": 0.5, "bel": 0.35, "eng": 0.2, "enps": 0.2}

# Programme gains pre -> post, latent SD units: (mentor, mentee). The weak cohort gains ~nothing.
_GAINS = {"ps": (0.5, 0.75), "bel": (0.65, 0.25), "eng": (0.25, 0.25), "enps": (0.3, 0.3)}
_WEAK_GAIN = {"ps": -0.05, "bel": 0.0, "eng": -0.1, "enps": -0.2}


def _rng(seed: int, stream: int) -> np.random.Generator:
    return np.random.default_rng([seed, stream])


def _timestamps(rng: np.random.Generator, dates: np.ndarray) -> np.ndarray:
    """A working-hours time on each date, as 'YYYY-MM-DD HH:MM:SS' text."""
    seconds = rng.integers(8 * 3600, 18 * 3600, size=len(dates)) // 60 * 60
    stamps = dates.astype("datetime64[s]") + seconds.astype("timedelta64[s]")
    return np.char.replace(np.datetime_as_string(stamps, unit="s"), "T", " ").astype(object)


def _scale(construct: str) -> tuple[float, float, float]:
    return _SCALE.get(construct, _SCALE_5)


def _answer_items(
    rng: np.random.Generator, latent: dict[str, np.ndarray], items: list[str], missing: float
) -> dict[str, pd.array]:
    """Likert answers from latent construct scores: noise, rounding, clipping, reverse wording."""
    columns = {}
    for code in items:
        spec = ITEMS[code]
        centre, spread, noise = _scale(spec.construct)
        t = latent[spec.construct]
        value = np.clip(
            np.round(centre + spread * t + rng.normal(0, noise, len(t))), spec.scale_min, spec.scale_max
        )
        value = reverse_code(code, value)  # a favourable answer to a negatively worded item is low
        column = pd.array(value.astype("int64"), dtype="Int64")
        column[rng.random(len(t)) < missing] = pd.NA
        columns[code] = column
    return columns


def _survey_frames(rng: np.random.Generator, org: Org, roster: Roster) -> dict[str, pd.DataFrame]:
    """Pre, mid and post surveys of every participant, from latent scores that change with the programme."""
    n = len(roster.person)
    z = org.positivity[roster.person]
    mentee = roster.role == "mentee"
    constructs = ["ps", "eng", "enps", "bel"]
    pre = {c: 0.7 * z + 0.7 * rng.normal(0, 1, n) for c in constructs}
    gain = {}
    for c in constructs:
        mentor_gain, mentee_gain = _GAINS[c]
        mean = np.where(roster.weak, _WEAK_GAIN[c], np.where(mentee, mentee_gain, mentor_gain))
        gain[c] = mean + 0.3 * roster.quality + 0.4 * rng.normal(0, 1, n)
    overall_gain = (gain["ps"] + gain["bel"]) / 2
    rl_level = np.where(mentee, 0.6, 0.2) + 0.4 * z + 0.4 * roster.quality - np.where(roster.weak, 0.7, 0.0)
    waves = {
        "pre": ({c: pre[c] for c in constructs}, roster.start - to_days(rng.uniform(0, 12, n))),
        "mid": (
            {c: pre[c] + 0.5 * gain[c] + rng.normal(0, 0.15, n) for c in constructs}
            | {"rl": rl_level - 0.2 + 0.3 * rng.normal(0, 1, n)},
            roster.start + to_days(rng.uniform(88, 105, n)),
        ),
        "post": (
            {c: pre[c] + gain[c] for c in constructs}
            | {
                "rl": rl_level + 0.3 * rng.normal(0, 1, n),
                "sat": 0.4 + 0.6 * overall_gain + 0.4 * z - np.where(roster.weak, 0.6, 0.0),
            },
            roster.nominal_end - to_days(rng.uniform(0, 10, n)),
        ),
    }
    items = {
        "pre": ["ps", "eng", "enps", "bel"],
        "mid": ["ps", "eng", "enps", "bel", "rl"],
        "post": ["ps", "eng", "enps", "bel", "rl", "sat"],
    }
    partner = np.where(mentee, "my mentor", "my mentee").astype(object)
    exits = org.exit[roster.person]
    frames = {}
    for wave, (latent, when) in waves.items():
        present = (rng.random(n) < 0.88) & (when <= TODAY) & (np.isnat(exits) | (exits > when))
        if wave != "pre":
            present &= np.isnat(roster.stop) | (roster.stop > when)
        rows = np.flatnonzero(present)
        rows = rows[np.argsort(when[rows], kind="stable")]
        codes = [i.code for c in items[wave] for i in items_of(c)]
        answers = _answer_items(rng, {c: v[rows] for c, v in latent.items()}, codes, missing=0.03)
        mood = np.mean([latent[c][rows] for c in ("ps", "bel", "eng")], axis=0)
        pools, rate = (EXPECTATION_TEXT, 0.35) if wave == "pre" else (PROGRAMME_TEXT, 0.55)
        frames[f"survey_{wave}.csv"] = pd.DataFrame(
            {
                "response_id": [f"{wave.upper()}-{k:06d}" for k in range(1, len(rows) + 1)],
                "employee_id": org.employee_id[roster.person[rows]],
                "wave": wave,
                "submitted_at": _timestamps(rng, when[rows]),
                **answers,
                "comment_experience": comment_column(rng, mood, rate, pools, partner[rows]),
            }
        )
    return frames


def _months(pulses: int) -> list[np.datetime64]:
    last = np.datetime64(DATA_DATE.isoformat()[:7], "M")
    return [last - np.timedelta64(pulses - 1 - k, "M") for k in range(pulses)]


def _decline(month: int, months: int) -> float:
    """How far the declining department has fallen by this pulse: steadily, then sharply in the last month."""
    if months < 2:
        return 0.0
    return 0.5 * month / (months - 1) + (0.55 if month == months - 1 else 0.0)


def _pulse_latent(
    rng: np.random.Generator,
    org: Org,
    people: np.ndarray,
    constructs: list[str],
    participant: np.ndarray,
    decline: float,
) -> dict[str, np.ndarray]:
    """Latent pulse scores: disposition, stable trait, department, programme, this month's mood."""
    dept_effect = np.array([_DEPT_EFFECT.get(d, 0.0) for d in _DEPARTMENTS_ORDER])[
        np.searchsorted(_DEPARTMENTS_ORDER, org.department[people])
    ]
    declining = org.department[people] == _DECLINING
    latent = {}
    for c in constructs:
        t = 0.6 * org.positivity[people] + 0.45 * org.trait[c][people] + 0.35 * rng.normal(0, 1, len(people))
        t += dept_effect + _PARTICIPANT_EFFECT.get(c, 0.0) * participant
        if c in ("ps", "eng", "bel"):
            t -= decline * declining
        latent[c] = t
    return latent


def _pulse_frames(
    rng: np.random.Generator,
    org: Org,
    roster: Roster,
    pulses: int,
    items: list[str],
    comment_rate: float,
    anonymous: bool,
    response_rate: float = 0.65,
    census: int | None = None,
) -> dict[str, pd.DataFrame]:
    """Monthly confidential pulses of everyone employed, and one anonymous pulse with inline attributes.

    Each month a share response_rate of those employed answers; with census, the latest month is an
    all-staff census answered by exactly census people drawn at random from those employed.
    """
    constructs = [c for c in CONSTRUCTS if any(ITEMS[i].construct == c for i in items)]
    programme_start = np.full(len(org.employee_id), np.datetime64("NaT", "D"))
    programme_start[roster.person] = roster.start
    frames = {}
    months = _months(pulses)
    for k, month in enumerate(months):
        opened = month.astype("datetime64[D]") + np.timedelta64(4, "D")
        people = np.flatnonzero((org.hire <= opened) & (np.isnat(org.exit) | (org.exit > opened)))
        if census is not None and k == len(months) - 1:
            if len(people) < census:
                raise ValueError(f"a census of {census:,} needs that many employed; {len(people):,} are")
            people = np.sort(rng.choice(people, size=census, replace=False))
        else:
            people = people[rng.random(len(people)) < response_rate]
        when = opened + to_days(rng.uniform(0, 14, len(people)))
        order = np.argsort(when, kind="stable")
        people, when = people[order], when[order]
        participant = ~np.isnat(programme_start[people]) & (programme_start[people] <= opened)
        latent = _pulse_latent(rng, org, people, constructs, participant, _decline(k, len(months)))
        label = str(month)
        tag = label[2:4] + label[5:7]
        width = max(5, len(str(len(people))))
        frames[f"pulse_{label}.csv"] = pd.DataFrame(
            {
                "response_id": [f"P{tag}-{i:0{width}d}" for i in range(1, len(people) + 1)],
                "employee_id": org.employee_id[people],
                "wave": f"pulse-{label}",
                "submitted_at": _timestamps(rng, when),
                **_answer_items(rng, latent, items, missing=0.02),
                "comment_pulse": comment_column(rng, _mood(latent), comment_rate, PULSE_TEXT),
            }
        )
    if anonymous:
        label = DATA_DATE.isoformat()[:7]
        opened = np.datetime64(label, "M").astype("datetime64[D]") + np.timedelta64(14, "D")
        people = np.flatnonzero((org.hire <= opened) & (np.isnat(org.exit) | (org.exit > opened)))
        people = people[rng.random(len(people)) < 0.55]
        participant = ~np.isnat(programme_start[people]) & (programme_start[people] <= opened)
        latent = _pulse_latent(rng, org, people, constructs, participant, _decline(pulses - 1, pulses))
        order = rng.permutation(len(people))  # no employee order to leak identity
        people = people[order]
        latent = {c: v[order] for c, v in latent.items()}
        width = max(5, len(str(len(people))))
        frames[f"pulse_anonymous_{label}.csv"] = pd.DataFrame(
            {
                "response_id": [
                    f"PA{label[2:4]}{label[5:7]}-{i:0{width}d}" for i in range(1, len(people) + 1)
                ],
                "wave": f"pulse-anon-{label}",
                "submitted_at": _timestamps(rng, opened + to_days(rng.uniform(0, 10, len(people)))),
                "department": org.department[people],
                "grade": org.grade[people],
                "gender": org.gender[people],
                **_answer_items(rng, latent, items, missing=0.02),
                "comment_pulse": comment_column(rng, _mood(latent), comment_rate, PULSE_TEXT),
            }
        )
    return frames


def _mood(latent: dict[str, np.ndarray]) -> np.ndarray:
    return np.mean(list(latent.values()), axis=0)


def generate(
    seed: int = 42,
    employees: int = 1200,
    cohorts: int = 3,
    pairs_per_cohort: int = 40,
    pulses: int = 6,
    pulse_items: list[str] | None = None,
    comment_rate: float = 0.25,
    anonymous_pulse: bool = True,
    headcount: int | None = None,
    response_rate: float = 0.65,
    census: int | None = None,
    applicants: int = UPCOMING_APPLICANTS,
) -> dict[str, pd.DataFrame]:
    """The sample programme as template files: file name -> frame, in import order.

    employees is the number of HRIS rows, leavers included; headcount instead sizes the organisation by
    the people employed on DATA_DATE (the export then also lists the leavers). response_rate is each
    monthly pulse's share of those employed; census makes the latest monthly pulse an all-staff census
    answered by exactly that many people. applicants is how many mentors, and as many mentees, apply for
    the upcoming cohort.

    Streams 1-7 draw the original files; the later additions (managers 8, applications 9, first-session
    fit 10) draw from their own, so adding them changed no earlier value.
    """
    items = list(pulse_items or DEFAULT_PULSE_ITEMS)
    unknown = [code for code in items if code not in ITEMS]
    if unknown:
        raise ValueError(f"unknown pulse items: {', '.join(unknown)}")
    if not 0 < response_rate <= 1:
        raise ValueError(f"response_rate must be in (0, 1]; got {response_rate}")
    plan = plan_cohorts(cohorts)
    # The HRIS export keeps leavers since the first cohort started, so retention has its comparison group.
    window_start = plan[0][1]
    org = draw_employees(_rng(seed, 1), employees, window_start, headcount)
    roster = draw_roster(_rng(seed, 2), org, plan, pairs_per_cohort)
    participants = participants_frame(_rng(seed, 3), org, roster, plan)
    managers = draw_managers(_rng(seed, 8), org)
    frames = {"employees.csv": employees_frame(org, managers), "participants.csv": participants}
    frames |= _survey_frames(_rng(seed, 4), org, roster)
    outcomes = pair_outcomes(participants, frames["survey_pre.csv"], frames["survey_post.csv"])
    applications = applications_frame(_rng(seed, 9), org, roster, plan, participants, outcomes, applicants)
    frames |= _pulse_frames(
        _rng(seed, 5), org, roster, pulses, items, comment_rate, anonymous_pulse, response_rate, census
    )
    frames["goals.csv"] = goals_frame(_rng(seed, 6), org, roster, participants["focus"].to_numpy())
    sessions = sessions_frame(_rng(seed, 7), roster, participants["pair_id"].to_numpy()[::2])
    sessions["fit"] = first_session_fit(
        _rng(seed, 10),
        sessions["pair_id"].to_numpy(),
        outcomes["pair_id"].to_numpy(),
        outcomes["both_improved"].to_numpy(),
    )
    frames["sessions.csv"] = sessions
    return {"employees.csv": frames.pop("employees.csv"), "applications.csv": applications} | frames


def write_sample(out_dir: Path = SAMPLE_DIR, **generate_kwargs) -> list[Path]:
    """Generate the sample and write it as UTF-8 CSV files; return their paths in import order."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, frame in generate(**generate_kwargs).items():
        path = out_dir / name
        frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
        paths.append(path)
    return paths


def _import_rank(path: Path) -> tuple[int, str]:
    name = path.name
    fixed = [
        "employees.csv",
        "applications.csv",
        "participants.csv",
        "survey_pre.csv",
        "survey_mid.csv",
        "survey_post.csv",
    ]
    if name in fixed:
        return fixed.index(name), name
    if name.startswith("pulse_anonymous"):
        return 7, name
    if name.startswith("pulse_"):
        return 6, name
    return {"goals.csv": 8, "sessions.csv": 9}.get(name, 10), name


def sample_files(directory: Path = SAMPLE_DIR) -> list[Path]:
    """The sample's CSV files in import order: employees, applications, participants, surveys, pulses,
    goals, sessions."""
    return sorted(Path(directory).glob("*.csv"), key=_import_rank)


def load_sample(con: duckdb.DuckDBPyConnection) -> list[ImportResult]:
    """Import the shipped sample programme into the database; return the import results."""
    from analytics.ingest.load import import_files

    return import_files(con, sample_files())


def database_is_empty(con: duckdb.DuckDBPyConnection) -> bool:
    """True when there are no employees, participants or responses."""
    total = con.execute(
        """SELECT (SELECT count(*) FROM employees) + (SELECT count(*) FROM participants)
                  + (SELECT count(*) FROM responses)"""
    ).fetchone()[0]
    return total == 0


def main() -> None:
    """Regenerate data/sample/."""
    for path in write_sample():
        print(path)
