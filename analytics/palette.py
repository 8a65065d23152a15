"""Colours that mean the same thing everywhere: on every page and in the sponsor report."""

from __future__ import annotations

__all__ = ["WAVE_COLOURS", "ROLE_COLOURS", "GROUP_COLOURS", "SENTIMENT_COLOURS", "SUPPRESSED", "DIVERGING"]

WAVE_COLOURS = {"pre": "#9aa5ad", "mid": "#5fa8b0", "post": "#1b6b73", "pulse": "#6c5b9e"}
ROLE_COLOURS = {"mentor": "#d08c2c", "mentee": "#3d6fb6"}
GROUP_COLOURS = {"participants": "#1b6b73", "comparison": "#9aa5ad"}
SENTIMENT_COLOURS = {"positive": "#2e8b57", "neutral": "#b0b7bd", "negative": "#c0392b"}
SUPPRESSED = "#e4e7ea"
DIVERGING = "RdYlGn"  # scores: red low, green high
