"""How values reach the screen and the report: text from the data as text, numbers in one format each
(p-values, signed changes, confidence intervals), hidden rows as a reason. No Streamlit here, so the
sponsor report and `analytics.change` format with the same functions as the pages."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

import pandas as pd

__all__ = [
    "plain",
    "chart_text",
    "is_missing",
    "p_text",
    "signed",
    "ci_text",
    "percent",
    "chart_frame",
    "hidden_mask",
    "shown",
    "all_hidden",
    "reasons",
    "value_table",
]

# Characters that make markup wherever they stand: images, links, HTML tags and entities, code, emphasis,
# strikethrough, tables, LaTeX, Streamlit directives (:red[...], :material/...:) and e-mail or URL autolinks.
# A backslash makes any of them mean only itself (CommonMark: every ASCII punctuation may be escaped).
_ANYWHERE = re.compile(r"([\\`*\[\]<>!&~$|{}:@^])")
# Characters that make markup only in some places: "_" at the edge of a word (emphasis), and at the start of
# the text a list, heading, quote or rule marker.
_WORD_EDGE_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")
# GFM turns URLs and e-mail addresses in the *parsed* text into links, so a backslash cannot stop it: a zero-width
# space after "://", after "www" and before "@" breaks the pattern and shows nothing.
_AUTOLINK = re.compile(r"(?i)(?<=:)(?=//)|(?<=\bwww)(?=\.)|(?=@)")
_BLOCK_START = re.compile(r"^(\s*)([-+#=>]|\d+[.)])")
_NEWLINES = re.compile(r"[\r\n\u2028\u2029]+")


def plain(value: object) -> str:
    """A value from the data, safe in st.markdown, captions, alerts and metric labels: shown as typed.

    Escapes only what could become markup, so "2025-Spring" or "new_staff.csv" reads the same in the
    markdown source as on screen.
    """
    if value is None:
        return ""
    text = _AUTOLINK.sub("\u200b", _NEWLINES.sub(" ", str(value)))
    text = _ANYWHERE.sub(r"\\\1", text)
    text = _WORD_EDGE_UNDERSCORE.sub(r"\\_", text)
    return _BLOCK_START.sub(
        lambda m: m.group(1) + "".join("\\" + c if not c.isdigit() else c for c in m.group(2)), text
    )


def is_missing(value: object) -> bool:
    """None, NaN, NA or infinite: a figure the gate blanked or that cannot be computed."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return not math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def chart_text(value: object) -> str:
    """A value from the data, safe in plotly text (titles, ticks, legends, hovers): no tag becomes markup.

    Plotly renders <a href>, <b>, <br>, <i>, <span style> and entities in every text it draws; escaping
    "&", "<" and ">" makes it draw them as typed. Missing values are "".
    """
    if is_missing(value):
        return ""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def p_text(p: object, label: bool = True) -> str:
    """A p-value as people read it: "p = 0.034", "p < 0.001", "n/a" when there is none; without
    the "p" (`label=False`: "0.034", "< 0.001") where a column or tile is already called p."""
    if is_missing(p):
        return "n/a"
    text = "< 0.001" if float(p) < 0.001 else f"{float(p):.3f}"
    if not label:
        return text
    return f"p {text}" if text.startswith("<") else f"p = {text}"


def signed(value: object, digits: int = 2) -> str:
    """A change with its sign, "+0.25" or "-0.10"; "n/a" when there is none."""
    return "n/a" if is_missing(value) else f"{float(value):+.{digits}f}"


def ci_text(low: object, high: object, digits: int = 2, level: int = 95) -> str:
    """A confidence interval of a change, "95 % CI -0.10 to +0.40"; "" when either end is missing."""
    if is_missing(low) or is_missing(high):
        return ""
    return f"{level} % CI {signed(low, digits)} to {signed(high, digits)}"


def percent(value: object, digits: int = 0) -> str:
    """A share in per cent, "42 %"; "n/a" when there is none."""
    return "n/a" if is_missing(value) else f"{float(value):.{digits}f} %"


def chart_frame(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """A copy of frame whose text columns (categories, names, wording) are chart_text()."""
    return frame.assign(**{c: frame[c].map(chart_text) for c in columns if c in frame.columns})


def count(value: object) -> int | None:
    """A count as an int, or None when it is blank (the gate blanks the n of a hidden group)."""
    try:
        return None if pd.isna(value) else int(value)
    except (TypeError, ValueError):
        return None


def hidden_mask(frame: pd.DataFrame) -> pd.Series:
    """Which rows the privacy gate hid (its `suppressed` column; none without one)."""
    if "suppressed" not in frame.columns:
        return pd.Series(False, index=frame.index)
    return frame["suppressed"].fillna(True).astype(bool)


def shown(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows the gate shows: what a chart may draw (a hidden row leaves no trace, not even its n)."""
    return frame[~hidden_mask(frame)]


def all_hidden(frame: pd.DataFrame) -> bool:
    """True when there are rows and the gate hid every one (say so in a sentence, draw nothing)."""
    return len(frame) > 0 and bool(hidden_mask(frame).all())


def reasons(frame: pd.DataFrame, note: str) -> pd.Series:
    """Why each row is hidden: its `suppressed_reason` when the gate gives one, else `note`; "" when shown."""
    why = pd.Series(note, index=frame.index, dtype="object")
    if "suppressed_reason" in frame.columns:
        given = frame["suppressed_reason"].astype("object")
        why = given.where(given.notna() & (given.astype(str) != ""), why)
    return why.where(hidden_mask(frame), "")


def _format(value: object, spec: str) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if spec == "p":
        return p_text(value, label=False)
    return format(value, spec) if spec else str(value)


def value_table(frame: pd.DataFrame, formats: Mapping[str, str], note: str) -> pd.DataFrame:
    """frame for st.dataframe: the `formats` columns as text, and for a hidden row no n and no value.

    `formats` maps each figure column (n among them) to a format spec ("" as it is, "p" a p-value as
    p_text writes it without the "p"). A hidden row keeps
    its other columns (its group), shows the reason (`reasons`) in the first figure column and leaves the
    rest blank; a blank figure of a shown row stays blank rather than "None".
    """
    out = frame.copy()
    hidden = hidden_mask(frame)
    why = reasons(frame, note)
    for position, (column, spec) in enumerate(formats.items()):
        text = frame[column].map(lambda v, s=spec: _format(v, s)).astype("object")
        out[column] = text.where(~hidden, why if position == 0 else "")
    return out
