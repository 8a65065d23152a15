"""Participants against everyone else in the monthly pulses: per-wave means and difference-in-differences."""

from __future__ import annotations

import math

import duckdb
import numpy as np
import pandas as pd
from scipy import stats

from analytics import privacy
from analytics.change import ALPHA, finite_or_none
from analytics.filters import Filters
from analytics.store.score_rows import same_data, score_rows_sql, scores_source, scores_sql

__all__ = ["participants_vs_comparison", "difference_in_differences", "did_of"]


def _pulse_waves(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Pulse waves in the order they opened."""
    rows = con.execute("SELECT wave FROM waves WHERE kind = 'pulse' ORDER BY opened_on NULLS LAST, wave")
    return [r[0] for r in rows.fetchall()]


def participants_vs_comparison(
    con: duckdb.DuckDBPyConnection,
    construct: str,
    filters: Filters | None = None,
    min_group: int | None = None,
) -> pd.DataFrame:
    """Mean construct score per pulse wave for participants and for everyone else, through privacy.gate.

    Only pulse responses linked to an employee count (an anonymous response cannot be placed in
    either group). "participants" are employees on any cohort's roster. One row per wave and group:
    wave, opened_on, group, n (employees; <NA> where hidden), mean, sd, ci_low, ci_high (95 % t),
    suppressed, suppressed_reason. The two groups split each wave's people like a breakdown, so when
    one is hidden the other is too and the wave total cannot reveal it.
    """
    columns = ["wave", "opened_on", "group", "n", "mean", "sd", "ci_low", "ci_high"]
    waves = _pulse_waves(con)
    if not waves:
        return pd.DataFrame(columns=[*columns, "suppressed", "suppressed_reason"])
    with same_data(con):  # the figure and the gate's rows from one source of scores
        cells = _cells(con, construct, filters, waves)
        if cells.empty:
            return pd.DataFrame(columns=[*columns, "suppressed", "suppressed_reason"])
        t = stats.t.ppf(1 - ALPHA / 2, (cells["n"] - 1).clip(lower=1))
        half = np.where(cells["n"] >= 2, t * cells["sd"] / np.sqrt(cells["n"]), np.nan)
        cells["ci_low"] = cells["mean"] - half
        cells["ci_high"] = cells["mean"] + half
        shown = privacy.gate(
            con,
            _people(con, construct, waves),
            cells[columns],
            keys=["wave", "group"],
            values=["mean", "sd", "ci_low", "ci_high"],
            filters=filters,
            min_group=min_group,
            categories=["group"],
        )
    return shown[[*columns, "suppressed", "suppressed_reason"]].reset_index(drop=True)


def _cells(
    con: duckdb.DuckDBPyConnection, construct: str, filters: Filters | None, waves: list[str]
) -> pd.DataFrame:
    """n, mean and sd of the employees' mean scores per wave and group, in one grouped query.

    Each employee's responses in a wave are averaged first, so n counts employees. Waves without an
    opening date have no place on the time axis and are left out.
    """
    base, params = score_rows_sql(scores_source(con), construct, filters, waves)
    return con.execute(
        f"""WITH people AS (
                SELECT wave, opened_on,
                       CASE WHEN is_participant THEN 'participants' ELSE 'comparison' END AS "group",
                       avg(score) AS score
                FROM ({base}) WHERE employee_id IS NOT NULL AND opened_on IS NOT NULL
                GROUP BY wave, opened_on, "group", employee_id
            )
            SELECT wave, opened_on, "group", count(*) AS n, avg(score) AS mean, stddev_samp(score) AS sd
            FROM people GROUP BY wave, opened_on, "group"
            ORDER BY opened_on, wave, "group" DESC""",
        params,
    ).df()


def _people(con: duckdb.DuckDBPyConnection, construct: str, waves: list[str]) -> privacy.Rows:
    """The gate's rows: each employee's scores per pulse wave and group, without the filters."""
    base, params = scores_sql(con, construct, waves)
    return privacy.Rows(
        f"""SELECT *, employee_id AS unit,
                   CASE WHEN is_participant THEN 'participants' ELSE 'comparison' END AS "group"
            FROM ({base}) WHERE employee_id IS NOT NULL AND opened_on IS NOT NULL""",
        tuple(params),
    )


def difference_in_differences(
    con: duckdb.DuckDBPyConnection,
    construct: str,
    filters: Filters | None = None,
    min_group: int | None = None,
) -> dict:
    """(participants last - first pulse) - (comparison last - first pulse), with a 95 % CI.

    The CI treats the four wave means as independent samples (Welch-Satterthwaite degrees of
    freedom); when the same people answer both pulses this is conservative. Figures are None when a
    group is suppressed or missing in the first or last pulse; an n is None where the gate hides it.
    """
    return did_of(participants_vs_comparison(con, construct, filters=filters, min_group=min_group))


def did_of(cells: pd.DataFrame) -> dict:
    """difference_in_differences from the frame participants_vs_comparison returned (no query)."""
    waves = list(dict.fromkeys(cells["wave"]))
    result: dict = {
        "first_wave": waves[0] if waves else None,
        "last_wave": waves[-1] if waves else None,
        **dict.fromkeys(
            [
                "participants_change",
                "comparison_change",
                "did",
                "ci_low",
                "ci_high",
                "p_value",
                "n_participants_first",
                "n_participants_last",
                "n_comparison_first",
                "n_comparison_last",
            ]
        ),
        "suppressed": True,
    }
    if len(waves) < 2:
        return result
    cell = cells.set_index(["wave", "group"])
    keys = [(w, g) for g in ("participants", "comparison") for w in (waves[0], waves[-1])]
    if any(key not in cell.index for key in keys):
        return result
    for (w, g), name in zip(keys, ["first", "last"] * 2, strict=True):
        n = cell.loc[(w, g), "n"]
        result[f"n_{g}_{name}"] = None if pd.isna(n) else int(n)  # the gate's n: <NA> where hidden
    if any(bool(cell.loc[key, "suppressed"]) for key in keys):
        return result
    mean = {key: float(cell.loc[key, "mean"]) for key in keys}
    participants = mean[(waves[-1], "participants")] - mean[(waves[0], "participants")]
    comparison = mean[(waves[-1], "comparison")] - mean[(waves[0], "comparison")]
    did = participants - comparison
    result.update(participants_change=participants, comparison_change=comparison, did=did, suppressed=False)
    variances = np.array([float(cell.loc[key, "sd"]) ** 2 / int(cell.loc[key, "n"]) for key in keys])
    dofs = np.array([int(cell.loc[key, "n"]) - 1 for key in keys])
    se = math.sqrt(variances.sum())
    if se > 0 and np.all(dofs > 0):
        df = variances.sum() ** 2 / np.sum(variances**2 / dofs)
        half = float(stats.t.ppf(1 - ALPHA / 2, df)) * se
        result.update(
            ci_low=did - half,
            ci_high=did + half,
            p_value=finite_or_none(2 * stats.t.sf(abs(did) / se, df)),
        )
    return result
