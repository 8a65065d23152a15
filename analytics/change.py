"""Pre/mid/post paired statistics and reciprocity of gains."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import duckdb
import numpy as np
import pandas as pd
from scipy import stats

from analytics import privacy
from analytics.filters import ATTRIBUTES, Filters, missing_label, selected, where_sql
from analytics.metrics import construct_scores
from analytics.privacy import min_group as default_min_group
from analytics.store import score_rows
from ui.format import p_text

__all__ = [
    "CHANGE_COLUMNS",
    "WAVE_PAIRS",
    "paired_change",
    "magnitude",
    "verdict",
    "finite_or_none",
    "ALPHA",
    "wave_change",
    "all_changes",
    "reciprocity",
    "QUADRANTS",
]

# The figures of one paired comparison, in the order they are shown.
CHANGE_COLUMNS = [
    "mean_before",
    "mean_after",
    "mean_change",
    "ci_low",
    "ci_high",
    "sd_change",
    "cohen_dz",
    "t_p",
    "wilcoxon_p",
    "improved_pct",
    "magnitude",
    "verdict",
]
WAVE_PAIRS = [("pre", "mid"), ("mid", "post"), ("pre", "post")]
ALPHA = 0.05


def finite_or_none(value: float | None) -> float | None:
    """A plain float, or None for a missing or non-finite value."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def magnitude(cohen_dz: float | None) -> str | None:
    """Cohen's label for an effect size: negligible (<0.2), small, medium, large (>=0.8)."""
    if cohen_dz is None or not math.isfinite(cohen_dz):
        return None
    size = abs(cohen_dz)
    if size < 0.2:
        return "negligible"
    if size < 0.5:
        return "small"
    if size < 0.8:
        return "medium"
    return "large"


def verdict(mean_change: float | None, cohen_dz: float | None, p_value: float | None) -> str:
    """A plain sentence on a change, e.g. 'a medium improvement, unlikely to be chance (p = 0.003)'."""
    if mean_change is None:
        return "no paired responses to compare"
    size = magnitude(cohen_dz)
    if mean_change == 0 or size is None:
        what = "no change" if mean_change == 0 else "a change"
    elif size == "negligible":
        what = "a negligible change"
    else:
        what = f"a {size} {'improvement' if mean_change > 0 else 'decline'}"
    if p_value is None:
        return f"{what}; too few paired responses to judge whether it is chance"
    if p_value < ALPHA:
        return f"{what}, unlikely to be chance ({p_text(p_value)})"
    return f"{what} that could be chance ({p_text(p_value)})"


def paired_change(before: Sequence[float], after: Sequence[float]) -> dict:
    """Within-person change from before to after: means, 95 % t CI, d_z, paired t and Wilcoxon p.

    Pairs with a missing value on either side are dropped. Statistics that need a spread (CI, d_z,
    p-values) are None with fewer than two pairs or when every change is the same.
    """
    x = np.asarray(before, dtype="float64")
    y = np.asarray(after, dtype="float64")
    if x.shape != y.shape:
        raise ValueError("before and after must have the same length")
    keep = ~(np.isnan(x) | np.isnan(y))
    x, y = x[keep], y[keep]
    diff = y - x
    n = int(diff.size)
    result: dict = {"n": n, **dict.fromkeys(CHANGE_COLUMNS)}
    if n == 0:
        result["verdict"] = verdict(None, None, None)
        return result
    mean_change = float(diff.mean())
    result.update(
        mean_before=float(x.mean()),
        mean_after=float(y.mean()),
        mean_change=mean_change,
        improved_pct=100.0 * float((diff > 0).mean()),
    )
    if n >= 2:
        sd = float(diff.std(ddof=1))
        result["sd_change"] = sd
        if sd > 0:
            half = float(stats.t.ppf(1 - ALPHA / 2, n - 1)) * sd / math.sqrt(n)
            result.update(
                ci_low=mean_change - half,
                ci_high=mean_change + half,
                cohen_dz=mean_change / sd,
                t_p=finite_or_none(stats.ttest_rel(y, x).pvalue),
            )
        else:
            result.update(ci_low=mean_change, ci_high=mean_change)
        if np.any(diff != 0):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                try:
                    result["wilcoxon_p"] = finite_or_none(stats.wilcoxon(y, x).pvalue)
                except ValueError:
                    result["wilcoxon_p"] = None
    result["magnitude"] = magnitude(result["cohen_dz"])
    result["verdict"] = verdict(mean_change, result["cohen_dz"], result["t_p"])
    return result


def _check_group(group_by: str | None) -> str | None:
    if group_by is not None and group_by not in ATTRIBUTES:
        raise ValueError(f"unknown attribute {group_by!r}; expected one of {', '.join(ATTRIBUTES)}")
    return group_by


def _paired_scores(
    con: duckdb.DuckDBPyConnection,
    construct: str,
    before: str,
    after: str,
    filters: Filters | None,
    extra: list[str],
) -> pd.DataFrame:
    """One row per employee who answered both waves: before, after, change and the extra columns.

    Several responses of one employee in one wave are averaged. Extra attributes are taken from the
    employee's before-wave response.
    """
    scores = construct_scores(con, construct, filters=filters, waves=[before, after])
    scores = scores[scores["employee_id"].notna()]
    columns = ["employee_id", "before", "after", "change", *extra]
    if scores.empty:
        return pd.DataFrame(columns=columns)
    means = scores.pivot_table(index="employee_id", columns="wave", values="score", aggfunc="mean")
    if before not in means.columns or after not in means.columns:
        return pd.DataFrame(columns=columns)
    paired = means[[before, after]].dropna().rename(columns={before: "before", after: "after"})
    paired["change"] = paired["after"] - paired["before"]
    if extra:
        attributes = (
            scores[scores["wave"] == before]
            .sort_values("response_id")
            .drop_duplicates("employee_id")
            .set_index("employee_id")[extra]
        )
        paired = paired.join(attributes)
    return paired.reset_index()[columns]


def _paired_rows(con: duckdb.DuckDBPyConnection, construct: str, before: str, after: str) -> privacy.Rows:
    """The rows of a paired change for privacy.gate and the figure alike, without the filters.

    One row per employee with a score in both waves (several responses in one wave averaged): unit (the
    employee), wave (one scope for the whole comparison, "before -> after"), before, after, change, and
    every filter attribute from the employee's before-wave response (the first by response_id), so a
    filter selects a person by what they were when the comparison began. Anonymous responses have no
    person to pair and are left out.
    """
    sql, params = score_rows.score_rows_sql(score_rows.scores_source(con), construct, None, [before, after])
    attributes = ", ".join(f'a."{a}"' for a in ATTRIBUTES)
    return privacy.Rows(
        f"""
        WITH s AS (SELECT * FROM ({sql}) WHERE employee_id IS NOT NULL),
        m AS (
            SELECT employee_id, avg(score) FILTER (WHERE wave = ?) AS before,
                   avg(score) FILTER (WHERE wave = ?) AS after
            FROM s GROUP BY employee_id
        ),
        a AS (
            SELECT * FROM s WHERE wave = ?
            QUALIFY row_number() OVER (PARTITION BY employee_id ORDER BY response_id) = 1
        )
        SELECT m.employee_id AS unit, ? AS wave, m.before, m.after, m.after - m.before AS change, {attributes}
        FROM m JOIN a USING (employee_id)
        WHERE m.before IS NOT NULL AND m.after IS NOT NULL
        """,
        (*params, before, after, before, f"{before} -> {after}"),
    )


def _neighbours(before: str, after: str) -> list[tuple[str, str]]:
    """The other comparisons of WAVE_PAIRS sharing a wave with this one (pre -> post: pre -> mid, mid -> post)."""
    return [pair for pair in WAVE_PAIRS if pair != (before, after) and {before, after} & set(pair)]


def _changes(paired: pd.DataFrame, group_by: str | None) -> pd.DataFrame:
    """The figure: paired_change per group (one row without a breakdown), missing values labelled."""
    if not group_by:
        return pd.DataFrame(
            [paired_change(paired["before"], paired["after"])], columns=["n", *CHANGE_COLUMNS]
        )
    labels = paired[group_by].astype("object").where(paired[group_by].notna(), missing_label(group_by))
    rows = [
        {group_by: value, **paired_change(part["before"], part["after"])}
        for value, part in paired.groupby(labels.astype(str), sort=True)
    ]
    return pd.DataFrame(rows, columns=[group_by, "n", *CHANGE_COLUMNS])


def wave_change(
    con: duckdb.DuckDBPyConnection,
    construct: str,
    before: str = "pre",
    after: str = "post",
    group_by: str | None = None,
    filters: Filters | None = None,
    min_group: int | None = None,
) -> pd.DataFrame:
    """Within-person change of a construct between two waves, overall or per group, through privacy.gate.

    One row per group (one row when group_by is None): before, after, the group, n (employees present in
    both waves, <NA> when hidden), the figures of `paired_change`, suppressed and suppressed_reason.
    People are counted and filtered by their before-wave attributes (_paired_rows); people without a
    value of the attribute form the group filters.missing_label(group_by). The other comparisons of
    WAVE_PAIRS sharing a wave are the gate's neighbours: pre -> post is hidden when its people and those
    of pre -> mid or mid -> post differ by 1..k-1, as the two would give those people's scores.
    """
    group_by = _check_group(group_by)
    keys = [group_by] if group_by else []
    with score_rows.same_data(con):
        rows = _paired_rows(con, construct, before, after)
        condition, params = where_sql(filters, "r")
        paired = con.execute(f"SELECT * FROM ({rows.sql}) r WHERE {condition}", [*rows.params, *params]).df()
        neighbours = [_paired_rows(con, construct, b, a) for b, a in _neighbours(before, after)]
        frame = privacy.gate(
            con,
            rows,
            _changes(paired, group_by),
            keys=keys,
            values=CHANGE_COLUMNS,
            filters=filters,
            min_group=min_group,
            neighbours=neighbours,
        )
    frame.insert(0, "before", before)
    frame.insert(1, "after", after)
    return frame[["before", "after", *keys, "n", *CHANGE_COLUMNS, "suppressed", "suppressed_reason"]]


def all_changes(
    con: duckdb.DuckDBPyConnection,
    construct: str,
    filters: Filters | None = None,
    min_group: int | None = None,
) -> pd.DataFrame:
    """Within-person change pre -> mid, mid -> post and pre -> post, one row each (wave_change's columns)."""
    frames = [wave_change(con, construct, b, a, filters=filters, min_group=min_group) for b, a in WAVE_PAIRS]
    return pd.concat(frames, ignore_index=True)


# The four outcomes of a pair, in the order they are shown: who of the two improved (change > 0).
QUADRANTS = {
    "both": "both improved",
    "mentor_only": "only the mentor improved",
    "mentee_only": "only the mentee improved",
    "neither": "neither improved",
}


def reciprocity(
    con: duckdb.DuckDBPyConnection,
    construct: str,
    before: str = "pre",
    after: str = "post",
    filters: Filters | None = None,
    min_group: int | None = None,
) -> dict:
    """Did both partners gain? Pairs where mentor and mentee both answered both waves.

    Returns pairs, mentor_gain and mentee_gain (mean change over the pairs), suppressed,
    suppressed_reason, and `quadrants`: one row per QUADRANTS key (quadrant, label, n pairs, pct of pairs,
    suppressed). Both go through privacy.gate with the pair as the unit (a pair carries its cohort and
    focus and the values both partners share, so it matches a filter only when both partners do); the
    quadrants are protected from subtraction like a breakdown. both_improved_pct is the "both"
    quadrant's pct, None when that is hidden. Nothing per pair leaves this function.
    """
    k = min_group if min_group is not None else default_min_group()
    rows = _pair_frame(con, construct, before, after)
    chosen = selected(filters)
    keep = np.ones(len(rows), dtype=bool)
    for attribute, values in chosen.items():
        keep &= rows[attribute].astype("object").isin(values).to_numpy(dtype=bool)
    part = rows[keep]
    overall = pd.DataFrame(
        [{"mentor_gain": part["mentor_change"].mean(), "mentee_gain": part["mentee_change"].mean()}]
    )
    overall = privacy.gate(
        con, rows, overall, keys=[], values=["mentor_gain", "mentee_gain"], filters=filters, min_group=k
    ).iloc[0]
    hidden = bool(overall["suppressed"])
    quadrants = _quadrants(con, rows, part, filters, k, hidden)
    both = quadrants.set_index("quadrant").loc["both"]
    return {
        "before": before,
        "after": after,
        "pairs": None if hidden else int(overall["n"]),
        "both_improved_pct": None if hidden or bool(both["suppressed"]) else float(both["pct"]),
        "mentor_gain": None if hidden else float(overall["mentor_gain"]),
        "mentee_gain": None if hidden else float(overall["mentee_gain"]),
        "suppressed": hidden,
        "suppressed_reason": overall["suppressed_reason"] if hidden else None,
        "quadrants": quadrants,
    }


def _pair_frame(con: duckdb.DuckDBPyConnection, construct: str, before: str, after: str) -> pd.DataFrame:
    """The gate's rows for reciprocity, without filters: one row per complete pair (unit = pair), its
    partners' changes, its quadrant and the attributes a pair carries; for counting only, never returned."""
    columns = ["unit", "wave", *ATTRIBUTES, "mentor_change", "mentee_change", "quadrant"]
    paired = _paired_scores(
        con, construct, before, after, None, list(dict.fromkeys(["pair_id", *ATTRIBUTES]))
    )
    paired = _complete_pairs(paired)
    if paired.empty:
        return pd.DataFrame(columns=columns)
    by_pair = paired.pivot_table(index="pair_id", columns="role", values="change", aggfunc="mean")
    frame = by_pair.reindex(columns=["mentor", "mentee"]).dropna()
    frame = frame.rename(columns={"mentor": "mentor_change", "mentee": "mentee_change"})
    people = paired.astype({a: "object" for a in ATTRIBUTES}).groupby("pair_id")
    for attribute in ATTRIBUTES:
        values = people[attribute].agg(_shared_value, attribute)
        frame[attribute] = values.reindex(frame.index)
    mentor, mentee = frame["mentor_change"] > 0, frame["mentee_change"] > 0
    frame["quadrant"] = np.select(
        [mentor & mentee, mentor & ~mentee, ~mentor & mentee],
        ["both", "mentor_only", "mentee_only"],
        "neither",
    )
    frame["unit"] = frame.index.astype(str)
    frame["wave"] = f"{before} -> {after}"
    return frame.reset_index(drop=True)[columns]


def _shared_value(values: pd.Series, attribute: str) -> str | None:  # (as goals' pair rows)
    """A pair's value of an attribute: the partners' common value, else both joined (which no filter selects)."""
    present = [str(v) for v in values if not pd.isna(v)]
    if not present:
        return None
    if len(set(present)) == 1 and len(present) == len(values):
        return present[0]
    return " + ".join(
        sorted(set(present) | ({missing_label(attribute)} if len(present) < len(values) else set()))
    )


def _quadrants(
    con: duckdb.DuckDBPyConnection,
    rows: pd.DataFrame,
    part: pd.DataFrame,
    filters: Filters | None,
    k: int,
    hidden: bool,
) -> pd.DataFrame:
    """Pairs per quadrant, through privacy.gate with the quadrant as a category (all hidden with the result)."""
    total = max(len(part), 1)
    counts = part["quadrant"].value_counts()
    frame = pd.DataFrame(
        {
            "quadrant": list(QUADRANTS),
            "label": list(QUADRANTS.values()),
            "pct": [100.0 * counts.get(q, 0) / total for q in QUADRANTS],
        }
    )
    shown = privacy.gate(
        con,
        rows,
        frame,
        keys=["quadrant"],
        values=["pct"],
        filters=filters,
        min_group=k,
        categories=["quadrant"],
    )
    if hidden:
        shown = shown.assign(n=pd.array([None] * len(shown), dtype="Int64"), pct=math.nan, suppressed=True)
    return shown[["quadrant", "label", "n", "pct", "suppressed", "suppressed_reason"]]


def _complete_pairs(paired: pd.DataFrame) -> pd.DataFrame:
    """The rows of paired employees whose pair has one mentor and one mentee, both present."""
    paired = paired[paired["pair_id"].notna() & paired["role"].isin(["mentor", "mentee"])]
    counts = paired.groupby(["pair_id", "role"]).size().unstack(fill_value=0)
    counts = counts.reindex(columns=["mentor", "mentee"], fill_value=0)
    complete = counts[(counts["mentor"] == 1) & (counts["mentee"] == 1)].index
    return paired[paired["pair_id"].isin(complete)]
