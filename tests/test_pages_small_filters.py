"""Every page, through AppTest, on the known-answer organisation with sidebar filters that leave 1 to 4 people.

No count under k may appear in any element (tiles, text, tables, chart specs), and no chart may carry a
per-person array: more than one value equal to one of the filtered people's individual scores; and none
of the filtered people's comments may be listed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.privacy_org import K, build
from tests.test_privacy_leaks import _per_person_arrays

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted(f"views/{p.name}" for p in (ROOT / "views").glob("*.py") if p.name != "upload.py")

# name -> sidebar filters; each leaves 1 to 4 people (checked against the organisation's rows)
FILTERS = {
    "one non-binary mentee": {"gender": ["Non-binary"], "role": ["mentee"]},
    "the 4 anonymous people": {"department": ["Research"]},
    "Operations in Leeds (one person)": {"department": ["Operations"], "location": ["Leeds"]},
}
COUNT_COLUMNS = {
    "n",
    "respondents",
    "responses",
    "responded",
    "invited",
    "comments",
    "commenters",
    "participants",
    "members",
    "pairs",
    "people",
    "count",
    "goals",
    "n_before",
    "overall_n",
    "sessions",
}
_COUNT_TEXT = re.compile(
    r"\bn\s*=\s*([1-4])\b|\b([1-4])\s+(?:people|person|respondents?|responses?|participants?|pairs?|"
    r"comments?|commenters?|mentors?|mentees?|employees?)\b",
    re.IGNORECASE,
)


@pytest.fixture(scope="module")
def org(tmp_path_factory):
    return build(tmp_path_factory.mktemp("views") / "org.duckdb")


def _people(org, filters: dict) -> set[str]:
    return {
        r["person"]
        for r in org.responses
        if all(str(org.attributes_of(r).get(a)) in values for a, values in filters.items())
    }


def _individual(org, people: set[str]) -> list[float]:
    values = [r["score"] for r in org.responses if r["person"] in people]
    for person in people:
        pre, post = org.score(person, "pre"), org.score(person, "post")
        if pre is not None and post is not None:
            values.append(post - pre)
    return values


def _counts_shown(at: AppTest) -> list[str]:
    found = []
    for tile in at.metric:
        if re.fullmatch(r"\s*[1-4]\s*", str(tile.value)):
            found.append(f"tile {tile.label!r} = {tile.value}")
    for kind in ("markdown", "caption", "info", "warning", "success", "error", "subheader", "text"):
        for element in at.get(kind):
            text = str(getattr(element, "value", ""))
            for match in _COUNT_TEXT.finditer(text):
                found.append(f"{kind}: …{text[max(0, match.start() - 40) : match.end() + 20]}…")
    for table in at.dataframe:
        frame = table.value
        for column in frame.columns:
            if str(column).lower() in COUNT_COLUMNS:
                small = [v for v in frame[column].tolist() if isinstance(v, int | float) and 0 < v < K]
                if small:
                    found.append(f"table column {column!r}: {small}")
    for chart in at.get("plotly_chart"):
        spec = chart.proto.spec
        for match in _COUNT_TEXT.finditer(spec):
            found.append(f"chart: …{spec[max(0, match.start() - 40) : match.end() + 20]}…")
    return found


def _all_text(at: AppTest) -> list[str]:
    out = []
    for kind in ("markdown", "caption", "info", "warning", "text", "expander"):
        out += [str(getattr(e, "value", "")) for e in at.get(kind)]
    for table in at.dataframe:
        out += [str(v) for v in table.value.astype(str).to_numpy().ravel()]
    out += [chart.proto.spec for chart in at.get("plotly_chart")]
    return out


@pytest.mark.slow
@pytest.mark.parametrize("name", list(FILTERS))
@pytest.mark.parametrize("page", PAGES)
def test_a_page_under_a_small_filter_shows_no_small_count_and_no_per_person_array(
    org, monkeypatch, page, name
):
    filters = FILTERS[name]
    people = _people(org, filters)
    assert 0 < len(people) < K, (name, people)
    monkeypatch.setenv("MUTUAL_DB", str(org.path))
    at = AppTest.from_file(str(ROOT / page), default_timeout=180)
    at.session_state["filters"] = filters
    at.run()
    assert not at.exception, at.exception
    counts = _counts_shown(at)
    assert not counts, f"{page} under {filters} ({len(people)} people) shows counts under {K}: {counts[:8]}"
    texts = {c["text"] for c in org.comments if c["person"] in people}
    listed = [t for t in texts if any(t in shown for shown in _all_text(at))]
    assert not listed, f"{page} under {filters}: {len(listed)} comments of {len(people)} people listed"
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    arrays = _per_person_arrays(specs, _individual(org, people), at_least=2)
    assert not arrays, f"{page} under {filters}: chart data holds the filtered people's scores: {arrays[:3]}"
