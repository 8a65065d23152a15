"""VADER sentiment of free-text comments, scored once at import and stored."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache

import numpy as np
import pandas as pd
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

__all__ = ["POSITIVE", "NEGATIVE", "PARALLEL_MIN_TEXTS", "label", "labels", "score_texts"]

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


def _score_chunk(texts: Sequence[str]) -> list[tuple[float, float, float, float]]:
    polarity = _analyzer().polarity_scores
    out = []
    for text in texts:
        s = polarity(text)
        out.append((s["compound"], s["pos"], s["neu"], s["neg"]))
    return out


def _workers(requested: int | None, n_texts: int) -> int:
    if requested is not None:
        return max(1, requested)
    if n_texts < PARALLEL_MIN_TEXTS:
        return 1
    return max(1, min(2, os.cpu_count() or 1))


def _score_distinct(texts: list[str], workers: int) -> list[tuple[float, float, float, float]]:
    if workers <= 1 or len(texts) < 2:
        return _score_chunk(texts)
    # Contiguous chunks, results collected in order: the output never depends on scheduling.
    size = -(-len(texts) // (workers * 4))
    chunks = [texts[i : i + size] for i in range(0, len(texts), size)]
    context = multiprocessing.get_context("spawn")  # fork is unsafe next to DuckDB's threads
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return [row for part in pool.map(_score_chunk, chunks) for row in part]


def score_texts(texts: Sequence[str], workers: int | None = None) -> pd.DataFrame:
    """compound, pos, neu, neg and label for each text, in order.

    Each distinct text is scored once. Large batches use worker processes (both cores by default;
    `workers=1` forces one process); results are identical either way.
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
