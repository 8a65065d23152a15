"""AppTests of the Cohort outcomes, Psychological safety and Goals and participation pages."""

import base64
import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from analytics import goals, metrics, privacy
from analytics.instruments import reverse_code
from analytics.store import db
from tests import builders
from ui.format import chart_text

ROOT = Path(__file__).resolve().parent.parent


def run(page: str, filters: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / page), default_timeout=120)
    if filters:
        at.session_state["filters"] = filters
    at.run()
    assert not at.exception, at.exception
    return at


def decode(value):
    """Plotly's typed arrays ({"dtype", "bdata", "shape"}) as plain nested lists."""
    if isinstance(value, dict) and "bdata" in value:
        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        if "shape" in value:
            array = array.reshape([int(n) for n in str(value["shape"]).split(",")])
        return [None if v != v else v for v in array.tolist()] if array.ndim == 1 else decode_rows(array)
    if isinstance(value, dict):
        return {key: decode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [decode(item) for item in value]
    return value


def decode_rows(array: np.ndarray) -> list:
    return [[None if v != v else v for v in row] for row in array.tolist()]


def charts(at: AppTest) -> dict[str, dict]:
    """Every plotly chart on the page, by its title."""
    figures = [decode(json.loads(chart.proto.spec)) for chart in at.get("plotly_chart")]
    return {figure["layout"]["title"]["text"]: figure for figure in figures}


def chart(at: AppTest, starts: str) -> dict:
    return next(figure for title, figure in charts(at).items() if title.startswith(starts))


def cell_texts(figure: dict) -> list[str]:
    return [text for trace in figure["data"] for row in trace.get("text") or [] for text in row if text]


# Cohort outcomes


PROGRAMME_WAVES = ["pre", "mid", "post"]
HEATMAP = "Psychological safety by cohort and wave"


def heatmap_cells(figure: dict) -> dict[tuple[str, str], dict]:
    """Each cell of the cohort x wave heatmap: its score, grey layer, text and hover n."""
    scores, grey = figure["data"]
    return {
        (cohort, wave): {
            "z": scores["z"][row][column],
            "grey": grey["z"][row][column],
            "text": scores["text"][row][column],
            "n": scores["customdata"][row][column],
        }
        for row, cohort in enumerate(scores["y"])
        for column, wave in enumerate(scores["x"])
    }


def assert_heatmap_shows_the_gate(figure: dict, expected, note: str) -> None:
    """The heatmap holds exactly the gated groups' cells: shown ones coloured with mean and n, hidden
    ones grey with the gate's reason and no n; a cohort hidden at every wave is not drawn at all."""
    with_a_figure = set(expected.loc[~expected["suppressed"], "cohort"])
    cells = heatmap_cells(figure)
    drawn = expected[expected["cohort"].isin(with_a_figure)]
    assert set(cells) == set(zip(drawn["cohort"], drawn["wave"], strict=True))
    for row in drawn.itertuples():
        cell = cells[(row.cohort, row.wave)]
        if row.suppressed:
            assert cell["z"] is None and cell["n"] is None  # no colour from the score scale, no n
            assert cell["grey"] == 1
            assert cell["text"] == chart_text(row.suppressed_reason or note)
        else:
            assert cell["z"] == pytest.approx(row.mean)
            assert cell["grey"] is None
            assert cell["n"] == row.n
            assert cell["text"].startswith(f"{row.mean:.2f}<br>n={row.n}")


def test_cohort_outcomes_heatmap_shows_groups_by_wave(sample_db, sample_con):
    at = run("views/cohort_outcomes.py")
    assert at.title[0].value == "Cohort outcomes"
    figure = chart(at, HEATMAP)
    assert figure["data"][0]["type"] == "heatmap" and figure["data"][0]["x"] == PROGRAMME_WAVES
    expected = metrics.group_scores(sample_con, "ps", ["cohort", "wave"], waves=PROGRAMME_WAVES)
    assert not expected["suppressed"].all()
    assert_heatmap_shows_the_gate(figure, expected, privacy.suppressed_note(privacy.min_group()))
    assert figure["layout"]["xaxis"]["title"]["text"] == "Survey wave"
    assert "How to read this" in " ".join(c.value for c in at.caption)


def ps_answers(score: float) -> dict[str, float]:
    """Answers to the seven psychological safety items whose construct score is `score`
    (a reverse-scored item answered 8 - score)."""
    return {item: float(reverse_code(item, score)) for item in builders.PS_ITEMS}


def cohorts_db(path: Path, scores: dict[str, dict[str, list[float]]]) -> Path:
    """A programme database: cohort -> wave -> each member's ps score at that wave.

    Member i of a cohort answers a wave when the wave's list has an i-th score, so a shorter post list
    is the first members of the pre one. Everyone is a mentee with no other attribute recorded, so the
    cohorts are the only breakdown the gate has to weigh.
    """
    con = db.connect(path)
    builders.add_wave(con, "pre", "pre", "2025-01-06")
    builders.add_wave(con, "post", "post", "2025-06-02")
    for cohort, waves in scores.items():
        for number in range(max(len(values) for values in waves.values())):
            person = f"{cohort}-{number}"
            builders.add_employee(con, person)
            builders.add_participant(con, person, cohort=cohort, role="mentee", pair_id=f"p-{person}")
            for wave, values in waves.items():
                if number < len(values):
                    builders.add_response(
                        con, f"{wave}-{person}", wave, ps_answers(values[number]), employee_id=person
                    )
    builders.finish(con)
    con.close()
    return path


@pytest.fixture
def worse_cohort_db(tmp_path, monkeypatch):
    """Two cohorts of 12 alike at pre (5); at post Thriving scores 6 and 7 in turn, Struggling 2 and 3."""
    monkeypatch.setenv("MUTUAL_MIN_GROUP", "5")
    path = cohorts_db(
        tmp_path / "worse.duckdb",
        {
            "Thriving": {"pre": [5.0] * 12, "post": [6.0, 7.0] * 6},
            "Struggling": {"pre": [5.0] * 12, "post": [2.0, 3.0] * 6},
        },
    )
    monkeypatch.setenv("MUTUAL_DB", str(path))
    return path


def test_cohort_outcomes_worse_cohort_is_visibly_lower(worse_cohort_db):
    at = run("views/cohort_outcomes.py")
    cells = heatmap_cells(chart(at, HEATMAP))
    # Known by construction: post means 6.5 and 2.5, against everyone's 4.5
    assert cells[("Thriving", "post")]["z"] == pytest.approx(6.5)
    assert cells[("Struggling", "post")]["z"] == pytest.approx(2.5)
    assert cells[("Struggling", "pre")]["z"] == pytest.approx(cells[("Thriving", "pre")]["z"])
    gaps = at.dataframe[-1].value.set_index("cohort")  # the equity gaps at the last wave, post
    assert gaps.loc["Struggling", "direction"] == "below"
    assert gaps.loc["Thriving", "direction"] == "above"
    assert float(gaps.loc["Struggling", "gap"]) == pytest.approx(2.5 - 4.5)


@pytest.fixture
def small_cohort_db(tmp_path, monkeypatch):
    """At post: Large 12 people, Middle 8, Small 3 (of its 8 at pre); k = 5."""
    monkeypatch.setenv("MUTUAL_MIN_GROUP", "5")
    path = cohorts_db(
        tmp_path / "small.duckdb",
        {
            "Large": {"pre": [4.0] * 12, "post": [5.0, 6.0] * 6},
            "Middle": {"pre": [4.0] * 8, "post": [5.0] * 8},
            "Small": {"pre": [4.0, 5.0] * 4, "post": [2.0, 3.0, 4.0]},
        },
    )
    monkeypatch.setenv("MUTUAL_DB", str(path))
    return path


def test_cohort_outcomes_greys_and_labels_small_groups(small_cohort_db):
    at = run("views/cohort_outcomes.py")
    figure = chart(at, HEATMAP)
    with db.connect(small_cohort_db) as con:
        expected = metrics.group_scores(con, "ps", ["cohort", "wave"], waves=["pre", "post"])
    assert_heatmap_shows_the_gate(figure, expected, privacy.suppressed_note(5))
    cells = heatmap_cells(figure)
    # Known by construction: Small's 3 post people are under k, and Middle, the next-smallest at post,
    # is hidden with it so that everyone's post figure minus Large's cannot give Small's.
    assert cells[("Small", "post")]["text"] == privacy.REASONS["small"].format(k=5)
    assert cells[("Middle", "post")]["text"] == privacy.REASONS["secondary"]
    assert cells[("Large", "post")]["z"] == pytest.approx(5.5)
    assert [cells[(cohort, "pre")]["n"] for cohort in ("Large", "Middle", "Small")] == [12, 8, 8]
    captions = " ".join(c.value for c in at.caption)
    assert f"Grey cells are hidden for privacy ({privacy.suppressed_note(5)})" in captions


def test_cohort_outcomes_breakdown_and_items_view(sample_db, sample_con):
    at = run("views/cohort_outcomes.py")
    at.selectbox(key="co_construct").set_value("eng")
    at.selectbox(key="co_group_by").set_value("role")
    at.radio(key="co_view").set_value("Groups x items (% favourable)")
    at.run()
    assert not at.exception, at.exception
    figure = chart(at, "Engagement: % favourable per item, post")
    scores = figure["data"][0]
    assert scores["y"] == ["mentee", "mentor"]
    assert scores["x"] == ["eng_1", "eng_2", "eng_3", "eng_4"]
    expected = metrics.item_favourable(sample_con, "eng", ["role"], waves=["post"]).set_index(
        ["role", "item_id"]
    )
    assert scores["z"][1][0] == pytest.approx(expected.loc[("mentor", "eng_1"), "favourable_pct"])
    assert chart(at, "Engagement: each role against everyone, post")


def test_cohort_outcomes_filter_leaving_too_few_shows_nothing(sample_db):
    at = run("views/cohort_outcomes.py", {"cohort": ["2025-Spring"], "department": ["Legal"]})
    assert any("Nothing to show" in w.value for w in at.warning)
    assert not at.get("plotly_chart")


# Psychological safety


def test_psych_safety_trend_items_and_alerts(sample_db, sample_con):
    at = run("views/psych_safety.py")
    assert at.title[0].value == "Psychological safety"
    trend = chart(at, "Psychological safety across the organisation")["data"][0]
    expected = metrics.pulse_trend(sample_con, "ps")
    assert trend["y"] == pytest.approx(list(expected["mean"]))
    assert [row[0] for row in trend["customdata"]] == list(expected["n"])  # n in the hover
    items = chart(at, "% favourable per item")["data"][0]
    assert len(items["x"]) == 7
    assert items["x"][0] == min(items["x"])  # sorted: the item dragging the score down first
    # default drop 0.2 by department
    alerts = at.dataframe[-1].value
    wanted = metrics.score_alerts(sample_con, "ps", "department", 0.2)
    assert list(alerts["department"]) == list(wanted["department"])
    assert at.slider(key="ps_alert_drop").value == 0.2


def test_psych_safety_alerts_follow_the_slider(sample_db, sample_con):
    at = run("views/psych_safety.py")
    at.radio(key="ps_breakdown").set_value("grade")
    at.slider(key="ps_alert_drop").set_value(1.0)
    at.run()
    assert not at.exception, at.exception
    assert chart(at, "Psychological safety by grade")
    assert any("No grade fell by more than 1.00" in s.value for s in at.success)
    at.slider(key="ps_alert_drop").set_value(0.0)
    at.run()
    wanted = metrics.score_alerts(sample_con, "ps", "grade", 0.0)
    if wanted.empty:
        assert at.success
    else:
        assert list(at.dataframe[-1].value["grade"]) == list(wanted["grade"])


# Goals and participation


@pytest.mark.parametrize(
    "filters", [None, {"cohort": ["2025-Spring"]}], ids=["everyone", "one cohort, some bands hidden"]
)
def test_goals_page_histogram_and_groups(sample_db, sample_con, filters):
    at = run("views/goals_participation.py", filters)
    assert at.title[0].value == "Goals and participation"
    note = privacy.suppressed_note(privacy.min_group(), filters)
    overall = goals.goal_attainment(sample_con, None, filters).iloc[0]
    bands = goals.gas_distribution(sample_con, filters)
    if filters:
        assert bands["suppressed"].any()  # the sample's 2025-Spring has bands under k
    histogram = chart(at, f"Goal Attainment T-scores at post (n = {int(overall['n']):,})")
    bars = histogram["data"][0]
    shown = bands[~bands["suppressed"]]
    assert bars["x"] == list(shown["band"])  # a hidden band is not drawn at all
    assert bars["y"] == list(shown["n"])
    assert histogram["layout"]["xaxis"]["categoryarray"] == list(bands["band"])
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Mean GAS T-score"] == f"{overall['mean_t']:.1f}"
    assert tiles["Goals met"] == f"{overall['met_pct']:.0f} %"
    assert tiles["Participants with rated goals"] == f"{int(overall['n']):,}"

    groups = goals.goal_attainment(sample_con, ["cohort", "role"], filters)
    drawn = groups[~groups["suppressed"]]
    if drawn.empty:
        assert not [title for title in charts(at) if title.startswith("Mean GAS T-score by cohort and role")]
        wanted = f"No cohort and role is shown on its own: {note}, or to protect a smaller group."
        assert wanted in [i.value for i in at.info]
        return
    by_group = chart(at, "Mean GAS T-score by cohort and role")
    bars = {
        (cohort, trace["name"]): mean
        for trace in by_group["data"]
        for cohort, mean in zip(trace["x"], trace["y"], strict=True)
    }
    expected = drawn.set_index(["cohort", "role"])["mean_t"].to_dict()
    assert bars == pytest.approx(expected)


def test_goals_page_participation_and_inactive_pairs(sample_db, sample_con):
    at = run("views/goals_participation.py")
    summary = goals.participation_summary(sample_con).iloc[0]
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Inactive pairs"] == str(int(summary["inactive"]))
    assert tiles["Meeting at least monthly"] == f"{summary['meets_monthly_pct']:.0f} %"
    sessions = chart(at, "Mentoring sessions logged per month")["data"][0]
    assert sum(sessions["y"]) == goals.sessions_by_month(sample_con)["sessions"].sum()
    inactive = at.dataframe[-1].value
    expected = goals.participation(sample_con)
    assert sorted(inactive["pair_id"]) == sorted(expected.loc[expected["inactive"], "pair_id"])
    assert "days since last session" in inactive.columns


def test_goals_page_mid_wave_and_filters(sample_db, sample_con):
    at = run("views/goals_participation.py", {"cohort": ["2025-Spring"]})
    at.radio(key="gp_wave").set_value("mid")
    at.run()
    assert not at.exception, at.exception
    expected = goals.goal_attainment(sample_con, filters={"cohort": ["2025-Spring"]}, wave="mid").iloc[0]
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Mean GAS T-score"] == f"{expected['mean_t']:.1f}"
    assert tiles["Participants with rated goals"] == f"{int(expected['n']):,}"


@pytest.fixture
def tiny_db(tmp_path, monkeypatch):
    """Three people's pre answers and nothing else: every page must say so, not fail."""
    path = tmp_path / "tiny.duckdb"
    con = db.connect(path)
    # an import row of its own, so cached results of other databases are never reused here
    con.execute(
        """INSERT INTO imports VALUES (987654, 'tiny.csv', 'x', 'template', 'survey', 'pre', 3, 'imported',
           NULL, TIMESTAMP '2025-01-02 09:00:00')"""
    )
    con.execute("INSERT INTO waves VALUES ('pre', 'pre', DATE '2025-01-01')")
    for number in range(3):
        con.execute("INSERT INTO employees (employee_id, department) VALUES (?, 'Ops')", [f"e{number}"])
        con.execute(
            "INSERT INTO responses (response_id, employee_id, wave, import_id) VALUES (?, ?, 'pre', 987654)",
            [f"r{number}", f"e{number}"],
        )
        con.executemany(
            "INSERT INTO answers VALUES (?, ?, 6, 987654)", [[f"r{number}", f"ps_{i}"] for i in range(1, 8)]
        )
    con.close()
    monkeypatch.setenv("MUTUAL_DB", str(path))
    return path


def test_pages_with_too_little_data_explain_why(tiny_db):
    filters = {"department": ["Ops"]}  # all three people: under k together
    note = privacy.suppressed_note(privacy.min_group(), filters)
    with db.connect(tiny_db) as con:
        assert metrics.group_scores(con, "ps", ["cohort", "wave"], filters, ["pre"]).empty
        assert metrics.pulse_trend(con, "ps", None, filters).empty
        assert goals.goal_attainment(con, None, filters)["suppressed"].all()  # no goals: n = 0 < k
        assert goals.participation_summary(con, None, filters).empty
    at = run("views/cohort_outcomes.py", filters)
    wanted = f"Nothing to show: every group has {note}, or is hidden to protect a smaller group."
    assert [w.value for w in at.warning] == [wanted, wanted]  # the heatmap and the equity gaps
    assert not at.get("plotly_chart")
    at = run("views/psych_safety.py", filters)
    assert [i.value for i in at.info] == [
        "No pulse survey answers yet: import a pulse survey on the Upload page."
    ]
    at = run("views/goals_participation.py", filters)
    infos = [i.value for i in at.info]
    assert (
        f"No goal attainment to show: either no goal levels are recorded at post, or the filters leave {note}."
        in infos
    )
    assert "No pairs to show: import a participant roster and a session log on the Upload page." in infos
