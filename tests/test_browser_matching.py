"""The Matching page in the real browser: its URL opens the page, with its title and either the cohort
selector or the sentence saying how to add applications."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.browser import CHROMIUM, browser_page, running_app, wait_for_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_the_matching_page_opens_at_its_url(sample_db_file, tmp_path):
    assert Path(CHROMIUM).exists(), "Debian's chromium is required: apt-get install chromium"
    server_db = tmp_path / "server" / "mutual.duckdb"
    server_db.parent.mkdir()
    shutil.copy(sample_db_file, server_db)
    with running_app(server_db) as url, browser_page() as page:
        page.goto(f"{url}/matching")
        page.get_by_role("heading", name="Matching").wait_for(timeout=90_000)
        wait_for_app(page)
        main = page.locator("[data-testid='stMain']")
        headings = main.locator("h1").all_inner_texts()
        selector = main.get_by_text("Cohort", exact=True).count()
        explained = main.get_by_text("upload an applications file on the Upload page").count()
    assert "Matching" in [h.strip() for h in headings]
    assert selector + explained >= 1
