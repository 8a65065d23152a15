"""Small example files of every template kind, cut from the shipped sample, for users to download."""

from __future__ import annotations

from pathlib import Path

__all__ = ["EXAMPLES", "example_files"]

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "data" / "sample"

# kind -> the sample file it is cut from (a kind whose file the sample does not hold is left out:
# the downloads are synthetic sample rows only; docs/examples/ holds a hand-written applications file)
EXAMPLES = {
    "employees": "employees.csv",
    "participants": "participants.csv",
    "survey": "survey_pre.csv",
    "goals": "goals.csv",
    "sessions": "sessions.csv",
    "applications": "applications.csv",
}


def example_files(rows: int = 10, directory: Path = SAMPLE_DIR) -> dict[str, bytes]:
    """File name -> the header and first rows of the sample file of that kind."""
    examples = {}
    for kind, name in EXAMPLES.items():
        path = directory / name
        if path.exists():
            with path.open("rb") as handle:
                lines = [handle.readline() for _ in range(rows + 1)]
            examples[f"example_{kind}.csv"] = b"".join(lines)
    return examples
