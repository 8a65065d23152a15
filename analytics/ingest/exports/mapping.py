"""Column mappings: the JSON profile format, validation, and named profiles saved in DuckDB."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import duckdb

from analytics.errors import MutualError, Problem
from analytics.ingest.exports.recognise import IGNORE, allowed_targets, is_comment_target
from analytics.instruments import ITEMS, normalise_text

__all__ = [
    "signature",
    "load_mapping",
    "check_mapping",
    "mapping_problems",
    "save_profile",
    "find_profile",
    "list_profiles",
    "delete_profile",
]

_KEYS = {"columns", "wave", "include_excluded", "format", "name"}


def signature(columns: list[str]) -> str:
    """SHA-256 of the normalised set of column names: the same export layout gives the same signature."""
    names = sorted({normalise_text(c) for c in columns})
    return hashlib.sha256("\n".join(names).encode("utf-8")).hexdigest()


def load_mapping(path: str | os.PathLike) -> dict[str, Any]:
    """Read a mapping profile from a JSON file (`--mapping FILE.json`)."""
    path = Path(path)
    try:
        mapping = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, json.JSONDecodeError) as exc:
        raise MutualError(f"Cannot read the mapping {path.name}", [Problem(path.name, str(exc))]) from exc
    return check_mapping(mapping, path.name)


def check_mapping(mapping: Any, file: str = "mapping") -> dict[str, Any]:
    """The mapping if its shape is right, else a MutualError naming what is wrong."""
    problems = []
    if not isinstance(mapping, dict):
        raise MutualError("A mapping must be a JSON object", [Problem(file, 'expected {"columns": {...}}')])
    columns = mapping.get("columns", {})
    if not isinstance(columns, dict) or not all(isinstance(v, str) for v in columns.values()):
        problems.append(Problem(file, '"columns" must map source column names to target names'))
    for key in set(mapping) - _KEYS:
        problems.append(Problem(file, f"unknown key {key!r} (ignored)", severity="warning"))
    if mapping.get("wave") is not None and not isinstance(mapping["wave"], str):
        problems.append(Problem(file, '"wave" must be text such as "pulse-2026-05"'))
    if any(p.severity == "error" for p in problems):
        raise MutualError(f"The mapping {file} is not valid", problems)
    return mapping


def mapping_problems(targets: dict[str, str], file: str = "mapping") -> list[Problem]:
    """Problems with a column -> target assignment: unknown targets, targets used twice, no item."""
    known = set(allowed_targets())
    problems = []
    for column, target in targets.items():
        if target not in known and not is_comment_target(target):
            problems.append(Problem(file, f"unknown target {target!r}", column=column))
    used = Counter(t for t in targets.values() if t != IGNORE)
    for target, count in used.items():
        if count > 1:
            columns = [c for c, t in targets.items() if t == target]
            problems.append(
                Problem(
                    file, f"{count} columns are mapped to {target}: {', '.join(columns)}", column=columns[1]
                )
            )
    if not any(t in ITEMS for t in targets.values()):
        problems.append(
            Problem(file, "no column is mapped to an item (required): map each question to its item code")
        )
    return problems


def save_profile(
    con: duckdb.DuckDBPyConnection, name: str, columns: list[str], mapping: dict[str, Any]
) -> str:
    """Save (or replace) a named mapping profile for exports with these columns; returns its signature."""
    name = name.strip()
    if not name:
        raise MutualError("A profile needs a name", [Problem("mapping", "the profile name is empty")])
    check_mapping(mapping, name)
    sig = signature(columns)
    con.execute(
        "INSERT OR REPLACE INTO mapping_profiles (name, signature, mapping, saved_at) VALUES (?, ?, ?, ?)",
        [name, sig, json.dumps(mapping, sort_keys=True), dt.datetime.now()],
    )
    return sig


def find_profile(con: duckdb.DuckDBPyConnection, columns: list[str]) -> tuple[str, dict[str, Any]] | None:
    """The most recently saved profile for exports with exactly these columns, if any."""
    rows = con.execute(
        "SELECT name, mapping FROM mapping_profiles WHERE signature = ? ORDER BY saved_at DESC LIMIT 1",
        [signature(columns)],
    ).fetchall()  # fetch to the end: DuckDB keeps an unfinished result open on the connection
    return (rows[0][0], json.loads(rows[0][1])) if rows else None


def list_profiles(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Every saved profile: name, signature, saved_at, number of mapped columns."""
    rows = con.execute(
        "SELECT name, signature, mapping, saved_at FROM mapping_profiles ORDER BY name"
    ).fetchall()
    return [
        {"name": n, "signature": s, "saved_at": t, "columns": len(json.loads(m).get("columns", {}))}
        for n, s, m, t in rows
    ]


def delete_profile(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Forget a saved profile."""
    con.execute("DELETE FROM mapping_profiles WHERE name = ?", [name])
