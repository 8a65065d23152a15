"""Page render times at two scales, each page's first run in a fresh process, and peak memory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

__all__ = ["ROOT", "page_paths", "run_page", "time_pages", "peak_rss_mb"]

ROOT = Path(__file__).resolve().parent.parent
_TIMEOUT = 900


def page_paths() -> list[str]:
    """Every page of the app, as a path relative to the repository root."""
    return sorted(f"views/{p.name}" for p in (ROOT / "views").glob("*.py"))


def _env(database: Path) -> dict[str, str]:
    env = dict(os.environ, MUTUAL_DB=str(database))
    env["PYTHONPATH"] = os.pathsep.join(p for p in [str(ROOT), env.get("PYTHONPATH", "")] if p)
    return env


def run_page(page: str, database: Path, profile: Path | None = None) -> dict:
    """One AppTest run of the page in a new Python process (so every cache is cold); its JSON report."""
    command = [sys.executable, "-m", "bench.page_run", page]
    if profile is not None:
        command += ["--profile", str(profile)]
    done = subprocess.run(
        command, cwd=ROOT, env=_env(database), capture_output=True, text=True, timeout=_TIMEOUT, check=False
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        tail = "\n".join(done.stderr.strip().splitlines()[-5:])
        return {"page": page, "seconds": float("nan"), "exception": [f"exit {done.returncode}: {tail}"]}
    return json.loads(lines[-1])


def time_pages(database: Path, paths: list[str], repeat: int = 1, progress=print) -> dict[str, dict]:
    """page -> report of its fastest of `repeat` fresh-process runs against the database."""
    reports = {}
    for page in paths:
        runs = [run_page(page, database) for _ in range(repeat)]
        best = min(runs, key=lambda r: r["seconds"] if r["seconds"] == r["seconds"] else float("inf"))
        reports[page] = best
        flag = f"  EXCEPTION: {best['exception']}" if best["exception"] else ""
        progress(f"  {page}: {best['seconds']:.2f} s{flag}")
    return reports


_WRAPPER = """
import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def peak_rss_mb(page: str, database: Path) -> float:
    """Peak RSS (MB) of a fresh process rendering the page: ru_maxrss of its finished child, via a wrapper."""
    command = [sys.executable, "-c", _WRAPPER, sys.executable, "-m", "bench.page_run", page]
    done = subprocess.run(
        command, cwd=ROOT, env=_env(database), capture_output=True, text=True, timeout=_TIMEOUT, check=True
    )
    return int(done.stdout.strip().splitlines()[-1]) / 1024  # Linux reports kilobytes
