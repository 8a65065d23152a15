"""Differencing attacks across filters (issue 6): two visible filtered results must not differ by 1 to k-1 people.

A small organisation is imported from generated template CSVs so that each attack would work on
figures suppressed one result at a time: in Engineering exactly 2 people are non-binary, a department
of 3 ("Tiny"), a pulse answered by Engineering and only 3 of Sales, and 2 Engineers outside the 25-34
age band. k = 5 for scores, 10 for free text.
"""

from __future__ import annotations

import math
import random

import pandas as pd
import pytest

from analytics import change, comparison, goals, metrics, overview, privacy, retention, stories
from analytics.filters import where_sql
from analytics.ingest.load import import_files
from analytics.store import db
from analytics.text import comments, feedback, themes
from tests.fixtures_ingest import csv_bytes

K = 5
K_TEXT = 10
PULSES = ["pulse-2025-03", "pulse-2025-05"]

# department -> [(gender, age band, how many)]
PEOPLE = {
    "Engineering": [
        ("woman", "25-34", 20),
        ("woman", "55+", 2),
        ("man", "25-34", 10),
        ("non-binary", "25-34", 2),
    ],
    "Sales": [("woman", "35-44", 15), ("man", "35-44", 15)],
    "Operations": [("woman", "45-54", 15), ("man", "45-54", 14), ("non-binary", "45-54", 3)],
    "Tiny": [("man", "35-44", 3)],
}
# participants per department: how many of each gender (the first ones of the department)
TAKING_PART = {
    "Engineering": {"woman": 10, "man": 8, "non-binary": 2},
    "Sales": {"woman": 5, "man": 5},
    "Operations": {"woman": 5, "man": 5},
}
WORDS = [
    "I feel heard and my ideas are valued by the team",
    "Meetings are rushed and I am often ignored",
    "Great support from my manager this month",
    "Workload is heavy but the team pulls together",
    "Nobody listens when I raise a concern, which is frustrating",
    "Learning a lot and enjoying the new projects",
    "Communication between teams could be much better",
    "Proud of what we delivered, a really good quarter",
]
ENG = {"department": ["Engineering"]}
ENG_BUT_NB = {"department": ["Engineering"], "gender": ["woman", "man"]}  # Engineering minus 2 people
OPS = {"department": ["Operations"]}


def _organisation() -> dict[str, bytes]:
    rng = random.Random(6)
    employees = [["employee_id", "department", "gender", "age_band", "hire_date", "exit_date", "exit_type"]]
    people = []
    for department, groups in PEOPLE.items():
        for gender, age, count in groups:
            for _ in range(count):
                eid = f"E{len(people) + 1:03d}"
                people.append({"id": eid, "department": department, "gender": gender})
                leaves = len(people) % 6 == 0
                exit_date, exit_type = ("2025-09-01", "voluntary") if leaves else ("", "")
                employees.append([eid, department, gender, age, "2020-01-06", exit_date, exit_type])
    participants = []
    for department, genders in TAKING_PART.items():
        for gender, count in genders.items():
            mine = [p for p in people if p["department"] == department and p["gender"] == gender]
            participants += mine[:count]
    roster = [["employee_id", "cohort", "role", "pair_id", "focus", "start_date", "status", "story_consent"]]
    for i, person in enumerate(participants):
        role = "mentor" if i % 2 == 0 else "mentee"
        roster.append(
            [person["id"], "C1", role, f"P{i // 2 + 1:02d}", "technology", "2025-01-06", "active", "yes"]
        )
    items = [f"ps_{i}" for i in range(1, 8)]

    def survey(wave: str, who: list[dict], day: str, question: str) -> bytes:
        rows = [["response_id", "employee_id", "wave", "submitted_at", *items, "enps", f"comment_{question}"]]
        for person in who:
            answers = [str(rng.randint(1, 7)) for _ in items]
            nps = str(rng.randint(0, 10))
            rows.append([f"{wave}-{person['id']}", person["id"], wave, day, *answers, nps, rng.choice(WORDS)])
        return csv_bytes(rows)

    pulse_two = [p for p in people if p["department"] == "Engineering"]
    pulse_two += [p for p in people if p["department"] == "Sales"][:3]
    goals_rows = [["employee_id", "goal_id", "weight", "level_post"]]
    for person in participants:
        goals_rows += [[person["id"], f"g{j}", "1", str(rng.randint(-2, 2))] for j in range(3)]
    sessions = [["pair_id", "date", "minutes"]]
    for pair in range(1, len(participants) // 2 + 1):
        sessions += [[f"P{pair:02d}", f"2025-{m:02d}-10", "45"] for m in range(1, 1 + rng.randint(3, 7))]
    return {
        "employees.csv": csv_bytes(employees),
        "roster.csv": csv_bytes(roster),
        "pre.csv": survey("pre", participants, "2025-01-10", "experience"),
        "post.csv": survey("post", participants, "2025-07-10", "experience"),
        "pulse1.csv": survey(PULSES[0], people, "2025-03-05", "pulse"),
        "pulse2.csv": survey(PULSES[1], pulse_two, "2025-05-05", "pulse"),
        "goals.csv": csv_bytes(goals_rows),
        "sessions.csv": csv_bytes(sessions),
    }


@pytest.fixture(scope="module")
def org(tmp_path_factory):
    """The small organisation, imported once through the template CSVs."""
    con = db.connect(tmp_path_factory.mktemp("filters") / "org.duckdb")
    import_files(con, list(_organisation().items()))
    yield con
    con.close()


def _people(con, filters: dict, wave: str | None = None) -> int:
    """Respondents (with a psychological-safety answer) the filter covers, counted from the raw rows."""
    condition, params = where_sql(filters, "r")
    if wave:
        condition, params = f"{condition} AND r.wave = ?", [*params, wave]
    return con.execute(
        f"""SELECT count(DISTINCT r.employee_id) FROM respondents r JOIN answers a USING (response_id)
            WHERE a.item_id LIKE 'ps%' AND {condition}""",
        params,
    ).fetchone()[0]


def _visible(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[~frame["suppressed"].astype(bool)]


def _implied(whole: pd.DataFrame, part: pd.DataFrame, key: str, value: str = "mean") -> pd.DataFrame:
    """The group whole minus part, per key, where both are shown: its n and mean follow from the two."""
    both = _visible(whole).merge(_visible(part), on=key, suffixes=("", "_part"))
    both["left_n"] = both["n"] - both["n_part"]
    left = both["left_n"].where(both["left_n"] != 0)
    both["left_mean"] = (both["n"] * both[value] - both["n_part"] * both[f"{value}_part"]) / left
    return both


# ---------------------------------------------------------------- (a) the total minus each department


def test_total_minus_each_department_reveals_no_small_group(org):
    # The attack needs a wave where one department is all but a few: pulse 2 is Engineering and 3 of Sales.
    assert _people(org, {}, PULSES[1]) - _people(org, ENG, PULSES[1]) == 3
    total = metrics.group_scores(org, "ps", ["wave"])
    assert not total["suppressed"].any()
    exposed = 0
    for department in PEOPLE:
        part = metrics.group_scores(org, "ps", ["wave"], {"department": [department]})
        implied = _implied(total, part, "wave")
        small = implied[(implied["left_n"] > 0) & (implied["left_n"] < K)]
        assert small.empty, (department, small[["wave", "n", "n_part", "left_n", "left_mean"]])
        exposed += len(implied)
    assert exposed > 0  # some department figures are shown: the guard does not hide everything
    # With k = 1 (nothing protected) the same subtraction gives the 3 Sales people's mean in pulse 2.
    open_total = metrics.group_scores(org, "ps", ["wave"], min_group=1)
    open_eng = metrics.group_scores(org, "ps", ["wave"], ENG, min_group=1)
    leak = _implied(open_total, open_eng, "wave").set_index("wave")
    assert leak.loc[PULSES[1], "left_n"] == 3 and math.isfinite(leak.loc[PULSES[1], "left_mean"])


def test_a_small_department_filter_on_its_own_shows_nothing(org):
    tiny = metrics.group_scores(org, "ps", ["wave"], {"department": ["Tiny"]})
    assert tiny.empty or tiny["suppressed"].all()


# ---------------------------------------------------------------- (b) value lists {A, B} against {A}


@pytest.mark.parametrize("extra", ["Tiny"])
def test_a_value_list_against_its_part_reveals_no_small_group(org, extra):
    # {Operations, Tiny} - {Operations} is the 3 people of Tiny in every wave they answered.
    assert (
        _people(org, {"department": ["Operations", extra]}, PULSES[0])
        - _people(org, {"department": ["Operations"]}, PULSES[0])
        == 3
    )
    both = metrics.group_scores(org, "ps", ["wave"], {"department": ["Operations", extra]})
    one = metrics.group_scores(org, "ps", ["wave"], {"department": ["Operations"]})
    implied = _implied(both, one, "wave")
    assert implied[(implied["left_n"] > 0) & (implied["left_n"] < K)].empty, implied
    # The list including Tiny is hidden wherever Tiny answered; the protected cell shows nowhere.
    assert both.set_index("wave").loc[PULSES[0], "suppressed"]


def test_two_gender_lists_in_a_department_differ_by_no_small_group(org):
    """The issue's example: a department, then the department without one small gender."""
    assert _people(org, ENG, PULSES[0]) - _people(org, ENG_BUT_NB, PULSES[0]) == 2
    whole = metrics.group_scores(org, "ps", ["wave"], ENG)
    part = metrics.group_scores(org, "ps", ["wave"], ENG_BUT_NB)
    implied = _implied(whole, part, "wave")
    assert implied[(implied["left_n"] > 0) & (implied["left_n"] < K)].empty, implied
    assert not _visible(whole).empty  # Engineering itself is shown
    # Engineering women alone are >= k and so are the rest of Engineering: shown, and safe to subtract.
    women = metrics.group_scores(org, "ps", ["wave"], {"department": ["Engineering"], "gender": ["woman"]})
    safe = _implied(whole, women, "wave")
    assert not safe.empty and (safe["left_n"] >= K).all()


# ---------------------------------------------------------------- (c) inclusion-exclusion over two attributes


def test_inclusion_exclusion_over_two_attributes_reveals_no_small_group(org):
    a = {"department": ["Engineering"]}
    b = {"age_band": ["25-34"]}
    ab = {**a, **b}
    # Engineers outside 25-34: 2 people, so A - AB would be their figure.
    assert _people(org, a, PULSES[0]) - _people(org, ab, PULSES[0]) == 2
    frames = {
        name: metrics.group_scores(org, "ps", ["wave"], f).set_index("wave")
        for name, f in (("all", None), ("a", a), ("b", b), ("ab", ab))
    }
    checked = 0
    for wave in frames["all"].index:
        rows = {name: frame.loc[wave] for name, frame in frames.items() if wave in frame.index}
        shown = {name for name, row in rows.items() if not bool(row["suppressed"])}
        n = {name: rows[name]["n"] for name in shown}
        # Each region the four results could reveal, as signed sums of them.
        regions = {
            "A not B": {"a": 1, "ab": -1},
            "B not A": {"b": 1, "ab": -1},
            "neither": {"all": 1, "a": -1, "b": -1, "ab": 1},
            "A or B": {"a": 1, "b": 1, "ab": -1},
            "rest of A": {"all": 1, "a": -1},
        }
        for region, signs in regions.items():
            if set(signs) <= shown:
                checked += 1
                size = sum(sign * n[name] for name, sign in signs.items())
                assert size == 0 or size >= K, (wave, region, size, n)
    assert checked > 0
    assert frames["ab"].loc[PULSES[0], "suppressed"]  # AB is hidden: its cell row holds the 2


# ---------------------------------------------------------------- (d) the same through every function


def _n_shown(result) -> float | None:
    """n of a result when its figures are shown, else None."""
    if isinstance(result, pd.DataFrame):
        shown = result if "suppressed" not in result.columns else _visible(result)
        return None if shown.empty else float(shown["n"].sum())
    raise TypeError(type(result))


def _wave_change(con, filters):
    frame = change.wave_change(con, "ps", "pre", "post", filters=filters)
    return _n_shown(frame)


def _reciprocity(con, filters):
    found = change.reciprocity(con, "ps", "pre", "post", filters=filters)
    return None if found["suppressed"] else float(found["pairs"])


def _goals(con, filters):
    return _n_shown(goals.goal_attainment(con, None, filters))


def _gas(con, filters):
    frame = goals.gas_scores(con, filters)
    return None if frame.empty else float(len(frame))


def _participation(con, filters):
    return _n_shown(goals.participation_summary(con, None, filters))


def _pairs(con, filters):
    frame = goals.participation(con, None, filters)
    return None if frame.empty else float(frame["members"].sum())


def _sessions(con, filters):
    frame = goals.sessions_by_month(con, filters)
    frame = frame[~frame["suppressed"].astype(bool)]
    return None if frame.empty else float(frame["sessions"].sum())


def _retention(con, filters):
    found = retention.retention_summary(con, filters)
    return None if found["participants_6m"] is None else float(found["n_participants"])


def _curves(con, filters):
    frame = retention.retention_curves(con, filters)
    frame = frame[frame["group"] == "participants"]
    return None if frame.empty else float(frame["n"].iloc[0])


def _tone(con, filters):
    frame = comments.sentiment_by_group(con, ["wave"], filters)
    frame = frame[frame["wave"] == PULSES[0]]
    return _n_shown(frame)


def _comments(con, filters):
    frame = feedback.comments(con, filters)
    frame = frame[frame["wave"] == PULSES[0]]
    return None if frame.empty else float(len(frame))


def _flags(con, filters):
    frame = feedback.wellbeing_flags(con, filters)
    return None if frame.attrs.get("message") else float(frame.attrs.get("total", 0))


def _programme(con, filters):
    size = overview.programme_size(con, filters)
    return None if size["participants"] is None else float(size["participants"])


def _latest(con, filters):
    found = overview.latest_vs_pre(con, "ps", filters)
    return None if found["latest"] is None else float(found["latest_n"])


def _rates(con, filters):
    rates = overview.response_rates(con, filters).set_index("wave")
    return None if rates.loc[PULSES[0], "suppressed"] else float(rates.loc[PULSES[0], "responded"])


def _pulse(con, filters):
    frame = metrics.pulse_trend(con, "ps", None, filters)
    return _n_shown(frame[frame["wave"] == PULSES[0]])


def _items(con, filters):
    frame = metrics.item_favourable(con, "ps", None, filters, [PULSES[0]])
    return _n_shown(frame[frame["item_id"] == "ps_1"])


def _enps_n(con, filters):
    return _n_shown(metrics.enps(con, None, filters, [PULSES[0]]))


def _themes(con, filters):
    found = themes.find_themes(con, filters)
    return None if found.themes.empty else float(found.themes["comments"].sum())


def _versus(con, filters):
    frame = comparison.participants_vs_comparison(con, "ps", filters)
    return _n_shown(frame[(frame["wave"] == PULSES[0]) & (frame["group"] == "participants")])


def _stories(con, filters):
    frame = stories.consented_stories(con, filters)
    return None if frame.empty else float(len(frame))


# name -> (the figure's n when shown, the true difference between ENG and ENG_BUT_NB it would reveal)
FUNCTIONS = {
    "change.wave_change": (_wave_change, 2),
    "change.reciprocity": (_reciprocity, 1),
    "comparison.participants_vs_comparison": (_versus, 2),
    "goals.goal_attainment": (_goals, 2),
    "goals.gas_scores": (_gas, 2),
    "goals.participation_summary": (_participation, 1),  # pairs, the unit of pair figures: 1 pair apart
    "goals.participation": (_pairs, 2),
    "goals.sessions_by_month": (_sessions, None),
    "retention.retention_summary": (_retention, 2),
    "retention.retention_curves": (_curves, 2),
    "comments.sentiment_by_group": (_tone, 2),
    "feedback.comments": (_comments, 2),
    "feedback.wellbeing_flags": (_flags, None),
    "overview.programme_size": (_programme, 2),
    "overview.latest_vs_pre": (_latest, 2),
    "overview.response_rates": (_rates, 2),
    "metrics.pulse_trend": (_pulse, 2),
    "metrics.item_favourable": (_items, 2),
    "metrics.enps": (_enps_n, 2),
    "themes.find_themes": (_themes, None),
    "stories.consented_stories": (_stories, None),
}


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_department_minus_a_small_gender_is_hidden_in_every_function(org, name):
    """Engineering against Engineering without its 2 non-binary people: never both shown."""
    figure, difference = FUNCTIONS[name]
    whole, part = figure(org, ENG), figure(org, ENG_BUT_NB)
    if name == "stories.consented_stories":
        assert whole is None  # a department filter never narrows the stories (it would say whose they are)
    elif name != "comparison.participants_vs_comparison":
        # Engineering on its own is shown (the guard is not hiding everything). Not so against the
        # comparison group: Engineering's non-participants (14) are the next-smallest cell after Tiny's 3
        # in pulse 1, so they are protected, and the wave's two groups go together.
        # (Engineering itself may be hidden: its 25-34 band is Engineering less 2 people, so the gate treats
        # the two as views of nearly the same people. Operations has no such near neighbour.)
        assert whole is not None or figure(org, OPS) is not None, name
    assert part is None, (name, whole, part)
    if difference is not None:
        # Without protection (k = 1 leaves every cell shown) the two differ by exactly the small group.
        assert _open(name, org, ENG) - _open(name, org, ENG_BUT_NB) == difference


def _open(name: str, con, filters) -> float:
    """The n a function reports with min_group = 1 (min_group_comments for text), for the precondition."""
    calls = {
        "change.wave_change": lambda: change.wave_change(
            con, "ps", "pre", "post", filters=filters, min_group=1
        ),
        "change.reciprocity": lambda: change.reciprocity(con, "ps", "pre", "post", filters, min_group=1)[
            "pairs"
        ],
        "comparison.participants_vs_comparison": lambda: (
            lambda f: f[(f["wave"] == PULSES[0]) & (f["group"] == "participants")]
        )(comparison.participants_vs_comparison(con, "ps", filters, min_group=1)),
        "goals.goal_attainment": lambda: goals.goal_attainment(con, None, filters, min_group=1),
        "goals.gas_scores": lambda: len(goals.gas_scores(con, filters, min_group=1)),
        "goals.participation_summary": lambda: goals.participation_summary(con, None, filters, min_group=1),
        "goals.participation": lambda: goals.participation(con, None, filters, min_group=1)["members"].sum(),
        "retention.retention_summary": lambda: retention.retention_summary(con, filters, min_group=1)[
            "n_participants"
        ],
        "retention.retention_curves": lambda: retention.retention_summary(con, filters, min_group=1)[
            "n_participants"
        ],
        "comments.sentiment_by_group": lambda: (lambda f: f[f["wave"] == PULSES[0]])(
            comments.sentiment_by_group(con, ["wave"], filters, min_group=1)
        ),
        "feedback.comments": lambda: (lambda f: len(f[f["wave"] == PULSES[0]]))(
            feedback.comments(con, filters, min_group=1)
        ),
        "overview.programme_size": lambda: overview.programme_size(con, filters, min_group=1)["participants"],
        "overview.latest_vs_pre": lambda: overview.latest_vs_pre(con, "ps", filters, min_group=1)["latest_n"],
        "overview.response_rates": lambda: (
            overview.response_rates(con, filters, min_group=1).set_index("wave").loc[PULSES[0], "responded"]
        ),
        "metrics.pulse_trend": lambda: (lambda f: f[f["wave"] == PULSES[0]])(
            metrics.pulse_trend(con, "ps", None, filters, min_group=1)
        ),
        "metrics.enps": lambda: metrics.enps(con, None, filters, [PULSES[0]], min_group=1),
        "metrics.item_favourable": lambda: (lambda f: f[f["item_id"] == "ps_1"])(
            metrics.item_favourable(con, "ps", None, filters, [PULSES[0]], min_group=1)
        ),
    }
    found = calls[name]()
    return float(found["n"].sum()) if isinstance(found, pd.DataFrame) else float(found)


def test_comment_tone_by_wave_cannot_be_differenced_at_the_text_threshold(org):
    """k = 10 for text: Engineering (34 commenters) and Engineering without 2 (32) are both >= 10."""
    whole = comments.sentiment_by_group(org, ["wave"], ENG).set_index("wave")
    part = comments.sentiment_by_group(org, ["wave"], ENG_BUT_NB).set_index("wave")
    # Engineering itself is hidden as nearly its 25-34 band; Operations (its 45-54 band exactly) is shown.
    assert "nearly the same people" in whole.loc[PULSES[0], "suppressed_reason"]
    ops = comments.sentiment_by_group(org, ["wave"], OPS).set_index("wave")
    assert not ops.loc[PULSES[0], "suppressed"] and ops.loc[PULSES[0], "n"] >= K_TEXT
    assert part.loc[PULSES[0], "suppressed"] and math.isnan(part.loc[PULSES[0], "mean_compound"])
    assert pd.isna(part.loc[PULSES[0], "n"])  # text groups hide their n too
    listing = feedback.comments(org, ENG_BUT_NB)
    assert listing.empty and "smaller group" in listing.attrs["message"]
    assert comments.commenters(org, ENG_BUT_NB) >= K_TEXT  # hidden by the guard, not the threshold


# ---------------------------------------------------------------- nothing changes without filters


def test_without_filters_results_are_the_plain_figures(org):
    scores = metrics.group_scores(org, "ps", ["wave"]).set_index("wave")
    raw = org.execute(
        """SELECT wave, count(DISTINCT employee_id) AS n, avg(score) AS mean
           FROM (SELECT r.wave, r.employee_id, avg(CASE WHEN a.item_id IN ('ps_1', 'ps_3', 'ps_5')
                                                     THEN 8 - a.value ELSE a.value END) AS score
                 FROM answers a JOIN responses r USING (response_id) WHERE a.item_id LIKE 'ps_%'
                 GROUP BY ALL) GROUP BY wave"""
    ).df()
    for wave, n, mean in raw.itertuples(index=False):
        assert scores.loc[wave, "n"] == n and scores.loc[wave, "mean"] == pytest.approx(mean)
        assert not scores.loc[wave, "suppressed"]
    # An empty selection means "all": the same as no filter at all.
    pd.testing.assert_frame_equal(
        metrics.group_scores(org, "ps", ["wave", "department"], {"department": []}),
        metrics.group_scores(org, "ps", ["wave", "department"]),
    )
    # The breakdown itself keeps its own suppression: Tiny (3) and the next-smallest department.
    by = metrics.group_scores(org, "ps", ["wave", "department"]).set_index(["wave", "department"])
    assert by.loc[(PULSES[0], "Tiny"), "suppressed"] and by.loc[(PULSES[0], "Sales"), "suppressed"]
    # Engineering is hidden as nearly its 25-34 band (2 people apart); Operations is its 45-54 band exactly.
    assert by.loc[(PULSES[0], "Engineering"), "suppressed"]
    assert not by.loc[(PULSES[0], "Operations"), "suppressed"]
    assert overview.programme_size(org) == {
        "participants": 40,
        "pairs": 20,
        "active_pairs": 20,
        "cohorts": 1,
        "suppressed": False,
        "suppressed_reason": None,
    }


def test_a_filter_over_groups_all_at_least_k_still_shows_its_figures(org):
    women = {"gender": ["woman"]}  # women: 22 + 15 + 15 in pulse 1, every department's cell >= k
    shown = metrics.group_scores(org, "ps", ["wave"], women).set_index("wave")
    assert not shown.loc[PULSES[0], "suppressed"] and shown.loc[PULSES[0], "n"] == 52
    assert _people(org, women, PULSES[0]) == 52
    sales = change.wave_change(org, "ps", "pre", "post", filters={"department": ["Sales"]})
    assert not sales["suppressed"].iloc[0] and sales["n"].iloc[0] == 10  # 5 women + 5 men
    assert overview.programme_size(org, {"department": ["Operations"]})["participants"] == 10
    assert goals.goal_attainment(org, None, {"department": ["Sales"]})["n"].iloc[0] == 10


# ---------------------------------------------------------------- the rule itself, on cells by hand


def _cells() -> pd.DataFrame:
    """Two waves of department x gender cells; in w1, department A has 2 people of gender Y."""
    rows = [
        ("w1", "A", "X", 20),
        ("w1", "A", "Y", 2),
        ("w1", "A", "Z", 8),
        ("w1", "B", "X", 30),
        ("w1", "B", "Y", 9),
        ("w1", "B", "Z", 12),
        ("w2", "A", "X", 21),
        ("w2", "A", "Z", 9),
        ("w2", "B", "X", 25),
    ]
    frame = pd.DataFrame(rows, columns=["wave", "department", "gender", "n"])
    return frame.rename(columns={"department": "_cell_department", "gender": "_cell_gender"})


def test_guard_hides_a_group_covering_a_protected_cell_and_its_complement():
    cells = _cells()
    # A, all genders but Y: covers (A, X) and (A, Z). In w1 (A, Y) = 2 is hidden, and (A, Z) = 8 with it
    # (the next-smallest of A's row), so w1 is hidden; w2 has no Y and shows.
    hidden = privacy.guard_filters(cells, ["wave"], {"department": ["A"], "gender": ["X", "Z"]}, 5)
    assert hidden["wave"].tolist() == ["w1"]
    # A and X only: (A, X) = 20 is shown in both waves, so nothing is hidden; A minus (A, X) = 10 >= 5.
    assert privacy.guard_filters(cells, ["wave"], {"department": ["A"], "gender": ["X"]}, 5).empty
    # Without filters nothing is hidden, whatever the cells.
    assert privacy.guard_filters(cells, ["wave"], None, 5).empty
    assert privacy.guard_filters(cells, ["wave"], {"department": []}, 5).empty


def test_guard_without_breakdown_keys_hides_all_or_nothing():
    cells = _cells()[lambda f: f["wave"] == "w1"].drop(columns="wave").reset_index(drop=True)
    hidden = privacy.guard_filters(cells, [], {"gender": ["Y", "X"]}, 5)
    assert len(hidden) > 0  # (A, Y) = 2 is covered: without keys, one row means hide the result
    assert len(privacy.guard_filters(cells, [], {"department": ["B"]}, 5)) == 0


def test_a_group_hidden_by_the_guard_triggers_secondary_suppression():
    frame = pd.DataFrame({"group": ["p", "q", "r"], "n": [40, 30, 50], "mean": [3.0, 3.5, 4.0]})
    out = privacy.suppress(frame, ["mean"], min_group=5, hide=[False, False, True])
    # r is hidden by the guard (50 people), so q, the smallest other group, goes too.
    assert out["suppressed"].tolist() == [False, True, True]
    assert math.isnan(out["mean"].iloc[1]) and out["mean"].iloc[0] == 3.0
