"""A first visit straight to a page's URL gets the app's own navigation, not a list of files.

A pages/ folder beside app.py would make Streamlit serve it as a multipage app of its own: a fresh
server would then answer a deep link with its automatic file list instead of app.py's st.navigation.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.browser import CHROMIUM, browser_page, running_app, wait_for_app

ROOT = Path(__file__).resolve().parent.parent
PAGE = "views/pre_mid_post.py"

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _navigation(page: str) -> tuple[list[str], str, str]:
    """What app.py gives st.navigation: every page's title, then `page`'s URL path and its own st.title."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    registered = at._registered_pages.values()  # the registry AppTest.switch_page resolves against
    titles = [info["page_name"] for info in registered]
    [url_path] = [info["url_pathname"] for info in registered if Path(info["script_path"]) == ROOT / page]
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return titles, url_path, at.title[0].value


def test_a_deep_link_on_a_fresh_server_shows_the_app_navigation(sample_db_file, sample_db, tmp_path):
    assert Path(CHROMIUM).exists(), "Debian's chromium is required: apt-get install chromium"
    titles, url_path, title = _navigation(PAGE)
    assert url_path and len(titles) == len(list((ROOT / "views").glob("*.py")))
    server_db = tmp_path / "server" / "mutual.duckdb"  # its own copy: the AppTest run holds sample_db open
    server_db.parent.mkdir()
    shutil.copy(sample_db_file, server_db)
    with running_app(server_db) as url, browser_page() as page:
        page.goto(f"{url}/{url_path}")  # the server's first request
        page.get_by_role("heading", name=title).wait_for(timeout=90_000)
        wait_for_app(page)
        links = page.locator("[data-testid='stSidebarNav'] [data-testid='stSidebarNavLink']")
        # a link's text is its icon's ligature name (e.g. "dashboard"), then its label
        shown = [links.nth(i).inner_text().strip().splitlines()[-1] for i in range(links.count())]
        headings = page.locator("[data-testid='stMain'] h1").all_inner_texts()
    assert shown == titles  # app.py's titles in app.py's order, not file names such as "pre mid post"
    assert title in [h.strip() for h in headings]
