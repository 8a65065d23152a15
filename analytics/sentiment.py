"""VADER sentiment of free-text comments, scored once at import and stored."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from operator import itemgetter

import duckdb
import numpy as np
import pandas as pd
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from analytics import privacy
from analytics.filters import ATTRIBUTES, Filters, where_sql

__all__ = [
    "POSITIVE",
    "NEGATIVE",
    "PARALLEL_MIN_TEXTS",
    "GROUPS",
    "label",
    "labels",
    "score_texts",
    "score_import",
    "score_chunk",
    "comments_sql",
    "commenters",
    "comments_visible",
    "sentiment_by_group",
]

POSITIVE = 0.05
NEGATIVE = -0.05
# Below this many distinct texts, starting worker processes costs more than it saves.
PARALLEL_MIN_TEXTS = 40_000
_COLUMNS = ["compound", "pos", "neu", "neg"]


@lru_cache(maxsize=1)
def _analyzer() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()


def label(compound: float) -> str:
    """positive at compound >= 0.05, negative at <= -0.05, neutral between."""
    if compound >= POSITIVE:
        return "positive"
    if compound <= NEGATIVE:
        return "negative"
    return "neutral"


def labels(compound: np.ndarray | pd.Series) -> np.ndarray:
    """The label of every compound score at once (same cut-offs as `label`)."""
    values = np.asarray(compound, dtype="float64")
    return np.select([values >= POSITIVE, values <= NEGATIVE], ["positive", "negative"], "neutral").astype(
        object
    )


def score_chunk(texts: Sequence[str]) -> list[tuple[float, float, float, float]]:
    """(compound, pos, neu, neg) of each text, by VADER, in this process."""
    polarity = _analyzer().polarity_scores
    pick = itemgetter(*_COLUMNS)
    return [pick(polarity(text)) for text in texts]


def _workers(requested: int | None, n_texts: int) -> int:
    if requested is None and os.environ.get("MUTUAL_SENTIMENT_WORKERS", "").isdigit():
        requested = int(os.environ["MUTUAL_SENTIMENT_WORKERS"])
    if requested is not None:
        return max(1, requested)
    if n_texts < PARALLEL_MIN_TEXTS:
        return 1
    return max(1, min(2, os.cpu_count() or 1))


def _score_in_worker(texts: list[str]) -> list[tuple[float, float, float, float]]:
    worker = subprocess.run(
        [sys.executable, "-m", "analytics.sentiment_worker"],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        check=True,
        cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
    )
    return [tuple(row) for row in json.loads(worker.stdout)]


def _score_distinct(texts: list[str], workers: int) -> list[tuple[float, float, float, float]]:
    if workers <= 1 or len(texts) < 2:
        return score_chunk(texts)
    # Contiguous chunks, results collected in order: the output never depends on scheduling. This
    # process scores the first chunk while worker processes score the rest.
    size = -(-len(texts) // workers)
    chunks = [texts[i : i + size] for i in range(0, len(texts), size)]
    with ThreadPoolExecutor(max_workers=len(chunks) - 1) as pool:
        others = [pool.submit(_score_in_worker, chunk) for chunk in chunks[1:]]
        first = score_chunk(chunks[0])
        return first + [row for future in others for row in future.result()]


def score_texts(texts: Sequence[str], workers: int | None = None) -> pd.DataFrame:
    """compound, pos, neu, neg and label for each text, in order.

    Each distinct text is scored once. Batches of 40,000 distinct texts or more use worker processes
    (both cores by default; `workers`, else $MUTUAL_SENTIMENT_WORKERS, sets how many; 1 means none).
    Results are identical either way.
    """
    texts = ["" if t is None else str(t) for t in texts]
    distinct = list(dict.fromkeys(texts))
    scored = _score_distinct(distinct, _workers(workers, len(distinct)))
    table = np.array(scored, dtype="float64").reshape(len(distinct), 4)
    if len(distinct) < len(texts):
        position = {t: i for i, t in enumerate(distinct)}
        table = table[[position[t] for t in texts]]
    scores = pd.DataFrame(table, columns=_COLUMNS)
    scores["label"] = pd.Series(labels(scores["compound"].to_numpy()), dtype="str")
    return scores


def score_import(con: duckdb.DuckDBPyConnection, import_id: int, workers: int | None = None) -> int:
    """Score the stored comments of one import that have no score yet; how many were scored."""
    texts = con.execute(
        "SELECT DISTINCT text FROM comments WHERE import_id = ? AND compound IS NULL", [import_id]
    ).fetchall()
    if not texts:
        return 0
    distinct = [t[0] for t in texts]
    scores = score_texts(distinct, workers=workers)
    scores.insert(0, "text", pd.Series(distinct, dtype="str"))
    con.register("_mutual_scores", scores)
    try:
        return int(
            con.execute(
                """UPDATE comments c SET compound = s.compound, pos = s.pos, neu = s.neu, neg = s.neg,
                       label = s.label
                   FROM _mutual_scores s
                   WHERE c.text = s.text AND c.import_id = ? AND c.compound IS NULL""",
                [import_id],
            ).fetchall()[0][0]
        )
    finally:
        con.unregister("_mutual_scores")


# What sentiment can be broken down by: the wave, its kind, the month it opened, every filter attribute.
GROUPS = ("wave", "kind", "month", *ATTRIBUTES)
_TIME = ("wave", "kind", "month")


def comments_sql(filters: Filters | None = None) -> tuple[str, list]:
    """SQL for the comments in the filter, each with its respondent's attributes, and its parameters.

    Columns: every column of `comments`, then wave, kind, opened_on, month (of opened_on, YYYY-MM),
    employee_id, the filter attributes, and `respondent` (the employee, or the response itself when
    anonymous).
    """
    condition, params = where_sql(filters, "r")
    columns = ", ".join(f'r."{a}"' for a in ATTRIBUTES)
    sql = f"""
        SELECT c.*, r.wave, r.kind, r.opened_on, strftime(r.opened_on, '%Y-%m') AS month,
               r.submitted_at, r.employee_id, {columns},
               coalesce(r.employee_id, r.response_id) AS respondent
        FROM comments c JOIN respondents r USING (response_id)
        WHERE {condition}"""
    return sql, params


def commenters(con: duckdb.DuckDBPyConnection, filters: Filters | None = None) -> int:
    """Distinct respondents with at least one comment in the filter."""
    sql, params = comments_sql(filters)
    return con.execute(f"SELECT count(DISTINCT respondent) FROM ({sql})", params).fetchall()[0][0]


def comments_visible(
    con: duckdb.DuckDBPyConnection, filters: Filters | None = None, min_group: int | None = None
) -> bool:
    """Whether the comments in the filter may be shown: enough commenters, and no protected cell in them.

    The threshold is the free-text one (`min_group`, default `privacy.min_group_comments()`); with
    filters, the commenters' cells (privacy.guard_filters) must all be shown too.
    """
    k = min_group if min_group is not None else privacy.min_group_comments()
    sql, params = comments_sql(filters)
    # Enough to know whether there are k: DuckDB stops after k distinct respondents.
    found = con.execute(
        f"SELECT count(*) FROM (SELECT DISTINCT respondent FROM ({sql}) LIMIT ?)", [*params, max(k, 0)]
    ).fetchall()[0][0]
    if found < k:
        return False
    base, params = comments_sql(None)
    hidden = privacy.guard_sql(con, base, params, "", [], filters, "count(DISTINCT respondent)", k)
    return not privacy.hides_all(hidden)


def sentiment_by_group(
    con: duckdb.DuckDBPyConnection,
    group_by: list[str],
    filters: Filters | None = None,
    min_group: int | None = None,
) -> pd.DataFrame:
    """Comments, distinct respondents (n), mean compound and % positive/neutral/negative per group.

    Groups with fewer respondents than the free-text threshold (`min_group`, default
    `privacy.min_group_comments()`), or made partly of a protected cell of the filters
    (privacy.guard_filters), are suppressed, with secondary suppression within each wave.
    """
    group_by = list(group_by)
    unknown = [g for g in group_by if g not in GROUPS]
    if unknown or not group_by:
        raise ValueError(f"group_by must name some of {', '.join(GROUPS)}; got {group_by!r}")
    k = min_group if min_group is not None else privacy.min_group_comments()
    base, params = comments_sql(filters)
    keys = ", ".join(f'"{g}"' for g in group_by)
    timing = "min(opened_on) AS opened_on, " if "wave" in group_by else ""
    order = f"opened_on NULLS LAST, {keys}" if "wave" in group_by else keys
    frame = con.execute(
        f"""SELECT {keys}, {timing}
                   count(*) AS comments,
                   count(DISTINCT respondent) AS n,
                   avg(compound) AS mean_compound,
                   100 * avg(CASE WHEN label = 'positive' THEN 1 ELSE 0 END) AS positive_pct,
                   100 * avg(CASE WHEN label = 'neutral' THEN 1 ELSE 0 END) AS neutral_pct,
                   100 * avg(CASE WHEN label = 'negative' THEN 1 ELSE 0 END) AS negative_pct
            FROM ({base})
            GROUP BY {keys}
            ORDER BY {order}""",
        params,
    ).df()
    unfiltered, unfiltered_params = comments_sql(None)
    select = "".join(f'"{g}", ' for g in group_by)
    n = "count(DISTINCT respondent)"
    hidden = privacy.guard_sql(con, unfiltered, unfiltered_params, select, group_by, filters, n, k)
    within = [g for g in group_by if g in _TIME] or None
    values = ["comments", "mean_compound", "positive_pct", "neutral_pct", "negative_pct"]
    hide = privacy.hidden_mask(frame, hidden, group_by)
    out = privacy.suppress(frame, values, min_group=k, within=within, hide=hide)
    out["n"] = out["n"].astype("float64").where(~out["suppressed"])
    return out
