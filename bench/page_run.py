"""Run one page once with AppTest in this (fresh) process and print its timing as one JSON line.

    python -m bench.page_run views/overview.py [--profile FILE]

MUTUAL_DB names the database. Streamlit, plotly and the analytics package are imported before the
clock starts, so the time is the page's own first run (connection, queries, charts) with cold caches.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import pkgutil
import resource
import sys
import time
from pathlib import Path

__all__ = ["run_page", "main"]

ROOT = Path(__file__).resolve().parent.parent


def _preload() -> None:
    """Import what every page imports, so the measured run is not mostly module loading."""
    import plotly.express  # noqa: F401
    import plotly.graph_objects  # noqa: F401
    import streamlit  # noqa: F401

    import analytics
    import ui

    for package in (analytics, ui):
        for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            if not module.name.endswith("__main__"):
                with contextlib.suppress(Exception):  # a module that fails will fail the page run itself
                    importlib.import_module(module.name)


def _profile_script_thread(path: Path) -> None:
    """Profile the AppTest script thread (the page runs there, not in the main thread) into path."""
    from pyinstrument import Profiler
    from streamlit.testing.v1 import local_script_runner

    runner = local_script_runner.LocalScriptRunner
    original = runner._run_script_thread

    def profiled(self) -> None:
        profiler = Profiler(interval=0.002)
        profiler.start()
        try:
            original(self)
        finally:
            profiler.stop()
            path.write_text(profiler.output_text(unicode=True, color=False, show_all=False))

    runner._run_script_thread = profiled


def run_page(page: str, profile: Path | None = None) -> dict:
    """Seconds of the page's first AppTest run, whether it raised, what it showed, and peak RSS."""
    from streamlit.testing.v1 import AppTest

    _preload()
    if profile is not None:
        _profile_script_thread(profile)
    start = time.perf_counter()
    at = AppTest.from_file(str(ROOT / page), default_timeout=600)
    at.run()
    seconds = time.perf_counter() - start
    return {
        "page": page,
        "seconds": seconds,
        "exception": [str(e.message) for e in at.exception],
        "title": [t.value for t in at.title],
        "charts": len(at.get("plotly_chart")),
        "tables": len(at.dataframe) + len(at.table),
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main(argv: list[str] | None = None) -> None:
    """Command line: run the page and print the JSON line."""
    parser = argparse.ArgumentParser(prog="python -m bench.page_run")
    parser.add_argument("page")
    parser.add_argument("--profile", type=Path)
    args = parser.parse_args(argv)
    print(json.dumps(run_page(args.page, args.profile)), flush=True)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
