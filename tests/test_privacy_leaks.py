"""Issue 13's leaks, each performed as an attacker would on the known-answer organisation (tests/privacy_org.py).

Every test runs the attack with the public analytics functions (or a page through AppTest), computes
what it recovers, and asserts that this is not the secret the organisation planted: one person's score,
their comments, a small group's mean, or a per-person array. k = 5 for scores and 10 for free text (the
defaults; no test passes a threshold).
"""

from __future__ import annotations

import base64
import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats
from streamlit.testing.v1 import AppTest

from analytics import change, goals, metrics, stories, summary
from analytics.report import writer
from analytics.store import db
from analytics.text import comments, feedback
from tests.privacy_org import COHORT, PULSES, K, build

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def org(tmp_path_factory):
    return build(tmp_path_factory.mktemp("leaks") / "org.duckdb")


@pytest.fixture(scope="module")
def con(org):
    connection = db.connect(org.path)
    yield connection
    connection.close()


# ---------------------------------------------------------------- what an attacker reads off a result


def _number(value) -> float | None:
    """A shown figure as a float; None when hidden (None, NaN, missing, text)."""
    if value is None or isinstance(value, str | bool | np.bool_):
        return None
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _shown(row, column: str) -> float | None:
    """A figure of a row (dict or Series) when the row is shown; None when absent, hidden or suppressed."""
    if column not in row or bool(row.get("suppressed", False)):
        return None
    return _number(row[column])


def _n_of(row, mean: str = "mean") -> float | None:
    """The row's n when shown, else solved from its 95 % t interval and sd (as the issue's attacker did)."""
    n = _shown(row, "n")
    if n is not None:
        return n
    low, high, sd = _shown(row, "ci_low"), _shown(row, "ci_high"), _shown(row, "sd")
    if None in (low, high, sd) or sd == 0:
        return None
    half = (high - low) / 2
    for candidate in range(2, 500):
        if abs(scipy_stats.t.ppf(0.975, candidate - 1) * sd / math.sqrt(candidate) - half) < 1e-9:
            return float(candidate)
    return None


def _rows(frame: pd.DataFrame | None, **match) -> list[pd.Series]:
    if frame is None or frame.empty:
        return []
    chosen = frame
    for column, value in match.items():
        if column not in chosen.columns:
            return []
        chosen = chosen[chosen[column].astype("object") == value]
    return [row for _, row in chosen.iterrows()]


def _one(frame: pd.DataFrame, **match) -> pd.Series | None:
    rows = _rows(frame, **match)
    return rows[0] if len(rows) == 1 else None


def _difference(big, small, mean: str = "mean") -> tuple[float | None, float | None]:
    """(n, mean) of `big` minus `small` when both are shown: n_b*m_b - n_s*m_s over n_b - n_s."""
    if big is None or small is None:
        return None, None
    n_big, n_small = _n_of(big, mean), _n_of(small, mean)
    m_big, m_small = _shown(big, mean), _shown(small, mean)
    if None in (n_big, n_small, m_big, m_small) or n_big == n_small:
        return None, None
    left = n_big - n_small
    return left, (n_big * m_big - n_small * m_small) / left


# ---------------------------------------------------------------- per-person arrays in any returned structure


def _distinctive(values) -> list[float]:
    """Individual values an unrelated figure is unlikely to equal: not a multiple of 0.25."""
    out = []
    for v in values:
        v = _number(v)
        if v is not None and abs(v * 4 - round(v * 4)) > 1e-9:
            out.append(v)
    return out


_ARRAY = re.compile(r"\[\s*(-?\d[\d.eE+-]*(?:\s*,\s*-?\d[\d.eE+-]*)+)\s*\]")
# Plotly sends numeric arrays as typed arrays: {"dtype": "f8", "bdata": "<base64>"}.
_TYPED = re.compile(r'\{[^{}]*"bdata"[^{}]*\}')


def _typed(dtype: str, data: str) -> list[float]:
    try:
        return np.frombuffer(base64.b64decode(data), dtype=np.dtype(dtype)).astype("float64").tolist()
    except (ValueError, TypeError):
        return []


def _arrays(node, seen=None):
    """Every array of numbers in a result: lists, Series, DataFrame columns, ndarrays, figures, JSON/HTML text."""
    seen = {} if seen is None else seen
    if id(node) in seen:
        return
    seen[id(node)] = node  # kept alive, so no later object reuses its id
    if isinstance(node, pd.DataFrame):
        for column in node.columns:
            yield from _arrays(node[column].tolist(), seen)
    elif isinstance(node, pd.Series | np.ndarray):
        yield from _arrays(list(np.asarray(node, dtype=object).ravel()), seen)
    elif isinstance(node, dict):
        if isinstance(node.get("bdata"), str) and isinstance(node.get("dtype"), str):
            yield _typed(node["dtype"], node["bdata"])
        for value in node.values():
            yield from _arrays(value, seen)
    elif isinstance(node, list | tuple):
        numbers = [_number(v) for v in node]
        if sum(v is not None for v in numbers) >= 2:
            yield [v for v in numbers if v is not None]
        for value in node:
            if isinstance(value, dict | list | tuple | pd.DataFrame | pd.Series | np.ndarray | str):
                yield from _arrays(value, seen)
    elif isinstance(node, str):
        for match in _TYPED.finditer(node):
            try:
                typed = json.loads(match.group(0))
            except ValueError:
                continue
            if isinstance(typed.get("dtype"), str) and isinstance(typed.get("bdata"), str):
                yield _typed(typed["dtype"], typed["bdata"])
        for match in _ARRAY.finditer(node):
            try:
                yield [float(x) for x in match.group(1).split(",")]
            except ValueError:
                continue
    elif hasattr(node, "to_plotly_json"):
        yield from _arrays(json.dumps(node.to_plotly_json(), default=str), seen)
    elif hasattr(node, "__dict__"):
        yield from _arrays(vars(node), seen)


def _per_person_arrays(node, individual: list[float], at_least: int) -> list[list[float]]:
    """Arrays holding at least `at_least` of the individual values (a summary touches at most a few)."""
    targets = np.array(sorted(set(_distinctive(individual))))
    if targets.size == 0:
        return []
    found = []
    for array in _arrays(node):
        values = np.array(array, dtype="float64")
        hits = {float(targets[i]) for v in values for i in np.flatnonzero(np.abs(targets - v) < 1e-6)}
        if len(hits) >= at_least:
            found.append(sorted(hits))
    return found


def _participant_values(org, role: str | None = None) -> list[float]:
    """Each participant's pre, mid and post score and pre -> post change (of one role, or all)."""
    values = []
    for eid, entry in org.participants.items():
        if role and entry["role"] != role:
            continue
        scores = {w: org.score(eid, w) for w in ("pre", "mid", "post")}
        values += [v for v in scores.values() if v is not None]
        if scores["pre"] is not None and scores["post"] is not None:
            values.append(scores["post"] - scores["pre"])
    return values


def _pair_changes(org) -> dict[str, dict[str, float]]:
    """Per complete pair: the mentor's and the mentee's pre -> post change."""
    pairs: dict[str, dict[str, float]] = {}
    for eid, entry in org.participants.items():
        pre, post = org.score(eid, "pre"), org.score(eid, "post")
        if pre is not None and post is not None:
            pairs.setdefault(entry["pair_id"], {})[entry["role"]] = post - pre
    return {p: c for p, c in pairs.items() if set(c) == {"mentor", "mentee"}}


# ---------------------------------------------------------------- 1. individual scores sent to the browser and the report


def test_a_story_carries_no_per_person_distribution(org, con):
    """Cause 1: story()'s distribution holds every same-role cohort member's pre, post and change."""
    listed = stories.consented_stories(con)
    assert not listed.empty  # the organisation has 3 consented stories
    leaks = []
    for key in listed["story_key"]:
        told = stories.story(con, key)
        individual = _participant_values(org, told["role"])
        leaks += _per_person_arrays(told, individual, at_least=4)
    assert not leaks, f"per-person arrays of one role's pre/post/change: {leaks[:3]}"


def test_the_stories_page_chart_carries_no_per_person_array(org, monkeypatch):
    """Cause 1: the box plot's trace data holds each member's change (hidden points are still sent)."""
    monkeypatch.setenv("MUTUAL_DB", str(org.path))
    at = AppTest.from_file(str(ROOT / "views/stories.py"), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    assert specs  # the story's charts are drawn
    leaks = _per_person_arrays(specs, _participant_values(org), at_least=4)
    assert not leaks, f"chart data holds individual scores: {leaks[:3]}"


def test_the_cohort_report_holds_no_per_person_array(org, con):
    """Cause 1 (and 2): the report's HTML embeds the story histogram's and reciprocity scatter's arrays."""
    html = writer.build_report(con, COHORT)
    individual = _participant_values(org)
    individual += [c for pair in _pair_changes(org).values() for c in pair.values()]
    leaks = _per_person_arrays(html, individual, at_least=4)
    assert not leaks, f"the report holds arrays of individual scores or changes: {leaks[:3]}"


# ---------------------------------------------------------------- 2. the reciprocity shuffle is a fixed permutation


def test_reciprocity_points_do_not_map_back_to_pairs(org, con):
    """Cause 2: undo `sample(frac=1, random_state=0)` over the sorted pair ids: each dot is a known pair."""
    truth = _pair_changes(org)
    found = change.reciprocity(con, "ps", before="pre", after="post")
    points = found.get("points") if isinstance(found, dict) else None
    recovered = {}
    if isinstance(points, pd.DataFrame) and len(points) == len(truth) and "mentor_change" in points:
        order = pd.DataFrame(index=range(len(truth))).sample(frac=1, random_state=0).index
        pair_ids = sorted(truth)
        for position, original in enumerate(order):
            recovered[pair_ids[original]] = float(points["mentor_change"].iloc[position])
    exact = [p for p, change in recovered.items() if abs(change - truth[p]["mentor"]) < 1e-9]
    assert len(exact) < len(truth), f"every pair's mentor change recovered from the dots: {recovered}"
    # Whatever the order, no per-pair changes are sent at all.
    individual = [c for pair in truth.values() for c in pair.values()]
    leaks = _per_person_arrays(found, individual, at_least=4)
    assert not leaks, f"reciprocity returns per-pair changes: {leaks}"


# ---------------------------------------------------------------- 3. wave mean minus paired change: the withdrawn participant


def _pre_wave(con) -> pd.Series | None:
    return _one(metrics.group_scores(con, "ps", group_by=["wave"], waves=["pre", "mid", "post"]), wave="pre")


def _before_of(change: pd.Series, post: pd.Series | None) -> float | None:
    """The paired people's mean before: shown, or the post mean minus the mean change (same people)."""
    before = _shown(change, "mean_before")
    if before is not None:
        return before
    after = _shown(change, "mean_after")
    if after is None and post is not None and _n_of(post) == _n_of(change, "mean_change"):
        after = _shown(post, "mean")
    delta = _shown(change, "mean_change")
    return None if after is None or delta is None else after - delta


def test_pre_wave_mean_against_the_paired_change_hides_the_withdrawn(org, con):
    """Cause 3: the pre bar (n = 16) against 'People compared 15' gives the withdrawn mentor's pre score."""
    waves = metrics.group_scores(con, "ps", group_by=["wave"], waves=["pre", "mid", "post"])
    pre, post = _one(waves, wave="pre"), _one(waves, wave="post")
    paired = change.wave_change(con, "ps", before="pre", after="post").iloc[0]
    n_pre, n_change, mean_pre = _n_of(pre), _n_of(paired, "mean_change"), _shown(pre, "mean")
    before = _before_of(paired, post)
    recovered = None
    if None not in (n_pre, n_change, mean_pre, before) and n_pre > n_change:
        recovered = (n_pre * mean_pre - n_change * before) / (n_pre - n_change)
    assert recovered is None or abs(recovered - org.secrets["withdrawn_pre"]) > 1e-6, (
        f"16 x pre mean - 15 x paired mean before = {recovered}: the withdrawn mentor's pre score"
    )


def test_the_all_changes_table_hides_the_withdrawn(org, con):
    """Cause 3: the pre -> mid row of all_changes (15 people) against the pre wave (16)."""
    table = change.all_changes(con, "ps")
    pre = _pre_wave(con)
    recovered = []
    for row in _rows(table, before="pre"):
        left, mean = _difference(pre, pd.Series({**row.to_dict(), "mean": _before_of(row, None)}))
        if left == 1:
            recovered.append(mean)
    assert not any(abs(r - org.secrets["withdrawn_pre"]) < 1e-6 for r in recovered), recovered


def test_the_summary_json_hides_the_withdrawn(org, con):
    """Cause 3: summary(): 16 x pre mean - 15 x (post mean - mean change) is the withdrawn's pre score."""
    found = summary.summary(con)
    waves = found["constructs"]["psych_safety"]
    change = found["pre_post"]["psych_safety"]
    pre, post = waves.get("pre", {}), waves.get("post", {})
    figures = [
        pre.get("n"),
        pre.get("mean"),
        post.get("n"),
        post.get("mean"),
        change.get("n"),
        change.get("mean_change"),
    ]
    recovered = None
    if all(_number(f) is not None for f in figures) and pre["n"] > change["n"] and post["n"] == change["n"]:
        before = post["mean"] - change["mean_change"]
        recovered = (pre["n"] * pre["mean"] - change["n"] * before) / (pre["n"] - change["n"])
    assert recovered is None or abs(recovered - org.secrets["withdrawn_pre"]) > 1e-6, recovered


# ---------------------------------------------------------------- 4. the filter guard covers only the attributes filtered

AGE = {"age_band": ["35-44", "55+"]}
MEN = {"gender": ["Man"]}
OPERATIONS = {"department": ["Operations"]}
GLASGOW = {"location": ["Glasgow"]}


def _scores_by_wave(con, filters) -> pd.DataFrame:
    return metrics.group_scores(con, "ps", group_by=["wave"], filters=filters, waves=PULSES)


def _trend(con, filters) -> pd.DataFrame:
    return metrics.pulse_trend(con, "ps", filters=filters)


def _overall_of_gaps(con, filters) -> pd.DataFrame:
    gaps = metrics.equity_gaps(con, "ps", "department", filters=filters)
    if gaps.empty or "overall_mean" not in gaps:
        return pd.DataFrame(columns=["wave", "n", "mean"])
    overall = gaps.drop_duplicates("wave")[["wave", "overall_n", "overall_mean"]]
    return overall.rename(columns={"overall_n": "n", "overall_mean": "mean"})


CROSS_ATTRIBUTE = {
    "group_scores": _scores_by_wave,
    "pulse_trend": _trend,
    "equity_gaps overall": _overall_of_gaps,
}


@pytest.mark.parametrize("name", list(CROSS_ATTRIBUTE))
@pytest.mark.parametrize(
    "big, small, who",
    [(AGE, MEN, "x"), (OPERATIONS, GLASGOW, "y")],
    ids=["age band {35-44, 55+} - gender Man", "department Operations - location Glasgow"],
)
def test_two_filters_on_different_attributes_do_not_give_one_persons_score(org, con, name, big, small, who):
    """Cause 4: the two filters' people differ by exactly one person (X, or Y): n_a*m_a - n_b*m_b is her score."""
    figure = CROSS_ATTRIBUTE[name]
    a, b = figure(con, big), figure(con, small)
    recovered = {}
    for wave in PULSES:
        left, mean = _difference(_one(a, wave=wave), _one(b, wave=wave))
        if left == 1:
            recovered[wave] = mean
    secret = org.secrets[f"{who}_scores"]
    exact = {w: m for w, m in recovered.items() if abs(m - secret[w]) < 1e-6}
    assert not exact, f"{name}: one person's pulse scores recovered: {exact}"


def test_age_band_against_gender_does_not_list_one_persons_comments(org, con):
    """Cause 4: the comments under age band {35-44, 55+} minus those under gender Man are X's five."""
    older = set(feedback.comments(con, AGE).get("text", pd.Series(dtype=str)))
    men = set(feedback.comments(con, MEN).get("text", pd.Series(dtype=str)))
    hers = (older - men) & set(org.secrets["x_comments"])
    assert not hers, f"X's verbatim comments, by set difference: {sorted(hers)}"


def test_age_band_against_gender_tone_does_not_give_one_persons_tone(org, con):
    """Cause 4: the tone by wave under the two filters, differenced, is X's comment's compound."""
    a = comments.sentiment_by_group(con, ["wave"], AGE)
    b = comments.sentiment_by_group(con, ["wave"], MEN)
    compounds = {c["wave"]: c["compound"] for c in org.comments if c["person"] == org.secrets["x"]}
    exact = {}
    for wave in PULSES:
        big, small = _one(a, wave=wave), _one(b, wave=wave)
        if big is None or small is None:
            continue
        n_big, n_small = _shown(big, "comments"), _shown(small, "comments")
        m_big, m_small = _shown(big, "mean_compound"), _shown(small, "mean_compound")
        if None in (n_big, n_small, m_big, m_small) or n_big - n_small != 1:
            continue
        value = n_big * m_big - n_small * m_small
        if abs(value - compounds[wave]) < 1e-6:
            exact[wave] = value
    assert not exact, f"X's comment tone recovered: {exact}"


# ---------------------------------------------------------------- 5. a hidden wave's comments are listed


def test_a_hidden_waves_comments_are_not_listed(org, con):
    """Cause 5: the tone chart hides 'mid' (2 commenters), but the listing shows both comments."""
    tone = comments.sentiment_by_group(con, ["wave"])
    assert _one(tone, wave="mid") is None or _shown(_one(tone, wave="mid"), "mean_compound") is None
    listed = set(feedback.comments(con).get("text", pd.Series(dtype=str)))
    shown = listed & set(org.secrets["mid_comments"])
    assert not shown, f"the hidden wave's comments are listed: {sorted(shown)}"


def test_a_hidden_waves_comments_are_not_flagged(org, con):
    """Cause 5: the wellbeing flags list the hidden wave's distress comment, with its score."""
    flagged = set(feedback.wellbeing_flags(con).get("text", pd.Series(dtype=str)))
    shown = flagged & set(org.secrets["mid_comments"])
    assert not shown, f"the hidden wave's comment is flagged for all to read: {sorted(shown)}"


def test_tone_by_location_minus_the_visible_kinds_does_not_give_the_hidden_wave(org, con):
    """Cause 5: all comments' tone (by location, every group shown) minus pre, post and pulse is mid's mean."""
    by_location = comments.sentiment_by_group(con, ["location"])
    by_kind = comments.sentiment_by_group(con, ["kind"])
    recovered = None
    locations = [(_shown(r, "comments"), _shown(r, "mean_compound")) for r in _rows(by_location)]
    kinds = {r["kind"]: (_shown(r, "comments"), _shown(r, "mean_compound")) for r in _rows(by_kind)}
    visible = {k: v for k, v in kinds.items() if None not in v}
    if locations and all(None not in v for v in locations) and set(kinds) - set(visible) == {"mid"}:
        total = sum(n * m for n, m in locations)
        count = sum(n for n, _ in locations)
        left = count - sum(n for n, _ in visible.values())
        recovered = (total - sum(n * m for n, m in visible.values())) / left if left else None
    secret = org.secrets["mid_mean_compound"]
    assert recovered is None or abs(recovered - secret) > 1e-6, f"mid's mean tone recovered: {recovered}"


# ---------------------------------------------------------------- 6. story pseudonyms re-identified

PERSON = ("department", "grade", "location", "gender", "ethnicity", "age_band", "disability")


def _story_ids(frame: pd.DataFrame) -> set:
    column = "story_key" if "story_key" in frame.columns else "pseudonym"
    return set(frame[column]) if column in frame.columns else set()


def test_single_attribute_filters_do_not_pin_a_story_to_a_few_people(org, con):
    """Cause 6: the values under which each story is listed narrow it to one employee."""
    listed = stories.consented_stories(con)
    column = "story_key" if "story_key" in listed.columns else "pseudonym"
    revealed = {story: {} for story in listed[column]}
    for attribute in PERSON:
        for value in sorted({p[attribute] for p in org.people.values()}):
            for story in _story_ids(stories.consented_stories(con, {attribute: [value]})) & set(revealed):
                revealed[story][attribute] = value
    pinned = {}
    for _, row in listed.iterrows():
        attributes = revealed[row[column]]
        candidates = [
            e
            for e, p in org.participants.items()
            if p["cohort"] == row.get("cohort", p["cohort"])
            and p["role"] == row.get("role", p["role"])
            and all(org.people[e][a] == v for a, v in attributes.items())
        ]
        if len(candidates) < K:
            pinned[row[column]] = (attributes, candidates)
    assert not pinned, f"stories narrowed to fewer than {K} people: {pinned}"


def test_a_story_is_not_listed_under_a_filter_that_leaves_fewer_than_k_tellers(org, con):
    """Cause 6: under Gender = Non-binary a story is listed with its cohort, role and focus: 1 participant."""
    filters = {"gender": ["Non-binary"]}
    listed = stories.consented_stories(con, filters)
    could_be = [e for e in org.participants if org.people[e]["gender"] == "Non-binary"]
    assert 0 < len(could_be) < K
    assert listed.empty, f"{len(listed)} story listed although it can only be one of {could_be}"


# ---------------------------------------------------------------- 7. anonymous responses counted as people

RESEARCH = {"department": ["Research"]}  # only the anonymous pulse's 4 people carry it


def test_anonymous_responses_are_not_counted_as_new_people(org, con):
    """Cause 7: 4 people answering 3 waves count as 12, so their mean score is shown."""
    pooled = metrics.group_scores(con, "ps", group_by=[], filters=RESEARCH)
    by_department = metrics.group_scores(con, "ps", group_by=["department"])
    shown = [
        (row.get("n"), _shown(row, "mean"))
        for row in [*_rows(pooled), *_rows(by_department, department="Research")]
        if _shown(row, "mean") is not None
    ]
    assert not shown, f"the 4 anonymous people's score is shown, as n = 12: {shown}"


def test_anonymous_comments_are_not_listed_for_four_people(org, con):
    """Cause 7: the 4 people's 12 comments pass the comment threshold of 10."""
    listed = set(feedback.comments(con, RESEARCH).get("text", pd.Series(dtype=str)))
    shown = listed & set(org.secrets["anonymous_comments"])
    tone = _one(comments.sentiment_by_group(con, ["department"]), department="Research")
    assert not shown, f"{len(shown)} comments of 4 anonymous people listed"
    assert tone is None or _shown(tone, "mean_compound") is None, "their tone is shown"


# ---------------------------------------------------------------- 8. wave-set differencing


def test_one_pulse_against_two_does_not_give_a_three_person_group(org, con):
    """Cause 8: Legal over pulses 1-2 (8 people) minus Legal over pulse 2 (5) is pulse 1's 3 people."""
    two = metrics.group_scores(con, "ps", group_by=["department"], waves=PULSES[:2])
    one = metrics.group_scores(con, "ps", group_by=["department"], waves=PULSES[1:2])
    left, mean = _difference(_one(two, department="Legal"), _one(one, department="Legal"))
    assert not (left == 3 and abs(mean - org.secrets["legal_first_mean"]) < 1e-6), (
        f"the 3 Legal people of pulse 1 average {mean}"
    )


# ---------------------------------------------------------------- browser-visible: counts and hidden groups


def test_the_pre_mid_post_page_shows_no_count_under_k(org, monkeypatch):
    """'People compared 1' and a lone role bar: the filter leaves one non-binary participant."""
    monkeypatch.setenv("MUTUAL_DB", str(org.path))
    at = AppTest.from_file(str(ROOT / "views/pre_mid_post.py"), default_timeout=120)
    at.session_state["filters"] = {"gender": ["Non-binary"]}
    at.run()
    assert not at.exception, at.exception
    tiles = {m.label: m.value for m in at.metric}
    shown = tiles.get("People compared", "")
    assert not re.fullmatch(r"[1-4]", str(shown).strip()), f"People compared {shown}"
    roles = []
    for chart in at.get("plotly_chart"):
        for trace in json.loads(chart.proto.spec)["data"]:
            named = [trace.get("name"), *(trace.get("x") or []), *(trace.get("y") or [])]
            roles += [r for r in ("mentor", "mentee") if any(str(v).lower().startswith(r) for v in named)]
    assert not roles, f"a role bar drawn for 1 person: {roles}"


def test_equity_gaps_do_not_print_the_n_of_hidden_groups(con):
    """Hidden departments' n (1, 2, 3) are printed in the equity-gaps table."""
    gaps = metrics.equity_gaps(con, "ps", "department")
    hidden = gaps[gaps["suppressed"].astype(bool)]
    assert not hidden.empty
    printed = hidden["n"].dropna().tolist() if "n" in hidden else []
    assert not printed, f"n of hidden groups: {printed}"


def test_the_goals_table_does_not_print_the_n_of_hidden_groups(con):
    """Hidden groups' n (1, 1, 3) are printed in the goals table."""
    table = goals.goal_attainment(con, group_by=["department"])
    hidden = table[table["suppressed"].astype(bool)]
    assert not hidden.empty
    printed = hidden["n"].dropna().tolist() if "n" in hidden else []
    assert not printed, f"n of hidden groups: {printed}"


def test_group_scores_do_not_return_the_n_of_hidden_groups(con):
    """A hidden group shows nothing, not its n (group_scores by wave and department)."""
    table = metrics.group_scores(con, "ps", group_by=["wave", "department"])
    hidden = table[table["suppressed"].astype(bool)]
    assert not hidden.empty
    printed = hidden["n"].dropna().tolist() if "n" in hidden else []
    assert not printed, f"n of hidden groups: {printed[:10]}"
