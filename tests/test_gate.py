"""The privacy gate's rules, one test each, on rows built so the secret is known (docs/privacy.md)."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from analytics import privacy
from analytics.filters import ATTRIBUTES, where_sql

K = 5


def person(unit: str, wave: str = "w1", value: float = 3.0, **attributes: str) -> dict:
    row = {"unit": unit, "wave": wave, "value": value}
    row.update({a: attributes.get(a) for a in ATTRIBUTES})
    return row


@pytest.fixture
def con():
    connection = duckdb.connect()
    yield connection
    connection.close()


def figure(con, rows: pd.DataFrame, keys: list[str], filters=None) -> pd.DataFrame:
    """The plain statistic per group (mean of value) under the filters, before the gate."""
    con.register("rows_", rows)
    condition, params = where_sql(filters, "r")
    by = "".join(f'coalesce(CAST("{k}" AS VARCHAR), \'Not recorded\') AS "{k}", ' for k in keys)
    frame = con.execute(
        f"SELECT {by} avg(value) AS mean FROM rows_ r WHERE {condition} GROUP BY ALL", params
    ).df()
    con.unregister("rows_")
    return frame


def gated(con, rows, keys, filters=None, **options) -> pd.DataFrame:
    shown = privacy.gate(
        con,
        rows,
        figure(con, rows, keys, filters),
        keys=keys,
        values=["mean"],
        filters=filters,
        min_group=K,
        **options,
    )
    return shown.set_index(keys) if keys else shown


def test_a_group_under_k_shows_no_value_and_no_n(con):
    rows = pd.DataFrame(
        [person(f"a{i}", department="A") for i in range(6)]
        + [person(f"b{i}", department="B") for i in range(4)]
        + [person(f"c{i}", department="C") for i in range(7)]
    )
    shown = gated(con, rows, ["department"])  # B is small; A, the next-smallest, goes with it
    assert shown.loc["C", "n"] == 7 and not shown.loc["C", "suppressed"]
    assert shown.loc["A", "suppressed"] and pd.isna(shown.loc["A", "n"])
    assert pd.isna(shown.loc["B", "n"]) and pd.isna(shown.loc["B", "mean"])
    assert shown.loc["B", "suppressed_reason"] == "fewer than 5 responses"


def test_next_smallest_group_is_hidden_so_the_total_cannot_give_the_small_one(con):
    sizes = {"A": 3, "B": 6, "C": 9}
    rows = pd.DataFrame(
        [person(f"{d}{i}", department=d, value=i) for d, n in sizes.items() for i in range(n)]
    )
    shown = gated(con, rows, ["department"])
    assert shown["suppressed"].to_dict() == {"A": True, "B": True, "C": False}
    assert shown.loc["B", "suppressed_reason"].startswith("hidden so that a smaller group")


def test_a_pooled_figure_needs_k_people_in_every_wave(con):
    # Department A: 8 people in wave 1, 3 of them in wave 2. Pooled it is 8 people, yet the pooled
    # mean minus the wave-1 mean would give those 3 people's wave-2 mean.
    rows = pd.DataFrame(
        [person(f"a{i}", "w1", 3, department="A") for i in range(8)]
        + [person(f"a{i}", "w2", 5, department="A") for i in range(3)]
        + [person(f"b{i}", w, 4, department="B") for i in range(9) for w in ("w1", "w2")]
    )
    pooled = gated(con, rows, ["department"])
    assert pooled.loc["A", "suppressed"] and pooled.loc["A", "suppressed_reason"].endswith("one of its waves")
    by_wave = gated(con, rows, ["department", "wave"])
    assert not by_wave.loc[("A", "w1"), "suppressed"] and by_wave.loc[("A", "w2"), "suppressed"]


def test_anonymous_responses_count_once_per_wave(con):
    # The same 4 people answer 3 anonymous pulses: 12 responses, never more than 4 people in a wave.
    rows = pd.DataFrame(
        [person(f"resp-{w}-{i}", w, i, department="A") for w in ("p1", "p2", "p3") for i in range(4)]
    )
    shown = gated(con, rows, [])
    assert bool(shown["suppressed"].iloc[0]) and pd.isna(shown["n"].iloc[0])


def test_two_views_on_different_attributes_of_nearly_the_same_people_are_both_hidden(con):
    # The age bands {35-44, 55+} hold every man and one woman, whose value is the secret 7.
    rows = pd.DataFrame(
        [person(f"m{i}", value=4, gender="Man", age_band="35-44" if i % 2 else "55+") for i in range(10)]
        + [person("secret", value=7, gender="Woman", age_band="35-44")]
        + [person(f"w{i}", value=2, gender="Woman", age_band="25-34") for i in range(10)]
    )
    men = gated(con, rows, [], {"gender": ["Man"]})
    ages = gated(con, rows, [], {"age_band": ["35-44", "55+"]})
    assert men["suppressed"].iloc[0] and ages["suppressed"].iloc[0]
    assert "nearly the same people" in men["suppressed_reason"].iloc[0]
    # Without the planted woman the two sets are equal (0 apart): both are shown.
    plain = rows[rows["unit"] != "secret"]
    assert not gated(con, plain, [], {"gender": ["Man"]})["suppressed"].iloc[0]
    assert not gated(con, plain, [], {"age_band": ["35-44", "55+"]})["suppressed"].iloc[0]


def test_a_breakdown_group_nearly_equal_to_another_attributes_value_is_hidden(con):
    # Legal is everyone in Dublin plus one person elsewhere: Legal minus Dublin is one person.
    rows = pd.DataFrame(
        [person(f"l{i}", value=3, department="Legal", location="Dublin") for i in range(8)]
        + [person("secret", value=6, department="Legal", location="London")]
        + [person(f"s{i}", value=4, department="Sales", location="London") for i in range(12)]
    )
    shown = gated(con, rows, ["department"])
    assert shown.loc["Legal", "suppressed"]
    # Sales is hidden too, as the next-smallest of the breakdown (the total would give Legal).
    assert shown.loc["Sales", "suppressed"]


def test_a_group_far_from_every_other_view_is_shown(con):
    rows = pd.DataFrame(
        [
            person(
                f"p{i}",
                value=i % 5,
                department="AB"[i % 2],
                gender=["Man", "Woman"][i // 2 % 2],
                age_band=["25-34", "35-44", "45-54"][i % 3],
            )
            for i in range(60)
        ]
    )
    shown = gated(con, rows, ["department"])
    assert not shown["suppressed"].any() and shown["n"].sum() == 60
    assert shown.loc["A", "mean"] == pytest.approx(rows[rows["department"] == "A"]["value"].mean())


def test_a_filter_whose_cells_include_a_small_one_is_hidden(con):
    # Engineering against Engineering without its 2 non-binary people: the second is hidden.
    rows = pd.DataFrame(
        [person(f"w{i}", gender="Woman", department="Eng") for i in range(10)]
        + [person(f"m{i}", gender="Man", department="Eng") for i in range(10)]
        + [person(f"n{i}", gender="Non-binary", department="Eng", value=7) for i in range(2)]
        + [person(f"o{i}", gender=["Woman", "Man"][i % 2], department="Ops") for i in range(20)]
    )
    part = gated(con, rows, [], {"department": ["Eng"], "gender": ["Woman", "Man"]})
    assert part["suppressed"].iloc[0]
    whole = gated(con, rows, [], {"department": ["Eng"]})
    assert not whole["suppressed"].iloc[0] and whole["n"].iloc[0] == 22


def test_a_wave_figure_and_a_paired_population_one_person_apart_are_not_both_shown(con):
    # 8 people answered pre, 7 of them post; the pre mean over 8 against the paired before-mean over
    # 7 would give the one who left.
    pre = [person(f"p{i}", "pre", 3 + i % 2, cohort="C1") for i in range(8)]
    post = [person(f"p{i}", "post", 4, cohort="C1") for i in range(7)]
    rows = pd.DataFrame(pre + post)
    con.register("all_rows", rows)
    also_post = privacy.Rows(
        "SELECT * FROM all_rows WHERE unit IN (SELECT unit FROM all_rows WHERE wave = 'post')"
    )
    shown = gated(con, rows, ["wave"], neighbours=[also_post])
    assert shown.loc["pre", "suppressed"] and "differ by fewer than" in shown.loc["pre", "suppressed_reason"]
    assert not shown.loc["post", "suppressed"]
    # With a neighbour of fewer than k people (never shown itself) there is nothing to protect.
    con.register("few_rows", rows[rows["unit"].isin([f"p{i}" for i in range(4)]) | (rows["wave"] == "pre")])
    few = privacy.Rows("SELECT * FROM few_rows WHERE unit IN ('p0', 'p1', 'p2', 'p3')")
    assert not gated(con, rows, ["wave"], neighbours=[few]).loc["pre", "suppressed"]


def test_groups_of_the_figure_without_rows_are_hidden(con):
    rows = pd.DataFrame([person(f"a{i}", department="A") for i in range(6)])
    extra = pd.DataFrame({"department": ["A", "Ghost"], "mean": [3.0, 9.9]})
    shown = privacy.gate(con, rows, extra, keys=["department"], values=["mean"], min_group=K)
    assert shown.set_index("department").loc["Ghost", "suppressed"]
    assert pd.isna(shown.set_index("department").loc["Ghost", "mean"])


def test_categories_are_protected_like_a_breakdown(con):
    # Sentiment labels split people: negative (2) is hidden, and so is the next-smallest label.
    labels = ["positive"] * 9 + ["neutral"] * 6 + ["negative"] * 2
    rows = pd.DataFrame([{**person(f"c{i}"), "label": label} for i, label in enumerate(labels)])
    counts = rows.groupby("label").size().rename("mean").reset_index()
    shown = privacy.gate(
        con, rows, counts, keys=["label"], values=["mean"], min_group=K, categories=["label"]
    ).set_index("label")
    assert shown["suppressed"].to_dict() == {"negative": True, "neutral": True, "positive": False}


def test_the_gate_refuses_a_column_name_that_is_not_an_identifier(con):
    rows = pd.DataFrame([person("a")])
    with pytest.raises(ValueError, match="column name"):
        privacy.gate(con, rows, rows[["wave"]], keys=['wave"; DROP TABLE x; --'], values=[], min_group=K)


def test_of_two_groups_the_same_size_the_same_one_is_hidden_whatever_the_row_order():
    """A hidden group of 2 takes one of two groups of 10 with it; which one must not depend on the order
    the rows came in (DuckDB's order varies with its thread count)."""
    frame = pd.DataFrame(
        {"theme": ["t5", "t6", "small", "big"], "n": [10, 10, 2, 40], "mean": [1.0, 2.0, 3.0, 4.0]}
    )
    picks = set()
    for order in ([0, 1, 2, 3], [1, 0, 2, 3], [3, 2, 1, 0], [2, 1, 3, 0]):
        out = privacy.suppress(frame.iloc[order].reset_index(drop=True), ["mean"], min_group=5)
        hidden = set(out.loc[out["suppressed"], "theme"])
        assert "small" in hidden and "big" not in hidden and len(hidden) == 2
        picks.add(frozenset(hidden))
        crossed = privacy.suppress_groups(
            frame.iloc[order].reset_index(drop=True), ["mean"], ["theme"], min_group=5
        )
        assert set(crossed.loc[crossed["suppressed"], "theme"]) == hidden
    assert picks == {frozenset({"small", "t5"})}
