"""Confidence intervals for proportions: from plain counts, and from design-based estimates.

What this module is for:

* :func:`proportion_ci` -- intervals for a plain count ``x`` out of ``n`` (no survey design),
  equal to statsmodels' ``proportion_confint``;
* :func:`survey_proportion_ci` -- intervals for a design-based proportion from its estimate,
  standard error, respondent count and design degrees of freedom, vectorised over domains.
  ``beta`` (Korn-Graubard, the default) and ``logit`` equal R's ``survey::svyciprop``;
* :func:`effective_sample_size` -- the NCHS effective sample size of a proportion;
* :func:`t_interval` -- the t interval (design degrees of freedom) used for means and totals.

What it is NOT for: estimating anything from microdata (that is :mod:`satisfaction.design`),
differences of proportions between years or domains (a separate module), or deciding whether a
cell may be published (:mod:`satisfaction.reliability`).

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

from typing import Final

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
