"""Redaction of contact details in free text, alone and as stored by an import."""

import pytest

from analytics.ingest.load import import_files
from analytics.ingest.redact import REDACTED_EMAIL, REDACTED_PHONE, REDACTED_URL, redact

PHONE = REDACTED_PHONE


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Call me on +44 20 7946 0958 please", f"Call me on {PHONE} please"),
        ("ring 07700 900123", f"ring {PHONE}"),
        ("mobile:07700900123", f"mobile:{PHONE}"),
        ("(555) 123-4567", PHONE),
        ("+1 (555) 123-4567", PHONE),
        ("555.123.4567", PHONE),
        ("+1-202-555-0173", PHONE),
        ("call +44 (0)20 7946 0958", f"call {PHONE}"),
        ("0207 946 0958", PHONE),
        ("01 23 45 67 89", PHONE),
        ("+91 98765 43210", PHONE),
        ("+44 7700-900-123", PHONE),
    ],
)
def test_phone_numbers_are_removed(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "met on 2025-03-14",
        "on 14/03/2025 we met",
        "score 3/5 in 2024",
        "my ext is 4567",
        "we had 10 000 visitors",
        "a budget of 1,250,000",
    ],
)
def test_dates_and_ordinary_numbers_are_kept(text):
    assert redact(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("write to jo.bloggs@example.co.uk today", f"write to {REDACTED_EMAIL} today"),
        ("JOHN@EXAMPLE.COM", REDACTED_EMAIL),
        ("see https://intranet.example.com/x?y=1 for more", f"see {REDACTED_URL} for more"),
        ("www.example.org", REDACTED_URL),
    ],
)
def test_emails_and_links_are_removed(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize("text", ["+33 6 12 34 56 78", "+61 4 1234 5678"])
def test_international_numbers_with_a_one_digit_area_code(text):
    assert redact(text) == PHONE


def test_a_year_range_is_kept():
    assert redact("meetings 2-3 times in 2024-2025") == "meetings 2-3 times in 2024-2025"


def test_comments_are_stored_redacted_and_scored_on_the_redacted_text(con, tmp_path):
    survey = tmp_path / "survey.csv"
    survey.write_text(
        "response_id,wave,ps_1,comment_experience\n"
        'R1,pre,3,"Great sessions! Reach me on 07700 900123 or jo@example.com"\n'
    )
    import_files(con, [survey])
    text, compound = con.execute("SELECT text, compound FROM comments").fetchall()[0]
    assert text == f"Great sessions! Reach me on {PHONE} or {REDACTED_EMAIL}"
    assert "07700" not in text and "@" not in text
    assert compound > 0.05


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my staff number is 12345678", "my staff number is 12345678"),
        ("call 5551234567 today", f"call {PHONE} today"),
        ("we met 12 times in 2025", "we met 12 times in 2025"),
    ],
)
def test_short_unbroken_numbers_are_kept_and_long_ones_redacted(text, expected):
    assert redact(text) == expected
