"""The home page's headline figures: programme size, response rates, latest scores, data freshness."""

from __future__ import annotations

import duckdb
import pandas as pd

from analytics import privacy
from analytics.filters import Filters, selected, where_sql
from analytics.privacy import min_group as default_min_group

__all__ = ["programme_size", "response_rates", "latest_vs_pre", "freshness", "next_steps"]

_PROGRAMME_WAVES = ("pre", "mid", "post")
_PROGRAMME_ATTRIBUTES = ("cohort", "role", "focus")


def _participant_filter(filters: Filters | None) -> tuple[str, list]:
    """Filters that apply to the roster (programme attributes and HRIS attributes of participants)."""
    return where_sql(filters, "p")


_ROSTER = """
    SELECT p.employee_id, p.cohort, p.role, p.pair_id, p.focus, p.status, p.start_date, p.end_date,
           e.department, e.grade, e.location, e.gender, e.ethnicity, e.age_band, e.disability
    FROM participants p LEFT JOIN employees e USING (employee_id)
"""


def programme_size(
    con: duckdb.DuckDBPyConnection, filters: Filters | None = None, min_group: int | None = None
) -> dict[str, int | None]:
    """Participants, pairs, active pairs (no partner withdrawn, programme not ended) and cohorts.

    With filters, the counts are None (and `suppressed` True) when the participants they count are
    made partly of a protected cell (privacy.guard_filters), so two filters cannot be subtracted.
    """
    k = min_group if min_group is not None else default_min_group()
    condition, params = _participant_filter(filters)
    row = con.execute(
        f"""
        WITH p AS ({_ROSTER}), chosen AS (SELECT * FROM p WHERE {condition}),
        pairs AS (
            SELECT pair_id, bool_and(status = 'active') AS active FROM participants
            WHERE pair_id IN (SELECT pair_id FROM chosen) GROUP BY pair_id
        )
        SELECT (SELECT count(DISTINCT employee_id) FROM chosen),
               (SELECT count(*) FROM pairs),
               (SELECT count(*) FILTER (WHERE active) FROM pairs),
               (SELECT count(DISTINCT cohort) FROM chosen)
        """,
        params,
    ).fetchone()
    size: dict = dict(zip(["participants", "pairs", "active_pairs", "cohorts"], row, strict=True))
    n = "count(DISTINCT employee_id)"
    hidden = privacy.hides_all(privacy.guard_sql(con, _ROSTER, [], "", [], filters, n, k))
    if hidden:
        size = dict.fromkeys(size)
    return {**size, "suppressed": hidden}


def response_rates(
    con: duckdb.DuckDBPyConnection, filters: Filters | None = None, min_group: int | None = None
) -> pd.DataFrame:
    """Per wave: invited, responded and response rate (%), hidden (suppressed) below k invited.

    Who answered a survey is itself personal: for fewer than k invited people a rate would tell
    whether a named person responded, so such waves keep only their name and kind.

    Invited to a programme wave: the roster of the cohorts that answered it (withdrawn participants
    are not invited after the pre wave).
    Invited to a pulse: everyone employed on the day it opened. Anonymous pulses cannot be
    matched to invitees one by one, so their rate uses the head count of the whole organisation.
    """
    condition, params = where_sql(filters, "r")
    roster_condition, roster_params = _participant_filter(filters)
    employee_condition, employee_params = where_sql(
        {k: v for k, v in (filters or {}).items() if k not in ("cohort", "role", "focus")}, "e"
    )
    programme_filters = any((filters or {}).get(k) for k in ("cohort", "role", "focus"))
    k = min_group if min_group is not None else default_min_group()
    rates = con.execute(
        f"""
        WITH responded AS (
            SELECT wave, count(*) AS responded FROM respondents r WHERE {condition} GROUP BY wave
        ),
        roster AS (SELECT * FROM ({_ROSTER}) p WHERE {roster_condition}),
        invited AS (
            SELECT w.wave,
                   CASE WHEN w.kind IN ('pre', 'mid', 'post') THEN
                        (SELECT count(*) FROM roster p
                         WHERE (w.kind = 'pre' OR p.status IS DISTINCT FROM 'withdrawn')
                           AND p.cohort IN (SELECT cohort FROM respondents x
                                            WHERE x.wave = w.wave AND x.cohort IS NOT NULL))
                   WHEN ? THEN NULL
                   ELSE (SELECT count(*) FROM employees e
                         WHERE {employee_condition}
                           AND (e.hire_date IS NULL OR e.hire_date <= w.opened_on)
                           AND (e.exit_date IS NULL OR e.exit_date > w.opened_on))
                   END AS invited
            FROM waves w
        )
        SELECT w.wave, w.kind, w.opened_on, i.invited, coalesce(r.responded, 0) AS responded,
               round(100.0 * coalesce(r.responded, 0) / nullif(i.invited, 0), 1) AS rate_pct
        FROM waves w JOIN invited i USING (wave) LEFT JOIN responded r USING (wave)
        ORDER BY CASE w.kind WHEN 'pre' THEN 0 WHEN 'mid' THEN 1 WHEN 'post' THEN 2 ELSE 3 END,
                 w.opened_on, w.wave
        """,
        [*params, *roster_params, programme_filters, *employee_params],
    ).df()
    headcount = rates["invited"].fillna(rates["responded"])
    hidden = privacy.guard_filters(_rate_cells(con, filters, programme_filters), ["wave"], filters, k)
    rates["suppressed"] = (headcount < k) | privacy.hidden_mask(rates, hidden, ["wave"])
    rates[["invited", "responded", "rate_pct"]] = (
        rates[["invited", "responded", "rate_pct"]].astype("float64").where(~rates["suppressed"])
    )
    return rates


def _rate_cells(
    con: duckdb.DuckDBPyConnection, filters: Filters | None, programme_filters: bool
) -> pd.DataFrame:
    """The cells of response rates per wave: the larger of invited and responded people in each.

    Invited as in response_rates (roster of programme waves, employees on a pulse's day unless
    programme attributes are filtered); responded from the respondents view.
    """
    chosen = list(selected(filters))
    if not chosen:
        return pd.DataFrame(columns=["wave", "n"])

    def columns(alias: str, programme: bool = True) -> str:
        return "".join(
            f'{alias}."{a}" AS "{privacy.cell_column(a)}", '
            if programme or a not in _PROGRAMME_ATTRIBUTES
            else f'NULL::VARCHAR AS "{privacy.cell_column(a)}", '
            for a in chosen
        )

    cells = ", ".join(f'"{privacy.cell_column(a)}"' for a in chosen)
    return con.execute(
        f"""
        WITH roster AS ({_ROSTER}),
        answered AS (SELECT DISTINCT wave, cohort FROM respondents WHERE cohort IS NOT NULL),
        cells AS (
            SELECT w.wave, {columns("p")} count(*) AS n
            FROM waves w JOIN answered a ON a.wave = w.wave JOIN roster p ON p.cohort = a.cohort
            WHERE w.kind IN ('pre', 'mid', 'post') AND (w.kind = 'pre' OR p.status IS DISTINCT FROM 'withdrawn')
            GROUP BY ALL
            UNION ALL
            SELECT w.wave, {columns("e", programme=False)} count(*) AS n
            FROM waves w JOIN employees e
              ON (e.hire_date IS NULL OR e.hire_date <= w.opened_on)
             AND (e.exit_date IS NULL OR e.exit_date > w.opened_on)
            WHERE w.kind NOT IN ('pre', 'mid', 'post') AND NOT ?
            GROUP BY ALL
            UNION ALL
            SELECT r.wave, {columns("r")} count(*) AS n FROM respondents r GROUP BY ALL
        )
        SELECT wave, {cells}, max(n) AS n FROM cells GROUP BY ALL
        """,
        [programme_filters],
    ).df()


def latest_vs_pre(
    con: duckdb.DuckDBPyConnection,
    construct: str,
    filters: Filters | None = None,
    min_group: int | None = None,
) -> dict:
    """Participants' mean at pre and at the latest programme wave after it, with n; None when too few."""
    from analytics.metrics import construct_scores
    from analytics.score_rows import scores_sql

    k = min_group if min_group is not None else default_min_group()
    scores = construct_scores(con, construct, filters=filters, waves=list(_PROGRAMME_WAVES))
    by_wave = scores.groupby("wave")["score"].agg(["mean", "count"])
    latest = next((w for w in ("post", "mid") if w in by_wave.index), None)
    result: dict = {"construct": construct, "pre": None, "latest": None, "latest_wave": latest}
    hidden = set()
    if selected(filters):
        base, params = scores_sql(con, construct, list(_PROGRAMME_WAVES))
        found = privacy.guard_sql(con, base, params, "wave, ", ["wave"], filters, "count(*)", k)
        hidden = set(found["wave"])
    for key, wave in (("pre", "pre"), ("latest", latest)):
        if wave in by_wave.index:
            n = int(by_wave.loc[wave, "count"])
            result[f"{key}_n"] = n
            result[key] = float(by_wave.loc[wave, "mean"]) if n >= k and wave not in hidden else None
    return result


def freshness(con: duckdb.DuckDBPyConnection) -> dict:
    """The last import (file, kind, date) and the latest survey submission."""
    last = con.execute(
        """SELECT file_name, kind, imported_at FROM imports WHERE status = 'imported'
           ORDER BY imported_at DESC, import_id DESC LIMIT 1"""
    ).fetchone()
    latest_response = con.execute("SELECT max(submitted_at) FROM responses").fetchone()[0]
    return {
        "last_import_file": last[0] if last else None,
        "last_import_kind": last[1] if last else None,
        "last_import_at": last[2] if last else None,
        "latest_response_at": latest_response,
    }


def next_steps(
    con: duckdb.DuckDBPyConnection, filters: Filters | None = None, min_group: int | None = None
) -> list[str]:
    """Plain sentences pointing at what deserves a look: a lagging cohort, quiet pairs, low response."""
    k = min_group if min_group is not None else default_min_group()
    from analytics.compare import wave_change
    from analytics.goals import participation
    from analytics.metrics import NOT_RECORDED

    steps = []
    change = wave_change(con, "ps", "pre", "post", group_by="cohort", filters=filters, min_group=k)
    change = change[~change["suppressed"] & (change["cohort"] != NOT_RECORDED)]
    lagging = change.sort_values("mean_change", kind="stable").head(2)
    if len(lagging) == 2 and lagging["mean_change"].iloc[0] < lagging["mean_change"].iloc[1] - 0.2:
        first = lagging.iloc[0]
        steps.append(
            f"Cohort {first['cohort']} changed least in psychological safety from pre to post "
            f"({first['mean_change']:+.2f} points, n = {int(first['n'])}): compare it on the "
            "Pre / mid / post page."
        )
    by_pair = participation(con, filters=filters, min_group=k)
    quiet = int((by_pair["inactive"] & (by_pair["status"] == "active")).sum())
    if quiet:
        who = "1 active pair has" if quiet == 1 else f"{quiet} active pairs have"
        steps.append(f"{who} not met for 60 days: see Goals and participation.")
    rates = response_rates(con, filters, min_group=k)
    low = rates[(rates["rate_pct"] < 50) & rates["invited"].notna()]
    if not low.empty:
        waves = ", ".join(low["wave"].astype(str))
        steps.append(f"Response was below 50 % in {waves}: read those results with care.")
    return steps
