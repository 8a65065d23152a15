"""The deterministic sample programme: a synthetic organisation written as Mutual's template files."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import numpy as np
import pandas as pd

from analytics.instruments import CONSTRUCTS, ITEMS, items_of

if TYPE_CHECKING:
    from analytics.ingest import ImportResult

__all__ = [
    "DATA_DATE",
    "SAMPLE_DIR",
    "DEFAULT_PULSE_ITEMS",
    "generate",
    "write_sample",
    "sample_files",
    "load_sample",
    "database_is_empty",
    "main",
]

DATA_DATE = dt.date(2026, 10, 31)
SAMPLE_DIR = Path(__file__).resolve().parent.parent / "data" / "sample"
DEFAULT_PULSE_ITEMS = [f"ps_{i}" for i in range(1, 8)] + ["eng_1", "eng_2", "enps"]

_TODAY = np.datetime64(DATA_DATE.isoformat(), "D")
_YEAR = 365.25

# Organisation: (value, weight). Legal and Non-binary are small so privacy suppression shows.
_DEPARTMENTS = [
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
_SESSION_KINDS = [("meeting", 65), ("check-in", 25), ("shadowing", 10)]

# Annual hazards: non-participants leave voluntarily at ~14 % a year, participants at ~6 %.
_VOLUNTARY_RATE = -np.log(1 - 0.14)
_PARTICIPANT_RATE = -np.log(1 - 0.06)
_INVOLUNTARY_RATE = -np.log(1 - 0.03)

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
_DEPARTMENTS_ORDER = np.array(sorted(v for v, _ in _DEPARTMENTS), dtype=object)
_PARTICIPANT_EFFECT = {"ps": 0.5, "bel": 0.35, "eng": 0.2, "enps": 0.2}

# Programme gains pre -> post, latent SD units: (mentor, mentee). The weak cohort gains ~nothing.
_GAINS = {"ps": (0.5, 0.75), "bel": (0.65, 0.25), "eng": (0.25, 0.25), "enps": (0.3, 0.3)}
_WEAK_GAIN = {"ps": -0.05, "bel": 0.0, "eng": -0.1, "enps": -0.2}

# Phrase pools: a header line ("<pool> <theme> +/-"), then one phrase per indented line.
_PHRASE_TEXT = """
programme technology +
    {P} showed me how the team really uses our collaboration tools, which was eye-opening.
    I finally feel confident using the new AI assistant thanks to {p}.
    Learning how {p} automates their reporting has saved me hours every week.
    The hands-on sessions on our data tools were practical and genuinely useful.
    We built a small dashboard together and I loved how much I learned.
programme technology -
    We spent too little time on the technology topics I signed up for.
    The tool demos felt rushed and I struggled to follow them.
    I was disappointed that we never got past the basics of the new systems.
    Sessions about software were confusing and hard to apply to my job.
programme inclusion +
    Hearing the lived experience of {p} changed how I run meetings.
    Our honest conversations about inclusion were powerful and moving.
    I have a much better understanding of the barriers early-career colleagues face.
    It was encouraging to be genuinely listened to when sharing my experience.
programme inclusion -
    Conversations about inclusion felt awkward and we avoided the difficult topics.
    I worry the inclusion discussion stayed superficial and nothing will change.
    Sharing personal experiences felt uncomfortable and exposed.
    It was frustrating that the concerns I raised about bias were brushed aside.
programme speak_up +
    I feel more confident speaking up in meetings with senior people now.
    The programme made it feel safe to challenge ideas and ask questions.
    I am more comfortable admitting mistakes and asking for help.
    Being treated as an equal gave me the confidence to share bold ideas.
programme speak_up -
    I still don't feel safe raising problems with leadership.
    I held back in sessions because I was afraid it would be held against me.
    It is hard to be honest when the power gap is so obvious.
    Speaking up still feels risky in my team and the programme hasn't changed that.
programme scheduling +
    We kept a regular rhythm of meetings and it worked well.
    {P} always made time for our sessions despite a busy diary.
    Short fortnightly check-ins were easy to fit around work.
programme scheduling -
    Too many of our sessions were cancelled at the last minute.
    Finding time in a senior diary was a constant struggle.
    Workload pressure meant we rushed through meetings or skipped them.
    After the first couple of months our meetings just fizzled out.
programme career +
    The programme gave me visibility with leaders I would never normally meet.
    {P} introduced me to people across the business, which helped my career.
    I got great advice on my development plan and next role.
    I now understand how decisions are made at the top, which is really valuable.
programme career -
    I hoped for more visibility but nothing came of it.
    There was no follow-up on the career conversations we had.
    I doubt the programme will make any difference to my progression.
expectation hopes +
    I'm really looking forward to learning from {p}.
    Excited to see things from a different perspective.
    I hope to build confidence and a wider network.
    Keen to learn about new tools and better ways of working.
expectation hopes -
    I'm worried I won't have enough time for this.
    Not sure what to expect and a bit nervous about it.
    I'm sceptical that it will change much.
pulse workload +
    Workload is manageable and my manager protects our focus time.
    I have a good balance between work and life at the moment.
pulse workload -
    The workload is relentless and we are constantly understaffed.
    Too many meetings leave no time for real work.
    Deadlines keep moving and the pressure is exhausting.
pulse speak_up +
    My team is a safe place to raise problems and disagree.
    I can admit mistakes without being blamed.
    Leaders genuinely listen when we raise concerns.
pulse speak_up -
    People are afraid to speak up because mistakes are held against you.
    Raising concerns here feels risky.
    Honest feedback is ignored or even punished.
pulse manager +
    My manager is supportive and gives clear, useful feedback.
    I feel trusted and respected by my manager.
pulse manager -
    My manager rarely has time for one-to-ones.
    Decisions are made without any explanation, which is frustrating.
pulse tools +
    The new collaboration tools have made work much easier.
    Great to see real investment in modern tools.
pulse tools -
    Our systems are slow and outdated, which wastes hours.
    The new software rollout was badly handled.
pulse career +
    There are good opportunities to grow and learn here.
    I can see a clear path for my career.
pulse career -
    Promotions feel opaque and unfair.
    There is little investment in development.
pulse belonging +
    I feel I belong here and can be myself.
    The culture is welcoming and inclusive.
pulse belonging -
    I often feel excluded from decisions that affect me.
    It does not feel like people like me can succeed here.
openers +
    (nothing)
    (nothing)
    Overall a great experience.
    Really glad to be part of this.
    Honestly, very positive.
openers -
    (nothing)
    (nothing)
    Disappointing so far.
    Not what I expected.
    Honestly, quite frustrating.
closers +
    (nothing)
    (nothing)
    Thank you!
    I'd recommend it to anyone.
    Keep it up.
closers -
    (nothing)
    (nothing)
    Something needs to change.
    This needs better support.
    Not good enough.
connectors
    However,
    That said,
    On the other hand,
    But
distress
    I feel overwhelmed and can't cope any more.
    Completely burnt out, not sleeping and dreading every day.
    I'm struggling to keep going and have no one to talk to.
    Honestly I feel hopeless and exhausted all the time.
    I'm at breaking point with stress and anxiety.
contact
    Happy to discuss, email me at {name}@example.com.
    Feel free to call me on 07700 900{digits}.
    You can reach me on +44 20 7946 0{digits}.
    Contact {name}@example.org if you want details.
contact names
    j.smith
    priya.patel
    tom.oconnor
    a.nowak
    sam.lee
    r.mensah
goals mentor
    Present confidently to a senior audience
    Understand how strategic decisions are made
    Build a network outside my department
    Lead a small project with senior sponsorship
    Get feedback on my career plan
    Speak up more in leadership meetings
goals mentee technology
    Use generative AI tools in my weekly work
    Understand how younger colleagues use collaboration apps
    Get comfortable with our data dashboards
    Learn the basics of our cloud platform
    Run a meeting fully in the new collaboration suite
goals mentee inclusion
    Understand barriers faced by early-career colleagues
    Hear the lived experience of under-represented groups
    Make my team meetings more inclusive
    Review our hiring process with fresh eyes
    Sponsor one inclusion initiative in my area
goals mentee cross-functional
    Understand how front-line teams experience our strategy
    Learn how another department works day to day
    Spot one process to simplify across teams
    Build a link between my team and my mentor's team
"""


def _phrases(text: str) -> dict[str, list[str]]:
    """Parse the phrase pools: header -> phrases, in order."""
    pools: dict[str, list[str]] = {}
    header = ""
    for line in text.strip("\n").splitlines():
        if line.startswith("    "):
            phrase = line.strip()
            pools[header].append("" if phrase == "(nothing)" else phrase)
        else:
            header = line.strip()
            pools[header] = []
    return pools


def _themes(pools: dict[str, list[str]], group: str) -> dict[str, tuple[list[str], list[str]]]:
    """theme -> (positive phrases, negative phrases) of one pool group."""
    names = [h.split()[1] for h in pools if h.startswith(group + " ") and h.endswith(" +")]
    return {t: (pools[f"{group} {t} +"], pools[f"{group} {t} -"]) for t in names}


_POOLS = _phrases(_PHRASE_TEXT)
_PROGRAMME_TEXT = _themes(_POOLS, "programme")
_EXPECTATION_TEXT = _themes(_POOLS, "expectation")
_PULSE_TEXT = _themes(_POOLS, "pulse")
_OPENERS = (_POOLS["openers +"], _POOLS["openers -"])
_CLOSERS = (_POOLS["closers +"], _POOLS["closers -"])
_CONNECTORS = [c + " " for c in _POOLS["connectors"]]
_DISTRESS = _POOLS["distress"]
_CONTACT = _POOLS["contact"]
_CONTACT_NAMES = _POOLS["contact names"]
_GOAL_TITLES = {
    "mentor": _POOLS["goals mentor"],
    "mentee": {
        h.removeprefix("goals mentee "): v for h, v in _POOLS.items() if h.startswith("goals mentee ")
    },
}


@dataclass
class _Org:
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


def _rng(seed: int, stream: int) -> np.random.Generator:
    return np.random.default_rng([seed, stream])


def _draw(rng: np.random.Generator, options: list[tuple[str, float]], size: int) -> np.ndarray:
    weights = np.array([w for _, w in options], dtype=float)
    values = np.array([v for v, _ in options], dtype=object)
    return values[rng.choice(len(options), size=size, p=weights / weights.sum())]


def _days(values: np.ndarray) -> np.ndarray:
    return np.round(values).astype("int64").astype("timedelta64[D]")


def _iso(dates: np.ndarray) -> np.ndarray:
    """ISO dates as text, empty where NaT."""
    text = np.datetime_as_string(dates, unit="D").astype(object)
    text[np.isnat(dates)] = ""
    return text


def _timestamps(rng: np.random.Generator, dates: np.ndarray) -> np.ndarray:
    """A working-hours time on each date, as 'YYYY-MM-DD HH:MM:SS' text."""
    seconds = rng.integers(8 * 3600, 18 * 3600, size=len(dates)) // 60 * 60
    stamps = dates.astype("datetime64[s]") + seconds.astype("timedelta64[s]")
    return np.char.replace(np.datetime_as_string(stamps, unit="s"), "T", " ").astype(object)


def _grade_level(grade: np.ndarray) -> np.ndarray:
    """1 for G1 ... 7 for G7."""
    return np.array([int(g[1:]) for g in grade])


def _first_monday(year: int, month: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(7 - first.weekday()) % 7)


def _cohorts(count: int) -> list[tuple[str, np.datetime64]]:
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


def _employees(rng: np.random.Generator, n: int, window_start: np.datetime64) -> _Org:
    """n employees: everyone employed since window_start (the HRIS export keeps recent leavers)."""
    hires, exits, types = [], [], []
    kept = 0
    while kept < n:
        m = 4 * n + 100
        hire = _TODAY - _days(rng.uniform(14, 15 * _YEAR, m))
        voluntary = rng.exponential(1 / _VOLUNTARY_RATE, m) * _YEAR
        involuntary = rng.exponential(1 / _INVOLUNTARY_RATE, m) * _YEAR
        leave = hire + _days(np.minimum(voluntary, involuntary) + 1)
        kind = np.where(voluntary <= involuntary, "voluntary", "involuntary").astype(object)
        left = leave <= _TODAY
        leave = np.where(left, leave, np.datetime64("NaT", "D"))
        keep = ~left | (leave >= window_start)
        hires.append(hire[keep])
        exits.append(leave[keep])
        types.append(np.where(left[keep], kind[keep], ""))
        kept += int(keep.sum())
    hire, leave, kind = (np.concatenate(a)[:n] for a in (hires, exits, types))
    order = np.argsort(hire, kind="stable")
    hire, leave, kind = hire[order], leave[order], kind[order]
    width = max(5, len(str(n)))
    grade = _draw(rng, _GRADES, n)
    age = 21 + 4.5 * _grade_level(grade) + rng.normal(0, 6, n)
    return _Org(
        employee_id=np.array([f"E{i:0{width}d}" for i in range(1, n + 1)], dtype=object),
        department=_draw(rng, _DEPARTMENTS, n),
        grade=grade,
        location=_draw(rng, _LOCATIONS, n),
        hire=hire,
        exit=leave,
        exit_type=kind,
        gender=_draw(rng, _GENDERS, n),
        ethnicity=_draw(rng, _ETHNICITIES, n),
        age_band=np.array(_AGE_BANDS, dtype=object)[np.digitize(age, [25, 35, 45, 55])],
        disability=_draw(rng, _DISABILITY, n),
        positivity=rng.normal(0, 1, n),
        trait={c: rng.normal(0, 1, n) for c in CONSTRUCTS},
    )


def _employees_frame(org: _Org) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "employee_id": org.employee_id,
            "department": org.department,
            "grade": org.grade,
            "location": org.location,
            "hire_date": _iso(org.hire),
            "exit_date": _iso(org.exit),
            "exit_type": org.exit_type,
            "gender": org.gender,
            "ethnicity": org.ethnicity,
            "age_band": org.age_band,
            "disability": org.disability,
        }
    )


@dataclass
class _Roster:
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


def _roster(rng: np.random.Generator, org: _Org, cohorts: list, pairs_per_cohort: int) -> _Roster:
    """Draw mentors (G1-G3) and mentees (G5-G7) employed at each cohort's start, and their fates."""
    level = _grade_level(org.grade)
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
    leave = start + _days(np.minimum(voluntary, involuntary) + 1)
    left = leave <= _TODAY
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
        pair_start + _days(rng.uniform(30, 110, n_pairs)),
        np.datetime64("NaT", "D"),
    )
    first_exit = np.fmin(org.exit[person][::2], org.exit[person][1::2])
    early_exit = ~np.isnat(first_exit) & (first_exit < pair_end)
    withdraw = np.where(early_exit, np.fmin(withdraw, first_exit), withdraw)
    withdraw = np.where(withdraw > _TODAY, np.datetime64("NaT", "D"), withdraw)
    # A few pairs of the latest cohort carry on after the programme: active, with no end date.
    carry_on = (pair_cohort == len(cohorts) - 1) & np.isnat(withdraw) & (rng.random(n_pairs) < 0.12)
    carry_on &= pair_end < _TODAY
    end = np.where(carry_on, np.datetime64("NaT", "D"), pair_end)
    return _Roster(
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


def _participants_frame(rng: np.random.Generator, org: _Org, roster: _Roster, cohorts: list) -> pd.DataFrame:
    n_pairs = len(roster.person) // 2
    per_cohort = n_pairs // len(cohorts)
    width = max(2, len(str(per_cohort)))
    local = roster.pair - roster.cohort * per_cohort
    withdrawn = ~np.isnat(roster.stop)
    active = np.isnat(roster.end) | (roster.end > _TODAY)
    status = np.where(withdrawn, "withdrawn", np.where(active, "active", "completed")).astype(object)
    both = np.repeat(rng.random(n_pairs) < 0.06, 2)
    consent = both | (rng.random(len(roster.person)) < 0.08)
    return pd.DataFrame(
        {
            "employee_id": org.employee_id[roster.person],
            "cohort": np.array([name for name, _ in cohorts], dtype=object)[roster.cohort],
            "role": roster.role,
            "pair_id": [f"C{c + 1}-P{p + 1:0{width}d}" for c, p in zip(roster.cohort, local, strict=True)],
            "focus": np.repeat(_draw(rng, _FOCUS, n_pairs), 2),
            "start_date": _iso(roster.start),
            "end_date": _iso(roster.end),
            "status": status,
            "story_consent": np.where(consent, "yes", "no").astype(object),
        }
    )


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
        if spec.reverse:
            value = spec.scale_min + spec.scale_max - value
        column = pd.array(value.astype("int64"), dtype="Int64")
        column[rng.random(len(t)) < missing] = pd.NA
        columns[code] = column
    return columns


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lower_first(text: str) -> str:
    return text if text.startswith(("I ", "I'")) else text[:1].lower() + text[1:]


def _compose(
    rng: np.random.Generator, mood: np.ndarray, pools: dict, partner: np.ndarray | None
) -> list[str]:
    """Comments whose tone follows the writer's mood: positive, negative or mixed, a few distressed."""
    n = len(mood)
    themes = list(pools)
    tone = mood + rng.normal(0, 0.6, n)
    kind = np.where(tone > 0.3, 0, np.where(tone < -0.3, 1, 2))  # 0 positive, 1 negative, 2 mixed
    theme = rng.integers(0, len(themes), size=(n, 2))
    pick = rng.random((n, 5))
    second = rng.random(n) < 0.4
    distress = rng.random(n) < 0.01
    contact = rng.random(n) < 0.012
    contact_digits = rng.integers(0, 1000, n)
    texts = []
    for i in range(n):
        if distress[i]:
            sentences = [_DISTRESS[int(pick[i, 0] * len(_DISTRESS))]]
        else:
            first_tone = 0 if kind[i] == 2 else kind[i]
            positive, negative = pools[themes[theme[i, 0]]]
            pool = (positive, negative)[first_tone]
            sentences = [pool[int(pick[i, 0] * len(pool))]]
            if kind[i] == 2:
                other = pools[themes[theme[i, 1]]][1]
                connector = _CONNECTORS[int(pick[i, 1] * len(_CONNECTORS))]
                sentences.append(connector + _lower_first(other[int(pick[i, 2] * len(other))]))
            elif second[i]:
                other = pools[themes[theme[i, 1]]][kind[i]]
                extra = other[int(pick[i, 2] * len(other))]
                if extra != sentences[0]:
                    sentences.append(extra)
            if kind[i] < 2:
                opener = _OPENERS[kind[i]][int(pick[i, 3] * len(_OPENERS[kind[i]]))]
                closer = _CLOSERS[kind[i]][int(pick[i, 4] * len(_CLOSERS[kind[i]]))]
                sentences = [opener, *sentences, closer]
        if contact[i]:
            template = _CONTACT[int(pick[i, 1] * len(_CONTACT))]
            name = _CONTACT_NAMES[int(pick[i, 2] * len(_CONTACT_NAMES))]
            sentences.append(template.format(name=name, digits=f"{contact_digits[i]:03d}"))
        text = " ".join(s for s in sentences if s)
        if partner is not None:
            text = text.replace("{P}", _capitalise(partner[i])).replace("{p}", partner[i])
        texts.append(text)
    return texts


def _comment_column(
    rng: np.random.Generator, mood: np.ndarray, rate: float, pools: dict, partner: np.ndarray | None = None
) -> np.ndarray:
    """Free text for a share of respondents, empty for the rest."""
    column = np.full(len(mood), "", dtype=object)
    writes = np.flatnonzero(rng.random(len(mood)) < rate)
    if len(writes):
        column[writes] = _compose(rng, mood[writes], pools, None if partner is None else partner[writes])
    return column


def _survey_frames(rng: np.random.Generator, org: _Org, roster: _Roster) -> dict[str, pd.DataFrame]:
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
        "pre": ({c: pre[c] for c in constructs}, roster.start - _days(rng.uniform(0, 12, n))),
        "mid": (
            {c: pre[c] + 0.5 * gain[c] + rng.normal(0, 0.15, n) for c in constructs}
            | {"rl": rl_level - 0.2 + 0.3 * rng.normal(0, 1, n)},
            roster.start + _days(rng.uniform(88, 105, n)),
        ),
        "post": (
            {c: pre[c] + gain[c] for c in constructs}
            | {
                "rl": rl_level + 0.3 * rng.normal(0, 1, n),
                "sat": 0.4 + 0.6 * overall_gain + 0.4 * z - np.where(roster.weak, 0.6, 0.0),
            },
            roster.nominal_end - _days(rng.uniform(0, 10, n)),
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
        present = (rng.random(n) < 0.88) & (when <= _TODAY) & (np.isnat(exits) | (exits > when))
        if wave != "pre":
            present &= np.isnat(roster.stop) | (roster.stop > when)
        rows = np.flatnonzero(present)
        rows = rows[np.argsort(when[rows], kind="stable")]
        codes = [i.code for c in items[wave] for i in items_of(c)]
        answers = _answer_items(rng, {c: v[rows] for c, v in latent.items()}, codes, missing=0.03)
        mood = np.mean([latent[c][rows] for c in ("ps", "bel", "eng")], axis=0)
        pools, rate = (_EXPECTATION_TEXT, 0.35) if wave == "pre" else (_PROGRAMME_TEXT, 0.55)
        frames[f"survey_{wave}.csv"] = pd.DataFrame(
            {
                "response_id": [f"{wave.upper()}-{k:06d}" for k in range(1, len(rows) + 1)],
                "employee_id": org.employee_id[roster.person[rows]],
                "wave": wave,
                "submitted_at": _timestamps(rng, when[rows]),
                **answers,
                "comment_experience": _comment_column(rng, mood, rate, pools, partner[rows]),
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
    org: _Org,
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
    org: _Org,
    roster: _Roster,
    pulses: int,
    items: list[str],
    comment_rate: float,
    anonymous: bool,
) -> dict[str, pd.DataFrame]:
    """Monthly confidential pulses of everyone employed, and one anonymous pulse with inline attributes."""
    constructs = [c for c in CONSTRUCTS if any(ITEMS[i].construct == c for i in items)]
    programme_start = np.full(len(org.employee_id), np.datetime64("NaT", "D"))
    programme_start[roster.person] = roster.start
    frames = {}
    months = _months(pulses)
    for k, month in enumerate(months):
        opened = month.astype("datetime64[D]") + np.timedelta64(4, "D")
        people = np.flatnonzero((org.hire <= opened) & (np.isnat(org.exit) | (org.exit > opened)))
        people = people[rng.random(len(people)) < 0.65]
        when = opened + _days(rng.uniform(0, 14, len(people)))
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
                "comment_pulse": _comment_column(rng, _mood(latent), comment_rate, _PULSE_TEXT),
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
                "submitted_at": _timestamps(rng, opened + _days(rng.uniform(0, 10, len(people)))),
                "department": org.department[people],
                "grade": org.grade[people],
                "gender": org.gender[people],
                **_answer_items(rng, latent, items, missing=0.02),
                "comment_pulse": _comment_column(rng, _mood(latent), comment_rate, _PULSE_TEXT),
            }
        )
    return frames


def _mood(latent: dict[str, np.ndarray]) -> np.ndarray:
    return np.mean(list(latent.values()), axis=0)


def _goals_frame(rng: np.random.Generator, org: _Org, roster: _Roster, focus: np.ndarray) -> pd.DataFrame:
    """Two to four weighted goals per participant with attainment levels at mid and post."""
    n = len(roster.person)
    count = rng.integers(2, 5, n)
    person = np.repeat(np.arange(n), count)
    number = np.concatenate([np.arange(1, k + 1) for k in count])
    titles = []
    shuffle = rng.random((n, 6))
    for i in range(n):
        pool = _GOAL_TITLES["mentor"] if roster.role[i] == "mentor" else _GOAL_TITLES["mentee"][focus[i]]
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


def _sessions_frame(rng: np.random.Generator, roster: _Roster, pair_ids: np.ndarray) -> pd.DataFrame:
    """Meetings every two to four weeks; withdrawn pairs stop, ~15 % of pairs go quiet early."""
    start = roster.start[::2]
    n = len(start)
    nominal = roster.nominal_end[::2]
    end = np.where(np.isnat(roster.end[::2]), _TODAY, np.fmin(roster.end[::2], _TODAY))
    quiet = rng.random(n) < 0.12
    quiet_stop = np.maximum(nominal - _days(rng.uniform(60, 120, n)), start + np.timedelta64(21, "D"))
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
    kinds = _draw(rng, _SESSION_KINDS, len(pair))
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
            "date": _iso(dates[pair, slot]),
            "minutes": minutes.astype("int64"),
            "kind": kinds,
        }
    )


def generate(
    seed: int = 42,
    employees: int = 1200,
    cohorts: int = 3,
    pairs_per_cohort: int = 40,
    pulses: int = 6,
    pulse_items: list[str] | None = None,
    comment_rate: float = 0.25,
    anonymous_pulse: bool = True,
) -> dict[str, pd.DataFrame]:
    """The sample programme as template files: file name -> frame, in import order."""
    items = list(pulse_items or DEFAULT_PULSE_ITEMS)
    unknown = [code for code in items if code not in ITEMS]
    if unknown:
        raise ValueError(f"unknown pulse items: {', '.join(unknown)}")
    plan = _cohorts(cohorts)
    # The HRIS export keeps leavers since the first cohort started, so retention has its comparison group.
    window_start = plan[0][1]
    org = _employees(_rng(seed, 1), employees, window_start)
    roster = _roster(_rng(seed, 2), org, plan, pairs_per_cohort)
    participants = _participants_frame(_rng(seed, 3), org, roster, plan)
    frames = {"employees.csv": _employees_frame(org), "participants.csv": participants}
    frames |= _survey_frames(_rng(seed, 4), org, roster)
    frames |= _pulse_frames(_rng(seed, 5), org, roster, pulses, items, comment_rate, anonymous_pulse)
    frames["goals.csv"] = _goals_frame(_rng(seed, 6), org, roster, participants["focus"].to_numpy())
    frames["sessions.csv"] = _sessions_frame(_rng(seed, 7), roster, participants["pair_id"].to_numpy()[::2])
    return frames


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
    fixed = ["employees.csv", "participants.csv", "survey_pre.csv", "survey_mid.csv", "survey_post.csv"]
    if name in fixed:
        return fixed.index(name), name
    if name.startswith("pulse_anonymous"):
        return 6, name
    if name.startswith("pulse_"):
        return 5, name
    return {"goals.csv": 7, "sessions.csv": 8}.get(name, 9), name


def sample_files(directory: Path = SAMPLE_DIR) -> list[Path]:
    """The sample's CSV files in import order: employees, participants, surveys, pulses, goals, sessions."""
    return sorted(Path(directory).glob("*.csv"), key=_import_rank)


def load_sample(con: duckdb.DuckDBPyConnection) -> list[ImportResult]:
    """Import the shipped sample programme into the database; return the import results."""
    from analytics.ingest import import_files

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


if __name__ == "__main__":
    main()
