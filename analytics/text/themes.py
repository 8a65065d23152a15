"""Themes in free text: TF-IDF and non-negative matrix factorisation (scikit-learn)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import duckdb
import numpy as np
import pandas as pd
from sklearn.decomposition import NMF
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from analytics import privacy
from analytics.filters import ATTRIBUTES, Filters, selected
from analytics.text.comments import comments_sql, shown_waves

__all__ = [
    "DOMAIN_STOP_WORDS",
    "MIN_COMMENTS",
    "MAX_THEMES",
    "UNASSIGNED",
    "HIDDEN_THEME",
    "Themes",
    "default_n_themes",
    "fit_themes",
    "find_themes",
    "theme_by_wave",
    "text_themes",
    "listed_themes",
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
HIDDEN_THEME = "(not shown: too few people)"  # a listed comment whose wave's theme cell is hidden
_TOP_TERMS = 8
_WAVE_COLUMNS = ["wave", "opened_on", "theme_id", "name", "comments", "n", "share", "mean_compound"]


@dataclass
class Themes:
    """Themes found in the comments of a filter, the dominant theme of each comment, and the themes by wave."""

    themes: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(
            columns=[
                "theme_id",
                "name",
                "top_terms",
                "share",
                "comments",
                "n",
                "mean_compound",
                "suppressed",
                "suppressed_reason",
            ]
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
def _model(
    texts: tuple[str, ...], n_themes: int
) -> tuple[np.ndarray, tuple[tuple[str, ...], ...], int, Callable[[list[str]], np.ndarray]]:
    """Each distinct text's dominant NMF component (-1: no known word), each component's top terms, how
    many components were fitted, and a function giving other texts' dominant components under the fit.

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

    def dominant_of(others: list[str]) -> np.ndarray:
        if not others:
            return np.zeros(0, dtype=int)
        found = model.transform(vectorizer.transform(others))
        return np.where(found.max(axis=1) > 0, found.argmax(axis=1), -1)

    return dominant, tuple(words), n_themes, dominant_of


def _number(
    dominant: np.ndarray, counts: np.ndarray, words: tuple[tuple[str, ...], ...], n_themes: int
) -> tuple[list[str], list[list[str]], np.ndarray, np.ndarray]:
    """Themes numbered by their number of comments (largest first, ties by component order): names, top
    terms, each distinct text's 0-based theme (-1: none), and the numbering (component -> theme, with
    -1 -> -1 in the last slot). `counts` is how many comments use each text."""
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
    return names, top_terms, numbered, renumber


def _fit(texts: tuple[str, ...], n_themes: int) -> tuple[list[str], list[list[str]], np.ndarray]:
    """Theme names, top terms per theme, and each text's dominant theme (-1 when it has no known word).

    Each distinct text is modelled once, in the order of first use.
    """
    codes, uniques = pd.factorize(pd.Series(texts, dtype=object))
    dominant, words, fitted, _ = _model(tuple(str(t) for t in uniques), n_themes)
    counts = np.bincount(codes, minlength=len(uniques)).astype("float64")
    names, top_terms, numbered, _ = _number(dominant, counts, words, fitted)
    return names, top_terms, numbered[codes]


def fit_themes(texts: list[str], n_themes: int) -> tuple[list[str], list[int]]:
    """Theme names (top three terms) and each text's dominant theme index (-1: none), largest theme first."""
    names, _, dominant = _fit(tuple(texts), n_themes)
    return list(names), [int(t) for t in dominant]


@dataclass
class _Scope:
    """The comments of the shown waves with their themes, and the themes found in the filter's."""

    rows: (
        pd.DataFrame
    )  # every comment of the shown waves, filters left out: _ROWS, in_filter, theme_id, theme
    text_themes: pd.DataFrame  # text, theme_id (1-based; 0 = no theme), theme: the filter's distinct texts
    catalogue: pd.DataFrame  # theme_id, name, top_terms


_ROWS = ["response_id", "question", "text", "compound", "wave", "opened_on", "unit", *ATTRIBUTES]


def _too_few_people(k: int) -> str:
    return (
        f"Comments are shown for groups of at least {k} people; this filter has fewer, or would "
        "let a smaller group be read off against another filter."
    )


def _rows(con: duckdb.DuckDBPyConnection, filters: Filters | None, waves: list[str]) -> pd.DataFrame:
    """Every comment of `waves`, the filters left out, sorted by (response_id, question); `in_filter`
    marks those in the filter."""
    sql, params = comments_sql(None)
    rows = con.execute(
        f"SELECT * FROM ({sql}) WHERE list_contains(?, wave) ORDER BY response_id, question", [*params, waves]
    ).df()[_ROWS]
    inside = np.ones(len(rows), dtype=bool)
    for attribute, values in selected(filters).items():
        inside &= rows[attribute].astype("object").isin(values).to_numpy(dtype=bool)
    rows["in_filter"] = inside
    return rows


def _assign(
    con: duckdb.DuckDBPyConnection, filters: Filters | None, n_themes: int | None, k: int
) -> tuple[_Scope | None, str | None]:
    """The themes of the filter's comments in the waves whose comments are shown (fitted on their
    distinct texts), every comment of those waves assigned to one, or why there are none."""
    waves = shown_waves(con, filters, k)
    if not waves:
        return None, _too_few_people(k)
    rows = _rows(con, filters, waves)
    mine = rows.loc[rows["in_filter"], "text"].astype(str)
    texts = tuple(pd.unique(mine))  # distinct, in the order the sorted comments first use them
    counts = mine.value_counts().reindex(list(texts)).to_numpy(dtype="float64")
    total = int(counts.sum())
    if total < MIN_COMMENTS:
        return None, f"Too few comments to find themes ({total}; at least {MIN_COMMENTS} needed)."
    wanted = n_themes if n_themes is not None else default_n_themes(total)
    dominant, words, fitted, dominant_of = _model(texts, wanted)
    names, top_terms, numbered, renumber = _number(dominant, counts, words, fitted)
    lookup = np.array([UNASSIGNED, *names], dtype=object)
    theme_of = dict(zip(texts, numbered + 1, strict=True))
    others = [t for t in pd.unique(rows["text"].astype(str)) if t not in theme_of]
    theme_of.update(zip(others, renumber[dominant_of(others)] + 1, strict=True))  # the same fit, other texts
    rows["theme_id"] = rows["text"].astype(str).map(theme_of).astype("int64")
    rows["theme"] = lookup[rows["theme_id"].to_numpy()].astype(str)
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
    return _Scope(rows, text_themes, catalogue), None


_FIGURES = ["comments", "share", "mean_compound"]


def _figures(comments: pd.DataFrame, keys: list[str], within: list[str]) -> pd.DataFrame:
    """Comments, share (of the comments of each group of `within`) and mean compound per group of `keys`."""
    out = comments.groupby(keys, sort=True).agg(comments=("text", "size"), mean_compound=("compound", "mean"))
    out = out.reset_index()
    totals = out.groupby(within)["comments"].transform("sum") if within else out["comments"].sum()
    out["share"] = 100 * out["comments"] / totals
    return out


def _gate(con, scope: _Scope, figure: pd.DataFrame, keys: list[str], filters, k: int) -> pd.DataFrame:
    """A theme figure through privacy.gate: themes split people like a breakdown, waves are compared within."""
    rows = scope.rows.drop(columns=["theme"])
    return privacy.gate(
        con, rows, figure, keys=keys, values=_FIGURES, filters=filters, min_group=k, categories=["theme_id"]
    )


def _by_wave(con, scope: _Scope, filters, k: int) -> pd.DataFrame:
    """Per wave and theme (the comments without one too): comments, n, share and mean compound, gated."""
    mine = scope.rows[scope.rows["in_filter"]]
    figure = _figures(mine, ["wave", "theme_id"], ["wave"])
    opened = mine.groupby("wave")["opened_on"].min()
    figure["opened_on"] = figure["wave"].map(opened)
    figure = figure.merge(scope.catalogue[["theme_id", "name"]], on="theme_id", how="left")
    figure["name"] = figure["name"].fillna(UNASSIGNED)
    figure = figure.sort_values(["opened_on", "wave", "theme_id"], kind="stable").reset_index(drop=True)
    out = _gate(con, scope, figure, ["wave", "theme_id"], filters, k)
    return out[[*_WAVE_COLUMNS, "suppressed", "suppressed_reason"]]


def _no_waves(message: str | None) -> pd.DataFrame:
    empty = pd.DataFrame(columns=[*_WAVE_COLUMNS, "suppressed", "suppressed_reason"])
    if message:
        empty.attrs["message"] = message
    return empty


def _threshold(min_group: int | None) -> int:
    return min_group if min_group is not None else privacy.min_group_comments()


def text_themes(
    con: duckdb.DuckDBPyConnection,
    filters: Filters | None = None,
    n_themes: int | None = None,
    min_group: int | None = None,
) -> tuple[pd.DataFrame, str | None]:
    """The theme of each distinct comment text in the filter (columns text, theme_id, theme), as
    `find_themes` assigns them, or an empty frame and the message saying why there are none."""
    scope, message = _assign(con, filters, n_themes, _threshold(min_group))
    if message:
        empty = {
            "text": pd.Series(dtype="str"),
            "theme_id": pd.Series(dtype="int64"),
            "theme": pd.Series(dtype="str"),
        }
        return pd.DataFrame(empty), message
    return scope.text_themes.copy(), None


def listed_themes(
    con: duckdb.DuckDBPyConnection, filters: Filters | None = None, min_group: int | None = None
) -> tuple[pd.DataFrame, str | None]:
    """The theme a listed comment may carry, per wave and distinct text of the filter's comments in the
    shown waves (columns wave, text, theme): its theme where that wave's cell of `theme_by_wave` is
    shown, else HIDDEN_THEME, so no listing counts what the themes over time hide. With the message
    saying why there are no themes, an empty frame."""
    k = _threshold(min_group)
    scope, message = _assign(con, filters, None, k)
    if message:
        return pd.DataFrame({c: pd.Series(dtype="str") for c in ["wave", "text", "theme"]}), message
    cells = _by_wave(con, scope, filters, k)
    shown = cells.loc[~cells["suppressed"].astype(bool), ["wave", "theme_id"]].astype({"wave": "str"})
    mine = scope.rows.loc[scope.rows["in_filter"], ["wave", "text", "theme_id", "theme"]]
    mine = mine.astype({"wave": "str", "text": "str"}).drop_duplicates(["wave", "text"])
    mine = mine.merge(shown.assign(_shown=True), on=["wave", "theme_id"], how="left")
    mine["theme"] = mine["theme"].where(mine["_shown"].fillna(False).astype(bool), HIDDEN_THEME)
    return mine[["wave", "text", "theme"]].reset_index(drop=True), None


def find_themes(
    con: duckdb.DuckDBPyConnection,
    filters: Filters | None = None,
    n_themes: int | None = None,
    min_group: int | None = None,
    assignments: bool = True,
    by_wave: bool = False,
) -> Themes:
    """Themes of the comments in the filter: name, top terms, share of comments, n and mean sentiment.

    Only the comments of waves whose tone is shown (sentiment.shown_waves, with the free-text
    threshold `min_group`, default `privacy.min_group_comments()`) are read; nothing is fitted when
    there are none or fewer than 20 comments, and `message` says why. Every theme's figures pass
    privacy.gate (themes split people like a breakdown). `assignments=False` leaves the per-comment
    assignments empty (cheaper when only the figures are needed); `by_wave=True` fills `by_wave` with
    what `theme_by_wave` returns, from the same fit.
    """
    k = _threshold(min_group)
    scope, message = _assign(con, filters, n_themes, k)
    if message:
        return Themes(message=message, by_wave=_no_waves(message))
    mine = scope.rows[scope.rows["in_filter"]]
    overall = _figures(mine, ["theme_id"], [])
    table = scope.catalogue.merge(overall, on="theme_id", how="left")
    table = _gate(con, scope, table, ["theme_id"], filters, k)
    columns = ["theme_id", "name", "top_terms", "share", "comments", "n", "mean_compound", "suppressed"]
    found = Themes(themes=table[[*columns, "suppressed_reason"]].reset_index(drop=True))
    if by_wave:
        found.by_wave = _by_wave(con, scope, filters, k)
    if assignments:
        listed = mine[["response_id", "question", "theme_id", "theme"]].reset_index(drop=True)
        found.assignments = listed.astype({"response_id": "str", "question": "str", "theme": "str"})
    return found


def theme_by_wave(
    con: duckdb.DuckDBPyConnection,
    filters: Filters | None = None,
    n_themes: int | None = None,
    min_group: int | None = None,
) -> pd.DataFrame:
    """Share of each wave's comments per theme and the theme's mean sentiment in that wave, with n.

    Themes are found over the shown waves of the filter; each cell passes privacy.gate (themes a
    breakdown within each wave). Empty when `find_themes` would find none.
    """
    return find_themes(con, filters, n_themes, min_group, assignments=False, by_wave=True).by_wave
