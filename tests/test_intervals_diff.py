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
    ratio_ci,
    ratio_ci_from_se,
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
    assert np.isnan(ratio_ci_mover(5, 10, 0, 10)[0])
