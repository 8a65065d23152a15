"""Qualtrics exports: three header rows (tags, texts, ImportId JSON) or the legacy two-row V1..V10 layout."""

from __future__ import annotations

import re

import pandas as pd

from analytics.ingest.exports.layout import Export, body_frame, metadata_hint, name_hint, unique_names
from analytics.ingest.exports.reading import Grid
from analytics.ingest.exports.recognise import Target

__all__ = ["NAME", "detect", "parse"]

NAME = "qualtrics"

_METADATA = {"startdate", "status", "ipaddress", "progress", "duration (in seconds)", "finished",
             "locationlatitude", "locationlongitude", "distributionchannel", "userlanguage",
             "responseset", "q_recaptchascore", "q_relevantidduplicate", "q_url"}  # fmt: skip
_TARGETS = {
    "responseid": "response_id",
    "externalreference": "employee_id",
    "externaldatareference": "employee_id",
    "recipientemail": "email",
    "emailaddress": "email",
    "recordeddate": "submitted_at",
}
_NAMES = {"recipientfirstname", "recipientlastname", "name"}
_PREVIEW = {"1", "survey preview", "17", "offline survey preview", "preview"}  # 16 is a real offline response
_TEST = {"2", "survey test", "test"}
_SPAM = {"8", "spam"}
_UNFINISHED = {"0", "false", "no"}


def _is_legacy(rows: list[list[str]]) -> bool:
    return len(rows) >= 2 and rows[0][:3] == ["V1", "V2", "V3"] and "ResponseID" in rows[1]


def _is_three_row(rows: list[list[str]]) -> bool:
    return len(rows) >= 3 and any(c.startswith('{"ImportId"') for c in rows[2])


def detect(rows: list[list[str]]) -> str | None:
    """Why this looks like a Qualtrics export, or None."""
    if _is_three_row(rows):
        return 'Qualtrics: the third header row holds {"ImportId": ...} question ids'
    if _is_legacy(rows):
        return "Qualtrics (legacy layout): V1..V10 tags over ResponseID, ResponseSet, Name, ..."
    header = {c.lower() for c in rows[0]} if rows else set()
    if {"responseid", "startdate", "finished"} <= header:
        return "Qualtrics: ResponseId, StartDate and Finished metadata columns"
    return None


def _hint(name: str, label: str) -> Target | None:
    key = label.lower()
    if key in _TARGETS:
        return metadata_hint(f"Qualtrics {label}", _TARGETS[key])
    if key in _NAMES:
        return name_hint()
    if key == "enddate":
        return Target("submitted_at", 0.8, "Qualtrics EndDate (RecordedDate preferred)")
    if key in _METADATA:
        return metadata_hint(f"Qualtrics metadata ({label})")
    return None


def _excluded(frame: pd.DataFrame, labels: dict[str, str]) -> tuple[pd.Series, dict[str, int]]:
    by_label = {label.lower(): column for column, label in labels.items()}
    status = frame[by_label["status"]].str.strip().str.lower() if "status" in by_label else None
    finished = frame[by_label["finished"]].str.strip().str.lower() if "finished" in by_label else None
    reasons = pd.Series("", index=frame.index, dtype="object")
    if finished is not None:
        reasons = reasons.where(~finished.isin(_UNFINISHED), "unfinished")
    if status is not None:
        reasons = reasons.where(~status.isin(_SPAM), "spam")
        reasons = reasons.where(~status.isin(_TEST), "test")
        reasons = reasons.where(~status.isin(_PREVIEW), "preview")
    counts = reasons[reasons != ""].value_counts()
    return reasons != "", {str(k): int(v) for k, v in counts.items()}


def parse(grid: Grid, include_excluded: bool = False) -> Export:
    """Read a Qualtrics export; preview, test, spam and unfinished responses are left out and counted."""
    rows = grid.rows
    legacy = _is_legacy(rows)
    if legacy:
        header_rows = 2
    elif _is_three_row(rows):
        header_rows = 3
    else:
        header_rows = 2 if _texts_row(rows) else 1
    tags, texts = rows[0], rows[1] if header_rows >= 2 else rows[0]
    # Legacy V1..V10 tags mean nothing to a person: name those columns by their label instead.
    names = [
        text if legacy and re.fullmatch(r"V\d+", tag) else tag for tag, text in zip(tags, texts, strict=True)
    ]
    columns = unique_names(names)
    frame = body_frame(rows[header_rows:], columns, header_rows + 1)
    labels = {
        c: (t if legacy and re.fullmatch(r"V\d+", tag) else tag)
        for c, tag, t in zip(columns, tags, texts, strict=True)
    }
    hints = {c: h for c in columns if (h := _hint(c, labels[c])) is not None}
    dropped, excluded = _excluded(frame, labels)
    if not include_excluded:
        frame = frame[~dropped]
    reason = detect(rows) or "Qualtrics"
    return Export(
        NAME, reason, columns, dict(zip(columns, texts, strict=True)), frame, hints, excluded, file=grid.file
    )


def _texts_row(rows: list[list[str]]) -> bool:
    """Whether the second row repeats the metadata names in words ('Start Date', 'Response ID')."""
    return len(rows) > 1 and any(c in ("Start Date", "Response ID", "Response Type") for c in rows[1])
