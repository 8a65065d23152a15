"""The sponsor report: one self-contained HTML file (and a PDF of it) of a programme's outcomes."""

from __future__ import annotations

import html
import shutil
import subprocess
import tempfile
from pathlib import Path

import duckdb

from analytics.errors import MutualError
from analytics.report import sections
from analytics.report.data import ReportData, gather, report_cohorts
from analytics.report.html import Charts, document, section
from analytics.report.summary import executive_summary

__all__ = [
    "SECTIONS",
    "CHROMIUM",
    "build_report",
    "write_report",
    "chromium_path",
    "print_pdf",
    "report_pdf",
]

SECTIONS = {
    "summary": "Executive summary",
    "outcomes": "Outcomes before, during and after",
    "reciprocity": "Reciprocity: did both partners benefit?",
    "goals": "Goal attainment",
    "retention": "Retention",
    "participation": "Participation",
    "themes": "What people wrote: themes and tone",
    "stories": "Stories, set against the data",
    "method": "Method and privacy",
}
CHROMIUM = "/usr/bin/chromium"
_CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def _body(data: ReportData) -> str:
    chart = Charts()
    summary = "".join(f"<li>{s}</li>" for s in executive_summary(data))
    bodies = {
        "summary": f'{sections.headline(data)}<ul class="summary">{summary}</ul>',
        "outcomes": sections.outcomes(data, chart),
        "reciprocity": sections.reciprocity(data, chart),
        "goals": sections.goal_attainment(data, chart),
        "retention": sections.retention(data, chart),
        "participation": sections.participation(data, chart),
        "themes": sections.themes(data, chart),
        "stories": sections.stories(data, chart),
        "method": sections.method(data),
    }
    header = (
        f"<header><h1>Reverse mentoring: outcomes report</h1>"
        f'<p class="meta">{html.escape(data.scope)} · data up to {html.escape(data.data_date)} · '
        f"groups under {data.min_group} people are not shown</p></header>"
    )
    return header + "".join(section(key, title, bodies[key]) for key, title in SECTIONS.items())


def build_report(
    con: duckdb.DuckDBPyConnection, cohort: str | None = None, min_group: int | None = None
) -> str:
    """The report as one HTML page for the programme (cohort None) or one cohort."""
    if cohort is not None and cohort not in report_cohorts(con):
        raise MutualError(
            f"There is no cohort {cohort!r}; the cohorts are: {', '.join(report_cohorts(con)) or 'none'}."
        )
    data = gather(con, cohort, min_group)
    return document(f"Reverse mentoring outcomes — {data.scope}", _body(data))


def chromium_path() -> str | None:
    """The Chromium used to print PDFs, or None when it is not installed."""
    return CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")


def print_pdf(html_path: Path, pdf_path: Path, timeout: float = 180) -> None:
    """Print an HTML file to PDF in headless Chromium; MutualError when Chromium is missing or fails."""
    chromium = chromium_path()
    if chromium is None:
        raise MutualError(
            "A PDF needs Chromium, which is not installed; the HTML report prints from any browser."
        )
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [
                chromium, *_CHROMIUM_ARGS, f"--user-data-dir={profile}", "--no-pdf-header-footer",
                "--run-all-compositor-stages-before-draw", f"--print-to-pdf={Path(pdf_path).resolve()}",
                Path(html_path).resolve().as_uri(),
            ],
            capture_output=True, text=True, timeout=timeout, check=False,
        )  # fmt: skip
    if done.returncode != 0 or not Path(pdf_path).is_file() or Path(pdf_path).stat().st_size == 0:
        raise MutualError(f"Chromium could not print the report to PDF: {done.stderr.strip()[-500:]}")


def report_pdf(report_html: str) -> bytes:
    """The PDF of a report's HTML, printed through headless Chromium."""
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "report.html", Path(folder) / "report.pdf"
        source.write_text(report_html, encoding="utf-8")
        print_pdf(source, target)
        return target.read_bytes()


def write_report(
    con: duckdb.DuckDBPyConnection,
    out: Path,
    cohort: str | None = None,
    pdf: Path | None = None,
    min_group: int | None = None,
) -> list[Path]:
    """Write the HTML report (and its PDF when asked); returns the files written."""
    out = Path(out)
    out.write_text(build_report(con, cohort, min_group), encoding="utf-8")
    written = [out]
    if pdf is not None:
        print_pdf(out, Path(pdf))
        written.append(Path(pdf))
    return written
