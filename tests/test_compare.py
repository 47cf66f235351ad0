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
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep
from statsmodels.stats.proportion import (
    test_proportions_2indep as sm_test_2indep,
)

from satisfaction import compare as cmp
from satisfaction.design import SurveyDesign
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


def test_change_table_interval_equals_statsmodels_newcombe_on_effective_counts():
    t = cmp.change_table(_srs_table(CUR), _srs_table(BASE))
    for dom in ("central", "province", "district"):
        (x1, n1), (x0, n0) = CUR[dom], BASE[dom]
        low, high = confint_proportions_2indep(x1, n1, x0, n0, method="newcomb")
        assert t.loc[dom, "change"] == pytest.approx(x1 / n1 - x0 / n0, abs=1e-12)
        assert t.loc[dom, "change_low"] == pytest.approx(low, abs=1e-9)
        assert t.loc[dom, "change_high"] == pytest.approx(high, abs=1e-9)


def test_change_table_z_and_ratio_tests_equal_statsmodels_under_srs():
    t = cmp.change_table(_srs_table(CUR), _srs_table(BASE))
    for dom in ("central", "province", "district"):
        (x1, n1), (x0, n0) = CUR[dom], BASE[dom]
        wald = sm_test_2indep(x1, n1, x0, n0, method="wald", compare="diff")
        assert t.loc[dom, "z"] == pytest.approx(wald.statistic, rel=1e-9)
        assert t.loc[dom, "p_value"] == pytest.approx(wald.pvalue, rel=1e-7, abs=1e-300)
        log = sm_test_2indep(x1, n1, x0, n0, method="log", compare="ratio")
        assert t.loc[dom, "z_ratio"] == pytest.approx(log.statistic, rel=1e-9)
        low, high = confint_proportions_2indep(x1, n1, x0, n0, compare="ratio", method="log")
        assert t.loc[dom, "ratio_low"] == pytest.approx(low, rel=1e-9)
        assert t.loc[dom, "rel_change_high"] == pytest.approx(high - 1, rel=1e-9)


def test_change_table_keeps_domains_of_one_year_with_a_status():
    t = cmp.change_table(_srs_table(CUR), _srs_table(BASE))
    assert list(t.index) == ["central", "province", "district", "commune", "weapons_office"]
    assert t.loc["commune", "status"] == cmp.STATUS_CURRENT_ONLY
    assert t.loc["weapons_office", "status"] == cmp.STATUS_BASE_ONLY
    assert t.loc["district", "status"] == cmp.STATUS_BOTH
    assert np.isnan(t.loc["commune", "change"]) and not t.loc["commune", "significant"]
    assert t.loc["commune", "p_current"] == pytest.approx(0.8)  # its estimate is kept
    assert t.loc["weapons_office", "p_base"] == pytest.approx(0.9)


def test_change_table_zero_design_se_falls_back_to_pooled_test():
    cur = pd.DataFrame({"estimate": [1.0], "se": [0.0], "n": [40], "n_eff": [np.nan]},
                       index=["office A"])
    base = pd.DataFrame({"estimate": [1.0], "se": [0.0], "n": [30], "n_eff": [np.nan]},
                        index=["office A"])
    t = cmp.change_table(cur, base)
    assert t.loc["office A", "p_value"] == pytest.approx(1.0)
    assert t.loc["office A", "test"] == cmp.TEST_BINOMIAL
    # Newcombe interval on n (n_eff undefined at p = 1) still exists
    low, _ = confint_proportions_2indep(40, 40, 30, 30, method="newcomb")
    assert t.loc["office A", "change_low"] == pytest.approx(low, abs=1e-9)
    cur.loc["office A", "estimate"] = 0.9
    cur.loc["office A", "se"] = 0.0
    base.loc["office A", "se"] = 0.0
    t = cmp.change_table(cur, base)
    pooled = sm_test_2indep(36, 40, 30, 30, method="score", correction=False)
    assert t.loc["office A", "z"] == pytest.approx(pooled.statistic, rel=1e-9)


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
    wald = sm_test_2indep(0.9645 * n1, n1, 0.8669 * n0, n0, method="wald")
    assert r.z == pytest.approx(wald.statistic, rel=1e-9)
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


def test_tipping_point_z_criterion_sits_exactly_on_alpha():
    p1, n1, p0 = 0.9645, 22250, 0.8669
    t = cmp.tipping_point(p1, n1, p0, n0=20000, deff0=2.0, criterion="z")
    neff = t.n_eff_base_critical
    res = sm_test_2indep(p1 * n1, n1, p0 * neff, neff, method="wald")
    assert res.pvalue == pytest.approx(0.05, rel=1e-9)
    assert t.min_n_base == pytest.approx(2.0 * neff)
    assert t.max_deff_base == pytest.approx(20000 / neff)
    # hand arithmetic: se0^2 = (0.0976 / 1.959964)^2 - 0.9645 * 0.0355 / 22250
    se0_sq = (0.0976 / 1.959963984540054) ** 2 - 0.9645 * 0.0355 / 22250
    assert neff == pytest.approx(0.8669 * 0.1331 / se0_sq, rel=1e-9)


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
    t = cmp.tipping_point(0.80, 5000, 0.85, criterion="interval")
    _, high = confint_proportions_2indep(4000, 5000, 0.85 * t.n_eff_base_critical,
                                           t.n_eff_base_critical, method="newcomb")
    assert high == pytest.approx(0.0, abs=1e-9)
    assert np.isinf(cmp.tipping_point(0.85, 5000, 0.85).n_eff_base_critical)
    # a tiny change never significant even with an infinite base-year sample
    assert np.isinf(cmp.tipping_point(0.85, 100, 0.849, criterion="z").n_eff_base_critical)


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
    assert s.deff1 == 3.5 and s.deff0 == 3.5  # the survey's own design effect, both years
    assert s.n0 == 22250  # 2019 respondents were never published: as many as 2020
    # unpublished current respondents: the survey's own count
    unpublished = dataclasses.replace(P, published={**P.published, "respondents": None})
    assert cmp.published_setup(unpublished, B, _OVERALL).n1 == 21000
    # a published base-year count is used as published
    counted = dataclasses.replace(B, published={**B.published, "respondents": 18000})
    assert cmp.published_setup(P, counted, _OVERALL).n0 == 18000


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
    t = cmp.compare_designs(cur, base, "satisfied", "level", years=(2020, 2019))
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
    n1, n0 = e1.loc[dom, "n_eff"], e0.loc[dom, "n_eff"]
    low, high = confint_proportions_2indep(e1.loc[dom, "estimate"] * n1, n1,
                                           e0.loc[dom, "estimate"] * n0, n0, method="newcomb")
    assert (t.loc[dom, "change_low"], t.loc[dom, "change_high"]) == pytest.approx((low, high))


def test_change_table_domain_without_valid_answers_says_so():
    cur = _srs_table(CUR)
    cur.loc["central", ["estimate", "se", "n_eff"]] = np.nan
    cur.loc["central", "n"] = 0
    t = cmp.change_table(cur, _srs_table(BASE))
    assert t.loc["central", "status"] == cmp.STATUS_NO_ANSWER_CURRENT
    assert np.isnan(t.loc["central", "change"]) and np.isnan(t.loc["central", "p_value"])


def test_change_table_single_psu_domain_uses_the_binomial_test():
    # an office that is itself one PSU: linearised SE is rounding noise and df = 0
    cur = pd.DataFrame({"estimate": [0.96], "se": [3e-17], "n": [50], "n_eff": [50.0],
                        "df": [0]}, index=["office B"])
    base = pd.DataFrame({"estimate": [0.86], "se": [2e-16], "n": [50], "n_eff": [50.0],
                         "df": [0]}, index=["office B"])
    t = cmp.change_table(cur, base)
    pooled = sm_test_2indep(48, 50, 43, 50, method="score", correction=False)
    assert t.loc["office B", "test"] == cmp.TEST_BINOMIAL
    assert t.loc["office B", "z"] == pytest.approx(pooled.statistic, rel=1e-9)
    low, high = confint_proportions_2indep(48, 50, 43, 50, compare="ratio", method="log")
    assert (t.loc["office B", "ratio_low"], t.loc["office B", "ratio_high"]) == \
        pytest.approx((low, high), rel=1e-9)
    # with df >= 1 the same numbers would be taken as a design SE
    t2 = cmp.change_table(cur.assign(df=5, se=0.02), base.assign(df=5, se=0.04))
    assert t2.loc["office B", "test"] == cmp.TEST_DESIGN
    assert t2.loc["office B", "z"] == pytest.approx(0.1 / np.hypot(0.02, 0.04))


def test_relative_change_of_a_domain_at_100_percent_in_both_years_has_a_proper_interval():
    from satisfaction.intervals import ratio_ci_mover

    cur = pd.DataFrame({"estimate": [1.0], "se": [0.0], "n": [50], "n_eff": [50.0], "df": [0]},
                       index=pd.Index(["office A"], name="office"))
    base = cur.assign(n=44, n_eff=44.0)
    row = cmp.change_table(cur, base).iloc[0]
    low, high = ratio_ci_mover(50, 50, 44, 44)
    assert row["ratio_low"] == pytest.approx(low) and row["ratio_high"] == pytest.approx(high)
    assert row["ratio_low"] < 1 < row["ratio_high"]
