"""Confidence intervals for proportions: from plain counts, and from design-based estimates.

What this module is for:

* :func:`proportion_ci` -- intervals for a plain count ``x`` out of ``n`` (no survey design),
  equal to statsmodels' ``proportion_confint``;
* :func:`survey_proportion_ci` -- intervals for a design-based proportion from its estimate,
  standard error, respondent count and design degrees of freedom, vectorised over domains.
  ``beta`` (Korn-Graubard, the default) and ``logit`` equal R's ``survey::svyciprop``;
* :func:`effective_sample_size` -- the NCHS effective sample size of a proportion;
* :func:`t_interval` -- the t interval (design degrees of freedom) used for means and totals;
* :func:`diff_ci`, :func:`ratio_ci`, :func:`ratio_ci_from_se`, :func:`ratio_ci_mover` -- the
  difference and the ratio of two independent proportions (Newcombe, Wald, Agresti-Caffo,
  Miettinen-Nurminen; log ratio; MOVER-R), for the year-over-year change, with effective counts
  when the proportions come from a design; :func:`mover_difference` and :func:`mover_ratio`
  build the difference and ratio intervals from any two per-year intervals;
* the interval methods as ``Literal`` types (:data:`CiMethod`, :data:`CountMethod`,
  :data:`DiffMethod`), checked in one place (:func:`check_method`, :func:`check_level`), and
  the one tolerance for "no variance" (:data:`NO_VARIANCE_SE`, :func:`no_variance`).

What it is NOT for: estimating anything from microdata (that is :mod:`satisfaction.design`),
tests across domains (:mod:`satisfaction.compare`), or deciding whether a cell may be
published (:mod:`satisfaction.reliability`).

Library or own code. The Clopper-Pearson, Wilson, Jeffreys, Wald and Agresti-Coull limits of a
count are statsmodels' ``proportion_confint`` (vectorised, non-integer counts allowed), and the
Wald and Agresti-Caffo intervals of a difference are its ``confint_proportions_2indep``. Written
here, because no library does them: Korn-Graubard with design degrees of freedom (statsmodels
has no design degrees of freedom; it calls statsmodels for the Clopper-Pearson step), R's
``svyciprop(method = "logit")``, the Miettinen-Nurminen score interval (statsmodels 0.15's
``method="score"`` solves a different cubic and misses Newcombe's published limits, see
``tests/test_intervals_diff.py``), and the MOVER combinations (two lines each).

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

At the edges (an estimate of 0 or 1, or no variance: a standard error at or below
:data:`NO_VARIANCE_SE`) a design-based variance says nothing about precision: R returns NaN
(``beta``), a zero-width interval (``mean``) or limits that exclude the estimate (``logit``).
Here, as the NCHS Data Presentation Standards for Proportions prescribe, the effective sample
size is taken as the actual number of respondents there; ``beta``, ``clopper-pearson``,
``wilson`` and ``jeffreys`` are computed with it, and ``logit`` and ``wald`` (which do not exist
at 0 or 1) fall back to Korn-Graubard with it.
"""

from __future__ import annotations

import warnings
from numbers import Real
from typing import Any, Final, Literal, get_args

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

__all__ = [
    "COUNT_METHODS",
    "DIFF_METHODS",
    "MOVER_Z_MAX",
    "NO_VARIANCE_SE",
    "SURVEY_METHODS",
    "CiMethod",
    "CountMethod",
    "DiffMethod",
    "check_level",
    "check_method",
    "diff_ci",
    "effective_sample_size",
    "mover_difference",
    "mover_ratio",
    "mover_test",
    "no_variance",
    "proportion_ci",
    "ratio_ci",
    "ratio_ci_from_se",
    "ratio_ci_mover",
    "survey_limits_at",
    "survey_proportion_ci",
    "t_interval",
    "wilson_limits",
    "z_quantile",
]

CiMethod = Literal["beta", "logit", "wilson", "clopper-pearson", "jeffreys", "wald"]
"""An interval method for a design-based proportion (:func:`survey_proportion_ci`)."""
CountMethod = Literal[
    "beta", "clopper-pearson", "wilson", "jeffreys", "wald", "agresti-coull", "logit"
]
"""An interval method for a plain count (:func:`proportion_ci`)."""
DiffMethod = Literal["newcombe", "wald", "agresti-caffo", "miettinen-nurminen"]
"""An interval method for a difference of two proportions (:func:`diff_ci`)."""

SURVEY_METHODS: Final = get_args(CiMethod)
COUNT_METHODS: Final = get_args(CountMethod)
DIFF_METHODS: Final = get_args(DiffMethod)

#: Other spellings accepted for the methods of :func:`diff_ci`.
_DIFF_ALIASES: Final = {
    "newcomb": "newcombe",
    "wilson": "newcombe",
    "hybrid-score": "newcombe",
    "agresti_caffo": "agresti-caffo",
    "ac": "agresti-caffo",
    "miettinen_nurminen": "miettinen-nurminen",
    "mn": "miettinen-nurminen",
    "score": "miettinen-nurminen",
}

NO_VARIANCE_SE: Final = 1e-12
"""A standard error of a proportion at or below this is no variance: the round-off of a zero.

An exact zero (every respondent of a domain answered alike, a domain inside one PSU) comes out
of the linearisation as 1e-17 or so; the smallest honest standard error of a proportion from a
million respondents is about 1e-6 (one answer in a million). Every module that asks "has this
estimate a variance?" asks :func:`no_variance`.
"""

#: statsmodels' ``proportion_confint`` name of each count method it implements.
_STATSMODELS: Final = {
    "beta": "beta",
    "clopper-pearson": "beta",
    "wilson": "wilson",
    "jeffreys": "jeffreys",
    "wald": "normal",
    "agresti-coull": "agresti_coull",
}
_BISECTION_STEPS: Final = 80  # halves a width-2 bracket to below 1e-23: exact in double precision
_TOL: Final = 1e-9  # relative slack when checking 0 <= x <= n on computed effective counts

FloatArray = NDArray[np.float64]


# ---------------------------------------------------------------------------------------------
# Checks (the one place a method or a level is checked)
# ---------------------------------------------------------------------------------------------
def check_method(
    method: Any,
    allowed: tuple[str, ...] = SURVEY_METHODS,
    what: str = "interval method",
    aliases: dict[str, str] | None = None,
) -> str:
    """The canonical name of ``method`` if it is one of ``allowed``, else a ValueError.

    Case and surrounding spaces do not matter; ``aliases`` maps other spellings to names.

    Args:
        method: the name given.
        allowed: the canonical names (:data:`SURVEY_METHODS`, :data:`COUNT_METHODS` or
            :data:`DIFF_METHODS`).
        what: how the error names the argument (``"ci_method"`` for the design's estimators).
        aliases: other spellings -> canonical names.

    Examples:
        >>> check_method("Wilson")
        'wilson'
        >>> check_method("MN", DIFF_METHODS, aliases={"mn": "miettinen-nurminen"})
        'miettinen-nurminen'
        >>> check_method("exact", what="ci_method")
        Traceback (most recent call last):
        ValueError: unknown ci_method 'exact'; choose one of beta, logit, wilson, clopper-pearson, jeffreys, wald
    """
    key = method.strip().lower() if isinstance(method, str) else None
    key = (aliases or {}).get(key, key)
    if key not in allowed:
        raise ValueError(f"unknown {what} {method!r}; choose one of {', '.join(allowed)}")
    return key


def check_level(level: Any) -> float:
    """``level`` as a float if it is a number strictly between 0 and 1, else a ValueError.

    Examples:
        >>> check_level(0.9)
        0.9
        >>> check_level(95)
        Traceback (most recent call last):
        ValueError: level must be a number strictly between 0 and 1, got 95
    """
    if isinstance(level, bool) or not isinstance(level, Real) or not 0 < float(level) < 1:
        raise ValueError(f"level must be a number strictly between 0 and 1, got {level!r}")
    return float(level)


def z_quantile(level: float) -> float:
    """The two-sided normal quantile of a confidence level (1.96 for 0.95).

    Raises:
        ValueError: ``level`` is not a number strictly between 0 and 1.

    Examples:
        >>> round(z_quantile(0.95), 6)
        1.959964
    """
    return float(stats.norm.isf((1 - check_level(level)) / 2))


def no_variance(se: ArrayLike) -> NDArray[np.bool_]:
    """True where a standard error (of a proportion) is no variance: at most :data:`NO_VARIANCE_SE`.

    NaN is not "no variance" (it is no estimate).

    Examples:
        >>> no_variance([0.0, 3.3e-17, 1e-6, float("nan")]).tolist()
        [True, True, False, False]
    """
    with np.errstate(invalid="ignore"):
        return np.asarray(np.asarray(se, dtype=float) <= NO_VARIANCE_SE)


# ---------------------------------------------------------------------------------------------
# Shared internals
# ---------------------------------------------------------------------------------------------
def _binomial_limits(x: FloatArray, n: FloatArray, alpha: float, method: str):
    """statsmodels' ``proportion_confint`` limits (``method`` in its names) as float arrays."""
    with np.errstate(invalid="ignore", divide="ignore"):
        low, high = proportion_confint(x, n, alpha=alpha, method=method)
    return np.asarray(low, dtype=float), np.asarray(high, dtype=float)


def _expit(v: FloatArray) -> FloatArray:
    return np.asarray(stats.logistic.cdf(v), float)


def _as_result(low: FloatArray, high: FloatArray, scalar: bool):
    if scalar:
        return float(np.asarray(low).reshape(-1)[0]), float(np.asarray(high).reshape(-1)[0])
    return low, high


# ---------------------------------------------------------------------------------------------
# One proportion
# ---------------------------------------------------------------------------------------------
def proportion_ci(
    x: ArrayLike, n: ArrayLike, method: CountMethod = "beta", level: float = 0.95
) -> tuple[FloatArray, FloatArray] | tuple[float, float]:
    """Confidence interval for ``x`` successes out of ``n`` independent trials.

    statsmodels' ``proportion_confint(x, n, alpha=1 - level, method=...)`` with the method names
    mapped as in the module table (``beta`` and ``clopper-pearson`` -> ``beta``, ``wald`` ->
    ``normal``, ``agresti-coull`` -> ``agresti_coull``); ``logit`` has no statsmodels
    counterpart: it is ``expit(logit(p) +/- z / sqrt(n p (1 - p)))``, and Clopper-Pearson where
    ``x`` is 0 or ``n``.

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
    method = check_method(method, COUNT_METHODS)
    alpha = 1 - check_level(level)
    scalar = np.ndim(x) == 0 and np.ndim(n) == 0
    xa, na = np.broadcast_arrays(
        np.atleast_1d(np.asarray(x, dtype=float)), np.atleast_1d(np.asarray(n, dtype=float))
    )
    if np.any(na <= 0) or np.any(xa < 0) or np.any(xa > na):
        raise ValueError("proportion_ci needs 0 <= x <= n and n > 0")
    if method != "logit":
        return _as_result(*_binomial_limits(xa, na, alpha, _STATSMODELS[method]), scalar)
    p = xa / na
    z = stats.norm.isf(alpha / 2)
    inner = (xa > 0) & (xa < na)
    with np.errstate(invalid="ignore", divide="ignore"):
        centre = np.log(p / (1 - p))
        half = z / np.sqrt(na * p * (1 - p))
    cp_low, cp_high = _binomial_limits(xa, na, alpha, "beta")
    with np.errstate(invalid="ignore"):
        low = np.where(inner, _expit(centre - half), cp_low)
        high = np.where(inner, _expit(centre + half), cp_high)
    return _as_result(low, high, scalar)


def effective_sample_size(
    estimate: ArrayLike, se: ArrayLike, n: ArrayLike, *, cap: bool = True
) -> FloatArray:
    """NCHS effective sample size of a proportion: ``p (1 - p) / se**2``, at most ``n``.

    This is ``n / deff`` with the design effect taken against the variance of a simple random
    sample of ``n`` (``p (1 - p) / n``), as the NCHS Data Presentation Standards for Proportions
    define it; a design effect below 1 gives ``n`` (the standard caps the effective sample size
    at the actual one), and so do an estimate of 0 or 1 and no variance (:func:`no_variance`),
    where the design effect cannot be estimated. NaN where the estimate or ``n`` is missing or
    ``n`` is 0.

    Args:
        estimate: proportions in [0, 1].
        se: their standard errors.
        n: numbers of respondents behind them.
        cap: cap at ``n`` (the NCHS rule, for reliability flags); ``False`` gives the effective
            sample size that the design's own interval uses (R's ``svyciprop``): above ``n``
            where the design effect is below 1 (the Korn-Graubard interval and the intervals
            of a change use that one).

    Returns:
        Array of effective sample sizes.

    Examples:
        >>> effective_sample_size([0.5, 1.0, 0.9], [0.05, 0.0, 0.001], [200, 40, 50]).round(6)
        array([100.,  40.,  50.])
        >>> effective_sample_size([0.5, 0.9], [0.02, 0.001], [200, 50], cap=False).round(6)
        array([  625., 90000.])
    """
    p, s, nn = np.broadcast_arrays(
        np.asarray(estimate, dtype=float), np.asarray(se, dtype=float), np.asarray(n, dtype=float)
    )
    raw, edge = _raw_neff(p, s, nn)
    out = np.where(edge, nn, np.minimum(raw, nn) if cap else raw)
    return np.where(np.isnan(p) | np.isnan(nn) | (nn <= 0), np.nan, out).astype(float)


def _raw_neff(p: FloatArray, se: FloatArray, n: FloatArray) -> tuple[FloatArray, FloatArray]:
    """``p (1 - p) / se**2`` (R's svyciprop, not capped); ``n`` at the edges, and the edge mask."""
    with np.errstate(invalid="ignore", divide="ignore"):
        raw = p * (1 - p) / (se * se)
    edge = (p <= 0) | (p >= 1) | no_variance(se)
    return np.where(edge, n, raw), edge


def survey_proportion_ci(
    estimate: ArrayLike,
    se: ArrayLike,
    n: ArrayLike,
    df: ArrayLike,
    method: CiMethod = "beta",
    level: float = 0.95,
) -> tuple[FloatArray, FloatArray]:
    """Confidence intervals for design-based proportions, vectorised over domains.

    With ``n_eff = p (1 - p) / se**2`` (R's ``svyciprop``; the number of respondents ``n`` where
    ``p`` is 0 or 1 or there is no variance, :func:`no_variance`):

    * ``beta`` (Korn-Graubard): Clopper-Pearson on ``n_df = n_eff * (t(n-1) / t(df))**2`` with
      ``x = p * n_df``, where ``t(k)`` is the ``(1 - level) / 2`` quantile of Student's t with
      ``k`` degrees of freedom. Equals ``svyciprop(method = "beta")``. Written here (no library
      has the design degrees of freedom); the Clopper-Pearson step is statsmodels'.
    * ``logit``: ``expit(logit(p) +/- t(df) * se / (p (1 - p)))``. Equals
      ``svyciprop(method = "logit")`` (R fits it with ``svyglm``).
    * ``wald``: ``p +/- t(df) * se`` clipped to [0, 1]; R's ``svyciprop(method = "mean")``
      before clipping.
    * ``clopper-pearson``, ``wilson``, ``jeffreys``: statsmodels' plain-count interval with
      ``n_eff`` in place of ``n`` (and ``p * n_eff`` successes), normal quantiles, no
      degrees-of-freedom adjustment. Jeffreys' limit is set to 0 (1) when ``p`` is 0 (1) (Brown,
      Cai, DasGupta 2001).
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
    method = check_method(method, SURVEY_METHODS)
    alpha = 1 - check_level(level)
    return _survey_limits(estimate, se, n, df, method, alpha)


def survey_limits_at(
    estimate: ArrayLike,
    se: ArrayLike,
    n: ArrayLike,
    df: ArrayLike,
    z: ArrayLike,
    method: CiMethod = "beta",
) -> tuple[FloatArray, FloatArray]:
    """:func:`survey_proportion_ci` at a level of its own for each domain, given as a normal quantile.

    The level of domain ``i`` is ``1 - 2 * norm.sf(z[i])`` (``z = 1.96`` is 95 %): what a test
    that inverts the interval needs (:func:`mover_test` moves each domain's level until the
    interval of a change reaches no change).

    Args:
        estimate: proportions in [0, 1].
        se: their design-based standard errors.
        n: respondents behind each proportion.
        df: design degrees of freedom of each domain.
        z: the normal quantile of each domain's level, > 0 (broadcast with the others).
        method: one of :data:`SURVEY_METHODS`.

    Returns:
        ``(low, high)`` arrays.

    Examples:
        >>> low, high = survey_limits_at([0.5, 0.5], [0.05, 0.05], [200, 200], [30, 30],
        ...                              [1.959963984540054, 1.0])
        >>> low.round(6).tolist(), high.round(6).tolist()
        ([0.394615, 0.44445], [0.605385, 0.55555])
    """
    method = check_method(method, SURVEY_METHODS)
    alpha = 2 * stats.norm.sf(np.asarray(z, dtype=float))
    if np.any(~((alpha > 0) & (alpha < 1))):
        raise ValueError("z must be a positive, finite normal quantile")
    return _survey_limits(estimate, se, n, df, method, alpha)


def _survey_limits(
    estimate: ArrayLike, se: ArrayLike, n: ArrayLike, df: ArrayLike, method: str, alpha: Any
) -> tuple[FloatArray, FloatArray]:
    """The limits of :func:`survey_proportion_ci`; ``alpha`` a number or one per domain."""
    p, s, nn, dd, alpha = (
        np.array(a, dtype=float)
        for a in np.broadcast_arrays(*(np.atleast_1d(np.asarray(v, dtype=float))
                                       for v in (estimate, se, n, df, alpha)))
    )
    if np.any((p < 0) | (p > 1)):
        raise ValueError("survey_proportion_ci needs estimates between 0 and 1")
    neff, edge = _raw_neff(p, s, nn)
    if method in ("clopper-pearson", "wilson", "jeffreys"):
        low, high = _binomial_limits(p * neff, neff, alpha, _STATSMODELS[method])
    else:
        with np.errstate(invalid="ignore", divide="ignore"):
            t_n = stats.t.ppf(alpha / 2, np.where(nn - 1 >= 1, nn - 1, np.nan))
            t_df = stats.t.ppf(alpha / 2, np.where(dd >= 1, dd, np.nan))
            n_df = neff * (t_n / t_df) ** 2
        low, high = _binomial_limits(p * n_df, n_df, alpha, "beta")  # Korn-Graubard
        if method in ("wald", "logit"):
            low, high = _t_limits(p, s, -t_df, method, edge, low, high)
    # Exact edges (Jeffreys' limits do not reach them; Wilson's only up to rounding).
    exists = np.isfinite(low) & np.isfinite(high)
    low = np.where(exists & (p == 0), 0.0, low)
    high = np.where(exists & (p == 1), 1.0, high)
    missing = np.isnan(p) | np.isnan(nn) | (nn <= 0)
    return np.where(missing, np.nan, low), np.where(missing, np.nan, high)


def _t_limits(p, s, q, method: str, edge, kg_low, kg_high) -> tuple[FloatArray, FloatArray]:
    """Wald (``p +/- q se``, clipped) or logit limits; Korn-Graubard's at the edges."""
    with np.errstate(invalid="ignore", divide="ignore"):
        if method == "wald":
            low, high = np.clip(p - q * s, 0, 1), np.clip(p + q * s, 0, 1)
        else:
            centre = np.log(p / (1 - p))
            half = q * s / (p * (1 - p))
            low, high = _expit(centre - half), _expit(centre + half)
    return np.where(edge, kg_low, low), np.where(edge, kg_high, high)


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
    level = check_level(level)
    est, s, dd = np.broadcast_arrays(
        *(np.atleast_1d(np.asarray(v, dtype=float)) for v in (estimate, se, df))
    )
    with np.errstate(invalid="ignore"):
        q = stats.t.isf((1 - level) / 2, np.where(dd >= 1, dd, np.nan))
    return np.asarray(est - q * s, float), np.asarray(est + q * s, float)


# ---------------------------------------------------------------------------------------------
# Differences and ratios of two independent proportions (the year-over-year change)
#
# diff_ci: p1 - p2 by Newcombe's hybrid score interval (Newcombe 1998, method 10, the default:
# MOVER-D from the two Wilson intervals), the Wald interval (method 1), Agresti-Caffo (one
# success and one failure added to each group) or the Miettinen-Nurminen score interval (the
# score test inverted, with the N / (N - 1) variance correction). ratio_ci / ratio_ci_from_se:
# p1 / p2 by the log ratio and the delta method, from counts or from design-based estimates and
# standard errors; ratio_ci_mover: MOVER-R from the two Wilson intervals.
#
# Counts may be non-integer: for a survey proportion p with effective sample size n_eff pass
# x = p * n_eff and n = n_eff. Everything is vectorised over numpy arrays.
#
# References: Newcombe RG (1998), Statistics in Medicine 17:873-890; Miettinen O, Nurminen M
# (1985), Statistics in Medicine 4:213-226; Agresti A, Caffo B (2000), The American
# Statistician 54:280-288; Donner A, Zou GY (2012), Statistical Methods in Medical Research
# 21:347-359.
# ---------------------------------------------------------------------------------------------
def _counts(x: Any, n: Any, name: str) -> tuple[FloatArray, FloatArray]:
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


def wilson_limits(x: Any, n: Any, z: float) -> tuple[FloatArray, FloatArray]:
    """Wilson score limits of one proportion ``x / n`` at normal quantile ``z`` (statsmodels'),
    exactly 0 when ``x == 0`` and exactly 1 when ``x == n``: the building block of Newcombe's
    difference and of MOVER-R.

    Examples:
        >>> low, high = wilson_limits(0, 10, 1.959963984540054)
        >>> float(low), round(float(high), 4)
        (0.0, 0.2775)
    """
    x = np.asarray(x, dtype=float)
    n = np.asarray(n, dtype=float)
    low, high = _binomial_limits(x, n, 2 * stats.norm.sf(z), "wilson")
    return np.where(x <= 0, 0.0, low), np.where(x >= n, 1.0, high)


def mover_difference(
    p1: ArrayLike, l1: ArrayLike, u1: ArrayLike, p0: ArrayLike, l0: ArrayLike, u0: ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """Interval for ``p1 - p0`` from each estimate's own interval (MOVER-D, Zou and Donner 2008).

    ``low = d - sqrt((p1 - l1)**2 + (u0 - p0)**2)``, ``high = d + sqrt((u1 - p1)**2 +
    (p0 - l0)**2)``: Newcombe's hybrid score interval when the limits are Wilson's; with
    Korn-Graubard limits, the design-based version.

    Examples:
        >>> low, high = mover_difference(0.8, 0.6, 0.9, 0.5, 0.3, 0.7)
        >>> round(float(low), 4), round(float(high), 4)
        (0.0172, 0.5236)
    """
    p1, l1, u1, p0, l0, u0 = (np.asarray(v, dtype=float) for v in (p1, l1, u1, p0, l0, u0))
    d = p1 - p0
    return d - np.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2), d + np.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2)


def mover_ratio(
    p1: ArrayLike, l1: ArrayLike, u1: ArrayLike, p0: ArrayLike, l0: ArrayLike, u0: ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """Interval for ``p1 / p0`` from each estimate's own interval (MOVER-R, Donner and Zou 2012).

    The limits are the roots of ``(p1 - r p0)**2 = (p1 - l1)**2 + r**2 (u0 - p0)**2`` (lower) and
    ``(r p0 - p1)**2 = (u1 - p1)**2 + r**2 (p0 - l0)**2`` (upper). At ``r = 1`` these are the
    conditions under which :func:`mover_difference` of the same limits reaches 0, so the ratio
    interval excludes 1 exactly when the difference interval excludes 0: one verdict for both.
    Proper where the log-ratio delta method degenerates (a proportion of 0 % or 100 %, whose
    standard error is 0). Where ``l0`` is 0 (a base year at 0 %) the upper limit is infinite
    and the lower one ``sqrt(l1 (2 p1 - l1)) / u0``: still the interval that excludes 1
    exactly when the difference's excludes 0. NaN only where a limit is missing.

    Examples:
        >>> low, high = mover_ratio(1.0, 0.9287, 1.0, 1.0, 0.9197, 1.0)
        >>> round(float(low), 4), round(float(high), 4)
        (0.9287, 1.0873)
        >>> low, high = mover_ratio(0.2, 0.1, 0.35, 0.0, 0.0, 0.1)  # base year at 0 %
        >>> round(float(low), 4), float(high)
        (1.7321, inf)
    """
    p1, l1, u1, p0, l0, u0 = (np.asarray(v, dtype=float) for v in (p1, l1, u1, p0, l0, u0))
    a = p1 * p0
    c_low = l1 * (2 * p1 - l1)
    with np.errstate(divide="ignore", invalid="ignore"):
        # the lower root written as c / (a + sqrt(a^2 - A c)): exact for any sign of
        # A = u0 (2 p0 - u0) (an upper base limit above 2 p0 makes A <= 0)
        low = c_low / (a + np.sqrt(np.clip(a * a - u0 * (2 * p0 - u0) * c_low, 0, None)))
        b = l0 * (2 * p0 - l0)
        high = (a + np.sqrt(np.clip(a * a - u1 * b * (2 * p1 - u1), 0, None))) / b
    low = np.where(p1 <= 0, 0.0, low)
    high = np.where(b > 0, high, np.inf)
    bad = np.isnan(p1 + l1 + u1 + p0 + l0 + u0)
    return np.where(bad, np.nan, low), np.where(bad, np.nan, high)


MOVER_Z_MAX: Final = 37.0
"""The largest normal quantile :func:`mover_test` searches: a p-value below ``2 norm.sf(37)``
(about 1e-299) is written as that bound."""
_MOVER_Z_MIN: Final = 1e-5  # a level of 8e-6 (p = 0.99999): Student's t quantiles lose their
# digits closer to the median, and no decision is taken at such levels
_MOVER_STEPS: Final = 64  # halves [1e-5, 37] to below 1e-17


def mover_test(
    p1: ArrayLike,
    p0: ArrayLike,
    limits1: Any,
    limits0: Any,
) -> FloatArray:
    """The test that the MOVER intervals of a change invert: the level at which they reach no change.

    ``limits1(z)`` and ``limits0(z)`` give each year's interval ``(low, high)`` at the normal
    quantile ``z`` (one per domain; level ``1 - 2 norm.sf(z)``), e.g. :func:`wilson_limits` or
    :func:`survey_limits_at`. For a rise the lower limit of :func:`mover_difference`,
    ``d - sqrt((p1 - l1(z))**2 + (u0(z) - p0)**2)``, falls as ``z`` grows; ``z*`` is where it
    reaches 0 (for a fall, where the upper limit does), found by bisection on every domain at once.
    The two-sided p-value is ``2 norm.sf(z*)``: the interval at level ``1 - p`` just touches 0, so
    ``p < 1 - level`` exactly when the interval at ``level`` excludes 0 -- and, from the same limits,
    exactly when the :func:`mover_ratio` interval excludes 1 (the same equation at ``r = 1``). One
    test for the difference and the ratio.

    Args:
        p1: current proportions.
        p0: base proportions.
        limits1: ``z -> (low, high)`` of the current year.
        limits0: ``z -> (low, high)`` of the base year.

    Returns:
        The signed ``z*`` (the sign of ``p1 - p0``): 0 where no interval excludes 0 (no change,
        or limits that stay apart from the estimate at every level, as Clopper-Pearson's do),
        :data:`MOVER_Z_MAX` where every interval searched does; NaN where an estimate is missing.

    Examples:
        >>> z = mover_test([56 / 70], [48 / 80], lambda q: wilson_limits(56, 70, q),
        ...                lambda q: wilson_limits(48, 80, q))
        >>> p = 2 * stats.norm.sf(abs(z))
        >>> [round(float(v), 6) for v in (z[0], p[0])]
        [2.646492, 0.008133]
        >>> low, _ = diff_ci(56, 70, 48, 80, level=1 - float(p[0]))  # the interval at 1 - p
        >>> abs(low) < 1e-12
        True
    """
    p1, p0 = (np.atleast_1d(np.asarray(v, dtype=float)) for v in (p1, p0))
    p1, p0 = np.broadcast_arrays(p1, p0)
    d = p1 - p0
    rise = d > 0

    def reaches(z: FloatArray) -> NDArray[np.bool_]:
        """The interval at ``z`` excludes 0 (on the side of the change)."""
        with warnings.catch_warnings():  # levels near 1 - 1e-299: quantile searches may not
            warnings.simplefilter("ignore", RuntimeWarning)  # converge (NaN: not reached)
            l1, u1 = limits1(z)
            l0, u0 = limits0(z)
        with np.errstate(invalid="ignore"):
            room = np.where(rise, (p1 - l1) ** 2 + (u0 - p0) ** 2, (u1 - p1) ** 2 + (p0 - l0) ** 2)
            return d * d > room  # NaN limits: False (the bisection moves to a lower level)

    lo = np.full(d.shape, _MOVER_Z_MIN)
    hi = np.full(d.shape, MOVER_Z_MAX)
    at_lo, at_hi = reaches(lo), reaches(hi)
    for _ in range(_MOVER_STEPS):  # bisection steps, each over every domain at once
        mid = (lo + hi) / 2
        ok = reaches(mid)
        lo = np.where(ok, mid, lo)
        hi = np.where(ok, hi, mid)
    z = np.where(at_hi, MOVER_Z_MAX, np.where(at_lo, lo, 0.0))
    z = np.where(d == 0, 0.0, z)
    return np.where(np.isnan(d), np.nan, np.sign(d) * z)


def _mn_restricted(
    delta: FloatArray, p1: FloatArray, p2: FloatArray, n1: FloatArray, n2: FloatArray
) -> tuple[FloatArray, FloatArray]:
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


def _mn_score(
    delta: FloatArray, p1: FloatArray, p2: FloatArray, n1: FloatArray, n2: FloatArray
) -> FloatArray:
    """Miettinen-Nurminen score statistic for H0: p1 - p2 = delta (decreasing in delta)."""
    r1, r2 = _mn_restricted(delta, p1, p2, n1, n2)
    big_n = n1 + n2
    var = (r1 * (1 - r1) / n1 + r2 * (1 - r2) / n2) * big_n / (big_n - 1)
    num = p1 - p2 - delta
    with np.errstate(divide="ignore", invalid="ignore"):
        score = num / np.sqrt(var)
    score = np.where(var > 0, score, np.sign(num) * np.inf)
    return np.where((var <= 0) & (num == 0), 0.0, score)


def _mn_limits(
    x1: FloatArray, n1: FloatArray, x2: FloatArray, n2: FloatArray, z: float
) -> tuple[FloatArray, FloatArray]:
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
    return (lo_a + lo_b) / 2, (hi_a + hi_b) / 2


def diff_ci(
    x1: Any,
    n1: Any,
    x2: Any,
    n2: Any,
    method: DiffMethod = "newcombe",
    level: float = 0.95,
) -> tuple[Any, Any]:
    """Confidence interval for the difference ``p1 - p2`` of two independent proportions.

    Newcombe: :func:`mover_difference` of the two :func:`wilson_limits`; Wald and Agresti-Caffo:
    statsmodels' ``confint_proportions_2indep``, truncated to [-1, 1]; Miettinen-Nurminen:
    written here (see the module docstring).

    Args:
        x1: successes in sample 1 (may be non-integer, e.g. ``p1 * n_eff``).
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
    name = check_method(method, DIFF_METHODS, aliases=_DIFF_ALIASES)
    z = z_quantile(level)
    scalar = all(np.ndim(v) == 0 for v in (x1, n1, x2, n2))
    x1a, n1a = _counts(x1, n1, "n1")
    x2a, n2a = _counts(x2, n2, "n2")
    x1a, n1a, x2a, n2a = (np.array(v, dtype=float) for v in np.broadcast_arrays(x1a, n1a, x2a, n2a))
    x1a, x2a = np.minimum(x1a, n1a), np.minimum(x2a, n2a)
    if name in ("wald", "agresti-caffo"):
        with np.errstate(invalid="ignore", divide="ignore"):
            low, high = confint_proportions_2indep(
                x1a, n1a, x2a, n2a, method=name, compare="diff", alpha=1 - level
            )
        low, high = np.clip(low, -1, 1), np.clip(high, -1, 1)
    elif name == "newcombe":
        l1, u1 = wilson_limits(x1a, n1a, z)
        l2, u2 = wilson_limits(x2a, n2a, z)
        low, high = mover_difference(x1a / n1a, l1, u1, x2a / n2a, l2, u2)
    else:
        nan = np.isnan(x1a + n1a + x2a + n2a)
        fill = np.where(nan, 1.0, 0.0)
        low, high = _mn_limits(
            np.where(nan, 0.5, x1a), np.where(nan, 1.0, n1a) + fill,
            np.where(nan, 0.5, x2a), np.where(nan, 1.0, n2a) + fill, z,
        )
        low, high = np.where(nan, np.nan, low), np.where(nan, np.nan, high)
    return _as_result(np.asarray(low, float), np.asarray(high, float), scalar)


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
    return _as_result(np.where(bad, np.nan, low), np.where(bad, np.nan, high), scalar)


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
    return _as_result(np.where(bad, np.nan, low), np.where(bad, np.nan, high), scalar)


def ratio_ci_mover(x1: Any, n1: Any, x0: Any, n0: Any, level: float = 0.95) -> tuple[Any, Any]:
    """Interval for ``p1 / p0`` by MOVER-R from each proportion's Wilson limits.

    :func:`mover_ratio` of the two :func:`wilson_limits`: proper where the log-ratio delta
    method degenerates, at 0 % or 100 % (a standard error of 0 gives a zero-width interval
    there). With ``p1 = p0 = 1`` it is ``[l1, 1 / l0]``, ``l1`` and ``l0`` the two years' Wilson
    lower limits.

    Args:
        x1: current-year (effective) successes.
        n1: current-year (effective) size.
        x0: base-year (effective) successes; ``x0 > 0``.
        n0: base-year (effective) size.
        level: confidence level.

    Returns:
        ``(low, high)``; where ``x0`` is 0, ``[low, inf)``.

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
    l1, u1 = wilson_limits(x1a, n1a, z)
    l0, u0 = wilson_limits(x0a, n0a, z)
    low, high = mover_ratio(x1a / n1a, l1, u1, x0a / n0a, l0, u0)
    return _as_result(low, high, scalar)
