"""The item bank: constructs, items, scales, reverse coding and Likert label sets, as data; and the
mentoring application's instrument: its values and working-style items and its vocabularies."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "Item",
    "Construct",
    "CONSTRUCTS",
    "ITEMS",
    "LABEL_SETS",
    "LIKERT_CONSTRUCTS",
    "item",
    "construct",
    "items_of",
    "reverse_code",
    "is_favourable",
    "min_answered",
    "normalise_text",
    "label_to_value",
    "STYLE",
    "STYLE_ITEMS",
    "OBJECTIVES",
    "SKILLS",
    "VOCABULARY_ENV",
    "vocabulary",
]


@dataclass(frozen=True)
class Item:
    code: str
    construct: str
    text: str
    scale_min: int
    scale_max: int
    reverse: bool = False

    @property
    def midpoint(self) -> float:
        """The middle of the scale: 4 of 1-7, 3 of 1-5. An answer above it is favourable."""
        return (self.scale_min + self.scale_max) / 2


@dataclass(frozen=True)
class Construct:
    code: str
    name: str
    scale_min: int
    scale_max: int
    description: str
    index: bool = True  # False for eNPS, which is not a mean of items


def _items(construct: str, lo: int, hi: int, texts: list[tuple[str, bool]]) -> list[Item]:
    return [
        Item(f"{construct}_{i}", construct, text, lo, hi, reverse)
        for i, (text, reverse) in enumerate(texts, start=1)
    ]


CONSTRUCTS: dict[str, Construct] = {
    c.code: c
    for c in [
        Construct(
            "ps", "Psychological safety", 1, 7, "Edmondson (1999) team psychological safety, 7 items, 1-7"
        ),
        Construct("eng", "Engagement", 1, 5, "Engagement agreement index, 1-5"),
        Construct(
            "enps",
            "eNPS",
            0,
            10,
            "Employee Net Promoter Score, % promoters (9-10) minus % detractors (0-6)",
            index=False,
        ),
        Construct("bel", "Belonging", 1, 5, "Belonging and inclusion index, 1-5"),
        Construct(
            "rl",
            "Reciprocal learning",
            1,
            5,
            "What I learned from my partner and what my partner learned from me, 1-5",
        ),
        Construct("sat", "Programme satisfaction", 1, 5, "Satisfaction with the mentoring programme, 1-5"),
    ]
}

# Edmondson (1999): items 1, 3 and 5 are negatively worded and reverse-scored (8 - x).
_PS = _items(
    "ps",
    1,
    7,
    [
        ("If you make a mistake on this team, it is often held against you.", True),
        ("Members of this team are able to bring up problems and tough issues.", False),
        ("People on this team sometimes reject others for being different.", True),
        ("It is safe to take a risk on this team.", False),
        ("It is difficult to ask other members of this team for help.", True),
        ("No one on this team would deliberately act in a way that undermines my efforts.", False),
        ("Working with members of this team, my unique skills and talents are valued and utilized.", False),
    ],
)
_ENG = _items(
    "eng",
    1,
    5,
    [
        ("I feel motivated to go beyond what is expected of me.", False),
        ("I am proud to work for this organisation.", False),
        ("I see myself still working here in two years' time.", False),
        ("The work I do gives me a sense of personal accomplishment.", False),
    ],
)
_ENPS = [
    Item("enps", "enps", "How likely are you to recommend this organisation as a place to work?", 0, 10),
]
_BEL = _items(
    "bel",
    1,
    5,
    [
        ("I feel a sense of belonging at this organisation.", False),
        ("I can be my authentic self at work.", False),
        ("People here value my perspective and contributions.", False),
        ("I feel respected by the people I work with.", False),
    ],
)
_RL = _items(
    "rl",
    1,
    5,
    [
        ("I have learned something valuable from my mentoring partner.", False),
        ("My mentoring partner has learned something valuable from me.", False),
        ("My partner and I learn from each other as equals.", False),
    ],
)
_SAT = _items(
    "sat",
    1,
    5,
    [
        ("Overall, I am satisfied with the mentoring programme.", False),
        ("The programme has been a good use of my time.", False),
        ("I would recommend the programme to a colleague.", False),
    ],
)

ITEMS: dict[str, Item] = {i.code: i for i in [*_PS, *_ENG, *_ENPS, *_BEL, *_RL, *_SAT]}

LIKERT_CONSTRUCTS = [c for c, spec in CONSTRUCTS.items() if spec.index]

# Answer labels per scale length, lowest first. Several wordings per point are accepted.
LABEL_SETS: dict[int, list[list[str]]] = {
    5: [
        ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"],
        ["Very inaccurate", "Inaccurate", "Neither accurate nor inaccurate", "Accurate", "Very accurate"],
    ],
    7: [
        [
            "Strongly disagree",
            "Disagree",
            "Somewhat disagree",
            "Neither agree nor disagree",
            "Somewhat agree",
            "Agree",
            "Strongly agree",
        ],
        [
            "Very inaccurate",
            "Mostly inaccurate",
            "Somewhat inaccurate",
            "Neither accurate nor inaccurate",
            "Somewhat accurate",
            "Mostly accurate",
            "Very accurate",
        ],
    ],
}
# Common variants of the neutral point and of "somewhat".
_SYNONYMS = {
    "neither agree or disagree": "neither agree nor disagree",
    "neutral": "neither agree nor disagree",
    "slightly disagree": "somewhat disagree",
    "slightly agree": "somewhat agree",
    "neither inaccurate nor accurate": "neither accurate nor inaccurate",
}


def item(code: str) -> Item:
    """The item with this code."""
    return ITEMS[code]


def construct(code: str) -> Construct:
    """The construct with this code."""
    return CONSTRUCTS[code]


def items_of(construct_code: str) -> list[Item]:
    """The items of one construct, in order."""
    return [i for i in ITEMS.values() if i.construct == construct_code]


# The one definition of coding an answer. SQL reads answers through the `coded_answers` view
# (analytics/store/db.py), which applies the same rule to the `items` table mirrored from ITEMS;
# tests/test_coded_answers.py checks that the two agree for every item and scale point.


def reverse_code(item_code: str, value: float | np.ndarray) -> float | np.ndarray:
    """The value after reverse coding (scale_min + scale_max - value), if the item is reverse-scored.

    Works on a number or a numpy array; reverse coding undoes itself, so the sample generator uses it
    to turn a favourable answer into the raw answer to a negatively worded item.
    """
    spec = ITEMS[item_code]
    return spec.scale_min + spec.scale_max - value if spec.reverse else value


def is_favourable(item_code: str, value: float | np.ndarray) -> bool | np.ndarray:
    """Whether a raw answer is favourable: above the scale midpoint after reverse coding."""
    return reverse_code(item_code, value) > ITEMS[item_code].midpoint


def min_answered(construct_code: str) -> int:
    """How many of a construct's items a response must answer for a valid score: at least half."""
    return math.ceil(len(items_of(construct_code)) / 2)


def normalise_text(text: str) -> str:
    """Lower case, collapse whitespace, drop punctuation: for matching labels and wordings."""
    text = re.sub(r"[^\w\s]", " ", str(text).lower().replace("\u2019", "'").replace("'", ""))
    return re.sub(r"\s+", " ", text).strip()


def _label_lookup() -> dict[int, dict[str, int]]:
    lookup: dict[int, dict[str, int]] = {}
    for points, sets in LABEL_SETS.items():
        table = lookup.setdefault(points, {})
        for labels in sets:
            for position, label in enumerate(labels, start=1):
                table[normalise_text(label)] = position
        for variant, canonical in _SYNONYMS.items():
            key = normalise_text(canonical)
            if key in table:
                table[normalise_text(variant)] = table[key]
    return lookup


_LABELS = _label_lookup()


def label_to_value(item_code: str, label: str) -> float | None:
    """The numeric value of an answer label for this item, or None if the label is unknown.

    Accepts numbers as text ("4", "4.0"), the item's label sets in any case and spacing,
    and eNPS answers such as "10 - Extremely likely".
    """
    spec = ITEMS[item_code]
    text = str(label).strip()
    match = re.match(r"^\s*(-?\d+(?:[.,]\d+)?)\b", text)
    if match:
        return float(match.group(1).replace(",", "."))
    points = spec.scale_max - spec.scale_min + 1
    position = _LABELS.get(points, {}).get(normalise_text(text))
    if position is None:
        return None
    return float(spec.scale_min + position - 1)


# ---------------------------------------------------------------- the mentoring application

# The application's values and working-style items, each 1-5. They are not survey items (not in ITEMS):
# an applications file carries them, and matching compares a mentor's answers with a mentee's.
STYLE: dict[str, Item] = {
    i.code: i
    for i in [
        Item(
            "openness_to_challenge",
            "style",
            "I want a partner who challenges my assumptions (1 = rarely, 5 = all the time).",
            1,
            5,
        ),
        Item(
            "preferred_pace",
            "style",
            "The pace I like to work at (1 = slow and reflective, 5 = fast and action-first).",
            1,
            5,
        ),
        Item(
            "directness",
            "style",
            "How direct I like feedback to be (1 = gentle and indirect, 5 = blunt and direct).",
            1,
            5,
        ),
    ]
}
STYLE_ITEMS = tuple(STYLE)

# The default vocabularies of an application's list fields: the programme objectives an applicant
# names, and the skills they offer and want. A term outside them is refused at import.
OBJECTIVES = (
    "inclusion",
    "technology",
    "cross-generational",
    "cross-functional",
    "knowledge sharing",
    "leadership",
    "career development",
    "culture change",
    "innovation",
    "wellbeing",
)
SKILLS = (
    "data analysis",
    "digital tools",
    "social media",
    "artificial intelligence",
    "coding",
    "public speaking",
    "storytelling",
    "strategic thinking",
    "decision making",
    "stakeholder management",
    "negotiation",
    "project management",
    "people management",
    "coaching",
    "inclusive leadership",
    "financial acumen",
    "change management",
)


VOCABULARY_ENV = "MUTUAL_VOCABULARY"


def vocabulary() -> dict[str, tuple[str, ...]]:
    """The programme's vocabularies of an application's lists: {"objectives": ..., "skills": ...}.

    OBJECTIVES and SKILLS unless $MUTUAL_VOCABULARY names a JSON file that replaces either or both,
    e.g. {"objectives": ["inclusion", "technology"], "skills": ["coding", "negotiation"]}: each a
    non-empty list of distinct, non-empty terms (compared case-insensitively).
    """
    import json
    import os
    from pathlib import Path

    from analytics.errors import MutualError

    found = {"objectives": OBJECTIVES, "skills": SKILLS}
    path = os.environ.get(VOCABULARY_ENV, "").strip()
    if not path:
        return found
    where = f"{VOCABULARY_ENV}={path}"
    try:
        given = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise MutualError(f"{where}: cannot read the vocabulary file as JSON ({error}).") from None
    if not isinstance(given, dict) or not given or set(given) - set(found):
        raise MutualError(
            f'{where}: expected an object with "objectives" and/or "skills", each a list of terms.'
        )
    for key, terms in given.items():
        if (
            not isinstance(terms, list)
            or not terms
            or not all(isinstance(t, str) and t.strip() for t in terms)
        ):
            raise MutualError(f'{where}: "{key}" must be a non-empty list of non-empty terms.')
        folded = [" ".join(t.lower().split()) for t in terms]
        if len(set(folded)) != len(folded):
            raise MutualError(f'{where}: "{key}" lists a term twice.')
        found[key] = tuple(t.strip() for t in terms)
    return found
