"""Read, recognise and validate one file without writing anything to the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from analytics.errors import Problem
from analytics.ingest.checks import Known
from analytics.ingest.convert import Reporter
from analytics.ingest.formats import detect_format
from analytics.ingest.kinds import KINDS, detect_kind
from analytics.ingest.source import RawTable, Source, open_source, read_table
from analytics.ingest.validate import validate

__all__ = ["Inspection", "inspect_file", "check", "recognise", "earlier_import", "PREVIEW_ROWS"]

PREVIEW_ROWS = 10
_KIND_PHRASES = {
    "employees": "an employees (HRIS) file",
    "participants": "a programme roster",
    "survey": "a survey file",
    "goals": "a goals file",
    "sessions": "a mentoring session log",
    "applications": "a file of mentoring applications",
}


@dataclass
class Inspection:
    """What Mutual made of one file: its format and kind, why, its problems, and a preview."""

    file_name: str
    format: str
    kind: str | None
    reason: str
    rows: int
    waves: list[str]
    problems: list[Problem]
    preview: pd.DataFrame
    sha256: str
    already_imported: bool
    previous_import: int | None = None
    previous_imported_at: str | None = None
    columns: list[str] = field(default_factory=list)
    wave: str | None = None
    table_rows: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)
    _table: RawTable | None = field(default=None, repr=False)

    @property
    def errors(self) -> list[Problem]:
        """The problems that stop the import."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """The problems that do not stop the import."""
        return [p for p in self.problems if p.severity != "error"]

    @property
    def ok(self) -> bool:
        """True when nothing stops the import."""
        return not self.errors


def _unique_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with repeated column names numbered ("ps_1 (2)"), as a table display needs."""
    seen: dict[str, int] = {}
    names = []
    for name in frame.columns:
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    out = frame.copy()
    out.columns = names
    return out


def earlier_import(con: duckdb.DuckDBPyConnection, sha256: str) -> tuple | None:
    """The earliest import of a file with this SHA-256: id, when, format, kind, waves, rows."""
    row = con.execute(
        "SELECT import_id, strftime(imported_at, '%Y-%m-%d %H:%M'), format, kind, wave, rows FROM imports "
        "WHERE sha256 = ? ORDER BY import_id LIMIT 1",
        [sha256],
    ).fetchall()
    return (int(row[0][0]), *row[0][1:]) if row else None


def _known(source: Source, sha256: str, previous: tuple) -> Inspection:
    """A file imported before, described from its import record without reading it again."""
    import_id, imported_at, fmt, kind, waves, rows = previous
    return Inspection(
        file_name=source.name,
        format=fmt,
        kind=kind,
        reason=f"The same file was imported on {imported_at} (import {import_id}).",
        rows=int(rows),
        waves=waves.split(", ") if waves else [],
        problems=[],
        preview=pd.DataFrame(),
        sha256=sha256,
        already_imported=True,
        previous_import=import_id,
        previous_imported_at=imported_at,
    )


def recognise(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    kind: str | None,
    mapping: dict | None,
    skip_known: bool = False,
) -> Inspection:
    """Read the file and recognise its format and kind (no validation of the values yet).

    With skip_known, a file whose SHA-256 matches an earlier import is not read at all: it is
    described from that import's record (importing it again adds nothing).
    """
    report = Reporter(source.name)
    sha256 = source.sha256
    previous = earlier_import(con, sha256)
    if previous is not None and skip_known:
        return _known(source, sha256, previous)
    table, problems = read_table(source)
    report.problems.extend(problems)
    inspection = Inspection(
        file_name=source.name,
        format="",
        kind=kind,
        reason="the file cannot be read",
        rows=0,
        waves=[],
        problems=report.problems,
        preview=pd.DataFrame(),
        sha256=sha256,
        already_imported=previous is not None,
        previous_import=previous[0] if previous else None,
        previous_imported_at=previous[1] if previous else None,
    )
    if table is None:
        return inspection
    inspection.preview = _unique_columns(table.frame.head(PREVIEW_ROWS))
    inspection.rows = len(table.frame)
    fmt, format_reason = detect_format(table)
    inspection.format = fmt.name
    table = fmt.to_template(table, mapping, report, **({"con": con} if fmt.uses_db else {}))
    inspection.rows = len(table.frame)  # an export may leave out header, preview or test rows
    inspection.columns = list(table.header)
    inspection._table = table
    if kind is not None:
        if kind not in KINDS:
            report.file(f"'{kind}' is not a kind of file Mutual imports ({', '.join(KINDS)})")
            inspection.kind = None
            return inspection
        kind_reason = "you chose that kind"
    else:
        kind, kind_reason = detect_kind(table.header)
        if kind is None:
            report.file(f"Mutual cannot tell what kind of file this is: {kind_reason}")
    inspection.kind = kind
    where = f" ({', '.join(table.notes)})" if table.notes else ""
    inspection.reason = f"Read as a {fmt.name} file{where} because {format_reason}" + (
        f"; it is {_KIND_PHRASES[kind]} because {kind_reason}." if kind else "."
    )
    return inspection


def check(
    con: duckdb.DuckDBPyConnection, inspection: Inspection, wave: str | None, known: Known
) -> Inspection:
    """Validate a recognised file's values; `known` holds keys of earlier files in the batch."""
    if inspection._table is None or inspection.kind is None:
        return inspection
    report = Reporter(inspection.file_name)
    report.problems = inspection.problems
    wave = wave or getattr(inspection._table, "default_wave", None)  # e.g. a pulse from completion dates
    inspection.wave = wave
    inspection.table_rows = validate(
        con,
        inspection._table,
        inspection.kind,
        report,
        known,
        wave,
        against_db=not inspection.already_imported,
    )
    if "responses" in inspection.table_rows:
        inspection.waves = sorted(inspection.table_rows["responses"]["wave"].dropna().unique().tolist())
    return inspection


def inspect_file(
    con: duckdb.DuckDBPyConnection,
    file: Path | tuple[str, bytes],
    kind: str | None = None,
    wave: str | None = None,
    mapping: dict | None = None,
) -> Inspection:
    """Read, recognise and validate one file without writing to the database."""
    return check(con, recognise(con, open_source(file), kind, mapping), wave, Known())
