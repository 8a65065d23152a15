"""Recognise what an export column holds: an item, an identity or time column, an attribute, free text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

import pandas as pd

from analytics.instruments import ITEMS, LABEL_SETS, label_to_value, normalise_text

__all__ = [
    "Target",
    "ATTRIBUTE_TARGETS",
    "IDENTITY_TARGETS",
    "IGNORE",
    "WORDING_THRESHOLD",
    "allowed_targets",
    "is_comment_target",
    "comment_target",
    "match_wording",
    "recognise_column",
    "answer_value",
]

IGNORE = "ignore"
IDENTITY_TARGETS = ("response_id", "employee_id", "email", "submitted_at", "wave")
ATTRIBUTE_TARGETS = ("department", "grade", "location", "gender", "ethnicity", "age_band", "disability")
# A wording match at or above this similarity maps a column without asking.
WORDING_THRESHOLD = 0.82

_EMPLOYEE_ID = {"externalreference", "externaldatareference", "emp id", "empid", "employee id", "employee_id",
                "employeeid", "employee number", "staff id", "personnel number", "worker id"}  # fmt: skip
_EMAIL = {"email", "e mail", "email address", "e mail address", "recipientemail", "recipient email",
          "emailaddress", "respondent email", "work email"}  # fmt: skip
_NAMES = {"name", "first name", "last name", "full name", "recipientfirstname", "recipientlastname",
          "recipient first name", "recipient last name", "respondent name", "manager name"}  # fmt: skip
_TIMES = {"submitted_at", "submitted at", "recordeddate", "recorded date", "enddate", "end date",
          "completion time", "timestamp", "survey cycle completion date", "date submitted",
          "submission time", "completed"}  # fmt: skip
_ATTRIBUTES = {
    "department": {"department", "dept", "business unit", "division", "function", "team"},
    "grade": {"grade", "job grade", "level", "job level", "band", "seniority"},
    "location": {"location", "office", "site", "country", "region", "work location"},
    "gender": {"gender", "sex", "gender identity"},
    "ethnicity": {"ethnicity", "ethnic group", "race", "race ethnicity"},
    "age_band": {"age band", "age_band", "age group", "age range", "age"},
    "disability": {"disability", "disability status", "disabled"},
}
_ATTRIBUTE_BY_NAME = {name: target for target, names in _ATTRIBUTES.items() for name in names}
_CODE = re.compile(r"^(ps|eng|bel|rl|sat)[ _.\-]?(\d)$|^(enps)$")
_COMMENT_WORDS = re.compile(r"\b(comment|comments|why|anything else|suggest|describe|explain|tell us)\b")

# Answer labels some tools use that the instrument's label sets do not spell out.
_EXTRA_LABELS: dict[int, list[list[str]]] = {
    5: [
        [
            "Strongly disagree",
            "Somewhat disagree",
            "Neither agree nor disagree",
            "Somewhat agree",
            "Strongly agree",
        ]
    ],
    7: [
        [
            "Strongly disagree",
            "Moderately disagree",
            "Slightly disagree",
            "Neutral",
            "Slightly agree",
            "Moderately agree",
            "Strongly agree",
        ]
    ],
    11: [["Not at all likely", "1", "2", "3", "4", "5", "6", "7", "8", "9", "Extremely likely"]],
}


@dataclass(frozen=True)
class Target:
    """What one source column was recognised as, how sure, and why."""

    target: str
    confidence: float
    reason: str


def allowed_targets() -> list[str]:
    """Every target a column may be mapped to (comment targets are any `comment_<question>`)."""
    return [*IDENTITY_TARGETS, *ITEMS, *ATTRIBUTE_TARGETS, "comment", IGNORE]


def is_comment_target(target: str) -> bool:
    """Whether a target names a free-text question (`comment_<question>`)."""
    return bool(re.fullmatch(r"comment_[a-z0-9_]+", target))


def comment_target(question: str) -> str:
    """The `comment_<question>` target for a free-text column, from its code or first words."""
    words = normalise_text(question).split()
    slug = "_".join(words[:5])[:40].strip("_") or "text"
    return f"comment_{slug}"


def _header_key(text: str) -> str:
    return normalise_text(text).replace("_", " ").strip()


@lru_cache(maxsize=1)
def _item_wordings() -> list[tuple[str, str]]:
    return [(normalise_text(spec.text), code) for code, spec in ITEMS.items()]


def _wording_candidates(text: str) -> list[str]:
    """The text, the part after each ' - ' or '-' (a scale stem), and a Google grid row in [...]."""
    candidates = [text]
    grid = re.search(r"\[([^\[\]]+)\]\s*$", text)
    if grid:
        candidates.append(grid.group(1))
    for separator in (" - ", "-", ":"):
        pieces = text.split(separator)
        candidates += [separator.join(pieces[i:]) for i in range(1, len(pieces))]
    return [c for c in (normalise_text(c) for c in candidates) if len(c) >= 12]


def match_wording(text: str) -> tuple[str | None, float]:
    """The item whose wording is closest to this header text, and the similarity (0-1)."""
    best, score = None, 0.0
    for candidate in _wording_candidates(text):
        for wording, code in _item_wordings():
            matcher = SequenceMatcher(None, candidate, wording, autojunk=False)
            if matcher.real_quick_ratio() <= score or matcher.quick_ratio() <= score:
                continue
            ratio = matcher.ratio()
            if ratio > score:
                best, score = code, ratio
    return best, round(score, 3)


def _looks_like_free_text(values: pd.Series) -> bool:
    answered = values[values.fillna("").astype("string").str.strip() != ""].astype("string").head(500)
    if answered.empty:
        return False
    numeric = pd.to_numeric(answered.str.replace(",", ".", regex=False), errors="coerce").notna().mean()
    labels = answered.map({v: _known_label(v) for v in answered.unique()}).astype("bool").mean()
    long_text = answered.str.len().mean() >= 15
    return numeric < 0.5 and labels < 0.5 and bool(long_text)


@lru_cache(maxsize=4096)
def _known_label(value: str) -> bool:
    key = normalise_text(value)
    return any(key == normalise_text(label) for sets in (LABEL_SETS, _EXTRA_LABELS)
               for groups in sets.values() for labels in groups for label in labels)  # fmt: skip


def recognise_column(column: str, text: str | None, values: pd.Series, hint: Target | None = None) -> Target:
    """The best target for one source column, from vendor hints, names, item codes and wordings."""
    if hint is not None:
        return hint
    key = _header_key(column)
    if key in _EMPLOYEE_ID:
        return Target("employee_id", 1.0, f"'{column}' is an employee-id column")
    if key in _EMAIL:
        return Target(
            "email", 1.0, f"'{column}' is an e-mail column: used to link to employees, never stored"
        )
    if key in _NAMES:
        return Target(IGNORE, 1.0, "a name: never stored")
    if key in _TIMES:
        return Target("submitted_at", 0.9, f"'{column}' is a completion time")
    if key in ("response id", "responseid", "respondent id", "response_id"):
        return Target("response_id", 1.0, f"'{column}' identifies the response")
    if key == "wave":
        return Target("wave", 1.0, "a wave column")
    code = _CODE.match(key.replace(" ", "_")) or _CODE.match(key.replace(" ", ""))
    if code:
        item = code.group(3) or f"{code.group(1)}_{code.group(2)}"
        return Target(item, 1.0, f"'{column}' is the item code {item}")
    if key in _ATTRIBUTE_BY_NAME:
        attribute = _ATTRIBUTE_BY_NAME[key]
        return Target(attribute, 0.9, f"'{column}' is the attribute {attribute}")
    wording = text or column
    item, score = match_wording(wording)
    if item is not None and score >= WORDING_THRESHOLD:
        return Target(item, score, f"wording matches {item} ('{ITEMS[item].text}') at {score:.0%}")
    asked = normalise_text(wording)
    if len(asked.split()) <= 6 and re.search(r"\byour?\b", asked):  # "What is your department?"
        for name, attribute in _ATTRIBUTE_BY_NAME.items():
            if re.search(rf"\b{re.escape(name)}\b", asked):
                return Target(attribute, 0.7, f"asks for the respondent's {name}")
    if _looks_like_free_text(values) or _COMMENT_WORDS.search(normalise_text(wording)):
        return Target(comment_target(wording), 0.7, "free-text answers")
    if item is not None and score >= 0.6:
        return Target(IGNORE, score, f"not recognised; closest item {item} at {score:.0%}")
    return Target(IGNORE, 0.0, "not recognised")


def _extra_value(item_code: str, label: str) -> float | None:
    spec = ITEMS[item_code]
    points = spec.scale_max - spec.scale_min + 1
    key = normalise_text(label)
    for labels in _EXTRA_LABELS.get(points, []):
        for position, known in enumerate(labels):
            if normalise_text(known) == key:
                return float(spec.scale_min + position)
    return None


def answer_value(item_code: str, label: str) -> float | None:
    """The number for an answer (a number, or a label of the item's scale in any case), None if unknown."""
    value = label_to_value(item_code, label)
    if value is None:
        value = _extra_value(item_code, label)
    return value
