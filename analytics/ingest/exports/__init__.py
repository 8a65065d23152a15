"""Survey-tool exports (Qualtrics, SurveyMonkey, Microsoft Forms, Google Forms, Viva Glint) as template surveys."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import duckdb

from analytics.ingest.exports.layout import Export
from analytics.ingest.exports.reading import Grid, read_grid
from analytics.ingest.exports.register import VENDORS, as_profile, register_exports
from analytics.ingest.exports.translate import (
    Translation,
    recognise_export,
    translate_export,
    translated,
)

__all__ = [
    "VENDOR_FORMATS",
    "detect_format",
    "read_export",
    "translate_file",
    "recognise_file",
]

# Checked in order: the most specific layouts first.
VENDOR_FORMATS: dict[str, tuple[Callable[[list[list[str]]], str | None], Callable[..., Export]]] = {
    m.NAME: (m.detect, m.parse) for m in VENDORS
}
register_exports()


def detect_format(grid: Grid) -> tuple[str, str] | None:
    """The vendor format of these cells and why, or None when no survey tool's layout fits."""
    for name, (detect, _) in VENDOR_FORMATS.items():
        reason = detect(grid.rows)
        if reason:
            return name, reason
    return None


def read_export(path: str | os.PathLike | tuple[str, bytes], include_excluded: bool = False) -> Export | None:
    """The file read as a vendor export, or None when it is not one (e.g. a Mutual template)."""
    grid = read_grid(path)
    found = detect_format(grid)
    if found is None:
        return None
    return VENDOR_FORMATS[found[0]][1](grid, include_excluded=include_excluded)


def recognise_file(
    path: str | os.PathLike | tuple[str, bytes],
    mapping: dict[str, Any] | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
) -> dict[str, Any] | None:
    """The recognition report of a vendor export (format, why, each column's target), None if not one."""
    mapping = as_profile(mapping)
    export = read_export(path, include_excluded=bool((mapping or {}).get("include_excluded")))
    return None if export is None else recognise_export(export, mapping, con)[1]


def translate_file(
    path: str | os.PathLike | tuple[str, bytes],
    mapping: dict[str, Any] | None = None,
    wave: str | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
) -> Translation | None:
    """A vendor export as a template survey frame plus its report, None when the file is not an export."""
    mapping = as_profile(mapping)
    export = read_export(path, include_excluded=bool((mapping or {}).get("include_excluded")))
    return None if export is None else translated(translate_export(export, mapping, wave, con))
