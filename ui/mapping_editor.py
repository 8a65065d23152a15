"""The column-mapping editor of the Upload page: source column -> target, validated live, saved as a profile."""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd
import streamlit as st

from analytics.errors import MutualError
from analytics.ingest.exports.mapping import mapping_problems, save_profile
from analytics.ingest.exports.recognise import IGNORE, allowed_targets, is_comment_target
from analytics.ingest.exports.register import recognition_of
from analytics.instruments import ITEMS, items_of
from ui.errors import message
from ui.format import plain

__all__ = ["mapping_editor", "mapping_warnings"]

EDITOR_KEY = "map_editor"
NAME_KEY = "map_profile_name"
SAVE_KEY = "map_save"
_SIGNATURE_KEY = "map_editor_signature"


def _report(inspection: Any) -> dict[str, Any] | None:
    if isinstance(inspection, dict) and "columns" in inspection:
        return inspection
    return recognition_of(inspection)


def _options(report: dict[str, Any]) -> list[str]:
    comments = sorted({c["target"] for c in report["columns"] if is_comment_target(c["target"])})
    return [t for t in allowed_targets() if t != IGNORE] + comments + [IGNORE]


def mapping_warnings(targets: dict[str, str]) -> list[str]:
    """Items missing from constructs that are partly mapped, e.g. 'Psychological safety: ps_6 not mapped'."""
    mapped = {t for t in targets.values() if t in ITEMS}
    out = []
    for construct in sorted({ITEMS[t].construct for t in mapped}):
        missing = [i.code for i in items_of(construct) if i.code not in mapped]
        if missing:
            out.append(f"{construct}: {', '.join(missing)} not mapped")
    return out


def _summary(report: dict[str, Any]) -> None:
    line = f"Recognised as **{plain(report['format'])}**: {plain(report['reason'])}."
    if report.get("profile"):
        line += f" Saved profile **{plain(report['profile'])}** applied."
    st.markdown(line)
    if report.get("excluded"):
        counts = ", ".join(f"{n} {plain(why)}" for why, n in sorted(report["excluded"].items()))
        st.caption(f"Left out by default: {counts}.")


def mapping_editor(con: duckdb.DuckDBPyConnection, inspection: Any) -> dict[str, Any] | None:
    """Show the recognised mapping as an editable table; the edited mapping, or None if it is not valid.

    `inspection` is an ingest Inspection of a survey-tool export (or its recognition report). A template
    file has nothing to map, and None is returned without showing anything.
    """
    report = _report(inspection)
    if not report:
        return None
    _summary(report)
    # Edits are kept per row position: forget them when another export (other columns) is shown.
    shown_before = st.session_state.get(_SIGNATURE_KEY)
    if shown_before is not None and shown_before != report.get("signature"):
        st.session_state.pop(EDITOR_KEY, None)
    st.session_state[_SIGNATURE_KEY] = report.get("signature")
    table = pd.DataFrame(
        {
            "source": [c["source"] for c in report["columns"]],
            "question": [c["text"] for c in report["columns"]],
            "target": [c["target"] for c in report["columns"]],
            "confidence": [float(c["confidence"]) for c in report["columns"]],
            "reason": [c["reason"] for c in report["columns"]],
        }
    )
    edited = st.data_editor(
        table,
        key=EDITOR_KEY,
        hide_index=True,
        num_rows="fixed",
        disabled=["source", "question", "confidence", "reason"],
        column_config={
            "source": st.column_config.TextColumn("Source column"),
            "question": st.column_config.TextColumn("Question text"),
            "target": st.column_config.SelectboxColumn("Maps to", options=_options(report), required=True),
            "confidence": st.column_config.ProgressColumn(
                "Confidence", min_value=0.0, max_value=1.0, format="%.2f"
            ),
            "reason": st.column_config.TextColumn("Why"),
        },
    )
    targets = {str(s): str(t or IGNORE) for s, t in zip(edited["source"], edited["target"], strict=True)}
    errors = [p for p in mapping_problems(targets, report.get("format", "mapping")) if p.severity == "error"]
    for problem in errors:
        st.error(plain(f"{problem.column + ': ' if problem.column else ''}{problem.message}"))
    for warning in mapping_warnings(targets):
        st.warning(plain(warning))
    mapping: dict[str, Any] = {"columns": targets}
    if report.get("mapping", {}).get("wave"):
        mapping["wave"] = report["mapping"]["wave"]
    name = st.text_input("Profile name", key=NAME_KEY, placeholder="e.g. Monthly pulse (Qualtrics)")
    if st.button("Save profile", key=SAVE_KEY, disabled=bool(errors)):
        try:
            save_profile(con, name, list(targets), {"columns": targets})
        except MutualError as exc:
            st.error(message(exc))
        else:
            st.success(
                f"Saved profile '{plain(name.strip())}': exports with these columns will be mapped the same way."
            )
    if errors:
        return None
    return mapping
