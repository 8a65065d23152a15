"""Google Forms exports: Timestamp, Email Address, question columns, grids as 'Question [Row]'."""

from __future__ import annotations

from analytics.ingest.exports.layout import Export, body_frame, metadata_hint, unique_names
from analytics.ingest.exports.reading import Grid

__all__ = ["NAME", "detect", "parse"]

NAME = "googleforms"


def detect(rows: list[list[str]]) -> str | None:
    """Why this looks like a Google Forms export, or None."""
    if rows and rows[0] and rows[0][0].strip().lower() == "timestamp":
        return "Google Forms: the first column is Timestamp"
    return None


def parse(grid: Grid, include_excluded: bool = False) -> Export:
    """Read a Google Forms export."""
    columns = unique_names(grid.rows[0])
    frame = body_frame(grid.rows[1:], columns, 2)
    hints = {}
    for column in columns:
        key = column.strip().lower()
        if key == "timestamp":
            hints[column] = metadata_hint("Google Forms timestamp", "submitted_at")
        elif key in ("email address", "email"):
            hints[column] = metadata_hint(
                "Google Forms e-mail: used to link to employees, never stored", "email"
            )
        elif key == "score":
            hints[column] = metadata_hint("Google Forms quiz score")
    texts = {c: c for c in columns}
    return Export(NAME, detect(grid.rows) or NAME, columns, texts, frame, hints, file=grid.file)
