"""Retention: Kaplan-Meier curves, retention at 6 and 12 months, log-rank test (DESIGN.md section 4).

Time runs from programme start to voluntary exit. Involuntary exits are censored at their exit date
and everyone still employed is censored at the data date (the latest session, exit or survey
submission, as everywhere in the product), not today, so a result does not drift while the data
stands still.

The comparison group: every cohort starts on the earliest start date of its participants. An
employee who never took part, and who was employed on a cohort's start date, joins the comparison
group from the start of the earliest such cohort (of the cohorts the filters select). Filters on
role or focus select participants only; the comparison group has neither.
"""

from __future__ import annotations

import math

import duckdb
import numpy as np
import pandas as pd
from scipy import stats

from analytics import goals, privacy
from analytics.filters import ATTRIBUTES, Filters, selected, where_sql
from analytics.privacy import min_group as default_min_group

__all__ = [
    "DAYS_PER_MONTH",
    "GROUPS",
    "kaplan_meier",
    "survival_at",
    "data_date",
    "retention_data",
    "retention_summary",
    "retention_curves",
]

DAYS_PER_MONTH = 365.25 / 12
GROUPS = ("participants", "comparison")
_PROGRAMME_ONLY = ("role", "focus")
_Z = stats.norm.ppf(0.975)


def kaplan_meier(durations: np.ndarray | list, events: np.ndarray | list) -> pd.DataFrame:
    """The Kaplan-Meier survival function with 95 % Greenwood log-log confidence limits.

    One row per distinct time (event or censoring): time, at_risk, events, censored, survival,
    ci_low, ci_high. The limits are NaN where they are undefined (before the first event).
    """
    t = np.asarray(durations, dtype="float64")
    observed = np.asarray(events, dtype=bool)
    if t.shape != observed.shape:
        raise ValueError("durations and events must have the same length")
    if t.size == 0:
        columns = ["time", "at_risk", "events", "censored", "survival", "ci_low", "ci_high"]
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in columns})
    times, inverse = np.unique(t, return_inverse=True)
    exits = np.bincount(inverse, weights=observed, minlength=times.size)
    leaving = np.bincount(inverse, minlength=times.size)
    at_risk = t.size - np.concatenate([[0], np.cumsum(leaving)[:-1]])
    with np.errstate(divide="ignore", invalid="ignore"):
        survival = np.cumprod(1 - exits / at_risk)
        greenwood = np.cumsum(np.where(at_risk > exits, exits / (at_risk * (at_risk - exits)), np.inf))
        log_s = np.log(survival)
        spread = _Z * np.sqrt(greenwood) / np.abs(log_s)
        defined = (survival > 0) & (survival < 1) & np.isfinite(spread)
        ci_low = np.where(defined, survival ** np.exp(spread), np.nan)
        ci_high = np.where(defined, survival ** np.exp(-spread), np.nan)
    return pd.DataFrame(
        {
            "time": times,
            "at_risk": at_risk.astype("int64"),
            "events": exits.astype("int64"),
            "censored": (leaving - exits).astype("int64"),
            "survival": survival,
            "ci_low": ci_low,
            "ci_high": ci_high,
        }
    )


def survival_at(table: pd.DataFrame, time: float) -> float | None:
    """S(time) from a `kaplan_meier` table; None when no one was followed that long."""
    if table.empty or table["time"].max() < time:
        return None
    before = table[table["time"] <= time]
    return 1.0 if before.empty else float(before["survival"].iloc[-1])


def data_date(con: duckdb.DuckDBPyConnection) -> pd.Timestamp:
    """The date everyone still employed is censored at: the product's data date (goals.data_date)."""
    return pd.Timestamp(goals.data_date(con))


def _split_filters(filters: Filters | None) -> tuple[dict, dict]:
    """Filters for participants, and the same without role and focus for the comparison group."""
    chosen = {k: v for k, v in (filters or {}).items() if v}
    return chosen, {k: v for k, v in chosen.items() if k not in _PROGRAMME_ONLY}


def _people_sql(filters: Filters | None) -> tuple[str, list]:
    """The CTEs `cohorts` and `people`: one row per employee and cohort they may be followed from."""
    participant_filters, comparison_filters = _split_filters(filters)
    p_where, p_params = where_sql(participant_filters, "x")
    c_where, c_params = where_sql(comparison_filters, "x")
    sql = f"""
        cohorts AS (
            SELECT cohort, min(start_date) AS cohort_start FROM participants GROUP BY cohort
        ),
        people AS (
            SELECT x.* FROM (
                SELECT e.*, 'participants' AS "group", p.cohort, p.role, p.focus,
                       coalesce(p.start_date, c.cohort_start) AS start
                FROM participants p JOIN employees e USING (employee_id) JOIN cohorts c USING (cohort)
            ) x
            WHERE {p_where}
            UNION ALL BY NAME
            SELECT x.* FROM (
                SELECT e.*, 'comparison' AS "group", c.cohort, NULL::VARCHAR AS role,
                       NULL::VARCHAR AS focus, c.cohort_start AS start
                FROM employees e CROSS JOIN cohorts c
                WHERE e.employee_id NOT IN (SELECT employee_id FROM participants)
                  AND coalesce(e.hire_date <= c.cohort_start, TRUE)
                  AND (e.exit_date IS NULL OR e.exit_date > c.cohort_start)
            ) x
            WHERE {c_where}
        )"""
    return sql, [*p_params, *c_params]


def retention_data(con: duckdb.DuckDBPyConnection, filters: Filters | None = None) -> pd.DataFrame:
    """One row per employee: group, cohort, start, end, duration_days, duration_months, event.

    event is True for a voluntary exit; otherwise (involuntary exit, exit of unknown type, still
    employed) the row is censored at `end`.
    """
    people, people_params = _people_sql(filters)
    sql = f"""
        WITH {people},
        first_start AS (  -- each employee from their earliest start (then cohort): a grouped minimum
            SELECT employee_id, arg_min("group", (start, cohort)) AS "group",
                   arg_min(cohort, (start, cohort)) AS cohort, min(start) AS start,
                   any_value(exit_date) AS exit_date, any_value(exit_type) AS exit_type
            FROM people WHERE start IS NOT NULL GROUP BY employee_id
        ),
        ends AS (
            SELECT employee_id, "group", cohort, start,
                   CASE WHEN exit_date IS NOT NULL AND exit_date <= ? THEN exit_date ELSE ? END AS "end",
                   exit_date IS NOT NULL AND exit_date <= ?
                       AND lower(trim(coalesce(exit_type, ''))) = 'voluntary' AS event
            FROM first_start
        )
        SELECT employee_id, "group", cohort, start, "end",
               datediff('day', start, "end") AS duration_days,
               datediff('day', start, "end") / ? AS duration_months,
               event
        FROM ends
        WHERE "end" >= start
        ORDER BY "group" DESC, employee_id
    """
    last = data_date(con).date()
    params = [*people_params, last, last, last, DAYS_PER_MONTH]
    frame = con.execute(sql, params).df()
    frame["event"] = frame["event"].astype(bool)
    return frame


def _hidden_groups(con: duckdb.DuckDBPyConnection, filters: Filters | None, k: int) -> set[str]:
    """The groups a filtered result must hide (privacy.guard_filters): cells of employees per group.

    The comparison group has no role or focus, so only the other filters make its cells.
    """
    chosen = selected(filters)
    if not chosen:
        return set()
    people, params = _people_sql(None)
    columns = "".join(f'"{a}" AS "{privacy.cell_column(a)}", ' for a in ATTRIBUTES if a in chosen)
    cells = con.execute(
        f"""WITH {people}
            SELECT "group", {columns} count(DISTINCT employee_id) AS n
            FROM people WHERE start IS NOT NULL GROUP BY ALL""",
        params,
    ).df()
    participant_filters, comparison_filters = _split_filters(chosen)
    hidden = set()
    for name, applied in (("participants", participant_filters), ("comparison", comparison_filters)):
        mine = cells[cells["group"] == name].reset_index(drop=True)
        if privacy.hides_all(privacy.guard_filters(mine, [], applied, k)):
            hidden.add(name)
    return hidden


def _groups(
    con: duckdb.DuckDBPyConnection, filters: Filters | None, data: pd.DataFrame | None
) -> dict[str, pd.DataFrame]:
    data = retention_data(con, filters) if data is None else data
    return {g: data[data["group"] == g] for g in GROUPS}


def retention_summary(
    con: duckdb.DuckDBPyConnection,
    filters: Filters | None = None,
    min_group: int | None = None,
    data: pd.DataFrame | None = None,
) -> dict:
    """Retention at 6 and 12 months per group and the log-rank p; None for a group under k.

    Keys: participants_6m, participants_12m, comparison_6m, comparison_12m (shares 0-1), logrank_p,
    n_participants, n_comparison, exits_participants, exits_comparison, shown_participants,
    shown_comparison (False when the group is hidden), data_date, min_group.
    Retention at a time nobody in the group was followed for is None. With filters, a group is also
    hidden when it is made partly of a protected cell (privacy.guard_filters). `data` is
    retention_data(con, filters) when the caller already has it.
    """
    k = min_group if min_group is not None else default_min_group()
    groups = _groups(con, filters, data)
    hidden = _hidden_groups(con, filters, k)
    last = data_date(con)
    result: dict = {"data_date": last.date().isoformat(), "min_group": k}
    visible = {}
    for name, frame in groups.items():
        n = int(len(frame))
        visible[name] = n >= k and name not in hidden
        result[f"n_{name}"] = n
        result[f"shown_{name}"] = visible[name]
        result[f"exits_{name}"] = int(frame["event"].sum()) if visible[name] else None
        table = kaplan_meier(frame["duration_days"], frame["event"]) if visible[name] else None
        for months in (6, 12):
            value = survival_at(table, months * DAYS_PER_MONTH) if table is not None else None
            result[f"{name}_{months}m"] = value
    result["logrank_p"] = None
    if all(visible.values()) and any(groups[g]["event"].any() for g in GROUPS):
        samples = [
            stats.CensoredData(
                uncensored=groups[g].loc[groups[g]["event"], "duration_days"].to_numpy("float64"),
                right=groups[g].loc[~groups[g]["event"], "duration_days"].to_numpy("float64"),
            )
            for g in GROUPS
        ]
        p = float(stats.logrank(samples[0], samples[1]).pvalue)
        result["logrank_p"] = p if math.isfinite(p) else None
    return result


def retention_curves(
    con: duckdb.DuckDBPyConnection,
    filters: Filters | None = None,
    min_group: int | None = None,
    data: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Kaplan-Meier steps per group for plotting, time in months from start, starting at S(0) = 1.

    Columns: group, time_months, at_risk, events, survival, ci_low, ci_high, n. A group under k
    has no rows. `data` is retention_data(con, filters) when the caller already has it.
    """
    k = min_group if min_group is not None else default_min_group()
    frames = []
    hidden = _hidden_groups(con, filters, k)
    for name, frame in _groups(con, filters, data).items():
        if len(frame) < k or name in hidden:
            continue
        table = kaplan_meier(frame["duration_days"], frame["event"])
        start = pd.DataFrame(
            {"time": [0.0], "at_risk": [len(frame)], "events": [0], "censored": [0], "survival": [1.0]}
        )
        table = pd.concat([start, table], ignore_index=True)
        table = table.assign(group=name, time_months=table["time"] / DAYS_PER_MONTH, n=len(frame))
        frames.append(table)
    columns = ["group", "time_months", "at_risk", "events", "survival", "ci_low", "ci_high", "n"]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]
