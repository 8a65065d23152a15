"""DuckDB connection and schema (DESIGN.md section 3)."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

import duckdb

from analytics.errors import MutualError
from analytics.instruments import CONSTRUCTS, ITEMS, items_of, min_answered

__all__ = [
    "SCHEMA_VERSION",
    "DEFAULT_DB",
    "db_path",
    "connect",
    "open_database",
    "create_schema",
    "table_counts",
    "refresh_scores",
    "scores_fresh",
    "scores_source",
    "mark_scores",
]

SCHEMA_VERSION = 3
DEFAULT_DB = Path("data/mutual.duckdb")

# No key: the key of responses and a file's distinct item columns keep (response_id, item_id) unique,
# and a key on the largest table cost most of an import's time (schema version 3 dropped it).
_ANSWERS = """CREATE TABLE IF NOT EXISTS answers (
        response_id VARCHAR NOT NULL,
        item_id     VARCHAR NOT NULL,
        value       DOUBLE NOT NULL,
        import_id   INTEGER
    )"""

# Every data table carries the import that added its rows, so an import can be undone.
_SCHEMA = [
    """CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS imports (
        import_id   INTEGER PRIMARY KEY,
        file_name   VARCHAR NOT NULL,
        sha256      VARCHAR NOT NULL,
        format      VARCHAR NOT NULL,
        kind        VARCHAR NOT NULL,
        wave        VARCHAR,
        rows        INTEGER NOT NULL,
        status      VARCHAR NOT NULL,
        errors      VARCHAR,
        imported_at TIMESTAMP NOT NULL
    )""",
    """CREATE SEQUENCE IF NOT EXISTS import_id_seq START 1""",
    """CREATE TABLE IF NOT EXISTS employees (
        employee_id VARCHAR PRIMARY KEY,
        department  VARCHAR,
        grade       VARCHAR,
        location    VARCHAR,
        hire_date   DATE,
        exit_date   DATE,
        exit_type   VARCHAR,
        gender      VARCHAR,
        ethnicity   VARCHAR,
        age_band    VARCHAR,
        disability  VARCHAR,
        email_hash  VARCHAR,  -- SHA-256 of the lower-cased e-mail, for linking survey exports; never the e-mail
        import_id   INTEGER,
        manager_id  VARCHAR   -- optional; after import_id, where _add_columns adds it to older databases
    )""",
    """CREATE TABLE IF NOT EXISTS participants (
        employee_id   VARCHAR NOT NULL,
        cohort        VARCHAR NOT NULL,
        role          VARCHAR NOT NULL,
        pair_id       VARCHAR NOT NULL,
        focus         VARCHAR,
        start_date    DATE,
        end_date      DATE,
        status        VARCHAR,
        story_consent BOOLEAN NOT NULL DEFAULT FALSE,
        import_id     INTEGER,
        PRIMARY KEY (employee_id, cohort)
    )""",
    """CREATE TABLE IF NOT EXISTS waves (
        wave      VARCHAR PRIMARY KEY,
        kind      VARCHAR NOT NULL,
        opened_on DATE
    )""",
    """CREATE TABLE IF NOT EXISTS responses (
        response_id  VARCHAR PRIMARY KEY,
        employee_id  VARCHAR,
        wave         VARCHAR NOT NULL,
        submitted_at TIMESTAMP,
        import_id    INTEGER,
        department   VARCHAR,
        grade        VARCHAR,
        location     VARCHAR,
        gender       VARCHAR,
        ethnicity    VARCHAR,
        age_band     VARCHAR,
        disability   VARCHAR
    )""",
    _ANSWERS,
    """CREATE TABLE IF NOT EXISTS comments (
        response_id VARCHAR NOT NULL,
        question    VARCHAR NOT NULL,
        text        VARCHAR NOT NULL,
        compound    DOUBLE,
        pos         DOUBLE,
        neu         DOUBLE,
        neg         DOUBLE,
        label       VARCHAR,
        theme       VARCHAR,
        import_id   INTEGER,
        PRIMARY KEY (response_id, question)
    )""",
    """CREATE TABLE IF NOT EXISTS goals (
        employee_id VARCHAR NOT NULL,
        goal_id     VARCHAR NOT NULL,
        title       VARCHAR,
        weight      DOUBLE NOT NULL DEFAULT 1,
        level_mid   INTEGER,
        level_post  INTEGER,
        import_id   INTEGER,
        PRIMARY KEY (employee_id, goal_id)
    )""",
    """CREATE TABLE IF NOT EXISTS sessions (
        pair_id   VARCHAR NOT NULL,
        date      DATE NOT NULL,
        minutes   INTEGER,
        kind      VARCHAR,
        import_id INTEGER,
        fit       VARCHAR   -- optional first-session rating: good fit / still deciding / not a fit
    )""",
    # Mentoring applications: one row per applicant and cohort applied for (the matching's input).
    """CREATE TABLE IF NOT EXISTS applications (
        import_id                  INTEGER,
        employee_id                VARCHAR NOT NULL,
        cohort                     VARCHAR NOT NULL,
        role                       VARCHAR NOT NULL,  -- mentor / mentee / either
        objectives                 VARCHAR[],
        skills_offered             VARCHAR[],
        skills_wanted              VARCHAR[],
        openness_to_challenge      DOUBLE,
        preferred_pace             DOUBLE,
        directness                 DOUBLE,
        hours_per_month            DOUBLE,
        time_zone                  VARCHAR,
        location                   VARCHAR,
        prefers_other_department   BOOLEAN,
        culture_change_involvement DOUBLE,  -- years
        capacity                   INTEGER,
        ranking                    VARCHAR[],  -- optional; last, where _add_columns adds it to older databases
        UNIQUE (employee_id, cohort)
    )""",
    # One row per response with everything a breakdown or filter needs: HRIS attributes for linked
    # responses, inline attributes for anonymous ones, and programme attributes for participants.
    """CREATE OR REPLACE VIEW respondents AS
    SELECT r.response_id, r.employee_id, r.wave, w.kind, w.opened_on, r.submitted_at, r.import_id,
           p.cohort, p.role, p.pair_id, p.focus, p.status, p.start_date,
           p.employee_id IS NOT NULL AS is_participant,
           coalesce(e.department, r.department) AS department,
           coalesce(e.grade, r.grade) AS grade,
           coalesce(e.location, r.location) AS location,
           coalesce(e.gender, r.gender) AS gender,
           coalesce(e.ethnicity, r.ethnicity) AS ethnicity,
           coalesce(e.age_band, r.age_band) AS age_band,
           coalesce(e.disability, r.disability) AS disability
    FROM responses r
    JOIN waves w USING (wave)
    LEFT JOIN employees e USING (employee_id)
    LEFT JOIN (
        SELECT * FROM participants QUALIFY row_number() OVER (PARTITION BY employee_id ORDER BY start_date DESC) = 1
    ) p USING (employee_id)""",
    # Per-database settings, e.g. the secret salt of story pseudonyms (never shown).
    """CREATE TABLE IF NOT EXISTS settings (name VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)""",
    # States of the data (by fingerprint) in which response_scores was known to be in step, per import.
    """CREATE TABLE IF NOT EXISTS response_scores_marks (import_id INTEGER, fingerprint VARCHAR NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS mapping_profiles (
        name       VARCHAR PRIMARY KEY,
        signature  VARCHAR NOT NULL,
        mapping    VARCHAR NOT NULL,
        saved_at   TIMESTAMP NOT NULL
    )""",
    # A cohort's matching settings as last saved on the Matching page (weights, rules and lens as JSON).
    """CREATE TABLE IF NOT EXISTS match_settings (
        cohort     VARCHAR PRIMARY KEY,
        weights    VARCHAR NOT NULL,
        rules      VARCHAR NOT NULL,
        method     VARCHAR NOT NULL,
        lens       VARCHAR NOT NULL,
        saved_at   TIMESTAMP NOT NULL
    )""",
]

# Every answer coded, the one SQL home of reverse coding, the midpoint and "favourable" (the same rule
# as instruments.reverse_code / is_favourable): value after reverse coding, the scale midpoint, and
# whether the coded value is above it (4-5 of 5, 5-7 of 7). The score cache and item-level % favourable
# both read it. Answers to items the bank does not know are left out, as they have no scale.
_CODED_ANSWERS = """CREATE OR REPLACE VIEW coded_answers AS
    SELECT response_id, item_id, construct, import_id, value, midpoint, value > midpoint AS favourable
    FROM (
        SELECT a.response_id, a.item_id, i.construct, a.import_id,
               CASE WHEN i.reverse THEN i.scale_min + i.scale_max - a.value ELSE a.value END AS value,
               (i.scale_min + i.scale_max) / 2 AS midpoint
        FROM answers a JOIN items i USING (item_id)
    )"""

# Construct scores of every response (per construct: mean of the coded answers, answered items,
# favourable answers), with the response's `respondents` columns, so group statistics aggregate one
# table instead of re-scoring every answer. Kept by `refresh_scores`: rows of a survey import are
# added with it (and removed with its undo, by import_id); an import or undo of employees or
# participants, whose attributes every response may carry, rebuilds the table.
_SCORES_SELECT = """
    WITH s AS (
        SELECT response_id, construct, avg(value) AS score, count(*) AS answered,
               count(*) FILTER (WHERE favourable) AS favourable
        FROM coded_answers
        WHERE {answers}
        GROUP BY response_id, construct
    ), j AS (
        SELECT r.*, s.construct, s.score, s.answered, s.favourable, s.answered >= c.min_answered AS _valid,
               coalesce(r.employee_id, r.response_id) AS _who
        FROM s JOIN respondents r USING (response_id)
        JOIN constructs c USING (construct)
        WHERE {responses}
    ), f AS (
        SELECT construct, wave, _who, min(response_id) AS _first FROM j WHERE _valid GROUP BY ALL
    )
    -- first_in_wave: the respondent's first valid score (lowest response_id) for the construct in the
    -- wave; counting these rows counts distinct respondents in any breakdown within a wave, without
    -- count(DISTINCT). (A grouped minimum joined back: much cheaper than a row_number() window.)
    SELECT j.* EXCLUDE (_valid, _who), coalesce(j._valid AND j.response_id = f._first, FALSE) {first} AS first_in_wave
    FROM j LEFT JOIN f USING (construct, wave, _who)
"""
# An added import's first score of a respondent in a wave is not first when the table has one already.
# (NOT IN over a struct: no part is ever NULL, and it plans as one hash anti-join over the scores of
# the import's waves, several times faster than the equivalent NOT EXISTS.)
_NOT_FIRST_YET = """AND (j.construct, j.wave, j._who) NOT IN (
    SELECT (x.construct, x.wave, coalesce(x.employee_id, x.response_id)) FROM response_scores x
    WHERE x.first_in_wave AND x.wave IN (SELECT wave FROM responses WHERE import_id = ?))"""

# The statements built from it once, from constants only (no value is ever formatted into them).
_SCORES_ALL = "(" + _SCORES_SELECT.format(answers="TRUE", responses="TRUE", first="") + ")"
_SCORES_REBUILD = "CREATE OR REPLACE TABLE response_scores AS " + _SCORES_ALL
_SCORES_ADD = "INSERT INTO response_scores " + _SCORES_SELECT.format(
    answers="import_id = ?", responses="r.import_id = ?", first=_NOT_FIRST_YET
)
_SCORES_CREATE = "CREATE TABLE response_scores AS " + _SCORES_SELECT.format(
    answers="FALSE", responses="TRUE", first=""
)

DATA_TABLES = (
    "employees",
    "participants",
    "responses",
    "answers",
    "comments",
    "goals",
    "sessions",
    "applications",
)
# Optional text columns added after a table's first version: (table, column). A database from before
# gains them when opened (with the applications table: employees.manager_id, sessions.fit).
_ADDED_COLUMNS = (("employees", "manager_id"), ("sessions", "fit"), ("applications", "ranking"))
_ADDED_TYPES = {("applications", "ranking"): "VARCHAR[]"}  # the added columns that are not VARCHAR


def db_path(path: str | os.PathLike | None = None) -> Path:
    """The database file: the given path, else $MUTUAL_DB, else data/mutual.duckdb."""
    if path:
        return Path(path)
    return Path(os.environ.get("MUTUAL_DB") or DEFAULT_DB)


def _write_items(con: duckdb.DuckDBPyConnection) -> None:
    """Mirror the item bank into `items` and `constructs` tables, so SQL can code answers and tell a
    valid score (instruments.min_answered) without a second definition; then (re)create coded_answers.

    Rewritten on every open, so a database file from before a table or the view gains it (the
    `items` columns are unchanged, so the score cache's fingerprint, and its marks, stay valid).
    """
    con.execute(
        """CREATE OR REPLACE TABLE items (
            item_id VARCHAR PRIMARY KEY, construct VARCHAR NOT NULL, text VARCHAR NOT NULL,
            scale_min DOUBLE NOT NULL, scale_max DOUBLE NOT NULL, reverse BOOLEAN NOT NULL)"""
    )
    con.executemany(
        "INSERT INTO items VALUES (?, ?, ?, ?, ?, ?)",
        [[i.code, i.construct, i.text, i.scale_min, i.scale_max, i.reverse] for i in ITEMS.values()],
    )
    con.execute(
        """CREATE OR REPLACE TABLE constructs (
            construct VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, items INTEGER NOT NULL,
            min_answered INTEGER NOT NULL)"""
    )
    con.executemany(
        "INSERT INTO constructs VALUES (?, ?, ?, ?)",
        [[c.code, c.name, len(items_of(c.code)), min_answered(c.code)] for c in CONSTRUCTS.values()],
    )
    con.execute(_CODED_ANSWERS)


def _fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    """A cheap summary of the rows the scores derive from: it changes when rows are added or removed,
    or when any employee, participant, wave or item changes (responses and answers are only counted)."""
    row = con.execute(
        """SELECT (SELECT count(*) FROM responses), (SELECT count(*) FROM answers), (SELECT bit_xor(hash(e)) FROM employees e),
                  (SELECT bit_xor(hash(p)) FROM participants p), (SELECT bit_xor(hash(w)) FROM waves w),
                  (SELECT bit_xor(hash(i)) FROM items i), (SELECT count(*) FROM response_scores)"""
    ).fetchone()
    return ":".join(str(v) for v in row)


def scores_fresh(con: duckdb.DuckDBPyConnection) -> bool:
    """True when response_scores is known to be in step with the data as it is now."""
    try:
        marks = con.execute(
            "SELECT count(*) FROM response_scores_marks WHERE fingerprint = ?", [_fingerprint(con)]
        ).fetchone()[0]
    except duckdb.CatalogException:  # a database from before the table, opened read-only
        return False
    return marks > 0


def scores_source(con: duckdb.DuckDBPyConnection) -> str:
    """What to read construct scores FROM: the table, or (when rows changed outside ingest) a scoring query."""
    return "response_scores" if scores_fresh(con) else _SCORES_ALL


def refresh_scores(con: duckdb.DuckDBPyConnection, import_id: int | None = None) -> None:
    """Add the construct scores of one import's responses, or (no import_id) rebuild them all."""
    if import_id is None:
        con.execute(_SCORES_REBUILD)
    else:
        con.execute(_SCORES_ADD, [import_id, import_id, import_id])


def mark_scores(con: duckdb.DuckDBPyConnection, import_id: int | None) -> None:
    """Record that response_scores is in step with the data as it is now, after this import.

    The mark goes when the import is undone; data that returns to a marked state (by undoing the
    latest import) is in step again without any work.
    """
    con.execute("INSERT INTO response_scores_marks VALUES (?, ?)", [import_id, _fingerprint(con)])


def _create_scores(con: duckdb.DuckDBPyConnection) -> None:
    """Create the response_scores table; fill it when a database from before it already holds answers."""
    columns = {
        r[0]
        for r in con.execute(
            """SELECT column_name FROM information_schema.columns
            WHERE table_name = 'response_scores' AND table_schema = current_schema()"""
        ).fetchall()
    }
    if "first_in_wave" in columns:
        return
    if not columns:
        con.execute(_SCORES_CREATE)
    refresh_scores(con)  # also replaces a table from before first_in_wave
    mark_scores(con, None)


def _drop_answers_key(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild `answers` of a database from before version 3 without its primary key, keeping its rows.

    The key cost most of an import's time; (response_id, item_id) stays unique because responses
    has its own key and a file's item columns are distinct.
    """
    keyed = con.execute(
        """SELECT count(*) FROM duckdb_constraints()
        WHERE table_name = 'answers' AND constraint_type = 'PRIMARY KEY'
          AND schema_name = current_schema() AND database_name = current_database()"""
    ).fetchone()[0]
    if not keyed:
        return
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("ALTER TABLE answers RENAME TO answers_keyed")
        con.execute(_ANSWERS)
        con.execute("INSERT INTO answers SELECT response_id, item_id, value, import_id FROM answers_keyed")
        con.execute("DROP TABLE answers_keyed")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _add_columns(con: duckdb.DuckDBPyConnection) -> None:
    """Add the optional columns (_ADDED_COLUMNS) a database from before them lacks, empty.

    An added column changes the employees' fingerprint without changing any score, so scores that
    were in step before are marked in step again.
    """
    have = {
        (r[0], r[1])
        for r in con.execute(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()"
        ).fetchall()
    }
    missing = [(t, c) for t, c in _ADDED_COLUMNS if (t, c) not in have]
    if not missing:
        return
    fresh = scores_fresh(con)
    for table, column in missing:
        kind = _ADDED_TYPES.get((table, column), "VARCHAR")
        con.execute(f'ALTER TABLE "{table}" ADD COLUMN "{column}" {kind}')
    if fresh:
        mark_scores(con, None)


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every table that is missing and record the schema version."""
    for statement in _SCHEMA:
        con.execute(statement)
    _drop_answers_key(con)
    _add_columns(con)
    _write_items(con)
    _create_scores(con)
    con.execute(
        "INSERT INTO settings VALUES ('pseudonym_salt', ?) ON CONFLICT DO NOTHING", [secrets.token_hex(16)]
    )
    if con.execute("SELECT count(*) FROM schema_version").fetchone()[0] == 0:
        con.execute("INSERT INTO schema_version VALUES (?)", [SCHEMA_VERSION])
    else:
        con.execute(
            "UPDATE schema_version SET version = ? WHERE version < ?", [SCHEMA_VERSION, SCHEMA_VERSION]
        )


def connect(path: str | os.PathLike | None = None, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the database file and make sure its schema exists."""
    target = db_path(path)
    if not read_only:
        target.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(target), read_only=read_only)
    if not read_only:
        create_schema(con)
    return con


def open_database(path: str | os.PathLike | None = None, hint: str = "") -> duckdb.DuckDBPyConnection:
    """`connect`, with a MutualError a person can act on when the file is locked or unreadable."""
    target = db_path(path)
    try:
        return connect(target)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            holder = re.search(r"held in (.+?) \(PID (\d+)\)", str(exc))
            by = f" ({holder.group(1)}, process id {holder.group(2)})" if holder else ""
            raise MutualError(
                f"The database {target} is in use: another Mutual process{by}, for example the dashboard "
                f"or an import from the command line, has it open. Stop that process and try again{hint}."
            ) from exc
        raise MutualError(f"The database {target} cannot be opened: {exc}") from exc


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Row count of every data table."""
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in DATA_TABLES}
