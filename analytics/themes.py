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
    "text_themes",
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
_WAVE_COLUMNS = ["wave", "opened_on", "theme_id", "name", "comments", "n", "share", "mean_compound"]


@dataclass
class Themes:
    """Themes found in the comments of a filter, the dominant theme of each comment, and the themes by wave."""

    themes: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(
            columns=["theme_id", "name", "top_terms", "share", "comments", "n", "mean_compound"]
        )
    )
    assignments: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["response_id", "question", "theme_id", "theme"])
    )
    message: str | None = None
    by_wave: pd.DataFrame = field(default_factory=lambda: _no_waves(None))  # find_themes(by_wave=True)


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
def _model(texts: tuple[str, ...], n_themes: int) -> tuple[np.ndarray, tuple[tuple[str, ...], ...], int]:
    """Each distinct text's dominant NMF component (-1: no known word), each component's top terms, and
    how many components were fitted.

    `texts` are distinct, in the order the comments first use them (the fit depends on that order).
    The last few fits are remembered: keyed by the distinct texts, not by every comment.
    """
    distinct = list(texts)
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
    dominant = np.where(weights.max(axis=1) > 0, weights.argmax(axis=1), -1)
    words = []
    for component in model.components_:
        ranked = np.argsort(-component, kind="stable")[:_TOP_TERMS]
        words.append(tuple(str(terms[i]) for i in ranked if component[i] > 0))
    dominant.flags.writeable = False  # shared by every caller of the remembered fit
    return dominant, tuple(words), n_themes


def _number(
    dominant: np.ndarray, counts: np.ndarray, words: tuple[tuple[str, ...], ...], n_themes: int
) -> tuple[list[str], list[list[str]], np.ndarray]:
    """Themes numbered by their number of comments (largest first, ties by component order): names, top
    terms, and each distinct text's 0-based theme (-1: none). `counts` is how many comments use each text."""
    assigned = dominant >= 0
    sizes = np.bincount(dominant[assigned], weights=counts[assigned], minlength=n_themes)
    order = sorted(range(n_themes), key=lambda t: (-sizes[t], t))
    renumber = np.full(n_themes + 1, -1)
    renumber[order] = np.arange(n_themes)
    numbered = renumber[dominant]  # index -1 maps to the last slot, which stays -1
    top_terms, names = [], []
    for component in order:
        name = " / ".join(words[component][:3]) or f"theme {len(names) + 1}"
        if name in names:
            name = f"{name} ({len(names) + 1})"
        top_terms.append(list(words[component]))
        names.append(name)
    return names, top_terms, numbered


def _fit(texts: tuple[str, ...], n_themes: int) -> tuple[list[str], list[list[str]], np.ndarray]:
    """Theme names, top terms per theme, and each text's dominant theme (-1 when it has no known word).

    Each distinct text is modelled once, in the order of first use.
    """
    codes, uniques = pd.factorize(pd.Series(texts, dtype=object))
    dominant, words, fitted = _model(tuple(str(t) for t in uniques), n_themes)
    counts = np.bincount(codes, minlength=len(uniques)).astype("float64")
    names, top_terms, numbered = _number(dominant, counts, words, fitted)
    return names, top_terms, numbered[codes]


def fit_themes(texts: list[str], n_themes: int) -> tuple[list[str], list[int]]:
    """Theme names (top three terms) and each text's dominant theme index (-1: none), largest theme first."""
    names, _, dominant = _fit(tuple(texts), n_themes)
    return list(names), [int(t) for t in dominant]


@dataclass
class _Scope:
    """The comments of a filter and the theme of each of their distinct texts."""

    sql: str  # the comments: response_id, question, text, compound, wave, opened_on, respondent
    params: list
    text_themes: pd.DataFrame  # text, theme_id (1-based; 0 = no theme), theme
    catalogue: pd.DataFrame  # theme_id, name, top_terms


def _scope_sql(filters: Filters | None) -> tuple[str, list]:
    sql, params = comments_sql(filters)
    return f"SELECT response_id, question, text, compound, wave, opened_on, respondent FROM ({sql})", params


def _too_few_people(k: int) -> str:
    return (
        f"Comments are shown for groups of at least {k} people; this filter has fewer, or would "
        "let a smaller group be read off against another filter."
    )


def _assign(
    con: duckdb.DuckDBPyConnection, filters: Filters | None, n_themes: int | None, k: int
) -> tuple[_Scope | None, str | None]:
    """The themes of the filter's comments (fitted on its distinct texts), or why there are none."""
    if not comments_visible(con, filters, k):
        return None, _too_few_people(k)
    sql, params = _scope_sql(filters)
    # Distinct texts in the order the comments, sorted by (response_id, question), first use them.
    used = con.execute(
        f"SELECT text, count(*) FROM ({sql}) GROUP BY text ORDER BY min((response_id, question))", params
    ).fetchall()
    texts = tuple(text for text, _ in used)
    counts = np.array([count for _, count in used], dtype="float64")
    total = int(counts.sum())
    if total < MIN_COMMENTS:
        return None, f"Too few comments to find themes ({total}; at least {MIN_COMMENTS} needed)."
    wanted = n_themes if n_themes is not None else default_n_themes(total)
    dominant, words, fitted = _model(texts, wanted)
    names, top_terms, numbered = _number(dominant, counts, words, fitted)
    lookup = np.array([UNASSIGNED, *names], dtype=object)
    text_themes = pd.DataFrame(
        {"text": pd.Series(texts, dtype="str"), "theme_id": numbered + 1, "theme": lookup[numbered + 1]}
    )
    text_themes["theme"] = text_themes["theme"].astype("str")
    catalogue = pd.DataFrame(
        {
            "theme_id": np.arange(1, len(names) + 1),
            "name": names,
            "top_terms": [", ".join(t) for t in top_terms],
        }
    )
    return _Scope(sql, params, text_themes, catalogue), None


def _with_themes(con: duckdb.DuckDBPyConnection, scope: _Scope, statement: str, params: list) -> pd.DataFrame:
    """Run `statement`, in which `{themed}` stands for the scope's comments with theme_id and theme (the
    statement's own `?` parameters, `params`, must all come after it)."""
    view = f"_mutual_text_themes_{id(scope)}"
    con.register(view, scope.text_themes)
    try:
        sql = scope.sql
        themed = f"SELECT s.*, t.theme_id, t.theme FROM ({sql}) s JOIN {view} t USING (text)"
        return con.execute(statement.replace("{themed}", themed), [*scope.params, *params]).df()
    finally:
        con.unregister(view)


# Per theme; and per theme (wave NULL, overall TRUE) and per wave and theme, from one scan.
_PER_THEME = """
    SELECT TRUE AS overall, theme_id,
           count(*) AS comments,
           count(DISTINCT respondent) AS n,
           100 * count(*) / sum(count(*)) OVER () AS share,
           avg(compound) AS mean_compound
    FROM ({themed})
    GROUP BY theme_id"""
_PER_THEME_AND_WAVE = """
    SELECT GROUPING(wave) = 1 AS overall, wave, min(opened_on) AS opened_on, theme_id,
           count(*) AS comments,
           count(DISTINCT respondent) AS n,
           100 * count(*) / sum(count(*)) OVER (PARTITION BY GROUPING(wave), wave) AS share,
           avg(compound) AS mean_compound
    FROM ({themed})
    GROUP BY GROUPING SETS ((theme_id), (wave, theme_id))"""


def _aggregate(con: duckdb.DuckDBPyConnection, scope: _Scope, by_wave: bool) -> pd.DataFrame:
    """Comments, n, share and mean compound per theme (overall), and with `by_wave` per wave and theme too."""
    return _with_themes(con, scope, _PER_THEME_AND_WAVE if by_wave else _PER_THEME, [])


def _by_wave(stats: pd.DataFrame, catalogue: pd.DataFrame, k: int) -> pd.DataFrame:
    """The per-wave rows of `_aggregate`, named, in wave order, suppressed within each wave."""
    out = stats[~stats["overall"]].merge(catalogue[["theme_id", "name"]], on="theme_id", how="left")
    out["name"] = out["name"].fillna(UNASSIGNED)
    out = out.sort_values(["opened_on", "wave", "theme_id"], kind="stable").reset_index(drop=True)[
        _WAVE_COLUMNS
    ]
    out = privacy.suppress(out, ["comments", "share", "mean_compound"], min_group=k, within=["wave"])
    out["n"] = out["n"].astype("float64").where(~out["suppressed"])
    return out


def _no_waves(message: str | None) -> pd.DataFrame:
    empty = pd.DataFrame(columns=[*_WAVE_COLUMNS, "suppressed"])
    if message:
        empty.attrs["message"] = message
    return empty


def text_themes(
    con: duckdb.DuckDBPyConnection,
    filters: Filters | None = None,
    n_themes: int | None = None,
    min_group: int | None = None,
) -> tuple[pd.DataFrame, str | None]:
    """The theme of each distinct comment text in the filter (columns text, theme_id, theme), as
    `find_themes` assigns them, or an empty frame and the message saying why there are none."""
    k = min_group if min_group is not None else privacy.min_group_comments()
    scope, message = _assign(con, filters, n_themes, k)
    if message:
        empty = {
            "text": pd.Series(dtype="str"),
            "theme_id": pd.Series(dtype="int64"),
            "theme": pd.Series(dtype="str"),
        }
        return pd.DataFrame(empty), message
    return scope.text_themes.copy(), None


def find_themes(
    con: duckdb.DuckDBPyConnection,
    filters: Filters | None = None,
    n_themes: int | None = None,
    min_group: int | None = None,
    assignments: bool = True,
    by_wave: bool = False,
) -> Themes:
    """Themes of the comments in the filter: name, top terms, share of comments, n and mean sentiment.

    Nothing is fitted when the filter has fewer commenters than the free-text threshold (`min_group`,
    default `privacy.min_group_comments()`) or fewer than 20 comments; `message` says why.
    Themes whose respondents are under the threshold have their mean sentiment suppressed.
    `assignments=False` leaves the per-comment assignments empty (cheaper when only the figures are
    needed); `by_wave=True` fills `by_wave` with what `theme_by_wave` returns, from the same query.
    """
    k = min_group if min_group is not None else privacy.min_group_comments()
    scope, message = _assign(con, filters, n_themes, k)
    if message:
        return Themes(message=message, by_wave=_no_waves(message))
    stats = _aggregate(con, scope, by_wave=by_wave)
    overall = stats.loc[stats["overall"], ["theme_id", "comments", "n", "share", "mean_compound"]]
    themes = scope.catalogue.merge(overall, on="theme_id", how="left")
    themes[["comments", "n"]] = themes[["comments", "n"]].fillna(0).astype("int64")
    themes["share"] = themes["share"].fillna(0.0)
    themes = privacy.suppress(themes, ["mean_compound"], min_group=k)
    columns = ["theme_id", "name", "top_terms", "share", "comments", "n", "mean_compound", "suppressed"]
    found = Themes(themes=themes[columns])
    if by_wave:
        found.by_wave = _by_wave(stats, scope.catalogue, k)
    if assignments:
        listed = _with_themes(
            con,
            scope,
            "SELECT response_id, question, theme_id, theme FROM ({themed}) ORDER BY response_id, question",
            [],
        )
        listed["theme_id"] = listed["theme_id"].astype("int64")
        listed["theme"] = listed["theme"].astype("str")
        found.assignments = listed
    return found


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
    return find_themes(con, filters, n_themes, min_group, assignments=False, by_wave=True).by_wave
