"""The home page's headline figures: programme size, response rates, latest scores, data freshness."""

from __future__ import annotations

import duckdb
import pandas as pd

from analytics import privacy
from analytics.filters import Filters, selected, where_sql
from analytics.privacy import SUPPRESSED_NOTE
from analytics.privacy import min_group as default_min_group
from analytics.store.score_rows import same_data

__all__ = [
    "programme_size",
    "response_rates",
    "latest_vs_pre",
    "freshness",
    "next_steps",
    "roster_rows",
    "respondent_rows",
]

_PROGRAMME_WAVES = ("pre", "mid", "post")


def _participant_filter(filters: Filters | None) -> tuple[str, list]:
    """Filters that apply to the roster (programme attributes and HRIS attributes of participants)."""
    return where_sql(filters, "p")


_ROSTER = """
    SELECT p.employee_id, p.cohort, p.role, p.pair_id, p.focus, p.status, p.start_date, p.end_date,
           e.department, e.grade, e.location, e.gender, e.ethnicity, e.age_band, e.disability
    FROM participants p LEFT JOIN employees e USING (employee_id)
"""


def roster_rows(unit: str = "employee_id") -> privacy.Rows:
    """The roster as rows for privacy.gate: one per participant and cohort, counted by `unit`, one scope."""
    if unit == "pair_id":
        return privacy.Rows(
            f"""SELECT r.*, r.pair_id AS unit, 'all' AS scope,
                       CASE WHEN s.active THEN 'active' ELSE 'not active' END AS state
                FROM ({_ROSTER}) r JOIN (
                    SELECT pair_id, bool_and(status = 'active') AS active FROM participants GROUP BY pair_id
                ) s USING (pair_id)""",
            scope="scope",
        )
    return privacy.Rows(f"SELECT *, employee_id AS unit, 'all' AS scope FROM ({_ROSTER})", scope="scope")


def programme_size(
    con: duckdb.DuckDBPyConnection, filters: Filters | None = None, min_group: int | None = None
) -> dict:
    """Participants, pairs, active pairs (no partner withdrawn, programme not ended) and cohorts.

    Two figures pass privacy.gate: the participants (with the number of cohorts they are in), and the
    pairs split into active and not active (a pair counted once, as a unit, like a breakdown's groups,
    so fewer than k pairs in either state hides both). A hidden figure's counts are None; `suppressed`
    is True (with the gate's `suppressed_reason`) when either is hidden, so a page shows the counts
    together or not at all.
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
               (SELECT count(*) FILTER (WHERE active) FROM pairs),
               (SELECT count(*) FILTER (WHERE NOT active) FROM pairs),
               (SELECT count(DISTINCT cohort) FROM chosen)
        """,
        params,
    ).fetchone()
    participants, active, inactive, cohorts = row
    people = privacy.gate(
        con,
        roster_rows(),
        pd.DataFrame({"participants": [participants], "cohorts": [cohorts]}),
        keys=[],
        values=["participants", "cohorts"],
        filters=filters,
        min_group=k,
    ).iloc[0]
    states = pd.DataFrame({"state": ["active", "not active"], "pairs": [active, inactive]})
    pairs = privacy.gate(
        con,
        roster_rows("pair_id"),
        states[states["pairs"] > 0],
        keys=["state"],
        values=["pairs"],
        filters=filters,
        min_group=k,
        categories=["state"],
    )
    pairs_shown = not pairs.empty and not pairs["suppressed"].any()
    count = dict(zip(pairs["state"], pairs["pairs"], strict=True))
    reasons = [people["suppressed_reason"], *pairs["suppressed_reason"]]
    reason = next((r for r in reasons if pd.notna(r)), None)
    return {
        "participants": _count(people["participants"]),
        "pairs": int(sum(count.values())) if pairs_shown else None,
        "active_pairs": int(count.get("active", 0)) if pairs_shown else None,
        "cohorts": _count(people["cohorts"]),
        "suppressed": reason is not None,
        "suppressed_reason": reason,
    }


def _count(value) -> int | None:
    return None if pd.isna(value) else int(value)


# Who was invited to each wave, as rows for privacy.gate: the roster of the cohorts that answered a
# programme wave (withdrawn participants are not invited after the pre wave), and everyone employed on
# the day a pulse opened (a pulse's invitees have no cohort, role or focus, so a programme filter leaves
# none: there is no rate then).
_INVITED = f"""
    WITH roster AS ({_ROSTER}),
    answered AS (SELECT DISTINCT wave, cohort FROM respondents WHERE cohort IS NOT NULL)
    SELECT w.wave, p.employee_id AS unit, p.cohort, p.role, p.focus, p.department, p.grade, p.location,
           p.gender, p.ethnicity, p.age_band, p.disability
    FROM waves w JOIN answered a ON a.wave = w.wave JOIN roster p ON p.cohort = a.cohort
    WHERE w.kind IN ('pre', 'mid', 'post') AND (w.kind = 'pre' OR p.status IS DISTINCT FROM 'withdrawn')
    UNION ALL
    SELECT w.wave, e.employee_id AS unit, NULL AS cohort, NULL AS role, NULL AS focus, e.department,
           e.grade, e.location, e.gender, e.ethnicity, e.age_band, e.disability
    FROM waves w JOIN employees e
      ON (e.hire_date IS NULL OR e.hire_date <= w.opened_on) AND (e.exit_date IS NULL OR e.exit_date > w.opened_on)
    WHERE w.kind NOT IN ('pre', 'mid', 'post')
"""
# Who answered: each respondent once per wave (an anonymous response is its own person in its wave only).
_RESPONDED = "SELECT *, coalesce(employee_id, response_id) AS unit FROM respondents"


def respondent_rows() -> privacy.Rows:
    """Every response as rows for privacy.gate: its respondent (the response itself when anonymous), per wave."""
    return privacy.Rows(_RESPONDED)


def response_rates(
    con: duckdb.DuckDBPyConnection, filters: Filters | None = None, min_group: int | None = None
) -> pd.DataFrame:
    """Per wave: invited, responded (people) and response rate (%), through privacy.gate.

    Who answered a survey is itself personal, so both counts pass the gate: the invited people of each
    wave, and the people who responded, set against the invited as a neighbouring population (fewer than
    k who did not answer would be as telling as fewer than k who did). A wave either gate hides keeps only
    its name and kind: invited, responded, rate_pct and n blank, suppressed, suppressed_reason.

    Invited to a programme wave: the roster of the cohorts that answered it; to a pulse: everyone employed
    on the day it opened. Anonymous pulses cannot be matched to invitees one by one, so their rate uses
    the head count of the whole organisation. Under a filter on cohort, role or focus a pulse has no
    invited count and no rate.
    """
    k = min_group if min_group is not None else default_min_group()
    invited_rows = privacy.Rows(_INVITED)
    responded_rows = respondent_rows()
    condition, params = where_sql(filters, "r")
    rates = con.execute(
        f"""
        WITH invited AS (
            SELECT wave, count(DISTINCT unit) AS invited FROM ({_INVITED}) r WHERE {condition} GROUP BY wave
        ),
        responded AS (
            SELECT wave, count(DISTINCT unit) AS responded FROM ({_RESPONDED}) r WHERE {condition} GROUP BY wave
        )
        SELECT w.wave, w.kind, w.opened_on, i.invited, coalesce(r.responded, 0) AS responded,
               round(100.0 * coalesce(r.responded, 0) / nullif(i.invited, 0), 1) AS rate_pct
        FROM waves w LEFT JOIN invited i USING (wave) LEFT JOIN responded r USING (wave)
        ORDER BY CASE w.kind WHEN 'pre' THEN 0 WHEN 'mid' THEN 1 WHEN 'post' THEN 2 ELSE 3 END,
                 w.opened_on, w.wave
        """,
        [*params, *params],
    ).df()
    invited = privacy.gate(
        con,
        invited_rows,
        rates.loc[rates["invited"].notna(), ["wave", "invited"]],
        keys=["wave"],
        values=["invited"],
        filters=filters,
        min_group=k,
    )
    responded = privacy.gate(
        con,
        responded_rows,
        rates[["wave", "responded", "rate_pct"]],
        keys=["wave"],
        values=["responded", "rate_pct"],
        filters=filters,
        min_group=k,
        neighbours=(invited_rows,),
    )
    hidden_invited = dict(zip(invited["wave"], invited["suppressed_reason"], strict=True))
    reason = [
        r if pd.notna(r) else hidden_invited.get(w)
        for w, r in zip(responded["wave"], responded["suppressed_reason"], strict=True)
    ]
    reason = [r if pd.notna(r) else None for r in reason]
    rates["n"] = responded["n"].to_numpy()
    rates["suppressed"] = [r is not None for r in reason]
    rates["suppressed_reason"] = reason
    shown = ~rates["suppressed"]
    for column in ["invited", "responded", "rate_pct"]:
        rates[column] = rates[column].astype("float64").where(shown)
    rates["n"] = rates["n"].where(shown, pd.NA)
    return rates


def latest_vs_pre(
    con: duckdb.DuckDBPyConnection,
    construct: str,
    filters: Filters | None = None,
    min_group: int | None = None,
) -> dict:
    """Participants' mean at pre and at the latest programme wave after it, with n, from metrics.group_scores.

    Keys: construct, pre, latest, latest_wave, pre_n and latest_n (present when the wave has answers
    under the filters; None where the gate hides it), change (latest - pre, None unless both shown), suppressed and suppressed_reason (the gate's
    sentence for the first hidden wave). Filters that leave no answers at all are reported as hidden
    too, so that an empty filter cannot be told from one that leaves a few people.
    """
    from analytics.metrics import group_scores
    from analytics.store.score_rows import score_rows_sql, scores_source

    k = min_group if min_group is not None else default_min_group()
    waves = list(_PROGRAMME_WAVES)
    with same_data(con):
        base, params = score_rows_sql(scores_source(con), construct, filters, waves)
        answered = {row[0] for row in con.execute(f"SELECT DISTINCT wave FROM ({base})", params).fetchall()}
        scores = group_scores(con, construct, ["wave"], filters, waves, min_group=k).set_index("wave")
    latest = next((w for w in ("post", "mid") if w in answered), None)
    result: dict = {"construct": construct, "pre": None, "latest": None, "latest_wave": latest}
    reasons = []
    for key, wave in (("pre", "pre"), ("latest", latest)):
        if wave not in answered:
            continue
        row = scores.loc[wave] if wave in scores.index else None
        shown = row is not None and not bool(row["suppressed"])
        result[f"{key}_n"] = int(row["n"]) if shown else None
        result[key] = float(row["mean"]) if shown else None
        if not shown:
            reasons.append(row["suppressed_reason"] if row is not None else SUPPRESSED_NOTE(k))
    if not answered and selected(filters):  # none and a few look alike: a filter's emptiness is not told
        reasons.append(SUPPRESSED_NOTE(k))
    shown = result["latest"] is not None and result["pre"] is not None
    result["change"] = result["latest"] - result["pre"] if shown else None
    result["suppressed"] = bool(reasons)
    result["suppressed_reason"] = reasons[0] if reasons else None
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
    from analytics.change import wave_change
    from analytics.filters import missing_label
    from analytics.goals import participation

    steps = []
    change = wave_change(con, "ps", "pre", "post", group_by="cohort", filters=filters, min_group=k)
    change = change[~change["suppressed"] & (change["cohort"] != missing_label("cohort"))]
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
