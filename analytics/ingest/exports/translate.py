"""Turn a vendor export into Mutual's survey template, with a report of what was recognised and why."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pandas as pd

from analytics.errors import MutualError, Problem
from analytics.ingest.exports.layout import Export
from analytics.ingest.exports.mapping import find_profile, mapping_problems, signature
from analytics.ingest.exports.reading import parse_datetimes
from analytics.ingest.exports.recognise import (
    ATTRIBUTE_TARGETS,
    IGNORE,
    Target,
    answer_value,
    comment_target,
    is_comment_target,
    recognise_column,
)
from analytics.instruments import ITEMS, normalise_text

__all__ = ["Translation", "recognise_export", "translate_export", "translated", "email_hash", "default_wave"]


@dataclass
class Translation:
    """An export in the survey template layout, and the recognition report shown to the analyst."""

    format: str
    frame: pd.DataFrame  # template columns; index = row number in the original file
    report: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)


def email_hash(values: pd.Series) -> pd.Series:
    """SHA-256 of each lower-cased, stripped e-mail (None for blanks and 'anonymous')."""
    text = values.fillna("").astype("string").str.strip().str.lower()
    text = text.where(text.str.contains("@", regex=False))
    hashes = {v: hashlib.sha256(v.encode("utf-8")).hexdigest() for v in text.dropna().unique()}
    return text.map(hashes).astype("object").where(text.notna(), None)


def _resolve(target: str, export: Export, column: str) -> str:
    return comment_target(export.texts.get(column) or column) if target == "comment" else target


def _one_column_per_target(targets: dict[str, Target], fixed: set[str]) -> None:
    """Where recognition proposes one target for several columns, keep the surest; the mapping's own
    choices are left alone (a repeated target there is an error for the analyst to fix)."""
    best: dict[str, str] = {}
    slugs: dict[str, int] = {}
    for column, found in targets.items():
        if column in fixed or found.target == IGNORE:
            continue
        if is_comment_target(found.target):  # two free-text questions starting alike: number them
            slugs[found.target] = slugs.get(found.target, 0) + 1
            if slugs[found.target] > 1:
                targets[column] = Target(
                    f"{found.target}_{slugs[found.target]}", found.confidence, found.reason
                )
            continue
        kept = best.get(found.target)
        if kept is None or found.confidence > targets[kept].confidence:
            best[found.target] = column
    for column, found in list(targets.items()):
        kept = best.get(found.target)
        if column not in fixed and kept is not None and kept != column:
            targets[column] = Target(
                IGNORE, found.confidence, f"also looks like {found.target}; '{kept}' is used"
            )


def recognise_export(
    export: Export, mapping: dict[str, Any] | None = None, con: duckdb.DuckDBPyConnection | None = None
) -> tuple[dict[str, Target], dict[str, Any], list[Problem]]:
    """Each source column's target (mapping, else saved profile, else recognition), the report, and
    the mapping's warnings (columns it names that the file does not have)."""
    profile = None
    if mapping is None and con is not None:
        found = find_profile(con, export.columns)
        if found is not None:
            profile, mapping = found
    by_key = {normalise_text(c): c for c in export.columns}
    chosen = {}
    problems = []
    # Columns are matched the way the profile signature is: ignoring case, spacing and punctuation.
    for column, target in (mapping or {}).get("columns", {}).items():
        key = normalise_text(column)
        if key in by_key:
            chosen[by_key[key]] = target
        else:
            problems.append(
                Problem(
                    export.file,
                    f"the mapping names a column that is not in the file: {column!r} (ignored)",
                    column=column,
                    severity="warning",  # one mapping may serve several files of a batch
                )
            )
    source = f"saved profile '{profile}'" if profile else "the mapping"
    targets: dict[str, Target] = {}
    for column in export.columns:
        if column in chosen:
            targets[column] = Target(_resolve(chosen[column], export, column), 1.0, f"set by {source}")
        else:
            auto = recognise_column(
                column, export.texts.get(column), export.frame[column], export.hints.get(column)
            )
            targets[column] = Target(_resolve(auto.target, export, column), auto.confidence, auto.reason)
    _one_column_per_target(targets, set(chosen))
    report = {
        "format": export.format,
        "reason": export.reason,
        "signature": signature(export.columns),
        "profile": profile,
        "rows": len(export.frame),
        "excluded": dict(export.excluded),
        "columns": [
            {
                "source": c,
                "text": export.texts.get(c, c),
                "target": t.target,
                "confidence": t.confidence,
                "reason": t.reason,
            }
            for c, t in targets.items()
        ],
        "mapping": {"columns": {c: t.target for c, t in targets.items()}},
    }
    if mapping and mapping.get("wave"):
        report["mapping"]["wave"] = mapping["wave"]
    return targets, report, problems


def _items(export: Export, column: str, item: str) -> tuple[pd.Series, list[Problem]]:
    raw = export.frame[column].fillna("").astype("string").str.strip()
    distinct = raw[raw != ""].unique()
    values = {label: answer_value(item, label) for label in distinct}
    spec = ITEMS[item]
    problems = []
    for label, value in values.items():
        if value is None:
            rows = raw.index[raw == label]
            problems.append(
                Problem(
                    export.file,
                    f"unknown answer label {label!r} for item {item} in {len(rows)} "
                    f"row{'s' if len(rows) != 1 else ''} (expected {spec.scale_min}-{spec.scale_max} or a "
                    f"label of its {spec.scale_max - spec.scale_min + 1}-point scale)",
                    row=int(rows[0]),
                    column=column,
                )
            )
    return raw.map(values).astype("Float64"), problems


def _employee_ids(
    export: Export, by_target: dict[str, str], con: duckdb.DuckDBPyConnection | None, report: dict
) -> tuple[pd.Series, list[Problem]]:
    ids = pd.Series(None, index=export.frame.index, dtype="object")
    problems: list[Problem] = []
    if "employee_id" in by_target:
        raw = export.frame[by_target["employee_id"]].fillna("").astype("string").str.strip()
        ids = raw.where(raw != "").astype("object")
    if "email" in by_target:
        hashes = email_hash(export.frame[by_target["email"]])
        known = {}
        wanted = sorted({h for h in hashes.dropna()})
        if con is not None and wanted:
            known = dict(
                con.execute(
                    "SELECT email_hash, employee_id FROM employees WHERE email_hash IN (SELECT unnest(?::VARCHAR[]))",
                    [wanted],
                ).fetchall()
            )
        linked = hashes.map(known)
        report["linked_by_email"] = int((ids.isna() & linked.notna()).sum())
        report["unmatched_emails"] = int((ids.isna() & hashes.notna() & linked.isna()).sum())
        if con is not None and report["unmatched_emails"]:
            problems.append(
                Problem(
                    export.file,
                    f"{report['unmatched_emails']} e-mail address(es) match no employee (is the employees "
                    "file imported with its email column?); those responses are anonymous",
                    column=by_target["email"],
                    severity="warning",
                )
            )
        ids = ids.where(ids.notna(), linked)
    return ids.where(ids.notna(), None), problems


def default_wave(submitted: pd.Series) -> str | None:
    """A pulse wave named after the median completion month ('pulse-2026-05'), None without dates."""
    stamps = pd.to_datetime(submitted, errors="coerce").dropna().sort_values()
    return f"pulse-{stamps.iloc[(len(stamps) - 1) // 2]:%Y-%m}" if len(stamps) else None


def _response_ids(export: Export, by_target: dict[str, str], submitted: pd.Series, sig: str) -> pd.Series:
    """The export's own response ids, else '<format>-<layout>-<number or row>-<completion time>'."""
    if "response_id" in by_target:
        raw = export.frame[by_target["response_id"]].fillna("").astype("string").str.strip()
        return raw.where(raw != "").astype("object")
    index = pd.Series(export.frame.index.astype(str), index=export.frame.index)
    key = export.frame[export.id_column].astype("string").str.strip() if export.id_column else index
    stamp = submitted.fillna("").astype("string").str.replace(r"\D", "", regex=True).str[:12]
    ids = f"{export.format}-{sig[:6]}-" + key.fillna(index) + ("-" + stamp).where(stamp != "", "")
    return ids.astype("object")


def translate_export(
    export: Export,
    mapping: dict[str, Any] | None = None,
    wave: str | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
) -> Translation:
    """The export in the survey template layout; problems (unknown labels, a bad mapping) are listed.

    The wave column is the given wave, else the mapping's, else a mapped wave column; when none of
    these exists it is left out and `report["default_wave"]` holds the pulse named after the median
    completion month.
    """
    targets, report, problems = recognise_export(export, mapping, con)
    chosen = {c: t.target for c, t in targets.items()}
    problems += mapping_problems(chosen, export.file)
    by_target = {t: c for c, t in chosen.items() if t != IGNORE}
    out = pd.DataFrame(index=export.frame.index)

    submitted = pd.Series(None, index=out.index, dtype="object")
    if "submitted_at" in by_target:
        column = by_target["submitted_at"]
        submitted, failed = parse_datetimes(export.frame[column])
        problems += [
            Problem(export.file, f"unreadable date {export.frame[column].iloc[i]!r}, left empty",
                    row=int(out.index[i]), column=column, severity="warning")
            for i in failed[:20]
        ]  # fmt: skip
    out["response_id"] = _response_ids(export, by_target, submitted, report["signature"])
    out["employee_id"], unlinked = _employee_ids(export, by_target, con, report)
    problems += unlinked
    wave = wave or (mapping or {}).get("wave") or report["mapping"].get("wave")
    if wave:
        out["wave"] = wave
    elif "wave" in by_target:
        waves = export.frame[by_target["wave"]].fillna("").astype("string").str.strip()
        out["wave"] = waves.where(waves != "").astype("object")
    report["wave"] = wave
    report["default_wave"] = default_wave(submitted)
    out["submitted_at"] = submitted
    for attribute in ATTRIBUTE_TARGETS:
        if attribute in by_target:
            values = export.frame[by_target[attribute]].fillna("").astype("string").str.strip()
            out[attribute] = values.where(values != "").astype("object")
    for item in ITEMS:
        if item in by_target:
            out[item], found = _items(export, by_target[item], item)
            problems += found
    for target, column in by_target.items():
        if is_comment_target(target):
            text = export.frame[column].fillna("").astype("string").str.strip()
            out[target] = text.where(text != "").astype("object")
    report["anonymous"] = int(out["employee_id"].isna().sum())
    if export.excluded:
        counted = ", ".join(f"{n} {why}" for why, n in sorted(export.excluded.items()))
        problems.append(
            Problem(
                export.file,
                f"left out {sum(export.excluded.values())} responses ({counted})",
                severity="warning",
            )
        )
    return Translation(export.format, out, report, problems)


def translated(translation: Translation) -> Translation:
    """The translation itself when it has no errors, else a MutualError listing them."""
    errors = [p for p in translation.problems if p.severity == "error"]
    if errors:
        raise MutualError(f"{errors[0].file} cannot be imported as it is", translation.problems)
    return translation
