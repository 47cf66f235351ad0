"""Internal consistency of the components: Cronbach's alpha, item-rest fit, overall agreement.

"Internal consistency" here -- do the items of a component measure one thing? -- is not the
publication reliability of an estimate (the NCHS flags of :mod:`satisfaction.reliability`).

* :func:`internal_consistency` -- Cronbach's alpha per component, weighted, with a
  jackknife-over-PSUs interval (:func:`alpha_jackknife`), and the unweighted alpha with
  Feldt's interval (:func:`feldt_interval`);
* :func:`item_statistics` -- item-rest correlation and alpha if the item is deleted
  (:func:`item_rest_statistics` on one scale);
* :func:`overall_agreement` -- weighted Spearman correlation (:func:`weighted_spearman`) of
  the overall item with each component mean.

Why alpha is written here rather than taken from pingouin. ``pingouin.cronbach_alpha`` (and R's
``psych::alpha``) treat the rows as a simple random sample. Here the respondents are drawn with
unequal probabilities inside offices (PSUs) and strata, so (1) the population alpha must be
estimated from the *weighted* covariance matrix of the items, otherwise over-sampled offices
(the central level) count more than the population they stand for, and (2) its interval must
respect the clustering: Feldt's F interval assumes independent respondents and is too narrow
when answers cluster within offices. :func:`cronbach_alpha` is the usual formula
``k/(k-1) * (1 - trace(C) / sum(C))`` on the weighted covariance ``C = sum w (x-m)(x-m)' / sum w``
(the normalisation cancels, so with equal weights it *is* pingouin's value; the tests check
that, a published worked example, Hoyt's ANOVA identity, and that integer weights equal
replicated rows). The design interval is a delete-one-PSU stratified jackknife (JKn; Rust and
Rao 1996), centred at the full-sample alpha (R's ``mse = TRUE``; the tests match R's
``withReplicates`` on an ``as.svrepdesign(type = "JKn")`` design): deterministic (no seed),
consistent for a smooth function of weighted moments such as alpha, and vectorised (every
replicate from the PSU moment totals at once, no loop over PSUs). It is formed on the
``log(1 - alpha)`` scale (alpha is bounded above by 1) with Student t quantiles on the design
degrees of freedom (PSUs minus strata), as R's ``survey`` does for replicate designs. Strata
with a single PSU cannot be jackknifed: with ``lonely_psu="fail"`` that is an error, with
``"average"`` the variance is scaled up by strata / strata-with-replicates, otherwise they
contribute no variance (as ``"certainty"``). Missing answers: listwise within a component.

Not for: the satisfaction estimates or their publication flags (:mod:`satisfaction.design`,
:mod:`satisfaction.reliability`), item answer shares (:mod:`.items`) or drawing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..design import DesignSpec
from ..intervals import z_quantile
from .inputs import (
    InstrumentError,
    build_design,
    likert_matrix,
    per_year,
    stack,
    weight_array,
    with_key,
)

__all__ = [
    "alpha_jackknife",
    "cronbach_alpha",
    "feldt_interval",
    "internal_consistency",
    "item_rest_statistics",
    "item_statistics",
    "overall_agreement",
    "weighted_covariance",
    "weighted_spearman",
]


def _complete(x: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    keep = ~np.isnan(x).any(axis=1)
    return x[keep], w[keep]


def weighted_covariance(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """The weighted covariance matrix ``sum w (x-m)(x-m)' / sum w`` of the columns of ``x``.

    The population form (divisor the sum of the weights): times ``n / (n - 1)`` with equal
    weights it is the sample covariance (``numpy.cov``).

    Examples:
        >>> weighted_covariance(np.array([[1.0, 2.0], [3.0, 2.0], [2.0, 5.0]]), np.ones(3))
        array([[0.66666667, 0.        ],
               [0.        , 2.        ]])
    """
    m = (w[:, None] * x).sum(axis=0) / w.sum()
    c = x - m
    return (w[:, None] * c).T @ c / w.sum()


def _alpha_from_cov(C: np.ndarray) -> np.ndarray:
    """Alpha of one (k, k) or many (r, k, k) covariance matrices."""
    k = C.shape[-1]
    tr = np.trace(C, axis1=-2, axis2=-1)
    tot = C.sum(axis=(-2, -1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return k / (k - 1) * (1 - tr / tot)


def _as_matrix(scores: Any, weights: Any) -> tuple[np.ndarray, np.ndarray, list[str]]:
    if isinstance(scores, pd.DataFrame):
        names = [str(c) for c in scores.columns]
        x = scores.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    else:
        x = np.asarray(scores, dtype=float)
        names = [f"item{j + 1}" for j in range(x.shape[1] if x.ndim == 2 else 0)]
    if x.ndim != 2:
        raise InstrumentError("scores must be a 2-D table: respondents x items")
    if x.shape[1] < 2:
        raise InstrumentError("alpha needs at least two items")
    w = np.ones(len(x)) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != (len(x),):
        raise InstrumentError("weights must have one value per respondent")
    if np.isnan(w).any() or (w <= 0).any():
        raise InstrumentError("weights must be > 0 for every respondent")
    return x, w, names


def cronbach_alpha(scores: Any, weights: Any = None) -> float:
    """Cronbach's alpha, weighted, with listwise deletion of incomplete rows.

    ``k/(k-1) * (1 - trace(C)/sum(C))`` with ``C`` the weighted covariance matrix of the items.
    With equal weights this equals ``pingouin.cronbach_alpha(..., nan_policy="listwise")``.

    Args:
        scores: respondents x items (DataFrame or 2-D array; NaN / <NA> for missing).
        weights: survey weights, one per respondent (None: equal).

    Returns:
        alpha (NaN when fewer than two complete rows or no variance).

    Examples:
        >>> x = [[3, 3, 3, 3], [3, 3, 4, 3], [3, 3, 3, 1], [5, 4, 4, 5], [2, 1, 4, 4],
        ...      [4, 4, 4, 5], [3, 2, 3, 3], [3, 4, 3, 3], [4, 2, 2, 3], [3, 3, 2, 3]]
        >>> round(cronbach_alpha(x), 3)
        0.674
    """
    x, w, _ = _as_matrix(scores, weights)
    x, w = _complete(x, w)
    if len(x) < 2:
        return float("nan")
    return float(_alpha_from_cov(weighted_covariance(x, w)))


def feldt_interval(alpha: float, n: int, k: int, level: float = 0.95) -> tuple[float, float]:
    """Feldt's (1965; Feldt, Woodruff and Salih 1987) interval for an unweighted alpha.

    ``1 - (1 - alpha) F_{1-a/2}(n-1, (n-1)(k-1))`` to ``1 - (1 - alpha) F_{a/2}(...)``:
    assumes independent respondents (simple random sampling).

    Raises:
        InstrumentError: fewer than two respondents or items.
        ValueError: ``level`` not strictly between 0 and 1.

    Examples:
        >>> [round(v, 3) for v in feldt_interval(0.6737, 10, 4)]
        [0.142, 0.909]
    """
    if n < 2 or k < 2:
        raise InstrumentError("Feldt's interval needs n >= 2 respondents and k >= 2 items")
    z_quantile(level)  # checks the level
    a = 1 - level
    df1, df2 = n - 1, (n - 1) * (k - 1)
    low = 1 - (1 - alpha) * stats.f.isf(a / 2, df1, df2)
    high = 1 - (1 - alpha) * stats.f.isf(1 - a / 2, df1, df2)
    return float(low), float(high)


def _moment_columns(x: np.ndarray, keep: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Per row: w, w x (centred), w x x' (flattened); zero for incomplete rows."""
    k = x.shape[1]
    w = np.where(keep, weights, 0.0)
    xc = np.where(keep[:, None], x, 0.0)
    centre = (w[:, None] * xc).sum(axis=0) / w.sum()
    xc = np.where(keep[:, None], xc - centre, 0.0)
    return np.column_stack([w, w[:, None] * xc,
                            (w[:, None, None] * xc[:, :, None] * xc[:, None, :]).reshape(
                                len(xc), k * k)])


def _alpha_of_moments(M: np.ndarray, k: int) -> np.ndarray:
    """Alpha from rows of moment totals (sum w, sum w x, sum w x x')."""
    s0 = M[:, 0]
    mean = M[:, 1:1 + k] / s0[:, None]
    C = M[:, 1 + k:].reshape(-1, k, k) / s0[:, None, None] - mean[:, :, None] * mean[:, None, :]
    return _alpha_from_cov(C)


def alpha_jackknife(df: pd.DataFrame, items: Sequence[str], design: DesignSpec,
                    level: float = 0.95) -> pd.Series:
    """Weighted alpha with a delete-one-PSU stratified jackknife (JKn) interval.

    Replicate ``(h, j)`` drops PSU ``j`` of stratum ``h`` and multiplies the weights of the
    other PSUs of ``h`` by ``n_h/(n_h-1)``; ``v = sum_h (1-f_h)(n_h-1)/n_h sum_j
    (alpha_hj - alpha)^2``. All replicates come from PSU moment totals at once. The interval is
    ``1 - (1 - alpha) exp(+-t se/(1 - alpha))`` with ``t`` on PSUs - strata degrees of freedom.

    Args:
        df: one year's respondents.
        items: the items of one component.
        design: the year's design (a lonely PSU under ``"fail"`` is an error).
        level: confidence level.

    Returns:
        alpha, se, ci_low, ci_high, df (design degrees of freedom), n (complete respondents),
        k, replicates.

    Examples:
        >>> from satisfaction.design import DesignSpec
        >>> from satisfaction.instrument import example_survey
        >>> D = DesignSpec(weights="weight", strata="stratum", psu="office_code")
        >>> jk = alpha_jackknife(example_survey(), ["o1", "o2", "o3", "o4"], D)
        >>> jk[["alpha", "se", "ci_low", "ci_high", "df"]].round(3).tolist()
        [0.948, 0.008, 0.927, 0.963, 8.0]
    """
    items = list(items)
    x = likert_matrix(df, items)
    sd = build_design(df, design)  # raises under "fail" when a stratum has one PSU
    fs = sd.first_stage()
    if fs.variance_stages > 1:  # deleting PSUs measures the first stage's variance only
        raise InstrumentError(
            "alpha_jackknife deletes whole PSUs, so it measures the first stage's variance "
            f"only; this design has {fs.variance_stages} variance stages (offices, then "
            "respondents with an FPC) and its interval would be too narrow: give it the "
            "first stage's PSUs and strata without the later stages' FPC")
    lonely_h = fs.n_psu == 1  # cannot be jackknifed
    keep = ~np.isnan(x).any(axis=1)
    k = len(items)
    if keep.sum() < 2:
        raise InstrumentError(f"items {items}: fewer than two complete answers")
    moments = _moment_columns(x, keep, fs.weights)
    H = len(fs.n_psu)
    T = np.zeros((len(fs.psu_stratum), moments.shape[1]))  # PSU totals
    np.add.at(T, fs.psu, moments)
    T_h = np.zeros((H, T.shape[1]))
    np.add.at(T_h, fs.psu_stratum, T)
    total = T.sum(axis=0)
    alpha = float(_alpha_of_moments(total[None, :], k)[0])
    g = np.flatnonzero(~lonely_h[fs.psu_stratum])
    h = fs.psu_stratum[g]
    nh = fs.n_psu[h]
    reps = total[None, :] - T_h[h] + (nh / (nh - 1))[:, None] * (T_h[h] - T[g])
    theta = _alpha_of_moments(reps, k) if len(g) else np.array([])
    factor = fs.fpc_factor[h] * (nh - 1) / nh
    var = float((factor * (theta - alpha) ** 2).sum())
    if sd.lonely_psu == "average" and lonely_h.any():
        ok = int((~lonely_h).sum())
        var = var * H / ok if ok else 0.0
    se = math.sqrt(var)
    dof = max(sd.degf, 1)
    z_quantile(level)  # checks the level
    t = float(stats.t.ppf(0.5 + level / 2, dof))
    if alpha < 1 and np.isfinite(alpha):
        spread = math.exp(t * se / (1 - alpha))
        low, high = 1 - (1 - alpha) * spread, 1 - (1 - alpha) / spread
    else:
        low = high = np.nan
    return pd.Series({"alpha": alpha, "se": se, "ci_low": low, "ci_high": high,
                      "df": dof, "n": int(keep.sum()), "k": k, "replicates": len(g)})


def item_rest_statistics(scores: Any, weights: Any = None) -> pd.DataFrame:
    """Item-rest correlation and alpha-if-item-deleted for every item of one scale.

    Listwise complete rows; all quantities from the weighted covariance matrix (the item-rest
    correlation is ``psych::alpha``'s ``r.drop``; alpha if deleted its ``alpha.drop``).

    Returns:
        Indexed by item: item_rest_r, alpha_if_deleted, mean, sd (weighted; divisor the sum
        of the weights, so the population form).


    Examples:
        >>> x = pd.DataFrame([[3, 3, 3, 3], [3, 3, 4, 3], [3, 3, 3, 1], [5, 4, 4, 5],
        ...     [2, 1, 4, 4], [4, 4, 4, 5], [3, 2, 3, 3], [3, 4, 3, 3], [4, 2, 2, 3], [3, 3, 2, 3]],
        ...     columns=["X1", "X2", "X3", "X4"])
        >>> item_rest_statistics(x).round(3)
            item_rest_r  alpha_if_deleted  mean     sd
        X1        0.547             0.559   3.3  0.781
        X2        0.405             0.642   2.9  0.943
        X3        0.364             0.662   3.2  0.748
        X4        0.545             0.546   3.3  1.100
    """
    x, w, names = _as_matrix(scores, weights)
    x, w = _complete(x, w)
    k = x.shape[1]
    if len(x) < 2:
        nan = np.full(k, np.nan)
        return pd.DataFrame({"item_rest_r": nan, "alpha_if_deleted": nan, "mean": nan,
                             "sd": nan}, index=names)
    C = weighted_covariance(x, w)
    diag = np.diag(C)
    row = C.sum(axis=1)
    tot = C.sum()
    rest_var = tot - 2 * row + diag
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (row - diag) / np.sqrt(diag * rest_var)
        if k > 2:
            a_del = (k - 1) / (k - 2) * (1 - (np.trace(C) - diag) / rest_var)
        else:
            a_del = np.full(k, np.nan)  # one item left: alpha undefined
    mean = (w[:, None] * x).sum(axis=0) / w.sum()
    return pd.DataFrame({"item_rest_r": r, "alpha_if_deleted": a_del, "mean": mean,
                         "sd": np.sqrt(diag)}, index=names)


def _weighted_ranks(v: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted mid-ranks: weight of smaller values + (weight of ties + 1)/2."""
    codes, uniq = pd.factorize(v, sort=True)
    tie = np.bincount(codes, weights=w, minlength=len(uniq))
    below = np.cumsum(tie) - tie
    return (below + (tie + 1) / 2)[codes]


def weighted_spearman(x: Any, y: Any, weights: Any = None) -> float:
    """Spearman's rank correlation with survey weights (pairs with a missing value dropped).

    Weighted mid-ranks, then the weighted Pearson correlation of the ranks. With equal weights
    it is ``scipy.stats.spearmanr``; integer weights give the same value as repeating rows.

    Examples:
        >>> round(weighted_spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]), 6)
        0.820783
    """
    a = np.asarray(pd.array(x, dtype="Float64").to_numpy(dtype=float, na_value=np.nan))
    b = np.asarray(pd.array(y, dtype="Float64").to_numpy(dtype=float, na_value=np.nan))
    if a.shape != b.shape or a.ndim != 1:
        raise InstrumentError("x and y must be 1-D and of the same length")
    w = np.ones(len(a)) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != a.shape or np.isnan(w).any() or (w <= 0).any():
        raise InstrumentError("weights must be > 0, one per pair")
    ok = ~(np.isnan(a) | np.isnan(b))
    a, b, w = a[ok], b[ok], w[ok]
    if len(a) < 2:
        return float("nan")
    ra, rb = _weighted_ranks(a, w), _weighted_ranks(b, w)
    C = weighted_covariance(np.column_stack([ra, rb]), w)
    with np.errstate(invalid="ignore", divide="ignore"):
        return float(C[0, 1] / math.sqrt(C[0, 0] * C[1, 1]))


def internal_consistency(df: pd.DataFrame, components: Mapping[str, Sequence[str]],
                         design: DesignSpec, level: float = 0.95,
                         by: str | None = "year") -> pd.DataFrame:
    """Cronbach's alpha per component: weighted with a jackknife interval, and unweighted (Feldt).

    Returns:
        One row per (year, component): k, n (complete answers), alpha, se, ci_low, ci_high
        (weighted, JKn over PSUs), df, alpha_unweighted, feldt_low, feldt_high.

    Examples:
        >>> from satisfaction.design import DesignSpec
        >>> from satisfaction.instrument import example_survey
        >>> D = DesignSpec(weights="weight", strata="stratum", psu="office_code")
        >>> r = internal_consistency(example_survey(), {"officers": ["o1", "o2", "o3", "o4"]},
        ...                          D, by=None)
        >>> r[["alpha", "ci_low", "ci_high", "alpha_unweighted", "feldt_low"]].round(3)
           alpha  ci_low  ci_high  alpha_unweighted  feldt_low
        0  0.948   0.927    0.963              0.95      0.933
    """
    if not components:
        raise InstrumentError("no components given")
    parts = []
    for key, part in per_year(df, by):
        rows = []
        for name, items in components.items():
            items = list(items)
            if len(items) < 2:
                raise InstrumentError(f"component {name!r}: alpha needs at least two items")
            jk = alpha_jackknife(part, items, design, level)
            a_u = cronbach_alpha(likert_matrix(part, items))
            n = int(jk["n"])
            low, high = feldt_interval(a_u, n, len(items), level) if n >= 2 else (np.nan, np.nan)
            rows.append({"component": name, "k": len(items), "n": n, "alpha": jk["alpha"],
                         "se": jk["se"], "ci_low": jk["ci_low"], "ci_high": jk["ci_high"],
                         "df": int(jk["df"]), "alpha_unweighted": a_u,
                         "feldt_low": low, "feldt_high": high})
        parts.append(with_key(pd.DataFrame(rows), by, key))
    return stack(parts)


def item_statistics(df: pd.DataFrame, components: Mapping[str, Sequence[str]],
                    weights: str | None = "weight", by: str | None = "year") -> pd.DataFrame:
    """Item-rest correlation and alpha-if-deleted for every item, within its component.

    Returns:
        One row per (year, component, item): item_rest_r, alpha_if_deleted, alpha (of the
        whole component), alpha_gain (alpha_if_deleted - alpha), mean, sd (all weighted).

    Examples:
        >>> from satisfaction.instrument import example_survey
        >>> t = item_statistics(example_survey(), {"access": ["a1", "a2", "a3"]}, by=None)
        >>> t[["item", "item_rest_r", "alpha_if_deleted", "alpha"]].round(3)
          item  item_rest_r  alpha_if_deleted  alpha
        0   a1        0.865             0.898  0.932
        1   a2        0.857             0.904  0.932
        2   a3        0.860             0.902  0.932
    """
    parts = []
    for key, part in per_year(df, by):
        w = weight_array(part, weights)
        rows = []
        for name, items in components.items():
            x = likert_matrix(part, list(items))
            stats_ = item_rest_statistics(pd.DataFrame(x, columns=list(items)), w)
            stats_.insert(0, "component", name)
            stats_["alpha"] = cronbach_alpha(x, w)
            stats_["alpha_gain"] = stats_["alpha_if_deleted"] - stats_["alpha"]
            rows.append(stats_.rename_axis("item").reset_index())
        table = pd.concat(rows, ignore_index=True)
        table = table[["component", "item", "item_rest_r", "alpha_if_deleted", "alpha",
                       "alpha_gain", "mean", "sd"]]
        parts.append(with_key(table, by, key))
    return stack(parts)


def overall_agreement(df: pd.DataFrame, components: Mapping[str, Sequence[str]],
                      overall: str = "q_overall", weights: str | None = "weight",
                      by: str | None = "year") -> pd.DataFrame:
    """Does the overall item agree with the component items? Weighted Spearman correlations.

    The component score is the mean of its items (respondents with every item answered);
    ``all components`` is the mean of all component items.

    Returns:
        One row per (year, score): rho (weighted), rho_unweighted (scipy), n.

    Examples:
        >>> from satisfaction.instrument import example_survey
        >>> overall_agreement(example_survey(), {"access": ["a1", "a2", "a3"]}, by=None).round(3)
                    score    rho  rho_unweighted    n
        0          access  0.956            0.96  120
        1  all components  0.956            0.96  120
    """
    all_items = [i for items in components.values() for i in items]
    parts = []
    for key, part in per_year(df, by):
        w = weight_array(part, weights)
        q = likert_matrix(part, [overall])[:, 0]
        rows = []
        for name, items in [*components.items(), ("all components", all_items)]:
            score = likert_matrix(part, list(items)).mean(axis=1)  # NaN unless all answered
            ok = ~(np.isnan(score) | np.isnan(q))
            rho_u = (float(stats.spearmanr(score[ok], q[ok]).statistic)
                     if ok.sum() > 2 else np.nan)
            rows.append({"score": name, "rho": weighted_spearman(score, q, w),
                         "rho_unweighted": rho_u, "n": int(ok.sum())})
        parts.append(with_key(pd.DataFrame(rows), by, key))
    return stack(parts)
