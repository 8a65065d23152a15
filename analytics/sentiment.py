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
from analytics.filters import ATTRIBUTES, Filters, missing_label, where_sql

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
    "NON_COMMENTS",
    "comments_sql",
    "comment_rows",
    "commenters",
    "sentiment_by_group",
    "shown_waves",
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
