"""The precomputed response_scores table, the re-import fast path and import without sentiment."""

import pandas as pd
import pytest

from analytics import metrics
from analytics.ingest.inspection import recognise
from analytics.ingest.load import import_files, undo_import
from analytics.ingest.source import open_source
from analytics.sample import programme
from analytics.store import db
from analytics.text.sentiment import score_import, score_texts


def _files(*names):
    """Sample files by name stem, e.g. "employees", "survey_pre"."""
    by_stem = {p.stem: p for p in programme.sample_files()}
    return [by_stem[n] for n in names]


def _from_scratch(con) -> pd.DataFrame:
    """Scores computed in pandas from answers, items and the respondents view (independent of SQL)."""
    answers = con.execute("SELECT response_id, item_id, value FROM answers").df()
    items = con.execute("SELECT item_id, construct, scale_min, scale_max, reverse FROM items").df()
    coded = answers.merge(items, on="item_id")
    flip = coded["reverse"].astype(bool)
    coded["value"] = coded["value"].where(~flip, coded["scale_min"] + coded["scale_max"] - coded["value"])
    coded["fav"] = coded["value"] > (coded["scale_min"] + coded["scale_max"]) / 2
    scored = (
        coded.groupby(["response_id", "construct"])
        .agg(score=("value", "mean"), answered=("value", "size"), favourable=("fav", "sum"))
        .reset_index()
    )
    people = con.execute("SELECT response_id, department, cohort, role, wave FROM respondents").df()
    return _tidy(scored.merge(people, on="response_id"))


def _stored(con) -> pd.DataFrame:
    return _tidy(
        con.execute(
            """SELECT response_id, construct, score, answered, favourable, department, cohort, role, wave
            FROM response_scores"""
        ).df()
    )


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    columns = ["response_id", "construct", "score", "answered", "favourable", "department", "cohort", "role"]
    frame = frame[[*columns, "wave"]].astype({"answered": "int64", "favourable": "int64"})
    for column in ["department", "cohort", "role", "wave", "response_id", "construct"]:
        frame[column] = frame[column].astype("object").where(frame[column].notna(), None)
    return frame.sort_values(["response_id", "construct"]).reset_index(drop=True)


def _assert_in_step(con):
    assert db.scores_fresh(con)
    stored, expected = _stored(con), _from_scratch(con)
    assert len(stored) == len(expected) > 0
    pd.testing.assert_frame_equal(stored, expected, check_exact=False, rtol=1e-12)


def test_scores_match_a_from_scratch_computation_after_import(con):
    import_files(con, programme.sample_files())
    _assert_in_step(con)
    # ps_1 reverse-coded by hand for one response: score = mean of its coded items.
    rid = con.execute("SELECT response_id FROM answers WHERE item_id = 'ps_1' LIMIT 1").fetchone()[0]
    values = dict(con.execute("SELECT item_id, value FROM answers WHERE response_id = ?", [rid]).fetchall())
    ps = [8 - v if k in ("ps_1", "ps_3", "ps_5") else v for k, v in values.items() if k.startswith("ps_")]
    stored = con.execute(
        "SELECT score, answered FROM response_scores WHERE response_id = ? AND construct = 'ps'", [rid]
    ).fetchone()
    assert stored == (pytest.approx(sum(ps) / len(ps), abs=1e-12), len(ps))


def test_scores_follow_a_later_roster_import_and_its_undo(con):
    import_files(con, _files("employees", "survey_pre", "survey_post"))
    _assert_in_step(con)
    assert con.execute("SELECT count(*) FROM response_scores WHERE cohort IS NOT NULL").fetchone()[0] == 0
    roster = import_files(con, _files("participants"))[0]
    _assert_in_step(con)
    assert con.execute("SELECT count(*) FROM response_scores WHERE cohort IS NOT NULL").fetchone()[0] > 0
    undo_import(con, roster.import_id)
    _assert_in_step(con)
    assert con.execute("SELECT count(*) FROM response_scores WHERE cohort IS NOT NULL").fetchone()[0] == 0


def test_undo_of_a_survey_removes_its_scores(con):
    import_files(con, _files("employees", "survey_pre"))
    (post,) = import_files(con, _files("survey_post"))
    undo_import(con, post.import_id)
    _assert_in_step(con)  # back to the state after the first import, which was marked
    assert con.execute("SELECT count(*) FROM response_scores WHERE wave = 'post'").fetchone()[0] == 0


def test_undo_of_an_earlier_import_leaves_figures_right(con):
    import_files(con, _files("employees"))
    (pre,) = import_files(con, _files("survey_pre"))
    import_files(con, _files("survey_post"))
    expected = metrics.group_scores(con, "ps", ["wave"], min_group=1)
    undo_import(con, pre.import_id)
    # No recorded state matches now: figures come from a fresh scoring until the next import.
    assert not db.scores_fresh(con)
    after = metrics.group_scores(con, "ps", ["wave"], min_group=1)
    assert after["wave"].tolist() == ["post"]
    assert after["n"].tolist() == expected.loc[expected["wave"] == "post", "n"].tolist()
    import_files(con, _files("survey_mid"))
    _assert_in_step(con)


def test_rows_written_outside_ingest_are_still_counted(con):
    import_files(con, _files("employees", "survey_pre"))
    before = metrics.group_scores(con, "ps", ["wave"], min_group=1)
    con.execute("UPDATE employees SET department = 'Elsewhere'")
    assert not db.scores_fresh(con)
    by_department = metrics.group_scores(con, "ps", ["department"], min_group=1)
    assert by_department["department"].tolist() == ["Elsewhere"]
    assert by_department["n"].tolist() == before["n"].tolist()
    # The next import brings the table back in step.
    import_files(con, _files("survey_post"))
    _assert_in_step(con)


def test_group_scores_total_decides_suppression(con):
    import_files(con, _files("employees", "survey_pre"))
    n = int(
        con.execute(
            "SELECT count(DISTINCT employee_id) FROM response_scores WHERE construct = 'ps'"
        ).fetchone()[0]
    )
    assert metrics.group_scores(con, "ps", ["wave"], min_group=n)["n"].tolist() == [n]
    assert metrics.group_scores(con, "ps", ["wave"], min_group=n + 1).empty


def test_reimport_is_recognised_without_reading(con):
    path = _files("employees")[0]
    first = import_files(con, [path])[0]
    inspection = recognise(con, open_source(path), None, None, skip_known=True)
    assert inspection.already_imported and inspection.previous_import == first.import_id
    assert inspection.rows == first.rows and inspection.kind == "employees"
    assert inspection.preview.empty and inspection._table is None  # the file was not parsed
    again = import_files(con, [path])[0]
    assert again.status == "skipped: already imported" and again.rows == first.rows


def test_import_without_sentiment_then_score_import(con):
    results = import_files(con, _files("employees", "survey_post"), score_sentiment=False)
    survey = next(r for r in results if r.kind == "survey")
    assert con.execute("SELECT count(*) FROM comments WHERE compound IS NOT NULL").fetchone()[0] == 0
    total = con.execute("SELECT count(*) FROM comments").fetchone()[0]
    assert total > 0
    assert score_import(con, survey.import_id) == total
    stored = con.execute("SELECT text, compound, label FROM comments ORDER BY response_id, question").df()
    expected = score_texts(stored["text"].tolist())
    assert stored["compound"].tolist() == pytest.approx(expected["compound"].tolist(), abs=1e-12)
    assert stored["label"].tolist() == expected["label"].tolist()
    assert score_import(con, survey.import_id) == 0  # nothing left to score


def _pandas_n(con, group: str) -> pd.DataFrame:
    """Distinct respondents with a valid ps score per group and wave, counted in pandas."""
    scores = con.execute(
        "SELECT employee_id, response_id, wave, department FROM response_scores WHERE construct = 'ps' AND answered >= 4"
    ).df()
    scores["who"] = scores["employee_id"].fillna(scores["response_id"])
    counted = scores.groupby([group, "wave"])["who"].nunique().rename("expected").reset_index()
    return counted.astype({group: "object", "wave": "object"})


def test_respondents_counted_once_per_wave_even_when_they_answer_twice(con, tmp_path):
    import_files(con, _files("employees", "survey_pre"))
    again = pd.read_csv(_files("survey_pre")[0], dtype=str).head(3)
    again["response_id"] = again["response_id"] + "-again"  # the same three people answer pre again
    path = tmp_path / "survey_pre_again.csv"
    again.to_csv(path, index=False)
    import_files(con, [path])
    _assert_in_step(con)
    shown = metrics.group_scores(con, "ps", ["department", "wave"], min_group=1)
    joined = shown.astype({"department": "object", "wave": "object"}).merge(
        _pandas_n(con, "department"), on=["department", "wave"]
    )
    assert len(joined) == len(shown) > 0
    assert joined["n"].tolist() == joined["expected"].tolist()
    # 3 people answered twice: the responses outnumber the respondents by exactly 3.
    responses = con.execute(
        "SELECT count(*) FROM response_scores WHERE construct = 'ps' AND answered >= 4"
    ).fetchone()[0]
    assert int(shown["n"].sum()) == responses - 3
