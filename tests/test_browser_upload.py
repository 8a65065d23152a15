"""The running app in a real headless browser: an analyst uploads a clean pulse export on the Upload
page, imports it, and its responses are stored under the file's own name (by the fast path)."""

import csv
import shutil
from pathlib import Path

import pytest

from analytics.ingest import fast
from analytics.ingest.inspection import earlier_import
from analytics.store import db
from tests.browser import CHROMIUM, browser_page, running_app, wait_for_app

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
WAVE = "pulse-2026-11"

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _pulse_export(con, path: Path, rows: int) -> None:
    """A template pulse CSV answered by `rows` current employees (hired before the year began)."""
    people = [
        r[0]
        for r in con.execute(
            """SELECT employee_id FROM employees WHERE hire_date < DATE '2026-01-01' AND exit_date IS NULL
            ORDER BY employee_id LIMIT ?""",
            [rows],
        ).fetchall()
    ]
    assert len(people) == rows
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(
            ["response_id", "employee_id", "wave", "submitted_at", *[f"ps_{i}" for i in range(1, 8)]]
        )
        for number, person in enumerate(people):
            answers = [str(1 + (number + i) % 7) for i in range(7)]
            out.writerow([f"U{number:04d}", person, WAVE, "2026-11-03 09:30:00", *answers])


def test_an_uploaded_pulse_is_imported_under_its_own_name(sample_db_file, tmp_path):
    assert Path(CHROMIUM).exists(), "Debian's chromium is required: apt-get install chromium"
    app_db = tmp_path / "browser.duckdb"
    shutil.copy(sample_db_file, app_db)
    export = tmp_path / "pulse_november.csv"
    con = db.connect(app_db)
    _pulse_export(con, export, 40)
    before = con.execute("SELECT count(*) FROM responses").fetchone()[0]
    con.close()
    # the same file, screened in this process on a copy: it is one the fast path takes
    copy = tmp_path / "copy.duckdb"
    shutil.copy(app_db, copy)
    check = db.connect(copy)
    assert fast.screen(check, export, None, earlier_import) is not None
    check.close()

    ARTIFACTS.mkdir(exist_ok=True)
    with running_app(app_db) as url, browser_page(height=1600) as page:
        page.goto(url)  # as an analyst arrives: the dashboard's front page, then Upload in the sidebar
        wait_for_app(page)
        page.get_by_role("link", name="Upload").click()
        page.get_by_text("Export files").wait_for(timeout=90_000)
        wait_for_app(page)
        page.locator("input[type='file']").first.set_input_files(str(export))
        page.get_by_text("Ready to import.").wait_for(timeout=90_000)
        page.get_by_role("button", name="Import", exact=True).click()
        done = page.get_by_text("Imported pulse_november.csv")
        done.wait_for(timeout=90_000)
        wait_for_app(page)
        message = done.inner_text()
        page.screenshot(path=str(ARTIFACTS / "upload_import.png"), full_page=True)

    assert f"40 survey rows ({WAVE})" in message
    con = db.connect(app_db, read_only=True)
    stored = con.execute(
        "SELECT file_name, kind, rows, status FROM imports WHERE wave = ? OR file_name = ?",
        [WAVE, export.name],
    ).fetchall()
    after = con.execute("SELECT count(*) FROM responses").fetchone()[0]
    answers = con.execute(
        "SELECT count(*) FROM answers a JOIN responses r USING (response_id) WHERE r.wave = ?", [WAVE]
    ).fetchone()[0]
    con.close()
    assert stored == [("pulse_november.csv", "survey", 40, "imported")]
    assert after - before == 40
    assert answers == 40 * 7
