"""Power of a change: the smallest change a survey detects, and the sample a chosen one needs.

Planning the next survey asks two questions of a design (its respondents and design effect
per domain), both for a two-sided test of the change between two independent samples:

* :func:`minimum_detectable_change` -- the smallest change the survey detects at ``alpha``
  with the wanted power;
* :func:`required_sample_size` -- the respondents needed to detect a chosen change;
* :func:`power_table` -- both, per domain of an estimate table.

The normal approximation is statsmodels' ``samplesize_proportions_2indep_onetail`` (pooled
variance under the null, unpooled under the alternative), written here on arrays so that it
runs over every domain at once and can be inverted by a vectorised bisection; the tests check
it against statsmodels. Proportions are fractions (0.9645, not 96.45); changes are in
proportion units (0.02 is 2 percentage points).

Not for: testing an observed change (:mod:`satisfaction.compare`) or writing the tables for a
reviewer (:mod:`satisfaction.report.change`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["minimum_detectable_change", "power_table", "required_sample_size"]


def _sample_size_unit(p: np.ndarray, diff: np.ndarray, ratio: float, za: float,
                      zb: float) -> np.ndarray:
    """Effective size of sample 1 (sample 2 = ratio x it) to detect p -> p + diff.

    Normal approximation with the pooled variance under the null and the unpooled one under
    the alternative (as statsmodels' samplesize_proportions_2indep_onetail).
    """
    p_alt = p + diff
    pooled = (p_alt + ratio * p) / (1 + ratio)
    sd_null = np.sqrt(pooled * (1 - pooled) * (1 + 1 / ratio))
    sd_alt = np.sqrt(p_alt * (1 - p_alt) + p * (1 - p) / ratio)
    with np.errstate(divide="ignore", invalid="ignore"):
        return ((za * sd_null + zb * sd_alt) / diff) ** 2


def _direction_sign(p: np.ndarray, direction: str) -> np.ndarray:
    if direction == "decrease":
        return -np.ones_like(p)
    if direction == "increase":
        return np.ones_like(p)
    if direction == "conservative":  # towards 1/2, where the variance is larger
        return np.where(p >= 0.5, -1.0, 1.0)
    raise ValueError(f"direction must be 'decrease', 'increase' or 'conservative', got {direction!r}")


def required_sample_size(
    p: Any, mde: Any, deff: Any = 1.0, *, alpha: float = 0.05, power: float = 0.8,
    ratio: float = 1.0, direction: str = "conservative",
) -> np.ndarray:
    """Respondents needed in the next survey to detect a change of ``mde`` from ``p``.

    Two-sided test at ``alpha`` with the given power, the new survey's size ``n`` and the
    reference's ``ratio x n``, both with design effect ``deff``: the simple-random-sample
    size times ``deff``.

    Args:
        p: the current (reference) proportion, per domain.
        mde: the change to detect, in proportion units (0.02 = 2 points), > 0.
        deff: design effect of the planned survey (per domain).
        alpha: two-sided significance level.
        power: the power wanted.
        ratio: reference size / new size.
        direction: ``"decrease"``, ``"increase"`` or ``"conservative"`` (towards 1/2).

    Returns:
        Respondents needed (float array; ceil for planning). NaN where the change is
        impossible (e.g. a 5-point rise from 97 %).

    Raises:
        ValueError: ``mde`` not > 0, ``alpha`` or ``power`` outside (0, 1), or an unknown
            ``direction``.

    Examples:
        >>> required_sample_size(0.9645, 0.02, deff=2.0).round(1).tolist()
        [3406.4]
    """
    p = np.atleast_1d(np.asarray(p, dtype=float))
    mde = np.atleast_1d(np.asarray(mde, dtype=float))
    if np.any(~(mde > 0)):
        raise ValueError("the minimum detectable change must be > 0 (a fraction: 0.02 = 2 points)")
    if not 0 < alpha < 1 or not 0 < power < 1:
        raise ValueError("alpha and power must lie strictly between 0 and 1")
    p, mde, deff = np.broadcast_arrays(p, mde, np.asarray(deff, dtype=float))
    sign = _direction_sign(p, direction)
    diff = sign * mde
    za, zb = stats.norm.isf(alpha / 2), stats.norm.isf(1 - power)
    n = _sample_size_unit(p, diff, ratio, za, zb) * deff
    possible = (p + diff > 0) & (p + diff < 1)
    return np.where(possible, n, np.nan)


def minimum_detectable_change(
    p: Any, n: Any, deff: Any = 1.0, *, alpha: float = 0.05, power: float = 0.8,
    ratio: float = 1.0, direction: str = "conservative",
) -> np.ndarray:
    """The smallest change a survey of ``n`` respondents (design effect ``deff``) detects.

    Solves :func:`required_sample_size` ``= n`` for the change (vectorised bisection).

    Args:
        p: the reference proportion, per domain.
        n: respondents per survey, per domain.
        deff: design effect, per domain.
        alpha: two-sided significance level.
        power: the power wanted.
        ratio: reference size / new size.
        direction: ``"decrease"``, ``"increase"`` or ``"conservative"`` (towards 1/2).

    Returns:
        The minimum detectable change (proportion units); NaN when even the largest
        possible change in that direction is not detectable.

    Raises:
        ValueError: a sample size or design effect not > 0, or an unknown ``direction``.

    Examples:
        >>> minimum_detectable_change([0.9645, 0.8669], 22250, 2.0).round(4).tolist()
        [0.0073, 0.013]
    """
    p = np.atleast_1d(np.asarray(p, dtype=float))
    p, n, deff = np.broadcast_arrays(p, np.asarray(n, dtype=float), np.asarray(deff, dtype=float))
    if np.any(~(n > 0)) or np.any(~(deff > 0)):
        raise ValueError("sample sizes and design effects must be > 0")
    sign = _direction_sign(p, direction)
    za, zb = stats.norm.isf(alpha / 2), stats.norm.isf(1 - power)
    neff = n / deff
    room = np.where(sign > 0, 1 - p, p)  # largest possible change in that direction
    lo = np.zeros_like(p)
    hi = room * (1 - 1e-12)
    need_hi = _sample_size_unit(p, sign * hi, ratio, za, zb)
    for _ in range(80):  # bisection steps, each over every domain at once
        mid = (lo + hi) / 2
        need = _sample_size_unit(p, sign * mid, ratio, za, zb)
        too_small = need > neff  # change too small to detect with neff
        lo = np.where(too_small, mid, lo)
        hi = np.where(too_small, hi, mid)
    mde = (lo + hi) / 2
    return np.where(need_hi <= neff, mde, np.nan)


def power_table(
    estimates: pd.DataFrame, *, alpha: float = 0.05, power: float = 0.8,
    mde: float | None = None, direction: str = "conservative",
) -> pd.DataFrame:
    """Minimum detectable change of a design, per domain, and the size needed for ``mde``.

    Uses each domain's estimate, respondents and design effect (``deff``; 1 where it is
    undefined). ``mde_se`` is the quick rule ``(z_alpha/2 + z_power) x sqrt(2) x se``: the
    change detectable against a repeat survey with the same standard error.

    Args:
        estimates: a ``SurveyDesign.proportion`` table (``estimate``, ``se``, ``n``,
            ``deff``).
        alpha: two-sided significance level.
        power: the power wanted.
        mde: a change to plan for (e.g. 0.02); adds ``n_needed`` and ``n_needed_ratio``.
        direction: see :func:`minimum_detectable_change`.

    Returns:
        Per domain: ``estimate``, ``n``, ``deff``, ``n_eff``, ``se``, ``mde``, ``mde_se`` and,
        with ``mde``, ``n_needed`` (respondents per survey) and ``n_needed_ratio`` (to the
        current n).

    Examples:
        >>> est = pd.DataFrame({"estimate": [0.9645], "se": [0.0018], "n": [22250],
        ...                     "deff": [2.0]}, index=["all"])
        >>> power_table(est, mde=0.02)[["n_eff", "mde", "n_needed"]].round(4)
               n_eff     mde  n_needed
        all  11125.0  0.0073    3407.0
    """
    p = estimates["estimate"].to_numpy(float)
    n = estimates["n"].to_numpy(float)
    deff = estimates["deff"].to_numpy(float) if "deff" in estimates else np.ones_like(p)
    deff = np.where(np.isfinite(deff) & (deff > 0), deff, 1.0)
    za, zb = stats.norm.isf(alpha / 2), stats.norm.isf(1 - power)
    out = pd.DataFrame({
        "estimate": p, "n": n, "deff": deff, "n_eff": n / deff,
        "se": estimates["se"].to_numpy(float),
    }, index=estimates.index)
    out["mde"] = minimum_detectable_change(p, n, deff, alpha=alpha, power=power,
                                           direction=direction)
    out["mde_se"] = (za + zb) * np.sqrt(2) * out["se"]
    if mde is not None:
        out["n_needed"] = np.ceil(required_sample_size(p, mde, deff, alpha=alpha, power=power,
                                                       direction=direction))
        out["n_needed_ratio"] = out["n_needed"] / out["n"]
    return out
