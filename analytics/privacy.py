"""Privacy rules: minimum group sizes, suppression and redaction (DESIGN.md section 5)."""

from __future__ import annotations

import os
import re

import pandas as pd

__all__ = [
    "suppress",
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
    r"(?<![\w@])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,5}\)[\s.-]?)?\d{2,5}(?:[\s.-]?\d{2,5}){1,4}(?![\w@])"
)


def _phone(match: re.Match) -> str:
    found = match.group(0)
    if re.fullmatch(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{4}", found):
        return found  # a date, not a phone number
    digits = re.sub(r"\D", "", found)
    return REDACTED_PHONE if 7 <= len(digits) <= 15 else found


def redact(text: str) -> str:
    """Replace e-mail addresses, URLs and phone numbers in free text by a marker."""
    text = _EMAIL.sub(REDACTED_EMAIL, text)
    text = _URL.sub(REDACTED_URL, text)
    return _PHONE.sub(_phone, text)


def SUPPRESSED_NOTE(k: int) -> str:  # noqa: N802 - reads as a constant at call sites
    """The text shown in place of a suppressed figure."""
    return f"fewer than {k} responses"


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
    k = min_group if min_group is not None else globals()["min_group"]()
    out = frame.copy()
    out["suppressed"] = out[n_column].fillna(0) < k
    partitions = out.groupby(within, sort=False, dropna=False).groups.values() if within else [out.index]
    for index in partitions:
        part = out.loc[index].sort_values(n_column, kind="stable")
        hidden = part["suppressed"]
        if not hidden.any() or hidden.all():
            continue
        for row in part.index[~hidden.to_numpy()]:
            hidden_rows = out.loc[part.index, "suppressed"]
            if hidden_rows.sum() >= 2 and out.loc[hidden_rows[hidden_rows].index, n_column].sum() >= k:
                break
            out.loc[row, "suppressed"] = True
    for column in value_columns:
        if pd.api.types.is_numeric_dtype(out[column]):
            out[column] = out[column].astype("float64").where(~out["suppressed"])  # NaN
        else:
            out[column] = out[column].astype("object").where(~out["suppressed"], None)
    return out
