"""The one exception a user can cause, and the problems it carries."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Problem", "MutualError"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, located as precisely as the input allows."""

    file: str
    message: str
    row: int | None = None  # 1-based line number in the file as a user sees it in a spreadsheet
    column: str | None = None
    severity: str = "error"  # "error" stops the import; "warning" does not

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        return f"{', '.join(where)}: {self.message}"


class MutualError(Exception):
    """A problem a user can fix (a bad file, a wrong mapping, a locked database)."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        self.problems = list(problems or [])
        super().__init__(message)

    def __str__(self) -> str:
        lines = [self.args[0]]
        shown = self.problems[:20]
        lines += [f"  - {p}" for p in shown]
        if len(self.problems) > len(shown):
            lines.append(f"  ... and {len(self.problems) - len(shown)} more")
        return "\n".join(lines)
