"""Minimum group sizes, primary and secondary suppression, and redaction."""

import math

import pandas as pd
import pytest

from analytics import metrics, privacy
from analytics.errors import MutualError
from analytics.ingest.redact import redact
from tests import builders


def breakdown(sizes: dict[str, int], wave: str = "pre") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "wave": wave,
            "department": list(sizes),
            "n": list(sizes.values()),
            "mean": [3.0] * len(sizes),
            "label": ["x"] * len(sizes),
        }
    )


def hidden(frame: pd.DataFrame, column: str = "department") -> dict[str, bool]:
    return dict(zip(frame[column], frame["suppressed"].astype(bool), strict=True))


def test_group_of_four_is_suppressed_at_five():
    frame = privacy.suppress(breakdown({"A": 4, "B": 20, "C": 30, "D": 12}), ["mean", "label"], min_group=5)
    out = frame.set_index("department")
    assert bool(out.loc["A", "suppressed"]) is True
    assert math.isnan(out.loc["A", "mean"]) and out.loc["A", "label"] is None
    assert out.loc["A", "n"] == 4  # n stays, so the page can say how small it was


def test_secondary_suppression_hides_next_smallest():
    frame = privacy.suppress(breakdown({"A": 4, "B": 20, "C": 30, "D": 12}), ["mean"], min_group=5)
    # 66 in total; A alone could be recovered as 66 - 20 - 30 - 12, so D (next smallest) goes too
    assert hidden(frame) == {"A": True, "B": False, "C": False, "D": True}
    assert frame.loc[frame["department"] == "B", "mean"].iloc[0] == 3.0


def test_two_small_groups_together_under_k_hide_one_more():
    frame = privacy.suppress(breakdown({"A": 1, "B": 2, "C": 9, "D": 8}), ["mean"], min_group=5)
    # A + B = 3 < 5: their sum would still be a group under k, so D (8) is hidden as well
    assert hidden(frame) == {"A": True, "B": True, "C": False, "D": True}


def test_two_small_groups_together_at_k_are_enough():
    frame = privacy.suppress(breakdown({"A": 2, "B": 3, "C": 9}), ["mean"], min_group=5)
    assert hidden(frame) == {"A": True, "B": True, "C": False}


def test_no_suppression_when_every_group_is_large_enough():
    frame = privacy.suppress(breakdown({"A": 5, "B": 6}), ["mean"], min_group=5)
    assert not frame["suppressed"].any()


def test_suppression_is_within_each_wave():
    frame = pd.concat(
        [breakdown({"A": 4, "B": 20, "C": 30}, "pre"), breakdown({"A": 8, "B": 20, "C": 30}, "post")],
        ignore_index=True,
    )
    out = privacy.suppress(frame, ["mean"], min_group=5, within=["wave"])
    assert list(out["suppressed"]) == [True, True, False, False, False, False]


def test_suppress_groups_protects_both_margins():
    # department x role, one wave: (HR, mentor) = 2 is small.
    frame = pd.DataFrame(
        {
            "wave": "pre",
            "department": ["HR", "HR", "IT", "IT", "Ops", "Ops"],
            "role": ["mentor", "mentee", "mentor", "mentee", "mentor", "mentee"],
            "n": [2, 10, 6, 9, 20, 30],
            "mean": 1.0,
        }
    )
    out = privacy.suppress_groups(frame, ["mean"], ["department", "role"], within=["wave"], min_group=5)
    cells = {(d, r): s for d, r, s in zip(out["department"], out["role"], out["suppressed"], strict=True)}
    # within HR: mentee (10) hidden too; within mentors: IT (6) hidden too; then within IT the
    # mentee (9) is hidden, and within mentees the hidden HR 10 + IT 9 >= 5 is safe.
    assert cells == {
        ("HR", "mentor"): True,
        ("HR", "mentee"): True,
        ("IT", "mentor"): True,
        ("IT", "mentee"): True,
        ("Ops", "mentor"): False,
        ("Ops", "mentee"): False,
    }


def test_suppress_keeps_row_order_and_handles_empty_frames():
    empty = privacy.suppress(breakdown({}), ["mean"], min_group=5, within=["wave"])
    assert empty.empty and "suppressed" in empty.columns
    out = privacy.suppress(breakdown({"B": 20, "A": 4, "C": 9}), ["mean"], min_group=5)
    assert list(out["department"]) == ["B", "A", "C"]


def test_min_group_env_respected(monkeypatch):
    monkeypatch.setenv("MUTUAL_MIN_GROUP", "3")
    assert privacy.min_group() == 3
    out = privacy.suppress(breakdown({"A": 4, "B": 20}), ["mean"])
    assert not out["suppressed"].any()  # 4 >= 3
    monkeypatch.delenv("MUTUAL_MIN_GROUP")
    assert privacy.min_group() == 5
    monkeypatch.setenv("MUTUAL_MIN_GROUP", "")
    assert privacy.min_group() == 5  # empty means the default


@pytest.mark.parametrize(
    "raw", ["0", "1", "2", "-3", "abc", "not a number", "1e9", "10.5", "12345678901234567890"]
)
def test_unusable_min_group_is_refused(monkeypatch, raw):
    monkeypatch.delenv("MUTUAL_ALLOW_SMALL_GROUPS", raising=False)
    monkeypatch.setenv("MUTUAL_MIN_GROUP", raw)
    with pytest.raises(MutualError, match="MUTUAL_MIN_GROUP="):
        privacy.min_group()
    with pytest.raises(MutualError):
        privacy.thresholds()


def test_a_threshold_below_three_says_how_to_allow_it(monkeypatch):
    monkeypatch.delenv("MUTUAL_ALLOW_SMALL_GROUPS", raising=False)
    monkeypatch.setenv("MUTUAL_MIN_GROUP", "2")
    with pytest.raises(MutualError, match="MUTUAL_ALLOW_SMALL_GROUPS=yes"):
        privacy.min_group()


@pytest.mark.parametrize("raw", ["1", "2"])
def test_allow_small_groups_accepts_one_and_two(monkeypatch, raw):
    monkeypatch.setenv("MUTUAL_ALLOW_SMALL_GROUPS", "yes")
    monkeypatch.setenv("MUTUAL_MIN_GROUP", raw)
    assert privacy.min_group() == int(raw)


@pytest.mark.parametrize("raw", ["0", "-3", "abc"])
def test_allow_small_groups_still_refuses_zero_negative_and_text(monkeypatch, raw):
    monkeypatch.setenv("MUTUAL_ALLOW_SMALL_GROUPS", "yes")
    monkeypatch.setenv("MUTUAL_MIN_GROUP", raw)
    with pytest.raises(MutualError):
        privacy.min_group()


def test_comment_threshold_defaults_to_ten_or_the_score_threshold(monkeypatch):
    monkeypatch.delenv("MUTUAL_MIN_GROUP_COMMENTS", raising=False)
    monkeypatch.setenv("MUTUAL_MIN_GROUP", "5")
    assert privacy.min_group_comments() == 10
    monkeypatch.setenv("MUTUAL_MIN_GROUP", "20")
    assert privacy.min_group_comments() == 20
    assert privacy.thresholds() == (20, 20)


def test_comment_threshold_below_the_score_threshold_is_refused(monkeypatch):
    monkeypatch.setenv("MUTUAL_MIN_GROUP", "8")
    monkeypatch.setenv("MUTUAL_MIN_GROUP_COMMENTS", "6")
    with pytest.raises(MutualError, match="MUTUAL_MIN_GROUP_COMMENTS"):
        privacy.min_group_comments()
    monkeypatch.setenv("MUTUAL_MIN_GROUP_COMMENTS", "8")
    assert privacy.min_group_comments() == 8  # equal is allowed
    monkeypatch.setenv("MUTUAL_MIN_GROUP_COMMENTS", "12")
    assert privacy.thresholds() == (8, 12)


def seed(con, sizes: dict[str, int]) -> None:
    """Engagement answers at one wave for departments of the given sizes."""
    builders.add_wave(con, "pre", "pre", "2025-01-01")
    for department, size in sizes.items():
        for number in range(size):
            employee = f"{department}{number}"
            builders.add_employee(con, employee, hire_date=None, department=department)
            answers = {f"eng_{i}": 4.0 for i in range(1, 5)}
            builders.add_response(con, employee, "pre", answers, employee_id=employee)


def test_group_scores_suppresses_group_of_four(con):
    seed(con, {"Sales": 4, "Ops": 7, "IT": 6})
    out = metrics.group_scores(con, "eng", ["department"], min_group=5).set_index("department")
    assert out["suppressed"].to_dict() == {"IT": True, "Ops": False, "Sales": True}
    assert out.loc["Ops", "mean"] == 4.0 and math.isnan(out.loc["Sales", "mean"])


def test_filter_leaving_three_respondents_returns_nothing(con):
    seed(con, {"Sales": 3, "Ops": 7})
    assert metrics.group_scores(con, "eng", ["department"], {"department": ["Sales"]}, min_group=5).empty
    assert metrics.group_scores(con, "eng", [], {"department": ["Sales"]}, min_group=5).empty
    assert metrics.enps(con, filters={"department": ["Sales"]}, min_group=5).empty
    assert metrics.item_favourable(con, "eng", filters={"department": ["Sales"]}, min_group=5).empty
    assert len(metrics.group_scores(con, "eng", [], {"department": ["Ops"]}, min_group=5)) == 1


def test_group_scores_reads_threshold_from_env(con, monkeypatch):
    seed(con, {"Sales": 4, "Ops": 7})
    monkeypatch.setenv("MUTUAL_MIN_GROUP", "4")
    out = metrics.group_scores(con, "eng", ["department"])
    assert not out["suppressed"].any()
    monkeypatch.setenv("MUTUAL_MIN_GROUP", "8")
    out = metrics.group_scores(con, "eng", ["department"])
    assert out["suppressed"].all()  # 7 and 4 are both under 8
    monkeypatch.setenv("MUTUAL_MIN_GROUP", "12")
    assert metrics.group_scores(con, "eng", ["department"]).empty  # 11 in total


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mail me at jo.bloggs@example.com please", "Mail me at [email removed] please"),
        ("See https://intranet.example.com/x for more", "See [link removed] for more"),
        ("Call +44 20 7946 0958 any time", "Call [phone removed] any time"),
        ("We met on 2025-03-14 and 14/03/2025", "We met on 2025-03-14 and 14/03/2025"),
    ],
)
def test_redact(text, expected):
    assert redact(text) == expected


def test_suppressed_note():
    assert privacy.SUPPRESSED_NOTE(5) == "fewer than 5 responses"


def test_secondary_suppression_survives_duplicate_index_labels():
    # per-wave frames concatenated without ignore_index share index labels 0, 1, ...; the first
    # version of suppress() looked rows up by label and so left pre's B visible next to a hidden A
    frame = pd.concat([breakdown({"A": 4, "B": 20}, "pre"), breakdown({"A": 8, "B": 20}, "post")])
    assert list(frame.index) == [0, 1, 0, 1]
    out = privacy.suppress(frame, ["mean"], min_group=5, within=["wave"])
    assert list(out["suppressed"]) == [True, True, False, False]
    assert list(out.index) == [0, 1, 0, 1]  # the caller's index is kept
