"""No individual leaves the server: distributions are summarised, reciprocity is four guarded counts,
and stories are listed only where at least k people could have told them (issue 13, leaks 1, 2 and 6).

The programme is built so that every person's score is known and distinctive (values such as 3.1415927
that no mean, quartile or share of the group would produce): a figure, chart trace or report carrying any
of them has sent an individual's value.
"""

from __future__ import annotations

import base64
import json
import random
import re
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest
from streamlit.testing.v1 import AppTest

from analytics import change, stories
from analytics.errors import MutualError
from analytics.instruments import items_of
from analytics.report import charts as report_charts
from analytics.report import writer
from analytics.report.data import gather
from tests import builders

ROOT = Path(__file__).resolve().parent.parent
K = 5
COHORT = "C1"
# Who of the two partners improved, per pair: 8 both, 6 only the mentor, 5 only the mentee, 2 neither.
# With k = 5, "neither" (2) is hidden, and "only the mentee" (5, the next smallest) with it.
OUTCOMES = ["both"] * 8 + ["mentor_only"] * 6 + ["mentee_only"] * 5 + ["neither"] * 2
PAIRS = len(OUTCOMES)
# Focus per pair: 16 inclusion, 3 technology, 2 cross-functional. Among 21 mentees (or mentors) the two
# small foci are hidden together (5 people), inclusion is shown.
FOCUS = ["inclusion"] * 16 + ["technology"] * 3 + ["cross-functional"] * 2
TELLERS = {"M0": "inclusion", "M19": "cross-functional"}  # mentees who consented to their story


def _programme(seed: int = 42) -> dict[str, dict]:
    """Each participant: role, pair, focus and a distinctive pre and post psychological-safety score."""
    rng = random.Random(seed)
    outcomes = OUTCOMES[:]
    rng.shuffle(outcomes)
    people = {}
    for i, outcome in enumerate(outcomes):
        gains = {
            "mentor": outcome in ("both", "mentor_only"),
            "mentee": outcome in ("both", "mentee_only"),
        }
        for role, prefix in (("mentor", "R"), ("mentee", "M")):
            pre = round(rng.uniform(2.5, 4.5), 7)
            change = round(rng.uniform(0.3, 1.8), 7) * (1 if gains[role] else -1)
            people[f"{prefix}{i}"] = {
                "role": role,
                "pair": f"P{i}",
                "focus": FOCUS[i],
                "pre": pre,
                "post": round(pre + change, 7),
            }
    return people


PEOPLE = _programme()


def _fill(con) -> None:
    builders.add_wave(con, "pre", "pre", "2025-01-06")
    builders.add_wave(con, "post", "post", "2025-06-30")
    colleague = {"hire_date": "2020-01-01", "department": "Engineering", "grade": "G5"}
    for i in range(12):  # colleagues outside the programme: the report's comparison group
        builders.add_employee(con, f"E{i}", gender="Woman", **colleague)
    for person, p in PEOPLE.items():
        gender = "Non-binary" if person in TELLERS else "Woman"
        builders.add_employee(con, person, gender=gender, **colleague)
        builders.add_participant(
            con, person, cohort=COHORT, role=p["role"], pair_id=p["pair"], focus=p["focus"],
            start_date="2025-01-01", status=None, story_consent=person in TELLERS,
        )  # fmt: skip
        for wave in ("pre", "post"):
            score = p[wave]
            answers = {i.code: 8 - score if i.reverse else score for i in items_of("ps")}
            builders.add_response(con, f"{wave}-{person}", wave, answers, employee_id=person)
        # Everyone comments, so no guard on commenters hides the stories for lack of comments.
        text = f"A good year working with my partner ({p['pair']})."
        builders.add_comment(con, f"post-{person}", "experience", text, compound=0.3, label="positive")


@pytest.fixture
def built(con, monkeypatch):
    monkeypatch.setenv("MUTUAL_MIN_GROUP", str(K))
    _fill(con)
    return con


def _key(con, employee: str) -> str:
    salt = "(SELECT value FROM settings WHERE name = 'pseudonym_salt')"
    return con.execute(f"SELECT substr(sha256({salt} || '/{COHORT}/' || ?), 1, 12)", [employee]).fetchone()[0]


def _individual_values(exclude: set[str]) -> list[float]:
    """Every participant's pre, post and change, except those whose own values are meant to be shown."""
    found = []
    for person, p in PEOPLE.items():
        if person not in exclude:
            found += [p["pre"], p["post"], p["post"] - p["pre"]]
    return found


def _numbers(node) -> list[float]:
    """Every number in a plotly JSON structure, typed arrays (bdata) decoded."""
    if isinstance(node, dict):
        if "bdata" in node and "dtype" in node:
            return np.frombuffer(base64.b64decode(node["bdata"]), dtype=np.dtype(node["dtype"])).tolist()
        return [x for v in node.values() for x in _numbers(v)]
    if isinstance(node, list):
        return [x for v in node for x in _numbers(v)]
    if isinstance(node, bool):
        return []
    if isinstance(node, int | float):
        return [float(node)]
    return []


def _longest_numeric_array(node) -> int:
    if isinstance(node, dict):
        if "bdata" in node:
            return len(_numbers(node))
        return max([_longest_numeric_array(v) for v in node.values()], default=0)
    if isinstance(node, list):
        own = sum(isinstance(v, int | float) and not isinstance(v, bool) for v in node)
        return max([own, *(_longest_numeric_array(v) for v in node)])
    return 0


def _prefix(value: float) -> str:
    """The value's first four decimals as Python writes it (3.1415927 -> '3.1415'): how JSON would hold it."""
    text = repr(float(value))
    return text[: text.index(".") + 5]


def assert_no_individual(traces: list[dict], values: list[float]) -> None:
    """No number in the traces is anyone's value, no string holds one, and no array is per person."""
    numbers = np.array(_numbers(traces), dtype="float64")
    for value in values:
        assert not np.any(np.isclose(numbers, value, rtol=0, atol=1e-6)), value
    text = json.dumps(traces)
    leaked = [v for v in values if _prefix(v) in text]
    assert not leaked, leaked
    assert _longest_numeric_array(traces) < K


# ---------------------------------------------------------------- 1. distributions: summarised, never per person


def test_the_test_data_would_show_a_leak(built):
    """The checks bite: a box drawn from the per-person changes, as the old Stories page did, fails them."""
    changes = [p["post"] - p["pre"] for p in PEOPLE.values() if p["role"] == "mentee"]
    leaky = json.loads(go.Figure(go.Box(y=changes)).to_json())["data"]
    with pytest.raises(AssertionError):
        assert_no_individual(leaky, changes)


def test_story_summary_holds_quartiles_not_people(built):
    told = stories.story(built, _key(built, "M0"))
    assert told["distribution"] is not None and set(told["distribution"]) == {"n", "q1", "median", "q3"}
    assert told["distribution"]["n"] == PAIRS  # every mentee of the cohort has pre and post
    mentees = [p["post"] - p["pre"] for p in PEOPLE.values() if p["role"] == "mentee"]
    quartiles = [told["distribution"][q] for q in ("q1", "median", "q3")]
    assert not np.any(np.isclose(np.array(quartiles)[:, None], mentees, rtol=0, atol=1e-6))


def test_story_chart_in_the_report_carries_no_individual_value(built):
    data = gather(built, COHORT, K)
    assert {s["story_key"] for s in data.stories} == {_key(built, p) for p in TELLERS}
    for found in data.stories:
        traces = json.loads(report_charts.story_chart(data, found).to_json())["data"]
        assert [t["type"] for t in traces] == ["box", "scatter"]
        assert _numbers(traces[1]["x"]) == pytest.approx([found["change"]])  # the story's own marker
        assert_no_individual(traces, _individual_values(exclude=set(TELLERS)))


def _report_traces(html: str) -> list[dict]:
    decoder = json.JSONDecoder()
    traces = []
    for match in re.finditer(r'Plotly\.newPlot\(\s*"chart-\d+",\s*', html):
        data, _ = decoder.raw_decode(html, match.end())
        traces.extend(data)
    return traces


@pytest.mark.parametrize("cohort", [None, COHORT])
def test_report_html_holds_no_individual_value(built, cohort):
    html = writer.build_report(built, cohort, min_group=K)
    traces = _report_traces(html)
    assert {"box", "bar"} <= {t["type"] for t in traces}  # the story's box and the reciprocity bars
    # The tellers' own scores are in their stories (consented); nobody else's value is anywhere.
    others = _individual_values(exclude=set(TELLERS))
    assert_no_individual(traces, others)
    assert not [v for v in others if _prefix(v) in html]


def _page(path: str, db_file: str, monkeypatch, filters: dict | None = None) -> AppTest:
    monkeypatch.setenv("MUTUAL_DB", db_file)
    at = AppTest.from_file(str(ROOT / path), default_timeout=120)
    if filters is not None:
        at.session_state["filters"] = filters
    at.run()
    assert not at.exception, at.exception
    return at


def _chart_traces(at: AppTest) -> list[dict]:
    return [t for c in at.get("plotly_chart") for t in json.loads(c.proto.spec)["data"]]


@pytest.fixture
def db_file(built, tmp_path):
    built.close()  # the pages open the file themselves
    return str(tmp_path / "test.duckdb")


def test_stories_page_sends_no_individual_value(db_file, monkeypatch):
    at = _page("views/stories.py", db_file, monkeypatch)
    traces = _chart_traces(at)
    assert "box" in [t["type"] for t in traces]
    assert_no_individual(traces, _individual_values(exclude={"M0", "M19"}))


def test_pre_mid_post_page_sends_no_individual_value(db_file, monkeypatch):
    at = _page("views/pre_mid_post.py", db_file, monkeypatch)
    traces = _chart_traces(at)
    assert traces and "bar" in [t["type"] for t in traces]
    assert_no_individual(traces, _individual_values(exclude=set()))


# ---------------------------------------------------------------- 2. reciprocity: four guarded counts


def test_reciprocity_is_quadrant_counts_with_the_hidden_one_and_its_neighbour(built):
    found = change.reciprocity(built, "ps", min_group=K)
    assert "points" not in found and found["pairs"] == PAIRS and not found["suppressed"]
    quadrants = found["quadrants"].set_index("quadrant")
    assert quadrants.loc["both", "n"] == 8 and quadrants.loc["mentor_only", "n"] == 6
    assert quadrants.loc["both", "pct"] == pytest.approx(100 * 8 / PAIRS)
    # "neither" (2 pairs) is under k; "only the mentee" (5) is hidden with it, so 21 - 8 - 6 = 7 pairs is
    # all the total tells about them.
    assert quadrants.loc[["neither", "mentee_only"], "suppressed"].all()
    assert quadrants.loc[["neither", "mentee_only"], ["n", "pct"]].isna().all().all()
    assert not quadrants.loc[["both", "mentor_only"], "suppressed"].any()
    assert found["both_improved_pct"] == pytest.approx(100 * 8 / PAIRS)
    mentor = np.mean([p["post"] - p["pre"] for p in PEOPLE.values() if p["role"] == "mentor"])
    assert found["mentor_gain"] == pytest.approx(mentor)


def test_share_both_improved_is_hidden_with_its_quadrant(built):
    """Eight pairs both improved: with k = 9 that quadrant is hidden, and so is the share that would give it."""
    found = change.reciprocity(built, "ps", min_group=9)
    assert not found["suppressed"] and found["both_improved_pct"] is None
    assert found["quadrants"]["suppressed"].all()  # 8, 6, 5, 2: all under 9


def test_reciprocity_chart_shows_only_visible_counts(built):
    data = gather(built, None, K)
    traces = json.loads(report_charts.reciprocity_chart(data).to_json())["data"]
    assert [t["type"] for t in traces] == ["bar"]
    shown = [t for t in traces[0]["text"] if "pairs" in t]
    assert sorted(shown) == sorted(
        [f"8 pairs ({100 * 8 / PAIRS:.0f} %)", f"6 pairs ({100 * 6 / PAIRS:.0f} %)"]
    )
    assert traces[0]["text"].count(f"fewer than {K}") == 2
    assert_no_individual(traces, _individual_values(exclude=set()))
    assert sorted(_numbers(traces[0]["x"])) == pytest.approx(sorted([0, 0, 100 * 6 / PAIRS, 100 * 8 / PAIRS]))


# ---------------------------------------------------------------- 6. stories: k candidates, no person filters


def _listed(con, filters=None) -> set[str]:
    keys = {_key(con, person): person for person in TELLERS}
    return {keys[k] for k in stories.consented_stories(con, filters)["story_key"]}


def test_no_story_under_a_department_or_gender_filter(built):
    assert _listed(built) == {"M0", "M19"}
    for filters in ({"department": ["Engineering"]}, {"gender": ["Non-binary"]}, {"grade": ["G5"]}):
        found = stories.consented_stories(built, filters)
        assert found.empty, filters
        assert "not listed while a filter on" in found.attrs["message"]


def test_stories_listed_under_a_cohort_or_role_filter_with_k_candidates(built):
    assert _listed(built, {"cohort": [COHORT]}) == {"M0", "M19"}  # 21 mentees could have told each
    assert _listed(built, {"cohort": [COHORT], "role": ["mentee"]}) == {"M0", "M19"}
    assert _listed(built, {"role": ["mentor"]}) == set()


def test_a_focus_filter_never_tells_a_small_focus(built):
    # Inclusion holds 16 mentees: its story may be listed under it.
    assert _listed(built, {"focus": ["inclusion"]}) == {"M0"}
    # Cross-functional holds 2 mentees (hidden with technology's 3): under it alone, or with inclusion,
    # M19's story is not listed, so the listing cannot tell its focus...
    assert _listed(built, {"focus": ["cross-functional"]}) == set()
    assert _listed(built, {"focus": ["inclusion", "cross-functional"]}) == {"M0"}
    # ...and it is listed only when the filter takes both hidden foci: 5 mentees it could be.
    assert _listed(built, {"focus": ["technology", "cross-functional"]}) == {"M19"}


def test_a_cohort_and_role_with_fewer_than_k_people_lists_no_story(built, monkeypatch):
    monkeypatch.setenv("MUTUAL_MIN_GROUP", str(PAIRS + 1))  # 21 mentees: fewer than 22
    assert _listed(built) == set()
    with pytest.raises(MutualError):
        stories.story(built, _key(built, "M0"))


def test_story_shows_no_attribute_of_its_teller_beyond_role_and_cohort(built):
    listed = stories.consented_stories(built)
    assert list(listed.columns) == ["story_key", "pseudonym", "role", "cohort", "wave", "text", "compound"]
    assert not listed["pseudonym"].str.contains("inclusion|cross-functional|Engineering|Non-binary").any()
    told = stories.story(built, _key(built, "M19"))
    assert not {"focus", "department", "grade", "gender", "employee_id", "pair_id"} & set(told)
    assert "cross-functional" not in json.dumps({k: v for k, v in told.items() if isinstance(v, str)})


def test_stories_page_under_a_gender_filter_lists_nothing_and_says_why(db_file, monkeypatch):
    at = _page("views/stories.py", db_file, monkeypatch, {"gender": ["Non-binary"]})
    assert not at.selectbox and not at.get("plotly_chart")
    assert any("not listed while a filter on gender" in i.value for i in at.info)
    shown = " ".join(str(e.value) for e in [*at.markdown, *at.info, *at.caption, *at.subheader])
    assert COHORT not in shown and "Story " not in shown
