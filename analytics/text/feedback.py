"""Comment queries: the listing behind a theme or sentiment band, search, and wellbeing flags."""

from __future__ import annotations

import duckdb
import pandas as pd

from analytics import privacy
from analytics.filters import Filters
from analytics.text.comments import comments_sql, shown_waves
from analytics.text.themes import UNASSIGNED, listed_themes

__all__ = [
    "LABELS",
    "DISTRESS_PATTERN",
    "VERY_NEGATIVE",
    "comments",
    "wellbeing_flags",
]

LABELS = ("positive", "neutral", "negative")
VERY_NEGATIVE = -0.5
# Distress language worth a follow-up whatever the overall tone (RE2 syntax, matched on lower-case text).
DISTRESS_PATTERN = (
    r"\b(overwhelm(?:ed|ing)?|can['’]?t cope|cannot cope|unable to cope|burn(?:t|ed) out|burnout"
    r"|not sleeping|can['’]?t sleep|anxious|anxiety|panic\w*|hopeless|exhausted|breaking point"
    r"|struggling|at the end of my tether|falling apart|drowning)\b"
)
_LISTING = ["wave", "question", "text", "compound", "label", "theme"]


def _too_few(k: int) -> str:
    return (
        f"Comments are shown only for groups of at least {k} people; this filter has fewer, or would "
        "let a smaller group be read off against another filter."
    )


def _empty(columns: list[str], message: str) -> pd.DataFrame:
    frame = pd.DataFrame(columns=columns)
    frame.attrs["message"] = message
    frame.attrs["total"] = 0
    return frame


def comments(
    con: duckdb.DuckDBPyConnection,
    filters: Filters | None = None,
    search: str | None = None,
    label: str | None = None,
    theme: str | None = None,
    min_group: int | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """The comments in the filter (text, wave, question, compound, label, theme), most negative first.

    Only the comments of waves whose tone is shown (`sentiment.shown_waves`, with the free-text
    threshold `min_group`, default `privacy.min_group_comments()`) are listed, and with `theme` only
    those of the waves where that theme's cell of `theme_by_wave` is shown: a listing never shows what
    a figure hides. A comment's theme is HIDDEN_THEME where its wave's cell is hidden. `search` matches
    text case-insensitively, `label` is a sentiment band, `theme` a theme name from `find_themes`;
    `limit` keeps the first rows and `attrs["total"]` counts them all. Empty, with `attrs["message"]`
    saying why, when no wave's comments may be shown.
    """
    k = min_group if min_group is not None else privacy.min_group_comments()
    if label is not None and label not in LABELS:
        raise ValueError(f"label must be one of {', '.join(LABELS)}; got {label!r}")
    waves = shown_waves(con, filters, k)
    if not waves:
        return _empty(_LISTING, _too_few(k))
    base, params = comments_sql(filters)
    clauses = ["list_contains(?, c.wave)"]
    params = [*params, waves]
    if search:
        escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        clauses.append("c.text ILIKE ? ESCAPE '\\'")
        params = [*params, f"%{escaped}%"]
    if label:
        clauses.append("c.label = ?")
        params = [*params, label]
    # The themes of the filter's comments, as find_themes assigns them (the fit is remembered), where shown.
    assigned, message = listed_themes(con, filters, min_group=k)
    if theme:
        clauses.append("coalesce(t.theme, ?) = ?")
        params = [*params, UNASSIGNED, theme]
    con.register("_mutual_listing_themes", assigned[["wave", "text", "theme"]])
    try:
        out = con.execute(
            f"""SELECT c.wave, c.question, c.text, c.compound, c.label, coalesce(t.theme, ?) AS theme,
                       count(*) OVER () AS total
                FROM ({base}) c LEFT JOIN _mutual_listing_themes t USING (wave, text)
                WHERE {" AND ".join(clauses)}
                ORDER BY c.compound, c.opened_on, c.response_id, c.question
                LIMIT ?""",
            [UNASSIGNED, *params, limit],
        ).df()
    finally:
        con.unregister("_mutual_listing_themes")
    total = int(out["total"].iloc[0]) if len(out) else 0
    out = out[_LISTING].astype({c: "str" for c in ["wave", "question", "text", "label", "theme"]})
    out.attrs["total"] = total
    if message:
        out.attrs["message"] = message
    return out


def wellbeing_flags(
    con: duckdb.DuckDBPyConnection,
    filters: Filters | None = None,
    min_group: int | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """Comments that may need a follow-up: compound <= -0.5 or distress language. No ids.

    Columns: wave, text, compound, reason; distress language first, then the most negative. Only
    the comments of waves whose tone is shown (as `comments`). `limit` keeps the first rows and
    `attrs["total"]` counts them all. Empty (with `attrs["message"]`) when no wave's comments may be
    shown.
    """
    k = min_group if min_group is not None else privacy.min_group_comments()
    columns = ["wave", "text", "compound", "reason"]
    waves = shown_waves(con, filters, k)
    if not waves:
        return _empty(columns, _too_few(k))
    base, params = comments_sql(filters)
    flags = con.execute(
        f"""WITH flagged AS (
                SELECT wave, opened_on, text, compound,
                       regexp_extract(lower(text), ?, 1) AS phrase
                FROM ({base})
                WHERE list_contains(?, wave)
            )
            SELECT wave, text, compound, count(*) OVER () AS total,
                   concat_ws('; ',
                       CASE WHEN compound <= ? THEN 'very negative tone (' || round(compound, 2) || ')' END,
                       CASE WHEN phrase <> '' THEN 'distress language: "' || phrase || '"' END) AS reason
            FROM flagged
            WHERE compound <= ? OR phrase <> ''
            ORDER BY phrase = '', compound, opened_on, text
            LIMIT ?""",
        [DISTRESS_PATTERN, *params, waves, VERY_NEGATIVE, VERY_NEGATIVE, limit],
    ).df()
    total = int(flags["total"].iloc[0]) if len(flags) else 0
    flags = flags[columns]
    flags.attrs["total"] = total
    return flags
