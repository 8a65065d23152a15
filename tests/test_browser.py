"""The running app in a real headless browser: the overview shows the sample's figures."""

import shutil
from pathlib import Path

import pytest

from analytics import overview
from analytics.store import db
from tests.browser import CHROMIUM, browser_page, running_app, wait_for_app

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def app_db(sample_db_file, tmp_path):
    path = tmp_path / "browser.duckdb"
    shutil.copy(sample_db_file, path)
    return path


def test_overview_tiles_show_sample_figures(app_db):
    assert Path(CHROMIUM).exists(), "Debian's chromium is required: apt-get install chromium"
    con = db.connect(app_db)
    size = overview.programme_size(con)
    con.close()
    assert size["participants"] > 0
    ARTIFACTS.mkdir(exist_ok=True)
    with running_app(app_db) as url, browser_page() as page:
        page.goto(url)
        page.get_by_text("What to look at next").wait_for(timeout=90_000)
        wait_for_app(page)
        metrics = page.locator("[data-testid='stMetric']")
        texts = [metrics.nth(i).inner_text() for i in range(metrics.count())]
        page.screenshot(path=str(ARTIFACTS / "overview.png"), full_page=True)
    participants = next(t for t in texts if t.startswith("Participants"))
    assert f"{size['participants']:,}" in participants
    active = next(t for t in texts if t.startswith("Active pairs"))
    assert f"{size['active_pairs']:,}" in active
    assert any("Psychological safety" in t for t in texts)
