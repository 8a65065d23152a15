"""Construct scores, group statistics, % favourable, eNPS, equity gaps and pulse trends."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
from scipy import stats

from analytics import privacy
from analytics.filters import ATTRIBUTES, Filters, missing_label
from analytics.instruments import CONSTRUCTS, items_of
from analytics.store import score_rows

__all__ = [
    "construct_scores",
    "group_scores",
    "item_favourable",
    "enps",
    "equity_gaps",
    "pulse_trend",
    "score_alerts",
    "last_two_pulses",
    "latest_pulse",
    "wave_names",
    "GROUP_COLUMNS",
]

GROUP_COLUMNS = ["n", "mean", "sd", "favourable_pct", "ci_low", "ci_high", "suppressed"]
_SCORE_VALUES = ["mean", "sd", "favourable_pct", "ci_low", "ci_high"]
_RESPONDENT = "coalesce(employee_id, response_id)"
PROGRAMME_KINDS = ("pre", "mid", "post")

# Group columns about time rather than people: the groups of a breakdown are compared within them.
_TIME = {"wave": '"wave"', "month": "CAST(date_trunc('month', opened_on) AS DATE) AS \"month\""}


def _group_by(group_by: list[str] | None) -> list[str]:
    group_by = list(group_by or [])
    for column in group_by:
        if column not in _TIME and column not in ATTRIBUTES:
            raise ValueError(
                f"cannot group by {column!r}; expected 'wave', 'month' or one of {', '.join(ATTRIBUTES)}"
            )
    return group_by


def _select(group_by: list[str]) -> str:
    """The SELECT list of the group columns: attributes with missing values labelled."""
    parts = [
        _TIME.get(c) or f'coalesce(CAST("{c}" AS VARCHAR), \'{missing_label(c)}\') AS "{c}"' for c in group_by
    ]
    return "".join(f"{p}, " for p in parts)


def _order(group_by: list[str], first: str = "") -> str:
    """ORDER BY: time (when the wave opened) first, then the attributes' values."""
    keys = (["opened_on"] if _times(group_by) else []) + ([first] if first else [])
    keys += [f'"{c}"' for c in _attributes(group_by)]
    return f"ORDER BY {', '.join(keys)}" if keys else ""


def _attributes(group_by: list[str]) -> list[str]:
    return [c for c in group_by if c not in _TIME]


def _times(group_by: list[str]) -> list[str]:
    return [c for c in group_by if c in _TIME]


def _enough(con: duckdb.DuckDBPyConnection, base: str, params: list, k: int) -> bool:
    """Whether the rows come from at least k respondents: counting stops at k (no full count(DISTINCT))."""
    found = con.execute(
        f"SELECT count(*) FROM (SELECT DISTINCT {_RESPONDENT} FROM ({base}) LIMIT ?)", [*params, max(k, 0)]
    ).fetchone()[0]
    return found >= k


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="bool" if c == "suppressed" else "float64") for c in columns})


def _t_interval(frame: pd.DataFrame, responses: str = "responses") -> pd.DataFrame:
    """Add ci_low/ci_high: the t-based 95 % confidence interval of the mean."""
    count = frame[responses].astype("float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        half = stats.t.ppf(0.975, count - 1) * frame["sd"] / np.sqrt(count)
    frame["ci_low"] = frame["mean"] - half
    frame["ci_high"] = frame["mean"] + half
    return frame


def wave_names(con: duckdb.DuckDBPyConnection, kinds: list[str] | None = None) -> list[str]:
    """The waves with responses, oldest first, optionally only of the given kinds (pre, mid, post, pulse)."""
    condition, params = "TRUE", []
    if kinds:
        condition, params = f"kind IN ({', '.join('?' for _ in kinds)})", list(kinds)
    return [
        row[0]
        for row in con.execute(
            f"""SELECT wave FROM waves WHERE {condition} AND wave IN (SELECT wave FROM responses)
                ORDER BY opened_on, wave""",
            params,
        ).fetchall()
    ]


def construct_scores(
    con: duckdb.DuckDBPyConnection,
    construct: str,
    filters: Filters | None = None,
    waves: list[str] | None = None,
) -> pd.DataFrame:
    """One row per response: its construct score (mean of answered items after reverse coding).

    A score is valid when at least half the construct's items are answered; responses below that
    are left out. Columns: every column of the `respondents` view, plus `score`, `answered` and
    `favourable` (answered items above the scale midpoint).
    """
    sql, params = score_rows.score_rows_sql(score_rows.scores_source(con), construct, filters, waves)
    return con.execute(f"SELECT * FROM ({sql}) ORDER BY response_id", params).df()


def group_scores(
    con: duckdb.DuckDBPyConnection,
    construct: str,
    group_by: list[str],
    filters: Filters | None = None,
    waves: list[str] | None = None,
    min_group: int | None = None,
) -> pd.DataFrame:
    """Per group: n respondents, mean score, sd, % favourable, 95 % CI, suppressed.

    Groups are compared within each wave (when "wave" is in group_by). When the filters leave
    fewer than min_group respondents in total, the frame is empty: nothing is shown.
    """
    group_by = _group_by(group_by)
    k = privacy.min_group() if min_group is None else min_group
    with score_rows.same_data(con):  # the filtered rows and the guard's unfiltered rows from one source
        return _group_scores(con, construct, group_by, filters, waves, k)


def _group_scores(
    con: duckdb.DuckDBPyConnection,
    construct: str,
    group_by: list[str],
    filters: Filters | None,
    waves: list[str] | None,
    k: int,
) -> pd.DataFrame:
    base, params = score_rows.score_rows_sql(
        score_rows.scores_source(con), construct, filters, waves, first_in_wave=True
    )
    if not _enough(con, base, params, k):
        return _empty([*group_by, *GROUP_COLUMNS])
    # Within a wave, each respondent's first score is one row per respondent: counting those rows
    # gives the distinct respondents of each group without count(DISTINCT), the slow part.
    n = "count(*) FILTER (WHERE first_in_wave)" if "wave" in group_by else f"count(DISTINCT {_RESPONDENT})"
    frame = con.execute(
        f"""SELECT {_select(group_by)}
                   {n} AS n, avg(score) AS mean, stddev_samp(score) AS sd,
                   100.0 * sum(favourable) / sum(answered) AS favourable_pct,
                   count(*) AS responses, min(opened_on) AS opened_on
            FROM ({base}) GROUP BY ALL
            {_order(group_by)}""",
        params,
    ).df()
    frame = _t_interval(frame)[[*group_by, *GROUP_COLUMNS[:-1]]]
    unfiltered = _people(score_rows.score_rows_sql(score_rows.scores_source(con), construct, None, waves))
    # (from every wave's rows: a figure of the post wave alone still stands beside the pre -> post change)
    every_wave = _people(score_rows.score_rows_sql(score_rows.scores_source(con), construct, None, None))
    neighbours = _also_in(con, every_wave) if "wave" in group_by else []
    return privacy.gate(
        con,
        unfiltered,
        frame,
        keys=group_by,
        values=_SCORE_VALUES,
        filters=filters,
        min_group=k,
        neighbours=neighbours,
    )


def _also_in(con: duckdb.DuckDBPyConnection, rows: privacy.Rows) -> list[privacy.Rows]:
    """For a programme wave's figure: the same people narrowed to those who also answered each other
    programme wave, the populations a paired change is computed over (the gate's rule 5)."""
    waves = wave_names(con, list(PROGRAMME_KINDS))
    placeholders = ", ".join("?" for _ in waves)
    return [
        privacy.Rows(
            f"""SELECT * FROM ({rows.sql}) WHERE wave IN ({placeholders})
                AND unit IN (SELECT unit FROM ({rows.sql}) WHERE wave = ?)""",
            (*rows.params, *waves, *rows.params, other),
        )
        for other in waves
    ]


def _people(rows: tuple[str, list]) -> privacy.Rows:
    """A statistic's rows for the privacy gate: each respondent (the response when anonymous) within a wave."""
    sql, params = rows
    return privacy.Rows(
        f"SELECT *, {_RESPONDENT} AS unit, CAST(date_trunc('month', opened_on) AS DATE) AS month FROM ({sql})",
        tuple(params),
    )


def item_favourable(
    con: duckdb.DuckDBPyConnection,
    construct: str,
    group_by: list[str] | None = None,
    filters: Filters | None = None,
    waves: list[str] | None = None,
    min_group: int | None = None,
) -> pd.DataFrame:
    """Per item (and group): n respondents answering it, mean and % favourable after reverse coding."""
    group_by = _group_by(group_by)
    k = privacy.min_group() if min_group is None else min_group
    base, params = _items_sql(con, construct, filters, waves)
    columns = ["item_id", "text", "reverse", *group_by, "n", "mean", "favourable_pct", "suppressed"]
    if not _enough(con, base, params, k):
        return _empty(columns)
    frame = con.execute(
        f"""SELECT item_id, text, reverse, {_select(group_by)}
                   count(DISTINCT {_RESPONDENT}) AS n, avg(value) AS mean,
                   100.0 * avg(CAST(favourable AS INTEGER)) AS favourable_pct,
                   min(opened_on) AS opened_on
            FROM ({base}) GROUP BY ALL
            {_order(group_by, "item_id")}""",
        params,
    ).df()[columns[:-1]]
    order = {spec.code: position for position, spec in enumerate(items_of(construct))}
    frame = frame.sort_values("item_id", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)
    unfiltered = _people(_items_sql(con, construct, None, waves))
    return privacy.gate(
        con,
        unfiltered,
        frame,
        keys=["item_id", *group_by],
        values=["mean", "favourable_pct"],
        filters=filters,
        min_group=k,
    )


def _items_sql(
    con: duckdb.DuckDBPyConnection, construct: str, filters: Filters | None, waves: list[str] | None
) -> tuple[str, list]:
    """One row per coded answer (db's coded_answers view) to the construct's items, from valid
    responses only (at least half the items answered), with the respondents columns: the answers
    behind the construct's score rows, so the items describe the same answers as its % favourable."""
    rows, params = score_rows.score_rows_sql(score_rows.scores_source(con), construct, filters, waves)
    base = f"""
        SELECT s.* EXCLUDE (score, answered, favourable), c.item_id, i.text, i.reverse,
               c.value, c.midpoint, c.favourable
        FROM ({rows}) s JOIN coded_answers c USING (response_id) JOIN items i USING (item_id)
        WHERE c.construct = ?
    """
    return base, [*params, CONSTRUCTS[construct].code]


def _enps_sql(filters: Filters | None, waves: list[str] | None) -> tuple[str, list]:
    """One row per eNPS answer, with the respondents columns."""
    condition, params = score_rows.respondent_condition(filters, waves)
    base = f"""
        SELECT r.*, a.value FROM answers a JOIN respondents r USING (response_id)
        WHERE a.item_id = 'enps' AND {condition}
    """
    return base, params


def enps(
    con: duckdb.DuckDBPyConnection,
    group_by: list[str] | None = None,
    filters: Filters | None = None,
    waves: list[str] | None = None,
    min_group: int | None = None,
) -> pd.DataFrame:
    """Per group: n, % promoters (9-10), % passives (7-8), % detractors (0-6), eNPS (-100..+100)."""
    group_by = _group_by(group_by)
    k = privacy.min_group() if min_group is None else min_group
    base, params = _enps_sql(filters, waves)
    values = ["promoters_pct", "passives_pct", "detractors_pct", "enps"]
    if not _enough(con, base, params, k):
        return _empty([*group_by, "n", *values, "suppressed"])
    frame = con.execute(
        f"""SELECT {_select(group_by)} count(DISTINCT {_RESPONDENT}) AS n,
                   100.0 * avg(CASE WHEN value >= 9 THEN 1 ELSE 0 END) AS promoters_pct,
                   100.0 * avg(CASE WHEN value > 6 AND value < 9 THEN 1 ELSE 0 END) AS passives_pct,
                   100.0 * avg(CASE WHEN value <= 6 THEN 1 ELSE 0 END) AS detractors_pct,
                   promoters_pct - detractors_pct AS enps, min(opened_on) AS opened_on
            FROM ({base}) GROUP BY ALL
            {_order(group_by)}""",
        params,
    ).df()[[*group_by, "n", *values]]
    unfiltered = _people(_enps_sql(None, waves))
    return privacy.gate(con, unfiltered, frame, keys=group_by, values=values, filters=filters, min_group=k)


def equity_gaps(
    con: duckdb.DuckDBPyConnection,
    construct: str,
    attribute: str,
    filters: Filters | None = None,
    waves: list[str] | None = None,
    min_group: int | None = None,
) -> pd.DataFrame:
    """Each group's mean against everyone's in the same wave: gap and direction.

    direction is "above" or "below" when the group's 95 % CI excludes the overall mean, "in line"
    otherwise, and "suppressed" for groups under the privacy threshold.
    """
    groups = group_scores(con, construct, [attribute, "wave"], filters, waves, min_group)
    overall = group_scores(con, construct, ["wave"], filters, waves, min_group)
    overall = overall.loc[~overall["suppressed"].astype(bool), ["wave", "mean", "n"]]
    frame = groups.merge(overall.rename(columns={"mean": "overall_mean", "n": "overall_n"}), on="wave")
    frame["gap"] = frame["mean"] - frame["overall_mean"]
    frame["direction"] = np.select(
        [
            frame["suppressed"].astype(bool),
            frame["ci_low"] > frame["overall_mean"],
            frame["ci_high"] < frame["overall_mean"],
        ],
        ["suppressed", "above", "below"],
        "in line",
    )
    columns = ["wave", attribute, "n", "mean", "ci_low", "ci_high", "overall_mean", "overall_n", "gap"]
    return frame[[*columns, "direction", "suppressed"]]


def _pulses(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Pulse waves with responses, oldest first: when each opened and whether it was anonymous."""
    return con.execute(
        """SELECT w.wave, w.opened_on, CAST(date_trunc('month', w.opened_on) AS DATE) AS month,
                  bool_and(r.employee_id IS NULL) AS anonymous
           FROM waves w JOIN responses r USING (wave)
           WHERE w.kind = 'pulse' GROUP BY ALL ORDER BY w.opened_on, w.wave"""
    ).df()


def pulse_trend(
    con: duckdb.DuckDBPyConnection,
    construct: str,
    group_by: list[str] | None = None,
    filters: Filters | None = None,
    min_group: int | None = None,
) -> pd.DataFrame:
    """Pulse waves only, in the order opened, with their month: n, mean, % favourable, CI per group.

    Each pulse is its own point: an anonymous pulse in the same month as a confidential one is
    largely the same people, so the two are never pooled.
    """
    group_by = _attributes(_group_by(group_by))
    pulses = _pulses(con)
    columns = ["wave", "opened_on", "month", "anonymous", *group_by, *GROUP_COLUMNS]
    if pulses.empty:
        return _empty(columns)
    frame = group_scores(con, construct, ["wave", *group_by], filters, list(pulses["wave"]), min_group)
    return pulses.merge(frame, on="wave", how="inner")[columns].reset_index(drop=True)


def last_two_pulses(trend: pd.DataFrame) -> tuple[str, str] | None:
    """The last two pulses of one series, for month-on-month change: confidential ones if there are two.

    An anonymous pulse is answered by mostly the same people as a confidential one, so comparing the
    two would mix two ways of asking; each series is compared with itself.
    """
    waves = trend.drop_duplicates("wave").sort_values(["opened_on", "wave"], kind="stable")
    for anonymous in (False, True):
        series = waves.loc[waves["anonymous"].astype(bool) == anonymous, "wave"].tolist()
        if len(series) >= 2:
            return series[-2], series[-1]
    return None


def latest_pulse(trend: pd.DataFrame) -> pd.Series:
    """The latest pulse of an organisation-wide `pulse_trend` (no group_by), with `change` on the pulse before.

    The change is the later of `last_two_pulses` minus the earlier: one series compared with itself. It is
    NaN without a pair or when the gate hid either mean; without a pair the latest pulse is the last opened.
    """
    pair = last_two_pulses(trend)
    by_wave = trend.set_index("wave", drop=False)
    latest = (by_wave.loc[pair[1]] if pair else trend.iloc[-1]).copy()
    before = by_wave.loc[pair[0], "mean"] if pair else None
    shown = not (pd.isna(before) or pd.isna(latest["mean"]))
    latest["change"] = float(latest["mean"]) - float(before) if shown else float("nan")
    return latest


def score_alerts(
    con: duckdb.DuckDBPyConnection,
    construct: str,
    attribute: str,
    drop: float,
    filters: Filters | None = None,
    min_group: int | None = None,
) -> pd.DataFrame:
    """Groups whose mean fell by more than `drop` between the last two pulses (shown in both)."""
    columns = [attribute, "previous_wave", "latest_wave", "before", "after", "change", "n_before", "n"]
    trend = pulse_trend(con, construct, [attribute], filters, min_group)
    pair = last_two_pulses(trend)
    if pair is None:
        return _empty(columns)
    previous, latest = pair
    visible = trend.loc[~trend["suppressed"].astype(bool)]
    before = visible.loc[visible["wave"] == previous, [attribute, "mean", "n"]]
    after = visible.loc[visible["wave"] == latest, [attribute, "mean", "n"]]
    both = before.merge(after, on=attribute, suffixes=("_before", "_after"))
    both = both.rename(columns={"mean_before": "before", "mean_after": "after", "n_after": "n"})
    both["change"] = both["after"] - both["before"]
    both["previous_wave"], both["latest_wave"] = previous, latest
    alerts = both.loc[both["change"] < -drop, columns]
    return alerts.sort_values("change", kind="stable").reset_index(drop=True)
