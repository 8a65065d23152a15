"""Read an uploaded CSV or XLSX file into a table of strings, whatever Excel did to it."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analytics.errors import Problem

__all__ = ["Source", "RawTable", "open_source", "read_table"]

_DELIMITERS = [",", ";", "\t"]


@dataclass(frozen=True)
class Source:
    """The bytes of one input file and the name to report it by."""

    name: str
    data: bytes

    @property
    def sha256(self) -> str:
        """Hex SHA-256 of the bytes, to recognise a file imported before."""
        return hashlib.sha256(self.data).hexdigest()


@dataclass
class RawTable:
    """A file's first table: header, every data cell as stripped text ("" when empty) indexed by
    the spreadsheet row number, and the raw rows (header included) for formats with other layouts."""

    header: list[str]
    frame: pd.DataFrame
    encoding: str = ""
    delimiter: str = ""
    decimal_comma: bool = False
    notes: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list, repr=False)
    file_name: str = ""


def open_source(file: Path | str | tuple[str, bytes] | Source) -> Source:
    """The name and bytes of a path, a (name, bytes) pair from an upload, or a Source."""
    if isinstance(file, Source):
        return file
    if isinstance(file, tuple):
        name, data = file
        return Source(str(name), bytes(data))
    path = Path(file)
    return Source(path.name, path.read_bytes())


def _decode(data: bytes) -> tuple[str, str]:
    """Text and encoding name: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n")
    return "\x00" in sample or controls > len(sample) * 0.05


def _sniff_delimiter(text: str) -> str:
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    sample = "\n".join(lines)
    try:
        return csv.Sniffer().sniff(sample, delimiters="".join(_DELIMITERS)).delimiter
    except csv.Error:
        header = lines[0] if lines else ""
        return max(_DELIMITERS, key=header.count)


def _read_csv(source: Source) -> tuple[list[list[str]], RawTable]:
    text, encoding = _decode(source.data)
    if _looks_binary(text):
        raise _Unreadable("this is not a CSV or XLSX file (it looks like binary data)")
    delimiter = _sniff_delimiter(text)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    return rows, RawTable([], pd.DataFrame(), encoding=encoding, delimiter=delimiter)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_xlsx(source: Source) -> tuple[list[list[str]], RawTable]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(source.data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise _Unreadable(f"this XLSX workbook cannot be read ({exc.__class__.__name__})") from exc
    try:
        sheet = book.worksheets[0]
        rows = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        title = sheet.title
    finally:
        book.close()
    return rows, RawTable([], pd.DataFrame(), encoding="xlsx", notes=[f"first sheet '{title}'"])


class _Unreadable(Exception):
    pass


def _tabulate(rows: list[list[str]], table: RawTable, file_name: str) -> tuple[RawTable, list[Problem]]:
    """Header from the first row; trailing empty rows and columns dropped; row numbers kept."""
    rows = [[cell.strip() for cell in row] for row in rows]
    while rows and not any(rows[-1]):
        rows.pop()
    if not rows:
        return table, [Problem(file_name, "the file is empty")]
    header = rows[0]
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    used = [i for i in range(width) if any(r[i] for r in rows)] if width else []
    keep = list(range(max(used) + 1)) if used else []
    problems = []
    body = [[r[i] for i in keep] for r in rows[1:]]
    header = [header[i] if i < len(header) else "" for i in keep]
    for i, name in enumerate(header):
        if not name:
            problems.append(Problem(file_name, f"column {i + 1} has data but no header", row=1))
    frame = pd.DataFrame(body, columns=[h or f"column {i + 1}" for i, h in enumerate(header)], dtype="str")
    frame.index = pd.RangeIndex(2, len(body) + 2, name="row")
    blank = (frame == "").all(axis=1) if len(frame.columns) else pd.Series(True, index=frame.index)
    frame = frame[~blank]
    if frame.empty:
        problems.append(Problem(file_name, "the file has a header row but no data rows", row=1))
    table.header = list(frame.columns)
    table.frame = frame
    table.rows = rows
    table.file_name = file_name
    table.decimal_comma = table.delimiter == ";"
    return table, problems


def read_table(source: Source) -> tuple[RawTable | None, list[Problem]]:
    """The file's first table as text, or None and the reason it cannot be read."""
    data = source.data
    if not data.strip():
        return None, [Problem(source.name, "the file is empty")]
    try:
        if data.startswith(b"PK\x03\x04"):
            rows, table = _read_xlsx(source)
        elif data.startswith(b"\xd0\xcf\x11\xe0"):
            raise _Unreadable("this is an old Excel .xls workbook: save it as .xlsx or CSV and try again")
        else:
            rows, table = _read_csv(source)
    except _Unreadable as exc:
        return None, [Problem(source.name, str(exc))]
    except csv.Error as exc:
        return None, [Problem(source.name, f"this CSV file cannot be read ({exc})")]
    table, problems = _tabulate(rows, table, source.name)
    if any(p.severity == "error" for p in problems) and table.frame.empty:
        return None, problems
    return table, problems
