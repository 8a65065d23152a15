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

from analytics.errors import MutualError
from analytics.metrics import construct_scores
from analytics.report import writer
from analytics.stories import consented_stories
from analytics.summary import summary
from tests.builders import PS_ITEMS, add_employee, add_participant, add_response, add_wave, finish

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


def paired_ps_change(con, cohort: str | None = None) -> tuple[int, float]:
    """(people with pre and post scores, their mean change) by pandas from construct_scores' rows.

    Each person's responses in a wave are averaged first; independent of change.wave_change's SQL.
    """
    filters = {"cohort": [cohort]} if cohort else None
    scores = construct_scores(con, "ps", filters=filters, waves=["pre", "post"])
    scores = scores[scores["employee_id"].notna()]
    people = scores.groupby(["employee_id", "wave"])["score"].mean().unstack().dropna()
    return len(people), float((people["post"] - people["pre"]).mean())


def test_suppressed_cohort_is_absent(sample_con):
    """With k above every figure of cohort 2025-Spring, none of its figures appears, and it is listed."""
    paired, _ = paired_ps_change(sample_con, "2025-Spring")
    (with_goals,) = sample_con.execute(
        """SELECT count(DISTINCT employee_id) FROM goals JOIN participants USING (employee_id)
           WHERE cohort = '2025-Spring' AND level_post IS NOT NULL"""
    ).fetchone()
    assert paired > 0 and with_goals > 0
    k = max(paired, with_goals) + 1  # above both of 2025-Spring's groups (change and goals)
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
    assert "It did not clearly work for cohort 2025-Spring" not in html
    assert f"groups under {k} people are not shown" in html


def three_cohorts(con, pairs: dict[str, int]) -> None:
    """Cohorts of the given numbers of pairs; everyone answers the ps items at pre and post."""
    add_wave(con, "pre", "pre", "2025-01-06")
    add_wave(con, "post", "post", "2025-07-07")
    for cohort, count in pairs.items():
        for pair in range(count):
            for role in ("mentor", "mentee"):
                person = f"{cohort}-{pair}-{role}"
                add_employee(con, person, department="Ops")
                add_participant(con, person, cohort=cohort, role=role, pair_id=f"{cohort}-{pair}")
                for wave, level in (("pre", 4), ("post", 5 + pair % 3)):
                    answers = dict.fromkeys(PS_ITEMS, level)
                    add_response(con, f"{person}-{wave}", wave, answers, employee_id=person)
    finish(con)


def test_secondary_suppression_hides_the_next_smallest_cohort(con):
    # k = 7: cohort A (6 people) is under k; B (8) is at least k but would give A away (the
    # programme's total minus B and C), so it is hidden as the next-smallest; C (12) is shown.
    three_cohorts(con, {"A": 3, "B": 4, "C": 6})
    k = 7
    html = writer.build_report(con, min_group=k)
    hidden = html.split('<div id="suppressed-groups">')[1].split("</div>")[0]
    assert "cohort A (change in psychological safety)" in hidden
    assert "cohort B (change in psychological safety)" in hidden
    assert "cohort C (change in psychological safety)" not in hidden
    figures = shown(parse(html))
    for cohort in ("A", "B"):
        texts = [
            text
            for key, found in figures.items()
            if key.startswith(f"by_cohort.{cohort}.")
            for text, _ in found
        ]
        assert texts and all(not re.search(r"\d", t.replace(f"fewer than {k}", "")) for t in texts)
    n_c, change_c = paired_ps_change(con, "C")
    assert n_c == 12
    assert figures["by_cohort.C.n"][0][0] == str(n_c)
    assert figures["by_cohort.C.mean_change"][0][0] == f"{change_c:+.2f}"
    bars = [t for t in plotly_traces(html) if [str(x) for x in t.get("x") or []] == ["A", "B", "C"]]
    assert bars and all(values(t["y"])[:2] == [0, 0] and values(t["y"])[2] != 0 for t in bars)


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
    n, mean_change = paired_ps_change(sample_con, "2025-Spring")
    assert figures["pre_post.psych_safety.mean_change"][0][0] == f"{mean_change:+.2f}"
    assert figures["pre_post.psych_safety.n"][0][0] == f"{n:,}"
    _, programme_change = paired_ps_change(sample_con)
    programme_figures = shown(parse(programme_html))
    assert programme_figures["pre_post.psych_safety.mean_change"][0][0] == f"{programme_change:+.2f}"
    assert f"{mean_change:+.2f}" != f"{programme_change:+.2f}"  # the cohort's own figure, not the whole's
    (roster,) = sample_con.execute(
        "SELECT count(*) FROM participants WHERE cohort = '2025-Spring'"
    ).fetchone()
    assert figures["size.participants"][0][0] == f"{roster:,}"
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


@pytest.mark.slow  # the command line in a subprocess
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
