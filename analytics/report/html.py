"""HTML building blocks of the sponsor report: figures that carry their key, tables, charts, the page."""

from __future__ import annotations

import html

import plotly.graph_objects as go

from ui.figures import WAVE_COLOURS
from ui.format import is_missing, p_text

__all__ = ["Charts", "figure", "table", "section", "document", "CSS"]

_FORMATS = {
    "change": "{:+.2f}",
    "mean": "{:.2f}",
    "dz": "{:.2f}",
    "pct": "{:.0f} %",
    "share": "{:.0f} %",  # a 0-1 share shown as a percentage
    "int": "{:,.0f}",
    "tscore": "{:.1f}",
    "compound": "{:+.2f}",
    "enps": "{:+.0f}",
}


def figure(key: str, value: float | int | None, kind: str, missing: str = "n/a") -> str:
    """A number in the text, tagged with data-figure=key so a test can hold it against summary()."""
    if is_missing(value):
        shown, scale = missing, ""
    elif kind == "p":
        shown, scale = p_text(float(value)), ""
    else:
        number = float(value) * (100 if kind == "share" else 1)
        shown = _FORMATS[kind].format(number)
        scale = ' data-scale="100"' if kind == "share" else ""
    return f'<span class="fig" data-figure="{html.escape(key)}"{scale}>{html.escape(shown)}</span>'


def table(header: list[str], rows: list[list[str]]) -> str:
    """A table; cells are HTML already (escape text before passing it)."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


class Charts:
    """Turns plotly figures into divs; the plotly library is inlined once, with the first chart."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, fig: go.Figure | None, caption: str = "") -> str:
        if fig is None:
            return ""
        self.count += 1
        div = fig.to_html(
            full_html=False,
            include_plotlyjs=self.count == 1,
            div_id=f"chart-{self.count}",
            config={"displayModeBar": False, "displaylogo": False, "responsive": True},
        )
        note = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
        return f'<figure class="chart">{div}{note}</figure>'


def section(section_id: str, title: str, body: str) -> str:
    """One report section, started on a new printed page."""
    return f'<section id="{section_id}"><h2>{html.escape(title)}</h2>{body}</section>'


CSS = f"""
:root {{ --ink: #333b42; --muted: #5d666e; --accent: {WAVE_COLOURS["post"]}; --rule: #dde2e6; }}
* {{ box-sizing: border-box; }}
body {{ margin: 0; color: var(--ink); background: #fff;
       font: 15px/1.55 "Helvetica Neue", Helvetica, Arial, sans-serif; }}
main {{ max-width: 720px; margin: 0 auto; padding: 28px 16px 48px; }}
header {{ border-bottom: 4px solid var(--accent); padding-bottom: 12px; margin-bottom: 8px; }}
h1 {{ font-size: 28px; margin: 0 0 4px; }}
h2 {{ font-size: 21px; margin: 28px 0 8px; color: var(--accent); border-bottom: 1px solid var(--rule);
      padding-bottom: 4px; }}
h3 {{ font-size: 16px; margin: 18px 0 4px; }}
.meta {{ color: var(--muted); margin: 0; }}
.tiles {{ display: flex; flex-wrap: wrap; gap: 10px; margin: 14px 0; }}
.tile {{ flex: 1 1 150px; border: 1px solid var(--rule); border-radius: 6px; padding: 8px 10px; }}
.tile .big .fig {{ display: inline; font-size: inherit; }}
.tile > .fig, .tile .big {{ display: block; font-size: 22px; font-weight: 600; color: var(--accent); }}
.tile small {{ color: var(--muted); }}
ul.summary li {{ margin-bottom: 6px; }}
table {{ border-collapse: collapse; width: 100%; margin: 8px 0 14px; font-size: 14px; }}
th, td {{ text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--rule); }}
th {{ color: var(--muted); font-weight: 600; }}
figure.chart {{ margin: 10px 0 16px; break-inside: avoid; page-break-inside: avoid; }}
figcaption {{ color: var(--muted); font-size: 13px; }}
blockquote {{ margin: 8px 0; padding: 8px 14px; border-left: 4px solid var(--accent); background: #f4f7f8;
              font-style: italic; }}
.story {{ break-inside: avoid; page-break-inside: avoid; margin-bottom: 18px; }}
.note {{ color: var(--muted); font-size: 14px; }}
.suppressed {{ color: var(--muted); }}
@page {{ size: A4; margin: 10mm; }}
@media print {{
  main {{ padding: 0; }}
  section {{ break-before: page; page-break-before: always; }}
  h2, h3 {{ break-after: avoid; page-break-after: avoid; }}
  a {{ color: inherit; text-decoration: none; }}
}}
"""


def document(title: str, body: str) -> str:
    """The whole self-contained page: inline CSS, no external fonts, images, styles or scripts."""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{CSS}</style>\n</head>\n"
        f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )
