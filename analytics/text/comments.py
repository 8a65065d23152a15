"""Which answers are comments, and their tone per group, through the privacy gate (the read side of
`analytics.text.sentiment`, which scores each comment once at import)."""

from __future__ import annotations

import duckdb
import pandas as pd

from analytics import privacy
from analytics.filters import ATTRIBUTES, Filters, missing_label, where_sql

__all__ = [
    "GROUPS",
    "NON_COMMENTS",
    "comments_sql",
    "comment_rows",
    "commenters",
    "sentiment_by_group",
    "shown_waves",
]

# What sentiment can be broken down by: the wave, its kind, the month it opened, every filter attribute.
GROUPS = ("wave", "kind", "month", *ATTRIBUTES)
_VALUES = ["comments", "mean_compound", "positive_pct", "neutral_pct", "negative_pct"]
# Answers that say nothing ("N/A", "-", "none"), after lower-casing and dropping all but letters and
# digits: they are not comments, so they are neither read, listed nor counted towards a threshold.
NON_COMMENTS = (
    "",
    "na",
    "nil",
    "null",
    "none",
    "nothing",
    "nothingtoadd",
    "nocomment",
    "nocomments",
    "notapplicable",
)


def comments_sql(filters: Filters | None = None) -> tuple[str, list]:
    """SQL for the comments in the filter, each with its respondent's attributes, and its parameters.

    Answers that are not comments (NON_COMMENTS) are left out. Columns: every column of `comments`,
    then wave, kind, opened_on, month (of opened_on, YYYY-MM), employee_id, the filter attributes,
    `respondent` (the employee, or the response itself when anonymous) and `unit` (the same, for the
    privacy gate).
    """
    condition, params = where_sql(filters, "r")
    columns = ", ".join(f'r."{a}"' for a in ATTRIBUTES)
    sql = f"""
        SELECT c.*, r.wave, r.kind, r.opened_on, strftime(r.opened_on, '%Y-%m') AS month,
               r.submitted_at, r.employee_id, {columns},
               coalesce(r.employee_id, r.response_id) AS respondent,
               coalesce(r.employee_id, r.response_id) AS unit
        FROM comments c JOIN respondents r USING (response_id)
        WHERE NOT list_contains(?, regexp_replace(lower(c.text), '[^\\p{{L}}\\p{{N}}]+', '', 'g'))
          AND {condition}"""
    return sql, [list(NON_COMMENTS), *params]


def comment_rows() -> privacy.Rows:
    """The comments as the privacy gate reads them: every comment, the filters left out; a person is
    the employee, or the response when anonymous (so counted once per wave), within a wave."""
    sql, params = comments_sql(None)
    return privacy.Rows(sql, tuple(params), unit="unit", scope="wave")


def commenters(con: duckdb.DuckDBPyConnection, filters: Filters | None = None) -> int:
    """Distinct respondents with at least one comment in the filter."""
    sql, params = comments_sql(filters)
    return con.execute(f"SELECT count(DISTINCT respondent) FROM ({sql})", params).fetchall()[0][0]


def _k(min_group: int | None) -> int:
    return min_group if min_group is not None else privacy.min_group_comments()


def sentiment_by_group(
    con: duckdb.DuckDBPyConnection,
    group_by: list[str],
    filters: Filters | None = None,
    min_group: int | None = None,
) -> pd.DataFrame:
    """Comments, distinct respondents (n), mean compound and % positive/neutral/negative per group.

    Every group passes privacy.gate with the free-text threshold (`min_group`, default
    `privacy.min_group_comments()`): attributes are a breakdown, the wave, kind and month are compared
    within. Attributes' missing values are labelled (filters.missing_label).
    """
    group_by = list(group_by)
    unknown = [g for g in group_by if g not in GROUPS]
    if unknown or not group_by:
        raise ValueError(f"group_by must name some of {', '.join(GROUPS)}; got {group_by!r}")
    base, params = comments_sql(filters)
    columns = ", ".join(
        f'coalesce(CAST("{g}" AS VARCHAR), ?) AS "{g}"' if g in ATTRIBUTES else f'"{g}"' for g in group_by
    )
    labels = [missing_label(g) for g in group_by if g in ATTRIBUTES]
    keys = ", ".join(f'"{g}"' for g in group_by)
    timing = "min(opened_on) AS opened_on, " if "wave" in group_by else ""
    order = f"opened_on NULLS LAST, {keys}" if "wave" in group_by else keys
    frame = con.execute(
        f"""SELECT {columns}, {timing}
                   count(*) AS comments,
                   avg(compound) AS mean_compound,
                   100 * avg(CASE WHEN label = 'positive' THEN 1 ELSE 0 END) AS positive_pct,
                   100 * avg(CASE WHEN label = 'neutral' THEN 1 ELSE 0 END) AS neutral_pct,
                   100 * avg(CASE WHEN label = 'negative' THEN 1 ELSE 0 END) AS negative_pct
            FROM ({base})
            GROUP BY ALL
            ORDER BY {order}""",
        [*labels, *params],
    ).df()
    return privacy.gate(
        con, comment_rows(), frame, keys=group_by, values=_VALUES, filters=filters, min_group=_k(min_group)
    )


def shown_waves(
    con: duckdb.DuckDBPyConnection, filters: Filters | None = None, min_group: int | None = None
) -> list[str]:
    """The waves whose comments may be listed under the filters, oldest first: those whose tone
    (`sentiment_by_group` by wave) is shown, so no listing shows what the tone chart hides."""
    by_wave = sentiment_by_group(con, ["wave"], filters, min_group)
    return by_wave.loc[~by_wave["suppressed"].astype(bool), "wave"].astype(str).tolist()
