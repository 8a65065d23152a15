"""Goal Attainment Scaling and participation (sessions logged per pair)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

import duckdb
import pandas as pd

from analytics import privacy
from analytics.filters import ATTRIBUTES, Filters, missing_label, where_sql

__all__ = [
    "gas_distribution",
    "T_BANDS",
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


def _goal_rows(wave: str, rho: float = RHO) -> privacy.Rows:
    """The rows of goal figures for privacy.gate and the figures alike, without the filters.

    One row per participant (their latest cohort) with goal levels at the wave: unit (the participant),
    wave (the one scope), every filter attribute (cohort, role and focus from the roster, the rest from
    the HRIS), goals, t_score, met_pct and met.
    """
    level = _level(wave)
    sql = f"""
        SELECT p.employee_id AS unit, ? AS wave, p.*, count(*) AS goals,
               50 + 10 * sum(g.weight * g.{level})
                   / sqrt((1 - ?) * sum(g.weight * g.weight) + ? * sum(g.weight) ^ 2) AS t_score,
               100.0 * avg(CASE WHEN g.{level} >= 0 THEN 1 ELSE 0 END) AS met_pct,
               count(*) FILTER (WHERE g.{level} >= 0) AS met
        FROM goals g JOIN ({_PEOPLE}) p USING (employee_id)
        WHERE g.{level} IS NOT NULL
        GROUP BY ALL
    """
    return privacy.Rows(sql, (wave, rho, rho))


def _filtered(rows: privacy.Rows, filters: Filters | None) -> tuple[str, list]:
    """SQL (alias r) and parameters of the rows under the filters: what a figure is computed from."""
    condition, params = where_sql(filters, "r")
    return f"SELECT * FROM ({rows.sql}) r WHERE {condition}", [*rows.params, *params]


def _labels(group_by: list[str]) -> tuple[str, list]:
    """SELECT list (each followed by ', ') of the group columns, missing values as filters.missing_label."""
    select = "".join(f'coalesce(CAST("{c}" AS VARCHAR), ?) AS "{c}", ' for c in group_by)
    return select, [missing_label(c) for c in group_by]


def _hidden_reason(
    con: duckdb.DuckDBPyConnection, rows: privacy.Rows, filters: Filters | None, k: int
) -> str | None:
    """privacy.gate's verdict on a list of all the filtered rows (one group): None when shown, else why not."""
    verdict = privacy.gate(
        con, rows, pd.DataFrame(index=[0]), keys=[], values=[], filters=filters, min_group=k
    )
    return verdict["suppressed_reason"].iloc[0]


def _listing(frame: pd.DataFrame, reason: str | None) -> pd.DataFrame:
    """A list of rows as the gate allows it: whole, or empty with attrs suppressed and suppressed_reason."""
    if reason is not None:
        frame = frame.iloc[0:0].copy()
    frame.attrs.update(suppressed=reason is not None, suppressed_reason=reason)
    return frame


def gas_scores(
    con: duckdb.DuckDBPyConnection,
    filters: Filters | None = None,
    wave: str = "post",
    rho: float = RHO,
    min_group: int | None = None,
) -> pd.DataFrame:
    """One row per participant with goal levels at the wave: goals, T-score, % of goals met.

    The filtered participants are one group for privacy.gate: when it hides them, the frame is empty with
    attrs["suppressed"] and attrs["suppressed_reason"], so a distribution of a handful of people is never
    shown.
    """
    k = privacy.min_group() if min_group is None else min_group
    rows = _goal_rows(wave, rho)
    sql, params = _filtered(rows, filters)
    frame = con.execute(f"SELECT * EXCLUDE (unit, wave) FROM ({sql}) ORDER BY employee_id", params).df()
    return _listing(frame, _hidden_reason(con, rows, filters, k))


# T-score bands of the distribution: 10 points (one standard deviation) wide, open at both ends.
T_BANDS = [(-math.inf, 30), (30, 40), (40, 50), (50, 60), (60, 70), (70, math.inf)]


def _band_label(low: float, high: float) -> str:
    if low == -math.inf:
        return f"below {high:g}"
    return f"{low:g} and above" if high == math.inf else f"{low:g} to under {high:g}"


def gas_distribution(
    con: duckdb.DuckDBPyConnection,
    filters: Filters | None = None,
    wave: str = "post",
    min_group: int | None = None,
) -> pd.DataFrame:
    """Participants per GAS T-score band (T_BANDS), through privacy.gate with the band as a category.

    Columns: band (its label), low, high, n (<NA> where hidden), suppressed, suppressed_reason. A band of
    fewer than k participants is hidden with the next-smallest, so the total minus the visible bands
    reveals nothing; nothing per person leaves this function. Empty when no participant has goal levels.
    """
    k = privacy.min_group() if min_group is None else min_group
    base = _goal_rows(wave)
    cases = " ".join(
        f"WHEN t_score < {high} THEN {i}" for i, (_, high) in enumerate(T_BANDS) if high != math.inf
    )
    rows = privacy.Rows(
        f"SELECT *, CASE {cases} ELSE {len(T_BANDS) - 1} END AS band FROM ({base.sql})", base.params
    )
    figure = pd.DataFrame(
        {
            "band": [str(i) for i in range(len(T_BANDS))],
            "low": [low for low, _ in T_BANDS],
            "high": [high for _, high in T_BANDS],
        }
    )
    present = con.execute(
        f"SELECT DISTINCT CAST(band AS VARCHAR) FROM ({rows.sql})", list(rows.params)
    ).fetchall()
    if not present:
        return figure.iloc[0:0].assign(n=pd.array([], dtype="Int64"), suppressed=[], suppressed_reason=[])
    shown = privacy.gate(
        con, rows, figure, keys=["band"], values=[], filters=filters, min_group=k, categories=["band"]
    )
    shown["band"] = [_band_label(low, high) for low, high in zip(shown["low"], shown["high"], strict=True)]
    return shown[["band", "low", "high", "n", "suppressed", "suppressed_reason"]]


def goal_attainment(
    con: duckdb.DuckDBPyConnection,
    group_by: list[str] | None = None,
    filters: Filters | None = None,
    wave: str = "post",
    min_group: int | None = None,
) -> pd.DataFrame:
    """Per group: n participants, goals, mean and sd of the GAS T-score, % of goals met (level >= 0).

    Through privacy.gate: a hidden group has n <NA>, its figures blank, suppressed and suppressed_reason.
    Without group_by, one row (hidden when there are no goal levels at the wave).
    """
    group_by = list(group_by or [])
    for column in group_by:
        if column not in ATTRIBUTES:
            raise ValueError(f"cannot group goals by {column!r}; expected one of {', '.join(ATTRIBUTES)}")
    rows = _goal_rows(wave)
    sql, params = _filtered(rows, filters)
    select, labels = _labels(group_by)
    figure = con.execute(
        f"""SELECT {select} sum(goals) AS goals, avg(t_score) AS mean_t,
                   stddev_samp(t_score) AS sd_t, 100.0 * sum(met) / sum(goals) AS met_pct
            FROM ({sql}) GROUP BY ALL ORDER BY ALL""",
        [*labels, *params],
    ).df()
    values = ["goals", "mean_t", "sd_t", "met_pct"]
    frame = privacy.gate(
        con, rows, figure, keys=group_by, values=values, filters=filters, min_group=min_group
    )
    return frame[[*group_by, "n", *values, "suppressed", "suppressed_reason"]]


def data_date(con: duckdb.DuckDBPyConnection) -> dt.date:
    """The date the data runs to: the latest session, exit or survey submission (today if none)."""
    latest = con.execute(
        """SELECT greatest((SELECT max(date) FROM sessions), (SELECT max(exit_date) FROM employees),
                           (SELECT CAST(max(submitted_at) AS DATE) FROM responses))"""
    ).fetchone()[0]
    return latest or dt.date.today()


# What a pair carries for the filters: its own cohort and focus, and of every other attribute (role too)
# the value its partners share. Partners who differ carry both values joined ("Engineering + Sales",
# "mentee + mentor"), which no filter selects: a pair matches a filter only when both partners do, with
# the same value, and a role filter selects no pair.
_PAIR_OWN = ("cohort", "focus")
_PAIR_SHARED = [c for c in ATTRIBUTES if c not in _PAIR_OWN]


def _shared(column: str) -> str:
    """SQL of a pair's value of a person attribute (see above); one parameter, the missing label."""
    value = f'CAST(m."{column}" AS VARCHAR)'
    return f"""CASE WHEN count({value}) = 0 THEN NULL
                    WHEN count({value}) = count(*) AND min({value}) = max({value}) THEN min({value})
                    ELSE array_to_string(list_sort(list(DISTINCT coalesce({value}, ?))), ' + ')
               END AS "{column}\""""


def _pair_rows(con: duckdb.DuckDBPyConnection, as_of: dt.date | None) -> privacy.Rows:
    """The rows of pair figures for privacy.gate and the figures alike, without the filters.

    One row per pair: unit (the pair), wave (one scope, "pairs"), the attributes a pair carries (above),
    and its session figures. The window runs from the pair's start to min(end, as_of).
    """
    as_of = as_of or data_date(con)
    shared = "".join(f"{_shared(c)}, " for c in _PAIR_SHARED)
    sql = f"""
        WITH members AS (
            SELECT p.*, {", ".join(f"e.{c}" for c in _PERSON)}
            FROM participants p LEFT JOIN employees e USING (employee_id)
        ), pairs AS (
            SELECT pair_id, min(cohort) AS cohort, min(focus) AS focus, {shared}
                   CASE WHEN bool_or(status = 'withdrawn') THEN 'withdrawn'
                        WHEN bool_and(status = 'completed') THEN 'completed' ELSE 'active' END AS status,
                   min(start_date) AS start_date, max(end_date) AS end_date,
                   count(DISTINCT employee_id) AS members
            FROM members m WHERE pair_id IS NOT NULL GROUP BY pair_id
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
        SELECT pair_id, pair_id AS unit, 'pairs' AS wave, {", ".join(f'"{c}"' for c in ATTRIBUTES)},
               status, start_date, end_date, stop, members, sessions, last_session,
               CASE WHEN began <= stop THEN greatest(date_diff('day', began, stop) / {DAYS_PER_MONTH}, 1)
                    END AS months_active,
               sessions / months_active AS sessions_per_month,
               coalesce(sessions_per_month >= 1, FALSE) AS meets_monthly,
               CASE WHEN began <= stop THEN date_diff('day', coalesce(last_session, began), stop)
                    END AS days_since_last,
               coalesce(days_since_last >= {INACTIVE_DAYS}, FALSE) AS inactive
        FROM spans
    """
    return privacy.Rows(sql, (*(missing_label(c) for c in _PAIR_SHARED), as_of, as_of))


_PAIR_COLUMNS = [
    "pair_id",
    "cohort",
    "focus",
    "status",
    "start_date",
    "end_date",
    "stop",
    "members",
    "sessions",
    "last_session",
    "months_active",
    "sessions_per_month",
    "meets_monthly",
    "days_since_last",
    "inactive",
]


def participation(
    con: duckdb.DuckDBPyConnection,
    group_by: list[str] | None = None,
    filters: Filters | None = None,
    as_of: dt.date | None = None,
    min_group: int | None = None,
) -> pd.DataFrame:
    """One row per pair: sessions, months active, sessions per month, last session, inactive.

    The window runs from the pair's start to min(end, as_of); as_of defaults to data_date(). A pair is
    inactive when it has had no session for 60 days at the end of the window; the inactive pairs are
    listed from this. Rows are ordered by the pair attributes in group_by (cohort, focus), then pair.
    The filtered pairs are one group for privacy.gate (unit: the pair; what a pair carries for filters is
    said above _pair_rows): when it hides them, the frame is empty with attrs["suppressed"] and
    attrs["suppressed_reason"], so two filters' lists cannot be set against each other.
    """
    order = ", ".join(f'"{c}"' for c in [*_pair_attributes(group_by), "pair_id"])
    k = privacy.min_group() if min_group is None else min_group
    rows = _pair_rows(con, as_of)
    sql, params = _filtered(rows, filters)
    columns = ", ".join(f'"{c}"' for c in _PAIR_COLUMNS)
    frame = con.execute(f"SELECT {columns} FROM ({sql}) ORDER BY {order}", params).df()
    return _listing(frame, _hidden_reason(con, rows, filters, k))


def _pair_attributes(group_by: list[str] | None) -> list[str]:
    group_by = list(group_by or [])
    for column in group_by:
        if column not in PAIR_ATTRIBUTES:
            raise ValueError(f"pairs can be grouped by {', '.join(PAIR_ATTRIBUTES)}, not {column!r}")
    return group_by


_SUMMARY_VALUES = ["pairs", "participants", "sessions", "sessions_per_month", "meets_monthly_pct", "inactive"]


def participation_summary(
    con: duckdb.DuckDBPyConnection,
    group_by: list[str] | None = None,
    filters: Filters | None = None,
    as_of: dt.date | None = None,
    min_group: int | None = None,
) -> pd.DataFrame:
    """Per group of pairs: n pairs, pairs (the same), participants, sessions, mean sessions per month,
    % meeting monthly, inactive pairs.

    Through privacy.gate with the pair as the unit (k pairs, not k people; what a pair carries for
    filters is said above _pair_rows): a hidden group has n <NA> and its figures blank. Empty when the
    programme has no pairs at all.
    """
    group_by = _pair_attributes(group_by)
    rows = _pair_rows(con, as_of)
    columns = [*group_by, "n", *_SUMMARY_VALUES, "suppressed", "suppressed_reason"]
    if not con.execute(f"SELECT EXISTS ({rows.sql})", list(rows.params)).fetchone()[0]:
        return pd.DataFrame(columns=columns)
    sql, params = _filtered(rows, filters)
    select, labels = _labels(group_by)
    figure = con.execute(
        f"""SELECT {select} count(*) AS pairs, CAST(sum(members) AS BIGINT) AS participants,
                   CAST(sum(sessions) AS BIGINT) AS sessions,
                   avg(sessions_per_month) AS sessions_per_month,
                   100.0 * avg(CASE WHEN meets_monthly THEN 1 ELSE 0 END) AS meets_monthly_pct,
                   count(*) FILTER (WHERE inactive) AS inactive
            FROM ({sql}) GROUP BY ALL ORDER BY ALL""",
        [*labels, *params],
    ).df()
    frame = privacy.gate(
        con, rows, figure, keys=group_by, values=_SUMMARY_VALUES, filters=filters, min_group=min_group
    )
    return frame[columns]


def sessions_by_month(
    con: duckdb.DuckDBPyConnection, filters: Filters | None = None, min_group: int | None = None
) -> pd.DataFrame:
    """Per calendar month with sessions: n pairs meeting, sessions logged, pairs (the same), minutes.

    Through privacy.gate, one row per session with the pair as the unit: a month in which fewer than k
    pairs met is hidden (n <NA>, figures blank), and the months are a breakdown (categories), so a
    hidden month is not the total of sessions minus the visible months.
    """
    pairs = _pair_rows(con, None)
    rows = privacy.Rows(
        f"""SELECT r.* EXCLUDE (wave), CAST(date_trunc('month', s.date) AS DATE) AS month, s.minutes
            FROM sessions s JOIN ({pairs.sql}) r USING (pair_id)""",
        pairs.params,
        scope="month",
    )
    sql, params = _filtered(rows, filters)
    figure = con.execute(
        f"""SELECT month, count(*) AS sessions, count(DISTINCT pair_id) AS pairs, sum(minutes) AS minutes
            FROM ({sql}) GROUP BY ALL ORDER BY month""",
        params,
    ).df()
    values = ["sessions", "pairs", "minutes"]
    frame = privacy.gate(
        con,
        rows,
        figure,
        keys=["month"],
        values=values,
        filters=filters,
        min_group=min_group,
        categories=["month"],
    )
    return frame[["month", "n", *values, "suppressed", "suppressed_reason"]]
