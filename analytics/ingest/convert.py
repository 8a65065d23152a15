"""Vectorised conversion of text columns to dates and numbers, reporting the rows that fail."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from analytics.errors import Problem

__all__ = ["MAX_PER_CHECK", "Reporter", "parse_dates", "parse_numbers", "today"]

# More than this many rows failing one check are summarised in one extra problem.
MAX_PER_CHECK = 50

_ISO = r"^\d{4}-\d{1,2}-\d{1,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
_YEAR_FIRST = r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})"
# 14-Mar-2025, 14 March 2025, Mar 14, 2025 (a day, a month name and a year; optional time after)
_MONTH_NAME = r"^(?:\d{1,2}[ ./-]*[A-Za-z]{3,9}\.?[ ./-]*\d{2,4}|[A-Za-z]{3,9}\.?[ ./-]*\d{1,2}(?:st|nd|rd|th)?,?[ ./-]*\d{4})\b"
_TZ = r"(\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(?:Z|[+-]\d{2}:?\d{2})$"  # an offset after a time
_SLASHED = (
    r"^(?P<a>\d{1,2})[/.-](?P<b>\d{1,2})[/.-](?P<year>\d{4})"
    r"(?:[ T](?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?)?$"
)
_SERIAL = r"^\d{1,5}(?:[.,]\d+)?$"
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")


def today() -> pd.Timestamp:
    """Midnight today, local time: dates after it are in the future."""
    return pd.Timestamp.today().normalize()


class Reporter:
    """Collects problems for one file, at most MAX_PER_CHECK rows per check."""

    def __init__(self, file_name: str):
        self.file_name = file_name
        self.problems: list[Problem] = []

    def file(self, message: str, column: str | None = None, severity: str = "error") -> None:
        """A problem with the file as a whole (or a whole column)."""
        self.problems.append(
            Problem(self.file_name, message, row=1 if column else None, column=column, severity=severity)
        )

    def rows(
        self,
        mask: pd.Series,
        column: str | None,
        message: Callable[[int], str] | str,
        severity: str = "error",
    ) -> None:
        """One problem per row where mask is True; message may be a function of the row number."""
        bad = mask[mask.fillna(False).astype(bool)].index
        if len(bad) == 0:
            return
        for row in bad[:MAX_PER_CHECK]:
            text = message(row) if callable(message) else message
            self.problems.append(
                Problem(self.file_name, text, row=int(row), column=column, severity=severity)
            )
        if len(bad) > MAX_PER_CHECK:
            extra = len(bad) - MAX_PER_CHECK
            text = message(bad[MAX_PER_CHECK]) if callable(message) else message
            self.problems.append(
                Problem(
                    self.file_name,
                    f"{extra:,} more rows with the same problem as row {int(bad[MAX_PER_CHECK - 1])} ({text})",
                    column=column,
                    severity=severity,
                )
            )


def _serial_dates(text: pd.Series) -> pd.Series:
    days = pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce")
    days = days.where((days >= 10_000) & (days < 100_000))  # 1927-05-18 .. 2173: not a bare year
    return _EXCEL_EPOCH + pd.to_timedelta(days, unit="D")


def _slashed_dates(text: pd.Series, column: str, report: Reporter) -> pd.Series:
    parts = text.str.extract(_SLASHED)
    a = pd.to_numeric(parts["a"])
    b = pd.to_numeric(parts["b"])
    day_first = not ((b > 12).any() and not (a > 12).any())
    if day_first and (a <= 12).all() and (b <= 12).all() and len(a):
        report.file(
            "dates such as " + text.iloc[0] + " are read as day/month/year", column=column, severity="warning"
        )
    day, month = (a, b) if day_first else (b, a)
    fields = pd.DataFrame(
        {
            "year": pd.to_numeric(parts["year"]),
            "month": month,
            "day": day,
            "hour": pd.to_numeric(parts["hour"]).fillna(0),
            "minute": pd.to_numeric(parts["minute"]).fillna(0),
            "second": pd.to_numeric(parts["second"]).fillna(0),
        }
    )
    return pd.to_datetime(fields, errors="coerce")


def parse_dates(values: pd.Series, column: str, report: Reporter, required: bool = False) -> pd.Series:
    """Dates (datetime64) from ISO text, dd/mm/yyyy, mm/dd/yyyy when unambiguous, Excel serial numbers,
    or month names (14-Mar-2025).

    Unparseable cells are reported as errors and become NaT; so do empty cells when required.
    """
    text = values.fillna("").astype("str").str.strip()
    text = text.str.replace(_TZ, r"\1", regex=True).str.replace(_YEAR_FIRST, r"\1-\2-\3", regex=True)
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
    empty = text == ""
    iso = text.str.match(_ISO)
    if iso.any():
        out[iso] = pd.to_datetime(text[iso], format="ISO8601", errors="coerce").astype("datetime64[us]")
    slashed = ~iso & text.str.match(_SLASHED)
    if slashed.any():
        out[slashed] = _slashed_dates(text[slashed], column, report).astype("datetime64[us]")
    serial = ~iso & ~slashed & text.str.match(_SERIAL)
    if serial.any():
        out[serial] = _serial_dates(text[serial]).astype("datetime64[us]")
    named = out.isna() & text.str.contains(_MONTH_NAME)  # e.g. 14-Mar-2025, as Excel may save dates
    if named.any():
        out[named] = pd.to_datetime(text[named], format="mixed", dayfirst=True, errors="coerce").astype(
            "datetime64[us]"
        )
    bad = ~empty & out.isna()
    report.rows(bad, column, lambda row: f"'{text[row]}' is not a date (use YYYY-MM-DD)")
    if required:
        report.rows(empty, column, f"{column} is required")
    return out


def parse_numbers(
    values: pd.Series,
    column: str,
    report: Reporter,
    decimal_comma: bool = False,
    required: bool = False,
) -> pd.Series:
    """Numbers (float64) from text; a decimal comma is accepted when the file uses ';' delimiters."""
    text = values.fillna("").astype("str").str.strip()
    text = text.str.replace("\u2212", "-", regex=False).str.replace(r"^\+", "", regex=True)
    if decimal_comma:
        text = text.str.replace(",", ".", regex=False)
    numbers = pd.to_numeric(text.where(text != ""), errors="coerce").astype("float64")
    numbers = numbers.where(np.isfinite(numbers))
    empty = text == ""
    report.rows(~empty & numbers.isna(), column, lambda row: f"'{values[row]}' is not a number")
    if required:
        report.rows(empty, column, f"{column} is required")
    return numbers
