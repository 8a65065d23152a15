"""The sample programme: deterministic, shaped like the templates, and showing the promised effects."""

import re
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analytics.instruments import ITEMS, items_of
from analytics.sample import programme
from analytics.sample.org import DATA_DATE
from analytics.store import db
from tests import builders

TEMPLATES = Path(__file__).resolve().parent.parent / "docs" / "templates.md"


@pytest.fixture(scope="module")
def frames():
    return programme.generate()


def _score(frame: pd.DataFrame, construct: str) -> pd.Series:
    """Construct score per response: mean of answered items after reverse coding."""
    columns = {}
    for spec in items_of(construct):
        if spec.code in frame:
            values = frame[spec.code].astype("float64")
            columns[spec.code] = spec.scale_min + spec.scale_max - values if spec.reverse else values
    return pd.DataFrame(columns).mean(axis=1)


def _change(frames, construct: str) -> pd.DataFrame:
    """Pre -> post change per participant present in both waves, with roster columns."""
    pre, post = frames["survey_pre.csv"], frames["survey_post.csv"]
    before = pd.DataFrame({"employee_id": pre["employee_id"], "before": _score(pre, construct)})
    after = pd.DataFrame({"employee_id": post["employee_id"], "after": _score(post, construct)})
    both = before.merge(after, on="employee_id").merge(frames["participants.csv"], on="employee_id")
    return both.assign(change=both["after"] - both["before"])


def _comments(frames) -> pd.Series:
    texts = [f[c] for f in frames.values() for c in f.columns if c.startswith("comment_")]
    joined = pd.concat(texts)
    return joined[joined != ""]


def _documented_columns() -> dict[str, tuple[set[str], set[str]]]:
    """Per template kind in docs/templates.md: (every documented column, the required ones)."""
    found = {}
    for section in re.split(r"^## ", TEMPLATES.read_text(encoding="utf-8"), flags=re.MULTILINE)[1:]:
        kind = section.split()[0]
        columns, required = set(), set()
        for cell, needed in re.findall(r"^\| (`.+?) \| (.+?) \|", section, flags=re.MULTILINE):
            names = re.findall(r"`([a-z_<>]+)`", cell)
            columns |= set(names)
            answers = [a.strip() for a in needed.split("/")]
            if len(answers) == len(names):  # "`start_date`, `end_date` | yes / no"
                required |= {n for n, a in zip(names, answers, strict=True) if a.startswith("yes")}
            elif needed.startswith("yes"):
                required |= set(names)
        found[kind] = (columns, required)
    return found


def test_generate_is_deterministic(frames):
    again = programme.generate()
    assert list(again) == list(frames)
    for name, frame in frames.items():
        pd.testing.assert_frame_equal(again[name], frame, check_exact=True)


def test_other_seed_gives_other_data(frames):
    other = programme.generate(seed=7)
    assert not other["employees.csv"].equals(frames["employees.csv"])


def test_committed_sample_is_byte_identical_to_a_fresh_write(tmp_path):
    written = programme.write_sample(tmp_path)
    committed = programme.sample_files()
    assert [p.name for p in written] == [p.name for p in committed]
    for fresh, shipped in zip(written, committed, strict=True):
        assert fresh.read_bytes() == shipped.read_bytes(), shipped.name


def test_sample_dir_does_not_depend_on_the_working_directory(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    expected = Path(programme.__file__).resolve().parents[2] / "data" / "sample"
    assert expected == programme.SAMPLE_DIR
    # employees, applications, participants + 3 surveys + 6 pulses + 1 anonymous pulse + goals + sessions
    assert len(programme.sample_files()) == 3 + 3 + 6 + 1 + 2


def test_sample_files_in_import_order():
    names = [p.name for p in programme.sample_files()]
    assert names == [
        "employees.csv",
        "applications.csv",
        "participants.csv",
        "survey_pre.csv",
        "survey_mid.csv",
        "survey_post.csv",
        "pulse_2026-05.csv",
        "pulse_2026-06.csv",
        "pulse_2026-07.csv",
        "pulse_2026-08.csv",
        "pulse_2026-09.csv",
        "pulse_2026-10.csv",
        "pulse_anonymous_2026-10.csv",
        "goals.csv",
        "sessions.csv",
    ]


def test_columns_match_the_documented_templates(frames):
    documented = _documented_columns()
    kinds = {
        "employees.csv": "employees",
        "applications.csv": "applications",
        "participants.csv": "participants",
        "goals.csv": "goals",
        "sessions.csv": "sessions",
    }
    for name, frame in frames.items():
        columns, required = documented[kinds.get(name, "survey")]
        present = set(frame.columns)
        if kinds.get(name, "survey") == "survey":
            items = {c for c in present if c in ITEMS}
            assert items, name
            present = {c for c in present - items if not c.startswith("comment_")}
        assert required <= set(frame.columns), name
        assert present <= columns, (name, present - columns)


def test_employees_shape(frames):
    employees = frames["employees.csv"]
    assert len(employees) == 1200
    assert employees["employee_id"].is_unique
    assert employees["department"].nunique() >= 6
    assert sorted(employees["grade"].unique()) == ["G1", "G2", "G3", "G4", "G5", "G6", "G7"]
    assert set(employees["gender"]) == {"Woman", "Man", "Non-binary", "Prefer not to say"}
    assert "Prefer not to say" in set(employees["ethnicity"])
    # Small groups exist so that privacy suppression shows: fewer than 30 Non-binary, a tiny Legal team.
    assert 5 <= (employees["gender"] == "Non-binary").sum() < 30
    assert 5 <= (employees["department"] == "Legal").sum() < 30
    hire = pd.to_datetime(employees["hire_date"])
    assert (hire.max() - hire.min()).days > 14 * 365
    left = employees[employees["exit_date"] != ""]
    assert set(left["exit_type"]) == {"voluntary", "involuntary"}
    assert (left["exit_type"] == "voluntary").mean() > 0.6
    assert (pd.to_datetime(left["exit_date"]) > pd.to_datetime(left["hire_date"])).all()
    assert (pd.to_datetime(left["exit_date"]) <= pd.Timestamp(DATA_DATE)).all()
    assert set(employees.loc[employees["exit_date"] == "", "exit_type"]) == {""}


def test_participants_shape(frames):
    participants = frames["participants.csv"]
    employees = frames["employees.csv"].set_index("employee_id")
    assert len(participants) == 240  # 3 cohorts x 40 pairs x 2
    assert participants["employee_id"].is_unique
    assert participants.groupby("cohort")["start_date"].first().to_dict() == {
        "2024-Autumn": "2024-09-02",
        "2025-Spring": "2025-03-03",
        "2025-Autumn": "2025-09-01",
    }
    roles = participants.groupby("pair_id")["role"].apply(sorted)
    assert (roles.map(tuple) == ("mentee", "mentor")).all()
    grades = employees.loc[participants["employee_id"], "grade"].to_numpy()
    assert set(grades[participants["role"] == "mentor"]) <= {"G1", "G2", "G3"}
    assert set(grades[participants["role"] == "mentee"]) <= {"G5", "G6", "G7"}
    assert participants["pair_id"].iloc[0] == "C1-P01"
    assert set(participants["focus"]) == {"technology", "inclusion", "cross-functional"}
    assert set(participants["status"]) == {"completed", "active", "withdrawn"}
    assert participants.groupby("pair_id")["status"].nunique().max() == 1
    withdrawn_pairs = participants.loc[participants["status"] == "withdrawn", "pair_id"].nunique()
    assert 3 <= withdrawn_pairs <= 24  # a few of 120 pairs
    # Active pairs carry on after the programme, so they have no end date.
    assert (participants.loc[participants["status"] == "active", "end_date"] == "").all()


def test_story_consent_share(frames):
    participants = frames["participants.csv"]
    consent = participants["story_consent"] == "yes"
    assert 0.10 <= consent.mean() <= 0.22  # roughly 15 %
    both = consent.groupby(participants["pair_id"]).all()
    assert both.sum() >= 3


def test_psych_safety_items_1_3_5_are_worded_in_reverse(frames):
    pre = frames["survey_pre.csv"].astype({c: "float64" for c in ["ps_1", "ps_2", "ps_3", "ps_4"]})
    # Raw answers to a negatively worded item run against the positively worded ones.
    assert pre["ps_1"].corr(pre["ps_2"]) < -0.2
    assert pre["ps_3"].corr(pre["ps_4"]) < -0.2
    assert pre["ps_2"].corr(pre["ps_4"]) > 0.2


def test_answers_are_whole_numbers_within_their_scale(frames):
    for name, frame in frames.items():
        for code in [c for c in frame.columns if c in ITEMS]:
            spec = ITEMS[code]
            values = frame[code].dropna()
            assert str(frame[code].dtype) == "Int64", (name, code)
            assert values.between(spec.scale_min, spec.scale_max).all(), (name, code)
        if "ps_1" in frame:
            missing = frame["ps_1"].isna().mean()
            assert 0 < missing < 0.08, name  # some items missing at random


def test_wave_items_and_response_rates(frames):
    participants = frames["participants.csv"]
    pre, mid, post = (frames[f"survey_{w}.csv"] for w in ("pre", "mid", "post"))
    assert {"rl_1", "sat_1"}.isdisjoint(pre.columns)
    assert "rl_1" in mid.columns and "sat_1" not in mid.columns
    assert {"rl_1", "sat_1"} <= set(post.columns)
    assert 0.80 <= len(pre) / len(participants) <= 0.95  # ~10-15 % non-response
    withdrawn = participants.loc[participants["status"] == "withdrawn", "employee_id"]
    assert not post["employee_id"].isin(withdrawn).any()
    assert set(pre["wave"]) == {"pre"} and set(post["wave"]) == {"post"}


def test_psych_safety_improves_except_in_the_weak_cohort(frames):
    change = _change(frames, "ps")
    overall = change["change"].mean()
    assert overall > 0.2
    dz = overall / change["change"].std(ddof=1)
    assert 0.4 <= dz <= 0.9  # medium effect
    by_cohort = change.groupby("cohort")["change"].mean()
    assert by_cohort["2025-Spring"] < 0.15
    assert by_cohort["2024-Autumn"] - by_cohort["2025-Spring"] > 0.3
    strong = change[change["cohort"] != "2025-Spring"]
    assert stats.ttest_rel(strong["after"], strong["before"]).pvalue < 0.001


def test_mentors_gain_more_belonging_and_mentees_more_psych_safety(frames):
    belonging = _change(frames, "bel").groupby("role")["change"].mean()
    safety = _change(frames, "ps").groupby("role")["change"].mean()
    assert belonging["mentor"] > belonging["mentee"]
    assert safety["mentee"] > safety["mentor"]
    post = frames["survey_post.csv"].merge(frames["participants.csv"], on="employee_id")
    learning = _score(post, "rl").groupby(post["role"]).mean()
    assert learning["mentee"] > learning["mentor"]


def test_share_of_pairs_where_both_partners_improved(frames):
    change = _change(frames, "ps")
    wide = change.pivot_table(index="pair_id", columns="role", values="change").dropna()
    both = ((wide["mentor"] > 0) & (wide["mentee"] > 0)).mean()
    assert len(wide) >= 40
    assert 0.3 <= both <= 0.9


def test_participants_leave_less_often_than_the_comparison_group(frames):
    employees = frames["employees.csv"]
    participants = frames["participants.csv"]
    hire = pd.to_datetime(employees["hire_date"])
    leave = pd.to_datetime(employees["exit_date"].replace("", None))
    voluntary = employees["exit_type"] == "voluntary"
    rates = {"participants": [], "comparison": []}
    for cohort, start in participants.groupby("cohort")["start_date"].first().items():
        start = pd.Timestamp(start)
        employed = (hire <= start) & (leave.isna() | (leave > start))
        left_in_year = voluntary & (leave <= start + pd.Timedelta(days=365))
        member = employees["employee_id"].isin(
            participants.loc[participants["cohort"] == cohort, "employee_id"]
        )
        other = ~employees["employee_id"].isin(participants["employee_id"])
        rates["participants"].append(left_in_year[employed & member])
        rates["comparison"].append(left_in_year[employed & other])
    participant_rate = pd.concat(rates["participants"]).mean()
    comparison_rate = pd.concat(rates["comparison"]).mean()
    assert participant_rate < 0.09  # ~6 %
    assert 0.10 < comparison_rate < 0.20  # ~14 %


def test_pulses_go_to_employed_staff_and_separate_groups(frames):
    employees = frames["employees.csv"].set_index("employee_id")
    participants = frames["participants.csv"]
    means = {}
    for month in ["2026-05", "2026-09", "2026-10"]:
        pulse = frames[f"pulse_{month}.csv"]
        opened = pd.Timestamp(f"{month}-05")
        staff = employees.loc[pulse["employee_id"]]
        assert (pd.to_datetime(staff["hire_date"]) <= opened).all()
        assert not (pd.to_datetime(staff["exit_date"].replace("", None)) <= opened).any()
        leave = pd.to_datetime(employees["exit_date"].replace("", None))
        employed = (pd.to_datetime(employees["hire_date"]) <= opened) & ~(leave <= opened)
        assert 0.55 <= len(pulse) / employed.sum() <= 0.75  # ~65 % response
        assert 0.18 <= (pulse["comment_pulse"] != "").mean() <= 0.32  # ~25 % comment
        assert set(pulse["wave"]) == {f"pulse-{month}"}
        score = _score(pulse, "ps")
        member = pulse["employee_id"].isin(participants["employee_id"])
        assert score[member].mean() - score[~member].mean() > 0.2
        means[month] = score.groupby(staff["department"].to_numpy()).mean()
    decline = means["2026-10"] - means["2026-05"]
    assert decline["Operations"] < -0.5
    # The fall steepens in the last month, so a month-on-month alert fires for Operations only.
    assert (means["2026-10"] - means["2026-09"])["Operations"] < -0.3
    assert decline.drop(["Operations", "Legal"]).abs().max() < 0.3


def test_anonymous_pulse_carries_attributes_not_identity(frames):
    anonymous = frames["pulse_anonymous_2026-10.csv"]
    assert "employee_id" not in anonymous.columns
    assert {"department", "grade", "gender"} <= set(anonymous.columns)
    assert set(anonymous["wave"]) == {"pulse-anon-2026-10"}
    assert anonymous[["department", "grade", "gender"]].notna().all().all()


def test_response_ids_are_unique_across_files(frames):
    ids = pd.concat([f["response_id"] for f in frames.values() if "response_id" in f])
    assert ids.is_unique
    assert frames["survey_pre.csv"]["response_id"].iloc[0] == "PRE-000001"
    assert frames["pulse_2026-05.csv"]["response_id"].iloc[0] == "P2605-00001"


def test_comments_vary_and_include_contact_details_and_distress(frames):
    comments = _comments(frames)
    assert comments.nunique() > 0.6 * len(comments)
    assert comments.str.contains("@").sum() >= 2
    assert comments.str.contains(r"07700 900\d{3}|\+44 20 7946 0\d{3}").sum() >= 2
    distress = comments.str.contains("overwhelmed and can't cope|burnt out|breaking point|hopeless")
    assert 2 <= distress.sum() <= 0.03 * len(comments)


def test_comment_tone_follows_scores(frames):
    from analytics.text.sentiment import score_texts

    pulse = pd.concat([frames[f"pulse_2026-0{m}.csv"] for m in (5, 6, 7)], ignore_index=True)
    written = pulse[pulse["comment_pulse"] != ""].reset_index(drop=True)
    compound = score_texts(list(written["comment_pulse"]))["compound"].to_numpy()
    score = _score(written, "ps").to_numpy()
    rho = stats.spearmanr(score, compound, nan_policy="omit").statistic
    assert rho > 0.2


def test_goals(frames):
    goals = frames["goals.csv"]
    participants = frames["participants.csv"]
    per_person = goals.groupby("employee_id").size()
    assert set(per_person.index) == set(participants["employee_id"])
    assert per_person.between(2, 4).all()
    assert not goals.duplicated(["employee_id", "goal_id"]).any()
    assert goals["weight"].isna().any() and goals["weight"].dropna().between(1, 3).all()
    for level in ("level_mid", "level_post"):
        assert goals[level].dropna().between(-2, 2).all()
    withdrawn = goals["employee_id"].isin(
        participants.loc[participants["status"] == "withdrawn", "employee_id"]
    )
    assert goals.loc[withdrawn, "level_post"].isna().all()
    assert goals.loc[~withdrawn, "level_post"].notna().all()
    assert goals["level_post"].mean() > goals["level_mid"].mean()


def test_sessions(frames):
    sessions = frames["sessions.csv"]
    pairs = frames["participants.csv"].drop_duplicates("pair_id").set_index("pair_id")
    assert set(sessions["pair_id"]) == set(pairs.index)
    assert sessions["minutes"].between(30, 90).all()
    assert set(sessions["kind"]) == {"meeting", "check-in", "shadowing"}
    date = pd.to_datetime(sessions["date"])
    start = pd.to_datetime(sessions["pair_id"].map(pairs["start_date"]))
    assert (date > start).all() and (date <= pd.Timestamp(DATA_DATE)).all()
    last = date.groupby(sessions["pair_id"]).max()
    end = pd.to_datetime(pairs["end_date"].replace("", None)).fillna(pd.Timestamp(DATA_DATE))
    quiet = ((end - last.reindex(pairs.index)).dt.days >= 60).mean()
    assert 0.08 <= quiet <= 0.35  # ~15 % go quiet, plus the withdrawn pairs
    gaps = date.groupby(sessions["pair_id"]).diff().dt.days.dropna()
    assert 14 <= gaps.median() <= 28  # every two to four weeks


def test_enterprise_size_scales(frames):
    began = time.perf_counter()
    big = programme.generate(employees=5000, cohorts=5, pairs_per_cohort=50, pulses=12, comment_rate=0.3)
    elapsed = time.perf_counter() - began
    assert elapsed < 20
    assert len(big["employees.csv"]) == 5000
    assert len(big["participants.csv"]) == 500  # 5 cohorts x 50 pairs x 2
    assert big["participants.csv"]["cohort"].nunique() == 5
    pulses = [name for name in big if re.fullmatch(r"pulse_\d{4}-\d{2}\.csv", name)]
    assert pulses[0] == "pulse_2025-11.csv" and len(pulses) == 12
    ratio = len(big["pulse_2026-10.csv"]) / len(frames["pulse_2026-10.csv"])
    assert 3.0 < ratio < 5.5  # a pulse scales with the head count (5000 / 1200 = 4.2)
    comment_share = (big["pulse_2026-10.csv"]["comment_pulse"] != "").mean()
    assert 0.26 < comment_share < 0.34


def test_custom_pulse_items():
    frames = programme.generate(
        employees=400, cohorts=1, pairs_per_cohort=10, pulses=1, pulse_items=["bel_1", "enps"]
    )
    pulse = frames["pulse_2026-10.csv"]
    assert [c for c in pulse.columns if c in ITEMS] == ["bel_1", "enps"]
    assert "pulse_anonymous_2026-10.csv" in frames
    with pytest.raises(ValueError, match="xyz"):
        programme.generate(pulse_items=["xyz"])


def test_no_anonymous_pulse_when_not_asked():
    frames = programme.generate(
        employees=400, cohorts=1, pairs_per_cohort=10, pulses=2, anonymous_pulse=False
    )
    assert not any(name.startswith("pulse_anonymous") for name in frames)


def test_database_is_empty(con):
    assert programme.database_is_empty(con)
    builders.add_employee(con, "E1", hire_date="2020-01-01")
    assert not programme.database_is_empty(con)


def test_load_sample_fills_the_database(con):
    results = programme.load_sample(con)
    assert len(results) == len(programme.sample_files())
    assert [r.kind for r in results][:3] == ["employees", "applications", "participants"]
    counts = db.table_counts(con)
    assert counts["employees"] == 1200
    assert counts["participants"] == 240
    assert counts["applications"] == len(pd.read_csv(programme.SAMPLE_DIR / "applications.csv"))
    managed = con.execute("SELECT count(manager_id) FROM employees").fetchone()[0]
    assert managed == counts["employees"] - 1  # everyone but the head
    shipped = sum(
        len(pd.read_csv(p)) for p in programme.sample_files() if p.name.startswith(("survey", "pulse"))
    )
    assert counts["responses"] == shipped
    assert counts["comments"] > 1000
    assert counts["goals"] > 0 and counts["sessions"] > 0
    redacted = con.execute("SELECT count(*) FROM comments WHERE text LIKE '%@%'").fetchone()[0]
    assert redacted == 0
    assert not programme.database_is_empty(con)
    assert np.isclose(
        con.execute("SELECT avg(story_consent::INTEGER) FROM participants").fetchone()[0],
        (pd.read_csv(programme.SAMPLE_DIR / "participants.csv")["story_consent"] == "yes").mean(),
    )


def _level(grade: pd.Series) -> pd.Series:
    """G1 (most junior) ... G7 (most senior), as the generator's grade_level reads them."""
    return grade.str[1:].astype(int)


def test_reporting_tree_has_one_head_and_no_loops(frames):
    employees = frames["employees.csv"].set_index("employee_id")
    manager = employees["manager_id"]
    heads = manager.index[manager == ""]
    assert len(heads) == 1
    head = heads[0]
    assert employees.at[head, "exit_date"] == "" and employees.at[head, "grade"] == "G7"
    assert manager.drop(head).isin(employees.index).all()
    # Climbing from everyone at once reaches the head within the 7 grades (+1 for the G7 leads): no loops.
    current = manager.drop(head)
    for _ in range(8):
        current = current.map(lambda m: m if m == head else manager[m])
    assert (current == head).all()


def test_managers_are_more_senior_and_employed_mostly_in_the_same_department(frames):
    employees = frames["employees.csv"].set_index("employee_id")
    staff = employees[employees["manager_id"] != ""]
    boss = employees.loc[staff["manager_id"]]
    own, theirs = _level(staff["grade"]).to_numpy(), _level(boss["grade"]).to_numpy()
    # Strictly higher grade, except G7s led by a G7 (the head, or their department's lead).
    assert ((theirs > own) | ((own == 7) & (theirs == 7))).all()
    assert (boss["exit_date"] == "").all()  # a manager is still employed
    same = (staff["department"].to_numpy() == boss["department"].to_numpy()).mean()
    assert 0.75 <= same < 1  # ~85 % in their own department, plus the G7s under the head


def test_applications_cover_both_partners_of_every_past_pair(frames):
    applications = frames["applications.csv"]
    participants = frames["participants.csv"]
    past = applications.merge(
        participants, on=["employee_id", "cohort"], how="inner", suffixes=("", "_roster")
    )
    assert len(past) == len(participants)
    assert (past["role"] == past["role_roster"]).all()
    assert not applications.duplicated(["employee_id", "cohort"]).any()
    mentors = applications["role"] == "mentor"
    assert applications.loc[mentors, "capacity"].between(1, 2).all()
    assert applications.loc[~mentors, ["capacity", "culture_change_involvement"]].isna().all().all()
    assert (applications.loc[mentors, "culture_change_involvement"] >= 0).all()


def test_application_lists_use_the_vocabularies(frames):
    from analytics.instruments import OBJECTIVES, SKILLS, STYLE_ITEMS

    applications = frames["applications.csv"]
    for column, vocabulary in (
        ("objectives", OBJECTIVES),
        ("skills_offered", SKILLS),
        ("skills_wanted", SKILLS),
    ):
        terms = {t for cell in applications[column] for t in cell.split("; ")}
        assert terms <= set(vocabulary), column
    for code in STYLE_ITEMS:
        assert applications[code].between(1, 5).all(), code


def test_upcoming_cohort_has_applicants_and_no_roster(frames):
    applications = frames["applications.csv"]
    participants = frames["participants.csv"]
    employees = frames["employees.csv"].set_index("employee_id")
    upcoming = applications[~applications["cohort"].isin(participants["cohort"])]
    # The first cohort slot (March or September) after the data date, 2026-10-31.
    assert set(upcoming["cohort"]) == {"2027-Spring"}
    assert upcoming["role"].value_counts().to_dict() == {"mentor": 30, "mentee": 30}
    assert (employees.loc[upcoming["employee_id"], "exit_date"] == "").all()
    open_pairs = participants.loc[participants["status"] == "active", "employee_id"]
    assert not upcoming["employee_id"].isin(open_pairs).any()
    level = _level(employees.loc[upcoming["employee_id"], "grade"]).to_numpy()
    mentor = (upcoming["role"] == "mentor").to_numpy()
    assert level[mentor].max() < level[~mentor].min()  # reverse mentoring: mentors junior


def _style_similarity(frames) -> pd.DataFrame:
    """Per past pair: matching's style similarity (1 - mean absolute gap / 4) and both_improved on ps
    (1 or 0; NaN where a partner lacks the pre or post survey)."""
    from analytics.instruments import STYLE_ITEMS

    applications = frames["applications.csv"]
    participants = frames["participants.csv"]
    answers = participants.merge(applications, on=["employee_id", "cohort", "role"])
    wide = answers.pivot(index="pair_id", columns="role", values=list(STYLE_ITEMS))
    gap = sum((wide[(c, "mentor")] - wide[(c, "mentee")]).abs() for c in STYLE_ITEMS) / len(STYLE_ITEMS)
    change = _change(frames, "ps").pivot_table(index="pair_id", columns="role", values="change").dropna()
    both = ((change["mentor"] > 0) & (change["mentee"] > 0)).astype(float)
    similarity = (1 - gap / 4).astype(float)
    return pd.DataFrame({"similarity": similarity}).join(both.rename("both_improved"))


def test_planted_style_relation_is_recoverable(frames):
    pairs = _style_similarity(frames)
    better = pairs.loc[pairs["both_improved"] == 1, "similarity"]
    worse = pairs.loc[pairs["both_improved"] == 0, "similarity"]
    assert len(better) >= 15 and len(worse) >= 15
    # Planted: the mentee matches the mentor's answer with chance ~0.65 (both improved) against ~0.25,
    # else 1-2 points away (mean 1.4): expected similarity ~1 - 0.35 x 1.4 / 4 = 0.88 against 0.74.
    assert better.mean() - worse.mean() > 0.05
    assert stats.ttest_ind(better, worse).pvalue < 0.01


def test_matching_style_component_agrees_with_the_hand_similarity(frames):
    from analytics import matching

    applications = frames["applications.csv"]
    first = frames["participants.csv"].iloc[:2]  # the first pair: mentor, mentee
    rows = first.merge(applications, on=["employee_id", "cohort", "role"])
    style = matching._style(rows.iloc[[0]], rows.iloc[[1]])[0, 0]
    assert style == pytest.approx(_style_similarity(frames).loc["C1-P01", "similarity"])


def test_first_sessions_carry_a_fit_that_follows_the_outcome(frames):
    sessions = frames["sessions.csv"]
    first = ~sessions["pair_id"].duplicated()
    assert set(sessions.loc[first, "fit"]) == {"good fit", "still deciding", "not a fit"}
    assert (sessions.loc[~first, "fit"] == "").all()
    fit = sessions.loc[first].set_index("pair_id")["fit"]
    pairs = _style_similarity(frames).join(fit)
    good = (pairs["fit"] == "good fit").groupby(pairs["both_improved"]).mean()
    assert good[1.0] > good[0.0]  # planted 0.65 against 0.3


def test_upcoming_cohort_is_the_first_slot_after_the_data_date():
    from analytics.sample.applications import next_cohort
    from analytics.sample.org import plan_cohorts

    # Data date 2026-10-31: half-yearly cohorts (March, September) next start in March 2027,
    # quarterly ones (March, June, September, December) in December 2026.
    assert next_cohort(plan_cohorts(3)) == "2027-Spring"
    assert next_cohort(plan_cohorts(10)) == "2026-Dec"
