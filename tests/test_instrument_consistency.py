"""Tests of satisfaction.instrument.consistency: Cronbach's alpha, item-rest, overall agreement.

Independent sources: pingouin (unweighted alpha), a published worked example (thinkdeeply.cc
"Survey reliability": 10 respondents x 4 Likert items, covariance matrix and alpha = 0.674
printed, checked there with R), R psych values quoted in pingouin's documentation for its
real-statistics.com datasets, Hoyt's ANOVA identity computed with statsmodels, rows repeated
for integer weights, and R's survey package (``withReplicates`` on a JKn design) for the
jackknife (tests/r_survey_reference.py).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from instrument_frames import COMPONENTS, DESIGN
from r_survey_reference import R_JK_ALPHA, R_JK_DF, design_frame
from satisfaction import instrument as ins
from satisfaction.design import DesignSpec
from satisfaction.instrument import InstrumentError

JK_DESIGN = DesignSpec(weights="w", strata="stratum", psu="psu")


PUBLISHED = pd.DataFrame(  # thinkdeeply.cc, "Survey reliability": alpha 0.674
    [[3, 3, 3, 3], [3, 3, 4, 3], [3, 3, 3, 1], [5, 4, 4, 5], [2, 1, 4, 4],
     [4, 4, 4, 5], [3, 2, 3, 3], [3, 4, 3, 3], [4, 2, 2, 3], [3, 3, 2, 3]],
    columns=["X1", "X2", "X3", "X4"])
PUBLISHED_COV = np.array([[0.6778, 0.478, 0.0444, 0.456], [0.4778, 0.989, 0.1333, 0.256],
                          [0.0444, 0.133, 0.6222, 0.489], [0.4556, 0.256, 0.4889, 1.344]])


def test_alpha_matches_published_worked_example():
    assert round(ins.cronbach_alpha(PUBLISHED), 3) == 0.674
    # the published covariances (sample form) are reproduced by our weighted form x n/(n-1)
    C = ins.weighted_covariance(PUBLISHED.to_numpy(float), np.ones(10)) * 10 / 9
    np.testing.assert_allclose(C, PUBLISHED_COV, atol=6e-4)


def test_alpha_matches_r_psych_values_quoted_by_pingouin():
    pg = pytest.importorskip("pingouin")
    long = pg.read_dataset("cronbach_alpha")
    wide = long.pivot(index="Subj", columns="Items", values="Scores")
    assert ins.cronbach_alpha(wide) == pytest.approx(0.5917188485995826, abs=1e-12)
    # Feldt interval quoted there: [0.195, 0.84]
    low, high = ins.feldt_interval(ins.cronbach_alpha(wide), len(wide), wide.shape[1])
    assert (round(low, 3), round(high, 3)) == (0.195, 0.84)
    missing = pg.read_dataset("cronbach_wide_missing")  # psych::alpha(use="complete.obs")
    assert ins.cronbach_alpha(missing) == pytest.approx(0.8016949152542373, abs=1e-12)


def test_unweighted_alpha_equals_pingouin_on_random_likert(survey):
    pg = pytest.importorskip("pingouin")
    for items in COMPONENTS.values():
        data = survey[items].astype("float64")
        expected = pg.cronbach_alpha(data, nan_policy="listwise")[0]
        assert ins.cronbach_alpha(survey[items]) == pytest.approx(expected, abs=1e-12)
    complete = survey[COMPONENTS["officers"]].dropna().astype("float64")
    _, ci = pg.cronbach_alpha(complete)
    low, high = ins.feldt_interval(ins.cronbach_alpha(complete), len(complete), 4)
    assert abs(low - ci[0]) <= 5e-4 and abs(high - ci[1]) <= 5e-4


def test_alpha_equals_hoyt_anova_from_statsmodels():
    import statsmodels.formula.api as smf
    from statsmodels.stats.anova import anova_lm

    long = PUBLISHED.rename_axis("subj").reset_index().melt(id_vars="subj", var_name="item",
                                                             value_name="score")
    table = anova_lm(smf.ols("score ~ C(subj) + C(item)", data=long).fit())
    ms = table["sum_sq"] / table["df"]
    hoyt = 1 - ms["Residual"] / ms["C(subj)"]
    assert ins.cronbach_alpha(PUBLISHED) == pytest.approx(hoyt, abs=1e-12)


def test_integer_weights_equal_repeated_rows(survey):
    part = survey.head(300)
    w = (np.arange(300) % 4) + 1
    rep = part.loc[part.index.repeat(w)]
    items = COMPONENTS["procedures"]
    assert ins.cronbach_alpha(part[items], w) == pytest.approx(ins.cronbach_alpha(rep[items]),
                                                               abs=1e-12)
    pd.testing.assert_frame_equal(ins.item_rest_statistics(part[items], w),
                                  ins.item_rest_statistics(rep[items]), atol=1e-12)
    x = part[items].astype("float64").mean(axis=1)
    y = part["q_overall"].astype("float64")
    rep_x = np.repeat(x.to_numpy(), w)
    rep_y = np.repeat(y.to_numpy(), w)
    ok = ~(np.isnan(rep_x) | np.isnan(rep_y))
    expected = stats.spearmanr(rep_x[ok], rep_y[ok]).statistic
    assert ins.weighted_spearman(x, y, w) == pytest.approx(expected, abs=1e-12)


def test_weights_change_alpha_when_they_follow_the_answers():
    x = np.array([[5, 5, 5], [4, 5, 4], [1, 2, 1], [2, 1, 2], [3, 4, 2], [5, 1, 3]], dtype=float)
    w = np.array([1, 1, 1, 1, 1, 20.0])
    assert ins.cronbach_alpha(x, w) < ins.cronbach_alpha(x) - 0.2


def test_item_rest_and_alpha_if_deleted_against_direct_computation():
    pg = pytest.importorskip("pingouin")
    stats_ = ins.item_rest_statistics(PUBLISHED)
    for item in PUBLISHED.columns:
        rest = PUBLISHED.drop(columns=item).sum(axis=1)
        assert stats_.loc[item, "item_rest_r"] == pytest.approx(
            np.corrcoef(PUBLISHED[item], rest)[0, 1], abs=1e-12)
        assert stats_.loc[item, "alpha_if_deleted"] == pytest.approx(
            pg.cronbach_alpha(PUBLISHED.drop(columns=item))[0], abs=1e-12)


def test_weighted_spearman_equals_scipy_with_equal_weights(survey):
    x, y = survey["o1"], survey["q_overall"]
    ok = x.notna() & y.notna()
    expected = stats.spearmanr(x[ok].astype(float), y[ok].astype(float)).statistic
    assert ins.weighted_spearman(x, y) == pytest.approx(expected, abs=1e-12)


def test_feldt_and_alpha_bad_inputs():
    with pytest.raises(InstrumentError, match="two items"):
        ins.cronbach_alpha([[1], [2]])
    with pytest.raises(InstrumentError, match="n >= 2"):
        ins.feldt_interval(0.5, 1, 4)
    with pytest.raises(ValueError, match="level"):
        ins.feldt_interval(0.5, 10, 4, level=95)
    with pytest.raises(InstrumentError, match="weights"):
        ins.cronbach_alpha(PUBLISHED, np.zeros(10))
    assert np.isnan(ins.cronbach_alpha([[1, 2], [np.nan, 3]]))


# ---------------------------------------------------------------------------------------------
# The jackknife over PSUs
# ---------------------------------------------------------------------------------------------
def test_alpha_jackknife_matches_r_survey_replicates():
    d = design_frame()
    d = d[d.stratum != "D"].reset_index(drop=True)
    jk = ins.alpha_jackknife(d, ["x1", "x2", "x3", "x4"], JK_DESIGN)
    assert jk["alpha"] == pytest.approx(R_JK_ALPHA[0], rel=1e-10)
    assert jk["se"] == pytest.approx(R_JK_ALPHA[1], rel=1e-9)
    assert jk["df"] == R_JK_DF
    t = stats.t.ppf(0.975, R_JK_DF)
    assert jk["ci_low"] == pytest.approx(1 - (1 - jk["alpha"]) * np.exp(t * jk["se"] /
                                                                        (1 - jk["alpha"])))
    assert jk["ci_low"] < jk["alpha"] < jk["ci_high"] < 1


def test_alpha_jackknife_by_explicit_replicates():
    """Each replicate recomputed from scratch: drop one PSU, reweight its stratum."""
    d = design_frame()
    d = d[d.stratum != "D"].reset_index(drop=True)
    items = ["x1", "x2", "x3", "x4"]
    jk = ins.alpha_jackknife(d, items, JK_DESIGN)
    full = ins.cronbach_alpha(d[items], d.w)
    var = 0.0
    for h, rows in d.groupby("stratum"):
        psus = rows.psu.unique()
        nh = len(psus)
        for j in psus:
            w = d.w.to_numpy().copy()
            in_h = (d.stratum == h).to_numpy()
            w[in_h] *= nh / (nh - 1)
            w[(d.psu == j).to_numpy()] = 1e-300
            var += (nh - 1) / nh * (ins.cronbach_alpha(d[items], w) - full) ** 2
    assert jk["se"] == pytest.approx(np.sqrt(var), rel=1e-8)


def test_alpha_jackknife_lonely_psu_policies():
    d = design_frame()
    with pytest.raises(ValueError, match="only one PSU"):
        ins.alpha_jackknife(d, ["x1", "x2"], JK_DESIGN)
    certainty = DesignSpec(weights="w", strata="stratum", psu="psu", lonely_psu="certainty")
    ok = ins.alpha_jackknife(d, ["x1", "x2"], certainty)
    assert ok["replicates"] == 11
    with pytest.raises(InstrumentError, match="DesignSpec"):
        ins.alpha_jackknife(d, ["x1", "x2"], {"weights": "w", "psu": "psu"})


def test_alpha_jackknife_refuses_a_design_with_later_stages_of_variance():
    d = design_frame().assign(rid=lambda f: np.arange(len(f)).astype(str), n2=50)
    two_stage = DesignSpec(weights="w", strata="stratum", psu=["psu", "rid"], fpc=["fpc", "n2"],
                           lonely_psu="certainty")
    assert two_stage.build(d).first_stage().variance_stages == 2
    with pytest.raises(InstrumentError, match="2 variance stages"):
        ins.alpha_jackknife(d, ["x1", "x2"], two_stage)
    # the same PSUs as an ultimate-cluster design (no second-stage FPC): jackknifed as before
    first = DesignSpec(weights="w", strata="stratum", psu="psu", fpc="fpc", lonely_psu="certainty")
    assert ins.alpha_jackknife(d, ["x1", "x2"], first)["replicates"] == 11


# ---------------------------------------------------------------------------------------------
# The tables of the review
# ---------------------------------------------------------------------------------------------
def test_internal_consistency_table_per_year_and_component(two_years):
    pg = pytest.importorskip("pingouin")
    rel = ins.internal_consistency(two_years, COMPONENTS, DESIGN)
    assert len(rel) == 10 and set(rel.year) == {2019, 2020}
    row = rel.query("year == 2020 and component == 'officers'").iloc[0]
    part = two_years[two_years.year == 2020]
    assert row["alpha_unweighted"] == pytest.approx(
        pg.cronbach_alpha(part[COMPONENTS["officers"]].astype(float), nan_policy="listwise")[0])
    assert row["alpha"] == pytest.approx(ins.cronbach_alpha(part[COMPONENTS["officers"]],
                                                            part.weight))
    assert row["ci_low"] < row["alpha"] < row["ci_high"]
    assert row["feldt_low"] < row["alpha_unweighted"] < row["feldt_high"]
    assert row["df"] == part.office_code.nunique() - part.stratum.nunique()


def test_item_statistics_finds_the_item_that_does_not_fit(survey):
    items = ins.item_statistics(survey, COMPONENTS, by=None)
    p3 = items.set_index("item").loc["p3"]
    assert p3["item_rest_r"] < 0.3
    assert p3["alpha_gain"] > 0
    assert items.set_index("item").loc["a2", "item_rest_r"] < 0.3   # near-constant: no variance
    others = items[~items.item.isin(["p3", "a2"])]
    assert (others.item_rest_r > 0.3).all()


def test_overall_agreement_rows(survey):
    agree = ins.overall_agreement(survey, COMPONENTS, by=None)
    assert agree.score.tolist() == [*COMPONENTS, "all components"]
    row = agree.set_index("score").loc["officers"]
    x = survey[COMPONENTS["officers"]].astype(float)
    score = x.mean(axis=1, skipna=False)
    ok = score.notna() & survey.q_overall.notna()
    assert row["n"] == ok.sum()
    assert row["rho_unweighted"] == pytest.approx(
        stats.spearmanr(score[ok], survey.q_overall[ok].astype(float)).statistic)
    assert 0.3 < row["rho"] < 1
