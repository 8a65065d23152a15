"""Privacy rules: minimum group sizes, suppression and redaction (DESIGN.md section 5)."""

from __future__ import annotations

import os
import re

import numpy as np
import pandas as pd

__all__ = [
    "suppress",
    "suppress_groups",
    "SUPPRESSED_NOTE",
    "min_group",
    "min_group_comments",
    "redact",
    "REDACTED_EMAIL",
    "REDACTED_PHONE",
    "REDACTED_URL",
]

REDACTED_EMAIL = "[email removed]"
REDACTED_PHONE = "[phone removed]"
REDACTED_URL = "[link removed]"


def _threshold(variable: str, default: int) -> int:
    raw = os.environ.get(variable, "")
    try:
        value = int(raw)
    except ValueError:
        return default
    return max(value, 1)


def min_group() -> int:
    """Minimum number of distinct respondents behind any statistic ($MUTUAL_MIN_GROUP, default 5)."""
    return _threshold("MUTUAL_MIN_GROUP", 5)


def min_group_comments() -> int:
    """Minimum group size for showing free text ($MUTUAL_MIN_GROUP_COMMENTS, default 10)."""
    return _threshold("MUTUAL_MIN_GROUP_COMMENTS", 10)


_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
# International or national numbers: +44 20 7946 0958, (555) 123-4567, 07700 900123, 555.123.4567
_PHONE = re.compile(
    r"(?<![\w@])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,5}\)[\s.-]?)?\d{1,5}(?:[\s.-]?\d{2,5}){1,5}(?![\w@])"
)


def _phone(match: re.Match) -> str:
    found = match.group(0)
    if re.fullmatch(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{4}", found):
        return found  # a date, not a phone number
    if re.fullmatch(r"(?:19|20)\d\d\s?[-/]\s?(?:19|20)\d\d", found):
        return found  # a range of years
    digits = re.sub(r"\D", "", found)
    if found.isdigit() and len(digits) < 10:
        return found  # an unbroken short number reads as an id or an amount, not a phone number
    return REDACTED_PHONE if 7 <= len(digits) <= 15 else found


def redact(text: str) -> str:
    """Replace e-mail addresses, URLs and phone numbers in free text by a marker."""
    text = _EMAIL.sub(REDACTED_EMAIL, text)
    text = _URL.sub(REDACTED_URL, text)
    return _PHONE.sub(_phone, text)


def SUPPRESSED_NOTE(k: int) -> str:  # noqa: N802 - reads as a constant at call sites
    """The text shown in place of a suppressed figure."""
    return f"fewer than {k} responses"


def _partitions(frame: pd.DataFrame, within: list[str] | None) -> list[np.ndarray]:
    """Positions of the rows in each partition of `within` (all rows when there is none)."""
    if not within or frame.empty:
        return [np.arange(len(frame))]
    return list(frame.groupby(within, sort=False, dropna=False).indices.values())


def _protect(n: np.ndarray, hidden: np.ndarray, partitions: list[np.ndarray], k: int) -> np.ndarray:
    """Secondary suppression: hide the next-smallest groups until the hidden ones are safe together."""
    hidden = hidden.copy()
    for positions in partitions:
        order = positions[np.argsort(n[positions], kind="stable")]
        if not hidden[order].any() or hidden[order].all():
            continue
        for position in order:
            if hidden[position]:
                continue
            already = order[hidden[order]]
            if len(already) >= 2 and n[already].sum() >= k:
                break
            hidden[position] = True
    return hidden


def _blank(frame: pd.DataFrame, hidden: np.ndarray, value_columns: list[str]) -> pd.DataFrame:
    out = frame.copy()
    out["suppressed"] = hidden
    visible = ~out["suppressed"]
    for column in value_columns:
        if pd.api.types.is_numeric_dtype(out[column]) and not pd.api.types.is_bool_dtype(out[column]):
            out[column] = out[column].astype("float64").where(visible)  # NaN
        else:
            out[column] = out[column].astype("object").where(visible, None)
    return out


def _k(min_group: int | None) -> int:
    return min_group if min_group is not None else globals()["min_group"]()


def suppress(
    frame: pd.DataFrame,
    value_columns: list[str],
    min_group: int | None = None,
    within: list[str] | None = None,
    n_column: str = "n",
) -> pd.DataFrame:
    """Blank the statistics of groups with n below the threshold, and guard against subtraction.

    Adds a boolean `suppressed` column. Groups are compared within each partition of `within`
    (e.g. per wave: one breakdown per wave). When a partition has suppressed groups whose combined n
    is still under the threshold, or exactly one suppressed group, the next-smallest groups are
    suppressed as well, so a visible total minus the visible groups cannot reveal a small group.
    Rows are kept (marked), never dropped silently.
    """
    k = _k(min_group)
    n = frame[n_column].fillna(0).to_numpy(dtype="float64")
    hidden = _protect(n, n < k, _partitions(frame, within), k)
    return _blank(frame, hidden, value_columns)


def suppress_groups(
    frame: pd.DataFrame,
    value_columns: list[str],
    attributes: list[str],
    within: list[str] | None = None,
    min_group: int | None = None,
    n_column: str = "n",
) -> pd.DataFrame:
    """suppress() for a cross-breakdown: every attribute's groups are protected within the others.

    With one attribute this is suppress(within=within). With several (e.g. department x role per
    wave), each attribute's row of cells is protected within every combination of the other
    attributes and `within`, repeated until nothing more needs hiding, so no margin total minus
    visible cells reveals a small cell.
    """
    k = _k(min_group)
    within = list(within or [])
    n = frame[n_column].fillna(0).to_numpy(dtype="float64")
    hidden = n < k
    layouts = [
        _partitions(frame, within + [a for a in attributes if a != attribute]) for attribute in attributes
    ]
    if not layouts:
        layouts = [_partitions(frame, within)]
    while True:
        before = hidden.copy()
        for partitions in layouts:
            hidden = _protect(n, hidden, partitions, k)
        if (hidden == before).all():
            break
    return _blank(frame, hidden, value_columns)
