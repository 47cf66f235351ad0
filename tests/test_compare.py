"""Year-over-year comparison: the statistics of satisfaction.compare.

Independent checks: statsmodels (confint_proportions_2indep, test_proportions_2indep,
multipletests), and hand arithmetic from the published figures (96.45 %, +9.76 %). Microdata
tests use small frames, a stand-in simple-random-sampling design and the project's
SurveyDesign. Power is tested in test_power.py, the reviewer's text in test_report_change.py,
the figures in test_plots_change.py.
"""

from __future__ import annotations

import dataclasses
import unicodedata

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from satisfaction import compare as cmp
from satisfaction.design import SurveyDesign
from satisfaction.intervals import (
    mover_difference,
    mover_ratio,
    ratio_ci_mover,
    survey_proportion_ci,
)
from satisfaction.params import load_params

# ------------------------------------------------------------------ helpers


def _srs_table(counts: dict, name: str = "level") -> pd.DataFrame:
    """An estimate table as a simple random sample would give it: se = sqrt(pq/n)."""
    rows = []
    for key, (x, n) in counts.items():
        p = x / n
        rows.append({"domain": key, "estimate": p, "se": np.sqrt(p * (1 - p) / n), "n": n,
                     "n_eff": float(n), "deff": 1.0})
    return pd.DataFrame(rows).set_index("domain").rename_axis(name)


CUR = {"central": (190, 200), "province": (930, 1000), "district": (2830, 3000),
       "commune": (40, 50)}
BASE = {"central": (160, 200), "province": (850, 1000), "district": (2500, 3000),
        "weapons_office": (9, 10)}


# ------------------------------------------------------------------ change_table


def test_change_table_with_wilson_years_is_newcombe_under_srs():
    """Each year's Wilson interval on its effective n (= n under simple random sampling),
    combined by square-and-add: statsmodels' Newcombe interval."""
    t = cmp.change_table(_srs_table(CUR), _srs_table(BASE), ci_method="wilson")
    for dom in ("central", "province", "district"):
        (x1, n1), (x0, n0) = CUR[dom], BASE[dom]
        low, high = confint_proportions_2indep(x1, n1, x0, n0, method="newcomb")
        assert t.loc[dom, "change"] == pytest.approx(x1 / n1 - x0 / n0, abs=1e-12)
        assert t.loc[dom, "change_low"] == pytest.approx(low, abs=1e-9)
        assert t.loc[dom, "change_high"] == pytest.approx(high, abs=1e-9)
        assert t.loc[dom, "test"] == cmp.TEST_DESIGN


def test_change_table_intervals_are_mover_of_each_years_reported_interval():
    """The change of a domain is built from the very intervals its two estimate tables report
    (Korn-Graubard with the design df), by the MOVER formulas written out here."""
    cur = _srs_table(CUR).assign(df=[12, 40, 40, 5])
    base = _srs_table(BASE).assign(df=[9, 40, 40, 2])
    for table in (cur, base):
        table["ci_low"], table["ci_high"] = survey_proportion_ci(
            table["estimate"], table["se"], table["n"], table["df"])
    t = cmp.change_table(cur, base)
    for dom in ("central", "province", "district"):
        p1, l1, u1 = cur.loc[dom, ["estimate", "ci_low", "ci_high"]]
        p0, l0, u0 = base.loc[dom, ["estimate", "ci_low", "ci_high"]]
        d = p1 - p0
        assert t.loc[dom, "change_low"] == pytest.approx(d - np.hypot(p1 - l1, u0 - p0))
        assert t.loc[dom, "change_high"] == pytest.approx(d + np.hypot(u1 - p1, p0 - l0))
        # MOVER-R: the roots of (p1 - r p0)^2 = (p1 - l1)^2 + r^2 (u0 - p0)^2 (and the upper)
        r = t.loc[dom, "ratio_low"]
        assert (p1 - r * p0) ** 2 == pytest.approx((p1 - l1) ** 2 + r**2 * (u0 - p0) ** 2)
        r = t.loc[dom, "ratio_high"]
        assert (r * p0 - p1) ** 2 == pytest.approx((u1 - p1) ** 2 + r**2 * (p0 - l0) ** 2)
        assert t.loc[dom, "ratio_low"] < t.loc[dom, "ratio"] < t.loc[dom, "ratio_high"]


def test_change_table_test_is_the_inversion_of_the_interval():
    """At the level 1 - p the interval just reaches 0; above it excludes 0, below it includes it."""
    cur = _srs_table(CUR).assign(df=[12, 40, 40, 5])
    base = _srs_table(BASE).assign(df=[9, 40, 40, 2])
    t = cmp.change_table(cur, base)
    assert t.loc["district", "p_value"] < 1e-15  # 1 - p is 1 in floating point: not re-run
    for dom in ("central", "province"):
        p = t.loc[dom, "p_value"]
        assert 1e-8 < p < 0.5
        assert p == pytest.approx(2 * stats.norm.sf(abs(t.loc[dom, "z"])), rel=1e-12)
        at = cmp.change_table(cur.loc[[dom]], base.loc[[dom]], level=1 - p).iloc[0]
        assert at["change_low"] == pytest.approx(0.0, abs=1e-9)
        assert at["ratio_low"] == pytest.approx(1.0, abs=1e-9)  # the ratio's test is the same
        assert cmp.change_table(cur.loc[[dom]], base.loc[[dom]],
                                level=1 - 1.01 * p).iloc[0]["significant"]
        assert not cmp.change_table(cur.loc[[dom]], base.loc[[dom]],
                                    level=1 - 0.99 * p).iloc[0]["significant"]


def test_change_table_newcombe_test_matches_statsmodels_newcombe_at_the_level_of_p():
    """Under simple random sampling with Wilson years the change's p-value is the alpha at
    which statsmodels' own Newcombe interval touches 0 (an independent inversion)."""
    t = cmp.change_table(_srs_table(CUR), _srs_table(BASE), ci_method="wilson")
    for dom in ("central", "province", "district"):
        (x1, n1), (x0, n0) = CUR[dom], BASE[dom]
        low, _ = confint_proportions_2indep(x1, n1, x0, n0, method="newcomb",
                                            alpha=t.loc[dom, "p_value"])
        assert low == pytest.approx(0.0, abs=1e-9)

def test_change_table_effective_n_is_not_capped_when_the_design_effect_is_below_one():
    """A design more precise than simple random sampling (deff 0.5): its interval, the change's
    and the test use p(1-p)/se^2, twice n -- not n (capped, a wider interval)."""
    p, n = 0.8, 400
    se = np.sqrt(0.5 * p * (1 - p) / n)
    cur = pd.DataFrame({"estimate": [p], "se": [se], "n": [n], "df": [60]}, index=["x"])
    base = pd.DataFrame({"estimate": [0.745], "se": [np.sqrt(0.5 * 0.745 * 0.255 / n)],
                         "n": [n], "df": [60]}, index=["x"])
    t = cmp.change_table(cur, base, ci_method="wilson").iloc[0]
    assert t["n_eff_current"] == pytest.approx(2 * n) and t["n_eff_base"] == pytest.approx(2 * n)
    low, high = confint_proportions_2indep(0.8 * 800, 800, 0.745 * 800, 800, method="newcomb")
    assert (t["change_low"], t["change_high"]) == pytest.approx((low, high), abs=1e-9)
    capped, _ = confint_proportions_2indep(0.8 * 400, 400, 0.745 * 400, 400, method="newcomb")
    assert capped < 0 < t["change_low"]  # capped at n, the interval would include no change

def test_change_table_keeps_domains_of_one_year_with_a_status():
    t = cmp.change_table(_srs_table(CUR), _srs_table(BASE))
    assert list(t.index) == ["central", "province", "district", "commune", "weapons_office"]
    assert t.loc["commune", "status"] == cmp.STATUS_CURRENT_ONLY
    assert t.loc["weapons_office", "status"] == cmp.STATUS_BASE_ONLY
    assert t.loc["district", "status"] == cmp.STATUS_BOTH
    assert np.isnan(t.loc["commune", "change"]) and not t.loc["commune", "significant"]
    assert t.loc["commune", "p_current"] == pytest.approx(0.8)  # its estimate is kept
    assert t.loc["weapons_office", "p_base"] == pytest.approx(0.9)


def test_change_table_at_100_percent_with_design_df_keeps_the_design_interval():
    """A domain with design df at 100 % (se 0) is not a single PSU: its year keeps the design
    interval (Korn-Graubard with n as the effective n, as the estimate table reports it)."""
    cur = pd.DataFrame({"estimate": [1.0], "se": [0.0], "n": [40], "df": [6]}, index=["A"])
    base = pd.DataFrame({"estimate": [0.9], "se": [0.03], "n": [30], "df": [6]}, index=["A"])
    t = cmp.change_table(cur, base).loc["A"]
    assert t["test"] == cmp.TEST_DESIGN
    (l1,), (u1,) = survey_proportion_ci(1.0, 0.0, 40, 6)
    _, (u0,) = survey_proportion_ci(0.9, 0.03, 30, 6)
    assert u1 == 1.0 and t["change_low"] == pytest.approx(0.1 - np.hypot(1 - l1, u0 - 0.9))
    # one year at the edge: the ratio is MOVER-R from the same limits, a proper interval
    assert t["ratio_low"] < t["ratio"] < t["ratio_high"]
    assert (t["ratio_low"] > 1) == (t["change_low"] > 0) == t["significant"]


def test_change_table_domain_without_an_interval_says_so():
    cur = pd.DataFrame({"estimate": [0.5], "se": [np.nan], "n": [30], "df": [4]}, index=["x"])
    base = pd.DataFrame({"estimate": [0.4], "se": [0.05], "n": [30], "df": [4]}, index=["x"])
    t = cmp.change_table(cur, base).loc["x"]
    assert t["status"] == cmp.STATUS_NO_INTERVAL
    assert np.isnan(t["change_low"]) and not t["significant"] and t["verdict"] == ""


@pytest.mark.parametrize("method", ["wald", "agresti-caffo", "score", "nonsense"])
def test_change_table_refuses_a_method_whose_test_is_not_its_inversion(method):
    with pytest.raises(ValueError, match="inversion of its interval"):
        cmp.change_table(_srs_table(CUR), _srs_table(BASE), method=method)
    with pytest.raises(ValueError, match="inversion of its interval"):
        cmp.compare_published(0.9, 100, 0.8, 100, method=method)

def test_change_table_missing_columns_is_a_clear_error():
    bad = _srs_table(CUR).drop(columns="se")
    with pytest.raises(cmp.CompareError, match="current estimate table lacks column"):
        cmp.change_table(bad, _srs_table(BASE))


# ------------------------------------------------------------------ published figures


def test_compare_published_matches_statsmodels_with_effective_counts():
    r = cmp.compare_published(0.9645, 22250, 0.8669, 20000, 1.5, 2.0).iloc[0]
    n1, n0 = 22250 / 1.5, 20000 / 2.0
    low, high = confint_proportions_2indep(0.9645 * n1, n1, 0.8669 * n0, n0, method="newcomb")
    assert (r.change_low, r.change_high) == pytest.approx((low, high), abs=1e-9)
    assert r.test == cmp.TEST_PUBLISHED and r.verdict == cmp.VERDICT_RISE
    # the ratio: MOVER-R from the same Wilson limits (statsmodels' Wilson intervals)
    l1, u1 = proportion_confint(0.9645 * n1, n1, method="wilson")
    l0, u0 = proportion_confint(0.8669 * n0, n0, method="wilson")
    expected = [float(v) for v in mover_ratio(0.9645, l1, u1, 0.8669, l0, u0)]
    assert [r.ratio_low, r.ratio_high] == pytest.approx(expected, rel=1e-9)
    # the change itself, by hand from the published figures
    assert r.change == pytest.approx(0.0976, abs=1e-12)

def test_compare_published_broadcasts():
    t = cmp.compare_published(0.9645, 22250, 0.8669, [100, 1000, 20000], 1.0, [1, 2, 3])
    assert len(t) == 3
    assert list(t["n_base"]) == [100, 1000, 20000]
    assert list(t["deff_base"]) == [1, 2, 3]
    assert t["change_low"].is_monotonic_increasing


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((96.45, 22250, 86.69, 20000), "not 96.45"),
        ((0.9645, 0, 0.8669, 20000), "sample sizes"),
        ((0.9645, 22250, 0.8669, 20000, 1.0, 0.0), "design effects"),
    ],
)
def test_compare_published_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        cmp.compare_published(*args)


def test_sensitivity_grid_and_table_shape():
    grid = cmp.sensitivity_grid(0.9645, 22250, 0.8669, [50, 500, 5000], [1.0, 10.0])
    assert len(grid) == 6
    table = cmp.sensitivity_table(grid, "interval_excludes_zero")
    assert list(table.columns) == [50, 500, 5000] and list(table.index) == [1.0, 10.0]
    # n_eff 5 (50 / 10) is far below the critical 13.8: not significant; the rest are
    assert not table.loc[10.0, 50] and table.loc[1.0, 5000]


def test_tipping_point_and_the_verdict_agree_on_both_sides():
    """The issue's case: significance stopped below 14 effective base-year respondents while
    `significant` was False from 14 to 46. Now the tipping point is where the verdict flips."""
    p1, n1, p0 = 0.9645, 22250, 0.8669
    t = cmp.tipping_point(p1, n1, p0, n0=20000, deff0=2.0)
    neff = t.n_eff_base_critical
    assert 10 < neff < 20
    above = cmp.compare_published(p1, n1, p0, neff * 1.001, 1.0, 1.0).iloc[0]
    below = cmp.compare_published(p1, n1, p0, neff * 0.999, 1.0, 1.0).iloc[0]
    assert above["significant"] and above["p_value"] < 0.05 and above["ratio_low"] > 1
    assert not below["significant"] and below["p_value"] >= 0.05 and below["ratio_low"] <= 1
    grid = cmp.compare_published(p1, n1, p0, np.linspace(neff / 4, 4 * neff, 200), 1.0, 1.0)
    assert (grid["significant"] == (grid["n_base"] > neff)).all()
    assert t.min_n_base == pytest.approx(2.0 * neff)
    assert t.max_deff_base == pytest.approx(20000 / neff)


def test_tipping_deff_of_both_years():
    p1, n1, p0, n0 = 0.9645, 22250, 0.8669, 20000
    d = cmp.tipping_deff(p1, n1, p0, n0)
    at = cmp.compare_published(p1, n1, p0, n0, d, d).iloc[0]
    assert at["change_low"] == pytest.approx(0.0, abs=1e-9)
    assert cmp.compare_published(p1, n1, p0, n0, 0.99 * d, 0.99 * d).iloc[0]["significant"]
    assert not cmp.compare_published(p1, n1, p0, n0, 1.01 * d, 1.01 * d).iloc[0]["significant"]
    assert cmp.tipping_deff(0.5, 100, 0.5, 100) == 0.0

def test_tipping_point_interval_criterion_touches_zero():
    p1, n1, p0 = 0.9645, 22250, 0.8669
    t = cmp.tipping_point(p1, n1, p0, deff1=1.7, n0=20000, deff0=3.0)
    neff, n1_eff = t.n_eff_base_critical, n1 / 1.7
    low, _ = confint_proportions_2indep(p1 * n1_eff, n1_eff, p0 * neff, neff, method="newcomb")
    assert low == pytest.approx(0.0, abs=1e-9)
    # a little above: significant; a little below: not
    assert cmp.compare_published(p1, n1, p0, neff * 1.01, 1.7, 1.0).interval_excludes_zero[0]
    assert not cmp.compare_published(p1, n1, p0, neff * 0.99, 1.7, 1.0).interval_excludes_zero[0]


def test_tipping_point_for_a_fall_and_for_no_change():
    t = cmp.tipping_point(0.80, 5000, 0.85)
    _, high = confint_proportions_2indep(4000, 5000, 0.85 * t.n_eff_base_critical,
                                           t.n_eff_base_critical, method="newcomb")
    assert high == pytest.approx(0.0, abs=1e-9)
    assert np.isinf(cmp.tipping_point(0.85, 5000, 0.85).n_eff_base_critical)
    # a tiny change never larger than sampling error even with an infinite base-year sample
    assert np.isinf(cmp.tipping_point(0.85, 100, 0.849).n_eff_base_critical)

def test_parse_reported_change():
    assert cmp.parse_reported_change("+9.76 %") == pytest.approx(0.0976)
    assert cmp.parse_reported_change("9,76%") == pytest.approx(0.0976)
    assert cmp.parse_reported_change("\u22122.5 %") == pytest.approx(-0.025)
    with pytest.raises(ValueError, match="cannot read a change"):
        cmp.parse_reported_change("about ten percent")


def test_two_readings_implied_base_rates_and_tests():
    r = cmp.two_readings(0.9645, "+9.76 %", 22250, 20000, 1.0, 2.0)
    # hand arithmetic: 96.45 - 9.76 = 86.69; 96.45 / 1.0976 = 87.8735...
    assert r.loc[cmp.READING_POINTS, "p_base"] == pytest.approx(0.8669, abs=1e-12)
    assert r.loc[cmp.READING_RELATIVE, "p_base"] == pytest.approx(96.45 / 109.76, abs=1e-12)
    assert r.loc[cmp.READING_RELATIVE, "rel_change"] == pytest.approx(0.0976, abs=1e-12)
    assert r.loc[cmp.READING_POINTS, "change"] == pytest.approx(0.0976, abs=1e-12)
    for reading, row in r.iterrows():
        low, high = confint_proportions_2indep(
            0.9645 * 22250, 22250, row.p_base * 10000, 10000, method="newcomb")
        assert (row.change_low, row.change_high) == pytest.approx((low, high), abs=1e-9)
        assert row.interval_excludes_zero and row.significant


def test_readings_sensitivity_is_the_grid_of_each_reading():
    r = cmp.two_readings(0.9645, "+9.76 %", 22250, 20000, 1.7, 2.0)
    grids = cmp.readings_sensitivity(r, [50, 500, 5000], [1.0, 10.0])
    assert list(grids) == [cmp.READING_POINTS, cmp.READING_RELATIVE]
    for reading, p0 in cmp.implied_base_rates(0.9645, 0.0976).items():
        expected = cmp.sensitivity_grid(0.9645, 22250, p0, [50, 500, 5000], [1.0, 10.0],
                                        deff1=1.7)
        pd.testing.assert_frame_equal(grids[reading], expected, check_exact=False, rtol=1e-12)
    # the current year's design effect is used: with deff1 = 1 the limits differ
    plain = cmp.sensitivity_grid(0.9645, 22250, 0.8669, [50, 500, 5000], [1.0, 10.0])
    assert not np.allclose(grids[cmp.READING_POINTS]["change_low"], plain["change_low"])


_OVERALL = pd.DataFrame({"n": [21000], "deff": [3.5]}, index=["all"])


def test_published_setup_takes_what_was_published_and_assumes_the_rest():
    P, B = load_params(2020), load_params(2019)
    s = cmp.published_setup(P, B, _OVERALL)
    assert s.reported == P.published["change_reported"] == "+9.76 %"
    assert s.rate == 96.45 and s.p1 == pytest.approx(0.9645, abs=1e-15)
    assert s.n1 == 22250  # published, not the survey's own 21,000
    # neither design effect was published: both unknown over the grid, shown at its worst end;
    # never the microdata's own design effect (3.5 here)
    assert s.deff_range == (min(cmp.DEFAULT_DEFF_GRID), max(cmp.DEFAULT_DEFF_GRID))
    assert s.deff1 == s.deff0 == max(cmp.DEFAULT_DEFF_GRID)
    other = cmp.published_setup(P, B, _OVERALL.assign(deff=1.2))
    assert (other.deff1, other.deff0) == (s.deff1, s.deff0)
    assert cmp.published_setup(P, B, _OVERALL, deff_values=[1.0, 4.0]).deff1 == 4.0
    assert s.n0 == 22250 and not s.n0_published  # 2019 respondents: as many as 2020
    # unpublished current respondents: the survey's own count
    unpublished = dataclasses.replace(P, published={**P.published, "respondents": None})
    assert cmp.published_setup(unpublished, B, _OVERALL).n1 == 21000
    # a published base-year count is used as published
    counted = dataclasses.replace(B, published={**B.published, "respondents": 18000})
    setup = cmp.published_setup(P, counted, _OVERALL)
    assert setup.n0 == 18000 and setup.n0_published
    with pytest.raises(ValueError, match="design effects"):
        cmp.published_setup(P, B, _OVERALL, deff_values=[0.0, 2.0])


def test_the_worst_end_of_the_design_effect_range_decides_for_the_whole_range():
    """A larger design effect in either year only widens the interval: where the change is
    larger than sampling error at the range's largest design effects, it is everywhere."""
    grid = np.array(cmp.DEFAULT_DEFF_GRID)
    d1, d0 = np.meshgrid(grid, grid)
    t = cmp.compare_published(0.9645, 22250, 0.8669, 22250, d1.ravel(), d0.ravel())
    worst = t[(t.deff_current == grid.max()) & (t.deff_base == grid.max())].iloc[0]
    assert worst["significant"] and t["significant"].all()
    assert (t["change_low"] >= worst["change_low"] - 1e-12).all()

@pytest.mark.parametrize("missing", ["satisfaction_rate", "change_reported"])
def test_published_setup_without_a_published_change_or_baseline_is_none(missing):
    P, B = load_params(2020), load_params(2019)
    assert cmp.published_setup(P, None, _OVERALL) is None
    partial = dataclasses.replace(P, published={**P.published, missing: None})
    assert cmp.published_setup(partial, B, _OVERALL) is None


# ------------------------------------------------------------------ multiple testing


def test_add_multiple_testing_per_family_and_moved_summary():
    rng = np.random.default_rng(3)
    p_prov = np.concatenate([rng.uniform(0, 1e-4, 5), rng.uniform(0.05, 1, 15)])
    p_level = np.array([0.001, 0.2, 0.6, np.nan])
    df = pd.DataFrame({
        "domain_type": ["province"] * 20 + ["level"] * 4,
        "domain": [f"p{i}" for i in range(20)] + ["a", "b", "c", "d"],
        "p_value": np.concatenate([p_prov, p_level]),
        "change": np.concatenate([np.r_[[0.05] * 3, [-0.04] * 2, [0.01] * 15], [0.1, 0, 0, np.nan]]),
    })
    out = cmp.add_multiple_testing(df, alpha=0.05)
    prov = out[out.domain_type == "province"]
    assert prov["p_holm"].to_numpy() == pytest.approx(multipletests(p_prov, method="holm")[1])
    assert prov["p_bh"].to_numpy() == pytest.approx(multipletests(p_prov, method="fdr_bh")[1])
    lev = out[out.domain_type == "level"]
    assert lev["p_holm"].iloc[:3].to_numpy() == pytest.approx(
        multipletests(p_level[:3], method="holm")[1])
    s = cmp.moved_summary(out, alpha=0.05)
    assert s.loc["province", "tested"] == 20 and s.loc["level", "not_tested"] == 1
    assert s.loc["province", "significant_holm"] == int(
        multipletests(p_prov, alpha=0.05, method="holm")[0].sum())
    assert s.loc["province", "significant_bh"] == int(
        multipletests(p_prov, alpha=0.05, method="fdr_bh")[0].sum())
    assert s.loc["province", "up_bh"] == 3 and s.loc["province", "down_bh"] == 2
    # Storey: pi0 = #{p > 0.5} / (m * 0.5); true moves = m * (1 - pi0)
    big = int((p_prov > 0.5).sum())
    assert s.loc["province", "estimated_true_moves"] == pytest.approx(
        round(20 * (1 - min(1, big / 10)), 1))
    # level: 3 tested, one p above 0.5: pi0 = 1 / 1.5, 3 x (1 - 2/3) = 1 domain moved
    assert s.loc["level", "estimated_true_moves"] == pytest.approx(1.0)


def test_moved_summary_family_with_nothing_tested_moved_nowhere():
    df = pd.DataFrame({"domain_type": ["office", "office", "level"],
                       "p_value": [np.nan, np.nan, 0.9], "change": [np.nan, np.nan, 0.01]})
    s = cmp.moved_summary(cmp.add_multiple_testing(df))
    assert s.loc["office", "tested"] == 0 and s.loc["office", "estimated_true_moves"] == 0.0
    assert s.loc["level", "estimated_true_moves"] == 0.0  # pi0 = 1 / 0.5 clipped to 1
    assert not s["significant_holm"].any()


# ------------------------------------------------------------------ base year, schema


def test_schema_differences_reports_columns_of_one_year_and_type_changes():
    cur = pd.DataFrame({"satisfied": [1.0], "channel": ["online"], "level": ["commune"]})
    base = pd.DataFrame({"satisfied": [1.0], "q_old": [3], "level": [2]})
    d = cmp.schema_differences(cur, base, (2020, 2019)).set_index("column")
    assert d.loc["channel", "difference"] == "only in 2020"
    assert d.loc["q_old", "difference"] == "only in 2019"
    assert d.loc["level", "difference"].startswith("type")
    assert "satisfied" not in d.index


# ------------------------------------------------------------------ microdata


class _SrsDesign:
    """A stand-in design: simple random sampling estimates (se = sqrt(pq/n))."""

    def __init__(self, data: pd.DataFrame):
        self.data = data

    def proportion(self, var, by=None, ci_method="beta", level=0.95):
        d = self.data.dropna(subset=[var])
        keys = d[by] if by is not None else pd.Series("all", index=d.index)
        g = d[var].groupby(keys, sort=False)
        p, n = g.mean(), g.size()
        se = np.sqrt(p * (1 - p) / n)
        return pd.DataFrame({"estimate": p, "se": se, "ci_low": np.nan, "ci_high": np.nan,
                             "deff": 1.0, "n": n, "n_eff": n.astype(float)})


def _frame(counts: dict, column: str, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    parts = []
    for key, (x, n) in counts.items():
        y = np.r_[np.ones(x), np.zeros(n - x)]
        parts.append(pd.DataFrame({column: key, "satisfied": rng.permutation(y)}))
    return pd.concat(parts, ignore_index=True)


def test_compare_designs_and_domains_with_a_stand_in_design():
    cur = _SrsDesign(_frame(CUR, "level", 1))
    base = _SrsDesign(_frame(BASE, "level", 2))
    t = cmp.compare_designs(cur, base, "satisfied", "level", years=(2020, 2019),
                            ci_method="wilson")
    low, high = confint_proportions_2indep(930, 1000, 850, 1000, method="newcomb")
    assert (t.loc["province", "change_low"], t.loc["province", "change_high"]) == \
        pytest.approx((low, high), abs=1e-9)
    overall = cmp.compare_designs(cur, base, "satisfied", None)
    assert list(overall.index) == ["all"]
    x1, n1 = sum(v[0] for v in CUR.values()), sum(v[1] for v in CUR.values())
    x0, n0 = sum(v[0] for v in BASE.values()), sum(v[1] for v in BASE.values())
    assert overall.loc["all", "change"] == pytest.approx(x1 / n1 - x0 / n0)

    long = cmp.compare_domains(cur, base, domains=("level", "field"), years=(2020, 2019))
    assert set(long["domain_type"]) == {"overall", "level", "field"}
    missing = long[long.domain_type == "field"]
    assert len(missing) == 1 and missing["status"].iloc[0] == "column missing in 2020 and 2019"
    level = long[long.domain_type == "level"].set_index("domain")
    assert level.loc["commune", "status"] == cmp.STATUS_CURRENT_ONLY
    tested = level["p_value"].dropna()
    assert level.loc[tested.index, "p_holm"].to_numpy() == pytest.approx(
        multipletests(tested.to_numpy(), method="holm")[1])


def test_compare_domains_writes_domain_names_in_nfc():
    decomposed = unicodedata.normalize("NFD", "Công an Huế")
    assert decomposed != "Công an Huế"
    cur = _SrsDesign(_frame({decomposed: (45, 50), "other": (40, 50)}, "office", 1))
    base = _SrsDesign(_frame({decomposed: (40, 50), "other": (41, 50)}, "office", 2))
    long = cmp.compare_domains(cur, base, domains=("office",), include_overall=False)
    assert list(long["domain"]) == ["Công an Huế", "other"]
    assert long["status"].eq(cmp.STATUS_BOTH).all()


def test_coverage_summary_counts_domains_by_status():
    cur = _SrsDesign(_frame(CUR, "level", 1))
    base = _SrsDesign(_frame(BASE, "level", 2))
    long = cmp.compare_domains(cur, base, domains=("level", "field"), years=(2020, 2019))
    cov = cmp.coverage_summary(long)
    assert cov.loc["level", cmp.STATUS_BOTH] == 3  # central, province, district
    assert cov.loc["level", cmp.STATUS_CURRENT_ONLY] == 1  # commune
    assert cov.loc["level", cmp.STATUS_BASE_ONLY] == 1  # weapons_office
    assert cov.loc["field", "column missing in 2020 and 2019"] == 1
    assert cov.loc["overall", cmp.STATUS_BOTH] == 1
    assert cov.to_numpy().sum() == len(long)


def test_compare_designs_names_the_year_missing_a_column():
    cur = _SrsDesign(_frame(CUR, "level", 1))
    base = _SrsDesign(_frame(BASE, "level", 2).rename(columns={"level": "cap"}))
    with pytest.raises(cmp.CompareError, match="year 2019: column"):
        cmp.compare_designs(cur, base, "satisfied", "level", years=(2020, 2019))


def test_compare_designs_with_survey_design():
    def design(counts, seed):
        df = _frame(counts, "level", seed)
        df["office"] = [f"o{i % 7}" for i in range(len(df))]
        df["stratum"] = df["level"]
        df["w"] = 1.0 + (np.arange(len(df)) % 3)
        return SurveyDesign(df, weights="w", strata="stratum", psu="office", fpc=None,
                            lonely_psu="adjust")

    cur, base = design(CUR, 1), design(BASE, 2)
    t = cmp.compare_designs(cur, base, "satisfied", "level")
    e1 = cur.proportion("satisfied", by="level")
    e0 = base.proportion("satisfied", by="level")
    dom = "district"
    assert t.loc[dom, "change"] == pytest.approx(e1.loc[dom, "estimate"] - e0.loc[dom, "estimate"])
    se = np.hypot(e1.loc[dom, "se"], e0.loc[dom, "se"])
    assert t.loc[dom, "change_se"] == pytest.approx(se)
    # the change's intervals are MOVER of the very intervals each year's table reports
    years = [e.loc[dom, ["estimate", "ci_low", "ci_high"]].to_numpy(float) for e in (e1, e0)]
    low, high = mover_difference(*years[0], *years[1])
    assert (t.loc[dom, "change_low"], t.loc[dom, "change_high"]) == pytest.approx(
        (float(low), float(high)))
    assert [t.loc[dom, "ratio_low"], t.loc[dom, "ratio_high"]] == pytest.approx(
        [float(v) for v in mover_ratio(*years[0], *years[1])])
    assert t.loc[dom, "test"] == cmp.TEST_DESIGN


def test_change_table_domain_without_valid_answers_says_so():
    cur = _srs_table(CUR)
    cur.loc["central", ["estimate", "se", "n_eff"]] = np.nan
    cur.loc["central", "n"] = 0
    t = cmp.change_table(cur, _srs_table(BASE))
    assert t.loc["central", "status"] == cmp.STATUS_NO_ANSWER_CURRENT
    assert np.isnan(t.loc["central", "change"]) and np.isnan(t.loc["central", "p_value"])


def test_change_table_single_psu_domain_uses_the_binomial_interval():
    # an office that is itself one PSU: linearised SE is rounding noise and df = 0
    cur = pd.DataFrame({"estimate": [0.96], "se": [3e-17], "n": [50], "n_eff": [50.0],
                        "df": [0]}, index=["office B"])
    base = pd.DataFrame({"estimate": [0.86], "se": [2e-16], "n": [50], "n_eff": [50.0],
                         "df": [0]}, index=["office B"])
    t = cmp.change_table(cur, base).loc["office B"]
    assert t["test"] == cmp.TEST_BINOMIAL
    low, high = confint_proportions_2indep(48, 50, 43, 50, method="newcomb")
    assert (t["change_low"], t["change_high"]) == pytest.approx((low, high), abs=1e-9)
    assert (t["ratio_low"], t["ratio_high"]) == pytest.approx(ratio_ci_mover(48, 50, 43, 50))
    at_p, _ = confint_proportions_2indep(48, 50, 43, 50, method="newcomb", alpha=t["p_value"])
    assert at_p == pytest.approx(0.0, abs=1e-9)  # the test inverts that interval
    # a later stage's variance does not make one PSU's interval narrower: n, not pq/se^2
    two_stage = cmp.change_table(cur.assign(se=0.01), base.assign(se=0.02)).loc["office B"]
    assert (two_stage["change_low"], two_stage["change_high"]) == pytest.approx((low, high))
    # with df >= 1 the same estimates are a design domain: the design's own intervals
    t2 = cmp.change_table(cur.assign(df=5, se=0.02), base.assign(df=5, se=0.04)).loc["office B"]
    assert t2["test"] == cmp.TEST_DESIGN
    (l1,), _ = survey_proportion_ci(0.96, 0.02, 50, 5)
    _, (u0,) = survey_proportion_ci(0.86, 0.04, 50, 5)
    assert t2["change_low"] == pytest.approx(0.1 - np.hypot(0.96 - l1, u0 - 0.86))


def test_relative_change_of_a_domain_at_100_percent_in_both_years_has_a_proper_interval():
    cur = pd.DataFrame({"estimate": [1.0], "se": [0.0], "n": [50], "n_eff": [50.0], "df": [0]},
                       index=pd.Index(["office A"], name="office"))
    base = cur.assign(n=44, n_eff=44.0)
    row = cmp.change_table(cur, base).iloc[0]
    low, high = ratio_ci_mover(50, 50, 44, 44)
    assert row["ratio_low"] == pytest.approx(low) and row["ratio_high"] == pytest.approx(high)
    assert row["ratio_low"] < 1 < row["ratio_high"]
