"""What every vendor reader produces: named source columns, their question texts, rows, hints."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from analytics.ingest.exports.recognise import IGNORE, Target

__all__ = ["Export", "unique_names", "body_frame", "metadata_hint", "name_hint"]


@dataclass
class Export:
    """One vendor export read into named columns, before any mapping to Mutual's template."""

    format: str
    reason: str
    columns: list[str]
    texts: dict[str, str]  # source column -> question text used for recognition
    frame: pd.DataFrame  # one row per kept response, all text; index = row number in the spreadsheet
    hints: dict[str, Target] = field(default_factory=dict)  # targets the vendor layout already tells us
    excluded: dict[str, int] = field(default_factory=dict)  # e.g. {"preview": 2, "unfinished": 1}
    id_column: str | None = None  # a per-form response number to build response ids from
    file: str = ""


def unique_names(names: list[str]) -> list[str]:
    """The names with repeats made unique by a ' (2)', ' (3)' suffix, and blanks named by position."""
    seen: dict[str, int] = {}
    out = []
    for position, name in enumerate(names, start=1):
        name = name or f"column {position}"
        count = seen.get(name.lower(), 0) + 1
        seen[name.lower()] = count
        out.append(name if count == 1 else f"{name} ({count})")
    return out


def body_frame(rows: list[list[str]], columns: list[str], first_row: int) -> pd.DataFrame:
    """The data rows as a text frame whose index is each row's 1-based line number in the sheet."""
    frame = pd.DataFrame(rows, columns=columns, dtype="object")
    frame.index = pd.RangeIndex(first_row, first_row + len(rows))
    if frame.empty:
        return frame
    return frame[~(frame.fillna("") == "").all(axis=1)]  # cells arrive stripped


def metadata_hint(reason: str, target: str = IGNORE) -> Target:
    """A vendor metadata column: its known target and why."""
    return Target(target, 1.0, reason)


def name_hint() -> Target:
    """A respondent-name column: never read, never stored."""
    return Target(IGNORE, 1.0, "a name: never stored")
