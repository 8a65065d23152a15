"""All SQL takes values as parameters: hostile values are data, and the code formats only reviewed identifiers."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pandas as pd
import pytest
from fixtures_ingest import EMPLOYEES, PARTICIPANTS, csv_bytes, snapshot

import analytics
from analytics import filters as filters_module
from analytics.ingest.load import import_files

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = [
    "x'); DROP TABLE responses; --",
    "'; DELETE FROM employees; --",
    'a"b; DROP TABLE answers',
    "Robert'); DROP TABLE comments;--",
    "%' OR '1'='1",
    "\\'; SELECT 1; --",
]

# ---------------------------------------------------------------- values from files are stored verbatim


def test_hostile_values_in_a_file_are_stored_verbatim_and_run_nothing(con):
    """A wave, a department, a comment question and ids made of SQL land as text; no table is dropped."""
    hris = [row[:] for row in EMPLOYEES]
    hris.append(["E5", HOSTILE[1], "G1", "2020-01-01", "", "", HOSTILE[2]])
    import_files(con, [("hris.csv", csv_bytes(hris)), ("roster.csv", csv_bytes(PARTICIPANTS))])
    question = "x'; DROP TABLE comments; --"
    survey = [
        ["response_id", "employee_id", "wave", "ps_1", f"comment_{question}"],
        [HOSTILE[3], "E5", HOSTILE[0], "3", HOSTILE[4]],
    ]
    (result,) = import_files(con, [("survey.csv", csv_bytes(survey))])
    assert result.waves == [HOSTILE[0]]
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert {"responses", "answers", "comments", "employees", "waves"} <= tables
    assert con.execute("SELECT response_id, wave FROM responses").fetchall() == [(HOSTILE[3], HOSTILE[0])]
    assert con.execute("SELECT wave, kind FROM waves").fetchall() == [(HOSTILE[0], "pulse")]
    # header names are lower-cased like every template column; the quotes and semicolons stay
    assert con.execute("SELECT question, text FROM comments").fetchall() == [(question.lower(), HOSTILE[4])]
    assert con.execute("SELECT department, gender FROM employees WHERE employee_id = 'E5'").fetchall() == [
        (HOSTILE[1], HOSTILE[2])
    ]
    assert con.execute("SELECT count(*) FROM employees").fetchone()[0] == 5  # nothing deleted


def test_an_import_with_a_hostile_wave_can_be_undone(con):
    from analytics.ingest.load import undo_import

    import_files(con, [("hris.csv", csv_bytes(EMPLOYEES))])
    before = snapshot(con)
    survey = [["response_id", "employee_id", "ps_1"], ["R1", "E1", "3"]]
    (result,) = import_files(con, [("s.csv", csv_bytes(survey))], wave=HOSTILE[0])
    assert con.execute("SELECT wave FROM responses").fetchall() == [(HOSTILE[0],)]
    undo_import(con, result.import_id)
    assert snapshot(con) == before


def test_a_filter_value_made_of_sql_matches_exactly_that_value(con):
    """A department named with SQL is found by a filter on exactly that name, and by nothing else."""
    from analytics import overview

    hris = [EMPLOYEES[0], ["E1", HOSTILE[0], "G3", "2020-01-06", "", "", "woman"]]
    hris += [[f"E{i}", "Plain", "G3", "2020-01-06", "", "", "man"] for i in range(2, 5)]
    import_files(con, [("hris.csv", csv_bytes(hris)), ("roster.csv", csv_bytes(PARTICIPANTS))])
    assert overview.programme_size(con, {"department": [HOSTILE[0]]}, min_group=1)["participants"] == 1
    assert overview.programme_size(con, {"department": ["Plain"]}, min_group=1)["participants"] == 3
    # nobody matches "x": the count is not shown (an empty group looks like a hidden one)
    assert overview.programme_size(con, {"department": ["x"]}, min_group=1)["participants"] is None


# ---------------------------------------------------------------- every function that takes filters

ARGUMENTS = {
    "construct": "ps",
    "group_by": ["department"],
    "attribute": "department",
    "drop": 0.5,
}


def _functions_with_filters() -> list[tuple[str, object]]:
    found = []
    for info in pkgutil.walk_packages(analytics.__path__, "analytics."):
        name = info.name.removeprefix("analytics.")
        # privacy's guard functions take the caller's SQL and cells, not a user's filters alone
        if name.startswith(("__", "sample", "ingest")) or name == "privacy" or info.ispkg:
            continue
        module = importlib.import_module(info.name)
        for name in getattr(module, "__all__", []):
            function = getattr(module, name)
            if not inspect.isfunction(function) or function.__module__ != module.__name__:
                continue
            parameters = inspect.signature(function).parameters
            if "filters" in parameters and next(iter(parameters)) == "con":
                found.append((f"{module.__name__.rsplit('.', 1)[-1]}.{function.__name__}", function))
    return found


FUNCTIONS = _functions_with_filters()


def test_every_function_with_filters_is_exercised():
    names = {n for n, _ in FUNCTIONS}
    assert {
        "metrics.group_scores",
        "feedback.comments",
        "retention.retention_summary",
        "stories.consented_stories",
    } <= names
    print(f"functions taking filters: {len(FUNCTIONS)}")


def _call(function, con, filters):
    parameters = inspect.signature(function).parameters
    kwargs = {
        name: ARGUMENTS[name]
        for name, p in parameters.items()
        if name in ARGUMENTS and p.default is inspect.Parameter.empty
    }
    return function(con, filters=filters, **kwargs)


def _comparable(result):
    if isinstance(result, pd.DataFrame):
        return result.reset_index(drop=True).to_dict("list")
    if hasattr(result, "__dataclass_fields__"):
        return {k: _comparable(v) for k, v in vars(result).items()}
    if isinstance(result, dict):
        return {k: _comparable(v) for k, v in result.items()}
    return result


@pytest.mark.parametrize("name, function", FUNCTIONS, ids=[n for n, _ in FUNCTIONS])
def test_hostile_filter_values_behave_like_values_that_match_nothing(name, function, sample_con):
    """Quotes, semicolons and comment markers in filter values are data: same answer as an unknown value."""
    before = snapshot(sample_con)
    expected = _comparable(
        _call(function, sample_con, {"cohort": ["no such cohort"], "department": ["none"]})
    )
    hostile = _comparable(_call(function, sample_con, {"cohort": HOSTILE, "department": HOSTILE[:2]}))
    assert repr(hostile) == repr(expected)
    assert snapshot(sample_con) == before


@pytest.mark.parametrize("name, function", FUNCTIONS, ids=[n for n, _ in FUNCTIONS])
def test_a_hostile_filter_attribute_is_refused(name, function, sample_con):
    """A filter key is an identifier: anything outside filters.ATTRIBUTES is refused before any SQL runs."""
    with pytest.raises(ValueError, match="unknown attribute"):
        _call(function, sample_con, {'cohort" = cohort; DROP TABLE responses; --': ["x"]})
    assert sample_con.execute("SELECT count(*) FROM responses").fetchone()[0] > 0


def test_where_sql_puts_values_in_parameters_only():
    condition, params = filters_module.where_sql({"cohort": HOSTILE, "role": ["mentor"]})
    assert condition == 'TRUE AND r."cohort" IN (?, ?, ?, ?, ?, ?) AND r."role" IN (?)'
    assert params == [*HOSTILE, "mentor"]


@pytest.mark.parametrize("group_by", [['department"; DROP TABLE responses; --'], ["1; SELECT 1"]])
def test_a_hostile_group_by_is_refused(sample_con, group_by):
    from analytics import metrics

    with pytest.raises(ValueError):
        metrics.group_scores(sample_con, "ps", group_by)


# ---------------------------------------------------------------- the static check

_SQL_WORDS = re.compile(
    r"\b(SELECT|INSERT|DELETE|UPDATE|FROM|WHERE|JOIN|CREATE|DROP|AND|OR|IN|AS|ORDER BY|GROUP BY|CASE WHEN|"
    r"PARTITION BY|IS NOT NULL|NULLS LAST|VARCHAR)\b"
)

# .format() calls on SQL text, per module, each reviewed with the reason it is safe. The key is the
# whole call as written, so any change to what is formatted in needs a new review.
REVIEWED_FORMAT = {
    "analytics/store/db.py": {
        "_SCORES_SELECT.format(answers='TRUE', responses='TRUE', first='')": (
            "built once at import from constant SQL fragments; no value reaches it"
        ),
        "_SCORES_SELECT.format(answers='import_id = ?', responses='r.import_id = ?', first=_NOT_FIRST_YET)": (
            "constant fragments; the import id goes in as a ? parameter (_NOT_FIRST_YET is a constant too)"
        ),
        "_SCORES_SELECT.format(answers='FALSE', responses='TRUE', first='')": (
            "built once at import from constant SQL fragments; no value reaches it"
        ),
    },
}


_DB_FORMAT_CALLS = tuple(REVIEWED_FORMAT["analytics/store/db.py"])


# Every expression formatted into SQL text, per module, reviewed: each is an identifier Mutual chose
# (a table or column name from the schema, a checked attribute from filters.ATTRIBUTES), a SQL
# fragment built from such identifiers, or a run of '?' placeholders. Values go in parameters.
# A new interpolation makes the test fail until it is reviewed and added here.
REVIEWED = {
    "analytics/change.py": {
        "attributes",
        "condition",
        "rows.sql",
        "sql",
    },
    "analytics/comparison.py": {
        "base",
    },
    "analytics/store/db.py": {  # with the reason for each, since the scan also reads + and .format()
        "t": "a table name from the constant DATA_TABLES",
        "table": "a table name from the constant _ADDED_COLUMNS (columns added to older databases)",
        "column": "a column name from the constant _ADDED_COLUMNS (columns added to older databases)",
        "_SCORES_ALL": "a constant statement built at import from _SCORES_SELECT (see REVIEWED_FORMAT)",
        **{call: "a reviewed .format() of constants (REVIEWED_FORMAT)" for call in _DB_FORMAT_CALLS},
    },
    "analytics/text/feedback.py": {
        "' AND '.join(clauses)",
        "base",
    },
    "analytics/filters.py": {
        "', '.join(('?' for _ in values))",
        "alias",
        "attribute",
        "column",
    },
    "analytics/goals.py": {
        "', '.join((f'\"{c}\"' for c in ATTRIBUTES))",
        "', '.join((f'e.{c}' for c in _PERSON))",
        "', '.join(order)",
        "DAYS_PER_MONTH",
        "INACTIVE_DAYS",
        "_PEOPLE",
        "base.sql",
        "c",
        "cases",
        "column",
        "columns",
        "combo",
        "condition",
        "len(T_BANDS) - 1",
        "level",
        "names",
        "order",
        "pairs.sql",
        "privacy.cell_column(c)",
        "rows.sql",
        "select",
        "sets",
        "shared",
        "sql",
        "value",
    },
    "analytics/ingest/checks.py": {
        "column",
        "columns",
        "on",
        "table",
    },
    "analytics/ingest/fast.py": {
        "' UNION ALL '.join((part for _ in slices))",
        "', '.join(ATTRIBUTE_COLUMNS)",
        "', '.join(columns)",
        "ROWS",
        "_TEXTS",
        "_cells(screened)",
        "_q(c)",
        "_q(name)",
        "attributes",
        "chosen",
        "columns",
        "distinct_sql",
        "employee",
        "items",
        "name",
        "rows_sql",
        "stamp",
        "used",
        "value",
        "wave_sql",
    },
    "analytics/ingest/fast_checks.py": {
        "' OR '.join(conditions) or 'false'",
        "', '.join(('?' for _ in longer))",
        "', '.join(checks)",
        "', '.join(exact)",
        "', '.join(joined)",
        "', '.join(parts)",
        "ROWS",
        "_SPACES",
        "by_wave",
        "cell",
        "end",
        "file_wave",
        "last",
        "quote(name)",
        "stamps",
    },
    "analytics/ingest/load.py": {
        "_RELATION",
        "columns",
        "table",
    },
    "analytics/metrics.py": {
        "rows",
        "', '.join(('?' for _ in kinds))",
        "', '.join(('?' for _ in waves))",
        "', '.join(keys)",
        "_RESPONDENT",
        "_missing(c)",
        "_order(group_by)",
        "_order(group_by, 'item_id')",
        "_select(group_by)",
        "base",
        "c",
        "condition",
        "missing_label(c)",
        "n",
        "placeholders",
        "rows.sql",
        "sql",
    },
    "analytics/overview.py": {
        "_INVITED",
        "_RESPONDED",
        "_ROSTER",
        "a",
        "alias",
        "base",
        "cells",
        "columns('e', programme=False)",
        "columns('p')",
        "columns('r')",
        "condition",
        "employee_condition",
        "privacy.cell_column(a)",
        "roster_condition",
    },
    "analytics/privacy.py": {
        "' ORDER BY ALL' if keys else ''",  # a constant clause, chosen by whether there are keys
        "a",
        "base",
        "by",
        "by.rstrip(', ')",
        "cell_column(a)",
        "columns",
        "condition",
        "join",
        "key",
        "n",
        "name",
        "names",
        "other.sql",
        "other.unit",
        "rows.scope",
        "rows.unit",
        "select",
        "source",
        "values",
        "where",
    },
    "analytics/report/data.py": {
        "base",
        "condition",
    },
    "analytics/retention.py": {
        "a",
        "c_where",
        "columns",
        "p_where",
        "people",
        "privacy.cell_column(a)",
    },
    "analytics/store/score_rows.py": {
        "', '.join(('?' for _ in waves))",
        "condition",
        "dropped",
        "source",
    },
    "analytics/text/comments.py": {
        "base",
        "columns",
        "condition",
        "g",
        "keys",
        "order",
        "sql",
        "timing",
    },
    "analytics/stories.py": {
        "_CONSENTED",
        "_stories_sql('TRUE')",
        "_stories_sql(condition)",
        "column",
        "condition",
    },
    "analytics/text/themes.py": {
        "'PARTITION BY wave' if by_wave else ''",
        "'min(opened_on) AS opened_on, ' if by_wave else ''",
        "sql",
        "view",
        "wave_keys",
    },
}


def _sql_text(node: ast.AST, constants: dict[str, str] | None = None) -> str:
    """The literal text of a string, f-string, concatenation, .format() call or named string constant."""
    constants = constants or {}
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values if isinstance(v, ast.Constant))
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):
        return constants.get(node.id, "")
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _sql_text(node.left, constants) + " " + _sql_text(node.right, constants)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return _sql_text(node.func.value, constants)
    return ""


def _string_constants(tree: ast.AST) -> dict[str, str]:
    """Names assigned a string (literal, f-string or concatenation) anywhere in the module: their text."""
    constants: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            text = _sql_text(node.value, constants)
            for target in targets:
                if isinstance(target, ast.Name) and text:
                    constants[target.id] = constants.get(target.id, "") + " " + text
    return constants


def _operands(node: ast.AST) -> list[ast.AST]:
    """The pieces of a chain of + (a + b + c), in order."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return [*_operands(node.left), *_operands(node.right)]
    return [node]


def _scan(source: str) -> tuple[set[str], list[str]]:
    """Expressions formatted or concatenated into SQL text, and uses of % or .format on SQL text.

    An f-string holding SQL words contributes its {expressions}. A + chain with SQL words in any of its
    pieces contributes each piece that is not a plain string literal (an f-string piece contributes its
    {expressions}), so a value cannot be glued on beside the SQL. % on SQL text, and .format() on SQL
    text (a literal, or a name assigned one), are returned as `forbidden` ("line n: ... | call").
    """
    tree = ast.parse(source)
    constants = _string_constants(tree)
    formatted, forbidden = set(), []
    chained: set[int] = set()  # + nodes already scanned as part of a longer chain
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr) and _SQL_WORDS.search(_sql_text(node)):
            formatted |= {ast.unparse(v.value) for v in node.values if isinstance(v, ast.FormattedValue)}
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) and id(node) not in chained:
            chained |= {id(n) for n in ast.walk(node) if isinstance(n, ast.BinOp)}
            pieces = _operands(node)
            if any(_SQL_WORDS.search(_sql_text(piece, constants)) for piece in pieces):
                for piece in pieces:
                    if isinstance(piece, ast.JoinedStr):
                        formatted |= {
                            ast.unparse(v.value) for v in piece.values if isinstance(v, ast.FormattedValue)
                        }
                    elif not (isinstance(piece, ast.Constant) and isinstance(piece.value, str)):
                        formatted.add(ast.unparse(piece))
        if (
            isinstance(node, ast.BinOp)
            and isinstance(node.op, ast.Mod)
            and _SQL_WORDS.search(_sql_text(node.left, constants))
        ):
            forbidden.append(f"line {node.lineno}: % formatting of SQL | {ast.unparse(node)}")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "format"
            and _SQL_WORDS.search(_sql_text(node.func.value, constants))
        ):
            forbidden.append(f"line {node.lineno}: .format() of SQL | {ast.unparse(node)}")
    return formatted, forbidden


def test_static_check_finds_a_value_formatted_into_sql():
    """The scanner itself: it must catch every way of formatting a value into SQL."""
    formatted, forbidden = _scan(
        "con.execute(f\"SELECT * FROM responses WHERE wave = '{wave}'\")\n"
        "con.execute(\"SELECT * FROM responses WHERE wave = '%s'\" % wave)\n"
        "con.execute(\"SELECT * FROM responses WHERE wave = '{}'\".format(wave))\n"
    )
    assert formatted == {"wave"} and len(forbidden) == 2


@pytest.mark.parametrize(
    ("snippet", "flagged"),
    [
        # .format() on a named SQL constant, as analytics/store/db.py builds its statements
        ("Q = 'SELECT * FROM responses WHERE wave = {w}'\ncon.execute(Q.format(w=wave))", "forbidden"),
        # .format() on a multi-line SQL literal
        ('con.execute("""SELECT *\n FROM t WHERE a = {}""".format(a))', "forbidden"),
        # a value glued onto SQL with +
        ('con.execute("SELECT * FROM responses WHERE wave = \'" + wave + "\'")', "wave"),
        # an f-string without SQL words of its own, concatenated onto SQL
        ("con.execute('SELECT * FROM responses WHERE wave = ' + f\"'{wave}'\")", "wave"),
        # a named SQL constant with a value appended
        ("BASE = 'DELETE FROM answers WHERE item_id = '\ncon.execute(BASE + item)", "item"),
        # an f-string concatenated before plain SQL
        ("sql = f\"'{wave}'\" + ' = wave FROM responses'\ncon.execute('SELECT * ' + sql)", "wave"),
    ],
)
def test_static_check_finds_format_and_concatenation(snippet, flagged):
    formatted, forbidden = _scan(snippet)
    if flagged == "forbidden":
        assert len(forbidden) == 1, forbidden
    else:
        assert flagged in formatted, formatted


def test_static_check_lets_plain_string_concatenation_of_sql_through():
    formatted, forbidden = _scan("con.execute('SELECT * FROM responses ' + 'WHERE wave = ?', [wave])")
    assert formatted == set() and forbidden == []


def test_analytics_formats_only_reviewed_identifiers_into_sql():
    unreviewed, forbidden = {}, {}
    for path in sorted((ROOT / "analytics").rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        formatted, bad = _scan(path.read_text())
        extra = formatted - set(REVIEWED.get(name, ()))
        if extra:
            unreviewed[name] = sorted(extra)
        bad = [b for b in bad if b.split(" | ", 1)[1] not in REVIEWED_FORMAT.get(name, {})]
        if bad:
            forbidden[name] = bad
    assert not forbidden, forbidden
    assert not unreviewed, f"review these SQL interpolations (identifiers only, values as ?): {unreviewed}"


def test_pages_hold_no_sql():
    for path in sorted((ROOT / "views").glob("*.py")):
        source = path.read_text()
        assert ".execute(" not in source and ".sql(" not in source, path.name
