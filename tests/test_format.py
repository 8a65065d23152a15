"""ui.format: one formatter for each kind of number."""

import math

import pandas as pd

from ui.format import chart_text, ci_text, p_text, percent, signed, value_table


def test_percent_rounds_to_whole_per_cent_by_default():
    assert percent(41.6) == "42 %"  # 41.6 rounds half-up to 42 at no decimals


def test_percent_keeps_the_digits_asked_for():
    assert percent(12.345, digits=1) == "12.3 %"


def test_percent_of_a_blank_figure_is_n_a():
    assert [percent(v) for v in (None, math.nan, pd.NA)] == ["n/a", "n/a", "n/a"]


def test_p_text_reads_as_people_write_it():
    assert p_text(0.0342) == "p = 0.034"
    assert p_text(0.00049) == "p < 0.001"
    assert p_text(0.001) == "p = 0.001"  # the boundary is below 0.001, not at it
    assert p_text(0.00049, label=False) == "< 0.001"
    assert p_text(0.5, label=False) == "0.500"
    assert [p_text(v) for v in (None, math.nan, pd.NA)] == ["n/a", "n/a", "n/a"]


def test_signed_and_ci_text_carry_their_sign():
    assert signed(0.254) == "+0.25"
    assert signed(-0.1) == "-0.10"
    assert signed(3, digits=0) == "+3"
    assert signed(None) == "n/a"
    assert ci_text(-0.104, 0.4) == "95 % CI -0.10 to +0.40"
    assert ci_text(0.1, math.nan) == ""


def test_a_table_shows_p_values_as_the_tiles_do():
    """The expander table of pre/mid/post once showed "0.0000" where the tiles said "< 0.001"."""
    frame = pd.DataFrame(
        {"group": ["a", "b", "c"], "t_p": [0.00001, 0.0342, None], "suppressed": [False] * 3}
    )
    table = value_table(frame, {"t_p": "p"}, note="hidden")
    assert table["t_p"].tolist() == ["< 0.001", "0.034", ""]
    assert table["t_p"].tolist()[:2] == [p_text(p, label=False) for p in frame["t_p"][:2]]


def test_chart_text_draws_markup_as_typed():
    assert chart_text("<b>R&D</b>") == "&lt;b&gt;R&amp;D&lt;/b&gt;"
    assert chart_text(None) == "" and chart_text(math.inf) == ""
