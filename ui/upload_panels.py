"""The panels of the Upload page: what Mutual made of each file, and what an import or an undo did."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.ingest.inspection import Inspection
from analytics.ingest.load import ImportResult
from ui.format import plain

__all__ = ["mapping_caption", "inspection_panel", "import_messages", "undo_message"]


def mapping_caption(several: bool) -> None:
    """Above the mapping of an export: edit it here, or (with several files) upload it on its own to edit it."""
    if several:
        st.caption(
            "Columns were mapped automatically. To change the mapping of an export, upload it on its own."
        )
    else:
        st.caption(
            "Check what each column was recognised as; change any row, and save the "
            "mapping as a profile to apply it to the next export with the same columns."
        )


def inspection_panel(inspected: Inspection, key: str) -> None:
    """One file's format, kind, rows and waves, whether it can be imported, its problems and a preview."""
    with st.container(border=True):
        st.markdown(
            f"**{plain(inspected.file_name)}**: {plain(inspected.kind)} file, {plain(inspected.format)} format"
        )
        st.caption(f"{plain(inspected.reason)} {inspected.rows:,} data rows.")
        if inspected.waves:
            st.caption("Waves: " + ", ".join(plain(w) for w in inspected.waves))
        if inspected.already_imported:
            st.info("This exact file has been imported before; importing it again adds nothing.")
        if inspected.errors:
            st.error(f"{len(inspected.errors)} problem(s) to fix before this file can be imported.")
        elif not inspected.already_imported:
            st.success("Ready to import.")
        if inspected.problems:
            report = pd.DataFrame(
                [
                    {"severity": p.severity, "row": p.row, "column": p.column, "problem": p.message}
                    for p in [*inspected.errors, *inspected.warnings]
                ]
            )
            st.dataframe(report, hide_index=True, width="stretch", key=key)
        with st.expander("Preview"):
            st.dataframe(inspected.preview, hide_index=True)


def import_messages(results: list[ImportResult]) -> None:
    """One line per imported file: its rows, kind, waves and import number, or why nothing was added."""
    for result in results:
        if result.status == "imported":
            waves = f" ({', '.join(plain(w) for w in result.waves)})" if result.waves else ""
            st.success(
                f"Imported {plain(result.file_name)}: {result.rows:,} {plain(result.kind)} rows{waves}, "
                f"import #{result.import_id}."
            )
        else:
            st.info(f"{plain(result.file_name)}: {plain(result.status)}.")


def undo_message(import_id: int, removed: dict[str, int]) -> None:
    """What an undo removed, table by table."""
    st.success(
        f"Undid import #{import_id}: removed "
        + ", ".join(f"{n:,} {table}" for table, n in removed.items() if n)
        + "."
    )
