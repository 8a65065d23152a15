"""Test data written straight into a real Mutual database (a DuckDB file made by `analytics.db`).

Each `add_*` writes one row the way an import would store it; `finish` then scores the comments'
sentiment (VADER, as the importer does) and brings the construct-score table in step, so the
analytics functions read the data exactly as they would after an import.
"""

from __future__ import annotations

from collections.abc import Mapping

import duckdb

from analytics.store import db
from analytics.text import sentiment

__all__ = [
    "PS_ITEMS",
    "add_wave",
    "add_employee",
    "add_participant",
    "add_response",
    "add_answers",
    "add_comment",
    "add_goal",
    "add_session",
    "finish",
    "add_application",
]

PS_ITEMS = [f"ps_{i}" for i in range(1, 8)]
_PERSON = ("department", "grade", "location", "gender", "ethnicity", "age_band", "disability")


def add_wave(con: duckdb.DuckDBPyConnection, wave: str, kind: str, opened_on: str) -> None:
    con.execute("INSERT INTO waves VALUES (?, ?, ?) ON CONFLICT DO NOTHING", [wave, kind, opened_on])


def add_employee(
    con: duckdb.DuckDBPyConnection,
    employee_id: str,
    *,
    hire_date: str = "2020-01-06",
    exit_date: str | None = None,
    exit_type: str | None = None,
    **attributes: str | None,
) -> None:
    """One HRIS row; attributes are department, grade, location, gender, ethnicity, age_band, disability."""
    unknown = set(attributes) - set(_PERSON)
    if unknown:
        raise ValueError(f"unknown employee attributes {sorted(unknown)}")
    columns = ["employee_id", "hire_date", "exit_date", "exit_type", *attributes]
    values = [employee_id, hire_date, exit_date, exit_type, *attributes.values()]
    con.execute(
        f"INSERT INTO employees ({', '.join(columns)}) VALUES ({', '.join('?' for _ in values)})", values
    )


def add_participant(
    con: duckdb.DuckDBPyConnection,
    employee_id: str,
    *,
    cohort: str,
    role: str,
    pair_id: str,
    focus: str | None = None,
    start_date: str = "2025-01-06",
    end_date: str | None = None,
    status: str = "active",
    story_consent: bool = False,
) -> None:
    con.execute(
        """INSERT INTO participants (employee_id, cohort, role, pair_id, focus, start_date, end_date, status,
                                     story_consent) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [employee_id, cohort, role, pair_id, focus, start_date, end_date, status, story_consent],
    )


def add_response(
    con: duckdb.DuckDBPyConnection,
    response_id: str,
    wave: str,
    answers: Mapping[str, float],
    *,
    employee_id: str | None = None,
    submitted_at: str | None = None,
    comments: Mapping[str, str] | None = None,
    **inline: str | None,
) -> None:
    """One submitted survey with its answers (item_id -> value) and comments (question -> text).

    Without employee_id the response is anonymous; `inline` then holds its own attribute columns.
    """
    unknown = set(inline) - set(_PERSON)
    if unknown:
        raise ValueError(f"unknown response attributes {sorted(unknown)}")
    columns = ["response_id", "employee_id", "wave", "submitted_at", *inline]
    values = [response_id, employee_id, wave, submitted_at, *inline.values()]
    con.execute(
        f"INSERT INTO responses ({', '.join(columns)}) VALUES ({', '.join('?' for _ in values)})", values
    )
    add_answers(con, response_id, answers)
    for question, text in (comments or {}).items():
        add_comment(con, response_id, question, text)


def add_answers(con: duckdb.DuckDBPyConnection, response_id: str, answers: Mapping[str, float]) -> None:
    """More answers (item_id -> value) to a response already added."""
    if answers:
        rows = [[response_id, item, float(value)] for item, value in answers.items()]
        con.execute(
            "INSERT INTO answers (response_id, item_id, value) VALUES "
            + ", ".join("(?, ?, ?)" for _ in rows),
            [v for row in rows for v in row],
        )


def add_comment(
    con: duckdb.DuckDBPyConnection,
    response_id: str,
    question: str,
    text: str,
    *,
    compound: float | None = None,
    label: str | None = None,
) -> None:
    """A free-text answer, scored for sentiment by `finish` unless a compound score is given."""
    con.execute(
        "INSERT INTO comments (response_id, question, text, compound, label) VALUES (?, ?, ?, ?, ?)",
        [response_id, question, text, compound, label],
    )


def add_goal(
    con: duckdb.DuckDBPyConnection,
    employee_id: str,
    goal_id: str,
    *,
    level_mid: int | None = None,
    level_post: int | None = None,
    weight: float = 1.0,
    title: str | None = None,
) -> None:
    con.execute(
        """INSERT INTO goals (employee_id, goal_id, title, weight, level_mid, level_post)
           VALUES (?, ?, ?, ?, ?, ?)""",
        [employee_id, goal_id, title, weight, level_mid, level_post],
    )


def add_session(
    con: duckdb.DuckDBPyConnection, pair_id: str, date: str, *, minutes: int = 45, kind: str | None = None
) -> None:
    con.execute(
        "INSERT INTO sessions (pair_id, date, minutes, kind) VALUES (?, ?, ?, ?)",
        [pair_id, date, minutes, kind],
    )


def finish(con: duckdb.DuckDBPyConnection) -> None:
    """Score unscored comments (compound, pos, neu, neg, label) and rebuild the construct scores."""
    texts = [
        r[0] for r in con.execute("SELECT DISTINCT text FROM comments WHERE compound IS NULL").fetchall()
    ]
    if texts:
        scores = sentiment.score_texts(texts, workers=1)
        scores.insert(0, "text", texts)
        con.register("_builder_scores", scores)
        try:
            con.execute(
                """UPDATE comments c SET compound = s.compound, pos = s.pos, neu = s.neu, neg = s.neg,
                       label = s.label
                   FROM _builder_scores s WHERE c.text = s.text AND c.compound IS NULL"""
            )
        finally:
            con.unregister("_builder_scores")
    db.refresh_scores(con)
    db.mark_scores(con, None)


def add_application(
    con: duckdb.DuckDBPyConnection,
    employee_id: str,
    *,
    cohort: str,
    role: str,
    objectives: tuple[str, ...] = (),
    skills_offered: tuple[str, ...] = (),
    skills_wanted: tuple[str, ...] = (),
    **values: float | str | bool | None,
) -> None:
    """One application as an import stores it; values are the other applications columns (style items,
    hours_per_month, time_zone, location, prefers_other_department, culture_change_involvement, capacity)."""
    columns = ["employee_id", "cohort", "role", "objectives", "skills_offered", "skills_wanted", *values]
    row = [employee_id, cohort, role, list(objectives), list(skills_offered), list(skills_wanted)]
    row += list(values.values())
    con.execute(
        f"INSERT INTO applications ({', '.join(columns)}) VALUES ({', '.join('?' for _ in row)})", row
    )
