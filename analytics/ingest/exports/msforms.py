"""Microsoft Forms exports: ID, Start time, Completion time, Email, Name, then one column per question."""

from __future__ import annotations

from analytics.ingest.exports.layout import Export, body_frame, metadata_hint, name_hint, unique_names
from analytics.ingest.exports.reading import Grid

__all__ = ["NAME", "detect", "parse"]

NAME = "msforms"


def detect(rows: list[list[str]]) -> str | None:
    """Why this looks like a Microsoft Forms export, or None."""
    header = {c.lower() for c in rows[0]} if rows else set()
    if {"id", "start time", "completion time"} <= header:
        return "Microsoft Forms: ID, Start time and Completion time columns"
    return None


def parse(grid: Grid, include_excluded: bool = False) -> Export:
    """Read a Microsoft Forms export; 'anonymous' in Email means no link to an employee."""
    columns = unique_names(grid.rows[0])
    frame = body_frame(grid.rows[1:], columns, 2)
    hints = {}
    id_column = None
    for column in columns:
        key = column.lower()
        if key == "id":
            id_column = column
            hints[column] = metadata_hint("Microsoft Forms response number, made unique per form and wave")
        elif key == "completion time":
            hints[column] = metadata_hint("Microsoft Forms completion time", "submitted_at")
        elif key in ("start time", "last modified time"):
            hints[column] = metadata_hint(f"Microsoft Forms metadata ({column})")
        elif key == "email":
            hints[column] = metadata_hint("Microsoft Forms e-mail ('anonymous' = not linked)", "email")
        elif key == "name":
            hints[column] = name_hint()
    texts = {c: c for c in columns}
    return Export(
        NAME, detect(grid.rows) or NAME, columns, texts, frame, hints, id_column=id_column, file=grid.file
    )
