"""The Pre / mid / post and Retention pages on the sample programme: what they show matches analytics."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics import change, comparison, retention
from ui.format import p_text, signed

ROOT = Path(__file__).resolve().parent.parent
PRE_MID_POST = str(ROOT / "views" / "pre_mid_post.py")
RETENTION = str(ROOT / "views" / "retention.py")


def run(page: str, filters: dict | None = None) -> AppTest:
    at = AppTest.from_file(page, default_timeout=120)
    if filters is not None:
        at.session_state["filters"] = filters
    at.run()
    assert not at.exception, at.exception
    return at


def tiles(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_pre_mid_post_tiles_match_the_paired_change(sample_con):
    at = run(PRE_MID_POST)
    expected = change.wave_change(sample_con, "ps", "pre", "post").iloc[0]
    shown = tiles(at)
    assert shown["People compared"] == str(expected["n"])
    assert shown["Mean change"] == f"{expected['mean_change']:+.2f}"
    assert shown["Effect size (Cohen's d_z)"] == f"{expected['cohen_dz']:.2f}"
    assert shown["p (paired t-test)"] == p_text(expected["t_p"], label=False)
    assert any(expected["verdict"] in m.value for m in at.markdown)
    mutual = change.reciprocity(sample_con, "ps")
    assert shown["Both partners improved"] == f"{mutual['both_improved_pct']:.0f} %"
    assert shown["Mentors' mean gain"] == f"{mutual['mentor_gain']:+.2f}"
    did = comparison.difference_in_differences(sample_con, "ps")
    assert shown["Difference in differences"] == f"{did['did']:+.2f}"
    assert len(at.get("plotly_chart")) == 4  # waves, roles, reciprocity scatter, pulse comparison
    assert sum("How to read this" in c.value for c in at.caption) == 4
    assert any("not proof of cause" in c.value for c in at.caption)


def test_pre_mid_post_construct_selector_changes_the_figures(sample_con):
    at = run(PRE_MID_POST)
    at.selectbox(key="pmp_construct").set_value("eng").run()
    assert not at.exception, at.exception
    expected = change.wave_change(sample_con, "eng", "pre", "post").iloc[0]
    assert tiles(at)["Mean change"] == f"{expected['mean_change']:+.2f}"
    assert any(expected["verdict"] in m.value for m in at.markdown)


def test_pre_mid_post_without_pre_and_post_answers_explains_why(sample_db):
    at = run(PRE_MID_POST)
    at.selectbox(key="pmp_construct").set_value("sat").run()  # satisfaction is asked at post only
    assert not at.exception, at.exception
    assert tiles(at)["People compared"] == "0"
    assert any("no one answered both the pre and the post survey" in i.value for i in at.info)


def test_pre_mid_post_follows_the_sidebar_filters(sample_con):
    cohort = sample_con.execute("SELECT min(cohort) FROM participants").fetchone()[0]
    at = run(PRE_MID_POST, {"cohort": [cohort]})
    expected = change.wave_change(sample_con, "ps", "pre", "post", filters={"cohort": [cohort]}).iloc[0]
    overall = change.wave_change(sample_con, "ps", "pre", "post").iloc[0]
    assert tiles(at)["People compared"] == str(expected["n"])
    assert expected["n"] < overall["n"]


def _cohorts_as_the_gate_shows_them(sample_con, k: int):
    """(cohort, the gate's row) for each cohort of the pre -> post breakdown at min_group k."""
    gate = change.wave_change(sample_con, "ps", "pre", "post", "cohort", min_group=k)
    return list(zip(gate["cohort"], gate.to_dict("records"), strict=True))


@pytest.mark.parametrize("k", [5, 15])  # at 5 the sample's cohorts are all shown, at 15 all hidden
def test_pre_mid_post_hides_the_cohorts_the_gate_hides(sample_con, monkeypatch, k):
    monkeypatch.setenv("MUTUAL_MIN_GROUP", str(k))
    cohorts = _cohorts_as_the_gate_shows_them(sample_con, k)
    assert len(cohorts) >= 2
    for cohort, gate in cohorts:
        at = run(PRE_MID_POST, {"cohort": [cohort]})
        shown = tiles(at)
        table = at.dataframe[0].value.set_index(["before", "after"])
        pre_post = str(table.loc[("pre", "post"), "n"])
        if gate["suppressed"]:
            assert shown["People compared"] == "hidden", (cohort, shown)
            hidden_tiles = ["Mean change", "Effect size (Cohen's d_z)", "p (paired t-test)"]
            assert not [t for t in hidden_tiles if t in shown], (cohort, shown)
            assert not any("In plain words" in m.value for m in at.markdown), cohort
            assert not any(ch.isdigit() for ch in pre_post.replace(f"fewer than {k}", "")), pre_post
        else:
            assert shown["People compared"] == str(gate["n"]), cohort
            assert shown["Mean change"] == signed(gate["mean_change"])
            assert shown["Effect size (Cohen's d_z)"] == f"{gate['cohen_dz']:.2f}"
            assert shown["p (paired t-test)"] == p_text(gate["t_p"], label=False)
            assert any(gate["verdict"] in m.value for m in at.markdown), cohort
            assert pre_post.replace(",", "") == str(gate["n"]), pre_post
    # the gate's verdict at this k, as the parametrisation above says it is
    assert {bool(g["suppressed"]) for _, g in cohorts} == {k > 5}


def test_retention_tiles_match_the_analysis_and_show_the_caveat(sample_con):
    at = run(RETENTION)
    expected = retention.retention_summary(sample_con)
    shown = tiles(at)
    assert shown["Participants, 6 months"] == f"{100 * expected['participants_6m']:.1f} %"
    assert shown["Participants, 12 months"] == f"{100 * expected['participants_12m']:.1f} %"
    assert shown["Comparison, 12 months"] == f"{100 * expected['comparison_12m']:.1f} %"
    assert shown["Log-rank p"] == p_text(expected["logrank_p"], label=False)
    assert any("not proof that the programme caused it" in w.value for w in at.warning)
    assert len(at.get("plotly_chart")) == 1
    assert any("How to read this" in c.value for c in at.caption)
    assert any(expected["data_date"] in c.value for c in at.caption)


def test_retention_respects_filters_and_privacy(sample_con, monkeypatch):
    department = sample_con.execute("SELECT min(department) FROM employees").fetchone()[0]
    at = run(RETENTION, {"department": [department]})
    expected = retention.retention_summary(sample_con, {"department": [department]})
    assert expected["n_participants"] < retention.retention_summary(sample_con)["n_participants"]
    assert tiles(at)["Participants, 12 months"] == (
        "fewer than 5 responses"
        if expected["participants_12m"] is None
        else f"{100 * expected['participants_12m']:.1f} %"
    )
    monkeypatch.setenv("MUTUAL_MIN_GROUP", "100000")
    at = run(RETENTION)
    assert tiles(at)["Comparison, 6 months"] == "fewer than 100000 responses"
    assert tiles(at)["Log-rank p"] == "n/a"
    assert any("No curve to draw" in i.value for i in at.info)


@pytest.mark.parametrize("page", [PRE_MID_POST, RETENTION])
def test_page_has_a_title(sample_db, page):
    assert run(page).title[0].value
