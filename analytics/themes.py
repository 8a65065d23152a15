"""Themes in free text: TF-IDF and non-negative matrix factorisation (scikit-learn)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import duckdb
import numpy as np
import pandas as pd
from sklearn.decomposition import NMF
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from analytics import privacy
from analytics.filters import Filters
from analytics.sentiment import comments_sql, comments_visible

__all__ = [
    "DOMAIN_STOP_WORDS",
    "MIN_COMMENTS",
    "MAX_THEMES",
    "UNASSIGNED",
    "Themes",
    "default_n_themes",
    "fit_themes",
    "find_themes",
    "theme_by_wave",
]

# Words every comment about the programme uses, which say nothing about what it is about.
_DOMAIN_WORDS = """mentor mentors mentee mentees mentoring mentorship programme programmes program programs
reverse partner partners pair pairs really just lot lots also would could get got bit much think thing things
way quite"""
DOMAIN_STOP_WORDS = frozenset(_DOMAIN_WORDS.split())
MIN_COMMENTS = 20  # below this, themes are noise
MAX_THEMES = 6
COMMENTS_PER_THEME = 15
MAX_FIT_TEXTS = 20_000  # larger sets: fit on an evenly spaced subset, then assign every comment
UNASSIGNED = "(no theme)"
_TOP_TERMS = 8


@dataclass
class Themes:
    """Themes found in the comments of a filter, and the dominant theme of each comment."""

    themes: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(
            columns=["theme_id", "name", "top_terms", "share", "comments", "n", "mean_compound"]
        )
    )
    assignments: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["response_id", "question", "theme_id", "theme"])
    )
    message: str | None = None


def default_n_themes(n_comments: int) -> int:
    """One theme per 15 comments, between 2 and 6."""
    return max(2, min(MAX_THEMES, n_comments // COMMENTS_PER_THEME))


def _vectorizer(n_texts: int) -> TfidfVectorizer:
    return TfidfVectorizer(
        stop_words=sorted(ENGLISH_STOP_WORDS | DOMAIN_STOP_WORDS),
        token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z]+\b",
        min_df=2 if n_texts >= 50 else 1,
        max_df=0.9 if n_texts >= 50 else 1.0,
        sublinear_tf=True,
        max_features=5000,
    )


@lru_cache(maxsize=8)
def _fit(texts: tuple[str, ...], n_themes: int) -> tuple[list[str], list[list[str]], np.ndarray]:
    """Theme names, top terms per theme, and each text's dominant theme (-1 when it has no known word).

    Each distinct text is modelled once; the last few fits are remembered, so the listing of the
    comments behind a theme does not fit the same model again.
    """
    codes, uniques = pd.factorize(pd.Series(texts, dtype=object))
    distinct = [str(t) for t in uniques]
    fit_on = distinct
    if len(distinct) > MAX_FIT_TEXTS:
        fit_on = [distinct[i] for i in np.linspace(0, len(distinct) - 1, MAX_FIT_TEXTS).astype(int)]
    vectorizer = _vectorizer(len(fit_on))
    matrix = vectorizer.fit_transform(fit_on)
    terms = vectorizer.get_feature_names_out()
    n_themes = max(1, min(n_themes, len(terms), len(fit_on)))
    model = NMF(n_components=n_themes, init="nndsvda", random_state=0, max_iter=500)
    model.fit(matrix)
    weights = model.transform(vectorizer.transform(distinct) if fit_on is not distinct else matrix)
    dominant = np.where(weights.max(axis=1) > 0, weights.argmax(axis=1), -1)[codes]
    # Number themes by size (largest first), ties by component order, so ids are stable.
    sizes = np.bincount(dominant[dominant >= 0], minlength=n_themes)
    order = sorted(range(n_themes), key=lambda t: (-sizes[t], t))
    renumber = np.full(n_themes + 1, -1)
    renumber[order] = np.arange(n_themes)
    dominant = renumber[dominant]  # index -1 maps to the last slot, which stays -1
    top_terms, names = [], []
    for component in order:
        ranked = np.argsort(-model.components_[component], kind="stable")[:_TOP_TERMS]
        words = [str(terms[i]) for i in ranked if model.components_[component, i] > 0]
        name = " / ".join(words[:3]) or f"theme {len(names) + 1}"
        if name in names:
            name = f"{name} ({len(names) + 1})"
        top_terms.append(words)
        names.append(name)
    dominant.flags.writeable = False  # shared by every caller of the remembered fit
    return names, top_terms, dominant


def fit_themes(texts: list[str], n_themes: int) -> tuple[list[str], list[int]]:
    """Theme names (top three terms) and each text's dominant theme index (-1: none), largest theme first."""
    names, _, dominant = _fit(tuple(texts), n_themes)
    return list(names), [int(t) for t in dominant]


def _comment_rows(con: duckdb.DuckDBPyConnection, filters: Filters | None) -> pd.DataFrame:
    sql, params = comments_sql(filters)
    return con.execute(
        f"""SELECT response_id, question, text, compound, wave, opened_on, respondent
            FROM ({sql}) ORDER BY response_id, question""",
        params,
    ).df()


def _assign(con: duckdb.DuckDBPyConnection, filters: Filters | None, n_themes: int | None, k: int):
    rows = _comment_rows(con, filters)
    if not comments_visible(con, filters, k):
        return (
            rows,
            None,
            None,
            f"Comments are shown for groups of at least {k} people; this filter has fewer, or would "
            "let a smaller group be read off against another filter.",
        )
    if len(rows) < MIN_COMMENTS:
        return (
            rows,
            None,
            None,
            f"Too few comments to find themes ({len(rows)}; at least {MIN_COMMENTS} needed).",
        )
    wanted = n_themes if n_themes is not None else default_n_themes(len(rows))
    names, top_terms, dominant = _fit(tuple(rows["text"].astype(str)), wanted)
    rows["theme_id"] = dominant + 1  # 1-based ids; 0 = no theme
    lookup = {i + 1: name for i, name in enumerate(names)}
    rows["theme"] = rows["theme_id"].map(lookup).fillna(UNASSIGNED).astype(str)
    catalogue = pd.DataFrame(
        {
            "theme_id": np.arange(1, len(names) + 1),
            "name": names,
            "top_terms": [", ".join(t) for t in top_terms],
        }
    )
    return rows, catalogue, names, None


def _aggregate(con: duckdb.DuckDBPyConnection, rows: pd.DataFrame, by_wave: bool) -> pd.DataFrame:
    wave_keys = "wave, " if by_wave else ""
    view = "_theme_rows"
    con.register(view, rows[["theme_id", "wave", "opened_on", "compound", "respondent"]])
    try:
        return con.execute(
            f"""SELECT {wave_keys}{"min(opened_on) AS opened_on, " if by_wave else ""}theme_id,
                       count(*) AS comments,
                       count(DISTINCT respondent) AS n,
                       100 * count(*) / sum(count(*)) OVER ({"PARTITION BY wave" if by_wave else ""}) AS share,
                       avg(compound) AS mean_compound
                FROM {view}
                GROUP BY {wave_keys}theme_id"""
        ).df()
    finally:
        con.unregister(view)


def find_themes(
    con: duckdb.DuckDBPyConnection,
    filters: Filters | None = None,
    n_themes: int | None = None,
    min_group: int | None = None,
) -> Themes:
    """Themes of the comments in the filter: name, top terms, share of comments, n and mean sentiment.

    Nothing is fitted when the filter has fewer commenters than the free-text threshold (`min_group`,
    default `privacy.min_group_comments()`) or fewer than 20 comments; `message` says why.
    Themes whose respondents are under the threshold have their mean sentiment suppressed.
    """
    k = min_group if min_group is not None else privacy.min_group_comments()
    rows, catalogue, _, message = _assign(con, filters, n_themes, k)
    if message:
        return Themes(message=message)
    stats = _aggregate(con, rows, by_wave=False)
    themes = catalogue.merge(stats, on="theme_id", how="left")
    themes[["comments", "n"]] = themes[["comments", "n"]].fillna(0).astype("int64")
    themes["share"] = themes["share"].fillna(0.0)
    themes = privacy.suppress(themes, ["mean_compound"], min_group=k)
    columns = ["theme_id", "name", "top_terms", "share", "comments", "n", "mean_compound", "suppressed"]
    assignments = rows[["response_id", "question", "theme_id", "theme"]].reset_index(drop=True)
    return Themes(themes=themes[columns], assignments=assignments)


def theme_by_wave(
    con: duckdb.DuckDBPyConnection,
    filters: Filters | None = None,
    n_themes: int | None = None,
    min_group: int | None = None,
) -> pd.DataFrame:
    """Share of each wave's comments per theme and the theme's mean sentiment in that wave, with n.

    Themes are found over all waves of the filter; cells under the free-text threshold are suppressed
    (secondary suppression within each wave). Empty when `find_themes` would find none.
    """
    k = min_group if min_group is not None else privacy.min_group_comments()
    rows, catalogue, _, message = _assign(con, filters, n_themes, k)
    columns = ["wave", "opened_on", "theme_id", "name", "comments", "n", "share", "mean_compound"]
    if message:
        empty = pd.DataFrame(columns=[*columns, "suppressed"])
        empty.attrs["message"] = message
        return empty
    stats = _aggregate(con, rows, by_wave=True)
    out = stats.merge(catalogue[["theme_id", "name"]], on="theme_id", how="left")
    out["name"] = out["name"].fillna(UNASSIGNED)
    out = out.sort_values(["opened_on", "wave", "theme_id"], kind="stable").reset_index(drop=True)[columns]
    out = privacy.suppress(out, ["comments", "share", "mean_compound"], min_group=k, within=["wave"])
    out["n"] = out["n"].astype("float64").where(~out["suppressed"])
    return out
