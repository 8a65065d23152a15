"""python -m bench [--scale small|enterprise] [--json FILE] [--repeat N] [--profile DIR] [--keep DIR]."""

from __future__ import annotations

import argparse
import json
import math
import tempfile
import time
from pathlib import Path

from bench import aggregate, dataset, floor, imports, matching, pages, report

__all__ = ["run", "main"]


def _say(message: str) -> None:
    print(message, flush=True)


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator > 0 else float("nan")


def _shown(row: dict) -> str:
    if row.get("exception"):
        return f"EXCEPTION {row['exception'][0][:60]}"
    return f"{row.get('charts', 0)} charts, {row.get('tables', 0)} tables"


def _measure_import(work: Path, files: list[Path]) -> tuple[dict, dict]:
    """Figures 1, 2, 3 and 5 on one scale's files; the connection is closed before returning."""
    pulse, rows = dataset.biggest_pulse(files)
    _say(f"Building the database without {pulse.name} ({rows:,} responses) ...")
    start = time.perf_counter()
    con = dataset.build_database(work / "bench.duckdb", [f for f in files if f != pulse], _say)
    build = time.perf_counter() - start
    con.execute("CHECKPOINT")  # each timed run starts from a copy of the closed file
    con.close()
    _say(
        f"Importing {pulse.name} ({rows:,} responses) 3 times on copies of that database, each with the "
        "storage floor and read_csv; then again unchanged ..."
    )
    first = imports.first_imports(work / "bench.duckdb", pulse)
    con = first.con
    timed = imports.time_import(con, pulse, min(first.import_runs), first.results)
    if timed.reimport_status == "imported":
        raise AssertionError("the unchanged file was imported twice")
    read_csv = min(first.read_csv_runs)
    storage_floor = floor.fastest(first.floor_runs)
    _say(f"Scoring its {len(timed.comments):,} comments (fastest of 3 against VADER's fastest of 3) ...")
    # Runs of a few tenths of a second on shared cores: each time is the fastest of three.
    sentiment = min([timed.sentiment_seconds, *imports.rescore_seconds(con, timed.import_id, 2)])
    texts = timed.comments
    distinct = list(dict.fromkeys(texts))  # score_texts scores each distinct text once
    one_process, vader = imports.best_of_pairs(
        lambda: imports.sentiment_seconds(con, texts, workers=1), lambda: imports.vader_seconds(texts)
    )
    distinct_sentiment, distinct_vader = imports.best_of_pairs(
        lambda: imports.sentiment_seconds(con, distinct, workers=1), lambda: imports.vader_seconds(distinct)
    )
    _say("Psychological safety by department x month: pandas from the files, Mutual from the database ...")
    monthly = dataset.pulse_files(files)
    employees = next(f for f in files if f.name == "employees.csv")
    pandas_seconds, expected = aggregate.time_best(lambda: aggregate.pandas_scores(employees, monthly))
    waves = sorted(expected["wave"].unique())  # the monthly pulses' own waves
    mutual_seconds, mutual = aggregate.time_best(lambda: aggregate.mutual_scores(con, waves))
    groups = aggregate.compare(expected, mutual)
    con.close()
    without_sentiment = timed.import_seconds
    with_sentiment = timed.import_seconds + sentiment
    figures = {
        "import_vs_read_csv": _ratio(without_sentiment, read_csv),
        "sentiment_vs_vader": _ratio(sentiment, vader),
        "reimport_vs_import": _ratio(timed.reimport_seconds, without_sentiment),
        "pandas_vs_duckdb": _ratio(pandas_seconds, mutual_seconds),
    }
    extra = {
        "pulse_file": pulse.name,
        "pulse_rows": rows,
        "comments": len(timed.comments),
        "distinct_comments": len(set(timed.comments)),
        "import_with_sentiment_vs_read_csv": _ratio(with_sentiment, read_csv),
        "storage_floor_vs_read_csv": _ratio(storage_floor["total"], read_csv),
        "storage_floor_seconds": storage_floor,
        "sentiment_one_process_vs_vader": _ratio(one_process, vader),
        "sentiment_distinct_vs_vader": _ratio(distinct_sentiment, distinct_vader),
        "groups_compared": groups,
        "seconds": {
            "build_database": build,
            "import_with_sentiment": with_sentiment,
            "import_without_sentiment": without_sentiment,
            "import_runs": first.import_runs,
            "read_csv": read_csv,
            "read_csv_runs": first.read_csv_runs,
            "storage_floor": storage_floor["total"],
            "reimport": timed.reimport_seconds,
            "sentiment": sentiment,
            "sentiment_one_process": one_process,
            "vader_loop": vader,
            "sentiment_distinct_one_process": distinct_sentiment,
            "vader_loop_distinct": distinct_vader,
            "pandas": pandas_seconds,
            "mutual_group_scores": mutual_seconds,
        },
    }
    return figures, extra


def _details(figures: dict, extra: dict, heaviest: str) -> dict[str, str]:
    s = extra["seconds"]
    return {
        "import_vs_read_csv": f"{s['import_without_sentiment']:.2f} s (import_files(..., score_sentiment=False),"
        f" fastest of {', '.join(f'{t:.2f}' for t in s['import_runs'])}) / read_csv {s['read_csv']:.3f} s",
        "sentiment_vs_vader": f"{s['sentiment']:.2f} s / VADER loop {s['vader_loop']:.2f} s "
        f"({extra['comments']:,} comments, {extra['distinct_comments']:,} distinct)",
        "reimport_vs_import": f"{s['reimport']:.2f} s / {s['import_without_sentiment']:.2f} s",
        "page_scale_ratio_max": f"worst: {extra['worst_page']}",
        "pandas_vs_duckdb": f"pandas {s['pandas']:.3f} s / group_scores {s['mutual_group_scores']:.3f} s "
        f"({extra['groups_compared']} groups equal within 1e-9)",
        "peak_rss_mb": f"rendering {heaviest}",
        "match_seconds": matching.describe(extra["matching"]),
        "storage_floor_vs_read_csv": f"{s['storage_floor']:.3f} s ("
        + ", ".join(f"{step} {extra['storage_floor_seconds'][step]:.3f}" for step in floor.STEPS)
        + f") / read_csv {s['read_csv']:.3f} s",
    }


def run(scale: str, work: Path, repeat: int = 3, profile: Path | None = None) -> dict:
    """Generate the data, take every measurement, and return the result object."""
    started = time.perf_counter()
    small_files = dataset.scale_files("small", work / "small")
    files = dataset.scale_files(scale, work / scale) if scale != "small" else small_files
    _say(f"Scale {scale}: {len(files)} files in {files[0].parent}")
    figures, extra = _measure_import(work, files)
    _say(
        f"Matching {matching.MENTORS:,} mentors x {matching.MENTEES:,} mentees with every rule on "
        "(the same generated applications at every scale; fastest of 3) ..."
    )
    extra["matching"] = matching.time_propose()
    figures["match_seconds"] = extra["seconds"]["match"] = extra["matching"]["seconds"]
    large_db = work / "bench.duckdb"
    _say("Building the small (shipped sample) database for the page comparison ...")
    small_db = work / "small.duckdb"
    dataset.build_database(small_db, small_files, lambda _: None).close()
    _say(f"Pages at small scale (fresh process each, fastest of {repeat}) ...")
    paths = pages.page_paths()  # once: a page added during the run must not unbalance the comparison
    small = pages.time_pages(small_db, paths, repeat, _say)
    _say(f"Pages at {scale} scale ...")
    large = pages.time_pages(large_db, paths, repeat, _say)
    per_page = {}
    for page in paths:
        small_s, large_s = small[page]["seconds"], large[page]["seconds"]
        per_page[page] = {
            "small_seconds": small_s,
            "large_seconds": large_s,
            "ratio": _ratio(large_s, small_s),
            "exception": small[page]["exception"] + large[page]["exception"],
            "shown": _shown(large[page]),
        }
    ratios = {p: r["ratio"] for p, r in per_page.items()}
    worst = max(ratios, key=lambda p: ratios[p] if not math.isnan(ratios[p]) else float("inf"))
    figures["page_scale_ratio_max"] = ratios[worst]
    heaviest = max(
        large, key=lambda p: large[p]["seconds"] if large[p]["seconds"] == large[p]["seconds"] else 0
    )
    _say(f"Peak memory rendering the heaviest page, {heaviest} ...")
    figures["peak_rss_mb"] = pages.peak_rss_mb(heaviest, large_db)
    extra |= {"worst_page": worst, "heaviest_page": heaviest, "pages": per_page}
    if profile is not None:
        profile.mkdir(parents=True, exist_ok=True)
        for page in sorted(ratios, key=lambda p: -ratios[p] if not math.isnan(ratios[p]) else 0)[:3]:
            target = profile / f"{Path(page).stem}_{scale}.txt"
            pages.run_page(page, large_db, target)
            _say(f"  profile of {page} at {scale} scale: {target}")
    result = {key: figures[key] for key in report.TARGETS}
    result[report.REFERENCE] = extra.pop(report.REFERENCE)
    result |= {"scale": scale, **extra, "details": _details(figures, extra, heaviest)}
    result["targets_met"] = {key: report.met(key, figures[key]) for key in report.TARGETS}
    result["seconds"]["total"] = time.perf_counter() - started
    return result


def main(argv: list[str] | None = None) -> None:
    """Command line."""
    parser = argparse.ArgumentParser(prog="python -m bench", description="Mutual's performance benchmark")
    parser.add_argument("--scale", choices=dataset.SCALES, default="enterprise")
    parser.add_argument("--json", type=Path, help="also write the JSON object to this file")
    parser.add_argument(
        "--repeat", type=int, default=3, help="fresh-process runs per page and scale (fastest)"
    )
    parser.add_argument("--profile", type=Path, help="write pyinstrument profiles of the 3 worst pages here")
    parser.add_argument("--keep", type=Path, help="work in this directory and keep the data and databases")
    args = parser.parse_args(argv)
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        for stale in (
            "bench.duckdb",
            "small.duckdb",
            *imports.COPIES,
        ):  # databases start empty; data is regenerated
            (args.keep / stale).unlink(missing_ok=True)
        result = run(args.scale, args.keep, args.repeat, args.profile)
    else:
        with tempfile.TemporaryDirectory(prefix="mutual-bench-") as work:
            result = run(args.scale, Path(work), args.repeat, args.profile)
    _say("\n" + report.table(result) + "\n\n" + report.page_table(result["pages"]) + "\n")
    text = json.dumps(result, indent=2, default=float)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")


if __name__ == "__main__":
    main()
