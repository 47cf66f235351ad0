"""Intervals for the difference and ratio of two independent proportions.

Independent sources:
- Newcombe (1998) Statistics in Medicine 17:873-890, Table II: the published 95 % limits of
  method 10 (hybrid score) for the eight examples (a)-(h), and of method 6
  (Miettinen-Nurminen) for examples (a) and (d). Transcribed to 4 decimals as printed;
  example (d)'s Miettinen-Nurminen limits are also the published check in R's ratesci tests.
- statsmodels.stats.proportion.confint_proportions_2indep ("newcomb", "wald",
  "agresti-caffo"; ratio "log") to 1e-6.
- For Miettinen-Nurminen, a brute-force inversion written here (restricted maximum
  likelihood by numerical optimisation, roots by brentq). statsmodels 0.15's "score" interval
  is NOT used: its restricted MLE uses count0 where Miettinen-Nurminen's cubic has nobs0
  (tmp1 in score_test_proportions_2indep), so it misses Newcombe's published limits and is
  not even symmetric for p1 == p2 (see test_statsmodels_score_is_not_a_valid_reference).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize, stats
from statsmodels.stats.proportion import confint_proportions_2indep

from satisfaction.intervals import (
    DIFF_METHODS,
    diff_ci,
    effective_sample_size,
    mover_difference,
    mover_ratio,
    mover_test,
    ratio_ci,
    ratio_ci_from_se,
    survey_limits_at,
    survey_proportion_ci,
    wilson_limits,
)

# Newcombe (1998) Table II, method 10 (score interval for each proportion, combined).
NEWCOMBE_METHOD_10 = [
    ((56, 70, 48, 80), (0.0524, 0.3339)),  # (a)
    ((9, 10, 3, 10), (0.1705, 0.8090)),  # (b)
    ((6, 7, 2, 7), (0.0582, 0.8062)),  # (c)
    ((5, 56, 0, 29), (-0.0381, 0.1926)),  # (d)
    ((0, 10, 0, 20), (-0.1611, 0.2775)),  # (e)
    ((0, 10, 0, 10), (-0.2775, 0.2775)),  # (f)
    ((10, 10, 0, 20), (0.6791, 1.0000)),  # (g)
    ((10, 10, 0, 10), (0.6075, 1.0000)),  # (h)
]

# Newcombe (1998) Table II, method 6 (Miettinen-Nurminen score).
NEWCOMBE_METHOD_6 = [
    ((56, 70, 48, 80), (0.0528, 0.3382)),  # (a)
    ((5, 56, 0, 29), (-0.0326, 0.1933)),  # (d)
]

# Newcombe (1998) Table II, method 1 (simple asymptotic, Wald), example (a).
NEWCOMBE_METHOD_1 = [((56, 70, 48, 80), (0.0575, 0.3425))]

ORDINARY = [
    (56, 70, 48, 80),
    (9, 10, 3, 10),
    (6, 7, 2, 7),
    (30, 100, 20, 100),
    (700, 1000, 600, 1000),
    (12, 40, 30, 45),
    (21450, 22250, 17338, 20000),
    (17.5, 31.25, 12.2, 40.8),  # effective counts from a design
]


@pytest.mark.parametrize(("counts", "published"), NEWCOMBE_METHOD_10)
def test_newcombe_matches_published_table_ii(counts, published):
    low, high = diff_ci(*counts, method="newcombe")
    assert round(low, 4) == pytest.approx(published[0], abs=1e-12)
    assert round(high, 4) == pytest.approx(published[1], abs=1e-12)


@pytest.mark.parametrize(("counts", "published"), NEWCOMBE_METHOD_6)
def test_miettinen_nurminen_matches_published_table_ii(counts, published):
    low, high = diff_ci(*counts, method="miettinen-nurminen")
    assert round(low, 4) == pytest.approx(published[0], abs=1e-12)
    assert round(high, 4) == pytest.approx(published[1], abs=1e-12)


@pytest.mark.parametrize(("counts", "published"), NEWCOMBE_METHOD_1)
def test_wald_matches_published_table_ii(counts, published):
    low, high = diff_ci(*counts, method="wald")
    assert (round(low, 4), round(high, 4)) == published


@pytest.mark.parametrize("counts", ORDINARY)
@pytest.mark.parametrize(
    ("ours", "theirs"), [("newcombe", "newcomb"), ("wald", "wald"), ("agresti-caffo", "agresti-caffo")]
)
@pytest.mark.parametrize("level", [0.95, 0.9, 0.99])
def test_closed_forms_match_statsmodels(counts, ours, theirs, level):
    # statsmodels does not truncate Wald-type limits to [-1, 1]; this module does
    expected = np.clip(confint_proportions_2indep(*counts, method=theirs, alpha=1 - level), -1, 1)
    got = diff_ci(*counts, method=ours, level=level)
    assert got == pytest.approx(tuple(float(v) for v in expected), abs=1e-6)


def _mn_brute_force(x1, n1, x2, n2, level=0.95):
    """Miettinen-Nurminen by numerical restricted ML and brentq; independent of the module."""
    z = stats.norm.isf((1 - level) / 2)
    p1, p2, big_n = x1 / n1, x2 / n2, n1 + n2

    def loglik_neg(q2, delta):
        q1 = q2 + delta
        terms = [(x1, q1), (n1 - x1, 1 - q1), (x2, q2), (n2 - x2, 1 - q2)]
        return -sum(c * np.log(q) for c, q in terms if c > 0)

    def score(delta):
        lo, hi = max(0.0, -delta), min(1.0, 1.0 - delta)
        res = optimize.minimize_scalar(
            loglik_neg, bounds=(lo, hi), args=(delta,), method="bounded",
            options={"xatol": 1e-13},
        )
        q2 = res.x
        q1 = q2 + delta
        var = (q1 * (1 - q1) / n1 + q2 * (1 - q2) / n2) * big_n / (big_n - 1)
        return (p1 - p2 - delta) / np.sqrt(var)

    d = p1 - p2
    low = optimize.brentq(lambda t: score(t) - z, -1 + 1e-9, d, xtol=1e-13)
    high = optimize.brentq(lambda t: score(t) + z, d, 1 - 1e-9, xtol=1e-13)
    return low, high


@pytest.mark.parametrize("counts", ORDINARY[:7])
def test_miettinen_nurminen_matches_brute_force_inversion(counts):
    got = diff_ci(*counts, method="miettinen-nurminen")
    assert got == pytest.approx(_mn_brute_force(*counts), abs=1e-6)


def test_miettinen_nurminen_score_at_zero_matches_statsmodels_score_test():
    # At delta = 0 the restricted estimate is the pooled proportion in every implementation,
    # so statsmodels' score test (with the N/(N-1) correction) is a valid check there: the
    # interval's lower limit is 0 exactly when the test's two-sided p-value is 1 - level.
    from statsmodels.stats.proportion import test_proportions_2indep

    x1, n1, x2, n2 = 30, 100, 20, 100
    res = test_proportions_2indep(x1, n1, x2, n2, method="score", compare="diff")
    level = 1 - res.pvalue
    low, _ = diff_ci(x1, n1, x2, n2, method="score", level=level)
    assert low == pytest.approx(0.0, abs=1e-9)


def test_statsmodels_score_is_not_a_valid_reference():
    # Documents why statsmodels' score interval is not used as the check above: with
    # p1 == p2 and nobs swapped the interval must be symmetric about 0; ours is, theirs not.
    ours = diff_ci(50, 100, 25, 50, method="miettinen-nurminen")
    assert ours[0] == pytest.approx(-ours[1], abs=1e-12)
    theirs = confint_proportions_2indep(50, 100, 25, 50, method="score")
    assert abs(theirs[0] + theirs[1]) > 1e-4


def test_vectorised_equals_elementwise():
    counts = np.array(ORDINARY, dtype=float)
    for method in DIFF_METHODS:
        low, high = diff_ci(*counts.T, method=method)
        assert low.shape == (len(ORDINARY),)
        for i, row in enumerate(counts):
            lo_i, hi_i = diff_ci(*row, method=method)
            assert low[i] == pytest.approx(lo_i, abs=1e-12)
            assert high[i] == pytest.approx(hi_i, abs=1e-12)


def test_broadcasting_and_nan_passthrough():
    low, high = diff_ci([np.nan, 5.0], 56, [3.0, 0.0], 29, method="miettinen-nurminen")
    assert np.isnan(low[0]) and np.isnan(high[0])
    assert round(float(low[1]), 4) == -0.0326
    low, high = diff_ci([np.nan, 5.0], 56, [3.0, 0.0], 29)
    assert np.isnan(low[0]) and round(float(high[1]), 4) == 0.1926


def test_scalars_give_floats():
    low, high = diff_ci(5, 56, 0, 29)
    assert isinstance(low, float) and isinstance(high, float)


@settings(max_examples=60, deadline=None)
@given(
    n1=st.integers(1, 200),
    n2=st.integers(1, 200),
    f1=st.floats(0, 1),
    f2=st.floats(0, 1),
    method=st.sampled_from(DIFF_METHODS),
    level=st.sampled_from([0.8, 0.9, 0.95, 0.99]),
)
def test_interval_contains_estimate_and_stays_in_range(n1, n2, f1, f2, method, level):
    x1, x2 = round(f1 * n1), round(f2 * n2)
    low, high = diff_ci(x1, n1, x2, n2, method=method, level=level)
    d = x1 / n1 - x2 / n2
    assert -1 - 1e-12 <= low <= high <= 1 + 1e-12
    if method != "agresti-caffo":  # Agresti-Caffo is centred on the adjusted estimate
        assert low - 1e-9 <= d <= high + 1e-9
    # swapping the samples mirrors the interval
    low_s, high_s = diff_ci(x2, n2, x1, n1, method=method, level=level)
    assert low_s == pytest.approx(-high, abs=1e-9)
    assert high_s == pytest.approx(-low, abs=1e-9)


def test_wider_at_higher_level():
    for method in DIFF_METHODS:
        l90, h90 = diff_ci(30, 100, 20, 100, method=method, level=0.90)
        l99, h99 = diff_ci(30, 100, 20, 100, method=method, level=0.99)
        assert l99 < l90 and h99 > h90


def test_wilson_limits_published_value():
    # Newcombe (1998) Table II examples (e)/(f): the 95 % Wilson upper limit of 0/10, 0.2775
    low, high = wilson_limits(0, 10, stats.norm.isf(0.025))
    assert float(low) == 0.0 and round(float(high), 4) == 0.2775


@pytest.mark.parametrize("counts", ORDINARY)
@pytest.mark.parametrize("level", [0.95, 0.9])
def test_ratio_matches_statsmodels_log(counts, level):
    expected = confint_proportions_2indep(
        *counts, compare="ratio", method="log", alpha=1 - level
    )
    got = ratio_ci(*counts, level=level)
    assert got == pytest.approx(tuple(float(v) for v in expected), rel=1e-9)


def test_ratio_from_se_equals_ratio_from_counts_under_srs():
    x1, n1, x0, n0 = 21450.0, 22250.0, 17338.0, 20000.0
    p1, p0 = x1 / n1, x0 / n0
    se1, se0 = np.sqrt(p1 * (1 - p1) / n1), np.sqrt(p0 * (1 - p0) / n0)
    assert ratio_ci_from_se(p1, se1, p0, se0) == pytest.approx(ratio_ci(x1, n1, x0, n0), rel=1e-12)


def test_ratio_undefined_at_zero_count():
    low, high = ratio_ci(0, 10, 5, 10)
    assert np.isnan(low) and np.isnan(high)
    low, high = ratio_ci_from_se([0.0, 0.5], [0.0, 0.05], 0.4, 0.05)
    assert np.isnan(low[0]) and np.isfinite(low[1])


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((11, 10, 3, 10), {}, "between 0 and n1"),
        ((1, 10, -2, 10), {}, "between 0 and n2"),
        ((1, 0, 3, 10), {}, "n1 must be > 0"),
        ((1, 10, 3, -4), {}, "n2 must be > 0"),
        ((1, 10, 3, 10), {"method": "exact"}, "unknown interval method"),
        ((1, 10, 3, 10), {"level": 95}, "strictly between 0 and 1"),
        ((1, 10, 3, 10), {"level": 0}, "strictly between 0 and 1"),
        ((np.inf, np.inf, 3, 10), {}, "finite"),
    ],
)
def test_bad_input_is_a_clear_error(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        diff_ci(*args, **kwargs)


def test_ratio_from_se_rejects_percentages():
    with pytest.raises(ValueError, match="not 96.45"):
        ratio_ci_from_se(96.45, 0.2, 86.69, 0.3)
    with pytest.raises(ValueError, match="standard errors"):
        ratio_ci_from_se(0.9, -0.1, 0.8, 0.01)


def test_ratio_mover_at_100_percent_is_proper_and_follows_wilson():
    """p1 = p0 = 1: MOVER-R gives [l1, 1 / l0] with statsmodels' Wilson lower limits."""
    from statsmodels.stats.proportion import proportion_confint

    from satisfaction.intervals import ratio_ci_mover

    low, high = ratio_ci_mover(50, 50, 44, 44)
    l1 = proportion_confint(50, 50, method="wilson")[0]
    l0 = proportion_confint(44, 44, method="wilson")[0]
    assert low == pytest.approx(l1, rel=1e-9) and high == pytest.approx(1 / l0, rel=1e-9)
    assert low < 1 < high


def test_ratio_mover_agrees_with_the_delta_method_away_from_the_edges():
    from satisfaction.intervals import ratio_ci_from_se, ratio_ci_mover

    low, high = ratio_ci_mover(900, 1000, 800, 1000)
    d_low, d_high = ratio_ci_from_se(0.9, np.sqrt(0.09 / 1000), 0.8, np.sqrt(0.16 / 1000))
    assert low == pytest.approx(d_low, abs=2e-3) and high == pytest.approx(d_high, abs=2e-3)
    low, high = ratio_ci_mover(5, 10, 0, 10)  # base year at 0 %: [low, inf), low > 1 here
    assert 1 < low < np.inf and high == np.inf


# ---------------------------------------------------------------------------------------------
# The per-year limits at any level, MOVER from them, and the test that inverts them
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["beta", "logit", "wilson", "clopper-pearson", "jeffreys", "wald"])
def test_survey_limits_at_is_survey_proportion_ci_at_each_domains_level(method):
    p = np.array([0.5, 0.9, 1.0, 0.97, 0.0])
    se = np.array([0.04, 0.02, 0.0, 0.01, 0.0])
    n = np.array([200, 150, 40, 300, 25])
    df = np.array([12, 30, 6, 80, 3])
    levels = np.array([0.8, 0.95, 0.99, 0.5, 0.999])
    low, high = survey_limits_at(p, se, n, df, stats.norm.isf((1 - levels) / 2), method)
    for i, level in enumerate(levels):
        one = survey_proportion_ci(p[i], se[i], n[i], df[i], method, level)
        assert (low[i], high[i]) == pytest.approx((one[0][0], one[1][0]), rel=1e-12, abs=1e-15)
    with pytest.raises(ValueError, match="normal quantile"):
        survey_limits_at(p, se, n, df, 0.0, method)


def _wilson_grid():
    rng = np.random.default_rng(5)
    n1, n0 = rng.integers(1, 400, 300).astype(float), rng.integers(1, 400, 300).astype(float)
    x1, x0 = np.floor(rng.random(300) * (n1 + 1)), np.floor(rng.random(300) * (n0 + 1))
    x1[:20], x0[20:40] = n1[:20], 0  # some years at 100 % and at 0 %
    return x1, n1, x0, n0


@pytest.mark.parametrize("level", [0.8, 0.95, 0.99])
def test_mover_ratio_excludes_one_exactly_when_mover_difference_excludes_zero(level):
    x1, n1, x0, n0 = _wilson_grid()
    z = stats.norm.isf((1 - level) / 2)
    l1, u1 = wilson_limits(x1, n1, z)
    l0, u0 = wilson_limits(x0, n0, z)
    d_low, d_high = mover_difference(x1 / n1, l1, u1, x0 / n0, l0, u0)
    r_low, r_high = mover_ratio(x1 / n1, l1, u1, x0 / n0, l0, u0)
    assert not np.isnan(r_low).any() and not np.isnan(r_high).any()
    assert ((d_low > 0) == (r_low > 1)).all() and ((d_high < 0) == (r_high < 1)).all()
    at_zero = x0 == 0
    assert np.isinf(r_high[at_zero]).all()
    p1 = x1 / n1
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = np.sqrt(l1 * (2 * p1 - l1)) / u0
    assert r_low[at_zero] == pytest.approx(expected[at_zero])


def test_mover_test_is_where_the_interval_reaches_no_change():
    x1, n1, x0, n0 = _wilson_grid()
    z = mover_test(x1 / n1, x0 / n0, lambda q: wilson_limits(x1, n1, q),
                   lambda q: wilson_limits(x0, n0, q))
    p = 2 * stats.norm.sf(np.abs(z))
    inner = (p > 1e-6) & (p < 0.999)  # 1 - p keeps p's digits
    assert inner.sum() > 100
    for i in np.flatnonzero(inner)[:60]:
        low, high = diff_ci(x1[i], n1[i], x0[i], n0[i], level=1 - p[i])
        assert (low if z[i] > 0 else high) == pytest.approx(0.0, abs=1e-9)
    # the verdict at 95 %: p < 0.05 exactly where the interval excludes 0 (away from ties)
    low, high = diff_ci(x1, n1, x0, n0)
    clear = np.abs(p - 0.05) > 1e-9
    assert (((low > 0) | (high < 0)) == (p < 0.05))[clear].all()
    assert (z[x1 / n1 == x0 / n0] == 0).all()
    nan = mover_test([np.nan], [0.5], lambda q: wilson_limits(1, 2, q),
                     lambda q: wilson_limits(1, 2, q))
    assert np.isnan(nan).all()


def test_effective_sample_size_uncapped_where_the_design_effect_is_below_one():
    capped = effective_sample_size([0.5, 0.5, 1.0], [0.02, 0.05, 0.0], [200, 200, 40])
    raw = effective_sample_size([0.5, 0.5, 1.0], [0.02, 0.05, 0.0], [200, 200, 40], cap=False)
    assert capped.tolist() == pytest.approx([200, 100, 40])
    assert raw.tolist() == pytest.approx([625, 100, 40])
