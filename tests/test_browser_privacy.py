"""In a real browser, data that holds markdown images, links and HTML makes no request to another host.

The app runs on the sample programme with hostile values (tests/test_rendering_privacy.hostile_database);
headless Chromium opens every page and records every request it makes.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser import CHROMIUM, browser_page, running_app, wait_for_app
from tests.test_rendering_privacy import hostile_database

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"
PAGES = sorted(p.stem for p in (ROOT / "views").glob("*.py"))
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
LOCAL_SCHEMES = {"data", "blob", "about"}

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def foreign(urls: list[str]) -> list[str]:
    """The requests that leave this machine."""
    out = []
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme in LOCAL_SCHEMES:
            continue
        if parts.hostname not in LOCAL_HOSTS:
            out.append(url)
    return out


def test_foreign_filter_keeps_only_other_hosts():
    urls = [
        "http://127.0.0.1:8501/_stcore/health",
        "http://localhost:8501/static/x.js",
        "data:image/png;base64,AAAA",
        "http://other.invalid/x.png",
        "https://fonts.gstatic.com/s/x.woff2",
    ]
    assert foreign(urls) == ["http://other.invalid/x.png", "https://fonts.gstatic.com/s/x.woff2"]


def test_no_page_makes_a_request_to_another_host(tmp_path):
    assert Path(CHROMIUM).exists(), "Debian's chromium is required: apt-get install chromium"
    database = hostile_database(tmp_path)
    ARTIFACTS.mkdir(exist_ok=True)
    requested: list[str] = []
    visited: dict[str, int] = {}
    with running_app(database) as url, browser_page() as page:
        page.on("request", lambda request: requested.append(request.url))
        for name in PAGES:
            before = len(requested)
            page.goto(url if name == "overview" else f"{url}/{name}")
            wait_for_app(page)
            visited[name] = page.locator("[data-testid='stMain'] h1").count()
            hostile = page.locator(
                "img[src*='other.invalid'], a[href*='other.invalid'], [srcset*='other.invalid']"
            )
            assert hostile.count() == 0, (
                name,
                [hostile.nth(i).evaluate("e => e.outerHTML") for i in range(hostile.count())],
            )
            assert len(requested) > before  # the page was really loaded and recorded
        page.goto(f"{url}/psych_safety")
        wait_for_app(page)
        page.screenshot(path=str(ARTIFACTS / "hostile_psych_safety.png"), full_page=True)
        shown = (
            page.locator("[data-testid='stMain']").inner_text().replace("\u200b", "")
        )  # (breaks autolinks)
    assert all(visited.values()), visited  # every page drew its title
    assert "pulse-2026-10 <i>![w](http://other.invalid/w.png)</i>" in shown  # drawn as typed, not as markup
    assert not foreign(requested), sorted(set(foreign(requested)))
