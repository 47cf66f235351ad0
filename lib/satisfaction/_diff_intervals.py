"""Confidence intervals for the difference and the ratio of two independent proportions.

The year-over-year comparison (:mod:`satisfaction.compare`) needs an interval for the change
``p1 - p0`` of a satisfaction rate between two independent samples, and for the relative
change ``p1 / p0``. This module holds those intervals and nothing else:

* :func:`diff_ci` -- ``p1 - p2`` by Newcombe's hybrid score interval (Newcombe 1998, method
  10, the default), the Wald interval (method 1), Agresti-Caffo (add one success and one
  failure to each group) or the Miettinen-Nurminen score interval (inverting the score test
  with the ``N / (N - 1)`` variance correction).
* :func:`ratio_ci` -- ``p1 / p2`` by the log ratio and the delta method, from counts.
* :func:`ratio_ci_from_se` -- the same from design-based estimates and standard errors.

Counts may be non-integer: for a proportion ``p`` estimated from a complex survey with
effective sample size ``n_eff`` (``n / deff``), pass ``x = p * n_eff`` and ``n = n_eff``, as
the survey literature does for Wilson-type intervals with an effective sample size. Every
function is vectorised over numpy arrays (one interval per element, broadcast together) and
returns plain floats when given scalars.

Not for: intervals of a single proportion (``satisfaction.intervals``), standard errors of
survey estimates (``satisfaction.design``) or tests across domains (``satisfaction.compare``).
The lead will move these functions into ``satisfaction.intervals``.

References:
    Newcombe RG (1998). Interval estimation for the difference between independent
    proportions: comparison of eleven methods. Statistics in Medicine 17:873-890.
    Miettinen O, Nurminen M (1985). Comparative analysis of two rates. Statistics in
    Medicine 4:213-226.
    Agresti A, Caffo B (2000). Simple and effective confidence intervals for proportions and
    differences of proportions result from adding two successes and two failures. The
    American Statistician 54:280-288.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats

DIFF_METHODS = ("newcombe", "wald", "agresti-caffo", "miettinen-nurminen")
"""The interval methods of :func:`diff_ci` (canonical names)."""

_ALIASES = {
    "newcombe": "newcombe",
    "newcomb": "newcombe",
    "wilson": "newcombe",
    "hybrid-score": "newcombe",
    "wald": "wald",
    "agresti-caffo": "agresti-caffo",
    "agresti_caffo": "agresti-caffo",
    "ac": "agresti-caffo",
    "miettinen-nurminen": "miettinen-nurminen",
    "miettinen_nurminen": "miettinen-nurminen",
    "mn": "miettinen-nurminen",
    "score": "miettinen-nurminen",
}

_BISECTION_STEPS = 80  # halves a width-2 bracket to below 1e-23: exact in double precision
_TOL = 1e-9  # relative slack when checking 0 <= x <= n on computed effective counts

Array = np.ndarray


def _method(method: str) -> str:
    key = str(method).strip().lower()
    if key not in _ALIASES:
        raise ValueError(f"unknown interval method {method!r}; choose one of {DIFF_METHODS}")
    return _ALIASES[key]


def _z(level: float) -> float:
    if not isinstance(level, (int, float, np.floating)) or not 0 < float(level) < 1:
        raise ValueError(f"level must be a number strictly between 0 and 1, got {level!r}")
    return float(stats.norm.isf((1 - float(level)) / 2))


def _counts(x: Any, n: Any, name: str) -> tuple[Array, Array]:
    """Float arrays of counts and sizes, checked (NaN passes through as 'no estimate')."""
    x_arr = np.asarray(x, dtype=float)
    n_arr = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore"):
        bad_n = n_arr <= 0
        bad_x = (x_arr < -_TOL * np.maximum(n_arr, 1)) | (x_arr > n_arr * (1 + _TOL) + _TOL)
    if np.any(bad_n):
        raise ValueError(f"sample size {name} must be > 0 (got {n_arr[bad_n].ravel()[:3]})")
    if np.any(bad_x):
        raise ValueError(
            f"count x{name[-1]} must lie between 0 and {name} "
            f"(got x={x_arr[np.broadcast_to(bad_x, x_arr.shape)].ravel()[:3]})"
        )
    if np.any(np.isinf(x_arr)) or np.any(np.isinf(n_arr)):
        raise ValueError(f"counts and sample sizes must be finite ({name})")
    return np.clip(x_arr, 0, None), n_arr


def _out(low: Array, high: Array, scalar: bool) -> tuple[Any, Any]:
    if scalar:
        return float(low), float(high)
    return low, high


def wilson_limits(x: Any, n: Any, z: float) -> tuple[Array, Array]:
    """Wilson score limits of one proportion ``x / n`` at normal quantile ``z``.

    Args:
        x: successes (real-valued allowed).
        n: trials (real-valued allowed, > 0).
        z: the two-sided normal quantile, e.g. 1.959964 for 95 %.

    Returns:
        ``(low, high)`` arrays; exactly 0 when ``x == 0`` and exactly 1 when ``x == n``.

    Examples:
        >>> low, high = wilson_limits(0, 10, 1.959963984540054)
        >>> float(low), round(float(high), 4)
        (0.0, 0.2775)
    """
    x = np.asarray(x, dtype=float)
    n = np.asarray(n, dtype=float)
    p = x / n
    z2 = z * z
    center = (x + z2 / 2) / (n + z2)
    half = z * np.sqrt(n) / (n + z2) * np.sqrt(np.clip(p * (1 - p), 0, None) + z2 / (4 * n))
    low = np.where(x <= 0, 0.0, np.clip(center - half, 0, 1))
    high = np.where(x >= n, 1.0, np.clip(center + half, 0, 1))
    return low, high


def _mn_restricted(delta: Array, p1: Array, p2: Array, n1: Array, n2: Array) -> tuple[Array, Array]:
    """Maximum-likelihood p1, p2 under the constraint ``p1 - p2 = delta`` (closed form).

    Miettinen and Nurminen (1985) appendix / Farrington and Manning (1990): the restricted
    estimate is the root of a cubic solved by the trigonometric formula.
    """
    theta = n2 / n1
    a = 1 + theta
    b = -(1 + theta + p1 + theta * p2 + delta * (theta + 2))
    c = delta * delta + delta * (2 * p1 + theta + 1) + p1 + theta * p2
    d = -p1 * delta * (1 + delta)
    v = b**3 / (27 * a**3) - b * c / (6 * a * a) + d / (2 * a)
    u = np.sign(v) * np.sqrt(np.clip(b * b / (9 * a * a) - c / (3 * a), 0, None))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(u == 0, 0.0, v / u**3)
    w = (np.pi + np.arccos(np.clip(ratio, -1, 1))) / 3
    r1 = 2 * u * np.cos(w) - b / (3 * a)
    pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
    r1 = np.where(u == 0, pooled + delta * n2 / (n1 + n2), r1)
    r1 = np.clip(r1, np.maximum(0.0, delta), np.minimum(1.0, 1.0 + delta))
    return r1, r1 - delta


def _mn_score(delta: Array, p1: Array, p2: Array, n1: Array, n2: Array) -> Array:
    """Miettinen-Nurminen score statistic for H0: p1 - p2 = delta (decreasing in delta)."""
    r1, r2 = _mn_restricted(delta, p1, p2, n1, n2)
    big_n = n1 + n2
    var = (r1 * (1 - r1) / n1 + r2 * (1 - r2) / n2) * big_n / (big_n - 1)
    num = p1 - p2 - delta
    with np.errstate(divide="ignore", invalid="ignore"):
        score = num / np.sqrt(var)
    score = np.where(var > 0, score, np.sign(num) * np.inf)
    return np.where((var <= 0) & (num == 0), 0.0, score)


def _mn_limits(x1: Array, n1: Array, x2: Array, n2: Array, z: float) -> tuple[Array, Array]:
    """Invert the score test by vectorised bisection on each side of the estimate."""
    p1, p2 = x1 / n1, x2 / n2
    d = p1 - p2
    if np.any(n1 + n2 <= 1):
        raise ValueError("the Miettinen-Nurminen interval needs n1 + n2 > 1")
    # lower limit: the delta in [-1, d] where score = +z; upper: delta in [d, 1] where = -z
    lo_a, lo_b = np.full_like(d, -1.0), d.copy()
    hi_a, hi_b = d.copy(), np.full_like(d, 1.0)
    for _ in range(_BISECTION_STEPS):
        mid = (lo_a + lo_b) / 2
        above = _mn_score(mid, p1, p2, n1, n2) > z  # still too far left
        lo_a = np.where(above, mid, lo_a)
        lo_b = np.where(above, lo_b, mid)
        mid = (hi_a + hi_b) / 2
        below = _mn_score(mid, p1, p2, n1, n2) < -z  # too far right
        hi_b = np.where(below, mid, hi_b)
        hi_a = np.where(below, hi_a, mid)
    low = (lo_a + lo_b) / 2
    high = (hi_a + hi_b) / 2
    return low, high


def diff_ci(
    x1: Any,
    n1: Any,
    x2: Any,
    n2: Any,
    method: str = "newcombe",
    level: float = 0.95,
) -> tuple[Any, Any]:
    """Confidence interval for the difference ``p1 - p2`` of two independent proportions.

    Args:
        x1: successes in sample 1 (may be non-integer, e.g. ``p1 * n_eff1``).
        n1: size of sample 1 (may be non-integer, e.g. an effective sample size).
        x2: successes in sample 2.
        n2: size of sample 2.
        method: ``"newcombe"`` (hybrid score, Newcombe 1998 method 10; default), ``"wald"``,
            ``"agresti-caffo"`` or ``"miettinen-nurminen"`` (alias ``"score"``).
        level: confidence level, e.g. 0.95.

    Returns:
        ``(low, high)``: floats for scalar input, else arrays of the broadcast shape. Wald and
        Agresti-Caffo limits are truncated to [-1, 1]; a NaN input gives a NaN interval.

    Raises:
        ValueError: an unknown method, a level outside (0, 1), a size <= 0 or a count outside
            [0, n].

    Examples:
        Newcombe (1998) Table II, example (a), 56/70 against 48/80:

        >>> low, high = diff_ci(56, 70, 48, 80)
        >>> round(low, 4), round(high, 4)
        (0.0524, 0.3339)
        >>> [round(v, 4) for v in diff_ci(56, 70, 48, 80, method="wald")]
        [0.0575, 0.3425]

        Vectorised, with design-based effective counts:

        >>> low, high = diff_ci([0.9645 * 8000, 9], [8000, 10], [0.8669 * 5000, 3], [5000, 10])
        >>> low.round(4).tolist(), high.round(4).tolist()
        ([0.0875, 0.1705], [0.108, 0.809])
    """
    name = _method(method)
    z = _z(level)
    scalar = all(np.ndim(v) == 0 for v in (x1, n1, x2, n2))
    x1a, n1a = _counts(x1, n1, "n1")
    x2a, n2a = _counts(x2, n2, "n2")
    x1a, n1a, x2a, n2a = np.broadcast_arrays(x1a, n1a, x2a, n2a)
    x1a, n1a, x2a, n2a = (np.array(v, dtype=float) for v in (x1a, n1a, x2a, n2a))
    x1a, x2a = np.minimum(x1a, n1a), np.minimum(x2a, n2a)

    if name in ("wald", "agresti-caffo"):
        add = 1.0 if name == "agresti-caffo" else 0.0
        q1, m1 = x1a + add, n1a + 2 * add
        q2, m2 = x2a + add, n2a + 2 * add
        p1, p2 = q1 / m1, q2 / m2
        half = z * np.sqrt(p1 * (1 - p1) / m1 + p2 * (1 - p2) / m2)
        low, high = p1 - p2 - half, p1 - p2 + half
        low, high = np.clip(low, -1, 1), np.clip(high, -1, 1)
    elif name == "newcombe":
        p1, p2 = x1a / n1a, x2a / n2a
        l1, u1 = wilson_limits(x1a, n1a, z)
        l2, u2 = wilson_limits(x2a, n2a, z)
        d = p1 - p2
        low = d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
        high = d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    else:
        nan = np.isnan(x1a + n1a + x2a + n2a)
        fill = np.where(nan, 1.0, 0.0)
        low, high = _mn_limits(
            np.where(nan, 0.5, x1a), np.where(nan, 1.0, n1a) + fill,
            np.where(nan, 0.5, x2a), np.where(nan, 1.0, n2a) + fill, z,
        )
        low, high = np.where(nan, np.nan, low), np.where(nan, np.nan, high)
    return _out(low, high, scalar)


def ratio_ci(x1: Any, n1: Any, x0: Any, n0: Any, level: float = 0.95) -> tuple[Any, Any]:
    """Confidence interval for the ratio ``p1 / p0`` by the log ratio and the delta method.

    ``var(log(p1 / p0)) = (1 - p1) / x1 + (1 - p0) / x0`` (Katz et al. 1978), the interval is
    ``exp(log(p1 / p0) -/+ z * se)``. Counts may be non-integer effective counts.

    Args:
        x1: successes in the current sample.
        n1: size of the current sample.
        x0: successes in the base sample.
        n0: size of the base sample.
        level: confidence level.

    Returns:
        ``(low, high)`` for ``p1 / p0``; NaN where either count is 0 (the log ratio is then
        undefined).

    Examples:
        >>> low, high = ratio_ci(0.9645 * 22250, 22250, 0.8669 * 20000, 20000)
        >>> round(low, 4), round(high, 4)
        (1.1059, 1.1193)
    """
    z = _z(level)
    scalar = all(np.ndim(v) == 0 for v in (x1, n1, x0, n0))
    x1a, n1a = _counts(x1, n1, "n1")
    x0a, n0a = _counts(x0, n0, "n0")
    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p0 = x1a / n1a, x0a / n0a
        se = np.sqrt(np.clip((1 - p1) / x1a + (1 - p0) / x0a, 0, None))
        log_ratio = np.log(p1 / p0)
        low = np.exp(log_ratio - z * se)
        high = np.exp(log_ratio + z * se)
    bad = (x1a <= 0) | (x0a <= 0)
    low = np.where(bad, np.nan, low)
    high = np.where(bad, np.nan, high)
    return _out(low, high, scalar)


def ratio_ci_from_se(
    p1: Any, se1: Any, p0: Any, se0: Any, level: float = 0.95
) -> tuple[Any, Any]:
    """Interval for ``p1 / p0`` from two design-based estimates and their standard errors.

    The delta method on the log scale: ``se(log p) = se(p) / p``, the two years independent,
    so ``se(log(p1 / p0)) = sqrt((se1 / p1)^2 + (se0 / p0)^2)``.

    Args:
        p1: current-year proportion.
        se1: its design-based standard error.
        p0: base-year proportion.
        se0: its design-based standard error.
        level: confidence level.

    Returns:
        ``(low, high)`` for ``p1 / p0``; NaN where ``p1`` or ``p0`` is 0 or missing.

    Examples:
        >>> low, high = ratio_ci_from_se(0.9645, 0.0025, 0.8669, 0.0048)
        >>> round(low, 4), round(high, 4)
        (1.0993, 1.126)
    """
    z = _z(level)
    scalar = all(np.ndim(v) == 0 for v in (p1, se1, p0, se0))
    p1a, se1a, p0a, se0a = (np.asarray(v, dtype=float) for v in (p1, se1, p0, se0))
    with np.errstate(invalid="ignore"):
        if np.any((p1a < 0) | (p1a > 1) | (p0a < 0) | (p0a > 1)):
            raise ValueError("proportions must lie in [0, 1] (pass 0.9645, not 96.45)")
        if np.any((se1a < 0) | (se0a < 0)):
            raise ValueError("standard errors must be >= 0")
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.sqrt((se1a / p1a) ** 2 + (se0a / p0a) ** 2)
        log_ratio = np.log(p1a / p0a)
        low = np.exp(log_ratio - z * se)
        high = np.exp(log_ratio + z * se)
    bad = ~((p1a > 0) & (p0a > 0))
    low = np.where(bad, np.nan, low)
    high = np.where(bad, np.nan, high)
    return _out(low, high, scalar)
