"""Downloads a spreadsheet cannot turn into code: formula-looking cells become plain text."""

from __future__ import annotations

import csv
import io
import re

import pandas as pd

__all__ = [
    "FORMULA_STARTS",
    "neutralise_cell",
    "neutralise_formulas",
    "neutralise_csv",
    "safe_csv",
    "safe_xlsx",
]

# A spreadsheet treats a cell starting with any of these as a formula (tab and CR start DDE payloads).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A plain signed number such as -1 or +2.5 is data, and a spreadsheet reads it as a number.
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def neutralise_cell(value: object) -> object:
    """A text cell that starts like a formula gets a leading apostrophe; anything else is returned as is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def _neutralise_text(values: pd.Series) -> pd.Series:
    text = values.astype("str")
    risky = values.notna() & text.str.startswith(FORMULA_STARTS) & ~text.str.fullmatch(_NUMBER.pattern)
    return values.where(~risky, "'" + text)


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of the frame whose text cells and column names cannot be read as spreadsheet formulas.

    Numbers stay numbers (a negative number is data, not a formula); every text or mixed column is
    checked, whatever its dtype.
    """
    out = frame.copy()
    for position in range(out.shape[1]):
        column = out.iloc[:, position]
        if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_datetime64_any_dtype(column):
            continue
        if pd.api.types.is_bool_dtype(column):
            continue
        out.isetitem(
            position, _neutralise_text(column.astype("object")).astype(column.dtype, errors="ignore")
        )
    out.columns = [neutralise_cell(c) for c in out.columns]
    if out.index.dtype == object or pd.api.types.is_string_dtype(out.index):
        out.index = pd.Index([neutralise_cell(v) for v in out.index], name=neutralise_cell(out.index.name))
    return out


def neutralise_csv(data: bytes) -> bytes:
    """CSV bytes (UTF-8) with every formula-looking cell neutralised, written with CRLF line endings."""
    text = data.decode("utf-8-sig")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # a CR inside a cell is quoted only with CRLF
    for record in csv.reader(io.StringIO(text, newline="")):
        writer.writerow([neutralise_cell(cell) for cell in record])
    return out.getvalue().encode("utf-8")


def safe_csv(frame: pd.DataFrame, index: bool = False) -> bytes:
    """The frame as UTF-8 CSV (with BOM, so Excel reads the encoding) after neutralising formulas."""
    # CRLF: Python's csv quotes a cell holding a bare CR only when CR is part of the line ending.
    return neutralise_formulas(frame).to_csv(index=index, lineterminator="\r\n").encode("utf-8-sig")


def safe_xlsx(frame: pd.DataFrame, sheet_name: str = "data", index: bool = False) -> bytes:
    """The frame as an XLSX workbook after neutralising formulas (every text cell is stored as text)."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        neutralise_formulas(frame).to_excel(writer, sheet_name=sheet_name, index=index)
    return buffer.getvalue()
