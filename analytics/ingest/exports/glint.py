"""Viva Glint exports: employee columns, one column per question, and per question three comment columns."""

from __future__ import annotations

from analytics.ingest.exports.layout import Export, body_frame, metadata_hint, name_hint, unique_names
from analytics.ingest.exports.reading import Grid
from analytics.ingest.exports.recognise import WORDING_THRESHOLD, Target, comment_target, match_wording

__all__ = ["NAME", "detect", "parse"]

NAME = "glint"

_SUFFIXES = ("_COMMENT_TOPICS", "_SENSITIVE_COMMENT_FLAG")
_TARGETS = {
    "emp id": "employee_id",
    "email": "email",
    "survey cycle completion date": "submitted_at",
}
_METADATA = {"status", "manager id", "survey cycle sent date", "survey cycle name", "survey uuid"}


def detect(rows: list[list[str]]) -> str | None:
    """Why this looks like a Viva Glint export, or None."""
    header = rows[0] if rows else []
    if any(c.endswith("_COMMENT") for c in header) or "Survey Cycle Completion Date" in header:
        return "Viva Glint: Survey Cycle Completion Date and per-question _COMMENT columns"
    return None


def _comment_hint(question: str) -> Target:
    item, score = match_wording(question)
    slug = f"comment_{item}" if item and score >= WORDING_THRESHOLD else comment_target(question)
    return metadata_hint(f"Glint comment on '{question}'", slug)


def _hint(column: str) -> Target | None:
    key = column.lower()
    if key in _TARGETS:
        return metadata_hint(f"Glint {column}", _TARGETS[key])
    if key in ("first name", "last name"):
        return name_hint()
    if key in _METADATA:
        return metadata_hint(f"Glint metadata ({column})")
    if column.endswith(_SUFFIXES):
        return metadata_hint("Glint comment topics / sensitivity flag")
    if column.endswith("_COMMENT"):
        return _comment_hint(column[: -len("_COMMENT")])
    return None


def parse(grid: Grid, include_excluded: bool = False) -> Export:
    """Read a Viva Glint export (one row per employee and survey cycle)."""
    columns = unique_names(grid.rows[0])
    frame = body_frame(grid.rows[1:], columns, 2)
    hints = {c: h for c in columns if (h := _hint(c)) is not None}
    id_column = next((c for c in columns if c.lower() == "emp id"), None)
    texts = {c: c for c in columns}
    return Export(
        NAME, detect(grid.rows) or NAME, columns, texts, frame, hints, id_column=id_column, file=grid.file
    )
