"""The benchmark's result: targets, the JSON object, and the readable table."""

from __future__ import annotations

import math

__all__ = ["TARGETS", "REFERENCE", "met", "table", "page_table"]

# key -> (comparison, bound): "<=" means the figure must not exceed the bound, ">=" not fall below it.
TARGETS = {
    "import_vs_read_csv": ("<=", 3.0),
    "sentiment_vs_vader": ("<=", 1.1),
    "reimport_vs_import": ("<=", 0.05),
    "page_scale_ratio_max": ("<=", 5.0),
    "pandas_vs_duckdb": (">=", 3.0),
    "peak_rss_mb": ("<=", 1500.0),
    "match_seconds": ("<=", 5.0),
}
# A figure printed under the targets, for reference: the least storing the file can cost (bench.floor).
REFERENCE = "storage_floor_vs_read_csv"
_KEY = len(REFERENCE)  # width of the figure column


def met(key: str, value: float) -> bool:
    """Whether the figure meets its target (a missing figure never does)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return False
    comparison, bound = TARGETS[key]
    return value <= bound if comparison == "<=" else value >= bound


def _number(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None or value != value else f"{value:,.{digits}f}"


def table(result: dict) -> str:
    """The figures with their targets, one line each, and the storage floor for reference."""
    lines = [f"{'figure':<{_KEY}} {'value':>10}  {'target':<9} {'met':<4} detail", "-" * 96]
    details = result.get("details", {})
    for key, (comparison, bound) in TARGETS.items():
        value = result.get(key)
        mark = "yes" if met(key, value) else "NO"
        lines.append(
            f"{key:<{_KEY}} {_number(value):>10}  {comparison} {bound:<6g} {mark:<4} {details.get(key, '')}"
        )
    if REFERENCE in result:
        lines.append(f"{REFERENCE:<{_KEY}} {_number(result[REFERENCE]):>10}  (reference, no target)")
        lines.append(f"{'':<{_KEY}} {'':>10}  {details.get(REFERENCE, '')}")
    return "\n".join(lines)


def page_table(pages: dict[str, dict]) -> str:
    """Per page: seconds at small and at the measured scale, and their ratio."""
    lines = [f"{'page':<32} {'small s':>9} {'large s':>9} {'ratio':>7}  shown", "-" * 80]
    for page, row in pages.items():
        lines.append(
            f"{page:<32} {_number(row['small_seconds'], 2):>9} {_number(row['large_seconds'], 2):>9} "
            f"{_number(row['ratio'], 2):>7}  {row.get('shown', '')}"
        )
    return "\n".join(lines)
