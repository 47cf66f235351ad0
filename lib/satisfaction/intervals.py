"""Confidence intervals for proportions: from plain counts, and from design-based estimates.

What this module is for:

* :func:`proportion_ci` -- intervals for a plain count ``x`` out of ``n`` (no survey design),
  equal to statsmodels' ``proportion_confint``;
* :func:`survey_proportion_ci` -- intervals for a design-based proportion from its estimate,
  standard error, respondent count and design degrees of freedom, vectorised over domains.
  ``beta`` (Korn-Graubard, the default) and ``logit`` equal R's ``survey::svyciprop``;
* :func:`effective_sample_size` -- the NCHS effective sample size of a proportion;
* :func:`t_interval` -- the t interval (design degrees of freedom) used for means and totals;
* :func:`diff_ci`, :func:`ratio_ci`, :func:`ratio_ci_from_se` -- the difference and the ratio
  of two independent proportions (Newcombe, Wald, Agresti-Caffo, Miettinen-Nurminen; log
  ratio), for the year-over-year change, with effective counts when the proportions come from
  a design.

What it is NOT for: estimating anything from microdata (that is :mod:`satisfaction.design`),
tests across domains (:mod:`satisfaction.compare`), or deciding whether a cell may be
published (:mod:`satisfaction.reliability`).

Method names. For plain counts, ``"beta"`` is the Clopper-Pearson interval, as in statsmodels,
where ``method="beta"`` *is* Clopper-Pearson; ``"clopper-pearson"`` is an alias. For design-based
estimates ``"beta"`` is Korn and Graubard's (1998) interval: Clopper-Pearson computed on the
effective sample size adjusted for the design degrees of freedom. For a simple random sample
(degrees of freedom ``n - 1``, effective sample size ``n``) the two coincide.

Methods (plain counts -- statsmodels' name -- / design-based):

* ``beta``: Clopper-Pearson (``beta``) / Korn-Graubard, R ``svyciprop(method = "beta")``;
* ``clopper-pearson``: Clopper-Pearson (``beta``) / Clopper-Pearson on n_eff;
* ``wilson``: Wilson (``wilson``) / Wilson on n_eff;
* ``jeffreys``: Jeffreys (``jeffreys``) / Jeffreys on n_eff, limits 0 / 1 at the edges;
* ``wald``: Wald (``normal``) / ``p +/- t(df) se`` (R ``method = "mean"``) clipped to [0, 1];
* ``agresti-coull``: Agresti-Coull (``agresti_coull``) / --;
* ``logit``: Wald on the logit scale (no statsmodels counterpart) / R ``svyciprop(method =
  "logit")``, ``expit(logit(p) +/- t(df) se / (p (1 - p)))``.

At the edges (an estimate of 0 or 1, or a standard error of 0) a design-based variance says
nothing about precision: R returns NaN (``beta``), a zero-width interval (``mean``) or limits
that exclude the estimate (``logit``). Here, as the NCHS Data Presentation Standards for
Proportions prescribe, the effective sample size is taken as the actual number of respondents
there; ``beta``, ``clopper-pearson``, ``wilson`` and ``jeffreys`` are computed with it, and
``logit`` and ``wald`` (which do not exist at 0 or 1) fall back to Korn-Graubard with it.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

__all__ = [
    "COUNT_METHODS",
    "SURVEY_METHODS",
    "effective_sample_size",
    "proportion_ci",
    "survey_proportion_ci",
    "t_interval",
]

COUNT_METHODS: Final = (
    "beta",
    "clopper-pearson",
    "wilson",
    "jeffreys",
    "wald",
    "agresti-coull",
    "logit",
)
SURVEY_METHODS: Final = ("beta", "logit", "wilson", "clopper-pearson", "jeffreys", "wald")

FloatArray = NDArray[np.float64]


def _check_level(level: float) -> float:
    try:
        level = float(level)
    except (TypeError, ValueError):
        raise ValueError(
            f"level must be a number strictly between 0 and 1, got {level!r}"
        ) from None
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be strictly between 0 and 1, got {level!r}")
    return level


def _check_method(method: str, allowed: tuple[str, ...]) -> str:
    if not isinstance(method, str) or method.lower() not in allowed:
        raise ValueError(f"unknown interval method {method!r}; choose one of {', '.join(allowed)}")
    return method.lower()


def _clopper_pearson(x: FloatArray, n: FloatArray, alpha: float) -> tuple[FloatArray, FloatArray]:
    """Clopper-Pearson limits for a (possibly non-integer) count ``x`` out of ``n``."""
    with np.errstate(invalid="ignore", divide="ignore"):
        low = stats.beta.ppf(alpha / 2, x, n - x + 1)
        high = stats.beta.isf(alpha / 2, x + 1, n - x)
    low = np.where(x == 0, 0.0, low)
    high = np.where(x == n, 1.0, high)
    return np.asarray(low, float), np.asarray(high, float)


def _wilson(p: FloatArray, n: FloatArray, alpha: float) -> tuple[FloatArray, FloatArray]:
    z = stats.norm.isf(alpha / 2)
    z2 = z * z
    with np.errstate(invalid="ignore", divide="ignore"):
        denom = 1 + z2 / n
        centre = (p + z2 / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
    return np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)


def _jeffreys(x: FloatArray, n: FloatArray, alpha: float) -> tuple[FloatArray, FloatArray]:
    with np.errstate(invalid="ignore", divide="ignore"):
        low = stats.beta.ppf(alpha / 2, x + 0.5, n - x + 0.5)
        high = stats.beta.isf(alpha / 2, x + 0.5, n - x + 0.5)
    return np.asarray(low, float), np.asarray(high, float)


def _expit(v: FloatArray) -> FloatArray:
    return np.asarray(stats.logistic.cdf(v), float)


def _as_result(low: FloatArray, high: FloatArray, scalar: bool):
    if scalar:
        return float(np.asarray(low).reshape(-1)[0]), float(np.asarray(high).reshape(-1)[0])
    return low, high


def proportion_ci(
    x: ArrayLike, n: ArrayLike, method: str = "beta", level: float = 0.95
) -> tuple[FloatArray, FloatArray] | tuple[float, float]:
    """Confidence interval for ``x`` successes out of ``n`` independent trials.

    Equal to ``statsmodels.stats.proportion.proportion_confint(x, n, alpha=1 - level,
    method=...)`` with the method names mapped as in the module table (``beta`` and
    ``clopper-pearson`` -> ``beta``, ``wald`` -> ``normal``, ``agresti-coull`` ->
    ``agresti_coull``); ``logit`` has no statsmodels counterpart: it is
    ``expit(logit(p) +/- z / sqrt(n p (1 - p)))``, and Clopper-Pearson where ``x`` is 0 or ``n``.

    Args:
        x: number of successes (scalar or array).
        n: number of trials, > 0 (scalar or array, broadcast with ``x``).
        method: one of :data:`COUNT_METHODS`.
        level: confidence level, strictly between 0 and 1.

    Returns:
        ``(low, high)``: floats for scalar input, otherwise arrays.

    Examples:
        >>> [round(v, 6) for v in proportion_ci(0, 20)]
        [0.0, 0.168433]
        >>> [round(v, 6) for v in proportion_ci(9, 10, method="wilson")]
        [0.59585, 0.982124]
    """
    method = _check_method(method, COUNT_METHODS)
    level = _check_level(level)
    scalar = np.ndim(x) == 0 and np.ndim(n) == 0
    xa = np.atleast_1d(np.asarray(x, dtype=float))
    na = np.atleast_1d(np.asarray(n, dtype=float))
    xa, na = np.broadcast_arrays(xa, na)
    if np.any(na <= 0) or np.any(xa < 0) or np.any(xa > na):
        raise ValueError("proportion_ci needs 0 <= x <= n and n > 0")
    alpha = 1 - level
    p = xa / na
    if method in ("beta", "clopper-pearson"):
        low, high = _clopper_pearson(xa, na, alpha)
    elif method == "wilson":
        low, high = _wilson(p, na, alpha)
    elif method == "jeffreys":
        low, high = _jeffreys(xa, na, alpha)
    elif method == "wald":
        half = stats.norm.isf(alpha / 2) * np.sqrt(p * (1 - p) / na)
        low, high = np.clip(p - half, 0, 1), np.clip(p + half, 0, 1)
    elif method == "agresti-coull":
        z = stats.norm.isf(alpha / 2)
        nc = na + z * z
        pc = (xa + z * z / 2) / nc
        half = z * np.sqrt(pc * (1 - pc) / nc)
        low, high = np.clip(pc - half, 0, 1), np.clip(pc + half, 0, 1)
    else:  # logit
        z = stats.norm.isf(alpha / 2)
        inner = (xa > 0) & (xa < na)
        with np.errstate(invalid="ignore", divide="ignore"):
            centre = np.log(p / (1 - p))
            half = z / np.sqrt(na * p * (1 - p))
        cp_low, cp_high = _clopper_pearson(xa, na, alpha)
        with np.errstate(invalid="ignore"):
            low = np.where(inner, _expit(centre - half), cp_low)
            high = np.where(inner, _expit(centre + half), cp_high)
    return _as_result(np.asarray(low, float), np.asarray(high, float), scalar)


def effective_sample_size(estimate: ArrayLike, se: ArrayLike, n: ArrayLike) -> FloatArray:
    """NCHS effective sample size of a proportion: ``p (1 - p) / se**2``, at most ``n``.

    This is ``n / deff`` with the design effect taken against the variance of a simple random
    sample of ``n`` (``p (1 - p) / n``), as the NCHS Data Presentation Standards for Proportions
    define it; a design effect below 1 gives ``n`` (the standard caps the effective sample size
    at the actual one), and so do an estimate of 0 or 1 and a standard error of 0, where the
    design effect cannot be estimated. NaN where the estimate or ``n`` is missing or ``n`` is 0.

    Args:
        estimate: proportions in [0, 1].
        se: their standard errors.
        n: numbers of respondents behind them.

    Returns:
        Array of effective sample sizes.

    Examples:
        >>> effective_sample_size([0.5, 1.0, 0.9], [0.05, 0.0, 0.001], [200, 40, 50]).round(6)
        array([100.,  40.,  50.])
    """
    p = np.asarray(estimate, dtype=float)
    s = np.asarray(se, dtype=float)
    nn = np.asarray(n, dtype=float)
    p, s, nn = np.broadcast_arrays(p, s, nn)
    with np.errstate(invalid="ignore", divide="ignore"):
        raw = p * (1 - p) / (s * s)
    edge = (p <= 0) | (p >= 1) | (s == 0)
    out = np.where(edge, nn, np.minimum(raw, nn))
    return np.where(np.isnan(p) | np.isnan(nn) | (nn <= 0), np.nan, out).astype(float)


def _kg_neff(p: FloatArray, se: FloatArray, n: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Effective sample size as R's svyciprop uses it (not capped), ``n`` at the edges."""
    with np.errstate(invalid="ignore", divide="ignore"):
        raw = p * (1 - p) / (se * se)
    edge = (p <= 0) | (p >= 1) | (se <= 0)
    return np.where(edge, n, raw), edge


def survey_proportion_ci(
    estimate: ArrayLike,
    se: ArrayLike,
    n: ArrayLike,
    df: ArrayLike,
    method: str = "beta",
    level: float = 0.95,
) -> tuple[FloatArray, FloatArray]:
    """Confidence intervals for design-based proportions, vectorised over domains.

    With ``n_eff = p (1 - p) / se**2`` (R's ``svyciprop``; the number of respondents ``n`` where
    ``p`` is 0 or 1 or ``se`` is 0):

    * ``beta`` (Korn-Graubard): Clopper-Pearson on ``n_df = n_eff * (t(n-1) / t(df))**2`` with
      ``x = p * n_df``, where ``t(k)`` is the ``(1 - level) / 2`` quantile of Student's t with
      ``k`` degrees of freedom. Equals ``svyciprop(method = "beta")``.
    * ``logit``: ``expit(logit(p) +/- t(df) * se / (p (1 - p)))``. Equals
      ``svyciprop(method = "logit")`` (R fits it with ``svyglm``).
    * ``wald``: ``p +/- t(df) * se`` clipped to [0, 1]; R's ``svyciprop(method = "mean")``
      before clipping.
    * ``clopper-pearson``, ``wilson``, ``jeffreys``: the plain-count interval with ``n_eff`` in
      place of ``n`` (and ``p * n_eff`` successes), normal quantiles, no degrees-of-freedom
      adjustment. Jeffreys' limit is set to 0 (1) when ``p`` is 0 (1) (Brown, Cai, DasGupta 2001).
    * At the edges ``logit`` and ``wald`` fall back to ``beta`` with ``n_eff = n``.

    The limits are NaN where the estimate is NaN or where ``n - 1`` or ``df`` is below 1 for
    the methods that need Student's t (``beta``, ``logit``, ``wald``).

    Args:
        estimate: proportions in [0, 1].
        se: their design-based standard errors.
        n: respondents behind each proportion.
        df: design degrees of freedom of each domain.
        method: one of :data:`SURVEY_METHODS`.
        level: confidence level.

    Returns:
        ``(low, high)`` arrays.

    Examples:
        >>> low, high = survey_proportion_ci([0.5, 1.0], [0.05, 0.0], [200, 40], [30, 10])
        >>> low.round(6).tolist(), high.round(6).tolist()
        ([0.394615, 0.894127], [0.605385, 1.0])
    """
    method = _check_method(method, SURVEY_METHODS)
    level = _check_level(level)
    alpha = 1 - level
    p = np.atleast_1d(np.asarray(estimate, dtype=float))
    s = np.atleast_1d(np.asarray(se, dtype=float))
    nn = np.atleast_1d(np.asarray(n, dtype=float))
    dd = np.atleast_1d(np.asarray(df, dtype=float))
    p, s, nn, dd = (np.array(a, dtype=float) for a in np.broadcast_arrays(p, s, nn, dd))
    if np.any((p < 0) | (p > 1)):
        raise ValueError("survey_proportion_ci needs estimates between 0 and 1")
    neff, edge = _kg_neff(p, s, nn)
    with np.errstate(invalid="ignore", divide="ignore"):
        t_n = stats.t.ppf(alpha / 2, np.where(nn - 1 >= 1, nn - 1, np.nan))
        t_df = stats.t.ppf(alpha / 2, np.where(dd >= 1, dd, np.nan))

    def korn_graubard() -> tuple[FloatArray, FloatArray]:
        with np.errstate(invalid="ignore", divide="ignore"):
            n_df = neff * (t_n / t_df) ** 2
        return _clopper_pearson(p * n_df, n_df, alpha)

    if method == "beta":
        low, high = korn_graubard()
    elif method == "clopper-pearson":
        low, high = _clopper_pearson(p * neff, neff, alpha)
    elif method == "wilson":
        low, high = _wilson(p, neff, alpha)
    elif method == "jeffreys":
        low, high = _jeffreys(p * neff, neff, alpha)
        low = np.where(p == 0, 0.0, low)
        high = np.where(p == 1, 1.0, high)
    else:
        kg_low, kg_high = korn_graubard()
        q = -t_df  # upper quantile
        with np.errstate(invalid="ignore", divide="ignore"):
            if method == "wald":
                low = np.clip(p - q * s, 0, 1)
                high = np.clip(p + q * s, 0, 1)
            else:  # logit
                centre = np.log(p / (1 - p))
                half = q * s / (p * (1 - p))
                low, high = _expit(centre - half), _expit(centre + half)
        low = np.where(edge, kg_low, low)
        high = np.where(edge, kg_high, high)
    # Exact edges (Wilson's limit at p = 0 is 0 only up to rounding).
    exists = np.isfinite(low) & np.isfinite(high)
    low = np.where(exists & (p == 0), 0.0, low)
    high = np.where(exists & (p == 1), 1.0, high)
    missing = np.isnan(p) | np.isnan(nn) | (nn <= 0)
    low = np.where(missing, np.nan, low).astype(float)
    high = np.where(missing, np.nan, high).astype(float)
    return low, high


def t_interval(
    estimate: ArrayLike, se: ArrayLike, df: ArrayLike, level: float = 0.95
) -> tuple[FloatArray, FloatArray]:
    """``estimate +/- t(df) * se``: R's ``confint(stat, df = degf(design))`` for means and totals.

    Args:
        estimate: point estimates.
        se: standard errors.
        df: degrees of freedom (NaN limits where below 1).
        level: confidence level.

    Returns:
        ``(low, high)`` arrays.

    Examples:
        >>> low, high = t_interval([10.0], [1.0], [9])
        >>> [round(float(low[0]), 6), round(float(high[0]), 6)]
        [7.737843, 12.262157]
    """
    level = _check_level(level)
    est = np.atleast_1d(np.asarray(estimate, dtype=float))
    s = np.atleast_1d(np.asarray(se, dtype=float))
    dd = np.atleast_1d(np.asarray(df, dtype=float))
    est, s, dd = np.broadcast_arrays(est, s, dd)
    with np.errstate(invalid="ignore"):
        q = stats.t.isf((1 - level) / 2, np.where(dd >= 1, dd, np.nan))
    return np.asarray(est - q * s, float), np.asarray(est + q * s, float)


# ---------------------------------------------------------------------------------------------
# Differences and ratios of two independent proportions (the year-over-year change)
#
# diff_ci: p1 - p2 by Newcombe's hybrid score interval (Newcombe 1998, method 10, the default),
# the Wald interval (method 1), Agresti-Caffo (one success and one failure added to each
# group) or the Miettinen-Nurminen score interval (the score test inverted, with the
# N / (N - 1) variance correction). ratio_ci / ratio_ci_from_se: p1 / p2 by the log ratio and
# the delta method, from counts or from design-based estimates and standard errors.
#
# Counts may be non-integer: for a survey proportion p with effective sample size n_eff pass
# x = p * n_eff and n = n_eff. Everything is vectorised over numpy arrays.
#
# References: Newcombe RG (1998), Statistics in Medicine 17:873-890; Miettinen O, Nurminen M
# (1985), Statistics in Medicine 4:213-226; Agresti A, Caffo B (2000), The American
# Statistician 54:280-288.
# ---------------------------------------------------------------------------------------------

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


def z_quantile(level: float) -> float:
    """The two-sided normal quantile of a confidence level (1.96 for 0.95).

    Raises:
        ValueError: ``level`` is not a number strictly between 0 and 1.

    Examples:
        >>> round(z_quantile(0.95), 6)
        1.959964
    """
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


def wilson_limits(x: Any, n: Any, z: float) -> tuple[Array, Array]:
    """Wilson score limits of one proportion ``x / n`` at normal quantile ``z`` (Newcombe's
    building block), exactly 0 when ``x == 0`` and exactly 1 when ``x == n``.

    Examples:
        >>> low, high = wilson_limits(0, 10, 1.959963984540054)
        >>> float(low), round(float(high), 4)
        (0.0, 0.2775)
    """
    x = np.asarray(x, dtype=float)
    n = np.asarray(n, dtype=float)
    low, high = _wilson(x / n, n, 2 * stats.norm.sf(z))
    return np.where(x <= 0, 0.0, low), np.where(x >= n, 1.0, high)


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
    z = z_quantile(level)
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
    return _as_result(low, high, scalar)


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
    z = z_quantile(level)
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
    return _as_result(low, high, scalar)


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
    z = z_quantile(level)
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
    return _as_result(low, high, scalar)


def ratio_ci_mover(x1: Any, n1: Any, x0: Any, n0: Any, level: float = 0.95) -> tuple[Any, Any]:
    """Interval for ``p1 / p0`` by MOVER-R from each proportion's Wilson limits.

    Donner and Zou's (2012) method of variance estimates recovery for a ratio: proper where the
    log-ratio delta method degenerates, at 0 % or 100 % (a standard error of 0 gives a
    zero-width interval there). With ``p1 = p0 = 1`` it is ``[l1, 1 / l0]``, ``l1`` and ``l0``
    the two years' Wilson lower limits.

    Args:
        x1, n1: current-year (effective) successes and size.
        x0, n0: base-year (effective) successes and size; ``x0 > 0``.
        level: confidence level.

    Returns:
        ``(low, high)``; NaN where ``x0`` is 0.

    Examples:
        >>> low, high = ratio_ci_mover(50, 50, 44, 44)
        >>> round(low, 4), round(high, 4)
        (0.9287, 1.0873)

    References:
        Donner A, Zou GY (2012). Closed-form confidence intervals for functions of the normal
        mean and standard deviation. Statistical Methods in Medical Research 21:347-359.
    """
    z = z_quantile(level)
    scalar = all(np.ndim(v) == 0 for v in (x1, n1, x0, n0))
    x1a, n1a, x0a, n0a = (np.asarray(v, dtype=float) for v in (x1, n1, x0, n0))
    p1, p0 = x1a / n1a, x0a / n0a
    l1, u1 = wilson_limits(x1a, n1a, z)
    l0, u0 = wilson_limits(x0a, n0a, z)
    a = p1 * p0
    with np.errstate(divide="ignore", invalid="ignore"):
        low = (a - np.sqrt(np.clip(a * a - l1 * u0 * (2 * p1 - l1) * (2 * p0 - u0), 0, None))) / (
            u0 * (2 * p0 - u0))
        high = (a + np.sqrt(np.clip(a * a - u1 * l0 * (2 * p1 - u1) * (2 * p0 - l0), 0, None))) / (
            l0 * (2 * p0 - l0))
    bad = ~(x0a > 0)
    return _as_result(np.where(bad, np.nan, low), np.where(bad, np.nan, high), scalar)
