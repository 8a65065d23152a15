"""Text from the data is text: markdown and HTML in departments, cohorts, waves and comments stay inert.

`hostile_database` builds the sample programme with one department, one cohort, the latest pulse's wave
and a quarter of the comments replaced by markdown images, links and HTML tags pointing at another host;
every page then runs on it and no text element or chart may carry them as markup.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analytics.ingest import load
from analytics.sample import programme
from analytics.store import db
from ui.format import chart_text, plain

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted(f"views/{p.name}" for p in (ROOT / "views").glob("*.py"))

DEPARTMENT = "![x](http://other.invalid/x.png)"
COMMENT = "<img src=//other.invalid/y.png> [link](http://other.invalid) I learnt a lot from my mentor"
COHORT = "2025-Autumn <b>![c](http://other.invalid/c.png)</b>"
WAVE = "pulse-2026-10 <i>![w](http://other.invalid/w.png)</i>"
REPLACED = {"department": ("Marketing", DEPARTMENT), "cohort": ("2025-Autumn", COHORT)}
REPLACED_WAVE = ("pulse-2026-10", WAVE)

# Markup that survived: an image or link opener, a raw tag, or a link's "](" with nothing escaping it.
# Markdown parses backslash escapes first and then links URLs and e-mail addresses in the text (GFM), so a URL
# counts even when its ":" is escaped.
UNESCAPED = re.compile(
    r"(?<!\\)!\[|(?<!\\)\]\(|(?<!\\)<\s*/?\s*(?:img|a|b|i|script)\b"
    r"|https?\\?://|\bwww\\?\.|[\w.+-]\\?@[\w-]+\\?\.",
    re.IGNORECASE,
)


def hostile_database(directory: Path) -> Path:
    """The sample programme imported with hostile values in its data (see the module docstring)."""
    files = directory / "files"
    files.mkdir(parents=True)
    roster = pd.read_csv(programme.SAMPLE_DIR / "participants.csv", dtype=str)
    storytellers = set(roster.loc[roster["story_consent"] == "yes", "employee_id"])
    for path in programme.sample_files():
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        for column, (old, new) in REPLACED.items():
            if column in frame.columns:
                frame[column] = frame[column].replace(old, new)
        if "wave" in frame.columns:
            frame["wave"] = frame["wave"].replace(*REPLACED_WAVE)
        for column in [c for c in frame.columns if c.startswith("comment_")]:
            written = frame[column] != ""
            told = frame["employee_id"].isin(storytellers) if "employee_id" in frame.columns else False
            frame.loc[written & ((frame.index % 4 == 0) | told), column] = COMMENT  # and every story
        frame.to_csv(files / path.name, index=False)
    path = directory / "hostile.duckdb"
    con = db.connect(path)
    load.import_files(con, programme.sample_files(files))
    con.close()
    return path


@pytest.fixture(scope="module")
def hostile_db_file(tmp_path_factory) -> Path:
    return hostile_database(tmp_path_factory.mktemp("hostile"))


@pytest.fixture
def hostile_db(hostile_db_file, monkeypatch) -> Path:
    monkeypatch.setenv("MUTUAL_DB", str(hostile_db_file))
    return hostile_db_file


def _run(page: str, widgets: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / page), default_timeout=180)
    at.run()
    for key, value in (widgets or {}).items():
        widget = at.radio(key=key) if key == "ps_breakdown" else at.selectbox(key=key)
        widget.set_value(value).run()
    assert not at.exception, at.exception
    return at


def markdown_texts(at: AppTest) -> list[str]:
    """Every string the page hands to Streamlit's markdown: text elements, alerts, metric labels and helps."""
    texts = []
    for kind in (
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "info",
        "warning",
        "error",
        "success",
    ):
        texts += [element.value for element in getattr(at, kind)]
    for metric in at.metric:
        texts += [metric.label, metric.value, metric.proto.help]
    texts += [expander.label for expander in at.expander]
    return texts


def chart_specs(at: AppTest) -> list[str]:
    return [chart.proto.spec for chart in at.get("plotly_chart")]


# The pages and the widget values that bring the hostile values on screen.
SCENES = {
    "views/cohort_outcomes.py": [{}, {"co_group_by": "department"}],
    "views/psych_safety.py": [{"ps_breakdown": "department"}],
    "views/feedback.py": [{"fb_group_by": "department"}, {"fb_group_by": "cohort"}],
}


def scenes() -> list:
    return [
        pytest.param(page, widgets, id=f"{page}-{'-'.join(widgets.values())}")
        for page in PAGES
        for widgets in SCENES.get(page, [{}])
    ]


def test_the_unescaped_pattern_catches_what_it_must():
    for raw in (DEPARTMENT, COMMENT, COHORT, WAVE):
        assert UNESCAPED.search(raw), raw
        assert not UNESCAPED.search(plain(raw)), plain(raw)


@pytest.mark.parametrize(("page", "widgets"), scenes())
def test_no_markup_from_the_data_in_markdown(hostile_db, page, widgets):
    at = _run(page, widgets)
    leaked = [text for text in markdown_texts(at) if UNESCAPED.search(text)]
    assert not leaked, leaked


@pytest.mark.parametrize(("page", "widgets"), scenes())
def test_no_markup_from_the_data_in_charts(hostile_db, page, widgets):
    at = _run(page, widgets)
    for spec in chart_specs(at):
        text = json.dumps(json.loads(spec))  # one string: every title, tick, name, text and hover
        for raw in ("<img src=//other.invalid", "<b>![c]", "<i>![w]"):
            assert raw not in text, (page, raw)


def test_hostile_values_reach_the_screen_escaped(hostile_db):
    """The checks above see the hostile values: they are drawn, as text."""
    at = _run("views/psych_safety.py", {"ps_breakdown": "department"})
    labels = [m.label for m in at.metric]
    assert f"Latest pulse, {plain(WAVE)}" in labels
    names = [trace.get("name") for spec in chart_specs(at) for trace in json.loads(spec)["data"]]
    assert chart_text(DEPARTMENT) in names  # the department's line in the legend
    at = _run("views/cohort_outcomes.py")
    heatmap = json.loads(chart_specs(at)[0])
    assert chart_text(COHORT) in heatmap["data"][0]["y"]  # the cohort's row, its tags as entities
