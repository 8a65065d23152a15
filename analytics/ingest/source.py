"""Read an uploaded CSV or XLSX file into a table of strings, whatever Excel did to it."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
import zipfile
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

from analytics.errors import Problem

__all__ = ["Source", "RawTable", "open_source", "read_table", "max_file_bytes", "MAX_COLUMNS"]

_DELIMITERS = [",", ";", "\t"]
MAX_FILE_MB = 200  # matches server.maxUploadSize in .streamlit/config.toml
MAX_COLUMNS = 2_000  # far more than any survey export; wider files are refused before pandas sees them
# A worksheet's XML is typically 5-30 times its compressed size; deflate cannot exceed about 1,000.
_MAX_RATIO = 500
_MAX_UNCOMPRESSED_FACTOR = 10
_ENCRYPTED_XLSX = "EncryptionInfo".encode("utf-16-le")
MAX_CELL_CHARS = 32_767  # the most a spreadsheet cell holds
_CELL_PROBLEMS_SHOWN = 10


def max_file_bytes() -> int:
    """The largest file Mutual reads: $MUTUAL_MAX_FILE_MB megabytes (default 200, the upload limit)."""
    try:
        megabytes = float(os.environ.get("MUTUAL_MAX_FILE_MB") or MAX_FILE_MB)
    except ValueError:
        megabytes = MAX_FILE_MB
    return int(megabytes * 1024 * 1024)


@dataclass(frozen=True)
class Source:
    """The bytes of one input file and the name to report it by."""

    name: str
    data: bytes
    size: int | None = None  # set (with empty data) when a file on disk is too large to read

    @property
    def sha256(self) -> str:
        """Hex SHA-256 of the bytes, to recognise a file imported before."""
        return hashlib.sha256(self.data).hexdigest()


@dataclass
class RawTable:
    """A file's first table: header, every data cell as stripped text ("" when empty) indexed by
    the spreadsheet row number, and the whole grid (header included) for formats with other layouts."""

    header: list[str]
    frame: pd.DataFrame
    encoding: str = ""
    delimiter: str = ""
    decimal_comma: bool = False
    notes: list[str] = field(default_factory=list)
    grid: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    file_name: str = ""

    @cached_property
    def rows(self) -> list[list[str]]:
        """Every row of the sheet, header included, as lists of stripped text."""
        return self.grid.to_numpy().tolist()


def open_source(file: Path | str | tuple[str, bytes] | Source) -> Source:
    """The name and bytes of a path, a (name, bytes) pair from an upload, or a Source."""
    if isinstance(file, Source):
        return file
    if isinstance(file, tuple):
        name, data = file
        return Source(str(name), bytes(data))
    path = Path(file)
    size = path.stat().st_size
    if size > max_file_bytes():
        return Source(path.name, b"", size=size)
    return Source(path.name, path.read_bytes())


def _decode(data: bytes) -> tuple[str, str]:
    """Text and encoding: UTF-8 (with or without BOM), UTF-16 (with BOM or plainly so), else cp1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    head = data[:200]
    if len(head) >= 4 and head[1::2].count(0) > len(head) // 3 and not head[0::2].count(0):
        return data.decode("utf-16-le", errors="replace"), "utf-16-le"
    if len(head) >= 4 and head[0::2].count(0) > len(head) // 3 and not head[1::2].count(0):
        return data.decode("utf-16-be", errors="replace"), "utf-16-be"
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


def _check_width(text: str, delimiter: str) -> None:
    """Refuse a file whose first records are wider than MAX_COLUMNS, before parsing all of it."""
    records = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for number, record in enumerate(records, start=1):
            if len(record) > MAX_COLUMNS:
                raise _Unreadable(
                    f"row {number} has {len(record):,} columns; Mutual reads at most {MAX_COLUMNS:,}"
                )
            if number >= 20:
                break
    except csv.Error:
        return  # e.g. a cell beyond csv's field limit: the full reader copes and reports it by row


def _csv_grid(text: str, delimiter: str) -> pd.DataFrame:
    """Every record as a row of text cells; ragged rows (more cells than the first) are padded."""
    try:
        return pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            header=None,
            dtype="str",
            na_filter=False,
            skip_blank_lines=False,
            engine="c",
        )
    except pd.errors.EmptyDataError:  # e.g. nothing but a byte-order mark
        return pd.DataFrame(dtype="str")
    except pd.errors.ParserError:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        width = max((len(r) for r in rows), default=0)
        return pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype="str")


def _read_csv(source: Source) -> tuple[pd.DataFrame, RawTable]:
    text, encoding = _decode(source.data)
    if _looks_binary(text):
        raise _Unreadable("this is not a CSV or XLSX file (it looks like binary data)")
    delimiter = _sniff_delimiter(text)
    _check_width(text, delimiter)
    grid = _csv_grid(text, delimiter)
    return grid, RawTable([], pd.DataFrame(), encoding=encoding, delimiter=delimiter)


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


def _check_inflation(data: bytes) -> None:
    """Refuse a zip whose declared contents inflate far beyond any real workbook (a zip bomb)."""
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise _Unreadable(f"this XLSX workbook cannot be read ({exc.__class__.__name__})") from exc
    total = sum(m.file_size for m in members)
    ratio = max(
        (m.file_size / max(m.compress_size, 1) for m in members if m.file_size > 10_000_000), default=0
    )
    if total > _MAX_UNCOMPRESSED_FACTOR * max_file_bytes() or ratio > _MAX_RATIO:
        raise _Unreadable(
            f"this XLSX workbook would unpack to {total / 1024**2:,.0f} MB, far more than its size "
            "suggests; Mutual does not open it (save the data as CSV if it is genuine)"
        )


def _sheet_rows(sheet: object) -> list[list[str]]:
    rows = []
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        if len(row) > MAX_COLUMNS:
            raise _Unreadable(f"row {number} has {len(row):,} columns; Mutual reads at most {MAX_COLUMNS:,}")
        rows.append([_cell_text(v) for v in row])
    return rows


def _read_xlsx(source: Source) -> tuple[pd.DataFrame, RawTable]:
    from openpyxl import load_workbook

    _check_inflation(source.data)
    # A damaged workbook can fail in the zip, XML or openpyxl layers; all mean the same to the user.
    try:
        book = load_workbook(io.BytesIO(source.data), read_only=True, data_only=True)
        try:
            if not book.worksheets:
                raise _Unreadable("this XLSX workbook has no worksheet")
            sheet = book.worksheets[0]
            rows = _sheet_rows(sheet)
            title = sheet.title
            others = [s.title for s in book.worksheets[1:]]
        finally:
            book.close()
    except _Unreadable:
        raise
    except Exception as exc:
        raise _Unreadable(f"this XLSX workbook cannot be read ({exc.__class__.__name__})") from exc
    if not any(any(cell.strip() for cell in row) for row in rows):
        elsewhere = f"; the workbook's other sheets ({', '.join(others)}) are not read" if others else ""
        raise _Unreadable(f"the first sheet '{title}' is empty: Mutual reads the first sheet{elsewhere}")
    grid = pd.DataFrame(rows, dtype="str")
    return grid, RawTable([], pd.DataFrame(), encoding="xlsx", notes=[f"first sheet '{title}'"])


class _Unreadable(Exception):
    pass


def _cell_problems(grid: pd.DataFrame, header: list[str], file_name: str) -> list[Problem]:
    """Cells no survey export holds: a NUL character (binary data) or more text than a spreadsheet cell."""
    problems = []
    for kind, test in (
        ("nul", lambda column: column.str.contains("\x00", regex=False)),
        ("long", lambda column: column.str.len() > MAX_CELL_CHARS),
    ):
        found = [
            (row, position) for position in range(grid.shape[1]) for row in grid.index[test(grid[position])]
        ]
        for row, position in sorted(found)[:_CELL_PROBLEMS_SHOWN]:
            name = header[position] or f"column {position + 1}"
            if kind == "nul":
                message = "the cell holds a NUL character: the file looks damaged or binary"
            else:
                length = len(grid.iat[row, position])
                message = f"the cell holds {length:,} characters; a spreadsheet cell holds at most {MAX_CELL_CHARS:,}"
            problems.append(Problem(file_name, message, row=int(row) + 1, column=name))
        if len(found) > _CELL_PROBLEMS_SHOWN:
            problems.append(Problem(file_name, f"{len(found) - _CELL_PROBLEMS_SHOWN:,} more such cells"))
    return problems


def _tabulate(grid: pd.DataFrame, table: RawTable, file_name: str) -> tuple[RawTable, list[Problem]]:
    """Header from the first row; trailing empty rows and columns dropped; row numbers kept."""
    grid = grid.fillna("").astype("str")
    grid.columns = range(len(grid.columns))
    grid = grid.apply(lambda column: column.str.strip().str.strip("\ufeff"))  # a BOM mid-file is no data
    filled = grid != ""
    used_rows = filled.any(axis=1).to_numpy().nonzero()[0]
    if len(used_rows) == 0:
        return table, [Problem(file_name, "the file is empty")]
    used_columns = filled.any(axis=0).to_numpy().nonzero()[0]
    grid = grid.iloc[: used_rows[-1] + 1, : used_columns[-1] + 1]
    table.grid = grid
    table.file_name = file_name
    table.decimal_comma = table.delimiter == ";"
    header = grid.iloc[0].tolist()
    problems = [
        Problem(file_name, f"column {i + 1} has data but no header", row=1)
        for i, name in enumerate(header)
        if not name
    ]
    problems += _cell_problems(grid, header, file_name)
    frame = grid.iloc[1:]
    frame = frame[filled.iloc[1 : len(grid), : len(header)].any(axis=1)]
    frame.columns = [name or f"column {i + 1}" for i, name in enumerate(header)]
    frame.index = frame.index + 1  # grid row 1 (0-based) is spreadsheet row 2
    frame.index.name = "row"
    if frame.empty:
        problems.append(Problem(file_name, "the file has a header row but no data rows", row=1))
    table.header = list(frame.columns)
    table.frame = frame
    return table, problems


def read_table(source: Source) -> tuple[RawTable | None, list[Problem]]:
    """The file's first table as text, or None and the reason it cannot be read."""
    data = source.data
    size = source.size if source.size is not None else len(data)
    if size > max_file_bytes():
        limit = max_file_bytes() / 1024**2
        return None, [
            Problem(
                source.name, f"the file is {size / 1024**2:,.1f} MB; Mutual reads files up to {limit:,.4g} MB"
            )
        ]
    if not data.strip():
        return None, [Problem(source.name, "the file is empty")]
    try:
        if data.startswith(b"PK\x03\x04"):
            grid, table = _read_xlsx(source)
        elif data.startswith(b"\xd0\xcf\x11\xe0"):
            if _ENCRYPTED_XLSX in data:
                raise _Unreadable(
                    "this workbook is password-protected: remove the password in Excel and try again"
                )
            raise _Unreadable(
                "this is an old Excel .xls workbook or a password-protected workbook: "
                "save it without a password as .xlsx or CSV and try again"
            )
        else:
            grid, table = _read_csv(source)
    except _Unreadable as exc:
        return None, [Problem(source.name, str(exc))]
    except csv.Error as exc:
        return None, [Problem(source.name, f"this CSV file cannot be read ({exc})")]
    table, problems = _tabulate(grid, table, source.name)
    if any(p.severity == "error" for p in problems) and table.frame.empty:
        return None, problems
    return table, problems
