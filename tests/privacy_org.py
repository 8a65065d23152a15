"""A known-answer organisation for the privacy attacks of issue 13, built with a seeded random.Random.

88 employees; one cohort ("2025-A") of 8 mentor/mentee pairs with pre, mid and post surveys, one mentor
withdrawn after answering pre only; five confidential pulses (linked to employee ids) with comments; an
anonymous pulse (no ids, inline department "Research", grade and gender) answered by the same 4 people in
three waves. Planted so that each attack has one exact answer, recorded in `Org.secrets`:

- age band {35-44, 55+} is every man plus exactly one woman, X (`x`): her pulse scores and 5 comments;
- department Operations is location Glasgow plus exactly one person, Y (`y`), who works in Leeds;
- the mid survey has 2 commenters (the hidden wave): their texts, one of them in distress;
- Legal (8 people): 3 answered the first pulse, the other 5 the second, so Legal over one pulse is 3
  people and over two pulses 8;
- one non-binary participant told a story; 3 participants consented and wrote comments.

The module also records every response's true person (an anonymous response's too), so tests can
compute the respondent set behind any figure from the raw data.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from analytics.instruments import ITEMS
from analytics.store import db
from tests import builders as b

__all__ = ["Org", "build", "ATTRIBUTES", "PULSES", "ANON_PULSES", "PROGRAMME_WAVES", "COHORT", "K", "K_TEXT"]

K = 5
K_TEXT = 10
COHORT = "2025-A"
PULSES = ["pulse-2025-02", "pulse-2025-04", "pulse-2025-06", "pulse-2025-08", "pulse-2025-10"]
ANON_PULSES = ["anon-2025-03", "anon-2025-05", "anon-2025-09"]
PROGRAMME_WAVES = ["pre", "mid", "post"]
ATTRIBUTES = ("department", "grade", "location", "gender", "ethnicity", "age_band", "disability")
OPENED = {
    "pre": "2025-01-10",
    "mid": "2025-04-10",
    "post": "2025-07-10",
    **dict(zip(PULSES, ["2025-02-05", "2025-04-05", "2025-06-05", "2025-08-05", "2025-10-05"], strict=True)),
    **dict(zip(ANON_PULSES, ["2025-03-15", "2025-05-15", "2025-09-15"], strict=True)),
}
KIND = {"pre": "pre", "mid": "mid", "post": "post", **{w: "pulse" for w in PULSES + ANON_PULSES}}

DEPARTMENTS = {"Engineering": 24, "Sales": 20, "Operations": 14, "Finance": 12, "People": 10, "Legal": 8}
OTHER_LOCATIONS = ["London", "Leeds", "Manchester"]
GRADES = ["G1", "G2", "G3", "G4", "G5", "G6"]
ETHNICITIES = ["White", "White", "White", "Asian", "Black", "Mixed", "Other"]
DISABILITY = ["No"] * 8 + ["Yes", "Prefer not to say"]
YOUNGER_OR_MIDDLE = ["16-24", "25-34", "45-54"]
OLDER_OR_MIDDLE = ["35-44", "55+"]

_OPENINGS = [
    "I feel heard in my team",
    "Meetings are rushed and people talk over each other",
    "My manager gives me real support",
    "The workload has been heavy lately",
    "Nobody listens when I raise a concern",
    "I am learning a lot on the new projects",
    "Communication between teams could be better",
    "I am proud of what we delivered",
    "Decisions are made without asking us",
    "I trust my colleagues to have my back",
]
_DETAILS = [
    "and that matters to me",
    "which is frustrating",
    "and I hope it continues",
    "especially in the planning sessions",
    "since the reorganisation",
    "when deadlines get close",
    "in the weekly stand-ups",
    "and the mentoring helped",
]
# X's five comments (one per confidential pulse): the verbatim text an attacker must not recover.
X_COMMENTS = [
    "My allotment is the only place I feel calm and happy since the awful audit started",
    "After the audit I asked twice about the Harrogate transfer and heard nothing back, which hurts",
    "I still have not had an answer on the Harrogate transfer, the silence is wearing and sad",
    "The new rota clashes with my evening classes in Ripon every single week, a real problem",
    "I am considering leaving once my evening classes in Ripon finish in December, sadly",
]
MID_COMMENTS = [
    "I feel overwhelmed and can't cope with the mentoring on top of the quarter end",
    "My mentee taught me more about the rota app than I expected, a pleasant surprise",
]
ANON_COMMENTS = [
    "The lab move was handled badly and nobody asked the technicians",
    "Our research budget cut was announced in a corridor, not a meeting",
    "I like the new Research seminars but they clash with field work",
    "Too many approval steps for small purchases in Research",
]


@dataclass
class Org:
    """The built database and everything a test needs to know the truth."""

    path: Path
    people: dict[str, dict] = field(default_factory=dict)  # employee_id -> attributes
    participants: dict[str, dict] = field(default_factory=dict)  # employee_id -> role, pair_id, ...
    # One row per response: response_id, person (the true person, anonymous ones too), employee_id
    # (None when anonymous), wave, score (psychological safety after reverse coding), attributes
    responses: list[dict] = field(default_factory=list)
    comments: list[dict] = field(default_factory=list)  # response_id, person, wave, text
    secrets: dict = field(default_factory=dict)

    def attributes_of(self, response: dict) -> dict:
        """The attributes a response is analysed under (HRIS for linked ones, inline for anonymous)."""
        if response["employee_id"] is not None:
            person = self.people[response["employee_id"]]
            extra = self.participants.get(response["employee_id"], {})
            return {
                **person,
                "role": extra.get("role"),
                "cohort": extra.get("cohort"),
                "focus": extra.get("focus"),
            }
        return {**response["inline"], "role": None, "cohort": None, "focus": None}

    def score(self, person: str, wave: str) -> float | None:
        found = [r["score"] for r in self.responses if r["person"] == person and r["wave"] == wave]
        return found[-1] if found else None


def _score(answers: dict[str, float]) -> float:
    values = [
        (ITEMS[i].scale_min + ITEMS[i].scale_max - v) if ITEMS[i].reverse else v for i, v in answers.items()
    ]
    return sum(values) / len(values)


def _employees(rng: random.Random) -> tuple[dict[str, dict], str, str]:
    """88 people: every man is 35-44 or 55+, and so is exactly one woman (X); Operations is Glasgow plus Y."""
    genders = ["Man"] * 44 + ["Woman"] * 38 + ["Non-binary"] * 6
    rng.shuffle(genders)
    departments = [d for d, size in DEPARTMENTS.items() for _ in range(size)]
    people = {}
    for number, (department, gender) in enumerate(zip(departments, genders, strict=True), start=1):
        eid = f"E{number:03d}"
        location = "Glasgow" if department == "Operations" else rng.choice(OTHER_LOCATIONS)
        age = rng.choice(OLDER_OR_MIDDLE if gender == "Man" else YOUNGER_OR_MIDDLE)
        people[eid] = {
            "department": department,
            "grade": rng.choice(GRADES),
            "location": location,
            "gender": gender,
            "ethnicity": rng.choice(ETHNICITIES),
            "age_band": age,
            "disability": rng.choice(DISABILITY),
        }
    x = next(e for e, p in people.items() if p["gender"] == "Woman" and p["department"] == "Finance")
    people[x]["age_band"] = "35-44"
    y = next(e for e, p in people.items() if p["department"] == "Operations" and e != x)
    people[y]["location"] = "Leeds"
    return people, x, y


def _roster(rng: random.Random, people: dict[str, dict], x: str, y: str) -> dict[str, dict]:
    """8 pairs: mentors in a lower grade than their mentees where possible; one non-binary mentee."""
    legal = {e for e, p in people.items() if p["department"] == "Legal"}
    nonbinary = sorted(e for e, p in people.items() if p["gender"] == "Non-binary")
    pool = sorted(set(people) - legal - {x, y} - set(nonbinary))
    chosen = rng.sample(pool, 15) + [nonbinary[0]]
    mentors, mentees = chosen[:8], chosen[8:]
    focus = ["technology", "inclusion"]
    roster = {}
    for number, (mentor, mentee) in enumerate(zip(mentors, mentees, strict=True), start=1):
        pair = f"P{number}"
        roster[mentor] = {"cohort": COHORT, "role": "mentor", "pair_id": pair, "focus": focus[number % 2]}
        roster[mentee] = {"cohort": COHORT, "role": "mentee", "pair_id": pair, "focus": focus[number % 2]}
    withdrawn = mentors[-1]
    for eid, entry in roster.items():
        entry["status"] = "withdrawn" if eid == withdrawn else "active"
        entry["story_consent"] = False
    return roster


def _answers(rng: random.Random, lean: float) -> dict[str, float]:
    return {item: float(min(7, max(1, round(rng.gauss(4 + lean, 1.6))))) for item in b.PS_ITEMS}


def _text(rng: random.Random) -> str:
    return f"{rng.choice(_OPENINGS)} {rng.choice(_DETAILS)}"


def build(path: Path, seed: int = 13) -> Org:
    """Build the organisation into a new database file at `path`."""
    rng = random.Random(seed)
    con = db.connect(path)
    con.execute("BEGIN TRANSACTION")  # one commit for the whole organisation
    org = Org(path=path)
    people, x, y = _employees(rng)
    roster = _roster(rng, people, x, y)
    org.people, org.participants = people, roster
    mentors = [e for e, p in roster.items() if p["role"] == "mentor"]
    mentees = [e for e, p in roster.items() if p["role"] == "mentee"]
    withdrawn = next(e for e, p in roster.items() if p["status"] == "withdrawn")
    nonbinary_mentee = next(e for e in mentees if people[e]["gender"] == "Non-binary")
    storytellers = [nonbinary_mentee, mentors[0], mentees[2]]
    for eid in storytellers:
        roster[eid]["story_consent"] = True
    legal = sorted(e for e, p in people.items() if p["department"] == "Legal")
    legal_first, legal_second = legal[:3], legal[3:]

    for wave in [*PROGRAMME_WAVES, *PULSES, *ANON_PULSES]:
        b.add_wave(con, wave, KIND[wave], OPENED[wave])
    for eid, attributes in people.items():
        b.add_employee(con, eid, **attributes)
    for eid, entry in roster.items():
        b.add_participant(
            con,
            eid,
            cohort=entry["cohort"],
            role=entry["role"],
            pair_id=entry["pair_id"],
            focus=entry["focus"],
            status=entry["status"],
            story_consent=entry["story_consent"],
            end_date="2025-03-01" if entry["status"] == "withdrawn" else None,
        )
    lean = {e: rng.uniform(-1.2, 1.2) for e in people}

    def respond(person, wave, *, employee_id, comment=None, inline=None, lean_by=0.0):
        response_id = f"{wave}-{len(org.responses) + 1:04d}"
        answers = _answers(rng, lean_by)
        answers_all = {**answers, "enps": float(rng.randint(0, 10))}
        comments = {"comment": comment} if comment else None
        b.add_response(
            con,
            response_id,
            wave,
            answers_all,
            employee_id=employee_id,
            submitted_at=f"{OPENED[wave]} 10:00:00",
            comments=comments,
            **(inline or {}),
        )
        org.responses.append(
            {
                "response_id": response_id,
                "person": person,
                "employee_id": employee_id,
                "wave": wave,
                "score": _score(answers),
                "answers": answers_all,
                "inline": inline or {},
            }
        )
        if comment:
            org.comments.append({"response_id": response_id, "person": person, "wave": wave, "text": comment})

    # The programme surveys: all 16 at pre; the withdrawn mentor at pre only; 2 commenters at mid.
    mid_commenters = [mentors[1], mentees[4]]
    for wave in PROGRAMME_WAVES:
        for eid in sorted(roster):
            if wave != "pre" and eid == withdrawn:
                continue
            comment = None
            if wave == "mid" and eid in mid_commenters:
                comment = MID_COMMENTS[mid_commenters.index(eid)]
            elif wave != "mid" and (eid in storytellers or rng.random() < 0.75):
                comment = f"{_text(rng)} ({wave} survey)"
            respond(
                eid,
                wave,
                employee_id=eid,
                comment=comment,
                lean_by=lean[eid] + (0.4 if wave == "post" else 0),
            )

    # The confidential pulses: about 85 % answer; X, Y and the non-binary people always answer and comment.
    always = {x, y, *[e for e, p in people.items() if p["gender"] == "Non-binary"]}
    for position, wave in enumerate(PULSES):
        for eid in sorted(people):
            if eid in legal:
                answers = (position == 0 and eid in legal_first) or (position == 1 and eid in legal_second)
                answers = answers or (position >= 2 and rng.random() < 0.85)
            else:
                answers = eid in always or rng.random() < 0.85
            if not answers:
                continue
            if eid == x:
                comment = X_COMMENTS[position]
            elif eid in always or rng.random() < 0.6:
                comment = _text(rng)
            else:
                comment = None
            respond(eid, wave, employee_id=eid, comment=comment, lean_by=lean[eid])

    # The anonymous pulse: the same 4 people (A1..A4) in three waves, each with a comment.
    anonymous = {
        "A1": {"department": "Research", "grade": "G3", "gender": "Woman"},
        "A2": {"department": "Research", "grade": "G4", "gender": "Man"},
        "A3": {"department": "Research", "grade": "G3", "gender": "Man"},
        "A4": {"department": "Research", "grade": "G5", "gender": "Woman"},
    }
    for wave in ANON_PULSES:
        for number, (person, inline) in enumerate(anonymous.items()):
            comment = f"{ANON_COMMENTS[number]} ({wave})"
            respond(person, wave, employee_id=None, comment=comment, inline=inline, lean_by=-0.5)

    # Goals (3 per participant, levels at mid and post; none at post for the withdrawn) and sessions.
    for eid in sorted(roster):
        for g in range(1, 4):
            mid = rng.randint(-2, 1)
            post = None if eid == withdrawn else rng.randint(-1, 2)
            b.add_goal(con, eid, f"g{g}", level_mid=None if eid == withdrawn else mid, level_post=post)
    for pair in sorted({p["pair_id"] for p in roster.values()}):
        for month in range(1, 1 + rng.randint(3, 8)):
            b.add_session(con, pair, f"2025-{month:02d}-12", minutes=rng.choice([30, 45, 60]))
    con.execute("COMMIT")
    b.finish(con)
    compounds = dict(con.execute("SELECT text, compound FROM comments").fetchall())
    con.close()

    for comment in org.comments:
        comment["compound"] = compounds[comment["text"]]
    org.secrets = {
        "x": x,
        "x_scores": {w: org.score(x, w) for w in PULSES},
        "x_comments": list(X_COMMENTS),
        "y": y,
        "y_scores": {w: org.score(y, w) for w in PULSES},
        "withdrawn": withdrawn,
        "withdrawn_pre": org.score(withdrawn, "pre"),
        "mid_comments": list(MID_COMMENTS),
        "mid_mean_compound": sum(compounds[t] for t in MID_COMMENTS) / len(MID_COMMENTS),
        "anonymous_people": sorted(anonymous),
        "anonymous_mean": _mean([r["score"] for r in org.responses if r["employee_id"] is None]),
        "anonymous_comments": [c["text"] for c in org.comments if c["person"] in anonymous],
        "legal_first": legal_first,
        "legal_first_mean": _mean([org.score(e, PULSES[0]) for e in legal_first]),
        "nonbinary_mentee": nonbinary_mentee,
        "storytellers": storytellers,
        "mentors": mentors,
        "mentees": mentees,
    }
    return org


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)
