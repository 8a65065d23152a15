"""Goal Attainment Scaling and participation (sessions logged per pair)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

import duckdb
import pandas as pd

from analytics import privacy
from analytics.filters import ATTRIBUTES, Filters, selected, where_sql

__all__ = [
    "RHO",
    "PAIR_ATTRIBUTES",
    "INACTIVE_DAYS",
    "gas_t_score",
    "gas_scores",
    "goal_attainment",
    "data_date",
    "participation",
    "participation_summary",
    "sessions_by_month",
]

RHO = 0.3  # the conventional inter-goal correlation of Kiresuk and Sherman
PAIR_ATTRIBUTES = ("cohort", "focus")
INACTIVE_DAYS = 60
DAYS_PER_MONTH = 365.25 / 12
_LEVEL_COLUMN = {"mid": "level_mid", "post": "level_post"}
_PERSON = [c for c in ATTRIBUTES if c not in ("cohort", "role", "focus")]

# One row per participant (their latest cohort) with the HRIS attributes filters and breakdowns use.
_PEOPLE = f"""
    SELECT p.employee_id, p.cohort, p.role, p.pair_id, p.focus, p.status, p.start_date, p.end_date,
           {", ".join(f"e.{c}" for c in _PERSON)}
    FROM (SELECT * FROM participants
          QUALIFY row_number() OVER (PARTITION BY employee_id ORDER BY start_date DESC) = 1) p
    LEFT JOIN employees e USING (employee_id)
"""


def gas_t_score(levels: Sequence[float], weights: Sequence[float] | None = None, rho: float = RHO) -> float:
    """The Kiresuk-Sherman T-score: 50 + 10 sum(w x) / sqrt((1 - rho) sum(w^2) + rho (sum w)^2)."""
    weights = [1.0] * len(levels) if weights is None else list(weights)
    if len(weights) != len(levels) or not levels:
        raise ValueError("levels and weights must be non-empty and of the same length")
    weighted = sum(w * x for w, x in zip(weights, levels, strict=True))
    spread = math.sqrt((1 - rho) * sum(w * w for w in weights) + rho * sum(weights) ** 2)
    return 50 + 10 * weighted / spread


def _level(wave: str) -> str:
    if wave not in _LEVEL_COLUMN:
        raise ValueError(f"goal levels are recorded at {', '.join(_LEVEL_COLUMN)}, not {wave!r}")
    return _LEVEL_COLUMN[wave]


def _scores_sql(filters: Filters | None, wave: str, rho: float) -> tuple[str, list]:
    level = _level(wave)
    condition, params = where_sql(filters, "p")
    sql = f"""
        SELECT p.*, count(*) AS goals,
               50 + 10 * sum(g.weight * g.{level})
                   / sqrt((1 - ?) * sum(g.weight * g.weight) + ? * sum(g.weight) ^ 2) AS t_score,
               100.0 * avg(CASE WHEN g.{level} >= 0 THEN 1 ELSE 0 END) AS met_pct,
               count(*) FILTER (WHERE g.{level} >= 0) AS met
        FROM goals g JOIN ({_PEOPLE}) p USING (employee_id)
        WHERE g.{level} IS NOT NULL AND {condition}
        GROUP BY ALL
    """
    return sql, [rho, rho, *params]


def gas_scores(
    con: duckdb.DuckDBPyConnection,
    filters: Filters | None = None,
    wave: str = "post",
    rho: float = RHO,
    min_group: int | None = None,
) -> pd.DataFrame:
    """One row per participant with goal levels at the wave: goals, T-score, % of goals met.

    Empty when the filters leave fewer than min_group participants, so a distribution of a handful
    of people is never shown.
    """
    k = privacy.min_group() if min_group is None else min_group
    sql, params = _scores_sql(filters, wave, rho)
    frame = con.execute(f"SELECT * FROM ({sql}) ORDER BY employee_id", params).df()
    if len(frame) < k or privacy.hides_all(_goals_guard(con, [], filters, wave, k)):
        return frame.iloc[0:0]
    return frame


def _goals_guard(
    con: duckdb.DuckDBPyConnection, keys: list[str], filters: Filters | None, wave: str, k: int
) -> pd.DataFrame:
    """privacy.guard_sql for goal figures: cells of participants with goal levels at the wave."""
    base, params = _scores_sql(None, wave, RHO)
    return privacy.guard_sql(con, base, params, _keys(keys), keys, filters, "count(*)", k)


def _keys(group_by: list[str]) -> str:
    return "".join(f'coalesce(CAST("{c}" AS VARCHAR), \'Not recorded\') AS "{c}", ' for c in group_by)


def goal_attainment(
    con: duckdb.DuckDBPyConnection,
    group_by: list[str] | None = None,
    filters: Filters | None = None,
    wave: str = "post",
    min_group: int | None = None,
) -> pd.DataFrame:
    """Per group: n participants, mean and sd of the GAS T-score, % of goals met (level >= 0)."""
    group_by = list(group_by or [])
    for column in group_by:
        if column not in ATTRIBUTES:
            raise ValueError(f"cannot group goals by {column!r}; expected one of {', '.join(ATTRIBUTES)}")
    k = privacy.min_group() if min_group is None else min_group
    sql, params = _scores_sql(filters, wave, RHO)
    values = ["mean_t", "sd_t", "met_pct"]
    select = _keys(group_by)
    total = con.execute(f"SELECT count(*) FROM ({sql})", params).fetchone()[0]
    if total < k:
        return pd.DataFrame(columns=[*group_by, "n", "goals", *values, "suppressed"])
    frame = con.execute(
        f"""SELECT {select} count(*) AS n, sum(goals) AS goals, avg(t_score) AS mean_t,
                   stddev_samp(t_score) AS sd_t, 100.0 * sum(met) / sum(goals) AS met_pct
            FROM ({sql}) GROUP BY ALL ORDER BY ALL""",
        params,
    ).df()
    hide = privacy.hidden_mask(frame, _goals_guard(con, group_by, filters, wave, k), group_by)
    return privacy.suppress_groups(frame, [*values, "goals"], group_by, None, k, hide=hide)


def data_date(con: duckdb.DuckDBPyConnection) -> dt.date:
    """The date the data runs to: the latest session, exit or survey submission (today if none)."""
    latest = con.execute(
        """SELECT greatest((SELECT max(date) FROM sessions), (SELECT max(exit_date) FROM employees),
                           (SELECT CAST(max(submitted_at) AS DATE) FROM responses))"""
    ).fetchone()[0]
    return latest or dt.date.today()


def _pairs_sql(
    con: duckdb.DuckDBPyConnection, filters: Filters | None, as_of: dt.date | None
) -> tuple[str, list]:
    """One row per pair with at least one member matching the filters, with its session figures."""
    as_of = as_of or data_date(con)
    condition, params = where_sql(filters, "m")
    sql = f"""
        WITH members AS (
            SELECT p.*, {", ".join(f"e.{c}" for c in _PERSON)}
            FROM participants p LEFT JOIN employees e USING (employee_id)
        ), pairs AS (
            SELECT pair_id, min(cohort) AS cohort, min(focus) AS focus,
                   CASE WHEN bool_or(status = 'withdrawn') THEN 'withdrawn'
                        WHEN bool_and(status = 'completed') THEN 'completed' ELSE 'active' END AS status,
                   min(start_date) AS start_date, max(end_date) AS end_date,
                   count(DISTINCT employee_id) AS members
            FROM members m GROUP BY pair_id HAVING bool_or({condition})
        ), bounded AS (
            SELECT pairs.*, least(coalesce(end_date, CAST(? AS DATE)), CAST(? AS DATE)) AS stop FROM pairs
        ), logged AS (
            SELECT b.pair_id, count(s.date) AS sessions, max(s.date) AS last_session,
                   min(s.date) AS first_session
            FROM bounded b LEFT JOIN sessions s ON s.pair_id = b.pair_id AND s.date <= b.stop
            GROUP BY b.pair_id
        ), spans AS (
            SELECT b.*, l.sessions, l.last_session, coalesce(b.start_date, l.first_session) AS began
            FROM bounded b JOIN logged l USING (pair_id)
        )
        SELECT pair_id, cohort, focus, status, start_date, end_date, stop, members, sessions, last_session,
               CASE WHEN began <= stop THEN greatest(date_diff('day', began, stop) / {DAYS_PER_MONTH}, 1)
                    END AS months_active,
               sessions / months_active AS sessions_per_month,
               coalesce(sessions_per_month >= 1, FALSE) AS meets_monthly,
               CASE WHEN began <= stop THEN date_diff('day', coalesce(last_session, began), stop)
                    END AS days_since_last,
               coalesce(days_since_last >= {INACTIVE_DAYS}, FALSE) AS inactive
        FROM spans
    """
    return sql, [*params, as_of, as_of]


def _pair_cells(con: duckdb.DuckDBPyConnection, group_by: list[str], filters: Filters | None) -> pd.DataFrame:
    """The cells pair figures are made of: pairs by group and by the set of their members' filtered values.

    A pair is in a filtered result when any member matches, so a result is a union of these cells; n
    counts the members, as the pair figures do, and `covered` marks the cells the filter takes in.
    """
    chosen = list(selected(filters))
    condition, params = where_sql(filters, "m")
    combo = f"to_json([{', '.join(f'm.{c}' for c in chosen)}])"
    # Each attribute's set of member values too: the cells are protected like a cross-breakdown of these.
    sets = "".join(
        f"array_to_string(list_sort(list(DISTINCT coalesce(m.{c}, ''))), '/') AS {privacy.cell_column(c)}, "
        for c in chosen
    )
    select = "".join(f'"{c}", ' for c in group_by)
    names = "".join(f"{privacy.cell_column(c)}, " for c in chosen)
    return con.execute(
        f"""WITH members AS (
                SELECT p.*, {", ".join(f"e.{c}" for c in _PERSON)}
                FROM participants p LEFT JOIN employees e USING (employee_id)
            ), pairs AS (
                SELECT pair_id, min(cohort) AS cohort, min(focus) AS focus,
                       count(DISTINCT employee_id) AS members,
                       array_to_string(list_sort(list(DISTINCT {combo})), '/') AS signature, {sets}
                       bool_or({condition}) AS covered
                FROM members m GROUP BY pair_id
            )
            SELECT {select} signature, {names} bool_or(covered) AS covered, CAST(sum(members) AS BIGINT) AS n
            FROM pairs GROUP BY ALL""",
        params,
    ).df()


def _pairs_guard(
    con: duckdb.DuckDBPyConnection, group_by: list[str], filters: Filters | None, k: int
) -> pd.DataFrame:
    """privacy.guard_cells for pair figures (no filters: nothing hidden)."""
    if not selected(filters):
        return pd.DataFrame(columns=group_by)
    cells = _pair_cells(con, group_by, filters)
    columns = [privacy.cell_column(c) for c in selected(filters)]
    return privacy.guard_cells(cells, group_by, columns, cells["covered"].to_numpy(dtype=bool), k)


def participation(
    con: duckdb.DuckDBPyConnection,
    group_by: list[str] | None = None,
    filters: Filters | None = None,
    as_of: dt.date | None = None,
    min_group: int | None = None,
) -> pd.DataFrame:
    """One row per pair: sessions, months active, sessions per month, last session, inactive.

    The window runs from the pair's start to min(end, as_of); as_of defaults to data_date().
    A pair is inactive when it has had no session for 60 days at the end of the window. Rows are
    ordered by the pair attributes in group_by (cohort, focus), then pair. With filters, empty (with
    `attrs["suppressed"]`) when the pairs are made partly of a protected cell (privacy.guard_cells), so
    two filters' lists cannot be set against each other to learn a few people's attributes.
    """
    order = [*_pair_attributes(group_by), "pair_id"]
    sql, params = _pairs_sql(con, filters, as_of)
    frame = con.execute(f"SELECT * FROM ({sql}) ORDER BY {', '.join(order)}", params).df()
    k = privacy.min_group() if min_group is None else min_group
    if privacy.hides_all(_pairs_guard(con, [], filters, k)):
        frame = frame.iloc[0:0]
        frame.attrs["suppressed"] = True
    return frame


def _pair_attributes(group_by: list[str] | None) -> list[str]:
    group_by = list(group_by or [])
    for column in group_by:
        if column not in PAIR_ATTRIBUTES:
            raise ValueError(f"pairs can be grouped by {', '.join(PAIR_ATTRIBUTES)}, not {column!r}")
    return group_by


def participation_summary(
    con: duckdb.DuckDBPyConnection,
    group_by: list[str] | None = None,
    filters: Filters | None = None,
    as_of: dt.date | None = None,
    min_group: int | None = None,
) -> pd.DataFrame:
    """Per group of pairs: pairs, n participants, sessions, mean sessions per month, % meeting monthly,
    inactive pairs. Groups with fewer than min_group participants are suppressed."""
    group_by = _pair_attributes(group_by)
    sql, params = _pairs_sql(con, filters, as_of)
    select = "".join(f'"{c}", ' for c in group_by)
    frame = con.execute(
        f"""SELECT {select} count(*) AS pairs, CAST(sum(members) AS BIGINT) AS n,
                   CAST(sum(sessions) AS BIGINT) AS sessions,
                   avg(sessions_per_month) AS sessions_per_month,
                   100.0 * avg(CASE WHEN meets_monthly THEN 1 ELSE 0 END) AS meets_monthly_pct,
                   count(*) FILTER (WHERE inactive) AS inactive
            FROM ({sql}) GROUP BY ALL ORDER BY ALL""",
        params,
    ).df()
    if frame.empty or frame["pairs"].sum() == 0:
        return frame.iloc[0:0]
    values = ["sessions", "sessions_per_month", "meets_monthly_pct", "inactive"]
    k = privacy.min_group() if min_group is None else min_group
    hide = privacy.hidden_mask(frame, _pairs_guard(con, group_by, filters, k), group_by)
    return privacy.suppress_groups(frame, values, group_by, None, k, hide=hide)


def sessions_by_month(
    con: duckdb.DuckDBPyConnection, filters: Filters | None = None, min_group: int | None = None
) -> pd.DataFrame:
    """Per calendar month: sessions logged, distinct pairs meeting, minutes (pairs matching filters).

    Empty when the filtered pairs have fewer than `min_group` participants (default
    `privacy.min_group()`), like the participation figures beside it.
    """
    k = min_group if min_group is not None else privacy.min_group()
    sql, params = _pairs_sql(con, filters, None)
    frame = con.execute(
        f"""SELECT CAST(date_trunc('month', s.date) AS DATE) AS month, count(*) AS sessions,
                   count(DISTINCT s.pair_id) AS pairs, sum(s.minutes) AS minutes
            FROM sessions s WHERE s.pair_id IN (SELECT pair_id FROM ({sql}))
            GROUP BY ALL ORDER BY month""",
        params,
    ).df()
    members = con.execute(f"SELECT coalesce(sum(members), 0) FROM ({sql})", params).fetchone()[0]
    if members < k or privacy.hides_all(_pairs_guard(con, [], filters, k)):
        return frame.iloc[0:0]
    return frame
