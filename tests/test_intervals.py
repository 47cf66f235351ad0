"""Tests for satisfaction.intervals against statsmodels and R's svyciprop (golden files)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint

from satisfaction.intervals import (
    COUNT_METHODS,
    SURVEY_METHODS,
    effective_sample_size,
    proportion_ci,
    survey_proportion_ci,
    t_interval,
)

GOLDEN = Path(__file__).parent / "golden"

STATSMODELS_NAME = {
    "beta": "beta",
    "clopper-pearson": "beta",
    "wilson": "wilson",
    "jeffreys": "jeffreys",
    "wald": "normal",
    "agresti-coull": "agresti_coull",
}


# ------------------------------------------------------------------------------------------
# Plain counts: statsmodels' proportion_confint
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("method", sorted(STATSMODELS_NAME))
@pytest.mark.parametrize("level", [0.8, 0.95, 0.99])
def test_plain_counts_equal_statsmodels(method: str, level: float) -> None:
    n = np.repeat([1, 2, 7, 30, 250], [2, 3, 8, 31, 251])
    x = np.concatenate([np.arange(k + 1) for k in (1, 2, 7, 30, 250)])
    low, high = proportion_ci(x, n, method=method, level=level)
    ref_low, ref_high = proportion_confint(x, n, alpha=1 - level, method=STATSMODELS_NAME[method])
    np.testing.assert_allclose(low, ref_low, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(high, ref_high, rtol=1e-12, atol=1e-15)


def test_plain_counts_scalar_in_scalar_out() -> None:
    low, high = proportion_ci(3, 10, method="wilson")
    assert isinstance(low, float) and isinstance(high, float)
    assert (low, high) == pytest.approx(proportion_confint(3, 10, method="wilson"), rel=1e-12)


@pytest.mark.parametrize(("x", "n"), [(1, 10), (5, 10), (9, 10), (37, 120), (3, 1000)])
def test_plain_logit_is_the_binomial_glm_wald_interval(x: int, n: int) -> None:
    """statsmodels' intercept-only binomial GLM: Wald limits on the logit scale."""
    y = np.r_[np.ones(x), np.zeros(n - x)]
    fit = sm.GLM(y, np.ones((n, 1)), family=sm.families.Binomial()).fit(tol=1e-14)
    ref = 1 / (1 + np.exp(-fit.conf_int(alpha=0.05)[0]))
    assert proportion_ci(x, n, method="logit") == pytest.approx(tuple(ref), rel=1e-7)


def test_plain_logit_at_the_edges_is_clopper_pearson() -> None:
    for x in (0, 25):
        assert proportion_ci(x, 25, method="logit") == pytest.approx(
            proportion_confint(x, 25, method="beta"), rel=1e-12, abs=1e-15
        )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"x": 3, "n": 10, "method": "exact"}, "unknown interval method"),
        ({"x": 3, "n": 10, "level": 95}, "level"),
        ({"x": 3, "n": 10, "level": 0}, "level"),
        ({"x": 3, "n": 10, "level": "high"}, "level"),
        ({"x": 11, "n": 10}, "0 <= x <= n"),
        ({"x": -1, "n": 10}, "0 <= x <= n"),
        ({"x": 0, "n": 0}, "n > 0"),
    ],
)
def test_plain_counts_bad_input(args: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        proportion_ci(**args)


# ------------------------------------------------------------------------------------------
# Design-based: R's svyciprop (golden files written by tests/golden/make_golden.R)
# ------------------------------------------------------------------------------------------
def golden_proportions() -> pd.DataFrame:
    cases = json.loads((GOLDEN / "cases.json").read_text(encoding="utf-8"))
    props = {c["case"]: c["level"] for c in cases if c["stat"] == "proportion"}
    res = pd.read_csv(
        GOLDEN / "results.csv",
        keep_default_na=False,
        na_values=["NA"],
        dtype={"domain_1": str, "domain_2": str},
    )
    res = res[res["case"].isin(props)].copy()
    res["level"] = res["case"].map(props)
    return res


@pytest.mark.parametrize("method", ["beta", "logit"])
def test_survey_intervals_equal_svyciprop(method: str) -> None:
    g = golden_proportions()
    p, se = g["estimate"].to_numpy(), g["se"].to_numpy()
    rl, rh = g[f"{method}_low"].to_numpy(), g[f"{method}_high"].to_numpy()
    ok = (p > 0) & (p < 1) & (se > 1e-12) & np.isfinite(rl) & np.isfinite(rh)
    if method == "logit":  # R's logit interval breaks down at 1 df (see test_design)
        ok &= g["df"].to_numpy() > 1
    assert ok.sum() > 150
    for level in g["level"].unique():
        m = ok & (g["level"].to_numpy() == level)
        low, high = survey_proportion_ci(
            p[m], se[m], g["n"].to_numpy()[m], g["df"].to_numpy()[m], method=method, level=level
        )
        np.testing.assert_allclose(low, rl[m], rtol=1e-6)
        np.testing.assert_allclose(high, rh[m], rtol=1e-6)


def test_survey_wald_is_svyciprop_mean_clipped() -> None:
    g = golden_proportions()
    p, se = g["estimate"].to_numpy(), g["se"].to_numpy()
    ok = (p > 0) & (p < 1) & (se > 1e-12) & np.isfinite(g["mean_low"].to_numpy())
    low, high = survey_proportion_ci(
        p[ok], se[ok], g["n"][ok], g["df"][ok], method="wald", level=0.95
    )
    lv = g["level"].to_numpy()[ok] == 0.95
    np.testing.assert_allclose(low[lv], np.clip(g["mean_low"].to_numpy()[ok][lv], 0, 1), rtol=1e-9)
    np.testing.assert_allclose(
        high[lv], np.clip(g["mean_high"].to_numpy()[ok][lv], 0, 1), rtol=1e-9
    )


def test_effective_sample_size_is_n_over_nchs_deff() -> None:
    """p(1-p)/se^2 = (n - 1) / deff with R's deff='replace' (SRS variance p(1-p)/(n-1))."""
    g = golden_proportions()
    ok = (g["estimate"] > 0) & (g["estimate"] < 1) & (g["se"] > 1e-12)
    g = g[ok]
    mine = effective_sample_size(g["estimate"], g["se"], g["n"])
    np.testing.assert_allclose(mine, np.minimum(g["n"], (g["n"] - 1) / g["deff"]), rtol=1e-8)


@pytest.mark.parametrize("method", ["clopper-pearson", "wilson", "jeffreys"])
def test_effective_n_methods_on_a_binomial_variance_are_the_plain_intervals(method: str) -> None:
    """With se^2 = p(1-p)/n the effective sample size is n: the statsmodels interval."""
    n = np.array([12, 40, 40, 300, 1000])
    x = np.array([5, 1, 39, 150, 987])
    p = x / n
    se = np.sqrt(p * (1 - p) / n)
    low, high = survey_proportion_ci(p, se, n, df=n - 1, method=method)
    ref_low, ref_high = proportion_confint(x, n, method=STATSMODELS_NAME[method])
    np.testing.assert_allclose(low, ref_low, rtol=1e-9)
    np.testing.assert_allclose(high, ref_high, rtol=1e-9)


@pytest.mark.parametrize("n", [1, 2, 10, 500])
def test_korn_graubard_on_a_simple_random_sample_is_clopper_pearson(n: int) -> None:
    """df = n - 1 and n_eff = n: no adjustment, the exact binomial interval (statsmodels)."""
    x = np.arange(n + 1)
    p = x / n
    se = np.sqrt(p * (1 - p) / n)
    low, high = survey_proportion_ci(p, se, np.full(n + 1, n), np.full(n + 1, n - 1))
    if n == 1:  # t with 0 degrees of freedom: no interval
        assert np.isnan(low).all() and np.isnan(high).all()
        return
    ref_low, ref_high = proportion_confint(x, n, method="beta")
    np.testing.assert_allclose(low, ref_low, rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(high, ref_high, rtol=1e-9, atol=1e-15)


@settings(max_examples=40, deadline=None)
@given(
    p=st.one_of(st.just(0.0), st.just(1.0), st.floats(0.001, 0.999)),
    n=st.integers(2, 5000),
    deff=st.floats(0.3, 8.0),
    df_share=st.floats(0.01, 1.0),
    method=st.sampled_from(SURVEY_METHODS),
    level=st.sampled_from([0.9, 0.95, 0.99]),
)
def test_survey_intervals_are_proper(p, n, deff, df_share, method, level) -> None:
    """Every method gives limits in [0, 1] around the estimate, with positive width."""
    se = np.sqrt(p * (1 - p) / n * deff)
    df = max(1, int(df_share * (n - 1)))
    low, high = survey_proportion_ci(p, se, n, df, method=method, level=level)
    assert 0 <= low[0] <= p <= high[0] <= 1
    assert high[0] - low[0] > 0


def test_edges_use_the_actual_sample_size() -> None:
    """At 0 % and 100 % R gives NaN; here Korn-Graubard with n_eff = n (df-adjusted)."""
    low, high = survey_proportion_ci([0.0, 1.0], [0.0, 0.0], [50, 50], [49, 49])
    assert low[0] == 0 and high[1] == 1
    ref = proportion_confint(np.array([0, 50]), 50, method="beta")
    np.testing.assert_allclose(high[0], ref[1][0], rtol=1e-12)
    np.testing.assert_allclose(low[1], ref[0][1], rtol=1e-12)
    # fewer degrees of freedom than n - 1: a wider interval than Clopper-Pearson
    _, high_few = survey_proportion_ci(0.0, 0.0, 50, 5)
    assert high_few[0] > high[0]


def test_survey_ci_missing_and_degenerate_inputs() -> None:
    low, high = survey_proportion_ci([np.nan, 0.5, 0.5], [0.1, 0.1, 0.1], [10, 0, 10], [5, 5, 0])
    assert np.isnan(low).all() and np.isnan(high).all()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"method": "exact"}, "unknown interval method"),
        ({"level": 1.0}, "level"),
        ({"estimate": 1.2}, "between 0 and 1"),
    ],
)
def test_survey_ci_bad_input(kwargs: dict, message: str) -> None:
    args = {"estimate": 0.5, "se": 0.1, "n": 100, "df": 20} | kwargs
    with pytest.raises(ValueError, match=message):
        survey_proportion_ci(**args)


def test_effective_sample_size_caps_and_edges() -> None:
    got = effective_sample_size(
        [0.5, 0.5, 0.0, 1.0, np.nan, 0.5],
        [0.1, 0.001, 0.0, 0.0, 0.1, 0.1],
        [100, 100, 40, 40, 10, 0],
    )
    np.testing.assert_allclose(got[:4], [25.0, 100.0, 40.0, 40.0])
    assert np.isnan(got[4]) and np.isnan(got[5])


def test_t_interval_matches_r_confint_with_degf() -> None:
    cases = json.loads((GOLDEN / "cases.json").read_text(encoding="utf-8"))
    level = {c["case"]: c["level"] for c in cases if c["stat"] != "proportion"}
    res = pd.read_csv(
        GOLDEN / "results.csv",
        keep_default_na=False,
        na_values=["NA"],
        dtype={"domain_1": str, "domain_2": str},
    )
    res = res[res["case"].isin(level) & (res["df"] > 0)]
    assert len(res) > 50
    low, high = t_interval(res["estimate"], res["se"], res["df"], level=0.95)
    np.testing.assert_allclose(low, res["t_low"], rtol=1e-9)
    np.testing.assert_allclose(high, res["t_high"], rtol=1e-9)
    nan_low, _ = t_interval([1.0], [0.5], [0])
    assert np.isnan(nan_low[0])


def test_method_lists() -> None:
    assert set(SURVEY_METHODS) == {"beta", "logit", "wilson", "clopper-pearson", "jeffreys", "wald"}
    assert set(STATSMODELS_NAME) | {"logit"} == set(COUNT_METHODS)


# ------------------------------------------------------------------------------------------
# One set of internals: the method types, the checks, the "no variance" tolerance
# ------------------------------------------------------------------------------------------
def test_all_lists_every_public_name_and_the_literals_are_the_method_lists() -> None:
    import inspect
    import typing

    import satisfaction.intervals as iv

    public = {
        name for name, obj in vars(iv).items()
        if not name.startswith("_") and (inspect.isfunction(obj) or name.isupper())
        and getattr(obj, "__module__", iv.__name__) == iv.__name__
    }
    assert public <= set(iv.__all__), public - set(iv.__all__)
    assert typing.get_args(iv.CiMethod) == iv.SURVEY_METHODS
    assert typing.get_args(iv.CountMethod) == iv.COUNT_METHODS
    assert typing.get_args(iv.DiffMethod) == iv.DIFF_METHODS


@pytest.mark.parametrize("bad", ["exact", "", None, 3, "betas"])
def test_check_method_rejects_unknown_names(bad) -> None:
    from satisfaction.intervals import check_method

    with pytest.raises(ValueError, match="unknown interval method"):
        check_method(bad)
    assert check_method(" Beta ") == "beta"


@pytest.mark.parametrize("bad", [0, 1, 95, -0.5, "0.95", None, True, float("nan")])
def test_check_level_rejects_what_is_not_a_level(bad) -> None:
    from satisfaction.intervals import check_level

    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        check_level(bad)


@pytest.mark.parametrize("method", SURVEY_METHODS)
def test_a_round_off_standard_error_is_no_variance(method: str) -> None:
    """An SE of 3.3e-17 (an exact zero after round-off) gives the interval of an SE of 0:
    n_eff = n, a proper interval, not a zero-width one."""
    from satisfaction.intervals import NO_VARIANCE_SE, no_variance

    p = np.array([0.4, 1.0, 0.0])
    n, df = np.array([30, 30, 30]), np.array([20, 20, 20])
    tiny = survey_proportion_ci(p, np.full(3, 3.3e-17), n, df, method=method)
    zero = survey_proportion_ci(p, np.zeros(3), n, df, method=method)
    np.testing.assert_array_equal(tiny, zero)
    assert (tiny[1] - tiny[0] > 0.05).all()
    np.testing.assert_array_equal(effective_sample_size(p, 3.3e-17, n), n)
    assert no_variance([NO_VARIANCE_SE, 2 * NO_VARIANCE_SE]).tolist() == [True, False]
    # the smallest honest SE of a proportion from a million respondents is well above it
    assert np.sqrt(1e-6 * (1 - 1e-6) / 1e6) > 100 * NO_VARIANCE_SE


def test_mover_difference_of_wilson_limits_is_statsmodels_newcombe() -> None:
    from statsmodels.stats.proportion import confint_proportions_2indep

    from satisfaction.intervals import mover_difference, mover_ratio, ratio_ci_mover

    x1, n1 = np.array([56, 9, 0, 10, 17.5]), np.array([70, 10, 10, 10, 31.25])
    x0, n0 = np.array([48, 3, 0, 0, 12.2]), np.array([80, 10, 20, 20, 40.8])
    l1, u1 = proportion_confint(x1, n1, method="wilson")
    l0, u0 = proportion_confint(x0, n0, method="wilson")
    low, high = mover_difference(x1 / n1, l1, u1, x0 / n0, l0, u0)
    ref = confint_proportions_2indep(x1, n1, x0, n0, method="newcomb", compare="diff")
    np.testing.assert_allclose(low, ref[0], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(high, ref[1], rtol=1e-12, atol=1e-15)
    ok = x0 > 0
    r_low, r_high = mover_ratio(x1 / n1, l1, u1, x0 / n0, l0, u0)
    m_low, m_high = ratio_ci_mover(x1[ok], n1[ok], x0[ok], n0[ok])
    np.testing.assert_allclose(r_low[ok], m_low, rtol=1e-12)
    np.testing.assert_allclose(r_high[ok], m_high, rtol=1e-12)
    # a base year at 0 %: [sqrt(l1 (2 p1 - l1)) / u0, inf), 0 where p1 is 0 too
    assert np.isinf(r_high[~ok]).all()
    p1 = x1 / n1
    np.testing.assert_allclose(r_low[~ok], np.sqrt(l1 * (2 * p1 - l1))[~ok] / u0[~ok])
