"""The sponsor report opened from disk in headless Chromium: offline, charts drawn; and its PDF."""

from pathlib import Path

import pytest

from analytics.report import writer
from tests.browser import CHROMIUM, browser_page

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def report_file(sample_con, tmp_path) -> Path:
    path = tmp_path / "report.html"
    writer.write_report(sample_con, path)
    return path


def test_report_opens_offline_with_every_chart_drawn(report_file):
    assert Path(CHROMIUM).exists(), "Debian's chromium is required: apt-get install chromium"
    html = report_file.read_text(encoding="utf-8")
    charts = html.count('<figure class="chart">')
    assert charts >= 14  # 5 outcomes, who gained, reciprocity, goals, retention, sessions, themes, 3 stories
    ARTIFACTS.mkdir(exist_ok=True)
    requested: list[str] = []
    with browser_page(width=900, height=1200) as page:
        page.on("request", lambda request: requested.append(request.url))
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(report_file.as_uri(), wait_until="load")
        page.wait_for_function(
            f"document.querySelectorAll('.plotly .main-svg').length >= {charts}", timeout=60_000
        )
        drawn = page.locator(".js-plotly-plot").count()
        bars = page.locator(".plotly .bars .point").count()
        page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
        page.emulate_media(media="print")
        page.set_viewport_size({"width": 733, "height": 1100})  # A4 less 10 mm margins, at 96 dpi
        page.wait_for_timeout(500)
        page.screenshot(path=str(ARTIFACTS / "report_print.png"), full_page=True)
    assert [url for url in requested if not url.startswith("file://")] == []
    assert requested == [report_file.as_uri()]  # the file itself, nothing else
    assert errors == []
    assert drawn == charts
    assert bars > 20


def test_pdf_printed_through_chromium(report_file, tmp_path):
    if writer.chromium_path() is None:
        pytest.skip("Chromium is not installed")
    pdf = tmp_path / "report.pdf"
    writer.print_pdf(report_file, pdf)
    content = pdf.read_bytes()
    assert content.startswith(b"%PDF")
    assert len(content) > 50_000
    assert content.count(b"/Type /Page") - content.count(b"/Type /Pages") >= len(writer.SECTIONS)
