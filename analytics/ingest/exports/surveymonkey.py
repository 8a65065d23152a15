"""SurveyMonkey exports: question text over a matrix's first column only, row labels in the second row."""

from __future__ import annotations

from analytics.ingest.exports.layout import Export, body_frame, metadata_hint, name_hint, unique_names
from analytics.ingest.exports.reading import Grid
from analytics.ingest.exports.recognise import Target

__all__ = ["NAME", "detect", "parse"]

NAME = "surveymonkey"

_TARGETS = {
    "respondent id": "response_id",
    "email address": "email",
    "end date": "submitted_at",
}
_METADATA = {"collector id", "start date", "ip address"}
_NAMES = {"first name", "last name"}
_PLAIN = {"", "response", "open-ended response"}


def detect(rows: list[list[str]]) -> str | None:
    """Why this looks like a SurveyMonkey export, or None."""
    header = {c.lower() for c in rows[0]} if rows else set()
    if {"respondent id", "collector id"} <= header:
        return "SurveyMonkey: Respondent ID and Collector ID columns over a second header row"
    return None


def _hint(name: str) -> Target | None:
    key = name.lower()
    if key in _TARGETS:
        return metadata_hint(f"SurveyMonkey {name}", _TARGETS[key])
    if key in _NAMES:
        return name_hint()
    if key in _METADATA:
        return metadata_hint(f"SurveyMonkey metadata ({name})")
    if key.startswith("custom data"):
        return Target(
            "ignore", 0.3, "SurveyMonkey custom data: map it to employee_id if it holds employee ids"
        )
    return None


def parse(grid: Grid, include_excluded: bool = False) -> Export:
    """Read a SurveyMonkey export; a matrix row becomes '<question> - <row label>'."""
    questions, subs = grid.rows[0], grid.rows[1]
    names, current = [], ""
    for question, sub in zip(questions, subs, strict=True):
        current = question or current
        names.append(current if sub.strip().lower() in _PLAIN else f"{current} - {sub}")
    columns = unique_names(names)
    frame = body_frame(grid.rows[2:], columns, 3)
    hints = {c: h for c, raw in zip(columns, questions, strict=True) if raw and (h := _hint(raw)) is not None}
    texts = dict(zip(columns, names, strict=True))
    return Export(NAME, detect(grid.rows) or NAME, columns, texts, frame, hints, file=grid.file)
