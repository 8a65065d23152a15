"""Report: the sponsor report of the programme or one cohort, previewed, as HTML and as PDF."""

import streamlit as st

from analytics.report import writer
from analytics.report.data import report_cohorts
from ui.state import query

WHOLE_PROGRAMME = "Whole programme"

st.title("Report for sponsors")
st.caption(
    "One self-contained file to take into the boardroom: what improved, by how much, how sure we are, "
    "for whom it did not, and the stories behind it. It opens offline in any browser and prints with a "
    "page per section. The sidebar filters do not apply: choose the programme or one cohort here."
)
cohorts = query(report_cohorts)
choice = st.selectbox("Report on", [WHOLE_PROGRAMME, *cohorts], key="report_cohort")
cohort = None if choice == WHOLE_PROGRAMME else choice
name = "programme" if cohort is None else f"cohort-{cohort}"

with st.spinner("Writing the report..."):
    html = query(writer.build_report, cohort)  # the thresholds are in query's cache key

left, right = st.columns(2)
left.download_button(
    "Download the report (HTML)",
    html,
    file_name=f"mutual-report-{name}.html",
    mime="text/html",
    key="report_html",
    on_click="ignore",
    type="primary",
)
if writer.chromium_path():
    right.download_button(
        "Download as PDF",
        lambda: writer.report_pdf(html),
        file_name=f"mutual-report-{name}.pdf",
        mime="application/pdf",
        key="report_pdf",
        on_click="ignore",
        help="Printed from the same HTML through headless Chromium; takes a few seconds.",
    )
else:
    right.caption("A PDF needs Chromium on the server; the HTML report prints from any browser.")

st.subheader("Preview")
st.iframe(html, height=900)  # the report is ours: every text from the data is escaped
