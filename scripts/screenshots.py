"""Screenshot every page of the running app on the sample data: python scripts/screenshots.py [OUT_DIR]."""

import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analytics.sample import programme
from analytics.store import db
from tests.browser import browser_page, running_app, wait_for_app  # noqa: E402


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "artifacts")
    out.mkdir(parents=True, exist_ok=True)
    pages = [""] + sorted(p.stem for p in Path("views").glob("*.py") if p.stem != "overview")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "shots.duckdb"
        con = db.connect(path)
        programme.load_sample(con)
        con.close()
        with running_app(path) as url, browser_page(height=3000) as page:
            for name in pages:
                page.goto(f"{url}/{name}")
                wait_for_app(page)
                page.wait_for_timeout(2500)
                target = out / f"{name or 'overview'}.png"
                page.screenshot(path=str(target), full_page=True)
                print(target)
    shutil.rmtree(Path(tmp), ignore_errors=True)


if __name__ == "__main__":
    main()
