"""The six kinds of template file, their columns, and how a kind is recognised from its columns."""

from __future__ import annotations

from analytics.instruments import ITEMS, STYLE_ITEMS

__all__ = [
    "KINDS",
    "LOAD_ORDER",
    "COLUMNS",
    "REQUIRED",
    "KNOWN_COLUMNS",
    "ATTRIBUTE_COLUMNS",
    "APPLICATION_LISTS",
    "detect_kind",
]

LOAD_ORDER = ["employees", "applications", "participants", "survey", "goals", "sessions"]
KINDS = tuple(LOAD_ORDER)

ATTRIBUTE_COLUMNS = ["department", "grade", "location", "gender", "ethnicity", "age_band", "disability"]

COLUMNS: dict[str, list[str]] = {
    "employees": [
        "employee_id",
        "department",
        "grade",
        "location",
        "hire_date",
        "exit_date",
        "exit_type",
        "gender",
        "ethnicity",
        "age_band",
        "disability",
        "email",
        "manager_id",
    ],
    "participants": [
        "employee_id",
        "cohort",
        "role",
        "pair_id",
        "focus",
        "start_date",
        "end_date",
        "status",
        "story_consent",
    ],
    "survey": ["response_id", "employee_id", "wave", "submitted_at", *ATTRIBUTE_COLUMNS, *ITEMS],
    "goals": ["employee_id", "goal_id", "title", "weight", "level_mid", "level_post"],
    "sessions": ["pair_id", "date", "minutes", "kind", "fit"],
    "applications": [
        "employee_id",
        "cohort",
        "role",
        "objectives",
        "skills_offered",
        "skills_wanted",
        *STYLE_ITEMS,
        "hours_per_month",
        "time_zone",
        "location",
        "prefers_other_department",
        "culture_change_involvement",
        "capacity",
        "ranking",
    ],
}
# The list columns of an application: any one of them (with role, and no pair_id) marks the kind.
APPLICATION_LISTS = ["objectives", "skills_offered", "skills_wanted"]

REQUIRED: dict[str, list[str]] = {
    "employees": ["employee_id", "hire_date"],
    "participants": ["employee_id", "cohort", "role", "pair_id", "start_date"],
    "survey": ["response_id"],
    "goals": ["employee_id", "goal_id"],
    "sessions": ["pair_id", "date"],
    "applications": ["employee_id", "cohort", "role"],
}

KNOWN_COLUMNS = {c for columns in COLUMNS.values() for c in columns}


def _listing(names: list[str]) -> str:
    return ", ".join(names[:4]) + (f" and {len(names) - 4} more" if len(names) > 4 else "")


def detect_kind(columns: list[str]) -> tuple[str | None, str]:
    """The kind of file these (lower-case template) columns make, and a sentence saying why."""
    have = set(columns)
    items = [c for c in columns if c in ITEMS]
    if {"pair_id", "role"} <= have:
        return "participants", "it has the columns pair_id and role of a programme roster"
    lists = [c for c in APPLICATION_LISTS if c in have]
    if "role" in have and lists:
        return (
            "applications",
            f"it has the columns role and {_listing(lists)} (and no pair_id) of applications",
        )
    if {"pair_id", "date"} <= have:
        return "sessions", "it has the columns pair_id and date (and no role) of a mentoring log"
    if "goal_id" in have:
        return "goals", "it has a goal_id column"
    if "response_id" in have or items:
        if items:
            return "survey", f"it has survey item columns ({_listing(items)})"
        return "survey", "it has a response_id column"
    if {"employee_id", "hire_date"} <= have:
        return "employees", "it has the columns employee_id and hire_date of an HRIS export"
    return None, (
        "its columns match no kind of file: an employees file needs employee_id and hire_date, "
        "a roster pair_id and role, a survey response_id or item columns, goals goal_id, "
        "sessions pair_id and date, applications role with objectives, skills_offered or skills_wanted"
    )
