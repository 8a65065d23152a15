"""Raw cells of an export (header rows included) and dates in any locale or as Excel serial numbers."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

import pandas as pd

from analytics.errors import MutualError
from analytics.ingest.source import RawTable, open_source, read_table

__all__ = ["Grid", "grid_of", "read_grid", "parse_datetimes"]


@dataclass
class Grid:
    """Every cell of a file's first sheet as text (header rows included), with how it was read."""

    file: str
    rows: list[list[str]]
    encoding: str = ""
    delimiter: str = ""


def _trim(rows: list[list[str]]) -> list[list[str]]:
    """Drop trailing blank rows and the empty trailing columns a trailing delimiter leaves behind."""
    rows = [[c.strip() if isinstance(c, str) else "" for c in r] for r in rows]
    while rows and not any(rows[-1]):
        rows.pop()
    if not rows:
        return rows
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    while width > 1 and all(not r[width - 1] for r in rows):
        width -= 1
    return [r[:width] for r in rows]


def grid_of(table: RawTable) -> Grid:
    """The raw rows of a table read by the template reader (encoding and delimiter already sniffed)."""
    return Grid(table.file_name, _trim(table.rows), table.encoding, table.delimiter)


def read_grid(path: str | os.PathLike | tuple[str, bytes]) -> Grid:
    """Read a CSV/TSV/XLSX export into rows of text cells, header rows included."""
    table, problems = read_table(open_source(path))
    if table is None:
        raise MutualError("The file cannot be read", problems)
    return grid_of(table)


_DATE = re.compile(
    r"^(?P<a>\d{1,4})[/.\-](?P<b>\d{1,2})[/.\-](?P<c>\d{1,4})"
    r"(?:[ T,]+(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?(?:[.,]\d+)?\s*(?P<ampm>[AaPp]\.?[Mm]\.?)?)?"
)
_SERIAL = re.compile(r"^\d{5}(?:[.,]\d+)?$")
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")


def _worded_dates(text: pd.Series, dayfirst: bool) -> pd.Series:
    """Dates with month names, parsed one by one (they are rare); NaT where they do not parse."""

    def one(value: str) -> pd.Timestamp:
        try:
            stamp = pd.Timestamp(pd.to_datetime(value, dayfirst=dayfirst))
        except (ValueError, OverflowError, TypeError):
            return pd.NaT
        return stamp.tz_localize(None) if stamp.tzinfo is not None else stamp

    return text.map(one).astype("datetime64[ns]")


def parse_datetimes(values: pd.Series, dayfirst: bool | None = None) -> tuple[pd.Series, list[int]]:
    """ISO timestamps ('YYYY-MM-DD HH:MM:SS') from dates in any common locale or Excel serial numbers.

    Day and month order is decided for the whole column: a first part above 12 means day first, a
    second part above 12 means month first, dotted dates are day first, otherwise `dayfirst` (default
    month first, as US exports write). Returns the parsed column and the positions that did not parse.
    """
    if values.empty:  # e.g. an export cut off after its header rows
        return pd.Series([], index=values.index, dtype="object"), []
    text = values.fillna("").astype("string").str.strip()
    parts = text.str.extract(_DATE)
    numbers = parts[["a", "b", "c", "h", "m", "s"]].apply(pd.to_numeric, errors="coerce")
    iso = numbers["a"] > 31
    short = ~iso & numbers["a"].notna()
    if dayfirst is None:
        if (numbers.loc[short, "a"] > 12).any():
            dayfirst = True
        elif (numbers.loc[short, "b"] > 12).any():
            dayfirst = False
        else:
            dayfirst = bool(text[short].str.contains(r"^\d{1,2}\.", regex=True).any())
    year = numbers["a"].where(iso, numbers["c"])
    year = year.where(year >= 100, year + 2000)
    first, second = (numbers["b"], numbers["a"]) if dayfirst else (numbers["a"], numbers["b"])
    month = numbers["b"].where(iso, first)
    day = numbers["c"].where(iso, second)
    hour = numbers["h"].fillna(0)
    ampm = parts["ampm"].str.lower().str[0].fillna("")
    hour = hour.where(~((ampm == "p") & (hour < 12)), hour + 12).where(~((ampm == "a") & (hour == 12)), 0)
    stamps = pd.to_datetime(
        pd.DataFrame(
            {
                "year": year.fillna(1),
                "month": month.fillna(0),  # month 0 is invalid: an unparsed cell becomes NaT
                "day": day.fillna(1),
                "hour": hour,
                "minute": numbers["m"].fillna(0),
                "second": numbers["s"].fillna(0),
            }
        ),
        errors="coerce",
    )
    serial = text.str.fullmatch(_SERIAL.pattern)
    if serial.any():
        days = pd.to_numeric(text[serial].str.replace(",", ".", regex=False), errors="coerce")
        stamps = stamps.astype("datetime64[ns]")
        stamps[serial] = (_EXCEL_EPOCH + pd.to_timedelta(days, unit="D")).dt.round("s")
    words = (text != "") & stamps.isna() & ~serial  # e.g. "14 May 2026 09:30", "May 14, 2026"
    if words.any():
        stamps = stamps.astype("datetime64[ns]")
        stamps[words] = _worded_dates(text[words], dayfirst)
    out = stamps.dt.strftime("%Y-%m-%d %H:%M:%S").astype("object")
    out = out.where(stamps.notna(), None)
    failed = [i for i, (raw, ok) in enumerate(zip(text, stamps.notna(), strict=True)) if raw and not ok]
    return pd.Series(out, index=values.index, dtype="object"), failed
