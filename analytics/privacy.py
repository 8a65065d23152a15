"""The privacy gate: thresholds, suppression and the disclosure rules every figure passes (DESIGN.md section 5)."""

from __future__ import annotations

import contextlib
import datetime
import os
import re
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from analytics.errors import MutualError
from analytics.filters import ATTRIBUTES, Filters, missing_label, selected, where_sql

__all__ = [
    "gate",
    "Rows",
    "REASONS",
    "suppress",
    "suppress_groups",
    "cell_column",
    "guard_cells",
    "guard_filters",
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


def _tiebreak(frame: pd.DataFrame, figures: list[str]) -> np.ndarray:
    """A rank of each row by its group's labels (every column but the figures): of two groups of the same
    size, the one first by name is hidden first, whatever order the rows arrived in."""
    labels = [c for c in frame.columns if c not in figures]
    if not labels or frame.empty:
        return np.arange(len(frame), dtype="float64")
    joined = frame[labels].astype(object).map(str).agg("\x1f".join, axis=1)
    return joined.rank(method="dense").to_numpy(dtype="float64")


def _protect(
    n: np.ndarray, hidden: np.ndarray, partitions: list[np.ndarray], k: int, tiebreak: np.ndarray
) -> np.ndarray:
    """Secondary suppression: hide the next-smallest groups (ties by `tiebreak`) until the hidden ones are
    safe together."""
    hidden = hidden.copy()
    for positions in partitions:
        order = positions[np.lexsort((tiebreak[positions], n[positions]))]
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
    tiebreak = _tiebreak(frame, [*value_columns, n_column])
    hidden = _protect(n, _primary(n, k, hide), _partitions(frame, within), k, tiebreak)
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
    tiebreak = _tiebreak(frame, [*value_columns, n_column])
    layouts = [
        _partitions(frame, within + [a for a in attributes if a != attribute]) for attribute in attributes
    ]
    if not layouts:
        layouts = [_partitions(frame, within)]
    while True:
        before = hidden.copy()
        for partitions in layouts:
            hidden = _protect(n, hidden, partitions, k, tiebreak)
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


def _missing(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


# ---------------------------------------------------------------- the gate: every figure over people passes here
#
# The rule (docs/privacy.md): a figure is the statistic of a group of people, the group being the rows of
# its measure that fall in one breakdown group under the sidebar filters. It is shown only when
#   1. the group holds at least k people in every wave (scope) it draws on, so pooling waves or counting an
#      anonymous person once per wave never makes a small group look large;
#   2. hiding the groups below k does not leave one recoverable by subtraction (next-smallest rule);
#   3. each cell of the filtered attributes it is made of is shown (the filter guard above);
#   4. no view reachable in one step (the same group without the breakdown or without the filters, the
#      wave, or with one filter taken away, narrowed by any one attribute to any set of its values of at
#      least k people) holds nearly the same people: their symmetric difference is 0 or at least k;
#   5. it differs from each neighbouring population the caller names (e.g. the people in both waves of a
#      paired change) by 0 or at least k people.

REASONS = {
    "small": "fewer than {k} responses",
    "wave": "fewer than {k} responses in one of its waves",
    "secondary": "hidden so that a smaller group cannot be worked out from the total and the other groups",
    "filters": "hidden because setting this filter against another would single out fewer than {k} people",
    "nearly": "hidden because another view of nearly the same people would single out fewer than {k} people",
    "neighbour": "hidden because the people behind it and a related figure differ by fewer than {k}",
}


@dataclass(frozen=True)
class Rows:
    """The data points behind a figure, without the sidebar filters: SQL and its parameters.

    One row per data point, with `unit` (whom it is about: the employee, or the response when anonymous),
    `scope` (the wave, within which people are counted), every filter attribute (filters.ATTRIBUTES, raw
    values, NULL allowed) and the figure's other group columns (e.g. item_id).
    """

    sql: str
    params: tuple = ()
    unit: str = "unit"
    scope: str = "wave"


def _labelled(keys: list[str]) -> tuple[str, list]:
    """SELECT list (each followed by ', ') of the group keys as text, attributes' missing values labelled."""
    parts, params = [], []
    for key in keys:
        if key in ATTRIBUTES:
            parts.append(f'coalesce(CAST(r."{key}" AS VARCHAR), ?) AS "{key}"')
            params.append(missing_label(key))
        else:
            parts.append(f'CAST(r."{key}" AS VARCHAR) AS "{key}"')
    return "".join(f"{p}, " for p in parts), params


def _where(filters: Filters | None, without: str | None = None) -> tuple[str, list]:
    return where_sql({a: v for a, v in selected(filters).items() if a != without}, "r")


def _text_key(value: object) -> str | None:
    """A group key as the gate compares it: text, dates as ISO dates, missing as None."""
    if _missing(value):
        return None
    if isinstance(value, pd.Timestamp | datetime.datetime):
        value = pd.Timestamp(value)
        return value.date().isoformat() if value == value.normalize() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _keyed(frame: pd.DataFrame, keys: list[str]) -> pd.Series:
    if not keys:
        return pd.Series([()] * len(frame), index=frame.index, dtype="object")
    columns = [frame[key].astype("object").map(_text_key).tolist() for key in keys]
    return pd.Series(list(zip(*columns, strict=True)), index=frame.index, dtype="object")


def _group_sizes(con, source: str, params: list, rows: Rows, keys: list[str], filters) -> pd.DataFrame:
    """Per group under the filters: n (distinct units) and the fewest units it has in any one scope."""
    select, label_params = _labelled(keys)
    condition, filter_params = _where(filters)
    by = "".join(f'"{key}", ' for key in keys)
    join = f"JOIN b USING ({by.rstrip(', ')})" if keys else "CROSS JOIN b"
    sql = f"""
        WITH p AS (
            SELECT {select} r."{rows.scope}" AS _scope, r."{rows.unit}" AS _unit
            FROM ({source}) r WHERE r."{rows.unit}" IS NOT NULL AND {condition}
        ), a AS (SELECT {by} count(DISTINCT _unit) AS n FROM p GROUP BY ALL),
        b AS (
            SELECT {by} min(units) AS smallest
            FROM (SELECT {by} _scope, count(DISTINCT _unit) AS units FROM p GROUP BY ALL) GROUP BY ALL
        )
        SELECT * FROM a {join}{" ORDER BY ALL" if keys else ""}
    """
    frame = con.execute(sql, [*label_params, *params, *filter_params]).df()
    return frame[frame["n"] > 0].reset_index(drop=True)


_NONE = "\x00none"  # an attribute's missing value, as the coincidence check counts it


def _value_counts(con, source: str, params: list, rows: Rows, keys: list[str], condition: tuple[str, list]):
    """Distinct units per group of `keys`, scope, attribute and value, over the rows meeting `condition`."""
    select, label_params = _labelled(keys)
    where, where_params = condition
    names = ", ".join(f"'{a}'" for a in ATTRIBUTES)
    values = ", ".join(f'coalesce(CAST(r."{a}" AS VARCHAR), ?)' for a in ATTRIBUTES)
    sql = f"""
        SELECT * EXCLUDE (_unit), count(DISTINCT _unit) AS c FROM (
            SELECT {select} CAST(r."{rows.scope}" AS VARCHAR) AS _scope, r."{rows.unit}" AS _unit,
                   unnest([{names}]) AS _attribute, unnest([{values}]) AS _value
            FROM ({source}) r WHERE r."{rows.unit}" IS NOT NULL AND {where}
        ) GROUP BY ALL
    """
    return con.execute(sql, [*label_params, *([_NONE] * len(ATTRIBUTES)), *params, *where_params]).df()


def _reachable_small(d: np.ndarray, c: np.ndarray, k: int) -> np.ndarray:
    """Per row: can some choice of values (each counted d if left out, c - d if taken, taken only when c >= k)
    add up to between 1 and k - 1? Rows are (group, base, attribute); columns are values, padded with 0."""
    rows = d.shape[0]
    if k <= 62:
        mask = (1 << k) - 1
        reach = np.ones(rows, dtype=np.int64)
        for j in range(d.shape[1]):
            left = np.left_shift(reach, np.minimum(d[:, j], 63).astype(np.int64)) & mask
            gap = np.minimum(c[:, j] - d[:, j], 63).astype(np.int64)
            taken = np.where(c[:, j] >= k, np.left_shift(reach, gap) & mask, 0)
            reach = left | taken
        return (reach & (mask - 1)) != 0
    out = np.zeros(rows, dtype=bool)
    for i in range(rows):
        reach = {0}
        for dv, cv in zip(d[i], c[i], strict=True):
            reach = {s + dv for s in reach if s + dv < k} | (
                {s + cv - dv for s in reach if s + cv - dv < k} if cv >= k else set()
            )
        out[i] = any(0 < s < k for s in reach)
    return out


def _nearly(con, source: str, params: list, rows: Rows, keys: list[str], filters, k: int) -> set[tuple]:
    """Groups that another view one step away holds nearly the same people as (rule 4)."""
    attributes = [key for key in keys if key in ATTRIBUTES]
    within = [key for key in keys if key not in ATTRIBUTES]
    chosen = list(selected(filters))
    bases = []  # (grouping keys, condition) of each view that strictly contains the group
    if attributes or chosen:
        bases.append((within, ("TRUE", [])))
    if chosen:
        bases.append((keys, ("TRUE", [])))
        bases.extend((keys, _where(filters, without=attribute)) for attribute in chosen if len(chosen) > 1)
    if chosen and attributes:
        bases.append((within, _where(filters)))
    if not bases:
        return set()
    own = _value_counts(con, source, params, rows, keys, _where(filters))
    own = own[own["c"] > 0].rename(columns={"c": "d"})
    if own.empty:
        return set()
    found: set[tuple] = set()
    for base_keys, condition in bases:
        base = _value_counts(con, source, params, rows, base_keys, condition)
        on = [*base_keys, "_scope", "_attribute", "_value"]
        both = own.merge(base, on=on, how="left").fillna({"c": 0})
        group = [*keys, "_scope", "_attribute"]
        both["_j"] = both.groupby(group, sort=False).cumcount()
        d = both.pivot_table(index=group, columns="_j", values="d", fill_value=0, aggfunc="sum")
        c = both.pivot_table(index=group, columns="_j", values="c", fill_value=0, aggfunc="sum")
        small = _reachable_small(d.to_numpy(dtype=np.int64), c.to_numpy(dtype=np.int64), k)
        if small.any():
            hit = d.index[small].to_frame(index=False)[keys] if keys else pd.DataFrame(index=[0])
            found.update(_keyed(hit, keys).tolist())
    return found


def _neighbour_gaps(
    con, source: str, params: list, rows: Rows, other: Rows, keys: list[str], filters
) -> pd.DataFrame:
    """Per group: how many units are in exactly one of the figure's rows and the neighbour's (gap), and
    how many the neighbour has (other) (rule 5)."""
    select, label_params = _labelled(keys)
    condition, filter_params = _where(filters)
    by = "".join(f'"{key}", ' for key in keys)
    sql = f"""
        WITH a AS (SELECT DISTINCT {select} r."{rows.unit}" AS _unit FROM ({source}) r
                   WHERE r."{rows.unit}" IS NOT NULL AND {condition}),
             b AS (SELECT DISTINCT {select} r."{other.unit}" AS _unit FROM ({other.sql}) r
                   WHERE r."{other.unit}" IS NOT NULL AND {condition})
        SELECT {by} count(*) FILTER (WHERE a._unit IS NULL OR b._unit IS NULL) AS gap,
               count(b._unit) AS other
        FROM a FULL JOIN b USING ({by}_unit) GROUP BY ALL
    """
    both = [*label_params, *params, *filter_params, *label_params, *other.params, *filter_params]
    return con.execute(sql, both).df()


def _cell_hidden(con, source: str, params: list, rows: Rows, keys: list[str], filters, k: int) -> set[tuple]:
    """Groups made partly of a protected cell of the filtered attributes, in any scope (rule 3)."""
    chosen = selected(filters)
    if not chosen:
        return set()
    select, label_params = _labelled(keys)
    columns = "".join(f'CAST(r."{a}" AS VARCHAR) AS "{cell_column(a)}", ' for a in chosen)
    sql = f"""
        SELECT * EXCLUDE (_unit), count(DISTINCT _unit) AS n FROM (
            SELECT {select} CAST(r."{rows.scope}" AS VARCHAR) AS _scope, {columns} r."{rows.unit}" AS _unit
            FROM ({source}) r WHERE r."{rows.unit}" IS NOT NULL
        ) GROUP BY ALL
    """
    cells = con.execute(sql, [*label_params, *params]).df()
    hidden = guard_filters(cells, [*keys, "_scope"], filters, k)
    return set(_keyed(hidden, keys).tolist()) if len(hidden) else set()


_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")


def _identifiers(names: list[str]) -> None:
    """Column names the gate formats into SQL: plain lower-case identifiers from code, never data."""
    for name in names:
        if not _IDENTIFIER.fullmatch(name):
            raise ValueError(f"not a column name the privacy gate accepts: {name!r}")


@contextlib.contextmanager
def _relation(con, rows: Rows | pd.DataFrame) -> Iterator[tuple[Rows, str, list]]:
    """The rows as SQL: a DataFrame is registered on the connection for the block's duration."""
    if isinstance(rows, Rows):
        yield rows, rows.sql, list(rows.params)
        return
    name = f"_gate_rows_{uuid.uuid4().hex}"
    con.register(name, rows)
    try:
        yield Rows(f'SELECT * FROM "{name}"'), f'SELECT * FROM "{name}"', []
    finally:
        con.unregister(name)


def gate(
    con: duckdb.DuckDBPyConnection,
    rows: Rows | pd.DataFrame,
    figure: pd.DataFrame,
    *,
    keys: list[str],
    values: list[str],
    filters: Filters | None = None,
    min_group: int | None = None,
    neighbours: Sequence[Rows] = (),
    categories: Sequence[str] = (),
) -> pd.DataFrame:
    """The figure as it may be shown: n only for shown groups, values blanked, suppressed and suppressed_reason.

    `rows` are the figure's data points without the filters (Rows, or a DataFrame with the same columns:
    unit, wave, the attributes); `figure` has one row per group of `keys` (attributes of filters.ATTRIBUTES
    are a breakdown; other keys, such as wave or item_id, are compared within) and the `values` computed
    from the same rows under `filters`. The gate counts each group's people itself and applies the rules
    above; `neighbours` are populations a figure of the same people could be set against (rule 5).
    `categories` are keys that split people like an attribute but are not filters (a histogram bin, a
    quadrant, a sentiment label): their groups are protected from subtraction like a breakdown's.
    """
    k = _k(min_group)
    keys = list(keys)
    with _relation(con, rows) as (described, source, params):
        _identifiers([*keys, described.unit, described.scope, *(n.unit for n in neighbours)])
        sizes = _group_sizes(con, source, params, described, keys, filters)
        reasons: dict[tuple, str] = {}
        sized = _keyed(sizes, keys)
        for key, n, smallest in zip(sized, sizes["n"], sizes["smallest"], strict=True):
            if n < k:
                reasons[key] = "small"
            elif smallest < k:
                reasons[key] = "wave"
        shown = [key for key in sized if key not in reasons]
        if shown:
            for key in _nearly(con, source, params, described, keys, filters, k):
                reasons.setdefault(key, "nearly")
            for other in neighbours:
                gaps = _neighbour_gaps(con, source, params, described, other, keys, filters)
                for key, gap, size in zip(_keyed(gaps, keys), gaps["gap"], gaps["other"], strict=True):
                    if 0 < gap < k and size >= k:  # a neighbour of fewer than k is never shown itself
                        reasons.setdefault(key, "neighbour")
            for key in _cell_hidden(con, source, params, described, keys, filters, k):
                reasons.setdefault(key, "filters")
    return _publish(figure, sizes, sized, reasons, keys, values, k, list(categories))


def _publish(figure, sizes, sized, reasons, keys, values, k, categories) -> pd.DataFrame:
    """Secondary suppression over the groups, then the figure with n, suppressed and suppressed_reason."""
    attributes = [key for key in keys if key in ATTRIBUTES or key in categories]
    within = [key for key in keys if key not in attributes]
    marked = np.array([key in reasons for key in sized], dtype=bool)
    groups = suppress_groups(sizes[[*keys, "n"]], [], attributes, within, k, hide=marked)
    for key, hidden in zip(sized, groups["suppressed"], strict=True):
        if hidden:
            reasons.setdefault(key, "secondary")
    n_of = dict(zip(sized, sizes["n"], strict=True))
    out = figure.drop(columns=["n", "suppressed", "suppressed_reason"], errors="ignore").copy()
    keyed = _keyed(out, keys)
    reason = [reasons.get(key, None if key in n_of else "small") for key in keyed]
    hidden = np.array([r is not None for r in reason], dtype=bool)
    out = _blank(out, hidden, [v for v in values if v in out.columns])
    n = [None if h else int(n_of[key]) for key, h in zip(keyed, hidden, strict=True)]
    position = len(keys) if all(key in out.columns for key in keys) else 0
    out.insert(min(position, len(out.columns)), "n", pd.array(n, dtype="Int64"))
    out["suppressed_reason"] = pd.Series(
        [REASONS[r].format(k=k) if r else None for r in reason], index=out.index, dtype="object"
    )
    return out
