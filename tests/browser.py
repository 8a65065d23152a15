"""Start the real app on a free local port and drive it in Debian's headless Chromium."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_app(db_file: Path, timeout: float = 120) -> Iterator[str]:
    """`streamlit run app.py` against db_file; yields its base URL and stops it afterwards."""
    port = free_port()
    env = {**os.environ, "MUTUAL_DB": str(db_file)}
    log = open(db_file.parent / "streamlit.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [
            sys.executable, "-m", "streamlit", "run", "app.py",
            "--server.port", str(port), "--server.address", "127.0.0.1",
            "--server.headless", "true", "--browser.gatherUsageStats", "false",
        ],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"streamlit did not start: {(db_file.parent / 'streamlit.log').read_text()}"
                )
            time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@contextlib.contextmanager
def browser_page(width: int = 1400, height: int = 1000):
    """A Playwright page in headless Chromium."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            yield page
        finally:
            browser.close()


def wait_for_app(page, timeout_ms: int = 90_000) -> None:
    """Wait until Streamlit has finished the script run and the page has stopped changing."""
    page.wait_for_selector("[data-testid='stMain']", timeout=timeout_ms)
    script = """() => {
        const running = document.querySelector('[data-testid="stStatusWidget"]');
        const main = document.querySelector('[data-testid="stMain"]');
        return (running ? 'running:' : 'idle:') + main.querySelectorAll('*').length;
    }"""
    stable, last = 0, None
    for _ in range(timeout_ms // 500):
        state = page.evaluate(script)
        stable = stable + 1 if state == last and state.startswith("idle") else 0
        if stable >= 8:  # unchanged and idle for four seconds
            break
        last = state
        page.wait_for_timeout(500)
    page.wait_for_timeout(500)  # let plotly finish drawing
