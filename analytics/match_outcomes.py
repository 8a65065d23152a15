"""Learning which matches work: how past pairs did by match score, and which components predict it.

DataFrame in, DataFrame out; nothing here reads the database. `pairs` has one row per past pair:
`pair_id`, `cohort`, `score` and the matching.COMPONENTS, and the outcomes of OUTCOMES: `both_improved`
(bool), `mean_gain` (float), `sessions_per_month` (float), `ended_early` (bool: withdrawn within three
months) and an optional `fit` ("good fit" / "still deciding" / "not a fit", or missing; the column may
be absent). A pair whose outcome is missing is left out of that outcome's figures. Pairs are counted
against the privacy threshold (each pair is two people, so this is the stricter count).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from scipy.optimize import nnls
from statsmodels.tools.sm_exceptions import PerfectSeparationError, PerfectSeparationWarning

from analytics import privacy
from analytics.errors import MutualError
from analytics.matching import COMPONENTS

__all__ = [
    "ALPHA",
    "OUTCOMES",
    "TERCILES",
    "FEW_PAIRS",
    "PAIRS_PER_COMPONENT",
    "CLUSTER_MIN_COHORTS",
    "Outcome",
    "outcome_values",
    "wilson_interval",
    "outcomes_by_tercile",
    "component_model",
    "supported_weights",
]

ALPHA = 0.05
TERCILES = ("low", "middle", "high")
FEW_PAIRS = 30  # below this many pairs (or PAIRS_PER_COMPONENT per component) a caution is shown
PAIRS_PER_COMPONENT = 10
CLUSTER_MIN_COHORTS = 5  # fewer cohorts than this give unreliable cluster-robust errors: HC1 instead
GOOD_FIT = "good fit"
FIT_LABELS = ("good fit", "still deciding", "not a fit")


@dataclass(frozen=True)
class Outcome:
    """How a pair did: its column, whether it is a yes/no share or a mean, and whether more is better."""

    column: str
    label: str
    binary: bool
    higher_is_better: bool = True


OUTCOMES = {
    "both_improved": Outcome("both_improved", "both partners improved", binary=True),
    "mean_gain": Outcome("mean_gain", "mean gain", binary=False),
    "sessions_per_month": Outcome("sessions_per_month", "sessions per month", binary=False),
    "ended_early": Outcome(
        "ended_early", "ended in the first three months", binary=True, higher_is_better=False
    ),
    "fit": Outcome("fit", "rated a good fit after the first session", binary=True),
}


# ---------------------------------------------------------------- inputs


def _outcome(outcome: str) -> Outcome:
    if outcome not in OUTCOMES:
        raise MutualError(f"unknown outcome {outcome!r}; the outcomes are {', '.join(OUTCOMES)}")
    return OUTCOMES[outcome]


def _require(pairs: pd.DataFrame, columns: list[str]) -> None:
    missing = [c for c in columns if c not in pairs.columns]
    if missing:
        raise MutualError(
            f"the pairs table has no column {', '.join(missing)}; it needs one row per past pair with "
            f"pair_id, cohort, score, {', '.join(COMPONENTS)} and the outcome"
        )


def _flag(value: object) -> float:
    """True/False, 1/0 or yes/no as 1.0/0.0; anything else (missing) as NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return math.nan
    if isinstance(value, str):
        text = value.strip().lower()
        return {"true": 1.0, "yes": 1.0, "1": 1.0, "false": 0.0, "no": 0.0, "0": 0.0}.get(text, math.nan)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return math.nan
    return number if number in (0.0, 1.0) else math.nan


def outcome_values(pairs: pd.DataFrame, outcome: str) -> pd.Series:
    """The outcome of each pair as floats: 1/0 for a yes/no outcome (fit: 1 for "good fit"), NaN when missing."""
    spec = _outcome(outcome)
    if spec.column == "fit" and "fit" not in pairs.columns:  # optional: no session log records it
        return pd.Series(np.nan, index=pairs.index, dtype="float64")
    _require(pairs, [spec.column])
    column = pairs[spec.column]
    if spec.column == "fit":
        text = column.astype("object").map(lambda v: v.strip().lower() if isinstance(v, str) else None)
        known = text.isin(FIT_LABELS)
        return pd.Series(np.where(known, (text == GOOD_FIT).astype("float64"), np.nan), index=pairs.index)
    if spec.binary:
        return column.astype("object").map(_flag).astype("float64")
    return pd.to_numeric(column, errors="coerce").astype("float64")


# ---------------------------------------------------------------- outcomes by score tercile


def wilson_interval(successes: int, n: int, alpha: float = ALPHA) -> tuple[float, float]:
    """The Wilson score interval for successes out of n (NaN, NaN when n is 0)."""
    if n <= 0:
        return math.nan, math.nan
    z = float(stats.norm.ppf(1 - alpha / 2))
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def _mean_interval(values: np.ndarray, alpha: float = ALPHA) -> tuple[float, float, float]:
    """Mean and its t interval (the interval NaN below two values)."""
    n = len(values)
    if n == 0:
        return math.nan, math.nan, math.nan
    mean = float(values.mean())
    if n < 2:
        return mean, math.nan, math.nan
    half = float(stats.t.ppf(1 - alpha / 2, n - 1)) * float(values.std(ddof=1)) / math.sqrt(n)
    return mean, mean - half, mean + half


def _terciles(score: pd.Series) -> tuple[pd.Series, float, float]:
    """Each pair's score tercile (low: up to the first cut point, high: above the second) and the cut points."""
    known = score.dropna()
    if known.empty:
        return pd.Series(pd.NA, index=score.index, dtype="object"), math.nan, math.nan
    first, second = (float(q) for q in np.quantile(known.to_numpy(dtype="float64"), [1 / 3, 2 / 3]))
    band = np.select([score <= first, score <= second, score > second], list(TERCILES), default=None)
    return pd.Series(band, index=score.index, dtype="object"), first, second


def outcomes_by_tercile(pairs: pd.DataFrame, outcome: str, *, min_group: int | None = None) -> pd.DataFrame:
    """The outcome in each match-score tercile: a share (Wilson 95 % CI) or a mean (t 95 % CI), n pairs.

    One row per tercile (low, middle, high): outcome, tercile, score_from, score_to (the cut points, taken
    over every scored pair, so a pair sits in the same tercile for every outcome; blank at the open ends),
    n (pairs with the outcome recorded), statistic ("share" or "mean"), value, ci_low, ci_high,
    suppressed, suppressed_reason. Terciles under `min_group` pairs (default privacy.min_group()) are
    hidden, and so is the next-smallest, so that the overall figure cannot reveal them.
    """
    spec = _outcome(outcome)
    _require(pairs, ["score"])
    k = privacy.min_group() if min_group is None else min_group
    score = pd.to_numeric(pairs["score"], errors="coerce")
    band, first, second = _terciles(score)
    values = outcome_values(pairs, outcome)
    rows = []
    for name, low, high in zip(TERCILES, (math.nan, first, second), (first, second, math.nan), strict=True):
        observed = values[(band == name) & values.notna()].to_numpy(dtype="float64")
        n = len(observed)
        if spec.binary:
            value = observed.mean() if n else math.nan
            ci_low, ci_high = wilson_interval(int(observed.sum()), n)
        else:
            value, ci_low, ci_high = _mean_interval(observed)
        rows.append(
            {
                "outcome": outcome,
                "tercile": name,
                "score_from": low,
                "score_to": high,
                "n": n,
                "statistic": "share" if spec.binary else "mean",
                "value": float(value),
                "ci_low": float(ci_low),
                "ci_high": float(ci_high),
            }
        )
    frame = pd.DataFrame(rows)
    shown = privacy.suppress(frame, ["value", "ci_low", "ci_high"], min_group=k)
    hidden = shown["suppressed"].to_numpy(dtype=bool)
    small = frame["n"].to_numpy() < k
    shown["suppressed_reason"] = pd.Series(
        [
            privacy.REASONS["small" if s else "secondary"].format(k=k) if h else None
            for h, s in zip(hidden, small, strict=True)
        ],
        index=shown.index,
        dtype="object",
    )
    shown["n"] = pd.array(
        [None if h else int(n) for h, n in zip(hidden, frame["n"], strict=True)], dtype="Int64"
    )
    return shown


# ---------------------------------------------------------------- which components predict the outcome


def _design(pairs: pd.DataFrame, outcome: str) -> tuple[pd.DataFrame, np.ndarray, pd.Series]:
    """Pairs with the outcome and every component recorded: components (floats), outcome, cohort."""
    _outcome(outcome)  # an unknown outcome is the first thing to report
    _require(pairs, ["cohort", *COMPONENTS])
    x = pairs[list(COMPONENTS)].apply(pd.to_numeric, errors="coerce").astype("float64")
    y = outcome_values(pairs, outcome)
    keep = y.notna() & x.notna().all(axis=1)
    return x[keep], y[keep].to_numpy(dtype="float64"), pairs.loc[keep, "cohort"]


def _varying(x: pd.DataFrame) -> list[str]:
    """Components that differ between pairs (a constant one, such as an unused lens, cannot be estimated)."""
    return [c for c in x.columns if len(x) > 1 and float(x[c].std(ddof=1)) > 1e-12]


def _caution(n: int, effective: int, components: int, binary: bool) -> str | None:
    """A plain warning when the pairs are too few for the estimates to be trusted, else None."""
    counted = "pairs with the rarer result" if binary else "pairs"
    if n < FEW_PAIRS:
        rule = f"{n} pairs, fewer than {FEW_PAIRS}"
    elif effective < PAIRS_PER_COMPONENT * max(components, 1):
        rule = f"{effective} {counted} for {components} components, fewer than {PAIRS_PER_COMPONENT} per component"
    else:
        return None
    return f"only {rule}: the estimates are unstable, so treat them as a hint, not evidence"


def _effective(y: np.ndarray, binary: bool) -> int:
    """Pairs that carry information: all of them, or for a yes/no outcome the rarer result (events per variable)."""
    if not binary:
        return len(y)
    ones = int(y.sum())
    return min(ones, len(y) - ones)


def _errors(cohort: pd.Series) -> tuple[str, dict, str]:
    """cov_type, cov_kwds and a description: clustered by cohort from CLUSTER_MIN_COHORTS cohorts, else HC1."""
    codes, levels = pd.factorize(cohort.astype("object"), use_na_sentinel=False)
    if len(levels) >= CLUSTER_MIN_COHORTS:
        return "cluster", {"groups": codes}, f"clustered by cohort ({len(levels)} cohorts)"
    return "HC1", {}, f"HC1 (only {len(levels)} cohorts, too few to cluster)"


def _robust(cov_type: str, cov_kwds: dict) -> dict:
    """Fit options for the standard errors: t intervals (with cohorts - 1 degrees of freedom when clustered,
    since the normal reference over-states significance with few clusters)."""
    return {"cov_type": cov_type, "use_t": True, **({"cov_kwds": cov_kwds} if cov_kwds else {})}


def _standard(values: pd.DataFrame) -> pd.DataFrame:
    return (values - values.mean()) / values.std(ddof=1)


def component_model(pairs: pd.DataFrame, outcome: str, *, min_group: int | None = None) -> pd.DataFrame:
    """A regression of the outcome on the components, with standardized coefficients and 95 % CIs.

    OLS for a mean outcome (coefficient: SDs of the outcome per SD of the component), logistic for a
    yes/no one (change in log-odds per SD of the component). Standard errors are clustered by cohort
    with at least CLUSTER_MIN_COHORTS cohorts, else HC1. One row per component: outcome, component, coef,
    ci_low, ci_high, p, n (pairs in the model), model, errors, caution (when the pairs are few, else
    None), suppressed, suppressed_reason. A component that does not vary is left out of the model (NaN).
    """
    spec = _outcome(outcome)
    x, y, cohort = _design(pairs, outcome)
    used = _varying(x)
    n = len(y)
    caution = _caution(n, _effective(y, spec.binary), len(used), spec.binary)
    estimates: dict[str, tuple[float, float, float, float]] = {}
    errors = ""
    fitted = bool(used) and n > len(used) + 1 and (not spec.binary or _effective(y, True) > 0)
    if fitted:
        design = sm.add_constant(_standard(x[used]), has_constant="add")
        cov_type, cov_kwds, errors = _errors(cohort)
        if spec.binary:
            result = _logit(y, design, cov_type, cov_kwds)
            if result is None:
                caution = "the outcome is perfectly predicted by the components, so no model can be fitted"
        else:
            target = (y - y.mean()) / y.std(ddof=1) if y.std(ddof=1) > 0 else None
            result = sm.OLS(target, design).fit(**_robust(cov_type, cov_kwds)) if target is not None else None
            if result is None:
                caution = "every pair has the same outcome, so nothing can predict it"
        if result is not None:
            bounds = result.conf_int(alpha=ALPHA)
            for name in used:
                estimates[name] = (
                    float(result.params[name]),
                    float(bounds.loc[name, 0]),
                    float(bounds.loc[name, 1]),
                    float(result.pvalues[name]),
                )
    rows = []
    for name in COMPONENTS:
        coef, low, high, p = estimates.get(name, (math.nan,) * 4)
        rows.append(
            {
                "outcome": outcome,
                "component": name,
                "coef": coef,
                "ci_low": low,
                "ci_high": high,
                "p": p,
                "n": n,
                "model": "logistic" if spec.binary else "OLS",
                "errors": errors,
                "caution": caution,
            }
        )
    return _gate(pd.DataFrame(rows), ["coef", "ci_low", "ci_high", "p"], min_group)


def _logit(y: np.ndarray, design: pd.DataFrame, cov_type: str, cov_kwds: dict):
    """The logistic fit, or None when the outcome is separated perfectly (no finite estimate exists)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PerfectSeparationWarning)
            result = sm.Logit(y, design).fit(disp=0, maxiter=200, **_robust(cov_type, cov_kwds))
    except (PerfectSeparationError, PerfectSeparationWarning, np.linalg.LinAlgError):
        return None
    if not np.all(np.isfinite(result.params)):
        return None
    return result


def _gate(frame: pd.DataFrame, values: list[str], min_group: int | None) -> pd.DataFrame:
    """One model over n pairs: every figure hidden when n is under the threshold."""
    k = privacy.min_group() if min_group is None else min_group
    shown = privacy.suppress(frame, values, min_group=k)
    hidden = shown["suppressed"].to_numpy(dtype=bool)
    shown["suppressed_reason"] = pd.Series(
        [privacy.REASONS["small"].format(k=k) if h else None for h in hidden],
        index=shown.index,
        dtype="object",
    )
    shown["n"] = pd.array(
        [None if h else int(n) for h, n in zip(hidden, frame["n"], strict=True)], dtype="Int64"
    )
    return shown


# ---------------------------------------------------------------- the weights the data would support


def supported_weights(pairs: pd.DataFrame, outcome: str, *, min_group: int | None = None) -> pd.DataFrame:
    """Non-negative weights summing to 1 that best predict the outcome from the components.

    Non-negative least squares (scipy.optimize.nnls) of the standardized outcome, turned so that higher is
    better (ended_early counts against), on the components as the score uses them (0-1, centred, so no
    intercept is needed). One row per component: outcome, component, weight (coefficient / sum of the
    coefficients; NaN when the data support no component, 0 for a component that does not vary), coef
    (the non-negative coefficient: SDs of the outcome per whole 0-1 of the component), n, caution,
    suppressed, suppressed_reason. The weights always sum to 1 when any is positive, even from noise:
    read them next to component_model's intervals.
    """
    spec = _outcome(outcome)
    x, y, _ = _design(pairs, outcome)
    used = _varying(x)
    n = len(y)
    caution = _caution(n, _effective(y, spec.binary), len(used), spec.binary)
    coefs = dict.fromkeys(COMPONENTS, math.nan)
    spread = float(y.std(ddof=1)) if n > 1 else 0.0
    if used and spread > 0:
        target = (y - y.mean()) / spread * (1.0 if spec.higher_is_better else -1.0)
        centred = (x[used] - x[used].mean()).to_numpy(dtype="float64")
        solution, _ = nnls(centred, target)
        coefs.update(dict.fromkeys(COMPONENTS, 0.0))
        coefs.update(zip(used, (float(c) for c in solution), strict=True))
    total = sum(c for c in coefs.values() if np.isfinite(c))
    if total <= 0:
        caution = (
            caution or "no component predicts a better outcome in these pairs, so no weights are supported"
        )
    rows = [
        {
            "outcome": outcome,
            "component": name,
            "weight": coefs[name] / total if total > 0 else math.nan,
            "coef": coefs[name],
            "n": n,
            "caution": caution,
        }
        for name in COMPONENTS
    ]
    return _gate(pd.DataFrame(rows), ["weight", "coef"], min_group)
