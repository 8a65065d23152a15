"""Recognition of items by wording and code, answer labels, dates, and format detection."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.ingest.exports import detect_format
from analytics.ingest.exports.reading import Grid, parse_datetimes
from analytics.ingest.exports.recognise import answer_value, match_wording, recognise_column
from analytics.instruments import ITEMS
from tests.export_fixtures import (
    PS,
    employees_rows,
    glint_rows,
    googleforms_rows,
    msforms_rows,
    qualtrics_legacy_rows,
    qualtrics_rows,
    surveymonkey_rows,
)

NO_VALUES = pd.Series([], dtype="object")


def _variants(code: str) -> list[str]:
    wording = ITEMS[code].text
    return [
        wording,
        f"How accurate is each statement? - {wording}",  # Qualtrics matrix: stem before " - "
        f"Please rate your team [{wording}]",  # Google Forms grid row
        wording.upper().rstrip("."),  # case and punctuation
        wording.replace(",", "").replace(" team", " Team!"),
        wording.replace("e", "e", 1).replace("members", "memebrs"),  # a typo
    ]


@pytest.mark.parametrize("code", PS)
def test_psych_safety_items_map_themselves_from_their_wording(code):
    for header in _variants(code):
        found = recognise_column("Q5", header, NO_VALUES)
        assert found.target == code, (header, found)
        assert found.confidence >= 0.82


@pytest.mark.parametrize(
    ("header", "code"), [("PS_1", "ps_1"), ("ps1", "ps_1"), ("Eng-4", "eng_4"), ("eNPS", "enps")]
)
def test_item_codes_and_export_tags_map_directly(header, code):
    assert recognise_column(header, None, NO_VALUES).target == code


def test_unrelated_questions_are_not_mapped_to_items():
    item, score = match_wording("How was your journey to the office this morning?")
    assert score < 0.82
    assert (
        recognise_column("Q9", "How was your journey to the office?", pd.Series(["1", "2"])).target
        == "ignore"
    )


def test_free_text_answers_become_a_comment_column():
    values = pd.Series(["The sessions were really useful", "More time with my partner please", ""])
    assert recognise_column("Q10", "Your thoughts", values).target == "comment_your_thoughts"


@pytest.mark.parametrize(
    ("code", "label", "value"),
    [
        ("ps_1", "Strongly agree", 7.0),
        ("ps_1", "  somewhat DISAGREE ", 3.0),
        ("ps_2", "Mostly accurate", 6.0),
        ("ps_2", "Neither agree or disagree", 4.0),
        ("ps_3", "Moderately agree", 6.0),  # a 7-point wording not in the item bank
        ("eng_1", "Somewhat agree", 4.0),  # Qualtrics' default 5-point wording
        ("eng_1", "Neither agree nor disagree", 3.0),
        ("eng_1", "4", 4.0),
        ("eng_1", "4,0", 4.0),  # decimal comma
        ("enps", "Extremely likely", 10.0),
        ("enps", "Not at all likely", 0.0),
        ("enps", "10 - Extremely likely", 10.0),
        ("ps_1", "Sometimes", None),
    ],
)
def test_answer_labels_become_numbers(code, label, value):
    assert answer_value(code, label) == value


def test_dates_day_first_month_first_and_serial_numbers():
    uk, failed = parse_datetimes(pd.Series(["14/05/2026 09:30", "02/06/2026 08:00", ""]))
    assert uk.tolist() == ["2026-05-14 09:30:00", "2026-06-02 08:00:00", None]
    assert failed == []
    us, _ = parse_datetimes(pd.Series(["5/14/2026 9:30:00 PM", "6/2/2026 12:05:00 AM"]))
    assert us.tolist() == ["2026-05-14 21:30:00", "2026-06-02 00:05:00"]
    # 46156 days after 1899-12-30 is 2026-05-14; 0.75 of a day is 18:00
    serial, _ = parse_datetimes(pd.Series(["46156.75", "46156,5"]))
    assert serial.tolist() == ["2026-05-14 18:00:00", "2026-05-14 12:00:00"]
    _, failed = parse_datetimes(pd.Series(["yesterday", "2026-05-14"]))
    assert failed == [0]
    worded, _ = parse_datetimes(pd.Series(["14 May 2026 09:30", "June 2, 2026 1:05 PM"]))
    assert worded.tolist() == ["2026-05-14 09:30:00", "2026-06-02 13:05:00"]


@pytest.mark.parametrize(
    ("rows", "name"),
    [
        (qualtrics_rows(), "qualtrics"),
        (qualtrics_legacy_rows(), "qualtrics"),
        (surveymonkey_rows(), "surveymonkey"),
        (msforms_rows(), "msforms"),
        (googleforms_rows(email_header="email address"), "googleforms"),
        (glint_rows(), "glint"),
    ],
)
def test_each_format_is_detected_with_a_reason(rows, name):
    found = detect_format(Grid("export.csv", [[str(c) for c in r] for r in rows]))
    assert found is not None and found[0] == name
    assert len(found[1]) > 20


def test_a_template_file_is_not_taken_for_an_export():
    assert detect_format(Grid("employees.csv", employees_rows())) is None


def test_free_text_questions_that_start_alike_get_numbered_comment_columns():
    from analytics.ingest.exports.layout import Export
    from analytics.ingest.exports.translate import recognise_export

    columns = ["Please tell us why you chose this rating", "Please tell us why you chose that option"]
    frame = pd.DataFrame([["Because the team is open", "It fitted my goals best"]], columns=columns)
    _, report, _ = recognise_export(Export("googleforms", "test", columns, {}, frame))
    assert [c["target"] for c in report["columns"]] == [
        "comment_please_tell_us_why_you",
        "comment_please_tell_us_why_you_2",
    ]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.datetimes(min_value=dt.datetime(2001, 1, 1), max_value=dt.datetime(2060, 12, 31)).map(
            lambda d: d.replace(microsecond=0)
        ),
        min_size=1,
        max_size=8,
    ),
    st.sampled_from(["uk", "us", "iso", "serial"]),
)
def test_any_date_survives_any_layout(stamps, layout):
    anchor = dt.datetime(2026, 5, 14, 9, 30)  # day 14 > 12 settles the column's day/month order
    stamps = [anchor, *stamps]
    write = {
        "uk": lambda d: d.strftime("%d/%m/%Y %H:%M:%S"),
        "us": lambda d: f"{d.month}/{d.day}/{d.year} {d:%I:%M:%S %p}",
        "iso": lambda d: d.strftime("%Y-%m-%d %H:%M:%S"),
        "serial": lambda d: repr((d - dt.datetime(1899, 12, 30)).total_seconds() / 86400),
    }[layout]
    parsed, failed = parse_datetimes(pd.Series([write(d) for d in stamps]))
    assert failed == []
    assert parsed.tolist() == [d.strftime("%Y-%m-%d %H:%M:%S") for d in stamps]
