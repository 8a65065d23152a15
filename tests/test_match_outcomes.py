"""The learning loop: outcomes by score tercile, the component model and the supported weights."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.linear_model import LogisticRegression
from statsmodels.stats.proportion import proportion_confint

from analytics import match_outcomes as mo
from analytics.errors import MutualError
from analytics.matching import COMPONENTS, compatibility, normalise_weights


def planted_pairs(n_pairs: int, effect: float, seed: int) -> pd.DataFrame:
    """Past pairs in 8 cohorts with random components, where style similarity raises mean_gain and
    both_improved by `effect` (nothing else matters); the other outcomes are noise."""
    rng = np.random.default_rng(seed)
    parts = {name: rng.uniform(0, 1, n_pairs) for name in COMPONENTS}
    style = parts["style"] - 0.5
    frame = pd.DataFrame(
        {
            "pair_id": [f"P{i:04d}" for i in range(n_pairs)],
            "cohort": [f"C{i % 8}" for i in range(n_pairs)],
            "score": compatibility(parts, normalise_weights(lens=["department"])),
            **parts,
        }
    )
    frame["mean_gain"] = 3.0 * effect * style + rng.normal(0, 1, n_pairs)
    odds = 1 / (1 + np.exp(-(0.2 + 6.0 * effect * style)))
    frame["both_improved"] = rng.uniform(0, 1, n_pairs) < odds
    frame["sessions_per_month"] = rng.gamma(4, 0.5, n_pairs)
    frame["ended_early"] = rng.uniform(0, 1, n_pairs) < 0.15
    frame["fit"] = rng.choice(
        np.array(["good fit", "still deciding", "not a fit", None], dtype=object), n_pairs
    )
    return frame


def _row(frame: pd.DataFrame, column: str, value: str) -> pd.Series:
    return frame.set_index(column).loc[value]


# ---------------------------------------------------------------- terciles


def test_wilson_interval_matches_hand_and_statsmodels():
    # 7 of 20, z = 1.959964, z² = 3.841459: centre (0.35 + z²/40) / (1 + z²/20) = 0.446036 / 1.192073
    # = 0.374169; half-width z * sqrt(0.35 * 0.65 / 20 + z²/1600) / (1 + z²/20) = 0.192977
    # -> (0.181192, 0.567146).
    low, high = mo.wilson_interval(7, 20)
    assert low == pytest.approx(0.181192, abs=1e-6)
    assert high == pytest.approx(0.567146, abs=1e-6)
    assert (low, high) == pytest.approx(proportion_confint(7, 20, alpha=0.05, method="wilson"), abs=1e-12)


def test_tercile_shares_and_means_match_a_hand_split():
    pairs = planted_pairs(90, 1.0, seed=3)
    cut = np.quantile(pairs["score"], [1 / 3, 2 / 3])
    high = pairs[pairs["score"] > cut[1]]
    shares = _row(mo.outcomes_by_tercile(pairs, "both_improved", min_group=5), "tercile", "high")
    successes = int(high["both_improved"].sum())
    assert shares["n"] == len(high) == 30
    assert shares["value"] == pytest.approx(successes / 30)
    assert (shares["ci_low"], shares["ci_high"]) == pytest.approx(
        proportion_confint(successes, 30, method="wilson"), abs=1e-12
    )
    low = pairs[pairs["score"] <= cut[0]]["mean_gain"]
    means = _row(mo.outcomes_by_tercile(pairs, "mean_gain", min_group=5), "tercile", "low")
    t = stats.t.interval(0.95, len(low) - 1, loc=low.mean(), scale=stats.sem(low))
    assert means["statistic"] == "mean"
    assert means["value"] == pytest.approx(low.mean())
    assert (means["ci_low"], means["ci_high"]) == pytest.approx(t)


def test_fit_is_the_share_rated_good_among_those_rated():
    pairs = planted_pairs(90, 1.0, seed=4)
    rated = pairs[pairs["fit"].notna()]
    cut = np.quantile(pairs["score"], [1 / 3, 2 / 3])
    middle = rated[(rated["score"] > cut[0]) & (rated["score"] <= cut[1])]
    row = _row(mo.outcomes_by_tercile(pairs, "fit", min_group=5), "tercile", "middle")
    assert row["n"] == len(middle)
    assert row["value"] == pytest.approx((middle["fit"] == "good fit").mean())


def test_without_a_fit_column_every_fit_figure_is_hidden():
    pairs = planted_pairs(90, 1.0, seed=4).drop(columns="fit")
    terciles = mo.outcomes_by_tercile(pairs, "fit", min_group=5)
    assert terciles["suppressed"].all() and terciles["value"].isna().all()
    model = mo.component_model(pairs, "fit", min_group=5)
    assert model["suppressed"].all() and model["caution"].iloc[0].startswith("only 0 pairs")


def test_terciles_hide_a_small_group_and_the_next_smallest():
    pairs = planted_pairs(60, 1.0, seed=5)
    cut = np.quantile(pairs["score"], [1 / 3, 2 / 3])
    # Leave only 3 rated pairs in the low tercile and 12 in the middle one: low is small, and middle,
    # the next-smallest, must go too, or the total minus high would reveal low.
    low = pairs.index[pairs["score"] <= cut[0]]
    middle = pairs.index[(pairs["score"] > cut[0]) & (pairs["score"] <= cut[1])]
    pairs["fit"] = "good fit"
    pairs.loc[low[3:], "fit"] = None
    pairs.loc[middle[12:], "fit"] = None
    frame = mo.outcomes_by_tercile(pairs, "fit", min_group=5).set_index("tercile")
    assert frame["suppressed"].tolist() == [True, True, False]
    assert frame.loc["low", "suppressed_reason"] == "fewer than 5 responses"
    assert "smaller group" in frame.loc["middle", "suppressed_reason"]
    assert frame.loc[["low", "middle"], ["n", "value", "ci_low", "ci_high"]].isna().all().all()
    assert frame.loc["high", "n"] == 20
    assert frame.loc["high", "value"] == 1.0


def test_terciles_default_threshold_comes_from_the_environment(monkeypatch):
    pairs = planted_pairs(60, 1.0, seed=6)  # 20 pairs a tercile
    monkeypatch.setenv("MUTUAL_MIN_GROUP", "25")
    assert mo.outcomes_by_tercile(pairs, "mean_gain")["suppressed"].all()
    monkeypatch.setenv("MUTUAL_MIN_GROUP", "20")
    assert not mo.outcomes_by_tercile(pairs, "mean_gain")["suppressed"].any()


def test_unknown_outcome_or_missing_column_is_a_user_error():
    pairs = planted_pairs(30, 1.0, seed=7)
    with pytest.raises(MutualError, match="unknown outcome"):
        mo.outcomes_by_tercile(pairs, "happiness")
    with pytest.raises(MutualError, match="no column style"):
        mo.component_model(pairs.drop(columns="style"), "mean_gain")


# ---------------------------------------------------------------- the component model


def _z(values):
    return (values - values.mean(axis=0)) / values.std(axis=0, ddof=1)


def test_ols_coefficients_match_lstsq_on_standardized_data():
    pairs = planted_pairs(200, 1.0, seed=8)
    x = _z(pairs[list(COMPONENTS)].to_numpy())
    y = _z(pairs["mean_gain"].to_numpy())
    beta, *_ = np.linalg.lstsq(np.column_stack([np.ones(len(y)), x]), y, rcond=None)
    model = mo.component_model(pairs, "mean_gain", min_group=5).set_index("component")
    assert model["coef"].to_numpy() == pytest.approx(beta[1:], abs=1e-10)
    assert model["model"].iloc[0] == "OLS"
    assert model["errors"].iloc[0] == "clustered by cohort (8 cohorts)"
    assert (model["ci_low"] < model["coef"]).all() and (model["coef"] < model["ci_high"]).all()


def test_few_cohorts_use_hc1():
    pairs = planted_pairs(200, 1.0, seed=8)
    pairs["cohort"] = pairs["cohort"].map({f"C{i}": f"C{i % 4}" for i in range(8)})
    model = mo.component_model(pairs, "mean_gain", min_group=5)
    assert model["errors"].iloc[0].startswith("HC1")


def test_logistic_one_component_is_the_log_odds_ratio_per_sd():
    # Only style varies (0 or 1, 20 pairs each); the others are constant and left out. Improved: 15 of 20
    # with style 1, 5 of 20 with style 0: log odds ratio ln((15/5) / (5/15)) = ln 9. Per SD of style
    # (sd of 20 zeros and 20 ones, ddof 1: sqrt(0.25 * 40 / 39)) the coefficient is ln 9 * that SD.
    style = np.repeat([1.0, 0.0], 20)
    improved = np.r_[np.ones(15), np.zeros(5), np.ones(5), np.zeros(15)].astype(bool)
    pairs = pd.DataFrame({"cohort": "C1", "both_improved": improved, **{c: 0.5 for c in COMPONENTS}})
    pairs["style"] = style
    model = mo.component_model(pairs, "both_improved", min_group=5).set_index("component")
    assert model.loc["style", "coef"] == pytest.approx(math.log(9) * math.sqrt(0.25 * 40 / 39), rel=1e-6)
    assert model.drop(index="style")["coef"].isna().all()


def test_logistic_coefficients_match_unpenalised_sklearn():
    pairs = planted_pairs(300, 1.0, seed=9)
    x = _z(pairs[list(COMPONENTS)].to_numpy())
    reference = LogisticRegression(C=np.inf, tol=1e-10, max_iter=10_000).fit(x, pairs["both_improved"])
    model = mo.component_model(pairs, "both_improved", min_group=5)
    assert model["model"].iloc[0] == "logistic"
    assert model["coef"].to_numpy() == pytest.approx(reference.coef_[0], abs=1e-4)


def test_model_cautions_when_pairs_are_few():
    few = mo.component_model(planted_pairs(40, 1.0, seed=10), "mean_gain", min_group=5)
    assert "10 per component" in few["caution"].iloc[0]  # 40 pairs for 6 components
    enough = mo.component_model(planted_pairs(60, 1.0, seed=10), "mean_gain", min_group=5)
    assert enough["caution"].isna().all()


def test_model_cautions_under_30_pairs_even_with_few_components():
    # Only style and skills vary: 25 pairs are more than 10 per component, but fewer than 30.
    def two_components(n_pairs):
        pairs = planted_pairs(n_pairs, 1.0, seed=15)
        pairs[["objectives", "availability", "lens", "culture_change"]] = 0.5
        return pairs

    few = mo.component_model(two_components(25), "mean_gain", min_group=5)
    assert few["caution"].iloc[0].startswith("only 25 pairs, fewer than 30:")
    assert mo.component_model(two_components(30), "mean_gain", min_group=5)["caution"].isna().all()


def test_model_over_fewer_pairs_than_the_threshold_is_hidden():
    model = mo.component_model(planted_pairs(12, 1.0, seed=11), "mean_gain", min_group=15)
    assert model["suppressed"].all()
    assert model[["coef", "ci_low", "ci_high", "p", "n"]].isna().all().all()


# ---------------------------------------------------------------- the loop recovers the planted relation


def test_planted_style_effect_is_recovered():
    pairs = planted_pairs(400, 1.0, seed=12)
    for outcome in ("mean_gain", "both_improved"):
        model = mo.component_model(pairs, outcome, min_group=5).set_index("component")
        assert model.loc["style", "ci_low"] > 0, outcome
        weights = mo.supported_weights(pairs, outcome, min_group=5).set_index("component")["weight"]
        assert weights.idxmax() == "style", outcome
        assert weights.sum() == pytest.approx(1.0)
        assert (weights >= 0).all()


def test_no_effect_gives_nothing_significant():
    # With 12 tests at 5 % about half of all seeds show at least one false positive by chance; seed 0 is
    # one that does not. test_null_rejection_rate_is_near_five_percent is the check that does not hang
    # on a seed.
    pairs = planted_pairs(400, 0.0, seed=0)
    for outcome in ("mean_gain", "both_improved"):
        model = mo.component_model(pairs, outcome, min_group=5)
        assert (model["p"] > 0.05).all(), outcome


def test_null_rejection_rate_is_near_five_percent():
    # 5 cohorts, so errors are clustered over few clusters: with t(4) p-values about 6 % of the 600
    # null tests fall below 0.05 (binomial sd 0.9 points); with the normal reference it was about 13 %.
    rejected = []
    for seed in range(50):
        pairs = planted_pairs(100, 0.0, seed=seed)
        pairs["cohort"] = [f"C{i % 5}" for i in range(100)]
        for outcome in ("mean_gain", "both_improved"):
            rejected.extend(mo.component_model(pairs, outcome, min_group=5)["p"] < 0.05)
    assert len(rejected) == 600
    assert np.mean(rejected) < 0.09


# ---------------------------------------------------------------- supported weights


def test_weights_match_a_hand_solved_case():
    # mean_gain = 2 * style - skills, with skills following style in 6 of 8 pairs. Least squares would give
    # skills -1; the best non-negative fit sets it to 0 and gives style the slope of mean_gain on style
    # alone: cov(style, mean_gain) / var(style) = 2 - cov(style, skills) / var(style) = 2 - 0.125 / 0.25
    # = 1.5 (not 2, as clipping the least-squares answer would), per whole unit of style.
    grid = [(0.0, 0.0)] * 3 + [(1.0, 1.0)] * 3 + [(0.0, 1.0), (1.0, 0.0)]
    pairs = pd.DataFrame({"cohort": "C1", **{c: 0.5 for c in COMPONENTS}}, index=range(len(grid)))
    pairs["style"], pairs["skills"] = zip(*grid, strict=True)
    pairs = pd.concat([pairs] * 5, ignore_index=True)
    pairs["mean_gain"] = 2 * pairs["style"] - pairs["skills"]
    weights = mo.supported_weights(pairs, "mean_gain", min_group=5).set_index("component")
    assert weights.loc["style", "weight"] == 1.0
    assert weights.loc["skills", "weight"] == 0.0
    assert weights.loc["style", "coef"] == pytest.approx(1.5 / pairs["mean_gain"].std(ddof=1))
    assert (weights.drop(index=["style", "skills"])["weight"] == 0.0).all()  # constant: no support


def test_ending_early_counts_against_a_component():
    # Pairs with high style end early more often: the data support no weight on style for ended_early.
    pairs = planted_pairs(400, 0.0, seed=13)
    pairs["ended_early"] = pairs["style"] > 0.5
    weights = mo.supported_weights(pairs, "ended_early", min_group=5).set_index("component")
    assert weights.loc["style", "weight"] == 0.0
    pairs["ended_early"] = pairs["style"] < 0.5
    weights = mo.supported_weights(pairs, "ended_early", min_group=5).set_index("component")
    assert weights["weight"].idxmax() == "style"


def test_weights_caution_when_pairs_are_few():
    few = mo.supported_weights(planted_pairs(25, 1.0, seed=14), "mean_gain", min_group=5)
    assert "unstable" in few["caution"].iloc[0]
    enough = mo.supported_weights(planted_pairs(400, 1.0, seed=14), "mean_gain", min_group=5)
    assert enough["caution"].isna().all()
