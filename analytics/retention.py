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
from analytics.filters import Filters, where_sql
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


def _people(name: str) -> privacy.Rows:
    """The gate's rows for one group: each employee and cohort they may be followed from, without filters.

    A row is kept when its follow-up does not end before it starts, so under any filters the people are
    those retention_data(con, filters) follows (each from the earliest start the filters leave). Nothing
    here is per wave: the scope is one constant.
    """
    people, params = _people_sql(None)
    return privacy.Rows(
        f"""WITH {people}
            SELECT *, employee_id AS unit, 'all' AS scope FROM people
            WHERE "group" = ? AND start IS NOT NULL
              AND CASE WHEN exit_date IS NOT NULL AND exit_date <= ? THEN exit_date ELSE ? END >= start""",
        (*params, name),
        scope="scope",
    )


def _gated(
    con: duckdb.DuckDBPyConnection, figures: dict[str, dict], filters: Filters | None, k: int
) -> dict[str, pd.Series]:
    """Each group's figures as privacy.gate lets them be shown: n, the values, suppressed, suppressed_reason.

    The groups are judged apart, each under the filters that select it (the comparison group has no role
    or focus): they are drawn with different filters and no figure shows the two together.
    """
    last = data_date(con).date()
    participant_filters, comparison_filters = _split_filters(filters)
    shown = {}
    for name, applied in (("participants", participant_filters), ("comparison", comparison_filters)):
        rows = _people(name)
        rows = privacy.Rows(rows.sql, (*rows.params, last, last), scope=rows.scope)
        figure = pd.DataFrame([{"group": name, **figures[name]}])
        values = [c for c in figure.columns if c != "group"]
        gated = privacy.gate(con, rows, figure, keys=[], values=values, filters=applied or None, min_group=k)
        shown[name] = gated.iloc[0]
    return shown


def _groups(
    con: duckdb.DuckDBPyConnection, filters: Filters | None, data: pd.DataFrame | None
) -> dict[str, pd.DataFrame]:
    data = retention_data(con, filters) if data is None else data
    return {g: data[data["group"] == g] for g in GROUPS}


def _with_enough_at_risk(table: pd.DataFrame, k: int) -> pd.DataFrame:
    """The curve up to where fewer than k remain at risk (at_risk never rises, so this is a prefix).

    Past that point each step is one of a handful of people leaving or being censored: their exit
    times would show, so the curve stops there.
    """
    return table[table["at_risk"] >= k]


def _survival_known(table: pd.DataFrame, time: float, k: int) -> float | None:
    """S(time) when at least k people were still followed at `time` (the curve reaches it); None otherwise."""
    later = table.loc[table["time"] >= time, "at_risk"]
    if later.empty or later.iloc[0] < k:
        return None
    return survival_at(table, time)


def _optional_int(value) -> int | None:
    return None if pd.isna(value) else int(value)


def retention_summary(
    con: duckdb.DuckDBPyConnection,
    filters: Filters | None = None,
    min_group: int | None = None,
    data: pd.DataFrame | None = None,
) -> dict:
    """Retention at 6 and 12 months per group and the log-rank p, each group through privacy.gate.

    Keys: participants_6m, participants_12m, comparison_6m, comparison_12m (shares 0-1), logrank_p,
    n_participants, n_comparison, exits_participants, exits_comparison (None when the group is hidden),
    shown_participants, shown_comparison (False when the gate hides the group),
    suppressed_reason_participants, suppressed_reason_comparison (the gate's sentence, None when shown),
    data_date, min_group. Retention at a time is None when fewer than k in the group were still followed
    then (nobody, or a handful whose exits would show; the curve stops before it too).
    The log-rank p needs both groups shown. `data` is retention_data(con, filters) when the caller
    already has it.
    """
    k = min_group if min_group is not None else default_min_group()
    groups = _groups(con, filters, data)
    last = data_date(con)
    figures = {}
    for name, frame in groups.items():
        table = kaplan_meier(frame["duration_days"], frame["event"])
        figures[name] = {
            "exits": int(frame["event"].sum()),
            **{f"{m}m": _survival_known(table, m * DAYS_PER_MONTH, k) for m in (6, 12)},
        }
    gated = _gated(con, figures, filters, k)
    result: dict = {"data_date": last.date().isoformat(), "min_group": k}
    for name in GROUPS:
        row = gated[name]
        shown = not bool(row["suppressed"])
        result[f"n_{name}"] = _optional_int(row["n"])
        result[f"shown_{name}"] = shown
        result[f"suppressed_reason_{name}"] = (
            row["suppressed_reason"] if pd.notna(row["suppressed_reason"]) else None
        )
        result[f"exits_{name}"] = _optional_int(row["exits"])
        for months in (6, 12):
            value = row[f"{months}m"]
            result[f"{name}_{months}m"] = None if pd.isna(value) else float(value)
    result["logrank_p"] = None
    if all(result[f"shown_{g}"] for g in GROUPS) and any(groups[g]["event"].any() for g in GROUPS):
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

    Columns: group, time_months, at_risk, events, survival, ci_low, ci_high, n. A group the gate
    hides has no rows. Each curve stops at its last step with at least k people at risk: beyond it
    the steps would show when one of a handful of people left, so no at_risk below k appears.
    `data` is retention_data(con, filters) when the caller already has it.
    """
    k = min_group if min_group is not None else default_min_group()
    groups = _groups(con, filters, data)
    gated = _gated(con, {name: {} for name in GROUPS}, filters, k)
    frames = []
    for name, frame in groups.items():
        if bool(gated[name]["suppressed"]):
            continue
        table = kaplan_meier(frame["duration_days"], frame["event"])
        start = pd.DataFrame(
            {"time": [0.0], "at_risk": [len(frame)], "events": [0], "censored": [0], "survival": [1.0]}
        )
        table = _with_enough_at_risk(pd.concat([start, table], ignore_index=True), k)
        n = int(gated[name]["n"])
        table = table.assign(group=name, time_months=table["time"] / DAYS_PER_MONTH, n=n)
        frames.append(table)
    columns = ["group", "time_months", "at_risk", "events", "survival", "ci_low", "ci_high", "n"]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]
