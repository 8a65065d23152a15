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

__all__ = [
    "POSITIVE",
    "NEGATIVE",
    "PARALLEL_MIN_TEXTS",
    "label",
    "labels",
    "score_texts",
    "score_import",
    "score_chunk",
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
        [sys.executable, "-m", "analytics.text.sentiment_worker"],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        check=True,
        cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
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
