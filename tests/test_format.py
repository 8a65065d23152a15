"""ui.format: one formatter for each kind of number."""

import math

import pandas as pd

from ui.format import percent


def test_percent_rounds_to_whole_per_cent_by_default():
    assert percent(41.6) == "42 %"  # 41.6 rounds half-up to 42 at no decimals


def test_percent_keeps_the_digits_asked_for():
    assert percent(12.345, digits=1) == "12.3 %"


def test_percent_of_a_blank_figure_is_n_a():
    assert [percent(v) for v in (None, math.nan, pd.NA)] == ["n/a", "n/a", "n/a"]
