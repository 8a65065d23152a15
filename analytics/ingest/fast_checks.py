"""Whether a survey file may take the fast import: its bytes, its header, then every cell in SQL.

`plain_csv` and `template_header` look at the file's bytes; `clean` runs, in one statement over
the temporary table ROWS that `fast.screen` reads the file into, every check the ordinary path
(pandas reader, `validate_survey`) would make, so a file passes only when that path would accept
it without a single error or warning and store exactly the same rows.
"""

from __future__ import annotations

import re
from datetime import datetime

import duckdb
import numpy as np
import pandas as pd

from analytics.ingest import source as source_module
from analytics.ingest.convert import today
from analytics.ingest.kinds import COLUMNS, detect_kind
from analytics.ingest.survey import COMMENT_PREFIX
from analytics.instruments import ITEMS

__all__ = [
    "ROWS",
    "WAVE",
    "quote",
    "template_header",
    "quote_touches_blank",
    "plain_csv",
    "ends_bad",
    "ends_printable",
    "item_ok",
    "clean",
]

ROWS = "_mutual_fast_rows"  # the temporary table of the file's cells
_HEADER = re.compile(rb"[a-z][a-z0-9_]*(?:,[a-z][a-z0-9_]*)*\r?")
# Code points of every character Python's str.strip() removes (all below U+3001), and of the
# byte-order mark the reader strips: a cell starting or ending with one (or with any control
# character) is left to the ordinary path.
_SPACES = ", ".join(str(c) for c in [*(c for c in range(33, 0x3001) if chr(c).isspace()), 0xFEFF])
WAVE = re.compile(r"[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?")
# Timestamps that pandas (ISO8601) and DuckDB read identically: YYYY-MM-DD[ HH:MM[:SS]].
_STAMP = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[ T](?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9])?)?$"
_QUOTE_PADDING = re.compile(rb'(?:^|[,\r\n])[ \t]+"|"[ \t]+(?:$|[,\r\n])')
_MAX_CELL_BYTES = source_module.MAX_CELL_CHARS  # bytes >= characters, so no longer cell passes


def quote(name: str) -> str:
    """A column name as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def template_header(data: bytes) -> list[str] | None:
    """The template survey columns of the first line, or None when it is anything else."""
    end = data.find(b"\n")
    line = data[: end if end >= 0 else len(data)]
    if not _HEADER.fullmatch(line):
        return None
    header = line.rstrip(b"\r").decode("ascii").split(",")
    known = set(COLUMNS["survey"])
    if len(set(header)) != len(header) or "response_id" not in header:
        return None
    for name in header:
        if name not in known and not (name.startswith(COMMENT_PREFIX) and name != COMMENT_PREFIX):
            return None
    if not any(name in ITEMS for name in header):
        return None
    if detect_kind(header)[0] != "survey":
        return None
    return header


def quote_touches_blank(data: bytes) -> bool:
    """Whether a space or tab stands right before or after a double quote (vectorised byte scan)."""
    if b'"' not in data:
        return False
    raw = np.frombuffer(data, dtype=np.uint8)
    at = np.flatnonzero(raw == ord('"'))
    near = np.concatenate((raw[at[at > 0] - 1], raw[at[at < len(raw) - 1] + 1]))
    return bool(((near == ord(" ")) | (near == ord("\t"))).any())


def plain_csv(data: bytes) -> bool:
    """UTF-8 comma-separated text that the ordinary reader would sniff and decode the same way."""
    if b"\x00" in data or (b"\r" in data and data.count(b"\r") != data.count(b"\r\n")):
        return False
    if quote_touches_blank(data) and _QUOTE_PADDING.search(data):
        return False  # ' "text"': pandas keeps the quotes, DuckDB drops them
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    head = text[:65_536]
    if len(head) < len(text) and len(head.splitlines()) <= 21:
        return False
    return not source_module._looks_binary(text) and source_module._sniff_delimiter(head) == ","


def ends_bad(name: str) -> str:
    """SQL true when a cell starts or ends with white space or a control character (str.strip() would change it)."""
    ends = (f"unicode({quote(name)})", f"unicode(right({quote(name)}, 1))")
    return " OR ".join(f"{end} <= 32 OR {end} IN ({_SPACES})" for end in ends)


def ends_printable(name: str) -> str:
    """SQL true when every cell of the column starts and ends with a printable ASCII character.

    Strings compare bytewise: min(x) >= '!' and max(x) < chr(127) hold exactly when every first
    byte lies in 0x21-0x7E, and likewise for the last character (`substring(x, -1)`). Then no cell
    can start or end with one of _SPACES (all outside ASCII) or a control character, and the exact
    (slower) `ends_bad` need not run. NULL (no filled cell) counts as true.
    """
    cell, last = quote(name), f"substring({quote(name)}, -1)"
    return (
        f"coalesce(min({cell}) >= '!' AND max({cell}) < chr(127) "
        f"AND min({last}) >= '!' AND max({last}) < chr(127), true)"
    )


def item_ok(name: str) -> tuple[str, list]:
    """SQL true when a cell is a whole number of the item's scale written plainly ("05", "4.0", " 4" and
    labels are left to pandas): one byte between the lowest and highest single digit, or one of the
    longer numbers ("10"); NULL for an empty cell."""
    spec = ITEMS[name]
    allowed = [str(v) for v in range(int(spec.scale_min), int(spec.scale_max) + 1)]
    digits = [v for v in allowed if len(v) == 1]  # consecutive digits, so a byte range
    longer = [v for v in allowed if len(v) > 1]
    parts, params = [], []
    if digits:
        parts.append(f"(strlen({quote(name)}) = 1 AND {quote(name)} BETWEEN ? AND ?)")
        params += [digits[0], digits[-1]]
    if longer:
        parts.append(f"{quote(name)} IN ({', '.join('?' for _ in longer)})")
        params += longer
    return " OR ".join(parts) or "false", params


def _own_checks(header: list[str]) -> tuple[str, list[str]]:
    """The file's own checks over ROWS: rows, distinct ids, whether each column in the second list
    has printable ASCII ends (`ends_printable`), then flags true when some row fails."""
    texts = [c for c in header if c not in ITEMS]
    # a wave must match WAVE and a timestamp _STAMP (see _dates), which no padded cell does
    padded = [c for c in texts if c not in ("wave", "submitted_at")]
    lengths = [f"max(strlen({quote(name)}))" for name in texts if name != "submitted_at"]
    checks = [
        "count(*)",
        "count(DISTINCT response_id)",
        f"[{', '.join(ends_printable(name) for name in padded)}]::BOOLEAN[]",
        "count_if(response_id IS NULL) > 0",
        f"coalesce(greatest({', '.join(lengths)}) > {_MAX_CELL_BYTES}, false)",
    ]
    return f"(SELECT {', '.join(checks)} FROM {ROWS})", padded


def _item_checks(header: list[str]) -> tuple[str, list]:
    """A flag over ROWS: some item cell is not a plain whole number of its scale."""
    conditions, params = [], []
    for name in (c for c in header if c in ITEMS):
        ok, ok_params = item_ok(name)
        conditions.append(f"NOT ({ok})")
        params += ok_params
    return f"(SELECT count(*) > 0 FROM {ROWS} WHERE {' OR '.join(conditions) or 'false'})", params


def _dates(header: list[str]) -> tuple[str, list]:
    """Each file wave (NULL for none) with its earliest submitted_at as a list, then flags: a
    timestamp not in _STAMP's form, one DuckDB cannot read, one after today."""
    if "submitted_at" not in header:
        stamps = "NULL::VARCHAR AS submitted_at, NULL::TIMESTAMP AS ts"
    else:
        stamps = "submitted_at, TRY_CAST(submitted_at AS TIMESTAMP) AS ts"
    file_wave = "wave" if "wave" in header else "NULL::VARCHAR AS wave"
    by_wave = f"""SELECT wave, min(ts) AS first, max(ts) AS last,
               count_if(NOT regexp_matches(submitted_at, ?)) > 0 AS unusual,
               count_if(ts IS NULL AND submitted_at IS NOT NULL) > 0 AS unread
        FROM (SELECT {file_wave}, {stamps} FROM {ROWS}) GROUP BY wave"""
    tomorrow = (today() + pd.Timedelta(days=1)).to_pydatetime()
    return (
        f"""(SELECT list(struct_pack(wave := wave, first := first)), bool_or(unusual), bool_or(unread),
                    coalesce(max(last) >= ?, false) FROM ({by_wave}))""",
        [tomorrow, _STAMP],
    )


def clean(
    con: duckdb.DuckDBPyConnection, header: list[str], given: str | None
) -> tuple[int, list[tuple[str | None, datetime | None]]] | None:
    """Row count and each distinct file wave with its earliest submitted_at, when no row would raise a
    problem, else None.

    One statement gathers every check, so DuckDB runs its parts (the file's own checks, the items,
    the dates, the joins with employees and with stored responses) side by side on its threads:
    each scan of the one-row-group temporary table runs on one thread.
    """
    own, padded = _own_checks(header)
    items, item_params = _item_checks(header)
    dates, date_params = _dates(header)
    parts = [dates, own, items, f"(SELECT count(*) > 0 FROM {ROWS} SEMI JOIN responses USING (response_id))"]
    if "employee_id" in header:
        joined = ["count_if(e.employee_id IS NULL AND r.employee_id IS NOT NULL) > 0"]
        if "submitted_at" in header:
            joined.append("count_if(CAST(TRY_CAST(r.submitted_at AS TIMESTAMP) AS DATE) < e.hire_date) > 0")
        parts.append(f"(SELECT {', '.join(joined)} FROM {ROWS} r LEFT JOIN employees e USING (employee_id))")
    found = con.execute(f"SELECT * FROM {', '.join(parts)}", [*date_params, *item_params]).fetchone()
    waves, unusual, unread, future, rows, distinct, printable, *flags = found
    if rows == 0 or distinct != rows or unusual or unread or future or any(flags):
        return None
    unsure = [name for name, ok in zip(padded, printable, strict=True) if not ok]
    if unsure:  # some cell starts or ends with something else: the exact check decides
        exact = [f"count_if({ends_bad(name)})" for name in unsure]
        if any(con.execute(f"SELECT {', '.join(exact)} FROM {ROWS}").fetchone()):
            return None
    found_waves = [(w["wave"], w["first"]) for w in waves]
    for value, _ in found_waves:
        if value is None:
            if not given:
                return None
        elif not WAVE.fullmatch(value) or (given and value != given):
            return None
    return rows, found_waves
