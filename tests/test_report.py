"""The sponsor report: every section, the summary's figures, no external resource, privacy, CLI, page."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import plotly.offline
import pytest
from streamlit.testing.v1 import AppTest

from analytics import change
from analytics.errors import MutualError
from analytics.report import writer
from analytics.stories import consented_stories
from analytics.summary import summary

ROOT = Path(__file__).resolve().parent.parent


class _Report(HTMLParser):
    """Collects the tagged figures, sections, resource attributes, styles and inline scripts of a report."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.figures: list[tuple[str, str, float]] = []  # key, text shown, scale
        self.sections: list[str] = []
        self.resources: list[tuple[str, str, str]] = []  # tag, attribute, value
        self.styles: list[str] = []
        self.story_titles: list[str] = []
        self._stack: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("src", "href", "srcset", "data", "poster", "action"):
            if name in attrs:
                self.resources.append((tag, name, attrs[name]))
        if tag == "section":
            self.sections.append(attrs.get("id"))
        if tag == "link" or (tag == "script" and "src" in attrs):
            self.resources.append((tag, "element", json.dumps(attrs)))
        self._stack.append({"tag": tag, "attrs": attrs, "text": ""})

    def handle_endtag(self, tag):
        while self._stack:
            item = self._stack.pop()
            if self._stack:
                self._stack[-1]["text"] += item["text"]
            if "data-figure" in item["attrs"]:
                self.figures.append(
                    (item["attrs"]["data-figure"], item["text"], float(item["attrs"].get("data-scale", 1)))
                )
            if item["tag"] == "style":
                self.styles.append(item["text"])
            if item["tag"] == "h3" and self._stack and self._stack[-1]["attrs"].get("class") == "story":
                self.story_titles.append(item["text"])
            if item["tag"] == tag:
                break

    def handle_data(self, data):
        if self._stack:
            self._stack[-1]["text"] += data


def parse(html: str) -> _Report:
    found = _Report()
    found.feed(html)
    found.close()
    return found


def shown(found: _Report) -> dict[str, list[tuple[str, float]]]:
    """Every tagged figure: key -> the texts it is shown as (a key may be shown more than once)."""
    result: dict[str, list[tuple[str, float]]] = {}
    for key, text, scale in found.figures:
        result.setdefault(key, []).append((text, scale))
    return result


def lookup(tree: dict, key: str):
    """summary()['pre_post']['psych_safety']['cohen_dz'] for 'pre_post.psych_safety.cohen_dz'."""
    node = tree
    for part in key.split("."):
        node = node[part]
    return node


def agrees(text: str, expected: float | None, scale: float) -> bool:
    """The text is the expected figure rounded as displayed ('+0.45', '58 %', 'p < 0.001', '1,221')."""
    if expected is None:
        return not re.search(r"\d", text.replace("fewer than", "")) or text.startswith("fewer than")
    expected = expected * scale
    if text.startswith("p < "):
        return expected < float(text[4:])
    number = text.removeprefix("p = ").replace("%", "").replace(",", "").strip()
    decimals = len(number.split(".")[1]) if "." in number else 0
    return abs(float(number) - expected) <= 0.5 * 10**-decimals + 1e-9


def values(array) -> list:
    """A plotly array as a list; plotly writes numeric arrays as base64 typed arrays (dtype, bdata)."""
    if isinstance(array, dict) and "bdata" in array:
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"])).tolist()
    return list(array)


def plotly_traces(html: str) -> list[dict]:
    """The traces passed to every Plotly.newPlot call of the report."""
    decoder = json.JSONDecoder()
    traces = []
    for match in re.finditer(r'Plotly\.newPlot\(\s*"chart-\d+",\s*', html):
        data, _ = decoder.raw_decode(html, match.end())
        traces.extend(data)
    return traces


@pytest.fixture
def programme_html(sample_con) -> str:
    return writer.build_report(sample_con)


def test_every_section_in_order(programme_html):
    found = parse(programme_html)
    assert found.sections == list(writer.SECTIONS)
    for title in writer.SECTIONS.values():
        assert f"<h2>{escape(title)}</h2>" in programme_html


def test_figures_equal_the_summary_json(sample_con, programme_html):
    expected = summary(sample_con)
    figures = shown(parse(programme_html))
    checked = 0
    for key, texts in figures.items():
        if key.split(".")[0] not in expected:
            continue
        for text, scale in texts:
            assert agrees(text, lookup(expected, key), scale), (key, text, lookup(expected, key))
            checked += 1
    # The headline figures are all there, some more than once (summary, tiles, tables).
    must = [
        "pre_post.psych_safety.n",
        "pre_post.psych_safety.mean_change",
        "pre_post.psych_safety.ci_low",
        "pre_post.psych_safety.ci_high",
        "pre_post.psych_safety.cohen_dz",
        "pre_post.psych_safety.p_value",
        "pre_post.engagement.cohen_dz",
        "pre_post.belonging.cohen_dz",
        "constructs.psych_safety.pre.mean",
        "constructs.psych_safety.post.favourable_pct",
        "enps.post",
        "reciprocity.pairs",
        "reciprocity.both_improved_pct",
        "reciprocity.mentor_gain",
        "reciprocity.mentee_gain",
        "goal_attainment.participants",
        "goal_attainment.mean_t",
        "goal_attainment.met_pct",
        "retention.participants_12m",
        "retention.comparison_12m",
        "retention.logrank_p",
        "sentiment.comments",
        "sentiment.mean_compound",
        "sentiment.positive_pct",
        "sentiment.negative_pct",
    ]
    assert not [key for key in must if key not in figures]
    assert checked >= 60
    # As displayed, read by hand from the summary of the sample: d_z 0.6847 -> "0.68", 1221 comments.
    assert figures["pre_post.psych_safety.cohen_dz"][0][0] == "0.68"
    assert figures["sentiment.comments"][0][0] == "1,221"


def test_executive_summary_says_what_improved_and_for_whom_not(programme_html):
    summary_section = programme_html.split('<section id="summary">')[1].split("</section>")[0]
    text = re.sub(r"<[^>]+>", "", summary_section)
    assert "Psychological safety rose by +0.45 points on the 1–7 scale" in text
    assert "a medium improvement, unlikely to be chance" in text
    # Per-cohort changes of the sample (test_compare): 2025-Spring +0.014, d_z 0.02 - the weakest.
    assert "It did not clearly work for cohort 2025-Spring" in text
    assert "People chose to join the programme" in text


def test_no_request_to_another_host(programme_html):
    """Only plotly.js itself (inlined once, byte for byte the installed bundle) may mention URLs.

    The bundle holds SVG/XML namespace strings (http://www.w3.org/...), licence comments and the tile
    and topojson servers of map traces. Those servers are contacted only when a map trace is drawn, so
    the report must use none; everything outside the bundle - our markup, CSS, figure JSON and calls -
    must hold no http(s) URL at all, and no element may load anything (src, href, link, @import, url()).
    """
    bundle = plotly.offline.get_plotlyjs()
    assert programme_html.count(bundle) == 1
    ours = programme_html.replace(bundle, "")
    assert re.findall(r"https?://", ours) == []
    found = parse(programme_html)
    assert found.resources == []
    assert found.styles and all("url(" not in css and "@import" not in css for css in found.styles)
    traces = plotly_traces(programme_html)
    assert {t["type"] for t in traces} <= {"bar", "scatter", "box"}
    assert len(traces) >= 14
    assert "cdn.plot.ly" not in ours and "mathjax" not in ours.lower().replace("mathjaxconfig", "")


def test_suppressed_cohort_is_absent(sample_con):
    """With k above every figure of cohort 2025-Spring, none of its figures appears, and it is listed."""
    changes = change.wave_change(sample_con, "ps", "pre", "post", "cohort", min_group=1)
    spring = int(changes.loc[changes["cohort"] == "2025-Spring", "n"].iloc[0])
    assert spring == 42  # the sample's 2025-Spring: 42 people with pre and post answers
    k = 65  # 2025-Spring has 64 participants with goals scored at post, 42 with pre and post scores
    html = writer.build_report(sample_con, min_group=k)
    found = parse(html)
    spring_figures = [(key, text) for key, text, _ in found.figures if "2025-Spring" in key]
    assert spring_figures  # its rows are there, marked...
    assert all(not re.search(r"\d", text.replace(f"fewer than {k}", "")) for _, text in spring_figures)
    checked = 0
    for trace in plotly_traces(html):
        labels = [str(x) for x in trace.get("x") or []]
        if "2025-Spring" in labels:
            i = labels.index("2025-Spring")
            assert values(trace["y"])[i] == 0 and f"fewer than {k}" in trace["text"][i]
            checked += 1
    assert checked == 2  # the change chart and the goals chart
    hidden = html.split('<div id="suppressed-groups">')[1].split("</div>")[0]
    assert "cohort 2025-Spring (change in psychological safety)" in hidden
    assert "cohort 2025-Spring (goal attainment)" in hidden
    # Secondary suppression: the next-smallest cohort (2024-Autumn, n = 54 < 65 anyway) is hidden too.
    assert "cohort 2024-Autumn (change in psychological safety)" in hidden
    assert "It did not clearly work for cohort 2025-Spring" not in html
    assert f"groups under {k} people are not shown" in html


def test_stories_only_with_consent(sample_con, programme_html):
    titles = parse(programme_html).story_titles
    consented = set(consented_stories(sample_con)["pseudonym"])
    assert 2 <= len(titles) <= 3
    assert set(titles) <= consented
    sample_con.execute("UPDATE participants SET story_consent = false")
    html = writer.build_report(sample_con)
    assert parse(html).story_titles == []
    assert "No participant in this scope has consented" in html
    assert "<blockquote>" not in html


def test_cohort_report_has_the_cohorts_figures(sample_con, programme_html):
    html = writer.build_report(sample_con, cohort="2025-Spring")
    figures = shown(parse(html))
    cohort = change.wave_change(sample_con, "ps", filters={"cohort": ["2025-Spring"]}).iloc[0]
    assert cohort["n"] == 42 and round(cohort["mean_change"], 2) == 0.01  # as in test_compare's sample
    assert figures["pre_post.psych_safety.mean_change"][0][0] == "+0.01"
    assert figures["pre_post.psych_safety.n"][0][0] == "42"
    assert shown(parse(programme_html))["pre_post.psych_safety.mean_change"][0][0] == "+0.45"
    assert figures["size.participants"][0][0] == "80"  # 40 pairs
    assert "Cohort 2025-Spring" in html
    assert "by role" in html  # a cohort report breaks down by role, not by cohort


def test_unknown_cohort_is_an_error(sample_con):
    with pytest.raises(MutualError, match="no cohort 'Nope'"):
        writer.build_report(sample_con, cohort="Nope")


def test_empty_database_reports_nothing_to_show(con):
    html = writer.build_report(con)
    assert parse(html).sections == list(writer.SECTIONS)
    assert "fewer than 5 participants answered both the pre and the post survey" in html
    assert "No participant in this scope has consented" in html


def test_command_line_writes_the_report(sample_db, tmp_path):
    out = tmp_path / "report.html"
    done = subprocess.run(
        [sys.executable, "-m", "analytics", "report", "--db", str(sample_db), "--out", str(out), "--cohort", "2024-Autumn"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"Report written: {out}" in done.stdout
    html = out.read_text(encoding="utf-8")
    assert parse(html).sections == list(writer.SECTIONS)
    assert "Cohort 2024-Autumn" in html


def test_command_line_unknown_cohort_exits_1(sample_db, tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "analytics", "report", "--db", str(sample_db), "--out", str(tmp_path / "r.html"), "--cohort", "Nope"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    assert "There is no cohort 'Nope'" in done.stderr
    assert not (tmp_path / "r.html").exists()


def test_page_previews_and_offers_downloads(sample_db):
    at = AppTest.from_file(str(ROOT / "views" / "report.py"), default_timeout=120).run()
    assert not at.exception
    assert at.title[0].value == "Report for sponsors"
    buttons = {b.proto.id.rsplit("-", 1)[-1]: b.proto for b in at.get("download_button")}
    assert "report_html" in buttons
    assert ("report_pdf" in buttons) == (writer.chromium_path() is not None)
    preview = at.get("iframe")[0].proto.srcdoc
    assert "Whole programme" in preview and "Cohort 2025-Spring" not in preview
    at.selectbox(key="report_cohort").select("2025-Spring").run()
    assert not at.exception
    preview = at.get("iframe")[0].proto.srcdoc
    assert "Cohort 2025-Spring" in preview
    assert shown(parse(preview))["pre_post.psych_safety.n"][0][0] == "42"
