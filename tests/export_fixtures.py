"""Hand-made survey-tool exports, written by the tests: one small intended data set in every layout.

Three employees answer the seven psychological-safety items (1-7) and, in the tools that carry it, an
engagement item and eNPS. Every writer lays the same intended numbers out the way that tool does, so
a test can import the file and compare the database with INTENDED value by value.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from analytics.instruments import ITEMS, LABEL_SETS

AGREE7 = LABEL_SETS[7][0]
ACCURATE7 = LABEL_SETS[7][1]
AGREE5 = LABEL_SETS[5][0]
PS = [f"ps_{i}" for i in range(1, 8)]
ENG = [f"eng_{i}" for i in range(1, 5)]

PEOPLE = [
    {"employee_id": "E001", "email": "Ann.Smith@Example.com", "first": "Ann", "last": "Smith",
     "department": "Sales", "grade": "G3", "gender": "Woman"},
    {"employee_id": "E002", "email": "bo.li@example.com", "first": "Bo", "last": "Li",
     "department": "Finance", "grade": "G5", "gender": "Man"},
    {"employee_id": "E003", "email": "cy.ode@example.com", "first": "Cy", "last": "Odé",
     "department": "Sales", "grade": "G3", "gender": "Non-binary"},
]  # fmt: skip
IDS = [p["employee_id"] for p in PEOPLE]

# The intended answers: raw values as the respondent chose them (reverse coding happens in analysis).
INTENDED = {
    "E001": {"ps_1": 7, "ps_2": 2, "ps_3": 1, "ps_4": 6, "ps_5": 3, "ps_6": 5, "ps_7": 6,
             "eng_1": 4, "eng_2": 5, "eng_3": 2, "eng_4": 4, "enps": 10},
    "E002": {"ps_1": 1, "ps_2": 6, "ps_3": 2, "ps_4": 7, "ps_5": 1, "ps_6": 7, "ps_7": 7,
             "eng_1": 1, "eng_2": 2, "eng_3": 3, "eng_4": 1, "enps": 0},
    "E003": {"ps_1": 4, "ps_2": 4, "ps_3": 5, "ps_4": 3, "ps_5": 4, "ps_6": 2, "ps_7": 1,
             "eng_1": 3, "eng_2": 3, "eng_3": 5, "eng_4": 2, "enps": 7},
}  # fmt: skip
SUBMITTED = {
    "E001": dt.datetime(2026, 5, 14, 9, 30, 0),
    "E002": dt.datetime(2026, 5, 15, 14, 5, 0),
    "E003": dt.datetime(2026, 6, 2, 8, 0, 0),
}
COMMENTS = {
    "E001": "Great team. Call me on 07700 900123 or ann.smith@example.com",
    "E002": "",
    "E003": "More support for new joiners, please",
}
MATRIX_STEM = "How accurate is each statement about your team?"
AGREE_STEM = "To what extent do you agree with the following statements?"
COMMENT_QUESTION = "Is there anything else you would like to tell us?"


def text(code: str) -> str:
    """The published wording of an item."""
    return ITEMS[code].text


def write_rows(
    path: Path,
    rows: list[list[str]],
    encoding: str = "utf-8",
    delimiter: str = ",",
    trailing: bool = False,
) -> Path:
    """Write rows as delimited text: any encoding ('utf-8-sig' adds a BOM), optional trailing delimiter."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow([*row, ""] if trailing else row)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    """Write rows to the first sheet of a new workbook."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def employees_rows(with_email: bool = True) -> list[list[str]]:
    """The HRIS template: employee_id, department, grade, gender, hire_date[, email]."""
    header = ["employee_id", "department", "grade", "gender", "hire_date"] + (["email"] if with_email else [])
    body = [
        [p["employee_id"], p["department"], p["grade"], p["gender"], "2020-01-06"]
        + ([p["email"]] if with_email else [])
        for p in PEOPLE
    ]
    return [header, *body]


def _us(when: dt.datetime) -> str:
    return f"{when.month}/{when.day}/{when.year} {when.strftime('%I:%M:%S %p').lstrip('0')}"


# --- Qualtrics -------------------------------------------------------------------------------------

_Q_META = ["StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)", "Finished",
           "RecordedDate", "ResponseId", "RecipientLastName", "RecipientFirstName", "RecipientEmail",
           "ExternalReference", "LocationLatitude", "LocationLongitude", "DistributionChannel", "UserLanguage"]  # fmt: skip
_Q_META_TEXT = ["Start Date", "End Date", "Response Type", "IP Address", "Progress", "Duration (in seconds)",
                "Finished", "Recorded Date", "Response ID", "Recipient Last Name", "Recipient First Name",
                "Recipient Email", "External Data Reference", "Location Latitude", "Location Longitude",
                "Distribution Channel", "User Language"]  # fmt: skip


def _import_id(key: str, **extra: str) -> str:
    pairs = [f'"ImportId":"{key}"'] + [f'"{k}":"{v}"' for k, v in extra.items()]
    return "{" + ",".join(pairs) + "}"


def qualtrics_rows(numeric: bool = False, dates=None) -> list[list[str]]:
    """A three-row-header Qualtrics export: 3 kept responses, plus a preview, a test and an unfinished one.

    `numeric` exports choice numbers instead of choice text; `dates` formats RecordedDate.
    """
    dates = dates or (lambda when: when.strftime("%Y-%m-%d %H:%M:%S"))
    tags = [*_Q_META, *(f"Q5_{i}" for i in range(1, 8)), "Q6", "Q7_TEXT", "Department"]
    texts = [*_Q_META_TEXT, *(f"{MATRIX_STEM} - {text(c)}" for c in PS),
             "Which grade are you?", COMMENT_QUESTION, "Department"]  # fmt: skip
    ids = [_import_id("startDate", timeZone="Europe/London"), _import_id("endDate", timeZone="Europe/London"),
           _import_id("status"), _import_id("ipAddress"), _import_id("progress"), _import_id("duration"),
           _import_id("finished"), _import_id("recordedDate", timeZone="Europe/London"), _import_id("_recordId"),
           _import_id("recipientLastName"), _import_id("recipientFirstName"), _import_id("recipientEmail"),
           _import_id("externalDataReference"), _import_id("locationLatitude"), _import_id("locationLongitude"),
           _import_id("distributionChannel"), _import_id("userLanguage"),
           *(_import_id(f"QID5_{i}", choiceId=str(i)) for i in range(1, 8)), _import_id("QID6"),
           _import_id("QID7_TEXT"), _import_id("Department")]  # fmt: skip

    def row(person: dict, status: str, finished: str, response_id: str) -> list[str]:
        when = SUBMITTED[person["employee_id"]]
        answers = [str(INTENDED[person["employee_id"]][c]) if numeric else ACCURATE7[INTENDED[person["employee_id"]][c] - 1]
                   for c in PS]  # fmt: skip
        return [
            (when - dt.timedelta(minutes=8)).strftime("%Y-%m-%d %H:%M:%S"), when.strftime("%Y-%m-%d %H:%M:%S"),
            status, "192.0.2.1", "100" if finished == "True" else "40", "480", finished, dates(when),
            response_id, person["last"], person["first"], person["email"], person["employee_id"], "51.5", "-0.1",
            "email", "EN", *answers, person["grade"], COMMENTS[person["employee_id"]], person["department"],
        ]  # fmt: skip

    body = [row(p, "IP Address", "True", f"R_{p['employee_id']}") for p in PEOPLE]
    body.append(row(PEOPLE[0], "Survey Preview", "True", "R_preview"))
    body.append(row(PEOPLE[1], "Survey Test", "True", "R_test"))
    body.append(row(PEOPLE[2], "IP Address", "False", "R_unfinished"))
    if numeric:
        for r in body:
            r[2] = {"IP Address": "0", "Survey Preview": "1", "Survey Test": "2"}[r[2]]
            r[6] = "1" if r[6] == "True" else "0"
    return [tags, texts, ids, *body]


def qualtrics_legacy_rows() -> list[list[str]]:
    """The legacy two-row layout: V1..V10 over ResponseID, ...; linked by e-mail only; a preview row."""
    tags = [f"V{i}" for i in range(1, 11)] + [f"Q1_{i}" for i in range(1, 8)] + ["Q2"]
    labels = ["ResponseID", "ResponseSet", "Name", "ExternalDataReference", "EmailAddress", "IPAddress",
              "Status", "StartDate", "EndDate", "Finished"] + [f"{AGREE_STEM}-{text(c)}" for c in PS] + [
              COMMENT_QUESTION]  # fmt: skip
    body = []
    for person in PEOPLE:
        values = INTENDED[person["employee_id"]]
        when = SUBMITTED[person["employee_id"]].strftime("%Y-%m-%d %H:%M:%S")
        body.append([f"R_L{person['employee_id']}", "Default Response Set", f"{person['last']}, {person['first']}",
                     "", person["email"], "192.0.2.1", "0", when, when, "1",
                     *(str(values[c]) for c in PS), COMMENTS[person["employee_id"]]])  # fmt: skip
    preview = list(body[0])
    preview[0], preview[6] = "R_Lpreview", "1"
    return [tags, labels, *body, preview]


# --- SurveyMonkey ----------------------------------------------------------------------------------


def surveymonkey_rows() -> list[list[str]]:
    """Two header rows; the matrix question only over its first column; labels, eNPS ends as words."""
    top = ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address",
           "First Name", "Last Name", "Custom Data 1", AGREE_STEM, *[""] * 6,
           "How likely are you to recommend this organisation as a place to work?",
           "What is your department?", COMMENT_QUESTION]  # fmt: skip
    second = ["", "", "", "", "", "", "", "", "", *(text(c) for c in PS), "Response", "Response",
              "Open-Ended Response"]  # fmt: skip
    words = {0: "Not at all likely", 10: "Extremely likely"}
    body = []
    for n, person in enumerate(PEOPLE):
        values = INTENDED[person["employee_id"]]
        when = SUBMITTED[person["employee_id"]]
        enps = words.get(values["enps"], str(values["enps"]))
        body.append([str(11800000000 + n), "405000001", _us(when - dt.timedelta(minutes=5)), _us(when),
                     "192.0.2.1", person["email"], person["first"], person["last"], person["employee_id"],
                     *(AGREE7[values[c] - 1].upper() if n == 1 else AGREE7[values[c] - 1] for c in PS),
                     enps, person["department"], COMMENTS[person["employee_id"]]])  # fmt: skip
    return [top, second, *body]


# --- Microsoft Forms --------------------------------------------------------------------------------


def msforms_rows(xlsx: bool = False) -> list[list[object]]:
    """Metadata out of order, items in shuffled order by full text, one respondent 'anonymous'."""
    order = ["ps_5", "ps_1", "ps_7", "ps_3", "ps_2", "ps_6", "ps_4"]
    header = ["Completion time", "ID", "Email", "Start time", "Name", *(text(c) for c in order),
              COMMENT_QUESTION, "Last modified time"]  # fmt: skip
    body = []
    for n, person in enumerate(PEOPLE, start=1):
        values = INTENDED[person["employee_id"]]
        when = SUBMITTED[person["employee_id"]]
        anonymous = n == 3
        shown_when: object = when if xlsx else _us(when)
        body.append([shown_when, n, "anonymous" if anonymous else person["email"],
                     when - dt.timedelta(minutes=3) if xlsx else _us(when - dt.timedelta(minutes=3)),
                     "" if anonymous else f"{person['first']} {person['last']}",
                     *(AGREE7[values[c] - 1] for c in order), COMMENTS[person["employee_id"]], ""])  # fmt: skip
    return [header, *body]


# --- Google Forms -----------------------------------------------------------------------------------


def googleforms_rows(email_header: str = "Email Address") -> list[list[str]]:
    """Timestamp (day-first, UK locale), an e-mail column in any case, a 'Question [Row]' grid."""
    header = ["Timestamp", email_header, *(f"{AGREE_STEM} [{text(c)}]" for c in PS), "What is your gender?",
              COMMENT_QUESTION]  # fmt: skip
    body = []
    for person in PEOPLE:
        values = INTENDED[person["employee_id"]]
        when = SUBMITTED[person["employee_id"]].strftime("%d/%m/%Y %H:%M:%S")
        body.append([when, person["email"].upper() if person is PEOPLE[1] else person["email"],
                     *(f"  {AGREE7[values[c] - 1].lower()} " for c in PS), person["gender"],
                     COMMENTS[person["employee_id"]]])  # fmt: skip
    return [header, *body]


# --- Viva Glint -------------------------------------------------------------------------------------


def excel_serial(when: dt.datetime) -> float:
    """The Excel serial number of a date-time (days since 1899-12-30)."""
    return (when - dt.datetime(1899, 12, 30)).total_seconds() / 86400


def glint_rows() -> list[list[str]]:
    """Employee columns, one column per question by wording, three comment columns per question."""
    questions = [*ENG, "enps"]
    header = ["First Name", "Last Name", "Email", "Status", "EMP ID", "Manager ID", "Survey Cycle Completion Date",
              "Survey Cycle Sent Date", "Department"]  # fmt: skip
    for code in questions:
        header += [text(code)]
        if code == "eng_2":
            header += [f"{text(code)}_COMMENT", f"{text(code)}_COMMENT_TOPICS",
                       f"{text(code)}_SENSITIVE_COMMENT_FLAG"]  # fmt: skip
    body = []
    for person in PEOPLE:
        values = INTENDED[person["employee_id"]]
        row = [person["first"], person["last"], person["email"], "ACTIVE", person["employee_id"], "M100",
               f"{excel_serial(SUBMITTED[person['employee_id']]):.6f}", "46150", person["department"]]  # fmt: skip
        for code in questions:
            row.append(str(values[code]))
            if code == "eng_2":
                comment = COMMENTS[person["employee_id"]]
                row += [comment, "Teamwork" if comment else "", "FALSE"]
        body.append(row)
    return [header, *body]


# --- Reading the database back ----------------------------------------------------------------------


def stored_answers(con, items: list[str]) -> dict[str | None, dict[str, float]]:
    """{employee_id: {item: value}} of the stored answers to these items (None for anonymous)."""
    rows = con.execute(
        """SELECT r.employee_id, a.item_id, a.value FROM answers a JOIN responses r USING (response_id)
        WHERE list_contains(?, a.item_id) ORDER BY r.employee_id, a.item_id""",
        [items],
    ).fetchall()
    out: dict[str | None, dict[str, float]] = {}
    for employee, item, value in rows:
        out.setdefault(employee, {})[item] = value
    return out


def intended(items: list[str], ids: list[str] | None = None) -> dict[str, dict[str, float]]:
    """The intended answers of these employees to these items, as floats."""
    return {e: {c: float(INTENDED[e][c]) for c in items} for e in ids or IDS}


def import_employees(con, tmp_path: Path, with_email: bool = True) -> None:
    """Import the HRIS template of the three employees (with their e-mails, stored only as hashes)."""
    from analytics.ingest.load import import_files

    import_files(con, [write_rows(tmp_path / "employees.csv", employees_rows(with_email))])
