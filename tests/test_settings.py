"""The privacy thresholds as settings: an unusable one stops the app and the CLI; pages use the ones set."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics.__main__ import main
from analytics.store import db
from analytics.text import comments

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("raw", ["1", "abc", "10.5", "12345678901234567890"])
def test_app_refuses_to_start_with_an_unusable_threshold(tmp_path, monkeypatch, raw):
    monkeypatch.setenv("MUTUAL_DB", str(tmp_path / "never.duckdb"))
    monkeypatch.delenv("MUTUAL_ALLOW_SMALL_GROUPS", raising=False)
    monkeypatch.setenv("MUTUAL_MIN_GROUP", raw)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    assert len(at.error) == 1
    assert f"MUTUAL_MIN_GROUP={raw!r} is not usable" in at.error[0].value
    assert not at.title  # no page ran
    assert not at.sidebar.multiselect  # nor the filters
    assert not (tmp_path / "never.duckdb").exists()  # the database was not even opened


def test_app_refuses_comments_below_the_score_threshold(tmp_path, monkeypatch):
    monkeypatch.setenv("MUTUAL_DB", str(tmp_path / "never.duckdb"))
    monkeypatch.setenv("MUTUAL_MIN_GROUP", "8")
    monkeypatch.setenv("MUTUAL_MIN_GROUP_COMMENTS", "6")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert len(at.error) == 1 and "COMMENTS" in at.error[0].value
    assert not at.title


def test_cli_prints_the_threshold_problem_and_exits_non_zero(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("MUTUAL_ALLOW_SMALL_GROUPS", raising=False)
    monkeypatch.setenv("MUTUAL_MIN_GROUP", "0")
    path = tmp_path / "cli.duckdb"
    assert main(["summary", "--db", str(path)]) == 1
    err = capsys.readouterr().err
    assert "MUTUAL_MIN_GROUP='0' is not usable" in err
    assert "Traceback" not in err
    assert not path.exists()


def test_cli_runs_with_a_usable_threshold(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MUTUAL_MIN_GROUP", "7")
    assert main(["init", "--db", str(tmp_path / "cli.duckdb")]) == 0
    assert "Database ready" in capsys.readouterr().out


def _feedback_by_location(monkeypatch, k: str | None) -> AppTest:
    if k is None:
        monkeypatch.delenv("MUTUAL_MIN_GROUP", raising=False)
    else:
        monkeypatch.setenv("MUTUAL_MIN_GROUP", k)
    at = AppTest.from_file(str(ROOT / "views/feedback.py"), default_timeout=120)
    at.run()
    at.selectbox(key="fb_group_by").set_value("location").run()
    assert not at.exception, at.exception
    return at


def _hidden_groups_caption(at: AppTest) -> str:
    return next(c.value for c in at.caption if c.value.startswith("How to read this: bars"))


def test_feedback_page_uses_min_group_for_comments_when_it_is_larger(sample_db, monkeypatch):
    monkeypatch.delenv("MUTUAL_MIN_GROUP_COMMENTS", raising=False)
    con = db.connect(sample_db)
    at_ten = comments.sentiment_by_group(con, ["location"], min_group=10)
    at_twenty = comments.sentiment_by_group(con, ["location"], min_group=20)
    con.close()
    ten, twenty = int(at_ten["suppressed"].sum()), int(at_twenty["suppressed"].sum())
    assert ten < twenty < len(at_twenty)  # the sample separates the two thresholds (2 and 4 of 5)

    # The default first, then 20 in the same process: the cached results of 10 must not be reused.
    at = _feedback_by_location(monkeypatch, None)
    assert f"{ten} of {len(at_ten)} here" in _hidden_groups_caption(at)
    at = _feedback_by_location(monkeypatch, "20")
    assert "groups of at least 20 people" in at.caption[0].value
    assert f"{twenty} of {len(at_twenty)} here" in _hidden_groups_caption(at)
