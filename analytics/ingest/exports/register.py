"""Plug the survey-tool readers into the ingest pipeline's registry of formats."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

import duckdb
import pandas as pd

from analytics.ingest.convert import Reporter
from analytics.ingest.exports import glint, googleforms, msforms, qualtrics, surveymonkey
from analytics.ingest.exports.mapping import check_mapping
from analytics.ingest.exports.reading import grid_of
from analytics.ingest.exports.translate import translate_export
from analytics.ingest.formats import Format, register_format
from analytics.ingest.source import RawTable

__all__ = ["ExportTable", "as_profile", "register_exports", "recognition_of", "VENDORS"]

# Most specific layouts first.
VENDORS = (qualtrics, surveymonkey, glint, msforms, googleforms)


@dataclass
class ExportTable(RawTable):
    """A vendor export in template columns, with the recognition report and a default pulse wave."""

    recognition: dict[str, Any] = field(default_factory=dict)
    default_wave: str | None = None


def as_profile(mapping: dict[str, Any] | None) -> dict[str, Any] | None:
    """A mapping in profile form ({"columns": {...}, ...}); a flat {column: target} dict is accepted too."""
    if not mapping:
        return None
    if "columns" not in mapping and all(isinstance(v, str) for v in mapping.values()):
        mapping = {"columns": dict(mapping)}
    return check_mapping(mapping)


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Every cell as text the template validation reads: numbers without a trailing '.0', blanks ''."""
    out = pd.DataFrame(index=frame.index)
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.is_float_dtype(values):
            values = values.astype("Float64").astype("string").str.replace(r"\.0$", "", regex=True)
        out[column] = values.fillna("").astype("str")
    return out


def _converter(module):
    def to_template(
        table: RawTable, mapping: dict | None, report: Reporter, con: duckdb.DuckDBPyConnection | None = None
    ) -> RawTable:
        # The template reader took row 1 as the header; these layouts read their own header rows.
        report.problems[:] = [p for p in report.problems if not (p.row == 1 and "no header" in p.message)]
        profile = as_profile(mapping)
        export = module.parse(grid_of(table), include_excluded=bool((profile or {}).get("include_excluded")))
        # The mapping's wave is a default: a wave chosen at import (known only later) must win over it.
        columns_only = {k: v for k, v in profile.items() if k != "wave"} if profile else None
        translation = translate_export(export, columns_only, None, con)
        report.problems.extend(translation.problems)
        default_wave = (profile or {}).get("wave") or translation.report.get("default_wave")
        frame = _as_text(translation.frame)
        kept = {f.name: getattr(table, f.name) for f in fields(RawTable) if f.init}
        kept.update(header=list(frame.columns), frame=frame, decimal_comma=False)
        return ExportTable(**kept, recognition=translation.report, default_wave=default_wave)

    return to_template


def _detector(module):
    def detect(table: RawTable) -> str | None:
        return module.detect(table.rows)

    return detect


def register_exports() -> None:
    """Register every survey-tool format ahead of the template format."""
    for module in reversed(VENDORS):  # register_format puts each new format first
        register_format(Format(module.NAME, _detector(module), _converter(module), uses_db=True))


def recognition_of(inspection: Any) -> dict[str, Any] | None:
    """The recognition report behind an ingest Inspection of a vendor export (None for a template)."""
    table = getattr(inspection, "_table", None)
    return getattr(table, "recognition", None) or None
