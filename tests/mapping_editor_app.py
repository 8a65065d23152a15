"""A tiny app that shows the mapping editor for the export named by $MAPPING_EDITOR_FILE (for AppTest)."""

import os
from pathlib import Path

import streamlit as st

from analytics.ingest.inspection import inspect_file
from analytics.store import db
from ui.mapping_editor import mapping_editor

con = db.connect()
try:
    inspection = inspect_file(con, Path(os.environ["MAPPING_EDITOR_FILE"]), wave="pulse-2026-05")
    st.session_state["mapping"] = mapping_editor(con, inspection)
finally:
    con.close()
