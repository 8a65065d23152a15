"""Reverse coding, the scale midpoint and "favourable": instruments.reverse_code / is_favourable in
Python, the coded_answers view in SQL, and the figures that read them (docs/metrics.md)."""

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from analytics import metrics
from analytics.instruments import ITEMS, is_favourable, min_answered, reverse_code
from analytics.store import db
from tests.builders import add_employee, add_response, add_wave, finish


def test_reverse_code_flips_only_reverse_items():
    # Edmondson items 1, 3, 5 are reverse-scored on 1-7: 8 - x.
    assert [reverse_code("ps_1", v) for v in (1, 4, 7)] == [7, 4, 1]
    assert reverse_code("ps_5", 2) == 6
    assert reverse_code("ps_2", 2) == 2
    assert reverse_code("eng_1", 2) == 2
    assert list(reverse_code("ps_3", np.array([1.0, 6.0]))) == [7.0, 2.0]  # arrays, for the sample


def test_favourable_is_above_the_midpoint_after_reverse_coding():
    # 1-5: 4 and 5 are favourable, 3 (the midpoint) is not.
    assert [is_favourable("eng_1", v) for v in (1, 2, 3, 4, 5)] == [False, False, False, True, True]
    # 1-7: 5-7 favourable; a reverse item's raw 1-3 (coded 7-5) are, raw 4 (coded 4) is not.
    assert [is_favourable("ps_2", v) for v in range(1, 8)] == [False] * 4 + [True] * 3
    assert [is_favourable("ps_1", v) for v in range(1, 8)] == [True] * 3 + [False] * 4


def test_min_answered_is_half_the_items_rounded_up():
    # ps 7 items -> 4; eng and bel 4 -> 2; rl and sat 3 -> 2; eNPS 1 -> 1
    assert {c: min_answered(c) for c in ("ps", "eng", "bel", "rl", "sat", "enps")} == {
        "ps": 4,
        "eng": 2,
        "bel": 2,
        "rl": 2,
        "sat": 2,
        "enps": 1,
    }


def test_the_view_codes_every_item_and_point_as_python_does(con):
    add_wave(con, "pre", "pre", "2025-01-01")
    points = {code: np.arange(spec.scale_min, spec.scale_max + 0.5, 0.5) for code, spec in ITEMS.items()}
    for code, values in points.items():
        for number, value in enumerate(values):
            add_response(con, f"{code}-{number}", "pre", {code: value})
    viewed = con.execute("SELECT response_id, item_id, value, favourable FROM coded_answers").df()
    raw = con.execute("SELECT response_id, value AS raw FROM answers").df()
    both = viewed.merge(raw, on="response_id")
    assert len(both) == sum(len(v) for v in points.values())
    expected_value = [reverse_code(i, v) for i, v in zip(both["item_id"], both["raw"], strict=True)]
    expected_favourable = [is_favourable(i, v) for i, v in zip(both["item_id"], both["raw"], strict=True)]
    assert both["value"].tolist() == expected_value
    assert both["favourable"].tolist() == expected_favourable
    # and a hand-checked row: ps_1 answered 3 is coded 5, favourable
    row = both[(both["item_id"] == "ps_1") & (both["raw"] == 3)].iloc[0]
    assert (row["value"], bool(row["favourable"])) == (5.0, True)


@pytest.fixture
def reverse_at_the_midpoint(con):
    """Five people answer ps_1 (reverse) and ps_2, ps_4, ps_6; a sixth answers too few items.

    Coded (ps_1 as 8 - x) and favourable (> 4):
        a: ps_1 3 -> 5 fav | ps_2 4 no  | ps_4 5 fav | ps_6 4 no   -> 2 of 4
        b: ps_1 4 -> 4 no  | ps_2 5 fav | ps_4 4 no  | ps_6 6 fav  -> 2 of 4
        c: ps_1 5 -> 3 no  | ps_2 4 no  | ps_4 4 no  | ps_6 4 no   -> 0 of 4
        d: ps_1 1 -> 7 fav | ps_2 7 fav | ps_4 7 fav | ps_6 7 fav  -> 4 of 4
        e: ps_1 4 -> 4 no  | ps_2 3 no  | ps_4 6 fav | ps_6 5 fav  -> 2 of 4
        f: ps_1 1 -> 7, ps_2 7 (2 of 7 items < 4 needed: no valid score, left out everywhere)
    """
    add_wave(con, "pre", "pre", "2025-01-01")
    answers = {
        "a": (3, 4, 5, 4),
        "b": (4, 5, 4, 6),
        "c": (5, 4, 4, 4),
        "d": (1, 7, 7, 7),
        "e": (4, 3, 6, 5),
    }
    for person, values in answers.items():
        add_employee(con, person)
        add_response(
            con,
            f"r-{person}",
            "pre",
            dict(zip(["ps_1", "ps_2", "ps_4", "ps_6"], values, strict=True)),
            employee_id=person,
        )
    add_employee(con, "f")
    add_response(con, "r-f", "pre", {"ps_1": 1, "ps_2": 7}, employee_id="f")
    finish(con)


def test_item_favourable_of_a_reverse_item_at_the_midpoint(reverse_at_the_midpoint, con):
    items = metrics.item_favourable(con, "ps", min_group=5).set_index("item_id")
    # ps_1 coded 5 4 3 7 4: two above 4 (f's 7 is not counted: f has no valid score)
    assert items.loc["ps_1", "favourable_pct"] == pytest.approx(40.0)
    assert items.loc["ps_1", "mean"] == pytest.approx((5 + 4 + 3 + 7 + 4) / 5)
    assert items.loc["ps_2", "favourable_pct"] == pytest.approx(40.0)  # 5 and 7 of 4 5 4 7 3
    assert items.loc["ps_4", "favourable_pct"] == pytest.approx(60.0)  # 5 7 6
    assert items.loc["ps_6", "favourable_pct"] == pytest.approx(60.0)  # 6 7 5
    assert (items["n"] == 5).all()


def test_construct_favourable_of_the_same_answers(reverse_at_the_midpoint, con):
    frame = metrics.group_scores(con, "ps", [], min_group=5)
    assert frame["n"].iloc[0] == 5
    assert frame["favourable_pct"].iloc[0] == pytest.approx(100 * 10 / 20)  # 2 + 2 + 0 + 4 + 2 of 20
    stored = dict(
        con.execute("SELECT response_id, favourable FROM response_scores WHERE construct = 'ps'").fetchall()
    )
    assert stored == {"r-a": 2, "r-b": 2, "r-c": 0, "r-d": 4, "r-e": 2, "r-f": 2}  # r-f stored, not valid


def test_item_and_construct_favourable_agree(reverse_at_the_midpoint, con):
    items = metrics.item_favourable(con, "ps", min_group=5)
    construct = metrics.group_scores(con, "ps", [], min_group=5)["favourable_pct"].iloc[0]
    # Each valid respondent answers each item once here, so n is the item's answer count.
    pooled = (items["favourable_pct"] * items["n"]).sum() / items["n"].sum()
    assert pooled == pytest.approx(construct)


def test_item_and_construct_favourable_agree_on_the_sample(sample_con):
    for construct in ("ps", "eng"):
        waves = metrics.group_scores(sample_con, construct, ["wave"], min_group=1).set_index("wave")
        for wave in ("pre", "post"):
            items = metrics.item_favourable(sample_con, construct, waves=[wave], min_group=1)
            answers = sample_con.execute(
                """SELECT c.item_id, count(*) AS answers FROM coded_answers c JOIN response_scores s
                   USING (response_id, construct) JOIN responses r USING (response_id)
                   WHERE c.construct = ? AND r.wave = ? AND s.answered >= ? GROUP BY ALL""",
                [construct, wave, min_answered(construct)],
            ).df()
            both = items.merge(answers, on="item_id")
            assert len(both) == len(items) > 0
            pooled = (both["favourable_pct"] * both["answers"]).sum() / both["answers"].sum()
            assert pooled == pytest.approx(waves.loc[wave, "favourable_pct"], rel=1e-9)


def test_the_shipped_sample_words_reverse_items_negatively():
    # Raw answers to a reverse item run against the other items; coded, they run with them.
    pre = pd.read_csv(Path(__file__).parent.parent / "data" / "sample" / "survey_pre.csv")
    assert pre["ps_1"].corr(pre["ps_2"]) < -0.2
    assert reverse_code("ps_1", pre["ps_1"]).corr(pre["ps_2"]) > 0.2


def test_a_database_from_before_the_view_gains_it_and_keeps_its_scores(tmp_path):
    path = tmp_path / "old.duckdb"
    con = db.connect(path)
    add_wave(con, "pre", "pre", "2025-01-01")
    add_employee(con, "e1")
    add_response(con, "r1", "pre", {"ps_1": 3, "ps_2": 4, "ps_4": 5, "ps_6": 4}, employee_id="e1")
    finish(con)
    con.execute("DROP VIEW coded_answers")
    con.execute("DROP TABLE constructs")
    con.close()
    old = duckdb.connect(str(path))
    assert (
        old.execute("SELECT count(*) FROM duckdb_views() WHERE view_name = 'coded_answers'").fetchone()[0]
        == 0
    )
    old.close()
    con = db.connect(path)
    assert db.scores_fresh(con)  # the items table is unchanged, so the cache's marks still hold
    assert con.execute("SELECT value, favourable FROM coded_answers WHERE item_id = 'ps_1'").fetchone() == (
        5.0,
        True,
    )
    items = metrics.item_favourable(con, "ps", min_group=1).set_index("item_id")
    assert items.loc["ps_1", "favourable_pct"] == pytest.approx(100.0)
    con.close()
