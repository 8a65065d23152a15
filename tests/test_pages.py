"""Every page runs on the sample data; the Overview and Upload pages show what they should."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics import overview
from analytics.ingest import load
from analytics.store import db

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted(f"views/{p.name}" for p in (ROOT / "views").glob("*.py"))


def _run(script: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / script), default_timeout=120)
    at.run()
    return at


def _registered_pages(at: AppTest) -> dict[str, str]:
    """The pages the last run gave st.navigation: file (relative to the repository) -> navigation title.

    This is the registry AppTest.switch_page resolves a file against, as a browser resolves a URL path.
    """
    return {
        Path(info["script_path"]).resolve().relative_to(ROOT).as_posix(): info["page_name"]
        for info in at._registered_pages.values()
    }


def test_app_navigation_registers_every_view(sample_db):
    at = _run("app.py")
    assert not at.exception, at.exception
    assert sorted(_registered_pages(at)) == PAGES


@pytest.mark.parametrize("page", PAGES)
def test_page_runs_through_the_app_navigation(sample_db, page):
    alone = _run(page)  # the page's own title, as the file renders it
    assert not alone.exception, alone.exception
    assert alone.title, f"{page} has no title"
    at = _run("app.py")  # a user arrives at the entry point, then follows the navigation
    at.switch_page(page).run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == [t.value for t in alone.title]
    assert at.sidebar.multiselect(key="filter_cohort").options  # the shared filters are still there


def test_app_entry_point_renders_overview_and_filters(sample_db):
    at = _run("app.py")
    assert not at.exception, at.exception
    assert at.title[0].value.startswith("Mutual")
    assert at.sidebar.multiselect(key="filter_cohort").options


def test_overview_tiles_match_analytics(sample_con):
    size = overview.programme_size(sample_con)
    at = _run("views/overview.py")
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Participants"] == f"{size['participants']:,}"
    assert tiles["Active pairs"] == f"{size['active_pairs']:,}"
    safety = next(label for label in tiles if label.startswith("Psychological safety"))
    expected = overview.latest_vs_pre(sample_con, "ps")
    assert tiles[safety] == f"{expected['latest']:.2f}"


def test_overview_respects_filters(sample_con):
    cohort = sample_con.execute("SELECT min(cohort) FROM participants").fetchone()[0]
    at = AppTest.from_file(str(ROOT / "views/overview.py"), default_timeout=120)
    at.session_state["filters"] = {"cohort": [cohort]}
    at.run()
    size = overview.programme_size(sample_con, {"cohort": [cohort]})
    assert {m.label: m.value for m in at.metric}["Participants"] == f"{size['participants']:,}"
    assert size["participants"] < overview.programme_size(sample_con)["participants"]


def _employees_csv() -> bytes:
    return (
        b"employee_id,department,grade,hire_date\n"
        b"NEW-1,Engineering,G2,2020-01-06\n"
        b"NEW-2,Sales,G6,2018-05-14\n"
    )


def test_upload_page_imports_a_file_and_can_undo_it(sample_db):
    at = _run("views/upload.py")
    at.file_uploader(key="upload_files").set_value(("new_staff.csv", _employees_csv(), "text/csv")).run()
    assert not at.exception, at.exception
    assert any("employees file" in m.value for m in at.markdown)
    at.button(key="upload_import").click().run()
    assert any("Imported new_staff.csv: 2 employees rows" in s.value for s in at.success)
    con = db.connect(sample_db)
    assert con.execute("SELECT count(*) FROM employees WHERE employee_id LIKE 'NEW-%'").fetchone()[0] == 2
    import_id = int(load.import_history(con)["import_id"].iloc[0])
    con.close()

    at.selectbox(key="upload_undo_id").set_value(import_id).run()
    at.button(key="upload_undo").click().run()
    assert any(f"Undid import #{import_id}" in s.value for s in at.success)
    con = db.connect(sample_db)
    assert con.execute("SELECT count(*) FROM employees WHERE employee_id LIKE 'NEW-%'").fetchone()[0] == 0
    con.close()


def test_upload_page_reports_row_and_column_of_a_bad_file(sample_db):
    bad = b"employee_id,department,grade,hire_date\nNEW-9,Sales,G2,not a date\n"
    at = _run("views/upload.py")
    at.file_uploader(key="upload_files").set_value(("bad.csv", bad, "text/csv")).run()
    assert not at.exception, at.exception
    assert any("problem(s) to fix" in e.value for e in at.error)
    report = next(d.value for d in at.dataframe if "problem" in d.value.columns)
    assert {"row": 2, "column": "hire_date"}.items() <= report.iloc[0][["row", "column"]].to_dict().items()
    assert at.button(key="upload_import").disabled


def test_upload_page_offers_template_downloads(sample_db):
    at = _run("views/upload.py")
    labels = [b.label for b in at.get("download_button")]
    assert {"example_employees.csv", "example_survey.csv"} <= set(labels)


def test_unexpected_error_shows_an_apology_with_an_error_id(caplog):
    at = AppTest.from_string(
        """
from ui.errors import run_guarded

def broken():
    raise KeyError("internal detail")

run_guarded(broken)
"""
    )
    at.run()
    assert not at.exception
    assert "error id" in at.error[0].value and "internal detail" not in at.error[0].value


def test_upload_page_maps_and_imports_a_qualtrics_export(tmp_path, monkeypatch):
    from tests import export_fixtures as fx

    path = tmp_path / "mutual.duckdb"
    monkeypatch.setenv("MUTUAL_DB", str(path))
    con = db.connect(path)
    fx.import_employees(con, tmp_path)
    con.close()
    export = fx.write_rows(tmp_path / "pulse.csv", fx.qualtrics_rows()).read_bytes()

    at = _run("views/upload.py")
    at.text_input(key="upload_wave").set_value("pulse-2026-11")
    at.file_uploader(key="upload_files").set_value(("pulse.csv", export, "text/csv")).run()
    assert not at.exception, at.exception
    assert any("Column mapping for pulse.csv" in m.value for m in at.markdown)
    [editor] = at.data_editor  # the mapping editor: source column -> recognised target
    targets = dict(zip(editor.value["source"], editor.value["target"], strict=True))
    assert targets["Q5_1"] == "ps_1" and targets["Q5_7"] == "ps_7"
    at.button(key="upload_import").click().run()
    assert any("Imported pulse.csv" in s.value for s in at.success), [e.value for e in at.error]

    con = db.connect(path)
    stored = fx.stored_answers(con, fx.PS)
    con.close()
    assert stored == fx.intended(fx.PS)


def test_a_locked_database_gets_a_message_not_a_traceback(tmp_path, monkeypatch):
    import subprocess
    import sys
    import time

    path = tmp_path / "locked.duckdb"
    db.connect(path).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; c = duckdb.connect({str(path)!r}); print('ready', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        monkeypatch.setenv("MUTUAL_DB", str(path))
        at = _run("app.py")
        assert not at.exception, at.exception
        message = at.error[0].value
        assert f"The database {path} is in use" in message and "MUTUAL_DB" in message
        assert "Traceback" not in message and "error id" not in message
    finally:
        holder.kill()
        holder.wait()
        time.sleep(0.1)
