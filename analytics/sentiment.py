"""VADER sentiment of free-text comments, scored once at import and stored."""

from __future__ import annotations

from functools import lru_cache

import pandas as pd
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

__all__ = ["POSITIVE", "NEGATIVE", "label", "score_texts"]

POSITIVE = 0.05
NEGATIVE = -0.05


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


def score_texts(texts: list[str]) -> pd.DataFrame:
    """compound, pos, neu, neg and label for each text, in order."""
    analyzer = _analyzer()
    rows = [analyzer.polarity_scores(t) for t in texts]
    scores = pd.DataFrame(rows, columns=["compound", "pos", "neu", "neg"], dtype="float64")
    scores["label"] = [label(c) for c in scores["compound"]]
    return scores
