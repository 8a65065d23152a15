"""Upload: recognise, validate and import survey and HR exports; see and undo past imports."""

import streamlit as st

from analytics.errors import MutualError
from analytics.examples import example_files
from analytics.ingest.inspection import inspect_file
from analytics.ingest.kinds import LOAD_ORDER
from analytics.ingest.load import import_files, import_history, undo_import
from analytics.safe_output import neutralise_csv
from ui.errors import message
from ui.format import plain
from ui.mapping_editor import mapping_editor
from ui.state import clear_caches, cursor
from ui.upload_panels import import_messages, inspection_panel, mapping_caption, undo_message

KINDS = ["detect automatically", *LOAD_ORDER]

st.title("Upload data")
st.caption(
    "Bring in exports from your HR system, the programme roster, goals, session logs and surveys "
    "(our template, Qualtrics, SurveyMonkey, Microsoft Forms, Google Forms or Viva Glint; CSV or XLSX). "
    "Nothing is written until you press Import, and every import can be undone."
)

con = cursor()
uploaded = st.file_uploader(
    "Export files", type=["csv", "xlsx", "tsv", "txt"], accept_multiple_files=True, key="upload_files"
)
options = st.columns(2)
kind_choice = options[0].selectbox("Kind of file", KINDS, key="upload_kind")
wave = (
    options[1]
    .text_input(
        "Survey wave (for exports without a wave column)",
        key="upload_wave",
        placeholder="pre, mid, post or e.g. pulse-2026-11",
    )
    .strip()
)
kind = None if kind_choice == KINDS[0] else kind_choice

mapping = None
if uploaded:
    files = [(f.name, f.getvalue()) for f in uploaded]
    inspections = []
    for name, data in files:
        try:
            inspected = inspect_file(con, (name, data), kind=kind, wave=wave or None)
        except MutualError as error:
            st.error(message(error), icon=":material/error:")
            continue
        if inspected.format != "template":
            with st.container(border=True):
                st.markdown(f"**Column mapping for {plain(inspected.file_name)}**")
                mapping_caption(several=len(files) > 1)
                if len(files) == 1:
                    mapping = mapping_editor(con, inspected)
                    if mapping is not None:
                        inspected = inspect_file(
                            con, (name, data), kind=kind, wave=wave or None, mapping=mapping
                        )
        inspections.append(inspected)
        inspection_panel(inspected, key=f"report_{name}")

    ready = bool(inspections) and len(inspections) == len(files) and all(i.ok for i in inspections)
    if st.button("Import", type="primary", disabled=not ready, key="upload_import"):
        try:
            results = import_files(con, files, kind=kind, wave=wave or None, mapping=mapping)
        except MutualError as error:
            st.error(message(error), icon=":material/error:")
        else:
            clear_caches()
            import_messages(results)

st.subheader("Import history")
history = import_history(con)
if history.empty:
    st.caption("Nothing imported yet.")
else:
    st.dataframe(
        history[["import_id", "file_name", "format", "kind", "wave", "rows", "status", "imported_at"]],
        hide_index=True,
        width="stretch",
        key="upload_history",
    )
    undo_cols = st.columns([2, 1])
    undo_id = undo_cols[0].selectbox(
        "Undo an import (removes exactly the rows it added)",
        history["import_id"].tolist(),
        format_func=lambda i: f"#{i} {history.set_index('import_id').loc[i, 'file_name']}",
        index=None,
        key="upload_undo_id",
    )
    if undo_cols[1].button("Undo import", disabled=undo_id is None, key="upload_undo"):
        try:
            removed = undo_import(con, int(undo_id))
        except MutualError as error:
            st.error(message(error))
        else:
            clear_caches()
            undo_message(undo_id, removed)

st.subheader("Templates")
st.caption(
    "Small example files of each kind, cut from the sample programme. The columns are described in docs/templates.md."
)
examples = example_files()
for column, (name, data) in zip(st.columns(len(examples)), examples.items(), strict=True):
    column.download_button(
        name, neutralise_csv(data), file_name=name, mime="text/csv", key=f"download_{name}"
    )
