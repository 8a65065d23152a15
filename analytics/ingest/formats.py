"""Export formats: each one recognises its own files and turns them into Mutual's template columns.

Readers for other survey tools (Qualtrics, SurveyMonkey, ...) register themselves here with
`register_format`; the template format is the fallback, tried last.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from analytics.ingest.convert import Reporter
from analytics.ingest.source import RawTable

__all__ = ["Format", "FORMATS", "register_format", "detect_format", "TEMPLATE"]


@dataclass(frozen=True)
class Format:
    """One export format.

    `detect(table)` returns a plain sentence saying why the table is in this format, or None.
    `to_template(table, mapping, report)` returns the table with Mutual's template column names
    (lower case), reporting anything it cannot map; with `uses_db` it is also given the connection
    (`to_template(table, mapping, report, con=con)`), e.g. to link e-mail addresses to employees.
    A returned table may carry a `default_wave` attribute, used when no wave is given at import.
    """

    name: str
    detect: Callable[[RawTable], str | None]
    to_template: Callable[..., RawTable]
    uses_db: bool = False  # to_template also takes con= (e.g. to link e-mails to employees)


FORMATS: list[Format] = []
_IGNORE = "ignore"  # a mapping target meaning "leave this column out"


def register_format(fmt: Format, first: bool = True) -> None:
    """Add (or replace) a format; new formats are tried before the template by default."""
    FORMATS[:] = [f for f in FORMATS if f.name != fmt.name]
    if first:
        FORMATS.insert(0, fmt)
    else:
        FORMATS.append(fmt)


def detect_format(table: RawTable) -> tuple[Format, str]:
    """The first registered format that recognises the table, and why; the template otherwise."""
    for fmt in FORMATS:
        reason = fmt.detect(table)
        if reason:
            return fmt, reason
    return TEMPLATE, "none of the known export formats matched, so it is read as a Mutual template"


def _column_name(header: str) -> str:
    """A header as a template column: lower case; "Hire Date" or "hire-date" become hire_date."""
    from analytics.ingest.kinds import KNOWN_COLUMNS

    name = header.strip().lower()
    joined = re.sub(r"[\s\-]+", "_", name)
    return joined if joined in KNOWN_COLUMNS else name


def _template_detect(table: RawTable) -> str | None:
    from analytics.ingest.kinds import KNOWN_COLUMNS

    known = [h for h in table.header if _column_name(h) in KNOWN_COLUMNS or h.lower().startswith("comment_")]
    if not known:
        return None
    shown = ", ".join(known[:4]) + (", ..." if len(known) > 4 else "")
    return f"its columns are Mutual template columns ({shown})"


def _template_to_template(table: RawTable, mapping: dict | None, report: Reporter) -> RawTable:
    """Headers as template column names, after a column mapping if one is given.

    The mapping is {file column: template column} or a profile {"columns": {...}}; a column mapped
    to "ignore" is dropped.
    """
    mapping = mapping or {}
    if isinstance(mapping.get("columns"), dict):
        mapping = mapping["columns"]
    renames = {
        str(k).strip().lower(): str(v).strip().lower() for k, v in mapping.items() if isinstance(v, str)
    }
    names = [renames.get(h.strip().lower(), _column_name(h)) for h in table.header]
    seen: dict[str, str] = {}
    for original, name in zip(table.header, names, strict=True):
        if name in seen and name != _IGNORE:
            report.file(f"column '{original}' repeats column '{seen[name]}'", column=original)
        else:
            seen[name] = original
    frame = table.frame.copy()
    frame.columns = names
    frame = frame.loc[:, ~frame.columns.duplicated() & (frame.columns != _IGNORE)]
    return replace(table, header=list(frame.columns), frame=frame)


TEMPLATE = Format("template", _template_detect, _template_to_template)
register_format(TEMPLATE)
