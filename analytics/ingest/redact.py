"""Redaction of free text at import: e-mail addresses, URLs and phone numbers replaced by a marker."""

from __future__ import annotations

import re

__all__ = ["redact", "REDACTED_EMAIL", "REDACTED_PHONE", "REDACTED_URL"]

REDACTED_EMAIL = "[email removed]"
REDACTED_PHONE = "[phone removed]"
REDACTED_URL = "[link removed]"

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
