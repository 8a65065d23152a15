"""Privacy rules: minimum group sizes, suppression and redaction (DESIGN.md section 5)."""

from __future__ import annotations

import os
import re

__all__ = ["min_group", "min_group_comments", "redact", "REDACTED_EMAIL", "REDACTED_PHONE", "REDACTED_URL"]

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
_PHONE = re.compile(r"(?<![\w@])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,5}\)[\s.-]?)?\d{2,5}(?:[\s.-]?\d{2,5}){1,4}(?![\w@])")


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
