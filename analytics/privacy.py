"""The privacy gate: thresholds, suppression and the disclosure rules every figure passes (DESIGN.md section 5)."""

from __future__ import annotations

import os
import re

import duckdb
import numpy as np
import pandas as pd

from analytics.errors import MutualError
from analytics.filters import Filters, selected

__all__ = [
    "suppress",
    "suppress_groups",
    "cell_column",
    "cells_sql",
    "cells_of",
    "guard_cells",
    "guard_filters",
    "guard_sql",
    "hidden_mask",
    "hides_all",
    "SUPPRESSED_NOTE",
    "suppressed_note",
    "min_group",
    "min_group_comments",
    "parse_threshold",
    "thresholds",
    "SAFE_MIN_GROUP",
]

# The smallest threshold a deployment may use without saying so twice, and the largest that is sensible.
SAFE_MIN_GROUP = 3
_MAX_GROUP = 100_000
ALLOW_SMALL_VARIABLE = "MUTUAL_ALLOW_SMALL_GROUPS"


def parse_threshold(variable: str, raw: str | None, default: int, *, floor: int = SAFE_MIN_GROUP) -> int:
    """A threshold setting read once: a whole number from `floor` to 100,000, or MutualError saying why.

    Empty or unset means the default. A value below SAFE_MIN_GROUP (3) is accepted only when
    $MUTUAL_ALLOW_SMALL_GROUPS is "yes" (a deliberate choice, e.g. for a test database), and never below 1.
    """
    text = (raw or "").strip()
    if not text:
        return default
    if not re.fullmatch(r"[0-9]{1,7}", text):
        raise MutualError(
            f"{variable}={raw!r} is not usable: the privacy threshold must be a whole number of people "
            f"(for example {default}); Mutual will not start until it is"
        )
    value = int(text)
    allow_small = os.environ.get(ALLOW_SMALL_VARIABLE, "").strip().lower() == "yes"
    lowest = 1 if allow_small else floor
    if value < lowest or value > _MAX_GROUP:
        hint = (
            f"; a value below {SAFE_MIN_GROUP} also needs {ALLOW_SMALL_VARIABLE}=yes"
            if value < floor and not allow_small and value >= 1
            else ""
        )
        raise MutualError(
            f"{variable}={raw!r} is not usable: the privacy threshold must be between {lowest} and "
            f"{_MAX_GROUP:,} people{hint}"
        )
    return value


def min_group() -> int:
    """Minimum number of distinct respondents behind any statistic ($MUTUAL_MIN_GROUP, default 5)."""
    return parse_threshold("MUTUAL_MIN_GROUP", os.environ.get("MUTUAL_MIN_GROUP"), 5)


def min_group_comments() -> int:
    """Minimum group size for free text ($MUTUAL_MIN_GROUP_COMMENTS, default 10), never below min_group()."""
    k = min_group()
    raw = os.environ.get("MUTUAL_MIN_GROUP_COMMENTS")
    value = parse_threshold("MUTUAL_MIN_GROUP_COMMENTS", raw, max(10, k), floor=1)
    if value < k:
        raise MutualError(
            f"MUTUAL_MIN_GROUP_COMMENTS={raw!r} is not usable: comments need at least as many people as "
            f"any other figure (MUTUAL_MIN_GROUP is {k})"
        )
    return value


def thresholds() -> tuple[int, int]:
    """(min_group(), min_group_comments()): both settings checked, for cache keys and start-up."""
    return min_group(), min_group_comments()


def SUPPRESSED_NOTE(k: int) -> str:  # noqa: N802 - reads as a constant at call sites
    """The text shown in place of a suppressed figure."""
    return f"fewer than {k} responses"


def suppressed_note(k: int, filters: Filters | None = None) -> str:
    """SUPPRESSED_NOTE, saying with filters that a figure may also be hidden to protect another filter's group."""
    if not selected(filters):
        return SUPPRESSED_NOTE(k)
    return f"{SUPPRESSED_NOTE(k)}, or a smaller group would follow by setting this filter against another"


def _partitions(frame: pd.DataFrame, within: list[str] | None) -> list[np.ndarray]:
    """Positions of the rows in each partition of `within` (all rows when there is none)."""
    if not within or frame.empty:
        return [np.arange(len(frame))]
    return list(frame.groupby(within, sort=False, dropna=False).indices.values())


def _protect(n: np.ndarray, hidden: np.ndarray, partitions: list[np.ndarray], k: int) -> np.ndarray:
    """Secondary suppression: hide the next-smallest groups until the hidden ones are safe together."""
    hidden = hidden.copy()
    for positions in partitions:
        order = positions[np.argsort(n[positions], kind="stable")]
        if not hidden[order].any() or hidden[order].all():
            continue
        for position in order:
            if hidden[position]:
                continue
            already = order[hidden[order]]
            if len(already) >= 2 and n[already].sum() >= k:
                break
            hidden[position] = True
    return hidden


def _blank(frame: pd.DataFrame, hidden: np.ndarray, value_columns: list[str]) -> pd.DataFrame:
    out = frame.copy()
    out["suppressed"] = hidden
    visible = ~out["suppressed"]
    for column in value_columns:
        if pd.api.types.is_numeric_dtype(out[column]) and not pd.api.types.is_bool_dtype(out[column]):
            out[column] = out[column].astype("float64").where(visible)  # NaN
        else:
            out[column] = out[column].astype("object").where(visible, None)
    return out


def _primary(n: np.ndarray, k: int, hide: np.ndarray | None) -> np.ndarray:
    """Groups hidden before secondary suppression: under k, or marked by the caller."""
    small = n < k
    return small if hide is None else small | np.asarray(hide, dtype=bool)


def _k(min_group: int | None) -> int:
    return min_group if min_group is not None else globals()["min_group"]()


def suppress(
    frame: pd.DataFrame,
    value_columns: list[str],
    min_group: int | None = None,
    within: list[str] | None = None,
    n_column: str = "n",
    hide: np.ndarray | None = None,
) -> pd.DataFrame:
    """Blank the statistics of groups with n below the threshold, and guard against subtraction.

    Adds a boolean `suppressed` column. `hide` marks further groups to hide as if they were small
    (e.g. those `guard_filters` finds), before secondary suppression. Groups are compared within each partition of `within`
    (e.g. per wave: one breakdown per wave). When a partition has suppressed groups whose combined n
    is still under the threshold, or exactly one suppressed group, the next-smallest groups are
    suppressed as well, so a visible total minus the visible groups cannot reveal a small group.
    Rows are kept (marked), never dropped silently.
    """
    k = _k(min_group)
    n = frame[n_column].fillna(0).to_numpy(dtype="float64")
    hidden = _protect(n, _primary(n, k, hide), _partitions(frame, within), k)
    return _blank(frame, hidden, value_columns)


def suppress_groups(
    frame: pd.DataFrame,
    value_columns: list[str],
    attributes: list[str],
    within: list[str] | None = None,
    min_group: int | None = None,
    n_column: str = "n",
    hide: np.ndarray | None = None,
) -> pd.DataFrame:
    """suppress() for a cross-breakdown: every attribute's groups are protected within the others.

    With one attribute this is suppress(within=within). With several (e.g. department x role per
    wave), each attribute's row of cells is protected within every combination of the other
    attributes and `within`, repeated until nothing more needs hiding, so no margin total minus
    visible cells reveals a small cell.
    """
    k = _k(min_group)
    within = list(within or [])
    n = frame[n_column].fillna(0).to_numpy(dtype="float64")
    hidden = _primary(n, k, hide)
    layouts = [
        _partitions(frame, within + [a for a in attributes if a != attribute]) for attribute in attributes
    ]
    if not layouts:
        layouts = [_partitions(frame, within)]
    while True:
        before = hidden.copy()
        for partitions in layouts:
            hidden = _protect(n, hidden, partitions, k)
        if (hidden == before).all():
            break
    return _blank(frame, hidden, value_columns)


# ---------------------------------------------------------------- filters: no differencing of two results
#
# A statistic under filters is a union of cells: the cross-tab of the filtered attributes' values (every
# value, NULL included) within each breakdown group. The cells are protected like a breakdown (primary and
# secondary suppression), and a filtered group is shown only when none of the cells it is made of is hidden.
# Two results then differ by cells that each hold 0 or at least k people.


def cell_column(attribute: str) -> str:
    """The column holding a filtered attribute's value in a frame of cells."""
    return f"_cell_{attribute}"


def cells_sql(base: str, select: str, filters: Filters | None, n: str) -> str:
    """SQL grouping `base` (the statistic's rows, the filters left out) into the cells a filtered result is made of.

    `select` is the SELECT list of the breakdown keys, each followed by ", " (empty for no breakdown), and
    `n` the aggregate the statistic counts its n with. One row per breakdown group and combination of the
    filtered attributes' values, those in `cell_column(attribute)`, with column n.
    """
    columns = "".join(f'"{a}" AS "{cell_column(a)}", ' for a in selected(filters))
    return f"SELECT {select}{columns}{n} AS n FROM ({base}) GROUP BY ALL"


def cells_of(
    rows: pd.DataFrame, keys: list[str], filters: Filters | None, who: str | None = None
) -> pd.DataFrame:
    """cells_sql() for rows already in pandas: n is the rows per cell, or the distinct values of `who`."""
    chosen = list(selected(filters))
    frame = rows[keys].copy()
    for attribute in chosen:
        frame[cell_column(attribute)] = rows[attribute].astype("object")
    by = [*keys, *(cell_column(a) for a in chosen)]
    if who is None:
        counted = frame.groupby(by, dropna=False, sort=False).size()
    else:
        frame["_who"] = rows[who]
        counted = frame.groupby(by, dropna=False, sort=False)["_who"].nunique()
    return counted.rename("n").reset_index()


def _no_groups(keys: list[str]) -> pd.DataFrame:
    return pd.DataFrame(columns=keys)


def guard_cells(
    cells: pd.DataFrame,
    keys: list[str],
    attributes: list[str],
    covered: np.ndarray,
    min_group: int | None = None,
    n_column: str = "n",
) -> pd.DataFrame:
    """The breakdown groups to hide: those covering a cell that suppress_groups() hides.

    `cells` has the breakdown `keys`, the cell `attributes` and n; `covered` marks the cells the filtered
    result is made of. Returns the distinct keys of the groups to hide; without keys, one row (with no
    columns) means "hide the result", none "show it".
    """
    if cells.empty:
        return _no_groups(keys)
    protected = suppress_groups(cells, [], attributes, keys, _k(min_group), n_column)
    hit = protected["suppressed"].to_numpy(dtype=bool) & np.asarray(covered, dtype=bool)
    if not keys:
        return pd.DataFrame(index=range(int(hit.any())))
    return cells.loc[hit, keys].drop_duplicates().reset_index(drop=True)


def guard_filters(
    cells: pd.DataFrame,
    keys: list[str],
    filters: Filters | None,
    min_group: int | None = None,
    n_column: str = "n",
) -> pd.DataFrame:
    """The breakdown groups a filtered result must hide, from its cells (cells_sql or cells_of).

    A cell is covered when each filtered attribute's value is one of the selected values; the cells are
    protected as a cross-breakdown of the filtered attributes within each group of `keys`. No filters,
    nothing hidden.
    """
    chosen = selected(filters)
    if not chosen:
        return _no_groups(keys)
    covered = np.ones(len(cells), dtype=bool)
    for attribute, values in chosen.items():
        covered &= cells[cell_column(attribute)].astype("object").isin(values).to_numpy(dtype=bool)
    columns = [cell_column(a) for a in chosen]
    return guard_cells(cells, keys, columns, covered, min_group, n_column)


def guard_sql(
    con: duckdb.DuckDBPyConnection,
    base: str,
    params: list,
    select: str,
    keys: list[str],
    filters: Filters | None,
    n: str,
    min_group: int | None = None,
) -> pd.DataFrame:
    """guard_filters() on the cells of an SQL statistic: one grouped query, run only when filters are set.

    `base` and `params` are the statistic's rows without the filters; `select`, `keys` and `n` as in
    cells_sql.
    """
    if not selected(filters):
        return _no_groups(keys)
    cells = con.execute(cells_sql(base, select, filters, n), params).df()
    return guard_filters(cells, keys, filters, min_group)


def _key_tuples(frame: pd.DataFrame, keys: list[str]) -> list[tuple]:
    columns = [frame[key].astype("object").tolist() for key in keys]
    return [tuple(None if _missing(v) else str(v) for v in row) for row in zip(*columns, strict=True)]


def _missing(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def hidden_mask(frame: pd.DataFrame, hidden: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """Which rows of a result belong to the groups guard_filters() hides (for suppress's `hide`)."""
    if len(hidden) == 0:  # (a frame without columns is .empty even with rows)
        return np.zeros(len(frame), dtype=bool)
    if not keys:
        return np.ones(len(frame), dtype=bool)
    wanted = set(_key_tuples(hidden, keys))
    return np.array([key in wanted for key in _key_tuples(frame, keys)], dtype=bool)


def hides_all(hidden: pd.DataFrame) -> bool:
    """True when guard_filters() without breakdown keys says to hide the result."""
    return len(hidden) > 0
