"""The app's database connection, shared filters and cached queries."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import duckdb
import streamlit as st

from analytics import privacy
from analytics.store import db

__all__ = [
    "connection",
    "cursor",
    "data_version",
    "thresholds",
    "query",
    "current_filters",
    "clear_caches",
]

FILTERS_KEY = "filters"


@st.cache_resource(show_spinner=False)
def _connection(path: str) -> duckdb.DuckDBPyConnection:
    from analytics.sample import programme

    con = db.open_database(path, hint=", or set MUTUAL_DB to use another file")
    if programme.database_is_empty(con) and os.environ.get("MUTUAL_NO_SAMPLE") != "1":  # 1: keep it empty
        programme.load_sample(con)
        st.session_state["sample_loaded_now"] = True
    return con


def connection() -> duckdb.DuckDBPyConnection:
    """The one connection of this app process (the sample is loaded into an empty database)."""
    return _connection(str(db.db_path()))


def cursor() -> duckdb.DuckDBPyConnection:
    """A cursor of its own for this script run, safe to use alongside other sessions' cursors."""
    return connection().cursor()


def data_version() -> tuple:
    """Changes whenever an import lands or is undone, so cached results are recomputed."""
    return cursor().execute("SELECT count(*), coalesce(max(import_id), 0) FROM imports").fetchone()


def thresholds() -> tuple[int, int]:
    """(k for figures, k for comments): the privacy thresholds pages quote, read from one place.

    The analytics functions apply the same ones by default; pages never pass min_group themselves.
    """
    return privacy.thresholds()


@st.cache_data(show_spinner=False, max_entries=512)
def _cached(
    name: str, database: str, version: tuple, limits: tuple, args: tuple, kwargs: dict, _fn: Callable
) -> Any:
    return _fn(cursor(), *args, **kwargs)


def query(fn: Callable, *args: Any, **kwargs: Any) -> Any:
    """fn(cursor, *args, **kwargs), cached per database and privacy thresholds until its data changes."""
    name = f"{fn.__module__}.{fn.__qualname__}"
    return _cached(name, str(db.db_path()), data_version(), thresholds(), args, kwargs, fn)


def current_filters() -> dict[str, list[str]]:
    """The sidebar filters chosen in app.py: attribute -> chosen values (empty means all)."""
    return {k: list(v) for k, v in st.session_state.get(FILTERS_KEY, {}).items() if v}


def clear_caches() -> None:
    """Forget cached query results (after an import or an undo)."""
    _cached.clear()
