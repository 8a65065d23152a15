"""The command line: python -m analytics init | load-sample | import | summary | undo | report | match (DESIGN.md section 6)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import duckdb

from analytics import privacy
from analytics.errors import MutualError
from analytics.store import db

__all__ = ["main", "build_parser"]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with one sub-command per job."""
    parser = argparse.ArgumentParser(
        prog="python -m analytics",
        description="Mutual: import programme data into the local database and print headline figures.",
        epilog="The database defaults to $MUTUAL_DB, else data/mutual.duckdb.",
    )
    db_help = "the DuckDB database file (default: $MUTUAL_DB or data/mutual.duckdb)"
    parser.add_argument("--db", metavar="PATH", help=db_help)
    common = argparse.ArgumentParser(add_help=False)
    # SUPPRESS: a --db after the command overrides one before it, and its absence does not reset it.
    common.add_argument("--db", metavar="PATH", help=db_help, default=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser(
        "init", parents=[common], help="create an empty database (or bring its schema up to date)"
    )
    commands.add_parser(
        "load-sample", parents=[common], help="import the shipped sample programme from data/sample/"
    )
    imp = commands.add_parser(
        "import",
        parents=[common],
        help="import CSV or XLSX files (all or nothing)",
        description="Import files in one transaction: if any file has an error nothing is imported. "
        "The kind of each file is recognised from its columns; files already imported are skipped.",
    )
    imp.add_argument("files", nargs="+", metavar="FILE", type=Path, help="CSV or XLSX files")
    from analytics.ingest.kinds import LOAD_ORDER  # here: the other commands need no import code

    imp.add_argument(
        "--kind",
        choices=list(LOAD_ORDER),
        help="the kind of every file, instead of recognising it from the columns",
    )
    imp.add_argument(
        "--wave", help="the survey wave (pre, mid, post or a pulse name) for files without a wave column"
    )
    imp.add_argument("--mapping", metavar="MAPPING.json", type=Path, help="a column mapping saved as JSON")
    commands.add_parser("summary", parents=[common], help="print the headline figures as JSON")
    undo = commands.add_parser("undo", parents=[common], help="remove every row one import added")
    undo.add_argument(
        "import_id", type=int, metavar="IMPORT_ID", help="the import to undo (see the import output)"
    )
    report = commands.add_parser(
        "report", parents=[common], help="write the sponsor report as one self-contained HTML file"
    )
    report.add_argument(
        "--out", required=True, metavar="REPORT.html", type=Path, help="the HTML file to write"
    )
    report.add_argument("--cohort", help="report on one cohort instead of the whole programme")
    report.add_argument(
        "--pdf", metavar="REPORT.pdf", type=Path, help="also print it to PDF (needs Chromium)"
    )
    match = commands.add_parser(
        "match",
        parents=[common],
        help="propose mentor-mentee pairs for a cohort from its applications",
        description="Propose pairs under the matching rules (all on except different_department), print a "
        "summary, and optionally write the roster (participants template) and every pair's score.",
    )
    match.add_argument("--cohort", required=True, help="the cohort to match (as in the applications)")
    match.add_argument(
        "--weights",
        metavar="W.json",
        type=Path,
        help='score weights as JSON, e.g. {"style": 0.4} (default: the weights, rules and method saved '
        "for the cohort on the Matching page, if any)",
    )
    match.add_argument(
        "--out", metavar="roster.csv", type=Path, help="write the proposed roster as a participants file"
    )
    match.add_argument(
        "--scores", metavar="scores.csv", type=Path, help="write every mentor-mentee pair's score"
    )
    match.add_argument(
        "--start-date",
        metavar="YYYY-MM-DD",
        type=_iso_date,
        help="the roster's start date (default: today)",
    )
    return parser


def _iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-03-02") from exc


def _connect(path: str | None) -> duckdb.DuckDBPyConnection:
    return db.open_database(path, hint=", or use --db to choose another file")


def _load_mapping(path: Path | None) -> dict | None:
    if path is None:
        return None
    try:
        mapping = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise MutualError(f"The mapping file {path} cannot be read: {exc.strerror}.") from exc
    except json.JSONDecodeError as exc:
        raise MutualError(
            f"The mapping file {path} is not valid JSON (line {exc.lineno}: {exc.msg})."
        ) from exc
    if not isinstance(mapping, dict):
        raise MutualError(f"The mapping file {path} must hold a JSON object.")
    return mapping


def _import(con: duckdb.DuckDBPyConnection, args: argparse.Namespace) -> None:
    from analytics.ingest.load import import_files

    missing = [str(f) for f in args.files if not f.is_file()]
    if missing:
        raise MutualError(f"No such file: {', '.join(missing)}")
    mapping = _load_mapping(args.mapping)
    results = import_files(con, list(args.files), kind=args.kind, wave=args.wave, mapping=mapping)
    for result in results:
        waves = f", waves {', '.join(result.waves)}" if result.waves else ""
        if result.status == "imported":
            rows = f"{result.rows:,} row{'s' if result.rows != 1 else ''}"
            print(f"{result.file_name}: {result.kind}, {rows}{waves}, import {result.import_id}")
        else:
            print(f"{result.file_name}: skipped, {result.message}")
        for warning in result.warnings:
            print(f"  warning: {warning}")


def _load_weights(path: Path | None) -> dict | None:
    if path is None:
        return None
    try:
        weights = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise MutualError(f"The weights file {path} cannot be read: {exc.strerror}.") from exc
    except json.JSONDecodeError as exc:
        raise MutualError(
            f"The weights file {path} is not valid JSON (line {exc.lineno}: {exc.msg})."
        ) from exc
    if not isinstance(weights, dict) or not all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in weights.values()
    ):
        raise MutualError(
            f'The weights file {path} must hold a JSON object of numbers, e.g. {{"style": 0.4}}.'
        )
    return weights


def _write(path: Path, data: bytes, what: str) -> None:
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise MutualError(f"The {what} cannot be written to {path}: {exc.strerror}.") from exc
    print(f"{what.capitalize()} written: {path}")


def _match(con: duckdb.DuckDBPyConnection, args: argparse.Namespace) -> None:
    from analytics import match_data
    from analytics.safe_output import safe_csv

    saved = None if args.weights is not None else match_data.saved_settings(con, args.cohort)
    if saved is None:
        proposal = match_data.propose_for(con, args.cohort, weights=_load_weights(args.weights))
    else:
        proposal = match_data.propose_for(
            con,
            args.cohort,
            weights=saved["weights"],
            rules=saved["rules"],
            method=saved["method"],
            lens=tuple(saved["lens"]),
        )
    pairs, unmatched = proposal.pairs, proposal.unmatched
    mean = f", mean score {pairs['score'].mean():.2f}" if len(pairs) else ""
    print(f"Cohort {args.cohort}: {len(pairs):,} pair{'s' if len(pairs) != 1 else ''} proposed{mean}")
    if saved is not None:
        lens = ", ".join(saved["lens"]) or "none"
        print(
            f"Settings: the weights, rules and method saved for {args.cohort} on {saved['saved_at']:%Y-%m-%d %H:%M} "
            f"(method {saved['method']}, lens {lens}); pass --weights to use others"
        )
    print(f"Unmatched: {len(unmatched):,}")
    for row in unmatched.itertuples(index=False):
        print(f"  {row.employee_id} ({row.side}): {row.reason}")
    print("Rules:")
    for row in proposal.rules.itertuples(index=False):
        state = "on " if row.on else "off"
        print(f"  [{state}] {row.rule}: {row.description} ({row.pairs_excluded:,} pairs excluded)")
    if args.out is not None:
        start = args.start_date or dt.date.today()
        _write(args.out, safe_csv(match_data.roster(proposal, args.cohort, start)), "roster")
    if args.scores is not None:
        _write(args.scores, safe_csv(proposal.scores()), "scores")


def _run(args: argparse.Namespace) -> None:
    con = _connect(args.db)
    try:
        if args.command == "init":
            print(f"Database ready: {db.db_path(args.db)}")
        elif args.command == "load-sample":
            from analytics.sample import programme

            programme.load_sample(con)
            counts = db.table_counts(con)
            print("Sample loaded: " + ", ".join(f"{n:,} {t}" for t, n in counts.items()))
        elif args.command == "import":
            _import(con, args)
        elif args.command == "summary":
            from analytics.summary import summary

            print(json.dumps(summary(con), indent=2, default=str))
        elif args.command == "report":
            from analytics.report.writer import write_report

            for path in write_report(con, args.out, cohort=args.cohort, pdf=args.pdf):
                print(f"Report written: {path}")
        elif args.command == "match":
            _match(con, args)
        elif args.command == "undo":
            from analytics.ingest.load import undo_import

            removed = undo_import(con, args.import_id)
            rows = ", ".join(f"{n:,} {t}" for t, n in removed.items() if n)
            print(f"Import {args.import_id} undone: removed {rows or 'nothing'}")
    finally:
        con.close()


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; a problem the user can fix is printed to stderr with exit status 1."""
    args = build_parser().parse_args(argv)
    try:
        privacy.thresholds()  # an unusable threshold stops every command, before the database is opened
        _run(args)
    except MutualError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
