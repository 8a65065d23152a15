"""A differencing search over the known-answer organisation (issue 13): no group under k is recoverable.

The search asks what an analyst can: every single-attribute filter (each value, and each pair of values)
and every filter on two attributes (one value each), without and with a breakdown, over each wave (every
pulse, pre and post), over two pulses pooled (two confidential ones, and two anonymous ones), and as
the paired pre -> post change (filters on two attributes: each wave, without a breakdown). Every shown figure is
recorded with the respondents behind it, computed by the test from the rows it built (the true people,
anonymous ones included). A mean over a set of (person, wave) answers is a sum once its n is known, so
two shown figures of the same measure whose answer sets are nested and differ by 1 to k-1 people give
those people's mean; a paired change also shows its people's pre and post answers (mean after minus
mean change). The test fails on any such pair, and on any shown figure over fewer than k people.
"""

from __future__ import annotations

import math
from collections import defaultdict
from itertools import combinations

import pandas as pd
import pytest

from analytics import change, metrics
from analytics.filters import NOT_IN_PROGRAMME, NOT_RECORDED
from analytics.store import db
from tests.privacy_org import ANON_PULSES, PULSES, K, build

PERSON = ("department", "grade", "location", "gender", "ethnicity", "age_band", "disability", "role")
PROGRAMME = ("cohort", "role", "focus")
TWO_PULSES = PULSES[:2]
TWO_ANONYMOUS = ANON_PULSES[:2]


def _label(attribute: str, value) -> str:
    if value is None:
        return NOT_IN_PROGRAMME if attribute in PROGRAMME else NOT_RECORDED
    return str(value)


class Truth:
    """Who stands behind a figure: (person, wave) answers as bits of one integer per set."""

    def __init__(self, org):
        self.rows = []
        for response in org.responses:
            attributes = org.attributes_of(response)
            self.rows.append({"person": response["person"], "wave": response["wave"], **attributes})
        self.bit = {(r["person"], r["wave"]): i for i, r in enumerate(self.rows)}
        self.person_of = [r["person"] for r in self.rows]
        self.linked = {r["person"] for r in org.responses if r["employee_id"] is not None}
        self.values = {a: sorted({str(r[a]) for r in self.rows if r.get(a) is not None}) for a in PERSON}

    def answers(self, filters: dict, waves: list[str], group: tuple[str, str] | None = None) -> int:
        mask = 0
        for i, r in enumerate(self.rows):
            if r["wave"] not in waves:
                continue
            if any(str(r.get(a)) not in values for a, values in filters.items()):
                continue
            if group and _label(group[0], r.get(group[0])) != group[1]:
                continue
            mask |= 1 << i
        return mask

    def paired(self, filters: dict, group: tuple[str, str] | None = None) -> tuple[int, int, frozenset]:
        """The pre answers, post answers and people of a paired change (people in both waves)."""
        pre = self.answers(filters, ["pre"], group)
        post = self.answers(filters, ["post"], group)
        pre_people, post_people = self.people(pre), self.people(post)
        both = (pre_people & post_people) & self.linked
        keep_pre = sum(1 << self.bit[(p, "pre")] for p in both)
        keep_post = sum(1 << self.bit[(p, "post")] for p in both)
        return keep_pre, keep_post, frozenset(both)

    def people(self, mask: int) -> frozenset:
        found, i = set(), 0
        while mask:
            if mask & 1:
                found.add(self.person_of[i])
            mask >>= 1
            i += 1
        return frozenset(found)


def _shown(value) -> bool:
    try:
        return value is not None and math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def _visible_rows(frame: pd.DataFrame, value: str):
    if frame is None or frame.empty or value not in frame.columns:
        return
    for _, row in frame.iterrows():
        if bool(row.get("suppressed", False)) or not _shown(row[value]):
            continue
        yield row


class Search:
    """Shown figures: measure -> {answer set: description}."""

    def __init__(self, truth: Truth):
        self.truth = truth
        self.found: dict[str, dict[int, str]] = defaultdict(dict)
        self.small: list[str] = []

    def add(self, measure: str, mask: int, people: frozenset, description: str) -> None:
        if not people:
            return
        if len(people) < K:
            self.small.append(f"{description}: {len(people)} people")
        self.found[measure].setdefault(mask, description)

    def scores(self, con, filters: dict, breakdown: str | None) -> None:
        keys = ["wave", breakdown] if breakdown else ["wave"]
        frame = metrics.group_scores(con, "ps", group_by=keys, filters=filters or None)
        for row in _visible_rows(frame, "mean"):
            group = (breakdown, str(row[breakdown])) if breakdown else None
            mask = self.truth.answers(filters, [row["wave"]], group)
            what = f"ps at {row['wave']}, filters {filters}" + (
                f", {breakdown} = {group[1]}" if group else ""
            )
            self.add("score", mask, self.truth.people(mask), what)

    def pooled(self, con, filters: dict, breakdown: str | None, waves: list[str] = TWO_PULSES) -> None:
        keys = [breakdown] if breakdown else []
        frame = metrics.group_scores(con, "ps", group_by=keys, filters=filters or None, waves=waves)
        for row in _visible_rows(frame, "mean"):
            group = (breakdown, str(row[breakdown])) if breakdown else None
            mask = self.truth.answers(filters, waves, group)
            what = f"ps over {waves}, filters {filters}" + (f", {breakdown} = {group[1]}" if group else "")
            self.add("score", mask, self.truth.people(mask), what)

    def change(self, con, filters: dict, breakdown: str | None) -> None:
        frame = change.wave_change(
            con, "ps", before="pre", after="post", group_by=breakdown, filters=filters or None
        )
        for row in _visible_rows(frame, "mean_change"):
            group = (breakdown, str(row[breakdown])) if breakdown else None
            pre, post, people = self.truth.paired(filters, group)
            what = f"pre -> post change, filters {filters}" + (f", {breakdown} = {group[1]}" if group else "")
            self.add("change", sum(1 << hash_bit for hash_bit in self._people_bits(people)), people, what)
            # mean after minus mean change is the same people's pre mean: their pre and post answers.
            self.add("score", pre, people, f"{what} (its people's pre answers)")
            self.add("score", post, people, f"{what} (its people's post answers)")

    def _people_bits(self, people: frozenset):
        order = self.__dict__.setdefault("_order", {})
        for person in people:
            yield order.setdefault(person, len(order))

    def differences(self) -> list[str]:
        """Pairs of shown figures of one measure whose sets are nested and differ by 1 to k-1 people."""
        out = []
        for measure, sets in self.found.items():
            people_of = self.truth.people if measure == "score" else self._change_people
            by_size = defaultdict(list)
            for mask in sets:
                by_size[mask.bit_count()].append(mask)
            for mask, description in sets.items():
                size = mask.bit_count()
                # a person holds at most 2 answers of a set here (two pooled pulses)
                for smaller in range(max(1, size - 2 * (K - 1)), size):
                    for other in by_size.get(smaller, []):
                        if other & ~mask:
                            continue
                        left = people_of(mask & ~other) if measure == "score" else people_of(mask, other)
                        if 0 < len(left) < K:
                            out.append(
                                f"[{measure}] {description}  minus  {sets[other]}  =  {len(left)} "
                                f"people ({sorted(left)})"
                            )
        return out

    def _change_people(self, mask: int, other: int) -> frozenset:
        order = {v: k for k, v in self.__dict__.get("_order", {}).items()}
        left, i, rest = set(), 0, mask & ~other
        while rest:
            if rest & 1:
                left.add(order[i])
            rest >>= 1
            i += 1
        return frozenset(left)


def _filters(truth: Truth):
    """Every single-attribute filter (one or two values) and every two-attribute filter (one value each)."""
    for attribute in PERSON:
        for size in (1, 2):
            for values in combinations(truth.values[attribute], size):
                yield {attribute: list(values)}, True
    for a, b in combinations(PERSON, 2):
        for x in truth.values[a]:
            for y in truth.values[b]:
                yield {a: [x], b: [y]}, False


@pytest.fixture(scope="module")
def search(tmp_path_factory):
    org = build(tmp_path_factory.mktemp("search") / "org.duckdb")
    truth = Truth(org)
    con = db.connect(org.path)
    found = Search(truth)
    try:
        for breakdown in (None, "department", "gender"):
            found.scores(con, {}, breakdown)
            found.pooled(con, {}, breakdown)
            found.pooled(con, {}, breakdown, TWO_ANONYMOUS)
            found.change(con, {}, breakdown)
        for filters, single in _filters(truth):
            if not truth.answers(filters, PULSES + ANON_PULSES + ["pre", "post"]):
                continue  # the filter leaves no one: nothing to learn
            breakdown = "gender" if "department" in filters else "department"
            found.scores(con, filters, None)
            if not single:
                continue
            found.scores(con, filters, breakdown)
            found.pooled(con, filters, None)
            found.pooled(con, filters, None, TWO_ANONYMOUS)
            found.pooled(con, filters, breakdown)
            found.change(con, filters, None)
            if len(next(iter(filters.values()))) == 1:
                found.change(con, filters, breakdown)
    finally:
        con.close()
    return found


@pytest.mark.slow
def test_no_shown_figure_stands_on_fewer_than_k_people(search):
    assert sum(len(s) for s in search.found.values()) > 100  # the search does see figures
    assert not search.small, (
        f"{len(search.small)} shown figures over fewer than {K} people, e.g.\n" + "\n".join(search.small[:15])
    )


@pytest.mark.slow
def test_no_two_shown_figures_differ_by_fewer_than_k_people(search):
    leaks = search.differences()
    assert not leaks, f"{len(leaks)} pairs of shown figures give a group under {K}, e.g.\n" + "\n".join(
        leaks[:15]
    )
