"""Attacks on the minimum group size: narrowing filters, subtraction, comments, stories, downloads, summary JSON.

Each test plays an analyst trying to learn about fewer than k people, against the analytics functions
and against the pages, on the shipped sample (k = 5 for scores, 10 for free text).
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from itertools import combinations
from pathlib import Path

import pandas as pd
import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from analytics import change, comparison, goals, metrics, overview, retention, stories
from analytics.examples import example_files
from analytics.filters import missing_label, where_sql
from analytics.safe_output import neutralise_csv
from analytics.store import db
from analytics.summary import summary
from analytics.text import comments, feedback, themes

ROOT = Path(__file__).resolve().parents[1]
K = 5
K_TEXT = 10
PERSON = ["department", "gender", "age_band", "ethnicity", "grade", "location", "disability"]


# ---------------------------------------------------------------- who a filter covers (the attacker's target)


def _respondents(con, filters: dict) -> int:
    condition, params = where_sql(filters, "r")
    sql = (
        f"SELECT count(DISTINCT coalesce(r.employee_id, r.response_id)) FROM respondents r WHERE {condition}"
    )
    return con.execute(sql, params).fetchone()[0]


def _employees(con, filters: dict) -> int:
    clauses = " AND ".join(f'e."{a}" IN ({", ".join("?" for _ in v)})' for a, v in filters.items())
    params = [x for v in filters.values() for x in v]
    return con.execute(f"SELECT count(*) FROM employees e WHERE {clauses}", params).fetchone()[0]


@pytest.fixture(scope="module")
def sample(sample_db_file, tmp_path_factory):
    path = tmp_path_factory.mktemp("privacy") / "sample.duckdb"
    path.write_bytes(Path(sample_db_file).read_bytes())
    con = db.connect(path)
    yield con
    con.close()


@pytest.fixture(scope="module")
def narrow(sample) -> list[dict]:
    """Two-attribute filters that leave 1 to k-1 people, both as respondents and as employees."""
    found = []
    for a, b in combinations(PERSON, 2):
        cells = sample.execute(
            f'SELECT "{a}", "{b}", count(*) FROM employees WHERE "{a}" IS NOT NULL AND "{b}" IS NOT NULL '
            "GROUP BY ALL HAVING count(*) < ? ORDER BY 3, 1, 2",
            [K],
        ).fetchall()
        for x, y, _ in cells[:2]:
            filters = {a: [x], b: [y]}
            if 0 < _respondents(sample, filters) < K and _employees(sample, filters) < K:
                found.append(filters)
    assert len(found) >= 10
    return found[::2][:12]


# ---------------------------------------------------------------- narrowing filters


def _nothing(result) -> bool:
    """True when a result shows no statistic: empty, or every group suppressed, or every figure None."""
    if isinstance(result, pd.DataFrame):
        return result.empty or ("suppressed" in result.columns and bool(result["suppressed"].all()))
    if isinstance(result, themes.Themes):
        return result.themes.empty
    if isinstance(result, dict):
        if "suppressed" in result:
            return bool(result["suppressed"])
        figures = [k for k in result if k.endswith(("_6m", "_12m", "_p")) or k in ("pre", "latest")]
        figures += [k for k in result if k.startswith("exits_")]
        return bool(figures) and all(result[k] is None for k in figures)
    raise TypeError(type(result))


ATTACKS = {
    "group_scores by wave": lambda con, f: metrics.group_scores(con, "ps", ["wave"], f),
    "group_scores by wave and role": lambda con, f: metrics.group_scores(con, "ps", ["wave", "role"], f),
    "item_favourable": lambda con, f: metrics.item_favourable(con, "ps", None, f),
    "enps by wave": lambda con, f: metrics.enps(con, ["wave"], f),
    "equity_gaps": lambda con, f: metrics.equity_gaps(con, "ps", "department", f),
    "pulse_trend": lambda con, f: metrics.pulse_trend(con, "ps", None, f),
    # drop = -10 on a 1-7 scale: every shown change is an alert, so an empty list means nothing shown
    "score_alerts": lambda con, f: metrics.score_alerts(con, "ps", "department", -10, f),
    "goal_attainment": lambda con, f: goals.goal_attainment(con, None, f),
    "wave_change": lambda con, f: change.wave_change(con, "ps", filters=f),
    "all_changes": lambda con, f: change.all_changes(con, "ps", f),
    "reciprocity": lambda con, f: change.reciprocity(con, "ps", filters=f),
    "participants_vs_comparison": lambda con, f: comparison.participants_vs_comparison(con, "ps", f),
    "difference_in_differences": lambda con, f: comparison.difference_in_differences(con, "ps", f),
    "latest_vs_pre": lambda con, f: overview.latest_vs_pre(con, "ps", f),
    "retention_summary": lambda con, f: retention.retention_summary(con, f),
    "retention_curves": lambda con, f: retention.retention_curves(con, f),
    "participation_summary": lambda con, f: goals.participation_summary(con, None, f),
    "sessions_by_month": lambda con, f: goals.sessions_by_month(con, f),
    "sentiment_by_group": lambda con, f: comments.sentiment_by_group(con, ["wave"], f),
    "comments list": lambda con, f: feedback.comments(con, f),
    "wellbeing flags": lambda con, f: feedback.wellbeing_flags(con, f),
    "themes": lambda con, f: themes.find_themes(con, f),
    "themes by wave": lambda con, f: themes.theme_by_wave(con, f),
}


@pytest.mark.parametrize("name", list(ATTACKS))
def test_a_filter_leaving_fewer_than_k_people_shows_nothing(sample, narrow, name):
    for filters in narrow:
        assert _nothing(ATTACKS[name](sample, filters)), (name, filters)


@pytest.mark.parametrize("name", list(ATTACKS))
def test_the_attacks_do_see_figures_for_large_groups(sample, name):
    """The same calls unfiltered show figures: the test above is not passing vacuously."""
    assert not _nothing(ATTACKS[name](sample, None)), name


def test_threshold_is_exact_at_the_boundary(sample, narrow):
    """A group of exactly m respondents is shown with min_group = m and hidden with m + 1."""
    filters = {"department": ["Engineering"], "gender": ["Non-binary"]}
    scores = metrics.group_scores(sample, "ps", ["wave"], filters, min_group=1)
    m = int(scores["n"].max())  # the largest wave of this small group
    wave = scores.loc[scores["n"] == m, "wave"].iloc[0]
    shown = metrics.group_scores(sample, "ps", ["wave"], filters, min_group=m).set_index("wave")
    hidden = metrics.group_scores(sample, "ps", ["wave"], filters, min_group=m + 1).set_index("wave")
    assert not shown.loc[wave, "suppressed"] and not math.isnan(shown.loc[wave, "mean"])
    assert hidden.loc[wave, "suppressed"] and math.isnan(hidden.loc[wave, "mean"])


# ---------------------------------------------------------------- subtraction: total minus visible subgroups


def _true_n(con, wave_attributes: list[str]) -> pd.DataFrame:
    """Respondents with a psychological-safety score per wave and attributes, counted from the raw rows."""
    scores = metrics.construct_scores(con, "ps")
    scores = scores[scores["score"].notna()].copy()
    scores["who"] = scores["employee_id"].fillna(scores["response_id"])
    for attribute in wave_attributes:
        missing = None if attribute == "wave" else missing_label(attribute)  # as the figures label it
        scores[attribute] = scores[attribute].astype("object").where(scores[attribute].notna(), missing)
    return scores.groupby(wave_attributes, dropna=False)["who"].nunique().rename("true_n").reset_index()


def _safe_partition(hidden_n: list[int], k: int, cells: int) -> bool:
    """Hidden groups are safe when there are none, when all are hidden (no visible part to subtract),
    or when at least two are hidden holding k or more people together."""
    return not hidden_n or len(hidden_n) == cells or (len(hidden_n) >= 2 and sum(hidden_n) >= k)


@pytest.mark.parametrize("attribute", ["department", "gender", "age_band", "ethnicity", "disability", "role"])
@pytest.mark.parametrize("k", [5, 12])
def test_total_minus_visible_subgroups_reveals_no_small_group(sample, attribute, k):
    by_group = metrics.group_scores(sample, "ps", ["wave", attribute], min_group=k)
    totals = metrics.group_scores(sample, "ps", ["wave"], min_group=k).set_index("wave")
    truth = _true_n(sample, ["wave", attribute])
    merged = by_group.merge(truth, on=["wave", attribute], how="left")
    for wave, groups in merged.groupby("wave"):
        hidden = groups[groups["suppressed"]]
        assert _safe_partition(hidden["true_n"].astype(int).tolist(), k, len(groups)), (wave, hidden)
        if hidden.empty or totals.loc[wave, "suppressed"]:
            continue
        # The attack: visible total minus the visible groups leaves the hidden ones' combined mean.
        visible = groups[~groups["suppressed"]]
        left_n = totals.loc[wave, "n"] - visible["n"].sum()
        assert left_n >= k, (wave, left_n)  # what it reveals is an average over k or more people


@pytest.mark.parametrize("k", [5, 8])
def test_cross_breakdown_margins_reveal_no_small_cell(sample, k):
    cells = metrics.group_scores(sample, "ps", ["wave", "department", "gender"], min_group=k)
    truth = _true_n(sample, ["wave", "department", "gender"])
    cells = cells.merge(truth, on=["wave", "department", "gender"], how="left")
    assert cells["suppressed"].any() and not cells["suppressed"].all()
    for margin in (["wave", "department"], ["wave", "gender"]):
        for key, group in cells.groupby(margin):
            hidden = group.loc[group["suppressed"], "true_n"].astype(int).tolist()
            assert _safe_partition(hidden, k, len(group)), (key, group)


def test_comment_tone_breakdown_reveals_no_small_group(sample):
    tone = comments.sentiment_by_group(sample, ["wave", "department"])
    for wave, groups in tone.groupby("wave"):
        hidden = groups[groups["suppressed"]]
        assert hidden[["n", "mean_compound", "positive_pct"]].isna().all().all()
        visible = groups[~groups["suppressed"]]
        assert (visible["n"] >= K_TEXT).all(), (wave, visible)
        assert hidden.empty or len(hidden) >= 2, (wave, hidden)


def test_differencing_two_visible_filter_results(sample):
    department = {"department": ["Engineering"]}
    genders = [
        r[0]
        for r in sample.execute("SELECT DISTINCT gender FROM employees WHERE gender IS NOT NULL").fetchall()
    ]
    rest = {"department": ["Engineering"], "gender": [g for g in genders if g != "Prefer not to say"]}
    whole = metrics.group_scores(sample, "ps", ["wave"], department).set_index("wave")
    part = metrics.group_scores(sample, "ps", ["wave"], rest).set_index("wave")
    both = whole.join(part.add_suffix("_part")).dropna(subset=["mean", "mean_part"])
    small = both[(both["n"] - both["n_part"] > 0) & (both["n"] - both["n_part"] < K)]
    assert small.empty, small[["n", "n_part"]]  # else the few people's mean follows by subtraction


# ---------------------------------------------------------------- comments and stories


def test_comments_appear_only_for_k_text_commenters_and_name_no_one(sample):
    listing = feedback.comments(sample)
    assert not listing.empty and comments.commenters(sample) >= K_TEXT
    assert not {"employee_id", "response_id", "respondent", *PERSON} & set(listing.columns)
    listed = []  # departments whose mentors' comments are listed somewhere
    for department in [r[0] for r in sample.execute("SELECT DISTINCT department FROM employees").fetchall()]:
        filters = {"department": [department], "role": ["mentor"]}
        count = comments.commenters(sample, filters)
        shown = feedback.comments(sample, filters)
        assert not {"employee_id", "response_id", "respondent", *PERSON} & set(shown.columns)
        if not shown.empty:
            listed.append(department)
        # Counted per wave now: fewer than k_text commenters in all lists nothing; k_text in all is not
        # enough when some wave has fewer.
        if count < K_TEXT:
            assert shown.empty, (department, count)
        for wave in shown["wave"].unique():
            in_wave = comments.sentiment_by_group(sample, ["wave"], filters).set_index("wave")
            assert not in_wave.loc[wave, "suppressed"] and in_wave.loc[wave, "n"] >= K_TEXT
    assert listed, "no filtered listing shown: the check above is vacuous"


def test_comments_threshold_follows_the_setting(sample, monkeypatch):
    # Comments are counted per wave: the largest wave's commenters decide what a threshold shows.
    by_wave = comments.sentiment_by_group(sample, ["wave"], min_group=1)
    largest = int(by_wave["n"].max())
    monkeypatch.setenv("MUTUAL_MIN_GROUP_COMMENTS", str(largest + 1))
    assert feedback.comments(sample).empty
    assert themes.find_themes(sample).themes.empty
    monkeypatch.setenv("MUTUAL_MIN_GROUP_COMMENTS", str(largest))
    assert not feedback.comments(sample).empty


def test_a_story_is_ranked_only_against_k_or_more_people(sample):
    # Story keys are salted per database, so their order differs between runs: take a story whose
    # teller has a pre-to-post change to rank.
    keys = stories.consented_stories(sample)["story_key"]
    told = next(t for t in (stories.story(sample, k) for k in keys) if t["change_percentile"] is not None)
    key = told["story_key"]
    n = told["group_n"]
    assert n >= K and told["distribution"] is not None
    alone = stories.story(sample, key, min_group=n + 1)
    assert alone["distribution"] is None and alone["change_percentile"] is None
    assert alone["post_percentile"] is None and "not ranked" in alone["sentence"]
    assert stories.story(sample, key, min_group=n)["distribution"] is not None


def test_stories_show_only_consenting_participants_words(sample):
    """Every listed story is a comment of a participant whose roster says story_consent = yes."""
    listed = stories.consented_stories(sample)
    consented_texts = {
        r[0]
        for r in sample.execute(
            """SELECT c.text FROM comments c JOIN responses r USING (response_id)
               JOIN participants p USING (employee_id) WHERE p.story_consent"""
        ).fetchall()
    }
    assert not listed.empty and set(listed["text"]) <= consented_texts
    assert not {"employee_id", "response_id", "pair_id"} & set(listed.columns)


# ---------------------------------------------------------------- summary JSON and downloads


def _figures(node, path=()):
    """Every (path, value) leaf of the summary that is a statistic, not a count of people or rows."""
    counts = {"n", "pairs", "participants", "comparison", "comments", "counts"}
    if isinstance(node, dict):
        for key, value in node.items():
            if key in counts and not isinstance(value, dict):
                continue
            if key == "counts" or key == "construct":
                continue
            yield from _figures(value, (*path, key))
    else:
        yield path, node


def test_summary_json_hides_every_figure_below_the_threshold(sample):
    hidden = summary(sample, min_group=10**6)
    leaks = [(p, v) for p, v in _figures(hidden) if v is not None and p[0] != "sentiment"]
    assert not leaks, leaks
    shown = summary(sample)
    assert any(v is not None for _, v in _figures(shown))


def test_cli_summary_json_hides_every_figure_below_the_threshold(sample_db, tmp_path):
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "MUTUAL_MIN_GROUP": "100000",
        "MUTUAL_MIN_GROUP_COMMENTS": "100000",
    }
    done = subprocess.run(
        [sys.executable, "-m", "analytics", "summary", "--db", str(sample_db)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    figures = list(_figures(json.loads(done.stdout)))
    assert figures and all(v is None for _, v in figures), [f for f in figures if f[1] is not None]


def _served_files(monkeypatch) -> dict[str, bytes]:
    """Every file the pages hand Streamlit's (real, in-memory) media storage, by the name in its URL."""
    served: dict[str, bytes] = {}
    store = MemoryMediaFileStorage.load_and_get_id

    def load_and_get_id(self, path_or_data, mimetype, kind, filename=None):
        file_id = store(self, path_or_data, mimetype, kind, filename)
        served[self.get_url(file_id).rsplit("/", 1)[-1]] = self.get_file(file_id).content
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", load_and_get_id)
    return served


def test_template_downloads_come_from_the_synthetic_sample_not_the_database(sample_db, monkeypatch):
    """The Upload page's CSV downloads are cut from data/sample (neutralised), so they cannot carry imported people."""
    con = db.connect(sample_db)
    con.execute("UPDATE employees SET department = 'Imported-Only-Department'")  # not in data/sample
    con.close()
    served = _served_files(monkeypatch)
    at = AppTest.from_file(str(ROOT / "views" / "upload.py"), default_timeout=120).run()
    assert not at.exception, at.exception
    buttons = {b.proto.id.rsplit("-", 1)[-1]: b.proto for b in at.get("download_button")}
    examples = example_files()
    assert examples and all(f"download_{name}" in buttons for name in examples)
    sample_text = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "data" / "sample").glob("*.csv"))
    for name, raw in examples.items():
        data = served[buttons[f"download_{name}"].url.rsplit("/", 1)[-1]]
        assert raw != neutralise_csv(raw)  # so the comparison below tells a neutralised file from the raw one
        assert data == neutralise_csv(raw), name
        text = data.decode("utf-8")
        assert "Imported-Only-Department" not in text
        for line in text.splitlines()[1:]:
            assert line in sample_text, (name, line)


# ---------------------------------------------------------------- the pages under narrowing filters

PAGES = sorted(f"views/{p.name}" for p in (ROOT / "views").glob("*.py") if p.name != "upload.py")
COUNT_TILES = ("Participants", "Active pairs", "Pairs", "People compared", "Last import", "Response rate")


def _reads_as_number(frame: pd.DataFrame) -> pd.DataFrame:
    """Each cell as a number where it reads as one, text included (ui.format.value_table formats figures
    as text: "1,234", "+0.25", "12.5 %"), else NaN."""
    text = frame.astype("string").apply(lambda c: c.str.replace(r"[+,%\s]", "", regex=True))
    return text.apply(pd.to_numeric, errors="coerce")


@pytest.mark.parametrize("page", PAGES)
def test_pages_show_no_statistic_for_a_narrow_filter(sample_db, page):
    filters = {"department": ["People"], "gender": ["Non-binary"]}  # 2 people in the sample
    con = db.connect(sample_db)
    assert 0 < _respondents(con, filters) < K
    con.close()
    at = AppTest.from_file(str(ROOT / page), default_timeout=120)
    at.session_state["filters"] = filters
    at.run()
    assert not at.exception, at.exception
    for tile in at.metric:
        if not tile.label.startswith(COUNT_TILES):
            shown = tile.value.replace(f"fewer than {K} responses", "")
            assert not any(ch.isdigit() for ch in shown), (tile.label, tile.value)
    for table in at.dataframe:
        frame = table.value
        if "n" in frame.columns:
            numbers = _reads_as_number(frame)
            n = numbers["n"]
            assert (n.dropna() >= K).all(), (page, frame[n.notna()])  # no count under k, even shown
            small = n.isna() | (n < K)  # a hidden row's n is blank or the reason
            assert numbers.drop(columns=["n"])[small].isna().all().all(), (page, frame[small])
        assert "text" not in frame.columns or frame.empty, page  # no comment text for 2 people


def _trace_types(at: AppTest) -> list[str]:
    return [t.get("type") for c in at.get("plotly_chart") for t in json.loads(c.proto.spec)["data"]]


def test_story_page_shows_the_cohort_distribution_only_for_k_or_more(sample_db, monkeypatch):
    at = AppTest.from_file(str(ROOT / "views/stories.py"), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    assert "box" in _trace_types(at)  # the cohort's distribution beside the story
    monkeypatch.setenv("MUTUAL_MIN_GROUP", "1000")  # more than any cohort and role has
    at = AppTest.from_file(str(ROOT / "views/stories.py"), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    # No cohort and role has 1000 people a story could be: no story is listed, so nothing is ranked.
    assert "box" not in _trace_types(at) and not at.metric
    assert any("at least 1000 participants" in i.value for i in at.info)
